"""The values finance staff type (domain §2): money, dates, Yes/No, choices, names, file names."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import contract
from pipeline.choices import MECHANISM_WORDS, ORGANISATION_TYPE_WORDS, parse_choice, parse_yes_no
from pipeline.shorthand import (
    financial_year,
    parse_amount,
    parse_line_end,
    parse_line_start,
    parse_ring_fenced,
    per_year_problem,
    ring_fenced_reader,
)
from pipeline.values import (
    ValueProblem,
    clean_text,
    counted,
    format_money,
    normalise,
    parse_date,
    parse_end_date,
    parse_money,
    slugify,
)

# -- money --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (82661, "82661.00"),
        (82661.0, "82661.00"),
        (Decimal("82661"), "82661.00"),
        ("£82,661", "82661.00"),
        ("82,661.00", "82661.00"),
        (" £ 750 ", "750.00"),
        ("£\u00a0750", "750.00"),
        ("1,151,444.09", "1151444.09"),
        ("£1,009,000.00 ", "1009000.00"),
        ("1 009 000", "1009000.00"),
        ("1\u202f009\u202f000", "1009000.00"),
        ("-£0", "0.00"),
        (1151444.09, "1151444.09"),
        ("0", "0.00"),
        (0.1 + 0.2, "0.30"),  # 0.30000000000000004: binary noise from a calculated cell
        (82661.00000000001, "82661.00"),
        (-0.0, "0.00"),
        # A plus sign before the figure, as a CSV or a text cell keeps it: it was E-VALUE
        # "not an amount" though a plus only says the amount is positive.
        ("+6250.00", "6250.00"),
        ("+£6,250", "6250.00"),
        ("£ +6,250.50", "6250.50"),
    ],
)
def test_money_is_read_as_exact_pounds_and_pence(raw: object, expected: str) -> None:
    amount = parse_money(raw)
    assert isinstance(amount, Decimal)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("1,009k", '"1,009k", a shorthand'),
        ("82k", "82000 for 82k"),
        ("TBC", '"TBC", which is not an amount'),
        # A Funding source's or an allocation's amount is no budget: it was told to 'enter the
        # budget as a positive number'.
        ("-5,000", "reads -£5,000, a negative amount; enter it as a positive number"),
        (-5000, "negative"),
        ("", "is blank"),
        (None, "is blank"),
        ("\u00a0", "is blank"),
        (True, "not an amount"),
        ("#REF!", "shows the Excel error #REF!"),
        ("82661.125", "fractions of a penny"),
        # A number (not text) is never a thousands separator typed: 100.005 was 'type the
        # amount as 82661', which could have entered £100,005.
        (100.005, 'reads "100.005", which has fractions of a penny; round it'),
        (12.345, 'reads "12.345", which has fractions of a penny'),
        (Decimal("100.005"), "fractions of a penny"),
        ("£82.661", "a point between thousands"),
        (Decimal("NaN"), "not an amount"),
        (1e26, "more than £1 trillion"),
        ("12/04/2021", "not an amount"),
        # A decimal comma or a stray separator is not a thousands separator: "82,66" was read
        # as £8,266 and "125,50" as £12,550.
        ("82,66", "not between thousands"),
        ("125,50", "not between thousands"),
        ("1,0,0,9", "not between thousands"),
        ("82 66", "not between thousands"),
        ("82,661.5,0", "not between thousands"),
        ("+-5", "not an amount"),
        ("++5", "not an amount"),
        # A footnote's mark after the figure: the note may qualify the amount (subject to
        # confirmation), so it is not dropped without a word; the fix says where it goes.
        ("£5,000*", 'reads "£5,000*", an amount with a footnote\'s mark (*)'),
        ("5,000**", "a footnote's mark (**)"),
        ("£5,000\u00b9", "a footnote's mark (\u00b9)"),
        ("£5,000 [1]", "a footnote's mark ([1])"),
        # A note's number or letter in brackets was 'not an amount' with no word of the note.
        ("£5,000 (1)", "a footnote's mark ((1)) after it; the note may qualify the figure"),
        ("5,000(a)", "type the amount alone, 5000"),
        ("£5,000 (ii)", "a footnote's mark ((ii))"),
        ("£5,000\u2020", "type the amount alone, 5000"),
        # A formula typed into a Text cell stays text: it was 'not an amount', no word of why.
        ("=1000+2000", '"=1000+2000", a formula kept as text'),
        ("=SUM(L4:L9)", "format the cell as General (Home > Number Format)"),
        # Another currency is never read as pounds.
        ("$5,000", '"$5,000", an amount in another currency ($)'),
        ("\u20ac5,000", "in another currency (\u20ac)"),
        ("5,000 EUR", "in another currency (EUR)"),
    ],
)
def test_money_that_is_not_an_amount_says_what_it_read_and_the_fix(
    raw: object, fragment: str
) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_money(raw)
    assert fragment in str(problem.value)
    assert any(
        word in str(problem.value) for word in ("enter", "type", "correct", "round", "check")
    )


def test_money_sums_stay_exact() -> None:
    budgets = [parse_money(v) for v in (260000.0, "£100,000", 82661, "18,351.00", 0.1, 0.2)]
    assert sum(budgets, Decimal(0)) == Decimal("461012.30")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal(1_009_000), "£1,009,000"),
        (Decimal("1151444.09"), "£1,151,444.09"),
        (Decimal("750.00"), "£750"),
        (Decimal(-3000), "-£3,000"),
    ],
)
def test_money_is_shown_with_pence_only_where_present(amount: Decimal, shown: str) -> None:
    assert format_money(amount) == shown


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2018, 10, 1), date(2018, 10, 1)),
        (date(2018, 10, 1), date(2018, 10, 1)),
        ("01/10/2018", date(2018, 10, 1)),  # day first: 1 October
        ("1/4/21", date(2021, 4, 1)),
        ("1 April 2021", date(2021, 4, 1)),
        ("1st April 2021", date(2021, 4, 1)),
        ("2nd Sept 2021", date(2021, 9, 2)),
        ("31-03-2022", date(2022, 3, 31)),
        ("2021-04-01", date(2021, 4, 1)),
        (" 1\u00a0April  2021 ", date(2021, 4, 1)),
        # Excel's display forms pasted as text, and a date exported with its midnight
        ("1-Apr-21", date(2021, 4, 1)),
        ("01-Apr-2021", date(2021, 4, 1)),
        ("1/Apr/2021", date(2021, 4, 1)),
        ("30-Sept-2022", date(2022, 9, 30)),
        ("01/04/2021 00:00:00", date(2021, 4, 1)),
        ("2021-04-01 00:00", date(2021, 4, 1)),
        # A long date as Word and Outlook write it, with its weekday; "of"; a system's ISO
        # midnight and a US export's "12:00:00 AM"; a month in Welsh. Each was E-VALUE.
        ("Friday, 28 May 2021", date(2021, 5, 28)),
        ("Fri 28 May 2021", date(2021, 5, 28)),
        ("28th of May 2021", date(2021, 5, 28)),
        ("2021-04-01T00:00:00", date(2021, 4, 1)),
        ("2021-04-01T00:00:00.000Z", date(2021, 4, 1)),
        ("01/04/2021 12:00:00 AM", date(2021, 4, 1)),
        ("1 Ebrill 2021", date(2021, 4, 1)),
        ("31 Mawrth 2022", date(2022, 3, 31)),
        # Midnight with one digit of hour, as Excel's d/m/yyyy h:mm writes it: it was E-VALUE
        # while "01/04/2021 00:00" was read.
        ("1/4/2021 0:00", date(2021, 4, 1)),
        # A date typed or pasted with its time of day is that day, as a cell holding the date
        # and time as an Excel date is read: each was E-VALUE "which is not a date".
        ("01/04/2021 09:30", date(2021, 4, 1)),
        ("01/04/2021 12:30", date(2021, 4, 1)),
        ("28/05/2021 14:15:07", date(2021, 5, 28)),
        ("01/04/2021 12:00:00 PM", date(2021, 4, 1)),
        ("28 May 2021 2:15 pm", date(2021, 5, 28)),
        ("28/05/2021 9.30am", date(2021, 5, 28)),
        ("2021-04-01T09:30:00+01:00", date(2021, 4, 1)),
        ("2021/04/01", date(2021, 4, 1)),  # year first, as systems export it: was E-VALUE
        # A two-digit year with its apostrophe ("'21"), as people write it: was E-VALUE.
        ("1st Apr '21", date(2021, 4, 1)),
        ("31-Mar-\u201922", date(2022, 3, 31)),
        ("1 April \u201921", date(2021, 4, 1)),
        # A Welsh ordinal ("1af", "31ain", "28ain" ...), as a Welsh form writes the day: was E-VALUE.
        ("1af Ebrill 2021", date(2021, 4, 1)),
        ("31ain Mawrth 2022", date(2022, 3, 31)),
        ("3ydd Mai 2021", date(2021, 5, 3)),
        ("12fed Mehefin 2021", date(2021, 6, 12)),
        # The end or start of a named month is its last or first day, as a start or as an
        # end: "End of March 2022" was E-VALUE "not a date".
        ("End of March 2022", date(2022, 3, 31)),
        ("end March 2022", date(2022, 3, 31)),
        ("End-Feb 2024", date(2024, 2, 29)),
        ("end of Mar '22", date(2022, 3, 31)),
        ("Start of April 2021", date(2021, 4, 1)),
        ("Beginning of April 2021", date(2021, 4, 1)),
    ],
)
def test_dates_are_read_day_first(raw: object, expected: date) -> None:
    assert parse_date(raw) == (expected, False)


@pytest.mark.parametrize(
    ("raw", "start", "end"),
    [
        ("April 2021", date(2021, 4, 1), date(2021, 4, 30)),
        ("March 2022", date(2022, 3, 1), date(2022, 3, 31)),
        ("Feb 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("Mar-22", date(2022, 3, 1), date(2022, 3, 31)),  # Excel's mmm-yy, as text
        ("April-2021", date(2021, 4, 1), date(2021, 4, 30)),
    ],
)
def test_a_month_is_its_first_day_as_a_start_and_its_last_as_an_end(
    raw: str, start: date, end: date
) -> None:
    assert parse_date(raw) == (start, True)
    assert parse_date(raw, end=True) == (end, True)


def test_a_months_end_is_its_last_day_however_the_column_reads_a_month() -> None:
    assert parse_date("End of March 2022", end=True) == (date(2022, 3, 31), False)
    assert parse_date("Start of April 2021", end=True) == (date(2021, 4, 1), False)
    assert parse_date("Apr '21") == (date(2021, 4, 1), True)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("31/02/2022", '"31/02/2022", which is not a date'),
        # A day the month lacks (the 31st of a 30-day month, 29 February outside a leap year):
        # 'dates are read day-first; type it as dd/mm/yyyy' did not say what was wrong.
        ("31/04/2021", "April 2021 has 30 days; type 30/04/2021 for its last day"),
        ("29/02/2023", "February 2023 has 28 days; type 28/02/2023"),
        ("31.09.21", "September 2021 has 30 days; type 30/09/2021"),
        ("32/01/2021", "dates are read day-first"),  # a slip of another kind: no guess
        ("2021-13-01", '"2021-13-01", which is not a date'),
        (
            "04/30/2022",
            "looks month-first (US style); dates are read day-first, so type 30/04/2022",
        ),
        ("TBC", "dd/mm/yyyy"),
        ("01/04/2021 25:00", "which is not a date"),  # not a time of day: nothing dropped
        ("01/04/2021 13 pm", "which is not a date"),
        ("01/04/2021 0930", "which is not a date"),
        # A weekday that is not the date's: one of the two is mistyped.
        ("Saturday 28 May 2021", "28/05/2021 is a Friday, not a Saturday"),
        ("Apr-Jun 2021", "which is not a date"),  # two months: no guess
        # Part of a month is no day: the fix names the day to type, not a guess at it.
        ("Mid April 2021", "names part of April 2021, not a day; type the day"),
        ("Late March 2022", "e.g. 01/03/2022 or 31/03/2022"),
        ("early April 2021", "names part of April 2021"),
        ("End of 2022", "which is not a date"),
        ("", "is blank"),
        (None, "is blank"),
        (44287, "reads the number 44287, not a date"),
        (True, "not a date"),
    ],
)
def test_unreadable_dates_are_never_guessed(raw: object, fragment: str) -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_date(raw)
    assert fragment in str(problem.value)


# -- Yes/No, choices, names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "31/03/2022 (1 x 12 months option to 31/03/2023)",
            (date(2022, 3, 31), False, "1 x 12 months option to 31/03/2023"),
        ),
        ("March 2022 (option to extend)", (date(2022, 3, 31), True, "option to extend")),
        ("30/09/2024", (date(2024, 9, 30), False, "")),
        (date(2024, 9, 30), (date(2024, 9, 30), False, "")),
    ],
)
def test_an_end_date_may_carry_its_extension_options_as_the_seed_prints_them(
    raw: object, expected: tuple[date, bool, str]
) -> None:
    assert parse_end_date(raw) == expected


def test_an_end_date_with_brackets_but_no_date_is_still_refused() -> None:
    with pytest.raises(ValueProblem, match="not a date"):
        parse_end_date("TBC (subject to funding)")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Yes", True), (" yes ", True), ("Y", True), ("No", False), ("NO", False), ("n", False)],
)
def test_yes_no(raw: str, expected: bool) -> None:
    assert parse_yes_no(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Yes - MoJ grant conditions", True), ("Yes (MoJ)", True), ("No: local money", False)],
)
def test_yes_no_with_a_note_after_it(raw: str, expected: bool) -> None:
    # Each was E-VALUE 'enter Yes or No' on a Funding sources sheet typed by another office.
    assert parse_yes_no(raw) is expected


@pytest.mark.parametrize("raw", ["Yesterday", "Not yet", "No idea whether"])
def test_yes_no_is_a_whole_word(raw: str) -> None:
    with pytest.raises(ValueProblem, match="enter Yes or No"):
        parse_yes_no(raw)


def test_yes_no_refuses_anything_else() -> None:
    with pytest.raises(ValueProblem, match='reads "Maybe"; enter Yes or No'):
        parse_yes_no("Maybe")


# Yes and No in Welsh, alone or beside the English, as a Welsh body's form answers: each was
# E-VALUE 'enter Yes or No'. "Na" is also English's N/A, so it is read only beside "No".
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ie", True),
        ("Oes", True),
        ("Ydy", True),
        ("Nac oes", False),
        ("Nac ydy", False),
        ("Naddo", False),
        ("Ie / Yes", True),
        ("Yes/Ie", True),
        ("Na / No", False),
        ("No / Na", False),
        ("Oes / Yes", True),
    ],
)
def test_yes_no_in_welsh(raw: str, expected: bool) -> None:
    assert parse_yes_no(raw) is expected


@pytest.mark.parametrize("raw", ["Na", "NA", "N/A", "Yes / No", "Y/N", "Ie / No", "Na / Yes"])
def test_yes_no_never_guesses_a_pair_that_disagrees_or_na_alone(raw: str) -> None:
    with pytest.raises(ValueProblem, match="enter Yes or No"):
        parse_yes_no(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "Voluntary & community",
        "voluntary and community",
        " VOLUNTARY  &  COMMUNITY ",
        "Voluntary\u00a0&\u00a0community",
    ],
)
def test_choices_tolerate_case_spaces_and_ampersands(raw: str) -> None:
    assert parse_choice(raw, contract.ORGANISATION_TYPES, "organisation type") == (
        "Voluntary & community"
    )


def test_an_unknown_choice_lists_the_known_ones() -> None:
    with pytest.raises(ValueProblem) as problem:
        parse_choice("SLA", contract.MECHANISMS, "mechanism")
    assert str(problem.value) == (
        'reads "SLA", which is not a known mechanism; use one of: '
        "Contract, Partnership agreement, Grant"
    )


@pytest.mark.parametrize(
    "raw",
    ["Victims Fund", "victims fund ", " VICTIMS\u00a0FUND", "Victims  Fund", "Victims\tFund\n"],
)
def test_names_match_whatever_the_case_and_spacing(raw: str) -> None:
    assert normalise(raw) == "victims fund"


def test_clean_text_keeps_clean_text_and_tidies_the_rest() -> None:
    assert clean_text("Rape Crisis") == "Rape Crisis"
    assert clean_text("  Rape\u00a0 Crisis ") == "Rape Crisis"
    assert clean_text(260000.0) == "260000"
    assert clean_text(None) == ""


# -- file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("015/2021", "015-2021"),
        ("2021/22", "2021-22"),
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\Windows\\System32", "windows-system32"),
        ("..", "untitled"),
        ("", "untitled"),
        ("CON", "ref-con"),
        ("lpt1", "ref-lpt1"),
        ("Café 015/2021", "cafe-015-2021"),
        ("x" * 300, "x" * 40),
    ],
)
def test_slugify_makes_safe_names(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    "text",
    [
        "../../etc",
        "/etc/passwd",
        "C:\\Windows",
        "~/.ssh",
        "\0",
        "..",
        "a/../../b",
        "%2e%2e%2f",
        "015/2021\n../x",
    ],
)
def test_slugify_never_leaves_the_output_folder(text: str, tmp_path: Path) -> None:
    out = tmp_path / "output"
    target = (out / slugify(text) / "RfD.docx").resolve()
    assert target.parent.parent == out.resolve()


@pytest.mark.parametrize(("number", "text"), [(0, "0 errors"), (1, "1 error"), (2, "2 errors")])
def test_counts_read_as_english(number: int, text: str) -> None:
    assert counted(number, "error") == text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Victims\u2019 Fund", "Victims' Fund"),  # Word's curly apostrophe
        ("Victims\u2018 Fund", "Victims' Fund"),
        ("Violence Reduction \u2013 VRU", "Violence Reduction - VRU"),  # en dash
        ("Violence Reduction \u2014 VRU", "Violence Reduction - VRU"),  # em dash
        ("Ring\u2011fenced", "Ring-fenced"),  # non-breaking hyphen
        ("\u201cSafer Streets\u201d Fund", '"Safer Streets" Fund'),
    ],
)
def test_names_match_whatever_apostrophe_dash_or_quote_was_typed(typed: str, kept: str) -> None:
    assert normalise(typed) == normalise(kept)


def test_a_blank_yes_no_says_it_is_blank() -> None:
    with pytest.raises(ValueProblem, match="is blank; enter Yes or No"):
        parse_yes_no(" ")


@pytest.mark.parametrize("raw", ["(500)", "(£1,250.50)", "\u2212500"])
def test_an_amount_in_brackets_or_with_a_minus_sign_is_a_negative_amount(raw: str) -> None:
    # Accounting brackets and the minus sign (U+2212) of a pasted figure mean negative; said
    # as such, not as "not an amount".
    with pytest.raises(ValueProblem, match="a negative amount"):
        parse_money(raw)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("Voluntary sector", "Voluntary & community"),
        ("Voluntary and Community Sector", "Voluntary & community"),
        ("Third sector", "Voluntary & community"),
        ("Public", "Public sector"),
        ("Statutory", "Public sector"),
        ("Local authority", "Public sector"),
        ("Private sector", "Private"),
        ("Community Interest Company", "Social enterprise"),
        # Each was an E-VALUE on a line whose type is plain (a charity, the NHS).
        ("Charity", "Voluntary & community"),
        ("Registered charity", "Voluntary & community"),
        ("VCSE", "Voluntary & community"),
        ("NHS", "Public sector"),
        ("Public body", "Public sector"),
        # With an office's qualification: each was E-VALUE 'not a known organisation type'.
        ("Public Sector (NHS)", "Public sector"),
        ("Public Sector – Local Authority", "Public sector"),
        ("Charity (registered)", "Voluntary & community"),
        ("Voluntary and Community Sector (VCS)", "Voluntary & community"),
        ("Voluntary / Community", "Voluntary & community"),
        ("Charity / VCSE", "Voluntary & community"),
        ("Voluntary, Community and Social Enterprise", "Voluntary & community"),
        ("Charitable Incorporated Organisation", "Voluntary & community"),
        ("Police", "Public sector"),
        ("Private company", "Private"),
        # Councils, health and justice bodies, and charities by their own names: each was
        # E-VALUE 'not a known organisation type'.
        ("County Council", "Public sector"),
        ("District council", "Public sector"),
        ("NHS Trust", "Public sector"),
        ("Integrated Care Board", "Public sector"),
        ("Youth Offending Team", "Public sector"),
        ("Probation Service", "Public sector"),
        ("Fire and Rescue Service", "Public sector"),
        ("Other public body", "Public sector"),
        ("VCSE organisation", "Voluntary & community"),
        ("Charitable trust", "Voluntary & community"),
        ("Private business", "Private"),
        # The force, the PCC's office, central government and Wales's public bodies, as a
        # line funding them names its type: each was E-VALUE.
        ("Police force", "Public sector"),
        ("OPCC", "Public sector"),
        ("Local Health Board", "Public sector"),
        ("Welsh Government", "Public sector"),
        ("Town Council", "Public sector"),
        ("Community council", "Public sector"),
        ("HMPPS", "Public sector"),
        ("Ministry of Justice", "Public sector"),
        ("Government department", "Public sector"),
        ("VCSE sector", "Voluntary & community"),
        # A company's form and a not-for-profit's: each was E-VALUE.
        ("Limited company", "Private"),
        ("Ltd", "Private"),
        ("PLC", "Private"),
        ("Sole trader", "Private"),
        ("Not for profit", "Voluntary & community"),
        ("Non-profit", "Voluntary & community"),
        # With a sentence's full stop after it: each was E-VALUE.
        ("Ltd.", "Private"),
        ("Charity.", "Voluntary & community"),
        ("Public sector.", "Public sector"),
        # A fire-and-police commissioner's fire authority, an NHS foundation trust, London's
        # and the metropolitan boroughs: each was E-VALUE.
        ("Fire and Rescue Authority", "Public sector"),
        ("Fire authority", "Public sector"),
        ("NHS Foundation Trust", "Public sector"),
        ("London borough", "Public sector"),
        ("Metropolitan borough council", "Public sector"),
        # The types in Welsh, as a Welsh body's bilingual drop-down lists them: each was
        # E-VALUE, and "Sector cyhoeddus / Public sector" with them.
        ("Sector cyhoeddus", "Public sector"),
        ("Sector cyhoeddus / Public sector", "Public sector"),
        ("Awdurdod lleol", "Public sector"),
        ("Bwrdd iechyd", "Public sector"),
        ("Sector gwirfoddol", "Voluntary & community"),
        ("Trydydd sector", "Voluntary & community"),
        ("Elusen", "Voluntary & community"),
        ("Sector preifat", "Private"),
        ("Menter gymdeithasol", "Social enterprise"),
        ("Cwmni buddiant cymunedol", "Social enterprise"),
    ],
)
def test_organisation_types_as_other_areas_word_them(raw: str, kind: str) -> None:
    found = parse_choice(
        raw, contract.ORGANISATION_TYPES, "organisation type", ORGANISATION_TYPE_WORDS
    )
    assert found == kind


@pytest.mark.parametrize(
    ("raw", "mechanism"),
    [
        ("Grant agreement", "Grant"),
        ("Grant funding", "Grant"),
        ("Partnership", "Partnership agreement"),
        ("Grant (annual)", "Grant"),
        ("Contract (via framework)", "Contract"),
        ("Contract - direct award", "Contract"),
        ("Grant: small grants scheme", "Grant"),
        ("Grant Funding Agreement", "Grant"),
        ("Small grant", "Grant"),
        ("Service contract", "Contract"),
        ("Call-off contract", "Contract"),
        ("Collaboration agreement", "Partnership agreement"),
        # How the award was made or is held, where that names one mechanism: each was
        # E-VALUE 'not a known mechanism'.
        ("Framework agreement", "Contract"),
        ("Spot purchase", "Contract"),
        ("Contract extension", "Contract"),
        ("DPS call-off", "Contract"),
        ("Core grant", "Grant"),
        ("Grant offer letter", "Grant"),
        ("Section 22A collaboration agreement", "Partnership agreement"),
        ("Pooled budget (s75)", "Partnership agreement"),
        # A grant's offer and a call-off by their own names, the Acts' agreements by their
        # sections alone: each was E-VALUE.
        ("Letter of offer", "Grant"),
        ("Award letter", "Grant"),
        ("Call-off", "Contract"),
        ("Grant.", "Grant"),
        ("Contract - direct award.", "Contract"),
        ("S75", "Partnership agreement"),
        ("Section 22A", "Partnership agreement"),
        # In Welsh ("Contract" and "Grant" are the same words): was E-VALUE.
        ("Cytundeb partneriaeth", "Partnership agreement"),
        ("Cytundeb partneriaeth / Partnership agreement", "Partnership agreement"),
    ],
)
def test_mechanisms_as_other_areas_word_them(raw: str, mechanism: str) -> None:
    found = parse_choice(raw, contract.MECHANISMS, "mechanism", MECHANISM_WORDS)
    assert found == mechanism


def test_a_blank_choice_says_it_is_blank() -> None:
    with pytest.raises(ValueProblem, match=r"^is blank; enter one of: Contract, Partnership"):
        parse_choice(" ", contract.MECHANISMS, "mechanism")


@pytest.mark.parametrize(
    ("raw", "choices", "words"),
    [
        ("Contract (grant funded)", contract.MECHANISMS, MECHANISM_WORDS),
        ("Private (CIC)", contract.ORGANISATION_TYPES, ORGANISATION_TYPE_WORDS),
        ("Charity / Private", contract.ORGANISATION_TYPES, ORGANISATION_TYPE_WORDS),
        # Words that name no one choice stay refused: a housing association or a university
        # may be a charity or a public body, a funding agreement a grant or a contract.
        ("Housing association", contract.ORGANISATION_TYPES, ORGANISATION_TYPE_WORDS),
        ("University", contract.ORGANISATION_TYPES, ORGANISATION_TYPE_WORDS),
        ("Funding agreement", contract.MECHANISMS, MECHANISM_WORDS),
    ],
)
def test_a_qualification_naming_another_choice_is_not_guessed(
    raw: str, choices: tuple[str, ...], words: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(ValueProblem, match=f'^reads "{re.escape(raw)}", which is not a known'):
        parse_choice(raw, choices, "choice", words)


# -- offices' shorthand (pipeline.shorthand) ----------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["£10,000 pa", "10,000 p.a.", "£10,000 per annum", "10000pa", "£10,000/yr", "10,000 PA"]
)
def test_a_years_amount_is_that_amount(raw: str) -> None:
    # Each was E-VALUE 'not an amount'; a fund's allocation and a source are a year's money.
    assert parse_money(raw) == Decimal("10000.00")


@pytest.mark.parametrize(
    ("raw", "fix"),
    [("10k", "10000 for 10k"), ("£1.009m", "1009000 for £1.009m"), ("£10k pa", "10000 for")],
)
def test_money_shorthand_names_the_figure_to_type(raw: str, fix: str) -> None:
    with pytest.raises(ValueProblem, match="a shorthand Excel does not add up") as problem:
        parse_money(raw)
    assert fix in str(problem.value)


def test_a_years_amount_on_part_of_the_year_is_not_guessed() -> None:
    year = financial_year("2021/22")
    whole, half = date(2021, 4, 1), date(2021, 10, 1)
    assert per_year_problem("£10,000 pa", whole, date(2023, 3, 31), year) == ""
    assert per_year_problem(10000, half, date(2022, 3, 31), year) == ""
    problem = per_year_problem("£10,000 pa", half, date(2022, 3, 31), year)
    assert "runs 01/10/2021 to 31/03/2022, not the whole financial year" in problem
    assert "type the amount it is budgeted in this financial year" in problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RF", True),
        ("R/F", True),
        ("Ring-fenced", True),
        ("ringfenced", True),
        ("\u2713", True),
        ("\u2714", True),
        ("Not RF", False),
        ("Non-ring-fenced", False),
        ("\u2717", False),
        ("Yes (MoJ)", True),
        ("No", False),
    ],
)
def test_ring_fenced_as_offices_mark_it(raw: str, expected: bool) -> None:
    assert parse_ring_fenced(raw) is expected


@pytest.mark.parametrize("raw", ["x", "X", "RFF", "Partly"])
def test_a_mark_that_does_not_say_yes_or_no_is_refused(raw: str) -> None:
    with pytest.raises(ValueProblem, match=f'reads "{raw}".*enter Yes or No'):
        parse_ring_fenced(raw)


@pytest.mark.parametrize(
    ("raw", "fix"),
    [
        ("Ongoing", "the date its current agreement or funding ends"),
        ("Rolling", "Renewed annually"),
        ("open-ended", "31/03/2022"),
        ("Until further notice", "Extension options"),
        ("TBC", "the date it is expected to end"),
    ],
)
def test_an_end_date_that_is_no_date_says_which_date_to_type(raw: str, fix: str) -> None:
    with pytest.raises(ValueProblem, match=f'reads "{raw}", not a date') as problem:
        parse_line_end(raw)
    assert fix in str(problem.value)


def test_a_start_date_typed_existing_says_which_date_to_type() -> None:
    with pytest.raises(ValueProblem, match="the date the line's current agreement started"):
        parse_line_start("Existing")
    assert parse_line_start("01/10/2018") == (date(2018, 10, 1), False)
    assert parse_line_end("31/03/2022") == (date(2022, 3, 31), False, "")


def test_a_checklist_of_ticks_reads_a_blank_as_not_ticked() -> None:
    checklist = ring_fenced_reader(["Ring-fenced", "\u2713", None, ""])
    assert (checklist("\u2713"), checklist(""), checklist(None), checklist("RF")) == (
        True,
        False,
        False,
        True,
    )
    # Without a tick in the column, a blank is still asked about: it may be a forgotten Yes.
    with pytest.raises(ValueProblem, match="is blank; enter Yes or No"):
        ring_fenced_reader(["Ring-fenced", "Yes", None])(None)


@pytest.mark.parametrize("raw", ["GBP 10,000", "10,000 GBP", "gbp10000"])
def test_pounds_named_by_their_code_are_pounds(raw: str) -> None:
    assert parse_amount(raw) == Decimal("10000.00")


@pytest.mark.parametrize(
    ("raw", "fix"),
    [
        ("£10,000 + VAT", "with any VAT the office cannot reclaim"),
        ("£10,000 (inc VAT)", "carries VAT words"),
        ("c. £10,000", "the amount the decision approves"),
        ("up to £10,000", "for a ceiling, the most it may cost"),
        ("£10,000 (TBC)", "an estimate or a ceiling"),
        ("£10,000 (2 years)", "type this financial year's amount"),
        ("£5,000 x 2", "covers more than this financial year"),
    ],
)
def test_an_amount_typed_with_words_says_what_to_type(raw: str, fix: str) -> None:
    # Each was 'not an amount; enter the amount in pounds as a number', which said nothing
    # of the VAT, the estimate or the years the officer must resolve first.
    with pytest.raises(ValueProblem, match=f'^reads "{re.escape(raw)}", which') as problem:
        parse_amount(raw)
    assert fix in str(problem.value)


def test_a_line_date_with_a_full_stop_or_spaced_slashes_is_read() -> None:
    assert parse_line_end("31/03/2022.") == (date(2022, 3, 31), False, "")
    assert parse_line_start("01 / 04 / 2021") == (date(2021, 4, 1), False)


@pytest.mark.parametrize("raw", ["£ -", " £   -   ", "-", "\u2013", "Nil", "nil.", "£nil", "None"])
def test_a_nothing_typed_as_a_dash_or_nil_says_to_type_0(raw: str) -> None:
    # Excel's Accounting format shows nothing as "£ -", and copied as text it is no number;
    # "Nil" is a finance table's word. Each was 'not an amount; enter the amount in pounds
    # as a number, e.g. 82661', which did not say that 0 is what the plan wants for nothing.
    with pytest.raises(ValueProblem, match="a mark for nothing") as problem:
        parse_amount(raw)
    assert "type 0 if there is no money here this year" in str(problem.value)
    assert parse_amount(0) == Decimal("0.00")


def test_check_boxes_as_word_and_an_emoji_picker_write_them() -> None:
    # Word's check box is ☐ or ☒ (ticked): ☒ was read as No, so a deferred publication or a
    # ring-fenced grant ticked on a form was read as not. Alone it is refused, as 'x' is.
    with pytest.raises(ValueProblem, match="marks a box but does not say Yes or No"):
        parse_yes_no("\u2612")
    boxes = ring_fenced_reader(["Ring-fenced", "\u2612", "\u2610"])
    assert (boxes("\u2612"), boxes("\u2610"), boxes("")) == (True, False, False)
    # Beside ticks, ☒ is the cross.
    assert ring_fenced_reader(["\u2713", "\u2612"])("\u2612") is False
    # A tick from an emoji picker carries an invisible variation selector (U+FE0F).
    assert parse_yes_no("\u2714\ufe0f") is True
    ticks = ring_fenced_reader(["Ring-fenced", "\u2714\ufe0f", ""])
    assert (ticks("\u2714\ufe0f"), ticks("")) == (True, False)


@pytest.mark.parametrize("typed", ["2021/22", "2021-22", "FY 2021/22", "2021-2022", "21/22"])
def test_a_line_dated_with_its_financial_year_runs_from_its_first_day_to_its_last(
    typed: str,
) -> None:
    # A grants plan's "Period: 2021/22" in the Start and End date columns was E-VALUE 'not a
    # date' on every line; it is the year's first and last days, as "April 2021" is a month's.
    assert parse_line_start(typed) == (date(2021, 4, 1), False)
    assert parse_line_end(typed) == (date(2022, 3, 31), False, "")


@pytest.mark.parametrize(
    ("parse", "typed", "fix"),
    [
        (parse_line_end, "Year end", "type the financial year's last day as dd/mm/yyyy"),
        (parse_line_end, "End of financial year", "e.g. 31/03/2022"),
        (parse_line_start, "Start of year", "type the financial year's first day"),
        (parse_line_start, "2021", "dates are read day-first"),  # a calendar year: no guess
    ],
)
def test_a_line_date_typed_as_the_years_end_says_which_day(
    parse: Callable[[object], object], typed: str, fix: str
) -> None:
    with pytest.raises(ValueProblem, match=re.escape(fix)):
        parse(typed)


@pytest.mark.parametrize(
    "typed", ["31/03/2022 (TBC)", "31/03/2022 (to be confirmed)", "31 March 2022 (provisional)"]
)
def test_an_end_date_marked_to_be_confirmed_offers_no_extension(typed: str) -> None:
    # The date it is expected to end, as "TBC" alone is told to type; the bracket was read as
    # an extension option, and the review note said 'extension option: TBC. Decide by ...'.
    assert parse_line_end(typed) == (date(2022, 3, 31), False, "")
    assert parse_line_end("31/03/2022 (1 x 12 months)") == (
        date(2022, 3, 31),
        False,
        "1 x 12 months",
    )


@pytest.mark.parametrize(
    "typed", ["31/03/2022 (end)", "31/03/2022 (contract end)", "31/03/2022 (subject to review)"]
)
def test_an_end_date_with_a_word_marking_it_offers_no_extension(typed: str) -> None:
    # "(end)" after the date names the date; it was read as an extension option, and the
    # review note said 'extension option: end. Decide by 31/03/2022 ...'.
    assert parse_line_end(typed) == (date(2022, 3, 31), False, "")
    assert parse_line_end("31/03/2022 (option to extend)")[2] == "option to extend"
    assert parse_line_end("31/03/2022 (renewable annually)")[2] == "renewable annually"


@pytest.mark.parametrize(
    ("parse", "typed", "fix"),
    [
        (parse_line_end, "31/03/2022 - extended to 31/03/2023", "type the date alone, 31/03/2022"),
        (parse_line_end, "until 31/03/2022", 'a date with words beside it ("until")'),
        (parse_line_end, "31/03/2022 + 1 year", "and the extension in the Extension options"),
        (parse_line_start, "from 1 April 2021", "type the date alone, 1 April 2021"),
        (parse_line_start, "01/04/2021 (TBC)", 'words beside it ("(TBC)")'),
        (parse_line_start, "01/04/2021 onwards", "type the date alone, 01/04/2021"),
    ],
)
def test_a_line_date_with_words_beside_it_says_to_type_the_date_alone(
    parse: Callable[[object], object], typed: str, fix: str
) -> None:
    # Each was 'not a date: dates are read day-first; type it as dd/mm/yyyy', though the date
    # was there and day-first: the words beside it were what stopped it.
    with pytest.raises(ValueProblem, match=re.escape(fix)):
        parse(typed)


@pytest.mark.parametrize(
    "typed", ["31/03/2022 (extended)", "31/03/2022 (Renewed)", "31/03/2022 (already extended)"]
)
def test_an_end_date_said_to_be_extended_already_offers_no_extension(typed: str) -> None:
    # The date is the extended one: it was read as an extension option of the word, and the
    # review note said 'extension option: extended. Decide by 31/03/2022 ...'.
    assert parse_line_end(typed) == (date(2022, 3, 31), False, "")
    assert parse_line_end("31/03/2022 (can be extended)")[2] == "can be extended"
    assert parse_line_end("31/03/2022 (extendable by 12 months)")[2] == "extendable by 12 months"
