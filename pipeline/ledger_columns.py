"""A ledger table's rows → payment columns: where the header is, which column is which field,
and each row's date and amount read or reported.

Columns are found by name (case, spaces and punctuation ignored) with the aliases of
``COLUMNS``; a title block above the header, and the header repeated on each page of a
report, are skipped. A row whose date or amount cannot be read is a located finding
(``W-SPEND-VALUE``) and is not counted: nothing is dropped silently. The header and its headings are :mod:`pipeline.ledger_headings`'; the file itself (its
bytes, encoding, layout) is :mod:`pipeline.ledger`'s concern.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.findings import Finding
from pipeline.ledger_currency import in_pounds, not_in_pounds
from pipeline.ledger_headings import find_header, heading_key, no_header
from pipeline.ledger_lines import shifted, split_figures
from pipeline.ledger_pages import TOTAL_LABEL, Report, Rows
from pipeline.ledger_sage import Kind, Tally, kinds, settled
from pipeline.ledger_values import (
    debit_less_credit,
    first_month_first,
    gross_less_vat,
    parse_each,
    payee,
    payment_date,
    pence_column,
    signed_by_side,
    suppliers_view,
)
from pipeline.values import ValueProblem, clean_text

MAX_ROW_FINDINGS = 20  # per file: beyond this, one finding counts the rest
_TEXTS = ("supplier", "reference", "cost_code", "expense_type", "body")  # a payment's texts
PAYMENT_COLUMNS = ("file", "sheet", "row", "cell", "date", "amount", *_TEXTS)


PaymentColumns = dict[str, list[object]]  # one list per name of PAYMENT_COLUMNS


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
    start, mapping = find_header(rows)
    if start < 0:
        return _refused(label, sheet, *no_header(sheet, rows, unit))
    number, header = rows[start]
    doubled = _doubled_heading(header, mapping)
    if doubled:
        return _refused(label, sheet, doubled, f"{unit} {number}")
    report = Report(rows, start, mapping["date"], heading_key)
    body = report.body
    if not body:
        return _refused(
            label,
            sheet,
            f"{sheet} has its header row but no payment rows below it; export it again with "
            "its payments, or remove it from the spend folder.",
        )
    # Column by column, each distinct value parsed once: a ledger repeats its dates,
    # suppliers and codes thousands of times (100,000 rows in well under a second).
    raw = {
        name: [values[col] if col < len(values) else None for _, values in body]
        for name, col in mapping.items()
    }
    month_first = first_month_first(raw["date"])
    if month_first is not None:
        said = _month_first(sheet, unit, body[month_first][0], raw["date"][month_first])
        return _refused(label, sheet, *said)
    typed = kinds(raw["sage_type"]) if "sage_type" in raw else None
    if "sage_type" in raw and typed is None:  # a Type and an Account, but not Sage's codes
        return _refused(label, sheet, *no_header(sheet, rows, unit))
    if "credit_note" in raw and typed is None:  # invoices and the payments of them?
        typed = settled(raw["credit_note"], raw["supplier"]) if "supplier" in raw else None
    table = _Table(label, sheet, unit, header, mapping, body, raw, formulas or {}, typed)
    columns, findings, problems = _payments(table, report)
    backwards = table.backwards(columns["amount"])
    if backwards:  # none counted: nor said to be
        kept = [f for f in findings if f.code != "I-SPEND-AUDIT-TRAIL"]
        return [], [*kept, table.finding("W-SPEND-READ", backwards)]
    columns["file"] = [label] * len(columns["row"])
    columns["sheet"] = [sheet] * len(columns["row"])
    if problems > MAX_ROW_FINDINGS:
        findings.append(
            table.finding(
                "W-SPEND-VALUE",
                f"{problems - MAX_ROW_FINDINGS} more rows of {sheet} cannot be read either and "
                "are not counted (only the first 20 are listed); check the date and amount "
                "columns of the export.",
            )
        )
    return [columns], findings


def _refused(
    label: str, sheet: str, message: str, cell: str = ""
) -> tuple[list[PaymentColumns], list[Finding]]:
    """No payments from the table, and the one finding that says why."""
    return [], [Finding("W-SPEND-READ", label, message, sheet, cell)]


def _month_first(sheet: str, unit: str, number: int, value: object) -> tuple[str, str]:
    """What to do, and where, when the table's dates are written month first."""
    return (
        f"{sheet}'s dates are month-first (US style): {unit} {number} reads "
        f'"{clean_text(value)}", and no date in it has a day above 12 first, so its other '
        "dates cannot be read day-first (05/01/2021 would be 5 January for 1 May). Export the "
        "dates as dd/mm/yyyy (the finance system's English (UK) setting); if they are "
        "day-first, correct that row. None of its payments are counted.",
        f"{unit} {number}",
    )


@dataclass(frozen=True)
class _Table:
    """One table under its header found: its rows, column by column as the header maps
    them, and where a person finds them."""

    label: str
    sheet: str
    unit: str
    header: Sequence[object]
    mapping: Mapping[str, int]
    body: Rows
    raw: dict[str, list[object]]  # each field's value on each row of the body
    formulas: Mapping[tuple[int, int], str]
    kinds: Sequence[Kind] | None = None  # a Sage audit trail's rows, by their Type

    def audit(self) -> Tally | None:
        """A Sage audit trail's rows, tallied as they are read; None for a ledger of
        payments."""
        if self.kinds is None:
            return None
        unsigned = [None] * len(self.body)
        printed = pence_column(self.raw["amount"], unsigned) if "amount" in self.raw else []
        sage = "sage_type" in self.raw
        types = self.raw["sage_type" if sage else "credit_note"]
        return Tally(self.kinds, types, printed, sage)

    def finding(self, code: str, message: str, cell: str = "") -> Finding:
        return Finding(code, self.label, message, self.sheet, cell)

    def amounts(self) -> list[int | ValueProblem]:
        """Each row's amount in pence, from the columns the export has: the amount (net of
        VAT), or the gross less its VAT, or the debit less the credit; signed by its debit or
        credit mark."""
        raw = self.raw
        credits = raw.get("credit_note") or [None] * len(self.body)
        if self.kinds is not None:  # a Sage purchase credit note (PC), its net unsigned
            credits = ["CRN" if kind is Kind.CREDIT else None for kind in self.kinds]
        if "amount" in raw:
            amounts = pence_column(raw["amount"], credits)
        elif "gross" in raw and "vat" in raw:  # no net column: the gross less its VAT
            amounts = gross_less_vat(raw["gross"], raw["vat"], credits)
        else:  # the debit less the credit, one of them on each row
            amounts = debit_less_credit(raw["debit"], raw["credit"])
        if "debit_credit" in raw:  # an unsigned amount beside its D or C
            amounts = signed_by_side(amounts, raw["debit_credit"])
        return amounts

    def foreign(self) -> set[int]:
        """The indexes of the rows whose amount is in another currency than pounds (with no
        amount in the invoice's currency beside it, where the amount is then in pounds)."""
        currencies = self.raw.get("currency")
        if currencies is None or "currency_amount" in self.raw:
            return set()
        return {i for i, currency in enumerate(currencies) if not in_pounds(currency)}

    def texts(self) -> dict[str, list[str]]:
        """Each text of a payment on each row, each distinct value cleaned once."""
        cleaned: dict[object, str] = {}

        def text(column: list[object]) -> list[str]:
            return [
                cleaned[v] if v in cleaned else cleaned.setdefault(v, clean_text(v)) for v in column
            ]

        blank = [""] * len(self.body)
        texts = {name: text(self.raw[name]) if name in self.raw else blank for name in _TEXTS}
        if self.kinds is not None and "details" in self.raw:  # a bank payment's payee
            details = text(self.raw["details"])
            texts["supplier"] = [
                named if kind is Kind.BANK and named else account
                for kind, named, account in zip(self.kinds, details, texts["supplier"], strict=True)
            ]
        return texts

    def unread(
        self, index: int, when: object, amount: object, split: bool, total: str = ""
    ) -> Finding:
        """The finding about the row at ``index`` whose date or amount cannot be read; a CSV
        line not ``split`` at a figure's comma may have a text's comma that moved its values.
        ``total``: what to say of it when it is a total that does not add up."""
        number, values = self.body[index]
        if total:
            return self.finding("W-SPEND-VALUE", total, f"{self.unit} {number}")
        name = "date" if isinstance(when, ValueProblem) else "amount"
        column = self.mapping.get(name, self.mapping.get("debit", 0))
        problem = self.formulas.get((number, column + 1))
        said = f"{name} cell {problem}" if problem else str(when if name == "date" else amount)
        cells = {field: column_values[index] for field, column_values in self.raw.items()}
        why = shifted(values, self.header, number) if self.unit == "line" and not split else ""
        return self.finding(
            "W-SPEND-VALUE", _row_message(cells, said, why), f"{self.unit} {number}"
        )

    def backwards(self, amounts: Sequence[object]) -> str:
        """What to do when the amounts signed by a debit/credit mark, or taken from two
        columns, read as the supplier's view (every payment a credit). Empty if not."""
        if "debit_credit" in self.raw or "amount" not in self.raw or self.kinds is not None:
            return suppliers_view(amounts, self.sheet)
        return ""


def _payments(table: _Table, report: Report) -> tuple[PaymentColumns, list[Finding], int]:
    """The table's rows read into payments, the findings about the rows that cannot be read
    (up to :data:`MAX_ROW_FINDINGS`), and how many of those there are. A row that is the
    report's own (its title, "Page 2 of 9", a page's total) is neither."""
    dates = parse_each(table.raw["date"], payment_date)
    amounts = table.amounts()
    split: set[int] = set()  # CSV lines whose figure was split at its thousands comma
    if table.unit == "line":
        figures = [table.mapping[n] for n in ("amount", "debit", "credit") if n in table.mapping]
        split = split_figures(table.body, table.header, figures, amounts)
    texts = table.texts()
    foreign = table.foreign()
    columns: PaymentColumns = {name: [] for name in PAYMENT_COLUMNS}
    findings: list[Finding] = []
    problems = 0
    not_pounds: list[tuple[int, object]] = []
    audit = table.audit()
    for index, (number, values) in enumerate(table.body):
        when, amount = dates[index], amounts[index]
        if audit and audit.leaves_out(index, amount):  # a purchase payment, a sale, a journal
            if isinstance(amount, int):
                report.count(number, amount)  # in the report's totals all the same
            continue
        if audit and audit.untyped(index) and not isinstance(when, ValueProblem):
            when = ValueProblem(audit.untyped(index))  # a payment? its type says
        if isinstance(when, ValueProblem) or isinstance(amount, ValueProblem):
            if not report.holds_no_payment(number, values, amount):
                problems += 1
                if problems <= MAX_ROW_FINDINGS:
                    total = report.unadded(values, amount)  # a total that does not add up
                    findings.append(table.unread(index, when, amount, index in split, total))
            continue
        if index in foreign:  # said once for the table, below
            not_pounds.append((number, table.raw["currency"][index]))
            continue
        report.count(number, audit.as_printed(index, amount) if audit else amount)
        columns["row"].append(number)
        columns["cell"].append(f"{table.unit} {number}")
        columns["date"].append(when)
        columns["amount"].append(amount)
        for name in _TEXTS:
            columns[name].append(texts[name][index])
    notes = _table_notes(table, audit, not_pounds, len(columns["row"]))
    return columns, notes + findings, problems


def _table_notes(
    table: _Table, audit: Tally | None, not_pounds: list[tuple[int, object]], counted: int
) -> list[Finding]:
    """What is said once for the table, before its rows' findings: what an audit trail counted
    and left out, and the payments in another currency."""
    notes: list[Finding] = []
    if audit:
        audit.counted = counted
        notes.append(audit.note(table.label, table.sheet))
    if not_pounds:
        said = not_in_pounds(table.sheet, table.unit, not_pounds)
        notes.append(table.finding("W-SPEND-VALUE", said, f"{table.unit} {not_pounds[0][0]}"))
    return notes


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
