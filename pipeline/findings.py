"""Findings: every problem the tool reports is a :class:`Finding` value.

A rule never raises for bad data; it yields findings. Each names a code of the catalogue
(:mod:`pipeline.catalogue`: severity, title, what to do), which is re-exported here with
:class:`Severity` for the rules and the reports that group findings by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from pipeline.catalogue import CATALOGUE as CATALOGUE
from pipeline.catalogue import Severity as Severity


@dataclass(frozen=True)
class Finding:
    """A located problem: which file, sheet and cell, what was seen and how to fix it."""

    code: str
    file: str
    message: str
    sheet: str = ""
    cell: str = ""

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown finding code {self.code!r}: add it to CATALOGUE first")

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    @property
    def location(self) -> str:
        """``Services!H5`` style location, or the sheet or file alone when that is all there is."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        return {
            "code": data["code"],
            "severity": self.severity.value,
            "file": data["file"],
            "sheet": data["sheet"],
            "cell": data["cell"],
            "message": data["message"],
        }


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; stable within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def row_ranges(rows: Iterable[int]) -> str:
    """``4, 9–10, 16–29``: row numbers with each run of consecutive rows as one range."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
