"""One workbook at a time into the output folder: is it up to date, read it, build it, and
keep its manifest entry (:class:`Builder`); the orchestration of a run is :mod:`pipeline.batch`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config import Config
from pipeline.findings import Finding, has_errors
from pipeline.freshness import Freshness, LastYearLookup, entry_year_start
from pipeline.inputs import Read, display, read_workbook, signature
from pipeline.manifest_entry import built_entry, kept_copies, pending
from pipeline.outputs import (
    FOLDER_ERRORS,
    STALE,
    FolderRefused,
    OutputFolder,
    commit_whole,
    folder_name,
    unwritable_reason,
)
from pipeline.results import WorkbookResult
from pipeline.spend import SPEND_PLANS, Spend, plans_beside, spend_parted
from pipeline.stale import Shelf, set_aside_superseded

if TYPE_CHECKING:  # the writers are imported where a workbook is built: a no-op rerun needs none
    from pipeline.deliver import Staging


@dataclass(frozen=True)
class Run:
    """What one build was asked to do, as ``pcc-report build`` was given it."""

    paths: Sequence[Path]  # the workbooks and folders named
    out: Path
    config: Config
    template: Path
    spend: Spend  # the run's spend files
    previous: Path | None = None  # last year's plan named with --previous
    force: bool = False  # build even what is up to date
    debug: bool = False  # a bug of ours is raised, not said as an E-READ


class Builder:
    """Builds one workbook at a time into the output folder and keeps its manifest entry."""

    def __init__(self, run: Run):
        self.run = run
        self.folder = OutputFolder(run.out)
        self.shelf = Shelf(self.folder)
        self.manifest = self.folder.manifest
        last_year = LastYearLookup(run.paths, run.previous, self.manifest.entries)
        self.fresh = Freshness(
            self.folder, run.config, run.template, run.force, run.spend.fingerprint(), last_year
        )
        self.fingerprints: dict[str, dict[str, Any]] = {}
        if run.spend.any:  # a workbook built by its name: the years of the plans beside it
            beside = plans_beside(run.paths, self.manifest.entries)  # one walk of the manifest
            run.spend.beside, run.spend.built_beside = beside
        self.spend_plans: list[int] | None = None  # the years the spend is parted among

    def current(self, path: Path) -> tuple[WorkbookResult | None, dict[str, Any]]:
        """The workbook's result "up to date" from the manifest (None when it must be built)
        and its fingerprint; the workbook is hashed, never opened."""
        key = self.fresh.key_of(path)
        fingerprint = self.fresh.fingerprint(path)
        self.fingerprints[key] = fingerprint
        edited = self.fresh.up_to_date(key, fingerprint)
        if edited is None:
            return None, fingerprint
        entry = self.manifest.entries[key]
        result = WorkbookResult(
            path,
            display(path),
            reference=entry.get("reference", ""),
            outcome="up to date",
            summary=entry,
        )
        result.outputs = [self.folder.root / o["path"] for o in entry.get("outputs", [])]
        result.edited = [(p, None) for p in edited]
        return result, fingerprint

    def triage(self, path: Path) -> Read | WorkbookResult:
        """The workbook read, or its result "up to date" from the manifest."""
        before = signature(path)
        current, fingerprint = self.current(path)
        return current if current is not None else self.read(path, before, fingerprint)

    def read(
        self,
        path: Path,
        before: tuple[int, int, int] | None = None,
        fingerprint: dict[str, Any] | None = None,
    ) -> Read:
        """The workbook read, with the fingerprint the manifest keeps of it: ``fingerprint``
        when it was taken already (the workbook's ``signature`` then ``before``)."""
        if fingerprint is None:
            before, fingerprint = signature(path), self.fresh.fingerprint(path)
        key = self.fresh.key_of(path)
        outcome = read_workbook(path, self.run.config, self.run.debug)
        if signature(path) != before:  # replaced since it was hashed: hash it again
            fingerprint = self.fresh.fingerprint(path)
        self.fingerprints[key] = self.fresh.of_read(fingerprint, outcome)
        return outcome

    # -- writing ----------------------------------------------------------------------------
    def record(self, key: str, result: WorkbookResult) -> None:
        where = Path(os.path.abspath(result.path))
        for other in [k for k, e in self.manifest.entries.items() if k != key]:
            if self.manifest.entries[other].get("workbook_path") == str(where):
                del self.manifest.entries[other]  # one workbook, one entry
        sent = self.manifest.entries.get(key, {}).get("sent", [])  # pcc-report send's log
        fingerprint = self.fingerprints.get(key, {})
        if self.spend_plans is not None and fingerprint:
            fingerprint = {**fingerprint, SPEND_PLANS: self.spend_plans}
        self.manifest.entries[key] = built_entry(key, result, self.folder, fingerprint, sent)

    def _write_ahead(self, key: str, staging: Staging) -> list[tuple[Path, Path | None]]:
        """Record what is about to be moved into place (:func:`manifest_entry.pending`), set
        aside the outputs in its way a person edited and write the manifest: a run killed
        after this knows where each edited copy went. Returns (output, copy) pairs."""
        entry = self.manifest.entries.setdefault(key, {"input": key, "sent": []})
        entry["status"] = "interrupted"
        entry["pending"] = pending(self.folder, staging.folder, staging.staged, entry)
        edited = self.shelf.protect([staging.folder / n for n in staging.staged])
        entry["edited"] = [*entry.get("edited", []), *kept_copies(self.folder, edited)]
        self.manifest.write()
        return edited

    def key(self, result: WorkbookResult) -> str:
        return self.fresh.keys.get(result.file, result.file)

    def build_one(self, result: WorkbookResult) -> None:
        """Render an error-free workbook, write its findings, set earlier outputs aside or
        retire them, and record it. A folder that cannot be written costs this workbook only.

        An output a person edited is never overwritten or deleted: it is moved to ``stale/``
        under a name saying it was edited, and ``result.edited`` says where it went."""
        key = self.key(result)
        earlier = _folders(self.manifest.entries.get(key, {}), self.shelf.root)
        # (an entry read as damaged records nothing: its outputs are as good as unrecorded)
        known = self.manifest.entries.get(key, {}).get("status", "damaged") != "damaged"
        if known:
            # Until recorded below: if the run is stopped half-way, the next one rebuilds it.
            self.manifest.entries[key]["status"] = "interrupted"
        try:
            folder = result.folder = self.folder.folder_for(
                folder_name(result.reference, result.path)
            )
        except FolderRefused as refused:
            result.findings.append(Finding("E-RENDER", result.file, str(refused)))
            result.outcome, result.outputs = "failed", []
            return
        from pipeline.deliver import Staging

        staging = Staging(folder, result.file, self.run.config, self.run.template)
        try:
            if result.status == "ok":
                _stage(result, staging, self.run.debug)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                staging.temp(result.findings_name).write_bytes(_findings_bytes(result))
                result.edited = self._write_ahead(key, staging)
                if any(kept is None for _, kept in result.edited):  # never over a person's work
                    raise PermissionError(errno.EACCES, "stale/ cannot be written", str(folder))
                written = commit_whole(staging)
            except OSError as error:
                staging.discard()
                written = []
                if not any(f.code == "E-RENDER" for f in result.findings):
                    result.findings.append(_unwritable(result, error, folder))
                    with contextlib.suppress(OSError):  # the findings file says why, if it can
                        staging.temp(result.findings_name).write_bytes(_findings_bytes(result))
                        written = staging.commit()
        finally:
            staging.discard()
        if result.status == "ok":
            result.outcome = "built"
            current = self.shelf.current_pdf(key, written)
            result.superseded = set_aside_superseded(self.shelf, key, folder, [*written, *current])
            result.stale, result.kept_edited = self.shelf.retire(key, written, current)
            result.outputs = [*written[:-1], *current, *written[-1:]]
        else:
            result.outcome = "failed"
            if not known:  # the manifest was lost: reports left in the folder look current
                result.unrecorded = self.shelf.set_aside_unrecorded(folder)
            result.stale, result.kept_edited, stuck = self.shelf.mark_stale(key, keep=written)
            result.kept_edited += [target for _, target in result.unrecorded]
            result.outputs = [*stuck, *written]  # (the index page says they are not current)
        _tell_edits(result, self.shelf, earlier)
        self.record(key, result)


def _folders(entry: dict[str, Any], root: Path) -> set[Path]:
    """The folders a build's ``entry`` wrote to: another decision's, once its Reference
    changed."""
    return {(root / output["path"]).parent for output in entry.get("outputs", [])}


def _tell_edits(result: WorkbookResult, shelf: Shelf, earlier: set[Path]) -> None:
    """Every edited output of ``result``'s folder (or of the ``earlier`` folders its last
    build wrote to) moved to ``stale/`` so far is told (the console says where each went):
    not only those a rebuild replaced, but those of a build that failed or no longer makes
    that file, which moved without a word."""
    moves, shelf.moved_edits[:] = list(shelf.moved_edits), []
    told = {output for output, _ in result.edited}
    folders = {*earlier, *([result.folder] if result.folder else [])}
    here = folders | {folder / STALE for folder in folders}
    result.edited += [(o, m) for o, m in moves if o not in told and o.parent in here]
    result.unrecorded_edits = [o for o, _ in result.edited if not shelf.folder.recorded(o)]
    result.kept_edited = list(
        dict.fromkeys([*result.kept_edited, *(m for _, m in result.edited if m)])
    )


def _stage(result: WorkbookResult, staging: Staging, debug: bool) -> None:
    """Run the writers into ``staging``; a writer that fails is E-RENDER, never a crash."""
    assert result.report is not None
    try:
        staging.folder.mkdir(parents=True, exist_ok=True)
        from pipeline.deliver import stage
        from pipeline.person_names import organisations_named

        # A name the plan gives as a line's organisation is never removed as a person's.
        plan = result.report.reconciliation.plan
        with organisations_named(line.organisation for line in plan.lines):
            stage(result.report, staging)
    except Exception as error:  # a broken template, a renderer bug, an unwritable folder
        staging.discard()
        if debug:
            raise
        result.findings.append(_render_failure(result, error, staging.folder))
    finally:
        result.findings.extend(staging.findings)


def _findings_bytes(result: WorkbookResult) -> bytes:
    """The workbook's findings file: its findings as JSON, UTF-8."""
    data = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    return data.encode("utf-8", "backslashreplace")


def _unwritable(result: WorkbookResult, error: OSError, folder: Path) -> Finding:
    return Finding(
        "E-RENDER",
        result.file,
        f"The outputs could not be written: {unwritable_reason(error, folder)}.",
    )


def _render_failure(result: WorkbookResult, error: Exception, folder: Path) -> Finding:
    """E-RENDER for a renderer that failed: the folder's fault, or the template's or ours."""
    if isinstance(error, OSError) and error.errno in FOLDER_ERRORS:
        return _unwritable(result, error, folder)
    from pipeline.docx_template import TemplateError

    if isinstance(error, TemplateError):  # it names the tag or file and what to do in Word
        return Finding("E-RENDER", result.file, f"The Request for Decision was not made: {error}")
    return Finding(
        "E-RENDER",
        result.file,
        f"The outputs could not be written ({type(error).__name__}: {error}). If the Word "
        "template was edited, check the {{ }} fields (pcc-report template-fields names a "
        "broken one); otherwise report this to the maintainers.",
    )


def second_look(
    triaged: list[Read | WorkbookResult], builder: Builder
) -> list[Read | WorkbookResult]:
    """Read again each workbook up to date whose last year's plan may be one read now: a
    plan of the year before, new or changed in this run (put in input/ as last year's plan,
    or a variation of it), may change the comparison, which its fingerprint cannot tell; and
    each whose spend notes were made among other plans (:func:`pipeline.spend.spend_parted`)."""
    read_now = {
        read.reconciliation.decision.year_start.year
        for read in triaged
        if isinstance(read, Read) and read.reconciliation and not has_errors(read.findings)
    }
    # Spend notes made among other plans: a plan of another year, or of theirs, come or gone.
    builder.spend_plans, parted = spend_parted(builder.run.spend, triaged, read_now)
    return [
        builder.read(result.path)
        if isinstance(result, WorkbookResult)
        and (_before(entry_year_start(result.summary), read_now) or result.path in parted)
        else result
        for result in triaged
    ]


def _before(year: int | None, years: set[int]) -> bool:
    """Whether a plan of ``year`` has a plan of the year before among ``years``."""
    return year is not None and year - 1 in years
