"""Links to the office's own files, left in the Word template (or the strategy).

An officer writing the template links to where things are kept: the plan on the finance share
(``\\\\opcc-fs01\\finance$\\Commissioning\\Plan.xlsx``), a file beside the template
(``../Finance/Plan.xlsx``), a table pasted from Excel with Paste Link (a ``LINK`` field naming
the workbook's path), a logo linked rather than inserted. The report is published: nobody
reading it can open such a link, and its target tells the world where and under whose name the
office keeps its files. Links to the web (``https:``) and to a mailbox (``mailto:``) are what
a reader can follow and are kept; every other link is removed, its text and pictures kept, and
a link whose text is its path shows ``[removed]`` instead. The build says so (``W-TEMPLATE``).
A picture Word named and described by its file's path loses both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

REMOVED = "[removed]"

# A target a reader of the published report can follow: the web, a mailbox, a telephone.
_FOLLOWABLE = re.compile(r"(?:https?|mailto|tel):", re.IGNORECASE)
# Text that is a path: a file: URL, a share (\\server or //server), a drive (S:\ or S:/).
_PATH_TEXT = re.compile(r"^\s*(?:file:|\\\\|//|[A-Za-z]:[\\/])", re.IGNORECASE)
# The fields that name a file: a link typed as a field, a picture or text included from a
# file, a table or chart pasted with Paste Link (LINK), and the old DDE links.
_FILE_FIELD = re.compile(
    r"^\s*(HYPERLINK|INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO)\b(.*)$", re.IGNORECASE | re.DOTALL
)
_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@functools.cache
def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def followable(target: str) -> bool:
    """Whether a link's target is one a reader of the published report can open."""
    return bool(_FOLLOWABLE.match(target.strip()))


def _field_target(instruction: str) -> str | None:
    """The file a field's instruction names (``LINK Excel.Sheet.12 "S:\\\\Plan.xlsx" ...``),
    or None for a field naming none (``PAGE``, ``HYPERLINK \\l "bookmark"``)."""
    match = _FILE_FIELD.match(instruction)
    if match is None:
        return None
    arguments = [quoted or bare for quoted, bare in _ARGUMENT.findall(match.group(2))]
    if match.group(1).upper() in ("LINK", "DDE", "DDEAUTO"):
        arguments = arguments[1:]  # the program's class (Excel.Sheet.12) comes first
    if not arguments or re.fullmatch(r"\\[a-zA-Z*#@!]", arguments[0]):
        return None  # a switch first (HYPERLINK \l "bookmark"): no file named
    return str(arguments[0]).replace("\\\\", "\\")


def unwrap(element: Any) -> None:
    """Put ``element``'s children in its place (a link removed keeps its text, an accepted
    insertion its runs)."""
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)


def _blank_path_text(runs: Iterable[Any]) -> None:
    """A link whose text is a path (Word turns a typed ``\\\\server\\share`` into a link of
    itself) shows ``[removed]`` in place of it."""
    texts = [t for run in runs for t in run.iter(_qn("w:t"))]
    if texts and _PATH_TEXT.match("".join(t.text or "" for t in texts)):
        texts[0].text = REMOVED
        for text in texts[1:]:
            text.text = ""


def _drop_relationships(part: Any) -> list[str]:
    """Remove the links of ``part`` to files (hyperlinks, linked pictures and objects);
    return their targets."""
    targets = {
        rid: rel.target_ref
        for rid, rel in part.rels.items()
        if rel.is_external and not followable(rel.target_ref)
    }
    if not targets:
        return []
    for element in list(part.element.iter()):
        for name, value in list(element.attrib.items()):
            if not name.startswith("{" + _R + "}") or value not in targets:
                continue
            if element.tag == _qn("w:hyperlink"):
                _blank_path_text(element.iter(_qn("w:r")))
                unwrap(element)
                break
            if element.tag.endswith("}OLEObject"):  # a linked object: its picture stays
                element.getparent().remove(element)
                break
            del element.attrib[name]  # a linked picture's r:link; its embedded copy stays
    for rid in targets:
        del part.rels[rid]
    return list(targets.values())


# The fields that show a person's name or a file's path: the author and who last saved it
# (the template's, until Word updates them), the reader's own details, the file's or the
# template's path (FILENAME \p, printed by LibreOffice as the folder the PDF was made in).
_PERSONAL_FIELD = re.compile(
    r"^\s*(?:(?:AUTHOR|LASTSAVEDBY|USERNAME|USERINITIALS|USERADDRESS)\b"
    r"|DOCPROPERTY\s+\"?(?:Author|LastSavedBy|Last Author|Manager)\b"
    r"|(?:FILENAME|TEMPLATE)\b.*\\p\b)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class _Field:
    """A field as Word writes it: the codes (begin, instruction, separate, end) and the runs
    of what it shows."""

    codes: list[Any] = field(default_factory=list)
    instruction: str = ""
    result: list[Any] = field(default_factory=list)
    shown: bool = False


def _fields(root: Any) -> list[_Field]:
    """Every field under ``root`` written with field characters, inner ones first (fields
    nest, so they are matched with a stack)."""
    done: list[_Field] = []
    stack: list[_Field] = []
    for run in root.iter(_qn("w:r")):
        for child in run:
            if child.tag == _qn("w:fldChar"):
                kind = child.get(_qn("w:fldCharType"))
                if kind == "begin":
                    stack.append(_Field([child]))
                elif stack and kind == "separate":
                    stack[-1].codes.append(child)
                    stack[-1].shown = True
                elif stack and kind == "end":
                    stack[-1].codes.append(child)
                    done.append(stack.pop())
            elif stack and child.tag == _qn("w:instrText") and not stack[-1].shown:
                stack[-1].instruction += child.text or ""
                stack[-1].codes.append(child)
        if stack and stack[-1].shown and run.find(_qn("w:t")) is not None:
            stack[-1].result.append(run)
    return done


def _remove(elements: Iterable[Any]) -> None:
    for element in elements:
        if element.getparent() is not None:
            element.getparent().remove(element)


def _drop_empty_runs(root: Any) -> None:
    """The runs left holding only their properties once field codes are taken out."""
    _remove([run for run in root.iter(_qn("w:r")) if all(c.tag == _qn("w:rPr") for c in run)])


def _drop_file_fields(root: Any) -> list[str]:
    """Remove the codes of the fields naming a file, keeping what they show."""
    targets = []
    for found in list(root.iter(_qn("w:fldSimple"))):
        target = _field_target(found.get(_qn("w:instr"), ""))
        if target is not None and not followable(target):
            targets.append(target)
            _blank_path_text(found.iter(_qn("w:r")))
            unwrap(found)
    for complex_field in _fields(root):
        target = _field_target(complex_field.instruction)
        if target is not None and not followable(target):
            targets.append(target)
            _blank_path_text(complex_field.result)
            _remove(complex_field.codes)
    if targets:
        _drop_empty_runs(root)
    return targets


def _drop_personal_fields(root: Any) -> list[str]:
    """Remove the fields showing a person's name or a file's path, with what they show;
    return their instructions."""
    dropped = []
    for complex_field in _fields(root):
        if _PERSONAL_FIELD.match(complex_field.instruction):
            dropped.append(" ".join(complex_field.instruction.split()))
            _remove([*complex_field.codes, *complex_field.result])
    for simple in list(root.iter(_qn("w:fldSimple"))):
        instruction = simple.get(_qn("w:instr"), "")
        if _PERSONAL_FIELD.match(instruction):
            dropped.append(" ".join(instruction.split()))
            _remove([simple])
    if dropped:
        _drop_empty_runs(root)
    return dropped


def remove_personal_fields(parts: Iterable[Any]) -> list[str]:
    """Remove from the python-docx ``parts`` every field showing a person's name or a file's
    path (``AUTHOR``, ``USERNAME``, ``FILENAME \\p``); return their instructions, in order."""
    return [instruction for part in parts for instruction in _drop_personal_fields(part.element)]


# A path anywhere in a picture's name or description.
_HOLDS_PATH = re.compile(r"\\\\|(?<!\w)[A-Za-z]:[\\/]|\bfile:", re.IGNORECASE)
_PICTURE_NAMES = ("}docPr", "}cNvPr")


def unname_pictures(parts: Iterable[Any]) -> int:
    """Word 2007 and 2010 named an inserted picture, and described it, by its file's path
    (``C:\\Users\\<officer>\\Pictures\\logo.png``): such a description is no description,
    and a screen reader would read the path out of the published report. It is removed (the
    picture is then named for its missing alternative text, ``W-ACCESSIBILITY``) and such a
    name becomes "Picture". Return how many pictures had one."""
    found = 0
    for part in parts:
        for element in part.element.iter():
            if not isinstance(element.tag, str) or not element.tag.endswith(_PICTURE_NAMES):
                continue
            held = False
            for attribute in ("descr", "title", "name"):
                if _HOLDS_PATH.search(element.get(attribute, "")):
                    held = True
                    if attribute == "name":
                        element.set("name", "Picture")
                    else:
                        del element.attrib[attribute]
            found += held
    return found


def remove_file_links(parts: Iterable[Any]) -> list[str]:
    """Remove from the python-docx ``parts`` (body, headers, footers, notes) every link to a
    file rather than to the web or a mailbox; return the targets removed, in order."""
    targets: list[str] = []
    for part in parts:
        targets += _drop_relationships(part)
        targets += _drop_file_fields(part.element)
    return targets


# The document properties that name a person: the author and who last saved it (core), the
# manager (extended). A content control bound to one shows that person's name.
_PERSONAL_PROPERTY = re.compile(r":(?:creator|lastModifiedBy|Manager)\b")


def remove_personal_controls(parts: Iterable[Any]) -> list[str]:
    """Remove from the python-docx ``parts`` every content control filled from a document
    property naming a person (a cover page's Author box, bound to the file's author), with
    what it shows; return their names ("Author"), in order. Such a control is the AUTHOR field
    in another form: the officer who made the file, in the published pack."""
    removed = []
    for part in parts:
        for control in list(part.element.iter(_qn("w:sdt"))):
            binding = control.find(f"{_qn('w:sdtPr')}/{_qn('w:dataBinding')}")
            if binding is None or control.getparent() is None:
                continue
            if _PERSONAL_PROPERTY.search(binding.get(_qn("w:xpath"), "")):
                alias = control.find(f"{_qn('w:sdtPr')}/{_qn('w:alias')}")
                removed.append("content control" if alias is None else alias.get(_qn("w:val")))
                control.getparent().remove(control)
    return removed


# What Office embeds a whole file with: an Office document (a workbook: "package") or an older
# object (".bin": "oleObject"); a chart's own data is one of these, or a link to its workbook.
_EMBEDDING = ("/package", "/oleObject")
_CHARTS = ("/chart", "/chartEx")


def remove_embedded_files(parts: Iterable[Any]) -> list[str]:
    """Remove from the python-docx ``parts`` the files embedded in them whole: a chart's
    workbook (a chart pasted from Excel carries the workbook it came from, every sheet of it)
    and an object inserted from a file (Insert › Object: a workbook, a document). The chart
    is still drawn from the figures it holds, the object shown by its picture; only the file
    behind them goes. Return what each was ("chart" or "object"), in order."""
    removed: list[str] = []
    for part in parts:
        for rid, rel in list(part.rels.items()):
            if rel.is_external:
                continue
            if rel.reltype.endswith(_CHARTS) and _unbind_chart(rel.target_part):
                removed.append("chart")
            elif rel.reltype.endswith(_EMBEDDING):
                for element in list(part.element.iter()):
                    if isinstance(element.tag, str) and element.get(f"{{{_R}}}id") == rid:
                        element.getparent().remove(element)  # o:OLEObject: its picture stays
                del part.rels[rid]
                removed.append("object")
    return removed


def _unbind_chart(chart: Any) -> bool:
    """Take a chart's workbook (embedded, or a link to its file) out of it; whether it had
    one. Its c:externalData names the workbook: without it, Word and LibreOffice draw the
    chart from the figures it keeps."""
    rids = [rid for rid, rel in chart.rels.items() if rel.reltype.endswith(_EMBEDDING)]
    if not rids:
        return False
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml  # python-docx's parser: no entities, no network

    element = getattr(chart, "_element", None)  # a part python-docx parses, else its bytes
    root = parse_xml(chart.blob) if element is None else element
    for data in [e for e in root.iter() if str(e.tag).endswith("}externalData")]:
        data.getparent().remove(data)
    if element is None:
        chart._blob = serialize_part_xml(root)
    for rid in rids:
        del chart.rels[rid]
    return True
