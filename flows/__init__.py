import os

# Arrow's buffers from the C library's malloc, unless the user chose a pool: pyarrow's default (mimalloc) keeps the
# pages it frees, so the write step's passes over a run's rows (each partition read from the spool, compressed) stayed
# resident; malloc hands big buffers back as they are freed. Set here, before anything imports pyarrow: Arrow's C++
# code (Parquet's readers and writers among it) takes its default pool from this variable once, at pyarrow's import,
# and pa.set_memory_pool changes only the pool of pyarrow's own calls (that alone still left staged articles in
# mimalloc: docs/benchmarks.md).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# The public API (flows/api.py), imported on first use: `import flows` stays cheap (no Prefect, no pyarrow).
_API = frozenset({"RejectedDocument", "backfill", "clean_document", "plan", "run"})
__all__ = sorted(_API | {"__version__"})


def __getattr__(name: str):
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("newsclean")
        except PackageNotFoundError:  # a source checkout that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
