"""A line's forecast outturn against its budget: payments that reach the budget, a pattern read
from two payments, and a forecast far over the budget said as a finding, never silent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pipeline.findings import Finding
from pipeline.ledger import read_ledgers
from pipeline.position import Position, build_position
from pipeline.position_figures import LinePosition
from tests.test_position import sample_with_cost_codes

# Restorative Solutions CIC (Services row 12, Victims Fund, £100,000 in 2021/22); the fund's
# lines commit £805,212 of its ring-fenced £884,000 MoJ grant (Funding sources C2).
ROW = 12


def _position(tmp_path: Path, rows: str, as_at: dt.date | None = None) -> Position:
    path = tmp_path / "spend.csv"
    path.write_text("Date,Supplier,Amount,Transaction number\n" + rows, encoding="utf-8")
    payments = read_ledgers([path], labels=["spend.csv"]).payments
    position = build_position(sample_with_cost_codes(), payments, as_at=as_at)
    assert position is not None
    return position


def _paid_twice(tmp_path: Path, amount: str, first: str, second: str) -> Position:
    """Restorative Solutions CIC paid ``amount`` on two days, as at 31/10/2021."""
    rows = "".join(
        f"{day},Restorative Solutions CIC,{amount},T{n}\n" for n, day in enumerate((first, second))
    )
    return _position(tmp_path, rows, as_at=dt.date(2021, 10, 31))


def _line(position: Position, row: int = ROW) -> LinePosition:
    [line] = [p for p in position.lines if p.line.at.row == row]
    return line


def _found(position: Position, code: str, cell: str) -> list[Finding]:
    return [f for f in position.findings if f.code == code and f.cell == cell]


def test_a_budget_paid_in_two_instalments_is_not_forecast_as_monthly(tmp_path: Path) -> None:
    # An acceptance check's CARA line (Essex, £47,000): half paid on 05/09/2023 and half on
    # 11/10/2023, 36 days apart, read as monthly, forecast £164,500 ("Monthly instalments:
    # 5 more due by 31/03/2024"), 3.5 times its budget, with no finding; the Victims Fund's
    # forecast passed its ring-fenced grant and W-RINGFENCE-UNDERSPEND was gone.
    # The same here: £50,000 on 05/09/2021 and 11/10/2021 of £100,000.
    position = _paid_twice(tmp_path, "50000.00", "05/09/2021", "11/10/2021")
    line = _line(position)
    assert (line.spent, line.forecast) == (Decimal("100000.00"), Decimal("100000.00"))
    assert line.basis == "Spent so far: its budget paid in full"
    assert position.funds[0].forecast == Decimal("805212.00")
    [underspend] = [f for f in position.findings if f.code == "W-RINGFENCE-UNDERSPEND"]
    assert (underspend.sheet, underspend.cell) == ("Funding sources", "C2")
    assert "£78,788 of the ring-fenced £884,000" in underspend.message
    assert not [f for f in position.findings if f.code == "W-OVERSPEND"]


def test_two_payments_that_nearly_reach_the_budget_forecast_the_budget(tmp_path: Path) -> None:
    # £49,000 twice a month apart: the next "instalment" would pass the budget, and two
    # payments are no pattern to forecast £343,000 from.
    position = _paid_twice(tmp_path, "49000.00", "05/09/2021", "05/10/2021")
    line = _line(position)
    assert (line.spent, line.forecast) == (Decimal("98000.00"), Decimal("100000.00"))
    assert line.basis == "Budget: two payment days are too few to forecast past it"
    assert not [f for f in position.findings if f.code == "W-OVERSPEND"]
    # A straight line from two payment days three weeks apart (no instalments): £60,000 in
    # 30 days read as £730,000.
    early = _line(
        _position(
            tmp_path,
            "09/04/2021,Restorative Solutions CIC,30000.00,T1\n"
            "30/04/2021,Restorative Solutions CIC,30000.00,T2\n",
        )
    )
    assert early.forecast == Decimal("100000.00")
    assert early.basis == "Budget: two payment days are too few to forecast past it"


def test_two_payments_over_the_budget_forecast_what_was_spent(tmp_path: Path) -> None:
    # Already over (£120,000 of £100,000): the overspend is said; no more instalments are
    # invented from one gap (it read £420,000).
    position = _paid_twice(tmp_path, "60000.00", "05/09/2021", "05/10/2021")
    line = _line(position)
    assert (line.spent, line.forecast) == (Decimal("120000.00"), Decimal("120000.00"))
    assert line.basis == "Spent so far: over its budget"
    [overspend] = _found(position, "W-OVERSPEND", "L12")
    assert "has spent £120,000 of its £100,000 budget" in overspend.message


def test_a_genuine_monthly_line_is_forecast_as_before(tmp_path: Path) -> None:
    # Rape Crisis (£82,661) paid a twelfth on the 10th from April: two payments are enough to
    # forecast the instalments to come while they stay within the budget.
    rows = "".join(f"10/{month:02}/2021,Rape Crisis,6888.42,T{month}\n" for month in (4, 5))
    line = _line(_position(tmp_path, rows, as_at=dt.date(2021, 5, 31)), 9)
    assert line.basis == "Monthly instalments: 10 more due by 31/03/2022"
    assert line.forecast == Decimal("82661.04")


def test_a_line_running_over_its_budget_is_forecast_over_it_and_said(tmp_path: Path) -> None:
    # Rape Crisis (£82,661) paid £10,000 on the 10th of April, May and June: its own payments
    # show it running at £120,000 a year. The forecast stands, and is a finding naming the
    # line and the figure (the Lines sheet alone showed it, with the fund under allocation).
    rows = "".join(f"10/{month:02}/2021,Rape Crisis,10000.00,T{month}\n" for month in (4, 5, 6))
    position = _position(tmp_path, rows, as_at=dt.date(2021, 6, 30))
    line = _line(position, 9)
    assert line.forecast == Decimal("120000.00")
    assert line.basis == "Monthly instalments: 9 more due by 31/03/2022"
    [overspend] = _found(position, "W-OVERSPEND", "L9")
    assert overspend.sheet == "Services"
    assert overspend.message.startswith(
        "Rape Crisis (Rape Crisis) is forecast to spend £120,000 by 31/03/2022, "
        "£37,339 over its £82,661 budget"
    )
    assert "spent £30,000 by 30/06/2021" in overspend.message
    assert "monthly instalments: 9 more due by 31/03/2022" in overspend.message
    assert not [f for f in position.findings if f.code == "W-OVERSPEND" and f.sheet == "Funds"]


def test_a_forecast_a_little_over_the_budget_is_no_finding(tmp_path: Path) -> None:
    # The straight line's and instalments' rounding (pennies, a few per cent) is no overspend
    # to chase: only a forecast more than a tenth over the budget is said.
    rows = "".join(f"28/{month:02}/2021,NUHT,1666.67,T{month}\n" for month in (5, 6, 7, 8, 9))
    position = _position(tmp_path, rows, as_at=dt.date(2021, 9, 30))
    assert _line(position, 6).forecast == Decimal("20000.04")
    assert not [f for f in position.findings if f.code == "W-OVERSPEND"]
