"""Metadata on HTML pages (title, authors, publication date): each source's candidates (newsclean/clean/metadata.py's
html_candidates) on the WCXB development pages, the order of sources per field chosen by 5-fold cross-validation
grouped by domain (bench/wcxb.py's folds), out-of-fold figures printed beside trafilatura's own metadata and the
shipped orders. No flow run: the candidates of every page are computed once (trafilatura's metadata from the
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
SHIPPED = {"title": md.TITLE_ORDER, "authors": md.AUTHOR_ORDER, "date": md.DATE_ORDER}
MAX_ORDER = 8  # a longer order is not searched: the sources after the eighth decide almost no page


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


def as_prediction(chosen: md.PageMetadata) -> dict:
    return {"title": chosen.title, "author": "; ".join(chosen.authors), "date": chosen.published_date}


def correct(field: str, value, page) -> bool:
    """Whether a candidate value is right for the page, as metadata_figures counts it."""
    key = {"title": "title", "authors": "author", "date": "date"}[field]
    got = {key: "; ".join(value) if field == "authors" else value}
    return metadata_figures({page.page: got}, [page])[key][0] == 1.0


def learn_order(outcomes: dict[str, dict[str, bool]], pages: list[str]) -> tuple[str, ...]:
    """A decision list of sources (the first source a page has decides it) that is right on most of `pages`:
    built greedily, then improved by swapping pairs while that helps. `outcomes`: page -> {source: right?}."""
    sources = sorted({source for page in pages for source in outcomes[page]})

    def score(order) -> int:
        right = 0
        for page in pages:
            for source in order:
                if source in outcomes[page]:
                    right += outcomes[page][source]
                    break
        return right

    order: list[str] = []
    best = score(order)
    while len(order) < MAX_ORDER:
        options = [(score(order + [source]), source) for source in sources if source not in order]
        if not options:
            break
        value, source = max(options)
        if value <= best:
            break
        order.append(source)
        best = value
    improved = True
    while improved:
        improved = False
        for i in range(len(order)):
            for j in range(i + 1, len(order)):
                swapped = list(order)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                if score(swapped) > best:
                    order, best, improved = swapped, score(swapped), True
    return tuple(order)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cost", action="store_true", help="also time the candidates and the choice on aeb's pages")
    args = parser.parse_args(argv)
    pages = truth()
    ids = list(pages)
    started = time.perf_counter()
    candidates = page_candidates("wcxb", ids)
    print(f"candidates of {len(ids)} wcxb-dev pages in {time.perf_counter() - started:.0f} s")
    folds = {page: fold_of(pages[page].domain) for page in ids}
    scopes = {"articles": [p for p in ids if pages[p].page_type == "article"], "all pages": ids}
    results: dict = {}
    for scope, scope_ids in scopes.items():
        print(f"\n{scope} ({len(scope_ids)}): share right (pages with the field in the truth)")
        trafilatura = {p: {"title": candidates[p].title.get("trafilatura"),
                           "author": "; ".join(candidates[p].authors.get("trafilatura", [])),
                           "date": candidates[p].date.get("trafilatura")} for p in scope_ids}
        scope_pages = [pages[p] for p in scope_ids]
        rows = {"trafilatura (bare_extraction)": metadata_figures(trafilatura, scope_pages),
                "newsclean, shipped orders": metadata_figures(
                    {p: as_prediction(md.choose_metadata(candidates[p])) for p in scope_ids}, scope_pages)}
        oof_predictions: dict[str, dict] = {p: {} for p in scope_ids}
        chosen: dict[str, list] = {}
        for field in FIELDS:
            wanted = [p for p in scope_ids if getattr(pages[p], TRUTH_FIELD[field])]
            found = {p: getattr(candidates[p], field) for p in scope_ids}
            outcomes = {p: {source: correct(field, value, pages[p]) for source, value in found[p].items()} for p in wanted}
            chosen[field] = []
            for fold in range(FOLDS):
                order = learn_order(outcomes, [p for p in wanted if folds[p] != fold])
                chosen[field].append(order)
                for p in scope_ids:
                    if folds[p] == fold:
                        value = md.first_in_order(found[p], order)
                        key = "author" if field == "authors" else field
                        oof_predictions[p][key] = "; ".join(value or []) if field == "authors" else value
            learned_all = learn_order(outcomes, wanted)
            chosen[field].append(learned_all)
            per_source = {}
            for source in sorted({s for p in wanted for s in outcomes[p]}):
                present = [p for p in wanted if source in outcomes[p]]
                per_source[source] = (sum(outcomes[p][source] for p in present) / len(wanted), len(present) / len(wanted))
            results.setdefault(scope, {})[f"{field} sources"] = per_source
            print(f"  {field} by source (right / pages with the field; present on):")
            for source, (right, present) in sorted(per_source.items(), key=lambda item: -item[1][0]):
                print(f"    {source:<24} {right:.3f}  (present {present:.3f})")
        rows["newsclean, out of fold (5 folds by domain)"] = metadata_figures(oof_predictions, scope_pages)
        print(f"  {'':<44} " + "  ".join(f"{name:>14}" for name in ("title", "author", "date")))
        for label, figures in rows.items():
            print(f"  {label:<44} " + "  ".join(f"{share:.3f} ({count:>4})" for share, count in figures.values()))
        for field in FIELDS:
            print(f"  {field} orders chosen per fold, then on all pages of the scope:")
            for order in chosen[field]:
                print("    " + " > ".join(order))
        results[scope]["rows"] = rows
        results[scope]["orders"] = chosen
    if args.cost:
        aeb_ids = extraction_cache.page_ids("aeb")
        htmls = {page: extraction_cache.page_html("aeb", page) for page in aeb_ids}
        started = time.perf_counter()
        for html in htmls.values():
            md.page_metadata(html)
        seconds = time.perf_counter() - started
        print(f"\ncost on aeb's {len(aeb_ids)} pages: {1000 * seconds / len(aeb_ids):.1f} ms per page "
              f"(parse + candidates + choice, one process)")
        results["cost_ms_per_page"] = 1000 * seconds / len(aeb_ids)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
