"""Scheduled runs: the clean_articles flow as a Prefect deployment on a cron schedule (UTC)."""
from __future__ import annotations

from . import settings


def deployment(source: str, warehouse: str, cron: str = settings.DEFAULT_CRON, name: str = settings.DEPLOYMENT_NAME):
    """The deployment `newsclean serve` runs: incremental runs of SOURCE into WAREHOUSE on `cron`."""
    from .flow import clean_articles

    return clean_articles.to_deployment(
        name=name, cron=cron, parameters={"source": source, "warehouse": warehouse, "mode": "incremental"},
        description="Incremental newsclean runs: new or changed documents only.",
    )


def serve(source: str, warehouse: str, cron: str = settings.DEFAULT_CRON, name: str = settings.DEPLOYMENT_NAME) -> None:
    from prefect import serve as prefect_serve

    prefect_serve(deployment(source, warehouse, cron, name))  # blocks, running each scheduled run as it comes
