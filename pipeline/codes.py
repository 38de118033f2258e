"""What an entry of the findings catalogue (:mod:`pipeline.catalogue`) is: a code's severity,
title, when it is raised and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    """One entry of the catalogue: a stable code, its severity and when it is raised."""

    code: str
    severity: Severity
    title: str
    when: str
    # What to do about it, in a finance officer's words (the review note's "What to do").
    action: str = ""
