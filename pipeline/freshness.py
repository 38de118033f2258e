"""Up to date or not: whether a workbook's outputs are still what it, the template and the
settings would make, from the manifest alone (the workbook is hashed, never opened).

A workbook is up to date when its SHA-256, the tool's version and code, the Word and e-mail
templates, the settings, the spend files and the composed strategy document are those recorded,
every recorded output is there, last year's workbook (when one was compared) is unchanged, and so is
where last year's plan is looked for (:class:`LastYearLookup`). Outputs a person edited since do not make
it out of date: they are left as they are, and said so. Whether ``--pdf`` is given is not part
of it, so a build without ``--pdf`` keeps a PDF that is still current.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import TEMPLATE_DIR, __version__
from pipeline.cache import code_version
from pipeline.config import Config
from pipeline.dated import findings_due
from pipeline.inputs import Read, archived, display, past_plans
from pipeline.manifest import sha256
from pipeline.outputs import OutputFolder
from pipeline.spend import overtaken


def email_templates_sha() -> str:
    """One SHA-256 over templates/email.* (hashed here: importing pipeline.mail costs time)."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATE_DIR.glob("email.*")):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def config_key(config: Config) -> str:
    """The settings an output depends on, as one string (``pdf`` is not among them)."""
    return json.dumps(
        {
            "grant_size_threshold": str(config.grant_size_threshold),
            "s143_funds": list(config.s143_funds),
            "uplift_threshold": str(config.uplift_threshold),
            "aliases": [list(pair) for pair in config.aliases],
            "funder_prefix": config.funder_prefix,
            "force_area_code": config.force_area_code,
        },
        sort_keys=True,
    )


class LastYearLookup:
    """Where last year's plan is looked for, as the manifest keeps it for each workbook: one
    SHA-256 of the plan named with ``--previous``, or of the workbooks beside the run's
    (:func:`pipeline.inputs.past_plans`: the archive folders, and the folder of a workbook
    named by itself) that may be last year's plan of a plan of that year, each with its size
    and the time it was last saved. So a plan named, put in the archive (as I-NO-PREVIOUS
    says to), taken out or saved since makes the comparison out of date, while a decision of
    another year put away leaves it be: the manifest knows the year of a workbook built
    before it was put away (the same name and size as built), and any other workbook there
    may be anyone's. (A plan of the year before that is one of the run's own workbooks is
    read in the run when new or changed: see pipeline.batch.)"""

    def __init__(
        self, paths: Sequence[Path], named: Path | None, entries: Mapping[str, Mapping[str, Any]]
    ):
        self.named = os.path.abspath(named) if named is not None else None
        self.archive: list[tuple[list[object], int | None]] = []
        if self.named is not None:
            return
        # A workbook built before keeps its year: where it was built (beside a workbook named
        # by itself), and where it is once put away in archive/.
        years = {
            (str(where), entry.get("size")): entry_year_start(entry)
            for entry in entries.values()
            if isinstance(entry.get("workbook_path"), str)
            for where in (Path(entry["workbook_path"]), archived(Path(entry["workbook_path"])))
        }
        for workbook in past_plans(paths):
            try:
                status = workbook.stat()
            except OSError:
                continue  # gone since it was listed: as if never there
            year = years.get((os.path.abspath(workbook), status.st_size))
            self.archive.append(([display(workbook), status.st_size, status.st_mtime_ns], year))

    def of(self, year_start: int | None) -> str:
        """The lookup of a plan whose financial year starts in ``year_start`` (None: unknown)."""
        if self.named is not None:
            where: object = ["named", self.named]
        else:
            maybe = (None, year_start - 1) if year_start is not None else None
            listing = [seen for seen, year in self.archive if maybe is None or year in maybe]
            where = ["archive", listing]
        return hashlib.sha256(json.dumps(where).encode("utf-8")).hexdigest()


def entry_year_start(entry: Mapping[str, Any]) -> int | None:
    """The year the financial year of a manifest entry starts in; None when not recorded.
    (The entry keeps it as the Decision sheet's reader wrote it: ``2021/22``, however typed.)"""
    year = str(entry.get("financial_year", ""))[:4]
    return int(year) if len(year) == 4 and year.isdigit() else None


def recipe(config: Config, template: Path) -> dict[str, str]:
    """What every output is made with besides its workbook and spend files: the tool's
    version and code, the Word and e-mail templates and the settings, as the manifest
    records them."""
    return {
        "tool_version": __version__,
        # The version alone called outputs up to date after a change to the code without a
        # new version number (a `git pull` on the office machine).
        "tool_code": code_version().decode("ascii"),
        "template_sha256": sha256(template) if template.exists() else "",
        "config": config_key(config),
        "email_templates_sha256": email_templates_sha(),
    }


class Freshness:
    """Judges each workbook of one run against the output folder's manifest."""

    def __init__(
        self,
        folder: OutputFolder,
        config: Config,
        template: Path,
        force: bool,
        spend: dict[str, str],
        last_year: LastYearLookup,
    ):
        self.folder = folder
        self.manifest = folder.manifest
        self.config = config
        self.force = force
        self.recipe = recipe(config, template)
        self.spend = spend  # unchanged spend files: the positions are current
        self.last_year = last_year
        self.keys: dict[str, str] = {}  # how messages name a workbook -> its manifest key

    def fingerprint(self, path: Path) -> dict[str, Any]:
        """What the outputs of ``path`` are made from, as the manifest records it."""
        from pipeline.sniff import MAX_FILE_BYTES

        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return {}  # never hashed (3 GB took 41 s): the load refuses it by its size
            return {
                "sha256": sha256(path),
                "size": path.stat().st_size,
                **self.recipe,
                "spend": self.spend,
            }
        except OSError:
            return {}  # gone or unreadable: the load says which

    def of_read(self, fingerprint: dict[str, Any], read: Read) -> dict[str, Any]:
        """The ``fingerprint`` of a workbook just read, as the manifest keeps it: the hash of
        the very bytes read (a save since then is a change), and where its last year's plan
        is looked for, by the plan's year."""
        if not fingerprint:
            return fingerprint
        recon = read.reconciliation
        year = recon.decision.year_start.year if recon is not None else None
        hashed = {"sha256": read.sha256} if read.sha256 else {}
        return {**fingerprint, **hashed, "last_year": self.last_year.of(year)}

    def up_to_date(self, key: str, fingerprint: dict[str, Any]) -> list[Path] | None:
        """None when ``key`` must be built; else the outputs a person edited since (left as
        they are: nothing they were made from changed)."""
        entry = self.manifest.entries.get(key)
        if self.force or not fingerprint or not entry or entry.get("status") != "ok":
            return None
        if any(entry.get(k) != v for k, v in fingerprint.items()):
            return None
        if overtaken(entry):  # a payment the position left out as not yet made is due now
            return None
        if findings_due(entry):  # a deferral lifted, an award date come: other findings now
            return None
        if entry.get("last_year") != self.last_year.of(entry_year_start(entry)):
            return None  # last year's plan is looked for elsewhere, or another is there
        intact, edited = self.folder.check(entry)
        if not intact:
            return None
        if self.config.pdf and not any(o["path"].endswith(".pdf") for o in entry["outputs"]):
            return None  # the PDF failed last time (W-PDF), or was not asked for: make it
        strategy = entry.get("strategy")
        if strategy:  # the strategy composed into the pack changed or went: compose it again
            path = Path(strategy["input"])
            if not path.is_file() or sha256(path) != strategy["sha256"]:
                return None
        previous = entry.get("previous")
        if previous:  # last year's workbook changed or went: the comparison must be redone
            path = Path(previous["input"])
            if not path.is_file() or sha256(path) != previous["sha256"]:
                return None
        return edited

    def key_of(self, path: Path) -> str:
        """The manifest key of ``path``: its name from here, unless the manifest already knows
        the very same file under another name (a build run from another working folder), so
        one workbook keeps one entry."""
        key = display(path)
        self.keys[key] = key
        if key in self.manifest.entries:
            return key
        where = str(Path(os.path.abspath(path)))
        for known, entry in self.manifest.entries.items():
            if entry.get("workbook_path") == where:
                self.keys[key] = known
                return known
        return key
