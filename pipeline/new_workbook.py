"""Writing a plan workbook by the contract: blank for ``pcc-report new-workbook``, or filled.

The sample (``scripts/make_sample.py``) and the test fixtures write through here too, so every
workbook the project makes follows the same sheets, headers, formats and drop-down lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from pipeline import contract
from pipeline.contract import Column, TableSheet
from pipeline.s143 import S143_PURPOSES

Cell = Any  # a value written as it is: str, Decimal, int, date, or Formula
MAX_ROWS = 500  # rows given drop-downs and formats in a blank workbook


@dataclass(frozen=True)
class Formula:
    """A formula with the value Excel would have saved with it (``value=None``: none saved)."""

    text: str
    value: Decimal | int | None = None


def total_row(first: int, last: int, value: Decimal | int, column: str = "L") -> list[Cell]:
    """A typed Total row as finance staff keep it: ``=SUM(L4:L13)`` with its saved value."""
    return ["Total", *[""] * 10, Formula(f"=SUM({column}{first}:{column}{last})", value)]


@dataclass
class WorkbookContent:
    """What goes in each sheet. Rows are lists in the contract's column order (see ``columns``)."""

    decision: Sequence[tuple[str, Cell]] = ()
    funds: Sequence[Sequence[Cell]] = ()
    sources: Sequence[Sequence[Cell]] = ()
    services: Sequence[Sequence[Cell]] = ()
    document_control: Sequence[Sequence[Cell]] = ()  # Field, Value
    # Change, Initials, Date, Version; None: no change-control table (as a workbook before it)
    change_control: Sequence[Sequence[Cell]] | None = ()
    title_rows: Mapping[str, Sequence[str]] = field(default_factory=dict)
    circulation: Sequence[Sequence[Cell]] | None = None  # Role, Name, E-mail; None: no sheet


HOW_TO = (
    "How to fill this in",
    "",
    "One workbook holds one decision. Keep the sheet names and the header rows as they are;",
    "you may add columns of your own (they are ignored) and a title row or two above a header.",
    "",
    "Decision: one row per field. Dates as dd/mm/yyyy. Add Recommendation 1, Recommendation 2, …",
    "Funds: one row per fund with its allocation in pounds (pence allowed).",
    "Funding sources: where each fund's money comes from; the sources of a fund must add up to",
    "   its allocation. Mark ring-fenced grants (e.g. the MoJ Victims' Services Grant) Yes.",
    "Services: one row per budget line. Fund must be a name from the Funds sheet.",
    "   Dates are day-first (01/04/2021) or a month (April 2021 = 1 April; as an end date,",
    "   March 2022 = 31 March). Mechanism: Contract, Partnership agreement (public sector",
    "   bodies only) or Grant. Community Safety Fund lines need an s143 Purpose.",
    '   A Total row ("Total" in the Fund or Service column) after a fund\'s lines is checked',
    "   against the sum of those lines.",
    "",
    "Document control (optional): Field and Value rows (Version, Status, Owner, …), then below",
    "   a blank row the change-control table: Change, Initials, Date, Version, one row per change.",
    "",
    "Circulation (optional): Role, Name and E-mail of each person the report is sent to for",
    "   sign-off; the build then prepares the e-mail with the report attached.",
    "",
    "Then save the workbook in input/ and run:  make report",
    "Problems are listed with the sheet and cell to correct, and in output/<ref>/findings.json.",
    "",
    "The s143 purposes, one of which each Community Safety Fund line must serve (the Purpose",
    "   column's drop-down lists them from the cells below):",
)
# The Purpose drop-down's source: these cells of the How sheet, below HOW_TO. A list typed
# into the validation splits at every comma, and the Act's "Reducing misuse of drugs, alcohol
# and other substances" showed as two choices.
_PURPOSES_FIRST_ROW = len(HOW_TO) + 1  # 1-based
_PURPOSE_LIST = (
    f"='How to fill this in'!$A${_PURPOSES_FIRST_ROW}:"
    f"$A${_PURPOSES_FIRST_ROW + len(S143_PURPOSES) - 1}"
)


def _write_cell(ws: Any, row: int, col: int, value: Cell, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, formats["text"])
    elif isinstance(value, Formula):
        if value.value is None:
            ws.write_formula(row, col, value.text, formats["money"], "")
        else:
            ws.write_formula(row, col, value.text, formats["money"], value.value)
    elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        ws.write_number(row, col, value, formats["money"])
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(row, col, value, formats["date"])
    else:
        ws.write_string(row, col, str(value), formats["text"])


def _table(
    workbook: Any,
    spec: TableSheet,
    rows: Sequence[Sequence[Cell]],
    titles: Sequence[str],
    formats: dict[str, Any],
) -> Any:
    ws = workbook.add_worksheet(spec.name)
    top = len(titles)
    for r, title in enumerate(titles):
        ws.write_string(r, 0, title, formats["title"])
    for c, column in enumerate(spec.columns):
        ws.write_string(top, c, column.header, formats["header"])
        ws.set_column(c, c, column.width, _column_format(column, formats))
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values):
            _write_cell(ws, r, c, value, formats)
    ws.freeze_panes(top + 1, 0)
    return ws


def _change_control(
    ws: Any, top: int, rows: Sequence[Sequence[Cell]], formats: dict[str, Any]
) -> None:
    """The change-control table on the Document control sheet: its header row at ``top``
    (below the fields and a blank row), then a row per change; Version is kept as text, so
    "1.0" stays "1.0"."""
    for c, column in enumerate(contract.CHANGE_CONTROL.columns):
        ws.write_string(top, c, column.header, formats["header"])
    ws.set_column(2, 2, contract.CHANGE_CONTROL.columns[2].width, formats["date_col"])
    for r, values in enumerate(rows, start=top + 1):
        for c, value in enumerate(values):
            if c == 3 and value not in (None, ""):
                ws.write_string(r, c, str(value), formats["text"])
            else:
                _write_cell(ws, r, c, value, formats)


def _column_format(column: Column, formats: dict[str, Any]) -> Any:
    if column.key in {"allocation", "amount", "budget"}:
        return formats["money"]
    if column.key in {"start", "end"}:
        return formats["date_col"]
    return formats["wrap"]


def _list_validation(ws: Any, spec: TableSheet, key: str, top: int, source: Any) -> None:
    col = next(i for i, c in enumerate(spec.columns) if c.key == key)
    options: dict[str, Any] = {
        "validate": "list",
        "source": source,
        "error_type": "warning",
        "ignore_blank": True,
    }
    ws.data_validation(top + 1, col, top + MAX_ROWS, col, options)


def write_workbook(target: Path | IO[bytes], content: WorkbookContent | None = None) -> None:
    """Write a plan workbook (blank when ``content`` is None) with formats and drop-downs."""
    import xlsxwriter

    blank = content is None
    content = content or WorkbookContent()
    workbook = xlsxwriter.Workbook(
        target, {"strings_to_formulas": False, "strings_to_numbers": False}
    )
    workbook.set_properties({"title": "PCC commissioning plan", "created": datetime(2021, 1, 1)})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "money": workbook.add_format({"num_format": "£#,##0.00"}),
        "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "date_col": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }

    decision_rows = content.decision or [
        (f.name, "") for f in contract.DECISION_FIELDS if f.key not in {"background", "plan_links"}
    ] + [("Recommendation 1", ""), ("Recommendation 2", "")]
    ws = _table(
        workbook,
        contract.DECISION,
        [list(row) for row in decision_rows],
        content.title_rows.get("Decision", ()),
        formats,
    )
    yes_no_rows = [
        i
        for i, (name, _) in enumerate(decision_rows, start=1)
        if name in {"Publication deferred", "Part 2 form"}
    ]
    for r in yes_no_rows:
        ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(contract.YES_NO)})

    funds_top = len(content.title_rows.get("Funds", ()))
    _table(workbook, contract.FUNDS, content.funds, content.title_rows.get("Funds", ()), formats)
    fund_list = f"=Funds!$A${funds_top + 2}:$A${funds_top + 1 + MAX_ROWS // 5}"

    ws = _table(
        workbook,
        contract.SOURCES,
        content.sources,
        content.title_rows.get("Funding sources", ()),
        formats,
    )
    top = len(content.title_rows.get("Funding sources", ()))
    _list_validation(ws, contract.SOURCES, "fund", top, fund_list)
    _list_validation(ws, contract.SOURCES, "ring_fenced", top, list(contract.YES_NO))

    ws = _table(
        workbook,
        contract.SERVICES,
        content.services,
        content.title_rows.get("Services", ()),
        formats,
    )
    top = len(content.title_rows.get("Services", ()))
    _list_validation(ws, contract.SERVICES, "fund", top, fund_list)
    _list_validation(
        ws, contract.SERVICES, "organisation_type", top, list(contract.ORGANISATION_TYPES)
    )
    _list_validation(ws, contract.SERVICES, "mechanism", top, list(contract.MECHANISMS))
    _list_validation(ws, contract.SERVICES, "purpose", top, _PURPOSE_LIST)

    control = content.document_control or [
        (name, "")
        for name in ("Version", "Status", "Owner", "Date of this version", "Next review due")
    ]
    ws = _table(workbook, contract.DOCUMENT_CONTROL, control, (), formats)
    if content.change_control is not None:
        _change_control(ws, len(control) + 2, content.change_control, formats)
    if blank or content.circulation is not None:
        _table(workbook, contract.CIRCULATION, content.circulation or [], (), formats)

    how = workbook.add_worksheet("How to fill this in")
    how.set_column(0, 0, 100)
    for r, text in enumerate(HOW_TO):
        how.write_string(r, 0, text, formats["title"] if r == 0 else formats["text"])
    for r, purpose in enumerate(S143_PURPOSES, start=_PURPOSES_FIRST_ROW - 1):
        how.write_string(r, 0, purpose, formats["text"])
    workbook.close()
