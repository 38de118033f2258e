"""A CSV ledger's bytes as text: which encoding it is in, and what could not be read.

Finance systems and Excel write CSV as UTF-8 (with or without Excel's byte-order mark) or as
Windows-1252 ("CSV" on Windows), and "Unicode Text" as UTF-16 with its mark. A UTF-8 export
often holds a stray Windows-1252 byte or two (a description pasted in from another system,
two exports joined): such a file is still UTF-8, each stray byte is read as Windows-1252
would read it and its line is said, never the whole file re-read as Windows-1252, which turns
every "£" into "Â£" and the byte-order mark into a heading's first letters.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

_TEXT_PER_NUL = 8  # UTF-16 without its mark is about half NUL bytes; damaged text has a few
_STRAY = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, kept by surrogateescape
_WIDE = re.compile("[^\x00-\x7f\udc80-\udcff]")  # a character UTF-8 writes in several bytes
_LINES_NAMED = 5  # lines named in the finding about stray bytes; the rest are counted
_AROUND = 30  # characters shown either side of the first stray byte


@dataclass(frozen=True)
class Text:
    """A CSV's text, and a finding's message about bytes that are not UTF-8 in a UTF-8
    file ("" when there are none) with the line of the first of them."""

    text: str
    stray: str = ""
    line: int = 0


def decode(raw: bytes, name: str) -> Text | tuple[str, int]:
    """A CSV's text (``name`` is the file's, for a message), or why it cannot be read and
    the line where that shows (0: the file)."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # UTF-32's mark begins with UTF-16's: read as UTF-16 it is a NUL between letters.
        return Text(raw.decode("utf-32", errors="replace"))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text": UTF-16 with its byte-order mark, which says how to read it
        # (a damaged character shows as one: a date or amount with it is a finding).
        return Text(raw.decode("utf-16", errors="replace"))
    nul = _nul_problem(raw)
    if nul:
        return nul
    try:
        return Text(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_stray_bytes(raw, name)
    if mixed:
        return mixed
    try:
        return Text(raw.decode("cp1252"))  # what Excel on Windows writes as plain "CSV"
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return (
            f"is neither UTF-8 nor Windows-1252 text (byte {raw[error.start]:#04x} on line "
            f"{line}); save it from Excel as 'CSV UTF-8 (Comma delimited)'",
            line,
        )


def _nul_problem(raw: bytes) -> tuple[str, int] | None:
    """Why a file holding NUL bytes cannot be read as text, and the line (None: it has none)."""
    nul = raw.find(b"\x00")
    if nul < 0:
        return None
    line = raw.count(b"\n", 0, nul) + 1
    if nul > 0 and not raw[nul:].strip(b"\x00"):
        # Text, then only NUL bytes to the end: Windows gives a copy its full size first and
        # fills it in, so what is read so far must not pass for the whole ledger.
        return (
            f"holds NUL bytes from line {line} to its end: it is probably still being copied, "
            "or the copy was cut short. Wait until the copy has finished (or copy it again "
            "from the original), then run again",
            line,
        )
    if raw.count(b"\x00") * _TEXT_PER_NUL < len(raw):
        # A few NUL bytes in a text file (a damaged export, or a hostile one): said where.
        return (
            f"holds a NUL byte (a character no text has) on line {line}: the file is damaged; "
            "export it again, or remove the character in a text editor",
            line,
        )
    return (
        "is not UTF-8 or Windows-1252 text (it looks like UTF-16 text with no byte-order "
        "mark, or a binary file); save it from Excel as 'CSV UTF-8 (Comma delimited)'",
        0,
    )


def _utf8_with_stray_bytes(raw: bytes, name: str) -> Text | None:
    """The text of a UTF-8 file that holds a few bytes that are not UTF-8, each read as
    Windows-1252 would read it, and the finding's message naming their lines; None when
    the file is Windows-1252 instead.

    A file is UTF-8 when it starts with UTF-8's byte-order mark (Excel's "CSV UTF-8"), or
    when it holds at least as many characters written in UTF-8's several bytes as bytes
    that are not UTF-8: Windows-1252 text almost never holds a valid UTF-8 sequence (it
    would read as "Â£" or "Ã©"), and a UTF-8 file's stray bytes are a few among its "£"s.
    """
    bom = raw.startswith(codecs.BOM_UTF8)
    text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8", errors="surrogateescape")
    stray = [match.span() for match in _STRAY.finditer(text)]
    count = sum(end - start for start, end in stray)
    if not bom and not _at_least(_WIDE.finditer(text), max(count, 1)):
        return None
    lines = _lines_of(text, [start for start, _ in stray])
    first = stray[0][0]
    message = (
        f"{name} is UTF-8 text, but {_where(lines, count)} not UTF-8 (the first, byte "
        f'{ord(text[first]) - 0xDC00:#04x}, in "{_around(text, first)}"): each is read as '
        "Windows-1252 would read it, and the payments are counted. Check the text on "
        f"{'that line' if len(lines) == 1 else 'those lines'}, correct the character in the "
        "finance system (or in a text editor that saves UTF-8) and export the file again as "
        "CSV UTF-8."
    )
    return Text(_read_stray(text), message, lines[0])


def _lines_of(text: str, places: list[int]) -> list[int]:
    """The lines (from 1) that ``places`` (in order) stand on, each once: counted from one
    place to the next, as a file with many stray bytes is read once, not once for each."""
    lines: list[int] = []
    line, start = 1, 0
    for place in places:
        line += text.count("\n", start, place)
        start = place
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _at_least(matches: Iterator[re.Match[str]], count: int) -> bool:
    """Whether ``matches`` holds ``count`` matches or more (read no further than that)."""
    return sum(1 for _ in itertools.islice(matches, count)) >= count


def _read_stray(text: str) -> str:
    """``text`` with each byte kept by surrogateescape read as Windows-1252 reads it (one
    that Windows-1252 leaves undefined is the replacement character)."""
    return _STRAY.sub(
        lambda match: bytes(ord(c) - 0xDC00 for c in match.group()).decode("cp1252", "replace"),
        text,
    )


def _around(text: str, index: int) -> str:
    """The text of the line around ``index``, ``_AROUND`` characters either side at most,
    its stray bytes read."""
    start = max(text.rfind("\n", 0, index) + 1, index - _AROUND)
    end = text.find("\n", index)
    end = min(len(text) if end < 0 else end, index + _AROUND)
    shown = _read_stray(text[start:end]).strip()
    return ("…" if start > 0 and text[start - 1] != "\n" else "") + shown


def _where(lines: list[int], count: int) -> str:
    """Which lines hold the stray bytes, "line 8 holds a byte that is" or "lines 8, 9 and
    3 more hold 6 bytes that are"."""
    if count == 1:
        return f"line {lines[0]} holds a byte that is"
    named = [str(line) for line in lines[:_LINES_NAMED]]
    if len(lines) > _LINES_NAMED:
        named.append(f"{len(lines) - _LINES_NAMED} more")
    if len(named) == 1:
        return f"line {named[0]} holds {count} bytes that are"
    return f"lines {', '.join(named[:-1])} and {named[-1]} hold {count} bytes that are"
