"""Stage 4: ``build``, a folder of workbooks -> the outputs on disk.

The orchestration only; each step is its own module:

1. :mod:`pipeline.freshness` says which workbooks are up to date from the manifest and their
   hashes, before any reader or writer is imported: a no-op rerun opens no workbook and
   imports neither (``tests/test_imports.py``);
2. :mod:`pipeline.inputs` finds the workbooks and reads the others (load + reconcile),
   retrying a file still being copied;
3. :mod:`pipeline.assemble` applies the run-wide rule E-DUPLICATE-REF, finds last year's plan
   (:mod:`pipeline.previous`) and puts each workbook's parts together into one frozen
   :class:`Report` (``check`` stops there and writes nothing);
4. :mod:`pipeline.deliver` runs the output writers on it (Word, Excel, PDF, e-mail; add an
   output there), :mod:`pipeline.outputs` keeps the output folder (stale/, retire, log) and
   :mod:`pipeline.manifest` records what was built from what.

What makes it safe on a shared office machine:

* **isolation** — each workbook is loaded, reconciled and rendered on its own; one bad file
  gets its findings and never stops the others;
* **atomicity** — every output is written to a temporary file in its folder and moved into
  place with ``os.replace``; a workbook that fails keeps no new files, and its earlier outputs
  are moved into a ``stale/`` folder so nobody sends an out-of-date report;
* **one run at a time** — a lock file in the output folder; a second run that has anything to
  write waits for the first (one with everything up to date writes nothing and needs no turn);
* **incremental and auditable** — ``manifest.json`` records, per input, its SHA-256, the
  outputs and their SHA-256, the tool and template versions; an unchanged input is not even
  opened on the next run;
* **hostile folders** — a build that is stopped (Ctrl-C, SIGTERM, a kill) leaves nothing
  half-written that the next run does not sweep away; files in the output folder that the
  tool did not write are never deleted or moved; a damaged or hand-edited manifest is read as
  "rebuild", never as a licence to touch files outside the output folder; two workbooks never
  write to one report folder silently (E-DUPLICATE-REF).

Progress reaches the caller as typed events (:class:`Waiting`, :class:`Finished`); the words a
person reads are chosen by ``cli``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import TEMPLATE_DIR, stale
from pipeline.assemble import reports
from pipeline.config import Config
from pipeline.findings import Finding, has_errors
from pipeline.freshness import Freshness
from pipeline.inputs import Read, discover, display, read_workbook, signature
from pipeline.manifest import MANIFEST
from pipeline.manifest_entry import built_entry, pending
from pipeline.outputs import (
    FOLDER_ERRORS,
    INDEX,
    LOCK,
    FolderRefused,
    OutputFolder,
    commit_whole,
    findings_name,
    folder_name,
    leftovers,
    sweep_temporaries,
    unwritable_reason,
    write_log,
)
from pipeline.results import Event as Event
from pipeline.results import Finished as Finished
from pipeline.results import Progress as Progress
from pipeline.results import Waiting as Waiting
from pipeline.results import WorkbookResult as WorkbookResult
from pipeline.spend import Spend, spend_paths
from pipeline.stale import Shelf

if TYPE_CHECKING:  # the writers are imported where a workbook is built: a no-op rerun needs none
    from pipeline.deliver import Staging

TEMPLATE = TEMPLATE_DIR / "request-for-decision.docx"
LOCK_WAIT_SECONDS = 600


class BatchBusy(RuntimeError):
    """Another run kept the output folder locked for longer than we are willing to wait."""


class OutputUnwritable(RuntimeError):
    """The output folder cannot be made or written to (read-only, a file in the way, no space)."""


# -- build ------------------------------------------------------------------------------------


class _Builder:
    """Builds one workbook at a time into the output folder and keeps its manifest entry."""

    def __init__(self, out: Path, config: Config, template: Path, force: bool, spend: Spend):
        self.folder = OutputFolder(out)
        self.shelf = Shelf(self.folder)
        self.manifest = self.folder.manifest
        self.config = config
        self.template = template
        self.fresh = Freshness(self.folder, config, template, force, spend.fingerprint())
        self.fingerprints: dict[str, dict[str, Any]] = {}

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

    def triage(self, path: Path, debug: bool) -> Read | WorkbookResult:
        """The workbook read, or its result "up to date" from the manifest."""
        before = signature(path)
        current, fingerprint = self.current(path)
        if current is not None:
            return current
        key = self.fresh.key_of(path)
        outcome = read_workbook(path, self.config, debug)
        if signature(path) != before:  # replaced since it was hashed: hash it again
            fingerprint = self.fresh.fingerprint(path)
        if fingerprint and outcome.sha256:
            # The hash of the very bytes that were read (a save since then is a change).
            fingerprint = {**fingerprint, "sha256": outcome.sha256}
        self.fingerprints[key] = fingerprint
        return outcome

    # -- writing ----------------------------------------------------------------------------
    def record(self, key: str, result: WorkbookResult) -> None:
        where = Path(os.path.abspath(result.path))
        for other in [k for k, e in self.manifest.entries.items() if k != key]:
            if self.manifest.entries[other].get("workbook_path") == str(where):
                del self.manifest.entries[other]  # one workbook, one entry
        sent = self.manifest.entries.get(key, {}).get("sent", [])  # pcc-report send's log
        fingerprint = self.fingerprints.get(key, {})
        self.manifest.entries[key] = built_entry(key, result, self.folder, fingerprint, sent)

    def _write_ahead(self, key: str, staging: Staging) -> None:
        """Record what is about to be moved into place before moving it (see
        :func:`pipeline.manifest_entry.pending`), and write the manifest."""
        entry = self.manifest.entries.setdefault(key, {"input": key, "sent": []})
        entry["status"] = "interrupted"
        entry["pending"] = pending(self.folder, staging.folder, staging.staged)
        self.manifest.write()

    def key(self, result: WorkbookResult) -> str:
        return self.fresh.keys.get(result.file, result.file)

    def build_one(self, result: WorkbookResult, debug: bool = False) -> None:
        """Render an error-free workbook, write its findings, set earlier outputs aside or
        retire them, and record it. A folder that cannot be written costs this workbook only.

        An output a person edited is never overwritten or deleted: it is moved to ``stale/``
        under a name saying it was edited, and ``result.edited`` says where it went."""
        key = self.key(result)
        known = key in self.manifest.entries
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

        staging = Staging(folder, result.file, self.config, self.template)
        try:
            if result.status == "ok":
                self._stage(result, staging, debug)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                staging.temp(result.findings_name).write_bytes(_findings_bytes(result))
                self._write_ahead(key, staging)
                result.edited = self.shelf.protect([folder / n for n in staging.staged])
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
            result.stale, result.kept_edited = self.shelf.retire(key, written, current)
            result.outputs = [*written[:-1], *current, *written[-1:]]
        else:
            result.outcome = "failed"
            if not known:  # the manifest was lost: reports left in the folder look current
                result.unrecorded = self.shelf.set_aside_unrecorded(folder)
            result.stale, result.kept_edited, stuck = self.shelf.mark_stale(key, keep=written)
            result.kept_edited += [target for _, target in result.unrecorded]
            result.outputs = [*stuck, *written]  # (the index page says they are not current)
        result.kept_edited = list(
            dict.fromkeys([*result.kept_edited, *(m for _, m in result.edited if m)])
        )
        self.record(key, result)

    def _stage(self, result: WorkbookResult, staging: Staging, debug: bool) -> None:
        assert result.report is not None
        try:
            staging.folder.mkdir(parents=True, exist_ok=True)
            from pipeline.deliver import stage

            stage(result.report, staging)
        except Exception as error:  # a broken template, a renderer bug, an unwritable folder
            staging.discard()
            if debug:
                raise
            result.findings.append(_render_failure(result, error, staging.folder))
        finally:
            result.findings.extend(staging.findings)


def _retired_note(key: str, moved: Sequence[Path]) -> Finding:
    where = ", ".join(sorted({f"{display(p.parent)}/" for p in moved}))
    outputs = (
        f"the outputs built from it were moved to {where} so that none is taken for current"
        if moved
        else "none of the outputs built from it was left to set aside"
    )
    return Finding(
        "I-RETIRED",
        key,
        f"{key} is no longer there (deleted, moved or renamed): {outputs}. To build it again, "
        "put it back in the input folder.",
    )


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


def assign_findings_names(results: Sequence[WorkbookResult], claimed: set[str]) -> None:
    """Give a workbook that shares its report folder a findings file of its own.

    The folder belongs to its decision reference: the one workbook carrying it writes
    ``findings.json``. A workbook without a reference (unreadable) whose file name lands in
    a decision's folder (``claimed`` by an earlier build of another), or several that share one
    (E-DUPLICATE-REF), each write ``findings-<file name>.json`` instead, so none overwrites
    another's.
    """
    claims: dict[str, list[WorkbookResult]] = {}
    for result in results:
        claims.setdefault(folder_name(result.reference, result.path), []).append(result)
    for name, group in claims.items():
        referenced = [r for r in group if r.reference]
        owner: WorkbookResult | None = None
        if len(referenced) == 1:
            owner = referenced[0]
        elif not referenced and len(group) == 1 and name not in claimed:
            owner = group[0]
        for result in group:
            if result is not owner:
                result.findings_name = findings_name(result.path)
        alike = Counter(result.findings_name for result in group)
        for result in group:
            if alike[result.findings_name] > 1:
                result.findings_name = findings_name(result.path, distinct=True)


def build(
    paths: Sequence[Path],
    out: Path,
    config: Config,
    *,
    force: bool = False,
    template: Path | None = None,
    progress: Progress | None = None,
    debug: bool = False,
    previous: Path | None = None,
    spend: Sequence[Path] = (),
    as_at: date | None = None,
) -> tuple[list[WorkbookResult], list[Finding]]:
    """Build every workbook under ``paths`` into ``out``; see the module docstring.

    ``spend`` names spend files or folders (default: each folder's ``spend/``); ``as_at`` the
    date of the positions (default: the latest payment).

    Raises :class:`BatchBusy` when another run keeps ``out`` locked too long, and
    :class:`OutputUnwritable` when ``out`` cannot be made or written to.
    """
    say = progress or (lambda _event: None)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out))
    except OSError as error:
        raise _unusable(out, error) from error
    ledger = Spend(spend_paths(paths, spend), as_at)
    template = template or TEMPLATE
    if not force:
        unchanged = _unchanged(paths, out, config, template, say, previous, ledger)
        if unchanged is not None:
            return unchanged

    from filelock import FileLock, Timeout  # only when something is to be written

    lock = FileLock(str(out / LOCK))  # msvcrt on Windows, fcntl elsewhere
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            say(Waiting(out))
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
    except Timeout as error:  # (a TimeoutError, so an OSError: caught first)
        raise BatchBusy(
            f"Another build (or pcc-report send) has kept {out}/ busy for "
            f"{LOCK_WAIT_SECONDS // 60} minutes. Wait for it to finish, or ask whoever started "
            "it. There is no lock file to delete: a build that was stopped or crashed frees "
            "the folder by itself."
        ) from error
    except OSError as error:
        raise _unusable(out, error) from error
    try:
        return _build_locked(paths, out, config, force, template, say, debug, previous, ledger)
    finally:
        lock.release()


def _unusable(out: Path, error: OSError) -> OutputUnwritable:
    return OutputUnwritable(
        f"The output folder cannot be used: {unwritable_reason(error, out)}. Or choose "
        "another folder with --out DIR."
    )


def _unchanged(
    paths: Sequence[Path],
    out: Path,
    config: Config,
    template: Path,
    say: Progress,
    previous: Path | None,
    spend: Spend,
) -> tuple[list[WorkbookResult], list[Finding]] | None:
    """The run's results when every workbook is up to date and nothing is to be written (no
    output edited, no clash, the index page there), judged before taking the lock; None when
    anything is to be done, and the build then waits for the lock and judges again.

    Safe without the lock: the manifest is only ever replaced whole, and a build that is
    writing marks its workbook "interrupted" there before it moves a file into place, which is
    not up to date. A no-op rerun so only hashes and reads the manifest: it neither imports
    the lock nor waits for another build (issue 21).
    """
    builder = _Builder(out, config, template, False, spend)
    workbooks, notes = discover(paths)
    current = [builder.current(path)[0] for path in workbooks]
    if not current or not (out / INDEX).is_file():
        return None
    if stale.moved(builder.shelf):
        return None
    if any(result is None or result.edited for result in current):
        return None
    results = reports(paths, workbooks, [r for r in current if r], config, previous, spend)
    if any(has_errors(result.findings) for result in results):  # now clashes with another
        return None
    for result in results:
        say(Finished(result))
    if leftovers(out):  # a run killed since the last build left its temporary files
        _sweep_when_free(out)
    write_log(out, [f"{r.outcome:<10} {r.status:<10} {r.file}" for r in results])
    return results, notes


def _sweep_when_free(out: Path) -> None:
    """Sweep away a killed run's temporary files, if no other run is writing to ``out`` right
    now (its own are then there too, and the next run to take the lock sweeps); never waits."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(out / LOCK))
    try:
        lock.acquire(timeout=0)
    except (Timeout, OSError):
        return  # another run holds the folder (or it cannot be locked): not now
    try:
        sweep_temporaries(out)
    finally:
        lock.release()


def _build_locked(
    paths: Sequence[Path],
    out: Path,
    config: Config,
    force: bool,
    template: Path,
    say: Progress,
    debug: bool,
    previous: Path | None,
    spend: Spend,
) -> tuple[list[WorkbookResult], list[Finding]]:
    sweep_temporaries(out)
    builder = _Builder(out, config, template, force, spend)
    retired = [_retired_note(key, moved) for key, moved in stale.retire_gone(builder.shelf)]
    archived = stale.record_archive_moves(builder.shelf)
    # Recorded, and the page redrawn, at once: a run stopped later leaves both right.
    if retired or archived:
        builder.manifest.write()
        _draw_index(out, builder.fresh.recipe)
    workbooks, notes = discover(paths)
    notes = [*retired, *notes]
    triaged = [builder.triage(path, debug) for path in workbooks]
    results = reports(paths, workbooks, triaged, config, previous, spend)
    assign_findings_names(
        results, builder.folder.claimed_folders({builder.key(r) for r in results})
    )

    finished = False
    try:
        for result in results:
            # An unchanged workbook is skipped, unless it now clashes with another's reference.
            if not (result.outcome == "up to date" and not has_errors(result.findings)):
                builder.build_one(result, debug)
            say(Finished(result))
        finished = True
    finally:
        # Also when stopped half-way (Ctrl-C, SIGTERM): what was built is recorded, and the
        # workbook being built when it stopped is marked for rebuilding.
        try:
            builder.manifest.write()
        except OSError as error:
            if finished:
                raise OutputUnwritable(
                    f"The outputs were written but {out / MANIFEST} could not be: "
                    f"{unwritable_reason(error, out)}."
                ) from error
    write_log(out, [f"{r.outcome:<10} {r.status:<10} {r.file}" for r in results])
    # The page is drawn from the manifest, the findings files and the outputs. A run that
    # built nothing and found no output edited changed none of them, so the page stays as it
    # is: drawing a 10,000-line plan's findings took most of a no-op rerun (issue 21).
    # `pcc-report index` redraws it on demand, e.g. after a workbook outside this run changed.
    changed = retired or archived or any(r.outcome != "up to date" or r.edited for r in results)
    if changed or not (out / INDEX).is_file():
        _draw_index(out, builder.fresh.recipe)
    return results, notes


def _draw_index(out: Path, recipe: dict[str, str]) -> None:
    from pipeline.index_page import write_index

    with contextlib.suppress(OSError):  # the page is a convenience, like the log
        write_index(out, recipe=recipe)
