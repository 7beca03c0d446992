"""Supervised worker processes: a shard of documents is read and cleaned in a child process, so that one document
can never hang or crash the run.

The child writes the index of the document it is working on into shared memory (no message per document) and sends
finished documents back in chunks. The parent watches: a document that takes longer than the time limit gets its
child killed and is rejected ("timed out after N s"); a child that dies (killed, out of memory, a crash in a C
extension) costs only the document it was on ("worker process died ... while processing"). A fresh child carries on
with the rest of the shard. Only whole documents ever come back, so nothing is half-processed.

A child that finished its shard waits for the next one (WORKER_IDLE_SECONDS at most, then it exits): a run's later
shards skip a new process's imports and warm-up (trafilatura's date search compiles its patterns on first use).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from typing import Callable

from newsclean import settings
from newsclean.clean import memo
from newsclean.clean.document import BatchOutput, process_document
from newsclean.records import RunContext, rejected_row
from newsclean.records import SourceFile

FLUSH_DOCUMENTS = 64  # documents per message back to the parent: few messages, little lost work on a crash
FLUSH_SECONDS = 0.5  # ... or this often, so slow shards still report progress
POLL_SECONDS = 0.05  # how often the parent looks at its child
WORKER_IDLE_SECONDS = 30.0  # a child with no shard for this long exits (runs and their shards come close together)
_DONE = "done"
_SPAWN = multiprocessing.get_context("spawn")  # no fork: the parent has threads (Prefect) whose locks a fork would copy

DocumentProcessor = Callable[[SourceFile, RunContext], BatchOutput]


def _child(connection, current, idle_seconds: float) -> None:
    """Shard after shard, as the parent sends them: (sources, indexes to skip, context, processor)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while connection.poll(idle_seconds):
        try:
            sources, skip, context, process = connection.recv()
        except EOFError:  # the parent is gone
            break
        # Each shard starts with empty line memos, as process_batch does: kept across a run's shards they filled up,
        # growing each worker, and the lines they held were mostly another shard's.
        memo.clear()
        chunk, flushed_at = [], time.monotonic()
        for index, source in enumerate(sources):
            if index in skip:
                continue
            current.value = index
            chunk.append((index, process(source, context)))
            if len(chunk) >= FLUSH_DOCUMENTS or time.monotonic() - flushed_at > FLUSH_SECONDS:
                connection.send(chunk)
                chunk, flushed_at = [], time.monotonic()
        connection.send(chunk)
        connection.send(_DONE)
    connection.close()


class _Worker:
    """A child process and its ends: a duplex pipe, and the index of the document it is on (shared memory)."""

    def __init__(self) -> None:
        self.environment = _environment_key()  # what it inherited: settings and credentials are read from it
        # Ctrl-C at a terminal reaches the whole process group, a worker starting up too, before its _child() ignores
        # it: it starts with SIGINT blocked (a signal mask outlives exec), as does multiprocessing's resource tracker.
        unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.connection, child_end = _SPAWN.Pipe(duplex=True)
            self.current = _SPAWN.Value("i", -1, lock=False)
            self.process = _SPAWN.Process(target=_child, args=(child_end, self.current, WORKER_IDLE_SECONDS), daemon=True)
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        child_end.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


def _environment_key() -> int:
    return hash(frozenset(os.environ.items()))


_idle_workers: list[_Worker] = []
_idle_lock = threading.Lock()  # shards run in threads of the flow's process, each taking and giving back workers


def _take_worker() -> _Worker:
    """An idle worker started with this process's environment as it is now, else a new one (a changed environment,
    say another object store's credentials, is a new worker's: a child's environment is fixed at its start)."""
    environment = _environment_key()
    with _idle_lock:
        while _idle_workers:
            worker = _idle_workers.pop()
            if worker.process.is_alive() and worker.environment == environment:
                return worker
            worker.stop()  # it waited too long and exited, or it has another environment
    return _Worker()


def start_workers(count: int) -> None:
    """Start `count` workers now, idle until a shard comes: a CLI run starts them while it waits for its own imports
    and Prefect's server, on a core that would otherwise idle then, rather than at its first shards (each pays a
    process start and its imports). Unused, they exit like any idle worker."""
    started = [_Worker() for _ in range(count)]
    with _idle_lock:
        _idle_workers.extend(started)


def stop_idle_workers() -> None:
    """Stop the workers waiting for a shard (they would exit by themselves after WORKER_IDLE_SECONDS)."""
    with _idle_lock:
        while _idle_workers:
            _idle_workers.pop().stop()


def _give_back(worker: _Worker) -> None:
    with _idle_lock:
        _idle_workers.append(worker)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def run_supervised(
    sources: list[SourceFile], context: RunContext, *, timeout_seconds: float | None = None,
    process: DocumentProcessor = process_document, on_progress: Callable[[int], None] | None = None,
) -> BatchOutput:
    """Process a shard in child processes; the result is the same as `process` over every source, except that a
    document that hangs or kills its process is rejected with the reason instead. `on_progress` is told how many of
    the shard's documents are done each time a chunk comes back (not per document)."""
    if multiprocessing.current_process().daemon:
        # multiprocessing refuses children of a daemonic process: a Dask worker under a nanny is one by default.
        raise RuntimeError(
            "this process is daemonic and may not start the worker processes that supervise each document; on Dask, "
            "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment, or with --no-nanny"
        )
    timeout = settings.DOCUMENT_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds
    report = on_progress or (lambda done_count: None)
    done: dict[int, BatchOutput] = {}
    failed: set[int] = set()
    while len(done) + len(failed) < len(sources):
        worker = _take_worker()
        worker.current.value = -1
        try:
            worker.connection.send((sources, set(done) | failed, context, process))
        except OSError:  # it exited between the check and the send
            worker.stop()
            continue
        receiver, child = worker.connection, worker.process
        watched, since = -1, time.monotonic()
        finished = False
        while not finished:
            if receiver.poll(POLL_SECONDS):
                try:
                    message = receiver.recv()
                except EOFError:
                    message = None  # the child is gone: handled below
                if message == _DONE:
                    finished = True
                    _give_back(worker)
                    continue
                if message is not None:
                    done.update(message)
                    report(len(done))
                    continue
            if worker.current.value != watched:
                watched, since = worker.current.value, time.monotonic()
            stuck = watched >= 0 and watched not in done and time.monotonic() - since > timeout
            if stuck or not child.is_alive():
                if stuck:
                    child.kill()
                child.join()
                while receiver.poll():  # whatever it finished before it stopped still counts
                    try:
                        message = receiver.recv()
                    except EOFError:
                        break
                    if isinstance(message, list):
                        done.update(message)
                worker.stop()
                culprit = watched if watched >= 0 and watched not in done else None
                if culprit is not None:
                    reason = (f"timed out after {timeout:g} s (NEWSCLEAN_DOCUMENT_TIMEOUT)" if stuck
                              else f"worker process died ({_death(child.exitcode)}) while processing")
                    failed.add(culprit)
                    done[culprit] = BatchOutput(rejected=[rejected_row(sources[culprit], reason, context)])
                    report(len(done))
                elif not stuck and child.exitcode != 0:
                    raise RuntimeError(f"worker process failed before its first document ({_death(child.exitcode)})")
                finished = True
    output = BatchOutput()
    for index in range(len(sources)):
        output.extend(done[index])
    return output
