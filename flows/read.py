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
    problem: str | None = None  # found but not to be read (a link out of the source): the reason it is rejected

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


def _is_hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _walk(root: Path) -> list[tuple[Path, str | None]]:
    """Files below root as (path, problem): symbolic links are never followed out of the source folder (a link to a
    file outside is listed with its problem, so it is rejected rather than silently dropped; links to folders are
    not descended into)."""
    found: list[tuple[Path, str | None]] = []
    for folder, folders, files in os.walk(root, followlinks=False):
        folders[:] = sorted(name for name in folders if not _is_hidden(name))
        base = Path(folder)
        for name in sorted(folders):
            if (base / name).is_symlink():
                found.append((base / name, "symbolic link to a folder, not followed"))
        for name in sorted(files):
            path = base / name
            if _is_hidden(name):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root) or not target.is_file():
                    found.append((path, "symbolic link to outside the source folder, not followed"))
                    continue
            found.append((path, None))
    return sorted(found, key=lambda item: item[0].relative_to(root).parts)


def discover(source: str | os.PathLike) -> list[SourceFile]:
    """Every file below `source`, sorted. Names starting with '.' or '_' are not documents (hidden and
    bookkeeping files, as pyarrow and Spark treat them) and are not listed."""
    given = Path(source)
    if not given.exists() and not given.is_symlink():
        raise SourceError(f"source {str(given)!r} does not exist")
    root = given.resolve()
    if root.is_file():
        found, root = [(Path(os.path.abspath(given)), None)], root.parent
        base = Path(os.path.abspath(given)).parent
    elif root.is_dir():
        found, base = _walk(root), root
    else:
        raise SourceError(f"source {str(given)!r} is neither a file nor a folder")
    if not found:
        raise SourceError(f"source {str(given)!r} holds no documents")
    return [
        SourceFile(
            path=str(path),
            relpath=path.relative_to(base).as_posix(),
            root_name=root.name,
            size=path.lstat().st_size,
            problem=problem,
        )
        for path, problem in found
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


def decode_text(data: bytes, *, is_html: bool = False) -> tuple[str, str]:
    """Text and the encoding used, the way browsers decide: a BOM; for HTML a declared charset that actually decodes
    (a page declaring latin-1 whose bytes are valid UTF-8 is UTF-8: the declaration is wrong); strict UTF-8; else the
    detector's best guess (Western single-byte text read as windows-1252, as browsers do)."""
    text, encoding = _decode(data, is_html)
    return text.replace("\x00", ""), encoding  # a stray NUL is never content (and trips some readers)


def _decode(data: bytes, is_html: bool) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    kind = _binary_kind(data)
    if kind:
        raise ReadError(f"binary content ({kind}), not text")
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


def read_source(source: SourceFile) -> tuple[str, str]:
    """(text, encoding) of one document, or ReadError with the reason."""
    if source.problem:
        raise ReadError(source.problem)
    if source.format is None:
        raise ReadError(f"unsupported file type {Path(source.relpath).suffix or '(no extension)'!r}")
    try:
        data = _read_bytes(source)
    except OSError as error:
        raise ReadError(f"cannot read file: {error.strerror or error}") from error
    return decode_text(data, is_html=source.format == "html")
