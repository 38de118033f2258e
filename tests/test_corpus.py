"""Issue 8: every messy or hostile workbook in tests/corpus/ ends in located findings, not a crash.

``tests/corpus/cases.toml`` (written with the files by ``scripts/make_corpus.py``) lists per file
every finding it must give, as (code, sheet, cell) plus a fragment of the message. The per-fund
I-HEADROOM, I-EXPIRING and I-YEAR-END notes that any valid plan carries are left out of the lists.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.findings import Finding, has_errors
from pipeline.load import load
from pipeline.reconcile import check_readable, reconcile
from pipeline.values import slugify
from tests.workbooks import make_workbook, sample_content

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text("utf-8"))["case"]
LEFT_OUT = {
    "I-HEADROOM",
    "I-EXPIRING",
    "I-YEAR-END",
}  # every valid plan has them: see reconcile's tests


def findings_of(path: Path) -> tuple[list[Finding], Any]:
    """Load, and reconcile when a plan came back: every finding, as a run gives them."""
    result = load(path, label=path.name)
    findings = list(result.findings)
    recon = None
    if result.plan is not None:
        recon = reconcile(result.plan)
        findings += recon.findings
    elif result.readable is not None:  # all errors at once: the per-line rules still run
        findings += check_readable(
            result.readable,
            funds_complete=result.funds_complete,
            sources_complete=result.sources_complete,
            year_read=result.year_read,
        )
    return findings, recon


def flatten(findings: Iterable[Finding]) -> list[tuple[str, str, str]]:
    return sorted((f.code, f.sheet, f.cell) for f in findings if f.code not in LEFT_OUT)


def test_the_corpus_is_big_enough_and_complete() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "cases.toml"}
    assert len(CASES) >= 40
    assert files == {c["file"] for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_case_gives_exactly_its_findings(case: dict[str, Any]) -> None:
    path = CORPUS / case["file"]
    findings, _ = findings_of(path)
    expected = sorted((e["code"], e["sheet"], e["cell"]) for e in case["expect"])
    got = flatten(findings)
    assert got == expected, "\n".join(f"{f.code} {f.location} {f.message}" for f in findings)
    for wanted in case["expect"]:
        where = (wanted["code"], wanted["sheet"], wanted["cell"])
        messages = [f.message for f in findings if (f.code, f.sheet, f.cell) == where]
        assert any(wanted["says"] in m for m in messages), (wanted, messages)
    for finding in findings:
        assert finding.file == path.name
        assert finding.message.endswith((".", ")")), finding.message


def test_formula_injection_names_are_kept_as_text() -> None:
    plan = load(CORPUS / "formula-injection-names.xlsx").plan
    assert plan is not None
    texts = {
        value
        for line in plan.lines
        for value in (line.service, line.organisation, line.provision, line.how_commissioned)
    }
    assert {"=cmd|' /C calc'!A0", "+SUM(1)", "@x", "-2+3"} <= texts


def test_1904_dates_read_as_the_same_days() -> None:
    plan = load(CORPUS / "date-system-1904.xlsx").plan
    sample = load(CORPUS / "sample.xlsx").plan
    assert plan is not None and sample is not None
    assert [(ln.start, ln.end) for ln in plan.lines] == [(ln.start, ln.end) for ln in sample.lines]
    assert plan.decision.date == sample.decision.date


def test_text_variants_read_as_the_sample() -> None:
    """Amounts and dates typed as text give the same plan as the sample's real values."""
    sample = load(CORPUS / "sample.xlsx").plan
    assert sample is not None
    for name in (
        "amount-text-pound",
        "amount-text-decimals",
        "amount-text-spaces",
        "amount-binary-noise",
        "date-text-day-first",
        "date-text-short-year",
        "date-text-long",
        "date-text-ordinal",
        "headers-seed-wording",
        "headers-other-case",
        "headers-trailing-spaces",
        "headers-non-breaking-spaces",
        "fund-names-spacing",
        "blank-rows-after",
        "blank-formatted-rows-5000",
        "merged-title-cells",
        "sheet-names-other-case",
        "hidden-services-draft",
    ):
        plan = load(CORPUS / f"{name}.xlsx").plan
        assert plan is not None, name
        assert [(ln.fund, ln.budget, ln.start, ln.end) for ln in plan.lines] == [
            (ln.fund, ln.budget, ln.start, ln.end) for ln in sample.lines
        ], name


def test_pence_are_kept() -> None:
    _, recon = findings_of(CORPUS / "amount-pence.xlsx")
    victims = recon.funds[0]
    assert victims.committed == Decimal("805212.49")
    assert victims.allocation == victims.sources_total == Decimal("1009000.49")


@pytest.mark.parametrize("name", ["path-traversal-reference.xlsx", "path-traversal-fund.xlsx"])
def test_names_from_the_workbook_stay_inside_output(name: str, tmp_path: Path) -> None:
    plan = load(CORPUS / name).plan
    assert plan is not None
    out = (tmp_path / "output").resolve()
    for text in (plan.decision.reference, *(f.name for f in plan.funds)):
        target = (out / slugify(text) / f"RfD-{slugify(text)}.docx").resolve()
        assert target.is_relative_to(out), text
        assert ".." not in slugify(text) and "/" not in slugify(text)


# -- random cell values -----------------------------------------------------------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.sampled_from(
        [
            "£82,661",
            "82,661.00",
            " £ 750 ",
            "TBC",
            "-5",
            "1,009k",
            "April 2021",
            "31/02/2022",
            "01/04/2021",
            "Total",
            "Grand total",
            "Victims Fund",
            "Community Safety Fund",
            "Grant",
            "Partnership agreement",
            "Public sector",
            "=SUM(L1:L2)",
            "\u00a0",
            "#REF!",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),  # no cell can hold NaN or infinity
    st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)),  # Excel's range
    st.booleans(),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.lists(cell_values, min_size=12, max_size=13), min_size=0, max_size=6))
def test_random_services_cells_give_findings_or_a_plan(
    rows: list[list[Any]], tmp_path: Path
) -> None:
    content = sample_content()
    lines = [list(r) for r in content.services if r and r[0] not in ("Total", "")]
    path = make_workbook(tmp_path, services=[*lines[:3], *rows, *lines[3:]])
    result = load(path)
    if result.plan is None:
        assert has_errors(result.findings)
        return
    recon = reconcile(result.plan)
    findings = [*result.findings, *recon.findings]
    for finding in findings:
        assert finding.message
    if not has_errors(findings):
        for fund in recon.funds:
            expected = sum(
                (ln.budget for ln in result.plan.lines if ln.fund_key == fund.fund.key), Decimal(0)
            )
            assert fund.committed == expected
            assert all(isinstance(ln.budget, Decimal) for ln in fund.lines)


# -- the command line on every case (issue 8: human output, findings.json, exit code, outputs) --

ERROR_CASES = [c for c in CASES if any(e["code"].startswith("E-") for e in c["expect"])]
CLEAN_CASES = [c for c in CASES if c not in ERROR_CASES]
OWNER_FILE = "~$owner-file.xlsx"  # skipped by the batch with a note, never loaded


def cli(*args: str) -> Any:
    from click.testing import CliRunner

    from pipeline.cli import cli as command

    return CliRunner().invoke(command, list(args))


def expected_of(case: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((e["code"], e["sheet"], e["cell"]) for e in case["expect"])


def from_json(findings: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    # A run also notes that no previous year's plan was found to compare with, and that a
    # plan without a Circulation sheet gets no e-mail (and no open data without a prefix, no
    # Commissioning Strategy in the pack without a Strategy document).
    return sorted(
        (f["code"], f["sheet"], f["cell"])
        for f in findings
        if f["code"]
        not in {*LEFT_OUT, "I-NO-PREVIOUS", "I-NO-CIRCULATION", "I-360-SKIPPED", "I-NO-STRATEGY"}
    )


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["file"] != OWNER_FILE],
    ids=[c["file"] for c in CASES if c["file"] != OWNER_FILE],
)
def test_check_json_gives_the_cases_findings(case: dict[str, Any]) -> None:
    import json

    result = cli("check", "--json", str(CORPUS / case["file"]))
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == (1 if case in ERROR_CASES else 0), result.output
    report = json.loads(result.stdout)
    (workbook,) = report["workbooks"]
    assert from_json(workbook["findings"]) == expected_of(case)
    codes = {e["code"] for e in case["expect"]}
    assert workbook["status"] == (
        "unreadable" if "E-READ" in codes else "errors" if case in ERROR_CASES else "ok"
    )
    for finding in workbook["findings"]:
        assert finding["file"].endswith(case["file"])


@pytest.mark.parametrize(
    "case",
    [c for c in ERROR_CASES if c["file"] != OWNER_FILE],
    ids=[c["file"] for c in ERROR_CASES if c["file"] != OWNER_FILE],
)
def test_build_of_a_bad_workbook_writes_only_its_findings(
    case: dict[str, Any], tmp_path: Path
) -> None:
    import json

    out = tmp_path / "output"
    result = cli("build", str(CORPUS / case["file"]), "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output + result.stderr
    assert "internal error" not in result.output + result.stderr
    for wanted in case["expect"]:
        if wanted["code"].startswith("E-"):
            assert wanted["code"] in result.output
    written = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in written if p.suffix in (".docx", ".xlsx", ".pdf", ".eml")], written
    (findings_json,) = [p for p in written if p.name == "findings.json"]
    assert findings_json.resolve().is_relative_to(out.resolve())
    workbook = json.loads(findings_json.read_text("utf-8"))
    assert from_json(workbook["findings"]) == expected_of(case)


def test_the_owner_file_is_skipped_with_a_note(tmp_path: Path) -> None:
    result = cli("build", str(CORPUS / OWNER_FILE), "--out", str(tmp_path / "output"))
    # Named on its own it is the wrong file to name: a usage error, saying to name the plan.
    assert result.exit_code == 2
    assert "I-SKIPPED" in result.output and "Name the plan itself" in result.output
    assert "Traceback" not in result.output + result.stderr
    assert not list((tmp_path / "output").rglob("*.docx"))


@pytest.mark.parametrize("case", CLEAN_CASES, ids=[c["file"] for c in CLEAN_CASES])
def test_build_of_a_messy_but_valid_workbook_writes_its_outputs(
    case: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "output"
    result = cli("build", str(CORPUS / case["file"]), "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    written = [p for p in out.rglob("*") if p.is_file()]
    assert [p.suffix for p in written if p.suffix in (".docx", ".xlsx")] != []
    for path in written:
        assert path.resolve().is_relative_to(out.resolve()), path


@pytest.mark.slow
def test_a_hostile_file_gives_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    names = ["zip-bomb.xlsx", "billion-laughs.xlsx", "password-protected.xlsx", "truncated.xlsx"]
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipeline.cli import main; main()",
            "build",
            *(str(CORPUS / n) for n in names),
            "--out",
            str(tmp_path / "output"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and run.stderr.strip() == "", run.stderr
    for name in names:
        assert name in run.stdout


def _public_summary(case: str, out: Path) -> Path:
    assert cli("build", str(CORPUS / case), "--out", str(out)).exit_code == 0
    (summary,) = out.rglob("commissioning-summary-*.xlsx")
    return summary


def test_formula_injection_names_are_text_in_the_public_summary(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(_public_summary("formula-injection-names.xlsx", tmp_path))
    cells = {
        c.value: c.data_type
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    for name in ("=cmd|' /C calc'!A0", "+SUM(1)", "@x", "-2+3"):
        assert cells.get(name) == "s", name  # a string cell, never a formula


def test_personal_data_typed_into_provision_is_not_published(tmp_path: Path) -> None:
    import zipfile

    summary = _public_summary("personal-data-in-provision.xlsx", tmp_path)
    with zipfile.ZipFile(summary) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist())
    assert b"jane.smith@nwch.org.uk" not in text
    assert b"01522 947406" not in text


def test_the_committed_corpus_is_what_the_script_writes(tmp_path: Path) -> None:
    """A corpus file left behind when the generator or the sample changed is a stale test."""
    from scripts.make_corpus import main

    main([str(tmp_path)])
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.is_file()}
    assert written == committed
    stale = [
        str(name)
        for name in sorted(written)
        if (tmp_path / name).read_bytes() != (CORPUS / name).read_bytes()
    ]
    assert stale == [], f"run `python -m scripts.make_corpus` to rewrite {stale}"
