"""Stage 1: a workbook file -> a :class:`~pipeline.model.Plan` and the findings met on the way.

Nothing here raises for bad input. The file is sniffed by its size and first bytes before any
parser sees it (:mod:`pipeline.sniff`), its sheets are read into rows that keep their cell
addresses (:mod:`pipeline.sheets`), each sheet is found by the contract's names and read by its
reader (``read_decision``, ``read_funds``, ``read_services``, ``read_circulation``), and each
value is parsed by :mod:`pipeline.values`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline import contract
from pipeline.contract import TableSheet
from pipeline.findings import Finding
from pipeline.model import Plan
from pipeline.read_cells import HEADER_SEARCH_ROWS, Findings, map_columns
from pipeline.read_circulation import read_circulation, read_document_control
from pipeline.read_decision import read_decision, unread_decision
from pipeline.read_funds import read_funds, read_sources
from pipeline.read_services import read_services
from pipeline.sheets import ReadSheets, Row, Sheet, WorkbookUnreadable, read_sheets
from pipeline.sniff import sniff
from pipeline.values import clean_text, is_blank, normalise

__all__ = ["LoadResult", "load", "sniff"]


@dataclass
class LoadResult:
    """The plan (None when the workbook could not be read far enough) and its findings."""

    plan: Plan | None
    findings: list[Finding] = field(default_factory=list)
    reference: str = ""  # the decision reference, when readable even if the plan is not
    # When some cells could not be read (so ``plan`` is None) but the Decision could: the plan
    # of what was read (the lines, funds and sources without an error), so that the per-line
    # rules still run on it and a first check lists everything knowable (issue 15).
    readable: Plan | None = None
    funds_complete: bool = True  # False: a Funds row could not be read (E-FUND must wait)
    # False: a Funds or Funding sources row could not be read (E-SOURCES must wait).
    sources_complete: bool = True
    # False: the Decision sheet's Financial year could not be read, so ``readable`` holds a
    # stand-in year and the checks against the year (W-INACTIVE, W-LATER-YEARS) must wait.
    year_read: bool = True


def load(path: Path | str, label: str | None = None) -> LoadResult:
    """Read ``path`` into a Plan. ``label`` is how findings name the file (default: the path)."""
    path = Path(path)
    findings = Findings(label or str(path))
    problem = sniff(path)
    if problem:
        findings.add("E-READ", f"{path.name} {problem}.")
        return LoadResult(None, findings.found)
    try:
        read = read_sheets(path)
    except WorkbookUnreadable as error:
        findings.add(
            "E-READ",
            f"{path.name} could not be read as a workbook ({clean_text(error)[:200]}); open it "
            "in Excel, check it, and save it as .xlsx.",
        )
        return LoadResult(None, findings.found)
    return _plan(read, findings)


# A sheet made very hidden (by a macro or the VBA editor) is shown again only from there.
_VERY_HIDDEN_FIX = (
    "in Excel press Alt+F11, select the sheet under the workbook's Microsoft Excel Objects, "
    "and set its Visible property (F4) to -1 - xlSheetVisible"
)


def _plan(read: ReadSheets, findings: Findings) -> LoadResult:
    for title in read.hidden:
        findings.add(
            "I-HIDDEN",
            f'Sheet "{title}" is very hidden (not listed under Unhide) and was ignored; '
            f"{_VERY_HIDDEN_FIX} if it belongs to the plan."
            if title in read.very_hidden
            else f'Hidden sheet "{title}" was ignored; unhide it in Excel if it belongs to the plan.',
            sheet=title,
        )
    for title, why in read.refused.items():
        findings.add("E-READ", f'The "{title}" sheet {why}.', sheet=title)
    located = _locate(read, findings)
    decision = read_decision(located["Decision"], findings) if "Decision" in located else None
    year = decision.financial_year if decision is not None else ""
    funds = read_funds(located["Funds"], findings, year) if "Funds" in located else None
    fund_list = funds.items if funds is not None else []
    sources = (
        read_sources(located["Funding sources"], findings, fund_list)
        if "Funding sources" in located
        else None
    )
    services = (
        read_services(
            located["Services"],
            findings,
            fund_list,
            year,
        )
        if "Services" in located
        else None
    )
    control, changes = (
        read_document_control(located["Document control"], findings)
        if "Document control" in located
        else ((), ())
    )
    circulation, circulation_sheet = (
        read_circulation(located["Circulation"], findings)
        if "Circulation" in located
        else ((), None)
    )
    reference = decision.reference if decision is not None else ""
    # A Decision field that could not be read holds back only the checks that need it: the
    # lines, funds and sources still go through the rest (all errors at once).
    read_of = (decision.decision or decision.partial) if decision is not None else None
    title = located["Decision"].title if "Decision" in located else contract.DECISION.name
    as_read = read_of or unread_decision(title)
    plan = Plan(
        findings.file,
        as_read,
        tuple(funds.items) if funds is not None else (),
        tuple(sources.items) if sources is not None else (),
        tuple(services.items) if services is not None else (),
        tuple(services.totals) if services is not None else (),
        control,
        circulation,
        changes,
        circulation_sheet,
    )
    whole = (funds, sources, services)
    decided = decision is not None and decision.decision is not None
    if decided and all(part is not None and part.whole for part in whole) and not read.refused:
        return LoadResult(plan, findings.found, reference)
    # Total rows close lines by their position, which a left-out line would shift.
    readable = replace(plan, totals=())
    funds_complete = funds is not None and funds.complete
    sources_complete = funds_complete and sources is not None and sources.complete
    year_read = decided or (decision is not None and decision.year_read)
    return LoadResult(
        None, findings.found, reference, readable, funds_complete, sources_complete, year_read
    )


_SPECS: Sequence[TableSheet] = (
    contract.DECISION,
    *contract.TABLE_SHEETS,
    contract.DOCUMENT_CONTROL,
    contract.CIRCULATION,
)


def _locate(read: ReadSheets, findings: Findings) -> dict[str, Sheet]:
    """The sheet that answers to each of the contract's sheets (missing ones are E-SHEET)."""
    found = ", ".join(f'"{s.title}"' for s in read.sheets) or "none"
    located: dict[str, Sheet] = {}
    for spec in _SPECS:
        candidates = [s for s in read.sheets if spec.matches(s.title)]
        exact = [s for s in candidates if normalise(s.title) == normalise(spec.name)]
        chosen = exact if exact else candidates
        if len(chosen) > 1 and "Decision" in located:
            chosen = _of_the_year(chosen, located["Decision"], findings)
        if len(chosen) > 1:
            # The first used to win: a draft "Services " before "Services" was read, exit 0.
            names = " and ".join(f'"{s.title}"' for s in chosen)
            findings.add(
                "E-SHEET",
                f'{len(chosen)} sheets answer to "{spec.name}": {names}. Rename or delete the '
                "one that is not the plan (a draft or an old copy?).",
                sheet=chosen[1].title,
            )
            continue
        if chosen:
            located[spec.name] = chosen[0]
            _note_copies(read, spec, chosen[0], findings)
            for other in candidates if exact else ():  # the year's: said by _of_the_year
                if other is not chosen[0]:
                    findings.add(
                        "I-SHEET",
                        f'The "{other.title}" sheet also answers to "{spec.name}" but was '
                        f'ignored: the "{chosen[0].title}" sheet has the exact name. Rename or '
                        "delete it if it is a draft.",
                        sheet=other.title,
                    )
            continue
        if not spec.required or any(spec.matches(title) for title in read.refused):
            continue
        hidden_match = next((t for t in read.hidden if spec.matches(t)), None)
        if hidden_match:
            # The old sheet hidden and the plan kept on its copy ("Services (2)"): the copy
            # went unmentioned, and unhiding the old one would read last week's figures.
            holder = _holds_table(read, spec)
            also = (
                f' If the visible "{holder}" sheet holds the plan, rename it "{spec.name}" and '
                "delete the hidden one instead."
                if holder
                else ""
            )
            unhide = (
                f"it is very hidden, not listed under Unhide; {_VERY_HIDDEN_FIX}"
                if hidden_match in read.very_hidden
                else "unhide it in Excel (right-click a sheet tab > Unhide)"
            )
            findings.add(
                "E-SHEET",
                f'The "{hidden_match}" sheet is hidden, so it was not read; {unhide}.{also}',
                sheet=hidden_match,
            )
        elif (holder := _holds_table(read, spec)) is not None:
            # "Add a sheet named Services" sent people to add an empty one beside their plan.
            findings.add(
                "E-SHEET",
                f'No "{spec.name}" sheet, but the "{holder}" sheet has its columns: rename '
                f'that sheet "{spec.name}" (only the sheet of that name is read).',
                sheet=holder,
            )
        elif len(holders := _holders(read, spec)) > 1:
            # A tab per fund ("Victims Fund", "Community Safety Fund"): told to add a sheet.
            names = " and ".join(f'"{title}"' for title in holders)
            findings.add(
                "E-SHEET",
                f'No "{spec.name}" sheet, but the {names} sheets have its columns: the plan is '
                f'read from one sheet named "{spec.name}". Copy their rows onto one sheet of '
                "that name, under one header row (each row keeps its Fund), and delete the "
                "others.",
                sheet=holders[0],
            )
        elif spec is contract.SERVICES and (tabs := _holders(read, spec, without="fund")):
            # A tab per fund that says its fund by its name alone, with no Fund column: "add
            # a sheet named Services" sent people to add an empty one beside their plan.
            names = " and ".join(f'"{title}"' for title in tabs)
            many = len(tabs) > 1
            fix = (
                "Copy their rows onto one sheet of that name, under one header row, add a Fund "
                "column giving each row its fund (its tab's name, as the Funds sheet names the "
                "fund), and delete the others."
                if many
                else f'Rename that sheet "{spec.name}" and add a Fund column giving each row '
                "its fund (as the Funds sheet names it)."
            )
            findings.add(
                "E-SHEET",
                f'No "{spec.name}" sheet, but the {names} sheet{"s" if many else ""} '
                f"{'have' if many else 'has'} its columns except Fund: the plan is read from "
                f'one sheet named "{spec.name}", each row naming its fund. {fix}',
                sheet=tabs[0],
            )
        else:
            findings.add(
                "E-SHEET",
                f'No "{spec.name}" sheet. Sheets found: {found}. Add a sheet named '
                f'"{spec.name}" (pcc-report new-workbook makes a blank one to copy from).',
            )
    _note_unread_tables(read, located, findings)
    return located


# The financial year at the end of a sheet's name: "Services 2022-23", "Funds (2021_22)".
_TITLE_YEAR = re.compile(r"(\d{4}|\d{2})\s*[-_/]\s*(\d{4}|\d{1,2})\)?$")


def _of_the_year(chosen: list[Sheet], decision: Sheet, findings: Findings) -> list[Sheet]:
    """Of several sheets named with financial years (this year's plan and next year's in one
    workbook: "Services 2021-22" beside "Services 2022-23"), the one of the Decision sheet's
    Financial year, the others noted; ``chosen`` itself when no one sheet is of that year."""
    typed = read_decision(decision, Findings(findings.file)).financial_year
    year = contract.financial_year_bounds(typed) if typed else None
    named = {id(s): _TITLE_YEAR.search(normalise(s.title)) for s in chosen}
    of_year = [
        s
        for s in chosen
        if (m := named[id(s)]) and contract.financial_year_bounds(f"{m[1]}-{m[2]}") == year
    ]
    if year is None or len(of_year) != 1 or not all(named.values()):
        return chosen
    for other in chosen:
        if other is not of_year[0]:
            findings.add(
                "I-SHEET",
                f'The "{other.title}" sheet is named for another year than the Decision '
                f'sheet\'s Financial year, {typed}, and was not read; the "{of_year[0].title}" '
                "sheet was. Keep each year's plan in a workbook of its own: each is a decision.",
                sheet=other.title,
            )
    return of_year


def _holds_table(read: ReadSheets, spec: TableSheet) -> str | None:
    """The one sheet under another name whose header row has every column of ``spec``."""
    holders = _holders(read, spec)
    return holders[0] if len(holders) == 1 else None


def _holders(read: ReadSheets, spec: TableSheet, without: str = "") -> list[str]:
    """The sheets under other names whose header row has every column of ``spec``; with
    ``without``, those whose header row has every column but that one (and not that one)."""
    if spec not in contract.TABLE_SHEETS:
        return []
    wanted = {c.key for c in spec.required_columns}
    if without:
        if without not in wanted:
            return []
        wanted.discard(without)

    def holds(values: Row) -> bool:
        keys = map_columns(values, spec)
        return wanted <= keys.keys() and without not in keys

    return [
        sheet.title
        for sheet in read.sheets
        if not any(other.matches(sheet.title) for other in _SPECS)
        and any(holds(values) for _, values in sheet.first_rows(HEADER_SEARCH_ROWS))
    ]


def _note_unread_tables(read: ReadSheets, located: dict[str, Sheet], findings: Findings) -> None:
    """An I-SHEET note for a sheet under another name that holds a plan's table (its
    header row has every column of the Services, Funds or Funding sources sheet): only the
    sheets with the plan's names are read, so lines kept on "Services - new bids" counted
    for nothing without a word."""
    read_titles = {sheet.title for sheet in located.values()}
    for sheet in read.sheets:
        if sheet.title in read_titles or any(spec.matches(sheet.title) for spec in _SPECS):
            continue
        copy = _COPY.fullmatch(normalise(sheet.title))
        if copy and any(spec.matches(copy["name"] or copy["copied"]) for spec in _SPECS):
            continue  # a copy: said by _note_copies
        for spec in contract.TABLE_SHEETS:
            if spec.name in located and any(
                all(c.key in map_columns(values, spec) for c in spec.required_columns)
                for _, values in sheet.first_rows(HEADER_SEARCH_ROWS)
            ):
                findings.add(
                    "I-SHEET",
                    f'The "{sheet.title}" sheet has the columns of the "{spec.name}" sheet but '
                    f'was not read: only the sheet named "{spec.name}" is. Move its rows onto '
                    f'the "{spec.name}" sheet, or delete it if it is an old draft.',
                    sheet=sheet.title,
                )
                break
        else:
            if not _note_fund_tab(sheet, located, findings):
                _note_other_decision(sheet, findings)


def _note_fund_tab(sheet: Sheet, located: dict[str, Sheet], findings: Findings) -> bool:
    """An I-SHEET note for a tab of lines beside the Services sheet with its columns but Fund
    (the tab's name saying the fund): its lines counted for nothing without a word."""
    spec = contract.SERVICES
    if spec.name not in located:
        return False
    wanted = {c.key for c in spec.required_columns} - {"fund"}
    for _, values in sheet.first_rows(HEADER_SEARCH_ROWS):
        keys = map_columns(values, spec)
        if wanted <= keys.keys() and "fund" not in keys:
            findings.add(
                "I-SHEET",
                f'The "{sheet.title}" sheet has the columns of the "{spec.name}" sheet except '
                f'Fund, and was not read: only the sheet named "{spec.name}" is. Move its rows '
                f'onto the "{spec.name}" sheet, each with its fund in the Fund column, or delete '
                "it if it is an old draft.",
                sheet=sheet.title,
            )
            return True
    return False


# The Decision sheet's field names (and other bodies' names for them), as a row names one.
_FIELD_NAMES = {
    normalise(name): field.key
    for field in contract.DECISION_FIELDS
    for name in (field.name, *field.aliases)
}


def _note_other_decision(sheet: Sheet, findings: Findings) -> None:
    """An I-SHEET note for a sheet under another name holding a decision's fields (another
    decision's, "Decision 016-2021", kept in the same workbook): only the Decision sheet is
    read, and the other decision was passed over without a word."""
    fields: dict[str, str] = {}
    for _, values in sheet.first_rows(HEADER_SEARCH_ROWS * 2):
        cells = [v for v in values if not is_blank(v)]
        key = _FIELD_NAMES.get(normalise(cells[0]).rstrip(" :")) if cells else None
        if key is not None:
            fields[key] = clean_text(cells[1]) if len(cells) > 1 else ""
    if len(fields) < 4:
        return  # a field name or two in other text
    reference = f' (Reference "{fields["reference"]}")' if fields.get("reference") else ""
    findings.add(
        "I-SHEET",
        f'The "{sheet.title}" sheet has the fields of a Decision sheet{reference} but was not '
        'read: only the sheet named "Decision" is. A workbook is one decision: keep each '
        "decision in a workbook of its own (or delete the sheet if it is an old draft).",
        sheet=sheet.title,
    )


# Excel names a copied sheet "Services (2)"; people also keep "Copy of Services".
_COPY = re.compile(r"(?P<name>.+?) ?\(\d+\)|copy of (?P<copied>.+)")


def _note_copies(read: ReadSheets, spec: TableSheet, chosen: Sheet, findings: Findings) -> None:
    """An I-SHEET note for each copy of a sheet that was read: its figures count for nothing,
    so whoever updated the copy instead of the sheet is told which one was read."""
    for sheet in read.sheets:
        copy = _COPY.fullmatch(normalise(sheet.title))
        name = copy and (copy["name"] or copy["copied"])
        if sheet is chosen or not name or not spec.matches(name):
            continue
        findings.add(
            "I-SHEET",
            f'The "{sheet.title}" sheet looks like a copy of the "{chosen.title}" sheet and was '
            f'not read; the "{chosen.title}" sheet was. Delete the copy, or, if it holds the '
            f'plan, delete the old sheet and rename the copy "{spec.name}".',
            sheet=sheet.title,
        )
