"""Scheduled runs and deployments end to end, as an operator runs them (README, "Schedules"): a real `prefect server
start` on a free loopback port with its own PREFECT_HOME, started here; `newsclean serve` on a one-minute cron, whose
runs the server's scheduler creates; a backfill as a run of the same deployment; prefect.yaml through a process work
pool and `prefect worker start --run-once`. The default workers throughout (worker processes, not workers=0)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from ..conftest import ROOT, SEEDS, processes_left_after

pytestmark = [pytest.mark.slow, pytest.mark.integration]

BIN = Path(sys.executable).parent
SERVER_START_SECONDS = 240  # a first start migrates the database: 10-40 s here, more on a busy machine
RUN_SECONDS = 240  # a one-minute cron's next run, plus the run itself on a busy machine
BACKFILL_DATE, OTHER_DATE = "2026-11-02", "2026-11-03"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """SIGTERM to the process's whole group (it was started in its own session), SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(seconds)
        except ProcessLookupError:
            pass


def _kill_left_behind(prefect_home: Path, server_session: int | None = None) -> None:
    """Any process still running with this test's PREFECT_HOME (a flow run or worker process orphaned), but the
    server's own (its session): killed by pid."""
    deadline = time.monotonic() + 10
    while True:
        left = []
        for pid in processes_left_after(str(prefect_home), seconds=0):
            try:
                if os.getsid(pid) != server_session:
                    left.append(pid)
            except ProcessLookupError:
                pass
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@dataclass
class ApiServer:
    api_url: str
    home: Path
    logs: Path
    session: int | None = None  # the server process's session (it leads it)

    def environment(self, **extra: str) -> dict[str, str]:
        """A child's environment: this server's API and PREFECT_HOME, the default workers, no network."""
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("PREFECT_") and name != "NEWSCLEAN_WORKERS"}
        env.update(PREFECT_HOME=str(self.home), PREFECT_API_URL=self.api_url, PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_CLI_PROMPT="false", **extra)
        return env

    def spawn(self, args: list[str], cwd: Path, log_name: str, **env: str) -> subprocess.Popen:
        log = open(self.logs / log_name, "ab")  # a file, not a pipe: nothing blocks on a full pipe
        return subprocess.Popen(args, cwd=cwd, env=self.environment(**env), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def command(self, args: list[str], cwd: Path, log_name: str, timeout: float, **env: str) -> str:
        process = self.spawn(args, cwd, log_name, **env)
        try:
            code = process.wait(timeout)
        finally:
            _stop(process)  # its process group; what it leaves elsewhere goes at the fixtures' teardown
        output = (self.logs / log_name).read_text(errors="replace")
        assert code == 0, f"{args} exited {code}:\n{output[-3000:]}"
        return output

    def client(self):
        from prefect.client.orchestration import SyncPrefectClient

        return SyncPrefectClient(self.api_url)


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    """`prefect server start` for this module, as an operator starts it, with the scheduler's loop shortened."""
    home, logs = tmp_path_factory.mktemp("prefect-home"), tmp_path_factory.mktemp("logs")
    port = _free_port()
    server = ApiServer(f"http://127.0.0.1:{port}/api", home, logs)
    process = server.spawn([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                           cwd=home, log_name="server.log", PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5")
    server.session = process.pid
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            assert process.poll() is None, (logs / "server.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{server.api_url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the Prefect server did not come up:\n" + (logs / "server.log").read_text()[-3000:]
            time.sleep(1)
        yield server
    finally:
        _stop(process)
        _kill_left_behind(home)
    server_log = (logs / "server.log").read_text(errors="replace")
    assert "Can't evaluate bulk DML statement" not in server_log, server_log[-3000:]


def _wait_for_runs(server: ApiServer, deployment_id, count: int, timeout: float, **filters) -> list:
    """The deployment's first `count` flow runs (by expected start) once all of them are final; fails past `timeout`."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, FlowRunFilter
    from prefect.client.schemas.sorting import FlowRunSort

    deadline = time.monotonic() + timeout
    with server.client() as client:
        while True:
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                                         flow_run_filter=FlowRunFilter(**filters), sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                                         limit=50)
            started = [run for run in runs if run.state and not run.state.is_scheduled()]
            if len(started) >= count and all(run.state.is_final() for run in started[:count]):
                return started[:count]
            assert time.monotonic() < deadline, f"{count} runs not final in {timeout} s: {[(r.name, r.state) for r in runs[:5]]}"
            time.sleep(2)


def _runs_rows(warehouse: Path) -> dict[str, dict]:
    return {row["run_id"]: row for row in ds.dataset(warehouse / "runs", partitioning="hive").to_table().to_pylist()}


def _artifact_table(client, flow_run_id) -> dict[str, int]:
    import json

    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterType

    artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                                                                      type=ArtifactFilterType(any_=["table"])))
    (artifact,) = artifacts
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    return {row["measure"]: row["value"] for row in rows}


class TestServedDeployment:
    """`newsclean serve SRC --warehouse WH --cron '* * * * *'`, relative paths, run from an operator's folder."""

    @pytest.fixture(scope="class")
    @classmethod
    def served(cls, api_server, tmp_path_factory):
        folder = tmp_path_factory.mktemp("operator")
        source = folder / "src"
        for index, seed in enumerate(SEED_FILES):  # two dates of a crawler's drops, one file outside them
            date_folder = source / (BACKFILL_DATE if index < 2 else OTHER_DATE if index < 4 else "")
            date_folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(seed, date_folder / seed.name)
        process = api_server.spawn([str(BIN / "newsclean"), "serve", "src", "--warehouse", "wh", "--cron", "* * * * *"],
                                   cwd=folder, log_name="serve.log", PREFECT_RUNNER_POLL_FREQUENCY="2")
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            with api_server.client() as client:
                while True:
                    assert process.poll() is None, (api_server.logs / "serve.log").read_text()[-3000:]
                    try:
                        deployment = client.read_deployment_by_name("clean_articles/daily")
                        break
                    except Exception:  # not registered yet
                        assert time.monotonic() < deadline, (api_server.logs / "serve.log").read_text()[-3000:]
                        time.sleep(1)
            yield deployment, folder
        finally:
            _stop(process)
            _kill_left_behind(api_server.home, api_server.session)

    def test_the_schedulers_runs_complete_and_the_second_is_incremental(self, api_server, served):
        deployment, folder = served
        assert deployment.entrypoint == "flows.flow.clean_articles"  # a module path, not flows/flow.py:...
        assert deployment.parameters["warehouse"] == str(folder / "wh")  # made absolute when served
        first, second = _wait_for_runs(api_server, deployment.id, 2, RUN_SECONDS)
        log = (api_server.logs / "serve.log").read_text(errors="replace")
        for run in (first, second):
            assert run.auto_scheduled, run  # created by the server's scheduler, not by this test
            assert run.state.is_completed(), f"{run.name}: {run.state}\n{log[-4000:]}"
            assert "mode:incremental" in run.tags
        # the default workers: shards went to worker processes (a file-path entrypoint broke their imports)
        assert f"{os.cpu_count() or 1} at once" in log and "ConnectionResetError" not in log and "ImportError" not in log
        rows = _runs_rows(folder / "wh")
        first_row, second_row = rows[str(first.id)], rows[str(second.id)]
        assert (first_row["documents_in"], first_row["documents_skipped"], first_row["articles_out"]) == (5, 0, 5)
        assert (second_row["documents_in"], second_row["documents_skipped"], second_row["articles_out"]) == (5, 5, 0)
        report = Path(first_row["data_docs"])
        assert report.is_absolute() and report.is_file() and report.is_relative_to(folder / "wh")
        assert {f"ingest_date:{BACKFILL_DATE}", f"ingest_date:{OTHER_DATE}"} <= set(first.tags)
        assert not any(tag.startswith("ingest_date:") for tag in second.tags)  # it wrote no data partition
        assert second.state.message.startswith("5 documents in, 5 unchanged: 0 articles")
        with api_server.client() as client:
            counts = _artifact_table(client, second.id)
        assert (counts["documents in"], counts["unchanged (skipped)"], counts["articles"]) == (5, 5, 0)

    def test_a_backfill_run_of_the_deployment_rewrites_its_dates(self, api_server, served):
        deployment, folder = served
        warehouse = folder / "wh"
        _wait_for_runs(api_server, deployment.id, 1, RUN_SECONDS)  # the first scheduled run has filled the warehouse
        partition = warehouse / "articles" / f"ingest_date={BACKFILL_DATE}" / "part-0.parquet"
        other = warehouse / "articles" / f"ingest_date={OTHER_DATE}" / "part-0.parquet"
        other_before = other.read_bytes()
        # the README's command (it creates the run with create_flow_run_from_deployment); the serving process runs it
        started = api_server.command([str(BIN / "prefect"), "deployment", "run", "clean_articles/daily", "-p", "mode=backfill",
                                      "-p", f"start={BACKFILL_DATE}", "-p", f"end={OTHER_DATE}"], folder, "backfill.log", 120)
        backfill_id = started.split("UUID:", 1)[1].split()[0]
        from prefect.client.schemas.filters import FlowRunFilterId

        (run,) = _wait_for_runs(api_server, deployment.id, 1, RUN_SECONDS, id=FlowRunFilterId(any_=[backfill_id]))
        assert run.state.is_completed(), f"{run.state}\n{(api_server.logs / 'serve.log').read_text()[-4000:]}"
        assert {"mode:backfill", f"ingest_date:{BACKFILL_DATE}"} <= set(run.tags)
        assert set(pq.read_table(partition, columns=["run_id"])["run_id"].to_pylist()) == {str(run.id)}
        assert other.read_bytes() == other_before  # outside the range: untouched
        row = _runs_rows(warehouse)[str(run.id)]
        assert (row["mode"], row["articles_out"]) == ("backfill", 2)


def test_the_prefect_yaml_deployment_runs_on_a_process_worker(api_server, tmp_path):
    """prefect.yaml as written, from a checkout-like folder (NEWSCLEAN_HOME) holding its relative `seeds`."""
    home = tmp_path / "checkout"
    home.mkdir()
    shutil.copy(ROOT / "prefect.yaml", home / "prefect.yaml")
    shutil.copytree(SEEDS, home / "seeds")
    env = {"NEWSCLEAN_HOME": str(home)}
    prefect = str(BIN / "prefect")
    api_server.command([prefect, "work-pool", "create", "newsclean", "--type", "process"], home, "pool.log", 120, **env)
    api_server.command([prefect, "deploy", "--all"], home, "deploy.log", 300, **env)
    started = api_server.command([prefect, "deployment", "run", "clean_articles/daily"], home, "trigger.log", 120, **env)
    run_id = started.split("UUID:", 1)[1].split()[0]
    api_server.command([prefect, "worker", "start", "--pool", "newsclean", "--run-once"], home, "worker.log", 600, **env)
    with api_server.client() as client:
        run = client.read_flow_run(run_id)
    worker_log = (api_server.logs / "worker.log").read_text(errors="replace")
    assert run.state.is_completed(), f"{run.state}\n{worker_log[-4000:]}"
    assert run.tags and "mode:incremental" in run.tags
    row = _runs_rows(home / "warehouse")[run_id]
    assert (row["documents_in"], row["articles_out"], row["source"]) == (5, 5, str(home / "seeds"))
    assert Path(row["data_docs"]).is_file() and Path(row["data_docs"]).is_absolute()
