"""Write: Parquet tables under the warehouse root, hive-partitioned by ingest_date, zstd-compressed.

Each partition of a table is one file. A run *merges* into it: rows of the documents it processed (by doc_id;
runs by run_id) replace the rows they had, others stay, so a rerun never duplicates rows. The new file is written
under `_staging/` (skipped by readers' globs and pyarrow's discovery) and moved over the old one with an atomic
rename, so a reader sees the old partition or the new one, never half a file.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import schema, settings
from .clean.site_templates import TemplateLine

PARTITION_FILE = "part-0.parquet"


class WarehouseError(Exception):
    """The warehouse cannot be written (missing permissions, not a folder, disk full)."""


def ensure_writable(warehouse: Path) -> None:
    """Fail early, before any work, when the warehouse cannot take a file."""
    try:
        staging = warehouse / settings.STAGING_DIR
        staging.mkdir(parents=True, exist_ok=True)
        probe = staging / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise WarehouseError(f"warehouse {str(warehouse)!r} is not writable: {error.strerror or error}") from error


def partition_path(warehouse: Path, table: str, ingest_date: str) -> Path:
    return warehouse / table / f"{schema.PARTITION_COLUMN}={ingest_date}" / PARTITION_FILE


def _key_column(table: str) -> str:
    return "run_id" if table == "runs" else "doc_id"


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _stage(table: pa.Table, target: Path, staging_dir: Path) -> tuple[Path, Path]:
    """Write the new version of `target` under staging, flushed to disk; returns (staged, target)."""
    staging_dir.mkdir(parents=True, exist_ok=True)
    staged = staging_dir / f"{uuid.uuid4().hex}.parquet"
    try:
        with open(staged, "wb") as handle:
            pq.write_table(table, handle, compression=settings.PARQUET_COMPRESSION)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged, target


def _commit(staged_files: list[tuple[Path, Path]]) -> None:
    """Move every staged file over its target. Renames need no space: a full disk fails while staging, before this."""
    for staged, target in staged_files:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)  # atomic on one filesystem: readers see the old file or the new one
    for folder in {target.parent for _, target in staged_files}:
        _fsync_dir(folder)


def merged_partition(warehouse: Path, table: str, ingest_date: str, rows: list[dict], replace_keys: set[str]) -> pa.Table:
    """The partition with the rows of `replace_keys` replaced by `rows` (keys not in this run are kept)."""
    table_schema = schema.TABLES[table]
    new_rows = pa.Table.from_pylist(rows, schema=table_schema)
    target = partition_path(warehouse, table, ingest_date)
    if target.exists():
        existing = pq.read_table(target, schema=table_schema)
        keep = pc.invert(pc.is_in(existing[_key_column(table)], value_set=pa.array(sorted(replace_keys), pa.string())))
        new_rows = pa.concat_tables([existing.filter(keep), new_rows])
    return new_rows


def write_run(
    warehouse: Path, ingest_date: str, rows_by_table: dict[str, list[dict]], processed_doc_ids: set[str], run_id: str,
    site_memory: dict[tuple[str, str], TemplateLine] | None = None,
) -> None:
    """Merge one run's rows into every table's partition for `ingest_date` (each table written even when empty, so
    readers always find every table with its schema), and replace the site templates.

    Every new file is staged first and only then are they all moved into place, so a full disk or a failed write
    leaves every table as it was."""
    staging_dir = warehouse / settings.STAGING_DIR
    staged: list[tuple[Path, Path]] = []
    try:
        for table in schema.TABLES:
            replace_keys = {run_id} if table == "runs" else processed_doc_ids
            merged = merged_partition(warehouse, table, ingest_date, rows_by_table.get(table, []), replace_keys)
            staged.append(_stage(merged, partition_path(warehouse, table, ingest_date), staging_dir))
        if site_memory is not None:
            staged.append(_stage(site_templates_table(site_memory), site_templates_path(warehouse), staging_dir))
        _commit(staged)
    except OSError as error:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        raise WarehouseError(f"cannot write the warehouse {str(warehouse)!r}: {error.strerror or error}; "
                             f"its tables are left as they were") from error


def site_templates_path(warehouse: Path) -> Path:
    return warehouse / "site_templates" / PARTITION_FILE


def read_site_templates(warehouse: Path) -> dict[tuple[str, str], TemplateLine]:
    """What earlier runs learnt about each site's template lines (empty for a new warehouse)."""
    path = site_templates_path(warehouse)
    if not path.exists():
        return {}
    rows = pq.read_table(path, schema=schema.SITE_TEMPLATES).to_pylist()
    return {
        (row["site"], row["line_hash"]): TemplateLine(
            row["site"], row["line_hash"], row["example_text"], row["story_keys"], row["first_seen"], row["last_seen"]
        )
        for row in rows
    }


def site_templates_table(memory: dict[tuple[str, str], TemplateLine]) -> pa.Table:
    rows = [
        {"site": line.site, "line_hash": line.line_hash, "example_text": line.example_text, "doc_count": line.doc_count,
         "story_keys": line.story_keys, "first_seen": line.first_seen, "last_seen": line.last_seen}
        for line in sorted(memory.values(), key=lambda line: (line.site, -line.doc_count, line.line_hash))
    ]
    return pa.Table.from_pylist(rows, schema=schema.SITE_TEMPLATES)
