"""The template cache: data only; a hit gives the same document as a miss; a bad cache is a miss."""

from __future__ import annotations

import hashlib
import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from pipeline import cache
from pipeline.reconcile import Reconciliation
from pipeline.render_docx import render_docx
from pipeline.report import Report

pytestmark = pytest.mark.usefixtures("fresh_cache")  # each test its own cache folder (conftest)


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
    assert [p for p in where.iterdir() if p.suffix == ".txt"]
    # The second render cleans no template XML: it is served from the cache.
    from docxtpl import DocxTemplate

    def no_cleaning(*args: object, **kwargs: object) -> None:
        raise AssertionError("cleaned the template XML although cached")

    with monkeypatch.context() as patch:
        patch.setattr(DocxTemplate, "patch_xml", no_cleaning)
        assert document_xml(sample_recon) == first


@pytest.mark.parametrize("damage", [b"not an entry", b"", b"0" * 64 + b"\n<w:body>broken"])
def test_damaged_entries_are_misses(sample_recon: Reconciliation, damage: bytes) -> None:
    first = document_xml(sample_recon)
    where = cache.folder()
    assert where is not None
    for entry in where.iterdir():
        entry.write_bytes(damage)
    assert document_xml(sample_recon) == first
    # ... and written afresh.
    assert all(entry.read_bytes() != damage for entry in where.iterdir())


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


def test_a_run_compiles_the_template_once_and_keeps_no_code_on_disk(
    sample_recon: Reconciliation, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = document_xml(sample_recon)
    import jinja2

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled twice in one run")

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", no_compiling)
        assert document_xml(sample_recon) == first
    where = cache.folder()
    assert where is not None
    for entry in where.iterdir():
        assert entry.suffix == ".txt"
        digest, _, data = entry.read_bytes().partition(b"\n")  # text, checked by its SHA-256
        assert hashlib.sha256(data).hexdigest() == digest.decode("ascii")
        assert "<w:" in data.decode("utf-8")


def test_a_killed_write_s_temporary_file_is_swept_once_abandoned(fresh_cache: Path) -> None:
    # A run killed between writing its temporary file and renaming it leaves the file; the
    # next write removes it once it is an hour old, and never a younger one (another run's).
    folder = cache.folder()
    assert folder is not None
    abandoned, writing = folder / ".tmp-abandoned", folder / ".tmp-writing"
    for temp in (abandoned, writing):
        temp.write_bytes(b"half an entry")
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    cache.store("entry.txt", b"data")
    assert cache.entry("entry.txt") == b"data"
    assert not abandoned.exists()
    assert writing.read_bytes() == b"half an entry"


def test_entries_unused_for_months_are_removed_and_used_ones_kept(fresh_cache: Path) -> None:
    # Every upgrade, edited template and new copy of last year's workbook makes new entries;
    # the old ones would pile up in the user's folder for ever. A write removes the entries
    # neither read nor written for 120 days; reading one counts as using it.
    folder = cache.folder()
    assert folder is not None
    unused, used = "last-year-" + "a" * 64 + ".txt", "b" * 64 + ".txt"
    cache.store(unused, b"old")
    cache.store(used, b"old but read")
    theirs = folder / "notes.txt"  # PCC_REPORT_CACHE may name a folder holding other files
    theirs.write_text("a person's file")
    long_ago = time.time() - 121 * 24 * 3600
    for path in (folder / unused, folder / used, theirs):
        os.utime(path, (long_ago, long_ago))
    assert cache.entry(used) == b"old but read"
    cache.store("c" * 64 + ".txt", b"new")
    assert not (folder / unused).exists()
    assert cache.entry(used) == b"old but read"
    assert cache.entry("c" * 64 + ".txt") == b"new"
    assert theirs.read_text() == "a person's file"
