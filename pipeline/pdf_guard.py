"""LibreOffice ended with the build that started it, however the build ends.

LibreOffice runs in a session of its own, so that a hung conversion is ended as a whole
(soffice and the soffice.bin it starts). A build stopped by Ctrl-C or SIGTERM ends it on the
way out; a build killed outright (``kill -9``, the out-of-memory killer) runs no clean-up,
and LibreOffice ran on, writing its profile into the ``.tmp-pdf-*`` work folder in the
output folder. So LibreOffice is started by this guard, a small process in a session of its
own too, which waits for it and, when the build is gone, ends it and removes the work folder.

The guard learns of the build's death from the kernel on Linux (``PR_SET_PDEATHSIG``: sent
when the thread that started the guard ends, which waits for it); elsewhere, and as a check
on Linux, it looks four times a second whether its parent has changed. The build ends the
guard with SIGTERM (a timeout, Ctrl-C), which ends LibreOffice the same way. Only a guard
killed outright itself leaves LibreOffice running; its launcher is then told by the kernel
on Linux (the soffice.bin it started is not).

Run as ``python -m pipeline.pdf_guard PARENT_PID WORK_FOLDER COMMAND...``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import FrameType

# The guard's exit status when LibreOffice could not be started (its reason on stdout).
NOT_STARTED = 127
_POLL_SECONDS = 0.25
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


# Set by SIGTERM, SIGHUP or SIGINT: the build asks the guard to stop. A flag, looked at between
# waits, rather than an exception, which could land inside Popen once LibreOffice had started
# and leave it unknown to the guard.
_stop_asked: list[int] = []


def guard_command(work: str, command: Sequence[str]) -> list[str]:
    """The command that runs ``command`` (LibreOffice) under the guard of this process."""
    return [sys.executable, "-m", "pipeline.pdf_guard", str(os.getpid()), work, *command]


def _die_with_parent(stop: int) -> None:
    """Ask the kernel for ``stop`` when the parent ends (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, stop, 0, 0, 0)


def _stop(signum: int, frame: FrameType | None) -> None:
    _stop_asked.append(signum)


def _stopped(parent: int) -> bool:
    return bool(_stop_asked) or os.getppid() != parent


def guard(parent: int, work: str, command: Sequence[str]) -> int:
    """Run ``command`` in a session of its own until it ends (its exit status) or the build
    ``parent`` is gone or stops the guard (LibreOffice ended, ``work`` removed: 143)."""
    for stop in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(stop, _stop)
    _die_with_parent(signal.SIGTERM)
    process: subprocess.Popen[bytes] | None = None
    if not _stopped(parent):  # the build may be gone before the kernel was asked
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=lambda: _die_with_parent(signal.SIGKILL),
            )
        except OSError as error:
            print(error, flush=True)
            return NOT_STARTED
        while not _stopped(parent):
            with contextlib.suppress(subprocess.TimeoutExpired):
                return process.wait(timeout=_POLL_SECONDS)
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            if hasattr(os, "killpg"):  # the guard runs on POSIX only (pdf.py)
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.wait()
    shutil.rmtree(work, ignore_errors=True)
    return 128 + signal.SIGTERM


if __name__ == "__main__":
    sys.exit(guard(int(sys.argv[1]), sys.argv[2], sys.argv[3:]))
