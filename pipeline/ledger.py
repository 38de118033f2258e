"""Reading ledger exports (the monthly "spend over £500" files) into one table of payments.

A spend file is a CSV (UTF-8 or Windows-1252, with or without a byte-order mark) or an .xlsx
exported by a finance system, one row per payment line. Columns are found by name (case, spaces
and punctuation ignored) with the aliases of ``COLUMNS``; a title row or two above the header is
skipped. Every row that cannot be read is a located finding: nothing is dropped silently.

The payments become a pandas DataFrame with explicit dtypes. Money is **integer pence**
(``int64``), not ``Decimal`` objects: pence are exact, and a group-by sum over 100,000 payments
then runs vectorised instead of adding Python objects one by one. Pounds are only made again, as
``Decimal``, where a figure leaves the spend modules (:func:`pounds`).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pipeline.findings import Finding
from pipeline.values import PENNY, ValueProblem, clean_text, normalise, parse_date, parse_money

if TYPE_CHECKING:
    import pandas as pd

MAX_LEDGER_BYTES = 50 * 1024 * 1024  # a large force's year is about 10 MB of CSV
MAX_ROW_FINDINGS = 20  # per file: beyond this, one finding counts the rest
HEADER_SEARCH_ROWS = 10  # a title row or two above the header
SPEND_SUFFIXES = (".csv", ".xlsx", ".xlsm")

# Each field's accepted headings, in order of preference (the first present wins).
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("Date", "Transaction date", "Payment date"),
    "supplier": ("Supplier", "Supplier name", "Payee"),
    "amount": ("Amount", "Net amount", "Amount (£)"),
    "reference": ("Transaction number", "Voucher number", "Invoice number", "URI"),
    "cost_code": ("Cost centre", "Cost code", "Service area", "Service area categorisation"),
    "expense_type": ("Expense type", "G/L description", "Text"),
    "credit_note": ("INV/CRN",),
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

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")
_TIME_SUFFIX = re.compile(r"^(.+?)[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_REDACTED = re.compile(r"redact|withheld|personal data|not disclosed", re.IGNORECASE)
_CREDIT = frozenset(("crn", "cr", "credit", "credit note"))
_TOTAL_LABEL = re.compile(r"^(grand |sub-?)?total\b", re.IGNORECASE)


def header_key(text: object) -> str:
    """A heading folded for matching: case, spaces and punctuation ignored (``Amount (£)``
    is ``amount``, ``INV/CRN`` is ``inv crn``)."""
    return " ".join(re.sub(r"[^\w]+", " ", normalise(text)).split())


_ALIASES = {field: tuple(header_key(a) for a in names) for field, names in COLUMNS.items()}


def is_redacted(supplier: str) -> bool:
    """A supplier name withheld as personal data (``REDACTED``, ``Personal data withheld``)."""
    return bool(_REDACTED.search(supplier))


def pounds(pence: int) -> Decimal:
    """Integer pence back to pounds and pence, exactly."""
    return (Decimal(int(pence)) / 100).quantize(PENNY)


@dataclass
class LedgerRead:
    """The payments of every spend file, and what could not be read."""

    payments: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the labels of the files read


def spend_files(paths: Iterable[Path]) -> list[Path]:
    """The spend files named, a folder standing for the files directly inside it (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file()
                    and p.suffix.lower() in SPEND_SUFFIXES
                    and not p.name.startswith(("~$", "."))
                )
            )
        else:
            found.append(path)
    return found


def read_ledgers(paths: Sequence[Path], labels: Sequence[str] | None = None) -> LedgerRead:
    """Read every spend file into one payments table (columns ``PAYMENT_COLUMNS``).

    ``labels`` name the files in findings (default: the paths as given).
    """
    import numpy
    import pandas as pd

    findings: list[Finding] = []
    frames: list[dict[str, list[object]]] = []
    names: list[str] = []
    for index, path in enumerate(paths):
        label = labels[index] if labels else str(path)
        names.append(label)
        reader = _FileReader(path, label)
        frames.extend(reader.read())
        findings.extend(reader.findings)
    columns: dict[str, list[object]] = {name: [] for name in PAYMENT_COLUMNS}
    for frame in frames:
        for name in PAYMENT_COLUMNS:
            columns[name].extend(frame[name])
    payments = pd.DataFrame(
        {
            "file": pd.Series(columns["file"], dtype=object),
            "sheet": pd.Series(columns["sheet"], dtype=object),
            "row": pd.Series(columns["row"], dtype="int64"),
            "cell": pd.Series(columns["cell"], dtype=object),
            # numpy turns date objects into days directly (pd.to_datetime on objects is slow).
            "date": pd.Series(
                numpy.array(columns["date"], dtype="datetime64[D]").astype("datetime64[ns]")
            ),
            "supplier": pd.Series(columns["supplier"], dtype=object),
            "amount": pd.Series(columns["amount"], dtype="int64"),  # pence
            "reference": pd.Series(columns["reference"], dtype=object),
            "cost_code": pd.Series(columns["cost_code"], dtype=object),
            "expense_type": pd.Series(columns["expense_type"], dtype=object),
        }
    )
    return LedgerRead(payments, findings, names)


class _FileReader:
    """One spend file: its rows, where its header is, and the findings about it."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.findings.append(Finding(code, self.label, message, sheet or self.path.name, cell))

    def refuse(self, message: str) -> list[dict[str, list[object]]]:
        self.add("W-SPEND-READ", f"{self.path.name} {message}. None of its payments are counted.")
        return []

    def read(self) -> list[dict[str, list[object]]]:
        try:
            size = self.path.stat().st_size
            with self.path.open("rb") as handle:
                head = handle.read(8)
        except OSError as error:
            return self.refuse(
                f"cannot be opened ({error.strerror}); check it is not open in Excel"
            )
        # The size is checked before a byte of the body is read: a 200 MB export is refused
        # at once instead of filling the office machine's memory.
        if size > MAX_LEDGER_BYTES:
            return self.refuse(
                f"is {size // (1024 * 1024)} MB, over the {MAX_LEDGER_BYTES // (1024 * 1024)} MB "
                "limit for a spend file; export one month or one quarter per file"
            )
        if size == 0:
            return self.refuse("is empty (0 bytes); export the ledger again")
        if head == _OLE_MAGIC:
            return self.refuse(
                "is an old Excel 97-2003 (.xls) file or is password-protected; open it in "
                "Excel and save it as CSV UTF-8 or .xlsx without a password"
            )
        if head[:4] == _ZIP_MAGIC:
            return self._xlsx()
        return self._csv()

    # -- the two layouts ------------------------------------------------------------------
    def _csv(self) -> list[dict[str, list[object]]]:
        raw = self.path.read_bytes()
        if b"\x00" in raw[:4096]:
            return self.refuse(
                "is not UTF-8 or Windows-1252 text (it looks like UTF-16 'Unicode text' or a "
                "binary file); save it from Excel as 'CSV UTF-8 (Comma delimited)'"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")  # what Excel on Windows writes as plain "CSV"
            except UnicodeDecodeError as error:
                return self.refuse(
                    f"is neither UTF-8 nor Windows-1252 text (byte {raw[error.start]:#04x} at "
                    f"position {error.start}); save it from Excel as 'CSV UTF-8 (Comma "
                    "delimited)'"
                )
        rows = _fast_rows(text)
        if rows is not None:
            return self._table(self.path.name, rows, "line")
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""))
        line = 1
        try:
            for record in reader:
                rows.append((line, record))
                line = reader.line_num + 1  # a quoted field may span lines
        except csv.Error as error:
            self.add(
                "W-SPEND-READ",
                f"{self.path.name} cannot be read past line {line} ({error}); the payments "
                "before it are counted. Check that line's quotes and export the file again",
                cell=f"line {line}",
            )
        return self._table(self.path.name, rows, "line")

    def _xlsx(self) -> list[dict[str, list[object]]]:
        from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

        from pipeline.sniff import sniff

        problem = sniff(self.path)
        if problem is not None:
            return self.refuse(problem.replace("plan workbook", "spend file"))
        try:
            book = CalamineWorkbook.from_path(str(self.path))
        except (CalamineError, OSError, ValueError) as error:
            return self.refuse(f"is a damaged .xlsx ({error}); export the ledger again")
        try:
            sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            titles = {normalise(m.name) for m in sheets}
            if {"services", "funds"} <= titles or {"services", "decision"} <= titles:
                return self.refuse(
                    "is a plan workbook (it has Decision, Funds and Services sheets), not a "
                    "ledger export; move it out of the spend folder into input/"
                )
            tables: list[dict[str, list[object]]] = []
            for meta in sheets:
                values = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
                rows: list[tuple[int, Sequence[object]]] = [
                    (index + 1, row) for index, row in enumerate(values)
                ]
                if not any(any(not _blank(v) for v in row) for _, row in rows):
                    continue
                tables.extend(self._table(f"{self.path.name} › {meta.name}", rows, "row"))
            return tables
        finally:
            book.close()

    # -- the table ------------------------------------------------------------------------
    def _header(self, rows: Sequence[tuple[int, Sequence[object]]]) -> tuple[int, dict[str, int]]:
        """The index of the header row in ``rows`` and the column of each field found."""
        for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
            keys = [header_key(v) for v in values]
            mapping: dict[str, int] = {}
            for name, aliases in _ALIASES.items():
                for alias in aliases:
                    if alias in keys:
                        mapping[name] = keys.index(alias)
                        break
            if all(name in mapping for name in REQUIRED):
                return index, mapping
        return -1, {}

    def _table(
        self, sheet: str, rows: list[tuple[int, Sequence[object]]], unit: str
    ) -> list[dict[str, list[object]]]:
        start, mapping = self._header(rows)
        if start < 0:
            first = next((values for _, values in rows if any(not _blank(v) for v in values)), [])
            seen = ", ".join(f'"{clean_text(v)}"' for v in first if not _blank(v))[:300]
            self.add(
                "W-SPEND-READ",
                f"{sheet} has no header row with a date, a supplier and an amount column in its "
                f"first {HEADER_SEARCH_ROWS} rows (the first row reads: {seen or 'nothing'}). "
                "Name the columns e.g. Date, Supplier, Amount; none of its payments are counted",
                sheet=sheet,
            )
            return []
        body = [(n, values) for n, values in rows[start + 1 :] if not _row_blank(values)]
        # Column by column, each distinct value parsed once: a ledger repeats its dates,
        # suppliers and codes thousands of times (100,000 rows in well under a second).
        raw = {
            name: [values[col] if col < len(values) else None for _, values in body]
            for name, col in mapping.items()
        }
        dates = _parse_each(raw["date"], _payment_date)
        credits = raw.get("credit_note") or [None] * len(body)
        amounts = _pence_column(raw["amount"], credits)
        texts: dict[object, str] = {}

        def text(name: str) -> list[str]:
            column = raw.get(name)
            if column is None:
                return [""] * len(body)
            return [texts[v] if v in texts else texts.setdefault(v, clean_text(v)) for v in column]

        suppliers, references = text("supplier"), text("reference")
        codes, expenses = text("cost_code"), text("expense_type")
        columns: dict[str, list[object]] = {name: [] for name in PAYMENT_COLUMNS}
        problems = 0
        for index, (number, _) in enumerate(body):
            when, amount = dates[index], amounts[index]
            if isinstance(when, ValueProblem) or isinstance(amount, ValueProblem):
                problems += 1
                if problems <= MAX_ROW_FINDINGS:
                    problem = when if isinstance(when, ValueProblem) else amount
                    cells = {name: column[index] for name, column in raw.items()}
                    self.add(
                        "W-SPEND-VALUE",
                        _row_message(cells, str(problem)),
                        sheet=sheet,
                        cell=f"{unit} {number}",
                    )
                continue
            columns["row"].append(number)
            columns["cell"].append(f"{unit} {number}")
            columns["date"].append(when)
            columns["supplier"].append(suppliers[index])
            columns["amount"].append(amount)
            columns["reference"].append(references[index])
            columns["cost_code"].append(codes[index])
            columns["expense_type"].append(expenses[index])
        columns["file"] = [self.label] * len(columns["row"])
        columns["sheet"] = [sheet] * len(columns["row"])
        if problems > MAX_ROW_FINDINGS:
            self.add(
                "W-SPEND-VALUE",
                f"{problems - MAX_ROW_FINDINGS} more rows of {sheet} cannot be read either and "
                "are not counted (only the first 20 are listed); check the date and amount "
                "columns of the export",
                sheet=sheet,
            )
        return [columns]


_Parsed = TypeVar("_Parsed")
_Key = TypeVar("_Key", bound=Hashable)


def _fast_rows(text: str) -> list[tuple[int, Sequence[object]]] | None:
    """The records of a CSV through pandas' C parser, numbered by line; None (read it with
    the csv module instead) where a quoted field spans lines or a row is wider than the
    first ones, so that line numbers stay exact and nothing is cut."""
    import pandas as pd

    head = list(csv.reader(io.StringIO(text[:65536], newline="")))[: HEADER_SEARCH_ROWS * 2]
    width = max((len(row) for row in head), default=0)
    if not width:
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError):
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if len(frame) != lines:
        return None  # a quoted field holds a line break: let the csv module count lines
    records: list[list[object]] = frame.to_numpy().tolist()
    return [(number, record) for number, record in enumerate(records, start=1)]


def _pence_column(values: Sequence[object], credits: Sequence[object]) -> list[int | ValueProblem]:
    """Each amount in pence. Plain figures typed as text (``1234.5``), what CSV exports hold,
    are converted by pandas in one pass, exactly (digits, never a float); the rest, and any
    that is not plain, by :func:`_amount` one distinct value at a time."""
    import pandas as pd

    text = pd.Series(list(values), dtype=object)
    is_text = text.map(lambda value: isinstance(value, str)).astype(bool)
    stripped = text[is_text].astype(str).str.strip()
    plain = stripped[stripped.str.fullmatch(r"\d{1,12}(?:\.\d{1,2})?")]
    if plain.empty:
        return _parse_each(list(zip(values, credits, strict=True)), _amount_pair)
    parts = plain.str.partition(".")
    pence = parts[0].astype("int64") * 100 + parts[2].str.ljust(2, "0").astype("int64")
    credit = {value: _is_credit(value) for value in set(credits)}
    sign = pd.Series([-1 if credit[c] else 1 for c in credits], dtype="int64")
    result: list[int | ValueProblem] = [0] * len(values)
    for index, amount in zip(plain.index, (pence * sign[plain.index]).tolist(), strict=True):
        result[index] = int(amount)
    rest = [i for i in text.index.difference(plain.index)]
    slow = _parse_each([(values[i], credits[i]) for i in rest], _amount_pair)
    for index, parsed in zip(rest, slow, strict=True):
        result[index] = parsed
    return result


def _parse_each(
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


def _row_blank(values: Sequence[object]) -> bool:
    first = values[0] if values else None
    if first is not None and not (isinstance(first, str) and not first.strip()):
        return False  # most rows start with their date: no need to look further
    return all(_blank(v) for v in values)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_message(cells: dict[str, object], problem: str) -> str:
    label = next(
        (clean_text(v) for v in cells.values() if _TOTAL_LABEL.match(clean_text(v) or "")), ""
    )
    if label:
        return (
            f'This row reads "{label}", a total rather than a payment, and is not counted; '
            "remove it from the export to clear this note"
        )
    supplier = clean_text(cells.get("supplier")) or "no supplier"
    return (
        f"The payment to {supplier} is not counted: its {problem}. Correct the row in the "
        "export and run again"
    )


@functools.lru_cache(maxsize=4096)
def _date_text(text: str) -> dt.date:
    # A ledger repeats a few hundred distinct dates over thousands of rows: parse each once.
    match = _TIME_SUFFIX.match(text)
    day, month_only = parse_date(match.group(1) if match else text)
    if month_only:
        raise ValueProblem(f'date reads "{text}", a month; give the day the payment was made')
    return day


def _payment_date(raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return _date_text(clean_text(raw))
    except ValueProblem as problem:
        raise ValueProblem(f"date {problem}") from problem


def _is_credit(credit_note: object) -> bool:
    if credit_note is None or credit_note == "INV":
        return False
    return normalise(credit_note) in _CREDIT


def _amount_pair(pair: tuple[object, object]) -> int:
    return _amount(*pair)


def _amount(raw: object, credit_note: object) -> int:
    """Pence, negative for a credit note (``CRN``, a minus sign, or brackets)."""
    negative = False
    value = raw
    if isinstance(raw, str):
        text = clean_text(raw)
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        if text.endswith("-"):  # "123.45-", as some ledgers print a credit
            negative, text = True, text[:-1].strip()
        text = text.replace("£", "").strip()
        if text.startswith("-"):
            negative, text = True, text[1:].strip()
        value = text
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
        negative, value = True, -raw
    if isinstance(value, str):
        whole, point, fraction = value.partition(".")
        if whole.isdigit() and (not point or (fraction.isdigit() and len(fraction) <= 2)):
            pence = int(whole) * 100 + int(fraction.ljust(2, "0") if point else 0)
            return -pence if negative or _is_credit(credit_note) else pence
    try:
        if isinstance(value, str) and _PLAIN_AMOUNT.fullmatch(value):
            amount = Decimal(value)  # the common case, without the full parser
        else:
            amount = parse_money(value)
    except ValueProblem as problem:
        raise ValueProblem(f"amount {problem}") from problem
    if _is_credit(credit_note):
        negative = True
    pence = int(amount * 100)
    return -pence if negative else pence
