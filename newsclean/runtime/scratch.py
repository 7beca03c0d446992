"""A run's private scratch folders under TMPDIR (its spool, an S3 warehouse's staged files and report), each with
an owner file naming the process it is for. A run that ends removes its own; one killed outright (SIGKILL, the OOM
killer, a power cut) cannot, so the next run on the host removes those whose process is gone: a big run's spool is
gigabytes, and nothing else would ever remove it."""
from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path


PREFIX = "newsclean-"
OWNER_FILE = ".owner.json"  # a dot: the folder's own files (staged Parquet, a report) are all there is to list


# Two readings of one process's start time agree to the clock tick; a pid reused by a later process differs by more.
_SAME_START_SECONDS = 1.0


def process_started(pid: int) -> float | None:
    """When the process `pid` started (seconds since the epoch), None if there is none or it cannot be told."""
    import psutil  # imported by the few callers that judge an owner, not by every worker

    try:
        return psutil.Process(pid).create_time()
    except (psutil.Error, ValueError, OverflowError):
        return None


def owner_record() -> dict:
    """Who holds something: this process on this host, since now (a lock's content, a spool's owner file), with the
    process's start time, which tells it from a later process given the same pid."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": process_started(os.getpid()), "since": time.time()}


def process_is_gone(owner: dict) -> bool:
    """The owner's process has ended: known only on its own host (elsewhere: False, it may be running). A live pid
    whose process started at another time than the owner's is a later process given the same pid: the owner's is gone
    (a record without a start time, an older version's, is judged by its pid alone)."""
    pid = owner.get("pid")
    if owner.get("host") != socket.gethostname() or isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        pass  # alive under another user: its start time still tells
    recorded = owner.get("started")
    if isinstance(recorded, bool) or not isinstance(recorded, (int, float)):
        return False
    started = process_started(pid)
    return started is not None and abs(started - recorded) > _SAME_START_SECONDS


def private_folder(kind: str) -> Path:
    """A new folder `newsclean-<kind>-*` under TMPDIR, owned by this process; abandoned ones are removed first."""
    parent = Path(tempfile.gettempdir())
    remove_abandoned(parent)
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-", dir=parent))
    try:
        (folder / OWNER_FILE).write_text(json.dumps(owner_record()), encoding="utf-8")
    except BaseException:  # a full disk, or Ctrl-C: a folder without its owner file would never be removed
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def remove_abandoned(parent: Path) -> list[Path]:
    """Remove the scratch folders under `parent` whose owner's process has ended on this host; returns them. A folder
    without a readable owner file is left alone (another version's, or one being made)."""
    removed = []
    for folder in parent.glob(f"{PREFIX}*"):
        try:
            owner = json.loads((folder / OWNER_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(owner, dict) and process_is_gone(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
