"""Plain-text cleaning: every non-blank input line ends up as a body paragraph, a metadata field or a removed line.

Steps: normalise whitespace; drop lines a fixed rule matches (rules.py); drop the page around the article that the
adaptive detector finds (page_noise.py: menus, footers, teaser lists, credits); read metadata from the top of the
document by position (section label, title, dek, dateline, byline); drop the title where the body repeats it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from newsclean.clean import metadata as md
from newsclean.clean.memo import per_line
from newsclean.clean.page_noise import LEADING_TITLE, PAGE_HEADER, find_page_noise, is_prose
from newsclean.clean.language import UNKNOWN, Language, detect
from newsclean.clean.rules_i18n import line_matcher

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Characters a browser renders as blank that str.split() does not count as spaces (it does count NBSP & co.).
_INVISIBLE = ("\u200b", "\ufeff")
HEADER_SCAN_LINES = 8  # metadata lives in the first few lines; further down a dateline is article text
HELD_HEADER_MAX_LINES = 6  # a cut top this short is an article's own header, not a page's menu
_FOLLOW_SITE = re.compile(r"^follow\s+(?P<site>(?!us\b)[\w .&'-]{2,40}?)\s+on\b", re.IGNORECASE)


class LineRecord(NamedTuple):
    """One input line that did not become body text: `kind` is a rule name (removed) or a metadata field. A named
    tuple: a run makes one per removed line, and a frozen dataclass costs more to build."""

    line_no: int  # 1-based, as an editor shows it
    text: str
    kind: str


@dataclass
class CleanedText:
    paragraphs: list[str]
    paragraph_lines: list[int] = field(default_factory=list)  # input line number of each paragraph
    title: str | None = None
    dek: str | None = None
    section: str | None = None
    published_date: dt.date | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    removed_lines: list[LineRecord] = field(default_factory=list)
    metadata_lines: list[LineRecord] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@per_line  # a memo lookup is cheaper than the split and join, and a site's lines recur
def normalize_line(line: str) -> str:
    # Most lines are normal already: a printable line holds no whitespace but " " (every other space, the invisible
    # characters and the controls are unprintable), so without a double space or an edge space it is its own result.
    # The checks scan the line in C, faster than splitting and joining it.
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    # str.replace, not str.translate: translate with a table walks a non-ASCII line character by character in
    # Python-level lookups, while a replace of a character the line does not hold is a fast scan in C.
    if not line.isascii():
        for invisible in _INVISIBLE:
            line = line.replace(invisible, " ")
    return " ".join(line.split())


def split_lines(text: str) -> list[str]:
    # Without a carriage return the only break is "\n", and str.split is much faster than the regex.
    return text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)


def _list_follows(texts: list[str], position: int, items: int = 1) -> bool:
    """The `items` lines after `position` are list items: the line at `position` is the list's lead-in."""
    following = texts[position + 1 : position + 1 + items]
    return len(following) == items and all(md.is_bulleted(text) for text in following)


def _read_header(content: list[tuple[int, str]], cleaned: CleanedText) -> int:
    """Take metadata from the top content lines; return how many of them it consumed."""
    top = content[:HEADER_SCAN_LINES]
    texts = [text for _, text in top]

    def take(position: int, kind: str) -> None:
        line_no, text = top[position]
        cleaned.metadata_lines.append(LineRecord(line_no, text, kind))

    position = 0
    if len(texts) > 1 and md.is_section_label(texts[0]) and md.is_title_like(texts[1]) and len(texts[1]) > len(texts[0]):
        cleaned.section = texts[0]
        take(0, "section")
        position = 1
    # A line followed by two list items is the list's lead-in ("What's new in 2.26?"), not a headline.
    if position < len(texts) and md.is_title_like(texts[position]) and not _list_follows(texts, position, 2):
        cleaned.title = texts[position]
        take(position, "title")
        position += 1
    while position < len(texts):
        line = texts[position]
        date = md.parse_dateline(line)
        authors = md.parse_byline(line)
        date_follows = position + 1 < len(texts) and md.parse_dateline(texts[position + 1]) is not None
        if date and cleaned.published_date is None:
            cleaned.published_date = date
            take(position, "date")
        elif authors and not cleaned.authors:
            cleaned.authors = authors
            take(position, "byline")
        elif (cleaned.title and cleaned.dek is None and cleaned.published_date is None
              and ((md.is_bulleted(line) and not _list_follows(texts, position)) or date_follows)):
            # A standfirst sits between headline and dateline, or is set off as a bullet under the headline.
            cleaned.dek = md.strip_bullet(line)
            take(position, "dek")
        else:
            break
        position += 1
    return position


@dataclass
class StrippedText:
    """A document after the line rules: the lines left (with their numbers) and what was removed."""

    content: list[tuple[int, str]]  # (line_no, normalised text)
    removed_lines: list[LineRecord] = field(default_factory=list)
    site_name: str | None = None
    headline_lines: set[int] = field(default_factory=set)  # the detector's headline above the article: title, not body
    # Page-header lines the header reader may still claim as metadata (section, title, dek, date, byline) before
    # they count as removed: line_no -> the detector's rule.
    held_back: dict[int, str] = field(default_factory=dict)
    language: Language = UNKNOWN  # what the text is written in (language.detect), which chose its line rules


def strip_boilerplate(text: str, *, page_noise: bool = True, line_rules: bool = True,
                      declared_language: str | None = None) -> StrippedText:
    """Phase 1, per document: normalise lines, tell their language (`declared_language`, a page's <html lang>, is a
    hint), drop the lines a fixed rule of that language (or English) matches (unless `line_rules` is off) and (unless
    `page_noise` is off: extractor output whose page was already removed by structure) the page around the article."""
    raw_lines = split_lines(text)
    lines = [normalize_line(raw_line) for raw_line in raw_lines]
    stripped = StrippedText(content=[], language=detect(lines, declared_language))
    match_line_rule = line_matcher(stripped.language.code)  # once per document
    # The detector reads the whole document, fixed-rule lines included: a share bar is part of the page's shape.
    noise = {index + 1: rule for index, rule in find_page_noise(lines).items()} if page_noise else {}
    for line_no, (raw_line, line) in enumerate(zip(raw_lines, lines), start=1):
        if not line:
            if raw_line.strip(" \t\x0b\x0c"):  # only NBSP / zero-width characters: looks blank, counts as removed
                stripped.removed_lines.append(LineRecord(line_no, raw_line, "blank_looking"))
            continue
        rule = match_line_rule(line) if line_rules else None
        if rule:
            stripped.removed_lines.append(LineRecord(line_no, line, rule))
            if rule == "social_follow" and stripped.site_name is None:
                site = _FOLLOW_SITE.match(line)
                stripped.site_name = site["site"].strip() if site else None
            continue
        if noise.get(line_no, LEADING_TITLE) != LEADING_TITLE:
            stripped.removed_lines.append(LineRecord(line_no, line, noise[line_no]))
            continue
        if line_no in noise:
            stripped.headline_lines.add(line_no)
        stripped.content.append((line_no, line))
    _hold_back_header(stripped)
    return stripped


def _hold_back_header(stripped: StrippedText) -> None:
    """The detector cuts the top of the page, but the top of an article is its metadata. A short cut top (clean
    text: headline, dek, date) goes to the header reader whole; of a long one (a page dump's menu) only the line just
    above the article, where a section label sits."""
    header = [record for record in stripped.removed_lines if record.kind == PAGE_HEADER]
    if not header:
        return
    if len(header) <= HELD_HEADER_MAX_LINES:
        held = header
    elif stripped.content and stripped.content[0][0] in stripped.headline_lines and md.is_section_label(header[-1].text):
        held = header[-1:]
    else:
        return
    for record in held:
        stripped.removed_lines.remove(record)
        stripped.held_back[record.line_no] = record.kind
    stripped.content[:0] = [(record.line_no, record.text) for record in held]


def finish(stripped: StrippedText, more_removals: dict[int, str] | None = None, *, title: str | None = None,
           standfirst: str | None = None, read_header: bool = True) -> CleanedText:
    """Phase 2: drop the lines a document-set rule found (line_no -> rule), read metadata from the top, drop the
    repeated title. `title` is the page's own (HTML): it is the document's title, and the header lines the reader
    takes (a second headline, a date stamp, a byline) leave the body all the same; so does `standfirst` (HTML: the
    page's dek, set as a heading) above the first paragraph. Site-level rules run between the
    phases, so the header is read with the site's menu gone. `read_header` off: no metadata line leaves the top of
    the body (the page's own title still does where a line repeats it)."""
    more_removals = more_removals or {}
    cleaned = CleanedText(paragraphs=[], site_name=stripped.site_name, removed_lines=list(stripped.removed_lines))
    content = []
    for line_no, line in stripped.content:
        if line_no in more_removals:
            cleaned.removed_lines.append(LineRecord(line_no, line, more_removals[line_no]))
        else:
            content.append((line_no, line))
    consumed = _read_header(content, cleaned) if read_header else 0
    title_keys = {known.casefold() for known in (title, cleaned.title) if known}
    # Case folding never shortens a text, so a line longer than every title key cannot repeat a title: most body
    # lines skip the casefold.
    longest_key = max(map(len, title_keys), default=-1)
    cleaned.title = title or cleaned.title
    rest = content[consumed:]
    rest_texts = [line for _, line in rest]
    for position, (line_no, line) in enumerate(rest):
        is_headline = (line_no in stripped.headline_lines and md.is_title_like(line)
                       and not _list_follows(rest_texts, position))  # a list's lead-in stays
        if len(line) <= longest_key and line.casefold() in title_keys:
            cleaned.removed_lines.append(LineRecord(line_no, line, "duplicate_title"))
        elif standfirst and not cleaned.paragraphs and line == standfirst:
            cleaned.removed_lines.append(LineRecord(line_no, line, "duplicate_dek"))
        elif line_no in stripped.held_back and not is_prose(line):  # a sentence above the headline is article: recall first
            cleaned.removed_lines.append(LineRecord(line_no, line, stripped.held_back[line_no]))
        elif is_headline and cleaned.title is None:
            # The header reader saw no headline at the top (a menu's last item or a date may sit above it).
            cleaned.title = line
            title_keys.add(line.casefold())
            longest_key = max(longest_key, len(line.casefold()))
            cleaned.metadata_lines.append(LineRecord(line_no, line, "title"))
        elif is_headline:
            cleaned.removed_lines.append(LineRecord(line_no, line, LEADING_TITLE))
        else:
            cleaned.paragraphs.append(line)
            cleaned.paragraph_lines.append(line_no)
    cleaned.removed_lines.sort(key=lambda record: record.line_no)
    cleaned.metadata_lines.sort(key=lambda record: record.line_no)
    return cleaned


def clean_text(text: str) -> CleanedText:
    """Both phases, for one document on its own."""
    return finish(strip_boilerplate(text))
