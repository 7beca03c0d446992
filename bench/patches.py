"""What each third-party patch (newsclean/patches.py) buys a whole run: `newsclean run` as a user types it, with all
patches, with none, and with all but one, measured in turn (so every configuration sees the host as it is that
minute), median of --repeats. A patch stays only where it buys a whole run 5 % or more.

    python -m bench.patches [--repeats 3] [--copies 10]

HTML: the aeb pages --copies times (bench.scale's figure-6 corpus, 1,810 pages at 10 copies), a fresh warehouse per
run. Great Expectations' deferred imports pay at start-up, so they are measured on the seeds run as well.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from newsclean import patches

from .scale import SEEDS, html_corpus, load_average, machine, newsclean_run

PATCH_NAMES = [patch.name for patch in (*patches.TRAFILATURA, patches.GREAT_EXPECTATIONS_IMPORTS)]
KEEP_GAIN = 0.05


def configurations() -> dict[str, str]:
    """Label -> NEWSCLEAN_PATCHES value."""
    return {"all": "all", "none": "none",
            **{f"all but {name}": ",".join(other for other in PATCH_NAMES if other != name) for name in PATCH_NAMES}}


def measure(source: Path, work: Path, repeats: int) -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {label: [] for label in configurations()}
    for repeat in range(repeats):
        for label, value in configurations().items():
            env = {**os.environ, "NEWSCLEAN_PATCHES": value}
            warehouse = work / f"wh-{label.replace(' ', '-')}-{repeat}"
            runs[label].append(newsclean_run(source, warehouse, env)["seconds"])
    return runs


def report(title: str, runs: dict[str, list[float]]) -> str:
    medians = {label: statistics.median(values) for label, values in runs.items()}
    lines = [f"### {title}", "", "| configuration | median s | runs | gain of the one left out |", "|---|---|---|---|"]
    for label, median in medians.items():
        gain = ""
        if label.startswith("all but "):
            gain = f"{median / medians['all'] - 1:+.1%}"
        elif label == "none":
            gain = f"all patches: {median / medians['all'] - 1:+.1%}"
        lines.append(f"| {label} | {median:.2f} | {', '.join(f'{value:.2f}' for value in runs[label])} | {gain} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args(argv)
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB, Python {info['python']}; "
          f"load average {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-patches-") as folder:
        work = Path(folder)
        corpus = html_corpus(work / "html", args.copies)
        print(report(f"HTML, {args.copies} copies of the aeb pages", measure(corpus, work, args.repeats)), flush=True)
        print()
        print(report("seeds", measure(SEEDS, work, args.repeats)), flush=True)
    print(f"\nload average after: {load_average()}; a patch is kept where leaving it out costs a run {KEEP_GAIN:.0%} or more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
