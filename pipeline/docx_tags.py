"""Tags of an edited Word template that would give a wrong report without any error.

Jinja refuses most broken tags itself (:func:`pipeline.docx_template.explain` then names them),
but some pass and spoil the published report instead:

- ``{ decision.subject }}`` (a brace lost while retyping) is plain text to Jinja: the report
  printed "{ decision.subject }}" where the subject belongs;
- text typed in the paragraph of a ``{%p … %}`` tag, or in another cell of a ``{%tr … %}``
  row, is dropped with the paragraph or row the tag stands in;
- ``{% if … %}`` in a paragraph of its own, its ``{% endif %}`` in another (the ``p`` left
  out): the report's XML broke there, and everything after it was missing from the report.

:func:`misplaced_tag` finds these before the template is rendered, so the build stops with a
message saying what to change in Word (``E-RENDER``), as for a broken tag.
:func:`blank_loop_rows` finds an empty row inside a ``{%tr for %}`` loop (Word's Insert › Row
Below on the tag's row), which the report would repeat after every line (``W-ACCESSIBILITY``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.docx_template import paragraph_texts, unbalanced

_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}")
_STANDALONE = re.compile(r"\{%-?\s*(p|tr)\s.*?%\}")
_PLAIN_BLOCK = re.compile(r"\{%-?\s*(if|for|with|endif|endfor|endwith)\b")
_ENDS = {"if": "endif", "for": "endfor", "with": "endwith"}


def _text(xml: str) -> str:
    return html.unescape("".join(_TEXT.findall(xml)))


def _short(text: str) -> str:
    return text if len(text) <= 120 else text[:117] + "..."


def _rows_with_tr_tags(part: str) -> Iterator[str]:
    """The XML of each table row holding a ``{%tr`` tag, found from the tags (quicker than
    going through every row; this runs on every build)."""
    at = part.find("{%tr")
    while at != -1:
        start = max(part.rfind("<w:tr>", 0, at), part.rfind("<w:tr ", 0, at))
        end = part.find("</w:tr>", at)
        if start == -1 or end == -1:
            return
        yield part[start:end]
        at = part.find("{%tr", end)


def _beside_text(parts: list[str], paragraphs: list[str]) -> str | None:
    """A ``{%p %}`` tag sharing its paragraph, or a ``{%tr %}`` tag its row, with other text."""
    for part in parts:
        for row in _rows_with_tr_tags(part):
            text = _text(row)
            tag = next((m for m in _STANDALONE.finditer(text) if m.group(1) == "tr"), None)
            other = text.replace(tag.group(0), "", 1).strip() if tag is not None else ""
            if tag is not None and other:
                return (
                    f'the table row holding the tag "{tag.group(0)}" also holds the text '
                    f'"{_short(other)}", which the report would leave out with the row. Keep '
                    "that row for the tag alone: move the text to a row of its own"
                )
    for text in paragraphs:
        tag = next((m for m in _STANDALONE.finditer(text) if m.group(1) == "p"), None)
        if tag is not None and text.replace(tag.group(0), "", 1).strip():
            return (
                f'the paragraph "{_short(text)}" holds the tag "{tag.group(0)}" and other '
                "text, which the report would leave out with the paragraph. Keep the tag "
                "alone in its paragraph: press Enter before it (and after it), so the "
                "text has a paragraph of its own"
            )
    return None


def _split_block(paragraphs: Iterable[str]) -> str | None:
    """A plain ``{% if %}``/``{% for %}`` whose end is in another paragraph: without the ``p``
    docxtpl keeps the paragraph around each tag, and the report's XML breaks between them."""
    for text in paragraphs:
        open_tags: list[tuple[str, str]] = []
        for tag in _TAG.findall(text):
            match = _PLAIN_BLOCK.match(tag)
            if match is None:
                continue
            keyword = match.group(1)
            if keyword in _ENDS:
                open_tags.append((keyword, tag))
            elif open_tags and _ENDS[open_tags[-1][0]] == keyword:
                open_tags.pop()
            else:
                return _across(tag, text)
        if open_tags:
            return _across(open_tags[0][1], text)
    return None


def _across(tag: str, text: str) -> str:
    fixed = re.sub(r"^\{%-?\s*", "{%p ", tag)
    return (
        f'the tag "{tag}" in the paragraph "{_short(text)}" starts or ends a block in another '
        f'paragraph. A tag that stands in a paragraph of its own is typed with p: "{fixed}" '
        "(and its partner likewise, e.g. {%p endif %})"
    )


def misplaced_tag(parts: list[str]) -> str:
    """What is wrong with the tags of the template XML ``parts`` (body, headers, footers) that
    Jinja would not refuse, as the end of a sentence starting "The Word template …"; "" when
    nothing is. (A few milliseconds: the tags Jinja refuses are left to it.)"""
    paragraphs = list(paragraph_texts(parts))
    broken = next(filter(None, map(unbalanced, paragraphs)), None)
    if broken is not None:
        return (
            f"has a broken tag: {broken.describe()}. Retype the tag in one go in Word (select "
            "it and type it again)"
        )
    problem = _beside_text(parts, paragraphs) or _split_block(paragraphs)
    return f"has a misplaced tag: {problem}" if problem else ""


_ROW_START = re.compile(r"<w:tr[ >]")


def blank_loop_rows(parts: list[str]) -> list[str]:
    """Empty table rows inside a ``{%tr for %}`` … ``{%tr endfor %}`` loop: the report repeats
    each for every item, an empty row after every line (a screen reader announces each)."""
    found = []
    for part in parts:
        at = part.find("{%tr for")
        while at != -1:
            end = part.find("</w:tr>", at)
            tag = _text(part[max(part.rfind("<w:tr>", 0, at), part.rfind("<w:tr ", 0, at)) : end])
            blank = 0
            for start in _ROW_START.finditer(part, end):
                row = part[start.start() : part.find("</w:tr>", start.start())]
                text = _text(row)
                if "{%tr endfor" in text or "{%tr for" in text:
                    break
                blank += not text.strip()
            if blank:
                found.append(
                    f'The table loop "{tag.strip()}" repeats {blank} empty '
                    f"row{'s' if blank != 1 else ''} "
                    "for each item: the report has an empty row after every line, which a "
                    "screen reader announces. Delete the empty row in the template (Table › "
                    "Delete › Rows)."
                )
            at = part.find("{%tr for", end)
    return found


def template_xml(template: Any) -> list[str]:
    """The XML of the docxtpl ``template``'s body, headers and footers, as it renders them."""
    parts = [str(template.get_xml())]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        parts += [str(template.get_part_xml(part)) for _, part in template.get_headers_footers(uri)]
    return parts
