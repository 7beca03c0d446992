"""Write: Parquet tables under the warehouse root, hive-partitioned by ingest_date, zstd-compressed.

Each partition of a table is one file. A run *merges* into it: rows of the documents it processed (by doc_id;
runs by run_id) replace the rows they had, others stay, so a rerun never duplicates rows. The new file is staged
first and then replaces the old one whole, so a reader sees the old partition or the new one, never half a file:
on a local disk staged under `_staging/` (skipped by readers' globs and pyarrow's discovery) and moved over the old
one with an atomic rename; on S3 staged locally and published with one PUT (newsclean/write/store.py).

`warehouse` is a local path or an `s3://bucket/prefix` URI everywhere in this module.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from newsclean.runtime import collector
from newsclean.write import near_duplicates
from newsclean import schema, settings
from newsclean.clean.site_templates import MAX_TRACKED_STORIES, TemplateLine
from newsclean.runtime.spool import RunSpool
from newsclean.write.store import PARTITION_FILE, Staged, WarehouseError, WarehouseStore, open_warehouse

__all__ = ["PARTITION_FILE", "WarehouseError", "ensure_writable", "partition_key", "partition_path", "write_run"]

PARTITION_KEY = schema.PARTITION_COLUMN  # rows name their partition under this key
STATE_KEY = f"{settings.STATE_DIR}/ingested_files.parquet"
SITE_TEMPLATES_KEY = f"site_templates/{PARTITION_FILE}"
MINHASH_KEY = f"{settings.NEAR_DUPLICATES_DIR}/minhash.parquet"  # the near-duplicate index: every article's MinHash signature


def ensure_writable(warehouse: str | Path | WarehouseStore) -> None:
    """Fail early, before any work, when the warehouse cannot take a file (or its bucket cannot be reached)."""
    open_warehouse(warehouse).ensure_writable()


def partition_key(table: str, ingest_date: str) -> str:
    return f"{table}/{schema.PARTITION_COLUMN}={ingest_date}/{PARTITION_FILE}"


def partition_path(warehouse: Path, table: str, ingest_date: str) -> Path:
    """The file of a partition in a local warehouse."""
    return Path(warehouse) / partition_key(table, ingest_date)


def _key_column(table: str) -> str:
    return "run_id" if table == "runs" else "doc_id"


# The moments of a commit, for tests that stop or kill a run at one of them: each callable here is called with
# ("stage" or "publish", the file's key) before a file is staged, and before it is put in place (a rename, or a PUT).
# Empty unless a test adds one (tests/checkpointed_cli.py in a CLI run's process).
commit_checkpoints: list[Callable[[str, str], None]] = []
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _stops_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the block to end, then take effect as they would have: a commit stopped half-way
    would leave some tables new and others old until the next run. Only the main thread receives signals (and may
    set their handlers); a write elsewhere runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _frame: received.append(signum)) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)  # None: a handler set outside Python
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


def _checkpoint(moment: str, key: str) -> None:
    for checkpoint in commit_checkpoints:
        checkpoint(moment, key)


def _commit(store: WarehouseStore, staged_files: list[Staged]) -> None:
    """Put every staged file in place of its target, one at a time (a rename, or one PUT); a stop waits for the last."""
    with _stops_deferred():
        for staged in staged_files:
            _checkpoint("publish", staged.key)
            store.publish(staged)
        store.finish_commit(staged_files)


DATA_TABLES = tuple(table for table in schema.TABLES if table != "runs")


def data_partitions(warehouse) -> set[str]:
    """The dates that have a partition in any data table (not runs): where a backfill has rows to replace."""
    store = open_warehouse(warehouse)
    return {date for table in DATA_TABLES for date in store.partitions(table)}


def kept_rows(store: WarehouseStore, table: str, ingest_date: str, replace_keys: set[str]) -> Iterator[pa.RecordBatch]:
    """The partition's rows whose keys this run does not replace (one partition in memory, never the run)."""
    target = partition_key(table, ingest_date)
    if not store.exists(target):
        return
    existing = store.read_table(target, schema=schema.TABLES[table])
    replaced = pa.array(sorted(replace_keys), pa.string())
    yield from existing.filter(pc.invert(pc.is_in(existing[_key_column(table)], value_set=replaced))).to_batches()


_BODY_COLUMNS = ["content_hash", "doc_id"]


def _existing_bodies(store: WarehouseStore, skip_doc_ids: set[str], skip_partitions: set[str]) -> pa.Table:
    """The warehouse's articles that are first copies of their body (duplicate_of null), as (content_hash, doc_id) in
    partition order, leaving out the documents this run replaces."""
    skipped = pa.array(sorted(skip_doc_ids), pa.string())
    parts: dict[str, list[pa.ChunkedArray]] = {name: [] for name in _BODY_COLUMNS}
    for partition, key in store.partitions("articles").items():
        if partition in skip_partitions:
            continue
        table = store.read_table(key, columns=["doc_id", "content_hash", "duplicate_of"])
        firsts = pc.and_(pc.is_null(table["duplicate_of"]), pc.invert(pc.is_in(table["doc_id"], value_set=skipped)))
        for name in _BODY_COLUMNS:
            parts[name] += table.filter(firsts)[name].chunks
    return pa.table({name: pa.chunked_array(chunks, pa.string()) for name, chunks in parts.items()})


def mark_duplicates(articles: pa.Table, earlier_bodies: pa.Table) -> dict[str, str]:
    """The same body arriving again (another URL, another day) points at the first doc_id; nothing is dropped.
    `articles` are this run's (ingest_date, source_uri, content_hash, doc_id), taken in that order after
    `earlier_bodies` (content_hash, doc_id: the warehouse's first copies); returns doc_id -> first doc_id for the
    copies. Column-wise: a Python tuple per article would add to the write's peak memory."""
    ordered = articles.take(pc.sort_indices(articles, sort_keys=[(name, "ascending") for name in articles.column_names]))
    hashes = pa.concat_arrays([earlier_bodies["content_hash"].combine_chunks(), ordered["content_hash"].combine_chunks()])
    doc_ids = pa.concat_arrays([earlier_bodies["doc_id"].combine_chunks(), ordered["doc_id"].combine_chunks()])
    # index_in finds a value's first occurrence: each article's first doc_id with its body
    first = doc_ids.take(pc.index_in(ordered["content_hash"], value_set=hashes))
    copies = pc.not_equal(first, ordered["doc_id"])
    return dict(zip(ordered["doc_id"].filter(copies).to_pylist(), first.filter(copies).to_pylist()))


def _run_article_parts(spool: RunSpool, columns: list[str]) -> Iterator[pa.Table]:
    """This run's articles' `columns`, after their partition (ingest_date), a spooled batch at a time."""
    for partition in spool.partitions("articles"):
        for batch in spool.batches("articles", partition, columns=columns):
            part = pa.Table.from_batches([batch])
            yield part.add_column(0, PARTITION_KEY, pa.repeat(pa.scalar(partition, pa.string()), len(part)))


def _run_articles(spool: RunSpool) -> pa.Table:
    """This run's articles as (ingest_date, source_uri, content_hash, doc_id)."""
    return pa.concat_tables(list(_run_article_parts(spool, ["source_uri", "content_hash", "doc_id"])))


def read_minhash_index(store: WarehouseStore) -> near_duplicates.Index:
    """The near-duplicate index earlier runs committed (empty for a new warehouse)."""
    if not store.exists(MINHASH_KEY):
        return near_duplicates.Index.empty()
    try:
        return near_duplicates.Index.from_table(store.read_table(MINHASH_KEY))
    except ValueError as error:
        raise WarehouseError(str(error)) from error


def _with_duplicate_of(batches: Iterable[pa.RecordBatch], duplicate_of: dict[str, str],
                       near: dict[str, near_duplicates.Match]) -> Iterator[pa.Table]:
    no_match = near_duplicates.Match(None, None)
    for batch in batches:
        doc_ids = batch.column("doc_id").to_pylist()
        table = pa.Table.from_batches([batch])
        matches = [near.get(doc_id, no_match) for doc_id in doc_ids]
        for name, values in (("duplicate_of", [duplicate_of.get(doc_id) for doc_id in doc_ids]),
                             ("near_duplicate_of", [match.near_duplicate_of for match in matches]),
                             ("near_duplicate_similarity", [match.similarity for match in matches])):
            position = schema.ARTICLES.get_field_index(name)
            table = table.set_column(position, schema.ARTICLES.field(position), pa.array(values, schema.ARTICLES.field(position).type))
        yield table


def write_run(
    warehouse: str | Path | WarehouseStore, rows: RunSpool | Mapping[str, list[dict]], processed_doc_ids: set[str], run_id: str, *,
    run_partition: str, site_memory: dict[tuple[str, str], TemplateLine] | None = None,
    state_rows: pa.Table | list[dict] | Callable[[], pa.Table] | None = None, replace_partitions: set[str] = frozenset(), previous_partitions: set[str] = frozenset(),
    report_folder: Path | None = None,
) -> None:
    """Commit one run: merge its rows into the partitions they belong to (rows carry `ingest_date`), replace the
    partitions in `replace_partitions` whole (a backfill), mark duplicate bodies, fold its site templates and its
    processed files into the warehouse's memory. `rows` are the run's spooled rows, or lists of rows by table
    (a runs row goes to `run_partition`). `state_rows`, the processed files' rows, may be a function that reads them:
    it is called when the memory is staged, last, so that a big run's rows are not held through the other tables'.
    `report_folder`, the run's validation report (Data Docs) built in scratch, is committed first, to `_reports/<run_id>/`.

    Under the warehouse's lock, every new file is staged first and only then are they all moved into place, the
    processed-files memory last: a full disk leaves every table as it was, and a run killed mid-commit leaves
    partitions each old or new and a memory that makes the next run redo its documents."""
    from newsclean.write.lock import WarehouseLock

    store = open_warehouse(warehouse)
    lock = WarehouseLock(store, run={"run_id": run_id, "run_partition": run_partition})
    try:
        lock.acquire()
    except OSError as error:
        raise WarehouseError(f"cannot lock the warehouse {str(store)!r}: {error.strerror or error}") from error
    spool = rows if isinstance(rows, RunSpool) else RunSpool.of(rows, run_partition)
    try:
        if lock.stale_owner:
            _remove_report_of_a_cut_commit(store, lock.stale_owner)
        _stage_and_commit(store, spool, processed_doc_ids, run_id, run_partition, site_memory, state_rows,
                          set(replace_partitions), set(previous_partitions), report_folder)
    finally:
        lock.release()
        if spool is not rows:
            spool.close()


def _remove_report_of_a_cut_commit(store: WarehouseStore, owner: dict) -> None:
    """A run killed in its commit, after its report went in and before its runs row did, left a report of a run that
    never landed: its lock (now this run's) names it. Its staged files go with clear_staging()."""
    run_id, run_partition = owner.get("run_id"), owner.get("run_partition")
    if run_id and run_partition:
        _remove_report_unless_committed(store, run_id, run_partition)


def _remove_report_unless_committed(store: WarehouseStore, run_id: str, run_partition: str) -> None:
    """The report goes first in a commit, the runs row that links to it later: a commit cut short between the two
    leaves a report of a run that never landed."""
    if not run_committed(store, run_id, run_partition):
        store.remove_report(run_id)


def _stage(store: WarehouseStore, parts, key: str, schema: pa.Schema | None = None) -> Staged:
    """Stage one file, then give the pages its buffers used back to the system: the allocator otherwise keeps them,
    and each table's pass would add its own to the run's peak RSS."""
    _checkpoint("stage", key)
    staged = store.stage(parts, key, schema=schema)
    collector.return_freed_memory()
    return staged


def _stage_and_commit(store: WarehouseStore, spool: RunSpool, processed_doc_ids, run_id, run_partition, site_memory,
                      state_rows, replace_partitions: set[str], previous_partitions: set[str], report_folder: Path | None) -> None:
    staged: list[Staged] = []
    try:
        store.clear_staging()
        if report_folder is not None:  # committed first: its runs row, which links to it, comes after
            staged.append(store.stage_report(report_folder, run_id))
        duplicate_of = (mark_duplicates(_run_articles(spool), _existing_bodies(store, processed_doc_ids, replace_partitions))
                        if spool.row_counts["articles"] else {})
        collector.return_freed_memory()  # the articles' columns, sorted: gone (see _stage)
        earlier = read_minhash_index(store).without(processed_doc_ids, replace_partitions)
        near, minhash_index = near_duplicates.match_run(_run_article_parts(spool, ["source_uri", "doc_id", "body"]), earlier)
        data_dates = set().union(*(spool.partitions(table) for table in DATA_TABLES)) | replace_partitions
        # A new warehouse gets every table, with its schema, for readers: a table this run has no rows for gets an
        # empty file in the run's date, or, when that date holds no document of the run, in the first that does.
        first_date = run_partition if run_partition in data_dates or not data_dates else min(data_dates)
        for table, table_schema in schema.TABLES.items():
            if table == "runs":
                partitions, replace_keys = spool.partitions(table) | {run_partition}, {run_id}
            else:
                partitions, replace_keys = spool.partitions(table) | replace_partitions | previous_partitions, processed_doc_ids
            if not store.has_table(table) and not partitions:
                partitions.add(first_date)  # (runs: always in run_partition)
            for partition in sorted(partitions):
                new_rows = spool.batches(table, partition)
                if table == "articles":
                    new_rows = _with_duplicate_of(new_rows, duplicate_of, near)
                # a backfill's partitions are rewritten whole; runs of every kind accumulate
                replaced_whole = partition in replace_partitions and table != "runs"
                kept = () if replaced_whole else kept_rows(store, table, partition, replace_keys)
                staged.append(_stage(store, chain(kept, new_rows), partition_key(table, partition), schema=table_schema))
        if site_memory is not None:
            tables = site_templates_tables(merge_site_memory(read_site_templates(store), site_memory))  # gone once staged
            staged.append(_stage(store, tables, SITE_TEMPLATES_KEY, schema=schema.SITE_TEMPLATES))
        staged.append(_stage(store, minhash_index.table(), MINHASH_KEY))
        del minhash_index
        if state_rows is not None:
            # read (if a function) in the call: only the merged, sorted rows are held while they are staged
            staged.append(_stage(store, merged_state(store, state_rows() if callable(state_rows) else state_rows,
                                                     replace_partitions), STATE_KEY))
        _commit(store, staged)
    except BaseException as error:  # any error, or a stop (Ctrl-C, SIGTERM) while staging: no staged file left behind
        store.discard(staged)
        if report_folder is not None:  # and no report, if the commit failed after publishing it
            _remove_report_unless_committed(store, run_id, run_partition)
        if isinstance(error, OSError):
            raise WarehouseError(f"cannot write the warehouse {str(store)!r}: {error.strerror or error}; "
                                 f"its tables are left as they were") from error
        raise


def run_committed(warehouse, run_id: str, run_partition: str) -> bool:
    """Whether the run's row is in the runs table (its commit got that far): for cleaning up after a failed run."""
    store = open_warehouse(warehouse)
    key = partition_key("runs", run_partition)
    try:
        return store.exists(key) and run_id in store.read_table(key, columns=["run_id"])["run_id"].to_pylist()
    except OSError:
        return True  # cannot tell: keep what there is


def read_state(warehouse) -> dict[str, dict]:
    """What earlier runs processed, by source_uri: the incremental memory (kept in the warehouse, not in Prefect)."""
    store = open_warehouse(warehouse)
    if not store.exists(STATE_KEY):
        return {}
    return {row["source_uri"]: row for row in store.read_table(STATE_KEY, schema=schema.INGESTED_FILES).to_pylist()}


def merged_state(warehouse, state: pa.Table | list[dict], replace_partitions: set[str]) -> pa.Table:
    """This run's processed files (a table of schema.INGESTED_FILES, or its rows) over the memory; a backfill forgets
    its dates' files first (deleted raw files too), and leaves the memory of other dates alone. Sorted by source_uri."""
    if not isinstance(state, pa.Table):
        state = pa.Table.from_pylist(state, schema=schema.INGESTED_FILES)
    store = open_warehouse(warehouse)
    parts = [state]
    if store.exists(STATE_KEY):
        existing = store.read_table(STATE_KEY, schema=schema.INGESTED_FILES)
        replaced = pc.or_(pc.is_in(existing["source_uri"], value_set=state["source_uri"].combine_chunks()),
                          pc.is_in(existing["ingest_date"], value_set=pa.array(sorted(replace_partitions), pa.string())))
        parts.insert(0, existing.filter(pc.invert(replaced)))
    merged = pa.concat_tables(parts)
    return merged.take(pc.sort_indices(merged, sort_keys=[("source_uri", "ascending")]))


def merge_site_memory(current: dict, ours: dict) -> dict:
    """Union of what another run committed meanwhile and what this run learnt: no run's learning is lost."""
    merged = dict(current)
    for key, line in ours.items():
        known = merged.get(key)
        if known is None:
            merged[key] = line
        else:
            stories = list(dict.fromkeys(known.story_keys + line.story_keys))[:MAX_TRACKED_STORIES]
            merged[key] = TemplateLine(known.site, known.line_hash, known.example_text, stories,
                                       min(known.first_seen, line.first_seen), max(known.last_seen, line.last_seen))
    return merged


def read_site_templates(warehouse) -> dict[tuple[str, str], TemplateLine]:
    """What earlier runs learnt about each site's template lines (empty for a new warehouse)."""
    store = open_warehouse(warehouse)
    if not store.exists(SITE_TEMPLATES_KEY):
        return {}
    rows = store.read_table(SITE_TEMPLATES_KEY, schema=schema.SITE_TEMPLATES).to_pylist()
    return {
        (row["site"], row["line_hash"]): TemplateLine(
            row["site"], row["line_hash"], row["example_text"], row["story_keys"], row["first_seen"], row["last_seen"]
        )
        for row in rows
    }


SITE_TEMPLATE_LINES_PER_TABLE = 16384


def site_templates_tables(memory: dict[tuple[str, str], TemplateLine]) -> Iterator[pa.Table]:
    """The site_templates table's rows, sorted, a piece at a time and a column at a time: a big run learns lines by
    the hundred thousand, and their table built whole (a dict per line, even more) was a large part of its peak."""
    lines = sorted(memory.values(), key=lambda line: (line.site, -line.doc_count, line.line_hash))
    for start in range(0, len(lines), SITE_TEMPLATE_LINES_PER_TABLE):
        piece = lines[start : start + SITE_TEMPLATE_LINES_PER_TABLE]
        yield pa.table({name: [getattr(line, name) for line in piece] for name in schema.SITE_TEMPLATES.names},
                       schema=schema.SITE_TEMPLATES)
