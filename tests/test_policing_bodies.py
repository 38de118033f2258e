"""Any policing body (#17): a PFCC's and a mayor's plan name their own organisation and title.

The two acceptance workbooks (``tests/acceptance/make_plans.py``) set the Decision fields
Organisation, Decision maker and Decision maker short. Built through the command line, their
Request for Decision names "Police and Crime Commissioner" or "PCC" nowhere except in statutory
wording citing an Act: section C quotes the Acts' own terms, and a sentence naming an Act
("... Act 2011 ...") may use them.
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from pipeline.cli import cli
from pipeline.docx_context import maker_title
from pipeline.load import load
from pipeline.model import Plan
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import render_docx
from pipeline.report import Report
from tests.published import xml_text
from tests.test_mail import with_circulation
from tests.workbooks import make_workbook

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
        # A Welsh title names its area without "for"; a bilingual one, each side in its own
        # language (acceptance 4, item 3: "Comisiynydd ... / Police and Crime Commissioner
        # for Dyfed-Powys").
        ("Comisiynydd Heddlu a Throseddu", "Gwent", "Comisiynydd Heddlu a Throseddu Gwent"),
        (
            "Comisiynydd Heddlu a Throseddu / Police and Crime Commissioner",
            "Dyfed-Powys",
            "Comisiynydd Heddlu a Throseddu Dyfed-Powys / "
            "Police and Crime Commissioner for Dyfed-Powys",
        ),
        (
            "Police and Crime Commissioner – Comisiynydd Heddlu a Throseddu",
            "South Wales / De Cymru",
            "Police and Crime Commissioner for South Wales / "
            "Comisiynydd Heddlu a Throseddu De Cymru",
        ),
    ],
)
def test_the_title_adds_the_area_only_where_it_reads_right(
    sample_plan: Plan, maker: str, area: str, title: str
) -> None:
    decision = replace(sample_plan.decision, decision_maker=maker, police_area=area)
    assert maker_title(decision) == title


# -- the body named when the Organisation is left blank (acceptance, item 9) ------------------

GMCA = "Greater Manchester Combined Authority"
YNYCA = "York and North Yorkshire Combined Authority"
SYMCA = "South Yorkshire Mayoral Combined Authority"
DMPC = "Deputy Mayor for Policing and Crime"
COMISIYNYDD = "Comisiynydd Heddlu a Throseddu"
PCC_TITLE = "Police and Crime Commissioner"
DP_CY = "Swyddfa Comisiynydd Heddlu a Throseddu Dyfed-Powys"
DP_EN = "Office of the Police and Crime Commissioner for Dyfed-Powys"
MOPAC = "Mayor's Office for Policing and Crime"


@pytest.mark.parametrize(
    ("maker", "area", "body"),
    [
        ("", "Lincolnshire", "Office of the Police and Crime Commissioner for Lincolnshire"),
        (
            "Police and Crime Commissioner for Lincolnshire",
            "Lincolnshire",
            "Office of the Police and Crime Commissioner for Lincolnshire",
        ),
        (
            "Police, Fire and Crime Commissioner for Northamptonshire",
            "Northamptonshire",
            "Office of the Police, Fire and Crime Commissioner for Northamptonshire",
        ),
        (
            "Police, Fire and Crime Commissioner",
            "Staffordshire",
            "Office of the Police, Fire and Crime Commissioner for Staffordshire",
        ),
        ("PFCC", "Essex", "Office of the Police, Fire and Crime Commissioner for Essex"),
        # A deputy decides for the commissioner: the commissioner's office publishes.
        (
            "Deputy Police and Crime Commissioner",
            "Kent",
            "Office of the Police and Crime Commissioner for Kent",
        ),
        (
            "Police Fire & Crime Commissioner",
            "North Yorkshire",
            "Office of the Police Fire & Crime Commissioner for North Yorkshire",
        ),
        (
            "Deputy Mayor for Policing and Crime",
            "Metropolitan",
            "Mayor's Office for Policing and Crime",
        ),
        ("Mayor of London", "London", "Mayor's Office for Policing and Crime"),
        ("Mayor", "Metropolitan Police", "Mayor's Office for Policing and Crime"),
        # A Welsh force's commissioner, named in Welsh: the office in Welsh too.
        (
            "Comisiynydd Heddlu a Throseddu Gogledd Cymru",
            "North Wales",
            "Swyddfa Comisiynydd Heddlu a Throseddu Gogledd Cymru",
        ),
        (
            "Comisiynydd Heddlu a Throseddu",
            "Dyfed-Powys",
            "Swyddfa Comisiynydd Heddlu a Throseddu Dyfed-Powys",
        ),
        (
            "Mayor of the West Midlands",
            "West Midlands",
            "Office of the Mayor of the West Midlands",
        ),
        # A Mayor who holds the commissioner's functions decides for the combined authority,
        # which publishes (acceptance 2, item 1): the Mayor's, or the Deputy Mayor's, decision.
        ("Mayor of Greater Manchester", "Greater Manchester", GMCA),
        ("Deputy Mayor for Policing and Crime", "Greater Manchester", GMCA),
        (
            "Deputy Mayor for Policing, Crime, Criminal Justice and Fire",
            "Greater Manchester Police",
            GMCA,
        ),
        ("DMPC", "West Yorkshire", "West Yorkshire Combined Authority"),
        ("Mayor of West Yorkshire", "", "West Yorkshire Combined Authority"),
        ("Deputy Mayor for Policing, Fire and Crime", "North Yorkshire", YNYCA),
        ("Mayor", "York and North Yorkshire", YNYCA),
        # South Yorkshire's Mayor took the commissioner's functions in May 2024 (acceptance 4,
        # item 6: its Deputy Mayor was published as "Office of the Deputy Mayor for ...").
        ("Deputy Mayor for Policing and Crime", "South Yorkshire", SYMCA),
        ("Mayor of South Yorkshire", "", SYMCA),
        ("DMPC", "London", MOPAC),
        ("Mayor's Office for Policing and Crime", "", MOPAC),
        ("Deputy Mayor for Policing and Crime (MOPAC)", "", MOPAC),
        # A commissioner's title typed in both languages (acceptance 4, item 3: Welsh first,
        # the area was lost and " / Police and Crime Commissioner" read as the Welsh area).
        # Welsh first, as a Welsh force signs: the area on each side, in the typed order.
        (
            "Comisiynydd Heddlu a Throseddu / Police and Crime Commissioner",
            "Dyfed-Powys",
            f"{DP_CY} / {DP_EN}",
        ),
        (
            "Comisiynydd Heddlu a Throseddu – Police and Crime Commissioner",
            "Dyfed-Powys",
            f"{DP_CY} / {DP_EN}",
        ),
        (
            "Comisiynydd Heddlu a Throseddu\nPolice and Crime Commissioner",
            "Dyfed-Powys",
            f"{DP_CY} / {DP_EN}",
        ),
        (
            "Y Comisiynydd Heddlu a Throseddu | The Police and Crime Commissioner",
            "Dyfed-Powys",
            f"{DP_CY} / {DP_EN}",
        ),
        # English first.
        (
            "Police and Crime Commissioner / Comisiynydd Heddlu a Throseddu",
            "Dyfed-Powys",
            f"{DP_EN} / {DP_CY}",
        ),
        (
            "Police and Crime Commissioner\nComisiynydd Heddlu a Throseddu",
            "Dyfed-Powys",
            f"{DP_EN} / {DP_CY}",
        ),
        # Each side names its area already; an area in both languages gives each its own.
        (
            "Comisiynydd Heddlu a Throseddu Gwent / Police and Crime Commissioner for Gwent",
            "Gwent",
            "Swyddfa Comisiynydd Heddlu a Throseddu Gwent / "
            "Office of the Police and Crime Commissioner for Gwent",
        ),
        (
            "Comisiynydd Heddlu a Throseddu / Police and Crime Commissioner",
            "De Cymru / South Wales",
            "Swyddfa Comisiynydd Heddlu a Throseddu De Cymru / "
            "Office of the Police and Crime Commissioner for South Wales",
        ),
        (
            "Comisiynydd Heddlu a Throseddu",
            "Gogledd Cymru / North Wales",
            "Swyddfa Comisiynydd Heddlu a Throseddu Gogledd Cymru",
        ),
        (
            "Police and Crime Commissioner",
            "Gogledd Cymru / North Wales",
            "Office of the Police and Crime Commissioner for North Wales",
        ),
    ],
)
def test_a_blank_organisation_follows_the_decision_maker(
    sample_plan: Plan, maker: str, area: str, body: str
) -> None:
    decision = replace(
        sample_plan.decision, organisation="", decision_maker=maker, police_area=area
    )
    assert decision.body == body
    typed = replace(decision, organisation="West Midlands Combined Authority")
    assert typed.body == "West Midlands Combined Authority"  # as typed, whoever decides


def _pfcc_without_organisation(content: Any) -> None:
    content.decision = [
        ("Police area", "Northamptonshire") if name == "Police area" else (name, value)
        for name, value in content.decision
    ] + [
        ("Organisation", None),
        ("Decision maker", "Police, Fire and Crime Commissioner for Northamptonshire"),
    ]


def test_a_pfccs_outputs_name_the_pfccs_office(tmp_path: Path) -> None:
    """Northamptonshire's PFCC left Organisation blank: its grants went out in the CSV, the
    summary and the report as the "Office of the Police and Crime Commissioner"."""
    path = make_workbook(tmp_path, edit=_pfcc_without_organisation)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "W-ORGANISATION" not in result.output  # the tool can tell: no question asked
    office = "Office of the Police, Fire and Crime Commissioner for Northamptonshire"
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    for table in folder.glob("*.csv"):
        text = table.read_text(encoding="utf-8-sig")
        assert "Police and Crime Commissioner" not in text, table.name
        if table.name.startswith("grants"):
            assert office in text
    import openpyxl

    [summary] = folder.glob("commissioning-summary-*.xlsx")
    about = openpyxl.load_workbook(summary)["About"]
    assert [r[1] for r in about.iter_rows(values_only=True) if r[0] == "Publisher"] == [office]
    [docx] = folder.glob("RfD-*.docx")
    assert Document(str(docx)).core_properties.author == office


@pytest.mark.parametrize(
    ("maker", "organisation_row", "area"),
    [
        ("Mayor", True, "West Midlands"),
        ("Chief Constable", True, "West Midlands"),
        ("Mayor", False, "West Midlands"),
        # London's title, elsewhere: another body's Deputy Mayor, whose body the title does
        # not name (MOPAC went into an East Midlands or a City of London plan's open data).
        ("Deputy Mayor for Policing and Crime", True, "East Midlands"),
        ("DMPC", False, "West Midlands"),
        ("Mayor", True, "City of London"),
        # A title in both languages, one side no commissioner's title (acceptance 4, item 3).
        ("Comisiynydd Heddlu a Throseddu / Chief Constable", True, "Dyfed-Powys"),
        ("Maer / Mayor", True, "Dyfed-Powys"),
    ],
)
def test_a_body_the_tool_cannot_tell_asks_for_the_organisation(
    tmp_path: Path, maker: str, organisation_row: bool, area: str
) -> None:
    def edit(content: Any) -> None:
        content.decision = (
            [
                ("Police area", area) if name == "Police area" else (name, value)
                for name, value in content.decision
            ]
            + [("Organisation", None)] * organisation_row
            + [("Decision maker", maker)]
        )

    path = make_workbook(tmp_path, edit=edit)
    result = load(path)
    assert result.plan is not None, result.findings
    [finding] = [f for f in result.findings if f.code == "W-ORGANISATION"]
    assert finding.sheet == "Decision"
    rows = {
        str(c.value): c.row
        for c in openpyxl.load_workbook(path)["Decision"]["A"]
        if c.value is not None
    }
    named = "Organisation" if organisation_row else "Decision maker"
    assert finding.cell == f"B{rows[named]}"
    assert f'"{maker}"' in finding.message
    assert "type the name of the body" in finding.message
    assert "Organisation" in finding.message
    if not organisation_row:
        assert 'add a row "Organisation"' in finding.message
    assert "Office for Policing" not in finding.message  # nor is London's body published


def test_the_default_pcc_asks_nothing(sample_path: Path) -> None:
    assert not [f for f in load(sample_path).findings if f.code == "W-ORGANISATION"]


# -- a Deputy Mayor outside London: every published file names the combined authority ------


def _deputy_mayor(area: str, maker: str = "Deputy Mayor for Policing and Crime") -> Any:
    def edit(content: Any) -> None:
        with_circulation()(content)
        content.decision = [
            ("Police area", area) if name == "Police area" else (name, value)
            for name, value in content.decision
        ] + [("Organisation", None), ("Decision maker", maker)]

    return edit


def _published(folder: Path) -> dict[str, str]:
    """Each output a reader gets, as text: Word and Excel parts, open data, e-mail, index."""
    texts = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in (".docx", ".xlsx"):
            texts[path.name] = xml_text(path)
        elif path.suffix in (".csv", ".json"):
            texts[path.name] = path.read_bytes().decode("utf-8-sig")
        elif path.suffix == ".eml":  # as a mail program shows it: a long line is folded
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            parts = [
                part.get_content()
                for part in message.walk()
                if part.get_content_maintype() == "text"
            ]
            texts[path.name] = "\n".join([str(message["Subject"]), *parts])
    texts["index.html"] = html.unescape((folder.parent / "index.html").read_text("utf-8"))
    return texts


@pytest.mark.parametrize(
    ("area", "authority", "maker"),
    [
        ("Greater Manchester", "Greater Manchester Combined Authority", DMPC),
        ("West Yorkshire", "West Yorkshire Combined Authority", DMPC),
        ("South Yorkshire", "South Yorkshire Mayoral Combined Authority", DMPC),
        # Acceptance 4, item 3: published as "Swyddfa Comisiynydd Heddlu a Throseddu / Police
        # and Crime Commissioner", with no area and no W-ORGANISATION.
        ("Dyfed-Powys", f"{DP_CY} / {DP_EN}", f"{COMISIYNYDD} / {PCC_TITLE}"),
    ],
)
def test_a_deputy_mayor_outside_london_is_published_as_the_combined_authority(
    tmp_path: Path, area: str, authority: str, maker: str
) -> None:
    """Acceptance 2, item 1: a Greater Manchester Deputy Mayor's plan, Organisation blank, was
    published as London's "Mayor's Office for Policing and Crime": the summary's Publisher,
    the grants CSV's awarding body, 360Giving's funder and the report's section 1.3."""
    path = make_workbook(tmp_path, edit=_deputy_mayor(area, maker))
    config = tmp_path / "pcc-report.toml"
    config.write_text('funder_prefix = "examplepcc"\n', encoding="utf-8")
    out = tmp_path / "output"
    args = ["build", str(path), "--out", str(out), "--config", str(config)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "W-ORGANISATION" not in result.output  # the area says which body: no question
    folder = out / "015-2021"
    texts = _published(folder)
    names = {"RfD-015-2021.docx", "commissioning-summary-2021-22.xlsx", "grants-2021-22.csv"}
    names |= {"360giving-015-2021.json", "360giving-015-2021.xlsx", "email-015-2021.eml"}
    assert names <= set(texts)
    assert {name for name, text in texts.items() if authority in text} >= names
    assert [name for name, text in texts.items() if re.search("MOPAC|Office for Pol", text)] == []
    summary = openpyxl.load_workbook(folder / "commissioning-summary-2021-22.xlsx")
    [publisher] = [
        r[1] for r in summary["About"].iter_rows(values_only=True) if r[0] == "Publisher"
    ]
    assert publisher == authority
    assert str(summary["Summary"]["A2"].value).startswith(f"{authority}, decision 015/2021")
    grants = list(csv.DictReader(io.StringIO(texts["grants-2021-22.csv"])))
    assert {g["Awarding body"] for g in grants} == {authority}
    funders = json.loads(texts["360giving-015-2021.json"])["grants"]
    assert {g["fundingOrganization"][0]["name"] for g in funders} == {authority}
    word = blocks(folder / "RfD-015-2021.docx")
    assert any(f"to make the {authority} an effective commissioner" in t for t in word)
