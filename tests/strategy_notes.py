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


def add_note(document: Any, paragraph: Any, kind: str, text: str) -> None:
    """Put a ``kind`` ("footnote" or "endnote") saying ``text`` at the end of ``paragraph``
    of ``document`` (python-docx); one note of each kind per document."""
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:{kind}Reference {nsdecls("w")} w:id="1"/>'))
    notes = (
        f"<w:{kind}s {nsdecls('w')}>"
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
        f'</w:r></w:p></w:{kind}><w:{kind} w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        f"</w:{kind}></w:{kind}s>"
    )
    content_type, relationship = _PARTS[kind]
    part = Part(PackURI(f"/word/{kind}s.xml"), content_type, notes.encode(), None)
    document.part.relate_to(part, relationship)
