"""The Total rows typed among a Services sheet's budget lines: which rows they are, and which
lines each closes, so that its figure can be checked against their sum (E-TOTAL)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from pipeline import contract
from pipeline.model import Fund, Located, ServiceLine, TotalRow
from pipeline.read_cells import CellReader, Layout
from pipeline.sheets import Sheet, column_letter
from pipeline.shorthand import parse_amount
from pipeline.values import ValueProblem, clean_text, format_money, is_blank, normalise

_TOTAL_WORD = contract.TOTAL_WORD


class Totals:
    """The Total rows typed among the lines, each with the lines it closes: a Sub-total the
    lines since the last total row of any kind, a Grand total every line, and a Total those
    since the last Total (its Sub-totals' lines included) — or, where its figure is exactly
    theirs, only those since the last Sub-total (a fund shown in Sub-totals, then the next
    fund closed by a Total). A total that names a fund (``Victims Fund total``, or ``Total``
    beside the fund's name in the Fund column) closes that fund's lines: those since the last
    total when they are all the fund's (a sub-total of a block of it), else every line of the
    fund above it (a block of fund totals under the table)."""

    def __init__(
        self, sheet: Sheet, layout: Layout, rows: list[TotalRow], funds: Sequence[Fund] = ()
    ) -> None:
        self.sheet, self.layout, self.rows = sheet, layout, rows
        self.names = FundNames(funds)
        # The first line not yet closed by a Total (or Grand total), and by any total row.
        self.since_total = self.since_sub = 0

    def read(self, cells_of: CellReader, r: int, label: str, lines: Sequence[ServiceLine]) -> bool:
        """The Total row ``r`` labelled ``label`` under ``lines``; False where its figure is
        unreadable (a finding at its cell)."""
        read, amount = total_figure(cells_of, r, self.layout.columns["budget"], label)
        if amount is not None:
            self.add(label, amount, r, lines)
        elif read:  # no figure: nothing to check, but it still ends its block of lines
            self._close(_total_kind(label), lines)
        return read

    def add(self, label: str, amount: Decimal, r: int, lines: Sequence[ServiceLine]) -> None:
        """The Total row ``r`` labelled ``label``, typed as ``amount`` under ``lines``."""
        kind = _total_kind(label)
        columns = self.layout.columns
        named = self.names.named(
            label, *(self.sheet.value(r, columns[key]) for key in ("fund", "service"))
        )
        if kind == "total" and self.rows and self.since_total == len(lines) and not named:
            # A Total under the funds' own ("Total (both funds)", "Overall total", "Total
            # committed"): no line since the last Total, so it totals the whole plan. It was
            # taken to close no line, an E-TOTAL when its figure was right.
            kind = "grand"
        first = {"grand": 0, "sub": self.since_sub, "total": self.since_total}[kind]
        if kind == "total" and self.since_sub > self.since_total:
            first = self.since_sub if _sum(lines[self.since_sub :]) == amount else first
        closes = tuple(range(first, len(lines)))
        if named:
            closes = _fund_closes(closes, lines, named, amount, kind == "sub")
        sheet, budget = self.sheet, self.layout.columns["budget"]
        closed = [lines[i] for i in closes]
        self.rows.append(
            TotalRow(
                label,
                amount,
                closes,
                Located(sheet.title, r, {"amount": self.layout.ref("budget", r)}),
                frozenset(ln.at.row for ln in closed if ln.at.row in sheet.hidden_rows),
                frozenset(
                    ln.at.row for ln in closed if isinstance(sheet.value(ln.at.row, budget), str)
                ),
                tuple(self.names.names[key] for key in sorted(named)),
            )
        )
        self._close(kind, lines)

    def _close(self, kind: str, lines: Sequence[ServiceLine]) -> None:
        self.since_sub = len(lines)
        if kind != "sub":
            self.since_total = len(lines)


def total_figure(cells_of: CellReader, r: int, col: int, label: str) -> tuple[bool, Decimal | None]:
    """The figure of the Total row ``r`` labelled ``label`` ("" where not known): (True, None)
    where it has none (a total row carries no line: nothing to check), (False, None) after an
    E-VALUE that names it as the row's figure (a message "Total is blank" read as a column
    called Total)."""
    what = f'The "{label}" row\'s figure' if label else "The Total row's figure"
    try:
        raw = cells_of.value(r, col)
        return True, None if is_blank(raw) else parse_amount(raw)
    except ValueProblem as problem:
        unsaved = (r, col) in cells_of.sheet.uncached
        fix = ", or type the figure in its place" if unsaved else ""
        cells_of.add("E-VALUE", f"{what} {problem}{fix}.", f"{column_letter(col)}{r}")
        return False, None


class FundNames:
    """The funds a total row's label names, each by its name in full or, for a fund named in
    two languages ("Cronfa Dioddefwyr / Victims Fund"), either one; without the word Fund
    ("Victims total") too."""

    def __init__(self, funds: Sequence[Fund]) -> None:
        self.names = {fund.key: fund.name for fund in funds}
        self.forms = [(key, form) for key in self.names for form in _forms(key)]

    def named(self, *texts: object) -> frozenset[str]:
        """The keys of the funds named in ``texts``; where one name is part of another
        ("Victims Fund", "Victims Fund (MoJ)"), the longer one."""
        found: list[tuple[str, int, int]] = []  # key, start, end in the joined text
        joined = " | ".join(normalise(t) for t in texts if isinstance(t, str))
        for key, form in self.forms:
            for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", joined):
                found.append((key, m.start(), m.end()))
        return frozenset(
            key
            for key, start, end in found
            if not any(k != key and s <= start and end <= e for k, s, e in found)
        )


def _forms(key: str) -> set[str]:
    """A fund's name as a label may give it: in full, either language, without "Fund"."""
    halves = [key, *(h.strip() for h in key.split("/"))] if "/" in key else [key]
    forms = set(halves)
    for half in halves:
        bare = re.sub(r"^cronfa\s+|\s+fund$", "", half)
        if len(bare) >= 4:
            forms.add(bare)
    return {form for form in forms if form}


def _fund_closes(
    block: tuple[int, ...],
    lines: Sequence[ServiceLine],
    named: frozenset[str],
    amount: Decimal,
    sub: bool,
) -> tuple[int, ...]:
    """The lines a total naming the funds ``named`` closes: the ``block`` since the last total
    when it is all theirs and its figure is the block's (or it is a Sub-total), else every
    line of those funds above it."""
    own = block if block and all(lines[i].fund_key in named for i in block) else ()
    every = tuple(i for i, line in enumerate(lines) if line.fund_key in named)
    if own and (sub or _sum(lines[i] for i in own) == amount):
        return own
    return every


def total_label(sheet: Sheet, r: int, layout: Layout) -> str | None:
    """The label of a typed Total row, or None for a budget line.

    ``Total``, ``TOTAL:``, ``Sub-total``, ``Grand total`` in the Fund or Service column; or a
    label such as ``Victims Fund total`` when the row has no organisation, dates or mechanism
    (a service really called "Total Safety" still has those).
    """
    columns = layout.columns
    named = False  # a fund or a service typed: a line, or a total labelled there
    for key in ("fund", "service"):
        text = clean_text(sheet.value(r, columns[key]))
        named = named or bool(text)
        if not _may_be_total(text):
            continue  # what both patterns need
        if contract.is_total_label(text):
            return text
        if _TOTAL_WORD.search(text) and all(
            is_blank(sheet.value(r, columns[k]))
            for k in ("organisation", "start", "end", "mechanism")
        ):
            return text
    if named:
        return None
    budget = columns["budget"]
    no_figure = is_blank(sheet.value(r, budget)) and (r, budget) not in sheet.uncached
    if no_figure or not all(is_blank(sheet.value(r, columns[k])) for k in _LINE_KEYS):
        return None
    # "Total" typed beside its figure, in whatever column that is (Purpose, How commissioned
    # or a column of the team's own), on a row that holds nothing of a line.
    for col, value in enumerate(sheet.rows.get(r, ()), start=1):
        if col != budget and isinstance(value, str) and _may_be_total(value):
            text = clean_text(value)
            if len(text) <= 60 and _TOTAL_WORD.search(text):
                return text
    return None


def _may_be_total(text: str) -> bool:
    """What every total label holds ("total", or the Welsh "cyfanswm"): a quick test first
    (no other letter matches t, o, a or l in any case)."""
    lowered = text.lower()
    return "total" in lowered or "yfans" in lowered


# What a budget line always has and a row holding only a total never does.
_LINE_KEYS = ("fund", "service", "organisation", "start", "end", "mechanism")


def amount_only(cells_of: CellReader, r: int, layout: Layout) -> bool:
    """A row holding an amount in the budget column and nothing else of a line (a total
    typed with no label): one located finding, not an error per empty cell."""
    sheet = cells_of.sheet
    columns = layout.columns
    if not is_blank(sheet.value(r, columns["fund"])):
        return False  # a line (nearly every row): said at once
    budget = columns["budget"]
    if is_blank(sheet.value(r, budget)) and (r, budget) not in sheet.uncached:
        return False
    others = (col for key, col in columns.items() if key not in ("budget", "cost_code"))
    if any(not is_blank(sheet.value(r, col)) for col in others):
        return False
    raw = sheet.value(r, budget)
    try:
        shown = format_money(parse_amount(raw))
    except ValueProblem:
        shown = f'"{clean_text(raw)}"' if not is_blank(raw) else "a formula Excel never saved"
    cells_of.add(
        "E-REQUIRED",
        f"Row {r} holds only an amount ({shown}) and no fund, service or dates. If it is a "
        'total, type "Total" in its Fund column (it is then checked against the lines above '
        "it); if it is a budget line, fill in the rest of the row.",
        layout.ref("budget", r),
    )
    return True


def _sum(lines: Iterable[ServiceLine]) -> Decimal:
    return sum((line.budget for line in lines), Decimal(0))


def _total_kind(label: str) -> str:
    """grand, sub or total."""
    words = normalise(label)
    if re.search(r"grand|cyffredinol|terfynol", words):
        return "grand"
    return "sub" if re.search(r"sub[\s-]?total|is[\s-]?gyfans", words) else "total"
