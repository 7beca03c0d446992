"""Container files: a WARC or JSONL file holds many documents. Discovery indexes them, a worker reads one.

Discovery streams through a container once and keeps only where each document starts (a SourceFile per record with
its byte offset or line number, never a payload), so a 2 GB crawl costs memory in proportion to its record count,
and its records spread over shards like files do: a big WARC uses every worker.

- WARC (.warc, .warc.gz, read with fastwarc): `response` records whose HTTP Content-Type is HTML are documents;
  requests, metadata, warcinfo and non-HTML responses are counted as skipped, not rejected. A worker seeks to the
  record's offset and reads that record only (a .warc.gz has one gzip member per record, as the WARC standard
  recommends, so it can seek). A .warc.gz compressed as one gzip stream (`gzip crawl.warc`) cannot seek: its records'
  offsets count decompressed bytes, and a worker reads forward through the stream, as for a .jsonl.gz (below).
  fastwarc stops quietly at damage (a truncated gzip member, a cut-off record), so discovery checks that the last
  record it saw ends where the file ends; the damage is one rejected document naming its byte offset, and the records
  before it are kept.
- JSONL (.jsonl, .jsonl.gz): one JSON object a line. A worker seeks to the line's byte offset in a .jsonl. A .jsonl.gz
  cannot seek: a worker keeps the gzip stream it last read open and reads forward from there, and since a shard holds
  consecutive lines, a shard costs one decompression pass up to its last line (several shards of one big .jsonl.gz
  each decompress its beginning again: split big exports into several files, or leave them uncompressed). A line
  that is not JSON, or has neither "html" nor "text", is rejected with its line number; a truncated .jsonl.gz keeps
  the lines before the damage and rejects one document naming the line and byte offset where it starts.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import zlib
from dataclasses import replace
from itertools import pairwise

from newsclean import settings
from newsclean.records import Document, SourceFile
from newsclean.read.decode import ReadError, check_document_size, decode_text, open_binary

_CHUNK = 1 << 16
_WARC_HEADER_LIMIT = 1 << 20  # a WARC header block longer than this is damage, not a header
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)[ \t]*\r?$")


def _warc_failure(error: BaseException) -> bool:
    """fastwarc reports damage as OSError/ValueError, and a few malformed inputs as a Rust panic (a BaseException);
    both are one record's damage, never a reason to stop the run. Interrupts still stop it."""
    return not isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit))


def _is_html_response(record) -> bool:
    from fastwarc.warc import WarcRecordType

    if record.record_type != WarcRecordType.response or not record.is_http:
        return False
    record.parse_http()
    content_type = (record.http_content_type or "").split(";")[0].strip().lower()
    return content_type in settings.WARC_HTML_TYPES


def _header_end(head: bytes) -> int | None:
    """Length of a WARC record's header block plus its block, from the record's first bytes; None if unreadable."""
    split = head.find(b"\r\n\r\n")
    match = _CONTENT_LENGTH.search(head[:split]) if split >= 0 else None
    return split + 4 + int(match.group(1)) if match else None


def _warc_record_end(file: SourceFile, offset: int) -> int | None:
    """Byte offset where the record at `offset` ends in the file, or None if the file ends inside it (truncated)."""
    with open_binary(file.path) as handle:
        handle.seek(offset)
        if not file.compressed:
            length = _header_end(handle.read(_WARC_HEADER_LIMIT))
            end = None if length is None else offset + length + 4  # the block is followed by CRLF CRLF
            return end if end is not None and end <= file.size else None
        # The gzip member of the record: inflate it in bounded steps, keeping only the head for its header.
        inflater, head, inflated, fed = zlib.decompressobj(wbits=31), b"", 0, 0
        while not inflater.eof:
            chunk = handle.read(_CHUNK)
            if not chunk:
                return None  # the member is cut off
            fed += len(chunk)
            data = chunk
            try:
                while data and not inflater.eof:
                    out = inflater.decompress(data, _CHUNK)
                    inflated += len(out)
                    if len(head) < _WARC_HEADER_LIMIT:
                        head += out
                    data = inflater.unconsumed_tail
            except zlib.error:
                return None
        length = _header_end(head)
        if length is None or inflated < length:
            return None
        return offset + fed - len(inflater.unused_data) - len(inflater.unconsumed_tail)


def _scan_warc(stream) -> tuple[list[tuple[int, bool]], BaseException | None]:
    """(offset, is a document) of every record of a WARC stream (offsets only, no payloads), and the damage that
    stopped the scan, if any."""
    from fastwarc.warc import ArchiveIterator

    seen: list[tuple[int, bool]] = []
    try:
        for record in ArchiveIterator(stream, parse_http=False):
            seen.append((record.stream_pos, _is_html_response(record)))
    except BaseException as failure:  # noqa: B036 (see _warc_failure)
        if not _warc_failure(failure):
            raise
        return seen, failure
    return seen, None


def _stream_record_end(path: str, offset: int) -> tuple[int | None, int]:
    """For a WARC compressed as one gzip stream: where the record at decompressed `offset` ends (None if the stream
    ends inside it), and where the decompressed stream ends."""
    with open_binary(path) as raw, gzip.GzipFile(fileobj=raw) as stream:
        try:
            stream.seek(offset)
            length = _header_end(stream.read(_WARC_HEADER_LIMIT))
            if length is None:
                return None, offset
            stream.seek(offset + length + 4)  # the block is followed by CRLF CRLF
            end = stream.tell()
            while stream.read(_CHUNK):
                pass
            return (end if end == offset + length + 4 else None), stream.tell()
        except (OSError, EOFError, zlib.error):
            return None, offset


def index_warc(file: SourceFile, found: list[SourceFile]) -> int:
    """Append the HTML response records of a WARC file to `found` (plus one damaged record if the file is damaged);
    return how many records were no documents."""
    with open_binary(file.path) as handle:
        seen, error = _scan_warc(handle)
    # Records that share a gzip member (offsets never decrease: neighbours with the same one) make one stream.
    one_stream = file.compressed and any(earlier == later for (earlier, _), (later, _) in pairwise(seen))
    if one_stream:
        with open_binary(file.path) as raw, gzip.GzipFile(fileobj=raw) as stream:
            seen, error = _scan_warc(stream)
        end, file_end = _stream_record_end(file.path, seen[-1][0]) if seen else (0, 0)
        file = replace(file, offset_decompressed=True)
    else:
        end, file_end = (_warc_record_end(file, seen[-1][0]) if seen else 0), file.size
    damage: tuple[int, str] | None = None
    if end is None:
        offset = seen.pop()[0]
        damage = (offset, f"truncated WARC record at byte {offset}: the file ends inside it")
    elif error is not None:
        damage = (end, f"corrupt WARC data at byte {end}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}; "
                       f"the records after it are lost")
    elif end != file_end:
        damage = (end, f"truncated or corrupt WARC data at byte {end} (no whole record there); the records after it are lost")
    documents = [replace(file, offset=offset) for offset, is_document in seen if is_document]
    found += documents
    if damage is not None:
        found.append(replace(file, offset=damage[0], problem=damage[1]))
    return len(seen) - len(documents)


class _GzipCursor:
    """A gzip stream (a .jsonl.gz, a .warc.gz compressed as one stream) open in this worker process: the next record
    of the same file is read forward from where the last one ended."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.raw = open_binary(path)
        self.stream = gzip.GzipFile(fileobj=self.raw)
        self.next_line = 1

    def close(self) -> None:
        self.stream.close()
        self.raw.close()


_cursor: _GzipCursor | None = None  # one per worker process: shards read their records in order


def _cursor_at(path: str, behind) -> _GzipCursor:
    """This process's cursor on `path`, a new one if it is on another file or past the record wanted (`behind`)."""
    global _cursor
    if _cursor is None or _cursor.path != path or behind(_cursor):
        if _cursor is not None:
            _cursor.close()
        _cursor = _GzipCursor(path)
    return _cursor


def _drop_cursor() -> None:
    global _cursor
    if _cursor is not None:
        _cursor.close()
        _cursor = None


def _stream_record_bytes(source: SourceFile, limit: int) -> bytes:
    """The whole WARC record at decompressed `source.offset` of a one-stream .warc.gz: its header lines, then exactly
    its block (no read-ahead, so the stream stays where the next record starts)."""
    cursor = _cursor_at(source.path, lambda cursor: cursor.stream.tell() > source.offset)
    try:
        cursor.stream.seek(source.offset)
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            line = cursor.stream.readline(_WARC_HEADER_LIMIT)
            if not line or len(head) + len(line) > _WARC_HEADER_LIMIT:
                raise ReadError(f"no WARC record at byte {source.offset} of the decompressed stream (the file changed since discovery?)")
            head += line
        match = _CONTENT_LENGTH.search(head)
        length = int(match.group(1)) if match else 0
        if length > limit + _WARC_HEADER_LIMIT:  # the block is the HTTP head, then the payload: never read a bomb
            check_document_size(length)
        return head + cursor.stream.read(length) + cursor.stream.read(4)  # the block, then its CRLF CRLF
    except BaseException:
        _drop_cursor()
        raise


def read_warc_record(source: SourceFile) -> Document:
    """The HTML payload of the WARC record at `source.offset`, decoded with the HTTP charset as the declared one."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    limit = settings.MAX_DOCUMENT_BYTES
    try:
        with (io.BytesIO(_stream_record_bytes(source, limit)) if source.offset_decompressed else open_binary(source.path)) as handle:
            if not source.offset_decompressed:
                handle.seek(source.offset)
            record = next(iter(ArchiveIterator(handle, parse_http=True, auto_decode="all")), None)
            if record is None or record.record_type != WarcRecordType.response:
                raise ReadError(f"no WARC response record at byte {source.offset} (the file changed since discovery?)")
            data = record.reader.read(limit + 1)
            url, fetched_at, charset = record.headers.get("WARC-Target-URI"), record.record_date, record.http_charset
    except (ReadError, FileNotFoundError):
        raise  # a file gone since discovery: read_document says so
    except BaseException as error:  # noqa: B036 (see _warc_failure)
        if not _warc_failure(error):
            raise
        raise ReadError(f"corrupt WARC record at byte {source.offset}: {type(error).__name__}: {error}") from error
    check_document_size(len(data))
    text, encoding = decode_text(data, is_html=True, http_charset=charset)
    return Document(text, encoding, hashlib.sha256(data).hexdigest(), "html", url=url or None, fetched_at=_in_utc(fetched_at))


def _read_line(handle, limit: int) -> tuple[bytes, int]:
    """(the line's first limit + 1 bytes at most, its whole length): an overlong line is skipped, not held."""
    line = handle.readline(limit + 1)
    length = len(line)
    if len(line) > limit and not line.endswith(b"\n"):
        while True:
            rest = handle.readline(_CHUNK)
            length += len(rest)
            if not rest or rest.endswith(b"\n"):
                break
    return line, length


def _line_id(line: bytes) -> str | None:
    """A JSONL line's "id", if it is an object with one (parsed only when the line names an id at all)."""
    if b'"id"' not in line:
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None  # rejected when read, under its line number
    record_id = value.get("id") if isinstance(value, dict) else None
    return str(record_id) if isinstance(record_id, (str, int)) and not isinstance(record_id, bool) else None


def _jsonl_stream(raw, file: SourceFile):
    return gzip.GzipFile(fileobj=raw) if file.compressed else raw


def index_jsonl(file: SourceFile, found: list[SourceFile]) -> int:
    """Append one SourceFile per non-blank line of a JSONL file to `found` (plus one for damage in a .jsonl.gz)."""
    line_no, offset = 0, 0
    try:
        with open_binary(file.path) as raw, _jsonl_stream(raw, file) as stream:
            while True:
                line, length = _read_line(stream, settings.MAX_DOCUMENT_BYTES)
                if not length:
                    break
                line_no += 1
                if line.strip():  # blank lines are no documents
                    found.append(replace(file, offset=offset, line_no=line_no, record_id=_line_id(line)))
                offset += length
    except FileNotFoundError:
        raise  # the file vanished since it was listed: discovery counts it
    except (OSError, EOFError, zlib.error) as error:
        found.append(replace(file, offset=offset, line_no=line_no + 1, problem=(
            f"truncated or corrupt gzip stream at line {line_no + 1} (byte {offset} of the decompressed data): {error}; "
            f"the lines after it are lost")))
    return 0


def _jsonl_gz_line(source: SourceFile, limit: int) -> tuple[bytes, int]:
    cursor = _cursor_at(source.path, lambda cursor: cursor.next_line > source.line_no)
    try:
        while cursor.next_line < source.line_no:
            if not _read_line(cursor.stream, _CHUNK)[1]:
                raise ReadError(f"line {source.line_no} is beyond the end of the file (it changed since discovery)")
            cursor.next_line += 1
        line = _read_line(cursor.stream, limit)
        cursor.next_line += 1
        return line
    except BaseException:
        _drop_cursor()
        raise


def _in_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A fetch time in UTC (a time without a zone is taken as UTC); None when there is none or it has no UTC time
    (9999-12-31T23:59:59-05:00 is past the last one): the record is kept, with fetched_at null."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        return None


def _utc(value) -> dt.datetime | None:
    """A JSONL fetched_at (ISO 8601 text) as a UTC time; None if it is not one (see _in_utc)."""
    try:
        return _in_utc(dt.datetime.fromisoformat(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def read_jsonl_line(source: SourceFile) -> Document:
    """The document on one JSONL line: its "html" (an HTML page) or else its "text" (plain text)."""
    limit = settings.MAX_DOCUMENT_BYTES
    where = f"line {source.line_no}"
    if source.compressed:
        line, length = _jsonl_gz_line(source, limit)
    else:
        with open_binary(source.path) as handle:
            handle.seek(source.offset)
            line, length = _read_line(handle, limit)
    check_document_size(length, f"{where}: ")
    try:
        value = json.loads(line)
    except ValueError as error:
        raise ReadError(f"{where} is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise ReadError(f"{where} is not a JSON object")
    html, text = value.get("html"), value.get("text")
    if isinstance(html, str) and html.strip():
        body, kind = html, "html"
    elif isinstance(text, str) and text.strip():
        body, kind = text, "text"
    else:
        raise ReadError(f"{where} has neither an \"html\" nor a \"text\" string")
    url = value.get("url")
    return Document(body.replace("\x00", ""), "utf-8", hashlib.sha256(line).hexdigest(), kind,
                    url=url if isinstance(url, str) and url else None, fetched_at=_utc(value.get("fetched_at")))


INDEXERS = {"warc": index_warc, "jsonl": index_jsonl}
READERS = {"warc": read_warc_record, "jsonl": read_jsonl_line}
