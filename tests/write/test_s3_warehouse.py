"""The warehouse on S3, against a real S3 API: moto's standalone server on 127.0.0.1, started here (no client mocks).

Real Prefect flow runs write to s3://; the tables are read back with pyarrow over its S3 filesystem (and DuckDB over
pyarrow: its httpfs extension would be a download). Credentials are fake and set in the environment, the way a user
sets theirs."""
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import duckdb
import pyarrow.dataset as pads
import pytest

from newsclean import schema
from flows.cli import main
from flows.flow import clean_articles
from newsclean.write.lock import WarehouseBusy, WarehouseLock
from newsclean.runtime.scratch import OWNER_FILE
from newsclean.write.stats import warehouse_stats
from newsclean.storage import filesystem_for, s3_client
from newsclean.write.commit import WarehouseError, ensure_writable

from ..checkpointed_cli import REACHED
from ..conftest import SEEDS, run_cli, s3_environment, wait_for

DATA_TABLES = ("articles", "quarantine", "rejected", "removed_lines")
SORT_KEYS = {"articles": ["doc_id"], "quarantine": ["doc_id"], "rejected": ["doc_id"], "removed_lines": ["doc_id", "line_no"]}
VOLATILE = {"run_id", "processed_at"}  # differ between runs by design


@pytest.fixture
def s3_warehouse(s3_env):
    """s3://<a new bucket>/warehouse, with the environment pointing at the moto server."""
    bucket = f"newsclean-{uuid.uuid4().hex[:12]}"
    s3_client().create_bucket(Bucket=bucket)
    return f"s3://{bucket}/warehouse"


def bucket_keys(uri):
    bucket = uri[len("s3://"):].split("/", 1)[0]
    return sorted(obj["Key"] for page in s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
                  for obj in page.get("Contents", []))


def analyst_view(warehouse):
    """Every data table as pyarrow reads it (hive partitions), sorted, without the per-run columns."""
    filesystem, base = filesystem_for(warehouse)
    view = {}
    for name in DATA_TABLES:
        table = pads.dataset(f"{base}/{name}", filesystem=filesystem, partitioning="hive").to_table()
        table = table.drop_columns([c for c in table.column_names if c in VOLATILE]).sort_by([(k, "ascending") for k in SORT_KEYS[name]])
        view[name] = table.to_pylist()
    return view


def without_source_root(view, root):
    """Rows name their source by URI; a run of the same files gives the same rows in any warehouse."""
    return json.loads(json.dumps(view, default=str).replace(str(root), "<source>"))


pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_run_on_s3_writes_what_a_local_run_writes_and_reruns_change_nothing(s3_warehouse, tmp_path):
    first = clean_articles(source=str(SEEDS), warehouse=s3_warehouse, ingest_date="2024-01-09")
    assert (first["documents_in"], first["articles_out"] + first["quarantine_out"] + first["rejected_out"]) == (5, 5)
    assert first["warehouse"] == s3_warehouse
    keys = bucket_keys(s3_warehouse)
    prefix = s3_warehouse.split("/", 3)[3] + "/"
    assert first["data_docs"] == f"{s3_warehouse}/_reports/{first['run_id']}/index.html"
    assert f"{prefix}_reports/{first['run_id']}/index.html" in keys  # the Data Docs were uploaded
    assert not any(key.endswith(OWNER_FILE) for key in keys)  # ... not the local folder's own bookkeeping
    data_keys = {key[len(prefix):] for key in keys if not key.startswith(f"{prefix}_reports/")}
    expected = {f"{table}/ingest_date=2024-01-09/part-0.parquet" for table in schema.TABLES}
    # no lock, no staging, no folder markers
    assert data_keys == expected | {"site_templates/part-0.parquet", "_state/ingested_files.parquet", "_near_duplicates/minhash.parquet"}

    local = tmp_path / "local-wh"
    clean_articles(source=str(SEEDS), warehouse=str(local), ingest_date="2024-01-09")
    on_s3 = analyst_view(s3_warehouse)
    assert len(on_s3["articles"]) == first["articles_out"] > 0
    assert on_s3 == analyst_view(local)  # the same run gives the same tables on S3 and on disk

    again = clean_articles(source=str(SEEDS), warehouse=s3_warehouse, ingest_date="2024-01-09")
    assert (again["documents_skipped"], again["articles_out"]) == (5, 0)  # incremental: nothing new
    redo = clean_articles(source=str(SEEDS), warehouse=s3_warehouse, ingest_date="2024-01-09", mode="reprocess")
    assert redo["articles_out"] == first["articles_out"]
    assert analyst_view(s3_warehouse) == on_s3  # idempotent: a rerun replaces rows, never duplicates them
    filesystem, base = filesystem_for(s3_warehouse)
    runs = pads.dataset(f"{base}/runs", filesystem=filesystem, partitioning="hive").to_table()
    assert sorted(runs["run_id"].to_pylist()) == sorted([first["run_id"], again["run_id"], redo["run_id"]])
    articles = pads.dataset(f"{base}/articles", filesystem=filesystem, partitioning="hive")  # DuckDB scans it, pyarrow reads S3
    assert duckdb.sql("select count(*), count(distinct doc_id) from articles").fetchall() == [(first["articles_out"],) * 2]

    stats, local_stats = warehouse_stats(s3_warehouse), warehouse_stats(local)
    local_stats["partitions"]["runs"] = {"2024-01-09": 3}  # three runs on S3, one locally
    assert stats == local_stats
    assert stats["partitions"]["articles"] == {"2024-01-09": first["articles_out"]}


def object_versions(uri):
    """Key -> how many times it was PUT (the bucket keeps versions): a rewrite shows even with identical bytes."""
    bucket, prefix = uri[len("s3://"):].split("/", 1)
    pages = s3_client().get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    return Counter(version["Key"][len(prefix) + 1:] for page in pages for version in page.get("Versions", []))


def test_a_report_reaches_the_bucket_only_when_committed(s3_warehouse, tmp_path):
    """Staged, a run's Data Docs are a local copy; committed, one object per file; discarded or removed, none."""
    from newsclean.write.store import open_warehouse

    report = tmp_path / "report"
    (report / "validations").mkdir(parents=True)
    (report / "index.html").write_text("<html></html>")
    (report / "validations" / "result.html").write_text("<html></html>")
    store = open_warehouse(s3_warehouse)
    prefix = s3_warehouse.split("/", 3)[3]
    before = bucket_keys(s3_warehouse)
    for run_id in ("landed", "failed"):
        keys = bucket_keys(s3_warehouse)
        staged = store.stage_report(report, run_id)
        assert bucket_keys(s3_warehouse) == keys  # nothing in the bucket before the commit
        store.publish(staged)
        assert not staged.path.exists()
    stopped = store.stage_report(report, "stopped")
    store.discard([stopped])  # staged, never committed: nothing uploaded, no local copy left
    assert not stopped.path.exists()
    store.remove_report("failed")
    store.remove_report("never-built")  # nothing there: no error
    assert sorted(set(bucket_keys(s3_warehouse)) - set(before)) == [
        f"{prefix}/_reports/landed/index.html", f"{prefix}/_reports/landed/validations/result.html"]
    assert store.report_location("landed") == f"{s3_warehouse}/_reports/landed/index.html"
    assert report.exists()  # the run's own folder is left to its spool


def test_backfill_on_s3_rewrites_exactly_its_range(s3_warehouse, make_source):
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    bucket = s3_warehouse[len("s3://"):].split("/", 1)[0]
    s3_client().put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    source = make_source({"2024-01-01/a.txt": texts[0], "2024-01-01/b.txt": texts[1], "2024-01-02/c.txt": texts[2]})
    clean_articles(source=str(source), warehouse=s3_warehouse, ingest_date="2024-01-09")
    before = object_versions(s3_warehouse)
    (source / "2024-01-01" / "b.txt").unlink()  # gone from raw: its rows must go too
    summary = clean_articles(source=str(source), warehouse=s3_warehouse, mode="backfill", start="2024-01-01", end="2024-01-02")
    assert (summary["mode"], summary["articles_out"]) == ("backfill", 1)
    articles = analyst_view(s3_warehouse)["articles"]
    assert sorted((str(row["ingest_date"]), row["source_uri"].rsplit("/", 1)[1]) for row in articles) == [
        ("2024-01-01", "a.txt"), ("2024-01-02", "c.txt")]
    after = object_versions(s3_warehouse)
    rewritten = {key.split("/")[1] for key in before if after[key] != before[key] and key.split("/")[0] in DATA_TABLES}
    assert rewritten == {"ingest_date=2024-01-01"}  # the other date's objects were not PUT again


def test_stats_command_reads_an_s3_warehouse(s3_warehouse, capsys):
    clean_articles(source=str(SEEDS), warehouse=s3_warehouse, ingest_date="2024-02-01")
    assert main(["stats", "--warehouse", s3_warehouse]) == 0
    out = capsys.readouterr().out
    assert "ingest_date=2024-02-01" in out and "articles" in out


def test_a_held_lock_makes_a_second_writer_wait_and_a_dead_ones_is_taken_over(s3_warehouse):
    ensure_writable(s3_warehouse)
    assert bucket_keys(s3_warehouse) == []  # the probe of a writable warehouse leaves nothing behind
    holder = WarehouseLock(s3_warehouse)
    holder.acquire()
    with pytest.raises(WarehouseBusy, match=f"process {os.getpid()} .*lock s3://"):
        WarehouseLock(s3_warehouse, wait_seconds=0.5).acquire()

    released = threading.Event()

    def release_soon():
        time.sleep(1)
        released.set()
        holder.release()

    threading.Thread(target=release_soon).start()
    with WarehouseLock(s3_warehouse, wait_seconds=120):  # waits its turn ...
        assert released.is_set()  # ... and gets the lock only once the first writer let go
    assert not [key for key in bucket_keys(s3_warehouse) if key.endswith("/_lock")]

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    bucket, prefix = s3_warehouse[len("s3://"):].split("/", 1)
    s3_client().put_object(Bucket=bucket, Key=f"{prefix}/_lock",
                           Body=json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": time.time()}))
    with WarehouseLock(s3_warehouse, wait_seconds=1) as taker:  # a killed run's lock is no trap
        owner = json.loads(s3_client().get_object(Bucket=bucket, Key=f"{prefix}/_lock")["Body"].read())
        assert owner["pid"] == os.getpid()
        # Someone else takes the lock over (as if this run had hung past the stale age): releasing must not delete theirs.
        s3_client().put_object(Bucket=bucket, Key=f"{prefix}/_lock", Body=json.dumps({"pid": 1, "host": "other", "since": time.time()}))
    assert json.loads(s3_client().get_object(Bucket=bucket, Key=f"{prefix}/_lock")["Body"].read())["host"] == "other"
    assert taker.lock_file.etag is None


def test_two_takers_of_one_stale_lock_cannot_both_win(s3_warehouse):
    bucket, prefix = s3_warehouse[len("s3://"):].split("/", 1)
    stale = s3_client().put_object(Bucket=bucket, Key=f"{prefix}/_lock", Body=json.dumps({"since": 0}))
    first, second = WarehouseLock(s3_warehouse).lock_file, WarehouseLock(s3_warehouse).lock_file
    assert first.take_over(stale["ETag"], {"pid": 1}) is True
    assert second.take_over(stale["ETag"], {"pid": 2}) is False  # its If-Match no longer matches


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("where", ["missing bucket", "unreachable endpoint"])
def test_an_unusable_bucket_is_one_line_and_a_failing_exit_before_any_work(moto_endpoint, tmp_path, where):
    endpoint = moto_endpoint if where == "missing bucket" else f"http://127.0.0.1:{free_port()}"  # nobody listens
    env = {**s3_environment(endpoint), "NEWSCLEAN_S3_CONNECT_TIMEOUT": "5"}
    for command in (["run", str(SEEDS)], ["stats"]):
        process = run_cli([*command, "--warehouse", "s3://newsclean-no-such-bucket/wh"], env, tmp_path / "home")
        out, err = process.communicate(timeout=300)
        assert process.returncode == 2, (out, err)
        assert err.count("\n") == 1 and err.startswith("newsclean: error: ") and "s3://newsclean-no-such-bucket/wh" in err, err
        assert ("bucket does not exist" in err) if where == "missing bucket" else ("connect" in err.lower()), err
    assert not (tmp_path / "home").exists()  # failed before Prefect ever started


@pytest.fixture
def store_ignoring_conditions(moto_endpoint):
    """An S3 endpoint that drops If-None-Match / If-Match before they reach the server, as some S3-compatible stores
    do: a real HTTP proxy on loopback in front of moto."""
    target = moto_endpoint.removeprefix("http://")

    class Proxy(http.server.BaseHTTPRequestHandler):
        def forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name: value for name, value in self.headers.items() if name.lower() not in ("if-none-match", "if-match")}
            upstream = http.client.HTTPConnection(target, timeout=30)
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            upstream.close()

        do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = forward

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_store_that_ignores_conditional_writes_is_refused(s3_warehouse, store_ignoring_conditions, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", store_ignoring_conditions)
    with pytest.raises(WarehouseError, match="ignores conditional writes"):
        ensure_writable(s3_warehouse)
    assert bucket_keys(s3_warehouse) == []  # and its probe is gone


def test_ensure_writable_names_the_missing_bucket(s3_warehouse):
    with pytest.raises(WarehouseError, match="bucket does not exist"):
        ensure_writable("s3://newsclean-absent-bucket/wh")


def test_sigkill_between_puts_leaves_whole_partitions_and_a_clean_rerun(s3_warehouse, moto_endpoint, tmp_path, make_source):
    """The S3 twin of the local SIGKILL test: a partition is one object replaced by one PUT, the memory last."""
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
    source = make_source({f"2024-01-0{n + 1}/{name}": text for n, (name, text) in enumerate(texts.items())})
    clean_articles(source=str(source), warehouse=s3_warehouse, ingest_date="2024-01-09")
    before = analyst_view(s3_warehouse)
    for path in source.rglob("*.txt"):  # every document changes, so every data partition is rewritten
        path.write_text(path.read_text(encoding="utf-8") + f"\nUpdate: the {path.stem} story got a correction later on.\n",
                        encoding="utf-8")
    at = tmp_path / "at"
    run = run_cli(["run", str(source), "--warehouse", s3_warehouse, "--ingest-date", "2024-01-09"],
                  {**s3_environment(moto_endpoint), "NEWSCLEAN_DOCUMENT_TIMEOUT": "600"}, tmp_path / "home",
                  checkpoint=(at, "publish", 4))  # the report and two partitions PUT, the others (and the memory) not yet
    bucket, prefix = s3_warehouse[len("s3://"):].split("/", 1)
    wait_for((at / REACHED).exists, timeout=300, process=run)
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=60)
    after_kill = analyst_view(s3_warehouse)  # every object is whole: pyarrow reads every table
    for name, rows in after_kill.items():
        assert len(rows) == len(before[name]), name  # each partition is the old or the new version, never a mix
    assert f"{prefix}/_lock" in bucket_keys(s3_warehouse)  # left behind by the killed run ...
    summary = clean_articles(source=str(source), warehouse=s3_warehouse, ingest_date="2024-01-09")  # ... and no trap
    assert summary["articles_out"] + summary["documents_skipped"] == 5
    final = analyst_view(s3_warehouse)
    assert len(final["articles"]) == 5 and all(row["body"].endswith("got a correction later on.") for row in final["articles"])
    assert f"{prefix}/_lock" not in bucket_keys(s3_warehouse)
