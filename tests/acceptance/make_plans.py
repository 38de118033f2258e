"""Acceptance plans: other police areas' commissioning plans, as their finance staff keep them.

Workbooks unlike the Lincolnshire sample, written through ``pipeline.new_workbook``:

- ``south-wales-2023-24.xlsx``: a large OPCC. A "Victims and Witnesses Fund" fed by three
  ring-fenced MoJ streams and a local top-up, a "Violence Reduction Unit Fund", a "Safer
  Streets Fund" and a "Community Safety Grant"; amounts in pence, 44 lines, long names, "&",
  apostrophes and Welsh names with accents (ŵ, â).
- ``cumbria-2021-22.xlsx``: a small rural OPCC. One fund fed by the MoJ grant alone (nothing
  local), grants only, the fund fully committed (no headroom).
- ``essex-pfcc-2022-23.xlsx``: a Police, Fire and Crime Commissioner's plan (Organisation,
  Decision maker "Police, Fire and Crime Commissioner", short "PFCC").
- ``greater-manchester-2023-24.xlsx``: a mayor holding the PCC functions (Organisation "Greater
  Manchester Combined Authority", Decision maker "Mayor of Greater Manchester", short "Mayor").
- ``devon-cornwall-2022-23.xlsx``: a messy 2022/23 plan: title rows, Sub-total, Total and Grand
  total rows, dates typed as text ("1st April 2022", "Sept 2022"), amounts typed as text
  ("£12,345.67"), lines that span the year boundaries.

``EXPECTED`` holds, per workbook, the figures a Chief Finance Officer would check, worked out by
hand from the lines below (``tests/test_acceptance.py`` asserts them in the outputs).

    .venv/bin/python -m tests.acceptance.make_plans [FOLDER]   # default tests/acceptance/
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.new_workbook import Formula, WorkbookContent, write_workbook

HERE = Path(__file__).resolve().parent

VCS = "Voluntary & community"
PUB = "Public sector"
PRIV = "Private"
SOC = "Social enterprise"
PA = "Partnership agreement"
CDR = "Crime and disorder reduction"
DRUGS = "Reducing misuse of drugs, alcohol and other substances"
REOFF = "Reducing re-offending"
VICTIMS = "Helping victims and witnesses"


def m(text: str) -> Decimal:
    return Decimal(text)


def d(day: int, month: int, year: int) -> date:
    return date(year, month, day)


def decision(
    area: str, reference: str, when: date, year: str, subject: str, **extra: Any
) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = [
        ("Police area", area),
        ("Reference", reference),
        ("Date", when),
        ("Financial year", year),
        ("Subject", subject),
        ("Report by", extra.get("report_by", "Head of Commissioning and Partnerships")),
        ("Contact officer", extra.get("contact", "Commissioning Team, telephone 01234 567890")),
        (
            "Executive summary",
            extra.get(
                "summary",
                f"To approve the commissioning plan and the funding of services for {year}.",
            ),
        ),
        ("Recommendation 1", f"That the Commissioning Plan for {year} be approved."),
        (
            "Recommendation 2",
            "That the Chief Executive be authorised to enter into the agreements it lists.",
        ),
        ("Budget approval", extra.get("budget_approval", d(8, 2, when.year))),
        ("Budget approval reference", extra.get("budget_reference", "002/" + str(when.year))),
        ("Publication deferred", "No"),
        ("Publication deferred reason", ""),
        ("Publication deferred until", ""),
        ("Part 2 form", "No"),
        ("Part 2 form reason", ""),
        ("Originating officer initials", "AB"),
        ("Finance officer initials", "CD"),
        ("Monitoring officer initials", "EF"),
        ("Chief Executive approval date", extra.get("ce_date", "")),
        ("PCC approval date", extra.get("pcc_date", "")),
    ]
    # Who decides, when it is not a PCC (#17): the Decision fields of the workbook layout.
    for field, key in (
        ("Organisation", "organisation"),
        ("Decision maker", "maker"),
        ("Decision maker short", "maker_short"),
    ):
        if key in extra:
            rows.append((field, extra[key]))
    return rows


def line(
    fund: str,
    service: str,
    organisation: str,
    organisation_type: str,
    provision: str,
    start: Any,
    end: Any,
    mechanism: str,
    how: str,
    budget: Any,
    purpose: str = "",
    extension: str = "",
) -> list[Any]:
    return [
        fund,
        service,
        organisation,
        organisation_type,
        provision,
        start,
        end,
        extension,
        mechanism,
        how,
        purpose,
        budget,
    ]


def total_row(label: str, amount: Any, in_service_column: bool = False) -> list[Any]:
    row: list[Any] = [""] * 12
    row[1 if in_service_column else 0] = label
    row[11] = amount
    return row


# -- (a) South Wales 2023/24: a large OPCC, three MoJ streams, four funds, pence ---------------

VWF = "Victims and Witnesses Fund"
VRU = "Violence Reduction Unit Fund"
SSF = "Safer Streets Fund"
CSG = "Community Safety Grant"
SW_YEAR_START, SW_YEAR_END = d(1, 4, 2023), d(31, 3, 2024)
PROC = "Open tender (Public Contracts Regulations 2015) – OPCC sole funded"

SOUTH_WALES_SOURCES = [
    [VWF, "MoJ Core Victims' Services Grant", m("1234567.89"), "Yes", "MoJ/VSG/2324/17"],
    [
        VWF,
        "MoJ Domestic Abuse and Sexual Violence Grant",
        m("456789.12"),
        "Yes",
        "MoJ/DASV/2324/17",
    ],
    [VWF, "Ministry of Justice ISVA/IDVA uplift", m("210000.50"), "Yes", "MoJ/ISVA-IDVA/2324"],
    [VWF, "PCC local top-up (precept)", m("150000.00"), "No", ""],
    [VRU, "Home Office Violence Reduction Unit grant", m("1600000.00"), "Yes", "HO/VRU/2324/SW"],
    [VRU, "PCC contribution", m("250000.00"), "No", ""],
    [SSF, "Home Office Safer Streets Fund (Round 5)", m("749998.40"), "Yes", "HO/SSF5/117"],
    [CSG, "Police main grant", m("1015000.00"), "No", ""],
]


def _sw(
    fund: str,
    service: str,
    org: str,
    org_type: str,
    provision: str,
    mechanism: str,
    how: str,
    budget: str,
    purpose: str = "",
    start: date = SW_YEAR_START,
    end: date = SW_YEAR_END,
    extension: str = "",
) -> list[Any]:
    return line(
        fund,
        service,
        org,
        org_type,
        provision,
        start,
        end,
        mechanism,
        how,
        m(budget),
        purpose,
        extension,
    )


SOUTH_WALES_VWF = [
    _sw(
        VWF,
        "Victim & Witness Care Unit – needs assessment and referral",
        "South Wales Police",
        PUB,
        "Initial needs assessment of every victim reporting a crime",
        PA,
        "Partnership agreement with the Chief Constable",
        "312450.75",
    ),
    _sw(
        VWF,
        "Generic victims' support service (Cardiff, Vale & Bridgend)",
        "Victim Support",
        VCS,
        "Emotional and practical support to victims of all crime types",
        "Contract",
        PROC,
        "286000.00",
        start=d(1, 10, 2021),
        end=d(30, 9, 2024),
        extension="2 x 12 months option to 30/09/2026",
    ),
    _sw(
        VWF,
        "Gwasanaeth Cymorth i Ddioddefwyr – Cwm Taf Morgannwg",
        "Cymorth i Fenywod Cymru / Welsh Women's Aid",
        VCS,
        "Bilingual (Cymraeg/English) support to victims",
        "Contract",
        PROC,
        "148725.30",
    ),
    _sw(
        VWF,
        "Independent Domestic Violence Advisers (IDVA) – high-risk victims",
        "Calan DVS",
        VCS,
        "IDVA service for high-risk victims of domestic abuse",
        "Contract",
        PROC,
        "201340.00",
        start=d(1, 4, 2022),
        end=d(31, 3, 2025),
    ),
    _sw(
        VWF,
        "Independent Sexual Violence Advisers (ISVA) – adults & children",
        "New Pathways",
        VCS,
        "ISVA service for victims of rape and sexual assault, all ages",
        "Contract",
        PROC,
        "187650.45",
    ),
    _sw(
        VWF,
        "Sexual Assault Referral Centre (SARC) – Ynys Saff",
        "Cardiff and Vale University Health Board",
        PUB,
        "Forensic and aftercare services at the SARC",
        PA,
        "NHS Wales led; OPCC contribution (35%) under a partnership agreement",
        "165000.00",
    ),
    _sw(
        VWF,
        "Children and young people's ISVA",
        "Barnardo's Cymru",
        VCS,
        "Specialist ISVA support for victims under 18",
        "Contract",
        PROC,
        "98450.00",
    ),
    _sw(
        VWF,
        "Stalking advocacy (Paladin model)",
        "Llamau",
        VCS,
        "Independent stalking advocacy caseworkers",
        "Contract",
        PROC,
        "64320.18",
    ),
    _sw(
        VWF,
        "Men's domestic abuse support line",
        "Dyn Project (Safer Wales)",
        VCS,
        "Helpline and advocacy for male victims",
        "Grant",
        "Grant funded",
        "24999.99",
    ),
    _sw(
        VWF,
        'BAME victims\' advocacy – "Honour"-based abuse',
        "BAWSO",
        VCS,
        "Culturally specific advocacy for Black and minoritised victims",
        "Contract",
        PROC,
        "118760.00",
    ),
    _sw(
        VWF,
        "Restorative justice service",
        "Restorative Solutions CIC",
        SOC,
        "Victim-led restorative justice, pre- and post-sentence",
        "Contract",
        PROC,
        "92115.42",
        start=d(1, 4, 2021),
        end=d(31, 3, 2024),
        extension="1 x 12 months option to 31/03/2025",
    ),
    _sw(
        VWF,
        "Hate crime support – Cymru gyfan / all Wales",
        "Victim Support Cymru",
        VCS,
        "Hate crime reporting and support",
        "Grant",
        "Grant funded",
        "21500.00",
    ),
    _sw(
        VWF,
        "Modern slavery & exploitation: survivors' navigator",
        "The Salvation Army",
        VCS,
        "Navigators for survivors of modern slavery",
        "Grant",
        "Grant funded",
        "23875.60",
    ),
    _sw(
        VWF,
        "Counselling for survivors of childhood sexual abuse (Rhondda Cynon Taf & Merthyr Tydfil)",
        "Women's Aid RCT",
        VCS,
        "Trauma-informed counselling",
        "Contract",
        PROC,
        "57300.00",
    ),
    _sw(
        VWF,
        "Court-based witness support – Pont-y-pŵl and Caerdydd",
        "Citizens Advice Cymru",
        VCS,
        "Pre-trial visits and support on the day",
        "Contract",
        PROC,
        "41250.71",
    ),
    _sw(
        VWF,
        "Substance misuse support for victims of exploitation",
        "Kaleidoscope Project",
        VCS,
        "Support for victims whose abuse involves drugs or alcohol",
        "Grant",
        "Grant funded",
        "18204.95",
    ),
]

SOUTH_WALES_VRU = [
    _sw(
        VRU,
        "VRU core team – Uned Atal Trais",
        "South Wales Police",
        PUB,
        "Analysts, coordinators and communications for the Violence Prevention Unit",
        PA,
        "Partnership agreement",
        "420000.00",
    ),
    _sw(
        VRU,
        "A&E navigators (Cardiff & Swansea)",
        "St Giles Trust",
        VCS,
        "Youth workers in emergency departments",
        "Contract",
        PROC,
        "236480.00",
    ),
    _sw(
        VRU,
        "Custody navigators",
        "St Giles Trust",
        VCS,
        "Reachable-moment work in custody",
        "Contract",
        PROC,
        "148300.00",
    ),
    _sw(
        VRU,
        "Focused deterrence – Swansea",
        "Swansea Council",
        PUB,
        "Group violence intervention",
        PA,
        "Partnership agreement",
        "165000.00",
    ),
    _sw(
        VRU,
        "Mentoring for young people at risk (11–17)",
        "Media Academy Cymru",
        VCS,
        "One-to-one mentoring",
        "Contract",
        PROC,
        "127655.55",
        start=d(1, 1, 2023),
        end=d(31, 12, 2024),
    ),
    _sw(
        VRU,
        "Schools programme: Mentors in Violence Prevention",
        "Cardiff Council",
        PUB,
        "Bystander programme in secondary schools",
        PA,
        "Partnership agreement",
        "88000.00",
    ),
    _sw(
        VRU,
        'Sports-based diversion – "Street Games"',
        "StreetGames UK",
        VCS,
        "Evening sessions in priority wards",
        "Grant",
        "Grant funded",
        "24500.00",
    ),
    _sw(
        VRU,
        "Trauma-informed training for frontline staff",
        "ACE Hub Wales (Public Health Wales)",
        PUB,
        "Training for practitioners",
        PA,
        "Partnership agreement",
        "61234.56",
    ),
    _sw(
        VRU,
        "Community grants – Cyngor Bro Morgannwg / Vale of Glamorgan",
        "Vale of Glamorgan Council",
        PUB,
        "Small grants to community groups",
        PA,
        "Partnership agreement",
        "75000.00",
    ),
    _sw(
        VRU,
        "Evaluation of the VRU programme",
        "Cardiff University",
        PUB,
        "Independent evaluation",
        "Contract",
        "Direct award under £75,000",
        "49876.43",
    ),
]

SOUTH_WALES_SSF = [
    _sw(
        SSF,
        "CCTV upgrade – Butetown & Grangetown",
        "Cardiff Council",
        PUB,
        "Twelve new cameras and monitoring",
        PA,
        "Partnership agreement",
        "212345.67",
    ),
    _sw(
        SSF,
        "Street lighting – Swansea city centre",
        "Swansea Council",
        PUB,
        "LED lighting in the night-time economy area",
        PA,
        "Partnership agreement",
        "184000.00",
    ),
    _sw(
        SSF,
        'Women\'s safety at night: "Ask for Angela" & welfare hubs',
        "Safer Wales",
        VCS,
        "Welfare hubs and staff training",
        "Contract",
        PROC,
        "96652.73",
    ),
    _sw(
        SSF,
        "Alley-gating – Port Talbot",
        "Neath Port Talbot Council",
        PUB,
        "Gates on 40 rear lanes",
        PA,
        "Partnership agreement",
        "118000.00",
    ),
    _sw(
        SSF,
        "Home security for repeat burglary victims",
        "Care & Repair Cymru",
        VCS,
        "Target hardening of homes",
        "Contract",
        PROC,
        "89000.00",
    ),
    _sw(
        SSF,
        "Bike marking & secure cycle parking",
        "Bike Register Ltd",
        PRIV,
        "Marking events and shelters",
        "Contract",
        "Quotation",
        "50000.00",
    ),
]

SOUTH_WALES_CSG = [
    _sw(
        CSG,
        "Youth Offending Service – Cardiff",
        "Cardiff Council",
        PUB,
        "Contribution to the Youth Justice Service",
        PA,
        "Partnership agreement",
        "142000.00",
        CDR,
    ),
    _sw(
        CSG,
        "Youth Offending Service – Western Bay",
        "Swansea Council",
        PUB,
        "Contribution to the Youth Justice Service",
        PA,
        "Partnership agreement",
        "118500.00",
        REOFF,
    ),
    _sw(
        CSG,
        "Substance misuse – Area Planning Board",
        "Cwm Taf Morgannwg APB",
        PUB,
        "Arrest referral and treatment",
        PA,
        "Partnership agreement",
        "156789.01",
        DRUGS,
    ),
    _sw(
        CSG,
        "Drug & alcohol arrest referral – custody suites",
        "Dyfodol",
        VCS,
        "Arrest referral workers",
        "Contract",
        PROC,
        "97250.00",
        DRUGS,
    ),
    _sw(
        CSG,
        "Integrated Offender Management",
        "Probation Service Wales",
        PUB,
        "IOM co-located team",
        PA,
        "Partnership agreement",
        "85000.00",
        REOFF,
    ),
    _sw(
        CSG,
        "Anti-social behaviour case management",
        "Bridgend County Borough Council",
        PUB,
        "ASB coordinator and case management system",
        PA,
        "Partnership agreement",
        "45250.00",
        CDR,
    ),
    _sw(
        CSG,
        "Neighbourhood Watch Wales",
        "Neighbourhood Watch Cymru",
        VCS,
        "Support for schemes",
        "Grant",
        "Grant funded",
        "12000.00",
        CDR,
    ),
    _sw(
        CSG,
        "Crimestoppers regional manager",
        "Crimestoppers",
        VCS,
        "Anonymous reporting campaigns",
        "Grant",
        "Grant funded",
        "19875.00",
        CDR,
    ),
    _sw(
        CSG,
        "Domestic homicide reviews",
        "Merthyr Tydfil County Borough Council",
        PUB,
        "Shared costs of reviews",
        PA,
        "Partnership agreement",
        "18000.00",
        VICTIMS,
    ),
    _sw(
        CSG,
        "Women's Pathfinder (diversion for women)",
        "Future Directions CIC",
        SOC,
        "Whole-system approach for women in the justice system",
        "Contract",
        PROC,
        "88321.77",
        REOFF,
    ),
    _sw(
        CSG,
        "Community Safety Partnership small grants",
        "Rhondda Cynon Taf CBC",
        PUB,
        "Grants to local projects",
        PA,
        "Partnership agreement",
        "50000.00",
        CDR,
    ),
    _sw(
        CSG,
        "Rural & wildlife crime – Farm Watch",
        "NFU Cymru",
        VCS,
        "Rural crime prevention",
        "Grant",
        "Grant funded",
        "8764.22",
        CDR,
    ),
]

SOUTH_WALES_FUNDS = [
    [
        VWF,
        m("2051357.51"),
        "Domestic Violence, Crime and Victims Act 2004",
        "The Ministry of Justice grants victims' services to the Commissioner in three ring-fenced "
        "streams, each reported back to the Ministry:\n"
        "• core victims' services\n• domestic abuse and sexual violence\n"
        "• the uplift for Independent Sexual and Domestic Violence Advisers (ISVA/IDVA)",
    ],
    [
        VRU,
        m("1850000.00"),
        "Home Office grant agreement (Serious Violence Duty)",
        "The Violence Prevention Unit (Uned Atal Trais) brings partners together to prevent "
        "serious violence.",
    ],
    [
        SSF,
        m("749998.40"),
        "Home Office Safer Streets Fund grant agreement",
        "Round 5 of the Home Office's Safer Streets Fund, for neighbourhood crime and violence "
        "against women and girls in public places.",
    ],
    [
        CSG,
        m("1015000.00"),
        "Section 143 Anti-social Behaviour, Crime and Policing Act 2014",
        "The Community Safety Grant is paid out of the police main grant to community safety "
        "partners.",
    ],
]

SOUTH_WALES_SERVICES = [*SOUTH_WALES_VWF, *SOUTH_WALES_VRU, *SOUTH_WALES_SSF, *SOUTH_WALES_CSG]


def south_wales() -> WorkbookContent:
    return WorkbookContent(
        decision=decision(
            "South Wales",
            "PCC/2023/017",
            d(14, 3, 2023),
            "2023/24",
            "Commissioning Plan 2023/24: victims' services, violence reduction, Safer Streets "
            "and community safety",
            ce_date=d(10, 3, 2023),
        ),
        funds=SOUTH_WALES_FUNDS,
        sources=SOUTH_WALES_SOURCES,
        services=SOUTH_WALES_SERVICES,
    )


# -- (b) Cumbria 2021/22: a small rural OPCC, one fund, grants only, fully committed ----------

CVF = "Victims' Services Fund"
CUMBRIA_SERVICES = [
    line(
        CVF,
        "Victims' hub grant – Eden & Allerdale",
        "Victim Support",
        VCS,
        "Support to victims of all crime",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "Grant",
        "Grant funded",
        m("148000.00"),
    ),
    line(
        CVF,
        "Domestic abuse outreach",
        "Impact Family Services",
        VCS,
        "Outreach in rural communities",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "Grant",
        "Grant funded",
        m("96500.00"),
    ),
    line(
        CVF,
        "Rape & sexual abuse support",
        "Safety Net Advice & Support Centre",
        VCS,
        "ISVA and counselling",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "Grant",
        "Grant funded",
        m("84345.67"),
    ),
    line(
        CVF,
        "Farm & rural isolation support",
        "Cumbria Community Foundation",
        VCS,
        "Support to isolated rural victims",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "Grant",
        "Grant funded",
        m("24000.00"),
    ),
    line(
        CVF,
        "Restorative justice",
        "Cumbria Restorative Justice Hub",
        SOC,
        "Victim-led restorative justice",
        d(1, 4, 2021),
        d(31, 3, 2022),
        "Grant",
        "Grant funded",
        m("59500.00"),
    ),
]
CUMBRIA_ALLOCATION = m("412345.67")


def cumbria() -> WorkbookContent:
    return WorkbookContent(
        decision=decision(
            "Cumbria",
            "CPCC 04/2021",
            d(30, 4, 2021),
            "2021/22",
            "Victims' Services Grant allocations 2021/22",
            ce_date=d(28, 4, 2021),
            pcc_date=d(30, 4, 2021),
        ),
        funds=[
            [
                CVF,
                CUMBRIA_ALLOCATION,
                "Domestic Violence, Crime and Victims Act 2004",
                "The Ministry of Justice's ring-fenced Victims' Services Grant, awarded in full "
                "to local support services.",
            ]
        ],
        sources=[[CVF, "MoJ Victims' Services Grant", CUMBRIA_ALLOCATION, "Yes", "VSG-CUM-21"]],
        services=CUMBRIA_SERVICES,
    )


# -- (c) Devon and Cornwall 2022/23: title rows, Sub-totals, text dates and amounts -----------

DVF = "Victims Fund"
DCSF = "Community Safety Fund"
DC_HEADER_ROW = 4  # three title rows above the header

DEVON_CONTRACTS = [
    line(
        DVF,
        "Victim Care Unit – Devon & Cornwall",
        "Devon County Council",
        PUB,
        "Needs assessment and referral for every victim",
        "1st April 2022",
        "31st March 2024",
        PA,
        "Partnership agreement – year 2 of 2",
        "£312,500.00",
    ),
    line(
        DVF,
        "Sexual violence support – SARC aftercare",
        "First Light",
        VCS,
        "ISVA and counselling",
        "1/10/21",
        "30/09/2024",
        "Contract",
        "Open tender",
        "£187,654.32",
        extension="1 x 12 months option to 30/09/2025",
    ),
    line(
        DVF,
        "Domestic abuse IDVA service – Cornwall & Isles of Scilly",
        "Safer Futures",
        VCS,
        "IDVA service for high-risk victims",
        "Sept 2022",
        "Aug 2025",
        "Contract",
        "Open tender",
        " £ 143,210.50 ",
    ),
]
DEVON_GRANTS = [
    line(
        DVF,
        "Stalking advocacy",
        "Splitz Support Service",
        VCS,
        "Advocacy caseworker",
        "1 April 2022",
        "March 2023",
        "Grant",
        "Grant funded",
        "£12,345.67",
    ),
    line(
        DVF,
        "Hate crime support",
        "Devon Equality Council",
        VCS,
        "Reporting centre",
        "Jan 2023",
        "Dec 2023",
        "Grant",
        "Grant funded",
        "£9,876.54",
    ),
]
DEVON_CSF = [
    line(
        DCSF,
        "Youth Offending Teams (four)",
        "Plymouth City Council",
        PUB,
        "Contribution to the four youth offending teams",
        "1st April 2022",
        "31st March 2023",
        PA,
        "Partnership agreement",
        "£198,000.00",
        REOFF,
    ),
    line(
        DCSF,
        "Drug & alcohol treatment – criminal justice",
        "Torbay Council",
        PUB,
        "Criminal justice treatment pathway",
        "01/04/2022",
        "31/03/2023",
        PA,
        "Partnership agreement",
        "£87,412.09",
        DRUGS,
    ),
    line(
        DCSF,
        "Isles of Scilly community safety",
        "Council of the Isles of Scilly",
        PUB,
        "ASB and community safety officer",
        "1st July 2022",
        "30th June 2023",
        PA,
        "Partnership agreement",
        "£18,250",
        CDR,
    ),
    line(
        DCSF,
        "Neighbourhood Watch",
        "Devon & Cornwall Neighbourhood Watch",
        VCS,
        "Scheme support",
        "Sept 2022",
        "Sept 2023",
        "Grant",
        "Grant funded",
        "£4,999.99",
        CDR,
    ),
]


def devon_cornwall_services() -> list[list[Any]]:
    """Lines with a Sub-total after each group, a fund Total, then a Grand total (a SUM)."""
    rows: list[list[Any]] = [
        *DEVON_CONTRACTS,
        total_row("Sub-total", "£643,364.82", in_service_column=True),
        *DEVON_GRANTS,
        total_row("Sub-total", "£22,222.21", in_service_column=True),
        [""] * 12,
        *DEVON_CSF,
        total_row("TOTAL:", "£308,662.08"),
        [""] * 12,
    ]
    # The Grand total adds the line rows only, as its author typed the ranges.
    line_rows = [DC_HEADER_ROW + 1 + i for i, row in enumerate(rows) if row[0] in (DVF, DCSF)]
    ranges = ",".join(f"L{r}" for r in line_rows)
    rows.append(total_row("Grand total", Formula(f"=SUM({ranges})", m("974249.11"))))
    return rows


def devon_cornwall() -> WorkbookContent:
    return WorkbookContent(
        decision=decision(
            "Devon, Cornwall and the Isles of Scilly",
            "DC-2022-031",
            d(23, 5, 2022),
            "2022/23",
            "Commissioning intentions and Victims Fund 2022/23",
            ce_date="20/05/2022",
        ),
        funds=[
            [
                DVF,
                "£720,000.00",
                "Domestic Violence, Crime and Victims Act 2004",
                "The MoJ Victims' Services Grant, topped up by the Commissioner.",
            ],
            [
                DCSF,
                m("350000"),
                "Section 143 Anti-social Behaviour, Crime and Policing Act 2014",
                "From the police main grant.",
            ],
        ],
        sources=[
            [DVF, "Ministry of Justice Victims' Services Grant", "£654,321.09", "Yes", ""],
            [DVF, "Local supplement (precept)", "£65,678.91", "No", ""],
            [DCSF, "Police main grant", m("350000"), "No", ""],
        ],
        services=devon_cornwall_services(),
        title_rows={
            "Services": (
                "Office of the Police and Crime Commissioner for Devon, "
                "Cornwall and the Isles of Scilly",
                "Commissioning Plan 2022/23",
                "",
            )
        },
    )


# -- (d) Essex 2022/23: a Police, Fire and Crime Commissioner --------------------------------

ESSEX_VF = "Victims Fund"
ESSEX_CSF = "Community Safety Fund"
ESSEX_SERVICES = [
    line(
        ESSEX_VF,
        "Essex Victim Care Service",
        "Victim Support",
        VCS,
        "Needs assessment and support for victims of crime",
        d(1, 4, 2022),
        d(31, 3, 2025),
        "Contract",
        "Open tender – PFCC sole funded",
        m("610000.00"),
        extension="1 x 12 months option to 31/03/2026",
    ),
    line(
        ESSEX_VF,
        "Sexual abuse counselling",
        "Synergy Essex",
        VCS,
        "Counselling for survivors of sexual abuse",
        d(1, 4, 2022),
        d(31, 3, 2023),
        "Grant",
        "Grant funded",
        m("18500.00"),
    ),
    line(
        ESSEX_CSF,
        "Youth diversion",
        "Essex County Council",
        PUB,
        "Diversion from the criminal justice system for young people",
        d(1, 4, 2022),
        d(31, 3, 2023),
        PA,
        "Partnership agreement",
        m("120000.00"),
        REOFF,
    ),
    line(
        ESSEX_CSF,
        "Rural crime prevention",
        "Essex Rural Partnership",
        VCS,
        "Farm watch and rural crime prevention advice",
        d(1, 4, 2022),
        d(31, 3, 2023),
        "Grant",
        "Grant funded",
        m("9750.00"),
        CDR,
    ),
]


def essex() -> WorkbookContent:
    return WorkbookContent(
        decision=decision(
            "Essex",
            "PFCC/045/22",
            d(20, 5, 2022),
            "2022/23",
            "Commissioning Plan 2022/23",
            organisation="Office of the Police, Fire and Crime Commissioner for Essex",
            maker="Police, Fire and Crime Commissioner",
            maker_short="PFCC",
            report_by="Head of Commissioning",
            ce_date=d(18, 5, 2022),
        ),
        funds=[
            [
                ESSEX_VF,
                m("850000"),
                "Domestic Violence, Crime and Victims Act 2004",
                "The Ministry of Justice Victims' Services Grant with a local contribution.",
            ],
            [
                ESSEX_CSF,
                m("200000"),
                "Section 143 Anti-social Behaviour, Crime and Policing Act 2014",
                "From the police main grant.",
            ],
        ],
        sources=[
            [ESSEX_VF, "MoJ Victims' Services Grant", m("800000"), "Yes", "VSG-ESX-22"],
            [ESSEX_VF, "Local contribution", m("50000"), "No", ""],
            [ESSEX_CSF, "Police main grant", m("200000"), "No", ""],
        ],
        services=ESSEX_SERVICES,
    )


# -- (e) Greater Manchester 2023/24: a mayor holding the PCC functions ------------------------

GM_VF = "Victims Services Fund"
GM_VRF = "Violence Reduction Fund"
GM_SERVICES = [
    line(
        GM_VF,
        "Greater Manchester Victims' Service",
        "Victim Support",
        VCS,
        "Support for victims of crime across the ten boroughs",
        d(1, 4, 2023),
        d(31, 3, 2026),
        "Contract",
        "Open tender – GMCA commissioned",
        m("1250000.00"),
    ),
    line(
        GM_VF,
        "Independent Domestic Violence Advisers",
        "Manchester City Council",
        PUB,
        "IDVA service for high-risk victims",
        d(1, 4, 2023),
        d(31, 3, 2024),
        PA,
        "Partnership agreement",
        m("340000.00"),
    ),
    line(
        GM_VRF,
        "Navigator programme",
        "Oasis Community Partnerships",
        VCS,
        "Youth workers in hospital emergency departments",
        d(1, 4, 2023),
        d(31, 3, 2024),
        "Grant",
        "Grant funded",
        m("24000.00"),
    ),
]


def greater_manchester() -> WorkbookContent:
    return WorkbookContent(
        decision=decision(
            "Greater Manchester",
            "GMCA 2023/14",
            d(26, 5, 2023),
            "2023/24",
            "Victims and violence reduction commissioning 2023/24",
            organisation="Greater Manchester Combined Authority",
            maker="Mayor of Greater Manchester",
            maker_short="Mayor",
            report_by="Deputy Mayor for Policing, Crime, Criminal Justice and Fire",
            ce_date=d(22, 5, 2023),
        ),
        funds=[
            [
                GM_VF,
                m("1800000"),
                "Domestic Violence, Crime and Victims Act 2004",
                "The Ministry of Justice Victims' Services Grant.",
            ],
            [
                GM_VRF,
                m("400000"),
                "Home Office grant conditions",
                "The Home Office Violence Reduction Unit grant.",
            ],
        ],
        sources=[
            [GM_VF, "MoJ Victims' Services Grant", m("1800000"), "Yes", "VSG-GM-23"],
            [GM_VRF, "Home Office Violence Reduction Unit grant", m("400000"), "Yes", "HO-VRU-GM"],
        ],
        services=GM_SERVICES,
    )


PLANS = {
    "south-wales-2023-24.xlsx": south_wales,
    "cumbria-2021-22.xlsx": cumbria,
    "devon-cornwall-2022-23.xlsx": devon_cornwall,
    "essex-pfcc-2022-23.xlsx": essex,
    "greater-manchester-2023-24.xlsx": greater_manchester,
}


def _total(rows: Sequence[Sequence[Any]]) -> Decimal:
    return sum(
        (Decimal(str(r[11]).replace("£", "").replace(",", "").strip()) for r in rows), Decimal(0)
    )


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else HERE
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in PLANS.items():
        write_workbook(folder / name, build())
        print(f"wrote {folder / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
