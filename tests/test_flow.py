"""The flow through the stages: one frozen Report per workbook, typed progress events, output
writers as a list, stages that do not import each other, a linear year-on-year match."""

from __future__ import annotations

import ast
import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import batch, compare, comparison, deliver
from pipeline.config import Config
from pipeline.deliver import Staging
from pipeline.model import Located, ServiceLine
from pipeline.report import Report

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"


def imported_modules(name: str) -> set[str]:
    """Every ``pipeline.*`` module ``pipeline/<name>.py`` imports, at any level."""
    tree = ast.parse((PIPELINE / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_reconcile_does_not_import_compare() -> None:
    assert not any(m.startswith("pipeline.compare") for m in imported_modules("reconcile"))


def test_stages_do_not_word_the_console() -> None:
    """No stage prints: the console's words are cli's (progress travels as events)."""
    for name in ("batch", "inputs", "outputs", "deliver", "previous", "report"):
        tree = ast.parse((PIPELINE / f"{name}.py").read_text(encoding="utf-8"))
        calls = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "print" not in calls, name
        assert "click" not in {m.split(".")[0] for m in imported_modules(name)}, name


def test_one_frozen_report_reaches_every_writer(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Report] = []

    def spy(writer: deliver.Writer) -> deliver.Writer:
        def run(report: Report, staging: Staging) -> None:
            seen.append(report)
            writer(report, staging)

        return run

    monkeypatch.setattr(deliver, "WRITERS", [spy(w) for w in deliver.WRITERS])
    [result], _ = batch.build([drop], tmp_path / "out", Config())
    assert result.outcome == "built"
    assert result.report is not None
    assert len(seen) == len(deliver.WRITERS)
    assert all(report is result.report for report in seen)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.report.findings = ()  # type: ignore[misc]
    # Every finding of the workbook is in the Report, apart from what delivery itself found
    # (no PDF), which comes after the Report was made.
    delivery = {"W-PDF"}
    assert list(result.report.findings) == [f for f in result.findings if f.code not in delivery]
    # The rules' own result is not rewritten with the batch's findings.
    assert result.report.reconciliation.findings == tuple(
        f
        for f in result.report.findings
        if f.code
        not in {"I-NO-PREVIOUS", "I-NO-CIRCULATION", "I-360-SKIPPED", "I-NO-STRATEGY", "W-ORG-ID"}
        and not f.code.startswith("W-360")
    )


def test_adding_an_output_is_one_writer_in_the_list(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def write_extra(report: Report, staging: Staging) -> None:
        staging.temp(f"extra-{len(report.plan.lines)}.txt").write_text("made from the Report")

    monkeypatch.setattr(deliver, "WRITERS", [*deliver.WRITERS, write_extra])
    out = tmp_path / "out"
    [result], _ = batch.build([drop], out, Config())
    extra = out / "015-2021" / f"extra-{len(result.report.plan.lines) if result.report else 0}.txt"
    assert extra.read_text() == "made from the Report"
    assert extra in result.outputs


def test_a_failing_writer_leaves_no_output_of_that_build(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(report: Report, staging: Staging) -> None:
        staging.temp("half.txt").write_text("half")
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(deliver, "WRITERS", [*deliver.WRITERS, broken])
    out = tmp_path / "out"
    [result], _ = batch.build([drop], out, Config())
    assert result.outcome == "failed"
    assert [f.code for f in result.findings if f.code == "E-RENDER"] == ["E-RENDER"]
    assert sorted(p.name for p in (out / "015-2021").iterdir()) == ["findings.json"]


def test_progress_is_typed_events(drop: Path, tmp_path: Path) -> None:
    events: list[batch.Event] = []
    results, _ = batch.build([drop], tmp_path / "out", Config(), progress=events.append)
    assert events == [batch.Finished(results[0])]
    again: list[batch.Event] = []
    batch.build([drop], tmp_path / "out", Config(), progress=again.append)
    assert [type(e) for e in again] == [batch.Finished]
    assert isinstance(again[0], batch.Finished) and again[0].result.outcome == "up to date"


def line(n: int, service: str, organisation: str, fund: str = "Victims Fund") -> ServiceLine:
    return ServiceLine(
        fund=fund,
        service=service,
        organisation=organisation,
        organisation_type="Charity",
        provision="",
        start=date(2021, 4, 1),
        end=date(2022, 3, 31),
        start_month_only=False,
        end_month_only=False,
        extension_options="",
        mechanism="Grant",
        how_commissioned="",
        purpose="",
        budget=Decimal(n),
        at=Located("Services", n + 2),
    )


def test_year_on_year_match_is_a_join(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line's key is computed once: matching n lines against n is linear, not n²."""
    calls = 0
    real = compare._key

    def counting(text: str, folded: dict[str, str]) -> str:
        nonlocal calls
        calls += 1
        return real(text, folded)

    monkeypatch.setattr(compare, "_key", counting)
    n = 400
    now = [line(i, f"Service {i}", f"Org {i}") for i in range(n)]
    before = [line(i, f"Service {i}", f"Org {i}") for i in reversed(range(n))]
    changes = compare._match(now, before, {"LCC": "Lincolnshire County Council"})
    assert [c.status for c in changes] == [comparison.CONTINUED] * n
    assert all(
        c.current and c.previous and c.current.service == c.previous.service for c in changes
    )
    assert calls <= 3 * 2 * n + 2 * n  # three keys a line each side, the service once more


def test_match_takes_last_years_duplicates_in_order() -> None:
    """Two identical lines last year: the first this year's line takes the first of them."""
    now = [line(1, "Helpline", "Org"), line(2, "Helpline", "Org")]
    before = [line(10, "Helpline", "Org"), line(20, "Helpline", "Org"), line(30, "Helpline", "Org")]
    changes = compare._match(now, before, {})
    assert [(c.status, c.budget, c.previous_budget) for c in changes] == [
        (comparison.CONTINUED, Decimal(1), Decimal(10)),
        (comparison.CONTINUED, Decimal(2), Decimal(20)),
        (comparison.ENDED, Decimal(0), Decimal(30)),
    ]


def test_moved_only_when_one_line_each_side() -> None:
    now = [line(1, "Helpline", "New Org"), line(2, "Refuge", "A"), line(3, "Refuge", "B")]
    before = [line(1, "Helpline", "Old Org"), line(2, "Refuge", "C")]
    statuses = sorted((c.status, c.line.organisation) for c in compare._match(now, before, {}))
    assert statuses == [
        (comparison.ENDED, "C"),
        (comparison.MOVED, "New Org"),
        (comparison.NEW, "A"),
        (comparison.NEW, "B"),
    ]


def test_readme_how_it_works_has_one_line_per_module() -> None:
    readme = (PIPELINE.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    for stage in ("load", "reconcile", "compare", "Report", "render", "deliver", "outputs"):
        assert stage in section.split("| module |")[0], stage  # the drawing names each stage
    first_cells = re.findall(r"^\| (`\w+\.py`(?:, `\w+\.py`)*) \| .+ \|$", section, flags=re.M)
    listed = [name for cell in first_cells for name in re.findall(r"`(\w+)\.py`", cell)]
    modules = sorted(p.stem for p in PIPELINE.glob("*.py") if p.stem != "__init__")
    missing = sorted(set(modules) - set(listed))
    assert not missing, f"add a line for each of {missing} to README's How it works table"
    assert len(listed) == len(set(listed))
