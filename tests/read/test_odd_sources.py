"""Sources as crawlers and operators leave them (issues 25 and 24): a crawler still writing into SOURCE, folders that
look like dates, two roots of one name, odd fetch times, huge inline images, FIFOs, the warehouse inside SOURCE,
UTF-16 without a byte-order mark, hidden names. Through real flow runs (the session's Prefect harness) and the real
`newsclean` command; tables read back with DuckDB and pyarrow."""
import base64
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from itertools import count

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from newsclean.read import identity
from newsclean import schema
from flows.flow import clean_articles
from newsclean.read.discover import SKIP_HIDDEN, SKIP_WAREHOUSE, VANISHED_AFTER_DISCOVERY, discover, read_document
from newsclean.read.decode import ReadError
from newsclean.records import doc_id_of, folder_date

from ..conftest import run_cli
from .test_inputs import html_page, story

CLI_TIMEOUT_SECONDS = 600  # a hang guard (a FIFO read blocks forever), not a measure


def finished(run: subprocess.Popen) -> tuple[str, str]:
    """A `newsclean` command's output once it ends; one that hangs (a FIFO opened for reading blocks for ever, and
    retries through SIGTERM) is killed with its session, so that a failing test leaves nothing behind."""
    try:
        return run.communicate(timeout=CLI_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        raise


def table(warehouse, name):
    return f"read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true, union_by_name=true)"


def query(sql):
    return duckdb.sql(sql).fetchall()


def rows_by_table(warehouse) -> dict[str, list[tuple]]:
    """(source_uri, doc_id) of every row of each document table."""
    return {name: query(f"select source_uri, doc_id from {table(warehouse, name)}")
            for name in ("articles", "quarantine", "rejected")}


def text_story(seed: int) -> str:
    return f"Headline number {seed}\n\n" + "\n\n".join(story(seed)) + "\n"


# --- a crawler still writing into SOURCE --------------------------------------------------------------------------

class Churn:
    """A crawler's writer thread: creates, renames and deletes files and folders in `folder`, in a loop, until stopped
    (bounded: it stops by itself after `seconds`)."""

    def __init__(self, folder, seconds: float = 300) -> None:
        self.folder, self.deadline = folder, time.monotonic() + seconds
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.written = 0

    def _run(self) -> None:
        self.folder.mkdir(exist_ok=True)
        for n in count():
            if self.stop.is_set() or time.monotonic() > self.deadline:
                return
            batch = self.folder / f"batch{n // 40}"
            batch.mkdir(exist_ok=True)
            temporary = batch / f"story{n}.tmp.txt"
            temporary.write_text(text_story(1000 + n % 50), encoding="utf-8")
            temporary.rename(batch / f"story{n}.txt")
            if n % 7 == 0:
                (batch / f".feed{n}.part").write_text(json.dumps({"text": text_story(2000 + n % 50)}) + "\n")
                (batch / f".feed{n}.part").rename(batch / f"feed{n}.jsonl")
            if n >= 120:
                old = self.folder / f"batch{(n - 120) // 40}"
                (old / f"story{n - 120}.txt").unlink(missing_ok=True)
                (old / f"feed{n - 120}.jsonl").unlink(missing_ok=True)
                if (n - 120) % 40 == 39:
                    shutil.rmtree(old, ignore_errors=True)
            self.written += 1

    def __enter__(self) -> "Churn":
        self.thread.start()
        while not self.written:  # the churn has begun before the run does
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


@pytest.fixture
def churned_source(make_source):
    return make_source({f"stable/{n}.txt": text_story(n) for n in range(5)} | {"stable/feed.jsonl": json.dumps({"text": text_story(9)}) + "\n"})


def test_discovery_survives_files_vanishing_while_it_lists(churned_source):
    with Churn(churned_source / "churn"):
        for _ in range(30):
            found = discover(churned_source)
            assert [source.relpath for source in found if source.relpath.startswith("stable/")] == [
                "stable/0.txt", "stable/1.txt", "stable/2.txt", "stable/3.txt", "stable/4.txt", "stable/feed.jsonl"]


def _assert_stable_files_once(warehouse, root) -> None:
    tables = rows_by_table(warehouse)
    stable = {f"{root}/stable/{n}.txt" for n in range(5)} | {f"{root}/stable/feed.jsonl#line=1"}
    found = [(name, uri) for name, rows in tables.items() for uri, _ in rows if uri in stable]
    assert sorted(uri for _, uri in found) == sorted(stable)  # each in exactly one table
    assert all(name != "rejected" for name, _ in found)
    every = [doc_id for rows in tables.values() for _, doc_id in rows]
    assert len(every) == len(set(every))  # no document in two tables
    reasons = {reason for (reason,) in query(f"select distinct reason from {table(warehouse, 'rejected')}")}
    assert reasons <= {VANISHED_AFTER_DISCOVERY}  # a churned file gone before its read is recorded as such


@pytest.mark.usefixtures("prefect_server")
def test_flow_runs_complete_while_a_crawler_writes_into_the_source(churned_source, tmp_path):
    warehouse = tmp_path / "warehouse"
    with Churn(churned_source / "churn"):
        for _ in range(3):
            summary = clean_articles(source=str(churned_source), warehouse=str(warehouse), workers=1, mode="reprocess")
            assert summary["articles_out"] + summary["quarantine_out"] + summary["rejected_out"] == summary["documents_in"]
    _assert_stable_files_once(warehouse, churned_source)


def test_newsclean_run_completes_while_a_crawler_writes_into_the_source(churned_source, tmp_path):
    warehouse = tmp_path / "warehouse"
    with Churn(churned_source / "churn"):
        run = run_cli(["run", str(churned_source), "--warehouse", str(warehouse), "--workers", "1"], home=tmp_path / "home")
        out, err = finished(run)
    assert run.returncode == 0, err[-3000:]
    _assert_stable_files_once(warehouse, churned_source)


def test_a_file_gone_between_discovery_and_reading_is_rejected_with_the_reason(make_source):
    root = make_source({"a.txt": text_story(1), "b.jsonl": json.dumps({"text": "x"}) + "\n"})
    found = discover(root)
    for source in found:
        os.remove(source.path)
        with pytest.raises(ReadError, match="vanished after discovery"):
            read_document(source)


# --- date folders -------------------------------------------------------------------------------------------------

def test_only_real_dates_are_date_folders():
    assert folder_date("2024-03-05") == "2024-03-05" and folder_date("dt=2024-02-29") == "2024-02-29"
    assert folder_date("2026-02-30") is None and folder_date("dt=2026-13-01") is None and folder_date("2023-02-29") is None


@pytest.mark.usefixtures("prefect_server")
def test_impossible_date_folders_are_ordinary_folders_and_ingest_date_reads_as_a_date(make_source, tmp_path):
    root = make_source({"2026-02-30/a.txt": text_story(1), "dt=2026-13-01/b.txt": text_story(2), "2024-03-05/c.txt": text_story(3)})
    warehouse = tmp_path / "warehouse"
    clean_articles(source=str(root), warehouse=str(warehouse), workers=0, ingest_date="2024-03-09")
    by_date = query(f"select typeof(ingest_date), cast(ingest_date as varchar), source_uri from {table(warehouse, 'articles')} "
                    f"where ingest_date >= DATE '2024-03-06' order by source_uri")
    assert by_date == [("DATE", "2024-03-09", f"{root}/2026-02-30/a.txt"), ("DATE", "2024-03-09", f"{root}/dt=2026-13-01/b.txt")]
    # pyarrow, with the partitioning warehouse/README.md gives
    articles = ds.dataset(warehouse / "articles", partitioning=schema.partitioning())
    assert articles.schema.field("ingest_date").type == pa.date32()
    picked = articles.to_table(filter=ds.field("ingest_date") == dt.date(2024, 3, 5), columns=["source_uri"])
    assert picked["source_uri"].to_pylist() == [f"{root}/2024-03-05/c.txt"]


# --- identity: two roots of one name ------------------------------------------------------------------------------

def _articles(warehouse) -> list[tuple[str, str]]:
    return sorted(query(f"select source_uri, body from {table(warehouse, 'articles')}"))


@pytest.mark.usefixtures("prefect_server")
def test_two_roots_of_one_name_keep_their_own_articles(tmp_path):
    x, y = tmp_path / "x" / "crawl", tmp_path / "y" / "crawl"
    for root, seed in ((x, 1), (y, 2)):
        root.mkdir(parents=True)
        (root / "story.txt").write_text(text_story(seed), encoding="utf-8")
    warehouse = tmp_path / "warehouse"
    clean_articles(source=str(x), warehouse=str(warehouse), workers=0)
    clean_articles(source=str(y), warehouse=str(warehouse), workers=0)
    both = _articles(warehouse)
    assert [uri for uri, _ in both] == [f"{x}/story.txt", f"{y}/story.txt"]
    assert "Story 1 part 0" in both[0][1] and "Story 2 part 0" in both[1][1]
    again = clean_articles(source=str(x), warehouse=str(warehouse), workers=0)
    assert (again["documents_skipped"], again["articles_out"]) == (1, 0)
    assert _articles(warehouse) == both
    redo = clean_articles(source=str(x), warehouse=str(warehouse), workers=0, mode="reprocess")
    assert redo["articles_out"] == 1 and _articles(warehouse) == both  # replaced, not added
    # x moved (its old path gone): its documents keep their doc_ids, and replace their rows
    doc_ids = query(f"select doc_id from {table(warehouse, 'articles')} order by source_uri")
    moved = tmp_path / "z" / "crawl"
    moved.parent.mkdir()
    x.rename(moved)
    clean_articles(source=str(moved), warehouse=str(warehouse), workers=0)
    assert sorted(query(f"select doc_id from {table(warehouse, 'articles')}")) == sorted(doc_ids)


def test_a_warehouse_written_before_roots_were_recorded_still_keeps_roots_apart(tmp_path):
    x, y = tmp_path / "x" / "crawl", tmp_path / "y" / "crawl"
    x.mkdir(parents=True), y.mkdir(parents=True)
    legacy = {f"{x}/story.txt": {"doc_id": doc_id_of("crawl/story.txt"), "source_root": None, "source_key": None}}
    assert identity.source_key(str(x), "crawl", legacy) == "crawl"  # the old doc_ids
    other = identity.source_key(str(y), "crawl", legacy)
    assert other.startswith("crawl@") and other != "crawl"
    assert identity.source_key(str(y), "crawl", {}) == "crawl"  # a new warehouse: the folder's name, as before
    (y / "story.txt").write_text("y", encoding="utf-8")
    [found] = discover(y, source_key=other)
    assert found.doc_id != doc_id_of("crawl/story.txt")
    assert found.site == "folder:crawl"  # the same site for template learning: a crawler's next drop of the same name


# --- odd records and files ----------------------------------------------------------------------------------------

@pytest.mark.usefixtures("prefect_server")
def test_odd_fetch_times_and_huge_inline_images_keep_the_document(make_source, tmp_path, monkeypatch):
    from newsclean import settings

    monkeypatch.setattr(settings, "DOCUMENT_TIMEOUT_SECONDS", 120)  # (without the cap, the page took many minutes)
    image = "data:image/png;base64," + base64.b64encode(os.urandom(7_500_000)).decode()
    page = html_page(7).replace("</h1>", f'</h1><img src="{image}" alt="">')
    lines = [json.dumps({"id": "late", "text": text_story(4), "fetched_at": "9999-12-31T23:59:59-05:00"}),
             json.dumps({"id": "early", "text": text_story(5), "fetched_at": "0001-01-01T00:00:00+05:00"}),
             json.dumps({"id": "ok", "text": text_story(6), "fetched_at": "2024-03-05T10:00:00+01:00"})]
    root = make_source({"feed.jsonl": "\n".join(lines) + "\n", "big.html": page})
    warehouse = tmp_path / "warehouse"
    summary = clean_articles(source=str(root), warehouse=str(warehouse), workers=1)
    assert summary["rejected_out"] == 0
    fetched = dict(query(f"select source_uri, fetched_at from {table(warehouse, 'articles')} where format = 'text'"))
    assert fetched[f"{root}/feed.jsonl#line=1"] is None and fetched[f"{root}/feed.jsonl#line=2"] is None
    assert fetched[f"{root}/feed.jsonl#line=3"].astimezone(dt.timezone.utc) == dt.datetime(2024, 3, 5, 9, tzinfo=dt.timezone.utc)
    [(body, extractor)] = query(f"select body, extractor from {table(warehouse, 'articles')} where format = 'html'")
    assert "Story 7 part 0" in body and "Story 7 part 3" in body and extractor == "trafilatura"


@pytest.mark.parametrize("byte_order", ["utf-16-le", "utf-16-be"])
@pytest.mark.usefixtures("prefect_server")
def test_utf16_without_a_byte_order_mark_is_decoded(make_source, tmp_path, byte_order):
    page = html_page(3).replace("Story", "Café story")
    root = make_source({"page.html": page.encode(byte_order), "note.txt": text_story(8).replace("Story", "Крым story").encode(byte_order)})
    warehouse = tmp_path / "warehouse"
    summary = clean_articles(source=str(root), warehouse=str(warehouse), workers=0)
    assert summary["rejected_out"] == 0
    rows = dict(query(f"select format, encoding || ' ' || body from {table(warehouse, 'articles')} union all "
                      f"select format, encoding || ' ' || body from {table(warehouse, 'quarantine')}"))
    assert rows["html"].startswith(byte_order) and "Café story 3 part 0" in rows["html"]
    assert rows["text"].startswith(byte_order) and "Крым story 8 part 0" in rows["text"]


def test_hidden_names_are_counted_not_lost(make_source):
    root = make_source({"a.txt": "a", "..hidden.txt": "h", ".x.txt": "x", "_y.txt": "y", ".git/objects/1": "o",
                        "sub/_staging/z.txt": "z"})
    found = discover(root)
    assert [source.relpath for source in found] == ["a.txt"]
    assert found.skipped_paths == {SKIP_HIDDEN: 5}  # 3 files, 2 folders (their contents unread)


def test_a_fifo_the_warehouse_inside_the_source_and_hidden_names_through_the_cli(make_source, tmp_path):
    root = make_source({"story.txt": text_story(1), "..hidden.txt": text_story(2)})
    os.mkfifo(root / "crawl.jsonl")
    warehouse = root / "warehouse"
    for attempt in range(2):
        run = run_cli(["run", str(root), "--warehouse", str(warehouse), "--workers", "1"], home=tmp_path / "home")
        out, err = finished(run)
        assert run.returncode == 0, err[-3000:]
    rejected = query(f"select source_uri, reason from {table(warehouse, 'rejected')}")
    assert rejected == [(f"{root}/crawl.jsonl", "not a regular file (a FIFO): not read")]  # nothing of the warehouse
    runs = query(f"select documents_in, paths_skipped, paths_skipped_by_reason from {table(warehouse, 'runs')} order by started_at")
    assert [(documents, skipped, dict(reasons)) for documents, skipped, reasons in runs] == [
        (2, 2, {SKIP_HIDDEN: 1, SKIP_WAREHOUSE: 1})] * 2
