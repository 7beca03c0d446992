"""Execution: shards on all cores (--workers), on a real Dask cluster on loopback (--dask-address), and the progress
a CLI run shows. Real Prefect flow runs (the session's harness), real `dask scheduler` / `dask worker` processes."""
import io
import json
import math
import multiprocessing
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from newsclean.runtime import execution, progress
from newsclean import settings
from flows.flow import clean_articles

from ..conftest import ROOT, SEEDS

SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
RUN_COLUMNS = {"run_id", "processed_at"}  # differ between runs by design
DOCUMENT_TABLES = ("articles", "quarantine", "rejected", "removed_lines")
DASK = ROOT / ".venv" / "bin" / "dask"


def generated_documents(count: int = 96) -> dict[str, str | bytes]:
    """Articles made from the seeds with a line of their own, two exact duplicates, and documents that end in
    quarantine (no body) and rejected (not text): every kind of row, over several shards."""
    files: dict[str, str | bytes] = {}
    for index in range(count):
        text = SEED_TEXTS[index % len(SEED_TEXTS)].rstrip("\n")
        files[f"d{index // 40}/doc{index:03d}.txt"] = f"{text}\n\nThe district office filed report number {index} on the matter.\n"
    files["d9/copy-a.txt"] = files["d9/copy-b.txt"] = SEED_TEXTS[0]
    files["d9/only-boilerplate.txt"] = "Share this article\nLeave a comment\nTo Top\n"
    files["d9/empty.txt"] = ""
    files["d9/image.txt"] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    files["d9/notes.pdf"] = b"%PDF-1.4"
    return files


def table_rows(warehouse: Path, name: str) -> list[tuple]:
    relation = duckdb.sql(f"select * from read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true)")
    keep = [index for index, column in enumerate(relation.columns) if column not in RUN_COLUMNS]
    return sorted((tuple(row[index] for index in keep) for row in relation.fetchall()), key=repr)


def all_tables(warehouse: Path) -> dict[str, list[tuple]]:
    return {name: table_rows(warehouse, name) for name in DOCUMENT_TABLES}


@pytest.fixture(scope="module")
def small_shards():
    """Shards of ~10-20 documents, so that a hundred documents make several shards per worker."""
    saved = settings.MIN_SHARD_DOCUMENTS
    settings.MIN_SHARD_DOCUMENTS = 10
    yield
    settings.MIN_SHARD_DOCUMENTS = saved


@pytest.fixture(scope="module")
def generated_source(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "source"
    for relpath, content in generated_documents().items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


@pytest.fixture(scope="module")
def one_worker_run(prefect_server, small_shards, generated_source, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("one-worker")
    summary = clean_articles(source=str(generated_source), warehouse=str(warehouse), ingest_date="2026-11-22", workers=1)
    return warehouse, summary


# --- shard sizing ---------------------------------------------------------------------------------------------------


def test_shards_keep_workers_busy_within_bounds(monkeypatch):
    monkeypatch.setattr(settings, "BATCH_SIZE", 500)
    monkeypatch.setattr(settings, "MIN_SHARD_DOCUMENTS", 50)
    monkeypatch.setattr(settings, "SHARDS_PER_WORKER", 3)
    assert execution.shard_size(1200, 2) == 200  # 6 shards: 3 per worker
    assert execution.shard_size(20000, 2) == 500  # never more than BATCH_SIZE
    assert execution.shard_size(40, 8) == 40  # never tiny: one shard
    assert execution.shard_size(1100, 1) == 367  # 3 per worker: 3 x 367
    assert execution.shard_size(120, 2) == 60  # 2 even shards, not 50 + 50 + 20
    assert execution.shard_size(181, 2) == 91  # 2 shards, one per worker: not 3 x 61, the third running alone
    assert execution.shard_size(1810, 2) == 453  # 4 shards: 2 rounds of 2, not 5
    assert execution.shard_size(20500, 2) == 489  # at most BATCH_SIZE: 41 shards, rounded up to 42 (full rounds)
    for documents in (1, 49, 51, 999, 1001, 12345):
        for workers in (0, 1, 2, 7, 64):
            size = execution.shard_size(documents, workers)
            assert size <= 500 and (size >= 50 or size == documents)
            shards = math.ceil(documents / size)
            assert shards <= max(1, workers) or shards % max(1, workers) == 0  # every round fills every worker


# --- all cores ------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("prefect_server", "small_shards")
def test_one_and_two_workers_write_the_same_tables(one_worker_run, generated_source, tmp_path):
    one_warehouse, one = one_worker_run
    two = clean_articles(source=str(generated_source), warehouse=str(tmp_path / "wh"), ingest_date="2026-11-22", workers=2)
    assert (one["documents_in"], one["articles_out"], one["quarantine_out"], one["rejected_out"]) == (102, 98, 2, 2)
    assert {key: two[key] for key in ("documents_in", "articles_out", "quarantine_out", "rejected_out", "removed_lines_out")} \
        == {key: one[key] for key in ("documents_in", "articles_out", "quarantine_out", "rejected_out", "removed_lines_out")}
    one_tables, two_tables = all_tables(one_warehouse), all_tables(tmp_path / "wh")
    assert all(one_tables[name] for name in DOCUMENT_TABLES)
    assert two_tables == one_tables
    assert json.loads(duckdb.sql(f"select parameters from read_parquet('{tmp_path}/wh/runs/**/*.parquet')").fetchall()[0][0])["workers"] == 2


@pytest.mark.usefixtures("prefect_server", "small_shards")
def test_zero_workers_cleans_in_process_with_the_same_tables(one_worker_run, generated_source, tmp_path):
    clean_articles(source=str(generated_source), warehouse=str(tmp_path / "wh"), ingest_date="2026-11-22", workers=0)
    assert all_tables(tmp_path / "wh") == all_tables(one_worker_run[0])


@pytest.mark.usefixtures("prefect_server", "small_shards")
def test_a_doc_id_twice_in_a_run_is_quarantined_whichever_shards_hold_it(tmp_path):
    """Validation runs a shard at a time; the uniqueness check must still see both copies of a doc_id (a JSONL
    export naming one id twice), even when they are cleaned in different shards."""
    lines = [json.dumps({"id": f"story-{index}", "text": SEED_TEXTS[index % len(SEED_TEXTS)]}) for index in range(60)]
    lines[59] = json.dumps({"id": "story-0", "text": SEED_TEXTS[1]})  # the first record's id again, 59 records later
    source = tmp_path / "source"
    source.mkdir()
    (source / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = clean_articles(source=str(source), warehouse=str(tmp_path / "wh"), ingest_date="2026-11-22", workers=1)
    assert (summary["articles_out"], summary["quarantine_out"], summary["rejected_out"]) == (58, 2, 0)
    quarantined = duckdb.sql(f"select source_uri, failed_checks from read_parquet('{tmp_path}/wh/quarantine/**/*.parquet')").fetchall()
    assert sorted(uri.rsplit("#", 1)[1] for uri, _ in quarantined) == ["line=1", "line=60"]
    assert all(checks == ["doc_id_unique"] for _, checks in quarantined)


def test_negative_workers_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="workers must be 0 or more"):
        clean_articles.fn(source=str(SEEDS), warehouse=str(tmp_path / "wh"), workers=-1)


def _supervise_in_daemon(queue) -> None:
    from newsclean.runtime.workers import run_supervised

    try:
        run_supervised([], None)
        queue.put("no error")
    except RuntimeError as error:
        queue.put(str(error))


def test_a_daemonic_process_is_told_how_to_start_dask_workers():
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_supervise_in_daemon, args=(queue,), daemon=True)
    child.start()
    message = queue.get(timeout=120)
    child.join()
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in message and "--no-nanny" in message


# --- Dask -----------------------------------------------------------------------------------------------------------


def _start(command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env or os.environ.copy())


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real scheduler on loopback and two workers, one thread each: one under a nanny whose worker process is made
    non-daemonic by configuration, one without a nanny. Both may start the supervised per-document processes."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    common = ["--no-dashboard"]
    processes = [_start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(scheduler_file),
                         *common], folder / "scheduler.log")]
    worker = [str(DASK), "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1", "--host", "127.0.0.1", *common]
    try:
        client = None
        for _ in range(1500):  # the scheduler writes its address once it listens
            if scheduler_file.exists() and scheduler_file.stat().st_size:
                client = Client(scheduler_file=str(scheduler_file), timeout=120)
                break
            assert processes[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.2)
        assert client is not None, "the scheduler did not start"
        processes.append(_start(worker + ["--name", "nanny-worker", "--local-directory", str(folder / "a")], folder / "nanny-worker.log",
                                {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}))
        processes.append(_start(worker + ["--name", "plain-worker", "--no-nanny", "--local-directory", str(folder / "b")],
                                folder / "plain-worker.log"))
        client.wait_for_workers(2, timeout=300)
        yield client, folder
        client.close()
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.usefixtures("prefect_server", "small_shards")
def test_shards_run_on_the_dask_workers(dask_cluster, one_worker_run, generated_source, tmp_path):
    client, folder = dask_cluster
    address = client.scheduler.address
    client.get_task_stream()  # starts the scheduler's record of which worker ran which task
    workers = {info["name"]: worker for worker, info in client.scheduler_info()["workers"].items()}
    summary = clean_articles(source=str(generated_source), warehouse=str(tmp_path / "wh"), ingest_date="2026-11-22",
                             dask_address=address)
    assert summary["documents_in"] == summary["articles_out"] + summary["quarantine_out"] + summary["rejected_out"] == 102
    assert all_tables(tmp_path / "wh") == all_tables(one_worker_run[0])
    shard_runs = [record for record in client.get_task_stream() if "clean_batch" in str(record["key"])]
    # two workers of one thread each: 102 documents in 6 shards of ~17 (MIN_SHARD_DOCUMENTS 10, 3 per thread)
    assert len(shard_runs) == 6, [record["key"] for record in client.get_task_stream()]
    assert {record["worker"] for record in shard_runs} == set(workers.values())
    parameters = duckdb.sql(f"select parameters from read_parquet('{tmp_path}/wh/runs/**/*.parquet')").fetchall()[0][0]
    assert json.loads(parameters)["dask_address"] == address


# --- progress -------------------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_every_interval_with_counts_and_rate():
    clock, stream = FakeClock(), io.StringIO()
    counter = progress.Progress(1000, progress.PlainLines(stream, interval=10, clock=clock), clock=clock)
    for second in range(1, 26):  # a chunk of 40 documents comes back every second, from shard second % 3
        clock.now += 1
        counter.shard_progress(second % 3, 40 * ((second + 2) // 3))
    counter.close()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "newsclean: 0/1000 documents, 0/s",
        "newsclean: 400/1000 documents, 40/s",  # at 10 s
        "newsclean: 800/1000 documents, 40/s",  # at 20 s
        "newsclean: 1000/1000 documents, 40/s",  # the last line, at 25 s
    ]


def test_repeated_and_late_shard_reports_count_once():
    clock = FakeClock()
    counter = progress.Progress(100, progress.PlainLines(io.StringIO(), clock=clock), clock=clock)
    counter.shard_progress(0, 30)
    counter.shard_progress(0, 30)  # the same chunk count again (a retried shard)
    counter.shard_progress(0, 20)  # a late, smaller report
    counter.shard_progress(1, 50)
    counter.shard_progress(0, 50)  # the shard's task finished: its whole size
    assert counter.snapshot().done == 100


def test_a_terminal_gets_a_bar_and_a_pipe_gets_lines():
    assert isinstance(progress.display_for(io.StringIO()), progress.PlainLines)
    master, slave = pty.openpty()
    with open(slave, "w") as terminal:
        display = progress.display_for(terminal)
        assert isinstance(display, progress.Bar)
        clock = FakeClock()
        counter = progress.Progress(200, display, clock=clock)
        clock.now += 2
        counter.shard_progress(0, 150)
        counter.close()
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    assert b"150/200" in drawn and b"75 docs/s" in drawn


def test_progress_is_silent_without_a_display():
    with progress.tracking(10):
        progress.shard_progress(0, 5)  # nothing shown, nothing raised
    assert progress._current is None


@pytest.mark.usefixtures("prefect_server")
def test_a_cli_run_prints_progress_lines_when_not_on_a_terminal(generated_source, tmp_path):
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "NEWSCLEAN_PROGRESS_SECONDS": "0",
           "NEWSCLEAN_MIN_SHARD_DOCUMENTS": "10"}
    done = subprocess.run([sys.executable, "-m", "flows", "run", str(generated_source), "--warehouse", str(tmp_path / "wh"),
                           "--workers", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = [int(line.split()[1].split("/")[0]) for line in done.stderr.splitlines() if line.startswith("newsclean: ")
              and line.endswith("/s")]
    assert counts[0] == 0 and counts[-1] == 102
    assert counts == sorted(counts) and len(set(counts)) > 2  # it moved on in steps, not only at the end
    assert "102 documents, 0 unchanged -> 98 articles, 2 quarantine, 2 rejected" in done.stdout
