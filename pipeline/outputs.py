"""The output folder: its layout, its lock and log, and what happens to earlier outputs.

Layout (README "Outputs")::

    output/
      manifest.json            what was built from what (pipeline/manifest.py)
      pcc-report.log           one line per workbook per run
      .pcc-report.lock         one run at a time
      <reference>/             e.g. 015-2021/: the workbook's outputs and findings.json
        stale/                 earlier outputs set aside: after a failed build, or edited by hand

Only files the tool wrote are ever moved or deleted, and only inside the output folder: a
manifest entry is checked before it is trusted, a link in the way is refused, and an output a
person edited is set aside in ``stale/``, never deleted.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.inputs import display
from pipeline.manifest import Manifest, sha256
from pipeline.textsafe import for_log
from pipeline.values import slugify

LOCK = ".pcc-report.lock"
LOG = "pcc-report.log"
FINDINGS = "findings.json"
INDEX = "index.html"  # the folder at a glance (pipeline.index_page)
STALE = "stale"
# What temp_beside (mkstemp) and pdf.py (mkdtemp) name their temporary files and folders: a
# run that was killed leaves these, and only these, for the next run to sweep away.
_TEMPORARY = re.compile(r"\.tmp-(?:pdf-)?[a-z0-9_]{8}(?:-.+)?")

# The errors that mean "this folder cannot be written", said as such (not as a bug).
FOLDER_ERRORS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EEXIST,
    errno.ENOTDIR,
}


class FolderRefused(Exception):
    """A report folder that leads outside the output folder (a link someone put there)."""


def inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links followed, is inside the (resolved) folder ``root``."""
    return root in path.resolve().parents


def unwritable_reason(error: OSError, where: Path) -> str:
    """What went wrong writing to ``where``, and the fix, in a finance officer's words."""
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        blocker = Path(error.filename) if error.filename else where
        while not blocker.exists() and blocker != blocker.parent:  # afile/sub: afile is the file
            blocker = blocker.parent
        return (
            f"{display(blocker)} is a file where pcc-report needs a folder; rename or move "
            "that file (pcc-report did not write it), then run again"
        )
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {display(where)}/ is full; free some space, then run again"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"pcc-report may not write to {display(where)}/ ({error.strerror}); ask for "
            "write access to that folder, then run again"
        )
    return (
        f"writing to {display(where)}/ failed ({error.strerror or error}); check the "
        "folder (and, on a network drive, the connection), then run again"
    )


def sweep_temporaries(out: Path) -> None:
    """Remove what a killed run left half-written: its ``.tmp-`` files and folders.

    Runs under the lock, so no live run is writing them. Only names in the tool's own
    ``.tmp-xxxxxxxx-`` pattern, in the output folder, its report folders and their ``stale/``.
    """
    folders = [out]
    for folder in (out, *[f for f in out.iterdir() if f.is_dir() and not f.is_symlink()]):
        folders.append(folder)
        stale = folder / STALE
        if folder is not out and stale.is_dir() and not stale.is_symlink():
            folders.append(stale)
    for folder in dict.fromkeys(folders):
        try:
            leftovers = [e for e in folder.iterdir() if _TEMPORARY.fullmatch(e.name)]
        except OSError:
            continue
        for leftover in leftovers:
            try:
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
            except OSError:
                pass  # best effort: a later run tries again


def folder_name(reference: str, path: Path) -> str:
    """The report folder's name: the decision reference, or the file name when unreadable."""
    return slugify(reference) if reference else slugify(path.stem)


def findings_name(workbook: Path) -> str:
    """``findings-<file name>.json``: a workbook's own findings file in a shared folder."""
    return f"findings-{slugify(workbook.name)}.json"


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


class OutputFolder:
    """The output folder and its manifest, as one run sees them."""

    def __init__(self, out: Path):
        self.out = out
        self.root = out.resolve()
        self.manifest = Manifest.read(out)

    def folder_for(self, name: str) -> Path:
        """``out/<name>/``, refused if a link there leads outside ``out``."""
        folder = self.root / name
        if not inside(self.root, folder):  # slugify keeps out ".."; a link could still
            raise FolderRefused(
                f"{display(self.out / folder.name)} is a link to {display(folder.resolve())}, "
                f"outside {display(self.out)}/, and pcc-report writes only inside its output "
                f"folder. Remove the link {display(self.out / folder.name)}, then run again."
            )
        return folder

    def claimed_folders(self, keys: set[str]) -> set[str]:
        """The report folders that earlier builds of workbooks other than ``keys`` wrote."""
        return {
            Path(o["path"]).parts[0]
            for key, entry in self.manifest.entries.items()
            if key not in keys and entry.get("reference")
            for o in entry.get("outputs", [])
        }

    def written(self, relative: str) -> set[str]:
        """The SHA-256 values pcc-report wrote at ``relative`` (a path inside the folder), as
        any manifest entry records them: what it recorded, and what it was about to move into
        place when a run was stopped (``pending``). A file with another hash was changed by a
        person."""
        return {
            output["sha256"]
            for entry in self.manifest.entries.values()
            for output in (*entry.get("outputs", []), *entry.get("pending", []))
            if output.get("path") == relative
        }

    def edited(self, path: Path) -> bool:
        """Whether ``path`` is there and is not a file pcc-report wrote, byte for byte."""
        if not path.is_file() or path.is_symlink():
            return False
        return sha256(path) not in self.written(path.relative_to(self.root).as_posix())

    def check(self, entry: dict[str, Any]) -> tuple[bool, list[Path]]:
        """Whether every output ``entry`` records is still there, and which were edited (their
        bytes differ from what was written: compared by hash, since an edit can keep the
        size)."""
        intact, edited = True, []
        for output in entry.get("outputs", []):
            path = self.root / output["path"]
            if not inside(self.root, path) or not path.is_file() or path.is_symlink():
                intact = False
            elif path.stat().st_size != output.get("size") or sha256(path) != output["sha256"]:
                edited.append(path)
        return intact, edited

    def _earlier_outputs(self, key: str, keep: Sequence[Path]) -> Iterator[Path]:
        """The outputs the last build of ``key`` recorded, still there, not in ``keep``, inside
        the output folder (a tampered manifest must not reach files elsewhere)."""
        kept = {k.resolve() for k in keep}
        for output in self.manifest.entries.get(key, {}).get("outputs", []):
            path = self.root / output["path"]
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
        stale = path.parent / STALE
        try:
            if stale.is_symlink():
                return None  # a link planted there could lead anywhere
            stale.mkdir(exist_ok=True)
            target = free_edited_path(stale, path.name)
            os.replace(path, target)
        except OSError:
            return None
        return target

    def _set_aside(self, path: Path) -> Path | None:
        """Move the tool's own earlier output into ``stale/`` (after a failed build)."""
        stale = path.parent / STALE
        try:
            if stale.is_symlink():
                return None
            stale.mkdir(exist_ok=True)
            target = stale / path.name
            if os.path.lexists(target) and target not in self._all_recorded_stale():
                target = free_path(stale, path.name)  # someone's file there stays
            os.replace(path, target)
        except OSError:
            return None
        return target

    def _all_recorded_stale(self) -> set[Path]:
        return {
            self.root / s
            for entry in self.manifest.entries.values()
            for s in entry.get("stale", [])
        }

    def _recorded_stale(self, key: str) -> list[Path]:
        return [
            p
            for p in (self.root / s for s in self.manifest.entries.get(key, {}).get("stale", []))
            if inside(self.root, p) and p.is_file() and not p.is_symlink()
        ]

    def recorded_edited(self, key: str) -> list[Path]:
        """The edited copies of ``key``'s outputs kept in ``stale/`` (never deleted by us)."""
        return [
            p
            for p in (self.root / s for s in self.manifest.entries.get(key, {}).get("edited", []))
            if inside(self.root, p) and p.is_file() and not p.is_symlink()
        ]

    def protect(self, targets: Sequence[Path]) -> list[tuple[Path, Path | None]]:
        """Before outputs are replaced: set aside each of ``targets`` that a person edited.
        Returns (the output, where its edited copy went, or None if it could not be moved)."""
        moved = []
        for target in targets:
            if self.edited(target):
                moved.append((target, self.set_aside_edited(target)))
        return moved

    def set_aside_unrecorded(self, folder: Path) -> list[tuple[Path, Path]]:
        """After a failed build of a workbook the manifest does not know (it was lost): the
        reports already in its folder, which nothing records, go to ``stale/`` under their own
        names (never over another file), so nobody sends one as current. Returns (the report,
        where it went)."""
        slug = folder.name
        names = {f"RfD-{slug}.docx", f"RfD-{slug}.pdf", f"email-{slug}.eml", f"review-{slug}.docx"}
        moved = []
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            ours = path.name in names or path.name.startswith("commissioning-summary-")
            if not ours or not path.is_file() or path.is_symlink() or not self.edited(path):
                continue  # (a file the manifest records is the tool's, handled as such)
            stale = folder / STALE
            try:
                if stale.is_symlink():
                    continue
                stale.mkdir(exist_ok=True)
                target = free_path(stale, path.name)
                os.replace(path, target)
            except OSError:
                continue
            moved.append((path, target))
        return moved

    def mark_stale(self, key: str, keep: Sequence[Path] = ()) -> tuple[list[Path], list[Path]]:
        """After a failed build: move the earlier outputs of ``key`` aside into ``stale/``,
        except those in ``keep``. Returns what of ``key``'s is now in ``stale/``: the tool's
        own copies, and the edited ones (under names saying so)."""
        stale, edited = [*self._recorded_stale(key)], [*self.recorded_edited(key)]
        for path in self._earlier_outputs(key, keep):
            if self.edited(path):
                if moved := self.set_aside_edited(path):
                    edited.append(moved)
            elif moved := self._set_aside(path):
                stale.append(moved)
        return list(dict.fromkeys(stale)), list(dict.fromkeys(edited))

    def retire(
        self, key: str, keep: Sequence[Path], still_current: Sequence[Path] = ()
    ) -> tuple[list[Path], list[Path]]:
        """After a good build: remove what the last builds of ``key`` left that this one did
        not make again (a PDF, an e-mail, the copies in ``stale/``), apart from
        ``still_current`` (a PDF of the very Word report just rebuilt).

        Only files the tool wrote go: an earlier output is deleted only while it has the
        SHA-256 the tool wrote (one edited by hand is moved to ``stale/`` under a name saying
        so, and kept for good), and ``stale/`` loses only the copies the tool moved there.
        Returns what of ``key``'s is left in ``stale/``: (tool copies, edited copies).
        """
        edited = [*self.recorded_edited(key)]
        for path in self._earlier_outputs(key, [*keep, *still_current]):
            if not self.edited(path):
                path.unlink(missing_ok=True)
            elif moved := self.set_aside_edited(path):
                edited.append(moved)
        stale = self._recorded_stale(key)
        for path in stale:
            path.unlink(missing_ok=True)
        for folder in {p.parent for p in stale} | {k.parent / STALE for k in keep}:
            with contextlib.suppress(OSError):  # only an empty one: anyone's files there stay
                folder.rmdir()
        return [], list(dict.fromkeys(edited))

    def outputs_record(self, outputs: Sequence[Path]) -> list[dict[str, Any]]:
        """The manifest's record of ``outputs``: path inside the folder, SHA-256 and size.

        Paths are written with ``/`` on every system, so a manifest on a shared drive reads
        the same from Windows and Linux."""
        return [
            {
                "path": p.relative_to(self.root).as_posix(),
                "sha256": sha256(p),
                "size": p.stat().st_size,
            }
            for p in outputs
        ]

    def relative(self, paths: Sequence[Path]) -> list[str]:
        return [p.relative_to(self.root).as_posix() for p in paths]


def write_log(out: Path, lines: Sequence[str]) -> None:
    """Append ``lines`` to the run log, each stamped; the log is a convenience, so a log that
    cannot be written costs nothing (the manifest is the record)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(f"{stamp} {for_log(line)}\n" for line in lines)
    # Never through a link planted as the log (it could lead anywhere): O_NOFOLLOW where the
    # system has it, and a check first everywhere.
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    path = out / LOG
    try:
        if path.is_symlink():
            return
        descriptor = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o666)
        try:
            if stat.S_ISREG(os.fstat(descriptor).st_mode):
                os.write(descriptor, text.encode("utf-8", "replace"))
        finally:
            os.close(descriptor)
    except OSError:
        pass
