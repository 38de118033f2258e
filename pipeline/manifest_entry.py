"""The manifest's entry for one workbook: what was built from what.

Two moments write it. Before outputs are moved into place, :func:`pending` records their
SHA-256 (the write-ahead), so that a run killed half-way (even by SIGKILL) leaves a manifest
that knows every file it wrote: the next run rebuilds the workbook ("interrupted") and never
takes the tool's own file for one a person edited. Once a workbook is done,
:func:`built_entry` is its whole record: where the workbook is, its fingerprint, the outputs,
what is in ``stale/``, last year's plan and the strategy it was built with (editing either makes
it out of date), and the figures ``output/index.html`` shows.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath
from typing import Any

from pipeline.dated import findings_until
from pipeline.findings import Severity
from pipeline.inputs import archived, display
from pipeline.manifest import sha256
from pipeline.outputs import OutputFolder
from pipeline.results import WorkbookResult
from pipeline.spend import current_until


def pending(
    folder: OutputFolder,
    where: Path,
    staged: Mapping[str, Path],
    entry: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The write-ahead record of ``staged`` (final name -> temporary file in ``where``),
    after what ``entry`` still holds of an earlier run's that was killed.

    What a killed run moved into place is still the tool's: its record is kept while the file
    is there unchanged, or (the workbook saved again since) this run would take that file for
    a person's edit, and leave a new output of it (a first e-mail) behind a failed build."""
    earlier = [p for p in (entry or {}).get("pending", []) if folder.holds(p)]
    return earlier + [
        {
            "path": (where / name).relative_to(folder.root).as_posix(),
            "sha256": sha256(temp),
            "size": temp.stat().st_size,
        }
        for name, temp in staged.items()
    ]


def kept_copies(folder: OutputFolder, edited: Sequence[tuple[Path, Path | None]]) -> list[str]:
    """Where the edited outputs of ``edited`` (output, its copy or None) were kept, as the
    manifest's ``edited`` records them."""
    return folder.relative([copy for _, copy in edited if copy])


def stale_hashes(folder: OutputFolder, key: str, stale: Sequence[Path]) -> dict[str, str]:
    """The SHA-256 of each copy in ``stale/`` as the tool set it aside (kept from ``key``'s
    entry for a copy recorded before), so that a person's edit of one is never deleted."""
    before = folder.manifest.entries.get(key, {}).get("stale_sha256")
    before = before if isinstance(before, dict) else {}
    return {
        relative: before.get(relative) or sha256(path)
        for relative, path in zip(folder.relative(stale), stale, strict=True)
    }


def built_entry(
    key: str,
    result: WorkbookResult,
    folder: OutputFolder,
    fingerprint: Mapping[str, Any],
    sent: list[Any],
) -> dict[str, Any]:
    """The manifest entry of ``result``, built or failed, keeping ``sent`` (send's log)."""
    where = Path(os.path.abspath(result.path))
    report = result.report
    strategy = report.strategy if report else None
    return {
        "input": key,
        # Where the workbook is, so that send (from any folder) can check it is unchanged:
        # absolute, and relative to the output folder (for a folder moved as a whole).
        "workbook_path": str(where),
        "workbook_from_output": _relative_to(where, folder.root),
        **fingerprint,
        # A position that left out payments dated after the day of the build: current until
        # the earliest of their dates comes.
        **current_until(report.position if report else None),
        # The first day one of its findings no longer holds (a deferral lifted, an award date
        # come): current until then too.
        **findings_until(report),
        "status": result.status,
        "reference": result.reference,
        # For output/index.html, which is drawn from the manifest alone.
        "subject": report.decision.subject if report else result.subject,
        "financial_year": report.decision.financial_year if report else result.financial_year,
        "outputs": folder.outputs_record(result.outputs),
        "stale": folder.relative(result.stale),
        "stale_sha256": stale_hashes(folder, key, result.stale),
        "edited": folder.relative(result.kept_edited),
        "previous": (
            {"input": display(result.previous), "sha256": sha256(result.previous)}
            if result.previous
            else None
        ),
        "strategy": {"input": str(strategy), "sha256": sha256(strategy)} if strategy else None,
        "funds": result.funds_json(),
        "counts": {s.value: result.count(s) for s in Severity},
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sent": sent,
    }


RETIRED = "retired"  # the status of a workbook that is no longer there


HERE, ARCHIVED, GONE = "here", "archived", "gone"  # where a built workbook is now


def workbook_place(key: str, entry: Mapping[str, Any], root: Path) -> str | None:
    """Where the workbook ``entry`` records is now: HERE (at its path, or where it was beside
    the output folder: a shared drive seen from another machine, or, for an entry from before
    those were kept, at ``key`` from here); ARCHIVED (put away in ``archive/`` beside it, as
    the README says last year's plan goes for the comparison); or GONE (deleted, moved or
    renamed). None when it cannot be told: a path recorded on another system, a workbook that
    cannot be looked at (no permission, a share gone away). Never retire on a doubt."""
    recorded = [
        (name, where)
        for name in ("workbook_path", "workbook_from_output")
        if isinstance(where := entry.get(name), str) and where
    ]
    # A path a build on Windows recorded cannot be looked for from Linux, nor the reverse.
    usable = [(name, where) for name, where in recorded if not _of_the_other_system(where)]
    if recorded and not usable:
        return None
    places = [
        Path(where) if name == "workbook_path" else root / where for name, where in usable
    ] or [Path(key)]
    for found, candidates in ((HERE, places), (ARCHIVED, [archived(p) for p in places])):
        for place in candidates:
            try:
                if stat.S_ISREG(place.stat().st_mode):
                    return found
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError:
                return None
    return GONE


def workbook_gone(key: str, entry: Mapping[str, Any], root: Path) -> bool:
    """Whether the workbook ``entry`` records was deleted, moved or renamed since its build
    (not merely put away in ``archive/``: those outputs are the record of that decision)."""
    return entry.get("status") != RETIRED and workbook_place(key, entry, root) == GONE


def archive_marks(entries: Mapping[str, Mapping[str, Any]], root: Path) -> dict[str, bool]:
    """The entries whose ``archived`` mark is out of step with where their workbook is now,
    each with the mark it should have: the index page says "Archived" from the mark, so a
    rerun with nothing else to do still records (and redraws) a workbook put away or back."""
    return {
        key: now
        for key, entry in entries.items()
        if entry.get("status") != RETIRED
        and (now := workbook_place(key, entry, root) == ARCHIVED) != bool(entry.get(ARCHIVED))
    }


def anything_moved(entries: Mapping[str, Mapping[str, Any]], root: Path) -> bool:
    """Whether any workbook the manifest records is gone (:func:`workbook_gone`) or was put
    away in ``archive/`` or back (:func:`archive_marks`): what a rerun with nothing else to do
    asks, answered with one look at each workbook, and the first answer found."""
    for key, entry in entries.items():
        if entry.get("status") == RETIRED:
            continue
        place = workbook_place(key, entry, root)
        if place == GONE or (place == ARCHIVED) != bool(entry.get(ARCHIVED)):
            return True
    return False


def _of_the_other_system(path: str) -> bool:
    """Whether ``path`` was written by a build on another system than this one: a drive or
    server (``C:\\``, ``\\\\server\\``) seen from Linux, an absolute ``/…`` seen from Windows."""
    if os.name == "nt":
        return path.startswith("/")
    return bool(PureWindowsPath(path).drive)


def retired_entry(
    entry: Mapping[str, Any],
    folder: OutputFolder,
    stale: list[Path],
    edited: list[Path],
    stuck: list[Path],
) -> dict[str, Any]:
    """``entry`` once its workbook is gone and its outputs are in ``stale/``: what was set
    aside, what could not be moved (still the tool's), and when (the rest stays, for the
    index page and the audit)."""
    return {
        **entry,
        "status": RETIRED,
        "outputs": folder.outputs_record(stuck),
        "pending": [],
        "stale": folder.relative(stale),
        "stale_sha256": stale_hashes(folder, entry.get("input", ""), stale),
        "edited": folder.relative(edited),
        "retired_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _relative_to(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` (``../input/plan.xlsx``), or absolute when it cannot be
    (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:
        return str(path)
