"""The plan appendix's tables stretched to landscape width, cell by cell (#17's layout, #21's
speed): every cell's width is the grid columns it spans, read in one pass over the rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline.docx_pack import _fit_table
from pipeline.reconcile import Reconciliation


def cell(width: int | None, *, span: int = 1, kind: str = "dxa", old: int | None = None) -> str:
    """A w:tc with a width (and a span, and the old width of a tracked change) as given."""
    properties = f'<w:tcW w:w="{width}" w:type="{kind}"/>' if width is not None else ""
    if span > 1:
        properties += f'<w:gridSpan w:val="{span}"/>'
    if old is not None:
        properties += f'<w:tcPrChange w:id="1" w:author="A"><w:tcPr><w:tcW w:w="{old}" w:type="dxa"/></w:tcPr></w:tcPrChange>'
    return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p/></w:tc>"


def table(*rows: str) -> Any:
    """A table of three grid columns 1000, 2000 and 1000 twips wide."""
    body = "".join(f"<w:tr>{row}</w:tr>" for row in rows)
    grid = '<w:gridCol w:w="1000"/><w:gridCol w:w="2000"/><w:gridCol w:w="1000"/>'
    return parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="4000" w:type="dxa"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )


def widths(tbl: Any) -> list[list[str | None]]:
    """Each own row's cell widths (the cell's own tcW, not a tracked change's)."""
    return [
        [
            tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w"))
            for tc in tr.iterchildren(qn("w:tc"))
        ]
        for tr in tbl.iterchildren(qn("w:tr"))
    ]


@pytest.mark.parametrize("nested", [False, True], ids=["flat", "with a table in a cell"])
def test_each_cell_gets_the_width_of_the_grid_columns_it_spans(nested: bool) -> None:
    inner = (
        f'<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/></w:tcPr>'
        f'<w:tbl><w:tblGrid><w:gridCol w:w="500"/></w:tblGrid><w:tr>{cell(500)}</w:tr></w:tbl>'
        "<w:p/></w:tc>"
    )
    tbl = table(
        cell(1000) + cell(2000) + cell(1000),
        cell(3000, span=2) + cell(1000),
        cell(1000, old=700) + cell(2000) + cell(1000),
        cell(1000) + cell(2000) + cell(1000) + cell(1000),  # one cell more than the grid
        cell(1000) + cell(50, kind="pct") + cell(1000),
        (inner if nested else cell(1000)) + cell(2000) + cell(1000),
    )
    _fit_table(tbl, 8000)
    assert widths(tbl) == [
        ["2000", "4000", "2000"],
        ["6000", "2000"],
        ["2000", "4000", "2000"],
        ["2000", "4000", "2000", "0"],
        ["2000", "50", "2000"],
        ["2000", "4000", "2000"],
    ]
    grid = [c.get(qn("w:w")) for c in tbl.iter(qn("w:gridCol"))]
    assert grid[:3] == ["2000", "4000", "2000"]
    assert tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}").get(qn("w:w")) == "8000"
    # A tracked change's old width and a table inside a cell are not this table's cells.
    [change] = tbl.iter(qn("w:tcPrChange"))
    assert [e.get(qn("w:w")) for e in change.iter(qn("w:tcW"))] == ["700"]
    if nested:
        assert grid[3:] == ["500"]
        [inner_tc] = tbl.findall(f".//{qn('w:tbl')}//{qn('w:tc')}")
        assert inner_tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w")) == "500"


def test_the_grid_fills_the_width_to_the_twentieth_and_a_fit_table_is_left_alone() -> None:
    # Proportions rounded down leave a few twentieths of a point; the last column takes them,
    # so a table fit once is recognised as fit (its grid is the width) and not walked again.
    tbl = table(cell(1000) + cell(2000) + cell(1000))
    _fit_table(tbl, 8001)
    grid = [int(c.get(qn("w:w"))) for c in tbl.iter(qn("w:gridCol"))]
    assert grid == [2000, 4000, 2001]
    assert widths(tbl) == [["2000", "4000", "2001"]]
    row = tbl.find(qn("w:tr"))
    row.find(f"{qn('w:tc')}/{qn('w:tcPr')}/{qn('w:tcW')}").set(qn("w:w"), "1")
    _fit_table(tbl, 8001)
    assert widths(tbl) == [["1", "4000", "2001"]]  # fit already: no cell touched


def test_the_appendix_is_fit_before_it_renders_so_its_rows_are_not_walked_again(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The template's appendix tables (a header, the loop's row, a total) are stretched before
    # rendering; the rendered ones (a row per line) come out at landscape widths, so no walk
    # over their cells (80,000 at 10,000 lines) is needed after it.
    from docx import Document

    from pipeline import docx_pack
    from pipeline.render_docx import render_docx
    from pipeline.report import Report

    walked: list[int] = []
    fit_cells = docx_pack._fit_cells

    def recorded(tbl: Any, scaled: list[int]) -> None:
        walked.append(len(tbl.findall(qn("w:tr"))))
        fit_cells(tbl, scaled)

    monkeypatch.setattr(docx_pack, "_fit_cells", recorded)
    stream = io.BytesIO()
    render_docx(Report.of(sample_recon), stream)
    assert walked and max(walked) <= 6  # the template's tables, not the report's
    appendix = _appendix_tables(Document(stream))
    assert (
        len(appendix) == len(sample_recon.funds)
        and min(len(t.findall(qn("w:tr"))) for t in appendix) > 6
    )
    text_width = _landscape_text_width()
    for tbl in appendix:
        grid = [int(c.get(qn("w:w"))) for c in tbl.iter(qn("w:gridCol"))]
        assert sum(grid) == text_width
        for tr in tbl.iterchildren(qn("w:tr")):
            column, found, wanted = 0, [], []
            for tc in tr.iterchildren(qn("w:tc")):
                span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                count = int(span.get(qn("w:val"))) if span is not None else 1
                found.append(int(tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w"))))
                wanted.append(sum(grid[column : column + count]))
                column += count
            assert found == wanted


def _appendix_tables(report: Any) -> list[Any]:
    """The tables (w:tbl) after the "Appendix 3" heading, to the next level-1 heading."""
    tables: list[Any] = []
    inside = False
    for element in report.element.body.iterchildren():
        style = element.xpath("./w:pPr/w:pStyle/@w:val")
        if style and style[0] == "Heading1":
            inside = "".join(element.xpath(".//w:t/text()")).startswith("Appendix 3")
        elif inside and element.tag == qn("w:tbl"):
            tables.append(element)
    return tables


def _landscape_text_width() -> int:
    """The template's page turned landscape, less its side margins, in twentieths of a point."""
    from docx import Document

    from pipeline.render_docx import DEFAULT_TEMPLATE

    section = Document(str(DEFAULT_TEMPLATE)).sections[-1]
    long_side = max(section.page_width or 0, section.page_height or 0)
    margins = (section.left_margin or 0) + (section.right_margin or 0)
    return int((long_side - margins) // 635)  # EMU per twentieth of a point
