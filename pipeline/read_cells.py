"""What every sheet reader shares: finding the header row, walking the table's rows, and reading
one cell into a typed value, where an unreadable cell becomes a located finding and ``None``.

The sheet readers (:mod:`pipeline.read_decision`, :mod:`pipeline.read_funds`,
:mod:`pipeline.read_services`, :mod:`pipeline.read_circulation`) are built on these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

from pipeline.contract import TableSheet
from pipeline.findings import Finding
from pipeline.sheets import Cell, Merge, Row, Sheet, column_index, column_letter
from pipeline.values import (
    ValueProblem,
    clean_paragraphs,
    clean_text,
    excel_error,
    format_money,
    is_blank,
)

HEADER_SEARCH_ROWS = 25

T = TypeVar("T")

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


def label(key: str) -> str:
    """The column's name as a finance officer reads it: ``ring_fenced`` -> ``Ring-fenced``."""
    return _LABELS.get(key, key.replace("_", " ").capitalize())


@dataclass
class Findings:
    """The findings met while reading one workbook, all naming its file."""

    file: str
    found: list[Finding] = field(default_factory=list)

    def add(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        """Record a finding (``cell`` an A1 reference or a row, ``sheet`` its title)."""
        self.found.append(Finding(code, self.file, message, sheet, cell))


@dataclass
class Read(Generic[T]):
    """The records a sheet reader could read, and whether it read every row it should have.

    Incomplete: some row gave an error (its record is left out) — the plan is not built, but
    the records that were read still go through the rules, so that a workbook's first check
    lists everything that can be known (issue 15).
    """

    items: list[T] = field(default_factory=list)
    complete: bool = True
    # A typed Total row disagrees with the rows above it (or its figure could not be read),
    # every row being read: the plan is not built, but the checks of those rows still run.
    total_wrong: bool = False

    @property
    def whole(self) -> bool:
        """Every row read and every typed Total agreeing with them: the plan can be built."""
        return self.complete and not self.total_wrong


@dataclass(frozen=True)
class Layout:
    """Where a table's header is and which column holds each of the contract's keys."""

    header_row: int
    columns: dict[str, int]  # key -> 1-based column index

    def ref(self, key: str, row: int) -> str:
        """The A1 reference of ``key``'s cell on ``row``."""
        return f"{column_letter(self.columns[key])}{row}"


def map_columns(values: Row, spec: TableSheet) -> dict[str, int]:
    """Column key -> 1-based index for the headers of ``spec`` found in a row (first wins)."""
    mapping: dict[str, int] = {}
    for index, value in enumerate(values, start=1):
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            continue
        column = spec.column(value)
        if column is not None and column.key not in mapping:
            mapping[column.key] = index
    return mapping


def headers_named(values: Row, spec: TableSheet, key: str) -> list[tuple[int, str]]:
    """Each header in a row that names column ``key`` of ``spec``, with its 1-based index (a
    sheet may keep last year's column, or the next years', beside this year's)."""
    return [
        (index, clean_text(value))
        for index, value in enumerate(values, start=1)
        if isinstance(value, str)
        and (column := spec.column(value)) is not None
        and column.key == key
    ]


def below_the_table(sheet: Sheet, row: int, columns: Sequence[int]) -> bool:
    """Whether no row below ``row`` holds a value in ``columns`` (a record's figures): a note
    typed on ``row`` is under its table already, and is not told to move there."""
    return not any(
        number > row and any(not is_blank(sheet.value(number, col)) for col in columns)
        for number in sheet.rows
    )


def empty_formula(sheet: Sheet, row: int, col: int) -> str:
    """Why a cell that needs a value reads blank when it is a formula whose result is empty
    text (``=IF(K9="","",K9)``), and the fix; "" for any other cell."""
    shown = sheet.empty_text.get((row, col))
    if shown is None:
        return ""
    return (
        f'is {shown}, whose result here is empty text (""), so the cell reads as blank: '
        "correct the formula (or the cells it reads) so that it gives the value, or type the "
        "value in its place"
    )


def empty_formula_at(sheet: Sheet, ref: str) -> str:
    """:func:`empty_formula` for the cell ``ref`` ("B5"); "" for none."""
    at = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", ref)
    return empty_formula(sheet, int(at[2]), column_index(at[1])) if at else ""


class CellReader:
    """Reads the cells of one sheet; an unreadable cell is a finding and ``None``."""

    def __init__(self, sheet: Sheet, findings: Findings) -> None:
        self.sheet = sheet
        self.findings = findings

    def add(self, code: str, message: str, cell: str = "") -> None:
        """A finding on this sheet."""
        self.findings.add(code, message, self.sheet.title, cell)

    def value(self, row: int, col: int) -> Cell:
        """The value, or raise ValueProblem for a formula Excel never calculated."""
        problem = self.sheet.uncached.get((row, col))
        if problem is not None:
            raise ValueProblem(problem)
        value = self.sheet.value(row, col)
        error = excel_error(value)
        if error is not None:
            raise ValueProblem(
                f"holds the error {error}, typed or pasted as text; type the value the cell "
                "should hold (or leave it blank if it may be blank)"
            )
        return value

    def parse(self, row: int, col: int, key: str, parser: Callable[[Cell], T]) -> T | None:
        """The cell read by ``parser``; None (and an E-VALUE naming the cell) if it cannot be."""
        try:
            return parser(self.value(row, col))
        except ValueProblem as problem:
            said = empty_formula(self.sheet, row, col) or problem
            self.add("E-VALUE", f"{label(key)} {said}.", f"{column_letter(col)}{row}")
            return None

    def text(
        self,
        row: int,
        layout: Layout,
        key: str,
        required: bool,
        cells: dict[str, str],
        *,
        paragraphs: bool = False,
    ) -> str | None:
        """The cell's text ("" for an optional column the sheet lacks); None after a finding.

        The cell's reference is recorded in ``cells`` under ``key``. ``paragraphs`` keeps the
        line breaks of narrative text.
        """
        col = layout.columns.get(key)
        if col is None:
            return ""
        ref = f"{column_letter(col)}{row}"
        cells[key] = ref
        try:
            value = self.value(row, col)
        except ValueProblem as problem:
            self.add("E-VALUE", f"{label(key)} {problem}.", ref)
            return None
        text = clean_paragraphs(value) if paragraphs else clean_text(value)
        if required and not text:
            said = empty_formula(self.sheet, row, col) or "is blank; fill it in"
            self.add("E-REQUIRED", f"{label(key)} {said}.", ref)
            return None
        return text

    # -- the table --------------------------------------------------------------------------
    def header(self, spec: TableSheet) -> Layout | None:
        """Find the header row (title rows above are allowed) and map column keys to indexes."""
        best: tuple[int, int, dict[str, int]] | None = None
        for r, values in self.sheet.first_rows(HEADER_SEARCH_ROWS):
            mapping = map_columns(values, spec)
            score = sum(1 for c in spec.required_columns if c.key in mapping)
            if score and (best is None or score > best[0]):
                best = (score, r, mapping)
        if best is not None and best[0] == len(spec.required_columns):
            return Layout(best[1], best[2])
        if best is not None:
            two_rows = _two_row_header(self.sheet, spec, best[1])
            if two_rows is not None:
                return two_rows
        if best is None or (best[0] < 2 and not _headings(self.sheet.rows.get(best[1], ()))):
            self.add(
                "E-COLUMN",
                f'No header row found on "{self.sheet.title}". Expected columns: '
                + ", ".join(f'"{c.header}"' for c in spec.required_columns)
                + ". Put them in one row above the data (a title row or two above is fine)."
                + _thousands_hint(self.sheet),
            )
            return None
        _, r, mapping = best
        seen = [clean_text(v) for v in self.sheet.rows.get(r, ()) if not is_blank(v)]
        for col in spec.required_columns:
            if col.key not in mapping:
                more = ", …" if len(col.aliases) > 3 else ""  # the first few are enough
                also = f" (or {', '.join(repr(a) for a in col.aliases[:3])}{more})" * bool(
                    col.aliases
                )
                self.add(
                    "E-COLUMN",
                    f'Column "{col.header}"{also} is missing. Headers found in row {r}: '
                    + ", ".join(f'"{h}"' for h in seen)
                    + f'. Add a "{col.header}" column or rename the matching one.'
                    + _thousands_hint(self.sheet),
                    f"{r}:{r}",
                )
        return None

    def rows(self, spec: TableSheet, layout: Layout) -> Iterator[int]:
        """The numbers of the table's rows below its header that hold anything in its columns."""
        columns = sorted(set(layout.columns.values()))
        key_count = len(spec.required_columns)
        first_col = layout.columns[spec.required_columns[0].key] - 1
        uncached = self.sheet.uncached
        for r, values in self.sheet.rows.items():
            if r <= layout.header_row or (r == layout.header_row + 1 and _units_row(values)):
                continue
            # Blank in every contract column: extra columns (notes) do not make a line. Nor
            # does £0 alone: a formula filled down the money column (=SUM of the quarters)
            # shows it on each empty row below the table (it was an error per row).
            if all(
                is_blank(value) or _zero(value)
                for c in columns
                if c <= len(values) and (value := values[c - 1]) is not None
            ) and not any((r, c) in uncached for c in columns):
                continue
            # A header repeated further down (tables copied across page breaks); only a row
            # whose first key cell reads like its header is looked at closely.
            lead = values[first_col] if first_col < len(values) else None
            if (
                isinstance(lead, str)
                and spec.column(lead) is not None
                and len(map_columns(values, spec)) >= key_count
            ):
                continue
            yield r


def _zero(value: Cell) -> bool:
    """A number cell holding 0 (a formula's saved result on an empty row)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


# What a row under the headers says of their units, as templates print it: "£", "(£)",
# "GBP", "dd/mm/yyyy", "Yes/No". Never thousands ("£000"), which the plan does not read.
_UNIT = re.compile(
    r"\(?\s*(?:£s?|gbp|pounds|d{1,2}/m{1,2}/y{2,4}|mm/yyyy|yes\s*/\s*no|y/n)\s*\)?",
    re.IGNORECASE,
)


# What a template's guidance row under the headers says of a column: "Choose from list",
# "Select from drop-down", "Free text", "Optional", "e.g. Victim Support".
_GUIDANCE = re.compile(
    r"(?:please\s+)?(?:choose|select|pick)(?:\s+(?:one|an?\s+option))?(?:\s+from\s+(?:the\s+)?"
    r"(?:drop[\s-]?down|list|menu)(?:\s+(?:list|menu))?)?|drop[\s-]?down(?:\s+list)?|free\s+text"
    r"|(?:(?:optional|required|mandatory|for\s+example)\b|e\.\s?g\.).*",
    re.IGNORECASE | re.DOTALL,
)


def _units_row(values: Row) -> bool:
    """A row under the header holding only units, formats and a template's guidance: not a
    line (each of its cells was an error: "Fund is blank", 'Budget reads "£"', Mechanism
    reads "Choose from list")."""
    cells = [v for v in values if not is_blank(v)]
    return bool(cells) and all(
        isinstance(v, str) and (_UNIT.fullmatch(v.strip()) or _GUIDANCE.fullmatch(v.strip()))
        for v in cells
    )


# A money header in thousands of pounds: "(£000)", "£'000", "£k", "£ thousands".
_THOUSANDS = re.compile(
    r"£\s*'?000|£\s*k\b|\(k\)|'000|£\s*thousands?|\(thousands?\)", re.IGNORECASE
)


# ... or in millions: "(£m)", "£mn", "£ millions".
_MILLIONS = re.compile(r"£\s*mn?\b|£\s*millions?|\(millions?\)", re.IGNORECASE)


def _thousands_hint(sheet: Sheet) -> str:
    """Said when a header above the table is in thousands or millions of pounds, which is
    never read as pounds: renamed as the message asks, its figures would be read a thousand
    (or a million) times too small."""
    for r, values in sheet.first_rows(HEADER_SEARCH_ROWS):
        for c, value in enumerate(values, start=1):
            if not isinstance(value, str) or len(value) > 200:
                continue
            unit = (
                ("thousands", "1,009")
                if _THOUSANDS.search(value)
                else ("millions", "1.009")
                if _MILLIONS.search(value)
                else None
            )
            if unit:
                return (
                    f' "{clean_text(value)}" ({column_letter(c)}{r}) is in {unit[0]} of '
                    "pounds, which the plan does not read: do not just rename it, but add a "
                    f"column in pounds with each amount in full (1009000 for {unit[1]})."
                )
    return ""


def _two_row_header(sheet: Sheet, spec: TableSheet, r: int) -> Layout | None:
    """A header over two rows, as a table laid out for print has it: a group heading
    ("Contract dates") over the headers below it ("Start date", "End date"), the other
    headers in the first row (merged down, or not). The headers of both rows, the first
    row's where it names a column; the table starts below the second row."""
    upper = sheet.rows.get(r, ())
    lower = sheet.rows.get(r + 1, ())
    width = max(len(upper), len(lower))
    padded = [(*row, *(None,) * (width - len(row))) for row in (upper, lower)]
    combined = tuple(
        top if isinstance(top, str) and spec.column(top) is not None else below
        for top, below in zip(*padded, strict=True)
    )
    mapping = map_columns(combined, spec)
    if all(c.key in mapping for c in spec.required_columns):
        return Layout(r + 1, mapping)
    return None


def note_hidden_rows(cells_of: CellReader, rows: Sequence[tuple[int, Decimal]], noun: str) -> None:
    """I-HIDDEN-ROWS where rows read as the table's records (row, amount) are hidden or
    filtered out in Excel: they are counted, and the officer, who sees only the visible
    rows, is told which, and how much they hold."""
    hidden = [(r, amount) for r, amount in rows if r in cells_of.sheet.hidden_rows]
    if not hidden:
        return
    numbers = [r for r, _ in hidden]
    shown = ", ".join(str(r) for r in numbers[:20]) + (" …" if len(numbers) > 20 else "")
    cells_of.add(
        "I-HIDDEN-ROWS",
        f"{len(hidden)} {noun}{'s' if len(hidden) != 1 else ''} on hidden or "
        f"filtered-out rows ({shown}) {'were' if len(hidden) != 1 else 'was'} counted, "
        f"{format_money(sum((amount for _, amount in hidden), Decimal(0)))} in "
        "all; unhide the rows (or clear the filter) and check they belong to the plan.",
        f"{numbers[0]}:{numbers[-1]}",
    )


def note_hidden_money(cells_of: CellReader, layout: Layout) -> None:
    """W-HIDDEN-COLUMN where the money a table is read for (a budget, an allocation, a
    source's amount) is in a column hidden in Excel: a hidden "Budget (£)" of old figures was
    read without a word (beside a visible "Revised budget (£)" it is now one of two budget
    columns, an E-COLUMN of budget_column's)."""
    for key in ("budget", "allocation", "amount"):
        col = layout.columns.get(key)
        if col is None or col not in cells_of.sheet.hidden_cols:
            continue
        heading = clean_text(cells_of.sheet.value(layout.header_row, col))
        cells_of.add(
            "W-HIDDEN-COLUMN",
            f'Column {column_letter(col)} ("{heading}") is hidden in Excel, yet its figures are '
            f"the ones read as the {label(key)}. Unhide it (select the columns either side, "
            "right-click, Unhide) and check they are the plan's; if the plan's are in another "
            f'column, delete the hidden one and head that column "{heading}".',
            f"{column_letter(col)}{layout.header_row}",
        )


def unmerge(cells_of: CellReader, layout: Layout) -> bool:
    """Cells merged down a column of the table (a Fund typed once for its lines or its
    sources): one finding per column, and each merged cell given its range's value so the
    rows can still be read for the other checks. True when nothing is merged."""
    sheet = cells_of.sheet
    by_column: dict[int, list[Merge]] = {}
    for merge in sheet.merged:
        # Blank cells merged (a notes box drawn to the sheet's end) hold nothing to lose.
        if (
            merge.last_row > merge.first_row
            and merge.first_row > layout.header_row
            and not is_blank(sheet.value(merge.first_row, merge.first_col))
        ):
            for col in layout.columns.values():
                if merge.first_col <= col <= merge.last_col:
                    by_column.setdefault(col, []).append(merge)
    names = {col: key for key, col in layout.columns.items()}
    for col, merges in sorted(by_column.items()):
        ranges = ", ".join(m.ref for m in merges[:5]) + (" …" if len(merges) > 5 else "")
        cells_of.add(
            "E-VALUE",
            f"{label(names[col])} is in merged cells ({ranges}): only the first row of a "
            "merged range holds its value. Unmerge the cells (Home > Merge & Center) and "
            "fill each row.",
            merges[0].ref,
        )
        for merge in merges:
            top = sheet.value(merge.first_row, col)
            below = (r for r in sheet.rows if merge.first_row < r <= merge.last_row)
            for r in list(below):  # the rows that exist, not a million that do not
                values = sheet.rows[r]
                if col <= len(values) and is_blank(values[col - 1]):
                    sheet.rows[r] = (*values[: col - 1], top, *values[col:])
    return not by_column


def _headings(values: Row) -> bool:
    """A row of headings: two or more cells, all text (a data row holds figures or dates).
    With one of the table's columns among them it is the header row, short of the others."""
    cells = [v for v in values if not is_blank(v)]
    return len(cells) >= 2 and all(isinstance(v, str) for v in cells)
