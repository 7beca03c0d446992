"""Prefect's temporary local server for a CLI run, started as the run's first step.

Without PREFECT_API_URL, a flow starts Prefect's temporary server at its first API call (SubprocessASGIServer), after
the CLI process has imported Prefect's server modules: the server's own start, the longest part of a small run's
start-up, then begins late. Here the CLI starts the same server (the same uvicorn command and environment as
Prefect's) as its first step, before importing Prefect itself, so that the server's start overlaps the CLI's imports
on the other core, and points the flow at it (PREFECT_API_URL for the run). Whether a server is needed at all is only known once Prefect has read its
settings (a profile may name an API): `confirm()` then stops a server the run does not need. If it does not come up,
it is stopped and the flow starts Prefect's own server as usual, which then reports what went wrong.

Unlike Prefect's, it skips the block-type registration at start-up (its memo check alone imports every installed
Prefect collection: prefect-dask, then Dask's `distributed`): a run of this flow uses no blocks, and a server
the user starts (`prefect server start`) registers them as usual. The user's own setting in the environment wins.
"""
from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

PORT_IN_USE_EXIT_CODE = 3  # uvicorn's exit code when the port is taken (a race with another process): try another
HEALTH_POLL_SECONDS = 0.1
# Block-type registration off for this server (see the module's docstring): both settings, since the memo check runs
# first; each under every name Prefect reads it by, so that one the user set in the environment is left alone.
SKIPPED_AT_START = {
    ("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", "PREFECT_API_BLOCKS_REGISTER_ON_START"): "false",
    ("PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION", "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION"): "false",
}


# The server's process runs uvicorn as `python -m uvicorn` would, after asking Linux to stop it (SIGTERM) when the
# thread that started it ends: a CLI killed outright (SIGKILL, the OOM killer) runs no exit handler, and the server
# would serve nobody for good. Where prctl is missing (not Linux) the CLI's exit handlers are all there is.
_WITH_PARENT = """
import ctypes, os, runpy, signal, sys
parent = int(sys.argv.pop(1))
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != parent:  # the CLI was gone before prctl
    sys.exit(0)
sys.argv[0] = "uvicorn"
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""


def needed() -> bool:
    """The flow would start a temporary server: no API configured (environment or Prefect profile), ephemeral on."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    return not PREFECT_API_URL.value() and bool(PREFECT_SERVER_EPHEMERAL_ENABLED.value())


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryServer:
    """One uvicorn process serving Prefect's API on a free loopback port, with the UI and services off."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = self._launch()
        # Stopped at exit, as Prefect stops its own: exit handlers run last-registered first, so Prefect's log and
        # event workers (started later, by the flow) send what they hold before the server goes. The process does not
        # wait for its shutdown: nothing is left to send, and the server ends by itself.
        atexit.register(self.stop, wait=False)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen:
        # find_spec locates Prefect without importing it. The server reads Prefect's settings as this process would
        # (the same environment, working directory and PREFECT_HOME profile): nothing to pass on but its own flags.
        prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
        skipped = {names[0]: value for names, value in SKIPPED_AT_START.items() if not any(name in os.environ for name in names)}
        environment = {
            **os.environ,
            **skipped,
            # What Prefect's SubprocessASGIServer sets: no UI, an ephemeral app (no background services).
            "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
        }
        command = [sys.executable, "-c", _WITH_PARENT, str(os.getpid()), "--app-dir", str(prefect_dir.parent), "--factory",
                   "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                   "--log-level", "error", "--lifespan", "on"]
        # Its own session: Ctrl-C at a terminal, `timeout` and systemd's stop signal the CLI's whole process group,
        # and the server must outlive the flow's unwinding (which reports to it); the CLI stops it at exit. Its
        # stderr is not the run's: stopped at exit, it may log a connection's rollback after the run's last line (a
        # server that fails to start is replaced by Prefect's own, which says why).
        return subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def wait_until_healthy(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == PORT_IN_USE_EXIT_CODE:
                self.port = _free_port()
                self.process = self._launch()
            elif code is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(HEALTH_POLL_SECONDS)
        return False

    def stop(self, wait: bool = True) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            if not wait:
                return
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start() -> TemporaryServer | None:
    """A temporary server starting now, unless the environment names Prefect's API (confirm() checks the rest)."""
    from newsclean import settings

    settings.apply_prefect_environment()  # before Prefect reads its settings, here and in the server
    return None if os.environ.get("PREFECT_API_URL") else TemporaryServer()


def confirm(server: TemporaryServer | None) -> TemporaryServer | None:
    """The server, if the flow would otherwise start one (Prefect imported now); else it is stopped: None."""
    if server is not None and not needed():
        server.stop()
        return None
    return server
