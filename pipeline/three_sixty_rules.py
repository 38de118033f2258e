"""The checks 360Giving's own data-quality tool applies that a plan's grants can break.

Each is a warning for the Chief Finance Officer (the grants are still published): W-ORG-ID for a
recipient without a registered identifier, W-360-… for an amount, title, date or registration
number the tool would flag.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import TypeAlias

from pipeline.config import Config
from pipeline.findings import Finding
from pipeline.model import Plan, ServiceLine
from pipeline.org_ids import (
    CHARITY_LISTS,
    COMPANY_LIST,
    number_fault,
    number_org_id,
    parse_org_id,
)
from pipeline.three_sixty import award_date, grant_lines, public_text
from pipeline.values import format_date, normalise

MAX_CELLS_NAMED = 5  # a recipient's W-ORG-ID names its first cells, then "and N more"
MAX_TITLE = 140  # the quality tool's limit for a grant title
# The quality tool flags a planned date more than 12 years ahead, and any date more than 25
# years ago (FarFuturePlannedDates, FarPastDates): a year typed wrongly (2122, 1921) mostly.
FAR_AHEAD_YEARS = 12
FAR_BACK_YEARS = 25
# The checker takes two letters before a charity number (SC012345) in the charity number it
# publishes, but not in a GB-CHC- identifier: England and Wales's numbers are digits alone.
_REGISTERS = {
    "GB-CHC": "Charity Commission",
    "GB-SC": "Scottish Charity Regulator",
    "GB-NIC": "Charity Commission for Northern Ireland",
}
_CHARITY_NUMBER = re.compile(r"(?:[A-Za-z]{2})?\d{6,7}")  # SC012345 or 1151444
_CHC_NUMBER = re.compile(r"\d{6,7}")
_COMPANY_NUMBER = re.compile(r"\w{8}")
_At: TypeAlias = Callable[[str, str, str], Finding]  # (code, attribute, message) -> located


def findings(plan: Plan, config: Config, today: dt.date) -> list[Finding]:
    """W-360-… and W-ORG-ID for the grant lines, when a 360Giving file is made (the publisher
    prefix is set; without it the build notes I-360-SKIPPED instead).

    Run once the plan has no errors (as the outputs are): a line that ends before it starts is
    already E-DATES, and a negative budget E-VALUE.
    """
    if not config.funder_prefix:
        return []
    found = [f for line in grant_lines(plan) for f in _line_findings(plan, line, today)]
    return _by_recipient(plan, found, _missing_org_ids(plan))


def _missing_org_ids(plan: Plan) -> dict[tuple[str, str], list[ServiceLine]]:
    """The grant lines without a usable org-id, grouped by recipient and by what is wrong."""
    groups: dict[tuple[str, str], list[ServiceLine]] = {}
    for line in grant_lines(plan):
        if parse_org_id(line.recipient_org_id) is None:
            reason = _no_org_id(line, clean(line.recipient_org_id))
            groups.setdefault((normalise(line.organisation), reason), []).append(line)
    return groups


def _by_recipient(
    plan: Plan, found: list[Finding], groups: dict[tuple[str, str], list[ServiceLine]]
) -> list[Finding]:
    """``found`` with one W-ORG-ID per recipient (and what is wrong), in place of its first
    line's: a plan of 2,000 lines to ten unregistered recipients is ten warnings, not 2,000,
    each naming the cells to fill in."""
    firsts = {
        (line.at.sheet, line.at.cell("recipient_org_id")): (key, lines)
        for key, lines in groups.items()
        for line in lines[:1]
    }
    merged: list[Finding] = []
    for finding in found:
        if finding.code != "W-ORG-ID":
            merged.append(finding)
        elif (finding.sheet, finding.cell) in firsts:
            (_, reason), lines = firsts[(finding.sheet, finding.cell)]
            merged.append(finding if len(lines) == 1 else _several(plan, lines, reason))
    return merged


def _several(plan: Plan, lines: list[ServiceLine], reason: str) -> Finding:
    """W-ORG-ID for several grants to one recipient, naming the first cells and how many more."""
    cells = [line.at.cell("recipient_org_id") for line in lines]
    shown = cells[:MAX_CELLS_NAMED]
    if all(cell.startswith("row ") for cell in shown):  # no Recipient org ID column
        named = "rows " + ", ".join(cell.removeprefix("row ") for cell in shown)
    else:
        named = ", ".join(shown)
    if len(cells) > MAX_CELLS_NAMED:
        named += f" and {len(cells) - MAX_CELLS_NAMED} more"
    first = lines[0]
    return Finding(
        "W-ORG-ID",
        plan.file,
        f"The {len(lines)} grants to {clean(first.organisation)} ({first.at.sheet} {named}): "
        + (f"their {reason[4:]}" if reason.startswith("its ") else reason),
        first.at.sheet,
        cells[0],
    )


def _line_findings(plan: Plan, line: ServiceLine, today: dt.date) -> Iterator[Finding]:
    where = f'The grant "{clean(line.service)}" to {clean(line.organisation)}'

    def at(code: str, key: str, message: str) -> Finding:
        return Finding(code, plan.file, message, line.at.sheet, line.at.cell(key))

    if line.budget <= 0:
        yield at(
            "W-360-AMOUNT",
            "budget",
            f"{where} is for £{line.budget}. 360Giving's checker flags a grant of £0 or less. "
            "Enter the amount awarded, or change the mechanism if it is not a grant.",
        )
    if len(public_text(line.service)) > MAX_TITLE:
        yield at(
            "W-360-TITLE",
            "service",
            f"{where} has a Service name of {len(public_text(line.service))} characters; in "
            f"360Giving it is the grant's title, which should be {MAX_TITLE} or fewer. Shorten "
            "the Service name and put the detail in Provision.",
        )
    if line.start > line.end:
        yield at(
            "W-360-DATES",
            "start",
            f"{where} starts on {format_date(line.start)}, after it ends on "
            f"{format_date(line.end)}. Correct the start or end date.",
        )
    yield from _far_dates(line, where, at, today)
    decision = plan.decision
    awarded = award_date(decision)
    if awarded > today:
        field = "pcc_approval_date" if decision.pcc_approval_date else "date"
        yield Finding(
            "W-360-AWARD-DATE",
            plan.file,
            f"{where} is published as awarded on {format_date(awarded)}, which is in the "
            "future. Correct the date, or build again once the decision is signed.",
            decision.at.sheet,
            decision.at.cell(field),
        )
    yield from _org_findings(line, where, at)
    yield from _other_numbers(line, where, at)


def _far_dates(line: ServiceLine, where: str, at: _At, today: dt.date) -> Iterator[Finding]:
    """W-360-DATES: the line's first planned date that the quality tool would flag."""
    ahead, back = _years_on(today, FAR_AHEAD_YEARS), _years_on(today, -FAR_BACK_YEARS)
    for key, verb, day in (("start", "starts", line.start), ("end", "ends", line.end)):
        if day > ahead or day < back:
            far = (
                f"over {FAR_AHEAD_YEARS} years from now"
                if day > ahead
                else f"over {FAR_BACK_YEARS} years ago"
            )
            yield at(
                "W-360-DATES",
                key,
                f"{where} {verb} on {format_date(day)}, {far}: likely a typing slip, which the "
                "360Giving file's description of the grant would publish. Check the year, and "
                "correct it if it is wrong.",
            )
            return


def _years_on(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (earlier when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _org_findings(line: ServiceLine, where: str, at: _At) -> Iterator[Finding]:
    typed = clean(line.recipient_org_id)
    org_id = parse_org_id(line.recipient_org_id)
    if org_id is None:
        yield at("W-ORG-ID", "recipient_org_id", f"{where}: {_no_org_id(line, typed)}")
        return
    if not org_id.listed:
        yield at(
            "W-360-ORG-LIST",
            "recipient_org_id",
            f'{where}: its Recipient org ID "{typed}" starts with {org_id.list_code}-, which is '
            "no list on org-id.guide, and 360Giving's checker flags it. Use GB-CHC- (a charity "
            "in England and Wales), GB-SC- (Scotland), GB-NIC- (Northern Ireland), GB-COH- (a "
            "company), GB-LAE- (an English council), GB-PLA- (a Welsh council) or GB-LAS- (a "
            "Scottish council).",
        )
        return
    pattern = _CHC_NUMBER if org_id.list_code == "GB-CHC" else _CHARITY_NUMBER
    if org_id.list_code in CHARITY_LISTS and pattern.fullmatch(org_id.number) is None:
        scottish = org_id.number[:2].upper() == "SC" and org_id.list_code == "GB-CHC"
        fix = (
            f"A Scottish charity (SC…) is on the GB-SC list: type GB-SC-{org_id.number}"
            if scottish
            else f"Check it on the {_REGISTERS[org_id.list_code]}'s register and correct it"
        )
        yield at(
            "W-360-CHARITY-NUMBER",
            "recipient_org_id",
            f'{where}: its Recipient org ID "{typed}" holds a charity number of '
            f"{len(org_id.number)} characters; a registered charity number has 6 or 7 digits. "
            f"{fix}.",
        )
    if org_id.list_code == COMPANY_LIST and _COMPANY_NUMBER.fullmatch(org_id.number) is None:
        short = org_id.number.isdigit() and len(org_id.number) < 8
        fix = (
            "Excel drops the leading zeros of a number: type it as text with its zeros, "
            f"{COMPANY_LIST}-{org_id.number.zfill(8)}"
            if short
            else "Check it on the Companies House register and correct it"
        )
        yield at(
            "W-360-COMPANY-NUMBER",
            "recipient_org_id",
            f'{where}: its Recipient org ID "{typed}" holds a company number of '
            f"{len(org_id.number)} characters; Companies House numbers have 8. {fix}.",
        )


def _other_numbers(line: ServiceLine, where: str, at: _At) -> Iterator[Finding]:
    """W-360-CHARITY-NUMBER / W-360-COMPANY-NUMBER: a charitable company's second number,
    which the 360Giving file would publish beside its identifier, cannot be read."""
    used = line.recipient_number[0] if line.recipient_number[1] else ""
    for key, number in line.registered_numbers:
        if key == used or number_org_id(key, number) is not None:
            continue
        code = "W-360-CHARITY-NUMBER" if key == "charity_number" else "W-360-COMPANY-NUMBER"
        yield at(
            code,
            key,
            f'{where}: its {key.replace("_", " ").capitalize()} "{clean(number)}" '
            f"{number_fault(key, number)}; it is left out of the 360Giving file until then.",
        )


def _no_org_id(line: ServiceLine, typed: str) -> str:
    """W-ORG-ID's message after the grant's name: what was seen, and how to fix it."""
    made_up = (
        "so the 360Giving file identifies the recipient by a made-up identifier and nobody can "
        "link it to the charity or company registers"
    )
    key, number = line.recipient_number
    column = key.replace("_", " ").capitalize()
    if number:
        return f'its {column} "{clean(number)}" {number_fault(key, number)}; until then {made_up}.'
    if key:
        return (
            f"its {column} is blank, {made_up}. Enter its {column.lower()}, or for a recipient "
            "without one add a Recipient org ID column and enter its org-id there: "
            "GB-LAE-<English council code>, GB-PLA-<Welsh council code>, GB-NHS-<NHS code> "
            "(see org-id.guide)."
        )
    if typed:
        seen = f'its Recipient org ID reads "{typed}", which is not an org-id'
    elif line.at.cells.get("recipient_org_id"):
        seen = "its Recipient org ID is blank"
    else:
        seen = "the Services sheet has no Recipient org ID column"
    return (
        f"{seen}, {made_up}. Enter it as GB-CHC-<charity number>, GB-COH-<company number>, "
        "GB-SC-<Scottish charity number>, GB-LAE-<English council code> or "
        "GB-PLA-<Welsh council code> (see org-id.guide)."
    )


def clean(text: str) -> str:
    """Text for a message: tidy and short enough to read in one line."""
    tidy = public_text(text).replace("\n", " ")
    return tidy if len(tidy) <= 60 else tidy[:57] + "..."
