"""The floor of ``pcc-report check``: start-up plus a bare calamine read (domain §7, issue 21).

``python bench/floor_check.py WORKBOOK`` does, in one process, the least any ``check`` must:

1. **start-up**, as ``bench/stages.py`` counts it: the interpreter and what every command
   imports, i.e. ``pipeline.cli`` with click and the findings catalogue. That is what
   ``pcc-report --help`` costs; no command of the tool can start for less, so it is part of
   the floor rather than of the work judged against it;
2. **a bare read**: open the workbook with python-calamine and read every sheet into Python
   values. ``check`` must at least read what it checks.

No checking, no findings, nothing printed or written. ``check`` is start-up + read + its own
checks + printing, so ``bench/run.py`` holds it to 1.1 times this floor: what ``check`` imports
beyond start-up, and all its own work, must fit in a tenth of it.

``--bare`` leaves start-up out: only the interpreter (with ``site``) and the calamine read. The
bench reports that figure beside the floor as information, never as a target: no Python command
line on click can reach it (``site`` alone is about half of it, importing click as much again).
"""

from __future__ import annotations

import sys
from pathlib import Path

BARE = "--bare"


def start_up() -> None:
    """Import what every command imports (what ``pcc-report --help`` loads)."""
    import pipeline.cli  # noqa: F401


def read_every_sheet(workbook: Path) -> int:
    """Read every sheet of ``workbook``; return how many rows there were."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(workbook))
    return sum(
        len(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        for name in book.sheet_names
    )


def main(argv: list[str]) -> None:
    """``WORKBOOK`` (the floor) or ``--bare WORKBOOK`` (the interpreter-only figure)."""
    if BARE not in argv:
        start_up()
    read_every_sheet(Path(next(a for a in argv if a != BARE)))


if __name__ == "__main__":
    main(sys.argv[1:])
