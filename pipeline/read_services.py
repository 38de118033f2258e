"""The Services sheet: one budget line per row, and the typed Total rows kept aside."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline import contract
from pipeline.budget_column import budget_column
from pipeline.choices import MECHANISM_WORDS, ORGANISATION_TYPE_WORDS, parse_choice
from pipeline.fund_bands import fund_bands
from pipeline.later_budgets import later_columns, read_later_budgets
from pipeline.model import Fund, Located, ServiceLine, TotalRow
from pipeline.org_ids import (
    NO_NUMBER,
    NUMBER_COLUMNS,
    assumed_register,
    number_org_id,
    registered_numbers,
)
from pipeline.read_balances import BalanceRow, balance_label, check_balances, read_balance
from pipeline.read_cells import (
    CellReader,
    Findings,
    Layout,
    Read,
    below_the_table,
    empty_formula,
    label,
    note_hidden_money,
    note_hidden_rows,
    unmerge,
)
from pipeline.read_funds import canonical_fund, fund_names
from pipeline.sheets import Cell, Sheet, column_letter
from pipeline.shorthand import (
    Year,
    financial_year,
    parse_amount,
    parse_line_end,
    parse_line_start,
    per_year_problem,
)
from pipeline.total_rows import Totals, amount_only, total_label
from pipeline.values import (
    ValueProblem,
    clean_paragraphs,
    clean_text,
    format_money,
    is_blank,
    normalise,
)

T = TypeVar("T")

_TEXT_COLUMNS = (
    ("fund", True),
    ("service", True),
    ("organisation", True),
    ("provision", False),
    ("extension_options", False),
    ("how_commissioned", False),
    ("purpose", False),
    ("cost_code", False),
    ("recipient_org_id", False),
    *((key, False) for key in NUMBER_COLUMNS),
)
# Free text whose line breaks (Alt+Enter) the Word report keeps as breaks in the cell.
_NARRATIVE = frozenset({"provision", "how_commissioned"})


@dataclass
class ServicesRead(Read[ServiceLine]):
    """The budget lines read, and the Total rows typed among them."""

    totals: list[TotalRow] = field(default_factory=list)


def read_services(
    sheet: Sheet, findings: Findings, funds: Sequence[Fund], year: str = ""
) -> ServicesRead:
    """Every budget line of the Services sheet; Total rows are kept aside with the lines they
    close, to be checked against their sum. ``year`` (the Decision's Financial year) picks the
    budget column where several are headed with years."""
    cells_of = CellReader(sheet, findings)
    bands = fund_bands(cells_of, funds)  # Appendix 3's layout: a heading per fund, no Fund column
    found = bands.layout if bands is not None else cells_of.header(contract.SERVICES)
    read = ServicesRead()
    layout = budget_column(cells_of, found, year) if found is not None else None
    if layout is None:
        read.complete = False
        return read
    note_hidden_money(cells_of, layout)
    if not unmerge(cells_of, layout):
        read.complete = False
    lines = read.items
    totals = Totals(sheet, layout, read.totals, funds)
    names = fund_names(funds)
    reader = _LineReader(cells_of, layout, names, financial_year(year))  # once, not per line
    carry = _FundCarry(cells_of, layout)
    balances: list[BalanceRow] = []
    for r in cells_of.rows(contract.SERVICES, layout):
        balance = balance_label(cells_of, r, layout)  # before Total: "Total unallocated"
        label = total_label(sheet, r, layout) if balance is None else None
        carry.see(r, label is not None or balance is not None)
        if balance is not None:  # "Unallocated": what a fund has left, not a line
            row = read_balance(cells_of, r, layout, balance, names, lines[-1].fund if lines else "")
            balances.extend(() if row is None else (row,))
            read.complete &= row is not None
        elif label is not None:
            read.complete &= totals.read(cells_of, r, label, lines)
        else:
            read.complete &= _line_row(cells_of, r, reader, funds, lines)
    carry.close()
    if bands is not None:
        lines[:] = bands.located(lines)
    read.complete &= not carry.carried
    if read.complete:
        check_balances(cells_of, balances, lines, funds)
    note_hidden_rows(cells_of, [(ln.at.row, ln.budget) for ln in lines], "budget line")
    if read.complete and not lines:
        cells_of.add(
            "E-REQUIRED",
            "The Services sheet has no budget lines; add one row per commissioned service.",
        )
        read.complete = False
    return read


def _line_row(
    cells_of: CellReader,
    r: int,
    reader: _LineReader,
    funds: Sequence[Fund],
    lines: list[ServiceLine],
) -> bool:
    """Row ``r``, neither a total nor a balance: a note or a fund's heading (passed over), an
    amount alone (a finding), or a budget line added to ``lines``; False where it is unread."""
    layout = reader.layout
    if _note_row(cells_of, r, layout, reader.names) or _fund_heading(cells_of, r, layout, funds):
        return True
    if amount_only(cells_of, r, layout):
        return False
    line = reader.line(r)
    if line is not None:
        lines.append(line)
    return line is not None


class _LineReader:
    """Reads a budget line from each row, as :class:`CellReader` reads its cells (the same
    findings, in the same order), with what does not depend on the row worked out once per
    sheet: each column's index and letter, and which rows hold a formula without a value.
    A 10,000-line plan has 140,000 such cells."""

    def __init__(
        self, cells_of: CellReader, layout: Layout, names: Mapping[str, str], year: Year
    ) -> None:
        self.cells_of = cells_of
        self.names = names
        self.year = year
        columns = layout.columns
        self.texts = [
            (key, required, key in _NARRATIVE, columns.get(key, 0))
            for key, required in _TEXT_COLUMNS
        ]
        self.letters = {key: column_letter(col) for key, col in columns.items()}
        self.columns = columns
        self.layout = layout
        self.uncached_rows = frozenset(r for r, _ in cells_of.sheet.uncached)
        self.later = later_columns(cells_of, layout, year)  # a multi-year plan's

    def _raw(self, values: Sequence[Cell], r: int, col: int) -> Cell:
        """The cell's value, or raise ValueProblem (see :meth:`CellReader.value`)."""
        raw = values[col - 1] if col <= len(values) else None
        # Only a row with a formula without its value, or text that may be an Excel error
        # (each starts with "#"), needs the full look.
        if r in self.uncached_rows or (isinstance(raw, str) and "#" in raw):
            return self.cells_of.value(r, col)
        return raw

    def _figure(
        self, values: Sequence[Cell], r: int, key: str, parser: Callable[[Cell], T]
    ) -> T | None:
        """The cell read by ``parser``, as :meth:`CellReader.parse` reads it."""
        try:
            return parser(self._raw(values, r, self.columns[key]))
        except ValueProblem as problem:
            said = empty_formula(self.cells_of.sheet, r, self.columns[key]) or problem
            self.cells_of.add("E-VALUE", f"{label(key)} {said}.", f"{self.letters[key]}{r}")
            return None

    def line(self, r: int) -> ServiceLine | None:
        """The budget line of row ``r``; None after a finding."""
        cells_of = self.cells_of
        values = cells_of.sheet.rows.get(r, ())
        row = str(r)
        cells: dict[str, str] = {}
        text: dict[str, str | None] = {}
        for key, required, narrative, col in self.texts:
            if not col:
                text[key] = ""  # an optional column the sheet lacks
                continue
            ref = self.letters[key] + row
            cells[key] = ref
            try:
                raw = self._raw(values, r, col)
            except ValueProblem as problem:
                cells_of.add("E-VALUE", f"{label(key)} {problem}.", ref)
                text[key] = None
                continue
            cleaned = clean_paragraphs(raw) if narrative else clean_text(raw)
            if required and not cleaned:
                said = empty_formula(cells_of.sheet, r, col) or "is blank; fill it in"
                cells_of.add("E-REQUIRED", f"{label(key)} {said}.", ref)
                text[key] = None
                continue
            text[key] = cleaned
        for key in _LINE_FIGURES:
            cells[key] = self.letters[key] + row
        if _NOT_CHOSEN.fullmatch(normalise(text["organisation"] or "")) and _not_commissioned(
            cells_of,
            text["organisation"] or "",
            cells["organisation"],
            lambda key: self._raw(values, r, self.columns[key]),
        ):
            return None
        organisation_type = self._figure(values, r, "organisation_type", _organisation_type)
        mechanism = self._figure(values, r, "mechanism", _mechanism)
        budget = self._figure(values, r, "budget", parse_amount)
        start = self._figure(values, r, "start", parse_line_start)
        end = self._figure(values, r, "end", parse_line_end)
        typed = {key: value for key, value in text.items() if value is not None}
        if (
            len(typed) != len(text)
            or organisation_type is None
            or mechanism is None
            or budget is None
            or start is None
            or end is None
        ):
            return None
        start_date, start_month = start
        end_date, end_month, options_in_end = end
        if _NO_OPTION.fullmatch(options_in_end):
            options_in_end = ""  # "31/03/2022 (no extension)": none, as in the column
        later = read_later_budgets(
            cells_of, r, [(c, self._raw(values, r, c.col)) for c in self.later], end_date
        )
        if later is None:
            return None
        budget_raw = self._raw(values, r, self.columns["budget"])
        if rate := per_year_problem(budget_raw, start_date, end_date, self.year):
            cells_of.add("E-VALUE", f"Budget {rate}.", cells["budget"])  # "£10,000 pa"
            return None
        org_id, number = _recipient(cells_of, typed, cells, organisation_type)
        typed_options = typed["extension_options"]
        if (
            options_in_end
            and typed_options
            and normalise(options_in_end) != normalise(typed_options)
        ):
            cells_of.add(
                "W-EXTENSION",
                f'The End date carries the extension options "({options_in_end})" but the '
                f'Extension options column reads "{typed_options}"; the column\'s is used. Keep '
                "the options in the Extension options column only.",
                cells["end"],
            )
        return ServiceLine(
            fund=canonical_fund(typed["fund"], self.names),
            service=typed["service"],
            organisation=typed["organisation"],
            organisation_type=organisation_type,
            provision=typed["provision"],
            start=start_date,
            end=end_date,
            start_month_only=start_month,
            end_month_only=end_month,
            # "N/A" typed in the column says there are none (the end date's may disagree).
            extension_options=""
            if _NO_OPTION.fullmatch(typed_options)
            else typed_options or options_in_end,
            mechanism=mechanism,
            how_commissioned=typed["how_commissioned"],
            purpose=typed["purpose"],
            budget=budget,
            at=Located(cells_of.sheet.title, r, cells),
            cost_code=typed["cost_code"],
            recipient_org_id=org_id,
            recipient_number=number,
            registered_numbers=tuple(
                number
                for key in NUMBER_COLUMNS
                if not NO_NUMBER.fullmatch(typed.get(key) or "-")
                for number in registered_numbers(key, typed[key])
            ),
            later_budgets=later,
        )


def _not_commissioned(
    cells_of: CellReader, typed: str, ref: str, raw_of: Callable[[str], Cell]
) -> bool:
    """One finding for money set aside for a service whose provider is not chosen yet and
    whose type or mechanism is not filled in either, in place of one for each choice; False
    (no finding) for such a line with its type and mechanism, which stays in the plan."""
    try:
        _organisation_type(raw_of("organisation_type"))
        _mechanism(raw_of("mechanism"))
        return False
    except ValueProblem:
        pass
    try:
        budget = f" {format_money(parse_amount(raw_of('budget')))}"
    except ValueProblem:
        budget = ""
    cells_of.add(
        "E-VALUE",
        f'Delivery organisation reads "{typed}", and the line has no organisation type or '
        "mechanism: a service whose provider is not chosen yet stays in the plan with the type "
        "and mechanism it is to be commissioned by (e.g. Voluntary & community, Contract); "
        f"otherwise remove the row (its{budget} then shows as the fund's uncommitted money, "
        "available for in-year commissioning).",
        ref,
    )
    return True


def _either_number(
    cells_of: CellReader, typed: dict[str, str], cells: dict[str, str], organisation_type: str
) -> None:
    """A number in a column for either a charity's or a company's that both registers may hold
    (1151444: a charity's, or a company's 01151444 without its zero) moved to the register its
    line suggests (org_ids.assumed_register), and W-ORG-NUMBER saying which was assumed."""
    key = "charity_or_company_number"
    register, why = assumed_register(typed.get(key, ""), typed["organisation"], organisation_type)
    if not register or register in cells:
        return
    typed[register], typed[key] = typed[key], ""
    cells[register] = cells[key]
    other = "company_number" if register == "charity_number" else "charity_number"
    read, instead = number_org_id(register, typed[register]), number_org_id(other, typed[register])
    cells_of.add(
        "W-ORG-NUMBER",
        f'Charity or company number reads "{typed[register]}": 7 digits beginning 1, either a '
        "registered charity's number or a company's without the leading zero Excel drops. It "
        f"is read as the {register[:7]}'s, {read and read.text}, as {why}. If it is the "
        f"{other[:7]}'s, type {instead and instead.text} in a Recipient org ID column (or move "
        f"the number to a {label(other)} column).",
        cells[key],
    )


def _recipient(
    cells_of: CellReader, typed: dict[str, str], cells: dict[str, str], organisation_type: str
) -> tuple[str, tuple[str, str]]:
    """The line's org-id, and the number column it was made from with the number as typed:
    the Recipient org ID where one is typed, else a Charity number or a Company number (its
    cell then standing for the org-id's in findings)."""
    _either_number(cells_of, typed, cells, organisation_type)
    if typed["recipient_org_id"]:
        return typed["recipient_org_id"], ("", "")
    present = [key for key in NUMBER_COLUMNS if key in cells]
    # "N/A" or "-" for a council or an NHS trust, which has no such number: blank.
    numbers = {key: "" if NO_NUMBER.fullmatch(typed[key]) else typed[key] for key in present}
    numbered = [key for key in present if numbers[key]]
    if numbered:
        # A charitable company: its charity number, as 360Giving prefers, unless only its
        # company number can be read.
        key = next((k for k in numbered if number_org_id(k, numbers[k])), numbered[0])
    elif present and "recipient_org_id" not in cells:
        key = present[0]
    else:
        return "", ("", "")
    cells["recipient_org_id"] = cells[key]
    org_id = number_org_id(key, numbers[key])
    return ("" if org_id is None else org_id.text), (key, numbers[key])


_LINE_FIGURES = ("organisation_type", "mechanism", "budget", "start", "end")


def _organisation_type(raw: Cell) -> str:
    return parse_choice(
        raw, contract.ORGANISATION_TYPES, "organisation type", ORGANISATION_TYPE_WORDS
    )


def _mechanism(raw: Cell) -> str:
    return parse_choice(raw, contract.MECHANISMS, "mechanism", MECHANISM_WORDS)


_FIGURE_KEYS = ("organisation_type", "start", "end", "mechanism", "budget")


def _note_row(cells_of: CellReader, r: int, layout: Layout, funds: Mapping[str, str]) -> bool:
    """A row with only free text (one or two cells) and no figures, dates or choices: a note
    typed in the table. It gives one located note rather than an error per empty cell; a
    fund's name alone (a heading above its lines, as plans band them by fund) gives none."""
    sheet = cells_of.sheet
    if any(not is_blank(sheet.value(r, layout.columns[k])) for k in _FIGURE_KEYS):
        return False
    if any((r, c) in sheet.uncached for c in layout.columns.values()):
        return False
    texts = [
        (col, clean_text(sheet.value(r, col)))
        for col in sorted(set(layout.columns.values()))
        if not is_blank(sheet.value(r, col))
    ]
    if not texts or len(texts) > 2:
        return False
    col, first = texts[0]
    if len(texts) == 1 and normalise(first).rstrip(" :") in funds:
        return True  # "Victims Fund" banded above its lines: told to move it, nobody would
    # Told to move below the table only when a line follows it (a note under the last line
    # was told to move where it was).
    figures = [layout.columns[k] for k in _FIGURE_KEYS]
    move = "" if below_the_table(sheet, r, figures) else "move it below the table, or "
    cells_of.add(
        "I-NOTE-ROW",
        f'Row {r} holds only the text "{first[:80]}" and no budget, dates or mechanism, so it '
        f"was read as a note, not a budget line; {move}fill in the line if it is one.",
        f"{column_letter(col)}{r}",
    )
    return True


def _fund_heading(cells_of: CellReader, r: int, layout: Layout, funds: Sequence[Fund]) -> bool:
    """A fund's heading above its lines showing its allocation: the fund's name, and in the
    budget column exactly its allocation on the Funds sheet, nothing else. It was an error
    per empty cell ('Service is blank', 'Start date is blank', ...)."""
    sheet = cells_of.sheet
    columns = layout.columns
    others = (col for key, col in columns.items() if key not in ("fund", "budget"))
    if any(not is_blank(sheet.value(r, col)) for col in others):
        return False
    name = normalise(sheet.value(r, columns["fund"])).rstrip(" :")
    fund = next((f for f in funds if f.key == name), None)
    if fund is None:
        return False
    try:
        return parse_amount(sheet.value(r, columns["budget"])) == fund.allocation
    except ValueProblem:
        return False


class _FundCarry:
    """The Fund typed once, on the first line of its block, as a heading: one E-REQUIRED per
    block of lines left blank below it (not one per line), each of those lines given the fund
    above so it can still be read for the other checks. Fed each row as the lines are read."""

    def __init__(self, cells_of: CellReader, layout: Layout) -> None:
        self.cells_of = cells_of
        self.col = layout.columns["fund"]
        self.service = layout.columns["service"]
        self.budget = layout.columns["budget"]
        self.above: tuple[int, Cell] | None = None  # the row and fund of the block's first line
        self.block: list[int] = []
        self.carried = False

    def see(self, r: int, total: bool) -> None:
        """Row ``r`` before it is read (``total``: it is a Total row)."""
        sheet = self.cells_of.sheet
        values = sheet.rows.get(r, ())
        col = self.col
        fund = values[col - 1] if col <= len(values) else None
        if total or not is_blank(fund) or (r, col) in sheet.uncached:
            self.close()
            self.above = None if total else (r, fund)  # after a Total: a new block
        elif (
            self.above is not None
            and not is_blank(sheet.value(r, self.service))
            and not is_blank(sheet.value(r, self.budget))  # a note under the fund has none
        ):
            self.block.append(r)
            padded = (*values, *(None,) * (col - len(values)))
            sheet.rows[r] = (*padded[: col - 1], self.above[1], *padded[col:])

    def close(self) -> None:
        """The finding for the block of lines seen since the fund was typed, if any."""
        block, above = self.block, self.above
        if above is None or not block:
            return
        self.carried = True
        first, last = block[0], block[-1]
        letter = column_letter(self.col)
        rows = f"rows {first}–{last}" if last > first else f"row {first}"
        self.cells_of.add(
            "E-REQUIRED",
            f'Fund is blank on {rows}, below "{clean_text(above[1])}" ({letter}{above[0]}): a '
            "fund typed once above its lines is not carried down to them. Type the fund on "
            f"every line (select {letter}{above[0]}:{letter}{last} and press Ctrl+D to fill "
            "it down).",
            f"{letter}{first}:{letter}{last}" if last > first else f"{letter}{first}",
        )
        self.block = []


# Extension options typed to say there are none ("N/A", "None", "-", "No extension",
# "n/a - final year"; in Welsh "Dim", "Dim estyniad", "Amherthnasol", "D/B", or both languages
# "Dim / None"): read as blank. They were each an option to decide (I-EXPIRING) and a
# commitment of unknown length on the public summary.
# A provider not chosen yet: "TBC", "To be commissioned", "TBC - open call".
_NOT_CHOSEN = re.compile(
    r"(?:tb[cad]|to be (?:commissioned|confirmed|decided|agreed|procured|appointed|identified)|"
    r"not yet (?:commissioned|procured|appointed|known|chosen)|provider tb[cad])(?:\W.*)?",
    re.DOTALL,
)
_NO_OPTION = re.compile(
    r"(?:(?:n/?a|none|nil|no|not applicable|[-–—]+)(?:\s+(?:further\s+)?(?:extensions?|options?)"
    r"(?:\s+(?:available|to extend))?)?"
    r"|d?dim(?:\s+(?:yn\s+berthnasol|ar\s+gael|estyniad(?:au)?|opsiwn(?:au)?(?:\s+i\s+ymestyn)?))?"
    r"|nac\s+oes|amherthnasol|d?d/b)(?:\s*[-–—:;,.(].*|\s*/\s*\D.*)?",
    re.IGNORECASE | re.DOTALL,
)
