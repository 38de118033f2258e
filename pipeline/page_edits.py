"""A person's edits to ``output/index.html``, which every build redraws: never lost.

The page carries, in its ``generator`` meta element, the SHA-256 of its own text (with that
hash written as zeros). A page whose text no longer matches its hash was changed after the
tool wrote it (a note added in an editor, a line deleted): before the page is redrawn it is
kept beside it as ``index-edited.html`` (then ``index-edited-2.html`` ...), as an edited report
is kept in ``stale/``. A page without the element is kept too: it was drawn by a version
before the element (edited or not, nobody can tell) or is a person's own file under that name,
so it is kept once, and the page drawn in its place carries the element.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from pipeline.findings import Finding
from pipeline.inputs import display
from pipeline.stale import free_edited_path

_CHARSET = '<meta charset="utf-8">'
_MARK = re.compile(rb'<meta name="generator" content="pcc-report sha256:([0-9a-f]{64})">')
_BLANK = "0" * 64


def _element(digest: str) -> str:
    return f'<meta name="generator" content="pcc-report sha256:{digest}">'


def marked(page: str) -> str:
    """``page`` with the generator element after its charset, holding the page's own hash."""
    blank = page.replace(_CHARSET, _CHARSET + _element(_BLANK), 1)
    digest = hashlib.sha256(blank.encode("utf-8")).hexdigest()
    return blank.replace(_element(_BLANK), _element(digest), 1)


def edited(page: bytes) -> bool:
    """Whether ``page`` (as the file holds it) may hold a person's work: changed since the tool
    wrote it, or not written with the element at all."""
    found = _MARK.search(page)
    if found is None:
        return True
    start, end = found.span(1)
    blank = page[:start] + _BLANK.encode("ascii") + page[end:]
    return hashlib.sha256(blank).hexdigest() != found.group(1).decode("ascii")


def keep_edited(page: Path) -> Path | None:
    """Move ``page`` to the first free ``<name>-edited`` beside it when a person changed it;
    return where it went (None when it was not edited, or is not there)."""
    try:
        if not edited(page.read_bytes()):
            return None
        kept = free_edited_path(page.parent, page.name)
        os.replace(page, kept)
    except FileNotFoundError:
        return None
    return kept


def kept_note(page: Path, kept: Path) -> Finding:
    """I-PAGE-KEPT: ``page`` was kept as ``kept`` before it was drawn again."""
    return Finding(
        "I-PAGE-KEPT",
        display(page),
        f"{display(page)} had been changed since it was drawn (by hand, or by an older version "
        f"of pcc-report): it is kept as {display(kept)} and a new page drawn in its place. "
        "Copy anything you added into a file of your own; every build draws the page again.",
    )
