"""A ledger table's header: the headings accepted for each field of a payment (``COLUMNS``),
a heading folded for matching, the header row found among a report's first rows, and what to
say when none is found.

Columns are found by name (case, spaces and punctuation ignored) with the aliases of
``COLUMNS``; a Welsh force's heading in both languages by the side of it known here. The rows
under the header are :mod:`pipeline.ledger_columns`' concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pipeline.ledger_pages import Rows, is_blank
from pipeline.ledger_sage import audit_trail
from pipeline.ledger_values import cut
from pipeline.values import clean_text, normalise

HEADER_SEARCH_ROWS = 25  # a report's title block above the header (as a plan's sheets)

# Each field's accepted headings, in order of preference (the first present wins).
# Beyond the Transparency Code's own headings, those of the finance systems' exports other
# forces and offices publish (SAP's "Vendor name" and "Clearing date", Oracle's "Net value",
# Agresso's Transparency Code export with "Supplier (beneficiary)" and "Procurement category").
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": (
        "Date",
        "Transaction date",
        "Payment date",
        "Date paid",
        "Paid date",
        "Clearing date",
        "Posting date",
        "Invoice date",
        "Voucher date",
        "Trans date",
        "Document date",
        "Date of payment",
        "Date of transaction",
    ),
    # A name before a bare heading: SAP's "Vendor" (and many a creditor report's "Supplier")
    # holds the account number, with the name beside it under "Vendor name".
    "supplier": (
        "Supplier name",
        "Payee name",
        "Vendor name",
        "Creditor name",
        "Recipient name",
        "Merchant name",
        "Supplier (beneficiary)",
        "Supplier(T)",  # Agresso (Unit4): the name, beside "Supplier", its number
        "Name of offsetting account",  # SAP's cost centre line items (KSB1)
        "Supplier or party",  # Oracle Fusion's payments register
        "Supplier",
        "Payee",
        "Vendor",
        "Creditor",
        "Beneficiary",
        "Recipient",
    ),
    # The amount net of VAT before a bare one, which beside it is the gross paid: the plan's
    # budgets are net of VAT.
    "amount": (
        "Net amount",
        "Amount excluding VAT",
        "Amount excl VAT",
        "Net value",
        "Net",
        "Amount net",
        "Net cost",
        "Amount exc VAT",
        "Amount ex VAT",
        "Net amount excl VAT",
        "Net amount excluding VAT",
        "Amount",
        "Amount (£)",
        "Amount paid",
        "Value",
        "Payment amount",
        "Transaction amount",
        "Invoice amount",  # Oracle's invoice register, where no amount paid is beside it
        # SAP's line items (FBL1N, FBL3N; KSB1), in pounds: local or report currency, never
        # the document currency (an invoice in euros).
        "Amount in local currency",
        "Amount in LC",
        "Amt in loc.cur.",
        "Value in report currency",
        "Val.in rep.cur.",
    ),
    "reference": (
        "Transaction number",
        "Voucher number",
        "Invoice number",
        "URI",
        "Transaction ID",
        "Transaction reference",
        "Document number",
        "Payment reference",
        "Invoice no",
        "Transaction no",
        "Voucher no",
        "Invoice num",  # Oracle's invoice and payment registers
        "Document no",
        "Reference",
    ),
    # A code before a bare heading, which beside it holds the cost centre's name ("Cost
    # centre" = Victims Services, "Cost centre code" = VS01); a cost centre (SAP's "Cost
    # Center") before the Transparency Code's service area, a category such as "Police".
    "cost_code": (
        "Cost centre code",
        "Cost center code",
        "Cost centre",
        "Cost center",
        "Cost code",
        "Service area",
        "Service area categorisation",
    ),
    "expense_type": (
        "Expense type",
        "G/L description",
        "Text",
        "Expenses type",
        "Detailed expenses type",
        "Expenditure category",
        "Expense description",
        "Procurement category",
        "Purpose of expenditure (narrative)",
        "Detail description",
        "Subjective description",
    ),
    # The amount's currency; beside an amount in the invoice's currency (Agresso's "Cur.
    # amount"), the amount is in pounds.
    "currency": ("Currency", "Currency code", "Transaction currency"),
    "currency_amount": ("Cur. amount", "Currency amount", "Amount in currency"),
    "credit_note": ("INV/CRN", "Document type", "Transaction type", "Invoice type"),
    "debit_credit": (
        "D/C",
        "Dr/Cr",
        "Debit/Credit",
        "Debit or credit",
        "D/C indicator",
        "Dr/Cr indicator",
        "Debit/Credit indicator",
        "Debit/Credit ind",
        "D/C ind",
        "DC",
        "Cr/Dr",
    ),
    # Or no amount column but the gross paid and its VAT (Civica's and other councils'
    # systems' exports): the net is the gross less the VAT.
    "gross": ("Gross amount", "Gross", "Gross value", "Amount including VAT", "Amount incl VAT"),
    "vat": ("VAT amount", "VAT", "VAT value", "Tax amount"),
    # Or no amount column but two, a debit and a credit, as Sage's and Xero's reports have it.
    "debit": ("Debit", "Debit amount", "Debits", "Dr"),
    "credit": ("Credit", "Credit amount", "Credits", "Cr"),
    # The body that paid, as the Transparency Code's spend files name it: another's is said.
    "body": ("Body name",),
}
REQUIRED = ("date", "supplier", "amount")


def header_key(text: object) -> str:
    """A heading folded for matching: case, spaces and punctuation ignored (``Amount (£)``
    is ``amount``, ``INV/CRN`` is ``inv crn``), and so are a currency named in letters and
    the format of a date (``Amount (GBP)`` is ``amount``, ``Date (dd/mm/yyyy)`` is ``date``)."""
    words = re.sub(r"[^\w]+", " ", normalise(text)).split()
    return " ".join(word for word in words if word not in _HINTS)


_HINTS = frozenset(("gbp", "dd", "mm", "yy", "yyyy"))


_ALIASES = {field: tuple(header_key(a) for a in names) for field, names in COLUMNS.items()}
_KNOWN = frozenset(key for keys in _ALIASES.values() for key in keys)
_SIDES = re.compile(r"\s*/\s*|\s*\n\s*")  # "Dyddiad / Date", "Swm\nAmount"


def heading_key(text: object) -> str:
    """A column's heading folded for matching (:func:`header_key`), and a Welsh force's
    heading in both languages ("Dyddiad / Date", "Supplier / Cyflenwr") as the one of its
    two sides that is a heading known here."""
    key = header_key(text)
    if key in _KNOWN or not isinstance(text, str) or not _SIDES.search(text):
        return key
    sides = [header_key(side) for side in _SIDES.split(text.strip())]
    known = [side for side in sides if side in _KNOWN]
    return known[0] if len(sides) == 2 and len(known) == 1 else key


def find_header(rows: Rows) -> tuple[int, dict[str, int]]:
    """The index of the header row in ``rows`` and the column of each field found; -1 when
    none of the first rows names a date, a supplier and an amount."""
    for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [heading_key(v) for v in values]
        mapping: dict[str, int] = {}
        for name, aliases in _ALIASES.items():
            for alias in aliases:
                if alias in keys:
                    mapping[name] = keys.index(alias)
                    break
        if (
            all(name in mapping for name in REQUIRED)
            or _two_columns(mapping)
            or audit_trail(keys, mapping)  # Sage's: an Account and a Type, no supplier
        ):
            return index, mapping
    return -1, {}


def _two_columns(mapping: Mapping[str, int]) -> bool:
    """A header with a date and a supplier, and a debit and a credit column for the amount,
    or the gross and its VAT."""
    return (
        "date" in mapping
        and "supplier" in mapping
        and ({"debit", "credit"} <= mapping.keys() or {"gross", "vat"} <= mapping.keys())
    )


def _near_header(rows: Rows) -> tuple[int, str, Sequence[object]] | None:
    """The first of the first rows that names two of a date, a supplier and an amount: its
    number, the field it lacks, its values (a gross with no net amount, nor its VAT)."""
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        keys = {heading_key(v) for v in values}
        found = [name for name in REQUIRED if any(a in keys for a in _ALIASES[name])]
        if len(found) == len(REQUIRED) - 1:
            missing = next(name for name in REQUIRED if name not in found)
            return number, missing, values
    return None


def headings_said(values: Sequence[object], limit: int = 300) -> str:
    """The row's headings, quoted, as a finding names them: whole headings up to about
    ``limit`` characters, then how many more (a heading cut in half read as another)."""
    said: list[str] = []
    quoted = [f'"{cut(clean_text(v))}"' for v in values if not is_blank(v)]
    for heading in quoted:
        if said and sum(len(h) + 2 for h in said) + len(heading) > limit:
            return ", ".join(said) + f" and {len(quoted) - len(said)} more"
        said.append(heading)
    return ", ".join(said)


def no_header(sheet: str, rows: Rows, unit: str) -> tuple[str, str]:
    """What to do, and where, when no row of the first ones heads the table: a header with
    one field missing says which and its names; else what the first row reads."""
    near = _near_header(rows)
    if near is None:
        first = next((values for _, values in rows if any(not is_blank(v) for v in values)), [])
        return (
            f"{sheet} has no header row with a date, a supplier and an amount column in its "
            f"first {HEADER_SEARCH_ROWS} rows (the first row reads: "
            f"{headings_said(first) or 'nothing'}). Name the columns e.g. Date, Supplier, "
            "Amount; none of its payments are counted.",
            "",
        )
    number, missing, values = near
    why = (
        " (the amount paid excluding VAT, as the plan's budgets are)" if missing == "amount" else ""
    )
    return (
        f"{sheet}'s header ({unit} {number}: {headings_said(values)}) has no {missing} column: "
        f"head it as one of {', '.join(COLUMNS[missing][:6])}{why}. None of its payments are "
        "counted.",
        f"{unit} {number}",
    )
