"""What a run says about each workbook: its result, and the progress events on the way.

``batch`` fills a :class:`WorkbookResult` per workbook and reports progress as typed events
(:class:`Waiting`, :class:`Finished`); ``cli`` turns them into words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.findings import Finding, Severity, count, has_errors, sorted_findings
from pipeline.outputs import FINDINGS

if TYPE_CHECKING:  # a result up to date has no Report: a no-op rerun never imports the model
    from pipeline.report import Report


@dataclass
class WorkbookResult:
    """One workbook's passage through the batch: its Report (when it could be read), every
    finding (the Report's and what building found), and what became of its outputs."""

    path: Path
    file: str  # how messages name it, e.g. "input/lincolnshire-2021-22.xlsx"
    findings: list[Finding] = field(default_factory=list)
    report: Report | None = None
    reference: str = ""
    # Of a workbook that failed (no report): its Subject and Financial year, when read.
    subject: str = ""
    financial_year: str = ""
    outcome: str = "checked"  # checked | built | up to date | failed
    folder: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    # Outputs a person edited: (the output, where its copy went in stale/, or None when it was
    # left in place because nothing needed rebuilding).
    edited: list[tuple[Path, Path | None]] = field(default_factory=list)
    kept_edited: list[Path] = field(default_factory=list)  # every edited copy kept in stale/
    # Of ``edited``: files at paths the manifest did not record (it was lost or damaged).
    unrecorded_edits: list[Path] = field(default_factory=list)
    # After a failed build with the manifest lost: reports found in the folder, moved to stale/.
    unrecorded: list[tuple[Path, Path]] = field(default_factory=list)
    # After a good build of a workbook that held another decision before (its Reference
    # changed): where that decision's reports are in stale/, kept there for good.
    superseded: tuple[Path, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)  # funds/lines figures, kept in manifest
    previous: Path | None = None  # last year's workbook, when compared
    findings_name: str = FINDINGS  # findings-<file>.json where workbooks share a report folder

    @property
    def status(self) -> str:
        """Derived from the findings, never set by hand: ok, errors or unreadable."""
        if any(f.code == "E-READ" for f in self.findings):
            return "unreadable"
        return "errors" if has_errors(self.findings) else "ok"

    def count(self, severity: Severity) -> int:
        return count(self.findings, severity)

    def funds_json(self) -> list[dict[str, str]]:
        if self.report is None:
            return list(self.summary.get("funds", []))
        return [
            {
                "fund": rec.fund.name,
                "allocation": str(rec.allocation),
                "committed": str(rec.committed),
                "headroom": str(rec.headroom),
            }
            for rec in self.report.funds
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "reference": self.reference,
            "status": self.status,
            "funds": self.funds_json(),
            "findings": [f.to_dict() for f in sorted_findings(self.findings)],
        }


@dataclass(frozen=True)
class Waiting:
    """Another run holds the output folder; this one waits for it."""

    out: Path


@dataclass(frozen=True)
class Finished:
    """One workbook is done (built, up to date or failed)."""

    result: WorkbookResult


Event = Waiting | Finished
Progress = Callable[[Event], None]
