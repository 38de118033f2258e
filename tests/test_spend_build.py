"""``pcc-report build`` with spend files: the position workbook, its findings and the manifest."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import click.testing
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.new_workbook import WorkbookContent
from tests.make_ledger import write_ledger
from tests.workbooks import decision_field, make_workbook

SAMPLE = Path(__file__).resolve().parent.parent / "input" / "lincolnshire-2021-22.xlsx"
POSITION = "output/015-2021/position-015-2021-2021-09-30.xlsx"


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with the sample in input/ and the fixture ledger in input/spend/."""
    (tmp_path / "input").mkdir()
    shutil.copy(SAMPLE, tmp_path / "input")
    write_ledger(tmp_path / "input" / "spend" / "ledger-2021-22.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(office: Path) -> list[dict[str, str]]:
    data = json.loads((office / "output/015-2021/findings.json").read_text(encoding="utf-8"))
    found: list[dict[str, str]] = data["findings"]
    return found


def test_build_reads_input_spend_and_writes_the_position(office: Path) -> None:
    result = run("build")
    assert result.exit_code == 0, result.output
    assert (office / POSITION).is_file()
    # spend/ is the ledger folder, not a sub-folder of plans to warn about
    assert "sub-folder" not in result.output
    found = findings(office)
    spend = [(f["code"], f["file"], f["cell"]) for f in found if "SPEND" in f["code"]]
    assert ("W-SPEND-DUPLICATE", "input/spend/ledger-2021-22.csv", "line 247") in spend
    assert ("I-SPEND-OUT-OF-YEAR", "input/spend/ledger-2021-22.csv", "") in spend
    underspend = [f for f in found if f["code"] == "W-RINGFENCE-UNDERSPEND"]
    assert len(underspend) == 1
    book = openpyxl.load_workbook(office / POSITION)
    assert book.sheetnames == [
        "Summary",
        "Lines",
        "MoJ grant return",
        "Payments to check",
        "Commitments",
    ]


def test_rerun_with_unchanged_spend_is_up_to_date_and_a_new_export_rebuilds(office: Path) -> None:
    assert run("build").exit_code == 0
    again = run("build")
    assert "up to date" in again.output
    ledger = office / "input/spend/ledger-2021-22.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8-sig").replace("30/09/2021,EDAN", "29/09/2021,EDAN"),
        encoding="utf-8-sig",
    )
    rebuilt = run("build")
    assert "1 built" in rebuilt.output
    assert (office / "output/015-2021/position-015-2021-2021-09-29.xlsx").is_file()
    assert not (office / POSITION).exists()  # the tool's own earlier position is retired


def test_a_workbook_built_alone_reads_the_spend_folder_beside_it(office: Path) -> None:
    # `pcc-report build input/plan.xlsx` after `make report`: the same outputs, the position
    # included (it was retired: a workbook named alone had no spend/ to look in).
    assert run("build").exit_code == 0
    alone = run("build", "input/" + SAMPLE.name)
    assert alone.exit_code == 0, alone.output
    assert "up to date" in alone.output  # nothing it is made from changed
    forced = run("build", "input/" + SAMPLE.name, "--force")
    assert "1 built" in forced.output
    assert (office / POSITION).is_file()
    assert any(f["code"] == "W-RINGFENCE-UNDERSPEND" for f in findings(office))
    assert "up to date" in run("build").output  # and the folder's run agrees


def test_spend_and_as_at_options(office: Path) -> None:
    elsewhere = office / "ledgers"
    shutil.move(office / "input/spend", elsewhere)
    result = run("build", "input", "--spend", str(elsewhere), "--as-at", "31/07/2021")
    assert result.exit_code == 0, result.output
    position = office / "output/015-2021/position-015-2021-2021-07-31.xlsx"
    assert position.is_file()
    lines = openpyxl.load_workbook(position)["Lines"]
    header = [c.value for c in lines[3]]
    spent = header.index("Spent to date")
    rape_crisis = next(row for row in lines.iter_rows(min_row=4) if row[1].value == "Rape Crisis")
    # 18 Fridays from 2 April to 30 July 2021 at £1,589.63, less a £250.50 credit note; none
    # of the payments after the as-at date
    assert Decimal(str(rape_crisis[spent].value)) == Decimal("28362.84")


def test_check_takes_the_spend_options_and_lists_the_ledger_findings(office: Path) -> None:
    """``check --spend`` reports what ``build --spend`` would: the same ledger findings."""
    elsewhere = office / "ledgers"
    shutil.move(office / "input/spend", elsewhere)
    without = run("check", "input", "--json")
    assert "W-SPEND-DUPLICATE" not in without.output
    result = run("check", "input", "--spend", str(elsewhere), "--as-at", "30/09/2021", "--json")
    assert result.exit_code == 0, result.output
    [workbook] = json.loads(result.output)["workbooks"]
    codes = {f["code"] for f in workbook["findings"]}
    assert {"W-SPEND-DUPLICATE", "W-RINGFENCE-UNDERSPEND"} <= codes
    assert not (office / "output").exists()  # check writes nothing
    assert run("check", "input", "--as-at", "31/02/2021").exit_code == 2


def test_a_bad_as_at_date_is_a_usage_error(office: Path) -> None:
    result = run("build", "--as-at", "09/31/2021")
    assert result.exit_code == 2
    assert "--as-at" in result.output


def test_no_spend_files_no_position(office: Path) -> None:
    shutil.rmtree(office / "input/spend")
    assert run("build").exit_code == 0
    assert not list((office / "output/015-2021").glob("position-*.xlsx"))


def test_the_review_note_has_the_position(office: Path) -> None:
    import docx

    assert run("build").exit_code == 0
    note = docx.Document(str(office / "output/015-2021/review-015-2021.docx"))
    headings = [
        p.text
        for p in note.paragraphs
        if p.style is not None and str(p.style.name).startswith("Heading")
    ]
    assert "Position at 30/09/2021" in headings
    table = next(t for t in note.tables if t.rows[0].cells[0].text == "Fund")
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    # No cost codes in the sample: Victim Support's and LCC's payments are ambiguous.
    assert rows["Victims Fund"][0] == "£1,009,000"
    assert rows["of which MoJ Victims' Services Grant (ring-fenced)"][3] == "£80,090.98"


def test_a_formula_supplier_stays_text_in_every_output(office: Path) -> None:
    ledger = office / "input/spend/ledger-2021-22.csv"
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write('02/09/2021,"=1+2",700.00,T9,,,\n')
    assert run("build").exit_code == 0
    book = openpyxl.load_workbook(office / POSITION)
    cells = [c for row in book["Payments to check"].iter_rows() for c in row if c.value == "=1+2"]
    assert len(cells) == 1 and cells[0].data_type == "s"
    assert any("=1+2" in f["message"] for f in findings(office))
    import docx

    note = docx.Document(str(office / "output/015-2021/review-015-2021.docx"))
    assert any("=1+2" in c.text for t in note.tables for row in t.rows for c in row.cells)


def test_two_plans_of_one_year_each_get_a_position_and_say_they_share_payments(
    tmp_path: Path,
) -> None:
    from pipeline import assemble
    from pipeline.config import Config
    from scripts.make_sample import DECISION
    from tests.workbooks import make_workbook

    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(SAMPLE, folder)
    second = [(f, "016/2021" if f == "Reference" else v) for f, v in DECISION]
    make_workbook(folder, "second.xlsx", decision=second)
    ledger = write_ledger(tmp_path / "ledger.csv")
    results, _ = assemble.check([folder], Config(), spend=[ledger])
    positioned = [r for r in results if r.report and r.report.position]
    assert len(positioned) == 2
    for result in positioned:
        shared = [f for f in result.findings if f.code == "I-SPEND-SHARED"]
        assert len(shared) == 1, result.file
        assert "each position counts them" in shared[0].message


def test_a_spreadsheet_in_spend_that_is_not_csv_or_xlsx_is_said_not_ignored(office: Path) -> None:
    # A month exported as .xls or saved as .ods beside the CSV: its payments are not in the
    # position, and the findings say so (it was skipped without a word).
    spend = office / "input/spend"
    (spend / "april.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    shutil.copy(spend / "ledger-2021-22.csv", spend / "may.ods")
    (spend / "Thumbs.db").write_bytes(b"\x00")  # what Windows leaves: not a spend file
    result = run("check", "input", "--json")
    assert result.exit_code == 0, result.output
    [workbook] = json.loads(result.output)["workbooks"]
    read = {f["file"]: f["message"] for f in workbook["findings"] if f["code"] == "W-SPEND-READ"}
    assert set(read) == {"input/spend/april.xls", "input/spend/may.ods"}
    assert "Excel 97-2003 (.xls)" in read["input/spend/april.xls"]
    assert "save it as CSV UTF-8 or .xlsx" in read["input/spend/may.ods"]
    assert "None of its payments are counted" in read["input/spend/may.ods"]


def test_a_spend_folder_named_that_holds_no_spend_file_is_said(office: Path) -> None:
    (office / "ledgers").mkdir()
    (office / "ledgers" / "~$april.xlsx").write_bytes(b"owner")  # Excel's, not a spend file
    result = run("check", "input", "--spend", "ledgers", "--json")
    assert result.exit_code == 0, result.output
    [workbook] = json.loads(result.output)["workbooks"]
    read = [f for f in workbook["findings"] if f["code"] == "W-SPEND-READ"]
    assert [f["file"] for f in read] == ["ledgers"]
    assert "holds no spend file" in read[0]["message"]


def test_spend_files_of_another_year_say_no_position_is_built(office: Path) -> None:
    # Only last year's exports in spend/ (or every date typed a year out): no position, and
    # the run said nothing about the spend files at all.
    spend = office / "input/spend"
    for path in spend.iterdir():
        path.unlink()
    (spend / "2020-21.csv").write_text(
        "Date,Supplier,Amount\n01/05/2020,NWCH,100.00\n01/06/2020,Rape Crisis,200.00\n",
        encoding="utf-8",
    )
    result = run("check", "input", "--json")
    assert result.exit_code == 0, result.output
    [workbook] = json.loads(result.output)["workbooks"]
    # A warning, listed by the build: the position the office expects is not made, and a
    # note (counted, not listed) left it unseen.
    [note] = [f for f in workbook["findings"] if f["code"] == "W-SPEND-OTHER-YEAR"]
    assert note["file"] == "input/spend/2020-21.csv"
    assert "2 payments totalling £300 dated 01/05/2020 to 01/06/2020" in note["message"]
    assert "no position is built for decision 015/2021" in note["message"]
    assert not [f for f in workbook["findings"] if f["code"] == "I-SPEND-OUT-OF-YEAR"]
    built = run("build")
    assert "W-SPEND-OTHER-YEAR" in built.output and "fall outside 2021/22" in built.output


def pay_crimestoppers_on_20_december(office: Path) -> None:
    """A payment of £1,000 dated 20/12/2021 added to the office's ledger."""
    ledger = office / "input/spend/ledger-2021-22.csv"
    with ledger.open("a", encoding="utf-8") as out:
        out.write("20/12/2021,Crimestoppers,1000.00,T9001,,Grant payments,INV\n")


def test_a_payment_left_out_as_not_yet_made_rebuilds_the_position_on_its_day(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without --as-at, a payment dated after the day of the build is left out. The manifest
    # recorded only the spend files' hashes, so on that payment's day a rerun with the same
    # files said "up to date" and kept a position that a fresh build would not give.
    import datetime as dt

    import pipeline.spend

    pay_crimestoppers_on_20_december(office)
    day = dt.date(2021, 10, 15)
    monkeypatch.setattr(pipeline.spend, "today", lambda: day)
    assert run("build").exit_code == 0
    book = openpyxl.load_workbook(office / POSITION)
    said = str(book["Summary"]["A2"].value)
    assert "built on 15/10/2021, it leaves out the payments dated after that day" in said
    day = dt.date(2021, 12, 19)
    assert "1 up to date" in run("build").output
    day = dt.date(2021, 12, 20)
    rebuilt = run("build")
    assert "1 built" in rebuilt.output, rebuilt.output
    assert (office / "output/015-2021/position-015-2021-2021-12-20.xlsx").is_file()
    assert not (office / POSITION).exists()
    manifest = json.loads((office / "output/manifest.json").read_text(encoding="utf-8"))
    assert "spend_until" not in manifest["workbooks"]["input/lincolnshire-2021-22.xlsx"]
    assert "1 up to date" in run("build").output  # nothing left out now: current from here on


def test_the_index_page_says_a_payment_left_out_is_due_now(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    import pipeline.spend

    pay_crimestoppers_on_20_december(office)
    monkeypatch.setattr(pipeline.spend, "today", lambda: dt.date(2021, 10, 15))
    assert run("build").exit_code == 0
    page = (office / "output/index.html").read_text(encoding="utf-8")
    assert "left out as not yet made" not in page
    monkeypatch.setattr(pipeline.spend, "today", lambda: dt.date(2021, 12, 25))
    assert run("index").exit_code == 0
    page = (office / "output/index.html").read_text(encoding="utf-8")
    assert "A payment dated 20/12/2021 was left out as not yet made on the day of this" in page
    assert "Up to date" not in page


def test_a_variation_of_the_plan_says_which_position_is_current(tmp_path: Path) -> None:
    # The plan and a variation decided later in the year (same police area and year) match
    # the same payments: the note told the officer to give the lines cost codes so that each
    # payment matches one line, which cannot part a plan from its own variation.
    import datetime as dt

    from pipeline import assemble
    from pipeline.config import Config
    from scripts.make_sample import DECISION
    from tests.workbooks import make_workbook

    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(SAMPLE, folder)
    varied = {"Reference": "027/2021", "Date": dt.date(2021, 11, 2)}
    decision = [(f, varied.get(f, v)) for f, v in DECISION]
    make_workbook(folder, "variation.xlsx", decision=decision)
    ledger = write_ledger(tmp_path / "ledger.csv")
    results, _ = assemble.check([folder], Config(), spend=[ledger])
    notes = {
        r.file.rsplit("/", 1)[-1]: f.message
        for r in results
        for f in r.findings
        if f.code == "I-SPEND-SHARED"
    }
    original, variation = notes["lincolnshire-2021-22.xlsx"], notes["variation.xlsx"]
    assert "cost codes" not in original and "cost codes" not in variation
    assert "position of decision 027/2021 of 02/11/2021" in original
    assert "which varies this plan for 2021/22: that position" in original
    assert "is against the budgets before the variation." in original
    assert "position of decision 015/2021 of 28/05/2021" in variation
    assert "this position, against the budgets as varied, is the current one" in variation


def next_years_plan(office: Path, subject: str = "") -> None:
    """Decision 016/2022, the sample a year on, in input/ beside it."""

    def edit(content: WorkbookContent) -> None:
        decision_field("Financial year", "2022/23")(content)
        decision_field("Reference", "016/2022")(content)
        if subject:
            decision_field("Subject", subject)(content)

    make_workbook(office / "input", "lincolnshire-2022-23.xlsx", edit=edit)


def next_year(office: Path) -> None:
    """Decision 016/2022 beside the sample, and its year's ledger (the fixture's payments a
    year later) beside the 2021/22 one in input/spend/."""
    next_years_plan(office)
    ledger = (office / "input/spend/ledger-2021-22.csv").read_text(encoding="utf-8-sig")
    later = re.sub(r"(\d\d/\d\d/)(2021|2022)\b", lambda m: m[1] + str(int(m[2]) + 1), ledger)
    (office / "input/spend/ledger-2022-23.csv").write_text(later, encoding="utf-8")


def out_of_year_notes(office: Path, folder: str) -> dict[str, str]:
    """The I-SPEND-OUT-OF-YEAR notes of the build in ``output/folder``, by spend file."""
    data = json.loads((office / f"output/{folder}/findings.json").read_text(encoding="utf-8"))
    return {f["file"]: f["message"] for f in data["findings"] if f["code"] == "I-SPEND-OUT-OF-YEAR"}


def test_another_plans_year_in_the_run_is_not_called_outside_the_year(office: Path) -> None:
    # Two years' plans and two years' exports in one folder: each year's payments are that
    # plan's. Neither plan's note says the other year's 246 payments may be mistyped dates.
    next_year(office)
    assert run("build").exit_code == 0
    this_year = out_of_year_notes(office, "015-2021")
    assert "input/spend/ledger-2022-23.csv" not in this_year
    # The fixture's two payments of March 2021 are no plan's in this run: still said.
    assert "2 payments" in this_year["input/spend/ledger-2021-22.csv"]
    next_notes = out_of_year_notes(office, "016-2022")
    # Of the 248 payments there, only the two of March 2021 (2020/21's) are said.
    assert next_notes["input/spend/ledger-2021-22.csv"].startswith("2 payments totalling £8,417.67")
    assert "input/spend/ledger-2022-23.csv" not in next_notes  # its March 2022 is 2021/22's
    assert (office / "output/016-2022/position-016-2022-2022-09-30.xlsx").is_file()


def test_a_plan_up_to_date_still_keeps_its_years_payments(office: Path) -> None:
    # 2022/23's plan rebuilt alone, 2021/22's up to date: the manifest knows its year.
    next_year(office)
    assert run("build").exit_code == 0
    next_years_plan(office, subject="Commissioning Strategy and Plan 2022/23, varied")
    result = run("build")
    assert "lincolnshire-2021-22.xlsx" in result.output and "up to date" in result.output
    notes = out_of_year_notes(office, "016-2022")
    assert notes["input/spend/ledger-2021-22.csv"].startswith("2 payments totalling £8,417.67")


def test_a_plan_checked_alone_still_says_the_other_years_payments(office: Path) -> None:
    next_year(office)
    result = run("check", "input/lincolnshire-2021-22.xlsx", "--json")
    [workbook] = json.loads(result.output)["workbooks"]
    notes = {
        f["file"]: f["message"] for f in workbook["findings"] if f["code"] == "I-SPEND-OUT-OF-YEAR"
    }
    assert "246 payments" in notes["input/spend/ledger-2022-23.csv"]


def test_spend_files_all_of_another_plans_year_say_whose_they_are(office: Path) -> None:
    # Only 2022/23's export in spend/, with both plans: 2021/22's gets no position, and its
    # note says the payments are another plan's rather than call the dates mistyped.
    next_year(office)
    (office / "input/spend/ledger-2021-22.csv").unlink()
    ledger = office / "input/spend/ledger-2022-23.csv"
    kept = [ln for ln in ledger.read_text(encoding="utf-8").splitlines() if "/03/2022" not in ln]
    ledger.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = run("check", "input", "--json")
    this_year = next(w for w in json.loads(result.output)["workbooks"] if "2021-22" in w["file"])
    [note] = [f for f in this_year["findings"] if f["code"] == "I-SPEND-OUT-OF-YEAR"]
    assert "are of another year's plan built with these spend files" in note["message"]
    assert "no position is built for decision 015/2021" in note["message"]
    assert "mistyped" not in note["message"]


def test_exports_kept_in_a_sub_folder_of_spend_are_said(office: Path) -> None:
    # The months kept in input/spend/2021-22/: the build read input/spend/ alone, found no
    # file, and built no position without a word. A sub-folder named archive is the place
    # for exports not to be read, and is passed over.
    year = office / "input/spend/2021-22"
    year.mkdir()
    (office / "input/spend/ledger-2021-22.csv").rename(year / "ledger-2021-22.csv")
    (office / "input/spend/archive").mkdir()
    (office / "input/spend/archive/ledger-2020-21.csv").write_text("x", encoding="utf-8")
    assert run("build").exit_code == 0
    said = [f for f in findings(office) if f["code"] == "W-SPEND-READ"]
    assert [(f["file"], f["sheet"]) for f in said] == [("input/spend/2021-22", "2021-22")]
    assert "the 1 file(s) in it are not read" in said[0]["message"]
    assert "--spend" in said[0]["message"]
    assert not list((office / "output/015-2021").glob("position-*.xlsx"))
    # Named with --spend, the folder's exports are read.
    assert run("build", "--spend", "input/spend/2021-22").exit_code == 0
    assert (office / POSITION).is_file()


NEXT_PLAN = "input/lincolnshire-2022-23.xlsx"
NEXT_LEDGER = "input/spend/ledger-2022-23.csv"


def test_a_plan_of_another_year_put_beside_an_up_to_date_one_takes_its_payments(
    office: Path,
) -> None:
    # 2021/22's plan built with 2022/23's export in spend/: its note says those 246 payments
    # are outside its year. Then 2022/23's plan is put beside it: they are that plan's. The
    # 2021/22 plan stayed up to date, its note still calling them outside its year (perhaps
    # mistyped dates) beside the position that counts them.
    next_year(office)
    (office / NEXT_PLAN).unlink()
    assert run("build").exit_code == 0
    assert "246 payments" in out_of_year_notes(office, "015-2021")[NEXT_LEDGER]
    next_years_plan(office)
    assert run("build").exit_code == 0
    assert NEXT_LEDGER not in out_of_year_notes(office, "015-2021")
    assert "up to date" in run("build").output  # and then it is current


def test_a_plan_of_another_year_taken_away_gives_its_payments_back_to_the_note(
    office: Path,
) -> None:
    next_year(office)
    assert run("build").exit_code == 0
    assert NEXT_LEDGER not in out_of_year_notes(office, "015-2021")
    (office / NEXT_PLAN).unlink()
    assert run("build").exit_code == 0
    assert "246 payments" in out_of_year_notes(office, "015-2021")[NEXT_LEDGER]


def test_a_plan_of_the_same_year_put_beside_an_up_to_date_one_says_they_share(
    office: Path,
) -> None:
    # The second plan of 2021/22 matched the same payments, and neither said so: the first
    # was up to date, so no position of it was there to compare with.
    from scripts.make_sample import DECISION

    assert run("build").exit_code == 0
    second = [(f, "016/2021" if f == "Reference" else v) for f, v in DECISION]
    make_workbook(office / "input", "second.xlsx", decision=second)
    assert run("build").exit_code == 0
    for folder in ("015-2021", "016-2021"):
        data = json.loads((office / f"output/{folder}/findings.json").read_text("utf-8"))
        shared = [f for f in data["findings"] if f["code"] == "I-SPEND-SHARED"]
        assert len(shared) == 1, folder
        assert "each position counts them" in shared[0]["message"]


def test_a_plan_built_alone_knows_the_years_of_the_plans_beside_it(office: Path) -> None:
    # `pcc-report build input/lincolnshire-2021-22.xlsx` after `make report` built both
    # years: its note called 2022/23's 246 payments, the plan beside it's, outside its year.
    next_year(office)
    assert run("build").exit_code == 0
    forced = run("build", "input/" + SAMPLE.name, "--force")
    assert "1 built" in forced.output
    assert NEXT_LEDGER not in out_of_year_notes(office, "015-2021")
    assert "up to date" in run("build").output


def test_the_years_beside_a_workbook_built_alone_count_a_plan_with_errors(tmp_path: Path) -> None:
    # A plan beside it whose last build had errors is still that year's plan in the folder's
    # run (its payments are its own there): built alone, the plan was told they were
    # outside its year.
    from pipeline.spend import plans_beside

    (tmp_path / "a.xlsx").write_bytes(b"a")
    (tmp_path / "b.xlsx").write_bytes(b"b")
    (tmp_path / "c.xlsx").write_bytes(b"c")
    entries = {
        "b": {
            "workbook_path": str(tmp_path / "b.xlsx"),
            "status": "errors",
            "financial_year": "2022/23",
        },
        "c": {
            "workbook_path": str(tmp_path / "c.xlsx"),
            "status": "retired",
            "financial_year": "2023/24",
        },
        "gone": {
            "workbook_path": str(tmp_path / "d.xlsx"),
            "status": "ok",
            "financial_year": "2024/25",
        },
    }
    assert plans_beside([tmp_path / "a.xlsx"], entries) == ((2022,), ())


def test_a_plan_built_alone_with_only_the_other_years_export_says_whose_it_is(
    office: Path,
) -> None:
    # Built by its name, with only 2022/23's export and 2022/23's plan built beside it: the
    # note said the payments were "of another year's plan in this run", which held one plan.
    next_year(office)
    (office / "input/spend/ledger-2021-22.csv").unlink()
    ledger = office / NEXT_LEDGER
    kept = [ln for ln in ledger.read_text(encoding="utf-8").splitlines() if "/03/2022" not in ln]
    ledger.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert run("build").exit_code == 0
    assert run("build", "input/" + SAMPLE.name, "--force").exit_code == 0
    [note] = out_of_year_notes(office, "015-2021").values()
    assert "are of another year's plan built with these spend files" in note
    assert "no position is built for decision 015/2021" in note


def test_a_plan_built_alone_still_says_it_shares_payments_with_the_plan_beside_it(
    office: Path,
) -> None:
    # `pcc-report build input/lincolnshire-2021-22.xlsx` beside a second plan of 2021/22:
    # the note that both positions count the same payments was dropped, for the plan beside
    # it was not in the run, so no position of it was there to compare with.
    from scripts.make_sample import DECISION

    second = [(f, "016/2021" if f == "Reference" else v) for f, v in DECISION]
    make_workbook(office / "input", "second.xlsx", decision=second)
    assert run("build").exit_code == 0
    forced = run("build", "input/" + SAMPLE.name, "--force")
    assert "1 built" in forced.output
    data = json.loads((office / "output/015-2021/findings.json").read_text("utf-8"))
    [shared] = [f for f in data["findings"] if f["code"] == "I-SPEND-SHARED"]
    assert "each position counts them" in shared["message"]
    assert "with input/second.xlsx" in shared["message"]
    assert "up to date" in run("build").output
