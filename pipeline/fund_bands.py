"""A Services sheet typed as the decision's Appendix 3 is printed: per fund a heading ("Victims
Fund - £1,009,000"), a header row, that fund's lines and a Total, repeated for each fund, and no
Fund column. The heading says each line's fund, so the lines are read as if a Fund column gave
it; without this the sheet was one E-COLUMN, "Column Fund is missing", for a plan whose every
line names its fund plainly above it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pipeline import contract
from pipeline.model import Fund, Located, ServiceLine
from pipeline.read_cells import HEADER_SEARCH_ROWS, CellReader, Layout, map_columns
from pipeline.sheets import Cell, Row, column_letter
from pipeline.shorthand import parse_amount
from pipeline.values import ValueProblem, clean_text, format_money, is_blank, normalise

# The Services columns with Fund not required: the header of each fund's table.
_WITHOUT_FUND = replace(
    contract.SERVICES,
    columns=tuple(
        replace(c, required=False) if c.key == "fund" else c for c in contract.SERVICES.columns
    ),
)
_NEEDED = frozenset(c.key for c in _WITHOUT_FUND.required_columns)
# What a line has and a Total, a note or an amount typed alone does not.
_OF_A_LINE = ("service", "organisation", "start", "end", "mechanism")

# What may follow a fund's name in its heading: a dash or colon, "Commissioning", the year, and
# the allocation ("Victims Fund - £1,009,000", "Victims Fund Commissioning 2021/22",
# "COMMUNITY SAFETY FUND (£556,000):").
_AFTER_NAME = re.compile(
    r"\s*[-:]?\s*(?:commissioning\s*)?(?:(?:20)?\d\d\s*[/-]\s*(?:20)?\d\d\s*)?[-:]?\s*"
    r"(?:\(?\s*(?P<amount>£\s*\d[\d,]*(?:\.\d{1,2})?)\s*\)?)?\s*:?"
)


@dataclass(frozen=True)
class FundBands:
    """The layout the sheet is read by (its Fund column one past the last, filled from the
    headings) and, per line's row, the cell of the heading that gave its fund."""

    layout: Layout | None  # None after an E-COLUMN for another column missing
    heading_of: dict[int, str]  # row -> heading's A1 reference

    def located(self, lines: Sequence[ServiceLine]) -> list[ServiceLine]:
        """``lines`` with their Fund cell the heading's (the column they were read by is
        not on the sheet)."""
        return [
            replace(line, at=self._at_heading(line.at)) if line.at.row in self.heading_of else line
            for line in lines
        ]

    def _at_heading(self, at: Located) -> Located:
        return Located(at.sheet, at.row, {**at.cells, "fund": self.heading_of[at.row]})


def fund_bands(cells_of: CellReader, funds: Sequence[Fund]) -> FundBands | None:
    """The Services sheet read by its fund headings, when it has no Fund column and a heading
    naming a fund of the Funds sheet stands above its header row; None otherwise (read as
    usual). The sheet's rows are changed to be read so: each line is given its fund in a
    column past the last, the headings and the header rows repeated for each fund dropped.
    A heading showing another allocation than the Funds sheet's is an E-VALUE."""
    sheet = cells_of.sheet
    first = sheet.first_rows(HEADER_SEARCH_ROWS)
    header = next((r for r, values in first if _header_without_fund(values, minimum=3)), None)
    if header is None:
        return None
    above = [_heading(r, values, funds) for r, values in first if r < header]
    opening = next((h for h in reversed(above) if h is not None), None)
    below = next(((r, values) for r, values in sheet.rows.items() if r > header), None)
    if opening is None and (below is None or _heading(*below, funds) is None):
        return None  # no heading above the header, nor on the first row below it
    layout = cells_of.header(_WITHOUT_FUND)
    if layout is None:
        return FundBands(None, {})  # E-COLUMN said what else is missing
    fund_col = max((len(values) for values in sheet.rows.values()), default=0) + 1
    # None: the first row below the header is the first heading
    current = _read_heading(cells_of, opening) if opening is not None else None
    heading_of: dict[int, str] = {}
    lone: tuple[int, str, str] | None = None  # (row, cell, text) alone since a line: a heading?
    for r in [r for r in sheet.rows if r > layout.header_row]:
        values = sheet.rows[r]
        heading = _heading(r, values, funds)
        if heading is not None:
            current, lone = _read_heading(cells_of, heading), None
            del sheet.rows[r]
            continue
        if _header_without_fund(values, minimum=len(_NEEDED)):
            del sheet.rows[r]  # the header printed again over the next fund's table
            if lone is not None:
                # Its heading names a fund the Funds sheet lacks: its lines are that fund's
                # (E-FUND says so), never the fund above's carried on without a word.
                del sheet.rows[lone[0]]
                current, lone = (_name_in(lone[2]), lone[1]), None
            continue
        filled = [(c, v) for c, v in enumerate(values, start=1) if not is_blank(v)]
        texts = [(c, v) for c, v in filled if isinstance(v, str)]
        if not filled:
            continue
        if len(texts) == 1 and (len(filled) == 1 or (len(filled) == 2 and _figure(filled))):
            lone = (r, f"{column_letter(texts[0][0])}{r}", clean_text(texts[0][1]))
            continue  # a note (I-NOTE-ROW), or the heading of a fund not on the Funds sheet
        lone = None
        named = clean_text(sheet.value(r, layout.columns["service"]))
        if (
            current is None
            or contract.names_a_total(named)
            or all(is_blank(sheet.value(r, layout.columns[key])) for key in _OF_A_LINE)
        ):
            continue  # a Total closes lines and names no fund; a note or an amount alone
        padded = (*values, *(None,) * (fund_col - 1 - len(values)))
        sheet.rows[r] = (*padded, current[0])
        heading_of[r] = current[1]
    return FundBands(Layout(layout.header_row, {**layout.columns, "fund": fund_col}), heading_of)


def _figure(filled: Sequence[tuple[int, Cell]]) -> bool:
    """Whether one of the cells is a number (a heading's allocation beside its name)."""
    return any(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for _, v in filled)


def _name_in(heading: str) -> str:
    """The fund a heading names, without the allocation or year after it."""
    return re.split(r"\s+[-:]\s+|\s*[(:]|\s+£|\s+(?:20)?\d\d[/-]\d\d", heading)[0].strip()


def _header_without_fund(values: Row, minimum: int) -> bool:
    """A Services header row with no Fund column and at least ``minimum`` of the others."""
    mapping = map_columns(values, contract.SERVICES)
    return "fund" not in mapping and len(_NEEDED & mapping.keys()) >= minimum


@dataclass(frozen=True)
class _Heading:
    """A fund's heading row: the fund, the heading's text and cell, and the figures it shows."""

    fund: Fund
    text: str
    ref: str
    shown: tuple[Cell, ...]


def _heading(r: int, values: Row, funds: Sequence[Fund]) -> _Heading | None:
    """Row ``r`` as a fund's heading: the fund's name alone, perhaps with its allocation and
    year, and at most its allocation in another cell; None for any other row."""
    filled = [(c, v) for c, v in enumerate(values, start=1) if not is_blank(v)]
    texts = [(c, v) for c, v in filled if isinstance(v, str)]
    if not texts or len(filled) > 2 or len(texts) > 2:
        return None
    col, text = texts[0]
    key = normalise(text)
    for fund in funds:
        if not key.startswith(fund.key):
            continue
        after = _AFTER_NAME.fullmatch(key[len(fund.key) :])
        if after is None:
            continue
        shown: tuple[Cell, ...] = (after["amount"],) if after["amount"] else ()
        shown += tuple(v for c, v in filled if c != col)
        return _Heading(fund, clean_text(text), f"{column_letter(col)}{r}", shown)
    return None


def _read_heading(cells_of: CellReader, heading: _Heading) -> tuple[str, str]:
    """(fund name, cell) of a heading the lines below are read by, after an E-VALUE if it
    shows another figure than the fund's allocation: one of the two is out of date, and the
    Funds sheet's is the one the plan is reconciled to."""
    fund = heading.fund
    for raw in heading.shown:
        try:
            figure: Decimal | None = parse_amount(raw)
        except ValueProblem:
            figure = None
        if figure == fund.allocation:
            continue
        seen = format_money(figure) if figure is not None else f'"{clean_text(raw)}"'
        cells_of.add(
            "E-VALUE",
            f'The heading "{heading.text}" shows {seen} for the {fund.name}, but the Funds '
            f"sheet gives it {format_money(fund.allocation)} ({fund.at.cell('allocation')}); "
            "the plan is reconciled to the Funds sheet's. Correct whichever is out of date.",
            heading.ref,
        )
        break
    return fund.name, heading.ref
