"""Commitments beyond the year: the sample's lines that run, or may run, past 31/03/2022."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.commitments import add_months, commitments, option_end
from pipeline.load import load

SAMPLE = Path(__file__).resolve().parent.parent / "input" / "lincolnshire-2021-22.xlsx"


def money(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


def test_sample_commitments_per_line_and_fund() -> None:
    plan = load(SAMPLE).plan
    assert plan is not None
    found = commitments(plan)
    assert [y.label for y in found.years] == ["2022/23", "2023/24", "2024/25", "2025/26", "2026/27"]
    by_row = {c.line.at.row: c for c in found.lines}
    assert sorted(by_row) == [4, 5, 6, 7, 8, 11, 12, 13]
    # Children's ISVA, 01/10/2021-30/09/2024: £100,000 over 182 days this year, £200,549.45 a
    # whole year, carried whole into 2022/23 and 2023/24 (a leap year: its 29 February added
    # £549.45, £201,098.90) and for 183 of 2024/25's 365 days; its options run to 01/10/2026.
    cisva = by_row[5]
    assert cisva.years == money("200549.45", "200549.45", "100549.45", "0.00", "0.00")
    assert cisva.options == money("0.00", "0.00", "100000.00", "200549.45", "101098.90")
    # Restorative Justice, £100,000 a year to 31/03/2024 (it read £100,273.97 in 2023/24),
    # options to 31/03/2026.
    assert by_row[12].years == money("100000.00", "100000.00", "0.00", "0.00", "0.00")
    assert by_row[12].options == money("0.00", "0.00", "100000.00", "100000.00", "0.00")
    # Hate Crime Prevention 01/10/2021-30/09/2022: 182 days this year, 183 next.
    assert by_row[13].years[0] == Decimal("10658.24")
    # Victim Support ends with the year: nothing carried, its option would add a year.
    assert by_row[4].total == 0 and by_row[4].options[0] == Decimal("260000.00")
    victims, community = found.funds
    assert victims.years == money("544807.69", "300549.45", "100549.45", "0.00", "0.00")
    assert victims.options == money("260000.00", "0.00", "200000.00", "300549.45", "101098.90")
    assert community.years == money("0.00", "0.00", "0.00", "0.00", "0.00")
    assert found.totals == victims.years


def test_the_basis_the_outputs_state_reproduces_each_figure() -> None:
    """The report and the summary say later years are "at each line's yearly rate this year
    (its cost this year for a whole year, by days for part of one)". They said "daily rate",
    from which a Chief Finance Officer got other figures than the outputs' wherever a leap
    day falls in: the words must give the figures."""
    plan = load(SAMPLE).plan
    assert plan is not None
    cisva = next(c for c in commitments(plan).lines if c.line.at.row == 5)
    cent = Decimal("0.01")
    # 01/10/2021-30/09/2024: £100,000 for 182 of 2021/22's 365 days.
    whole_year = (cisva.line.budget * 365 / 182).quantize(cent)
    assert cisva.years[0] == cisva.years[1] == whole_year  # 2023/24 has a 29 February: no more
    assert cisva.years[2] == (whole_year * 183 / 365).quantize(cent)  # to 30/09/2024
    # At a daily rate, 2023/24 (366 days) would have been more than 2022/23.
    daily = cisva.line.budget / 182
    assert (daily * 366).quantize(cent) != cisva.years[1]


def test_a_plans_commitments_are_worked_out_once_and_another_plans_anew() -> None:
    # The Word report, the summary and the position all ask: one plan, one answer (#21).
    plan = load(SAMPLE).plan
    assert plan is not None
    found = commitments(plan)
    assert commitments(plan) is found
    later = dataclasses.replace(plan, lines=plan.lines[:1])
    assert commitments(later) is not found
    assert len(commitments(later).lines) <= 1
    assert commitments(plan) == found


def test_option_ends_in_dates_or_counted_months() -> None:
    plan = load(SAMPLE).plan
    assert plan is not None
    line = plan.lines[0]
    counted = dataclasses.replace(line, extension_options="2 x 12 months")
    assert option_end(counted) == dt.date(2024, 3, 31)
    words = dataclasses.replace(line, extension_options="possible extension, to be agreed")
    assert option_end(words) is None
    only_words = commitments(dataclasses.replace(plan, lines=(words,)))
    assert only_words.lines[0].options_unread


@pytest.mark.parametrize(
    ("typed", "ends"),
    [
        ("2 x 1 year", "2024-03-31"),
        ("Two 12-month extensions", "2024-03-31"),
        ("Option to extend for a further 12 months", "2023-03-31"),
        ("1 year", "2023-03-31"),
        ("up to 24 months", "2024-03-31"),
        ("3 x 6 months", "2023-09-30"),
        ("12 months then 6 months", None),  # two spans: not guessed at
        ("1+1", None),
    ],
)
def test_option_ends_counted_in_years_and_words(typed: str, ends: str | None) -> None:
    # Each was unread ('name no end date, so they are not counted'): the Word report's and
    # the summary's option figures left out what the options would add.
    plan = load(SAMPLE).plan
    assert plan is not None
    line = dataclasses.replace(plan.lines[0], extension_options=typed)
    found = option_end(line)
    assert (found.isoformat() if found else None) == ends


def test_add_months_keeps_the_end_of_month() -> None:
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2021, 4, 1), 3) == dt.date(2021, 7, 1)


def test_the_public_summary_has_a_commitments_sheet(tmp_path: Path) -> None:
    import openpyxl

    from pipeline.reconcile import reconcile
    from pipeline.render_xlsx import render_xlsx
    from pipeline.report import Report

    plan = load(SAMPLE).plan
    assert plan is not None
    target = tmp_path / "summary.xlsx"
    render_xlsx(Report.of(reconcile(plan)), target)
    sheet = openpyxl.load_workbook(target, data_only=True)["Commitments"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "would add £861,648.35 more" in str(rows[1][0])  # the extension options, apart
    assert rows[2][4:] == [
        "2022/23 (£)",
        "2023/24 (£)",
        "2024/25 (£)",
        "2025/26 (£)",
        "2026/27 (£)",
    ]
    total = next(row for row in rows if row[0] == "Total")
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in total[4:7]] == [
        Decimal("544807.69"),
        Decimal("300549.45"),
        Decimal("100549.45"),
    ]
    formulas = openpyxl.load_workbook(target)["Commitments"]
    assert str(formulas.cell(len(rows), 5).value).startswith("=SUM(E4:E")


def test_a_long_service_name_on_the_commitments_sheet_gets_a_taller_row(tmp_path: Path) -> None:
    # Its second line was drawn over the next row ("Referral Centre" across "Spring Lodge
    # SARC") in LibreOffice and Excel, which do not grow a row for a file written by a program.
    import openpyxl

    from pipeline.reconcile import reconcile
    from pipeline.render_xlsx import render_xlsx
    from pipeline.report import Report

    plan = load(SAMPLE).plan
    assert plan is not None
    target = tmp_path / "summary.xlsx"
    render_xlsx(Report.of(reconcile(plan)), target)
    sheet = openpyxl.load_workbook(target)["Commitments"]
    long_name = "Children and Young People's Sexual Assault Referral Centre"
    [row] = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == long_name]
    assert (sheet.row_dimensions[row].height or 15) >= 30  # two lines of 15 points
    short = next(
        r for r in range(4, sheet.max_row) if sheet.cell(r, 2).value == "Restorative Justice"
    )
    assert sheet.row_dimensions[short].height in (None, 15)


def test_section_b_of_the_request_for_decision_shows_the_commitments(tmp_path: Path) -> None:
    import docx

    from pipeline.reconcile import reconcile
    from pipeline.render_docx import render_docx
    from pipeline.report import Report

    plan = load(SAMPLE).plan
    assert plan is not None
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(reconcile(plan)), target)
    document = docx.Document(str(target))
    table = next(
        t for t in document.tables if [c.text for c in t.rows[0].cells][1] == "Financial year"
    )
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1] == ["Victims Fund", "2022/23", "£544,807.69", "£260,000"]
    assert rows[-1] == ["Total", "", "£945,906.59", "£861,648.35"]
    assert len(rows) == 2 + 5  # header, Victims Fund's five later years, total
    text = "\n".join(p.text for p in document.paragraphs)
    assert "commits money in later financial years" in text
