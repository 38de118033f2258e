"""``pcc-report build`` with spend files: the position workbook, its findings and the manifest."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import click.testing
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.make_ledger import write_ledger

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


def test_a_bad_as_at_date_is_a_usage_error(office: Path) -> None:
    result = run("build", "--as-at", "09/31/2021")
    assert result.exit_code == 2
    assert "--as-at" in result.output


def test_no_spend_files_no_position(office: Path) -> None:
    shutil.rmtree(office / "input/spend")
    assert run("build").exit_code == 0
    assert not list((office / "output/015-2021").glob("position-*.xlsx"))
