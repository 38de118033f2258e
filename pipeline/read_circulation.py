"""The optional sheets: Circulation (who the report is e-mailed to) and Document control."""

from __future__ import annotations

import re

from pipeline import contract
from pipeline.model import Located, Recipient
from pipeline.read_cells import CellReader, Findings
from pipeline.sheets import Sheet
from pipeline.values import clean_text, is_blank, normalise

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
    recipients: list[Recipient] = []
    for r in cells_of.rows(contract.CIRCULATION, layout):
        cells: dict[str, str] = {}
        role = cells_of.text(r, layout, "role", False, cells)
        name = cells_of.text(r, layout, "name", False, cells)
        address = cells_of.text(r, layout, "email", True, cells)
        if role is None or name is None or address is None:
            continue
        if plain_address(address):
            normalized = address
        else:
            from email_validator import EmailNotValidError, validate_email

            try:
                valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
            except EmailNotValidError as error:
                who = name or role or f"row {r}"
                cells_of.add(
                    "E-EMAIL",
                    f'The e-mail address of {who} reads "{address}", which is not a valid '
                    f"address ({error}). Correct it (e.g. jane.smith@example.police.uk) or "
                    "delete the row.",
                    cells["email"],
                )
                continue
            normalized = valid.normalized
        recipients.append(Recipient(role, name, normalized, Located(sheet.title, r, cells)))
    return tuple(recipients)


def read_document_control(sheet: Sheet) -> tuple[tuple[str, str], ...]:
    """The Document control sheet's rows as (field, value) pairs, shown in the report."""
    pairs: list[tuple[str, str]] = []
    for values in sheet.rows.values():
        cells = [clean_text(v) for v in values if not is_blank(v)]
        if len(cells) >= 2 and normalise(cells[0]) not in {"field"}:
            pairs.append((cells[0], " · ".join(cells[1:])))
    return tuple(pairs)
