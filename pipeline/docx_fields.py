"""The fields a Word template uses (``pcc-report template-fields``), as dotted names.

The template is read as the build reads it: its tracked changes accepted and its comments
left out (:mod:`pipeline.docx_markup`), so a field deleted under Track Changes is not listed
and one inserted is.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.docx_template import TemplateError, explain
from pipeline.render_docx import open_template


def _path(node: Any, scope: Mapping[str, str | None]) -> str | None:
    """``decision.reference`` for a Getattr chain; loop variables resolved to ``funds[]``."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        if node.name in scope:
            return scope[node.name]
        return None if node.name == "loop" else node.name
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, scope)
        return f"{base}.{node.attr}" if base else None
    return None


def _collect(node: Any, scope: Mapping[str, str | None], found: set[str]) -> None:
    from jinja2 import nodes

    if isinstance(node, nodes.For):
        _collect(node.iter, scope, found)
        items = _path(node.iter, scope)
        inner = dict(scope)
        for target in (
            node.target.find_all(nodes.Name)
            if not isinstance(node.target, nodes.Name)
            else [node.target]
        ):
            inner[target.name] = f"{items}[]" if items else None
        for child in node.body:
            _collect(child, inner, found)
        if node.test is not None:
            _collect(node.test, inner, found)
        for child in node.else_:
            _collect(child, scope, found)
        return
    if isinstance(node, (nodes.Name, nodes.Getattr)):
        path = _path(node, scope)
        if path:
            found.add(path)
            return
    for child in node.iter_child_nodes():
        _collect(child, scope, found)


def template_fields(template: Path) -> list[str]:
    """Every field the template prints or tests, as dotted names; ``[]`` marks a list's items
    (``funds[].lines[].budget``). A name that is only the start of a longer one is left out."""
    import jinja2

    from pipeline.docx_markup import accept_markup
    from pipeline.docx_tags import misplaced_tag, template_xml

    environment = jinja2.Environment()
    document = open_template(template)
    accept_markup(document.docx, "")  # (what the build says of it is the build's to say)
    parts = template_xml(document)
    try:
        tree = environment.parse("".join(document.patch_xml(part) for part in parts))
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(explain(error, template, {}, environment)) from error
    if problem := misplaced_tag(parts):  # what the build would refuse too
        raise TemplateError(f"the Word template {template} {problem}, then save it.")
    found: set[str] = set()
    _collect(tree, {}, found)
    return sorted(
        name
        for name in found
        if not any(other.startswith(name + ".") or other.startswith(name + "[]") for other in found)
    )
