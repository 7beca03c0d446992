"""The Prefect layer over the newsclean library: the flow and its tasks (flow.py), deployments (deploy.py), the
temporary Prefect server (prefect_server.py), the `newsclean` command (cli.py) and the Python API (api.py)."""

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
