"""Python's cyclic garbage collector, paused over a stretch of work that builds many long-lived objects and no cycles."""
from __future__ import annotations

import ctypes
import functools
import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block. A shard's documents, lines and rows are plain data: reference counting
    frees them, and a full collection would only rescan the whole heap (every document of the shard, every object of
    Great Expectations and pyarrow) each time it has grown by a quarter, a measurable share of a shard's work. Any
    cyclic garbage made inside waits for the end of the block, when the collector runs again as usual; there is little
    (none from cleaning documents; a rejected document's traceback and Great Expectations' validation make some)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_imported() -> None:
    """Take every object alive now out of the collector's sight for good (gc.freeze): in a one-run process, after its
    imports (Prefect, Great Expectations, pandas, pyarrow: objects that live as long as the process), each full
    collection of the run would otherwise rescan them all. Not for a long-lived process that
    runs flow after flow: what a run leaves as cyclic garbage before a freeze would stay for good."""
    gc.freeze()


def return_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim): a shard's objects are freed at its end,
    but the allocator keeps the pages, and the process's resident memory would stay at its largest shard's high-water
    mark plus fragmentation. A no-op where the C library has no malloc_trim."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
