"""What a new user reads: the README's send example works from a fresh copy, and the messages
met on the way name the right command, every missing setting and words finance staff use."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import send
from pipeline.cli import cli
from scripts import make_sample

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


@pytest.fixture(autouse=True)
def no_smtp_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No mail setting leaks in from the machine."""
    for variable in [*send.ENVIRONMENT.values(), send.PASSWORD_VARIABLE]:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture()
def fresh_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder as a fresh clone has it: the sample in input/, nothing built; run from there."""
    shutil.copytree(ROOT / "input", tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def readme_send_examples() -> list[list[str]]:
    """The dry-run ``send`` commands of the README's "Sending for sign-off" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Sending for sign-off", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"`(?:pcc-report )?(send [^`]+)`", section)
    return [c.split() for c in commands if "--send" not in c]


def test_the_readme_send_example_works_from_a_fresh_copy(fresh_copy: Path) -> None:
    examples = readme_send_examples()
    assert ["send", "015/2021"] in examples and ["send", "output/015-2021"] in examples
    code, output = invoke("build")
    assert code == 0, output
    for example in examples:
        code, output = invoke(*example)
        assert code == 0, (example, output)
        assert "Would send" in output and "nothing was sent" in output
        for _, name, address in make_sample.CIRCULATION:
            assert f"{name} <{address}>" in output
        assert "Attached: RfD-015-2021.docx" in output
        assert "Attached: review-015-2021.docx" in output


def test_send_names_every_missing_mail_setting_at_once(
    fresh_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("build")[0] == 0
    monkeypatch.setenv("PCC_SMTP_USER", "commissioning")
    monkeypatch.setenv("PCC_SMTP_STARTTLS", "no")
    code, output = invoke("send", "015/2021", "--send")
    assert code == 2
    flat = " ".join(output.split())
    for missing in (
        "No mail server is set: set PCC_SMTP_HOST",
        "No sender address is set: set PCC_SMTP_FROM",
        "PCC_SMTP_USER is set but PCC_SMTP_PASSWORD is not",
        "STARTTLS is off",
    ):
        assert missing in flat


def test_a_missing_input_folder_shows_the_command_that_was_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("build")
    assert code == 2
    assert "e.g. pcc-report build plans/2021-22.xlsx" in " ".join(output.split())
    code, output = invoke("check")
    assert code == 2
    assert "e.g. pcc-report check plans/2021-22.xlsx" in " ".join(output.split())


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new-workbook"], ["send"]])
def test_help_says_workbook_layout_not_contract(command: list[str]) -> None:
    """Finance staff read "contract" as a contract with a supplier."""
    code, output = invoke(*command, "--help")
    assert code == 0
    assert "contract" not in output.lower()


def test_check_help_names_the_workbook_layout() -> None:
    assert "workbook layout" in invoke("check", "--help")[1]


def test_a_threshold_is_named_by_its_setting_never_by_the_strategy(sample_path: Path) -> None:
    from pipeline.compare import compare
    from pipeline.load import load
    from pipeline.reconcile import reconcile

    plans = [
        load(path).plan for path in (sample_path, ROOT / "tests/fixtures/lincolnshire-2020-21.xlsx")
    ]
    current, previous = (reconcile(plan) for plan in plans if plan is not None)
    findings = [*current.findings, *compare(current, previous).findings]
    texts = {f.code: f.message for f in findings if f.code in {"W-UPLIFT", "W-GRANT-SIZE"}}
    assert "the 10% threshold (the uplift_threshold setting)" in texts["W-UPLIFT"]
    assert "(the grant_size_threshold setting, a local choice)" in texts["W-GRANT-SIZE"]
    for text in texts.values():
        assert not re.search(r"strategy[^.]*threshold", text)
