"""bench.quality's WCXB part: the real flow over ../shared/bench/wcxb-dev's pages, once per HTML profile, scored with
WCXB's metric overall and per page type, beside bare trafilatura (default and fast) on the same pages; the page-type
model's cross-validated accuracy; metadata (title, author, date) on all pages and on the articles."""
from __future__ import annotations

import datetime as dt

from bench import extraction_cache
from bench.wcxb import PAGE_TYPES, WCXB, by_type, page_scores, truth
from bench.metric import BagScore

COLUMNS = ("all",) + PAGE_TYPES


def _row(label: str, figures: dict[str, BagScore], field: str = "f1") -> str:
    return f"  {label:<30}" + "".join(f" {getattr(figures[column], field):>8.4f}" for column in COLUMNS)


def _difference(label: str, ours: dict[str, BagScore], theirs: dict[str, BagScore]) -> str:
    return f"  {label:<30}" + "".join(f" {ours[column].f1 - theirs[column].f1:>+8.4f}" for column in COLUMNS)


def _folded(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def metadata_figures(predicted: dict[str, dict], pages) -> dict[str, tuple[float, int]]:
    """On pages whose truth has the field: title exact after whitespace and case folding; the true author contained
    in the predicted one (folded); the date exact (YYYY-MM-DD). Share right and pages counted."""
    checks = {
        "title": lambda page, got: _folded(got.get("title")) == _folded(page.title),
        "author": lambda page, got: bool(_folded(got.get("author"))) and _folded(page.author) in _folded(got.get("author")),
        "date": lambda page, got: str(got.get("date") or "")[:10] == str(page.publish_date)[:10],
    }
    figures = {}
    for name, check in checks.items():
        wanted = [page for page in pages if getattr(page, "publish_date" if name == "date" else name)]
        right = sum(check(page, predicted.get(page.page, {})) for page in wanted)
        figures[name] = (right / len(wanted) if wanted else 0.0, len(wanted))
    return figures


def metadata_table(rows_by_profile: dict[str, dict], pages: dict) -> dict:
    """Title, author and date right (metadata_figures) on all pages and on the articles: trafilatura's own metadata
    (extract_metadata, and the flow's bare_extraction pass before newsclean's choice) beside the flow's rows."""
    ids = list(pages)
    trafilatura = {"trafilatura extract_metadata": extraction_cache.outputs("wcxb", "metadata", ids),
                   "trafilatura bare_extraction": extraction_cache.outputs("wcxb", "pass_default", ids)}
    predictions = {**trafilatura, **{f"newsclean {profile}": {page: _flow_metadata(row) for page, row in rows.items()}
                                     for profile, rows in rows_by_profile.items()}}
    scopes = {"all pages": list(pages.values()), "articles": [page for page in pages.values() if page.page_type == "article"]}
    print("\nmetadata on wcxb-dev (title exact after case and whitespace folding; true author contained in the authors "
          "joined by '; '; date exact; share right over the pages whose truth has the field, counted in brackets). "
          "newsclean's orders of sources were chosen on these pages: bench.metadata gives the out-of-fold figures.")
    print(f"  {'':<32}" + "".join(f" {scope + ' ' + name:>22}" for scope in scopes for name in ("title", "author", "date")))
    table = {}
    for label, predicted in predictions.items():
        table[label] = {scope: metadata_figures(predicted, scope_pages) for scope, scope_pages in scopes.items()}
        print(f"  {label:<32}" + "".join(f" {share:>15.3f} ({count:>4})" for scope in scopes
                                         for share, count in table[label][scope].values()))
    return table


def _flow_metadata(row: dict) -> dict:
    date = row.get("published_date")
    return {"title": row.get("title"), "author": "; ".join(row.get("authors") or []),
            "date": date.isoformat() if isinstance(date, dt.date) else date}


def run(profiles: list[str], limit: int | None = None) -> dict:
    from bench.quality import flow_rows

    pages = truth()
    if limit:
        pages = dict(list(pages.items())[:limit])
    ids = list(pages)
    results: dict = {"pages": len(ids)}
    table: dict[str, dict[str, BagScore]] = {}
    rows_by_profile = {}
    for profile in profiles:
        rows, seconds = flow_rows(WCXB / "html", profile, ids if limit else None)
        rows_by_profile[profile] = rows
        table[f"newsclean {profile}"] = by_type(page_scores({page: row["body"] for page, row in rows.items()}, pages), pages)
        results[f"newsclean {profile}"] = {"flow_seconds": seconds, "rows": len(rows)}
    for variant in ("default", "fast"):
        outputs = extraction_cache.outputs("wcxb", f"bare_{variant}", ids)
        table[f"trafilatura {variant}"] = by_type(page_scores({page: out["text"] for page, out in outputs.items()}, pages), pages)
    counts = {"all": len(ids), **{t: sum(p.page_type == t for p in pages.values()) for t in PAGE_TYPES}}
    print(f"\nwcxb-dev ({len(ids)} pages; WCXB metric: F1 = mean of page F1s over bags of words), newsclean from the real "
          f"flow (articles + quarantine bodies), bare trafilatura = extract(html, include_comments=False[, fast=True]):")
    print(f"  {'F1':<30}" + "".join(f" {column[:8]:>8}" for column in COLUMNS))
    print(f"  {'pages':<30}" + "".join(f" {counts[column]:>8}" for column in COLUMNS))
    for label, figures in table.items():
        print(_row(label, figures))
    for profile in profiles:
        print(_difference(f"{profile} - trafilatura default", table[f"newsclean {profile}"], table["trafilatura default"]))
        print(_difference(f"{profile} - trafilatura fast", table[f"newsclean {profile}"], table["trafilatura fast"]))
    print(f"  {'precision / recall, all pages':<30}")
    for label, figures in table.items():
        print(f"  {label:<30} P {figures['all'].precision:.4f}  R {figures['all'].recall:.4f}")
    results["f1"] = {label: {column: figures[column].f1 for column in COLUMNS} for label, figures in table.items()}
    for profile, seconds in ((p, results[f"newsclean {p}"]["flow_seconds"]) for p in profiles):
        print(f"  flow wall time, {profile}: {seconds:.1f} s ({len(ids) / seconds:.1f} pages/s, this machine's cores)")

    results["views"] = _views_figures()
    results["page_type"] = _page_type_figures(rows_by_profile, pages)
    results["metadata"] = metadata_table(rows_by_profile, pages)
    return results


def _page_type_figures(rows_by_profile: dict[str, dict], pages) -> dict:
    from newsclean.clean import page_type as pt

    stored = pt.load_cv_report()
    if stored:
        from bench.train_page_type import print_report

        print_report(stored, f"\npage types, {stored['pages']} pages, out of fold ({stored['folds']}-fold CV grouped by "
                             "domain, every setting chosen inside the training folds; bench.train_page_type):")
    for profile, rows in rows_by_profile.items():
        labelled = [(pages[page].page_type, row.get("page_type")) for page, row in rows.items() if page in pages]
        accuracy = sum(a == b for a, b in labelled) / max(1, len(labelled))
        print(f"  the flow's page_type ({profile}) on these pages: {accuracy:.3f} (in-sample: the shipped model was fitted on them)")
        break
    return stored or {}


def _views_figures() -> dict:
    """The quality profile's combiner of views, its out-of-fold figures as bench.train_views measured them."""
    from newsclean.clean import ensemble

    stored = ensemble.load_cv_report()
    if not stored or stored.get("shipped") not in stored:
        return {}
    entry, base = stored[stored["shipped"]], stored["trafilatura"]
    print(f"\nthe quality profile's combiner of views, out of fold ({stored['folds']}-fold CV grouped by domain, "
          f"bench.train_views; harness: cached extractions + the steps after extraction; views {', '.join(entry['views'])}; "
          f"asked on {entry['asked']} of {entry['pages']} pages):")
    print(f"  {'F1':<30}" + "".join(f" {column[:8]:>8}" for column in COLUMNS))
    shipped = entry["oof"][entry.get("combiner", "classifier")]
    lines = {"combiner, out of fold": shipped, "trafilatura default + rules": base}
    if "fitted_on_aeb" in entry:
        lines["combiner fitted on aeb"] = entry["fitted_on_aeb"]
    for label, figures in lines.items():
        print(f"  {label:<30}" + "".join(f" {figures[column]:>8.4f}" for column in COLUMNS))
    print(f"  {'combiner - trafilatura':<30}" + "".join(f" {shipped[c] - base[c]:>+8.4f}" for c in COLUMNS))
    return entry
