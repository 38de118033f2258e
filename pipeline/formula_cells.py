"""Formula cells with no usable result, found in a worksheet's raw XML: a formula saved with no
result (written by a program, never opened in Excel), one whose saved result is an Excel error
(``#REF!``), and an error typed or pasted as a value. :mod:`pipeline.sheets` runs these over
each chunk of a worksheet part it scans.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

# A regular expression that starts with a literal is searched for at C speed; one that starts
# with "<" is tried at every tag. So formula tags are found by their "f" and checked behind.
# The patterns kept as bytes are compiled on first use (``rare``): only a sheet with merged
# cells, hidden rows, a prefixed namespace or a formula without its result needs them, and
# compiling every one at import was a cost each ``check`` paid (issue 21).
_FORMULA_LETTER = re.compile(rb"f[\s>/]")
_TAG_PREFIX = rb"<\w{1,16}:$"
_CELL_OPEN = rb"<(?:\w+:)?c[\s>]"
_CELL_CLOSE = rb"</(?:\w+:)?c>"
_FORMULA_TEXT = rb"(?s)<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)"
_CACHED_VALUE = rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>|\st=\"str\""
_SAVED_RESULT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)<(?:\w+:)?v>[^<]")
_ERROR_TYPE = re.compile(rb't="e"')
_ERROR_VALUE = rb"<(?:\w+:)?v>(#[^<]{1,20})</(?:\w+:)?v>"


class EmptyText(str):
    """A formula whose saved result is empty text (``=IF(K9="","",K9)``), shown as it is named
    in a message ("the formula =IF(...)"): not a problem in itself (a template fills such
    formulas down its empty rows), only where the cell needs a value."""


_TEXT_RESULT = rb"<(?:\w+:)?v>[^<]"


@functools.cache
def rare(pattern: bytes) -> re.Pattern[bytes]:
    """``pattern`` compiled on first use."""
    return re.compile(pattern)


def formula_tags(data: bytes, start: int) -> Iterator[int]:
    """Where each ``<f`` (or ``<x:f``) tag opens."""
    for letter in _FORMULA_LETTER.finditer(data, max(start, 1)):
        at = letter.start()
        before = data[at - 1 : at]
        if before == b"<":
            opens = at - 1
        elif before == b":":
            prefix = rare(_TAG_PREFIX).search(data, max(0, at - 18), at)
            if prefix is None:
                continue
            opens = prefix.start()
        else:
            continue
        if opens >= start:  # one that opens before start was seen with the previous chunk
            yield opens


def error_cells(data: bytes, start: int) -> Iterator[int]:
    """Where each cell typed as an error value (``t="e"``) says so; formulas are found apart."""
    for marker in _ERROR_TYPE.finditer(data, start):
        yield marker.start()


def formula_problem(data: bytes, at: int) -> tuple[int, int, str] | None:
    """``(row, col, problem)`` for the formula or error cell at ``at`` with no usable result;
    an :class:`EmptyText` problem for a formula whose result is empty text."""
    # Most formulas carry their saved result: say so from a few bytes, without building the
    # cell (a helper formula filled down 300,000 rows is 300,000 of these).
    if data[at : at + 1] == b"<" and _SAVED_RESULT.match(data, at):
        head_start = data.rfind(b"<", max(0, at - 512), at)
        if head_start >= 0 and b't="e"' not in data[head_start:at]:
            return None
    opens = list(rare(_CELL_OPEN).finditer(data, max(0, at - 512), at))
    close = rare(_CELL_CLOSE).search(data, at)
    if not opens or close is None or rare(_CELL_OPEN).search(data, at, close.start()):
        return None  # no whole cell around it (or a self-closing one: nothing to read)
    cell = data[opens[-1].start() : close.end()]
    head = cell[: cell.find(b">") + 1]
    from pipeline.sheet_extent import CELL_REF
    from pipeline.sheets import column_index

    ref = CELL_REF.search(head)
    if ref is None:
        return None  # a cell without its address (rare): read as a plain value
    row, col = int(ref.group(2)), column_index(ref.group(1))
    text = rare(_FORMULA_TEXT).search(cell)
    # html.unescape knows XML's five entities and character references, and unlike
    # xml.sax.saxutils it does not import urllib and email at start-up. Imported here: its
    # entity table is a cost only a formula without its result needs (#21).
    import html

    raw = (text.group(1) or b"") if text else b""
    formula = html.unescape(raw.decode("utf-8", "replace"))
    shown = f"the formula ={formula}" if formula else "a formula"
    error = rare(_ERROR_VALUE).search(cell) if b' t="e"' in head else None
    if error is not None and text is None:
        if data[at : at + 1] != b"t":
            return None  # an error cell seen from inside: reported from its t="e"
        return (
            row,
            col,
            f"holds the error {error.group(1).decode('utf-8', 'replace')}, pasted or typed as "
            "a value; type the value the cell should hold",
        )
    if data[at : at + 1] == b"t":
        return None  # a formula's error cell: reported from its <f>
    if error is not None:
        return (
            row,
            col,
            f"shows the Excel error {error.group(1).decode('utf-8', 'replace')} from "
            f"{shown}; correct the formula in Excel and save the workbook",
        )
    if b' t="str"' in head and not rare(_TEXT_RESULT).search(cell):
        return row, col, EmptyText(shown)
    if not rare(_CACHED_VALUE).search(cell):
        return (
            row,
            col,
            f"holds {shown} with no saved result (the file was written by a program, "
            "not Excel); open the workbook in Excel, let it calculate, and save it",
        )
    return None
