"""The Payments to check sheet's payment rows, written as worksheet XML into the workbook's
file once XlsxWriter has written it (:func:`splice`).

A whole force's ledger lists every unmatched payment: 190,000 rows of 11 cells. Written cell
by cell through XlsxWriter (a cell object, a shared string, a format, then each cell's XML)
they took 12 seconds; as text they are the same cells, values and formats in about two. Each
distinct text is made safe and escaped once; the cells' formats are the workbook's own
(:class:`pipeline.position_sheet.Formats`), their index fixed when the sheet is written.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.payment_checks import PaymentToCheck
from pipeline.summary_layout import MAX_ROW_POINTS, ROW_HEIGHT
from pipeline.summary_text import wrapped_lines
from pipeline.textsafe import fit_cell, for_publication, starts_like_formula
from pipeline.values import PENNY

_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (the 1900 date system, as XlsxWriter writes)
_ESCAPED = re.compile(r"_x[0-9A-Fa-f]{4}_")  # Excel reads these as a character: kept literal
_TEXTS_KEPT = 20_000  # distinct texts remembered (references are unique: not worth keeping all)


@dataclass(frozen=True)
class Rows:
    """Rows to put into a worksheet part, before its row numbered ``before`` (from 1)."""

    part: str
    before: int
    xml: str


def style_index(fmt: Any) -> int:
    """The index by which a cell names an XlsxWriter format (given to it when first used)."""
    return int(fmt._get_xf_index())


class _Texts:
    """Each text cell's XML after its reference, made once per distinct text."""

    def __init__(self, text: int, quoted: int):
        self.styles = (text, quoted)
        self.known: dict[str, str] = {}

    def cell(self, ref: str, raw: str) -> str:
        tail = self.known.get(raw)
        if tail is None:
            text = fit_cell(for_publication(raw))  # a 40,000-character name: cut, and said
            style = self.styles[starts_like_formula(text)]
            escaped = html.escape(_ESCAPED.sub(lambda m: "_x005F" + m.group(0), text), quote=False)
            tail = (
                f' s="{style}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'
                if text
                else ""  # an empty cell is no cell
            )
            if len(self.known) < _TEXTS_KEPT:
                self.known[raw] = tail
        return f'<c r="{ref}"{tail}' if tail else ""


def payment_rows(
    payments: Sequence[PaymentToCheck], first: int, styles: dict[str, int], widths: Sequence[int]
) -> str:
    """The rows of ``payments`` from row ``first`` (from 0), as ``Sheet.line`` would write
    them: texts as text (a quote prefix where one starts like a formula), the date and the
    amount as numbers in their formats, and a row grown for a name that wraps."""
    texts = _Texts(styles["text"], styles["quoted"])
    heights: dict[tuple[str, int], int] = {}

    def wrapped(raw: str, col: int) -> int:
        lines = heights.get((raw, col))
        if lines is None:
            lines = wrapped_lines(for_publication(raw), widths[col]) if raw else 1
            if len(heights) < _TEXTS_KEPT:
                heights[raw, col] = lines
        return lines

    date, money, count = styles["date"], styles["money"], styles["text"]
    out: list[str] = []
    for number, payment in enumerate(payments, start=first + 1):
        # Wrapped text is not measured by every reader: give a long "Could be", supplier or
        # file name its lines (a long supplier was drawn over the next row, its end cut off).
        lines = max(
            -(-len(payment.candidates) // 55),
            wrapped(payment.sheet, 1),
            wrapped(payment.supplier, 4),
            wrapped(payment.reference, 7),
            wrapped(payment.cost_code, 8),
            wrapped(payment.fund, 10),
        )
        points = min(ROW_HEIGHT * lines, MAX_ROW_POINTS)
        height = f' ht="{points}" customHeight="1"' if lines > 1 else ""
        out.append(
            f'<row r="{number}"{height}>'
            + texts.cell(f"A{number}", payment.status.capitalize())
            + texts.cell(f"B{number}", payment.sheet)
            + texts.cell(f"C{number}", payment.cell)
            + f'<c r="D{number}" s="{date}"><v>{(payment.date - _EPOCH).days}</v></c>'
            + texts.cell(f"E{number}", payment.supplier)
            + f'<c r="F{number}" s="{money}"><v>{payment.amount.quantize(PENNY)}</v></c>'
            + f'<c r="G{number}" s="{count}"><v>{payment.payments}</v></c>'
            + texts.cell(f"H{number}", payment.reference)
            + texts.cell(f"I{number}", payment.cost_code)
            + texts.cell(f"J{number}", payment.candidates)
            + texts.cell(f"K{number}", payment.fund)
            + "</row>"
        )
    return "".join(out)


def splice(data: bytes, rows: Sequence[Rows]) -> bytes:
    """The workbook ``data`` with each of ``rows`` put into its worksheet part, every other
    member as it was (its name, date and compression: the same position, the same bytes)."""
    if not rows:
        return data
    wanted = {r.part: r for r in rows}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = source.read(info)
            put = wanted.get(info.filename)
            if put is not None:
                xml = member.decode("utf-8")
                at = xml.index(f'<row r="{put.before}"')
                member = (xml[:at] + put.xml + xml[at:]).encode("utf-8")
            target.writestr(info, member)
    return out.getvalue()
