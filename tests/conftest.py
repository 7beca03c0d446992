from __future__ import annotations

import os
from pathlib import Path

import pytest

from flows import settings

settings.apply_prefect_environment()

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = Path(__file__).resolve().parent / "fixtures" / "seeds-gold.jsonl"


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the whole session: each start costs 10-25 s here."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def make_source(tmp_path):
    """A source folder built from {relative path: text or bytes}."""

    def build(files: dict[str, str | bytes], name: str = "source") -> Path:
        root = tmp_path / name
        root.mkdir()
        for relpath, content in files.items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return build
