"""Dev loop for the plain-text page-noise detector: score the four text sets of ../shared/bench/aeb as they are, with
the detector alone, and on the full plain-text path (fixed line rules + detector + header/title), no Prefect.

    python -m bench.devloop_text                     # all four sets, all/even/odd halves, docs/s
    python -m bench.devloop_text --sets trafilatura --worst 10      # the pages the full path loses most on
    python -m bench.devloop_text --show ID --sets html-text         # one page: every line, kept or removed (rule)

Tune on the even half (pages in sorted-id order 0, 2, 4, ...) and read the odd half as the held-out check.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable

from newsclean.clean.page_noise import find_page_noise
from newsclean.clean.text import clean_text, finish, normalize_line, split_lines, strip_boilerplate
from bench.metric import score_corpus, score_page

AEB = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "aeb"
# text set -> (F1 as is, target F1), from shared/bench/aeb/README.md and the task
SETS = {
    "html-text": (0.665, 0.90),
    "boilerpipe": (0.860, 0.92),
    "readability": (0.922, 0.94),
    "trafilatura": (0.958, 0.965),
}


def detector_only(text: str) -> str:
    """The detector alone: the document minus the lines it flags, paragraphs joined as the pipeline does."""
    lines = [normalize_line(line) for line in split_lines(text)]
    noise = find_page_noise(lines)
    return "\n\n".join(line for index, line in enumerate(lines) if line and index not in noise)


def full_path(text: str) -> str:
    """What the pipeline does with one plain-text document (without the site pass): rules, detector, header."""
    return clean_text(text).body


def rules_only(text: str) -> str:
    return finish(strip_boilerplate(text, page_noise=False)).body


def load(set_name: str, bench: Path) -> tuple[dict[str, str], dict[str, str]]:
    truth = {page: record["articleBody"] for page, record in json.loads((bench / "ground-truth.json").read_text()).items()}
    texts = {page: (bench / "text" / set_name / f"{page}.txt").read_text(encoding="utf-8") for page in truth}
    return texts, truth


def halves(pages: list[str]) -> dict[str, list[str]]:
    ordered = sorted(pages)
    return {"all": ordered, "even": ordered[0::2], "odd": ordered[1::2]}


def run(cleaner: Callable[[str], str], texts: dict[str, str]) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    out = {page: cleaner(text) for page, text in texts.items()}
    return out, len(texts) / (time.perf_counter() - started)


def detector_rate(texts: dict[str, str], repeats: int = 3) -> tuple[float, float]:
    """find_page_noise alone on already split lines, best of a few runs (the machine is shared): docs/s and
    thousands of input lines/s."""
    documents = [[normalize_line(line) for line in split_lines(text)] for text in texts.values()]
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for lines in documents:
            find_page_noise(lines)
        best = min(best, time.perf_counter() - started)
    return len(documents) / best, sum(map(len, documents)) / best / 1000


def figures(predictions: dict[str, str], truth: dict[str, str]) -> dict[str, tuple[float, float, float]]:
    scores = {page: score_page(predictions[page], truth[page]) for page in truth}
    result = {}
    for half, pages in halves(list(truth)).items():
        corpus = score_corpus(scores[page] for page in pages)
        result[half] = (corpus.f1, corpus.precision, corpus.recall)
    return result


def show_page(text: str, page: str) -> None:
    cleaned = clean_text(text)
    removed = {record.line_no: record.kind for record in cleaned.removed_lines + cleaned.metadata_lines}
    for line_no, line in enumerate(split_lines(text), start=1):
        if line.strip():
            print(f"{line_no:5d} {removed.get(line_no, ''):>16} | {line[:140]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", type=Path, default=AEB)
    parser.add_argument("--sets", nargs="*", choices=list(SETS), default=list(SETS))
    parser.add_argument("--worst", type=int, default=0, help="list the N pages with the biggest F1 loss vs as is")
    parser.add_argument("--show", help="print one page line by line with what removed each line")
    args = parser.parse_args(argv)

    cleaners = {"as is": lambda text: text, "rules": rules_only, "detector": detector_only, "full path": full_path}
    header = "  ".join(f"{half + ' F1/P/R':<17}" for half in ("all", "even", "odd"))
    print(f"{'set':<12} {'cleaner':<10} {header} {'docs/s':>7}  (docs/s: the whole cleaner, splitting included)")
    for set_name in args.sets:
        texts, truth = load(set_name, args.bench_dir)
        if args.show:
            show_page(texts[args.show], args.show)
            continue
        as_is, target = SETS[set_name]
        predictions = {}
        for name, cleaner in cleaners.items():
            predictions[name], rate = run(cleaner, texts)
            result = figures(predictions[name], truth)
            halves_text = "  ".join("{:.3f}/{:.3f}/{:.3f}".format(*result[half]) for half in ("all", "even", "odd"))
            print(f"{set_name:<12} {name:<10} {halves_text} {rate:>7.0f}"
                  + (f"   target F1 {target:.3f}" if name == "full path" else ""), flush=True)
        docs_per_second, klines_per_second = detector_rate(texts)
        print(f"{set_name:<12} detector alone: {docs_per_second:.0f} docs/s, {klines_per_second:.0f}k lines/s "
              f"(mean {sum(len(t) for t in texts.values()) / len(texts) / 1000:.1f} kB/doc)")
        if args.worst:
            def page_f1(prediction: str, page: str) -> float:
                score = score_page(prediction, truth[page])
                p, r = score.precision or 0.0, score.recall or 0.0
                return 2 * p * r / (p + r) if p + r else 0.0

            losses = sorted(truth, key=lambda page: page_f1(predictions["full path"][page], page)
                            - page_f1(texts[page], page))
            for page in losses[: args.worst]:
                print(f"   {sorted(truth).index(page):3d} {page[:16]} as is {page_f1(texts[page], page):.3f} "
                      f"-> {page_f1(predictions['full path'][page], page):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
