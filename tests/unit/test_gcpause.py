"""Pausing the cyclic collector around a workbook build: nested and concurrent pauses restore it once."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from bot.gcpause import collector_paused


@pytest.fixture(autouse=True)
def collector_running() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def failing_build() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the build failed")


def test_the_collector_is_back_after_a_pause_even_when_the_work_fails() -> None:
    with pytest.raises(RuntimeError):
        failing_build()
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_end_with_the_collector_running() -> None:
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.isenabled())  # the other thread's pause ended, this one still holds

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_paused():
        pass
    second_done.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
