"""The Word document's finish: metadata, accessibility checks and deterministic bytes.

- **Metadata**: Word's core properties (title, subject, keywords, ...) hold at most 255
  characters; python-docx raises on more. A long Subject or Reference is trimmed there (the form
  itself prints it whole), so a build never fails on what ``check`` passed.
- **Accessibility** (Public Sector Bodies Accessibility Regulations 2018, #19): the report has a
  title, British English (or, for a Welsh body's form in Welsh, Welsh) as its language, headings in order without a skipped level, a marked
  header row on every data table and no empty paragraph used for spacing. The committed template
  meets them; :func:`accessibility_problems` says what an edited one breaks (``W-ACCESSIBILITY``).
- **Deterministic bytes**: python-docx stamps every zip member with the time it saves, so two
  builds of one workbook differed byte for byte; :func:`deterministic_zip` writes them with the
  decision's date, as the .xlsx does (#16).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.docx_text import clean
from pipeline.model import Decision

CORE_PROPERTY_LIMIT = 255
LANGUAGE = "en-GB"
WELSH = "cy-GB"  # a Welsh body's form in Welsh: a template set in Welsh is meant
CORE_PROPERTIES_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def _fit(value: str, limit: int = CORE_PROPERTY_LIMIT) -> str:
    """``value`` cleaned and, when longer than a core property may be, cut at a word with "…"."""
    text = clean(value).replace("\n", " ").strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


@contextlib.contextmanager
def core_properties(document: Any) -> Iterator[Any]:
    """``document.core_properties``, read and written in the core-properties namespace.

    docxcompose (which docxtpl imports) rebinds python-docx's ``cp`` prefix, for the whole
    process, to the custom-properties namespace (``nsmap.update(NS)`` in docxcompose/utils.py).
    python-docx then misses the template's own ``cp:lastModifiedBy``, ``cp:keywords`` and
    ``cp:revision`` and adds a second set in the wrong namespace: a core.xml that the OPC schema
    forbids and Word may refuse to open. The prefix means the core properties while they are set.
    """
    from docx.oxml.ns import nsmap

    bound = nsmap["cp"]
    nsmap["cp"] = CORE_PROPERTIES_NS
    try:
        yield document.core_properties
    finally:
        nsmap["cp"] = bound


def set_properties(document: Any, decision: Decision) -> None:
    """Title, subject, author, language and dates of the report, each within Word's limits;
    and no preview picture: the one Word (for Mac, by default) saves with the template shows
    the template's page, tags and all, where a file browser previews the report."""
    with core_properties(document) as props:
        _set_properties(props, decision, report_language(document))
    rels = document.part.package.rels
    for rid in [r for r, rel in rels.items() if rel.reltype.endswith("/metadata/thumbnail")]:
        del rels[rid]
    _drop_personal_properties(rels)
    _drop_library_columns(document.part.rels)


_BIBLIOGRAPHY = b"/officeDocument/2006/bibliography"


def _drop_library_columns(rels: Any) -> None:
    """The template's custom XML parts but Word's list of sources are left out of the report:
    a template kept in a SharePoint or OneDrive library carries the library's columns there
    (the people it was shared with, by name; its document link), which Word never shows and
    a published report must not carry."""
    for rid, rel in list(rels.items()):
        if rel.is_external or not rel.reltype.endswith("/customXml"):
            continue
        if _BIBLIOGRAPHY not in getattr(rel.target_part, "blob", b"")[:1000]:
            del rels[rid]


_CUSTOM_PROPERTY = re.compile(rb"<property\b.*?</property>", re.DOTALL)
_MANAGER = re.compile(rb"<Manager>[^<]*</Manager>")
_HYPERLINK_BASE = re.compile(rb"<HyperlinkBase>[^<]*</HyperlinkBase>")
# A path or an address: where the office keeps the template (a records system's path, a
# SharePoint document link), a share (\\server), a drive (S:\), a file: URL.
_PLACE = re.compile(r"\\\\|\b[A-Za-z]:[\\/]|\b(?:file|https?)://", re.IGNORECASE)


def _drop_personal_properties(rels: Any) -> None:
    """The template's custom document properties that hold an e-mail address, a telephone
    number or a person's name (a sensitivity label's owner, a SharePoint contact), or a path
    or address (where a records system or SharePoint keeps the template), are left out of the
    report, as are Word's Manager and Hyperlink base properties: the template's metadata, not
    the report's, and the report is published."""
    from pipeline.textsafe import scrub_personal_data

    def personal(match: re.Match[bytes]) -> bytes:
        value = html.unescape(re.sub(r"<[^>]+>", " ", match.group(0).decode("utf-8", "replace")))
        kept = scrub_personal_data(value) == value and not _PLACE.search(value)
        return match.group(0) if kept else b""

    for rel in rels.values():
        if rel.is_external or not hasattr(rel.target_part, "_blob"):
            continue
        part = rel.target_part
        if rel.reltype.endswith("/custom-properties"):
            part._blob = _CUSTOM_PROPERTY.sub(personal, part._blob)
        elif rel.reltype.endswith("/extended-properties"):
            part._blob = _MANAGER.sub(b"<Manager/>", part._blob)
            part._blob = _HYPERLINK_BASE.sub(b"<HyperlinkBase/>", part._blob)


def _default_languages(document: Any) -> set[str]:
    return set(document.styles.element.xpath("./w:docDefaults//w:lang/@w:val"))


def report_language(document: Any) -> str:
    """The report's language: Welsh where the template is set in Welsh (a Welsh body's form
    in Welsh), else English (United Kingdom)."""
    languages = _default_languages(document)
    return WELSH if WELSH in languages and LANGUAGE not in languages else LANGUAGE


def _set_properties(props: Any, decision: Decision, language: str) -> None:
    area = decision.police_area
    author = _fit(decision.body)
    props.title = _fit(f"Request for Decision {decision.reference}: {decision.subject}")
    props.subject = _fit(decision.subject)
    props.author = author
    props.last_modified_by = author
    props.identifier = _fit(decision.reference)
    props.language = language
    props.keywords = _fit(f"Commissioning Plan {decision.year_label}; {area}")
    props.comments = ""
    # Dated by the decision, not the clock, so equal input gives equal bytes.
    stamp = dt.datetime.combine(decision.date, dt.time())
    props.created = stamp
    props.modified = stamp
    props.revision = 1


# -- accessibility ------------------------------------------------------------------------------

_HEADING = re.compile(r"heading (\d)$", re.IGNORECASE)


def _style_names(document: Any) -> dict[str, str]:
    styles = document.styles.element
    return {
        style.get(_qn("w:styleId")): (style.xpath("./w:name/@w:val") or [""])[0]
        for style in styles.xpath("./w:style")
    }


@functools.cache
def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _heading_level(paragraph: Any, names: dict[str, str]) -> int | None:
    # find() rather than xpath(): this runs for every paragraph of the report (10,000-line
    # plans have tens of thousands), and an XPath is compiled afresh on each call.
    properties = paragraph.find(_qn("w:pPr"))
    if properties is None:
        return None
    style = properties.find(_qn("w:pStyle"))
    match = (
        _HEADING.match(names.get(style.get(_qn("w:val"), ""), "")) if style is not None else None
    )
    if match:
        return int(match.group(1))
    outline = properties.find(_qn("w:outlineLvl"))
    value = outline.get(_qn("w:val"), "") if outline is not None else ""
    return int(value) + 1 if value.isdigit() and int(value) < 9 else None


def _heading_candidates(body: Any, names: dict[str, str]) -> Iterator[Any]:
    """The paragraphs of ``body`` that may be headings (a heading style or an outline level),
    in document order. Reached from their style and outline elements, so the tens of thousands
    of table-cell paragraphs of a 10,000-line plan are never visited one by one."""
    headings = {style for style, name in names.items() if _HEADING.match(name)}
    style, outline, val = _qn("w:pStyle"), _qn("w:outlineLvl"), _qn("w:val")
    properties, paragraph_tag = _qn("w:pPr"), _qn("w:p")
    last = None
    for element in body.iter(style, outline):
        if element.tag == style and element.get(val, "") not in headings:
            continue
        parent = element.getparent()
        paragraph = parent.getparent() if parent.tag == properties else None
        if paragraph is not None and paragraph.tag == paragraph_tag and paragraph is not last:
            last = paragraph
            yield paragraph


def _text(element: Any) -> str:
    return "".join(element.xpath(".//w:t/text()"))


def _headings(row: Any) -> str:
    """The first row's cells as a person reads them: "Milestone | Date"."""
    text = " | ".join(_text(cell).strip() for cell in row.findall(_qn("w:tc")))
    return text if len(text) <= 60 else text[:57] + "..."


def _typed_as_headings(row: Any, table: Any) -> bool:
    """A first row typed as column headings, as a table inserted in Word is (Insert › Table,
    then the first row made bold): two or more cells, each holding bold text only, above at
    least one more row. (The form's label-and-value rows hold plain values beside bold labels.)"""
    cells = row.findall(_qn("w:tc"))
    if len(cells) < 2 or len(table.findall(_qn("w:tr"))) < 2:
        return False
    for cell in cells:
        runs = [r for r in cell.iter(_qn("w:r")) if _text(r).strip()]
        if not runs or not all(_bold(run) for run in runs):
            return False
    return True


def _blank_headings(row: Any, where: str) -> list[str]:
    """A header ``row``'s cells with no text: a screen reader announces a blank column header
    for each cell of that column (a label column's heading left empty, as the seed's officer
    declaration has it)."""
    cells = row.findall(_qn("w:tc"))
    blank = [n for n, cell in enumerate(cells, 1) if not _text(cell).strip()]
    if not blank:
        return []
    columns = ", ".join(str(n) for n in blank)
    return [
        f'The table headed "{_headings(row)}"{"" if where == _TEMPLATE else " in " + where} '
        f"has no heading in column{'s' if len(blank) > 1 else ''} {columns} of its header "
        "row: a screen reader announces a blank column header for every cell below it. Type "
        "a heading that names what the column holds."
    ]


def _bold(run: Any) -> bool:
    bold = run.find(f"{_qn('w:rPr')}/{_qn('w:b')}")
    return bold is not None and bold.get(_qn("w:val"), "true") not in ("0", "false", "off")


_RUN_LANGUAGE = re.compile(r'<w:lang\b[^>]*?\bw:val="(en-(?!GB")[A-Za-z-]+)"')


def other_english(parts: Iterable[str]) -> list[str]:
    """Passages of the template (its XML ``parts``) marked as another English than British,
    as Word marks what is typed on a computer set to English (United States): a screen reader
    reads them with that voice. (Welsh, ``cy-GB``, is meant, and is left alone.)"""
    found: dict[str, int] = {}
    for part in parts:
        for language in _RUN_LANGUAGE.findall(part):
            found[language] = found.get(language, 0) + 1
    return [
        f"The template marks {count} passage{'s' if count != 1 else ''} as {language}, not "
        "English (United Kingdom): a screen reader reads them in that accent. In Word, select "
        "all (Ctrl+A), Review › Language › Set Proofing Language › English (United Kingdom)."
        for language, count in sorted(found.items())
    ]


# Set on each body element of the strategy before it is composed into the report, so that a
# problem found in the pack is said to be in the strategy, not the template; taken off again
# (unmark_strategy). An attribute in no namespace: one in a namespace of its own would leave its
# declaration on each element after it is taken off.
_FROM_STRATEGY = "pcc-report-strategy"
_TEMPLATE = "the template"


def mark_strategy(strategy: Any, name: str) -> None:
    """Mark the body of the python-docx ``strategy`` (file ``name``) as the strategy's."""
    for element in strategy.element.body:
        element.set(_FROM_STRATEGY, name)


def unmark_strategy(document: Any) -> None:
    """Take :func:`mark_strategy`'s marks off the composed ``document``."""
    for element in document.element.body:
        element.attrib.pop(_FROM_STRATEGY, None)


def _source(element: Any, body: Any) -> str:
    """Where the body ``element`` (or what holds it) is to be corrected, in words."""
    while element.getparent() is not None and element.getparent() is not body:
        element = element.getparent()
    name = element.get(_FROM_STRATEGY)
    return f"the Strategy document {name}" if name else _TEMPLATE


def accessibility_problems(document: Any) -> list[str]:
    """What keeps the rendered ``document`` from the accessibility checks, in a person's words.

    Empty means it passes: a title, the language en-GB (or Welsh, cy-GB), headings without a
    skipped level, a repeating header row on each data table, no empty paragraph for spacing.
    Each says where to correct it: the template, or the strategy it was composed from.
    """
    problems: list[str] = []
    if not (document.core_properties.title or "").strip():
        problems.append("The report has no title in its document properties.")
    languages = _default_languages(document)
    if not languages & {LANGUAGE, WELSH}:  # a Welsh body's form in Welsh is meant
        found = ", ".join(sorted(languages)) or "none"
        problems.append(
            f"The template's default language is {found}, not English (United Kingdom) or "
            "Welsh: in Word, select all, Review › Language › English (United Kingdom), and "
            "set it as the default for the Normal style."
        )
    names = _style_names(document)
    body = document.element.body
    previous = 0
    for paragraph in _heading_candidates(body, names):
        level = _heading_level(paragraph, names)
        if level is None:
            continue
        if level > previous + 1:
            problems.append(
                f'The heading "{_text(paragraph)[:80]}" is at level {level} after a heading '
                f"of level {previous}: a screen reader's outline skips a level. Use Heading "
                f"{previous + 1} for it in {_source(paragraph, body)}."
            )
        previous = level
    for table in body.iter(_qn("w:tbl")):
        first = table.find(_qn("w:tr"))  # (not all rows: a 10,000-line table has 10,000)
        if first is None:
            continue
        heading_row = any(
            "heading" in names.get(s, "").lower() for s in first.xpath(".//w:pPr/w:pStyle/@w:val")
        )
        if (heading_row or _typed_as_headings(first, table)) and not first.xpath(
            "./w:trPr/w:tblHeader"
        ):
            where = _source(table, body)
            problems.append(
                f'The table headed "{_headings(first)}"'
                f"{'' if where == _TEMPLATE else ' in ' + where} does not mark its first row as "
                "a header row: in Word, Table Properties › Row › Repeat as header row."
            )
        elif first.xpath("./w:trPr/w:tblHeader"):
            problems += _blank_headings(first, _source(table, body))
    problems += _empty_paragraphs(body)
    problems += [
        f'The picture "{name}"{"" if where == _TEMPLATE else " in " + where} has no '
        "alternative text: a screen reader cannot say what it shows. In Word, right-click it › "
        "View Alt Text and describe it, or tick Mark as decorative if it only decorates "
        "(LibreOffice: right-click › Properties › Options)."
        for name, where in _pictures_without_alt_text(document)
    ]
    return problems


def _empty_paragraphs(body: Any) -> list[str]:
    """The empty paragraphs used for spacing, counted for each place they are to be deleted."""
    empty: dict[str, int] = {}
    # A picture, chart or object is content: a drawing, or as older Word writes them (VML,
    # w:pict) and an object's picture (w:object).
    shown = ".//w:br | .//w:drawing | .//w:pict | .//w:object | ./w:pPr/w:sectPr"
    for paragraph in body.iterchildren(_qn("w:p")):
        if not _text(paragraph).strip() and not paragraph.xpath(shown):
            where = _source(paragraph, body)
            empty[where] = empty.get(where, 0) + 1
    return [
        f"The report has {count} empty paragraph{'s' if count != 1 else ''} used for "
        f"spacing: screen readers announce each as a blank line. Delete them in {where} and "
        "set the space before or after in the paragraph style instead."
        for where, count in empty.items()
    ]


_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"


def _pictures_without_alt_text(document: Any) -> Iterator[tuple[str, str]]:
    """The names of the pictures of the body, headers and footers with no alternative text
    that are not marked decorative (a logo added to the template is the usual one), each with
    where it is to be corrected."""
    parts = [document.part.element]
    parts += [
        rel.target_part.element
        for rel in document.part.rels.values()
        if rel.reltype.endswith(("/header", "/footer")) and hasattr(rel.target_part, "element")
    ]
    body = document.element.body
    for part in parts:
        for picture in part.iter(f"{{{_DRAWING}}}docPr"):
            decorative = any(d.get("val") in ("1", "true") for d in picture.iter(_DECORATIVE))
            if not (picture.get("descr") or "").strip() and not decorative:
                yield picture.get("name") or "without a name", _source(picture, body)
        for name, shape in _vml_pictures_without_alt_text(part):
            yield name, _source(shape, body)


_VML = "urn:schemas-microsoft-com:vml"
_OFFICE = "urn:schemas-microsoft-com:office:office"


def _vml_pictures_without_alt_text(part: Any) -> Iterator[tuple[str, Any]]:
    """A picture as Word 2003 and compatibility mode write it (a VML shape holding an image,
    alternative text in its ``alt``), and an object's picture: the name Word shows for each
    one without alternative text (its title, else its file's)."""
    for shape in part.iter(f"{{{_VML}}}shape"):
        image = shape.find(f"{{{_VML}}}imagedata")
        if image is None or (shape.get("alt") or "").strip():
            continue
        yield image.get(f"{{{_OFFICE}}}title") or "without a name", shape


# -- deterministic bytes ------------------------------------------------------------------------


def deterministic_zip(data: bytes, when: dt.date) -> bytes:
    """The .docx ``data`` again, every member dated ``when`` with fixed attributes."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return _zip(((i.filename, source.read(i.filename)) for i in source.infolist()), when)


def deterministic_docx(document: Any, when: dt.date) -> bytes:
    """The python-docx ``document`` as the bytes :func:`deterministic_zip` makes of its
    saved file, compressed once: saving first compressed every part only for
    :func:`deterministic_zip` to undo it (0.1-0.2 s for a 10,000-line plan's report)."""
    return _zip(_package_members(document), when)


class _Members:
    """Stands in for python-docx's zip writer: the members it would write, in its order."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.items.append((str(pack_uri.membername), blob))


def _package_members(document: Any) -> list[tuple[str, bytes]]:
    """What python-docx's ``Document.save`` writes into its zip (OpcPackage.save, then
    PackageWriter.write, whose steps ``tests/test_docx_finish.py`` pins), unzipped."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    members = _Members()
    writer: Any = PackageWriter  # its steps, given our stand-in for its zip writer
    writer._write_content_types_stream(members, package.parts)
    writer._write_pkg_rels(members, package.rels)
    writer._write_parts(members, package.parts)
    return members.items


def _zip(members: Iterable[tuple[str, bytes]], when: dt.date) -> bytes:
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members:
            member = zipfile.ZipInfo(name, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            member.create_system = 0
            target.writestr(member, data)
    return out.getvalue()
