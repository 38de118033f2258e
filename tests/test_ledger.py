"""Reading ledger exports: layouts, encodings, credit notes, and rows that cannot be read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from pipeline.ledger import MAX_LEDGER_BYTES, read_ledgers, spend_files
from pipeline.ledger_values import amount_pence, payment_date, pence_column
from pipeline.position import build_position
from pipeline.values import ValueProblem
from tests.test_position import sample_with_cost_codes

HEADER = "Date,Supplier,Amount,Transaction number,Cost centre,Expense type,INV/CRN\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_title_row_quoted_commas_bom_and_trailing_blank_rows(tmp_path: Path) -> None:
    text = (
        "Payments over £500 - May 2021,,,\n"
        + HEADER
        + '03/05/2021,"Victim Support, Lincs","£1,234.56",T1,VS01,Grant,INV\n'
        + "04/05/2021,Rape Crisis,(200.00),T2,,Grant,INV\n"
        + "05/05/2021,Rape Crisis,-10,T3,,Grant,\n"
        + "06/05/2021,Stop Hate,50.5,T4,,Grant,CRN\n"
        + ",,,,,,\n,,,,,,\n"
    )
    read = read_ledgers([write(tmp_path, "may.csv", text, "utf-8-sig")])
    assert read.findings == []
    payments = read.payments
    assert list(payments["amount"]) == [123456, -20000, -1000, -5050]
    assert list(payments["row"]) == [3, 4, 5, 6]  # CSV line numbers, title and header counted
    assert payments["supplier"].iloc[0] == "Victim Support, Lincs"
    assert payments["date"].iloc[0].date() == dt.date(2021, 5, 3)
    assert payments["amount"].dtype == "int64"
    assert payments["cost_code"].iloc[0] == "VS01"


def test_windows_1252_csv_and_aliases(tmp_path: Path) -> None:
    text = "Payment date,Payee,Amount (£),Voucher number\n1/6/21,Café Nord,£750,V9\n"
    read = read_ledgers([write(tmp_path, "june.csv", text, "cp1252")])
    assert read.findings == []
    assert read.payments["supplier"].iloc[0] == "Café Nord"
    assert read.payments["amount"].iloc[0] == 75000
    assert read.payments["reference"].iloc[0] == "V9"
    assert read.payments["date"].iloc[0].date() == dt.date(2021, 6, 1)


@pytest.mark.parametrize(
    "text",
    [
        # The Transparency Code's spend template (LGA), column for column.
        "Body Name,Body,Service Area Categorisation,Service Division Categorisation,"
        "Responsible Unit,Expenses Type,Detailed Expenses Type,Expenses Code,Narrative,Date,"
        "Transaction Number,Amount,Revenue / Capital,Supplier Name,Supplier ID,Contract ID,Notes\n"
        "Lincs PCC,PCC,VS01,Victims,OPCC,Grant,Grant,5001,Q1,03/05/2021,"
        "T1,1234.56,Revenue,Victim Support,S1,,\n",
        # A SAP export as forces publish it.
        "Vendor Name,Clearing Date,Document Number,Cost Center,Expenditure Category,Amount\n"
        "Victim Support,03/05/2021,T1,VS01,Grant,1234.56\n",
        # An Oracle export: the payment date is read, not the invoice's.
        "Creditor Name,Invoice Date,Payment Date,Net Value,Transaction ID,Expense Description\n"
        "Victim Support,28/04/2021,03/05/2021,1234.56,T1,Grant\n",
        "Beneficiary,Date Paid,Amount excl. VAT,Payment Reference\n"
        "Victim Support,03/05/2021,1234.56,T1\n",
        # Agresso's Transparency Code export as a district council publishes it: the supplier
        # headed "Supplier (beneficiary)" (it was W-SPEND-READ, no header row).
        "Body name,Transaction date,Supplier (beneficiary),Transaction number,Net amount,"
        "Irrecoverable VAT,Department or service where expenditure occurred,"
        "Procurement category,CIPFA expenditure code,Purpose of expenditure (narrative)\n"
        "Lincs PCC,03/05/2021,Victim Support,T1,1234.56,0.00,OPCC,Grants,5001,Q1 grant\n",
        # A ledger report's own headings.
        "Voucher date,Recipient,Payment amount,Voucher number\n"
        "03/05/2021,Victim Support,1234.56,T1\n",
        # A county council's layout: "Amount Exc VAT" (it was W-SPEND-READ).
        "Service area,Expense type,Payment date,Transaction number,Amount Exc VAT,Supplier name\n"
        "Policing,Grants,03/05/2021,T1,1234.56,Victim Support\n",
        # A creditors' payment report: net, VAT and gross, "Invoice No" its reference.
        "Creditor Name,Invoice No,Invoice Date,Payment Date,Net,VAT,Gross,Cost Centre\n"
        "Victim Support,T1,28/04/2021,03/05/2021,1234.56,246.91,1481.47,VS01\n",
    ],
    ids=["lga-template", "sap", "oracle", "other", "agresso", "report", "county", "creditors"],
)
def test_other_finance_systems_headings(tmp_path: Path, text: str) -> None:
    """Other forces' and offices' ledgers: the payment read, no W-SPEND-READ."""
    read = read_ledgers([write(tmp_path, "spend.csv", text)])
    assert read.findings == []
    payments = read.payments
    assert len(payments) == 1
    assert payments["supplier"].iloc[0] == "Victim Support"
    assert (payments["amount"].iloc[0], payments["reference"].iloc[0]) == (123456, "T1")
    assert payments["date"].iloc[0].date() == dt.date(2021, 5, 3)


def test_unreadable_rows_are_located_findings_not_dropped(tmp_path: Path) -> None:
    text = HEADER + "31/04/2021,Rape Crisis,100,T1,,,\n01/05/2021,Stop Hate,TBC,T2,,,\n"
    text += ",Total,100,,,,\n"
    read = read_ledgers([write(tmp_path, "bad.csv", text)], labels=["input/spend/bad.csv"])
    assert len(read.payments) == 0
    found = [(f.code, f.file, f.sheet, f.cell) for f in read.findings]
    assert found == [
        ("W-SPEND-VALUE", "input/spend/bad.csv", "bad.csv", "line 2"),
        ("W-SPEND-VALUE", "input/spend/bad.csv", "bad.csv", "line 3"),
        ("W-SPEND-VALUE", "input/spend/bad.csv", "bad.csv", "line 4"),
    ]
    assert "31/04/2021" in read.findings[0].message
    assert "TBC" in read.findings[1].message
    assert "total" in read.findings[2].message


def test_xlsx_ledger_rows_are_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "q1.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Q1")
    sheet.write_row(0, 0, ["OPCC spend over £500"])
    sheet.write_row(2, 0, ["Transaction date", "Supplier name", "Net amount", "URI"])
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_datetime(3, 0, dt.datetime(2021, 4, 30), date_format)
    sheet.write_row(3, 1, ["NWCH", 1529.25, "U1"])
    sheet.write_row(4, 0, ["30/05/2021", "NWCH", "oops", "U2"])
    book.close()
    read = read_ledgers([path])
    assert list(read.payments["row"]) == [4]
    assert read.payments["amount"].iloc[0] == 152925
    assert read.payments["sheet"].iloc[0] == "q1.xlsx › Q1"
    assert [(f.code, f.sheet, f.cell) for f in read.findings] == [
        ("W-SPEND-VALUE", "q1.xlsx › Q1", "row 5")
    ]


def test_a_report_s_parameters_sheet_beside_its_payments_is_not_said(tmp_path: Path) -> None:
    # Oracle's and SAP's reports saved to Excel put the report's criteria on a sheet of their
    # own (a label and its value on each row): it was W-SPEND-READ, "has no header row with a
    # date, a supplier and an amount column ... none of its payments are counted", in every
    # month's file, telling the officer to rename columns a cover sheet does not have.
    path = tmp_path / "ap.xlsx"
    book = xlsxwriter.Workbook(path)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    criteria = book.add_worksheet("Parameters")
    criteria.write_row(0, 0, ["Report", "AP payments over £500"])
    criteria.write(1, 0, "From")
    criteria.write_datetime(1, 1, dt.datetime(2021, 4, 1), date_format)
    criteria.write_row(2, 0, ["Ledger", "OPCC"])
    data = book.add_worksheet("Data")
    data.write_row(0, 0, ["Payment date", "Supplier name", "Net amount"])
    data.write_datetime(1, 0, dt.datetime(2021, 4, 30), date_format)
    data.write_row(1, 1, ["NWCH", 1529.25])
    book.close()
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["amount"]) == [152925]


def test_a_sheet_of_three_columns_with_no_header_is_still_said(tmp_path: Path) -> None:
    # A table (three cells or more on a row) whose header is not found may hold payments:
    # beside a sheet that was read, it is still said.
    path = tmp_path / "ap.xlsx"
    book = xlsxwriter.Workbook(path)
    june = book.add_worksheet("June")
    june.write_row(0, 0, ["When", "Who", "How much"])
    june.write_row(1, 0, ["30/06/2021", "NWCH", 100])
    may = book.add_worksheet("May")
    may.write_row(0, 0, ["Date", "Supplier", "Amount"])
    may.write_row(1, 0, ["31/05/2021", "NWCH", 100])
    book.close()
    read = read_ledgers([path])
    assert [(f.code, f.sheet) for f in read.findings] == [("W-SPEND-READ", "ap.xlsx › June")]
    assert list(read.payments["amount"]) == [10000]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("Date,Supplier,Amount\n01/05/2021,A,1\n".encode("utf-16-le"), "UTF-16"),  # no BOM
        (b"Date,Supplier,Amount\n01/05/2021,A\x81,1\n", "neither UTF-8 nor Windows-1252"),
        (b"When,Who\nA,1\n", "no header row"),
        (b"Payee,Value\nA,1\n", "has no date column: head it as one of Date"),
        (b"", "empty"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "spend.csv"
    path.write_bytes(content)
    read = read_ledgers([path])
    assert len(read.payments) == 0
    assert [f.code for f in read.findings] == ["W-SPEND-READ"]
    assert fragment in read.findings[0].message


def test_a_200_mb_csv_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written to the disk
    assert path.stat().st_size > MAX_LEDGER_BYTES

    def never(self: Path) -> bytes:
        raise AssertionError(f"{self} was read in full")

    monkeypatch.setattr(Path, "read_bytes", never)
    read = read_ledgers([path])
    assert [f.code for f in read.findings] == ["W-SPEND-READ"]
    assert "200 MB" in read.findings[0].message


def test_a_plan_workbook_in_the_spend_folder_says_so() -> None:
    plan = Path(__file__).resolve().parent.parent / "input" / "lincolnshire-2021-22.xlsx"
    read = read_ledgers([plan])
    assert [f.code for f in read.findings] == ["W-SPEND-READ"]
    assert "is a plan workbook" in read.findings[0].message


def test_a_quoted_line_break_or_a_wider_row_keeps_line_numbers(tmp_path: Path) -> None:
    text = (
        HEADER
        + '03/05/2021,"Victim Support\nLincs",100,T1,,,\n'
        + "04/05/2021,Rape Crisis,200,T2,,Grant,INV,extra,columns\n"
        + "05/05/2021,NWCH,300,T3,,,\n"
    )
    read = read_ledgers([write(tmp_path, "odd.csv", text)])
    assert read.findings == []
    assert list(read.payments["row"]) == [2, 4, 5]
    assert list(read.payments["amount"]) == [10000, 20000, 30000]


def test_excel_unicode_text_is_read(tmp_path: Path) -> None:
    # Excel's "Unicode Text (*.txt)": UTF-16 with its byte-order mark, separated by tabs.
    text = "Date\tSupplier\tAmount\r\n06/04/2021\tCafé Nomad\t£1,589.63\r\n"
    read = read_ledgers([write(tmp_path, "april.txt", text, "utf-16")])
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["Café Nomad"]
    assert list(read.payments["amount"]) == [158963]


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("April 6, 2021", dt.date(2021, 4, 6)),  # the month named first: read as named
        ("Apr 6 2021", dt.date(2021, 4, 6)),
        ("6 April 2021", dt.date(2021, 4, 6)),
        ("01-Apr-21", dt.date(2021, 4, 1)),  # what Oracle and SAP exports write
        ("01-APR-2021", dt.date(2021, 4, 1)),
        ("1/Apr/2021", dt.date(2021, 4, 1)),
        ("06/04/2021 09:30", dt.date(2021, 4, 6)),
    ],
)
def test_payment_dates_with_the_month_named(typed: str, day: dt.date) -> None:
    assert payment_date(typed) == day


@pytest.mark.parametrize("serial", [44292, 44292.0, 44292.375, "44292", "44292.0"])
def test_a_payment_date_as_an_excel_serial_number(serial: object) -> None:
    # A date column that lost its format (a report tool's CSV, or a General cell): 44292 is
    # 06/04/2021 to Excel, and a payment date is never a five-digit figure otherwise.
    assert payment_date(serial) == dt.date(2021, 4, 6)


@pytest.mark.parametrize("number", [0, 7, 2021, 99999, -44292, "12345678"])
def test_a_number_far_from_any_payment_date_is_still_a_problem(number: object) -> None:
    with pytest.raises(ValueProblem, match="not a date"):
        payment_date(number)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("123.45 CR", -12345),
        ("123.45CR", -12345),
        ("£1,234.56 cr", -123456),
        ("123.45 DR", 12345),
        ("123.45Dr", 12345),
    ],
)
def test_credit_and_debit_suffixes(typed: str, pence: int) -> None:
    assert amount_pence(typed, None) == pence


def test_cr_and_dr_are_counted_in_a_ledger(tmp_path: Path) -> None:
    text = "Date,Supplier,Amount\n06/04/2021,NWCH,100.00 DR\n07/04/2021,NWCH,40.00 CR\n"
    read = read_ledgers([write(tmp_path, "crdr.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [10000, -4000]


def test_an_xlsx_amount_with_a_fraction_of_a_penny_says_so(tmp_path: Path) -> None:
    # 1.005 typed in a number cell is not "a point between thousands" (82.661 typed as text)
    with pytest.raises(ValueProblem, match=r'reads "1.005", which has fractions of a penny'):
        amount_pence(1.005, None)
    assert amount_pence(1234.5600000000001, None) == 123456  # a calculated cell's binary noise
    assert amount_pence(0.1 + 0.2, None) == 30


def test_a_csv_whose_end_is_still_nul_bytes_is_being_copied(tmp_path: Path) -> None:
    # Windows sets a copy's full size first and fills it in: until then its end is NUL bytes.
    rows = "".join(f"06/04/2021,Rape Crisis,10.00,T{i},,,INV\n" for i in range(400))
    data = (HEADER + rows).encode()
    path = tmp_path / "april.csv"
    path.write_bytes(data[:9000] + bytes(len(data) - 9000))
    read = read_ledgers([path])
    assert len(read.payments) == 0  # never 260-odd of the 400 payments, as if that were all
    [finding] = read.findings
    line = data[:9000].count(b"\n") + 1
    assert (finding.code, finding.cell) == ("W-SPEND-READ", f"line {line}")
    assert f"NUL bytes from line {line}" in finding.message
    assert "still being copied" in finding.message


def test_a_spend_file_that_keeps_changing_while_read_is_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.ledger

    path = write(tmp_path, "may.csv", HEADER + "06/05/2021,NWCH,10.00,T1,,,INV\n")
    ticks = iter(range(1000))
    monkeypatch.setattr(pipeline.ledger, "signature", lambda p: (next(ticks), 0, 0))
    monkeypatch.setattr(pipeline.ledger, "RETRY_PAUSE", 0)
    read = read_ledgers([path])
    assert len(read.payments) == 0
    [finding] = read.findings
    assert finding.code == "W-SPEND-READ"
    assert "kept changing while it was read" in finding.message
    assert "still being copied or saved" in finding.message


def test_a_spend_file_that_changed_once_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.ledger

    path = write(tmp_path, "may.csv", HEADER + "06/05/2021,NWCH,10.00,T1,,,INV\n")
    ticks = iter([1, 2, 2, 2, 2, 2])  # a save finished during the first read
    monkeypatch.setattr(pipeline.ledger, "signature", lambda p: (next(ticks), 0, 0))
    monkeypatch.setattr(pipeline.ledger, "RETRY_PAUSE", 0)
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["amount"]) == [1000]


def test_a_header_repeated_on_each_page_is_not_a_payment(tmp_path: Path) -> None:
    # A report printed to CSV repeats its header at the top of every page.
    text = (
        HEADER
        + "06/04/2021,Rape Crisis,1589.63,T1,,,INV\n"
        + HEADER.replace("Amount", "AMOUNT")
        + "07/05/2021,NWCH,352.90,T2,,,INV\n"
        + HEADER
    )
    read = read_ledgers([write(tmp_path, "pages.csv", text)])
    assert read.findings == []  # not "the payment to Supplier is not counted"
    assert list(read.payments["row"]) == [2, 4]


def test_a_title_and_page_number_repeated_on_each_page_are_not_payments(tmp_path: Path) -> None:
    # A report printed to CSV repeats its title and "Page 2 of 2" above the header of each
    # page, and prints when it ran at the end: each was W-SPEND-VALUE, "The payment to no
    # supplier is not counted: its date reads "Page 2 of 2"" (two per page of a long report).
    title = "Lincolnshire OPCC - Payments Report\nPage {} of 2\n"
    text = (
        title.format(1)
        + HEADER
        + "06/04/2021,Rape Crisis,1589.63,T1,,,INV\n\n"
        + title.format(2)
        + HEADER
        + "07/05/2021,NWCH,352.90,T2,,,INV\n"
        + "Printed 01/06/2021 10:32\n"
    )
    read = read_ledgers([write(tmp_path, "pages.csv", text)])
    assert read.findings == []
    assert list(read.payments["row"]) == [4, 9]


def test_the_day_a_report_ran_and_its_page_totals_are_not_payments(tmp_path: Path) -> None:
    # Each page repeats the title, the day the report ran (a date alone) and "Page 2 of 2",
    # and closes with the page's total alone under the amount column; the report ends with
    # its grand total the same way. Each date and each total was W-SPEND-VALUE ("The payment
    # to no supplier is not counted: its amount is blank", "... its date is blank").
    title = "Lincolnshire OPCC - Payments over £500\n15/10/2021\nPage {} of 2\n"
    text = (
        title.format(1)
        + HEADER
        + "06/04/2021,Rape Crisis,1589.63,T1,,,INV\n"
        + "07/05/2021,NWCH,352.90,T2,,,INV\n"
        + ',,"1,942.53"\n\n'
        + title.format(2)
        + HEADER
        + "07/06/2021,NWCH,352.90,T3,,,INV\n"
        + ",,352.90\n"
        + ",,2295.43\n"
        + "15/10/2021\n"
    )
    read = read_ledgers([write(tmp_path, "report.csv", text)])
    assert read.findings == []
    assert list(read.payments["row"]) == [5, 6, 13]
    assert sum(read.payments["amount"]) == 229543


def test_a_report_s_labelled_page_totals_and_balances_carried_are_not_payments(
    tmp_path: Path,
) -> None:
    # Page totals with their label (and the VAT and gross beside them), the balance carried
    # to the next page and brought from the last: each was W-SPEND-VALUE, 'This row reads
    # "Page total", a total rather than a payment ... remove it from the export', on every
    # page of a report that cannot be exported without them.
    header = "Date,Supplier,Net,VAT,Gross\n"
    text = (
        header
        + "06/04/2021,Rape Crisis,1000.00,200.00,1200.00\n"
        + "07/05/2021,NWCH,500.00,0.00,500.00\n"
        + "Page total,,1500.00,200.00,1700.00\n"
        + "Carried forward,,1500.00,,\n"
        + "Page 2 of 2\n"
        + header
        + "Brought forward,,1500.00,,\n"
        + "07/06/2021,NWCH,250.00,0.00,250.00\n"
        + "Totals:,,1750.00,200.00,1950.00\n"
    )
    read = read_ledgers([write(tmp_path, "report.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [100000, 50000, 25000]


def test_a_figure_alone_that_is_no_total_of_its_page_is_still_said(tmp_path: Path) -> None:
    # Beside the page furniture too, a figure that is not what the page's payments add up
    # to may be a payment that lost its other cells: never passed over.
    text = (
        "Payments report\nPage 1 of 1\n"
        + HEADER
        + "06/04/2021,Rape Crisis,1589.63,T1,,,INV\n"
        + ",,1000.00\n"
        + "Printed 15/10/2021 10:32\n"
    )
    read = read_ledgers([write(tmp_path, "report.csv", text)])
    assert [(f.code, f.cell) for f in read.findings] == [("W-SPEND-VALUE", "line 5")]


def test_a_date_or_a_figure_alone_on_a_line_is_still_said(tmp_path: Path) -> None:
    # Not page furniture: a payment that lost its other cells.
    text = HEADER + "06/04/2021,Rape Crisis,1589.63,T1,,,INV\n07/05/2021\n,,352.90\n"
    read = read_ledgers([write(tmp_path, "lost.csv", text)])
    assert [f.cell for f in read.findings] == ["line 3", "line 4"]
    assert list(read.payments["row"]) == [2]


def test_a_title_block_of_a_dozen_lines_above_the_header(tmp_path: Path) -> None:
    title = "".join(f"Report line {n}: AP payments over £500\n" for n in range(12)) + "\n"
    read = read_ledgers([write(tmp_path, "report.csv", title + HEADER + "06/04/2021,NWCH,5,T1\n")])
    assert read.findings == []
    assert list(read.payments["row"]) == [15]


def test_a_header_longer_than_the_sample_read_first_is_still_found(tmp_path: Path) -> None:
    # The first 64 KB are read to find the header and the width: a header line longer than
    # that was cut, its columns miscounted and the payments read shifted (or not at all).
    filler = ",".join(f"Unused {n}" for n in range(9000))
    text = f"Date,Supplier,Amount,{filler}\n06/04/2021,NWCH,5.00\n07/04/2021,NWCH,6.00\n"
    read = read_ledgers([write(tmp_path, "wide.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [500, 600]


def test_an_enormous_supplier_name_is_cut_in_findings(tmp_path: Path) -> None:
    text = f'Date,Supplier,Amount\n06/04/2021,"{"x" * 100_000}",5.00\n06/04/2021,"{"y" * 9000}",z\n'
    read = read_ledgers([write(tmp_path, "big.csv", text)])
    [value] = read.findings
    assert len(value.message) < 1000
    position = build_position(sample_with_cost_codes(), read.payments)
    assert position is not None
    [unmatched] = [f for f in position.findings if f.code == "W-SPEND-UNMATCHED"]
    assert len(unmatched.message) < 1000
    assert "x" * 200 in unmatched.message


@pytest.mark.parametrize(
    "typed",
    [
        "06/04/2021 9:30 AM",  # Excel on Windows, a 12-hour clock
        "06/04/2021 12:00:00 am",
        "2021-04-06T00:00:00Z",  # a finance system's API export
        "2021-04-06T00:00:00+01:00",
        "2021/04/06",  # the year first is never read day-first
    ],
)
def test_payment_dates_as_systems_write_them(typed: str) -> None:
    assert payment_date(typed) == dt.date(2021, 4, 6)


def test_a_quote_never_closed_is_said_at_its_line(tmp_path: Path) -> None:
    text = (
        "Date,Supplier,Amount\n06/04/2021,NWCH,5.00\n"
        '07/04/2021,"NWCH,6.00\n08/04/2021,NWCH,7.00\n09/04/2021,NWCH,8.00\n'
    )
    read = read_ledgers([write(tmp_path, "quote.csv", text)])
    assert list(read.payments["amount"]) == [500]
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-READ", "line 3")
    assert "a quote opened on line 3 that is never closed" in finding.message
    assert "the payments before line 3 are counted" in finding.message


def test_a_stray_quote_inside_a_field_does_not_stop_the_read(tmp_path: Path) -> None:
    text = 'Date,Supplier,Amount\n06/04/2021,"NWCH" Ltd,5.00\n07/04/2021,"A\nB",6.00\n08/04/2021,NWCH,7\n'
    read = read_ledgers([write(tmp_path, "stray.csv", text)])
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["NWCH Ltd", "A B", "NWCH"]
    assert list(read.payments["row"]) == [2, 3, 5]


def test_a_credit_note_marked_in_a_document_type_column(tmp_path: Path) -> None:
    # Finance systems mark a credit note by its document type, its amount printed positive.
    text = (
        "Date,Supplier,Amount,Document type\n"
        "06/04/2021,NWCH,100.00,Invoice\n07/04/2021,NWCH,40.00,Credit Note\n"
        "08/04/2021,NWCH,-5.00,CRN\n"
    )
    read = read_ledgers([write(tmp_path, "types.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [10000, -4000, -500]


def test_two_columns_headed_alike_are_not_guessed_between(tmp_path: Path) -> None:
    # Net and gross both exported as "Amount": which is the payment is never guessed.
    text = "Date,Supplier,Amount,VAT,Amount\n06/04/2021,Victim Support,100.00,20.00,120.00\n"
    read = read_ledgers([write(tmp_path, "doubled.csv", text)], labels=["input/spend/doubled.csv"])
    assert read.payments.empty
    [finding] = read.findings
    assert (finding.code, finding.sheet, finding.cell) == ("W-SPEND-READ", "doubled.csv", "line 1")
    assert 'Columns 3 and 5 are both headed "Amount"' in finding.message
    assert "None of its payments are counted" in finding.message


@pytest.mark.parametrize(
    "document_type", ["Credit Memo", "CREDIT MEMO", "Credit memos", "Credit Notes", "CN"]
)
def test_a_credit_memo_as_oracle_and_sap_name_it_counts_negative(
    tmp_path: Path, document_type: str
) -> None:
    # Oracle Payables' and SAP's "Credit Memo", a plural, or CN: each counted as a payment
    # before (the fund's spend went up by the credit instead of down).
    text = f"Date,Supplier,Amount,Document type\n07/04/2021,NWCH,40.00,{document_type}\n"
    read = read_ledgers([write(tmp_path, "memo.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [-4000]


def test_a_payment_by_credit_card_is_not_a_credit_note(tmp_path: Path) -> None:
    text = "Date,Supplier,Amount,Transaction type\n07/04/2021,NWCH,40.00,Credit card\n"
    read = read_ledgers([write(tmp_path, "card.csv", text)])
    assert list(read.payments["amount"]) == [4000]


@pytest.mark.parametrize("typed", ["--500", "-(500)", "(500)-", "£--500.00", "(-500)"])
def test_an_amount_with_two_signs_is_not_read_as_either(typed: str) -> None:
    # "--500" was a payment of +£500 (the two minus signs cancelled); "-(500)" was said to be
    # a negative budget, as if the ledger were the plan.
    with pytest.raises(ValueProblem, match="more than one minus sign or bracket") as problem:
        amount_pence(typed, None)
    assert "budget" not in str(problem.value)


@pytest.mark.parametrize(
    ("typed", "year"), [("01/05/0021", "0021"), ("01/05/2121", "2121"), ("1/5/1821", "1821")]
)
def test_a_date_in_no_payment_year_is_said_at_its_row(
    tmp_path: Path, typed: str, year: str
) -> None:
    # 01/05/0021 was read, then turned by the payments table's dates into 28/12/1774 and
    # reported as a payment of that day.
    text = f"Date,Supplier,Amount\n{typed},NWCH,5.00\n02/05/2021,NWCH,6.00\n"
    read = read_ledgers([write(tmp_path, "years.csv", text)])
    assert list(read.payments["amount"]) == [600]
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-VALUE", "line 2")
    assert f'date reads "{typed}": the year {year} is no payment\'s year' in finding.message


@pytest.mark.parametrize(
    ("typed", "hint"), [("31/13/2021", "dd/mm/yyyy"), ("31/04/2021", "type 30/04/2021")]
)
def test_a_payment_date_hint_does_not_offer_a_month(typed: str, hint: str) -> None:
    # A plan's dates may be a month; a payment's may not (a month is refused): not suggested.
    # A day its month lacks names the month's last day instead.
    with pytest.raises(ValueProblem) as problem:
        payment_date(typed)
    assert "as a month" not in str(problem.value)
    assert hint in str(problem.value)


def test_an_xlsx_export_with_its_headings_merged_over_two_rows(tmp_path: Path) -> None:
    # A report tool's Excel export: a merged title, then "Supplier" merged down two header
    # rows beside "Payment" merged over "Date" and "Amount", and a supplier merged down its
    # payments. It was "no header row"; the supplier's second payment had no supplier.
    path = tmp_path / "report.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Report")
    sheet.merge_range("A1:D1", "Payments over £500 - May 2021", None)
    sheet.merge_range("A3:B3", "Payment", None)
    sheet.merge_range("C3:C4", "Supplier", None)
    sheet.write_row(3, 0, ["Date", "Amount"])
    sheet.write_string(2, 3, "Cost")
    sheet.write_string(3, 3, "Cost centre")
    sheet.write_row(4, 0, ["03/05/2021", 1234.56])
    sheet.merge_range("C5:C6", "Rape Crisis", None)
    sheet.write_row(5, 0, ["04/05/2021", -200])
    sheet.write_row(6, 0, ["05/05/2021", 300, "NWCH", "RC1"])
    book.close()
    read = read_ledgers([path])
    assert read.findings == []
    assert list(read.payments["row"]) == [5, 6, 7]
    assert list(read.payments["supplier"]) == ["Rape Crisis", "Rape Crisis", "NWCH"]
    assert list(read.payments["amount"]) == [123456, -20000, 30000]


@pytest.mark.parametrize(
    ("content", "cell", "fragment"),
    [
        # A stray NUL in a text export: said at its line, not "UTF-16 text or a binary file".
        (b"Date,Supplier,Amount\n01/05/2021,A,1\n01/05/2021,B\x00,2\n", "line 3", "NUL byte"),
    ],
)
def test_a_damaged_byte_is_said_at_its_line(
    tmp_path: Path, content: bytes, cell: str, fragment: str
) -> None:
    path = tmp_path / "damaged.csv"
    path.write_bytes(content)
    read = read_ledgers([path])
    assert read.payments.empty
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-READ", cell)
    assert fragment in finding.message


def test_utf_32_text_with_its_mark_is_read(tmp_path: Path) -> None:
    # Its mark begins like UTF-16's: it was read as UTF-16, a blank row between each line.
    text = "Date,Supplier,Amount\r\n06/04/2021,Café Nomad,£1,589.63\r\n".replace(
        "£1,589.63", '"£1,589.63"'
    )
    read = read_ledgers([write(tmp_path, "april.csv", text, "utf-32")])
    assert read.findings == []
    assert list(read.payments["supplier"]) == ["Café Nomad"]
    assert list(read.payments["amount"]) == [158963]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    # --spend june.csv beside --spend the folder holding it: every payment was counted twice.
    folder = tmp_path / "spend"
    folder.mkdir()
    june = write(folder, "june.csv", "Date,Supplier,Amount\n01/06/2021,NWCH,5.00\n")
    named = spend_files([folder, june, folder / ".." / "spend" / "june.csv"])
    assert named == [june]


def test_a_ledger_whose_dates_are_all_month_first_is_not_read_day_first(tmp_path: Path) -> None:
    # An export from a system set to US English: 05/13/2021 was said at its row, but
    # 05/01/2021 (1 May) was counted as 5 January without a word.
    text = "Date,Supplier,Amount\n05/01/2021,NWCH,1.00\n05/13/2021,NWCH,2.00\n5/31/21,NWCH,3\n"
    read = read_ledgers([write(tmp_path, "us.csv", text)])
    assert read.payments.empty
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-READ", "line 3")
    assert 'dates are month-first (US style): line 3 reads "05/13/2021"' in finding.message
    assert "None of its payments are counted" in finding.message


def test_one_month_first_slip_in_a_day_first_ledger_is_said_at_its_row(tmp_path: Path) -> None:
    text = "Date,Supplier,Amount\n05/01/2021,NWCH,1.00\n05/13/2021,NWCH,2.00\n14/05/2021,NWCH,3\n"
    read = read_ledgers([write(tmp_path, "slip.csv", text)])
    assert list(read.payments["amount"]) == [100, 300]
    assert [(f.code, f.cell) for f in read.findings] == [("W-SPEND-VALUE", "line 3")]


def test_the_vectorised_amounts_read_as_each_one_alone() -> None:
    # Amounts as Excel writes a formatted column to CSV (commas between thousands, a minus or
    # a pound sign) take the one-pass read; each must equal what amount_pence reads alone.
    typed = ["1,234.56", "-1,234.56", "£1,000", "-£5.5", "12,345,678.90", "0.00", "1234", "500"]
    credits: list[object] = ["INV", "INV", "CRN", "CRN", None, None, "Credit memo", "INV"]
    expected = [amount_pence(t, c) for t, c in zip(typed, credits, strict=True)]
    assert pence_column(typed, credits) == expected
    assert expected == [123456, -123456, -100000, -550, 1234567890, 0, -123400, 50000]


def test_a_copy_of_a_spend_file_is_not_counted_twice(tmp_path: Path) -> None:
    # "april (1).csv" beside "april.csv" in the shared folder, in a ledger with no reference
    # column: W-SPEND-DUPLICATE cannot see the repeats, and every payment counted twice.
    text = "Date,Supplier,Amount\n01/04/2021,NWCH,5.00\n01/04/2021,NWCH,5.00\n"
    april = write(tmp_path, "april.csv", text)
    copy = write(tmp_path, "april (1).csv", text)
    read = read_ledgers([april, copy], labels=["spend/april.csv", "spend/april (1).csv"])
    assert list(read.payments["amount"]) == [500, 500]  # two payments alike, both real
    [finding] = read.findings
    assert (finding.code, finding.file, finding.sheet) == (
        "W-SPEND-READ",
        "spend/april (1).csv",
        "april (1).csv",
    )
    assert "is the same file as april.csv, byte for byte" in finding.message


def _rows_xlsx(path: Path, count: int) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Payments")
    sheet.write_row(0, 0, ["Date", "Supplier", "Amount"])
    for n in range(1, count + 1):
        sheet.write_row(n, 0, ["01/05/2021", "NWCH", n])
    book.close()
    return path


def test_an_xlsx_ledger_longer_than_any_plan_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A year's payments over 100,000 rows as .xlsx was refused by the plan's row limit,
    # saying "no plan has more than 100,000" and to delete the rows below the table. Here
    # the limits are made small (and the used-area read forced) to show it without a
    # 100,000-row file: read by hand, 100,000 payment rows are counted to the penny.
    from pipeline import ledger, sheet_extent, sheets

    monkeypatch.setattr(sheets, "MAX_DENSE_CELLS", 0)
    monkeypatch.setattr(sheet_extent, "MAX_ROWS", 3)
    monkeypatch.setattr(ledger, "MAX_LEDGER_ROWS", 10)
    read = read_ledgers([_rows_xlsx(tmp_path / "year.xlsx", 6)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [n * 100 for n in range(1, 7)]
    over = read_ledgers([_rows_xlsx(tmp_path / "more.xlsx", 12)])
    assert over.payments.empty
    [finding] = over.findings
    assert finding.code == "W-SPEND-READ"
    assert "holds values in 13 rows, down to row 13, more than the 10 a spend file" in (
        finding.message
    )
    assert "export one quarter per file" in finding.message
    assert "plan" not in finding.message


@pytest.mark.parametrize(
    ("typed", "pence"), [("£(1,234.56)", -123456), ("(£1,234.56)", -123456), ("£ 5 CR", -500)]
)
def test_a_credit_with_the_pound_sign_outside_its_brackets(typed: str, pence: int) -> None:
    # Excel's currency format £#,##0.00;£(#,##0.00) prints a credit as £(1,234.56): it was
    # "more than one minus sign or bracket" (before that, "a negative budget").
    assert amount_pence(typed, None) == pence


def test_excel_subtotal_rows_that_add_up_are_not_payments(tmp_path: Path) -> None:
    # Data > Subtotal in Excel, then saved as CSV: "NWCH Total" rows with no date. They were
    # "The payment to NWCH Total is not counted: its date is blank; correct the row", then
    # each was said to be a total, to be removed from the export (one per supplier). A total
    # that is the sum of the payments since the last total, or of all, holds no payment.
    text = (
        "Date,Supplier,Amount\n01/05/2021,NWCH,5.00\n02/05/2021,NWCH,6.00\n,NWCH Total,11.00\n"
        "03/05/2021,Stop Hate,7.50\n,Stop Hate Total,7.50\n,Grand Total,18.50\n"
    )
    read = read_ledgers([write(tmp_path, "subtotals.csv", text)])
    assert list(read.payments["amount"]) == [500, 600, 750]
    assert read.findings == []


def test_a_total_that_does_not_add_up_is_said(tmp_path: Path) -> None:
    # A row of a payment deleted by hand, or a total typed: not what the rows above add up
    # to, so which is right is the officer's to see.
    text = "Date,Supplier,Amount\n01/05/2021,NWCH,5.00\n02/05/2021,NWCH,6.00\n,NWCH Total,12.00\n"
    read = read_ledgers([write(tmp_path, "subtotals.csv", text)])
    assert list(read.payments["amount"]) == [500, 600]
    assert [f.cell for f in read.findings] == ["line 4"]
    assert 'This row reads "NWCH Total" and £12, a total rather than a payment' in (
        read.findings[0].message
    )
    assert "the payments above it add up to £11, £1 less" in read.findings[0].message


def test_a_total_row_labelled_in_a_column_not_read_says_it_does_not_add_up(
    tmp_path: Path,
) -> None:
    # An acceptance check's Agresso export: a Total row of £69,395.63, labelled in Description
    # (a column not read), under payments adding up to £69,895.63, was "The payment to no
    # supplier is not counted: its date is blank; enter a date...": no word of a total, nor
    # that it differs, nor by how much.
    text = (
        "Agresso Business World - Payments report\n"
        "Period,Trans date,Voucher no,Supplier(T),Cost centre,Description,Amount,Currency\n"
        '202306,05/09/2023,100040,CARA,VF300,Victim service 7,"23,500.00",GBP\n'
        '202307,02/10/2023,100080,Victim Support,VF100,Core service,"10,000.00",GBP\n'
        ',,,,,Total,"33,000.00",\n'
    )
    read = read_ledgers([write(tmp_path, "agresso.csv", text)])
    assert list(read.payments["amount"]) == [2350000, 1000000]
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-VALUE", "line 5")
    assert finding.message.startswith(
        'This row reads "Total" and £33,000, a total rather than a payment, and is not counted'
    )
    assert "the payments above it add up to £33,500, £500 more" in finding.message
    assert "blank" not in finding.message


def test_merges_over_the_whole_sheet_do_not_stall_the_read() -> None:
    # A hostile .xlsx: 100,000 merged ranges, each down a million rows, over three rows of
    # data. Filling each range row by row was 10^11 steps; only the rows that exist are.
    from pipeline.ledger import _unmerged
    from pipeline.sheets import Cell, Merge, Sheet

    rows: dict[int, tuple[Cell, ...]] = {
        1: ("Date", "Supplier", "Amount"),
        2: ("01/05/2021", "NWCH", 5),
        3: ("", "", 6),
    }
    merges = tuple(Merge(2, 2, 1_000_000 + n, 2) for n in range(100_000))
    filled = _unmerged(Sheet("Payments", rows, merged=merges))
    assert filled[3] == ("", "NWCH", 6)
    assert filled[1] == rows[1]


def test_a_header_with_gross_but_no_net_amount_or_vat_says_so(tmp_path: Path) -> None:
    # "Gross" but no net amount (nor its VAT, to take off): it was "no header row ... (the
    # first row reads: Date, Supplier, Gross)", leaving the officer to guess which column was
    # missing. (With its VAT beside it, the net is the gross less the VAT: read.)
    text = "Payments over £500\nDate,Supplier,Tax code,Gross\n01/05/2021,NWCH,S,6.00\n"
    read = read_ledgers([write(tmp_path, "gross.csv", text)])
    assert read.payments.empty
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-READ", "line 2")
    assert 'header (line 2: "Date", "Supplier", "Tax code", "Gross") has no amount column' in (
        finding.message
    )
    assert "head it as one of Net amount, Amount excluding VAT" in finding.message
    assert "excluding VAT" in finding.message


def test_net_vat_and_gross_columns_count_the_net(tmp_path: Path) -> None:
    text = "Date,Supplier,Net,VAT,Gross\n01/05/2021,NWCH,5.00,1.00,6.00\n"
    read = read_ledgers([write(tmp_path, "net.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [500]


def test_a_comma_typed_in_an_unquoted_text_is_said_as_the_row_s_cause(tmp_path: Path) -> None:
    # A narrative typed "Q1 grant, part 1" in Notepad, without quotes: the line has one value
    # more than its header, so its amount column holds "part 1". The finding said only that
    # "part 1" is not an amount, and the officer looked for a mistyped amount in the row.
    text = (
        "Date,Supplier,Narrative,Amount,Reference\n"
        "01/04/2021,Safer Living Foundation,Q1 grant, part 1,6250.00,T1\n"
        "01/07/2021,Safer Living Foundation,Q2 grant,6250.00,T2\n"
        "02/07/2021,Crimestoppers,Campaign,ten pounds,T3\n"
    )
    read = read_ledgers([write(tmp_path, "spend.csv", text)])
    assert list(read.payments["reference"]) == ["T2"]
    shifted, typed = read.findings
    assert (shifted.code, shifted.cell) == ("W-SPEND-VALUE", "line 2")
    assert 'amount reads "part 1"' in shifted.message
    assert "Line 2 has 6 values where the header has 5 headings" in shifted.message
    assert "in double quotes" in shifted.message
    # A line no wider than its header is not said to be shifted.
    assert typed.cell == "line 4"
    assert "values where the header has" not in typed.message


def test_a_spend_folder_s_sub_folders_holding_files_are_listed_to_be_said(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "spend"
    for name in ("2021-22", "archive", "empty", ".hidden"):
        (folder / name).mkdir(parents=True)
    write(folder / "2021-22", "april.csv", "Date,Supplier,Amount\n01/04/2021,NWCH,5.00\n")
    write(folder / "archive", "march.csv", "Date,Supplier,Amount\n01/03/2021,NWCH,5.00\n")
    write(folder / ".hidden", "may.csv", "Date,Supplier,Amount\n01/05/2021,NWCH,5.00\n")
    june = write(folder, "june.csv", "Date,Supplier,Amount\n01/06/2021,NWCH,5.00\n")
    assert spend_files([folder]) == [folder / "2021-22", june]
    read = read_ledgers(spend_files([folder]))
    assert list(read.payments["date"].dt.month) == [6]
    [said] = read.findings
    assert (said.code, said.sheet) == ("W-SPEND-READ", "2021-22")
    assert "is a folder inside the spend folder, and the 1 file(s) in it are not read" in (
        said.message
    )


def test_a_report_s_totals_labelled_with_a_colon_are_not_payments(tmp_path: Path) -> None:
    # Oracle's payment reports, grouped by supplier: "Supplier Total:" under each supplier's
    # payments and "Report Total:" at the end. Each was W-SPEND-VALUE, "The payment to
    # Supplier Total: is not counted: its date is blank", one per supplier every month.
    text = (
        "Payment Date,Supplier Name,Invoice Num,Amount\n"
        "01/04/2021,Safer Living Foundation,INV1,6250.00\n"
        "01/07/2021,Safer Living Foundation,INV2,6250.00\n"
        ",Supplier Total:,,12500.00\n"
        "15/07/2021,Crimestoppers,INV3,1000.00\n"
        ",Crimestoppers Total:,,1000.00\n"
        ",Report Total:,,13500.00\n"
        "Carried forward:,,,13500.00\n"
    )
    read = read_ledgers([write(tmp_path, "oracle.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [625000, 625000, 100000]


def test_an_amount_with_its_thousands_comma_not_in_quotes_is_said_not_counted_as_pounds(
    tmp_path: Path,
) -> None:
    # A report tool writing formatted figures without quotes (or a file typed in Notepad):
    # "6,250.00" is split at its comma into "6" and "250.00", and the payment was counted as
    # £6.00 without a word (its reference read "250.00").
    text = (
        "Date,Supplier,Amount,Reference\n"
        "01/04/2021,Safer Living Foundation,6,250.00,T1\n"
        "01/05/2021,Safer Living Foundation,(1,234,567.89),T2\n"
        "01/07/2021,Safer Living Foundation,250.00,T3\n"
        "02/07/2021,Crimestoppers,6,Q2 grant\n"  # £6 and a reference: a line no wider
    )
    read = read_ledgers([write(tmp_path, "spend.csv", text)])
    assert list(read.payments["amount"]) == [25000, 600]
    assert [(f.code, f.cell) for f in read.findings] == [
        ("W-SPEND-VALUE", "line 2"),
        ("W-SPEND-VALUE", "line 3"),
    ]
    first, million = (f.message for f in read.findings)
    assert 'amount reads "6" and the next column "250.00": the figure 6,250.00' in first
    assert '("6,250.00")' in first
    assert "the figure (1,234,567.89)" in million
    assert "values where the header has" not in first  # the cause is said once, exactly


def test_payments_on_rows_hidden_by_a_filter_are_counted_and_said(tmp_path: Path) -> None:
    # The officer filtered the export to one supplier and saved it: the other suppliers'
    # payments, on rows Excel hides, were counted without a word, the spend on screen
    # £1,529.25 and the position's £2,029.25.
    path = tmp_path / "q1.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Q1")
    for index, row in enumerate(
        [
            ["Payment date", "Supplier name", "Net amount"],
            ["30/04/2021", "NWCH", 1529.25],
            ["30/04/2021", "Rape Crisis", 300],
            ["30/05/2021", "Stop Hate", 200],
        ]
    ):
        sheet.write_row(index, 0, row)
        if index > 1:  # what the filter hides
            sheet.set_row(index, None, None, {"hidden": True})
    sheet.autofilter(0, 0, 3, 2)
    sheet.filter_column(1, "x == NWCH")
    book.close()
    read = read_ledgers([path])
    assert list(read.payments["amount"]) == [152925, 30000, 20000]
    [note] = read.findings
    assert (note.code, note.sheet, note.cell) == ("I-SPEND-HIDDEN-ROWS", "q1.xlsx › Q1", "rows 3:4")
    assert "2 payments on hidden or filtered-out rows (3, 4) are counted, £500 in all" in (
        note.message
    )
    assert "though Excel does not show them (a filter left on" in note.message
    assert "Show them (clear the filter, or expand the outline)" in note.message


def test_an_export_of_the_gross_and_its_vat_counts_the_net(tmp_path: Path) -> None:
    # Civica's and many a council system's payment exports: the gross paid and its VAT, no
    # net column. It was W-SPEND-READ, none of its payments counted; the plan's budgets are
    # net of VAT, so the net is the gross less the VAT (a blank VAT is none).
    text = (
        "Payment Date,Supplier Name,Gross Amount,VAT Amount,Document type\n"
        "01/05/2021,NWCH,1200.00,200.00,INV\n"
        "02/05/2021,Rape Crisis,500.00,,INV\n"
        "03/05/2021,NWCH,120.00,20.00,CRN\n"
        "04/05/2021,NWCH,1200.00,2O0.00,INV\n"
    )
    read = read_ledgers([write(tmp_path, "civica.csv", text)])
    assert list(read.payments["amount"]) == [100000, 50000, -10000]
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-VALUE", "line 5")
    assert 'VAT reads "2O0.00"' in finding.message


def test_a_flat_file_separated_by_vertical_bars_is_read(tmp_path: Path) -> None:
    # A finance system's flat-file export (Date|Supplier|Amount): W-SPEND-READ, "no header
    # row ... the first row reads: Date|Supplier|Amount", none of its payments counted.
    text = "Date|Supplier name|Net amount\n01/05/2021|Victim Support, Lincs|1,000.00\n"
    read = read_ledgers([write(tmp_path, "ap.txt", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [100000]
    assert list(read.payments["supplier"]) == ["Victim Support, Lincs"]


def test_a_semicolon_csv_with_decimal_commas_reads_its_amounts(tmp_path: Path) -> None:
    # Excel (or SAP) set to a language whose decimal mark is a comma separates a CSV's values
    # with semicolons because its amounts hold commas: '1.000,50' and '250,00' were each
    # W-SPEND-VALUE, 'commas ... not between thousands', none of the payments counted.
    amounts = ["1.000,50", "250,00", "-12,5", "1.234.567,89"]
    rows = [f"0{i}.05.2021;NWCH;{a};T{i}" for i, a in enumerate(amounts, start=1)]
    text = "\n".join(["Date;Supplier;Amount;Reference", *rows]) + "\n"
    read = read_ledgers([write(tmp_path, "sap.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [100050, 25000, -1250, 123456789]
    assert list(read.payments["reference"]) == ["T1", "T2", "T3", "T4"]


def test_a_semicolon_csv_with_decimal_points_is_read_as_written(tmp_path: Path) -> None:
    text = "Date;Supplier;Amount\n01/05/2021;NWCH;1,000.50\n02/05/2021;NWCH;1,000\n"
    read = read_ledgers([write(tmp_path, "uk.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [100050, 100000]


def test_a_payment_in_another_currency_is_said_not_counted_as_pounds(tmp_path: Path) -> None:
    # An export with a Currency column beside its amount: a supplier paid €1,000 was counted
    # as £1,000 without a word.
    text = (
        "Date,Supplier,Amount,Currency\n"
        "01/05/2021,NWCH,1000.00,GBP\n"
        "02/05/2021,Institut Européen,1000.00,EUR\n"
        "03/05/2021,NWCH,5.00,\n"
        "04/05/2021,NWCH,6.00,£\n"
    )
    read = read_ledgers([write(tmp_path, "fx.csv", text)])
    assert list(read.payments["amount"]) == [100000, 500, 600]
    [finding] = read.findings
    assert (finding.code, finding.cell) == ("W-SPEND-VALUE", "line 3")
    assert '1 whose currency reads "EUR" (line 3)' in finding.message
    assert "1 payment of fx.csv is not in pounds" in finding.message


def test_an_export_in_another_currency_is_one_finding_not_one_per_row(tmp_path: Path) -> None:
    # An Agresso export of a year's euro payments (a Currency column, its Cur. amount column
    # left out): each row was its own W-SPEND-VALUE, the first 20 then one for the rest,
    # and the row whose date could not be read was lost among them.
    rows = "".join(f"{day:02}/05/2021,Institut Européen,100.00,EUR\n" for day in range(1, 26))
    text = (
        "Date,Supplier(T),Amount,Currency\n"
        + rows
        + "26/05/2021,NWCH,50.00,GBP\n27/05/2021,Rape Crisis,9.99,USD\n"
        + "31/02/2021,NWCH,60.00,GBP\n"
    )
    read = read_ledgers([write(tmp_path, "agresso.csv", text)])
    assert list(read.payments["amount"]) == [5000]
    currency, date = read.findings
    assert (currency.code, currency.cell) == ("W-SPEND-VALUE", "line 2")
    assert "26 payments of agresso.csv" in currency.message
    assert '25 whose currency reads "EUR" (lines 2–26)' in currency.message
    assert '1 whose currency reads "USD" (line 28)' in currency.message
    assert "£2,509.99" not in currency.message  # never summed as pounds
    assert "Cur. amount" in currency.message
    assert (date.code, date.cell) == ("W-SPEND-VALUE", "line 29")


def test_an_amount_in_pounds_beside_the_currency_amount_is_read(tmp_path: Path) -> None:
    # Agresso's (Unit4's) export: Amount in pounds, Cur. amount in the invoice's currency.
    text = "Date,Supplier,Amount,Currency,Cur. amount\n02/05/2021,NWCH,870.00,EUR,1000.00\n"
    read = read_ledgers([write(tmp_path, "agresso.csv", text)])
    assert read.findings == []
    assert list(read.payments["amount"]) == [87000]
