"""What a published document may not carry: finding codes, cell references, paths, options.

The Request for Decision goes on the policing body's website (Part 1, section G), so the text of
every XML part of the .docx -- body, headers, footers, document properties -- is checked, not
only what python-docx shows as paragraphs.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

# Each pattern names what it catches; a match is a leak of the tool's internal output.
LEAKS: dict[str, re.Pattern[str]] = {
    "finding code": re.compile(r"\b[EWI]-[A-Z0-9-]+\b"),
    # Services!G19, 'Funding sources'!B3, "cell G19", "row 19": how findings locate a value.
    "cell reference": re.compile(
        r"!\$?[A-Z]{1,3}\$?\d+\b|\bcells? \$?[A-Z]{1,3}\$?\d+\b|\brows? \d+\b", re.IGNORECASE
    ),
    "file path": re.compile(
        r"[\w.~-]*[/\\][\w. ~-]+\.(?:xlsx|xlsm|xls|docx|json|pdf|toml|eml|log)\b"
        r"|\b[\w-]+\.(?:xlsx|xlsm|json|toml|eml|log)\b"
        r"|(?<![\w/])(?:/(?:tmp|home|work|usr|var)|~|\.\.?)/"
        r"|\b[A-Za-z]:\\"
        r"|\b(?:input|output)/"
    ),
    "option name": re.compile(r"(?<![\w-])--[a-z][a-z-]*"),
}


def xml_text(docx: Path) -> str:
    """The text of every XML part of ``docx`` (markup removed, entities decoded)."""
    texts = []
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                texts.append(html.unescape(re.sub(r"<[^>]+>", " ", xml)))
    return "\n".join(texts)


def leaks(text: str) -> list[tuple[str, str]]:
    """Every (kind, text) in ``text`` that a published document may not carry."""
    return [(kind, m.group(0)) for kind, pattern in LEAKS.items() for m in pattern.finditer(text)]
