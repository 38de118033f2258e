"""Thresholds of the commissioning-strategy rules, read from ``[tool.pcc-report]``.

The settings live in the ``pyproject.toml`` (or ``pcc-report.toml``) of the folder the tool runs
in; every key is optional and the defaults fit the Lincolnshire sample:

.. code-block:: toml

    [tool.pcc-report]
    grant_size_threshold = "25000"          # W-GRANT-SIZE: grants above this are flagged
    s143_funds = ["Community Safety Fund"]  # E-PURPOSE: lines of these funds need a purpose
    uplift_threshold = "10"                 # W-UPLIFT: change from last year, in %

    [tool.pcc-report.aliases]               # year on year: abbreviations for matching lines
    LCC = "Lincolnshire County Council"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

CONFIG_FILES = ("pcc-report.toml", "pyproject.toml")


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class Config:
    grant_size_threshold: Decimal = Decimal(25000)
    s143_funds: tuple[str, ...] = ("Community Safety Fund",)
    pdf: bool = False
    uplift_threshold: Decimal = Decimal(10)  # W-UPLIFT: % change from last year
    aliases: tuple[tuple[str, str], ...] = ()  # year-on-year matching: ("LCC", "Lincolnshire…")
    source: str = field(default="defaults", compare=False)


def _section(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} cannot be read as TOML: {error}") from error
    if path.name == "pcc-report.toml":
        section = data.get("tool", {}).get("pcc-report", data)
    else:
        section = data.get("tool", {}).get("pcc-report")
    return section if isinstance(section, dict) else None


def load_config(path: Path | None = None, folder: Path | None = None) -> Config:
    """The config at ``path``, or the first of ``pcc-report.toml``/``pyproject.toml`` in ``folder``."""
    candidates = [path] if path else [(folder or Path.cwd()) / name for name in CONFIG_FILES]
    for candidate in candidates:
        if candidate is None or not candidate.is_file():
            if path is not None:
                raise ConfigError(f"config file {path} does not exist")
            continue
        section = _section(candidate)
        if section is None:
            continue
        return _from_section(section, str(candidate))
    return Config()


def _from_section(section: dict[str, Any], source: str) -> Config:
    known = {"grant_size_threshold", "s143_funds", "pdf", "uplift_threshold", "aliases"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(
            f"{source}: unknown [tool.pcc-report] setting(s) {', '.join(unknown)}; "
            f"known settings are {', '.join(sorted(known))}"
        )
    config = Config(source=source)
    values: dict[str, Any] = {}
    if "grant_size_threshold" in section:
        raw = section["grant_size_threshold"]
        try:
            if isinstance(raw, float):
                raise InvalidOperation
            values["grant_size_threshold"] = Decimal(str(raw))
        except InvalidOperation as error:
            raise ConfigError(
                f'{source}: grant_size_threshold = {raw!r}; write it as a quoted amount, e.g. "25000"'
            ) from error
    if "s143_funds" in section:
        funds = section["s143_funds"]
        if not isinstance(funds, list) or not all(isinstance(f, str) for f in funds):
            raise ConfigError(f'{source}: s143_funds must be a list of fund names, e.g. ["Community Safety Fund"]')
        values["s143_funds"] = tuple(funds)
    if "uplift_threshold" in section:
        raw = section["uplift_threshold"]
        try:
            if isinstance(raw, float):
                raise InvalidOperation
            values["uplift_threshold"] = Decimal(str(raw))
        except InvalidOperation as error:
            raise ConfigError(
                f'{source}: uplift_threshold = {raw!r}; write it as a quoted percentage, e.g. "10"'
            ) from error
    if "aliases" in section:
        aliases = section["aliases"]
        if not isinstance(aliases, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()):
            raise ConfigError(f'{source}: [tool.pcc-report.aliases] must map short names to full '
                              'names, e.g. LCC = "Lincolnshire County Council"')
        values["aliases"] = tuple(sorted(aliases.items()))
    if "pdf" in section:
        if not isinstance(section["pdf"], bool):
            raise ConfigError(f"{source}: pdf must be true or false")
        values["pdf"] = section["pdf"]
    return Config(**{**config.__dict__, **values})
