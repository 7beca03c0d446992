"""Views of an HTML page: what other extractors take to be its main content, each as plain-text lines.

trafilatura (newsclean/clean/html.py) is one view; these are the others the quality profile's combiner
(newsclean/clean/ensemble.py) weighs its lines against, each through its library's public API:

- resiliparse: its main-content extraction (C++; `extract_plain_text(..., main_content=True)`), cheap enough for
  every page;
- readability: readability-lxml's article (`Document.summary`), turned into lines by resiliparse's HTML-to-text;
- justext: jusText's non-boilerplate paragraphs, with the stop words of all its languages (the page's language is
  not known before extraction);
- trafilatura_recall, trafilatura_precision, trafilatura_fast: trafilatura's other modes, as `trafilatura.extract`
  gives them (comments off); baseline: trafilatura's baseline (every paragraph-like text);
- page_text: the visible text of the page's main landmark (`<main>`, role="main"; else its body) but its chrome
  (CHROME_TAGS, CHROME_ROLES, class or id words in CHROME_WORDS, hidden elements), one line per block: where the
  content is every card of a listing or a shop's grid, which the extractors above take for boilerplate. Cheap (an
  lxml parse and a walk).

Each returns a list of non-empty lines; an extractor that fails on a page gives no lines (a view, not the article).
Reader comments are boilerplate on a page called an article, as trafilatura's include_comments=False makes them, and
content elsewhere: a forum's posts and a shop's reviews are often marked up as comments (`keeps_comments`; the two
views that can tell comments apart take `comments`; `view` asks any view for a page of a type).
"""
from __future__ import annotations

import re
from functools import lru_cache


def _lines(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").split("\n") if line.strip()]


def keeps_comments(page_type: str | None) -> bool:
    """Whether a page of this type (clean/page_type.py's; None: not known) keeps its reader comments in the views."""
    return page_type is not None and page_type != "article"


def resiliparse_view(html: str, comments: bool = False) -> list[str]:
    from resiliparse.extract.html2text import extract_plain_text

    try:
        return _lines(extract_plain_text(html, main_content=True, alt_texts=False, noscript=False, links=False,
                                         list_bullets=False, comments=comments))
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


# What a page's chrome is made of: elements, ARIA landmark roles and class or id words (a whole word of the value,
# words split at spaces, "-" and "_") that hold menus, mastheads, footers, sidebars, consent and share widgets,
# and reader comments (COMMENT_WORDS; skipped unless the page keeps them, keeps_comments).
CHROME_TAGS = frozenset({"script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside", "form",
                         "svg", "iframe", "button", "select", "dialog"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu",
                          "menubar"})
CHROME_WORDS = ("nav", "navbar", "navigation", "menu", "footer", "header", "masthead", "breadcrumb", "breadcrumbs",
                "cookie", "consent", "sidebar", "social", "share", "sharing", "newsletter", "subscribe", "popup",
                "modal", "banner", "skip")
COMMENT_WORDS = ("comment", "comments")


def _word_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"(?:^|[\s_-])(?:{'|'.join(words)})(?:$|[\s_-])", re.IGNORECASE)


_CHROME_WORD, _CHROME_OR_COMMENT_WORD = _word_pattern(CHROME_WORDS), _word_pattern(CHROME_WORDS + COMMENT_WORDS)
# Elements whose text starts a line of its own (the others are inline: their text joins their neighbours')
_BLOCK_TAGS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "section", "article",
                         "main", "dd", "dt", "dl", "blockquote", "pre", "figcaption", "figure", "ul", "ol", "table",
                         "br", "address", "hr"})


def _is_chrome(element, words: re.Pattern) -> bool:
    if element.tag in CHROME_TAGS or element.get("role") in CHROME_ROLES:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return marks != " " and bool(words.search(marks))


def page_text_view(html: str, comments: bool = False) -> list[str]:
    """The text of the page's main landmark (else its body), one line per block, its chrome (_is_chrome) skipped
    without a line break; the text after a skipped element stays; reader comments skipped unless `comments`."""
    from lxml import etree

    from newsclean.clean.page_type import parse_plain

    root = parse_plain(html)
    if root is None:
        return []
    # the page's main landmark where it marks one (the HTML5 element or the ARIA role), else its body
    main = root.xpath("(//main | //*[@role='main'])[1]")
    scope = main[0] if main else root.find("body")
    scope = root if scope is None else scope
    lines: list[str] = []
    pieces: list[str] = []
    skipped = set()  # chrome elements: their text is not read, the text after them is
    chrome_words = _CHROME_WORD if comments else _CHROME_OR_COMMENT_WORD

    def end_line() -> None:
        line = " ".join("".join(pieces).split())
        if line:
            lines.append(line)
        pieces.clear()

    # comments and processing instructions come as events of their own: their own text is not read, their tail is
    walk = etree.iterwalk(scope, events=("start", "end", "comment", "pi"))
    for event, element in walk:
        if event == "start":
            if element is not scope and _is_chrome(element, chrome_words):
                skipped.add(element)
                walk.skip_subtree()
                continue
            if element.tag in _BLOCK_TAGS:
                end_line()
            if element.text:
                pieces.append(element.text)
            continue
        if event == "end" and element.tag in _BLOCK_TAGS and element not in skipped:
            end_line()
        if element.tail and element is not scope:
            pieces.append(element.tail)
    end_line()
    return lines


VIEWS = {"resiliparse": resiliparse_view, "readability": readability_view, "justext": justext_view,
         "trafilatura_recall": _trafilatura_mode(favor_recall=True),
         "trafilatura_precision": _trafilatura_mode(favor_precision=True),
         "trafilatura_fast": _trafilatura_mode(fast=True), "baseline": baseline_view,
         "page_text": page_text_view}
COMMENT_VIEWS = frozenset({"resiliparse", "page_text"})  # the views that can tell reader comments apart


def view(name: str, html: str, page_type: str | None = None) -> list[str]:
    """VIEWS[name]'s lines of the page, its reader comments kept where a page of `page_type` keeps them."""
    if name in COMMENT_VIEWS:
        return VIEWS[name](html, comments=keeps_comments(page_type))
    return VIEWS[name](html)
