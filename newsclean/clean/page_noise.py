"""Adaptive page-boilerplate detection for plain text: which lines of a document are the page around the article.

The same function sees whole-page dumps (menus, footers, teaser lists, comments) and already clean extractor output,
without knowing which, so it reads the document first and decides how aggressive to be.

1. Line classes (jusText's idea, on lines): each non-blank line gets its words, its share of function words of the
   document's language (stopwords.py; the language is the list that covers most words), whether it ends like a
   sentence and whether it has the shape of data (list mark, table cells, figures). Classes: `good` (prose),
   `near` (short prose), `short` (too short to judge) and `bad` (link-like: short, few function words, no stop).
2. Noise level: the share of lines sitting in runs of 3+ link-like lines (menus, teaser lists). Whole-page dumps
   have 0.25-0.8, extractor output ~0. A page dump (`noisy`) is read strictly, clean text leniently.
3. The article is the highest-scoring contiguous stretch of lines (maximum subarray, as in Body Text Extraction):
   prose scores by its length, link-like lines cost (more in runs). A menu on top and a footer below cost more than
   they bring; a caption or subheading between paragraphs does not split the article. A rival stretch nearly as
   strong is kept too (recall first). In a page dump, everything outside goes (`page_header`, `page_block`,
   `page_footer`); in clean text only a short top (headline, byline, date) and a footer that starts with a long
   link run (a related-stories list).
4. Line rules inside the article: photo credits (`media_credit`), bare time stamps (`bare_timestamp`), bare URLs in
   page dumps (`bare_url`), lines the page repeats (`repeated_line`); the headline just above or at the top of what
   is left (`leading_title`: the pipeline files it under `title`, not the body).

Cost is linear in the number of lines and bounded per line. Rule names are what `removed_lines.rule` shows.

    find_page_noise(lines) -> {line index: rule name}     noise_level(lines) -> float in [0, 1]
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Iterable, NamedTuple

from newsclean.clean.memo import per_line
from newsclean.clean.stopwords import STOPWORDS

# --- Settings: every threshold and weight, with why -------------------------------------------------------------
# Line classes
GOOD_MIN_WORDS = 12  # a paragraph of prose has a dozen words or more; menus, labels and bylines fewer
NEAR_MIN_WORDS = 5  # below this a line is a label or a button whatever its words
STOP_DENSITY_GOOD = 0.30  # prose in any language has about a third function words (jusText's stopwords_low)
STOP_DENSITY_NEAR = 0.20  # headlines and captions: some function words, fewer than prose
CJK_CHARS_PER_WORD = 2.0  # CJK scripts write no spaces: count characters as words at about this rate
MENU_RUN_MIN_LINES = 3  # three link-like lines in a row are a menu or a teaser list, not a subheading
# Line scores in the search for the article
GOOD_SCORE_PER_WORD = 1.0  # prose pulls the article's boundaries towards it in proportion to its length
NEAR_SCORE_PER_WORD = 0.5  # short prose (a one-line quote) is article text, but weaker evidence
SHORT_LINE_COST = 1.0  # a line with some prose signal (function words or a final stop) too short to judge
LONE_LINK_COST = 2.0  # one link-like line alone is as often a subheading or a label as a link
MENU_LINK_COST = 6.0  # a link-like line in a run of them (a menu, a teaser list): a dozen outweigh a paragraph
SECOND_SEGMENT_SHARE = 0.75  # a rival stretch nearly as strong as the best one is article too (recall first)
# Page dumps: when a document counts as one, and how strictly it is then read
NOISY_DOCUMENT = 0.2  # share of lines in link runs: whole-page dumps have 0.25-0.8, extractor output almost always 0
NOISY_MIN_LINK_LINES_SHARE = 15  # ...with at least a site menu's and footer's worth of link lines (not one list)
NOISY_MIN_LINK_LINES = 40  # ...or this many at any share: a long comment thread dilutes the share, not the number
NOISY_LINE_OVERHEAD = 5.0  # a paragraph pays for its line: one-sentence teaser summaries no longer glue lists on
NOISY_SHORT_FACTOR = 3.0  # short lines are mostly widgets ("34 Comments", "Sorry!") rather than article text
NOISY_LONE_LINK_COST = 6.0  # a lone link-like line is a teaser headline or a comment author as often as a menu item
ISOLATED_PROSE_FACTOR = 0.0  # a paragraph between two link lines (a teaser's summary) counts for nothing
TEMPLATE_MAX_WORDS = 6  # comment headers, stamps and counters are a few words
TEMPLATE_MIN_REPEATS = 3  # three short lines ending alike (" says:", " am", " ago") are a template's output
# Clean text (not a page dump): what may go at the edges
CLEAN_HEADER_MAX_LINES = 6  # headline, dek, byline, date, caption, credit: more than that on top is article
CLEAN_FOOTER_RUN_LINES = 5  # a footer is cut only from a long run of link-like lines (a related-stories list)
# Line rules and the headline
TITLE_MIN_WORDS, TITLE_MAX_WORDS = 3, 30  # a headline; one or two words on top are a dateline or a section label
TITLE_SEARCH_LINES = 4  # between headline and article: dek, byline, date, caption at most
CREDIT_MAX_WORDS = 40  # a caption with its credit is a sentence or two; longer is a paragraph that cites a source
CREDIT_TAIL_CHARS = 80  # a credit at the end of a caption is short: only the line's tail is searched for it
REPEAT_NEAR_LINES = 6  # a caption repeated by a gallery or a lightbox comes back within a few lines
REPEAT_MIN_WORDS = 2  # a repeated single word ("Photo", "Amazon") may be a real list's label: too little to judge
# Bounded cost
LINE_SCAN_CHARS = 20_000  # longer lines are judged on their start: a 10 MB line costs like a paragraph
STRUCTURE_SCAN_CHARS = 300  # a list mark, a table cell or a line of data shows in its first characters
TEMPLATE_TAIL_CHARS = 64  # the end of a templated line ("says:", "6:34 am") is short
LANGUAGE_SAMPLE_WORDS = 1500  # enough words to tell a page's language; bounds the cost on long documents

_WORD = re.compile(r"[^\W\d_]\w*")  # a word starts with a letter: numbers say nothing about prose or menus
# The shape of content an extractor kept on purpose: a bullet or a number opening a list item, table cells, a figure
# with a unit, or a line of data (a number and a separator: "June 9 – Tampa, FL", "1 cup flour, 2 eggs").
_STRUCTURED = re.compile(
    r"^\s*(?:[-•*–—·▪►◦]|\d{1,3}[.)]|\(\d{1,3}\))\s|\|.*\||\s\|$|\d+\D+\d+\D+\d|\d[\d.,]*\s*(?:%|\$|€|£)|[$€£]\s*\d"
    r"|\d.*(?:,\s|\s[–—@-]{1,2}\s|:\s)|(?:,\s|\s[–—@-]{1,2}\s|:\s).*\d"
)
# Photo credits and captions that end in one: "Photo: Jane Doe, AP", "(Image: © NASA)", "Image copyright Getty
# Images", "... in 2018. Credit: Getty Images", "Jane Doe/Reuters". The news agencies and picture desks are global.
_CREDIT_START = re.compile(
    r"\(?(?:file )?(?:photo|image|picture|foto|bild|photograph|illustration|video)s?(?: caption| copyright| credit| by)?\s*[:©|]"
    r"|(?:image|media) (?:copyright|caption)\b",
    re.IGNORECASE,
)
# Two patterns, both searched in the line's tail. A credit marked by a colon or a slash ("Credit: Jane Doe", an agency
# credit with the photographer: "(AP Photo/Jane Doe)", "Jane Doe / AP file", "Jane Doe/Reuters"): every alternative
# holds a ':' or a '/', so a tail without either is not searched.
_MARKED_CREDIT_END = re.compile(
    r"(?:^|[.!?]\s+|\()(?:photo |image )?credit\s*:\s*[^.]{0,60}$"
    r"|\((?:ap|afp|reuters|epa|getty)(?: photo| images)?\s?/[^()]{1,40}\)\s*$"
    r"|/\s?(?:ap|afp|reuters|epa|getty images|ap file|ap photo|afp via getty images)\s*$"
    r"|\b(?:reuters|afp|epa)/[\w.'-]+(?: [\w.'-]+){0,3}\s*$",  # "... November 18, 2019. REUTERS/Jane Doe"
    re.IGNORECASE,
)
# The agency alone at the end ("... in 2018. Getty Images"): a match starts at most this far before the tail's last
# non-space character, so the search starts there (\b still sees the character before).
_AGENCIES = ("getty images", "ap photo", "reuters", "afp", "shutterstock", "istock", "epa", "alamy")
_AGENCY_END = re.compile(rf"\b(?:{'|'.join(_AGENCIES)})\)?\s*$", re.IGNORECASE)
_AGENCY_END_SPAN = max(map(len, _AGENCIES)) + len(")")
# A credit on its own line: a name, a slash and the outlet ("Jane Doe/Example News"); a sentence has more words.
_CREDIT_LINE = re.compile(r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3} ?/ ?[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,3}$")


@per_line
def _is_media_credit(text: str) -> bool:
    tail = text[-CREDIT_TAIL_CHARS:]
    return (_CREDIT_START.match(text) is not None
            or _AGENCY_END.search(tail, max(0, len(tail.rstrip()) - _AGENCY_END_SPAN)) is not None
            or (("/" in tail or ":" in tail) and _MARKED_CREDIT_END.search(tail) is not None)
            or _CREDIT_LINE.match(text) is not None)


# A line that is only a date-time stamp ("2019-11-19T08:57:40+01:00", "32M ago", "6:34 am") or only a URL. A URL
# alone is a sharing widget's leftover in a page dump, but a source reference in an article's own notes.
_BARE_TIME = re.compile(
    r"^(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d\S*|(?:updated )?\d+\s?[smhd] ago|\d{1,2}:\d\d\s?(?:am|pm)?)$", re.IGNORECASE
)
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# How a sentence (or a quoted sentence) ends, in Latin, CJK, Arabic, Devanagari and other scripts.
_SENTENCE_END = tuple('.!?…"”’»)\'。！？｡।؟')

GOOD, NEAR, SHORT, BAD = "good", "near", "short", "bad"
PAGE_HEADER = "page_header"
LEADING_TITLE = "leading_title"  # not a removal: the pipeline files this line under `title` (or drops a repeat)
# Every rule name find_page_noise can return (what removed_lines.rule shows).
RULE_NAMES = frozenset({PAGE_HEADER, "page_footer", "page_block", LEADING_TITLE, "media_credit",
                        "bare_timestamp", "bare_url", "repeated_line"})


LANGUAGES = tuple(STOPWORDS)
# Stop-word counts of every language at once, packed in one integer: language i's count in bits [wi, wi + w). A
# line's sample holds at most LINE_SCAN_CHARS / 2 tokens and a document's language sample LANGUAGE_SAMPLE_WORDS: w bits
# hold either count, so fields never overflow into each other (and the fewer bits, the cheaper each addition).
_COUNT_BITS = max(LINE_SCAN_CHARS // 2, LANGUAGE_SAMPLE_WORDS).bit_length()
_COUNT_MASK = (1 << _COUNT_BITS) - 1


@lru_cache(maxsize=1)
def _packed_stopwords() -> dict[str, int]:
    """Word -> a 1 in the count of each language listing it (a stop word is in one to three lists)."""
    packed: dict[str, int] = {}
    for position, language in enumerate(LANGUAGES):
        for word in STOPWORDS[language]:
            packed[word] = packed.get(word, 0) + (1 << (_COUNT_BITS * position))
    return packed


def _language_count(packed: int, language: int) -> int:
    return packed >> (_COUNT_BITS * language) & _COUNT_MASK


class Line(NamedTuple):
    """A non-blank line's features (a named tuple: built for every line, so it must be cheap)."""

    index: int  # into the document's list of lines
    text: str  # stripped
    words: int  # CJK characters counted at CJK_CHARS_PER_WORD
    stop_density: float  # share of the words that are function words of the document's language
    ends_sentence: bool
    structured: bool  # a list item, a table row or a line of figures: content an extractor kept on purpose


def _count_words(text: str, tokens: list[str]) -> int:
    if text.isascii() or _CJK.search(text) is None:  # most lines: no CJK, and search stops at the first one
        return len(tokens)
    return max(len(tokens), round(len(_CJK.findall(text)) / CJK_CHARS_PER_WORD))


def _stop_counts(tokens: Iterable[str]) -> int:
    """How many of the tokens each language's stop-word list holds, packed (_language_count reads one): a single
    C-level pass over the tokens counts every language. Only the stop words are added: adding 0 to the packed integer
    costs as much as adding a count."""
    packed = _packed_stopwords()
    return sum(map(packed.__getitem__, filter(packed.__contains__, tokens)))


def document_language(texts: list[str], shapes: list[tuple]) -> int:
    """The language (its position in LANGUAGES) whose stop words cover most of the document's first
    LANGUAGE_SAMPLE_WORDS tokens; `shapes` are its lines' _line_shape, whose packed stop-word counts add up."""
    total = 0
    budget = LANGUAGE_SAMPLE_WORDS
    for text, shape in zip(texts, shapes):
        if budget <= 0:
            break
        token_count = shape[0]
        total += shape[-1] if token_count <= budget else _stop_counts(_tokens(text)[:budget])  # the last line in part
        budget -= token_count
    coverage = [_language_count(total, language) for language in range(len(LANGUAGES))]
    return coverage.index(max(coverage))


def line_features(lines: list[str]) -> list[Line]:
    """Features of the document's non-blank lines, in order. A huge line is judged on its first LINE_SCAN_CHARS
    characters (its word count scaled up), so a 10 MB line costs no more than a long paragraph."""
    texts = [(index, text) for index, line in enumerate(lines) if (text := line.strip())]
    shapes = [_line_shape(text) for _, text in texts]
    language = document_language([text for _, text in texts], shapes)
    return [
        Line._make((index, text, words, density, ends_sentence,  # _make checks the field count; Line() is slower
                         # a long line of prose is good whatever its shape: skip the costlier test
                         not (words >= 2 * GOOD_MIN_WORDS and density >= STOP_DENSITY_GOOD) and _is_structured(text)))
        for (index, text), (_, sample_words, words, ends_sentence, stop_counts) in zip(texts, shapes)
        for density in (_language_count(stop_counts, language) / sample_words if sample_words else 0.0,)
    ]


# Punctuation that makes a line of Latin-script text non-ASCII. None is a word character or a letter's lower case, so
# a space in its place changes no token, and the line often becomes ASCII: lower-cased and searched without Unicode
# lookups.
_NON_ASCII_PUNCTUATION = ("’", "‘", "“", "”", "—", "–", "…", "\u00a0")
_ASCII_WORD = re.compile(r"[a-z][a-z0-9_]*")  # _WORD in lower-case ASCII text, without Unicode class lookups


def _tokens(text: str) -> list[str]:
    sample = text[:LINE_SCAN_CHARS]
    if not sample.isascii():
        spaced = sample
        for mark in _NON_ASCII_PUNCTUATION:
            spaced = spaced.replace(mark, " ")  # the same string back where the mark is absent
        if not spaced.isascii():
            return _WORD.findall(sample.lower())
        sample = spaced  # lower-cased as ASCII, without str.lower's per-character Unicode lookups
    return _ASCII_WORD.findall(sample.lower())


@per_line
def _line_shape(text: str) -> tuple[int, int, int, bool, int]:
    """What a line's features need besides its document's language: the number of tokens and words of its first
    LINE_SCAN_CHARS characters, its word count (scaled up for a huge line), whether it ends like a sentence, and how
    many of its tokens each language's stop words cover (its stop-word density, whichever the document's language).
    Small numbers only, not the tokens: the memo holds thousands of these."""
    tokens = _tokens(text)
    sample_words = _count_words(text[:LINE_SCAN_CHARS], tokens)
    return (len(tokens), sample_words, sample_words * max(1, len(text) // LINE_SCAN_CHARS), text.endswith(_SENTENCE_END),
            _stop_counts(tokens))


_LIST_MARKS = frozenset("-•*–—·▪►◦(|")
_DIGIT = re.compile(r"\d")


@per_line
def _is_structured(text: str) -> bool:
    # The regex only when the line has a digit, a list mark or a pipe: most lines have none and skip it. Only the
    # line's start is read: the shape shows there, and the regex backtracks on long lines of digits.
    text = text[:STRUCTURE_SCAN_CHARS]
    if text[0] not in _LIST_MARKS and "|" not in text and _DIGIT.search(text) is None:
        return False
    return _STRUCTURED.search(text) is not None


def _is_cjk_prose(line: Line) -> bool:
    return line.stop_density == 0 and line.words >= GOOD_MIN_WORDS and line.ends_sentence and not line.text.isascii()


def classify(line: Line, noisy: bool = False) -> str:
    """jusText-style class of one line on its own: good, near (short prose), short, bad (link-like). In a noisy
    document (a whole-page dump) a line without a final stop is a link or a teaser more often than a list item."""
    prose_density = line.stop_density >= STOP_DENSITY_GOOD or _is_cjk_prose(line)
    if line.words >= GOOD_MIN_WORDS and prose_density and line.ends_sentence:
        return GOOD
    if line.words >= 2 * GOOD_MIN_WORDS and prose_density:
        return GOOD  # a long paragraph whose final stop got lost
    if line.words >= NEAR_MIN_WORDS and line.stop_density >= STOP_DENSITY_NEAR and line.ends_sentence:
        return NEAR
    if not noisy and line.words >= NEAR_MIN_WORDS and prose_density:
        return NEAR  # a sentence without its final stop (a list item, a caption)
    if line.ends_sentence or line.stop_density >= STOP_DENSITY_GOOD or line.structured:
        return SHORT
    return BAD


def is_prose(line: str) -> bool:
    """One line on its own reads as prose (a sentence with its function words), not a label, a link or a stamp."""
    features = line_features([line])
    return bool(features) and classify(features[0]) in (GOOD, NEAR)


def link_runs(kinds: list[str]) -> list[int]:
    """For each line, the length of the run of consecutive link-like (bad) lines it belongs to (0 if not bad)."""
    runs = [0] * len(kinds)
    start = 0
    for position in range(len(kinds) + 1):
        if position == len(kinds) or kinds[position] != BAD:
            for member in range(start, position):
                runs[member] = position - start
            start = position + 1
    return runs


def line_score(line: Line, kind: str, link_run: int, noisy: bool = False) -> float:
    """A line's weight in the search for the article: prose positive, furniture negative. In a whole-page dump a
    paragraph must pay for its line (teaser summaries are one short sentence each) and lone links cost as much as
    menu items (teaser headlines, comment authors, "2H ago")."""
    if kind == GOOD:
        return GOOD_SCORE_PER_WORD * line.words - (NOISY_LINE_OVERHEAD if noisy else 0.0)
    if kind == NEAR:
        return NEAR_SCORE_PER_WORD * line.words - (NOISY_LINE_OVERHEAD if noisy else 0.0)
    if kind == SHORT:
        return 0.0 if line.structured else -SHORT_LINE_COST * (NOISY_SHORT_FACTOR if noisy else 1.0)
    if link_run >= MENU_RUN_MIN_LINES or noisy:
        return -MENU_LINK_COST if link_run >= MENU_RUN_MIN_LINES else -NOISY_LONE_LINK_COST
    return -LONE_LINK_COST


def best_segment(scores: list[float], lo: int = 0, hi: int | None = None) -> tuple[int, int, float] | None:
    """(first, last, total) of the contiguous run of scores[lo:hi] with the highest total (Kadane), widened over
    neutral (zero-score) lines on both sides; None if no line scores above zero."""
    hi = len(scores) if hi is None else hi
    best, best_span = 0.0, None
    running, start = 0.0, lo
    for position in range(lo, hi):
        score = scores[position]
        if running < 0 or (running == 0 and score < 0):
            running, start = 0.0, position
        running += score
        if running > best or (best_span and running == best and start == best_span[0]):
            best, best_span = running, (start, position)
    if best_span is None:
        return None
    first, last = best_span
    while first > lo and scores[first - 1] == 0:
        first -= 1
    return first, last, best


def article_segments(scores: list[float]) -> list[tuple[int, int]]:
    """The best-scoring stretch, plus any stretch beside it that scores at least SECOND_SEGMENT_SHARE of it (an
    article split by a gallery or an ad block; a short article beside a long footer blurb), in document order."""
    best = best_segment(scores)
    if best is None:
        return []
    floor = SECOND_SEGMENT_SHARE * best[2]
    kept, pending = [best[:2]], [(0, best[0]), (best[1] + 1, len(scores))]
    while pending:
        lo, hi = pending.pop()
        found = best_segment(scores, lo, hi) if hi > lo else None
        if found and found[2] >= floor:
            kept.append(found[:2])
            pending += [(lo, found[0]), (found[1] + 1, hi)]
    return sorted(kept)


def noise_level(lines: list[str]) -> float:
    """How much of the document is page furniture, 0 (clean article) to 1: the share of its non-blank lines that sit in
    runs of link-like lines (menus, teaser lists). Whole-page dumps score 0.25 and up, extractor output near 0."""
    features = line_features(lines)
    return _noise_level(link_runs([classify(line) for line in features]))


def _noise_level(runs: list[int]) -> float:
    return sum(run >= MENU_RUN_MIN_LINES for run in runs) / len(runs) if runs else 0.0


_LAST_CHUNK = re.compile(r"\S+$")
_DIGITS = re.compile(r"\d+")


def _templated_lines(features: list[Line]) -> set[int]:
    """Positions of short lines that end like several others (comment headers "jdoe says:", stamps "6:34 am",
    "2H ago", counters "(185)"): lines a template printed, not an author wrote."""
    tails = {}
    for position, line in enumerate(features):
        if line.words <= TEMPLATE_MAX_WORDS and not line.text.endswith((".", "!", "?")):
            tails[position] = _DIGITS.sub("0", _LAST_CHUNK.search(line.text[-TEMPLATE_TAIL_CHARS:]).group().casefold())
    counts = Counter(tails.values())
    return {position for position, tail in tails.items() if counts[tail] >= TEMPLATE_MIN_REPEATS}


def _discount_isolated_prose(scores: list[float], kinds: list[str]) -> None:
    """jusText's context rule for page dumps: a paragraph with a link line on both sides is a teaser's summary
    (headline, summary, headline, summary ...) more often than article text, so it counts for less."""
    for position in range(1, len(kinds) - 1):
        if kinds[position] in (GOOD, NEAR) and scores[position] > 0 and kinds[position - 1] == BAD == kinds[position + 1]:
            scores[position] *= ISOLATED_PROSE_FACTOR


def _is_page_dump(runs: list[int]) -> bool:
    """A whole-page dump: a large share of lines in link runs, and enough of them to be a site's menu and footer
    (a short article with one related-links list is not a page dump); or many in absolute terms (a long comment
    thread dilutes the share of a page's menus, not their number)."""
    link_lines = sum(run >= MENU_RUN_MIN_LINES for run in runs)
    if link_lines >= NOISY_MIN_LINK_LINES:
        return True
    return link_lines >= NOISY_MIN_LINK_LINES_SHARE and _noise_level(runs) >= NOISY_DOCUMENT


def _is_title_like(line: Line) -> bool:
    return TITLE_MIN_WORDS <= line.words <= TITLE_MAX_WORDS and not line.text.endswith((".", ",", ";"))


def _clean_text_bounds(first: int, last: int, runs: list[int]) -> tuple[int, int]:
    """Where the article starts and ends in text that is not a page dump. On top, a few lines (headline, byline,
    date, caption) go; a longer top is the article's own (results tables, lists) unless a link run proves a menu.
    Below, only a long run of link-like lines (a related-stories list) proves the page has started: lists,
    credits and data under the last paragraph are more often the article's than the page's."""
    if first > CLEAN_HEADER_MAX_LINES:
        menu_ends = [position for position in range(first) if runs[position] >= MENU_RUN_MIN_LINES]
        first = menu_ends[-1] + 1 if menu_ends else 0
    footer_runs = [position for position in range(last + 1, len(runs)) if runs[position] >= CLEAN_FOOTER_RUN_LINES]
    return first, footer_runs[0] - 1 if footer_runs else len(runs) - 1


def find_page_noise(lines: list[str]) -> dict[int, str]:
    """Indexes (into `lines`, blank lines included) of page boilerplate, each with the name of the rule that found it."""
    features = line_features(lines)
    if not features:
        return {}
    kinds = [classify(line) for line in features]
    runs = link_runs(kinds)
    noisy = _is_page_dump(runs)
    if noisy:
        templated = _templated_lines(features)
        kinds = [BAD if position in templated else classify(line, noisy) for position, line in enumerate(features)]
        runs = link_runs(kinds)
    scores = [line_score(line, kind, run, noisy) for line, kind, run in zip(features, kinds, runs)]
    if noisy:
        _discount_isolated_prose(scores, kinds)
    segments = article_segments(scores)
    if not segments:
        return {}  # nothing looks like prose: better to keep the page than to return an empty article
    first, last = segments[0][0], segments[-1][1]
    if not noisy:
        first, last = _clean_text_bounds(first, last, runs)
    removed: dict[int, str] = {}
    for line in features[:first]:
        removed[line.index] = PAGE_HEADER
    if noisy:  # in a whole-page dump what separates two stretches of article is the page's too
        for (_, end), (start, _) in zip(segments, segments[1:]):
            for line in features[end + 1 : start]:
                removed[line.index] = "page_block"
    for line in features[last + 1 :]:
        removed[line.index] = "page_footer"
    article = [position for position in range(first, last + 1) if features[position].index not in removed]
    removed.update(_line_rules([features[position] for position in article], noisy))
    removed.update(_repeated_lines([features[position] for position in article], kinds, article, noisy))
    title = _leading_title(features, kinds, first, article, removed)
    if title is not None:
        removed[features[title].index] = LEADING_TITLE
    return dict(sorted(removed.items()))


def _leading_title(features: list[Line], kinds: list[str], first: int, article: list[int],
                   removed: dict[int, str]) -> int | None:
    """Position of the headline: the first line the article still keeps if it looks like one, else the last
    headline-like line among the few removed just above the article (headline, then byline and date)."""
    top = next((position for position in article if features[position].index not in removed), None)
    if top is not None and _is_title_like(features[top]) and kinds[top] != GOOD:
        return top
    for position in range(first - 1, max(first - TITLE_SEARCH_LINES, 0) - 1, -1):
        if _is_title_like(features[position]) and kinds[position] != GOOD:
            return position
    return None


def _line_rules(lines: list[Line], noisy: bool) -> dict[int, str]:
    """Lines that are page furniture by their shape alone: a photo credit or caption credit, a bare URL or time."""
    found = {}
    for line in lines:
        if line.words <= CREDIT_MAX_WORDS and _is_media_credit(line.text):
            found[line.index] = "media_credit"
        elif _BARE_TIME.match(line.text):
            found[line.index] = "bare_timestamp"
        elif noisy and _BARE_URL.match(line.text):
            found[line.index] = "bare_url"
    return found


@per_line  # a memo lookup is cheaper than casefold over a line of prose
def _folded(text: str) -> str:
    return text.casefold()


def _repeated_lines(lines: list[Line], kinds: list[str], positions: list[int], noisy: bool) -> dict[int, str]:
    """Lines the page repeats. A copy a few lines after the first (a caption under a photo and again in the
    gallery) goes in any text. In a page dump, a repeated line that is not prose (a button, a promo, a comment
    widget) goes wherever it is, first copy included. Prose repeated far apart stays: a quoted passage, a list of
    ingredients used twice, a story the extractor kept twice are the article's (or not ours to judge)."""
    last_seen: dict[str, int] = {}
    keys = [_folded(line.text) for line in lines]
    counts = Counter(keys) if noisy else Counter()
    found = {}
    for order, (line, position, key) in enumerate(zip(lines, positions, keys)):
        previous = last_seen.get(key)
        last_seen[key] = order
        if previous is not None and order - previous <= REPEAT_NEAR_LINES and line.words >= REPEAT_MIN_WORDS:
            found[line.index] = "repeated_line"
        elif noisy and counts[key] >= 2 and kinds[position] not in (GOOD, NEAR):
            found[line.index] = "repeated_line"
    return found
