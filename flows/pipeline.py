"""The run's steps as plain functions over plain records: read + clean a batch, then assemble the tables.

The Prefect flow (flow.py) calls these; so do the CLI's `clean` command and the tests, without Prefect.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from . import collector, settings
from .clean import memo, site_templates
from .clean.html import PROFILES, HtmlExtraction, extract_html
from .clean.text import CleanedText, StrippedText, finish, strip_boilerplate
from .read import Document, ReadError, SourceFile, read_document

# Han and kana are written without spaces: each such word character counts as one word (a Chinese word is one or
# two characters), every other run of word characters as one.
_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD = re.compile(rf"(?=\w)[{_CJK_RANGES}]|(?:(?![{_CJK_RANGES}])\w)+")
_CJK_CHARACTER = re.compile(rf"[{_CJK_RANGES}]")
PARTITION = "ingest_date"  # every row carries its partition; writers route by it (it is not a column in the files)
TEXT_EXTRACTOR = "text_rules"  # `extractor` of plain-text documents: the line rules of flows/clean


@dataclass(frozen=True)
class RunContext:
    run_id: str
    processed_at: dt.datetime  # UTC
    ingest_date: str = ""  # the run's --ingest-date: the partition of documents outside date folders
    source_root: str | None = None  # the source's root (flows/identity.py), recorded with its key in the memory
    html_profile: str = ""  # the run's --profile (clean/html.py PROFILES); "" is settings.HTML_PROFILE

    def ingest_date_of(self, source: SourceFile) -> str:
        return source.folder_date or self.ingest_date or self.processed_at.date().isoformat()


# What a pending document costs in memory besides its text (approximate_bytes): its objects, and per line a tuple,
# a string's header and its 8-byte key in hex (measured with tracemalloc over synthetic text and the aeb pages).
_DOCUMENT_BYTES = 2000
_LINE_BYTES = 300


@dataclass(frozen=True)
class PendingDocument:
    """A document after per-document cleaning, waiting for the site-level pass that needs the whole run."""

    source: SourceFile
    document: Document  # what reading gave (its text is not needed any more and is left out)
    stripped: StrippedText
    page: HtmlExtraction | None = None  # what trafilatura found, for HTML pages

    @cached_property
    def lines(self) -> site_templates.SiteDocument:
        """The kept lines as the site-level pass sees them (hashed once, in the worker: it is pickled along)."""
        return site_templates.SiteDocument(self.site, [line for _, line in self.stripped.content])

    def approximate_bytes(self) -> int:
        """Roughly what the document takes in memory: its lines' text and a fixed cost per line and per document
        (an estimate, checked against tracemalloc's count for text documents and HTML pages)."""
        content, removed = self.stripped.content, self.stripped.removed_lines
        characters = sum(len(line) for _, line in content) + sum(len(line.text) for line in removed)
        if self.page is not None:  # its paragraphs are a second copy of the article's text
            characters += sum(len(paragraph) for paragraph in self.page.paragraphs)
        return _DOCUMENT_BYTES + _LINE_BYTES * (len(content) + len(removed)) + characters

    @property
    def url(self) -> str | None:
        """The URL the input names (a WARC record's target URI, a JSONL url), else the page's canonical URL."""
        return self.document.url or (self.page.url if self.page else None)

    @property
    def site(self) -> str:
        """The registered domain of the document's URL where there is one, else the source folder."""
        domain = registered_domain(self.url) if self.url else None
        return domain or self.source.site


@dataclass
class BatchOutput:
    """What a batch of documents turned into. `pending` become `candidates` (+ removed lines) in finish_documents;
    validation then splits candidates into articles and quarantine."""

    pending: list[PendingDocument] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    removed_lines: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    raw_hashes: dict[str, str | None] = field(default_factory=dict)  # source_uri -> SHA-256 of its bytes

    def extend(self, other: "BatchOutput") -> None:
        self.pending += other.pending
        self.candidates += other.candidates
        self.removed_lines += other.removed_lines
        self.rejected += other.rejected
        self.raw_hashes.update(other.raw_hashes)


def registered_domain(url: str) -> str | None:
    from courlan import extract_domain  # trafilatura's URL library, with a bundled public-suffix list

    return extract_domain(url) or None


@lru_cache(maxsize=1)
def _word_characters():
    """For each UTF-16 code unit, 2 if it is a CJK word character (a word on its own), 1 if re's \\w matches it
    otherwise, else 0 (a lone surrogate is no word character)."""
    import numpy as np  # imported by the flow's process already (pandas), not by the shard workers: they count no words

    word = re.compile(r"\w")
    return np.fromiter(((word.match(chr(unit)) is not None) * (1 + (_CJK_CHARACTER.match(chr(unit)) is not None))
                        for unit in range(0x10000)), dtype=np.int8, count=0x10000)


def word_count(text: str) -> int:
    """The number of words in `text` as len(_WORD.findall(text)) counts them: a run of word characters (\\w+) is one
    word, except that each Han or kana character is a word of its own. Looked up in a table (numpy), faster than the
    regex on news bodies. Text with a character outside the Basic Multilingual Plane (two UTF-16 units) is counted by
    the regex."""
    import numpy as np

    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(units) != len(text):
        return len(_WORD.findall(text))
    if not len(units):
        return 0
    classes = _word_characters()[units]
    runs = classes == 1
    return int(np.count_nonzero(classes == 2)) + int(runs[0]) + int(np.count_nonzero(runs[1:] > runs[:-1]))


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def article_row(pending: PendingDocument, cleaned: CleanedText, context: RunContext) -> dict:
    source, page, body = pending.source, pending.page, cleaned.body
    return {
        "doc_id": source.doc_id,
        "source_uri": source.source_uri,
        "url": pending.url,
        "fetched_at": pending.document.fetched_at,
        "format": pending.document.format,
        "encoding": pending.document.encoding,
        "title": cleaned.title,
        "dek": page.dek if page else cleaned.dek,
        "section": page.section if page else cleaned.section,
        "site_name": (page.site_name if page else None) or cleaned.site_name,
        "authors": list(page.authors if page else cleaned.authors),
        "published_date": _iso_date(page.published_date) if page else cleaned.published_date,
        "language": pending.stripped.language.code,
        "language_confidence": pending.stripped.language.confidence,
        "extractor": page.extractor if page else TEXT_EXTRACTOR,
        "page_type": page.page_type if page else None,
        "page_type_confidence": page.page_type_confidence if page else None,
        "body": body,
        "word_count": word_count(body),
        "content_hash": hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest(),
        "run_id": context.run_id,
        "processed_at": context.processed_at,
        PARTITION: context.ingest_date_of(source),
    }


def rejected_row(source: SourceFile, reason: str, context: RunContext) -> dict:
    return {
        "doc_id": source.doc_id,
        "source_uri": source.source_uri,
        "reason": reason,
        "run_id": context.run_id,
        "processed_at": context.processed_at,
        PARTITION: context.ingest_date_of(source),
    }


def process_document(source: SourceFile, context: RunContext) -> BatchOutput:
    """One document to a pending document, or to a rejected row: never an exception."""
    output = BatchOutput()
    try:
        document = read_document(source)
        page = extract_html(document.text, profile=context.html_profile or None) if document.format == "html" else None
        if page:  # trafilatura has removed the page by its structure; the line detector is for plain text.
            stripped = strip_boilerplate("\n".join(page.paragraphs), page_noise=False, declared_language=page.language)
        else:
            stripped = strip_boilerplate(document.text)
        pending = PendingDocument(source, replace(document, text=""), stripped, page)
        pending.lines  # noqa: B018  (computed here, in the worker process)
        output.pending.append(pending)
    except ReadError as error:
        output.rejected.append(rejected_row(source, str(error), context))
    except Exception as error:  # a bug or a pathological input must cost this document only, with the reason kept
        output.rejected.append(rejected_row(source, f"cleaning failed: {type(error).__name__}: {error}", context))
    return output


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


def finish_pending(pending_documents: list[PendingDocument], memory: dict, context: RunContext,
                   site_stories: dict[str, int] | None = None) -> BatchOutput:
    """Each pending document to a candidate row and its removed lines, with its site's template lines (`memory`,
    learnt from the whole run) removed; `site_stories` is site_templates.site_story_counts(memory), computed once."""
    output = BatchOutput()
    if site_stories is None:
        site_stories = site_templates.site_story_counts(memory)
    for pending in pending_documents:
        document = pending.lines
        try:
            # Rule off: learn nothing, remove nothing, and hand back what earlier runs learnt untouched.
            positions = (
                site_templates.template_lines(document, memory, site_stories.get(document.site, 0))
                if settings.SITE_TEMPLATES else []
            )
            site_templates.fill_examples(memory, document)
            template_removals = {pending.stripped.content[i][0]: site_templates.RULE for i in positions}
            page = pending.page
            cleaned = finish(pending.stripped, template_removals, title=page.title if page else None,
                             standfirst=page.standfirst if page else None,
                             read_header=PROFILES[page.profile].read_header if page else True)
        except Exception as error:  # costs this document only
            output.rejected.append(rejected_row(pending.source, f"cleaning failed: {type(error).__name__}: {error}", context))
            continue
        output.candidates.append(article_row(pending, cleaned, context))
        doc_id, run_id, partition = pending.source.doc_id, context.run_id, context.ingest_date_of(pending.source)  # once, not per line
        output.removed_lines += [
            {"doc_id": doc_id, "line_no": line.line_no, "text": line.text, "rule": line.kind, "run_id": run_id, PARTITION: partition}
            for line in cleaned.removed_lines
        ]
        output.raw_hashes[pending.source.source_uri] = pending.document.raw_sha256
    return output


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


STATE_TABLE = "ingested_files"  # the spool's table of the processed-files memory's rows (schema.INGESTED_FILES)


def state_row(source: SourceFile, raw_sha256: str | None, context: RunContext) -> dict:
    """The processed-files memory's row of a document (`raw_sha256` None: it could not be read or cleaned)."""
    return {"source_uri": source.source_uri, "doc_id": source.doc_id, "size": source.size, "mtime_ns": source.mtime_ns,
            "content_hash": raw_sha256, "ingest_date": context.ingest_date_of(source), "run_id": context.run_id,
            "processed_at": context.processed_at, "source_root": context.source_root,
            "source_key": source.source_key if context.source_root else None}


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


def split_batches(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)] if items else []


def top_rules(removed_lines: list[dict], limit: int = 10) -> list[tuple[str, int]]:
    return Counter(row["rule"] for row in removed_lines).most_common(limit)


def runs_row(
    *, context: RunContext, flow_name: str, source: str, parameters: str, ended_at: dt.datetime, mode: str, documents_in: int,
    documents_skipped: int, records_skipped: int, paths_skipped: dict[str, int], articles: int, quarantine: int, rejected: int, removed_lines: int, failed_checks: dict[str, int],
    data_docs: str | None,
) -> dict:
    return {
        "run_id": context.run_id,
        "flow_name": flow_name,
        "source": source,
        "parameters": parameters,
        "started_at": context.processed_at,
        "ended_at": ended_at,
        "mode": mode,
        "documents_in": documents_in,
        "documents_skipped": documents_skipped,
        "records_skipped": records_skipped,
        "paths_skipped": sum(paths_skipped.values()),
        "paths_skipped_by_reason": sorted(paths_skipped.items()),
        "articles_out": articles,
        "quarantine_out": quarantine,
        "rejected_out": rejected,
        "removed_lines_out": removed_lines,
        "validation_success": not failed_checks,
        "failed_checks": sorted(failed_checks.items()),
        "data_docs": data_docs,
    }


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
