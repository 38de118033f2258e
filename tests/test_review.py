"""The review note for the Chief Finance Officer: every finding, where in words, what to do."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from pipeline import batch
from pipeline.config import Config
from pipeline.findings import CATALOGUE, Finding
from pipeline.load import load
from pipeline.model import Plan
from pipeline.reconcile import reconcile
from pipeline.review import MARKING, Locator, render_review, review_name
from tests.workbooks import make_workbook, service_row


def note_text(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs and the tables (rows of cell texts) of a .docx."""
    document = Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> Path:
    out = tmp_path_factory.mktemp("review") / "output"
    [result], _ = batch.build([sample_path], out, Config())
    assert result.outcome == "built"
    return out / "015-2021"


def test_the_build_writes_a_review_note_holding_every_finding_of_findings_json(
    built: Path,
) -> None:
    findings = json.loads((built / "findings.json").read_text())["findings"]
    assert findings  # the sample has warnings and notes
    note = built / review_name("015/2021")
    assert note.name == "review-015-2021.docx"
    _, tables = note_text(note)
    rows = [row for table in tables for row in table[1:]]
    assert len(rows) == len(findings)
    for finding, (found, _where, action) in zip(findings, rows, strict=True):
        entry = CATALOGUE[finding["code"]]
        assert finding["message"] in found
        assert f"({finding['code']})" in found
        assert action == entry.action
    # The manifest records it as an output of the build.
    manifest = json.loads((built.parent / "manifest.json").read_text())
    [entry] = manifest["workbooks"].values()
    assert "015-2021/review-015-2021.docx" in [o["path"] for o in entry["outputs"]]


def test_the_note_is_marked_internal_and_grouped_by_severity(built: Path) -> None:
    document = Document(str(built / "review-015-2021.docx"))
    header = " ".join(p.text for p in document.sections[0].header.paragraphs)
    assert MARKING == "Internal — not for publication"
    assert MARKING in header
    styled = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    headings = [(style, text) for style, text in styled if style.startswith("Heading")]
    findings = json.loads((built / "findings.json").read_text())["findings"]
    warnings = sum(f["severity"] == "warning" for f in findings)
    notes = sum(f["severity"] == "info" for f in findings)
    assert headings == [
        ("Heading 1", "Review note: Request for Decision 015/2021"),
        ("Heading 2", "Errors (0)"),
        ("Heading 2", f"Warnings ({warnings})"),
        ("Heading 2", f"Notes ({notes})"),
    ]
    assert "No errors." in [p.text for p in document.paragraphs]
    assert document.core_properties.title == "Review note: Request for Decision 015/2021"
    assert document.core_properties.language == "en-GB"
    styles = document.styles.element.xml
    assert 'w:val="en-GB"' in styles
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.xpath("./w:trPr/w:tblHeader"), "the header row repeats on every page"
        assert [c.text for c in table.rows[0].cells] == ["What was found", "Where", "What to do"]


def test_where_is_said_in_a_finance_officers_words(sample_plan: Plan) -> None:
    locator = Locator.of(sample_plan)
    line = sample_plan.lines[3]
    end = Finding("I-EXPIRING", sample_plan.file, "…", line.at.sheet, line.at.cell("end"))
    assert locator.where(end) == f"Services sheet, row {line.at.row}, End date"
    fund = sample_plan.funds[0]
    allocation = Finding("I-HEADROOM", sample_plan.file, "…", "Funds", fund.at.cell("allocation"))
    assert locator.where(allocation) == f"Funds sheet, row {fund.at.row}, Allocation (£)"
    decision = sample_plan.decision
    reference = Finding(
        "E-DUPLICATE-REF", sample_plan.file, "…", "Decision", decision.at.cell("reference")
    )
    assert locator.where(reference).endswith(", Reference")
    assert locator.where(Finding("W-PDF", sample_plan.file, "…")) == "The workbook as a whole"
    assert locator.where(Finding("E-SHEET", sample_plan.file, "…", "Services", "row 7")) == (
        "Services sheet, row 7"
    )


def test_a_cell_no_record_holds_is_named_by_its_column(tmp_path: Path) -> None:
    """A value that could not be read leaves no record: its column names it all the same."""
    path = make_workbook(
        tmp_path,
        "bad.xlsx",
        services=[service_row(), service_row(service="Second", end="31/13/2022")],
    )
    loaded = load(path)
    [bad] = [f for f in loaded.findings if f.code == "E-VALUE"]
    good = load(make_workbook(tmp_path, "good.xlsx", services=[service_row(), service_row()]))
    assert good.plan is not None
    assert Locator.of(good.plan).where(bad).endswith(", End date")
    # With no plan at all, the column letter is the best there is.
    assert (
        Locator.of(None, str(path)).where(bad)
        == f"Services sheet, row {bad.cell[1:]}, column {bad.cell[0]}"
    )


def test_no_findings_says_so(tmp_path: Path, sample_plan: Plan) -> None:
    target = tmp_path / "review.docx"
    render_review(target, [], sample_plan)
    paragraphs, tables = note_text(target)
    assert tables == []
    assert any(p.startswith("No findings") for p in paragraphs)
    assert "Found: 0 errors, 0 warnings, 0 notes." in paragraphs


def test_errors_come_first_and_every_code_has_something_to_do(
    tmp_path: Path, sample_plan: Plan
) -> None:
    findings = [
        Finding("I-HIDDEN", sample_plan.file, "A hidden sheet.", "Notes"),
        Finding("E-FUND", sample_plan.file, "An unknown fund.", "Services", "A5"),
        Finding("W-DUPLICATE", sample_plan.file, "Twice.", "Services", "B6"),
    ]
    target = tmp_path / "review.docx"
    render_review(target, findings, sample_plan)
    paragraphs, tables = note_text(target)
    assert [t[1][0] for t in tables] == [
        "Unknown fund (E-FUND)\nAn unknown fund.",
        "Duplicate line (W-DUPLICATE)\nTwice.",
        "Hidden sheet ignored (I-HIDDEN)\nA hidden sheet.",
    ]
    assert "Found: 1 error, 1 warning, 1 note." in paragraphs
    assert all(entry.action for entry in CATALOGUE.values())


def test_the_note_is_the_same_bytes_for_the_same_findings(
    tmp_path: Path, sample_plan: Plan
) -> None:
    findings = list(reconcile(sample_plan).findings)
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    render_review(first, findings, sample_plan)
    render_review(second, findings, sample_plan)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_text_a_workbook_typed_with_control_characters_is_written(
    tmp_path: Path, sample_plan: Plan
) -> None:
    finding = Finding(
        "E-FUND", sample_plan.file, 'names the fund "Vic\x07tims\x1b[2J"', "Services", "A5"
    )
    target = tmp_path / "review.docx"
    render_review(target, [finding], sample_plan)
    _, tables = note_text(target)
    assert 'names the fund "Vic\\x07tims\\x1b[2J"' in tables[0][1][0]


def test_a_workbook_that_could_not_be_read_gets_a_note_named_by_its_file(tmp_path: Path) -> None:
    finding = Finding("E-READ", "input/broken.xlsx", "It is not a workbook.")
    target = tmp_path / "review.docx"
    render_review(target, [finding], None, "input/broken.xlsx")
    document = Document(str(target))
    assert document.paragraphs[0].text == "Review note: broken.xlsx"
    assert document.tables[0].rows[1].cells[1].text == "The workbook as a whole"


def test_a_note_over_several_rows_is_placed_over_them(sample_plan: Plan) -> None:
    [note, _] = [f for f in reconcile(sample_plan).findings if f.code == "I-YEAR-END"]
    assert note.cell == "G9:G10"
    assert Locator.of(sample_plan).where(note) == "Services sheet, rows 9–10, End date"


def test_a_spend_file_is_named_by_its_file_and_line(sample_plan: Plan) -> None:
    locator = Locator.of(sample_plan)
    csv = Finding("W-SPEND-UNMATCHED", "input/spend/ledger.csv", "…", "ledger.csv", "line 7")
    assert locator.where(csv) == "input/spend/ledger.csv, line 7"
    xlsx = Finding("W-SPEND-VALUE", "input/spend/ledger.xlsx", "…", "Payments", "row 9")
    assert locator.where(xlsx) == "input/spend/ledger.xlsx, Payments sheet, row 9"


def test_copied_finding_rows_are_the_rows_python_docx_builds(
    tmp_path: Path, sample_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows after the first are copies of a row python-docx built, with their texts set: the
    # note must be the same bytes as one whose every row python-docx built, whatever the text
    # (spaces to keep at either end, line breaks and tabs, which python-docx writes as
    # elements, so those rows are built by python-docx).
    file = sample_plan.file
    findings = [
        Finding("W-DUPLICATE", file, "Plain text of a finding.", "Services", "B9"),
        Finding("W-DUPLICATE", file, "  Two spaces before it.", "Services", "B10"),
        Finding("W-DUPLICATE", file, "A space after it ", "Services", "B11"),
        Finding("W-DUPLICATE", file, "A line\nbreak and a\ttab.", "Services", "B12"),
        Finding("W-DUPLICATE", file, "Plain again.", "Services", "B13"),
        Finding("I-EXPIRING", file, "A note for the second table.", "Services", "G9"),
        Finding("I-EXPIRING", file, "Another note.", "Services", "G10"),
    ]
    copied, built = tmp_path / "copied.docx", tmp_path / "built.docx"
    render_review(copied, findings, sample_plan)
    import re

    from pipeline import review

    monkeypatch.setattr(review, "_RUN_BREAKS", re.compile(r"[\s\S]"))  # no row is plain
    render_review(built, findings, sample_plan)
    assert copied.read_bytes() == built.read_bytes()
    _, tables = note_text(copied)
    assert "  Two spaces before it." in tables[0][2][0]
    assert "A line\nbreak and a\ttab." in tables[0][4][0]


def test_the_note_is_set_in_arial_not_its_themes_fonts(built: Path) -> None:
    # python-docx's template names its theme's fonts (Calibri), which a copy of LibreOffice
    # without them showed as a serif; the note is set as the Request for Decision is.
    with zipfile.ZipFile(built / "review-015-2021.docx") as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    fonts = re.findall(r"<w:rFonts [^>]*/>", styles)
    assert fonts and not [f for f in fonts if "theme" in f.lower()]
    assert re.search(r'<w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial"', styles)


def test_a_welsh_body_s_welsh_is_marked_welsh_in_the_note(tmp_path: Path) -> None:
    # The Request for Decision, the index page and the sign-off e-mail mark a Welsh subject or
    # fund as Welsh; the review note beside them read it with its English voice.
    from tests.test_docx_welsh import _welsh, runs_by_language

    plan = load(make_workbook(tmp_path, edit=_welsh)).plan
    assert plan is not None
    target = tmp_path / "review.docx"
    render_review(target, reconcile(plan, Config()).findings, plan)
    welsh, other = runs_by_language(target)
    assert "Cynllun Comisiynu 2021/22" in welsh  # the subject, in the introduction
    assert any("Cronfa Dioddefwyr" in text for text in welsh)  # a finding naming the fund
    assert not [text for text in other if "Cronfa Dioddefwyr" in text]
