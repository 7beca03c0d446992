"""Supervised worker processes: a shard of documents is read and cleaned in a child process, so that one document
can never hang or crash the run.

The child writes the index of the document it is working on into shared memory (no message per document) and sends
finished documents back in chunks. The parent watches: a document that takes longer than the time limit gets its
child killed and is rejected ("timed out after N s"); a child that dies (killed, out of memory, a crash in a C
extension) costs only the document it was on ("worker process died ... while processing"). A fresh child carries on
with the rest of the shard. Only whole documents ever come back, so nothing is half-processed.
"""
from __future__ import annotations

import multiprocessing
import signal
import time
from typing import Callable

from . import settings
from .pipeline import BatchOutput, RunContext, process_document, rejected_row
from .read import SourceFile

FLUSH_DOCUMENTS = 64  # documents per message back to the parent: few messages, little lost work on a crash
FLUSH_SECONDS = 0.5  # ... or this often, so slow shards still report progress
POLL_SECONDS = 0.05  # how often the parent looks at its child
_DONE = "done"
_SPAWN = multiprocessing.get_context("spawn")  # no fork: the parent has threads (Prefect) whose locks a fork would copy

DocumentProcessor = Callable[[SourceFile, RunContext], BatchOutput]


def _child(connection, sources: list[SourceFile], skip: set[int], context: RunContext, current, process: DocumentProcessor) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
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
        skip = set(done) | failed
        receiver, sender = _SPAWN.Pipe(duplex=False)
        current = _SPAWN.Value("i", -1, lock=False)
        child = _SPAWN.Process(target=_child, args=(sender, sources, skip, context, current, process), daemon=True)
        child.start()
        sender.close()
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
                    continue
                if message is not None:
                    done.update(message)
                    report(len(done))
                    continue
            if current.value != watched:
                watched, since = current.value, time.monotonic()
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
        child.join()
        receiver.close()
    output = BatchOutput()
    for index in range(len(sources)):
        output.extend(done[index])
    return output
