"""Extraction quality: run the real clean_articles flow over a benchmark directory and score the warehouse's bodies.

    python -m bench.quality                      # every set: aeb's HTML pages and four text dirs, and wcxb-dev
    python -m bench.quality --sets trafilatura   # one set
    python -m bench.quality --sets wcxb --limit 200 --profiles quality   # a quick look: 200 pages, one profile
    python -m bench.quality --source DIR --truth ground-truth.json   # your own pages: {id: {"articleBody": ...}}

HTML sets (aeb's `html`, `wcxb`) run once per HTML profile (--profiles, default both: quality and fast), each
beside bare trafilatura scored on the same pages: `trafilatura.extract(html, include_comments=False)` (its
defaults otherwise) and the same with `fast=True`, their outputs cached on disk (bench/extraction_cache.py).
`wcxb` is ../shared/bench/wcxb-dev, scored with WCXB's own metric (bag of words, page F1s averaged; bench/metric.py)
overall and per page type; with the page-type model's cross-validated accuracy (bench/train_page_type.py) and the
metadata (title, author, date) against the truth, on all its pages and on its articles, beside trafilatura's own
(out-of-fold figures: bench.metadata).

A page's prediction is the body the flow wrote for it, in `articles` or `quarantine` (a quarantined body is still what
the cleaner produced); a page in `rejected`, or missing, scores as an empty prediction. Page ids are file names up to
the first dot. The metric is the benchmark's own (bench/metric.py).

For a text set it also prints the set's line ceiling: the F1 of a cleaner that removes whole lines and is told by the
ground truth which lines are the article's. A text cleaner removes lines, so one that has not seen the truth is not
to be expected above it (trimming inside lines could pass it, by little: text lost is lost).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.metric import SHINGLE_SIZE, TOKEN, CorpusScore, score_corpus, score_page, shingles
from newsclean.settings import HTML_PROFILES

AEB = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "aeb"
# set name -> (folder under the benchmark, F1 of the input as is, target F1), from shared/bench/aeb/README.md and the issue
SETS = {
    "html": ("html", 0.958, 0.975),
    "html-text": ("text/html-text", 0.665, 0.90),
    "boilerpipe": ("text/boilerpipe", 0.860, 0.92),
    "readability": ("text/readability", 0.922, 0.94),
    "trafilatura": ("text/trafilatura", 0.958, 0.965),
}


def page_id(source_uri: str) -> str:
    return Path(source_uri).name.split(".", 1)[0]


def warehouse_bodies(warehouse: Path) -> dict[str, str]:
    import pyarrow.dataset as ds

    bodies: dict[str, str] = {}
    for table in ("articles", "quarantine"):
        path = warehouse / table
        if path.exists():
            rows = ds.dataset(path, partitioning="hive").to_table(columns=["source_uri", "body"]).to_pylist()
            bodies.update({page_id(row["source_uri"]): row["body"] for row in rows})
    return bodies


# The line ceiling keeps a line when at least this share of its tokens is covered by shingles of the truth; the best
# share is reported.
CEILING_SHARES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def line_coverage(text: str, truth: str) -> list[tuple[str, int, int]]:
    """Each line of `text` with its number of tokens and how many of them a shingle of `truth` covers. Shingles run
    across line breaks, as the metric's do, so a short line of the article (a subheading) is covered by its
    neighbours'."""
    truth_shingles = set(shingles(truth))
    lines = text.splitlines()
    tokens, line_of_token = [], []
    for number, line in enumerate(lines):
        line_tokens = TOKEN.findall(line)
        tokens += line_tokens
        line_of_token += [number] * len(line_tokens)
    covered = [False] * len(tokens)
    for start in range(len(tokens) - SHINGLE_SIZE + 1):
        if tuple(tokens[start : start + SHINGLE_SIZE]) in truth_shingles:
            covered[start : start + SHINGLE_SIZE] = [True] * SHINGLE_SIZE
    token_counts, covered_counts = Counter(line_of_token), Counter(number for number, hit in zip(line_of_token, covered) if hit)
    return [(line, token_counts[number], covered_counts[number]) for number, line in enumerate(lines)]


def kept_at(coverage: list[tuple[str, int, int]], share: float) -> str:
    """The lines at least `share` of whose tokens are covered."""
    return "\n".join(line for line, tokens, covered in coverage if tokens and covered >= share * tokens)


def told_lines(text: str, truth: str, share: float) -> str:
    """The lines of `text` at least `share` of whose tokens are covered by a shingle of `truth` (line_coverage)."""
    return kept_at(line_coverage(text, truth), share)


def line_ceiling(texts: dict[str, str], truth: dict[str, str]) -> tuple[CorpusScore, float]:
    """The best corpus score of told_lines over CEILING_SHARES, and its share (a missing text scores as empty). Each
    page's coverage is found once, whatever the share."""
    coverage = {page: line_coverage(texts.get(page, ""), body) for page, body in truth.items()}
    scored = [(score_corpus(score_page(kept_at(coverage[page], share), body) for page, body in truth.items()), share)
              for share in CEILING_SHARES]
    return max(scored, key=lambda pair: pair[0].f1)


def set_texts(source: Path) -> dict[str, str]:
    """A text set's inputs by page id, decoded as UTF-8 (an undecodable byte replaced)."""
    return {page_id(str(path)): path.read_text(encoding="utf-8", errors="replace") for path in sorted(source.glob("*.txt"))}


def flow_rows(source: Path, html_profile: str | None = None, pages: list[str] | None = None) -> tuple[dict[str, dict], float]:
    """The rows the real flow writes (articles and quarantine) for the documents in `source` (only `pages`, by id,
    where given: linked into a temporary folder), by page id, and the flow's wall time."""
    import pyarrow.dataset as ds

    from flows.flow import clean_articles

    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as work:
        if pages is not None:
            subset = Path(work) / source.name
            subset.mkdir()
            wanted = set(pages)
            for path in sorted(source.iterdir()):
                if page_id(path.name) in wanted:
                    (subset / path.name).symlink_to(path)
            source = subset
        warehouse = Path(work) / "warehouse"
        started = time.perf_counter()
        clean_articles(source=str(source), warehouse=str(warehouse), ingest_date="2000-01-01", html_profile=html_profile)
        seconds = time.perf_counter() - started
        rows: dict[str, dict] = {}
        for table in ("articles", "quarantine"):
            if (warehouse / table).exists():
                for row in ds.dataset(warehouse / table, partitioning="hive").to_table().to_pylist():
                    rows[page_id(row["source_uri"])] = row
    return rows, seconds


def run_set(source: Path, truth: dict[str, str], keep_bodies: bool = False, html_profile: str | None = None,
            subset: bool = False) -> dict:
    """The flow's score on a set (`subset`: only the pages of `truth`)."""
    rows, seconds = flow_rows(source, html_profile, sorted(truth) if subset else None)
    bodies = {page: row["body"] for page, row in rows.items()}
    score = score_corpus(score_page(bodies.get(page, ""), body) for page, body in truth.items())
    result = {"pages": len(truth), "precision": score.precision, "recall": score.recall, "f1": score.f1,
              "flow_seconds": seconds, "pages_per_second": len(truth) / seconds}
    if keep_bodies:
        result["bodies"] = bodies
    return result


def _warm_up() -> None:
    """Start Prefect's temporary server and import Great Expectations once, so each set's rate is steady-state."""
    from newsclean import settings
    from flows.flow import clean_articles

    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as warehouse:
        clean_articles(source=str(settings.DEFAULT_SOURCE), warehouse=warehouse, ingest_date="2000-01-01")


def _score_line(name: str, result: dict, as_is: float | None, target: float | None, verdict: str) -> str:
    return (f"{name:<22} {result['pages']:>5} {result['precision']:>6.4f} {result['recall']:>6.4f} {result['f1']:>6.4f}  "
            f"{as_is or float('nan'):>6.3f} {target or float('nan'):>6.3f}  {result['pages_per_second']:>7.1f}  "
            f"({result['flow_seconds']:.1f}){verdict}")


def bare_aeb(truth: dict[str, str]) -> dict[str, CorpusScore]:
    """Bare trafilatura (default, fast) on aeb's HTML pages, aeb's metric."""
    from bench import extraction_cache

    pages = sorted(truth)
    return {variant: score_corpus(score_page(output["text"], truth[page])
                                  for page, output in extraction_cache.outputs("aeb", f"bare_{variant}", pages).items())
            for variant in ("default", "fast")}


def _views_on_aeb() -> None:
    """The combiner of views fitted on wcxb-dev, scored on aeb in bench.train_views's harness (out of sample)."""
    from newsclean.clean import ensemble

    stored = ensemble.load_cv_report()
    entry = (stored or {}).get((stored or {}).get("shipped"), {})
    if "aeb_fitted_on_wcxb" in entry:
        print(f"  the quality profile's combiner, fitted on wcxb-dev, scored on these pages (bench.train_views harness): "
              f"{entry['aeb_fitted_on_wcxb']:.4f}; trafilatura default + rules in that harness {entry['aeb_trafilatura']:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, default=AEB)
    parser.add_argument("--sets", nargs="*", choices=sorted(SETS) + ["wcxb"], default=list(SETS) + ["wcxb"])
    parser.add_argument("--profiles", nargs="*", choices=HTML_PROFILES, default=list(HTML_PROFILES),
                        help="HTML profiles the HTML sets run with (default: all)")
    parser.add_argument("--limit", type=int, help="only the first N pages (by id) of each set")
    parser.add_argument("--source", type=Path, help="score this folder instead of the benchmark sets")
    parser.add_argument("--truth", type=Path, help="ground truth for --source")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    from newsclean import settings

    settings.apply_prefect_environment()  # before prefect is imported: its temporary server's start timeout

    runs: list[tuple[str, Path, Path, float | None, float | None]] = []
    if args.source:
        runs.append((args.source.name, args.source, args.truth, None, None))
    else:
        runs += [(name, args.bench_dir / SETS[name][0], args.bench_dir / "ground-truth.json", *SETS[name][1:])
                 for name in args.sets if name in SETS]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({_cpu_model()}), Python {platform.python_version()}, "
          f"trafilatura {_version('trafilatura')}")
    _warm_up()
    results: dict = {}
    if runs:
        print(f"{'set':<22} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6}  {'as is':>6} {'target':>6}  {'pages/s':>7}  (flow wall s)")
    for name, source, truth_path, as_is, target in runs:
        truth = {page: record["articleBody"] for page, record in json.loads(truth_path.read_text(encoding="utf-8")).items()}
        if args.limit:
            truth = dict(sorted(truth.items())[: args.limit])
        is_html = name == "html" or (args.source is not None and any(source.glob("*.htm*")))
        for profile in (args.profiles if is_html else [None]):
            label = f"{name} ({profile})" if profile else name
            result = results[label] = run_set(source, truth, html_profile=profile, subset=bool(args.limit))
            verdict = "" if target is None else ("  ok" if result["f1"] >= target else "  BELOW TARGET")
            texts = set_texts(source)
            if texts:
                ceiling, share = line_ceiling(texts, truth)
                result["line_ceiling"] = {"f1": ceiling.f1, "precision": ceiling.precision, "recall": ceiling.recall, "share": share}
                verdict += f"  (line ceiling {ceiling.f1:.4f}: P {ceiling.precision:.4f} R {ceiling.recall:.4f})"
            print(_score_line(label, result, as_is, target, verdict), flush=True)
        if name == "html" and not args.source:
            for variant, score in bare_aeb(truth).items():
                results[f"html (bare trafilatura, {variant})"] = {"precision": score.precision, "recall": score.recall, "f1": score.f1}
                print(f"{'  bare trafilatura, ' + variant:<22} {score.pages:>5} {score.precision:>6.4f} {score.recall:>6.4f} {score.f1:>6.4f}")
                for profile in args.profiles:
                    print(f"{'    newsclean ' + profile + ' - it':<22} {'':>5} {'':>6} {'':>6} {results[f'html ({profile})']['f1'] - score.f1:>+6.4f}")
            _views_on_aeb()
    if "wcxb" in args.sets and not args.source:
        from bench import wcxb_report

        results["wcxb"] = wcxb_report.run(args.profiles, args.limit)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    raise SystemExit(main())
