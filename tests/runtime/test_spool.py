"""The run spool: rows and pending documents on local disk between a run's passes, read back as they went in."""
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest

from newsclean.runtime.scratch import OWNER_FILE
from newsclean.runtime.spool import RunSpool

from ..conftest import ROOT

NOW = dt.datetime(2026, 11, 22, 6, tzinfo=dt.timezone.utc)


def rejected(doc_id: str, partition: str) -> dict:
    return {"doc_id": doc_id, "source_uri": f"/in/{doc_id}", "reason": "binary", "run_id": "r1", "processed_at": NOW,
            "ingest_date": partition}


def test_rows_come_back_by_partition_in_the_order_they_were_added():
    with RunSpool() as spool:
        spool.add_rows("rejected", [rejected("a", "2026-11-21"), rejected("b", "2026-11-22")])
        spool.add_rows("rejected", [rejected("c", "2026-11-22")])
        spool.add_rows("rejected", [])
        assert spool.partitions("rejected") == {"2026-11-21", "2026-11-22"} and spool.row_counts["rejected"] == 3
        assert spool.partitions("articles") == set()
        batches = list(spool.batches("rejected", "2026-11-22"))
        assert pa.Table.from_batches(batches).column("doc_id").to_pylist() == ["b", "c"]
        assert [row["doc_id"] for row in spool.rows("rejected")] == ["a", "b", "c"]
        assert spool.rows("rejected")[0] == rejected("a", "2026-11-21")  # every column round-trips, partition included
        assert list(spool.batches("articles", "2026-11-22")) == []


def test_a_row_without_a_partition_needs_a_default():
    with RunSpool() as spool:
        row = rejected("a", "2026-11-22")
        del row["ingest_date"]
        with pytest.raises(ValueError, match="names no partition"):
            spool.add_rows("rejected", [row])
        spool.add_rows("rejected", [row], default_partition="2026-11-20")
        assert spool.partitions("rejected") == {"2026-11-20"}


@pytest.mark.parametrize("memory_budget", [0, 3000, 10_000], ids=["in files", "split", "in memory"])
def test_pending_documents_are_taken_once_in_order_and_the_folder_goes_on_close(memory_budget):
    spool = RunSpool(memory_budget=memory_budget)
    spool.put_pending(0, [{"doc": 1}, {"doc": 2}], ["x", "y"], ["summary x", "summary y"], sizes=[2000, 2000])
    spool.put_pending(1, [{"doc": 3}], ["x"], ["summary x again"], sizes=[2000])
    spool.put_pending(2, [], [], [], sizes=[])  # a shard whose every document was rejected
    assert list(spool.pending_doc_ids(3)) == ["x", "y", "x"]
    assert spool.line_summaries(3) == ["summary x", "summary y", "summary x again"]
    assert spool.take_pending(1) == [{"doc": 3}] and spool.take_pending(0) == [{"doc": 1}, {"doc": 2}]
    assert spool.take_pending(2) == []
    with pytest.raises(KeyError, match="taken already"):
        spool.take_pending(0)
    assert spool.held_bytes == 0 and not list(spool.directory.glob("pending-*"))
    spool.add_rows("rejected", [rejected("a", "2026-11-22")])
    spool.close()
    assert not spool.directory.exists()


def test_pending_documents_stay_in_memory_within_the_budget_and_go_to_a_file_beyond():
    with RunSpool(memory_budget=5000) as spool:
        unpicklable = lambda: "a document"  # noqa: E731  held as it is: never pickled
        spool.put_pending(0, [unpicklable, {"doc": 2}], ["a", "b"], ["sa", "sb"], sizes=[3000, 3000])  # the second: no room
        spool.put_pending(1, [{"doc": 3}, {"doc": 4}], ["c", "d"], ["sc", "sd"], sizes=[2000, 1])
        assert sorted(path.name for path in spool.directory.glob("pending-*")) == ["pending-000000.pickle", "pending-000001.pickle"]
        assert spool.held_bytes == 5000
        first = spool.take_pending(0)
        assert first[0] is unpicklable and first[1:] == [{"doc": 2}] and spool.held_bytes == 2000
        assert spool.take_pending(1) == [{"doc": 3}, {"doc": 4}]
        spool.put_pending(2, [{"doc": 5}], ["e"], ["se"])  # no sizes: to a file
        assert (spool.directory / "pending-000002.pickle").exists() and spool.take_pending(2) == [{"doc": 5}]


def _spool_in_child(tmp_path, then: str) -> tuple[subprocess.Popen, Path]:
    """A real process that opens a spool under tmp_path, prints its folder, then runs `then`."""
    code = (f"import os, signal, sys, tempfile; tempfile.tempdir = {str(tmp_path)!r}\n"
            "from newsclean.runtime.spool import RunSpool\n"
            "spool = RunSpool(); spool.add_rows('rejected', [])\n"
            "print(spool.directory, flush=True)\n" + then)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return child, Path(child.stdout.readline().strip())


def test_a_killed_runs_spool_goes_when_the_next_spool_opens_and_no_other(tmp_path, monkeypatch):
    killed, killed_spool = _spool_in_child(tmp_path, "os.kill(os.getpid(), signal.SIGKILL)")
    living, living_spool = _spool_in_child(tmp_path, "import time; time.sleep(60)")
    try:
        assert killed.wait(timeout=30) == -signal.SIGKILL and killed_spool.is_dir()  # nothing removed it
        elsewhere = tmp_path / "newsclean-spool-otherhost"  # a dead pid, but on another host: cannot be checked
        elsewhere.mkdir()
        (elsewhere / OWNER_FILE).write_text(json.dumps({"host": "not-" + socket.gethostname(), "pid": killed.pid}))
        unowned = tmp_path / "newsclean-spool-unowned"  # no owner file: another version's, or one being made
        unowned.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        with RunSpool() as spool:
            assert not killed_spool.exists()
            assert living_spool.is_dir() and elsewhere.is_dir() and unowned.is_dir() and spool.directory.is_dir()
    finally:
        living.kill()
        living.wait()


def test_arrow_allocates_from_malloc_in_cpp_code_too(tmp_path):
    """Parquet's own reading and writing buffers come from Arrow's C++ default pool, chosen once at pyarrow's import:
    flows names it before pyarrow is imported, so mimalloc (which keeps the pages it frees) is never used."""
    code = ("import newsclean, pyarrow as pa, pyarrow.parquet as pq, sys\n"
            "try:\n    mimalloc = pa.mimalloc_memory_pool()\nexcept NotImplementedError:\n    sys.exit(0)\n"
            "table = pa.table({'text': [str(i) * 50 for i in range(20000)]})\n"
            f"pq.write_table(table, {str(tmp_path / 'x.parquet')!r}, compression='zstd')\n"
            f"pq.read_table({str(tmp_path / 'x.parquet')!r})\n"
            "print(mimalloc.max_memory())\n")
    environment = {key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"}
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True,
                            cwd=ROOT)  # this checkout's newsclean
    assert result.stdout.strip() in ("", "0")


def _second_pass(source, monkeypatch, shards: int, chunk_rows: int, chunk_characters: int):
    """A spooled run's two passes over `source` in `shards` shards, validation chunks as given: (articles' doc_ids in
    the order written, quarantined doc_ids, how many chunks were validated)."""
    from newsclean import settings
    from newsclean.records import RunContext
    from newsclean.runtime.passes import RunTotals, finish_and_validate_spooled, learn_site_templates, process_batch, spool_shard
    from newsclean.runtime.plan import split_batches
    from newsclean.read.discover import discover
    from newsclean.validate.checks import Validator

    monkeypatch.setattr(settings, "VALIDATION_CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(settings, "VALIDATION_CHUNK_BYTES", chunk_characters)
    context = RunContext("chunks", dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc), "2026-11-22")
    sources = discover(source)
    batches = split_batches(sources, -(-len(sources) // shards))
    with RunSpool() as spool:
        totals = RunTotals()
        for shard, batch in enumerate(batches):
            spool_shard(spool, shard, batch, process_batch(batch, context), totals, context)
        memory = learn_site_templates(spool.line_summaries(len(batches)), {}, context)
        validator = Validator(today=context.processed_at.date())
        finish_and_validate_spooled(spool, len(batches), memory, context, validator, totals)
        articles = spool.table("articles").column("doc_id").to_pylist()
        quarantined = spool.table("quarantine").column("doc_id").to_pylist()
    return articles, quarantined, validator.chunks


def test_candidates_are_validated_in_chunks_across_shards_within_the_row_and_text_budgets(make_source, monkeypatch):
    body = ("The council approved the new budget on Tuesday after a long debate that lasted into the night. " * 4).strip()
    files = {f"site/story{n:02d}.txt": f"Budget story number {n}\n\n{body}\n" for n in range(10)}
    files["site/short.txt"] = "Too short."  # quarantined: the checks still see every row, whatever the chunks
    source = make_source(files)
    whole = _second_pass(source, monkeypatch, shards=1, chunk_rows=1000, chunk_characters=10**9)
    assert len(whole[0]) == 10 and len(whole[1]) == 1 and whole[2] == 1
    assert _second_pass(source, monkeypatch, shards=4, chunk_rows=1000, chunk_characters=10**9) == whole  # 4 shards, 1 chunk
    by_rows = _second_pass(source, monkeypatch, shards=2, chunk_rows=4, chunk_characters=10**9)
    assert by_rows[:2] == whole[:2] and by_rows[2] == 3  # 11 rows: 4 + 4 + 3
    by_text = _second_pass(source, monkeypatch, shards=2, chunk_rows=1000, chunk_characters=3 * len(body))
    assert by_text[:2] == whole[:2] and by_text[2] == 4  # three stories fill a chunk, the short one rides along: 4 + 3 + 3 + 1
