"""The commissioning plan as plain dataclasses, each value remembering the cell it came from.

``load`` builds these; ``reconcile`` and the renderers only read them. ``cells`` maps an
attribute name to its A1 reference (``{"budget": "L14"}``) so a rule can point at the cell a
person must change without formatting references itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from pipeline import policing_body
from pipeline.values import normalise


@dataclass(frozen=True)
class Located:
    """Where a record came from: its sheet, its row and the cell of each attribute."""

    sheet: str
    row: int
    cells: Mapping[str, str] = field(default_factory=dict)

    def cell(self, key: str) -> str:
        """The A1 reference of ``key``'s cell, or the row (``"row 14"``) if it has none."""
        return self.cells.get(key, f"row {self.row}")


@dataclass(frozen=True)
class Decision:
    police_area: str
    reference: str
    date: dt.date
    financial_year: str
    subject: str
    report_by: str
    contact_officer: str
    executive_summary: str
    recommendations: tuple[str, ...]
    budget_approval: dt.date | None
    budget_approval_reference: str
    publication_deferred: bool
    publication_deferred_reason: str
    publication_deferred_until: dt.date | None
    part2_form: bool
    part2_form_reason: str
    originating_officer_initials: str
    finance_officer_initials: str
    monitoring_officer_initials: str
    chief_executive_approval_date: dt.date | None
    pcc_approval_date: dt.date | None
    background: str
    plan_links: str
    personnel_equalities: str
    review_arrangements: str
    risk_management: str
    year_start: dt.date
    year_end: dt.date
    at: Located
    extra: Mapping[str, str] = field(default_factory=dict)
    organisation: str = ""
    decision_maker: str = ""
    decision_maker_short: str = ""
    strategy_document: str = ""

    @property
    def body(self) -> str:
        """The policing body that decides: the Organisation field, else the decision maker's
        office ("Office of the Police, Fire and Crime Commissioner for …"; policing_body.py)."""
        return policing_body.body(self.organisation, self.decision_maker, self.police_area)

    @property
    def maker(self) -> str:
        """The decision maker's title: "Police and Crime Commissioner" unless the workbook says."""
        return self.decision_maker or "Police and Crime Commissioner"

    @property
    def maker_short(self) -> str:
        """The short form of the title ("PCC", "PFCC", "Mayor", "DMPC")."""
        return self.decision_maker_short or (
            "PCC" if not self.decision_maker else self.decision_maker
        )

    @property
    def year_label(self) -> str:
        """``2021/22`` in the canonical form, whatever was typed."""
        return f"{self.year_start.year}/{str(self.year_end.year)[-2:]}"


@dataclass(frozen=True)
class Fund:
    name: str
    allocation: Decimal
    legal_basis: str
    description: str
    at: Located

    @cached_property  # normalised once: rules and renderers group lines by it
    def key(self) -> str:
        return normalise(self.name)


@dataclass(frozen=True)
class FundingSource:
    fund: str  # the fund's name as written on the Funds sheet
    source: str
    amount: Decimal
    ring_fenced: bool
    grant_reference: str
    at: Located

    @property
    def is_moj(self) -> bool:
        """A Ministry of Justice grant stream (named "MoJ ..." or "Ministry of Justice ...")."""
        name = normalise(self.source)
        return _MOJ.search(name) is not None


# "MoJ" as a word wherever it stands ("Victims' Services Grant (MoJ)", "MoJ/DASV"), not as the
# start of one ("Mojave"); or the ministry's name in full, in English or in Welsh ("Grant ... y
# Weinyddiaeth Gyfiawnder").
_MOJ = re.compile(r"(?<![^\W\d_])moj(?![^\W\d_])|ministry of justice|g?weinyddiaeth gyfiawnder")


@dataclass(frozen=True)
class ServiceLine:
    fund: str  # the fund's name as written on the Funds sheet (or as typed, if unknown)
    service: str
    organisation: str
    organisation_type: str
    provision: str
    start: dt.date
    end: dt.date
    start_month_only: bool
    end_month_only: bool
    extension_options: str
    mechanism: str
    how_commissioned: str
    purpose: str
    budget: Decimal
    at: Located
    cost_code: str = ""
    recipient_org_id: str = ""
    # Where there is no org-id but a Charity number or Company number column: that column's key
    # and the number as typed (the org-id made from it is recipient_org_id, "" if none was).
    recipient_number: tuple[str, str] = ("", "")
    # Every Charity number and Company number typed on the line, (column key, number as typed):
    # a charitable company has both, and 360Giving publishes both.
    registered_numbers: tuple[tuple[str, str], ...] = ()
    # A multi-year plan's budgets for later financial years, typed beside this year's:
    # (2022 for 2022/23, the amount). A later year not here is carried at the yearly rate.
    later_budgets: tuple[tuple[int, Decimal], ...] = ()

    @cached_property  # normalised once: rules and renderers group lines by it
    def fund_key(self) -> str:
        return normalise(self.fund)


@dataclass(frozen=True)
class TotalRow:
    """A typed Total row on the Services sheet, kept aside to check the lines it closes."""

    label: str
    amount: Decimal
    closes: tuple[int, ...]  # indexes into Plan.lines of the lines this row totals
    at: Located
    # The rows of those lines that are hidden or filtered out: a SUBTOTAL (an Excel table's
    # Total row) leaves them out of its figure.
    hidden_rows: frozenset[int] = frozenset()
    text_rows: frozenset[int] = frozenset()  # lines whose budget is typed as text: SUM skips it
    funds: tuple[str, ...] = ()  # the funds its label names ("Victims Fund total"): their lines


@dataclass(frozen=True)
class Recipient:
    """One person on the Circulation sheet: the report is e-mailed to them for sign-off."""

    role: str
    name: str
    email: str  # validated and normalised (domain in lower case)
    at: Located


@dataclass(frozen=True)
class ChangeRecord:
    """One row of the Document control sheet's change-control table: what changed, who changed
    it and when, and the version it made."""

    change: str
    initials: str
    date: dt.date | None  # None only for an old "Change:" row whose date could not be read
    version: str
    at: Located


def _words(name: str) -> tuple[str, ...]:
    """A fund's name word by word, without its year ("2021/22"), "and", "the", "of", points
    ("C.S.F.") or a plural's s ("Victim Fund" for "Victims' Fund")."""
    words = re.findall(r"[a-z0-9']+(?:/\d+)?", normalise(name).replace(".", ""))
    skip = re.compile(r"\d[\d/-]*|and|the|of")
    stems = (w.rstrip("'").removesuffix("s") for w in words if not skip.fullmatch(w))
    return tuple(stem for stem in stems if stem)


@dataclass(frozen=True)
class Plan:
    """One workbook, one decision."""

    file: str
    decision: Decision
    funds: tuple[Fund, ...]
    sources: tuple[FundingSource, ...]
    lines: tuple[ServiceLine, ...]
    totals: tuple[TotalRow, ...] = ()
    document_control: tuple[tuple[str, str], ...] = ()
    circulation: tuple[Recipient, ...] = ()
    change_control: tuple[ChangeRecord, ...] = ()
    # The Circulation sheet when the workbook has one, at the row its first person goes on
    # (an empty sheet is told as empty, not as missing): None without the sheet.
    circulation_sheet: Located | None = None

    def fund(self, name: str) -> Fund | None:
        key = normalise(name)
        return next((f for f in self.funds if f.key == key), None)

    def fund_meant(self, name: str) -> Fund | None:
        """The one fund a name not on the Funds sheet plainly means, for the message that asks
        for it (never read as it): its initials ("CSF"), or its name with words more or fewer
        ("Victims", "Victims Fund 2021/22"); None when no one fund is meant."""
        typed = _words(name)
        meant = [
            f
            for f in self.funds
            if (words := _words(f.name))
            and typed
            and (
                typed == ("".join(w[0] for w in words),)
                or set(typed) <= set(words)
                or set(words) <= set(typed)
            )
        ]
        return meant[0] if len(meant) == 1 else None

    def sources_of(self, fund: Fund) -> tuple[FundingSource, ...]:
        return tuple(s for s in self.sources if normalise(s.fund) == fund.key)
