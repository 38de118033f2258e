"""The optional sheets: Circulation (who the report is e-mailed to) and Document control."""

from __future__ import annotations

from pipeline import contract
from pipeline.model import Located, Recipient
from pipeline.read_cells import CellReader, Findings
from pipeline.sheets import Sheet
from pipeline.values import clean_text, is_blank, normalise


def read_circulation(sheet: Sheet, findings: Findings) -> tuple[Recipient, ...]:
    """The Circulation sheet (Role | Name | E-mail): who the report is sent to.

    Each address is checked for form only (no DNS look-up); a bad one is an E-EMAIL at its
    cell. An empty sheet is no circulation: the build then prepares no e-mail.
    """
    if all(is_blank(v) for row in sheet.rows.values() for v in row):
        return ()
    cells_of = CellReader(sheet, findings)
    layout = cells_of.header(contract.CIRCULATION)
    if layout is None:
        return ()
    from email_validator import EmailNotValidError, validate_email

    recipients: list[Recipient] = []
    for r in cells_of.rows(contract.CIRCULATION, layout):
        cells: dict[str, str] = {}
        role = cells_of.text(r, layout, "role", False, cells)
        name = cells_of.text(r, layout, "name", False, cells)
        address = cells_of.text(r, layout, "email", True, cells)
        if role is None or name is None or address is None:
            continue
        try:
            valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError as error:
            who = name or role or f"row {r}"
            cells_of.add(
                "E-EMAIL",
                f'The e-mail address of {who} reads "{address}", which is not a valid address '
                f"({error}). Correct it (e.g. jane.smith@example.police.uk) or delete the row.",
                cells["email"],
            )
            continue
        recipients.append(Recipient(role, name, valid.normalized, Located(sheet.title, r, cells)))
    return tuple(recipients)


def read_document_control(sheet: Sheet) -> tuple[tuple[str, str], ...]:
    """The Document control sheet's rows as (field, value) pairs, shown in the report."""
    pairs: list[tuple[str, str]] = []
    for values in sheet.rows.values():
        cells = [clean_text(v) for v in values if not is_blank(v)]
        if len(cells) >= 2 and normalise(cells[0]) not in {"field"}:
            pairs.append((cells[0], " · ".join(cells[1:])))
    return tuple(pairs)
