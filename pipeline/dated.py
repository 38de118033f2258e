"""The days a build's findings depend on, as the manifest records them.

Two findings hold only until a day comes: W-PUBLICATION-DEFERRED until the deferral is lifted,
and W-360-AWARD-DATE until the day the decision is published as awarded. A rerun with the same
files on that day or later would make other findings (the review note, findings.json, the index
page), so the manifest records the first such day (``findings_until``) and the outputs are not
up to date once it has come: "up to date" means building again would change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.spend import today

if TYPE_CHECKING:
    from pipeline.report import Report

FINDINGS_UNTIL = "findings_until"


def findings_until(report: Report | None) -> dict[str, str]:
    """What the manifest records of ``report``: the first day one of its findings no longer
    holds (see the module), or nothing when none depends on the day."""
    if report is None:
        return {}
    codes = {finding.code for finding in report.findings}
    decision = report.decision
    days = []
    if "W-PUBLICATION-DEFERRED" in codes and decision.publication_deferred_until is not None:
        days.append(decision.publication_deferred_until)
    if "W-360-AWARD-DATE" in codes:
        from pipeline.three_sixty import award_date

        days.append(award_date(decision))
    return {FINDINGS_UNTIL: min(days).isoformat()} if days else {}


def findings_due(entry: Mapping[str, object]) -> dt.date | None:
    """The day ``entry``'s findings stopped holding, when it has come (else None)."""
    until = entry.get(FINDINGS_UNTIL)
    try:
        day = dt.date.fromisoformat(until) if isinstance(until, str) else None
    except ValueError:
        return None  # a hand-edited manifest: read as nothing recorded
    return day if day is not None and day <= today() else None
