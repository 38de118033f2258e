"""Acceptance: other police areas' plans through the command line, every figure checked.

The workbooks in ``tests/acceptance/`` (made by ``tests/acceptance/make_plans.py``) are built with
``pcc-report build`` once per module; the tests then read the Word report (python-docx) and the
public summary (openpyxl) as the Chief Finance Officer and a member of the public would, and one
test opens the summary in LibreOffice, recalculating every formula. The expected figures were
worked out by hand from the lines of each plan, not by the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from tests import office
from tests.acceptance import make_plans
from tests.test_render_xlsx import printed_text_height

FOLDER = Path(__file__).parent / "acceptance"
SW = "south-wales-2023-24.xlsx"
CUMBRIA = "cumbria-2021-22.xlsx"
DEVON = "devon-cornwall-2022-23.xlsx"


@dataclass(frozen=True)
class Built:
    out: Path
    slugs: dict[str, str]  # workbook -> output folder

    def folder(self, workbook: str) -> Path:
        return self.out / self.slugs[workbook]

    def docx(self, workbook: str) -> Any:
        return Document(str(next(self.folder(workbook).glob("RfD-*.docx"))))

    def xlsx_path(self, workbook: str) -> Path:
        return next(self.folder(workbook).glob("commissioning-summary-*.xlsx"))

    def xlsx(self, workbook: str, data_only: bool = True) -> Any:
        return openpyxl.load_workbook(self.xlsx_path(workbook), data_only=data_only)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("acceptance-out")
    paths = [str(FOLDER / name) for name in (SW, CUMBRIA, DEVON)]
    result = CliRunner().invoke(cli, ["build", *paths, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "3 built" in result.output
    slugs = {SW: "pcc-2023-017", CUMBRIA: "cpcc-04-2021", DEVON: "dc-2022-031"}
    for slug in slugs.values():
        assert (out / slug / "findings.json").is_file()
    return Built(out, slugs)


def rows(table: Any) -> list[list[str]]:
    return [[cell.text.strip() for cell in row.cells] for row in table.rows]


def table_starting(document: Any, *header: str) -> list[list[str]]:
    found = [t for t in document.tables if tuple(rows(t)[0][: len(header)]) == header]
    assert len(found) == 1, header
    return rows(found[0])


def service_tables(document: Any) -> list[list[list[str]]]:
    return [rows(t) for t in document.tables if rows(t)[0][0] == "Service Name"]


def paragraphs(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def moj_sentences(document: Any) -> list[str]:
    return [t for t in paragraphs(document) if "Ministry of Justice has confirmed" in t]


# -- the generator and the committed workbooks agree -------------------------------------------


def _cells(path: Path) -> Iterator[tuple[str, str, Any]]:
    workbook = openpyxl.load_workbook(path)
    for ws in workbook:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell.coordinate, cell.value


@pytest.mark.parametrize("name", sorted(make_plans.PLANS))
def test_committed_workbooks_are_what_the_generator_writes(name: str, tmp_path: Path) -> None:
    make_plans.main([str(tmp_path)])
    assert list(_cells(tmp_path / name)) == list(_cells(FOLDER / name))


# -- (a) South Wales: four funds, three MoJ streams, pence, Welsh names ------------------------


def test_south_wales_check_json_figures() -> None:
    result = CliRunner().invoke(cli, ["check", str(FOLDER / SW), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    workbook = json.loads(result.output)["workbooks"][0]
    assert workbook["status"] == "ok"
    assert workbook["funds"] == [
        {
            "fund": "Victims and Witnesses Fund",
            "allocation": "2051357.51",
            "committed": "1861943.35",
            "headroom": "189414.16",
        },
        {
            "fund": "Violence Reduction Unit Fund",
            "allocation": "1850000.00",
            "committed": "1396046.54",
            "headroom": "453953.46",
        },
        {
            "fund": "Safer Streets Fund",
            "allocation": "749998.40",
            "committed": "749998.40",
            "headroom": "0.00",
        },
        {
            "fund": "Community Safety Grant",
            "allocation": "1015000.00",
            "committed": "841750.00",
            "headroom": "173250.00",
        },
    ]
    ring_fence = [f for f in workbook["findings"] if f["code"] == "W-RINGFENCE"]
    assert [(f["cell"], f["message"].split(" is uncommitted")[0]) for f in ring_fence] == [
        ("C4", "£39,414.16 of the ring-fenced £210,000.50 Ministry of Justice ISVA/IDVA uplift"),
        (
            "C6",
            "£203,953.46 of the ring-fenced £1,600,000 Home Office Violence Reduction Unit grant",
        ),
    ]


def test_south_wales_moj_sentence_names_three_streams_exactly(built: Built) -> None:
    # Rounded to £m the streams (£1.235m + £0.457m + £0.210m) would not add up to £1.901m.
    assert moj_sentences(built.docx(SW)) == [
        "For 2023/24 the Ministry of Justice has confirmed that the South Wales allocations will "
        "be £1,234,567.89 for the Core Victims' Services Grant, £456,789.12 for the Domestic "
        "Abuse and Sexual Violence Grant and £210,000.50 for the ISVA/IDVA uplift "
        "(£1,901,357.51 in total). These Grants are supplemented locally to make available a "
        "Victims and Witnesses Fund of £2,051,357.51."
    ]


def test_south_wales_appendix_tables(built: Built) -> None:
    document = built.docx(SW)
    headings = [
        p.text for p in document.paragraphs if p.style.name == "Heading 2" and " - £" in p.text
    ]
    assert headings == [
        "Victims and Witnesses Fund - £2,051,357.51",
        "Violence Reduction Unit Fund - £1,850,000",
        "Safer Streets Fund - £749,998.40",
        "Community Safety Grant - £1,015,000",
    ]
    tables = service_tables(document)
    assert [len(t) - 2 for t in tables] == [16, 10, 6, 12]  # header and Total rows aside
    assert [t[-1][-1] for t in tables] == [
        "£1,861,943.35",
        "£1,396,046.54",
        "£749,998.40",
        "£841,750",
    ]
    assert all(t[-1][0] == "Total" for t in tables)
    victims = tables[0]
    assert victims[3] == [
        "Gwasanaeth Cymorth i Ddioddefwyr – Cwm Taf Morgannwg",
        "Cymorth i Fenywod Cymru / Welsh Women's Aid",
        "Bilingual (Cymraeg/English) support to victims",
        "01/04/2023",
        "31/03/2024",
        "Open tender (Public Contracts Regulations 2015) – OPCC sole funded",
        "£148,725.30",
    ]
    assert victims[2][4] == "30/09/2024 (2 x 12 months option to 30/09/2026)"
    assert victims[15][0] == "Court-based witness support – Pont-y-pŵl and Caerdydd"
    assert victims[10][0] == 'BAME victims\' advocacy – "Honour"-based abuse'
    assert tables[1][5][3:5] == ["01/01/2023", "31/12/2024"]  # spans both year ends


def test_south_wales_reconciliation_per_fund_and_per_stream(built: Built) -> None:
    document = built.docx(SW)
    assert table_starting(document, "Fund", "Allocation (£)", "Committed (£)", "% committed")[
        1:
    ] == [
        [
            "Victims and Witnesses Fund",
            "£2,051,357.51",
            "£1,861,943.35",
            "90.8%",
            "£189,414.16",
            "£39,414.16",
        ],
        [
            "Violence Reduction Unit Fund",
            "£1,850,000",
            "£1,396,046.54",
            "75.5%",
            "£453,953.46",
            "£203,953.46",
        ],
        ["Safer Streets Fund", "£749,998.40", "£749,998.40", "100.0%", "£0", "£0"],
        ["Community Safety Grant", "£1,015,000", "£841,750", "82.9%", "£173,250", "£0"],
        ["Total", "£5,666,355.91", "£4,849,738.29", "85.6%", "£816,617.62", "£243,367.62"],
    ]
    vwf, vru = "Victims and Witnesses Fund", "Violence Reduction Unit Fund"
    # Ring-fenced money is spent first, in the listed order: the ISVA/IDVA uplift is what is left.
    assert table_starting(document, "Fund", "Source")[1:] == [
        [vwf, "MoJ Core Victims' Services Grant", "Yes", "MoJ/VSG/2324/17", "£1,234,567.89", "£0"],
        [
            vwf,
            "MoJ Domestic Abuse and Sexual Violence Grant",
            "Yes",
            "MoJ/DASV/2324/17",
            "£456,789.12",
            "£0",
        ],
        [
            vwf,
            "Ministry of Justice ISVA/IDVA uplift",
            "Yes",
            "MoJ/ISVA-IDVA/2324",
            "£210,000.50",
            "£39,414.16",
        ],
        [vwf, "PCC local top-up (precept)", "No", "", "£150,000", ""],
        [
            vru,
            "Home Office Violence Reduction Unit grant",
            "Yes",
            "HO/VRU/2324/SW",
            "£1,600,000",
            "£203,953.46",
        ],
        [vru, "PCC contribution", "No", "", "£250,000", ""],
        [
            "Safer Streets Fund",
            "Home Office Safer Streets Fund (Round 5)",
            "Yes",
            "HO/SSF5/117",
            "£749,998.40",
            "£0",
        ],
        ["Community Safety Grant", "Police main grant", "No", "", "£1,015,000", ""],
        ["Total", "", "", "", "£5,666,355.91", "£243,367.62"],
    ]
    assert table_starting(document, "Fund", "Allocation (£)", "Committed (£)", "Uncommitted (£)")[
        -1
    ] == ["Total", "£5,666,355.91", "£4,849,738.29", "£816,617.62"]
    assert (
        "The Commissioning Plan at Appendix 1 commits £4,849,738.29 of the £5,666,355.91 "
        "available in 4 funds, leaving £816,617.62 uncommitted:"
    ) in paragraphs(document)


SUMMARY_HEADER = [
    "Fund",
    "Allocation (£)",
    "MoJ grants (£)",
    "Other funding (£)",
    "Committed (£)",
    "Uncommitted (£)",
    "% committed",
]


def test_south_wales_summary_workbook(built: Built) -> None:
    workbook = built.xlsx(SW)
    assert workbook.sheetnames == [
        "Summary",
        "Victims and Witnesses Fund",
        "Violence Reduction Unit Fund",
        "Safer Streets Fund",
        "Community Safety Grant",
        "Commitments",  # lines that run beyond the year (issue #18)
        "About",
    ]
    summary = workbook["Summary"]
    # Seven columns, not one per source: three MoJ streams are one MoJ grants figure.
    assert [c.value for c in summary[3]] == SUMMARY_HEADER
    assert summary.tables["Summary_by_fund"].ref == "A3:G8"
    figures = {
        row[0].value: [c.value for c in row[1:6]] + [round(row[6].value, 4)]
        for row in summary.iter_rows(min_row=4, max_row=8)
    }
    assert figures == {
        "Victims and Witnesses Fund": [
            2051357.51,
            1901357.51,
            150000,
            1861943.35,
            189414.16,
            0.9077,
        ],
        "Violence Reduction Unit Fund": [1850000, 0, 1850000, 1396046.54, 453953.46, 0.7546],
        "Safer Streets Fund": [749998.4, 0, 749998.4, 749998.4, 0, 1],
        "Community Safety Grant": [1015000, 0, 1015000, 841750, 173250, 0.8293],
        "Total": [5666355.91, 1901357.51, 3764998.4, 4849738.29, 816617.62, 0.8559],
    }
    # Every source, with its ring-fence and grant reference, in the workbook's order.
    vwf, vru = "Victims and Witnesses Fund", "Violence Reduction Unit Fund"
    assert summary.tables["Summary_funding_sources"].ref == "A27:E36"
    assert [[c.value for c in row] for row in summary["A27:E36"]] == [
        ["Fund", "Source", "Ring-fenced", "Grant reference", "Amount (£)"],
        [vwf, "MoJ Core Victims' Services Grant", "Yes", "MoJ/VSG/2324/17", 1234567.89],
        [vwf, "MoJ Domestic Abuse and Sexual Violence Grant", "Yes", "MoJ/DASV/2324/17", 456789.12],
        [vwf, "Ministry of Justice ISVA/IDVA uplift", "Yes", "MoJ/ISVA-IDVA/2324", 210000.5],
        [vwf, "PCC local top-up (precept)", "No", None, 150000],
        [vru, "Home Office Violence Reduction Unit grant", "Yes", "HO/VRU/2324/SW", 1600000],
        [vru, "PCC contribution", "No", None, 250000],
        [
            "Safer Streets Fund",
            "Home Office Safer Streets Fund (Round 5)",
            "Yes",
            "HO/SSF5/117",
            749998.4,
        ],
        ["Community Safety Grant", "Police main grant", "No", None, 1015000],
        ["Total", None, None, None, 5666355.91],
    ]
    assert summary["A25"].value == "Funding sources"
    victims = workbook["Victims and Witnesses Fund"]
    assert victims["I20"].value == 1861943.35
    assert victims["A20"].value == "Total"
    assert victims["I19"].number_format == "£#,##0.00;[Red]-£#,##0.00"
    formulas = built.xlsx(SW, data_only=False)
    assert formulas["Victims and Witnesses Fund"]["I20"].value == "=SUM(I4:I19)"
    summary = formulas["Summary"]
    assert summary["C4"].value == "=SUM(E28:E30)"  # the three MoJ streams
    assert summary["D4"].value == "=SUM(E31)"  # the local top-up
    assert summary["C5"].value == 0
    assert summary["D5"].value == "=SUM(E32:E33)"
    assert summary["E4"].value == "='Victims and Witnesses Fund'!I20"
    assert summary["E8"].value == "=SUM(E4:E7)"
    assert summary["G8"].value == "=IF(B8=0,0,E8/B8)"
    assert summary["E36"].value == "=SUM(E28:E35)"


@pytest.mark.slow
def test_south_wales_summary_recalculated_by_libreoffice(built: Built, tmp_path: Path) -> None:
    source = built.xlsx_path(SW)
    recalculated = office.convert(source, "xlsx", tmp_path)
    cached = openpyxl.load_workbook(source, data_only=True)
    fresh = openpyxl.load_workbook(recalculated, data_only=True)
    formulas = openpyxl.load_workbook(source)
    checked = 0
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    before = cached[ws.title][cell.coordinate].value
                    after = fresh[ws.title][cell.coordinate].value
                    assert after == pytest.approx(before, abs=1e-9), (ws.title, cell.coordinate)
                    checked += 1
    assert checked >= 20
    assert fresh["Summary"]["C8"].value == pytest.approx(1901357.51, abs=0.001)
    assert fresh["Summary"]["D8"].value == pytest.approx(3764998.40, abs=0.001)
    assert fresh["Summary"]["E8"].value == pytest.approx(4849738.29, abs=0.001)
    assert fresh["Summary"]["F8"].value == pytest.approx(816617.62, abs=0.001)
    assert fresh["Summary"]["E36"].value == pytest.approx(5666355.91, abs=0.001)


@pytest.mark.slow
def test_south_wales_summary_prints_on_one_readable_page(built: Built, tmp_path: Path) -> None:
    pdf = office.convert(built.xlsx_path(SW), "pdf", tmp_path)
    first = office.pdf_text(pdf).split("\f")[0]
    # Funds, chart and every source on page 1, at close to full size (a column per source
    # printed it at about 60%).
    assert "Funding sources" in first and "Police main grant" in first
    assert "£5,666,355.91" in first
    assert printed_text_height(pdf) >= 10


# -- (b) Cumbria: one fund, MoJ money only, grants only, fully committed ----------------------


def test_cumbria_no_local_money_no_supplement_sentence(built: Built) -> None:
    document = built.docx(CUMBRIA)
    assert moj_sentences(document) == [
        "For 2021/22 the Ministry of Justice has confirmed that the Cumbria Victims' Services "
        "Grant allocation will be £412,345.67."
    ]
    assert (
        "The Commissioning Plan at Appendix 1 commits £412,345.67 of the £412,345.67 "
        "available in 1 fund, leaving £0 uncommitted:"
    ) in paragraphs(document)
    (lines,) = service_tables(document)
    assert [r[-1] for r in lines[1:]] == [
        "£148,000",
        "£96,500",
        "£84,345.67",
        "£24,000",
        "£59,500",
        "£412,345.67",
    ]
    assert {r[5] for r in lines[1:-1]} == {"Grant funded"}
    assert table_starting(document, "Fund", "Allocation (£)", "Committed (£)", "% committed")[
        1:
    ] == [
        ["Victims' Services Fund", "£412,345.67", "£412,345.67", "100.0%", "£0", "£0"],
        ["Total", "£412,345.67", "£412,345.67", "100.0%", "£0", "£0"],
    ]


def test_cumbria_summary_workbook(built: Built) -> None:
    workbook = built.xlsx(CUMBRIA)
    assert workbook.sheetnames == ["Summary", "Victims' Services Fund", "About"]
    summary = workbook["Summary"]
    assert [c.value for c in summary[3]] == SUMMARY_HEADER
    # All MoJ money: no other funding.
    assert [c.value for c in summary[4]] == [
        "Victims' Services Fund",
        412345.67,
        412345.67,
        0,
        412345.67,
        0,
        1,
    ]
    assert sorted(summary.tables) == ["Summary_by_fund", "Summary_funding_sources"]
    sources = summary.tables["Summary_funding_sources"].ref
    rows = [[c.value for c in row] for row in summary[sources]]
    assert rows[1:] == [
        ["Victims' Services Fund", "MoJ Victims' Services Grant", "Yes", "VSG-CUM-21", 412345.67],
        ["Total", None, None, None, 412345.67],
    ]
    fund = workbook["Victims' Services Fund"]
    assert fund["I9"].value == 412345.67
    formulas = built.xlsx(CUMBRIA, data_only=False)
    assert formulas["Summary"]["E4"].value == "='Victims'' Services Fund'!I9"


# -- (c) Devon and Cornwall: Sub-totals, text dates and amounts, 2022/23 ----------------------


def test_devon_cornwall_reads_messy_values(built: Built) -> None:
    document = built.docx(DEVON)
    victims, community = service_tables(document)
    assert [r[3:5] for r in victims[1:-1]] == [
        ["01/04/2022", "31/03/2024"],
        ["01/10/2021", "30/09/2024 (1 x 12 months option to 30/09/2025)"],
        ["September 2022", "August 2025"],
        ["01/04/2022", "March 2023"],
        ["January 2023", "December 2023"],
    ]
    assert [r[-1] for r in victims[1:]] == [
        "£312,500",
        "£187,654.32",
        "£143,210.50",
        "£12,345.67",
        "£9,876.54",
        "£665,587.03",
    ]
    # Sub-total, TOTAL: and Grand total rows are checked, not printed as lines.
    assert [r[-1] for r in community[1:]] == [
        "£198,000",
        "£87,412.09",
        "£18,250",
        "£4,999.99",
        "£308,662.08",
    ]
    assert moj_sentences(document) == [
        "For 2022/23 the Ministry of Justice has confirmed that the Devon, Cornwall and the Isles "
        "of Scilly Victims' Services Grant allocation will be £654,321.09. This Grant is "
        "supplemented locally to make available a Victims Fund of £720,000."
    ]
    assert table_starting(document, "Fund", "Allocation (£)", "Committed (£)", "% committed")[
        1:
    ] == [
        ["Victims Fund", "£720,000", "£665,587.03", "92.4%", "£54,412.97", "£0"],
        ["Community Safety Fund", "£350,000", "£308,662.08", "88.2%", "£41,337.92", "£0"],
        ["Total", "£1,070,000", "£974,249.11", "91.1%", "£95,750.89", "£0"],
    ]


def test_devon_cornwall_summary_columns_fit_their_figures(built: Built) -> None:
    workbook = built.xlsx(DEVON)
    victims = workbook["Victims Fund"]
    assert victims["D6"].value.date().isoformat() == "2022-09-01"
    assert victims["D6"].number_format == "mmmm yyyy"
    assert victims["I9"].value == 665587.03
    # "September 2022" and "£665,587.03" in bold would show as ### in narrower columns.
    assert victims.column_dimensions["D"].width >= len("September 2022") + 1
    assert victims.column_dimensions["E"].width >= len("December 2023") + 1
    assert victims.column_dimensions["I"].width >= len("£665,587.03") + 2
    south_wales = built.xlsx(SW)["Victims and Witnesses Fund"]
    assert south_wales.column_dimensions["I"].width >= len("£1,861,943.35") + 2


@pytest.mark.slow
def test_devon_cornwall_has_no_blank_page(built: Built, tmp_path: Path) -> None:
    pdf = office.convert(next(built.folder(DEVON).glob("RfD-*.docx")), "pdf", tmp_path)
    pages = office.pdf_text(pdf).split("\f")
    blank = [n for n, page in enumerate(pages, start=1) if page.strip() and len(page.split()) < 12]
    assert blank == [], f"pages with only a footer: {blank}"


def test_expected_totals_match_the_generator() -> None:
    total = make_plans._total
    assert total(make_plans.SOUTH_WALES_VWF) == Decimal("1861943.35")
    assert total(make_plans.SOUTH_WALES_SSF) == Decimal("749998.40")
    assert total(make_plans.CUMBRIA_SERVICES) == make_plans.CUMBRIA_ALLOCATION
    assert total(make_plans.DEVON_CONTRACTS + make_plans.DEVON_GRANTS) == Decimal("665587.03")
    assert len(make_plans.SOUTH_WALES_SERVICES) == 44
