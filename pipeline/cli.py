"""The ``pcc-report`` command: parses options, calls the pipeline, prints for a person.

Heavy libraries (pandas, openpyxl, docxtpl, xlsxwriter) are imported only inside commands, so
``pcc-report --help`` stays instant.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline import __version__, console, runner
from pipeline.cli_options import (
    config_option,
    debug_option,
    out_option,
    paths_argument,
    previous_option,
    spend_options,
)
from pipeline.findings import Finding

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.results import WorkbookResult


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pcc-report")
def cli() -> None:
    """Turn a policing body's commissioning plan into its decision paperwork and public files.

    \b
    Examples:
      pcc-report build                      build every workbook in input/ into output/
      pcc-report check input/plan.xlsx      list the problems, write nothing
      pcc-report new-workbook my-plan.xlsx  a blank workbook to fill in
    """


def _recipe(config: Config) -> dict[str, str]:
    """What a build would make the outputs with now, for the index page to compare."""
    from pipeline.batch import TEMPLATE
    from pipeline.freshness import recipe

    return recipe(config, TEMPLATE)


def _config(config_path: Path | None) -> Config:
    from pipeline.config import ConfigError, load_config

    try:
        return load_config(config_path)
    except ConfigError as error:
        raise click.UsageError(str(error)) from error


def _as_at(text: str | None) -> date | None:
    """--as-at as a date, read day-first like every date the tool reads."""
    if text is None:
        return None
    from pipeline.values import ValueProblem, parse_date

    try:
        day, month_only = parse_date(text)
    except ValueProblem as problem:
        raise click.BadParameter(f"--as-at {problem}", param_hint="--as-at") from problem
    if month_only:
        raise click.BadParameter("give a day, e.g. 30/09/2021", param_hint="--as-at")
    return day


def _paths(paths: Sequence[Path], command: str = "build") -> list[Path]:
    if paths:
        return list(paths)
    default = Path("input")
    if not default.is_dir():
        raise click.UsageError(
            "No input/ folder here. Run pcc-report from the project folder, or name the "
            f"workbooks or folders to use, e.g. pcc-report {command} plans/2021-22.xlsx"
        )
    return [default]


@cli.command()
@paths_argument
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
@previous_option
@spend_options
@config_option
@debug_option
def check(
    paths: tuple[Path, ...],
    as_json: bool,
    previous: Path | None,
    spend: tuple[Path, ...],
    as_at: str | None,
    config_path: Path | None,
    debug: bool,
) -> None:
    """Check workbooks against the workbook layout and the commissioning rules; write nothing.

    PATHS are workbooks or folders of workbooks (default: input/). Exit status: 0 when every
    workbook is free of errors, 1 when any has errors, 2 for a usage error.

    \b
    Examples:
      pcc-report check input/ --json
      pcc-report check input/ --spend ledgers/2021-22/ --as-at 30/09/2021
    """
    from pipeline import assemble

    config = _config(config_path)
    folders = _paths(paths, "check")
    position_date = _as_at(as_at)

    def action() -> int:
        results, notes = assemble.check(folders, config, debug, previous, spend, position_date)
        if as_json:
            report = json.dumps(_json_report(results, notes), indent=2, ensure_ascii=False)
            click.echo(console.json_for_terminal(report))
        else:
            console.check_report(results, notes, folders)
        return console.exit_code(results, folders)

    runner.run(debug, action)


def _json_report(results: Sequence[WorkbookResult], notes: Sequence[Finding]) -> dict[str, Any]:
    return {
        "tool": "pcc-report",
        "version": __version__,
        "workbooks": [r.to_json() for r in results],
        "skipped": [n.to_dict() for n in notes],
    }


@cli.command()
@paths_argument
@out_option("Folder for the outputs.")
@click.option("--force", is_flag=True, help="Rebuild every workbook, even if up to date.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the final summary.")
@click.option("--verbose", "-v", is_flag=True, help="Also list the warnings and notes.")
@click.option(
    "--pdf/--no-pdf",
    "pdf",
    default=None,
    help="Also make a PDF of each Word report with LibreOffice (default: the pdf "
    "setting, off unless set).",
)
@previous_option
@spend_options
@config_option
@debug_option
def build(
    paths: tuple[Path, ...],
    out: Path,
    force: bool,
    quiet: bool,
    verbose: bool,
    pdf: bool | None,
    previous: Path | None,
    spend: tuple[Path, ...],
    as_at: str | None,
    config_path: Path | None,
    debug: bool,
) -> None:
    """Build the Request for Decision and public summary of each workbook.

    PATHS are workbooks or folders of workbooks (default: input/). Each workbook's outputs
    go to OUT/<reference>/ (e.g. output/015-2021/): RfD-015-2021.docx,
    commissioning-summary-2021-22.xlsx and findings.json. Unchanged workbooks are skipped.
    A workbook with errors gets only findings.json, and its earlier outputs move to stale/.
    With --pdf, also RfD-015-2021.pdf; with a Circulation sheet, also email-015-2021.eml,
    ready to open in Outlook and send (or to send with pcc-report send). With spend files
    (input/spend/ or --spend), also position-015-2021-<as-at>.xlsx: spend against each line,
    the forecast outturn and commitments beyond the year. Exit status: 0 when
    every workbook is free of errors, 1 when any has errors (or the build was stopped),
    2 for a usage error or an output folder that cannot be written to.

    \b
    Example:
      pcc-report build input/ --out output/
      pcc-report build --pdf
      pcc-report build input/ --spend ledgers/2021-22/ --as-at 30/09/2021
    """
    from pipeline import batch

    if quiet and verbose:
        raise click.UsageError("Use just one of --quiet and --verbose.")
    config = _config(config_path)
    if pdf is not None:
        config = replace(config, pdf=pdf)
    folders = _paths(paths)
    runner.check_folders(folders, out)
    as_at_date = _as_at(as_at)
    skipped = _no_workbook_named(folders)
    if skipped is not None:  # a usage error: no output folder, manifest, log or page
        for note in skipped:
            console.echo_finding(note, indent="")
        raise runner.SetupError(console.no_workbooks(folders))

    def action() -> int:
        try:
            with runner.stoppable():
                results, notes = batch.build(
                    folders,
                    out,
                    config,
                    force=force,
                    progress=console.build_progress(quiet),
                    debug=debug,
                    previous=previous,
                    spend=spend,
                    as_at=as_at_date,
                )
        except batch.BatchBusy as error:
            raise click.ClickException(str(error)) from error
        except batch.OutputUnwritable as error:
            raise runner.SetupError(str(error)) from error
        console.build_report(results, notes, folders, out, quiet=quiet, verbose=verbose)
        return console.exit_code(results, folders)

    runner.run(debug, action)


def _no_workbook_named(paths: Sequence[Path]) -> list[Finding] | None:
    """Why each file named was skipped, when only files were named and none is a workbook to
    build (``build notes.txt``); None when there is something to build or a folder to look in."""
    if not console.files_only(paths):
        return None
    from pipeline.inputs import discover

    workbooks, notes = discover(paths)
    return None if workbooks else notes


@cli.command()
@out_option("The output folder whose page to redraw.")
@config_option
def index(out: Path, config_path: Path | None) -> None:
    """Redraw OUT/index.html, the output folder at a glance, without building anything.

    Every build that writes draws it (a rerun with everything up to date leaves it as it
    is); this redraws it from OUT/manifest.json and the findings files, for example after a
    workbook outside the last run changed. Run it from the folder the build ran from (with
    the same --config), so it can tell whether each workbook, the Word or e-mail templates or
    the settings changed since its build.

    \b
    Example:
      pcc-report index --out output
    """
    from pipeline.index_page import write_index

    if not (out / "manifest.json").is_file():
        raise click.UsageError(f"{out}/ has no manifest.json: run pcc-report build first.")
    made_with = _recipe(_config(config_path))
    try:
        drawn = write_index(out, recipe=made_with)
    except OSError as error:
        raise runner.SetupError(
            f"{out}/index.html could not be written: {error.strerror}."
        ) from error
    console.page_kept(drawn.page, drawn.kept)
    console.echo(f"Wrote {drawn.page}: open it in a browser.")


@cli.command("new-workbook")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def new_workbook(path: Path, force: bool) -> None:
    """Write a blank plan workbook with the layout's sheets, headers and drop-down lists.

    \b
    Example:
      pcc-report new-workbook input/my-plan-2022-23.xlsx
    """
    import io

    from pipeline import manifest, new_workbook
    from pipeline.outputs import unwritable_reason

    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path} should end in .xlsx, e.g. input/my-plan-2022-23.xlsx")
    if path.exists() and not force:
        raise click.UsageError(f"{path} already exists; choose another name or add --force.")
    made = io.BytesIO()  # made whole, then moved into place: never half a workbook at path
    try:
        new_workbook.write_workbook(made)
        manifest.write_atomic(path, made.getvalue())
    except OSError as error:
        reason = unwritable_reason(error, path.parent)
        raise runner.SetupError(f"{path} could not be written: {reason}.") from error
    console.echo(
        f"Wrote {path}: fill in each sheet (see 'How to fill this in'), then run "
        "pcc-report check on it."
    )


# The docstring's first sentence ends inside "{{ ... }}": click would list "List the {{ ...".
@cli.command("template-fields", short_help="List the fields the Word template uses.")
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The Word template to read (default: templates/request-for-decision.docx).",
)
def template_fields(template: Path | None) -> None:
    """List the {{ ... }} fields the Word template uses, one per line.

    A list's items are marked [] (funds[].lines[].budget: the budget of each line of each
    fund). Run it after editing the template in Word: a broken tag is named with the paragraph
    it is in (exit status 2).

    \b
    Example:
      pcc-report template-fields
      pcc-report template-fields --template templates/my-template.docx
    """
    from pipeline.docx_fields import template_fields as fields_of
    from pipeline.docx_template import TemplateError
    from pipeline.render_docx import DEFAULT_TEMPLATE

    try:
        names = fields_of(template or DEFAULT_TEMPLATE)
    except TemplateError as error:
        raise click.UsageError(str(error)) from error
    for name in names:
        console.echo(name)


@cli.command()
@click.argument("report")
@click.option(
    "--send",
    "really",
    is_flag=True,
    help="Really send it (without this, only show what would be sent).",
)
@out_option("The build's output folder, when REPORT is a reference.")
@config_option
@debug_option
def send(report: str, really: bool, out: Path, config_path: Path | None, debug: bool) -> None:
    """E-mail a built Request for Decision to its Circulation list (a dry run by default).

    REPORT is a decision reference (015/2021), a report folder (output/015-2021) or its .eml.
    The send is refused when the last build had errors, or when the workbook or any output
    changed since the build. The mail server comes from [tool.pcc-report.smtp] or the
    environment: PCC_SMTP_HOST, PCC_SMTP_PORT, PCC_SMTP_STARTTLS (yes/no), PCC_SMTP_USER,
    PCC_SMTP_FROM, PCC_SMTP_CA_FILE; the password only from PCC_SMTP_PASSWORD. Each send is
    logged in the manifest. Exit status: 0 sent (or dry run), 1 refused or failed, 2 usage.

    \b
    Example:
      pcc-report send 015/2021            show what would be sent, to whom
      pcc-report send 015/2021 --send     send it
    """

    from pipeline import send as sending

    config = _config(config_path)
    try:
        smtp = sending.settings(dict(config.smtp), os.environ)
    except sending.SettingsError as error:
        raise click.UsageError(str(error)) from error

    def action() -> int:
        try:
            prepared = sending.prepare(report, out)
        except sending.Refused as error:
            console.failure("Refused", str(error))
            return 1
        except sending.SendError as error:
            raise click.UsageError(str(error)) from error
        console.send_preview(prepared, smtp, really)
        if not really:
            return 0
        try:
            smtp.check()
        except sending.SettingsError as error:
            raise click.UsageError(str(error)) from error
        try:
            record = sending.send(prepared, smtp)
        except sending.SendError as error:
            console.failure("Not sent", str(error))
            return 1
        console.sent(record, prepared.out)
        from pipeline.index_page import write_index

        with contextlib.suppress(OSError):  # the page shows what was sent; a convenience
            drawn = write_index(prepared.out, recipe=_recipe(config))
            console.page_kept(drawn.page, drawn.kept)
        return 1 if record["refused"] else 0

    runner.run(debug, action)


def main() -> None:
    try:
        cli(prog_name="pcc-report")
    finally:
        runner.silence_stdout()
