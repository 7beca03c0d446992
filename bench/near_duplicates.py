"""Near-duplicate detection (newsclean/write/near_duplicates.py) on a syndication set built from real article bodies, its
threshold chosen by cross-validation; signature throughput; the index's memory and storage.

    python -m bench.near_duplicates

The set: every ../shared/bench/aeb ground-truth body of 150 words or more is a story, published on four synthetic
sites, each with its own dateline, credit line and template residue (a tagline, a teaser line the cleaner may
miss); three of the four copies have edits (a changed number, a sentence reworded, a sentence or the last
paragraph cut). Negatives: every pair of copies of different stories, among them stories on the same topic (each
story's closest other story by shared vocabulary goes to the same sites with the same templates). Copies are
indexed in two runs (half, then the rest against the first half's index), as the flow does across runs.

Cross-validation: five folds of stories grouped by the source site of the aeb page; on four folds the threshold with
the highest recall at precision >= 0.99 (pairwise, over the clusters the index builds; ties: the higher threshold)
is chosen, and scored on the fifth. Figures are out-of-fold, pooled over the five folds.
"""
from __future__ import annotations

import json
import os
import platform
import random
import re
import sys
import tempfile
import time
import tracemalloc
from itertools import combinations
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pyarrow.parquet as pq

from newsclean.write import near_duplicates as nd

AEB = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "aeb" / "ground-truth.json"
THRESHOLDS = [round(0.20 + 0.05 * step, 2) for step in range(15)]  # 0.20 .. 0.90
FOLDS = 5
MIN_PRECISION = 0.99
SITES = [
    ("Daily Courier", "LONDON", "(Reporting by {a}; Editing by {b})", "The Daily Courier: news you can trust."),
    ("Metro Herald", "NEW YORK", "{a} contributed to this report.", "Subscribe to the Metro Herald for $1 a week."),
    ("Coastal Times", "SYDNEY", "Additional reporting by {a} and {b}.", "Coastal Times - independent since 1901."),
    ("Valley Gazette", "TORONTO", "Written by {a}. Edited by {b}.", "Got a tip? Write to the Valley Gazette newsroom."),
]
NAMES = ["Jane Doe", "Sam Roe", "Ana Silva", "Li Wei", "Omar Haddad", "Eva Novak", "Tom Berg", "Mia Rossi"]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def stories() -> list[tuple[str, str]]:
    """(group: the aeb page's site, body) of every ground-truth body of 150 words or more."""
    entries = json.loads(AEB.read_text(encoding="utf-8")).values()
    return [(urlparse(entry["url"]).netloc.removeprefix("www."), entry["articleBody"])
            for entry in entries if len(entry["articleBody"].split()) >= 150]


def _edit(body: str, rng: random.Random, edits: int) -> str:
    paragraphs = [paragraph for paragraph in body.split("\n\n") if paragraph.strip()]
    for _ in range(edits):
        index = rng.randrange(len(paragraphs))
        sentences = _SENTENCE_END.split(paragraphs[index])
        position = rng.randrange(len(sentences))
        kind = rng.choice(["number", "reword", "cut"])
        if kind == "number" and re.search(r"\d", sentences[position]):
            sentences[position] = re.sub(r"\d+", lambda match: str(int(match.group()) + 1), sentences[position], count=1)
        elif kind == "cut" and len(sentences) > 1:
            del sentences[position]
        else:
            words = sentences[position].split()
            if len(words) > 4:
                first, second = sorted(rng.sample(range(len(words)), 2))
                words[first], words[second] = words[second], words[first]
            sentences[position] = " ".join(words).rstrip(".") + ", officials said."
        paragraphs[index] = " ".join(sentences)
    return "\n\n".join(paragraphs)


def copy_on_site(body: str, site: int, rng: random.Random) -> str:
    name, city, credit, tagline = SITES[site]
    paragraphs = [paragraph for paragraph in body.split("\n\n") if paragraph.strip()]
    if site == 2 and len(paragraphs) > 3:
        paragraphs = paragraphs[:-1]  # the syndicator's cut
    text = _edit("\n\n".join(paragraphs), rng, edits=site)  # the first site's copy unedited, then 1, 2, 3 edits
    paragraphs = text.split("\n\n")
    paragraphs[0] = f"{city}, {rng.randint(1, 28)} March ({name}) - {paragraphs[0]}"
    authors = rng.sample(NAMES, 2)
    return "\n\n".join(paragraphs + [credit.format(a=authors[0], b=authors[1]), tagline, f"Read next: more from {name}"])


def syndication_set(seed: int = 1) -> tuple[list[tuple[str, int, str]], dict[int, int]]:
    """(group, story, body) of every copy, and each story's closest other story in vocabulary (its topic's)."""
    rng = random.Random(seed)
    found = stories()
    vocabularies = [set(re.findall(r"\w+", body.lower())) for _, body in found]
    copies = []
    for story, (group, body) in enumerate(found):
        for site in range(len(SITES)):
            copies.append((group, story, copy_on_site(body, site, rng)))
    closest = {story: max((other for other in range(len(found)) if other != story),
                          key=lambda other: len(vocabularies[story] & vocabularies[other]) / len(vocabularies[story] | vocabularies[other]))
               for story in range(len(found))}
    return copies, closest


def pair_counts(stories_of: list[int], roots: list[str], members: list[int]) -> tuple[int, int, int]:
    """(true positives, predicted pairs, true pairs) over the pairs of `members`."""
    true_positive = predicted = actual = 0
    for first, second in combinations(members, 2):
        same_story, same_cluster = stories_of[first] == stories_of[second], roots[first] == roots[second]
        true_positive += same_story and same_cluster
        predicted += same_cluster
        actual += same_story
    return true_positive, predicted, actual


def cross_validate(copies, signatures) -> tuple[list[float], tuple[int, int, int]]:
    groups = sorted({group for group, _, _ in copies})
    random.Random(7).shuffle(groups)
    fold_of_group = {group: position % FOLDS for position, group in enumerate(groups)}
    story_of = [story for _, story, _ in copies]
    chosen, pooled = [], [0, 0, 0]
    order_rng = random.Random(3)
    for fold in range(FOLDS):
        train = [i for i, (group, _, _) in enumerate(copies) if fold_of_group[group] != fold]
        test = [i for i, (group, _, _) in enumerate(copies) if fold_of_group[group] == fold]
        best = None
        for threshold in THRESHOLDS:
            order = train[:]
            order_rng.shuffle(order)
            tp, predicted, actual = pair_counts(story_of, clusters_subset(signatures, threshold, order), train)
            precision, recall = tp / predicted if predicted else 1.0, tp / actual
            if precision >= MIN_PRECISION and (best is None or recall >= best[0]):
                best = (recall, threshold)
        threshold = best[1] if best else THRESHOLDS[-1]
        chosen.append(threshold)
        order = test[:]
        order_rng.shuffle(order)
        counts = pair_counts(story_of, clusters_subset(signatures, threshold, order), test)
        pooled = [total + count for total, count in zip(pooled, counts)]
    return chosen, tuple(pooled)


def clusters_subset(signatures: np.ndarray, threshold: float, order: list[int]) -> dict[int, str]:
    """Each copy's cluster root, the copies indexed in `order`, in two runs (half, then the rest)."""
    half = len(order) // 2
    index = nd.Index.empty()
    roots: dict[int, str] = {}
    for run in (order[:half], order[half:]):
        matches, index = nd.assign(index, [str(position) for position in run], signatures[run], ["2026-01-01"] * len(run),
                                   threshold=threshold)
        for position, match in zip(run, matches):
            roots[position] = match.near_duplicate_of or str(position)
    return roots


def similarity_summary(copies, signatures, closest) -> tuple[float, float, float]:
    """Lowest estimated similarity between copies of one story; highest between copies of a story and of its closest
    story on the same topic; highest between any two stories' first copies."""
    by_story: dict[int, list[int]] = {}
    for position, (_, story, _) in enumerate(copies):
        by_story.setdefault(story, []).append(position)

    def similarity(first: int, second: int) -> float:
        return float(np.mean(signatures[first] == signatures[second]))

    lowest_same = min(similarity(a, b) for members in by_story.values() for a, b in combinations(members, 2))
    highest_topic = max(similarity(a, b) for story, other in closest.items() for a in by_story[story] for b in by_story[other])
    firsts = [members[0] for members in by_story.values()]
    highest_other = max(similarity(a, b) for a, b in combinations(firsts, 2))
    return lowest_same, highest_topic, highest_other


def signature_speed(bodies: list[str], rounds: int = 5) -> float:
    """Documents per second of CPU time (one process, one core): best of `rounds`."""
    nd.signatures(bodies[:10])  # the word-class table and rensa loaded
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        nd.signatures(bodies)
        best = min(best, time.process_time() - started)
    return len(bodies) / best


def index_costs(size: int = 100_000, run_size: int = 2_000) -> dict:
    """The index of `size` articles: its Parquet file's size, the memory and time to match a run of `run_size`
    new articles against it (signatures of distinct bodies are uniform random values: drawn here, not hashed)."""
    rng = np.random.default_rng(5)
    index = nd.Index([f"{n:020x}" for n in range(size)], np.arange(size, dtype=np.int64), [f"{n:020x}" for n in range(size)],
                     np.arange(size, dtype=np.int64), rng.integers(0, 2**16, size=(size, nd.NUM_PERM), dtype=np.uint16),
                     ["2026-01-01"] * size)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "minhash.parquet"
        pq.write_table(index.table(), path, compression="zstd")
        file_bytes = path.stat().st_size
        tracemalloc.start()
        started = time.perf_counter()
        loaded = nd.Index.from_table(pq.read_table(path))
        new = rng.integers(0, 2**16, size=(run_size, nd.NUM_PERM), dtype=np.uint16)
        new[: run_size // 10] = loaded.signatures[: run_size // 10]  # some of the run repeat earlier stories
        matches, updated = nd.assign(loaded, [f"new{n}" for n in range(run_size)], new, ["2026-01-02"] * run_size)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"size": size, "file_bytes": file_bytes, "peak_bytes": peak, "seconds": seconds,
            "matched": sum(match.near_duplicate_of is not None for match in matches)}


def main() -> int:
    copies, closest = syndication_set()
    bodies = [body for _, _, body in copies]
    signatures = nd.signatures(bodies)
    story_count = len({story for _, story, _ in copies})
    print(f"syndication set: {story_count} aeb stories x {len(SITES)} sites = {len(copies)} copies, "
          f"{len({group for group, _, _ in copies})} source sites (CV groups), mean {np.mean([len(b.split()) for b in bodies]):.0f} words")
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
          f"MinHash {nd.NUM_PERM} permutations, {nd.BANDS} bands x {nd.ROWS_PER_BAND} rows, word {nd.SHINGLE_WORDS}-shingles\n")
    lowest_same, highest_topic, highest_other = similarity_summary(copies, signatures, closest)
    print(f"estimated similarity: lowest between copies of one story {lowest_same:.3f}; highest between a story and "
          f"its closest same-topic story {highest_topic:.3f}; highest between any two stories {highest_other:.3f}\n")
    chosen, (tp, predicted, actual) = cross_validate(copies, signatures)
    print("| threshold (per fold, chosen on the other four) | out-of-fold precision | out-of-fold recall | pairs (true / predicted) |")
    print("|---|---|---|---|")
    print(f"| {', '.join(f'{t:.2f}' for t in chosen)} | {tp / predicted if predicted else 1:.4f} | {tp / actual:.4f} | {actual} / {predicted} |")
    story_of = [story for _, story, _ in copies]
    everything = list(range(len(copies)))
    random.Random(11).shuffle(everything)
    tp_all, predicted_all, actual_all = pair_counts(story_of, clusters_subset(signatures, nd.THRESHOLD, everything), list(range(len(copies))))
    print(f"\nat the documented threshold {nd.THRESHOLD} over the whole set: precision {tp_all / predicted_all:.4f}, "
          f"recall {tp_all / actual_all:.4f}")
    speed = signature_speed(bodies * 3)
    print(f"signatures: {speed:,.0f} documents per second of CPU time (one core), mean {np.mean([len(b) for b in bodies]):,.0f} characters a body")
    costs = index_costs()
    per_document_file = costs["file_bytes"] / costs["size"]
    per_document_memory = costs["peak_bytes"] / costs["size"]
    print(f"index of {costs['size']:,} articles: {costs['file_bytes'] / 1e6:.1f} MB on disk ({per_document_file:.0f} B an article), "
          f"peak {costs['peak_bytes'] / 1e6:.0f} MB (tracemalloc) to load it and match a run of 2,000 articles "
          f"({per_document_memory:.0f} B an indexed article), {costs['seconds']:.1f} s wall")
    print(f"1,000,000 articles (both grow linearly with the index: x10): ~{per_document_file * 1e6 / 1e6:.0f} MB on disk, "
          f"~{per_document_memory * 1e6 / 1e6:.0f} MB peak memory in the write step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
