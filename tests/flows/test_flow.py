"""A real Prefect flow run (test harness server), real Great Expectations, real Parquet read back with DuckDB."""
import json

import duckdb
import pytest

from flows.flow import clean_articles

from ..conftest import GOLD, SEEDS

pytestmark = pytest.mark.usefixtures("prefect_server")
GOLD_RECORDS = {r["source"]: r for r in map(json.loads, GOLD.read_text(encoding="utf-8").splitlines())}


def query(sql):
    return duckdb.sql(sql).fetchall()


def table(warehouse, name):
    return f"read_parquet('{warehouse}/{name}/**/*.parquet', hive_partitioning=true)"


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    summary = clean_articles(source=str(SEEDS), warehouse=str(warehouse), ingest_date="2026-11-20")
    return warehouse, summary


def test_seeds_land_in_articles_as_the_gold_says(seeds_run):
    warehouse, summary = seeds_run
    assert (summary["documents_in"], summary["articles_out"], summary["quarantine_out"], summary["rejected_out"]) == (5, 5, 0, 0)
    rows = query(f"select source_uri, body, title, dek, section, cast(published_date as varchar), ingest_date, format "
                 f"from {table(warehouse, 'articles')}")
    assert len(rows) == 5
    for source_uri, body, title, dek, section, published, ingest_date, fmt in rows:
        gold = GOLD_RECORDS[source_uri.rsplit("/", 1)[-1]]
        assert body == "\n\n".join(gold["body"])
        assert (title, dek, section, published) == (gold["title"], gold["dek"], gold["section"], gold["published"])
        assert (str(ingest_date), fmt) == ("2026-11-20", "text")


def test_removed_lines_and_runs_row_are_written(seeds_run):
    warehouse, summary = seeds_run
    rules = dict(query(f"select rule, count(*) from {table(warehouse, 'removed_lines')} group by rule"))
    assert rules["comment_widget"] == 6 and rules["share_prompt"] == 2 and rules["duplicate_title"] == 1
    runs = query(f"select run_id, documents_in, articles_out, quarantine_out, rejected_out, validation_success, data_docs "
                 f"from {table(warehouse, 'runs')}")
    assert runs == [(summary["run_id"], 5, 5, 0, 0, True, summary["data_docs"])]
    assert summary["data_docs"].startswith(str(warehouse / "_reports"))
    assert (warehouse / "_reports").is_dir()


def test_nothing_is_lost_on_a_mixed_source(make_source, tmp_path):
    article = (SEEDS / "004_e1c98838b61b2032.txt").read_text(encoding="utf-8")
    source = make_source({
        "good.txt": article,
        "nested/also good.txt": (SEEDS / "002_a7ad65b3a87e5598.txt").read_text(encoding="utf-8"),
        "only boilerplate.txt": "Share this article\nLeave a comment\nTo Top\n",
        "empty.txt": "",
        "image.txt": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "notes.pdf": b"%PDF-1.4",
    })
    warehouse = tmp_path / "warehouse"
    summary = clean_articles(source=str(source), warehouse=str(warehouse), ingest_date="2026-11-21")
    counts = {name: query(f"select count(*) from {table(warehouse, name)}")[0][0] for name in ("articles", "quarantine", "rejected")}
    assert counts == {"articles": 2, "quarantine": 2, "rejected": 2}
    assert summary["documents_in"] == sum(counts.values()) == 6
    reasons = dict(query(f"select regexp_extract(source_uri, '[^/]+$'), reason from {table(warehouse, 'rejected')}"))
    assert "binary" in reasons["image.txt"] and "unsupported file type '.pdf'" in reasons["notes.pdf"]
    failed = dict(query(f"select regexp_extract(source_uri, '[^/]+$'), failed_checks from {table(warehouse, 'quarantine')}"))
    assert "body_length_plausible" in failed["empty.txt"] and "body_length_plausible" in failed["only boilerplate.txt"]


def test_reprocessing_replaces_rows_instead_of_duplicating(seeds_run):
    warehouse, first = seeds_run
    second = clean_articles(source=str(SEEDS), warehouse=str(warehouse), ingest_date="2026-11-20", mode="reprocess")
    assert second["run_id"] != first["run_id"]
    rows = query(f"select count(*), count(distinct doc_id), min(run_id) = max(run_id), max(run_id) from {table(warehouse, 'articles')}")
    assert rows == [(5, 5, True, second["run_id"])]
    assert query(f"select count(*) from {table(warehouse, 'runs')}")[0][0] == 2
    removed = query(f"select count(*), count(distinct run_id) from {table(warehouse, 'removed_lines')}")
    assert removed == [(first["removed_lines_out"], 1)]


def test_prefects_links_to_task_results_do_not_grow_with_the_run(make_source, tmp_path, monkeypatch):
    """Prefect links each element of a task's result (one level deep) to the task's state for the whole run: discovery's
    documents and the learnt template lines are returned quote()d, so a run of 40 documents keeps as many links as
    one of 3 (one shard each)."""
    import flows.flow as flow_module
    from prefect.context import FlowRunContext

    links, write_run = [], flow_module.write_run

    def counting_links(*args, **kwargs):
        links.append(len(FlowRunContext.get().run_results))
        return write_run(*args, **kwargs)

    monkeypatch.setattr(flow_module, "write_run", counting_links)
    article = (SEEDS / "004_e1c98838b61b2032.txt").read_text(encoding="utf-8")
    for count in (3, 40):
        source = make_source({f"doc{i:02d}.txt": article.replace("Asif", f"Asif{i}") + "\nFollow Day News\n" for i in range(count)},
                             name=f"source{count}")
        summary = clean_articles(source=str(source), warehouse=str(tmp_path / f"wh{count}"), ingest_date="2026-11-20", workers=0)
        assert summary["articles_out"] + summary["quarantine_out"] == count
    assert links[0] == links[1]
