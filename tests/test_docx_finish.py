"""The Word report's finish (#16, #19): equal bytes for equal input, metadata within Word's
limits, line breaks kept, and the accessibility checks with W-ACCESSIBILITY for a template that
breaks one."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from pipeline import batch
from pipeline.config import Config
from pipeline.docx_finish import CORE_PROPERTY_LIMIT, accessibility_problems
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import DEFAULT_TEMPLATE, render_docx
from pipeline.report import Report
from tests.embedded_objects import add_object
from tests.template_edits import edited, strategy_of


def render(recon: Reconciliation, target: Path, template: Path | None = None) -> list[str]:
    """The W-ACCESSIBILITY messages of rendering ``recon`` with ``template``."""
    notes = render_docx(Report.of(recon), target, template)
    return [note.message for note in notes if note.code == "W-ACCESSIBILITY"]


# A one-pixel PNG: a picture with no alternative text.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg=="
)


def paragraph(document: Any, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


# -- equal bytes --------------------------------------------------------------------------------


def test_two_builds_give_equal_bytes_dated_by_the_decision(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    render(sample_recon, tmp_path / "one.docx")
    render(sample_recon, tmp_path / "two.docx")
    assert (tmp_path / "one.docx").read_bytes() == (tmp_path / "two.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.docx") as archive:
        assert {m.date_time for m in archive.infolist()} == {(2021, 5, 28, 0, 0, 0)}
        assert archive.testzip() is None
    props = Document(str(tmp_path / "one.docx")).core_properties
    assert props.created == props.modified == dt.datetime(2021, 5, 28, tzinfo=dt.UTC)


# -- metadata -----------------------------------------------------------------------------------


def test_a_subject_longer_than_word_allows_builds_with_trimmed_properties(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    subject = "Commissioning Strategy and Plan " + "for victims and community safety " * 9
    assert len(subject) > 225
    decision = dataclasses.replace(
        sample_recon.decision, subject=subject, police_area="Lincolnshire " * 30
    )
    target = tmp_path / "long.docx"
    render(dataclasses.replace(sample_recon, decision=decision), target)
    document = Document(str(target))
    props = document.core_properties
    for value in (props.title, props.subject, props.keywords, props.author):
        assert len(value) <= CORE_PROPERTY_LIMIT
    assert props.subject.endswith("…") and props.subject.startswith("Commissioning Strategy")
    # The form prints the subject whole.
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert subject.strip() in [c.strip() for c in cells]


# -- line breaks --------------------------------------------------------------------------------


def test_line_breaks_in_narrative_cells_are_paragraphs_or_breaks(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    decision = dataclasses.replace(
        sample_recon.decision,
        executive_summary="First paragraph.\nSecond paragraph.",
        background="1. Our first point.\r\n2. Our second point.",
    )
    line = dataclasses.replace(sample_recon.funds[0].lines[0], provision="Outreach\nHelpline")
    fund = dataclasses.replace(
        sample_recon.funds[0], lines=(line, *sample_recon.funds[0].lines[1:])
    )
    recon = dataclasses.replace(
        sample_recon, decision=decision, funds=(fund, *sample_recon.funds[1:])
    )
    target = tmp_path / "breaks.docx"
    render(recon, target)
    document = Document(str(target))
    summary = document.tables[0].rows[5].cells[1]
    assert [p.text for p in summary.paragraphs] == ["First paragraph.", "Second paragraph."]
    texts = [p.text for p in document.paragraphs]
    assert "1.1 1. Our first point." in texts and "1.2 2. Our second point." in texts
    [cell] = [
        c for t in document.tables for row in t.rows for c in row.cells if "Outreach" in c.text
    ]
    assert cell._tc.xpath(".//w:br") and "Helpline" in cell.text


def test_bullets_typed_in_the_executive_summary_are_kept(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    decision = dataclasses.replace(
        sample_recon.decision,
        executive_summary="The plan:\n• funds two services;\n• leaves £50,000 uncommitted.",
    )
    target = tmp_path / "bullets.docx"
    render(dataclasses.replace(sample_recon, decision=decision), target)
    summary = Document(str(target)).tables[0].rows[5].cells[1]
    assert [p.text for p in summary.paragraphs] == [
        "The plan:",
        "• funds two services;",
        "• leaves £50,000 uncommitted.",
    ]


# -- accessibility ------------------------------------------------------------------------------


def test_the_sample_report_passes_the_accessibility_checks(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    target = tmp_path / "rfd.docx"
    assert render_docx(Report.of(sample_recon), target) == []  # no note of any kind
    document = Document(str(target))
    assert document.core_properties.title.startswith("Request for Decision 015/2021")
    assert document.core_properties.language == "en-GB"
    styles = [p.style.name if p.style is not None else "" for p in document.paragraphs]
    levels = [int(name.split()[-1]) for name in styles if name.startswith("Heading")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    body = document.element.body
    # A paragraph that only ends a section (after a table: Appendix 3's landscape pages) is
    # how a .docx marks a section break, not spacing.
    assert not [
        p
        for p in body.iterchildren(qn("w:p"))
        if not "".join(p.xpath(".//w:t/text()")).strip() and not p.xpath("./w:pPr/w:sectPr")
    ]
    data_tables = [
        t
        for t in document.tables
        if t.rows[0].cells[0].paragraphs[0].style.name.startswith("Table Heading")
    ]
    assert len(data_tables) >= 5
    assert all(t.rows[0]._tr.xpath("./w:trPr/w:tblHeader") for t in data_tables)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: setattr(
                paragraph(d, "A1. INTRODUCTION AND BACKGROUND"), "style", d.styles["Heading 3"]
            ),
            'The heading "A1. INTRODUCTION AND BACKGROUND" is at level 3 after a heading of level 1',
        ),
        (
            lambda d: paragraph(d, "D. PERSONNEL AND EQUALITIES ISSUES").insert_paragraph_before(
                ""
            ),
            "1 empty paragraph used for spacing",
        ),
        (
            lambda d: [
                t.rows[0]._tr.trPr.remove(t.rows[0]._tr.trPr.find(qn("w:tblHeader")))
                for t in d.tables
                if t.rows[0].cells[0].text == "Service Name"
            ],
            'The table headed "Service Name | Current Delivery Org. | Provision | Start ..."',
        ),
        (
            lambda d: (
                d.styles.element.find(qn("w:docDefaults"))
                .find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
                .set(qn("w:val"), "en-US")
            ),
            "default language is en-US",
        ),
    ],
    ids=["skipped heading", "empty paragraph", "no header row", "language"],
)
def test_a_template_that_breaks_a_check_is_named(
    sample_recon: Reconciliation, tmp_path: Path, change: Callable[[Any], None], expected: str
) -> None:
    template = edited(tmp_path, change)
    problems = render(sample_recon, tmp_path / "rfd.docx", template)
    assert any(expected in p for p in problems), problems


def test_a_skipped_heading_level_is_a_w_accessibility_finding_and_the_report_is_built(
    sample_path: Path, tmp_path: Path
) -> None:
    template = edited(
        tmp_path,
        lambda d: setattr(
            paragraph(d, "A1. INTRODUCTION AND BACKGROUND"), "style", d.styles["Heading 3"]
        ),
    )
    out = tmp_path / "out"
    [result], _ = batch.build([sample_path], out, Config(), template=template)
    assert result.status == "ok", result.findings
    [finding] = [f for f in result.findings if f.code == "W-ACCESSIBILITY"]
    assert "skips a level" in finding.message
    assert (out / "015-2021" / "RfD-015-2021.docx").is_file()


def test_the_checks_on_a_document_without_a_title() -> None:
    document = Document()
    document.core_properties.title = ""
    assert "The report has no title in its document properties." in accessibility_problems(document)


def test_headings_by_outline_level_and_in_table_cells_are_checked_in_order() -> None:
    # The heading check reaches paragraphs from their style and outline elements (not one by
    # one): a heading by outline level alone, or one in a table cell, is still seen in order.
    document = Document()
    document.core_properties.title = "Headings"
    document.add_heading("Top", level=1)
    outlined = document.add_paragraph("By outline level")
    outline = outlined._p.get_or_add_pPr().makeelement(qn("w:outlineLvl"), {qn("w:val"): "2"})
    outlined._p.get_or_add_pPr().append(outline)
    document.add_heading("Back to two", level=2)
    cell = document.add_table(rows=1, cols=1).rows[0].cells[0]
    cell.paragraphs[0].text = "Deep in a cell"
    cell.paragraphs[0].style = document.styles["Heading 4"]
    problems = accessibility_problems(document)
    assert [p.split(":")[0] for p in problems if "skips a level" in p] == [
        'The heading "By outline level" is at level 3 after a heading of level 1',
        'The heading "Deep in a cell" is at level 4 after a heading of level 2',
    ]


# python-docx's save, whose steps deterministic_docx takes without zipping twice (#21): a
# python-docx that changes them fails here. Check deterministic_docx still writes what save
# writes, then record the new sources' SHA-256.
PYTHON_DOCX_SAVE = {"PackageWriter.write": "8cc40741", "OpcPackage.save": "b25ab04b"}


def test_the_report_is_zipped_once_as_python_docx_saves_it(sample_recon: Reconciliation) -> None:
    import hashlib
    import inspect
    import io

    from docx.opc.package import OpcPackage
    from docx.opc.pkgwriter import PackageWriter

    from pipeline.docx_finish import deterministic_docx, deterministic_zip

    found = {
        f.__qualname__: hashlib.sha256(inspect.getsource(f).encode()).hexdigest()[:8]
        for f in (PackageWriter.write, OpcPackage.save)
    }
    assert found == PYTHON_DOCX_SAVE
    document = Document(str(DEFAULT_TEMPLATE))
    document.add_paragraph("A paragraph of its own")
    day = dt.date(2021, 5, 28)
    once = deterministic_docx(document, day)
    saved = io.BytesIO()
    document.save(saved)
    assert once == deterministic_zip(saved.getvalue(), day)
    with zipfile.ZipFile(io.BytesIO(once)) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in archive.infolist()} == {(2021, 5, 28, 0, 0, 0)}


def test_a_table_added_in_word_with_a_bold_first_row_must_mark_it_as_header(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Insert › Table, first row typed bold: a data table whose headings a screen reader does
    # not announce, and which do not repeat on the next page, unless the row is marked.
    def add_key_dates(document: Any) -> None:
        table = document.add_table(rows=3, cols=2)
        for row, (what, when) in enumerate(
            [("Milestone", "Date"), ("Tender", "01/06/2021"), ("Award", "01/09/2021")]
        ):
            for cell, text in zip(table.rows[row].cells, (what, when), strict=True):
                cell.paragraphs[0].add_run(text).bold = row == 0

    problems = render(sample_recon, tmp_path / "rfd.docx", edited(tmp_path, add_key_dates))
    assert problems == [
        'The table headed "Milestone | Date" does not mark its first row as a header row: in '
        "Word, Table Properties › Row › Repeat as header row."
    ]


# A 1 x 1 pixel PNG: a logo as far as Word and python-docx are concerned.
LOGO_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def test_a_logo_added_without_alternative_text_is_named(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    (tmp_path / "logo.png").write_bytes(base64.b64decode(LOGO_PNG))

    def add_logos(document: Any) -> None:
        header = document.sections[0].header
        header.add_paragraph().add_run().add_picture(str(tmp_path / "logo.png"))
        top = document.paragraphs[0].insert_paragraph_before()
        top.add_run().add_picture(str(tmp_path / "logo.png"))
        described = document.paragraphs[-1].add_run().add_picture(str(tmp_path / "logo.png"))
        described._inline.docPr.set("descr", "Police and Crime Commissioner crest")
        rule = document.paragraphs[-1].add_run().add_picture(str(tmp_path / "logo.png"))
        rule._inline.docPr.append(  # Word's "Mark as decorative"
            parse_xml(
                '<a:extLst xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
                '<a:ext uri="{C183D7F6-B498-43B3-948B-1728B52AA6E4}"><adec:decorative '
                'xmlns:adec="http://schemas.microsoft.com/office/drawing/2017/decorative" '
                'val="1"/></a:ext></a:extLst>'
            )
        )

    problems = render(sample_recon, tmp_path / "rfd.docx", edited(tmp_path, add_logos))
    named = [p.split('"')[1] for p in problems if "no alternative text" in p]
    # The body's and the header's; the described one and the decorative one pass.
    assert sorted(named) == ["Picture 1", "Picture 1"]
    assert all("Mark as decorative" in p for p in problems if "no alternative text" in p)


def test_a_picture_described_by_its_file_s_path_is_not_published_so(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Word 2007 and 2010 gave an inserted picture its file's path as name and alternative text:
    # a logo added then is described as C:\Users\<officer>\... in the published report, and a
    # screen reader reads the path out; the check took it for a description.
    (tmp_path / "logo.png").write_bytes(base64.b64decode(LOGO_PNG))
    path = r"C:\Users\jane.smith\Pictures\OPCC logo.png"

    def add_logo(document: Any) -> None:
        header = document.sections[0].header
        logo = header.add_paragraph().add_run().add_picture(str(tmp_path / "logo.png"))
        logo._inline.docPr.set("descr", path)
        logo._inline.docPr.set("name", path)
        logo._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("descr", path)
        logo._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("name", "OPCC logo.png")

    problems = render(sample_recon, tmp_path / "rfd.docx", edited(tmp_path, add_logo))
    with zipfile.ZipFile(tmp_path / "rfd.docx") as archive:
        assert not [n for n in archive.namelist() if b"jane.smith" in archive.read(n)]
    assert [p.split('"')[1] for p in problems if "no alternative text" in p] == ["Picture"]


# Where the office keeps the template: a records system's path and SharePoint's document link.
PLACES = (
    ("DMSPath", r"\\opcc-fs01\finance$\Templates\RfD.dotx"),
    ("_dlc_DocIdUrl", "https://lincspcc.sharepoint.com/sites/Finance/_layouts/15/DocIdRedir.aspx"),
)


def with_office_metadata(
    template: Path, target: Path, extra: tuple[tuple[str, str], ...] = ()
) -> Path:
    """``template`` as an office's Word saves it: a sensitivity label's custom properties (its
    owner's e-mail address among them) and the Manager property filled in; ``extra`` custom
    properties (name, text) after them."""
    more = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{4 + i}" '
        f'name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property>'
        for i, (name, value) in enumerate(extra)
    )
    custom = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://'
        'schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://'
        'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        'name="MSIP_Label_0f1e_Owner"><vt:lpwstr>jane.example@lincs.example.uk</vt:lpwstr>'
        '</property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" '
        f'name="MSIP_Label_0f1e_Name"><vt:lpwstr>OFFICIAL</vt:lpwstr></property>{more}'
        "</Properties>"
    )
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "_rels/.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/custom-properties" '
                    b'Target="docProps/custom.xml"/></Relationships>',
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
                )
            elif item.filename == "docProps/app.xml":
                data = data.replace(b"<Manager/>", b"<Manager>Jane Example</Manager>")
                if extra:  # File › Properties › Summary › Hyperlink base, a folder on the share
                    base = rb"<HyperlinkBase>\\opcc-fs01\finance$\</HyperlinkBase>"
                    data = data.replace(b"<HyperlinkBase/>", base)
            out.writestr(item, data)
        out.writestr("docProps/custom.xml", custom)
    return target


def test_personal_data_in_the_template_s_properties_is_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    template = with_office_metadata(DEFAULT_TEMPLATE, tmp_path / "template.docx")
    render(sample_recon, tmp_path / "rfd.docx", template)
    with zipfile.ZipFile(tmp_path / "rfd.docx") as archive:
        custom = archive.read("docProps/custom.xml")
        app = archive.read("docProps/app.xml")
    assert b"jane.example" not in custom and b"_Owner" not in custom
    assert b"OFFICIAL" in custom  # the label's name is no one's personal data: kept
    assert b"Jane Example" not in app


def test_where_the_office_keeps_its_files_is_not_in_the_published_properties(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    template = with_office_metadata(DEFAULT_TEMPLATE, tmp_path / "template.docx", PLACES)
    with zipfile.ZipFile(template) as archive:
        assert b"opcc-fs01" in archive.read("docProps/app.xml")
    render(sample_recon, tmp_path / "rfd.docx", template)
    with zipfile.ZipFile(tmp_path / "rfd.docx") as archive:
        custom = archive.read("docProps/custom.xml")
        app = archive.read("docProps/app.xml")
    for place in (b"opcc-fs01", b"sharepoint", b"DMSPath", b"_dlc_DocIdUrl"):
        assert place not in custom + app
    assert b"OFFICIAL" in custom
    assert b"<HyperlinkBase/>" in app


def test_passages_typed_in_us_english_are_named_and_welsh_is_not(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    def mark_languages(document: Any) -> None:
        for text, language in (
            ("D. PERSONNEL AND EQUALITIES ISSUES", "en-US"),
            ("E. REVIEW ARRANGEMENTS", "en-US"),
            ("F. RISK MANAGEMENT", "cy-GB"),  # a bilingual form's Welsh: meant
        ):
            run = paragraph(document, text).runs[0]
            properties = run._r.get_or_add_rPr()
            lang = properties.makeelement(qn("w:lang"), {qn("w:val"): language})
            properties.append(lang)

    problems = render(sample_recon, tmp_path / "rfd.docx", edited(tmp_path, mark_languages))
    assert [p.split(":")[0] for p in problems] == [
        "The template marks 2 passages as en-US, not English (United Kingdom)"
    ]


SHAREPOINT_PROPERTIES = (
    '<?xml version="1.0" encoding="utf-8"?><p:properties xmlns:p="http://schemas.microsoft.com'
    '/office/2006/metadata/properties" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<documentManagement><SharedWithUsers xmlns="3c2e"><UserInfo><DisplayName>Jane Smith'
    "</DisplayName><AccountId>15</AccountId></UserInfo></SharedWithUsers><_dlc_DocIdUrl "
    'xmlns="http://schemas.microsoft.com/sharepoint/v3"><Url>https://lincspcc.sharepoint.com/'
    "sites/Finance/_layouts/15/DocIdRedir.aspx?ID=FIN-12-34</Url></_dlc_DocIdUrl>"
    "</documentManagement></p:properties>"
)


def test_a_sharepoint_template_s_library_columns_are_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # A template kept in a SharePoint or OneDrive library carries the library's columns in a
    # custom XML part: the people it was shared with by name, its document link. Word shows
    # none of it; it travelled in every published report.
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    def keep_in_sharepoint(document: Any) -> None:
        item = Part(
            PackURI("/customXml/item9.xml"),
            "application/xml",
            SHAREPOINT_PROPERTIES.encode("utf-8"),
            document.part.package,
        )
        document.part.relate_to(
            item, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
        )

    template = edited(tmp_path, keep_in_sharepoint)
    with zipfile.ZipFile(template) as archive:
        assert b"Jane Smith" in archive.read("customXml/item9.xml")
    render(sample_recon, tmp_path / "rfd.docx", template)
    with zipfile.ZipFile(tmp_path / "rfd.docx") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for leak in (b"Jane Smith", b"sharepoint", b"item9"):
        assert not [name for name, blob in parts.items() if leak in blob], leak
    document = Document(str(tmp_path / "rfd.docx"))  # still a document Word opens
    assert document.core_properties.title.startswith("Request for Decision 015/2021")


@pytest.mark.parametrize(("language", "said"), [("cy-GB", "cy-GB"), ("en-US", "en-GB")])
def test_a_welsh_body_s_form_in_welsh_is_said_to_be_welsh(
    sample_recon: Reconciliation, tmp_path: Path, language: str, said: str
) -> None:
    # A Welsh body's template set in Welsh was told to set English (United Kingdom), and its
    # report's properties said English; a template in US English is still told.
    def set_default_language(document: Any) -> None:
        for lang in document.styles.element.xpath("./w:docDefaults//w:lang"):
            lang.set(qn("w:val"), language)

    target = tmp_path / "rfd.docx"
    problems = render(sample_recon, target, edited(tmp_path, set_default_language))
    told = [p.split(":")[0] for p in problems if "default language" in p]
    if language == "cy-GB":
        assert told == []
    else:
        assert told == [
            f"The template's default language is {language}, not English (United Kingdom) or Welsh"
        ]
    assert Document(str(target)).core_properties.language == said


def test_an_object_or_an_older_word_s_picture_is_not_an_empty_paragraph() -> None:
    # A paragraph holding only an object (Insert › Object) or a picture as Word 2003 and
    # compatibility mode write it (VML, w:pict) was "an empty paragraph used for spacing";
    # such a picture without alternative text was not named at all.
    document = Document()
    document.core_properties.title = "Pictures"
    add_object(document)  # its picture described: alt="Allocation by fund"
    document.add_paragraph()._p.append(
        parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office"><w:pict>'
            '<v:shape id="_x0000_i1026" style="width:60pt;height:30pt">'
            '<v:imagedata o:title="OPCC logo"/></v:shape></w:pict></w:r>'
        )
    )
    problems = accessibility_problems(document)
    assert not [p for p in problems if "empty paragraph" in p], problems
    assert [p.split(":")[0] for p in problems if "alternative text" in p] == [
        'The picture "OPCC logo" has no alternative text'
    ]


def test_the_strategy_s_accessibility_problems_are_said_to_be_in_the_strategy(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # A strategy's skipped heading level, its empty paragraphs and its picture without alt
    # text were each told to be corrected "in the template", where the officer finds nothing;
    # its table without a header row was not said to be the strategy's.
    def spaced(strategy: Any) -> None:
        strategy.add_paragraph("")
        strategy.add_paragraph("")
        strategy.add_heading("Deep", level=3)
        strategy.add_picture(io.BytesIO(PIXEL))
        table = strategy.add_table(rows=2, cols=2)
        for cell, text in zip(table.rows[0].cells, ("Outcome", "Measure"), strict=True):
            cell.paragraphs[0].add_run(text).bold = True  # typed as headings, not marked

    report = dataclasses.replace(Report.of(sample_recon), strategy=strategy_of(tmp_path, spaced))
    template = edited(
        tmp_path,
        lambda d: paragraph(d, "D. PERSONNEL AND EQUALITIES ISSUES").insert_paragraph_before(""),
    )
    out = io.BytesIO()
    notes = [n.message for n in render_docx(report, out, template) if n.code == "W-ACCESSIBILITY"]
    assert notes == [
        'The heading "Deep" is at level 3 after a heading of level 1: a screen reader\'s '
        "outline skips a level. Use Heading 2 for it in the Strategy document strategy.docx.",
        'The table headed "Outcome | Measure" in the Strategy document strategy.docx does not '
        "mark its first row as a header row: in Word, Table Properties › Row › Repeat as header "
        "row.",
        "The report has 1 empty paragraph used for spacing: screen readers announce each as a "
        "blank line. Delete them in the template and set the space before or after in the "
        "paragraph style instead.",
        "The report has 2 empty paragraphs used for spacing: screen readers announce each as a "
        "blank line. Delete them in the Strategy document strategy.docx and set the space "
        "before or after in the paragraph style instead.",
        'The picture "Picture 1" in the Strategy document strategy.docx has no alternative '
        "text: a screen reader cannot say what it shows. In Word, right-click it › View Alt "
        "Text and describe it, or tick Mark as decorative if it only decorates (LibreOffice: "
        "right-click › Properties › Options).",
    ]
    assert b"pcc-report" not in zipfile.ZipFile(out).read("word/document.xml")


def test_a_header_row_with_a_blank_heading_is_named(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # The officer declaration's label column had no heading (as the seed's form): a screen
    # reader announced a blank column header before each officer's declaration.
    def blank_first_heading(document: Any) -> None:
        table = next(t for t in document.tables if t.rows[0].cells[1].text == "Initial to confirm")
        for run in table.rows[0].cells[0].paragraphs[0].runs:
            run.text = ""

    problems = render(sample_recon, tmp_path / "rfd.docx", edited(tmp_path, blank_first_heading))
    assert problems == [
        'The table headed " | Initial to confirm" has no heading in column 1 of its header row: '
        "a screen reader announces a blank column header for every cell below it. Type a "
        "heading that names what the column holds."
    ]
