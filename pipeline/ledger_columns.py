"""A ledger table's rows → payment columns: where the header is, which column is which field,
and each row's date and amount read or reported.

Columns are found by name (case, spaces and punctuation ignored) with the aliases of
``COLUMNS``; a title block above the header, and the header repeated on each page of a
report, are skipped. A row whose date or amount cannot be read is a located finding
(``W-SPEND-VALUE``) and is not counted: nothing is dropped silently. The file itself (its bytes, encoding, layout) is :mod:`pipeline.ledger`'s concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pipeline.findings import Finding
from pipeline.ledger_pages import TOTAL_LABEL, Report, Rows, is_blank
from pipeline.ledger_values import (
    cut,
    debit_less_credit,
    first_month_first,
    gross_less_vat,
    in_pounds,
    parse_each,
    payee,
    payment_date,
    pence_column,
    signed_by_side,
    suppliers_view,
)
from pipeline.values import ValueProblem, clean_text, normalise

MAX_ROW_FINDINGS = 20  # per file: beyond this, one finding counts the rest
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
}
REQUIRED = ("date", "supplier", "amount")
PAYMENT_COLUMNS = (
    "file",
    "sheet",
    "row",
    "cell",
    "date",
    "supplier",
    "amount",
    "reference",
    "cost_code",
    "expense_type",
)


PaymentColumns = dict[str, list[object]]  # one list per name of PAYMENT_COLUMNS


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
        if all(name in mapping for name in REQUIRED) or _two_columns(mapping):
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


def read_table(
    label: str,
    sheet: str,
    rows: Rows,
    unit: str,
    formulas: Mapping[tuple[int, int], str] | None = None,
) -> tuple[list[PaymentColumns], list[Finding]]:
    """The payments of one table (a CSV, or one sheet of an .xlsx) and the findings about it.

    ``label`` names the file in findings, ``sheet`` the table, and ``unit`` what a row is
    called where a person looks for it (``line`` in a CSV, ``row`` in a sheet). ``formulas``
    are the cells, as (row, column from 1), whose formula has no usable result: such a cell
    reads as blank, and the finding says why.
    """
    findings: list[Finding] = []

    def add(code: str, message: str, cell: str = "") -> None:
        findings.append(Finding(code, label, message, sheet, cell))

    start, mapping = find_header(rows)
    if start < 0:
        near = _near_header(rows)
        if near is not None:  # a header with one field missing: say which, and its names
            number, missing, values = near
            seen = headings_said(values)
            names = ", ".join(COLUMNS[missing][:6])
            add(
                "W-SPEND-READ",
                f"{sheet}'s header ({unit} {number}: {seen}) has no {missing} column: "
                f"head it as one of {names} (the amount paid excluding VAT, as the plan's "
                "budgets are). None of its payments are counted."
                if missing == "amount"
                else f"{sheet}'s header ({unit} {number}: {seen}) has no {missing} column: "
                f"head it as one of {names}. None of its payments are counted.",
                f"{unit} {number}",
            )
            return [], findings
        first = next((values for _, values in rows if any(not is_blank(v) for v in values)), [])
        seen = headings_said(first)
        add(
            "W-SPEND-READ",
            f"{sheet} has no header row with a date, a supplier and an amount column in its "
            f"first {HEADER_SEARCH_ROWS} rows (the first row reads: {seen or 'nothing'}). "
            "Name the columns e.g. Date, Supplier, Amount; none of its payments are counted.",
        )
        return [], findings
    header = rows[start][1]
    doubled = _doubled_heading(header, mapping)
    if doubled:
        add("W-SPEND-READ", doubled, f"{unit} {rows[start][0]}")
        return [], findings
    report = Report(rows, start, mapping["date"], heading_key)
    body = report.body
    if not body:
        add(
            "W-SPEND-READ",
            f"{sheet} has its header row but no payment rows below it; export it again with "
            "its payments, or remove it from the spend folder.",
        )
        return [], findings
    # Column by column, each distinct value parsed once: a ledger repeats its dates,
    # suppliers and codes thousands of times (100,000 rows in well under a second).
    raw = {
        name: [values[col] if col < len(values) else None for _, values in body]
        for name, col in mapping.items()
    }
    month_first = first_month_first(raw["date"])
    if month_first is not None:
        number = body[month_first][0]
        add(
            "W-SPEND-READ",
            f"{sheet}'s dates are month-first (US style): {unit} {number} reads "
            f'"{clean_text(raw["date"][month_first])}", and no date in it has a day above 12 '
            "first, so its other dates cannot be read day-first (05/01/2021 would be 5 January "
            "for 1 May). Export the dates as "
            "dd/mm/yyyy (the finance system's English (UK) setting); if they are day-first, "
            "correct that row. None of its payments are counted.",
            f"{unit} {number}",
        )
        return [], findings
    dates = parse_each(raw["date"], payment_date)
    credits = raw.get("credit_note") or [None] * len(body)
    if "amount" in raw:
        amounts = pence_column(raw["amount"], credits)
    elif "gross" in raw and "vat" in raw:  # no net column: the gross less its VAT
        amounts = gross_less_vat(raw["gross"], raw["vat"], credits)
    else:  # the debit less the credit, one of them on each row
        amounts = debit_less_credit(raw["debit"], raw["credit"])
    if "debit_credit" in raw:  # an unsigned amount beside its D or C
        amounts = signed_by_side(amounts, raw["debit_credit"])
    if "currency" in raw and "currency_amount" not in raw:  # the amount in its currency
        amounts = in_pounds(amounts, raw["currency"])
    split: set[int] = set()  # CSV lines whose figure was split at its thousands comma
    if unit == "line":
        headings = _width(header)
        figures = [mapping[n] for n in ("amount", "debit", "credit") if n in mapping]
        for index, (_, values) in enumerate(body):
            if len(values) > headings:  # wider than the header: only such a line can be
                joined = next((j for c in figures if (j := _split_figure(values, c, headings))), "")
                if joined:
                    split.add(index)
                    first, _, rest = joined.partition(",")
                    amounts[index] = ValueProblem(
                        f'amount reads "{first}" and the next column "{rest}": the figure '
                        f"{joined}, written with its thousands comma and not in double quotes, "
                        f"is split at the comma (read alone, it would count as {first}); put "
                        f'the amounts in quotes ("{joined}") or export them without the comma'
                    )
    texts: dict[object, str] = {}

    def text(name: str) -> list[str]:
        column = raw.get(name)
        if column is None:
            return [""] * len(body)
        return [texts[v] if v in texts else texts.setdefault(v, clean_text(v)) for v in column]

    suppliers, references = text("supplier"), text("reference")
    codes, expenses = text("cost_code"), text("expense_type")
    columns: PaymentColumns = {name: [] for name in PAYMENT_COLUMNS}
    problems = 0
    for index, (number, _) in enumerate(body):
        when, amount = dates[index], amounts[index]
        if isinstance(when, ValueProblem) or isinstance(amount, ValueProblem):
            if report.holds_no_payment(number, body[index][1], amount):
                continue  # the report's title, "Page 2 of 9" or a page's total: no payment
            problems += 1
            if problems <= MAX_ROW_FINDINGS:
                name = "date" if isinstance(when, ValueProblem) else "amount"
                column = mapping.get(name, mapping.get("debit", 0))
                problem = (formulas or {}).get((number, column + 1))
                said = (
                    f"{name} cell {problem}" if problem else str(when if name == "date" else amount)
                )
                cells = {name: column[index] for name, column in raw.items()}
                # A CSV's line: a comma typed in a text moves the values after it.
                shifted = unit == "line" and index not in split
                why = _shifted(body[index][1], header, number) if shifted else ""
                add("W-SPEND-VALUE", _row_message(cells, said, why), f"{unit} {number}")
            continue
        report.count(number, amount)
        columns["row"].append(number)
        columns["cell"].append(f"{unit} {number}")
        columns["date"].append(when)
        columns["supplier"].append(suppliers[index])
        columns["amount"].append(amount)
        columns["reference"].append(references[index])
        columns["cost_code"].append(codes[index])
        columns["expense_type"].append(expenses[index])
    if "debit_credit" in raw or "amount" not in raw:
        backwards = suppliers_view(columns["amount"], sheet)
        if backwards:
            add("W-SPEND-READ", backwards)
            return [], findings
    columns["file"] = [label] * len(columns["row"])
    columns["sheet"] = [sheet] * len(columns["row"])
    if problems > MAX_ROW_FINDINGS:
        add(
            "W-SPEND-VALUE",
            f"{problems - MAX_ROW_FINDINGS} more rows of {sheet} cannot be read either and "
            "are not counted (only the first 20 are listed); check the date and amount "
            "columns of the export.",
        )
    return [columns], findings


def _doubled_heading(header: Sequence[object], mapping: Mapping[str, int]) -> str:
    """What to do when a column read is headed like another (two "Amount" columns: net and
    gross, or this year and last): which holds the payment is never guessed. Empty if none."""
    keys = [heading_key(v) for v in header]
    for col in mapping.values():
        same = [i + 1 for i, key in enumerate(keys) if key == keys[col]]
        if len(same) > 1:
            where = " and ".join(str(i) for i in same)
            return (
                f'Columns {where} are both headed "{clean_text(header[col])}", so which one '
                "holds each payment's figure cannot be told; rename or remove the other and "
                "export again. None of its payments are counted."
            )
    return ""


def _width(values: Sequence[object]) -> int:
    """How many values a row holds, up to its last one filled."""
    return next((i + 1 for i in range(len(values) - 1, -1, -1) if not is_blank(values[i])), 0)


_GROUP_HEAD = re.compile(r"[-(]?\s*£?\s*-?\d{1,3}")  # "6", "£6", "-6", "(6" of 6,250.00
_GROUP_TAIL = re.compile(r"\d{3}(\.\d{1,2})?\)?")  # "250.00", "250", "250.00)"


def _split_figure(values: Sequence[object], column: int, headings: int) -> str:
    """The figure a CSV line wider than its header holds in ``column`` and the next
    columns, joined again, when it was split at its thousands commas: ``6`` then ``250.00``
    is 6,250.00 written without quotes (read alone, £6). Empty when the values are no such
    figure: no more groups are joined than the line has values beyond its header."""
    extra = _width(values) - headings
    head = clean_text(values[column]).strip() if column < len(values) else ""
    if extra <= 0 or not _GROUP_HEAD.fullmatch(head):
        return ""
    parts = [head]
    for value in values[column + 1 : column + 1 + extra]:
        text = clean_text(value).strip()
        if not _GROUP_TAIL.fullmatch(text):
            break
        parts.append(text)
        if not text.isdigit():  # its pence or its closing bracket: the figure's end
            break
    return ",".join(parts) if len(parts) > 1 else ""


def _shifted(values: Sequence[object], header: Sequence[object], number: int) -> str:
    """Why a CSV line's values are in the wrong columns, when it has more of them than its
    header has headings: a comma typed in a text (a narrative, a supplier's name) that was not
    put in quotes splits it in two, and every value after it moves one column right, so its
    amount column holds a word. Empty when the line is no wider than its header."""
    width, headings = _width(values), _width(header)
    if width <= headings:
        return ""
    return (
        f" Line {number} has {width} values where the header has {headings} headings: a "
        "comma in a text that is not in double quotes splits it, and moves the values after "
        'it into the next columns; put that text in quotes ("Q1 grant, part 1") or take '
        "the comma out."
    )


def _row_message(cells: dict[str, object], problem: str, why: str = "") -> str:
    label = next(
        (clean_text(v) for v in cells.values() if TOTAL_LABEL.search(clean_text(v) or "")), ""
    )
    if label:
        return (
            f'This row reads "{label}", a total rather than a payment, and is not counted; '
            "remove it from the export to clear this note."
        )
    supplier = payee(clean_text(cells.get("supplier"))) or "no supplier"
    return (
        f"The payment to {supplier} is not counted: its {problem}.{why} Correct the row in "
        "the export and run again."
    )
