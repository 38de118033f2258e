"""docxtpl's ``DocxTemplate`` as the report is rendered with it (see
:func:`pipeline.docx_template.template_class`, which says what it changes and why).

Imported only where a report is rendered: a check or a no-op rerun never loads docxtpl. The
methods overridden here are checked against docxtpl's own by ``tests/test_docx_template.py``
(docxtpl is pinned to the tested minor version in ``pyproject.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from docxtpl import DocxTemplate

from pipeline import cache
from pipeline.docx_template import keep_page_breaks

_COLUMN_TAGS = re.compile(r"\{%-?\s*(tc|colspan|cellbg|vm|hm)\b")
_LISTING_CHARS = re.compile(r"[\n\t\a\f]")


class Template(DocxTemplate):  # type: ignore[misc]
    """The template: its clean-up cached, listing and table passes only when needed, and the
    document part parsed once (:func:`pipeline.docx_template.template_class`)."""

    docx: Any  # the python-docx Document (map_tree gives it a new one)
    column_tags = True
    drawings = True  # the rendered XML holds a wp:docPr (a picture or a shape)
    bare_cells = True  # the rendered XML may hold a table cell without a paragraph

    def get_xml(self) -> str:
        # The whole document part, not only its body (see map_tree).
        return str(self.xml_to_string(self.docx.element))

    def build_xml(self, context: Mapping[str, Any], jinja_env: Any = None) -> str:
        raw = self.get_xml()
        self.column_tags = _COLUMN_TAGS.search(re.sub(r"<[^>]+>", "", raw)) is not None
        xml = self.patch_xml(raw)
        rendered = str(self.render_xml_part(xml, self.docx._part, context, jinja_env))
        self.drawings = "docPr" in rendered
        self.bare_cells = self.column_tags or not _cells_end_in_paragraphs(rendered)
        return rendered

    def render_xml_part(
        self, src_xml: str, part: Any, context: Mapping[str, Any], jinja_env: Any = None
    ) -> str:
        # docxtpl's own, but its last re.sub(r"\n<w:p([ >])", r"<w:p\1") expanded its
        # replacement once per paragraph (146,000 at 10,000 lines with last year's
        # changes); two str.replace() give the same text.
        import jinja2

        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        try:
            self.current_rendering_part = part
            template = (jinja_env or jinja2.Environment()).from_string(src_xml)
            dst_xml = str(template.render(context))
        except jinja2.TemplateError as exc:
            lineno = getattr(exc, "lineno", None)
            if lineno is not None:
                start = max(lineno - 4, 0)
                exc.docx_context = [  # type: ignore[attr-defined]
                    re.sub(r"<[^>]+>", "", x) for x in src_xml.splitlines()[start : start + 7]
                ]
            raise
        dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        dst_xml = (
            dst_xml.replace("{_{", "{{")
            .replace("}_}", "}}")
            .replace("{_%", "{%")
            .replace("%_}", "%}")
        )
        return self.resolve_listing(dst_xml)

    def patch_xml(self, src_xml: str) -> str:
        # Depends on the template alone: done once per template, not once per build. The
        # kind names this module's own clean-up too: change it when _patched changes.
        return cache.text("docxtpl-patch/page-breaks-1", src_xml, _patched)

    def resolve_listing(self, xml: str) -> str:
        if _LISTING_CHARS.search(xml) is None:
            return xml
        return str(super().resolve_listing(xml))

    def fix_tables(self, xml: str) -> Any:
        if self.column_tags:
            return super().fix_tables(xml)
        return _parse_document(xml)

    def fix_docpr_ids(self, tree: Any) -> None:
        # docxtpl's own; python-docx's elements take no namespaces= in xpath().
        from docx.oxml.ns import nsmap
        from docxtpl.template import etree

        if not self.drawings:  # no picture: nothing to renumber (saves a whole-tree walk)
            return
        for element in etree.XPath("//wp:docPr", namespaces=nsmap)(tree):
            self.docx_ids_index += 1
            element.attrib["id"] = str(self.docx_ids_index)

    def map_tree(self, tree: Any) -> None:
        # docxtpl parses the rendered body on its own and moves it into the document,
        # which makes lxml re-home every element (1 s for a 10,000-line plan, 6 s with
        # last year's changes beside it). The rendered document part, parsed whole as
        # python-docx parses a part, becomes the part's XML instead.
        if self.column_tags:  # docxtpl's fix_tables parsed it: its way, body by body
            super().map_tree(tree.find(_qn("w:body")))
            return
        self.docx.part._element = tree
        self.docx = self.docx.part.document


def _patched(xml: str) -> str:
    # patch_xml is docxtpl's clean-up of the XML (runs split inside tags rejoined, {%p %}
    # paragraphs reduced to their tags); it uses nothing of the instance.
    return str(DocxTemplate.patch_xml(DocxTemplate.__new__(DocxTemplate), keep_page_breaks(xml)))


def _cells_end_in_paragraphs(xml: str) -> bool:
    """Whether every table cell of ``xml`` ends in a paragraph: each ``</w:tc>`` follows a
    ``</w:p>`` at once (that paragraph is then the cell's last child), and no cell is empty.
    Two counts over the text, where finding the cells without one walks every cell of the
    tree (0.2 s at 10,000 lines with last year's changes). False when unsure."""
    return "<w:tc/>" not in xml and xml.count("</w:tc>") == xml.count("</w:p></w:tc>")


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _parse_document(xml: str) -> Any:
    """The rendered document part as python-docx's own element classes, parsed as docxtpl
    parses it (recovering from what an edited template may leave broken, blank text kept)."""
    from docx.oxml.parser import element_class_lookup
    from docxtpl.template import etree  # lxml, as docxtpl itself parses with it

    parser = etree.XMLParser(recover=True)
    parser.set_element_class_lookup(element_class_lookup)
    return etree.fromstring(xml, parser=parser)
