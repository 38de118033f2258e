"""The Services sheet: one budget line per row, and the typed Total rows kept aside."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline import contract
from pipeline.model import Fund, Located, ServiceLine, TotalRow
from pipeline.read_cells import CellReader, Findings, Layout, Read
from pipeline.read_funds import canonical_fund
from pipeline.sheets import Sheet
from pipeline.values import (
    clean_text,
    is_blank,
    normalise,
    parse_choice,
    parse_date,
    parse_end_date,
    parse_money,
)

_TOTAL_WORD = re.compile(r"\b(sub[\s-]?)?totals?\b", re.IGNORECASE)
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
)


@dataclass
class ServicesRead(Read[ServiceLine]):
    """The budget lines read, and the Total rows typed among them."""

    totals: list[TotalRow] = field(default_factory=list)


def read_services(sheet: Sheet, findings: Findings, funds: Sequence[Fund]) -> ServicesRead:
    """Every budget line of the Services sheet; Total rows are kept aside with the lines they
    close, to be checked against their sum."""
    cells_of = CellReader(sheet, findings)
    layout = cells_of.header(contract.SERVICES)
    read = ServicesRead()
    if layout is None:
        read.complete = False
        return read
    lines = read.items
    # The first line not yet closed by a Total (or Grand total), and by any total row: a
    # Sub-total closes the lines since the last total row of any kind, a Grand total every
    # line, and a Total those since the last Total (its Sub-totals' lines included) — or,
    # where its figure is exactly theirs, only those since the last Sub-total (a fund shown in
    # Sub-totals, then the next fund closed by a Total).
    since_total = since_sub = 0
    for r in cells_of.rows(contract.SERVICES, layout):
        label = _total_label(sheet, r, layout)
        if label is None:
            line = _service_line(cells_of, r, layout, funds)
            if line is None:
                read.complete = False
            else:
                lines.append(line)
            continue
        amount = cells_of.parse(r, layout.columns["budget"], "total", parse_money)
        if amount is None:
            read.complete = False
            continue
        kind = _total_kind(label)
        first = {"grand": 0, "sub": since_sub, "total": since_total}[kind]
        if kind == "total" and since_sub > since_total and _sum(lines[since_sub:]) == amount:
            first = since_sub
        read.totals.append(
            TotalRow(
                label,
                amount,
                tuple(range(first, len(lines))),
                Located(sheet.title, r, {"amount": layout.ref("budget", r)}),
            )
        )
        since_sub = len(lines)
        if kind != "sub":
            since_total = len(lines)
    if read.complete and not lines:
        cells_of.add(
            "E-REQUIRED",
            "The Services sheet has no budget lines; add one row per commissioned service.",
        )
        read.complete = False
    return read


def _service_line(
    cells_of: CellReader, r: int, layout: Layout, funds: Sequence[Fund]
) -> ServiceLine | None:
    cells: dict[str, str] = {}
    text = {key: cells_of.text(r, layout, key, required, cells) for key, required in _TEXT_COLUMNS}
    columns = layout.columns
    for key in ("organisation_type", "mechanism", "budget", "start", "end"):
        cells[key] = layout.ref(key, r)
    organisation_type = cells_of.parse(
        r,
        columns["organisation_type"],
        "organisation_type",
        lambda raw: parse_choice(raw, contract.ORGANISATION_TYPES, "organisation type"),
    )
    mechanism = cells_of.parse(
        r,
        columns["mechanism"],
        "mechanism",
        lambda raw: parse_choice(raw, contract.MECHANISMS, "mechanism"),
    )
    budget = cells_of.parse(r, columns["budget"], "budget", parse_money)
    start = cells_of.parse(r, columns["start"], "start", parse_date)
    end = cells_of.parse(r, columns["end"], "end", parse_end_date)
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
    return ServiceLine(
        fund=canonical_fund(typed["fund"], funds),
        service=typed["service"],
        organisation=typed["organisation"],
        organisation_type=organisation_type,
        provision=typed["provision"],
        start=start_date,
        end=end_date,
        start_month_only=start_month,
        end_month_only=end_month,
        extension_options=typed["extension_options"] or options_in_end,
        mechanism=mechanism,
        how_commissioned=typed["how_commissioned"],
        purpose=typed["purpose"],
        budget=budget,
        at=Located(cells_of.sheet.title, r, cells),
        cost_code=typed["cost_code"],
        recipient_org_id=typed["recipient_org_id"],
    )


def _total_label(sheet: Sheet, r: int, layout: Layout) -> str | None:
    """The label of a typed Total row, or None for a budget line.

    ``Total``, ``TOTAL:``, ``Sub-total``, ``Grand total`` in the Fund or Service column; or a
    label such as ``Victims Fund total`` when the row has no organisation, dates or mechanism
    (a service really called "Total Safety" still has those).
    """
    columns = layout.columns
    for key in ("fund", "service"):
        text = clean_text(sheet.value(r, columns[key]))
        if contract.is_total_label(text):
            return text
        if _TOTAL_WORD.search(text) and all(
            is_blank(sheet.value(r, columns[k]))
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
