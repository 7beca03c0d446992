"""A run's intermediate results on local disk, so that a run's memory does not grow with its number of documents.

Each shard's cleaned documents wait here for the site-level pass, which needs the whole run: in memory while the
run's held documents stay within settings.PENDING_MEMORY_BYTES, else pickled, one file per shard. Their doc_ids and
the line summaries that the site-level learning reads first always go to files (small); the tables' rows are
appended a shard at a time to one scratch Parquet file per table and partition, which the write step then streams
into the warehouse, with the run's validation report (built here, committed with the tables). Scratch files live in
a private temporary folder (TMPDIR), removed when the spool is closed (a spool left by a run killed outright goes when
the next run on the host opens its own); the warehouse is only ever touched by the write step.
"""
from __future__ import annotations

import bisect
import os
import pickle
import shutil
from collections import Counter
from itertools import accumulate
from pathlib import Path
from typing import Iterator, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from newsclean.runtime import collector, scratch
from newsclean import schema, settings
from newsclean.records import STATE_TABLE

# Arrow's buffers from the C library's malloc (see newsclean/__init__.py), also for pyarrow's own calls when pyarrow was
# imported before flows and its C++ default pool was chosen without us (mimalloc keeps the pages it frees).
if os.environ.get("ARROW_DEFAULT_MEMORY_POOL") == "system":
    pa.set_memory_pool(pa.system_memory_pool())

PARTITION_KEY = schema.PARTITION_COLUMN  # rows name their partition under this key
_SCRATCH_COMPRESSION = "lz4"  # read back once, soon: speed over size
# The warehouse's tables, and the processed-files memory's rows (written whole by the write step, not by partition)
SCHEMAS = {**schema.TABLES, STATE_TABLE: schema.INGESTED_FILES}


class RunSpool:
    def __init__(self, memory_budget: int | None = None) -> None:
        """`memory_budget`: bytes of pending documents held in memory (default settings.PENDING_MEMORY_BYTES)."""
        self.directory = scratch.private_folder("spool")
        self._writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.row_counts: Counter = Counter()  # table -> rows added
        self.memory_budget = settings.PENDING_MEMORY_BYTES if memory_budget is None else memory_budget
        self._held: dict[int, tuple[list, int]] = {}  # shard -> (its first pending documents, their bytes), in memory
        self.held_bytes = 0

    @classmethod
    def of(cls, rows_by_table: Mapping[str, list[dict]], default_partition: str) -> "RunSpool":
        """A spool holding these rows (rows without a partition, like a run's, go to `default_partition`)."""
        spool = cls()
        for table, rows in rows_by_table.items():
            spool.add_rows(table, rows, default_partition)
        return spool

    @property
    def report_folder(self) -> Path:
        """Where the run's validation report is built, until the write commits it with the tables."""
        return self.directory / "report"

    def __enter__(self) -> "RunSpool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        self._held.clear()
        self.held_bytes = 0
        shutil.rmtree(self.directory, ignore_errors=True)

    # ------------------------------------------------------------ documents waiting for the site-level pass

    def _pending_path(self, shard: int, kind: str = "pending") -> Path:
        return self.directory / f"{kind}-{shard:06d}.pickle"

    def _dump(self, path: Path, value) -> None:
        with open(path, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def _load(self, path: Path):
        with open(path, "rb") as handle, collector.paused():  # unpickling builds a shard's objects at once
            return pickle.load(handle)

    def put_pending(self, shard: int, documents: list, doc_ids: list[str], line_summaries: list,
                    sizes: list[int] | None = None) -> None:
        """A shard's documents, their doc_ids (a run checks which recur) and their line summaries (what the
        site-level learning needs of them). `sizes`: what each document takes in memory, roughly. As many of the
        shard's first documents as fit in what is left of the memory budget stay in memory, the rest go to a file
        (all of them without `sizes`); the ids and summaries go to files, so that they do not grow the flow's
        memory with the run."""
        room = self.memory_budget - self.held_bytes
        kept = bisect.bisect_right(list(accumulate(sizes)), room) if sizes is not None else 0
        kept_bytes = sum(sizes[:kept]) if sizes is not None else 0
        self._held[shard] = (documents[:kept], kept_bytes)
        self.held_bytes += kept_bytes
        if kept < len(documents):
            self._dump(self._pending_path(shard), documents[kept:])
        self._dump(self._pending_path(shard, "doc-ids"), doc_ids)
        self._dump(self._pending_path(shard, "line-summaries"), line_summaries)

    def pending_doc_ids(self, shards: int) -> Iterator[str]:
        """The doc_ids of shards 0 .. shards - 1's pending documents, in order."""
        for shard in range(shards):
            yield from self._load(self._pending_path(shard, "doc-ids"))

    def line_summaries(self, shards: int) -> list:
        """The line summaries of shards 0 .. shards - 1's pending documents, in order."""
        return [summary for shard in range(shards) for summary in self._load(self._pending_path(shard, "line-summaries"))]

    def take_pending(self, shard: int) -> list:
        """The shard's documents, in order (once: the spool lets go of them and removes their file)."""
        if shard not in self._held:
            raise KeyError(f"shard {shard}'s pending documents were never put, or were taken already")
        documents, held_bytes = self._held.pop(shard)
        self.held_bytes -= held_bytes
        path = self._pending_path(shard)
        if path.exists():
            documents = documents + self._load(path)
            path.unlink()
        return documents

    # ------------------------------------------------------------ table rows

    def _scratch_path(self, table: str, partition: str) -> Path:
        return self.directory / table / f"{PARTITION_KEY}={partition}.parquet"

    def add_rows(self, table: str, rows: list[dict], default_partition: str | None = None) -> None:
        """Append rows (each names its partition under `ingest_date`, else `default_partition`) to the table."""
        by_partition: dict[str, list[dict]] = {}
        for row in rows:
            by_partition.setdefault(row.get(PARTITION_KEY) or default_partition, []).append(row)
        for partition, partition_rows in by_partition.items():
            if partition is None:
                raise ValueError(f"a {table} row names no partition")
            writer = self._writers.get((table, partition))
            if writer is None:
                path = self._scratch_path(table, partition)
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(path, SCHEMAS[table], compression=_SCRATCH_COMPRESSION)
                self._writers[(table, partition)] = writer
            writer.write_table(schema.rows_table(partition_rows, SCHEMAS[table]))
        self.row_counts[table] += len(rows)

    def partitions(self, table: str) -> set[str]:
        return {partition for name, partition in self._writers if name == table}

    def _finished(self, table: str, partition: str) -> Path | None:
        writer = self._writers.get((table, partition))
        if writer is not None:
            writer.close()  # closing twice is harmless: reading needs the footer written
        path = self._scratch_path(table, partition)
        return path if path.exists() else None

    def batches(self, table: str, partition: str, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The table's rows of that partition, in the order they were added, a row group at a time."""
        path = self._finished(table, partition)
        if path is None:
            return
        scratch_file = pq.ParquetFile(path)
        for group in range(scratch_file.num_row_groups):
            # one thread: decoding a shard's row group on Arrow's thread pool was no faster, and each of its threads
            # kept freed buffers in its own malloc arena (a higher peak while staging: docs/benchmarks.md)
            yield from scratch_file.read_row_group(group, columns=columns, use_threads=False).to_batches()

    def rows(self, table: str) -> list[dict]:
        """Every row of the table as dicts, with its partition: for small tables and checks, not for articles."""
        return [{**row, PARTITION_KEY: partition} for partition in sorted(self.partitions(table))
                for batch in self.batches(table, partition) for row in batch.to_pylist()]

    def table(self, table: str) -> pa.Table:
        """Every row of the table (all partitions, as added): for the processed-files memory's rows."""
        return pa.Table.from_batches([batch for partition in sorted(self.partitions(table))
                                      for batch in self.batches(table, partition)], schema=SCHEMAS[table])
