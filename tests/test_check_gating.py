"""All errors at once (README "the first check lists everything that can be known"): one
unreadable cell holds back only the checks that need it.

An unreadable value on the Decision sheet (a yes/no field, a date) used to hide every rule
error of the plan, and one on the Services sheet hid E-SOURCES, which compares only the Funding
sources with the Funds: the finance officer fixed the E-VALUE, ran again, and met new errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from pipeline.reconcile import check_readable
from tests.workbooks import make_workbook

# The sample with three rule errors: a line naming a fund the Funds sheet does not have (Services
# row 13), a Community Safety Fund line with no s143 purpose (row 26), and the Victims Fund's
# sources adding up to £10,000 less than its allocation (Funds!B2).
RULE_ERRORS = [
    ("E-FUND", "Services", "A13"),
    ("E-PURPOSE", "Services", "K26"),
    ("E-SOURCES", "Funds", "B2"),
]


def three_rule_errors(content: WorkbookContent) -> None:
    rows = [list(r) for r in content.services]
    by_service = {(r[1], r[2]): r for r in rows}
    by_service[("Hate Crime Prevention", "Stop Hate")][0] = "Victim Fund"
    by_service[("Crimestoppers", "Crimestoppers")][10] = ""
    content.services = rows
    sources = [list(r) for r in content.sources]
    sources[1][2] = 115000  # the Victims Fund's local supplement: £1,009,000 - £10,000
    content.sources = sources


def with_decision(name: str, value: Any) -> Any:
    def edit(content: WorkbookContent) -> None:
        three_rule_errors(content)
        content.decision = [(k, value if k == name else v) for k, v in content.decision]

    return edit


def errors_of_check(path: Path) -> list[tuple[str, str, str]]:
    result = CliRunner().invoke(cli, ["check", "--json", str(path)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    (workbook,) = json.loads(result.stdout)["workbooks"]
    return sorted(
        (f["code"], f["sheet"], f["cell"]) for f in workbook["findings"] if f["severity"] == "error"
    )


@pytest.mark.parametrize(
    ("field_name", "typed", "cell"),
    [
        ("Part 2 form", "Maybe", "B17"),
        ("Publication deferred", "Maybe", "B14"),
        ("Date", "Maybe", "B4"),
        ("Budget approval", "Maybe", "B12"),
        ("PCC approval date", "TBC", "B23"),
    ],
)
def test_an_unreadable_decision_field_hides_no_rule_error(
    field_name: str, typed: str, cell: str, tmp_path: Path
) -> None:
    path = make_workbook(tmp_path, edit=with_decision(field_name, typed))
    assert errors_of_check(path) == sorted([*RULE_ERRORS, ("E-VALUE", "Decision", cell)])


def test_an_unreadable_services_cell_hides_no_sources_error(tmp_path: Path) -> None:
    def edit(content: WorkbookContent) -> None:
        three_rule_errors(content)
        content.services = [
            [*r[:11], "TBC"] if (r[1], r[2]) == ("Spring Lodge SARC", "LPFT") else r
            for r in content.services
        ]

    path = make_workbook(tmp_path, edit=edit)
    assert errors_of_check(path) == sorted([*RULE_ERRORS, ("E-VALUE", "Services", "L7")])


def test_a_plan_with_an_unreadable_decision_field_is_not_built(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, edit=with_decision("Part 2 form", "Maybe"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(path), "--out", str(out)])
    assert result.exit_code == 1, result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert sorted(p.name for p in folder.iterdir()) == ["findings.json"]
    codes = {f["code"] for f in json.loads((folder / "findings.json").read_text())["findings"]}
    assert {"E-FUND", "E-PURPOSE", "E-SOURCES", "E-VALUE"} <= codes


def test_an_unreadable_sources_row_holds_back_e_sources(tmp_path: Path) -> None:
    """E-SOURCES is a sum over a fund's sources: with one of them unreadable it would be a
    figure built on a value that could not be read, so it waits."""

    def edit(content: WorkbookContent) -> None:
        three_rule_errors(content)
        content.sources = [[*content.sources[0][:2], "lots", *content.sources[0][3:]]] + [
            list(r) for r in content.sources[1:]
        ]

    path = make_workbook(tmp_path, edit=edit)
    errors = errors_of_check(path)
    assert ("E-VALUE", "Funding sources", "C2") in errors
    assert not [e for e in errors if e[0] == "E-SOURCES"]
    assert ("E-FUND", "Services", "A13") in errors and ("E-PURPOSE", "Services", "K26") in errors


def test_the_year_checks_run_while_the_year_is_read(tmp_path: Path) -> None:
    """A line running wholly outside the year (W-INACTIVE) needs only the lines and the
    Financial year: an unreadable Date does not hold it back, an unreadable year does."""

    def outside(date_typed: Any, year: Any) -> Any:
        def edit(content: WorkbookContent) -> None:
            rows = [list(r) for r in content.services]
            rows[0][5:7] = ["01/04/2019", "31/03/2020"]
            content.services = rows
            content.decision = [
                (k, date_typed if k == "Date" else year if k == "Financial year" else v)
                for k, v in content.decision
            ]

        return edit

    def inactive(path: Path) -> tuple[bool, list[str]]:
        loaded = load(path)
        assert loaded.plan is None and loaded.readable is not None
        found = check_readable(loaded.readable, year_read=loaded.year_read)
        return loaded.year_read, [f.cell for f in found if f.code == "W-INACTIVE"]

    date_unread = make_workbook(mkdir(tmp_path / "a"), edit=outside("Maybe", "2021/22"))
    assert inactive(date_unread) == (True, ["G4"])
    year_unread = make_workbook(mkdir(tmp_path / "b"), edit=outside("28/05/2021", "21/99"))
    assert inactive(year_unread) == (False, [])


def mkdir(folder: Path) -> Path:
    folder.mkdir()
    return folder
