"""A source's key in a warehouse: what its doc_ids are built from (doc_id = hash of key + path below the root).

The key is the source root folder's name, as it always was, so that the same source gets the same doc_ids on every
machine and mount point. Two different roots with the same name (/x/crawl and /y/crawl) must not share doc_ids, so the
warehouse remembers which root holds which key (columns `source_root` and `source_key` of its processed-files memory,
`_state/ingested_files.parquet`), and a root is keyed:

1. as it was before, when the warehouse has processed it (same root path): stable across reruns;
2. by its folder's name when no other root of the warehouse holds that name;
3. by the key of a root of the same name that no longer exists, when exactly one such key is held only by vanished
   roots: the source was moved (or the warehouse copied to a machine that mounts it elsewhere), and its documents
   keep their doc_ids;
4. else by `NAME@` and 12 hex digits of the SHA-256 of its absolute root path: a distinct source of the same name.

An object-store root (s3://) is taken to exist whenever asked: a moved prefix gets new doc_ids. Warehouses written
before the memory had these columns hold rows without a root: which root such a row came from is read back from its
source_uri and doc_id (the old doc_id is the hash of the name and the path below the root).
"""
from __future__ import annotations

import hashlib
import os

from newsclean.records import doc_id_of
from newsclean.storage import is_object_store

KEY_HASH_DIGITS = 12


def _key_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def source_key(root: str, name: str, state: dict[str, dict]) -> str:
    """The key of the source whose root is `root` (absolute, resolved; or an s3:// prefix) and whose folder name is
    `name`, given the warehouse's processed-files memory `state` (source_uri -> row)."""
    claims: dict[str, str] = {}  # root -> key, from the rows that name their root
    for row in state.values():
        if row.get("source_root"):
            claims[row["source_root"]] = row["source_key"]
    if root in claims:
        return claims[root]
    holders = {holder: key for holder, key in claims.items() if key == name or key.startswith(name + "@")}
    for holder in _legacy_roots(state, name):
        holders.setdefault(holder, name)
    if root in holders:
        return holders[root]
    live = {key for holder, key in holders.items() if _exists(holder)}
    vanished = {key for holder, key in holders.items() if not _exists(holder)} - live
    if len(vanished) == 1:
        return vanished.pop()  # the source was moved here
    if name not in live and name not in vanished:
        return name
    return f"{name}@{_key_hash(root)[:KEY_HASH_DIGITS]}"


def _exists(root: str) -> bool:
    return is_object_store(root) or os.path.isdir(root)


def _legacy_roots(state: dict[str, dict], name: str) -> set[str]:
    """Roots named `name` that rows without a recorded root came from: a row's doc_id is the hash of `name` and the
    rest of its source_uri after ROOT/ (for a JSONL line keyed by its id that is not so; another row of its file
    usually tells)."""
    marker = f"/{name}/"
    found: set[str] = set()
    for source_uri, row in state.items():
        if row.get("source_root") or marker not in source_uri:
            continue
        start = source_uri.find(marker)
        while start >= 0:
            root = source_uri[: start + len(marker) - 1]
            if root not in found and doc_id_of(f"{name}/{source_uri[start + len(marker):]}") == row["doc_id"]:
                found.add(root)
                break
            start = source_uri.find(marker, start + 1)
    return found
