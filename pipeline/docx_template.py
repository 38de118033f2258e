"""The Word template as a finance officer edits it: loading, tag checks, the fields it uses.

``templates/request-for-decision.docx`` is the source of the report's wording, edited in Word or
LibreOffice. An office suite rewrites every XML part when it saves: it splits runs, adds
revision ids, and turns "page break before" into a page break at the end of the paragraph above.
This module makes such a file render as it reads in Word, and when it cannot, says which tag is
broken and in which paragraph.

docxtpl is pinned to the tested minor version (``pyproject.toml``); its template class as the
report renders with it (:mod:`pipeline.docx_docxtpl`, loaded by :func:`template_class` only
where a report is rendered) overrides seven of its methods for speed and for the page breaks,
and ``tests/test_docx_template.py`` checks that those methods still do what it assumes.
"""

from __future__ import annotations

import difflib
import html
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TemplateError(Exception):
    """The Word template could not be rendered; the message names the tag, paragraph and file."""


# -- reading the template's paragraphs ----------------------------------------------------------

_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>|<w:p/>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def template_parts(template: Path) -> list[str]:
    """The XML of the template's body, headers and footers, as the file holds them."""
    with zipfile.ZipFile(template) as archive:
        if "word/document.xml" not in archive.namelist():  # another zip: .odt, .xlsx, ...
            raise zipfile.BadZipFile("it holds no Word document (word/document.xml)")
        return [
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if _PARTS.fullmatch(name)
        ]


def paragraph_texts(parts: Iterable[str]) -> Iterator[str]:
    """The text of every paragraph of ``parts``, runs joined as Word shows them."""
    for part in parts:
        for paragraph in _PARAGRAPH.finditer(part):
            yield html.unescape("".join(_TEXT.findall(paragraph.group(0))))


# -- finding a broken tag -----------------------------------------------------------------------

_DELIMITER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_CLOSES = {"{{": "}}", "{%": "%}", "{#": "#}"}
_STATEMENT = re.compile(r"\{%-?\s*(?:p|tr|tc|r)?\s+(\w+)|\{%-?\s*(\w+)")
_BLOCKS = {"if": "endif", "for": "endfor", "with": "endwith", "macro": "endmacro"}
_MIDDLE = {"elif": "if", "else": "if"}  # "else" may also close a for loop's empty branch


@dataclass(frozen=True)
class BrokenTag:
    """A tag as typed that cannot work, the paragraph it is in, and what is wrong with it."""

    tag: str
    paragraph: str
    problem: str

    def describe(self) -> str:
        paragraph = self.paragraph if len(self.paragraph) <= 120 else self.paragraph[:117] + "..."
        return f'the tag "{self.tag}" in the paragraph "{paragraph}" {self.problem}'


def unbalanced(text: str) -> BrokenTag | None:
    """The first tag of one paragraph whose braces do not close (``{{ x }``, ``{ x }}``)."""
    opened: re.Match[str] | None = None
    for mark in _DELIMITER.finditer(text):
        token = mark.group(0)
        if token in _CLOSES:
            if opened is not None:
                tag = text[opened.start() : mark.start()].rstrip()
                return BrokenTag(tag, text, f'does not end with "{_CLOSES[opened.group(0)]}"')
            opened = mark
        elif opened is None or token != _CLOSES[opened.group(0)]:
            start = opened.start() if opened is not None else max(0, mark.start() - 40)
            tag = text[start : mark.end()].lstrip()
            return BrokenTag(tag, text, "has no matching opening brace")
        else:
            opened = None
    if opened is not None:
        tag = text[opened.start() :]
        return BrokenTag(tag, text, f'does not end with "{_CLOSES[opened.group(0)]}"')
    return None


def _bad_expression(text: str, environment: Any) -> BrokenTag | None:
    """A ``{{ ... }}`` whose inside is not an expression (``{{ decision. }}``)."""
    import jinja2

    for tag in re.findall(r"\{\{.*?\}\}", text):
        try:
            environment.parse(tag)
        except jinja2.TemplateSyntaxError as error:
            return BrokenTag(tag, text, f"is not a field Jinja can read ({error.message})")
    return None


def _unclosed_blocks(paragraphs: list[str]) -> BrokenTag | None:
    """An ``{%p if %}`` / ``{%p for %}`` without its end, or an end without its start."""
    stack: list[tuple[str, str, str]] = []  # (keyword, tag, paragraph)
    for text in paragraphs:
        for tag in re.findall(r"\{%.*?%\}", text):
            match = _STATEMENT.match(tag)
            keyword = (match.group(1) or match.group(2)) if match else ""
            if keyword in _BLOCKS:
                stack.append((keyword, tag, text))
            elif keyword in _BLOCKS.values():
                if not stack or _BLOCKS[stack[-1][0]] != keyword:
                    expected = f'"{_BLOCKS[stack[-1][0]]}"' if stack else "no end tag"
                    return BrokenTag(tag, text, f"ends a block that is not open here ({expected})")
                stack.pop()
            elif keyword in _MIDDLE and (not stack or stack[-1][0] not in ("if", "for")):
                return BrokenTag(tag, text, "stands outside any if or for block")
    if stack:
        keyword, tag, text = stack[-1]
        return BrokenTag(tag, text, f'has no "{_BLOCKS[keyword]}" after it')
    return None


def find_broken_tag(parts: Iterable[str], environment: Any) -> BrokenTag | None:
    """The first tag of the template that cannot render, or None if every tag reads well."""
    paragraphs = list(paragraph_texts(parts))
    for text in paragraphs:
        broken = unbalanced(text) or _bad_expression(text, environment)
        if broken is not None:
            return broken
    return _unclosed_blocks(paragraphs)


# -- explaining a render error ------------------------------------------------------------------


def _field_names(value: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted field name the context offers (``decision.reference``, ``line.budget``)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            yield name
            yield from _field_names(item, name)
    elif isinstance(value, list) and value:
        # A list's items are reached through a loop variable: offer their keys unprefixed.
        yield from _field_names(value[0], "")


def _missing_field(message: str) -> str:
    """The name jinja2 reports as undefined: "'x' is undefined" or "... has no attribute 'x'"."""
    match = re.search(r"has no attribute '([^']+)'", message) or re.search(
        r"'([^']+)' is undefined", message
    )
    return match.group(1) if match else ""


def explain(error: Exception, template: Path, context: Mapping[str, Any], environment: Any) -> str:
    """A finance officer's message for a render ``error``: which tag, which paragraph, what to do."""
    import jinja2

    where = f"the Word template {template}"
    parts = template_parts(template)
    if isinstance(error, jinja2.UndefinedError):
        name = _missing_field(str(error))
        pattern = re.compile(r"\{[{%][^{}]*?\b" + re.escape(name) + r"\b[^{}]*?[}%]\}")
        used = next(
            ((m.group(0), text) for text in paragraph_texts(parts) if (m := pattern.search(text))),
            None,
        )
        known = sorted({n.rsplit(".", 1)[-1] for n in _field_names(context)})
        close = difflib.get_close_matches(name, known, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        found = f' in {used[0]} (paragraph "{used[1][:120]}")' if used else ""
        return (
            f'{where} uses the field "{name}"{found}, which the report does not '
            f"provide.{hint} Correct the spelling in the template; "
            "pcc-report template-fields lists the fields it uses."
        )
    if isinstance(error, jinja2.TemplateSyntaxError):
        broken = find_broken_tag(parts, environment)
        if broken is not None:
            return (
                f"{where} has a broken tag: {broken.describe()}. Retype the tag in one go in "
                "Word (select it and type it again), then save."
            )
        return (
            f"{where} has a broken {{{{ }}}} or {{% %}} tag ({error.message}). Retype the "
            "tag in one go in Word."
        )
    return f"{where} could not be rendered: {type(error).__name__}: {error}"


# -- the docxtpl template -----------------------------------------------------------------------

_PAGE_BREAK = re.compile(r'<w:br [^>]*w:type="page"[^>]*/>')
_CONTROL_PARAGRAPH = re.compile(r"\{%(?:p|tr|tc)\b")
_BREAK_PARAGRAPH = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def keep_page_breaks(xml: str) -> str:
    """Keep the page breaks that sit in a ``{%p ... %}`` paragraph.

    docxtpl replaces such a paragraph by its tag alone. LibreOffice saves "page break before"
    of a heading as a page break at the end of the paragraph above, which in this template is
    often an ``{%p endif %}``: the break would be lost. It is written after the tag as a
    paragraph of its own, which :func:`fold_page_breaks` turns back into "page break before"
    of the paragraph that follows.
    """

    def keep(match: re.Match[str]) -> str:
        paragraph = match.group(0)
        text = "".join(_TEXT.findall(paragraph))
        if not _CONTROL_PARAGRAPH.search(text) or not _PAGE_BREAK.search(paragraph):
            return paragraph
        without = _PAGE_BREAK.sub("", paragraph)
        return without + _BREAK_PARAGRAPH

    return _PARAGRAPH.sub(keep, xml)


def template_class() -> Any:
    """DocxTemplate with its XML clean-up kept in :mod:`pipeline.cache` (data, keyed by the
    SHA-256 of the template XML) and two whole-document passes skipped when not needed.

    ``resolve_listing`` turns \\n, \\t, \\a and \\f in values into Word breaks: skipped when
    the rendered XML holds none. ``fix_tables`` re-counts every row of every table for column
    loops (``{%tc %}``, colspan, merges): skipped when the template uses none. Together they
    are most of the time a 10,000-line plan takes. Without column loops the whole document
    part is rendered and parsed once as the part's XML, rather than its body parsed apart and
    moved into the document (``get_xml``, ``fix_tables``, ``map_tree``).
    """
    from pipeline.docx_docxtpl import Template

    return Template


def _ends_with_page_break(paragraph: Any) -> Any | None:
    """The page break that ends ``paragraph`` (nothing visible after it), or None."""
    from docx.oxml.ns import qn

    last = None
    for element in paragraph.iter(qn("w:br"), qn("w:t"), qn("w:tab"), qn("w:drawing")):
        if element.tag == qn("w:br") and element.get(qn("w:type")) == "page":
            last = element
        elif element.tag != qn("w:t") or element.text:
            last = None
    return last


_COMPILED: dict[tuple[str, str], Any] = {}  # this process's compiled templates (never on disk)


def environment() -> Any:
    """Jinja with autoescape and StrictUndefined, whose compiled templates are kept for the rest
    of the process, so a run of several workbooks compiles the template once.

    Compiling is about 80 ms of every build; the compiled code is not kept across runs (that
    would mean loading code objects from a file the user's account can write, #14).
    """
    import jinja2

    class Environment(jinja2.Environment):
        def compile(
            self,
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if raw or defer_init or name is not None or not isinstance(source, str):
                return super().compile(  # type: ignore[call-overload]
                    source, name, filename, raw, defer_init
                )
            key = (source, f"{self.autoescape!r}:{self.undefined.__name__}")
            if key not in _COMPILED:
                if len(_COMPILED) >= 16:  # one template, its footer and its properties
                    _COMPILED.clear()
                _COMPILED[key] = super().compile(source, name, filename)
            return _COMPILED[key]

    return Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def fold_page_breaks(body: Any) -> None:
    """A page break ending a paragraph becomes "page break before" of the next paragraph.

    Word shows the paragraph mark after such a break as an empty line at the top of the new
    page; a paragraph left empty by it is removed (the document keeps no empty paragraphs).
    """
    from docx.oxml.ns import qn

    for paragraph in body.xpath("./w:p[.//w:br[@w:type='page']]"):
        following = paragraph.getnext()
        found = _ends_with_page_break(paragraph)
        if found is None or following is None or following.tag != qn("w:p"):
            continue
        run = found.getparent()
        run.remove(found)
        if run.tag == qn("w:r") and not [c for c in run if c.tag != qn("w:rPr")]:
            run.getparent().remove(run)
        # python-docx's setter puts the element where the schema wants it in w:pPr.
        following.get_or_add_pPr().pageBreakBefore_val = True
        empty = not paragraph.xpath(".//w:t[text()] | .//w:drawing | .//w:tab | .//w:br")
        if empty and not paragraph.xpath("./w:pPr/w:sectPr"):  # a section break stays
            body.remove(paragraph)
