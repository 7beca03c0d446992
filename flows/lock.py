"""One writer at a time: a lock file in the warehouse, held only while a run commits its files.

Runs read, clean and validate in parallel; their commits (read the partitions, merge, stage, rename) take turns, so
two runs over the same documents never lose or duplicate rows, and backfills of different dates overlap almost
entirely. A lock left by a killed run is taken over when its process is gone (same host) or when it is older than
NEWSCLEAN_LOCK_STALE_SECONDS (another host, or a hung process). The lock names the run that holds it, so that the
writer taking over a killed run's lock knows which run's commit was cut short (`stale_owner`).

Local disk: the lock is created with O_CREAT|O_EXCL. S3: the lock is an object created with a conditional PUT
(`If-None-Match: *`: exactly one of two concurrent creators succeeds); a stale lock is taken over with a PUT
conditional on the stale lock's ETag (`If-Match`), so of two runs taking over the same stale lock only one wins; a
release deletes the lock only if it is still this run's (`If-Match` on the DELETE).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import settings
from .scratch import owner_record, process_is_gone
from .storage import s3_client
from .warehouse_store import S3Warehouse, WarehouseError, open_warehouse, s3_error_code, s3_errors_as_oserror

LOCK_FILE = "_lock"
POLL_SECONDS = 0.2
_LOST_RACE = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404")  # another writer was faster


class WarehouseBusy(WarehouseError):
    """Another run holds the warehouse's lock for longer than this run would wait."""


def _owner_is_gone(owner: dict) -> bool:
    # A process on another host cannot be checked: there only age makes a lock stale.
    return time.time() - owner.get("since", 0) > settings.LOCK_STALE_SECONDS or process_is_gone(owner)


def _parse_owner(data: bytes) -> dict:
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return {"since": 0}  # unreadable or half-written by a killed process: treat as stale


class _LocalLockFile:
    def __init__(self, path: Path):
        self.path = path

    def create(self, me: dict) -> bool:
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(me, handle)
        except OSError:
            self.path.unlink(missing_ok=True)  # a full disk: leave no empty lock behind
            raise
        return True

    def read(self) -> tuple[dict | None, None]:
        try:
            return _parse_owner(self.path.read_bytes()), None
        except FileNotFoundError:
            return None, None
        except OSError:
            return {"since": 0}, None

    def take_over(self, stale_version, me: dict) -> bool:
        self.path.unlink(missing_ok=True)  # a killed run's lock: not a trap forever; the next create() decides
        return False

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class _S3LockObject:
    def __init__(self, store: S3Warehouse):
        self.bucket, self.key = store.bucket, store.key(LOCK_FILE)
        self.path = f"s3://{self.bucket}/{self.key}"
        self.etag: str | None = None  # of the lock this run holds

    def _put(self, me: dict, **condition) -> bool:
        try:
            with s3_errors_as_oserror(f"cannot write the lock {self.path}"):
                response = s3_client().put_object(Bucket=self.bucket, Key=self.key, Body=json.dumps(me).encode(), **condition)
        except OSError as error:
            if s3_error_code(error) in _LOST_RACE:
                return False
            raise
        self.etag = response["ETag"]
        return True

    def create(self, me: dict) -> bool:
        return self._put(me, IfNoneMatch="*")

    def read(self) -> tuple[dict | None, str | None]:
        try:
            with s3_errors_as_oserror(f"cannot read the lock {self.path}"):
                response = s3_client().get_object(Bucket=self.bucket, Key=self.key)
                return _parse_owner(response["Body"].read()), response["ETag"]
        except OSError as error:
            if s3_error_code(error) in ("NoSuchKey", "404"):
                return None, None
            raise

    def take_over(self, stale_etag: str, me: dict) -> bool:
        return self._put(me, IfMatch=stale_etag)

    def remove(self) -> None:
        if self.etag is None:
            return
        try:
            with s3_errors_as_oserror(f"cannot delete the lock {self.path}"):
                s3_client().delete_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)
        except OSError as error:
            if s3_error_code(error) not in _LOST_RACE:  # else: taken over as stale meanwhile, and no longer ours
                raise
        self.etag = None


class WarehouseLock:
    def __init__(self, warehouse, wait_seconds: float | None = None, run: dict | None = None):
        """`run`: what the lock says of its holder's run besides its process (e.g. run_id, run_partition)."""
        store = open_warehouse(warehouse)
        self.lock_file = _S3LockObject(store) if isinstance(store, S3Warehouse) else _LocalLockFile(store.root / LOCK_FILE)
        self.path = self.lock_file.path
        self.wait_seconds = settings.LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
        self.run = run or {}
        self.stale_owner: dict | None = None  # the killed (or hung) holder whose lock this one took over, if any

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_seconds
        me = {**owner_record(), **self.run}
        while not self.lock_file.create(me):
            owner, version = self.lock_file.read()
            if owner is None:
                continue  # released meanwhile: try again at once
            if _owner_is_gone(owner):
                self.stale_owner = owner
                if self.lock_file.take_over(version, me):
                    return
                continue
            if time.monotonic() > deadline:
                raise WarehouseBusy(
                    f"the warehouse is being written by process {owner.get('pid')} on {owner.get('host')} "
                    f"(lock {self.path}); waited {self.wait_seconds:g} s (NEWSCLEAN_LOCK_WAIT_SECONDS)"
                )
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        self.lock_file.remove()

    def __enter__(self) -> "WarehouseLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
