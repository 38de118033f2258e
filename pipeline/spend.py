"""The run's spend files: found once, read once, and turned into each plan's position.

``pcc-report build <folder>`` reads ``<folder>/spend/``; ``--spend PATH`` names files or a
folder instead. Every plan in the run gets its own position from the payments in its financial
year (:mod:`pipeline.position`); two plans of one year may both match a payment, which is said
in an ``I-SPEND-SHARED`` note on each. The spend files' hashes (and ``--as-at``) are part of
each workbook's fingerprint in the manifest, so a rerun with unchanged spend files is up to
date and a new month's export rebuilds the positions; so are the years of the plans the files
are parted among (``spend_plans``): a plan put beside it, changed or taken away rebuilds a plan
up to date whose notes it changes (:func:`spend_parted`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.findings import Finding
from pipeline.inputs import SPEND_FOLDER as SPEND_FOLDER  # input/spend/ (pipeline.ledger reads it)
from pipeline.inputs import display

if TYPE_CHECKING:  # the position modules (and pandas) load only when spend files exist
    from pipeline.config import Config
    from pipeline.inputs import Read
    from pipeline.ledger import LedgerRead
    from pipeline.model import Plan
    from pipeline.position import Position
    from pipeline.results import WorkbookResult


# The manifest's record of the financial years of the plans a build parted the spend files
# among (its I-SPEND-OUT-OF-YEAR and I-SPEND-SHARED notes hold only while they are the same).
SPEND_PLANS = "spend_plans"
# The manifest's record of the day from which a build would count a payment that this one
# left out as dated after the day of the build (no --as-at): the outputs are current until then.
SPEND_UNTIL = "spend_until"


def today() -> dt.date:
    """The day of the build: a position without --as-at counts the payments made by it."""
    return dt.date.today()


def current_until(position: Position | None) -> dict[str, str]:
    """What the manifest records of ``position`` besides the spend files' hashes: the day from
    which it is out of date, when it left out payments dated after the day of the build (a
    rerun with the same files on that day or later would count one, so it must rebuild)."""
    if position is None or position.changes_on is None:
        return {}
    return {SPEND_UNTIL: position.changes_on.isoformat()}


def overtaken(entry: Mapping[str, object]) -> dt.date | None:
    """The day of a payment ``entry``'s position left out as dated after its build, when that
    day has come (the position is not current though its spend files are unchanged)."""
    until = entry.get(SPEND_UNTIL)
    try:
        day = dt.date.fromisoformat(until) if isinstance(until, str) else None
    except ValueError:
        return None
    return day if day is not None and day <= today() else None


def spend_paths(paths: Sequence[Path], spend: Sequence[Path] = ()) -> list[Path]:
    """The spend files of a run: those of ``spend`` if named, else the ``spend/`` folder
    beside the workbooks -- in each folder named, or in the folder of each workbook named
    one by one, so a workbook built alone gets the same position as in its folder's run."""
    if spend:
        from pipeline.ledger import spend_files

        # A folder named that holds no spend file stays in the list, to be said (W-SPEND-READ)
        # rather than give no position without a word.
        empty = [p for p in spend if p.is_dir() and not spend_files([p])]
        return spend_files(spend) + empty
    homes = dict.fromkeys(p if p.is_dir() else p.parent for p in paths)
    folders = [home / SPEND_FOLDER for home in homes if (home / SPEND_FOLDER).is_dir()]
    if not folders:
        return []  # no spend/ to look in: no ledger reader imported (#21)
    from pipeline.ledger import spend_files

    return spend_files(folders)


def run_years(reads: Sequence[Read | WorkbookResult]) -> list[int]:
    """The financial years (by the year they start) of the run's plans, read now or up to
    date, one for each plan: the spend files' payments of each are that plan's
    (:meth:`Spend.position`), and two of one year may share them."""
    from pipeline.inputs import Read

    years = []
    for read in reads:
        if isinstance(read, Read):
            if read.reconciliation is not None:
                years.append(read.reconciliation.plan.decision.year_start.year)
        else:  # up to date, in a build, which has imported the manifest's reader
            from pipeline.freshness import entry_year_start

            if (year := entry_year_start(read.summary)) is not None:
                years.append(year)
    return sorted(years)


def plans_beside(
    paths: Sequence[Path], entries: Mapping[str, Mapping[str, object]]
) -> tuple[tuple[int, ...], tuple[tuple[Path, int], ...]]:
    """The plans the manifest knows beside a workbook built by its name, not in the run
    (``pcc-report build input/plan.xlsx`` after ``make report``), from one walk of the
    manifest: the years of them all (the spend folder's payments of those years are theirs,
    as in the folder's run, not outside this plan's), and those whose last build had no
    errors with the year of each (one of the year of a plan in the run is read again for
    its position, so that the payments both count are said, I-SPEND-SHARED, as in the
    folder's run)."""
    found = list(_beside(paths, entries))
    years = tuple(year for _, year, _ in found)
    return years, tuple((Path(where), year) for where, year, ok in found if ok)


def _beside(
    paths: Sequence[Path], entries: Mapping[str, Mapping[str, object]]
) -> Iterator[tuple[str, int, bool]]:
    """Each plan the manifest knows beside the workbooks named: its path, its year, and
    whether its last build had no errors."""
    from pipeline.freshness import entry_year_start

    named = {os.path.abspath(p) for p in paths if not p.is_dir()}
    homes = {os.path.dirname(p) for p in named}
    for entry in entries.values():
        where = entry.get("workbook_path")
        if not isinstance(where, str) or where in named or os.path.dirname(where) not in homes:
            continue
        # Built, or read with errors (its year known): in the folder's run it is read too.
        status = entry.get("status")
        year = entry_year_start(entry)
        if status in ("ok", "errors") and os.path.isfile(where) and year is not None:
            yield where, year, status == "ok"


@dataclass
class Spend:
    """The spend files of one run, read lazily (only when a plan needs its position).
    ``beside``: the years of plans beside a workbook built by its name; ``built_beside``:
    those of them built without errors, and their years (both :func:`plans_beside`)."""

    files: Sequence[Path] = ()
    as_at: dt.date | None = None
    beside: tuple[int, ...] = ()
    built_beside: tuple[tuple[Path, int], ...] = ()
    _read: LedgerRead | None = field(default=None, repr=False)

    def plans(self, years: Sequence[int]) -> list[int] | None:
        """What the manifest records of the plans the spend files are parted among: the
        run's ``years`` (:func:`run_years`) and those beside; None without spend files."""
        return sorted([*years, *self.beside]) if self.files else None

    @property
    def any(self) -> bool:
        return bool(self.files)

    def fingerprint(self) -> dict[str, str]:
        """What a plan's outputs depend on: each spend file's SHA-256, and the as-at date."""
        from pipeline.manifest import sha256

        prints: dict[str, str] = {}
        for path in self.files:
            try:
                prints[display(path)] = sha256(path)
            except OSError:
                prints[display(path)] = "unreadable"
        if self.as_at:
            prints["as-at"] = self.as_at.isoformat()
        return prints

    def read(self) -> LedgerRead:
        if self._read is None:
            from pipeline.ledger import read_ledgers

            self._read = read_ledgers(self.files, [display(p) for p in self.files])
        return self._read

    def position(
        self, plan: Plan, aliases: Mapping[str, str], years: Collection[int] = ()
    ) -> tuple[Position | None, list[Finding]]:
        """The plan's position (None when no payment falls in its year) and the findings of
        reading the files, which every plan's findings carry. ``years``: the financial years
        (by the year they start) of every plan in the run, whose payments are theirs."""
        if not self.files:
            return None, []
        from pipeline.payment_checks import nothing_in_year, other_bodies
        from pipeline.position import build_position

        ledger = self.read()
        payments, read = other_bodies(plan, ledger.payments, aliases)  # another body's are said
        read = [*ledger.findings, *read]
        others = {*years, *self.beside} - {plan.decision.year_start.year}
        position = build_position(plan, payments, aliases, self.as_at, today(), others)
        if position is None:  # payments there are, but none in the plan's year: said
            return None, [*read, *nothing_in_year(plan, payments, others)]
        return position, read

    def beside_positions(
        self, config: Config, years: Collection[int], wanted: Collection[int]
    ) -> list[tuple[str, Position]]:
        """The positions of the plans built beside a workbook built by its name (not in the
        run) of the ``wanted`` years, those of its plans with a position: the payments a plan
        shares with one beside it are said as in the folder's run, where both are read."""
        positions: list[tuple[str, Position]] = []
        for path, year in self.built_beside:
            if year not in wanted:
                continue
            from pipeline.findings import has_errors
            from pipeline.inputs import read_workbook

            read = read_workbook(path, config, hashed=False)
            if read.reconciliation is None or has_errors(read.findings):
                continue
            position, _ = self.position(read.reconciliation.plan, dict(config.aliases), years)
            if position is not None:
                positions.append((read.file, position))
        return positions


def spend_parted(
    spend: Spend, results: Sequence[Read | WorkbookResult], read_now: Collection[int]
) -> tuple[list[int] | None, set[Path]]:
    """The years the run's spend files are parted among (:meth:`Spend.plans`, kept in the
    manifest), and the workbooks up to date whose spend notes were made among other plans: a
    plan of another year put beside them (its payments now its own, not outside their year)
    or taken away, or one of their year (they may share payments) new, changed or gone."""
    from pipeline.freshness import entry_year_start
    from pipeline.results import WorkbookResult

    plans = spend.plans(run_years(results))
    if plans is None:
        return None, set()
    return plans, {
        r.path
        for r in results
        if isinstance(r, WorkbookResult)
        and (r.summary.get(SPEND_PLANS) != plans or entry_year_start(r.summary) in read_now)
    }


def shared_payments(positions: Sequence[tuple[str, Position]]) -> dict[str, Finding]:
    """For plans of one year that both matched some payment, an ``I-SPEND-SHARED`` note each.
    A plan of the same police area decided later varies the earlier (as last year's plan is
    chosen): the note says which position is current, for cost codes cannot part them."""
    notes: dict[str, Finding] = {}
    for file, position in positions:
        decision = position.plan.decision
        both = [
            (other, theirs, len(position.matched & theirs.matched))
            for other, theirs in positions
            if other != file
            and theirs.plan.decision.year_start == decision.year_start
            and position.matched & theirs.matched
        ]
        if not both:
            continue
        said: list[str] = []
        unrelated: list[tuple[str, int]] = []
        for other, theirs, count in both:
            later = _variation(position, theirs)
            if later is None:
                unrelated.append((other, count))
            else:
                said.append(_varied(decision.year_label, other, theirs, count, later))
        if unrelated:
            named = "; ".join(f"{count} with {other}" for other, count in unrelated)
            said.append(
                f"Payments matched lines of this plan and of another plan for "
                f"{decision.year_label} ({named}); each position counts them. Give the lines "
                "cost codes so that each payment matches one line."
            )
        notes[file] = Finding("I-SPEND-SHARED", file, " ".join(said))
    return notes


def _variation(position: Position, other: Position) -> bool | None:
    """True when ``other`` varies ``position``'s plan (the same police area, decided later),
    False when it is the plan ``position``'s varies; None when neither (another area, or
    decided the same day: which is current is not guessed)."""
    from pipeline.values import normalise

    mine, theirs = position.plan.decision, other.plan.decision
    if normalise(mine.police_area) != normalise(theirs.police_area) or mine.date == theirs.date:
        return None
    return theirs.date > mine.date


def _varied(year: str, other: str, theirs: Position, count: int, later: bool) -> str:
    from pipeline.values import format_date

    decision = theirs.plan.decision
    named = f"decision {decision.reference} of {format_date(decision.date)} ({other})"
    if later:
        return (
            f"{count} of its payments count in the position of {named} too, which varies this "
            f"plan for {year}: that position, against the budgets as varied, is the current "
            "one; this one is against the budgets before the variation."
        )
    return (
        f"{count} of its payments count in the position of {named} too, which this plan "
        f"varies: this position, against the budgets as varied, is the current one for {year}."
    )
