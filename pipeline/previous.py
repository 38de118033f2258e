"""Last year's plan: which workbook it is, and the comparison with it.

Last year's plan is ``--previous`` when given; otherwise the plan for the same police area and
the year before, found among the run's workbooks or in an ``archive/`` folder beside them.
Candidates are read only when a plan needs one, and each at most once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.findings import Finding, has_errors
from pipeline.inputs import Read, discover, read_workbook
from pipeline.values import normalise

if TYPE_CHECKING:
    from pipeline.compare import Comparison
    from pipeline.model import Plan
    from pipeline.reconcile import Reconciliation


def previous_year_label(plan: Plan) -> str:
    """``2020/21`` for a 2021/22 plan."""
    start = plan.decision.year_start.year - 1
    return f"{start}/{str(start + 1)[-2:]}"


def find_previous(
    current: Reconciliation, candidates: Iterable[Reconciliation]
) -> Reconciliation | None:
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
        archives = [p / "archive" for p in paths if p.is_dir() and (p / "archive").is_dir()]
        self.files = [*workbooks, *(f for a in archives for f in discover([a])[0])]
        self.loaded: dict[Path, Reconciliation | None] = {
            r.path.resolve(): r.reconciliation
            for r in reads
            if r.reconciliation is not None and not has_errors(r.findings)
        }

    def _reconciliation(self, path: Path) -> Reconciliation | None:
        key = path.resolve()
        if key not in self.loaded:
            read = read_workbook(path, self.config)
            self.loaded[key] = None if has_errors(read.findings) else read.reconciliation
        return self.loaded[key]

    def find(self, current: Reconciliation) -> Reconciliation | None:
        """Last year's plan for ``current``, or None."""
        if self.explicit is not None:
            return self._reconciliation(self.explicit)
        here = Path(current.plan.file).resolve()
        candidates = (self._reconciliation(f) for f in self.files if f.resolve() != here)
        return find_previous(current, (c for c in candidates if c is not None))

    def compare(self, file: str, current: Reconciliation) -> YearOnYear:
        """The comparison with last year's plan, or I-NO-PREVIOUS saying why there is none."""
        prior = self.find(current)
        if prior is not None:
            # Imported here: a run with no previous plan (most `check`s) never needs it (#21).
            from pipeline.compare import compare

            comparison = compare(
                current, prior, dict(self.config.aliases), self.config.uplift_threshold
            )
            return YearOnYear(comparison, Path(prior.plan.file), None)
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
