"""Stage 3b: the Report -> the public Excel summary the policing body publishes (domain §5).

The workbook has a Summary sheet (one row per fund: allocation, MoJ grants, other funding,
committed, uncommitted, % committed and a total row; a chart; then a Funding sources table of
every source, which the MoJ and other columns add up, so the Summary is seven columns wide
however many sources there are), one sheet per fund with its service lines as an Excel table,
a Changes sheet when last year's plan was found (each line's and each fund's figures for both
years, the change in pounds and per cent), and an About sheet (decision, source, licence).

What makes it publishable:

- **Figures readers can trust.** Every total and percentage is a live formula that also carries
  the value computed here in ``Decimal``, so previewers and readers that never recalculate show
  the right figures. Totals are plain ``SUM`` over the cell range: a table's ``SUBTOTAL`` total
  recalculates to ``#NAME?`` in LibreOffice 7.4.
- **Text stays text.** ``strings_to_formulas`` is off and text goes through ``write_string``;
  text that starts like a formula also gets Excel's quote prefix, so editing the cell in Excel
  does not turn it into one (formula/CSV injection).
- **No personal data.** Only an allow-list of fields goes out (never the contact officer, report
  author, officer initials or circulation list), and e-mail addresses and UK telephone numbers
  typed into free text are replaced with ``[removed]``.
- **Accessible and repeatable.** Header rows, named tables, no merged cells, chart alt text;
  a fixed creation time so the same input gives a byte-identical file.

This module makes the workbook and its About sheet; each other sheet has its own module
(:mod:`pipeline.summary_sheet`, :mod:`pipeline.summary_funds`, :mod:`pipeline.summary_changes`)
and they share their formats, widths and published text through :mod:`pipeline.summary_layout`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

from pipeline.commitments import commitments
from pipeline.memory import collector_paused
from pipeline.model import Decision
from pipeline.report import Report
from pipeline.summary_changes import CHANGES_SHEET, changes_sheet
from pipeline.summary_commitments import COMMITMENTS_SHEET, commitments_sheet
from pipeline.summary_funds import LINE_COLUMNS, FundSheet, fund_sheet
from pipeline.summary_layout import (
    HEADER_ROW,
    RESERVED_SHEETS,
    Formats,
    cell_name,
    fit_row,
    page_setup,
    public_text,
    sheet_names,
    table_name,
    write_text,
    write_title,
)
from pipeline.summary_sheet import summary_sheet
from pipeline.summary_worksheet import worksheet_class
from pipeline.values import slugify

__all__ = ["CHANGES_SHEET", "LICENCE", "LICENCE_URL", "render_xlsx", "sheet_names", "summary_name"]

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def summary_name(decision: Decision) -> str:
    """``commissioning-summary-2021-22.xlsx`` for the 2021/22 plan."""
    return f"commissioning-summary-{slugify(decision.year_label)}.xlsx"


# -- about ------------------------------------------------------------------------------------


def accessibility_statement(publisher: str) -> str:
    """The About sheet's accessibility statement (Public Sector Bodies Accessibility
    Regulations 2018): what was done so the workbook reads well with a screen reader."""
    return (
        "This workbook is made to be read with a screen reader and to meet the Web Content "
        "Accessibility Guidelines (WCAG) 2.1 at level AA as far as a spreadsheet can: every "
        "table has a header row and a name, no cells are merged, each sheet is named for what "
        "it holds, the chart has a text description and its figures are in the table above "
        "it, and no figure is shown by colour alone. If you need this information in another "
        f"format, please contact the {publisher}."
    )


def _appendix(report: Report) -> str:
    """The Request for Decision's appendix that holds the plan, as the report numbers it."""
    from pipeline.strategy import open_strategy, plan_appendix

    strategy = open_strategy(report.strategy) if report.strategy else None
    return plan_appendix(report.decision, strategy)


def _about_sheet(
    ws: Any,
    report: Report,
    generated: dt.datetime | None,
    publisher: str,
    formats: Formats,
    tables: set[str],
    *,
    commitments_listed: bool = False,
) -> None:
    decision = report.decision
    reference = public_text(decision.reference)
    write_title(
        ws,
        formats,
        "About this summary",
        "What this workbook is, where its figures come from and how you may reuse them.",
    )
    contents = (
        "Summary: one row per fund (allocation, MoJ grants, other funding, committed, "
        "uncommitted), a chart, and every funding source. One sheet per fund: its service "
        "lines. "
    )
    if report.comparison:
        contents += (
            f"{CHANGES_SHEET}: what changed since the {report.comparison.previous_year} plan, "
            "line by line and fund by fund. "
        )
    if commitments_listed:
        # Every sheet is named here: a screen-reader user finds the sheets from this list.
        contents += (
            f"{COMMITMENTS_SHEET}: what the plan already commits in later financial years, "
            "line by line. "
        )
    rows: list[tuple[str, Any]] = [
        ("Title", f"Commissioning plan {decision.year_label}: public summary"),
        ("Publisher", publisher),
        ("Decision maker", decision.maker),
        ("Police area", decision.police_area),
        ("Financial year", decision.year_label),
        ("Decision reference", decision.reference),
        ("Decision date", decision.date),
        ("Decision subject", decision.subject),
        (
            "Source",
            f"Request for Decision {reference}, Appendix {_appendix(report)}: Commissioning Plan "
            f"{decision.year_label}",
        ),
        # Only a real build time is "Generated": by default the file carries the decision
        # date (shown above), which once sat here wrongly labelled as when it was made.
        *([("Generated", generated)] if generated else []),
        (
            "Figures",
            "All figures are in pounds sterling (£). MoJ grants are a fund's "
            "funding sources from the Ministry of Justice, other funding its other "
            "sources. Uncommitted is the allocation less the committed budget lines; "
            "% committed is committed as a share of the allocation. Totals are "
            "formulas over the figures they add up.",
        ),
        ("Contents", contents + "About: this sheet."),
        ("Accessibility", accessibility_statement(publisher)),
        ("Licence", LICENCE),
        ("Licence address", LICENCE_URL),
    ]
    first = HEADER_ROW + 1
    detail_width = 90
    for offset, (item, detail) in enumerate(rows):
        row = first + offset
        ws.write_string(row, 0, item, formats.bold)
        if isinstance(detail, dt.datetime):
            ws.write_datetime(row, 1, detail, formats.stamp)
        elif isinstance(detail, dt.date):
            ws.write_datetime(row, 1, detail, formats.date)
        elif detail == LICENCE_URL:
            ws.write_url(row, 1, LICENCE_URL, formats.link, LICENCE_URL)
        else:
            fit_row(ws, row, [(write_text(ws, row, 1, detail, formats), detail_width)])
    ws.add_table(
        HEADER_ROW,
        0,
        first + len(rows) - 1,
        1,
        {
            "name": table_name("About", "this_summary", tables),
            "style": "Table Style Light 1",
            "autofilter": False,
            "columns": [
                {"header": "Item", "header_format": formats.header},
                {"header": "Detail", "header_format": formats.header},
            ],
        },
    )
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, detail_width)
    page_setup(ws)


# -- the workbook -----------------------------------------------------------------------------


def render_xlsx(
    recon: Report, target: Path | IO[bytes], generated: dt.datetime | None = None
) -> None:
    """Write the public summary of ``recon`` to ``target`` (a path or a binary stream).

    ``generated``, when given, is the build time shown on the About sheet and stored as the
    file's creation time; by default the file's creation time is the decision date (and the
    About sheet shows no build time), so the same plan always gives the same bytes.
    """
    # The collector is paused while the workbook is made; the workbook is freed by reference
    # counting once its cycle is broken (see pipeline.memory).
    with collector_paused():
        _render(recon, target, generated)


def _render(recon: Report, target: Path | IO[bytes], generated: dt.datetime | None) -> None:
    from pipeline.xlsx_language import workbook_class

    decision = recon.decision
    if generated is not None:
        generated = generated.replace(tzinfo=None)  # Excel has no time zones; nor xlsxwriter
    stamp = generated or dt.datetime.combine(decision.date, dt.time())
    area = public_text(decision.police_area)
    publisher = public_text(decision.body)  # "Office of the Police and Crime Commissioner for …"

    workbook = workbook_class()(  # says its language, en-GB (xlsx_language.py)
        target,
        {
            # Text must never become a formula or a link, whatever a provider is called.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties(
        {
            "title": f"Commissioning plan {decision.year_label}: public summary ({area})",
            "subject": public_text(decision.subject),
            "author": publisher,
            "company": publisher,
            "keywords": f"commissioning, {area}, {decision.year_label}, "
            f"{public_text(decision.reference)}",
            "comments": f"Source: Request for Decision {public_text(decision.reference)}. "
            f"Licence: {LICENCE}.",
            "created": stamp,
        }
    )
    formats = Formats.create(workbook)
    tables: set[str] = set()
    sheet_class = worksheet_class()

    summary_ws = workbook.add_worksheet("Summary", sheet_class)
    comparison = recon.comparison
    reserved = (*RESERVED_SHEETS, CHANGES_SHEET) if comparison else RESERVED_SHEETS
    later = commitments(recon.plan)
    if any(later.totals):
        reserved = (*reserved, COMMITMENTS_SHEET.casefold())
    names = sheet_names([rec.fund.name for rec in recon.funds], reserved)
    fund_sheets: list[FundSheet] = []
    fund_worksheets = []
    for rec, name in zip(recon.funds, names, strict=True):
        fund_worksheets.append(workbook.add_worksheet(name, sheet_class))
        # The total row sits right under the lines; the Summary links to it.
        total = (
            cell_name(HEADER_ROW + 1 + len(rec.lines), len(LINE_COLUMNS) - 1) if rec.lines else None
        )
        fund_sheets.append(FundSheet(rec, name, total))
    changes_ws = workbook.add_worksheet(CHANGES_SHEET, sheet_class) if comparison else None
    later_ws = workbook.add_worksheet(COMMITMENTS_SHEET, sheet_class) if any(later.totals) else None
    about_ws = workbook.add_worksheet("About", sheet_class)

    summary_sheet(workbook, summary_ws, recon, fund_sheets, formats, tables)
    for ws, sheet in zip(fund_worksheets, fund_sheets, strict=True):
        fund_sheet(ws, sheet, decision.year_label, formats, tables)
    if changes_ws is not None and comparison is not None:
        changes_sheet(changes_ws, comparison, decision.year_label, formats, tables)
    if later_ws is not None:
        commitments_sheet(later_ws, later, decision.year_label, formats, tables)
    _about_sheet(
        about_ws,
        recon,
        generated,
        publisher,
        formats,
        tables,
        commitments_listed=later_ws is not None,
    )
    summary_ws.activate()
    workbook.close()
    _free(workbook)


def _free(workbook: Any) -> None:
    """Break the workbook's reference cycle, so that it and its cell store (hundreds of
    thousands of objects at 10,000 lines) are freed as soon as it goes out of use, not by a
    collector pass over everything the process holds: each xlsxwriter worksheet keeps the
    workbook's ``add_format`` (``tests/test_render_xlsx.py`` holds that nothing is left to
    the collector)."""
    for worksheet in workbook.worksheets():
        worksheet.workbook_add_format = None
