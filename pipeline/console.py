"""What the console says to a person: findings, counts, one line per workbook, edited outputs.

All wording of the ``build``/``check``/``send`` console output lives here (the pipeline reports typed
events and results; ``cli`` parses options and calls the pipeline). Every line goes through
``safe`` so that text from a workbook or a file name cannot act on the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.findings import Finding, Severity

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipeline.results import Event, WorkbookResult
    from pipeline.send import Prepared, SmtpSettings

HEADINGS = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Notes"}
COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def safe(text: str) -> str:
    """Text from a workbook, a file name or an error made safe for a terminal: an ESC
    sequence in a service name must not clear the screen (escaped as ``\\x1b``)."""
    from pipeline.textsafe import for_terminal

    return for_terminal(text)


def json_for_terminal(text: str) -> str:
    """JSON with every character a terminal would act on as a JSON escape (``\\u202e``);
    json.dumps escapes only C0 controls, and ``\\x..`` would not be JSON."""
    return "".join(c if c.isprintable() or c in "\n" else f"\\u{ord(c):04x}" for c in text)


def echo(message: str = "", err: bool = False) -> None:
    """Every plain line the console prints goes through here, made safe for a terminal."""
    click.echo(safe(message), err=err)


def echo_finding(finding: Finding, indent: str = "    ") -> None:
    location = finding.location
    where = f"{location}  " if location else ""
    code = click.style(f"{finding.code:<15}", fg=COLOURS[finding.severity])
    click.echo(f"{indent}{code} {safe(where)}{safe(finding.message)}")


def echo_findings(result: WorkbookResult, severities: Sequence[Severity]) -> None:
    for severity in severities:
        chosen = [f for f in result.findings if f.severity is severity]
        if chosen:
            echo(f"  {HEADINGS[severity]} ({len(chosen)})")
            for finding in chosen:
                echo_finding(finding)


def counted_text(number: int, noun: str) -> str:
    from pipeline.values import counted

    return counted(number, noun)


def count_line(result: WorkbookResult) -> str:
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


def summary_line(result: WorkbookResult) -> str:
    from pipeline.values import format_money

    counts = count_line(result)
    if result.report is None:
        return f"  Summary: not reconciled — {counts}"
    report = result.report
    return (
        f"  Summary: {counted_text(len(report.funds), 'fund')}, "
        f"{counted_text(len(report.plan.lines), 'line')}, "
        f"{format_money(report.committed)} committed of {format_money(report.allocation)}, "
        f"{format_money(report.uncommitted)} uncommitted — {counts}"
    )


def outcome_line(result: WorkbookResult) -> str:
    """One line per workbook as the build goes: what became of it, and where to look."""
    from pipeline.inputs import display

    counts = count_line(result)
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


def edited_lines(result: WorkbookResult) -> list[str]:
    """Where each output a person edited is: left in place, or kept in stale/."""
    from pipeline.inputs import display

    lines = [
        f"  {output.name} is from an earlier build that the manifest no longer records; "
        f"moved to {display(moved)} so nobody sends it as current."
        for output, moved in result.unrecorded
    ]
    if result.superseded:
        folders = ", ".join(sorted({f"{display(p.parent)}/" for p in result.superseded}))
        lines.append(
            f"  {result.file} held another decision when the reports now in {folders} were "
            f"built; it holds {result.reference} now. They are kept there, not current. If that "
            "decision still stands, put its workbook in the input folder under a name of its own."
        )
    for output, kept in result.edited:
        if kept is None:
            lines.append(
                f"  {output.name} was edited after it was built; left as it is — "
                "--force rebuilds it and keeps your copy in stale/."
            )
        elif output.parent == kept.parent:  # a copy in stale/, edited there
            lines.append(
                f"  {display(output)}, an earlier report set aside in stale/, was edited "
                f"there; your copy is kept as {display(kept)}."
            )
        else:
            if output in result.outputs:
                instead = "the rebuilt one is in its place"
            elif result.outcome == "failed":
                instead = "the workbook has errors, so nothing was rebuilt in its place"
            else:
                instead = "this build no longer makes that file"
            lines.append(
                f"  {output.name} is not recorded in the manifest (it was lost or damaged), "
                f"so it may have been edited; it is kept as {display(kept)} ({instead})."
                if output in result.unrecorded_edits
                else f"  {output.name} was edited after it was built; your copy is kept as "
                f"{display(kept)} ({instead})."
            )
    return lines


def no_workbooks(paths: Sequence[Path]) -> str:
    """What to do when the paths hold no workbook (the files skipped are said above it)."""
    home = next((path for path in paths if path.is_dir()), Path("input"))
    example = home / "plan-2021-22.xlsx"
    blank = f"pcc-report new-workbook {example} makes a blank one to fill in"
    if files_only(paths):  # `check notes.txt`: the person named the wrong file
        named = ", ".join(str(path) for path in paths)
        return (
            f"{named}: not a workbook to read (see above). Name the plan itself, an Excel "
            f"Workbook (.xlsx), e.g. {example} ({blank})."
        )
    where = ", ".join(f"{path}/" if path.is_dir() else str(path) for path in paths)
    return (
        f"No workbooks found in {where}. Put each decision's plan there as an Excel Workbook "
        f"(.xlsx), e.g. {example} ({blank}), and run again."
    )


def files_only(paths: Sequence[Path]) -> bool:
    """Whether only files were named (no folder to look in)."""
    return bool(paths) and not any(path.is_dir() for path in paths)


def exit_code(results: Sequence[WorkbookResult], paths: Sequence[Path]) -> int:
    """0 when every workbook is free of errors (an empty input folder too: nothing is wrong
    yet), 1 when any has errors, 2 when only files were named and none is a workbook."""
    if not results and files_only(paths):
        return 2
    return 1 if any(r.status != "ok" for r in results) else 0


# Notes of the run said even without --verbose: a person moved or renamed a workbook, or
# edited the index page.
SAID_ALWAYS = ("I-RETIRED", "I-RENAMED", "I-PAGE-KEPT")


def page_kept(page: Path, kept: Path | None) -> None:
    """Where the index page a person edited went before ``page`` was drawn (``index``, ``send``;
    a build says it among its notes)."""
    if kept is not None:
        from pipeline.page_edits import kept_note

        echo_finding(kept_note(page, kept), indent="")


def build_progress(quiet: bool) -> Callable[[Event], None]:
    """What ``build`` says as it goes: a line per workbook (with ``quiet``, the failed ones
    only), every output a person edited (always: it is their work), and a wait for the lock."""
    from pipeline.results import Waiting

    def progress(event: Event) -> None:
        if isinstance(event, Waiting):
            echo(f"Another build is writing to {event.out}/ right now; waiting for it to finish…")
            return
        if not quiet or event.result.outcome == "failed":
            echo(outcome_line(event.result))
        for line in edited_lines(event.result):
            echo(line)

    return progress


def build_report(
    results: Sequence[WorkbookResult],
    notes: Sequence[Finding],
    paths: Sequence[Path],
    out: Path,
    *,
    quiet: bool,
    verbose: bool,
) -> None:
    """What ``build`` says when it is done: the notes of the run, each workbook's errors and
    warnings (its notes as a count unless ``verbose``), and one summary line."""
    from pipeline.inputs import plan_left_out

    for note in notes:  # with nothing built, why each file was skipped; always the
        # workbooks that are gone, whose outputs were set aside (a person should know)
        if verbose or not results or note.code in SAID_ALWAYS or plan_left_out(note):
            echo_finding(note, indent="")
    if not results:
        echo(no_workbooks(paths))
    for result in results:
        shown = result.outcome != "up to date" and (not quiet or result.outcome == "failed")
        if shown and result.findings:
            click.echo(click.style(safe(result.file), bold=True))
            echo_findings(result, list(Severity) if verbose else [Severity.ERROR, Severity.WARNING])
            note_count = result.count(Severity.INFO)
            if note_count and not verbose:
                echo(f"  {counted_text(note_count, 'note')} (--verbose lists them)")
    built = sum(r.outcome == "built" for r in results)
    current = sum(r.outcome == "up to date" for r in results)
    failed = sum(r.outcome == "failed" for r in results)
    noun = "workbook" if len(results) == 1 else "workbooks"
    echo(
        f"{len(results)} {noun}: {built} built, {current} up to date, "
        f"{failed} failed. Outputs in {out}/ (manifest: {out}/manifest.json)."
    )


def check_report(
    results: Sequence[WorkbookResult], notes: Sequence[Finding], paths: Sequence[Path]
) -> None:
    """What ``check`` says: the notes of the run, then every finding of each workbook under
    its name and decision, and its summary line."""
    for note in notes:
        echo_finding(note, indent="")
    for result in results:
        title = f" — decision {result.reference}" if result.reference else ""
        click.echo(click.style(safe(f"{result.file}{title}"), bold=True))
        echo_findings(result, list(Severity))
        echo(summary_line(result))
    if not results:
        echo(no_workbooks(paths))


# -- send ---------------------------------------------------------------------------------------


def failure(label: str, message: str) -> None:
    """A send refused or failed: ``label`` in red, then the reason, on standard error."""
    click.echo(click.style(f"{label}: ", fg="red", bold=True) + safe(message), err=True)


def send_preview(prepared: Prepared, smtp: SmtpSettings, really: bool) -> None:
    """What is (or, on a dry run, would be) sent: the message's headers, its attachments with
    their hashes, the server, and the notes on the message."""
    echo(f"{'Sending' if really else 'Would send'} {prepared.eml}")
    echo(f"  From:     {smtp.sender or '(set PCC_SMTP_FROM)'}")
    echo(f"  To:       {prepared.message['To']}")
    echo(f"  Subject:  {prepared.subject}")
    for attachment in prepared.attachments:
        echo(
            f"  Attached: {attachment['name']} ({attachment['size']:,} bytes, "
            f"SHA-256 {attachment['sha256'][:16]}…)"
        )
    echo(f"  Server:   {smtp.describe()}")
    for note in prepared.notes:
        echo(f"  Note:     {note}")
    if not really:
        echo("Dry run: nothing was sent. Add --send to send it.")


def sent(record: dict[str, Any], out: Path) -> None:
    """The send's log record: to whom and when, and each address the server refused."""
    echo(
        f"Sent to {', '.join(record['to'])} at {record['sent_at']}; logged in {out / 'manifest.json'}."
    )
    for address, reason in record["refused"].items():
        click.echo(click.style(safe(f"  The server refused {address}: {reason}"), fg="yellow"))
