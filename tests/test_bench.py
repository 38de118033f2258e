"""The bench's own pieces (bench/): the hostile workbook it measures, its floors and stages.

Only what the bench measures and how it judges it; no timing is asserted here (domain §7).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import floor_check, run, stages


def test_the_check_floor_reads_every_sheet(sample_path: Path) -> None:
    assert floor_check.read_every_sheet(sample_path) > 25


FLOOR_MODULES = """
import json, sys
from bench import floor_check
floor_check.main(sys.argv[1:])
print(json.dumps(["pipeline.cli" in sys.modules, "click" in sys.modules,
                  "python_calamine" in sys.modules]))
"""


@pytest.mark.slow  # fresh interpreters
@pytest.mark.parametrize(("bare", "started"), [(False, True), (True, False)])
def test_the_check_floor_pays_start_up_unless_bare(
    sample_path: Path, bare: bool, started: bool
) -> None:
    # The floor of check is start-up (what every command imports, what --help costs) plus the
    # read; --bare is the interpreter and the read alone, reported beside it as information.
    args = ["--bare", str(sample_path)] if bare else [str(sample_path)]
    shown = subprocess.run(
        [sys.executable, "-c", FLOOR_MODULES, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(run.ROOT),
    )
    assert json.loads(shown.stdout) == [started, started, True]


@pytest.mark.slow
def test_the_stages_cover_a_whole_build_with_last_years_plan(
    tmp_path: Path, sample_path: Path
) -> None:
    measured = subprocess.run(
        [sys.executable, "-m", "bench.stages", str(sample_path), str(sample_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(run.ROOT),
    )
    seconds = json.loads(measured.stdout.strip().splitlines()[-1])
    assert list(seconds) == list(stages.STAGES)
    assert all(seconds[s] > 0 for s in ("read", "compare", "render Word", "render Excel"))


def _result(name: str, build: float, floor: float, **more: list[float]) -> run.SizeResult:
    result = run.SizeResult(name, 1, 1, 1, build=[build], floor=[floor], noop=[0.05])
    result.help, result.yoy = [0.05], [build]
    result.check, result.check_floor = more.get("check", [0.2]), more.get("check_floor", [0.1])
    result.check_bare = [0.03]
    return result


def test_the_targets_of_issue_21_are_judged_beside_the_first_ones() -> None:
    results = {
        "25": _result("25", 1.2, 1.0, check=[0.105], check_floor=[0.1]),
        "10k": _result("10k", 5.0, 2.0),
    }
    results["10k"].build_peak_mb = 250.0
    far = run.FarAway(seconds=[3.0], peak_mb=320.0)
    verdicts = {t.name: t.met for t in run.targets(results, far)}
    assert verdicts["sample build / floor (#21)"] is True  # 1.2 <= 1.25
    assert verdicts["sample check / start-up + calamine read (#21)"] is True  # 1.05 <= 1.1
    assert verdicts["no-op rerun, 25 lines (#21)"] is True
    assert verdicts["10k build / floor (#21)"] is False  # 2.5 > 2
    assert verdicts["10k build, peak RSS (#21)"] is True
    assert verdicts["far-away cells build / 10k floor (#21)"] is True  # 3.0 / 2.0
    assert verdicts["far-away cells build, peak RSS (#21)"] is False  # 320 > 300
    assert verdicts["far-away cells build, peak RSS"] is True  # issue 16's 400 MB
    assert verdicts["10k build, wall"] is True  # the first targets are still there


def test_the_table_shows_the_bare_read_beside_the_check_floor() -> None:
    text = run.table({"25": _result("25", 1.2, 1.0, check=[0.105], check_floor=[0.1])})
    header, _, row = text.splitlines()
    assert header.endswith("| check s | check floor s | check / floor | bare read s |")
    assert row.endswith("| 0.10 | 0.10 | 1.05 | 0.03 |")
    assert "check_bare_s" in _result("25", 1.2, 1.0).to_json()


def test_the_stage_table_shows_each_stage_and_its_share() -> None:
    text = run.stage_table({"start-up": 0.25, "render Word": 0.75})
    assert "| render Word | 0.750 | 75% |" in text
    assert "| total | 1.000 | |" in text


@pytest.mark.slow  # a million rows written under tracemalloc: about 8 s
def test_the_far_away_workbook_is_written_without_holding_its_million_rows(
    tmp_path: Path,
) -> None:
    # The bench measures a build's peak memory from its process's ru_maxrss, which carries
    # over the bench's own peak when the build is started: the generator must stay small
    # (it held the million rows' XML, ~280 MB) or the build is measured at the generator's.
    import tracemalloc
    import zipfile

    from bench.generate import LAST_ROW, write_far_away

    path = tmp_path / "far.xlsx"
    tracemalloc.start()
    try:
        write_far_away(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB"
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet4.xml") as sheet:
        sheet.seek(0, 2)
        size = sheet.tell()
        sheet.seek(size - 20_000)
        end = sheet.read()
    assert size > 50_000_000  # a helper formula on every row to the last
    assert b'<row r="%d"><c r="Q%d" t="inlineStr">' % (LAST_ROW, LAST_ROW) in end
    assert end.rstrip().endswith(b"</worksheet>")


def test_the_plan_alone_is_measured_without_last_years_plan(tmp_path: Path) -> None:
    # A workbook built by name is compared with last year's plan beside it: were the bench's
    # two plans in one folder, "the plan alone" would be the year-on-year build too.
    from bench.generate import SIZES
    from pipeline.inputs import past_plans

    bench = run.Bench(tmp_path, budget=0.0, say=print)
    for size in SIZES:
        workbook, previous = bench.workbooks(size)
        for path in (workbook, previous):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK")
        assert previous not in past_plans([workbook])
