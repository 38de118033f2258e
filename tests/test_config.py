"""``[tool.pcc-report]``: defaults, where settings are found, and what a bad value says."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config, ConfigError, load_config
from pipeline.model import Plan
from pipeline.reconcile import reconcile

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def located(plan: Plan, config: Config, code: str) -> list[str]:
    return [f.cell for f in reconcile(plan, config).findings if f.code == code]


# -- defaults and where settings come from ------------------------------------------------------


def test_defaults_fit_the_sample() -> None:
    config = Config()
    assert config.grant_size_threshold == Decimal(25_000)
    assert config.s143_funds == ("Community Safety Fund",)
    assert config.uplift_threshold == Decimal(10)
    assert (config.pdf, config.aliases) == (False, ())


def test_a_folder_without_settings_gives_the_defaults(tmp_path: Path) -> None:
    assert load_config(folder=tmp_path) == Config()
    write(tmp_path, "pyproject.toml", '[project]\nname = "other"\n')
    config = load_config(folder=tmp_path)
    assert config == Config()
    assert config.source == "defaults"


def test_the_projects_own_pyproject_holds_the_defaults() -> None:
    config = load_config(folder=ROOT)
    assert config.grant_size_threshold == Decimal(25_000)
    assert config.s143_funds == ("Community Safety Fund",)


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.pcc-report]\ngrant_size_threshold = "£90,000"\n'
        's143_funds = ["Community Safety Fund", "Violence Reduction Fund"]\n',
    )
    config = load_config(folder=tmp_path)
    assert config.grant_size_threshold == Decimal(90_000)
    assert config.s143_funds == ("Community Safety Fund", "Violence Reduction Fund")
    assert config.source == str(tmp_path / "pyproject.toml")


def test_pcc_report_toml_comes_first_and_needs_no_header(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pcc-report]\ngrant_size_threshold = "1"\n')
    write(tmp_path, "pcc-report.toml", "grant_size_threshold = 50000\n")
    assert load_config(folder=tmp_path).grant_size_threshold == Decimal(50_000)


def test_an_explicit_path_wins(tmp_path: Path) -> None:
    write(tmp_path, "pcc-report.toml", 'grant_size_threshold = "1"\n')
    other = write(tmp_path, "settings.toml", '[tool.pcc-report]\ngrant_size_threshold = "2.50"\n')
    assert load_config(other, folder=tmp_path).grant_size_threshold == Decimal("2.50")


# -- the settings change the rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "cells"),
    [
        ("25000", ["L9"]),  # the default: Rape Crisis only; £25,000 to SLF is at the threshold
        ("24999.99", ["L9", "L24"]),  # now the Safer Living Foundation grant is over it
        ("18000", ["L9", "L10", "L24", "L26"]),
        ("82661", []),  # Rape Crisis is at the threshold: not over it
    ],
)
def test_grant_size_threshold_changes_w_grant_size(
    tmp_path: Path, sample_plan: Plan, threshold: str, cells: list[str]
) -> None:
    write(tmp_path, "pyproject.toml", f'[tool.pcc-report]\ngrant_size_threshold = "{threshold}"\n')
    assert located(sample_plan, load_config(folder=tmp_path), "W-GRANT-SIZE") == cells


def test_s143_funds_changes_e_purpose(tmp_path: Path, sample_plan: Plan) -> None:
    # The Victims Fund lines carry no purpose: naming it an s143 fund flags each of them.
    write(tmp_path, "pcc-report.toml", 's143_funds = ["victims  fund"]\n')
    assert located(sample_plan, load_config(folder=tmp_path), "E-PURPOSE") == [
        f"K{row}" for row in range(4, 14)
    ]
    write(tmp_path, "pcc-report.toml", "s143_funds = []\n")
    assert located(sample_plan, load_config(folder=tmp_path), "E-PURPOSE") == []


# -- bad values: a ConfigError naming the key and the fix --------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "grant_size_threshold = 25000.5",
            ("grant_size_threshold = 25000.5", 'e.g. grant_size_threshold = "25000"'),
        ),
        (
            'grant_size_threshold = "lots"',
            ("grant_size_threshold = 'lots' is not a number", 'grant_size_threshold = "25000"'),
        ),
        ('grant_size_threshold = "-5"', ("grant_size_threshold = '-5' must be zero or more",)),
        ('grant_size_threshold = "NaN"', ("grant_size_threshold = 'NaN' must be zero or more",)),
        ("grant_size_threshold = true", ("grant_size_threshold = True", "quoted amount")),
        (
            's143_funds = "Community Safety Fund"',
            (
                "s143_funds = 'Community Safety Fund' must be a list of fund names",
                's143_funds = ["Community Safety Fund"]',
            ),
        ),
        ('s143_funds = ["Community Safety Fund", ""]', ("s143_funds", "list of fund names")),
        ("s143_funds = [1]", ("s143_funds = [1]",)),
        (
            'uplift_threshold = "ten"',
            ("uplift_threshold = 'ten' is not a number", 'e.g. uplift_threshold = "10"'),
        ),
        ('pdf = "yes"', ("pdf = 'yes'", "pdf = true or pdf = false")),
        (
            'grant_threshold = "25000"',
            (
                "unknown [tool.pcc-report] setting(s) grant_threshold",
                "check the spelling",
                "grant_size_threshold",
            ),
        ),
        ('grant_size_threshold = "25000', ("is not valid TOML", "correct the line")),
        ("aliases = 3", ("[tool.pcc-report.aliases] must map short names to full names",)),
        ('funder_prefix = "lincs pcc"', ("funder_prefix = 'lincs pcc'", 'funder_prefix = "')),
        ("funder_prefix = 360", ("funder_prefix = 360", "in quotes")),
        ('force_area_code = "E10000019"', ("force_area_code = 'E10000019'", '"E23000020"')),
    ],
)
def test_bad_value_names_the_key_and_the_fix(
    tmp_path: Path, text: str, fragments: tuple[str, ...]
) -> None:
    path = write(tmp_path, "pyproject.toml", f"[tool.pcc-report]\n{text}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(folder=tmp_path)
    for fragment in (str(path), *fragments):
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ('funder_prefix = "lincs pcc"', "it must be letters and digits"),
        ('funder_prefix = "lincs/pcc"', "it must be letters and digits"),
        ('force_area_code = "E2300002"', "it must be E23 (England) or W15 (Wales), 6 digits"),
    ],
)
def test_a_quoted_code_of_the_wrong_form_is_told_its_form(
    tmp_path: Path, text: str, form: str
) -> None:
    # The value is in quotes already: "write it in quotes" sent the officer the wrong way.
    write(tmp_path, "pyproject.toml", f"[tool.pcc-report]\n{text}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(folder=tmp_path)
    assert form in str(caught.value) and "in quotes" not in str(caught.value)


def test_the_360giving_settings_are_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pcc-report.toml",
        'funder_prefix = " lincolnshirepcc "\nforce_area_code = "E23000020"\n',
    )
    config = load_config(folder=tmp_path)
    assert (config.funder_prefix, config.force_area_code) == ("lincolnshirepcc", "E23000020")
    write(tmp_path, "pcc-report.toml", 'funder_prefix = "360G-lincolnshirepcc"\n')
    assert load_config(folder=tmp_path).funder_prefix == "360G-lincolnshirepcc"
    assert (Config().funder_prefix, Config().force_area_code) == ("", "")


def test_a_missing_explicit_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist; check the path given to --config"):
        load_config(tmp_path / "nowhere.toml")


def test_cli_turns_a_bad_config_into_a_usage_error(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.toml", '[tool.pcc-report]\ngrant_size_threshold = "lots"\n')
    result = CliRunner().invoke(cli, ["check", str(ROOT / "input"), "--config", str(bad)])
    assert result.exit_code == 2
    assert "grant_size_threshold = 'lots' is not a number" in result.output
