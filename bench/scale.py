"""Scale benchmark: every figure of issue 5's Targets table, measured, with its target next to it.

    python -m bench.scale                  # all figures, full sizes, median of 3 (its duration: docs/benchmarks.md)
    python -m bench.scale --quick          # small corpora, one repeat: a few minutes, for development
    python -m bench.scale --repeats 5 --only 1 2 --json figures.json

Corpora are generated into a temporary folder and removed afterwards: the 181 pages of ../shared/bench/aeb/html
repeated, and synthetic plain text built from seeds/ (each document's prose drawn from the seeds' sentences, so no two
documents are identical, while each site folder keeps its seed's boilerplate lines for site-template learning).
`newsclean run` is always a fresh process with PREFECT_HOME in the temporary folder (its SQLite database is created
and migrated by the first, "cold" run; later runs find it warm), so the user's Prefect state is left alone.
Memory is the resident set (VmRSS from /proc, Linux) summed over the run's whole process tree (the CLI process, the
Prefect server it starts, the shard worker processes), sampled every 0.1 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from .quality import AEB

ROOT = Path(__file__).resolve().parent.parent
AEB_HTML = AEB / "html"
BENCH_DATE = "2026-01-01"  # the ingest_date partition every benchmark run writes
SEEDS = ROOT / "seeds"
NEWSCLEAN = [sys.executable, "-m", "flows"]
GIB = 1024 ** 3

SCALING_COPIES = 3  # figure 2's corpus: the aeb pages three times
# figure number -> (what, target as text, test of a measured value)
TARGETS = {
    1: ("HTML, 1 worker: pipeline pages/s / bare trafilatura.extract pages/s", ">= 0.85", lambda v: v >= 0.85),
    2: ("HTML, 2 workers / 1 worker (supervised shard execution)", ">= 1.7", lambda v: v >= 1.7),
    3: ("text path per core, end to end (read, clean, validate, write), docs/s", ">= 2000", lambda v: v >= 2000),
    4: ("peak RSS of a 100k-document run, GiB (process tree)", "<= 1.0", lambda v: v <= 1.0),
    "4b": ("peak RSS growth, 100k vs 10k documents", "<= +20%", lambda v: v <= 0.20),
    5: ("`newsclean run` on the seeds, warm, wall s", "<= 10", lambda v: v <= 10),
    6: ("`newsclean run` over 181x10 HTML pages: bare trafilatura wall / run wall", ">= 1.3", lambda v: v >= 1.3),
    7: ("`newsclean run` over 20,000 text files, wall s", "<= 20", lambda v: v <= 20),
}


# ---------------------------------------------------------------- the machine and the measuring tools

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kib / 1024 ** 2, 1),
            "python": platform.python_version(), "load_average": os.getloadavg()}


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def median_of(repeats: int, measure) -> tuple[float, list[float]]:
    values = [measure() for _ in range(repeats)]
    return statistics.median(values), values


def alternated(repeats: int, measure_base, measure_ours) -> tuple[float, float, list[float], list[float]]:
    """The two measured in turn (base, ours, base, ours, ...), so that both sides of a ratio see the host as it is at
    that minute (its speed drifts by 15-25 % here): each one's median and runs."""
    base_runs, our_runs = [], []
    for _ in range(repeats):
        base_runs.append(measure_base())
        our_runs.append(measure_ours())
    return statistics.median(base_runs), statistics.median(our_runs), base_runs, our_runs


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the command name may hold spaces and parentheses
        children.setdefault(parent, []).append(int(entry))
    return children


def tree_rss_bytes(root_pid: int) -> int:
    """VmRSS of root_pid and all its descendants (shared pages count once per process, as `ps` shows them)."""
    children, total, todo = _children(), 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class PeakTreeRss:
    """Samples the process tree under a pid every `interval` seconds in a thread; `.peak` is the largest sum seen."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


# ---------------------------------------------------------------- corpora

def html_corpus(folder: Path, copies: int) -> Path:
    """The aeb pages `copies` times, each copy in its own folder (distinct paths, doc ids and incremental memory)."""
    for copy in range(copies):
        target = folder / f"copy{copy:02d}"
        target.mkdir(parents=True)
        for page in sorted(AEB_HTML.iterdir()):
            os.link(page, target / page.name) if copy else shutil.copy(page, target / page.name)
    return folder


def html_pages(corpus: Path) -> list[str]:
    """The decoded HTML of every page, as trafilatura is given it when used bare."""
    return [gzip.decompress(path.read_bytes()).decode("utf-8", "replace") if path.suffix == ".gz" else path.read_text("utf-8", "replace")
            for path in sorted(corpus.rglob("*.htm*"))]


_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")


def text_corpus(folder: Path, documents: int, sites: int = 10, seed: int = 5) -> Path:
    """Seed-sized plain-text documents: document i keeps the lines of seed i % 5 that are not prose (headlines,
    datelines, share prompts, comment widgets: what a site repeats), and each prose line is replaced by as many
    sentences drawn from all seeds' prose; about 1 in 50 is an exact copy of an earlier document (a re-crawl), so
    duplicate marking has something to find. Site folders group the documents of one seed's site."""
    seeds = [path.read_text(encoding="utf-8").splitlines() for path in sorted(SEEDS.glob("*.txt"))]
    sentences = [s for lines in seeds for line in lines if len(line.split()) >= 20 for s in _SENTENCE_END.split(line.strip())]
    rng = random.Random(seed)
    written: list[Path] = []
    for index in range(documents):
        site = index % sites
        path = folder / f"site{site:02d}" / f"{index:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        if written and rng.random() < 0.02:
            shutil.copyfile(rng.choice(written), path)
        else:
            lines = [" ".join(rng.sample(sentences, max(1, len(_SENTENCE_END.split(line.strip())))))
                     if len(line.split()) >= 20 else line for line in seeds[site % len(seeds)]]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return folder


# ---------------------------------------------------------------- what is timed

def bench_context():
    """The run context the timed steps work under, as the flow builds one for a run."""
    from newsclean.records import RunContext

    return RunContext(run_id="bench", processed_at=dt.datetime.now(dt.timezone.utc), ingest_date=BENCH_DATE)


def prefect_server_start_seconds(env: dict) -> float:
    """Prefect's temporary local server as a CLI run starts it (the same class and settings), in a fresh process:
    from start() to healthy. Import time is not included."""
    code = ("import time\nfrom newsclean import settings\nsettings.apply_prefect_environment()\n"
            "from prefect.server.api.server import SubprocessASGIServer\n"
            "server = SubprocessASGIServer()\nstarted = time.perf_counter()\nserver.start()\n"
            "print(time.perf_counter() - started)\nserver.stop()\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"Prefect server start failed:\n{result.stderr[-3000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def newsclean_run(source: Path, warehouse: Path, env: dict, *, workers: int | None = None, rss: bool = False) -> dict:
    """`newsclean run SOURCE --warehouse WAREHOUSE` as a user types it: wall time from process start to exit, and the
    CPU time of the processes it reaped (the CLI and its workers; steadier than wall time on a shared host)."""
    command = NEWSCLEAN + ["run", str(source), "--warehouse", str(warehouse), "--ingest-date", BENCH_DATE]
    if workers is not None:
        command += ["--workers", str(workers)]
    log = warehouse.parent / f"{warehouse.name}.log"
    with open(log, "w") as output:
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        sampler = PeakTreeRss(process.pid) if rss else None
        code = process.wait(timeout=3600)
        seconds = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = sampler.stop() if sampler else None
    if code != 0:
        raise RuntimeError(f"newsclean run failed ({code}), log {log}:\n{log.read_text()[-3000:]}")
    summary = next((line for line in log.read_text().splitlines() if line.startswith("run ")), "")
    cpu_seconds = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss": peak, "summary": summary}


def bare_trafilatura_seconds(pages: list[str]) -> float:
    import trafilatura

    started = time.perf_counter()
    for html in pages:
        trafilatura.extract(html)
    return time.perf_counter() - started


def pipeline_seconds(corpus: Path, precision_pass: bool | None = None) -> float:
    """The shard function's per-document work (read, decode, trafilatura, line rules, metadata), in this process;
    `precision_pass` on is NEWSCLEAN_HTML_PRECISION=1 (a second extraction per page), None the settings' default."""
    from newsclean import settings
    from newsclean.runtime.passes import process_batch
    from newsclean.read.discover import discover

    sources = discover(corpus)
    context = bench_context()
    default = settings.HTML_PRECISION_PASS
    settings.HTML_PRECISION_PASS = default if precision_pass is None else precision_pass
    started = time.perf_counter()
    try:
        output = process_batch(sources, context)
    finally:
        settings.HTML_PRECISION_PASS = default
    seconds = time.perf_counter() - started
    assert len(output.pending) + len(output.rejected) == len(sources)
    return seconds


def supervised_shards_seconds(corpus: Path, workers: int) -> float:
    """The flow's shard execution without Prefect's task bookkeeping: shards sized as the flow sizes them, `workers`
    at a time, each in its supervised spawn worker process (newsclean/runtime/workers.py); process start included."""
    from newsclean.runtime import execution
    from newsclean.runtime.plan import split_batches
    from newsclean.read.discover import discover
    from newsclean.runtime.workers import run_supervised

    sources = discover(corpus)
    context = bench_context()
    shards = split_batches(sources, execution.shard_size(len(sources), workers))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outputs = list(pool.map(lambda shard: run_supervised(shard, context), shards))
    seconds = time.perf_counter() - started
    assert sum(len(o.pending) + len(o.rejected) for o in outputs) == len(sources)
    return seconds


def text_end_to_end(corpus: Path, warehouse: Path) -> dict[str, float]:
    """The text path's steps as the flow runs them, in this one process (no Prefect, no worker processes): discover,
    read + clean (the shard's output spooled), site templates, finish + validate a shard at a time (Great
    Expectations already imported: its import is a once-per-run cost, counted in figure 7), write. Seconds per
    step."""
    from newsclean.records import STATE_TABLE
    from newsclean.runtime.passes import RunTotals, finish_and_validate_spooled, learn_site_templates, process_batch, spool_shard
    from newsclean.runtime.plan import plan_run
    from newsclean.read.discover import discover
    from newsclean.runtime.spool import RunSpool
    from newsclean.validate.checks import Validator
    from newsclean.write.commit import ensure_writable, read_site_templates, read_state, write_run

    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = now - clock
        clock = now

    context = bench_context()
    ensure_writable(str(warehouse))
    sources = discover(corpus)
    plan = plan_run(sources, read_state(warehouse), context, "incremental")
    lap("discover")
    with RunSpool() as spool, tempfile.TemporaryDirectory() as docs:
        totals = RunTotals()
        spool_shard(spool, 0, plan.todo, process_batch(plan.todo, context), totals, context)
        lap("read+clean")
        memory = learn_site_templates(spool.line_summaries(1), read_site_templates(warehouse), context)
        lap("site templates")
        validator = Validator(today=context.processed_at.date(), docs_dir=Path(docs))
        finish_and_validate_spooled(spool, 1, memory, context, validator, totals)
        lap("finish+validate")
        write_run(warehouse, spool, totals.processed_doc_ids, "bench", run_partition=BENCH_DATE, site_memory=memory,
                  state_rows=spool.table(STATE_TABLE))
        lap("write")
        counts = spool.row_counts
        assert counts["articles"] + counts["quarantine"] + counts["rejected"] == len(sources)
    return steps


# ---------------------------------------------------------------- the benchmark

class Report:
    def __init__(self, quick: bool = False):
        self.figures: dict[str, dict] = {}
        self.marker = " [quick: smaller corpus, see method]" if quick else ""  # a quick figure is not the target's

    def figure(self, key, value: float, method: str, fmt: str = "{:.2f}", **extra) -> None:
        what, target, meets = TARGETS[key]
        self.figures[str(key)] = {"what": what, "value": value, "target": target, "met": bool(meets(value)),
                                  "method": method, "load_average": load_average(), **extra}
        print(f"[{key}] {what}{self.marker}: {fmt.format(value)}  (target {target}: {'met' if meets(value) else 'NOT MET'})"
              f"  load {load_average()}\n      {method}", flush=True)

    def note(self, text: str) -> None:
        print(f"      {text}", flush=True)

    def table(self) -> str:
        lines = ["| # | figure | measured | target | met |", "|---|---|---|---|---|"]
        for key, figure in self.figures.items():
            value = figure["value"]
            shown = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
            lines.append(f"| {key} | {figure['what']}{self.marker} | {shown} | {figure['target']} | {'yes' if figure['met'] else 'no'} |")
        return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small corpora (x1 HTML, 2k/1k/5k text), one repeat")
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure, the median is reported (default 3, quick 1)")
    parser.add_argument("--only", nargs="*", default=None, help="figures to measure, e.g. 1 2 5")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (corpora, warehouses, logs)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    only = set(args.only or ["1", "2", "3", "4", "5", "6", "7"])
    sizes = ({"html_copies": 1, "text_docs": 2_000, "small": 1_000, "large": 5_000} if args.quick
             else {"html_copies": 10, "text_docs": 20_000, "small": 10_000, "large": 100_000})

    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM, Python {info['python']}, "
          f"load average at start {'/'.join(f'{v:.2f}' for v in info['load_average'])} (1/5/15 min)")
    print(f"mode: {'quick' if args.quick else 'full'}, median of {repeats} run(s) per figure; sizes {sizes}", flush=True)
    report = Report(quick=args.quick)
    work = Path(tempfile.mkdtemp(prefix="newsclean-scale-"))
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)  # the CLI's own temporary server, as a user without a Prefect server has
    started = time.perf_counter()
    try:
        if only & {"4", "6", "7"} and "5" not in only:
            # The first run creates and migrates Prefect's database (can take minutes on a busy machine): not timed.
            newsclean_run(SEEDS, work / "warm-up", env)
        if "5" in only:
            cold = prefect_server_start_seconds(env)
            warm, runs = median_of(repeats, lambda: prefect_server_start_seconds(env))
            report.note(f"Prefect local server start (SubprocessASGIServer.start() to healthy, fresh process): "
                        f"first {cold:.1f} s (creates and migrates its database), then median {warm:.1f} s {[round(r, 1) for r in runs]}")
            first = newsclean_run(SEEDS, work / "seeds-cold", env)
            counter = iter(range(1000))
            seconds, runs = median_of(repeats, lambda: newsclean_run(SEEDS, work / f"seeds-warm{next(counter)}", env)["seconds"])
            report.figure(5, seconds, f"`newsclean run seeds/` into a new warehouse, process start to exit; median of "
                          f"{repeats} {[round(r, 1) for r in runs]} after a first run of {first['seconds']:.1f} s", "{:.1f}")

        html = html_corpus(work / "html", sizes["html_copies"]) if only & {"1", "2", "6"} else None
        one_copy = html / "copy00" if html else None
        if "1" in only or "6" in only:
            pages = html_pages(one_copy)
            import trafilatura  # noqa: F401  (imported before timing: both sides are timed warm)

            bare_pass = partial(bare_trafilatura_seconds, pages)
        if "1" in only:
            bare, pipeline, bare_runs, runs = alternated(repeats, bare_pass, lambda: pipeline_seconds(one_copy))
            report.figure(1, bare / pipeline, f"process_batch over the same {len(pages)} page files in one process "
                          f"(read, gunzip, decode, extraction, line rules, metadata): median {pipeline:.1f} s = "
                          f"{len(pages) / pipeline:.1f} pages/s {[round(r, 1) for r in runs]}; bare trafilatura.extract "
                          f"over the same pages decoded in memory, measured in turn with it: median {bare:.1f} s = "
                          f"{len(pages) / bare:.1f} pages/s {[round(r, 1) for r in bare_runs]}")
            two_pass, runs = median_of(repeats, lambda: pipeline_seconds(one_copy, precision_pass=True))
            report.note(f"with NEWSCLEAN_HTML_PRECISION=1 (a second, precision extraction a page: see Extraction quality): "
                        f"median {two_pass:.1f} s = {len(pages) / two_pass:.1f} pages/s {[round(r, 1) for r in runs]}, "
                        f"ratio {bare / two_pass:.2f}")
        if "2" in only:
            # Three copies (543 pages): each worker's start (imports and trafilatura's warm-up) is paid once whatever
            # the number of workers; on the 181 pages alone it is a large share of one worker's time, and the ratio
            # measured the start as much as the scaling. A real run's workers start once for its shards.
            corpus = html if args.quick else html_corpus(work / "html-scaling", SCALING_COPIES)
            corpus_pages = len(html_pages(corpus))
            one, two, runs_one, runs_two = alternated(repeats, partial(supervised_shards_seconds, corpus, 1),
                                                      partial(supervised_shards_seconds, corpus, 2))
            report.figure(2, one / two, f"{corpus_pages} pages in shards on supervised worker processes, as the flow sizes "
                          f"them, 1 and 2 workers in turn: 1 worker median {one:.1f} s {[round(r, 1) for r in runs_one]}, "
                          f"2 workers median {two:.1f} s {[round(r, 1) for r in runs_two]} (worker start included)")
        if "6" in only:
            counter = iter(range(1000))
            bare, seconds, bare_runs, runs = alternated(
                repeats, bare_pass, lambda: newsclean_run(html, work / f"html-run{next(counter)}", env)["seconds"])
            pages_total = len(pages) * sizes["html_copies"]
            bare_total = bare * sizes["html_copies"]  # the same pages, repeated: the same work each time
            report.figure(6, bare_total / seconds, f"`newsclean run` over {pages_total} pages, process start to exit: median "
                          f"{seconds:.1f} s {[round(r, 1) for r in runs]}; bare trafilatura over the same pages, measured "
                          f"just before each run = {sizes['html_copies']} x {bare:.1f} s {[round(r, 1) for r in bare_runs]} = "
                          f"{bare_total:.1f} s")
            two_pass = newsclean_run(html, work / "html-run-two-pass", {**env, "NEWSCLEAN_HTML_PRECISION": "1"})["seconds"]
            report.note(f"with NEWSCLEAN_HTML_PRECISION=1 (one run): {two_pass:.1f} s, ratio {bare_total / two_pass:.2f}")

        if "3" in only:
            from newsclean.runtime import collector
            from newsclean.validate.checks import import_great_expectations

            import_great_expectations()  # its import is once per run, not per document: not timed here
            collector.freeze_imported()  # as the CLI does after its imports

            text = text_corpus(work / "text-per-core", sizes["small"])
            counter = iter(range(1000))
            step_runs = []
            for _ in range(repeats):
                gc.collect()  # each repeat starts as a run would, without the previous one's garbage to collect
                step_runs.append(text_end_to_end(text, work / f"text-e2e{next(counter)}"))
            totals = [sum(steps.values()) for steps in step_runs]
            middle = step_runs[totals.index(statistics.median_low(totals))]
            total = statistics.median(totals)
            report.figure(3, sizes["small"] / total, f"{sizes['small']} synthetic seed-sized documents through the "
                          f"flow's steps in one process, median {total:.1f} s {[round(t, 1) for t in totals]}; steps (s): "
                          + ", ".join(f"{name} {seconds:.2f}" for name, seconds in middle.items()), "{:,.0f}")
        if "7" in only:
            text = text_corpus(work / "text", sizes["text_docs"])
            counter = iter(range(1000))
            seconds, runs = median_of(repeats, lambda: newsclean_run(text, work / f"text-run{next(counter)}", env)["seconds"])
            report.figure(7, seconds, f"`newsclean run` over {sizes['text_docs']} text files into a new warehouse, process "
                          f"start to exit, all cores: median {seconds:.1f} s {[round(r, 1) for r in runs]}", "{:.1f}")

        if "4" in only:
            peaks = {}
            for documents in (sizes["small"], sizes["large"]):
                corpus = text_corpus(work / f"memory{documents}", documents)
                run = newsclean_run(corpus, work / f"memory{documents}-run", env, rss=True)
                peaks[documents] = run
                report.note(f"{documents} documents: peak RSS {run['peak_rss'] / GIB:.2f} GiB, wall {run['seconds']:.1f} s")
                shutil.rmtree(corpus)
            small, large = peaks[sizes["small"]]["peak_rss"], peaks[sizes["large"]]["peak_rss"]
            method = (f"`newsclean run` over {sizes['large']} text documents (one run, not a median); VmRSS summed over "
                      f"the process tree every 0.1 s (/proc); {sizes['small']} documents: {small / GIB:.2f} GiB")
            report.figure(4, large / GIB, method)
            report.figure("4b", large / small - 1, f"peak RSS {sizes['large']} vs {sizes['small']} documents", "{:+.0%}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nbenchmark wall {time.perf_counter() - started:.0f} s, load average at the end {load_average()}\n")
    print(report.table())
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "mode": "quick" if args.quick else "full", "repeats": repeats,
                                         "figures": report.figures}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
