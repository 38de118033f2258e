"""A recipient's charity or company number in a column of its own ("Charity number",
"Company number") read as its org-id, as org-id.guide prefixes it (README "Publishing")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline import three_sixty, three_sixty_rules
from pipeline.config import Config
from pipeline.load import load
from pipeline.model import Plan
from scripts.make_corpus import sample_book, write_book
from tests.test_three_sixty import errors, schema_validator

TODAY = dt.date(2026, 12, 1)
CONFIG = Config(funder_prefix="lincolnshirepcc")
GRANT_ROWS = (9, 10, 13, 24, 26, 27, 28, 29)  # the sample's grant lines, Recipient org ID in N


def plan_with(
    tmp_path: Path,
    header: str,
    numbers: dict[int, Any],
    org_ids: bool,
    typed: dict[int, str] | None = None,
) -> Plan:
    """The sample with a ``header`` column holding ``numbers`` by row; its Recipient org ID
    column (N) kept when ``org_ids``, else renamed ``header`` (the number column in its place)."""
    book = sample_book()
    rows = book["Services"]
    at = next(i for i, row in enumerate(rows) if "Recipient org ID" in row)
    col = rows[at].index("Recipient org ID")
    if org_ids:
        rows[at].append(header)
        col = len(rows[at]) - 1
    else:
        rows[at][col] = header
    for row, org_id in (typed or {}).items():
        line = rows[row - 1]
        line += [""] * (len(rows[at]) - len(line))
        line[rows[at].index("Recipient org ID")] = org_id
    for row, number in numbers.items():
        line = rows[row - 1]
        line += [""] * (col + 1 - len(line))
        line[col] = number
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    result = load(path)
    assert result.plan is not None, result.findings
    return result.plan


def recipients(plan: Plan) -> list[Any]:
    data = three_sixty.package(plan, CONFIG)
    assert errors(schema_validator(), data) == []
    grants: Any = data["grants"]
    return [g["recipientOrganization"][0] for g in grants]


def org_findings(plan: Plan) -> list[tuple[str, str, str]]:
    found = three_sixty_rules.findings(plan, CONFIG, TODAY)
    return [(f.code, f.cell, f.message) for f in found if f.code.startswith("W-ORG")]


@pytest.mark.parametrize("header", ["Charity number", "Registered charity number", "Charity no."])
def test_a_charity_number_column_is_read_as_the_org_id(tmp_path: Path, header: str) -> None:
    # The 360Giving file used a made-up identifier and W-ORG-ID said the sheet had no Recipient
    # org ID column, though the charity's registered number was on every line.
    numbers = {9: 1151444, 10: "SC012345", 13: "NIC 100012", 24: "11514440", 26: "SCO12345"}
    numbers[27] = "N/A"  # a council's: blank, not a number with letters in it
    plan = plan_with(tmp_path, header, numbers, org_ids=False)
    found = recipients(plan)
    assert [(r["id"], r.get("charityNumber")) for r in found[:3]] == [
        ("GB-CHC-1151444", "1151444"),
        ("GB-SC-SC012345", "SC012345"),
        ("GB-NIC-100012", "100012"),
    ]
    assert not found[3]["id"].startswith("GB-")
    warned = org_findings(plan)
    assert [(code, cell) for code, cell, _ in warned] == [
        ("W-ORG-ID", f"N{row}") for row in (24, 26, 27, 28, 29)
    ]
    assert 'Charity number "11514440"' in warned[0][2] and "8 digits" in warned[0][2]
    assert "letters where digits belong" in warned[1][2] and "SC012345" in warned[1][2]
    assert "Charity number is blank" in warned[2][2]


@pytest.mark.parametrize("header", ["Company number", "Companies House number", "Company reg no."])
def test_a_company_number_column_is_read_as_the_org_id(tmp_path: Path, header: str) -> None:
    numbers = {9: 1234567, 10: "sc 123456", 13: "OC123456", 24: "12AB3456", 26: "123456789"}
    plan = plan_with(tmp_path, header, numbers, org_ids=False)
    found = recipients(plan)
    assert [(r["id"], r.get("companyNumber")) for r in found[:3]] == [
        ("GB-COH-01234567", "01234567"),  # Excel's number without its leading zero
        ("GB-COH-SC123456", "SC123456"),
        ("GB-COH-OC123456", "OC123456"),
    ]
    warned = org_findings(plan)
    assert [(code, cell) for code, cell, _ in warned][:2] == [
        ("W-ORG-ID", "N24"),
        ("W-ORG-ID", "N26"),
    ]
    assert "letters where digits belong" in warned[0][2] and "Companies House" in warned[0][2]
    assert "9 digits" in warned[1][2]


def test_the_recipient_org_id_wins_over_a_number(tmp_path: Path) -> None:
    # N9 holds the org-id and the charity number column another number: the org-id is used;
    # N10's org-id is blank: its charity number is.
    numbers = {9: 1151444, 10: 1151444}
    plan = plan_with(
        tmp_path, "Charity number", numbers, org_ids=True, typed={9: "GB-COH-01234567"}
    )
    found = recipients(plan)
    assert [r["id"] for r in found[:3]] == ["GB-COH-01234567", "GB-CHC-1151444", found[2]["id"]]
    assert next(cell for _, cell, _ in org_findings(plan)) == "N13"  # the org ID's cell


@pytest.mark.parametrize("typed", ["1151444-1", "1151444 - 2", "1151444/1"])
def test_a_linked_charitys_number_says_to_type_the_main_charitys(typed: str) -> None:
    # "1151444-1" was 'has 8 digits where it should have 6 or 7', no word of what to write.
    from pipeline.org_ids import number_fault, number_org_id

    assert number_org_id("charity_number", typed) is None
    fault = number_fault("charity_number", typed)
    assert "linked charity" in fault and "type 1151444" in fault


@pytest.mark.parametrize("typed", ["100012", "104567"])
def test_a_northern_ireland_number_without_nic_is_not_read_as_england_and_waless(
    typed: str,
) -> None:
    # A bare "100012" was published as GB-CHC-100012, a charity in England and Wales that is
    # not the Northern Ireland charity NIC100012.
    from pipeline.org_ids import number_fault, number_org_id

    assert number_org_id("charity_number", typed) is None
    fault = number_fault("charity_number", typed)
    assert f"NIC{typed}" in fault and "Northern Ireland" in fault
    assert number_org_id("charity_number", f"NIC{typed}") is not None
    assert number_org_id("charity_number", "202918") is not None  # England and Wales's


@pytest.mark.parametrize(
    "header", ["Charity/Company number", "Charity / Company number", "Company or charity no."]
)
def test_a_combined_charity_or_company_number_column_is_read_by_the_number(
    tmp_path: Path, header: str
) -> None:
    # "Charity/Company number" was ignored without a word (a made-up identifier and W-ORG-ID
    # 'no Recipient org ID column'); "Charity / Company number" was read as the Company
    # number, a charity's 1151444 published as the company GB-COH-01151444.
    numbers = {9: 1151444, 10: "01234567", 13: "NIC100012", 24: "OC123456"}
    numbers |= {26: "SC012345", 27: "1151444 / 01234567"}
    plan = plan_with(tmp_path, header, numbers, org_ids=False)
    found = recipients(plan)
    assert [r["id"] for r in found[:4]] == [
        "GB-CHC-1151444",
        "GB-COH-01234567",
        "GB-NIC-100012",
        "GB-COH-OC123456",
    ]
    # A charitable company's two numbers in one cell: identified by its charity number, and
    # both published (the company number was lost).
    assert (found[5]["id"], found[5].get("charityNumber"), found[5].get("companyNumber")) == (
        "GB-CHC-1151444",
        "1151444",
        "01234567",
    )
    warned = org_findings(plan)
    assert warned[0][:2] == ("W-ORG-ID", "N26")
    assert "Scottish charity's or a Scottish company's" in warned[0][2]
    assert "Charity or company number" in warned[0][2]


def plan_with_both(tmp_path: Path, charity: dict[int, Any], company: dict[int, Any]) -> Plan:
    """The sample with its Recipient org ID column (N) renamed Charity number and a Company
    number column after it, holding ``charity`` and ``company`` by row."""
    book = sample_book()
    rows = book["Services"]
    at = next(i for i, row in enumerate(rows) if "Recipient org ID" in row)
    col = rows[at].index("Recipient org ID")
    rows[at][col] = "Charity number"
    rows[at].append("Company number")
    width = len(rows[at])
    for number in range(at + 1, len(rows)):
        rows[number] += [""] * (width - len(rows[number]))
        rows[number][col] = ""
    for row, number in charity.items():
        rows[row - 1][col] = number
    for row, number in company.items():
        rows[row - 1][width - 1] = number
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    result = load(path)
    assert result.plan is not None, result.findings
    return result.plan


def test_a_charitable_company_is_published_with_both_numbers(tmp_path: Path) -> None:
    # A charitable company registered with the Charity Commission and Companies House: its
    # company number was read and dropped, the 360Giving file carrying its charity number alone,
    # so GrantNav could not link the grant to the company. A company number whose charity number
    # cannot be read (N10) was dropped too: the recipient had a made-up identifier.
    plan = plan_with_both(tmp_path, {9: 1151444, 10: "11514440"}, {9: 1234567, 10: "SC123456"})
    found = recipients(plan)
    assert (found[0]["id"], found[0]["charityNumber"], found[0]["companyNumber"]) == (
        "GB-CHC-1151444",
        "1151444",
        "01234567",
    )
    assert found[1]["id"] == "GB-COH-SC123456" and "charityNumber" not in found[1]
    three_sixty.write_xlsx(three_sixty.package(plan, CONFIG), tmp_path / "g.xlsx")
    grants = openpyxl.load_workbook(tmp_path / "g.xlsx")["grants"]
    titles = [cell.value for cell in grants[1]]
    numbers = [titles.index(f"Recipient Org:{name} Number") for name in ("Charity", "Company")]
    assert [grants.cell(2, col + 1).value for col in numbers] == ["1151444", "01234567"]
    warned = [(code, cell, message) for code, cell, message in all_findings(plan)]
    assert [(code, cell) for code, cell, _ in warned if cell in ("N10", "O10")] == [
        ("W-360-CHARITY-NUMBER", "N10")
    ]
    message = next(message for _, cell, message in warned if cell == "N10")
    assert 'Charity number "11514440"' in message and "8 digits" in message


def test_a_second_number_that_cannot_be_read_is_said(tmp_path: Path) -> None:
    # The charity number is read; the company number beside it has a letter for a digit: it
    # was left out of the 360Giving file without a word.
    plan = plan_with_both(tmp_path, {9: 1151444}, {9: "O1234567"})
    found = recipients(plan)
    assert found[0]["id"] == "GB-CHC-1151444" and "companyNumber" not in found[0]
    warned = [(code, cell, message) for code, cell, message in all_findings(plan)]
    company = [(code, message) for code, cell, message in warned if cell == "O9"]
    assert [code for code, _ in company] == ["W-360-COMPANY-NUMBER"]
    assert 'Company number "O1234567"' in company[0][1]
    assert "letters where digits belong" in company[0][1]
    assert "left out of the 360Giving file" in company[0][1]


def all_findings(plan: Plan) -> list[tuple[str, str, str]]:
    found = three_sixty_rules.findings(plan, CONFIG, TODAY)
    return [(f.code, f.cell, f.message) for f in found]


@pytest.mark.parametrize(
    ("organisation", "kind", "org_id", "fragment"),
    [
        ("Rape Crisis", "Voluntary & community", "GB-CHC-1151444", "type is Voluntary"),
        ("Rape Crisis Ltd", "Voluntary & community", "GB-CHC-1151444", "type is Voluntary"),
        ("Restorative Solutions CIC", "Social enterprise", "GB-COH-01151444", "ends CIC"),
        ("Safe Homes Limited", "Social enterprise", "GB-COH-01151444", "has Limited in it"),
        ("Tag Watch", "Private", "GB-COH-01151444", "type is Private"),
        ("Lincs Women's Aid CIO", "Social enterprise", "GB-CHC-1151444", "ends CIO"),
    ],
)
def test_a_number_either_register_may_hold_is_read_by_the_line_and_said(
    tmp_path: Path, organisation: str, kind: str, org_id: str, fragment: str
) -> None:
    # 1151444 in a "Charity/Company number" column was always a charity's, without a word,
    # though a company's 01151444 typed as a number in Excel loses its zero and reads the same:
    # a CIC's company number was published as a charity's identifier.
    book = sample_book()
    rows = book["Services"]
    at = next(i for i, row in enumerate(rows) if "Recipient org ID" in row)
    col = rows[at].index("Recipient org ID")
    rows[at][col] = "Charity/Company number"
    rows[8] += [""] * (col + 1 - len(rows[8]))
    rows[8][2], rows[8][3], rows[8][col] = organisation, kind, 1151444
    path = tmp_path / "plan.xlsx"
    write_book(path, book)
    result = load(path)
    assert result.plan is not None, result.findings
    assert recipients(result.plan)[0]["id"] == org_id
    said = [(f.code, f.cell, f.message) for f in result.findings if f.code == "W-ORG-NUMBER"]
    assert [(code, cell) for code, cell, _ in said] == [("W-ORG-NUMBER", "N9")]
    assert f"read as the {'charity' if 'CHC' in org_id else 'company'}'s, {org_id}" in said[0][2]
    assert fragment in said[0][2]
    other = "GB-COH-01151444" if "CHC" in org_id else "GB-CHC-1151444"
    assert f"type {other} in a Recipient org ID column" in said[0][2]
    # Renaming the column would read every line's number by that register: not advised.
    column = "Company number" if "CHC" in org_id else "Charity number"
    assert f"(or move the number to a {column} column)" in said[0][2]


@pytest.mark.parametrize(
    ("header", "typed", "org_id"),
    [
        ("Charity number", "Charity no. 1151444", "GB-CHC-1151444"),
        ("Charity number", "Reg charity number: 1151444", "GB-CHC-1151444"),
        ("Company number", "Company No 01234567", "GB-COH-01234567"),
        ("Company number", "Co. reg. no. SC123456", "GB-COH-SC123456"),
        ("Charity/Company number", "Company no. 1151444", "GB-COH-01151444"),
        ("Charity/Company number", "Charity No. SC012345", "GB-SC-SC012345"),
    ],
)
def test_a_number_typed_with_its_registers_label_is_read(
    tmp_path: Path, header: str, typed: str, org_id: str
) -> None:
    # "Charity no. 1151444" was W-ORG-ID 'has letters where digits belong ... check it on the
    # charity regulator's register', the number right, and the grant published with a
    # made-up identifier; in a column for either, the label now also says which register.
    plan = plan_with(tmp_path, header, {9: typed}, org_ids=False)
    assert recipients(plan)[0]["id"] == org_id
    assert [f for f in org_findings(plan) if f[1] == "N9"] == []
