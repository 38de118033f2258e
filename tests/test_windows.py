"""The path, lock and file-name logic under Windows rules (finance desktops, office servers).

The tests run on any system: names are judged by ``PureWindowsPath`` and the rules of the
Windows file system (reserved device names, forbidden characters, case-insensitive names,
the 260-character path limit that Word, Excel and Explorer still keep).
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
from pathlib import Path, PureWindowsPath

import pytest

from pipeline import manifest, outputs, stale
from pipeline.inputs import duplicate_references
from pipeline.mail import email_name
from pipeline.manifest_entry import workbook_gone
from pipeline.model import Located
from pipeline.pdf import pdf_name
from pipeline.render_docx import docx_name
from pipeline.render_xlsx import summary_name

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
MAX_PATH = 260
# A deep but ordinary Windows output folder (OneDrive under a long organisation name).
OUTPUT = PureWindowsPath(
    r"C:\Users\firstname.lastname\OneDrive - Office of the Police and Crime Commissioner"
    r"\Commissioning\2021-22\output"
)
DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}
FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def windows_problem(name: str) -> str | None:
    """Why Windows refuses ``name`` as a file or folder name, or None."""
    if not name or name in {".", ".."}:
        return "empty"
    if FORBIDDEN.search(name):
        return "forbidden character"
    if name[-1] in ". ":
        return "ends in a dot or space"
    if name.split(".")[0].rstrip(" ").upper() in DEVICES:
        return "reserved device name"
    return None


class FakeDecision:
    """What the output names are made from: the reference and the financial year."""

    def __init__(self, reference: str, year: str = "2021/22"):
        self.reference = reference
        self.year_label = year


HOSTILE = [
    "015/2021",
    "CON",
    "nul",
    "Com1",
    "LPT9.2021",
    "aux/2021",
    "con.",
    'A<B>C:"D"|E?F*G',
    "trailing. ",
    "x" * 300,
    "015/2021" + " (revised)" * 40,
    "ÉCOLE/2021",
]


@pytest.mark.parametrize("reference", HOSTILE)
def test_output_names_are_valid_windows_names(reference: str) -> None:
    decision = FakeDecision(reference)
    folder = outputs.folder_name(reference, Path("plan.xlsx"))
    docx = docx_name(decision)  # type: ignore[arg-type]
    names = [
        folder,
        docx,
        pdf_name(docx),
        email_name(decision),  # type: ignore[arg-type]
        summary_name(decision),  # type: ignore[arg-type]
        outputs.findings_name(Path(f"{reference}.xlsx")),
        outputs.STALE,
        outputs.LOCK,
        outputs.LOG,
        manifest.MANIFEST,
    ]
    for name in names:
        assert windows_problem(name) is None, (name, windows_problem(name))
    # The deepest path the tool writes stays within Windows' limit.
    deepest = OUTPUT / folder / outputs.STALE / stale.edited_name(docx, 2)
    assert len(str(deepest)) < MAX_PATH, len(str(deepest))
    assert len(str(OUTPUT / folder / outputs.findings_name(Path("x" * 200 + ".xlsx")))) < MAX_PATH


def test_references_differing_in_case_clash_as_on_windows() -> None:
    """NTFS folds case: "ABC/2021" and "abc/2021" would be one report folder there."""
    at = Located("Decision", 3, {"reference": "B3"})
    found = duplicate_references([("a.xlsx", "ABC/2021", at), ("b.xlsx", "abc/2021", at)])
    assert sorted(found) == [0, 1]
    assert all(f.code == "E-DUPLICATE-REF" for f in found.values())
    assert outputs.folder_name("ABC/2021", Path("a")) == outputs.folder_name("abc/2021", Path("b"))


@pytest.mark.parametrize(
    "path",
    [
        r"..\..\Windows\win.ini",
        r"C:\Windows\win.ini",
        r"C:win.ini",
        r"\\server\share\report.docx",
        r"\Windows\win.ini",
        "015-2021/../../elsewhere.docx",
        "/etc/passwd",
    ],
)
def test_a_manifest_path_that_leaves_the_folder_on_windows_is_refused(path: str) -> None:
    """The manifest travels with the folder (a shared drive read from Windows and Linux): a
    path is checked under both systems' rules, not only the one the tool runs on."""
    assert not manifest.relative_path(path)


def test_manifest_paths_inside_the_folder_are_kept() -> None:
    assert manifest.relative_path("015-2021/RfD-015-2021.docx")
    assert manifest.relative_path("015-2021/stale/RfD-015-2021-edited.docx")


def test_no_posix_only_call_without_a_fallback() -> None:
    """fcntl, os.getuid, os.killpg and friends do not exist on Windows: each use is guarded."""
    posix_only = {"getuid", "geteuid", "getgid", "killpg", "setsid", "getpgid", "fork", "chown"}
    for module in PIPELINE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        assert not any(
            isinstance(n, (ast.Import, ast.ImportFrom))
            and any(a.name in {"fcntl", "pwd", "grp", "termios", "resource"} for a in n.names)
            for n in ast.walk(tree)
        ), module.name
        guarded = {
            c.args[1].value
            for c in ast.walk(tree)
            if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name)
            and c.func.id == "hasattr"
            and len(c.args) == 2
            and isinstance(c.args[1], ast.Constant)
        }
        used = {
            n.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name)
            and n.value.id == "os"
            and n.attr in posix_only
        }
        assert used <= guarded, (module.name, used - guarded)


def test_edited_names_never_overwrite(tmp_path: Path) -> None:
    shelf = tmp_path / "stale"
    shelf.mkdir()
    first = stale.free_edited_path(shelf, "RfD-015-2021.docx")
    first.write_text("one")
    second = stale.free_edited_path(shelf, "RfD-015-2021.docx")
    assert first.name == "RfD-015-2021-edited.docx"
    assert second.name == "RfD-015-2021-edited-2.docx"


def test_month_names_do_not_follow_the_locale() -> None:
    """%B and calendar.month_name give the process locale's words (Welsh, French desktops)."""
    for module in PIPELINE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"month_name", "month_abbr"}, module.name
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.search(r"%[Bb]", node.value), (module.name, node.value)
    from pipeline.values import format_date, format_long_date, parse_date

    assert format_long_date(dt.date(2021, 5, 28)) == "28 May 2021"
    assert format_date(dt.date(2021, 9, 1), month_only=True) == "September 2021"
    assert parse_date("1st Sept 2021") == (dt.date(2021, 9, 1), False)
    assert parse_date("March 2022", end=True) == (dt.date(2022, 3, 31), True)


@pytest.mark.skipif(os.name == "nt", reason="a Windows path is checked for real on Windows")
@pytest.mark.parametrize(
    "recorded",
    [
        {"workbook_path": r"C:\plans\plan.xlsx", "workbook_from_output": r"D:\plans\plan.xlsx"},
        {"workbook_path": r"\\server\share\input\plan.xlsx"},
        {
            "workbook_path": r"C:\plans\input\plan.xlsx",
            "workbook_from_output": "../input/plan.xlsx",
        },
    ],
)
def test_a_workbook_a_windows_build_recorded_is_not_taken_for_gone(
    recorded: dict[str, str], tmp_path: Path
) -> None:
    """One output folder on a shared drive, built from Windows and from Linux: a workbook the
    Windows build recorded (its input on another drive, so no path relative to the output
    folder) cannot be looked for here, and its outputs must not be retired for that."""
    entry = {"input": "input/plan.xlsx", "status": "ok", **recorded}
    if "workbook_from_output" in recorded and "/" in recorded["workbook_from_output"]:
        (tmp_path / "input").mkdir()  # beside the output folder, as on the shared drive
        (tmp_path / "output").mkdir()
        (tmp_path / "input" / "plan.xlsx").write_bytes(b"plan")
        assert not workbook_gone("input/plan.xlsx", entry, tmp_path / "output")
        (tmp_path / "input" / "plan.xlsx").unlink()  # now it is gone, and that can be seen
        assert workbook_gone("input/plan.xlsx", entry, tmp_path / "output")
        return
    assert not workbook_gone("input/plan.xlsx", entry, tmp_path)
    here = {"input": "input/plan.xlsx", "status": "ok", "workbook_path": str(tmp_path / "x")}
    assert workbook_gone("input/plan.xlsx", here, tmp_path)  # a path of this system is looked at


def test_three_workbooks_sharing_a_reference_are_counted_right() -> None:
    """Two copies: "Neither workbook was built". Three: that said "Neither" too, of three."""
    at = Located("Decision", 3, {"reference": "B3"})
    two = duplicate_references([("a.xlsx", "1/2021", at), ("b.xlsx", "1/2021", at)])
    assert all("Neither workbook was built." in f.message for f in two.values())
    three = duplicate_references(
        [("a.xlsx", "1/2021", at), ("b.xlsx", "1/2021", at), ("c.xlsx", "1-2021", at)]
    )
    assert sorted(three) == [0, 1, 2]
    for finding in three.values():
        assert "Neither" not in finding.message and "the other" not in finding.message
        assert finding.message.endswith("None of the 3 workbooks was built.")
    assert "1/2021 in b.xlsx, 1-2021 in c.xlsx" in three[0].message
