"""Any policing body (#17): a PFCC's and a mayor's plan name their own organisation and title.

The two acceptance workbooks (``tests/acceptance/make_plans.py``) set the Decision fields
Organisation, Decision maker and Decision maker short. Built through the command line, their
Request for Decision names "Police and Crime Commissioner" or "PCC" nowhere except in statutory
wording citing an Act: section C quotes the Acts' own terms, and a sentence naming an Act
("... Act 2011 ...") may use them.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from pipeline.cli import cli
from pipeline.docx_context import maker_title
from pipeline.model import Plan
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import render_docx
from pipeline.report import Report

FOLDER = Path(__file__).parent / "acceptance"
PCC = re.compile(r"Police and Crime Commissioner|\bPCC\b", re.IGNORECASE)
ACT = re.compile(r"\bAct \d{4}\b")
SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z(])")


@dataclass(frozen=True)
class Body:
    workbook: str
    organisation: str
    title: str  # the title with the area, as the form's heading shows it
    short: str


ESSEX = Body(
    "essex-pfcc-2022-23.xlsx",
    "Office of the Police, Fire and Crime Commissioner for Essex",
    "Police, Fire and Crime Commissioner for Essex",
    "PFCC",
)
MANCHESTER = Body(
    "greater-manchester-2023-24.xlsx",
    "Greater Manchester Combined Authority",
    "Mayor of Greater Manchester",
    "Mayor",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bodies")
    paths = [str(FOLDER / body.workbook) for body in (ESSEX, MANCHESTER)]
    result = CliRunner().invoke(cli, ["build", *paths, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def report(out: Path, body: Body) -> Path:
    [docx] = [
        path
        for path in out.glob("*/RfD-*.docx")
        if body.organisation in Document(str(path)).core_properties.author
    ]
    return docx


def blocks(docx: Path) -> list[str]:
    """The body's paragraphs in order, table cells included, as a reader meets them."""
    document = Document(str(docx))
    return ["".join(p.xpath(".//w:t/text()")) for p in document.element.body.iter(qn("w:p"))]


def pcc_outside_statute(texts: list[str]) -> list[str]:
    """Sentences naming a PCC that neither sit in section C nor cite an Act."""
    found = []
    statute = False
    for text in texts:
        if text.startswith("C. LEGAL"):
            statute = True
        elif statute and re.match(r"[D-Z]\. ", text):
            statute = False
        if statute:
            continue
        found += [s for s in SENTENCE_END.split(text) if PCC.search(s) and not ACT.search(s)]
    return found


@pytest.mark.parametrize("body", [ESSEX, MANCHESTER], ids=lambda b: b.short)
def test_the_report_names_its_own_body_and_title(built: Path, body: Body) -> None:
    docx = report(built, body)
    texts = blocks(docx)
    assert texts[0] == body.title.upper()  # the form's heading
    assert f"A. NON-CONFIDENTIAL FACTS AND ADVICE TO THE {body.short.upper()}" in texts
    assert body.title.upper() in texts[1:]  # the approval block
    assert any(f"submitted to the {body.title}." in t for t in texts)
    assert any(f"The {body.short}'s Chief Finance Officer has been consulted" in t for t in texts)
    assert Document(str(docx)).core_properties.author == body.organisation


@pytest.mark.parametrize("body", [ESSEX, MANCHESTER], ids=lambda b: b.short)
def test_no_pcc_outside_statutory_wording(built: Path, body: Body) -> None:
    docx = report(built, body)
    assert pcc_outside_statute(blocks(docx)) == []
    # Headers, footers and the document's properties hold no statute at all.
    with zipfile.ZipFile(docx) as archive:
        parts = [
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if re.fullmatch(r"word/(header|footer)\d*\.xml|docProps/\w+\.xml", name)
        ]
    assert parts and not [part for part in parts if PCC.search(re.sub(r"<[^>]+>", " ", part))]


def test_the_checker_finds_a_pcc_outside_the_statute() -> None:
    texts = [
        "A. NON-CONFIDENTIAL FACTS AND ADVICE TO THE PCC",
        "C. LEGAL AND HUMAN RIGHTS CONSIDERATIONS",
        "(a) services that in the opinion of the PCC will secure ...",
        "D. PERSONNEL AND EQUALITIES ISSUES",
        "Section 9 of the Police Reform and Social Responsibility Act 2011 provides Police and "
        "Crime Commissioners with powers. The PCC's Monitoring Officer has been consulted.",
    ]
    assert pcc_outside_statute(texts) == [
        "NON-CONFIDENTIAL FACTS AND ADVICE TO THE PCC",  # after "A.", a sentence of its own
        "The PCC's Monitoring Officer has been consulted.",
    ]


def test_the_default_is_still_the_pcc(sample_recon: Reconciliation, tmp_path: Path) -> None:
    render_docx(Report.of(sample_recon), tmp_path / "rfd.docx")
    texts = blocks(tmp_path / "rfd.docx")
    assert texts[0] == "POLICE AND CRIME COMMISSIONER FOR LINCOLNSHIRE"
    assert "A. NON-CONFIDENTIAL FACTS AND ADVICE TO THE PCC" in texts
    assert any(
        "submitted to the Police and Crime Commissioner for Lincolnshire." in t for t in texts
    )


@pytest.mark.parametrize("body", [ESSEX, MANCHESTER], ids=lambda b: b.short)
def test_the_public_summary_names_its_own_body(built: Path, body: Body) -> None:
    import openpyxl

    folder = report(built, body).parent
    [summary] = folder.glob("commissioning-summary-*.xlsx")
    workbook = openpyxl.load_workbook(summary)
    texts = [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any(body.organisation in text for text in texts)
    assert pcc_outside_statute(texts) == []
    properties = [v for v in vars(workbook.properties).values() if isinstance(v, str)]
    assert not [p for p in properties if PCC.search(p)]


@pytest.mark.parametrize(
    ("maker", "area", "title"),
    [
        ("", "Lincolnshire", "Police and Crime Commissioner for Lincolnshire"),
        (
            "Police, Fire and Crime Commissioner",
            "Essex",
            "Police, Fire and Crime Commissioner for Essex",
        ),
        ("Mayor of Greater Manchester", "Greater Manchester", "Mayor of Greater Manchester"),
        # London: the title says what it is for; "... for Metropolitan" would be nonsense.
        (
            "Deputy Mayor for Policing and Crime",
            "Metropolitan",
            "Deputy Mayor for Policing and Crime",
        ),
        ("Police and Crime Commissioner", "", "Police and Crime Commissioner"),
    ],
)
def test_the_title_adds_the_area_only_where_it_reads_right(
    sample_plan: Plan, maker: str, area: str, title: str
) -> None:
    decision = replace(sample_plan.decision, decision_maker=maker, police_area=area)
    assert maker_title(decision) == title
