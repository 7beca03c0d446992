"""The article-extraction benchmark's metric (shared/bench/aeb/README.md), so our figures compare with published ones.

Tokens are runs of word characters, shingles are runs of 4 tokens counted as a multiset; each page's TP/FP/FN are
normalised to sum to 1, corpus precision and recall are means over pages, F1 is computed from those two means.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter:
    tokens = TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass(frozen=True)
class PageScore:
    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        if self.tp + self.fp == 0:
            return None  # nothing predicted: the page does not count towards corpus precision
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn)


def score_page(predicted: str, truth: str) -> PageScore:
    pred, gold = shingles(predicted), shingles(truth)
    tp = sum((pred & gold).values())
    fp = sum((pred - gold).values())
    fn = sum((gold - pred).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


@dataclass(frozen=True)
class CorpusScore:
    precision: float
    recall: float
    f1: float
    pages: int


def score_corpus(pages: Iterable[PageScore]) -> CorpusScore:
    pages = list(pages)
    precisions = [p.precision for p in pages if p.precision is not None]
    recalls = [p.recall for p in pages if p.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CorpusScore(precision, recall, f1, len(pages))


# --- WCXB's metric (shared/bench/wcxb-dev/README.md): bags of lower-cased word tokens, the page F1s averaged ---------


@dataclass(frozen=True)
class BagScore:
    """One page under WCXB's metric: precision, recall and F1 of the predicted word bag against the truth's."""

    precision: float
    recall: float
    f1: float


def word_bag(text: str) -> Counter:
    return Counter(TOKEN.findall((text or "").lower()))


def score_page_bag(predicted: str, truth: str) -> BagScore:
    """P = overlap / predicted tokens, R = overlap / truth tokens (overlap: the multiset intersection's size); an empty
    prediction scores 0. A page whose truth has no token (a page with no main content) scores 1 when the prediction
    is empty too and 0 otherwise: the README does not say, and this is the convention that reproduces its measured
    figures for trafilatura (to the third decimal, overall and per type)."""
    pred, gold = word_bag(predicted), word_bag(truth)
    predicted_tokens, truth_tokens = sum(pred.values()), sum(gold.values())
    if not truth_tokens:
        return BagScore(1.0, 1.0, 1.0) if not predicted_tokens else BagScore(0.0, 0.0, 0.0)
    if not predicted_tokens:
        return BagScore(0.0, 0.0, 0.0)
    overlap = sum((pred & gold).values())
    precision, recall = overlap / predicted_tokens, overlap / truth_tokens
    f1 = 2 * precision * recall / (precision + recall) if overlap else 0.0
    return BagScore(precision, recall, f1)


def mean_bag_score(pages: Iterable[BagScore]) -> BagScore:
    """Corpus P, R and F1: the means of the page values (an empty corpus scores 0)."""
    pages = list(pages)
    if not pages:
        return BagScore(0.0, 0.0, 0.0)
    return BagScore(*(sum(getattr(page, name) for page in pages) / len(pages) for name in ("precision", "recall", "f1")))
