"""A per-user cache of what stays the same from build to build: the Word template's cleaned XML
(docxtpl's clean-up depends on the template alone) and last year's checked plan
(:mod:`pipeline.last_year`: it depends on the workbook's bytes, the tool and the settings).

The cache holds data only -- text keyed by the SHA-256 of its input plus the versions of
Python, Jinja and docxtpl -- never code: nothing read from it is executed. (Jinja's compiled
template was cached too until #14; that saved about 80 ms a build on the sample but meant
loading marshalled code objects from the user's folder.) An edited template or an upgrade
simply misses. The cache lives in ``$PCC_REPORT_CACHE`` or ``$XDG_CACHE_HOME/pcc-report``
(``~/.cache/pcc-report``), a folder only its owner may write. ``PCC_REPORT_CACHE=off`` turns it
off. Any problem with the cache is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path


@cache
def folder() -> Path | None:
    """The cache folder, created private to this user; None when unusable or turned off."""
    setting = os.environ.get("PCC_REPORT_CACHE", "")
    if setting.lower() in {"off", "0", "no", "false"}:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pcc-report"
    path = Path(setting) if setting else base
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError:
        return None
    # Someone else's folder, or one others may write to, could feed us a wrong template: don't
    # use it. (Windows has no uid or group bits: there the user's profile folder is private.)
    owner = getattr(os, "getuid", None)
    if owner is not None and (
        info.st_uid != owner() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        return None
    return path


@cache
def _versions() -> bytes:
    # The packages' own __version__ (the same strings as their metadata): they are imported
    # already when a template is rendered, and importlib.metadata costs ~15 ms a run to import.
    import docxtpl
    import jinja2

    return f"{sys.version}|{jinja2.__version__}|{docxtpl.__version__}".encode()


@cache
def code_version() -> bytes:
    """This tool's version and its code: the name, size and time of change of each of its
    modules. An entry made by other code -- an upgrade, or a module edited in a checkout -- is
    a miss, never a result the code of today would not give."""
    from pipeline import __version__

    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    try:
        for module in sorted(package.glob("*.py")):
            info = module.stat()
            digest.update(f"|{module.name}:{info.st_size}:{info.st_mtime_ns}".encode())
    except OSError:
        digest.update(os.urandom(16))  # cannot tell the code apart: nothing will match
    return digest.hexdigest().encode("ascii")


def _key(kind: str, text: str) -> str:
    digest = hashlib.sha256(_versions())
    digest.update(kind.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _read(name: str) -> bytes | None:
    where = folder()
    if where is None:
        return None
    try:
        data = (where / name).read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(where / name)  # used today: kept by the sweep (see _UNUSED_SECONDS)
    return data


_TEMP = ".tmp-"
_ABANDONED_SECONDS = 3600  # a write renames its temporary file within milliseconds
# An entry neither read nor written for this long is removed: each upgrade, edited template
# and version of last year's workbook makes new entries, and the old ones are never read
# again. A plan built at least once a quarter keeps its entries.
_UNUSED_SECONDS = 120 * 24 * 3600
# The names this module gives entries (a SHA-256 in hex, with its kind's prefix): the sweep
# removes nothing else from a folder PCC_REPORT_CACHE may name.
_ENTRY = re.compile(r"(?:[a-z-]+-)?[0-9a-f]{64}\.txt")


def _sweep(where: Path) -> None:
    """Remove the temporary files of writes that were killed before their rename (an hour
    old, none can still be in use: a younger one may be another run's, mid-write), and the
    entries unused for :data:`_UNUSED_SECONDS`."""
    now = time.time()
    try:
        for path in where.iterdir():
            if path.name.startswith(_TEMP):
                limit = _ABANDONED_SECONDS
            elif _ENTRY.fullmatch(path.name):
                limit = _UNUSED_SECONDS
            else:
                continue  # not ours
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > limit and path.is_file():
                    path.unlink()
    except OSError:
        return


def _write(name: str, data: bytes) -> None:
    import tempfile  # here: a no-op run reads the code's version from this module, no more

    where = folder()
    if where is None:
        return
    _sweep(where)
    try:
        # A whole file under a temporary name, then renamed over the entry: a run reading the
        # entry meanwhile, or another run writing it, sees the old entry or the new, never half.
        handle, temp = tempfile.mkstemp(dir=where, prefix=_TEMP)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, where / name)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def entry(name: str) -> bytes | None:
    """The data stored as ``name`` by :func:`store`, or None: none stored, the cache off or
    unusable, or the entry damaged or cut short (its checksum does not match)."""
    cached = _read(name)
    if cached is None:
        return None
    digest, _, data = cached.partition(b"\n")
    if digest.decode("ascii", "replace") != hashlib.sha256(data).hexdigest():
        return None
    return data


def store(name: str, data: bytes) -> None:
    """Keep ``data`` as ``name`` (atomically; nothing happens when the cache is off or
    unusable). The entry starts with the SHA-256 of the data after it (see :func:`entry`)."""
    _write(name, hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data)


def text(kind: str, source: str, make: Callable[[str], str]) -> str:
    """``make(source)``, remembered across runs.

    A damaged or truncated entry is a miss (and is written afresh), never a broken
    template."""
    name = _key(kind, source) + ".txt"
    cached = entry(name)
    if cached is not None:
        return cached.decode("utf-8", "surrogatepass")
    result = make(source)
    store(name, result.encode("utf-8", "surrogatepass"))
    return result
