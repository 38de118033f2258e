"""The catalogue of findings: every code the tool reports, declared once.

Each code has one entry (severity, title, when it is raised, what to do), so the README's
findings table, the review note, the tests and the rules share it. A :class:`Finding`
(:mod:`pipeline.findings`) names its code, and only a code in the catalogue can be made.
"""

from __future__ import annotations

# The entry's types, in their own module (this one grows with every code); read as catalogue.…
from pipeline.catalogue_spend import SPEND_CODES
from pipeline.codes import Code as Code
from pipeline.codes import Severity as Severity


def _entries(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741 - catalogue shorthand

CATALOGUE: dict[str, Code] = _entries(
    Code(
        "E-READ",
        E,
        "Unreadable file",
        "not a readable .xlsx/.xlsm (corrupt, encrypted, .xls, empty, too large, lock file)",
        action="Open the workbook in Excel and save it as an Excel Workbook (.xlsx); copy it again from its original if it is damaged.",
    ),
    Code(
        "E-SHEET",
        E,
        "Missing sheet",
        "a required sheet is missing",
        action="Rename the sheet back (or unhide it); pcc-report new-workbook shows the expected sheet names.",
    ),
    Code(
        "E-COLUMN",
        E,
        "Missing column",
        "a required column is missing",
        action="Rename the column header back to one of the accepted names.",
    ),
    Code(
        "E-VALUE",
        E,
        "Unreadable value",
        "a cell cannot be read as money, date, Yes/No or a known choice",
        action="Type the value as the message says (amounts as numbers, dates day-first).",
    ),
    Code(
        "E-REQUIRED",
        E,
        "Required value blank",
        "a required field is blank",
        action="Fill in the blank field.",
    ),
    Code(
        "E-FUND",
        E,
        "Unknown fund",
        "a line names a fund that is not on the Funds sheet",
        action="Use the fund name exactly as on the Funds sheet, or add the fund.",
    ),
    Code(
        "E-SOURCES",
        E,
        "Sources do not add up",
        "a fund's funding sources do not add up to its allocation",
        action="Correct the allocation or the source amounts so that they agree.",
    ),
    Code(
        "E-OVERCOMMIT",
        E,
        "Fund overcommitted",
        "a fund's lines add up to more than its allocation",
        action="Reduce the budget lines, or raise the allocation and its sources.",
    ),
    Code(
        "E-TOTAL",
        E,
        "Total row wrong",
        "a typed Total row differs from the sum of its lines",
        action="Correct the Total row, or its SUM range.",
    ),
    Code(
        "E-DATES",
        E,
        "End before start",
        "a line's end date is before its start date",
        action="Correct the start or end date.",
    ),
    Code(
        "E-PARTNERSHIP",
        E,
        "Partnership with a non-public body",
        "a partnership agreement with a body that is not public sector (strategy §4.2)",
        action="Use a contract or a grant, or correct the organisation type.",
    ),
    Code(
        "E-PURPOSE",
        E,
        "No s143 purpose",
        "a Community Safety Fund line has no s143 purpose",
        action="Choose an s143 purpose in the Purpose column.",
    ),
    Code(
        "E-DUPLICATE-REF",
        E,
        "Duplicate decision reference",
        "two workbooks in one run carry the same decision reference, or a workbook's report "
        "folder holds the report of another still there",
        action="Give each decision its own reference, or remove the copy from the input folder.",
    ),
    Code(
        "W-RINGFENCE",
        W,
        "Ring-fenced money uncommitted",
        "ring-fenced money is not fully committed to lines of its fund",
        action="Commit the money to lines of the fund, or agree the underspend with the grant body.",
    ),
    Code(
        "W-INACTIVE",
        W,
        "Line outside the year",
        "a line that does not run at all inside the financial year",
        action="Check the line's dates, or remove it from this year's plan.",
    ),
    Code(
        "W-LATER-YEARS",
        W,
        "Line beyond the later years shown",
        "a line or its options run 10+ years past the year: later commitments show 10, then one sum",
        action="Check the end date; if it is right, report the later years beside the plan.",
    ),
    Code(
        "W-DUPLICATE",
        W,
        "Duplicate line",
        "two lines with the same fund, service, organisation and provision",
        action="Delete one of the two lines, or tell them apart in Provision.",
    ),
    Code(
        "W-GRANT-SIZE",
        W,
        "Large grant",
        "a grant over the grant_size_threshold setting (a local choice; strategy §4.3 keeps grants for small-scale work)",
        action="Record why a grant suits this work, or commission it by contract.",
    ),
    Code(
        "W-UPLIFT",
        W,
        "Large change from last year",
        "a continued line's budget changed by the uplift_threshold setting (default 10%) or more",
        action="Explain the change in the report, or correct the budget.",
    ),
    Code(
        "W-MOJ-CHANGE",
        W,
        "MoJ grant changed, lines did not",
        "the MoJ grant changed since last year but the fund's lines add up to the same",
        action="Check whether the fund's lines should change with the MoJ grant.",
    ),
    Code(
        "W-PUBLICATION-DEFERRED",
        W,
        "Publication deferred",
        "the Decision sheet defers publication, to a date still to come or to none",
        action="Keep the report and the public files off the website until the deferral ends.",
    ),
    Code(
        "W-ORGANISATION",
        W,
        "Body that decides not known",
        "the Organisation is blank and the Decision maker (a Mayor, say) does not say which body decides, so the published files name its office from the title",
        action="Type the name of the body (as it signs its decisions) in the Decision field Organisation.",
    ),
    Code(
        "W-PREVIOUS-OTHER",
        W,
        "Previous plan of another area or year",
        "the plan named with --previous is not the same police area's plan for the year before "
        "(compared as asked), or cannot be compared: it has errors, or is of this plan's year",
        action="Name last year's plan of this police area with --previous, or leave it out.",
    ),
    Code(
        "W-MOVED",
        W,
        "Line matched by service only",
        "a line matched last year's only by service name (moved fund or provider, or renamed; one warning for the lines of a renamed fund), with the alias to add if it was renamed",
        action="Confirm the line is last year's, moved or renamed; add the alias it names if the fund or provider was renamed.",
    ),
    Code(
        "I-HEADROOM",
        I,
        "Uncommitted money",
        "a fund's allocation is not all committed: the uncommitted amount, per fund",
        action="No action needed; the money remains available for in-year commissioning.",
    ),
    Code(
        "I-EXPIRING",
        I,
        "Decision due on a line",
        "a line ending before the financial year ends, or with an extension option to decide (one each, with the date to decide by)",
        action="Decide by the date given whether to extend, re-procure or decommission.",
    ),
    Code(
        "I-YEAR-END",
        I,
        "Lines end with the year",
        "lines ending with the financial year and no extension option: one note per fund, for next year's commissioning",
        action="Plan next year's commissioning of these lines: re-procure, extend or decommission each.",
    ),
    Code(
        "I-NEW-SERVICE",
        I,
        "New service",
        "a line with no match in last year's plan",
        action="No action needed; check it is meant to be new.",
    ),
    Code(
        "I-ENDED-SERVICE",
        I,
        "Ended service",
        "a line of last year's plan with no match this year (decommissioning checklist)",
        action="Check the strategy's decommissioning checklist (Appendix 2) was followed.",
    ),
    Code(
        "I-NO-PREVIOUS",
        I,
        "No previous plan",
        "no plan for the previous year free of errors was found (or two decided on the same day), so the comparison is left out; workbooks looked at that have errors are named",
        action="Put last year's workbook in input/archive/ (check one named with pcc-report check).",
    ),
    Code(
        "I-PREVIOUS-CHOSEN",
        I,
        "Last year's plan chosen",
        "several plans for the previous year were found; the one decided last is compared",
        action="Check the plan compared is last year's; name another with --previous.",
    ),
    Code(
        "I-HIDDEN",
        I,
        "Hidden sheet ignored",
        "a hidden sheet was ignored",
        action="Unhide the sheet if it should be read; otherwise nothing to do.",
    ),
    Code(
        "I-SHEET",
        I,
        "Second matching sheet ignored",
        "a sheet named like one of the workbook's sheets (an alias, or a copy such as "
        '"Services (2)"), or with its columns under another name, was ignored',
        action="Rename or delete the ignored sheet if it is a draft; otherwise nothing to do.",
    ),
    Code(
        "I-HIDDEN-ROWS",
        I,
        "Hidden rows counted",
        "hidden or filtered-out rows on the Services, Funds or Funding sources sheet hold "
        "lines, funds or sources, which are counted",
        action="Unhide the rows (or clear the filter) and check the lines belong to the plan.",
    ),
    Code(
        "W-HIDDEN-COLUMN",
        W,
        "Money read from a hidden column",
        "the budget, allocation or amount column read is hidden in Excel",
        action="Unhide it and check its figures are the plan's (old figures are often hidden).",
    ),
    Code(
        "I-NOTE-ROW",
        I,
        "Note in a table",
        "a row with only free text and no figures was read as a note, not a budget line",
        action="Move the note below or beside the table, or fill in the line's figures.",
    ),
    Code(
        "W-EXTENSION",
        W,
        "Extension options disagree",
        "an End date's bracketed extension options differ from the Extension options column",
        action="Keep the extension options in the Extension options column only.",
    ),
    Code(
        "E-RENDER",
        E,
        "Output could not be written",
        "the Word or Excel output could not be produced (e.g. a broken template)",
        action="Check the Word template's {{ }} fields, or rebuild it with scripts/make_template.py.",
    ),
    Code(
        "I-SKIPPED",
        I,
        "File skipped",
        (
            "a file in the input folder, or named on the command line, is not a workbook (a "
            "ledger export: move it into `input/spend/` or name it with `--spend`), or is an "
            "Excel owner (~$) file"
        ),
        action="Nothing to do, unless the file was meant to be built: save it as .xlsx.",
    ),
    Code(
        "E-CIRCULATION",
        E,
        "Name not usable in an e-mail",
        "a Circulation name holds a line break or an e-mail address (it would reach the e-mail's To line)",
        action="Type only the person's name in the Name column; the address goes in the E-mail column.",
    ),
    Code(
        "E-EMAIL",
        E,
        "Bad e-mail address",
        "an address on the Circulation sheet is not a valid e-mail address",
        action="Correct the address, or delete the row.",
    ),
    Code(
        "W-CHANGE-ROW",
        W,
        "Change-control row left out",
        "a row of the Document control sheet's change-control table lacks its change, initials, "
        "date or version, or its date cannot be read",
        action="Fill in Change, Initials, Date (dd/mm/yyyy) and Version on the row, or delete it.",
    ),
    Code(
        "W-CHANGE-PREFIX",
        W,
        "Change row in the old layout",
        'a Document control row reads "Change: …" (the old layout); it is read as before',
        action="Move the row into the change-control table (header row Change | Initials | Date "
        "| Version below the fields).",
    ),
    Code(
        "W-PDF",
        W,
        "PDF not made",
        "--pdf was asked for but LibreOffice is missing or failed (the .docx and .xlsx are built)",
        action="Install LibreOffice, or build without --pdf.",
    ),
    Code(
        "W-ACCESSIBILITY",
        W,
        "Word report not accessible",
        "the edited Word template breaks an accessibility check (title, en-GB, heading order, "
        "header rows and their headings, empty paragraphs, pictures' alternative text)",
        action="Correct the template as the message says; the report is built meanwhile.",
    ),
    Code(
        "W-TEMPLATE",
        W,
        "Word template holds review markup",
        "the Word template or the strategy holds tracked changes not accepted (built as if "
        "accepted), comments, hidden text, links to files or fields showing a person's name or "
        "a file's path, or content controls showing the file's author (left out of the report), "
        "charts or objects carrying the whole file they came from (the file left out), "
        "or a later copy of the template saved as .doc or .odt",
        action="In Word, accept or reject the changes and delete the comments (Review tab) and "
        "the hidden text, or save the later copy as Word Document (.docx); the report is built "
        "meanwhile.",
    ),
    *SPEND_CODES,  # the in-year position against the spend files (domain §8)
    Code(
        "W-ORG-ID",
        W,
        "Grant recipient has no org ID",
        "a recipient of grants with no usable Recipient org ID (GB-CHC-…, GB-COH-…) for the "
        "360Giving file: one per recipient, naming its lines' cells",
        action="Add the recipient's org ID (e.g. GB-CHC-1234567 for a charity) in the Recipient "
        "org ID column, or its charity or company number in a Charity number or Company number "
        "column.",
    ),
    Code(
        "W-ORG-NUMBER",
        W,
        "Charity or company number assumed",
        "a column for either a charity's or a company's number holds 7 digits beginning 1, which either register may hold; read as the one the recipient's name and type suggest",
        action="Type the recipient's org-id in a Recipient org ID column (GB-CHC-1151444 for the charity, GB-COH-01151444 for the company), or move the number to a Charity number or Company number column.",
    ),
    Code(
        "W-360-AMOUNT",
        W,
        "Grant of £0 or less",
        "a grant line of £0 or less (360Giving's quality check)",
        action="Correct the grant's budget, or remove the line.",
    ),
    Code(
        "W-360-TITLE",
        W,
        "Grant title too long",
        "a grant's Service name (its 360Giving title) is over 140 characters",
        action="Shorten the Service name to 140 characters or fewer.",
    ),
    Code(
        "W-360-DATES",
        W,
        "Grant dates look wrong",
        "a grant starts after it ends, or a planned date is 12+ years ahead or 25+ years ago",
        action="Correct the grant's start or end date (a year typed wrongly, mostly).",
    ),
    Code(
        "W-360-AWARD-DATE",
        W,
        "Award date in the future",
        "the grants' award date (PCC approval date, else the decision date) is in the future",
        action="Check the PCC approval date (or the decision date); publish once the award is made.",
    ),
    Code(
        "W-360-CHARITY-NUMBER",
        W,
        "Charity number looks wrong",
        "a GB-CHC-/GB-SC-/GB-NIC- Recipient org ID whose charity number is not 6 or 7 digits, or a charitable company's Charity number beside its org-id that cannot be read",
        action="Check the charity number in the Recipient org ID against the Charity Commission register.",
    ),
    Code(
        "W-360-ORG-LIST",
        W,
        "Org ID on no list",
        "a Recipient org ID whose list code is not on org-id.guide (GB-CC-, UK-CHC-, GB-WAL-)",
        action="Correct the list code: GB-CHC- for a charity, GB-COH- for a company, GB-PLA- for a Welsh council.",
    ),
    Code(
        "W-360-COMPANY-NUMBER",
        W,
        "Company number looks wrong",
        "a GB-COH- Recipient org ID that is not 8 characters (often lost leading zeros), or a charitable company's Company number beside its org-id that cannot be read",
        action="Type the company number with its leading zeros (8 characters), as Companies House shows it.",
    ),
    Code(
        "I-360-SKIPPED",
        I,
        "No 360Giving file",
        "the plan has grants but no 360Giving file was made: funder_prefix is not set",
        action="Set funder_prefix in the settings to publish the grants as 360Giving open data.",
    ),
    Code(
        "I-NO-CIRCULATION",
        I,
        "No e-mail prepared",
        "the workbook has no Circulation sheet (or no one on it), so no e-mail was prepared",
        action="Fill in the Circulation sheet (Role, Name, E-mail), or add one, to have the e-mail prepared.",
    ),
    Code(
        "E-STRATEGY",
        E,
        "Strategy document cannot be used",
        "the Decision sheet's Strategy document names a file that is not beside the workbook or is not a readable Word document",
        action="Put the strategy (.docx) in the workbook's folder under the name typed, or correct the name; save it from Word as a Word Document.",
    ),
    Code(
        "I-NO-STRATEGY",
        I,
        "No strategy in the pack",
        "the Decision sheet names no Strategy document, so the Request for Decision is built without the Commissioning Strategy",
        action="Name the strategy's .docx (kept beside the workbook) in the Decision field Strategy document to have it in the pack.",
    ),
    Code(
        "I-RETIRED",
        I,
        "Workbook no longer there",
        "a workbook built into the output folder is no longer there (deleted, moved or "
        "renamed): its outputs were moved to stale/",
        action="Nothing to do if it was removed on purpose; to build it again, put the "
        "workbook back in the input folder.",
    ),
    Code(
        "I-RENAMED",
        I,
        "Workbook renamed",
        "a workbook built into the output folder was renamed since (the same bytes under a "
        "new name): its outputs stay its own and are built again under the new name",
        action="Nothing to do.",
    ),
    Code(
        "I-PAGE-KEPT",
        I,
        "Index page kept",
        "the output folder's index.html had been changed since it was drawn (by hand, or by an "
        "older version): it was kept as index-edited.html and a new page drawn",
        action="Copy anything you added to the page into a file of your own; every build draws "
        "the page again.",
    ),
)
