"""Recognisers for the metadata lines at the top of a plain-text article: section label, title, dek, date, byline.

Each is a small predicate or parser over one normalised line; `text.py` decides, by position, which line is which.
"""
from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_FORMS = (
    re.compile(r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?:[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?"),
    re.compile(rf"(?P<mon>{_MONTH})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>(?:19|20)\d\d)", re.IGNORECASE),
    re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<mon>{_MONTH})\.?,? (?P<y>(?:19|20)\d\d)", re.IGNORECASE),
)
# What may surround a date on a dateline: a verb, a weekday, a time, a zone. Anything more and it is prose.
_DATELINE_FILLER = re.compile(
    r"\b(published|posted|updated|last updated|first published|modified|date|on|at|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
    r"am|pm|a\.m\.|p\.m\.|gmt|utc|[a-z]{1,2}t|ist|pkt|cet|cest|bst)\b|\d{1,2}:\d\d(:\d\d)?|[|,:.\-–—•·()]",
    re.IGNORECASE,
)
_DATELINE_MAX_WORDS, _DATELINE_MAX_CHARS = 12, 120
_DIGIT = re.compile(r"\d")  # every date form has one (a form without must drop this): most lines skip the searches
_BULLET = re.compile(r"^[-•–—*·▪►◦]\s+")
_BYLINE = re.compile(r"^by\s+(?P<names>[^\d|]{2,120}?)(?:\s*[|,–—-]\s*(?:staff|correspondent|reporter|editor|updated|published).*)?$",
                     re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*", re.IGNORECASE)
_TERMINAL = (".", ";", ",", ":")  # a line ending so continues into the next: prose or a list's lead-in
TITLE_MIN_WORDS, TITLE_MAX_WORDS, TITLE_MAX_CHARS = 2, 24, 250  # headlines are short, but rarely a single word
# A headline is one sentence: "?" or "!", or a full stop after a lower-case word, then a capital starts a second one
# ("... its advertiser. All opinions ..."); "Mr. Smith", "Gov. Newsom" and "L.A. Auto Show" are not such stops.
_SECOND_SENTENCE = re.compile(r"(?:[^\W\d_][?!]|(?<![^\W\d_])[^\W\d_A-Z][^\W\d_]{2,}\.)\s+[\"“‘'(]?[^\W\d_]")
_LINK = re.compile(r"https?://|www\.|\S@\S+\.\w")  # a headline names no web or mail address
# A wire dateline opens an article's first paragraph: "HAYWARD, Calif. (AP) — ...".
_WIRE_LEAD = re.compile(r"^[^\W\d_][^()]{1,60}\((?:AP|AFP|Reuters|dpa|UPI|PA|ANSA|EFE|IANS|PTI)\)\s*[—–-]")
LABEL_MAX_WORDS, LABEL_MAX_CHARS = 5, 40  # a section label ("Pakistan", "POLITICS & POLICY MAKING")


def _build_date(match: re.Match) -> dt.date | None:
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else _MONTHS[parts["mon"].lower()]
    try:
        return dt.date(int(parts["y"]), month, int(parts["d"]))
    except ValueError:
        return None


def find_date(text: str) -> dt.date | None:
    """First unambiguous calendar date in the text (ISO, 'April 13, 2022', '13 April 2022')."""
    for form in _DATE_FORMS:
        match = form.search(text)
        if match:
            return _build_date(match)
    return None


def parse_dateline(line: str) -> dt.date | None:
    """The date of a line that is only a dateline ('Published April 13, 2022', '2024-09-04 10:30 GMT'), else None."""
    if len(line) > _DATELINE_MAX_CHARS or len(line.split()) > _DATELINE_MAX_WORDS or _DIGIT.search(line) is None:
        return None
    for form in _DATE_FORMS:
        match = form.search(line)
        if match:
            rest = _DATELINE_FILLER.sub(" ", line[: match.start()] + " " + line[match.end() :])
            return _build_date(match) if not rest.strip() else None
    return None


def is_bulleted(line: str) -> bool:
    return _BULLET.match(line) is not None


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1)


def is_title_like(line: str) -> bool:
    if len(line) > TITLE_MAX_CHARS:  # before its words are counted: most lines asked about are paragraphs
        return False
    words = len(line.split())
    return (
        TITLE_MIN_WORDS <= words <= TITLE_MAX_WORDS
        and not line.endswith(_TERMINAL)
        and not is_bulleted(line)
        and parse_dateline(line) is None
        and not _starts_second_sentence(line)
        and _WIRE_LEAD.match(line) is None
        and _LINK.search(line) is None
        and not (line.isupper() and "," in line and len(line.split()) <= 4)  # "BAAR, SWITZERLAND": a dateline's place
    )


def _starts_second_sentence(line: str) -> bool:
    if "." not in line and "?" not in line and "!" not in line:  # every match holds one: most headlines skip the scan
        return False
    return any(match.group()[-1].isupper() for match in _SECOND_SENTENCE.finditer(line))


def is_section_label(line: str) -> bool:
    return (
        len(line) <= LABEL_MAX_CHARS  # first: a paragraph's words need not be counted
        and len(line.split()) <= LABEL_MAX_WORDS
        and not line.endswith((".", "!", "?", ":", ";", ","))
        and not is_bulleted(line)
        and parse_dateline(line) is None
    )


def parse_byline(line: str) -> list[str] | None:
    """Author names of a 'By Jane Doe and John Roe' line, else None."""
    match = _BYLINE.match(line)
    if not match or len(line.split()) > 12:
        return None
    names = [name.strip(" .") for name in _NAME_SPLIT.split(match["names"]) if name.strip(" .")]
    # Names are capitalised words; "by the time we arrived ..." is prose.
    if not names or not all(name[:1].isupper() and len(name.split()) <= 4 for name in names):
        return None
    return names
