"""Errors about a whole run, through the real CLI: one line on stderr that names the problem, exit 2, nothing written;
and no Prefect traceback above the line when the error is raised inside the flow."""
import os
import re

import pytest

from newsclean import settings
from flows.flow import clean_articles
from newsclean.write.lock import WarehouseLock
from newsclean.write.commit import partition_path

from ..conftest import SEEDS, run_cli

NUMERIC_SETTINGS = re.findall(r'_number\("(NEWSCLEAN_\w+)"', open(settings.__file__, encoding="utf-8").read())
UNTAKEN = [(name, "abc") for name in NUMERIC_SETTINGS] + [
    ("NEWSCLEAN_BATCH_SIZE", "0"), ("NEWSCLEAN_WORKERS", "2.5"), ("NEWSCLEAN_DOCUMENT_TIMEOUT", "0"),
    ("NEWSCLEAN_LOCK_WAIT_SECONDS", "nan"),
]


def test_every_numeric_setting_is_checked():
    assert len(NUMERIC_SETTINGS) >= 15 and {"NEWSCLEAN_WORKERS", "NEWSCLEAN_BATCH_SIZE"} <= set(NUMERIC_SETTINGS)


@pytest.mark.parametrize("name, value", UNTAKEN, ids=[f"{name}={value}" for name, value in UNTAKEN])
def test_a_setting_with_a_value_it_does_not_take_is_one_line_and_exit_2(tmp_path, name, value):
    run = run_cli(["run", str(SEEDS), "--warehouse", str(tmp_path / "wh")], {name: value}, tmp_path / "home")
    out, err = run.communicate(timeout=120)
    assert run.returncode == 2, err
    assert err.startswith(f"newsclean: error: {name}={value!r}: it takes a ") and err.count("\n") == 1, err
    assert not (tmp_path / "wh").exists() and not (tmp_path / "home").exists()  # before any work


def last_line_only(err: str, expected: str) -> None:
    """The run's log above is Prefect's ordinary lines; the error is the last line, said once, with no traceback."""
    lines = err.strip().splitlines()
    assert lines[-1].startswith(f"newsclean: error: {expected}"), err[-3000:]
    assert "Traceback" not in err and "ERROR" not in err, err[-3000:]
    assert err.count(lines[-1][len("newsclean: error: "):][:60]) == 1, err[-3000:]


def test_a_busy_warehouse_inside_the_flow_is_one_line(tmp_path):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    with WarehouseLock(warehouse):
        run = run_cli(["run", str(SEEDS), "--warehouse", str(warehouse)], {"NEWSCLEAN_LOCK_WAIT_SECONDS": "0.5"},
                      tmp_path / "home")
        _, err = run.communicate(timeout=300)
    assert run.returncode == 2, err[-3000:]
    last_line_only(err, f"the warehouse is being written by process {os.getpid()} on ")


@pytest.mark.usefixtures("prefect_server")
def test_a_corrupt_partition_inside_the_flow_is_one_line(tmp_path):
    warehouse = tmp_path / "wh"
    clean_articles(source=str(SEEDS), warehouse=str(warehouse), ingest_date="2024-01-09")
    corrupt = partition_path(warehouse, "articles", "2024-01-09")
    corrupt.write_bytes(b"not Parquet at all")
    run = run_cli(["run", str(SEEDS), "--warehouse", str(warehouse), "--ingest-date", "2024-01-09", "--reprocess"],
                  home=tmp_path / "home")
    _, err = run.communicate(timeout=300)
    assert run.returncode == 2, err[-3000:]
    last_line_only(err, "")
    assert str(corrupt) in err.strip().splitlines()[-1]
