import os

# Arrow's buffers from the C library's malloc, unless the user chose a pool: pyarrow's default (mimalloc) keeps the
# pages it frees, so the write step's passes over a run's rows (each partition read from the spool, compressed) stayed
# resident; malloc hands big buffers back as they are freed. Set here, before anything imports pyarrow: Arrow's C++
# code (Parquet's readers and writers among it) takes its default pool from this variable once, at pyarrow's import,
# and pa.set_memory_pool changes only the pool of pyarrow's own calls (that alone still left staged articles in
# mimalloc: docs/benchmarks.md).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
