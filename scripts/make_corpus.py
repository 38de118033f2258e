"""Write tests/corpus/: the Lincolnshire sample with one realistic defect per file, and cases.toml.

Each case is the sample (``scripts/make_sample.py``) with one thing changed the way finance staff,
other programs or an attacker change it, and the findings that change must give: the complete
list of ``(code, sheet, cell)`` and a fragment of each message. ``tests/test_corpus.py`` reads
``cases.toml`` and checks every file against it. Re-make the corpus after a contract change::

    .venv/bin/python -m scripts.make_corpus [FOLDER]

Workbooks are written with xlsxwriter (as the sample is), with openpyxl where a real file comes
from another program (formulas with no saved result), and as raw bytes for the files that are not
workbooks at all (old .xls, encrypted, CSV, lock file, zip bomb). The hostile ledgers (spend
files) go into ``ledgers/`` beside them (``scripts/make_ledger_corpus.py``).
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline import contract
from pipeline.new_workbook import Formula, WorkbookContent, write_workbook
from pipeline.values import ValueProblem, parse_money
from scripts import make_sample

Rows = list[list[Any]]
Book = dict[str, Rows]
Expect = tuple[str, str, str, str]  # code, sheet, cell, a fragment of the message

# What the sample itself gives (besides the per-fund I-HEADROOM and per-line I-EXPIRING notes,
# which the corpus test leaves out): £78,788 of the MoJ grant uncommitted, and one large grant.
RINGFENCE: Expect = ("W-RINGFENCE", "Funding sources", "C2", "ring-fenced £884,000 MoJ")
GRANT_SIZE: Expect = ("W-GRANT-SIZE", "Services", "L9", "Rape Crisis")
SAMPLE: tuple[Expect, ...] = (RINGFENCE, GRANT_SIZE)

# The sample's Services sheet: two title rows, header in row 3, Victims Fund lines in rows
# 4-13 (Rape Crisis, a £82,661 grant, is row 9), Total in row 14, a blank row, Community Safety
# Fund lines in rows 16-29, Total in row 30. Columns A Fund ... L Budget.
RAPE_CRISIS = 5  # index into the Victims Fund lines
COL = {c.key: chr(ord("A") + i) for i, c in enumerate(contract.SERVICES.columns)}
COL_INDEX = {c.key: i for i, c in enumerate(contract.SERVICES.columns)}


@dataclass
class Case:
    file: str
    defect: str
    expect: Sequence[Expect]
    write: Callable[[Path], None] = field(repr=False)


CASES: list[Case] = []


def case(file: str, defect: str, *expect: Expect) -> Callable[[Callable[[Path], None]], None]:
    """Register a writer for ``file`` with the findings it must give."""

    def register(write: Callable[[Path], None]) -> None:
        CASES.append(Case(file, defect, expect, write))

    return register


# -- building the sample with one change ----------------------------------------------------


def victims() -> Rows:
    return copy.deepcopy([list(r) for r in make_sample.VICTIMS_LINES])


def community() -> Rows:
    return copy.deepcopy([list(r) for r in make_sample.CSF_LINES])


def _amount(value: Any) -> Decimal:
    """What Excel would sum: numbers and amounts typed as text; nothing for "TBC" or blanks."""
    try:
        return parse_money(value) if not isinstance(value, Decimal) else value
    except ValueProblem:
        return Decimal(0)


def services(
    vf: Rows | None = None,
    csf: Rows | None = None,
    *,
    top: int = 2,
    labels: tuple[str, str] = ("Total", "Total"),
    totals: dict[int, Any] | None = None,
) -> Rows:
    """The Services rows as the sample has them: each fund's lines, a SUM Total, a blank row.

    ``top`` is the number of title rows above the header; ``totals`` replaces a fund's Total
    cell (0: Victims Fund, 1: Community Safety Fund).
    """
    rows: Rows = []
    first = top + 2
    budget = COL["budget"]
    for index, lines in enumerate(
        (victims() if vf is None else vf, community() if csf is None else csf)
    ):
        rows.extend(lines)
        last = first + len(lines) - 1
        value = sum((_amount(line[-1]) for line in lines if line), Decimal(0))
        total = (totals or {}).get(index, Formula(f"=SUM({budget}{first}:{budget}{last})", value))
        rows.append([labels[index], *[""] * 10, total])
        rows.append([""] * 12)
        first = last + 3
    return rows[:-1]


def content(**changes: Any) -> WorkbookContent:
    """The sample's content with attributes replaced."""
    base = copy.deepcopy(make_sample.content())
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def sample_book(c: WorkbookContent | None = None) -> Book:
    """The sample laid out sheet by sheet as ``write_workbook`` lays it out, to edit freely."""
    c = c or content()

    def table(spec: contract.TableSheet, rows: Sequence[Sequence[Any]]) -> Rows:
        titles = [[t] for t in c.title_rows.get(spec.name, ())]
        return [*titles, [col.header for col in spec.columns], *[list(r) for r in rows]]

    return {
        "Decision": table(contract.DECISION, [list(r) for r in c.decision]),
        "Funds": table(contract.FUNDS, c.funds),
        "Funding sources": table(contract.SOURCES, c.sources),
        "Services": table(contract.SERVICES, c.services),
        "Document control": [
            *table(contract.DOCUMENT_CONTROL, c.document_control),
            [],  # the change-control table below the fields, as write_workbook lays it out
            [col.header for col in contract.CHANGE_CONTROL.columns],
            *[list(r) for r in c.change_control or ()],
        ],
    }


def write_book(
    path: Path,
    book: Book,
    *,
    hidden: dict[str, str] | None = None,
    merges: dict[str, Sequence[str]] | None = None,
    date_1904: bool = False,
    formatted_blank_rows: dict[str, int] | None = None,
    hidden_rows: dict[str, Sequence[int]] | None = None,
    hidden_columns: dict[str, Sequence[str]] | None = None,
) -> None:
    """Write sheets of rows with xlsxwriter; options for the layouts finance staff make."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        path, {"strings_to_formulas": False, "strings_to_numbers": False, "date_1904": date_1904}
    )
    workbook.set_properties({"created": datetime(2021, 1, 1)})
    money = workbook.add_format({"num_format": "£#,##0.00"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    shaded = workbook.add_format({"bg_color": "#FFF2CC", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    for name, rows in book.items():
        ws = workbook.add_worksheet(name)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is None or value == "":
                    continue
                if isinstance(value, Formula):
                    ws.write_formula(
                        r, c, value.text, money, "" if value.value is None else value.value
                    )
                elif isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value, money)
                elif isinstance(value, (date, datetime)):
                    ws.write_datetime(r, c, value, day)
                else:
                    ws.write_string(r, c, str(value))
        for cells in (merges or {}).get(name, ()):
            top, left = _top_left(cells)
            first_cell = rows[top][left] if top < len(rows) and left < len(rows[top]) else ""
            ws.merge_range(cells, str(first_cell), title)
        for number in (hidden_rows or {}).get(name, ()):
            ws.set_row(number - 1, None, None, {"hidden": True})
        for letters in (hidden_columns or {}).get(name, ()):  # "M", or a span "M:XFD"
            ws.set_column(
                letters if ":" in letters else f"{letters}:{letters}", None, None, {"hidden": True}
            )
        for r in range(len(rows), len(rows) + (formatted_blank_rows or {}).get(name, 0)):
            for c in range(12):
                ws.write_blank(r, c, None, shaded)
        state = (hidden or {}).get(name)
        if state == "hidden":
            ws.hide()
        elif state == "veryHidden":
            ws.very_hidden()
    workbook.close()


def _top_left(cells: str) -> tuple[int, int]:
    """``"A4:A13"`` -> (3, 0): the 0-based row and column of a range's first cell."""
    match = re.match(r"([A-Z]+)([0-9]+)", cells)
    assert match is not None
    col = 0
    for letter in match.group(1):
        col = col * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, col - 1


def rewrite_zip(
    path: Path,
    change: Callable[[str, bytes], bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
) -> None:
    """Rewrite a zip member by member (``None`` drops one), with fixed timestamps."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in [*members, *(add or {}).items()]:
            new = change(name, data) if change else data
            if new is not None:
                target.writestr(
                    zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), new, zipfile.ZIP_DEFLATED
                )
    path.write_bytes(buffer.getvalue())


def with_services(
    path: Path, vf: Rows | None = None, csf: Rows | None = None, **options: Any
) -> None:
    write_workbook(path, content(services=services(vf, csf, **options)))


def changed_line(which: str, index: int, **values: Any) -> tuple[Rows, Rows]:
    """The sample's lines with one line's columns replaced (``which``: "vf" or "csf")."""
    vf, csf = victims(), community()
    line = (vf if which == "vf" else csf)[index]
    for key, value in values.items():
        line[list(COL).index(key)] = value
    return vf, csf


def cell(key: str, row: int) -> str:
    return f"{COL[key]}{row}"


# -- the cases: layout ------------------------------------------------------------------------


@case("sample.xlsx", "the sample itself, unchanged", *SAMPLE)
def _(path: Path) -> None:
    write_workbook(path, content())


@case(
    "header-moved-down.xlsx",
    "title rows above the header on every table sheet (two, two and four)",
    ("W-RINGFENCE", "Funding sources", "C4", "£78,788"),
    ("W-GRANT-SIZE", "Services", "L11", "Rape Crisis"),
)
def _(path: Path) -> None:
    write_workbook(
        path,
        content(
            services=services(top=4),
            title_rows={
                "Funds": ("Funds 2021/22", ""),
                "Funding sources": ("Where it comes from", ""),
                "Services": (
                    "Lincolnshire OPCC",
                    "Commissioning Plan 2021 - 2022",
                    "Draft for the PCC",
                    "",
                ),
            },
        ),
    )


def _renamed_headers(path: Path, names: dict[str, dict[str, str]]) -> None:
    book = sample_book()
    for sheet, renames in names.items():
        rows = book[sheet]
        header = next(r for r in rows if contract.FUNDS.columns[0].header in r)
        for index, text in enumerate(header):
            header[index] = renames.get(text, text)
    write_book(path, book)


@case(
    "headers-seed-wording.xlsx",
    "the Services headings of the published plan: Service Name/Area, Current Delivery Org., "
    "How service is commissioned, 2021/22 budget (£)",
    *SAMPLE,
)
def _(path: Path) -> None:
    _renamed_headers(
        path,
        {
            "Services": {
                "Service": "Service Name/Area",
                "Delivery organisation": "Current Delivery Org.",
                "How commissioned": "How service is commissioned",
                "Budget (£)": "2021/22 budget (£)",
            }
        },
    )


@case("headers-other-case.xlsx", "headers in capitals and lower case", *SAMPLE)
def _(path: Path) -> None:
    _renamed_headers(
        path,
        {
            "Services": {
                "Fund": "FUND",
                "Service": "service name",
                "Start date": "START DATE",
                "Budget (£)": "budget",
            },
            "Funds": {"Allocation (£)": "ALLOCATION"},
            "Funding sources": {"Ring-fenced": "ring fenced", "Amount (£)": "amount £"},
        },
    )


@case("headers-trailing-spaces.xlsx", "headers with leading, trailing and double spaces", *SAMPLE)
def _(path: Path) -> None:
    _renamed_headers(
        path,
        {
            "Services": {
                "Fund": "Fund  ",
                "Start date": " Start  date",
                "Budget (£)": "Budget (£) ",
            },
            "Funds": {"Fund": " Fund"},
        },
    )


@case("headers-non-breaking-spaces.xlsx", "headers typed with non-breaking spaces", *SAMPLE)
def _(path: Path) -> None:
    _renamed_headers(
        path,
        {
            "Services": {
                "Start date": "Start\u00a0date",
                "Budget (£)": "Budget\u00a0(£)\u00a0",
                "Delivery organisation": "Delivery\u00a0organisation",
            },
            "Funding sources": {"Amount (£)": "Amount\u00a0(£)"},
        },
    )


@case(
    "sheet-names-other-case.xlsx",
    "sheet names in other case and with spaces",
    ("W-RINGFENCE", "funding  sources ", "C2", "£78,788"),
    ("W-GRANT-SIZE", "SERVICES", "L9", "Rape Crisis"),
)
def _(path: Path) -> None:
    book = sample_book()
    renamed = {"Services": "SERVICES", "Funding sources": "funding  sources ", "Funds": "funds"}
    write_book(path, {renamed.get(name, name): rows for name, rows in book.items()})


@case(
    "sheet-names-with-year.xlsx",
    "sheets named with the financial year, as a year's tabs are: 'Commissioning Plan 2021 - "
    "2022' (the seed's appendix title), 'Funds 21-22', 'Funding sources (2021-22)'",
    ("W-RINGFENCE", "Funding sources (2021-22)", "C2", "£78,788"),
    ("W-GRANT-SIZE", "Commissioning Plan 2021 - 2022", "L9", "Rape Crisis"),
)
def _(path: Path) -> None:
    book = sample_book()
    renamed = {
        "Services": "Commissioning Plan 2021 - 2022",
        "Funding sources": "Funding sources (2021-22)",
        "Funds": "Funds 21-22",
    }
    write_book(path, {renamed.get(name, name): rows for name, rows in book.items()})


@case(
    "fund-names-spacing.xlsx",
    "fund names on Services and Funding sources in other case, with trailing and "
    "non-breaking spaces",
    *SAMPLE,
)
def _(path: Path) -> None:
    vf, csf = victims(), community()
    for line in vf:
        line[0] = "victims fund "
    for line in csf:
        line[0] = "COMMUNITY\u00a0SAFETY  FUND"
    sources = copy.deepcopy(make_sample.SOURCES)
    sources[1][0] = "Victims Fund\u00a0"
    write_workbook(path, content(services=services(vf, csf), sources=sources))


@case(
    "blank-rows-inside.xlsx",
    "blank rows between lines of a fund",
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "L10", "Rape Crisis"),
)
def _(path: Path) -> None:
    vf, csf = victims(), community()
    vf.insert(2, [""] * 12)
    csf.insert(5, [""] * 12)
    csf.insert(5, [""] * 12)
    with_services(path, vf, csf)


@case("blank-rows-after.xlsx", "blank rows, some with a stray space, after the table", *SAMPLE)
def _(path: Path) -> None:
    rows = services()
    rows.extend([[""] * 12 for _ in range(8)])
    rows.append(["", " ", "", "", "\u00a0"])
    rows.extend([[""] * 12 for _ in range(3)])
    write_workbook(path, content(services=rows))


@case(
    "blank-formatted-rows-5000.xlsx",
    "5,000 shaded, bordered but empty rows below the table",
    *SAMPLE,
)
def _(path: Path) -> None:
    write_book(path, sample_book(), formatted_blank_rows={"Services": 5000})


@case("merged-title-cells.xlsx", "title cells merged across the table's width", *SAMPLE)
def _(path: Path) -> None:
    c = content(
        title_rows={"Services": ("Commissioning Plan 2021 - 2022", ""), "Funds": ("Funds 2021/22",)}
    )
    write_book(path, sample_book(c), merges={"Services": ("A1:L1",), "Funds": ("A1:D1",)})


@case(
    "hidden-services-draft.xlsx",
    'a hidden sheet "Service lines" (a Services alias) holding last month\'s draft, before '
    "the real Services sheet",
    ("I-HIDDEN", "Service lines", "", "Hidden sheet"),
    *SAMPLE,
)
def _(path: Path) -> None:
    book = sample_book()
    draft_lines = victims()[:3]
    draft_lines[0][11] = "TBC"
    draft = [[col.header for col in contract.SERVICES.columns], *draft_lines]
    ordered = {
        "Decision": book["Decision"],
        "Funds": book["Funds"],
        "Funding sources": book["Funding sources"],
        "Service lines": draft,
        "Services": book["Services"],
        "Document control": book["Document control"],
    }
    write_book(path, ordered, hidden={"Service lines": "hidden"})


@case(
    "very-hidden-sheet.xlsx",
    "a very hidden sheet of working notes",
    ("I-HIDDEN", "Workings", "", "is very hidden (not listed under Unhide)"),
    *SAMPLE,
)
def _(path: Path) -> None:
    book = sample_book()
    book["Workings"] = [["Note"], ["Ask LCC about the YOS uplift"]]
    write_book(path, book, hidden={"Workings": "veryHidden"})


@case("date-system-1904.xlsx", "the 1904 date system of old Mac workbooks", *SAMPLE)
def _(path: Path) -> None:
    write_book(path, sample_book(), date_1904=True)


# -- totals and formulas ----------------------------------------------------------------------


@case(
    "total-typed-wrong.xlsx",
    "the Victims Fund Total typed as a number, £205 short",
    ("E-TOTAL", "Services", "L14", "£805,007"),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, totals={0: Decimal(805_007)})


@case(
    "total-sum-misses-row.xlsx",
    "the Victims Fund Total is =SUM(L4:L12), leaving out the last line (row 13)",
    ("E-TOTAL", "Services", "L14", "a SUM range that stops a row short"),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, totals={0: Formula("=SUM(L4:L12)", Decimal(805_212 - 10_600))})


@case(
    "total-sum-skips-text-amount.xlsx",
    "Rape Crisis's budget typed as text (\"£82,661\"), so the Victims Fund Total's =SUM(L4:L13) "
    "left it out",
    ("E-TOTAL", "Services", "L14", "budget is typed as text (row 9), which SUM leaves out"),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(
        path,
        *changed_line("vf", RAPE_CRISIS, budget="£82,661"),
        totals={0: Formula("=SUM(L4:L13)", Decimal(805_212 - 82_661))},
    )


@case(
    "funds-total-skips-text-amount.xlsx",
    'the Victims Fund allocation typed as text ("£1,009,000"), so the Funds sheet\'s Total '
    "=SUM(B2:B3) left it out",
    ("E-TOTAL", "Funds", "B4", "typed as text in B2, which SUM leaves out"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    funds = copy.deepcopy(make_sample.FUNDS)
    funds[0][1] = "£1,009,000"
    funds.append(["Total", Formula("=SUM(B2:B3)", Decimal(556_000)), "", ""])
    write_workbook(path, content(funds=funds))


@case(
    "total-label-variants.xlsx",
    "Total rows labelled TOTAL: and Sub-total, then a Grand total of both funds",
    *SAMPLE,
)
def _(path: Path) -> None:
    rows = services(labels=("TOTAL:", "Sub-total"))
    rows.append(["", "Grand total", *[""] * 9, Formula("=L14+L30", Decimal(805_212 + 464_058))])
    write_workbook(path, content(services=rows))


@case(
    "total-label-beside-figure.xlsx",
    'each fund\'s "Total" typed in the Purpose column, beside its figure, not in the Fund column',
    *SAMPLE,
)
def _(path: Path) -> None:
    rows = services()
    for row in rows:
        if row and row[0] == "Total":
            row[0], row[COL_INDEX["purpose"]] = "", "Total"
    write_workbook(path, content(services=rows))


@case(
    "total-without-label.xlsx",
    "the Victims Fund's SUM row with its Total label deleted: an amount alone on a row",
    ("E-REQUIRED", "Services", "L14", "holds only an amount (£805,212) and no fund"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    rows = services()
    rows[next(i for i, row in enumerate(rows) if row and row[0] == "Total")][0] = ""
    write_workbook(path, content(services=rows))


@case(
    "formulas-uncached.xlsx",
    "saved by a program (openpyxl), so the Total formulas have no saved result",
    ("E-VALUE", "Services", "L14", "open the workbook in Excel"),
    ("E-VALUE", "Services", "L30", "=SUM(L16:L29)"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    from openpyxl import load_workbook

    write_workbook(path, content())
    book = load_workbook(path)
    book.properties.created = datetime(2021, 1, 1)
    book.save(path)

    def fixed_date(name: str, data: bytes) -> bytes:  # openpyxl stamps "modified" with the clock
        if name != "docProps/core.xml":
            return data
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2021-01-01T00:00:00Z", data)

    rewrite_zip(path, fixed_date)


@case(
    "formula-error-value.xlsx",
    "a budget formula whose saved result is the Excel error #REF!",
    ("E-VALUE", "Services", "L10", "#REF!"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    vf, csf = changed_line("vf", 6, budget=Formula("=#REF!*2", None))
    write_workbook(path, content(services=services(vf, csf)))

    def saved_error(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet4.xml":
            return data
        return data.replace(
            b'<c r="L10" s="4"><f>#REF!*2</f><v></v></c>',
            b'<c r="L10" s="4" t="e"><f>#REF!*2</f><v>#REF!</v></c>',
        )

    rewrite_zip(path, saved_error)


# -- amounts ----------------------------------------------------------------------------------


def _budget_case(file: str, defect: str, value: Any, *expect: Expect) -> None:
    @case(file, defect, *expect)
    def _(path: Path) -> None:
        with_services(path, *changed_line("vf", RAPE_CRISIS, budget=value))


_budget_case("amount-text-pound.xlsx", 'a budget typed as text "£82,661"', "£82,661", *SAMPLE)
_budget_case(
    "amount-text-decimals.xlsx", 'a budget typed as text "82,661.00"', "82,661.00", *SAMPLE
)
_budget_case(
    "amount-text-spaces.xlsx",
    'a budget typed as " £ 82,661 " with a non-breaking space',
    " £\u00a082,661 ",
    *SAMPLE,
)
_budget_case(
    "amount-thousands-k.xlsx",
    'a budget typed as "82k"',
    "82k",
    ("E-VALUE", "Services", "L9", '"82k"'),
)
_budget_case("amount-tbc.xlsx", 'a budget of "TBC"', "TBC", ("E-VALUE", "Services", "L9", '"TBC"'))
_budget_case(
    "amount-negative.xlsx",
    'a budget typed as "-5,000"',
    "-5,000",
    ("E-VALUE", "Services", "L9", "negative"),
)
_budget_case(
    "amount-blank.xlsx", "a line with no budget", "", ("E-VALUE", "Services", "L9", "is blank")
)
_budget_case(
    "amount-fraction-of-penny.xlsx",
    "a budget of 82,661.125 (and so a Total of 805,212.125)",
    Decimal("82661.125"),
    ("E-VALUE", "Services", "L9", "fractions of a penny"),
    ("E-VALUE", "Services", "L14", '"805212.125"'),
)


@case(
    "amount-allocation-k.xlsx",
    'the Victims Fund allocation typed as "1,009k"',
    ("E-VALUE", "Funds", "B2", '"1,009k"'),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    funds = copy.deepcopy(make_sample.FUNDS)
    funds[0][1] = "1,009k"
    write_workbook(path, content(funds=funds))


@case(
    "amount-pence.xlsx",
    "amounts in pounds and pence: a line, the allocation and a source",
    ("W-RINGFENCE", "Funding sources", "C2", "£78,787.51"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    funds = copy.deepcopy(make_sample.FUNDS)
    funds[0][1] = Decimal("1009000.49")
    sources = copy.deepcopy(make_sample.SOURCES)
    sources[1][2] = "£125,000.49"
    vf, csf = changed_line("vf", RAPE_CRISIS, budget=Decimal("82661.49"))
    write_workbook(path, content(funds=funds, sources=sources, services=services(vf, csf)))


@case(
    "amount-binary-noise.xlsx",
    "a budget saved as 82661.00000000001, as a calculated cell can be",
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, budget=82661.00000000001))


# -- dates ------------------------------------------------------------------------------------


def _date_case(file: str, defect: str, key: str, value: Any, *expect: Expect) -> None:
    @case(file, defect, *expect)
    def _(path: Path) -> None:
        with_services(path, *changed_line("vf", RAPE_CRISIS, **{key: value}))


_date_case(
    "date-text-day-first.xlsx",
    'a start date typed as text "01/04/2021"',
    "start",
    "01/04/2021",
    *SAMPLE,
)
_date_case(
    "date-text-short-year.xlsx", 'a start date typed as "1/4/21"', "start", "1/4/21", *SAMPLE
)
_date_case(
    "date-text-long.xlsx", 'an end date typed as "31 March 2022"', "end", "31 March 2022", *SAMPLE
)
_date_case(
    "date-text-ordinal.xlsx",
    'a start date typed as "1st April 2021"',
    "start",
    "1st April 2021",
    *SAMPLE,
)
_date_case(
    "date-month-names.xlsx",
    'dates typed as months, "Apr 2021" to "March 2022"',
    "start",
    "Apr 2021",
    *SAMPLE,
)
_date_case(
    "date-impossible.xlsx",
    'an end date of "31/02/2022"',
    "end",
    "31/02/2022",
    ("E-VALUE", "Services", "G9", '"31/02/2022"'),
)
_date_case(
    "date-iso-bad-month.xlsx",
    'a start date of "2021-13-01"',
    "start",
    "2021-13-01",
    ("E-VALUE", "Services", "F9", '"2021-13-01"'),
)
_date_case(
    "date-us-style.xlsx",
    'an end date typed month-first, "03/31/2022"',
    "end",
    "03/31/2022",
    ("E-VALUE", "Services", "G9", "31/03/2022"),
)
_date_case(
    "date-serial-number.xlsx",
    "a start date pasted as the bare number 44287",
    "start",
    44287,
    ("E-VALUE", "Services", "F9", "44287"),
)
_date_case(
    "date-blank.xlsx",
    "a line with no end date",
    "end",
    "",
    ("E-VALUE", "Services", "G9", "is blank"),
)


@case(
    "end-before-start.xlsx",
    "a line that ends (31/03/2021) before it starts (01/04/2021)",
    ("E-DATES", "Services", "G9", "before it starts"),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, end=date(2021, 3, 31)))


# -- the commissioning rules ------------------------------------------------------------------


@case(
    "duplicate-line.xlsx",
    "the Hate Crime Prevention line pasted twice",
    ("W-DUPLICATE", "Services", "B14", "repeats the line in row 13"),
    *SAMPLE,
)
def _(path: Path) -> None:
    vf = victims()
    vf.append(list(vf[-1]))
    with_services(path, vf)


@case(
    "unknown-fund.xlsx",
    'a line for "Victim Fund", a fund not on the Funds sheet',
    ("E-FUND", "Services", "A13", '"Victim Fund"'),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", 9, fund="Victim Fund"))


@case(
    "fund-without-lines.xlsx",
    "a Safer Streets Fund with its ring-fenced grant but no lines yet",
    ("W-RINGFENCE", "Funding sources", "C5", "£50,000"),
    *SAMPLE,
)
def _(path: Path) -> None:
    funds = [*copy.deepcopy(make_sample.FUNDS), ["Safer Streets Fund", Decimal(50_000), "", ""]]
    sources = [
        *copy.deepcopy(make_sample.SOURCES),
        ["Safer Streets Fund", "Home Office Safer Streets", Decimal(50_000), "Yes", ""],
    ]
    write_workbook(path, content(funds=funds, sources=sources))


@case(
    "partnership-with-charity.xlsx",
    "a partnership agreement with Rape Crisis, a voluntary body",
    ("E-PARTNERSHIP", "Services", "I9", "public sector"),
    RINGFENCE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, mechanism="Partnership agreement"))


@case(
    "csf-line-no-purpose.xlsx",
    "a Community Safety Fund line with no s143 purpose",
    ("E-PURPOSE", "Services", "K20", "s143"),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("csf", 4, purpose=""))


@case(
    "overcommitted.xlsx",
    "Community Safety Fund lines add up to more than its allocation",
    ("E-OVERCOMMIT", "Funds", "B3", "£35,158 more"),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("csf", 0, budget=300_000))


@case(
    "sources-dont-add-up.xlsx",
    "the local supplement typed as £120,000, not £125,000",
    ("E-SOURCES", "Funds", "B2", "£5,000 less"),
    *SAMPLE,
)
def _(path: Path) -> None:
    sources = copy.deepcopy(make_sample.SOURCES)
    sources[1][2] = Decimal(120_000)
    write_workbook(path, content(sources=sources))


@case(
    "mechanism-unknown.xlsx",
    'a mechanism of "SLA"',
    ("E-VALUE", "Services", "I9", "not a known mechanism"),
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, mechanism="SLA"))


@case(
    "ring-fenced-maybe.xlsx",
    'Ring-fenced typed as "Maybe"',
    ("E-VALUE", "Funding sources", "D2", "Yes or No"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    sources = copy.deepcopy(make_sample.SOURCES)
    sources[0][3] = "Maybe"
    write_workbook(path, content(sources=sources))


@case(
    "organisation-blank.xlsx",
    "a line with no delivery organisation",
    ("E-REQUIRED", "Services", "C9", "Delivery organisation"),
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, organisation=""))


@case(
    "reference-blank.xlsx",
    "the Decision sheet's Reference left blank",
    ("E-REQUIRED", "Decision", "B3", "015/2021"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    decision = [(f, "" if f == "Reference" else v) for f, v in make_sample.DECISION]
    write_workbook(path, content(decision=decision))


# -- structure --------------------------------------------------------------------------------


@case(
    "missing-sheet.xlsx",
    "no Funding sources sheet",
    ("E-SHEET", "", "", 'Sheets found: "Decision", "Funds", "Services", "Document control"'),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    book = sample_book()
    del book["Funding sources"]
    write_book(path, book)


@case(
    "missing-column.xlsx",
    "no Mechanism column on the Services sheet",
    ("E-COLUMN", "Services", "3:3", '"How commissioned"'),
)
def _(path: Path) -> None:
    book = sample_book()
    at = list(COL).index("mechanism")
    book["Services"] = [r[:at] + r[at + 1 :] if len(r) > at else r for r in book["Services"]]
    write_book(path, book)


@case(
    "empty-workbook.xlsx",
    "a workbook with one empty sheet",
    *[
        ("E-SHEET", "", "", f'No "{name}" sheet. Sheets found: "Sheet1"')
        for name in ("Decision", "Funds", "Funding sources", "Services")
    ],
)
def _(path: Path) -> None:
    write_book(path, {"Sheet1": []})


# -- what people type into text cells ---------------------------------------------------------


@case("very-long-text.xlsx", "a Provision cell of 32,767 characters (Excel's limit)", *SAMPLE)
def _(path: Path) -> None:
    text = ("Support to victims of sexual violence across the county. " * 600)[:32_767]
    with_services(path, *changed_line("vf", 0, provision=text))


@case("non-latin-names.xlsx", "Welsh, Polish, Arabic, Chinese and emoji in names", *SAMPLE)
def _(path: Path) -> None:
    vf, csf = victims(), community()
    vf[0][2] = "Cymorth i Ddioddefwyr – Gwasanaeth Cymru"
    vf[1][4] = "Wsparcie dla ofiar przemocy seksualnej – Łódź"
    vf[6][2] = "مركز دعم الضحايا"
    csf[10][1] = "防止犯罪热线 📞"
    csf[11][2] = "EDAN Lincs 💜"
    with_services(path, vf, csf)


@case(
    "formula-injection-names.xlsx",
    "names that a spreadsheet would run as formulas: =cmd|' /C calc'!A0, +SUM(1), @x, -2+3",
    *SAMPLE,
)
def _(path: Path) -> None:
    vf, csf = victims(), community()
    vf[0][1] = "=cmd|' /C calc'!A0"
    vf[1][2] = "+SUM(1)"
    vf[2][4] = "@x"
    csf[0][9] = "-2+3"
    with_services(path, vf, csf)


@case(
    "personal-data-in-provision.xlsx",
    "an e-mail address and a phone number typed into Provision",
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(
        path,
        *changed_line(
            "vf", 6, provision="Counselling; referrals to jane.smith@nwch.org.uk or 01522 947406"
        ),
    )


@case("path-traversal-reference.xlsx", 'a decision reference of "../../etc/passwd"', *SAMPLE)
def _(path: Path) -> None:
    decision = [(f, "../../etc/passwd" if f == "Reference" else v) for f, v in make_sample.DECISION]
    write_workbook(path, content(decision=decision))


@case(
    "path-traversal-fund.xlsx", 'a fund named "..\\..\\Windows\\System32" on every sheet', *SAMPLE
)
def _(path: Path) -> None:
    name = "..\\..\\Windows\\System32"
    funds = copy.deepcopy(make_sample.FUNDS)
    funds[1][0] = name
    sources = copy.deepcopy(make_sample.SOURCES)
    sources[2][0] = name
    csf = community()
    for line in csf:
        line[0] = name
    write_workbook(path, content(funds=funds, sources=sources, services=services(None, csf)))


# -- far-away cells, pasted errors, values that say something else (issue 16) --------------

SERVICES_PART = "xl/worksheets/sheet4.xml"


def _add_rows(path: Path, rows_xml: bytes, part: str = SERVICES_PART) -> None:
    """Append raw rows to a worksheet of the sample, after its last row."""
    write_workbook(path, content())

    def append(name: str, data: bytes) -> bytes:
        return (
            data.replace(b"</sheetData>", rows_xml + b"</sheetData>", 1) if name == part else data
        )

    rewrite_zip(path, append)


@case(
    "far-away-value.xlsx",
    "one value typed at XFD1048576, the last cell of the Services sheet (it used to abort the "
    "whole run)",
    *SAMPLE,
)
def _(path: Path) -> None:
    _add_rows(
        path,
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )


@case(
    "cell-two-addresses.xlsx",
    'a cell written with two addresses, r="A4" and r="XFD1048576" (a broken export; it aborted '
    "the whole run)",
    *SAMPLE,
)
def _(path: Path) -> None:
    write_workbook(path, content())

    def corrupt(name: str, data: bytes) -> bytes:
        if name != SERVICES_PART:
            return data
        return data.replace(b'<c r="A4"', b'<c r="A4" r="XFD1048576"', 1)

    rewrite_zip(path, corrupt)


def _readdress(path: Path, address: bytes) -> None:
    """The sample with the Services cell A4 (the first line's fund) given another address."""
    write_workbook(path, content())

    def corrupt(name: str, data: bytes) -> bytes:
        return (
            data.replace(b'<c r="A4"', b'<c r="%s"' % address, 1) if name == SERVICES_PART else data
        )

    rewrite_zip(path, corrupt)


@case(
    "cell-address-lower-case.xlsx",
    'the first line\'s fund cell addressed r="xfd1048576", in lower case (it aborted the run)',
    ("E-REQUIRED", "Services", "A4", "Fund is blank"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    _readdress(path, b"xfd1048576")


@case(
    "cell-row-beyond-excel.xlsx",
    "the first line's fund cell addressed r=\"A99999999\", beyond Excel's last row (it aborted "
    "the run)",
    ("E-REQUIRED", "Services", "A4", "Fund is blank"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    _readdress(path, b"A99999999")


@case(
    "shared-strings-count-huge.xlsx",
    'the shared strings declaring uniqueCount="4000000000" (it aborted the run: memory for four '
    "billion strings was reserved up front)",
    *SAMPLE,
)
def _(path: Path) -> None:
    write_workbook(path, content())

    def corrupt(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        return re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="4000000000"', data, count=1)

    rewrite_zip(path, corrupt)


@case(
    "merged-blank-area-below.xlsx",
    "empty cells merged below the table, A40:N1048576 (a notes box drawn to the sheet's end)",
    *SAMPLE,
)
def _(path: Path) -> None:
    write_workbook(path, content())

    def merge(name: str, data: bytes) -> bytes:
        if name != SERVICES_PART:
            return data
        block = b'<mergeCells count="1"><mergeCell ref="A40:N1048576"/></mergeCells>'
        return data.replace(b"</sheetData>", b"</sheetData>" + block, 1)

    rewrite_zip(path, merge)


@case(
    "stray-value-far-down.xlsx",
    'a note "checked JD" typed in column P at row 1,048,576, far below the table',
    *SAMPLE,
)
def _(path: Path) -> None:
    _add_rows(
        path,
        b'<row r="1048576"><c r="P1048576" t="inlineStr"><is><t>checked JD</t></is></c></row>',
    )


@case(
    "helper-formula-filled-down.xlsx",
    "a helper formula (=L32*1, showing 0) filled down column P from row 32 to row 300,000",
    *SAMPLE,
)
def _(path: Path) -> None:
    rows = b"".join(
        b'<row r="%d"><c r="P%d"><f>L%d*1</f><v>0</v></c></row>' % (r, r, r)
        for r in range(32, 300_001)
    )
    _add_rows(path, rows)


@case(
    "error-value-pasted.xlsx",
    "Rape Crisis's budget pasted as the value #N/A (no formula)",
    ("E-VALUE", "Services", "L9", "holds the error #N/A, pasted or typed as a value"),
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, budget=Decimal(1)))

    def pasted(name: str, data: bytes) -> bytes:
        if name != SERVICES_PART:
            return data
        cell = re.search(rb'<c r="L9"[^>]*>.*?</c>', data)
        assert cell is not None
        return data.replace(cell.group(0), b'<c r="L9" t="e"><v>#N/A</v></c>', 1)

    rewrite_zip(path, pasted)


@case(
    "error-text-in-provision.xlsx",
    'the optional Provision cell of a line holding the text "#N/A"',
    ("E-VALUE", "Services", "E9", "holds the error #N/A, typed or pasted as text"),
)
def _(path: Path) -> None:
    with_services(path, *changed_line("vf", RAPE_CRISIS, provision="#N/A"))


_budget_case(
    "amount-thousands-point.xlsx",
    'a budget typed as "82.661" (a point between thousands)',
    "82.661",
    ("E-VALUE", "Services", "L9", "a point between thousands"),
)
_date_case(
    "date-serial-zero.xlsx",
    "a start date cell holding 0",
    "start",
    0,
    ("E-VALUE", "Services", "F9", "zero or negative"),
)
_date_case(
    "date-serial-enormous.xlsx",
    "an end date cell holding 1,000,000,000",
    "end",
    1_000_000_000,
    ("E-VALUE", "Services", "G9", "beyond any date Excel shows"),
)


@case(
    "noncharacter-in-text.xlsx",
    "a literal U+FFFE (not a character) inside a shared string, as a broken export leaves it",
    *SAMPLE,
)
def _(path: Path) -> None:
    write_workbook(path, content())

    def corrupt(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        return data.replace(b"<t>Rape Crisis</t>", "<t>Rape Crisis\ufffe</t>".encode(), 1)

    rewrite_zip(path, corrupt)


# -- sheets, columns and fields that answer twice; notes and merges in a table (issue 16) -----


def _budget_columns(
    path: Path, last_years: tuple[str, ...], this_year: str, book: Book | None = None
) -> None:
    """Budget columns of other years inserted before the budget (column L), with figures."""
    book = book or sample_book()
    for row in book["Services"][2:]:
        row.extend([""] * (12 - len(row)))
        is_line = row[0] not in ("", "Total") and isinstance(row[11], Decimal)
        extra = [row[11] + 1000 if is_line else "" for _ in last_years]
        row[11:11] = extra
    header = book["Services"][2]
    header[11 : 11 + len(last_years)] = list(last_years)
    header[11 + len(last_years)] = this_year
    write_book(path, book)


@case(
    "budget-column-last-year.xlsx",
    'a "2020/21 budget (£)" column, with last year\'s figures, before "2021/22 budget (£)"',
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "M9", "Rape Crisis"),
)
def _(path: Path) -> None:
    _budget_columns(path, ("2020/21 budget (£)",), "2021/22 budget (£)")


@case(
    "budget-columns-no-year.xlsx",
    'budget columns "2019/20 budget (£)" and "2020/21 budget (£)" in a 2021/22 plan',
    ("E-COLUMN", "Services", "3:3", "Several budget columns"),
)
def _(path: Path) -> None:
    _budget_columns(path, ("2019/20 budget (£)",), "2020/21 budget (£)")


@case(
    "budget-columns-short-years.xlsx",
    'budget columns headed "Budget 20/21 (£)" and "Budget 21/22 (£)": years written short',
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "M9", "Rape Crisis"),
)
def _(path: Path) -> None:
    _budget_columns(path, ("Budget 20/21 (£)",), "Budget 21/22 (£)")


@case(
    "year-written-essex-style.xlsx",
    "the financial year written as Essex's decisions write it, '2021-2': on the Decision sheet, "
    "in the Services sheet's name and in its budget headers ('Budget 2020-1 (£)' beside "
    "'Budget 2021-2 (£)'); each was E-VALUE, E-SHEET or E-COLUMN",
    RINGFENCE,
    ("W-GRANT-SIZE", "Services 2021-2", "M9", "Rape Crisis"),
)
def _(path: Path) -> None:
    book = sample_book()
    for row in book["Decision"]:
        if row[0] == "Financial year":
            row[1] = "2021-2"
    _budget_columns(path, ("Budget 2020-1 (£)",), "Budget 2021-2 (£)", book)
    book["Services 2021-2"] = book.pop("Services")
    write_book(path, book)


@case(
    "balance-rows-under-totals.xlsx",
    "a balance under each fund's Total, as finance teams show what is left: 'Unallocated' "
    "£203,788 (right) in the Fund column, 'Uncommitted' £90,000 (the plan leaves £91,942) in "
    "the Service column; each was six errors for a line nobody meant",
    *SAMPLE,
    ("E-TOTAL", "Services", "L31", "leaves £91,942 uncommitted"),
)
def _(path: Path) -> None:
    book = sample_book()
    rows = book["Services"]
    rows[14] = ["Unallocated", *[""] * 10, Decimal(203_788)]
    rows.append(["", "Uncommitted", *[""] * 9, Decimal(90_000)])
    write_book(path, book)


@case(
    "budget-header-year-forms.xlsx",
    'the budget headed "2021-22 Budget £" beside "Budget 2020/2021 (GBP)": a hyphen, a year in '
    "full, GBP",
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "M9", "Rape Crisis"),
)
def _(path: Path) -> None:
    _budget_columns(path, ("Budget 2020/2021 (GBP)",), "2021-22 Budget £")


@case(
    "services-sheet-twice.xlsx",
    'a draft sheet "Services " (trailing space) before the real "Services"',
    ("E-SHEET", "Services", "", '2 sheets answer to "Services": "Services " and "Services"'),
)
def _(path: Path) -> None:
    book = sample_book()
    ordered = {
        "Decision": book["Decision"],
        "Funds": book["Funds"],
        "Funding sources": book["Funding sources"],
        "Services ": [list(r) for r in book["Services"][:8]],
        "Services": book["Services"],
        "Document control": book["Document control"],
    }
    write_book(path, ordered)


@case(
    "alias-sheet-before-services.xlsx",
    'a sheet "Commissioning plan" (an alias of Services) holding a draft, before "Services"',
    ("I-SHEET", "Commissioning plan", "", 'the "Services" sheet has the exact name'),
    *SAMPLE,
)
def _(path: Path) -> None:
    book = sample_book()
    ordered = {
        "Decision": book["Decision"],
        "Funds": book["Funds"],
        "Funding sources": book["Funding sources"],
        "Commissioning plan": [list(r) for r in book["Services"][:8]],
        "Services": book["Services"],
        "Document control": book["Document control"],
    }
    write_book(path, ordered)


@case(
    "header-two-rows.xlsx",
    'a header over two rows: "Contract dates" merged over Start date and End date below it, '
    "the other headers merged down both rows",
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "L10", "Rape Crisis"),
)
def _(path: Path) -> None:
    book = sample_book()
    header = [col.header for col in contract.SERVICES.columns]
    dates = (COL_INDEX["start"], COL_INDEX["end"])
    group = [
        "Contract dates" if i == dates[0] else "" if i == dates[1] else h
        for i, h in enumerate(header)
    ]
    sub = [h if i in dates else "" for i, h in enumerate(header)]
    book["Services"] = [["Commissioning Plan 2021 - 2022"], [], group, sub, *services(top=3)]
    letters = [chr(ord("A") + i) for i in range(len(header))]
    merges = [f"{c}3:{c}4" for i, c in enumerate(letters) if i not in dates]
    merges.append(f"{letters[dates[0]]}3:{letters[dates[1]]}3")
    write_book(path, book, merges={"Services": merges})


@case(
    "services-sheet-copied.xlsx",
    'a copy of the Services sheet as Excel names one, "Services (2)", holding a draft',
    ("I-SHEET", "Services (2)", "", 'looks like a copy of the "Services" sheet'),
    *SAMPLE,
)
def _(path: Path) -> None:
    book = sample_book()
    draft = [list(r) for r in book["Services"][:8]]
    write_book(path, {**book, "Services (2)": draft})


@case(
    "decision-reference-twice.xlsx",
    'a second "Reference" row (016/2021) at the end of the Decision sheet',
    ("E-VALUE", "Decision", "B25", "Reference is typed twice, in B3"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    decision = [*make_sample.DECISION, ("Reference", "016/2021")]
    write_workbook(path, content(decision=decision))


@case(
    "csf-purpose-na.xlsx",
    'a Community Safety Fund line whose Purpose reads "N/A"',
    ("E-PURPOSE", "Services", "K20", 'reads "N/A", which is not an s143 purpose'),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(path, *changed_line("csf", 4, purpose="N/A"))


@case(
    "hidden-rows-counted.xlsx",
    "two Victims Fund lines on hidden rows (5 and 6) of the Services sheet",
    ("I-HIDDEN-ROWS", "Services", "5:6", "2 budget lines on hidden or filtered-out rows (5, 6)"),
    *SAMPLE,
)
def _(path: Path) -> None:
    write_book(path, sample_book(), hidden_rows={"Services": (5, 6)})


@case(
    "total-subtotal-filtered.xlsx",
    "the Victims Fund Total is an Excel table's =SUBTOTAL(109,L4:L13), saved while rows 5 and 6 "
    "were filtered out, so its figure leaves their £120,000 out",
    ("E-TOTAL", "Services", "L14", "without the hidden or filtered-out rows (5, 6): a SUBTOTAL"),
    ("I-HIDDEN-ROWS", "Services", "5:6", "2 budget lines on hidden or filtered-out rows (5, 6)"),
    *SAMPLE,
)
def _(path: Path) -> None:
    book = sample_book()
    book["Services"][13][COL_INDEX["budget"]] = Formula(
        "=SUBTOTAL(109,L4:L13)", Decimal(805_212 - 120_000)
    )
    write_book(path, book, hidden_rows={"Services": (5, 6)})


@case(
    "services-lines-on-another-sheet.xlsx",
    "two new lines kept on a sheet of their own, 'Services - new bids', with the Services "
    "sheet's header row: they are not read",
    ("I-SHEET", "Services - new bids", "", 'has the columns of the "Services" sheet'),
    *SAMPLE,
)
def _(path: Path) -> None:
    book = sample_book()
    services = book["Services"]
    header = next(row for row in services if row and row[0] == "Fund")
    bids = [row for row in services if row and row[0] == "Victims Fund"][:2]
    book["Services - new bids"] = [list(header), *copy.deepcopy(bids)]
    write_book(path, book)


@case(
    "fund-column-merged.xlsx",
    "the Fund column merged down each fund's lines (A4:A13 and A16:A29)",
    ("E-VALUE", "Services", "A4:A13", "merged cells (A4:A13, A16:A29)"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    write_book(path, sample_book(), merges={"Services": ("A4:A13", "A16:A29")})


@case(
    "fund-typed-once.xlsx",
    "each fund's name typed on its first line only, as a heading, the lines below left blank",
    ("E-REQUIRED", "Services", "A5:A13", 'Fund is blank on rows 5–13, below "Victims Fund" (A4)'),
    ("E-REQUIRED", "Services", "A17:A29", "select A16:A29 and press Ctrl+D"),
    GRANT_SIZE,  # the lines are still read for the other checks, the fund carried down
)
def _(path: Path) -> None:
    vf, csf = victims(), community()
    for lines in (vf, csf):
        for row in lines[1:]:
            row[0] = ""
    write_workbook(path, content(services=services(vf, csf)))


# The sample's Services columns but Fund (Service ... Budget), in order.
APPENDIX_COLUMNS = tuple(column.key for column in contract.SERVICES.columns[1:12])


def appendix3(
    headings: tuple[str, str] = ("Victims Fund - £1,009,000", "Community Safety Fund - £556,000"),
    keep: Sequence[str] = APPENDIX_COLUMNS,
    header: dict[str, str] | None = None,
) -> Rows:
    """The Services sheet as the decision's Appendix 3 prints it: a title, then per fund its
    heading, the header row (the seed's wording), its lines and a Total; no Fund column."""
    names = {
        **{column.key: column.header for column in contract.SERVICES.columns},
        "service": "Service Name",
        "organisation": "Current Delivery Org.",
        "how_commissioned": "How service is commissioned",
        "budget": "2021/22 budget (£)",
        **(header or {}),
    }
    at = [COL_INDEX[key] for key in keep]
    rows: Rows = [["Appendix 3: Commissioning Plan 2021 - 2022"], []]
    for heading, lines in zip(headings, (victims(), community()), strict=True):
        rows += [[heading], [names[key] for key in keep]]
        rows += [[line[i] for i in at] for line in lines]
        total = sum((_amount(line[-1]) for line in lines), Decimal(0))
        rows += [["Total", *[""] * (len(keep) - 2), total], []]
    return rows


@case(
    "appendix3-fund-headings.xlsx",
    "the Services sheet typed as the seed's Appendix 3: per fund a heading with its allocation, "
    "the header row, its lines and a Total; no Fund column (each line's fund is its heading's)",
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "K10", "Rape Crisis"),
)
def _(path: Path) -> None:
    book = sample_book()
    book["Services"] = appendix3()
    write_book(path, book)


@case(
    "appendix3-seed-columns.xlsx",
    "Appendix 3 typed with only the seed's own columns: no Organisation type or Mechanism "
    "(the headings give the fund, so only those two are missing)",
    ("E-COLUMN", "Services", "4:4", 'Column "Organisation type"'),
    ("E-COLUMN", "Services", "4:4", 'Column "Mechanism"'),
)
def _(path: Path) -> None:
    book = sample_book()
    seed = ("service", "organisation", "provision", "start", "end", "how_commissioned", "budget")
    book["Services"] = appendix3(keep=seed)
    write_book(path, book)


@case(
    "appendix3-heading-stale-allocation.xlsx",
    "Appendix 3 with last year's allocation left in a fund's heading (VICTIMS FUND (£950,000):)",
    (
        "E-VALUE",
        "Services",
        "A3",
        "shows £950,000 for the Victims Fund, but the Funds sheet gives it £1,009,000 (B2)",
    ),
    RINGFENCE,
    ("W-GRANT-SIZE", "Services", "K10", "Rape Crisis"),
)
def _(path: Path) -> None:
    book = sample_book()
    book["Services"] = appendix3(("VICTIMS FUND (£950,000):", "Community Safety Fund"))
    write_book(path, book)


@case(
    "fund-merged-on-sources.xlsx",
    "the Victims Fund's name merged down its two Funding sources rows (A2:A3)",
    ("E-VALUE", "Funding sources", "A2:A3", "Fund is in merged cells (A2:A3)"),
    GRANT_SIZE,
)
def _(path: Path) -> None:
    write_book(path, sample_book(), merges={"Funding sources": ("A2:A3",)})


@case(
    "note-row-under-table.xlsx",
    'a note "Figures exclude VAT" typed in the Fund column under the table',
    ("I-NOTE-ROW", "Services", "A32", 'holds only the text "Figures exclude VAT"'),
    *SAMPLE,
)
def _(path: Path) -> None:
    rows = services()
    rows.extend([[""] * 12, ["Figures exclude VAT", *[""] * 11]])
    write_workbook(path, content(services=rows))


@case(
    "end-date-options-disagree.xlsx",
    'an End date "31/03/2022 (1 x 12 months option to 31/03/2023)" and Extension options "None"',
    ("W-EXTENSION", "Services", "G9", 'column reads "None"'),
    *SAMPLE,
)
def _(path: Path) -> None:
    with_services(
        path,
        *changed_line(
            "vf",
            RAPE_CRISIS,
            end="31/03/2022 (1 x 12 months option to 31/03/2023)",
            extension_options="None",
        ),
    )


@case(
    "funds-total-wrong.xlsx",
    "a Total row on the Funds sheet typed as £1,500,000 (the funds add up to £1,565,000)",
    ("E-TOTAL", "Funds", "B4", "add up to £1,565,000"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    funds = [*copy.deepcopy(make_sample.FUNDS), ["Total", Decimal(1_500_000), "", ""]]
    write_workbook(path, content(funds=funds))


@case(
    "sources-total-wrong.xlsx",
    "a Total row on the Funding sources sheet typed as £1,560,000 (they add up to £1,565,000)",
    ("E-TOTAL", "Funding sources", "C5", "add up to £1,565,000"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    sources = [*copy.deepcopy(make_sample.SOURCES), ["Total", "", Decimal(1_560_000), "", ""]]
    write_workbook(path, content(sources=sources))


@case(
    "totals-worded-on-funds-and-sources.xlsx",
    "Total rows worded as finance teams word them: 'Total allocation' on Funds, and on Funding "
    "sources 'Total' under Source after each fund's sources (the Fund typed, or left blank)",
    *SAMPLE,
)
def _(path: Path) -> None:
    funds = [*copy.deepcopy(make_sample.FUNDS), ["Total allocation", Decimal(1_565_000), "", ""]]
    victims, safety = copy.deepcopy(make_sample.SOURCES[:2]), copy.deepcopy(make_sample.SOURCES[2:])
    sources = [
        *victims,
        ["Victims Fund", "Total", Decimal(1_009_000), "", ""],
        *safety,
        ["", "Total", Decimal(556_000), "", ""],
    ]
    write_workbook(path, content(funds=funds, sources=sources))


@case(
    "sources-total-in-source-wrong.xlsx",
    "a 'Total funding' row under Source on Funding sources typed as £1,560,000 (they add up to "
    "£1,565,000)",
    ("E-TOTAL", "Funding sources", "C5", "add up to £1,565,000"),
    GRANT_SIZE,  # the lines that could be read are still checked (issue 15)
)
def _(path: Path) -> None:
    sources = [
        *copy.deepcopy(make_sample.SOURCES),
        ["", "Total funding", Decimal(1_560_000), "", ""],
    ]
    write_workbook(path, content(sources=sources))


@case(
    "fund-names-invisible-characters.xlsx",
    "fund names with a zero-width space, a byte-order mark, a soft hyphen and a zero-width joiner",
    *SAMPLE,
)
def _(path: Path) -> None:
    vf, csf = victims(), community()
    vf[0][0] = "Victims\u200b Fund"
    vf[1][0] = "\ufeffVictims Fund"
    csf[0][0] = "Com\u00admunity Safety Fund"
    sources = copy.deepcopy(make_sample.SOURCES)
    sources[2][0] = "Community Safety Fund\u200d"
    funds = copy.deepcopy(make_sample.FUNDS)
    funds[0][0] = "Victims Fund"
    write_workbook(path, content(services=services(vf, csf), sources=sources, funds=funds))


@case(
    "fund-names-typographic.xlsx",
    "fund names typed with a straight apostrophe and hyphen on Funds, and the curly apostrophe "
    "and en dash Word or Outlook puts in on Services and Funding sources",
    *SAMPLE,
)
def _(path: Path) -> None:
    straight, curly = "Victims' Fund", "Victims\u2019 Fund"
    csf, csf_dash = "Community Safety Fund - core", "Community Safety Fund \u2013 core"
    vf_lines, csf_lines = victims(), community()
    for row in vf_lines:
        row[0] = curly
    for row in csf_lines:
        row[0] = csf_dash
    funds = copy.deepcopy(make_sample.FUNDS)
    funds[0][0], funds[1][0] = straight, csf
    sources = copy.deepcopy(make_sample.SOURCES)
    for row in sources:
        row[0] = curly if row[0] == "Victims Fund" else csf_dash
    write_workbook(
        path, content(services=services(vf_lines, csf_lines), sources=sources, funds=funds)
    )


# -- files that are not workbooks -------------------------------------------------------------


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (the container of .xls and of encrypted .xlsx).

    Version 3, 512-byte sectors: one FAT sector, one directory sector, then each stream padded
    to at least 4,096 bytes so that no mini stream is needed.
    """
    endofchain, freesect, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    data = [s.ljust(max(4096, -(-len(s) // 512) * 512), b"\0") for s in streams.values()]
    fat = [fatsect, endofchain]
    starts = []
    for body in data:
        starts.append(len(fat))
        count = len(body) // 512
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(endofchain)
    assert len(fat) <= 128 and len(streams) <= 3
    fat_sector = struct.pack("<128I", *fat, *[freesect] * (128 - len(fat)))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", nostream, right, child)
            + b"\0" * 16
            + b"\0" * 4
            + b"\0" * 16
            + struct.pack("<IQ", start, size)
        )

    # Children hang off the root as a chain of right siblings, shortest name first (the
    # directory's ordering), all black: a valid red-black tree.
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    entries = [entry("Root Entry", 5, nostream, 1, endofchain, 0)]
    for i, name in enumerate(names, start=1):
        index = list(streams).index(name)
        right = i + 1 if i < len(names) else nostream
        entries.append(entry(name, 2, right, nostream, starts[index], len(streams[name])))
    directory = b"".join(entries).ljust(512, b"\0")
    for i in range(len(entries), 4):
        directory = (
            directory[: i * 128]
            + entry("", 0, nostream, nostream, 0, 0)
            + directory[(i + 1) * 128 :]
        )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, endofchain, 0, endofchain, 0)
        + struct.pack("<109I", 0, *[freesect] * 108)
    )
    assert len(header) == 512
    return header + fat_sector + directory + b"".join(data)


@case(
    "zero-bytes.xlsx",
    "an empty file (an interrupted copy)",
    ("E-READ", "", "", "empty file (0 bytes)"),
)
def _(path: Path) -> None:
    path.write_bytes(b"")


@case(
    "truncated.xlsx",
    "the first half of the sample (a copy cut short)",
    ("E-READ", "", "", "damaged"),
)
def _(path: Path) -> None:
    buffer = io.BytesIO()
    write_workbook(buffer, content())
    whole = buffer.getvalue()
    path.write_bytes(whole[: len(whole) // 2])


@case(
    "old-excel-format.xlsx",
    "an Excel 97-2003 (.xls, BIFF8) workbook renamed .xlsx",
    ("E-READ", "", "", "Excel 97-2003 (.xls)"),
)
def _(path: Path) -> None:
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206)
    eof = struct.pack("<HH", 0x000A, 0)
    path.write_bytes(_cfb({"Workbook": bof + eof}))


@case(
    "password-protected.xlsx",
    "a workbook encrypted with a password (an OLE file with an EncryptedPackage stream)",
    ("E-READ", "", "", "password-protected"),
)
def _(path: Path) -> None:
    info = struct.pack("<HHI", 4, 4, 0x40) + "Microsoft Enhanced RSA and AES".encode("utf-16-le")
    package = struct.pack("<Q", 9000) + bytes((i * 7 + 3) % 256 for i in range(9008))
    path.write_bytes(_cfb({"EncryptionInfo": info, "EncryptedPackage": package}))


@case(
    "sensitivity-label-encrypted.xlsx",
    "a workbook encrypted by a sensitivity label (rights management: DRMEncryptedDataSpace)",
    ("E-READ", "", "", "encrypted by its sensitivity label or rights management"),
)
def _(path: Path) -> None:
    space = "DRMEncryptedTransform".encode("utf-16-le")
    package = struct.pack("<Q", 9000) + bytes((i * 5 + 1) % 256 for i in range(9008))
    path.write_bytes(_cfb({"DRMEncryptedDataSpace": space, "EncryptedPackage": package}))


@case("csv-renamed.xlsx", "a CSV export renamed .xlsx", ("E-READ", "", "", "CSV"))
def _(path: Path) -> None:
    lines = [",".join(c.header for c in contract.SERVICES.columns)]
    lines += [",".join(f'"{v}"' for v in row) for row in make_sample.VICTIMS_LINES[:3]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@case(
    "~$owner-file.xlsx",
    "the owner file Excel leaves beside a workbook it has open",
    ("E-READ", "", "", "owner file"),
)
def _(path: Path) -> None:
    owner = "Jane Smith"
    path.write_bytes(
        bytes([len(owner)])
        + owner.encode("ascii").ljust(53, b" ")
        + b"\0\0"
        + owner.encode("utf-16-le").ljust(110, b" ")[:110]
    )


@case(
    "libreoffice-ods.ods",
    "a plan saved in LibreOffice's own format (.ods), as LibreOffice saves by default",
    ("E-READ", "", "", 'use File > Save As with the file type "Excel 2007-365 (.xlsx)"'),
)
def _(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        # The mimetype member comes first and uncompressed, as the OpenDocument format asks.
        archive.writestr(
            zipfile.ZipInfo("mimetype", (1980, 1, 1, 0, 0, 0)),
            "application/vnd.oasis.opendocument.spreadsheet",
        )
        archive.writestr(
            zipfile.ZipInfo("content.xml", (1980, 1, 1, 0, 0, 0)), "<office:document-content/>"
        )


@case(
    "numbers-file.numbers",
    "a plan kept in Apple Numbers, copied in without exporting it",
    ("E-READ", "", "", "is an Apple Numbers file, not an Excel workbook"),
)
def _(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("Index/Document.iwa", "Metadata/DocumentIdentifier"):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), b"\x00")


@case(
    "word-document-renamed.xlsx",
    "a zip that is not a workbook (a .docx renamed)",
    ("E-READ", "", "", "not an Excel workbook"),
)
def _(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("[Content_Types].xml", (1980, 1, 1, 0, 0, 0))
        archive.writestr(info, '<?xml version="1.0"?><Types/>')
        archive.writestr(
            zipfile.ZipInfo("word/document.xml", (1980, 1, 1, 0, 0, 0)), "<w:document/>"
        )


@case(
    "zip-bomb.xlsx",
    "a 60 KB file whose worksheet unpacks to 64 MB of XML",
    ("E-READ", "", "", "zip bomb"),
)
def _(path: Path) -> None:
    write_workbook(path, content())
    padding = b" " * (64 * 1024 * 1024)

    def inflate(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet4.xml":
            return data.replace(b"<sheetData>", b"<sheetData>" + padding, 1)
        return data

    rewrite_zip(path, inflate)


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE sst [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


@case(
    "billion-laughs.xlsx",
    'shared strings with a nested XML entity that expands to 10^9 copies of "lol"',
    ("E-READ", "", "", "document type declaration"),
)
def _(path: Path) -> None:
    write_workbook(path, content())

    def bomb(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        body = data.split(b"?>", 1)[1].lstrip()
        return BILLION_LAUGHS + body.replace(b"<t>Victims Fund</t>", b"<t>&lol9;</t>", 1)

    rewrite_zip(path, bomb)


# -- writing ----------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def cases_toml(cases: Sequence[Case]) -> str:
    lines = [
        "# The corpus of messy and hostile workbooks (issue 8), written by scripts/make_corpus.py.",
        "# Per file: the defect, and every finding it must give as (code, sheet, cell) with a",
        "# fragment of its message. The per-fund I-HEADROOM and per-line I-EXPIRING notes that any",
        "# valid plan carries are left out; everything else is listed.",
        "",
    ]
    for c in cases:
        lines += [
            "[[case]]",
            f"file = {_toml_string(c.file)}",
            f"defect = {_toml_string(c.defect)}",
            "expect = [",
        ]
        for code, sheet, ref, says in c.expect:
            lines.append(
                f"  {{ code = {_toml_string(code)}, sheet = {_toml_string(sheet)}, "
                f"cell = {_toml_string(ref)}, says = {_toml_string(says)} }},"
            )
        lines += ["]", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "tests" / "corpus"
    if folder.exists():
        for old in folder.iterdir():
            if old.is_file():
                old.unlink()
            else:
                shutil.rmtree(old)
    folder.mkdir(parents=True, exist_ok=True)
    names = [c.file for c in CASES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"duplicate case files: {sorted(duplicates)}")
    for c in CASES:
        c.write(folder / c.file)
    (folder / "cases.toml").write_text(cases_toml(CASES), encoding="utf-8")
    print(f"wrote {len(CASES)} cases to {folder}")
    from scripts.make_ledger_corpus import write_ledger_corpus  # it imports this module

    ledgers = write_ledger_corpus(folder / "ledgers")
    print(f"wrote {ledgers} ledger cases to {folder / 'ledgers'}")


if __name__ == "__main__":
    main(sys.argv[1:])
