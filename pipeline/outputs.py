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
person edited is set aside in ``stale/``, never deleted (:mod:`pipeline.stale`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.inputs import display
from pipeline.manifest import MANIFEST, Manifest, sha256, temp_beside
from pipeline.textsafe import for_log
from pipeline.values import slugify

if TYPE_CHECKING:
    from pipeline.deliver import Staging

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
    errno.EISDIR,
}

# The files the tool keeps in the output folder itself, as a person would know them.
_OWN_FILES = {
    MANIFEST: "record of what was built from what",
    INDEX: "page showing the folder at a glance",
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
    if error.errno == errno.EISDIR:  # os.replace names the target second, open() first
        target = error.filename2 if isinstance(error.filename2, str) else error.filename
        blocker = Path(target) if target else where
        return (
            f"{display(blocker)} is a folder where pcc-report writes a file; rename or move "
            "that folder (pcc-report did not make it), then run again"
        )
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {display(where)}/ is full; free some space, then run again"
    replaced = Path(error.filename2) if isinstance(error.filename2, str) else None
    if error.errno in (errno.EACCES, errno.EPERM) and replaced and replaced.is_file():
        return (
            f"{display(replaced)} could not be replaced ({error.strerror}): it may be open in "
            "Word or Excel, on this or another computer. Close it (or ask for write access to "
            f"{display(replaced.parent)}/), then run again. Nothing of this build was kept: "
            "the earlier outputs are whole"
        )
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"pcc-report may not write to {display(where)}/ ({error.strerror}); ask for "
            "write access to that folder, then run again"
        )
    return (
        f"writing to {display(where)}/ failed ({error.strerror or error}); check the "
        "folder (and, on a network drive, the connection), then run again"
    )


def own_file_blocked(out: Path) -> str | None:
    """Why ``out`` cannot keep the tool's own files, or None: a folder under the name of one
    of them. A file can replace a file, a link or a pipe there, never a folder, so every build
    would otherwise make its outputs and fail at the end, recording none of them."""
    for name, what in _OWN_FILES.items():
        path = out / name
        if path.is_dir() and not path.is_symlink():
            return (
                f"{display(path)} is a folder where pcc-report keeps its {what}; rename or "
                "move that folder (pcc-report did not make it), then run again"
            )
    return None


def leftovers(out: Path) -> list[Path]:
    """The ``.tmp-`` files and folders in ``out``, its report folders and their ``stale/``:
    what a run being written, or one that was killed, has there.

    Only names in the tool's own ``.tmp-xxxxxxxx-`` pattern: a person's own files are not.
    """
    folders = [out]
    for folder in (out, *[f for f in out.iterdir() if f.is_dir() and not f.is_symlink()]):
        folders.append(folder)
        stale = folder / STALE
        if folder is not out and stale.is_dir() and not stale.is_symlink():
            folders.append(stale)
    found: list[Path] = []
    for folder in dict.fromkeys(folders):
        try:
            found += [e for e in folder.iterdir() if _TEMPORARY.fullmatch(e.name)]
        except OSError:
            continue
    return found


def sweep_temporaries(out: Path, found: Sequence[Path] | None = None) -> None:
    """Remove what a killed run left half-written: its ``.tmp-`` files and folders
    (``found``, or :func:`leftovers` now).

    Only under the lock, so that no live run is writing them.
    """
    for leftover in leftovers(out) if found is None else found:
        try:
            if leftover.is_dir() and not leftover.is_symlink():
                import shutil  # seldom: only a run that was stopped leaves one

                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        except OSError:
            pass  # best effort: a later run tries again


def folder_name(reference: str, path: Path) -> str:
    """The report folder's name: the decision reference, or the file name when unreadable."""
    return slugify(reference) if reference else slugify(path.stem)


def findings_name(workbook: Path, distinct: bool = False) -> str:
    """``findings-<file name>.json``: a workbook's own findings file in a shared folder.

    ``distinct`` adds a short hash of the whole path, for names that read alike once made
    safe (cut to 40 characters, punctuation dropped: "… CSF v1.xlsx" and "… CSF v2.xlsx")."""
    if not distinct:
        return f"findings-{slugify(workbook.name)}.json"
    digest = hashlib.sha256(str(workbook).encode("utf-8", "surrogateescape")).hexdigest()
    return f"findings-{slugify(workbook.name)}-{digest[:8]}.json"


class OutputFolder:
    """The output folder and its manifest, as one run sees them."""

    def __init__(self, out: Path):
        self.out = out
        self.root = out.resolve()
        self.manifest = Manifest.read(out)
        # What it records as the run begins: a file found at a path it does not (the manifest
        # lost or damaged) cannot be told from a person's edit, nor said to be one.
        self.recorded_at_start = {
            o["path"]
            for entry in self.manifest.entries.values()
            for o in (*entry.get("outputs", []), *entry.get("pending", []))
        }

    def recorded(self, path: Path) -> bool:
        """Whether the manifest recorded an output at ``path`` when the run began."""
        return path.relative_to(self.root).as_posix() in self.recorded_at_start

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

    def holds(self, output: Any) -> bool:
        """Whether the file a manifest record (path, SHA-256) names is there, inside the
        folder, with those very bytes."""
        if not isinstance(output, dict) or not isinstance(output.get("path"), str):
            return False
        path = self.root / output["path"]
        return (
            inside(self.root, path)
            and path.is_file()
            and not path.is_symlink()
            and sha256(path) == output.get("sha256")
        )

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


def commit_whole(staging: Staging) -> list[Path]:
    """Move every staged output into place, or none: when one cannot be replaced (open in
    Word or Excel on Windows, no permission, a full disk), those already moved are put back
    as they were, so the folder never holds this build's report beside the last one's summary
    and the last good outputs are not lost; so too when the run is stopped (Ctrl-C, SIGTERM)
    half-way. (A run killed by SIGKILL half-way is the write-ahead's.)"""
    import shutil  # (seldom needed: only where hard links are not)

    backups: dict[str, Path] = {}  # output name -> a hard link to (or copy of) the last one
    try:
        for name in staging.staged:
            target = staging.folder / name
            if target.is_file() and not target.is_symlink():
                backups[name] = backup = temp_beside(target)  # a .tmp- name: swept if killed
                try:
                    backup.unlink()
                    os.link(target, backup)
                except OSError:  # no hard links here (some network shares): a copy
                    shutil.copyfile(target, backup)
        return staging.commit()
    except BaseException:  # also a stop (Ctrl-C, SIGTERM) half-way: the last set stays whole
        for name, temp in staging.staged.items():
            if temp.exists():
                continue  # not moved into place: the last output is still there
            with contextlib.suppress(OSError):
                if name in backups:
                    os.replace(backups.pop(name), staging.folder / name)
                else:  # new this time: there was none before
                    (staging.folder / name).unlink()
        raise
    finally:
        for backup in backups.values():
            backup.unlink(missing_ok=True)


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
