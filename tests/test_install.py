"""A clean install: what `make report` installs, the lock of tested versions, the templates as
package data, and the `slow` mark that keeps `make test-fast` fast."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import pipeline
from pipeline import WORD_TEMPLATE, find_template_dir

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = ROOT / "Makefile"
LOCK = ROOT / "requirements.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# What only development needs: none of it may reach the office machine's .venv.
DEV_TOOLS = {"pytest", "hypothesis", "ruff", "mypy", "aiosmtpd", "cryptography", "pyinstrument"}


def locked() -> dict[str, tuple[str, Marker | None]]:
    """requirements.lock as {name: (version, marker)}."""
    pins: dict[str, tuple[str, Marker | None]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pins[canonicalize_name(requirement.name)] = (specifier.version, requirement.marker)
    return pins


def recipe(target: str) -> str:
    """The shell lines of one Makefile target."""
    text = MAKEFILE.read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE)
    assert match, target
    return match.group(1)


def test_make_report_installs_the_runtime_only_with_the_lock() -> None:
    runtime = recipe("venv-install")
    installs = [line for line in runtime.splitlines() if "pip install" in line and "-e" in line]
    assert len(installs) == 1, runtime
    assert "-c $(LOCK)" in installs[0]
    # setuptools' framed warning about editable installs is not for the finance officer
    assert installs[0].strip().startswith("PYTHONWARNINGS=ignore ")
    assert "[dev]" not in runtime
    assert "LOCK := requirements.lock" in MAKEFILE.read_text(encoding="utf-8")
    # report needs the runtime stamp only; test, lint and bench the development tools.
    assert re.search(r"^report: \$\(STAMP\)", MAKEFILE.read_text(), flags=re.MULTILINE)
    dev = recipe("venv-install-dev")
    assert "-c $(LOCK)" in dev and "'.[dev]'" in dev
    assert "PYTHONWARNINGS=ignore $(BIN)/python -m pip install" in dev
    for target in ("test", "test-fast", "lint"):
        assert re.search(rf"^{target}: \$\(DEV_STAMP\)", MAKEFILE.read_text(), re.MULTILINE)


def test_the_lock_pins_every_runtime_dependency_and_no_development_tool() -> None:
    pins = locked()
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock (README: refreshing the lock)"
        assert requirement.specifier.contains(pins[name][0]), (line, pins[name])
    assert DEV_TOOLS.isdisjoint(pins), DEV_TOOLS & set(pins)


def test_the_lock_is_what_the_tests_run_with() -> None:
    """Every pin that applies here is the version installed in the venv running the tests."""
    differ = {}
    for name, (pinned, marker) in locked().items():
        if marker is not None and not marker.evaluate():
            continue
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != pinned:
            differ[name] = (pinned, installed)
    assert differ == {}, "requirements.lock and the installed versions differ: " + str(differ)


def test_the_templates_are_package_data() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert "pipeline.templates" in setuptools["packages"]
    assert setuptools["package-dir"]["pipeline.templates"] == "templates"
    patterns = setuptools["package-data"]["pipeline.templates"]
    shipped = {p.name for p in (ROOT / "templates").iterdir() for g in patterns if p.match(g)}
    assert shipped == {p.name for p in (ROOT / "templates").iterdir() if p.is_file()}
    assert WORD_TEMPLATE in shipped


def test_a_templates_folder_in_the_working_folder_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PCC_TEMPLATES", raising=False)
    # Without one, the repository's templates (a checkout, an editable install).
    assert find_template_dir(tmp_path) == ROOT / "templates"
    own = tmp_path / "templates"
    own.mkdir()
    (own / "email.txt").write_text("a folder without the Word template is not a template set")
    assert find_template_dir(tmp_path) == ROOT / "templates"
    (own / WORD_TEMPLATE).write_bytes((ROOT / "templates" / WORD_TEMPLATE).read_bytes())
    assert find_template_dir(tmp_path) == own.resolve()
    # The setting names a folder outright.
    monkeypatch.setenv("PCC_TEMPLATES", str(tmp_path / "elsewhere"))
    assert find_template_dir(tmp_path) == tmp_path / "elsewhere"


def test_the_package_prefers_its_installed_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a wheel the templates sit in pipeline/templates/, beside the code."""
    monkeypatch.delenv("PCC_TEMPLATES", raising=False)
    package = tmp_path / "site-packages" / "pipeline"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / WORD_TEMPLATE).write_bytes(b"packaged")
    monkeypatch.setattr(pipeline, "__file__", str(package / "__init__.py"))
    assert find_template_dir(tmp_path) == package / "templates"


@pytest.mark.slow  # it collects the whole suite again in a second process
def test_slow_tests_are_marked_and_left_out_of_test_fast() -> None:
    """`make test-fast` runs `-m "not slow"`; LibreOffice and hypothesis tests are marked."""
    assert '-m "not slow"' in recipe("test-fast") and "-n auto" in recipe("test-fast")
    assert "-m" not in recipe("test").replace("-m pytest", "")
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-m",
            "not slow",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tests/test_properties.py" not in listed  # hypothesis, marked by conftest
    assert "test_libreoffice_really_recalculates" not in listed
    assert "test_a_fresh_install_builds_the_sample_from_any_folder" not in listed
    assert "test_the_lock_is_what_the_tests_run_with" in listed


def test_an_unmarked_test_that_starts_libreoffice_fails(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(ROOT)
    pytester.makeini("[pytest]\nmarkers =\n    slow: as in pyproject.toml\n")
    pytester.makeconftest("from tests.conftest import pytest_runtest_setup  # noqa: F401\n")
    pytester.makepyfile(
        """
        import pytest
        from tests.office import soffice

        def test_unmarked():
            soffice()

        @pytest.mark.slow
        def test_marked():
            try:
                soffice()
            except BaseException as stop:
                assert "mark it" not in str(stop)
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*runs LibreOffice: mark it @pytest.mark.slow*"])


@pytest.mark.slow
def test_a_fresh_install_builds_the_sample_from_any_folder(tmp_path: Path) -> None:
    """`pip install .` (not editable) into a new venv, then `pcc-report build` elsewhere."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "requirements.lock"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("pipeline", "templates"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(LOCK), str(source)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    shutil.rmtree(source)  # the install must not lean on the copy it came from

    installed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    names = {canonicalize_name(line.split("==")[0]) for line in installed.splitlines()}
    assert DEV_TOOLS.isdisjoint(names), DEV_TOOLS & names
    assert "pcc-report" in names

    office = tmp_path / "office"
    (office / "input").mkdir(parents=True)
    shutil.copy(ROOT / "input" / "lincolnshire-2021-22.xlsx", office / "input")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PCC_REPORT_CACHE": "off"}
    build = subprocess.run(
        [str(venv / "bin" / "pcc-report"), "build", "input", "--out", "output"],
        cwd=office,
        capture_output=True,
        text=True,
        env=env,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert (office / "output" / "015-2021" / "RfD-015-2021.docx").is_file()
    assert (office / "output" / "015-2021" / "commissioning-summary-2021-22.xlsx").is_file()
    where = subprocess.run(
        [str(python), "-c", "import pipeline; print(pipeline.TEMPLATE_DIR)"],
        cwd=office,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    assert Path(where) == venv.joinpath(
        "lib",
        f"python{sys.version_info.major}.{sys.version_info.minor}",
        "site-packages",
        "pipeline",
        "templates",
    )
