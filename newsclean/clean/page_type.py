"""What kind of page an HTML page is: one of WCXB's seven page types, by a small linear model over the page's markup.

Features are read from the HTML text with regular expressions (no second parse): the tags used, the words of class
and id attributes, schema.org types (JSON-LD `@type`, `itemtype`), `og:type`, words of the `<title>` and of the visible text, each hashed
into a fixed number of slots and counted (log scale), the vector scaled to unit length; plus a few shape figures
(the page's size, its share of links, forms, code). The model (logistic regression, trained by
`python -m bench.train_page_type` on the development pages' labels) is a matrix in models/page_type.npz, loaded
once per process; prediction is a product with that matrix and a logistic function per type (numpy only).

    classify_page(html) -> PageType(name, confidence)
"""
from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from itertools import islice
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

MODEL_PATH = Path(__file__).resolve().parent / "models" / "page_type.npz"
PAGE_TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")
HASH_SLOTS = 1 << 14  # hashed token slots; the shape figures follow them
FEATURES_VERSION = 2  # changes with what page_features computes: a model made for other features is refused
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
# Shape figures, each a function of (tag counts, markup, visible text, link text) -> number
SHAPES = ("log_text_chars", "link_text_share", "log_links", "log_paragraphs", "log_list_items", "log_forms",
          "log_code_blocks", "log_prices", "log_headings", "log_images", "log_articles", "log_tables")


class PageType(NamedTuple):
    name: str
    confidence: float  # the model's probability of that type


def _slot(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) % HASH_SLOTS


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


def page_features(html: str):
    """The page's feature vector (numpy float32, HASH_SLOTS + len(SHAPES) values)."""
    import numpy as np

    head = html[:SCAN_CHARS]
    markup = _SCRIPT_OR_STYLE.sub(" ", head)
    text = _ANY_TAG.sub(" ", markup)
    tokens = page_tokens(head, markup, text)
    vector = np.zeros(HASH_SLOTS + len(SHAPES), dtype=np.float32)
    for token, count in tokens.items():
        vector[_slot(token)] += math.log1p(count)
    norm = float(np.linalg.norm(vector[:HASH_SLOTS]))
    if norm:
        vector[:HASH_SLOTS] /= norm
    vector[HASH_SLOTS:] = shape_figures(markup, text, tokens)
    return vector


class PageTypeModel(NamedTuple):
    classes: tuple[str, ...]
    weights: object  # numpy (features, classes)
    bias: object  # numpy (classes,)

    def probabilities(self, features):
        import numpy as np

        # one logistic function per type, normalised to sum to 1 (how the model was trained: one type against the rest)
        each = 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))
        return each / each.sum(axis=-1, keepdims=True)


def save_model(model: PageTypeModel, cv_report: dict, path: Path = MODEL_PATH) -> None:
    """The model, with the figures of its cross-validation (what bench.quality prints)."""
    import json

    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, classes=np.array(model.classes), weights=model.weights.astype(np.float32),
                        bias=model.bias.astype(np.float32), hash_slots=np.array(HASH_SLOTS),
                        features_version=np.array(FEATURES_VERSION),
                        cv_report=np.array(json.dumps(cv_report)))


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

    try:
        with np.load(path, allow_pickle=False) as stored:
            model = PageTypeModel(tuple(str(name) for name in stored["classes"]), stored["weights"], stored["bias"])
            slots, version = int(stored["hash_slots"]), int(stored["features_version"])
    except (OSError, KeyError, ValueError) as error:
        raise RuntimeError(f"page-type model {path} unreadable ({error}): make it with `python -m bench.train_page_type`") from error
    if slots != HASH_SLOTS or version != FEATURES_VERSION or model.weights.shape != (HASH_SLOTS + len(SHAPES), len(model.classes)):
        raise RuntimeError(f"page-type model {path} was made for other features: retrain with `python -m bench.train_page_type`")
    return model


def classify_page(html: str) -> PageType:
    model = load_model()
    probabilities = model.probabilities(page_features(html))
    best = int(probabilities.argmax())
    return PageType(model.classes[best], round(float(probabilities[best]), 4))
