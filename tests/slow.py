"""The `slow` mark: what `make test-fast` leaves out (LibreOffice, Chromium, real processes and
signals, hypothesis, a fresh virtual environment). `make test` runs everything.

A helper that starts LibreOffice or Chromium calls :func:`require_slow_mark`, so a new test that
uses one without the mark fails at once instead of slowing `make test-fast` down unnoticed.
"""

from __future__ import annotations

import pytest

# The test being run (set by tests/conftest.py before each test).
running: list[pytest.Item] = []


def require_slow_mark(what: str) -> None:
    """Fail the running test unless it is marked ``@pytest.mark.slow``."""
    if running and running[-1].get_closest_marker("slow") is None:
        pytest.fail(
            f"{running[-1].nodeid} runs {what}: mark it @pytest.mark.slow so that "
            "make test-fast leaves it out"
        )
