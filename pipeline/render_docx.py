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
from typing import IO, Any, NamedTuple

from pipeline import TEMPLATE_DIR
from pipeline.docx_context import context, generated_english
from pipeline.docx_finish import (
    accessibility_problems,
    deterministic_docx,
    mark_strategy,
    other_english,
    set_properties,
    unmark_strategy,
)
from pipeline.docx_markup import accept_markup
from pipeline.docx_pack import (
    compose_strategy,
    fit_plan_appendix,
    landscape_appendix,
    mark_plan_appendix,
)
from pipeline.docx_tags import blank_loop_rows, misplaced_tag, template_xml
from pipeline.docx_template import (
    TemplateError,
    environment,
    explain,
    fold_page_breaks,
    template_class,
)
from pipeline.docx_welsh import mark_welsh
from pipeline.memory import collector_paused, release_memory
from pipeline.model import Decision
from pipeline.report import Report
from pipeline.strategy import open_strategy, plan_appendix
from pipeline.values import slugify
from pipeline.word_formats import OTHER_FORMATS, file_format

__all__ = ["DEFAULT_TEMPLATE", "Note", "TemplateError", "docx_name", "render_docx"]

DEFAULT_TEMPLATE = TEMPLATE_DIR / "request-for-decision.docx"


class Note(NamedTuple):
    """What the build says about the template it rendered: a finding's code and message."""

    code: str
    message: str


def docx_name(decision: Decision) -> str:
    """``RfD-015-2021.docx`` for decision ``015/2021``."""
    return f"RfD-{slugify(decision.reference)}.docx"


def saved_as(template: Path) -> list[Path]:
    """Copies of ``template`` saved beside it in another format and later than it (or instead
    of it), newest first: edits made there are not in the report."""
    try:
        made = template.stat().st_mtime_ns if template.is_file() else -1
        copies = [
            (copy.stat().st_mtime_ns, copy)
            for copy in template.parent.iterdir()
            if copy.stem == template.stem and copy.suffix.lower() in OTHER_FORMATS
        ]
    except OSError:
        return []
    return [copy for changed, copy in sorted(copies, reverse=True) if changed > made]


def _newer_copy(copy: Path, template: Path) -> str:
    return (
        f"{copy.name}, {OTHER_FORMATS[copy.suffix.lower()]} beside the Word template, was "
        f"saved after it; the report is built from {template.name}, without the changes made "
        f"in {copy.name}. If they are wanted, open {copy.name} in Word or LibreOffice and use "
        f"File › Save As, type Word Document (.docx), name {template.name}; otherwise delete "
        f"{copy.name}."
    )


def open_template(template: Path) -> Any:
    """The docxtpl template at ``template``, opened; :class:`TemplateError` saying what the
    file is, and how to save it, when it is no usable .docx."""
    try:
        document = template_class()(str(template))
        document.init_docx()
    except Exception as error:  # a zip or XML error: the file is not a usable .docx
        kind = file_format(template)
        what = f"is {kind} under a .docx name" if kind else "is not a readable .docx"
        raise TemplateError(
            f"the Word template {template} {what} ({type(error).__name__}: {error}); open it "
            "in Word or LibreOffice and use File › Save As, type Word Document (.docx), or "
            "restore the copy the tool came with"
        ) from error
    return document


def _fill_empty_cells(document: Any) -> None:
    """Give every table cell a paragraph: Word refuses a cell a loop left empty. (Only run when
    the rendered XML may hold such a cell: ``bare_cells``, :mod:`pipeline.docx_template`.)"""
    from docx.oxml import OxmlElement

    for cell in document.element.body.xpath(".//w:tc[not(w:p)]"):
        cell.append(OxmlElement("w:p"))


def render_docx(
    recon: Report, target: Path | IO[bytes], template: Path | None = None
) -> list[Note]:
    """Write the Request for Decision of ``recon`` to ``target`` (a path or a binary stream);
    return what the build says about the template (empty for the committed one): the
    accessibility checks it breaks (``W-ACCESSIBILITY``, :mod:`pipeline.docx_finish`) and the
    review markup left in it (``W-TEMPLATE``, :mod:`pipeline.docx_markup`). Equal input gives
    equal bytes.

    With ``recon.strategy`` the report is the decision pack: the form, the strategy composed
    whole, then the plan appendix (:mod:`pipeline.docx_pack`).

    Raises :class:`TemplateError` when the template is missing, unreadable, uses a field the
    context does not have, or holds a tag that would spoil the report (:mod:`pipeline.docx_tags`); :class:`pipeline.strategy.StrategyProblem` when the strategy went
    since it was checked.
    """
    template = template or DEFAULT_TEMPLATE
    if not template.is_file():
        copy = next(iter(saved_as(template)), None)
        if copy is not None:
            raise TemplateError(
                f"the Word template {template} does not exist, but {copy.name} ("
                f"{OTHER_FORMATS[copy.suffix.lower()]}) is beside where it belongs: open "
                f"{copy.name} in Word or LibreOffice and use File › Save As, type Word "
                f"Document (.docx), name {template.name}"
            )
        raise TemplateError(
            f"the Word template {template} does not exist; restore it from the copy the tool "
            "came with (templates/request-for-decision.docx)"
        )
    # The collector is paused while the report is made, and the document freed by collecting
    # what was made since (see pipeline.memory).
    with collector_paused():
        data, notes = _render(recon, template)
    if isinstance(target, Path):
        target.write_bytes(data)
    else:
        target.write(data)
    return notes


def _render(recon: Report, template: Path) -> tuple[bytes, list[Note]]:
    """The report's bytes and the notes on its template (see :func:`render_docx`)."""
    import jinja2

    strategy = open_strategy(recon.strategy) if recon.strategy else None
    # The plan appendix follows the strategy's own appendices (3 for the seed's two).
    appendix = plan_appendix(recon.decision, strategy)
    ctx = context(recon, appendix)
    if strategy is not None:  # the strategy carries its own Document Control, which stands
        ctx["document_control"] = []
        ctx["change_control"] = []
    document = open_template(template)
    what = f"The Word template {template.name}"
    notes = [Note("W-TEMPLATE", n) for n in accept_markup(document.docx, what)]
    notes += [Note("W-TEMPLATE", _newer_copy(copy, template)) for copy in saved_as(template)]
    mark_plan_appendix(document.docx)
    fit_plan_appendix(document.docx)
    parts = template_xml(document)
    problem = misplaced_tag(parts)
    if problem:
        raise TemplateError(f"the Word template {template} {problem}, then save it.")
    notes += [Note("W-ACCESSIBILITY", n) for n in blank_loop_rows(parts) + other_english(parts)]
    env = environment()
    try:
        document.render(ctx, jinja_env=env, autoescape=True)
    except jinja2.TemplateError as error:
        raise TemplateError(explain(error, template, ctx, env)) from error
    body = document.docx.element.body
    fold_page_breaks(body)
    if document.bare_cells:
        _fill_empty_cells(document.docx)
    if strategy is not None and recon.strategy is not None:
        what = f"The Strategy document {recon.strategy.name}"
        notes += [Note("W-TEMPLATE", n) for n in accept_markup(strategy, what)]
        mark_strategy(strategy, recon.strategy.name)
        compose_strategy(document.docx, strategy, appendix)
    landscape_appendix(document.docx, appendix)
    set_properties(document.docx, recon.decision)
    # Its Welsh read in Welsh (docx_welsh.py); in a Welsh form, its English read in English.
    mark_welsh(document.docx, recon.plan, generated_english(ctx))
    notes += [Note("W-ACCESSIBILITY", p) for p in accessibility_problems(document.docx)]
    unmark_strategy(document.docx)
    data = deterministic_docx(document.docx, recon.decision.date)
    # The rendered tree is about 150 MB at 10,000 lines: dropped (and its memory handed back
    # to the system) before the summary is built.
    del document, body, strategy, ctx
    release_memory()
    return data, notes
