"""An --as-at date after the plan's year end: the year-end position, one date throughout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.commitments import commitments
from pipeline.ledger import read_ledgers
from pipeline.position import Position, build_position
from pipeline.position_figures import LinePosition, fund_position, line_position
from pipeline.render_position import position_name, render_position
from tests.test_position import only, sample_with_cost_codes

ROWS = (
    "01/04/2021,Safer Living Foundation,6250.00,T1\n"
    "01/07/2021,Safer Living Foundation,6250.00,T2\n"
    "21/09/2021,Rape Crisis,6888.42,T3\n"
)
ROW_NEVER_PAID = 4  # Victim Support, £260,000 of the Victims Fund: no payment in the year


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


def _line(position: Position, row: int) -> LinePosition:
    [line] = [p for p in position.lines if p.line.at.row == row]
    return line


@pytest.mark.parametrize("as_at", [dt.date(2023, 6, 30), dt.date(2022, 3, 31)])
def test_at_the_year_end_a_line_never_paid_forecasts_nothing(
    tmp_path: Path, as_at: dt.date
) -> None:
    # An acceptance check (--as-at 30/06/2023): Victim Support, never paid in the year, was
    # forecast at its £260,000 budget ("Budget: nothing spent yet"), the MoJ grant return
    # gave the Victims' Services Grant a forecast of its whole allocation with 6% of it spent,
    # and no W-RINGFENCE-UNDERSPEND was raised. Nothing more is paid in a year that has ended.
    position = _built(tmp_path, as_at)
    never = _line(position, ROW_NEVER_PAID)
    assert (never.spent, never.forecast) == (Decimal("0.00"), Decimal("0.00"))
    assert never.basis == "Outturn: nothing spent in the year, which ended on 31/03/2022"
    assert all(p.forecast == p.spent for p in position.lines)
    [victims, _] = position.funds
    assert victims.forecast == victims.spent == Decimal("6888.42")
    [stream] = victims.streams
    assert stream.forecast == stream.spent == Decimal("6888.42")
    underspend = only(position, "W-RINGFENCE-UNDERSPEND").message
    assert "£877,111.58 of the ring-fenced £884,000" in underspend
    assert "forecast outturn £6,888.42" in underspend


def test_in_the_year_a_line_never_paid_still_forecasts_its_budget(tmp_path: Path) -> None:
    position = _built(tmp_path, dt.date(2021, 9, 30))
    never = _line(position, ROW_NEVER_PAID)
    assert (never.spent, never.forecast) == (Decimal("0.00"), never.budget)
    assert never.basis == "Budget: nothing spent yet"
    assert not position.ended and position.outturn == ""


def test_at_the_year_end_a_line_paid_in_arrears_keeps_its_last_instalment(
    tmp_path: Path,
) -> None:
    # Restorative Solutions CIC (row 12, £100,000) invoiced monthly in arrears from May:
    # March's service is paid in April, after the year, and is part of its outturn.
    path = tmp_path / "spend.csv"
    rows = "".join(
        f"05/{month:02d}/{2021 if month > 3 else 2022},Restorative Solutions CIC,8333.33,T{month}\n"
        for month in (*range(5, 13), 1, 2, 3)
    )
    path.write_text("Date,Supplier,Amount,Transaction number\n" + rows, encoding="utf-8")
    payments = read_ledgers([path]).payments
    position = build_position(sample_with_cost_codes(), payments, as_at=dt.date(2023, 6, 30))
    assert position is not None
    line = _line(position, 12)
    assert (line.spent, line.forecast) == (Decimal("91666.63"), Decimal("99999.96"))
    assert line.basis == (
        "Outturn: spent in the year, and 1 monthly instalment in arrears for its service to "
        "31/03/2022, paid after it"
    )


def test_at_the_year_end_payments_not_yet_on_a_line_add_to_the_outturn() -> None:
    # In the year they belong to lines forecast at budget and are not added twice; at the
    # year end the lines' forecasts are their own spend, which leaves them out.
    plan = sample_with_cost_codes()
    fund = plan.funds[0]
    start, end = plan.decision.year_start, plan.decision.year_end
    lines = tuple(
        line_position(line, Decimal("0.00"), 0, start, end, end)
        for line in plan.lines
        if line.fund_key == fund.key
    )
    ended = fund_position(fund, lines, Decimal("500.00"), plan.sources_of(fund), ended=True)
    assert ended.forecast == Decimal("500.00")
    assert ended.streams[0].forecast == Decimal("500.00")


def test_the_workbook_and_the_review_note_say_the_figures_are_the_outturn(
    tmp_path: Path,
) -> None:
    import openpyxl
    from docx import Document

    from pipeline.review import render_review

    for as_at, ended in ((dt.date(2023, 6, 30), True), (dt.date(2021, 9, 30), False)):
        position = _built(tmp_path, as_at)
        target = tmp_path / position_name(position)
        render_position(position, commitments(position.plan), target)
        book = openpyxl.load_workbook(target)
        said = "2021/22 ended on 31/03/2022: the forecast outturn is what each line spent"
        for name in ("Summary", "Lines", "MoJ grant return"):
            assert (said in book[name]["A2"].value) is ended, name
        lines = book["Lines"]
        header = [cell.value for cell in lines[3]]
        forecast, basis = header.index("Forecast outturn"), header.index("Forecast from")
        [row] = [
            r for r in lines.iter_rows(min_row=4, values_only=True) if r[1] == "Victim Support"
        ]
        if ended:
            assert (row[forecast], row[basis]) == (
                0,
                "Outturn: nothing spent in the year, which ended on 31/03/2022",
            )
            grants = book["MoJ grant return"]
            assert [grants["D4"].value, grants["E4"].value] == [6888.42, 6888.42]
        else:
            assert (row[forecast], row[basis]) == (260000, "Budget: nothing spent yet")
        note = tmp_path / "review.docx"
        render_review(note, list(position.findings), position.plan, position=position)
        text = "\n".join(p.text for p in Document(str(note)).paragraphs)
        assert (said in text) is ended
        assert ("lines with no payment yet are forecast at budget" in text) is not ended


@pytest.mark.parametrize(
    ("as_at", "said"),
    [
        (
            dt.date(2023, 6, 30),
            "Community Safety Fund's outturn for 2021/22, which ended on 31/03/2022, is "
            "£600,000, £44,000 over its £556,000 allocation",
        ),
        (
            dt.date(2021, 9, 30),
            # in the year its other lines, not yet paid, are forecast at their budgets
            "Community Safety Fund is forecast to spend £1,039,058 by year end, £483,058 over "
            "its £556,000 allocation (position at 30/09/2021)",
        ),
    ],
)
def test_a_fund_over_its_allocation_is_its_outturn_at_the_year_end(
    tmp_path: Path, as_at: dt.date, said: str
) -> None:
    path = tmp_path / "spend.csv"
    path.write_text(
        "Date,Supplier,Amount,Transaction number\n01/04/2021,Safer Living Foundation,600000,T1\n",
        encoding="utf-8",
    )
    position = build_position(sample_with_cost_codes(), read_ledgers([path]).payments, as_at=as_at)
    assert position is not None
    [fund] = [f for f in position.findings if f.code == "W-OVERSPEND" and f.cell == "B3"]
    assert said in fund.message
    assert fund.sheet == "Funds"
