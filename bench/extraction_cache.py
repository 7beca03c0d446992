"""Extraction outputs of the benchmark pages, cached on disk, so that experiments and the benchmark do not recompute
bare trafilatura (or one of newsclean's trafilatura passes) for every run.

    python -m bench.extraction_cache --set wcxb --variants bare_default bare_fast   # fill the cache

A variant is a name and a function of the page's HTML; its output for a set is one JSON file
(`$NEWSCLEAN_BENCH_CACHE`, default /tmp/newsclean-bench-cache, `<set>/<variant>.json`: page id -> {text, title,
author, date}), keyed by the installed trafilatura's version, written every few hundred pages (an interrupted fill
resumes).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

from newsclean.clean.views import COMMENT_VIEWS

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
SET_DIRS = {"wcxb": SHARED / "wcxb-dev", "aeb": SHARED / "aeb"}
CACHE = Path(os.environ.get("NEWSCLEAN_BENCH_CACHE", "/tmp/newsclean-bench-cache"))
SAVE_EVERY = 200


def page_html(set_name: str, page: str) -> str:
    with gzip.open(SET_DIRS[set_name] / "html" / f"{page}.html.gz", "rb") as handle:
        raw = handle.read()
    from newsclean.read.decode import decode_text  # the flow's own decoding

    return decode_text(raw, is_html=True)[0]


def page_ids(set_name: str) -> list[str]:
    return sorted(path.name.split(".", 1)[0] for path in (SET_DIRS[set_name] / "html").glob("*.html.gz"))


def _document_fields(document) -> dict:
    from newsclean.clean.html import leading_standfirst

    if document is None:
        return {"text": "", "title": None, "author": None, "date": None, "standfirst": None}
    return {"text": document.text or "", "title": document.title, "author": document.author, "date": document.date,
            "standfirst": leading_standfirst(document.body, document.description)}


def _metadata(html: str) -> dict:
    """trafilatura's metadata alone (what a with_metadata extraction finds, without the text)."""
    import trafilatura

    found = trafilatura.extract_metadata(html)
    return {"title": found.title, "author": found.author, "date": found.date} if found else {}


def _baseline(html: str) -> dict:
    import trafilatura

    return {"text": trafilatura.baseline(html)[1] or ""}


def _bare(**options) -> Callable[[str], dict]:
    """trafilatura.extract as a user calls it (plain text), comments off unless said; metadata by bare_extraction."""
    def run(html: str) -> dict:
        import trafilatura

        return {"text": trafilatura.extract(html, **{"include_comments": False, **options}) or ""}
    return run


def _view(name: str, **options) -> Callable[[str], dict]:
    """One of the other extractors' views of the page (newsclean/clean/views.py), its lines joined."""
    def run(html: str) -> dict:
        from newsclean.clean.views import VIEWS

        return {"text": "\n".join(VIEWS[name](html, **options))}
    return run


def _newsclean_pass(**options) -> Callable[[str], dict]:
    """One of the trafilatura passes newsclean's HTML path makes (newsclean/clean/html.py's options), text and metadata."""
    def run(html: str) -> dict:
        import trafilatura

        from newsclean.clean.html import TRAFILATURA_OPTIONS

        return _document_fields(trafilatura.bare_extraction(html, **{**TRAFILATURA_OPTIONS, **options}))
    return run


VARIANTS: dict[str, Callable[[str], dict]] = {
    "bare_default": _bare(),
    "bare_fast": _bare(fast=True),
    "bare_precision": _bare(favor_precision=True),
    "bare_recall": _bare(favor_recall=True),
    "bare_comments": _bare(include_comments=True),
    "view_resiliparse": _view("resiliparse"),
    "view_readability": _view("readability"),
    "view_justext": _view("justext"),
    "view_page_text": _view("page_text"),
    # with reader comments, as a page whose type keeps them reads them (views.keeps_comments)
    **{f"view_{name}_comments": _view(name, comments=True) for name in sorted(COMMENT_VIEWS)},
    "pass_default": _newsclean_pass(),
    "pass_fast": _newsclean_pass(fast=True),
    "pass_comments": _newsclean_pass(include_comments=True, with_metadata=False),
    "pass_recall": _newsclean_pass(favor_recall=True, with_metadata=False),
    "pass_precision": _newsclean_pass(favor_precision=True, with_metadata=False),
    "baseline": _baseline,
    "metadata": _metadata,
}


def _cache_file(set_name: str, variant: str) -> Path:
    import trafilatura

    return CACHE / f"trafilatura-{trafilatura.__version__}" / set_name / f"{variant}.json"


def outputs(set_name: str, variant: str, pages: list[str] | None = None, *, quiet: bool = False) -> dict[str, dict]:
    """The variant's output for each page (computed for the pages the cache lacks, then saved)."""
    path = _cache_file(set_name, variant)
    cached: dict[str, dict] = json.loads(path.read_text()) if path.exists() else {}
    wanted = pages if pages is not None else page_ids(set_name)
    missing = [page for page in wanted if page not in cached]
    started = time.perf_counter()
    for done, page in enumerate(missing, start=1):
        try:
            cached[page] = VARIANTS[variant](page_html(set_name, page))
        except Exception as error:  # a page the extractor fails on scores as an empty prediction
            cached[page] = {"text": "", "error": f"{type(error).__name__}: {error}"}
        if done % SAVE_EVERY == 0 or done == len(missing):
            _save(path, cached)
            if not quiet:
                print(f"  {set_name}/{variant}: {done}/{len(missing)} pages ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr, flush=True)
    return {page: cached[page] for page in wanted}


def _save(path: Path, cached: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(cached))
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SET_DIRS), default="wcxb")
    parser.add_argument("--variants", nargs="*", choices=sorted(VARIANTS), default=sorted(VARIANTS))
    parser.add_argument("--limit", type=int, help="only the first N pages")
    args = parser.parse_args(argv)
    pages = page_ids(args.set)[: args.limit] if args.limit else None
    for variant in args.variants:
        outputs(args.set, variant, pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
