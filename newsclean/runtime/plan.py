"""Which documents a run processes (incremental, reprocess, backfill) and how they are split into shards.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from newsclean.records import RunContext, SourceFile


def split_batches(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)] if items else []


MODES = ("incremental", "reprocess", "backfill")


@dataclass
class RunPlan:
    """Which documents a run processes and which partitions it rewrites."""

    todo: list[SourceFile]
    skipped: int
    replace_partitions: set[str]  # rewritten whole (a backfill's dates)
    previous_partitions: set[str]  # where earlier versions of the documents to process live


def plan_run(sources: list[SourceFile], state: dict[str, dict], context: RunContext, mode: str,
             start: str | None = None, end: str | None = None, existing_partitions: set[str] = frozenset()) -> RunPlan:
    """incremental: new or changed files (path, size and mtime against the memory); reprocess: all;
    backfill: every file whose ingest date is in [start, end), whatever the memory says. A backfill rewrites whole
    the dates of the range that hold documents now or held some before (`existing_partitions`, the warehouse's
    partition dates, and the memory's dates): those only, however wide the range."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    replace: set[str] = set()
    if mode == "backfill":
        if not (start and end) or start >= end:
            raise ValueError(f"a backfill needs --start before --end, got [{start}, {end})")
        start, end = dt.date.fromisoformat(start).isoformat(), dt.date.fromisoformat(end).isoformat()
        todo = [source for source in sources if start <= context.ingest_date_of(source) < end]
        earlier = set(existing_partitions) | {row["ingest_date"] for row in state.values()}
        replace = {date for date in earlier if start <= date < end} | {context.ingest_date_of(source) for source in todo}
    elif mode == "reprocess":
        todo = list(sources)
    else:
        def unchanged(source: SourceFile) -> bool:
            known = state.get(source.source_uri)
            return known is not None and (known["size"], known["mtime_ns"]) == (source.size, source.mtime_ns)

        todo = [source for source in sources if not unchanged(source)]
    previous = {state[s.source_uri]["ingest_date"] for s in todo if s.source_uri in state} - replace
    return RunPlan(todo, len(sources) - len(todo), replace, previous)
