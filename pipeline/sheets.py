"""A workbook's visible sheets as rows of cell values, each row keeping its number in the sheet.

python-calamine reads the values (fast, and it gives the saved results of formulas). Before it
does, each worksheet's XML is scanned once, in chunks of bounded size, for three things
calamine cannot tell us: formulas with no usable result (never calculated, or an Excel error),
hidden rows, and the sheet's real extent from its cells' own ``r=`` references (the
``<dimension>`` a file declares can lie). calamine builds a dense rectangle from the first to
the last cell with a value, so one value typed at XFD1048576 would make it allocate hundreds of
gigabytes and abort the process. A sheet whose extent is too large is read from its used area
only (see :mod:`pipeline.sheet_extent`), or refused with a message naming the sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final
from xml.etree.ElementTree import ParseError

from pipeline.formula_cells import EmptyText, error_cells, formula_problem, formula_tags, rare

if TYPE_CHECKING:  # imported where a sheet is too large or a formula lacks its result (#21)
    from pipeline.sheet_extent import UsedArea

# What a cell holds once read (python-calamine's types; None for an empty cell).
Cell = str | int | float | bool | date | datetime | time | timedelta | None
Row = tuple[Cell, ...]

# Columns beyond IV are never the contract's (a plan's may follow 60 months' profile), not read.
MAX_COLUMNS: Final = 256
AREA_COLUMNS: Final = 64  # 100,000 rows of 256 columns would not fit in memory
MAX_DENSE_CELLS: Final = 2_000_000  # rows x columns calamine may build directly (~64 MB)

# The patterns kept as bytes are compiled on first use (``rare``): only a sheet with merged
# cells, hidden rows or a prefixed namespace needs them (issue 21).
# Only references beyond column Z or row 9,999 can make the dense range large: looking for
# those alone keeps the scan of an ordinary sheet to a few milliseconds (any other attribute
# ending in "r" can only widen the estimate). Letters in either case and rows of any length:
# calamine reads "xfd1048576" and "A99999999" too, and sizes its range by them.
_WIDE_REF = re.compile(rb'r="([A-Za-z]{2,})[0-9]')
_DEEP_REF = re.compile(rb'r="[A-Za-z]*([0-9]{5,})"')
_HIDDEN_ROW = rb"<(?:\w+:)?row\b[^>]*?\shidden=\"(?:1|true)\"[^>]*>"
_HIDDEN_COL = rb"<(?:\w+:)?col\b[^>]*?\shidden=\"(?:1|true)\"[^>]*>"
_COL_MIN, _COL_MAX = rb'\smin="([0-9]{1,5})"', rb'\smax="([0-9]{1,5})"'
_MERGE = rb'mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"'
_ROW_NUMBER = rb'\sr="([0-9]{1,7})"'
_SCAN_CHUNK = 8 * 1024 * 1024
_SCAN_TAIL = 64 * 1024  # longer than any cell: Excel caps a formula at 8,192 characters


class WorkbookUnreadable(Exception):
    """The workbook's parts cannot be read (a corrupt zip member, malformed XML, a missing part).

    Only the reader's own failures become this; a bug of ours still raises as itself.
    """


@dataclass(frozen=True)
class Merge:
    """A merged range of cells: only its top-left cell holds the value."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def ref(self) -> str:
        """``A4:A13``."""
        return (
            f"{column_letter(self.first_col)}{self.first_row}:"
            f"{column_letter(self.last_col)}{self.last_row}"
        )


@dataclass
class Sheet:
    """A visible sheet's values by row number (1-based), with what the XML scan found."""

    title: str
    rows: dict[int, Row]
    # (row, col) -> why the formula there has no usable value (no saved result, or #REF!)
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: frozenset[int] = frozenset()
    merged: tuple[Merge, ...] = ()
    hidden_cols: frozenset[int] = frozenset()  # 1-based, up to MAX_COLUMNS
    # (row, col) -> the formula there whose result is empty text, read as blank (EmptyText)
    empty_text: dict[tuple[int, int], str] = field(default_factory=dict)

    def value(self, row: int, col: int) -> Cell:
        values = self.rows.get(row, ())
        return values[col - 1] if 0 < col <= len(values) else None

    def first_rows(self, count: int) -> list[tuple[int, Row]]:
        """The first ``count`` rows that hold anything, with their numbers."""
        found: list[tuple[int, Row]] = []
        for number, values in self.rows.items():
            if len(found) == count:
                break
            found.append((number, values))
        return found


@dataclass
class PartScan:
    """What one pass over a worksheet's XML found."""

    problems: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    merged: set[Merge] = field(default_factory=set)
    last_row: int = 0  # the deepest row referenced, when beyond 9,999 (else 0)
    last_col: int = 0  # the widest column referenced, when beyond Z (else 0)
    narrow_col: int = 0  # the widest of the columns A to Z referenced (1 to 26; 0: none yet)
    cells: int = 0  # about how many cells it writes (chunks overlap a little)
    # Cells written without their address (r=): calamine places them one after another, so
    # the extent cannot be known from references. Such a sheet is read from its used area.
    unaddressed: bool = False

    @property
    def dense_cells(self) -> int:
        """An upper bound on the cells of calamine's dense range, which says how the sheet is
        read: directly when it is within ``MAX_DENSE_CELLS``, else from its used area.

        A sheet in columns A to Z counts as 26 wide, unless it is at least half full at its
        real width: a long ledger of five columns is read directly (from its used area, a
        190,000-row one took 19 s where the direct read takes 6 s), while a plan with a stray
        note far below its table is quicker read from its used area."""
        if self.unaddressed:
            return 16_384 * 1_048_576
        rows = max(self.last_row, 9_999)
        if self.last_col:
            return rows * self.last_col
        narrow = max(self.narrow_col, 1)
        return rows * (narrow if self.cells * 2 >= rows * narrow else 26)


@dataclass
class ReadSheets:
    """Every visible worksheet, the hidden ones' titles, and those refused as too large."""

    sheets: list[Sheet]
    hidden: list[str]
    refused: dict[str, str]  # title -> why
    very_hidden: frozenset[str] = frozenset()  # hidden and not listed under Unhide


def column_index(letters: bytes | str) -> int:
    """``A`` -> 1, ``AB`` -> 28."""
    col = 0
    for letter in (letters.decode() if isinstance(letters, bytes) else letters).upper():
        col = col * 26 + ord(letter) - 64
    return col


def column_letter(index: int) -> str:
    """1 -> A, 28 -> AB."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet title, from xl/workbook.xml and its relationships."""
    from defusedxml.ElementTree import fromstring

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    targets: dict[str, str] = {}
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter():
        if local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            target = str(rel.get("Target"))
            targets[str(rel.get("Id"))] = (
                target.lstrip("/") if target.startswith("/") else "xl/" + target
            )
    parts: dict[str, str] = {}
    for sheet in fromstring(archive.read("xl/workbook.xml")).iter():
        if local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if local(k) == "id"), "")
        if rid in targets:
            parts[targets[rid]] = str(sheet.get("name", ""))
    return parts


def scan_part(stream: IO[bytes]) -> PartScan:
    """One pass over a worksheet part: formula problems, hidden rows and columns, and the
    sheet's extent."""
    scan = PartScan()
    for found in _scan_chunks(stream, scan, MAX_DENSE_CELLS):
        row, col, problem = found
        scan.problems[(row, col)] = problem
    return scan


def scan_formulas(stream: IO[bytes]) -> Iterator[tuple[int, int, str]]:
    """``(row, col, problem)`` for each formula cell of a worksheet part with no usable result.

    A plain scan of the raw XML for ``<f>``, in chunks: formulas are few (Total rows), so this
    finds them far faster than a second parse of every cell (an ``iterparse`` pass over a
    10,000-line sheet measured about 25 times the time of this scan), in bounded memory. A problem is
    a formula saved with no result (written by a program, never opened in Excel) or one whose
    saved result is an Excel error such as ``#REF!``.
    """
    yield from _scan_chunks(stream, PartScan())


def _scan_chunks(
    stream: IO[bytes], scan: PartScan, dense_limit: int | None = None
) -> Iterator[tuple[int, int, str]]:
    """The formula problems of a part, noting its extent in ``scan`` on the way; beyond
    ``dense_limit`` cells of extent, formulas are left to the scan of the used area."""
    carry, start = b"", 0  # carry: the unscanned tail, and 512 bytes before it for context
    while True:
        block = stream.read(_SCAN_CHUNK)
        data = carry + block
        stop = len(data) if not block else max(start, len(data) - _SCAN_TAIL)
        _note_extent(data, scan)
        # A sheet too large for a dense range is read from its used area, whose formulas are
        # scanned there: a helper formula filled down a million rows is not looked at here.
        too_large = dense_limit is not None and scan.dense_cells > dense_limit
        wanted = () if too_large else (data, start)
        for at in sorted((*formula_tags(*wanted), *error_cells(*wanted)) if wanted else ()):
            if at >= stop:
                break  # scanned with the next chunk, where its whole cell is in view
            found = formula_problem(data, at)
            if found is not None:
                yield found
        if not block:
            return
        keep = max(0, stop - 512)
        carry, start = data[keep:], stop - keep


def _widen_narrow(data: bytes, scan: PartScan) -> None:
    """Widen ``scan.narrow_col`` to the widest of the columns A to Z that ``data`` references.
    One search for a cell beyond the widest so far, most often finding none: a ledger of
    190,000 rows in five columns is then known as five columns wide, not taken for 26 and
    read the slow way from its used area (20 s where the dense read takes 2 s)."""
    while scan.narrow_col < 26:
        after = 65 + scan.narrow_col  # the letter after the widest so far, either case
        beyond = re.search(rb'r="[%c-Z%c-z][0-9]' % (after, after + 32), data)
        if beyond is None:
            return
        scan.narrow_col = column_index(beyond.group()[3:4])


def _note_extent(data: bytes, scan: PartScan) -> None:
    """Widen the scan's extent and hidden rows by what ``data`` shows (overlaps are harmless)."""
    cells = data.count(b"<c ") + data.count(b"<c>")
    scan.cells += cells
    if cells > data.count(b'<c r="'):
        scan.unaddressed = True
    wide = set(_WIDE_REF.findall(data))
    if wide:
        scan.last_col = max(scan.last_col, *(column_index(c) for c in wide))
    elif not scan.last_col:
        _widen_narrow(data, scan)
    deep = _DEEP_REF.findall(data)
    if deep:
        scan.last_row = max(scan.last_row, *(int(r) for r in deep))
    if b"mergeCell " in data:
        for merge in rare(_MERGE).finditer(data):
            scan.merged.add(
                Merge(
                    int(merge.group(2)),
                    column_index(merge.group(1)),
                    int(merge.group(4)),
                    column_index(merge.group(3)),
                )
            )
    if b'hidden="' not in data:
        return
    for tag in rare(_HIDDEN_ROW).finditer(data):
        number = rare(_ROW_NUMBER).search(tag.group(0))
        if number is not None:
            scan.hidden_rows.add(int(number.group(1)))
    for tag in rare(_HIDDEN_COL).finditer(data):
        first, last = (rare(b).search(tag.group(0)) for b in (_COL_MIN, _COL_MAX))
        if first is not None and last is not None:
            scan.hidden_cols.update(range(int(first[1]), min(int(last[1]), MAX_COLUMNS) + 1))


def read_sheets(path: Path, max_rows: int | None = None) -> ReadSheets:
    """Every visible worksheet's values, plus the formula cells whose result is missing or an
    Excel error. Raises :class:`WorkbookUnreadable` when the workbook's parts cannot be read.

    A sheet with more than ``max_rows`` rows of data (default: a plan's limit) is refused."""
    from python_calamine import CalamineError

    try:
        with zipfile.ZipFile(path) as archive:
            titles = worksheet_parts(archive)
            scans = {title: _scan(archive, part) for part, title in titles.items()}
            areas, refused = _used_areas(archive, titles, scans, max_rows)
            replaced = {part: area.xml for part, area in areas.items()}
            replaced.update(_shared_strings(archive))
            source = _with_parts(archive, replaced) if replaced else None
        by_title = {titles[part]: area for part, area in areas.items()}
        return _read_values(source or path, scans, by_title, refused)
    except (
        CalamineError,
        zipfile.BadZipFile,
        KeyError,  # a part the workbook names is missing
        ParseError,  # malformed XML in the workbook's own parts
        ValueError,  # defusedxml's refusals, bad encodings
        EOFError,
        OSError,
    ) as error:
        raise WorkbookUnreadable(f"{type(error).__name__}: {error}") from error


def _scan(archive: zipfile.ZipFile, part: str) -> PartScan:
    try:
        stream = archive.open(part)
    except KeyError:
        return PartScan()  # calamine reports the missing part
    with stream:
        return scan_part(stream)


def _used_areas(
    archive: zipfile.ZipFile,
    titles: Mapping[str, str],
    scans: dict[str, PartScan],
    max_rows: int | None = None,
) -> tuple[dict[str, UsedArea], dict[str, str]]:
    """For each sheet too large for a dense range: its used area, or why it is refused."""
    areas: dict[str, UsedArea] = {}
    refused: dict[str, str] = {}
    for part, title in titles.items():
        if scans[title].dense_cells <= MAX_DENSE_CELLS:
            continue
        from pipeline.sheet_extent import MAX_ROWS, SheetTooLarge, addressed, used_area

        xml = archive.read(part)
        if scans[title].unaddressed:
            xml = addressed(xml)  # its rows and cells placed as calamine places them
            _note_extent(xml, scans[title])  # hidden rows, known by their addresses
        try:
            area = used_area(xml, AREA_COLUMNS, max_rows or MAX_ROWS)
        except SheetTooLarge as problem:
            refused[title] = str(problem)
            continue
        areas[part] = area
        # The formulas of the used area only, at their real rows.
        scans[title].problems = {
            (area.rows[r - 1], c): problem
            for r, c, problem in scan_formulas(io.BytesIO(area.xml))
            if 0 < r <= len(area.rows)
        }
    return areas, refused


_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_SST_COUNTS = re.compile(rb'\s(?:count|uniqueCount)="[^"]*"')
_SHARED_STRINGS = "xl/sharedStrings.xml"


def _shared_strings(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The shared strings with their declared counts dropped, when the counts claim more
    strings than the part can hold (each takes at least five bytes, ``<si/>``): calamine
    reserves memory for that many up front, and a broken count aborts the process."""
    try:
        info = archive.getinfo(_SHARED_STRINGS)
    except KeyError:
        return {}
    with archive.open(info) as stream:
        head = stream.read(4096)
    declared = re.search(rb'uniqueCount="([0-9]{1,30})"', head)
    if declared is None or int(declared.group(1)) <= info.file_size // 5 + 1:
        return {}
    data = archive.read(info)
    opening = _SST.search(data)
    if opening is None:
        return {}
    tag = _SST_COUNTS.sub(b"", opening.group(0))
    return {_SHARED_STRINGS: data[: opening.start()] + tag + data[opening.end() :]}


def _with_parts(archive: zipfile.ZipFile, replaced: Mapping[str, bytes]) -> io.BytesIO:
    """The workbook again, in memory, with some worksheet parts replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
        for member in archive.infolist():
            data = replaced.get(member.filename)
            copy.writestr(member.filename, archive.read(member) if data is None else data)
    buffer.seek(0)
    return buffer


def _read_values(
    source: Path | io.BytesIO,
    scans: Mapping[str, PartScan],
    areas: Mapping[str, UsedArea],
    refused: Mapping[str, str],
) -> ReadSheets:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    if isinstance(source, Path) and source.suffix.lower() in _CALAMINE_XLSX:
        book = CalamineWorkbook.from_path(str(source))
    elif isinstance(source, Path):
        # An .xlsx under another name (plan.xlsb, plan.xls: sniff has seen its parts):
        # calamine picks its reader by the name, and failed with "File not found:
        # 'xl/workbook.bin'"; from the bytes it reads by what the file is.
        with source.open("rb") as stream:
            book = CalamineWorkbook.from_filelike(stream)
    else:
        book = CalamineWorkbook.from_filelike(source)
    try:
        sheets: list[Sheet] = []
        hidden: list[str] = []
        very: list[str] = []  # of the hidden, those Excel's Unhide does not list
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart and dialog sheets hold no table
            if meta.visible != SheetVisibleEnum.Visible:
                hidden.append(meta.name)
                very += [meta.name] if meta.visible == SheetVisibleEnum.VeryHidden else []
                continue
            if meta.name in refused:
                continue
            values = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            area = areas.get(meta.name)
            numbers = area.rows if area is not None else range(1, len(values) + 1)
            rows: dict[int, Row] = {
                number: tuple(row[:MAX_COLUMNS])
                for number, row in zip(numbers, values, strict=False)
            }
            scan = scans.get(meta.name, PartScan())
            found = {
                (r, c): problem
                for (r, c), problem in scan.problems.items()
                if r in rows and _is_empty(rows[r], c)
            }
            empty = {at: found.pop(at) for at, p in list(found.items()) if isinstance(p, EmptyText)}
            merged = tuple(sorted(scan.merged, key=lambda m: (m.first_row, m.first_col)))
            hidden_rows, hidden_cols = frozenset(scan.hidden_rows), frozenset(scan.hidden_cols)
            sheets.append(Sheet(meta.name, rows, found, hidden_rows, merged, hidden_cols, empty))
    finally:
        book.close()
    return ReadSheets(sheets, hidden, dict(refused), frozenset(very))


_CALAMINE_XLSX = frozenset((".xlsx", ".xlsm", ".xltx", ".xltm"))  # names calamine reads as xlsx


def _is_empty(values: Row, col: int) -> bool:
    value = values[col - 1] if 0 < col <= len(values) else None
    return value is None or (isinstance(value, str) and not value.strip())
