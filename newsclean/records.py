"""The plain records every stage passes on: a document to read, what reading gave, the run's context,
and the rows every stage writes the same way (rejected, processed-files memory, runs).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, fields
from operator import attrgetter

from newsclean import settings

# A crawler's daily drop folder: YYYY-MM-DD or dt=YYYY-MM-DD, of a real date (folder_date).
DATE_FOLDER = re.compile(r"(?:dt=)?(\d{4}-\d{2}-\d{2})")


def folder_date(name: str) -> str | None:
    """The date a folder's name gives (YYYY-MM-DD or dt=YYYY-MM-DD), or None: a name that only looks like a date
    (2026-02-30, dt=2026-13-01) is an ordinary folder, never a partition."""
    match = DATE_FOLDER.fullmatch(name)
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def doc_id_of(key: str) -> str:
    """A document's id from its key (source key, '/', path below the root, and its record's reference)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)  # slots: a run holds one per document, and a __dict__ doubled its size
class SourceFile:
    """A document to read: a file, or one record of a container file (a WARC record, a JSONL line)."""

    path: str  # absolute path or s3:// URI of the file
    relpath: str  # path below the source root, '/'-separated
    root_name: str  # the source root's folder name (the last part of an s3:// prefix): where its documents come from
    # The source's identity in doc_ids: its root folder's name, made unique in a warehouse by newsclean/read/identity.py when
    # another source root there has the same name.
    source_key: str
    size: int  # of the file (the container file, for a record)
    mtime_ns: int = 0  # with size, how an incremental run tells a changed file without reading it
    problem: str | None = None  # found but not to be read (a link out of the source, damage in a container): the reason it is rejected
    # A record of a container file (newsclean/read/containers.py): a WARC record's byte offset in the file (of its gzip member
    # in a .warc.gz); a JSONL line's number (1-based) and its byte offset (in the decompressed stream for .jsonl.gz).
    offset: int | None = None
    line_no: int | None = None
    record_id: str | None = None  # a JSONL line's own "id": its identity, wherever the line moves in the file
    # A .warc.gz compressed as one gzip stream (not a member per record): its offsets count decompressed bytes.
    offset_decompressed: bool = False

    def __reduce__(self):
        # Pickled as its constructor's arguments (shards go to workers and to the spool): the state functions that
        # dataclasses gives a frozen class with slots set each field in Python, a cost on every document.
        return SourceFile, _source_fields(self)

    @property
    def record_ref(self) -> str | None:
        """Where the record is in its container: 'line=N' (JSONL) or 'offset=N' (WARC); None for a whole file."""
        if self.line_no is not None:
            return f"line={self.line_no}"
        return None if self.offset is None else f"offset={self.offset}"

    @property
    def source_uri(self) -> str:
        """The file's path, and for a record of a container '#line=N' or '#offset=N'."""
        return self.path if self.record_ref is None else f"{self.path}#{self.record_ref}"

    @property
    def doc_id(self) -> str:
        """Stable across runs and machines: the source's key (its root folder's name, see newsclean/read/identity.py) and the
        path below it, hashed; for a record of a container, with the JSONL line's id, else its line number or byte
        offset."""
        key = f"{self.source_key}/{self.relpath}"
        if self.record_id is not None:
            key += f"#id={self.record_id}"
        elif self.record_ref is not None:
            key += f"#{self.record_ref}"
        return doc_id_of(key)

    @property
    def folder_date(self) -> str | None:
        """The date of the crawler's drop folder (YYYY-MM-DD/ or dt=YYYY-MM-DD/) the file sits in, if any."""
        for part in self.relpath.split("/")[:-1]:
            date = folder_date(part)
            if date is not None:
                return date
        return None

    @property
    def site(self) -> str:
        """Where the document comes from, for site-level learning: its folder, date folders left out."""
        folders = [part for part in self.relpath.split("/")[:-1] if folder_date(part) is None]
        return "folder:" + "/".join([self.root_name, *folders])

    @property
    def compressed(self) -> bool:
        return self.relpath.lower().endswith(settings.COMPRESSED_SUFFIX)

    @property
    def format(self) -> str | None:
        """'text' or 'html' for a document file, 'warc' or 'jsonl' for a container file, None if unsupported."""
        name = self.relpath.lower().removesuffix(settings.COMPRESSED_SUFFIX)
        for kind, suffixes in (("text", settings.TEXT_SUFFIXES), ("html", settings.HTML_SUFFIXES),
                               ("warc", settings.WARC_SUFFIXES), ("jsonl", settings.JSONL_SUFFIXES)):
            if name.endswith(suffixes):
                return kind
        return None


_source_fields = attrgetter(*(source_field.name for source_field in fields(SourceFile)))


@dataclass(frozen=True)
class Document:
    """What reading a document gives: its text and what the input says about it."""

    text: str
    encoding: str
    raw_sha256: str  # of the document's bytes (the record's payload, the JSONL line)
    format: str  # 'text' or 'html'
    url: str | None = None  # a WARC record's target URI, a JSONL line's url
    fetched_at: dt.datetime | None = None  # a WARC record's date, a JSONL line's fetched_at (UTC)


PARTITION = "ingest_date"  # every row carries its partition; writers route by it (it is not a column in the files)


@dataclass(frozen=True)
class RunContext:
    run_id: str
    processed_at: dt.datetime  # UTC
    ingest_date: str = ""  # the run's --ingest-date: the partition of documents outside date folders
    source_root: str | None = None  # the source's root (newsclean/read/identity.py), recorded with its key in the memory
    html_profile: str = ""  # the run's --profile (clean/html.py PROFILES); "" is settings.HTML_PROFILE

    def ingest_date_of(self, source: SourceFile) -> str:
        return source.folder_date or self.ingest_date or self.processed_at.date().isoformat()


def rejected_row(source: SourceFile, reason: str, context: RunContext) -> dict:
    return {
        "doc_id": source.doc_id,
        "source_uri": source.source_uri,
        "reason": reason,
        "run_id": context.run_id,
        "processed_at": context.processed_at,
        PARTITION: context.ingest_date_of(source),
    }


STATE_TABLE = "ingested_files"  # the spool's table of the processed-files memory's rows (schema.INGESTED_FILES)


def state_row(source: SourceFile, raw_sha256: str | None, context: RunContext) -> dict:
    """The processed-files memory's row of a document (`raw_sha256` None: it could not be read or cleaned)."""
    return {"source_uri": source.source_uri, "doc_id": source.doc_id, "size": source.size, "mtime_ns": source.mtime_ns,
            "content_hash": raw_sha256, "ingest_date": context.ingest_date_of(source), "run_id": context.run_id,
            "processed_at": context.processed_at, "source_root": context.source_root,
            "source_key": source.source_key if context.source_root else None}


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
