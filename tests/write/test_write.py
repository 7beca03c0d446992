"""The writer: partitions merged by key, atomic replace through _staging, schemas that readers see."""
import datetime as dt

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from newsclean import schema
from newsclean.write.commit import WarehouseError, ensure_writable, partition_path, write_run

from ..conftest import lock_record

NOW = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.timezone.utc)


def rejected(doc_id, reason="bad", run_id="r1", ingest_date="2026-11-22"):
    return {"doc_id": doc_id, "source_uri": f"/in/{doc_id}.txt", "reason": reason, "run_id": run_id, "processed_at": NOW,
            "ingest_date": ingest_date}


def test_merge_replaces_rows_of_processed_keys_and_keeps_the_rest(tmp_path):
    write_run(tmp_path, {"rejected": [rejected("a"), rejected("b")]}, {"a", "b"}, "r1", run_partition="2026-11-22")
    write_run(tmp_path, {"rejected": [rejected("b", "worse", "r2"), rejected("c", run_id="r2")]}, {"b", "c"}, "r2", run_partition="2026-11-22")
    table = pq.read_table(partition_path(tmp_path, "rejected", "2026-11-22"))
    assert table.num_rows == 3
    assert sorted(zip(table["doc_id"].to_pylist(), table["reason"].to_pylist())) == [("a", "bad"), ("b", "worse"), ("c", "bad")]


def test_processed_document_leaves_the_table_it_no_longer_belongs_to(tmp_path):
    write_run(tmp_path, {"rejected": [rejected("a")]}, {"a"}, "r1", run_partition="2026-11-22")
    write_run(tmp_path, {"rejected": []}, {"a"}, "r2", run_partition="2026-11-22", previous_partitions={"2026-11-22"})  # now elsewhere
    assert pq.read_table(partition_path(tmp_path, "rejected", "2026-11-22")).num_rows == 0


def test_every_table_is_written_with_its_schema_and_staging_is_left_empty(tmp_path):
    write_run(tmp_path, {}, set(), "r1", run_partition="2026-11-22", replace_partitions={"2026-11-22"})
    for name, table_schema in schema.TABLES.items():
        dataset = pads.dataset(tmp_path / name, partitioning="hive")
        assert dataset.schema.field("doc_id" if name != "runs" else "run_id").metadata[b"description"]
        assert pq.read_schema(partition_path(tmp_path, name, "2026-11-22")).equals(table_schema, check_metadata=False)
    assert list((tmp_path / "_staging").iterdir()) == []
    assert pq.ParquetFile(partition_path(tmp_path, "articles", "2026-11-22")).metadata.row_group(0).column(0).compression == "ZSTD"


def test_a_stop_just_after_a_file_is_staged_leaves_no_staged_file_and_no_lock(tmp_path, monkeypatch):
    """Ctrl-C lands between bytecodes: here just after a file was written to staging, before its name was kept (the
    write gives its buffers back to the system there, a C call that can take a while). No table, no staged file, no
    lock is left; the first run's tables stand."""
    import newsclean.write.commit as write

    write_run(tmp_path, {"rejected": [rejected("a")]}, {"a"}, "r1", run_partition="2026-11-22")
    before = pq.read_table(partition_path(tmp_path, "rejected", "2026-11-22")).to_pylist()
    calls = []

    def stopped_after_the_third_file():
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(write.collector, "return_freed_memory", stopped_after_the_third_file)
    with pytest.raises(KeyboardInterrupt):
        write_run(tmp_path, {"rejected": [rejected("a", "worse", "r2")]}, {"a"}, "r2", run_partition="2026-11-22")
    assert list((tmp_path / "_staging").iterdir()) == [] and lock_record(tmp_path) == b""
    assert pq.read_table(partition_path(tmp_path, "rejected", "2026-11-22")).to_pylist() == before



def test_a_commit_that_fails_after_its_report_leaves_no_report_of_the_run(tmp_path, monkeypatch):
    """The report is published first; a failure before the runs row (here the second publish: a full disk, a dropped
    connection) leaves no report of a run that never landed. A landed run's report stays."""
    from newsclean.write.store import LocalWarehouse, WarehouseError

    report = tmp_path / "report"
    report.mkdir()
    (report / "index.html").write_text("<html></html>")
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    write_run(warehouse, {"rejected": [rejected("a")]}, {"a"}, "r1", run_partition="2026-11-22", report_folder=report)
    publish, published = LocalWarehouse.publish, []

    def failing_after_the_report(store, staged):
        published.append(staged.key)
        if len(published) == 2:
            raise OSError(28, "No space left on device")
        publish(store, staged)

    monkeypatch.setattr(LocalWarehouse, "publish", failing_after_the_report)
    with pytest.raises(WarehouseError, match="No space left"):
        write_run(warehouse, {"rejected": [rejected("b", run_id="r2")]}, {"b"}, "r2", run_partition="2026-11-22",
                  report_folder=report)
    assert published[0] == "_reports/r2"  # it went in first, then the commit failed
    assert sorted(path.name for path in (warehouse / "_reports").iterdir()) == ["r1"]

def test_unwritable_warehouse_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(WarehouseError, match="not writable"):
        ensure_writable(blocker / "warehouse")


def _duplicates_one_tuple_at_a_time(articles, earlier):
    """What mark_duplicates must give: the articles in (ingest_date, source_uri, content_hash, doc_id) order, each
    body's first doc_id, the warehouse's first copies before the run's."""
    first_by_hash, duplicate_of = dict(earlier), {}
    for _, _, content_hash, doc_id in sorted(articles):
        first = first_by_hash.setdefault(content_hash, doc_id)
        if first != doc_id:
            duplicate_of[doc_id] = first
    return duplicate_of


def test_duplicates_are_marked_against_the_first_copy_in_the_warehouse_then_in_the_run():
    import random

    import pyarrow as pa

    from newsclean.write.commit import mark_duplicates

    rng = random.Random(4)
    articles = [(f"2026-01-0{rng.randint(1, 3)}", f"/in/{rng.randint(0, 60):03d}.txt", f"h{rng.randint(0, 25)}", f"d{n % 70}")
                for n in range(80)]  # bodies recur, and so do a few doc_ids (with another body, or the same)
    earlier = [("h3", "old1"), ("h7", "old2"), ("h3", "old3")]  # old3 is no first: h3's first is old1
    names = ["ingest_date", "source_uri", "content_hash", "doc_id"]
    table = pa.table({name: [row[i] for row in articles] for i, name in enumerate(names)})
    earlier_table = pa.table({"content_hash": [h for h, _ in earlier], "doc_id": [d for _, d in earlier]})
    expected = _duplicates_one_tuple_at_a_time(articles, [("h3", "old1"), ("h7", "old2")])
    assert expected and mark_duplicates(table, earlier_table) == expected
    no_earlier = pa.table({"content_hash": pa.array([], pa.string()), "doc_id": pa.array([], pa.string())})
    assert mark_duplicates(table, no_earlier) == _duplicates_one_tuple_at_a_time(articles, [])


def test_processed_files_rows_may_be_read_when_the_memory_is_staged(tmp_path):
    from newsclean.write.commit import read_state

    state = [{"source_uri": f"/in/{name}.txt", "doc_id": name, "size": 1, "mtime_ns": 2, "content_hash": None,
              "ingest_date": "2026-11-22", "run_id": "r1", "processed_at": NOW} for name in ("b", "a")]
    rows = {"rejected": [rejected("a"), rejected("b")]}
    (tmp_path / "given").mkdir(), (tmp_path / "read").mkdir()
    write_run(tmp_path / "given", rows, {"a", "b"}, "r1", run_partition="2026-11-22", state_rows=state)
    calls = []
    write_run(tmp_path / "read", rows, {"a", "b"}, "r1", run_partition="2026-11-22",
              state_rows=lambda: calls.append("read") or pa.Table.from_pylist(state, schema=schema.INGESTED_FILES))
    assert calls == ["read"]
    assert read_state(tmp_path / "read") == read_state(tmp_path / "given") and len(read_state(tmp_path / "given")) == 2
