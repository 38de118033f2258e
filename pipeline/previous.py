"""Last year's plan: which workbook it is, reading it (through the cache), and the comparison.

Last year's plan is ``--previous`` when given; otherwise the plan for the same police area and
the year before, found among the run's workbooks or in an ``archive/`` folder beside them.
Candidates are read only when a plan needs one, and each at most once.

A workbook that is not one of the run's is read through the per-user cache
(:func:`read_previous`): last year's plan does not change during the year, so once a
workbook's very bytes have been read and found free of errors, later builds decode what the
comparison needs of it (:mod:`pipeline.last_year`) instead of reading and checking it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from pipeline.config import Config
from pipeline.findings import Finding, has_errors
from pipeline.inputs import ARCHIVE, Read, discover, display, read_workbook
from pipeline.values import normalise

if TYPE_CHECKING:
    from pipeline.compare import Comparison
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
    def year_start(self) -> date: ...


class Dated(Protocol):
    """A plan read now (a Reconciliation) or kept from an earlier run (a LastYear)."""

    @property
    def decision(self) -> _Decided: ...


Candidate = TypeVar("Candidate", bound=Dated)


def find_previous(current: Dated, candidates: Iterable[Candidate]) -> Candidate | None:
    """The plan for the same police area and the year before, if one is among ``candidates``."""
    area = normalise(current.decision.police_area)
    year = current.decision.year_start.year - 1
    for candidate in candidates:
        if (
            normalise(candidate.decision.police_area) == area
            and candidate.decision.year_start.year == year
        ):
            return candidate
    return None


CACHE_KIND = b"last-year"


def _cache_name(digest: str, config: Config) -> str:
    """The entry of a workbook whose bytes have SHA-256 ``digest``, read by this tool's code
    with these settings (the rules decide whether the plan has errors)."""
    from pipeline import cache
    from pipeline.last_year import FORMAT

    key = hashlib.sha256(CACHE_KIND + b"\0" + cache.code_version())
    key.update(f"|{FORMAT}|{replace(config, source='')!r}|{digest}".encode())
    return f"last-year-{key.hexdigest()}.txt"  # text, as every entry of the cache


def read_previous(path: Path, config: Config) -> LastYear | None:
    """Last year's plan at ``path``, as the comparison needs it; None when it has errors.

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
            return decode(kept, display(path))
        except ValueError:
            pass  # another format, or damaged: read the workbook again and replace the entry
    read = read_workbook(path, config)
    if read.reconciliation is None or has_errors(read.findings):
        return None
    last = LastYear.of(read.reconciliation)
    if name and read.sha256 == digest:  # the bytes hashed are the bytes read
        cache.store(name, encode(last))
    return last


def source_file(plan: Reconciliation | LastYear) -> str:
    """How messages name the workbook of ``plan``."""
    from pipeline.last_year import LastYear

    return plan.file if isinstance(plan, LastYear) else plan.plan.file


@dataclass(frozen=True)
class YearOnYear:
    """What the comparison step found for one workbook: a comparison, or why there is none."""

    comparison: Comparison | None
    previous: Path | None  # last year's workbook, when compared
    finding: Finding | None  # I-NO-PREVIOUS, when not


class PreviousPlans:
    """Finds and compares each plan's previous-year plan (see the module docstring)."""

    def __init__(
        self,
        paths: Sequence[Path],
        workbooks: Sequence[Path],
        reads: Sequence[Read],
        config: Config,
        explicit: Path | None,
    ):
        self.config = config
        self.explicit = explicit
        archives = [p / ARCHIVE for p in paths if p.is_dir() and (p / ARCHIVE).is_dir()]
        self.files = [*workbooks, *(f for a in archives for f in discover([a])[0])]
        self.loaded: dict[Path, Reconciliation | LastYear | None] = {
            r.path.resolve(): r.reconciliation
            for r in reads
            if r.reconciliation is not None and not has_errors(r.findings)
        }

    def _plan(self, path: Path) -> Reconciliation | LastYear | None:
        key = path.resolve()
        if key not in self.loaded:
            self.loaded[key] = read_previous(path, self.config)
        return self.loaded[key]

    def find(self, current: Reconciliation) -> Reconciliation | LastYear | None:
        """Last year's plan for ``current``, or None."""
        if self.explicit is not None:
            return self._plan(self.explicit)
        here = Path(current.plan.file).resolve()
        candidates = (self._plan(f) for f in self.files if f.resolve() != here)
        return find_previous(current, (c for c in candidates if c is not None))

    def compare(self, file: str, current: Reconciliation) -> YearOnYear:
        """The comparison with last year's plan, or I-NO-PREVIOUS saying why there is none."""
        from pipeline.memory import collector_paused

        # Tens of thousands of objects are made here that all live on (last year's lines, the
        # changes): the collector's passes over the whole heap would find nothing to free.
        with collector_paused():
            prior = self.find(current)
            if prior is not None:
                # Imported here: a run with no previous plan (most `check`s) never needs it.
                from pipeline.compare import compare

                comparison = compare(
                    current, prior, dict(self.config.aliases), self.config.uplift_threshold
                )
                return YearOnYear(comparison, Path(source_file(prior)), None)
        at = current.decision.at
        if self.explicit is not None:
            why = (
                f"the previous plan {self.explicit} could not be used (it has errors; "
                f"run pcc-report check {self.explicit})"
            )
        else:
            why = (
                f"no {previous_year_label(current.plan)} plan for "
                f"{current.decision.police_area} was found in this run or in an archive/ "
                "folder beside the workbooks"
            )
        finding = Finding(
            "I-NO-PREVIOUS",
            file,
            f"The year-on-year comparison is left out: {why}. To include it, put last "
            "year's workbook in input/archive/ or name it with --previous.",
            at.sheet,
            at.cell("financial_year"),
        )
        return YearOnYear(None, None, finding)
