"""Stage 4: a folder of workbooks -> checked results, and for ``build`` the outputs on disk.

What makes it safe on a shared office machine:

* **isolation** — each workbook is loaded, reconciled and rendered on its own; one bad file
  gets its findings and never stops the others;
* **atomicity** — every output is written to a temporary file in its folder and moved into
  place with ``os.replace``; a workbook that fails keeps no new files, and its earlier outputs
  are moved into a ``stale/`` folder so nobody sends an out-of-date report;
* **one run at a time** — a lock file in the output folder; a second run waits for the first;
* **incremental and auditable** — ``manifest.json`` records, per input, its SHA-256, the
  outputs and their SHA-256, the tool and template versions; an unchanged input is not even
  opened on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import TEMPLATE_DIR, __version__
from pipeline.config import Config
from pipeline.findings import Finding, Severity, count, has_errors, sorted_findings
from pipeline.reconcile import Reconciliation
from pipeline.values import normalise, slugify

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
MANIFEST = "manifest.json"
LOCK = ".pcc-report.lock"
LOG = "pcc-report.log"
TEMPLATE = TEMPLATE_DIR / "request-for-decision.docx"
LOCK_WAIT_SECONDS = 600
READ_RETRIES = 3
RETRY_PAUSE = 0.5

Progress = Callable[[str], None]


class BatchBusy(RuntimeError):
    """Another run kept the output folder locked for longer than we are willing to wait."""


@dataclass
class WorkbookResult:
    """One workbook's passage through the pipeline."""

    path: Path
    file: str  # how messages name it, e.g. "input/lincolnshire-2021-22.xlsx"
    findings: list[Finding] = field(default_factory=list)
    recon: Reconciliation | None = None
    reference: str = ""
    outcome: str = "checked"  # checked | built | up to date | failed
    folder: Path | None = None
    outputs: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)  # funds/lines figures, kept in manifest
    previous: Path | None = None  # last year's workbook, when compared

    @property
    def status(self) -> str:
        """Derived from the findings, never set by hand: ok, errors or unreadable."""
        if any(f.code == "E-READ" for f in self.findings):
            return "unreadable"
        return "errors" if has_errors(self.findings) else "ok"

    def count(self, severity: Severity) -> int:
        return count(self.findings, severity)

    def funds_json(self) -> list[dict[str, str]]:
        if self.recon is None:
            return list(self.summary.get("funds", []))
        return [
            {
                "fund": rec.fund.name,
                "allocation": str(rec.allocation),
                "committed": str(rec.committed),
                "headroom": str(rec.headroom),
            }
            for rec in self.recon.funds
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "reference": self.reference,
            "status": self.status,
            "funds": self.funds_json(),
            "findings": [f.to_dict() for f in sorted_findings(self.findings)],
        }


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The workbooks named or inside the folders named (not sub-folders), and notes on the rest."""
    workbooks: list[Path] = []
    notes: list[Finding] = []
    for path in paths:
        candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            name = candidate.name
            if name.startswith(".") and path.is_dir():
                continue  # dot files (.gitkeep, .DS_Store) are not anybody's work
            if name.startswith("~$"):
                notes.append(Finding("I-SKIPPED", _display(candidate),
                                     f"{name} is Excel's owner file for a workbook that is open "
                                     "somewhere; it was skipped (it goes away when Excel closes)."))
                continue
            if candidate.suffix.lower() not in WORKBOOK_SUFFIXES and path.is_dir():
                notes.append(Finding("I-SKIPPED", _display(candidate),
                                     f"{name} is not an .xlsx or .xlsm workbook and was skipped; "
                                     "save plans from Excel as Excel Workbook (.xlsx)."))
                continue
            workbooks.append(candidate)
    return workbooks, notes


def _load_with_retry(path: Path, config: Config, debug: bool = False) -> WorkbookResult:
    """Load and reconcile; a file still being copied or saved gets a few more tries."""
    try:
        return _load_and_reconcile(path, config)
    except Exception as error:  # a bug must cost one workbook, not the batch
        if debug:
            raise
        label = _display(path)
        return WorkbookResult(path, label, [Finding(
            "E-READ", label,
            f"pcc-report failed while reading {path.name} ({type(error).__name__}: {error}). "
            "Check the workbook in Excel; if it looks right, send it to the maintainers "
            "(run with --debug for details).")])


def _load_and_reconcile(path: Path, config: Config) -> WorkbookResult:
    from pipeline.load import load
    from pipeline.reconcile import reconcile

    label = _display(path)
    for attempt in range(READ_RETRIES):
        before = _signature(path)
        loaded = load(path, label)
        unreadable = loaded.plan is None and any(f.code == "E-READ" for f in loaded.findings)
        if not unreadable or attempt == READ_RETRIES - 1:
            break
        time.sleep(RETRY_PAUSE)
        if _signature(path) == before and not _recent(path):
            break  # not changing and not fresh: it really is unreadable
    result = WorkbookResult(path, label, list(loaded.findings), reference=loaded.reference)
    if loaded.plan is not None:
        result.recon = reconcile(loaded.plan, config)
        result.findings.extend(result.recon.findings)
        result.reference = loaded.plan.decision.reference
    return result


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _recent(path: Path, seconds: float = 5.0) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def _flag_duplicate_references(results: Iterable[WorkbookResult]) -> None:
    """E-DUPLICATE-REF on every workbook that shares its decision reference with another."""
    by_reference: dict[str, list[WorkbookResult]] = {}
    for result in results:
        if result.reference:
            by_reference.setdefault(normalise(result.reference), []).append(result)
    for group in by_reference.values():
        if len(group) < 2:
            continue
        for result in group:
            others = ", ".join(o.file for o in group if o is not result)
            sheet, cell = "Decision", ""
            if result.recon is not None:
                at = result.recon.decision.at
                sheet, cell = at.sheet, at.cell("reference")
            result.findings.append(Finding(
                "E-DUPLICATE-REF", result.file,
                f"Decision reference {result.reference} is also used by {others}; each decision "
                "needs its own reference. Correct the reference, or remove the copy from the "
                "input folder. Neither workbook was built.", sheet, cell))


def check(paths: Sequence[Path], config: Config, debug: bool = False,
          previous: Path | None = None) -> tuple[list[WorkbookResult], list[Finding]]:
    """Load and reconcile every workbook; nothing is written."""
    workbooks, notes = discover(paths)
    results = [_load_with_retry(path, config, debug) for path in workbooks]
    _flag_duplicate_references(results)
    _Previous(paths, workbooks, results, config, previous).attach_all(results)
    return results, notes


class _Previous:
    """Finds each plan's previous-year plan: ``--previous``, the run, or ``<folder>/archive/``.

    Candidates are loaded only when a plan needs one, and each at most once.
    """

    def __init__(self, paths: Sequence[Path], workbooks: Sequence[Path],
                 results: Sequence[WorkbookResult], config: Config, explicit: Path | None):
        self.config = config
        self.explicit = explicit
        archives = [p / "archive" for p in paths if p.is_dir() and (p / "archive").is_dir()]
        self.files = [*workbooks, *(f for a in archives for f in discover([a])[0])]
        self.loaded: dict[Path, Reconciliation | None] = {
            r.path.resolve(): r.recon for r in results if r.recon is not None
            and not has_errors(r.findings)}

    def _recon(self, path: Path) -> Reconciliation | None:
        key = path.resolve()
        if key not in self.loaded:
            result = _load_with_retry(path, self.config)
            self.loaded[key] = None if has_errors(result.findings) else result.recon
        return self.loaded[key]

    def find(self, recon: Reconciliation) -> Reconciliation | None:
        from pipeline.compare import find_previous

        if self.explicit is not None:
            return self._recon(self.explicit)
        candidates = (self._recon(f) for f in self.files
                      if f.resolve() != Path(recon.plan.file).resolve())
        return find_previous(recon, (c for c in candidates if c is not None))

    def attach(self, result: WorkbookResult) -> None:
        """Add the comparison (and its findings) to an error-free result, or I-NO-PREVIOUS."""
        from pipeline.compare import compare, previous_year_label

        recon = result.recon
        if recon is None or has_errors(result.findings):
            return
        prior = self.find(recon)
        if prior is None:
            at = recon.decision.at
            if self.explicit is not None:
                why = (f"the previous plan {self.explicit} could not be used (it has errors; "
                       f"run pcc-report check {self.explicit})")
            else:
                why = (f"no {previous_year_label(recon.plan)} plan for "
                       f"{recon.decision.police_area} was found in this run or in an archive/ "
                       "folder beside the workbooks")
            result.findings.append(Finding(
                "I-NO-PREVIOUS", result.file,
                f"The year-on-year comparison is left out: {why}. To include it, put last "
                "year's workbook in input/archive/ or name it with --previous.",
                at.sheet, at.cell("financial_year")))
            return
        comparison = compare(recon, prior, dict(self.config.aliases),
                             self.config.uplift_threshold)
        result.recon = replace(recon, comparison=comparison)
        result.findings.extend(comparison.findings)
        result.previous = Path(prior.plan.file)

    def attach_all(self, results: Sequence[WorkbookResult]) -> None:
        for result in results:
            self.attach(result)


# -- build ------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _email_templates_sha() -> str:
    """One SHA-256 over templates/email.* (hashed here: importing pipeline.mail costs time)."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATE_DIR.glob("email.*")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _config_key(config: Config) -> str:
    return json.dumps({"grant_size_threshold": str(config.grant_size_threshold),
                       "s143_funds": list(config.s143_funds), "pdf": config.pdf,
                       "uplift_threshold": str(config.uplift_threshold),
                       "aliases": [list(pair) for pair in config.aliases]},
                      sort_keys=True)


@dataclass
class Manifest:
    path: Path
    entries: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, out: Path) -> Manifest:
        path = out / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data.get("workbooks", {})
            if not isinstance(entries, dict):
                entries = {}
        except (OSError, ValueError):
            entries = {}  # no manifest, or a damaged one: everything is rebuilt
        return cls(path, entries)

    def write(self) -> None:
        """Write the manifest, unless nothing changed (a no-op run touches no file)."""
        data = {"tool": "pcc-report", "version": __version__, "workbooks": self.entries}
        content = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")
        try:
            if self.path.read_bytes() == content:
                return
        except OSError:
            pass
        _write_atomic(self.path, content)


def _file_mode() -> int:
    """The mode a new file gets from the user's umask (mkstemp's own 0600 would lock out
    colleagues on the shared machine)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _temp_beside(target: Path) -> Path:
    """An empty temporary file in ``target``'s folder, so ``os.replace`` is atomic."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix="-" + target.name)
    os.close(handle)
    os.chmod(name, _file_mode())
    return Path(name)


def _write_atomic(target: Path, content: bytes) -> None:
    """Write through a temporary file in the same folder, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(target)
    try:
        with temp.open("wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


class _Builder:
    def __init__(self, out: Path, config: Config, template: Path, force: bool,
                 progress: Progress):
        self.out = out
        self.config = config
        self.template = template
        self.force = force
        self.progress = progress
        self.manifest = Manifest.read(out)
        self.template_sha = sha256(template) if template.exists() else ""
        self.config_key = _config_key(config)
        self.email_sha = _email_templates_sha()

    # -- up to date? ------------------------------------------------------------------------
    def _fingerprint(self, path: Path) -> dict[str, Any]:
        return {"sha256": sha256(path), "size": path.stat().st_size,
                "tool_version": __version__, "template_sha256": self.template_sha,
                "config": self.config_key, "email_templates_sha256": self.email_sha}

    def up_to_date(self, key: str, fingerprint: dict[str, Any]) -> bool:
        entry = self.manifest.entries.get(key)
        if self.force or not entry or entry.get("status") != "ok":
            return False
        if any(entry.get(k) != v for k, v in fingerprint.items()):
            return False
        for output in entry.get("outputs", []):
            path = self.out / output["path"]
            if not path.is_file() or path.stat().st_size != output.get("size"):
                return False
        if self.config.pdf and not any(o["path"].endswith(".pdf") for o in entry["outputs"]):
            return False  # the PDF failed last time (W-PDF): try again
        previous = entry.get("previous")
        if previous:  # last year's workbook changed or went: the comparison must be redone
            path = Path(previous["input"])
            if not path.is_file() or sha256(path) != previous["sha256"]:
                return False
        return True

    # -- writing ----------------------------------------------------------------------------
    def folder_for(self, result: WorkbookResult) -> Path:
        name = slugify(result.reference) if result.reference else slugify(result.path.stem)
        folder = (self.out / name).resolve()
        if self.out.resolve() not in folder.parents:  # slugify prevents this; belt and braces
            raise ValueError(f"refusing to write outside {self.out}: {folder}")
        return folder

    def render(self, result: WorkbookResult) -> list[Path]:
        """Render both documents to temporary files, then move them into place together."""
        from pipeline.render_docx import docx_name, render_docx
        from pipeline.render_xlsx import render_xlsx, summary_name

        assert result.recon is not None
        # The report lists every finding of the workbook, not only the rules' (I-HIDDEN from
        # loading, the year-on-year notes), so the Chief Finance Officer sees them all.
        recon = replace(result.recon, findings=tuple(result.findings))
        folder = self.folder_for(result)
        folder.mkdir(parents=True, exist_ok=True)
        targets = [folder / docx_name(recon.decision), folder / summary_name(recon.decision)]
        temps: list[Path] = []
        try:
            for target, render in zip(targets, (self._docx(render_docx), render_xlsx),
                                      strict=True):
                temps.append(_temp_beside(target))
                render(recon, temps[-1])
            self._send_ready(result, recon, folder, targets, temps)
            for temp, target in zip(temps, targets, strict=True):
                os.replace(temp, target)
        finally:
            for temp in temps:
                temp.unlink(missing_ok=True)
        return targets

    def _send_ready(self, result: WorkbookResult, recon: Reconciliation, folder: Path,
                    targets: list[Path], temps: list[Path]) -> None:
        """Add the PDF (when asked for) and the sign-off e-mail to ``targets``/``temps``.

        ``targets[0]``/``temps[0]`` is the Word report. A PDF that cannot be made is a W-PDF
        warning, not a failed build; no Circulation sheet means no e-mail (I-NO-CIRCULATION).
        """
        from pipeline.pdf import PdfError, pdf_name, to_pdf

        attachments: list[tuple[str, Path]] = [(targets[0].name, temps[0])]
        if self.config.pdf:
            target = folder / pdf_name(targets[0].name)
            temps.append(_temp_beside(target))
            try:
                to_pdf(temps[0], temps[-1])
                targets.append(target)
                attachments.append((target.name, temps[-1]))
            except PdfError as error:
                temps.pop().unlink(missing_ok=True)
                result.findings.append(Finding("W-PDF", result.file, f"No PDF was made: {error}"))
        if not recon.plan.circulation:
            result.findings.append(Finding(
                "I-NO-CIRCULATION", result.file,
                "No e-mail was prepared: the workbook has no Circulation sheet listing who the "
                "report goes to for sign-off. Add a sheet named Circulation with the columns "
                "Role, Name and E-mail to have the build prepare it."))
            return
        from pipeline import mail  # only now: most plans have no Circulation sheet

        message = mail.compose(recon, result.findings,
                               [mail.Attachment(name, path) for name, path in attachments])
        target = folder / mail.email_name(recon.decision)
        temps.append(_temp_beside(target))
        temps[-1].write_bytes(mail.to_bytes(message))
        targets.append(target)

    def _docx(self, render_docx: Callable[..., None]) -> Callable[[Reconciliation, Path], None]:
        def render(recon: Reconciliation, target: Path) -> None:
            render_docx(recon, target, self.template)
        return render

    def write_findings(self, result: WorkbookResult) -> Path:
        folder = self.folder_for(result)
        target = folder / "findings.json"
        data = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
        _write_atomic(target, data.encode("utf-8"))
        return target

    def mark_stale(self, key: str, keep: Sequence[Path] = ()) -> list[Path]:
        """Move the earlier outputs of ``key`` aside into ``stale/``, except those in ``keep``."""
        entry = self.manifest.entries.get(key, {})
        moved: list[Path] = []
        for output in entry.get("outputs", []):
            path = (self.out / output["path"]).resolve()
            if path in {k.resolve() for k in keep} or not path.is_file():
                continue
            if self.out.resolve() not in path.parents:
                continue  # a tampered manifest must not move files from elsewhere
            stale_dir = path.parent / "stale"
            stale_dir.mkdir(exist_ok=True)
            target = stale_dir / path.name
            os.replace(path, target)
            moved.append(target)
        return moved

    def record(self, key: str, result: WorkbookResult, fingerprint: dict[str, Any]) -> None:
        outputs = [
            {"path": str(p.relative_to(self.out.resolve())), "sha256": sha256(p),
             "size": p.stat().st_size}
            for p in result.outputs
        ]
        self.manifest.entries[key] = {
            "input": key,
            **fingerprint,
            "status": result.status,
            "reference": result.reference,
            "outputs": outputs,
            "stale": [str(p.relative_to(self.out.resolve())) for p in result.stale],
            "previous": ({"input": _display(result.previous), "sha256": sha256(result.previous)}
                         if result.previous else None),
            "funds": result.funds_json(),
            "counts": {s.value: result.count(s) for s in Severity},
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sent": self.manifest.entries.get(key, {}).get("sent", []),  # pcc-report send's log
        }


def build(
    paths: Sequence[Path],
    out: Path,
    config: Config,
    *,
    force: bool = False,
    template: Path | None = None,
    progress: Progress | None = None,
    debug: bool = False,
    previous: Path | None = None,
) -> tuple[list[WorkbookResult], list[Finding]]:
    """Build every workbook under ``paths`` into ``out``; see the module docstring."""
    from filelock import FileLock, Timeout

    say = progress or (lambda _message: None)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"Another build is writing to {out}/ right now; waiting for it to finish…")
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout as error:
            raise BatchBusy(
                f"Another build kept {out}/ busy for {LOCK_WAIT_SECONDS // 60} minutes. If no "
                f"one else is running make report, delete {out / LOCK} and try again."
            ) from error
    try:
        return _build_locked(paths, out, config, force, template or TEMPLATE, say, debug,
                             previous)
    finally:
        lock.release()


def _build_locked(paths: Sequence[Path], out: Path, config: Config, force: bool,
                  template: Path, say: Progress, debug: bool,
                  previous: Path | None) -> tuple[list[WorkbookResult], list[Finding]]:
    builder = _Builder(out, config, template, force, say)
    workbooks, notes = discover(paths)
    results: list[WorkbookResult] = []
    fingerprints: dict[str, dict[str, Any]] = {}
    for path in workbooks:
        key = _display(path)
        try:
            fingerprints[key] = builder._fingerprint(path)
        except OSError:
            fingerprints[key] = {}
        if fingerprints[key] and builder.up_to_date(key, fingerprints[key]):
            entry = builder.manifest.entries[key]
            result = WorkbookResult(path, key, reference=entry.get("reference", ""),
                                    outcome="up to date", summary=entry)
            result.outputs = [out.resolve() / o["path"] for o in entry.get("outputs", [])]
            results.append(result)
        else:
            results.append(_load_with_retry(path, config, debug))
    _flag_duplicate_references(results)
    _Previous(paths, workbooks, results, config, previous).attach_all(
        [r for r in results if r.outcome != "up to date"])

    for result in results:
        # An unchanged workbook is skipped, unless it now clashes with another's reference.
        if not (result.outcome == "up to date" and not has_errors(result.findings)):
            _build_one(builder, result, fingerprints.get(result.file, {}), debug)
        say_result(result, say)
    builder.manifest.write()
    _log(out, results)
    return results, notes


def _build_one(builder: _Builder, result: WorkbookResult, fingerprint: dict[str, Any],
               debug: bool = False) -> None:
    key = result.file
    if result.status == "ok":
        try:
            result.outputs = builder.render(result)
        except Exception as error:  # a broken template or a renderer bug: report, don't crash
            if debug:
                raise
            result.findings.append(Finding(
                "E-RENDER", result.file,
                f"The outputs could not be written ({type(error).__name__}: {error}). If the Word "
                "template was edited, check the {{ }} fields or rebuild it with "
                "scripts/make_template.py; otherwise report this to the maintainers."))
            result.outputs = []
    result.folder = builder.folder_for(result)
    findings_path = builder.write_findings(result)
    if result.status == "ok":
        result.outcome = "built"
        result.stale = builder.mark_stale(key, keep=[*result.outputs, findings_path])
        stale_dir = result.folder / "stale"
        if stale_dir.is_dir():
            shutil.rmtree(stale_dir)  # a good build replaces whatever was set aside before
            result.stale = []
        result.outputs.append(findings_path)
    else:
        result.outcome = "failed"
        result.stale = builder.mark_stale(key, keep=[findings_path])
        result.outputs = [findings_path]
    builder.record(key, result, fingerprint)


def say_result(result: WorkbookResult, say: Progress) -> None:
    counts = (f"{result.count(Severity.ERROR)} errors, {result.count(Severity.WARNING)} warnings, "
              f"{result.count(Severity.INFO)} notes")
    if result.outcome == "up to date":
        say(f"up to date  {result.file}")
    elif result.outcome == "built":
        say(f"built       {result.file} -> {_display(result.folder or Path())}/ ({counts})")
    elif result.outcome == "failed":
        say(f"FAILED      {result.file} ({counts}); see {_display(result.folder or Path())}/"
            "findings.json")


def _log(out: Path, results: Sequence[WorkbookResult]) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    lines = [f"{stamp} {r.outcome:<10} {r.status:<10} {r.file}\n" for r in results]
    try:
        with (out / LOG).open("a", encoding="utf-8") as log:
            log.writelines(lines)
    except OSError:
        pass  # the log is a convenience; the manifest is the record
