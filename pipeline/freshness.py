"""Up to date or not: whether a workbook's outputs are still what it, the template and the
settings would make, from the manifest alone (the workbook is hashed, never opened).

A workbook is up to date when its SHA-256, the tool's version, the Word and e-mail templates,
the settings, the spend files and the composed strategy document are those recorded, every recorded output is there, and last
year's workbook (when one was compared) is unchanged. Outputs a person edited since do not make
it out of date: they are left as they are, and said so. Whether ``--pdf`` is given is not part
of it, so a build without ``--pdf`` keeps a PDF that is still current.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pipeline import TEMPLATE_DIR, __version__
from pipeline.config import Config
from pipeline.inputs import display
from pipeline.manifest import sha256
from pipeline.outputs import OutputFolder


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


RECIPE_KEYS = ("tool_version", "template_sha256", "config", "email_templates_sha256")


def recipe(config: Config, template: Path) -> dict[str, str]:
    """What every output is made with besides its workbook and spend files: the tool's
    version, the Word and e-mail templates and the settings, as the manifest records them."""
    return {
        "tool_version": __version__,
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
    ):
        self.folder = folder
        self.manifest = folder.manifest
        self.config = config
        self.force = force
        self.recipe = recipe(config, template)
        self.spend = spend  # unchanged spend files: the positions are current
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

    def up_to_date(self, key: str, fingerprint: dict[str, Any]) -> list[Path] | None:
        """None when ``key`` must be built; else the outputs a person edited since (left as
        they are: nothing they were made from changed)."""
        entry = self.manifest.entries.get(key)
        if self.force or not fingerprint or not entry or entry.get("status") != "ok":
            return None
        if any(entry.get(k) != v for k, v in fingerprint.items()):
            return None
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
