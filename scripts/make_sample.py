"""Write input/lincolnshire-2021-22.xlsx: Lincolnshire decision 015/2021 as finance staff keep it.

Every figure comes from the published Request for Decision 015/2021 (Commissioning Strategy and
Plan 2021/22, Appendix 3). Run ``python scripts/make_sample.py [PATH]`` to re-make it.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from pipeline.new_workbook import WorkbookContent, total_row, write_workbook

VF = "Victims Fund"
CSF = "Community Safety Fund"
VCS = "Voluntary & community"
PUB = "Public sector"
SOLE = "OJEU procurement – OPCC sole funded"
LCC = "Lincolnshire County Council"
CDR = "Crime and disorder reduction"
VICTIMS = "Helping victims and witnesses"
REOFFENDING = "Reducing re-offending"

DECISION = [
    ("Police area", "Lincolnshire"),
    ("Reference", "015/2021"),
    ("Date", date(2021, 5, 28)),
    ("Financial year", "2021/22"),
    ("Subject", "Police and Crime Commissioner's Commissioning Strategy and Plan for 2021/22"),
    ("Report by", "Partnership and Delivery Manager"),
    ("Contact officer", "Joanne Davison, Partnership and Delivery Manager Telephone 01522 947406"),
    (
        "Executive summary",
        "To propose a Commissioning Strategy and Plan for 2021/22. The proposals will support "
        "delivery of the Police and Crime Plan.",
    ),
    ("Recommendation 1", "That the Commissioning Strategy be approved;"),
    (
        "Recommendation 2",
        "That the funding proposals within the Commissioning Plan at Appendix 3 of the Strategy "
        "be approved.",
    ),
    ("Budget approval", date(2021, 2, 24)),
    ("Budget approval reference", "004/2021"),
    ("Publication deferred", "No"),
    ("Publication deferred reason", ""),
    ("Publication deferred until", ""),
    ("Part 2 form", "No"),
    ("Part 2 form reason", ""),
    ("Originating officer initials", "JD"),
    ("Finance officer initials", "JF"),
    ("Monitoring officer initials", "MB"),
    ("Chief Executive approval date", date(2021, 5, 26)),
    ("PCC approval date", date(2021, 5, 28)),
    (
        "Links to Police and Crime Plan",
        "This commissioning strategy and plan will help to deliver the strategic aims and "
        "priorities set out in the key principles of the Community Safety, Policing and Criminal "
        "Justice Plan for Lincolnshire 2017-2021. These are: Community Safety and prevention in "
        "partnership; Listening, responding and being accountable; Protecting and supporting "
        "victims and the vulnerable; Policing that works.",
    ),
]

VICTIMS_DESCRIPTION = "\n".join(
    (
        "The Ministry of Justice provides a ring-fenced grant on a statutory basis to the PCC to "
        "commission services to support victims and their immediate family members cope and recover "
        "from crimes they may have experienced, regardless of whether the crime has been reported to "
        "the Police. This grant is subject to specific conditions and requirements, which includes the "
        "submission of grant returns detailing quantitative information on the services funded. The "
        "funding is issued as a grant under the Domestic Violence, Crime and Victims Act 2004 to "
        "support 'victims, witnesses or other persons affected by offences'. The grant is provided "
        "for the following purposes:",
        "• Providing or commissioning a referral service, where victims can be provided with "
        "information or referral to other suitable support services in accordance with their needs",
        "• Providing or commissioning support services for victims of crime and any additional "
        "services for victims of the most serious crime persistently targeted, vulnerable and "
        "intimidated. In addition, support should be made available for family members and "
        "bereaved family members",
        "• Providing or commissioning support services for victims of sexual violence, domestic abuse "
        "and victims of child sexual abuse, and exploitation",
        "• Provision of victim led, pre and post sentence restorative justice services",
        "• Covering any associated costs linked to providing or commissioning support services",
        "• Building the capacity and capability of the VCSE who are providing support services to "
        "victims of crime",
        "• Ensure that all services provided or commissioned adhere to Article 8 of the EU Victims "
        "Directive e.g. free of charge, confidential and available whether the crime has been reported "
        "to the Police or not",
    )
)

CSF_DESCRIPTION = "\n".join(
    (
        "The Community Safety Fund allocation comes from Police Main Grant. The funds are used by the "
        "PCC to commission specific services that are delivered outside of policing, to meet the "
        "priorities set out in his Police and Crime Plan and to respond to emerging threats. Services "
        "can be commissioned solely by the PCC or jointly with other partners.",
        "In accordance with Section 143 of the Antisocial Behaviour, Crime and Policing Act 2014, all "
        "awards from the Community Safety fund must address one or more of the following:",
        "• Crime and disorder reduction, including antisocial behaviour, in communities and "
        "neighbourhoods",
        "• Reducing the misuse of drugs, alcohol and other substances",
        "• Reducing re-offending",
        "• Helping victims, witnesses or other people affected by crime and antisocial behaviour "
        "(where services are not already being commissioned by the PCC)",
    )
)

FUNDS = [
    [VF, Decimal(1_009_000), "Domestic Violence, Crime and Victims Act 2004", VICTIMS_DESCRIPTION],
    [
        CSF,
        Decimal(556_000),
        "Section 143 Anti-social Behaviour, Crime and Policing Act 2014",
        CSF_DESCRIPTION,
    ],
]

SOURCES = [
    [VF, "MoJ Victims' Services Grant", Decimal(884_000), "Yes", ""],
    [VF, "Local supplement", Decimal(125_000), "No", ""],
    [CSF, "Police main grant", Decimal(556_000), "No", ""],
]


def d(day: int, month: int, year: int) -> date:
    return date(year, month, day)


# Fund, Service, Delivery organisation, Organisation type, Provision, Start, End, Extension
# options, Mechanism, How commissioned, Purpose, Budget.
VICTIMS_LINES = [
    [
        VF,
        "Victim Support",
        "Victim Support",
        VCS,
        "Generic victim support outreach",
        d(1, 10, 2018),
        d(31, 3, 2022),
        "1 x 12 months option to 31/03/2023",
        "Contract",
        SOLE,
        "",
        260_000,
    ],
    [
        VF,
        "Children's Independent Sexual Violence Advisor",
        "Victim Support",
        VCS,
        "Support to victims of sexual violence <18",
        d(1, 10, 2021),
        d(30, 9, 2024),
        "2 x 12 months option to 01/10/2026",
        "Contract",
        SOLE,
        "",
        100_000,
    ],
    [
        VF,
        "Children and Young People's Sexual Assault Referral Centre",
        "NUHT",
        PUB,
        "Sexual Assault Referral Centre for <18",
        d(1, 4, 2018),
        d(31, 3, 2023),
        "",
        "Partnership agreement",
        "OJEU procurement – NHS England led with Lincolnshire OPCC contribution. Partnership "
        "agreement in place.",
        "",
        20_000,
    ],
    [
        VF,
        "Spring Lodge SARC",
        "LPFT",
        PUB,
        "Sexual Assault Referral Centre for >18",
        d(1, 4, 2018),
        d(31, 3, 2023),
        "",
        "Partnership agreement",
        "OJEU procurement – NHS England led with Lincolnshire OPCC contribution (50%). Partnership "
        "agreement in place.",
        "",
        80_000,
    ],
    [
        VF,
        "Independent Sexual Violence Advisor",
        "LPFT",
        PUB,
        "Support to victims of sexual violence <18",
        d(1, 4, 2018),
        d(31, 3, 2023),
        "",
        "Contract",
        "OJEU procurement – NHS England led aligned to SARC but solely OPCC funded.",
        "",
        90_000,
    ],
    [
        VF,
        "Rape Crisis",
        "Rape Crisis",
        VCS,
        "Support to victims of sexual violence (all age)",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "",
        "Grant",
        "Grant funded",
        "",
        82_661,
    ],
    [
        VF,
        "Sexual Violence Counselling",
        "NWCH",
        VCS,
        "Counselling support to victims of sexual violence",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "",
        "Grant",
        "Grant funded",
        "",
        18_351,
    ],
    [
        VF,
        "Hospital Independent Domestic Violence Advisor",
        LCC,
        PUB,
        "Support to victims of domestic abuse",
        d(1, 4, 2021),
        d(31, 3, 2023),
        "",
        "Partnership agreement",
        "Partnership agreement – year 1 of 2",
        "",
        43_600,
    ],
    [
        VF,
        "Restorative Justice",
        "Restorative Solutions CIC",
        "Social enterprise",
        "Access to restorative justice",
        d(1, 4, 2021),
        d(31, 3, 2024),
        "2 x 12 month option to 31/03/2026",
        "Contract",
        SOLE,
        "",
        100_000,
    ],
    [
        VF,
        "Hate Crime Prevention",
        "Stop Hate",
        VCS,
        "Hate crime reporting and support to victims",
        d(1, 10, 2021),
        d(30, 9, 2022),
        "",
        "Grant",
        "Grant funded",
        "",
        10_600,
    ],
]


def csf(
    service: str,
    org: str,
    org_type: str,
    provision: str,
    mechanism: str,
    how: str,
    purpose: str,
    budget: int,
) -> list[object]:
    # The seed types these dates as months: April 2021 to March 2022.
    return [
        CSF,
        service,
        org,
        org_type,
        provision,
        "April 2021",
        "March 2022",
        "",
        mechanism,
        how,
        purpose,
        budget,
    ]


PA = "Partnership agreement"
CSF_LINES = [
    csf(
        "Youth Offending Service (YOS)",
        LCC,
        PUB,
        "Contribution to Lincolnshire Youth Offending Service",
        PA,
        "Partnership Agreement",
        REOFFENDING,
        172_900,
    ),
    csf(
        "Lincolnshire Children's Safeguarding Partnership (LSCP)",
        LCC,
        PUB,
        "Contribution to costs of Lincolnshire Children's Safeguarding Partnership",
        PA,
        "Partnership Agreement",
        VICTIMS,
        74_933,
    ),
    csf(
        "Lincolnshire Children's Safeguarding Partnership (LSCP)",
        LCC,
        PUB,
        "To meet shared costs of serious case reviews.",
        PA,
        "Partnership Agreement",
        VICTIMS,
        6_000,
    ),
    csf(
        "Lincolnshire Safeguarding Adults Board (LSAB)",
        LCC,
        PUB,
        "Contribution to costs of Lincolnshire Adult Safeguarding Board",
        PA,
        "Partnership Agreement",
        VICTIMS,
        40_000,
    ),
    csf(
        "LCC Safer Communities",
        LCC,
        PUB,
        "To meet shared costs of Domestic Homicide Reviews",
        PA,
        "Partnership Agreement",
        CDR,
        4_400,
    ),
    csf(
        "LCC Safer Communities",
        LCC,
        PUB,
        "Contribution to Domestic Abuse - Strategic Management /DA co-ordination/training "
        "/Multi-agency risk assessment conferences",
        PA,
        "Partnership Agreement",
        CDR,
        22_000,
    ),
    csf(
        "Anti-social behaviour",
        LCC,
        PUB,
        "Contribution to costs of Countywide Anti-social Behaviour (ASB) County Co-ordinator",
        PA,
        "Partnership Agreement",
        CDR,
        11_000,
    ),
    csf(
        "Anti-social behaviour",
        LCC,
        PUB,
        "Contribution to costs of ASB Case management system (ECINS)",
        PA,
        "Partnership Agreement",
        CDR,
        5_000,
    ),
    csf(
        "Reducing sexual reoffending",
        "Safer Living Foundation",
        VCS,
        "Education and awareness to reduce the risk of sexual harm",
        "Grant",
        "Grant funded",
        REOFFENDING,
        25_000,
    ),
    csf(
        "Mental health",
        "Lincolnshire Partnership Foundation Trust",
        PUB,
        "Mental health nurse in Force Control Room and contribution to response vehicles",
        PA,
        "Partnership Agreement with Lincolnshire CCG who lead commissioning",
        CDR,
        78_000,
    ),
    csf(
        "Crimestoppers",
        "Crimestoppers",
        VCS,
        "Contribution to call bureau",
        "Grant",
        "Grant funded",
        CDR,
        18_075,
    ),
    csf(
        "Stalking and harassment",
        "EDAN Lincs",
        VCS,
        "ISAC training",
        "Grant",
        "Grant funded",
        VICTIMS,
        3_000,
    ),
    csf(
        "Stalking and harassment",
        "Victim Support",
        VCS,
        "ISAC training",
        "Grant",
        "Grant funded",
        VICTIMS,
        3_000,
    ),
    csf(
        "Community Champion Awards",
        "North Kesteven District Council",
        PUB,
        "Contribution to Community Safety Award",
        "Grant",
        "Grant funded",
        CDR,
        750,
    ),
]

DOCUMENT_CONTROL: list[list[object]] = [
    ["Name of document", "PCC Commissioning Strategy 2021"],
    ["Version", "1.1"],
    ["Status", "Final"],
    ["Owner", "Chief Executive of the OPCC"],
    ["Date of this version", date(2021, 4, 22)],
    [
        "Synopsis",
        "PCC strategy and plan for commissioning victims and witness support services "
        "and community safety services",
    ],
    ["Copyholders", "Public"],
    ["Next review due", date(2022, 2, 1)],
]

# The seed's change-control table (Change · Initials · Date · Version), below the fields.
CHANGE_CONTROL: list[list[object]] = [
    ["First Draft", "JD", date(2019, 12, 11), "0.1"],
    [
        "Final version of strategy with Commissioning Plan 2021/22 included as appendix",
        "JD",
        date(2021, 4, 22),
        "1.0",
    ],
    [
        "Page 18 updated to reflect 10% uplift in contribution to SLP in 2021/22",
        "JD",
        date(2021, 5, 7),
        "1.1",
    ],
]

HEADER_ROW = 3  # two title rows above the header, as finance staff keep it


def services_with_totals() -> list[list[object]]:
    """Each fund's lines followed by a typed Total row (a SUM, with the value Excel saved)."""
    rows: list[list[object]] = []
    first = HEADER_ROW + 1
    for lines in (VICTIMS_LINES, CSF_LINES):
        rows.extend(lines)
        last = first + len(lines) - 1
        total = sum(int(str(line[-1])) for line in lines)
        rows.append(total_row(first, last, total))
        rows.append([""] * 12)  # a blank row between funds
        first = last + 3
    return rows[:-1]


# Who the report goes to for sign-off (domain §1), so the sample shows the e-mail and `send`.
# The names are made up and the addresses are on example.police.uk, which nobody receives.
CIRCULATION = [
    ["Chief Executive", "Alex Example", "alex.example@example.police.uk"],
    ["Chief Finance Officer", "Sam Example", "sam.example@example.police.uk"],
    ["Monitoring Officer", "Jo Example", "jo.example@example.police.uk"],
    ["Police and Crime Commissioner", "Chris Example", "chris.example@example.police.uk"],
]


def content() -> WorkbookContent:
    return WorkbookContent(
        decision=DECISION,
        funds=FUNDS,
        sources=SOURCES,
        services=services_with_totals(),
        document_control=DOCUMENT_CONTROL,
        change_control=CHANGE_CONTROL,
        title_rows={"Services": ("Commissioning Plan 2021 - 2022", "")},
        circulation=[list(row) for row in CIRCULATION],
    )


# -- the year before, for the year-on-year comparison (tests/fixtures/) -------------------------
# Realistic changes against 2021/22: the MoJ grant was £820,000; a domestic abuse helpline ended;
# Hate Crime Prevention is new in 2021/22; the contribution to the Safer Living Foundation (SLP)
# rose by 10% ("Page 18 updated to reflect 10% uplift in contribution to SLP in 2021/22").
PREVIOUS_MOJ = Decimal(820_000)
PREVIOUS_SLP = Decimal("22727.27")
ENDED_LINE = [
    VF,
    "Domestic Abuse Helpline",
    "EDAN Lincs",
    VCS,
    "Telephone support to victims of domestic abuse",
    d(1, 4, 2020),
    d(31, 3, 2021),
    "",
    "Grant",
    "Grant funded",
    "",
    30_000,
]


def _year_back(value: object) -> object:
    if isinstance(value, date):
        return value.replace(year=value.year - 1)
    if isinstance(value, str) and value.endswith(" 2021"):
        return value.replace(" 2021", " 2020")
    if isinstance(value, str) and value.endswith(" 2022"):
        return value.replace(" 2022", " 2021")
    return value


def previous_content() -> WorkbookContent:
    """Lincolnshire's 2020/21 plan as the 2021/22 one would have been a year earlier."""
    decision = [(field, value) for field, value in DECISION]
    replaced = {
        "Reference": "010/2020",
        "Date": date(2020, 5, 29),
        "Financial year": "2020/21",
        "Budget approval": date(2020, 2, 26),
        "Budget approval reference": "003/2020",
        "Chief Executive approval date": date(2020, 5, 27),
        "PCC approval date": date(2020, 5, 29),
    }
    decision = [(f, replaced.get(f, v)) for f, v in decision]
    decision = [
        (f, v.replace("2021/22", "2020/21") if isinstance(v, str) else v) for f, v in decision
    ]
    victims = [list(line) for line in VICTIMS_LINES if line[1] != "Hate Crime Prevention"]
    victims.append(list(ENDED_LINE))
    community = [list(line) for line in CSF_LINES]
    for line in community:
        if line[2] == "Safer Living Foundation":
            line[11] = PREVIOUS_SLP
    lines = [
        [_year_back(v) if i in (5, 6) else v for i, v in enumerate(line)]
        for line in (*victims, *community)
    ]
    local = Decimal(125_000)
    return WorkbookContent(
        decision=decision,
        funds=[[VF, PREVIOUS_MOJ + local, FUNDS[0][2], FUNDS[0][3]], list(FUNDS[1])],
        sources=[
            [VF, "MoJ Victims' Services Grant", PREVIOUS_MOJ, "Yes", ""],
            [VF, "Local supplement", local, "No", ""],
            list(SOURCES[2]),
        ],
        services=lines,
    )


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else Path("input/lincolnshire-2021-22.xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(target, content())
    print(f"wrote {target}")
    previous = target.parent.parent / "tests" / "fixtures" / "lincolnshire-2020-21.xlsx"
    if len(argv) < 2 and previous.parent.is_dir():
        write_workbook(previous, previous_content())
        print(f"wrote {previous}")


if __name__ == "__main__":
    main(sys.argv[1:])
