"""The Report: one workbook's finished result, built once and then only read.

The stages each produce a value and never change another's: ``load`` the :class:`Plan`,
``reconcile`` the :class:`Reconciliation` (figures and the rules' findings), ``compare`` the
:class:`Comparison` with last year's plan. The batch puts them together here, with every
finding of the workbook (loading, the rules, the run-wide checks, the comparison), and hands
the Report to the renderers, the review note and the e-mail, which read it and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.findings import Finding
from pipeline.model import Decision, Plan
from pipeline.reconcile import FundReconciliation, Reconciliation

if TYPE_CHECKING:  # for the types only: `check` of a plan with no previous year or spend files
    # then never imports the comparison or the position (issue 21: start-up)
    from pipeline.comparison import Comparison
    from pipeline.position import Position


@dataclass(frozen=True)
class Report:
    """Plan, reconciliation, comparison (when last year's plan was found) and every finding."""

    reconciliation: Reconciliation
    comparison: Comparison | None
    findings: tuple[Finding, ...]
    position: Position | None = None  # spend against the plan, when spend files hold its year
    strategy: Path | None = None  # the Commissioning Strategy composed into the pack (#17)

    @classmethod
    def of(
        cls,
        reconciliation: Reconciliation,
        comparison: Comparison | None = None,
        findings: Iterable[Finding] | None = None,
    ) -> Report:
        """The Report of ``reconciliation``; ``findings`` defaults to the rules' and the
        comparison's (the batch passes the workbook's complete list)."""
        if findings is None:
            findings = (*reconciliation.findings, *(comparison.findings if comparison else ()))
        return cls(reconciliation, comparison, tuple(findings))

    @property
    def plan(self) -> Plan:
        return self.reconciliation.plan

    @property
    def decision(self) -> Decision:
        return self.reconciliation.decision

    @property
    def funds(self) -> tuple[FundReconciliation, ...]:
        return self.reconciliation.funds

    @property
    def allocation(self) -> Decimal:
        return self.reconciliation.allocation

    @property
    def committed(self) -> Decimal:
        return self.reconciliation.committed

    @property
    def uncommitted(self) -> Decimal:
        """The allocation not yet committed to a line ("Uncommitted" wherever a person reads)."""
        return self.reconciliation.headroom

    @property
    def headroom(self) -> Decimal:
        """The same figure under the name the JSON outputs and older templates use."""
        return self.reconciliation.headroom

    @property
    def has_pence(self) -> bool:
        return self.reconciliation.has_pence
