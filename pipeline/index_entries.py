"""What the index page shows, read from the output folder alone (see :mod:`index_page`).

The manifest (``manifest.json``: what was built from what, when, what was sent) and each
workbook's findings file are all it reads, so the page can be redrawn without building. Both
may have been edited or damaged by hand: what cannot be trusted is left out, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.dated import findings_due
from pipeline.findings import CATALOGUE, Finding, Severity, sorted_findings
from pipeline.ledger import SPEND_FOLDER, spend_files
from pipeline.manifest import Manifest, relative_path, sha256
from pipeline.manifest_entry import ARCHIVED, RETIRED
from pipeline.month_names import MONTHS
from pipeline.review import Locator
from pipeline.spend import overtaken

# The files a decision folder may hold, by name, in the order the page lists them. Anything
# else the manifest records for the workbook is linked under its own name.
KINDS: tuple[tuple[str, str], ...] = (
    ("RfD-*.docx", "Request for Decision (Word)"),
    ("RfD-*.pdf", "Request for Decision (PDF)"),
    ("review-*.docx", "Review note (internal)"),
    ("review-*.pdf", "Review note (PDF)"),
    ("email-*.eml", "Sign-off e-mail"),
    ("commissioning-summary-*.xlsx", "Public summary"),
    ("position-*.xlsx", "Spend position workbook"),
    ("360giving-*.json", "Open data: 360Giving (JSON)"),
    ("360giving-*.xlsx", "Open data: 360Giving (spreadsheet)"),
    ("grants-*.csv", "Open data: grants (CSV)"),
    ("contracts-*.csv", "Open data: contracts (CSV)"),
    ("findings*.json", "Findings (JSON)"),
)


class Status(Enum):
    """What became of a workbook, as the page says it (always in words, never colour alone)."""

    FAILED = "Failed"
    EDITED = "Edited by hand"
    OUT_OF_DATE = "Workbook changed since"
    REMADE = "Template or settings changed since"
    SPEND_CHANGED = "Spend files changed since"
    DATE_CAME = "A date it depends on has come"
    UP_TO_DATE = "Up to date"
    BUILT = "Built"
    ARCHIVED = "Archived"
    STOPPED = "Build stopped"
    RETIRED = "Workbook removed"


@dataclass(frozen=True)
class Link:
    label: str
    href: str  # relative to output/, with / separators, percent-encoded


@dataclass(frozen=True)
class FundFigures:
    fund: str
    allocation: Decimal
    committed: Decimal

    @property
    def uncommitted(self) -> Decimal:
        return self.allocation - self.committed


@dataclass(frozen=True)
class Listed:
    """One finding in the review note's words."""

    severity: Severity
    what: str  # the catalogue's title
    message: str
    where: str
    action: str


@dataclass(frozen=True)
class Sending:
    when: str
    recipients: int


@dataclass(frozen=True)
class Entry:
    """One workbook's line on the page."""

    reference: str
    workbook: str  # the file name, no folder
    subject: str
    year: str
    status: Status
    stale_kept: bool
    notes: tuple[str, ...]  # why the status is what it is (edited files, missing files)
    built_at: str
    workbook_sha: str
    funds: tuple[FundFigures, ...]
    counts: dict[Severity, int]
    findings: tuple[Listed, ...]
    links: tuple[Link, ...]
    sent: tuple[Sending, ...]

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED

    @property
    def title(self) -> str:
        return self.reference or self.workbook


def read_entries(
    out: Path, cwd: Path | None = None, recipe: Mapping[str, str] | None = None
) -> list[Entry]:
    """Every workbook the manifest in ``out`` records: failed ones first, then by reference
    (in each, a workbook that could not be read, so has none, after those that have one).

    ``cwd`` is where the manifest's input paths are relative to (the folder the build ran
    from); a workbook found there is hashed to say whether it changed since its build.
    ``recipe`` is what a build would make the outputs with now (the tool's version, the
    templates, the settings: :func:`pipeline.freshness.recipe`); an entry made with another
    is not up to date. Without it, that is not judged.
    """
    manifest = Manifest.read(out)
    here = cwd or Path.cwd()
    made_with = dict(recipe or {})
    entries = [
        _entry(out, key, record, here, made_with) for key, record in manifest.entries.items()
    ]
    return sorted(
        entries,
        key=lambda e: (
            not e.failed,
            e.status in (Status.RETIRED, Status.ARCHIVED),  # history, after the current ones
            not e.reference,
            e.title.casefold(),
            e.workbook,
        ),
    )


def _file_name(key: str) -> str:
    """The workbook's file name from its manifest key: ``input/plan.xlsx`` or, recorded by a
    build on Windows, ``input\\plan.xlsx``. A key with a ``/`` is a POSIX path, whose backslashes
    belong to the name (the manifest shows an odd character in it as ``\\u202e``)."""
    return key.rsplit("/", 1)[-1] if "/" in key else key.rsplit("\\", 1)[-1]


def _entry(
    out: Path, key: str, record: dict[str, Any], cwd: Path, recipe: Mapping[str, str]
) -> Entry:
    outputs = [o for o in record.get("outputs", []) if isinstance(o, dict)]
    findings_files = [o["path"] for o in outputs if Path(o["path"]).name.startswith("findings")]
    report = _findings_file(out, findings_files)
    status, notes = _status(out, key, record, outputs, cwd, recipe)
    listed = _listed(report, key)
    counts = {s: sum(1 for f in listed if f.severity is s) for s in Severity}
    if not listed:  # no findings file to read: the manifest's counts are all there is
        recorded = record.get("counts")
        known: dict[str, object] = recorded if isinstance(recorded, dict) else {}
        counts = {s: _count(known.get(s.value)) for s in Severity}
    sent = tuple(
        Sending(str(s.get("sent_at", "")), len(s.get("to", []) or []))
        for s in record.get("sent", [])
        if isinstance(s, dict) and isinstance(s.get("to", []), list)
    )
    return Entry(
        reference=_text(record.get("reference")),
        workbook=_file_name(key),
        subject=_text(record.get("subject")),
        year=_text(record.get("financial_year")),
        status=status,
        stale_kept=bool(record.get("stale")),
        notes=tuple(notes),
        built_at=_text(record.get("built_at")),
        workbook_sha=_text(record.get("sha256"))[:12],
        funds=tuple(_funds(record.get("funds") or report.get("funds") or [])),
        counts=counts,
        findings=tuple(listed),
        links=tuple(_links(out, outputs, record, status is Status.FAILED)),
        sent=sent,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _count(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _findings_file(out: Path, paths: Sequence[str]) -> dict[str, Any]:
    for path in paths:
        try:
            data = json.loads((out / path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # removed or damaged by hand: the manifest's counts stand in
        if isinstance(data, dict):
            return data
    return {}


def _listed(report: dict[str, Any], key: str) -> list[Listed]:
    findings: list[Finding] = []
    for item in report.get("findings", []):
        if not isinstance(item, dict) or item.get("code") not in CATALOGUE:
            continue  # a hand-edited findings file: show what can be trusted
        values = {k: _text(item.get(k)) for k in ("code", "file", "message", "sheet", "cell")}
        findings.append(Finding(**values))
    locator = Locator.of(None, _text(report.get("file")) or key)
    return [
        Listed(
            f.severity,
            CATALOGUE[f.code].title,
            f.message,
            locator.where(f),
            CATALOGUE[f.code].action or "See what was found.",
        )
        for f in sorted_findings(findings)
    ]


def _output_changes(out: Path, outputs: Sequence[dict[str, Any]]) -> list[str]:
    """What became of each output since the build: gone from the folder, or changed."""
    notes = []
    for output in outputs:
        path = out / output["path"]
        name = Path(output["path"]).name
        if not path.is_file():
            notes.append(f"{name} is no longer in the folder.")
        elif path.stat().st_size != output.get("size") or sha256(path) != output.get("sha256"):
            notes.append(f"{name} was changed after it was built.")
    return notes


def _status(
    out: Path,
    key: str,
    record: dict[str, Any],
    outputs: Sequence[dict[str, Any]],
    cwd: Path,
    recipe: Mapping[str, str],
) -> tuple[Status, list[str]]:
    state = record.get("status")
    if state in ("errors", "unreadable"):
        return Status.FAILED, _left_behind(outputs)
    if state == RETIRED:
        name = _file_name(key)
        return Status.RETIRED, [
            f"The workbook {name} is no longer in its folder (deleted, moved or renamed). The "
            "files built from it were set aside as stale copies: none of them is current.",
            *_left_behind(outputs),
        ]
    if state != "ok":  # interrupted, or a damaged manifest entry
        return Status.STOPPED, ["The last build did not finish; build again."]
    notes = _output_changes(out, outputs)
    if notes:
        return Status.EDITED, notes
    current = _hash(cwd / key)  # None: the workbook is not where the build found it
    if current is None and record.get(ARCHIVED):
        name = _file_name(key)
        return Status.ARCHIVED, [
            f"The workbook {name} was put away in the archive folder beside it as a past "
            "year's plan: these files are the record of that decision."
        ]
    if current is not None and current != record.get("sha256"):
        return Status.OUT_OF_DATE, ["The workbook changed after this build; build again."]
    spend = _spend_changes(key, record, cwd) if current is not None else []
    if spend:
        return Status.SPEND_CHANGED, [*spend, "The spend position is not current; build again."]
    due = findings_due(record)
    if due is not None:
        return Status.DATE_CAME, [
            f"A date its findings depend on came on {due.strftime('%d/%m/%Y')} (a deferral "
            "of publication lifted, or the day the decision is published as awarded); build "
            "again."
        ]
    remade = _recipe_changes(record, recipe)
    if remade:
        return Status.REMADE, [*remade, "Build again to bring the outputs up to date."]
    return (Status.BUILT if current is None else Status.UP_TO_DATE), []


def _left_behind(outputs: Sequence[dict[str, Any]]) -> list[str]:
    """What a failed or retired workbook's entry still records besides its findings: earlier
    outputs that could not be moved to stale/ (open in Word or Excel when it ran)."""
    names = [Path(o["path"]).name for o in outputs]
    return [
        f"{name} is from an earlier build and could not be set aside as a stale copy (it may "
        "have been open in Word or Excel): it is not current."
        for name in names
        if not name.startswith("findings")
    ]


# What a change to each part of the recipe means to the person reading the page.
_RECIPE_CHANGES = {
    "template_sha256": "The Word template changed after this build.",
    "email_templates_sha256": "The e-mail templates changed after this build.",
    "config": "The settings changed after this build.",
    "tool_version": "pcc-report was updated after this build.",
    "tool_code": "pcc-report was updated after this build.",
}


def _recipe_changes(record: dict[str, Any], recipe: Mapping[str, str]) -> list[str]:
    """What the outputs would now be made with differently (see :func:`read_entries`)."""
    changes = (
        _RECIPE_CHANGES[key]
        for key in _RECIPE_CHANGES
        if key in recipe and record.get(key) != recipe[key]
    )
    return list(dict.fromkeys(changes))  # a new version is new code too: said once


def _hash(path: Path) -> str | None:
    """The file's SHA-256 as it is now; None when it is not there (or cannot be read)."""
    try:
        return sha256(path) if path.is_file() else None
    except OSError:
        return None


def _spend_changes(key: str, record: dict[str, Any], cwd: Path) -> list[str]:
    """What changed in the spend files since the build: a recorded file changed or gone, or a
    new export in the workbook's own ``spend/`` folder (where a build of its folder looks).

    "Up to date" must mean that building again would change nothing, and the position is
    built from these files as much as from the workbook.
    """
    recorded = record.get("spend")
    files = {
        name: digest
        for name, digest in (recorded.items() if isinstance(recorded, dict) else [])
        if name != "as-at" and isinstance(name, str)
    }
    notes: list[str] = []
    due = overtaken(record)
    if due is not None:
        notes.append(
            f"A payment dated {due.strftime('%d/%m/%Y')} was left out as not yet made on the "
            "day of this build; that day has come."
        )
    for name, digest in sorted(files.items()):
        now = _hash(cwd / name)
        if now is None:
            notes.append(f"The spend file {Path(name).name} is no longer there.")
        elif now != digest:
            notes.append(f"The spend file {Path(name).name} changed after this build.")
    folder = Path(key.replace("\\", "/")).parent / SPEND_FOLDER
    if all(Path(name.replace("\\", "/")).parent == folder for name in files):
        known = {Path(name.replace("\\", "/")).name for name in files}
        try:
            found = spend_files([cwd / folder]) if (cwd / folder).is_dir() else []
        except OSError:
            found = []
        notes.extend(
            f"The spend file {path.name} was added after this build."
            for path in found
            if path.name not in known
        )
    return notes


def _funds(rows: object) -> Iterator[FundFigures]:
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        try:
            yield FundFigures(
                _text(row.get("fund")),
                Decimal(_text(row.get("allocation"))),
                Decimal(_text(row.get("committed"))),
            )
        except InvalidOperation:
            continue  # a hand-edited figure: left out rather than guessed


def _links(
    out: Path, outputs: Sequence[dict[str, Any]], record: dict[str, Any], failed: bool
) -> Iterator[Link]:
    """The files of this workbook that exist: its folder's known files (only what the build
    recorded, for a failed one: a shared folder may hold another workbook's report), then the
    copies kept in ``stale/``."""
    recorded = [o["path"] for o in outputs]
    folders = sorted({Path(p).parts[0] for p in recorded if len(Path(p).parts) > 1})
    present: list[str] = []
    for folder in folders:
        try:
            names = sorted(p.name for p in (out / folder).iterdir() if p.is_file())
        except OSError:
            names = []
        present += [
            f"{folder}/{name}"
            for name in names
            if not name.startswith(".")
            and (f"{folder}/{name}" in recorded or not (failed or name.startswith("findings")))
        ]
    shown: set[str] = set()
    for pattern, label in KINDS:
        for relative in present:
            if relative not in shown and Path(relative).match(pattern):
                shown.add(relative)
                yield Link(label, quote(relative))
    for relative in present:
        if relative not in shown and relative in recorded:
            yield Link(Path(relative).name, quote(relative))
    for stale in record.get("stale", []):
        if isinstance(stale, str) and (out / stale).is_file():
            yield Link(f"Stale copy kept: {Path(stale).name}", quote(stale))
    for edited in record.get("edited", []):  # a person's edits, set aside for a rebuild
        if relative_path(edited) and (out / edited).is_file():
            yield Link(f"Edited copy kept: {Path(edited).name}", quote(edited))


def as_of(out: Path) -> str:
    """When the newest build recorded in the manifest ran (so a redraw alone changes nothing)."""
    times = [
        _text(e.get("built_at")) for e in Manifest.read(out).entries.values() if e.get("built_at")
    ]
    return max(times, default="")


def when(stamp: str) -> str:
    """``1 December 2026, 01:37 UTC`` from the manifest's ISO time; the text itself if odd."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}{zone}"
