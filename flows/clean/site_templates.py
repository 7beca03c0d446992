"""The `site_template` rule: lines a site repeats across its own articles (menus, footers, promo lines) are boilerplate.

No fixed rule can know a site's own "Follow Day News on Google News" line or its footer, but they recur word for word
across that site's articles. For each site (the URL's registered domain, else the source folder) we count, per
normalised line, how many *different stories* contain it, in this run plus what earlier runs saw (the warehouse's
`site_templates` table). Safety for news, where the same wire story appears verbatim many times:
- a line is counted once per story, not per document: copies of one story (same bottom-k sketch of its prose
  lines) count once, so a story syndicated three times on one site does not turn its own lines into a template;
- mid-article prose (a sentence with final punctuation, between the first and last lines of the article's own prose)
  is never a template: only lines shaped like widgets (no final punctuation) or standing in the header/footer zones
  qualify; and a prose line (a footer's "about us" sentence) must recur in at least half of the site's stories,
  so a background paragraph that a few follow-up stories repeat stays;
- the rule never removes most of an article: if it would take more than MAX_REMOVED_SHARE of a body's words,
  it removes nothing from that body;
- sites never share what they learn.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

RULE = "site_template"
MIN_STORIES = 3  # two articles sharing a line can be chance or one story; three different stories make a template
PROSE_MIN_SHARE = 0.5  # a sentence is site furniture only if most of the site's stories carry it
MAX_REMOVED_SHARE = 0.5  # the rule may never take most of an article's words
PROSE_MIN_WORDS = 12  # a line this long ending in a full stop is article prose
SKETCH_SIZE = 4  # stories are identified by the 4 smallest hashes of their prose lines (a bottom-k sketch)
MAX_TRACKED_STORIES = 64  # per line, story keys kept in memory: beyond this many the line is a template anyway

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def line_key(line: str) -> str:
    """Hash of a line with case, punctuation and numbers folded: '© 2023 Day News' and '© 2024 Day News' agree."""
    folded = _NON_WORD.sub(" ", _DIGITS.sub("0", line.casefold())).strip()
    return hashlib.sha1(folded.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def is_prose(line: str) -> bool:
    return len(line.split()) >= PROSE_MIN_WORDS and _SENTENCE_END.search(line) is not None


def story_key(paragraphs: list[str]) -> str:
    """Same for copies of one story, different for different stories sharing only a few template lines."""
    prose = sorted({line_key(line) for line in paragraphs if is_prose(line)})
    sketch = prose[:SKETCH_SIZE] or sorted({line_key(line) for line in paragraphs})[:SKETCH_SIZE]
    return hashlib.sha1("|".join(sketch).encode()).hexdigest()[:16]


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


@dataclass(frozen=True)
class SiteDocument:
    site: str
    paragraphs: list[str]


def learn(documents: list[SiteDocument], memory: dict[tuple[str, str], TemplateLine], today: dt.date) -> dict[tuple[str, str], TemplateLine]:
    """Add this run's documents to what is known per (site, line hash); returns the updated memory (a new dict).

    Only lines seen in two or more stories are kept: a line seen once says nothing yet, and keeping every line
    would make the table as large as the corpus.
    """
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    examples: dict[tuple[str, str], str] = {}
    for document in documents:
        story = story_key(document.paragraphs)
        for line in document.paragraphs:
            key = (document.site, line_key(line))
            seen[key].add(story)
            examples.setdefault(key, line)
    updated = dict(memory)
    for key, stories in seen.items():
        known = updated.get(key)
        if known is None and len(stories) < 2:
            continue
        if known is None:
            known = TemplateLine(key[0], key[1], examples[key], [], today, today)
        merged = list(dict.fromkeys(known.story_keys + sorted(stories)))[:MAX_TRACKED_STORIES]
        updated[key] = TemplateLine(known.site, known.line_hash, known.example_text, merged, min(known.first_seen, today), max(known.last_seen, today))
    return updated


def site_story_counts(memory: dict[tuple[str, str], TemplateLine]) -> dict[str, int]:
    """Stories seen per site, estimated by each site's most widespread line (a menu item is on every page)."""
    counts: dict[str, int] = defaultdict(int)
    for (site, _), line in memory.items():
        counts[site] = max(counts[site], line.doc_count)
    return counts


def template_lines(site: str, paragraphs: list[str], memory: dict[tuple[str, str], TemplateLine], site_stories: int | None = None) -> list[int]:
    """Positions of the paragraphs that are this site's template lines, or [] if removing them would gut the article."""
    if site_stories is None:  # callers cleaning many documents pass it, computed once per run
        site_stories = site_story_counts(memory).get(site, 0)
    counts = [known.doc_count if (known := memory.get((site, line_key(line)))) else 0 for line in paragraphs]
    prose = [is_prose(line) for line in paragraphs]
    site_prose = [p and count >= MIN_STORIES and count >= PROSE_MIN_SHARE * site_stories for p, count in zip(prose, counts)]
    article_prose = [i for i, (p, furniture) in enumerate(zip(prose, site_prose)) if p and not furniture]
    first, last = (article_prose[0], article_prose[-1]) if article_prose else (len(paragraphs), -1)
    positions = [
        i
        for i, line in enumerate(paragraphs)
        if counts[i] >= MIN_STORIES
        and (site_prose[i] if prose[i] else (i < first or i > last or _SENTENCE_END.search(line) is None))
    ]
    total_words = sum(len(line.split()) for line in paragraphs)
    removed_words = sum(len(paragraphs[i].split()) for i in positions)
    return [] if total_words and removed_words > MAX_REMOVED_SHARE * total_words else positions
