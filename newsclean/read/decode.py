"""Bytes to text: open a local or s3:// file, cap its size, and decode it the way browsers do (or a
ReadError with the reason recorded in `rejected`).
"""
from __future__ import annotations

import codecs
import re

from newsclean import settings
from newsclean.storage import filesystem_for, is_object_store


class ReadError(Exception):
    """One document cannot be read; the message is the reason recorded in `rejected`."""


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
    from charset_normalizer import (
        from_bytes,  # imported here: only undeclared non-UTF-8 input needs it
    )

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
