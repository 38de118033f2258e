"""The Funds and Funding sources sheets: one row per fund, one row per source of a fund."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from pipeline import contract
from pipeline.budget_column import header_years, of_the_year
from pipeline.model import Fund, FundingSource, Located
from pipeline.read_cells import (
    CellReader,
    Findings,
    Layout,
    Read,
    below_the_table,
    headers_named,
    note_hidden_money,
    note_hidden_rows,
    unmerge,
)
from pipeline.sheets import Cell, Sheet, column_letter
from pipeline.shorthand import parse_amount, ring_fenced_reader
from pipeline.total_rows import FundNames, total_figure
from pipeline.values import (
    clean_text,
    format_money,
    is_blank,
    normalise,
    parse_reference,
)


def canonical_fund(typed: str, funds: Sequence[Fund] | Mapping[str, str]) -> str:
    """The fund's name as the Funds sheet writes it, for a name typed in another case or
    spacing; the name as typed when no fund answers to it. ``funds`` may be the
    :func:`fund_names` of the funds, made once for a sheet of lines."""
    names = funds if isinstance(funds, Mapping) else fund_names(funds)
    return names.get(normalise(typed), typed)


def fund_names(funds: Sequence[Fund]) -> dict[str, str]:
    """Each fund's name by its key (the first fund of a key wins): made once per sheet, since
    a fund's key is normalised each time it is asked for (10,000 lines x 50 funds)."""
    names: dict[str, str] = {}
    for fund in funds:
        names.setdefault(fund.key, fund.name)
    return names


def read_funds(sheet: Sheet, findings: Findings, year: str = "") -> Read[Fund]:
    """The funds, each with its allocation; a fund listed twice is an error at its second row.
    ``year`` (the Decision's Financial year) picks the allocation column where several are
    headed with years."""
    cells_of = CellReader(sheet, findings)
    found = cells_of.header(contract.FUNDS)
    layout = _one_allocation(cells_of, found, year) if found is not None else None
    if layout is None:
        return Read(complete=False)
    note_hidden_money(cells_of, layout)
    read: Read[Fund] = Read(complete=unmerge(cells_of, layout))
    seen: dict[str, str] = {}
    since = 0  # the first fund not yet closed by a typed Total row
    for r in cells_of.rows(contract.FUNDS, layout):
        cells: dict[str, str] = {}
        if _total_row(cells_of, r, layout, ("fund",), ("legal_basis", "description")):
            amounts = [(fund.at.row, fund.allocation) for fund in read.items]
            if read.whole and not _total_agrees(cells_of, layout, r, "allocation", amounts, since):
                read.total_wrong = True  # the funds were read: E-FUND need not wait
            since = len(read.items)
            continue
        if _note_row(cells_of, r, layout, ()):
            continue
        name = cells_of.text(r, layout, "fund", True, cells)
        cells["allocation"] = layout.ref("allocation", r)
        allocation = cells_of.parse(r, layout.columns["allocation"], "allocation", parse_amount)
        legal = cells_of.text(r, layout, "legal_basis", False, cells)
        # The paragraph above the fund's table: its line breaks are paragraphs in Word.
        description = cells_of.text(r, layout, "description", False, cells, paragraphs=True)
        if name is None or allocation is None or legal is None or description is None:
            read.complete = False
            continue
        if normalise(name) in seen:
            cells_of.add(
                "E-VALUE",
                f'Fund "{name}" is listed twice (also at {seen[normalise(name)]}); keep one row '
                "per fund.",
                cells["fund"],
            )
            read.complete = False
            continue
        seen[normalise(name)] = cells["fund"]
        read.items.append(
            Fund(name, allocation, legal, description, Located(sheet.title, r, cells))
        )
    note_hidden_rows(cells_of, [(f.at.row, f.allocation) for f in read.items], "fund")
    if read.whole and not read.items:
        cells_of.add(
            "E-REQUIRED",
            "The Funds sheet lists no funds; add one row per fund with its allocation.",
        )
        read.complete = False
    return read


# How a note typed under a table starts: "Note:", "NB", "* provisional", "Source: MoJ letter".
_NOTE = re.compile(r"(?:notes?\b|n\.?b\.?\b|\*|†|source\b|please\b)", re.IGNORECASE)


def _note_row(cells_of: CellReader, r: int, layout: Layout, funds: Sequence[Fund]) -> bool:
    """A row holding one text and nothing else, that reads as a note ("Note: allocations
    subject to the precept") or, on Funding sources, names no fund: one I-NOTE-ROW, not an
    error per empty cell ("Source is blank", "Amount is blank", ...). On Funding sources, a
    fund's name alone is a heading above its sources, passed over without a note."""
    sheet = cells_of.sheet
    typed = [
        value
        for col in sorted(set(layout.columns.values()))
        if not is_blank(value := sheet.value(r, col)) or (r, col) in sheet.uncached
    ]
    if len(typed) != 1 or not isinstance(typed[0], str):
        return False
    text = clean_text(typed[0])
    if funds and canonical_known(text, funds):
        return True  # a fund's name alone, a heading above its sources: nothing to say
    if not (_NOTE.match(text) or len(text) > 60 or (funds and not canonical_known(text, funds))):
        return False
    amount = layout.columns.get("allocation") or layout.columns.get("amount")
    below = amount is None or below_the_table(sheet, r, [amount])
    cells_of.add(
        "I-NOTE-ROW",
        f'Row {r} holds only the text "{text[:80]}" and no amount, so it was read as a note; '
        f"{'' if below else 'move it below the table, or '}fill in the row if it is one.",
        str(r),
    )
    return True


def canonical_known(name: str, funds: Sequence[Fund]) -> bool:
    """Whether ``name`` is one of the funds (as the Funds sheet names it)."""
    return normalise(name) in {fund.key for fund in funds}


def _one_allocation(cells_of: CellReader, layout: Layout, year: str) -> Layout | None:
    """The layout with its allocation column chosen where several headers name one ("2020/21
    allocation (£)" kept beside "2021/22 allocation (£)", or a multi-year plan's "2021/22
    (£)", "2022/23 (£)"): the one of the Financial year, or the one without a year; else an
    E-COLUMN naming them (None), never the first taken for this year's without a word. One
    headed with another year than the Financial year is an E-COLUMN too."""
    header = cells_of.sheet.rows.get(layout.header_row, ())
    candidates = headers_named(header, contract.FUNDS, "allocation")
    if len(candidates) < 2:
        return layout if of_the_year(cells_of, layout, candidates, year, "allocation") else None
    bounds = contract.financial_year_bounds(year) if year else None
    matching = [i for i, text in candidates if bounds is not None and bounds in header_years(text)]
    chosen = matching or [i for i, text in candidates if not header_years(text)]
    if len(chosen) == 1:
        return Layout(layout.header_row, {**layout.columns, "allocation": chosen[0]})
    named = [f'"{text}" ({column_letter(index)}{layout.header_row})' for index, text in candidates]
    for_year = f"the financial year {year}" if bounds is not None else "the financial year"
    cells_of.add(
        "E-COLUMN",
        f"Several allocation columns: {', '.join(named)}; none is plainly for {for_year}. "
        'Head this year\'s column "Allocation (£)" and rename the others (e.g. "Allocation '
        'last year (£)"), or move them to another sheet.',
        f"{layout.header_row}:{layout.header_row}",
    )
    return None


def read_sources(sheet: Sheet, findings: Findings, funds: Sequence[Fund]) -> Read[FundingSource]:
    """The funding sources of each fund: amount, ring-fenced or not, grant reference."""
    cells_of = CellReader(sheet, findings)
    layout = cells_of.header(contract.SOURCES)
    if layout is None:
        return Read(complete=False)
    note_hidden_money(cells_of, layout)
    # A fund's name merged down its sources' rows, as a table typed for print often has it.
    read: Read[FundingSource] = Read(complete=unmerge(cells_of, layout))
    since = 0
    column = layout.columns["ring_fenced"]
    ring_fenced = ring_fenced_reader(
        row[column - 1] for row in sheet.rows.values() if row[column - 1 :]
    )
    names = FundNames(funds)
    for r in cells_of.rows(contract.SOURCES, layout):
        cells: dict[str, str] = {}
        if _total_row(cells_of, r, layout, ("fund", "source"), ("ring_fenced",)):
            # A total naming a fund ("Victims Fund total") is of that fund's sources, wherever
            # it sits (a block of fund totals under the table was compared with every source).
            named = names.named(*(sheet.value(r, layout.columns[k]) for k in ("fund", "source")))
            amounts = [
                (s.at.row, s.amount) for s in read.items if not named or normalise(s.fund) in named
            ]
            what = " and ".join(names.names[key] for key in sorted(named))
            if read.whole and not _total_agrees(
                cells_of, layout, r, "amount", amounts, 0 if named else since, what
            ):
                read.total_wrong = True  # the sources were read: E-SOURCES need not wait
            since = len(read.items)
            continue
        if _note_row(cells_of, r, layout, funds):
            continue
        fund = cells_of.text(r, layout, "fund", True, cells)
        source = cells_of.text(r, layout, "source", True, cells)
        cells["amount"] = layout.ref("amount", r)
        amount = cells_of.parse(r, layout.columns["amount"], "amount", parse_amount)
        cells["ring_fenced"] = layout.ref("ring_fenced", r)
        ring = cells_of.parse(r, layout.columns["ring_fenced"], "ring_fenced", ring_fenced)
        grant_ref = _grant_reference(cells_of, layout, r, cells)
        if fund is None or source is None or amount is None or ring is None or grant_ref is None:
            read.complete = False
            continue
        read.items.append(
            FundingSource(
                canonical_fund(fund, funds),
                source,
                amount,
                ring,
                grant_ref,
                Located(sheet.title, r, cells),
            )
        )
    note_hidden_rows(
        cells_of, [(source.at.row, source.amount) for source in read.items], "funding source"
    )
    return read


def _total_row(
    cells_of: CellReader, r: int, layout: Layout, labels: tuple[str, ...], record: tuple[str, ...]
) -> bool:
    """A typed Total row: ``Total`` (``TOTAL:``, ``Grand total``) in the Fund column; or, on a
    row whose ``record`` columns are blank, a label with the word total in the last label
    column typed (``Total allocation`` under Fund, ``Total`` under Source). Those were read as
    a fund named "Total allocation", or a source with a blank Fund and Ring-fenced."""
    sheet = cells_of.sheet
    texts = [clean_text(sheet.value(r, layout.columns[key])) for key in labels]
    if contract.is_total_label(texts[0]):
        return True
    label = next((text for text in reversed(texts) if text), "")
    return contract.names_a_total(label) and all(
        is_blank(sheet.value(r, layout.columns[key])) for key in record if key in layout.columns
    )


def _grant_reference(
    cells_of: CellReader, layout: Layout, r: int, cells: dict[str, str]
) -> str | None:
    """The optional Grant reference as typed; None after a finding (a reference Excel made
    into a date as it was typed)."""
    col = layout.columns.get("grant_reference")
    if col is None:
        return ""
    cells["grant_reference"] = layout.ref("grant_reference", r)
    return cells_of.parse(r, col, "grant_reference", _as_reference)


def _as_reference(raw: Cell) -> str:
    return parse_reference(raw, "4/2021")


def _total_agrees(
    cells_of: CellReader,
    layout: Layout,
    r: int,
    key: str,
    amounts: Sequence[tuple[int, Decimal]],
    since: int,
    fund: str = "",
) -> bool:
    """A typed Total row on Funds or Funding sources: its figure must be the sum of the rows
    (row, amount) since the last Total (or of every row, for a grand total); ``fund`` names
    the fund whose rows they are, for a total naming it. False after a finding."""
    col = layout.columns[key]
    read, typed = total_figure(cells_of, r, col, "")  # no figure: nothing to check
    if typed is None:
        return read
    section = sum((amount for _, amount in amounts[since:]), Decimal(0))
    whole = sum((amount for _, amount in amounts), Decimal(0))
    if typed in (section, whole):
        return True
    # Amounts typed as text ("£1,250,000.00") are read, but a SUM in the sheet leaves them out.
    as_text = [(row, a) for row, a in amounts if isinstance(cells_of.sheet.value(row, col), str)]
    skipped = next(([(row, a)] for row, a in as_text if typed + a in (section, whole)), [])
    if not skipped and typed + sum((a for _, a in as_text), Decimal(0)) in (section, whole):
        skipped = as_text
    fix = "correct the total (or its SUM range)."
    if skipped:
        cells = ", ".join(layout.ref(key, row) for row, _ in skipped)
        fix = (
            f"the difference is what is typed as text in {cells}, which SUM leaves out: retype "
            "it as a number (or use Excel's Convert to Number) and save the workbook."
        )
    what = "funds" if key == "allocation" else f"{fund} sources".lstrip()
    cells_of.add(
        "E-TOTAL",
        f"The Total row reads {format_money(typed)} but the {what} above it add up to "
        f"{format_money(section)}; {fix}",
        layout.ref(key, r),
    )
    return False
