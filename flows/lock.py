"""One writer at a time: a lock file in the warehouse, held only while a run commits its files.

Runs read, clean and validate in parallel; their commits (read the partitions, merge, stage, rename) take turns, so
two runs over the same documents never lose or duplicate rows, and backfills of different dates overlap almost
entirely. A lock left by a killed run is taken over when its process is gone (same host) or when it is older than
NEWSCLEAN_LOCK_STALE_SECONDS (another host, or a hung process).
"""
from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from .write import WarehouseError

LOCK_FILE = "_lock"
STALE_SECONDS = float(os.environ.get("NEWSCLEAN_LOCK_STALE_SECONDS", str(6 * 3600)))  # longer than any commit
WAIT_SECONDS = float(os.environ.get("NEWSCLEAN_LOCK_WAIT_SECONDS", "600"))  # how long a second writer waits its turn
POLL_SECONDS = 0.2


class WarehouseBusy(WarehouseError):
    """Another run holds the warehouse's lock for longer than this run would wait."""


def _owner_is_gone(owner: dict) -> bool:
    if time.time() - owner.get("since", 0) > STALE_SECONDS:
        return True
    if owner.get("host") != socket.gethostname():
        return False  # a process on another host cannot be checked: only age makes its lock stale
    try:
        os.kill(int(owner["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, KeyError, ValueError):
        return False
    return False


class WarehouseLock:
    def __init__(self, warehouse: Path, wait_seconds: float | None = None):
        self.path = Path(warehouse) / LOCK_FILE
        self.wait_seconds = WAIT_SECONDS if wait_seconds is None else wait_seconds

    def _read_owner(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"since": 0}  # unreadable or half-written by a killed process: treat as stale

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_seconds
        me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        while True:
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._read_owner()
                if owner is not None and _owner_is_gone(owner):
                    self.path.unlink(missing_ok=True)  # a killed run's lock: not a trap forever
                    continue
                if time.monotonic() > deadline:
                    raise WarehouseBusy(
                        f"the warehouse is being written by process {owner.get('pid')} on {owner.get('host')} "
                        f"(lock {self.path}); waited {self.wait_seconds:g} s (NEWSCLEAN_LOCK_WAIT_SECONDS)"
                    ) from None
                time.sleep(POLL_SECONDS)
                continue
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                    json.dump(me, handle)
            except OSError:
                self.path.unlink(missing_ok=True)  # a full disk: leave no empty lock behind
                raise
            return

    def release(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "WarehouseLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
