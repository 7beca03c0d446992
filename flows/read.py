"""Read: find the documents under a source folder and turn each file into text, or a reason it could not be."""
from __future__ import annotations

import codecs
import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import settings


# A crawler's daily drop folder: YYYY-MM-DD or dt=YYYY-MM-DD.
DATE_FOLDER = re.compile(r"(?:dt=)?\d{4}-\d{2}-\d{2}")


class SourceError(Exception):
    """The source as a whole cannot be read (missing, not a folder, no documents)."""


class ReadError(Exception):
    """One document cannot be read; the message is the reason recorded in `rejected`."""


@dataclass(frozen=True)
class SourceFile:
    path: str  # absolute path: the `source_uri` analysts join on
    relpath: str  # path below the source root, '/'-separated
    root_name: str  # the source root's folder name
    size: int

    @property
    def source_uri(self) -> str:
        return self.path

    @property
    def doc_id(self) -> str:
        """Stable across runs and machines: the root folder's name and the path below it, hashed."""
        return hashlib.sha256(f"{self.root_name}/{self.relpath}".encode("utf-8", "surrogatepass")).hexdigest()[:20]

    @property
    def site(self) -> str:
        """Where the document comes from, for site-level learning: its folder, date folders left out."""
        folders = [part for part in self.relpath.split("/")[:-1] if not DATE_FOLDER.fullmatch(part)]
        return "folder:" + "/".join([self.root_name, *folders])

    @property
    def format(self) -> str | None:
        name = self.relpath.lower()
        if name.endswith(settings.COMPRESSED_SUFFIX):
            name = name[: -len(settings.COMPRESSED_SUFFIX)]
        if name.endswith(settings.TEXT_SUFFIXES):
            return "text"
        return "html" if name.endswith(settings.HTML_SUFFIXES) else None


def discover(source: str | os.PathLike) -> list[SourceFile]:
    """Every regular file below `source`, sorted; hidden files and folders (leading '.' or '_') are skipped."""
    root = Path(source)
    if not root.exists():
        raise SourceError(f"source {str(root)!r} does not exist")
    if root.is_file():
        files, root = [root], root.parent
    elif root.is_dir():
        files = sorted(
            path
            for path in root.rglob("*")
            if path.is_file() and not any(part.startswith((".", "_")) for part in path.relative_to(root).parts)
        )
    else:
        raise SourceError(f"source {str(root)!r} is neither a file nor a folder")
    if not files:
        raise SourceError(f"source {str(root)!r} holds no documents")
    root = root.resolve()
    return [
        SourceFile(
            path=str(path.resolve()),
            relpath=path.resolve().relative_to(root).as_posix(),
            root_name=root.name,
            size=path.stat().st_size,
        )
        for path in files
    ]


def _read_bytes(source: SourceFile) -> bytes:
    limit = settings.MAX_DOCUMENT_BYTES
    with open(source.path, "rb") as handle:
        if source.relpath.lower().endswith(settings.COMPRESSED_SUFFIX):
            try:
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    data = unzipped.read(limit + 1)  # read at most one byte past the cap: bombs stay bounded
            except (OSError, EOFError) as error:
                raise ReadError(f"bad gzip stream: {error}") from error
        else:
            data = handle.read(limit + 1)
    if len(data) > limit:
        raise ReadError(f"document larger than the {limit}-byte limit (NEWSCLEAN_MAX_DOCUMENT_BYTES)")
    return data


_LATIN_SINGLE_BYTE = {"cp1252", "latin_1", "iso8859_15", "cp437", "cp850", "cp858", "cp1250", "mac_roman", "mac_latin2", "iso8859_2"}
# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">, in the first bytes.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_SNIFF_BYTES = 4096
# Labels browsers read as windows-1252 (WHATWG Encoding Standard): its superset, with curly quotes and the euro.
_WINDOWS_1252_LABELS = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1", "ascii", "us-ascii", "cp1252", "windows-1252", "x-cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").lower()
    label = "cp1252" if label in _WINDOWS_1252_LABELS else label
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None  # an unknown label is no declaration


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    return b"\x00" in head and head.count(b"\x00") > len(head) // 10


def decode_text(data: bytes, *, is_html: bool = False) -> tuple[str, str]:
    """Text and the encoding used, the way browsers decide: a BOM; for HTML a declared charset that actually decodes
    (a page declaring latin-1 whose bytes are valid UTF-8 is UTF-8: the declaration is wrong); strict UTF-8; else the
    detector's best guess (Western single-byte text read as windows-1252, as browsers do)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    if _looks_binary(data):
        raise ReadError("binary content (NUL bytes), not text")
    declared = _declared_charset(data) if is_html else None
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
    from charset_normalizer import from_bytes  # imported here: only undeclared non-UTF-8 input needs it

    best = from_bytes(data).best()
    if best is None:
        raise ReadError("undecodable bytes: no text encoding fits")
    if best.encoding in _LATIN_SINGLE_BYTE:
        # The detector cannot tell Western code pages apart on short text; browsers read them as windows-1252.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding


def read_source(source: SourceFile) -> tuple[str, str]:
    """(text, encoding) of one document, or ReadError with the reason."""
    if source.format is None:
        raise ReadError(f"unsupported file type {Path(source.relpath).suffix or '(no extension)'!r}")
    try:
        data = _read_bytes(source)
    except OSError as error:
        raise ReadError(f"cannot read file: {error.strerror or error}") from error
    return decode_text(data, is_html=source.format == "html")
