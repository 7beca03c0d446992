"""The CLI as a user meets it: `newsclean clean`, clear one-line errors, and one real `newsclean run` subprocess."""
import json
import os
import subprocess
import sys

import duckdb

from flows.cli import main

from .conftest import ROOT, SEEDS


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
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)  # not the test session's harness: a user's process starts its own server
    done = subprocess.run([sys.executable, "-m", "flows", "run", "--warehouse", str(warehouse), "--ingest-date", "2026-01-02"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 documents, 0 unchanged -> 5 articles, 0 quarantine, 0 rejected" in done.stdout
    rows = duckdb.sql(f"select count(*) from read_parquet('{warehouse}/articles/**/*.parquet', hive_partitioning=true) "
                      f"where ingest_date = '2026-01-02'").fetchall()
    assert rows == [(5,)]
