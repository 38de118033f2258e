"""A footnote or an endnote in a strategy built with python-docx, as Word saves one: the
reference in a run, the note in its part (``word/footnotes.xml``, ``word/endnotes.xml``) with
the separators Word writes before it."""

from __future__ import annotations

from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

_PARTS = {"footnote": (CT.WML_FOOTNOTES, RT.FOOTNOTES), "endnote": (CT.WML_ENDNOTES, RT.ENDNOTES)}


def add_note(
    document: Any, paragraph: Any, kind: str, text: str, link: str = "", markup: str = ""
) -> None:
    """Put a ``kind`` ("footnote" or "endnote") saying ``text`` at the end of ``paragraph``
    of ``document`` (python-docx), with a web ``link`` after it when one is given, then the
    WordprocessingML ``markup`` (a tracked change, a field); one note of each kind per
    document."""
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:{kind}Reference {nsdecls("w")} w:id="1"/>'))
    content_type, relationship = _PARTS[kind]
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, b"", None)
    linked = ""
    if link:
        rid = part.relate_to(link, RT.HYPERLINK, is_external=True)
        linked = f'<w:hyperlink r:id="{rid}"><w:r><w:t>{link}</w:t></w:r></w:hyperlink>'
        text += " "
    part._blob = (
        f"<w:{kind}s {nsdecls('w', 'r')}>"
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f'</w:r></w:p></w:{kind}><w:{kind} w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}'
        f"</w:t></w:r>{linked}{markup}</w:p></w:{kind}></w:{kind}s>"
    ).encode()
    document.part.relate_to(part, relationship)
