"""LibreOffice headless as the tests' real office client.

Each conversion gets its own user profile (two runs at once would otherwise block each other),
and that profile makes Calc recalculate every formula on load, so a recalculation test cannot
pass on the cached values alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.slow import require_slow_mark

INSTALL_HINT = (
    "LibreOffice is not installed; install it with: apt-get install -y --no-install-recommends "
    "libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation2 fonts-crosextra-carlito "
    "poppler-utils (bash .ci/run does this)"
)

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def soffice() -> str:
    """The soffice binary, or skip the test (fail in CI, where nothing may skip)."""
    require_slow_mark("LibreOffice")
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(INSTALL_HINT)
    pytest.skip(INSTALL_HINT)


def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found:
        return found
    hint = "pdftotext is not installed; install it with: apt-get install -y poppler-utils"
    if os.environ.get("CI"):
        pytest.fail(hint)
    pytest.skip(hint)


def convert(
    source: Path, target_format: str, outdir: Path, timeout: int = 180, infilter: str = ""
) -> Path:
    """Convert ``source`` with LibreOffice (``pdf``, ``xlsx``, ``csv`` …); return the new file.

    ``infilter`` names the import filter and its options (``CSV:44,34,76,1``: comma, double
    quote, UTF-8, from line 1), as a person would choose them in the import dialog.
    """
    binary = soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        result = subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                *([f"--infilter={infilter}"] if infilter else []),
                "--convert-to",
                target_format,
                "--outdir",
                str(outdir),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    extension = target_format.split(":")[0]
    produced = outdir / f"{source.stem}.{extension}"
    if not produced.exists():
        raise AssertionError(
            f"LibreOffice did not convert {source.name} to {target_format}: "
            f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return produced


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        [pdftotext(), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        [shutil.which("pdfinfo") or "pdfinfo", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
