"""The Word Request for Decision: read back with python-docx, against the seed decision 015/2021.

The expected rows below are typed from the seed's Appendix 3 (shared/seed/000_…txt), not taken
from scripts/make_sample.py, so a slip in either shows up here. Content is compared, never the
bytes of the .docx (python-docx stamps zip members with the save time).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from pipeline.docx_context import moj_narrative, paragraphs
from pipeline.load import load
from pipeline.reconcile import Reconciliation, reconcile
from pipeline.render_docx import (
    DEFAULT_TEMPLATE,
    TemplateError,
    docx_name,
    render_docx,
)
from pipeline.report import Report
from pipeline.values import parse_money
from tests.office import convert, pdf_pages, pdf_text
from tests.published import leaks, xml_text
from tests.test_docx_template import style_named
from tests.workbooks import make_workbook, service_row

ROOT = Path(__file__).resolve().parent.parent
SOLE = "OJEU procurement – OPCC sole funded"
LCC = "Lincolnshire County Council"
PA = "Partnership Agreement"
GRANT = "Grant funded"

# Service Name | Current Delivery Org. | Provision | Start Date | End Date | How commissioned | £
VICTIMS_ROWS = [
    (
        "Victim Support",
        "Victim Support",
        "Generic victim support outreach",
        "01/10/2018",
        "31/03/2022 (1 x 12 months option to 31/03/2023)",
        SOLE,
        "£260,000",
    ),
    (
        "Children's Independent Sexual Violence Advisor",
        "Victim Support",
        "Support to victims of sexual violence <18",
        "01/10/2021",
        "30/09/2024 (2 x 12 months option to 01/10/2026)",
        SOLE,
        "£100,000",
    ),
    (
        "Children and Young People's Sexual Assault Referral Centre",
        "NUHT",
        "Sexual Assault Referral Centre for <18",
        "01/04/2018",
        "31/03/2023",
        "OJEU procurement – NHS England led with Lincolnshire OPCC contribution. Partnership "
        "agreement in place.",
        "£20,000",
    ),
    (
        "Spring Lodge SARC",
        "LPFT",
        "Sexual Assault Referral Centre for >18",
        "01/04/2018",
        "31/03/2023",
        "OJEU procurement – NHS England led with Lincolnshire OPCC contribution "
        "(50%). Partnership agreement in place.",
        "£80,000",
    ),
    (
        "Independent Sexual Violence Advisor",
        "LPFT",
        "Support to victims of sexual violence <18",
        "01/04/2018",
        "31/03/2023",
        "OJEU procurement – NHS England led aligned to SARC but solely OPCC funded.",
        "£90,000",
    ),
    (
        "Rape Crisis",
        "Rape Crisis",
        "Support to victims of sexual violence (all age)",
        "01/04/2021",
        "31/03/2022",
        GRANT,
        "£82,661",
    ),
    (
        "Sexual Violence Counselling",
        "NWCH",
        "Counselling support to victims of sexual violence",
        "01/04/2021",
        "31/03/2022",
        GRANT,
        "£18,351",
    ),
    (
        "Hospital Independent Domestic Violence Advisor",
        LCC,
        "Support to victims of domestic abuse",
        "01/04/2021",
        "31/03/2023",
        "Partnership agreement – year 1 of 2",
        "£43,600",
    ),
    (
        "Restorative Justice",
        "Restorative Solutions CIC",
        "Access to restorative justice",
        "01/04/2021",
        "31/03/2024 (2 x 12 month option to 31/03/2026)",
        SOLE,
        "£100,000",
    ),
    (
        "Hate Crime Prevention",
        "Stop Hate",
        "Hate crime reporting and support to victims",
        "01/10/2021",
        "30/09/2022",
        GRANT,
        "£10,600",
    ),
]


def _csf(service: str, org: str, provision: str, how: str, amount: str) -> tuple[str, ...]:
    return (service, org, provision, "April 2021", "March 2022", how, amount)


CSF_ROWS = [
    _csf(
        "Youth Offending Service (YOS)",
        LCC,
        "Contribution to Lincolnshire Youth Offending Service",
        PA,
        "£172,900",
    ),
    _csf(
        "Lincolnshire Children's Safeguarding Partnership (LSCP)",
        LCC,
        "Contribution to costs of Lincolnshire Children's Safeguarding Partnership",
        PA,
        "£74,933",
    ),
    _csf(
        "Lincolnshire Children's Safeguarding Partnership (LSCP)",
        LCC,
        "To meet shared costs of serious case reviews.",
        PA,
        "£6,000",
    ),
    _csf(
        "Lincolnshire Safeguarding Adults Board (LSAB)",
        LCC,
        "Contribution to costs of Lincolnshire Adult Safeguarding Board",
        PA,
        "£40,000",
    ),
    _csf(
        "LCC Safer Communities",
        LCC,
        "To meet shared costs of Domestic Homicide Reviews",
        PA,
        "£4,400",
    ),
    _csf(
        "LCC Safer Communities",
        LCC,
        "Contribution to Domestic Abuse - Strategic Management /DA co-ordination/training "
        "/Multi-agency risk assessment conferences",
        PA,
        "£22,000",
    ),
    _csf(
        "Anti-social behaviour",
        LCC,
        "Contribution to costs of Countywide Anti-social Behaviour (ASB) County Co-ordinator",
        PA,
        "£11,000",
    ),
    _csf(
        "Anti-social behaviour",
        LCC,
        "Contribution to costs of ASB Case management system (ECINS)",
        PA,
        "£5,000",
    ),
    _csf(
        "Reducing sexual reoffending",
        "Safer Living Foundation",
        "Education and awareness to reduce the risk of sexual harm",
        GRANT,
        "£25,000",
    ),
    _csf(
        "Mental health",
        "Lincolnshire Partnership Foundation Trust",
        "Mental health nurse in Force Control Room and contribution to response vehicles",
        "Partnership Agreement with Lincolnshire CCG who lead commissioning",
        "£78,000",
    ),
    _csf("Crimestoppers", "Crimestoppers", "Contribution to call bureau", GRANT, "£18,075"),
    _csf("Stalking and harassment", "EDAN Lincs", "ISAC training", GRANT, "£3,000"),
    _csf("Stalking and harassment", "Victim Support", "ISAC training", GRANT, "£3,000"),
    _csf(
        "Community Champion Awards",
        "North Kesteven District Council",
        "Contribution to Community Safety Award",
        GRANT,
        "£750",
    ),
]

MOJ_SENTENCE = (
    "For 2021/22 the Ministry of Justice has confirmed that the Lincolnshire Victims' Services "
    "Grant allocation will be £0.884m. This Grant is supplemented locally to make available a "
    "Victims Fund of £1,009,000."
)


# -- helpers ----------------------------------------------------------------------------------


def rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def body_text(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def service_tables(document: Any) -> list[Any]:
    return [t for t in document.tables if t.rows[0].cells[0].text == "Service Name"]


def table_starting(document: Any, *header: str) -> Any:
    found = [t for t in document.tables if tuple(rows(t)[0][: len(header)]) == header]
    assert len(found) == 1, f"expected one table headed {header}, found {len(found)}"
    return found[0]


def render(recon: Reconciliation, folder: Path, template: Path | None = None) -> Any:
    target = folder / docx_name(recon.decision)
    render_docx(Report.of(recon), target, template)
    return Document(str(target))


def form_fields(document: Any) -> dict[str, str]:
    return {label: value for label, value in rows(document.tables[0])}


@pytest.fixture(scope="module")
def sample_docx(sample_recon: Reconciliation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("rfd") / "RfD-015-2021.docx"
    render_docx(Report.of(sample_recon), target)
    return target


@pytest.fixture(scope="module")
def sample_doc(sample_docx: Path) -> Any:
    return Document(str(sample_docx))


def edited_template(folder: Path, change: Callable[[Any], bool]) -> Path:
    """A copy of the default template with ``change`` applied to the first paragraph it accepts."""
    document = Document(str(DEFAULT_TEMPLATE))
    candidates = list(document.paragraphs) + [
        p for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs
    ]
    assert any(change(p) for p in candidates), "nothing in the template matched the edit"
    copy = folder / "edited-template.docx"
    document.save(str(copy))
    return copy


def replace_in_runs(old: str, new: str) -> Callable[[Any], bool]:
    def change(paragraph: Any) -> bool:
        for run in paragraph.runs:
            if old in run.text:
                run.text = run.text.replace(old, new)
                return True
        return False

    return change


# -- Appendix 3, figure by figure -------------------------------------------------------------


def test_file_name_follows_the_reference(sample_recon: Reconciliation) -> None:
    assert docx_name(sample_recon.decision) == "RfD-015-2021.docx"


@pytest.mark.parametrize(
    ("index", "expected", "total"),
    [
        (0, VICTIMS_ROWS, "£805,212"),
        (1, CSF_ROWS, "£464,058"),
    ],
    ids=["victims-fund", "community-safety-fund"],
)
def test_every_line_of_the_seed_appendix_is_in_its_fund_table(
    sample_doc: Any, index: int, expected: list[tuple[str, ...]], total: str
) -> None:
    tables = service_tables(sample_doc)
    assert len(tables) == 2
    table = rows(tables[index])
    assert table[0] == [
        "Service Name",
        "Current Delivery Org.",
        "Provision",
        "Start Date",
        "End Date",
        "How service is commissioned",
        "2021/22 budget (£)",
    ]
    lines = table[1:-1]
    for position, (got, want) in enumerate(zip(lines, expected, strict=True), start=1):
        assert tuple(got) == want, f"row {position} of table {index + 1}"
    assert table[-1] == ["Total", "", "", "", "", "", total]


def test_total_rows_are_bold(sample_doc: Any) -> None:
    for table in service_tables(sample_doc):
        total = table.rows[-1]
        runs = [r for cell in total.cells for p in cell.paragraphs for r in p.runs if r.text]
        assert runs and all(r.bold for r in runs)


def test_fund_headings_descriptions_and_moj_sentence(sample_doc: Any) -> None:
    text = body_text(sample_doc)
    headings = [p.text for p in sample_doc.paragraphs if p.style.name == "Heading 2"]
    assert "Victims Fund - £1,009,000" in headings
    assert "Community Safety Fund - £556,000" in headings
    assert "Appendix 3: Commissioning Plan 2021 - 2022" in text
    assert text.count(MOJ_SENTENCE) == 1
    assert not any(
        "Ministry of Justice has confirmed" in t and "Community Safety" in t for t in text
    )
    # The description's "• " lines are real bullets, not text with a bullet character.
    bullets = [p.text for p in sample_doc.paragraphs if p.style.name == "List Bullet"]
    assert "Provision of victim led, pre and post sentence restorative justice services" in bullets
    assert "Reducing re-offending" in bullets
    assert not any("•" in t for t in text)
    assert (
        "The following table details the services commissioned through the Victims Fund in 2021/22."
    ) in text


# -- the form ---------------------------------------------------------------------------------


def test_header_fields_are_in_the_form_table(sample_doc: Any) -> None:
    title = [p.text for p in sample_doc.paragraphs if p.style.name == "Title"]
    assert title == ["POLICE AND CRIME COMMISSIONER FOR LINCOLNSHIRE", "REQUEST FOR DECISION"]
    assert form_fields(sample_doc) == {
        "REF": "015/2021",
        "DATE": "28 May 2021",
        "SUBJECT": "Police and Crime Commissioner's Commissioning Strategy and Plan for 2021/22",
        "REPORT BY": "Partnership and Delivery Manager",
        "CONTACT OFFICER": "Joanne Davison, Partnership and Delivery Manager Telephone 01522 947406",
        "EXECUTIVE SUMMARY AND PURPOSE OF REPORT": "To propose a Commissioning Strategy and Plan for 2021/22. The proposals will support "
        "delivery of the Police and Crime Plan.",
        "RECOMMENDATIONS": "1. That the Commissioning Strategy be approved;\n2. That the funding proposals "
        "within the Commissioning Plan at Appendix 3 of the Strategy be approved.",
    }


def test_pcc_approval_block_carries_the_signature_date(sample_doc: Any) -> None:
    # The block's title is a paragraph just above its table (no empty spacer between tables).
    table = sample_doc.tables[1]._tbl
    title = table.getprevious()
    assert "".join(title.xpath(".//w:t/text()")) == "POLICE AND CRIME COMMISSIONER FOR LINCOLNSHIRE"
    block = rows(sample_doc.tables[1])
    assert block[0][0].startswith("I hereby approve the recommendation above")
    assert block[1][0].startswith("Signature")
    assert block[1][1] == "Date 28/05/2021"


def test_no_pcc_approval_date_leaves_the_signature_date_empty(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    unsigned = dataclasses.replace(
        sample_recon, decision=dataclasses.replace(sample_recon.decision, pcc_approval_date=None)
    )
    document = render(unsigned, tmp_path)
    assert rows(document.tables[1])[1][1].strip() == "Date"


def test_sections_a_to_g(sample_doc: Any) -> None:
    text = body_text(sample_doc)
    headings = [p.text for p in sample_doc.paragraphs if p.style.name.startswith("Heading")]
    for heading in (
        "A. NON-CONFIDENTIAL FACTS AND ADVICE TO THE PCC",
        "A1. INTRODUCTION AND BACKGROUND",
        "A2. LINKS TO POLICE AND CRIME PLAN AND PCC'S STRATEGIES/PRIORITIES",
        "B. FINANCIAL CONSIDERATIONS",
        "C. LEGAL AND HUMAN RIGHTS CONSIDERATIONS",
        "D. PERSONNEL AND EQUALITIES ISSUES",
        "E. REVIEW ARRANGEMENTS",
        "F. RISK MANAGEMENT",
        "G. PUBLIC ACCESS TO INFORMATION",
        "ORIGINATING OFFICER DECLARATION",
        "OFFICER APPROVAL",
        "Chief Executive",
        "Funds and commitments",
    ):
        assert heading in headings
    # A1: the standard wording (the sample leaves Background blank); A2: the workbook's text.
    assert any(t.startswith("1.1 Police and Crime Commissioners were elected") for t in text)
    assert any(
        t.startswith(
            "1.2 This Commissioning Strategy sets out the principles and "
            "framework that will be used in Lincolnshire"
        )
        for t in text
    )
    assert any(
        t.startswith(
            "2.1 This commissioning strategy and plan will help to deliver the "
            "strategic aims and priorities set out in the key principles of the "
            "Community Safety, Policing and Criminal Justice Plan for "
            "Lincolnshire 2017-2021."
        )
        for t in text
    )
    assert (
        "Provision for the proposals set out in the Commissioning Plan was made in the "
        "revenue budget for 2021/22 approved on 24 February 2021 (ref 004/2021)."
    ) in text
    assert any(
        t.startswith("Section 9 of the Police Reform and Social Responsibility Act 2011")
        for t in text
    )
    assert any(
        t.startswith(
            "In addition, Section 143 of the Anti-social Behaviour, Crime and Policing Act 2014"
        )
        for t in text
    )
    for item in (
        "(a) crime and disorder",
        "(b) the misuse of drugs",
        "(c) re-offending",
        "(a) services that in the opinion",
        "(b) services that are intended",
        "(c) services of a description",
    ):
        assert any(t.startswith(item) for t in text), item
    assert "None specific." in text
    assert (
        "Review and evaluation arrangements will be put in place to assess whether intended "
        "outcomes have been achieved."
    ) in text
    assert "Through the review and evaluation arrangements as necessary." in text
    assert "Is the publication of this form to be deferred? No" in text
    assert "Is there a part 2 form? No" in text
    assert "Date: 26/05/2021" in text


def test_financial_totals_table(sample_doc: Any) -> None:
    table = rows(
        table_starting(sample_doc, "Fund", "Allocation (£)", "Committed (£)", "Uncommitted (£)")
    )
    assert table[1:] == [
        ["Victims Fund", "£1,009,000", "£805,212", "£203,788"],
        ["Community Safety Fund", "£556,000", "£464,058", "£91,942"],
        ["Total", "£1,565,000", "£1,269,270", "£295,730"],
    ]


def test_originating_officer_declaration_initials(sample_doc: Any) -> None:
    table = rows(table_starting(sample_doc, "Declaration", "Initial to confirm"))
    assert [(r[0].split(":")[0], r[1]) for r in table[1:]] == [
        ("Originating Officer", "JD"),
        ("Financial advice", "JF"),
        ("Monitoring Officer", "MB"),
    ]


def test_narrative_fields_replace_the_standard_wording(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    decision = dataclasses.replace(
        sample_recon.decision,
        background="Our own background.\n• a first point\nA second paragraph.",
        review_arrangements="Quarterly review by the Chief Finance Officer.",
        personnel_equalities="An Equality Impact Assessment is attached.",
        risk_management="Risks are held on the OPCC risk register.",
    )
    document = render(dataclasses.replace(sample_recon, decision=decision), tmp_path)
    text = body_text(document)
    assert "1.1 Our own background." in text
    assert "1.2 A second paragraph." in text
    assert "a first point" in [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert not any("were elected across England and Wales" in t for t in text)
    assert "Quarterly review by the Chief Finance Officer." in text
    assert "An Equality Impact Assessment is attached." in text
    assert "Risks are held on the OPCC risk register." in text
    assert "None specific." not in text


# -- reconciliation ---------------------------------------------------------------------------


def test_reconciliation_funds_and_sources(sample_doc: Any) -> None:
    funds = rows(
        table_starting(sample_doc, "Fund", "Allocation (£)", "Committed (£)", "% committed")
    )
    assert funds[1:] == [
        ["Victims Fund", "£1,009,000", "£805,212", "79.8%", "£203,788", "£78,788"],
        ["Community Safety Fund", "£556,000", "£464,058", "83.5%", "£91,942", "£0"],
        ["Total", "£1,565,000", "£1,269,270", "81.1%", "£295,730", "£78,788"],
    ]
    sources = rows(table_starting(sample_doc, "Fund", "Source"))
    assert sources[1:] == [
        ["Victims Fund", "MoJ Victims' Services Grant", "Yes", "", "£884,000", "£78,788"],
        ["Victims Fund", "Local supplement", "No", "", "£125,000", ""],
        ["Community Safety Fund", "Police main grant", "No", "", "£556,000", ""],
        ["Total", "", "", "", "£1,565,000", "£78,788"],
    ]


def test_the_checker_sees_each_kind_of_leak() -> None:
    # The published-text test below is only as good as this checker: each kind is caught.
    text = (
        "W-RINGFENCE at Services!G19: name last year's plan with --previous "
        "(input/archive/plan-2020.xlsx)"
    )
    assert {kind for kind, _ in leaks(text)} == {
        "finding code",
        "cell reference",
        "file path",
        "option name",
    }
    assert leaks("Services sheet, row 19, End date") == [("cell reference", "row 19")]
    clean = (
        "A1. INTRODUCTION AND BACKGROUND — REF 015/2021 — £78,788 of the £884,000 grant "
        "is uncommitted; Domestic Abuse - Strategic Management /DA co-ordination/training"
    )
    assert leaks(clean) == []


def test_the_published_report_carries_no_finding_code_cell_path_or_option(
    sample_docx: Path, sample_recon: Reconciliation
) -> None:
    # The sample has warnings and notes (W-RINGFENCE, I-HEADROOM, ...): none reaches the report.
    assert {"W-RINGFENCE", "I-HEADROOM"} <= {f.code for f in sample_recon.findings}
    text = xml_text(sample_docx)
    assert leaks(text) == []
    for finding in sample_recon.findings:
        assert finding.message not in text
    # The figures stay, as facts: uncommitted and ring-fenced uncommitted money.
    document = Document(str(sample_docx))
    assert "Warnings and notes" not in body_text(document)
    assert (
        "Uncommitted (£)"
        in rows(table_starting(document, "Fund", "Allocation (£)", "Committed (£)", "% committed"))[
            0
        ]
    )
    assert "Not committed" not in text and "not yet committed" not in text


@pytest.mark.parametrize(
    "workbook", sorted(p.name for p in (ROOT / "tests" / "acceptance").glob("*.xlsx"))
)
def test_no_acceptance_plan_publishes_internal_output(workbook: str, tmp_path: Path) -> None:
    loaded = load(ROOT / "tests" / "acceptance" / workbook)
    assert loaded.plan is not None, loaded.findings
    recon = reconcile(loaded.plan)
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(recon), target)
    assert leaks(xml_text(target)) == []


def test_contact_details_typed_into_the_plan_are_not_published(tmp_path: Path) -> None:
    # The report goes on the website as the public summary does, and its appendix shows the
    # same lines: an e-mail address or telephone number typed into the plan comes out
    # "[removed]" here too. The form's own Contact officer field is what the form asks for.
    def plant(content: Any) -> None:
        victims = [row for row in content.services if row[0] == "Victims Fund"]
        victims[0][4] = "Outreach; referrals to jo.bloggs@victimsupport.org.uk or 01522 947406"
        victims[1][2] = "Mr J Smith, 07700 900123"
        content.funds[0][3] = "Ask +44 (0)1522 947406 or jo@bücher.example about the fund."
        content.sources[1][4] = "Ask jo.davison@lincs.police.uk"

    loaded = load(make_workbook(tmp_path, edit=plant))
    assert loaded.plan is not None, loaded.findings
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(reconcile(loaded.plan)), target)
    text = xml_text(target)  # every part: body, tables, headers, properties
    document = Document(str(target))
    for planted in ("victimsupport.org", "bücher", "lincs.police.uk", "07700", "(0)1522"):
        assert planted not in text
    assert "Outreach; referrals to [removed] or [removed]" in text
    assert "Ask [removed] or [removed] about the fund." in text
    assert form_fields(document)["CONTACT OFFICER"].endswith("Telephone 01522 947406")


def test_a_build_with_previous_publishes_no_path(sample_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import cli

    previous = ROOT / "tests" / "fixtures" / "lincolnshire-2020-21.xlsx"
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["build", str(sample_path), "--previous", str(previous), "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    [docx] = out.glob("*/RfD-*.docx")
    text = xml_text(docx)
    assert "Changes from 2020/21" in text  # the comparison is there ...
    assert leaks(text) == []  # ... and no path, code or option with it
    assert previous.name not in text and previous.stem not in text


# -- the professional finish ------------------------------------------------------------------


def test_page_fonts_and_styles(sample_doc: Any) -> None:
    section = sample_doc.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert section.page_width < section.page_height
    assert style_named(sample_doc, "Normal").font.name == "Arial"
    assert style_named(sample_doc, "Heading 1").font.name == "Arial"
    assert (
        style_named(sample_doc, "Table Amount").paragraph_format.alignment
        == WD_ALIGN_PARAGRAPH.RIGHT
    )
    defaults = sample_doc.styles.element.find(qn("w:docDefaults"))
    assert (
        defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:val"))
        == "en-GB"
    )


def test_table_rows_repeat_headers_do_not_split_and_amounts_align_right(sample_doc: Any) -> None:
    for table in service_tables(sample_doc):
        header = table.rows[0]._tr.trPr
        assert header.find(qn("w:tblHeader")) is not None
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        for row in table.rows[1:]:
            amount = row.cells[-1].paragraphs[0]
            assert amount.style.name == "Table Amount"
            assert amount.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_footer_has_reference_and_page_x_of_y(sample_doc: Any) -> None:
    footer = sample_doc.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("REF 015/2021 — Page ")
    instructions = [i.text.strip() for i in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_document_properties(sample_doc: Any) -> None:
    props = sample_doc.core_properties
    assert props.title == (
        "Request for Decision 015/2021: Police and Crime Commissioner's "
        "Commissioning Strategy and Plan for 2021/22"
    )
    assert props.subject == (
        "Police and Crime Commissioner's Commissioning Strategy and Plan for 2021/22"
    )
    assert props.author == "Office of the Police and Crime Commissioner for Lincolnshire"
    assert props.language == "en-GB"


@pytest.mark.slow
def test_pdf_through_libreoffice(sample_docx: Path, tmp_path: Path) -> None:
    pdf = convert(sample_docx, "pdf", tmp_path)
    assert 5 <= pdf_pages(pdf) <= 20
    text = pdf_text(pdf)
    for figure in ("£805,212", "£464,058", "£1,009,000", "£556,000", "£0.884m", "015/2021"):
        assert figure in text, figure
    pages = pdf_pages(pdf)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


# -- another plan: another area, three funds, two MoJ streams, pence, & and < -----------------


def _decision_rows(**changes: Any) -> list[tuple[str, Any]]:
    from scripts.make_sample import DECISION

    return [(field, changes.get(field, value)) for field, value in DECISION]


KENT_DECISION = _decision_rows(
    **{
        "Police area": "Kent",
        "Reference": "042/2022",
        "Date": date(2022, 6, 14),
        "Financial year": "2022/23",
        "Subject": "Commissioning Plan 2022/23",
        "Budget approval": date(2022, 2, 3),
        "Budget approval reference": "007/2022",
        "Chief Executive approval date": date(2022, 6, 10),
        "PCC approval date": "",
        "Links to Police and Crime Plan": "",
    }
)
VRF = "Violence Reduction Fund"


def _kent_line(**values: Any) -> list[Any]:
    values.setdefault("start", date(2022, 4, 1))
    values.setdefault("end", date(2023, 3, 31))
    return service_row(**values)


@pytest.fixture(scope="module")
def kent_recon(tmp_path_factory: pytest.TempPathFactory) -> Reconciliation:
    folder = tmp_path_factory.mktemp("kent")
    path = make_workbook(
        folder,
        "kent-2022-23.xlsx",
        decision=KENT_DECISION,
        funds=[
            [
                "Victims Fund",
                Decimal("1151444.09"),
                "Domestic Violence, Crime and Victims Act 2004",
                "Victims' services for Kent.",
            ],
            ["Community Safety Fund", Decimal(300000), "s143 ASBCPA 2014", "Community safety."],
            [
                VRF,
                Decimal("250000.50"),
                "Home Office grant conditions",
                "Serious violence work.\n• Youth diversion\n• Knife crime education",
            ],
        ],
        sources=[
            ["Victims Fund", "MoJ Core Victims' Services Grant", Decimal(900000), "Yes", "MOJ-1"],
            [
                "Victims Fund",
                "MoJ Domestic Abuse and Sexual Violence Grant",
                Decimal(200000),
                "Yes",
                "MOJ-2",
            ],
            ["Victims Fund", "Local supplement", Decimal("51444.09"), "No", ""],
            ["Community Safety Fund", "Police main grant", Decimal(300000), "No", ""],
            [VRF, "Home Office Serious Violence Grant", Decimal("250000.50"), "Yes", "HO-7"],
        ],
        services=[
            _kent_line(
                service="Victim Care",
                organisation="Smith & Sons <Ltd>",
                provision="Support for victims <18 & families",
                budget=Decimal("700000.09"),
            ),
            _kent_line(
                service="Domestic Abuse Advocacy",
                organisation="Kent & Medway DA Service",
                extension_options="1 x 12 months option to 31/03/2024",
                budget=Decimal(300000),
            ),
            _kent_line(
                fund="Community Safety Fund",
                service="Street Pastors",
                organisation="Canterbury Street Pastors",
                mechanism="Grant",
                how_commissioned="Grant funded",
                purpose="Crime and disorder reduction",
                budget=Decimal(20000),
            ),
            _kent_line(
                fund=VRF,
                service="Youth Diversion",
                organisation="Kent County Council",
                organisation_type="Public sector",
                mechanism="Partnership agreement",
                how_commissioned="Partnership agreement",
                start="April 2022",
                end="March 2023",
                budget=Decimal("150000.25"),
            ),
        ],
    )
    loaded = load(path)
    assert loaded.plan is not None, loaded.findings
    recon = reconcile(loaded.plan)
    assert not [f for f in recon.findings if f.severity == "error"], recon.findings
    return recon


@pytest.fixture(scope="module")
def kent_doc(kent_recon: Reconciliation, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return render(kent_recon, tmp_path_factory.mktemp("kent-rfd"))


def test_another_plan_renders_its_own_area_funds_and_pence(kent_doc: Any) -> None:
    text = body_text(kent_doc)
    assert "POLICE AND CRIME COMMISSIONER FOR KENT" in text
    assert form_fields(kent_doc)["REF"] == "042/2022"
    assert form_fields(kent_doc)["DATE"] == "14 June 2022"
    headings = [
        p.text for p in kent_doc.paragraphs if p.style.name == "Heading 2" and " - £" in p.text
    ]
    assert headings == [
        "Victims Fund - £1,151,444.09",
        "Community Safety Fund - £300,000",
        "Violence Reduction Fund - £250,000.50",
    ]
    tables = service_tables(kent_doc)
    assert len(tables) == 3
    victims, csf, vrf = (rows(t) for t in tables)
    assert victims[0][-1] == "2022/23 budget (£)"
    assert victims[1] == [
        "Victim Care",
        "Smith & Sons <Ltd>",
        "Support for victims <18 & families",
        "01/04/2022",
        "31/03/2023",
        "Open procurement",
        "£700,000.09",
    ]
    assert victims[2][4] == "31/03/2023 (1 x 12 months option to 31/03/2024)"
    assert victims[-1] == ["Total", "", "", "", "", "", "£1,000,000.09"]
    assert csf[-1][-1] == "£20,000"
    assert vrf[1][3:5] == ["April 2022", "March 2023"]
    assert vrf[-1][-1] == "£150,000.25"
    assert "Youth diversion" in [
        p.text for p in kent_doc.paragraphs if p.style.name == "List Bullet"
    ]
    assert (
        "Provision for the proposals set out in the Commissioning Plan was made in the "
        "revenue budget for 2022/23 approved on 3 February 2022 (ref 007/2022)."
    ) in text
    assert rows(kent_doc.tables[1])[1][1].strip() == "Date"  # not yet signed
    assert kent_doc.core_properties.author == (
        "Office of the Police and Crime Commissioner for Kent"
    )
    assert kent_doc.sections[0].footer.paragraphs[0].text.startswith("REF 042/2022 — Page ")


def test_two_moj_streams_read_as_one_sentence(kent_doc: Any) -> None:
    sentences = [t for t in body_text(kent_doc) if "Ministry of Justice has confirmed" in t]
    assert sentences == [
        "For 2022/23 the Ministry of Justice has confirmed that the Kent allocations will be "
        "£0.900m for the Core Victims' Services Grant and £0.200m for the Domestic Abuse and "
        "Sexual Violence Grant (£1.100m in total). These Grants are supplemented locally to make "
        "available a Victims Fund of £1,151,444.09."
    ]


def test_another_plan_reconciliation(kent_doc: Any) -> None:
    funds = rows(table_starting(kent_doc, "Fund", "Allocation (£)", "Committed (£)", "% committed"))
    assert funds[1] == [
        "Victims Fund",
        "£1,151,444.09",
        "£1,000,000.09",
        "86.8%",
        "£151,444",
        "£99,999.91",
    ]
    assert funds[3] == [VRF, "£250,000.50", "£150,000.25", "60.0%", "£100,000.25", "£100,000.25"]
    assert funds[-1][:3] == ["Total", "£1,701,444.59", "£1,170,000.34"]


def test_moj_narrative_without_local_money() -> None:
    from pipeline.model import Fund, FundingSource, Located
    from pipeline.reconcile import FundReconciliation

    at = Located("Funding sources", 2)

    def source(name: str, amount: str) -> FundingSource:
        return FundingSource("Victims Fund", name, Decimal(amount), True, "", at)

    fund = Fund("Victims Fund", Decimal(884000), "", "", at)
    rec = FundReconciliation(
        fund=fund,
        lines=(),
        sources=(source("MoJ Victims' Grant", "884000"),),
        committed=Decimal(0),
        ring_fence=(),
        expiring=(),
    )
    assert moj_narrative(rec) == {
        "allocation": "Victims' Grant allocation will be £0.884m",
        "english": ("Victims' Grant allocation will be £0.884m",),
        "supplemented": False,
        "these": "This Grant is",
    }
    rec = dataclasses.replace(rec, sources=(source("Police grant", "1000"),))
    assert moj_narrative(rec) is None


def _victims(*sources: tuple[str, str, bool]) -> Any:
    from pipeline.model import Fund, FundingSource, Located
    from pipeline.reconcile import FundReconciliation

    at = Located("Funding sources", 2)
    return FundReconciliation(
        fund=Fund("Victims Fund", Decimal(2100000), "", "", at),
        lines=(),
        sources=tuple(
            FundingSource("Victims Fund", name, Decimal(amount), moj, "", at)
            for name, amount, moj in sources
        ),
        committed=Decimal(0),
        ring_fence=(),
        expiring=(),
    )


def test_a_nil_moj_grant_is_left_out_of_the_confirmed_allocations() -> None:
    """Acceptance 2, item 8: Essex's £0 "MoJ Domestic Abuse Safe Accommodation" row read
    "... allocations will be £1.650m for the Victims' Services Grant, £0.000m for the Domestic
    Abuse Safe Accommodation and £0.300m for the ISVA grant": the Ministry confirms what it
    gives, so a stream of nothing is left out of the sentence (the Funding sources keep it)."""
    vsg, isva = ("MoJ Victims' Services Grant", "1650000", True), ("MoJ ISVA grant", "300000", True)
    dasa, local = ("MoJ Domestic Abuse Safe Accommodation", "0", True), ("Local", "150000", False)
    narrative = moj_narrative(_victims(vsg, dasa, isva, local))
    assert narrative is not None
    assert narrative["allocation"] == (
        "allocations will be £1.650m for the Victims' Services Grant and £0.300m for the ISVA "
        "grant (£1.950m in total)"
    )
    assert (narrative["these"], narrative["supplemented"]) == ("These Grants are", True)
    # One stream left: the seed's own sentence; a £0 local row supplements nothing.
    narrative = moj_narrative(_victims(vsg, dasa, ("Local", "0", False)))
    assert narrative is not None
    assert narrative["allocation"] == "Victims' Services Grant allocation will be £1.650m"
    assert (narrative["these"], narrative["supplemented"]) == ("This Grant is", False)
    assert moj_narrative(_victims(dasa, local)) is None  # nothing confirmed: no sentence


def test_the_report_confirms_only_the_moj_grants_given(tmp_path: Path) -> None:
    def nil_grant(content: Any) -> None:
        content.sources.insert(1, ["Victims Fund", "MoJ ISVA grant", Decimal(0), "Yes", ""])

    loaded = load(make_workbook(tmp_path, edit=nil_grant))
    assert loaded.plan is not None, loaded.findings
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(reconcile(loaded.plan)), target)
    sentences = [t for t in body_text(Document(str(target))) if "has confirmed" in t]
    assert sentences == [  # the seed decision's words, the £0 grant not among them
        "For 2021/22 the Ministry of Justice has confirmed that the Lincolnshire Victims' "
        "Services Grant allocation will be £0.884m. This Grant is supplemented locally to make "
        "available a Victims Fund of £1,009,000."
    ]
    assert "£0.000m" not in xml_text(target)


def test_paragraphs_split_lines_and_bullets() -> None:
    assert paragraphs("One.\n\n• a\nTwo. • b • c") == [
        {"text": "One.", "bullet": False, "number": 1},
        {"text": "a", "bullet": True, "number": ""},
        {"text": "Two.", "bullet": False, "number": 2},
        {"text": "b", "bullet": True, "number": ""},
        {"text": "c", "bullet": True, "number": ""},
    ]


# -- the template is data ---------------------------------------------------------------------


def test_rewording_the_template_changes_the_output(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    old = "Through the review and evaluation arrangements as necessary."
    new = "Risks are managed through the OPCC risk register and reviewed quarterly."
    template = edited_template(tmp_path, replace_in_runs(old, new))
    text = body_text(render(sample_recon, tmp_path, template))
    assert new in text
    assert old not in text


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("{{ decision.reference }}", "{{ decision.refrence }}", "refrence"),
        ("{{ fund.allocation }}", "{{ fund.alocation }}", "alocation"),
        ("{{ year }}", "{{ yaer }}", "yaer"),
    ],
)
def test_a_misspelt_field_names_itself_and_the_template(
    sample_recon: Reconciliation, tmp_path: Path, old: str, new: str, field: str
) -> None:
    template = edited_template(tmp_path, replace_in_runs(old, new))
    with pytest.raises(TemplateError) as raised:
        render_docx(Report.of(sample_recon), tmp_path / "out.docx", template)
    message = str(raised.value)
    assert f'"{field}"' in message
    assert str(template) in message
    assert new in message  # the tag as typed, so it can be found in Word
    assert "object" not in message and "pipeline." not in message  # no Python in Word's terms
    assert not (tmp_path / "out.docx").exists()


def test_a_broken_tag_is_a_template_error(sample_recon: Reconciliation, tmp_path: Path) -> None:
    template = edited_template(
        tmp_path, replace_in_runs("{{ decision.subject }}", "{{ decision.subject }")
    )
    with pytest.raises(TemplateError, match="broken"):
        render_docx(Report.of(sample_recon), tmp_path / "out.docx", template)


def test_missing_or_unreadable_template(sample_recon: Reconciliation, tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        render_docx(Report.of(sample_recon), tmp_path / "out.docx", tmp_path / "nope.docx")
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(TemplateError, match=r"not a readable \.docx"):
        render_docx(Report.of(sample_recon), tmp_path / "out.docx", junk)


def test_renders_to_a_stream(sample_recon: Reconciliation) -> None:
    stream = io.BytesIO()
    render_docx(Report.of(sample_recon), stream)
    assert "£805,212" in [
        c.text
        for t in Document(io.BytesIO(stream.getvalue())).tables
        for row in t.rows
        for c in row.cells
    ]


def test_amounts_in_the_sample_round_trip(sample_doc: Any) -> None:
    # Every amount printed in the appendix reads back to the line's Decimal, and they add up.
    for table, total in zip(service_tables(sample_doc), ("805212", "464058"), strict=True):
        amounts = [parse_money(row[-1]) for row in rows(table)[1:-1]]
        assert sum(amounts, Decimal(0)) == Decimal(total)


def test_empty_lists_and_stray_control_characters_still_make_a_valid_document(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    decision = dataclasses.replace(
        sample_recon.decision,
        recommendations=(),
        executive_summary="",
        subject="Plan\a with a bell\x0c",
    )
    document = render(dataclasses.replace(sample_recon, decision=decision), tmp_path)
    # Word refuses a table cell without a paragraph; a loop over nothing must not leave one.
    assert not document.element.body.xpath(".//w:tc[not(w:p)]")
    assert form_fields(document)["SUBJECT"] == "Plan with a bell"
    assert form_fields(document)["RECOMMENDATIONS"] == ""


def test_the_rendered_document_is_released_before_render_docx_returns(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 10,000-line plan's Word tree is about 150 MB: it is dropped (its parts refer to each
    # other, so collected) and its memory handed back before the summary is built (#21).
    import gc
    import weakref

    from pipeline import render_docx as module
    from pipeline.docx_template import template_class

    made: list[weakref.ref[Any]] = []

    class Recorded(template_class()):  # type: ignore[misc]
        def render(self, *args: Any, **kwargs: Any) -> None:
            super().render(*args, **kwargs)
            made.append(weakref.ref(self.docx.part.package))  # it holds every part's XML

    monkeypatch.setattr(module, "template_class", lambda: Recorded)
    gc.disable()  # only render_docx's own collection may free it
    try:
        render_docx(Report.of(sample_recon), io.BytesIO())
        [package] = made
        assert package() is None
    finally:
        gc.enable()


def test_the_collector_is_paused_while_the_report_is_made_and_on_again_after(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its automatic passes walked every object of a 10,000-line build to free nothing; the
    # report frees what it made itself (pipeline.memory, #21).
    import gc

    from pipeline import docx_pack

    seen: list[bool] = []
    landscape = docx_pack.landscape_appendix

    def recorded(*args: Any) -> None:
        seen.append(gc.isenabled())
        landscape(*args)

    monkeypatch.setattr("pipeline.render_docx.landscape_appendix", recorded)
    render_docx(Report.of(sample_recon), io.BytesIO())
    assert seen == [False]
    assert gc.isenabled()


def test_an_appendix_line_offers_its_fields_as_attributes_and_keys(
    sample_recon: Reconciliation,
) -> None:
    # Jinja reads line.service as an attribute first, then as a key after an exception: for
    # 80,000 cells of a 10,000-line appendix the fields are attributes too (#21).
    from pipeline.docx_context import context

    first = context(Report.of(sample_recon))["funds"][0]["lines"][0]
    line = sample_recon.funds[0].lines[0]
    assert first.service == first["service"] == line.service
    assert first.budget == first["budget"] == "£260,000"
    assert dict(first) == {name: getattr(first, name) for name in first}
    assert set(first) >= {"organisation", "provision", "start", "end", "how_commissioned"}
    with pytest.raises(KeyError):
        first["misspelt"]


def test_a_fund_with_no_lines_says_so_instead_of_an_empty_table(tmp_path: Path) -> None:
    # A fund held for in-year commissioning has no lines yet: the appendix says so, rather
    # than "the following table details the services" above a table of headings and £0.
    from pipeline.new_workbook import WorkbookContent

    def held(content: WorkbookContent) -> None:
        content.funds = [*content.funds, ["Violence Reduction Fund", 50000, "", "In year."]]
        content.sources = [
            *content.sources,
            ["Violence Reduction Fund", "Home Office grant", 50000, "No", None],
        ]

    loaded = load(make_workbook(tmp_path, edit=held))
    assert loaded.plan is not None
    document = render(reconcile(loaded.plan), tmp_path)
    texts = [p.text for p in document.paragraphs]
    assert (
        "No services are commissioned through the Violence Reduction Fund in 2021/22: its "
        "£50,000 remains uncommitted." in texts
    )
    assert sum("The following table details" in t for t in texts) == 2  # the other two funds
    assert not [t for t in document.tables if "Violence Reduction Fund Commissioning" in t._tbl.xml]
    captions = [t for t in texts if t.endswith("Commissioning 2021/22")]
    assert captions == [
        "Victims Fund Commissioning 2021/22",
        "Community Safety Fund Commissioning 2021/22",
    ]


def _later_years_sentence(document: Any) -> str:
    [text] = [p.text for p in document.paragraphs if "commits money in later" in p.text]
    return str(text)


def test_the_later_years_are_said_to_be_at_the_yearly_rate_when_the_plan_types_none(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    sentence = _later_years_sentence(render(sample_recon, tmp_path))
    assert (
        "at each line's yearly rate this year (its cost this year for a whole year, by days for part of one) to its end date;"
        in sentence
    )
    assert "as the plan budgets them" not in sentence


def test_a_multi_year_plans_later_budgets_are_said_to_be_its_own(tmp_path: Path) -> None:
    # Its later years' figures are the plan's own where it types them; the sentence said
    # they were all this year's rate carried on.
    from tests.test_read_services import multi_year

    loaded = load(multi_year(tmp_path / "plan.xlsx", {"Restorative Justice": [80000, 60000]}))
    assert loaded.plan is not None, loaded.findings
    sentence = _later_years_sentence(render(reconcile(loaded.plan), tmp_path))
    assert "in later financial years, as the plan budgets them, and at each line's yearly" in (
        sentence
    )
    assert "where it gives no budget for a year; extension options are shown apart" in sentence
