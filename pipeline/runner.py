"""How a command runs as a process: stop signals, folder sanity, internal errors, a full disk.

``cli`` parses options and hands each command's work to ``run``; this module turns what can go
wrong around that work (Ctrl-C, SIGTERM, a bug of ours, a full disk) into one clear line and an
exit status, so no person sees a traceback unless they asked for one with ``--debug``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from pipeline import console


class SetupError(click.ClickException):
    """A problem with the folders or settings, not with a workbook: exit status 2."""

    exit_code = 2


def interrupted(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


# SIGTERM: a kill, a shutdown; SIGHUP: the terminal window or remote session closed under a
# build (Windows has neither a SIGHUP nor the need: closing the console ends it another way).
_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """Let SIGTERM and SIGHUP stop a build the way Ctrl-C does, so its clean-up runs: no
    half-written file left, the manifest written for what was built."""
    try:
        previous = {stop: signal.signal(stop, interrupted) for stop in _STOP_SIGNALS}
    except ValueError:  # not the main thread: leave the default
        yield
        return
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def check_folders(inputs: Sequence[Path], out: Path) -> None:
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


def run(debug: bool, action: Callable[[], int]) -> None:
    """Run a command; an internal error is one clear line, or a traceback with --debug."""
    try:
        code = action()
    except click.ClickException:
        raise
    except KeyboardInterrupt:
        with contextlib.suppress(OSError):  # the terminal that would show it is closed
            console.echo(
                "\nStopped before the end. Nothing half-written was left behind; what was "
                "built is recorded in the manifest, and the next run (make report) builds "
                "the rest.",
                err=True,
            )
        sys.exit(1)
    except BrokenPipeError:
        # Whatever read the output went away (`pcc-report check input | head`): nothing is
        # wrong and nobody is left to tell. Exit 1, as Python's own documentation does.
        silence_stdout()
        sys.exit(1)
    except Exception as error:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            quiet_exit(
                f"pcc-report: the disk is full ({error.filename or 'the output'} could not "
                "be written); free some space, then run again."
            )
        if debug:
            raise
        console.echo(
            f"pcc-report: internal error: {type(error).__name__}: {error}\n"
            "Run again with --debug for the details and report it to the maintainers.",
            err=True,
        )
        sys.exit(1)
    sys.exit(code)


def quiet_exit(message: str) -> None:
    """Say ``message`` on stderr and stop with status 2, with no "Exception ignored" noise
    when stdout itself is on the full disk (its buffer cannot be flushed at exit)."""
    with contextlib.suppress(OSError):
        click.echo(message, err=True)
    silence_stdout()
    sys.exit(2)


def silence_stdout() -> None:
    """Drop what stdout still holds if it cannot be written (a full disk, a closed pipe)."""
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
