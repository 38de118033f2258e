"""``make bench`` for spend files: the sample plan built with a 100,000-row ledger, against the
same build without one (issue #18: at most 5 s more and at most 500 MB).

    python -m bench.spend               # 100,000 rows, 3 runs each
    python -m bench.spend --rows 20000 --runs 5

Each measurement is a whole process (``pcc-report build FOLDER --out DIR --force``), timed and
reaped with ``os.wait4`` by :func:`bench.run.run`; the two builds take turns and the medians are
compared. The ledger is deterministic: the sample's delivery organisations in turn, a payment a
row, every fortieth a credit note, one in 500 to an unknown supplier.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.run import PCC_REPORT, Run, run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "lincolnshire-2021-22.xlsx"
SUPPLIERS = (
    "Rape Crisis",
    "NWCH",
    "NUHT",
    "Restorative Solutions CIC",
    "Stop Hate",
    "Safer Living Foundation",
    "Lincolnshire Partnership Foundation Trust",
    "Crimestoppers",
    "EDAN Lincs",
    "North Kesteven District Council",
    "LPFT",
    "Victim Support",
)
LIMIT_SECONDS = 5.0
LIMIT_MB = 500.0


def write_ledger(path: Path, rows: int) -> Path:
    """A ledger of ``rows`` payments across April 2021 to March 2022."""
    start = dt.date(2021, 4, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("Date", "Supplier", "Amount", "Transaction number", "INV/CRN"))
        for index in range(rows):
            day = start + dt.timedelta(days=index * 365 // rows)
            supplier = SUPPLIERS[index % len(SUPPLIERS)]
            if index % 500 == 499:
                supplier = "Unknown Supplier Ltd"  # one payment in 500 matches no line
            pence = 50_000 + (index * 7919) % 150_000
            credit = "CRN" if index % 40 == 0 else "INV"
            writer.writerow(
                (
                    day.strftime("%d/%m/%Y"),
                    supplier,
                    f"{pence // 100}.{pence % 100:02d}",
                    f"T{index}",
                    credit,
                )
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-spend-") as tmp:
        plain, spend = Path(tmp) / "plain", Path(tmp) / "spend"
        for folder in (plain, spend):
            folder.mkdir()
            shutil.copy(SAMPLE, folder)
        (spend / "spend").mkdir()
        ledger = write_ledger(spend / "spend" / "ledger.csv", options.rows)
        without: list[Run] = []
        with_spend: list[Run] = []
        for number in range(options.runs):
            for folder, runs in ((plain, without), (spend, with_spend)):
                out = Path(tmp) / f"out-{folder.name}-{number}"
                result = run([PCC_REPORT, "build", folder, "--out", out, "--force", "-q"])
                if result.status not in (0, 1):
                    raise SystemExit(f"build failed ({result.status}):\n{result.output}")
                runs.append(result)
        base = statistics.median(r.seconds for r in without)
        spent = statistics.median(r.seconds for r in with_spend)
        peak = max(r.peak_mb for r in with_spend)
        size = ledger.stat().st_size / (1024 * 1024)
    extra = spent - base
    print(f"ledger: {options.rows:,} rows ({size:.1f} MB), {options.runs} runs each")
    print("| build | wall s | peak MB |")
    print("|---|---:|---:|")
    print(f"| sample, no spend | {base:.2f} | {max(r.peak_mb for r in without):.0f} |")
    print(f"| sample + {options.rows:,} payments | {spent:.2f} | {peak:.0f} |")
    verdict = "pass" if extra <= LIMIT_SECONDS and peak <= LIMIT_MB else "FAIL"
    print(
        f"extra time {extra:.2f} s (limit {LIMIT_SECONDS} s), peak {peak:.0f} MB "
        f"(limit {LIMIT_MB:.0f} MB): {verdict}"
    )


if __name__ == "__main__":
    main()
