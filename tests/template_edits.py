"""A copy of the Word template edited as a finance officer's Word leaves it, for the tests of
an edited template (``tests/test_docx_*.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn

from pipeline.render_docx import DEFAULT_TEMPLATE

Change = Callable[[Any], None]  # an edit to a python-docx Document


def edited(folder: Path, change: Change) -> Path:
    """The packaged template with ``change`` made, saved as ``folder/request-for-decision.docx``
    (the name the tool looks for in a templates folder)."""
    document = Document(str(DEFAULT_TEMPLATE))
    change(document)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "request-for-decision.docx"
    document.save(str(path))
    return path


def retyped(old: str, new: str) -> Change:
    """Type ``new`` over the template paragraph whose text is ``old``, as Word keeps it: the
    first run holds the text, the others are emptied."""

    def change(document: Any) -> None:
        paragraph = next(
            p
            for p in document.element.body.iter(qn("w:p"))
            if "".join(p.xpath(".//w:t/text()")) == old
        )
        first, *rest = paragraph.iter(qn("w:t"))
        first.text = new
        for text in rest:
            text.text = ""

    return change


def strategy_of(folder: Path, change: Change) -> Path:
    """A Commissioning Strategy (a heading, then ``change`` made to it) saved in ``folder`` as
    ``strategy.docx``, for a report to compose."""
    strategy = Document()
    strategy.add_heading("Commissioning Strategy", level=1)
    change(strategy)
    path = folder / "strategy.docx"
    strategy.save(str(path))
    return path
