"""Reading the values finance staff type into cells, and showing them back.

Every parser takes the raw cell value (as the workbook reader returns it) and returns a typed
value or raises :class:`ValueProblem` whose message says what was seen and how to fix it. Money
never passes through a float sum: a float cell becomes ``Decimal(repr(value))`` once, here.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pipeline.month_names import MONTHS, WEEKDAY_NUMBERS, WEEKDAYS, month_named
from pipeline.typed_marks import (
    TIME_OF_DAY,
    date_number_problem,
    footnote_mark,
    month_part,
    other_currency,
    unsigned,
    without_apostrophe_year,
)

PENNY = Decimal("0.01")
_MONEY_LIMIT = Decimal(10) ** 12  # beyond any budget; also keeps Decimal arithmetic exact
_EXCEL_ERRORS = frozenset(
    (
        "#REF!",
        "#DIV/0!",
        "#VALUE!",
        "#NAME?",
        "#N/A",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    )
)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_LINE_SPACES = re.compile(r"[^\S\n]+")  # any space but a line break
# Characters no XML document may hold (a literal U+FFFE in a shared string breaks the Word
# report), and the C0 controls other than tab and line breaks.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Invisible characters that make two names look alike but compare different: zero-width
# space and joiners, word joiner, BOM, soft hyphen, an emoji's variation selector ("✔️").
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufe0e\ufe0f\ufeff]")
# Typographic apostrophes, dashes and quotes (Word and Outlook put them in as text is typed or
# pasted) read as their plain forms in names and headers: "Victims’ Fund" is "Victims' Fund".
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u2032\u00b4\u0060", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    }
)
_BRACKETED = re.compile(r"^\((.*)\)$")
_MONEY_JUNK = re.compile(r"[£,\s\u00a0]")
_GBP = re.compile(r"^\s*gbp\s*|\s*gbp\s*$", re.IGNORECASE)  # "GBP 10,000", "10,000 GBP"
# Separators between digits must group thousands: "82,66" is a decimal comma or a typo, not
# £8,266.
_SEPARATED = re.compile(r"\d[,\s]+\d")
_THOUSANDS = re.compile(r"-?\s*\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?")
# "82k", "£1.009m", "1,009k": an amount in thousands or millions, as a note would write it.
_SHORTHAND = re.compile(r"£?\s*(\d[\d,]*(?:\.\d+)?)\s*([kKmM])")
# An amount a year, as a grant letter writes it: "£10,000 pa", "10,000 p.a.", "£10,000 per
# annum", "£10,000 a year", "£10,000/yr".
PER_YEAR = re.compile(
    r"(?<=[\dkm])\s*(?:p\.?\s?a\.?|per\s+(?:annum|year)|a\s+year|/\s*(?:yr|year|annum))\s*$",
    re.IGNORECASE,
)
# English ordinals, and Welsh ones ("1af", "2il", "3ydd", "5ed", "7fed", "11eg", "21ain").
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th|af|il|ydd|ed|fed|eg|ain)\b", re.IGNORECASE)


class ValueProblem(ValueError):
    """A cell value that cannot be read; the message names the value and the fix."""


def clean_text(raw: object) -> str:
    """Text of a cell with non-breaking and repeated spaces collapsed and the ends trimmed."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        # Most cells are already clean: skip the regular expression for them. Non-breaking
        # and other special spaces, tabs and newlines are not "printable", so they go through.
        if raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
            return raw
        raw = _NOT_XML.sub("", raw)
    elif isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    elif isinstance(raw, date):
        # A date cell where text is read (extension options, a note) shows as the report
        # shows dates, day-first; str() gave "2023-03-31" in the Request for Decision.
        return _shown_date(raw)
    return _SPACES.sub(" ", str(raw)).strip()


def _shown_date(value: date) -> str:
    shown = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, datetime) and value.time() != time():
        shown += f" {value.hour:02d}:{value.minute:02d}"
    return shown


def clean_paragraphs(raw: object) -> str:
    """Narrative text with its line breaks kept (Alt+Enter in Excel): each line cleaned as
    :func:`clean_text` cleans a cell, blank lines between paragraphs kept once."""
    if not isinstance(raw, str) or ("\n" not in raw and "\r" not in raw):
        return clean_text(raw)
    lines = [
        _LINE_SPACES.sub(" ", line).strip()
        for line in _NOT_XML.sub("", raw.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    ]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def normalise(raw: object) -> str:
    """Key for case-insensitive matching of names and headers: Unicode-normalised (NFKC, so a
    name typed with decomposed accents matches), curly apostrophes and quotes and long dashes
    read as plain ones, invisible characters dropped, case folded."""
    text = clean_text(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
        text = clean_text(_INVISIBLE.sub("", text))
    return text.casefold()


def show_invisible(text: str) -> str:
    """``text`` with characters a reader cannot see (or tell apart) written as ``<U+200B>``,
    so a message can show why two names that look the same do not match."""
    return "".join(
        f"<U+{ord(ch):04X}>"
        if _INVISIBLE.match(ch) or (not ch.isascii() and unicodedata.combining(ch))
        else ch
        for ch in text
    )


def excel_error(raw: object) -> str | None:
    """The Excel error a cell shows as text (``#N/A`` typed or pasted as a value), or None."""
    if isinstance(raw, str):
        text = raw.strip()
        if text in _EXCEL_ERRORS:
            return text
    return None


def is_blank(raw: object) -> bool:
    return clean_text(raw) == ""


def parse_money(raw: object) -> Decimal:
    """An amount in pounds: a number, or text such as ``£82,661``, ``82,661.00``, `` £ 750 ``,
    ``GBP 750``, ``+750``."""
    if isinstance(raw, bool):
        raise ValueProblem(f"reads {raw!r}, not an amount; enter the amount in pounds, e.g. 82661")
    if isinstance(raw, int):
        amount = Decimal(raw)
    elif isinstance(raw, float):
        # repr gives the shortest text that round-trips, i.e. what Excel shows for a typed number.
        amount = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        amount = raw
    else:
        amount = _text_money(clean_text(raw))
    return _in_pence(amount, raw)


def _in_pence(amount: Decimal, raw: object) -> Decimal:
    """``amount`` (read from ``raw``) to the penny, or why it is no budget's amount."""
    if not amount.is_finite():
        raise ValueProblem(f'reads "{raw}", which is not an amount; enter a number, e.g. 82661')
    if abs(amount) >= _MONEY_LIMIT:
        raise ValueProblem(
            f'reads "{clean_text(raw)}", more than £1 trillion, which no budget is; check the '
            "cell (a date or a reference pasted as a number?) and enter the amount in pounds"
        )
    if isinstance(raw, float):
        rounded = amount.quantize(PENNY, rounding=ROUND_HALF_UP)
        if abs(amount - rounded) < Decimal("0.000001"):
            amount = rounded  # binary noise from a calculated cell, e.g. 0.30000000000000004
    if amount == 0:
        amount = abs(amount)  # -0 typed or calculated is nothing, not a negative
    if amount < 0:
        raise ValueProblem(
            f"reads {format_money(amount)}, a negative amount; enter it as a positive number "
            "(record savings or clawbacks outside the plan)"
        )
    if amount != amount.quantize(PENNY):
        # Only typed text can hold a point between thousands: a number cell's 12.345 is a
        # number (calculated, or typed with three decimals), never £12,345.
        if isinstance(raw, str) and re.fullmatch(r"£?\s*\d{1,3}\.\d{3}", clean_text(raw)):
            raise ValueProblem(
                f'reads "{clean_text(raw)}": a point between thousands (as in 82.661 for '
                "£82,661) is read as a decimal point; type the amount as 82661 or 82,661"
            )
        raise ValueProblem(
            f'reads "{raw}", which has fractions of a penny; round it to pounds and pence'
        )
    return amount.quantize(PENNY)


def _text_money(text: str) -> Decimal:
    """The amount typed as ``text``, or a :class:`ValueProblem` naming what stops it."""
    if not text:
        raise ValueProblem("is blank; enter the amount in pounds, e.g. 82661")
    # A pasted figure's minus sign (U+2212), and accounting brackets: both mean negative.
    # "£10,000 pa": a year's amount is what the plan's year holds (a line that runs only
    # part of the year is refused where its dates are known: shorthand.per_year). "GBP" is
    # the pound's code; a plus sign only says the figure is positive.
    figure = unsigned(_GBP.sub("", PER_YEAR.sub("", text)))
    signed = _BRACKETED.sub(r"-\1", figure.replace("\u2212", "-"))
    digits = _MONEY_JUNK.sub("", signed)
    if not re.fullmatch(r"-?\d+(\.\d+)?", digits):
        raise ValueProblem(_not_an_amount(text))
    body = signed.replace("£", "").strip()
    if _SEPARATED.search(body) and not _THOUSANDS.fullmatch(body):
        raise ValueProblem(
            f'reads "{text}", whose commas or spaces are not between thousands; type the '
            "amount as e.g. 82,661 or 82661, with any pence after a point (82.66)"
        )
    return Decimal(digits)


def _not_an_amount(text: str) -> str:
    """Why ``text`` is not an amount, with the fix."""
    if text in _EXCEL_ERRORS:
        return (
            f"shows the Excel error {text}; correct the formula that makes it and save the workbook"
        )
    if text.startswith("=") and len(text) > 1:
        return (
            f'reads "{text}", a formula kept as text (typed into a cell formatted as Text, '
            "Excel never calculates it); format the cell as General (Home > Number Format) "
            "and type the formula again, or type the amount as a number"
        )
    shorthand = _SHORTHAND.fullmatch(PER_YEAR.sub("", text))
    if shorthand:
        return (
            f'reads "{text}", a shorthand Excel does not add up; type the amount in full, '
            f"{_in_full(shorthand)} for {text}"
        )
    marked = footnote_mark(text)
    if marked and re.fullmatch(r"£?\s*[\d,]+(\.\d\d)?", marked[1].strip()):
        figure = _MONEY_JUNK.sub("", marked[1])
        return (
            f'reads "{text}", an amount with a footnote\'s mark ({marked[0]}) after it; the note '
            f"may qualify the figure, so type the amount alone, {figure}, and put what the note "
            "says beside it in the workbook"
        )
    currency = other_currency(text)
    if currency:
        return (
            f'reads "{text}", an amount in another currency ({currency}); the plan is in '
            "pounds: type the amount in pounds sterling as a number, e.g. 82661"
        )
    return (
        f'reads "{text}", which is not an amount; enter the amount in pounds as a number, '
        "e.g. 82661 or 82,661.50"
    )


def _in_full(shorthand: re.Match[str]) -> str:
    """``82000`` for the match of "82k", ``1009000`` for "1.009m": the figure to type."""
    number = Decimal(shorthand[1].replace(",", ""))
    full = number * (1000 if shorthand[2] in "kK" else 1_000_000)
    return f"{full.normalize():f}"


def format_money(amount: Decimal) -> str:
    """``£1,009,000``; pence only where present: ``£1,151,444.09``; negatives ``-£3,000``."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{int(amount):,}"
    return f"{sign}£{amount.quantize(PENNY):,.2f}"


def format_millions(amount: Decimal) -> str:
    """``£0.884m`` as the seed writes a grant allocation (three decimals, trailing zeros kept)."""
    return f"£{(amount / Decimal(1_000_000)).quantize(Decimal('0.001'), ROUND_HALF_UP)}m"


def percent_text(value: Decimal | None) -> str:
    """An exact percentage shown to one decimal place, ``79.8%``; ``–`` when there is none.
    The one place a percentage is rounded, and only for display."""
    if value is None:
        return "–"
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def format_percent(part: Decimal, whole: Decimal) -> str:
    """``part`` as a percentage of ``whole`` for display: ``79.8%``; ``–`` when whole is 0."""
    return percent_text(part * 100 / whole if whole else None)


# A weekday before the date, as Word and Outlook write a long date: "Friday, 28 May 2021".
_WEEKDAY_FIRST = re.compile(r"([^\W\d_]+)\.?\s+(?=\d)")
_OF_MONTH = re.compile(r"(?<=\d) of (?=[^\W\d_])", re.IGNORECASE)  # "28th of May 2021"
_DAY_FIRST_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%Y/%m/%d",  # a system's export; a four-digit year first is never a day
)
_MONTH_FORMATS = ("%m/%Y",)
# After a month name is replaced by its number: "1 April 2021" -> "1 4 2021".
_NAMED_DAY_FORMATS = ("%d %m %Y", "%d %m %y")
_NAMED_MONTH_FORMATS = ("%m %Y", "%m %y")


@functools.lru_cache(maxsize=4096)
def _text_date(tidy: str, end: bool) -> tuple[date, bool] | None:
    """``tidy`` read day-first, then as a month; None when no format fits. Kept per text:
    a plan types the same few dates on many lines, and each failed strptime is an exception."""
    named = month_named(tidy)
    day_formats = _NAMED_DAY_FORMATS if named else _DAY_FIRST_FORMATS
    month_formats = _NAMED_MONTH_FORMATS if named else _MONTH_FORMATS
    tidy_numbers = named or tidy
    for fmt in day_formats:
        try:
            return datetime.strptime(tidy_numbers, fmt).date(), False
        except ValueError:
            continue
    for fmt in month_formats:
        try:
            first = datetime.strptime(tidy_numbers, fmt).date()
        except ValueError:
            continue
        if end:
            last_day = calendar.monthrange(first.year, first.month)[1]
            return first.replace(day=last_day), True
        return first, True
    return None


def _month_end(tidy: str, text: str) -> tuple[date, bool] | None:
    """ "End of March 2022" as the month's last day, "Start of April 2021" as its first,
    wherever the date stands; a part of a month that is no day ("Mid April") is refused."""
    part = month_part(tidy)
    month = _text_date(part[1], part[0] == "end") if part else None
    if part is None or month is None or not month[1]:
        return None
    if part[0] is None:
        first = month[0].replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        raise ValueProblem(
            f'reads "{text}", which names part of {format_date(first, True)}, not a day; '
            f"type the day as dd/mm/yyyy, e.g. {format_date(first)} or {format_date(last)}"
        )
    return month[0], False


def parse_date(raw: object, *, end: bool = False) -> tuple[date, bool]:
    """A date, day-first; returns ``(date, month_only)``.

    A month alone (``April 2021``) is the first day of the month, or the last when ``end``.
    """
    if isinstance(raw, datetime):
        return raw.date(), False
    if isinstance(raw, date):
        return raw, False
    if isinstance(raw, (time, timedelta)):
        # A date-formatted cell holding 0, a negative number or a fraction of a day: Excel
        # shows it as 00/01/1900 or ########, calamine as a time of day.
        raise ValueProblem(
            "holds 0, a negative number or a time of day, not a date (Excel shows it as "
            "00/01/1900 or ########); type the date as dd/mm/yyyy, e.g. 01/04/2021"
        )
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise ValueProblem(date_number_problem(raw))
    text = clean_text(raw)
    if not text:
        raise ValueProblem("is blank; enter a date as dd/mm/yyyy, e.g. 01/04/2021")
    tidy = _ORDINAL.sub("", text).replace(",", " ")
    tidy = _OF_MONTH.sub(" ", TIME_OF_DAY.sub("", _SPACES.sub(" ", tidy).strip()))
    tidy = without_apostrophe_year(tidy)  # "1st Apr '21"
    weekday = _WEEKDAY_FIRST.match(tidy)
    said = WEEKDAY_NUMBERS.get(weekday.group(1).lower()) if weekday else None
    if weekday and said is not None:
        tidy = tidy[weekday.end() :]
    parsed = _text_date(tidy, end) or _month_end(tidy, text)
    if parsed is not None and said is not None and parsed[0].weekday() != said:
        day = WEEKDAYS[parsed[0].weekday()]
        raise ValueProblem(
            f'reads "{text}", but {format_date(parsed[0])} is a {day}, not a '
            f"{WEEKDAYS[said]}; correct the day or the date"
        )
    if parsed is not None:
        return parsed
    hint = (
        "dates are read day-first; type it as dd/mm/yyyy, e.g. 01/04/2021, or as a month, "
        "e.g. April 2021"
    )
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", tidy)
    if us and int(us.group(2)) > 12 >= int(us.group(1)):
        hint = (
            f"it looks month-first (US style); dates are read day-first, so type "
            f"{us.group(2)}/{us.group(1)}/{us.group(3)}"
        )
    raise ValueProblem(f'reads "{text}", which is not a date: {_no_such_day(tidy) or hint}')


def _no_such_day(tidy: str) -> str:
    """For a day the month does not have ("31/04/2021", "29/02/2023"): the month's days and
    its last day to type; "" for anything else."""
    typed = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", tidy)
    if typed is None or not 1 <= int(typed[2]) <= 12 or not 29 <= int(typed[1]) <= 31:
        return ""
    year = int(typed[3]) + (2000 if len(typed[3]) == 2 else 0)
    days = calendar.monthrange(year, int(typed[2]))[1]
    if int(typed[1]) <= days:
        return ""
    last = date(year, int(typed[2]), days)
    return f"{format_date(last, True)} has {days} days; type {format_date(last)} for its last day"


_END_WITH_OPTIONS = re.compile(r"(?P<date>[^()]+?)\s*\((?P<options>[^()]+)\)")


def parse_end_date(raw: object) -> tuple[date, bool, str]:
    """An end date, also as the seed prints it with its extension options in brackets:
    ``31/03/2022 (1 x 12 months option to 31/03/2023)`` -> (date, month_only, options)."""
    if isinstance(raw, str):
        match = _END_WITH_OPTIONS.fullmatch(clean_text(raw))
        if match:
            end, month_only = parse_date(match["date"], end=True)
            return end, month_only, match["options"].strip()
    end, month_only = parse_date(raw, end=True)
    return end, month_only, ""


def format_date(value: date, month_only: bool = False) -> str:
    """``01/04/2021``, or ``April 2021`` for a date typed as a month."""
    if month_only:
        return f"{MONTHS[value.month - 1]} {value.year}"
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_long_date(value: date) -> str:
    """``28 May 2021`` as the decision form writes it."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def parse_reference(raw: object, example: str) -> str:
    """A reference such as ``015/2021`` (a decision's, a grant's), as text.

    Excel turns a reference typed as ``4/2021`` or ``001/2022`` into a date (April 2021,
    January 2022) as it is typed, and what was typed is lost: the report would be filed
    under the date. Such a cell is refused with the way to keep the reference as typed.
    """
    if isinstance(raw, date):
        raise ValueProblem(
            f"holds the date {_shown_date(raw)}, not a reference: Excel turns a reference "
            'such as "4/2021" into a date as it is typed. Format the cell as Text (Home > '
            f"Number Format > Text) and type the reference again, e.g. {example}"
        )
    return clean_text(raw)


_WINDOWS_DEVICES = frozenset(
    ("con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)))
)


def slugify(text: str) -> str:
    """A safe file or folder name: ``015/2021`` -> ``015-2021``; never ``..`` or a separator.

    Only ASCII letters, digits and single hyphens survive (accents are dropped from their
    letters), at most 40 characters (so the deepest output path, under a long OneDrive folder,
    stays inside Windows' 260-character limit); Windows device names such as ``CON`` get a prefix, since
    the shared folder may be on a Windows server.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    slug = slug[:40].rstrip("-")
    if slug in _WINDOWS_DEVICES:
        slug = f"ref-{slug}"
    return slug or "untitled"


def counted(number: int, noun: str) -> str:
    """``1 error``, ``0 errors``, ``2 warnings``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
