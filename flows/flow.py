"""The Prefect layer: a thin shell of tasks around the plain steps (read -> clean -> validate -> write).

One task per batch of documents, never per document: each Prefect task has a fixed overhead. Large inputs
(a run's documents and rows) are passed `quote()`d: Prefect would otherwise walk every element looking for futures.
Large results are returned `quote()`d too, and unwrapped by the flow: Prefect links every element of a task's result
(one level deep) to the task's state, by id, for the whole run, which would grow with discovery's list and the
learnt site templates (docs/benchmarks.md, "Component costs").
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import partial

from newsclean.runtime import execution, progress
from flows import log_levels
from newsclean import settings

settings.apply_prefect_environment()
log_levels.quiet_great_expectations()  # a deployment's run too, where no CLI sets levels

from prefect import flow, get_run_logger, task  # noqa: E402  (after the environment it reads)
from prefect.artifacts import create_markdown_artifact, create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.states import Completed  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from newsclean.clean.document import BatchOutput
from newsclean.records import RunContext, STATE_TABLE, runs_row
from newsclean.runtime.plan import RunPlan, plan_run, split_batches
from newsclean.runtime.passes import RunTotals, finish_and_validate_spooled, learn_site_templates, process_batch, spool_shard
from newsclean.read.identity import source_key  # noqa: E402
from newsclean.read.discover import Discovery, discover, source_root  # noqa: E402
from newsclean.records import SourceFile
from newsclean.storage import is_object_store  # noqa: E402
from newsclean.runtime.spool import RunSpool  # noqa: E402
from newsclean.validate.checks import Validator  # noqa: E402
from newsclean.write.store import open_warehouse  # noqa: E402
from newsclean.runtime.workers import run_supervised, stop_idle_workers  # noqa: E402
from newsclean.write.commit import data_partitions, ensure_writable, read_site_templates, read_state, write_run  # noqa: E402

FLOW_NAME = "clean_articles"


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(source: str, source_key: str, exclude: str | None) -> quote[Discovery]:
    """Files, and the records of container files (offsets only): one pass over each WARC or JSONL file. `exclude`:
    the warehouse's folder, never read as documents when it lies inside the source."""
    found = discover(source, source_key=source_key, exclude=exclude)
    if found.skipped_records:
        get_run_logger().info("%d WARC records are no documents (requests, metadata, non-HTML responses): skipped",
                              found.skipped_records)
    for reason, count in sorted(found.skipped_paths.items()):
        get_run_logger().info("%d paths under the source skipped: %s", count, reason)
    return quote(found)


@task(name="clean-batch", cache_policy=NO_CACHE, retries=1)
def clean_batch_task(sources: list[SourceFile], context: RunContext, shard: int, supervised: bool = True) -> BatchOutput:
    """One shard, in a supervised worker process (newsclean/runtime/workers.py) unless `supervised` is off (--workers 0);
    retried once if the supervision itself fails. Its chunks count towards the CLI's progress display."""
    if not supervised:
        return process_batch(sources, context)
    return run_supervised(sources, context, on_progress=partial(progress.shard_progress, shard))


@task(name="site-templates", cache_policy=NO_CACHE)
def learn_site_templates_task(documents: list, warehouse: str, context: RunContext) -> quote[dict]:
    """Learn each site's repeated lines from the whole run's line summaries, with what earlier runs saw."""
    return quote(learn_site_templates(documents, read_site_templates(warehouse), context))


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(spool: RunSpool, shards: int, site_memory: dict, context: RunContext, warehouse: str,
                  totals: RunTotals) -> RunTotals:
    """Finish each shard's documents (their site template lines removed) and validate them, a shard at a time; rows
    go to the spool. The Data Docs are built in the spool too: the write commits them with the tables, to the
    warehouse's `_reports/<run_id>/`, where `data_docs` says they will be."""
    validator = Validator(today=context.processed_at.date(), docs_dir=spool.report_folder)
    finish_and_validate_spooled(spool, shards, site_memory, context, validator, totals)
    if totals.data_docs:
        totals.data_docs = open_warehouse(warehouse).report_location(context.run_id)
    return totals


@task(name="write", cache_policy=NO_CACHE)
def write_task(warehouse: str, spool: RunSpool, processed_doc_ids: set[str], run_id: str,
               run_partition: str, site_memory: dict | None, state, plan: RunPlan, with_report: bool) -> None:
    write_run(warehouse, spool, processed_doc_ids, run_id, run_partition=run_partition, site_memory=site_memory,
              state_rows=state, replace_partitions=plan.replace_partitions, previous_partitions=plan.previous_partitions,
              report_folder=spool.report_folder if with_report else None)


def _publish_artifacts(summary: dict, totals: RunTotals) -> None:
    rows = [
        {"measure": "documents in", "value": summary["documents_in"]},
        {"measure": "unchanged (skipped)", "value": summary["documents_skipped"]},
        {"measure": "processed", "value": summary["documents_in"] - summary["documents_skipped"]},
        {"measure": "articles", "value": summary["articles_out"]},
        {"measure": "duplicates (among the articles)", "value": summary["duplicates_out"]},
        {"measure": "quarantine", "value": summary["quarantine_out"]},
        {"measure": "rejected", "value": summary["rejected_out"]},
        {"measure": "removed lines", "value": summary["removed_lines_out"]},
    ]
    rows += [{"measure": f"rule {rule}", "value": count} for rule, count in totals.rule_counts.most_common(10)]
    rows += [{"measure": f"failed check {check}", "value": count} for check, count in sorted(totals.failed_checks.items())]
    create_table_artifact(key="clean-articles-summary", table=rows,
                          description="Documents in (unchanged ones skipped) and out, top removal rules, failed checks.")
    link = settings.report_link(totals.data_docs, summary["warehouse"])
    docs = f"[Great Expectations Data Docs]({link})" if link else "no rows were validated"
    create_markdown_artifact(
        key="clean-articles-report",
        markdown=f"# clean_articles run {summary['run_id']}\n\nValidation: {docs}\n\nWarehouse: `{summary['warehouse']}`",
        description="Link to this run's validation report.",
    )


def _partition_dates(plan: RunPlan, context: RunContext) -> list[str]:
    """The data partitions a run writes: those of the documents it processes, and the dates a backfill rewrites."""
    return sorted({context.ingest_date_of(source) for source in plan.todo} | plan.replace_partitions)


def _tag_flow_run(tags: list[str]) -> None:
    """Adds tags to this flow run (a deployment's run exists before the flow knows its mode and dates). Best effort:
    a tag that cannot be set must not fail a run."""
    if flow_run.id is None:
        return
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            current = client.read_flow_run(flow_run.id).tags or []
            client.update_flow_run(flow_run.id, tags=sorted(set(current) | set(tags)))
    except Exception as error:  # noqa: BLE001  (an API hiccup: the run goes on untagged)
        get_run_logger().warning("could not tag the flow run: %s", error)


def run_tags(mode: str, dates: list[str]) -> list[str]:
    """`mode:incremental`, and `ingest_date:YYYY-MM-DD` per partition written (a long list: its first..last)."""
    tags = [f"mode:{mode}"]
    if len(dates) > settings.MAX_DATE_TAGS:
        return tags + [f"ingest_date:{dates[0]}..{dates[-1]}"]
    return tags + [f"ingest_date:{date}" for date in dates]


def _duplicates_written(store, run_id: str, partitions: set[str]) -> int:
    """The run's articles marked as duplicates (duplicate_of set), read back from the partitions it committed."""
    import pyarrow.compute as pc

    from newsclean.write.commit import partition_key

    count = 0
    for partition in partitions:
        key = partition_key("articles", partition)
        if store.exists(key):
            table = store.read_table(key, columns=["run_id", "duplicate_of"])
            mine = pc.equal(table["run_id"], run_id)
            count += pc.sum(pc.and_(mine, pc.is_valid(table["duplicate_of"]))).as_py() or 0
    return count


def final_message(summary: dict, failed_checks: dict[str, int]) -> str:
    """The flow run's final state message: its counts, and whether validation failed (rows quarantined)."""
    counts = (f"{summary['documents_in']} documents in, {summary['documents_skipped']} unchanged: {summary['articles_out']} "
              f"articles ({summary['duplicates_out']} duplicates), {summary['quarantine_out']} quarantine, "
              f"{summary['rejected_out']} rejected")
    if not failed_checks:
        return counts
    checks = ", ".join(f"{check} ({rows})" for check, rows in sorted(failed_checks.items()))
    return f"validation failed: {checks}; the failing rows are in quarantine. {counts}"


def _clean_shards(todo: list[SourceFile], context: RunContext, workers: int | None, dask_address: str | None,
                  spool: RunSpool, totals: RunTotals) -> int:
    """Clean the documents in shards, one task each, on this machine's cores or on the Dask cluster. Each shard's
    output goes to the spool as it comes back, whichever finishes first; the spool keeps shard order, so the tables
    do not depend on the number of workers. Returns the number of shards."""
    if not todo:
        return 0
    local_workers = settings.WORKERS if workers is None else workers
    # The runner is opened here, not in @flow: its concurrency follows this run's parameters (CLI, deployment).
    with execution.task_runner(local_workers, dask_address) as runner, progress.tracking(len(todo)):
        at_once = execution.cluster_threads(runner) if dask_address and workers is None else max(1, local_workers)
        shards = split_batches(todo, execution.shard_size(len(todo), at_once))
        get_run_logger().info("%d documents in %d shards, %d at once%s", len(todo), len(shards), at_once,
                              f" on the Dask cluster at {dask_address}" if dask_address else "")
        todo.clear()  # the shards hold the documents now, each shard's freed as it is spooled (peak RSS)
        # quote() spares Prefect a walk over every document for futures; Dask rebuilds the quote (a namedtuple) as a
        # plain tuple on the way to its worker, so a shard goes to Dask as it is (a walk over one shard is cheap).
        shard_of = {
            runner.submit(clean_batch_task, {"sources": shard if dask_address else quote(shard), "context": context, "shard": index,
                                             "supervised": local_workers != 0}): index
            for index, shard in enumerate(shards)
        }
        for future in as_completed(list(shard_of)):
            index = shard_of.pop(future)
            output = future.result()
            spool_shard(spool, index, shards[index], output, totals, context)
            output.pending, output.rejected = [], []  # the future keeps this object until all are done: keep it empty
            progress.shard_progress(index, len(shards[index]))
            shards[index].clear()  # Prefect keeps a finished task's parameters for the whole run: keep them empty
    stop_idle_workers()  # no shard is left for them: their memory is the second pass's (peak RSS)
    return len(shards)


@flow(name=FLOW_NAME)
def clean_articles(
    source: str = str(settings.DEFAULT_SOURCE), warehouse: str = str(settings.DEFAULT_WAREHOUSE), ingest_date: str | None = None,
    mode: str = "incremental", start: str | None = None, end: str | None = None, workers: int | None = None,
    dask_address: str | None = None, html_profile: str | None = None,
) -> dict:
    """Read, clean, validate and write the documents under `source` (a folder, a file or s3://bucket/prefix; files and
    the records of WARC and JSONL files): new or changed ones (incremental), all of them (reprocess), or those of the
    dates [start, end) (backfill). Files in date folders (YYYY-MM-DD/, dt=YYYY-MM-DD/, of a real date) go to their
    folder's partition, others to `ingest_date` (default today, UTC). Shards of documents run `workers`
    at a time (default NEWSCLEAN_WORKERS, the number of cores; 0: in this process, unsupervised), or on the Dask
    cluster whose scheduler is at `dask_address` (tcp://HOST:PORT). HTML pages are extracted by the profile
    `html_profile` (default NEWSCLEAN_HTML_PROFILE: "quality"; or "fast")."""
    settings.check()
    if workers is not None and workers < 0:
        raise ValueError(f"workers must be 0 or more, not {workers}")
    # relative paths (prefect.yaml's `warehouse: warehouse`, `--warehouse wh`) against the folder the run started in:
    # runs.data_docs, the artifact's link and runs.source then work from anywhere
    source, warehouse = settings.absolute_location(source), settings.absolute_location(warehouse)
    html_profile = html_profile or settings.HTML_PROFILE
    if html_profile not in settings.HTML_PROFILES:
        raise ValueError(f"the HTML profile must be one of {settings.HTML_PROFILES}, not {html_profile!r}")
    started_at = dt.datetime.now(dt.timezone.utc)
    ingest_date = ingest_date or started_at.date().isoformat()
    dt.date.fromisoformat(ingest_date)  # a bad date fails before any work
    run_id = str(flow_run.id or uuid.uuid4())
    store = open_warehouse(warehouse)  # a local path or s3://bucket/prefix
    ensure_writable(store)
    state = read_state(store)
    root, root_name = source_root(source)
    context = RunContext(run_id=run_id, processed_at=started_at, ingest_date=ingest_date, source_root=root,
                         html_profile=html_profile)

    sources = discover_task(source, source_key(root, root_name, state),
                            None if is_object_store(store.uri) else store.uri).unwrap()
    plan = plan_run(sources, state, context, mode, start, end,
                    existing_partitions=data_partitions(store) if mode == "backfill" else set())
    del state
    documents_in, records_skipped, to_process = len(sources), sources.skipped_records, len(plan.todo)
    paths_skipped = dict(sources.skipped_paths)
    _tag_flow_run(run_tags(mode, _partition_dates(plan, context)))
    # Prefect keeps a task's parameters and result for the whole run: per-document lists are emptied in place once
    # used, so that a run's later steps do not hold a record of every document (peak RSS).
    sources.clear()
    # the run's rows wait on local disk, not in memory
    with RunSpool() as spool:
        totals = RunTotals()
        shards = _clean_shards(plan.todo, context, workers, dask_address, spool, totals)
        plan.todo.clear()
        line_summaries = spool.line_summaries(shards)
        site_memory = learn_site_templates_task(quote(line_summaries), warehouse, context).unwrap() if to_process else None
        line_summaries.clear()
        if shards:
            totals = validate_task(quote(spool), shards, quote(site_memory), context, warehouse, quote(totals))
        parameters = json.dumps({"source": source, "warehouse": warehouse, "ingest_date": ingest_date, "mode": mode,
                                 "start": start, "end": end, "workers": workers, "dask_address": dask_address,
                                 "html_profile": html_profile}, sort_keys=True)
        summary_row = runs_row(
            context=context, flow_name=FLOW_NAME, source=source, parameters=parameters, ended_at=dt.datetime.now(dt.timezone.utc),
            mode=mode, documents_in=documents_in, documents_skipped=plan.skipped,
            records_skipped=records_skipped, paths_skipped=paths_skipped, articles=spool.row_counts["articles"],
            quarantine=spool.row_counts["quarantine"], rejected=spool.row_counts["rejected"],
            removed_lines=spool.row_counts["removed_lines"], failed_checks=totals.failed_checks, data_docs=totals.data_docs,
        )
        accounted = summary_row["articles_out"] + summary_row["quarantine_out"] + summary_row["rejected_out"]
        if accounted != to_process:
            raise RuntimeError(f"run {run_id} lost documents: {to_process} to process, counts {summary_row}")  # never write a lossy run
        spool.add_rows("runs", [summary_row], default_partition=ingest_date)
        # the processed files' rows are read from the spool when the write stages them, last (peak RSS)
        state = partial(spool.table, STATE_TABLE)
        write_task(warehouse, quote(spool), quote(totals.processed_doc_ids), run_id, ingest_date, quote(site_memory),
                   quote(state), quote(plan), with_report=bool(totals.data_docs))
        article_partitions = spool.partitions("articles")
    summary = {key: value for key, value in summary_row.items() if not isinstance(value, dt.datetime)}
    summary.update(warehouse=store.uri, ingest_date=ingest_date,
                   duplicates_out=_duplicates_written(store, run_id, article_partitions))
    _publish_artifacts(summary, totals)
    message = final_message(summary, totals.failed_checks)
    if totals.failed_checks:
        _tag_flow_run(["validation:failed"])
    get_run_logger().info("%s", message)
    return Completed(message=message, data=summary)
