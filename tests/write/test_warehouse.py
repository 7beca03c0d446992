"""The warehouse's guarantees against real Parquet on disk and real Prefect flow runs: idempotent and incremental runs,
date folders, backfills that rewrite only their range, duplicates, the writer lock, SIGKILL mid-run, the schema."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import duckdb
import pyarrow.dataset as pads
import pytest
import yaml

from newsclean import schema, settings
from flows.flow import clean_articles
from newsclean.write.lock import WarehouseBusy, WarehouseLock
from newsclean.write.stats import format_stats, warehouse_stats
from newsclean.write.commit import partition_path

from ..checkpointed_cli import GO, REACHED
from ..conftest import ROOT, SEEDS, lock_record, processes_left_after, processes_with_prefect_home, run_cli, wait_for

ARTICLES = {path.name: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
NAMES = sorted(ARTICLES)


def sql(query):
    return duckdb.sql(query).fetchall()


def table(warehouse, name):
    return f"read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true)"


def partition_files(warehouse):
    """Every data file and its modification time: a partition that was not rewritten keeps its time."""
    return {str(p.relative_to(warehouse)): p.stat().st_mtime_ns for p in sorted(warehouse.glob("*/*/*.parquet"))
            if not p.relative_to(warehouse).parts[0].startswith("_")}


def everything(warehouse):
    """The analyst's view of the data tables (without run ids and times, which differ between runs)."""
    return {
        "articles": sql(f"select doc_id, body, title, duplicate_of, cast(ingest_date as varchar) from {table(warehouse, 'articles')} order by doc_id"),
        "quarantine": sql(f"select doc_id, failed_checks from {table(warehouse, 'quarantine')} order by doc_id"),
        "rejected": sql(f"select doc_id, reason from {table(warehouse, 'rejected')} order by doc_id"),
        "removed_lines": sql(f"select doc_id, line_no, rule from {table(warehouse, 'removed_lines')} order by all"),
    }


@pytest.fixture
def landing(tmp_path):
    """A crawler's landing folder: two daily drops (both date-folder spellings) and a loose file."""
    root = tmp_path / "landing"
    for folder, names in (("2024-01-01", NAMES[:2]), ("dt=2024-01-02", NAMES[2:4]), ("", NAMES[4:])):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for name in names:
            (root / folder / name).write_text(ARTICLES[name], encoding="utf-8")
    return root


pytestmark = pytest.mark.usefixtures("prefect_server")


def test_date_folders_set_partitions_and_a_second_run_finds_nothing_new(landing, tmp_path):
    warehouse = tmp_path / "wh"
    first = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    assert sql(f"select cast(ingest_date as varchar), count(*) from {table(warehouse, 'articles')} group by 1 order by 1") == [
        ("2024-01-01", 2), ("2024-01-02", 2), ("2024-01-09", 1)]
    before, files = everything(warehouse), partition_files(warehouse)
    second = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    assert (second["documents_in"], second["documents_skipped"], second["articles_out"]) == (5, 5, 0)
    assert everything(warehouse) == before
    changed = {path for path, mtime in partition_files(warehouse).items() if files.get(path) != mtime}
    assert changed == {"runs/ingest_date=2024-01-09/part-0.parquet"}  # no data partition was written
    runs = sql(f"select run_id, mode, documents_skipped from {table(warehouse, 'runs')} order by started_at")
    assert runs == [(first["run_id"], "incremental", 0), (second["run_id"], "incremental", 5)]


def test_reprocessing_the_same_input_gives_the_same_tables(landing, tmp_path):
    warehouse = tmp_path / "wh"
    (landing / "2024-01-01" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)  # rejected: rows of every table
    (landing / "empty.txt").write_text("", encoding="utf-8")  # quarantine
    first = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    assert (first["quarantine_out"], first["rejected_out"]) == (1, 1)
    before = everything(warehouse)
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09", mode="reprocess")
    assert everything(warehouse) == before


def test_a_changed_file_is_processed_again_and_replaces_its_rows(landing, tmp_path):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    changed = landing / "2024-01-01" / NAMES[0]
    changed.write_text(ARTICLES[NAMES[0]] + "\nA late paragraph added by the editors, after the article was first published online.\n",
                       encoding="utf-8")
    summary = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    assert (summary["documents_skipped"], summary["articles_out"]) == (4, 1)
    bodies = sql(f"select body from {table(warehouse, 'articles')} where source_uri = '{changed}'")
    assert len(bodies) == 1 and bodies[0][0].endswith("after the article was first published online.")


def test_backfill_rewrites_exactly_its_range_and_keeps_later_memory(landing, tmp_path):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    files = partition_files(warehouse)
    state_before = {row["source_uri"]: row for row in pads.dataset(warehouse / "_state").to_table().to_pylist()}
    (landing / "2024-01-01" / NAMES[1]).unlink()  # gone from raw: its rows must go too
    summary = clean_articles(source=str(landing), warehouse=str(warehouse), mode="backfill", start="2024-01-01", end="2024-01-02")
    assert (summary["mode"], summary["articles_out"]) == ("backfill", 1)
    assert sql(f"select cast(ingest_date as varchar), count(*) from {table(warehouse, 'articles')} group by 1 order by 1") == [
        ("2024-01-01", 1), ("2024-01-02", 2), ("2024-01-09", 1)]
    changed = {path.split("/")[1] for path, mtime in partition_files(warehouse).items() if files.get(path) != mtime and not path.startswith("runs/")}
    assert changed == {"ingest_date=2024-01-01"}
    state_after = {row["source_uri"]: row for row in pads.dataset(warehouse / "_state").to_table().to_pylist()}
    later = {uri for uri, row in state_before.items() if row["ingest_date"] != "2024-01-01"}
    assert all(state_after[uri] == state_before[uri] for uri in later)
    assert str(landing / "2024-01-01" / NAMES[1]) not in state_after


def data_partition_dates(warehouse):
    return {path.parent.name.split("=", 1)[1] for table_name in schema.TABLES if table_name != "runs"
            for path in (warehouse / table_name).glob("ingest_date=*/*.parquet")}


def test_a_wide_backfill_writes_only_the_dates_that_hold_documents_and_empties_those_that_no_longer_do(landing, tmp_path):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    assert data_partition_dates(warehouse) == {"2024-01-01", "2024-01-02", "2024-01-09"}
    for path in (landing / "dt=2024-01-02").iterdir():  # a whole day gone from raw: its rows must go too
        path.unlink()
    (landing / NAMES[4]).unlink()  # and the loose file: the run's own date holds no document
    summary = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2030-01-01", mode="backfill",
                             start="2000-01-01", end="2100-01-01")
    assert (summary["documents_in"], summary["articles_out"]) == (2, 2)
    assert data_partition_dates(warehouse) == {"2024-01-01", "2024-01-02", "2024-01-09"}  # no file for any other date
    assert sorted(path.parent.name for path in (warehouse / "runs").glob("*/*.parquet")) == [
        "ingest_date=2024-01-09", "ingest_date=2030-01-01"]
    assert sql(f"select cast(ingest_date as varchar), count(*) from {table(warehouse, 'articles')} group by 1 order by 1") == [
        ("2024-01-01", 2)]
    assert sql(f"select count(*) from {table(warehouse, 'removed_lines')} where ingest_date <> '2024-01-01'") == [(0,)]
    state = pads.dataset(warehouse / "_state").to_table().to_pylist()
    assert sorted(row["ingest_date"] for row in state) == ["2024-01-01", "2024-01-01"]


def test_a_backfill_into_a_new_warehouse_writes_no_file_for_its_own_date(landing, tmp_path):
    warehouse = tmp_path / "wh"
    (landing / NAMES[4]).unlink()
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2030-01-01", mode="backfill",
                   start="2000-01-01", end="2100-01-01")
    assert data_partition_dates(warehouse) == {"2024-01-01", "2024-01-02"}
    for table_name in schema.TABLES:  # every table is there, with its schema, for readers
        assert pads.dataset(warehouse / table_name, partitioning="hive").schema.names


def test_the_same_body_twice_is_marked_not_dropped(tmp_path):
    source = tmp_path / "crawl"
    for folder in ("2024-03-01", "2024-03-02"):
        (source / folder).mkdir(parents=True)
        (source / folder / "story.txt").write_text(ARTICLES[NAMES[4]], encoding="utf-8")  # another day, same article
    warehouse = tmp_path / "wh"
    clean_articles(source=str(source), warehouse=str(warehouse))
    rows = sql(f"select doc_id, duplicate_of, cast(ingest_date as varchar) from {table(warehouse, 'articles')} order by ingest_date")
    assert len(rows) == 2 and rows[0][1] is None and rows[1][1] == rows[0][0]
    (source / "2024-03-03").mkdir()
    (source / "2024-03-03" / "again.txt").write_text(ARTICLES[NAMES[4]], encoding="utf-8")  # and a later run
    clean_articles(source=str(source), warehouse=str(warehouse))
    assert sql(f"select duplicate_of from {table(warehouse, 'articles')} where ingest_date = '2024-03-03'") == [(rows[0][0],)]


def test_a_stale_lock_is_taken_over_and_a_live_one_makes_the_second_writer_wait_or_fail(tmp_path):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (warehouse / "_lock").write_text(json.dumps({"pid": int(dead.stdout), "host": os.uname().nodename, "since": time.time()}))
    with WarehouseLock(warehouse, wait_seconds=1):  # the dead run's lock is no trap
        with pytest.raises(WarehouseBusy, match=f"process {os.getpid()}"):
            WarehouseLock(warehouse, wait_seconds=0.5).acquire()
    assert lock_record(warehouse) == b""  # let go: the next writer finds no record


def test_the_writer_taking_over_a_killed_commit_removes_its_report_if_its_run_never_landed(landing, tmp_path):
    warehouse = tmp_path / "wh"
    landed = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    for run_id in ("cut-short", landed["run_id"]):  # the second: a landed run whose lock was left (killed at its end)
        (warehouse / "_reports" / run_id).mkdir(exist_ok=True)
        (warehouse / "_reports" / run_id / "index.html").write_text("<html></html>")
        (warehouse / "_lock").write_text(json.dumps({"pid": int(dead.stdout), "host": os.uname().nodename,
                                                     "since": time.time(), "run_id": run_id, "run_partition": "2024-01-09"}))
        clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    assert _reports(warehouse) == [landed["run_id"]]  # the later runs had nothing new to validate: no report


def test_two_concurrent_runs_neither_corrupt_nor_duplicate(landing, tmp_path):
    warehouse = tmp_path / "wh"
    runs = [run_cli(["run", str(landing), "--warehouse", str(warehouse), "--ingest-date", "2024-01-09", "--reprocess"],
                    home=tmp_path / f"home{n}") for n in range(2)]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    assert sql(f"select count(*), count(distinct doc_id) from {table(warehouse, 'articles')}") == [(5, 5)]
    assert sql(f"select count(*) from {table(warehouse, 'runs')}") == [(2,)]
    assert lock_record(warehouse) == b""


@pytest.mark.parametrize("moment", ["while processing", "after staging", "between renames"])
def test_sigkill_at_any_moment_leaves_readable_tables_and_a_clean_rerun(landing, tmp_path, moment):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    before = everything(warehouse)
    for name, word in zip(NAMES, ("harbour", "schools", "budget", "rail", "housing")):  # every document changes
        for path in landing.rglob(name):
            update = f"\nUpdate on the {word} story: the council published its response later in the day.\n"  # unique per article
            path.write_text(path.read_text(encoding="utf-8") + update, encoding="utf-8")
    # after staging: every file staged, none in place; between renames: the report and one partition in place
    checkpoint = {"while processing": None, "after staging": (tmp_path / "at", "publish", 1),
                  "between renames": (tmp_path / "at", "publish", 3)}[moment]
    temp = tmp_path / "tmp"
    temp.mkdir()
    run = run_cli(["run", str(landing), "--warehouse", str(warehouse), "--ingest-date", "2024-01-09"],
                  {"NEWSCLEAN_DOCUMENT_TIMEOUT": "600", "TMPDIR": str(temp)}, tmp_path / "home", checkpoint=checkpoint)
    staging = warehouse / settings.STAGING_DIR
    if moment == "while processing":  # validating: its report is being built in its spool
        wait_for(lambda: any(spool_report.exists() for spool_report in temp.glob("newsclean-spool-*/report")), process=run)
    else:
        wait_for((tmp_path / "at" / REACHED).exists, process=run)
    os.killpg(run.pid, signal.SIGKILL)  # the whole run, its server and workers too, as the OOM killer or a node loss would
    run.communicate(timeout=60)
    after_kill = everything(warehouse)  # every reader sees whole files: pyarrow and DuckDB both read every table
    for name in schema.TABLES:
        pads.dataset(warehouse / name, partitioning="hive").to_table()
    for name, rows in after_kill.items():
        assert len(rows) == len(before[name]), name  # each partition is the old or the new version, never a mix
    assert lock_record(warehouse) or moment == "while processing"  # the killed run's record, left behind ...
    if moment == "while processing":
        assert _reports(warehouse) == _run_ids(warehouse)  # no report of the killed run: it never reached its commit
    summary = clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")  # ... and no trap
    assert summary["articles_out"] + summary["documents_skipped"] == 5
    final = everything(warehouse)
    assert all(body.endswith("published its response later in the day.") for _, body, *_ in final["articles"])
    assert len(final["articles"]) == 5 and not any(staging.iterdir())
    assert _reports(warehouse) == _run_ids(warehouse)  # a staged report of the killed run went with its staged files


def _spools(temp):
    return list(temp.glob("newsclean-spool-*"))


def _reports(warehouse):
    return sorted(path.name for path in (warehouse / settings.REPORTS_DIR).iterdir())


def _run_ids(warehouse):
    return sorted(run_id for (run_id,) in sql(f"select run_id from {table(warehouse, 'runs')}"))


def test_sigterm_unwinds_the_run_and_a_killed_cli_takes_its_server_along(landing, tmp_path, monkeypatch):
    """SIGTERM (a service manager's stop) or SIGINT (Ctrl-C) while the write stages its files: exit 143 / 130, lock,
    spool and staged files removed, the Prefect server and the workers stopped, tables as before. SIGKILL of the CLI
    alone (not its process group, as the OOM killer picks one process): its server and workers go too, and its spool
    goes when the next run opens one. A SIGTERM in the middle of the commit waits for the commit's last rename."""
    warehouse, temp = tmp_path / "wh", tmp_path / "tmp"
    temp.mkdir()
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    before = everything(warehouse)
    runs_before = sql(f"select count(*) from {table(warehouse, 'runs')}")[0][0]
    staging = warehouse / settings.STAGING_DIR
    arguments = ["run", str(landing), "--warehouse", str(warehouse), "--ingest-date", "2024-01-09", "--reprocess"]
    exit_codes = {signal.SIGTERM: 143, signal.SIGINT: 130, signal.SIGKILL: -signal.SIGKILL}  # SIGINT: Ctrl-C
    for signum, exit_code in exit_codes.items():
        home = tmp_path / f"home-{signum.name}"
        at = tmp_path / f"at-{signum.name}"
        run = run_cli(arguments, {"TMPDIR": str(temp)}, home, checkpoint=(at, "stage", 2))
        # signalled after the first file is staged, while the write waits to stage the second
        wait_for((at / REACHED).exists, process=run)
        assert processes_with_prefect_home(str(home))  # its server and workers
        os.kill(run.pid, signum)
        _, err = run.communicate(timeout=120)
        assert run.returncode == exit_code, err[-3000:]
        assert not processes_left_after(str(home), 15), f"left running after {signum.name}"
        assert everything(warehouse) == before  # nothing committed, nothing half-written
        if signum != signal.SIGKILL:
            assert lock_record(warehouse) == b"" and not _spools(temp), err[-3000:]
            assert not any(staging.glob("*.parquet")), err[-3000:]
        assert _reports(warehouse) == _run_ids(warehouse)  # no report of a run that did not land, even killed outright
    assert lock_record(warehouse) and len(_spools(temp)) == 1  # the killed run's: nobody could remove them
    assert any(staging.glob("*.parquet")) and any(staging.glob("report-*"))  # its staged files and report
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # the next run on this host, with the same TMPDIR
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09", mode="reprocess")
    assert not _spools(temp) and lock_record(warehouse) == b"" and not any(staging.iterdir())
    assert everything(warehouse) == before

    # Stopped mid-commit: signalled once the report and the first partition are in place, before the second.
    first_renamed = partition_path(warehouse, "articles", "2024-01-01")
    old_version = first_renamed.stat().st_mtime_ns
    at = tmp_path / "at-commit"
    run = run_cli(arguments, {"TMPDIR": str(temp)}, tmp_path / "home-commit", checkpoint=(at, "publish", 3))
    wait_for((at / REACHED).exists, process=run)
    assert first_renamed.stat().st_mtime_ns != old_version
    os.kill(run.pid, signal.SIGTERM)
    (at / GO).touch()  # the commit goes on; the stop takes effect once it has ended
    _, err = run.communicate(timeout=120)
    assert run.returncode == 143, err[-3000:]
    assert not processes_left_after(str(tmp_path / "home-commit"), 15)
    assert lock_record(warehouse) == b"" and not _spools(temp) and not any(staging.glob("*.parquet"))
    # the whole commit landed: every table is the stopped run's, its runs row (and its report) included
    assert everything(warehouse) == before and _reports(warehouse) == _run_ids(warehouse)
    assert sql(f"select count(*) from {table(warehouse, 'runs')}") == [(runs_before + 2,)]
    state_runs = sql(f"select distinct run_id from read_parquet('{warehouse}/_state/ingested_files.parquet')")
    assert state_runs == sql(f"select run_id from {table(warehouse, 'runs')} order by started_at desc limit 1")


def test_schema_changes_that_would_break_readers_fail():
    """Columns may be added; a column removed or retyped breaks analysts' queries and must be a deliberate change
    (update tests/fixtures/schema_contract.json and warehouse/README.md together)."""
    contract = json.loads((ROOT / "tests" / "fixtures" / "schema_contract.json").read_text())
    current = {**schema.TABLES, "site_templates": schema.SITE_TEMPLATES}
    for table_name, columns in contract.items():
        fields = {field.name: str(field.type) for field in current[table_name]}
        for column, type_ in columns.items():
            assert fields.get(column) == type_, f"{table_name}.{column}: was {type_}, now {fields.get(column)}"
        assert all(field.metadata and field.metadata.get(b"description") for field in current[table_name])
    readme = (ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    for table_name, columns in contract.items():
        for column in columns:
            assert f"| {column} " in readme or f"{column}," in readme or f", {column} |" in readme, f"{table_name}.{column} undocumented"


def test_serve_deployment_and_prefect_yaml_agree():
    from flows.deploy import deployment

    served = deployment(source="seeds", warehouse="warehouse")
    assert served.name == settings.DEPLOYMENT_NAME and served.parameters["mode"] == "incremental"
    assert [schedule.schedule.cron for schedule in served.schedules] == [settings.DEFAULT_CRON]
    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"][0]
    assert declared["entrypoint"] == "flows.flow:clean_articles"  # a module path: a file path breaks worker processes
    assert declared["schedules"][0]["cron"] == settings.DEFAULT_CRON and declared["name"] == served.name


def test_stats_lists_tables_partitions_reasons_and_rules(landing, tmp_path):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(landing), warehouse=str(warehouse), ingest_date="2024-01-09")
    stats = warehouse_stats(warehouse)
    assert stats["partitions"]["articles"] == {"2024-01-01": 2, "2024-01-02": 2, "2024-01-09": 1}
    assert dict(stats["top_rules"])["comment_widget"] == 6
    text = format_stats(stats)
    assert "ingest_date=2024-01-02" in text and "comment_widget" in text
