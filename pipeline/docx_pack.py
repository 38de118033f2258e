"""The decision pack: the form, the Commissioning Strategy composed whole, then the plan appendix.

The strategy is composed with ``docxcompose`` (its styles, numbering, headings, tables and page
breaks kept; hand-copied XML would lose numbering and relationships) just before the generated
"Appendix N: Commissioning Plan" heading. That appendix is then given a section of its own on
landscape pages: the seed's Provision column breaks mid-word at portrait widths. Its tables
keep each row on one page.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from pipeline.docx_finish import _heading_level, _style_names
from pipeline.docx_welsh import keep_language


@functools.cache  # called for every cell of the appendix's tables (80,000 at 10,000 lines)
def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(f"w:{tag}"))


# Attribute and element names :func:`_fit_cells` compares for each of a table's cells (``_w``
# spelt out, as it would give them, without importing python-docx).
_MAIN = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TC_PROPERTIES, _VAL, _TYPE, _MEASURE = (f"{_MAIN}{name}" for name in ("tcPr", "val", "type", "w"))


def _text(element: Any) -> str:
    return "".join(element.xpath(".//w:t/text()"))


# The template's plan-appendix heading, bookmarked before it renders (hidden: "_" first).
_MARK = "_PlanAppendix"
_APPENDIX_FIELD = re.compile(r"\{\{\s*appendix\s*\}\}")


def mark_plan_appendix(template: Any) -> None:
    """Bookmark the plan appendix's heading in the python-docx ``template`` before it renders,
    so that the strategy goes before it and its pages turn landscape however the heading is
    reworded or restyled (README: headings may be edited freely): the heading holding
    ``{{ appendix }}``, else the heading just above the ``{%p for fund in funds %}`` loop."""
    from docx.oxml import OxmlElement

    names = _style_names(template)
    chosen = last = None
    for paragraph in template.element.body.iterchildren(_w("p")):
        text = _text(paragraph)
        heading = _heading_level(paragraph, names) is not None
        if heading and _APPENDIX_FIELD.search(text):
            chosen = paragraph
            break
        if "{%p" in text and re.search(r"\bfor\s+\w+\s+in\s+funds\b", text):
            chosen = last
            break
        # (a heading above a control tag may be left out at render: not the appendix's)
        last = paragraph if heading else None if "{%" in text else last
    if chosen is None:
        return
    ids = [int(i) for i in template.element.body.xpath(".//w:bookmarkStart/@w:id") if i.isdigit()]
    ident = str(max(ids, default=0) + 1)
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(_w("id"), ident)
    start.set(_w("name"), _MARK)
    end.set(_w("id"), ident)
    properties = chosen.find(_w("pPr"))
    at = 0 if properties is None else chosen.index(properties) + 1
    chosen.insert(at, start)
    chosen.insert(at + 1, end)


def _marked(document: Any) -> Any | None:
    """The paragraph :func:`mark_plan_appendix` bookmarked, when it is still in the body."""
    body = document.element.body
    for start in body.iterchildren(_w("p")):
        mark = start.find(_w("bookmarkStart"))
        if mark is not None and mark.get(_w("name")) == _MARK:
            return start
    return None


def _unmark(paragraph: Any) -> None:
    mark = paragraph.find(_w("bookmarkStart"))
    ident = mark.get(_w("id"))
    paragraph.remove(mark)
    for end in paragraph.findall(_w("bookmarkEnd")):
        if end.get(_w("id")) == ident:
            paragraph.remove(end)


def appendix_heading(document: Any, appendix: str) -> Any | None:
    """The plan appendix's heading: the one :func:`mark_plan_appendix` bookmarked, else the
    level-1 heading "Appendix ``appendix``…" of ``document``, or None."""
    marked = _marked(document)
    if marked is not None:
        return marked
    names = _style_names(document)
    pattern = re.compile(rf"^\s*Appendix\s+{appendix}\b")
    for paragraph in document.element.body.iterchildren(_w("p")):
        if _heading_level(paragraph, names) == 1 and pattern.match(_text(paragraph)):
            return paragraph
    return None


def compose_strategy(document: Any, strategy: Any, appendix: str) -> None:
    """Put ``strategy`` (a python-docx document) whole into ``document`` before its heading
    "Appendix ``appendix``" (at the end when the template has none), starting on a new page;
    the Contents fields are updated by Word when it opens the pack."""
    from docx.oxml import OxmlElement
    from docxcompose.composer import Composer

    body = strategy.element.body
    first = next(iter(body.iterchildren()), None)
    if first is not None and first.tag == _w("p"):
        first.get_or_add_pPr().pageBreakBefore_val = True
    else:  # a table first: a page break of its own
        paragraph = OxmlElement("w:p")
        run = OxmlElement("w:r")
        page_break = OxmlElement("w:br")
        page_break.set(_w("type"), "page")
        run.append(page_break)
        paragraph.append(run)
        body.insert(0, paragraph)
    keep_language(strategy, document)  # an English strategy in a Welsh form stays English
    composer = Composer(document)
    carry_endnotes(strategy, document, composer)
    anchor = appendix_heading(document, appendix)
    if anchor is None:
        composer.append(strategy)
    else:
        composer.insert(document.element.body.index(anchor), strategy)
    settings = document.settings.element
    if not settings.xpath("./w:updateFields"):
        update = OxmlElement("w:updateFields")
        update.set(_w("val"), "true")
        settings.append(update)


_ENDNOTES = (
    '<w:endnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
    '<w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:endnote></w:endnotes>"
)


def carry_endnotes(strategy: Any, document: Any, composer: Any) -> int:
    """Copy the endnotes ``strategy`` refers to into ``document``'s endnotes (made when it
    has none) under numbers free there, and point its references at them; return how many.
    What a note links to (a web address) comes with it, as ``composer`` (docxcompose) brings
    a footnote's.

    docxcompose carries footnotes but not endnotes: the pack kept each endnote mark of the
    strategy pointing at no endnote, which Word calls unreadable content and LibreOffice
    drops, the note's text lost. A mark whose note is missing from the strategy itself is
    taken out. Done before composing, so the references composed are already renumbered."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml import parse_xml

    references = strategy.element.body.findall(f".//{_w('endnoteReference')}")
    if not references:
        return 0
    try:
        source = strategy.part.rels.part_with_reltype(RT.ENDNOTES)
        theirs = parse_xml(source.blob)
        notes = {n.get(_w("id")): n for n in theirs.iterchildren(_w("endnote"))}
    except KeyError:
        source, notes = None, {}
    part = _endnotes_part(document)
    ours = parse_xml(part.blob)
    number = max((int(n.get(_w("id"), "0")) for n in ours), default=0) + 1
    carried = 0
    for reference in references:
        note = notes.get(reference.get(_w("id")))
        if note is None:
            reference.getparent().remove(reference)
            continue
        copied = copy.deepcopy(note)
        copied.set(_w("id"), str(number))
        reference.set(_w("id"), str(number))
        composer.add_referenced_parts(source, part, copied)
        ours.append(copied)
        number, carried = number + 1, carried + 1
    part._blob = serialize_part_xml(ours)
    return carried


def _endnotes_part(document: Any) -> Any:
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    try:
        return document.part.rels.part_with_reltype(RT.ENDNOTES)
    except KeyError:
        package = document.part.package
        part = Part(PackURI("/word/endnotes.xml"), CT.WML_ENDNOTES, _ENDNOTES.encode(), package)
        document.part.relate_to(part, RT.ENDNOTES)
        return part


def _section(final: Any, landscape: bool) -> Any:
    """A copy of the document's last section properties, portrait or landscape, that starts
    on a new page and carries on the page numbering."""
    section = copy.deepcopy(final)
    for name in ("type", "pgNumType"):
        for element in section.findall(_w(name)):
            section.remove(element)
    size = section.find(_w("pgSz"))
    if size is not None:
        width, height = int(size.get(_w("w"))), int(size.get(_w("h")))
        short, long = sorted((width, height))
        size.set(_w("w"), str(long if landscape else short))
        size.set(_w("h"), str(short if landscape else long))
        if landscape:
            size.set(_w("orient"), "landscape")
        elif _w("orient") in size.attrib:
            del size.attrib[_w("orient")]
    return section


def _end_section(before: Any, section: Any) -> None:
    """End a section with ``before`` (a paragraph holds the properties; after a table, a new
    paragraph does)."""
    from docx.oxml import OxmlElement

    if before.tag == _w("p"):
        properties = before.get_or_add_pPr()
        if properties.find(_w("sectPr")) is None:
            change = properties.find(_w("pPrChange"))
            if change is not None:
                change.addprevious(section)
            else:
                properties.append(section)
        return
    paragraph = OxmlElement("w:p")
    properties = OxmlElement("w:pPr")
    properties.append(section)
    paragraph.append(properties)
    before.addnext(paragraph)


_TR_AFTER_CANT_SPLIT = ("trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del")


@functools.cache  # once, not for each of a 10,000-line table's rows
def _tags(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_w(name) for name in names)


def _set_row_property(row: Any, name: str, following: tuple[str, ...]) -> None:
    """``w:name`` in the row's properties, where the schema puts it (Word is strict)."""
    from docx.oxml import OxmlElement

    properties = row.find(_w("trPr"))
    if properties is None:
        properties = OxmlElement("w:trPr")
        cell_start = row.find(_w("tc"))
        (cell_start.addprevious if cell_start is not None else row.append)(properties)
    if properties.find(_w(name)) is not None:
        return
    element = OxmlElement(f"w:{name}")
    tags = _tags(following)
    later = next((c for c in properties if c.tag in tags), None)
    if later is not None:
        later.addprevious(element)
    else:
        properties.append(element)


def _place(width: Any, span: Any, column: int, scaled: list[int]) -> int:
    """Set a cell's ``width`` element (when in dxa) to the grid columns it spans from
    ``column``; return the column after it."""
    count = int(span.get(_w("val"))) if span is not None else 1
    if width is not None and width.get(_w("type")) == "dxa":
        width.set(_w("w"), str(sum(scaled[column : column + count])))
    return column + count


def _fit_row_by_row(table: Any, scaled: list[int]) -> None:
    """:func:`_fit_cells` for a table holding a table: its own rows' cells, one at a time."""
    tc, properties_tag = _w("tc"), _w("tcPr")
    span_tag, width_tag = _w("gridSpan"), _w("tcW")
    for row in table.iterchildren(_w("tr")):
        column = 0
        for cell in row.iterchildren(tc):
            properties = next(cell.iterchildren(properties_tag), None)
            if properties is None:
                column += 1
                continue
            span = next(properties.iterchildren(span_tag), None)
            width = next(properties.iterchildren(width_tag), None)
            column = _place(width, span, column, scaled)


def _fit_cells(table: Any, scaled: list[int]) -> None:
    """Each cell's width (where given in dxa) to the ``scaled`` widths of the grid columns it
    spans, the cells of the table's own rows read in one pass over the rows, cells and the
    width and span of each cell's properties. (A lookup per cell took over a second for the
    80,000 cells of a 10,000-line plan's appendix: lxml's find() runs in Python.)"""
    if next(table.iterdescendants(_w("tbl")), None) is not None:
        # A table in a cell: its rows and cells are not this table's; row by row instead.
        _fit_row_by_row(table, scaled)
        return
    tr, tc, span_tag, width_tag = _w("tr"), _w("tc"), _w("gridSpan"), _w("tcW")
    row = cell = width = span = None
    column = 0
    texts: dict[tuple[int, int], str] = {}  # each (column, span)'s width text, made once
    for element in table.iter(tr, tc, span_tag, width_tag):
        tag = element.tag
        if tag in (width_tag, span_tag):
            # Not the cell's own properties (e.g. a tracked change's old ones): passed over.
            if _cell_property(element, cell):
                if tag == width_tag and width is None:
                    width = element
                elif tag == span_tag and span is None:
                    span = element
            continue
        if cell is not None:  # a row or cell starts: the cell before it is complete
            column = _place_cached(width, span, column, scaled, texts)
        cell = width = span = None
        if tag == tr:
            row = element if element.getparent() is table else None
            column = 0
        elif row is not None and element.getparent() is row:
            cell = element
    if cell is not None:
        _place(width, span, column, scaled)


def _cell_property(element: Any, cell: Any) -> bool:
    """Whether a width or span ``element`` is in ``cell``'s own properties (w:tcPr)."""
    properties = element.getparent()
    return cell is not None and properties.tag == _TC_PROPERTIES and properties.getparent() is cell


def _place_cached(
    width: Any, span: Any, column: int, scaled: list[int], texts: dict[tuple[int, int], str]
) -> int:
    """:func:`_place`, with each (column, span)'s width text made once in ``texts``: a cell
    spanning one column, the usual case, takes its grid column's."""
    count = int(span.get(_VAL)) if span is not None else 1
    if width is not None and width.get(_TYPE) == "dxa":
        key = (column, count)
        text = texts.get(key)
        if text is None:
            text = texts[key] = str(sum(scaled[column : column + count]))
        width.set(_MEASURE, text)
    return column + count


def _fit_table(table: Any, width: int) -> None:
    """Stretch a table laid out for portrait to the landscape text ``width`` (twentieths of a
    point), each column in proportion, so the wide columns stop breaking words."""
    grid = table.findall(f"{_w('tblGrid')}/{_w('gridCol')}")
    widths = [int(col.get(_w("w"), "0")) for col in grid]
    total = sum(widths)
    if not total or total >= width:
        return
    scaled = [w * width // total for w in widths]
    scaled[-1] += width - sum(scaled)  # the rounding's few twentieths: the grid fills the width
    for col, value in zip(grid, scaled, strict=True):
        col.set(_w("w"), str(value))
    _fit_cells(table, scaled)
    table_width = table.find(f"{_w('tblPr')}/{_w('tblW')}")
    if table_width is not None and table_width.get(_w("type")) == "dxa":
        table_width.set(_w("w"), str(width))


def _appendix_part(anchor: Any, names: dict[str, str]) -> tuple[list[Any], Any | None]:
    """The elements of the appendix headed by ``anchor``, to the next level-1 heading (or the
    body's section properties), and that heading (None at the end of the body)."""
    part = [anchor]
    for element in anchor.itersiblings():
        if element.tag == _w("sectPr"):
            break
        if element.tag == _w("p") and _heading_level(element, names) == 1:
            return part, element
        part.append(element)
    return part, None


def _fit_part(part: list[Any], landscape: Any) -> None:
    """Stretch the tables of ``part`` to the text width of the ``landscape`` section."""
    size, margins = landscape.find(_w("pgSz")), landscape.find(_w("pgMar"))
    if size is None or margins is None:
        return
    text_width = (
        int(size.get(_w("w")))
        - int(margins.get(_w("left"), "0"))
        - int(margins.get(_w("right"), "0"))
    )
    for table in (t for element in part for t in element.iter(_w("tbl"))):
        _fit_table(table, text_width)


def fit_plan_appendix(template: Any) -> None:
    """Stretch the plan appendix's tables to landscape width in the python-docx ``template``,
    before it renders (after :func:`mark_plan_appendix`): each row a loop repeats is then
    rendered at its landscape widths, and :func:`landscape_appendix` finds those tables fit
    already, where it would set the width of every cell of every row (80,000 cells, about
    0.4 s, at 10,000 lines)."""
    anchor = _marked(template)
    final = template.element.body.find(_w("sectPr"))
    if anchor is not None and final is not None:
        _fit_part(_appendix_part(anchor, _style_names(template))[0], _section(final, True))


def landscape_appendix(document: Any, appendix: str) -> None:
    """Give the "Appendix ``appendix``" part (to the next level-1 heading) landscape pages of
    its own; its tables widen to the page and keep each row on one page. (Their header rows
    repeat as the template marks them; the accessibility check names a table that does not.)"""
    anchor = appendix_heading(document, appendix)
    body = document.element.body
    final = body.find(_w("sectPr"))
    if anchor is not None and _marked(document) is anchor:
        _unmark(anchor)  # (the report keeps no trace of it)
    if anchor is None or final is None:
        return
    part, end = _appendix_part(anchor, _style_names(document))
    landscape = _section(final, landscape=True)
    _fit_part(part, landscape)
    for table in (t for element in part if element.tag == _w("tbl") for t in [element]):
        rows = table.findall(_w("tr"))
        for row in rows:
            _set_row_property(row, "cantSplit", _TR_AFTER_CANT_SPLIT)
    previous = anchor.getprevious()
    if previous is not None:
        _end_section(previous, _section(final, landscape=False))
    if end is None:
        body.replace(final, landscape)
    else:
        _end_section(part[-1], landscape)
