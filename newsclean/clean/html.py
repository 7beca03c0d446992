"""HTML pages: trafilatura finds the article by page structure; its output then goes through the same line rules as
plain text (clean/text.py), because share prompts and "Read more" inserts inside the article survive structure.

Two profiles (PROFILES; settings.HTML_PROFILE, `newsclean run --profile`):
- quality (the default): trafilatura as its defaults run it, with its comparison against its readability and jusText
  fallbacks, comments off; where its text and resiliparse's main content disagree, its lines weighed against other
  extractors' views by a trained combiner (combined_views; newsclean/clean/ensemble.py); after it the line rules,
  not the header reader (see PROFILES).
- fast: one fast extraction a page (trafilatura without that comparison), checked: where what it found looks like the
  page's navigation or a flattened layout table, the page is extracted again with the full comparison. Optionally
  (settings.HTML_PRECISION_PASS) a second, precision extraction agrees with the default one on the article: an
  article is contiguous, so we keep the default's paragraphs from the first to the last one the precision extraction
  also kept, plus long paragraphs outside that span (a long paragraph is prose, not a teaser). Where the precision
  extraction kept text the default did not, the two disagree on the page's structure and the precision output is
  used as it is.

Both: a heading atop the article that repeats the page's description is the standfirst, which goes to `dek`, not the
body; where trafilatura returns nothing or almost nothing, the page falls back to a recall-oriented extraction, then
to trafilatura's baseline (every paragraph-like text), rather than lose the article; `extractor` records the path
taken, `page_type` the page's type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from newsclean import settings

MIN_BODY_WORDS = 25  # fewer words than this from the default extraction counts as "almost nothing": try the next path
EDGE_PROSE_WORDS = 40  # outside the agreed span, a paragraph this long is kept: teasers and captions are shorter
# The fast pass's text looks like the page's navigation or layout, not an article, and is redone with trafilatura's
# full comparison: at least NAVIGATION_MIN_LINES lines of which NAVIGATION_SHORT_SHARE are shorter than
# NAVIGATION_SHORT_CHARS characters (a menu: characters, not words, so that CJK text counts right), or most of the
# text in table rows averaging LAYOUT_ROW_CHARS characters or more (a layout table: a data table's cells are short).
NAVIGATION_MIN_LINES, NAVIGATION_SHORT_SHARE, NAVIGATION_SHORT_CHARS = 20, 0.8, 25
LAYOUT_ROW_CHARS = 300
# Comments are not the article (trafilatura's default includes them); nothing is fetched, the page is all we have.
TRAFILATURA_OPTIONS = {"include_comments": False, "with_metadata": True, "include_tables": True, "deduplicate": False}
_HTML_LANG = re.compile(r"""<html[^>]{0,500}?\blang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?""", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class HtmlProfile:
    """How HTML pages are extracted (settings.HTML_PROFILE, `newsclean run --profile`)."""

    name: str
    # trafilatura's `fast` mode (no comparison with its readability and jusText fallbacks), with a second, full pass
    # where the fast one found navigation (looks_like_layout)
    fast: bool
    # after extraction (newsclean/runtime/passes.py): the header reader taking metadata lines (section, title, date, byline,
    # dek) off the top of the body
    read_header: bool = True
    # other extractors' views of the page weighed against trafilatura's lines by a trained combiner
    # (newsclean/clean/ensemble.py), where trafilatura and resiliparse disagree
    views: bool = False


# The quality profile's steps after extraction are those that helped out of fold on pages never tuned on (WCXB's
# development pages, 5-fold cross-validation grouped by domain: bench.html_choices): the line rules and the removal of
# a line repeating the title, not the header reader. Also measured there and left out, as they did not help out of
# fold: trafilatura's comments on pages the model calls forums, its recall mode on listings and product pages, and a
# second, fast pass on articles (docs/benchmarks.md, "Choices made on data").
PROFILES = {
    "quality": HtmlProfile("quality", fast=False, read_header=False, views=True),
    "fast": HtmlProfile("fast", fast=True),
}


@dataclass
class HtmlExtraction:
    paragraphs: list[str]
    # "trafilatura" (the fast pass), "trafilatura_compared" (redone with the full comparison), "trafilatura_precision"
    # (the precision pass's output as it is), "views" (the combiner changed trafilatura's lines), "trafilatura_recall",
    # "baseline", or "none"
    extractor: str
    title: str | None = None
    dek: str | None = None
    section: str | None = None
    authors: list[str] = field(default_factory=list)
    published_date: str | None = None  # ISO date
    site_name: str | None = None
    language: str | None = None
    url: str | None = None
    standfirst: str | None = None  # a heading atop the article that repeats the page's description: the dek, not body
    page_type: str | None = None  # clean/page_type.py: one of its PAGE_TYPES
    page_type_confidence: float | None = None
    profile: str = "quality"  # the HTML profile that extracted it (PROFILES)


def page_language(html: str) -> str | None:
    """The page's declared language (<html lang="en-GB"> -> 'en-GB'), normalised to an ISO 639 code."""
    match = _HTML_LANG.search(html[:5000])
    if not match:
        return None
    primary, region = match.group(1).lower(), match.group(2)
    return f"{primary}-{region}" if region else primary


def _words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def _has_words(text: str | None, count: int) -> bool:
    """Whether the text has at least `count` words, read up to the count-th only (an article has hundreds)."""
    return next(islice(_WORD.finditer(text or ""), count - 1, None), None) is not None


def _paragraphs(text: str | None) -> list[str]:
    return [line for line in (text or "").split("\n") if line.strip()]


def _section(categories) -> str | None:
    if isinstance(categories, str):
        categories = [part.strip() for part in categories.split(",")]
    names = [name for name in (categories or []) if name]
    return names[0] if names else None


def _normalized(line: str) -> str:
    return " ".join(line.split())


def looks_like_layout(paragraphs: list[str]) -> bool:
    """An extraction that found the page's menu or flattened its layout table instead of the article."""
    if not paragraphs:
        return False
    short = sum(len(line) < NAVIGATION_SHORT_CHARS for line in paragraphs)
    if len(paragraphs) >= NAVIGATION_MIN_LINES and short >= NAVIGATION_SHORT_SHARE * len(paragraphs):
        return True
    rows = [line for line in paragraphs if line.startswith("|")]
    row_chars = sum(map(len, rows))
    return bool(rows) and row_chars > sum(map(len, paragraphs)) / 2 and row_chars >= LAYOUT_ROW_CHARS * len(rows)


def leading_standfirst(body, description: str | None) -> str | None:
    """The text of a heading among the headings that open the extracted article (`body`, trafilatura's output tree)
    that equals the page's description: a standfirst set as a subheading under the headline. The description alone
    says nothing (many pages describe themselves with their first paragraph, which is article); set as a heading
    above the first paragraph, it is the dek."""
    wanted = _normalized(description or "")
    if body is None or not wanted:
        return None
    for element in body:
        if element.tag != "head":
            return None
        text = _normalized("".join(element.itertext()))
        if text == wanted:
            return text
    return None


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


# An inline `data:` URI (an image, a font) is never article text, and a long one (an inline photo) slows the
# extraction past the document time limit. Those over INLINE_DATA_MAX_CHARS are emptied to `data:,` before it.
INLINE_DATA_MAX_CHARS = 1024
_LONG_INLINE_DATA = re.compile(r"data:[^\s\"'<>()]{%d,}" % INLINE_DATA_MAX_CHARS, re.IGNORECASE)


def without_long_inline_data(html: str) -> str:
    """The page with every `data:` URI longer than INLINE_DATA_MAX_CHARS emptied (`data:,`)."""
    if "ata:" not in html and "ATA:" not in html:  # data:, Data:, DATA: (most pages have none)
        return html
    return _LONG_INLINE_DATA.sub("data:,", html)


def extract_html(html: str, *, url: str | None = None, profile: str | None = None) -> HtmlExtraction:
    """The page's article and metadata by the HTML profile `profile` (default settings.HTML_PROFILE; PROFILES)."""
    from newsclean.clean.page_type import classify_page

    chosen = PROFILES[profile or settings.HTML_PROFILE]
    html = without_long_inline_data(html)
    kind = classify_page(html, url)
    from newsclean import patches  # imported here: it imports lxml, which text runs do not need

    with patches.applied(*patches.TRAFILATURA):
        extraction = _extract_fast(html, url) if chosen.fast else _extract_quality(html, url, kind.name if chosen.views else None)
    extraction.page_type, extraction.page_type_confidence, extraction.profile = kind.name, kind.confidence, chosen.name
    return extraction


def _extract_quality(html: str, url: str | None, views_page_type: str | None) -> HtmlExtraction:
    """trafilatura as its defaults run it (its readability and jusText comparison included), comments off; with a
    page type (`views_page_type`), its lines weighed against other extractors' (combined_views); then the fallbacks
    for a page where it finds almost nothing."""
    import trafilatura  # imported here: plain-text runs never pay for it

    document = trafilatura.bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)
    paragraphs = None
    if views_page_type is not None:
        paragraphs = combined_views(html, document.text if document is not None else "", views_page_type)
    return _finish_extraction(html, url, document, "views" if paragraphs is not None else "trafilatura", paragraphs)


def combined_views(html: str, trafilatura_text: str, page_type: str) -> list[str] | None:
    """The combiner's lines (newsclean/clean/ensemble.py) where they differ from trafilatura's and hold an article's
    worth of words; None where trafilatura's text stands. resiliparse's view (cheap) is read on every page, the
    costlier views only where it and trafilatura disagree, by the thresholds chosen for the page's type."""
    from newsclean.clean import ensemble, views

    model = ensemble.load_model()
    if not model.used_on(page_type):
        return None
    page_views = {"trafilatura": [_normalized(line) for line in _paragraphs(trafilatura_text)],
                  "resiliparse": views.view("resiliparse", html, page_type)}
    if model.agree(page_views, page_type):
        return None
    for name in model.view_names:
        if name not in page_views:
            page_views[name] = views.view(name, html, page_type)
    lines = model.keep(page_views, page_type)
    if lines == page_views["trafilatura"] or not _has_words("\n".join(lines), MIN_BODY_WORDS):
        return None
    return lines


def _extract_fast(html: str, url: str | None) -> HtmlExtraction:
    import trafilatura  # imported here: plain-text runs never pay for it

    # Each pass is given the page as text: trafilatura parses it, where a tree we parsed once for all passes would be
    # copied by every pass (a copy costs most of a parse), and one pass is the rule. The fast profile skips
    # trafilatura's comparison with its readability and jusText fallbacks (`fast`) in ~35 % less time (the quality
    # profile keeps it: see bench.quality for both). A page where it finds navigation or a layout table is
    # searched again with the comparison (looks_like_layout), one where it finds almost nothing goes to the recall pass
    # and the baseline (_finish_extraction).
    document = trafilatura.bare_extraction(html, url=url, fast=True, **TRAFILATURA_OPTIONS)
    extractor = "trafilatura"
    if document is not None and looks_like_layout(_paragraphs(document.text)):
        # Its metadata stands (the same page's); only the article is searched again, with every comparison.
        full = trafilatura.bare_extraction(html, url=document.url or url, **{**TRAFILATURA_OPTIONS, "with_metadata": False})
        if full is not None and _has_words(full.text, MIN_BODY_WORDS):
            document.text, document.body = full.text, full.body
            extractor = "trafilatura_compared"
    paragraphs: list[str] | None = None
    if settings.HTML_PRECISION_PASS and document is not None and _has_words(document.text, MIN_BODY_WORDS):
        # Only its text is used: no second metadata search (the date search is costly); the page's URL as the
        # first pass found it, which is what that pass's text extraction saw.
        precise = trafilatura.bare_extraction(html, url=document.url or url, favor_precision=True,
                                              **{**TRAFILATURA_OPTIONS, "with_metadata": False})
        paragraphs, extractor = agreed_paragraphs(_paragraphs(document.text), _paragraphs(precise.text if precise else ""))
    return _finish_extraction(html, url, document, extractor, paragraphs)


def _finish_extraction(html: str, url: str | None, document, extractor: str, paragraphs: list[str] | None) -> HtmlExtraction:
    """Where the extraction found almost nothing, the recall pass and then trafilatura's baseline (every
    paragraph-like text) rather than lose the article; then the page's metadata."""
    import trafilatura

    from newsclean.clean.metadata import page_metadata

    if paragraphs is None and (document is None or not _has_words(document.text, MIN_BODY_WORDS)):
        recall = trafilatura.bare_extraction(html, url=url, favor_recall=True, **TRAFILATURA_OPTIONS)
        if recall is not None and _words(recall.text) > _words(document.text if document else ""):
            document, extractor = recall, "trafilatura_recall"
    text = document.text if document is not None else ""
    if paragraphs is None and not _has_words(text, MIN_BODY_WORDS):
        _, baseline_text, _ = trafilatura.baseline(html)
        if _words(baseline_text) > _words(text):
            text, extractor = baseline_text, "baseline"
    if not _has_words("\n".join(paragraphs) if paragraphs is not None else text, 1):
        extractor = "none"
    metadata = document if document is not None else None
    chosen = page_metadata(html, url=getattr(metadata, "url", None) or url, trafilatura_metadata=metadata)
    return HtmlExtraction(
        paragraphs=paragraphs if paragraphs is not None else _paragraphs(text),
        extractor=extractor,
        title=chosen.title,
        dek=getattr(metadata, "description", None) or None,
        section=_section(getattr(metadata, "categories", None)),
        authors=chosen.authors,
        published_date=chosen.published_date,
        site_name=getattr(metadata, "sitename", None) or None,
        language=page_language(html),
        url=getattr(metadata, "url", None) or url,
        standfirst=leading_standfirst(getattr(metadata, "body", None), getattr(metadata, "description", None)),
    )
