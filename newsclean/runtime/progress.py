"""Progress of a run as a person watching the CLI sees it: documents done out of the total, and the rate.

Counting is per shard, never per document: a shard reports how many of its documents are done when a chunk comes
back from its worker process (newsclean/runtime/workers.py, every 64 documents or half a second) and once more when its task
finishes. Counts only grow, so a late, repeated or retried report never counts a document twice.

The CLI turns the display on (`shown_on(sys.stderr)`): a bar on a terminal, a plain line every PROGRESS_SECONDS
otherwise (logs, CI). Flow runs without it (tests, deployments) count nothing. Shards that run on a Dask worker
report only when they finish: the worker's process has no display, so its chunk reports go nowhere.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol, TextIO

from newsclean import settings

Clock = Callable[[], float]


@dataclass(frozen=True)
class Snapshot:
    done: int
    total: int
    elapsed: float  # seconds since the run's shards started

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        return f"{self.done}/{self.total} documents, {self.rate:.0f}/s"


class Display(Protocol):
    def start(self, snapshot: Snapshot) -> None: ...
    def update(self, snapshot: Snapshot) -> None: ...
    def close(self, snapshot: Snapshot) -> None: ...


class Progress:
    """Documents done of `total`, from per-shard counts. Thread-safe: shard tasks report from their own threads."""

    def __init__(self, total: int, display: Display, clock: Clock = time.monotonic):
        self.total, self._display, self._clock = total, display, clock
        self._started_at = clock()
        self._by_shard: dict[int, int] = {}
        self.done = 0
        self._lock = threading.Lock()
        display.start(self.snapshot())

    def snapshot(self) -> Snapshot:
        return Snapshot(self.done, self.total, self._clock() - self._started_at)

    def shard_progress(self, shard: int, done_in_shard: int) -> None:
        with self._lock:
            before = self._by_shard.get(shard, 0)
            if done_in_shard <= before:
                return
            self._by_shard[shard] = done_in_shard
            self.done += done_in_shard - before
            self._display.update(self.snapshot())

    def close(self) -> None:
        with self._lock:
            self._display.close(self.snapshot())


class PlainLines:
    """Not a terminal: one line when the shards start, then at most one every `interval` seconds, and a last one."""

    def __init__(self, stream: TextIO, interval: float | None = None, clock: Clock = time.monotonic):
        self._stream, self._clock = stream, clock
        self._interval = settings.PROGRESS_SECONDS if interval is None else interval
        self._last_line_at: float | None = None

    def _write(self, snapshot: Snapshot) -> None:
        self._stream.write(f"newsclean: {snapshot.line()}\n")
        self._stream.flush()
        self._last_line_at = self._clock()

    def start(self, snapshot: Snapshot) -> None:
        self._write(snapshot)

    def update(self, snapshot: Snapshot) -> None:
        if self._last_line_at is None or self._clock() - self._last_line_at >= self._interval:
            self._write(snapshot)

    def close(self, snapshot: Snapshot) -> None:
        self._write(snapshot)


class Bar:
    """A terminal: a rich progress bar (rich comes with Prefect), redrawn by rich's own thread."""

    def __init__(self, stream: TextIO):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

        self._bar = RichProgress(
            TextColumn("documents"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
            console=Console(file=stream), redirect_stdout=False, redirect_stderr=False,
        )
        self._task = None

    def start(self, snapshot: Snapshot) -> None:
        self._task = self._bar.add_task("documents", total=snapshot.total, rate="")
        self._bar.start()

    def update(self, snapshot: Snapshot) -> None:
        self._bar.update(self._task, completed=snapshot.done, rate=f"{snapshot.rate:.0f} docs/s")

    def close(self, snapshot: Snapshot) -> None:
        self.update(snapshot)
        self._bar.stop()


def display_for(stream: TextIO) -> Display:
    return Bar(stream) if stream.isatty() else PlainLines(stream)


# The display the CLI asked for, and the run being counted. Module state because shard tasks run in threads of the
# flow's process and have no other way to reach the CLI; elsewhere (a Dask worker, a deployment) both stay None.
_make_display: Callable[[], Display] | None = None
_current: Progress | None = None


@contextmanager
def shown_on(stream: TextIO) -> Iterator[None]:
    """Show the progress of the runs inside this block on `stream`."""
    global _make_display
    _make_display = lambda: display_for(stream)  # noqa: E731
    try:
        yield
    finally:
        _make_display = None


@contextmanager
def tracking(total: int) -> Iterator[None]:
    """Count the shards of one run of `total` documents, if a display is on."""
    global _current
    if _make_display is None or total <= 0:
        yield
        return
    _current = Progress(total, _make_display())
    try:
        yield
    finally:
        _current.close()
        _current = None


def shard_progress(shard: int, done_in_shard: int) -> None:
    """Shard `shard` has `done_in_shard` documents done; nothing happens when no run is being shown."""
    current = _current
    if current is not None:
        current.shard_progress(shard, done_in_shard)

