"""The Word template is the source: edited in an office suite, it still builds (#17, #14).

An office suite rewrites every XML part when it saves (runs split, revision ids, page breaks
moved), so these tests take the committed template through LibreOffice and build from what it
wrote. Nothing here compares the template's bytes with anything.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from pipeline import cache
from pipeline.cli import cli
from pipeline.docx_context import context
from pipeline.docx_docxtpl import _cells_end_in_paragraphs
from pipeline.docx_fields import template_fields
from pipeline.docx_template import (
    TemplateError,
    environment,
    find_broken_tag,
    keep_page_breaks,
    template_class,
    template_parts,
)
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import DEFAULT_TEMPLATE, render_docx
from pipeline.report import Report
from tests.office import convert

SENTENCE = "Through the review and evaluation arrangements as necessary."
REWORDED = "Risks are held on the OPCC risk register and reviewed every quarter."


# -- helpers ------------------------------------------------------------------------------------


def content(docx: Path) -> list[tuple[Any, ...]]:
    """What a reader sees, block by block: each paragraph's text, style and whether it starts a
    page; each table's cell texts. Not the XML: two office suites write the same thing apart
    (a page break is "page break before" of a paragraph in one, a break ending the paragraph
    above in the other)."""
    document = Document(str(docx))
    blocks: list[tuple[Any, ...]] = []
    pending = False  # the paragraph above ended with a page break or a section
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = "".join(element.xpath(".//w:t/text()"))
            style = element.xpath("./w:pPr/w:pStyle/@w:val")
            before = bool(element.xpath("./w:pPr/w:pageBreakBefore[not(@w:val='false')]"))
            name = document.styles.element.xpath(
                f"./w:style[@w:styleId='{style[0] if style else 'Normal'}']/w:name/@w:val"
            )
            blocks.append(("p", text, (name or ["Normal"])[0].lower(), before or pending))
            # A page break, or a section ending here (the next one starts on a new page).
            pending = bool(element.xpath(".//w:br[@w:type='page'] | ./w:pPr/w:sectPr"))
        elif element.tag == qn("w:tbl"):
            rows = [
                tuple("".join(cell.xpath(".//w:t/text()")) for cell in row.iterchildren(qn("w:tc")))
                for row in element.iterchildren(qn("w:tr"))
            ]
            blocks.append(("tbl", tuple(rows)))
            pending = False
    return blocks


def style_named(document: Any, name: str) -> Any:
    """A style by its name as Word shows it, whatever case the file writes it in."""
    return next(s for s in document.styles if (s.name or "").lower() == name.lower())


def saved_by_libreoffice(template: Path, folder: Path) -> Path:
    """``template`` opened in LibreOffice headless and saved back as .docx."""
    return convert(template, "docx:MS Word 2007 XML", folder)


@pytest.fixture(scope="module")
def libreoffice_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("committed") / "request-for-decision.docx"
    source.write_bytes(DEFAULT_TEMPLATE.read_bytes())
    saved = saved_by_libreoffice(source, tmp_path_factory.mktemp("libreoffice"))
    assert saved.read_bytes() != DEFAULT_TEMPLATE.read_bytes()
    return saved


def render_to(recon: Reconciliation, template: Path, target: Path) -> Path:
    render_docx(Report.of(recon), target, template)
    return target


# -- LibreOffice round trips --------------------------------------------------------------------


@pytest.mark.slow
def test_the_template_as_libreoffice_saves_it_builds_the_same_report(
    sample_recon: Reconciliation, libreoffice_template: Path, tmp_path: Path
) -> None:
    # LibreOffice rewrote the XML: different runs, its own style table, page breaks moved ...
    def document_xml(path: Path) -> bytes:
        with zipfile.ZipFile(path) as archive:
            return archive.read("word/document.xml")

    assert document_xml(libreoffice_template) != document_xml(DEFAULT_TEMPLATE)
    # ... and the report a reader sees is the same, page breaks included.
    ours = content(render_to(sample_recon, DEFAULT_TEMPLATE, tmp_path / "ours.docx"))
    theirs = content(render_to(sample_recon, libreoffice_template, tmp_path / "lo.docx"))
    assert theirs == ours
    starts = [block[1] for block in ours if block[0] == "p" and block[3]]
    assert "Appendix 3: Commissioning Plan 2021 - 2022" in starts
    assert "Funds and commitments" in starts


@pytest.mark.slow
def test_a_sentence_and_a_style_changed_after_libreoffice_reach_the_report(
    sample_recon: Reconciliation, libreoffice_template: Path, tmp_path: Path
) -> None:
    document = Document(str(libreoffice_template))
    [paragraph] = [p for p in document.paragraphs if p.text == SENTENCE]
    paragraph.runs[0].text = REWORDED
    for run in paragraph.runs[1:]:
        run.text = ""
    heading = style_named(document, "Heading 1")
    heading.font.size = Pt(15)
    heading.font.color.rgb = RGBColor(0x1F, 0x3A, 0x60)
    edited = tmp_path / "edited.docx"
    document.save(str(edited))

    report = Document(str(render_to(sample_recon, edited, tmp_path / "report.docx")))
    texts = [p.text for p in report.paragraphs]
    assert REWORDED in texts and SENTENCE not in texts
    built = style_named(report, "Heading 1")
    assert built.font.size == Pt(15)
    assert built.font.color.rgb == RGBColor(0x1F, 0x3A, 0x60)
    assert "F. RISK MANAGEMENT" in [
        p.text
        for p in report.paragraphs
        if p.style is not None and p.style.style_id == built.style_id
    ]


@pytest.mark.slow
def test_a_tag_broken_in_libreoffice_is_named_with_its_paragraph(
    sample_recon: Reconciliation, libreoffice_template: Path, tmp_path: Path
) -> None:
    document = Document(str(libreoffice_template))
    [paragraph] = [
        p for p in document.paragraphs if "{{ decision.publication_deferred }}" in p.text
    ]
    for run in paragraph.runs:
        run.text = run.text.replace(
            "{{ decision.publication_deferred }}", "{{ decision.publication_deferred }"
        )
    broken = tmp_path / "broken.docx"
    document.save(str(broken))
    resaved = saved_by_libreoffice(broken, tmp_path / "resaved")
    with pytest.raises(TemplateError) as raised:
        render_docx(Report.of(sample_recon), tmp_path / "out.docx", resaved)
    message = str(raised.value)
    assert '"{{ decision.publication_deferred }"' in message
    assert 'paragraph "Is the publication of this form to be deferred? ' in message
    assert str(resaved) in message
    assert not (tmp_path / "out.docx").exists()


# -- broken tags --------------------------------------------------------------------------------


def paragraph_xml(*texts: str) -> str:
    runs = "".join(f"<w:r><w:t>{t}</w:t></w:r>" for t in texts)
    return f"<w:body><w:p>{runs}</w:p></w:body>"


@pytest.mark.parametrize(
    ("runs", "tag", "problem"),
    [
        (
            ("SUBJECT ", "{{ decision.sub", "ject }"),
            "{{ decision.subject }",
            'does not end with "}}"',
        ),
        (("REF { decision.reference }}",), "REF { decision.reference }}", "no matching opening"),
        (("{{ decision.subject {{ year }}",), "{{ decision.subject", 'does not end with "}}"'),
        (("Date {{ decision. }}",), "{{ decision. }}", "not a field Jinja can read"),
        (
            ("{%p if decision.background %",),
            "{%p if decision.background %",
            'does not end with "%}"',
        ),
    ],
)
def test_a_broken_tag_is_found_in_its_paragraph(
    runs: tuple[str, ...], tag: str, problem: str
) -> None:
    broken = find_broken_tag([paragraph_xml(*runs)], jinja2.Environment())
    assert broken is not None
    assert broken.tag == tag
    assert broken.paragraph == "".join(runs)
    assert problem in broken.problem


def test_an_if_without_its_endif_is_named() -> None:
    parts = [paragraph_xml("{%p if comparison %}") + paragraph_xml("Changes from {{ year }}")]
    broken = find_broken_tag(parts, jinja2.Environment())
    assert broken is not None
    assert broken.tag == "{%p if comparison %}"
    assert 'has no "endif"' in broken.problem
    stray = find_broken_tag([paragraph_xml("{%p endfor %}")], jinja2.Environment())
    assert stray is not None and "not open here" in stray.problem


def test_the_committed_template_has_no_broken_tag() -> None:
    assert find_broken_tag(template_parts(DEFAULT_TEMPLATE), jinja2.Environment()) is None


# -- page breaks in control paragraphs ----------------------------------------------------------


def test_a_page_break_in_a_control_paragraph_is_kept_after_its_tag() -> None:
    xml = (
        '<w:p><w:r><w:t>{%p if comparison %}</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p>'
        "<w:p><w:r><w:t>Changes</w:t></w:r></w:p>"
    )
    kept = keep_page_breaks(xml)
    assert kept.index("{%p if comparison %}") < kept.index('<w:br w:type="page"/>')
    assert kept.count('<w:br w:type="page"/>') == 1
    plain = '<w:p><w:r><w:t>Text</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p>'
    assert keep_page_breaks(plain) == plain


def test_a_page_break_ending_a_paragraph_becomes_page_break_before_of_the_next() -> None:
    from docx.oxml import parse_xml

    from pipeline.docx_template import fold_page_breaks

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = parse_xml(
        f"<w:body {w}>"
        '<w:p><w:r><w:t>Date: 26/05/2021</w:t><w:br w:type="page"/></w:r></w:p>'
        "<w:p><w:pPr><w:pStyle w:val='Heading1'/></w:pPr><w:r><w:t>Appendix 3</w:t></w:r></w:p>"
        '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        "<w:p><w:r><w:t>Funds</w:t></w:r></w:p>"
        '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        "<w:tbl/>"
        "</w:body>"
    )
    fold_page_breaks(body)
    paragraphs = body.xpath("./w:p")
    assert ["".join(p.xpath(".//w:t/text()")) for p in paragraphs] == [
        "Date: 26/05/2021",
        "Appendix 3",
        "Funds",
        "",  # before a table: left as it is
    ]
    assert [bool(p.xpath("./w:pPr/w:pageBreakBefore")) for p in paragraphs] == [
        False,
        True,
        True,
        False,
    ]
    assert not paragraphs[0].xpath(".//w:br")
    # The schema's order in w:pPr: the style first.
    assert [c.tag.split("}")[1] for c in paragraphs[1].pPr] == ["pStyle", "pageBreakBefore"]


# -- the fields ---------------------------------------------------------------------------------


def test_template_fields_lists_what_the_template_uses() -> None:
    fields = template_fields(DEFAULT_TEMPLATE)
    for name in (
        "decision.reference",
        "decision.police_area",
        "year",
        "funds[].lines[].budget",
        "funds[].moj.allocation",
        "totals.committed",
        "comparison.funds[].lines[].change",
        "decision.executive_summary[]",
    ):
        assert name in fields, name
    # Prefixes of longer names and loop helpers are left out.
    assert "decision" not in fields and "funds[]" not in fields
    assert not [f for f in fields if f.startswith(("loop", "para", "fund.", "line."))]


def test_every_listed_field_is_one_the_report_provides(sample_recon: Reconciliation) -> None:
    from pipeline.compare import compare
    from pipeline.docx_context import context
    from tests.test_changes_outputs import PREVIOUS, recon_of

    def provided(value: Any, path: list[str]) -> bool:
        if not path or value is None:  # None: an optional part (moj, comparison) left out
            return True
        head, *rest = path
        if head.endswith("[]"):
            return all(provided(item, rest) for item in value[head[:-2]])
        return head in value and provided(value[head], rest)

    ctx = context(Report.of(sample_recon, compare(sample_recon, recon_of(PREVIOUS))))
    assert ctx["comparison"] is not None
    for name in template_fields(DEFAULT_TEMPLATE):
        assert provided(ctx, name.split(".")), name


def test_the_template_fields_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template-fields"])
    assert result.exit_code == 0, result.output
    listed = result.output.split()
    assert listed == template_fields(DEFAULT_TEMPLATE)
    broken = tmp_path / "broken.docx"
    document = Document(str(DEFAULT_TEMPLATE))
    [paragraph] = [p for p in document.paragraphs if "{{ decision.part2_form }}" in p.text]
    for run in paragraph.runs:
        run.text = run.text.replace("{{ decision.part2_form }}", "{{ decision.part2_form")
    document.save(str(broken))
    result = CliRunner().invoke(cli, ["template-fields", "--template", str(broken)])
    assert result.exit_code == 2
    assert '"{{ decision.part2_form"' in result.output
    assert "Is there a part 2 form?" in result.output


def test_the_template_fields_command_has_help_with_an_example() -> None:
    result = CliRunner().invoke(cli, ["template-fields", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "pcc-report template-fields" in result.output


# -- docxtpl: the pinned internals and the cache ------------------------------------------------

# The docxtpl methods pipeline.docx_template overrides or calls past its public API, as in the
# tested version. A new docxtpl that changes one fails here, naming it: check that the override
# still does what docxtpl does, then record the new source's SHA-256.
DOCXTPL_VERSION = "0.20."
DOCXTPL_INTERNALS = {
    "render": "6ea01894",
    "build_xml": "210792ef",
    "patch_xml": "59341311",
    "resolve_listing": "20441608",
    "fix_tables": "da467aab",
    "get_xml": "f19337a3",
    "map_tree": "d01401c7",
    "fix_docpr_ids": "3a606189",
    "render_xml_part": "b762e429",
}


def test_docxtpl_is_the_tested_version_with_the_same_internals() -> None:
    from importlib.metadata import version

    from docxtpl import DocxTemplate

    assert version("docxtpl").startswith(DOCXTPL_VERSION), (
        f"docxtpl {version('docxtpl')} is not the tested {DOCXTPL_VERSION}x: "
        "pipeline/docx_template.py overrides its internals"
    )
    changed = {
        name: hashlib.sha256(inspect.getsource(getattr(DocxTemplate, name)).encode()).hexdigest()[
            :8
        ]
        for name in DOCXTPL_INTERNALS
    }
    assert changed == DOCXTPL_INTERNALS, "docxtpl internals changed; see DOCXTPL_INTERNALS"


def _rendered_by(cls: Callable[[str], Any], template: Path, recon: Reconciliation) -> bytes:
    """word/document.xml of ``template`` rendered by the docxtpl class ``cls``."""
    from pipeline.docx_context import context

    document = cls(str(template))
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    document.render(context(Report.of(recon)), jinja_env=env, autoescape=True)
    stream = io.BytesIO()
    document.save(stream)
    with zipfile.ZipFile(stream) as archive:
        return archive.read("word/document.xml")


def _plain_docxtpl() -> Any:
    from docxtpl import DocxTemplate

    class Plain(DocxTemplate):  # type: ignore[misc]
        # docxtpl itself, given the page breaks this module keeps (they are not docxtpl's).
        def patch_xml(self, src_xml: str) -> str:
            return str(super().patch_xml(keep_page_breaks(src_xml)))

    return Plain


def test_the_overrides_render_what_plain_docxtpl_renders(sample_recon: Reconciliation) -> None:
    # The whole document part is rendered and parsed as the part's XML (no body moved in).
    ours = _rendered_by(template_class(), DEFAULT_TEMPLATE, sample_recon)
    assert ours == _rendered_by(_plain_docxtpl(), DEFAULT_TEMPLATE, sample_recon)


def test_a_template_with_a_column_loop_renders_as_plain_docxtpl_does(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # {%tc %} makes docxtpl re-count the table's columns: that template takes docxtpl's own
    # fix_tables and map_tree, and its report is the same as plain docxtpl's.
    document = Document(str(DEFAULT_TEMPLATE))
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(
        table.rows[0].cells,
        ("{%tc for fund in funds %}", "{{ fund.name }}", "{%tc endfor %}"),
        strict=True,
    ):
        cell.text = text
    edited = tmp_path / "columns.docx"
    document.save(str(edited))
    ours = _rendered_by(template_class(), edited, sample_recon)
    assert ours == _rendered_by(_plain_docxtpl(), edited, sample_recon)
    names = [fund.fund.name for fund in sample_recon.funds]
    report = Document(io.BytesIO(_docx_with(edited, ours)))
    assert [cell.text for cell in report.tables[-1].rows[0].cells] == names


@pytest.mark.parametrize(
    ("cells", "whole"),
    [
        ("<w:tc><w:tcPr/><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>", True),
        ("<w:tc><w:tcPr/></w:tc>", False),  # a loop over nothing left the cell empty
        ("<w:tc/>", False),
        ("<w:tc></w:tc>", False),
        ("<w:tc><w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:tc>", False),
        ("<w:tc><w:p></w:p>\n</w:tc>", False),  # unsure (not at once): the tree is walked
    ],
)
def test_cells_that_may_lack_a_paragraph_are_told_from_the_rendered_text(
    cells: str, whole: bool
) -> None:
    # Word refuses a cell without a paragraph. The tree is walked for such cells only when the
    # text says one may be there; a cell that surely has one needs no walk.
    xml = f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"
    assert _cells_end_in_paragraphs(xml) is whole


def test_the_sample_report_needs_no_walk_for_bare_cells(sample_recon: Reconciliation) -> None:
    template = template_class()(str(DEFAULT_TEMPLATE))
    template.init_docx()
    template.render(context(Report.of(sample_recon), "3"), jinja_env=environment(), autoescape=True)
    assert template.bare_cells is False
    assert not template.docx.element.body.xpath(".//w:tc[not(w:p)]")


def _png() -> bytes:
    """A 1 x 1 pixel PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_template_with_pictures_renders_as_plain_docxtpl_does(
    sample_recon: Reconciliation, tmp_path: Path
) -> None:
    # docxtpl renumbers the pictures' ids (wp:docPr) after rendering; a template without
    # pictures skips that walk, one with them still gets it.
    document = Document(str(DEFAULT_TEMPLATE))
    for _ in range(2):
        document.add_paragraph().add_run().add_picture(io.BytesIO(_png()))
    edited = tmp_path / "pictures.docx"
    document.save(str(edited))
    ours = _rendered_by(template_class(), edited, sample_recon)
    assert ours == _rendered_by(_plain_docxtpl(), edited, sample_recon)
    assert re.findall(rb'<wp:docPr id="(\d+)"', ours) == [b"1001", b"1002"]


def _docx_with(template: Path, document_xml: bytes) -> bytes:
    """``template`` with its word/document.xml replaced by ``document_xml``."""
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, document_xml if item.filename == "word/document.xml" else data)
    return out.getvalue()


def test_the_cache_holds_the_cleaned_template_xml_and_no_code(sample_recon: Reconciliation) -> None:
    render_docx(Report.of(sample_recon), io.BytesIO())
    where = cache.folder()
    assert where is not None
    entries = list(where.iterdir())
    assert entries and all(e.suffix == ".txt" for e in entries)
    texts = [e.read_text(encoding="utf-8") for e in entries]
    assert any("{{ decision.reference }}" in t and "<w:body" in t for t in texts)


def test_a_changed_template_misses_the_cache(sample_recon: Reconciliation, tmp_path: Path) -> None:
    document = Document(str(DEFAULT_TEMPLATE))
    [paragraph] = [p for p in document.paragraphs if p.text == SENTENCE]
    paragraph.runs[0].text = REWORDED
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    render_docx(Report.of(sample_recon), io.BytesIO())  # the committed template, now cached
    report = Document(str(render_to(sample_recon, edited, tmp_path / "report.docx")))
    assert REWORDED in [p.text for p in report.paragraphs]


def test_the_readme_documents_every_field_the_template_uses() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Changing the wording", 1)[1].split("\n## ", 1)[0]
    items = re.split(r"\n- ", section)
    for name in template_fields(DEFAULT_TEMPLATE):
        prefix, _, leaf = name.rpartition(".")
        group = f"`{prefix}.`" if prefix else f"`{leaf}`"
        assert any(
            group in item and re.search(rf"(?<![\w.]){re.escape(leaf)}(?!\w)", item)
            for item in items
        ), f"README 'Changing the wording' does not list {name}"
