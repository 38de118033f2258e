"""A worksheet's used area, for a sheet whose cells reach too far for a dense range.

python-calamine builds one dense rectangle from a sheet's first to its last cell with a value.
A stray value far down (or a helper formula filled to row 1,048,576) makes that rectangle
millions of rows deep; one value at XFD1048576 makes it 17 billion cells, and the process
aborts. For such a sheet only, this module rewrites the worksheet XML to its used area:

- cells in the first ``max_columns`` columns (the contract never needs more);
- cells that hold a value (formatted blanks and formulas showing "" are not data);
- the table's rows down to its last typed value before a gap of a thousand rows; below it, only
  typed values (a stray note): formulas filled down below the table are helpers, not lines;

and packs the rows together (a stray value 900,000 rows down becomes the next row), keeping
each row's real number so every finding still names the cell a person must change. A sheet
whose used area still holds more rows than any plan is refused, naming the sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

MAX_ROWS: Final = 100_000  # rows holding data: ten times the largest plan measured
GAP_ROWS: Final = 1_000  # empty (or formula-only) rows that end the table

_SHEET_DATA = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')  # a cell's own address

_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)<|<(?:\w+:)?t\b[^>]*>([^<]+)<")
# A cell with a typed (not calculated) value: its address, then straight to <v> or <is>.
_TYPED = re.compile(rb'r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>(?:<(?:\w+:)?v>[^<]|<(?:\w+:)?is>)')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


class SheetTooLarge(Exception):
    """The sheet's used area is beyond any plan; the message says where and what to do."""


@dataclass(frozen=True)
class UsedArea:
    """The worksheet XML packed to its used area, and the real number of each packed row."""

    xml: bytes
    rows: list[int]  # rows[i] is the sheet row shown as row i + 1 of the packed XML


def used_area(xml: bytes, max_columns: int, max_rows: int = MAX_ROWS) -> UsedArea:
    """The used area of a worksheet part (see the module's docstring).

    Raises :class:`SheetTooLarge` when more than ``max_rows`` rows hold data (a plan's
    :data:`MAX_ROWS`; a ledger export's year of payments may hold more).
    """
    opening = _SHEET_DATA.search(xml)
    if opening is None or opening.group(2) == b"/":
        return UsedArea(xml, [])
    prefix = opening.group(1)
    closing = xml.find(b"</" + prefix + b"sheetData>", opening.end())
    body_end = closing if closing >= 0 else len(xml)

    typed_rows = _typed_rows(xml, opening.end(), body_end, max_columns)
    table_end = _table_end(typed_rows)
    region_end = body_end
    if table_end:
        last = max(typed_rows[table_end])
        row_end = xml.find(b"</" + prefix + b"row>", last, body_end)
        region_end = body_end if row_end < 0 else row_end

    cells: dict[int, list[tuple[int, bytes, bytes]]] = {}  # row -> [(col, attrs, inner)]
    for match in _CELL.finditer(xml, opening.end(), region_end):
        _keep(match, max_columns, table_end, cells)
    for row, starts in typed_rows.items():
        if row > table_end:
            for at in starts:
                cell = _CELL.match(xml, xml.rfind(b"<", opening.end(), at))
                if cell is not None:
                    _keep(cell, max_columns, row, cells)

    numbers = sorted(cells)
    if len(numbers) > max_rows:
        raise SheetTooLarge(
            f"holds values in {len(numbers):,} rows, down to row {numbers[-1]:,}; no plan "
            f"has more than {max_rows:,}. Delete the rows below the table (select them, "
            "right-click > Delete) and save the workbook"
        )
    head = _DIMENSION.sub(b"", xml[: opening.start()])
    return UsedArea(_packed(head, prefix, cells, numbers), numbers)


_ROW_OR_CELL = re.compile(rb"<((?:\w+:)?)(row|c)\b([^>]*)>")
_ROW_REF = re.compile(rb'\sr="([0-9]{1,7})"')


def addressed(xml: bytes) -> bytes:
    """The worksheet XML with an address on each row and cell written without one (``r`` is
    optional: Excel writes it, some programs do not), counted on as Excel and calamine place
    them: a row after the row before, a cell right of the cell before. The used area is
    found by addresses, and without them a whole sheet read as empty."""
    opening = _SHEET_DATA.search(xml)
    if opening is None or opening.group(2) == b"/":
        return xml
    closing = xml.find(b"</" + opening.group(1) + b"sheetData>", opening.end())
    parts, at, row, col = [], 0, 0, 0
    for tag in _ROW_OR_CELL.finditer(xml, opening.end(), closing if closing >= 0 else len(xml)):
        prefix, name, attrs = tag.groups()
        if name == b"row":
            number = _ROW_REF.search(attrs)
            row, col = (int(number[1]) if number else row + 1), 0
            address = b"" if number else b' r="%d"' % row
        else:
            ref = CELL_REF.search(attrs)
            col = _column(ref[1]) if ref else col + 1
            address = b"" if ref else b' r="%s%d"' % (_letters(col), row)
        if address:
            name_end = tag.start() + 1 + len(prefix) + len(name)
            parts += [xml[at:name_end], address]
            at = name_end
    return b"".join([*parts, xml[at:]]) if parts else xml


def _typed_rows(xml: bytes, start: int, end: int, max_columns: int) -> dict[int, list[int]]:
    """Each row with typed cells in the first ``max_columns`` columns, and where their
    addresses stand in ``xml`` (a search that starts with a literal runs at C speed)."""
    typed_rows: dict[int, list[int]] = {}
    for typed in _TYPED.finditer(xml, start, end):
        if _column(typed.group(1)) <= max_columns:
            typed_rows.setdefault(int(typed.group(2)), []).append(typed.start())
    return typed_rows


def _table_end(typed_rows: dict[int, list[int]]) -> int:
    """The last typed row before a gap of GAP_ROWS rows (0 for none): formulas below it are
    helpers filled down, and only typed cells are taken from there (a stray note is one
    row, not a million)."""
    table_end = 0
    for row in sorted(typed_rows):
        if table_end and row - table_end > GAP_ROWS:
            break
        table_end = row
    return table_end


def _packed(
    head: bytes, prefix: bytes, cells: dict[int, list[tuple[int, bytes, bytes]]], numbers: list[int]
) -> bytes:
    """The worksheet XML with ``cells``' rows (``numbers``) packed together from row 1."""
    parts = [head, b"<", prefix, b"sheetData>"]
    for packed, number in enumerate(numbers, start=1):
        parts.append(b'<%srow r="%d">' % (prefix, packed))
        for col, attrs, inner in sorted(cells[number], key=lambda cell: cell[0]):
            # Every address goes, then the packed one: a broken export can write a cell with
            # two (r="A4" r="XFD1048576"), and calamine, reading the last, would size its range
            # by the far one and abort the process.
            address = b' r="%s%d"' % (_letters(col), packed)
            parts.append(
                b"<%sc%s%s>%s</%sc>" % (prefix, address, CELL_REF.sub(b"", attrs), inner, prefix)
            )
        parts.append(b"</%srow>" % prefix)
    parts.append(b"</%ssheetData></%sworksheet>" % (prefix, prefix))
    return b"".join(parts)


def _keep(
    match: re.Match[bytes],
    max_columns: int,
    last_row: int,
    cells: dict[int, list[tuple[int, bytes, bytes]]],
) -> None:
    """Keep the cell of ``match`` if it holds a value within the area (by row and column)."""
    attrs, inner = match.group(1), match.group(2) or b""
    ref = CELL_REF.search(attrs)
    if ref is None:
        return  # a cell without its address: only in hand-made files, never in Excel's
    col, row = _column(ref.group(1)), int(ref.group(2))
    if col > max_columns or row > last_row:
        return
    value = _VALUE.search(inner)
    has_value = value is not None and any(part.strip() for part in value.groups() if part)
    if has_value or _FORMULA.search(inner) is not None:
        cells.setdefault(row, []).append((col, attrs, inner))


def _column(letters: bytes) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + letter - 64
    return col


def _letters(index: int) -> bytes:
    letters = b""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = bytes((65 + rest,)) + letters
    return letters
