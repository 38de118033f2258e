"""Earlier outputs: set aside in ``stale/`` after a failed build, retired after a good one.

After a failed build the earlier outputs of a workbook move to ``<reference>/stale/``, so nobody
sends one as current. After a good build, what the last builds left and this one did not make
again is removed. An output a person edited (its bytes are none the tool wrote) is never
deleted: it moves to ``stale/`` under a name saying so (``RfD-015-2021-edited.docx``) and stays
there for good. Nothing is ever moved over another file, through a link, or from outside the
output folder (a tampered manifest must not reach files elsewhere).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.manifest import sha256
from pipeline.manifest_entry import (
    ARCHIVED,
    anything_moved,
    archive_marks,
    retired_entry,
    workbook_gone,
)
from pipeline.outputs import STALE, OutputFolder, inside

# The names of the outputs that are not named by the reference alone: the public summary,
# the Transparency Code files, the 360Giving files and the position workbook.
_PUBLIC_FILES = ("commissioning-summary-", "grants-", "contracts-", "360giving-", "position-")


def edited_name(name: str, number: int = 1) -> str:
    """``RfD-015-2021-edited.docx`` (then ``-edited-2`` ...): an output a person changed."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    tail = "-edited" if number == 1 else f"-edited-{number}"
    return f"{stem}{tail}{dot}{suffix}"


def free_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3`` ... when taken: nothing is replaced."""
    candidate, number = folder / name, 1
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    while os.path.lexists(candidate):
        number += 1
        candidate = folder / f"{stem}-{number}{dot}{suffix}"
    return candidate


def free_edited_path(stale: Path, name: str) -> Path:
    """The first ``edited_name`` not yet taken in ``stale``: an edited copy never replaces
    another (a person may have edited, and we set aside, the same report twice)."""
    number = 1
    while True:
        candidate = stale / edited_name(name, number)
        if not os.path.lexists(candidate):
            return candidate
        number += 1


def _move_into_stale(path: Path, place: Callable[[Path], Path]) -> Path | None:
    """Move ``path`` into the ``stale/`` beside it, to ``place(stale)``. None when it cannot
    be moved: ``stale/`` is a link (planted, it could lead anywhere) or cannot be written."""
    stale = path.parent / STALE
    try:
        if stale.is_symlink():
            return None
        stale.mkdir(exist_ok=True)
        target = place(stale)
        os.replace(path, target)
    except OSError:
        return None
    return target


def _unless_edited(
    path: Path, root: Path, entry: dict[str, Any], told: list[tuple[Path, Path]]
) -> Path | None:
    """Delete the tool's copy ``path`` in ``stale/``, unless a person edited it since it was
    set aside (its SHA-256 is not the one ``entry`` recorded): then it is renamed to say so,
    beside it, never over another file, added to ``told``, and its new place returned."""
    recorded = entry.get("stale_sha256")
    relative = path.relative_to(root).as_posix()
    if not isinstance(recorded, dict) or recorded.get(relative) in (None, sha256(path)):
        path.unlink(missing_ok=True)  # (no hash: recorded by an earlier version, as before)
        return None
    target = free_edited_path(path.parent, path.name)
    try:
        os.replace(path, target)
    except OSError:
        return path  # it stays as it is, and is still a person's
    told.append((path, target))
    return target


def _own_recorded(folder: OutputFolder, key: str) -> list[str]:
    """The outputs ``key``'s entry records (and those a killed build of it moved into place,
    ``pending``), as recorded, relative to the output folder, but for those another entry
    records: a workbook that took ``key``'s decision over and was built first wrote them,
    under the same names. Compared as recorded, with no look at the disk: this runs for each
    workbook built, over every entry."""
    entries = folder.manifest.entries
    taken = {
        output["path"]
        for other, entry in entries.items()
        if other != key
        for output in entry.get("outputs", [])
    }
    entry = entries.get(key, {})
    recorded = [o["path"] for o in (*entry.get("outputs", []), *entry.get("pending", []))]
    return [p for p in dict.fromkeys(recorded) if p not in taken]


class Shelf:
    """The ``stale/`` folders of one output folder, and what its manifest says they hold."""

    def __init__(self, folder: OutputFolder):
        self.folder = folder
        self.root = folder.root
        self.moved_edits: list[tuple[Path, Path]] = []  # (an edited output, its copy) so far

    def _recorded(self, key: str, kind: str) -> list[Path]:
        """The files of ``key``'s manifest entry under ``kind`` ("stale", "edited") that are
        still there, as files, inside the output folder."""
        entry = self.folder.manifest.entries.get(key, {})
        return [
            p
            for p in (self.root / s for s in entry.get(kind, []))
            if inside(self.root, p) and p.is_file() and not p.is_symlink()
        ]

    def recorded_edited(self, key: str) -> list[Path]:
        """The edited copies of ``key``'s outputs kept in ``stale/`` (never deleted by us)."""
        return self._recorded(key, "edited")

    def earlier_outputs(self, key: str, keep: Sequence[Path]) -> Iterator[Path]:
        """The outputs of ``key``'s last build (:func:`_own_recorded`) still there, inside the
        output folder, not in ``keep``."""
        kept = {k.resolve() for k in keep}
        for path in (self.root / p for p in _own_recorded(self.folder, key)):
            if (
                inside(self.root, path)
                and path.resolve() not in kept
                and path.is_file()
                and not path.is_symlink()
            ):
                yield path

    def set_aside_edited(self, path: Path) -> Path | None:
        """Move an output a person edited into ``stale/`` under a name that says so; never
        over another file. None when the folder cannot be written (E-RENDER says so)."""
        if moved := _move_into_stale(path, lambda stale: free_edited_path(stale, path.name)):
            self.moved_edits.append((path, moved))
        return moved

    def _set_aside(self, path: Path) -> Path | None:
        """Move the tool's own earlier output into ``stale/`` (after a failed build): over the
        tool's own earlier copy there, beside anyone else's file."""
        recorded = {
            self.root / s
            for entry in self.folder.manifest.entries.values()
            for s in entry.get("stale", [])
        }

        def place(stale: Path) -> Path:
            target = stale / path.name
            if os.path.lexists(target) and target not in recorded:
                return free_path(stale, path.name)
            return target

        return _move_into_stale(path, place)

    def protect(self, targets: Sequence[Path]) -> list[tuple[Path, Path | None]]:
        """Before outputs are replaced: set aside each of ``targets`` that a person edited.
        Returns (the output, where its edited copy went, or None if it could not be moved)."""
        return [(t, self.set_aside_edited(t)) for t in targets if self.folder.edited(t)]

    def set_aside_unrecorded(self, folder: Path) -> list[tuple[Path, Path]]:
        """After a failed build of a workbook the manifest does not know (it was lost): the
        reports already in its folder, which nothing records, go to ``stale/`` under their own
        names (never over another file), so nobody sends one as current. Returns (the report,
        where it went)."""
        slug = folder.name
        names = {f"RfD-{slug}.docx", f"RfD-{slug}.pdf", f"email-{slug}.eml", f"review-{slug}.docx"}
        moved = []
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            ours = path.name in names or path.name.startswith(_PUBLIC_FILES)
            if not ours or not path.is_file() or path.is_symlink() or not self.folder.edited(path):
                continue  # (a file the manifest records is the tool's, handled as such)
            target = _move_into_stale(path, functools.partial(free_path, name=path.name))
            if target is not None:
                moved.append((path, target))
        return moved

    def mark_stale(
        self, key: str, keep: Sequence[Path] = ()
    ) -> tuple[list[Path], list[Path], list[Path]]:
        """After a failed build: move the earlier outputs of ``key`` aside into ``stale/``,
        except those in ``keep``. Returns what of ``key``'s is now in ``stale/`` (the tool's
        own copies, and the edited ones under names saying so), and the tool's own outputs
        that could not be moved (open in Word on Windows): those stay recorded as the tool's,
        or the next build would take them for a person's edits."""
        stale, edited = self._recorded(key, "stale"), self.recorded_edited(key)
        stuck = []
        for path in self.earlier_outputs(key, keep):
            if self.folder.edited(path):
                if moved := self.set_aside_edited(path):
                    edited.append(moved)
            elif moved := self._set_aside(path):
                stale.append(moved)
            else:
                stuck.append(path)
        return list(dict.fromkeys(stale)), list(dict.fromkeys(edited)), stuck

    def retire(
        self, key: str, keep: Sequence[Path], still_current: Sequence[Path] = ()
    ) -> tuple[list[Path], list[Path]]:
        """After a good build: remove what the last builds of ``key`` left that this one did
        not make again (a PDF, an e-mail, the copies in ``stale/``), apart from
        ``still_current`` (a PDF of the very Word report just rebuilt).

        Only files the tool wrote go: an earlier output or a copy in ``stale/`` is deleted
        only while it has the SHA-256 the tool wrote (one edited by hand is kept for good,
        under a name saying so). Returns what of ``key``'s is left in ``stale/``: (tool
        copies, edited copies)."""
        edited = self.recorded_edited(key)
        for path in self.earlier_outputs(key, [*keep, *still_current]):
            if not self.folder.edited(path):
                path.unlink(missing_ok=True)
            elif moved := self.set_aside_edited(path):
                edited.append(moved)
        stale = self._recorded(key, "stale")
        for path in stale:
            entry = self.folder.manifest.entries[key]
            if moved := _unless_edited(path, self.root, entry, self.moved_edits):
                edited.append(moved)
        for folder in {p.parent for p in stale} | {k.parent / STALE for k in keep}:
            with contextlib.suppress(OSError):  # only an empty one: anyone's files there stay
                folder.rmdir()
        return [], list(dict.fromkeys(edited))

    def current_pdf(self, key: str, written: Sequence[Path]) -> list[Path]:
        """The earlier PDF, when no PDF was made this time and the Word report it was made
        from came out byte for byte the same: it is still current, so it stays."""
        if any(p.suffix == ".pdf" for p in written):
            return []
        recorded = {
            o["path"]: o["sha256"]
            for o in self.folder.manifest.entries.get(key, {}).get("outputs", [])
        }
        for docx in (p for p in written if p.suffix == ".docx" and p.name.startswith("RfD-")):
            pdf = docx.with_suffix(".pdf")
            relative = pdf.relative_to(self.root).as_posix()
            if (
                recorded.get(docx.relative_to(self.root).as_posix()) == sha256(docx)
                and relative in recorded
                and pdf.is_file()
                and sha256(pdf) == recorded[relative]
            ):
                return [pdf]
        return []


def gone(shelf: Shelf) -> list[str]:
    """The manifest's workbooks that were deleted, moved or renamed since their build."""
    entries = shelf.folder.manifest.entries
    return [key for key, entry in entries.items() if workbook_gone(key, entry, shelf.root)]


def archive_moves(shelf: Shelf) -> dict[str, bool]:
    """The workbooks put away in ``archive/`` (True) or back (False) since the manifest said."""
    return archive_marks(shelf.folder.manifest.entries, shelf.root)


def moved(shelf: Shelf) -> bool:
    """Whether any workbook was deleted, renamed or put away since (:func:`gone` or
    :func:`archive_moves` not empty), one look at each: the no-op rerun's question."""
    return anything_moved(shelf.folder.manifest.entries, shelf.root)


def record_archive_moves(shelf: Shelf) -> list[str]:
    """Mark in the manifest each workbook put away in ``archive/`` or back; its outputs stay
    where they are (the caller writes the manifest). Returns the workbooks marked."""
    entries = shelf.folder.manifest.entries
    moves = archive_moves(shelf)
    for key, now in moves.items():
        entry = {k: v for k, v in entries[key].items() if k != ARCHIVED}
        entries[key] = {**entry, ARCHIVED: True} if now else entry
    return list(moves)


RENAMED = "renamed"  # the status of an entry moved to its workbook's new name, to build again


def follow_renames(shelf: Shelf, workbooks: Sequence[Path]) -> list[tuple[str, str]]:
    """Move the manifest entry of each workbook renamed since its build to its new name: the
    old name is gone and one of ``workbooks`` (this run's, new to the manifest) has the very
    bytes the entry records. The entry keeps its outputs (so they are the tool's own, rebuilt
    in place rather than set aside in ``stale/`` as a removed workbook's are) and what was
    sent; it is marked to be built again, as the outputs name the workbook. A "FINAL" added
    to a file's name is the commonest change a plan sees. Returns (old name, new name)
    pairs; the caller writes the manifest."""
    from pipeline.inputs import display  # (here: the no-op path never gets this far)

    entries = shelf.folder.manifest.entries
    leaving = gone(shelf)
    newcomers: dict[str, list[Path]] = {}
    for workbook in workbooks if leaving else ():
        if display(workbook) not in entries:
            with contextlib.suppress(OSError):  # unreadable: the build says so
                newcomers.setdefault(sha256(workbook), []).append(workbook)
    renamed = []
    for key in leaving:
        same = newcomers.get(str(entries[key].get("sha256")), [])
        if len(same) != 1:
            continue  # none, or copies under two names: which one is it? Retired instead
        workbook = same.pop()  # claimed: no second gone name takes it
        new_key = display(workbook)
        entry = {k: v for k, v in entries.pop(key).items() if k != "workbook_from_output"}
        entries[new_key] = {
            **entry,
            "input": new_key,
            "workbook_path": os.path.abspath(workbook),
            "status": RENAMED,
        }
        renamed.append((key, new_key))
    return renamed


def set_aside_superseded(
    shelf: Shelf, key: str, folder: Path, keep: Sequence[Path]
) -> tuple[Path, ...]:
    """After a good build of ``key`` into ``folder``: its reports in another folder are of
    the decision the workbook held before (saved over with the next one, its Reference
    changed), that decision's record, not leftovers to delete. They go to the ``stale/`` of
    their folder, never over another file, and nothing records them after (nor the copies a
    failed build set aside there meanwhile, nor the edited copies kept there before): kept for
    good, listed by the index page as set aside, and none passes for current. An edited one
    is left to :meth:`Shelf.retire` (kept under a name saying so). Returns where they are."""
    here = {folder.resolve(), (folder / STALE).resolve()}
    moved = []
    for path in shelf.earlier_outputs(key, keep):
        if path.parent.resolve() not in here and not shelf.folder.edited(path):
            target = _move_into_stale(path, functools.partial(free_path, name=path.name))
            moved += [target] if target is not None else []
    entry = shelf.folder.manifest.entries.get(key, {})
    for kind in ("stale", "edited"):  # the edited ones are that decision's record too
        recorded = entry.get(kind, [])
        if isinstance(recorded, list):
            elsewhere = [s for s in recorded if (shelf.root / s).parent.resolve() not in here]
            entry[kind] = [s for s in recorded if s not in elsewhere]
            moved += [shelf.root / s for s in elsewhere if (shelf.root / s).is_file()]
    return tuple(moved)


def retire_gone(shelf: Shelf) -> list[tuple[str, list[Path]]]:
    """Set aside in ``stale/`` the outputs of every workbook that is no longer there, so that
    none passes for current (in the folder or on the index page); its manifest entry stays,
    "retired" (the caller writes the manifest). An output another workbook's entry records (a
    renamed copy built since) is that one's and stays; edited copies are kept, as always.
    Returns each workbook retired, with what of it is now in ``stale/``."""
    entries = shelf.folder.manifest.entries
    leaving = gone(shelf)
    live = [
        shelf.root / output["path"]
        for key, entry in entries.items()
        if key not in leaving
        for output in entry.get("outputs", [])
    ]
    retired = []
    for key in leaving:
        stale, edited, stuck = shelf.mark_stale(key, keep=live)
        entries[key] = retired_entry(entries[key], shelf.folder, stale, edited, stuck)
        retired.append((key, [*stale, *edited]))
    return retired
