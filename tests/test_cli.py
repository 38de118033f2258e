"""The command line: help with examples, exit codes, JSON output, the blank workbook."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import click
import pytest
from click.testing import CliRunner

from pipeline import __version__, assemble
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.load import load
from tests.workbooks import make_workbook, service_row

README = Path(__file__).resolve().parent.parent / "README.md"


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"pcc-report {name}" in result.output
    assert f"pcc-report {name}" in README.read_text(encoding="utf-8")


def test_the_command_list_says_what_each_command_does_in_words() -> None:
    # Each command's line in "pcc-report --help" is a whole phrase, never cut inside a
    # "{{ ... }}" of the template's syntax ("template-fields  List the {{ ...").
    listed = run("--help").output.split("Commands:")[1]
    lines = [line.split(None, 1) for line in listed.strip().splitlines()]
    assert sorted(name for name, _ in lines) == sorted(cli.commands)
    assert all(len(what) > 20 and "{{" not in what for _, what in lines), listed


def test_top_level_help_and_version() -> None:
    assert "Examples" in run("--help").output
    assert run("-h").exit_code == 0
    assert __version__ in run("--version").output


def test_help_does_not_import_the_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pandas', 'docxtpl', 'docx', 'openpyxl', 'xlsxwriter') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_check_sample_exits_0_and_ends_with_a_summary(sample_path: Path) -> None:
    result = run("check", str(sample_path))
    assert result.exit_code == 0
    assert "decision 015/2021" in result.output
    assert "W-RINGFENCE" in result.output
    assert (
        "Summary: 2 funds, 24 lines, £1,269,270 committed of £1,565,000, £295,730 uncommitted "
        "— 0 errors, 2 warnings, "
    ) in result.output


def test_check_json_is_the_library_result_serialised(sample_path: Path) -> None:
    result = run("check", str(sample_path), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    results, _ = assemble.check([sample_path], Config())
    assert data == {
        "tool": "pcc-report",
        "version": __version__,
        "workbooks": [r.to_json() for r in results],
        "skipped": [],
    }
    workbook = data["workbooks"][0]
    assert workbook["reference"] == "015/2021"
    assert workbook["funds"][0] == {
        "fund": "Victims Fund",
        "allocation": "1009000.00",
        "committed": "805212.00",
        "headroom": "203788.00",
    }
    # money in the JSON is decimal strings, never floats
    assert all(isinstance(v, str) for f in workbook["funds"] for v in f.values())


def test_check_with_errors_exits_1_and_names_cell_and_fix(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, services=[service_row(budget="TBC")])
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "E-VALUE" in result.output
    assert "Services!L2" in result.output
    assert 'reads "TBC"' in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "missing.xlsx")).exit_code == 2
    assert run("build", "--quiet", "--verbose", str(tmp_path)).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_check_without_input_folder_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 2
    assert "No input/ folder" in result.output


def test_owner_files_are_skipped_with_a_note(tmp_path: Path, sample_path: Path) -> None:
    (tmp_path / "plan.xlsx").write_bytes(sample_path.read_bytes())
    (tmp_path / "~$plan.xlsx").write_bytes(b"owner")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    result = run("check", str(tmp_path), "--json")
    data = json.loads(result.output)
    assert [w["file"].endswith("plan.xlsx") for w in data["workbooks"]] == [True]
    skipped = sorted(Path(n["file"]).name for n in data["skipped"])
    assert skipped == ["notes.txt", "~$plan.xlsx"]
    assert all(n["code"] == "I-SKIPPED" for n in data["skipped"])
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("plan.ods", "open it in LibreOffice and use File > Save As"),
        ("plan.numbers", "open it in Numbers and use File > Export To > Excel"),
    ],
)
def test_a_plan_in_another_suites_format_in_the_folder_is_told_that_suites_way(
    name: str, advice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LibreOffice or Numbers user who saved the plan in their own format is told how to
    save it as .xlsx in that program, not to "save plans from Excel"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / name).write_bytes(b"PK\x03\x04")
    result = run("check")
    assert "I-SKIPPED" in result.output and advice in result.output, result.output
    assert "from Excel" not in result.output


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_folder_with_no_workbook_says_why_and_what_to_do(
    command: str, tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plan saved as .xls (or exported as CSV) is skipped: with nothing else to build, the
    # person must see why, not only "0 workbooks: 0 built".
    monkeypatch.chdir(tmp_path)
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "plan.xls").write_bytes(sample_path.read_bytes())
    result = run(command, "--quiet") if command == "build" else run(command)
    assert result.exit_code == 0, result.output
    assert "I-SKIPPED" in result.output and "plan.xls is not an .xlsx" in result.output
    assert "No workbooks found in input/." in result.output
    example = str(Path("input") / "plan-2021-22.xlsx")
    assert f"pcc-report new-workbook {example} makes a blank one" in result.output


def test_bad_config_is_a_usage_error_naming_the_key(tmp_path: Path, sample_path: Path) -> None:
    config = tmp_path / "pcc-report.toml"
    config.write_text('[tool.pcc-report]\ngrant_size_threshold = "lots"\n')
    result = run("check", str(sample_path), "--config", str(config))
    assert result.exit_code == 2
    assert "grant_size_threshold" in result.output


def test_new_workbook_has_the_contract_sheets_and_drop_downs(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "blank.xlsx"
    result = run("new-workbook", str(path))
    assert result.exit_code == 0, result.output
    book = load_workbook(path)
    assert book.sheetnames[:5] == [
        "Decision",
        "Funds",
        "Funding sources",
        "Services",
        "Document control",
    ]
    assert "How to fill this in" in book.sheetnames
    services = book["Services"]
    headers = [c.value for c in services[1]]
    assert headers[:4] == ["Fund", "Service", "Delivery organisation", "Organisation type"]
    validations = services.data_validations.dataValidation
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in validations}
    assert "Contract" in lists["I2"] and "Grant" in lists["I2"]  # mechanism
    assert "Public sector" in lists["D2"]  # organisation type
    assert lists["A2"].startswith("Funds!")  # fund names
    assert (
        lists["K2"] == "'How to fill this in'!$A$28:$A$31"
    )  # s143 purposes: tests/test_new_workbook.py
    # A blank workbook loads to findings that say what to fill in, not a crash.
    findings = load(path).findings
    assert {f.code for f in findings} == {"E-REQUIRED"}
    assert any('"Reference"' in f.message for f in findings)
    # It refuses to overwrite.
    again = run("new-workbook", str(path))
    assert again.exit_code == 2
    assert "--force" in again.output


def test_new_workbook_under_a_file_says_which_file_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "plans").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(cli, ["new-workbook", str(tmp_path / "plans" / "plan.xlsx")])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "is a file where pcc-report needs a folder" in result.output
    assert "Traceback" not in result.output


def test_new_workbook_to_a_folder_it_may_not_write_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def refused(target: Path, content: bytes) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr("pipeline.manifest.write_atomic", refused)
    path = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(cli, ["new-workbook", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "may not write to" in result.output and "ask for write access" in result.output
    assert not path.exists()


def test_new_workbook_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Made in memory and moved into place: a failure half-way leaves no workbook that
    # could pass for a blank one, and an existing file (with --force) stays as it was.
    import pipeline.new_workbook

    def broken(target: Path | BinaryIO, content: object = None) -> None:
        if isinstance(target, Path):
            target.write_bytes(b"PK half a workbook")
        else:
            target.write(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"the officer's own")
    monkeypatch.setattr(pipeline.new_workbook, "write_workbook", broken)
    result = CliRunner().invoke(cli, ["new-workbook", str(path), "--force"])
    assert result.exit_code == 2, result.output
    assert "disk" in result.output and "full" in result.output
    assert path.read_bytes() == b"the officer's own"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


@pytest.mark.slow
def test_output_piped_to_a_reader_that_stops_early_is_no_internal_error() -> None:
    """`pcc-report check tests/corpus | head -1`: the reader closes the pipe after one line."""
    corpus = Path(__file__).parent / "corpus"
    code = "from pipeline.cli import main; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "check", str(corpus)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # the first line, as `head -1` takes it
    process.stdout.close()
    said = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 1
    assert "internal error" not in said and "Traceback" not in said, said
    assert said == ""


def test_the_summary_line_counts_one_fund_in_the_singular() -> None:
    plan = Path(__file__).parent / "acceptance" / "cumbria-2021-22.xlsx"  # one fund
    result = run("check", str(plan))
    assert "Summary: 1 fund, 5 lines, £412,345.67 committed" in result.output


@pytest.mark.parametrize("command", ["build", "check"])
def test_naming_only_files_that_are_no_workbook_is_a_usage_error(
    command: str, tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pcc-report check ~$plan.xlsx`: the person named Excel's owner file, not the plan.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~$plan.xlsx").write_bytes(sample_path.read_bytes())
    result = run(command, "~$plan.xlsx")
    assert result.exit_code == 2, result.output
    assert "I-SKIPPED" in result.output
    assert "~$plan.xlsx: not a workbook to read (see above). Name the plan itself" in result.output
    assert "No workbooks found" not in result.output


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_ledger_named_as_a_plan_is_a_usage_error_pointing_to_spend(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pcc-report build input/spend/agresso.csv`, meaning --spend: no decision is made of it,
    # so nothing is recorded as a failed decision on the office's index page.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agresso.csv").write_text("Date,Supplier,Amount\n01/05/2021,A,100\n", "utf-8")
    result = run(command, "agresso.csv")
    assert result.exit_code == 2, result.output
    assert "I-SKIPPED" in result.output and "E-READ" not in result.output
    assert "--spend agresso.csv" in result.output
    assert "Save As" not in result.output
    # A usage error writes nothing: no output folder, manifest, log or page.
    assert not (tmp_path / "output").exists()


def test_a_workbook_named_by_itself_under_another_name_is_still_read(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A download saved as "plan.xlsx.bak" is an Excel workbook all the same: read, not skipped.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.xlsx.bak").write_bytes(sample_path.read_bytes())
    result = run("check", "plan.xlsx.bak")
    assert result.exit_code == 0, result.output
    assert "I-SKIPPED" not in result.output and "Summary: 2 funds" in result.output


@pytest.mark.parametrize("name", ["README.md", "Makefile", "notes.pdf"])
def test_a_file_named_that_is_plainly_no_plan_is_skipped_with_a_usage_error(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("# not a plan\n", "utf-8")
    result = run("build", name)
    assert result.exit_code == 2, result.output
    assert f"{name} is not an .xlsx or .xlsm workbook and was skipped" in result.output
    assert not (tmp_path / "output").exists()
