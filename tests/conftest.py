"""Shared fixtures: the sample workbook and its reconciliation."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import cache
from pipeline.load import load
from pipeline.model import Plan
from pipeline.reconcile import Reconciliation, reconcile
from tests import slow

# pytester runs a small test session inside a test (tests/test_install.py checks the slow mark).
pytest_plugins = ["pytester"]

# The template cache (pipeline/cache.py) of the test run is its own, never the user's.
os.environ["PCC_REPORT_CACHE"] = tempfile.mkdtemp(prefix="pcc-report-cache-")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "lincolnshire-2021-22.xlsx"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Property tests (hypothesis) are slow by nature: marked here, so none is forgotten."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    slow.running[:] = [item]


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture()
def drop(tmp_path: Path, sample_path: Path) -> Path:
    """An input folder (``tmp_path/input``) holding the sample, as the office's is."""
    folder = tmp_path / "input"
    folder.mkdir()
    shutil.copy(sample_path, folder / "lincolnshire-2021-22.xlsx")
    return folder


@pytest.fixture(scope="session")
def sample_plan() -> Plan:
    result = load(SAMPLE)
    assert result.plan is not None, result.findings
    return result.plan


@pytest.fixture(scope="session")
def sample_recon(sample_plan: Plan) -> Reconciliation:
    return reconcile(sample_plan)


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The test's own cache folder, whatever other tests left in the session's (the cache
    tests use it for every test: ``pytestmark = pytest.mark.usefixtures("fresh_cache")``)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PCC_REPORT_CACHE", str(folder))
    cache.folder.cache_clear()
    yield folder
    cache.folder.cache_clear()
