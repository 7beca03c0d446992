"""A full disk and a read-only warehouse, on a real tmpfs: a clear one-line error, exit code 2, the tables as they were."""
import hashlib
import subprocess
import uuid

import pytest

from flows.cli import main

from ..conftest import SEEDS

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def tables_fingerprint(warehouse):
    """Every Parquet file of every table, by content: 'intact' means byte for byte."""
    return {str(path.relative_to(warehouse)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(warehouse.glob("**/*.parquet"))
            if not path.relative_to(warehouse).parts[0].startswith("_")}


def run(warehouse):
    return main(["run", str(SEEDS), "--warehouse", str(warehouse), "--ingest-date", "2026-11-20", "--reprocess"])


def fill(disk):
    """Fill the disk to the last block. Unbuffered: a buffered file's close would flush its last part onto the full
    disk and raise, depending on how many bytes the warehouse happened to leave free."""
    with open(disk / f"filler-{uuid.uuid4().hex}", "wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
        except OSError:
            pass


def test_disk_full_fails_clearly_and_leaves_the_tables(small_disk, capsys):
    warehouse = small_disk / "wh"
    assert run(warehouse) == 0
    before = tables_fingerprint(warehouse)
    assert len(before) == 6
    capsys.readouterr()
    fill(small_disk)
    assert run(warehouse) == 2
    last_line = capsys.readouterr().err.strip().splitlines()[-1]  # above it: Prefect's own log of the failed task
    # the report is built in scratch (TMPDIR): the first write on the full disk is the lock's, or a staged file's
    assert last_line.startswith(("newsclean: error: cannot lock", "newsclean: error: cannot write")), last_line
    assert "No space left on device" in last_line, last_line
    assert tables_fingerprint(warehouse) == before
    assert list((warehouse / "_staging").iterdir()) == []
    assert len(list((warehouse / "_reports").iterdir())) == 1  # the first run's: the failed one left none


def test_read_only_warehouse_fails_clearly_and_leaves_the_tables(small_disk, capsys):
    warehouse = small_disk / "wh"
    assert run(warehouse) == 0
    before = tables_fingerprint(warehouse)
    capsys.readouterr()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    assert run(warehouse) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not writable" in err and "Read-only file system" in err, err  # before any work
    assert tables_fingerprint(warehouse) == before
