"""The build's record and how it writes: ``manifest.json``, SHA-256, atomic file writes.

Every output is written to a temporary file beside its target and moved into place with
``os.replace``, so a reader sees the old file or the new one, never half of one. The manifest
says, per input workbook, what was built from what; it is checked when read, because a person
may have edited or damaged it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from pipeline import __version__
from pipeline.sniff import WORKBOOK_SUFFIXES

MANIFEST = "manifest.json"
# Far beyond any real manifest (a few KB a workbook); a bigger one is damaged, not read.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, refused (ValueError) beyond ``limit``.

    Never blocks and never follows a link: a FIFO or device put in its place (``/dev/zero``
    linked as manifest.json) is refused before it is opened for reading, and the read stops
    at the limit whatever the file claims its size is.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)  # Windows: no newline translation
    if path.is_symlink():
        raise ValueError(f"{path.name} is a link")
    descriptor = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ValueError(f"{path.name} is not an ordinary file")
        with os.fdopen(descriptor, "rb") as stream:
            descriptor = -1
            data = stream.read(limit + 1)
    finally:
        if descriptor >= 0:
            os.close(descriptor)
    if len(data) > limit:
        raise ValueError(f"{path.name} is larger than {limit} bytes")
    return data


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Manifest:
    path: Path
    entries: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, out: Path) -> Manifest:
        """The manifest in ``out``; a missing, damaged or hand-edited one means "rebuild".

        Entries are checked before anything trusts them: an entry whose outputs are not plain
        paths inside ``out`` (``../../etc/passwd``, an absolute path, a number) keeps only its
        ``sent`` log, so its workbook is rebuilt and no file is moved on its say-so.
        """
        path = out / MANIFEST
        try:
            data = json.loads(read_limited(path, MAX_MANIFEST_BYTES).decode("utf-8"))
        except (OSError, ValueError):
            data = {}  # no manifest, or a damaged one: everything is rebuilt
        workbooks = data.get("workbooks") if isinstance(data, dict) else None
        entries: dict[str, dict[str, Any]] = {}
        for key, entry in workbooks.items() if isinstance(workbooks, dict) else ():
            if isinstance(entry, dict):
                entries[key] = (
                    entry
                    if sound_entry(entry)
                    else {
                        "input": key,
                        "status": "damaged",
                        "sent": entry["sent"] if isinstance(entry.get("sent"), list) else [],
                    }
                )
        return cls(path, entries)

    def write(self) -> None:
        """Write the manifest, unless nothing changed (a no-op run touches no file)."""
        data = {"tool": "pcc-report", "version": __version__, "workbooks": self.entries}
        content = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
        try:
            if read_limited(self.path, MAX_MANIFEST_BYTES) == content:
                return
        except (OSError, ValueError):
            pass  # none, or not one we can read: it is replaced
        write_atomic(self.path, content)


def relative_path(path: object) -> bool:
    """A path inside the output folder as the manifest writes it: relative, with no ``..``.

    Judged under both Windows and POSIX rules, since the manifest on a shared drive is read
    from both: ``..\\x``, ``C:x``, ``\\\\server\\share`` and ``/etc`` are all refused.
    """
    if not isinstance(path, str) or not path:
        return False
    for parts in (PurePosixPath(path), PureWindowsPath(path)):
        if parts.is_absolute() or parts.drive or parts.root or ".." in parts.parts:
            return False
    return True


def sound_entry(entry: dict[str, Any]) -> bool:
    """Whether a manifest entry has the shape the build writes, with paths that stay inside."""
    stale, previous = entry.get("stale", []), entry.get("previous")
    records = [entry.get("outputs", []), entry.get("pending", [])]  # (what a killed run moved)
    return (
        all(
            isinstance(outputs, list)
            and all(
                isinstance(o, dict)
                and relative_path(o.get("path"))
                and isinstance(o.get("sha256"), str)
                and isinstance(o.get("size"), int)
                for o in outputs
            )
            for outputs in records
        )
        and isinstance(stale, list)
        and all(relative_path(p) for p in stale)
        and (
            previous is None
            or (
                isinstance(previous, dict)
                and isinstance(previous.get("sha256"), str)
                and isinstance(previous.get("input"), str)
                and Path(previous["input"]).suffix.lower() in WORKBOOK_SUFFIXES
            )
        )
    )


def file_mode() -> int:
    """The mode a new file gets from the user's umask (mkstemp's own 0600 would lock out
    colleagues on the shared machine)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def temp_beside(target: Path) -> Path:
    """An empty temporary file in ``target``'s folder, so ``os.replace`` is atomic."""
    import tempfile  # here: a no-op rerun writes nothing and so never imports it (#21)

    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix="-" + target.name)
    os.close(handle)
    os.chmod(name, file_mode())
    return Path(name)


def write_atomic(target: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_beside(target)
    try:
        with temp.open("wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
