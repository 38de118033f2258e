"""Thresholds of the commissioning-strategy rules, read from ``[tool.pcc-report]``.

The settings live in the ``pcc-report.toml`` or ``pyproject.toml`` of the folder the tool runs
in (the first that has them), or in a file named with ``--config``. Every key is optional and the
defaults fit the Lincolnshire sample:

.. code-block:: toml

    [tool.pcc-report]
    grant_size_threshold = "25000"          # W-GRANT-SIZE: grants above this are flagged
    s143_funds = ["Community Safety Fund"]  # E-PURPOSE: lines of these funds need a purpose
    uplift_threshold = "10"                 # W-UPLIFT: change from last year, in %
    pdf = false
    funder_prefix = "lincolnshirepcc"       # 360Giving: the publisher prefix (360G-…)
    force_area_code = "E23000020"           # 360Giving: the police force area's ONS code

    [tool.pcc-report.aliases]               # matching names: an abbreviation, or a whole name
    LCC = "Lincolnshire County Council"

In ``pcc-report.toml`` the ``[tool.pcc-report]`` header may be left out.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

CONFIG_FILES = ("pcc-report.toml", "pyproject.toml")
SECTION = "[tool.pcc-report]"
# A 360Giving publisher prefix (with or without its "360G-"): letters, digits and hyphens.
_PREFIX = re.compile(r"(?:360G-)?[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", re.IGNORECASE)
# ONS codes of police force areas (geoCodeType PFA): E23…… in England, W15…… in Wales.
_FORCE_AREA = re.compile(r"(?:E23|W15)\d{6}")


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class Config:
    grant_size_threshold: Decimal = Decimal(25000)  # W-GRANT-SIZE: grants above this, in £
    s143_funds: tuple[str, ...] = ("Community Safety Fund",)  # E-PURPOSE applies to these
    pdf: bool = False
    uplift_threshold: Decimal = Decimal(10)  # W-UPLIFT: % change from last year
    aliases: tuple[tuple[str, str], ...] = ()  # year-on-year matching: ("LCC", "Lincolnshire…")
    smtp: tuple[tuple[str, Any], ...] = ()  # [tool.pcc-report.smtp], read by pipeline.send
    funder_prefix: str = ""  # 360Giving publisher prefix; without it no 360Giving file is made
    force_area_code: str = ""  # ONS code of the police force area (E23…/W15…), 360Giving
    source: str = field(default="defaults", compare=False)


def _section(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"{path} cannot be read ({error}); check the file and its "
            "permissions, or leave it out to use the defaults"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{path} is not valid TOML ({error}); correct the line it names, "
            'e.g. grant_size_threshold = "25000"'
        ) from error
    tool = data.get("tool", {})
    section = tool.get("pcc-report") if isinstance(tool, dict) else None
    if section is None and path.name == "pcc-report.toml":
        section = data  # the header is optional in the tool's own file
    if section is not None and not isinstance(section, dict):
        raise ConfigError(
            f"{path}: {SECTION} must be a table of settings, e.g. "
            f'{SECTION} then grant_size_threshold = "25000" on the next line'
        )
    return section


def load_config(path: Path | None = None, folder: Path | None = None) -> Config:
    """The config at ``path``, or the first of ``CONFIG_FILES`` in ``folder`` (default: cwd).

    A folder with no settings gives the defaults; a bad value raises :class:`ConfigError`.
    """
    if path is not None:
        if not path.is_file():
            raise ConfigError(
                f"config file {path} does not exist; check the path given to --config"
            )
        section = _section(path)
        return _from_section(section or {}, str(path))
    for name in CONFIG_FILES:
        candidate = (folder or Path.cwd()) / name
        if candidate.is_file():
            section = _section(candidate)
            if section is not None:
                return _from_section(section, str(candidate))
    return Config()


def _amount(source: str, key: str, raw: object, example: str, what: str) -> Decimal:
    """A non-negative decimal written as a quoted string or an integer (never a float)."""
    fix = f'write it as a quoted {what}, e.g. {key} = "{example}"'
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        # A TOML float (25000.0) would pass through binary floating point.
        raise ConfigError(f"{source}: {SECTION} {key} = {raw!r} is not usable; {fix}")
    text = str(raw).strip().replace(",", "").removeprefix("£").removesuffix("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ConfigError(f"{source}: {SECTION} {key} = {raw!r} is not a number; {fix}") from error
    if not value.is_finite() or value < 0:
        raise ConfigError(f"{source}: {SECTION} {key} = {raw!r} must be zero or more; {fix}")
    return value


def _code(
    source: str, key: str, raw: object, pattern: re.Pattern[str], example: str, form: str
) -> str:
    """A code setting (a prefix, an ONS code) as text of the expected form."""
    text = raw.strip() if isinstance(raw, str) else ""
    if pattern.fullmatch(text) is None:
        # Quoted text of the wrong form is told its form: "write it in quotes" misled.
        fix = f"it must be {form}" if isinstance(raw, str) else "write it in quotes"
        raise ConfigError(
            f'{source}: {SECTION} {key} = {raw!r} is not usable; {fix}, e.g. {key} = "{example}"'
        )
    return text


def _threshold(source: str, raw: object) -> Decimal:
    return _amount(source, "grant_size_threshold", raw, "25000", "amount")


def _uplift(source: str, raw: object) -> Decimal:
    return _amount(source, "uplift_threshold", raw, "10", "percentage")


def _s143_funds(source: str, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(f, str) and f.strip() for f in raw):
        raise ConfigError(
            f"{source}: {SECTION} s143_funds = {raw!r} must be a list of "
            'fund names, e.g. s143_funds = ["Community Safety Fund"]'
        )
    return tuple(f.strip() for f in raw)


def _aliases(source: str, raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ConfigError(
            f"{source}: [tool.pcc-report.aliases] must map short names to "
            'full names, e.g. LCC = "Lincolnshire County Council"'
        )
    return tuple(sorted(raw.items()))


def _pdf(source: str, raw: object) -> bool:
    if not isinstance(raw, bool):
        raise ConfigError(
            f"{source}: {SECTION} pdf = {raw!r}; write pdf = true or pdf = false (no quotes)"
        )
    return raw


def _funder_prefix(source: str, raw: object) -> str:
    form = "letters and digits, as 360Giving gave it"
    return _code(source, "funder_prefix", raw, _PREFIX, "lincolnshirepcc", form)


def _force_area_code(source: str, raw: object) -> str:
    form = "E23 (England) or W15 (Wales), 6 digits"
    return _code(source, "force_area_code", raw, _FORCE_AREA, "E23000020", form)


def _smtp(source: str, raw: object) -> tuple[tuple[str, Any], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: [tool.pcc-report.smtp] must be a table, e.g. "
            'host = "smtp.example.police.uk" on the line after it'
        )
    if any(str(key).lower() == "password" for key in raw):
        raise ConfigError(
            f"{source}: [tool.pcc-report.smtp] must not hold the password; "
            "remove it and set PCC_SMTP_PASSWORD in the environment instead"
        )
    return tuple(sorted(raw.items()))


# Each setting and how its value is read and checked (a Config field of the same name).
_READERS: dict[str, Callable[[str, object], object]] = {
    "aliases": _aliases,
    "force_area_code": _force_area_code,
    "funder_prefix": _funder_prefix,
    "grant_size_threshold": _threshold,
    "pdf": _pdf,
    "s143_funds": _s143_funds,
    "smtp": _smtp,
    "uplift_threshold": _uplift,
}


def _from_section(section: dict[str, Any], source: str) -> Config:
    unknown = sorted(set(section) - set(_READERS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown {SECTION} setting(s) {', '.join(unknown)}; check the spelling "
            f"(known settings: {', '.join(_READERS)})"
        )
    values: dict[str, Any] = {key: _READERS[key](source, raw) for key, raw in section.items()}
    return replace(Config(source=source), **values)
