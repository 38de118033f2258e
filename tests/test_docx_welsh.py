"""A Welsh body's Request for Decision: its Welsh marked as Welsh in Word and in the PDF, so a
screen reader reads it with a Welsh voice (WCAG 3.1.2), and nothing English marked so."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from pipeline import batch
from pipeline.config import Config
from pipeline.docx_welsh import WELSH_GB, _mark_run
from pipeline.load import load
from pipeline.new_workbook import WorkbookContent
from pipeline.reconcile import reconcile
from pipeline.render_docx import DEFAULT_TEMPLATE, render_docx
from pipeline.report import Report
from pipeline.welsh import is_english, welsh_passages
from tests.office import soffice
from tests.strategy_notes import add_note
from tests.template_edits import edited
from tests.workbooks import SERVICE_KEYS, make_workbook

ROOT = Path(__file__).resolve().parent.parent
BODY = "Comisiynydd Heddlu a Throseddu Gogledd Cymru"
VICTIMS = "Cronfa Dioddefwyr / Victims Fund"


def _welsh(content: WorkbookContent) -> None:
    content.decision = [
        (f, "Cynllun Comisiynu 2021/22 / Commissioning Plan 2021/22" if f == "Subject" else v)
        for f, v in content.decision
    ] + [("Organisation", BODY)]
    for part in ("funds", "sources", "services"):
        rows = getattr(content, part)
        setattr(content, part, [[VICTIMS if v == "Victims Fund" else v for v in r] for r in rows])


def _initials(content: WorkbookContent) -> None:
    content.decision = [
        (f, "AC" if f == "Finance officer initials" else v) for f, v in content.decision
    ]


def _built(
    folder: Path, config: Config, edit: Callable[[WorkbookContent], None] | None = _welsh
) -> Path:
    drop = folder / "input"
    drop.mkdir()
    make_workbook(drop, "plan.xlsx", edit=edit)
    batch.build([drop], folder / "output", config)
    return folder / "output" / "015-2021"


def runs_by_language(docx: Path) -> tuple[list[str], list[str]]:
    """The texts of the report's runs marked Welsh, and of those not."""
    welsh: list[str] = []
    other: list[str] = []
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = ET.fromstring(archive.read(name))
            for run in root.iter(qn("w:r")):
                text = "".join(t.text or "" for t in run.iter(qn("w:t")))
                language = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
                marked = language is not None and language.get(qn("w:val")) == WELSH_GB
                (welsh if marked else other).append(text)
    return welsh, other


def test_the_welsh_of_a_welsh_body_s_report_is_marked_welsh(tmp_path: Path) -> None:
    docx = _built(tmp_path, Config()) / "RfD-015-2021.docx"
    welsh, other = runs_by_language(docx)
    assert set(welsh) == {"Cynllun Comisiynu 2021/22", BODY, "Cronfa Dioddefwyr"}
    assert welsh.count("Cronfa Dioddefwyr") >= 3  # the appendix's heading, narrative, table
    # The English beside it keeps the report's English: the run was split, not marked whole.
    assert " / Commissioning Plan 2021/22" in other
    assert any(t.startswith(" / Victims Fund") for t in other)
    assert not [t for t in other if "Cronfa" in t or "Comisiynydd" in t]
    # The split runs read as the cells did.
    document = Document(str(docx))
    said = "\n".join(p.text for t in document.tables for c in t._cells for p in c.paragraphs)
    assert "Cynllun Comisiynu 2021/22 / Commissioning Plan 2021/22" in said


@pytest.mark.parametrize("edit", [None, _initials])
def test_an_english_plan_s_report_marks_nothing_welsh(
    tmp_path: Path, edit: Callable[[WorkbookContent], None] | None
) -> None:
    # Initials "AC" (Welsh's "and") read as Welsh, and every "ac" of the report with them:
    # "in accordance" was split and its "ac" marked Welsh. One short word alone says nothing.
    docx = _built(tmp_path, Config(), edit=edit) / "RfD-015-2021.docx"
    welsh, other = runs_by_language(docx)
    assert welsh == []
    assert any("accordance" in text for text in other)


def _runs_marked(docx: Path, language: str) -> list[str]:
    """The texts of the report's runs marked ``language``."""
    marked = []
    with zipfile.ZipFile(docx) as archive:
        root = ET.fromstring(archive.read("word/document.xml"))
    for run in root.iter(qn("w:r")):
        lang = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
        if lang is not None and lang.get(qn("w:val")) == language:
            marked.append("".join(t.text or "" for t in run.iter(qn("w:t"))))
    return marked


def test_a_report_in_welsh_marks_the_plan_s_english_as_english(tmp_path: Path) -> None:
    # A Welsh body's form in Welsh (its template's default language cy-GB) is read in Welsh:
    # its providers' names and the English side of a bilingual subject or fund were read with
    # a Welsh voice. The Welsh beside them keeps the report's own language.
    def in_welsh(document: Any) -> None:
        for lang in document.styles.element.xpath("./w:docDefaults//w:lang"):
            lang.set(qn("w:val"), WELSH_GB)

    drop = tmp_path / "input"
    drop.mkdir()
    make_workbook(drop, "plan.xlsx", edit=_welsh)
    plan = load(drop / "plan.xlsx").plan
    assert plan is not None
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(reconcile(plan)), target, edited(tmp_path / "templates", in_welsh))
    english = _runs_marked(target, "en-GB")
    assert "Commissioning Plan 2021/22" in english
    assert "Victims Fund" in english
    assert "Rape Crisis" in english  # a provider with no Welsh name
    assert not [t for t in english if "Cronfa" in t or "Comisiynydd" in t or "Cynllun" in t]
    assert _runs_marked(target, WELSH_GB) == []  # the report's own language, not marked again
    said = "\n".join(
        p.text for t in Document(str(target)).tables for c in t._cells for p in c.paragraphs
    )
    assert "Cynllun Comisiynu 2021/22 / Commissioning Plan 2021/22" in said


def _in_welsh(document: Any) -> None:
    for lang in document.styles.element.xpath("./w:docDefaults//w:lang"):
        lang.set(qn("w:val"), WELSH_GB)


def _welsh_pack(folder: Path, strategy_language: str | None, form_in_welsh: bool = True) -> Path:
    """A Welsh-language form (or the English one) with a strategy composed into it whose
    styles' default language is ``strategy_language`` (None: it says none)."""
    plan = load(make_workbook(folder, "plan.xlsx")).plan
    assert plan is not None
    strategy = Document()
    for lang in strategy.styles.element.xpath("./w:docDefaults//w:lang"):
        if strategy_language is None:
            lang.getparent().remove(lang)
        else:
            lang.set(qn("w:val"), strategy_language)
    strategy.add_heading("Commissioning Strategy", level=1)
    strategy.add_paragraph("Services are commissioned openly and fairly.")
    welsh = strategy.add_paragraph("Strategaeth Gomisiynu").add_run(" / Commissioning Strategy")
    welsh.font.bold = True
    strategy.paragraphs[-1].runs[0]._r.get_or_add_rPr().append(
        parse_xml(f'<w:lang {nsdecls("w")} w:val="{WELSH_GB}"/>')
    )
    strategy.save(str(folder / "strategy.docx"))
    report = dataclasses.replace(Report.of(reconcile(plan)), strategy=folder / "strategy.docx")
    target = folder / "rfd.docx"
    form = edited(folder / "templates", _in_welsh) if form_in_welsh else DEFAULT_TEMPLATE
    render_docx(report, target, form)
    return target


@pytest.mark.parametrize(("own", "expected"), [("en-GB", "en-GB"), (None, "en-GB")])
def test_an_english_strategy_in_a_welsh_form_keeps_its_english(
    tmp_path: Path, own: str | None, expected: str
) -> None:
    # Composed, the strategy took the Welsh form's default language (docxcompose keeps the
    # form's styles): its English was read with a Welsh voice. A run it marks itself keeps it.
    target = _welsh_pack(tmp_path, own)
    english = _runs_marked(target, expected)
    assert "Commissioning Strategy" in english
    assert "Services are commissioned openly and fairly." in english
    assert " / Commissioning Strategy" in english
    assert "Strategaeth Gomisiynu" in _runs_marked(target, WELSH_GB)


def _footnoted_strategy(folder: Path, language: str) -> Path:
    """A strategy written in ``language`` (its styles' default, a run of its own and a style
    it adds say so) with a footnote, as Word saves one."""
    strategy = Document()
    for lang in strategy.styles.element.xpath("//w:lang"):
        lang.set(qn("w:val"), language)
    strategy.styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="Quoted">'
            f'<w:name w:val="Quoted"/><w:rPr><w:i/><w:lang w:val="{language}"/></w:rPr></w:style>'
        )
    )
    paragraph = strategy.add_paragraph("Services are commissioned openly and fairly.")
    own = paragraph.add_run(" Victims come first.", style="Quoted")
    own._r.get_or_add_rPr().append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{language}"/>'))
    add_note(strategy, paragraph, "footnote", "Home Office guidance on commissioning, 2021.")
    path = folder / "strategy.docx"
    strategy.save(str(path))
    return path


def _languages_in(docx: Path, member: str) -> dict[str, str]:
    """Each run's text in ``member`` of ``docx`` with the language it says (or "")."""
    with zipfile.ZipFile(docx) as archive:
        root = ET.fromstring(archive.read(member))
    said = {}
    for run in root.iter(qn("w:r")):
        lang = run.find(f"{qn('w:rPr')}/{qn('w:lang')}")
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        said[text] = "" if lang is None else lang.get(qn("w:val"), "")
    return said


@pytest.mark.parametrize("form_in_welsh", [True, False])
def test_a_strategy_written_in_us_english_is_published_in_british_english(
    tmp_path: Path, form_in_welsh: bool
) -> None:
    # Word set up for the United States marks what is typed en-US: composed into a British
    # body's pack it kept en-US (read with an American voice, spell-checked as American), in
    # its runs, its styles and its footnotes; in a form in Welsh it was marked en-US throughout.
    plan = load(make_workbook(tmp_path, "plan.xlsx")).plan
    assert plan is not None
    strategy = _footnoted_strategy(tmp_path, "en-US")
    report = dataclasses.replace(Report.of(reconcile(plan)), strategy=strategy)
    target = tmp_path / "rfd.docx"
    form = edited(tmp_path / "templates", _in_welsh) if form_in_welsh else DEFAULT_TEMPLATE
    render_docx(report, target, form)
    with zipfile.ZipFile(target) as archive:
        for member in ("word/document.xml", "word/styles.xml", "word/footnotes.xml"):
            assert b'w:val="en-US"' not in archive.read(member), member
    body = _languages_in(target, "word/document.xml")
    expected = "en-GB" if form_in_welsh else ""
    assert body["Services are commissioned openly and fairly."] == expected
    assert body[" Victims come first."] == "en-GB"
    notes = _languages_in(target, "word/footnotes.xml")
    assert notes["Home Office guidance on commissioning, 2021."] == expected


def test_a_welsh_strategy_in_an_english_form_keeps_its_welsh(tmp_path: Path) -> None:
    target = _welsh_pack(tmp_path, WELSH_GB, form_in_welsh=False)
    welsh = _runs_marked(target, WELSH_GB)
    assert "Services are commissioned openly and fairly." in welsh
    assert "Commissioning Plan" not in " ".join(welsh)  # the form's own text is not touched


def test_a_report_in_welsh_marks_the_english_the_tool_writes_as_english(tmp_path: Path) -> None:
    # The dates, Yes and No and the MoJ sentence the tool writes in English (not translated)
    # were read with the Welsh form's Welsh voice; the figures around them are left alone.
    plan = load(make_workbook(tmp_path, "plan.xlsx")).plan
    assert plan is not None
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(reconcile(plan)), target, edited(tmp_path / "templates", _in_welsh))
    english = _runs_marked(target, "en-GB")
    assert {"28 May 2021", "24 February 2021", "Yes", "No", "This Grant is"} <= set(english)
    assert "Victims' Services Grant allocation will be £0.884m" in english
    assert not [t for t in english if "(ref 004/2021)" in t]


def _welsh_grant(content: WorkbookContent) -> None:
    content.sources = [
        [
            "MoJ Grant Gwasanaethau Dioddefwyr" if v == "MoJ Victims' Services Grant" else v
            for v in r
        ]
        for r in content.sources
    ]


def _welsh_report(tmp_path: Path, edit: Callable[[WorkbookContent], None]) -> Path:
    """The Request for Decision of a plan made with ``edit``, from the template set in Welsh."""
    plan = load(make_workbook(tmp_path, "plan.xlsx", edit=edit)).plan
    assert plan is not None
    target = tmp_path / "rfd.docx"
    render_docx(Report.of(reconcile(plan)), target, edited(tmp_path / "templates", _in_welsh))
    return target


def test_a_report_in_welsh_marks_the_tool_s_words_of_the_moj_sentence_not_a_welsh_grant(
    tmp_path: Path,
) -> None:
    # The MoJ sentence was marked English whole, the grant's Welsh name in it too: a Welsh
    # voice read the tool's English and an English voice the plan's Welsh.
    target = _welsh_report(tmp_path, _welsh_grant)
    english = _runs_marked(target, "en-GB")
    assert "allocation will be £0.884m" in english
    assert not [t for t in english if "Gwasanaethau" in t]
    said = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "Grant Gwasanaethau Dioddefwyr allocation will be £0.884m." in said


def _month_only_start(content: WorkbookContent) -> None:
    start = SERVICE_KEYS.index("start")
    rows = [list(r) for r in content.services]
    first = next(r for r in rows if isinstance(r[start], dt.date))
    first[start] = "April 2021"
    content.services = rows


def test_a_report_in_welsh_marks_the_commitments_basis_and_month_dates_as_english(
    tmp_path: Path,
) -> None:
    # The basis of the later years' figures ("at each line's yearly rate this year ...") and a
    # date typed as a month ("April 2021") are the tool's English too: a Welsh voice read them.
    english = _runs_marked(_welsh_report(tmp_path, _month_only_start), "en-GB")
    assert "April 2021" in english
    assert any(t.startswith("at each line's yearly rate this year") for t in english)


def test_several_grants_english_passages_leave_their_welsh_names_out() -> None:
    from decimal import Decimal

    from pipeline.docx_context import moj_narrative
    from pipeline.model import Fund, FundingSource, Located
    from pipeline.reconcile import FundReconciliation

    at = Located("Funding sources", 2)
    names = ("MoJ Grant Gwasanaethau Dioddefwyr", "MoJ Domestic Abuse Grant", "MoJ ISVA Uplift")
    sources = tuple(
        FundingSource(VICTIMS, n, Decimal(a), True, "", at)
        for n, a in zip(names, ("884000", "300000", "16000"), strict=True)
    )
    fund = Fund(VICTIMS, Decimal(1200000), "", "", at)
    rec = FundReconciliation(fund, (), sources, Decimal(0), (), ())
    narrative = moj_narrative(rec)
    assert narrative is not None
    assert narrative["allocation"] == (
        "allocations will be £0.884m for the Grant Gwasanaethau Dioddefwyr, £0.300m for the "
        "Domestic Abuse Grant and £0.016m for the ISVA Uplift (£1.200m in total)"
    )
    assert narrative["english"] == (
        "allocations will be £0.884m for the",
        "£0.300m for the Domestic Abuse Grant and £0.016m for the ISVA Uplift (£1.200m in total)",
    )


def test_english_is_told_by_its_words_and_a_shared_name_is_neither() -> None:
    assert is_english("Victim Support") and is_english("Lincolnshire Rape Crisis")
    assert is_english("Barnardo's Children's Services")
    assert not is_english("Cronfa Dioddefwyr") and not is_english("Gwent")
    assert not is_english("Dyfed-Powys") and not is_english("£1,009,000")


def test_a_split_run_keeps_its_formatting_and_a_set_language_is_left_alone() -> None:
    pattern = welsh_passages([VICTIMS])
    assert pattern is not None
    paragraph = parse_xml(
        f"<w:p {nsdecls('w')}><w:r><w:rPr><w:b/></w:rPr><w:t>{VICTIMS} - £1,009,000</w:t></w:r>"
        f'<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t>{VICTIMS}</w:t></w:r></w:p>'
    )
    first, second = paragraph.findall(qn("w:r"))
    assert _mark_run(first, pattern) == 1
    assert _mark_run(second, pattern) == 0  # the template's or strategy's own language
    runs = paragraph.findall(qn("w:r"))
    assert ["".join(t.text or "" for t in r.iter(qn("w:t"))) for r in runs] == [
        "Cronfa Dioddefwyr",
        " / Victims Fund - £1,009,000",
        VICTIMS,
    ]
    assert all(r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None for r in runs[:2])
    assert runs[0].find(f"{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:val")) == WELSH_GB
    assert runs[1].find(f"{qn('w:rPr')}/{qn('w:lang')}") is None


@pytest.mark.slow
def test_the_pdf_says_which_passages_are_welsh(tmp_path: Path) -> None:
    soffice()
    report = _built(tmp_path, Config(pdf=True)) / "RfD-015-2021.pdf"
    languages: dict[str, int] = {}

    def walk(node: object) -> None:
        if isinstance(node, pikepdf.Dictionary):
            if "/Lang" in node:
                languages[str(node.Lang)] = languages.get(str(node.Lang), 0) + 1
            if "/K" in node:
                walk(node.K)
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    with pikepdf.open(report) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        walk(pdf.Root.StructTreeRoot)
    assert languages.get(WELSH_GB, 0) >= 3


def test_passages_are_found_whole_longest_first_with_shared_beginnings_written_once() -> None:
    pattern = welsh_passages(["Cronfa", "Cronfa Dioddefwyr / Victims Fund", "Cronfa Ddiogelwch"])
    assert pattern is not None
    text = "The CRONFA DIODDEFWYR fund, Cronfa Ddiogelwch, Cronfa, Cronfas and xCronfa."
    assert pattern.findall(text) == ["CRONFA DIODDEFWYR", "Cronfa Ddiogelwch", "Cronfa"]
    # A Welsh plan of many lines: one alternative per line made a pattern that took minutes
    # to search a long report; their shared beginning is written once.
    provisions = [f"Cefnogi dioddefwyr trais domestig yn y gymuned, rhif {n}" for n in range(2000)]
    many = welsh_passages(provisions)
    assert many is not None and len(many.pattern) < sum(map(len, provisions)) // 4
    assert all(many.fullmatch(p) for p in provisions)


def test_the_welsh_a_strategy_s_footnote_quotes_is_marked_welsh(tmp_path: Path) -> None:
    # The report's footnotes (a composed strategy's) were passed over by the marking.
    plan = load(make_workbook(tmp_path, "plan.xlsx", edit=_welsh)).plan
    assert plan is not None
    strategy = Document()
    paragraph = strategy.add_paragraph("Victims are supported.")
    add_note(strategy, paragraph, "footnote", "Cronfa Dioddefwyr guidance, 2021.")
    strategy.save(str(tmp_path / "strategy.docx"))
    report = dataclasses.replace(Report.of(reconcile(plan)), strategy=tmp_path / "strategy.docx")
    render_docx(report, tmp_path / "rfd.docx")
    notes = _languages_in(tmp_path / "rfd.docx", "word/footnotes.xml")
    assert notes["Cronfa Dioddefwyr"] == WELSH_GB
    assert notes[" guidance, 2021."] == ""
