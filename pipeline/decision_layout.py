"""Where the Decision sheet's fields are: its layout (a Field | Value table, the same without
its header row, or fields laid across a row, which is refused) and each row's field name as
typed (in English, in Welsh, or both in one cell)."""

from __future__ import annotations

import re

from pipeline import contract
from pipeline.contract import DecisionField
from pipeline.read_cells import HEADER_SEARCH_ROWS, CellReader, Layout, map_columns
from pipeline.sheets import Cell, Row, Sheet
from pipeline.values import clean_text, is_blank, normalise

# Every name a field is known by (its own, and other bodies' forms'), normalised.
BY_NAME = {normalise(name): f for f in contract.DECISION_FIELDS for name in (f.name, *f.aliases)}
NAMES = frozenset(BY_NAME)


def field_label(raw: Cell, spec: DecisionField) -> str:
    """The field's name as its row types it, for findings: a Mayor's office types "Mayor
    approval date", and "PCC approval date reads ..." named a row the sheet does not have. Of
    a name in two languages, the side that names the field; else the contract's name."""
    names = {normalise(name) for name in (spec.name, *spec.aliases)}
    sides = _SIDES.split(raw.strip()) if isinstance(raw, str) else []
    return next(
        (
            text
            for side in sides
            if normalise(text := clean_text(side).rstrip(":.").rstrip()) in names
        ),
        spec.name,
    )


# A field named in Welsh and English: beside a slash or a bar, or one above the other.
_SIDES = re.compile(r"\s*(?:[\r\n]+|\s[/|]\s)\s*")


def field_name(raw: Cell) -> str:
    """A field's name as it is matched ("Reference:" is the Reference); of a name in Welsh and
    English ("Cyfeirnod / Reference", one above the other), the side that names a field."""
    name = normalise(raw).rstrip(":.").rstrip()
    if _known(name) or not isinstance(raw, str) or not _SIDES.search(raw.strip()):
        return name
    sides = [normalise(side).rstrip(":.").rstrip() for side in _SIDES.split(raw.strip())]
    known = [side for side in sides if _known(side)]
    return known[0] if len(sides) == 2 and len(known) == 1 else name


def _known(name: str) -> bool:
    return name in BY_NAME or contract.RECOMMENDATION.fullmatch(name) is not None


def laid_across(cells_of: CellReader) -> bool:
    """A Decision sheet with its field names across a row and the values below (a decisions
    register's layout): one E-COLUMN saying how it is read, rather than an E-REQUIRED per
    field naming the police area as a row it did not read. True after the finding."""
    sheet = cells_of.sheet
    first = sheet.first_rows(HEADER_SEARCH_ROWS)
    if any(len(map_columns(values, contract.DECISION)) == 2 for _, values in first):
        return False  # a Field | Value header: read down
    for r, values in first:
        names = [clean_text(v) for v in values if normalise(v) in NAMES]
        if len(names) < 3:
            continue  # a field name in a row of its own: the usual layout, down
        below = [n for n in sheet.rows if n > r and any(not is_blank(v) for v in sheet.rows[n])]
        shown = ", ".join(f'"{name}"' for name in names[:3])
        several = (
            f" It holds {len(below)} rows of values (rows {below[0]}–{below[-1]}): one "
            "workbook is one decision, so keep each in a workbook of its own."
            if len(below) > 1
            else ""
        )
        cells_of.add(
            "E-COLUMN",
            f"The Decision sheet has its fields across row {r} ({shown}, …) with their values "
            "below; it is read down two columns headed Field and Value, one row per field. "
            "Copy the rows, and on a new sheet use Paste Special > Transpose, then head the "
            f"two columns Field and Value and name the sheet Decision.{several}",
            f"{r}:{r}",
        )
        return True
    return False


def headerless_layout(sheet: Sheet) -> Layout | None:
    """A Decision sheet typed without its Field/Value header row: the field names stand in a
    column with their values on the right. Read it as if the header were there."""
    first = sheet.first_rows(HEADER_SEARCH_ROWS)
    if any(len(map_columns(values, contract.DECISION)) == 2 for _, values in first):
        return None  # there is a header: read normally
    for r, values in first:
        for c, value in enumerate(values, start=1):
            if normalise(value) in NAMES:
                return Layout(r - 1, {"field": c, "value": _value_column(sheet, c)})
    return None


def _value_column(sheet: Sheet, field_col: int) -> int:
    """The column holding the values: the first to the right of the field names with a value
    on a field's row. A sheet laid out as a form leaves a narrow column blank between them
    (each field was "has no value" with its value typed one column further on)."""
    rows = [v for v in sheet.rows.values() if normalise(_at(v, field_col)) in NAMES]
    for col in range(field_col + 1, field_col + 4):
        if any(not is_blank(_at(values, col)) for values in rows):
            return col
    return field_col + 1


def _at(values: Row, col: int) -> Cell:
    return values[col - 1] if col <= len(values) else None
