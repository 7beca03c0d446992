"""The `site_template` rule: lines a site repeats across its own articles (menus, footers, promo lines) are boilerplate.

No fixed rule can know a site's own "Follow Day News on Google News" line or its footer, but they recur word for word
across that site's articles. For each site (the URL's registered domain, else the source folder) we count, per
normalised line, how many *different stories* contain it, in this run plus what earlier runs saw (the warehouse's
`site_templates` table). Safety for news, where the same wire story appears verbatim many times:
- a line is counted once per story, not per document: documents of a run whose prose overlaps (they share at least
  STORY_MIN_SHARED of the SKETCH_SIZE smallest hashes of their prose lines) are one story, so a wire story syndicated
  several times on one site, edited or not, does not turn its own lines (subheadings, short quotes) into a template;
- mid-article prose (a sentence with final punctuation, between the first and last lines of the article's own prose)
  is never a template: only lines shaped like widgets (no final punctuation) or standing in the header/footer zones
  qualify; and a prose line (a footer's "about us" sentence) must recur in at least half of the site's stories,
  so a background paragraph that a few follow-up stories repeat stays;
- the rule never removes most of an article: if it would take more than MAX_REMOVED_SHARE of the article's prose
  words (of all its words when it has no prose), it removes nothing from it;
- sites never share what they learn.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from newsclean.clean.memo import per_line

RULE = "site_template"
MIN_STORIES = 3  # two articles sharing a line can be chance or one story; three different stories make a template
PROSE_MIN_SHARE = 0.5  # a sentence is site furniture only if most of the site's stories carry it
MAX_REMOVED_SHARE = 0.5  # the rule may never take most of an article's prose
PROSE_MIN_WORDS = 12  # a line this long ending in a full stop is article prose
SKETCH_SIZE = 8  # a story's sketch: the 8 smallest hashes of its prose lines (bottom-k MinHash)
STORY_MIN_SHARED = 3  # versions of one story share most of their sketch; different stories share furniture at most
MAX_POSTINGS = 32  # a hash in this many stories is site furniture, useless for telling stories apart
MAX_TRACKED_STORIES = 64  # per line, story keys kept in memory: beyond this many the line is a template anyway
FOLD_MAX_WORDS, FOLD_MAX_CHARS = 20, 400  # widget-sized lines get digits and punctuation folded; longer only case

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_CLOSERS = "\"'”’)]"  # may follow a sentence's final stop


def _ends_sentence(line: str) -> bool:
    r"""The line ends in a full stop, a question or an exclamation mark, closing quotes and brackets after it: as
    re.search(r"[.!?][\"'”’)\]]*$", line) finds, by a scan of its end only."""
    return line.removesuffix("\n").rstrip(_CLOSERS).endswith((".", "!", "?"))


KEY_BYTES = 8  # a line key is the first 8 bytes of its SHA-1, in hex


def line_key(line: str) -> str:
    """Hash of a line with case, punctuation and numbers folded: '© 2023 Day News' and '© 2024 Day News' agree."""
    folded = line.casefold()
    if len(folded) <= FOLD_MAX_CHARS and folded.count(" ") < FOLD_MAX_WORDS:
        folded = _NON_WORD.sub(" ", _DIGITS.sub("0", folded)).strip()
    return hashlib.sha1(folded.encode("utf-8", "surrogatepass")).hexdigest()[: 2 * KEY_BYTES]


@per_line
def _words(line: str) -> int:
    return len(line.split())


def is_prose(line: str) -> bool:
    return _words(line) >= PROSE_MIN_WORDS and _ends_sentence(line)


@per_line
def _key_and_prose(line: str) -> tuple[str, bool]:
    # Both are wanted of every line: one memo lookup, not two.
    return line_key(line), is_prose(line)


@dataclass(frozen=True)
class SiteDocument:
    """A document's lines with what every step needs of them, computed once: their keys and which are prose."""

    site: str
    paragraphs: list[str]
    keys: list[str] = field(init=False)
    prose: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        facts = [_key_and_prose(line) for line in self.paragraphs]
        object.__setattr__(self, "keys", [key for key, _ in facts])
        object.__setattr__(self, "prose", [prose for _, prose in facts])

    def summary(self) -> "LineSummary":
        # interned: a run keeps a summary per document, and every document of a site would carry its own copy
        return LineSummary(sys.intern(self.site), b"".join(bytes.fromhex(key) for key in self.keys),
                           sum(1 << index for index, is_prose_line in enumerate(self.prose) if is_prose_line))


class LineSummary(NamedTuple):
    """What learning needs of a document, without its text and packed small: a run keeps one per document
    until it has seen them all."""

    site: str
    packed_keys: bytes  # the line keys' 8 bytes each, in order
    prose_mask: int  # bit i: line i is prose

    paragraphs = ()  # no text: learnt template lines get theirs from fill_examples

    @property
    def keys(self) -> list[str]:
        packed = self.packed_keys
        return [packed[start : start + KEY_BYTES].hex() for start in range(0, len(packed), KEY_BYTES)]

    @property
    def prose(self) -> list[bool]:
        return [bool(self.prose_mask >> index & 1) for index in range(len(self.packed_keys) // KEY_BYTES)]


def story_sketch(document: SiteDocument) -> list[str]:
    prose = sorted({key for key, is_prose_line in zip(document.keys, document.prose) if is_prose_line})
    return (prose or sorted(set(document.keys)))[:SKETCH_SIZE]


def story_keys(documents: list[SiteDocument]) -> list[str]:
    """A story key per document: near-duplicates (edited versions, syndicated copies) get the same key.

    Greedy clustering through an inverted index of sketch hashes: linear in the number of documents."""
    postings: dict[str, list[str]] = defaultdict(list)
    keys = []
    for document in documents:
        sketch = story_sketch(document)
        votes = Counter(story for h in sketch if len(postings[h]) < MAX_POSTINGS for story in postings[h])
        needed = min(STORY_MIN_SHARED, len(sketch) // 2 + 1)  # short documents have short sketches
        match = next((story for story, shared in votes.most_common(1) if shared >= needed), None)
        # A new story's key is its whole sketch: a single hash could be furniture that every page shares.
        key = match or hashlib.sha1("|".join(sketch).encode()).hexdigest()[:16]
        for h in sketch:
            if len(postings[h]) < MAX_POSTINGS and key not in postings[h]:
                postings[h].append(key)
        keys.append(key)
    return keys


@dataclass
class TemplateLine:
    """One row of the `site_templates` table."""

    site: str
    line_hash: str
    example_text: str
    story_keys: list[str]  # distinct stories seen with this line, at most MAX_TRACKED_STORIES
    first_seen: dt.date
    last_seen: dt.date

    @property
    def doc_count(self) -> int:
        return len(self.story_keys)


def learn(documents: list[SiteDocument | LineSummary], memory: dict[tuple[str, str], TemplateLine], today: dt.date) -> dict[tuple[str, str], TemplateLine]:
    """Add this run's documents to what is known per (site, line hash); returns the updated memory (a new dict).

    Only lines seen in two or more stories are kept: a line seen once says nothing yet, and keeping every line
    would make the table as large as the corpus. Sites are learnt one at a time (they never share what they learn),
    so the counting never holds more than one site's lines.
    """
    by_site: dict[str, list[int]] = defaultdict(list)
    for position, document in enumerate(documents):
        by_site[document.site].append(position)
    updated = dict(memory)
    for site, positions in by_site.items():
        site_documents = [documents[i] for i in positions]
        seen: dict[str, set[str]] = defaultdict(set)
        examples: dict[str, str] = {}
        for document, story in zip(site_documents, story_keys(site_documents)):  # stories are told apart within a site only
            for index, line_hash in enumerate(document.keys):
                seen[line_hash].add(story)
                if document.paragraphs:  # a summary has none: fill_examples adds the text later
                    examples.setdefault(line_hash, document.paragraphs[index])
        for line_hash, stories in seen.items():
            known = updated.get((site, line_hash))
            if known is None and len(stories) < 2:
                continue
            if known is None:
                known = TemplateLine(site, line_hash, examples.get(line_hash, ""), [], today, today)
            merged = list(dict.fromkeys(known.story_keys + sorted(stories)))[:MAX_TRACKED_STORIES]
            updated[(site, line_hash)] = TemplateLine(site, line_hash, known.example_text, merged,
                                                      min(known.first_seen, today), max(known.last_seen, today))
    return updated


def fill_examples(memory: dict[tuple[str, str], TemplateLine], document: SiteDocument) -> None:
    """Give the template lines learnt from summaries (no text) their example text from this document's lines."""
    for line, line_hash in zip(document.paragraphs, document.keys):
        known = memory.get((document.site, line_hash))
        if known is not None and not known.example_text:
            known.example_text = line


def site_story_counts(memory: dict[tuple[str, str], TemplateLine]) -> dict[str, int]:
    """Stories seen per site, estimated by each site's most widespread line (a menu item is on every page)."""
    counts: dict[str, int] = defaultdict(int)
    for (site, _), line in memory.items():
        counts[site] = max(counts[site], line.doc_count)
    return counts


def template_lines(document: SiteDocument, memory: dict[tuple[str, str], TemplateLine], site_stories: int | None = None) -> list[int]:
    """Positions of the document's lines that are its site's template lines, or [] if removing them would gut it."""
    if site_stories is None:  # callers cleaning many documents pass it, computed once per run
        site_stories = site_story_counts(memory).get(document.site, 0)
    paragraphs, prose = document.paragraphs, document.prose
    counts = [known.doc_count if (known := memory.get((document.site, key))) else 0 for key in document.keys]
    site_prose = [p and count >= MIN_STORIES and count >= PROSE_MIN_SHARE * site_stories for p, count in zip(prose, counts)]
    article_prose = [i for i, (p, furniture) in enumerate(zip(prose, site_prose)) if p and not furniture]
    first, last = (article_prose[0], article_prose[-1]) if article_prose else (len(paragraphs), -1)
    positions = [
        i
        for i, line in enumerate(paragraphs)
        if counts[i] >= MIN_STORIES
        and (site_prose[i] if prose[i] else (i < first or i > last or not _ends_sentence(line)))
    ]
    # "Most of the article" is measured on its prose (on every line when it has none): a short article under a
    # heavy menu still loses the menu, but the rule never takes most of what reads like the article.
    measured = [i for i in range(len(paragraphs)) if prose[i]] or range(len(paragraphs))
    removed_words = sum(_words(paragraphs[i]) for i in set(positions).intersection(measured))
    if not removed_words:  # the usual case (menus and footers are not prose): no need to count the article
        return positions
    total_words = sum(_words(paragraphs[i]) for i in measured)
    return [] if total_words and removed_words > MAX_REMOVED_SHARE * total_words else positions
