"""The writer lock under attack: many processes committing at the same moment, and many taking over one stale lock.

    .venv/bin/python -m bench.lock_stress --trials 200 --writers 4 [--takeover-trials 50 --takers 6]

Commits: in each trial, `writers` processes (real ones, spawned once) wait on one barrier, then each commits one row
to the same partition of a new local warehouse through write_run, the run's whole write path (lock, merge, stage,
rename). A trial loses a row when the partition ends with fewer rows than writers, or a commit fails.
Takeovers: in each trial a lock left by a killed run (a dead pid's record) waits in a new warehouse; `takers`
processes start on one barrier and each holds the lock once, writing `enter`/`exit` lines to a log while it holds
it. A trial fails when two holders overlap, or when not exactly one of them found the killed run's record.
Prints one line per kind of trial; exit status 1 if any trial failed."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARTITION = "2024-01-01"
_SPAWN = multiprocessing.get_context("spawn")  # as the flow's own workers: no fork of a process with threads
BARRIER_TIMEOUT_SECONDS = 600


def _row(doc_id: str, run_id: str) -> dict:
    return {"doc_id": doc_id, "source_uri": f"/in/{doc_id}.txt", "reason": "stress", "run_id": run_id,
            "processed_at": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), "ingest_date": PARTITION}


def _commit_writer(root: str, trials: int, index: int, barrier, errors) -> None:
    from newsclean.write.commit import write_run

    for trial in range(trials):
        barrier.wait(BARRIER_TIMEOUT_SECONDS)
        doc_id, run_id = f"trial{trial}-writer{index}", f"run-{trial}-{index}"
        try:
            write_run(Path(root) / f"trial-{trial}", {"rejected": [_row(doc_id, run_id)]}, {doc_id}, run_id,
                      run_partition=PARTITION)
        except Exception as error:  # a commit broken by another one: counted, and the trials go on
            errors.put((trial, f"{type(error).__name__}: {error}"))


def commit_trials(root: Path, trials: int, writers: int) -> list[int]:
    """The trials (by number) in which a committed row was lost or a commit failed."""
    import pyarrow.parquet as pq

    from newsclean.write.commit import partition_path

    for trial in range(trials):
        (root / f"trial-{trial}").mkdir(parents=True)  # as the flow's ensure_writable() makes it before its commit
    barrier, errors = _SPAWN.Barrier(writers), _SPAWN.Queue()
    processes = [_SPAWN.Process(target=_commit_writer, args=(str(root), trials, index, barrier, errors))
                 for index in range(writers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = set()
    while not errors.empty():
        failed.add(errors.get()[0])
    for trial in range(trials):
        path = partition_path(root / f"trial-{trial}", "rejected", PARTITION)
        if not path.exists() or pq.read_table(path).num_rows != writers:
            failed.add(trial)
    return sorted(failed)


def _taker(root: str, trials: int, index: int, barrier) -> None:
    from newsclean.write.lock import WarehouseLock

    for trial in range(trials):
        warehouse = Path(root) / f"takeover-{trial}"
        barrier.wait(BARRIER_TIMEOUT_SECONDS)
        with WarehouseLock(warehouse, wait_seconds=BARRIER_TIMEOUT_SECONDS) as lock:
            with open(warehouse / "holders.log", "a", encoding="utf-8") as log:
                log.write(f"enter {index}{' stale' if lock.stale_owner else ''}\n")
                log.flush()
                time.sleep(0.005)  # long enough for another holder to show up, were there one
                log.write(f"exit {index}\n")


def dead_owner() -> dict:
    """The record of a run whose process has ended, on this host."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return {"pid": int(dead.stdout), "host": socket.gethostname(), "since": time.time(), "run_id": "killed",
            "run_partition": PARTITION}


def holders_overlap_or_several_took_over(log: list[str], takers: int) -> bool:
    """The holders' log is `enter i` / `exit i` pairs, one holder at a time, each taker once, and exactly one of them
    found the killed run's record."""
    entered = [line.split()[1] for line in log[0::2]]
    paired = all(enter.split()[:2] == ["enter", exit_.split()[1]] and exit_.startswith("exit ")
                 for enter, exit_ in zip(log[0::2], log[1::2]))
    stale_finders = sum(line.endswith(" stale") for line in log)
    return not (paired and len(log) == 2 * takers and sorted(entered) == sorted(map(str, range(takers))) and stale_finders == 1)


def takeover_trials(root: Path, trials: int, takers: int) -> list[int]:
    """The trials (by number) in which two processes held the taken-over lock at once, or not exactly one took over."""
    for trial in range(trials):
        warehouse = root / f"takeover-{trial}"
        warehouse.mkdir(parents=True)
        (warehouse / "_lock").write_text(json.dumps(dead_owner()), encoding="utf-8")
    barrier = _SPAWN.Barrier(takers)
    processes = [_SPAWN.Process(target=_taker, args=(str(root), trials, index, barrier)) for index in range(takers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return [trial for trial in range(trials)
            if holders_overlap_or_several_took_over((root / f"takeover-{trial}" / "holders.log").read_text().splitlines(), takers)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="simultaneous-commit trials")
    parser.add_argument("--writers", type=int, default=4, help="processes committing at once in each trial")
    parser.add_argument("--takeover-trials", type=int, default=50)
    parser.add_argument("--takers", type=int, default=6, help="processes taking over one stale lock in each trial")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsclean-lock-stress-") as root:
        started = time.monotonic()
        lost = commit_trials(Path(root), args.trials, args.writers)
        print(f"commits: {args.trials} trials x {args.writers} writers: {len(lost)} trials lost a row or failed "
              f"({time.monotonic() - started:.1f} s)")
        started = time.monotonic()
        broken = takeover_trials(Path(root), args.takeover_trials, args.takers)
        print(f"takeovers: {args.takeover_trials} trials x {args.takers} takers: {len(broken)} trials with two holders "
              f"at once or not exactly one takeover ({time.monotonic() - started:.1f} s)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 1 if lost or broken else 0


if __name__ == "__main__":
    sys.exit(main())
