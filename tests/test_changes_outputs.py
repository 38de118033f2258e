"""Year on year in the outputs (issue 11): the Word "Changes from 2020/21" section and the Excel
Changes sheet, built from the 2021/22 sample against the 2020/21 fixture and read back.

The fixture pair differs in four ways, each checked here with its exact figures: the Safer
Living Foundation line rises 10% (£22,727.27 → £25,000), "Hate Crime Prevention" is new
(£10,600), "Domestic Abuse Helpline" ended (£30,000), and the MoJ grant rose (£820,000 →
£884,000), so the Victims Fund grew (£945,000 → £1,009,000) while its lines fell (£824,612 →
£805,212).
"""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from pipeline import batch
from pipeline.compare import compare
from pipeline.comparison import signed_percent
from pipeline.config import Config
from pipeline.load import load
from pipeline.reconcile import Reconciliation, reconcile
from pipeline.render_docx import DEFAULT_TEMPLATE, render_docx
from pipeline.render_xlsx import render_xlsx
from pipeline.report import Report
from tests.office import convert, pdf_text
from tests.published import leaks, xml_text
from tests.workbooks import make_workbook

PREVIOUS = Path(__file__).resolve().parent / "fixtures" / "lincolnshire-2020-21.xlsx"
SOUTH_WALES = Path(__file__).resolve().parent / "acceptance" / "south-wales-2023-24.xlsx"
DASH = "–"

WORD_HEADER = [
    "Service",
    "Delivery org.",
    "2020/21 (£)",
    "2021/22 (£)",
    "Change (£)",
    "Change (%)",
    "Status",
]
EXCEL_HEADER = [
    "Fund",
    "Service",
    "Delivery organisation",
    "Status",
    "Note",
    "2020/21 (£)",
    "2021/22 (£)",
    "Change (£)",
    "Change (%)",
]


def recon_of(path: Path) -> Reconciliation:
    result = load(path)
    assert result.plan is not None, result.findings
    return reconcile(result.plan)


def with_comparison(current: Reconciliation, previous: Reconciliation) -> Report:
    return Report.of(current, compare(current, previous))


# -- reading the outputs back -----------------------------------------------------------------


def text_of(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def body(document: Any) -> list[tuple[str, Any]]:
    """The document body in order: ("p", text) and ("tbl", rows of cell texts)."""
    blocks: list[tuple[str, Any]] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            blocks.append(("p", text_of(element)))
        elif element.tag == qn("w:tbl"):
            blocks.append(
                (
                    "tbl",
                    [
                        [text_of(tc) for tc in tr.iter(qn("w:tc"))]
                        for tr in element.iter(qn("w:tr"))
                    ],
                )
            )
    return blocks


def changes_section(document: Any) -> list[tuple[str, Any]]:
    """The blocks from the "Changes from" heading up to the "Funds and commitments" heading."""
    blocks = body(document)
    start = blocks.index(("p", "Changes from 2020/21"))
    end = blocks.index(("p", "Funds and commitments"))
    return blocks[start:end]


def change_tables(document: Any) -> dict[str, list[list[str]]]:
    """Each fund's table of the Changes section, by the fund heading above it."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for kind, content in changes_section(document):
        if kind == "p" and content:
            heading = content
        elif kind == "tbl":
            tables[heading] = content
    return tables


def values(path: Path) -> Any:
    return openpyxl.load_workbook(path, data_only=True)


def money(value: object) -> Decimal | None:
    """A cell's number as exact money (openpyxl gives floats); None for a blank cell."""
    if value is None:
        return None
    assert isinstance(value, (int, float)), value
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def sheet_rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(values_only=True))


def table_cells(ws: Any, name: str) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws[ws.tables[name].ref]]


# -- the build --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``pcc-report build input/lincolnshire-2021-22.xlsx --previous <the 2020/21 fixture>``."""
    out = tmp_path_factory.mktemp("out")
    [result], _ = batch.build([sample_path], out, Config(), previous=PREVIOUS)
    assert result.status == "ok", result.findings
    assert result.report is not None and result.report.comparison is not None
    folder = out / "015-2021"
    return folder / "RfD-015-2021.docx", folder / "commissioning-summary-2021-22.xlsx"


@pytest.fixture(scope="module")
def built_alone(sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same build with only this year's workbook: no previous plan anywhere."""
    drop = tmp_path_factory.mktemp("drop")
    (drop / sample_path.name).write_bytes(sample_path.read_bytes())
    out = tmp_path_factory.mktemp("out-alone")
    [result], _ = batch.build([drop], out, Config())
    assert result.status == "ok", result.findings
    assert result.report is not None and result.report.comparison is None
    folder = out / "015-2021"
    return folder / "RfD-015-2021.docx", folder / "commissioning-summary-2021-22.xlsx"


@pytest.fixture(scope="module")
def word(built: tuple[Path, Path]) -> Any:
    return Document(str(built[0]))


@pytest.fixture(scope="module")
def workbook_path(built: tuple[Path, Path]) -> Path:
    return built[1]


# -- Word: Changes from 2020/21 ---------------------------------------------------------------


def test_word_section_sits_after_appendix_3_and_before_the_reconciliation(word: Any) -> None:
    texts = [content for kind, content in body(word) if kind == "p"]
    appendix = texts.index("Appendix 3: Commissioning Plan 2021 - 2022")
    changes = texts.index("Changes from 2020/21")
    reconciliation = texts.index("Funds and commitments")
    assert appendix < changes < reconciliation
    [heading] = [p for p in word.paragraphs if p.text == "Changes from 2020/21"]
    assert heading.style.name == "Heading 1"
    assert heading.paragraph_format.page_break_before
    section = [content for kind, content in changes_section(word) if kind == "p"]
    assert (
        "This section compares the Commissioning Plan for 2021/22 with the plan for "
        "2020/21 (decision 010/2020). Budget lines are matched by fund, service and delivery "
        "organisation, then by service alone."
    ) in section
    # Nothing moved between funds or providers, so there is nothing to confirm.
    assert not any("Moved" in text for text in section)


def test_word_victims_fund_new_and_ended_lines_and_totals(word: Any) -> None:
    table = change_tables(word)["Victims Fund"]
    assert table[0] == WORD_HEADER
    assert [
        "Victim Support",
        "Victim Support",
        "£260,000",
        "£260,000",
        "£0",
        "0.0%",
        "Continued",
    ] in table
    assert table[-5:] == [
        ["Hate Crime Prevention", "Stop Hate", DASH, "£10,600", "+£10,600", DASH, "New"],
        ["Domestic Abuse Helpline", "EDAN Lincs", "£30,000", DASH, "-£30,000", DASH, "Ended"],
        ["Total committed", "", "£824,612", "£805,212", "-£19,400", "-2.4%", ""],
        ["Allocation", "", "£945,000", "£1,009,000", "+£64,000", "+6.8%", ""],
        ["MoJ grant", "", "£820,000", "£884,000", "+£64,000", "+7.8%", ""],
    ]
    assert len(table) == 1 + 11 + 3  # header, 9 continued + 1 new + 1 ended, three totals


def test_word_community_safety_fund_uplift_and_totals(word: Any) -> None:
    table = change_tables(word)["Community Safety Fund"]
    assert table[0] == WORD_HEADER
    assert [
        "Reducing sexual reoffending",
        "Safer Living Foundation",
        "£22,727.27",
        "£25,000",
        "+£2,272.73",
        "+10.0%",  # signed as the pounds beside it are
        "Continued",
    ] in table
    # No MoJ money in this fund in either year: no MoJ row.
    assert table[-2:] == [
        ["Total committed", "", "£461,785.27", "£464,058", "+£2,272.73", "+0.5%", ""],
        ["Allocation", "", "£556,000", "£556,000", "£0", "0.0%", ""],
    ]
    unchanged = [row for row in table[1:-2] if row[4] == "£0"]
    assert len(unchanged) == 13 and all(
        row[5] == "0.0%" and row[6] == "Continued" for row in unchanged
    )


def test_word_change_rows_are_bold_totals_and_right_aligned_amounts(word: Any) -> None:
    [table] = [
        t
        for t in word.tables
        if t.rows[0].cells[0].text == "Service" and t.rows[1].cells[0].text == "Victim Support"
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    for row in table.rows[-3:]:
        assert all(run.bold for run in row.cells[0].paragraphs[0].runs)
    for row in table.rows[1:]:
        assert [c.paragraphs[0].style.name for c in row.cells[2:6]] == ["Table Amount"] * 4


def test_word_lists_the_ended_services_with_the_decommissioning_checklist(word: Any) -> None:
    section = [content for kind, content in changes_section(word) if kind == "p"]
    at = section.index("Services that end")
    assert section[at + 1 : at + 3] == [
        "These services of the 2020/21 plan are not in this plan. Services that are "
        "decommissioned follow the decommissioning checklist at Appendix 2 of the "
        "Commissioning Strategy.",
        "Domestic Abuse Helpline (EDAN Lincs, Victims Fund): £30,000 in 2020/21",
    ]
    [bullet] = [p for p in word.paragraphs if p.text.startswith("Domestic Abuse Helpline (")]
    assert bullet.style.name == "List Bullet"


def test_the_year_on_year_findings_stay_out_of_the_published_word_report(
    built: tuple[Path, Path],
) -> None:
    # They go to findings.json (and the internal review note); the report is published.
    codes = {
        f["code"] for f in json.loads((built[0].parent / "findings.json").read_text())["findings"]
    }
    assert {"I-NEW-SERVICE", "I-ENDED-SERVICE", "W-UPLIFT"} <= codes
    assert "I-NO-PREVIOUS" not in codes
    assert leaks(xml_text(built[0])) == []


# -- Excel: the Changes sheet -----------------------------------------------------------------


def test_excel_changes_sheet_sits_before_about(workbook_path: Path) -> None:
    wb = values(workbook_path)
    assert wb.sheetnames == [
        "Summary",
        "Victims Fund",
        "Community Safety Fund",
        "Changes",
        "Commitments",
        "About",
    ]
    ws = wb["Changes"]
    assert ws["A1"].value == "Changes from 2020/21 to 2021/22"
    assert "decision 010/2020" in ws["A2"].value
    about = {row[0]: row[1] for row in sheet_rows(wb["About"])}
    assert "Changes: what changed since the 2020/21 plan" in about["Contents"]


def test_excel_every_line_with_exact_figures(workbook_path: Path) -> None:
    ws = values(workbook_path)["Changes"]
    grid = table_cells(ws, "Changes_by_line")
    assert grid[0] == EXCEL_HEADER
    lines = {(row[1], row[2], money(row[5]) or money(row[6])): row for row in grid[1:-1]}
    assert len(grid) == 1 + 25 + 1  # header, 24 lines this year + 1 ended, total row

    def figures(row: list[Any]) -> tuple[Any, ...]:
        return (row[0], row[3], row[4], money(row[5]), money(row[6]), money(row[7]), row[8])

    uplift = lines[("Reducing sexual reoffending", "Safer Living Foundation", Decimal("22727.27"))]
    assert figures(uplift)[:6] == (
        "Community Safety Fund",
        "Continued",
        None,
        Decimal("22727.27"),
        Decimal("25000.00"),
        Decimal("2272.73"),
    )
    assert uplift[8] == pytest.approx(float(Decimal("2272.73") / Decimal("22727.27")), abs=1e-12)
    assert round(uplift[8] * 100, 1) == 10.0
    new = lines[("Hate Crime Prevention", "Stop Hate", Decimal("10600.00"))]
    assert figures(new) == (
        "Victims Fund",
        "New",
        None,
        None,
        Decimal("10600.00"),
        Decimal("10600.00"),
        DASH,
    )
    ended = lines[("Domestic Abuse Helpline", "EDAN Lincs", Decimal("30000.00"))]
    assert figures(ended) == (
        "Victims Fund",
        "Ended",
        None,
        Decimal("30000.00"),
        None,
        Decimal("-30000.00"),
        DASH,
    )
    unchanged = [row for row in grid[1:-1] if row[3] == "Continued" and row is not uplift]
    assert len(unchanged) == 22
    assert all(money(row[7]) == 0 and row[8] == 0 for row in unchanged)
    total = grid[-1]
    assert total[0] == "Total"
    assert [money(v) for v in total[5:8]] == [
        Decimal("1286397.27"),
        Decimal("1269270.00"),
        Decimal("-17127.27"),
    ]


def test_excel_fund_totals(workbook_path: Path) -> None:
    ws = values(workbook_path)["Changes"]
    grid = table_cells(ws, "Changes_by_fund")
    assert grid[0] == ["Fund", "Figure", "2020/21 (£)", "2021/22 (£)", "Change (£)", "Change (%)"]
    funds = [(row[0], row[1], money(row[2]), money(row[3]), money(row[4])) for row in grid[1:]]
    assert funds == [
        ("Victims Fund", "Allocation", Decimal(945000), Decimal(1009000), Decimal(64000)),
        ("Victims Fund", "MoJ grant", Decimal(820000), Decimal(884000), Decimal(64000)),
        ("Victims Fund", "Committed", Decimal(824612), Decimal(805212), Decimal(-19400)),
        ("Community Safety Fund", "Allocation", Decimal(556000), Decimal(556000), Decimal(0)),
        (
            "Community Safety Fund",
            "Committed",
            Decimal("461785.27"),
            Decimal(464058),
            Decimal("2272.73"),
        ),
    ]
    percents = [row[5] for row in grid[1:]]
    expected = [
        Decimal(64000) / 945000,
        Decimal(64000) / 820000,
        Decimal(-19400) / 824612,
        Decimal(0),
        Decimal("2272.73") / Decimal("461785.27"),
    ]
    assert percents == pytest.approx([float(e) for e in expected], abs=1e-12)


def test_excel_money_and_percent_formats(workbook_path: Path) -> None:
    ws = openpyxl.load_workbook(workbook_path)["Changes"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "Reducing sexual reoffending")
    # Last year's plan has pence, so the whole sheet shows them.
    assert [c.number_format for c in row[5:8]] == ["£#,##0.00;[Red]-£#,##0.00"] * 3
    assert row[8].number_format == "0.0%"


_SUM = re.compile(r"SUM\(([A-Z]+)(\d+):\1(\d+)\)")
_DIFFERENCE = re.compile(r"([A-Z]+\d+)-([A-Z]+\d+)")
_PERCENT = re.compile(r'IF\(OR\(([A-Z]+\d+)="",([A-Z]+\d+)="",\1=0\),"–",([A-Z]+\d+)/\1\)')


def formula_cells(path: Path, sheet: str = "Changes") -> list[tuple[str, str]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [
        (c.coordinate, str(c.value)) for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]


def expected_value(ws: Any, formula: str) -> Decimal | str:
    """One of the Changes sheet's formula shapes, evaluated in Decimal over cached inputs."""
    text = formula.removeprefix("=")

    def number(ref: str) -> Decimal:
        value = ws[ref].value
        return Decimal(0) if value is None else Decimal(repr(value))

    if m := _SUM.fullmatch(text):
        col, first, last = m.group(1), int(m.group(2)), int(m.group(3))
        return sum((number(f"{col}{r}") for r in range(first, last + 1)), Decimal(0))
    if m := _DIFFERENCE.fullmatch(text):
        return number(m.group(1)) - number(m.group(2))
    if m := _PERCENT.fullmatch(text):
        before, now, change = m.groups()
        if ws[before].value is None or ws[now].value is None or number(before) == 0:
            return DASH
        return number(change) / number(before)
    raise AssertionError(f"a formula shape the test does not know: {formula}")


def test_excel_every_formula_caches_its_decimal_value(workbook_path: Path) -> None:
    formulas = formula_cells(workbook_path)
    # Change (£) and Change (%) on 25 lines and 5 fund rows, and the line table's 4 totals.
    assert len(formulas) == 2 * 25 + 2 * 5 + 4
    assert not [f for _, f in formulas if "SUBTOTAL" in f.upper()]
    ws = values(workbook_path)["Changes"]
    for ref, formula in formulas:
        cached = ws[ref].value
        expected = expected_value(ws, formula)
        if isinstance(expected, str):
            assert cached == expected, (ref, formula)
        elif "/" in formula:
            assert abs(Decimal(repr(cached)) - expected) < Decimal("1e-9"), (ref, formula)
        else:
            assert money(cached) == expected, (ref, formula, cached)


@pytest.fixture(scope="module")
def recalculated(workbook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert(workbook_path, "xlsx", tmp_path_factory.mktemp("recalculated"))


def assert_recalculation_matches(original: Path, recalculated: Path) -> None:
    cached, fresh = values(original)["Changes"], values(recalculated)["Changes"]
    for ref, formula in formula_cells(original):
        before, after = cached[ref].value, fresh[ref].value
        if isinstance(before, str):
            assert after == before, (ref, formula, after)
        else:
            assert isinstance(after, (int, float)), (ref, formula, after)
            if "/" in formula:
                assert after == pytest.approx(before, abs=1e-9), (ref, formula)
            else:
                assert money(after) == money(before), (ref, formula)


@pytest.mark.slow
def test_libreoffice_recalculates_to_the_cached_values(
    workbook_path: Path, recalculated: Path
) -> None:
    assert_recalculation_matches(workbook_path, recalculated)
    fresh = values(recalculated)["Changes"]
    uplift = next(row for row in sheet_rows(fresh) if row[1] == "Reducing sexual reoffending")
    assert money(uplift[7]) == Decimal("2272.73")
    assert round(uplift[8] * 100, 1) == 10.0
    committed = next(row for row in sheet_rows(fresh) if row[:2] == ("Victims Fund", "Committed"))
    assert money(committed[4]) == Decimal(-19400)


@pytest.mark.slow
def test_libreoffice_really_recalculates_the_changes(workbook_path: Path, tmp_path: Path) -> None:
    """A wrong cached change comes back right, so the test above checks the formulas."""
    wb = openpyxl.load_workbook(workbook_path)
    sheet = f"xl/worksheets/sheet{wb.sheetnames.index('Changes') + 1}.xml"
    ref = next(r for r, f in formula_cells(workbook_path) if f.startswith("=SUM(H"))
    tampered = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(workbook_path) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == sheet:
                data, count = re.subn(
                    rb'(<c r="' + ref.encode() + rb'"[^>]*><f>[^<]*</f><v>)'
                    rb"[^<]*(</v>)",
                    rb"\g<1>1\g<2>",
                    data,
                )
                assert count == 1
            target.writestr(item, data)
    assert values(tampered)["Changes"][ref].value == 1
    fresh = values(convert(tampered, "xlsx", tmp_path / "out"))["Changes"]
    assert money(fresh[ref].value) == Decimal("-17127.27")


def test_excel_formulas_only_in_the_change_columns_and_totals(workbook_path: Path) -> None:
    ws = openpyxl.load_workbook(workbook_path)["Changes"]
    funds = ws.tables["Changes_by_fund"].ref  # A4:F9: header, 5 figures (row 3 names it)
    lines = ws.tables["Changes_by_line"].ref  # A12:I38: header, 25 lines, total (row 11)
    assert (funds, lines) == ("A4:F9", "A12:I38")
    assert (ws["A3"].value, ws["A11"].value) == ("Fund totals", "Service lines")
    expected = {f"{col}{row}" for row in range(5, 10) for col in "EF"}
    expected |= {f"{col}{row}" for row in range(13, 38) for col in "HI"}
    expected |= {f"{col}38" for col in "FGHI"}
    assert {ref for ref, _ in formula_cells(workbook_path)} == expected
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type != "f":
                assert cell.data_type == "s", cell.coordinate


def page_text(pdf: Path, number: int) -> str:
    """The text of page ``number`` of ``pdf``, laid out as printed."""
    import subprocess

    from tests.office import pdftotext

    command = [pdftotext(), "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_excel_the_lines_header_prints_on_each_page_and_never_over_the_funds(
    workbook_path: Path,
) -> None:
    """The funds first, then the lines: the lines' header repeats on every page they run to
    and, printed from its own page on, never stands over the funds' figures (with the funds
    after the lines it labelled their amounts "Delivery organisation" and "Status"). Two
    tables, so nothing is frozen (a frozen block of fund rows would fill the window)."""
    ws = openpyxl.load_workbook(workbook_path)["Changes"]
    assert ws.print_title_rows == "$12:$12"
    assert ws.freeze_panes is None


@pytest.mark.slow
def test_libreoffice_prints_the_changes_sheet_with_each_header_over_its_own_figures(
    tmp_path: Path,
) -> None:
    """South Wales' 44 lines against a plan ten times their size run the sheet over pages: the
    first page holds the funds under their own header, each later page starts with the lines'
    header."""
    from tests.office import pdf_pages

    current = recon_of(tenfold(SOUTH_WALES, tmp_path / "tenfold.xlsx", "2024/25"))
    summary = tmp_path / "summary.xlsx"
    render_xlsx(with_comparison(current, recon_of(SOUTH_WALES)), summary)
    changes = openpyxl.load_workbook(summary)
    for name in changes.sheetnames:
        if name != "Changes":
            del changes[name]
    changes.save(tmp_path / "changes.xlsx")
    pdf = convert(tmp_path / "changes.xlsx", "pdf", tmp_path)
    pages = [page_text(pdf, number) for number in range(1, pdf_pages(pdf) + 1)]
    assert len(pages) > 1
    first = pages[0]
    funds_at = first.index("Fund totals")
    assert "Delivery organisation" not in first[:funds_at]
    assert (
        first.index("Figure") < first.index("Service lines") < first.index("Delivery organisation")
    )
    for page in pages[1:]:
        top = next(line for line in page.splitlines() if line.strip())
        assert top.split()[:3] == ["Fund", "Service", "Delivery"], page[:300]


# -- a moved line, hostile text, a fund that is new this year ---------------------------------


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path, Path]:
    """This year: Crimestoppers under a new (formula-like) name, a contact in a provider's name.

    Last year: the Victims Fund only, so the Community Safety Fund had nothing to compare with.
    """
    folder = tmp_path_factory.mktemp("edge")

    def this_year(content: Any) -> None:
        rows = [list(r) for r in content.services]
        for row in rows:
            if row[1] == "Crimestoppers":
                row[2] = "=Crimestoppers Trust"
            if row[1] == "Hate Crime Prevention":
                row[2] = "Stop Hate (hello@stophate.example.org)"
        content.services = rows

    def last_year(content: Any) -> None:
        content.decision = [
            (k, "2020/21" if k == "Financial year" else v) for k, v in content.decision
        ]
        content.funds = [r for r in content.funds if r[0] == "Victims Fund"]
        content.sources = [r for r in content.sources if r[0] == "Victims Fund"]
        content.services = [r for r in content.services if r[0] == "Victims Fund"]

    current = recon_of(make_workbook(folder, "now.xlsx", edit=this_year))
    previous = recon_of(make_workbook(folder, "before.xlsx", edit=last_year))
    recon = with_comparison(current, previous)
    docx, xlsx = folder / "RfD.docx", folder / "summary.xlsx"
    render_docx(recon, docx)
    render_xlsx(recon, xlsx)
    return recon, docx, xlsx


def test_a_fund_new_this_year_has_no_percent_change(
    edge: tuple[Reconciliation, Path, Path],
) -> None:
    _, docx, xlsx = edge
    table = change_tables(Document(str(docx)))["Community Safety Fund"]
    assert table[-2:] == [
        ["Total committed", "", "£0", "£464,058", "+£464,058", DASH, ""],
        ["Allocation", "", "£0", "£556,000", "+£556,000", DASH, ""],
    ]
    assert all(row[6] == "New" and row[2] == DASH for row in table[1:-2])
    grid = table_cells(values(xlsx)["Changes"], "Changes_by_fund")
    community = [row for row in grid if row[0] == "Community Safety Fund"]
    assert [(row[1], money(row[2]), row[5]) for row in community] == [
        ("Allocation", Decimal(0), DASH),
        ("Committed", Decimal(0), DASH),
    ]


@pytest.mark.slow
def test_the_division_guards_survive_libreoffice(
    edge: tuple[Reconciliation, Path, Path], tmp_path: Path
) -> None:
    _, _, xlsx = edge
    fresh = convert(xlsx, "xlsx", tmp_path)
    assert_recalculation_matches(xlsx, fresh)
    assert not [
        row
        for row in sheet_rows(values(fresh)["Changes"])
        if any(isinstance(v, str) and v.startswith("#") for v in row)
    ]


def test_word_prints_formula_like_text_literally_and_says_nothing_ended(
    edge: tuple[Reconciliation, Path, Path],
) -> None:
    _, docx, _ = edge
    document = Document(str(docx))
    section = [content for kind, content in changes_section(document) if kind == "p"]
    assert "Every service of the 2020/21 plan is in this plan." in section
    crimestoppers = [
        row for row in change_tables(document)["Community Safety Fund"] if row[0] == "Crimestoppers"
    ]
    assert crimestoppers == [
        ["Crimestoppers", "=Crimestoppers Trust", DASH, "£18,075", "+£18,075", DASH, "New"]
    ]


def test_moved_line_in_both_outputs(tmp_path: Path, sample_recon: Reconciliation) -> None:
    def rename(content: Any) -> None:
        rows = [list(r) for r in content.services]
        for row in rows:
            if row[1] == "Crimestoppers":
                row[2] = "Crimestoppers Trust"
        content.services = rows

    recon = with_comparison(recon_of(make_workbook(tmp_path, edit=rename)), recon_of(PREVIOUS))
    render_docx(recon, tmp_path / "RfD.docx")
    render_xlsx(recon, tmp_path / "summary.xlsx")
    document = Document(str(tmp_path / "RfD.docx"))
    [row] = [r for r in change_tables(document)["Community Safety Fund"] if r[0] == "Crimestoppers"]
    assert row == [
        "Crimestoppers",
        "Crimestoppers Trust",
        "£18,075",
        "£18,075",
        "£0",
        "0.0%",
        "Moved (provider was Crimestoppers)",
    ]
    assert (
        "A line marked Moved continues a service of the 2020/21 plan with another fund or "
        "delivery organisation."
    ) in [content for kind, content in changes_section(document) if kind == "p"]
    ws = values(tmp_path / "summary.xlsx")["Changes"]
    [cells] = [r for r in sheet_rows(ws) if r[1] == "Crimestoppers"]
    assert cells[2:5] == ("Crimestoppers Trust", "Moved", "provider was Crimestoppers")


def test_hostile_text_stays_text_and_contacts_are_removed(
    edge: tuple[Reconciliation, Path, Path],
) -> None:
    _, _, xlsx = edge
    ws = openpyxl.load_workbook(xlsx)["Changes"]
    [cell] = [c for row in ws.iter_rows() for c in row if c.value == "=Crimestoppers Trust"]
    assert cell.data_type == "s" and cell.quotePrefix
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Stop Hate ([removed])" in texts
    assert not [t for t in texts if "@" in t]


# -- only one year's workbook -----------------------------------------------------------------


def test_without_last_years_plan_word_has_no_changes_section(
    built_alone: tuple[Path, Path],
) -> None:
    document = Document(str(built_alone[0]))
    texts = [content for kind, content in body(document) if kind == "p"]
    assert not [t for t in texts if "Changes from" in t or "Services that end" in t]
    assert not [t for t in document.tables if t.rows[0].cells[0].text == "Service"]


def test_without_last_years_plan_excel_has_no_changes_sheet(built_alone: tuple[Path, Path]) -> None:
    wb = values(built_alone[1])
    assert wb.sheetnames == [
        "Summary",
        "Victims Fund",
        "Community Safety Fund",
        "Commitments",
        "About",
    ]
    about = {row[0]: row[1] for row in sheet_rows(wb["About"])}
    assert about["Contents"] == (
        "Summary: one row per fund (allocation, MoJ grants, other "
        "funding, committed, uncommitted), a chart, and every funding "
        "source. One sheet per fund: its service lines. Commitments: "
        "what the plan already commits in later financial years, line by "
        "line. About: this sheet."
    )


def without_the_changes_block(template: Path, target: Path) -> Path:
    """``template`` with the body from ``{%p if comparison %}`` to its ``{%p endif %}`` cut."""
    document = Document(str(template))
    body = document.element.body
    depth = 0
    cut = []
    for element in body.iterchildren():
        text = "".join(element.xpath(".//w:t/text()")) if element.tag == qn("w:p") else ""
        if depth == 0 and text.strip() == "{%p if comparison %}":
            depth = 1
        elif depth and re.fullmatch(r"\{%p if .*%\}", text.strip()):
            depth += 1
        elif depth and text.strip() == "{%p endif %}":
            depth -= 1
            if depth == 0 and element.xpath(".//w:br[@w:type='page']"):
                # A page break an office suite put here belongs to what follows: keep it.
                for run in element.xpath("./w:r[w:t]"):
                    element.remove(run)
                continue
            cut.append(element)
            continue
        if depth:
            cut.append(element)
    assert cut, "the template has no {%p if comparison %} block"
    for element in cut:
        body.remove(element)
    document.save(str(target))
    return target


def test_without_a_comparison_the_document_is_exactly_as_before(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    """The template minus the Changes block renders the very same document body."""
    before = without_the_changes_block(DEFAULT_TEMPLATE, tmp_path / "before.docx")
    render_docx(Report.of(sample_recon), tmp_path / "now.docx")
    render_docx(Report.of(sample_recon), tmp_path / "then.docx", before)

    def document_xml(path: Path) -> bytes:
        with zipfile.ZipFile(path) as archive:
            return archive.read("word/document.xml")

    assert document_xml(tmp_path / "now.docx") == document_xml(tmp_path / "then.docx")


def test_signed_money_and_a_fund_called_changes() -> None:
    from pipeline.comparison import signed_money
    from pipeline.render_xlsx import CHANGES_SHEET, sheet_names

    assert [signed_money(Decimal(v)) for v in ("2272.73", "-19400", "0", "0.00")] == [
        "+£2,272.73",
        "-£19,400",
        "£0",
        "£0",
    ]
    assert sheet_names(["Changes"]) == ["Changes"]  # no comparison: the name is free
    assert sheet_names(["Changes"], ("summary", "about", "history", CHANGES_SHEET)) == [
        "Changes (2)"
    ]


def test_a_change_in_per_cent_is_signed_as_its_pounds_are() -> None:
    # "+£2,272.73" beside "10.0%" read as if only the pounds had risen.
    assert signed_percent(Decimal("10")) == "+10.0%"
    assert signed_percent(Decimal("-2.35")) == "-2.4%"
    assert signed_percent(Decimal(0)) == "0.0%"
    assert signed_percent(Decimal("0.01")) == "+0.0%"  # a rise too small to show, still a rise
    assert signed_percent(None) == "–"


def tenfold(source: Path, target: Path, year: str | None = None) -> Path:
    """``source`` with every allocation, source and budget ten times as large (to the penny),
    and the Financial year ``year`` if given."""
    import openpyxl

    book = openpyxl.load_workbook(source)
    for field, value in book["Decision"].iter_rows(min_row=2, max_col=2):
        if year and field.value == "Financial year":
            value.value = year
    for sheet, column in (("Funds", 1), ("Funding sources", 2), ("Services", 11)):
        for row in book[sheet].iter_rows(min_row=2):
            amount = row[column].value
            if isinstance(amount, int | float):
                row[column].value = float(Decimal(str(amount)) * 10)
    book.save(target)
    return target


@pytest.mark.slow
def test_word_amounts_in_the_millions_stay_whole_as_libreoffice_lays_them_out(
    tmp_path: Path,
) -> None:
    """Every amount and per cent of the Changes tables on one line of its cell, as LibreOffice
    lays them out, for a body ten times South Wales' size: a fund's totals in the tens of
    millions to the penny, signed ("+£18,462,217.59"), and rises of "+900.0%". At 22 mm the
    amount columns broke "£1,861,943.35" after "£1,861,943.3"."""
    from pipeline.docx_changes import comparison_context

    current = recon_of(tenfold(SOUTH_WALES, tmp_path / "tenfold.xlsx"))
    report = with_comparison(current, recon_of(SOUTH_WALES))
    docx = tmp_path / "report.docx"
    render_docx(report, docx)
    text = pdf_text(convert(docx, "pdf", tmp_path))
    section = text[text.index("Changes from 2023/24") : text.index("Services that end")]
    context = comparison_context(report.comparison)
    assert context is not None
    shown = {
        value
        for fund in context["funds"]
        for total in fund["totals"]
        for value in (total["previous"], total["current"], total["change"], total["percent"])
    } | {
        value
        for fund in context["funds"]
        for line in fund["lines"]
        for value in (line.previous_budget, line.budget, line.change, line.percent)
    }
    assert {"+£18,462,217.59", "£20,513,575.10", "+900.0%"} <= shown  # the widest
    assert [value for value in sorted(shown) if value not in section] == []
