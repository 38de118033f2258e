"""The Financial year as offices type it: "2021/22", "21/22", "FY 2021-22", "April 2021 - March
2022", and a multi-year decision's years, which are no one year."""

from __future__ import annotations

import re

from pipeline.values import ValueProblem, parse_date

# The words a Financial year cell may carry around the year: "Financial year 2021-22",
# "2021/22 financial year", "Year 2021/22", "2021/22 (FY)", in Welsh "Blwyddyn ariannol
# 2021/22", and a sentence's full stop after it.
_YEAR_WORDS = re.compile(
    r"^\s*(?:(?:financial\s+)?year|blwyddyn(?:\s+ariannol)?)\s*:?"
    r"|(?:financial\s+year|blwyddyn\s+ariannol|\(fy\))?\s*\.?\s*$",
    re.I,
)
# The year typed as its first and last days or months: "April 2021 - March 2022",
# "1 April 2021 to 31 March 2022", "01/04/2021 – 31/03/2022".
_YEAR_SPAN = re.compile(r"(.+?)\s+(?:[-\u2013\u2014]|to)\s+(.+)", re.IGNORECASE)


def financial_year_bounds(year: str) -> tuple[int, int] | None:
    """``2021/22`` (or ``2021-22``, ``2021/2022``, ``21/22``, ``FY 2021/22``, ``2021 to 2022``,
    ``Financial year 2021-22``, ``April 2021 - March 2022``, and ``2021-2`` as Essex's
    decisions write "2023-4") -> (2021, 2022); None if unreadable."""
    year = _YEAR_WORDS.sub("", year)
    match = re.fullmatch(
        r"\s*(?:f\.?\s?y\.?\s*)?(\d{4}|\d{2})\s*(?:[/–-]|\s+to\s+)\s*(\d{4}|\d{1,2})\s*",
        year,
        re.IGNORECASE,
    )
    if not match:
        return _year_span(year)
    start_text, end_text = match.groups()
    start = int(start_text) + (2000 if len(start_text) == 2 else 0)
    if len(end_text) == 4:
        end = int(end_text)
    elif len(end_text) == 2:
        end = (start // 100) * 100 + int(end_text)
        if end < start:
            end += 100  # 2099/00: the century turns
    else:  # one digit, the next year's last ("2023-4"); "21/2" is no year
        end = start + 1 if len(start_text) == 4 and (start + 1) % 10 == int(end_text) else 0
    if end != start + 1:
        return None
    return start, end


def _year_span(text: str) -> tuple[int, int] | None:
    """(2021, 2022) for a year typed from 1 April 2021 (or April 2021) to 31 March 2022 (or
    March 2022); None for any other span, which is no financial year."""
    span = _YEAR_SPAN.fullmatch(text.strip())
    if span is None:
        return None
    try:
        first, _ = parse_date(span[1])
        last, _ = parse_date(span[2], end=True)
    except ValueProblem:
        return None
    if (first.month, first.day, last.month, last.day) != (4, 1, 3, 31):
        return None
    return (first.year, last.year) if last.year == first.year + 1 else None


# The years a multi-year decision's Financial year names: "2021/22 to 2023/24", "2021-2024",
# "2021/24", "2021/22 (3 years)".
_FULL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*[/-]\s*(\d{2})(?!\d))?")
_YEARS_COUNTED = re.compile(r"\b(\d{1,2})\s*(?:-\s*)?(?:financial\s+)?(?:years?|yrs?)\b", re.I)


def year_problem(year: str) -> str:
    """Why ``year`` is no Financial year, saying what to type; a multi-year decision's span is
    named with the one year a plan is read for."""
    found = _FULL_YEAR.findall(year)
    counted = _YEARS_COUNTED.search(year)
    if found:
        first = min(int(start) for start, _ in found)
        ends = [int(start) + 1 if short else int(start) for start, short in found]
        ends += [int(start) // 100 * 100 + int(short) for start, short in found if short]
        last = first + int(counted[1]) if counted else max(ends)
        if 2 <= last - first <= 10:
            return (
                f'Financial year reads "{year}", {last - first} financial years '
                f"({first}/{(first + 1) % 100:02d} to {last - 1}/{last % 100:02d}); a plan "
                "is read for one. Type the year whose budgets it holds, e.g. "
                f"{first}/{(first + 1) % 100:02d}: a budget column headed with that year is "
                "the one read, and lines that run on show as commitments beyond it."
            )
    if len(found) == 1 and not found[0][1] and not counted:
        # "2021": the year ending March 2021 or the one starting in April; the hint's own
        # example (2021/22) was taken as the answer.
        start = int(found[0][0])
        return (
            f'Financial year reads "{year}", one calendar year, where a financial year runs '
            f"April to March: type {start - 1}/{start % 100:02d} (April {start - 1} to March "
            f"{start}) or {start}/{(start + 1) % 100:02d} (April {start} to March {start + 1})."
        )
    return f'Financial year reads "{year}"; type it as 2021/22.'
