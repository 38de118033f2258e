"""What a good build writes for a Report: the documents, the PDF and the sign-off e-mail.

Each output is a **writer**: a function ``(report, staging) -> None`` that renders into a
temporary file from ``staging.temp(name)``. The batch runs every writer of :data:`WRITERS` in
order for each error-free workbook, then moves all the files into place together (or none, if
any writer fails). To add an output (a review note, an open-data file, a spend position):

1. write ``def write_thing(report: Report, staging: Staging) -> None`` that renders into
   ``staging.temp("thing-<ref>.ext")`` (``attach=True`` to add it to the sign-off e-mail);
2. add it to :data:`WRITERS` before ``write_review`` (the review note lists every finding
   of what came before it; the e-mail attaches what came before).

A writer reads only the Report; a problem it can live with is a finding added with
``staging.note(...)`` (as W-PDF is), an exception fails the workbook's build (E-RENDER).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.config import Config
from pipeline.findings import Finding
from pipeline.manifest import temp_beside
from pipeline.model import Plan
from pipeline.report import Report
from pipeline.values import format_date


@dataclass
class Staging:
    """The temporary files of one workbook's outputs until they are moved into place."""

    folder: Path
    file: str  # the workbook, as findings name it
    config: Config
    template: Path
    staged: dict[str, Path] = field(default_factory=dict)  # output name -> its temporary file
    attachments: list[str] = field(default_factory=list)  # names the e-mail attaches
    findings: list[Finding] = field(default_factory=list)  # what delivery found (W-PDF, ...)

    def temp(self, name: str, attach: bool = False) -> Path:
        """A temporary file to render ``folder/name`` into; ``attach`` puts it in the e-mail."""
        path = temp_beside(self.folder / name)
        self.staged[name] = path
        if attach:
            self.attachments.append(name)
        return path

    def drop(self, name: str) -> None:
        """Forget an output that could not be made (its temporary file is removed)."""
        self.staged.pop(name).unlink(missing_ok=True)
        if name in self.attachments:
            self.attachments.remove(name)

    def note(self, code: str, message: str) -> None:
        self.findings.append(Finding(code, self.file, message))

    def commit(self) -> list[Path]:
        """Move every staged file into place; return the outputs, in the writers' order."""
        targets = []
        for name, temp in self.staged.items():
            os.replace(temp, self.folder / name)
            targets.append(self.folder / name)
        self.staged.clear()
        return targets

    def discard(self) -> None:
        """Remove whatever is still staged (after a failure or an interruption)."""
        for temp in self.staged.values():
            temp.unlink(missing_ok=True)
        self.staged.clear()


Writer = Callable[[Report, Staging], None]


def write_request_for_decision(report: Report, staging: Staging) -> None:
    """The Word Request for Decision, ``RfD-<ref>.docx``."""
    from pipeline.render_docx import docx_name, render_docx

    target = staging.temp(docx_name(report.decision), attach=True)
    # An edited template that breaks an accessibility check, or still holds tracked changes
    # or comments, is built, with a warning.
    for note in render_docx(report, target, staging.template):
        staging.note(note.code, note.message)


def write_summary(report: Report, staging: Staging) -> None:
    """The public Excel summary, ``commissioning-summary-<year>.xlsx``."""
    from pipeline.render_xlsx import render_xlsx, summary_name

    render_xlsx(report, staging.temp(summary_name(report.decision)))


def write_pdf(report: Report, staging: Staging) -> None:
    """With ``--pdf``: the Word report as PDF; one that cannot be made is W-PDF, not a failure."""
    if not staging.config.pdf:
        return
    from pipeline.pdf import PdfError, pdf_name, to_pdf
    from pipeline.render_docx import docx_name

    docx = docx_name(report.decision)
    name = pdf_name(docx)
    target = staging.temp(name, attach=True)
    try:
        to_pdf(staging.staged[docx], target, dated=report.decision.date)
    except PdfError as error:
        staging.drop(name)
        staging.note("W-PDF", f"No PDF was made: {error}")


def write_position(report: Report, staging: Staging) -> None:
    """With spend files for the plan's year: ``position-<ref>-<as-at>.xlsx`` (internal)."""
    if report.position is None:
        return
    from pipeline.commitments import commitments
    from pipeline.render_position import position_name, render_position

    position = report.position
    render_position(position, commitments(report.plan), staging.temp(position_name(position)))


def write_open_data(report: Report, staging: Staging) -> None:
    """The grants as 360Giving open data, ``360giving-<ref>.json`` and ``.xlsx``, when the
    plan has grant lines and the publisher prefix is set (I-360-SKIPPED says when it is not)."""
    from pipeline import three_sixty

    if not staging.config.funder_prefix or not three_sixty.grant_lines(report.plan):
        return  # (open_data_skipped says why, when there are grants)
    data = three_sixty.package(report.plan, staging.config)
    three_sixty.write_json(data, staging.temp(three_sixty.json_name(report.decision)))
    three_sixty.write_xlsx(data, staging.temp(three_sixty.xlsx_name(report.decision)))


def write_transparency(report: Report, staging: Staging) -> None:
    """The Transparency Code files ``grants-<year>.csv`` and ``contracts-<year>.csv``; one
    with nothing to list (no voluntary-sector grant, no contract over £5,000) is not written."""
    from pipeline import transparency

    plan = report.plan
    for name, write in (
        (transparency.grants_name(plan), transparency.write_grants),
        (transparency.contracts_name(plan), transparency.write_contracts),
    ):
        if not write(plan, staging.temp(name)):
            staging.drop(name)


def open_data_skipped(file: str, plan: Plan, config: Config) -> Finding | None:
    """I-360-SKIPPED when the plan has grants but no publisher prefix is set. Known from the
    plan and the settings, so the batch adds it before the Report is made (as check does)."""
    from pipeline import three_sixty

    grants = three_sixty.grant_lines(plan)
    if not grants or config.funder_prefix:
        return None
    return Finding("I-360-SKIPPED", file, three_sixty.skipped_message(len(grants)))


def publication_deferred(file: str, plan: Plan, today: date) -> Finding | None:
    """W-PUBLICATION-DEFERRED while the decision's publication is deferred: the public files
    are made, ready for the day, and the officer is told to keep them off the website."""
    decision = plan.decision
    until = decision.publication_deferred_until
    if not decision.publication_deferred or (until is not None and until <= today):
        return None
    when = f"until {format_date(until)}" if until else "with no date given to lift it"
    why = (
        f" ({decision.publication_deferred_reason.strip()})"
        if decision.publication_deferred_reason.strip()
        else ""
    )
    # The form asks for the date of publication with the reason for deferring it.
    ask = "" if until else ' (the form asks for it: type it as "Publication deferred until")'
    return Finding(
        "W-PUBLICATION-DEFERRED",
        file,
        f"Publication of this decision is deferred {when}{why}. The Request for Decision and "
        "the public files (the summary, the Transparency Code files, the 360Giving file) are "
        f"made ready, but keep them off the website until the deferral ends{ask}.",
        decision.at.sheet,
        decision.at.cell("publication_deferred"),
    )


def no_circulation(file: str, plan: Plan) -> Finding | None:
    """I-NO-CIRCULATION when the workbook names nobody to e-mail. Known from the plan, so the
    batch adds it before the Report is made: check and build count the same findings."""
    if plan.circulation:
        return None
    sheet = plan.circulation_sheet
    if sheet is None:
        return Finding(
            "I-NO-CIRCULATION",
            file,
            "No e-mail is prepared: the workbook has no Circulation sheet listing who the "
            "report goes to for sign-off. Add a sheet named Circulation with the columns "
            "Role, Name and E-mail to have the build prepare it.",
        )
    # pcc-report new-workbook's sheet, left empty: it is there, so say what to fill in.
    headers = (
        "under its headers Role, Name and E-mail"
        if sheet.row > 1
        else "with the headers Role, Name and E-mail in its first row"
    )
    return Finding(
        "I-NO-CIRCULATION",
        file,
        f"No e-mail is prepared: the {sheet.sheet} sheet lists nobody. Type a row for each "
        f"person the report goes to for sign-off, {headers} (e.g. Chief Finance Officer, "
        "Jane Smith, jane.smith@example.police.uk), to have the build prepare it.",
        sheet.sheet,
        sheet.cell("role"),
    )


def write_review(report: Report, staging: Staging) -> None:
    """The internal review note for the Chief Finance Officer, ``review-<ref>.docx``: every
    finding, the ones delivery found so far included; attached to the sign-off e-mail."""
    from pipeline.review import render_review, review_name

    target = staging.temp(review_name(report.decision.reference), attach=True)
    render_review(
        target,
        [*report.findings, *staging.findings],
        report.plan,
        staging.file,
        report.position,
    )


def write_email(report: Report, staging: Staging) -> None:
    """The sign-off e-mail to the Circulation sheet, with the attachments staged before it;
    no Circulation sheet means no e-mail (:func:`no_circulation` says so)."""
    if not report.plan.circulation:
        return
    from pipeline import mail  # only now: most plans have no Circulation sheet

    attachments = [mail.Attachment(name, staging.staged[name]) for name in staging.attachments]
    message = mail.compose(report, [*report.findings, *staging.findings], attachments)
    staging.temp(mail.email_name(report.decision)).write_bytes(mail.to_bytes(message))


WRITERS: list[Writer] = [
    write_request_for_decision,
    write_summary,
    write_pdf,
    write_position,
    write_open_data,
    write_transparency,
    write_review,  # after every writer that may add a finding: it lists them all
    write_email,
]


def stage(report: Report, staging: Staging, writers: list[Writer] | None = None) -> None:
    """Run the writers for ``report`` into ``staging``; the batch moves the files into place
    together (``staging.commit()``) once it has recorded what they are."""
    for writer in WRITERS if writers is None else writers:
        writer(report, staging)
