"""Synthetic commissioning plans for the benchmark, written by the workbook contract.

``python -m bench.generate OUT_DIR`` writes ``plan-25.xlsx``, ``plan-1k.xlsx`` and
``plan-10k.xlsx``, last year's plan of each in ``last-year/`` (``last-year-plan-10k.xlsx``,
for ``--previous``; beside a plan built by name it would be compared unasked) and
``plan-far-away.xlsx``. Each plan is built from a fixed seed, so a size always gives the same
workbook, and is one a finance officer could have typed: realistic text lengths, budgets with
pence on some lines, dates as real dates, day-first text or months ("April 2021"), ring-fenced
MoJ grants, funding sources that add up to each allocation, and a typed Total row (a SUM with
its saved value) after each fund's lines. A plan has no errors; warnings and notes are fine.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pipeline.new_workbook import WorkbookContent, total_row, write_workbook
from scripts import make_sample


@dataclass(frozen=True)
class Size:
    """One benchmark size: a name for tables and files, the number of funds and of lines."""

    name: str
    funds: int
    lines: int

    @property
    def file_name(self) -> str:
        return f"plan-{self.name}.xlsx"


SIZES = (Size("25", 3, 25), Size("1k", 20, 1_000), Size("10k", 50, 10_000))
SEED = 2021

VF = "Victims Fund"
CSF = "Community Safety Fund"
TITLE_ROWS = ("Commissioning Plan 2021 - 2022", "")
HEADER_ROW = len(TITLE_ROWS) + 1  # the first line is on the row after the header

THEMES = (
    "Domestic Abuse",
    "Sexual Violence",
    "Serious Violence",
    "Youth Diversion",
    "Rural Crime",
    "Road Safety",
    "Substance Misuse",
    "Modern Slavery",
    "Hate Crime",
    "Fraud and Cyber Crime",
    "Exploitation",
    "Restorative Justice",
    "Mental Health",
    "Neighbourhood Safety",
    "Night-time Economy",
    "Reducing Re-offending",
    "Child Protection",
    "Stalking",
)
PLACES = (
    "Lincoln",
    "Boston",
    "Grantham",
    "Skegness",
    "Spalding",
    "Gainsborough",
    "Stamford",
    "Sleaford",
    "Louth",
    "Mablethorpe",
    "Market Rasen",
    "Bourne",
    "Horncastle",
    "Holbeach",
)
ORGANISATIONS = {
    "Public sector": (
        "Lincolnshire County Council",
        "North Kesteven District Council",
        "City of Lincoln Council",
        "Lincolnshire Partnership NHS Foundation Trust",
        "United Lincolnshire Hospitals NHS Trust",
        "Lincolnshire Fire and Rescue",
        "East Lindsey District Council",
        "NHS Lincolnshire ICB",
    ),
    "Voluntary & community": (
        "Victim Support",
        "Rape Crisis Lincolnshire",
        "EDAN Lincs Domestic Abuse Services",
        "Safer Living Foundation",
        "Crimestoppers Trust",
        "Stop Hate UK",
        "Women's Aid",
        "Lincolnshire Rural Support Network",
        "YMCA Lincolnshire",
        "Age UK Lincoln",
    ),
    "Private": ("Restorative Solutions Ltd", "Mediation Services UK Ltd", "SafeLives Consulting"),
    "Social enterprise": ("Restorative Solutions CIC", "Addaction Community Interest Company"),
}
SERVICES = (
    "Independent Domestic Violence Advisor",
    "Independent Sexual Violence Advisor",
    "Outreach and Support",
    "Helpline",
    "Counselling",
    "Sexual Assault Referral Centre",
    "Prevention and Education Programme",
    "Perpetrator Programme",
    "Community Champions",
    "Safeguarding Partnership Contribution",
    "Case Management System",
    "Multi-agency Hub",
    "Early Intervention",
    "Out of Court Disposals",
    "Peer Mentoring",
    "Target Hardening",
)
PROVISIONS = (
    "Support to victims of {theme} across {place} and the surrounding districts",
    "Contribution to the costs of the {theme} co-ordinator and multi-agency risk assessment "
    "conferences",
    "{theme} awareness sessions in schools and colleges in {place}",
    "One-to-one and group support for people affected by {theme}, including out-of-hours "
    "provision and specialist support for children and young people",
    "Training for frontline practitioners on {theme}",
    "Specialist caseworkers for high-risk {theme} cases, working alongside the police "
    "safeguarding hub in {place}",
)
HOW = {
    "Contract": (
        "OJEU procurement – OPCC sole funded",
        "Open tender – OPCC sole funded",
        "Joint procurement with Lincolnshire County Council, OPCC contribution 50%",
    ),
    "Grant": ("Grant funded", "Small grants round 2021/22", "Grant funded following open call"),
    "Partnership agreement": (
        "Partnership Agreement",
        "Partnership agreement – year 1 of 2",
        "Partnership Agreement with the CCG, who lead commissioning",
    ),
}
EXTENSIONS = (
    "",
    "",
    "",
    "1 x 12 months option to 31/03/2023",
    "2 x 12 months option to 31/03/2026",
)
DESCRIPTION = (
    "The {fund} is used by the PCC to commission services that are delivered outside of "
    "policing, to meet the priorities set out in the Police and Crime Plan and to respond to "
    "emerging threats. Services can be commissioned solely by the PCC or jointly with partners.\n"
    "• Supporting victims and witnesses of {theme}\n"
    "• Preventing {theme} through early intervention and education\n"
    "• Building the capacity of the voluntary and community sector"
)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A budget in pounds; about one in five has pence."""
    pounds = rng.randrange(low, high) // 50 * 50 + rng.choice((0, 0, 0, 25, 661, 351))
    if rng.random() < 0.2:
        return Decimal(pounds) + Decimal(rng.randrange(1, 100)) / 100
    return Decimal(pounds)


def _dates(rng: random.Random) -> tuple[object, object]:
    """Start and end, each active in 2021/22: real dates, day-first text, or months."""
    kind = rng.random()
    start_year = rng.choice((2018, 2019, 2020, 2021))
    end_year = rng.choice((2022, 2023, 2024))
    if kind < 0.5:
        end = date(end_year, 3, 31) if rng.random() < 0.7 else date(end_year, 9, 30)
        return date(start_year, rng.choice((4, 10)), 1), end
    if kind < 0.75:
        return f"01/04/{start_year}", f"31/03/{end_year}"
    return f"April {start_year}", f"March {end_year}"


def _fund_names(count: int) -> list[str]:
    names = [VF, CSF]
    for index in range(2, count):
        theme = THEMES[index % len(THEMES)]
        names.append(
            f"{theme} Fund {index // len(THEMES) + 1}" if index >= len(THEMES) else f"{theme} Fund"
        )
    return names[:count]


def _line(rng: random.Random, fund: str, theme: str, s143: bool) -> list[object]:
    org_type = rng.choices(tuple(ORGANISATIONS), weights=(4, 5, 1, 1))[0]
    mechanism = (
        "Partnership agreement"
        if org_type == "Public sector" and rng.random() < 0.6
        else rng.choice(("Contract", "Grant"))
    )
    start, end = _dates(rng)
    place = rng.choice(PLACES)
    service = f"{rng.choice(SERVICES)} – {place}"
    provision = rng.choice(PROVISIONS).format(theme=theme.lower(), place=place)
    purpose = rng.choice(make_sample.CSF_LINES)[10] if s143 else ""
    budget = _money(rng, 500, 24_000) if mechanism == "Grant" else _money(rng, 2_000, 180_000)
    return [
        fund,
        service,
        rng.choice(ORGANISATIONS[org_type]),
        org_type,
        provision,
        start,
        end,
        rng.choice(EXTENSIONS),
        mechanism,
        rng.choice(HOW[mechanism]),
        purpose,
        budget,
    ]


def plan(size: Size, seed: int = SEED) -> WorkbookContent:
    """The content of one synthetic plan of ``size``; the same seed gives the same plan."""
    rng = random.Random(f"{seed}-{size.name}")
    names = _fund_names(size.funds)
    # Every fund gets at least one line; the rest are spread unevenly, as real plans are.
    counts = [1] * size.funds
    for _ in range(size.lines - size.funds):
        counts[rng.randrange(size.funds) if rng.random() < 0.7 else 0] += 1

    funds: list[list[object]] = []
    sources: list[list[object]] = []
    services: list[list[object]] = []
    first = HEADER_ROW + 1
    for index, (name, count) in enumerate(zip(names, counts, strict=True)):
        theme = THEMES[index % len(THEMES)]
        lines = [_line(rng, name, theme, s143=name == CSF) for _ in range(count)]
        committed = sum((Decimal(str(line[-1])) for line in lines), Decimal(0))
        headroom = (committed * Decimal(rng.randrange(0, 12)) / 100).quantize(Decimal("1"))
        allocation = committed + headroom
        funds.append(
            [
                name,
                allocation,
                "Section 143 Anti-social Behaviour, Crime and Policing Act 2014"
                if name == CSF
                else "Domestic Violence, Crime and Victims Act 2004",
                DESCRIPTION.format(fund=name, theme=theme.lower()),
            ]
        )
        if name == CSF:
            sources.append([name, "Police main grant", allocation, "No", ""])
        elif index % 3 == 0:
            # A ring-fenced MoJ grant (fully committed when the lines allow) and local money.
            grant = (committed * Decimal("0.8")).quantize(Decimal("1"))
            sources.append(
                [name, "MoJ Victims' Services Grant", grant, "Yes", f"MOJ-VS-{index:03d}"]
            )
            sources.append([name, "Local supplement", allocation - grant, "No", ""])
        else:
            sources.append([name, "Police main grant", allocation, "No", ""])

        services.extend(lines)
        last = first + count - 1
        services.append(total_row(first, last, committed))
        services.append([""] * 12)  # a blank row between funds
        first = last + 3

    decision = [(f, v) for f, v in make_sample.DECISION]
    return WorkbookContent(
        decision=decision,
        funds=funds,
        sources=sources,
        services=services[:-1],
        document_control=make_sample.DOCUMENT_CONTROL,
        title_rows={"Services": TITLE_ROWS},
    )


def last_year(size: Size, seed: int = SEED) -> WorkbookContent:
    """Last year's plan for ``plan(size)``: the same lines in 2020/21, as a year on year looks.

    Most lines continue; one in fifty had another service name (ended there, new here), and in
    one pair in twenty the budgets are swapped (uplifts both ways), so fund totals still agree.
    """
    content = plan(size, seed)
    then: dict[str, object] = {
        "Financial year": "2020/21",
        "Reference": "011/2020",
        "Date": date(2020, 5, 29),
    }
    content.decision = [(field, then.get(field, value)) for field, value in content.decision]
    rows = [list(row) for row in content.services]
    lines = [row for row in rows if len(row) == 12 and isinstance(row[11], Decimal)]
    for index, row in enumerate(lines):
        if index % 50 == 7:
            row[1] = f"{row[1]} (pilot)"
        if index % 40 == 3 and index + 1 < len(lines) and lines[index + 1][0] == row[0]:
            row[11], lines[index + 1][11] = lines[index + 1][11], row[11]
    content.services = rows
    return content


FAR_AWAY = "plan-far-away.xlsx"
LAST_ROW = 1_048_576


def write_far_away(path: Path) -> None:
    """The 25-line plan with cells far from its table, as spreadsheets collect them: a note
    typed at row 1,048,576 and a helper formula (showing 0) filled down column P from below
    the table to the sheet's last row. Read as a dense range this was 44-60 s and ~630 MB."""
    import re
    import zipfile

    write_workbook(path, plan(SIZES[0]))
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    services = "xl/worksheets/sheet4.xml"  # Decision, Funds, Funding sources, Services
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            info.compress_type = zipfile.ZIP_DEFLATED
            if info.filename != services:
                target.writestr(info, data)
                continue
            # Streamed, a block of rows at a time: the million rows' XML (about 80 MB) built
            # in one piece made the bench process itself peak near 300 MB, and a child
            # started after that reports the parent's peak as its own (ru_maxrss is carried
            # over the fork), so the far-away build's measured peak was the generator's.
            last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', data))
            head, tail = data.split(b"</sheetData>", 1)
            note = b'<row r="%d"><c r="Q%d" t="inlineStr"><is><t>checked JD</t></is></c></row>' % (
                LAST_ROW,
                LAST_ROW,
            )
            with target.open(info, "w") as stream:
                stream.write(head)
                for start in range(last + 2, LAST_ROW, 50_000):
                    stream.write(
                        b"".join(
                            b'<row r="%d"><c r="P%d"><f>L%d*1</f><v>0</v></c></row>' % (r, r, r)
                            for r in range(start, min(start + 50_000, LAST_ROW))
                        )
                    )
                stream.write(note + b"</sheetData>" + tail)


def write(folder: Path, sizes: Sequence[Size] = SIZES, previous: bool = False) -> list[Path]:
    """Write one workbook per size into ``folder`` (and, with ``previous``, last year's plan
    of each as ``last-year/last-year-<name>``); return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for size in sizes:
        path = folder / size.file_name
        write_workbook(path, plan(size))
        paths.append(path)
        if previous:  # apart: a workbook built by name is compared with last year's beside it
            path = folder / "last-year" / f"last-year-{size.file_name}"
            path.parent.mkdir(exist_ok=True)
            write_workbook(path, last_year(size))
            paths.append(path)
    return paths


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path("bench/plans")
    for path in write(folder, previous=True):
        print(f"wrote {path}")
    write_far_away(folder / FAR_AWAY)
    print(f"wrote {folder / FAR_AWAY}")


if __name__ == "__main__":
    main(sys.argv[1:])
