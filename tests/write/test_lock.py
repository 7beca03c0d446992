"""The writer lock attacked: simultaneous commits by real processes, many takers of one stale lock, tampered lock
files and objects, a pid reused by another process. (bench/lock_stress.py runs the same trials by the hundred.)"""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from bench.lock_stress import commit_trials, dead_owner, takeover_trials
from newsclean.write.lock import WarehouseBusy, WarehouseLock
from newsclean.runtime.scratch import process_is_gone, process_started
from newsclean.storage import s3_client


ODD_LOCKS = {"null": b"null", "a list": b"[1,2]", "a since that is no time": b'{"since":"yesterday"}', "empty": b"",
             "binary garbage": bytes(range(256)) * 4, "a pid that is no number": b'{"since": 0, "pid": "x"}',
             "a time no calendar holds": b'{"since": 1e300, "pid": 1, "host": "h"}'}


def test_simultaneous_commits_to_one_partition_lose_no_row(tmp_path):
    assert commit_trials(tmp_path, trials=4, writers=6) == []  # trials that lost a row or failed a commit


def test_many_takers_of_one_stale_lock_hold_it_one_at_a_time_and_one_takes_it_over(tmp_path):
    assert takeover_trials(tmp_path, trials=3, takers=6) == []


def acquire_within(lock, seconds=30):
    """acquire() in a thread that must end within `seconds` (a lock that spins would never end): its error, if any."""
    outcome = []

    def attempt():
        try:
            lock.acquire()
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001  (handed to the test)
            outcome.append(error)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "acquire() did not return"
    return outcome[0]


class CountingTries:
    """Counts a lock's tries: a lock that does not sleep between them makes thousands in a second."""

    def __init__(self, lock):
        self.count, self.try_acquire = 0, lock.lock_file.try_acquire
        lock.lock_file.try_acquire = self

    def __call__(self, me):
        self.count += 1
        return self.try_acquire(me)


@pytest.mark.parametrize("content", list(ODD_LOCKS.values()), ids=list(ODD_LOCKS))
def test_an_odd_local_lock_file_is_no_trap_and_an_odd_held_one_is_a_clear_wait(tmp_path, content):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    (warehouse / "_lock").write_bytes(content)
    lock = WarehouseLock(warehouse, wait_seconds=5)
    assert acquire_within(lock) is None and lock.stale_owner is None  # nothing held it; no record to act on
    (warehouse / "_lock").write_bytes(content)  # tampered while a run holds it
    waiting = WarehouseLock(warehouse, wait_seconds=0.5)
    tries = CountingTries(waiting)
    error = acquire_within(waiting)
    assert isinstance(error, WarehouseBusy) and f"lock {warehouse / '_lock'}" in str(error), error
    assert "names no newsclean run" in str(error) or "names no run yet" in str(error), error
    assert tries.count < 50
    lock.release()


def test_a_lock_file_naming_a_live_process_that_holds_no_lock_is_no_trap(tmp_path):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record = {"pid": bystander.pid, "host": socket.gethostname(), "since": time.time(), "run_id": "r"}
        (warehouse / "_lock").write_text(json.dumps(record))
        with WarehouseLock(warehouse, wait_seconds=0) as lock:  # the kernel's lock is free: the record judges nothing
            assert lock.stale_owner == record  # ... and is handed on, as a killed run's
    finally:
        bystander.kill()
        bystander.wait()


def test_a_reused_pid_is_told_from_its_owner_by_its_start_time():
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        started = process_started(bystander.pid)
        record = {"pid": bystander.pid, "host": socket.gethostname(), "since": time.time()}
        assert not process_is_gone({**record, "started": started})  # the owner itself
        assert process_is_gone({**record, "started": started - 3600})  # an owner that ended; its pid went to this one
        assert not process_is_gone(record)  # an older record without a start time: its pid is all there is
    finally:
        bystander.kill()
        bystander.wait()
    assert process_is_gone({**record, "started": started})


@pytest.fixture
def s3_lock(s3_env):
    bucket = f"newsclean-{uuid.uuid4().hex[:12]}"
    s3_client().create_bucket(Bucket=bucket)
    return f"s3://{bucket}/wh", bucket, "wh/_lock"


@pytest.mark.parametrize("content", list(ODD_LOCKS.values()), ids=list(ODD_LOCKS))
def test_an_odd_s3_lock_is_taken_over_at_once(s3_lock, content):
    """A lock object is written whole by one PUT: content that is no owner record was never a newsclean lock."""
    warehouse, bucket, key = s3_lock
    s3_client().put_object(Bucket=bucket, Key=key, Body=content)
    lock = WarehouseLock(warehouse, wait_seconds=5)
    assert acquire_within(lock) is None and lock.stale_owner is None
    assert json.loads(s3_client().get_object(Bucket=bucket, Key=key)["Body"].read())["pid"] == os.getpid()
    lock.release()


def test_an_s3_lock_of_a_live_process_waits_and_one_whose_pid_was_reused_is_taken_over(s3_lock):
    warehouse, bucket, key = s3_lock
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record = {"pid": bystander.pid, "host": socket.gethostname(), "since": time.time(), "run_id": "r"}
        s3_client().put_object(Bucket=bucket, Key=key, Body=json.dumps({**record, "started": process_started(bystander.pid)}))
        waiting = WarehouseLock(warehouse, wait_seconds=0.5)
        tries = CountingTries(waiting)
        error = acquire_within(waiting)
        assert isinstance(error, WarehouseBusy) and f"process {bystander.pid} on {socket.gethostname()}, run r" in str(error)
        assert tries.count < 10
        reused = {**record, "started": process_started(bystander.pid) - 3600}  # its run ended; the pid is another's now
        s3_client().put_object(Bucket=bucket, Key=key, Body=json.dumps(reused))
        lock = WarehouseLock(warehouse, wait_seconds=0)
        assert acquire_within(lock) is None and lock.stale_owner == reused
        lock.release()
        assert s3_client().list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    finally:
        bystander.kill()
        bystander.wait()


def test_unlock_names_the_holder_of_a_held_local_lock_and_keeps_a_killed_runs_record(tmp_path, capsys):
    from flows.cli import main

    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    with WarehouseLock(warehouse, run={"run_id": "live"}):
        assert main(["unlock", "--warehouse", str(warehouse)]) == 2
        assert f"held by a live process (it names process {os.getpid()} on {socket.gethostname()}, run live" in capsys.readouterr().err
    killed = dead_owner()
    (warehouse / "_lock").write_text(json.dumps(killed))
    assert main(["unlock", "--warehouse", str(warehouse)]) == 0
    assert f"is free; it was left by process {killed['pid']}" in capsys.readouterr().out
    assert json.loads((warehouse / "_lock").read_text()) == killed  # the next run still cleans up after it


def test_unlock_removes_only_an_s3_lock_that_no_live_run_holds(s3_lock, capsys):
    from flows.cli import main

    warehouse, bucket, key = s3_lock
    live = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(), "started": process_started(os.getpid())}
    elsewhere = {"pid": 1, "host": "another-host", "since": time.time()}
    for owner, removed in ((live, False), (elsewhere, False), ({**live, "started": live["started"] - 3600}, True),
                           (dead_owner(), True)):
        s3_client().put_object(Bucket=bucket, Key=key, Body=json.dumps(owner))
        assert main(["unlock", "--warehouse", warehouse]) == (0 if removed else 2), capsys.readouterr()
        assert (s3_client().list_objects_v2(Bucket=bucket).get("KeyCount") == 0) == removed
    assert "newsclean unlock --force" in capsys.readouterr().err  # said of the other host's lock
    s3_client().put_object(Bucket=bucket, Key=key, Body=json.dumps(elsewhere))
    assert main(["unlock", "--warehouse", warehouse, "--force"]) == 0
    assert s3_client().list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    s3_client().put_object(Bucket=bucket, Key=key, Body=json.dumps(live))
    assert main(["unlock", "--warehouse", warehouse, "--force"]) == 2  # never a live run's on this host
