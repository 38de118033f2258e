"""The position of the sample plan from the fixture ledger (tests/make_ledger.py), to the penny."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.findings import Finding
from pipeline.ledger import read_ledgers
from pipeline.load import load
from pipeline.model import Plan
from pipeline.position import Position, build_position
from pipeline.position_figures import LinePosition
from tests.make_ledger import COST_CODES, write_ledger

SAMPLE = Path(__file__).resolve().parent.parent / "input" / "lincolnshire-2021-22.xlsx"
LEDGER = "input/spend/ledger-2021-22.csv"

# Services row: (budget, spent, forecast) at 30/09/2021. Spent is 26 weekly payments of a
# fifty-second of the budget, plus or minus the fixture's extra rows; the forecast of a line that
# runs all year is spent / 183 days x 365; a line with no payment, or one (or starting in October)
# forecasts its budget.
EXPECTED = {
    4: ("260000.00", "130000.00", "259289.62"),
    5: ("100000.00", "0.00", "100000.00"),
    6: ("20000.00", "10000.12", "19945.59"),
    7: ("80000.00", "0.00", "80000.00"),
    8: ("90000.00", "0.00", "90000.00"),
    9: ("82661.00", "41079.88", "81935.28"),  # with a £250.50 credit note
    10: ("18351.00", "9075.40", "18101.21"),  # with a (£100.00) credit
    11: ("43600.00", "0.00", "43600.00"),
    12: ("100000.00", "50000.08", "99726.94"),
    13: ("10600.00", "0.00", "10600.00"),
    16: ("172900.00", "86450.00", "172427.60"),  # by cost code CSF-YOS
    17: ("74933.00", "0.00", "74933.00"),
    18: ("6000.00", "0.00", "6000.00"),
    19: ("40000.00", "0.00", "40000.00"),
    20: ("4400.00", "0.00", "4400.00"),
    21: ("22000.00", "0.00", "22000.00"),
    22: ("11000.00", "0.00", "11000.00"),
    23: ("5000.00", "0.00", "5000.00"),
    24: ("25000.00", "12500.02", "24931.73"),
    25: ("78000.00", "39000.00", "77786.89"),
    26: ("18075.00", "6518.75", "13001.88"),  # a split invoice and a payment twice
    27: ("3000.00", "1500.00", "3000.00"),  # paid once: no rate, its budget
    28: ("3000.00", "0.00", "3000.00"),
    29: ("750.00", "800.00", "800.00"),  # a one-off award, paid once: what it spent
}


def sample_with_cost_codes() -> Plan:
    plan = load(SAMPLE).plan
    assert plan is not None
    lines = tuple(
        dataclasses.replace(line, cost_code=COST_CODES.get(line.at.row, "")) for line in plan.lines
    )
    return dataclasses.replace(plan, lines=lines)


@pytest.fixture(scope="module")
def position(tmp_path_factory: pytest.TempPathFactory) -> Position:
    ledger = write_ledger(tmp_path_factory.mktemp("spend") / "ledger-2021-22.csv")
    read = read_ledgers([ledger], labels=[LEDGER])
    assert read.findings == []
    built = build_position(sample_with_cost_codes(), read.payments)
    assert built is not None
    return built


def located(position: Position, code: str) -> list[tuple[str, str, str]]:
    return [(f.file, f.sheet, f.cell) for f in position.findings if f.code == code]


def only(position: Position, code: str) -> Finding:
    found = [f for f in position.findings if f.code == code]
    assert len(found) == 1, found
    return found[0]


def test_as_at_the_latest_payment(position: Position) -> None:
    assert position.as_at == dt.date(2021, 9, 30)
    assert position.payments == 248 - 2  # the two March payments are last year's


def test_every_line_spent_and_forecast_to_the_penny(position: Position) -> None:
    got = {p.line.at.row: (str(p.budget), str(p.spent), str(p.forecast)) for p in position.lines}
    assert got == EXPECTED
    assert all(p.variance == p.forecast - p.budget for p in position.lines)


def test_funds_and_the_ring_fenced_underspend(position: Position) -> None:
    victims, community = position.funds
    # LPFT's 26 payments could be either of its two Victims Fund lines: the fund's spend only.
    assert victims.unassigned == Decimal("84999.98")
    assert victims.spent == Decimal("325155.46")
    assert victims.forecast == Decimal("803198.64")
    assert victims.at_risk == Decimal("205801.36")
    assert community.spent == Decimal("146768.77")
    assert community.forecast == Decimal("458281.10")
    (moj,) = victims.streams
    assert moj.spent == Decimal("325155.46")
    assert moj.at_risk == Decimal("80801.36")
    finding = only(position, "W-RINGFENCE-UNDERSPEND")
    assert "£80,801.36 of the ring-fenced £884,000" in finding.message
    assert (finding.sheet, finding.cell) == ("Funding sources", "C2")


def test_each_ledger_finding_at_its_file_and_row(position: Position) -> None:
    sheet = "ledger-2021-22.csv"
    assert located(position, "W-SPEND-DUPLICATE") == [(LEDGER, sheet, "line 247")]
    assert located(position, "W-SPEND-UNMATCHED") == [
        (LEDGER, sheet, "line 244"),
        (LEDGER, sheet, "line 245"),
    ]
    assert located(position, "W-SPEND-AMBIGUOUS") == [
        (LEDGER, sheet, "line 11"),
        (LEDGER, sheet, "line 242"),
        (LEDGER, sheet, "line 243"),
    ]
    assert located(position, "I-SPEND-OUT-OF-YEAR") == [(LEDGER, sheet, "")]
    redacted, unknown = [f for f in position.findings if f.code == "W-SPEND-UNMATCHED"]
    assert "redacted" in redacted.message and "£620" in redacted.message
    assert "Acme Training Ltd" in unknown.message
    assert "line 246" in only(position, "W-SPEND-DUPLICATE").message


def test_ambiguous_payments_name_rows_and_candidate_lines(position: Position) -> None:
    lpft, victim_support, county = [f for f in position.findings if f.code == "W-SPEND-AMBIGUOUS"]
    assert "26 payments totalling £84,999.98 to LPFT" in lpft.message
    assert "Services row 7" in lpft.message and "Services row 8" in lpft.message
    assert "count to the Victims Fund's spend" in lpft.message
    assert "and 14 more" in lpft.message
    # Victim Support's row has no cost code: rows 4 and 5 have codes, row 28 none.
    for row in (4, 5, 28):
        assert f"Services row {row} " in victim_support.message
    assert "counted to no fund" in victim_support.message
    assert "Services row 16" in county.message
    listed = {(p.status, p.cell, p.payments) for p in position.to_check}
    assert ("ambiguous", "line 11", 26) in listed  # LPFT: one entry for its 26 payments
    assert ("ambiguous", "line 242", 1) in listed and ("unmatched", "line 245", 1) in listed


def test_overspend_and_no_spend(position: Position) -> None:
    overspend = only(position, "W-OVERSPEND")
    assert (overspend.sheet, overspend.cell) == ("Services", "L29")
    assert "£800 of its £750 budget" in overspend.message
    no_spend = [f.cell for f in position.findings if f.code == "I-NO-SPEND"]
    # Not the LPFT or LCC or Victim Support lines (an ambiguous payment may be theirs), not
    # the lines starting in October.
    assert no_spend == []


def test_no_spend_after_three_months() -> None:
    plan = sample_with_cost_codes()
    ledger = read_ledgers([_one_payment_ledger()])
    position = build_position(plan, ledger.payments, as_at=dt.date(2021, 7, 1))
    assert position is not None
    cells = [f.cell for f in position.findings if f.code == "I-NO-SPEND"]
    assert "B9" in cells  # Rape Crisis, from 01/04/2021: three months by 01/07/2021
    assert "B13" not in cells  # Stop Hate starts in October
    early = build_position(plan, ledger.payments, as_at=dt.date(2021, 6, 30))
    assert early is not None
    assert not [f for f in early.findings if f.code == "I-NO-SPEND"]


def _one_payment_ledger() -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ledger-"))
    path = folder / "one.csv"
    path.write_text("Date,Supplier,Amount\n01/05/2021,Crimestoppers,10\n", encoding="utf-8")
    return path


def test_aliases_match_only_when_the_settings_say_so() -> None:
    plan = sample_with_cost_codes()
    path = _one_payment_ledger()
    path.write_text("Date,Supplier,Amount\n01/05/2021,SLF,10\n", encoding="utf-8")
    payments = read_ledgers([path]).payments
    bare = build_position(plan, payments)
    assert bare is not None
    assert [f.code for f in bare.findings if f.code.startswith("W-SPEND")] == ["W-SPEND-UNMATCHED"]
    aliased = build_position(plan, payments, aliases={"SLF": "Safer Living Foundation"})
    assert aliased is not None
    assert {p.line.at.row: p.spent for p in aliased.lines}[24] == Decimal("10.00")


def test_no_payment_in_the_year_is_no_position() -> None:
    path = _one_payment_ledger()
    path.write_text("Date,Supplier,Amount\n01/05/2020,Crimestoppers,10\n", encoding="utf-8")
    assert build_position(sample_with_cost_codes(), read_ledgers([path]).payments) is None


def _ledger(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "spend.csv"
    path.write_text("Date,Supplier,Amount,Transaction number\n" + rows, encoding="utf-8")
    return path


def _position(tmp_path: Path, rows: str) -> Position:
    """The sample's position (with cost codes) from a ledger of ``rows``."""
    path = _ledger(tmp_path, rows)
    position = build_position(sample_with_cost_codes(), read_ledgers([path]).payments)
    assert position is not None
    return position


def test_payments_after_the_as_at_date_are_said_not_dropped(tmp_path: Path) -> None:
    path = _ledger(
        tmp_path,
        "01/05/2021,Crimestoppers,10.00,T1\n"
        "15/10/2021,Crimestoppers,20.00,T2\n"
        "20/03/2022,Rape Crisis,30.50,T3\n",
    )
    position = build_position(
        sample_with_cost_codes(),
        read_ledgers([path], labels=["spend.csv"]).payments,
        as_at=dt.date(2021, 9, 30),
    )
    assert position is not None
    assert position.payments == 1
    [note] = [f for f in position.findings if f.code == "I-SPEND-OUT-OF-YEAR"]
    assert (note.file, note.sheet, note.cell) == ("spend.csv", "spend.csv", "")
    assert (
        "2 payments totalling £50.50 dated 15/10/2021 to 20/03/2022 (line 3, line 4)"
        in note.message
    )
    assert "after 30/09/2021" in note.message
    assert "a later --as-at" in note.message


def test_a_line_whose_credits_cancel_its_payments_forecasts_its_budget(tmp_path: Path) -> None:
    # Rape Crisis (budget £82,661): a payment reversed by a credit note nets to nothing, so
    # nothing is spent yet and the forecast is the budget, not £0. NWCH (budget £18,351): only
    # a credit note (last year's overpayment back): spent is -£100, the forecast its budget,
    # never a negative outturn that takes £200 off the fund's forecast.
    position = _position(
        tmp_path,
        "06/04/2021,Rape Crisis,1589.63,T1\n"
        "07/05/2021,Rape Crisis,-1589.63,T1\n"
        "07/05/2021,NWCH,(100.00),T2\n"
        "30/09/2021,Crimestoppers,1.00,T3\n",
    )
    lines = {p.line.at.row: p for p in position.lines}
    assert (lines[9].spent, lines[9].payments, lines[9].forecast) == (
        Decimal("0.00"),
        2,
        Decimal("82661.00"),
    )
    assert (lines[10].spent, lines[10].forecast) == (Decimal("-100.00"), Decimal("18351.00"))
    victims = position.funds[0]
    assert victims.forecast == victims.committed  # every line at budget: £805,212
    assert victims.forecast == Decimal("805212.00")


@pytest.mark.parametrize("code", ["412", "0412", "412.0"])
def test_a_cost_code_that_lost_its_leading_zeros_still_matches(tmp_path: Path, code: str) -> None:
    # Services types 00412 for Rape Crisis; the ledger, opened and saved in Excel, reads 412
    # (or 412.0, written from a column of numbers by a report tool).
    plan = sample_with_cost_codes()
    lines = tuple(
        dataclasses.replace(line, cost_code="00412") if line.at.row == 9 else line
        for line in plan.lines
    )
    path = tmp_path / "spend.csv"
    path.write_text(
        f"Date,Supplier,Amount,Cost centre\n01/05/2021,Victim Support,10.00,{code}\n",
        encoding="utf-8",
    )
    payments = read_ledgers([path]).payments
    position = build_position(dataclasses.replace(plan, lines=lines), payments)
    assert position is not None
    assert {p.line.at.row: p.spent for p in position.lines if p.payments} == {9: Decimal("10.00")}
    assert not [f for f in position.findings if f.code.startswith("W-SPEND")]


def test_a_payment_with_no_supplier_says_so(tmp_path: Path) -> None:
    position = _position(tmp_path, "01/05/2021,,10.00,T1\n")
    [unmatched] = [f for f in position.findings if f.code == "W-SPEND-UNMATCHED"]
    assert "The payment of £10 with no supplier named on 01/05/2021" in unmatched.message
    assert "to  " not in unmatched.message
    assert "Fill in its supplier" in unmatched.message


@pytest.mark.parametrize(
    "payee",
    ["Mr Zebedee Quartermaine", "MRS J SMITH", "Dr. A Jones", "Ms Alex Quinn", "zq@example.com"],
)
def test_a_payee_named_as_a_person_is_not_repeated_in_findings(tmp_path: Path, payee: str) -> None:
    # A finance system's export names individuals (refunds, expenses); findings reach the
    # review note and the index page, so they locate the row instead of repeating the name.
    path = _ledger(
        tmp_path,
        f"01/05/2021,{payee},620.00,T1\n01/05/2021,{payee},620.00,T1\n02/05/2021,{payee},x,T2\n",
    )
    read = read_ledgers([path], labels=["spend.csv"])
    position = build_position(sample_with_cost_codes(), read.payments)
    assert position is not None
    found = [f for f in [*read.findings, *position.findings] if f.code.startswith("W-SPEND")]
    assert sorted(f.code for f in found) == [
        "W-SPEND-DUPLICATE",
        "W-SPEND-UNMATCHED",  # its two payments in one finding
        "W-SPEND-VALUE",
    ]
    for finding in found:
        assert payee.split()[-1].lower() not in finding.message.lower(), finding.message
        assert "a person's name, not repeated here" in finding.message, finding.message
    # The internal list of payments to check keeps the name: it is where the officer acts.
    assert {p.supplier for p in position.to_check} == {payee}


def test_a_supplier_named_with_its_legal_form_matches_its_line(tmp_path: Path) -> None:
    # Crimestoppers (Services row 26) is "Crimestoppers Ltd" in the supplier master;
    # Restorative Solutions CIC (row 12) is "Restorative Solutions Community Interest Company".
    position = _position(
        tmp_path,
        "01/05/2021,Crimestoppers Ltd,10.00,T1\n"
        "02/05/2021,CRIMESTOPPERS LIMITED,5.00,T2\n"
        "03/05/2021,Restorative Solutions Community Interest Company,7.00,T3\n"
        "04/05/2021,Restorative Solutions Ltd.,1.00,T4\n",
    )
    spent = {p.line.at.row: p.spent for p in position.lines if p.payments}
    assert spent == {26: Decimal("15.00"), 12: Decimal("8.00")}
    assert not [f for f in position.findings if f.code.startswith("W-SPEND")]


def test_unmatched_payments_are_one_finding_per_supplier_and_a_whole_ledger_is_not_a_flood(
    tmp_path: Path,
) -> None:
    # The force's whole "spend over £500" file: most payments are not commissioning spend.
    # Each supplier is one finding naming its rows; beyond 20 suppliers, one finding for the
    # rest (the position workbook lists every payment), never thousands of warnings.
    rows = "".join(
        f"{1 + n % 28:02d}/05/2021,Fuel Supplier {n % 30} Ltd,100.00,T{n}\n" for n in range(600)
    )
    position = _position(tmp_path, rows)
    found = [f for f in position.findings if f.code == "W-SPEND-UNMATCHED"]
    assert len(found) == 21
    first = found[0]
    assert first.cell == "line 2"
    assert "20 payments totalling £2,000 to Fuel Supplier 0 Ltd" in first.message
    assert "line 2; spend.csv line 32;" in first.message
    assert "and 8 more" in first.message
    rest = found[-1]
    assert "200 more payments totalling £20,000 to 10 other suppliers" in rest.message
    assert "Payments to check" in rest.message
    assert len([p for p in position.to_check if p.status == "unmatched"]) == 600


def test_a_month_exported_twice_is_not_a_flood_of_duplicates(tmp_path: Path) -> None:
    rows = "".join(f"{1 + n % 28:02d}/05/2021,Crimestoppers,10.00,T{n}\n" for n in range(300))
    april = _ledger(tmp_path, rows)
    copy = tmp_path / "spend (1).csv"
    # Exported again (Windows line ends): not the same bytes, so read, and its rows repeat.
    copy.write_bytes(april.read_bytes().replace(b"\n", b"\r\n"))
    read = read_ledgers([april, copy], labels=["spend.csv", "spend (1).csv"])
    position = build_position(sample_with_cost_codes(), read.payments)
    assert position is not None
    found = [f for f in position.findings if f.code == "W-SPEND-DUPLICATE"]
    assert len(found) == 21
    assert (found[0].file, found[0].cell) == ("spend (1).csv", "line 2")
    assert "280 more payments totalling £2,800 repeat earlier ones" in found[-1].message
    assert "a file copied twice into the spend folder" in found[-1].message


def test_ambiguous_lines_that_have_cost_codes_are_not_told_to_add_them(tmp_path: Path) -> None:
    # LPFT's two Victims Fund lines (Services rows 7 and 8) with cost codes; the ledger's
    # payments to LPFT name no cost centre, so the advice is about the ledger, not the plan.
    plan = sample_with_cost_codes()
    codes = {7: "VF-SARC", 8: "VF-ISVA"}
    plan = dataclasses.replace(
        plan,
        lines=tuple(
            dataclasses.replace(ln, cost_code=codes.get(ln.at.row, ln.cost_code))
            for ln in plan.lines
        ),
    )
    path = _ledger(tmp_path, "01/05/2021,LPFT,10.00,T1\n")
    position = build_position(plan, read_ledgers([path]).payments)
    assert position is not None
    finding = only(position, "W-SPEND-AMBIGUOUS")
    assert "These lines have Cost codes (VF-SARC, VF-ISVA)" in finding.message
    assert "export the ledger with its cost centre column" in finding.message
    assert "Give these lines a Cost code" not in finding.message


def test_an_invoice_split_evenly_between_cost_centres_is_not_a_duplicate(tmp_path: Path) -> None:
    # One invoice of £1,000 split in halves to two lines' cost centres, as finance systems
    # export a split invoice: it was W-SPEND-DUPLICATE, telling the officer to remove a half.
    path = tmp_path / "split.csv"
    path.write_text(
        "Date,Supplier,Amount,Transaction number,Cost centre,Expense type\n"
        "03/05/2021,Victim Support,500.00,T1,VS-CORE,Grants\n"
        "03/05/2021,Victim Support,500.00,T1,VS-CISVA,Grants\n"
        "04/05/2021,Victim Support,250.00,T2,VS-CORE,Grants\n"
        "04/05/2021,Victim Support,250.00,T2,VS-CORE,Grants\n",
        encoding="utf-8",
    )
    position = build_position(sample_with_cost_codes(), read_ledgers([path]).payments)
    assert position is not None
    [duplicate] = [f for f in position.findings if f.code == "W-SPEND-DUPLICATE"]
    assert duplicate.cell == "line 5"  # the true copy is still said


def test_a_line_paid_in_advance_beyond_its_budget_forecasts_at_least_its_spend(
    tmp_path: Path,
) -> None:
    # Hate Crime Prevention (Stop Hate, £10,600 from 01/10/2021) paid £12,000 in advance in
    # September: its forecast outturn was its budget, £1,400 below what it had already spent,
    # so the Lines sheet showed it on budget.
    position = _position(tmp_path, "20/09/2021,Stop Hate,12000.00,T1\n")
    assert position.as_at == dt.date(2021, 9, 20)
    [line] = [p for p in position.lines if p.line.at.row == 13]
    assert (line.spent, line.forecast) == (Decimal("12000.00"), Decimal("12000.00"))
    assert any(f.code == "W-OVERSPEND" and f.cell == "L13" for f in position.findings)


def test_an_as_at_date_before_the_year_says_no_payment_counts(tmp_path: Path) -> None:
    # --as-at 30/09/1921 typed for 30/09/2021: the note said only that the payments were
    # after it, as if a later date would count them in a position of the year.
    path = _ledger(tmp_path, "01/05/2021,Crimestoppers,10.00,T1\n")
    position = build_position(
        sample_with_cost_codes(), read_ledgers([path]).payments, None, dt.date(1921, 9, 30)
    )
    assert position is not None
    [note] = [f for f in position.findings if f.code == "I-SPEND-OUT-OF-YEAR"]
    assert "before 2021/22 began on 01/04/2021, so the position counts no payment" in note.message
    assert "Give an --as-at date in the year" in note.message


def test_a_supplier_with_points_in_its_initials_or_the_before_it_matches_its_line(
    tmp_path: Path,
) -> None:
    # NWCH (Services row 10) as "N.W.C.H." and Safer Living Foundation (row 24) as "The Safer
    # Living Foundation" in a supplier master: both were W-SPEND-UNMATCHED, not counted.
    position = _position(
        tmp_path,
        "01/05/2021,N.W.C.H.,10.00,T1\n"
        "02/05/2021,The Safer Living Foundation,5.00,T2\n"
        "03/05/2021,Crime Stoppers,1.00,T3\n",  # another name: still not guessed
    )
    spent = {p.line.at.row: p.spent for p in position.lines if p.payments}
    assert spent == {10: Decimal("10.00"), 24: Decimal("5.00")}
    [unmatched] = [f for f in position.findings if f.code == "W-SPEND-UNMATCHED"]
    assert "Crime Stoppers" in unmatched.message


def test_a_fund_forecast_over_its_allocation_says_what_to_do(tmp_path: Path) -> None:
    # The fund's W-OVERSPEND ended "(position at 30/09/2021)": no full stop, no advice.
    position = _position(tmp_path, "30/09/2021,Rape Crisis,900000.00,T1\n")
    [fund] = [f for f in position.findings if f.code == "W-OVERSPEND" and f.sheet == "Funds"]
    assert fund.message.endswith("or vary the allocation by a decision.")
    assert "(position at 30/09/2021). Check the lines' spend and forecasts" in fund.message


def test_a_huge_reference_or_cost_code_is_cut_in_findings(tmp_path: Path) -> None:
    # A hostile ledger: a reference, a cost code and a redaction note of 100,000 characters
    # each were repeated whole in W-SPEND-DUPLICATE and W-SPEND-UNMATCHED (and so in the
    # review note, the index page and findings.json).
    huge = "X" * 100_000
    path = tmp_path / "huge.csv"
    path.write_text(
        "Date,Supplier,Amount,Transaction number,Cost centre\n"
        f"01/05/2021,Crimestoppers,10.00,{huge},\n"
        f"01/05/2021,Crimestoppers,10.00,{huge},\n"
        f"02/05/2021,,5.00,T2,{huge}\n"
        f"03/05/2021,REDACTED {huge},5.00,T3,\n",
        encoding="utf-8",
    )
    position = build_position(sample_with_cost_codes(), read_ledgers([path]).payments)
    assert position is not None
    said = [f for f in position.findings if f.code in {"W-SPEND-DUPLICATE", "W-SPEND-UNMATCHED"}]
    assert len(said) == 3
    for finding in said:
        assert len(finding.message) < 1_000
        assert "(100,000 characters)" in finding.message or "(100,009 characters)" in (
            finding.message
        )


def test_a_huge_date_or_amount_cell_is_cut_in_findings(tmp_path: Path) -> None:
    huge = "9" * 100_000
    path = tmp_path / "cells.csv"
    path.write_text(
        f"Date,Supplier,Amount\n{huge},NWCH,5.00\n01/05/2021,NWCH,{huge}\n", encoding="utf-8"
    )
    read = read_ledgers([path])
    assert read.payments.empty
    assert [f.cell for f in read.findings] == ["line 2", "line 3"]
    for finding in read.findings:
        assert len(finding.message) < 400
        assert "(100,000 characters)" in finding.message


def test_a_payment_dated_after_today_does_not_move_the_position(tmp_path: Path) -> None:
    # Built on 15 October 2021 with a payment typed 21/12/2021: the position was at 21
    # December, every forecast stretched over days not yet lived, and the note told the
    # officer to build with a later --as-at date.
    path = tmp_path / "october.csv"
    path.write_text(
        "Date,Supplier,Amount\n"
        "01/10/2021,Crimestoppers,1000.00\n"
        "21/12/2021,Crimestoppers,500.00\n"
        "14/10/2021,Crimestoppers,250.00\n",
        encoding="utf-8",
    )
    payments = read_ledgers([path]).payments
    position = build_position(sample_with_cost_codes(), payments, today=dt.date(2021, 10, 15))
    assert position is not None
    assert position.as_at == dt.date(2021, 10, 14)
    spent = {p.line.organisation: p.spent for p in position.lines if p.payments}
    assert spent["Crimestoppers"] == Decimal("1250.00")
    notes = [f.message for f in position.findings if f.code == "I-SPEND-OUT-OF-YEAR"]
    assert len(notes) == 1
    # One payment said as one: it read "1 payment(s) of £500 ... are dated after".
    assert notes[0].startswith("1 payment of £500 dated 21/12/2021 (line 3) is dated after")
    assert "It is not counted" in notes[0]
    assert "after today, 15/10/2021" in notes[0]
    assert "the position is at 14/10/2021" in notes[0]
    assert "later --as-at" not in notes[0]
    # Given with --as-at, the date is the officer's: nothing is left out for being ahead.
    chosen = build_position(
        sample_with_cost_codes(), payments, as_at=dt.date(2021, 12, 31), today=dt.date(2021, 10, 15)
    )
    assert chosen is not None and chosen.as_at == dt.date(2021, 12, 31)
    assert not [f for f in chosen.findings if f.code == "I-SPEND-OUT-OF-YEAR"]


def test_a_grant_paid_in_full_in_advance_forecasts_its_budget(tmp_path: Path) -> None:
    # Reducing sexual reoffending (Safer Living Foundation, a £25,000 grant from 01/04/2021)
    # paid in full on 9 April: the straight line from one payment forecast £304,166.67 by
    # 30 April, and the Community Safety Fund £175,233 over its allocation (W-OVERSPEND).
    position = _position(
        tmp_path,
        "09/04/2021,Safer Living Foundation,25000.00,T1\n30/04/2021,Crimestoppers,500,T2\n",
    )
    assert position.as_at == dt.date(2021, 4, 30)
    [grant] = [p for p in position.lines if p.line.at.row == 24]
    assert (grant.spent, grant.forecast) == (Decimal("25000.00"), Decimal("25000.00"))
    assert not [f for f in position.findings if f.code == "W-OVERSPEND"]
    # Two payments are a rate: £2,000 in its first 30 days is £24,333.33 over the year.
    twice = _position(
        tmp_path,
        "09/04/2021,Safer Living Foundation,1000.00,T1\n"
        "30/04/2021,Safer Living Foundation,1000.00,T2\n",
    )
    [line] = [p for p in twice.lines if p.line.at.row == 24]
    assert line.forecast == Decimal("24333.33")


def _line(position: Position, row: int) -> LinePosition:
    [line] = [p for p in position.lines if p.line.at.row == row]
    return line


def test_a_grant_paid_quarterly_in_advance_forecasts_its_instalments_to_come(
    tmp_path: Path,
) -> None:
    # Reducing sexual reoffending (Safer Living Foundation, £25,000 from 01/04/2021) paid a
    # quarter in advance on 1 April and 1 July: by 15 August the straight line by days read
    # £12,500 in 137 days as £33,302 over the year, and after the third payment on 1 October,
    # by 15 October, £37,878.79. Two instalments are still due, then one: its budget.
    rows = "01/04/2021,Safer Living Foundation,6250.00,T1\n01/07/2021,Safer Living Foundation,6250.00,T2\n"
    two = _line(_position(tmp_path, rows + "15/08/2021,Crimestoppers,10.00,T3\n"), 24)
    assert (two.spent, two.forecast) == (Decimal("12500.00"), Decimal("25000.00"))
    assert two.basis == "Quarterly instalments: 2 more due by 31/03/2022"
    rows += "01/10/2021,Safer Living Foundation,6250.00,T4\n15/10/2021,Crimestoppers,10.00,T5\n"
    three = _line(_position(tmp_path, rows), 24)
    assert (three.spent, three.forecast) == (Decimal("18750.00"), Decimal("25000.00"))
    assert three.variance == 0


def test_monthly_invoices_paid_in_arrears_forecast_the_months_to_come(tmp_path: Path) -> None:
    # NUHT (£20,000 a year) invoices a month in arrears, paid on the 28th from May: by
    # 30 September the straight line read five payments in 183 days as £16,621.50. Then the
    # instalments due by 31 March read six more, £18,333.37: March's invoice, paid on
    # 28 April, was left out, and the line a month (£1,666.67) under its budget.
    rows = "".join(f"28/{month:02}/2021,NUHT,1666.67,T{month}\n" for month in (5, 6, 7, 8, 9))
    line = _line(_position(tmp_path, rows + "30/09/2021,Crimestoppers,10.00,T0\n"), 6)
    assert line.spent == Decimal("8333.35")
    assert line.forecast == Decimal("20000.04")  # seven more, September's to March's
    assert line.basis == "Monthly instalments in arrears: 7 more for its service to 31/03/2022"


def test_a_line_starting_in_the_year_paid_quarterly_in_arrears(tmp_path: Path) -> None:
    # Rape Crisis (£82,661 from 01/04/2021) paid each quarter a month after it ends:
    # 30 July and 30 October. Two quarters are still to come, the last paid on 30 April.
    rows = "30/07/2021,Rape Crisis,20665.25,T1\n30/10/2021,Rape Crisis,20665.25,T2\n"
    line = _line(_position(tmp_path, rows + "15/11/2021,Crimestoppers,10.00,T0\n"), 9)
    assert line.forecast == Decimal("82661.00")
    assert line.basis == "Quarterly instalments in arrears: 2 more for its service to 31/03/2022"


def test_monthly_payments_from_the_lines_start_are_not_in_arrears(tmp_path: Path) -> None:
    # Paid on the 10th from April: ten days into each month, for that month.
    rows = "".join(f"10/{month:02}/2021,Rape Crisis,6888.42,T{month}\n" for month in (4, 5, 6))
    line = _line(_position(tmp_path, rows + "30/06/2021,Crimestoppers,10.00,T0\n"), 9)
    assert line.basis == "Monthly instalments: 9 more due by 31/03/2022"
    assert line.forecast == Decimal("82661.04")


def test_instalments_that_stopped_or_are_irregular_keep_the_straight_line(
    tmp_path: Path,
) -> None:
    # 1 April and 1 July, and by 30 October no payment on 1 October: the instalments have
    # stopped, so none are forecast to come; the straight line reads what was paid.
    lapsed = _line(
        _position(
            tmp_path,
            "01/04/2021,Safer Living Foundation,6250.00,T1\n"
            "01/07/2021,Safer Living Foundation,6250.00,T2\n"
            "30/10/2021,Crimestoppers,10.00,T3\n",
        ),
        24,
    )
    assert lapsed.basis == "Straight line by days"
    assert lapsed.forecast == Decimal("21420.19")  # £12,500 in 213 days of 365
    # Invoices as the work is done: 9 April, 20 May, 1 September.
    irregular = _line(
        _position(
            tmp_path,
            "09/04/2021,Safer Living Foundation,1000.00,T1\n"
            "20/05/2021,Safer Living Foundation,1000.00,T2\n"
            "01/09/2021,Safer Living Foundation,1000.00,T3\n",
        ),
        24,
    )
    assert irregular.basis == "Straight line by days"


def test_a_grant_paid_on_one_day_over_two_rows_forecasts_its_budget(tmp_path: Path) -> None:
    # Safer Living Foundation's £25,000 paid on 9 April as an invoice split over two rows (two
    # cost centres), or paid and then a £1,000 credit: two payments, so the straight line from
    # one day's payment forecast £304,166.67 (or £292,000) by 30 April.
    split = _line(
        _position(
            tmp_path,
            "09/04/2021,Safer Living Foundation,12500.00,T1\n"
            "09/04/2021,Safer Living Foundation,12500.00,T2\n"
            "30/04/2021,Crimestoppers,500,T3\n",
        ),
        24,
    )
    assert (split.payments, split.forecast) == (2, Decimal("25000.00"))
    assert split.basis == "Budget: paid once so far"
    credited = _line(
        _position(
            tmp_path,
            "09/04/2021,Safer Living Foundation,25000.00,T1\n"
            "20/04/2021,Safer Living Foundation,-1000.00,T2\n"
            "30/04/2021,Crimestoppers,500,T3\n",
        ),
        24,
    )
    assert (credited.spent, credited.forecast) == (Decimal("24000.00"), Decimal("25000.00"))


def test_a_credit_between_instalments_does_not_lower_those_to_come(tmp_path: Path) -> None:
    # A £250 overpayment returned between two quarterly instalments of £6,250: the two still
    # due are £6,250 each, not the £6,125 the credit averaged in (£24,500 for £24,750).
    line = _line(
        _position(
            tmp_path,
            "01/04/2021,Safer Living Foundation,6250.00,T1\n"
            "01/07/2021,Safer Living Foundation,6250.00,T2\n"
            "15/07/2021,Safer Living Foundation,-250.00,T3\n"
            "15/08/2021,Crimestoppers,10.00,T4\n",
        ),
        24,
    )
    assert line.spent == Decimal("12250.00")
    assert line.forecast == Decimal("24750.00")
    assert line.basis == "Quarterly instalments: 2 more due by 31/03/2022"


def test_a_payment_reversed_and_paid_again_days_later_is_one_instalment(tmp_path: Path) -> None:
    # The 1 July instalment returned by the bank on 5 July (wrong bank details) and paid again
    # on 8 July: the payment days 1 April, 1 July, 8 July broke the quarterly pattern and the
    # straight line read £12,500 in 137 days as £33,302.92 by 15 August.
    line = _line(
        _position(
            tmp_path,
            "01/04/2021,Safer Living Foundation,6250.00,T1\n"
            "01/07/2021,Safer Living Foundation,6250.00,T2\n"
            "05/07/2021,Safer Living Foundation,-6250.00,T2\n"
            "08/07/2021,Safer Living Foundation,6250.00,T3\n"
            "15/08/2021,Crimestoppers,10.00,T4\n",
        ),
        24,
    )
    assert (line.spent, line.payments) == (Decimal("12500.00"), 4)
    assert line.forecast == Decimal("25000.00")
    assert line.basis == "Quarterly instalments: 2 more due by 31/03/2022"


def test_a_grant_paid_in_full_reversed_and_paid_again_forecasts_its_budget(
    tmp_path: Path,
) -> None:
    # £25,000 paid on 9 April, reversed on 14 April and paid again on 16 April: two payment
    # days a week apart were a rate, £25,000 in 30 days read as £304,166.67, and the Community
    # Safety Fund forecast £187,224.67 over its allocation (W-OVERSPEND) at 30 April.
    position = _position(
        tmp_path,
        "09/04/2021,Safer Living Foundation,25000.00,T1\n"
        "14/04/2021,Safer Living Foundation,-25000.00,T1\n"
        "16/04/2021,Safer Living Foundation,25000.00,T2\n"
        "30/04/2021,Crimestoppers,500,T3\n",
    )
    line = _line(position, 24)
    assert (line.spent, line.forecast) == (Decimal("25000.00"), Decimal("25000.00"))
    assert line.basis == "Budget: paid once so far"
    assert [f for f in position.findings if f.code == "W-OVERSPEND"] == []


def test_a_credit_of_another_amount_reverses_no_instalment(tmp_path: Path) -> None:
    # Only a credit of a payment's own amount reverses it: a £1,000 refund a week after a
    # monthly £1,666.67 leaves each month an instalment (and is in the spend once).
    rows = "".join(f"28/{month:02}/2021,NUHT,1666.67,T{month}\n" for month in (5, 6, 7, 8, 9))
    line = _line(
        _position(tmp_path, rows + "05/07/2021,NUHT,-1000.00,C1\n30/09/2021,Crimestoppers,1,T0\n"),
        6,
    )
    assert line.spent == Decimal("7333.35")
    assert line.forecast == Decimal("19000.04")  # seven more of £1,666.67 (in arrears)
    assert line.basis == "Monthly instalments in arrears: 7 more for its service to 31/03/2022"


def test_an_as_at_date_months_after_the_spend_files_end_is_said(tmp_path: Path) -> None:
    # --as-at 31/03/2022 with the exports of April to September only: every line read as
    # paid nothing since (the quarterly grant's instalments as stopped) and the ring-fenced
    # Victims' grant as £120,618.48 unspent, with no word that the months were missing.
    path = _ledger(
        tmp_path,
        "01/04/2021,Safer Living Foundation,6250.00,T1\n"
        "01/07/2021,Safer Living Foundation,6250.00,T2\n"
        "21/09/2021,Rape Crisis,6888.42,T3\n",
    )
    payments = read_ledgers([path]).payments
    for as_at in (dt.date(2022, 3, 31), dt.date(2022, 4, 15)):  # after the year: at its end
        position = build_position(sample_with_cost_codes(), payments, as_at=as_at)
        assert position is not None
        gap = only(position, "W-SPEND-GAP")
        assert "dated 21/09/2021, 191 days before 31/03/2022" in gap.message
        assert "Add the missing months' exports" in gap.message
    # Two months on is the export not yet published: not said; nor is a position at the
    # latest payment (no --as-at).
    for near in (dt.date(2021, 11, 21), None):
        position = build_position(sample_with_cost_codes(), payments, as_at=near)
        assert position is not None
        assert located(position, "W-SPEND-GAP") == []


def test_one_cost_centre_for_a_whole_fund_is_parted_by_supplier(tmp_path: Path) -> None:
    # Every Community Safety Fund line coded CSF01, the fund's one cost centre: a payment to
    # Crimestoppers from it could be any of the 14 lines, W-SPEND-AMBIGUOUS, and no line
    # showed any spend. The supplier names its line; Lincolnshire County Council, with seven
    # lines there, is still ambiguous, among its own lines only.
    plan = sample_with_cost_codes()
    plan = dataclasses.replace(
        plan,
        lines=tuple(
            dataclasses.replace(ln, cost_code="CSF01")
            if ln.fund_key == plan.lines[-1].fund_key
            else ln
            for ln in plan.lines
        ),
    )
    path = tmp_path / "spend.csv"
    path.write_text(
        "Date,Supplier,Amount,Cost centre\n"
        "01/05/2021,Crimestoppers,500.00,CSF01\n"
        "01/05/2021,Lincolnshire County Council,700.00,CSF01\n"
        "01/05/2021,Stationers Ltd,900.00,CSF01\n",
        encoding="utf-8",
    )
    position = build_position(plan, read_ledgers([path]).payments)
    assert position is not None
    crimestoppers = _line(position, 26)
    assert (crimestoppers.spent, crimestoppers.payments) == (Decimal("500.00"), 1)
    ambiguous = [f for f in position.findings if f.code == "W-SPEND-AMBIGUOUS"]
    county = next(f for f in ambiguous if "Lincolnshire County Council" in f.message)
    assert "Stop Hate" not in county.message and "Crimestoppers" not in county.message
    assert "These lines share the Cost code CSF01" in county.message
    assert "export the ledger with its cost centre" not in county.message
    # A supplier of none of the fund's lines on its cost centre: any of them, as before.
    stationers = next(f for f in ambiguous if "Stationers Ltd" in f.message)
    assert "Crimestoppers" in stationers.message


def test_an_accrual_reversed_on_1_april_leaves_no_month_out_of_the_arrears(
    tmp_path: Path,
) -> None:
    # NUHT (£20,000 a year) invoiced a month in arrears, March 2021's invoice accrued at the
    # year end and the accrual reversed on 1 April (a credit of £1,666.67), then paid on the
    # 28th from April: April's payment answers the reversal (it paid last year's March), so
    # six payments paid five of this year's months and seven are to come. The forecast read
    # six paid and six more, £18,333.37, a month (£1,666.67) short of its budget.
    rows = "01/04/2021,NUHT,-1666.67,ACC1\n"
    rows += "".join(f"28/{month:02}/2021,NUHT,1666.67,T{month}\n" for month in range(4, 10))
    line = _line(_position(tmp_path, rows + "30/09/2021,Crimestoppers,10.00,T0\n"), 6)
    assert line.spent == Decimal("8333.35")
    assert line.forecast == Decimal("20000.04")
    assert line.basis == "Monthly instalments in arrears: 7 more for its service to 31/03/2022"
    # A credit of another amount before the first payment (last year's overpayment returned)
    # is no accrual of an instalment: the months paid stay six.
    other = rows.replace("-1666.67,ACC1", "-200.00,ACC1")
    refund = _line(_position(tmp_path, other + "30/09/2021,Crimestoppers,10.00,T0\n"), 6)
    assert refund.basis == "Monthly instalments in arrears: 6 more for its service to 31/03/2022"


@pytest.mark.parametrize(
    ("body", "ours"),
    [
        ("Lincolnshire County Council", False),
        ("North Kesteven District Council", False),
        ("Lincolnshire Fire and Rescue", False),
        ("NHS Lincolnshire CCG", False),
        ("Lincolnshire", True),
        ("Chief Constable of Lincolnshire", True),
        ("Lincolnshire Police and Crime Commissioner", True),
        ("OPCC Lincolnshire", True),
    ],
)
def test_a_council_of_the_same_county_is_another_body(
    tmp_path: Path, body: str, ours: bool
) -> None:
    # The county council's own "spend over £500" file (the same Transparency Code layout)
    # dropped into spend/: its Body name holds the police area's name, Lincolnshire, and its
    # payments to Crimestoppers were counted as the commissioner's spend without a word.
    from pipeline.spend import Spend

    path = tmp_path / "spend.csv"
    path.write_text(
        f"Body name,Date,Supplier,Amount\n{body},01/05/2021,Crimestoppers,5000.00\n"
        "OPCC for Lincolnshire,01/06/2021,Rape Crisis,10.00\n",
        encoding="utf-8",
    )
    position, found = Spend([path]).position(sample_with_cost_codes(), {})
    assert position is not None
    other = [f for f in found if f.code == "W-SPEND-OTHER-BODY"]
    assert position.payments == (2 if ours else 1)
    if not ours:
        assert [f.cell for f in other] == ["line 2"]
        assert f'whose Body name reads "{body}"' in other[0].message
    else:
        assert other == []


@pytest.mark.parametrize(
    ("body", "ours"),
    [
        ("Office of the Police and Crime Commissioner for Nottinghamshire", False),
        ("OPCC for Nottinghamshire", False),
        ("OPCC", True),
        ("Police and Crime Commissioner", True),
        ("OPCC for Lincolnshire", True),
    ],
)
def test_an_organisation_that_names_no_place_names_no_body(
    tmp_path: Path, body: str, ours: bool
) -> None:
    # An Organisation typed "OPCC" (or "Office of the Police and Crime Commissioner") was found
    # in every commissioner's Body name: Nottinghamshire's spend file was counted as
    # Lincolnshire's without a word.
    from pipeline.spend import Spend

    plan = sample_with_cost_codes()
    for organisation in ("OPCC", "Office of the Police and Crime Commissioner"):
        typed = dataclasses.replace(plan.decision, organisation=organisation)
        path = tmp_path / "spend.csv"
        path.write_text(
            f"Body name,Date,Supplier,Amount\n{body},01/05/2021,Crimestoppers,5000.00\n"
            ",01/06/2021,Rape Crisis,10.00\n",
            encoding="utf-8",
        )
        position, found = Spend([path]).position(dataclasses.replace(plan, decision=typed), {})
        assert position is not None
        assert position.payments == (2 if ours else 1), organisation
        other = [f.cell for f in found if f.code == "W-SPEND-OTHER-BODY"]
        assert other == ([] if ours else ["line 2"])


@pytest.mark.parametrize(
    ("body", "ours"),
    [
        ("Comisiynydd Heddlu a Throseddu De Cymru", True),
        ("South Wales Police and Crime Commissioner", True),
        ("Heddlu De Cymru", True),
        ("Comisiynydd Heddlu a Throseddu Gwent", False),
        ("Cyngor Caerdydd", False),
    ],
)
def test_a_welsh_body_is_its_own_in_either_language(tmp_path: Path, body: str, ours: bool) -> None:
    # A Welsh commissioner's own spend file naming its body in Welsh alone was another
    # body's: its payments were not counted (W-SPEND-OTHER-BODY), as the Organisation and
    # the Police area were typed in both languages and only whole were looked for.
    from pipeline.spend import Spend

    plan = sample_with_cost_codes()
    welsh = dataclasses.replace(
        plan.decision,
        police_area="De Cymru / South Wales",
        organisation="Comisiynydd Heddlu a Throseddu De Cymru / South Wales Police and Crime "
        "Commissioner",
    )
    path = tmp_path / "spend.csv"
    path.write_text(
        f"Body name,Date,Supplier,Amount\n{body},01/05/2021,Crimestoppers,5000.00\n"
        ",01/06/2021,Rape Crisis,10.00\n",
        encoding="utf-8",
    )
    position, found = Spend([path]).position(dataclasses.replace(plan, decision=welsh), {})
    assert position is not None
    assert position.payments == (2 if ours else 1)
    other = [f.cell for f in found if f.code == "W-SPEND-OTHER-BODY"]
    assert other == ([] if ours else ["line 2"])


def test_a_spend_file_of_another_body_is_said_not_counted(tmp_path: Path) -> None:
    # A neighbouring commissioner's "spend over £500" file (the Transparency Code's layout,
    # with its Body name column) dropped into spend/: its payments to Crimestoppers and Rape
    # Crisis, national and regional providers, were counted as Lincolnshire's spend.
    from pipeline.spend import Spend

    notts = "Office of the Police and Crime Commissioner for Nottinghamshire"
    path = tmp_path / "spend.csv"
    path.write_text(
        "Body name,Date,Supplier,Amount,Transaction number\n"
        f"{notts},01/05/2021,Crimestoppers,5000.00,N1\n"
        f"{notts},01/06/2021,Crimestoppers,5000.00,N2\n"
        "Lincolnshire Police,01/05/2021,Rape Crisis,6888.42,L1\n"
        ",01/06/2021,Rape Crisis,6888.42,L2\n",
        encoding="utf-8",
    )
    position, found = Spend([path]).position(sample_with_cost_codes(), {})
    assert position is not None
    spent = {p.line.organisation: p.spent for p in position.lines if p.spent}
    assert spent == {"Rape Crisis": Decimal("13776.84")}
    [other] = [f for f in found if f.code == "W-SPEND-OTHER-BODY"]
    assert (other.file, other.cell) == (str(path), "line 2")
    assert f'2 payments totalling £10,000 whose Body name reads "{notts}"' in other.message
    assert "not Lincolnshire's" in other.message
    # Its own short name is its own with an alias (as a supplier's is).
    path.write_text(
        "Body name,Date,Supplier,Amount\nLincs PCC,01/05/2021,Crimestoppers,5000.00\n",
        encoding="utf-8",
    )
    short, said = Spend([path]).position(sample_with_cost_codes(), {"Lincs": "Lincolnshire"})
    assert short is not None and short.payments == 1
    assert [f for f in said if f.code == "W-SPEND-OTHER-BODY"] == []
    # A plan whose Police area reads "Lincolnshire Police Area" is named by the place.
    plan = sample_with_cost_codes()
    area = dataclasses.replace(plan.decision, police_area="Lincolnshire Police Area")
    spelt = dataclasses.replace(plan, decision=area)
    path.write_text(
        "Body name,Date,Supplier,Amount\nOPCC for Lincolnshire,01/05/2021,Crimestoppers,5000.00\n",
        encoding="utf-8",
    )
    placed, said = Spend([path]).position(spelt, {})
    assert placed is not None and placed.payments == 1
    assert [f for f in said if f.code == "W-SPEND-OTHER-BODY"] == []
    # A file wholly of the other body: no position, and no word of dates outside the year.
    path.write_text(
        f"Body name,Date,Supplier,Amount\n{notts},01/05/2021,Crimestoppers,5000.00\n",
        encoding="utf-8",
    )
    none, said = Spend([path]).position(sample_with_cost_codes(), {})
    assert none is None
    assert [f.code for f in said] == ["W-SPEND-OTHER-BODY"]
