"""What the year-on-year comparison is, as values: each line's change (continued, moved, new,
ended) and each fund's figures in both years. :mod:`pipeline.compare` makes them; the Word
report, the public summary and the review note read them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from pipeline.findings import Finding
from pipeline.model import Located, ServiceLine
from pipeline.values import format_money, normalise, percent_text

ZERO = Decimal(0)
CONTINUED, MOVED, NEW, ENDED = "continued", "moved", "new", "ended"
# How the Word report and the summary name each status (one table for both).
STATUS_LABELS = {CONTINUED: "Continued", MOVED: "Moved", NEW: "New", ENDED: "Ended"}
DEFAULT_UPLIFT_THRESHOLD = Decimal(10)


class Line(Protocol):
    """A budget line as the comparison reads it: this year's :class:`ServiceLine`, or last
    year's :class:`~pipeline.last_year.PriorLine`."""

    @property
    def fund(self) -> str: ...
    @property
    def fund_key(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def organisation(self) -> str: ...
    @property
    def budget(self) -> Decimal: ...
    @property
    def at(self) -> Located: ...


@dataclass(frozen=True)
class LineChange:
    status: str  # continued | moved | new | ended
    current: ServiceLine | None
    previous: Line | None

    @property
    def line(self) -> Line:
        """The line to show: this year's, or last year's for an ended one."""
        line = self.current or self.previous
        assert line is not None
        return line

    @property
    def budget(self) -> Decimal:
        return self.current.budget if self.current else ZERO

    @property
    def previous_budget(self) -> Decimal:
        return self.previous.budget if self.previous else ZERO

    @property
    def change(self) -> Decimal:
        return self.budget - self.previous_budget

    @property
    def percent(self) -> Decimal | None:
        """Exact change as a percentage of last year's budget; None when there was none."""
        if not self.previous or not self.current or self.previous.budget == 0:
            return None
        return self.change * 100 / self.previous.budget

    @property
    def note(self) -> str:
        if self.status != MOVED or not (self.current and self.previous):
            return ""
        parts = []
        if self.current.fund_key != self.previous.fund_key:
            parts.append(f"fund was {self.previous.fund}")
        if normalise(self.current.organisation) != normalise(self.previous.organisation):
            parts.append(f"provider was {self.previous.organisation}")
        return "; ".join(parts)


@dataclass(frozen=True)
class FundChange:
    fund: str
    previous_allocation: Decimal
    allocation: Decimal
    previous_committed: Decimal
    committed: Decimal
    previous_moj: Decimal
    moj: Decimal
    lines: tuple[LineChange, ...]

    @property
    def committed_change(self) -> Decimal:
        return self.committed - self.previous_committed


@dataclass(frozen=True)
class Comparison:
    previous_file: str
    previous_year: str
    previous_reference: str
    funds: tuple[FundChange, ...]
    findings: tuple[Finding, ...]

    @property
    def unmatched(self) -> tuple[LineChange, ...]:
        """Lines a person should look at: moved, new and ended."""
        return tuple(c for f in self.funds for c in f.lines if c.status != CONTINUED)

    @property
    def ended(self) -> tuple[LineChange, ...]:
        return tuple(c for f in self.funds for c in f.lines if c.status == ENDED)


# How a change is written, in the report and in the findings alike.


def signed_money(amount: Decimal) -> str:
    """A change of money: ``+£2,272.73``, ``-£19,400``; no change is ``£0``."""
    return ("+" if amount > 0 else "") + format_money(amount)


def signed_percent(value: Decimal | None) -> str:
    """A change as a percentage, signed as the change in pounds beside it is: ``+10.0%``,
    ``-2.4%``, ``0.0%`` for no change (a rise too small to show is ``+0.0%``, as a fall is
    ``-0.0%``); ``–`` when there is none (nothing last year)."""
    shown = percent_text(value)
    return "+" + shown if value is not None and value > 0 else shown
