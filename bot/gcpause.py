"""Pause Python's cyclic garbage collector around a burst of allocations.

Building a national workbook makes some 130,000 cell objects that all stay alive until the file is
saved; each of them is counted towards the collector's thresholds, so it walks the whole heap again
and again for nothing (a quarter of the build time). Reference counting still frees everything
acyclic while paused, and whatever cycles remain are collected once the collector is back. Only
for such bursts: a matplotlib figure is a web of cycles, and pausing around it would hold its
image buffers until the pause ends.

The bot builds files in worker threads, possibly two at once, so pauses are counted: the collector
comes back when the last pause ends, and only if it was running before the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.collect()  # start clean: what is garbage now would otherwise be held through the pause
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
