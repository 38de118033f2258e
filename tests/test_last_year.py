"""Last year's plan through the cache: a kept plan compares exactly as a fresh read; anything
changed, damaged or unsafe is a miss; a plan with errors is never kept."""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import cache, previous
from pipeline.compare import compare
from pipeline.config import Config
from pipeline.inputs import Read, read_workbook
from pipeline.last_year import FORMAT, LastYear, decode, encode
from pipeline.previous import read_previous
from pipeline.reconcile import Reconciliation
from tests.workbooks import make_workbook, sample_content

pytestmark = pytest.mark.usefixtures("fresh_cache")  # each test its own cache folder (conftest)
PREVIOUS = Path(__file__).resolve().parent / "fixtures" / "lincolnshire-2020-21.xlsx"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The workbooks read_previous really reads (not served from the cache)."""
    seen: list[Path] = []

    def counting(path: Path, config: Config, debug: bool = False) -> Read:
        seen.append(path)
        return read_workbook(path, config, debug)

    monkeypatch.setattr(previous, "read_workbook", counting)
    return seen


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("last-year-*.txt"))


def test_a_kept_plan_compares_exactly_as_a_fresh_read(
    sample_recon: Reconciliation, fresh_cache: Path, reads: list[Path]
) -> None:
    fresh = read_workbook(PREVIOUS, Config()).reconciliation
    assert fresh is not None
    first = read_previous(PREVIOUS, Config())
    assert reads == [PREVIOUS] and len(entries(fresh_cache)) == 1
    kept = read_previous(PREVIOUS, Config())
    assert reads == [PREVIOUS]  # the second came from the cache
    assert first is not None and kept == first
    expected = compare(sample_recon, fresh)
    assert compare(sample_recon, kept) == expected
    assert compare(sample_recon, first) == expected
    assert expected.findings and expected.unmatched  # a comparison with something in it


def stored(source: Path, target: Path, old: bytes = b"", new: bytes = b"") -> None:
    """``source`` re-zipped uncompressed (so a same-length edit keeps the file's size), with
    ``old`` replaced by ``new`` in its shared strings."""
    assert len(old) == len(new)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml" and old:
                assert old in data
                data = data.replace(old, new)
            info.compress_type = zipfile.ZIP_STORED
            zout.writestr(info, data)


def test_a_changed_workbook_is_read_again_even_with_the_same_size_and_time(
    tmp_path: Path, reads: list[Path]
) -> None:
    path = tmp_path / "last-year.xlsx"
    stored(PREVIOUS, path)
    before = read_previous(path, Config())
    stamp = path.stat()
    stored(PREVIOUS, path, b"<t>Rape Crisis</t>", b"<t>Rape Crisys</t>")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stamp.st_size, stamp.st_mtime_ns)
    after = read_previous(path, Config())
    assert reads == [path, path]
    assert before is not None and after is not None
    providers = {line.organisation for line in after.lines}
    assert "Rape Crisys" in providers and "Rape Crisis" in {x.organisation for x in before.lines}


def test_changed_settings_read_it_again(reads: list[Path]) -> None:
    read_previous(PREVIOUS, Config())
    read_previous(PREVIOUS, Config(grant_size_threshold=Decimal(1000)))
    read_previous(PREVIOUS, Config(grant_size_threshold=Decimal(1000)))
    assert reads == [PREVIOUS, PREVIOUS]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"",
        lambda data: b"not an entry",
        lambda data: data.replace(
            b'"format":%d' % FORMAT, b'"format":%d' % (FORMAT + 1)
        ),  # checksum no longer matches
    ],
    ids=["truncated", "empty", "garbage", "edited"],
)
def test_a_damaged_entry_is_a_miss_and_is_written_afresh(
    damage: object, fresh_cache: Path, reads: list[Path]
) -> None:
    first = read_previous(PREVIOUS, Config())
    [entry] = entries(fresh_cache)
    good = entry.read_bytes()
    assert callable(damage)
    entry.write_bytes(damage(good))
    assert read_previous(PREVIOUS, Config()) == first
    assert reads == [PREVIOUS, PREVIOUS]
    assert entry.read_bytes() == good


def checked(data: bytes) -> bytes:
    """``data`` as an entry whose checksum is right (what cache.store writes)."""
    return hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data


@pytest.mark.parametrize(
    "payload",
    [
        b'{"format": 2}',
        b'{"format": 2, "decision": ["a", "b", "2020-04-01", "2020/21", "2020-05-29"], '
        b'"funds": [], '
        b'"sheets": ["Services"], "lines": [["F", "S", "O", "NaN", 0, 5, "B5"]]}',
        b'{"format": 2, "decision": ["a", "b", "2020-04-01", "2020/21", "2020-05-29"], '
        b'"funds": [], '
        b'"sheets": ["Services"], "lines": [["F", "S", "O", "1.00", 3, 5, "B5"]]}',
        b'{"format": 2, "decision": ["a", "b", "2020-04-01", "2020/21", "2020-05-29"], '
        b'"funds": [], '
        b'"sheets": ["Services"], "lines": [["F", "S", 7, "1.00", 0, 5, "B5"]]}',
        b"[1, 2, 3]",
    ],
    ids=["missing", "not-money", "no-such-sheet", "wrong-type", "not-an-object"],
)
def test_an_entry_of_another_shape_is_a_miss(
    payload: bytes, fresh_cache: Path, reads: list[Path]
) -> None:
    with pytest.raises(ValueError):
        decode(payload, "x.xlsx")
    first = read_previous(PREVIOUS, Config())
    [entry] = entries(fresh_cache)
    entry.write_bytes(checked(payload))
    assert read_previous(PREVIOUS, Config()) == first
    assert reads == [PREVIOUS, PREVIOUS]


def test_the_codec_round_trips(sample_recon: Reconciliation) -> None:
    last = LastYear.of(sample_recon)
    assert decode(encode(last), last.file) == last


def test_a_folder_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[Path]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv("PCC_REPORT_CACHE", str(shared))
    cache.folder.cache_clear()
    read_previous(PREVIOUS, Config())
    read_previous(PREVIOUS, Config())
    assert reads == [PREVIOUS, PREVIOUS]
    assert not list(shared.iterdir())


def test_it_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, reads: list[Path]) -> None:
    monkeypatch.setenv("PCC_REPORT_CACHE", "off")
    cache.folder.cache_clear()
    first = read_previous(PREVIOUS, Config())
    assert read_previous(PREVIOUS, Config()) == first
    assert reads == [PREVIOUS, PREVIOUS]


def test_a_plan_with_errors_is_never_kept(
    tmp_path: Path, fresh_cache: Path, reads: list[Path]
) -> None:
    funds = [list(f) for f in sample_content().funds]
    funds[0][1] = 1  # an allocation far below what its lines commit: E-OVERCOMMIT
    path = make_workbook(tmp_path, "overcommitted.xlsx", funds=funds)
    assert read_previous(path, Config()) is None
    assert read_previous(path, Config()) is None
    assert reads == [path, path]
    assert not entries(fresh_cache)


def test_an_archive_of_plans_is_read_once(
    tmp_path: Path, sample_path: Path, reads: list[Path]
) -> None:
    """Each archived plan is read the first time it is looked at; later runs decode them."""
    from pipeline import assemble

    drop = tmp_path / "input"
    (drop / "archive").mkdir(parents=True)
    (drop / "plan.xlsx").write_bytes(sample_path.read_bytes())
    (drop / "archive" / "last-year.xlsx").write_bytes(PREVIOUS.read_bytes())
    runs = [assemble.check([drop], Config()) for _ in range(2)]
    assert [p.name for p in reads] == ["last-year.xlsx"]
    first, second = ([r.report.comparison for r in results if r.report] for results, _ in runs)
    assert first == second and first[0] is not None


def test_runs_writing_one_entry_at_once_leave_it_whole(fresh_cache: Path) -> None:
    """Each writer writes a temporary file and renames it over the entry: readers see one
    whole entry or another, never a mixture, and no temporary file is left."""
    datas = [bytes([65 + n]) * 400_000 for n in range(6)]
    threads = [threading.Thread(target=cache.store, args=("entry.json", d)) for d in datas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.entry("entry.json") in datas
    assert [p.name for p in fresh_cache.iterdir()] == ["entry.json"]
