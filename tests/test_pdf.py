"""The PDF of the Request for Decision, made with LibreOffice headless.

The conversion tests need LibreOffice and poppler-utils (``.ci/run`` installs them); without
them they skip locally and fail in CI. The missing and failing cases need neither.
"""

from __future__ import annotations

import email
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from pipeline import batch, pdf, runner
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.model import Plan
from pipeline.pdf import _tagged as _elements
from tests.office import pdf_text, pdftotext, soffice
from tests.test_mail import circulated

TITLE = (
    "Request for Decision 015/2021: Police and Crime Commissioner's Commissioning Strategy "
    "and Plan for 2021/22"
)
FUND_TOTALS = ("£1,009,000", "£805,212", "£203,788", "£556,000", "£464,058", "£91,942")


def pdfinfo(path: Path) -> dict[str, str]:
    binary = shutil.which("pdfinfo")
    if binary is None:
        pdftotext()  # skips (or fails in CI) with the install hint
    output = subprocess.run(
        [binary or "pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in output.splitlines())
    }


def sha(data: object) -> str:
    assert isinstance(data, bytes)
    return hashlib.sha256(data).hexdigest()


@pytest.mark.slow
def test_build_pdf_from_the_setting_carries_totals_title_and_structure(tmp_path: Path) -> None:
    soffice()
    workbook = circulated(tmp_path / "input")
    out = tmp_path / "output"
    config = tmp_path / "pcc-report.toml"
    config.write_text("pdf = true\n")
    result = CliRunner().invoke(
        cli,
        ["build", str(workbook.parent), "--out", str(out), "--config", str(config)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    folder = out / "015-2021"
    report = folder / "RfD-015-2021.pdf"

    text = " ".join(pdf_text(report).split())
    for figure in FUND_TOTALS:
        assert figure in text
    info = pdfinfo(report)
    assert info["Title"] == TITLE
    assert info["Tagged"] == "yes"  # UseTaggedPDF: structure for screen readers
    data = report.read_bytes()
    assert_pdf_ua(report, TITLE, folder / "RfD-015-2021.docx")  # language, bookmarks, tags

    # Recorded in the manifest like every output, and attached to the e-mail intact.
    entry = next(iter(json.loads((out / "manifest.json").read_text())["workbooks"].values()))
    recorded = {Path(o["path"]).name: o["sha256"] for o in entry["outputs"]}
    assert recorded["RfD-015-2021.pdf"] == sha(data)
    message = email.message_from_bytes(
        (folder / "email-015-2021.eml").read_bytes(), policy=policy.default
    )
    assert isinstance(message, EmailMessage)
    attached = {
        str(part.get_filename()): (part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
    }
    assert set(attached) == {"RfD-015-2021.docx", "RfD-015-2021.pdf", "review-015-2021.docx"}
    assert attached["RfD-015-2021.pdf"][0] == "application/pdf"
    for name, (_, content) in attached.items():
        assert sha(content) == sha((folder / name).read_bytes()) == recorded[name]
    assert [p.name for p in folder.rglob(".tmp-*")] == []


@pytest.mark.slow
def test_the_same_report_gives_the_same_pdf_dated_by_the_decision(
    sample_path: Path, sample_plan: Plan, tmp_path: Path
) -> None:
    """LibreOffice stamps the clock and a random identifier; the PDF is dated by the decision
    (as the .docx is) and identified by its content, so a rebuild makes the same bytes."""
    soffice()
    [result], _ = batch.build([sample_path], tmp_path / "out", Config())
    assert result.outcome == "built"
    [docx] = (tmp_path / "out").rglob("RfD-*.docx")
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    pdf.to_pdf(docx, first, dated=sample_plan.decision.date)
    pdf.to_pdf(docx, second, dated=sample_plan.decision.date)
    assert first.read_bytes() == second.read_bytes()
    with pikepdf.open(first) as document:
        assert str(document.docinfo["/CreationDate"]) == "D:20210528000000Z"
        assert str(document.docinfo["/ModDate"]) == "D:20210528000000Z"
        with document.open_metadata() as xmp:
            assert xmp["xmp:CreateDate"].startswith("2021-05-28T00:00:00")


def test_missing_libreoffice_is_a_warning_that_says_how_to_install_it(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PCC_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "output"
    result = CliRunner().invoke(
        cli, ["build", str(sample_path), "--out", str(out), "--pdf"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output  # the Word and Excel outputs are still built
    assert "W-PDF" in result.output and "apt-get install" in result.output
    folder = out / "015-2021"
    assert {p.name for p in folder.iterdir()} == {
        "RfD-015-2021.docx",
        "commissioning-summary-2021-22.xlsx",
        "review-015-2021.docx",
        "email-015-2021.eml",
        "findings.json",
        "grants-2021-22.csv",
        "contracts-2021-22.csv",
    }
    findings = json.loads((folder / "findings.json").read_text())["findings"]
    [warning] = [f for f in findings if f["code"] == "W-PDF"]
    assert "LibreOffice was not found" in warning["message"]
    # The next run tries the PDF again rather than calling the build up to date.
    [again], _ = batch.build([sample_path], out, Config(pdf=True))
    assert again.outcome == "built"


def assert_pdf_ua(path: Path, title: str, docx: Path) -> None:
    """What PDF/UA-1 asks of the file and a screen reader relies on, read back with pikepdf.

    Each table whose header row is marked in the Word report has header cells (TH) in the PDF.
    """
    from docx import Document

    headed = ["w:tblHeader" in table.rows[0]._tr.xml for table in Document(str(docx)).tables]
    with pikepdf.open(path) as document:
        root = document.Root
        assert str(root.Lang) == "en-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True  # the title, not file name
        assert bool(root.MarkInfo.Marked) is True
        tree = root.StructTreeRoot
        kinds = _structure_kinds(tree.K)
        assert {"/H1", "/H2", "/Table", "/TR", "/TH", "/TD"} <= set(kinds)
        tables = _elements(tree.K, "/Table")
        first_rows = [_elements(table.K, "/TR")[0] for table in tables]
        headed_rows = [set(_cells(row)) == {"/TH"} for row in first_rows]
        assert sum(headed_rows) == sum(headed)
        assert sum(headed) >= 5  # the Appendix 3 and reconciliation tables at least
        # Every table says what its cells mean (PDF/UA 15-003): the form's label | value tables
        # have their labels as row headers; the approval block, only laid out, is no table.
        for table, column_headed in zip(tables, headed_rows, strict=True):
            assert "/TH" in _structure_kinds(table.K)
            if not column_headed:
                for row in _elements(table.K, "/TR"):
                    assert _cells(row) == ["/TH", "/TD"]
                    held = row.K[0].A
                    listed = list(held) if isinstance(held, pikepdf.Array) else [held]
                    assert [str(a.Scope) for a in listed if "/Scope" in a] == ["/Row"]
        # Every style-named tag maps to a standard one.
        role_map = {str(k) for k in tree.RoleMap}
        standard = {"/Document", "/P", "/H1", "/H2", "/H3", "/L", "/LI", "/LBody", "/Lbl"}
        standard |= {"/Table", "/TR", "/TH", "/TD", "/Span", "/Link", "/Figure", "/Sect", "/Div"}
        assert set(kinds) - standard <= role_map
        with document.open_outline() as outline:
            assert len(outline.root) >= 5  # ExportBookmarks: the headings as bookmarks
        xmp = document.open_metadata()
        assert xmp["pdfuaid:part"] == "1"
        assert xmp["dc:title"] == title  # no "&apos;" (LibreOffice escapes it twice)
        assert str(document.docinfo.Title) == title


def _cells(row: pikepdf.Dictionary) -> list[str]:
    """The kinds of a table row's cells, in order."""
    kids = row.K if isinstance(row.K, pikepdf.Array) else [row.K]
    return [str(k.S) for k in kids if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _structure_kinds(node: object) -> list[str]:
    found: list[str] = []
    if isinstance(node, pikepdf.Array):
        for item in node:
            found += _structure_kinds(item)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(str(node.S))
        if "/K" in node:
            found += _structure_kinds(node.K)
    return found


def _fake_soffice(folder: Path, script: str) -> Path:
    program = folder / "soffice"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def test_a_failing_conversion_is_a_warning_and_leaves_nothing_behind(
    tmp_path: Path, sample_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = "echo 'Error: source file could not be loaded'\nexit 1\n"
    monkeypatch.setenv("PCC_SOFFICE", str(_fake_soffice(tmp_path, failing)))
    out = tmp_path / "output"
    [result], _ = batch.build([sample_path], out, Config(pdf=True))
    assert result.outcome == "built" and result.status == "ok"
    [warning] = [f for f in result.findings if f.code == "W-PDF"]
    assert "could not be loaded" in warning.message
    assert [p.name for p in out.rglob(".tmp-*")] == []


def _hanging_launcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A "LibreOffice" that starts a child which runs a minute, as soffice starts soffice.bin;
    returns a .docx to convert and the file its child's process id is written to."""
    marker = tmp_path / "child.pid"
    monkeypatch.setenv(
        "PCC_SOFFICE", str(_fake_soffice(tmp_path, f"sleep 60 &\necho $! > {marker}\nwait\n"))
    )
    source = tmp_path / "report.docx"
    source.write_bytes(b"PK\x03\x04")
    return source, marker


@pytest.mark.slow
def test_a_hung_conversion_is_stopped_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # soffice's launcher starts a child; both must be ended.
    source, marker = _hanging_launcher(tmp_path, monkeypatch)
    target = tmp_path / "report.pdf"
    with pytest.raises(pdf.PdfError, match="longer than 1 seconds"):
        pdf.to_pdf(source, target, timeout=1)
    assert not target.exists()
    assert [p.name for p in tmp_path.glob(".tmp-*")] == []
    assert _ended(int(marker.read_text()))


@pytest.mark.slow
def test_a_build_stopped_during_the_conversion_ends_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIGTERM (or Ctrl-C) stopped the build, which cleared its work folder, while LibreOffice
    # in a session of its own ran on and wrote its profile into the output folder after it.
    source, marker = _hanging_launcher(tmp_path, monkeypatch)
    stop = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    stop.start()
    try:
        with pytest.raises(KeyboardInterrupt), runner.stoppable():
            pdf.to_pdf(source, tmp_path / "report.pdf", timeout=30)
    finally:
        stop.cancel()
    assert _ended(int(marker.read_text()))  # not left to run on for its minute
    assert [p.name for p in tmp_path.glob(".tmp-*")] == []


# A build that converts one report and is then killed outright (kill -9: no clean-up of its own).
_KILLED_BUILD = """
import sys
from pathlib import Path
from pipeline import pdf
pdf.to_pdf(Path(sys.argv[1]), Path(sys.argv[2]), timeout=120)
"""


@pytest.mark.slow
def test_a_build_killed_outright_during_the_conversion_ends_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kill -9 runs no clean-up in the build: LibreOffice, in a session of its own, ran on for
    # its minute and its work folder (profile and all) was left in the output folder.
    source, marker = _hanging_launcher(tmp_path, monkeypatch)
    out = tmp_path / "out"
    out.mkdir()
    build = subprocess.Popen(
        [sys.executable, "-c", _KILLED_BUILD, str(source), str(out / "report.pdf")],
        env={**os.environ},
    )
    try:
        for _ in range(300):  # until "LibreOffice" has started its child
            if marker.is_file() and marker.read_text().strip():
                break
            time.sleep(0.1)
        child = int(marker.read_text())
    finally:
        build.kill()
        build.wait()
    assert _ended(child)
    for _ in range(50):  # the guard removes the work folder once LibreOffice has ended
        if not list(out.glob(".tmp-*")):
            break
        time.sleep(0.1)
    assert [p.name for p in out.glob(".tmp-*")] == []


def _ended(pid: int) -> bool:
    """Whether process ``pid`` is gone within five seconds (a killed one takes a moment)."""
    for _ in range(50):
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_two_conversions_at_once_each_have_their_own_profile(
    tmp_path: Path, sample_path: Path
) -> None:
    soffice()
    out = tmp_path / "output"
    batch.build([sample_path], out, Config())
    docx = out / "015-2021" / "RfD-015-2021.docx"
    errors: list[BaseException] = []

    def convert(index: int) -> None:
        folder = tmp_path / f"run{index}"
        folder.mkdir()
        try:
            pdf.to_pdf(docx, folder / "report.pdf")
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=convert, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    for index in range(2):
        assert "£1,009,000" in pdf_text(tmp_path / f"run{index}" / "report.pdf")


def test_the_export_macro_updates_the_contents_and_asks_for_tags_and_bookmarks(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "Report's pack.docx", tmp_path / "out" / "converted.pdf"
    module = pdf.export_macro(source, target, tmp_path / "error.txt")
    assert '"' + source.as_uri() + '"' in module  # quoted for Basic, spaces escaped in the URL
    assert "getDocumentIndexes()" in module and ".update()" in module
    assert 'store(0).Value = "writer_pdf_Export"' in module
    for name in ("UseTaggedPDF", "ExportBookmarks", "PDFUACompliance", "DisplayPDFDocumentTitle"):
        index = re.search(rf'options\((\d+)\)\.Name = "{name}"', module)
        assert index, name
        assert f"options({index.group(1)}).Value = True" in module
    pdf.install_macro(tmp_path / "profile", module)
    user = tmp_path / "profile" / "user"
    assert xml_root_text(user / "basic" / "Standard" / "Module1.xba") == module  # whole, unescaped
    assert "ooSetupInstCompleted" in (user / "registrymodifications.xcu").read_text()
    assert os.path.basename(pdf.pdf_name("RfD-015-2021.docx")) == "RfD-015-2021.pdf"


def xml_root_text(path: Path) -> str:
    """The text of an XML file's root element."""
    from xml.etree import ElementTree

    return ElementTree.parse(path).getroot().text or ""


@pytest.mark.slow
def test_a_file_libreoffice_cannot_open_is_named_in_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    soffice()
    monkeypatch.chdir(tmp_path)  # paths relative to the folder the build runs in
    Path("report.docx").write_bytes(b"PK\x03\x04 not really a Word document")
    with pytest.raises(pdf.PdfError, match="could not be opened as a document"):
        pdf.to_pdf(Path("report.docx"), Path("report.pdf"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


# A 1 x 1 pixel PNG: a logo, as far as Word and LibreOffice are concerned.
LOGO = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da"
    "636460f85f0f00028701808eb7a92e0000000049454e44ae426082"
)


@pytest.mark.slow
def test_a_chart_keeps_its_alternative_text_in_the_tagged_pdf(tmp_path: Path) -> None:
    # LibreOffice 7.4 tagged a chart (one in a composed strategy, pasted from Excel) as a
    # figure with no alternative text, though the Word report described it: a screen reader
    # skipped it. The logo's description, which LibreOffice carries, stays as it was.
    import io

    from docx import Document
    from docx.shared import Mm

    from tests.embedded_objects import add_chart, add_object

    soffice()
    document = Document()
    document.core_properties.title = "A strategy with a chart"
    document.add_heading("Funding", 1)
    document.add_picture(io.BytesIO(LOGO), width=Mm(20))
    document.inline_shapes[0]._inline.docPr.set("descr", "The commissioner's logo")
    document.add_paragraph("The funds this year:")
    add_chart(document)
    add_object(document)
    source = tmp_path / "strategy.docx"
    document.save(str(source))
    target = tmp_path / "strategy.pdf"
    pdf.to_pdf(source, target)
    with pikepdf.open(target) as made:
        figures = _elements(made.Root.StructTreeRoot, "/Figure")
        assert [str(figure.get("/Alt", "")) for figure in figures] == [
            "The commissioner's logo",
            "Allocation by fund: Victims Fund £1,009,000; Community Safety Fund £556,000",
            "Allocation by fund",
        ]


def test_figures_are_described_only_when_they_match_the_report_s_drawings_one_for_one() -> None:
    # A drawing LibreOffice tags otherwise (a text box) would shift every description onto the
    # wrong figure: with the counts apart, no figure is given one.
    made = pikepdf.new()
    figure = pikepdf.Dictionary(S=pikepdf.Name.Figure)
    made.Root.StructTreeRoot = made.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([figure]))
    )
    pdf._describe_figures(made, ["A chart", "A text box"])
    assert "/Alt" not in made.Root.StructTreeRoot.K[0]
    pdf._describe_figures(made, ["A chart"])
    assert str(made.Root.StructTreeRoot.K[0].Alt) == "A chart"
