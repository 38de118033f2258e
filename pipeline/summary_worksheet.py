"""The public summary's worksheets, written faster than xlsxwriter's own at 10,000 lines: the
same XML, byte for byte, for the xlsxwriter version it was checked against.

A 10,000-line plan's summary holds hundreds of thousands of number, date and text cells and,
with last year's plan, tens of thousands of formulas; xlsxwriter writes each through generic
code (an attribute list, escaping, 29 formula rewrites) that cannot change them.
:func:`worksheet_class` is xlsxwriter's Worksheet with those cells written directly; with any
other xlsxwriter it is that Worksheet unchanged. (Moved from :mod:`pipeline.summary_layout`.)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# The function names xlsxwriter's Worksheet._prepare_formula rewrites (the dynamic-array ones it
# always expands; a formula holding none of them comes out unchanged but for its "=" and
# braces). "INGLE(" stands for its pattern r"\SINGLE\(" (any character, then "INGLE(").
_EXPANDED = re.compile(
    r"(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA"
    r"|MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT"
    r"|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\("
)


# A formula or text value xlsxwriter writes as it is: nothing to escape (&, <, >; the formula's
# quotes are not escaped) and, for text, not an error code ("#N/A") nor empty.
_PLAIN_FORMULA = re.compile(r"[^&<>]+")
_PLAIN_TEXT = re.compile(r"[^&<>#]+")


# The xlsxwriter whose private code the speed-ups below were checked against, byte for byte
# (``tests/test_render_xlsx.py``; requirements.lock pins it). With any other version the
# summary is written by xlsxwriter's own public code: the same workbook, only slower.
XLSXWRITER_TESTED = "3.3.1"


@functools.cache
def _tested_xlsxwriter() -> bool:
    import xlsxwriter

    return str(xlsxwriter.__version__) == XLSXWRITER_TESTED


@dataclass(frozen=True, slots=True)
class _CellKinds:
    """xlsxwriter's cell tuples :func:`_cell_xml` writes itself, and its cell-name function."""

    cell_name: Any
    numbers: tuple[type, ...]  # a number or a date: both hold .number
    string: type
    blank: type
    formula: type


def _cell_xml(row: int, col: int, cell: Any, shared: bool, kinds: _CellKinds) -> str | None:
    """The XML of a cell the summary writes by the hundred thousand (a number, date or shared
    string with its own format), as xlsxwriter's _write_cell writes it without its generic
    attribute list and escaping, which cannot change a cell reference or a format's number:
    about a third of the time the workbook took to close at 10,000 lines. None for every other
    cell, left to xlsxwriter."""
    if not cell.format:
        return None
    kind = cell.__class__
    if kind in kinds.numbers:
        body: str | None = f"><v>{cell.number:.16G}</v></c>"
    elif kind is kinds.string and shared:  # not in constant_memory mode's inline strings
        body = f' t="s"><v>{cell.string}</v></c>'
    elif kind is kinds.blank:
        body = "/>"
    elif kind is kinds.formula:
        body = _formula_xml(cell)
    else:
        body = None
    if body is None:
        return None
    return f'<c r="{kinds.cell_name(row, col)}" s="{cell.format._get_xf_index()}"{body}'


def _formula_xml(cell: Any) -> str | None:
    """The Changes sheet's formulas (an amount, or the text "–"), thirty thousand at 10,000
    lines with last year's plan: the rest of their cell's XML, when neither formula nor text
    needs escaping (else None)."""
    if not _PLAIN_FORMULA.fullmatch(cell.formula):
        return None
    value = cell.value
    if value.__class__ is Decimal:
        kind = ""
    elif value.__class__ is str and _PLAIN_TEXT.fullmatch(value):
        kind = ' t="str"'
    else:
        return None
    return f"{kind}><f>{cell.formula}</f><v>{value}</v></c>"


@functools.cache
def worksheet_class() -> type:
    """xlsxwriter's Worksheet, whose formula preparation skips its 29 ``re.sub`` passes for a
    formula naming none of the functions they rewrite (the summary's SUM, IF and OR): 20,000
    formulas of a 10,000-line year on year took about a second in them. Its common cells are
    written without xlsxwriter's generic attribute handling. The same text comes out either
    way; ``tests/test_render_xlsx.py`` pins the xlsxwriter source this assumes, and with
    another xlsxwriter than that one this is its own Worksheet, unchanged."""
    from xlsxwriter.worksheet import Worksheet

    if not _tested_xlsxwriter():
        plain: type = Worksheet
        return plain
    from xlsxwriter.utility import xl_rowcol_to_cell_fast
    from xlsxwriter.worksheet import (
        CellBlankTuple,
        CellDatetimeTuple,
        CellFormulaTuple,
        CellNumberTuple,
        CellStringTuple,
    )

    kinds = _CellKinds(
        xl_rowcol_to_cell_fast,
        (CellNumberTuple, CellDatetimeTuple),
        CellStringTuple,
        CellBlankTuple,
        CellFormulaTuple,
    )

    class SummaryWorksheet(Worksheet):  # type: ignore[misc]
        def _write_cell(self, row: int, col: int, cell: Any) -> None:
            xml = _cell_xml(row, col, cell, not self.constant_memory, kinds)
            if xml is None:
                super()._write_cell(row, col, cell)
            else:
                self.fh.write(xml)

        def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
            if self.use_future_functions or expand_future_functions or _EXPANDED.search(formula):
                return str(super()._prepare_formula(formula, expand_future_functions))
            # What xlsxwriter does first (array braces and the leading "=" removed); the rest
            # of its passes would change nothing.
            if formula.startswith("{"):
                formula = formula[1:]
            if formula.startswith("="):
                formula = formula[1:]
            if formula.endswith("}"):
                formula = formula[:-1]
            return formula

    return SummaryWorksheet


def cell_writers(ws: Any, *kinds: str) -> list[Any]:
    """xlsxwriter's ``_write_<kind>`` methods, which its public ``write_<kind>`` call after
    trying the row as an "A1" reference: a call and a check saved for each of the hundred
    thousand cells of a 10,000-line plan's fund sheets. Same arguments, same cells
    (``tests/test_render_xlsx.py`` pins the public methods this assumes); the public ones
    with another xlsxwriter than the one tested (see :data:`XLSXWRITER_TESTED`)."""
    prefix = "_write_" if _tested_xlsxwriter() else "write_"
    return [getattr(ws, prefix + kind) for kind in kinds]
