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
  opened on the next run;
* **hostile folders** — a build that is stopped (Ctrl-C, SIGTERM, a kill) leaves nothing
  half-written that the next run does not sweep away; files in the output folder that the
  tool did not write are never deleted or moved; a damaged or hand-edited manifest is read as
  "rebuild", never as a licence to touch files outside the output folder; two workbooks never
  write to one report folder silently (E-DUPLICATE-REF).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import TEMPLATE_DIR, __version__
from pipeline.config import Config
from pipeline.contract import WORKBOOK_SUFFIXES
from pipeline.findings import Finding, Severity, count, has_errors, sorted_findings
from pipeline.manifest import (
    MANIFEST,
    Manifest,
    sha256,
    temp_beside,
    write_atomic,
)
from pipeline.reconcile import Reconciliation
from pipeline.values import counted, normalise, slugify

LOCK = ".pcc-report.lock"
LOG = "pcc-report.log"
TEMPLATE = TEMPLATE_DIR / "request-for-decision.docx"
LOCK_WAIT_SECONDS = 600
READ_RETRIES = 3
RETRY_PAUSE = 0.5
FINDINGS = "findings.json"
# What _temp_beside (mkstemp) and pdf.py (mkdtemp) name their temporary files and folders: a
# run that was killed leaves these, and only these, for the next run to sweep away.
_TEMPORARY = re.compile(r"\.tmp-(?:pdf-)?[a-z0-9_]{8}(?:-.+)?")
_SURROGATES = re.compile("[\ud800-\udfff]")

Progress = Callable[[str], None]


class BatchBusy(RuntimeError):
    """Another run kept the output folder locked for longer than we are willing to wait."""


class OutputUnwritable(RuntimeError):
    """The output folder cannot be made or written to (read-only, a file in the way, no space)."""


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
    findings_name: str = FINDINGS  # findings-<file>.json where workbooks share a report folder

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


def _printable(text: str) -> str:
    """``text`` with the undecodable bytes of a file name (a name copied from an old Windows or
    Mac share) shown as \ufffd, so messages, findings.json and the console can carry it."""
    return _SURROGATES.sub("\ufffd", text)


def _display(path: Path) -> str:
    """How messages and the manifest name ``path``: relative to the current folder when inside
    it, and as the user sees it (a link keeps its own name, not its target's)."""
    try:
        text = str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        text = str(path)
    return _printable(text)


def _skipped(candidate: Path, message: str) -> Finding:
    return Finding("I-SKIPPED", _display(candidate), message)


def _owner_file(candidate: Path) -> Finding:
    return _skipped(
        candidate,
        (
            f"{_printable(candidate.name)} is Excel's owner file for a workbook that is open "
            "somewhere; it was skipped (it goes away when Excel closes)."
        ),
    )


def _folder_entries(folder: Path) -> Iterator[tuple[Path, Finding | None]]:
    """The files of ``folder`` (not its sub-folders) that may be workbooks, with a note (and no
    path to build) for each thing that is left out."""
    for candidate in sorted(folder.iterdir()):
        name = _printable(candidate.name)
        if name.startswith("."):
            continue  # dot files (.gitkeep, .DS_Store) are not anybody's work
        if candidate.is_dir():
            if name != "archive":  # archive/ holds last year's plans, read for the comparison
                yield (
                    candidate,
                    _skipped(
                        candidate,
                        (
                            f"{name} is a folder; workbooks in sub-folders are not built. Move them "
                            f"into {_display(folder)}/ itself, or name the folder: pcc-report build "
                            f"{_display(candidate)}"
                        ),
                    ),
                )
        elif candidate.is_symlink() and not candidate.exists():
            yield (
                candidate,
                _skipped(
                    candidate,
                    (
                        f"{name} is a shortcut (link) to {_printable(os.readlink(candidate))}, which is "
                        "not there any more; copy the workbook itself into the folder, or delete the "
                        "shortcut."
                    ),
                ),
            )
        elif not candidate.is_file():
            yield (
                candidate,
                _skipped(
                    candidate,
                    (
                        f"{name} is not an ordinary file (a device or pipe) and was skipped; copy the "
                        "workbook itself into the folder."
                    ),
                ),
            )
        elif name.startswith("~$"):
            yield candidate, _owner_file(candidate)
        elif candidate.suffix.lower() not in WORKBOOK_SUFFIXES:
            yield (
                candidate,
                _skipped(
                    candidate,
                    (
                        f"{name} is not an .xlsx or .xlsm workbook and was skipped; save plans from "
                        "Excel as Excel Workbook (.xlsx)."
                    ),
                ),
            )
        else:
            yield candidate, None


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The workbooks named or inside the folders named (not sub-folders), and notes on the rest.

    A workbook reached twice (``build input input/plan.xlsx``, or a link beside its target) is
    built once.
    """
    workbooks: list[Path] = []
    notes: list[Finding] = []
    seen: dict[Path, Path] = {}  # the real file -> the name it is built under
    for path in paths:
        entries = (
            _folder_entries(path)
            if path.is_dir()
            else iter([(path, _owner_file(path) if path.name.startswith("~$") else None)])
        )
        for candidate, note in entries:
            if note is not None:
                notes.append(note)
                continue
            real = candidate.resolve()
            if real in seen:
                if _display(seen[real]) != _display(candidate):
                    notes.append(
                        _skipped(
                            candidate,
                            (
                                f"{_printable(candidate.name)} is the same file as "
                                f"{_display(seen[real])} (a link or a second name), which is built "
                                "once."
                            ),
                        )
                    )
                continue
            seen[real] = candidate
            workbooks.append(candidate)
    return workbooks, notes


def _load_with_retry(path: Path, config: Config, debug: bool = False) -> WorkbookResult:
    """Load and reconcile; a file still being copied or saved gets a few more tries."""
    try:
        return _load_and_reconcile(path, config)
    except Exception as error:  # a bug must cost one workbook, not the batch
        if debug:
            raise
        return _unreadable(
            path,
            _printable(
                f"pcc-report failed while reading {path.name} ({type(error).__name__}: "
                f"{error}). Check the workbook in Excel; if it looks right, send it to "
                "the maintainers (run with --debug for details)."
            ),
        )


def _unreadable(path: Path, message: str) -> WorkbookResult:
    """A workbook that could not be read at all: one E-READ saying why and what to do."""
    label = _display(path)
    return WorkbookResult(path, label, [Finding("E-READ", label, message)])


def _load_and_reconcile(path: Path, config: Config) -> WorkbookResult:
    from pipeline.load import load
    from pipeline.reconcile import reconcile

    label = _display(path)
    if _SURROGATES.search(str(path)) and path.exists():
        return _unreadable(
            path,
            f"The name {_printable(path.name)} has characters that cannot be read (the file "
            "was probably copied from an old Windows or Mac share). Rename it, e.g. to "
            "plan-2021-22.xlsx, then run again.",
        )
    for attempt in range(READ_RETRIES):
        before = _signature(path)
        loaded = load(path, label)
        after = _signature(path)
        unreadable = loaded.plan is None and any(f.code == "E-READ" for f in loaded.findings)
        changed = before != after  # copied over, saved or replaced while it was being read
        if after is None or (not changed and (not unreadable or not _recent(path))):
            break
        if attempt == READ_RETRIES - 1:
            break
        time.sleep(RETRY_PAUSE)
    findings = [replace(f, message=_printable(f.message)) for f in loaded.findings]
    name = _printable(path.name)
    if after is None:
        return _unreadable(
            path,
            f"{name} was removed or renamed while pcc-report was reading it. If it was moved "
            "on purpose there is nothing to do; otherwise put it back in the folder and run "
            "again.",
        )
    if changed:
        return _unreadable(
            path,
            f"{name} kept changing while pcc-report read it ({READ_RETRIES} tries): it is "
            "probably still being copied or saved. Wait until the copy or save has finished, "
            "then run again; if this repeats, copy the workbook again from its original.",
        )
    result = WorkbookResult(path, label, findings, reference=loaded.reference)
    if loaded.plan is not None:
        result.recon = reconcile(loaded.plan, config)
        result.findings.extend(result.recon.findings)
        result.reference = loaded.plan.decision.reference
    return result


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _recent(path: Path, seconds: float = 5.0) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def _flag_duplicate_references(results: Iterable[WorkbookResult]) -> None:
    """E-DUPLICATE-REF on every workbook that shares its report folder with another.

    The folder is the decision reference made safe for a file name, so ``015/2021`` and
    ``015-2021`` (or ``015 / 2021``) clash as surely as two copies of one workbook do: the
    second would overwrite the first's report.
    """
    by_folder: dict[str, list[WorkbookResult]] = {}
    for result in results:
        if result.reference:
            by_folder.setdefault(slugify(result.reference), []).append(result)
    for folder, group in by_folder.items():
        if len(group) < 2:
            continue
        for result in group:
            others = [o for o in group if o is not result]
            if all(normalise(o.reference) == normalise(result.reference) for o in others):
                clash = (
                    f"Decision reference {result.reference} is also used by "
                    f"{', '.join(o.file for o in others)}"
                )
            else:
                clash = (
                    f"Decision reference {result.reference} would share the report "
                    f"folder {folder}/ with "
                    f"{', '.join(f'{o.reference} in {o.file}' for o in others)}, and one "
                    "report would overwrite the other"
                )
            sheet, cell = "Decision", ""
            if result.recon is not None:
                at = result.recon.decision.at
                sheet, cell = at.sheet, at.cell("reference")
            result.findings.append(
                Finding(
                    "E-DUPLICATE-REF",
                    result.file,
                    f"{clash}; each decision needs its own reference. Correct the reference, or "
                    "remove the copy from the input folder. Neither workbook was built.",
                    sheet,
                    cell,
                )
            )


def check(
    paths: Sequence[Path], config: Config, debug: bool = False, previous: Path | None = None
) -> tuple[list[WorkbookResult], list[Finding]]:
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

    def __init__(
        self,
        paths: Sequence[Path],
        workbooks: Sequence[Path],
        results: Sequence[WorkbookResult],
        config: Config,
        explicit: Path | None,
    ):
        self.config = config
        self.explicit = explicit
        archives = [p / "archive" for p in paths if p.is_dir() and (p / "archive").is_dir()]
        self.files = [*workbooks, *(f for a in archives for f in discover([a])[0])]
        self.loaded: dict[Path, Reconciliation | None] = {
            r.path.resolve(): r.recon
            for r in results
            if r.recon is not None and not has_errors(r.findings)
        }

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
        candidates = (
            self._recon(f) for f in self.files if f.resolve() != Path(recon.plan.file).resolve()
        )
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
                why = (
                    f"the previous plan {self.explicit} could not be used (it has errors; "
                    f"run pcc-report check {self.explicit})"
                )
            else:
                why = (
                    f"no {previous_year_label(recon.plan)} plan for "
                    f"{recon.decision.police_area} was found in this run or in an archive/ "
                    "folder beside the workbooks"
                )
            result.findings.append(
                Finding(
                    "I-NO-PREVIOUS",
                    result.file,
                    f"The year-on-year comparison is left out: {why}. To include it, put last "
                    "year's workbook in input/archive/ or name it with --previous.",
                    at.sheet,
                    at.cell("financial_year"),
                )
            )
            return
        comparison = compare(recon, prior, dict(self.config.aliases), self.config.uplift_threshold)
        result.recon = replace(recon, comparison=comparison)
        result.findings.extend(comparison.findings)
        result.previous = Path(prior.plan.file)

    def attach_all(self, results: Sequence[WorkbookResult]) -> None:
        for result in results:
            self.attach(result)


# -- build ------------------------------------------------------------------------------------


def _email_templates_sha() -> str:
    """One SHA-256 over templates/email.* (hashed here: importing pipeline.mail costs time)."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATE_DIR.glob("email.*")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _config_key(config: Config) -> str:
    return json.dumps(
        {
            "grant_size_threshold": str(config.grant_size_threshold),
            "s143_funds": list(config.s143_funds),
            "pdf": config.pdf,
            "uplift_threshold": str(config.uplift_threshold),
            "aliases": [list(pair) for pair in config.aliases],
        },
        sort_keys=True,
    )


class _FolderRefused(Exception):
    """A report folder that leads outside the output folder (a link someone put there)."""


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links followed, is inside the (resolved) folder ``root``."""
    return root in path.resolve().parents


def _unwritable_reason(error: OSError, where: Path) -> str:
    """What went wrong writing to ``where``, and the fix, in a finance officer's words."""
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        blocker = Path(error.filename) if error.filename else where
        while not blocker.exists() and blocker != blocker.parent:  # afile/sub: afile is the file
            blocker = blocker.parent
        return (
            f"{_display(blocker)} is a file where pcc-report needs a folder; rename or move "
            "that file (pcc-report did not write it), then run again"
        )
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {_display(where)}/ is full; free some space, then run again"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"pcc-report may not write to {_display(where)}/ ({error.strerror}); ask for "
            "write access to that folder, then run again"
        )
    return (
        f"writing to {_display(where)}/ failed ({error.strerror or error}); check the "
        "folder (and, on a network drive, the connection), then run again"
    )


def _sweep_temporaries(out: Path) -> None:
    """Remove what a killed run left half-written: its ``.tmp-`` files and folders.

    Runs under the lock, so no live run is writing them. Only names in the tool's own
    ``.tmp-xxxxxxxx-`` pattern, in the output folder, its report folders and their ``stale/``.
    """
    folders = [out]
    for folder in (out, *[f for f in out.iterdir() if f.is_dir() and not f.is_symlink()]):
        folders.append(folder)
        stale = folder / "stale"
        if folder is not out and stale.is_dir() and not stale.is_symlink():
            folders.append(stale)
    for folder in dict.fromkeys(folders):
        try:
            leftovers = [e for e in folder.iterdir() if _TEMPORARY.fullmatch(e.name)]
        except OSError:
            continue
        for leftover in leftovers:
            try:
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
            except OSError:
                pass  # best effort: a later run tries again


class _Builder:
    """Builds one workbook at a time into the output folder and keeps its manifest entry."""

    def __init__(self, out: Path, config: Config, template: Path, force: bool, progress: Progress):
        self.out = out
        self.root = out.resolve()
        self.config = config
        self.template = template
        self.force = force
        self.progress = progress
        self.manifest = Manifest.read(out)
        self.template_sha = sha256(template) if template.exists() else ""
        self.config_key = _config_key(config)
        self.email_sha = _email_templates_sha()
        self.fingerprints: dict[str, dict[str, Any]] = {}

    # -- up to date? ------------------------------------------------------------------------
    def _fingerprint(self, path: Path) -> dict[str, Any]:
        try:
            return {
                "sha256": sha256(path),
                "size": path.stat().st_size,
                "tool_version": __version__,
                "template_sha256": self.template_sha,
                "config": self.config_key,
                "email_templates_sha256": self.email_sha,
            }
        except OSError:
            return {}  # gone or unreadable: the load says which

    def up_to_date(self, key: str, fingerprint: dict[str, Any]) -> bool:
        entry = self.manifest.entries.get(key)
        if self.force or not fingerprint or not entry or entry.get("status") != "ok":
            return False
        if any(entry.get(k) != v for k, v in fingerprint.items()):
            return False
        for output in entry.get("outputs", []):
            path = self.out / output["path"]
            if (
                not _inside(self.root, path)
                or not path.is_file()
                or path.stat().st_size != output.get("size")
            ):
                return False
        if self.config.pdf and not any(o["path"].endswith(".pdf") for o in entry["outputs"]):
            return False  # the PDF failed last time (W-PDF): try again
        previous = entry.get("previous")
        if previous:  # last year's workbook changed or went: the comparison must be redone
            path = Path(previous["input"])
            if not path.is_file() or sha256(path) != previous["sha256"]:
                return False
        return True

    def triage(self, path: Path, debug: bool) -> WorkbookResult:
        """The workbook's result: "up to date" from the manifest, or loaded and reconciled."""
        key = _display(path)
        signature = _signature(path)
        fingerprint = self._fingerprint(path)
        if self.up_to_date(key, fingerprint):
            entry = self.manifest.entries[key]
            result = WorkbookResult(
                path, key, reference=entry.get("reference", ""), outcome="up to date", summary=entry
            )
            result.outputs = [self.root / o["path"] for o in entry.get("outputs", [])]
        else:
            result = _load_with_retry(path, self.config, debug)
            if _signature(path) != signature:  # replaced since it was hashed: hash it again
                fingerprint = self._fingerprint(path)
        self.fingerprints[key] = fingerprint
        return result

    # -- report folders ---------------------------------------------------------------------
    @staticmethod
    def folder_name(result: WorkbookResult) -> str:
        return slugify(result.reference) if result.reference else slugify(result.path.stem)

    def folder_for(self, result: WorkbookResult) -> Path:
        """``out/<reference-slug>/``, refused if a link there leads outside ``out``."""
        folder = self.root / self.folder_name(result)
        if not _inside(self.root, folder):  # slugify keeps out ".."; a link could still
            raise _FolderRefused(
                f"{_display(self.out / folder.name)} is a link to {_display(folder.resolve())}, "
                f"outside {_display(self.out)}/, and pcc-report writes only inside its output "
                f"folder. Remove the link {_display(self.out / folder.name)}, then run again."
            )
        return folder

    def assign_findings_names(self, results: Sequence[WorkbookResult]) -> None:
        """Give a workbook that shares its report folder a findings file of its own.

        The folder belongs to its decision reference: the one workbook carrying it writes
        ``findings.json``. A workbook without a reference (unreadable) whose file name lands in
        a decision's folder, or several that share one (E-DUPLICATE-REF), each write
        ``findings-<file name>.json`` instead, so none overwrites another's.
        """
        claims: dict[str, list[WorkbookResult]] = {}
        for result in results:
            claims.setdefault(self.folder_name(result), []).append(result)
        keys = {r.file for r in results}
        earlier = {
            Path(o["path"]).parts[0]: key
            for key, entry in self.manifest.entries.items()
            if key not in keys and entry.get("reference")
            for o in entry.get("outputs", [])
        }
        for name, group in claims.items():
            referenced = [r for r in group if r.reference]
            owner: WorkbookResult | None = None
            if len(referenced) == 1:
                owner = referenced[0]
            elif not referenced and len(group) == 1 and name not in earlier:
                owner = group[0]
            for result in group:
                if result is not owner:
                    result.findings_name = f"findings-{slugify(result.path.name)}.json"

    # -- writing ----------------------------------------------------------------------------
    def render(self, result: WorkbookResult, folder: Path) -> list[Path]:
        """Render both documents to temporary files, then move them into place together."""
        from pipeline.render_docx import docx_name, render_docx
        from pipeline.render_xlsx import render_xlsx, summary_name

        assert result.recon is not None
        # The report lists every finding of the workbook, not only the rules' (I-HIDDEN from
        # loading, the year-on-year notes), so the Chief Finance Officer sees them all.
        recon = replace(result.recon, findings=tuple(result.findings))
        folder.mkdir(parents=True, exist_ok=True)
        targets = [folder / docx_name(recon.decision), folder / summary_name(recon.decision)]
        temps: list[Path] = []
        try:
            for target, render in zip(targets, (self._docx(render_docx), render_xlsx), strict=True):
                temps.append(temp_beside(target))
                render(recon, temps[-1])
            self._send_ready(result, recon, folder, targets, temps)
            for temp, target in zip(temps, targets, strict=True):
                os.replace(temp, target)
        finally:
            for temp in temps:
                temp.unlink(missing_ok=True)
        return targets

    def _send_ready(
        self,
        result: WorkbookResult,
        recon: Reconciliation,
        folder: Path,
        targets: list[Path],
        temps: list[Path],
    ) -> None:
        """Add the PDF (when asked for), the review note and the sign-off e-mail (with the
        review note attached) to ``targets``/``temps``.

        ``targets[0]``/``temps[0]`` is the Word report. A PDF that cannot be made is a W-PDF
        warning, not a failed build; no Circulation sheet means no e-mail (I-NO-CIRCULATION).
        """
        from pipeline.pdf import PdfError, pdf_name, to_pdf

        attachments: list[tuple[str, Path]] = [(targets[0].name, temps[0])]
        if self.config.pdf:
            target = folder / pdf_name(targets[0].name)
            temps.append(temp_beside(target))
            try:
                to_pdf(temps[0], temps[-1])
                targets.append(target)
                attachments.append((target.name, temps[-1]))
            except PdfError as error:
                temps.pop().unlink(missing_ok=True)
                result.findings.append(Finding("W-PDF", result.file, f"No PDF was made: {error}"))
        if not recon.plan.circulation:
            result.findings.append(
                Finding(
                    "I-NO-CIRCULATION",
                    result.file,
                    "No e-mail was prepared: the workbook has no Circulation sheet listing who the "
                    "report goes to for sign-off. Add a sheet named Circulation with the columns "
                    "Role, Name and E-mail to have the build prepare it.",
                )
            )
        # The review note last: it lists every finding, the PDF's and the e-mail's included.
        from pipeline.review import render_review, review_name

        review = folder / review_name(recon.decision.reference)
        temps.append(temp_beside(review))
        render_review(temps[-1], result.findings, recon.plan, result.file)
        targets.append(review)
        attachments.append((review.name, temps[-1]))
        if not recon.plan.circulation:
            return
        from pipeline import mail  # only now: most plans have no Circulation sheet

        message = mail.compose(
            recon, result.findings, [mail.Attachment(name, path) for name, path in attachments]
        )
        target = folder / mail.email_name(recon.decision)
        temps.append(temp_beside(target))
        temps[-1].write_bytes(mail.to_bytes(message))
        targets.append(target)

    def _docx(self, render_docx: Callable[..., None]) -> Callable[[Reconciliation, Path], None]:
        def render(recon: Reconciliation, target: Path) -> None:
            render_docx(recon, target, self.template)

        return render

    def write_findings(self, result: WorkbookResult, folder: Path) -> Path:
        target = folder / result.findings_name
        data = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_atomic(target, data.encode("utf-8", "backslashreplace"))
        return target

    def _earlier_outputs(self, key: str, keep: Sequence[Path]) -> Iterator[tuple[Path, str]]:
        """The outputs the last build of ``key`` recorded, still there, not in ``keep``, inside
        the output folder (a tampered manifest must not reach files elsewhere): (path, SHA-256).
        """
        kept = {k.resolve() for k in keep}
        for output in self.manifest.entries.get(key, {}).get("outputs", []):
            path = self.root / output["path"]
            if (
                _inside(self.root, path)
                and path.resolve() not in kept
                and path.is_file()
                and not path.is_symlink()
            ):
                yield path, output["sha256"]

    def _set_aside(self, path: Path) -> Path | None:
        stale = path.parent / "stale"
        try:
            stale.mkdir(exist_ok=True)
            os.replace(path, stale / path.name)
        except OSError:
            return None  # the folder is not writable: the E-RENDER finding already says so
        return stale / path.name

    def _recorded_stale(self, key: str) -> list[Path]:
        return [
            p
            for p in (self.root / s for s in self.manifest.entries.get(key, {}).get("stale", []))
            if _inside(self.root, p) and p.is_file() and not p.is_symlink()
        ]

    def mark_stale(self, key: str, keep: Sequence[Path] = ()) -> list[Path]:
        """After a failed build: move the earlier outputs of ``key`` aside into ``stale/``,
        except those in ``keep``; return everything of ``key``'s now in ``stale/``."""
        moved = [self._set_aside(path) for path, _ in self._earlier_outputs(key, keep)]
        return list(dict.fromkeys([*self._recorded_stale(key), *(m for m in moved if m)]))

    def retire(self, key: str, keep: Sequence[Path]) -> list[Path]:
        """After a good build: remove what the last builds of ``key`` left that this one did
        not make again (a PDF, an e-mail, the copies in ``stale/``).

        Only files the tool wrote go: an earlier output is deleted only while it still has the
        SHA-256 the manifest recorded (one edited by hand is moved to ``stale/`` and kept), and
        ``stale/`` loses only what the tool moved there. Returns what is left in ``stale/``.
        """
        left: list[Path] = []
        for path, digest in self._earlier_outputs(key, keep):
            if sha256(path) == digest:
                path.unlink(missing_ok=True)
            elif moved := self._set_aside(path):
                left.append(moved)
        stale = self._recorded_stale(key)
        for path in stale:
            if path not in left:
                path.unlink(missing_ok=True)
        for folder in {p.parent for p in stale} | {k.parent / "stale" for k in keep}:
            with contextlib.suppress(OSError):  # only an empty one: anyone's files there stay
                folder.rmdir()
        return left

    def record(self, key: str, result: WorkbookResult) -> None:
        outputs = [
            {"path": str(p.relative_to(self.root)), "sha256": sha256(p), "size": p.stat().st_size}
            for p in result.outputs
        ]
        self.manifest.entries[key] = {
            "input": key,
            **self.fingerprints.get(key, {}),
            "status": result.status,
            "reference": result.reference,
            "outputs": outputs,
            "stale": [str(p.relative_to(self.root)) for p in result.stale],
            "previous": (
                {"input": _display(result.previous), "sha256": sha256(result.previous)}
                if result.previous
                else None
            ),
            "funds": result.funds_json(),
            "counts": {s.value: result.count(s) for s in Severity},
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sent": self.manifest.entries.get(key, {}).get("sent", []),  # pcc-report send's log
        }

    def build_one(self, result: WorkbookResult, debug: bool = False) -> None:
        """Render an error-free workbook, write its findings, set earlier outputs aside or
        retire them, and record it. A folder that cannot be written costs this workbook only."""
        key = result.file
        if key in self.manifest.entries:
            # Until recorded below: if the run is stopped half-way, the next one rebuilds it.
            self.manifest.entries[key]["status"] = "interrupted"
        try:
            folder = result.folder = self.folder_for(result)
        except _FolderRefused as refused:
            result.findings.append(Finding("E-RENDER", result.file, str(refused)))
            result.outcome, result.outputs = "failed", []
            return
        if result.status == "ok":
            result.outputs = self._render_or_report(result, folder, debug)
        findings_path: Path | None = None
        try:
            findings_path = self.write_findings(result, folder)
        except OSError as error:
            if not any(f.code == "E-RENDER" for f in result.findings):
                result.findings.append(self._unwritable(result, error, folder))
        kept = [findings_path] if findings_path else []
        if result.status == "ok":
            result.outcome = "built"
            result.stale = self.retire(key, keep=[*result.outputs, *kept])
            result.outputs.extend(kept)
        else:
            result.outcome = "failed"
            result.stale = self.mark_stale(key, keep=kept)
            result.outputs = kept
        self.record(key, result)

    def _render_or_report(self, result: WorkbookResult, folder: Path, debug: bool) -> list[Path]:
        try:
            return self.render(result, folder)
        except Exception as error:  # a broken template, a renderer bug, an unwritable folder
            if debug:
                raise
            if isinstance(error, OSError) and error.errno in _FOLDER_ERRORS:
                result.findings.append(self._unwritable(result, error, folder))
            else:
                result.findings.append(
                    Finding(
                        "E-RENDER",
                        result.file,
                        f"The outputs could not be written ({type(error).__name__}: {error}). If "
                        "the Word template was edited, check the {{ }} fields or rebuild it with "
                        "scripts/make_template.py; otherwise report this to the maintainers.",
                    )
                )
            return []

    def _unwritable(self, result: WorkbookResult, error: OSError, folder: Path) -> Finding:
        return Finding(
            "E-RENDER",
            result.file,
            f"The outputs could not be written: {_unwritable_reason(error, folder)}.",
        )


_FOLDER_ERRORS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EEXIST,
    errno.ENOTDIR,
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
    """Build every workbook under ``paths`` into ``out``; see the module docstring.

    Raises :class:`BatchBusy` when another run keeps ``out`` locked too long, and
    :class:`OutputUnwritable` when ``out`` cannot be made or written to.
    """
    from filelock import FileLock, Timeout

    say = progress or (lambda _message: None)
    lock = FileLock(str(out / LOCK))
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            say(f"Another build is writing to {out}/ right now; waiting for it to finish…")
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
    except Timeout as error:  # (a TimeoutError, so an OSError: caught first)
        raise BatchBusy(
            f"Another build (or pcc-report send) has kept {out}/ busy for "
            f"{LOCK_WAIT_SECONDS // 60} minutes. Wait for it to finish, or ask whoever started "
            "it. There is no lock file to delete: a build that was stopped or crashed frees "
            "the folder by itself."
        ) from error
    except OSError as error:
        raise OutputUnwritable(
            f"The output folder cannot be used: {_unwritable_reason(error, out)}. Or choose "
            "another folder with --out DIR."
        ) from error
    try:
        return _build_locked(paths, out, config, force, template or TEMPLATE, say, debug, previous)
    finally:
        lock.release()


def _build_locked(
    paths: Sequence[Path],
    out: Path,
    config: Config,
    force: bool,
    template: Path,
    say: Progress,
    debug: bool,
    previous: Path | None,
) -> tuple[list[WorkbookResult], list[Finding]]:
    _sweep_temporaries(out)
    builder = _Builder(out, config, template, force, say)
    workbooks, notes = discover(paths)
    results = [builder.triage(path, debug) for path in workbooks]
    _flag_duplicate_references(results)
    _Previous(paths, workbooks, results, config, previous).attach_all(
        [r for r in results if r.outcome != "up to date"]
    )
    builder.assign_findings_names(results)

    finished = False
    try:
        for result in results:
            # An unchanged workbook is skipped, unless it now clashes with another's reference.
            if not (result.outcome == "up to date" and not has_errors(result.findings)):
                builder.build_one(result, debug)
            say_result(result, say)
        finished = True
    finally:
        # Also when stopped half-way (Ctrl-C, SIGTERM): what was built is recorded, and the
        # workbook being built when it stopped is marked for rebuilding.
        try:
            builder.manifest.write()
        except OSError as error:
            if finished:
                raise OutputUnwritable(
                    f"The outputs were written but {out / MANIFEST} could not be: "
                    f"{_unwritable_reason(error, out)}."
                ) from error
    _log(out, results)
    return results, notes


def say_result(result: WorkbookResult, say: Progress) -> None:
    counts = ", ".join(
        counted(result.count(severity), noun)
        for severity, noun in (
            (Severity.ERROR, "error"),
            (Severity.WARNING, "warning"),
            (Severity.INFO, "note"),
        )
    )
    if result.outcome == "up to date":
        say(f"up to date  {result.file}")
    elif result.outcome == "built":
        say(f"built       {result.file} -> {_display(result.folder or Path())}/ ({counts})")
    elif result.outcome == "failed":
        where = (
            f"see {_display(result.folder / result.findings_name)}"
            if result.folder and result.outputs
            else "no findings file could be written"
        )
        say(f"FAILED      {result.file} ({counts}); {where}")


def _log(out: Path, results: Sequence[WorkbookResult]) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    lines = [f"{stamp} {r.outcome:<10} {r.status:<10} {r.file}\n" for r in results]
    try:
        with (out / LOG).open("a", encoding="utf-8", errors="replace") as log:
            log.writelines(lines)
    except OSError:
        pass  # the log is a convenience; the manifest is the record
