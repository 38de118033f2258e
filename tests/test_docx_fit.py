"""The plan appendix's tables stretched to landscape width, cell by cell (#17's layout, #21's
speed): every cell's width is the grid columns it spans, read in one pass over the rows."""

from __future__ import annotations

from typing import Any

import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline.docx_pack import _fit_table


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
