"""An --as-at date after the plan's year end: the year-end position, one date throughout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.commitments import commitments
from pipeline.ledger import read_ledgers
from pipeline.position import Position, build_position
from pipeline.render_position import position_name, render_position
from tests.test_position import only, sample_with_cost_codes

ROWS = (
    "01/04/2021,Safer Living Foundation,6250.00,T1\n"
    "01/07/2021,Safer Living Foundation,6250.00,T2\n"
    "21/09/2021,Rape Crisis,6888.42,T3\n"
)


def _built(tmp_path: Path, as_at: dt.date) -> Position:
    path = tmp_path / "spend.csv"
    path.write_text("Date,Supplier,Amount,Transaction number\n" + ROWS, encoding="utf-8")
    position = build_position(sample_with_cost_codes(), read_ledgers([path]).payments, as_at=as_at)
    assert position is not None
    return position


def test_an_as_at_after_the_year_end_is_the_year_end_position_said_once(
    tmp_path: Path,
) -> None:
    # --as-at 30/06/2023 for 2021/22: W-SPEND-GAP said "before 31/03/2022, the date of this
    # position", while the file was position-...-2023-06-30.xlsx and the ring-fence note
    # spoke of "spent ... at 30/06/2023".
    position = _built(tmp_path, dt.date(2023, 6, 30))
    assert position.as_at == dt.date(2022, 3, 31)
    assert position_name(position) == "position-015-2021-2022-03-31.xlsx"
    note = only(position, "I-SPEND-YEAR-END")
    assert "--as-at 30/06/2023 is after 2021/22 ended on 31/03/2022" in note.message
    assert "year-end position, at 31/03/2022" in note.message
    assert "before 31/03/2022, the date of this position" in only(position, "W-SPEND-GAP").message
    for finding in position.findings:
        if finding.code != "I-SPEND-YEAR-END":
            assert "30/06/2023" not in finding.message, finding
    target = tmp_path / position_name(position)
    render_position(position, commitments(position.plan), target)
    assert target.exists()


def test_after_the_year_end_the_ring_fence_note_reports_no_longer_advises(
    tmp_path: Path,
) -> None:
    underspend = only(_built(tmp_path, dt.date(2023, 6, 30)), "W-RINGFENCE-UNDERSPEND")
    assert "before year end" not in underspend.message
    assert "forecast to be left unspent of 2021/22, which ended on 31/03/2022" in underspend.message
    assert "report the underspend to the grant body" in underspend.message
    assert (underspend.sheet, underspend.cell) == ("Funding sources", "C2")


@pytest.mark.parametrize("as_at", [dt.date(2021, 9, 30), dt.date(2022, 3, 31)])
def test_in_the_year_or_at_its_end_nothing_more_is_said(tmp_path: Path, as_at: dt.date) -> None:
    position = _built(tmp_path, as_at)
    assert position.as_at == as_at
    assert not [f for f in position.findings if f.code == "I-SPEND-YEAR-END"]
    underspend = only(position, "W-RINGFENCE-UNDERSPEND").message
    if as_at < dt.date(2022, 3, 31):
        assert "commit or reprofile it before year end" in underspend
        assert "at 30/09/2021" in underspend
    else:  # at the year end itself there is no year left to act in either
        assert "before year end" not in underspend
