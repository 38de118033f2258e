"""A per-user cache of the Word template's cleaned XML, so each build skips docxtpl's clean-up
of it (it depends on the template alone).

The cache holds data only -- text keyed by the SHA-256 of its input plus the versions of
Python, Jinja and docxtpl -- never code: nothing read from it is executed. (Jinja's compiled
template was cached too until #14; that saved about 80 ms a build on the sample but meant
loading marshalled code objects from the user's folder.) An edited template or an upgrade
simply misses. The cache lives in ``$PCC_REPORT_CACHE`` or ``$XDG_CACHE_HOME/pcc-report``
(``~/.cache/pcc-report``), a folder only its owner may write. ``PCC_REPORT_CACHE=off`` turns it
off. Any problem with the cache is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
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


def _key(kind: str, text: str) -> str:
    digest = hashlib.sha256(_versions())
    digest.update(kind.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _read(name: str) -> bytes | None:
    where = folder()
    if where is None:
        return None
    try:
        return (where / name).read_bytes()
    except OSError:
        return None


def _write(name: str, data: bytes) -> None:
    where = folder()
    if where is None:
        return
    try:
        handle, temp = tempfile.mkstemp(dir=where, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, where / name)
    except OSError:
        pass


def text(kind: str, source: str, make: Callable[[str], str]) -> str:
    """``make(source)``, remembered across runs.

    An entry starts with the SHA-256 of the text after it, so a damaged or truncated entry is
    a miss (and is written afresh), never a broken template."""
    name = _key(kind, source) + ".txt"
    cached = _read(name)
    if cached is not None:
        digest, _, data = cached.partition(b"\n")
        if digest.decode("ascii", "replace") == hashlib.sha256(data).hexdigest():
            return data.decode("utf-8", "surrogatepass")
    result = make(source)
    data = result.encode("utf-8", "surrogatepass")
    _write(name, hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data)
    return result
