"""The Local Government Transparency Code 2015 files: grants to the voluntary sector, contracts.

The Code (which the Elected Local Policing Bodies (Specified Information) Order 2011 echoes
for policing bodies) asks for two lists that the plan already holds:

- ``grants-<year>.csv``: every grant to a voluntary, community or social enterprise
  organisation: date awarded, the period, the awarding body, the beneficiary and its
  registration number, the purpose and the amount;
- ``contracts-<year>.csv``: every contract over £5,000: reference, title, description, supplier,
  value (this year's budget, and what the contract carries into later years: as a multi-year
  plan budgets them, else at this year's rate, as the commitments beyond the year have it),
  start, end and review dates, how it was
  procured, and whether the supplier is a voluntary body (from its organisation type; the plan
  does not record a private supplier's size). The £5,000 is the contract's value, not one
  year's: £3,000 a year for three years is a contract over £5,000.

The amounts' headings name the year (``Value in 2021/22 (£)``): a line's budget is the year's,
and a reader of a contract running from 2018 to 2024 would take a bare "Value" for the whole.

Partnership agreements (with other public bodies) are in neither. The files are CSV in UTF-8
with a byte-order mark, so Excel opens them with "£" and Welsh letters intact; text that a
spreadsheet would run as a formula gets a leading apostrophe; amounts are plain numbers with
their pence, never rounded; dates are ISO (``2021-05-28``), which no spreadsheet reads month
first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from pipeline.commitments import ZERO, commitments
from pipeline.model import Plan, ServiceLine
from pipeline.org_ids import parse_org_id
from pipeline.textsafe import cell_text_not_formula
from pipeline.three_sixty import award_date, line_key, public_text
from pipeline.values import PENNY, slugify

GRANT = "Grant"
CONTRACT = "Contract"
CONTRACT_THRESHOLD = Decimal(5000)  # the Code: contracts with a value over £5,000
VOLUNTARY_SECTOR = ("Voluntary & community", "Social enterprise")

GRANT_COLUMNS = (
    "Date awarded",
    "Start date",
    "End date",
    "Awarding body",
    "Beneficiary",
    "Registration number",
    "Purpose",
    "Amount in {year} (£)",
)
CONTRACT_COLUMNS = (
    "Reference",
    "Title",
    "Description",
    "Awarding body",
    "Supplier",
    "Supplier registration number",
    "SME or voluntary body",
    "Value in {year} (£)",
    "Value in later years (£)",
    "Start date",
    "End date",
    "Review date",
    "Extension options",
    "How procured",
)
# What the plan's organisation type says about the Code's "SME or voluntary" question.
SUPPLIER_KIND = {
    "Voluntary & community": "Voluntary or community organisation",
    "Social enterprise": "Social enterprise (voluntary sector)",
    "Private": "Private company (size not recorded)",
    "Public sector": "Public body",
}

Row = list[str]


def grant_columns(plan: Plan) -> list[str]:
    """The grants file's header, its amount's heading naming the plan's year."""
    return [c.format(year=plan.decision.year_label) for c in GRANT_COLUMNS]


def contract_columns(plan: Plan) -> list[str]:
    """The contracts file's header, its value's heading naming the plan's year."""
    return [c.format(year=plan.decision.year_label) for c in CONTRACT_COLUMNS]


def grants_name(plan: Plan) -> str:
    """``grants-2021-22.csv`` for the 2021/22 plan."""
    return f"grants-{slugify(plan.decision.year_label)}.csv"


def contracts_name(plan: Plan) -> str:
    """``contracts-2021-22.csv`` for the 2021/22 plan."""
    return f"contracts-{slugify(plan.decision.year_label)}.csv"


def grant_rows(plan: Plan) -> list[Row]:
    """One row per grant to a voluntary, community or social enterprise organisation."""
    awarded = award_date(plan.decision)
    body = plan.decision.body
    return [
        [
            _day(awarded),
            _day(line.start),
            _day(line.end),
            _text(body),
            _text(line.organisation),
            _registration(line),
            _text(_purpose(line)),
            _money(line.budget),
        ]
        for line in plan.lines
        if line.mechanism == GRANT and line.organisation_type in VOLUNTARY_SECTOR
    ]


def contract_rows(plan: Plan) -> list[Row]:
    """One row per contract whose value is over £5,000: its budget this year and what it
    carries into later years (extension options not taken up are no part of it)."""
    decision = plan.decision
    reference = slugify(decision.reference)  # once, not once per line
    later = {id(c.line): c.total for c in commitments(plan).lines}
    return [
        [
            f"{reference}-{line_key(line)}",  # as stable as a 360Giving id
            _text(line.service),
            _text(line.provision),
            _text(decision.body),
            _text(line.organisation),
            _registration(line),
            SUPPLIER_KIND.get(line.organisation_type, ""),
            _money(line.budget),
            _money(later.get(id(line), ZERO)),
            _day(line.start),
            _day(line.end),
            # Every line is reviewed with next year's plan, or when it ends if that is sooner.
            _day(min(line.end, decision.year_end)),
            _text(line.extension_options),
            _text(line.how_commissioned),
        ]
        for line in plan.lines
        if line.mechanism == CONTRACT
        and line.budget + later.get(id(line), ZERO) > CONTRACT_THRESHOLD
    ]


def to_csv(columns: Sequence[str], rows: Sequence[Row]) -> bytes:
    """The header and rows as CSV: UTF-8 with a byte-order mark, CRLF line ends (as Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_grants(plan: Plan, target: Path) -> bool:
    """Write ``grants-<year>.csv`` to ``target``; False (nothing written) if it has no rows."""
    return _write(grant_columns(plan), grant_rows(plan), target)


def write_contracts(plan: Plan, target: Path) -> bool:
    """Write ``contracts-<year>.csv`` to ``target``; False (nothing written) if it has no rows."""
    return _write(contract_columns(plan), contract_rows(plan), target)


def _write(columns: Sequence[str], rows: Sequence[Row], target: Path) -> bool:
    if not rows:
        return False
    target.write_bytes(to_csv(columns, rows))
    return True


def _text(raw: str) -> str:
    """Published text (no contact details or invisible characters) that is never a formula."""
    return cell_text_not_formula(public_text(raw))


def _purpose(line: ServiceLine) -> str:
    provision = public_text(line.provision)
    service = public_text(line.service)
    if not provision or provision.casefold() == service.casefold():
        return service
    return f"{service}: {provision}"


def _registration(line: ServiceLine) -> str:
    """The recipient's org-id (``GB-CHC-1151444``) when the plan gives a well-formed one."""
    org_id = parse_org_id(line.recipient_org_id)
    return "" if org_id is None else _text(org_id.text)


def _money(amount: Decimal) -> str:
    """``82661.00``: a plain number a spreadsheet reads as one, pence exact."""
    return format(amount.quantize(PENNY), "f")


def _day(day: dt.date) -> str:
    return day.isoformat()
