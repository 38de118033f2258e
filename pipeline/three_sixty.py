"""The plan's grants as 360Giving open data (360Giving Data Standard 1.4.3).

UK grant-makers publish their grants in this standard so that anyone can see who funds whom;
GrantNav and 360Insights read it. For each line whose mechanism is Grant this makes one grant
record, written twice: ``360giving-<ref>.json`` (a package valid against the standard's package
schema) and ``360giving-<ref>.xlsx`` (the official spreadsheet layout: a ``grants`` sheet with
the template's column titles and a ``Meta`` sheet).

A grant's identifier is ``360G-<prefix>-<reference>-<line key>``. The line key is a short hash
of what the line *is* (fund, service, organisation, provision), not of its row, so a grant keeps
its identifier when the plan is rebuilt or a line is inserted above it: a re-published file then
updates the grant rather than adding a second one.

The warnings the standard's own data-quality tool would give (W-360-…, W-ORG-ID) are in
``three_sixty_rules``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeAlias

from pipeline.config import Config
from pipeline.model import Decision, Plan, ServiceLine
from pipeline.org_ids import CHARITY_LISTS, COMPANY_LIST, number_org_id, parse_org_id
from pipeline.person_names import planned_organisations
from pipeline.textsafe import (
    REMOVED,
    fit_cell,
    for_publication,
    scrub_personal_data,
    starts_like_formula,
)
from pipeline.values import clean_text, format_long_date, normalise, slugify

Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | Decimal"

LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
SCHEMA_VERSION = "1.4"  # the package's "version": major.minor of the standard
GRANT = "Grant"
KEY_LENGTH = 10  # hex digits of the line key: collisions in one plan are vanishingly unlikely
COUNTRY = "GB"
FORCE_AREA_TYPE = "PFA"  # geoCodeType: Police Force Areas (ONS E23/W15)
SETTING_HINT = (
    'add funder_prefix = "yourprefix" (your 360Giving publisher prefix, e.g. '
    '"lincolnshirepcc") under [tool.pcc-report] in pyproject.toml or pcc-report.toml'
)

# The grants sheet's columns, spelt as in the standard's template, and what fills them.
COLUMNS: tuple[str, ...] = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Charity Number",
    "Recipient Org:Company Number",
    "Beneficiary Location:Name",
    "Beneficiary Location:Country Code",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
)
LOCATION_COLUMNS = COLUMNS[13:17]


def public_text(raw: str) -> str:
    """See :func:`_public_text`; kept per plan, whose organisations' names are never removed."""
    return _public_text(raw, planned_organisations())


@functools.lru_cache(maxsize=8192)  # organisations, the body and wording repeat line after line
def _public_text(raw: str, planned: frozenset[str]) -> str:
    """Text as it may be published: one line, tidy spaces, no invisible characters and no
    e-mail addresses or telephone numbers (staff sometimes type a contact into Provision)."""
    lines = for_publication(raw).split("\n")
    return scrub_personal_data(" ".join(clean_text(line) for line in lines).strip())


def skipped_message(grants: int) -> str:
    """I-360-SKIPPED: why there is no 360Giving file and how to have one."""
    return (
        f"No 360Giving open-data file was made for the {grants} grant line(s): the publisher "
        f"prefix is not set. To make it, {SETTING_HINT}."
    )


def funder_id(prefix: str) -> str:
    """``lincolnshirepcc`` -> ``360G-lincolnshirepcc``; a value already ``360G-…`` as it is."""
    prefix = prefix.strip()
    return prefix if prefix[:5].upper() == "360G-" else f"360G-{prefix}"


def grant_lines(plan: Plan) -> tuple[ServiceLine, ...]:
    """The lines whose mechanism is Grant, in sheet order."""
    return tuple(line for line in plan.lines if line.mechanism == GRANT)


def line_key(line: ServiceLine) -> str:
    """A short hash of fund, service, organisation and provision (case and spaces ignored)."""
    parts = (line.fund, line.service, line.organisation, line.provision)
    text = "\x1f".join(normalise(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


def grant_ids(plan: Plan, prefix: str) -> list[str]:
    """The identifier of each grant line, in the order of :func:`grant_lines`.

    Two identical lines (W-DUPLICATE) would share a key: the second is ``…-2``, and so on.
    """
    stem = f"{funder_id(prefix)}-{slugify(plan.decision.reference)}"
    seen: dict[str, int] = {}
    ids: list[str] = []
    for line in grant_lines(plan):
        key = line_key(line)
        seen[key] = seen.get(key, 0) + 1
        ids.append(f"{stem}-{key}" if seen[key] == 1 else f"{stem}-{key}-{seen[key]}")
    return ids


def award_date(decision: Decision) -> dt.date:
    """When the grants were awarded: the PCC's approval, else the decision's date."""
    return decision.pcc_approval_date or decision.date


def this_years_part(line: ServiceLine, decision: Decision) -> tuple[dt.date, dt.date]:
    """The dates of a line's agreement within the decision's financial year: what its Budget,
    the year's amount and the grant's Amount Awarded, pays for. A grant over two years was
    published as one year's money against 24 months (read as half the rate), and republished
    by the next year's decision with the same dates. A line outside the year keeps its dates."""
    start, end = max(line.start, decision.year_start), min(line.end, decision.year_end)
    return (start, end) if start <= end else (line.start, line.end)


def duration_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` inclusive; half a month or more counts as one.

    1 April 2021 – 31 March 2022 is 12; 1 September 2022 – 30 September 2023 is 13.
    """
    after = end + dt.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if _add_months(start, months) > after:
        months -= 1
    left_over = (after - _add_months(start, months)).days
    return max(months + (1 if left_over >= 15 else 0), 0)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


# -- organisation identifiers -------------------------------------------------------------------


def fallback_org_id(prefix: str, organisation: str) -> str:
    """The standard's fallback for an organisation with no registered identifier."""
    return f"{funder_id(prefix)}-org-{name_code(organisation)}"


# Apostrophes and dashes as Word and web pages write them, read as Excel types them: "Women’s
# Aid" pasted from Word is the recipient "Women's Aid" typed on another line (the curly one was
# dropped from the code, the straight one a hyphen: two recipients in GrantNav).
_AS_TYPED_IN_EXCEL = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201b\u02bc\u2032", "'")
    | dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
)


@functools.lru_cache(maxsize=8192)
def name_code(name: str) -> str:
    """A name as part of an identifier or code: ``Rape Crisis`` -> ``rape-crisis``.

    Made from the published name, so an e-mail address or telephone number typed into it is
    not spelt out in the identifier. Where the slug drops what tells two names apart -- letters
    outside ASCII (an Arabic or Cyrillic name is all of them) or the end of a name cut at 40
    characters -- a short hash of the name follows it, so two organisations never share one
    identifier; the same name always gives the same code.
    """
    text = public_text(name).translate(_AS_TYPED_IN_EXCEL)
    slug = slugify(text)
    folded = unicodedata.normalize("NFKD", text)
    lost = any(ch.isalnum() and not ch.isascii() for ch in folded)
    whole = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode().lower())
    if not lost and whole.strip("-") == slug:
        return slug
    digest = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:KEY_LENGTH]
    return digest if slug == "untitled" else f"{slug}-{digest}"


# -- the package ----------------------------------------------------------------------------------


def package(plan: Plan, config: Config) -> dict[str, Json]:
    """The 360Giving package of the plan's grant lines (``config.funder_prefix`` must be set)."""
    decision = plan.decision
    prefix = config.funder_prefix
    body = public_text(decision.body)
    reference = public_text(decision.reference)
    awarded = award_date(decision).isoformat()
    grants: list[Json] = [
        _grant(line, grant_id, plan, config)
        for line, grant_id in zip(grant_lines(plan), grant_ids(plan, prefix), strict=True)
    ]
    return {
        "version": SCHEMA_VERSION,
        "title": f"{body}: grants of decision {reference} ({decision.year_label})",
        "description": (
            f"The grants of the commissioning plan for {decision.year_label} of "
            f"{_with_the(body)}, as decided in decision {reference}: "
            f"{public_text(decision.subject)}."
        ),
        "identifier": f"{funder_id(prefix)}-{slugify(decision.reference)}",
        "issued": awarded,
        "publisher": {"name": body, "identifier": funder_id(prefix)},
        "license": LICENCE_URL,
        "grants": grants,
    }


def _grant(line: ServiceLine, grant_id: str, plan: Plan, config: Config) -> dict[str, Json]:
    decision = plan.decision
    title = public_text(line.service)
    description = public_text(line.provision)
    if description.casefold() in ("", title.casefold()):
        # 360Giving's checker flags a description that only repeats the title (a blank or
        # repeated Provision): say what the plan knows of the grant instead.
        description = (
            f"{title}: a grant to {public_text(line.organisation)} from the "
            f"{public_text(line.fund)}, {decision.year_label}."
        )
    start, end = this_years_part(line, decision)
    if (start, end) != (line.start, line.end):
        description = (
            f"{description.rstrip('.')}. This grant is the {decision.year_label} part of an "
            f"agreement from {format_long_date(line.start)} to {format_long_date(line.end)}."
        )
    grant: dict[str, Json] = {
        "id": grant_id,
        "title": title,
        "description": description,
        "currency": "GBP",
        "amountAwarded": line.budget,
        "awardDate": award_date(decision).isoformat(),
        "plannedDates": [
            {
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                "duration": duration_months(start, end),
            }
        ],
        "recipientOrganization": [_recipient(line, config.funder_prefix)],
        "fundingOrganization": [
            {"id": funder_id(config.funder_prefix), "name": public_text(decision.body)}
        ],
        "grantProgramme": [{"code": name_code(line.fund), "title": public_text(line.fund)}],
    }
    if config.force_area_code:
        grant["beneficiaryLocation"] = [
            {
                "name": public_text(decision.police_area),
                "countryCode": COUNTRY,
                "geoCode": config.force_area_code,
                "geoCodeType": FORCE_AREA_TYPE,
            }
        ]
    return grant


def _with_the(body: str) -> str:
    """``the Office of the …`` in a sentence (it read "The grants of Office of the …'s plan")."""
    return body if body.casefold().startswith("the ") else f"the {body}"


def _recipient(line: ServiceLine, prefix: str) -> dict[str, Json]:
    org_id = parse_org_id(line.recipient_org_id)
    name = public_text(line.organisation)
    if org_id is None:
        if REMOVED in name and not re.search(r"[^\W\d_]", name.replace(REMOVED, "")):
            # A person named with a title (a sole trader): every such name is published as
            # "[removed]", so a code made from it would make all of them one recipient. Each
            # grant's own key keeps them apart without spelling out who they are.
            return {"id": f"{funder_id(prefix)}-org-removed-{line_key(line)}", "name": name}
        return {"id": fallback_org_id(prefix, line.organisation), "name": name}
    recipient: dict[str, Json] = {"id": org_id.text, "name": name}
    # A charitable company is on both registers: the number its identifier is made from, then
    # the other register's number where the plan types it.
    registered = (number_org_id(key, typed) for key, typed in line.registered_numbers)
    for number in (org_id, *registered):
        if number is not None and number.list_code in CHARITY_LISTS:
            recipient.setdefault("charityNumber", number.number)
        elif number is not None and number.list_code == COMPANY_LIST:
            recipient.setdefault("companyNumber", number.number)
    return recipient


def to_json(value: Json, indent: int = 2, _depth: int = 0) -> str:
    """``value`` as JSON text, amounts written with their exact decimal digits.

    ``json.dumps`` knows no Decimal, and going through float would turn 84345.67 into its
    nearest binary fraction; here each Decimal is written digit for digit.
    """
    pad, inner = " " * (indent * _depth), " " * (indent * (_depth + 1))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {to_json(v, indent, _depth + 1)}"
            for k, v in value.items()
        )
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = (f"{inner}{to_json(v, indent, _depth + 1)}" for v in value)
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def json_name(decision: Decision) -> str:
    """``360giving-015-2021.json`` for decision ``015/2021``."""
    return f"360giving-{slugify(decision.reference)}.json"


def xlsx_name(decision: Decision) -> str:
    """``360giving-015-2021.xlsx`` for decision ``015/2021``."""
    return f"360giving-{slugify(decision.reference)}.xlsx"


def write_json(data: dict[str, Json], target: Path) -> None:
    """The package as UTF-8 JSON (the standard asks for UTF-8; no byte-order mark)."""
    target.write_bytes((to_json(data) + "\n").encode("utf-8"))


# -- the spreadsheet ----------------------------------------------------------------------------


def rows(data: dict[str, Json]) -> Iterator[dict[str, str | int | Decimal | dt.date]]:
    """One row per grant for the ``grants`` sheet, keyed by :data:`COLUMNS` titles."""
    grants = data["grants"]
    assert isinstance(grants, list)
    for grant in grants:
        assert isinstance(grant, dict)
        row: dict[str, str | int | Decimal | dt.date] = {}
        for title, path in zip(COLUMNS, _PATHS, strict=True):
            value = _lookup(grant, path)
            if value is None:
                continue
            assert isinstance(value, str | int | Decimal)
            if title.endswith("Date") and isinstance(value, str):
                row[title] = dt.date.fromisoformat(value)
            else:
                row[title] = value
        yield row


_PATHS: tuple[tuple[str, ...], ...] = (
    ("id",),
    ("title",),
    ("description",),
    ("currency",),
    ("amountAwarded",),
    ("awardDate",),
    ("plannedDates", "startDate"),
    ("plannedDates", "endDate"),
    ("plannedDates", "duration"),
    ("recipientOrganization", "id"),
    ("recipientOrganization", "name"),
    ("recipientOrganization", "charityNumber"),
    ("recipientOrganization", "companyNumber"),
    ("beneficiaryLocation", "name"),
    ("beneficiaryLocation", "countryCode"),
    ("beneficiaryLocation", "geoCode"),
    ("beneficiaryLocation", "geoCodeType"),
    ("fundingOrganization", "id"),
    ("fundingOrganization", "name"),
    ("grantProgramme", "code"),
    ("grantProgramme", "title"),
)


def _lookup(grant: dict[str, Json], path: tuple[str, ...]) -> Json | None:
    """The value at ``path``, taking the first item of a list (the spreadsheet's roll-up)."""
    value: Json | None = grant
    for key in path:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def write_xlsx(data: dict[str, Json], target: Path) -> None:
    """The package in the standard's spreadsheet layout: a Meta sheet and a grants sheet."""
    from pipeline.xlsx_language import workbook_class

    issued = data["issued"]
    assert isinstance(issued, str)
    workbook = workbook_class()(
        target,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    workbook.set_properties(
        {
            "title": str(data["title"]),
            "author": str(_lookup(data, ("publisher", "name"))),
            "comments": f"360Giving Data Standard {SCHEMA_VERSION}. Licence: {LICENCE_URL}",
            "created": dt.datetime.fromisoformat(issued),  # fixed: rebuilds are byte-identical
        }
    )
    bold = workbook.add_format({"bold": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    money = workbook.add_format({"num_format": "#,##0.00", "valign": "top"})
    plain = workbook.add_format({"valign": "top"})
    # Text that looks like a formula ("=…") stays text when a person edits the cell.
    quoted = workbook.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})

    meta = workbook.add_worksheet("Meta")
    meta.set_column(0, 0, 22)
    meta.set_column(1, 1, 100)
    for row, (title, path) in enumerate(_META):
        value = _lookup(data, path)
        text = "" if value is None else str(value)
        meta.write_string(row, 0, title, bold)
        meta.write_string(row, 1, text, wrap)
        meta.set_row(row, LINE_HEIGHT * _lines(text, 100))

    grants = workbook.add_worksheet("grants")
    records = list(rows(data))
    columns = [c for c in COLUMNS if c not in LOCATION_COLUMNS or any(c in r for r in records)]
    widths = [_width(title, [r.get(title) for r in records]) for title in columns]
    for col, title in enumerate(columns):
        grants.write_string(0, col, title, bold)
        grants.set_column(col, col, widths[col])
    for row, record in enumerate(records, start=1):
        lines = 1
        for col, title in enumerate(columns):
            cell = record.get(title)
            if isinstance(cell, dt.date):
                grants.write_datetime(row, col, dt.datetime.combine(cell, dt.time()), day)
            elif isinstance(cell, Decimal):
                grants.write_number(row, col, cell, money)
            elif isinstance(cell, int):
                grants.write_number(row, col, cell, plain)
            elif isinstance(cell, str):
                cell = fit_cell(cell)  # the JSON keeps a text longer than a cell holds whole
                grants.write_string(row, col, cell, quoted if starts_like_formula(cell) else wrap)
                lines = max(lines, _lines(cell, widths[col]))
        # Neither Excel nor LibreOffice grows a row for wrapped text written by a program.
        grants.set_row(row, LINE_HEIGHT * lines)
    grants.freeze_panes(1, 0)
    grants.set_row(0, None, bold)
    meta.set_landscape()
    meta.fit_to_pages(1, 0)
    grants.set_landscape()
    grants.repeat_rows(0)  # the column titles on every printed page
    workbook.close()


LINE_HEIGHT = 15  # points: one line of the default 11-point font
MAX_WIDTH = 50  # characters: a wider text column wraps


def _width(title: str, values: list[str | int | Decimal | dt.date | None]) -> int:
    """A column as wide as its title and its longest value (dates and amounts as shown)."""
    shown = [len(v) if isinstance(v, str) else 14 for v in values if v is not None]
    return min(max([len(title), *shown]) + 2, MAX_WIDTH)


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (roughly)."""
    return sum(max(1, -(-len(part) // max(width - 2, 1))) for part in text.split("\n"))


_META: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Version", ("version",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Issued", ("issued",)),
    ("Identifier", ("identifier",)),
    ("Publisher:Name", ("publisher", "name")),
    ("Publisher:Identifier", ("publisher", "identifier")),
    ("License", ("license",)),
)
