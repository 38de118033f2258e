"""Stage 3a: the reconciliation -> the Word Request for Decision, through an editable template.

The wording and layout live in ``templates/request-for-decision.docx``, which a finance officer
edits in Word or LibreOffice (:mod:`pipeline.docx_template` reads it as such a file);
:mod:`pipeline.docx_context` makes every figure text for it. The fields it uses are listed by
``pcc-report template-fields``.

Rendering runs with autoescape (a provider "Smith & Sons <Ltd>" prints literally) and
``StrictUndefined``: a misspelt field raises :class:`TemplateError` naming it and the template.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from pipeline import TEMPLATE_DIR
from pipeline.docx_context import context
from pipeline.docx_finish import accessibility_problems, deterministic_docx, set_properties
from pipeline.docx_pack import compose_strategy, landscape_appendix
from pipeline.docx_template import (
    TemplateError,
    environment,
    explain,
    fold_page_breaks,
    template_class,
)
from pipeline.memory import collector_paused, release_memory
from pipeline.model import Decision
from pipeline.report import Report
from pipeline.strategy import appendix_count, open_strategy
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


def render_docx(recon: Report, target: Path | IO[bytes], template: Path | None = None) -> list[str]:
    """Write the Request for Decision of ``recon`` to ``target`` (a path or a binary stream);
    return what keeps it from the accessibility checks (empty for the committed template; see
    :mod:`pipeline.docx_finish`). Equal input gives equal bytes.

    With ``recon.strategy`` the report is the decision pack: the form, the strategy composed
    whole, then the plan appendix (:mod:`pipeline.docx_pack`).

    Raises :class:`TemplateError` when the template is missing, unreadable, or uses a field the
    context does not have; :class:`pipeline.strategy.StrategyProblem` when the strategy went
    since it was checked.
    """
    template = template or DEFAULT_TEMPLATE
    if not template.is_file():
        raise TemplateError(
            f"the Word template {template} does not exist; restore it from the copy the tool "
            "came with (templates/request-for-decision.docx)"
        )
    # The collector is paused while the report is made, and the document freed by collecting
    # what was made since (see pipeline.memory).
    with collector_paused():
        data, problems = _render(recon, template)
    if isinstance(target, Path):
        target.write_bytes(data)
    else:
        target.write(data)
    return problems


def _render(recon: Report, template: Path) -> tuple[bytes, list[str]]:
    """The report's bytes and its accessibility problems (see :func:`render_docx`)."""
    import jinja2

    strategy = open_strategy(recon.strategy) if recon.strategy else None
    # The plan appendix follows the strategy's own appendices (3 for the seed's two).
    appendix = appendix_count(strategy) + 1 if strategy is not None else 3
    ctx = context(recon, appendix)
    if strategy is not None:  # the strategy carries its own Document Control, which stands
        ctx["document_control"] = []
        ctx["change_control"] = []
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
    if strategy is not None:
        compose_strategy(document.docx, strategy, appendix)
    landscape_appendix(document.docx, appendix)
    set_properties(document.docx, recon.decision)
    problems = accessibility_problems(document.docx)
    data = deterministic_docx(document.docx, recon.decision.date)
    # The rendered tree is about 150 MB at 10,000 lines: dropped (and its memory handed back
    # to the system) before the summary is built.
    del document, body, strategy, ctx
    release_memory()
    return data, problems
