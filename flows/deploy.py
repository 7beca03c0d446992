"""Scheduled runs: the clean_articles flow as a Prefect deployment on a cron schedule (UTC)."""
from __future__ import annotations

from newsclean import settings


def deployment(source: str, warehouse: str, cron: str = settings.DEFAULT_CRON, name: str = settings.DEPLOYMENT_NAME):
    """The deployment `newsclean serve` runs: incremental runs of SOURCE into WAREHOUSE on `cron`.

    Its entrypoint is the module path `flows.flow:clean_articles`, not the file `flows/flow.py`: Prefect loads a file
    path as a bare module, whose relative imports fail, in the flow-run process and in every worker process it spawns.
    Local paths are made absolute here: a scheduled run's parameters then say where it reads and writes."""
    from prefect.deployments.runner import EntrypointType

    from flows.flow import clean_articles

    return clean_articles.to_deployment(
        name=name, cron=cron,
        parameters={"source": settings.absolute_location(source), "warehouse": settings.absolute_location(warehouse),
                    "mode": "incremental"},
        description="Incremental newsclean runs: new or changed documents only.",
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve(source: str, warehouse: str, cron: str = settings.DEFAULT_CRON, name: str = settings.DEPLOYMENT_NAME) -> None:
    from prefect import serve as prefect_serve

    prefect_serve(deployment(source, warehouse, cron, name))  # blocks, running each scheduled run as it comes
