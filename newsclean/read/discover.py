"""Read: find the documents under a source folder and turn each file into text, or a reason it could not be.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import stat
from collections import Counter
from pathlib import Path

from newsclean import settings
from newsclean.read.decode import (
    ReadError,
    _read_capped,
    check_document_size,
    decode_text,
    open_binary,
)
from newsclean.records import Document, SourceFile
from newsclean.storage import S3_SCHEME, filesystem_for, is_object_store


class SourceError(Exception):
    """The source as a whole cannot be read (missing, not a folder, no documents)."""


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
    are keyed by `source_key` (default: the root folder's name; see newsclean/read/identity.py)."""
    from newsclean.read import (
        containers,  # fastwarc is imported only when a source holds a WARC
    )

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
    and that root's name: what newsclean/read/identity.py keys a source by."""
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


def _read_bytes(source: SourceFile) -> bytes:
    limit = settings.MAX_DOCUMENT_BYTES
    # Unbuffered: the pieces are large, and a buffered reader's set-up (its buffer, a seek) is a large share of reading
    # a seed-sized file.
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
            from newsclean.read import containers

            return containers.READERS[kind](source)
        data = _read_bytes(source)
    except FileNotFoundError as error:
        raise ReadError(VANISHED_AFTER_DISCOVERY) from error
    except OSError as error:
        raise ReadError(f"cannot read file: {error.strerror or error}") from error
    text, encoding = decode_text(data, is_html=kind == "html")
    return Document(text, encoding, hashlib.sha256(data).hexdigest(), kind)
