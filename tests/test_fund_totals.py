"""Total rows that name a fund (pipeline.total_rows): checked against that fund's lines only,
wherever they sit (straight under the fund's lines, or in a block of totals under the table),
and a Grand total against every line.

A block of per-fund totals under the table, every figure right, was two E-TOTALs: each fund's
total was compared with all the lines above it ('the 20 lines it closes (rows 2–21) add up to
£2,286,473.46'), and the build was refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline.findings import Finding
from pipeline.load import load
from pipeline.new_workbook import Formula, WorkbookContent
from pipeline.reconcile import reconcile
from scripts.make_corpus import appendix3, sample_book, write_book
from scripts.make_sample import CSF, CSF_LINES, VF, VICTIMS_LINES
from tests.workbooks import make_workbook

VF_SUM = sum((Decimal(str(line[-1])) for line in VICTIMS_LINES), Decimal(0))  # 805,212
CSF_SUM = sum((Decimal(str(line[-1])) for line in CSF_LINES), Decimal(0))  # 464,058
# With the header in row 1: Victims Fund rows 2–11, Community Safety Fund rows 12–25.
VF_ROWS, CSF_ROWS = (2, 11), (12, 25)


def labelled(
    label: str, amount: Decimal | Formula | str, column: int = 0, fund: str = ""
) -> list[Any]:
    """A total row: ``label`` in ``column`` (0: Fund, 1: Service), ``fund`` in Fund."""
    row: list[Any] = [""] * 12
    row[0] = fund
    row[column] = label
    row[11] = amount
    return row


def blank() -> list[Any]:
    return [""] * 12


def totals_of(rows: Sequence[Sequence[Any]], tmp_path: Path) -> list[Finding]:
    """The E-TOTAL findings of the sample's funds with ``rows`` on Services."""
    result = load(make_workbook(tmp_path, services=rows))
    assert result.plan is not None, result.findings
    return [f for f in reconcile(result.plan).findings if f.code == "E-TOTAL"]


def said(findings: Sequence[Finding], code: str) -> list[tuple[str, str, str]]:
    """(sheet, cell, message) of each finding of ``code``."""
    return [(f.sheet, f.cell, f.message) for f in findings if f.code == code]


def lines() -> list[list[Any]]:
    return [list(r) for r in (*VICTIMS_LINES, *CSF_LINES)]


def sum_of(rows: tuple[int, int], value: Decimal | None) -> Formula:
    return Formula(f"=SUM(L{rows[0]}:L{rows[1]})", value)


BOTTOM_BLOCK = [
    labelled("Victims Fund total", sum_of(VF_ROWS, VF_SUM)),
    labelled("Community Safety Fund total", sum_of(CSF_ROWS, CSF_SUM)),
    labelled("Grand total", Formula("=L27+L28", VF_SUM + CSF_SUM)),
]


def test_a_block_of_fund_totals_under_the_table_is_right(tmp_path: Path) -> None:
    assert totals_of([*lines(), blank(), *BOTTOM_BLOCK], tmp_path) == []


def test_a_wrong_fund_total_under_the_table_is_compared_with_its_fund(tmp_path: Path) -> None:
    rows = [*lines(), blank(), *BOTTOM_BLOCK]
    rows[-3] = labelled("Victims Fund total", VF_SUM - 212)
    found = totals_of(rows, tmp_path)
    assert [(f.sheet, f.cell) for f in found] == [("Services", "L27")]
    assert (
        'The "Victims Fund total" row reads £805,000 but the 10 Victims Fund lines '
        "(rows 2–11) add up to £805,212, £212 less." in found[0].message
    )
    assert "make its range cover every Victims Fund line" in found[0].message


def test_subtotals_per_fund_then_the_same_totals_at_the_bottom(tmp_path: Path) -> None:
    # Each fund closed by its own Sub-total, and a summary block repeating them at the end.
    rows = [
        *[list(r) for r in VICTIMS_LINES],
        labelled("Victims Fund sub-total", Formula("=SUM(L2:L11)", VF_SUM)),
        *[list(r) for r in CSF_LINES],
        labelled("Community Safety Fund sub-total", Formula("=SUM(L13:L26)", CSF_SUM)),
        blank(),
        labelled("Victims Fund", Formula("=L12", VF_SUM)),  # named in Fund, Total in Service
        labelled("Community Safety Fund", Formula("=L27", CSF_SUM)),
        labelled("Total", Formula("=L29+L30", VF_SUM + CSF_SUM)),
    ]
    rows[-3][1] = rows[-2][1] = "Total"
    assert totals_of(rows, tmp_path) == []


def test_a_fund_named_in_the_fund_column_beside_total(tmp_path: Path) -> None:
    rows = [
        *lines(),
        blank(),
        labelled("Total", CSF_SUM, column=1, fund=CSF),
        labelled("Total", VF_SUM + 1, column=1, fund=VF),
    ]
    found = totals_of(rows, tmp_path)
    assert [f.cell for f in found] == ["L28"]
    assert "the 10 Victims Fund lines (rows 2–11) add up to £805,212, £1 more" in found[0].message


def test_a_fund_total_over_lines_of_the_fund_apart(tmp_path: Path) -> None:
    # The funds' lines interleaved (sorted by provider, say): a fund's total is its lines'.
    vf, csf = [list(r) for r in VICTIMS_LINES], [list(r) for r in CSF_LINES]
    rows = [*vf[:5], *csf, *vf[5:], blank()]
    rows.append(labelled("Victims Fund total", VF_SUM - 1))
    found = totals_of(rows, tmp_path)
    assert [f.cell for f in found] == ["L27"]
    assert "the 10 Victims Fund lines (rows 2–6, 21–25)" in found[0].message


def test_a_fund_total_at_the_bottom_says_sum_left_out_text_amounts(tmp_path: Path) -> None:
    # SUM leaves out an amount typed as text: said as when the total sits under the lines.
    rows = [*lines(), blank(), *BOTTOM_BLOCK]
    rows[2][11] = "£" + str(rows[2][11])  # Services!L4, typed as text
    rows[-3] = labelled("Victims Fund total", VF_SUM - Decimal(str(VICTIMS_LINES[2][-1])))
    found = totals_of(rows, tmp_path)
    assert [f.cell for f in found] == ["L27"]
    assert "without those whose budget is typed as text (row 4), which SUM leaves out" in (
        found[0].message
    )


@pytest.mark.parametrize(
    ("vf_label", "csf_label", "grand_label"),
    [
        ("Cyfanswm Victims Fund", "Cyfanswm Community Safety Fund", "Cyfanswm cyffredinol"),
        ("Cyfanswm / Total: Victims Fund", "Community Safety Fund – cyfanswm", "Cyfanswm"),
        ("Is-gyfanswm Victims Fund", "Is-gyfanswm Community Safety Fund", "Cyfanswm terfynol"),
    ],
)
def test_welsh_totals_are_totals(
    vf_label: str, csf_label: str, grand_label: str, tmp_path: Path
) -> None:
    rows = [
        *lines(),
        blank(),
        labelled(vf_label, VF_SUM),
        labelled(csf_label, CSF_SUM),
        labelled(grand_label, VF_SUM + CSF_SUM),
    ]
    assert totals_of(rows, tmp_path) == []
    rows[-1] = labelled(grand_label, VF_SUM + CSF_SUM + 5)
    assert [f.cell for f in totals_of(rows, tmp_path)] == ["L29"]


def bilingual(content: WorkbookContent) -> None:
    """The Victims Fund named in both languages on every sheet, as a Welsh force names it."""
    name = "Cronfa Dioddefwyr / Victims Fund"

    def renamed(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        return [[name if cell == VF else cell for cell in row] for row in rows]

    content.funds, content.sources = renamed(content.funds), renamed(content.sources)
    content.services = renamed(content.services)


@pytest.mark.parametrize("label", ["Victims Fund total", "Cyfanswm Cronfa Dioddefwyr"])
def test_a_total_naming_one_language_of_a_bilingual_fund(label: str, tmp_path: Path) -> None:
    def edit(content: WorkbookContent) -> None:
        content.services = [*lines(), blank(), labelled(label, VF_SUM)]
        content.title_rows = {}
        bilingual(content)

    result = load(make_workbook(tmp_path, edit=edit))
    assert result.plan is not None, result.findings
    assert [f for f in reconcile(result.plan).findings if f.code == "E-TOTAL"] == []


# -- a total row's figure: blank, or a formula with no saved result ------------------------------


def test_a_total_row_with_no_figure_is_passed_over(tmp_path: Path) -> None:
    # It carries no line and the plan's totals are its lines': it was "E-VALUE ... Total is
    # blank; enter the amount in pounds", as if a column called Total were empty. It still
    # ends its fund's block: the next fund's Total closes that fund's lines only.
    rows = [
        *[list(r) for r in VICTIMS_LINES],
        labelled("Total", ""),
        *[list(r) for r in CSF_LINES],
        labelled("Total", CSF_SUM),
        labelled("Grand total", ""),
    ]
    result = load(make_workbook(tmp_path, services=rows))
    assert result.plan is not None, result.findings
    assert [f for f in result.findings if "Total" in f.message] == []
    assert [f for f in reconcile(result.plan).findings if f.code == "E-TOTAL"] == []


def test_a_services_total_formula_with_no_saved_result_names_the_row(tmp_path: Path) -> None:
    rows = [*lines(), blank(), labelled("Victims Fund total", sum_of(VF_ROWS, None))]
    result = load(make_workbook(tmp_path, services=rows))
    assert said(result.findings, "E-VALUE") == [
        (
            "Services",
            "L27",
            'The "Victims Fund total" row\'s figure holds the formula =SUM(L2:L11) with no saved '
            "result (the file was written by a program, not Excel); open the workbook in Excel, "
            "let it calculate, and save it, or type the figure in its place.",
        )
    ]


def test_a_funds_total_formula_with_no_saved_result_is_said(tmp_path: Path) -> None:
    # Passed over without a word on Funds, while the same on Services was an E-VALUE.
    def edit(content: WorkbookContent) -> None:
        content.funds = [*content.funds, ["Total", Formula("=SUM(B2:B3)", None), "", ""]]

    result = load(make_workbook(tmp_path, edit=edit))
    assert said(result.findings, "E-VALUE") == [
        (
            "Funds",
            "B4",
            "The Total row's figure holds the formula =SUM(B2:B3) with no saved result (the "
            "file was written by a program, not Excel); open the workbook in Excel, let it "
            "calculate, and save it, or type the figure in its place.",
        )
    ]


def test_fund_totals_in_the_appendix_3_layout(tmp_path: Path) -> None:
    # A heading per fund and no Fund column: each band's total named after its fund, and a
    # Grand total at the end; then one band's total wrong, said against that fund's lines.
    rows = appendix3()
    labels = iter(("Victims Fund Total", "Community Safety Fund Total"))
    rows = [[next(labels), *row[1:]] if row[:1] == ["Total"] else row for row in rows]
    rows.append(["Grand total", *[""] * 9, VF_SUM + CSF_SUM])
    book = sample_book()
    book["Services"] = rows
    write_book(tmp_path / "plan.xlsx", book)
    result = load(tmp_path / "plan.xlsx")
    assert result.plan is not None, result.findings
    assert [f for f in reconcile(result.plan).findings if f.code == "E-TOTAL"] == []
    assert [len(t.closes) for t in result.plan.totals] == [10, 14, 24]

    at = next(i for i, row in enumerate(rows) if row[:1] == ["Community Safety Fund Total"])
    rows[at] = [*rows[at][:-1], CSF_SUM + 10]
    write_book(tmp_path / "plan.xlsx", book)
    result = load(tmp_path / "plan.xlsx")
    assert result.plan is not None, result.findings
    found = [f for f in reconcile(result.plan).findings if f.code == "E-TOTAL"]
    assert [f.cell for f in found] == [f"K{at + 1}"]
    assert "the 14 Community Safety Fund lines (rows 19–32) add up to £464,058, £10 more" in (
        found[0].message
    )


def test_fund_totals_under_the_funding_sources(tmp_path: Path) -> None:
    # The same block of totals under the Funding sources table: each fund's total was checked
    # against every source above it ('reads £1,009,000 but the sources above it add up to
    # £1,565,000').
    def edit(vf_total: int) -> Callable[[WorkbookContent], None]:
        def change(content: WorkbookContent) -> None:
            content.sources = [
                *content.sources,
                [""] * 5,
                ["Victims Fund total", "", Decimal(vf_total), "", ""],
                ["", "Community Safety Fund total", Decimal(556_000), "", ""],
                ["Grand total", "", Decimal(1_565_000), "", ""],
            ]

        return change

    result = load(make_workbook(tmp_path, edit=edit(1_009_000)))
    assert [f for f in result.findings if f.code.startswith("E-")] == []
    result = load(make_workbook(tmp_path, edit=edit(1_000_000)))
    assert said(result.findings, "E-TOTAL") == [
        (
            "Funding sources",
            "C6",
            "The Total row reads £1,000,000 but the Victims Fund sources above it add up to "
            "£1,009,000; correct the total (or its SUM range).",
        )
    ]
