"""A stop sent to the run's whole process group, as Ctrl-C at a terminal, `timeout` and systemd's stop send it: the
real `newsclean run`, in its own session, signalled with killpg once it is cleaning. Its temporary Prefect server
is in a session of its own, so it serves the flow while the flow unwinds, and the CLI stops it on its way out."""
import os
import signal
import threading

import duckdb
import pytest

from newsclean import settings
from flows.flow import clean_articles

from ..conftest import SEEDS, lock_record, processes_left_after, run_cli, wait_for

pytestmark = pytest.mark.usefixtures("prefect_server")


def tables(warehouse):
    """The data tables as an analyst reads them (without the per-run columns), and the runs and reports."""
    read = lambda name, columns: duckdb.sql(  # noqa: E731
        f"select {columns} from read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true) order by all").fetchall()
    return {"articles": read("articles", "doc_id, body"), "removed_lines": read("removed_lines", "doc_id, line_no, rule"),
            "quarantine": read("quarantine", "doc_id"), "rejected": read("rejected", "doc_id")}


def run_ids(warehouse):
    return sorted(row[0] for row in duckdb.sql(f"select run_id from read_parquet('{warehouse}/runs/**/*.parquet')").fetchall())


@pytest.mark.parametrize("signum, exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_stop_to_the_process_group_unwinds_the_run_and_stops_its_server(tmp_path, signum, exit_code):
    warehouse, temp, home = tmp_path / "wh", tmp_path / "tmp", tmp_path / "home"
    temp.mkdir()
    clean_articles(source=str(SEEDS), warehouse=str(warehouse), ingest_date="2024-01-09")
    before, runs_before = tables(warehouse), run_ids(warehouse)
    run = run_cli(["run", str(SEEDS), "--warehouse", str(warehouse), "--ingest-date", "2024-01-09", "--reprocess"],
                  {"TMPDIR": str(temp)}, home)  # its own session: run.pid is its process group
    err_lines = []

    def read_stderr():
        for line in run.stderr:
            err_lines.append(line)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    # the progress display's first line ("newsclean: 0/5 documents"): the run is cleaning
    wait_for(lambda: any(line.startswith("newsclean: 0/") for line in list(err_lines)), process=run)
    os.killpg(run.pid, signum)
    run.wait(timeout=60)  # the server killed first made the flow retry a dead API for minutes
    reader.join(timeout=60)
    err = "".join(err_lines)
    assert run.returncode == exit_code, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert not processes_left_after(str(home), 15)  # the server, the workers: none left
    # the run stopped before its commit (nothing of it landed) or after it (it all landed): same tables either way
    assert tables(warehouse) == before and len(run_ids(warehouse)) - len(runs_before) in (0, 1)
    assert lock_record(warehouse) == b"" and not any(temp.glob("newsclean-spool-*"))
    assert not any((warehouse / settings.STAGING_DIR).glob("*.parquet"))
    assert sorted(path.name for path in (warehouse / settings.REPORTS_DIR).iterdir()) == run_ids(warehouse)
