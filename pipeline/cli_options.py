"""The options several ``pcc-report`` commands share, declared once so their help cannot drift
apart from one command to another."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def paths_argument(func: F) -> F:
    """PATHS, shared by check and build so their help cannot drift."""
    return click.argument(
        "paths",
        nargs=-1,
        type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path),
    )(func)


def out_option(help_text: str) -> Callable[[F], F]:
    """--out, shared by build and send so both name the same folder the same way."""
    return click.option(
        "--out",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("output"),
        show_default=True,
        help=help_text,
    )


def config_option(func: F) -> F:
    """--config, the settings file of every command that reads settings."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Settings file (default: [tool.pcc-report] in ./pcc-report.toml or ./pyproject.toml).",
    )(func)


def previous_option(func: F) -> F:
    """--previous, last year's workbook, shared by check and build."""
    return click.option(
        "--previous",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Last year's workbook, to compare with (default: found in the run or in "
        "input/archive/ by police area and year).",
    )(func)


def spend_options(func: F) -> F:
    """--spend and --as-at, shared by check and build so their help cannot drift."""
    func = click.option(
        "--as-at",
        "as_at",
        metavar="DATE",
        help="Date of the position, dd/mm/yyyy (default: the latest payment in the spend files).",
    )(func)
    return click.option(
        "--spend",
        "spend",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help="Ledger exports (CSV or .xlsx) or a folder of them, for the in-year position "
        "(default: spend/ inside each folder). May be given more than once.",
    )(func)


def debug_option(func: F) -> F:
    """--debug, for maintainers: an internal error's traceback instead of its one line."""
    return click.option(
        "--debug", is_flag=True, help="Show Python tracebacks of internal errors (for maintainers)."
    )(func)
