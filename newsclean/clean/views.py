"""Views of an HTML page: what other extractors take to be its main content, each as plain-text lines.

trafilatura (newsclean/clean/html.py) is one view; these are the others the quality profile's combiner
(newsclean/clean/ensemble.py) weighs its lines against, each through its library's public API:

- resiliparse: its main-content extraction (C++; `extract_plain_text(..., main_content=True)`), cheap enough for
  every page;
- readability: readability-lxml's article (`Document.summary`), turned into lines by resiliparse's HTML-to-text;
- justext: jusText's non-boilerplate paragraphs, with the stop words of all its languages (the page's language is
  not known before extraction);
- trafilatura_recall, trafilatura_precision, trafilatura_fast: trafilatura's other modes, as `trafilatura.extract`
  gives them (comments off); baseline: trafilatura's baseline (every paragraph-like text).

Each returns a list of non-empty lines; an extractor that fails on a page gives no lines (a view, not the article).
"""
from __future__ import annotations

from functools import lru_cache


def _lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").split("\n") if line.strip()]


def resiliparse_view(html: str) -> list[str]:
    from resiliparse.extract.html2text import extract_plain_text

    try:
        return _lines(extract_plain_text(html, main_content=True, alt_texts=False, noscript=False, links=False,
                                         list_bullets=False))
    except Exception:  # a view only: the page is still extracted by the others
        return []


def readability_view(html: str) -> list[str]:
    from readability import Document
    from resiliparse.extract.html2text import extract_plain_text

    try:
        article = Document(html).summary(html_partial=True)
        return _lines(extract_plain_text(article, main_content=False, alt_texts=False, links=False, list_bullets=False))
    except Exception:  # readability raises on pages without a body (Unparseable) and on some markup
        return []


@lru_cache(maxsize=1)
def _all_stop_words() -> frozenset[str]:
    import justext

    words: set[str] = set()
    for language in justext.get_stoplists():
        words |= justext.get_stoplist(language)
    return frozenset(words)


def justext_view(html: str) -> list[str]:
    import justext

    try:
        paragraphs = justext.justext(html, _all_stop_words())
    except Exception:  # jusText raises on empty or unparseable documents
        return []
    return _lines("\n".join(paragraph.text for paragraph in paragraphs if not paragraph.is_boilerplate))


def _trafilatura_mode(**mode):
    def view(html: str) -> list[str]:
        import trafilatura

        return _lines(trafilatura.extract(html, include_comments=False, **mode))
    return view


def baseline_view(html: str) -> list[str]:
    import trafilatura

    return _lines(trafilatura.baseline(html)[1])


VIEWS = {"resiliparse": resiliparse_view, "readability": readability_view, "justext": justext_view,
         "trafilatura_recall": _trafilatura_mode(favor_recall=True),
         "trafilatura_precision": _trafilatura_mode(favor_precision=True),
         "trafilatura_fast": _trafilatura_mode(fast=True), "baseline": baseline_view}
