"""The findings of the in-year position: the spend files read against the plan (domain §8).

Part of the catalogue (:mod:`pipeline.catalogue` holds them in its order, with every other
code); apart so that each module stays one that a person reads in one sitting.
"""

from __future__ import annotations

from pipeline.codes import Code, Severity

W, I = Severity.WARNING, Severity.INFO  # noqa: E741 - catalogue shorthand

SPEND_CODES: tuple[Code, ...] = (
    Code(
        "W-SPEND-READ",
        W,
        "Spend file not read",
        "a spend file cannot be read (encoding, size, no header, two columns headed alike, "
        "dates month-first, a plan workbook, a copy of another): none counted",
        action="Export the ledger again as .xlsx or CSV with its header row, then run again.",
    ),
    Code(
        "W-SPEND-VALUE",
        W,
        "Payment not read",
        "a ledger row whose date or amount cannot be read; it is not counted",
        action="Correct the payment's date or amount in the ledger export.",
    ),
    Code(
        "W-SPEND-ENCODING",
        W,
        "Characters not UTF-8",
        "a UTF-8 spend file holds bytes that are not UTF-8: each is read as Windows-1252 "
        "would read it and its lines are named; the payments are counted",
        action="Correct the character on the lines named, and export the file again as CSV UTF-8.",
    ),
    Code(
        "W-SPEND-OTHER-BODY",
        W,
        "Payments of another body",
        "a spend file's payments that its Body name column gives to another body than the "
        "plan's: not counted",
        action="Move another body's spend file out of the spend folder, or correct the plan's "
        "Police area or Organisation.",
    ),
    Code(
        "W-SPEND-AMBIGUOUS",
        W,
        "Payment matches several lines",
        "a supplier with several lines and no cost code to choose between them",
        action="Add a Cost code to each of the supplier's lines on the Services sheet.",
    ),
    Code(
        "W-SPEND-UNMATCHED",
        W,
        "Payment matches no line",
        "payments that match no line: one per supplier (the first 20), one for the rest",
        action="Add the line it pays for, a Cost code, or an alias for the supplier.",
    ),
    Code(
        "W-SPEND-DUPLICATE",
        W,
        "Payment twice",
        "the same reference, supplier, date and amount twice, or with no reference the same "
        "payment in two files (both are counted)",
        action="Check the ledger; remove the second row if it is a duplicate.",
    ),
    Code(
        "I-SPEND-OUT-OF-YEAR",
        I,
        "Payments outside the year",
        "a spend file's payments dated outside the plan's financial year, or after the --as-at date, are ignored",
        action="Nothing to do, unless the payments belong to this year or position: check their dates.",
    ),
    Code(
        "W-SPEND-OTHER-YEAR",
        W,
        "Spend files of another year",
        "no payment of the spend files is in the plan's financial year (none of another plan's "
        "in the run): no position is built",
        action="Put this year's exports in the spend folder, and move other years' to archive/.",
    ),
    Code(
        "I-SPEND-YEAR-END",
        I,
        "Position at the year end",
        "an --as-at date after the plan's year end: the position is the year-end one, at that date",
        action="Nothing to do: the position is the year's outturn. Give an --as-at date in the "
        "year for the position at that date.",
    ),
    Code(
        "I-SPEND-HIDDEN-ROWS",
        I,
        "Hidden ledger rows counted",
        "payments on rows of a spend file hidden in Excel (a filter left on) are counted",
        action="Clear the filter and check the payments belong to the position.",
    ),
    Code(
        "I-SPEND-AUDIT-TRAIL",
        I,
        "Audit trail read",
        "a Sage audit trail, or a list of invoices and the payments of them, read as a spend "
        "file: its invoices, credit notes and bank payments counted; its payments of invoices, "
        "sales, receipts and journals not",
        action="Give each supplier's account reference an alias so its payments match.",
    ),
    Code(
        "W-SPEND-GAP",
        W,
        "Spend files end before the position",
        "the spend files hold no payment of the year in the two months before the --as-at "
        "date: the forecasts read every line as paid nothing since",
        action="Add the missing months' exports, or build as at the date the exports run to.",
    ),
    Code(
        "W-OVERSPEND",
        W,
        "Overspend",
        "a line's spend is over its budget or its forecast outturn more than a tenth over "
        "it, or a fund's forecast outturn is over its allocation",
        action="Review the line's spend with its provider, or vary the budget.",
    ),
    Code(
        "W-RINGFENCE-UNDERSPEND",
        W,
        "Ring-fenced money forecast unspent",
        "a ring-fenced stream is forecast to be left unspent at year end",
        action="Commit the money in time, or agree the underspend with the grant body.",
    ),
    Code(
        "I-NO-SPEND",
        I,
        "No spend yet",
        "a live line with no payment after three months",
        action="Check the service has started and is being invoiced.",
    ),
    Code(
        "I-SPEND-SHARED",
        I,
        "Payments counted in two plans",
        "payments that match a line of another plan for the same year too",
        action="Check which plan the payments belong to.",
    ),
)
