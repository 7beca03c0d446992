"""newsclean: scraped news in, clean and validated Parquet tables out.

The library's folders are the pipeline's stages, each plain functions over plain records (`records.py`):
read/ (find documents, decode bytes, crawl containers) -> clean/ (extraction, line rules, metadata) ->
validate/ (Great Expectations) -> write/ (the warehouse: stores, lock, commit); runtime/ runs a run's shards and
passes. The Prefect layer (flow, deployments, CLI) is the separate `flows` package.
"""
import os
from importlib.metadata import PackageNotFoundError, version


# Arrow's buffers from the C library's malloc, unless the user chose a pool: pyarrow's default (mimalloc) keeps the
# pages it frees, so the write step's passes over a run's rows (each partition read from the spool, compressed) stayed
# resident; malloc hands big buffers back as they are freed. Set here, before anything imports pyarrow: Arrow's C++
# code (Parquet's readers and writers among it) takes its default pool from this variable once, at pyarrow's import,
# and pa.set_memory_pool changes only the pool of pyarrow's own calls (that alone still left staged articles in
# mimalloc: docs/benchmarks.md).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

try:
    __version__ = version("newsclean")
except PackageNotFoundError:  # a source checkout that was never installed
    __version__ = "0+unknown"
