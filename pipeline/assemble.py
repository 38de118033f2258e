"""Stage 3: each workbook's read -> its result with a frozen :class:`Report` (``check`` ends here).

The run-wide rule E-DUPLICATE-REF first (an up-to-date workbook takes part too), then for each
workbook read without errors: last year's plan and the comparison (:mod:`pipeline.previous`),
the strategy it names, the notes on what will not be made (no e-mail, no open data), what
360Giving's checker would flag, and the in-year position from the spend files. ``build`` hands
the results on to the writers (:mod:`pipeline.batch`); ``check`` prints them.

Only what a check needs is imported here: no writer, no output folder, no pandas (the spend
and year-on-year modules import what they need when there is spend or a previous plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.findings import Finding, has_errors
from pipeline.inputs import Read, discover, duplicate_references, read_workbook
from pipeline.results import WorkbookResult
from pipeline.spend import Spend, run_years, shared_payments, spend_paths

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.previous import PreviousPlans


def check(
    paths: Sequence[Path],
    config: Config,
    debug: bool = False,
    previous: Path | None = None,
    spend: Sequence[Path] = (),
    as_at: date | None = None,
) -> tuple[list[WorkbookResult], list[Finding]]:
    """Load and reconcile every workbook (and match the spend files); nothing is written."""
    workbooks, notes = discover(paths)
    # Nothing is recorded, so no private copy is read and no hash taken (#21).
    reads = [read_workbook(path, config, debug, hashed=False) for path in workbooks]
    ledger = Spend(spend_paths(paths, spend), as_at)
    return reports(paths, workbooks, reads, config, previous, ledger), notes


def reports(
    paths: Sequence[Path],
    workbooks: Sequence[Path],
    reads: Sequence[Read | WorkbookResult],
    config: Config,
    previous: Path | None,
    spend: Spend,
) -> list[WorkbookResult]:
    """Each workbook's result, with its Report when it was read: the run-wide rule first
    (an up-to-date workbook takes part too), then the comparison with last year's plan and
    the position from the spend files."""
    clashes = duplicate_references(
        [
            (r.file, r.reference, r.reconciliation.decision.at if r.reconciliation else None)
            if isinstance(r, Read)
            else (r.file, r.reference, None)
            for r in reads
        ]
    )
    fresh = [r for r in reads if isinstance(r, Read)]
    finder: PreviousPlans | None = None
    if fresh:  # (a rerun with every workbook up to date compares nothing: issue 21)
        from pipeline.previous import PreviousPlans

        clashing = {r.path for i, r in enumerate(reads) if isinstance(r, Read) and i in clashes}
        finder = PreviousPlans(paths, workbooks, fresh, clashing, config, previous)
    years = run_years(reads)
    results: list[WorkbookResult] = []
    for index, read in enumerate(reads):
        clash = [clashes[index]] if index in clashes else []
        if isinstance(read, WorkbookResult):  # up to date: no Report, the manifest's figures
            read.findings.extend(clash)
            results.append(read)
        else:
            results.append(_result(read, clash, finder, config, spend, years))
    _note_shared_payments(results, spend, config, years)
    return results


def _result(
    read: Read,
    clash: list[Finding],
    finder: PreviousPlans | None,
    config: Config,
    spend: Spend,
    years: Sequence[int],
) -> WorkbookResult:
    """The result of a workbook read now, with its Report when it holds a plan: the strategy
    composed with it, then, while it has no errors, the comparison with last year's plan, the
    notes on what the build will leave out, the open data's checks and the position."""
    findings = [*read.findings, *clash]
    result = WorkbookResult(
        read.path,
        read.file,
        findings,
        reference=read.reference,
        subject=read.subject,
        financial_year=read.year,
    )
    recon = read.reconciliation
    if recon is None:
        return result
    # Imported where a plan was read: a rerun with every workbook up to date never needs
    # them (issue 21).
    from pipeline import three_sixty_rules
    from pipeline.deliver import no_circulation, open_data_skipped, publication_deferred
    from pipeline.report import Report
    from pipeline.strategy import find_strategy

    comparison = None
    strategy, note = find_strategy(read.file, read.path, recon.plan.decision)
    if note is not None:
        findings.append(note)
    if not has_errors(findings):
        assert finder is not None  # made for every run that read a workbook
        year_on_year = finder.compare(read.file, recon)
        comparison, result.previous = year_on_year.comparison, year_on_year.previous
        if year_on_year.finding is not None:
            findings.append(year_on_year.finding)
        if comparison is not None:
            findings.extend(comparison.findings)
        for note in (
            no_circulation(read.file, recon.plan),
            open_data_skipped(read.file, recon.plan, config),
            publication_deferred(read.file, recon.plan, date.today()),
        ):
            if note is not None:
                findings.append(note)
        # What 360Giving's checker would flag in the open data (W-360-…, W-ORG-ID).
        findings.extend(three_sixty_rules.findings(recon.plan, config, date.today()))
    position = None
    if not has_errors(findings):
        position, ledger_findings = spend.position(recon.plan, dict(config.aliases), years)
        findings.extend(ledger_findings)
        if position is not None:
            findings.extend(position.findings)
    result.report = Report(recon, comparison, tuple(findings), position, strategy)
    return result


def _note_shared_payments(
    results: Sequence[WorkbookResult], spend: Spend, config: Config, years: Sequence[int]
) -> None:
    """I-SPEND-SHARED on each of two plans of one year that both counted a payment, one of
    them perhaps a plan beside a workbook built by its name (:meth:`Spend.beside_positions`)."""
    positioned = [(r, r.report) for r in results if r.report and r.report.position]
    mine = [(r.file, report.position) for r, report in positioned if report.position]
    wanted = {position.plan.decision.year_start.year for _, position in mine}
    notes = shared_payments([*mine, *spend.beside_positions(config, years, wanted)])
    for result, report in positioned:
        if result.file in notes:
            result.findings.append(notes[result.file])
            result.report = replace(report, findings=(*report.findings, notes[result.file]))
