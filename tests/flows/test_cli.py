"""The CLI as a user meets it: `newsclean clean`, clear one-line errors, and one real `newsclean run` subprocess."""
import json
import os
import signal
import subprocess
import sys
import time

import duckdb

from flows.cli import main

from ..conftest import ROOT, SEEDS, processes_left_after


def test_clean_prints_record_and_removed_lines(capsys):
    assert main(["clean", str(SEEDS / "003_d191d7bdab397dd8.txt")]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["section"] == "POLITICS & POLICY MAKING" and record["published_date"] == "2024-09-04"
    assert {"line_no": 7, "rule": "duplicate_title",
            "text": "US Vows Continued Support for Pakistan in Fight Against Terrorism Amid Rising Security Challenges"} in record["removed_lines"]
    assert record["body"][0].startswith("The United States has reaffirmed")


def test_missing_source_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_empty_source_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["run", str(tmp_path / "empty"), "--warehouse", str(tmp_path / "wh")]) == 2
    assert "holds no documents" in capsys.readouterr().err


def test_unwritable_warehouse_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "blocker").write_text("a file, not a folder")
    assert main(["run", str(SEEDS), "--warehouse", str(tmp_path / "blocker" / "wh")]) == 2
    assert "not writable" in capsys.readouterr().err


def test_bad_ingest_date_is_a_usage_error(tmp_path, capsys):
    try:
        main(["run", str(SEEDS), "--ingest-date", "22/11/2026"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_python_dash_m_flows_runs_the_flow(tmp_path):
    """The real entry point in its own process, with its own temporary Prefect server."""
    warehouse = tmp_path / "wh"
    # Prefect's debug log says whether the flow engine starts its heartbeat thread
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_LOGGING_LEVEL": "DEBUG"}
    env.pop("PREFECT_API_URL", None)  # not the test session's harness: a user's process starts its own server
    # Output to files, not pipes: a server left behind would hold a pipe open and hang the test instead of failing it.
    with open(tmp_path / "stdout", "w+") as stdout, open(tmp_path / "stderr", "w+") as stderr:
        done = subprocess.run([sys.executable, "-m", "flows", "run", "--warehouse", str(warehouse), "--ingest-date", "2026-01-02"],
                              cwd=ROOT, env=env, stdout=stdout, stderr=stderr, timeout=600)
    done.stdout, done.stderr = (tmp_path / "stdout").read_text(), (tmp_path / "stderr").read_text()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 documents, 0 unchanged -> 5 articles, 0 quarantine, 0 rejected" in done.stdout
    # The server the CLI started first served the flow (Prefect started none of its own), outlived the flow's last
    # log message, and went with the process.
    assert "Starting temporary server" not in done.stderr and "Error logging to API" not in done.stderr, done.stderr[-3000:]
    # No heartbeats to a server that dies with the process: the flow's end waited for the heartbeat thread's sleep.
    assert "Finished in state Completed" in done.stderr and "heartbeat context" not in done.stderr
    # Children that see their parent gone only as it ends (multiprocessing's resource tracker) may take a moment.
    left_behind = processes_left_after(env["PREFECT_HOME"], 10)
    for pid in left_behind:
        os.kill(pid, signal.SIGTERM)
    assert not left_behind
    rows = duckdb.sql(f"select count(*) from read_parquet('{warehouse}/articles/**/*.parquet', hive_partitioning=true) "
                      f"where ingest_date = '2026-01-02'").fetchall()
    assert rows == [(5,)]


def test_a_temporary_server_that_dies_is_reported_not_waited_for(monkeypatch):
    from flows import prefect_server

    monkeypatch.setattr(prefect_server.TemporaryServer, "_launch",
                        lambda self: subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"]))
    server = prefect_server.TemporaryServer()
    started = time.monotonic()
    assert server.wait_until_healthy(timeout=60) is False
    assert time.monotonic() - started < 30
    server.stop()  # a process that already ended: nothing to do, no error


def test_the_command_exits_with_mains_code(tmp_path):
    """`python -m flows` leaves through its last exit handler (no interpreter teardown) with main()'s exit code."""
    done = subprocess.run([sys.executable, "-m", "flows", "run", str(tmp_path / "missing")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = subprocess.run([sys.executable, "-m", "flows", "clean", str(SEEDS / sorted(os.listdir(SEEDS))[0])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)  # all of stdout flushed before the fast exit


def test_the_temporary_server_skips_block_registration_unless_the_user_set_it(monkeypatch):
    from flows import prefect_server

    launched, popen = [], subprocess.Popen

    def record(command, env, **options):  # what the server would be started with; a process that ends at once
        launched.append(env)
        return popen([sys.executable, "-c", "pass"])

    monkeypatch.setattr(subprocess, "Popen", record)
    monkeypatch.delenv("PREFECT_SERVER_REGISTER_BLOCKS_ON_START", raising=False)
    monkeypatch.setenv("PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION", "true")  # the user's, under Prefect's older name
    prefect_server.TemporaryServer().stop()
    assert launched[0]["PREFECT_SERVER_REGISTER_BLOCKS_ON_START"] == "false"
    assert launched[0]["PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION"] == "true"
    assert "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION" not in launched[0]


def test_a_server_started_ahead_is_stopped_when_prefect_names_an_api(monkeypatch):
    from flows import prefect_server

    monkeypatch.setattr(prefect_server.TemporaryServer, "_launch",
                        lambda self: subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]))
    server = prefect_server.TemporaryServer()
    monkeypatch.setattr(prefect_server, "needed", lambda: False)  # as with PREFECT_API_URL in the user's profile
    assert prefect_server.confirm(server) is None
    assert server.process.poll() is not None
