"""The template cache: a hit gives the same document as a miss; a bad cache is only a miss."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from pipeline import cache
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import render_docx
from pipeline.report import Report


def document_xml(recon: Reconciliation) -> bytes:
    target = io.BytesIO()
    render_docx(Report.of(recon), target)
    with zipfile.ZipFile(target) as archive:
        return archive.read("word/document.xml")


def test_a_cached_render_equals_a_fresh_one(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = document_xml(sample_recon)
    where = cache.folder()
    assert where is not None
    entries = {p.name for p in where.iterdir()}
    assert any(n.endswith(".code") for n in entries) and any(n.endswith(".txt") for n in entries)
    # The second render compiles nothing: it is served from the cache.
    import jinja2

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although cached")

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", no_compiling)
        assert document_xml(sample_recon) == first


def test_damaged_entries_are_misses(sample_recon: Reconciliation) -> None:
    first = document_xml(sample_recon)
    where = cache.folder()
    assert where is not None
    for entry in where.iterdir():
        if entry.suffix == ".code":
            entry.write_bytes(b"not marshal data")
    assert document_xml(sample_recon) == first


@pytest.mark.parametrize("setting", ["off", "0"])
def test_it_can_be_turned_off(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCC_REPORT_CACHE", setting)
    cache.folder.cache_clear()
    try:
        assert cache.folder() is None
        assert cache.text("kind", "source", str.upper) == "SOURCE"
    finally:
        cache.folder.cache_clear()


def test_a_folder_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("PCC_REPORT_CACHE", str(shared))
    cache.folder.cache_clear()
    try:
        assert cache.folder() is None
    finally:
        cache.folder.cache_clear()
