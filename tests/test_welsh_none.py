"""Extension options typed in Welsh to say there are none (pipeline.read_services).

A Welsh force's bilingual template offers "Dim" (none) where an English one offers "None": it
was read as an extension option, an I-EXPIRING note ('extension option: Dim. Decide by ...')
and "(Dim)" after the end date in the published appendix and contracts file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipeline.load import load
from pipeline.reconcile import reconcile
from tests.workbooks import make_workbook, service_row

NONE_IN_WELSH = (
    "Dim",
    "dim",
    "Dim estyniad",
    "Dim estyniadau",
    "Dim opsiwn i ymestyn",
    "Amherthnasol",
    "Nac oes",
    "Dim ar gael",
    "D/B",
    "Dd/B",
    "Dim / None",
    "Dim / N/A",
    "Amherthnasol / Not applicable",
)


def test_welsh_words_for_none_in_extension_options_are_none(tmp_path: Path) -> None:
    rows = [
        service_row(service=f"Service {i}", extension_options=said)
        for i, said in enumerate(NONE_IN_WELSH)
    ]
    rows.append(service_row(service="Kept", extension_options="1 x 12 mis / 1 x 12 months"))
    rows.append(service_row(service="Dimbleby", extension_options="Dimension review option"))
    result = load(make_workbook(tmp_path, services=rows))
    assert result.plan is not None, result.findings
    assert [line.extension_options for line in result.plan.lines] == [
        *[""] * len(NONE_IN_WELSH),
        "1 x 12 mis / 1 x 12 months",
        "Dimension review option",
    ]
    expiring = [f for f in reconcile(result.plan).findings if f.code == "I-EXPIRING"]
    assert [f.cell for f in expiring] == [f"G{2 + len(NONE_IN_WELSH) + k}" for k in (0, 1)]
    assert not [f for f in expiring if "Dim." in f.message]


def test_dim_after_the_end_date_marks_no_option(tmp_path: Path) -> None:
    rows = [service_row(end="31/03/2022 (Dim)"), service_row(service="Two", end=date(2022, 3, 31))]
    result = load(make_workbook(tmp_path, services=rows))
    assert result.plan is not None, result.findings
    assert [line.extension_options for line in result.plan.lines] == ["", ""]
    assert result.plan.lines[0].end == date(2022, 3, 31)
