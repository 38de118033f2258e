"""output/index.html: the output folder at a glance, read back as a browser reads it.

One output folder holds a built plan whose Word report was then edited by hand, a workbook
that cannot be read, a plan with errors whose earlier report was kept as a stale copy, and a
plan whose text is hostile markup. The page is parsed with html5lib (strictly: a parse error
fails), opened in headless Chromium and checked with axe-core.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import batch, freshness
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.index_entries import Link
from pipeline.index_page import INDEX, write_index
from pipeline.index_set_aside import SetAside, set_aside
from pipeline.new_workbook import WorkbookContent
from pipeline.textsafe import for_publication
from tests.browser import axe_script, run_chromium
from tests.workbooks import make_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "lincolnshire-2021-22.xlsx"
INJECTION = ROOT / "tests" / "corpus" / "formula-injection-names.xlsx"
NS = "{http://www.w3.org/1999/xhtml}"
HOSTILE = [
    '<script>alert("subject")</script>',
    '"><img src=x onerror=alert(1)>',
    "</td></tr></table><h1>forged</h1>",
]
# What the page is made of: anything else (a script, an image, a form) came from a workbook.
ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "nav", "section",
    "h1", "h2", "h3", "h4", "p", "a", "ul", "li", "dl", "dt", "dd", "span", "div", "table",
    "caption", "thead", "tbody", "tr", "th", "td", "svg", "rect",
}  # fmt: skip


def _decision(content: WorkbookContent, field: str, value: str) -> None:
    content.decision = [(f, value if f == field else v) for f, v in content.decision]


def _later(content: WorkbookContent) -> None:
    _decision(content, "Reference", "016/2021")


def _later_overspent(content: WorkbookContent) -> None:
    _later(content)
    content.funds = [
        [row[0], 1000, *row[2:]] if i == 0 else row for i, row in enumerate(content.funds)
    ]


def _hostile(content: WorkbookContent) -> None:
    _decision(content, "Reference", "017/2021")
    _decision(content, "Subject", HOSTILE[0] + " & plan")
    # The large grant's service name: a warning quotes it.
    content.services = [
        [HOSTILE[1] if v == "Rape Crisis" else v for v in row] for row in content.services
    ]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder: input/ and output/ after two builds, with a report edited by hand."""
    here = tmp_path_factory.mktemp("office")
    drop = here / "input"
    drop.mkdir()
    shutil.copy(SAMPLE, drop / SAMPLE.name)
    (drop / "broken.xlsx").write_bytes(SAMPLE.read_bytes()[:4000])  # a half-copied file
    # 016/2021: first good, then with errors, so its earlier report is kept as a stale copy.
    make_workbook(drop, "later.xlsx", edit=_later)
    make_workbook(drop, "hostile.xlsx", edit=_hostile)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(here)
        out = Path("output")
        batch.build([Path("input")], out, Config())
        make_workbook(drop, "later.xlsx", edit=_later_overspent)  # now over its allocation
        batch.build([Path("input")], out, Config())
        word = out / "015-2021" / "RfD-015-2021.docx"
        word.write_bytes(word.read_bytes() + b"\0")  # edited by hand after the build
        # A decision's reports no workbook holds now (its workbook saved over with another).
        (out / "999-2021" / "stale").mkdir(parents=True)
        (out / "999-2021" / "stale" / "RfD-999-2021.docx").write_bytes(b"PK")
        write_index(out)  # as pcc-report index does
    return here


@pytest.fixture(scope="module")
def page(folder: Path) -> str:
    return (folder / "output" / INDEX).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(page: str) -> ET.Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    parsed: ET.Element = parser.parse(page)  # strict: any HTML5 parse error raises
    return parsed


def text(element: ET.Element) -> str:
    """The element's text as a reader meets it: one space between separate pieces."""
    return re.sub(r"\s+", " ", " ".join(element.itertext())).strip()


def sections(tree: ET.Element) -> list[ET.Element]:
    """The decisions' sections, in page order."""
    return [s for s in tree.iter(f"{NS}section") if s.get("class") == "decision"]


def test_copies_no_workbook_records_are_set_aside_last(tree: ET.Element) -> None:
    """The copy of a decision no workbook holds now, left in its folder's stale/: after the
    decisions, under a heading of its own, linked, and said not to be current."""
    found = [s for s in tree.iter(f"{NS}section") if s.get("class") == "set-aside"]
    assert len(found) == 1
    said = text(found[0])
    assert said.startswith("Set aside: not current") and "none of them is current" in said
    assert "999-2021/stale/" in said
    links = [a.get("href") for a in found[0].iter(f"{NS}a")]
    assert links == ["999-2021/stale/RfD-999-2021.docx"]
    everything = list(tree.iter(f"{NS}section"))
    assert everything[-1] is found[0]


def test_failed_first_then_by_reference_with_their_status(tree: ET.Element) -> None:
    headings = [text(s.find(f"{NS}h2")) for s in sections(tree)]  # type: ignore[arg-type]
    assert headings[0].startswith("016/2021")
    assert headings[1] == "broken.xlsx"
    assert headings[2].startswith("015/2021")
    assert headings[3].startswith("017/2021")
    statuses = {
        h.split(":")[0].strip(): text(s.find(f"{NS}dl"))  # type: ignore[arg-type]
        for h, s in zip(headings, sections(tree), strict=True)
    }
    assert "Failed" in statuses["broken.xlsx"]
    assert "Failed" in statuses["016/2021"] and "Stale copy kept" in statuses["016/2021"]
    assert "Edited by hand" in statuses["015/2021"]
    assert "RfD-015-2021.docx was changed after it was built." in statuses["015/2021"]
    assert "Up to date" in statuses["017/2021"]


def test_each_decision_shows_its_year_workbook_funds_and_findings(
    tree: ET.Element, folder: Path
) -> None:
    sample = next(s for s in sections(tree) if text(s).startswith("015/2021"))
    said = text(sample)
    assert "Police and Crime Commissioner's Commissioning Strategy and Plan" in said
    assert "Financial year 2021/22" in said
    manifest = json.loads((folder / "output" / "manifest.json").read_text())
    sha = manifest["workbooks"]["input/lincolnshire-2021-22.xlsx"]["sha256"]
    assert f"lincolnshire-2021-22.xlsx (SHA-256 {sha[:12]})" in said
    rows = [
        [text(c) for c in row]
        for table in sample.iter(f"{NS}table")
        if "per fund" in text(table.find(f"{NS}caption"))  # type: ignore[arg-type]
        for row in table.iter(f"{NS}tr")
    ]
    assert rows[1][:4] == ["Victims Fund", "£1,009,000", "£805,212", "£203,788"]
    assert rows[2][:4] == ["Community Safety Fund", "£556,000", "£464,058", "£91,942"]
    assert rows[1][4] == "79.8%"
    # The bar draws the share written beside it: hidden from screen readers, which read the
    # share once (as an image labelled '79.8% of the allocation committed' it was read twice).
    bar = sample.find(f".//{NS}td/{{http://www.w3.org/2000/svg}}svg")
    assert bar is not None and bar.get("aria-hidden") == "true"
    assert bar.get("role") is None and bar.get("aria-label") is None
    counts = manifest["workbooks"]["input/lincolnshire-2021-22.xlsx"]["counts"]
    assert f"0 errors, 2 warnings, {counts['info']} notes." in said
    assert "Large grant" in said and "Services sheet, row 9, column L" in said
    assert "Record why a grant suits this work, or commission it by contract." in said
    assert "W-GRANT-SIZE" not in said  # the review note's words, not codes


def test_the_failed_workbooks_show_their_errors(tree: ET.Element) -> None:
    later, broken = sections(tree)[:2]
    assert "Unreadable file" in text(broken)
    assert "1 error, 0 warnings, 0 notes." in text(broken)
    assert "Errors (2)" in text(later) and "more than its allocation" in text(later)


def test_every_link_is_a_file_in_the_output_folder(tree: ET.Element, folder: Path) -> None:
    out = (folder / "output").resolve()
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    hrefs = [a.get("href") or "" for a in tree.iter(f"{NS}a")]
    files = [h for h in hrefs if not h.startswith("#")]
    assert len(files) >= 10
    for href in hrefs:
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc, href  # nothing from outside
        if href.startswith("#"):
            assert href[1:] in ids, href
            continue
        target = (out / unquote(parts.path)).resolve()
        assert target.is_relative_to(out) and target.is_file(), href
    sample = next(s for s in sections(tree) if text(s).startswith("015/2021"))
    links = {text(a): a.get("href") for a in sample.iter(f"{NS}a")}
    assert links["Request for Decision (Word)"] == "015-2021/RfD-015-2021.docx"
    assert links["Review note (internal)"] == "015-2021/review-015-2021.docx"
    assert links["Public summary"] == "015-2021/commissioning-summary-2021-22.xlsx"
    later = next(s for s in sections(tree) if text(s).startswith("016/2021"))
    links = {text(a): a.get("href") for a in later.iter(f"{NS}a")}
    assert links["Stale copy kept: RfD-016-2021.docx"] == "016-2021/stale/RfD-016-2021.docx"
    assert "Request for Decision (Word)" not in links  # the failed build's report is stale
    # Nothing is loaded: no script, image, stylesheet link, frame or url() in the style.
    assert {e.tag.removeprefix(NS) for e in tree.iter() if isinstance(e.tag, str)} <= ELEMENTS | {
        "{http://www.w3.org/2000/svg}svg",
        "{http://www.w3.org/2000/svg}rect",
    }
    assert all(e.get("src") is None for e in tree.iter())
    assert "url(" not in "".join(text(s) for s in tree.iter(f"{NS}style"))


def test_accessible_structure(tree: ET.Element) -> None:
    assert tree.get("lang") == "en-GB"
    levels = [int(e.tag[-1]) for e in tree.iter() if re.fullmatch(rf"{NS}h[1-6]", str(e.tag))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    parent = {child: element for element in tree.iter() for child in element}
    by_id = {e.get("id"): e for e in tree.iter() if e.get("id")}
    names = []
    for table in tree.iter(f"{NS}table"):
        caption = table.find(f"{NS}caption")
        assert caption is not None
        # Each table scrolls in a region of its own (WCAG 1.4.10), named by its caption and
        # reachable by the keyboard, which scrolls it.
        region = parent[table]
        assert region.get("role") == "region" and region.get("tabindex") == "0"
        labels = (region.get("aria-labelledby") or "").split()
        assert labels[0] == caption.get("id") is not None
        names.append(" ".join(text(by_id[label]) for label in labels))
        header = table.find(f"{NS}thead/{NS}tr")
        assert header is not None and all(th.get("scope") == "col" for th in header)
    # A screen reader lists the regions by name: each decision's "Allocation and commitments
    # per fund" was one of several alike (axe: landmark-unique), its decision not said.
    assert len(names) == len(set(names)), names
    assert "Allocation and commitments per fund 015/2021" in names
    # Every status is said in words, not only in colour.
    for badge in (s for s in tree.iter(f"{NS}span") if "status" in (s.get("class") or "")):
        assert re.search(r"[A-Za-z]{4,}", text(badge)), text(badge)


def test_hostile_text_is_text_never_markup(tree: ET.Element, page: str) -> None:
    said = text(tree)
    assert HOSTILE[0] + " & plan" in said
    assert HOSTILE[1] in said
    assert "<script" not in page and "<img" not in page
    elements = {e.tag.removeprefix(NS) for e in tree.iter() if isinstance(e.tag, str)}
    assert "script" not in elements and "img" not in elements
    assert not [a for e in tree.iter() for a in e.attrib if a.startswith("on")]


def test_the_corpus_injection_strings_are_text(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(INJECTION)
    cells = [
        str(c)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") and not c.startswith("=SUM(")
    ]
    assert cells, "the corpus workbook has no injection strings"
    out = tmp_path / "output"
    batch.build([INJECTION], out, Config())
    page = (out / INDEX).read_text(encoding="utf-8")
    tree = html5lib.HTMLParser(strict=True).parse(page)
    said = text(tree)
    quoted = [c for c in cells if for_publication(c) in said]
    assert quoted, (cells, said)  # those the findings quote appear, as text
    for element in tree.iter():
        for value in element.attrib.values():
            assert not any(c in value for c in cells), value


def test_no_personal_data_and_sending_in_numbers(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    shutil.copytree(folder / "output", out)
    manifest = json.loads((out / "manifest.json").read_text())
    entry = manifest["workbooks"]["input/hostile.xlsx"]
    entry["sent"] = [{"sent_at": "2026-12-01T09:30:00+00:00", "to": ["a@x.example", "b@x.example"]}]
    (out / "manifest.json").write_text(json.dumps(manifest))
    findings = out / "017-2021" / "findings.json"
    report = json.loads(findings.read_text())
    report["findings"][0]["message"] += " Call Jane on 01522 947406 or jane.smith@example.org."
    findings.write_text(json.dumps(report))
    write_index(out, cwd=folder)
    body = html5lib.HTMLParser(strict=True).parse((out / INDEX).read_text()).find(f"{NS}body")
    said = text(body)
    assert "1 December 2026, 09:30 UTC to 2 recipients" in said
    assert "@" not in said and "947406" not in said and "[removed]" in said


def test_a_rerun_that_changes_nothing_leaves_the_page_alone(folder: Path) -> None:
    page = folder / "output" / INDEX
    before = page.stat().st_mtime_ns, page.read_bytes()
    write_index(folder / "output", cwd=folder)
    assert (page.stat().st_mtime_ns, page.read_bytes()) == before


def test_a_changed_workbook_shows_as_changed_since(folder: Path, tmp_path: Path) -> None:
    here = tmp_path / "office"
    shutil.copytree(folder, here)
    (here / "input" / "hostile.xlsx").write_bytes(b"changed")
    write_index(here / "output", cwd=here)
    said = text(html5lib.HTMLParser().parse((here / "output" / INDEX).read_text()))
    assert "Workbook changed since" in said and "build again" in said


def _said(out: Path) -> str:
    return text(html5lib.HTMLParser().parse((out / INDEX).read_text(encoding="utf-8")))


def _decision_text(out: Path, reference: str) -> str:
    page = html5lib.HTMLParser().parse((out / INDEX).read_text(encoding="utf-8"))
    found = [text(s) for s in sections(page) if reference in text(s)]
    assert len(found) == 1, f"one section for {reference}"
    return found[0]


@pytest.fixture()
def office(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built folder, run from (as ``pcc-report index`` is, where the build ran)."""
    here = tmp_path / "office"
    shutil.copytree(folder, here)
    monkeypatch.chdir(here)
    return here


def test_changed_settings_show_as_changed_since(office: Path) -> None:
    # "Up to date" must mean that building again would change nothing: the settings the
    # outputs were made with count, as they do when a build decides what to rebuild.
    here = office
    same = CliRunner().invoke(cli, ["index", "--out", "output"])
    assert same.exit_code == 0, same.output
    assert "Template or settings changed since" not in _said(here / "output")
    (here / "pcc-report.toml").write_text('uplift_threshold = "25"\n', encoding="utf-8")
    other = CliRunner().invoke(cli, ["index", "--out", "output", "--config", "pcc-report.toml"])
    assert other.exit_code == 0, other.output
    hostile = _decision_text(here / "output", "017/2021")  # was up to date
    assert "Template or settings changed since" in hostile
    assert "The settings changed after this build." in hostile and "Build again" in hostile
    assert "Failed" in _decision_text(here / "output", "016/2021")  # still said first


def test_new_code_shows_as_changed_since_said_once(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `git pull` changes the code, not always the version: building again may change
    # the outputs, so they are not up to date. A new version is new code too: one sentence.
    here = office
    monkeypatch.setattr(freshness, "code_version", lambda: b"the code after a git pull")
    assert CliRunner().invoke(cli, ["index", "--out", "output"]).exit_code == 0
    said = _decision_text(here / "output", "017/2021")  # was up to date
    assert "Template or settings changed since" in said
    assert said.count("pcc-report was updated after this build.") == 1
    monkeypatch.setattr(freshness, "__version__", "99.0")
    assert CliRunner().invoke(cli, ["index", "--out", "output"]).exit_code == 0
    said = _decision_text(here / "output", "017/2021")
    assert said.count("pcc-report was updated after this build.") == 1


def test_a_build_with_another_template_shows_the_others_as_changed_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build of one workbook redraws the whole page: a report made with last week's
    # template is not up to date once the template was edited in Word.
    drop = tmp_path / "input"
    drop.mkdir()
    shutil.copy(SAMPLE, drop / SAMPLE.name)
    make_workbook(drop, "later.xlsx", edit=_later)
    edited = tmp_path / "edited.docx"
    edited.write_bytes(batch.TEMPLATE.read_bytes())
    with zipfile.ZipFile(edited, "a") as package:  # other bytes, the same template
        package.comment = b"edited in Word"
    monkeypatch.chdir(tmp_path)
    out = Path("output")
    batch.build([Path("input")], out, Config())
    assert "Template or settings changed since" not in _said(out)
    batch.build([Path("input/later.xlsx")], out, Config(), template=edited)
    sample = _decision_text(out, "015/2021")
    assert "Template or settings changed since" in sample
    assert "The Word template changed after this build." in sample
    assert "Template or settings changed since" not in _decision_text(out, "016/2021")


def test_the_index_command_redraws_the_page(folder: Path, tmp_path: Path, office: Path) -> None:
    here = office
    (here / "output" / INDEX).unlink()
    result = CliRunner().invoke(cli, ["index", "--out", "output"])
    assert result.exit_code == 0, result.output
    assert (here / "output" / INDEX).read_bytes() == (folder / "output" / INDEX).read_bytes()
    empty = CliRunner().invoke(cli, ["index", "--out", str(tmp_path / "nothing")])
    assert empty.exit_code == 2 and "run pcc-report build first" in empty.output


def test_damaged_files_are_left_out_not_guessed(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    shutil.copytree(folder / "output", out)
    (out / "017-2021" / "findings.json").write_text("{not json")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["workbooks"]["input/hostile.xlsx"]["funds"][0]["allocation"] = "lots"
    (out / "manifest.json").write_text(json.dumps(manifest))
    write_index(out, cwd=folder)
    hostile = [s for s in sections(html5lib.HTMLParser().parse((out / INDEX).read_text()))][-1]
    said = text(hostile)
    counts = manifest["workbooks"]["input/hostile.xlsx"]["counts"]
    assert counts["info"] > 0
    # The manifest's counts stand in for the findings file.
    assert f"0 errors, 2 warnings, {counts['info']} notes." in said
    assert "£1,009,000" not in said and "£556,000" in said


# -- in a real browser -----------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_chromium_opens_it_from_a_file_without_console_errors(folder: Path, tmp_path: Path) -> None:
    shot = tmp_path / "index.png"
    page = (folder / "output" / INDEX).as_uri()
    run = run_chromium(
        "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "--window-size=1280,2000", page
    )
    assert shot.is_file(), run.stderr[-2000:]
    assert png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 20_000  # a page with text and tables, not a blank one
    assert [line for line in run.stderr.splitlines() if ":CONSOLE" in line] == []


@pytest.mark.slow
def test_axe_finds_no_serious_or_critical_violation(folder: Path) -> None:
    out = folder / "output"
    checked = out / ".axe-index.html"  # beside the page, so it sees the same folder
    runner = (
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa', 'wcag22aa', 'best-practice']}}).then(function (r) {"
        " var pre = document.createElement('pre'); pre.id = 'axe-result';"
        " pre.textContent = JSON.stringify({violations: r.violations.map(function (v) {"
        " return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}; }),"
        " passes: r.passes.map(function (p) { return p.id; })});"
        " document.body.appendChild(pre); });"
    )
    page = (out / INDEX).read_text(encoding="utf-8")
    checked.write_text(
        page.replace("</body>", f"<script>{axe_script()}</script><script>{runner}</script></body>"),
        encoding="utf-8",
    )
    try:
        run = run_chromium("--virtual-time-budget=60000", "--dump-dom", checked.as_uri())
    finally:
        checked.unlink()
    dom = html5lib.HTMLParser().parse(run.stdout)
    result = next((e for e in dom.iter(f"{NS}pre") if e.get("id") == "axe-result"), None)
    assert result is not None, run.stderr[-2000:]
    report = json.loads(text(result))
    assert "color-contrast" in report["passes"] and "html-has-lang" in report["passes"]
    serious = [v for v in report["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert "landmark-unique" not in [v["id"] for v in report["violations"]]


@pytest.mark.slow
def test_it_prints(folder: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "index.pdf"
    run = run_chromium(
        f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (folder / "output" / INDEX).as_uri()
    )
    assert pdf.is_file(), run.stderr[-2000:]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install -y poppler-utils")
    printed = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Commissioning plans: what was built" in printed
    # The print stylesheet spells out where each file link goes.
    assert "(015-2021/RfD-015-2021.docx)" in printed


@pytest.fixture(scope="module")
def spent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder after a build of the sample with the fixture ledger in input/spend/."""
    from tests.make_ledger import write_ledger

    here = tmp_path_factory.mktemp("spent")
    (here / "input").mkdir()
    shutil.copy(SAMPLE, here / "input" / SAMPLE.name)
    write_ledger(here / "input" / "spend" / "ledger-2021-22.csv")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(here)
        batch.build([Path("input")], Path("output"), Config())
    return here


def _status_after(folder: Path, tmp_path: Path, change: str) -> str:
    """The status line of 015/2021 once ``change`` is made to a copy of ``folder`` and the
    page redrawn (as ``pcc-report index`` does), from the decision's facts."""
    here = tmp_path / "office"
    shutil.copytree(folder, here)
    ledger = here / "input" / "spend" / "ledger-2021-22.csv"
    if change == "spend edited":
        ledger.write_bytes(ledger.read_bytes() + b"01/10/2021,EDAN Lincs,1000.00,X1\n")
    elif change == "spend removed":
        ledger.unlink()
    elif change == "spend added":
        shutil.copy(ledger, ledger.with_name("ledger-october.csv"))
    write_index(here / "output", cwd=here)
    parsed = html5lib.HTMLParser().parse((here / "output" / INDEX).read_text(encoding="utf-8"))
    facts = [s for s in sections(parsed) if text(s.find(f"{NS}h2")).startswith("015/2021")]  # type: ignore[arg-type]
    return text(facts[0].find(f"{NS}dl"))  # type: ignore[arg-type]


def test_up_to_date_right_after_a_build_with_spend_files(spent: Path, tmp_path: Path) -> None:
    assert "Up to date" in _status_after(spent, tmp_path, "nothing")


@pytest.mark.parametrize(
    ("change", "note"),
    [
        ("spend edited", "ledger-2021-22.csv changed after this build"),
        ("spend removed", "ledger-2021-22.csv is no longer there"),
        ("spend added", "ledger-october.csv was added after this build"),
    ],
)
def test_a_changed_spend_file_is_not_up_to_date(
    spent: Path, tmp_path: Path, change: str, note: str
) -> None:
    """The position is built from the spend files as much as from the workbook: after one of
    them changed, building again would change the outputs, so the page must not say so."""
    status = _status_after(spent, tmp_path, change)
    assert "Up to date" not in status
    assert "Spend files changed since" in status and note in status and "build again" in status


LONG_NAME = "Commissioning_Plan_2021-22_FINAL_v3_approved_by_CFO_amended_after_panel_JD.xlsx"
MEASURE = (
    "<script>var p = document.createElement('pre'); p.id = 'measured';"
    " p.textContent = document.documentElement.scrollWidth + ' ' + window.innerWidth;"
    " document.body.appendChild(p);</script>"
)


@pytest.mark.slow
def test_a_long_file_name_wraps_instead_of_widening_the_page(tmp_path: Path) -> None:
    # A file name has no spaces to wrap at: the overview's Workbook column took the width of
    # the whole name, the page ran past the window and had to be scrolled sideways (WCAG 1.4.10).
    drop = tmp_path / "input"
    drop.mkdir()
    shutil.copy(SAMPLE, drop / LONG_NAME)
    make_workbook(drop, "x" * 120 + ".xlsx", edit=_later)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        batch.build([Path("input")], Path("output"), Config())
    page = tmp_path / "output" / INDEX
    measured = page.with_name(".measured.html")
    measured.write_text(
        page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8"
    )
    run = run_chromium("--window-size=1024,768", "--dump-dom", measured.as_uri())
    dom = html5lib.HTMLParser().parse(run.stdout)
    result = next((e for e in dom.iter(f"{NS}pre") if e.get("id") == "measured"), None)
    assert result is not None, run.stderr[-2000:]
    page_width, window_width = map(int, text(result).split())
    assert page_width <= window_width


@pytest.mark.slow
def test_a_file_name_with_an_odd_character_is_named_whole(tmp_path: Path) -> None:
    # The manifest records "plan\u202egnp.xlsx" with the character shown as \u202e; the page
    # took that backslash for a Windows folder and named the workbook "u202egnp.xlsx".
    drop = tmp_path / "input"
    drop.mkdir()
    shutil.copy(SAMPLE, drop / "plan\u202egnp.xlsx")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        batch.build([Path("input")], Path("output"), Config())
    parsed = html5lib.HTMLParser().parse((tmp_path / "output" / INDEX).read_text("utf-8"))
    cells = [text(td) for td in parsed.iter(f"{NS}td") if td.get("class") == "text"]
    assert cells[0] == "plan\\u202egnp.xlsx"


# Run inside the page, 320 CSS pixels wide: how wide the page is, which regions scroll, and
# each word of a heading, caption or name cell that is broken across two lines.
REFLOW = """<script>
var broken = [];
document.querySelectorAll('h1, h2, h3, h4, caption, th, td').forEach(function (e) {
  var walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
  for (var node = walk.nextNode(); node; node = walk.nextNode()) {
    if (node.parentElement.closest('.file')) continue;
    var words = /[A-Za-z\u2019']+/g, m;
    while ((m = words.exec(node.data))) {
      var range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      var tops = new Set(Array.from(range.getClientRects()).map(function (r) {
        return Math.round(r.top); }));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
});
var regions = Array.from(document.querySelectorAll('.scroll')).filter(function (r) {
  return r.scrollWidth > r.clientWidth; }).length;
parent.postMessage(JSON.stringify({page: document.documentElement.scrollWidth,
  window: window.innerWidth, scrolling_regions: regions, broken: broken}), '*');
</script>"""
# Chromium's window is at least 500 pixels wide: the page is measured in a frame of 320.
FRAME = """<!DOCTYPE html><html lang="en-GB"><head><title>320</title></head><body>
<pre id="measured"></pre><iframe title="page" style="width:320px;height:2000px" src="PAGE"></iframe>
<script>window.addEventListener('message', function (e) {
document.getElementById('measured').textContent = e.data; });</script></body></html>"""


@pytest.mark.slow
def test_at_320_pixels_wide_only_the_tables_scroll_and_no_word_is_broken(folder: Path) -> None:
    # WCAG 1.4.10 Reflow: on a phone (or at 400% zoom) the whole page scrolled sideways, and
    # 'overflow-wrap: anywhere' squeezed the table cells so 'Victims Fund' read 'Victi/ms Fund'.
    out = folder / "output"
    measured, frame = out / ".reflow.html", out / ".reflow-frame.html"
    page = (out / INDEX).read_text(encoding="utf-8")
    measured.write_text(page.replace("</body>", REFLOW + "</body>"), encoding="utf-8")
    frame.write_text(FRAME.replace("PAGE", measured.name), encoding="utf-8")
    try:
        run = run_chromium("--virtual-time-budget=10000", "--dump-dom", frame.as_uri())
    finally:
        measured.unlink()
        frame.unlink()
    dom = html5lib.HTMLParser().parse(run.stdout)
    result = next((e for e in dom.iter(f"{NS}pre") if e.get("id") == "measured"), None)
    assert result is not None and text(result), run.stderr[-2000:]
    said = json.loads(text(result))
    assert said["window"] == 320
    assert said["page"] <= 320, said
    assert said["scrolling_regions"] >= 1  # the wide tables scroll in their regions
    assert said["broken"] == []


def _welsh(content: WorkbookContent) -> None:
    _decision(content, "Subject", "Cynllun Comisiynu 2021/22 / Commissioning Plan 2021/22")
    renamed = "Cronfa Dioddefwyr / Victims Fund"
    for part in ("funds", "sources", "services"):
        rows = getattr(content, part)
        setattr(content, part, [[renamed if v == "Victims Fund" else v for v in r] for r in rows])


def test_welsh_subjects_and_fund_names_are_marked_welsh(tmp_path: Path) -> None:
    # A Welsh body's subject and funds were read with the page's English voice (WCAG 3.1.2).
    drop = tmp_path / "input"
    drop.mkdir()
    make_workbook(drop, "cymru.xlsx", edit=_welsh)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        batch.build([Path("input")], Path("output"), Config())
    parsed = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(
        (tmp_path / "output" / INDEX).read_text(encoding="utf-8")
    )
    marked = [text(e) for e in parsed.iter() if e.get("lang") == "cy"]
    assert marked[:4] == ["Cynllun Comisiynu 2021/22"] * 2 + ["Cronfa Dioddefwyr"] * 2
    # The ring-fenced grant's warning quotes the fund: its Welsh is marked there too.
    warning = next(td for td in parsed.iter(f"{NS}td") if "ring-fenced" in text(td))
    assert [text(s) for s in warning.iter(f"{NS}span") if s.get("lang") == "cy"] == [
        "Cronfa Dioddefwyr"
    ]
    assert "committed to Cronfa Dioddefwyr / Victims Fund lines" in text(warning)
    funds = next(t for t in parsed.iter(f"{NS}table") if "per fund" in text(t))
    first = funds.find(f".//{NS}tbody/{NS}tr/{NS}th")
    assert first is not None and text(first) == "Cronfa Dioddefwyr / Victims Fund"


def test_set_aside_lists_only_the_stale_copies_no_workbook_records(tmp_path: Path) -> None:
    """A copy a workbook's entry records is linked from its section; one no entry records (the
    reports of a decision a workbook held before it was saved over) gets the Set aside part.
    The tool's own half-written files and anything through a link are never listed."""
    out = tmp_path / "output"
    kept = out / "015-2021" / "stale"
    kept.mkdir(parents=True)
    for name in ("RfD-015-2021.docx", "RfD-015-2021-2.docx", ".tmp-abcdefgh-RfD.docx"):
        (kept / name).write_bytes(b"x")
    record = {"status": "errors", "outputs": [], "stale": ["015-2021/stale/RfD-015-2021.docx"]}
    manifest = {"tool": "pcc-report", "version": "0", "workbooks": {"input/a.xlsx": record}}
    (out / "manifest.json").write_text(json.dumps(manifest))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.docx").write_bytes(b"x")
    (out / "020-2021").mkdir()
    (out / "020-2021" / "stale").symlink_to(elsewhere)
    (out / "030-2021" / "stale").mkdir(parents=True)
    (out / "030-2021" / "stale" / "linked.docx").symlink_to(elsewhere / "secret.docx")
    assert set_aside(out) == [
        SetAside("015-2021", (Link("RfD-015-2021-2.docx", "015-2021/stale/RfD-015-2021-2.docx"),))
    ]
    assert set_aside(tmp_path / "nothing-here") == []


def test_two_workbooks_of_one_reference_are_told_apart(tmp_path: Path) -> None:
    # A copy of the plan beside it (E-DUPLICATE-REF, neither built): both decisions were
    # "015/2021: Police and Crime Commissioner's ...", one heading, section and table region
    # name read twice by a screen reader (axe: landmark-unique), two "015/2021" links in the
    # overview, and no word of which workbook each was.
    drop = tmp_path / "input"
    drop.mkdir()
    shutil.copy(SAMPLE, drop / "plan.xlsx")
    shutil.copy(SAMPLE, drop / "plan (2).xlsx")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        batch.build([Path("input")], Path("output"), Config())
    parsed = html5lib.HTMLParser().parse((tmp_path / "output" / INDEX).read_text("utf-8"))
    headings = [text(h) for h in parsed.iter(f"{NS}h2") if h.get("id", "").startswith("decision")]
    assert [h.split(":")[0].strip() for h in headings] == [
        "015/2021 (plan (2).xlsx)",
        "015/2021 (plan.xlsx)",
    ]
    links = [text(a) for a in parsed.iter(f"{NS}a") if a.get("href", "").startswith("#decision")]
    assert links == ["015/2021 (plan (2).xlsx)", "015/2021 (plan.xlsx)"]
