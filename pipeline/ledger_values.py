"""One ledger cell → a typed value: an amount in integer pence, a payment date, a credit note.

Money is **integer pence** in the payments table (see :mod:`pipeline.ledger`); pounds are only
made again, as ``Decimal``, where a figure leaves the spend modules (:func:`pounds`). A value
that cannot be read raises :class:`~pipeline.values.ValueProblem`, which the column reader turns
into a located finding.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import TypeVar

from pipeline.values import (
    PENNY,
    ValueProblem,
    clean_text,
    format_money,
    normalise,
    parse_date,
    parse_money,
)

MAX_NAME_SAID = 300  # characters of a supplier's name a finding repeats
MAX_CODE_SAID = 60  # of a reference or a cost code
_PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")
# A time after the date, as Excel (9:30 AM) or a system's API (T00:00:00Z, +01:00) writes it.
_TIME_SUFFIX = re.compile(
    r"^(.+?)[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?$"
)
_YEAR_FIRST = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")  # 2021/04/06: never day-first
# 20210415, as SAP and report tools write a date with no separators (ISO 8601's basic form).
# A year of 19xx or 20xx first can never be read day-first: 20/21/0415 is no date.
_COMPACT = re.compile(r"((?:19|20)\d{2})(\d{2})(\d{2})")
_REDACTED = re.compile(r"redact|withheld|personal data|not disclosed", re.IGNORECASE)
_PERSON = re.compile(r"(mr|mrs|ms|miss|mx|dr|prof|rev|revd|sir|dame)\b\.?\s", re.IGNORECASE)
# A credit note as finance systems name it in a document type column: Agresso's CRN, Oracle
# Payables' "Credit Memo", SAP's "Credit memo", a plural or a short CN. Nothing looser ("Credit
# card" is how a payment was made, not a credit).
_CREDIT = frozenset(
    (
        "crn",
        "cr",
        "cn",
        "credit",
        "credit note",
        "credit notes",
        "credit memo",
        "credit memos",
        "credit memorandum",
    )
)
# The minus sign proper (U+2212) and the en dash a word processor makes of a hyphen, as a
# figure copied from a web page or a report has them: a credit, as "-" is (it was read as the
# plan's "negative budget" and the credit not counted).
_MINUS = str.maketrans(dict.fromkeys("\u2212\u2013\ufe63\uff0d", "-"))
_CREDIT_DEBIT = re.compile(r"(?<=\d)\s*(CR|DR)$", re.IGNORECASE)
# A debit/credit column beside an unsigned amount, as Oracle's, SAP's and Sage's exports have
# it: D or Dr a debit (spend), C or Cr a credit (a refund or a reversal). S and H are SAP's own
# (Soll and Haben), shown so in its English screens too.
_DEBIT_SIDE = frozenset(("d", "dr", "db", "debit", "s"))
_CREDIT_SIDE = frozenset(("c", "cr", "credit", "h"))

_Parsed = TypeVar("_Parsed")
_Key = TypeVar("_Key", bound=Hashable)


def is_redacted(supplier: str) -> bool:
    """A supplier name withheld as personal data (``REDACTED``, ``Personal data withheld``)."""
    return bool(_REDACTED.search(supplier))


def payee(supplier: str) -> str:
    """The payee as a finding names it: the supplier (cut if very long), unless the name is a
    person's (a title such as Mr or Dr first, or an e-mail address). A finance system's export names people
    paid a refund or expenses; findings reach the review note and the index page, so they
    locate the row instead (the internal position workbook lists the name to act on)."""
    if _PERSON.match(supplier) or "@" in supplier:
        return "a payee (a person's name, not repeated here; see the row)"
    if len(supplier) > MAX_NAME_SAID:  # a whole file swallowed by one quote, or an attack
        return f"{supplier[:MAX_NAME_SAID]}… ({len(supplier):,} characters)"
    return supplier


def cut(text: str, limit: int = MAX_CODE_SAID) -> str:
    """A reference, cost code or redaction note as a finding repeats it: cut when very long
    (a hostile cell of a megabyte must not become a megabyte in every finding)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def pounds(pence: int) -> Decimal:
    """Integer pence back to pounds and pence, exactly (always two places: ``1.00``)."""
    return Decimal(int(pence)).scaleb(-2)  # a shift of the point: no division, no rounding


def parse_each(
    values: Sequence[_Key], parse: Callable[[_Key], _Parsed]
) -> list[_Parsed | ValueProblem]:
    """``parse`` of each value, computed once per distinct value; a problem in place of the
    value that cannot be read."""
    seen: dict[_Key, _Parsed | ValueProblem] = {}
    for value in set(values):
        try:
            seen[value] = parse(value)
        except ValueProblem as problem:
            seen[value] = problem
    return [seen[value] for value in values]


def pence_column(values: Sequence[object], credits: Sequence[object]) -> list[int | ValueProblem]:
    """Each amount in pence. Plain figures typed as text (``1234.5``, ``-£1,234.56``), what
    CSV exports hold, are converted by pandas in one pass, exactly (digits, never a float);
    the rest by :func:`amount_pence` one distinct value at a time."""
    import pandas as pd

    text = pd.Series(list(values), dtype=object)
    is_text = text.map(lambda value: isinstance(value, str)).astype(bool)
    stripped = text[is_text].astype(str).str.strip()
    plain = stripped[stripped.str.fullmatch(_PLAIN_TEXT)]
    if plain.empty:
        return parse_each(list(zip(values, credits, strict=True)), _amount_pair)
    minus = plain.str.startswith("-")
    parts = plain.str.replace(r"[-£,]", "", regex=True).str.partition(".")
    pence = parts[0].astype("int64") * 100 + parts[2].str.ljust(2, "0").astype("int64")
    credit = {value: is_credit(value) for value in set(credits)}
    # A credit note is negative whether its amount is printed with a minus or not.
    negative = minus | pd.Series([credit[c] for c in credits], dtype=bool)[plain.index]
    signed = pence.where(~negative, -pence)
    result: list[int | ValueProblem] = [0] * len(values)
    for index, amount in zip(plain.index, signed.tolist(), strict=True):
        result[index] = int(amount)
    rest = [i for i in text.index.difference(plain.index)]
    slow = parse_each([(values[i], credits[i]) for i in rest], _amount_pair)
    for index, parsed in zip(rest, slow, strict=True):
        result[index] = parsed
    return result


# What the vectorised read takes: digits with commas between thousands (as Excel writes a
# formatted amount to CSV), pence, and a minus or a pound sign before; all else one by one.
_PLAIN_TEXT = r"-?£?(?:\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.\d{1,2})?"


@functools.lru_cache(maxsize=4096)
def _date_text(text: str) -> dt.date:
    # A ledger repeats a few hundred distinct dates over thousands of rows: parse each once.
    match = _TIME_SUFFIX.match(text)
    text = match.group(1) if match else text
    compact = _COMPACT.fullmatch(text)
    if compact:
        try:
            return dt.date(*(int(part) for part in compact.groups()))
        except ValueError:
            raise ValueProblem(
                f'reads "{text}", which is not a date (as year, month and day: '
                f"{compact.group(1)}-{compact.group(2)}-{compact.group(3)})"
            ) from None
    year_first = _YEAR_FIRST.fullmatch(text)
    if year_first:
        text = "-".join(year_first.groups())  # as ISO 8601, which is read
    day, month_only = parse_date(text)
    if month_only:
        raise ValueProblem(f'reads "{text}", a month; give the day the payment was made')
    return day


def payment_date(raw: object) -> dt.date:
    """The day a payment was made: an Excel date, or text read day-first (a time is ignored),
    or an Excel date serial number (``44292``) of a day this century or the last."""
    day = _any_date(raw)
    if day.year not in _PAYMENT_YEARS:
        # 01/05/0021 is a date, but no payment's: said at its row (it once passed through
        # the payments table's nanosecond dates as 28/12/1774).
        raise ValueProblem(
            f'date reads "{clean_text(raw)}": the year {day.year:04d} is no payment\'s year'
        )
    return day


_PAYMENT_YEARS = range(1900, 2100)
_MONTH_HINT = ", or as a month, e.g. April 2021"  # a plan's hint: a payment needs its day


def _any_date(raw: object) -> dt.date:
    if isinstance(raw, str) and len(raw) > MAX_CODE_SAID:  # no date is this long: a stray cell
        raise ValueProblem(f'date reads "{cut(clean_text(raw))}", which is not a date')
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    serial = _serial(raw)
    if serial is not None:
        return serial
    try:
        return _date_text(clean_text(raw))
    except ValueProblem as problem:
        raise ValueProblem(f"date {str(problem).replace(_MONTH_HINT, '')}") from problem


_EXCEL_EPOCH = dt.date(1899, 12, 30)
# A payment date's serial lies between 01/01/2000 and 31/12/2099; a bare number outside these
# is no payment date (a year, an amount or a reference in the wrong column) and stays a problem.
_SERIALS = range(
    (dt.date(2000, 1, 1) - _EXCEL_EPOCH).days, (dt.date(2099, 12, 31) - _EXCEL_EPOCH).days + 1
)
_SERIAL_TEXT = re.compile(r"\d{5}(\.\d+)?")


def _serial(raw: object) -> dt.date | None:
    """The day of an Excel date serial: a date column that lost its format (a General cell,
    or a report tool's CSV) holds 44292 for 06/04/2021, a fraction being the time of day."""
    if isinstance(raw, str) and _SERIAL_TEXT.fullmatch(raw.strip()):
        number = int(raw.strip().partition(".")[0])
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw >= 0:
        number = int(raw)
    else:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=number) if number in _SERIALS else None


def signed_by_side(
    amounts: Sequence[int | ValueProblem], sides: Sequence[object]
) -> list[int | ValueProblem]:
    """Each amount with the sign its debit/credit column gives it: a credit (``C``, ``Cr``)
    negative, a debit (``D``, ``Dr``) as it is. A blank or unknown mark, or a debit whose
    amount is negative (which of the two is meant is not guessed), is a problem at its row."""
    said = parse_each(list(sides), _credit_side)
    signed: list[int | ValueProblem] = []
    for amount, credit in zip(amounts, said, strict=True):
        if isinstance(amount, ValueProblem) or isinstance(credit, ValueProblem):
            signed.append(amount if isinstance(amount, ValueProblem) else credit)
        elif credit:  # -500 marked C is a credit written both ways: still one credit
            signed.append(-abs(amount))
        elif amount < 0:
            signed.append(
                ValueProblem(
                    f"amount is {format_money(pounds(amount))} but its debit/credit column says it is a debit "
                    "(D), so whether it is a payment or a credit cannot be told; export the "
                    "amount without a sign and mark a credit C"
                )
            )
        else:
            signed.append(amount)
    return signed


def debit_less_credit(
    debits: Sequence[object], credits: Sequence[object]
) -> list[int | ValueProblem]:
    """Each row's amount from a debit and a credit column (a payment in one, a refund in the
    other, the other blank or 0.00): the debit less the credit. A row with both, or neither,
    or a sign in either, is a problem at its row: which was meant is not guessed."""
    nothing = [None] * len(debits)
    paid, back = pence_column(debits, nothing), pence_column(credits, nothing)
    amounts: list[int | ValueProblem] = []
    for debit, credit, raw_debit, raw_credit in zip(paid, back, debits, credits, strict=True):
        sides = [
            (name, value)
            for name, value, raw in (("debit", debit, raw_debit), ("credit", credit, raw_credit))
            if clean_text(raw) and value != 0
        ]
        if len(sides) != 1:
            said = ", ".join(f'"{cut(clean_text(v))}"' for v in (raw_debit, raw_credit))
            amounts.append(
                ValueProblem(
                    f"debit and credit columns read {said}: a row needs a figure in one of "
                    "them, the other blank or 0.00"
                )
            )
            continue
        name, value = sides[0]
        if isinstance(value, ValueProblem) or value < 0:
            amounts.append(
                value
                if isinstance(value, ValueProblem)
                else ValueProblem(
                    f"{name} column reads {format_money(pounds(value))}, a negative figure, so "
                    "whether it is a payment or a credit cannot be told; type it without a sign "
                    "in the column it belongs to"
                )
            )
        else:
            amounts.append(value if name == "debit" else -value)
    return amounts


def _credit_side(mark: object) -> bool:
    key = normalise(mark).rstrip(".")
    if key in _DEBIT_SIDE:
        return False
    if key in _CREDIT_SIDE:
        return True
    seen = cut(clean_text(mark))
    raise ValueProblem(
        f'debit/credit column reads "{seen}", which is neither D (a debit: a payment) nor C '
        "(a credit: a refund or reversal); mark the row D or C"
        if seen
        else "debit/credit column is blank, so whether the amount is a payment or a credit "
        "cannot be told; mark the row D or C"
    )


def is_credit(credit_note: object) -> bool:
    """The ``INV/CRN`` or document type column marks a credit note (``CRN``, ``CR``,
    ``Credit``, ``Credit note``, ``Credit memo``)."""
    if credit_note is None or credit_note == "INV":
        return False
    return normalise(credit_note) in _CREDIT


def _amount_pair(pair: tuple[object, object]) -> int:
    return amount_pence(*pair)


_LIMIT = 10**12  # pounds: as a plan's budget, no payment is a trillion


def _too_large(raw: object) -> ValueProblem:
    said = format(raw, ".6g") if isinstance(raw, float) else cut(clean_text(raw))
    return ValueProblem(
        f'amount reads "{said}", more than £1 trillion, which no payment is; '
        "check the cell (a date or a reference pasted as a number?) and enter the amount in "
        "pounds"
    )


def _signed_text(raw: str) -> tuple[bool, str]:
    """An amount typed as text: whether it is marked a credit (a minus sign, brackets, a
    trailing minus, CR), and the figure without the marks and the pound sign."""
    if len(raw) > MAX_CODE_SAID:  # no amount is this long
        raise ValueProblem(f'amount reads "{cut(clean_text(raw))}", which is not an amount')
    # The pound sign first: a format such as £#,##0.00;£(#,##0.00) prints £(1,234.56).
    text = clean_text(raw).translate(_MINUS).replace("£", "").strip()
    if not text:  # a CSV's empty field (or spaces), as a blank cell: not a sign
        raise ValueProblem("amount is blank; enter the amount in pounds, e.g. 82661")
    if text == "-" or text.casefold() == "nil":
        # Excel's Accounting format prints nothing as "£ -", and so does a CSV saved from
        # it; "Nil" is nothing in words. Read as 0.00 is: never "more than one minus sign".
        return False, "0"
    signs = 0  # a credit may be marked one way; two marks are a person's to read
    if text.startswith("(") and text.endswith(")"):
        signs, text = signs + 1, text[1:-1].strip()
    if text.endswith("-"):  # "123.45-", as some ledgers print a credit
        signs, text = signs + 1, text[:-1].strip()
    suffix = _CREDIT_DEBIT.search(text)
    if suffix:  # "123.45 CR" a credit, "123.45 DR" a debit, as an accounts report prints
        signs += suffix.group(1).lower() == "cr"
        text = text[: suffix.start()].strip()
    if text.startswith("-"):
        signs, text = signs + 1, text[1:].strip()
    if signs > 1 or text[:1] in "-(" or text[-1:] in "-)":
        # "--500", "-(500)", "(-500)": which was meant is not guessed (the doubled minus
        # read as a payment of +500).
        raise ValueProblem(
            f'amount reads "{clean_text(raw)}", which has more than one minus sign or '
            "bracket; type a payment as 500.00 and a credit as -500.00 or (500.00)"
        )
    return signs == 1, text


def _whole_pence(raw: object, value: float) -> None:
    """A number cell's amount is pounds and pence: raise ValueProblem when it is not."""
    if value >= _LIMIT:  # 1e300 in a number cell: no Decimal quantizes it
        raise _too_large(raw)
    # Binary noise (0.30000000000000004) is rounded away by parse_money; a real fraction of
    # a penny is said as such.
    exact = Decimal(repr(value))
    if abs(exact - exact.quantize(PENNY)) >= Decimal("0.000001"):
        raise ValueProblem(
            f'amount reads "{raw!r}", which has fractions of a penny; round it to pounds and pence'
        )


def amount_pence(raw: object, credit_note: object) -> int:
    """Pence, negative for a credit note (``CRN``, a minus sign, or brackets)."""
    negative = False
    value = raw
    if isinstance(raw, str):
        negative, value = _signed_text(raw)
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
        negative, value = True, -raw
    if isinstance(value, float) and math.isfinite(value):
        _whole_pence(raw, value)
    negative = negative or is_credit(credit_note)
    if isinstance(value, str):
        whole, point, fraction = value.partition(".")
        if whole.isdigit() and (not point or (fraction.isdigit() and len(fraction) <= 2)):
            pence = int(whole) * 100 + int(fraction.ljust(2, "0") if point else 0)
            if pence >= _LIMIT * 100:  # twenty digits would overflow the payments table
                raise _too_large(raw)
            return -pence if negative else pence
    try:
        if isinstance(value, str) and _PLAIN_AMOUNT.fullmatch(value):
            amount = Decimal(value)  # the common case, without the full parser
        else:
            amount = parse_money(value)
    except ValueProblem as problem:
        raise ValueProblem(f"amount {problem}") from problem
    pence = int(amount * 100)
    return -pence if negative else pence


_SLASHED = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")


def first_month_first(dates: Sequence[object]) -> int | None:
    """The first row of a table whose dates are all month-first, as an export from a system
    set to US English writes them: some read 05/13/2021 (no 13th month), none 13/05/2021.
    Read day-first, its other dates (05/01/2021) would be wrong without a word. None when
    the dates are day-first, or cannot be told."""
    kinds: dict[str, bool] = {}  # each distinct text: month-first (True) or day-first (False)
    for value in set(v for v in dates if isinstance(v, str)):
        parts = _SLASHED.match(value)
        if parts is None:
            continue
        first, second = int(parts.group(1)), int(parts.group(2))
        if first > 12 >= second:
            return None  # a day first: the table is day-first, a slip is said at its row
        if second > 12 >= first:
            kinds[value] = True
    if not kinds:
        return None
    return next(i for i, v in enumerate(dates) if isinstance(v, str) and v in kinds)


def gross_less_vat(
    gross: Sequence[object], vat: Sequence[object], credits: Sequence[object]
) -> list[int | ValueProblem]:
    """Each row's amount net of VAT from an export of the gross paid and its VAT, with no net
    column (the plan's budgets are net): the gross less the VAT, a blank VAT none."""
    paid = pence_column(gross, credits)
    taxes = pence_column([v if clean_text(v) else "0" for v in vat], credits)
    amounts: list[int | ValueProblem] = []
    for total, tax in zip(paid, taxes, strict=True):
        if isinstance(total, ValueProblem):
            amounts.append(total)
        elif isinstance(tax, ValueProblem):  # said as the VAT's, not the amount's
            amounts.append(ValueProblem(str(tax).replace("amount reads", "VAT reads", 1)))
        else:
            amounts.append(total - tax)
    return amounts


# An amount written with a decimal comma, its thousands grouped by points or not: 1.000,50,
# 250,00, -12,5 (never 1,000, which is a thousand written with a decimal point's grouping).
_DECIMAL_COMMA = re.compile(r"\s*(-?)(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2})\s*")


def decimal_commas(
    rows: Sequence[tuple[int, Sequence[object]]],
) -> list[tuple[int, Sequence[object]]]:
    """The rows of a CSV separated by semicolons, as Excel (or SAP) writes one where the
    decimal mark is a comma, with each amount so written as it would be with a point
    (``1.000,50`` is ``1000.50``); every other value as it is."""

    def point(value: object) -> object:
        if not isinstance(value, str) or "," not in value:
            return value
        figure = _DECIMAL_COMMA.fullmatch(value)
        if figure is None:
            return value
        sign, whole, pence = figure.groups()
        return f"{sign}{whole.replace('.', '')}.{pence}"

    return [(number, [point(v) for v in values]) for number, values in rows]


def suppliers_view(amounts: Sequence[object], sheet: str) -> str:
    """Why a table marked debit and credit is not read as spend: its credits are as large as
    its debits, as in an export of the suppliers' accounts (SAP's vendor line items, a supplier
    statement), where each invoice is a credit and each payment of it a debit. Read as spend,
    its invoices would lower the spend. Empty when its debits outweigh its credits."""
    debits = sum(a for a in amounts if isinstance(a, int) and a > 0)
    credits = -sum(a for a in amounts if isinstance(a, int) and a < 0)
    if credits == 0 or credits < debits:
        return ""
    return (
        f"{sheet}'s credits total {format_money(pounds(credits))}, as much as or more than "
        f"its debits, {format_money(pounds(debits))}: in a ledger of spend, payments are "
        "debits. An export of the suppliers' accounts (SAP's vendor line items, a supplier "
        "statement) marks each invoice a credit instead; export the expenditure (the payments "
        "over £500, or the cost centres' lines) and run again. None of its payments are counted."
    )
