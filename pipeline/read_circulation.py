"""The optional sheets: Circulation (who the report is e-mailed to) and Document control."""

from __future__ import annotations

import re

from pipeline import contract
from pipeline.model import ChangeRecord, Located, Recipient
from pipeline.read_cells import CellReader, Findings, Layout, label, map_columns
from pipeline.sheets import Cell, Sheet, column_letter
from pipeline.values import ValueProblem, clean_text, format_date, is_blank, normalise, parse_date

# An address of the plain form nearly every office uses (jane.smith@example.police.uk): words of
# letters, digits, _ + - joined by dots; a lower-case domain of hyphenated labels under uk, com,
# org or net. email_validator accepts each such address unchanged, so it is taken as it is
# without importing the library (some 20-35 ms of regular expressions compiled at import, most
# of a `check`'s start-up, issue 21); every other address goes to email_validator, which says
# what is wrong (tests/test_mail.py holds the two to agreeing).
_PLAIN_ADDRESS = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?P<domain>(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+(?:uk|com|org|net))"
)


def plain_address(address: str) -> bool:
    """Whether ``address`` is of the plain form above, within the lengths RFC 5321 allows."""
    match = _PLAIN_ADDRESS.fullmatch(address)
    return bool(
        match
        and len(address) <= 254
        and len(match["local"]) <= 64
        and all(len(label) <= 63 for label in match["domain"].split("."))
    )


# An address as Outlook and Excel give it: "Jane Smith <jane.smith@example.police.uk>" pasted
# from a message's To line, "mailto:jane.smith@..." copied from a link. The address inside is
# checked as any other; the name is the Name column's.
_DISPLAY_NAME = re.compile(r"[^<>@]*<\s*(?P<address>[^<>\s]+)\s*>")
_MAILTO = re.compile(r"mailto:\s*(?P<address>[^?\s]+)", re.IGNORECASE)


def _address(typed: str) -> str:
    """The address in ``typed``: inside a display name's angle brackets, after "mailto:"."""
    found = _DISPLAY_NAME.fullmatch(typed) or _MAILTO.fullmatch(typed)
    return found["address"] if found else typed


def read_circulation(sheet: Sheet, findings: Findings) -> tuple[tuple[Recipient, ...], Located]:
    """The Circulation sheet (Role | Name | E-mail): who the report is sent to, and where
    its first person goes (the row below the header; row 1 of a blank sheet).

    Each address is checked for form only (no DNS look-up); a bad one is an E-EMAIL at its
    cell. An empty sheet is no circulation: the build then prepares no e-mail.
    """
    if all(is_blank(v) for row in sheet.rows.values() for v in row):
        return (), Located(sheet.title, 1, {"role": "A1"})
    cells_of = CellReader(sheet, findings)
    layout = cells_of.header(contract.CIRCULATION)
    if layout is None:
        return (), Located(sheet.title, 1, {"role": "A1"})
    first = layout.header_row + 1
    start = Located(
        sheet.title, first, {"role": layout.ref("role", first)} if "role" in layout.columns else {}
    )
    recipients: list[Recipient] = []
    for r in cells_of.rows(contract.CIRCULATION, layout):
        cells: dict[str, str] = {}
        role = cells_of.text(r, layout, "role", False, cells)
        name = cells_of.text(r, layout, "name", False, cells)
        address = cells_of.text(r, layout, "email", True, cells)
        if role is None or name is None or address is None:
            continue
        typed, address = address, _address(address)
        if plain_address(address):
            normalized = address
        else:
            from email_validator import EmailNotValidError, validate_email

            try:
                valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
            except EmailNotValidError as error:
                who = name or role or f"row {r}"
                several = len([a for a in re.split(r"[;,]", typed) if "@" in a]) > 1
                cells_of.add(
                    "E-EMAIL",
                    f'The e-mail address of {who} reads "{typed}", which '
                    + (
                        "holds several addresses: give each person a row of their own."
                        if several
                        else f"is not a valid address ({error}). Correct it (e.g. "
                        "jane.smith@example.police.uk) or delete the row."
                    ),
                    cells["email"],
                )
                continue
            normalized = valid.normalized
        recipients.append(Recipient(role, name, normalized, Located(sheet.title, r, cells)))
    return tuple(recipients), start


def read_document_control(
    sheet: Sheet, findings: Findings
) -> tuple[tuple[tuple[str, str], ...], tuple[ChangeRecord, ...]]:
    """The Document control sheet: its (field, value) rows, then its change-control table.

    The field rows run down to the change-control header row (``Change | Initials | Date |
    Version``); each row below it is one change. A change row that is incomplete or has an
    unreadable date is a W-CHANGE-ROW at its cell and is left out of the report. A row in the
    old layout ("Change: First Draft" | "JD 11/12/2019" | "0.1", learnt from the first sample)
    is still read, with a W-CHANGE-PREFIX saying how to move it into the table: a workbook
    kept from an earlier year then builds the same report while it is moved.
    """
    header = _change_header(sheet)
    pairs: list[tuple[str, str]] = []
    changes: list[ChangeRecord] = []
    for r, values in sheet.rows.items():
        if header is not None and r >= header:
            break
        cells = [clean_text(v) for v in values if not is_blank(v)]
        if cells and _OLD_CHANGE.match(cells[0]):
            first = next(c for c, v in enumerate(values, start=1) if not is_blank(v))
            at = f"{column_letter(first)}{r}"
            changes.append(_old_change(sheet.title, at, r, cells, findings))
        elif len(cells) >= 2 and normalise(cells[0]) not in {"field"}:
            pairs.append((cells[0], " · ".join(cells[1:])))
    if header is not None:
        changes.extend(_changes(sheet, header, findings))
    return tuple(pairs), tuple(changes)


_OLD_CHANGE = re.compile(r"^\s*change\s*:\s*", re.IGNORECASE)
_INITIALS_DATE = re.compile(r"^(.*?)\s*(\d{1,2}/\d{1,2}/\d{2,4})$")
_COLUMNS = "Change | Initials | Date | Version"


def _change_header(sheet: Sheet) -> int | None:
    """The row of the change-control header: its first cell names the Change column and at
    least one more of its columns is there."""
    for r, values in sheet.rows.items():
        first = next((v for v in values if not is_blank(v)), None)
        column = contract.CHANGE_CONTROL.column(first) if isinstance(first, str) else None
        if (
            column is not None
            and column.key == "change"
            and len(map_columns(values, contract.CHANGE_CONTROL)) >= 2
        ):
            return r
    return None


def _version(raw: Cell) -> str:
    """A version as typed; a number Excel made of "1.0" keeps its ".0"."""
    text = clean_text(raw)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and "." not in text:
        text += ".0"
    return text


def _changes(sheet: Sheet, header: int, findings: Findings) -> list[ChangeRecord]:
    """The change-control table's rows below ``header``."""
    cells_of = CellReader(sheet, findings)
    columns = map_columns(sheet.rows[header], contract.CHANGE_CONTROL)
    missing = [c.header for c in contract.CHANGE_CONTROL.columns if c.key not in columns]
    if missing:
        cells_of.add(
            "W-CHANGE-ROW",
            f"The change-control header in row {header} has no "
            + " or ".join(f'"{m}"' for m in missing)
            + f" column, so no change is shown. Make the header read {_COLUMNS}.",
            f"{header}:{header}",
        )
        return []
    layout = Layout(header, columns)
    found: list[ChangeRecord] = []
    for r in cells_of.rows(contract.CHANGE_CONTROL, layout):
        refs = {key: layout.ref(key, r) for key in columns}
        change, initials = (clean_text(sheet.value(r, columns[k])) for k in ("change", "initials"))
        version = _version(sheet.value(r, columns["version"]))
        problems = [
            (key, f"{label(key)} is blank")
            for key, text in (("change", change), ("initials", initials), ("version", version))
            if not text
        ]
        when = None
        try:
            when, _ = parse_date(cells_of.value(r, columns["date"]))
        except ValueProblem as unreadable:
            problems.append(("date", f"Date {unreadable}"))
        if problems:
            what = change or f"row {r}"
            for key, why in problems:
                cells_of.add(
                    "W-CHANGE-ROW",
                    f'The change "{what}" is left out of the change-control table: {why}. '
                    "Fill in each of Change, Initials, Date (dd/mm/yyyy) and Version "
                    "(e.g. 1.1), or delete the row.",
                    refs[key],
                )
            continue
        found.append(ChangeRecord(change, initials, when, version, Located(sheet.title, r, refs)))
    return found


def _old_change(title: str, at: str, r: int, cells: list[str], findings: Findings) -> ChangeRecord:
    """A row in the old layout: "Change: <what>" | "<initials> <date>" | "<version>"."""
    change = _OLD_CHANGE.sub("", cells[0])
    who = cells[1] if len(cells) > 1 else ""
    version = cells[2] if len(cells) > 2 else ""
    initials, when = who, None
    split = _INITIALS_DATE.match(who)
    if split:
        try:
            when, _ = parse_date(split.group(2))
            initials = split.group(1)
        except ValueProblem:
            pass
    shown = " | ".join(cells)
    findings.add(
        "W-CHANGE-PREFIX",
        f'Row {r} reads "{shown}", the old way of writing a change (read as before for now). '
        f"Move it into the change-control table: below the fields, a header row {_COLUMNS}, "
        f'then this change as "{change}" | "{initials}" | '
        f'"{format_date(when) if when else "dd/mm/yyyy"}" | "{version}".',
        title,
        at,
    )
    return ChangeRecord(change, initials, when, version, Located(title, r, {}))
