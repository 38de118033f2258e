"""The decision pack: the form, the Commissioning Strategy composed whole, then Appendix 3 (#17).

The workbook names the strategy in the Decision field ``Strategy document``; the fixture
strategy is the seed's (``tests/make_strategy.py``). A named strategy that is missing, outside
the workbook's folder or not a Word document is an E-STRATEGY error at its cell, in ``check``
and ``build`` alike; no strategy named is an I-NO-STRATEGY note.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline import assemble, batch, pdf
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.docx_finish import _heading_level, _style_names
from pipeline.findings import Finding
from pipeline.strategy import next_appendix
from tests import make_strategy
from tests.office import pdf_text, soffice
from tests.published import leaks, xml_text
from tests.strategy_notes import add_note
from tests.workbooks import make_workbook

SEED = make_strategy.seed_path()
needs_seed = pytest.mark.skipif(SEED is None, reason="the seed is not beside the repository")
STRATEGY = "commissioning-strategy-2021.docx"
LINK = "https://www.example-pcc.police.uk/police-and-crime-plan"


def workbook_naming(folder: Path, strategy: str) -> Path:
    """The sample workbook in ``folder`` with ``Strategy document`` set to ``strategy``."""

    def name_strategy(content: Any) -> None:
        rows = [(n, v) for n, v in content.decision if n != "Strategy document"]
        content.decision = [*rows, ("Strategy document", strategy)]

    return make_workbook(folder, "plan.xlsx", edit=name_strategy)


def strategy_findings(folder: Path) -> list[Finding]:
    results, _ = assemble.check([folder / "plan.xlsx"], Config())
    return [f for r in results for f in r.findings if "STRATEGY" in f.code]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built with the seed's strategy beside it: the built RfD .docx."""
    if SEED is None:
        pytest.skip("the seed is not beside the repository")
    folder = tmp_path_factory.mktemp("pack")
    make_strategy.build(SEED, folder / STRATEGY)
    workbook_naming(folder, STRATEGY)
    result = CliRunner().invoke(
        cli, ["build", str(folder / "plan.xlsx"), "--out", str(folder / "out")]
    )
    assert result.exit_code == 0, result.output
    (built,) = (folder / "out").glob("*/RfD-*.docx")
    return built


def level_1_headings(document: Any) -> list[str]:
    names = _style_names(document)
    return [
        "".join(p.xpath(".//w:t/text()"))
        for p in document.element.body.iterchildren(qn("w:p"))
        if _heading_level(p, names) == 1
    ]


# -- check and build agree on a strategy that cannot be used ------------------------------------


def corrupt(folder: Path) -> str:
    (folder / "strategy.docx").write_bytes(b"PK\x03\x04 not really a Word document")
    return "strategy.docx"


def not_a_docx(folder: Path) -> str:
    (folder / "strategy.docx").write_text("Commissioning Strategy, typed as text", encoding="utf-8")
    return "strategy.docx"


def missing(folder: Path) -> str:
    return "no-such-strategy.docx"


def _saved_as(folder: Path, name: str, content_type: str) -> str:
    """A strategy Word saved as another kind of Word file than a document (.docx)."""
    document = Document()
    document.add_heading("Commissioning Strategy", level=1)
    document.save(str(folder / "strategy.docx"))
    with (
        zipfile.ZipFile(folder / "strategy.docx") as source,
        zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "[Content_Types].xml":
                main = b"application/vnd.openxmlformats-officedocument.wordprocessingml."
                data = data.replace(main + b"document.main+xml", content_type.encode())
            target.writestr(member, data)
    return name


def macro_enabled(folder: Path) -> str:
    # check passed it and build failed with E-RENDER, "report this to the maintainers"
    return _saved_as(
        folder, "strategy.docm", "application/vnd.ms-word.document.macroEnabled.main+xml"
    )


def word_template(folder: Path) -> str:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    return _saved_as(folder, "strategy.dotx", main)


def old_word(folder: Path) -> str:
    (folder / "strategy.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return "strategy.docx"


def outside(folder: Path) -> str:
    (folder.parent / "elsewhere.docx").write_bytes((folder / "plan.xlsx").read_bytes())
    return "../elsewhere.docx"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (missing, "was not found beside the workbook"),
        (corrupt, "is not a readable Word document"),
        (not_a_docx, "is not a readable Word document"),
        (outside, "is outside the workbook's folder"),
        (macro_enabled, "is a Word macro-enabled document (.docm)"),
        (word_template, "is a Word template (.dotx)"),
        (old_word, "is a Word 97-2003 document (.doc)"),
    ],
)
def test_a_strategy_that_cannot_be_used_is_an_error_at_its_cell_in_check_and_build(
    tmp_path: Path, make: Any, says: str
) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    workbook_naming(folder, "placeholder.docx")  # the workbook first: `outside` copies it
    name = make(folder)
    workbook_naming(folder, name)
    (finding,) = strategy_findings(folder)
    assert finding.code == "E-STRATEGY"
    assert finding.sheet == "Decision" and re.fullmatch(r"[A-Z]+\d+", finding.cell)
    assert says in finding.message and Path(name).name in finding.message

    result = CliRunner().invoke(
        cli, ["build", str(folder / "plan.xlsx"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1, result.output
    assert "E-STRATEGY" in result.output
    assert not list((tmp_path / "out").glob("*/RfD-*.docx"))


def test_no_strategy_named_builds_as_before_with_a_note(tmp_path: Path) -> None:
    workbook_naming(tmp_path, "")
    (finding,) = strategy_findings(tmp_path)
    assert finding.code == "I-NO-STRATEGY"
    assert "without the Commissioning Strategy" in finding.message


# -- the composed pack, read back -----------------------------------------------------------------


@needs_seed
def test_the_pack_is_the_form_then_the_strategy_then_appendix_3(pack: Path) -> None:
    headings = level_1_headings(Document(str(pack)))
    order = [
        "OFFICER APPROVAL",
        "Document Control Information",
        "1 Introduction",
        "2 Commissioning Principles",
        "3 Commissioning Framework",
        "4 Commissioning Mechanisms",
        "Appendix 1: Meeting the Standard",
        "Appendix 2: Good Practice Decommissioning",
        "Appendix 3: Commissioning Plan",
    ]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(o)) for o in order]
    assert positions == sorted(positions), headings


@needs_seed
def test_the_strategy_keeps_its_tables_bullets_and_contents_field(pack: Path) -> None:
    document = Document(str(pack))
    body = document.element.body
    text = "".join(body.xpath(".//w:t/text()"))
    assert "First Draft" in text  # the strategy's change-control table
    assert body.xpath(".//w:instrText[contains(., 'TOC')]")
    assert document.settings.element.xpath("./w:updateFields[@w:val='true']")
    strategy_bullets = [
        p for p in document.paragraphs if p.style is not None and p.style.name == "List Bullet"
    ]
    assert len(strategy_bullets) > 10


@needs_seed
def test_appendix_3_has_landscape_pages_of_its_own_with_whole_rows(pack: Path) -> None:
    document = Document(str(pack))
    sections = document.sections
    orientations = [s.orientation for s in sections]
    landscape = [i for i, s in enumerate(sections) if (s.page_width or 0) > (s.page_height or 0)]
    assert len(landscape) == 1, orientations
    (index,) = landscape
    assert 0 < index < len(sections) - 1  # portrait before it, portrait again after
    # The landscape section is the one holding Appendix 3's tables.
    body = document.element.body
    ends = [p for p in body.iterchildren(qn("w:p")) if p.xpath("./w:pPr/w:sectPr")]
    appendix = next(
        p
        for p in body.iterchildren(qn("w:p"))
        if "".join(p.xpath(".//w:t/text()")).startswith("Appendix 3:")
    )
    assert body.index(ends[index - 1]) < body.index(appendix) < body.index(ends[index])
    tables = [
        t
        for t in body.iterchildren(qn("w:tbl"))
        if body.index(appendix) < body.index(t) < body.index(ends[index])
    ]
    assert len(tables) == 2
    for table in tables:
        rows = table.xpath("./w:tr")
        assert rows[0].xpath("./w:trPr/w:tblHeader")
        assert all(row.xpath("./w:trPr/w:cantSplit") for row in rows)
        widths = sum(int(w) for w in table.xpath("./w:tblGrid/w:gridCol/@w:w"))
        assert widths > 12000  # wider than an A4 portrait text width (about 9,900)


@needs_seed
def test_the_pack_publishes_nothing_internal(pack: Path) -> None:
    assert leaks(xml_text(pack)) == []


@needs_seed
def test_editing_the_strategy_rebuilds_the_pack(tmp_path: Path) -> None:
    assert SEED is not None
    make_strategy.build(SEED, tmp_path / STRATEGY)
    workbook_naming(tmp_path, STRATEGY)
    out = tmp_path / "out"
    first, _ = batch.build([tmp_path / "plan.xlsx"], out, Config())
    again, _ = batch.build([tmp_path / "plan.xlsx"], out, Config())
    assert [r.outcome for r in first] == ["built"]
    assert [r.outcome for r in again] == ["up to date"]
    strategy = Document(str(tmp_path / STRATEGY))
    strategy.add_paragraph("A sentence the commissioning team added.")
    strategy.save(str(tmp_path / STRATEGY))
    edited, _ = batch.build([tmp_path / "plan.xlsx"], out, Config())
    assert [r.outcome for r in edited] == ["built"]
    (built,) = out.glob("*/RfD-*.docx")
    assert "A sentence the commissioning team added." in xml_text(built)


@pytest.fixture(scope="module")
def pack_pdf(pack: Path) -> Path:
    """The pack as the tool's --pdf makes it (the Contents updated by LibreOffice)."""
    soffice()
    target = pack.with_suffix(".pdf")
    if not target.exists():
        pdf.to_pdf(pack, target)
    return target


PACK_ORDER = [
    "1 Introduction",
    "2 Commissioning Principles",
    "3 Commissioning Framework",
    "4 Commissioning Mechanisms",
    "Appendix 1: Meeting the Standard",
    "Appendix 2: Good Practice Decommissioning",
    "Appendix 3: Commissioning Plan",
]


@needs_seed
@pytest.mark.slow
def test_the_pack_as_pdf_holds_form_strategy_and_every_seed_figure_in_order(
    pack_pdf: Path,
) -> None:
    text = pdf_text(pack_pdf)
    order = ["REQUEST FOR DECISION", "OFFICER APPROVAL", *PACK_ORDER]
    positions = []
    start = 0
    for heading in order:
        found = re.search(rf"^\s*{re.escape(heading)}[^.]*$", text[start:], re.MULTILINE)
        assert found, f"{heading!r} not found after position {start}"
        start += found.start() + 1
        positions.append(start)
    appendix_3 = text[positions[-1] :]
    for figure in ("£1,009,000", "£556,000", "£805,212", "£464,058"):
        assert figure in appendix_3, figure


_ENTRY = re.compile(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", re.MULTILINE)


@needs_seed
@pytest.mark.slow
def test_the_pdf_contents_lists_each_heading_at_the_page_it_is_on(pack_pdf: Path) -> None:
    pages = pdf_text(pack_pdf).split("\f")[:-1]  # pdftotext ends each page with a form feed
    first = next(i for i, page in enumerate(pages) if re.search(r"^\s*Contents\s*$", page, re.M))
    last = first
    while _ENTRY.search(pages[last + 1]):  # the Contents runs on over the next page
        last += 1
    entries = dict(
        (title, int(number))
        for page in pages[first : last + 1]
        for title, number in _ENTRY.findall(page)
    )
    listed = []
    for heading in ["OFFICER APPROVAL", "Document Control Information", *PACK_ORDER]:
        matches = [(t, n) for t, n in entries.items() if t.startswith(heading)]
        assert matches, f"{heading!r} is not listed with a page in the Contents: {entries}"
        ((title, number),) = matches
        on_page = pages[number - 1]
        assert f"Page {number} of {len(pages)}" in on_page  # printed number = page in the PDF
        assert re.search(rf"^\s*{re.escape(title)}\s*$", on_page, re.MULTILINE), (
            f"{title!r} is listed at page {number} but is not a heading there"
        )
        listed.append(number)
    # The form and the strategy's title pages come before the Contents, its sections after.
    assert listed[0] < listed[1] < first + 1 < listed[2]
    assert listed == sorted(listed)
    assert listed[-1] > last + 1 + 10  # Appendix 3 comes after the strategy's pages


def test_without_a_strategy_the_workbooks_document_control_follows_the_form(
    tmp_path: Path,
) -> None:
    workbook_naming(tmp_path, "")
    results, _ = batch.build([tmp_path / "plan.xlsx"], tmp_path / "out", Config())
    assert [r.outcome for r in results] == ["built"]
    (built,) = (tmp_path / "out").glob("*/RfD-*.docx")
    headings = level_1_headings(Document(str(built)))
    approval = headings.index("OFFICER APPROVAL")
    assert headings[approval + 1] == "Document Control Information"
    assert headings[approval + 2] == "Appendix 3: Commissioning Plan 2021 - 2022"


@needs_seed
def test_with_a_strategy_its_document_control_stands_alone(pack: Path) -> None:
    headings = level_1_headings(Document(str(pack)))
    assert headings.count("Document Control Information") == 1
    approval = headings.index("OFFICER APPROVAL")
    strategy_start = headings.index("1 Introduction")
    assert approval < headings.index("Document Control Information") < strategy_start
    # The workbook's Document control rows (Item | Detail) are not printed beside it.
    tables = Document(str(pack)).tables
    assert not [t for t in tables if t.rows[0].cells[0].text == "Item"]
    # Nor its change-control table: the strategy's own is the only one.
    changes = [t for t in tables if t.rows[0].cells[0].text.startswith("Change control")]
    assert len(changes) == 1 and "Initials" in changes[0].rows[0].cells[1].text


def built_with(folder: Path, strategy: Any) -> tuple[list[Any], Path]:
    """The sample built in ``folder`` with ``strategy`` (python-docx) as its strategy: the
    build's results and the pack."""
    strategy.save(str(folder / "strategy.docx"))
    workbook_naming(folder, "strategy.docx")
    results, _ = batch.build([folder / "plan.xlsx"], folder / "out", Config())
    assert [r.outcome for r in results] == ["built"]
    (built,) = (folder / "out").glob("*/RfD-*.docx")
    return list(results), built


@pytest.mark.parametrize("kind", ["footnote", "endnote"])
def test_the_strategy_s_footnotes_and_endnotes_come_with_it(tmp_path: Path, kind: str) -> None:
    # docxcompose copies a strategy's footnotes but not its endnotes: the pack kept the
    # strategy's endnote mark pointing at no endnote, the note's text gone from the pack,
    # where a strategy cites its sources.
    strategy = Document()
    paragraph = strategy.add_paragraph("Victims' needs are assessed every three years.")
    add_note(strategy, paragraph, kind, "Police and Crime Plan 2021-2025, section 4.", LINK)
    _, built = built_with(tmp_path, strategy)
    with zipfile.ZipFile(built) as archive:
        body = archive.read("word/document.xml").decode()
        notes = archive.read(f"word/{kind}s.xml").decode()
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read(f"word/_rels/{kind}s.xml.rels").decode()
    (reference,) = re.findall(rf'<w:{kind}Reference w:id="(-?\d+)"/>', body)
    note = re.search(rf'<w:{kind}\b[^>]*\bw:id="{reference}"[^>]*>(.*?)</w:{kind}>', notes)
    assert note is not None and "Police and Crime Plan 2021-2025, section 4." in note.group(1)
    assert f"/word/{kind}s.xml" in types
    # The note's web link points at its address in the pack's notes (an r:id the pack's notes
    # part did not have: Word called the file unreadable).
    (rid,) = re.findall(r'<w:hyperlink r:id="(\w+)"', note.group(1))
    assert re.search(
        rf'Id="{rid}"[^>]*Target="{re.escape(LINK)}"|Target="{re.escape(LINK)}"[^>]*Id="{rid}"',
        rels,
    )


_DELETED = (
    '<w:del w:id="90" w:author="J Smith" w:date="2021-05-01T10:00:00Z"><w:r>'
    "<w:delText>The draft said £50,000, which the Chief Executive cut.</w:delText></w:r></w:del>"
)


@pytest.mark.parametrize("kind", ["footnote", "endnote"])
def test_review_markup_in_the_strategy_s_notes_is_not_published(tmp_path: Path, kind: str) -> None:
    # Tracked changes were accepted, and file links removed, in the strategy's body but not in
    # its footnotes and endnotes (python-docx leaves those parts unparsed): a deleted draft
    # figure and a link to an officer's own folder went into the published pack.
    strategy = Document()
    paragraph = strategy.add_paragraph("Grants are for small-scale work.")
    add_note(
        strategy,
        paragraph,
        kind,
        "See the grants policy.",
        "file:///C:/Users/jsmith/policy.docx",
        _DELETED,
    )
    results, built = built_with(tmp_path, strategy)
    with zipfile.ZipFile(built) as archive:
        notes = archive.read(f"word/{kind}s.xml").decode()
        rels = " ".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".rels"))
    assert "See the grants policy." in notes
    assert "£50,000" not in notes and "w:del " not in notes
    assert "jsmith" not in notes and "jsmith" not in rels
    said = [f.message for r in results for f in r.findings if f.code == "W-TEMPLATE"]
    assert any("1 tracked change" in m for m in said), said


_CORE = (
    "xmlns:ns0='http://purl.org/dc/elements/1.1/' "
    "xmlns:ns1='http://schemas.openxmlformats.org/package/2006/metadata/core-properties'"
)


def _bound(alias: str, xpath: str, shown: str) -> str:
    """A content control bound to the document's properties, as Word's cover pages put one."""
    return (
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="{alias}"/>'
        f'<w:dataBinding w:prefixMappings="{_CORE}" w:xpath="{xpath}" '
        'w:storeItemID="{6C3C8BC8-F283-45AE-878A-BAB7291924A1}"/><w:text/></w:sdtPr>'
        f"<w:sdtContent><w:r><w:t>{shown}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def test_a_cover_page_s_author_box_is_not_published(tmp_path: Path) -> None:
    # Word's cover pages hold content controls filled from the document's properties: the
    # Author box shows the officer who made the file. It went into the published pack (and its
    # PDF) with the officer's name, as an AUTHOR field would have, which is left out.
    strategy = Document()
    cover = strategy.add_paragraph("Commissioning Strategy 2021-2025")
    cover._p.append(
        parse_xml(_bound("Author", "/ns1:coreProperties[1]/ns0:creator[1]", "Jane Smith"))
    )
    title = _bound("Title", "/ns1:coreProperties[1]/ns0:title[1]", "Commissioning Strategy")
    strategy.add_paragraph()._p.append(parse_xml(title))
    strategy.add_paragraph("Services are commissioned openly and fairly.")
    results, built = built_with(tmp_path, strategy)
    with zipfile.ZipFile(built) as archive:
        body = archive.read("word/document.xml").decode()
    assert "Jane Smith" not in body
    assert "Commissioning Strategy 2021-2025" in body and ">Commissioning Strategy<" in body
    said = [f.message for r in results for f in r.findings if f.code == "W-TEMPLATE"]
    assert any("content control" in m and "Author" in m for m in said), said


def _plan_only(content: Any) -> None:
    """The sample as a decision on the plan alone: no strategy attached or named."""
    words = {
        "Subject": "Victims and Community Safety Commissioning Plan 2021/22",
        "Executive summary": "This decision approves the 2021/22 commissioning plan.",
        "Recommendation 1": "That the PCC approves the commissioning plan.",
    }
    content.decision = [
        (n, words.get(n, v))
        for n, v in content.decision
        if n not in {"Strategy document", "Recommendation 2", "Links to Police and Crime Plan"}
    ]


def _background(built: Path) -> str:
    document = Document(str(built))
    return "\n".join(p.text for p in document.paragraphs if p.text[:2] in {"1.", "2."})


def test_a_decision_on_the_plan_alone_does_not_speak_of_a_strategy(tmp_path: Path) -> None:
    # A plan's own decision printed the seed's standard background, "1.2 This Commissioning
    # Strategy sets out ...", "Included as an appendix to the Strategy ...", for a pack that
    # holds no strategy and a decision that names none: the plan now has wording of its own.
    make_workbook(tmp_path, "plan.xlsx", edit=_plan_only)
    out = tmp_path / "out"
    results, _ = batch.build([tmp_path / "plan.xlsx"], out, Config())
    assert [r.outcome for r in results] == ["built"]
    (built,) = out.glob("*/RfD-*.docx")
    text = _background(built)
    assert "strategy" not in text.lower()
    assert "1.2 This Commissioning Plan sets out how the funding available in 2021/22" in text
    assert "set out in the Commissioning Plan at Appendix 1." in text
    assert "2.1 This commissioning plan will help to deliver" in text
    assert "1.1 Police and Crime Commissioners were elected" in text  # the history stands


def test_a_strategys_decision_keeps_the_seeds_background(tmp_path: Path) -> None:
    # The sample names the strategy in its subject ("Commissioning Strategy and Plan"): the
    # seed's words, with no strategy document attached to the pack.
    make_workbook(tmp_path, "plan.xlsx")
    out = tmp_path / "out"
    batch.build([tmp_path / "plan.xlsx"], out, Config())
    (built,) = out.glob("*/RfD-*.docx")
    text = _background(built)
    assert "1.2 This Commissioning Strategy sets out the principles and framework" in text
    assert "Included as an appendix to the Strategy is the 2021/22 Commissioning Plan" in text
    assert "2.1 This commissioning strategy and plan will help to deliver" in text


@pytest.mark.parametrize(
    ("headings", "plan"),
    [
        (tuple(f"Appendix {n}: A checklist" for n in (1, 2, 3, 4)), "Appendix 5"),
        (("Appendix A: A checklist", "Appendix B: Outcomes"), "Appendix C"),
        (
            ("Atodiad 1 / Appendix 1: Rhestr wirio", "Atodiad 2 / Appendix 2: Canlyniadau"),
            "Appendix 3",
        ),
    ],
    ids=["numbered", "lettered", "Welsh and English"],
)
def test_the_plan_appendix_is_numbered_after_the_strategys_own(
    tmp_path: Path, headings: tuple[str, ...], plan: str
) -> None:
    # A strategy whose appendices are lettered (Appendix A, B) or headed in Welsh first
    # (Atodiad 1 / Appendix 1), as many bodies write them, was counted as having none: the
    # pack read Appendix A, Appendix B, then "Appendix 1: Commissioning Plan".
    strategy = Document()
    strategy.add_heading("1 Introduction", level=1)
    for heading in headings:
        strategy.add_heading(heading, level=1)
    strategy.add_paragraph("Appendix 9 is not a heading, so it does not count.")
    strategy.save(str(tmp_path / "strategy.docx"))
    workbook_naming(tmp_path, "strategy.docx")
    out = tmp_path / "out"
    results, _ = batch.build([tmp_path / "plan.xlsx"], out, Config())
    assert [r.outcome for r in results] == ["built"]
    (built,) = out.glob("*/RfD-*.docx")
    found = level_1_headings(Document(str(built)))
    assert [h for h in found if h.startswith(("Appendix", "Atodiad"))] == [
        *headings,
        f"{plan}: Commissioning Plan 2021 - 2022",
    ]
    text = "".join(Document(str(built)).element.body.xpath(".//w:t/text()"))
    assert f"The Commissioning Plan at {plan} commits" in text
    assert f"are set out in the Commissioning Plan at {plan}." in text  # section A1 too
    # The public summary's About sheet names the same appendix (it said Appendix 3 whatever
    # the pack numbered it).
    assert f"Request for Decision 015/2021, {plan}: Commissioning Plan" in about_source(out)


def about_source(out: Path) -> str:
    """The Source row of the built public summary's About sheet."""
    import openpyxl

    (summary,) = out.glob("*/commissioning-summary-*.xlsx")
    about = openpyxl.load_workbook(summary)["About"]
    return next(str(row[1]) for row in about.iter_rows(values_only=True) if row[0] == "Source")


@pytest.mark.parametrize(
    ("recommendation", "plan"),
    [
        ("That the funding proposals in the Commissioning Plan be approved.", "Appendix 1"),
        (
            "That the funding proposals within the Commissioning Plan at Appendix 3 of the "
            "Strategy be approved.",
            "Appendix 3",
        ),
        ("That Appendix B (the Commissioning Plan 2021/22) be approved.", "Appendix B"),
    ],
    ids=["cited nowhere", "cited as the seed's", "cited by letter"],
)
def test_without_a_strategy_the_plan_is_the_appendix_the_decision_cites_else_1(
    tmp_path: Path, recommendation: str, plan: str
) -> None:
    # With no strategy the form called the plan "Appendix 3", though the pack holds no
    # Appendices 1 and 2: it is now the first appendix, unless the Decision's own words
    # (a recommendation kept from the strategy's decision) cite it by another number.
    def recommend(content: Any) -> None:
        content.decision = [
            (n, recommendation if n == "Recommendation 2" else v)
            for n, v in content.decision
            if n != "Strategy document"
        ]

    make_workbook(tmp_path, "plan.xlsx", edit=recommend)
    out = tmp_path / "out"
    results, _ = batch.build([tmp_path / "plan.xlsx"], out, Config())
    assert [r.outcome for r in results] == ["built"]
    (built,) = out.glob("*/RfD-*.docx")
    document = Document(str(built))
    assert f"{plan}: Commissioning Plan 2021 - 2022" in level_1_headings(document)
    text = "".join(document.element.body.xpath(".//w:t/text()"))
    assert f"The Commissioning Plan at {plan} commits" in text
    assert f"Request for Decision 015/2021, {plan}: Commissioning Plan" in about_source(out)


@pytest.mark.parametrize(
    ("headings", "plan"),
    [
        ((), "1"),
        (("Appendix 1: A", "Appendix 2: B"), "3"),
        (("Appendix I: A", "Appendix II: B"), "III"),
        (("Appendix A: A", "Appendix I: In a long list of letters"), "J"),
        (("appendix a: in small letters",), "1"),
    ],
)
def test_the_next_appendix_is_numbered_as_the_strategy_numbers_its_own(
    headings: tuple[str, ...], plan: str
) -> None:
    strategy = Document()
    for heading in headings:
        strategy.add_heading(heading, level=1)
    assert next_appendix(strategy) == plan
