"""The page-type model: loading it (once, with clear errors), and a hand-made page of each of the seven types through
the real flow (Prefect test harness, Great Expectations, Parquet read back), its type stored with the row."""
import json
from pathlib import Path

import numpy as np
import pyarrow.dataset as ds
import pytest

from newsclean.clean import page_type as pt

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "page_types"


def test_the_shipped_model_loads_once_and_knows_the_seven_types():
    pt.load_model.cache_clear()
    model = pt.load_model()
    assert pt.load_model() is model  # read once per process
    assert sorted(model.classes) == sorted(pt.PAGE_TYPES)
    assert pt.MODEL_PATH.stat().st_size < 5_000_000
    report = pt.load_cv_report()
    assert report["folds"] >= 2 and 0 < report["accuracy"] <= 1  # the figures bench.quality prints come with it


def test_a_missing_model_file_is_an_error_that_names_the_command(tmp_path):
    with pytest.raises(RuntimeError, match="bench.train_page_type"):
        pt.load_model.__wrapped__(tmp_path / "absent.npz")


def test_a_model_made_for_other_features_is_refused(tmp_path):
    path = tmp_path / "old.npz"
    classes = pt.PAGE_TYPES
    np.savez(path, classes=np.array(classes), weights=np.zeros((10, len(classes)), dtype=np.float32),
             bias=np.zeros(len(classes), dtype=np.float32), hash_slots=np.array(pt.HASH_SLOTS),
             features_version=np.array(pt.FEATURES_VERSION))
    with pytest.raises(RuntimeError, match="retrain"):
        pt.load_model.__wrapped__(path)


def test_classification_is_a_type_and_a_probability():
    kind = pt.classify_page((PAGES / "article.html").read_text(encoding="utf-8"))
    assert kind.name in pt.PAGE_TYPES and 0 < kind.confidence <= 1
    empty = pt.classify_page("")
    assert empty.name in pt.PAGE_TYPES and 0 < empty.confidence <= 1  # no markup at all: still an answer, not an error


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("profile", ["quality", "fast"])
def test_a_page_of_each_type_gets_its_type_through_the_flow(tmp_path, profile):
    from flows.flow import clean_articles

    source = tmp_path / "landing"
    source.mkdir()
    for page in PAGES.glob("*.html"):
        (source / page.name).write_bytes(page.read_bytes())
    (source / "note.txt").write_text("The harbour plan was approved on Tuesday by the town council after a long debate.\n")
    warehouse = tmp_path / "warehouse"
    summary = clean_articles(source=str(source), warehouse=str(warehouse), ingest_date="2026-03-02", html_profile=profile)
    assert summary["rejected_out"] == 0
    rows = []
    for table in ("articles", "quarantine"):
        if (warehouse / table).exists():
            rows += ds.dataset(warehouse / table, partitioning="hive").to_table().to_pylist()
    by_name = {Path(row["source_uri"]).stem: row for row in rows}
    assert set(by_name) == {page.stem for page in PAGES.glob("*.html")} | {"note"}
    for name, row in by_name.items():
        if name == "note":
            assert row["page_type"] is None and row["page_type_confidence"] is None  # plain text has no page type
        else:
            assert row["page_type"] == name, (name, row["page_type"], row["page_type_confidence"])
            assert 0 < row["page_type_confidence"] <= 1
    assert "relief valve" in by_name["forum"]["body"]  # a forum's replies are its content
    assert "Taped seams" in by_name["product"]["body"]
    (run,) = ds.dataset(warehouse / "runs", partitioning="hive").to_table().to_pylist()
    assert json.loads(run["parameters"])["html_profile"] == profile


@pytest.mark.usefixtures("prefect_server")
def test_an_unknown_profile_fails_the_run_before_any_work(tmp_path):
    from flows.flow import clean_articles

    (tmp_path / "a.html").write_text((PAGES / "article.html").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ValueError, match="quality"):
        clean_articles(source=str(tmp_path), warehouse=str(tmp_path / "warehouse"), html_profile="fastest")
    assert not (tmp_path / "warehouse" / "articles").exists()
