"""Where a run's shards execute, and how big they are.

On one machine, `workers` shards run at once (a thread pool), each in its own supervised worker process
(newsclean/runtime/workers.py): the thread only watches its process, so the GIL holds nothing back and all cores clean.
With a Dask scheduler address, the same shard tasks go to that cluster through prefect-dask; discovery, site
templates, validation and the write stay in the flow's process. A Dask worker runs each shard in a supervised child
process too, which multiprocessing allows only if the worker process is not daemonic (see README: "All cores, or a Dask cluster").
"""
from __future__ import annotations

import math

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from newsclean import settings


def shard_size(documents: int, workers: int) -> int:
    """Documents per shard: SHARDS_PER_WORKER shards per worker on a big run, within [MIN_SHARD_DOCUMENTS, BATCH_SIZE],
    evened out so that the last shard is no small remainder (120 documents at 50 at least: 2 x 60, not 50 + 50 + 20),
    and as many shards as fill every worker in each round: 181 pages on 2 workers are 2 x 91, not 3 x 61 (whose
    third shard would run alone while the other worker idles)."""
    if documents <= 0:
        return 1
    workers = max(1, workers)
    wanted = math.ceil(documents / (workers * settings.SHARDS_PER_WORKER))
    size = min(max(wanted, settings.MIN_SHARD_DOCUMENTS), settings.BATCH_SIZE)
    fewest = math.ceil(documents / settings.BATCH_SIZE)
    shards = max(documents // size, fewest, 1)
    if shards > workers and shards % workers:
        rounded_down = shards - shards % workers
        shards = rounded_down if rounded_down >= fewest else rounded_down + workers
    return math.ceil(documents / shards)


def task_runner(workers: int, dask_address: str | None) -> TaskRunner:
    """The runner for the shard tasks: `workers` at once here, or the Dask cluster at `dask_address`."""
    if dask_address:
        from prefect_dask import DaskTaskRunner  # imports dask.distributed (slow): only when a cluster is asked for

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=max(1, workers))


def cluster_threads(runner: TaskRunner) -> int:
    """Shards a Dask cluster runs at once: its workers' threads (`dask worker --nthreads`)."""
    return max(1, sum(runner.client.nthreads().values()))
