"""Stage 3a: the reconciliation -> the Word Request for Decision, through an editable template.

The wording and layout live in ``templates/request-for-decision.docx``, which a finance officer
edits in Word or LibreOffice (:mod:`pipeline.docx_template` reads it as such a file);
:mod:`pipeline.docx_context` makes every figure text for it. The fields it uses are listed by
``pcc-report template-fields``.

Rendering runs with autoescape (a provider "Smith & Sons <Ltd>" prints literally) and
``StrictUndefined``: a misspelt field raises :class:`TemplateError` naming it and the template.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from pipeline import TEMPLATE_DIR
from pipeline.docx_context import clean, context
from pipeline.docx_template import (
    TemplateError,
    environment,
    explain,
    fold_page_breaks,
    template_class,
)
from pipeline.model import Decision
from pipeline.report import Report
from pipeline.values import slugify

__all__ = ["DEFAULT_TEMPLATE", "TemplateError", "docx_name", "render_docx"]

DEFAULT_TEMPLATE = TEMPLATE_DIR / "request-for-decision.docx"


def docx_name(decision: Decision) -> str:
    """``RfD-015-2021.docx`` for decision ``015/2021``."""
    return f"RfD-{slugify(decision.reference)}.docx"


def _fill_empty_cells(document: Any) -> None:
    """Give every table cell a paragraph: Word refuses a cell a loop left empty."""
    from docx.oxml import OxmlElement

    for cell in document.element.body.xpath(".//w:tc[not(w:p)]"):
        cell.append(OxmlElement("w:p"))


def _fits(text: str, limit: int = 255) -> str:
    """``text`` cut to a core property's limit, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _properties(document: Any, decision: Decision) -> None:
    props = document.core_properties
    area = clean(decision.police_area)
    author = clean(decision.body)
    # Word's core properties hold at most 255 characters (python-docx raises beyond): a long
    # Subject that check accepts must not fail the build, so the metadata is trimmed.
    props.title = _fits(clean(f"Request for Decision {decision.reference}: {decision.subject}"))
    props.subject = _fits(clean(decision.subject))
    props.author = _fits(author)
    props.last_modified_by = _fits(author)
    props.identifier = _fits(clean(decision.reference))
    props.language = "en-GB"
    props.keywords = _fits(f"Commissioning Plan {decision.year_label}; {area}")
    props.comments = ""
    # Dated by the decision, not the clock, so equal input gives equal content.
    stamp = dt.datetime.combine(decision.date, dt.time())
    props.created = stamp
    props.modified = stamp
    props.revision = 1


def render_docx(recon: Report, target: Path | IO[bytes], template: Path | None = None) -> None:
    """Write the Request for Decision of ``recon`` to ``target`` (a path or a binary stream).

    Raises :class:`TemplateError` when the template is missing, unreadable, or uses a field the
    context does not have.
    """
    import jinja2

    template = template or DEFAULT_TEMPLATE
    if not template.is_file():
        raise TemplateError(
            f"the Word template {template} does not exist; restore it from the copy the tool "
            "came with (templates/request-for-decision.docx)"
        )
    ctx = context(recon)
    try:
        document = template_class()(str(template))
        document.init_docx()
    except Exception as error:  # a zip or XML error: the file is not a usable .docx
        raise TemplateError(
            f"the Word template {template} is not a readable .docx "
            f"({type(error).__name__}: {error}); open it in Word and save it as a Word "
            "Document (.docx), or restore the copy the tool came with"
        ) from error
    env = environment()
    try:
        document.render(ctx, jinja_env=env, autoescape=True)
    except jinja2.TemplateError as error:
        raise TemplateError(explain(error, template, ctx, env)) from error
    body = document.docx.element.body
    fold_page_breaks(body)
    _fill_empty_cells(document.docx)
    _properties(document.docx, recon.decision)
    document.save(target if not isinstance(target, Path) else str(target))
