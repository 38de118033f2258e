"""The names of the months and the days of the week, in English and in Welsh, as dates are
typed with them ("1 April 2021", "1 Ebrill 2021", "Friday, 28 May 2021"), and a month's name
in a typed date turned into its number for :mod:`pipeline.values` to read.
"""

from __future__ import annotations

import re

# Month names from a fixed English table: strptime's %B and calendar.month_name follow the
# process locale, so a Welsh or French desktop would read and write other words.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The months in Welsh, as a Welsh office may type a date ("1 Ebrill 2021").
_WELSH_MONTHS = (  # noqa: SIM905 - twelve names, one line
    "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr"
).split()
MONTH_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(_WELSH_MONTHS, 1)},
    **{name.lower(): number for number, name in enumerate(MONTHS, 1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTHS, 1)},
    "sept": 9,  # common in typed dates
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(WEEKDAYS)},
    **{name[:3].lower(): number for number, name in enumerate(WEEKDAYS)},
    **{"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
}
_WORD = re.compile(r"[^\W\d_]+")


def month_named(text: str) -> str | None:
    """``text`` with its one English month name as a number, or None if it names none."""
    words = _WORD.findall(text)
    if len(words) != 1 or words[0].lower() not in MONTH_NUMBERS:
        return None
    # "01-Apr-21", "1/Apr/2021": with the month named, the separators say nothing more.
    parts = re.split(r"[\s/.-]+", _WORD.sub(str(MONTH_NUMBERS[words[0].lower()]), text))
    if len(parts) == 3 and _WORD.match(text):
        # "April 6, 2021": the month named first is still the month (read day-first as the
        # 4th of June before).
        parts[0], parts[1] = parts[1], parts[0]
    return " ".join(parts)
