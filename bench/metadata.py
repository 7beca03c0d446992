"""Metadata on HTML pages (title, authors, publication date): each source's candidates (newsclean/clean/metadata.py's
html_candidates) on the WCXB development pages, the order of sources per field chosen by 5-fold cross-validation
grouped by domain (bench/wcxb.py's folds; an author order scores its right answers less INVENTED_COST for each page
whose truth has no author but the order gives one), out-of-fold figures printed beside trafilatura's own metadata and
the shipped orders. No flow run: the candidates of every page are computed once (trafilatura's metadata from the
extraction cache: the flow's bare_extraction pass), so the whole command takes about a minute.

    python -m bench.metadata             # out-of-fold figures, each source's figures, the orders each fold chose
    python -m bench.metadata --cost      # also the cost per page of the candidates and the choice, on aeb's pages

The figures are wcxb_report.metadata_figures' (title exact after whitespace and case folding, the true author
contained in the predicted authors joined by "; ", the date exact; pages whose truth has the field).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from types import SimpleNamespace

from bench import extraction_cache
from bench.wcxb import FOLDS, fold_of, truth
from bench.wcxb_report import metadata_figures
from newsclean.clean import metadata as md

FIELDS = ("title", "authors", "date")
TRUTH_FIELD = {"title": "title", "authors": "author", "date": "publish_date"}
MAX_ORDER = 8  # a longer order is not searched: the sources after the eighth decide almost no page
# What a value on a page whose truth has none costs, against one right value, in the choice of a field's order: an
# author source that fires on listings and shops ("By Brand") must buy its place with more right answers than half
# the values it invents. Dates and titles: none (a page without a date in the truth gets trafilatura's anyway).
INVENTED_COST = {"authors": 0.5}


def page_candidates(set_name: str, pages: list[str]) -> dict[str, md.MetadataCandidates]:
    """Each page's candidates, trafilatura's metadata (its flow pass, cached) included; kept on disk beside the
    extraction cache, keyed by the candidates' code (metadata.py's text), so that a rerun is quick."""
    import hashlib
    import pickle

    from trafilatura import load_html

    key = hashlib.sha256(Path(md.__file__).read_bytes()).hexdigest()[:16]
    path = extraction_cache.CACHE / "metadata_candidates" / f"{set_name}-{key}-{len(pages)}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    passes = extraction_cache.outputs(set_name, "pass_default", pages, quiet=True)
    result = {}
    for page in pages:
        found = passes[page]
        trafilatura_metadata = SimpleNamespace(title=found.get("title"), author=found.get("author"), date=found.get("date"))
        tree = load_html(extraction_cache.page_html(set_name, page))
        result[page] = md.html_candidates(tree, trafilatura_metadata=trafilatura_metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def correct(field: str, value, page) -> bool:
    """Whether a candidate value is right for the page, as metadata_figures counts it."""
    key = {"title": "title", "authors": "author", "date": "date"}[field]
    got = {key: "; ".join(value) if field == "authors" else value}
    return metadata_figures({page.page: got}, [page])[key][0] == 1.0


BEAM_WIDTH = 40


def learn_order(outcomes: dict[str, dict[str, bool | None]], pages: list[str],
                invented_cost: float = 0.0) -> tuple[tuple[str, ...], float]:
    """A decision list of sources (the first source a page has decides it) right on most of `pages`, and its score:
    pages right, less `invented_cost` for each page whose truth has no value but the order gives one; a beam search
    over orders up to MAX_ORDER long. `outcomes`: page -> {source: right?, or None where the truth has no value}."""
    import numpy as np

    sources = sorted({source for page in pages for source in outcomes[page]})
    present = {s: np.array([s in outcomes[p] for p in pages]) for s in sources}
    right = {s: np.array([outcomes[p].get(s) is True for p in pages]) for s in sources}
    invented = {s: np.array([s in outcomes[p] and outcomes[p][s] is None for p in pages]) for s in sources}
    # a beam entry: (score, order, pages still undecided)
    beam = [(0, (), np.ones(len(pages), dtype=bool))]
    best = (0, ())
    for _ in range(MAX_ORDER):
        grown = []
        for score, order, undecided in beam:
            for source in sources:
                if source in order:
                    continue
                gained = int(np.count_nonzero(undecided & right[source]))
                if gained == 0:
                    continue
                cost = invented_cost * int(np.count_nonzero(undecided & invented[source])) if invented_cost else 0
                grown.append((score + gained - cost, order + (source,), undecided & ~present[source]))
        if not grown:
            break
        grown.sort(key=lambda entry: (-entry[0], entry[1]))
        beam = grown[:BEAM_WIDTH]
        if beam[0][0] > best[0]:
            best = (beam[0][0], beam[0][1])
    return best[1], best[0]


def as_row(values: dict) -> dict:
    """Chosen values by field to metadata_figures' keys."""
    return {"title": values.get("title"), "author": "; ".join(values.get("authors") or []), "date": values.get("date")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cost", action="store_true", help="also time the candidates and the choice on aeb's pages")
    parser.add_argument("--fit-on", choices=("all", "articles"), default="all",
                        help="the pages each fold's orders are chosen on (default: all pages with the field)")
    args = parser.parse_args(argv)
    pages = truth()
    ids = list(pages)
    started = time.perf_counter()
    candidates = page_candidates("wcxb", ids)
    print(f"candidates of {len(ids)} wcxb-dev pages in {time.perf_counter() - started:.0f} s")
    folds = {page: fold_of(pages[page].domain) for page in ids}
    articles = [p for p in ids if pages[p].page_type == "article"]
    fit_ids = ids if args.fit_on == "all" else articles
    oof: dict[str, dict] = {p: {} for p in ids}
    shipped_choice = {}
    orders_chosen: dict[str, list] = {}
    for field in FIELDS:
        wanted = [p for p in fit_ids if getattr(pages[p], TRUTH_FIELD[field])]
        outcomes = {p: {source: correct(field, value, pages[p]) if p in wanted else None
                        for source, value in getattr(candidates[p], field).items()} for p in fit_ids}
        cost = INVENTED_COST.get(field, 0.0)
        fitted = fit_ids if cost else wanted
        orders_chosen[field] = []
        for fold in range(FOLDS):
            order, _ = learn_order(outcomes, [p for p in fitted if folds[p] != fold], cost)
            orders_chosen[field].append(order)
            for p in ids:
                if folds[p] == fold:
                    oof[p][field] = md.first_in_order(getattr(candidates[p], field), order + md.LAST_RESORT)
        shipped_choice[field] = learn_order(outcomes, fitted, cost)[0]
        print(f"\n{field}: each source alone (right / pages with the field in the truth; present on), on {args.fit_on}:")
        for source in sorted({s for p in wanted for s in outcomes[p]}, key=lambda s: -sum(outcomes[p].get(s, False) for p in wanted)):
            right = sum(outcomes[p].get(source, False) for p in wanted) / len(wanted)
            present = sum(source in outcomes[p] for p in wanted) / len(wanted)
            print(f"    {source:<24} {right:.3f}  (present {present:.3f})")
        print(f"  orders chosen per fold, then on all {args.fit_on}:")
        for order in orders_chosen[field] + [shipped_choice[field]]:
            print(f"    {' > '.join(order)}")
    print(f"\nthe shipped orders: title {' > '.join(md.TITLE_ORDER)}; "
          f"authors {' > '.join(md.AUTHOR_ORDER)}; date {' > '.join(md.DATE_ORDER)}")
    for scope, scope_ids in (("articles", articles), ("all pages", ids)):
        scope_pages = [pages[p] for p in scope_ids]
        trafilatura = {p: as_row({"title": candidates[p].title.get("trafilatura"),
                                  "authors": candidates[p].authors.get("trafilatura"),
                                  "date": candidates[p].date.get("trafilatura")}) for p in scope_ids}
        shipped = {}
        for p in scope_ids:
            chosen = md.choose_metadata(candidates[p])
            shipped[p] = as_row({"title": chosen.title, "authors": chosen.authors, "date": chosen.published_date})
        out_of_fold = {p: as_row(oof[p]) for p in scope_ids}
        rows = {"trafilatura (bare_extraction)": metadata_figures(trafilatura, scope_pages),
                "newsclean, out of fold (5 folds by domain)": metadata_figures(out_of_fold, scope_pages),
                "newsclean, shipped orders (in-sample)": metadata_figures(shipped, scope_pages)}
        print(f"\n{scope} ({len(scope_ids)} pages): share right (pages with the field in the truth)")
        print(f"  {'':<44} " + "  ".join(f"{name:>12}" for name in ("title", "author", "date")))
        for label, figures in rows.items():
            print(f"  {label:<44} " + "  ".join(f"{share:.3f} ({count:>4})" for share, count in figures.values()))
        for label, predictions in (("trafilatura", trafilatura), ("newsclean out of fold", out_of_fold),
                                   ("newsclean shipped", shipped)):
            spare = [(key, [p for p in scope_ids if not getattr(pages[p], truth_key)])
                     for key, truth_key in (("author", "author"), ("date", "publish_date"))]
            print(f"  {label}: a value where the truth has none: " + ", ".join(
                f"{key} {sum(bool(predictions[p][key]) for p in without) / max(1, len(without)):.3f} ({len(without)})"
                for key, without in spare))
    if args.cost:
        aeb_ids = extraction_cache.page_ids("aeb")
        htmls = {page: extraction_cache.page_html("aeb", page) for page in aeb_ids}
        started = time.perf_counter()
        for html in htmls.values():
            md.page_metadata(html)
        seconds = time.perf_counter() - started
        print(f"\ncost on aeb's {len(aeb_ids)} pages: {1000 * seconds / len(aeb_ids):.1f} ms per page "
              f"(parse + candidates + choice, one process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
