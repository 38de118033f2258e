"""A per-user cache of the Word template's prepared form, so each build skips the work that
only depends on the template: docxtpl's clean-up of the template XML and Jinja's compilation.

Together these are about a third of a small build's own time. Entries are keyed by the
SHA-256 of their input plus the versions of Python, Jinja and docxtpl, so an edited template
or an upgrade simply misses. The cache lives in ``$PCC_REPORT_CACHE`` or
``$XDG_CACHE_HOME/pcc-report`` (``~/.cache/pcc-report``), a folder only its owner may write
(compiled code is loaded from it, as Python loads ``__pycache__``). ``PCC_REPORT_CACHE=off``
turns it off. Any problem with the cache is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any


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
    # Someone else's folder, or one others may write to, could feed us code: don't use it.
    # (Windows has no owner ids or group bits here; the folder is under the user's profile.)
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    if info.st_uid != owner or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return path


@cache
def _versions() -> bytes:
    from importlib.metadata import version

    return f"{sys.version}|{version('jinja2')}|{version('docxtpl')}".encode()


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
    """``make(source)``, remembered across runs."""
    name = _key(kind, source) + ".txt"
    cached = _read(name)
    if cached is not None:
        return cached.decode("utf-8", "surrogatepass")
    result = make(source)
    _write(name, result.encode("utf-8", "surrogatepass"))
    return result


def code(kind: str, source: str, compile_source: Callable[[], Any]) -> CodeType:
    """The code object ``compile_source()`` gives for ``source``, remembered across runs.

    ``kind`` names whatever else the code depends on (e.g. the Jinja settings)."""
    name = _key(kind, source) + ".code"
    cached = _read(name)
    if cached is not None:
        try:
            loaded = marshal.loads(cached)
            if isinstance(loaded, CodeType):
                return loaded
        except (EOFError, ValueError, TypeError):
            pass  # a damaged entry: compile afresh and overwrite it
    compiled = compile_source()
    _write(name, marshal.dumps(compiled))
    return compiled  # type: ignore[no-any-return]
