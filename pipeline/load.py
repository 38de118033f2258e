"""Stage 1: a workbook file -> a :class:`~pipeline.model.Plan` and the findings met on the way.

Nothing here raises for bad input. The file is sniffed by its first bytes before any parser
sees it (empty, lock file, old .xls, encrypted, CSV, zip bomb, XML entity bomb), then read with
python-calamine into rows that keep their cell addresses; each value is parsed by
:mod:`pipeline.values`.
"""

from __future__ import annotations

import functools
import html
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pipeline import contract
from pipeline.contract import TableSheet
from pipeline.findings import Finding
from pipeline.model import (
    Decision,
    Fund,
    FundingSource,
    Located,
    Plan,
    Recipient,
    ServiceLine,
    TotalRow,
)
from pipeline.values import (
    ValueProblem,
    clean_text,
    is_blank,
    normalise,
    parse_choice,
    parse_date,
    parse_end_date,
    parse_money,
    parse_yes_no,
)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member, beyond any real worksheet
MAX_COLUMNS = 64
HEADER_SEARCH_ROWS = 25

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c[\s>]")
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>|\st=\"str\"")
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>(#[^<]{1,20})</(?:\w+:)?v>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SCAN_CHUNK = 8 * 1024 * 1024
_SCAN_TAIL = 64 * 1024  # longer than any cell: Excel caps a formula at 8,192 characters

Row = tuple[Any, ...]


@dataclass
class LoadResult:
    """The plan (None when the workbook could not be read far enough) and its findings."""

    plan: Plan | None
    findings: list[Finding] = field(default_factory=list)
    reference: str = ""  # the decision reference, when readable even if the plan is not


@functools.lru_cache(maxsize=256)
def column_letter(index: int) -> str:
    """1 -> A, 28 -> AB."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sniff(path: Path) -> str | None:
    """Why ``path`` is not a workbook we can open, in words a finance officer can act on."""
    if path.name.startswith("~$"):
        return (
            "is an Excel owner file (~$), left while someone has the workbook open; "
            "it is not a workbook - close the workbook in Excel and ignore this file"
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
            if head == _OLE_MAGIC:
                body = head + handle.read(min(size, 4 * 1024 * 1024))
    except PermissionError:
        return "cannot be opened: it is locked by another program; close it in Excel and run again"
    except OSError as error:
        return f"cannot be opened ({error.strerror}); check the file is on the shared folder"
    if size == 0:
        return "is an empty file (0 bytes), perhaps an interrupted copy; copy the workbook again"
    if size > MAX_FILE_BYTES:
        return (
            f"is {size // (1024 * 1024)} MB, over the {MAX_FILE_BYTES // (1024 * 1024)} MB "
            "limit for a plan workbook; remove pictures or unused sheets and save it again"
        )
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in body:
            return (
                "is password-protected (encrypted); open it in Excel, remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password) and save it"
            )
        return (
            "is an old Excel 97-2003 (.xls) workbook; open it in Excel and use "
            "File > Save As > Excel Workbook (.xlsx)"
        )
    if head[:4] != _ZIP_MAGIC:
        return (
            "is not an Excel workbook (it looks like text or CSV); open it in Excel and use "
            "File > Save As > Excel Workbook (.xlsx)"
        )
    return _check_zip(path)


def _check_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            total = 0
            for member in members:
                total += member.file_size
                ratio = member.file_size / max(member.compress_size, 1)
                if total > MAX_UNZIPPED_BYTES or (
                    member.file_size > 10_000_000 and ratio > MAX_RATIO
                ):
                    return (
                        "unpacks to far more data than any plan workbook (a 'zip bomb'); "
                        "it was not opened. Save the plan again from Excel"
                    )
            if "xl/workbook.xml" not in names:
                if "xl/workbook.bin" in names:
                    return (
                        "is an Excel binary workbook (.xlsb); open it in Excel and use "
                        "File > Save As > Excel Workbook (.xlsx)"
                    )
                return "is a zip file but not an Excel workbook; save the plan from Excel as .xlsx"
            # Excel never writes a DTD; one is how an entity-expansion ("billion laughs") file
            # starts. defusedxml (used by openpyxl) would refuse it too, less clearly.
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as part:
                        if _DTD.search(part.read(4096)):
                            return (
                                f"contains an XML document type declaration ({member.filename}), "
                                "which Excel never writes and which can expand to gigabytes "
                                "('billion laughs'); it was not opened. Save the plan again "
                                "from Excel"
                            )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        return (
            "is damaged (an incomplete or corrupt .xlsx); copy it again from the original, "
            "or open it in Excel and save it"
        )
    return None


def _worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet title, from xl/workbook.xml and its relationships."""
    from defusedxml.ElementTree import fromstring

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    targets: dict[str, str] = {}
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter():
        if local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            target = str(rel.get("Target"))
            targets[str(rel.get("Id"))] = (
                target.lstrip("/") if target.startswith("/") else "xl/" + target
            )
    parts: dict[str, str] = {}
    for sheet in fromstring(archive.read("xl/workbook.xml")).iter():
        if local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if local(k) == "id"), "")
        if rid in targets:
            parts[targets[rid]] = str(sheet.get("name", ""))
    return parts


def _scan_formulas(stream: Any) -> Iterator[tuple[int, int, str]]:
    """``(row, col, problem)`` for each formula cell of a worksheet part that has no usable result.

    A plain scan of the raw XML for ``<f>``, in chunks: formulas are few (Total rows), so this
    finds them far faster than a second parse of every cell, in bounded memory. A problem is a
    formula saved with no result (written by a program, never opened in Excel) or one whose
    saved result is an Excel error such as ``#REF!``.
    """
    carry, start = b"", 0  # carry: the unscanned tail, and 512 bytes before it for context
    while True:
        block = stream.read(_SCAN_CHUNK)
        data = carry + block
        stop = len(data) if not block else max(start, len(data) - _SCAN_TAIL)
        for tag in _FORMULA_TAG.finditer(data, start):
            if tag.start() >= stop:
                break  # scanned with the next chunk, where its whole cell is in view
            opens = list(_CELL_OPEN.finditer(data, max(0, tag.start() - 512), tag.start()))
            close = _CELL_CLOSE.search(data, tag.start())
            if not opens or close is None:
                continue
            cell = data[opens[-1].start() : close.end()]
            head = cell[: cell.find(b">") + 1]
            ref = _CELL_REF.search(head)
            if ref is None:
                continue  # a cell without its address (rare): read as a plain value
            col = 0
            for letter in ref.group(1).decode():
                col = col * 26 + ord(letter) - 64
            text = _FORMULA_TEXT.search(cell)
            # html.unescape knows XML's five entities and character references, and unlike
            # xml.sax.saxutils it does not import urllib and email at start-up.
            raw = (text.group(1) or b"") if text else b""
            formula = html.unescape(raw.decode("utf-8", "replace"))
            shown = f"the formula ={formula}" if formula else "a formula"
            error = _ERROR_VALUE.search(cell) if b' t="e"' in head else None
            if error is not None:
                yield (
                    int(ref.group(2)),
                    col,
                    (
                        f"shows the Excel error {error.group(1).decode('utf-8', 'replace')} from "
                        f"{shown}; correct the formula in Excel and save the workbook"
                    ),
                )
            elif not _CACHED_VALUE.search(cell):
                yield (
                    int(ref.group(2)),
                    col,
                    (
                        f"holds {shown} with no saved result (the file was written by a program, "
                        "not Excel); open the workbook in Excel, let it calculate, and save it"
                    ),
                )
        if not block:
            return
        keep = max(0, stop - 512)
        carry, start = data[keep:], stop - keep


def _formula_problems(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet title, the formula cells with no usable result: ``{(row, col): problem}``."""
    found: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(path) as archive:
        for part, title in _worksheet_parts(archive).items():
            try:
                stream = archive.open(part)
            except KeyError:
                continue  # the reader reports the missing part
            with stream:
                problems = {(r, c): problem for r, c, problem in _scan_formulas(stream)}
            if problems:
                found[title] = problems
    return found


class _Sheet:
    """A sheet's values as rows, 1-based, with its uncached formula cells."""

    def __init__(self, title: str, rows: list[Row], problems: dict[tuple[int, int], str]):
        self.title = title
        self.rows = rows
        # (row, col) -> why the formula there has no usable value (no saved result, or #REF!)
        self.uncached = problems

    def value(self, row: int, col: int) -> Any:
        values = self.rows[row - 1]
        return values[col - 1] if col - 1 < len(values) else None


class _Reader:
    """Turns one workbook into a Plan, collecting findings as it goes."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.file = label
        self.findings: list[Finding] = []
        self.reference = ""

    # -- findings -------------------------------------------------------------------------
    def add(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.findings.append(Finding(code, self.file, message, sheet, cell))

    # -- reading --------------------------------------------------------------------------
    def read(self) -> Plan | None:
        problem = sniff(self.path)
        if problem:
            self.add("E-READ", f"{self.path.name} {problem}.")
            return None
        try:
            sheets, hidden = self._read_sheets()
        except Exception as error:  # the reader raises many types for malformed parts
            self.add(
                "E-READ",
                f"{self.path.name} could not be read as a workbook ({type(error).__name__}: "
                f"{clean_text(error)[:200]}); open it in Excel, check it, and save it as .xlsx.",
            )
            return None
        for title in hidden:
            self.add(
                "I-HIDDEN",
                f'Hidden sheet "{title}" was ignored; unhide it in Excel if it '
                "belongs to the plan.",
                sheet=title,
            )

        found = ", ".join(f'"{s.title}"' for s in sheets) or "none"
        located: dict[str, _Sheet] = {}
        for spec in (contract.DECISION, *contract.TABLE_SHEETS, contract.DOCUMENT_CONTROL):
            sheet = next((s for s in sheets if spec.matches(s.title)), None)
            if sheet is None:
                hidden_match = next((t for t in hidden if spec.matches(t)), None)
                if spec.required and hidden_match:
                    self.add(
                        "E-SHEET",
                        f'The "{hidden_match}" sheet is hidden, so it was not '
                        "read; unhide it in Excel (right-click a sheet tab > Unhide).",
                        sheet=hidden_match,
                    )
                elif spec.required:
                    self.add(
                        "E-SHEET",
                        f'No "{spec.name}" sheet. Sheets found: {found}. Add a sheet named '
                        f'"{spec.name}" (pcc-report new-workbook makes a blank one to copy from).',
                    )
                continue
            located[spec.name] = sheet

        decision = self._decision(located["Decision"]) if "Decision" in located else None
        funds = self._funds(located.get("Funds"))
        sources = self._sources(located.get("Funding sources"), funds)
        lines, totals = self._services(located.get("Services"), funds)
        control = self._document_control(located.get("Document control"))
        circulation = self._circulation(sheets)
        required = ("Decision", "Funds", "Funding sources", "Services")
        if not all(name in located for name in required):
            return None
        if decision is None or funds is None or sources is None or lines is None:
            return None
        return Plan(
            self.file,
            decision,
            tuple(funds),
            tuple(sources),
            tuple(lines),
            tuple(totals),
            control,
            circulation,
        )

    def _read_sheets(self) -> tuple[list[_Sheet], list[str]]:
        """Every visible sheet's values (python-calamine: fast, and reads cached formula
        results), plus the formula cells whose result is missing or an Excel error."""
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        problems = _formula_problems(self.path)
        book = CalamineWorkbook.from_path(str(self.path))
        try:
            sheets: list[_Sheet] = []
            hidden: list[str] = []
            for meta in book.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue  # chart and dialog sheets hold no table
                if meta.visible != SheetVisibleEnum.Visible:
                    hidden.append(meta.name)
                    continue
                rows: list[Row] = [
                    tuple(values[:MAX_COLUMNS])
                    for values in book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                ]
                found = {
                    (r, c): problem
                    for (r, c), problem in problems.get(meta.name, {}).items()
                    if r <= len(rows) and is_blank(_at(rows, r, c))
                }
                sheets.append(_Sheet(meta.name, rows, found))
        finally:
            book.close()
        return sheets, hidden

    # -- parsing helpers ------------------------------------------------------------------
    def _cell_value(self, sheet: _Sheet, row: int, col: int) -> Any:
        """The value, or raise ValueProblem for a formula Excel never calculated."""
        problem = sheet.uncached.get((row, col))
        if problem is not None:
            raise ValueProblem(problem)
        return sheet.value(row, col)

    def _header(self, sheet: _Sheet, spec: TableSheet) -> tuple[int, dict[str, int]] | None:
        """Find the header row (title rows above are allowed) and map column keys to indexes."""
        best: tuple[int, int, dict[str, int]] | None = None
        for r in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
            mapping = _map_columns(sheet.rows[r - 1], spec)
            score = sum(1 for c in spec.required_columns if c.key in mapping)
            if score and (best is None or score > best[0]):
                best = (score, r, mapping)
        if best is not None and best[0] == len(spec.required_columns):
            return best[1], best[2]
        if best is None or best[0] < 2:
            self.add(
                "E-COLUMN",
                f'No header row found on "{sheet.title}". Expected columns: '
                + ", ".join(f'"{c.header}"' for c in spec.required_columns)
                + ". Put them in one row above the data (a title row or two above is fine).",
                sheet=sheet.title,
            )
            return None
        score, r, mapping = best
        seen = [clean_text(v) for v in sheet.rows[r - 1] if not is_blank(v)]
        for col in spec.required_columns:
            if col.key not in mapping:
                also = f" (or {', '.join(repr(a) for a in col.aliases)})" if col.aliases else ""
                self.add(
                    "E-COLUMN",
                    f'Column "{col.header}"{also} is missing. Headers found in row {r}: '
                    + ", ".join(f'"{h}"' for h in seen)
                    + f'. Add a "{col.header}" column or rename the matching one.',
                    sheet=sheet.title,
                    cell=f"{r}:{r}",
                )
        return None

    def _rows(
        self,
        sheet: _Sheet,
        spec: TableSheet,
        layout: tuple[int, dict[str, int]] | None = None,
    ) -> Iterator[tuple[int, dict[str, int]]] | None:
        found = layout or self._header(sheet, spec)
        if found is None:
            return None
        header_row, mapping = found
        key_cols = [mapping[c.key] for c in spec.required_columns]

        columns = sorted(set(mapping.values()))
        first_key = spec.required_columns[0].key
        first_col = mapping[first_key] - 1

        def generate() -> Iterator[tuple[int, dict[str, int]]]:
            for r in range(header_row + 1, len(sheet.rows) + 1):
                values = sheet.rows[r - 1]
                # Blank in every contract column: extra columns (notes) do not make a line.
                if all(is_blank(values[c - 1]) for c in columns if c <= len(values)) and not any(
                    (r, c) in sheet.uncached for c in columns
                ):
                    continue
                # A header repeated further down (tables copied across page breaks); only a
                # row whose first key cell reads like its header is looked at closely.
                lead = values[first_col] if first_col < len(values) else None
                if (
                    isinstance(lead, str)
                    and spec.column(lead) is not None
                    and len(_map_columns(values, spec)) >= len(key_cols)
                ):
                    continue
                yield r, mapping

        return generate()

    def _parse(self, sheet: _Sheet, row: int, col: int, key: str, parser: Any, *args: Any) -> Any:
        ref = f"{column_letter(col)}{row}"
        try:
            return parser(self._cell_value(sheet, row, col), *args)
        except ValueProblem as problem:
            self.add("E-VALUE", f"{_label(key)} {problem}.", sheet.title, ref)
            return _FAILED

    def _text(
        self,
        sheet: _Sheet,
        row: int,
        mapping: dict[str, int],
        key: str,
        required: bool,
        cells: dict[str, str],
    ) -> str | object:
        col = mapping.get(key)
        if col is None:
            return ""
        ref = f"{column_letter(col)}{row}"
        cells[key] = ref
        try:
            text = clean_text(self._cell_value(sheet, row, col))
        except ValueProblem as problem:
            self.add("E-VALUE", f"{_label(key)} {problem}.", sheet.title, ref)
            return _FAILED
        if required and not text:
            self.add("E-REQUIRED", f"{_label(key)} is blank; fill it in.", sheet.title, ref)
            return _FAILED
        return text

    # -- sheets ---------------------------------------------------------------------------
    def _headerless_decision(self, sheet: _Sheet) -> tuple[int, dict[str, int]] | None:
        """A Decision sheet typed without its Field/Value header row: the field names stand
        in a column with their values on the right. Read it as if the header were there."""
        for r in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
            if len(_map_columns(sheet.rows[r - 1], contract.DECISION)) == 2:
                return None  # there is a header: read normally
        names = {normalise(f.name) for f in contract.DECISION_FIELDS}
        for r in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
            for c, value in enumerate(sheet.rows[r - 1], start=1):
                if normalise(value) in names:
                    return r - 1, {"field": c, "value": c + 1}
        return None

    def _decision(self, sheet: _Sheet) -> Decision | None:
        rows = self._rows(sheet, contract.DECISION, self._headerless_decision(sheet))
        if rows is None:
            return None
        by_name = {normalise(f.name): f for f in contract.DECISION_FIELDS}
        raw: dict[str, tuple[Any, str, int]] = {}  # key -> (value, cell, row)
        recommendations: list[tuple[int, int, str]] = []  # (number typed, row, text)
        extra: dict[str, str] = {}
        first_row = 0
        for r, mapping in rows:
            first_row = first_row or r
            # "Reference:" or "Recommendation 2." is the field; a recommendation unrecognised
            # would fall among the extra fields and silently out of the report.
            name = normalise(sheet.value(r, mapping["field"])).rstrip(":.").rstrip()
            vcol = mapping["value"]
            ref = f"{column_letter(vcol)}{r}"
            if not name:
                continue
            number = contract.RECOMMENDATION.fullmatch(name)
            if number:
                text = self._text(sheet, r, mapping, "value", False, {})
                if isinstance(text, str) and text:
                    typed = int(number.group(1)) if number.group(1) else len(recommendations) + 1
                    recommendations.append((typed, r, text))
                continue
            spec = by_name.get(name)
            if spec is None:
                label = clean_text(sheet.value(r, mapping["field"]))
                extra[label] = clean_text(sheet.value(r, vcol))
                continue
            try:
                raw[spec.key] = (self._cell_value(sheet, r, vcol), ref, r)
            except ValueProblem as problem:
                self.add("E-VALUE", f"{spec.name} {problem}.", sheet.title, ref)
                raw[spec.key] = (_FAILED, ref, r)

        reference = raw.get("reference", (None, "", 0))[0]
        if isinstance(reference, str):
            self.reference = clean_text(reference)
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        ok = True
        for spec in contract.DECISION_FIELDS:
            value, ref, _ = raw.get(spec.key, (None, "", 0))
            if value is _FAILED:
                ok = False
                continue
            cells[spec.key] = ref
            if is_blank(value):
                if spec.required:
                    where = (
                        f'row for "{spec.name}" has no value'
                        if ref
                        else f'has no "{spec.name}" row; add one'
                    )
                    example = f", e.g. {spec.example}" if spec.example else ""
                    self.add(
                        "E-REQUIRED", f"The Decision sheet's {where}{example}.", sheet.title, ref
                    )
                    ok = False
                values[spec.key] = None if spec.kind != "text" else ""
                continue
            try:
                if spec.kind == "date":
                    values[spec.key] = parse_date(value)[0]
                elif spec.kind == "yes_no":
                    values[spec.key] = parse_yes_no(value)
                else:
                    values[spec.key] = clean_text(value)
            except ValueProblem as problem:
                self.add("E-VALUE", f"{spec.name} {problem}.", sheet.title, ref)
                ok = False
        if not recommendations:
            self.add(
                "E-REQUIRED",
                'The Decision sheet has no "Recommendation 1" row; add the '
                "recommendations as Recommendation 1, Recommendation 2, …",
                sheet.title,
            )
            ok = False
        year = values.get("financial_year")
        bounds = contract.financial_year_bounds(year) if isinstance(year, str) and year else None
        if year and bounds is None:
            self.add(
                "E-VALUE",
                f'Financial year reads "{year}"; type it as 2021/22.',
                sheet.title,
                cells.get("financial_year", ""),
            )
            ok = False
        if not ok or bounds is None:
            return None
        return Decision(
            # In the order of their numbers; rows carrying the same number keep sheet order.
            recommendations=tuple(text for _, _, text in sorted(recommendations)),
            year_start=date(bounds[0], 4, 1),
            year_end=date(bounds[1], 3, 31),
            at=Located(sheet.title, first_row, cells),
            extra=extra,
            **values,
        )

    def _funds(self, sheet: _Sheet | None) -> list[Fund] | None:
        if sheet is None:
            return None
        rows = self._rows(sheet, contract.FUNDS)
        if rows is None:
            return None
        funds: list[Fund] = []
        seen: dict[str, str] = {}
        ok = True
        for r, mapping in rows:
            cells: dict[str, str] = {}
            name = self._text(sheet, r, mapping, "fund", True, cells)
            if isinstance(name, str) and contract.is_total_label(name):
                continue
            cells["allocation"] = f"{column_letter(mapping['allocation'])}{r}"
            allocation = self._parse(sheet, r, mapping["allocation"], "allocation", parse_money)
            legal = self._text(sheet, r, mapping, "legal_basis", False, cells)
            description = self._text(sheet, r, mapping, "description", False, cells)
            if not isinstance(name, str) or _FAILED in (allocation, legal, description):
                ok = False
                continue
            if normalise(name) in seen:
                self.add(
                    "E-VALUE",
                    f'Fund "{name}" is listed twice (also at '
                    f"{seen[normalise(name)]}); keep one row per fund.",
                    sheet.title,
                    cells["fund"],
                )
                ok = False
                continue
            seen[normalise(name)] = cells["fund"]
            funds.append(
                Fund(name, allocation, str(legal), str(description), Located(sheet.title, r, cells))
            )
        if ok and not funds:
            self.add(
                "E-REQUIRED",
                "The Funds sheet lists no funds; add one row per fund with its allocation.",
                sheet.title,
            )
            return None
        return funds if ok else None

    def _canonical_fund(self, typed: str, funds: list[Fund] | None) -> str:
        if funds:
            for fund in funds:
                if fund.key == normalise(typed):
                    return fund.name
        return typed

    def _sources(
        self, sheet: _Sheet | None, funds: list[Fund] | None
    ) -> list[FundingSource] | None:
        if sheet is None:
            return None
        rows = self._rows(sheet, contract.SOURCES)
        if rows is None:
            return None
        sources: list[FundingSource] = []
        ok = True
        for r, mapping in rows:
            cells: dict[str, str] = {}
            fund = self._text(sheet, r, mapping, "fund", True, cells)
            if isinstance(fund, str) and contract.is_total_label(fund):
                continue
            source = self._text(sheet, r, mapping, "source", True, cells)
            cells["amount"] = f"{column_letter(mapping['amount'])}{r}"
            amount = self._parse(sheet, r, mapping["amount"], "amount", parse_money)
            cells["ring_fenced"] = f"{column_letter(mapping['ring_fenced'])}{r}"
            ring = self._parse(sheet, r, mapping["ring_fenced"], "ring_fenced", parse_yes_no)
            grant_ref = self._text(sheet, r, mapping, "grant_reference", False, cells)
            if _FAILED in (fund, source, amount, ring, grant_ref):
                ok = False
                continue
            sources.append(
                FundingSource(
                    self._canonical_fund(str(fund), funds),
                    str(source),
                    amount,
                    ring,
                    str(grant_ref),
                    Located(sheet.title, r, cells),
                )
            )
        return sources if ok else None

    def _services(
        self, sheet: _Sheet | None, funds: list[Fund] | None
    ) -> tuple[list[ServiceLine] | None, list[TotalRow]]:
        if sheet is None:
            return None, []
        rows = self._rows(sheet, contract.SERVICES)
        if rows is None:
            return None, []
        lines: list[ServiceLine] = []
        totals: list[TotalRow] = []
        # The first line not yet closed by a Total (or Grand total), and by any total row: a
        # Sub-total closes the lines since the last total row of any kind, a Grand total every
        # line, and a Total those since the last Total (its Sub-totals' lines included) — or,
        # where its figure is exactly theirs, only those since the last Sub-total (a fund
        # shown in Sub-totals, then the next fund closed by a Total).
        since_total = since_sub = 0
        ok = True
        for r, mapping in rows:
            label = _total_label(sheet, r, mapping)
            if label is not None:
                budget_ref = f"{column_letter(mapping['budget'])}{r}"
                amount = self._parse(sheet, r, mapping["budget"], "total", parse_money)
                if amount is _FAILED:
                    ok = False
                    continue
                kind = _total_kind(label)
                first = {"grand": 0, "sub": since_sub, "total": since_total}[kind]
                if (
                    kind == "total"
                    and since_sub > since_total
                    and _sum(lines[since_sub:]) == amount
                ):
                    first = since_sub
                totals.append(
                    TotalRow(
                        label,
                        amount,
                        tuple(range(first, len(lines))),
                        Located(sheet.title, r, {"amount": budget_ref}),
                    )
                )
                since_sub = len(lines)
                if kind != "sub":
                    since_total = len(lines)
                continue
            line = self._service_line(sheet, r, mapping, funds)
            if line is None:
                ok = False
            else:
                lines.append(line)
        if ok and not lines:
            self.add(
                "E-REQUIRED",
                "The Services sheet has no budget lines; add one row per commissioned service.",
                sheet.title,
            )
            return None, totals
        return (lines if ok else None), totals

    def _service_line(
        self, sheet: _Sheet, r: int, mapping: dict[str, int], funds: list[Fund] | None
    ) -> ServiceLine | None:
        cells: dict[str, str] = {}
        text: dict[str, Any] = {}
        for key, required in (
            ("fund", True),
            ("service", True),
            ("organisation", True),
            ("provision", False),
            ("extension_options", False),
            ("how_commissioned", False),
            ("purpose", False),
            ("cost_code", False),
            ("recipient_org_id", False),
        ):
            text[key] = self._text(sheet, r, mapping, key, required, cells)
        parsed: dict[str, Any] = {}
        for key, parser, args in (
            ("organisation_type", parse_choice, (contract.ORGANISATION_TYPES, "organisation type")),
            ("mechanism", parse_choice, (contract.MECHANISMS, "mechanism")),
            ("budget", parse_money, ()),
            ("start", parse_date, ()),
        ):
            cells[key] = f"{column_letter(mapping[key])}{r}"
            parsed[key] = self._parse(sheet, r, mapping[key], key, parser, *args)
        cells["end"] = f"{column_letter(mapping['end'])}{r}"
        end = self._parse(sheet, r, mapping["end"], "end", parse_end_date)
        if _FAILED in text.values() or _FAILED in parsed.values() or end is _FAILED:
            return None
        start_date, start_month = parsed["start"]
        end_date, end_month, options_in_end = end
        if options_in_end and not text["extension_options"]:
            text["extension_options"] = options_in_end
        return ServiceLine(
            fund=self._canonical_fund(text["fund"], funds),
            service=text["service"],
            organisation=text["organisation"],
            organisation_type=parsed["organisation_type"],
            provision=text["provision"],
            start=start_date,
            end=end_date,
            start_month_only=start_month,
            end_month_only=end_month,
            extension_options=text["extension_options"],
            mechanism=parsed["mechanism"],
            how_commissioned=text["how_commissioned"],
            purpose=text["purpose"],
            budget=parsed["budget"],
            at=Located(sheet.title, r, cells),
            cost_code=text["cost_code"],
            recipient_org_id=text["recipient_org_id"],
        )

    def _circulation(self, sheets: Sequence[_Sheet]) -> tuple[Recipient, ...]:
        """The optional Circulation sheet (Role | Name | E-mail): who the report is sent to.

        Each address is checked for form only (no DNS look-up); a bad one is an E-EMAIL at its
        cell. No sheet, or an empty one, is no circulation: the build then prepares no e-mail.
        """
        spec = contract.CIRCULATION
        sheet = next((s for s in sheets if spec.matches(s.title)), None)
        if sheet is None or all(is_blank(v) for row in sheet.rows for v in row):
            return ()
        rows = self._rows(sheet, spec)
        if rows is None:
            return ()
        from email_validator import EmailNotValidError, validate_email

        recipients: list[Recipient] = []
        for r, mapping in rows:
            cells: dict[str, str] = {}
            role = self._text(sheet, r, mapping, "role", False, cells)
            name = self._text(sheet, r, mapping, "name", False, cells)
            address = self._text(sheet, r, mapping, "email", True, cells)
            if (
                not isinstance(role, str)
                or not isinstance(name, str)
                or not isinstance(address, str)
            ):
                continue
            try:
                valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
            except EmailNotValidError as error:
                who = name or role or f"row {r}"
                self.add(
                    "E-EMAIL",
                    f'The e-mail address of {who} reads "{address}", which is '
                    f"not a valid address ({error}). Correct it (e.g. "
                    "jane.smith@example.police.uk) or delete the row.",
                    sheet.title,
                    cells["email"],
                )
                continue
            recipients.append(
                Recipient(role, name, valid.normalized, Located(sheet.title, r, cells))
            )
        return tuple(recipients)

    def _document_control(self, sheet: _Sheet | None) -> tuple[tuple[str, str], ...]:
        if sheet is None:
            return ()
        pairs: list[tuple[str, str]] = []
        for values in sheet.rows:
            cells = [clean_text(v) for v in values if not is_blank(v)]
            if len(cells) >= 2 and normalise(cells[0]) not in {"field"}:
                pairs.append((cells[0], " · ".join(cells[1:])))
        return tuple(pairs)


_FAILED: Final = object()  # a cell that produced a finding; its record is dropped

_LABELS = {
    "allocation": "Allocation",
    "amount": "Amount",
    "ring_fenced": "Ring-fenced",
    "organisation_type": "Organisation type",
    "mechanism": "Mechanism",
    "budget": "Budget",
    "total": "Total",
    "start": "Start date",
    "end": "End date",
    "fund": "Fund",
    "service": "Service",
    "organisation": "Delivery organisation",
    "value": "Value",
    "email": "E-mail",
}


_TOTAL_WORD = re.compile(r"\b(sub[\s-]?)?totals?\b", re.IGNORECASE)


def _total_label(sheet: _Sheet, r: int, mapping: dict[str, int]) -> str | None:
    """The label of a typed Total row, or None for a budget line.

    ``Total``, ``TOTAL:``, ``Sub-total``, ``Grand total`` in the Fund or Service column; or a
    label such as ``Victims Fund total`` when the row has no organisation, dates or mechanism
    (a service really called "Total Safety" still has those).
    """
    for key in ("fund", "service"):
        text = clean_text(sheet.value(r, mapping[key]))
        if contract.is_total_label(text):
            return text
        if _TOTAL_WORD.search(text) and all(
            is_blank(sheet.value(r, mapping[k]))
            for k in ("organisation", "start", "end", "mechanism")
        ):
            return text
    return None


def _sum(lines: Sequence[ServiceLine]) -> Decimal:
    return sum((line.budget for line in lines), Decimal(0))


def _total_kind(label: str) -> str:
    """grand, sub or total."""
    words = normalise(label)
    if "grand" in words:
        return "grand"
    return "sub" if re.search(r"sub[\s-]?total", words) else "total"


def _label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " ").capitalize())


def _at(rows: Sequence[Row], r: int, c: int) -> Any:
    row = rows[r - 1]
    return row[c - 1] if c - 1 < len(row) else None


def _map_columns(values: Row, spec: TableSheet) -> dict[str, int]:
    """Column key -> 1-based index for the headers of ``spec`` found in a row (first wins)."""
    mapping: dict[str, int] = {}
    for index, value in enumerate(values, start=1):
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            continue
        column = spec.column(value)
        if column is not None and column.key not in mapping:
            mapping[column.key] = index
    return mapping


def load(path: Path | str, label: str | None = None) -> LoadResult:
    """Read ``path`` into a Plan. ``label`` is how findings name the file (default: the path)."""
    path = Path(path)
    reader = _Reader(path, label or str(path))
    plan = reader.read()
    return LoadResult(plan, reader.findings, reader.reference)
