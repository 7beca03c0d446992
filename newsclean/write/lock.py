"""One writer at a time: a lock in the warehouse, held only while a run commits its files.

Runs read, clean and validate in parallel; their commits (read the partitions, merge, stage, rename) take turns, so
two runs over the same documents never lose or duplicate rows, and backfills of different dates overlap almost
entirely. The lock names the run that holds it, so that the writer coming after a killed run knows which run's commit
was cut short (`stale_owner`).

Local disk (and a mounted filesystem): the lock is the kernel's, an exclusive flock() on the file `_lock`. The kernel
grants it to one open file at a time, atomically, and releases it when its holder's process ends, however it ends
(SIGKILL, the OOM killer): no owner record is ever judged, so no live lock can be taken for a stale one, whatever the
file says (a pid reused, a tampered or half-written file). The file itself stays (deleting it would let a second
writer lock a new file while the first still holds the old one); the holder writes its owner record into it once it
holds the lock and empties it when it lets go: a record found by the next holder is a killed run's.

S3: the lock is an object created with a conditional PUT (`If-None-Match: *`: exactly one of two concurrent creators
succeeds), written whole by that one PUT (a reader never sees half a record). A lock is stale when its process is
gone (same host: the pid has ended, or now belongs to a process started at another time), when it is older than
NEWSCLEAN_LOCK_STALE_SECONDS (another host, or a hung process), or when it holds no newsclean owner record (written
whole, such an object was never a newsclean lock). A stale lock is taken over with a PUT conditional on its ETag
(`If-Match`), so of many runs taking over the same stale lock only one wins; a release deletes the lock only if it is
still this run's (`If-Match` on the DELETE).
"""
from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import socket
import time
from pathlib import Path

from newsclean import settings
from newsclean.runtime.scratch import owner_record, process_is_gone
from newsclean.storage import s3_client
from newsclean.write.store import S3Warehouse, WarehouseError, open_warehouse, s3_error_code, s3_errors_as_oserror

LOCK_FILE = "_lock"
_LOST_RACE = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404")  # another writer was faster
_SHOWN_BYTES = 60  # of a lock that is no owner record, in messages
_RECORD_BYTES = 65536  # an owner record is far smaller: more is no record, and is not read whole


class WarehouseBusy(WarehouseError):
    """Another run holds the warehouse's lock for longer than this run would wait."""


def owner_of(data: bytes) -> dict | None:
    """The owner record in a lock's bytes, or None when they hold none (empty, not JSON, not an object, a `since`
    that is no calendar time, a `pid` that is no number)."""
    try:
        owner = json.loads(data.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(owner, dict):
        return None
    since, pid = owner.get("since"), owner.get("pid")
    if isinstance(since, bool) or not isinstance(since, (int, float)) or not math.isfinite(since):
        return None
    try:
        time.gmtime(since)
    except (OverflowError, ValueError, OSError):  # a time no calendar holds
        return None
    if pid is not None and (isinstance(pid, bool) or not isinstance(pid, int)):
        return None
    return owner


def describe_owner(owner: dict | None, data: bytes = b"") -> str:
    """Who a lock names, for messages."""
    if owner is None:
        shown = data[:_SHOWN_BYTES].decode("utf-8", "replace")
        return f"a lock that names no newsclean run (it holds {shown!r})" if data else "a lock that names no run yet"
    since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(owner["since"]))
    run = f", run {owner['run_id']}" if owner.get("run_id") else ""
    return f"process {owner.get('pid')} on {owner.get('host')}{run}, since {since}"


def is_stale(owner: dict | None) -> bool:
    """An S3 lock's holder is gone (see the module's docstring). A lock in the future by more than the stale age
    (a clock far off, or an edited file) is no record either."""
    if owner is None:
        return True
    age = time.time() - owner["since"]
    return age > settings.LOCK_STALE_SECONDS or -age > settings.LOCK_STALE_SECONDS or process_is_gone(owner)


class _LocalLockFile:
    """flock() on `_lock` (see the module's docstring)."""

    poll_seconds = 0.05  # one system call a try

    def __init__(self, path: Path):
        self.path = path
        self.descriptor: int | None = None
        self.stale_owner: dict | None = None

    def try_acquire(self, me: dict) -> bool:
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                return False
            raise
        try:
            self.stale_owner = owner_of(os.pread(descriptor, _RECORD_BYTES, 0))  # a record left: its holder did not let go
            record = json.dumps(me).encode()
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, record, 0)
            os.fsync(descriptor)
        except BaseException:
            os.close(descriptor)  # and with it the lock
            raise
        self.descriptor = descriptor
        return True

    def holder(self) -> str:
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(_RECORD_BYTES)
        except OSError:
            data = b""
        return describe_owner(owner_of(data), data)

    def release(self) -> None:
        if self.descriptor is None:
            return
        try:
            os.ftruncate(self.descriptor, 0)  # let go cleanly: the next holder finds no record
        finally:
            os.close(self.descriptor)
            self.descriptor = None


class _S3LockObject:
    poll_seconds = 0.2  # a request a try

    def __init__(self, store: S3Warehouse):
        self.bucket, self.key = store.bucket, store.key(LOCK_FILE)
        self.path = f"s3://{self.bucket}/{self.key}"
        self.etag: str | None = None  # of the lock this run holds
        self.stale_owner: dict | None = None
        self._last_seen = "a lock that was released meanwhile"

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

    def read(self) -> tuple[bytes | None, str | None]:
        """The lock's bytes and ETag; (None, None) when there is no lock."""
        try:
            with s3_errors_as_oserror(f"cannot read the lock {self.path}"):
                response = s3_client().get_object(Bucket=self.bucket, Key=self.key)
                return response["Body"].read(), response["ETag"]
        except OSError as error:
            if s3_error_code(error) in ("NoSuchKey", "404"):
                return None, None
            raise

    def try_acquire(self, me: dict) -> bool:
        if self._put(me, IfNoneMatch="*"):
            return True
        data, etag = self.read()
        if data is None:
            return False  # released meanwhile: the next try may create it
        owner = owner_of(data)
        self._last_seen = describe_owner(owner, data)
        if is_stale(owner) and self.take_over(etag, me):
            self.stale_owner = owner
            return True
        return False

    def take_over(self, stale_etag: str, me: dict) -> bool:
        return self._put(me, IfMatch=stale_etag)

    def holder(self) -> str:
        return self._last_seen

    def release(self) -> None:
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
        """Try, and between tries sleep, until the lock is this run's or the wait is over (WarehouseBusy)."""
        deadline = time.monotonic() + self.wait_seconds
        me = {**owner_record(), **self.run}
        while not self.lock_file.try_acquire(me):
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"the warehouse is being written by {self.lock_file.holder()} (lock {self.path}); "
                    f"waited {self.wait_seconds:g} s (NEWSCLEAN_LOCK_WAIT_SECONDS)"
                )
            time.sleep(self.lock_file.poll_seconds)
        self.stale_owner = self.lock_file.stale_owner

    def release(self) -> None:
        self.lock_file.release()

    def __enter__(self) -> "WarehouseLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def unlock(warehouse, force: bool = False) -> str:
    """`newsclean unlock`: what the warehouse's lock is, and on S3 the removal of a lock no run can hold any more.
    Local: the kernel's lock cannot be taken from a live process, and is free as soon as its holder has ended: this
    only says whether it is free, or names its holder (WarehouseBusy). S3: a stale lock is removed (conditional on the
    very lock read); a lock of a live run on this host never; a lock of another host within the stale age only with
    `force`, for an operator who knows that run is gone."""
    lock = WarehouseLock(warehouse, wait_seconds=0)
    if isinstance(lock.lock_file, _LocalLockFile):
        if not lock.lock_file.try_acquire({}):  # an empty record: this look is no run
            raise WarehouseBusy(f"the lock {lock.path} is held by a live process (it names {lock.lock_file.holder()}); "
                                f"stop that run first (`fuser -v {lock.path}` names the process holding it)")
        left, descriptor = lock.lock_file.stale_owner, lock.lock_file.descriptor
        lock.lock_file.descriptor = None
        os.ftruncate(descriptor, 0)
        if left is not None:  # handed back as it was: the next run cleans up after the killed one
            os.pwrite(descriptor, json.dumps(left).encode(), 0)
        os.close(descriptor)
        return (f"the lock {lock.path} is free" +
                (f"; it was left by {describe_owner(left)}, whose commit the next run cleans up after" if left else ""))
    lock_object = lock.lock_file
    data, etag = lock_object.read()
    if data is None:
        return f"there is no lock {lock.path}"
    owner = owner_of(data)
    if not is_stale(owner):
        live_here = owner.get("host") == socket.gethostname()
        if live_here or not force:
            raise WarehouseBusy(f"the lock {lock.path} names a run that may be live: {describe_owner(owner)}"
                                + ("" if live_here else "; if that run is gone, `newsclean unlock --force` removes it"))
    with s3_errors_as_oserror(f"cannot delete the lock {lock.path}"):
        try:
            s3_client().delete_object(Bucket=lock_object.bucket, Key=lock_object.key, IfMatch=etag)
        except Exception as error:
            if s3_error_code(error) in _LOST_RACE:
                raise WarehouseBusy(f"the lock {lock.path} changed while it was read (another run took it): left alone") from error
            raise
    return f"removed the lock {lock.path} of {describe_owner(owner, data)}"
