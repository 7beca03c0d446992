"""Extraction quality: run the real clean_articles flow over a benchmark directory and score the warehouse's bodies.

    python -m bench.quality                      # every set of ../shared/bench/aeb (HTML pages and the four text dirs)
    python -m bench.quality --sets trafilatura   # one set
    python -m bench.quality --source DIR --truth ground-truth.json   # your own pages: {id: {"articleBody": ...}}

A page's prediction is the body the flow wrote for it, in `articles` or `quarantine` (a quarantined body is still what
the cleaner produced); a page in `rejected`, or missing, scores as an empty prediction. Page ids are file names up to
the first dot. The metric is the benchmark's own (flows/metric.py).

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

from flows.metric import SHINGLE_SIZE, TOKEN, CorpusScore, score_corpus, score_page, shingles

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


def run_set(source: Path, truth: dict[str, str], keep_bodies: bool = False) -> dict:
    from flows.flow import clean_articles

    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as warehouse:
        started = time.perf_counter()
        clean_articles(source=str(source), warehouse=warehouse, ingest_date="2000-01-01")
        seconds = time.perf_counter() - started
        bodies = warehouse_bodies(Path(warehouse))
    score = score_corpus(score_page(bodies.get(page, ""), body) for page, body in truth.items())
    result = {"pages": len(truth), "precision": score.precision, "recall": score.recall, "f1": score.f1,
              "flow_seconds": seconds, "pages_per_second": len(truth) / seconds}
    if keep_bodies:
        result["bodies"] = bodies
    return result


def _warm_up() -> None:
    """Start Prefect's temporary server and import Great Expectations once, so each set's rate is steady-state."""
    from flows import settings
    from flows.flow import clean_articles

    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as warehouse:
        clean_articles(source=str(settings.DEFAULT_SOURCE), warehouse=warehouse, ingest_date="2000-01-01")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, default=AEB)
    parser.add_argument("--sets", nargs="*", choices=sorted(SETS), default=list(SETS))
    parser.add_argument("--source", type=Path, help="score this folder instead of the benchmark sets")
    parser.add_argument("--truth", type=Path, help="ground truth for --source")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    runs: list[tuple[str, Path, Path, float | None, float | None]] = []
    if args.source:
        runs.append((args.source.name, args.source, args.truth, None, None))
    else:
        runs += [(name, args.bench_dir / SETS[name][0], args.bench_dir / "ground-truth.json", *SETS[name][1:]) for name in args.sets]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    _warm_up()
    print(f"{'set':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6}  {'as is':>6} {'target':>6}  {'pages/s':>7}  (flow wall s)")
    results = {}
    for name, source, truth_path, as_is, target in runs:
        truth = {page: record["articleBody"] for page, record in json.loads(truth_path.read_text(encoding="utf-8")).items()}
        result = results[name] = run_set(source, truth)
        verdict = "" if target is None else ("  ok" if result["f1"] >= target else "  BELOW TARGET")
        texts = set_texts(source)
        if texts:
            ceiling, share = line_ceiling(texts, truth)
            result["line_ceiling"] = {"f1": ceiling.f1, "precision": ceiling.precision, "recall": ceiling.recall, "share": share}
            verdict += f"  (line ceiling {ceiling.f1:.4f}: P {ceiling.precision:.4f} R {ceiling.recall:.4f})"
        print(f"{name:<12} {result['pages']:>5} {result['precision']:>6.4f} {result['recall']:>6.4f} {result['f1']:>6.4f}  "
              f"{as_is or float('nan'):>6.3f} {target or float('nan'):>6.3f}  {result['pages_per_second']:>7.1f}  "
              f"({result['flow_seconds']:.1f}){verdict}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
