"""The review markup left in the Word template (or the strategy): tracked changes, comments,
hidden text.

A finance officer may edit the template with Track Changes on and never accept the changes, or
leave a comment for a colleague. The report made from it is published: its insertions would
still be marked as such, its deletions (text the officer meant to remove) would travel inside
it, and the comments would go out with their text and their authors' names. The template is
therefore read as Word shows it with every change accepted and every comment deleted, and the
build says so (``W-TEMPLATE``), so that the officer accepts, rejects or deletes them in Word.
Text formatted Font › Hidden (a note to a colleague) is left out too: Word does not show it, but
it would travel in the published file.
The Commissioning Strategy composed into the decision pack is treated alike.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from pipeline.docx_links import (
    remove_embedded_files,
    remove_file_links,
    remove_personal_controls,
    remove_personal_fields,
    unname_pictures,
    unwrap,
)

# Changes of formatting (accepting one keeps the formatting now shown) and the range marks of
# moved text: the records alone are removed.
_RECORDS = (
    "w:rPrChange",
    "w:pPrChange",
    "w:sectPrChange",
    "w:tblPrChange",
    "w:tblPrExChange",
    "w:trPrChange",
    "w:tcPrChange",
    "w:tblGridChange",
    "w:numberingChange",
    "w:moveFromRangeStart",
    "w:moveFromRangeEnd",
    "w:moveToRangeStart",
    "w:moveToRangeEnd",
    "w:cellIns",
    "w:cellMerge",
)
_COMMENT_MARKS = ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference")
# Restrict Editing's exceptions: a range a named person may edit, by their account
# (w:ed="LINCS\jane.smith"); a published report restricts nothing and names nobody.
_PERMISSION_MARKS = ("w:permStart", "w:permEnd")
_COMMENT_PARTS = (
    "/comments",
    "/commentsExtended",
    "/commentsIds",
    "/commentsExtensible",
    "/people",
)


@functools.cache
def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def text_parts(document: Any) -> Iterator[Any]:
    """The XML parts whose text the template renders: the body, headers, footers, notes.

    python-docx parses no footnotes or endnotes: each is given here parsed (``.element``,
    its ``.rels`` its own) and written back when the caller moves on to the next part, so a
    caller changes each part before it asks for the next. (They were passed over: a
    strategy's footnote kept its tracked deletions and its links to an officer's files.)"""
    yield document.part
    notes = ("header", "footer", "footnotes", "endnotes")
    for rel in list(document.part.rels.values()):
        if rel.is_external:
            continue
        part = rel.target_part
        if not part.partname.split("/")[-1].startswith(notes):
            continue
        if hasattr(part, "element"):
            yield part
        else:
            parsed = _ParsedPart(part)
            yield parsed
            parsed.save()


class _ParsedPart:
    """A part python-docx keeps as bytes, parsed: its ``element``, and the rest of it."""

    def __init__(self, part: Any) -> None:
        from docx.oxml import parse_xml

        self.part = part
        self.element = parse_xml(part.blob)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.part, name)

    def save(self) -> None:
        from docx.opc.oxml import serialize_part_xml

        self.part._blob = serialize_part_xml(self.element)


def _accept_paragraph_mark(mark: Any) -> None:
    """A deleted paragraph mark, accepted: the paragraph joins the one after it, which keeps its
    own formatting (as in Word); a paragraph deleted whole therefore disappears."""
    paragraph = mark.getparent().getparent().getparent()  # w:del < w:rPr < w:pPr < w:p
    mark.getparent().remove(mark)
    following = paragraph.getnext()
    if paragraph.tag != _qn("w:p") or following is None or following.tag != _qn("w:p"):
        return
    properties = following.find(_qn("w:pPr"))
    at = 0 if properties is None else following.index(properties) + 1
    for offset, child in enumerate(c for c in list(paragraph) if c.tag != _qn("w:pPr")):
        following.insert(at + offset, child)
    paragraph.getparent().remove(paragraph)


def _accept_changes(root: Any) -> int:
    """Accept every tracked change under ``root``; return how many there were."""
    count = 0
    deleted_rows = [m.getparent().getparent() for m in root.iter(_qn("w:del")) if _in(m, "w:trPr")]
    for row in deleted_rows:
        row.getparent().remove(row)
        count += 1
    for mark in [m for m in root.iter(_qn("w:ins"), _qn("w:del")) if _in(m, "w:trPr")]:
        mark.getparent().remove(mark)
        count += 1
    for mark in [m for m in root.iter(_qn("w:ins")) if _in(m, "w:rPr")]:
        mark.getparent().remove(mark)  # an inserted paragraph mark: the paragraph stays
        count += 1
    for mark in [m for m in root.iter(_qn("w:del")) if _in(m, "w:rPr")]:
        _accept_paragraph_mark(mark)
        count += 1
    for removed in list(root.iter(_qn("w:del"), _qn("w:moveFrom"), _qn("w:cellDel"))):
        if removed.getparent() is not None:
            removed.getparent().remove(removed)
            count += 1
    for kept in list(root.iter(_qn("w:ins"), _qn("w:moveTo"))):
        unwrap(kept)
        count += 1
    for record in list(root.iter(*(_qn(tag) for tag in _RECORDS))):
        record.getparent().remove(record)
        count += 1
    return count


def _in(element: Any, tag: str) -> bool:
    parent = element.getparent()
    return parent is not None and parent.tag == _qn(tag)


def _remove_comments(document: Any) -> int:
    """Remove the comments' anchors from every part and the comment parts themselves; return
    how many comments the template held."""
    anchors: set[str] = set()
    for part in text_parts(document):
        for mark in list(part.element.iter(*(_qn(tag) for tag in _COMMENT_MARKS))):
            anchors.add(mark.get(_qn("w:id"), ""))
            holder = mark.getparent()
            holder.remove(mark)
            if holder.tag == _qn("w:r") and all(c.tag == _qn("w:rPr") for c in holder):
                holder.getparent().remove(holder)
    rels = document.part.rels
    written = 0
    for rid in [r for r, rel in rels.items() if rel.reltype.endswith(_COMMENT_PARTS)]:
        if rels[rid].reltype.endswith("/comments"):
            written = rels[rid].target_part.blob.count(b"<w:comment ")
        del rels[rid]
    return max(len(anchors), written)


def _hidden(properties: Any | None) -> bool:
    """Whether run properties (or a paragraph mark's) say Font › Hidden."""
    vanish = properties.find(_qn("w:vanish")) if properties is not None else None
    return vanish is not None and vanish.get(_qn("w:val"), "1") not in ("0", "false", "off")


def _remove_hidden(root: Any) -> int:
    """Remove the text formatted hidden under ``root``: Word shows none of it, but it travels
    in the file, and Word's Document Inspector lists it to remove before publishing. Return
    how many passages there were (a run of hidden text, or a paragraph hidden whole)."""
    passages = 0
    for paragraph in list(root.iter(_qn("w:p"))):
        runs = list(paragraph.iter(_qn("w:r")))
        hidden = [run for run in runs if _hidden(run.find(_qn("w:rPr")))]
        mark = paragraph.find(_qn("w:pPr"))
        cell = paragraph.getparent()
        if (
            hidden
            and len(hidden) == len(runs)
            and _hidden(mark.find(_qn("w:rPr")) if mark is not None else None)
            and (cell.tag != _qn("w:tc") or len(cell.findall(_qn("w:p"))) > 1)
        ):
            cell.remove(paragraph)  # (a table cell keeps its last paragraph, emptied below)
            passages += 1
            continue
        before = False
        for run in runs:
            now = run in hidden
            passages += now and not before
            before = now
            if now:
                run.getparent().remove(run)
    return passages


def _settings(document: Any) -> Any | None:
    """The settings part's XML, when the template has one (never made up for it)."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/settings") and hasattr(rel.target_part, "element"):
            return rel.target_part.element
    return None


def _drop_template_link(document: Any) -> None:
    """Leave out the link to the Word template the template was made from (its path in an
    officer's profile: ``C:\\Users\\<name>\\…\\OPCC.dotx``), the document variables a
    records system leaves (author, file path) and a mail merge's data source (a workbook on
    the share, which Word would ask to query on opening the report): the report needs none,
    and each can name a person or a path."""
    part = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/settings")
    )
    for tag in ("w:attachedTemplate", "w:docVars", "w:mailMerge"):
        for element in part.element.findall(_qn(tag)):
            part.element.remove(element)
    for rid in [rid for rid, rel in part.rels.items() if rel.is_external]:
        del part.rels[rid]


def accept_markup(document: Any, what: str) -> list[str]:
    """Accept the tracked changes and delete the comments of the python-docx ``document``
    before it goes into the report; return what the finance officer is told. ``what`` names
    it: "The Word template request-for-decision.docx", "The Strategy document …"."""
    changes = sum(_accept_changes(part.element) for part in text_parts(document))
    comments = _remove_comments(document)
    hidden = sum(_remove_hidden(part.element) for part in text_parts(document))
    for part in text_parts(document):
        for mark in list(part.element.iter(*(_qn(tag) for tag in _PERMISSION_MARKS))):
            mark.getparent().remove(mark)
    links = remove_file_links(text_parts(document))
    unname_pictures(text_parts(document))  # (W-ACCESSIBILITY then names each one undescribed)
    fields = remove_personal_fields(text_parts(document))
    controls = remove_personal_controls(text_parts(document))
    embedded = remove_embedded_files(text_parts(document))
    settings = _settings(document)
    if settings is not None:  # the report does not open in Word with Track Changes on
        for tracking in settings.findall(_qn("w:trackRevisions")):
            settings.remove(tracking)
        _drop_template_link(document)
    notes = []
    if changes:
        notes.append(
            f"{what} holds {_count(changes, 'tracked change')} not yet accepted: the report "
            f"is built as if {'it were' if changes == 1 else 'they were'} accepted. In Word, "
            "Review › Accept › Accept All Changes (or reject the ones not wanted), then save it."
        )
    if comments:
        notes.append(
            f"{what} holds {_count(comments, 'comment')}, left out of the report (it is "
            "published). In Word, Review › Delete › Delete All Comments in Document, then "
            "save it."
        )
    if hidden:
        notes.append(
            f"{what} holds {_count(hidden, 'passage')} of hidden text, left out of the report "
            "(it is published, and the text of a hidden passage travels in the file). In Word, "
            "Home › Show/Hide shows it: delete it, or select it and untick Font › Hidden, then "
            "save it."
        )
    if links:
        notes.append(
            f"{what} holds {_count(len(links), 'link')} to a file rather than a web page "
            f"({links[0]}{', …' if len(links) > 1 else ''}): nobody reading the published "
            "report can open it, and it shows where the office keeps its files, so the report "
            "keeps the text without the link (a link showing its path reads [removed]). In "
            "Word, right-click the link › Remove Hyperlink, or Edit Hyperlink to the page on "
            "the website; a table or picture pasted with a link: File › Info › Edit Links to "
            "Files › Break Link; then save it."
        )
    if fields:
        notes.append(
            f"{what} holds {_count(len(fields), 'field')} showing a person's name or a file's "
            f"path ({', '.join(fields[:3])}{', …' if len(fields) > 3 else ''}): left out of "
            "the report, which is published (its PDF would print the folder it was made in). "
            "In Word, Alt+F9 shows the fields: delete these, then save it."
        )
    if controls:
        notes.append(
            f"{what} holds {_count(len(controls), 'content control')} filled with a person's "
            f"name from the file's properties ({', '.join(dict.fromkeys(controls))}, as a cover "
            "page has): left out of the report, which is published. In Word, click the box and "
            "delete it (or type the name wanted in its place as plain text), then save it."
        )
    if embedded:
        notes.append(_embedded_note(what, embedded))
    return notes


def _embedded_note(what: str, embedded: list[str]) -> str:
    """What the officer is told of the charts and objects whose files were left out."""
    charts, objects = embedded.count("chart"), embedded.count("object")
    held = " and ".join(
        text
        for text in (
            _count(charts, "chart") if charts else "",
            _count(objects, "embedded object") if objects else "",
        )
        if text
    )
    return (
        f"{what} holds {held} (a chart pasted from Excel, a workbook or document inserted as "
        "an object) carrying the whole file it came from, every sheet of it, though only the "
        "chart or a picture of the object shows: the report, which is published, keeps the "
        "chart and the picture without the file. The document itself still carries it: before "
        "publishing it or sending it on, copy each one and Paste Special › Picture in its "
        "place in Word, then save it."
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"
