"""Start a Word template for the Request for Decision from scratch (a one-off, not a build step).

``templates/request-for-decision.docx`` is the source of the report's wording: it is edited in
Word or LibreOffice, and nothing regenerates it. This script wrote its first version and is kept
for one case only: starting a new template from nothing, e.g. for another kind of decision::

    python scripts/make_template.py NEW.docx      # refuses to overwrite an existing file

It shows how the template is put together: a docxtpl (Jinja2-in-Word) document where
``{{ decision.reference }}`` prints a field, ``{%p if ... %}`` / ``{%p for ... %}`` on a paragraph
of their own repeat or drop paragraphs, and ``{%tr for ... %}`` in a table row repeats that row.
Every tag is written as one run; row properties (repeat header row, don't split a row),
paragraph styles for table text and amounts, A4, Arial, en-GB and the page "X of Y" footer are set
once. ``pcc-report template-fields`` lists the fields a template uses.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent

FONT = "Arial"
BLACK = RGBColor(0, 0, 0)
HEADER_FILL = "D9D9D9"
PAGE_MARGIN = Mm(18)
TEXT_WIDTH_MM = 210 - 2 * 18  # A4 portrait less the margins

# Styles the tables use: one paragraph style per kind of cell keeps the row XML small (the
# renderer repeats it thousands of times) and lets a finance officer restyle a column in Word.
TABLE_TEXT = "Table Text"
TABLE_AMOUNT = "Table Amount"
TABLE_HEADING = "Table Heading"
TABLE_HEADING_AMOUNT = "Table Heading Amount"
LABEL = "Form Label"

Doc = Any  # python-docx ships no type hints
Container = Any  # a Document or a table cell: anything with add_paragraph


# -- styles -----------------------------------------------------------------------------------


def _set_font(rpr_owner: Any, size: float | None = None, bold: bool | None = None) -> None:
    """Arial on every script (theme fonts removed, they would override it), size and weight."""
    font = rpr_owner.font
    font.name = FONT
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = BLACK


def _doc_defaults(doc: Doc) -> None:
    """Arial 11 and British English for every run that does not say otherwise."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")


def _styles(doc: Doc) -> None:
    _doc_defaults(doc)
    styles = doc.styles
    _set_font(styles["Normal"], 11)
    for name, size, before in (
        ("Title", 14, 0),
        ("Heading 1", 13, 18),
        ("Heading 2", 12, 12),
        ("Heading 3", 11, 10),
    ):
        style = styles[name]
        _set_font(style, size, bold=True)
        style.font.italic = False
        fmt = style.paragraph_format
        fmt.space_before = Pt(before)
        fmt.space_after = Pt(6)
        fmt.keep_with_next = True
    title = styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The stock Title has a blue bottom border and expanded spacing; a decision form has neither.
    title_ppr = title.element.get_or_add_pPr()
    for tag in ("w:pBdr",):
        found = title_ppr.find(qn(tag))
        if found is not None:
            title_ppr.remove(found)
    title_rpr = title.element.get_or_add_rPr()
    for tag in ("w:spacing", "w:kern"):
        found = title_rpr.find(qn(tag))
        if found is not None:
            title_rpr.remove(found)
    _set_font(styles["List Bullet"], 11)
    _set_font(styles["Footer"], 8)

    def paragraph_style(
        name: str, size: float, bold: bool, align: WD_ALIGN_PARAGRAPH | None = None
    ) -> None:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        _set_font(style, size, bold)
        fmt = style.paragraph_format
        fmt.space_before = Pt(1)
        fmt.space_after = Pt(1)
        fmt.line_spacing = 1.0
        if align is not None:
            fmt.alignment = align

    paragraph_style(TABLE_TEXT, 9, False)
    paragraph_style(TABLE_AMOUNT, 9, False, WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style(TABLE_HEADING, 9, True)
    paragraph_style(TABLE_HEADING_AMOUNT, 9, True, WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style(LABEL, 10, True)


# -- page, footer, properties -----------------------------------------------------------------


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end runs."""

    def run_with(child: Any) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1")  # shown until the reader updates fields
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _page(doc: Doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, PAGE_MARGIN)
    section.top_margin = Mm(18)
    section.bottom_margin = Mm(20)
    section.footer_distance = Mm(8)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("REF {{ decision.reference }} — Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")


def _properties(doc: Doc) -> None:
    # The renderer sets title, subject and author from the decision; these are the template's own.
    props = doc.core_properties
    props.title = "Request for Decision (template)"
    props.subject = "Commissioning Plan"
    props.author = "Request for Decision template"
    props.language = "en-GB"
    # No braces here: docxtpl renders the properties as Jinja too.
    props.comments = "docxtpl template: keep the tags in double braces when editing"
    props.keywords = ""
    props.last_modified_by = props.author
    props.revision = 1
    fixed = datetime(2021, 4, 1)  # equal input gives an equal template
    props.created = fixed
    props.modified = fixed


# -- building blocks --------------------------------------------------------------------------


def para(
    where: Container,
    *runs: str | tuple[str, bool],
    style: str | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    keep_with_next: bool = False,
) -> Any:
    """A paragraph of runs; a ``(text, True)`` run is bold. Each run holds whole tags."""
    paragraph = where.add_paragraph(style=style)
    for run in runs:
        text, bold = (run, False) if isinstance(run, str) else run
        added = paragraph.add_run(text)
        if bold:
            added.bold = True
    if align is not None:
        paragraph.alignment = align
    if keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def tag(where: Container, text: str) -> None:
    """A ``{%p ... %}`` control paragraph: docxtpl replaces the whole paragraph by the tag."""
    where.add_paragraph(text)


def first_paragraph(cell: Any, *runs: str | tuple[str, bool], style: str = TABLE_TEXT) -> Any:
    """Fill a cell's existing (empty) first paragraph instead of adding a second one."""
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    for run in runs:
        text, bold = (run, False) if isinstance(run, str) else run
        added = paragraph.add_run(text)
        if bold:
            added.bold = True
    return paragraph


def _row_props(row: Any, header: bool = False) -> None:
    """Rows never split across pages; a header row repeats at the top of each page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _shade(cell: Any, fill: str = HEADER_FILL) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def table(where: Doc, widths_mm: Sequence[float], rows: int) -> Any:
    """A bordered table with fixed column widths (tcW for Word, gridCol for LibreOffice)."""
    grid = where.add_table(rows=rows, cols=len(widths_mm))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for col, width in zip(grid.columns, widths_mm, strict=True):
        col.width = Mm(width)
        for cell in col.cells:
            cell.width = Mm(width)
    for row in grid.rows:
        _row_props(row)
    # Narrow cell margins (1.2 mm) so a date or a seven-figure amount fits its column at 9 pt.
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "68")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr = grid._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))  # schema order: tblCellMar comes before tblLook
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)
    return grid


def header_row(grid: Any, labels: Sequence[str], amount_columns: Sequence[int] = ()) -> None:
    """Bold, shaded first row that repeats on every page."""
    row = grid.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for index, (cell, label) in enumerate(zip(row.cells, labels, strict=True)):
        style = TABLE_HEADING_AMOUNT if index in amount_columns else TABLE_HEADING
        first_paragraph(cell, label, style=style)
        _shade(cell)


def data_row(
    row: Any, texts: Sequence[str], amount_columns: Sequence[int] = (), bold: bool = False
) -> None:
    for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        style = TABLE_AMOUNT if index in amount_columns else TABLE_TEXT
        if text:
            first_paragraph(cell, (text, True) if bold else text, style=style)
        else:
            cell.paragraphs[0].style = style


def loop_table(
    where: Doc,
    widths_mm: Sequence[float],
    labels: Sequence[str],
    loop: str,
    cells: Sequence[str],
    total: Sequence[str] | None = None,
    amount_columns: Sequence[int] = (),
) -> Any:
    """Header row, a ``{%tr for %}`` row, the repeated row, ``{%tr endfor %}``, a bold Total."""
    grid = table(where, widths_mm, 4 + (total is not None))
    header_row(grid, labels, amount_columns)
    first_paragraph(grid.rows[1].cells[0], f"{{%tr {loop} %}}")
    data_row(grid.rows[2], cells, amount_columns)
    first_paragraph(grid.rows[3].cells[0], "{%tr endfor %}")
    if total is not None:
        data_row(grid.rows[4], total, amount_columns, bold=True)
    return grid


def text_block(doc: Doc, field: str, number: str | None, standard: Sequence[str]) -> None:
    """The workbook's text for ``field`` when given (bullets kept), else the standard wording.

    ``number`` ("1") numbers the non-bullet paragraphs 1.1, 1.2, … as the form does. Standard
    paragraphs starting "• " are bullets.
    """
    prefix = f"{number}.{{{{ para.number }}}} " if number else ""
    tag(doc, f"{{%p if decision.{field} %}}")
    tag(doc, f"{{%p for para in decision.{field} %}}")
    tag(doc, "{%p if para.bullet %}")
    para(doc, "{{ para.text }}", style="List Bullet")
    tag(doc, "{%p else %}")
    para(doc, prefix + "{{ para.text }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    counter = 0
    for text in standard:
        if text.startswith("• "):
            para(doc, text[2:], style="List Bullet")
        else:
            counter += 1
            para(doc, f"{number}.{counter} {text}" if number else text)
    tag(doc, "{%p endif %}")


# -- the form ---------------------------------------------------------------------------------

BACKGROUND = (
    "Police and Crime Commissioners were elected across England and Wales in November 2012 in "
    "line with the introduction of the Police Reform and Social Responsibility Act 2011, "
    "replacing Police Authorities, with significantly wider "
    "responsibilities that include commissioning services and awarding grants to support "
    "delivery of the priorities in accordance with their Police and Crime Plan.",
    "This Commissioning Strategy sets out the principles and framework that will be used in "
    "{{ decision.police_area }} to commission services. The documents and processes will ensure "
    "that all commissioning decisions will be undertaken fairly, openly and transparently, are "
    "supported by evidence and provide value for money.",
    "The aims of the Commissioning Strategy are to:",
    "• Set out the vision and direction for commissioning activity",
    "• Provide clarity around what we mean by commissioning",
    "• Define the basic principles which should support all commissioning decisions",
    "• Identify the key outcomes required to make the {{ decision.body }} an effective "
    "commissioner and client",
    "• Set out how the {{ decision.body }} proposes to achieve the intended outcomes",
    "Included as an appendix to the Strategy is the {{ year }} Commissioning Plan. The "
    "{{ decision.maker }} has undertaken discussions with partners regarding the use of funding to "
    "support the delivery of the strategic aims and priorities set out within the Police and "
    "Crime Plan for {{ decision.police_area }}. Proposals resulting from those discussions are "
    "set out in the Commissioning Plan at Appendix 3.",
)

PLAN_LINKS = (
    "This commissioning strategy and plan will help to deliver the strategic aims and priorities "
    "set out in the Police and Crime Plan for {{ decision.police_area }}.",
)

S143_CRIME = (
    "(a) crime and disorder (including anti-social behaviour and other behaviour adversely "
    "affecting the local environment),",
    "(b) the misuse of drugs, alcohol and other substances, and",
    "(c) re-offending.",
)

S143_SERVICES = (
    "(a) services that in the opinion of the PCC will secure, or contribute to securing, crime "
    "and disorder reduction in the PCC's area",
    "(b) services that are intended by the PCC to help victims or witnesses of, or other persons "
    "affected by, offences and anti-social behaviour",
    "(c) services of a description specified in an order made by the Secretary of State.",
)


def _indented(doc: Doc, text: str) -> None:
    paragraph = para(doc, text)
    paragraph.paragraph_format.left_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(3)


def _front(doc: Doc) -> None:
    para(doc, "{{ decision.maker_title|upper }}", style="Title")
    para(doc, "REQUEST FOR DECISION", style="Title")

    form = table(doc, (58, TEXT_WIDTH_MM - 58), 7)
    labels = (
        "REF",
        "DATE",
        "SUBJECT",
        "REPORT BY",
        "CONTACT OFFICER",
        "EXECUTIVE SUMMARY AND PURPOSE OF REPORT",
        "RECOMMENDATIONS",
    )
    values = (
        "{{ decision.reference }}",
        "{{ decision.date_long }}",
        "{{ decision.subject }}",
        "{{ decision.report_by }}",
        "{{ decision.contact_officer }}",
    )
    for row, label in zip(form.rows, labels, strict=True):
        first_paragraph(row.cells[0], label, style=LABEL)
        _shade(row.cells[0], "F2F2F2")
    for row, value in zip(form.rows, values, strict=False):
        first_paragraph(row.cells[1], value, style="Normal")
    summary = form.rows[5].cells[1]
    first_paragraph(summary, "{%p for para in decision.executive_summary %}", style="Normal")
    summary.add_paragraph("{{ para }}")
    summary.add_paragraph("{%p endfor %}")
    recommendations = form.rows[6].cells[1]
    first_paragraph(
        recommendations, "{%p for recommendation in decision.recommendations %}", style="Normal"
    )
    recommendations.add_paragraph("{{ loop.index }}. {{ recommendation }}")
    recommendations.add_paragraph("{%p endfor %}")

    # The approval block's title is a paragraph of its own: it keeps the two tables apart (Word
    # joins adjacent tables) without an empty paragraph, which a screen reader announces.
    label = para(doc, "{{ decision.maker_title|upper }}", style=LABEL, keep_with_next=True)
    label.paragraph_format.space_before = Pt(12)
    approval = table(doc, (TEXT_WIDTH_MM - 58, 58), 2)
    text = approval.rows[0].cells[0].merge(approval.rows[0].cells[1])
    first_paragraph(
        text,
        "I hereby approve the recommendation above, having considered the content of this report.",
        style="Normal",
    )
    # Room to sign: space after the label, not an empty paragraph.
    first_paragraph(
        approval.rows[1].cells[0], ("Signature", True), style="Normal"
    ).paragraph_format.space_after = Pt(30)
    first_paragraph(
        approval.rows[1].cells[1],
        ("Date", True),
        " {{ decision.pcc_approval_date }}",
        style="Normal",
    )


def _sections(doc: Doc) -> None:
    para(
        doc,
        "A. NON-CONFIDENTIAL FACTS AND ADVICE TO THE {{ decision.maker_short|upper }}",
        style="Heading 1",
    )
    para(doc, "A1. INTRODUCTION AND BACKGROUND", style="Heading 2")
    text_block(doc, "background", "1", BACKGROUND)
    para(
        doc,
        "A2. LINKS TO POLICE AND CRIME PLAN AND {{ decision.maker_short|upper }}'S "
        "STRATEGIES/PRIORITIES",
        style="Heading 2",
    )
    text_block(doc, "plan_links", "2", PLAN_LINKS)

    para(doc, "B. FINANCIAL CONSIDERATIONS", style="Heading 1")
    para(
        doc,
        "Provision for the proposals set out in the Commissioning Plan was made in the "
        "revenue budget for {{ year }}{% if decision.budget_approval %} approved on "
        "{{ decision.budget_approval }}{% endif %}{% if decision.budget_approval_reference %} "
        "(ref {{ decision.budget_approval_reference }}){% endif %}.",
    )
    para(
        doc,
        "The Commissioning Plan at Appendix 3 commits {{ totals.committed }} of the "
        "{{ totals.allocation }} available in {{ totals.fund_count }} "
        "fund{% if totals.fund_count != 1 %}s{% endif %}, leaving {{ totals.headroom }} "
        "uncommitted:",
        keep_with_next=True,
    )
    amounts = (1, 2, 3)
    loop_table(
        doc,
        (TEXT_WIDTH_MM - 3 * 34, 34, 34, 34),
        ("Fund", "Allocation (£)", "Committed (£)", "Uncommitted (£)"),
        "for fund in funds",
        ("{{ fund.name }}", "{{ fund.allocation }}", "{{ fund.committed }}", "{{ fund.headroom }}"),
        ("Total", "{{ totals.allocation }}", "{{ totals.committed }}", "{{ totals.headroom }}"),
        amounts,
    )

    para(doc, "C. LEGAL AND HUMAN RIGHTS CONSIDERATIONS", style="Heading 1")
    para(
        doc,
        "Section 9 of the Police Reform and Social Responsibility Act 2011 provides Police "
        "and Crime Commissioners with the powers to award crime and disorder grants to any "
        "organisations and projects which, in the opinion of the PCC, will secure, or "
        "contribute to securing, crime and disorder reduction in the police area.",
    )
    para(
        doc,
        "In addition, Section 143 of the Anti-social Behaviour, Crime and Policing Act 2014 "
        "provides Police and Crime Commissioners with powers to provide or commission services. "
        "Within the meaning of this section, a PCC may provide or arrange for the provision of:",
    )
    for text in S143_SERVICES:
        _indented(doc, text)
    para(
        doc,
        "A PCC arranging for the provision of services under this section may make grants "
        "in connection with the arrangements. A grant may be subject to any conditions "
        "(including conditions as to repayment) that the PCC thinks appropriate. For the "
        'purposes of the legislative provision "anti-social behaviour" means behaviour by a '
        "person that causes or is likely to cause harassment, alarm or distress to one or more "
        'other persons not of the same household as that person; "crime and disorder '
        'reduction" means reduction in levels of:',
    )
    for text in S143_CRIME:
        _indented(doc, text)

    para(doc, "D. PERSONNEL AND EQUALITIES ISSUES", style="Heading 1")
    text_block(doc, "personnel_equalities", None, ("None specific.",))
    para(doc, "E. REVIEW ARRANGEMENTS", style="Heading 1")
    text_block(
        doc,
        "review_arrangements",
        None,
        (
            "Review and evaluation arrangements will be put in place to assess whether intended "
            "outcomes have been achieved.",
        ),
    )
    para(doc, "F. RISK MANAGEMENT", style="Heading 1")
    text_block(
        doc,
        "risk_management",
        None,
        ("Through the review and evaluation arrangements as necessary.",),
    )

    para(doc, "G. PUBLIC ACCESS TO INFORMATION", style="Heading 1")
    para(
        doc,
        "Information in this form along with any supporting material is subject to the "
        "Freedom of Information Act 2000 and other legislation. Part 1 of this form will be "
        "made available on the {{ decision.maker_short }}'s website within one working day of approval. However, if "
        "release by that date would compromise the implementation of the decision being "
        "approved, publication may be deferred. An explanation for any deferment must be "
        "provided below, together with a date for publication.",
    )
    para(
        doc,
        ("Is the publication of this form to be deferred? ", True),
        "{{ decision.publication_deferred }}",
    )
    para(doc, ("If Yes, for what reason: ", True), "{{ decision.publication_deferred_reason }}")
    para(doc, ("Until what date: ", True), "{{ decision.publication_deferred_until }}")
    para(
        doc,
        "Any facts/advice/recommendations that should not be made automatically available "
        "on request should not be included in Part 1 but instead on the separate part 2 form.",
    )
    para(doc, ("Is there a part 2 form? ", True), "{{ decision.part2_form }}")
    para(doc, ("If Yes, for what reason: ", True), "{{ decision.part2_form_reason }}")


def _declaration(doc: Doc) -> None:
    para(doc, "ORIGINATING OFFICER DECLARATION", style="Heading 1")
    grid = table(doc, (TEXT_WIDTH_MM - 34, 34), 4)
    header_row(grid, ("Declaration", "Initial to confirm"))
    rows = (
        (
            "Originating Officer:",
            " The originating officer recommends this proposal for the reasons outlined above.",
            "{{ decision.originating_officer_initials }}",
        ),
        (
            "Financial advice:",
            " The {{ decision.maker_short }}'s Chief Finance Officer has been consulted on "
            "this proposal.",
            "{{ decision.finance_officer_initials }}",
        ),
        (
            "Monitoring Officer:",
            " The {{ decision.maker_short }}'s Monitoring Officer has been consulted on this "
            "proposal.",
            "{{ decision.monitoring_officer_initials }}",
        ),
    )
    for row, (label, text, initials) in zip(grid.rows[1:], rows, strict=True):
        first_paragraph(row.cells[0], (label, True), text, style="Normal")
        first_paragraph(
            row.cells[1], initials, style="Normal"
        ).alignment = WD_ALIGN_PARAGRAPH.CENTER

    para(doc, "OFFICER APPROVAL", style="Heading 1")
    para(doc, "Chief Executive", style="Heading 2")
    para(
        doc,
        "I have been consulted about the proposal and confirm that financial, legal and "
        "equalities advice has been taken into account in the preparation of this report. "
        "Consultation outlined above has also taken place. I am satisfied that this is an "
        "appropriate request to be submitted to the {{ decision.maker_title }}.",
    )
    para(doc, ("Signature:", True)).paragraph_format.space_after = Pt(30)  # room to sign
    para(doc, ("Date: ", True), "{{ decision.chief_executive_approval_date }}")


def _appendix(doc: Doc) -> None:
    heading = para(doc, "Appendix 3: Commissioning Plan {{ year }}", style="Heading 1")
    heading.paragraph_format.page_break_before = True
    para(
        doc, "The Commissioning Plan details the commissioning approach and budget for {{ year }}."
    )
    tag(doc, "{%p for fund in funds %}")
    para(doc, "{{ fund.name }} - {{ fund.allocation }}", style="Heading 2")
    tag(doc, "{%p for para in fund.description %}")
    tag(doc, "{%p if para.bullet %}")
    para(doc, "{{ para.text }}", style="List Bullet")
    tag(doc, "{%p else %}")
    para(doc, "{{ para.text }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if fund.moj %}")
    para(
        doc,
        "For {{ year }} the Ministry of Justice has confirmed that the "
        "{{ decision.police_area }} {{ fund.moj.allocation }}.{% if fund.moj.supplemented %} "
        "{{ fund.moj.these }} supplemented locally to make available a {{ fund.name }} of "
        "{{ fund.allocation }}.{% endif %}",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if fund.lines %}")
    para(
        doc,
        "The following table details the services commissioned through the "
        "{{ fund.name }} in {{ year }}.",
        keep_with_next=True,
    )
    para(doc, ("{{ fund.name }} Commissioning {{ year }}", True), keep_with_next=True)
    # A delivery organisation's longest word ("Neighbourhood", "Crimestoppers") fits on one
    # line; a date fits its column; the budget fits £10,000,000.00 in bold.
    loop_table(
        doc,
        (28, 26, 27, 19, 22, 27, TEXT_WIDTH_MM - 149),
        (
            "Service Name",
            "Current Delivery Org.",
            "Provision",
            "Start Date",
            "End Date",
            "How service is commissioned",
            "{{ year }} budget (£)",
        ),
        "for line in fund.lines",
        (
            "{{ line.service }}",
            "{{ line.organisation }}",
            "{{ line.provision }}",
            "{{ line.start }}",
            "{{ line.end }}{% if line.extension_options %} ({{ line.extension_options }}){% endif %}",
            "{{ line.how_commissioned }}",
            "{{ line.budget }}",
        ),
        ("Total", "", "", "", "", "", "{{ fund.committed }}"),
        (6,),
    )
    tag(doc, "{%p else %}")  # a fund held for in-year commissioning: no empty table
    para(
        doc,
        "No services are commissioned through the {{ fund.name }} in {{ year }}: its "
        "{{ fund.allocation }} remains uncommitted.",
    )
    tag(doc, "{%p endif %}")
    # No empty paragraph after the table: the next Heading 2 has its own space before, and a
    # spacer that falls onto a new page left a blank page before the Reconciliation.
    tag(doc, "{%p endfor %}")

    tag(doc, "{%p if document_control or change_control %}")
    para(doc, "Document Control Information", style="Heading 2")
    tag(doc, "{%p if document_control %}")
    loop_table(
        doc,
        (58, TEXT_WIDTH_MM - 58),
        ("Item", "Detail"),
        "for item in document_control",
        ("{{ item.name }}", "{{ item.value }}"),
    )
    tag(doc, "{%p endif %}")
    # The strategy's change-control table, three columns as the seed prints it.
    tag(doc, "{%p if change_control %}")
    para(doc, "Change Control", style="Heading 3")
    loop_table(
        doc,
        (TEXT_WIDTH_MM - 80, 48, 32),
        ("Change control from previous version", "Initials and date", "Version"),
        "for change in change_control",
        ("{{ change.change }}", "{{ change.initials_and_date }}", "{{ change.version }}"),
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def _changes(doc: Doc) -> None:
    """Year on year, only when last year's plan was found: per fund, then what ends."""
    tag(doc, "{%p if comparison %}")
    heading = para(doc, "Changes from {{ comparison.previous_year }}", style="Heading 1")
    heading.paragraph_format.page_break_before = True
    para(
        doc,
        "This section compares the Commissioning Plan for {{ year }} with the plan for "
        "{{ comparison.previous_year }} (decision {{ comparison.previous_reference }}). Budget "
        "lines are matched by fund, service and delivery organisation, then by service alone.",
    )
    tag(doc, "{%p if comparison.moved_count %}")
    para(
        doc,
        "A line marked Moved continues a service of the {{ comparison.previous_year }} plan "
        "with another fund or delivery organisation.",
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for fund in comparison.funds %}")
    para(doc, "{{ fund.name }}", style="Heading 2")
    amounts = (2, 3, 4, 5)
    # Each amount column holds a fund's total to the penny at 9 pt, signed in the change
    # column ("+£12,345,678.90"): at 22 mm, "£1,861,943.35" broke over two lines.
    grid = table(doc, (30, 23, 25, 25, 27, 17, TEXT_WIDTH_MM - 147), 7)
    header_row(
        grid,
        (
            "Service",
            "Delivery org.",
            "{{ comparison.previous_year }} (£)",
            "{{ year }} (£)",
            "Change (£)",
            "Change (%)",
            "Status",
        ),
        amounts,
    )
    first_paragraph(grid.rows[1].cells[0], "{%tr for line in fund.lines %}")
    data_row(
        grid.rows[2],
        (
            "{{ line.service }}",
            "{{ line.organisation }}",
            "{{ line.previous_budget }}",
            "{{ line.budget }}",
            "{{ line.change }}",
            "{{ line.percent }}",
            "{{ line.status }}",
        ),
        amounts,
    )
    first_paragraph(grid.rows[3].cells[0], "{%tr endfor %}")
    first_paragraph(grid.rows[4].cells[0], "{%tr for total in fund.totals %}")
    data_row(
        grid.rows[5],
        (
            "{{ total.label }}",
            "",
            "{{ total.previous }}",
            "{{ total.current }}",
            "{{ total.change }}",
            "{{ total.percent }}",
            "",
        ),
        amounts,
        bold=True,
    )
    first_paragraph(grid.rows[6].cells[0], "{%tr endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "Services that end", style="Heading 2")
    tag(doc, "{%p if comparison.ended %}")
    para(
        doc,
        "These services of the {{ comparison.previous_year }} plan are not in this plan. "
        "Services that are decommissioned follow the decommissioning checklist at Appendix 2 "
        "of the Commissioning Strategy.",
    )
    tag(doc, "{%p for line in comparison.ended %}")
    para(
        doc,
        "{{ line.service }} ({{ line.organisation }}, {{ line.fund }}): "
        "{{ line.previous_budget }} in {{ comparison.previous_year }}",
        style="List Bullet",
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Every service of the {{ comparison.previous_year }} plan is in this plan.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")


def _reconciliation(doc: Doc) -> None:
    # Published with the decision: the figures as facts a reader of the website understands.
    # What the checks found goes to the internal review note, never here.
    heading = para(doc, "Funds and commitments", style="Heading 1")
    heading.paragraph_format.page_break_before = True
    para(
        doc,
        "How much of each fund the Commissioning Plan commits, and where the money comes from. "
        "Money from a ring-fenced grant may only be spent on the purposes of that grant; the "
        "plan's services are paid from it first.",
    )
    para(doc, "Funds", style="Heading 2")
    amounts = (1, 2, 3, 4, 5)
    loop_table(
        doc,
        (TEXT_WIDTH_MM - 5 * 26, 26, 26, 26, 26, 26),
        (
            "Fund",
            "Allocation (£)",
            "Committed (£)",
            "% committed",
            "Uncommitted (£)",
            "Ring-fenced uncommitted (£)",
        ),
        "for fund in funds",
        (
            "{{ fund.name }}",
            "{{ fund.allocation }}",
            "{{ fund.committed }}",
            "{{ fund.percent_committed }}",
            "{{ fund.headroom }}",
            "{{ fund.ring_fenced_uncommitted }}",
        ),
        (
            "Total",
            "{{ totals.allocation }}",
            "{{ totals.committed }}",
            "{{ totals.percent_committed }}",
            "{{ totals.headroom }}",
            "{{ totals.ring_fenced_uncommitted }}",
        ),
        amounts,
    )
    para(doc, "Funding sources", style="Heading 2")
    # Each ring-fenced stream (several MoJ grants) with what is left of it: the figure the
    # grant return reports. Ring-fenced money is taken to be spent first, in the listed order.
    loop_table(
        doc,
        (30, TEXT_WIDTH_MM - 30 - 21 - 30 - 26 - 27, 21, 30, 26, 27),
        (
            "Fund",
            "Source",
            "Ring-fenced",
            "Grant reference",
            "Amount (£)",
            "Ring-fenced uncommitted (£)",
        ),
        "for source in sources",
        (
            "{{ source.fund }}",
            "{{ source.name }}",
            "{{ source.ring_fenced }}",
            "{{ source.grant_reference }}",
            "{{ source.amount }}",
            "{{ source.uncommitted }}",
        ),
        ("Total", "", "", "", "{{ totals.sources }}", "{{ totals.ring_fenced_uncommitted }}"),
        (4, 5),
    )


def build(path: Path) -> Path:
    """Write the template to ``path`` and return it."""
    doc = Document()
    _styles(doc)
    _page(doc)
    _properties(doc)
    # python-docx's blank document starts with no paragraphs; each block adds its own.
    _front(doc)
    _sections(doc)
    _declaration(doc)
    _appendix(doc)
    _changes(doc)
    _reconciliation(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def main(argv: Sequence[str] = ()) -> int:
    if len(argv) != 1:
        print("usage: python scripts/make_template.py NEW.docx", file=sys.stderr)
        return 2
    target = Path(argv[0])
    if target.exists():
        print(
            f"{target} exists: this script only starts a new template; edit an existing one "
            "in Word or LibreOffice",
            file=sys.stderr,
        )
        return 2
    print(f"wrote {build(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
