"""Headless Chromium as the tests' real browser, and axe-core as the accessibility checker.

Chromium comes from the system (``apt-get install chromium``); axe-core from the npm registry,
installed by ``.ci/run`` into ``.cache/node/``. Without them the tests skip and say what to
install (in CI, where nothing may skip, they fail).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.slow import require_slow_mark

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_HINT = (
    "axe-core is not installed; install it with: npm install --prefix .cache/node "
    "axe-core@4.10.3 (bash .ci/run does this), or set PCC_AXE_JS to its axe.min.js"
)
CHROMIUM_HINT = (
    "Chromium is not installed; install it with: apt-get install -y chromium "
    "(bash .ci/run does this), or set PCC_CHROMIUM to the browser"
)


def _missing(hint: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(hint)
    pytest.skip(hint)


def chromium() -> str:
    """The Chromium binary, or skip the test (fail in CI)."""
    require_slow_mark("Chromium")
    found = os.environ.get("PCC_CHROMIUM") or next(
        filter(None, (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))),
        None,
    )
    if not found:
        _missing(CHROMIUM_HINT)
    assert found is not None
    return found


def axe_script() -> str:
    """The text of axe.min.js, or skip the test (fail in CI)."""
    path = Path(os.environ.get("PCC_AXE_JS") or AXE)
    if not path.is_file():
        _missing(AXE_HINT)
    return path.read_text(encoding="utf-8")


def run_chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with its own profile (as root it needs --no-sandbox)."""
    with tempfile.TemporaryDirectory(prefix="pcc-chromium-") as profile:
        return subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
