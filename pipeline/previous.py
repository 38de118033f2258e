"""Last year's plan: which workbook it is, reading it (through the cache), and the comparison.

Last year's plan is ``--previous`` when given; otherwise the plan for the same police area and
the year before, found among the run's workbooks or in an ``archive/`` folder beside them.
Candidates are read only when a plan needs one, and each at most once. When several plans of
that area and year are found (the plan and a variation decided later in the year), last
year's plan is the one decided last, and a note names the others; two decided on the same
day are not chosen between (nothing is guessed): ``--previous`` names the one.

A workbook that is not one of the run's is read through the per-user cache
(:func:`read_previous`): last year's plan does not change during the year, so once a
workbook's very bytes have been read and found free of errors, later builds decode what the
comparison needs of it (:mod:`pipeline.last_year`) instead of reading and checking it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from pipeline.config import Config
from pipeline.findings import Finding, has_errors
from pipeline.inputs import Read, display, past_plans, read_workbook
from pipeline.values import format_date, normalise

if TYPE_CHECKING:
    from pipeline.comparison import Comparison
    from pipeline.last_year import LastYear
    from pipeline.model import Plan
    from pipeline.reconcile import Reconciliation


def previous_year_label(plan: Plan) -> str:
    """``2020/21`` for a 2021/22 plan."""
    start = plan.decision.year_start.year - 1
    return f"{start}/{str(start + 1)[-2:]}"


class _Decided(Protocol):
    @property
    def police_area(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def year_start(self) -> dt.date: ...


class Dated(Protocol):
    """A plan read now (a Reconciliation) or kept from an earlier run (a LastYear)."""

    @property
    def decision(self) -> _Decided: ...


Candidate = TypeVar("Candidate", bound=Dated)

# Words that name the body or its office rather than the area, in English and Welsh: a plan
# of "Lincolnshire" and one of "Lincolnshire Police and Crime Commissioner" (or "the OPCC for
# Lincolnshire", "Heddlu Dyfed-Powys") are one area's. The area's own words are kept.
_BODY_WORDS = frozenset(
    {
        *("police", "policing", "constabulary", "force", "fire", "rescue", "service", "crime"),
        *("commissioner", "commissioners", "office", "pcc", "opcc", "pfcc", "opfcc"),
        *("the", "of", "for", "and", "s"),  # s: "Commissioner's" split at its apostrophe
        *("heddlu", "comisiynydd", "a", "throseddu", "o"),  # Welsh
    }
)


def area_key(police_area: str) -> str:
    """``police_area`` as plans of one area are matched across years: the body's words left
    out, "&" read as "and"; the whole name when it is only such words."""
    words = re.findall(r"\w+", normalise(police_area))
    kept = [word for word in words if word not in _BODY_WORDS]
    return " ".join(kept or words)


def previous_plans(current: Dated, candidates: Iterable[Candidate]) -> list[Candidate]:
    """The plans among ``candidates`` for the same police area and the year before, the one
    decided last first."""
    area = area_key(current.decision.police_area)
    year = current.decision.year_start.year - 1
    found = [
        candidate
        for candidate in candidates
        if area_key(candidate.decision.police_area) == area
        and candidate.decision.year_start.year == year
    ]
    return sorted(found, key=lambda plan: plan.decision.date, reverse=True)


def find_previous(current: Dated, candidates: Iterable[Candidate]) -> Candidate | None:
    """Last year's plan among ``candidates``: of the plans for the same police area and the
    year before, the one decided last (a variation supersedes the plan it varies); None when
    there is none, or two were decided on that same last day."""
    return _decided_last(previous_plans(current, candidates))


def _decided_last(found: Sequence[Candidate]) -> Candidate | None:
    """The first of ``found`` (the one decided last), unless another was decided that day."""
    if not found or (len(found) > 1 and found[1].decision.date == found[0].decision.date):
        return None
    return found[0]


def _other(file: str, current: Reconciliation, named: Reconciliation | LastYear) -> Finding | None:
    """W-PREVIOUS-OTHER when the plan named with ``--previous`` is another police area's, or
    not the year before's: compared as asked (a year skipped may be meant), but said, since
    the published Changes section would set this plan against it."""
    if find_previous(current, [named]) is named:
        return None
    at = current.decision.at
    theirs = f"{named.decision.police_area}'s {named.decision.year_label} plan"
    ours = f"{current.decision.police_area}'s {previous_year_label(current.plan)} plan"
    return Finding(
        "W-PREVIOUS-OTHER",
        file,
        f"The plan named with --previous, {_named(named)}, is {theirs}, not {ours}; the "
        "Changes section compares this plan with it. Name last year's plan of "
        f"{current.decision.police_area} with --previous, or leave --previous out.",
        at.sheet,
        at.cell("financial_year"),
    )


def _not_comparable(
    file: str, current: Reconciliation, named: Path, found: Sequence[Reconciliation | LastYear]
) -> Finding | None:
    """W-PREVIOUS-OTHER when the plan named with ``--previous`` cannot be compared: it could
    not be read free of errors, or it is of this plan's year or a later one (the workbook
    itself, named by mistake: its Changes would set the plan against itself, under two
    columns of one heading). The report is built without the comparison asked for."""
    at = current.decision.at
    if not found:
        why = (
            f"it could not be read as a plan free of errors. Run pcc-report check {named} and "
            "correct what it says, then build again"
        )
    elif found[0].decision.year_start >= current.decision.year_start:
        theirs = found[0].decision
        why = (
            f"it is {theirs.police_area}'s {theirs.year_label} plan, not one of a year before "
            f"this plan's ({current.decision.year_label}). Name last year's plan with "
            "--previous, or leave --previous out"
        )
    else:
        return None
    return Finding(
        "W-PREVIOUS-OTHER",
        file,
        f"The plan named with --previous, {named}, is not compared: {why}. The Request for "
        "Decision is built without a Changes section.",
        at.sheet,
        at.cell("financial_year"),
    )


def _named(plan: Reconciliation | LastYear) -> str:
    """``027/2020 of 02/11/2020 (input/archive/variation.xlsx)``, as the notes name a plan."""
    decision = plan.decision
    return f"{decision.reference} of {format_date(decision.date)} ({source_file(plan)})"


CACHE_KIND = b"last-year"
_SHOWN = 3  # the workbooks I-NO-PREVIOUS names as unusable; then "and N more"


def _cache_name(digest: str, config: Config) -> str:
    """The entry of a workbook whose bytes have SHA-256 ``digest``, read by this tool's code
    with these settings (the rules decide whether the plan has errors)."""
    from pipeline import cache
    from pipeline.last_year import FORMAT

    key = hashlib.sha256(CACHE_KIND + b"\0" + cache.code_version())
    key.update(f"|{FORMAT}|{replace(config, source='')!r}|{digest}".encode())
    return f"last-year-{key.hexdigest()}.txt"  # text, as every entry of the cache


def read_previous(path: Path, config: Config) -> LastYear | None:
    """Last year's plan at ``path``, as the comparison needs it; None when it has errors
    (:func:`read_candidate`)."""
    return read_candidate(path, config)[0]


def read_candidate(path: Path, config: Config) -> tuple[LastYear | None, Read | None]:
    """Last year's plan at ``path``, as the comparison needs it, or None and the read that
    says why not (it could not be read as a plan, or has errors).

    From the per-user cache when these very bytes were read and found free of errors before
    (with this code and these settings); otherwise read and checked afresh, and kept in the
    cache when free of errors. A workbook with errors is never kept: it is read each time, so
    what is said about it is always right. Any problem with the cache is a miss."""
    from pipeline import cache
    from pipeline.last_year import LastYear, decode, encode
    from pipeline.sniff import MAX_FILE_BYTES

    digest = ""  # not a file, over the size limit or unreadable: read_workbook says which
    try:
        if path.is_file():  # (opening a named pipe would wait for a writer)
            with path.open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
            if len(data) <= MAX_FILE_BYTES:
                digest = hashlib.sha256(data).hexdigest()
    except OSError:
        pass
    name = _cache_name(digest, config) if digest else ""
    kept = cache.entry(name) if name else None
    if kept is not None:
        try:
            return decode(kept, display(path)), None
        except ValueError:
            pass  # another format, or damaged: read the workbook again and replace the entry
    read = read_workbook(path, config)
    if read.reconciliation is None or has_errors(read.findings):
        return None, read
    last = LastYear.of(read.reconciliation)
    if name and read.sha256 == digest:  # the bytes hashed are the bytes read
        cache.store(name, encode(last))
    return last, None


def source_file(plan: Reconciliation | LastYear) -> str:
    """How messages name the workbook of ``plan``."""
    from pipeline.last_year import LastYear

    return plan.file if isinstance(plan, LastYear) else plan.plan.file


def _chosen(
    file: str, current: Reconciliation, found: Sequence[Reconciliation | LastYear]
) -> Finding:
    """I-PREVIOUS-CHOSEN: several plans for last year, the one decided last compared."""
    at = current.decision.at
    passed_over = "; ".join(_named(plan) for plan in found[1:])
    return Finding(
        "I-PREVIOUS-CHOSEN",
        file,
        f"{len(found)} {previous_year_label(current.plan)} plans for "
        f"{current.decision.police_area} were found. The comparison is with the one "
        f"decided last, {_named(found[0])}; not with {passed_over}. To compare with "
        "another, name it with --previous.",
        at.sheet,
        at.cell("financial_year"),
    )


@dataclass(frozen=True)
class YearOnYear:
    """What the comparison step found for one workbook: a comparison, or why there is none."""

    comparison: Comparison | None
    previous: Path | None  # last year's workbook, when compared
    finding: Finding | None  # I-NO-PREVIOUS when not; I-PREVIOUS-CHOSEN when one of several


class PreviousPlans:
    """Finds and compares each plan's previous-year plan (see the module docstring)."""

    def __init__(
        self,
        paths: Sequence[Path],
        workbooks: Sequence[Path],
        reads: Sequence[Read],
        refused: Collection[Path],
        config: Config,
        explicit: Path | None,
    ):
        """``reads``: the run's workbooks read now; of them, those with errors and those in
        ``refused`` (clashing with another's reference) are nobody's previous plan, and are
        not read again as candidates."""
        self.config = config
        self.explicit = explicit
        self.files = [*workbooks, *past_plans(paths)]
        self.loaded: dict[Path, Reconciliation | LastYear | None] = {}
        # The workbooks that cannot be anybody's last year's plan, with the plan when it
        # could be read (it has errors) or None (it could not be read as a plan).
        self.faulty: dict[Path, Reconciliation | None] = {}
        for read in reads:
            key = read.path.resolve()
            usable = read.path not in refused and not has_errors(read.findings)
            self.loaded[key] = read.reconciliation if usable else None
            if not usable:
                self.faulty[key] = read.reconciliation

    def _plan(self, path: Path) -> Reconciliation | LastYear | None:
        key = path.resolve()
        if key not in self.loaded:
            self.loaded[key], faulty = read_candidate(path, self.config)
            if faulty is not None:
                self.faulty[key] = faulty.reconciliation
        return self.loaded[key]

    def candidates(self, current: Reconciliation) -> list[Reconciliation | LastYear]:
        """The plans that may be last year's for ``current``, the one decided last first:
        ``--previous`` alone when given (whatever its area and year), else every plan of the
        same police area and the year before in the run and its archive folders."""
        if self.explicit is not None:
            plan = self._plan(self.explicit)
            return [plan] if plan is not None else []
        here = Path(current.plan.file).resolve()
        found = (self._plan(f) for f in self.files if f.resolve() != here)
        return previous_plans(current, (c for c in found if c is not None))

    def compare(self, file: str, current: Reconciliation) -> YearOnYear:
        """The comparison with last year's plan, or I-NO-PREVIOUS saying why there is none."""
        from pipeline.memory import collector_paused

        # Tens of thousands of objects are made here that all live on (last year's lines, the
        # changes): the collector's passes over the whole heap would find nothing to free.
        with collector_paused():
            found = self.candidates(current)
            if self.explicit is not None:
                refused = _not_comparable(file, current, self.explicit, found)
                if refused is not None:
                    return YearOnYear(None, None, refused)
            prior = _decided_last(found)
            if prior is not None:
                # Imported here: a run with no previous plan (most `check`s) never needs it.
                from pipeline.compare import compare

                comparison = compare(
                    current, prior, dict(self.config.aliases), self.config.uplift_threshold
                )
                if self.explicit is not None:
                    note = _other(file, current, prior)
                else:
                    note = _chosen(file, current, found) if len(found) > 1 else None
                return YearOnYear(comparison, Path(source_file(prior)), note)
        return YearOnYear(None, None, self._left_out(file, current, found))

    def _faulty(self, current: Reconciliation) -> list[str]:
        """The workbooks looked at that hold, or may hold, last year's plan of ``current`` but
        have errors: each named, with its decision when it was read that far (and is that
        plan); one read that far and found to be another plan is left out."""
        said: list[str] = []
        for path in self.files:
            key = path.resolve()
            if key not in self.faulty or key == Path(current.plan.file).resolve():
                continue
            plan = self.faulty[key]
            if plan is None:  # not read as far as its decision: which plan it is is unknown
                said.append(f"{display(path)} has errors, so which plan it holds is not known")
            elif previous_plans(current, [plan]):
                said.append(f"{_named(plan)} has errors")
        return said

    def _other_areas(self, current: Reconciliation) -> list[str]:
        """The plans of the year before found for another police area: a plan of this area
        whose Police area was typed otherwise (the body's words aside) would be among them."""
        year = current.decision.year_start.year - 1
        here = Path(current.plan.file).resolve()
        plans = (self._plan(f) for f in self.files if f.resolve() != here)
        return [
            f"{_named(plan)} is the plan of {plan.decision.police_area}"
            for plan in plans
            if plan is not None and plan.decision.year_start.year == year
        ]

    def _left_out(
        self, file: str, current: Reconciliation, found: Sequence[Reconciliation | LastYear]
    ) -> Finding:
        """I-NO-PREVIOUS, saying why there is no comparison and how to have one."""
        at = current.decision.at
        year = previous_year_label(current.plan)
        fix = "put last year's workbook in input/archive/ or name it with --previous"
        if found:  # two or more decided on the same, last, day
            named = "; ".join(
                _named(plan) for plan in found if plan.decision.date == found[0].decision.date
            )
            why = (
                f"{year} plans for {current.decision.police_area} decided on the same day "
                f"were found ({named}), and which is last year's plan cannot be told"
            )
            fix = "name last year's workbook with --previous"
        else:
            why = (
                f"no {year} plan for {current.decision.police_area} free of errors was found "
                "in this run or in an archive/ folder beside the workbooks"
            )
            faulty = self._faulty(current)
            others = self._other_areas(current)
            if others and not faulty:  # last year's plan may be there, its area typed apart
                why += f" ({'; '.join(others[:_SHOWN])}"
                why += f"; and {len(others) - _SHOWN} more)" if len(others) > _SHOWN else ")"
                fix = (
                    "type the Police area on the Decision sheet of last year's workbook as "
                    f"on this one ({current.decision.police_area}), or name it with --previous"
                )
            if faulty:  # last year's plan is (or may be) among them: "put it there" misleads
                why += f" ({'; '.join(faulty[:_SHOWN])}"
                why += f"; and {len(faulty) - _SHOWN} more)" if len(faulty) > _SHOWN else ")"
                fix = (
                    "run pcc-report check on the workbook and correct what it says, or put "
                    "a good copy of last year's workbook in input/archive/"
                )
        return Finding(
            "I-NO-PREVIOUS",
            file,
            f"The year-on-year comparison is left out: {why}. To include it, {fix}.",
            at.sheet,
            at.cell("financial_year"),
        )
