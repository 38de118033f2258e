"""The index page's "Set aside, not current" part: copies in a report folder's ``stale/``
that no workbook's entry records, so that nothing kept in the output folder is out of sight.

A workbook saved over with the next decision (its Reference changed) leaves the reports of
the decision it held in that decision's ``stale/``, kept for good but recorded by no entry
(:func:`pipeline.stale.set_aside_superseded`): the build says so once, and without this the
page never would. Read from the folder alone, like the rest of the page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.index_entries import Link
from pipeline.manifest import Manifest
from pipeline.outputs import STALE


@dataclass(frozen=True)
class SetAside:
    """A report folder's copies in ``stale/`` that no workbook's entry records."""

    folder: str  # the report folder's name, e.g. ``020-2021``
    links: tuple[Link, ...]


def set_aside(out: Path) -> list[SetAside]:
    """Every report folder of ``out`` whose ``stale/`` holds files the manifest records for
    no workbook (those it records are linked from their workbook's section), by folder name.
    Only real folders and files: a link could lead out of the output folder."""
    recorded = {
        path for record in Manifest.read(out).entries.values() for path in _recorded(record)
    }
    found = []
    for folder in _folders(out):
        links = tuple(
            Link(name, quote(f"{folder}/{STALE}/{name}"))
            for name in _files_in(out / folder / STALE)
            if f"{folder}/{STALE}/{name}" not in recorded
        )
        if links:
            found.append(SetAside(folder, links))
    return found


def _recorded(record: Mapping[str, Any]) -> Iterator[str]:
    """The paths (relative to the output folder, ``/`` between parts) one entry records."""
    for output in record.get("outputs", []):
        if isinstance(output, dict) and isinstance(output.get("path"), str):
            yield output["path"]
    for kind in ("stale", "edited"):
        listed = record.get(kind, [])
        if isinstance(listed, list):
            yield from (path for path in listed if isinstance(path, str))


def _folders(out: Path) -> list[str]:
    """The names of the real folders in ``out`` that hold a real ``stale/`` folder, sorted."""
    try:
        children = sorted(out.iterdir())
    except OSError:
        return []
    return [
        child.name
        for child in children
        if not child.name.startswith(".") and _real_folder(child) and _real_folder(child / STALE)
    ]


def _real_folder(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir()


def _files_in(folder: Path) -> list[str]:
    """The names of the real files in ``folder`` a person would open (not the tool's own
    half-written ``.tmp-`` ones), sorted."""
    try:
        return sorted(
            path.name
            for path in folder.iterdir()
            if not path.name.startswith(".") and not path.is_symlink() and path.is_file()
        )
    except OSError:
        return []
