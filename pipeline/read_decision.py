"""The Decision sheet: one row per field (``Field`` | ``Value``), recommendations numbered."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipeline import contract, financial_year, policing_body
from pipeline.choices import parse_yes_no
from pipeline.contract import DecisionField
from pipeline.decision_layout import (
    BY_NAME,
    field_label,
    field_name,
    headerless_layout,
    laid_across,
)
from pipeline.model import Decision, Located
from pipeline.read_cells import CellReader, Findings, Layout, empty_formula_at
from pipeline.sheets import Cell, Sheet
from pipeline.shorthand import words_beside
from pipeline.values import (
    ValueProblem,
    clean_paragraphs,
    clean_text,
    is_blank,
    normalise,
    parse_date,
    parse_reference,
)

_NAME_OF = {f.key: f.name for f in contract.DECISION_FIELDS}
_LONGEST = {"reference": 40, "police_area": 80}  # characters

# A field's typed value: text, a date (or None when blank), or Yes/No.
FieldValue = str | date | bool | None


@dataclass
class DecisionRead:
    """The decision (None when a field could not be read) and its reference, when readable."""

    decision: Decision | None
    reference: str = ""
    financial_year: str = ""  # as typed, when readable even if the decision is not
    # When a field could not be read: the decision with the fields that could not be read
    # left blank, for the checks of a plan read in part that need none of them (its year is
    # the Financial year typed only when ``year_read``; else a stand-in). Never built from.
    partial: Decision | None = None
    year_read: bool = False


@dataclass
class _Typed:
    """The Decision rows as typed: each field's raw value and cell, the recommendations."""

    raw: dict[str, tuple[Cell, str]] = field(default_factory=dict)  # key -> (value, cell)
    # key -> the field's name as its row types it ("Mayor approval date"), for the findings
    names: dict[str, str] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # keys whose cell could not be read
    # (no., row, part, text): a cell typing several numbered recommendations gives parts
    recommendations: list[tuple[int, int, int, str]] = field(default_factory=list)
    blank_recommendations: list[tuple[str, str]] = field(default_factory=list)  # (name, cell)
    extra: dict[str, str] = field(default_factory=dict)
    first_row: int = 0


def read_decision(sheet: Sheet, findings: Findings) -> DecisionRead:
    """The Decision sheet's fields, each parsed by its kind; errors name the field's cell."""
    cells_of = CellReader(sheet, findings)
    if laid_across(cells_of):
        return DecisionRead(None)
    layout = headerless_layout(sheet) or cells_of.header(contract.DECISION)
    if layout is None:
        return DecisionRead(None)
    typed = _typed_rows(cells_of, layout)
    reference_raw = typed.raw.get("reference", (None, ""))[0]
    reference = clean_text(reference_raw) if isinstance(reference_raw, str) else ""
    reference = reference if _names_a_decision(reference) else ""
    year_raw = typed.raw.get("financial_year", (None, ""))[0]
    year_typed = clean_text(year_raw) if isinstance(year_raw, str) else ""

    values: dict[str, FieldValue] = {}
    cells: dict[str, str] = {}
    ok = not typed.failed
    unread = ", ".join(f'"{name}"' for name in list(typed.extra)[:6])
    for spec in contract.DECISION_FIELDS:
        if spec.key in typed.failed:
            continue
        value, ref = typed.raw.get(spec.key, (None, ""))
        cells[spec.key] = ref
        parsed = _field_value(cells_of, spec, value, ref, unread, typed.names.get(spec.key, ""))
        if isinstance(parsed, _Unreadable):
            ok = False
            continue
        values[spec.key] = parsed
        if spec.required and is_blank(value):
            ok = False
    ok = _reasons_given(cells_of, values, cells) and ok
    if not typed.recommendations and typed.blank_recommendations:
        name, ref = typed.blank_recommendations[0]
        cells_of.add(
            "E-REQUIRED",
            f'The Decision sheet\'s row for "{name}" has no value; type the recommendation '
            "(the decision the PCC is asked to make).",
            ref,
        )
        ok = False
    elif not typed.recommendations:
        cells_of.add(
            "E-REQUIRED",
            'The Decision sheet has no "Recommendation 1" row; add the recommendations as '
            "Recommendation 1, Recommendation 2, …",
        )
        ok = False
    year = values.get("financial_year")
    bounds = contract.financial_year_bounds(year) if isinstance(year, str) and year else None
    if year and bounds is None:
        cells_of.add(
            "E-VALUE", financial_year.year_problem(str(year)), cells.get("financial_year", "")
        )
        ok = False
    when = _date(values, "date")
    if not ok or bounds is None or when is None:  # a date is required: reported above
        # The year and the date as read, or a stand-in no check of a partial plan reads.
        start, end = (bounds[0], bounds[1]) if bounds else (date.min.year, date.max.year)
        partial = _decision(sheet, typed, values, cells, (start, end), when or date.min)
        return DecisionRead(None, reference, year_typed, partial, bounds is not None)
    decision = _decision(sheet, typed, values, cells, bounds, when)
    _body_told(cells_of, decision)
    return DecisionRead(decision, reference, year_typed)


def unread_decision(title: str) -> Decision:
    """A decision of which nothing could be read (no Decision sheet, or one not laid out as
    one), for the checks of a plan read in part that need no field of it."""
    return _decision(title, _Typed(), {}, {}, (date.min.year, date.max.year), date.min)


def _decision(
    sheet: Sheet | str,
    typed: _Typed,
    values: dict[str, FieldValue],
    cells: dict[str, str],
    bounds: tuple[int, int],
    when: date,
) -> Decision:
    """The Decision of the fields read (a field not in ``values`` is blank)."""
    title = sheet if isinstance(sheet, str) else sheet.title
    return Decision(
        police_area=_text(values, "police_area"),
        reference=_text(values, "reference"),
        date=when,
        # As 2021/22 whatever form was typed ("21/22", "FY 2021-22"): the index and the
        # manifest show it beside reports that show the canonical form.
        financial_year=f"{bounds[0]}/{bounds[1] % 100:02d}",
        subject=_text(values, "subject"),
        report_by=_text(values, "report_by"),
        contact_officer=_text(values, "contact_officer"),
        executive_summary=_text(values, "executive_summary"),
        budget_approval=_date(values, "budget_approval"),
        budget_approval_reference=_text(values, "budget_approval_reference"),
        publication_deferred=_yes(values, "publication_deferred"),
        publication_deferred_reason=_text(values, "publication_deferred_reason"),
        publication_deferred_until=_date(values, "publication_deferred_until"),
        part2_form=_yes(values, "part2_form"),
        part2_form_reason=_text(values, "part2_form_reason"),
        originating_officer_initials=_text(values, "originating_officer_initials"),
        finance_officer_initials=_text(values, "finance_officer_initials"),
        monitoring_officer_initials=_text(values, "monitoring_officer_initials"),
        chief_executive_approval_date=_date(values, "chief_executive_approval_date"),
        pcc_approval_date=_date(values, "pcc_approval_date"),
        background=_text(values, "background"),
        plan_links=_text(values, "plan_links"),
        personnel_equalities=_text(values, "personnel_equalities"),
        review_arrangements=_text(values, "review_arrangements"),
        risk_management=_text(values, "risk_management"),
        organisation=_text(values, "organisation"),
        decision_maker=_text(values, "decision_maker"),
        decision_maker_short=_text(values, "decision_maker_short"),
        strategy_document=_text(values, "strategy_document"),
        # In the order of their numbers; rows carrying the same number keep sheet order.
        recommendations=tuple(text for *_, text in sorted(typed.recommendations)),
        year_start=date(bounds[0], 4, 1),
        year_end=date(bounds[1], 3, 31),
        at=Located(title, typed.first_row, cells),
        extra=typed.extra,
    )


def _body_told(cells_of: CellReader, decision: Decision) -> None:
    """W-ORGANISATION when the Organisation is blank and the decision maker's title does not
    say which body decides ("Mayor" alone): the published files name the body, and a made-up
    "Office of the Mayor for …" went into open data without a word."""
    if decision.organisation or policing_body.office(decision.maker, decision.police_area):
        return
    row = decision.at.cells.get("organisation", "")
    cells_of.add(
        "W-ORGANISATION",
        policing_body.unknown_body(decision.maker, decision.police_area, bool(row)),
        row or decision.at.cells.get("decision_maker", ""),
    )


# Part G of the form: a Yes to either box asks "If Yes, for what reason"; a Yes with the reason
# blank went to the PCC as a form with the question unanswered.
_REASON_OF = {
    "publication_deferred": "publication_deferred_reason",
    "part2_form": "part2_form_reason",
}


def _reasons_given(
    cells_of: CellReader, values: dict[str, FieldValue], cells: dict[str, str]
) -> bool:
    """False after an E-REQUIRED for each Yes (publication deferred, a Part 2 form) whose
    reason field is blank, at the reason's cell (or the Yes when the sheet has no such row)."""
    given = True
    for flag, reason in _REASON_OF.items():
        if values.get(flag) is not True or reason not in values or _text(values, reason):
            continue  # No, blank, or the reason is typed (or could not be read: said already)
        flag_name, reason_name = _NAME_OF[flag], _NAME_OF[reason]
        where = (
            f'"{reason_name}" is blank'
            if cells.get(reason)
            else f'the sheet has no "{reason_name}" row'
        )
        cells_of.add(
            "E-REQUIRED",
            f'{flag_name} is Yes but {where}; the form asks "If Yes, for what reason" and '
            f"would go for signature with it unanswered. Type the reason"
            f"{'' if cells.get(reason) else ' on a row of that name'}, or set {flag_name} to No.",
            cells.get(reason) or cells.get(flag, ""),
        )
        given = False
    return given


def _names_a_decision(reference: str) -> bool:
    """Whether ``reference`` can file a decision: "///" or "-" has no letter or digit (and
    its report folder would be "untitled", shared with any other such)."""
    return any(ch.isalnum() for ch in reference)


def _text(values: dict[str, FieldValue], key: str) -> str:
    value = values.get(key)
    return value if isinstance(value, str) else ""


def _date(values: dict[str, FieldValue], key: str) -> date | None:
    value = values.get(key)
    return value if isinstance(value, date) else None


def _yes(values: dict[str, FieldValue], key: str) -> bool:
    return values.get(key) is True


class _Unreadable:
    """The marker of a field whose value gave a finding (kept apart from a blank's None)."""


_UNREADABLE = _Unreadable()


def _field_value(  # ``name``: the field's as its row types it ("Mayor approval date"), if any
    cells_of: CellReader, spec: DecisionField, value: Cell, ref: str, unread: str, name: str
) -> FieldValue | _Unreadable:
    name = name or spec.name
    if is_blank(value):
        if spec.required and (formula := empty_formula_at(cells_of.sheet, ref)):
            cells_of.add("E-REQUIRED", f"{name} {formula}.", ref)  # "=IF(B3="","",...)"
        elif spec.required:
            where = (
                f'\'s row for "{name}" has no value'
                if ref
                else f' has no "{spec.name}" row; add one'
            )
            example = f", e.g. {spec.example}" if spec.example else ""
            # A body's own name for the field is among the rows the report does not read.
            also = (
                ""
                if ref or not unread
                else f" (or rename one of the rows it does not read: {unread})"
            )
            cells_of.add("E-REQUIRED", f"The Decision sheet{where}{example}{also}.", ref)
        return "" if spec.kind in ("text", "reference") else None
    limit = _LONGEST.get(spec.key)
    if limit is not None and len(clean_text(value)) > limit:
        # A reference or an area this long is a paste gone wrong; it also breaks the Word
        # report's properties (255 characters), so check says so before build fails on it.
        cells_of.add(
            "E-VALUE",
            f'{name} reads "{clean_text(value)[:60]}…" ({len(clean_text(value))} '
            f"characters); a {name.lower()} is short, e.g. {spec.example}. Correct it.",
            ref,
        )
        return _UNREADABLE
    try:
        if spec.kind == "date":
            return _day(spec, value)
        if spec.kind == "yes_no":
            return parse_yes_no(value)
        if spec.kind == "reference":
            reference = parse_reference(value, spec.example)
            if not _names_a_decision(reference):
                raise ValueProblem(
                    f'reads "{reference}", which has no letter or digit; type the '
                    f"{name.lower()} the decision is filed under, e.g. {spec.example}"
                )
            return reference
        return clean_paragraphs(value) if spec.paragraphs else clean_text(value)
    except ValueProblem as problem:
        cells_of.add("E-VALUE", f"{name} {problem}.", ref)
        return _UNREADABLE


# What a signature date's cell says before it is signed: "TBC", "Pending", "Not signed", "N/A".
_NOT_SIGNED = re.compile(
    r"tb[ca]|n/?a|-+|pending|awaiting(?: \w+)?|(?:not(?: yet)?|un)[\s-]?signed|to follow|"
    r"not applicable|not required"
)


_MONTH_HINT = ", or as a month, e.g. April 2021"


def _day(spec: DecisionField, value: Cell) -> date:
    """A Decision date: a day, never a month ("May 2021" printed as 1 May 2021 on the form);
    a signature date not yet signed is told to stay blank."""
    text = normalise(value).rstrip(".") if isinstance(value, str) else ""
    if spec.key.endswith("approval_date") and _NOT_SIGNED.fullmatch(text):
        raise ValueProblem(
            f'reads "{clean_text(value)}": leave it blank until it is signed (the Request for '
            "Decision then shows an empty signature block), and type the day it is signed then"
        )
    try:
        day, month_only = parse_date(value)
    except ValueProblem as problem:  # its hint offers a month, which a Decision date is not
        words_beside(value, problem, end=False)  # "Signed 01/06/2021": the date to type alone
        raise ValueProblem(str(problem).replace(_MONTH_HINT, "")) from None
    if month_only:
        raise ValueProblem(
            f'reads "{clean_text(value)}", a month, which the form would print as its first '
            "day; type the day as dd/mm/yyyy, e.g. 28/05/2021"
        )
    return day


def _typed_rows(cells_of: CellReader, layout: Layout) -> _Typed:
    typed = _Typed()
    sheet = cells_of.sheet
    field_col, value_col = layout.columns["field"], layout.columns["value"]
    for r in cells_of.rows(contract.DECISION, layout):
        typed.first_row = typed.first_row or r
        # "Reference:" or "Recommendation 2." is the field; a recommendation unrecognised
        # would fall among the extra fields and silently out of the report.
        name = field_name(sheet.value(r, field_col))
        ref = layout.ref("value", r)
        if not name:
            continue
        number = contract.RECOMMENDATION.fullmatch(name)
        if number:
            text = cells_of.text(r, layout, "value", False, {}, paragraphs=True)
            if text == "":
                typed.blank_recommendations.append((clean_text(sheet.value(r, field_col)), ref))
            if text:
                position = (
                    int(number.group(1)) if number.group(1) else len(typed.recommendations) + 1
                )
                for part, item in enumerate(_own_numbers_removed(text)):
                    typed.recommendations.append((position, r, part, item))
            continue
        spec = BY_NAME.get(name)
        if spec is None:
            typed.extra[clean_text(sheet.value(r, field_col))] = clean_text(
                sheet.value(r, value_col)
            )
            continue
        label = field_label(sheet.value(r, field_col), spec)
        try:
            value = cells_of.value(r, value_col)
        except ValueProblem as problem:
            cells_of.add("E-VALUE", f"{label} {problem}.", ref)
            typed.failed.add(spec.key)
            continue
        earlier, earlier_ref = typed.raw.get(spec.key, (None, ""))
        if (
            not is_blank(earlier)
            and not is_blank(value)
            and clean_text(earlier) != clean_text(value)
        ):
            # The last row used to win silently: a report filed under the wrong reference.
            cells_of.add(
                "E-VALUE",
                f'{label} is typed twice, in {earlier_ref} ("{clean_text(earlier)}") and '
                f'{ref} ("{clean_text(value)}"); keep the right one and delete the other row.',
                ref,
            )
            typed.failed.add(spec.key)
            continue
        if is_blank(value) and not is_blank(earlier):
            continue  # a second, blank row for the field: the typed one stands
        typed.raw[spec.key] = (value, ref)
        typed.names[spec.key] = label
    return typed


# A number or a bullet typed before a recommendation: "1.", "2)", "(3)", "•", "-", "*".
_OWN_NUMBER = re.compile(r"(?:\(\d{1,2}\)|\d{1,2}[.)]|[\u2022\u00b7\u25aa\u25e6*\u2013-])\s+")


def _own_numbers_removed(text: str) -> list[str]:
    """The recommendations a cell holds, without the numbers (or bullets) typed before them.
    The report numbers the recommendations itself: "1. That the strategy be approved" typed
    in a cell came out "1. 1. That the strategy be approved", and "1. ...", "2. ..." typed on
    lines of one cell (Alt+Enter) as one recommendation numbered 1 holding both."""
    lines = text.split("\n")
    if not _OWN_NUMBER.match(lines[0]):
        return [text]
    items: list[list[str]] = []
    for line in lines:
        number = _OWN_NUMBER.match(line)
        if number:
            items.append([line[number.end() :]])
        else:  # a paragraph of the recommendation above
            items[-1].append(line)
    return ["\n".join(item).strip() for item in items if "".join(item).strip()]
