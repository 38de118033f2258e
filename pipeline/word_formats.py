"""What a Word file is when it is not a Word document (.docx): "Save As" in Word or LibreOffice
offers other types (a macro-enabled document, a template, a Word 97-2003 document, an
OpenDocument text), and a file saved so may keep the .docx name. python-docx opens only a
document; the template's and the strategy's findings say what the file is instead and how to
save it. Light: read by ``check``, which imports no Word library."""

from __future__ import annotations

from pathlib import Path

# What "Save As" writes when another type than Word Document (.docx) is chosen.
OTHER_FORMATS = {
    ".doc": "a Word 97-2003 document (.doc)",
    ".docm": "a Word macro-enabled document (.docm)",
    ".dotx": "a Word template (.dotx)",
    ".dotm": "a Word macro-enabled template (.dotm)",
    ".dot": "a Word 97-2003 template (.dot)",
    ".odt": "an OpenDocument text (.odt)",
    ".ott": "an OpenDocument text template (.ott)",
    ".rtf": "a Rich Text Format file (.rtf)",
}


def file_format(path: Path) -> str:
    """What ``path`` is when it is no Word document (.docx), by its first bytes and, in a zip,
    its parts' types ("" when unknown or a .docx)."""
    import zipfile

    try:
        with path.open("rb") as file:
            head = file.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return OTHER_FORMATS[".doc"]
        if head.startswith(b"{\\rtf"):
            return OTHER_FORMATS[".rtf"]
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                odf = archive.read("mimetype").decode("ascii", "replace")
                return OTHER_FORMATS[".ott" if odf.endswith("-template") else ".odt"]
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""
    for marker, suffix in (("macroEnabledTemplate", ".dotm"), ("macroEnabled", ".docm")):
        if marker in types:
            return OTHER_FORMATS[suffix]
    return OTHER_FORMATS[".dotx"] if "template.main" in types else ""
