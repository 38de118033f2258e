"""Where a build's time goes, stage by stage, for one workbook (``make bench`` prints it).

``python -m bench.stages WORKBOOK [LAST_YEAR]`` runs the pipeline's own functions in the order
a build runs them, in a fresh process, and prints one JSON object: seconds per stage. Each
stage's first call pays for the imports it needs, as in a real build, so "start-up" is only
the interpreter and what every command imports. The timing lives here, never in
``pipeline/`` (domain §7): the pipeline is called, not changed.

Stages: start-up, read (load), reconcile, compare (last year's plan read, through the cache as a build does, and compared; 0
without one), render Word, render Excel, other writers (PDF when asked, position, open data,
transparency, review note, e-mail), manifest (hash the input and outputs, write
manifest.json).
"""

from __future__ import annotations

import time

START = time.perf_counter()  # before the pipeline is imported: start-up counts what it imports

import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from pipeline.config import load_config  # noqa: E402
from pipeline.deliver import (  # noqa: E402
    WRITERS,
    Staging,
    write_request_for_decision,
    write_summary,
)
from pipeline.inputs import display  # noqa: E402
from pipeline.manifest import Manifest, sha256  # noqa: E402
from pipeline.outputs import OutputFolder  # noqa: E402
from pipeline.report import Report  # noqa: E402

STAGES = (
    "start-up",
    "read",
    "reconcile",
    "compare",
    "render Word",
    "render Excel",
    "other writers",
    "manifest",
)


def stages(workbook: Path, previous: Path | None, out: Path) -> dict[str, float]:
    """Build ``workbook`` into ``out`` stage by stage; seconds per stage (see STAGES)."""
    from pipeline.batch import TEMPLATE
    from pipeline.load import load
    from pipeline.reconcile import reconcile

    seconds: dict[str, float] = {"start-up": time.perf_counter() - START}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = seconds.get(stage, 0.0) + now - clock
        clock = now

    config = load_config(None)
    loaded = load(workbook, display(workbook))
    lap("read")
    if loaded.plan is None:
        raise SystemExit(f"{workbook} has errors; the stages need a plan that builds")
    recon = reconcile(loaded.plan, config)
    lap("reconcile")
    comparison = None
    if previous is not None:
        from pipeline.compare import compare
        from pipeline.previous import read_previous

        # As a build reads it: through the per-user cache of last year's checked plan.
        before = read_previous(previous, config)
        assert before is not None
        comparison = compare(recon, before, dict(config.aliases), config.uplift_threshold)
    lap("compare")
    report = Report(recon, comparison, tuple(recon.findings))
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    staging = Staging(folder, display(workbook), config, TEMPLATE)
    clock = time.perf_counter()
    write_request_for_decision(report, staging)
    lap("render Word")
    write_summary(report, staging)
    lap("render Excel")
    for writer in WRITERS:
        if writer not in (write_request_for_decision, write_summary):
            writer(report, staging)
    outputs = staging.commit()
    lap("other writers")
    manifest = Manifest.read(out)
    manifest.entries[display(workbook)] = {
        "sha256": sha256(workbook),
        "outputs": OutputFolder(out).outputs_record(outputs),
    }
    manifest.write()
    lap("manifest")
    return {stage: round(seconds.get(stage, 0.0), 4) for stage in STAGES}


def main(argv: list[str]) -> None:
    workbook = Path(argv[0])
    previous = Path(argv[1]) if len(argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="pcc-stages-") as out:
        print(json.dumps(stages(workbook, previous, Path(out).resolve())))


if __name__ == "__main__":
    main(sys.argv[1:])
