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


def test_the_linear_only_model_of_the_previous_features_is_refused(tmp_path):
    # the layout features version 2 shipped: one linear model over the hashed tokens and shapes, no trees
    path = tmp_path / "linear.npz"
    classes = pt.PAGE_TYPES
    np.savez(path, classes=np.array(classes), weights=np.zeros((pt.HASH_SLOTS + len(pt.SHAPES), len(classes)), dtype=np.float32),
             bias=np.zeros(len(classes), dtype=np.float32), hash_slots=np.array(pt.HASH_SLOTS), features_version=np.array(2))
    with pytest.raises(RuntimeError, match="retrain"):
        pt.load_model.__wrapped__(path)


def _model(article_threshold: float) -> "pt.PageTypeModel":
    """A model whose trees are single leaves: its probabilities are the softmax of the baseline."""
    count = len(pt.PAGE_TYPES)
    trees = pt.Trees(np.zeros(1, np.int32), np.zeros(1), np.zeros(1, np.int32), np.zeros(1, np.int32), np.ones(1, bool),
                     np.zeros(1), np.zeros(1, np.int32), np.zeros(1, np.int32), np.zeros(count))
    return pt.PageTypeModel(pt.PAGE_TYPES, np.zeros((pt.LINEAR_WIDTH, count)), np.zeros(count), trees,
                            article_threshold)


def test_a_page_is_an_article_only_when_p_article_reaches_the_threshold_else_the_likeliest_other_type():
    probabilities = np.array([0.45, 0.05, 0.02, 0.03, 0.03, 0.02, 0.40])  # article first, service last
    assert pt.PAGE_TYPES[_model(0.5).decide(probabilities)] == "service"
    assert pt.PAGE_TYPES[_model(0.4).decide(probabilities)] == "article"
    assert pt.PAGE_TYPES[_model(0.5).decide(np.array([0.2, 0.1, 0.1, 0.1, 0.3, 0.1, 0.1]))] == "listing"


def test_structure_figures_see_a_grid_of_product_cards_and_an_article_s_long_paragraphs():
    cards = "".join(f'<div class="card"><a href="/p{i}"><img src="{i}.jpg"><h3>Boot {i}</h3></a><span>$4{i}.00</span>'
                    f"<button>Add to cart</button></div>" for i in range(12))
    grid = dict(zip(pt.DENSE, pt.page_features(f'<html><body><div class="grid">{cards}</div></body></html>')[1]))
    prose = " ".join(["The council approved the harbour plan after a debate that ran late into the night."] * 8)
    story = dict(zip(pt.DENSE, pt.page_features(f"<html><body><article><h1>Harbour</h1><p>{prose}</p><p>{prose}</p>"
                                               "</article></body></html>")[1]))
    assert grid["log_repeated_run"] > 0 and story["log_repeated_run"] == 0  # twelve siblings of one tag and class
    assert grid["run_image_share"] == grid["run_price_share"] == grid["run_heading_share"] == 1.0
    assert grid["log_card_runs"] > 0 and grid["log_cart"] > 0
    assert story["top3_block_share"] > 0.9 > grid["top3_block_share"]  # an article's text sits in a few long blocks
    assert story["log_longest_block"] > grid["log_longest_block"]


def test_the_url_is_the_inputs_else_the_pages_canonical_link_and_its_host_is_never_read():
    page = "<html><head>{}</head><body><p>Release notes for the harbour app.</p></body></html>"
    for link in ('<link rel="canonical" href="https://docs.example.org/api/v2/install">',
                 "<link href='https://docs.example.org/api/v2/install' rel='canonical'>",
                 '<meta property="og:url" content="https://docs.example.org/api/v2/install">'):
        assert pt.page_url(page.format(link)) == "https://docs.example.org/api/v2/install"
    assert pt.page_url(page.format("")) is None
    canonical = page.format('<link rel="canonical" href="https://a.example/docs/api/install">')
    linear, dense = pt.page_features(canonical)
    start = pt.HASH_SLOTS + len(pt.SHAPES)
    assert linear[start:start + pt.URL_SLOTS].any() and dense[pt.DENSE.index("url_depth")] == pytest.approx(3 / 5)
    # the input's URL wins over the canonical link; another host with the same path gives the same figures
    same_path = pt.page_features(canonical, "https://forum.elsewhere.net/docs/api/install")
    assert np.array_equal(same_path[0], linear) and np.array_equal(same_path[1], dense)
    other_path = pt.page_features(canonical, "https://a.example/2024/05/harbour-plan-approved-after-long-debate")
    assert not np.array_equal(other_path[0][start:], linear[start:])
    figures = dict(zip(pt.DENSE, other_path[1]))
    assert figures["url_year"] == 1.0 and figures["url_slug_words"] == pytest.approx(0.6, abs=1e-6)  # six words in the slug
    assert not pt.page_features(page.format(""))[0][start:].any()  # no URL at all: no URL figures


def test_every_type_gets_a_probability_and_the_confidence_is_that_of_the_type_given():
    for page in PAGES.glob("*.html"):
        kind = pt.classify_page(page.read_text(encoding="utf-8"))
        assert set(kind.probabilities) == set(pt.PAGE_TYPES)
        assert sum(kind.probabilities.values()) == pytest.approx(1, abs=1e-3)
        assert kind.confidence == kind.probabilities[kind.name]


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
