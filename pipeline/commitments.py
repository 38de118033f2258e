"""Commitments beyond the year: what the plan's lines already carry into later financial years.

Funding is confirmed one year at a time, but a contract to 30/09/2024 commits money in 2022/23,
2023/24 and 2024/25. Each later year's amount is the later year's budget where a multi-year plan
types it on the line; otherwise the line's budget this year as for the whole year (its budget
over its live days in this financial year, times the year's days), all of it for a later year
the line runs all of, and for part of one its share by days (a leap year's extra day adds
nothing: a £100,000-a-year contract carries £100,000 into 2023/24). What extension options
would add, if exercised, is kept apart: an option is a choice still to be made.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.model import Decision, Plan, ServiceLine
from pipeline.values import PENNY, ValueProblem, parse_date

ZERO = Decimal("0.00")
# The method above as the outputs state it, so that a reader can work each figure out again.
# Not a daily rate: a leap day adds nothing, so a line costing £20,000 for the 183 days of
# 2023/24 it runs (of 366) is £40,000 for 2024/25.
YEARLY_RATE = (
    "at each line's yearly rate this year (its cost this year for a whole year, by days for "
    "part of one)"
)
MAX_LATER_YEARS = 10  # beyond any real contract; a mistyped 2099 must not make 78 columns
_TYPED_DATE = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\s+\d{4}|"
    r"[A-Za-z]{3,9}\s+\d{4}"
)
# How long extension options run, as offices type them: "2 x 12 months", "2 x 1 year", "Two
# 12-month extensions", "Option to extend for a further 12 months", "1 year".
_COUNT = r"(\d{1,2}|one|two|three|four|five)"
_UNIT = r"[\s-]*(months?|years?|yrs?)\b"
_REPEATS = re.compile(rf"{_COUNT}\s*[x×]\s*{_COUNT}{_UNIT}", re.IGNORECASE)
_COUNTED = re.compile(
    rf"{_COUNT}\s+(?:further\s+|more\s+|additional\s+)?{_COUNT}{_UNIT}[\s-]+"
    r"(?:extensions?|options?|periods?)",
    re.IGNORECASE,
)
_SPAN = re.compile(rf"{_COUNT}{_UNIT}", re.IGNORECASE)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def live_days(start: dt.date, end: dt.date, window_start: dt.date, window_end: dt.date) -> int:
    """Days (inclusive) that ``start``–``end`` runs inside the window; 0 if none."""
    first, last = max(start, window_start), min(end, window_end)
    return max((last - first).days + 1, 0)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def option_end(line: ServiceLine) -> dt.date | None:
    """The last day the extension options could run to, from text such as
    ``1 x 12 months option to 31/03/2023`` (the date) or ``2 x 12 months`` (counted on)."""
    text = line.extension_options
    if not text.strip():
        return None
    latest, months = _option_terms(text)
    if latest is not None:
        return latest
    if months is not None:
        return add_months(line.end + dt.timedelta(days=1), months) - dt.timedelta(days=1)
    return None


@functools.lru_cache(maxsize=4096)  # a plan types the same few options on many lines
def _option_terms(text: str) -> tuple[dt.date | None, int | None]:
    """The latest date typed in ``text`` and, when it has none, the months its options count
    on (``2 x 12 months``: 24); None for what it does not say."""
    ends: list[dt.date] = []
    for token in _TYPED_DATE.findall(text):
        try:
            ends.append(parse_date(token, end=True)[0])
        except ValueProblem:
            continue
    if ends:
        return max(ends), None
    return None, _option_months(text)


def _option_months(text: str) -> int | None:
    """The months extension options typed in words run for, or None: "2 x 12 months" and
    "Two 12-month extensions" 24, "a further 12 months" and "1 year" 12 (one span alone:
    two, as in "12 months then 6 months", are not guessed at)."""
    counted = _REPEATS.search(text) or _COUNTED.search(text)
    if counted:
        times, length, unit = counted.groups()
        return _number(times) * _number(length) * (1 if unit.lower().startswith("m") else 12)
    spans = _SPAN.findall(text)
    if len(spans) == 1:
        length, unit = spans[0]
        return _number(length) * (1 if unit.lower().startswith("m") else 12)
    return None


def _number(typed: str) -> int:
    return _WORDS.get(typed.lower()) or int(typed)


@dataclass(frozen=True)
class FinancialYear:
    label: str  # "2022/23"
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class LineCommitment:
    line: ServiceLine
    daily_rate: Decimal  # exact; shown rounded
    years: tuple[Decimal, ...]  # per later year, aligned with Commitments.years
    options: tuple[Decimal, ...]  # what the extension options would add, per later year
    option_end: dt.date | None
    options_unread: bool  # extension options typed in words the tool cannot date

    @property
    def total(self) -> Decimal:
        return sum(self.years, ZERO)


@dataclass(frozen=True)
class FundCommitment:
    fund: str
    years: tuple[Decimal, ...]
    options: tuple[Decimal, ...]


@dataclass(frozen=True)
class Commitments:
    years: tuple[FinancialYear, ...]
    lines: tuple[LineCommitment, ...]  # only the lines that run or may run beyond the year
    funds: tuple[FundCommitment, ...]

    @property
    def any(self) -> bool:
        return bool(self.lines)

    @property
    def typed(self) -> bool:
        """Whether a multi-year plan's own budgets make some later years' figures."""
        return any(item.line.later_budgets for item in self.lines)

    @property
    def totals(self) -> tuple[Decimal, ...]:
        return tuple(sum(f.years[i] for f in self.funds) + ZERO for i in range(len(self.years)))

    @property
    def option_totals(self) -> tuple[Decimal, ...]:
        return tuple(sum(f.options[i] for f in self.funds) + ZERO for i in range(len(self.years)))


def later_years(decision: Decision, last: dt.date) -> tuple[FinancialYear, ...]:
    """The financial years after the plan's, up to the one holding ``last``."""
    years: list[FinancialYear] = []
    start = decision.year_end + dt.timedelta(days=1)
    while start <= last and len(years) < MAX_LATER_YEARS:
        end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
        years.append(FinancialYear(f"{start.year}/{str(end.year)[-2:]}", start, end))
        start = end + dt.timedelta(days=1)
    return tuple(years)


def _share(annual: Decimal, days: int, year: FinancialYear) -> Decimal:
    """A year's share of an annual amount: whole for a year the line runs all of (a leap
    year's 29 February adds nothing to a £100,000-a-year contract), by days for part of one."""
    whole = (year.end - year.start).days + 1
    if days >= whole:
        return annual.quantize(PENNY, ROUND_HALF_UP)
    return (annual * days / whole).quantize(PENNY, ROUND_HALF_UP) if days else ZERO


# The last plan's commitments, by identity: the Word report, the summary and the position
# each ask for them, and a 10,000-line plan takes about 0.3 s to work them out. A Plan and
# its Commitments are frozen, so sharing them is safe.
_LAST: list[tuple[Plan, Commitments]] = []


def commitments(plan: Plan) -> Commitments:
    """Per line and per fund, the amount each later financial year already carries."""
    if _LAST and _LAST[0][0] is plan:
        return _LAST[0][1]
    result = _commitments(plan)
    _LAST[:] = [(plan, result)]
    return result


def _commitments(plan: Plan) -> Commitments:
    decision = plan.decision
    running: list[tuple[ServiceLine, Decimal, dt.date | None]] = []
    for line in plan.lines:
        this_year = live_days(line.start, line.end, decision.year_start, decision.year_end)
        if this_year == 0:
            continue  # W-INACTIVE: no rate this year to carry forward
        ends = option_end(line)
        if line.end > decision.year_end or line.extension_options.strip():
            running.append((line, line.budget / this_year, ends))
    last = max([decision.year_end] + [max(line.end, ends or line.end) for line, _, ends in running])
    years = later_years(decision, last)
    days_this_year = (decision.year_end - decision.year_start).days + 1
    lines = []
    for line, rate, ends in running:
        annual = rate * days_this_year  # this year's budget, as for the whole year
        typed = dict(line.later_budgets)  # a multi-year plan's own figures for later years
        carried = tuple(
            typed[y.start.year]
            if y.start.year in typed
            else _share(annual, live_days(line.start, line.end, y.start, y.end), y)
            for y in years
        )
        extra = tuple(
            _share(annual, live_days(line.end + dt.timedelta(days=1), ends, y.start, y.end), y)
            if ends and ends > line.end
            else ZERO
            for y in years
        )
        if any(carried) or any(extra) or ends is None:
            lines.append(
                LineCommitment(
                    line,
                    rate,
                    carried,
                    extra,
                    ends,
                    ends is None and bool(line.extension_options.strip()),
                )
            )
    by_fund: dict[str, list[LineCommitment]] = {}
    for commitment in lines:  # one pass, not a pass over every line per fund
        by_fund.setdefault(commitment.line.fund_key, []).append(commitment)
    funds = []
    for fund in plan.funds:
        mine = by_fund.get(fund.key, [])
        funds.append(
            FundCommitment(
                fund.name,
                tuple(sum((c.years[i] for c in mine), ZERO) for i in range(len(years))),
                tuple(sum((c.options[i] for c in mine), ZERO) for i in range(len(years))),
            )
        )
    return Commitments(years, tuple(lines), tuple(funds))
