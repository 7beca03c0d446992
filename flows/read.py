"""Read: find the documents under a source folder and turn each file into text, or a reason it could not be."""
from __future__ import annotations

import codecs
import datetime as dt
import gzip
import hashlib
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path

from . import settings
from .storage import S3_SCHEME, filesystem_for, is_object_store


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


class SourceError(Exception):
    """The source as a whole cannot be read (missing, not a folder, no documents)."""


class ReadError(Exception):
    """One document cannot be read; the message is the reason recorded in `rejected`."""


def doc_id_of(key: str) -> str:
    """A document's id from its key (source key, '/', path below the root, and its record's reference)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)  # slots: a run holds one per document, and a __dict__ doubled its size
class SourceFile:
    """A document to read: a file, or one record of a container file (a WARC record, a JSONL line)."""

    path: str  # absolute path or s3:// URI of the file
    relpath: str  # path below the source root, '/'-separated
    root_name: str  # the source root's folder name (the last part of an s3:// prefix): where its documents come from
    # The source's identity in doc_ids: its root folder's name, made unique in a warehouse by flows/identity.py when
    # another source root there has the same name.
    source_key: str
    size: int  # of the file (the container file, for a record)
    mtime_ns: int = 0  # with size, how an incremental run tells a changed file without reading it
    problem: str | None = None  # found but not to be read (a link out of the source, damage in a container): the reason it is rejected
    # A record of a container file (flows/containers.py): a WARC record's byte offset in the file (of its gzip member
    # in a .warc.gz); a JSONL line's number (1-based) and its byte offset (in the decompressed stream for .jsonl.gz).
    offset: int | None = None
    line_no: int | None = None
    record_id: str | None = None  # a JSONL line's own "id": its identity, wherever the line moves in the file
    # A .warc.gz compressed as one gzip stream (not a member per record): its offsets count decompressed bytes.
    offset_decompressed: bool = False

    def __reduce__(self):
        # Pickled as its constructor's arguments (shards go to workers and to the spool): the state functions that
        # dataclasses gives a frozen class with slots set each field in Python, ~4 µs a document more.
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
        """Stable across runs and machines: the source's key (its root folder's name, see flows/identity.py) and the
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


# Why a path under SOURCE is no document and is not read: counted in runs.paths_skipped_by_reason (never silently).
SKIP_HIDDEN = "hidden name (leading '.' or '_')"  # a hidden folder counts once: its contents are not listed
SKIP_WAREHOUSE = "the warehouse's own folder"
SKIP_VANISHED = "vanished during discovery"  # deleted or renamed by a crawler between the listing and its stat
# A file that is not a regular file (a FIFO, a socket, a device) is no document and is never opened (a FIFO would
# block the run): it is rejected with this reason, naming its kind.
_SPECIAL_FILES = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"))


class Discovery(list):
    """The documents found under a source (a list of SourceFile), how many container records were no documents
    (WARC requests, metadata, non-HTML responses): counted, not rejected, and the paths under the source that are no
    documents (hidden names, the warehouse's folder, files gone before they could be listed), by reason."""

    skipped_records: int = 0

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.skipped_paths: Counter[str] = Counter()


def _is_hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read ('not a regular file (a FIFO)'), or None for a regular file or a link."""
    for test, kind in _SPECIAL_FILES:
        if test(mode):
            return f"not a regular file ({kind}): not read"
    return None


# A file the listing found: (path, relpath, problem, size, mtime_ns). A plain tuple: one per file of a big source.
_Listed = tuple[str, str, str | None, int, int]


def _walk(root: Path, skipped: Counter, exclude: Path | None) -> list[_Listed]:
    """Files below root, sorted by the parts of relpath: symbolic links are never followed out of the source folder
    (a link to a file outside is listed with its problem, so it is rejected rather than silently dropped; links to
    folders are not descended into). Hidden names and `exclude` (the warehouse, when it is inside the source) are
    counted in `skipped`, as are files that vanish before their stat (a crawler still writing into the source: a file
    renamed away is found under its new name by this run or the next). A folder that cannot be listed for another
    reason is listed with its problem. Plain strings, no Path per file: a big source's listing is a large share of
    a run's peak memory."""
    found: list[_Listed] = []
    unlistable: list[OSError] = []
    excluded = str(exclude) if exclude is not None else None
    for folder, folders, files in os.walk(root, followlinks=False, onerror=unlistable.append):
        kept = []
        for name in folders:
            if _is_hidden(name):
                skipped[SKIP_HIDDEN] += 1
            elif excluded is not None and os.path.join(folder, name) == excluded:
                skipped[SKIP_WAREHOUSE] += 1
            else:
                kept.append(name)
        folders[:] = sorted(kept)
        inside = os.path.relpath(folder, root)
        prefix = "" if inside == os.curdir else inside.replace(os.sep, "/") + "/"
        for name in folders:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                _add_listed(found, skipped, path, prefix + name, "symbolic link to a folder, not followed")
        for name in sorted(files):
            if _is_hidden(name):
                skipped[SKIP_HIDDEN] += 1
                continue
            path = os.path.join(folder, name)
            problem = None
            if os.path.islink(path):
                target = Path(path).resolve()
                if not target.is_relative_to(root) or not target.is_file():
                    problem = "symbolic link to outside the source folder, not followed"
            _add_listed(found, skipped, path, prefix + name, problem)
    for error in unlistable:
        if isinstance(error, FileNotFoundError) or error.filename is None:
            skipped[SKIP_VANISHED] += 1  # a folder deleted or renamed after its parent was listed
        else:
            relpath = os.path.relpath(error.filename, root).replace(os.sep, "/")
            found.append((error.filename, relpath, f"cannot list folder: {error.strerror or error}", 0, 0))
    found.sort(key=lambda item: item[1].split("/"))
    return found


def _add_listed(found: list[_Listed], skipped: Counter, path: str, relpath: str, problem: str | None) -> None:
    try:
        status = os.lstat(path)  # one system call per file
    except FileNotFoundError:
        skipped[SKIP_VANISHED] += 1
        return
    except OSError as error:
        found.append((path, relpath, f"cannot read file: {error.strerror or error}", 0, 0))
        return
    found.append((path, relpath, problem or _not_regular(status.st_mode), status.st_size, status.st_mtime_ns))


def discover(source: str | os.PathLike, *, source_key: str | None = None, exclude: str | os.PathLike | None = None) -> Discovery:
    """Every document below `source` (a folder, a file or an s3:// prefix), sorted: files, and the records of container
    files (WARC, JSONL) in file order. Names starting with '.' or '_' are not documents (hidden and bookkeeping files,
    as pyarrow and Spark treat them): they are not listed, only counted (`skipped_paths`), as are `exclude` (the
    warehouse's folder, when it lies inside the source) and files that vanish while the source is listed. Documents
    are keyed by `source_key` (default: the root folder's name; see flows/identity.py)."""
    from . import containers  # fastwarc is imported only when a source holds a WARC

    found = Discovery()
    files = (_list_object_store(str(source), found.skipped_paths, source_key) if is_object_store(source)
             else _list_local(source, found.skipped_paths, exclude, source_key))
    for file in files:
        if file.problem is None and file.format in containers.INDEXERS:
            try:
                found.skipped_records += containers.INDEXERS[file.format](file, found)
            except FileNotFoundError:
                found.skipped_paths[SKIP_VANISHED] += 1  # deleted or renamed since it was listed
        else:
            found.append(file)
    return found


def check_source(source: str | os.PathLike) -> None:
    """SourceError unless `source` exists and lists files: the CLI's check before the Prefect server starts (the
    containers are indexed once, in the flow)."""
    _list_object_store(str(source), Counter()) if is_object_store(source) else _list_local(source, Counter())


def source_root(source: str | os.PathLike) -> tuple[str, str]:
    """The source's root (its absolute resolved folder; a file's folder; an s3:// prefix, a single object's prefix)
    and that root's name: what flows/identity.py keys a source by."""
    if is_object_store(source):
        uri = str(source).rstrip("/")
        import pyarrow.fs as pafs

        try:
            filesystem, base = filesystem_for(uri)
            if filesystem.get_file_info(base).type == pafs.FileType.File:
                uri = uri.rpartition("/")[0]
        except (OSError, ValueError):
            pass  # discovery reports an unreachable store
        return uri, uri.rpartition("/")[2]
    root = Path(source).resolve()
    if root.is_file():
        root = root.parent
    return str(root), root.name


def _list_local(source: str | os.PathLike, skipped: Counter, exclude: str | os.PathLike | None = None,
                source_key: str | None = None) -> list[SourceFile]:
    given = Path(source)
    if not given.exists() and not given.is_symlink():
        raise SourceError(f"source {str(given)!r} does not exist")
    root = given.resolve()
    if root.is_file():
        path = os.path.abspath(given)
        status = os.stat(path)
        found, root = [(path, os.path.basename(path), None, status.st_size, status.st_mtime_ns)], root.parent
    elif root.is_dir():
        found = _walk(root, skipped, Path(exclude).resolve() if exclude is not None else None)
    else:
        raise SourceError(f"source {str(given)!r} is neither a file nor a folder")
    if not found:
        raise SourceError(f"source {str(given)!r} holds no documents")
    root_name = root.name  # one string shared by every document, not one each
    source_key = source_key or root_name
    return [SourceFile(path=path, relpath=relpath, root_name=root_name, source_key=source_key, size=size, mtime_ns=mtime_ns,
                       problem=problem)
            for path, relpath, problem, size, mtime_ns in found]


def _list_object_store(source: str, skipped: Counter, source_key: str | None = None) -> list[SourceFile]:
    """The objects under an s3://bucket/prefix (or the one object it names), with size and modification time from
    the listing. An unreachable store or a missing bucket is a SourceError, raised before any work."""
    import pyarrow.fs as pafs

    try:
        filesystem, base = filesystem_for(source)
        given = filesystem.get_file_info(base)
        if given.type == pafs.FileType.File:
            infos, base = [given], base.rpartition("/")[0]
        elif given.type == pafs.FileType.Directory:
            infos = filesystem.get_file_info(pafs.FileSelector(base, recursive=True))
        else:
            raise SourceError(f"source {source!r} does not exist")
    except (OSError, ValueError) as error:
        raise SourceError(f"cannot read source {source!r}: {str(error).splitlines()[0]}") from error
    files, root_name = [], base.rstrip("/").rpartition("/")[2]
    source_key = source_key or root_name
    for info in sorted(infos, key=lambda info: info.path):
        relpath = info.path[len(base) + 1:]
        if info.type != pafs.FileType.File:
            continue
        if any(_is_hidden(part) for part in relpath.split("/")):
            skipped[SKIP_HIDDEN] += 1  # an object store has no folders: each hidden object counts
            continue
        files.append(SourceFile(path=S3_SCHEME + info.path, relpath=relpath, root_name=root_name, source_key=source_key,
                                size=info.size, mtime_ns=info.mtime_ns or 0))
    if not files:
        raise SourceError(f"source {source!r} holds no documents")
    return files


def open_binary(path: str, buffered: bool = True):
    """A seekable binary file for a local path or an s3:// URI (pyarrow's S3 file: ranged reads, no download).
    `buffered` off: a local file without Python's read buffer, for a reader that reads it in a few large pieces."""
    if is_object_store(path):
        filesystem, inside = filesystem_for(path)
        return filesystem.open_input_file(inside)
    return open(path, "rb", buffering=-1 if buffered else 0)


def check_document_size(size: int, where: str = "") -> None:
    """ReadError for a document over the cap (readers read at most one byte past it: bombs stay bounded)."""
    limit = settings.MAX_DOCUMENT_BYTES
    if size > limit:
        raise ReadError(f"{where}document larger than the {limit}-byte limit (NEWSCLEAN_MAX_DOCUMENT_BYTES)")


_FIRST_READ_BYTES = 1 << 16


def _read_capped(handle, limit: int) -> bytes:
    """At most limit + 1 bytes (one past the cap: bombs stay bounded), in doubling pieces: a single read of
    limit + 1 bytes allocates that much up front, 64 MB for a 4 kB page."""
    pieces, size, want = [], 0, _FIRST_READ_BYTES
    while size <= limit:
        piece = handle.read(min(want, limit + 1 - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
        want *= 2
    return b"".join(pieces)


def _read_bytes(source: SourceFile) -> bytes:
    limit = settings.MAX_DOCUMENT_BYTES
    # Unbuffered: the pieces are large, and a buffered reader's set-up (its buffer, a seek) was ~20% of reading a
    # seed-sized file.
    with open_binary(source.path, buffered=False) as handle:
        if source.compressed:
            try:
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    data = _read_capped(unzipped, limit)
            except (OSError, EOFError) as error:
                raise ReadError(f"bad gzip stream: {error}") from error
        else:
            data = _read_capped(handle, limit)
    check_document_size(len(data))
    return data


WINDOWS_1252_CHAOS_MARGIN = 0.02  # how much less plausible than the detector's pick windows-1252 may look and still win
_WINDOWS_1252_LANGUAGES = frozenset({"English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch", "Danish",
                                     "Swedish", "Norwegian", "Finnish", "Catalan", "Indonesian", "Malay", "Unknown", ""})


def _latin_letters_only(text: str) -> bool:
    return all(ord(char) < 0x250 or not char.isalpha() for char in text)  # Latin letters end at U+024F


# Encodings web pages use (the WHATWG Encoding Standard's families, as Python names them): DOS and old Mac code pages,
# which the detector likes on short text, never carry news.
_WEB_ENCODING_PREFIXES = ("utf", "cp125", "iso8859", "latin_1", "koi8", "cp866", "mac_cyrillic", "cp874", "tis_620",
                          "cp932", "shift_jis", "euc_", "iso2022", "gb", "big5", "cp949")
# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">, in the first bytes.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_SNIFF_BYTES = 4096
# Labels browsers read as windows-1252 (WHATWG Encoding Standard): its superset, with curly quotes and the euro.
_WINDOWS_1252_LABELS = {"latin1", "latin_1", "iso8859_1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1", "ascii", "us-ascii", "cp1252", "windows-1252", "x-cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return _codec_name(match.group(1).decode("ascii", "replace")) if match else None


def _codec_name(label: str | None) -> str | None:
    """Python's name of a charset label (windows-1252 for its Latin-1 aliases, as browsers read them); None if unknown."""
    if not label:
        return None
    label = label.strip().lower()
    label = "cp1252" if label in _WINDOWS_1252_LABELS else label
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None  # an unknown label is no declaration


# Files that are never text, whatever their name says.
_BINARY_MAGIC = {b"\x89PNG": "a PNG image", b"%PDF-": "a PDF document", b"GIF8": "a GIF image", b"\xff\xd8\xff": "a JPEG image",
                 b"PK\x03\x04": "a ZIP archive", b"\x1f\x8b": "gzip data", b"RIFF": "a RIFF media file", b"\x7fELF": "a program"}
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27})
BINARY_CONTROL_SHARE = 0.05  # text has almost no control bytes; random or compressed bytes have about 10%


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:_SNIFF_BYTES]
    if head and len(head) - len(head.translate(None, _CONTROL_BYTES)) > BINARY_CONTROL_SHARE * len(head):
        return "binary data"
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken sequences (a truncated copy, mixed sources): decoded with replacement marks,
    which beats reading the whole document in a wrong single-byte code page (mojibake everywhere)."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    decoded_non_ascii = sum(1 for char in text if char > "\x7f") - broken
    return text if decoded_non_ascii > broken else None


def decode_text(data: bytes, *, is_html: bool = False, http_charset: str | None = None) -> tuple[str, str]:
    """Text and the encoding used, the way browsers decide: a BOM; a declared charset that actually decodes (the HTTP
    header's, as a WARC record carries it, else for HTML the page's <meta>; a page declaring latin-1 whose bytes are
    valid UTF-8 is UTF-8: the declaration is wrong); strict UTF-8; else the detector's best guess (Western single-byte
    text read as windows-1252, as browsers do)."""
    text, encoding = _decode(data, is_html, _codec_name(http_charset))
    return text.replace("\x00", ""), encoding  # a stray NUL is never content (and trips some readers)


# UTF-16 without a byte-order mark: text in Latin script (and any HTML page: its markup) has a NUL in every other
# byte, the high byte of each code unit. At least this share of the code units of the first bytes must have a NUL high
# byte and almost none (at most UTF16_OTHER_NUL_SHARE) a NUL low byte; the whole must then decode strictly.
UTF16_NUL_HIGH_SHARE = 0.3
UTF16_OTHER_NUL_SHARE = 0.02


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text without a byte-order mark (by where its NUL bytes fall), else None."""
    head = data[:_SNIFF_BYTES]
    units = len(head) // 2
    if units < 2:
        return None
    nul_even, nul_odd = head[0:units * 2:2].count(0), head[1:units * 2:2].count(0)
    for high, low, encoding in ((nul_odd, nul_even, "utf-16-le"), (nul_even, nul_odd, "utf-16-be")):
        if high >= UTF16_NUL_HIGH_SHARE * units and low <= UTF16_OTHER_NUL_SHARE * units:
            return encoding
    return None


def _decode(data: bytes, is_html: bool, http_charset: str | None) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        try:
            text = data[: len(data) // 2 * 2].decode(utf16)  # a cut-off last byte is no character
        except UnicodeDecodeError:
            pass  # NUL bytes in step, but no UTF-16: binary data, judged below
        else:
            if _binary_kind(text[:_SNIFF_BYTES].encode("utf-8", "surrogatepass")) is None:
                return text, utf16
    kind = _binary_kind(data)
    if kind:
        raise ReadError(f"binary content ({kind}), not text")
    declared = http_charset or (_declared_charset(data) if is_html else None)
    if declared and declared not in ("utf-8", "cp1252"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass  # the declaration lies: fall through to what the bytes say
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared == "cp1252":
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8, "utf-8 (invalid bytes replaced)"
    from charset_normalizer import from_bytes  # imported here: only undeclared non-UTF-8 input needs it

    candidates = [match for match in from_bytes(data) if match.encoding.startswith(_WEB_ENCODING_PREFIXES)] or list(from_bytes(data))
    if not candidates:
        raise ReadError("undecodable bytes: no text encoding fits")
    best = min(candidates, key=lambda match: match.chaos)
    try:
        as_windows_1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        as_windows_1252 = None
    # Browsers read undeclared Western text as windows-1252. The detector's pick among Latin code pages is a coin
    # toss (it reads French as Baltic cp1257: "élčve"), so windows-1252 wins when it gives the same text, is about as
    # plausible, or the text is in Latin letters and a language written in windows-1252. Polish or Czech (cp1250)
    # and Cyrillic, Greek or CJK text keep the detector's pick. (Undeclared Lithuanian cp1257, rare, can lose.)
    if as_windows_1252 is not None and (
        any(as_windows_1252 == str(match) or match.encoding == "cp1252"
            for match in candidates if match.chaos <= best.chaos + WINDOWS_1252_CHAOS_MARGIN)
        or (best.language in _WINDOWS_1252_LANGUAGES and _latin_letters_only(str(best)))
    ):
        return as_windows_1252, "cp1252"
    return str(best), best.encoding


# The rejected reason of a file listed by discovery and gone when its document is read (a crawler still writing into
# the source deleted or renamed it): recorded, never lost silently; a renamed file is found under its new name next run.
VANISHED_AFTER_DISCOVERY = "file vanished after discovery (deleted or renamed while the run read the source)"


def read_document(source: SourceFile) -> Document:
    """One document's text and what its input says about it, or ReadError with the reason."""
    if source.problem:
        raise ReadError(source.problem)
    kind = source.format  # a property that reads the name's suffixes: once
    if kind is None:
        raise ReadError(f"unsupported file type {Path(source.relpath).suffix or '(no extension)'!r}")
    try:
        if kind in ("warc", "jsonl"):
            from . import containers

            return containers.READERS[kind](source)
        data = _read_bytes(source)
    except FileNotFoundError as error:
        raise ReadError(VANISHED_AFTER_DISCOVERY) from error
    except OSError as error:
        raise ReadError(f"cannot read file: {error.strerror or error}") from error
    text, encoding = decode_text(data, is_html=kind == "html")
    return Document(text, encoding, hashlib.sha256(data).hexdigest(), kind)
