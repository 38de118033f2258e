"""360Giving open data: the grant lines as a package valid against the official 1.4.3 schema,
the same grants in the official spreadsheet layout, and the standard's quality warnings.

The schema and template are the standard's own files in ``tests/standard/360giving/``; the schema is
applied offline (its ``$ref`` resolved to the local grant schema) with a format checker, without
which a wrong date format would pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from pipeline import three_sixty, three_sixty_rules
from pipeline.config import Config
from pipeline.load import load
from pipeline.model import Plan, ServiceLine
from pipeline.new_workbook import WorkbookContent
from pipeline.org_ids import parse_org_id
from pipeline.textsafe import CUT_NOTE, MAX_CELL_TEXT
from pipeline.values import slugify
from tests.workbooks import make_workbook, service_row

ROOT = Path(__file__).resolve().parent.parent
# The standard's own files, version 1.4.3, copied unchanged into the tests (CC BY 4.0, see
# their LICENSE.md), so a clone validates against them with nothing beside it.
STANDARD = ROOT / "tests" / "standard" / "360giving"
ACCEPTANCE = ROOT / "tests" / "acceptance"
TODAY = dt.date(2026, 12, 1)
REQUIRED_TITLES = {
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
}

# Each plan's grant lines as the workbook holds them (mechanism Grant), worked out by hand.
PLANS: dict[str, tuple[str, str, str, list[str]]] = {
    "sample": (
        str(ROOT / "input" / "lincolnshire-2021-22.xlsx"),
        "E23000020",
        "2021-05-28",
        ["82661", "18351", "10600", "25000", "18075", "3000", "3000", "750"],
    ),
    "cumbria": (
        str(ACCEPTANCE / "cumbria-2021-22.xlsx"),
        "E23000002",
        "2021-04-30",
        ["148000", "96500", "84345.67", "24000", "59500"],
    ),
    "devon": (
        str(ACCEPTANCE / "devon-cornwall-2022-23.xlsx"),
        "E23000035",
        "2022-05-23",  # no PCC approval date yet: the decision's date
        ["12345.67", "9876.54", "4999.99"],
    ),
    "south-wales": (
        str(ACCEPTANCE / "south-wales-2023-24.xlsx"),
        "W15000003",
        "2023-03-14",
        ["24999.99", "21500", "23875.60", "18204.95", "24500", "12000", "19875", "8764.22"],
    ),
}


@functools.cache
def schema_validator() -> Draft202012Validator:
    """The official package schema, its ``$ref`` to the grant schema resolved offline."""
    grant = json.loads((STANDARD / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((STANDARD / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # The files say "$schema": "http://…" which referencing does not recognise: name the draft.
    registry = Registry().with_resource(grant["$id"], DRAFT202012.create_resource(grant))
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return schema_validator()


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def plan_of(path: str | Path) -> Plan:
    loaded = load(path)
    assert loaded.plan is not None, loaded.findings
    return loaded.plan


def written(plan: Plan, config: Config, folder: Path) -> tuple[str, Path]:
    data = three_sixty.package(plan, config)
    json_path = folder / three_sixty.json_name(plan.decision)
    xlsx_path = folder / three_sixty.xlsx_name(plan.decision)
    three_sixty.write_json(data, json_path)
    three_sixty.write_xlsx(data, xlsx_path)
    return json_path.read_text(encoding="utf-8"), xlsx_path


# -- the JSON package against the official schema -------------------------------------------


@pytest.mark.parametrize("name", sorted(PLANS))
def test_package_is_valid_and_holds_every_grant_exactly(
    name: str, validator: Draft202012Validator, tmp_path: Path
) -> None:
    path, area_code, awarded, amounts = PLANS[name]
    plan = plan_of(path)
    config = Config(funder_prefix="examplepcc", force_area_code=area_code)
    text, _ = written(plan, config, tmp_path)

    as_decimals = json.loads(text, parse_float=Decimal)
    assert errors(validator, as_decimals) == []
    assert errors(validator, json.loads(text)) == []  # as any JSON reader sees it
    grants = as_decimals["grants"]
    assert [g["amountAwarded"] for g in grants] == [Decimal(a) for a in amounts]
    assert {g["awardDate"] for g in grants} == {awarded}
    assert {g["currency"] for g in grants} == {"GBP"}
    assert len({g["id"] for g in grants}) == len(grants)
    for grant in grants:
        assert grant["id"].startswith(f"360G-examplepcc-{slugify(plan.decision.reference)}-")
        assert grant["fundingOrganization"] == [
            {"id": "360G-examplepcc", "name": plan.decision.body}
        ]
        [location] = grant["beneficiaryLocation"]
        assert (location["geoCode"], location["geoCodeType"]) == (area_code, "PFA")


def test_sample_grants_carry_title_description_dates_and_programme(
    sample_plan: Plan, tmp_path: Path
) -> None:
    text, _ = written(sample_plan, Config(funder_prefix="lincolnshirepcc"), tmp_path)
    data = json.loads(text, parse_float=Decimal)
    assert data["version"] == "1.4"
    assert data["publisher"] == {
        "name": "Office of the Police and Crime Commissioner for Lincolnshire",
        "identifier": "360G-lincolnshirepcc",
    }
    assert data["description"] == (  # it read "The grants of Office of the …'s commissioning plan"
        "The grants of the commissioning plan for 2021/22 of the Office of the Police and Crime "
        "Commissioner for Lincolnshire, as decided in decision 015/2021: Police and Crime "
        "Commissioner's Commissioning Strategy and Plan for 2021/22."
    )
    rape_crisis = data["grants"][0]
    assert rape_crisis["id"].startswith("360G-lincolnshirepcc-015-2021-")
    assert rape_crisis["title"] == "Rape Crisis"
    assert rape_crisis["description"] == "Support to victims of sexual violence (all age)"
    assert rape_crisis["plannedDates"] == [
        {"startDate": "2021-04-01", "endDate": "2022-03-31", "duration": 12}
    ]
    assert rape_crisis["grantProgramme"] == [{"code": "victims-fund", "title": "Victims Fund"}]
    assert rape_crisis["recipientOrganization"] == [
        {"id": "360G-lincolnshirepcc-org-rape-crisis", "name": "Rape Crisis"}
    ]
    assert "beneficiaryLocation" not in rape_crisis  # no force_area_code set
    hate_crime = data["grants"][2]  # 1 Oct 2021 - 30 Sep 2022: its 2021/22 part, 6 months
    assert hate_crime["plannedDates"] == [
        {"startDate": "2021-10-01", "endDate": "2022-03-31", "duration": 6}
    ]
    assert '"amountAwarded": 82661,' in text or '"amountAwarded": 82661.00,' in text


@pytest.mark.parametrize(
    ("start", "end", "planned", "months", "agreement"),
    [
        # A two-year grant: 2021/22's budget was published against 24 months of dates, though
        # the schema's Amount Awarded is the total for the activity the dates describe.
        (
            dt.date(2021, 1, 1),
            dt.date(2022, 12, 31),
            ("2021-04-01", "2022-03-31"),
            12,
            "1 January 2021 to 31 December 2022",
        ),
        (
            dt.date(2021, 10, 1),
            dt.date(2023, 9, 30),
            ("2021-10-01", "2022-03-31"),
            6,
            "1 October 2021 to 30 September 2023",
        ),
        (
            dt.date(2018, 10, 1),
            dt.date(2022, 1, 31),
            ("2021-04-01", "2022-01-31"),
            10,
            "1 October 2018",
        ),
    ],
)
def test_a_grant_running_past_the_year_is_published_as_this_years_part(
    sample_plan: Plan,
    validator: Draft202012Validator,
    start: dt.date,
    end: dt.date,
    planned: tuple[str, str],
    months: int,
    agreement: str,
) -> None:
    plan = with_line(sample_plan, 0, start=start, end=end, budget=Decimal(15000))
    data = three_sixty.package(plan, Config(funder_prefix="p"))
    assert errors(validator, data) == []
    grants: Any = data["grants"]
    grant = grants[0]
    assert grant["amountAwarded"] == Decimal(15000)  # the year's budget, what the decision awards
    assert grant["plannedDates"] == [
        {"startDate": planned[0], "endDate": planned[1], "duration": months}
    ]
    assert grant["description"].startswith("Support to victims of sexual violence (all age). ")
    assert "This grant is the 2021/22 part of an agreement from " in grant["description"]
    assert agreement in grant["description"]
    # A grant within the year is published as it is, its description as typed.
    assert grants[1]["plannedDates"][0]["startDate"] == "2021-04-01"
    assert "part of an agreement" not in grants[1]["description"]


def test_the_validator_really_checks_formats(
    sample_plan: Plan, validator: Draft202012Validator
) -> None:
    """Without a format checker, a day-first date would pass: make sure ours rejects it."""
    data = json.loads(
        three_sixty.to_json(
            three_sixty.package(sample_plan, Config(funder_prefix="lincolnshirepcc"))
        )
    )
    data["grants"][0]["awardDate"] = "28/05/2021"
    del data["grants"][1]["currency"]
    found = errors(validator, data)
    assert any(e.startswith("['grants', 0, 'awardDate']") for e in found)
    assert any(e.startswith("['grants', 1]") for e in found)  # a required field missing
    assert len(found) == 2


def test_pence_are_written_digit_for_digit() -> None:
    value: three_sixty.Json = {
        "amountAwarded": Decimal("84345.67"),
        "other": [Decimal("0.10"), Decimal("1E+3")],
    }
    text = three_sixty.to_json(value)
    assert '"amountAwarded": 84345.67' in text
    assert json.loads(text, parse_float=Decimal)["other"] == [Decimal("0.10"), Decimal(1000)]
    assert "E" not in text


def test_a_prefix_already_starting_360g_is_not_doubled(sample_plan: Plan) -> None:
    for prefix in ("lincolnshirepcc", "360G-lincolnshirepcc"):
        data = three_sixty.package(sample_plan, Config(funder_prefix=prefix))
        grants = data["grants"]
        assert isinstance(grants, list) and isinstance(grants[0], dict)
        assert str(grants[0]["id"]).startswith("360G-lincolnshirepcc-015-2021-")
        assert data["identifier"] == "360G-lincolnshirepcc-015-2021"


# -- identifiers that last -----------------------------------------------------------------------


def test_ids_do_not_change_when_a_line_is_inserted_above(tmp_path: Path) -> None:
    before = plan_of(make_workbook(tmp_path, "before.xlsx"))
    new_line = service_row(
        service="Community speedwatch", organisation="Parish Council", mechanism="Grant", budget=0
    )

    def insert(content: WorkbookContent) -> None:
        content.services = [new_line, *content.services]

    after = plan_of(make_workbook(tmp_path, "after.xlsx", edit=insert))
    old = dict(zip(_rows(before), three_sixty.grant_ids(before, "lincolnshirepcc"), strict=True))
    new = dict(zip(_rows(after), three_sixty.grant_ids(after, "lincolnshirepcc"), strict=True))
    assert len(new) == len(old) + 1
    moved = {row + 1: grant_id for row, grant_id in old.items()}  # each line is a row lower
    assert {row: new[row] for row in moved} == moved
    # And the same plan built twice gives the same identifiers.
    assert three_sixty.grant_ids(after, "p") == three_sixty.grant_ids(
        plan_of(tmp_path / "after.xlsx"), "p"
    )


def _rows(plan: Plan) -> list[int]:
    return [line.at.row for line in three_sixty.grant_lines(plan)]


def test_two_identical_grant_lines_get_distinct_ids(sample_plan: Plan) -> None:
    grant = three_sixty.grant_lines(sample_plan)[0]
    plan = dataclasses.replace(sample_plan, lines=(*sample_plan.lines, grant))
    ids = three_sixty.grant_ids(plan, "p")
    assert ids[-1] == f"{ids[0]}-2"


# -- the spreadsheet ------------------------------------------------------------------------------


def test_spreadsheet_uses_the_official_titles_and_amounts(
    sample_plan: Plan, tmp_path: Path
) -> None:
    template = openpyxl.load_workbook(
        STANDARD / "360-giving-schema-titles-with-meta-tab-2023.xlsx", read_only=True
    )
    official = {c for c in next(template["grants"].iter_rows(values_only=True)) if c}
    meta_titles = {r[0] for r in template["Meta"].iter_rows(values_only=True) if r[0]}
    config = Config(funder_prefix="lincolnshirepcc", force_area_code="E23000020")
    _, xlsx = written(sample_plan, config, tmp_path)

    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["Meta", "grants"]
    sheet = book["grants"]
    titles = [c.value for c in sheet[1]]
    assert set(titles) <= official, set(titles) - official
    assert set(titles) >= REQUIRED_TITLES
    records = [dict(zip(titles, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)]
    assert [Decimal(str(r["Amount Awarded"])) for r in records] == [
        Decimal(a) for a in PLANS["sample"][3]
    ]
    data = json.loads((tmp_path / "360giving-015-2021.json").read_text(), parse_float=Decimal)
    assert [r["Identifier"] for r in records] == [g["id"] for g in data["grants"]]
    assert {r["Award Date"] for r in records} == {dt.datetime(2021, 5, 28)}
    assert records[0]["Beneficiary Location:Geographic Code Type"] == "PFA"
    assert records[0]["Planned Dates:Duration (months)"] == 12
    meta = {r[0]: r[1] for r in book["Meta"].iter_rows(values_only=True)}
    assert set(meta) <= meta_titles
    assert meta["Version"] == "1.4"
    assert meta["Publisher:Identifier"] == "360G-lincolnshirepcc"
    # Wrapped text gets rows tall enough to show it (a program's rows do not grow by themselves).
    assert book["Meta"].row_dimensions[3].height >= 30  # the description wraps
    assert book["grants"].print_title_rows == "$1:$1"


def test_a_description_longer_than_a_cell_holds_is_cut_in_the_spreadsheet_only(
    sample_plan: Plan, tmp_path: Path
) -> None:
    # A 40,000-character Provision (a plan saved by another tool): XlsxWriter cut it to
    # Excel's 32,767 characters in the grants sheet without a word; the JSON keeps it whole.
    long = "Outreach and advocacy for victims " * 1200
    plan = with_line(sample_plan, 0, provision=long)
    text, xlsx = written(plan, Config(funder_prefix="lincolnshirepcc"), tmp_path)
    sheet = openpyxl.load_workbook(xlsx)["grants"]
    column = [c.value for c in sheet[1]].index("Description")
    cell = sheet.cell(2, column + 1).value
    assert isinstance(cell, str) and len(cell) <= MAX_CELL_TEXT and cell.endswith(CUT_NOTE)
    assert json.loads(text)["grants"][0]["description"].startswith(long.strip())


def test_spreadsheet_leaves_out_location_columns_without_a_code(
    sample_plan: Plan, tmp_path: Path
) -> None:
    _, xlsx = written(sample_plan, Config(funder_prefix="lincolnshirepcc"), tmp_path)
    titles = [c.value for c in openpyxl.load_workbook(xlsx)["grants"][1]]
    assert not [t for t in titles if str(t).startswith("Beneficiary Location")]


def test_rebuilds_are_byte_identical(sample_plan: Plan, tmp_path: Path) -> None:
    config = Config(funder_prefix="lincolnshirepcc")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = written(sample_plan, config, tmp_path / "a")
    second = written(sample_plan, config, tmp_path / "b")
    assert first[0] == second[0]
    assert first[1].read_bytes() == second[1].read_bytes()


# -- recipients and the quality warnings ----------------------------------------------------------


def with_line(plan: Plan, index: int, **changes: Any) -> Plan:
    """``plan`` with its ``index``-th grant line changed (same row and cells as before)."""
    target = three_sixty.grant_lines(plan)[index]
    line: ServiceLine = dataclasses.replace(target, **changes)
    return dataclasses.replace(plan, lines=tuple(line if x is target else x for x in plan.lines))


def codes(plan: Plan, today: dt.date = TODAY) -> list[tuple[str, str]]:
    found = three_sixty_rules.findings(plan, Config(funder_prefix="lincolnshirepcc"), today)
    return [(f.code, f.cell) for f in found]


def test_each_recipient_without_an_org_id_is_one_warning(sample_plan: Plan) -> None:
    # The sample's eight grants go to eight recipients: one warning each, at its cell.
    found = three_sixty_rules.findings(sample_plan, Config(funder_prefix="x"), TODAY)
    assert [(f.code, f.sheet, f.cell) for f in found] == [
        ("W-ORG-ID", "Services", f"N{row}") for row in (9, 10, 13, 24, 26, 27, 28, 29)
    ]
    assert "Rape Crisis" in found[0].message and "GB-CHC-" in found[0].message


def test_a_recipients_many_grants_without_an_org_id_are_one_warning(sample_plan: Plan) -> None:
    # A plan of 2,000 lines to ten recipients without org IDs printed 1,033 W-ORG-IDs, one a
    # line, and the review note and index page carried every one (1,871 rows, 1.16 MB).
    plan = sample_plan
    for index in range(1, 7):
        plan = with_line(plan, index, organisation=" rape  CRISIS")
    plan = with_line(plan, 3, recipient_org_id="1151444")  # another fault: its own warning
    found = [
        f
        for f in three_sixty_rules.findings(plan, Config(funder_prefix="x"), TODAY)
        if f.code == "W-ORG-ID"
    ]
    assert [(f.sheet, f.cell) for f in found] == [
        ("Services", "N9"),
        ("Services", "N24"),
        ("Services", "N29"),
    ]
    assert found[0].message.startswith(
        "The 6 grants to Rape Crisis (Services N9, N10, N13, N26, N27 and 1 more): their "
        "Recipient org ID is blank"
    )
    assert "GB-CHC-" in found[0].message
    assert 'reads "1151444"' in found[1].message and found[1].message.startswith("The grant")


def test_a_recipients_grants_without_the_column_name_their_rows(sample_plan: Plan) -> None:
    plan = sample_plan
    for index, line in enumerate(three_sixty.grant_lines(sample_plan)):
        cells = {k: v for k, v in line.at.cells.items() if k != "recipient_org_id"}
        at = dataclasses.replace(line.at, cells=cells)
        plan = with_line(plan, index, organisation="Rape Crisis", at=at)
    [found] = three_sixty_rules.findings(plan, Config(funder_prefix="x"), TODAY)
    assert (found.code, found.cell) == ("W-ORG-ID", "row 9")
    assert found.message.startswith(
        "The 8 grants to Rape Crisis (Services rows 9, 10, 13, 24, 26 and 3 more): the "
        "Services sheet has no Recipient org ID column"
    )


def test_a_registered_recipient_is_published_with_its_number(sample_plan: Plan) -> None:
    plan = with_line(sample_plan, 0, recipient_org_id="GB-CHC-1151444")
    plan = with_line(plan, 1, recipient_org_id=" gb-coh-01234567 ")
    data = three_sixty.package(plan, Config(funder_prefix="p"))
    grants = data["grants"]
    assert isinstance(grants, list) and isinstance(grants[0], dict) and isinstance(grants[1], dict)
    assert grants[0]["recipientOrganization"] == [
        {"id": "GB-CHC-1151444", "name": "Rape Crisis", "charityNumber": "1151444"}
    ]
    assert grants[1]["recipientOrganization"] == [
        {"id": "GB-COH-01234567", "name": "NWCH", "companyNumber": "01234567"}
    ]
    assert [c for c in codes(plan) if c[1] in {"N9", "N10"}] == []


@pytest.mark.parametrize(
    ("org_id", "number"),
    [("GB-NIC-100012", "100012"), ("GB-SC-SC012345", "SC012345"), ("GB-CHC-1151444", "1151444")],
)
def test_a_charity_on_each_uk_register_is_published_with_its_charity_number(
    sample_plan: Plan, org_id: str, number: str, validator: Draft202012Validator
) -> None:
    # A Northern Ireland charity (org-id.guide's GB-NIC list) had no charityNumber in the
    # 360Giving file, which the schema's Recipient Org:Charity Number holds for any register.
    plan = with_line(sample_plan, 0, recipient_org_id=org_id)
    data = three_sixty.package(plan, Config(funder_prefix="p"))
    assert list(validator.iter_errors(data)) == []
    grants = data["grants"]
    assert isinstance(grants, list) and isinstance(grants[0], dict)
    assert grants[0]["recipientOrganization"] == [
        {"id": org_id, "name": "Rape Crisis", "charityNumber": number}
    ]


@pytest.mark.parametrize(
    "typed",
    [
        "GB\u2011CHC\u20111151444",  # non-breaking hyphens, as Word and PDFs write them
        "GB\u2013CHC\u20131151444",  # en dashes
        "GB-CHC-\u200b1151444",  # a zero-width space copied from a web page
        "GB CHC 1151444",
        "GB - CHC - 1151444",
        "gb-chc 1151444",
    ],
)
def test_an_org_id_copied_with_other_hyphens_or_spaces_is_read(
    sample_plan: Plan, typed: str
) -> None:
    # It looked right and was refused (W-ORG-ID quoting what seemed the very form it asks
    # for), and the grant was published under a made-up recipient identifier.
    plan = with_line(sample_plan, 0, recipient_org_id=typed)
    grants = three_sixty.package(plan, Config(funder_prefix="p"))["grants"]
    assert isinstance(grants, list) and isinstance(grants[0], dict)
    assert grants[0]["recipientOrganization"] == [
        {"id": "GB-CHC-1151444", "name": "Rape Crisis", "charityNumber": "1151444"}
    ]
    assert [c for c in codes(plan) if c[1] == "N9"] == []


@pytest.mark.parametrize(
    ("typed", "recipient"),
    [
        ("gb-coh-sc123456", {"id": "GB-COH-SC123456", "companyNumber": "SC123456"}),
        ("GB-SC-sc012345", {"id": "GB-SC-SC012345", "charityNumber": "SC012345"}),
        ("gb-lae-lin", {"id": "GB-LAE-LIN"}),
        ("GB-NHS-rwd", {"id": "GB-NHS-RWD"}),
    ],
)
def test_an_org_id_typed_in_small_letters_is_published_as_the_register_spells_it(
    sample_plan: Plan, typed: str, recipient: dict[str, str]
) -> None:
    # "GB-COH-sc123456" is not the identifier GrantNav and other funders publish for the
    # company, GB-COH-SC123456: the recipient was two organisations in the open data.
    plan = with_line(sample_plan, 0, recipient_org_id=typed)
    grants = three_sixty.package(plan, Config(funder_prefix="p"))["grants"]
    assert isinstance(grants, list) and isinstance(grants[0], dict)
    assert grants[0]["recipientOrganization"] == [{**recipient, "name": "Rape Crisis"}]


@pytest.mark.parametrize("typed", ["No ID 12345", "Charity 1151444", "GB CC 1151444", "1151444"])
def test_words_and_numbers_with_spaces_are_no_org_id(typed: str) -> None:
    assert parse_org_id(typed) is None


@pytest.mark.parametrize(
    "org_id",
    [
        "GB-SC-SC012345",
        "GB-SC-012345",
        "GB-CHC-1151444",
        "GB-PLA-W06000008",  # a Welsh council
        "GB-NIC-100012",  # a Northern Ireland charity
        "gb-lae-lin",
        "XI-GRID-grid.4991.5",  # an international list
        "US-EIN-123456789",  # another country's list is not judged
    ],
)
def test_a_well_formed_charity_number_has_no_warning(sample_plan: Plan, org_id: str) -> None:
    plan = with_line(sample_plan, 0, recipient_org_id=org_id)
    assert [c for c in codes(plan) if c[1] == "N9"] == []


@pytest.mark.parametrize(
    ("changes", "code", "cell", "fragment"),
    [
        ({"budget": Decimal(0)}, "W-360-AMOUNT", "L9", "£0"),
        ({"service": "Support " * 20}, "W-360-TITLE", "B9", "159 characters"),
        (
            {"start": dt.date(2022, 4, 1), "end": dt.date(2022, 3, 31)},
            "W-360-DATES",
            "F9",
            "after it ends",
        ),
        # A year typed wrongly: the checker flags planned dates 12+ years ahead, 25+ years ago.
        ({"end": dt.date(2122, 3, 31)}, "W-360-DATES", "G9", "31/03/2122, over 12 years"),
        ({"start": dt.date(1921, 4, 1)}, "W-360-DATES", "F9", "01/04/1921, over 25 years ago"),
        ({"recipient_org_id": "GB-CHC-11514"}, "W-360-CHARITY-NUMBER", "N9", "6 or 7 digits"),
        # The checker's OrganizationIdLooksInvalid wants digits alone after GB-CHC- (it passed).
        ({"recipient_org_id": "GB-CHC-SC012345"}, "W-360-CHARITY-NUMBER", "N9", "GB-SC-SC012345"),
        ({"recipient_org_id": "GB-CHC-AB123456"}, "W-360-CHARITY-NUMBER", "N9", "Commission"),
        (
            {"recipient_org_id": "GB-NIC-10001"},
            "W-360-CHARITY-NUMBER",
            "N9",
            "Charity Commission for Northern Ireland",
        ),
        ({"recipient_org_id": "GB-COH-1234567"}, "W-360-COMPANY-NUMBER", "N9", "GB-COH-01234567"),
        ({"recipient_org_id": "1151444"}, "W-ORG-ID", "N9", 'reads "1151444"'),
        # A list code org-id.guide does not have: the checker flags it (it was published).
        ({"recipient_org_id": "GB-CC-1151444"}, "W-360-ORG-LIST", "N9", "GB-CHC- (a charity"),
        ({"recipient_org_id": "UK-CHC-1151444"}, "W-360-ORG-LIST", "N9", "starts with UK-CHC-"),
        ({"recipient_org_id": "GB-WAL-CRG"}, "W-360-ORG-LIST", "N9", "GB-PLA- (a Welsh council"),
    ],
)
def test_quality_warnings(
    sample_plan: Plan, changes: dict[str, Any], code: str, cell: str, fragment: str
) -> None:
    plan = with_line(sample_plan, 0, **changes)
    found = [
        f
        for f in three_sixty_rules.findings(plan, Config(funder_prefix="p"), TODAY)
        if f.cell == cell and f.code == code
    ]
    assert len(found) == 1
    assert fragment in found[0].message
    assert found[0].sheet == "Services"


@pytest.mark.parametrize("provision", ["", "rape crisis"])
def test_a_description_never_just_repeats_the_title(sample_plan: Plan, provision: str) -> None:
    # A blank Provision, or one that repeats the Service, made the description the title, and
    # 360Giving's checker flags that (TitleDescriptionSame): it says what the plan knows.
    plan = with_line(sample_plan, 0, provision=provision)
    grants = three_sixty.package(plan, Config(funder_prefix="p"))["grants"]
    assert isinstance(grants, list) and isinstance(grants[0], dict)
    assert grants[0]["title"] == "Rape Crisis"
    assert grants[0]["description"] == (
        "Rape Crisis: a grant to Rape Crisis from the Victims Fund, 2021/22."
    )


def test_a_long_grant_within_the_checkers_limits_has_no_far_date_warning(
    sample_plan: Plan,
) -> None:
    plan = with_line(sample_plan, 0, start=dt.date(2001, 12, 2), end=dt.date(2038, 12, 1))
    assert [c for c in codes(plan) if c[0] == "W-360-DATES"] == []


def test_an_award_date_in_the_future_is_a_warning(sample_plan: Plan) -> None:
    found = [
        f
        for f in three_sixty_rules.findings(
            sample_plan, Config(funder_prefix="p"), dt.date(2021, 5, 27)
        )
        if f.code == "W-360-AWARD-DATE"
    ]
    assert found and {(f.sheet, f.cell) for f in found} == {("Decision", "B23")}
    assert "28/05/2021" in found[0].message
    on_the_day = three_sixty_rules.findings(
        sample_plan, Config(funder_prefix="p"), dt.date(2021, 5, 28)
    )
    assert not [f for f in on_the_day if f.code == "W-360-AWARD-DATE"]


def test_without_a_prefix_there_are_no_360giving_warnings(sample_plan: Plan) -> None:
    assert three_sixty_rules.findings(sample_plan, Config(), TODAY) == []
    message = three_sixty.skipped_message(8)
    assert 'funder_prefix = "' in message and "[tool.pcc-report]" in message


def test_a_plan_without_grants_has_no_360giving_findings(sample_plan: Plan) -> None:
    plan = dataclasses.replace(
        sample_plan, lines=tuple(x for x in sample_plan.lines if x.mechanism != "Grant")
    )
    assert three_sixty_rules.findings(plan, Config(funder_prefix="p"), TODAY) == []


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2021, 4, 1), dt.date(2022, 3, 31), 12),
        (dt.date(2021, 10, 1), dt.date(2024, 9, 30), 36),
        (dt.date(2022, 9, 1), dt.date(2023, 9, 30), 13),
        (dt.date(2021, 1, 31), dt.date(2021, 2, 27), 1),
        (dt.date(2021, 4, 1), dt.date(2021, 4, 10), 0),
        (dt.date(2021, 4, 1), dt.date(2021, 4, 1), 0),
    ],
)
def test_duration_in_months(start: dt.date, end: dt.date, months: int) -> None:
    assert three_sixty.duration_months(start, end) == months


def test_published_grants_carry_no_contact_details_and_no_formulas(
    sample_plan: Plan, tmp_path: Path
) -> None:
    plan = with_line(
        sample_plan,
        0,
        provision="Call Jo on 01522 947406 or jo.bloggs@example.org\u202e",
        organisation='=HYPERLINK("http://evil.example","Rape Crisis")',
    )
    text, xlsx = written(plan, Config(funder_prefix="lincolnshirepcc"), tmp_path)
    assert "947406" not in text and "jo.bloggs" not in text and "\u202e" not in text
    grant = json.loads(text)["grants"][0]
    assert grant["description"] == "Call Jo on [removed] or [removed]"
    cell = openpyxl.load_workbook(xlsx)["grants"]["K2"]
    assert cell.value == '=HYPERLINK("http://evil.example","Rape Crisis")'
    assert cell.data_type == "s" and cell.quotePrefix  # text, and stays text when edited


def test_contact_details_in_a_name_never_reach_an_identifier(sample_plan: Plan) -> None:
    # The recipient's name came out "[removed]" while its made-up identifier, built from the
    # name as typed, still spelt the address out ("...-org-jo-bloggs-example-org").
    plan = with_line(sample_plan, 0, organisation="jo.bloggs@example.org, 01522 947406")
    plan = with_line(plan, 1, fund="Fund jo.bloggs@example.org")
    text = three_sixty.to_json(three_sixty.package(plan, Config(funder_prefix="p")))
    assert "bloggs" not in text and "947406" not in text


@pytest.mark.parametrize(
    "names",
    [
        ("منظمة خيرية", "جمعية الضحايا"),  # no Latin letter: both slugs were "untitled"
        ("Мост", "Дом"),
        (
            "Lincolnshire Domestic Abuse Partnership — North",
            "Lincolnshire Domestic Abuse Partnership — South",
        ),  # the same first 40 characters
    ],
)
def test_different_names_get_different_identifiers_and_codes(
    sample_plan: Plan, names: tuple[str, str]
) -> None:
    def recipients_and_codes(plan: Plan) -> list[tuple[str, str]]:
        data: Any = json.loads(
            three_sixty.to_json(three_sixty.package(plan, Config(funder_prefix="p")))
        )
        return [
            (g["recipientOrganization"][0]["id"], g["grantProgramme"][0]["code"])
            for g in data["grants"]
        ]

    plan = with_line(sample_plan, 0, organisation=names[0], fund=names[0])
    plan = with_line(plan, 1, organisation=names[1], fund=names[1])
    first, second = recipients_and_codes(plan)[:2]
    assert first[0] != second[0] and first[1] != second[1]
    assert "untitled" not in "".join(first + second)
    # The same name, typed again on another line, is the same organisation.
    again = recipients_and_codes(with_line(plan, 2, organisation=names[0]))
    assert again[2][0] == again[0][0]


def test_people_named_as_recipients_are_never_one_recipient(sample_plan: Plan) -> None:
    # Both names are published as "[removed]": the code made from that name made two sole
    # traders one recipient in GrantNav. Each keeps its own identifier, naming neither.
    plan = with_line(sample_plan, 0, organisation="Mr A Smith")
    plan = with_line(plan, 1, organisation="Mrs B Jones")
    plan = with_line(plan, 2, organisation="Rape Crisis")
    grants: Any = three_sixty.package(plan, Config(funder_prefix="p"))["grants"]
    recipients = [grant["recipientOrganization"][0] for grant in grants[:3]]
    assert [r["name"] for r in recipients] == ["[removed]", "[removed]", "Rape Crisis"]
    first, second, third = (str(r["id"]) for r in recipients)
    assert first != second and first.startswith("360G-p-org-")
    assert "smith" not in first.casefold() and "jones" not in second.casefold()
    # An organisation keeps the identifier made from its name, the same on each of its grants.
    assert third == "360G-p-org-rape-crisis"


@pytest.mark.parametrize(
    ("typed", "again"),
    [
        ("Women's Aid", "Women\u2019s Aid"),  # Excel's apostrophe, and one pasted from Word
        ("St John's Hospice", "St John\u2018s Hospice"),
        ("Jones-Patel Counselling", "Jones\u2013Patel Counselling"),  # an en dash pasted in
    ],
)
def test_one_recipient_typed_with_a_typographic_apostrophe_or_dash_is_one_recipient(
    sample_plan: Plan, typed: str, again: str
) -> None:
    # "Women's Aid" on one line and "Women’s Aid" (pasted from Word) on another were two
    # recipients in the 360Giving file: 360G-…-org-women-s-aid and 360G-…-org-womens-aid,
    # as GrantNav then listed them. The apostrophe and the dash count as typed in Excel.
    plan = with_line(sample_plan, 0, organisation=typed)
    plan = with_line(plan, 1, organisation=again)
    grants: Any = three_sixty.package(plan, Config(funder_prefix="p"))["grants"]
    first, second = (grant["recipientOrganization"][0] for grant in grants[:2])
    assert first["id"] == second["id"]
    assert (first["name"], second["name"]) == (typed, again)  # each published as typed
