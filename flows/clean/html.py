"""HTML pages: trafilatura finds the article by page structure; its output then goes through the same line rules as
plain text (clean/text.py), because share prompts and "Read more" inserts inside the article survive structure.

Two extractions agree on the article: the default one (high recall) and the precision one (fewer leftovers at the
edges, but it sometimes drops a paragraph inside the article). An article is contiguous, so we keep the default's
paragraphs from the first to the last one the precision extraction also kept, plus long paragraphs outside that span
(a long paragraph is prose, not a teaser). Where the precision extraction kept text the default did not, the two
disagree on the page's structure and the precision output is used as it is.

Where trafilatura returns nothing or almost nothing, the page falls back to a recall-oriented extraction, then to
trafilatura's baseline (every paragraph-like text), rather than lose the article; `extractor` records the path taken.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import settings

MIN_BODY_WORDS = 25  # fewer words than this from the default extraction counts as "almost nothing": try the next path
EDGE_PROSE_WORDS = 40  # outside the agreed span, a paragraph this long is kept: teasers and captions are shorter
# Comments are not the article (trafilatura's default includes them); nothing is fetched, the page is all we have.
_TRAFILATURA_OPTIONS = {"include_comments": False, "with_metadata": True, "include_tables": True, "deduplicate": False}
_HTML_LANG = re.compile(r"""<html[^>]{0,500}?\blang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?""", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass
class HtmlExtraction:
    paragraphs: list[str]
    extractor: str  # "trafilatura", "trafilatura_recall", "baseline", or "none"
    title: str | None = None
    dek: str | None = None
    section: str | None = None
    authors: list[str] = field(default_factory=list)
    published_date: str | None = None  # ISO date
    site_name: str | None = None
    language: str | None = None
    url: str | None = None


def page_language(html: str) -> str | None:
    """The page's declared language (<html lang="en-GB"> -> 'en-GB'), normalised to an ISO 639 code."""
    match = _HTML_LANG.search(html[:5000])
    if not match:
        return None
    primary, region = match.group(1).lower(), match.group(2)
    return f"{primary}-{region}" if region else primary


def _words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def _paragraphs(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line.strip()]


def _section(categories) -> str | None:
    if isinstance(categories, str):
        categories = [part.strip() for part in categories.split(",")]
    names = [name for name in (categories or []) if name]
    return names[0] if names else None


def _authors(author: str | None) -> list[str]:
    return [name.strip() for name in re.split(r"\s*;\s*", author or "") if name.strip()]


def _normalized(line: str) -> str:
    return " ".join(line.split())


def agreed_paragraphs(default: list[str], precise: list[str]) -> tuple[list[str], str]:
    """The article as the two extractions agree on it, and which extractor that is (see the module's docstring)."""
    precise_set = {_normalized(line) for line in precise}
    default_set = {_normalized(line) for line in default}
    if not precise or any(_normalized(line) not in default_set for line in precise):
        return (precise, "trafilatura_precision") if precise else (default, "trafilatura")
    agreed = [i for i, line in enumerate(default) if _normalized(line) in precise_set]
    first, last = agreed[0], agreed[-1]
    kept = [line for i, line in enumerate(default) if first <= i <= last or len(line.split()) >= EDGE_PROSE_WORDS]
    return kept, "trafilatura"


def extract_html(html: str, *, url: str | None = None) -> HtmlExtraction:
    import trafilatura  # imported here: plain-text runs never pay for it

    # Parsed once: each extraction works on its own copy of the tree (trafilatura copies a tree it is given).
    tree = trafilatura.load_html(html)
    if tree is None:
        tree = html  # not parseable as a tree: every extraction finds nothing, as it would from the string
    # The default pass skips trafilatura's comparison with its readability and jusText fallbacks (`fast`): the
    # precision pass keeps that comparison, and their agreement does its job (same F1 on the aeb pages, ~20 % less
    # time); alone (HTML_PRECISION_PASS off) the fast pass also scores higher than the compared one (0.971 vs 0.969).
    # A page where it finds almost nothing still goes to the recall pass and the baseline, below.
    document = trafilatura.bare_extraction(tree, url=url, fast=True, **_TRAFILATURA_OPTIONS)
    extractor = "trafilatura"
    paragraphs: list[str] | None = None
    if document is not None and _words(document.text) >= MIN_BODY_WORDS and settings.HTML_PRECISION_PASS:
        # Only its text is used: no second metadata search (the date search is costly); the page's URL as the
        # first pass found it, which is what that pass's text extraction saw.
        precise = trafilatura.bare_extraction(tree, url=document.url or url, favor_precision=True,
                                              **{**_TRAFILATURA_OPTIONS, "with_metadata": False})
        paragraphs, extractor = agreed_paragraphs(_paragraphs(document.text), _paragraphs(precise.text if precise else ""))
    if document is None or _words(document.text) < MIN_BODY_WORDS:
        recall = trafilatura.bare_extraction(tree, url=url, favor_recall=True, **_TRAFILATURA_OPTIONS)
        if recall is not None and _words(recall.text) > _words(document.text if document else ""):
            document, extractor = recall, "trafilatura_recall"
    text = document.text if document is not None else ""
    if _words(text) < MIN_BODY_WORDS:
        _, baseline_text, _ = trafilatura.baseline(html)
        if _words(baseline_text) > _words(text):
            text, extractor = baseline_text, "baseline"
    if not _words(text):
        extractor = "none"
    metadata = document if document is not None else None
    return HtmlExtraction(
        paragraphs=paragraphs if paragraphs is not None else _paragraphs(text),
        extractor=extractor,
        title=getattr(metadata, "title", None) or None,
        dek=getattr(metadata, "description", None) or None,
        section=_section(getattr(metadata, "categories", None)),
        authors=_authors(getattr(metadata, "author", None)),
        published_date=getattr(metadata, "date", None) or None,
        site_name=getattr(metadata, "sitename", None) or None,
        language=page_language(html),
        url=getattr(metadata, "url", None) or url,
    )
