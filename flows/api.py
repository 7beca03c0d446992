"""newsclean's Python API, for notebooks and other flows: `from flows import run, backfill, plan, clean_document`.

Each function imports what it needs when called (Prefect, Great Expectations, trafilatura take seconds to import), so
that `import flows` stays cheap. The package re-exports these names (newsclean/__init__.py); moving the library to
another package name moves this module with it.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import Counter

from newsclean import settings

__all__ = ["RejectedDocument", "backfill", "clean_document", "plan", "run"]

RUN_MODES = ("incremental", "reprocess")


class RejectedDocument(Exception):
    """The document would go to the `rejected` table: the reason is the exception's message (and `.reason`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run(source: str | os.PathLike = settings.DEFAULT_SOURCE, warehouse: str | os.PathLike = settings.DEFAULT_WAREHOUSE, *,
        mode: str = "incremental", ingest_date: str | None = None, workers: int | None = None,
        dask_address: str | None = None) -> dict:
    """One run of the clean_articles flow over `source` into `warehouse`, as `newsclean run` does: new or changed
    documents (mode="incremental") or all of them ("reprocess"). A Prefect flow run: on the server PREFECT_API_URL
    names, else on Prefect's temporary local server. Returns the run's summary (its `runs` row: counts, run_id,
    data_docs, and `duplicates_out`)."""
    if mode not in RUN_MODES:
        raise ValueError(f"mode must be one of {RUN_MODES} (a backfill: backfill()), not {mode!r}")
    from flows.flow import clean_articles

    return clean_articles(source=os.fspath(source), warehouse=os.fspath(warehouse), ingest_date=ingest_date, mode=mode,
                          workers=workers, dask_address=dask_address)


def backfill(source: str | os.PathLike, start: str, end: str, warehouse: str | os.PathLike = settings.DEFAULT_WAREHOUSE, *,
             workers: int | None = None, dask_address: str | None = None) -> dict:
    """Reprocess the documents of the dates [start, end) (YYYY-MM-DD) and replace exactly those partitions, as
    `newsclean backfill` does. Returns the run's summary."""
    from flows.flow import clean_articles

    return clean_articles(source=os.fspath(source), warehouse=os.fspath(warehouse), mode="backfill", start=start, end=end,
                          workers=workers, dask_address=dask_address)


def _status(source, state: dict[str, dict]) -> str:
    known = state.get(source.source_uri)
    if known is None:
        return "new"
    return "unchanged" if (known["size"], known["mtime_ns"]) == (source.size, source.mtime_ns) else "changed"


def plan(source: str | os.PathLike = settings.DEFAULT_SOURCE, warehouse: str | os.PathLike = settings.DEFAULT_WAREHOUSE, *,
         mode: str = "incremental", ingest_date: str | None = None, start: str | None = None, end: str | None = None) -> dict:
    """What a run would process, without running it and without writing anything (no Prefect, no lock, no probe):
    the documents under `source` by partition, each `new`, `changed` (size or time differ from what the warehouse
    processed) or `unchanged`, and how many of them the run would process (`to_process`, by `mode`)."""
    from newsclean.read.discover import discover, source_root
    from newsclean.read.identity import source_key
    from newsclean.records import RunContext
    from newsclean.runtime.plan import plan_run
    from newsclean.storage import is_object_store
    from newsclean.write.commit import data_partitions, read_state
    from newsclean.write.store import open_warehouse

    today = dt.datetime.now(dt.timezone.utc)
    store = open_warehouse(os.fspath(warehouse))
    state = read_state(store)
    root, root_name = source_root(os.fspath(source))
    context = RunContext(run_id="plan", processed_at=today, ingest_date=ingest_date or today.date().isoformat(),
                         source_root=root)
    # keyed, filtered and planned as the flow does: the same doc_ids, the warehouse's own folder never a document,
    # a backfill's dates those the flow would rewrite
    sources = discover(os.fspath(source), source_key=source_key(root, root_name, state),
                       exclude=None if is_object_store(store.uri) else store.uri)
    run_plan = plan_run(sources, state, context, mode, start, end,
                        existing_partitions=data_partitions(store) if mode == "backfill" else set())
    to_process = {item.source_uri for item in run_plan.todo}
    partitions: dict[str, Counter] = {}
    for item in sources:
        counts = partitions.setdefault(context.ingest_date_of(item), Counter(new=0, changed=0, unchanged=0, to_process=0))
        counts[_status(item, state)] += 1
        counts["to_process"] += item.source_uri in to_process
    totals = sum(partitions.values(), Counter())
    return {
        "mode": mode, "source": settings.absolute_location(os.fspath(source)),
        "warehouse": settings.absolute_location(os.fspath(warehouse)), "documents": len(sources),
        **{name: totals[name] for name in ("new", "changed", "unchanged", "to_process")},
        "replaced_partitions": sorted(run_plan.replace_partitions),
        "partitions": {date: dict(counts) for date, counts in sorted(partitions.items())},
    }


def clean_document(path: str | os.PathLike) -> dict:
    """Clean one document file (text or HTML, gzipped too; a WARC or JSONL file holding one record) as a run
    would, without Prefect, validation or what other documents of its site teach the site_template rule: the
    `articles` row it gives (body, title, dek, authors, ... as warehouse/README.md documents them) with its
    `removed_lines` (line_no, rule, text). Raises RejectedDocument with the reason the run would record."""
    from newsclean.records import PARTITION, RunContext
    from newsclean.clean.document import finish_pending, process_document
    from newsclean.read.discover import discover

    found = discover(os.fspath(path))
    if len(found) != 1:
        raise ValueError(f"{os.fspath(path)!r} holds {len(found)} documents: clean_document cleans one")
    context = RunContext(run_id="", processed_at=dt.datetime.now(dt.timezone.utc))
    read = process_document(found[0], context)
    finished = finish_pending(read.pending, {}, context)
    rejected = read.rejected + finished.rejected
    if rejected:
        raise RejectedDocument(rejected[0]["reason"])
    (row,) = finished.candidates
    for run_field in ("run_id", "processed_at", PARTITION):
        row.pop(run_field, None)
    row["removed_lines"] = [{key: line[key] for key in ("line_no", "rule", "text")} for line in finished.removed_lines]
    return row
