"""The WCXB development split (../shared/bench/wcxb-dev): its pages, truth, page types and domain-grouped folds.

Folds group pages by registered domain (a domain's pages are all in one fold), assigned by a hash of the domain, so
that a setting chosen on the other folds is scored on sites it never saw.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bench.metric import BagScore, mean_bag_score, score_page_bag

WCXB = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "wcxb-dev"
PAGE_TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")
FOLDS = 5


@dataclass(frozen=True)
class TruthPage:
    page: str
    page_type: str
    domain: str
    main_content: str
    title: str | None
    author: str | None
    publish_date: str | None
    url: str | None = None


def domain_of(url: str | None, page: str) -> str:
    """The page's registered domain; a page without a usable URL is a group of its own."""
    from courlan import extract_domain

    return extract_domain(url or "") or f"page:{page}"


@lru_cache(maxsize=2)
def truth(bench_dir: Path = WCXB) -> dict[str, TruthPage]:
    records = json.loads((bench_dir / "ground-truth.json").read_text(encoding="utf-8"))
    return {page: TruthPage(page, record["page_type"], domain_of(record["url"], page), record["main_content"] or "",
                            record.get("title"), record.get("author"), record.get("publish_date"), record.get("url"))
            for page, record in sorted(records.items())}


def fold_of(domain: str, folds: int = FOLDS) -> int:
    return int(hashlib.sha256(domain.encode("utf-8")).hexdigest(), 16) % folds


def page_scores(predictions: dict[str, str], pages: dict[str, TruthPage]) -> dict[str, BagScore]:
    """Each page's score; a page without a prediction scores as an empty one."""
    return {page: score_page_bag(predictions.get(page, ""), record.main_content) for page, record in pages.items()}


def by_type(scores: dict[str, BagScore], pages: dict[str, TruthPage]) -> dict[str, BagScore]:
    """The corpus score overall ('all') and over each page type."""
    result = {"all": mean_bag_score(scores.values())}
    for page_type in PAGE_TYPES:
        result[page_type] = mean_bag_score(score for page, score in scores.items() if pages[page].page_type == page_type)
    return result
