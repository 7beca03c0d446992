"""The writer: partitions merged by key, atomic replace through _staging, schemas that readers see."""
import datetime as dt

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from flows import schema
from flows.write import WarehouseError, ensure_writable, partition_path, write_run

NOW = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.timezone.utc)


def rejected(doc_id, reason="bad", run_id="r1"):
    return {"doc_id": doc_id, "source_uri": f"/in/{doc_id}.txt", "reason": reason, "run_id": run_id, "processed_at": NOW}


def test_merge_replaces_rows_of_processed_keys_and_keeps_the_rest(tmp_path):
    write_run(tmp_path, "2026-11-22", {"rejected": [rejected("a"), rejected("b")]}, {"a", "b"}, "r1")
    write_run(tmp_path, "2026-11-22", {"rejected": [rejected("b", "worse", "r2"), rejected("c", run_id="r2")]}, {"b", "c"}, "r2")
    table = pq.read_table(partition_path(tmp_path, "rejected", "2026-11-22"))
    assert table.num_rows == 3
    assert sorted(zip(table["doc_id"].to_pylist(), table["reason"].to_pylist())) == [("a", "bad"), ("b", "worse"), ("c", "bad")]


def test_processed_document_leaves_the_table_it_no_longer_belongs_to(tmp_path):
    write_run(tmp_path, "2026-11-22", {"rejected": [rejected("a")]}, {"a"}, "r1")
    write_run(tmp_path, "2026-11-22", {"rejected": []}, {"a"}, "r2")  # now it went elsewhere
    assert pq.read_table(partition_path(tmp_path, "rejected", "2026-11-22")).num_rows == 0


def test_every_table_is_written_with_its_schema_and_staging_is_left_empty(tmp_path):
    write_run(tmp_path, "2026-11-22", {}, set(), "r1")
    for name, table_schema in schema.TABLES.items():
        dataset = pads.dataset(tmp_path / name, partitioning="hive")
        assert dataset.schema.field("doc_id" if name != "runs" else "run_id").metadata[b"description"]
        assert pq.read_schema(partition_path(tmp_path, name, "2026-11-22")).equals(table_schema, check_metadata=False)
    assert list((tmp_path / "_staging").iterdir()) == []
    assert pq.ParquetFile(partition_path(tmp_path, "articles", "2026-11-22")).metadata.row_group(0).column(0).compression == "ZSTD"


def test_unwritable_warehouse_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(WarehouseError, match="not writable"):
        ensure_writable(blocker / "warehouse")
