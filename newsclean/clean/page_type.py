"""What kind of page an HTML page is: one of WCXB's seven page types, by a small two-stage model over the page's markup.

Stage one, a linear model: tokens read from the HTML text with regular expressions (the tags used, the words of class
and id attributes, schema.org types (JSON-LD `@type`, `itemtype`), `og:type`, words of the `<title>` and of the visible
text), each hashed into a fixed number of slots and counted (log scale), the vector scaled to unit length; plus a few
shape figures (SHAPES: the page's size, its share of links, forms, code); the words of the URL's path and query,
hashed the same way into slots of their own, and the URL's shape (URL_SHAPES: depth, a long slug, a number, a file
ending); one logistic function per type. The URL is the one the input names, else the page's canonical (or og:url)
link; its host is never read, so no site is recognised by name.
Stage two, gradient-boosted trees over the dense figures (DENSE: the shapes, the STRUCTURE figures read from an
lxml parse: how the text falls into blocks, runs of sibling cards, link density, dates, shop, forum and pricing
phrases, schema.org groups, and the URL's shape) and stage one's probabilities. Trained by
`python -m bench.train_page_type` on the development pages' labels; stored in models/page_type.npz (numpy arrays),
loaded once per process; prediction is a matrix product and a walk of the trees with numpy (no scikit-learn at run
time).

A page is called an article when the model's P(article) reaches the stored threshold (chosen by cross-validation for
articles vs the rest), otherwise the likeliest of the six other types.

    classify_page(html, url=None) -> PageType(name, confidence, probabilities)
"""
from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

MODEL_PATH = Path(__file__).resolve().parent / "models" / "page_type.npz"
PAGE_TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")
HASH_SLOTS = 1 << 14  # hashed token slots; the shape figures follow them
URL_SLOTS = 1 << 10  # the URL's hashed words, after the shape figures; the URL's shape figures follow them
FEATURES_VERSION = 4  # changes with what page_features computes: a model made for other features is refused
TEXT_WORDS = 3000  # the visible text's words read (a page's own kind of words: "reply", "cart", "pricing")
SCAN_CHARS = 600_000  # a page's markup is read up to this many characters: cost bounded on huge pages

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]{0,15})\b")
_CLASS_OR_ID = re.compile(r"""\s(?:class|id)=["']([^"']{1,300})["']""")  # lower case, no spaces: as pages write them
_ATTRIBUTE_WORD = re.compile(r"[a-z]{3,20}")
_LD_TYPE = re.compile(r""""@type"\s*:\s*\[?\s*"([A-Za-z]{2,40})\"""")
_ITEMTYPE = re.compile(r"""itemtype=["'][^"']{0,60}/([A-Za-z]{2,40})["']""")
_OG_TYPE = re.compile(r"""<meta[^>]{0,200}?property\s*=\s*["']og:type["'][^>]{0,200}?content\s*=\s*["']([\w.:-]{1,40})""", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>([^<]{0,300})", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{3,20}")
_LINK_TEXT = re.compile(r"<a\b[^>]*>([^<]{0,200})</a>", re.IGNORECASE)
_SCRIPT_OR_STYLE = re.compile(r"<script\b.*?</script>|<style\b.*?</style>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]*>")
_PRICE = re.compile(r"[$€£¥]\s?\d")
_CANONICAL = re.compile(r"""<link\b[^>]{0,300}?rel\s*=\s*["']canonical["'][^>]{0,300}?href\s*=\s*["']([^"'\s>]{1,800})"""
                        r"""|<link\b[^>]{0,300}?href\s*=\s*["']([^"'\s>]{1,800})["'][^>]{0,300}?rel\s*=\s*["']canonical["']"""
                        r"""|<meta\b[^>]{0,200}?property\s*=\s*["']og:url["'][^>]{0,200}?content\s*=\s*["']([^"'\s>]{1,800})""",
                        re.IGNORECASE)
_URL_WORD = re.compile(r"[a-z]{2,20}")
_URL_NUMBER = re.compile(r"\d{4,}")
_URL_YEAR = re.compile(r"/(?:19|20)\d\d/")
URL_SHAPES = ("url_depth", "url_root", "url_query", "url_slug_words", "url_number", "url_year", "url_file", "url_slash")
# Shape figures, each a function of (tag counts, markup, visible text, link text) -> number
SHAPES = ("log_text_chars", "link_text_share", "log_links", "log_paragraphs", "log_list_items", "log_forms",
          "log_code_blocks", "log_prices", "log_headings", "log_images", "log_articles", "log_tables")


_INLINE = frozenset("a abbr b bdi bdo cite code data dfn em font i kbd label mark q s samp small span strong sub sup "
                    "time u var wbr br img svg button input select option".split())
_SKIPPED = frozenset(("script", "style", "noscript", "template", "head", "title", "meta", "link"))
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_REPEATED_MIN = 4  # siblings of one tag and class counted as a run of cards from this many
_DATE = (r"\d{4}-\d{2}-\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}"
         r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}|\d+ (?:minutes?|hours?|days?|weeks?|months?|years?) ago")
_CART = re.compile(r"add to (?:cart|bag|basket)|buy (?:it )?now|in stock|out of stock|add-to-cart|addtocart")
# what a page type writes, counted in the visible text (lower case, one pass): one figure each
PHRASES = {
    "dates": _DATE,
    "reply": r"repl(?:y|ies)|quote|posts?:|joined|upvote\w*|answers?",
    "pricing": r"pricing|get started|free trial|book a demo|request a demo|contact (?:us|sales)",
    "read_more": r"read more|continue reading|view all|see all|load more|next page",
    "byline": r"min read|published|updated|written by|posted (?:by|on)",
    "shop": r"sort by|filter|products?|results|items?|show(?:ing)? \d",
    "docs": r"parameters?|returns?|example|install\w*|api|edit (?:this|on github)",
}
_PHRASE = re.compile(r"\b(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in PHRASES.items()) + r")\b")
SCHEMA_GROUPS = {  # schema.org / og types that name a page type, as one figure each
    "s_article": ("article", "newsarticle", "blogposting", "reportagenewsarticle", "opinionnewsarticle", "analysisnewsarticle"),
    "s_product": ("product", "offer", "aggregateoffer", "productgroup", "individualproduct"),
    "s_forum": ("discussionforumposting", "qapage", "question", "answer", "comment", "socialmediaposting"),
    "s_collection": ("collectionpage", "itemlist", "offercatalog", "searchresultspage"),
    "s_docs": ("techarticle", "apireference", "softwaresourcecode", "howto"),
    "s_service": ("service", "softwareapplication", "webapplication", "faqpage", "organization", "localbusiness", "corporation"),
    "s_webpage": ("webpage", "website", "aboutpage", "contactpage"),
}
STRUCTURE = ("log_elements", "log_block_chars", "longest_block_share", "top3_block_share", "log_longest_block",
             "log_long_blocks", "mean_block_log", "link_share", "heading_per_kword", "log_repeated_run", "log_runs",
             "repeated_share", "run_text_share", "run_image_share", "run_link_share", "run_price_share",
             "run_heading_share", "log_run_item_chars", "log_card_runs", "log_cart", "log_nav", "log_aside", "log_sections", "log_buttons", "log_inputs", "log_svg",
             "log_time", "log_dl", "log_blockquote", "log_iframes", "max_depth", "log_h1", "log_h2", "log_h3",
             "link_heavy_share", *PHRASES, *SCHEMA_GROUPS, "og_article", "og_product", "og_website")

DENSE = SHAPES + STRUCTURE + URL_SHAPES  # the trees' inputs, followed by the linear model's probability of each type
LINEAR_WIDTH = HASH_SLOTS + len(SHAPES) + URL_SLOTS + len(URL_SHAPES)  # the linear model's inputs


class PageType(NamedTuple):
    name: str  # the type the page is given (PageTypeModel.decide)
    confidence: float  # the model's probability of that type
    probabilities: dict[str, float] | None = None  # every type's probability


def page_tokens(head: str, markup: str, text: str) -> Counter:
    """The page's tokens and their counts: `t:` tags, `c:` class/id words, `s:` schema.org types, `o:` og:type,
    `w:` title words, `x:` words of the visible text (its first TEXT_WORDS). `head`: the page's first SCAN_CHARS
    characters; `markup`: the same without scripts and styles; `text`: its visible text."""
    schema_types = _LD_TYPE.findall(head) + _ITEMTYPE.findall(head)  # JSON-LD sits in script elements
    tags = Counter(tag.lower() for tag in _TAG.findall(markup))
    counts = Counter({"t:" + tag: count for tag, count in tags.items()})
    counts.update("c:" + word for word in _ATTRIBUTE_WORD.findall(" ".join(_CLASS_OR_ID.findall(markup)).lower()))
    counts.update("s:" + schema_type.lower() for schema_type in schema_types)
    counts.update("o:" + og_type.lower() for og_type in _OG_TYPE.findall(head))
    title = _TITLE.search(head)
    counts.update("w:" + word for word in _WORD.findall(title.group(1).lower() if title else ""))
    counts.update("x:" + word for word in islice(_WORD.finditer(text.lower()), TEXT_WORDS) for word in [word.group()])
    return counts


def shape_figures(markup: str, text: str, tags: Counter) -> list[float]:
    """The page's shape figures (SHAPES), from its markup without scripts and styles, its text and its tag counts."""
    text_chars = len(" ".join(text.split()))
    link_chars = sum(len(" ".join(link.split())) for link in _LINK_TEXT.findall(markup))
    log = math.log1p
    return [
        log(text_chars) / 12, min(1.0, link_chars / text_chars) if text_chars else 0.0, log(tags["t:a"]) / 8,
        log(tags["t:p"]) / 6, log(tags["t:li"]) / 7, log(tags["t:form"] + tags["t:input"]) / 4,
        log(tags["t:pre"] + tags["t:code"]) / 5, log(len(_PRICE.findall(text))) / 5,
        log(sum(tags[f"t:h{level}"] for level in range(1, 7))) / 5, log(tags["t:img"]) / 6,
        log(tags["t:article"]) / 4, log(tags["t:table"]) / 4,
    ]


def parse_plain(head: str):
    """The page's tree (plain lxml elements: lxml.html's element classes cost a lookup per element), or None."""
    from lxml import etree

    parser = etree.HTMLParser()
    try:
        return etree.fromstring(head, parser)
    except ValueError:  # an XML declaration naming an encoding: lxml takes such a page as bytes only
        try:
            return etree.fromstring(head.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
        except (etree.ParserError, ValueError):
            return None
    except etree.ParserError:
        return None


def structure_figures(head: str, text: str, tokens: Counter) -> list[float]:
    """The page's STRUCTURE figures: how its text falls into blocks (an element's own text and that of the inline
    elements in it), runs of sibling elements of one tag and class (cards, rows, posts), links, dates, prices near
    shop words, schema.org types. `text`: the visible text, lower case; `tokens`: page_tokens'."""
    log = math.log1p
    root = parse_plain(head)
    block_chars: Counter = Counter()
    block_links: Counter = Counter()
    runs: dict = {}
    where: dict = {}  # element -> (its block: itself or its nearest non-inline ancestor, inside a link, depth)
    elements = 0
    if root is not None:
        for element in root.iter():
            parent = element.getparent()
            outer = where.get(parent, (parent, False, 0))
            tag = element.tag
            if isinstance(tag, str):  # not a comment or processing instruction, of which only the tail is text
                elements += 1
                if tag in _INLINE and parent is not None:
                    here = (outer[0], outer[1] or tag == "a", outer[2] + 1)
                else:
                    here = (element, False, outer[2] + 1)
                where[element] = here
                if element.text and tag not in _SKIPPED:
                    chars = len(element.text.strip())
                    block_chars[here[0]] += chars
                    block_links[here[0]] += chars if here[1] else 0
                if parent is not None and tag not in _INLINE and tag not in _SKIPPED:
                    runs.setdefault((parent, tag, element.get("class")), []).append(element)
            if element.tail and outer[0] is not None and tag != "head":
                chars = len(element.tail.strip())
                block_chars[outer[0]] += chars
                block_links[outer[0]] += chars if outer[1] else 0
    blocks = sorted((chars for chars in block_chars.values() if chars), reverse=True)
    total = sum(blocks) or 1
    links = sum(block_links.values())
    link_heavy = sum(chars for block, chars in block_chars.items() if chars and block_links[block] * 2 > chars)
    long_runs = [items for items in runs.values() if len(items) >= _REPEATED_MIN]
    run = max(long_runs, key=len, default=[])
    run_texts = ["".join(item.itertext()) for item in run]
    run_chars = sum(len(" ".join(item_text.split())) for item_text in run_texts)
    share = (lambda hits: hits / len(run)) if run else (lambda hits: 0.0)
    words = total / 6
    headings = sum(tokens["t:" + level] for level in _HEADING_TAGS)
    schema = {key[2:] for key in tokens if key.startswith(("s:", "o:"))}
    og = {key[2:] for key in tokens if key.startswith("o:")}
    phrases = Counter(match.lastgroup for match in _PHRASE.finditer(text))
    return [
        log(elements) / 9, log(total) / 12, blocks[0] / total if blocks else 0.0, sum(blocks[:3]) / total if blocks else 0.0,
        log(blocks[0] if blocks else 0) / 9, log(sum(chars >= 200 for chars in blocks)) / 5,
        (sum(log(chars) for chars in blocks) / len(blocks) / 7) if blocks else 0.0, min(1.0, links / total),
        min(1.0, headings / max(words, 1) * 1000 / 100), log(len(run)) / 6, log(len(long_runs)) / 5,
        min(1.0, sum(len(items) for items in long_runs) / max(elements, 1)), min(1.0, run_chars / total),
        share(sum(item.find(".//img") is not None for item in run)), share(sum(item.find(".//a") is not None for item in run)),
        share(sum(_PRICE.search(item_text) is not None for item_text in run_texts)),
        share(sum(_has_heading(item) for item in run)), log(run_chars / len(run) if run else 0) / 8,
        log(sum(_is_card_run(items) for items in long_runs)) / 3,
        log(len(_CART.findall(text))) / 3, log(tokens["t:nav"]) / 3,
        log(tokens["t:aside"]) / 3, log(tokens["t:section"]) / 4, log(tokens["t:button"]) / 5, log(tokens["t:input"]) / 5,
        log(tokens["t:svg"]) / 6, log(tokens["t:time"]) / 5, log(tokens["t:dl"]) / 3, log(tokens["t:blockquote"]) / 4,
        log(tokens["t:iframe"]) / 3, min(1.0, max((depth for _, _, depth in where.values()), default=0) / 60),
        log(tokens["t:h1"]) / 3, log(tokens["t:h2"]) / 4, log(tokens["t:h3"]) / 5, min(1.0, link_heavy / total),
        *(log(phrases[name]) / 5 for name in PHRASES),
        *(float(any(name in schema for name in names)) for names in SCHEMA_GROUPS.values()),
        float("article" in og), float(any("product" in name for name in og)), float("website" in og),
    ]


def _has_heading(element) -> bool:
    return any(element.find(f".//{level}") is not None for level in ("h2", "h3", "h4"))


def _is_card_run(items: list) -> bool:
    """Most of the run's first items hold a link and an image or a heading: cards of a listing or a product grid."""
    sample = items[:8]
    cards = sum(item.find(".//a") is not None and (item.find(".//img") is not None or _has_heading(item)) for item in sample)
    return cards * 2 > len(sample)


def page_url(head: str) -> str | None:
    """The page's canonical URL (a canonical link, else og:url), or None."""
    found = _CANONICAL.search(head)
    return next((group for group in found.groups() if group), None) if found else None


def _url_parts(url: str) -> tuple[str, str, list[str]]:
    """The URL's path and query, lower case, and its path's non-empty segments (the host is not returned)."""
    parts = urlsplit(url)
    path = parts.path.lower()
    return path, parts.query.lower(), [segment for segment in path.split("/") if segment]


def url_tokens(url: str) -> Counter:
    """The URL's words: `u:` of its path, `q:` of its query (the first five), `f:` its first path segment's first."""
    path, query, segments = _url_parts(url)
    tokens = Counter("u:" + word for word in _URL_WORD.findall(path))
    tokens.update("q:" + word for word in _URL_WORD.findall(query)[:5])
    if segments:
        tokens["f:" + next(iter(_URL_WORD.findall(segments[0])), "#")] += 1
    return tokens


def url_shape_figures(url: str) -> list[float]:
    """URL_SHAPES: the path's depth, whether it is the site's root, has a query, how many words its last segment's
    slug has, a long number, a year segment, a file ending, a trailing slash. No URL: all 0 (not a site's root)."""
    if not url:
        return [0.0] * len(URL_SHAPES)
    path, query, segments = _url_parts(url)
    last = segments[-1] if segments else ""
    return [len(segments) / 5, float(not segments), float(bool(query)), len(last.split("-")) / 10,
            float(bool(_URL_NUMBER.search(path))), float(bool(_URL_YEAR.search(path))),
            float(path.endswith((".html", ".htm", ".php", ".aspx"))), float(path.endswith("/"))]


def _hashed(tokens: Counter, slots: int, vector) -> None:
    """`tokens` counted (log scale) into `vector`'s `slots` slots, scaled to unit length."""
    import numpy as np

    for token, count in tokens.items():
        vector[zlib.crc32(token.encode("utf-8")) % slots] += math.log1p(count)
    norm = float(np.linalg.norm(vector))
    if norm:
        vector /= norm


def page_features(html: str, url: str | None = None):
    """The page's two feature vectors (numpy float32): the linear model's input (LINEAR_WIDTH values: the hashed
    tokens, SHAPES, the URL's hashed words, URL_SHAPES) and the dense figures (DENSE, the trees' input). `url`: the
    URL the input names; without one, the page's own canonical link (page_url); without either, no URL figures."""
    import numpy as np

    head = html[:SCAN_CHARS]
    url = url or page_url(head) or ""
    markup = _SCRIPT_OR_STYLE.sub(" ", head)
    text = _ANY_TAG.sub(" ", markup)
    tokens = page_tokens(head, markup, text)
    vector = np.zeros(LINEAR_WIDTH, dtype=np.float32)
    _hashed(tokens, HASH_SLOTS, vector[:HASH_SLOTS])
    shapes = shape_figures(markup, text, tokens)
    url_start = HASH_SLOTS + len(SHAPES)
    vector[HASH_SLOTS:url_start] = shapes
    _hashed(url_tokens(url), URL_SLOTS, vector[url_start:url_start + URL_SLOTS])
    url_shapes = url_shape_figures(url)
    vector[url_start + URL_SLOTS:] = url_shapes
    dense = np.array(shapes + structure_figures(head, " ".join(text.lower().split()), tokens) + url_shapes,
                     dtype=np.float32)
    return vector, dense


class Trees(NamedTuple):
    """Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier, exported by bench.train_page_type) as
    flat arrays: every tree's nodes one after another; a numeric split sends a value <= its threshold left."""
    feature: object  # numpy int32 per node
    threshold: object  # float64 per node
    left: object  # int32 per node: index of the left child in these arrays
    right: object
    is_leaf: object  # bool per node
    value: object  # float64 per node: a leaf's contribution to its class's raw score
    roots: object  # int32 per tree
    tree_class: object  # int32 per tree: the class whose raw score the tree adds to
    baseline: object  # float64 per class

    def raw_scores(self, inputs):
        import numpy as np

        node = self.roots.copy()  # every tree walked at once, one level per step
        while True:
            inner = ~self.is_leaf[node]
            if not inner.any():
                break
            at = node[inner]
            node[inner] = np.where(inputs[self.feature[at]] <= self.threshold[at], self.left[at], self.right[at])
        return self.baseline + np.bincount(self.tree_class, weights=self.value[node], minlength=len(self.baseline))


class PageTypeModel(NamedTuple):
    """Two stages: a linear model over the hashed tokens and SHAPES gives one probability per type; trees over the
    dense figures (DENSE) and those probabilities give the final ones. A page is called an article when P(article)
    reaches `article_threshold`, otherwise the likeliest of the other types."""
    classes: tuple[str, ...]
    weights: object  # numpy (LINEAR_WIDTH, classes)
    bias: object  # numpy (classes,)
    trees: Trees
    article_threshold: float

    def linear_probabilities(self, features):
        return one_vs_rest_probabilities(features @ self.weights + self.bias)

    def probabilities(self, features, dense):
        import numpy as np

        raw = self.trees.raw_scores(np.concatenate([dense, self.linear_probabilities(features)]))
        each = np.exp(raw - raw.max())
        return each / each.sum()

    def decide(self, probabilities) -> int:
        """The index of the type a page is given: article when P(article) reaches the threshold, otherwise the
        likeliest other type."""
        import numpy as np

        article = self.classes.index("article")
        if probabilities[article] >= self.article_threshold:
            return article
        others = np.array(probabilities, dtype=float)
        others[article] = -1.0
        return int(others.argmax())


def one_vs_rest_probabilities(scores):
    """One logistic function per type, normalised to sum to 1 (how the linear stage is trained: each type against
    the rest). `scores`: (..., types)."""
    import numpy as np

    each = 1.0 / (1.0 + np.exp(-np.clip(scores, -60.0, 60.0)))
    return each / each.sum(axis=-1, keepdims=True)


_TREE_FIELDS = tuple(f"tree_{name}" for name in Trees._fields)


def save_model(model: PageTypeModel, cv_report: dict, path: Path = MODEL_PATH) -> None:
    """The model, with the figures of its cross-validation (what bench.quality prints)."""
    import json

    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, classes=np.array(model.classes), weights=model.weights.astype(np.float32),
                        bias=model.bias.astype(np.float32), hash_slots=np.array(HASH_SLOTS),
                        features_version=np.array(FEATURES_VERSION), dense_features=np.array(DENSE),
                        article_threshold=np.array(model.article_threshold),
                        cv_report=np.array(json.dumps(cv_report)), **dict(zip(_TREE_FIELDS, model.trees)))


def load_cv_report(path: Path = MODEL_PATH) -> dict | None:
    import json

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as stored:
            return json.loads(str(stored["cv_report"]))
    except (OSError, KeyError, ValueError):
        return None


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> PageTypeModel:
    """The trained model, read once per process. A missing or mismatched file is an error naming the command that
    makes it."""
    import numpy as np

    other_features = f"page-type model {path} was made for other features: retrain with `python -m bench.train_page_type`"
    try:
        with np.load(path, allow_pickle=False) as stored:
            if (int(stored["hash_slots"]), int(stored["features_version"])) != (HASH_SLOTS, FEATURES_VERSION) \
                    or "dense_features" not in stored or tuple(str(name) for name in stored["dense_features"]) != DENSE:
                raise RuntimeError(other_features)
            model = PageTypeModel(tuple(str(name) for name in stored["classes"]), stored["weights"], stored["bias"],
                                  Trees(*(stored[name] for name in _TREE_FIELDS)), float(stored["article_threshold"]))
    except (OSError, KeyError, ValueError) as error:
        raise RuntimeError(f"page-type model {path} unreadable ({error}): make it with `python -m bench.train_page_type`") from error
    if model.weights.shape != (LINEAR_WIDTH, len(model.classes)) or len(model.trees.baseline) != len(model.classes):
        raise RuntimeError(other_features)
    return model


def classify_page(html: str, url: str | None = None) -> PageType:
    model = load_model()
    features, dense = page_features(html, url)
    probabilities = model.probabilities(features, dense)
    best = model.decide(probabilities)
    return PageType(model.classes[best], round(float(probabilities[best]), 4),
                    dict(zip(model.classes, (round(float(share), 4) for share in probabilities))))
