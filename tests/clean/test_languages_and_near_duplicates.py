"""Through real Prefect flow runs into one warehouse: every document's language (text and HTML), Chinese and
Japanese articles past the word-count check, a German share line removed by the German rules, and near-duplicate
stories clustered across two runs by the MinHash index kept in the warehouse."""
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.flow import clean_articles

pytestmark = pytest.mark.usefixtures("prefect_server")
AEB = Path(__file__).resolve().parents[3] / "shared" / "bench" / "aeb" / "ground-truth.json"

FRENCH = ("Le conseil municipal a voté mardi une hausse du prix des tickets de bus, la première depuis six ans. "
          "Les élus de l'opposition ont dénoncé une mesure injuste pour les ménages modestes, tandis que le maire a "
          "défendu un choix responsable pour financer le réseau.\n\n"
          "Selon la mairie, la hausse rapportera plusieurs millions d'euros par an, qui serviront à acheter de nouveaux "
          "bus électriques et à prolonger deux lignes vers les quartiers du nord de la ville.")
GERMAN = ("Der Stadtrat hat am Dienstag beschlossen, die Fahrpreise für Busse zum ersten Mal seit sechs Jahren zu "
          "erhöhen. Die Opposition kritisierte die Entscheidung als unsozial, der Bürgermeister verteidigte sie.\n"
          "Teilen Sie diesen Artikel\n"
          "Nach Angaben der Stadt sollen die Mehreinnahmen in neue Elektrobusse und den Ausbau von zwei Linien in den "
          "Norden der Stadt fließen. Die neuen Preise gelten ab dem ersten März.")
CHINESE = ("市议会周二投票决定六年来首次上调公交车票价。反对派议员批评这一决定对低收入家庭不公平，市长则表示这是为公交网络筹集资金的负责任选择。\n\n"
           "据市政府介绍，涨价每年将带来数百万元收入，用于购买新的电动公交车，并将两条线路延伸到城市北部的居民区。新票价将于三月一日起实行，"
           "学生和老年人的月票价格保持不变。交通部门表示，明年还将在高峰时段增加班次，以缓解市中心的拥堵。")
JAPANESE = ("市議会は火曜日、六年ぶりにバスの運賃を値上げすることを決めた。野党議員は低所得の家庭に不公平だと批判したが、市長は路線網を維持するための責任ある選択だと述べた。\n\n"
            "市によると、値上げによる増収は年間数億円に上り、新しい電気バスの購入と、市の北部の住宅地への二つの路線の延長に充てられる。新しい運賃は三月一日から適用される。")


def _html(body: str, lang: str) -> str:
    paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in body.split("\n\n"))
    return (f'<!doctype html><html lang="{lang}"><head><title>Fares rise</title></head><body><nav><a href="/">Home</a></nav>'
            f"<article><h1>Bus fares rise</h1>{paragraphs}</article><footer>Contact us</footer></body></html>")


def _stories() -> list[str]:
    bodies = [entry["articleBody"] for entry in json.loads(AEB.read_text(encoding="utf-8")).values()]
    return [body for body in bodies if 300 <= len(body.split()) <= 900][:3]


def _syndicated(body: str, site: str, dateline: str, edit: bool) -> str:
    paragraphs = body.split("\n\n")
    paragraphs[0] = f"{dateline} ({site}) - {paragraphs[0]}"
    if edit:  # an editor's cut and a changed sentence
        paragraphs = paragraphs[:-1]
        paragraphs[1] = paragraphs[1].replace(".", ", the agency said.", 1)
    return "\n\n".join(paragraphs + [f"(Reporting by Jane Doe for {site}; Editing by Sam Roe)"])


def _rows(warehouse, table_name, columns):
    return {row[0]: row[1:] for row in duckdb.sql(
        f"select {columns} from read_parquet('{warehouse}/{table_name}/**/*.parquet', hive_partitioning=true)").fetchall()}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("i18n")
    warehouse = root / "warehouse"
    story, other, third = _stories()
    first = root / "first"
    (first / "wire").mkdir(parents=True)
    (first / "wire" / "story.txt").write_text(_syndicated(story, "Wire", "LONDON", edit=False), encoding="utf-8")
    (first / "wire" / "other.txt").write_text(other, encoding="utf-8")
    (first / "wire" / "french.txt").write_text(FRENCH, encoding="utf-8")
    (first / "wire" / "german.txt").write_text(GERMAN, encoding="utf-8")
    (first / "wire" / "chinese.txt").write_text(CHINESE, encoding="utf-8")
    (first / "wire" / "japanese.html").write_text(_html(JAPANESE, "ja"), encoding="utf-8")
    (first / "wire" / "lying.html").write_text(_html(FRENCH, "en"), encoding="utf-8")  # <html lang> says English
    first_summary = clean_articles(source=str(first), warehouse=str(warehouse), ingest_date="2026-11-20")
    second = root / "second"
    (second / "herald").mkdir(parents=True)
    (second / "herald" / "copy.txt").write_text(_syndicated(story, "Herald", "PARIS", edit=True), encoding="utf-8")
    (second / "herald" / "unrelated.txt").write_text(third, encoding="utf-8")
    (second / "herald" / "copy again.txt").write_text(_syndicated(story, "Gazette", "ROME", edit=False), encoding="utf-8")
    second_summary = clean_articles(source=str(second), warehouse=str(warehouse), ingest_date="2026-11-21")
    return warehouse, first_summary, second_summary, second


def _by_name(rows: dict) -> dict:
    return {uri.rsplit("/", 1)[-1]: values for uri, values in rows.items()}


def test_every_document_gets_its_language_and_cjk_articles_pass(two_runs):
    warehouse, first, *_ = two_runs
    assert (first["articles_out"], first["quarantine_out"], first["rejected_out"]) == (7, 0, 0)
    languages = _by_name(_rows(warehouse, "articles", "source_uri, language, language_confidence, word_count"))
    assert {name: values[0] for name, values in languages.items()} == {
        "story.txt": "en", "other.txt": "en", "french.txt": "fr", "german.txt": "de", "chinese.txt": "zh",
        "japanese.html": "ja", "lying.html": "fr", "copy.txt": "en", "unrelated.txt": "en", "copy again.txt": "en"}
    assert all(0.5 < values[1] <= 1 for values in languages.values())
    assert languages["chinese.txt"][2] > 100 and languages["japanese.html"][2] > 100  # a word per character


def test_the_german_share_line_is_removed_by_the_german_rule(two_runs):
    warehouse, *_ = two_runs
    removed = duckdb.sql(f"select text, rule from read_parquet('{warehouse}/removed_lines/**/*.parquet')").fetchall()
    assert ("Teilen Sie diesen Artikel", "share_prompt_de") in removed


def test_near_duplicates_cluster_across_runs(two_runs):
    warehouse, *_ = two_runs
    rows = _by_name(_rows(warehouse, "articles", "source_uri, doc_id, near_duplicate_of, near_duplicate_similarity, duplicate_of"))
    first_story = rows["story.txt"][0]
    assert rows["story.txt"][1:3] == (None, None)
    for copy in ("copy.txt", "copy again.txt"):
        doc_id, near_duplicate_of, similarity, duplicate_of = rows[copy]
        assert (near_duplicate_of, duplicate_of) == (first_story, None)  # not the same body, the same story
        assert 0.5 <= similarity <= 1
    for unrelated in ("other.txt", "unrelated.txt", "french.txt", "chinese.txt"):
        assert rows[unrelated][1:3] == (None, None)
    assert rows["lying.html"][1:] == (rows["french.txt"][0], 1.0, rows["french.txt"][0])  # the same body: both kinds
    index = pq.read_table(warehouse / "_near_duplicates" / "minhash.parquet")
    assert index.num_rows == 10  # every article of both runs, each once
    assert sorted(index.column("doc_id").to_pylist()) == sorted(values[0] for values in rows.values())


def test_a_rerun_keeps_the_cluster_and_the_index(two_runs):
    warehouse, _, _, second = two_runs
    before = _by_name(_rows(warehouse, "articles", "source_uri, near_duplicate_of"))
    clean_articles(source=str(second), warehouse=str(warehouse), ingest_date="2026-11-21", mode="reprocess")
    assert _by_name(_rows(warehouse, "articles", "source_uri, near_duplicate_of")) == before
    assert pq.read_table(warehouse / "_near_duplicates" / "minhash.parquet").num_rows == 10
