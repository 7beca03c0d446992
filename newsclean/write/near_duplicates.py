"""Near-duplicate articles: the same story on several sites, each with its own template, dateline, credit line or a
few edited sentences. MinHash signatures (rensa) of each body's word shingles, banded for LSH, kept in the warehouse
(`_near_duplicates/minhash.parquet`, committed with the run's tables), so a run compares its articles with every earlier run's
without reading their bodies again.

A body's shingles are its runs of SHINGLE_WORDS consecutive words (lower case; each Han or kana character is a word,
as in articles.word_count): a dateline or a credit line changes a handful of them, an edited sentence a few more, a
different story nearly all. Two articles are near-duplicates when they share a band of their signatures (LSH: a
candidate) and their estimated Jaccard similarity (the share of equal signature values) is at least THRESHOLD
(chosen by bench/near_duplicates.py, cross-validated). Each article joins the cluster of its earliest-rooted match;
a cluster's root is its earliest article (the first to enter the warehouse: earlier runs first, then in the order
the write takes a run's articles).

Signatures are stored as the low 16 bits of each of NUM_PERM minimum hashes (b-bit MinHash: two unrelated values
agree by chance with probability 2^-16, which leaves the similarity estimate unbiased to within that).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NUM_PERM = 128
ROWS_PER_BAND = 2  # two 16-bit values: one 32-bit key per band (64 bands: a candidate at similarity 0.35 nearly surely)
BANDS = NUM_PERM // ROWS_PER_BAND
SHINGLE_WORDS = 5
SEED = 20240501
THRESHOLD = 0.35  # chosen by bench/near_duplicates.py (cross-validated)
SCHEME = f"rensa-rminhash/{NUM_PERM}/{SEED}/words{SHINGLE_WORDS}/uint16"  # signatures of another scheme do not compare
SIGNATURE_BYTES = NUM_PERM * 2
# Bodies hashed together: numpy's per-call cost spread, while a batch's shingle arrays (several times its text) stay small
SIGNATURE_BATCH = 500

STATE_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False, metadata={"description": "The article's doc_id."}),
        pa.field("ingest_date", pa.string(), nullable=False, metadata={"description": "Its partition."}),
        pa.field("seq", pa.int64(), nullable=False, metadata={"description": "Order in which articles entered the index."}),
        pa.field("cluster", pa.string(), nullable=False,
                 metadata={"description": "doc_id of its cluster's earliest article (its own doc_id for a root)."}),
        pa.field("cluster_seq", pa.int64(), nullable=False, metadata={"description": "seq of that earliest article."}),
        pa.field("signature", pa.binary(SIGNATURE_BYTES), nullable=False,
                 metadata={"description": f"MinHash signature: {NUM_PERM} little-endian uint16 (the low bits of each)."}),
    ],
    metadata={"scheme": SCHEME},
)

# Hashing words and shingles in numpy over a whole batch of bodies at once: a Python string per shingle cost more
# than the MinHash itself. splitmix64's finaliser mixes; odd multipliers weigh a character by its place
# in its word and a word by its place in its shingle.
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_PLACE = np.random.default_rng(SEED).integers(1, 2**63, size=64, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_SEPARATOR = "\x00"  # between bodies: no word character


def _mix(values: np.ndarray) -> np.ndarray:
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX1
    values = values ^ (values >> np.uint64(27))
    values = values * _MIX2
    return values ^ (values >> np.uint64(31))


def shingle_hashes(bodies: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hashes of every body's shingles, all bodies' in one array, and the row offsets of each body's
    (len(bodies) + 1). Words as articles.word_count counts them, in lower case; a character outside the Basic
    Multilingual Plane (an emoji) is no word character here. A body of fewer than SHINGLE_WORDS words has one
    shingle, its words; a body without words none."""
    from newsclean.clean.document import _word_characters

    units = np.frombuffer(_SEPARATOR.join(bodies).lower().encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    classes = _word_characters()[units]  # 0: no word character, 1: a word's, 2: a CJK character (a word alone)
    starts = np.empty(len(units), dtype=bool)
    if len(units):
        starts[0] = classes[0] > 0
        np.logical_or(classes[1:] == 2, (classes[1:] == 1) & (classes[:-1] != 1), out=starts[1:])
    word_starts = np.flatnonzero(starts)
    with np.errstate(over="ignore"):
        # A word's hash: the sum over its characters of (character, previous character in the word) pairs, weighed
        # apart; the characters between words weigh nothing.
        weighed = units.astype(np.uint64) * _PLACE[0]
        weighed[1:] += (units[:-1] * (~starts[1:])).astype(np.uint64) * _PLACE[1]
        weighed *= (classes > 0)
        words = _mix(np.add.reduceat(weighed, word_starts)) if len(word_starts) else np.empty(0, np.uint64)
        body_of_word = np.searchsorted(np.flatnonzero(units == 0), word_starts, side="right")
        count = max(len(words) - SHINGLE_WORDS + 1, 0)
        combined = np.zeros(count, dtype=np.uint64)
        for offset in range(SHINGLE_WORDS):
            combined += words[offset:offset + count] * _PLACE[offset]
        hashes = _mix(combined)
        whole = body_of_word[:count] == body_of_word[SHINGLE_WORDS - 1:SHINGLE_WORDS - 1 + count]  # within one body
        hashes, body_of_shingle = hashes[whole], body_of_word[:count][whole]
        per_body = np.bincount(body_of_shingle, minlength=len(bodies))
        short = [body for body in np.flatnonzero(per_body == 0) if np.any(body_of_word == body)]
        if short:  # fewer words than a shingle: one shingle of them all
            extra = [_mix(np.add.reduce(words[body_of_word == body] * _PLACE[:np.count_nonzero(body_of_word == body)]).reshape(1))
                     for body in short]
            hashes = np.concatenate([hashes, *extra])
            body_of_shingle = np.concatenate([body_of_shingle, np.array(short, dtype=body_of_shingle.dtype)])
            order = np.argsort(body_of_shingle, kind="stable")
            hashes, body_of_shingle = hashes[order], body_of_shingle[order]
            per_body = np.bincount(body_of_shingle, minlength=len(bodies))
    return hashes, np.r_[0, np.cumsum(per_body)].astype(np.uint64)


def signatures(bodies: list[str]) -> np.ndarray:
    """One row of NUM_PERM uint16 per body (all zero for a body without words: it matches nothing)."""
    from rensa import RMinHash

    if not bodies:
        return np.empty((0, NUM_PERM), dtype=np.uint16)
    hashes, offsets = shingle_hashes(bodies)
    digests = RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, num_perm=NUM_PERM, seed=SEED)
    rows = np.asarray(digests.to_rows(), dtype=np.uint32).astype(np.uint16)
    rows[np.diff(offsets) == 0] = 0
    return rows


@dataclass
class Index:
    """The signatures of the articles already in the warehouse, in seq order."""

    doc_ids: list[str]
    seqs: np.ndarray  # int64
    clusters: list[str]
    cluster_seqs: np.ndarray  # int64
    signatures: np.ndarray  # (n, NUM_PERM) uint16
    ingest_dates: list[str]

    @classmethod
    def empty(cls) -> "Index":
        return cls([], np.empty(0, np.int64), [], np.empty(0, np.int64), np.empty((0, NUM_PERM), np.uint16), [])

    @classmethod
    def from_table(cls, table: pa.Table) -> "Index":
        scheme = (table.schema.metadata or {}).get(b"scheme", b"").decode()
        if table.num_rows and scheme != SCHEME:
            raise ValueError(f"the warehouse's near-duplicate index was built with {scheme or 'another scheme'!r}, not "
                             f"{SCHEME!r}: remove _near_duplicates/minhash.parquet to start a new index")
        table = table.take(pc.sort_indices(table, sort_keys=[("seq", "ascending")]))
        raw = b"".join(table["signature"].to_pylist()) if table.num_rows else b""
        return cls(table["doc_id"].to_pylist(), table["seq"].to_numpy(), table["cluster"].to_pylist(),
                   table["cluster_seq"].to_numpy(), np.frombuffer(raw, dtype="<u2").reshape(-1, NUM_PERM).copy(),
                   table["ingest_date"].to_pylist())

    def without(self, doc_ids: set[str], partitions: set[str]) -> "Index":
        """The index less the articles a run replaces (its documents, and the partitions a backfill rewrites)."""
        keep = [row for row, (doc_id, date) in enumerate(zip(self.doc_ids, self.ingest_dates))
                if doc_id not in doc_ids and date not in partitions]
        if len(keep) == len(self.doc_ids):
            return self
        return Index([self.doc_ids[row] for row in keep], self.seqs[keep], [self.clusters[row] for row in keep],
                     self.cluster_seqs[keep], self.signatures[keep], [self.ingest_dates[row] for row in keep])

    def table(self) -> pa.Table:
        raw = np.ascontiguousarray(self.signatures, dtype="<u2").tobytes()
        signature = pa.FixedSizeBinaryArray.from_buffers(pa.binary(SIGNATURE_BYTES), len(self.doc_ids),
                                                        [None, pa.py_buffer(raw)])
        return pa.table({"doc_id": self.doc_ids, "ingest_date": self.ingest_dates, "seq": self.seqs,
                         "cluster": self.clusters, "cluster_seq": self.cluster_seqs, "signature": signature},
                        schema=STATE_SCHEMA)


@dataclass(frozen=True)
class Match:
    near_duplicate_of: str | None
    similarity: float | None


def _band_keys(signatures: np.ndarray, band: int) -> np.ndarray:
    rows = np.ascontiguousarray(signatures[:, band * ROWS_PER_BAND:(band + 1) * ROWS_PER_BAND])
    return rows.view(np.dtype(f"<u{2 * ROWS_PER_BAND}")).ravel()


def _matching_pairs(signatures: np.ndarray, first_new: int, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (new row, earlier row, similarity) whose rows share a band (LSH candidates) and are similar enough, sorted
    by new row (rows from `first_new` on are new). In each band's bucket a row is compared with the bucket's first
    row and the row just before it: enough to reach the bucket's earliest cluster while the pairs stay linear in the
    rows. Candidates are scored band by band and only matches are kept, each once: memory stays linear in the matches
    however alike the articles are."""
    has_words = signatures.any(axis=1)  # an all-zero signature is a body without words: it matches nothing
    count = len(signatures)
    found_keys, found_equal = [], []  # row * count + candidate; how many signature values the two share
    for band in range(BANDS):
        keys = _band_keys(signatures, band)
        order = np.argsort(keys, kind="stable")  # rows of equal keys stay in row (seq) order
        sorted_keys = keys[order]
        same_group = np.r_[False, sorted_keys[1:] == sorted_keys[:-1]]
        starts = np.flatnonzero(~same_group)
        group_first = order[np.repeat(starts, np.diff(np.r_[starts, len(order)]))]
        positions = np.flatnonzero(same_group & (order >= first_new))
        rows = np.concatenate([order[positions], order[positions]])
        candidates = np.concatenate([group_first[positions], order[positions - 1]])
        scored = has_words[rows] & has_words[candidates]
        rows, candidates = rows[scored], candidates[scored]
        equal = np.empty(len(rows), np.int64)  # how many signature values each pair shares
        for at in range(0, len(rows), SIGNATURE_BATCH):  # in slices: the pairs' signature copies stay small
            chunk = slice(at, at + SIGNATURE_BATCH)
            equal[chunk] = np.count_nonzero(signatures[rows[chunk]] == signatures[candidates[chunk]], axis=1)
        similar = equal >= threshold * NUM_PERM
        found_keys.append(rows[similar].astype(np.int64) * count + candidates[similar])
        found_equal.append(equal[similar])
        if band % 8 == 7 or band == BANDS - 1:  # a pair found in several bands is kept once: memory linear in the matches
            merged, first = np.unique(np.concatenate(found_keys), return_index=True)  # sorted by row
            found_keys, found_equal = [merged], [np.concatenate(found_equal)[first]]
    return found_keys[0] // count, found_keys[0] % count, found_equal[0] / NUM_PERM


def assign(index: Index, new_doc_ids: list[str], new_signatures: np.ndarray, ingest_dates: list[str],
           threshold: float = THRESHOLD) -> tuple[list[Match], Index]:
    """Each new article's match (in the given order, after every article of `index`), and the index with them."""
    known = len(index.doc_ids)
    everything = np.concatenate([index.signatures, new_signatures]) if known else new_signatures
    next_seq = int(index.seqs.max()) + 1 if known else 0
    doc_ids = index.doc_ids + list(new_doc_ids)
    seqs = np.concatenate([index.seqs, np.arange(next_seq, next_seq + len(new_doc_ids), dtype=np.int64)])
    # every new article its own cluster's root until a match says otherwise
    clusters = index.clusters + list(new_doc_ids)
    cluster_seqs = np.concatenate([index.cluster_seqs, seqs[known:]])
    matches = [Match(None, None)] * len(new_doc_ids)
    rows, candidates, similarities = _matching_pairs(everything, known, threshold) if len(new_doc_ids) else ((),) * 3
    bounds = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1], True]) if len(rows) else []
    for first, end in zip(bounds[:-1], bounds[1:]):  # rows in order: a candidate (always earlier) has its cluster
        row = int(rows[first])
        options = candidates[first:end]
        best = first + int(np.lexsort((-similarities[first:end], cluster_seqs[options]))[0])  # earliest cluster, then closest
        clusters[row], cluster_seqs[row] = clusters[candidates[best]], cluster_seqs[candidates[best]]
        matches[row - known] = Match(clusters[row], round(float(similarities[best]), 4))
    updated = Index(doc_ids, seqs, clusters, cluster_seqs, everything, index.ingest_dates + list(ingest_dates))
    return matches, updated


KEY_COLUMNS = ("ingest_date", "source_uri", "doc_id")  # the order a run's articles enter the index


def match_run(batches: Iterable[pa.Table], index: Index) -> tuple[dict[str, Match], Index]:
    """A run's articles, Arrow tables of (ingest_date, source_uri, doc_id, body) in any order, matched against
    `index` (the earlier runs'), in the order of KEY_COLUMNS: doc_id -> its Match for the articles that match an
    earlier one (the others match none), and the index with them all. Bodies are hashed SIGNATURE_BATCH at a time;
    only their signatures and keys, as columns, are held."""
    keys, parts, bodies = [], [], []

    def flush() -> None:
        parts.append(signatures(bodies))
        bodies.clear()

    for batch in batches:
        keys.append(batch.select(list(KEY_COLUMNS)))  # not the bodies: those go once hashed
        for body in batch.column("body").to_pylist():
            bodies.append(body)
            if len(bodies) >= SIGNATURE_BATCH:
                flush()
    flush()
    if not keys:
        return {}, index
    run = pa.concat_tables(keys)
    del keys
    order = pc.sort_indices(run, sort_keys=[(name, "ascending") for name in KEY_COLUMNS]).to_numpy()
    ordered = np.concatenate(parts)[order]
    del parts
    doc_ids = run["doc_id"].take(order).to_pylist()
    matches, updated = assign(index, doc_ids, ordered, run["ingest_date"].take(order).to_pylist())
    return {doc_id: match for doc_id, match in zip(doc_ids, matches) if match.near_duplicate_of is not None}, updated
