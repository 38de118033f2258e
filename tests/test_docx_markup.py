"""The Word template as a finance officer leaves it: tracked changes not accepted, comments left
in, a copy saved as .doc or .odt. The report is published, so none of that markup may reach it;
the build says what to tidy in Word (W-TEMPLATE)."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from pipeline import batch, find_template_dir
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import DEFAULT_TEMPLATE, Note, TemplateError, render_docx
from pipeline.report import Report
from tests.embedded_objects import CHART_FIGURES, add_chart, add_object
from tests.template_edits import edited, retyped, strategy_of

PLAN_INTRO = "The Commissioning Plan details the commissioning approach and budget for {{ year }}."
RENDERED_INTRO = "The Commissioning Plan details the commissioning approach and budget for 2021/22."


def paragraph(document: Any, text: str) -> Any:
    """The template's paragraph (body or table cell) whose text is ``text``, as XML."""
    return next(
        p
        for p in document.element.body.iter(qn("w:p"))
        if "".join(p.xpath(".//w:t/text()")) == text
    )


def revision(tag: str, ident: int) -> Any:
    element = OxmlElement(tag)
    element.set(qn("w:id"), str(ident))
    element.set(qn("w:author"), "Jane Example")
    element.set(qn("w:date"), "2021-05-01T10:00:00Z")
    return element


def run_of(text: str, deleted: bool = False) -> Any:
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    run.append(t)
    return run


def rendered(recon: Reconciliation, template: Path) -> tuple[Any, list[Note], bytes]:
    out = io.BytesIO()
    notes = render_docx(Report.of(recon), out, template)
    return Document(io.BytesIO(out.getvalue())), notes, out.getvalue()


def texts(document: Any) -> list[str]:
    return ["".join(p.xpath(".//w:t/text()")) for p in document.element.body.iter(qn("w:p"))]


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# -- tracked changes ----------------------------------------------------------------------------


def tracked(insertion: str, deletion: str) -> Callable[[Any], None]:
    """An edit of the plan's introduction under Track Changes: ``insertion`` typed at its end
    and ``deletion`` deleted there."""

    def change(document: Any) -> None:
        intro = paragraph(document, PLAN_INTRO)
        inserted = revision("w:ins", 1)
        inserted.append(run_of(insertion))
        removed = revision("w:del", 2)
        removed.append(run_of(deletion, deleted=True))
        intro.append(inserted)
        intro.append(removed)

    return change


track_an_insertion_and_a_deletion = tracked(
    " Reviewed by the Chief Finance Officer.", " Draft: ask Jane about the MoJ letter."
)


def test_tracked_changes_are_accepted_and_the_build_says_so(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    template = edited(tmp_path, track_an_insertion_and_a_deletion)
    document, notes, data = rendered(sample_recon, template)
    assert RENDERED_INTRO + " Reviewed by the Chief Finance Officer." in texts(document)
    body = members(data)["word/document.xml"]
    for leftover in (b"<w:ins ", b"<w:del ", b"delText", b"Jane", b"MoJ letter"):
        assert leftover not in body
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert "2 tracked changes not yet accepted" in notes[0].message
    assert "Accept All Changes" in notes[0].message


def test_a_paragraph_deleted_with_track_changes_is_gone_not_left_empty(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Word marks a deleted paragraph by its runs in <w:del> and its paragraph mark deleted.
    def delete_the_intro(document: Any) -> None:
        intro = paragraph(document, PLAN_INTRO)
        removed = revision("w:del", 3)
        for run in intro.findall(qn("w:r")):
            for t in run.findall(qn("w:t")):
                t.tag = qn("w:delText")
            removed.append(run)
        intro.append(removed)
        mark = intro.get_or_add_pPr().makeelement(qn("w:rPr"), {})
        mark.append(revision("w:del", 4))
        intro.get_or_add_pPr().append(mark)

    document, notes, _ = rendered(sample_recon, edited(tmp_path, delete_the_intro))
    assert not any("commissioning approach" in t for t in texts(document))
    assert [n.code for n in notes] == ["W-TEMPLATE"]  # no empty paragraph (W-ACCESSIBILITY)


def test_a_field_deleted_with_track_changes_is_not_rendered(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    def delete_the_year(document: Any) -> None:
        intro = paragraph(document, PLAN_INTRO)
        text = intro.find(f"{qn('w:r')}/{qn('w:t')}")
        text.text = "The Commissioning Plan details the commissioning approach and budget"
        removed = revision("w:del", 5)
        removed.append(run_of(" for {{ year }}", deleted=True))
        intro.append(removed)
        intro.append(run_of("."))

    document, _, data = rendered(sample_recon, edited(tmp_path, delete_the_year))
    assert "The Commissioning Plan details the commissioning approach and budget." in texts(
        document
    )
    assert b"delText" not in members(data)["word/document.xml"]


def test_a_table_row_deleted_with_track_changes_is_gone(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    def delete_the_total_row(document: Any) -> None:
        cell = paragraph(document, "{{ totals.headroom }}")
        row = next(a for a in cell.iterancestors() if a.tag == qn("w:tr"))
        properties = row.find(qn("w:trPr"))
        if properties is None:
            properties = OxmlElement("w:trPr")
            row.insert(0, properties)
        properties.append(revision("w:del", 6))

    document, notes, _ = rendered(sample_recon, edited(tmp_path, delete_the_total_row))
    funds = next(t for t in document.tables if t.rows[0].cells[0].text == "Fund")
    assert [r.cells[0].text for r in funds.rows] == [
        "Fund",
        "Victims Fund",
        "Community Safety Fund",
    ]
    assert "1 tracked change not" in notes[0].message


def test_a_tracked_change_in_the_footer_is_accepted(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    def insert_in_footer(document: Any) -> None:
        footer = document.sections[0].footer.paragraphs[0]._p
        inserted = revision("w:ins", 7)
        inserted.append(run_of(" OFFICIAL"))
        footer.append(inserted)

    document, notes, data = rendered(sample_recon, edited(tmp_path, insert_in_footer))
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.endswith(" OFFICIAL")
    assert not any(b"<w:ins " in blob for name, blob in members(data).items() if "footer" in name)
    assert [n.code for n in notes] == ["W-TEMPLATE"]


def test_track_changes_left_on_in_the_template_is_off_in_the_report(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    def turn_tracking_on(document: Any) -> None:
        document.settings.element.append(OxmlElement("w:trackRevisions"))

    _, notes, data = rendered(sample_recon, edited(tmp_path, turn_tracking_on))
    assert b"trackRevisions" not in members(data)["word/settings.xml"]
    assert notes == []  # nothing pending: nothing to tell


# -- comments -----------------------------------------------------------------------------------


def comment_on_the_intro(document: Any) -> None:
    intro = Paragraph(paragraph(document, PLAN_INTRO), document.part)
    document.add_comment(
        intro.runs,
        text="Check the MoJ figure with Jane first",
        author="Jane Example",
        initials="JE",
    )


def test_a_comment_is_left_out_of_the_report_and_the_build_says_so(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    document, notes, data = rendered(sample_recon, edited(tmp_path, comment_on_the_intro))
    parts = members(data)
    assert not [name for name in parts if "comment" in name or "people" in name]
    assert b"comment" not in parts["word/document.xml"]
    assert b"comments" not in parts["[Content_Types].xml"]
    assert not any(b"Jane" in blob for blob in parts.values())
    assert RENDERED_INTRO in texts(document)
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert "holds 1 comment, left out of the report" in notes[0].message


def test_the_build_records_w_template_and_publishes_no_markup(
    sample_path: Path, tmp_path: Path
) -> None:
    def both(document: Any) -> None:
        comment_on_the_intro(document)
        track_an_insertion_and_a_deletion(document)

    template = edited(tmp_path / "templates", both)
    [result], _ = batch.build([sample_path], tmp_path / "out", Config(), template=template)
    assert result.status == "ok", result.findings
    found = [f for f in result.findings if f.code == "W-TEMPLATE"]
    assert len(found) == 2 and {f.severity.value for f in found} == {"warning"}
    report = (tmp_path / "out" / "015-2021" / "RfD-015-2021.docx").read_bytes()
    assert not any(b"Jane" in blob for blob in members(report).values())
    review = Document(str(tmp_path / "out" / "015-2021" / "review-015-2021.docx"))
    cells = [c.text for t in review.tables for r in t.rows for c in r.cells]
    assert any("Delete All Comments" in c for c in cells)


# -- hidden text --------------------------------------------------------------------------------


def hide_a_note_in_the_intro(document: Any) -> None:
    # An officer's note formatted Font › Hidden: Word shows nothing, but the text travels in the
    # file (Word's Document Inspector lists it as something to remove before publishing).
    intro = paragraph(document, PLAN_INTRO)
    note = run_of(" Internal: the MoJ figure is disputed, ask Jane.")
    properties = OxmlElement("w:rPr")
    properties.append(OxmlElement("w:vanish"))
    note.insert(0, properties)
    intro.append(note)
    # A whole paragraph hidden, its mark too, after the intro.
    hidden = OxmlElement("w:p")
    mark = OxmlElement("w:pPr")
    mark_properties = OxmlElement("w:rPr")
    mark_properties.append(OxmlElement("w:vanish"))
    mark.append(mark_properties)
    hidden.append(mark)
    whole = run_of("Draft figures, not for publication.")
    whole.insert(0, OxmlElement("w:rPr"))
    whole[0].append(OxmlElement("w:vanish"))
    hidden.append(whole)
    intro.addnext(hidden)
    # Text marked not hidden (w:val="0", as Word writes to undo a style's hiding) stays.
    shown = run_of(" Shown.")
    shown.insert(0, OxmlElement("w:rPr"))
    shown[0].append(OxmlElement("w:vanish"))
    shown[0][0].set(qn("w:val"), "0")
    intro.append(shown)


def test_hidden_text_is_left_out_of_the_report_and_the_build_says_so(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    document, notes, data = rendered(sample_recon, edited(tmp_path, hide_a_note_in_the_intro))
    body = members(data)["word/document.xml"]
    for leftover in (b"disputed", b"Jane", b"Draft figures", b"<w:vanish/>"):
        assert leftover not in body
    assert RENDERED_INTRO + " Shown." in texts(document)
    assert "" not in texts(document)[texts(document).index(RENDERED_INTRO + " Shown.") + 1 :][:1]
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert "holds 2 passages of hidden text, left out of the report" in notes[0].message
    assert "Font" in notes[0].message


def attach_a_template_from_the_officers_profile(document: Any) -> None:
    # A template made from the office's own Word template keeps a link to it, by its path in
    # the officer's profile; a records system leaves document variables (author, file path).
    settings = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/settings")
    )
    rid = settings.rels.get_or_add_ext_rel(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate",
        "file:///C:/Users/jane.smith/Documents/Custom%20Office%20Templates/OPCC.dotx",
    )
    attached = OxmlElement("w:attachedTemplate")
    attached.set(qn("r:id"), rid)
    settings.element.append(attached)
    variables = OxmlElement("w:docVars")
    variable = OxmlElement("w:docVar")
    variable.set(qn("w:name"), "DMSAuthor")
    variable.set(qn("w:val"), "jane.smith@example.police.uk")
    variables.append(variable)
    settings.element.append(variables)


def test_the_templates_link_and_variables_are_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    template = edited(tmp_path, attach_a_template_from_the_officers_profile)
    assert b"jane.smith" in members(template.read_bytes())["word/_rels/settings.xml.rels"]
    _, _, data = rendered(sample_recon, template)
    parts = members(data)
    assert not [name for name, blob in parts.items() if b"jane.smith" in blob]
    assert b"attachedTemplate" not in parts["word/settings.xml"]
    assert b"docVar" not in parts["word/settings.xml"]


# -- saved in another format --------------------------------------------------------------------


def fake_doc(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))


def fake_odt(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")


@pytest.mark.parametrize(
    ("make", "kind"),
    [(fake_doc, "a Word 97-2003 document (.doc)"), (fake_odt, "an OpenDocument text (.odt)")],
)
def test_a_doc_or_odt_saved_under_the_docx_name_is_named_as_such(
    sample_recon: Reconciliation, tmp_path: Path, make: Callable[[Path], None], kind: str
) -> None:
    template = tmp_path / "request-for-decision.docx"
    make(template)
    with pytest.raises(TemplateError) as raised:
        render_docx(Report.of(sample_recon), io.BytesIO(), template)
    assert f"is {kind} under a .docx name" in str(raised.value)
    assert "File › Save As, type Word Document (.docx)" in str(raised.value)


def test_a_template_saved_only_as_odt_is_named_when_the_docx_is_missing(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    fake_odt(tmp_path / "request-for-decision.odt")
    with pytest.raises(TemplateError) as raised:
        render_docx(Report.of(sample_recon), io.BytesIO(), tmp_path / "request-for-decision.docx")
    message = str(raised.value)
    assert "but request-for-decision.odt (an OpenDocument text (.odt))" in message
    assert "name request-for-decision.docx" in message


def test_a_newer_copy_saved_as_doc_beside_the_template_is_a_warning(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    template = edited(tmp_path, lambda d: None)
    older = tmp_path / "request-for-decision.odt"
    fake_odt(older)
    newer = tmp_path / "request-for-decision.doc"
    fake_doc(newer)
    stamp = template.stat().st_mtime_ns
    os.utime(older, ns=(stamp - 10**9, stamp - 10**9))  # saved before the .docx: not named
    os.utime(newer, ns=(stamp + 10**9, stamp + 10**9))
    _, notes, _ = rendered(sample_recon, template)
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert notes[0].message.startswith(
        "request-for-decision.doc, a Word 97-2003 document (.doc) beside the Word template, "
        "was saved after it; the report is built from request-for-decision.docx"
    )


def test_the_committed_template_gives_no_note(sample_recon: Reconciliation) -> None:
    _, notes, _ = rendered(sample_recon, DEFAULT_TEMPLATE)
    assert notes == []


def test_markup_is_accepted_on_a_copy_of_the_template_only(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    template = edited(tmp_path, track_an_insertion_and_a_deletion)
    before = template.read_bytes()
    rendered(sample_recon, template)
    assert template.read_bytes() == before  # the officer's file is never rewritten


def test_a_templates_folder_holding_the_template_saved_as_odt_is_still_the_offices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not the packaged wording without a word: the build then names the .odt to save as .docx.
    monkeypatch.delenv("PCC_TEMPLATES", raising=False)
    own = tmp_path / "templates"
    own.mkdir()
    fake_odt(own / "request-for-decision.odt")
    assert find_template_dir(tmp_path) == own.resolve()


def test_the_strategy_composed_into_the_pack_publishes_no_markup(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    strategy = Document()
    strategy.add_heading("Commissioning Strategy", level=1)
    principle = strategy.add_paragraph("Services are commissioned openly.")
    strategy.add_comment(principle.runs, text="Jane: still true?", author="Jane Example")
    inserted = revision("w:ins", 8)
    inserted.append(run_of(" And fairly."))
    principle._p.append(inserted)
    strategy.save(str(tmp_path / "strategy.docx"))
    report = dataclasses.replace(Report.of(sample_recon), strategy=tmp_path / "strategy.docx")
    out = io.BytesIO()
    notes = render_docx(report, out, DEFAULT_TEMPLATE)
    parts = members(out.getvalue())
    assert not any(b"Jane" in blob for blob in parts.values())
    assert b"commentReference" not in parts["word/document.xml"]
    assert "Services are commissioned openly. And fairly." in texts(Document(out))
    assert [n.message.split(" holds ")[0] for n in notes] == [
        "The Strategy document strategy.docx",
        "The Strategy document strategy.docx",
    ]
    assert (
        "1 tracked change not yet accepted: the report is built as if it were" in notes[0].message
    )


def test_the_template_s_preview_picture_is_not_the_report_s(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Word for Mac saves a picture of the first page with the file: the template's, tags and all.
    with zipfile.ZipFile(DEFAULT_TEMPLATE) as archive:
        assert "docProps/thumbnail.jpeg" in archive.namelist()
    _, _, data = rendered(sample_recon, DEFAULT_TEMPLATE)
    parts = members(data)
    assert not [name for name in parts if "thumbnail" in name]
    assert b"thumbnail" not in parts["_rels/.rels"] + parts["[Content_Types].xml"]


@pytest.mark.parametrize(
    "heading",
    ["Annex A: Commissioning Plan {{ year_span }}", "Commissioning Plan {{ year }}"],
)
def test_the_strategy_goes_before_the_plan_appendix_however_its_heading_is_reworded(
    sample_recon: Reconciliation, tmp_path: Path, heading: str
) -> None:
    # Headings may be edited freely (README): the pack found the appendix by "Appendix 3" and,
    # without it, put the strategy after the plan and left the plan's pages portrait.
    reword = retyped("Appendix {{ appendix }}: Commissioning Plan {{ year_span }}", heading)
    strategy = Document()
    strategy.add_heading("Commissioning Strategy", level=1)
    strategy.add_paragraph("Services are commissioned openly.")
    strategy.save(str(tmp_path / "strategy.docx"))
    report = dataclasses.replace(Report.of(sample_recon), strategy=tmp_path / "strategy.docx")
    out = io.BytesIO()
    render_docx(report, out, edited(tmp_path, reword))
    document = Document(out)
    order = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    plan = next(t for t in order if "Commissioning Plan 20" in t)
    assert order.index("Commissioning Strategy") < order.index(plan)
    assert any(s.orientation == WD_ORIENT.LANDSCAPE for s in document.sections)  # the plan
    assert b"_PlanAppendix" not in members(out.getvalue())["word/document.xml"]


def test_template_fields_names_an_odt_saved_under_the_docx_name(tmp_path: Path) -> None:
    # It printed no field at all and exited 0: "the template uses nothing".
    template = tmp_path / "request-for-decision.docx"
    fake_odt(template)
    result = CliRunner().invoke(cli, ["template-fields", "--template", str(template)])
    assert result.exit_code == 2
    assert "is an OpenDocument text (.odt) under a .docx name" in result.output


def test_template_fields_reads_the_template_as_the_build_does(tmp_path: Path) -> None:
    # A field deleted under Track Changes was listed (the deleted text is still in the file)
    # though the build, which accepts the changes, never uses it.
    edit = tracked(" {{ decision.added_field }}", " {{ decision.dropped_field }}")
    template = edited(tmp_path, edit)
    result = CliRunner().invoke(cli, ["template-fields", "--template", str(template)])
    assert result.exit_code == 0, result.output
    listed = result.output.splitlines()
    assert "decision.added_field" in listed and "year" in listed
    assert "decision.dropped_field" not in listed


# -- links to the office's own files ------------------------------------------------------------


def linked(target: str, text: str, after: str = PLAN_INTRO) -> Callable[[Any], None]:
    """A link typed after the paragraph ``after``, as Word makes one (Insert › Link, or typed
    and turned into a link by AutoFormat): a w:hyperlink naming an external relationship."""

    def change(document: Any) -> None:
        intro = paragraph(document, after)
        rid = document.part.relate_to(
            target,
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
            is_external=True,
        )
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        link.append(run_of(text))
        intro.append(run_of(" See "))
        intro.append(link)

    return change


SHARE = r"\\opcc-fs01\finance$\Commissioning\Plan 2021-22.xlsx"


@pytest.mark.parametrize(
    ("target", "text", "shown"),
    [
        ("file:///S:/Finance/Commissioning/Plan%202021-22.xlsx", "the plan", "the plan"),
        (SHARE, "the plan", "the plan"),
        ("../Finance/Commissioning/Plan%202021-22.xlsx", "the plan", "the plan"),
        (SHARE, SHARE, "[removed]"),  # Word's AutoFormat links a typed path to itself
    ],
)
def test_a_link_to_a_file_on_the_office_network_is_not_published(
    sample_recon: Reconciliation, tmp_path: Path, target: str, text: str, shown: str
) -> None:
    template = edited(tmp_path, linked(target, text))
    document, notes, data = rendered(sample_recon, template)
    parts = members(data)
    for path in (b"opcc-fs01", b"Finance/Commissioning", b"Plan 2021-22", b"Plan%202021-22"):
        assert not [name for name, blob in parts.items() if path in blob]
    assert RENDERED_INTRO + " See " + shown in texts(document)
    assert b"<w:hyperlink" not in parts["word/document.xml"]
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert notes[0].message.startswith(
        "The Word template request-for-decision.docx holds 1 link to a file rather than a web "
        f"page ({target})"
    )
    assert "Remove Hyperlink" in notes[0].message


def test_a_link_to_a_web_page_or_a_mailbox_is_kept(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    page = "https://www.lincolnshire-pcc.gov.uk/transparency/decisions/"
    template = edited(tmp_path, linked(page, "the decisions page"))
    _, notes, data = rendered(sample_recon, template)
    assert notes == []
    assert page.encode() in members(data)["word/_rels/document.xml.rels"]
    assert b"<w:hyperlink" in members(data)["word/document.xml"]


def field(instruction: str, shown: str) -> list[Any]:
    """A field as Word writes it: begin, its instruction, separate, what it shows, end."""
    runs = []
    for kind in ("begin", None, "separate", "shown", "end"):
        run = OxmlElement("w:r")
        if kind == "shown":
            run = run_of(shown)
        elif kind is None:
            code = OxmlElement("w:instrText")
            code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            code.text = instruction
            run.append(code)
        else:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run.append(mark)
        runs.append(run)
    return runs


def test_a_table_pasted_from_excel_with_a_link_keeps_its_figures_not_the_link(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Paste Special › Paste Link: a LINK field naming the workbook on the share, in the footer.
    instruction = (
        r' LINK Excel.Sheet.12 "\\\\opcc-fs01\\finance$\\Budget 2021.xlsx" '
        r'"Funds!R1C1:R3C2" \a \f 4 \h '
    )

    def paste_linked(document: Any) -> None:
        footer = document.sections[0].footer.paragraphs[0]._p
        for run in field(instruction, "Budget £1,565,000"):
            footer.append(run)
        page = document.sections[0].footer.paragraphs[0]._p
        for run in field(" PAGE ", "1"):
            page.append(run)

    template = edited(tmp_path, paste_linked)
    _, notes, data = rendered(sample_recon, template)
    footers = [blob for name, blob in members(data).items() if name.startswith("word/footer")]
    assert not [blob for blob in footers if b"opcc-fs01" in blob]
    assert [blob for blob in footers if b"Budget \xc2\xa31,565,000" in blob]
    assert [blob for blob in footers if b" PAGE " in blob]  # a field naming no file stays
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert r"(\\opcc-fs01\finance$\Budget 2021.xlsx)" in notes[0].message
    assert "Break Link" in notes[0].message


def test_the_strategy_s_links_to_files_are_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    strategy = Document()
    strategy.add_heading("Commissioning Strategy", level=1)
    strategy.add_paragraph("Services are commissioned openly.")
    linked(SHARE, SHARE, after="Services are commissioned openly.")(strategy)
    strategy.save(str(tmp_path / "strategy.docx"))
    report = dataclasses.replace(Report.of(sample_recon), strategy=tmp_path / "strategy.docx")
    out = io.BytesIO()
    notes = render_docx(report, out, DEFAULT_TEMPLATE)
    assert not [n for n, blob in members(out.getvalue()).items() if b"opcc-fs01" in blob]
    assert "Services are commissioned openly. See [removed]" in texts(Document(out))
    assert [n.message.split(" holds ")[0] for n in notes] == ["The Strategy document strategy.docx"]


def test_fields_showing_a_person_or_a_path_are_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # A footer as offices write it: the file's path and its author (Insert › Quick Parts ›
    # Field). The report carried the template's path and its author's name as the fields'
    # saved text, and LibreOffice printed the folder the PDF was made in.
    def footer_fields(document: Any) -> None:
        footer = document.sections[0].footer.paragraphs[0]._p
        for instruction, shown in (
            (" FILENAME \\p \\* MERGEFORMAT ", r"S:\Commissioning\Templates\RfD.docx"),
            (" AUTHOR ", "Jane Example"),
            (" PAGE ", "1"),
        ):
            for run in field(instruction, shown):
                footer.append(run)
        simple = OxmlElement("w:fldSimple")
        simple.set(qn("w:instr"), " USERNAME ")
        simple.append(run_of("Jane Example"))
        footer.append(simple)

    _, notes, data = rendered(sample_recon, edited(tmp_path, footer_fields))
    footers = b"".join(blob for name, blob in members(data).items() if "footer" in name)
    for leak in (b"Commissioning", b"Jane", b"FILENAME", b"AUTHOR", b"USERNAME"):
        assert leak not in footers, leak
    assert b" PAGE " in footers  # a field showing neither stays
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert notes[0].message.startswith(
        "The Word template request-for-decision.docx holds 3 fields showing a person's name or "
        "a file's path (FILENAME \\p \\* MERGEFORMAT, AUTHOR, USERNAME)"
    )


def keep_a_mail_merge(document: Any) -> None:
    """The template once used as a mail merge's main document: Word keeps the data source
    (a workbook on the share) and its query in the settings."""
    settings = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/settings")
    )
    rid = settings.rels.get_or_add_ext_rel(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/mailMergeSource",
        "file:///S:/Finance/Circulation.xlsx",
    )
    from docx.oxml import parse_xml

    w_ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    merge = parse_xml(
        f'<w:mailMerge xmlns:w="{w_ns}" xmlns:r="{r_ns}"><w:mainDocumentType w:val="formLetters"/>'
        '<w:dataType w:val="native"/><w:connectString w:val="Provider=Microsoft.ACE.OLEDB.12.0;'
        'Data Source=S:\\Finance\\Circulation.xlsx"/><w:query w:val="SELECT * FROM '
        '`Sheet1$`"/><w:dataSource r:id="' + rid + '"/></w:mailMerge>'
    )
    settings.element.append(merge)


def test_a_mail_merge_left_in_the_template_is_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Word asks on opening such a report to run the query on a file nobody else has, and its
    # settings name where the office keeps its circulation list.
    _, _, data = rendered(sample_recon, edited(tmp_path, keep_a_mail_merge))
    parts = members(data)
    assert not [name for name, blob in parts.items() if b"Circulation.xlsx" in blob]
    assert b"mailMerge" not in parts["word/settings.xml"]


def test_who_may_edit_a_part_of_the_template_is_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # Review › Restrict Editing › Exceptions for one person: Word marks the range with their
    # account, which travelled in every published report.
    def only_jane_may_edit(document: Any) -> None:
        intro = paragraph(document, PLAN_INTRO)
        start = OxmlElement("w:permStart")
        start.set(qn("w:id"), "7")
        start.set(qn("w:ed"), "LINCS\\jane.smith")
        end = OxmlElement("w:permEnd")
        end.set(qn("w:id"), "7")
        intro.insert(1 if intro.pPr is not None else 0, start)
        intro.append(end)

    template = edited(tmp_path, only_jane_may_edit)
    assert b"jane.smith" in members(template.read_bytes())["word/document.xml"]
    document, _, data = rendered(sample_recon, template)
    assert b"jane.smith" not in members(data)["word/document.xml"]
    assert RENDERED_INTRO in texts(document)


@pytest.mark.parametrize("linked", [False, True])
def test_a_strategy_s_charts_and_objects_keep_no_workbook(
    sample_recon: Reconciliation, tmp_path: Path, linked: bool
) -> None:
    # A chart pasted from Excel carries the workbook it came from (every sheet of it: here a
    # sheet of staff costs nobody sees in Word), an object inserted from a file the whole
    # file: both were copied into the published pack, without a word. A chart pasted with a
    # link named the workbook's path on the share.
    def charted(strategy: Any) -> None:
        strategy.add_paragraph("The funds this year.")
        add_chart(strategy, linked_to=SHARE if linked else "")
        add_object(strategy)

    report = dataclasses.replace(Report.of(sample_recon), strategy=strategy_of(tmp_path, charted))
    out = io.BytesIO()
    notes = render_docx(report, out, DEFAULT_TEMPLATE)
    parts = members(out.getvalue())
    assert not [name for name in parts if "embeddings/" in name]
    assert not [name for name, blob in parts.items() if b"opcc-fs01" in blob]
    charts = [blob for name, blob in parts.items() if name.startswith("word/charts/chart")]
    assert len(charts) == 1 and b"externalData" not in charts[0]
    assert all(figure.encode() in charts[0] for figure in CHART_FIGURES)  # still drawn
    body = parts["word/document.xml"]
    assert b"OLEObject" not in body and b"v:imagedata" in body  # the object's picture stays
    assert [n.code for n in notes] == ["W-TEMPLATE"]
    assert notes[0].message.startswith(
        "The Strategy document strategy.docx holds 1 chart and 1 embedded object"
    )
    assert "Paste Special › Picture" in notes[0].message


def test_a_template_s_embedded_workbook_is_not_published(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    _, notes, data = rendered(sample_recon, edited(tmp_path, add_object))
    assert not [name for name in members(data) if "embeddings/" in name]
    assert [n.message.split(" (")[0] for n in notes] == [
        "The Word template request-for-decision.docx holds 1 embedded object"
    ]
