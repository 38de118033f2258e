"""The fixture Commissioning Strategy made from the seed's text (tests/make_strategy.py, #17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests import make_strategy

SEED = make_strategy.seed_path()
pytestmark = pytest.mark.skipif(SEED is None, reason="the seed is not beside the repository")


@pytest.fixture(scope="module")
def strategy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert SEED is not None
    return make_strategy.build(SEED, tmp_path_factory.mktemp("strategy") / "strategy.docx")


def headings(document: Any) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith("Heading")
    ]


def test_sections_1_to_4_and_appendices_1_and_2_are_headings_in_order(strategy: Path) -> None:
    found = headings(Document(str(strategy)))
    level_one = [text for level, text in found if level == 1]
    assert level_one == [
        "Document Control Information",
        "1 Introduction",
        "2 Commissioning Principles",
        "3 Commissioning Framework",
        "4 Commissioning Mechanisms",
        "Appendix 1: Meeting the Standard – A Checklist for Commissioning Officers",
        "Appendix 2: Good Practice Decommissioning – A Checklist",
    ]
    assert (2, "4.3 Grants") in found and (3, "3.3.3 PCC Commissioning") in found
    assert not any("Appendix 3" in text for _, text in found)  # the tool generates it


def test_document_control_is_a_field_table_then_the_change_control_table(strategy: Path) -> None:
    fields, changes = Document(str(strategy)).tables
    rows = [[c.text for c in row.cells] for row in fields.rows]
    assert rows[0] == ["Name of Document", "PCC Commissioning Strategy 2021"]
    assert ["Approved by", ""] in rows and len(rows) == 12
    changes_rows = [[c.text for c in row.cells] for row in changes.rows]
    assert changes_rows == [
        ["Change control from previous version", "Initials and Date", "Version"],
        ["First Draft", "JD 11/12/2019", "0.1"],
        [
            "Final version of strategy with Commissioning Plan 2021/22 included as appendix",
            "JD 22/04/2021",
            "1.0",
        ],
        [
            "Page 18 updated to reflect 10% uplift in contribution to SLP in 2021/22",
            "JD 07/05/2021",
            "1.1",
        ],
    ]
    assert changes.rows[0]._tr.xpath("./w:trPr/w:tblHeader")


def test_the_contents_is_a_toc_field_word_updates_on_open(strategy: Path) -> None:
    # LibreOffice 7 headless does not fill it when converting to PDF (tried, with and without
    # w:updateFields): the pack's Contents page numbers need an update step of their own.
    document = Document(str(strategy))
    instructions = [t.text for t in document.element.body.iter(qn("w:instrText"))]
    assert [i.strip() for i in instructions] == ['TOC \\o "1-3" \\h']
    assert document.settings.element.xpath("./w:updateFields[@w:val='true']")
