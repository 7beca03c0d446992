"""The run's two passes over its shards: clean each shard and spool it; then, with the site templates
learnt over the whole run, finish and validate each shard. Plain functions: the flow calls them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from newsclean import settings
from newsclean.clean import memo, site_templates
from newsclean.clean.document import BatchOutput, finish_pending, process_document
from newsclean.records import STATE_TABLE, RunContext, SourceFile, state_row
from newsclean.runtime import collector


def process_batch(sources: list[SourceFile], context: RunContext) -> BatchOutput:
    # Each batch starts with empty line memos, as it does in its own worker process: its cost never depends on what
    # the process cleaned before, and a run without workers does not keep one shard's lines through the next.
    memo.clear()
    output = BatchOutput()
    with collector.paused():  # a batch's documents are plain data (see collector.paused)
        for source in sources:
            output.extend(process_document(source, context))
    return output


def learn_site_templates(documents: list[site_templates.SiteDocument], memory: dict, context: RunContext) -> dict:
    """The site-level pass's learning over the whole run (documents may be summaries), with what earlier runs saw."""
    if not settings.SITE_TEMPLATES:
        return memory
    with collector.paused():  # it counts lines into plain dicts and sets (see collector.paused)
        return site_templates.learn(documents, memory, context.processed_at.date())


def finish_documents(output: BatchOutput, memory: dict, context: RunContext) -> dict:
    """The site-level pass over a run held in memory: learn each site's template lines into `memory` (what earlier
    runs saw) from every pending document, then finish them into `output`'s candidates and removed lines.
    Returns the updated memory. (The flow does the same a shard at a time: see finish_and_validate_spooled.)"""
    memory = learn_site_templates([pending.lines for pending in output.pending], memory, context)
    finished = finish_pending(output.pending, memory, context)
    output.pending = []
    output.extend(finished)
    return memory


@dataclass
class RunTotals:
    """What a spooled run's passes produced besides its rows (those are in the spool): for the runs row and the write."""

    processed_doc_ids: set[str] = field(default_factory=set)
    rule_counts: Counter = field(default_factory=Counter)  # removed lines by rule
    failed_checks: dict[str, int] = field(default_factory=dict)
    data_docs: str | None = None


def spool_shard(spool, shard: int, sources: list[SourceFile], output: BatchOutput, totals: RunTotals,
                context: RunContext) -> None:
    """The flow's first pass, as each shard (`sources`) comes back: its pending documents go to `spool` (a
    spool.RunSpool) until the whole run has been seen, with their line summaries (no text) that the site-level
    learning needs; its rejected rows to the spool's table, and their documents' processed-files rows too (those of
    pending documents follow in the second pass)."""
    with collector.paused():  # pickling and summing up a shard's documents: no cycles to collect (collector.paused)
        spool.put_pending(shard, output.pending, [pending.source.doc_id for pending in output.pending],
                          [pending.lines.summary() for pending in output.pending],
                          [pending.approximate_bytes() for pending in output.pending])
        spool.add_rows("rejected", output.rejected)
        rejected_uris = {row["source_uri"] for row in output.rejected}
        spool.add_rows(STATE_TABLE, [state_row(source, None, context) for source in sources if source.source_uri in rejected_uris])
        totals.processed_doc_ids.update(row["doc_id"] for row in output.rejected)


def finish_and_validate_spooled(spool, shards: int, memory: dict, context: RunContext, validator, totals: RunTotals) -> RunTotals:
    """The flow's second pass, a shard at a time so that a run's rows are never all in memory: each shard's pending
    documents (in `spool`) are finished with the learnt site templates, and their rows appended to the spool's tables;
    candidates are validated (`validator`: validate.Validator) in chunks of up to settings.VALIDATION_CHUNK_ROWS rows
    or VALIDATION_CHUNK_BYTES of body text, across shards. Candidates whose doc_id recurs in the run wait for one last
    chunk, so that the uniqueness check sees every copy together, as it would over the whole run. Adds to `totals`
    (the first pass's) and returns it."""
    site_stories = site_templates.site_story_counts(memory)
    recurring = {doc_id for doc_id, count in Counter(spool.pending_doc_ids(shards)).items() if count > 1}
    waiting: list[dict] = []
    chunk: list[dict] = []
    chunk_bytes = 0

    def validate_and_spool(candidates: list[dict]) -> None:
        outcome = validator.validate(candidates)
        spool.add_rows("articles", outcome.passed)
        spool.add_rows("quarantine", outcome.quarantined)

    def add_to_chunk(candidates: list[dict]) -> None:
        nonlocal chunk, chunk_bytes
        for candidate in candidates:
            chunk.append(candidate)
            chunk_bytes += len(candidate["body"])
            if len(chunk) >= settings.VALIDATION_CHUNK_ROWS or chunk_bytes >= settings.VALIDATION_CHUNK_BYTES:
                validate_and_spool(chunk)
                chunk, chunk_bytes = [], 0

    for shard in range(shards):
        with collector.paused():  # a shard's documents and rows are plain data (see collector.paused)
            pending_documents = spool.take_pending(shard)
            finished = finish_pending(pending_documents, memory, context, site_stories)
            spool.add_rows("removed_lines", finished.removed_lines)
            spool.add_rows("rejected", finished.rejected)
            spool.add_rows(STATE_TABLE, [state_row(pending.source, finished.raw_hashes.get(pending.source.source_uri), context)
                                         for pending in pending_documents])
            totals.rule_counts.update(row["rule"] for row in finished.removed_lines)
            totals.processed_doc_ids.update(row["doc_id"] for row in finished.candidates + finished.rejected)
            waiting += [row for row in finished.candidates if row["doc_id"] in recurring]
            add_to_chunk([row for row in finished.candidates if row["doc_id"] not in recurring])
            # Freed here, by reference counting, before the collector resumes: it would otherwise scan every object
            # of the shard once more on the way out.
            del finished, pending_documents
        collector.return_freed_memory()  # the shard's objects are gone: give their pages back (peak RSS)
    validate_and_spool(chunk)
    validate_and_spool(waiting)
    totals.failed_checks = dict(validator.failed_checks)
    totals.data_docs = validator.build_data_docs()  # once, with every chunk's result
    return totals


def top_rules(removed_lines: list[dict], limit: int = 10) -> list[tuple[str, int]]:
    return Counter(row["rule"] for row in removed_lines).most_common(limit)
