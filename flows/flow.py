"""The Prefect layer: a thin shell of tasks around the plain steps (read -> clean -> validate -> write).

One task per batch of documents, never per document: a Prefect task costs ~15 ms of overhead here. Large inputs
(a run's documents and rows) are passed `quote()`d: Prefect would otherwise walk every element looking for futures.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from . import settings

settings.apply_prefect_environment()

from prefect import flow, get_run_logger, task  # noqa: E402  (after the environment it reads)
from prefect.artifacts import create_markdown_artifact, create_table_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.runtime import flow_run  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from .pipeline import BatchOutput, RunContext, finish_documents, process_batch, runs_row, split_batches, top_rules  # noqa: E402
from .read import SourceFile, discover  # noqa: E402
from .validate import ValidationOutcome, validate_candidates  # noqa: E402
from .workers import run_supervised  # noqa: E402
from .write import ensure_writable, read_site_templates, write_run  # noqa: E402

FLOW_NAME = "clean_articles"


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(source: str) -> list[SourceFile]:
    return discover(source)


@task(name="clean-batch", cache_policy=NO_CACHE, retries=1)
def clean_batch_task(sources: list[SourceFile], context: RunContext) -> BatchOutput:
    """One shard, in a supervised worker process (flows/workers.py); retried once if the supervision itself fails."""
    return run_supervised(sources, context) if settings.WORKERS > 0 else process_batch(sources, context)


@task(name="site-templates", cache_policy=NO_CACHE)
def finish_documents_task(output: BatchOutput, warehouse: Path, context: RunContext) -> dict:
    """Learn each site's repeated lines (with what earlier runs saw), remove them, finish every document."""
    return finish_documents(output, read_site_templates(warehouse), context)


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(candidates: list[dict], today: dt.date, docs_dir: Path) -> ValidationOutcome:
    return validate_candidates(candidates, today=today, docs_dir=docs_dir)


@task(name="write", cache_policy=NO_CACHE)
def write_task(warehouse: Path, ingest_date: str, rows_by_table: dict[str, list[dict]], processed_doc_ids: set[str], run_id: str,
               site_memory: dict) -> None:
    write_run(warehouse, ingest_date, rows_by_table, processed_doc_ids, run_id, site_memory)


def _publish_artifacts(summary: dict, output: BatchOutput, validation: ValidationOutcome) -> None:
    rows = [
        {"measure": "documents in", "value": summary["documents_in"]},
        {"measure": "articles", "value": summary["articles_out"]},
        {"measure": "quarantine", "value": summary["quarantine_out"]},
        {"measure": "rejected", "value": summary["rejected_out"]},
        {"measure": "removed lines", "value": summary["removed_lines_out"]},
    ]
    rows += [{"measure": f"rule {rule}", "value": count} for rule, count in top_rules(output.removed_lines)]
    rows += [{"measure": f"failed check {check}", "value": count} for check, count in sorted(validation.failed_checks.items())]
    create_table_artifact(key="clean-articles-summary", table=rows, description="Documents in and out, top removal rules, failed checks.")
    docs = f"[Great Expectations Data Docs](file://{validation.data_docs})" if validation.data_docs else "no rows were validated"
    create_markdown_artifact(
        key="clean-articles-report",
        markdown=f"# clean_articles run {summary['run_id']}\n\nValidation: {docs}\n\nWarehouse: `{summary['warehouse']}`",
        description="Link to this run's validation report.",
    )


# Shards run WORKERS at a time; each thread only supervises its worker process, so the GIL is no bottleneck.
@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=max(1, settings.WORKERS)))
def clean_articles(source: str = str(settings.DEFAULT_SOURCE), warehouse: str = str(settings.DEFAULT_WAREHOUSE), ingest_date: str | None = None) -> dict:
    """Read, clean, validate and write every document under `source` into the warehouse partition `ingest_date`."""
    started_at = dt.datetime.now(dt.timezone.utc)
    ingest_date = ingest_date or started_at.date().isoformat()
    dt.date.fromisoformat(ingest_date)  # a bad date fails before any work
    run_id = str(flow_run.id or uuid.uuid4())
    warehouse_path = Path(warehouse)
    ensure_writable(warehouse_path)
    context = RunContext(run_id=run_id, processed_at=started_at)

    sources = discover_task(source)
    batches = [clean_batch_task.submit(quote(batch), context) for batch in split_batches(sources, settings.BATCH_SIZE)]
    output = BatchOutput()
    for batch in batches:
        output.extend(batch.result())
    site_memory = finish_documents_task(quote(output), warehouse_path, context)
    validation = validate_task(quote(output.candidates), started_at.date(), warehouse_path / settings.REPORTS_DIR / run_id)

    parameters = json.dumps({"source": source, "warehouse": warehouse, "ingest_date": ingest_date}, sort_keys=True)
    summary_row = runs_row(
        context=context, flow_name=FLOW_NAME, source=source, parameters=parameters,
        ended_at=dt.datetime.now(dt.timezone.utc), documents_in=len(sources), articles=len(validation.passed),
        quarantine=len(validation.quarantined), rejected=len(output.rejected), removed_lines=len(output.removed_lines),
        failed_checks=validation.failed_checks, data_docs=validation.data_docs,
    )
    if summary_row["articles_out"] + summary_row["quarantine_out"] + summary_row["rejected_out"] != len(sources):
        raise RuntimeError(f"run {run_id} lost documents: {len(sources)} in, counts {summary_row}")  # never write a lossy run
    processed_doc_ids = {row["doc_id"] for row in output.candidates + output.rejected}
    rows_by_table = {
        "articles": validation.passed,
        "quarantine": validation.quarantined,
        "removed_lines": output.removed_lines,
        "rejected": output.rejected,
        "runs": [summary_row],
    }
    write_task(warehouse_path, ingest_date, quote(rows_by_table), quote(processed_doc_ids), run_id, quote(site_memory))
    summary = {key: value for key, value in summary_row.items() if not isinstance(value, dt.datetime)}
    summary.update(warehouse=str(warehouse_path.resolve()), ingest_date=ingest_date)
    _publish_artifacts(summary, output, validation)
    get_run_logger().info(
        "%d documents: %d articles, %d quarantine, %d rejected", len(sources),
        summary["articles_out"], summary["quarantine_out"], summary["rejected_out"],
    )
    return summary
