"""The workbook contract (domain §2): sheets, columns, their aliases and the allowed choices.

``load`` reads by it and ``new-workbook`` writes by it, so the two cannot drift apart.
"""

from __future__ import annotations

import re

# The Decision sheet's fields, in their own module (this one's length); read as contract.…
from pipeline.decision_fields import DECISION_FIELDS as DECISION_FIELDS
from pipeline.decision_fields import DecisionField as DecisionField
from pipeline.financial_year import financial_year_bounds as financial_year_bounds

# What a sheet and its columns are, in their own module (this one's length).
from pipeline.table_spec import Column as Column
from pipeline.table_spec import TableSheet as TableSheet

MECHANISMS = ("Contract", "Partnership agreement", "Grant")
ORGANISATION_TYPES = ("Public sector", "Voluntary & community", "Private", "Social enterprise")
PUBLIC_SECTOR = "Public sector"
YES_NO = ("Yes", "No")
# A financial year in a header: 2021/22, 2021-22, 2021/2022, 21/22 or 2021-2 (spaces normalised
# away).
_YEAR = r"(\d{4} ?[/-] ?(\d{4}|\d{1,2})|\d{2} ?[/-] ?\d{2})"
# What a year's money on a line is headed with beside the year: "2021/22 value", "Funding 2021/22".
_MONEY_WORD = "(budget|allocation|value|funding|amount|grant|cost)"
_STAGE = "(approved|agreed|proposed|allocated|revised|original|current)"
_YEAR_NUMBER = r"(year|yr) ?\d{1,2}"  # a multi-year plan's "Year 1 (2021/22)"


DECISION = TableSheet(
    "Decision",
    (
        Column("field", "Field", width=34),
        Column("value", "Value", width=90),
    ),
)

FUNDS = TableSheet(
    "Funds",
    (
        Column("fund", "Fund", aliases=("Fund name",), width=30),
        Column(
            "allocation",
            "Allocation (£)",
            aliases=(
                "Allocation",
                "Allocation £",
                "Allocation (GBP)",
                "Total allocation",
                "Fund value",  # never "Budget": a Services sheet would then read as a Funds one
                "Fund allocation",
                "Approved allocation",
                "Agreed allocation",
            ),
            # "2021/22 allocation (£)", "Allocation 2021-22", or the year alone: "2021/22 (£)"
            pattern=rf"{_YEAR}( allocation)?|allocation {_YEAR}",
            width=16,
        ),
        Column(
            "legal_basis",
            "Legal basis",
            required=False,
            aliases=("Statutory basis", "Legislation", "Legal power"),
            width=40,
        ),
        Column(
            "description", "Description", required=False, aliases=("Fund description",), width=80
        ),
    ),
)

SOURCES = TableSheet(
    "Funding sources",
    (
        Column("fund", "Fund", aliases=("Fund name",), width=30),
        Column(
            "source", "Source", aliases=("Funding source", "Source of funding", "Funder"), width=36
        ),
        Column(
            "amount",
            "Amount (£)",
            aliases=(
                "Amount",
                "Amount £",
                "Amount (GBP)",
                "Value",
                "Grant amount",
                "Grant value",
                "Contribution",
                "Income",
            ),
            width=16,
        ),
        Column("ring_fenced", "Ring-fenced", aliases=("Ring fenced", "Ringfenced", "RF"), width=13),
        Column(
            "grant_reference",
            "Grant reference",
            required=False,
            aliases=("Grant ref", "Grant ref.", "Grant number", "Grant no", "Grant no."),
            width=20,
        ),
    ),
    aliases=("Sources", "Funding source"),
)

# A number's heading after its register's: "number", "no.", "reg. no.", "(if applicable)".
_NUMBER = r"(reg(istration)?\.? )?(number|no\.?|reg(istration)?\.?)( \(if (any|applicable)\))?"
_EITHER = "(charity|company|companies house)"

SERVICES = TableSheet(
    "Services",
    (
        Column("fund", "Fund", aliases=("Fund name",), width=24),
        Column(
            "service",
            "Service",
            aliases=("Service Name", "Service Name/Area", "Project", "Project name", "Scheme"),
            width=36,
        ),
        Column(
            "organisation",
            "Delivery organisation",
            aliases=(
                "Current Delivery Org.",
                "Current Delivery Org",
                "Delivery org.",
                "Provider",
                "Provider name",
                "Service provider",
                "Delivery organization",
                # A grants plan's and other offices' words for who delivers the line.
                "Organisation",
                "Organisation name",
                "Recipient",
                "Grant recipient",
                "Recipient organisation",
                "Funded organisation",
                "Supplier",
                "Supplier name",
                "Delivery partner",
                "Lead provider",
                "Delivered by",
            ),
            width=30,
        ),
        Column(
            "organisation_type",
            "Organisation type",
            aliases=(
                "Org type",
                "Type of organisation",
                "Sector",
                "Provider type",
                "Type of provider",
                "Recipient type",
                "Organisation category",
            ),
            width=22,
        ),
        Column(
            "provision",
            "Provision",
            aliases=("Description", "Service description", "Project description", "Details"),
            width=40,
        ),
        Column(
            "start",
            "Start date",
            aliases=(
                "Contract start date",
                "Start",
                "Commencement date",
                "Contract start",
                "Grant start date",
                "Grant start",
                "Project start date",
                "Agreement start date",
                "Date from",
                "From",
            ),
            width=13,
        ),
        Column(
            "end",
            "End date",
            aliases=(
                "Contract end date",
                "End",
                "Expiry date",
                "Contract end",
                "Contract expiry",
                "Contract expiry date",
                "Grant end date",
                "Grant end",
                "Project end date",
                "Agreement end date",
                "Date to",
                "To",
                "Expiry",
            ),
            width=13,
        ),
        Column(
            "extension_options",
            "Extension options",
            required=False,
            aliases=(
                "Extensions",
                "Extension option",
                "Extension",
                "Option to extend",
                "Options to extend",
                "Extension period",
            ),
            width=30,
        ),
        Column(
            "mechanism",
            "Mechanism",
            aliases=(
                "Commissioning mechanism",
                "Funding mechanism",
                "Funding type",
                "Commissioning type",
                "Contract/Grant",
                "Contract or grant",
                "Grant/Contract",
                "Grant or contract",
                "Award type",
                "Agreement type",
            ),
            width=22,
        ),
        Column(
            "how_commissioned",
            "How commissioned",
            aliases=(
                "How service is commissioned",
                "Procurement route",
                "Commissioning route",
                "Procurement method",
                "Commissioning method",
                "Route to market",
                "How procured",
            ),
            width=40,
        ),
        Column(
            "purpose",
            "Purpose",
            required=False,
            aliases=(
                "s143 purpose",
                "Section 143 purpose",
                "s.143 purpose",
                "s143",
                "Purpose (s143)",
            ),
            width=30,
        ),
        Column(
            "budget",
            "Budget (£)",
            # Other offices' headings for this year's money on a line ("Grant value" on a
            # grants plan); never "Contract value" or "Total value", a whole contract's.
            aliases=(
                "Budget",
                "Budget £",
                "Budget (GBP)",
                "Grant value",
                "Grant amount",
                "Amount",
                "Annual value",
                "Annual budget",
                "Annual cost",
                "Funding amount",  # never "Funding" alone: a column naming the funding stream
                "Amount awarded",
                "Award",
                "Grant awarded",
                "Value",
                "Allocation",
                "Budget allocation",
                "Funding allocation",
                # The budget as the decision's stage names it.
                "Approved budget",
                "Agreed budget",
                "Proposed budget",
                "Allocated budget",
                # A budget as revised in year (beside the original, the two are told apart by
                # the officer: budget_column asks which).
                "Revised budget",
                "Original budget",
                "Current budget",
                "Award amount",
                "Annual contract value",
                "Funding awarded",
                "Grant award",
            ),
            # "2021/22 budget (£)" as in the seed, "Budget 2021/22 (£)", and the years as other
            # finance teams head them: "2021-22 Budget £", "Budget 2021/2022", "Budget 21/22"
            # and a multi-year plan's columns headed with the year alone: "2021/22 (£)"
            # "Proposed budget 2021/22", "FY21/22 budget"; and as multi-year plans head them:
            # "Year 1 (2021/22)", "Budget for 2021/22", "2021/22 total", "Contract value 2021/22".
            pattern=rf"(fy ?)?{_YEAR}( {_MONEY_WORD}| total)?|(total|{_YEAR_NUMBER}) \(?{_YEAR}\)?"
            rf"|({_STAGE} |contract |annual )?{_MONEY_WORD} (for |in )?(fy ?)?{_YEAR}",
            width=16,
        ),
        # Optional: the ledger's cost centre / code for this line (spend monitoring, domain §8).
        Column("cost_code", "Cost code", required=False, aliases=("Cost centre",), width=14),
        # Optional: the recipient's org-id for 360Giving (GB-CHC-…, GB-COH-…), domain §9.
        Column(
            "recipient_org_id",
            "Recipient org ID",
            required=False,
            aliases=("Recipient org id", "Recipient organisation ID", "Org ID"),
            width=18,
        ),
    ),
    aliases=("Service lines", "Commissioning plan"),
    extra=(  # instead of a Recipient org ID, its registered number (org_ids.number_org_id)
        Column(
            "charity_number",
            "Charity number",
            required=False,
            # "Registered charity number", "Charity no.", "Charity registration number".
            pattern=rf"(registered )?charity {_NUMBER}",
        ),
        Column(
            "company_number",
            "Company number",
            required=False,
            # "Companies House number", "Company reg no.", "Company registration number".
            pattern=rf"(registered )?(company|companies house) {_NUMBER}",
        ),
        Column(
            "charity_or_company_number",
            "Charity or company number",
            required=False,
            # "Charity/Company number", "Company or charity no.", "Charity & company reg no.":
            # one column for either, read by the number's own form (org_ids).
            pattern=rf"(registered )?({_EITHER} ?(/|or|and|&) ?{_EITHER}) {_NUMBER}s?",
        ),
    ),
)

# The Document control sheet holds two tables, as the strategy's Document Control Information
# does: Field | Value rows, then (below a blank row) the change-control table under its own
# header row, one row per change.
DOCUMENT_CONTROL = TableSheet(
    "Document control",
    (
        Column("field", "Field", width=45),
        Column("value", "Value", width=45),
    ),
    required=False,
)
CHANGE_CONTROL = TableSheet(
    "Document control",
    (
        Column(
            "change",
            "Change",
            aliases=("Change control", "Change control from previous version"),
            width=45,
        ),
        Column("initials", "Initials", width=45),
        Column("date", "Date", aliases=("Date of change",), width=13),
        Column("version", "Version", width=10),
    ),
    required=False,
)

# Who the Request for Decision is e-mailed to for sign-off (optional; no sheet, no e-mail).
CIRCULATION = TableSheet(
    "Circulation",
    (
        Column("role", "Role", required=False, width=30),
        Column("name", "Name", width=30),
        Column("email", "E-mail", aliases=("Email", "E-mail address", "Email address"), width=40),
    ),
    aliases=("Circulation list", "Distribution", "Distribution list"),
    required=False,
)

TABLE_SHEETS = (FUNDS, SOURCES, SERVICES)


# "Recommendation 2", or a bare "Recommendation" (numbered by its place among the rows)
RECOMMENDATION = re.compile(r"recommendations?\s*(\d*)")
# In Welsh a total is "Cyfanswm" (plural "Cyfansymiau"), a sub-total "Is-gyfanswm", a grand
# total "Cyfanswm cyffredinol" or "Cyfanswm terfynol"; a bilingual label gives both.
_WELSH_TOTAL = r"(?:is[\s-]?g|c)yfans(?:wm|ymiau)"
TOTAL_LABEL = re.compile(
    rf"(?:(?:grand\s*|sub[\s-]?)?totals?|{_WELSH_TOTAL}(?:\s+(?:cyffredinol|terfynol))?)"
    rf"(?:\s*/\s*(?:(?:grand\s*|sub[\s-]?)?totals?|{_WELSH_TOTAL}))?\s*:?",
    re.IGNORECASE,
)


TOTAL_WORD = re.compile(rf"\b(?:(sub[\s-]?)?totals?|{_WELSH_TOTAL})\b", re.IGNORECASE)


def is_total_label(text: str) -> bool:
    """``Total``, ``TOTAL:``, ``Sub-total``, ``Grand total`` and the like."""
    return TOTAL_LABEL.fullmatch(text.strip()) is not None


def names_a_total(text: str) -> bool:
    """A label with the word total in it (``Total allocation``, ``Victims Fund total``): a
    total row where the row holds nothing else a record needs."""
    return TOTAL_WORD.search(text) is not None
