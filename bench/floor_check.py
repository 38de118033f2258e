"""The floor of ``pcc-report check``: interpreter start-up and a bare calamine read (domain §7).

``python bench/floor_check.py WORKBOOK`` opens the workbook with python-calamine and reads
every sheet into Python values; no checking, no findings, nothing written. ``check`` must do
this much and little more: it needs no Word or Excel writer and no pandas, so ``bench/run.py``
holds it to 1.1 times this floor.
"""

from __future__ import annotations

import sys
from pathlib import Path

from python_calamine import CalamineWorkbook


def read_every_sheet(workbook: Path) -> int:
    """Read every sheet of ``workbook``; return how many rows there were."""
    book = CalamineWorkbook.from_path(str(workbook))
    return sum(
        len(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        for name in book.sheet_names
    )


if __name__ == "__main__":
    read_every_sheet(Path(sys.argv[1]))
