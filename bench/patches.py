"""What each third-party patch (newsclean/patches.py) buys a whole run: `newsclean run` as a user types it, with all
patches, with none, and with all but one, measured in turn (so every configuration sees the host as it is that
minute), median of --repeats. A patch stays only where it buys a whole run 5 % or more, judged on the run's CPU time
(the CLI and its workers): on a shared host wall time varies far more than that between identical runs.

    python -m bench.patches [--repeats 3] [--copies 10]
    python -m bench.patches --instructions 40   # the HTML extraction's instruction count (cachegrind), each patch alone

The instruction count does not move with the host's load: `process_batch` over the first N aeb pages, in a process
per configuration under valgrind's cachegrind, less a process that only warms up (imports and one page).

HTML: the aeb pages --copies times (bench.scale's figure-6 corpus, 1,810 pages at 10 copies), a fresh warehouse per
run. Great Expectations' deferred imports pay at start-up, so they are measured on the seeds run as well.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from newsclean import patches

from .scale import ROOT, SEEDS, html_corpus, load_average, machine, newsclean_run

PATCH_NAMES = [patch.name for patch in (*patches.TRAFILATURA, patches.GREAT_EXPECTATIONS_IMPORTS)]
KEEP_GAIN = 0.05


def configurations() -> dict[str, str]:
    """Label -> NEWSCLEAN_PATCHES value."""
    return {"all": "all", "none": "none",
            **{f"all but {name}": ",".join(other for other in PATCH_NAMES if other != name) for name in PATCH_NAMES}}


def measure(source: Path, work: Path, repeats: int) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {label: [] for label in configurations()}
    for repeat in range(repeats):
        for label, value in configurations().items():
            env = {**os.environ, "NEWSCLEAN_PATCHES": value}
            warehouse = work / f"wh-{label.replace(' ', '-')}-{repeat}"
            runs[label].append(newsclean_run(source, warehouse, env))
    return runs


def report(title: str, runs: dict[str, list[dict]]) -> str:
    cpu = {label: statistics.median(run["cpu_seconds"] for run in values) for label, values in runs.items()}
    wall = {label: statistics.median(run["seconds"] for run in values) for label, values in runs.items()}
    lines = [f"### {title}", "", "| configuration | median CPU s | CPU s of each run | median wall s | what the one left out buys (CPU) |",
             "|---|---|---|---|---|"]
    for label in runs:
        gain = ""
        if label.startswith("all but "):
            gain = f"{cpu[label] / cpu['all'] - 1:+.1%}"
        elif label == "none":
            gain = f"all patches: {cpu[label] / cpu['all'] - 1:+.1%}"
        each = ", ".join(f"{run['cpu_seconds']:.1f}" for run in runs[label])
        lines.append(f"| {label} | {cpu[label]:.2f} | {each} | {wall[label]:.2f} | {gain} |")
    return "\n".join(lines)


# One configuration's HTML extraction: warm up on one page (imports, first parse), then the first `pages` aeb pages.
_EXTRACTION = """
import sys
from newsclean import settings
settings.PATCHES = sys.argv[1]
from newsclean.runtime.passes import process_batch
from newsclean.read.discover import discover
from bench.scale import AEB_HTML, bench_context
sources = discover(AEB_HTML)
process_batch(sources[:1], bench_context())
if int(sys.argv[2]):
    process_batch(sources[:int(sys.argv[2])], bench_context())
"""


def instructions(patches_value: str, pages: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-c", _EXTRACTION, patches_value, str(pages)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    return int(re.search(r"I\s+refs:\s+([\d,]+)", finished.stderr).group(1).replace(",", ""))


def instruction_report(pages: int) -> str:
    warm_up = instructions("none", 0)
    counts = {label: instructions(value, pages) - warm_up
              for label, value in {"none": "none", "all": "all", **{f"{name} alone": name for name in PATCH_NAMES[:-1]}}.items()}
    lines = [f"### HTML extraction of {pages} aeb pages (process_batch), instructions after the warm-up", "",
             "| configuration | instructions | vs none |", "|---|---|---|"]
    lines += [f"| {label} | {count / 1e9:.2f} G | {count / counts['none'] - 1:+.1%} |" for label, count in counts.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--instructions", type=int, metavar="PAGES",
                        help="count the HTML extraction's instructions over PAGES aeb pages instead (needs valgrind)")
    args = parser.parse_args(argv)
    if args.instructions:
        if shutil.which("valgrind") is None:
            print("--instructions needs valgrind on PATH", file=sys.stderr)
            return 2
        print(instruction_report(args.instructions))
        return 0
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
