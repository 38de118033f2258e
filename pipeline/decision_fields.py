"""The Decision sheet's fields (domain §2): each field's name, the names other bodies' forms give
it, whether it is required and how its value is read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DecisionField:
    key: str
    name: str
    required: bool = False
    kind: str = "text"  # text | reference | date | yes_no
    example: str = ""
    paragraphs: bool = False  # narrative: line breaks typed with Alt+Enter are kept
    aliases: tuple[str, ...] = ()  # other names a body's own template gives the field


DECISION_FIELDS: tuple[DecisionField, ...] = (
    DecisionField("police_area", "Police area", True, example="Lincolnshire"),
    # Other bodies' forms name the fields their own way (Essex's "Report reference number",
    # "Title of report", "Enquiries to"; MOPAC's "Reference code").
    DecisionField(
        "reference",
        "Reference",
        True,
        "reference",
        example="015/2021",
        aliases=(
            "Decision reference",
            "Decision number",
            "Decision no",
            "Reference number",
            "Decision reference number",  # Warwickshire's decision notices
            "Report reference number",
            "Reference code",
            "Ref",
        ),
    ),
    DecisionField(
        "date",
        "Date",
        True,
        "date",
        example="28/05/2021",
        aliases=("Decision date", "Date of decision", "Date of report"),
    ),
    DecisionField("financial_year", "Financial year", True, example="2021/22"),
    DecisionField(
        "subject", "Subject", True, aliases=("Title", "Decision title", "Title of report")
    ),
    DecisionField("report_by", "Report by", True, aliases=("Report author", "Author")),
    DecisionField("contact_officer", "Contact officer", True, aliases=("Enquiries to", "Contact")),
    DecisionField(
        "executive_summary",
        "Executive summary",
        True,
        paragraphs=True,
        aliases=(
            "Summary",
            "Decision summary",
            "Executive summary and purpose of report",
            "Purpose of report",
        ),
    ),
    DecisionField(
        "budget_approval",
        "Budget approval",
        True,
        "date",
        example="24/02/2021",
        aliases=("Budget approval date",),
    ),
    DecisionField(
        "budget_approval_reference",
        "Budget approval reference",
        True,
        "reference",
        example="004/2021",
    ),
    DecisionField("publication_deferred", "Publication deferred", True, "yes_no", example="No"),
    DecisionField("publication_deferred_reason", "Publication deferred reason", paragraphs=True),
    DecisionField("publication_deferred_until", "Publication deferred until", False, "date"),
    DecisionField("part2_form", "Part 2 form", True, "yes_no", example="No"),
    DecisionField("part2_form_reason", "Part 2 form reason", paragraphs=True),
    DecisionField("originating_officer_initials", "Originating officer initials"),
    DecisionField("finance_officer_initials", "Finance officer initials"),
    DecisionField("monitoring_officer_initials", "Monitoring officer initials"),
    DecisionField("chief_executive_approval_date", "Chief Executive approval date", False, "date"),
    # A PFCC's or a mayor's office names the signature by its own decision maker; the date
    # typed under that name was read as an unknown field and the signed form printed blank.
    DecisionField(
        "pcc_approval_date",
        "PCC approval date",
        False,
        "date",
        aliases=tuple(
            f"{maker} approval date"
            for maker in (
                "Police and Crime Commissioner",
                "PFCC",
                "Police, Fire and Crime Commissioner",
                "Commissioner",
                "Mayor",
                "Deputy Mayor",
                "DMPC",  # MOPAC's Deputy Mayor for Policing and Crime
                "Deputy Mayor for Policing and Crime",
                "Decision maker",
            )
        ),
    ),
    # Optional narrative for sections A, D, E and F; the template's standard wording is used
    # where they are blank.
    DecisionField("background", "Background", paragraphs=True),
    DecisionField("plan_links", "Links to Police and Crime Plan", paragraphs=True),
    DecisionField("personnel_equalities", "Personnel and equalities", paragraphs=True),
    DecisionField("review_arrangements", "Review arrangements", paragraphs=True),
    DecisionField("risk_management", "Risk management", paragraphs=True),
    # Who decides (domain §9): any policing body, not only a PCC. Blank: the PCC defaults.
    DecisionField("organisation", "Organisation"),
    DecisionField("decision_maker", "Decision maker"),
    DecisionField("decision_maker_short", "Decision maker short"),
    # A Word document beside the workbook composed into the decision pack (the strategy).
    DecisionField("strategy_document", "Strategy document"),
)
