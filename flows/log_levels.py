"""Log levels of a run: the CLI's --log-level / -q, and Great Expectations' chatter kept out of a run's log."""
from __future__ import annotations

import logging
import os
import sys

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Logs each temporary Data Docs folder at INFO, and sets its own level to INFO when imported: a filter stays.
GREAT_EXPECTATIONS_CHATTY_LOGGER = "great_expectations.data_context.types.base"


class _WarningsAndUp(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


_WARNINGS_AND_UP = _WarningsAndUp()


def quiet_great_expectations() -> None:
    """Great Expectations' INFO lines out of the run's log, unless Prefect's level is DEBUG."""
    logger = logging.getLogger(GREAT_EXPECTATIONS_CHATTY_LOGGER)
    if os.environ.get("PREFECT_LOGGING_LEVEL", "").upper() == "DEBUG":
        logger.removeFilter(_WARNINGS_AND_UP)
    else:
        logger.addFilter(_WARNINGS_AND_UP)  # once: a filter already there is not added twice


def apply(level: str | None) -> None:
    """The run's log messages from `level` up: through Prefect's setting, for Prefect's logging set up later in this
    process and in the processes it starts, and on Prefect's loggers if they are already set up."""
    if level is not None:
        os.environ["PREFECT_LOGGING_LEVEL"] = level
        if "prefect" in sys.modules:
            logging.getLogger("prefect").setLevel(level)
    quiet_great_expectations()
