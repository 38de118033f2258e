"""The spend files a folder holds: the files a person put directly in it, and its sub-folders
that hold files, which are not read but said (``W-SPEND-READ``), never passed over.

A finance officer who keeps each year's monthly exports in ``spend/2021-22/`` got no position
and no word: the build read ``spend/`` alone, found nothing in it, and said nothing. A
sub-folder named ``archive`` (as ``input/archive/`` holds last year's plans) is the place for
exports that are not to be read, and is passed over.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# What the operating system leaves in a folder: not a file anyone put there.
SYSTEM_FILES = frozenset(("thumbs.db", "desktop.ini"))
ARCHIVE = "archive"  # a spend folder's sub-folder kept for exports that are not read


def _put_there(path: Path) -> bool:
    """Not Excel's owner file (``~$``), a hidden file or one the system leaves."""
    return not path.name.startswith(("~$", ".")) and path.name.lower() not in SYSTEM_FILES


def files_below(folder: Path, limit: int = 1000) -> int:
    """How many files a person put in ``folder`` or its sub-folders (up to ``limit``; links to
    folders are not followed)."""
    count = 0
    for _, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        count += sum(1 for name in names if _put_there(Path(name)))
        if count >= limit:
            return limit
    return count


def why_not_read(folder: Path) -> str:
    """Why a folder among the spend files is not read (the end of a sentence naming it): a
    sub-folder of the spend folder, or a folder named with --spend that holds no file."""
    held = files_below(folder)
    if held:  # a sub-folder of the spend folder (spend/2021-22/)
        return (
            f"is a folder inside the spend folder, and the {held} file(s) in it are not read: "
            "only the files directly in the spend folder are. Move the exports to count into "
            "the spend folder itself, or name this folder with --spend; keep exports not to "
            f"be read in a sub-folder named {ARCHIVE}"
        )
    return (
        "is a folder that holds no spend file; put the ledger exports (CSV or .xlsx) in it, "
        "or name the files themselves with --spend"
    )


def spend_files(paths: Iterable[Path]) -> list[Path]:
    """The spend files named, a folder standing for the files directly inside it (sorted),
    and for its sub-folders that hold files (but ``archive/``): those are read as folders,
    that is, said and not read, for their payments would otherwise be left out unsaid.

    Every file a person put in the folder is one, whatever its name ends with: a month saved
    as .xls or .ods is said to be unread (``W-SPEND-READ``), not left out without a word.
    Excel's owner files (``~$``), hidden files and the system's own are not.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if _put_there(p)
                    and (
                        p.is_file()
                        or (p.is_dir() and p.name.lower() != ARCHIVE and files_below(p, 1) > 0)
                    )
                )
            )
        else:
            found.append(path)
    # A file named twice (--spend june.csv beside --spend the folder holding it, or by two
    # spellings of its path) is read once: each payment counted twice otherwise.
    once: dict[Path, Path] = {}
    for path in found:
        once.setdefault(path.resolve(), path)
    return list(once.values())
