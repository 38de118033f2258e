"""The Request for Decision as a PDF, made by LibreOffice headless from the Word report.

The decision is published as a PDF once signed, so the PDF must be accessible (Public Sector
Bodies Accessibility Regulations 2018): the export filter writes a tagged PDF/UA-1 file with the
headings as bookmarks, table header cells tagged as such, and the Word document's title (shown
in the window's title bar, not the file name) and language (set by ``render_docx``).

LibreOffice 7.4 escapes the title twice in the XMP metadata ("Commissioner&apos;s"), which is
where PDF/UA readers take the title from; the title and subject are copied back from the
document information, which it writes correctly (:func:`_repair_metadata`).

Each conversion runs with a private LibreOffice profile: two conversions sharing the default
profile block each other (or the second silently does nothing), and a person's own LibreOffice
settings must not change the output.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 180
INSTALL_HINT = (
    "Install LibreOffice to make PDFs: on Debian or Ubuntu, apt-get install -y "
    "--no-install-recommends libreoffice-writer-nogui fonts-crosextra-carlito fonts-liberation2 "
    "(on Windows or a Mac, install LibreOffice from libreoffice.org), or set PCC_SOFFICE to the "
    "soffice program; or build without --pdf"
)

# writer_pdf_Export options (LibreOffice 7.4+ takes them as JSON after the filter name).
EXPORT_OPTIONS = {
    "UseTaggedPDF": {"type": "boolean", "value": "true"},  # structure tags: screen readers
    "ExportBookmarks": {"type": "boolean", "value": "true"},  # headings -> PDF outline
    "ExportNotes": {"type": "boolean", "value": "false"},  # no reviewers' comments
    "ExportFormFields": {"type": "boolean", "value": "false"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},  # title, not file name
    # PDF/UA-1 (ISO 14289): LibreOffice then also checks the tags and writes the pdfuaid
    # identifier into the XMP metadata, as the accessibility regulations expect of a PDF.
    "PDFUACompliance": {"type": "boolean", "value": "true"},
}


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


def filter_spec() -> str:
    """The ``--convert-to`` argument: PDF through writer_pdf_Export with ``EXPORT_OPTIONS``."""
    return "pdf:writer_pdf_Export:" + json.dumps(EXPORT_OPTIONS, separators=(",", ":"))


def to_pdf(docx: Path, target: Path, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Convert ``docx`` to a PDF at ``target``, moved into place only once complete.

    Raises :class:`LibreOfficeMissing` or :class:`PdfError`; never leaves a partial ``target``.
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
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-pdf-"))
    try:
        profile = work / "profile"
        outdir = work / "out"
        outdir.mkdir()
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            filter_spec(),
            "--outdir",
            str(outdir),
            str(docx),
        ]
        returncode, output = _run(command, timeout)
        produced = outdir / f"{docx.stem}.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            detail = " ".join(output.split())[-300:] or "no output"
            raise PdfError(
                f"LibreOffice could not convert {docx.name} to PDF (exit "
                f"{returncode}: {detail}). Open the .docx in Word to check it, or "
                "build without --pdf."
            )
        repaired = outdir / "repaired.pdf"
        _repair_metadata(produced, repaired)
        os.replace(repaired, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _repair_metadata(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` with the XMP title and description equal to the document
    information's /Title and /Subject (LibreOffice escapes them twice in the XMP)."""
    import pikepdf

    try:
        with pikepdf.open(source) as document:
            info = document.docinfo
            with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                for key, name in (("dc:title", "/Title"), ("dc:description", "/Subject")):
                    if name in info:
                        xmp[key] = str(info[name])
            document.save(target)
    except pikepdf.PdfError as error:
        raise PdfError(
            f"LibreOffice made a PDF that cannot be read back ({error}). Open the .docx in "
            "Word to check it, or build without --pdf."
        ) from error


def _run(command: list[str], timeout: float) -> tuple[int, str]:
    """Run LibreOffice in its own process group, so a hung conversion is ended as a whole."""
    try:
        process = subprocess.Popen(
            command,
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
        if hasattr(os, "killpg"):  # soffice starts a child (soffice.bin): end both
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups to signal; end the process itself
            process.kill()
        process.communicate()
        raise PdfError(
            f"LibreOffice took longer than {timeout:g} seconds to make the PDF and "
            "was stopped. Try again; if it keeps happening, close any LibreOffice "
            "window that is waiting for an answer, or build without --pdf."
        ) from error
    return process.returncode, output or ""


def pdf_name(docx_name: str) -> str:
    """``RfD-015-2021.docx`` -> ``RfD-015-2021.pdf``."""
    return f"{Path(docx_name).stem}.pdf"
