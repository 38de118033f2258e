"""How wide text is drawn in the public summary's cells, so columns are wide enough for it and
rows tall enough for it wrapped: Excel and LibreOffice do not grow a row for wrapped text in a
file written by a program.

Text is measured character by character, as Calibri (and its metric twin Carlito, which
LibreOffice uses for it) draws it at 11 points, in widths of the digit "0": the unit of an Excel
column's width.
"""

from __future__ import annotations

import re

# How wide each printable ASCII character (space to ~) is drawn in Calibri and its metric twin
# Carlito, in hundredths of the digit "0", the unit of a column's width. Text was measured by
# its count of characters, as if every one were a lower-case letter: typed in capitals (NHS
# LINCOLNSHIRE CCG, 1.1 to 1.8 times as wide) it ran past its column and over the next row.
_CALIBRI = bytes(
    [
        45, 64, 79, 98, 100, 141, 135, 44, 60, 60, 98, 98, 49, 60, 50, 76, 100, 100, 100, 100,
        100, 100, 100, 100, 100, 100, 53, 53, 98, 98, 98, 91, 176, 114, 107, 105, 121, 96, 91,
        124, 123, 50, 63, 103, 83, 169, 127, 131, 102, 133, 107, 91, 96, 127, 112, 176, 102, 96,
        92, 61, 76, 61, 98, 98, 57, 95, 104, 83, 104, 98, 60, 93, 104, 45, 47, 90, 45, 158, 104,
        104, 104, 104, 69, 77, 66, 104, 89, 141, 85, 89, 78, 62, 91, 62, 98,
    ]
)  # fmt: skip
_HUNDREDTHS = bytearray([100] * 256)  # a letter outside ASCII: as wide as "0" ...
_HUNDREDTHS[32:127] = _CALIBRI
_HUNDREDTHS[ord("?")] = 100  # ... and read as "?" (encode's stand-in for it) ...
# ... or twice as wide: Chinese, Japanese, Korean, full-width forms, pictographs.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)
WIDEST = 2.0  # no character is wider: text this many times shorter than a column fits it


def text_units(line: str) -> float:
    """How wide ``line`` is drawn in 11-point body text, in widths of "0"."""
    hundredths = sum(line.encode("ascii", "replace").translate(_HUNDREDTHS))
    if not line.isascii():
        hundredths += 100 * len(_WIDE.findall(line))
    return hundredths / 100


def longest_line(text: str) -> int:
    """How wide the longest line of ``text`` is (what a column must be wide enough for): its
    count of characters, or more where they are drawn wider (capitals)."""
    if "\n" not in text:  # the usual case, without splitting
        return max(len(text), -int(-text_units(text) // 1))
    return max(max(len(part), -int(-text_units(part) // 1)) for part in text.split("\n"))


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` characters wide.

    Neither Excel nor LibreOffice reliably grows a row for wrapped text in a file written by a
    program, so row heights are set from this estimate (greedy word wrap, each word as wide as
    its letters are drawn).
    """
    capacity = max(1.0, width)  # characters, not money
    if "\n" not in text and (len(text) * WIDEST <= capacity or text_units(text) <= capacity):
        return 1  # the usual case, decided without splitting
    space = text_units(" ")
    count = 0
    for paragraph in text.split("\n"):
        used, lines = 0.0, 1
        # One encoding per paragraph, not per word (the 10,000-line plan wraps 30,000 cells).
        words = (
            [sum(w.translate(_HUNDREDTHS)) / 100 for w in paragraph.encode("ascii").split(b" ")]
            if paragraph.isascii()
            else [text_units(w) for w in paragraph.split(" ")]
        )
        for size in words:
            if used and used + space + size <= capacity:
                used += space + size
                continue
            if used:
                lines += 1
            extra = max(0, -int(-size // capacity) - 1)  # a word longer than a line breaks
            lines += extra
            used = size - extra * capacity
        count += lines
    return count
