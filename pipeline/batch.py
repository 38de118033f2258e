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
4. :mod:`pipeline.builder` builds each workbook: :mod:`pipeline.deliver` runs the output
   writers on its Report (Word, Excel, PDF, e-mail; add an output there),
   :mod:`pipeline.outputs` keeps the output folder (stale/, retire, log) and
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

import errno
import os
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pipeline import TEMPLATE_DIR, stale
from pipeline.assemble import reports
from pipeline.builder import Builder, Run, second_look
from pipeline.config import Config
from pipeline.findings import Finding, has_errors
from pipeline.inputs import discover, display
from pipeline.manifest import MANIFEST
from pipeline.outputs import (
    INDEX,
    LOCK,
    findings_name,
    folder_name,
    leftovers,
    own_file_blocked,
    sweep_temporaries,
    unwritable_reason,
    write_log,
)
from pipeline.page_edits import kept_note
from pipeline.results import Event as Event
from pipeline.results import Finished as Finished
from pipeline.results import Progress as Progress
from pipeline.results import Waiting as Waiting
from pipeline.results import WorkbookResult as WorkbookResult
from pipeline.spend import Spend, spend_parted, spend_paths

TEMPLATE = TEMPLATE_DIR / "request-for-decision.docx"
LOCK_WAIT_SECONDS = 600


class BatchBusy(RuntimeError):
    """Another run kept the output folder locked for longer than we are willing to wait."""


class OutputUnwritable(RuntimeError):
    """The output folder cannot be made or written to (read-only, a file in the way, no space)."""


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


def _renamed_note(old: str, new: str) -> Finding:
    return Finding(
        "I-RENAMED",
        new,
        f"{new} is {old} renamed (the same workbook, byte for byte): the outputs built from "
        "it stay its own and are built again under its new name, not set aside as a removed "
        "workbook's.",
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


def folders_held_elsewhere(results: Sequence[WorkbookResult], builder: Builder) -> None:
    """E-DUPLICATE-REF for a workbook whose report folder holds the report of a workbook
    outside this run, built earlier and still there: a copy saved as "plan v2.xlsx" (same
    reference) and built on its own (``pcc-report build "input/plan v2.xlsx"``) overwrote that
    report without a word, and that plan's next build called its own outputs edited. A plan
    put away in archive/ or taken out of its folder gives its report folder up."""
    from pipeline.manifest_entry import HERE, RETIRED, workbook_place

    root = builder.folder.root
    in_run = {builder.key(r) for r in results} | {os.path.abspath(r.path) for r in results}
    held: dict[str, tuple[str, str]] = {}  # report folder -> (workbook, its reference)
    for key, entry in builder.manifest.entries.items():
        reference = entry.get("reference")
        if (
            key in in_run
            or entry.get("workbook_path") in in_run
            or not isinstance(reference, str)
            or not reference
            or entry.get("status") == RETIRED
        ):
            continue
        if workbook_place(key, entry, root) == HERE:
            held.setdefault(folder_name(reference, Path(key)), (key, reference))
    for result in results:
        folder = folder_name(result.reference, result.path)
        if not result.reference or folder not in held:
            continue
        if any(f.code == "E-DUPLICATE-REF" for f in result.findings):
            continue  # (a clash inside the run is said already)
        other, reference = held[folder]
        result.findings_name = findings_name(result.path)  # findings.json is the other's
        at = result.report.plan.decision.at if result.report else None
        result.findings.append(
            Finding(
                "E-DUPLICATE-REF",
                result.file,
                f"Decision reference {result.reference} would use the report folder "
                f"{folder}/, which holds the report of {reference} built from {other}; "
                "building this workbook would overwrite it. Each decision needs its own "
                f"reference: correct the reference or, if this workbook replaces {other}, "
                f"take {other} out of its folder (archive/ keeps it) and run again. This "
                f"workbook was not built; the outputs of {other} are left as they are.",
                at.sheet if at else "Decision",
                at.cell("reference") if at else "",
            )
        )


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
    blocked = own_file_blocked(out)
    if blocked:
        raise OutputUnwritable(
            f"The output folder cannot be used: {blocked}. Or choose another folder with --out DIR."
        )
    ledger = Spend(spend_paths(paths, spend), as_at)
    run = Run(paths, out, config, template or TEMPLATE, ledger, previous, force, debug)
    if not force:
        unchanged = _unchanged(run, say)
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
        return _build_locked(run, say)
    finally:
        lock.release()


def _unusable(out: Path, error: OSError) -> OutputUnwritable:
    return OutputUnwritable(
        f"The output folder cannot be used: {unwritable_reason(error, out)}. Or choose "
        "another folder with --out DIR."
    )


def _unchanged(run: Run, say: Progress) -> tuple[list[WorkbookResult], list[Finding]] | None:
    """The run's results when every workbook is up to date and nothing is to be written (no
    output edited, no clash, the index page there), judged before taking the lock; None when
    anything is to be done, and the build then waits for the lock and judges again.

    Safe without the lock: the manifest is only ever replaced whole, and a build that is
    writing marks its workbook "interrupted" there before it moves a file into place, which is
    not up to date. A no-op rerun so only hashes and reads the manifest: it neither imports
    the lock nor waits for another build (issue 21).
    """
    builder = Builder(run)
    workbooks, notes = discover(run.paths)
    current = [builder.current(path)[0] for path in workbooks]
    if not current or not (run.out / INDEX).is_file():
        return None
    if stale.moved(builder.shelf):
        return None
    if any(result is None or result.edited for result in current):
        return None
    if spend_parted(run.spend, [r for r in current if r], ())[1]:  # other plans come or gone
        return None
    results = reports(
        run.paths, workbooks, [r for r in current if r], run.config, run.previous, run.spend
    )
    if any(has_errors(result.findings) for result in results):  # now clashes with another
        return None
    for result in results:
        say(Finished(result))
    if leftovers(run.out):  # a run killed since the last build left its temporary files
        _sweep_when_free(run.out)
    write_log(run.out, [f"{r.outcome:<10} {r.status:<10} {r.file}" for r in results])
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


def _build_locked(run: Run, say: Progress) -> tuple[list[WorkbookResult], list[Finding]]:
    out = run.out
    sweep_temporaries(out)
    builder = Builder(run)
    workbooks, notes = discover(run.paths)
    renamed = [_renamed_note(*names) for names in stale.follow_renames(builder.shelf, workbooks)]
    retired = [_retired_note(key, moved) for key, moved in stale.retire_gone(builder.shelf)]
    archived = stale.record_archive_moves(builder.shelf)
    # Recorded, and the page redrawn, at once: a run stopped later leaves both right.
    kept: list[Finding] = []
    if renamed or retired or archived:
        builder.manifest.write()
        kept += _draw_index(out, builder.fresh.recipe)
    notes = [*renamed, *retired, *notes]
    triaged = second_look([builder.triage(path) for path in workbooks], builder)
    results = reports(run.paths, workbooks, triaged, run.config, run.previous, run.spend)
    folders_held_elsewhere(results, builder)
    assign_findings_names(
        results, builder.folder.claimed_folders({builder.key(r) for r in results})
    )

    finished = False
    try:
        for result in results:
            # An unchanged workbook is skipped, unless it now clashes with another's reference.
            if not (result.outcome == "up to date" and not has_errors(result.findings)):
                builder.build_one(result)
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
        kept += _draw_index(out, builder.fresh.recipe)
    return results, [*notes, *kept]


def _draw_index(out: Path, recipe: dict[str, str]) -> list[Finding]:
    """Draw the index page; an I-PAGE-KEPT note when a person's edited page was kept first."""
    from pipeline.index_page import write_index

    try:
        drawn = write_index(out, recipe=recipe)
    except OSError:
        return []  # the page is a convenience, like the log
    return [] if drawn.kept is None else [kept_note(drawn.page, drawn.kept)]
