from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsclean import settings

settings.apply_prefect_environment()

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = Path(__file__).resolve().parent / "fixtures" / "seeds-gold.jsonl"


def processes_with_prefect_home(prefect_home: str) -> list[int]:
    """Processes still running with this PREFECT_HOME in their environment (a server left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and f"PREFECT_HOME={prefect_home}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile, or not ours to read
    return found


def processes_left_after(prefect_home: str, seconds: float) -> list[int]:
    """The processes with this PREFECT_HOME still running after up to `seconds`: children that see their parent gone
    only as it ends (the server's death signal, multiprocessing's resource tracker) may take a moment."""
    deadline = time.monotonic() + seconds
    while (left := processes_with_prefect_home(prefect_home)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def run_cli(args, env_extra=None, home=None, checkpoint=None, **kwargs) -> subprocess.Popen:
    """A `newsclean` command in its own process (and session: the tests signal it), with its own PREFECT_HOME.
    `checkpoint` (folder, "stage" or "publish", n): the run waits in its commit before the n-th file it stages or puts
    in place, after writing folder/reached, until folder/go exists (tests/checkpointed_cli.py)."""
    env = {**os.environ, "PREFECT_HOME": str(home), **(env_extra or {})}
    env.pop("PREFECT_API_URL", None)  # each process starts its own temporary server, as a user's would
    command = ["-m", "flows"] if checkpoint is None else ["-m", "tests.checkpointed_cli", *map(str, checkpoint)]
    return subprocess.Popen([sys.executable, *command, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_signals_as_a_terminal_leaves_them, **kwargs)


def _signals_as_a_terminal_leaves_them() -> None:
    """Ctrl-C at its default and unblocked, as a shell starts a command: an ignored or blocked SIGINT is inherited
    across exec, and the test process's own (whatever a library or an earlier test left) must not reach the CLI."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def wait_for(condition, timeout=180, process=None):
    """Poll until `condition()` holds; fails after `timeout` s, or as soon as `process` has ended."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the run never got there"
        assert process is None or process.poll() is None, f"the run ended first: {process.communicate()}"
        time.sleep(0.05)


def lock_record(warehouse) -> bytes:
    """What a local warehouse's lock file holds: empty when no run holds it or left it (a killed run's record)."""
    path = Path(warehouse) / "_lock"
    return path.read_bytes() if path.exists() else b""


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the whole session: each start costs 10-25 s here."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def make_source(tmp_path):
    """A source folder built from {relative path: text or bytes}."""

    def build(files: dict[str, str | bytes], name: str = "source") -> Path:
        root = tmp_path / name
        root.mkdir()
        for relpath, content in files.items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return build


FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "newsclean-test", "AWS_SECRET_ACCESS_KEY": "newsclean-test-secret",
                    "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def moto_endpoint():
    """One moto S3 server for the session (warehouse and source tests), on loopback and a free port."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the server logs every request at INFO
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_environment(endpoint):
    """The AWS environment a user would set, pointing at `endpoint` (fake credentials, no ~/.aws files)."""
    return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


@pytest.fixture
def s3_env(moto_endpoint, monkeypatch):
    """This test's environment points at the moto server, as a user's AWS environment would; returns its endpoint."""
    for name, value in s3_environment(moto_endpoint).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


# Markers (CI runs everything; `pytest -m "not slow"` is the quick loop while developing). `integration`: the test runs
# the product against a real server (the session's Prefect server, moto's S3, a Dask cluster, a Prefect server of its
# own) or the CLI in a process of its own. `slow`: modules whose tests take tens of seconds to minutes.
INTEGRATION_MODULES = {"test_cli", "test_execution", "test_hostile", "test_inputs", "test_lock", "test_odd_sources",
                       "test_operator", "test_process_group", "test_run_errors", "test_s3_warehouse",
                       "test_schedules_e2e", "test_spool", "test_warehouse"}
SLOW_MODULES = {"test_cli", "test_execution", "test_hostile", "test_lock", "test_odd_sources", "test_process_group",
                "test_s3_warehouse", "test_schedules_e2e", "test_warehouse"}


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rpartition(".")[2]
        if module in INTEGRATION_MODULES or {"prefect_server", "moto_endpoint"} & set(item.fixturenames):
            item.add_marker(pytest.mark.integration)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
