"""The shared office machine at its worst: runs at once, runs stopped half-way, folders that
cannot be written, odd things in the input and output folders, a hand-edited manifest.

Where concurrency or signals matter the tests use real processes, each with a bounded wait.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pipeline import batch, inputs, manifest_entry, outputs, stale
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.manifest import sha256
from tests.workbooks import decision_field, make_workbook

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = {
    "RfD-015-2021.docx",
    "commissioning-summary-2021-22.xlsx",
    "review-015-2021.docx",
    "email-015-2021.eml",  # the sample names its sign-off circulation
    "findings.json",
    "grants-2021-22.csv",  # the Transparency Code files (pipeline/transparency.py)
    "contracts-2021-22.csv",
}
WAIT = 120  # seconds: the most any process of these tests is waited for


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    return tmp_path / "output"


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path, as a finance officer runs from the project folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def no_traceback(result: Result) -> None:
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and "internal error" not in text, text


def temporaries(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob(".tmp-*")]


def manifest_entries(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "manifest.json").read_text("utf-8"))["workbooks"])


def assert_manifest_matches_disk(out: Path) -> None:
    for entry in manifest_entries(out).values():
        for output in entry["outputs"]:
            assert output["sha256"] == sha256(out / output["path"]), output


# -- real processes ---------------------------------------------------------------------------

# pcc-report, with the Excel renderer held up after it has written its temporary file (for
# argv[1] seconds at most, or until a file named "release" appears): a window in which to start
# a second build, or to stop this one.
SLOW_BUILD = """
import sys, time
from pathlib import Path
import pipeline.render_xlsx as rx
real = rx.render_xlsx
def slow(recon, target, *args, **kwargs):
    real(recon, target, *args, **kwargs)
    print("RENDERING", flush=True)
    deadline = time.monotonic() + float(sys.argv[1])
    while time.monotonic() < deadline and not Path("release").exists():
        time.sleep(0.05)
rx.render_xlsx = slow
from pipeline.cli import cli
cli(sys.argv[2:], prog_name="pcc-report")
"""


@pytest.fixture()
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start a process in tmp_path (stdout and stderr to files); all are ended at the end."""
    started: list[subprocess.Popen[str]] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PCC_REPORT_CACHE": "off"}

    def start(*args: str, log: str) -> subprocess.Popen[str]:
        with (
            (tmp_path / f"{log}.out").open("w") as stdout,
            (tmp_path / f"{log}.err").open("w") as stderr,
        ):
            process = subprocess.Popen(
                args, cwd=tmp_path, env=env, text=True, stdout=stdout, stderr=stderr
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=WAIT)


def wait_for(path: Path, text: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if path.is_file() and text in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}")


def slow_build(
    spawn: Callable[..., subprocess.Popen[str]], seconds: float, *args: str, log: str
) -> subprocess.Popen[str]:
    return spawn(sys.executable, "-c", SLOW_BUILD, str(seconds), "build", *args, log=log)


@pytest.mark.slow
def test_two_builds_at_once_take_turns(
    drop: Path, out: Path, tmp_path: Path, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    first = slow_build(spawn, WAIT, "input", "--out", "output", log="first")
    wait_for(tmp_path / "first.out", "RENDERING")
    second = spawn(
        sys.executable,
        "-c",
        "from pipeline.cli import main; main()",
        "build",
        "input",
        "--out",
        "output",
        log="second",
    )
    wait_for(tmp_path / "second.out", "waiting for it to finish")
    (tmp_path / "release").touch()
    assert first.wait(timeout=WAIT) == 0, (tmp_path / "first.err").read_text()
    assert second.wait(timeout=WAIT) == 0, (tmp_path / "second.err").read_text()
    said = (tmp_path / "second.out").read_text()
    assert "Another build is writing to output/ right now; waiting" in said
    assert "up to date  input/lincolnshire-2021-22.xlsx" in said  # the first one built it
    assert "built" in (tmp_path / "first.out").read_text()
    assert_manifest_matches_disk(out)
    assert temporaries(out) == []


STUB_PYTHON = """#!/bin/sh
# Stands in for python3 in the Makefile: "-m venv DIR" makes DIR/bin/python, whose pip
# "installs" slowly (so two runs overlap) and whose editable install makes bin/pcc-report.
# "-c CODE" is the Makefile asking whether it is Python 3.11 or newer: it is.
[ "$1" = "-c" ] && exit 0
[ "$1" = "-m" ] && [ "$2" = "venv" ] || exit 3
echo "venv" >> "$STUB_LOG"
mkdir -p "$3/bin"
cat > "$3/bin/python" <<'EOF'
#!/bin/sh
[ "$1" = "-c" ] && exit 0
echo "pip $*" >> "$STUB_LOG"
sleep 1
case "$*" in *"-e "*)
  bin=$(dirname "$0")
  printf '#!/bin/sh\\necho "pcc-report $*"\\n' > "$bin/pcc-report"; chmod +x "$bin/pcc-report";;
esac
EOF
chmod +x "$3/bin/python"
"""


@pytest.fixture()
def fresh_clone(tmp_path: Path) -> Path:
    """The Makefile, pyproject.toml and the lock in a folder without .venv/, and a stub python3."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, clone / name)
    stub = tmp_path / "python3"
    stub.write_text(STUB_PYTHON)
    stub.chmod(0o755)
    return clone


def make_report(clone: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "STUB_LOG": str(clone.parent / "installs.log")}
    env.pop("MAKEFLAGS", None)
    return subprocess.Popen(
        ["make", "-C", str(clone), "report", f"PYTHON={clone.parent / 'python3'}", *extra],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_two_make_reports_on_a_fresh_clone_install_once(fresh_clone: Path) -> None:
    if shutil.which("flock") is None:
        pytest.skip("flock is not installed: the Makefile then installs unguarded")
    runs = [make_report(fresh_clone) for _ in range(2)]
    outputs = [run.communicate(timeout=WAIT)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    installs = (fresh_clone.parent / "installs.log").read_text().splitlines()
    assert installs.count("venv") == 1, installs  # unguarded, both runs made it and pip raced
    assert sum("-e " in line for line in installs) == 1, installs
    assert sum("set up by another run" in o for o in outputs) == 1, outputs
    # The one that waited said so (it was silent for the whole install).
    waited = next(o for o in outputs if "set up by another run" in o)
    assert "Another make report is setting up .venv/ right now; waiting" in waited
    assert all("pcc-report build input --out output" in o for o in outputs)


# The .venv/bin/python a broken .venv/ holds, as each answers the Makefile.
_BROKEN_VENVS = {
    # The first `make report` stopped (Ctrl-C, the window closed) while it made .venv/: its
    # python is there, pip is not. Every later `make report` failed on "No module named pip".
    "first setup stopped": '#!/bin/sh\necho "$0: No module named pip" >&2\nexit 1\n',
    # Made by a Python older than 3.11 (the one on the machine before a newer was installed):
    # it has pip, so it was kept, and every `make report` failed to install into it.
    "made by a Python too old": '#!/bin/sh\ncase "$*" in *version_info*) exit 1;; esac\nexit 0\n',
}


@pytest.mark.slow
@pytest.mark.parametrize("broken", _BROKEN_VENVS)
def test_make_report_makes_a_broken_venv_again(fresh_clone: Path, broken: str) -> None:
    python = fresh_clone / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(_BROKEN_VENVS[broken])
    python.chmod(0o755)
    run = make_report(fresh_clone)
    output = run.communicate(timeout=WAIT)[0]
    assert run.returncode == 0, output
    assert "pcc-report build input --out output" in output
    assert (fresh_clone.parent / "installs.log").read_text().splitlines().count("venv") == 1


@pytest.mark.slow
def test_make_report_with_a_python_too_old_says_so_and_makes_nothing(fresh_clone: Path) -> None:
    old = fresh_clone.parent / "python3"  # the stub, as Python 3.9 would answer
    old.write_text('#!/bin/sh\n[ "$1" = "--version" ] && echo "Python 3.9.18" && exit 0\nexit 1\n')
    run = make_report(fresh_clone)
    output = run.communicate(timeout=WAIT)[0]
    assert run.returncode != 0
    assert f"pcc-report needs Python 3.11 or newer; '{old}' is Python 3.9.18." in output
    assert "make report PYTHON=python3.11" in output
    assert not (fresh_clone / ".venv" / "bin").exists()


@pytest.mark.slow
def test_without_flock_the_install_still_runs(fresh_clone: Path) -> None:
    run = make_report(fresh_clone, "FLOCK=")
    output = run.communicate(timeout=WAIT)[0]
    assert run.returncode == 0, output
    assert "pcc-report build input --out output" in output
    assert (fresh_clone / ".venv" / ".installed").exists()


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])  # SIGHUP: the terminal was closed
def test_a_stop_signal_mid_render_leaves_nothing_half_written(
    drop: Path,
    out: Path,
    tmp_path: Path,
    here: Path,
    spawn: Callable[..., subprocess.Popen[str]],
    stop: str,
) -> None:
    batch.build([drop], out, Config())
    before = {p.name: sha256(p) for p in (out / "015-2021").iterdir()}
    build = slow_build(spawn, 60, "input", "--out", "output", "--force", log="stopped")
    wait_for(tmp_path / "stopped.out", "RENDERING")
    assert temporaries(out)  # the window: both documents are half-way, under .tmp- names
    build.send_signal(getattr(signal, stop))
    assert build.wait(timeout=WAIT) == 1
    said = (tmp_path / "stopped.err").read_text()
    assert "Stopped before the end. Nothing half-written was left behind" in said
    assert "Traceback" not in said
    assert temporaries(out) == []
    # The earlier report is intact and the manifest says to build it again.
    assert {p.name: sha256(p) for p in (out / "015-2021").iterdir()} == before
    assert [e["status"] for e in manifest_entries(out).values()] == ["interrupted"]
    [result] = batch.build([drop], out, Config())[0]
    assert result.outcome == "built"
    assert [e["status"] for e in manifest_entries(out).values()] == ["ok"]
    assert_manifest_matches_disk(out)


@pytest.mark.slow
def test_a_killed_build_is_swept_up_by_the_next(
    drop: Path,
    out: Path,
    tmp_path: Path,
    here: Path,
    spawn: Callable[..., subprocess.Popen[str]],
) -> None:
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / ".tmp-notes.txt").write_text("mine too")  # not the tool's pattern: kept
    build = slow_build(spawn, 60, "input", "--out", "output", log="killed")
    wait_for(tmp_path / "killed.out", "RENDERING")
    build.kill()  # SIGKILL: no clean-up at all
    build.wait(timeout=WAIT)
    assert len(temporaries(out)) == 3  # two documents and the user's own .tmp-notes.txt
    [result] = batch.build([drop], out, Config())[0]
    assert result.outcome == "built"
    assert temporaries(out) == [".tmp-notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"
    assert_manifest_matches_disk(out)


@pytest.mark.slow
def test_a_killed_build_is_swept_up_by_a_rerun_with_nothing_to_do(
    drop: Path,
    out: Path,
    tmp_path: Path,
    here: Path,
    spawn: Callable[..., subprocess.Popen[str]],
) -> None:
    """A forced build killed half-way leaves the outputs as they were, so the next run finds
    them up to date and builds nothing: it still sweeps the killed run's temporary files away
    (they used to stay until some later build had something to write)."""
    batch.build([drop], out, Config())
    build = slow_build(spawn, 60, "input", "--out", "output", "--force", log="killed")
    wait_for(tmp_path / "killed.out", "RENDERING")
    build.kill()  # SIGKILL: no clean-up at all
    build.wait(timeout=WAIT)
    assert temporaries(out)
    [result] = batch.build([drop], out, Config())[0]
    assert result.outcome == "up to date"
    assert temporaries(out) == []
    assert_manifest_matches_disk(out)


def test_a_rerun_with_nothing_to_do_leaves_a_live_builds_temporary_files(
    drop: Path, out: Path
) -> None:
    """The temporary files of a build that holds the folder right now are its own: a rerun
    with nothing to do neither waits for it nor touches them."""
    from filelock import FileLock

    batch.build([drop], out, Config())
    live = out / "015-2021" / ".tmp-abcd1234-RfD-015-2021.docx"
    live.write_bytes(b"being written")
    with FileLock(str(out / outputs.LOCK)):
        [result] = batch.build([drop], out, Config())[0]
        assert result.outcome == "up to date"
        assert live.read_bytes() == b"being written"
    [result] = batch.build([drop], out, Config())[0]  # that build is gone: now swept
    assert result.outcome == "up to date"
    assert temporaries(out) == []


def new_subject(content: Any) -> None:
    decision_field("Subject", "Revised plan")(content)


# pcc-report where one output cannot be replaced, as Windows refuses to replace a file that is
# open in Word or Excel (argv[1] names it); the rest of argv is the command line.
LOCKED_OUTPUT = """
import errno, os, sys
from pathlib import Path
real = os.replace
def replace(src, dst, *args, **kwargs):
    if sys.argv[1] in (Path(src).name, Path(dst).name):  # neither replaced nor moved away
        raise PermissionError(errno.EACCES, "Permission denied", str(src), None, str(dst))
    return real(src, dst, *args, **kwargs)
os.replace = replace
from pipeline.cli import cli
cli(sys.argv[2:], prog_name="pcc-report")
"""


def build_with_locked(name: str, here: Path) -> subprocess.CompletedProcess[str]:
    """A build in its own process while the output ``name`` can be neither replaced nor
    moved, as when it is open in Word or Excel on Windows (see LOCKED_OUTPUT)."""
    return subprocess.run(
        [sys.executable, "-c", LOCKED_OUTPUT, name, "build"],
        cwd=here,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PCC_REPORT_CACHE": "off"},
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


@pytest.mark.slow
def test_an_output_that_cannot_be_replaced_keeps_the_last_good_outputs_whole(
    drop: Path, out: Path, here: Path
) -> None:
    """The Word report is moved into place before the summary: when the summary cannot be
    replaced, the new Word report must not stay (nor go to stale/ as the last good one) beside
    the last build's other files. The last good outputs are kept whole, byte for byte, and the
    message names the file that is in the way."""
    batch.build([drop], out, Config())
    folder = out / "015-2021"
    before = {p.name: sha256(p) for p in folder.iterdir() if p.name != "findings.json"}
    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=new_subject)
    done = build_with_locked("commissioning-summary-2021-22.xlsx", here)
    assert done.returncode == 1, done.stderr
    assert "output/015-2021/commissioning-summary-2021-22.xlsx could not be replaced" in done.stdout
    assert "open in Word or Excel" in done.stdout
    # The last good set, whole: in stale/, but for the locked file, which cannot be moved
    # either; no file of the failed build among them.
    kept = {p.name: sha256(p) for p in (folder / "stale").iterdir()}
    left = {p.name: sha256(p) for p in folder.iterdir() if p.is_file()}
    assert left.pop("findings.json")
    assert list(left) == ["commissioning-summary-2021-22.xlsx"]
    assert {**kept, **left} == before
    assert temporaries(out) == []
    assert_manifest_matches_disk(out)
    [result] = batch.build([drop], out, Config())[0]  # the file was closed: built
    assert result.outcome == "built" and result.edited == []
    assert_manifest_matches_disk(out)


@pytest.mark.slow
def test_a_report_that_could_not_be_set_aside_is_not_taken_for_an_edit(
    drop: Path, out: Path, here: Path
) -> None:
    """The Word report is open (locked) while a rebuild fails: it can be neither replaced nor
    moved to stale/, so it stays. Once closed, the next build must know it as the tool's own
    file, not call it a person's edit and keep an "-edited" copy of it."""
    batch.build([drop], out, Config())
    make_workbook(drop, "lincolnshire-2021-22.xlsx", edit=new_subject)
    done = build_with_locked("RfD-015-2021.docx", here)
    assert done.returncode == 1, done.stderr
    assert (out / "015-2021" / "RfD-015-2021.docx").is_file()  # it could not be moved
    page = (out / "index.html").read_text("utf-8")
    assert "RfD-015-2021.docx is from an earlier build" in page and "it is not current" in page
    [result] = batch.build([drop], out, Config())[0]
    assert result.outcome == "built"
    assert result.edited == [] and result.kept_edited == []
    assert not list(out.rglob("*edited*"))
    assert_manifest_matches_disk(out)


HOLD_LOCK = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])  # kept referenced: a collected FileLock lets go
lock.acquire()
print("LOCKED", flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_the_lock_of_a_killed_build_frees_itself(
    drop: Path,
    out: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawn: Callable[..., subprocess.Popen[str]],
) -> None:
    out.mkdir()
    holder = spawn(sys.executable, "-c", HOLD_LOCK, str(out / outputs.LOCK), log="holder")
    wait_for(tmp_path / "holder.out", "LOCKED")
    monkeypatch.setattr(batch, "LOCK_WAIT_SECONDS", 1)
    with pytest.raises(batch.BatchBusy, match="no lock file to delete"):
        batch.build([drop], out, Config())
    holder.kill()
    holder.wait(timeout=WAIT)
    assert (out / outputs.LOCK).exists()  # left behind, and harmless
    events: list[batch.Event] = []
    [result] = batch.build([drop], out, Config(), progress=events.append)[0]
    assert result.outcome == "built"
    assert not any(isinstance(e, batch.Waiting) for e in events)  # the lock was free at once


def test_ctrl_c_mid_render_cleans_up(
    drop: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.render_xlsx

    def interrupted(*args: object, **kwargs: object) -> None:
        Path(str(args[1])).write_bytes(b"half a spreadsheet")
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.render_xlsx, "render_xlsx", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.build([drop], out, Config())
    assert temporaries(out) == []
    assert manifest_entries(out) == {}  # nothing was recorded as built
    monkeypatch.undo()
    [result] = batch.build([drop], out, Config())[0]
    assert result.outcome == "built"


# -- output folders that cannot be written ----------------------------------------------------


def test_output_path_that_is_a_file(drop: Path, tmp_path: Path) -> None:
    (tmp_path / "output").write_text("someone's file")
    result = run("build", str(drop), "--out", str(tmp_path / "output"))
    assert result.exit_code == 2
    assert "is a file" in result.output
    no_traceback(result)
    nested = run("build", str(drop), "--out", str(tmp_path / "output" / "reports"))
    assert nested.exit_code == 2
    assert (
        "output is a file where pcc-report needs a folder; rename or move that file"
        in nested.output
    )
    no_traceback(nested)
    assert (tmp_path / "output").read_text() == "someone's file"


def test_read_only_output_folder(drop: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out.mkdir()
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(out, os.W_OK):  # root ignores permissions: stand in for them
            real = os.access
            monkeypatch.setattr(
                os,
                "access",
                lambda p, mode: False if Path(p) == out and mode == os.W_OK else real(p, mode),
            )
        result = run("build", str(drop), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert "may not write to" in result.output and "ask for write access" in result.output
    assert "--out DIR" in result.output
    no_traceback(result)


def test_a_report_folder_blocked_by_a_file_costs_that_workbook_only(drop: Path, out: Path) -> None:
    make_workbook(drop, "other.xlsx", edit=decision_field("Reference", "016/2021"))
    out.mkdir()
    (out / "015-2021").write_text("a colleague's file, named like the report folder")
    result = run("build", str(drop), "--out", str(out))
    assert result.exit_code == 1
    no_traceback(result)
    assert "is a file where pcc-report needs a folder" in result.output
    assert "no findings file could be written" in result.output
    assert (out / "015-2021").read_text().startswith("a colleague's file")
    assert {p.name for p in (out / "016-2021").iterdir()} >= {"RfD-016-2021.docx"}


def test_a_read_only_report_folder_costs_that_workbook_only(
    drop: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_workbook(drop, "other.xlsx", edit=decision_field("Reference", "016/2021"))
    real = tempfile.mkstemp

    def refuse(*args: Any, **kwargs: Any) -> Any:
        if Path(str(kwargs.get("dir"))).name == "015-2021":
            raise PermissionError(13, "Permission denied", str(kwargs["dir"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = run("build", str(drop), "--out", str(out))
    assert result.exit_code == 1
    no_traceback(result)
    assert "may not write to" in result.output and "ask for write access" in result.output
    assert "2 workbooks: 1 built" in result.output


# -- the input folder -------------------------------------------------------------------------


def test_an_input_named_twice_is_built_once(drop: Path, out: Path, here: Path) -> None:
    result = run("build", "input", "input/lincolnshire-2021-22.xlsx", "--out", "output")
    assert result.exit_code == 0, result.output
    assert "1 workbook: 1 built" in result.output
    assert "E-DUPLICATE-REF" not in result.output
    check = run("check", "input", "input/lincolnshire-2021-22.xlsx", "input", "--json")
    assert check.exit_code == 0
    assert len(json.loads(check.output)["workbooks"]) == 1


def test_odd_things_in_the_input_folder(drop: Path, out: Path, tmp_path: Path, here: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    make_workbook(elsewhere, "linked.xlsx", edit=decision_field("Reference", "017/2021"))
    (drop / "shortcut.xlsx").symlink_to(elsewhere / "linked.xlsx")
    (drop / "a folder link").symlink_to(elsewhere, target_is_directory=True)
    (drop / "gone.xlsx").symlink_to(tmp_path / "deleted.xlsx")
    (drop / "same-plan.xlsx").symlink_to(drop / "lincolnshire-2021-22.xlsx")
    (drop / "2021-22 plans").mkdir()
    make_workbook(
        drop / "2021-22 plans", "inside.xlsx", edit=decision_field("Reference", "018/2021")
    )
    make_workbook(
        drop, "Plan – Ynys Môn 2021-22 ✓.xlsx", edit=decision_field("Reference", "019/2021")
    )
    make_workbook(drop, "p" * 200 + ".xlsx", edit=decision_field("Reference", "020/2021"))
    os.mkfifo(drop / "pipe.xlsx")  # opening it would wait for ever
    (drop / os.fsdecode(b"plan-\xe9.xlsx")).write_bytes((elsewhere / "linked.xlsx").read_bytes())

    result = run("build", "input", "--out", "output", "--verbose")
    no_traceback(result)
    assert result.exit_code == 1, result.output  # the undecodable name only
    said = result.output
    assert "shortcut.xlsx is a shortcut" not in said
    assert "built       input/shortcut.xlsx -> output/017-2021/" in said  # the link's name
    assert (
        "a folder link is a folder holding 1 workbook (linked.xlsx); workbooks in sub-folders are not built"
        in said
    )
    assert "2021-22 plans is a folder" in said and "018-2021" not in said
    assert "gone.xlsx is a shortcut (link) to" in said and "not there any more" in said
    assert "same-plan.xlsx is the same file as input/lincolnshire-2021-22.xlsx" in said
    assert "pipe.xlsx is not an ordinary file" in said
    assert "built       input/Plan – Ynys Môn 2021-22 ✓.xlsx -> output/019-2021/" in said
    assert "output/020-2021/" in said
    assert "plan-\ufffd.xlsx has characters that cannot be read" in said
    assert "Rename it" in said
    assert "E-DUPLICATE-REF" not in said
    entries = manifest_entries(out)
    assert "input/Plan – Ynys Môn 2021-22 ✓.xlsx" in entries
    assert entries["input/lincolnshire-2021-22.xlsx"]["status"] == "ok"
    unreadable = next(v for k, v in entries.items() if k.startswith("input/plan-"))
    assert unreadable["status"] == "unreadable"
    assert_manifest_matches_disk(out)
    assert (elsewhere / "linked.xlsx").is_file()


def test_a_sub_folder_holding_workbooks_is_said_without_verbose(
    drop: Path, out: Path, here: Path
) -> None:
    # An office that files each year's plans in a folder of its own: beside a workbook that
    # was built, "1 workbook: 1 built" alone left the plans in the sub-folder unsaid.
    (drop / "2022-23").mkdir()
    (drop / "archive").mkdir()
    make_workbook(drop / "2022-23", "next.xlsx", edit=decision_field("Reference", "016/2022"))
    for name in ("b.xlsx", "c.xlsm", "d.xlsx"):
        (drop / "2022-23" / name).write_bytes((drop / "2022-23" / "next.xlsx").read_bytes())
    (drop / "2022-23" / "~$next.xlsx").write_bytes(b"Excel's owner file")
    (drop / "empty").mkdir()
    (drop / "minutes").mkdir()
    (drop / "minutes" / "board.docx").write_bytes(b"a letter")
    make_workbook(drop / "archive", "old.xlsx", edit=decision_field("Reference", "009/2020"))
    (drop / "spend").mkdir()
    (drop / "spend" / "ledger.xlsx").write_bytes(b"a ledger export")
    result = run("build", "input", "--out", "output")
    assert result.exit_code == 0, result.output
    assert (
        "2022-23 is a folder holding 4 workbooks (b.xlsx, c.xlsm, d.xlsx, …); workbooks in "
        "sub-folders are not built. Move them into input/ itself, or name the folder: "
        "pcc-report build input/2022-23"
    ) in result.output
    for quiet in ("empty", "minutes", "archive", "spend"):  # nothing there that is a plan
        assert f"{quiet} is a folder" not in result.output
    assert "1 workbook: 1 built" in result.output


def test_a_workbook_that_disappears_before_it_is_read(
    drop: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.load

    make_workbook(drop, "moved-away.xlsx", edit=decision_field("Reference", "016/2021"))
    real = pipeline.load.load

    def vanish(path: Path, label: str | None = None) -> Any:
        if Path(path).name == "moved-away.xlsx":  # (the loader reads a copy: the original goes)
            (drop / "moved-away.xlsx").unlink(missing_ok=True)
        return real(path, label)

    monkeypatch.setattr(pipeline.load, "load", vanish)
    result = run("build", str(drop), "--out", str(out))
    no_traceback(result)
    assert result.exit_code == 1
    assert "moved-away.xlsx was removed or renamed while pcc-report was reading it" in result.output
    assert "1 built" in result.output


def test_a_half_copied_workbook_is_read_once_the_copy_finishes(
    drop: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs, "RETRY_PAUSE", 0.4)
    whole = (drop / "lincolnshire-2021-22.xlsx").read_bytes()
    target = drop / "lincolnshire-2021-22.xlsx"
    target.write_bytes(whole[: len(whole) // 2])

    def finish_the_copy() -> None:
        time.sleep(0.15)
        with target.open("ab") as stream:
            stream.write(whole[len(whole) // 2 :])

    copier = threading.Thread(target=finish_the_copy)
    copier.start()
    try:
        [result] = batch.build([drop], out, Config())[0]
    finally:
        copier.join(timeout=WAIT)
    assert result.outcome == "built", result.findings
    [entry] = manifest_entries(out).values()
    assert entry["sha256"] == sha256(target)  # the whole file, not the half first seen


def test_a_workbook_that_keeps_changing_is_a_clear_finding(
    drop: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.load

    monkeypatch.setattr(inputs, "RETRY_PAUSE", 0.05)
    target = drop / "lincolnshire-2021-22.xlsx"
    target.write_bytes(target.read_bytes()[:5000])  # a copy that never finishes
    real = pipeline.load.load
    reads = []

    def still_copying(path: Path, label: str | None = None) -> Any:
        reads.append(path)
        loaded = real(path, label)
        with target.open("ab") as stream:  # the original grows (the loader reads a copy)
            stream.write(b"\0" * 100)
        return loaded

    monkeypatch.setattr(pipeline.load, "load", still_copying)
    [result] = batch.build([drop], out, Config())[0]
    assert len(reads) == inputs.READ_RETRIES
    assert result.outcome == "failed"
    [finding] = result.findings
    assert finding.code == "E-READ"
    assert "kept changing while pcc-report read it" in finding.message
    assert "still being copied or saved" in finding.message


# -- the output folder ------------------------------------------------------------------------


def test_files_the_tool_did_not_write_are_never_deleted_or_moved(drop: Path, out: Path) -> None:
    batch.build([drop], out, Config())
    folder = out / "015-2021"
    mine = {
        out / "read me.txt": "top",
        folder / "my notes.docx": "notes",
        folder / "stale" / "keep this.xlsx": "kept aside by hand",
    }
    for path, text in mine.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    make_workbook(
        drop,
        "lincolnshire-2021-22.xlsx",
        edit=lambda c: setattr(
            c,
            "services",
            [[*row[:11], "TBC"] if i == 0 else row for i, row in enumerate(c.services)],
        ),
    )
    [failed] = batch.build([drop], out, Config())[0]
    assert failed.outcome == "failed"
    assert {p.name for p in (folder / "stale").iterdir()} == {
        "keep this.xlsx",
        *OUTPUTS - {"findings.json"},
    }
    make_workbook(drop, "lincolnshire-2021-22.xlsx")
    [built] = batch.build([drop], out, Config())[0]
    assert built.outcome == "built"
    for path, text in mine.items():
        assert path.read_text() == text, path
    # The tool's own copies in stale/ are gone; the folder stays for the file someone put there.
    assert {p.name for p in (folder / "stale").iterdir()} == {"keep this.xlsx"}


def test_references_that_share_a_folder_do_not_overwrite_each_other(drop: Path, out: Path) -> None:
    batch.build([drop], out, Config())
    make_workbook(drop, "copy.xlsx", edit=decision_field("Reference", "015-2021"))
    results = batch.build([drop], out, Config())[0]
    assert [r.outcome for r in results] == ["failed", "failed"]
    for result in results:
        [finding] = [f for f in result.findings if f.code == "E-DUPLICATE-REF"]
        assert "would share the report folder 015-2021/" in finding.message
        assert "one report would overwrite the other" in finding.message
    folder = out / "015-2021"
    assert {p.name for p in folder.iterdir()} == {
        "findings-copy-xlsx.json",
        "findings-lincolnshire-2021-22-xlsx.json",
        "stale",
    }
    files = {json.loads(p.read_text("utf-8"))["file"] for p in folder.glob("findings-*.json")}
    assert len(files) == 2
    assert not (folder / "RfD-015-2021.docx").exists()  # the earlier report is set aside


def test_workbooks_whose_names_read_alike_keep_their_own_findings_files(
    drop: Path, out: Path
) -> None:
    """File names are cut to 40 characters and their punctuation dropped when they name a
    findings file: "… CSF v1.xlsx" and "… CSF v2.xlsx" of one decision, or two unreadable
    files "plan (1).xlsx" and "plan 1.xlsx", must still get one findings file each (one used
    to overwrite the other, and the console sent both to the same file)."""
    (drop / "lincolnshire-2021-22.xlsx").unlink()
    long = "Commissioning Plan 2021-22 Victims and CSF"
    for version in ("v1", "v2"):
        make_workbook(drop, f"{long} {version}.xlsx")
    (drop / "plan (1).xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (drop / "plan 1.xlsx").write_bytes(b"not a workbook at all")
    results = batch.build([drop], out, Config())[0]
    assert [r.outcome for r in results] == ["failed"] * 4
    names = [(r.folder, r.findings_name) for r in results]
    assert len(set(names)) == 4, names
    for result in results:
        assert result.folder is not None
        written = json.loads((result.folder / result.findings_name).read_text("utf-8"))
        assert written["file"] == result.file
    # The next run finds each findings file as it wrote it: none taken for a person's edit.
    again = batch.build([drop], out, Config())[0]
    assert [r.edited for r in again] == [[]] * 4
    assert_manifest_matches_disk(out)


def test_an_unreadable_file_named_like_a_report_folder_does_not_overwrite_it(
    drop: Path, out: Path
) -> None:
    (drop / "015-2021.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    results = batch.build([drop], out, Config())[0]
    assert [r.outcome for r in results] == ["failed", "built"]
    folder = out / "015-2021"
    assert {p.name for p in folder.iterdir()} == OUTPUTS | {"findings-015-2021-xlsx.json"}
    assert json.loads((folder / "findings.json").read_text("utf-8"))["status"] == "ok"
    # Alone in a later run it still keeps out of the decision's findings.json.
    [alone] = batch.build([drop / "015-2021.xlsx"], out, Config())[0]
    assert alone.findings_name == "findings-015-2021-xlsx.json"
    assert json.loads((folder / "findings.json").read_text("utf-8"))["status"] == "ok"


def test_output_inside_input_or_input_inside_output_is_a_usage_error(
    drop: Path, here: Path
) -> None:
    for args in (["input", "--out", "input/reports"], ["input", "--out", "input"]):
        result = run("build", *args)
        assert result.exit_code == 2, args
        assert "is inside the input folder" in result.output
        assert "--out output" in result.output
    run("build", "input", "--out", "output")
    inside = run("build", "output/015-2021", "--out", "output")
    assert inside.exit_code == 2
    assert "inside the output folder" in inside.output
    assert not (drop / "reports").exists()


DAMAGED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "not JSON": lambda m: "{ not json",
    "a list": lambda m: [1, 2],
    "workbooks a list": lambda m: {"workbooks": []},
    "entry a string": lambda m: {"workbooks": {k: "x" for k in m["workbooks"]}},
    "outputs a string": lambda m: {
        "workbooks": {k: {**v, "outputs": "x"} for k, v in m["workbooks"].items()}
    },
    "output without a path": lambda m: {
        "workbooks": {
            k: {**v, "outputs": [{"sha256": "x", "size": 1}]} for k, v in m["workbooks"].items()
        }
    },
    "output up and out": lambda m: {
        "workbooks": {
            k: {**v, "outputs": [{**o, "path": "../../victim/secret.txt"} for o in v["outputs"]]}
            for k, v in m["workbooks"].items()
        }
    },
    "output absolute": lambda m: {
        "workbooks": {
            k: {**v, "outputs": [{**o, "path": "{victim}/secret.txt"} for o in v["outputs"]]}
            for k, v in m["workbooks"].items()
        }
    },
    "stale up and out": lambda m: {
        "workbooks": {
            k: {**v, "stale": ["015-2021/../../victim/secret.txt"]}
            for k, v in m["workbooks"].items()
        }
    },
    "previous elsewhere": lambda m: {
        "workbooks": {
            k: {**v, "previous": {"input": "{victim}/secret.txt", "sha256": "x"}}
            for k, v in m["workbooks"].items()
        }
    },
}


@pytest.mark.parametrize("damage", DAMAGED, ids=list(DAMAGED))
@pytest.mark.parametrize("then", ["good", "failed"])
def test_a_damaged_or_hand_edited_manifest_never_reaches_outside(
    damage: str, then: str, drop: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "secret.txt").write_text("not the tool's")
    batch.build([drop], out, Config())
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    damaged = DAMAGED[damage](manifest)
    text = damaged if isinstance(damaged, str) else json.dumps(damaged)
    (out / "manifest.json").write_text(text.replace("{victim}", str(victim)))
    if then == "failed":
        make_workbook(
            drop,
            "lincolnshire-2021-22.xlsx",
            edit=lambda c: setattr(
                c,
                "services",
                [[*row[:11], "TBC"] if i == 0 else row for i, row in enumerate(c.services)],
            ),
        )
    hashed: list[Path] = []
    real_sha = sha256

    def spy(path: Path) -> str:
        hashed.append(Path(path))
        return real_sha(path)

    for module in (manifest_entry, outputs, stale):  # every module that hashes an output
        monkeypatch.setattr(module, "sha256", spy)
    result = run("build", str(drop), "--out", str(out))
    no_traceback(result)
    assert result.exit_code == (0 if then == "good" else 1), result.output
    assert (victim / "secret.txt").read_text() == "not the tool's"
    assert list(victim.iterdir()) == [victim / "secret.txt"]
    assert all(victim not in p.resolve().parents for p in hashed), hashed
    entries = manifest_entries(out)
    assert [e["status"] for e in entries.values()] == ["ok" if then == "good" else "errors"]
    if then == "good":
        assert "1 built" in result.output  # the damaged entry is rebuilt, not trusted
        assert_manifest_matches_disk(out)


def test_a_report_folder_that_is_a_link_outside_is_refused(
    drop: Path, out: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "findings.json").write_text("not the tool's")
    out.mkdir()
    (out / "015-2021").symlink_to(victim, target_is_directory=True)
    result = run("build", str(drop), "--out", str(out))
    no_traceback(result)
    assert result.exit_code == 1
    assert "pcc-report writes only inside its output folder" in result.output
    assert [p.name for p in victim.iterdir()] == ["findings.json"]
    assert (victim / "findings.json").read_text() == "not the tool's"
