"""The workbooks of a run: finding them, reading each safely, and the run-wide reference rule.

* :func:`discover` lists the workbooks named or dropped in a folder (not sub-folders), with a
  note (I-SKIPPED) for everything left out: owner files, links to nothing, devices, other files.
* :func:`read_workbook` loads and reconciles one workbook; a file still being copied or saved
  gets a few more tries, and an internal error costs that workbook only (E-READ).
* :func:`duplicate_references` is the one rule that needs the whole run: two workbooks whose
  reports would share a folder (E-DUPLICATE-REF).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.findings import Finding
from pipeline.sniff import (
    OTHER_SPREADSHEETS,
    OTHER_SUITES,
    TEXT_EXPORT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    may_be_a_spreadsheet,
)
from pipeline.textsafe import for_log
from pipeline.values import normalise, slugify

if TYPE_CHECKING:  # types only: finding the workbooks (a no-op rerun) needs no plan model
    from pipeline.model import Located
    from pipeline.reconcile import Reconciliation

READ_RETRIES = 3
RETRY_PAUSE = 0.5
_SURROGATES = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with the undecodable bytes of a file name (a name copied from an old Windows or
    Mac share) shown as \ufffd, and control, bidi and invisible characters escaped
    (``\\x0a``), so messages, findings.json, the log and the console can carry it: a name
    holding a newline or an ESC sequence cannot forge a line or drive the terminal."""
    return for_log(_SURROGATES.sub("\ufffd", text))


def display(path: Path) -> str:
    """How messages and the manifest name ``path``: relative to the current folder when inside
    it, and as the user sees it (a link keeps its own name, not its target's)."""
    try:
        text = str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        text = str(path)
    return printable(text)


@dataclass(frozen=True)
class Read:
    """One workbook as read: its findings so far and, when it could be read, the figures."""

    path: Path
    file: str  # how messages name it, e.g. "input/lincolnshire-2021-22.xlsx"
    findings: tuple[Finding, ...]
    reference: str = ""
    reconciliation: Reconciliation | None = None
    sha256: str = ""  # of the very bytes that were read ("" when too big to be read)
    # A workbook that failed: its Decision sheet's Subject and Financial year when they could
    # be read ("" when not), so the index page names the decision it failed.
    subject: str = ""
    year: str = ""


def _skipped(candidate: Path, message: str) -> Finding:
    return Finding("I-SKIPPED", display(candidate), message)


def _owner_file(candidate: Path) -> Finding:
    return _skipped(
        candidate,
        (
            f"{printable(candidate.name)} is Excel's owner file for a workbook that is open "
            "somewhere; it was skipped (it goes away when Excel closes)."
        ),
    )


def _left_out(folder: Path | None, candidate: Path) -> Finding | None:
    """Why ``candidate`` in ``folder`` (None: named by itself) is not built, or None for a
    workbook to build."""
    name = printable(candidate.name)
    if candidate.is_dir() and folder is not None:
        held = _workbooks_in(candidate)
        what = f"a folder holding {_listed(held)}" if held else "a folder"
        return _skipped(
            candidate,
            f"{name} is {what}; workbooks in sub-folders are not built. Move them into "
            f"{display(folder)}/ itself, or name the folder: pcc-report build {display(candidate)}",
        )
    if candidate.is_symlink() and not candidate.exists():
        return _skipped(
            candidate,
            f"{name} is a shortcut (link) to {printable(os.readlink(candidate))}, which is not "
            "there any more; copy the workbook itself into the folder, or delete the shortcut.",
        )
    if not candidate.is_file():
        return _skipped(
            candidate,
            f"{name} is not an ordinary file (a device or pipe) and was skipped; copy the "
            "workbook itself into the folder.",
        )
    if name.startswith("~$"):
        return _owner_file(candidate)
    suffix = candidate.suffix.lower()
    if suffix in OTHER_SUITES:  # a plan saved in another format: how to save it as .xlsx
        return _skipped(candidate, f"{name} {OTHER_SUITES[suffix]}. It was skipped.")
    if suffix not in WORKBOOK_SUFFIXES:
        return _skipped(
            candidate,
            f"{name} is not an .xlsx or .xlsm workbook and was skipped; save plans from Excel "
            f"as Excel Workbook (.xlsx).{_spend_hint(folder, candidate)}",
        )
    return None


def _named(path: Path) -> Finding | None:
    """Why the file ``path``, named by itself, is not built, or None to read it as a plan. A
    plan in another format or damaged is read, to fail with its own E-READ; a file that is no
    spreadsheet at all (a ledger named without --spend, a README) is skipped, as a folder
    holding it would skip it."""
    if path.is_file() and not path.name.startswith("~$") and may_be_a_spreadsheet(path):
        return None
    return _left_out(None, path)


def _spend_hint(folder: Path | None, candidate: Path) -> str:
    """For a text export (a ledger put where plans go): where spend files are read from."""
    if candidate.suffix.lower() not in TEXT_EXPORT_SUFFIXES:
        return ""
    if folder is None:
        where = f"name it with --spend: pcc-report build --spend {display(candidate)}"
    else:
        where = f"move it into {display(folder / SPEND_FOLDER)}/"
    return f" If it is a spend (ledger) export, {where}."


def _workbooks_in(folder: Path) -> list[str]:
    """The names of the workbooks directly in ``folder`` (none when it cannot be listed)."""
    try:
        return sorted(
            entry.name
            for entry in os.scandir(folder)
            if entry.name[:1] not in (".", "~")
            and Path(entry.name).suffix.lower() in WORKBOOK_SUFFIXES
            and entry.is_file()
        )
    except OSError:
        return []


def _listed(names: Sequence[str], shown: int = 3) -> str:
    """``1 workbook (plan.xlsx)``, ``5 workbooks (a.xlsx, b.xlsx, c.xlsx, …)``."""
    more = ", …" if len(names) > shown else ""
    count = f"{len(names)} workbook{'s' if len(names) > 1 else ''}"
    return f"{count} ({', '.join(printable(n) for n in names[:shown])}{more})"


def plan_left_out(note: Finding) -> bool:
    """Whether ``note`` skipped what is likely a plan, which a build says even without
    --verbose: a spreadsheet of another format (.xls, .xlsb, .ods), or a sub-folder holding
    workbooks (an office that files each year's plans in a folder of its own). Beside a
    workbook that was built, "1 built" alone would leave it unsaid."""
    if note.code != "I-SKIPPED":
        return False
    path = Path(note.file)
    return path.suffix.lower() in OTHER_SPREADSHEETS or (
        path.is_dir() and bool(_workbooks_in(path))
    )


ARCHIVE = "archive"  # input/archive/: past years' plans, read for the comparison, never built
SPEND_FOLDER = "spend"  # input/spend/: ledger exports, read for the in-year position


def archived(workbook: Path) -> Path:
    """Where ``workbook`` is once put away as a past year's plan: ``archive/`` beside it."""
    return workbook.parent / ARCHIVE / workbook.name


def past_plans(paths: Sequence[Path]) -> list[Path]:
    """The workbooks beside the run's own that may be last year's plans: in the ``archive/``
    folder of each folder named, and for a workbook named by itself, in its folder and that
    folder's ``archive/``. So ``build input/plan.xlsx`` compares with the plan a folder run
    would (last year's workbook beside it, or put away in ``input/archive/`` as I-NO-PREVIOUS
    says), never with less. The run's own workbooks are not listed."""
    named = {p.resolve() for p in paths if not p.is_dir()}
    folders = dict.fromkeys(p if p.is_dir() else p.parent for p in paths)
    beside = [p.parent for p in paths if not p.is_dir() and p.parent not in paths]
    found = discover([f / ARCHIVE for f in folders if (f / ARCHIVE).is_dir()])[0]
    found += [w for w in discover(list(dict.fromkeys(beside)))[0] if w.resolve() not in named]
    return found


def _folder_entries(folder: Path) -> Iterator[tuple[Path, Finding | None]]:
    """The files of ``folder`` (not its sub-folders) that may be workbooks, with a note (and no
    path to build) for each thing that is left out."""
    for candidate in sorted(folder.iterdir()):
        if candidate.name.startswith("."):
            continue  # dot files (.gitkeep, .DS_Store) are not anybody's work
        if candidate.name == ARCHIVE and candidate.is_dir():
            continue  # archive/ holds last year's plans, read for the comparison
        if candidate.name == SPEND_FOLDER and candidate.is_dir():
            continue  # spend/ holds ledger exports, read for the in-year position
        yield candidate, _left_out(folder, candidate)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The workbooks named or inside the folders named (not sub-folders), and notes on the rest.

    A workbook reached twice (``build input input/plan.xlsx``, or a link beside its target) is
    built once.
    """
    workbooks: list[Path] = []
    notes: list[Finding] = []
    seen: dict[Path, Path] = {}  # the real file -> the name it is built under
    for path in paths:
        # A file named by itself is built when a folder holding it would build it: a ledger
        # or a README named by mistake is said and skipped, never recorded as a failed plan.
        entries = _folder_entries(path) if path.is_dir() else iter([(path, _named(path))])
        for candidate, note in entries:
            if note is not None:
                notes.append(note)
                continue
            real = candidate.resolve()
            if real in seen:
                if display(seen[real]) != display(candidate):
                    notes.append(
                        _skipped(
                            candidate,
                            f"{printable(candidate.name)} is the same file as "
                            f"{display(seen[real])} (a link or a second name), which is built once.",
                        )
                    )
                continue
            seen[real] = candidate
            workbooks.append(candidate)
    return workbooks, notes


def unreadable(path: Path, message: str) -> Read:
    """A workbook that could not be read at all: one E-READ saying why and what to do."""
    label = display(path)
    return Read(path, label, (Finding("E-READ", label, message),))


def read_workbook(path: Path, config: Config, debug: bool = False, *, hashed: bool = True) -> Read:
    """Load and reconcile ``path``; a bug must cost one workbook, not the batch (E-READ).

    ``hashed``: read a private copy of the bytes and record their SHA-256 (what the manifest
    and the cache key on). ``check`` records nothing, so it reads the workbook in place: no
    copy, no hash, no tempfile (issue 21); a save while it reads is still seen and retried."""
    try:
        return _read(path, config, hashed)
    except Exception as error:
        if debug:
            raise
        return unreadable(
            path,
            printable(
                f"pcc-report failed while reading {path.name} ({type(error).__name__}: "
                f"{error}). Check the workbook in Excel; if it looks right, send it to "
                "the maintainers (run with --debug for details)."
            ),
        )


def _read(path: Path, config: Config, hashed: bool) -> Read:
    from pipeline.load import load
    from pipeline.reconcile import reconcile

    label = display(path)
    if _SURROGATES.search(str(path)) and path.exists():
        return unreadable(
            path,
            f"The name {printable(path.name)} has characters that cannot be read (the file "
            "was probably copied from an old Windows or Mac share). Rename it, e.g. to "
            "plan-2021-22.xlsx, then run again.",
        )
    for attempt in range(READ_RETRIES):
        before = signature(path)
        if hashed:
            import tempfile  # here: neither a no-op rerun nor check copies a workbook (#21)

            with tempfile.TemporaryDirectory(prefix="pcc-report-") as folder:
                # Read and hash the same bytes: a copy taken once, so a save while the workbook
                # is being read cannot give a report of the old bytes the new bytes' hash.
                snapshot = _snapshot(path, Path(folder))
                loaded = load(snapshot[0] if snapshot else path, label)
        else:
            snapshot = None
            loaded = load(path, label)
        after = signature(path)
        failed = loaded.plan is None and any(f.code == "E-READ" for f in loaded.findings)
        changed = before != after  # copied over, saved or replaced while it was being read
        if after is None or (not changed and (not failed or not _recent(path))):
            break
        if attempt == READ_RETRIES - 1:
            break
        time.sleep(RETRY_PAUSE)
    name = printable(path.name)
    if after is None:
        return unreadable(
            path,
            f"{name} was removed or renamed while pcc-report was reading it. If it was moved "
            "on purpose there is nothing to do; otherwise put it back in the folder and run "
            "again.",
        )
    if changed:
        return unreadable(
            path,
            f"{name} kept changing while pcc-report read it ({READ_RETRIES} tries): it is "
            "probably still being copied or saved. Wait until the copy or save has finished, "
            "then run again; if this repeats, copy the workbook again from its original.",
        )
    findings = tuple(replace(f, message=printable(f.message)) for f in loaded.findings)
    if loaded.plan is None and loaded.readable is not None:
        # All errors at once (issue 15): the rules that judge a line by itself also run on
        # the lines that could be read, so fixing one cell does not reveal the next error.
        from pipeline.reconcile import check_readable

        more = check_readable(
            loaded.readable,
            config,
            funds_complete=loaded.funds_complete,
            sources_complete=loaded.sources_complete,
            year_read=loaded.year_read,
        )
        findings += tuple(replace(f, message=printable(f.message)) for f in more)
    digest = snapshot[1] if snapshot else ""
    if loaded.plan is None:
        known = loaded.readable.decision if loaded.readable is not None else None
        return Read(
            path,
            label,
            findings,
            loaded.reference,
            sha256=digest,
            subject=known.subject if known is not None else "",
            year=known.financial_year if known is not None and loaded.year_read else "",
        )
    reconciliation = reconcile(loaded.plan, config)
    return Read(
        path,
        label,
        (*findings, *reconciliation.findings),
        loaded.plan.decision.reference,
        reconciliation,
        sha256=digest,
    )


def _snapshot(path: Path, folder: Path) -> tuple[Path, str] | None:
    """A copy of ``path`` in ``folder`` under the same name, and the SHA-256 of its bytes;
    None when it is not an ordinary file or is over the size limit (the loader says why)."""
    import hashlib

    from pipeline.sniff import MAX_FILE_BYTES

    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES:
        return None
    copy = folder / path.name
    copy.write_bytes(data)
    return copy, hashlib.sha256(data).hexdigest()


def signature(path: Path) -> tuple[int, int, int] | None:
    """Size, modification time and inode: what changes when a file is saved or replaced."""
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


def duplicate_references(
    workbooks: Sequence[tuple[str, str, Located | None]],
) -> dict[int, Finding]:
    """E-DUPLICATE-REF for every workbook that shares its report folder with another.

    ``workbooks`` are (file, decision reference, where the Decision sheet is) for every
    workbook of the run; the answer is keyed by index into it. The folder is the decision
    reference made safe for a file name, so ``015/2021`` and ``015-2021`` (or ``015 / 2021``)
    clash as surely as two copies of one workbook do: the second would overwrite the first's
    report.
    """
    by_folder: dict[str, list[int]] = {}
    for index, (_, reference, _) in enumerate(workbooks):
        if reference:
            by_folder.setdefault(slugify(reference), []).append(index)
    found: dict[int, Finding] = {}
    for folder, group in by_folder.items():
        if len(group) < 2:
            continue
        other, copy, unbuilt = (
            ("the other", "the copy", "Neither workbook was built.")
            if len(group) == 2
            else ("another", "the copies", f"None of the {len(group)} workbooks was built.")
        )
        for index in group:
            file, reference, at = workbooks[index]
            others = [workbooks[o] for o in group if o != index]
            if all(normalise(o[1]) == normalise(reference) for o in others):
                clash = (
                    f"Decision reference {reference} is also used by "
                    f"{', '.join(o[0] for o in others)}"
                )
            else:
                clash = (
                    f"Decision reference {reference} would share the report folder "
                    f"{folder}/ with {', '.join(f'{o[1]} in {o[0]}' for o in others)}, "
                    f"and one report would overwrite {other}"
                )
            found[index] = Finding(
                "E-DUPLICATE-REF",
                file,
                f"{clash}; each decision needs its own reference. Correct the reference, or "
                f"remove {copy} from the input folder. {unbuilt}",
                at.sheet if at else "Decision",
                at.cell("reference") if at else "",
            )
    return found
