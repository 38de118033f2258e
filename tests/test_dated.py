"""Findings that hold only until a day comes (pipeline.dated): a build whose publication was
deferred, rerun once the deferral is lifted, is not "up to date" with the same files, and the
index page says why."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import batch, dated
from pipeline.config import Config
from pipeline.index_page import INDEX, write_index
from tests.workbooks import make_workbook

LIFTED = dt.date.today() + dt.timedelta(days=30)


def _deferred(content: Any) -> None:
    values = {
        "Publication deferred": "Yes",
        "Publication deferred reason": "The provider is still to be told",
        "Publication deferred until": LIFTED,
    }
    content.decision = [(f, values.get(f, v)) for f, v in content.decision]


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, Path]:
    drop = tmp_path / "input"
    drop.mkdir()
    make_workbook(drop, edit=_deferred)
    out = tmp_path / "output"
    [result], _ = batch.build([drop], out, Config())
    assert [f.code for f in result.findings if f.code == "W-PUBLICATION-DEFERRED"]
    return drop, out


def outcomes(drop: Path, out: Path) -> list[str]:
    return [r.outcome for r in batch.build([drop], out, Config())[0]]


def test_the_manifest_records_the_day_the_deferral_is_lifted(built: tuple[Path, Path]) -> None:
    _, out = built
    [entry] = json.loads((out / "manifest.json").read_text("utf-8"))["workbooks"].values()
    assert entry[dated.FINDINGS_UNTIL] == LIFTED.isoformat()


def test_a_rerun_once_the_deferral_is_lifted_builds_again(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    drop, out = built
    assert outcomes(drop, out) == ["up to date"]  # the day before: nothing would change
    monkeypatch.setattr(dated, "today", lambda: LIFTED)
    write_index(out)
    page = (out / INDEX).read_text("utf-8")
    assert "A date it depends on has come" in page
    assert f"came on {LIFTED:%d/%m/%Y}" in page
    assert outcomes(drop, out) == ["built"]


def test_a_decision_depending_on_no_day_records_none(tmp_path: Path) -> None:
    drop = tmp_path / "input"
    drop.mkdir()
    make_workbook(drop)
    batch.build([drop], tmp_path / "output", Config())
    manifest = json.loads((tmp_path / "output" / "manifest.json").read_text("utf-8"))
    [entry] = manifest["workbooks"].values()
    assert dated.FINDINGS_UNTIL not in entry


def test_a_hand_edited_day_is_read_as_none() -> None:
    assert dated.findings_due({dated.FINDINGS_UNTIL: "not a date"}) is None
    assert dated.findings_due({dated.FINDINGS_UNTIL: 20210630}) is None
    assert dated.findings_due({}) is None
