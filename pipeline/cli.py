"""The ``pcc-report`` command: parses options, calls the pipeline, prints for a person.

Heavy libraries (pandas, openpyxl, docxtpl, xlsxwriter) are imported only inside commands, so
``pcc-report --help`` stays instant.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline import __version__
from pipeline.findings import Finding, Severity

if TYPE_CHECKING:
    from pipeline.batch import WorkbookResult
    from pipeline.config import Config

F = TypeVar("F", bound=Callable[..., Any])

HEADINGS = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Notes"}
COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def safe(text: str) -> str:
    """Text from a workbook, a file name or an error made safe for a terminal: an ESC
    sequence in a service name must not clear the screen (escaped as ``\\x1b``)."""
    from pipeline.textsafe import for_terminal

    return for_terminal(text)


def _json_for_terminal(text: str) -> str:
    """JSON with every character a terminal would act on as a JSON escape (``\\u202e``);
    json.dumps escapes only C0 controls, and ``\\x..`` would not be JSON."""
    return "".join(c if c.isprintable() or c in "\n" else f"\\u{ord(c):04x}" for c in text)


def _echo(message: str = "", err: bool = False) -> None:
    """Every plain line the console prints goes through here, made safe for a terminal."""
    click.echo(safe(message), err=err)


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
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Settings file (default: [tool.pcc-report] in ./pcc-report.toml or ./pyproject.toml).",
    )(func)


def previous_option(func: F) -> F:
    return click.option(
        "--previous",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Last year's workbook, to compare with (default: found in the run or in "
        "input/archive/ by police area and year).",
    )(func)


def debug_option(func: F) -> F:
    return click.option(
        "--debug", is_flag=True, help="Show Python tracebacks of internal errors (for maintainers)."
    )(func)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pcc-report")
def cli() -> None:
    """Turn a PCC commissioning-plan workbook into the Request for Decision and public summary.

    \b
    Examples:
      pcc-report build                      build every workbook in input/ into output/
      pcc-report check input/plan.xlsx      list the problems, write nothing
      pcc-report new-workbook my-plan.xlsx  a blank workbook to fill in
    """


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


def _echo_finding(finding: Finding, indent: str = "    ") -> None:
    location = finding.location
    where = f"{location}  " if location else ""
    code = click.style(f"{finding.code:<15}", fg=COLOURS[finding.severity])
    click.echo(f"{indent}{code} {safe(where)}{safe(finding.message)}")


def _echo_findings(result: WorkbookResult, severities: Sequence[Severity]) -> None:
    for severity in severities:
        chosen = [f for f in result.findings if f.severity is severity]
        if chosen:
            _echo(f"  {HEADINGS[severity]} ({len(chosen)})")
            for finding in chosen:
                _echo_finding(finding)


def _counted(number: int, noun: str) -> str:
    from pipeline.values import counted

    return counted(number, noun)


def _counts(result: WorkbookResult) -> str:
    """``0 errors, 2 warnings, 8 notes``: the same words and counts in check and build."""
    from pipeline.values import counted

    return ", ".join(
        counted(result.count(severity), noun)
        for severity, noun in (
            (Severity.ERROR, "error"),
            (Severity.WARNING, "warning"),
            (Severity.INFO, "note"),
        )
    )


def _summary_line(result: WorkbookResult) -> str:
    from pipeline.values import format_money

    counts = _counts(result)
    if result.report is None:
        return f"  Summary: not reconciled — {counts}"
    report = result.report
    return (
        f"  Summary: {len(report.funds)} funds, {len(report.plan.lines)} lines, "
        f"{format_money(report.committed)} committed of {format_money(report.allocation)}, "
        f"{format_money(report.uncommitted)} uncommitted — {counts}"
    )


def _outcome_line(result: WorkbookResult) -> str:
    """One line per workbook as the build goes: what became of it, and where to look."""
    from pipeline.inputs import display

    counts = _counts(result)
    if result.outcome == "up to date":
        return f"up to date  {result.file}"
    if result.outcome == "built":
        return f"built       {result.file} -> {display(result.folder or Path())}/ ({counts})"
    where = (
        f"see {display(result.folder / result.findings_name)}"
        if result.folder and result.outputs
        else "no findings file could be written"
    )
    return f"FAILED      {result.file} ({counts}); {where}"


def _edited_lines(result: WorkbookResult) -> list[str]:
    """Where each output a person edited is: left in place, or kept in stale/."""
    from pipeline.inputs import display

    lines = [
        f"  {output.name} is from an earlier build that the manifest no longer records; "
        f"moved to {display(moved)} so nobody sends it as current."
        for output, moved in result.unrecorded
    ]
    for output, kept in result.edited:
        if kept is None:
            lines.append(
                f"  {output.name} was edited after it was built; left as it is — "
                "--force rebuilds it and keeps your copy in stale/."
            )
        else:
            lines.append(
                f"  {output.name} was edited after it was built; your copy is kept as "
                f"{display(kept)} (the rebuilt one is in its place)."
            )
    return lines


def _exit_code(results: Sequence[WorkbookResult]) -> int:
    return 1 if any(r.status != "ok" for r in results) else 0


class SetupError(click.ClickException):
    """A problem with the folders or settings, not with a workbook: exit status 2."""

    exit_code = 2


def _interrupted(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """Let SIGTERM (a kill, a closed session, a shutdown) stop a build the way Ctrl-C does, so
    its clean-up runs: no half-written file left, the manifest written for what was built."""
    try:
        previous = signal.signal(signal.SIGTERM, _interrupted)
    except ValueError:  # not the main thread: leave the default
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_folders(inputs: Sequence[Path], out: Path) -> None:
    """Refuse an output folder inside an input folder, or an input inside the output folder:
    the reports would sit among the plans, or be read as plans."""
    output = out.resolve()
    for path in inputs:
        given = path.resolve()
        if path.is_dir() and (given == output or given in output.parents):
            raise click.UsageError(
                f"The output folder {out} is inside the input folder {path}, so the reports "
                "would sit among the plans. Choose an output folder outside it, e.g. "
                "--out output"
            )
        if output in given.parents:
            raise click.UsageError(
                f"{path} is inside the output folder {out}: pcc-report would read its own "
                "reports as plans. Name the folder the workbooks are dropped in, e.g. "
                "pcc-report build input"
            )


def _run(debug: bool, action: Callable[[], int]) -> None:
    """Run a command; an internal error is one clear line, or a traceback with --debug."""
    try:
        code = action()
    except click.ClickException:
        raise
    except KeyboardInterrupt:
        _echo(
            "\nStopped before the end. Nothing half-written was left behind; what was "
            "built is recorded in the manifest, and the next run (make report) builds "
            "the rest.",
            err=True,
        )
        sys.exit(1)
    except Exception as error:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            _quiet_exit(
                f"pcc-report: the disk is full ({error.filename or 'the output'} could not "
                "be written); free some space, then run again."
            )
        if debug:
            raise
        _echo(
            f"pcc-report: internal error: {type(error).__name__}: {error}\n"
            "Run again with --debug for the details and report it to the maintainers.",
            err=True,
        )
        sys.exit(1)
    sys.exit(code)


@cli.command()
@paths_argument
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
@previous_option
@config_option
@debug_option
def check(
    paths: tuple[Path, ...],
    as_json: bool,
    previous: Path | None,
    config_path: Path | None,
    debug: bool,
) -> None:
    """Check workbooks against the workbook layout and the commissioning rules; write nothing.

    PATHS are workbooks or folders of workbooks (default: input/). Exit status: 0 when every
    workbook is free of errors, 1 when any has errors, 2 for a usage error.

    \b
    Example:
      pcc-report check input/ --json
    """
    from pipeline import batch

    config = _config(config_path)
    folders = _paths(paths, "check")

    def action() -> int:
        results, notes = batch.check(folders, config, debug, previous)
        if as_json:
            report = json.dumps(_json_report(results, notes), indent=2, ensure_ascii=False)
            click.echo(_json_for_terminal(report))
        else:
            for note in notes:
                _echo_finding(note, indent="")
            for result in results:
                title = f" — decision {result.reference}" if result.reference else ""
                click.echo(click.style(safe(f"{result.file}{title}"), bold=True))
                _echo_findings(result, list(Severity))
                _echo(_summary_line(result))
            if not results:
                _echo("No workbooks found.")
        return _exit_code(results)

    _run(debug, action)


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
@click.option(
    "--spend",
    "spend",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Ledger exports (CSV or .xlsx) or a folder of them, for the in-year position "
    "(default: spend/ inside each folder built). May be given more than once.",
)
@click.option(
    "--as-at",
    "as_at",
    metavar="DATE",
    help="Date of the position, dd/mm/yyyy (default: the latest payment in the spend files).",
)
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
    _check_folders(folders, out)
    as_at_date = _as_at(as_at)

    def progress(event: batch.Event) -> None:
        if isinstance(event, batch.Waiting):
            _echo(f"Another build is writing to {event.out}/ right now; waiting for it to finish…")
        else:
            if not quiet or event.result.outcome == "failed":
                _echo(_outcome_line(event.result))
            for line in _edited_lines(event.result):  # a person's work: said even with --quiet
                _echo(line)

    def action() -> int:
        try:
            with _stoppable():
                results, notes = batch.build(
                    folders,
                    out,
                    config,
                    force=force,
                    progress=progress,
                    debug=debug,
                    previous=previous,
                    spend=spend,
                    as_at=as_at_date,
                )
        except batch.BatchBusy as error:
            raise click.ClickException(str(error)) from error
        except batch.OutputUnwritable as error:
            raise SetupError(str(error)) from error
        if verbose:
            for note in notes:
                _echo_finding(note, indent="")
        for result in results:
            shown = result.outcome != "up to date" and (not quiet or result.outcome == "failed")
            if shown and result.findings:
                # Errors and warnings in full; notes as a count unless --verbose.
                click.echo(click.style(safe(result.file), bold=True))
                _echo_findings(
                    result, list(Severity) if verbose else [Severity.ERROR, Severity.WARNING]
                )
                note_count = result.count(Severity.INFO)
                if note_count and not verbose:
                    _echo(f"  {_counted(note_count, 'note')} (--verbose lists them)")
        built = sum(r.outcome == "built" for r in results)
        current = sum(r.outcome == "up to date" for r in results)
        failed = sum(r.outcome == "failed" for r in results)
        noun = "workbook" if len(results) == 1 else "workbooks"
        _echo(
            f"{len(results)} {noun}: {built} built, {current} up to date, "
            f"{failed} failed. Outputs in {out}/ (manifest: {out}/manifest.json)."
        )
        return _exit_code(results)

    _run(debug, action)


@cli.command()
@out_option("The output folder whose page to redraw.")
def index(out: Path) -> None:
    """Redraw OUT/index.html, the output folder at a glance, without building anything.

    Every build draws it; this redraws it from OUT/manifest.json and the findings files (for
    example after pcc-report send, or when a report was edited). Run it from the folder the
    build ran from, so it can tell whether each workbook changed since its build.

    \b
    Example:
      pcc-report index --out output
    """
    from pipeline.index_page import write_index

    if not (out / "manifest.json").is_file():
        raise click.UsageError(f"{out}/ has no manifest.json: run pcc-report build first.")
    try:
        page = write_index(out)
    except OSError as error:
        raise SetupError(f"{out}/index.html could not be written: {error.strerror}.") from error
    _echo(f"Wrote {page}: open it in a browser.")


@cli.command("new-workbook")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def new_workbook(path: Path, force: bool) -> None:
    """Write a blank plan workbook with the layout's sheets, headers and drop-down lists.

    \b
    Example:
      pcc-report new-workbook input/my-plan-2022-23.xlsx
    """
    from pipeline.new_workbook import write_workbook

    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path} should end in .xlsx, e.g. input/my-plan-2022-23.xlsx")
    if path.exists() and not force:
        raise click.UsageError(f"{path} already exists; choose another name or add --force.")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path)
    _echo(
        f"Wrote {path}: fill in each sheet (see 'How to fill this in'), then run "
        "pcc-report check on it."
    )


@cli.command("template-fields")
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
    from pipeline.docx_template import TemplateError
    from pipeline.docx_template import template_fields as fields_of
    from pipeline.render_docx import DEFAULT_TEMPLATE

    try:
        names = fields_of(template or DEFAULT_TEMPLATE)
    except TemplateError as error:
        raise click.UsageError(str(error)) from error
    for name in names:
        _echo(name)


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
    import os

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
            click.echo(click.style("Refused: ", fg="red", bold=True) + safe(str(error)), err=True)
            return 1
        except sending.SendError as error:
            raise click.UsageError(str(error)) from error
        _echo(f"{'Sending' if really else 'Would send'} {prepared.eml}")
        _echo(f"  From:     {smtp.sender or '(set PCC_SMTP_FROM)'}")
        _echo(f"  To:       {prepared.message['To']}")
        _echo(f"  Subject:  {prepared.subject}")
        for attachment in prepared.attachments:
            _echo(
                f"  Attached: {attachment['name']} ({attachment['size']:,} bytes, "
                f"SHA-256 {attachment['sha256'][:16]}…)"
            )
        _echo(f"  Server:   {smtp.describe()}")
        for note in prepared.notes:
            _echo(f"  Note:     {note}")
        if not really:
            _echo("Dry run: nothing was sent. Add --send to send it.")
            return 0
        try:
            smtp.check()
        except sending.SettingsError as error:
            raise click.UsageError(str(error)) from error
        try:
            record = sending.send(prepared, smtp)
        except sending.SendError as error:
            click.echo(click.style("Not sent: ", fg="red", bold=True) + safe(str(error)), err=True)
            return 1
        _echo(
            f"Sent to {', '.join(record['to'])} at {record['sent_at']}; logged in "
            f"{prepared.out / 'manifest.json'}."
        )
        for address, reason in record["refused"].items():
            click.echo(click.style(safe(f"  The server refused {address}: {reason}"), fg="yellow"))
        from pipeline.index_page import write_index

        with contextlib.suppress(OSError):  # the page shows what was sent; a convenience
            write_index(prepared.out)
        return 1 if record["refused"] else 0

    _run(debug, action)


def _quiet_exit(message: str) -> None:
    """Say ``message`` on stderr and stop with status 2, with no "Exception ignored" noise
    when stdout itself is on the full disk (its buffer cannot be flushed at exit)."""
    with contextlib.suppress(OSError):
        click.echo(message, err=True)
    _silence_stdout()
    sys.exit(2)


def _silence_stdout() -> None:
    """Drop what stdout still holds if it cannot be written (a full disk, a closed pipe)."""
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main() -> None:
    try:
        cli(prog_name="pcc-report")
    finally:
        _silence_stdout()
