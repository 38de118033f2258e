"""The Request for Decision as a PDF, made by LibreOffice headless from the Word report.

The decision is published as a PDF once signed, so the PDF must be accessible (Public Sector
Bodies Accessibility Regulations 2018): the export filter writes a tagged PDF/UA-1 file with the
headings as bookmarks, table header cells tagged as such, and the Word document's title (shown
in the window's title bar, not the file name) and language (set by ``render_docx``).

LibreOffice 7.4 escapes the title twice in the XMP metadata ("Commissioner&apos;s"), which is
where PDF/UA readers take the title from; the title and subject are copied back from the
document information, which it writes correctly (:func:`_repair_metadata`).

The Contents (a TOC field, as a composed Commissioning Strategy carries) is updated before the
export, so it lists every heading of the pack with the page it is on: a Basic macro in the
profile does what ``--convert-to`` cannot (:data:`_MODULE`).

Each conversion runs with a private LibreOffice profile: two conversions sharing the default
profile block each other (or the second silently does nothing), and a person's own LibreOffice
settings must not change the output.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

TIMEOUT_SECONDS = 180
INSTALL_HINT = (
    "Install LibreOffice to make PDFs: on Debian or Ubuntu, apt-get install -y "
    "--no-install-recommends libreoffice-writer-nogui fonts-crosextra-carlito fonts-liberation2 "
    "(on Windows or a Mac, install LibreOffice from libreoffice.org), or set PCC_SOFFICE to the "
    "soffice program; or build without --pdf"
)

# writer_pdf_Export options, given to the filter as its FilterData.
EXPORT_OPTIONS: dict[str, bool] = {
    "UseTaggedPDF": True,  # structure tags: screen readers
    "ExportBookmarks": True,  # headings -> PDF outline
    "ExportNotes": False,  # no reviewers' comments
    "ExportFormFields": False,
    "DisplayPDFDocumentTitle": True,  # the title, not the file name
    # PDF/UA-1 (ISO 14289): LibreOffice then also checks the tags and writes the pdfuaid
    # identifier into the XMP metadata, as the accessibility regulations expect of a PDF.
    "PDFUACompliance": True,
}

# The steps `--convert-to` cannot take: it exports the Contents as the .docx holds it (Word's
# last update, or the placeholder text), so a composed pack would list no page numbers. A Basic
# macro in the private profile opens the report, updates every index twice (the first update
# lengthens the Contents, which moves the pages after it; the second reads the settled pages),
# exports with EXPORT_OPTIONS and ends LibreOffice; a failure is written to a file for the
# message. It opens the report read-only, so two conversions of one file do not meet each
# other's lock file. Basic needs no extra package (Python-UNO would).
_MODULE = """Sub Export
  Dim message As String
  On Error Goto Failed
  Dim load(1) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden"
  load(0).Value = True
  load(1).Name = "ReadOnly"
  load(1).Value = True
  document = StarDesktop.loadComponentFromURL({source}, "_blank", 0, load())
  If IsNull(document) Then
    message = "the file could not be opened as a document"
    Goto Finish
  End If
  For pass = 1 To 2
    indexes = document.getDocumentIndexes()
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
    Next i
  Next pass
  Dim options({last}) As New com.sun.star.beans.PropertyValue
{options}
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName"
  store(0).Value = "writer_pdf_Export"
  store(1).Name = "FilterData"
  store(1).Value = options()
  document.storeToURL({target}, store())
  document.close(True)
  StarDesktop.terminate()
  Exit Sub
Failed:
  message = "Basic error " & Err & " at line " & Erl & ": " & Error$
Finish:
  report = FreeFile
  Open {error} For Output As #report
  Print #report, message
  Close #report
  StarDesktop.terminate()
End Sub
"""
_DOCTYPE = '<!DOCTYPE {kind} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "{dtd}">'
_LIBRARY = "http://openoffice.org/2000/library"
# ooSetupInstCompleted: a new profile is otherwise filled from LibreOffice's presets on start,
# which would replace the Standard library written here.
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="ooSetupInstCompleted" \
oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


class PdfError(RuntimeError):
    """The PDF could not be made; the message says why and what to do."""


class LibreOfficeMissing(PdfError):
    """No ``soffice`` program was found."""


def find_soffice() -> str | None:
    """``$PCC_SOFFICE``, else ``soffice`` (or ``libreoffice``) on the PATH."""
    configured = os.environ.get("PCC_SOFFICE")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _basic(text: str) -> str:
    """A Basic string literal (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def export_macro(source: Path, target: Path, error: Path) -> str:
    """The Basic module that updates the Contents of ``source`` and exports it to ``target``
    (a failure is written to ``error``); the paths are absolute."""
    options = "\n".join(
        f'  options({i}).Name = "{name}"\n  options({i}).Value = {value}'
        for i, (name, value) in enumerate(EXPORT_OPTIONS.items())
    )
    return _MODULE.format(
        source=_basic(source.as_uri()),
        target=_basic(target.as_uri()),
        error=_basic(error.as_uri()),
        last=len(EXPORT_OPTIONS) - 1,
        options=options,
    )


def install_macro(profile: Path, module: str) -> None:
    """Write ``module`` as Standard.Module1 into a new LibreOffice ``profile``."""
    basic = profile / "user" / "basic"
    standard = basic / "Standard"
    standard.mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_SETTINGS, encoding="utf-8")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    for kind in ("script", "dialog"):
        (basic / f"{kind}.xlc").write_text(
            head
            + _DOCTYPE.format(kind="library:libraries", dtd="libraries.dtd")
            + f'\n<library:libraries xmlns:library="{_LIBRARY}" '
            'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
            ' <library:library library:name="Standard" library:link="false"/>\n'
            "</library:libraries>\n",
            encoding="utf-8",
        )
        elements = ' <library:element library:name="Module1"/>\n' if kind == "script" else ""
        (standard / f"{kind}.xlb").write_text(
            head
            + _DOCTYPE.format(kind="library:library", dtd="library.dtd")
            + f'\n<library:library xmlns:library="{_LIBRARY}" library:name="Standard" '
            'library:readonly="false" library:passwordprotected="false">\n'
            + elements
            + "</library:library>\n",
            encoding="utf-8",
        )
    (standard / "Module1.xba").write_text(
        head
        + _DOCTYPE.format(kind="script:module", dtd="module.dtd")
        + '\n<script:module xmlns:script="http://openoffice.org/2000/script" '
        'script:name="Module1" script:language="StarBasic">'
        + escape(module)
        + "</script:module>\n",
        encoding="utf-8",
    )


def to_pdf(
    docx: Path,
    target: Path,
    *,
    dated: dt.date | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """Convert ``docx`` to a PDF at ``target``, moved into place only once complete.

    ``dated`` (the decision's date) dates the PDF instead of the clock. Raises
    :class:`LibreOfficeMissing` or :class:`PdfError`; never leaves a partial ``target``.
    """
    binary = find_soffice()
    if binary is None:
        where = (
            f"PCC_SOFFICE names {os.environ['PCC_SOFFICE']}, which does not exist"
            if os.environ.get("PCC_SOFFICE")
            else "soffice is not on the PATH"
        )
        raise LibreOfficeMissing(f"LibreOffice was not found ({where}). {INSTALL_HINT}.")
    # The work folder sits beside the target so the final os.replace stays on one file system.
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-pdf-")).resolve()
    try:
        profile = work / "profile"
        outdir = work / "out"
        outdir.mkdir()
        produced, error = outdir / "converted.pdf", outdir / "error.txt"
        install_macro(profile, export_macro(docx.resolve(), produced, error))
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "macro:///Standard.Module1.Export",
        ]
        returncode, output = _run(command, timeout, work)
        if not produced.is_file() or produced.stat().st_size == 0:
            said = error.read_text(encoding="utf-8", errors="replace") if error.is_file() else ""
            detail = " ".join(f"{output} {said}".split())[-300:] or "no output"
            raise PdfError(
                f"LibreOffice could not convert {docx.name} to PDF (exit "
                f"{returncode}: {detail}). Open the .docx in Word to check it, or "
                "build without --pdf."
            )
        repaired = outdir / "repaired.pdf"
        _repair_metadata(produced, repaired, dated, figure_texts(docx))
        os.replace(repaired, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _repair_metadata(
    source: Path, target: Path, dated: dt.date | None = None, figures: Sequence[str] = ()
) -> None:
    """Copy ``source`` to ``target`` with the XMP title and description equal to the document
    information's /Title and /Subject (LibreOffice escapes them twice in the XMP).

    LibreOffice stamps the PDF with the clock and a random file identifier, so each build of one
    decision made different bytes; the dates become ``dated`` (the decision's date, as in the
    Word report's properties) and the identifier is derived from the content, so equal reports
    give equal PDFs. ``figures`` are the alternative texts of the report's pictures, charts
    and objects, in order (:func:`figure_texts`), for the figures LibreOffice tags without one.
    """
    import pikepdf

    try:
        with pikepdf.open(source) as document:
            info = document.docinfo
            with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                for key, name in (("dc:title", "/Title"), ("dc:description", "/Subject")):
                    if name in info:
                        xmp[key] = str(info[name])
                if dated is not None:
                    for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                        xmp[key] = f"{dated.isoformat()}T00:00:00Z"
            if dated is not None:
                stamp = dated.strftime("D:%Y%m%d000000Z")
                info["/CreationDate"] = stamp
                info["/ModDate"] = stamp
            for key in ("/DocChecksum", "/ID"):  # LibreOffice's checksum, its random identifier
                if key in document.trailer:
                    del document.trailer[key]
            _label_tables(document)
            _describe_figures(document, figures)
            document.save(target, deterministic_id=True)
    except pikepdf.PdfError as error:
        raise PdfError(
            f"LibreOffice made a PDF that cannot be read back ({error}). Open the .docx in "
            "Word to check it, or build without --pdf."
        ) from error


def _label_tables(document: Any) -> None:
    """Give each tagged table with no header cell what PDF/UA asks (a table's cells must say
    what they mean): a form's table of labels and values (REF | 015/2021, DATE | ...), two
    cells a row, has its labels as row headers (TH, Scope Row); a table only laid out on the
    page (the approval block: a sentence, then Signature and Date) is tagged as blocks, not a
    table. LibreOffice marks header cells only in a table's repeated header rows, and the form's
    first page held two tables a screen reader announced with no headers (PDF/UA 15-003)."""
    import pikepdf

    tree = document.Root.get("/StructTreeRoot")
    for table in _tagged(tree, "/Table") if tree is not None else []:
        if _tagged(table.get("/K"), "/TH"):
            continue
        rows = [row for row in _kids(table) if row.get("/S") == pikepdf.Name.TR]
        cells = [[c for c in _kids(row) if c.get("/S") == pikepdf.Name.TD] for row in rows]
        if rows and all(len(row) == 2 for row in cells):
            scope = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name.Row)
            for label, _ in cells:
                label.S = pikepdf.Name.TH
                # Beside LibreOffice's layout attributes (its /A: one, or a list of them).
                held = label.get("/A")
                listed = list(held) if isinstance(held, pikepdf.Array) else [held]
                label.A = pikepdf.Array([*(a for a in listed if a is not None), scope])
        elif rows and len({len(row) for row in cells}) > 1:
            for element in [table, *rows, *(c for row in cells for c in row)]:
                element.S = pikepdf.Name.Div


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_SHAPE = "{urn:schemas-microsoft-com:vml}shape"


def figure_texts(docx: Path) -> list[str]:
    """The alternative text of each picture, chart and object in the body of the Word document
    ``docx``, in order ("" for one without): what the PDF's figures are to carry. (An older
    Word's drawing kept as a fallback beside its newer form is not counted twice.)"""
    import zipfile

    from docx.oxml import parse_xml

    try:
        with zipfile.ZipFile(docx) as archive:
            root = parse_xml(archive.read("word/document.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, SyntaxError):  # lxml's XMLSyntaxError is one
        return []
    texts = []
    for element in root.iter(f"{_W}drawing", f"{_W}pict", f"{_W}object"):
        if any(above.tag == _FALLBACK for above in element.iterancestors()):
            continue
        if element.getparent().tag == f"{_W}object":
            continue  # a picture an object shows: the object counts
        named = element.find(f".//{_DOC_PR}")
        if named is None:
            named = element.find(f".//{_SHAPE}")
        held = {} if named is None else named.attrib
        texts.append(str(held.get("descr") or held.get("alt") or held.get("title") or ""))
    return texts


def _describe_figures(document: Any, texts: Sequence[str]) -> None:
    """Give each tagged figure with no alternative text the one its picture, chart or object
    has in the Word report. LibreOffice 7.4 carries a picture's description into the PDF but
    not a chart's, whose figure a screen reader then skipped or read as its axis labels.
    Figures and drawings are matched in order, and only when they are as many: a drawing
    LibreOffice does not tag as a figure (a text box, a line) leaves them unmatched, and a
    wrong description is worse than none."""
    import pikepdf

    tree = document.Root.get("/StructTreeRoot")
    figures = _tagged(tree, "/Figure") if tree is not None else []
    if len(figures) != len(texts):
        return
    for figure, text in zip(figures, texts, strict=True):
        if text.strip() and not str(figure.get("/Alt", "")).strip():
            figure.Alt = pikepdf.String(text)


def _kids(element: Any) -> list[Any]:
    """The structure elements directly under ``element`` (not its marked content)."""
    import pikepdf

    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _tagged(node: Any, kind: str) -> list[Any]:
    """Every structure element of type ``kind`` under ``node``, in order."""
    import pikepdf

    found: list[Any] = []
    if isinstance(node, pikepdf.Array):
        for item in node:
            found += _tagged(item, kind)
    elif isinstance(node, pikepdf.Dictionary):
        if str(node.get("/S", "")) == kind:
            found.append(node)
        found += _tagged(node.get("/K"), kind)
    return found


def _run(command: list[str], timeout: float, work: Path) -> tuple[int, str]:
    """Run LibreOffice in its own process group, so a hung conversion is ended as a whole;
    on POSIX under :mod:`pipeline.pdf_guard`, which ends it (and removes ``work``) when this
    process is killed outright."""
    from pipeline.pdf_guard import NOT_STARTED, guard_command

    guarded = os.name == "posix"
    try:
        process = subprocess.Popen(
            guard_command(str(work), command) if guarded else command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
    except OSError as error:
        raise LibreOfficeMissing(
            f"LibreOffice could not be started ({error}). {INSTALL_HINT}."
        ) from error
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as error:
        _end(process, guarded)
        raise PdfError(
            f"LibreOffice took longer than {timeout:g} seconds to make the PDF and "
            "was stopped. Try again; if it keeps happening, close any LibreOffice "
            "window that is waiting for an answer, or build without --pdf."
        ) from error
    except BaseException:
        # Ctrl-C or SIGTERM stopped the build. LibreOffice, in a session of its own, would
        # carry on after us, writing its profile into the output folder's work folder once
        # that was cleared away: it is ended first.
        _end(process, guarded)
        raise
    if guarded and process.returncode == NOT_STARTED:
        raise LibreOfficeMissing(
            f"LibreOffice could not be started ({(output or '').strip()}). {INSTALL_HINT}."
        )
    return process.returncode, output or ""


def _end(process: subprocess.Popen[str], guarded: bool) -> None:
    """End LibreOffice and the child it started (soffice.bin), and wait for them: through
    its guard, which ends them and then itself; killed outright if the guard does not."""
    if guarded:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.communicate(timeout=30)
            return
    with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups to signal; end the process itself
            process.kill()
    process.communicate()


def pdf_name(docx_name: str) -> str:
    """``RfD-015-2021.docx`` -> ``RfD-015-2021.pdf``."""
    return f"{Path(docx_name).stem}.pdf"
