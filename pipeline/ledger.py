"""Reading ledger exports (the monthly "spend over £500" files) into one table of payments.

A spend file is a CSV (UTF-8 or Windows-1252, with or without a byte-order mark) or an .xlsx
exported by a finance system, one row per payment line. This module reads the file (its size,
its first bytes, its encoding (:mod:`pipeline.ledger_encoding`), its sheets) into numbered
rows; :mod:`pipeline.ledger_columns` finds the header and reads each row, and
:mod:`pipeline.ledger_values` each value. A file that cannot be read is a finding naming the
fix: nothing is dropped silently.

The payments become a pandas DataFrame with explicit dtypes. Money is **integer pence**
(``int64``), not ``Decimal`` objects: pence are exact, and a group-by sum over 100,000 payments
then runs vectorised instead of adding Python objects one by one. Pounds are only made again, as
``Decimal``, where a figure leaves the spend modules (:func:`pipeline.ledger_values.pounds`).
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.findings import Finding
from pipeline.inputs import signature
from pipeline.ledger_columns import PAYMENT_COLUMNS, PaymentColumns, read_table
from pipeline.ledger_encoding import Text, decode
from pipeline.ledger_headings import HEADER_SEARCH_ROWS, find_header
from pipeline.ledger_pages import Rows, hidden_rows_note, is_blank
from pipeline.ledger_values import decimal_commas
from pipeline.sniff import TEXT_EXPORT_SUFFIXES
from pipeline.spend import SPEND_FOLDER as SPEND_FOLDER  # where a folder's exports are
from pipeline.spend_folder import spend_files as spend_files  # the files a folder holds
from pipeline.spend_folder import why_not_read
from pipeline.values import normalise

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.sheets import Cell, Sheet

MAX_LEDGER_BYTES = 50 * 1024 * 1024  # a large force's year is about 10 MB of CSV
# Rows of one .xlsx sheet: a plan is refused beyond 100,000, but a force's year of payments
# may hold more (one quarter per file keeps each well below this).
MAX_LEDGER_ROWS = 200_000
# Read by their content: a finance system's "xls" or "txt" export is often CSV or tab text.
SPEND_SUFFIXES = (*TEXT_EXPORT_SUFFIXES, ".xlsx", ".xlsm", ".xls")

READ_RETRIES = 3  # reads of a file that changes while it is read, before it is refused
RETRY_PAUSE = 0.5  # seconds between them

_MERGE_CELLS = 2_000_000  # rows filled from merges in all: a report has far fewer
_MERGE_WIDTH = 64  # columns of a merged range filled: a title merged to XFD is not a ledger
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class LedgerRead:
    """The payments of every spend file, and what could not be read."""

    payments: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the labels of the files read


def read_ledgers(paths: Sequence[Path], labels: Sequence[str] | None = None) -> LedgerRead:
    """Read every spend file into one payments table (columns ``PAYMENT_COLUMNS``).

    ``labels`` name the files in findings (default: the paths as given).
    """
    import numpy
    import pandas as pd

    findings: list[Finding] = []
    frames: list[PaymentColumns] = []
    names: list[str] = []
    digests: dict[str, str] = {}  # each file's SHA-256 -> the name of the first with it
    for index, path in enumerate(paths):
        label = labels[index] if labels else str(path)
        names.append(label)
        copy = _copy_of(path, digests)
        if copy:
            # "April (1).csv" beside "April.csv" in a shared folder: the same payments again.
            # With no reference column, W-SPEND-DUPLICATE cannot see them: never counted twice.
            message = (
                f"{path.name} is the same file as {copy}, byte for byte: it is not read, so "
                "its payments are not counted twice. Remove the copy from the spend folder."
            )
            findings.append(Finding("W-SPEND-READ", label, message, path.name))
            continue
        tables, found = _read_steady(path, label)
        frames.extend(tables)
        findings.extend(found)
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
            "body": pd.Series(columns["body"], dtype=object),
        }
    )
    return LedgerRead(payments, findings, names)


def _copy_of(path: Path, digests: dict[str, str]) -> str:
    """The name of an earlier spend file with the same bytes as ``path``, or "" (and
    ``path``'s digest noted). A file that cannot be opened is left to the reader to say."""
    if (
        not path.is_file()
        or path.suffix.lower() not in SPEND_SUFFIXES  # said as not a spend file instead
        or path.stat().st_size > MAX_LEDGER_BYTES
    ):
        return ""
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""
    if digest in digests:
        return digests[digest]
    digests[digest] = path.name
    return ""


def _read_steady(path: Path, label: str) -> tuple[list[PaymentColumns], list[Finding]]:
    """The tables of one spend file and the findings about it, read again when the file
    changed while it was read (a save or a copy finishing): never half of an old file and
    half of a new one."""
    for _ in range(READ_RETRIES):
        before = signature(path)
        reader = _FileReader(path, label)
        tables = reader.read()
        if signature(path) == before:
            return tables, reader.findings
        time.sleep(RETRY_PAUSE)
    message = (
        f"{path.name} kept changing while it was read ({READ_RETRIES} tries): it is probably "
        "still being copied or saved. Wait until the copy or save has finished, then run "
        "again. None of its payments are counted."
    )
    return [], [Finding("W-SPEND-READ", label, message, path.name)]


class _FileReader:
    """One spend file: its bytes, encoding and sheets as numbered rows, and the findings
    about reading it (each table's rows are read by :func:`~pipeline.ledger_columns.read_table`)."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, sheet: str = "", cell: str = "") -> None:
        self.findings.append(Finding(code, self.label, message, sheet or self.path.name, cell))

    def refuse(self, message: str) -> list[PaymentColumns]:
        self.add("W-SPEND-READ", f"{self.path.name} {message}. None of its payments are counted.")
        return []

    def read(self) -> list[PaymentColumns]:
        if self.path.is_dir():
            return self.refuse(why_not_read(self.path))
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
        if self.path.suffix.lower() not in SPEND_SUFFIXES:
            return self.refuse(
                "is not a CSV or .xlsx file; open it in Excel and save it as CSV UTF-8 or .xlsx, "
                "or move it out of the spend folder if it holds no payments"
            )
        if head == _OLE_MAGIC:
            return self.refuse(
                "is an old Excel 97-2003 (.xls) file or is password-protected; open it in "
                "Excel and save it as CSV UTF-8 or .xlsx without a password"
            )
        if head[:4] == _ZIP_MAGIC:
            return self._xlsx()
        return self._csv()

    # -- the two layouts ------------------------------------------------------------------
    def _csv(self) -> list[PaymentColumns]:
        raw = self.path.read_bytes()
        text = decode(raw, self.path.name)
        if isinstance(text, Text):
            if text.stray:  # a UTF-8 file with a byte or two that is not: read, and said
                self.add("W-SPEND-ENCODING", text.stray, cell=f"line {text.line}")
            return self._text(text.text)
        problem, line = text
        if not line:
            return self.refuse(problem)
        self.add(
            "W-SPEND-READ",
            f"{self.path.name} {problem}. None of its payments are counted.",
            cell=f"line {line}",
        )
        return []

    def _text(self, text: str) -> list[PaymentColumns]:
        if markup := _markup(text):  # a web page or XML named .xls: said what to save
            return self.refuse(markup)
        delimiter = _delimiter(text)
        rows = _fast_rows(text, delimiter)
        if rows is None:
            rows, problem, line = _csv_rows(text, delimiter)
            if problem:
                self.add("W-SPEND-READ", f"{self.path.name} {problem}", cell=f"line {line}")
        if delimiter == ";":  # a decimal comma's file: 1.000,50 is 1000.50
            rows = decimal_commas(rows)
        return self._table(self.path.name, rows, "line")

    def _xlsx(self) -> list[PaymentColumns]:
        from pipeline.sheets import WorkbookUnreadable, read_sheets
        from pipeline.sniff import sniff

        problem = sniff(self.path)
        if problem is not None:
            return self.refuse(problem.replace("plan workbook", "spend file"))
        # The plan's sheet reader: one scan of each sheet's XML first, so that a value typed
        # far away (XFD1048576) cannot make calamine abort the process, and a formula with no
        # saved result is named as such instead of reading as a blank amount.
        try:
            book = read_sheets(self.path, max_rows=MAX_LEDGER_ROWS)
        except WorkbookUnreadable as error:
            return self.refuse(f"is a damaged .xlsx ({error}); export the ledger again")
        titles = {normalise(s.title) for s in book.sheets} | {normalise(t) for t in book.hidden}
        if {"services", "funds"} <= titles or {"services", "decision"} <= titles:
            return self.refuse(
                "is a plan workbook (it has Decision, Funds and Services sheets), not a "
                "ledger export; move it out of the spend folder into input/"
            )
        for title in book.hidden:
            self.add(
                "W-SPEND-READ",
                f"The sheet {title} of {self.path.name} is hidden and is not read: any "
                "payments on it are not counted. Unhide it in Excel if it holds payments.",
                sheet=f"{self.path.name} › {title}",
            )
        for title, why in book.refused.items():
            if "rows, down to row" in why:  # the sheet reader's limit, said for a ledger
                why = (
                    f"{why.split(';')[0]}, more than the {MAX_LEDGER_ROWS:,} a spend file may "
                    "hold; export one quarter per file, or the year as CSV"
                )
            self.add(
                "W-SPEND-READ",
                f"The sheet {title} of {self.path.name} is not read: {why}",
                sheet=f"{self.path.name} › {title}",
            )
        tables: list[PaymentColumns] = []
        sheets: list[tuple[Sheet, Rows]] = [
            (sheet, list(_unmerged(sheet).items())) for sheet in book.sheets
        ]
        tabular = [sheet.title for sheet, rows in sheets if _holds_table(rows)]
        for sheet, rows in sheets:
            if not any(any(not is_blank(v) for v in row) for _, row in rows):
                continue
            if tabular and sheet.title not in tabular:
                # A report's criteria or cover sheet beside its payments (a label and its
                # value on each row): no row of it holds a date, a supplier and an amount.
                continue
            label = f"{self.path.name} › {sheet.title}"
            for table in self._table(label, rows, "row", sheet.uncached):
                note = hidden_rows_note(
                    self.label, label, table["row"], table["amount"], sheet.hidden_rows
                )
                self.findings.extend([note] if note else [])
                tables.append(table)
        return tables

    def _table(
        self,
        sheet: str,
        rows: Rows,
        unit: str,
        formulas: Mapping[tuple[int, int], str] | None = None,
    ) -> list[PaymentColumns]:
        tables, findings = read_table(self.label, sheet, rows, unit, formulas or {})
        self.findings.extend(findings)
        return tables


def _holds_table(rows: Rows) -> bool:
    """Whether some row has three cells filled or more, as a payment's date, supplier and
    amount are: a sheet without one can hold no payment."""
    return any(sum(not is_blank(v) for v in values) >= 3 for _, values in rows)


def _unmerged(sheet: Sheet) -> dict[int, tuple[Cell, ...]]:
    """The sheet's rows with each merged range's value in every cell of it, as Excel shows
    it: a report's heading merged down two header rows ("Supplier" over "Date" and "Amount"
    below "Payment") is then found, and a supplier merged down its payments is each one's."""
    rows = dict(sheet.rows)
    numbers = sorted(rows)  # only the rows that exist are filled, never a million that do not
    budget = _MERGE_CELLS
    for merge in sheet.merged:
        top = sheet.value(merge.first_row, merge.first_col)
        if is_blank(top):
            continue
        last_col = min(merge.last_col, merge.first_col + _MERGE_WIDTH)
        inside = numbers[
            bisect.bisect_left(numbers, merge.first_row) : bisect.bisect_right(
                numbers, merge.last_row
            )
        ]
        budget -= len(inside)
        if budget < 0:  # merges over merges over the whole sheet: a hostile file, not a report
            break
        for number in inside:
            values = rows[number]
            width = max(len(values), last_col)
            cells = [*values, *(None,) * (width - len(values))]
            for col in range(merge.first_col, last_col + 1):
                if is_blank(cells[col - 1]):
                    cells[col - 1] = top
            rows[number] = tuple(cells)
    return rows


_SAVE_FROM_EXCEL = (
    'open it in Excel and save it with File > Save As, "Excel Workbook (*.xlsx)" or "CSV '
    'UTF-8 (Comma delimited)", or export the report from the finance system as CSV'
)


def _markup(text: str) -> str:
    """What a text file that is markup, not CSV, is and how to make it readable: a web page
    (HTML), as Oracle's and many a web report's "Export to Excel" writes under an .xls name,
    or Excel 2003's XML spreadsheet. Empty for any other text."""
    start = text[:1024].lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<html", "<!doctype html", "<table")):
        return (
            "is a web page (HTML) saved under a spreadsheet's name, not a workbook or CSV; "
            + _SAVE_FROM_EXCEL
        )
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:4096]:
        return f"is an Excel 2003 XML spreadsheet, not a workbook or CSV; {_SAVE_FROM_EXCEL}"
    return ""


def _csv_rows(text: str, delimiter: str) -> tuple[Rows, str, int]:
    """The records of a CSV numbered by the line each starts on (a quoted field may span
    lines), and what stopped the reading, at which line ("" and 0 when nothing did)."""
    rows: Rows = []
    line = 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            rows.append((line, record))
            line = reader.line_num + 1
    except csv.Error as error:
        return (
            rows,
            (
                f"cannot be read past line {line} ({error}); the payments before it are counted. "
                "Check that line's quotes and export the file again."
            ),
            line,
        )
    if rows and text.count('"') % 2:
        # An odd number of quotes: if the last record's quote is never closed, the rest of
        # the file was read as one value of it (the csv module says nothing of it).
        strict = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            for _ in strict:
                pass
        except csv.Error as error:
            if "end of data" in str(error):
                start = rows[-1][0]
                return (
                    rows[:-1],
                    (
                        f"has a quote opened on line {start} that is never closed, so the rest of "
                        f"the file reads as one value; the payments before line {start} are "
                        "counted. Close or remove the quote and export the file again."
                    ),
                    start,
                )
    return rows, "", 0


def _head(text: str, size: int = 65536) -> str:
    """The first ``size`` characters of a CSV's text, to the end of the line they stop in: a
    line cut in two would miscount its columns."""
    end = text.find("\n", size)
    return text if end < 0 else text[:end]


def _delimiter(text: str) -> str:
    """The CSV's separator: a comma, or the semicolon (or tab) that Excel writes where the
    decimal mark is a comma, or the vertical bar of a finance system's flat file, when only
    that one gives a header with a date, a supplier and an amount."""
    head = "\n".join(_head(text).splitlines()[:HEADER_SEARCH_ROWS])
    for delimiter in (",", ";", "\t", "|"):
        rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        if find_header(list(enumerate(rows, start=1)))[0] >= 0:
            return delimiter
    return ","


def _fast_rows(text: str, delimiter: str = ",") -> Rows | None:
    """The records of a CSV through pandas' C parser, numbered by line; None (read it with
    the csv module instead) where a quoted field spans lines or a row is wider than the
    first ones, so that line numbers stay exact and nothing is cut."""
    import pandas as pd

    head = list(csv.reader(io.StringIO(_head(text), newline=""), delimiter=delimiter))
    head = head[: HEADER_SEARCH_ROWS * 2]
    width = max((len(row) for row in head), default=0)
    if not width:
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            sep=delimiter,
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
