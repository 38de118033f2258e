"""The collector paused while an output is written, and on again after (pipeline.memory, #21)."""

from __future__ import annotations

import gc

import pytest

from pipeline.memory import collector_paused, release_memory


def test_the_collector_is_off_in_the_block_and_on_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a writer failed")
    assert gc.isenabled()


def test_a_collector_a_caller_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_release_memory_frees_a_cycle_made_while_paused() -> None:
    import weakref

    class Part:
        other: object = None

    with collector_paused():
        first, second = Part(), Part()
        first.other, second.other = second, first
        made = weakref.ref(first)
        del first, second
        assert made() is not None  # a cycle: reference counting alone never frees it
        release_memory()
        assert made() is None
