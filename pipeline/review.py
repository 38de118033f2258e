"""The review note: every finding of a workbook, for the Chief Finance Officer (internal).

The Request for Decision is published, so it carries no findings; they all go here instead,
grouped errors / warnings / notes, each with what was found, where it is in words a finance
officer reads ("Services sheet, row 19, End date") and what to do. The column's name comes
from the workbook contract and the plan's own cell locations, never from parsing a message.

The note is built with python-docx (headings, a header row on each table, en-GB, a title) and
its zip is rewritten with fixed member dates, so the same findings give the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pipeline import contract
from pipeline.findings import CATALOGUE, Finding, Severity, count, sorted_findings
from pipeline.textsafe import for_terminal
from pipeline.values import counted, format_date, format_long_date, format_money, slugify

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table, _Cell

    from pipeline.model import Located, Plan
    from pipeline.position import Position

MARKING = "Internal — not for publication"
GROUPS = (
    (Severity.ERROR, "Errors", "error"),
    (Severity.WARNING, "Warnings", "warning"),
    (Severity.INFO, "Notes", "note"),
)
COLUMNS = ("What was found", "Where", "What to do")
# Widths in twentieths of a point (dxa) on an A4 page with 2 cm margins: 17 cm of text.
_WIDTHS = (5100, 2300, 2240)
# A zip member date before any real build: the note's bytes depend on its content only.
# The same note gives the same bytes: zip members dated the first day a zip can carry.
_ZIP_DAY = dt.date(1980, 1, 1)
_CELL = re.compile(r"([A-Z]{1,3})(\d+)")
_DIGITS = "0123456789"
_ROW = re.compile(r"(?:row|line) \d+")
_SPAN = re.compile(r"([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)")


def review_name(reference: str) -> str:
    """``review-015-2021.docx`` for decision ``015/2021``."""
    return f"review-{slugify(reference)}.docx"


# -- where, in words ----------------------------------------------------------------------


def _records(plan: Plan) -> Iterable[Located]:
    yield plan.decision.at
    yield from (f.at for f in plan.funds)
    yield from (s.at for s in plan.sources)
    yield from (ln.at for ln in plan.lines)
    yield from (t.at for t in plan.totals)
    yield from (r.at for r in plan.circulation)


def _column_names(sheet: str) -> dict[str, str]:
    """The contract's name for each attribute key of ``sheet`` (a workbook sheet title)."""
    if contract.DECISION.matches(sheet):
        return {f.key: f.name for f in contract.DECISION_FIELDS}
    for spec in (*contract.TABLE_SHEETS, contract.CIRCULATION, contract.DOCUMENT_CONTROL):
        if spec.matches(sheet):
            names = {c.key: c.header for c in spec.columns}
            if spec is contract.SERVICES:
                names["amount"] = names["budget"]  # a Total row's figure is in the budget column
            return names
    return {}


@dataclass(frozen=True)
class Locator:
    """Turns a finding's sheet and cell into "Services sheet, row 19, End date".

    The plan's records know the attribute of each cell they were read from; a cell no record
    holds (a value that could not be read) is named by what its column holds on the other rows
    of the same sheet. The Decision sheet is a list of fields, so only its exact cells count.
    """

    file: str
    by_cell: dict[tuple[str, str], str]
    by_column: dict[tuple[str, str], str]

    @classmethod
    def of(cls, plan: Plan | None, file: str = "") -> Locator:
        by_cell: dict[tuple[str, str], str] = {}
        by_column: dict[tuple[str, str], str] = {}
        decision_sheets: dict[str, bool] = {}  # per sheet, not per record (10,000 lines)
        for at in _records(plan) if plan is not None else ():
            sheet = at.sheet
            decision = decision_sheets.get(sheet)
            if decision is None:
                decision = decision_sheets[sheet] = contract.DECISION.matches(sheet)
            for key, ref in at.cells.items():
                by_cell.setdefault((sheet, ref), key)
                # A cell's column is named by the first record with a cell in it: a column
                # already named needs no second look at the reference.
                if decision or (sheet, ref.rstrip(_DIGITS)) in by_column:
                    continue
                match = _CELL.fullmatch(ref)
                if match:
                    by_column[(sheet, match.group(1))] = key
        return cls(plan.file if plan is not None else file, by_cell, by_column)

    def where(self, finding: Finding) -> str:
        """Where ``finding`` is, as a finance officer says it."""
        parts: list[str] = []
        if finding.file and self.file and finding.file != self.file:
            parts.append(finding.file)  # another file: a spend file, last year's plan
        if finding.sheet:
            if finding.sheet != Path(finding.file).name:  # a CSV's "sheet" is the file itself
                parts.append(f"{finding.sheet} sheet")
            parts.extend(self._cell(finding.sheet, finding.cell))
        if not parts:
            return "The workbook as a whole" if finding.file == self.file else finding.file
        return ", ".join(parts)

    def _cell(self, sheet: str, cell: str) -> list[str]:
        span = _SPAN.fullmatch(cell)
        if span:  # G16:G29, the cells of one column over several rows
            first, last = self._cell(sheet, span.group(1)), self._cell(sheet, span.group(2))
            if first[1:] == last[1:] and len(first) == 2:
                return [f"rows {first[0][4:]}–{last[0][4:]}", first[1]]
            return [cell]
        row = _ROW.fullmatch(cell)
        if row:
            return [cell]  # "row 14", or a CSV's "line 14"
        match = _CELL.fullmatch(cell)
        if not match:
            return [cell] if cell else []
        column, number = match.groups()
        key = self.by_cell.get((sheet, cell)) or self.by_column.get((sheet, column))
        name = _column_names(sheet).get(key or "")
        return [f"row {number}", name or f"column {column}"]


# -- the document ---------------------------------------------------------------------------


def _text(value: str) -> str:
    """Workbook text as the note shows it: a person must fix the cell, so (as on the console)
    control, bidi and invisible characters are shown escaped (``\\x1b``), not dropped."""
    return for_terminal(value)


def render_review(
    target: Path | IO[bytes],
    findings: Sequence[Finding],
    plan: Plan | None,
    file: str = "",
    position: Position | None = None,
) -> None:
    """Write the review note of one workbook's ``findings`` to ``target``.

    ``plan`` (when the workbook could be read) gives the decision and the cell locations;
    ``file`` names the workbook when it could not; ``position`` (spend files for the plan's
    year) adds a "Position at <date>" section.
    """
    from pipeline.memory import collector_paused

    with collector_paused():  # a 10,000-line plan's locations are many objects: see memory
        data = _review(findings, plan, file, position)
    if isinstance(target, Path):
        target.write_bytes(data)
    else:
        target.write(data)


def _review(
    findings: Sequence[Finding], plan: Plan | None, file: str, position: Position | None
) -> bytes:
    import docx

    # Here, not at the top: the output index reads Locator from this module, and a no-op
    # rerun must not import the Word side (issue 21).
    from pipeline.docx_finish import deterministic_zip

    document = docx.Document()
    locator = Locator.of(plan, file)
    title = _title(plan, locator.file)
    _page(document)
    _properties(document, title, plan)
    document.add_heading(_text(title), level=1)
    _introduction(document, plan, locator.file, findings)
    if position is not None:
        _position(document, position)
    ordered = sorted_findings(findings)
    if not ordered:
        document.add_paragraph(
            "No findings: the checks found nothing to correct or decide in this workbook."
        )
    for severity, heading, noun in GROUPS:
        group = [f for f in ordered if f.severity is severity]
        if not ordered:
            break
        document.add_heading(f"{heading} ({len(group)})", level=2)
        if not group:
            document.add_paragraph(f"No {noun}s.")
            continue
        _table(document, group, locator)
    if plan is not None:  # a Welsh subject or fund read in Welsh, as in the report itself
        from pipeline.docx_welsh import mark_welsh

        mark_welsh(document, plan)
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_zip(buffer.getvalue(), _ZIP_DAY)


def _title(plan: Plan | None, file: str) -> str:
    if plan is None:
        return f"Review note: {Path(file).name or 'workbook'}"
    return f"Review note: Request for Decision {plan.decision.reference}"


def _introduction(
    document: Document, plan: Plan | None, file: str, findings: Sequence[Finding]
) -> None:
    if plan is not None:
        decision = plan.decision
        document.add_paragraph(
            _text(
                f"{decision.subject}. Decision dated {format_long_date(decision.date)}, "
                f"financial year {decision.year_label}."
            )
        )
    document.add_paragraph(
        _text(
            "For the Chief Finance Officer. This note is internal and not for publication: "
            f"it lists what pcc-report found when it checked the workbook {file}. None of it "
            "appears in the Request for Decision or the public summary."
        )
    )
    totals = ", ".join(counted(count(findings, severity), noun) for severity, _, noun in GROUPS)
    document.add_paragraph(f"Found: {totals}.")


def _position(document: Document, position: Position) -> None:
    """Spend against the plan per fund and ring-fenced stream (the position workbook has the
    lines, the payments to check and the commitments)."""
    document.add_heading(f"Position at {format_date(position.as_at)}", level=2)
    how = (
        position.outturn[:1].upper() + position.outturn[1:] + "."
        if position.ended
        else "The forecast outturn is each line's spend so far and the instalments still due, "
        "or a straight line by days where it is not paid in instalments, past the budget only "
        "where three or more payment days show the line running over; lines with no payment "
        "yet are forecast at budget."
    )
    document.add_paragraph(
        f"From {position.payments} payments in the spend files. {how} "
        "Details, line by line (and how each forecast is made), are in the position workbook."
        ' Each ring-fenced grant, in an "of which" row under its fund, is the part of the '
        "fund's figures counted against that grant (ring-fenced money is counted as spent "
        "first, in the order the Funding sources sheet lists it): it is part of the fund's "
        "figures, not added to them."
    )
    rows = []
    for fund in position.funds:  # each fund, then the ring-fenced grants in its figures
        rows.append((fund.fund.name, fund.allocation, fund.spent, fund.forecast, fund.at_risk))
        rows.extend(
            (
                f"of which {s.source.source} (ring-fenced)",
                s.source.amount,
                s.spent,
                s.forecast,
                s.at_risk,
            )
            for s in fund.streams
        )
    headings = ("Fund", "Allocation", "Spent to date", "Forecast outturn", "At risk")
    table = document.add_table(rows=1, cols=len(headings))
    table.style = document.styles["Table Grid"]
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
    for name, *amounts in rows:
        cells = _new_row(table)
        cells[0].paragraphs[0].add_run(_text(name))
        for cell, amount in zip(cells[1:], amounts, strict=True):
            cell.paragraphs[0].add_run(format_money(amount))


def _table(document: Document, group: Sequence[Finding], locator: Locator) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = document.styles["Table Grid"]
    for cell, heading in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.paragraphs[0].add_run(heading).bold = True
    _lay_row(table._tbl.tr_lst[0], header=True)
    prototype = None  # a row built (and laid out) by python-docx whose texts are one w:t each
    for finding in group:
        entry = CATALOGUE[finding.code]
        texts = (
            f"{entry.title} ({finding.code})",
            _text(finding.message),
            _text(locator.where(finding)),
            entry.action or "See what was found.",
        )
        plain = all(text and not _RUN_BREAKS.search(text) for text in texts)
        if plain and prototype is not None:
            table._tbl.append(_copy_row(prototype, texts))
            continue
        found, where, action = _new_row(table)
        title = found.paragraphs[0]
        title.add_run(texts[0]).bold = True
        found.add_paragraph(texts[1])
        where.paragraphs[0].add_run(texts[2])
        action.paragraphs[0].add_run(texts[3])
        row = found._tc.getparent()
        _lay_row(row)
        if plain:
            prototype = row
    _layout(table)


# python-docx writes these as w:tab / w:br elements (and nothing for an empty text), so a row
# holding one is built by python-docx itself rather than copied.
_RUN_BREAKS = re.compile(r"[\t\r\n]")


def _copy_row(prototype: Any, texts: Sequence[str]) -> Any:
    """A copy of ``prototype`` (a findings row python-docx built) with ``texts`` in its four
    runs, as python-docx writes a run's text. A row built by python-docx costs about 0.7 ms
    (a second for a 10,000-line plan's findings); a copy is a few microseconds."""
    from docx.oxml.ns import qn

    row = copy.deepcopy(prototype)
    space = qn("xml:space")
    for element, text in zip(row.iter(qn("w:t")), texts, strict=True):
        element.text = text
        if len(text.strip()) < len(text):
            element.set(space, "preserve")
        elif space in element.attrib:
            del element.attrib[space]
    return row


def _new_row(table: Table) -> list[_Cell]:
    """A new row's cells. python-docx's ``add_row().cells`` lays out the whole table's cell
    grid on every call (quadratic: 5 s for 5,000 findings); a new row's cells are its own."""
    from docx.table import _Cell

    row = table.add_row()  # type: ignore[no-untyped-call]
    return [_Cell(tc, table) for tc in row._tr.tc_lst]


def _lay_row(tr: Any, header: bool = False) -> None:
    """A row kept whole, the header row repeated on every page (python-docx has no API for
    either: they are set in the XML), fixed cell widths. Done on the rows python-docx
    builds; a copied row is a copy of a laid-out one."""
    from docx.oxml import OxmlElement
    from docx.shared import Twips

    properties = tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))
    for tc, width in zip(tr.tc_lst, _WIDTHS, strict=True):
        tc.width = Twips(width)


def _layout(table: Table) -> None:
    """Fixed column widths and a caption (its rows are laid out by :func:`_lay_row`)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips

    table.autofit = False
    for column, width in zip(table.columns, _WIDTHS, strict=True):
        column.width = Twips(width)
    # A table needs a caption for screen readers: its description names what it lists.
    look = table._tbl.tblPr
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), "Findings")
    look.append(caption)


def _page(document: Document) -> None:
    """A4 with 2 cm margins, the marking in the header of every page, en-GB throughout."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    header = section.header.paragraphs[0]
    run = header.add_run(MARKING)
    run.bold = True
    run.font.size = Pt(10)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    run_properties = properties.find(qn("w:rPr")) if properties is not None else None
    if run_properties is not None:
        language = run_properties.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            run_properties.append(language)
        language.set(qn("w:val"), "en-GB")
        language.set(qn("w:eastAsia"), "en-GB")
    _plain_fonts(document)


# The note's font, as the Request for Decision's: python-docx's own template names its theme's
# fonts, which a copy of LibreOffice without them showed as a serif.
FONT = "Arial"


def _plain_fonts(document: Document) -> None:
    """Arial on every script wherever the styles named a theme font (the body's default, the
    headings, the quotes...): a theme font wins over a font named beside it, so it is removed."""
    from docx.oxml.ns import qn

    for fonts in document.styles.element.iter(qn("w:rFonts")):
        if not any(name.lower().endswith("theme") for name in fonts.attrib):
            continue  # a font of its own (Courier for code): kept
        for attribute in list(fonts.attrib):
            del fonts.attrib[attribute]
        for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(script), FONT)


def _properties(document: Document, title: str, plan: Plan | None) -> None:
    from pipeline.docx_finish import core_properties

    with core_properties(document) as props:
        props.title = _text(title)[:255]  # Word's core properties hold 255 characters at most
        props.subject = MARKING
        props.author = "pcc-report"
        props.last_modified_by = "pcc-report"
        props.language = "en-GB"
        props.keywords = "review note; internal"
        props.comments = ""
        # Dated by the decision (or a fixed date), never the clock: equal findings, equal bytes.
        day = plan.decision.date if plan is not None else dt.date(2000, 1, 1)
        stamp = dt.datetime.combine(day, dt.time())
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1
