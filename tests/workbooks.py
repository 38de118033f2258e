"""Fixture workbooks built in code: the sample, with the one change a test is about.

    path = make_workbook(tmp_path, services=[...])            # replace the Services rows
    path = make_workbook(tmp_path, edit=lambda c: ...)          # change the sample's content

Rows are lists in the contract's column order (``pipeline.contract``); ``service_row`` builds
one Services row from keyword arguments over sensible defaults.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.new_workbook import WorkbookContent, write_workbook
from scripts import make_sample

SERVICE_KEYS = (
    "fund",
    "service",
    "organisation",
    "organisation_type",
    "provision",
    "start",
    "end",
    "extension_options",
    "mechanism",
    "how_commissioned",
    "purpose",
    "budget",
)


def service_row(**values: Any) -> list[Any]:
    """One Services row; unspecified columns take a valid Victims Fund contract line."""
    defaults: dict[str, Any] = {
        "fund": "Victims Fund",
        "service": "Victim Support",
        "organisation": "Victim Support",
        "organisation_type": "Voluntary & community",
        "provision": "Outreach",
        "start": date(2021, 4, 1),
        "end": date(2022, 3, 31),
        "extension_options": "",
        "mechanism": "Contract",
        "how_commissioned": "Open procurement",
        "purpose": "",
        "budget": Decimal(1000),
    }
    unknown = set(values) - set(defaults)
    if unknown:
        raise TypeError(f"unknown Services columns: {sorted(unknown)}")
    defaults.update(values)
    return [defaults[key] for key in SERVICE_KEYS]


def sample_content() -> WorkbookContent:
    """A deep copy of the Lincolnshire sample's content, safe to change."""
    return copy.deepcopy(make_sample.content())


def decision_field(name: str, value: Any) -> Callable[[WorkbookContent], None]:
    """An edit that sets the Decision sheet's field ``name`` to ``value``, the rest kept."""

    def edit(content: WorkbookContent) -> None:
        content.decision = [(k, value if k == name else v) for k, v in content.decision]

    return edit


def make_workbook(
    folder: Path,
    name: str = "plan.xlsx",
    *,
    decision: Sequence[tuple[str, Any]] | None = None,
    funds: Sequence[Sequence[Any]] | None = None,
    sources: Sequence[Sequence[Any]] | None = None,
    services: Sequence[Sequence[Any]] | None = None,
    edit: Callable[[WorkbookContent], None] | None = None,
) -> Path:
    """Write the sample to ``folder/name`` with the given parts replaced; return its path."""
    content = sample_content()
    if decision is not None:
        content.decision = list(decision)
    if funds is not None:
        content.funds = [list(r) for r in funds]
    if sources is not None:
        content.sources = [list(r) for r in sources]
    if services is not None:
        content.services = [list(r) for r in services]
        content.title_rows = {}
    if edit is not None:
        edit(content)
    path = folder / name
    write_workbook(path, content)
    return path
