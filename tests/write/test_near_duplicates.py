"""The near-duplicate index (newsclean/write/near_duplicates.py) on its own: shingles, signatures, clusters across runs, the
index's round trip through Parquet, and the language rule's hint (newsclean/clean/language.py)."""
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsclean.write import near_duplicates as nd
from newsclean.clean.language import detect
from newsclean.write.store import open_warehouse
from newsclean.write.commit import MINHASH_KEY, WarehouseError, read_minhash_index

AEB = Path(__file__).resolve().parents[3] / "shared" / "bench" / "aeb" / "ground-truth.json"


@pytest.fixture(scope="module")
def bodies():
    entries = json.loads(AEB.read_text(encoding="utf-8")).values()
    return [entry["articleBody"] for entry in entries if len(entry["articleBody"].split()) >= 200][:40]


def _similarity(first: str, second: str) -> float:
    signatures = nd.signatures([first, second])
    return float(np.mean(signatures[0] == signatures[1]))


def test_shingle_hashes_ignore_case_and_punctuation_and_keep_word_order():
    hashes, offsets = nd.shingle_hashes(["The council voted, on Tuesday, to raise fares.", "the COUNCIL voted on tuesday to raise fares",
                                         "fares raise to tuesday on voted council the"])
    rows = [set(hashes[offsets[n]:offsets[n + 1]].tolist()) for n in range(3)]
    assert rows[0] == rows[1] and len(rows[0]) == 4  # eight words: four 5-word shingles
    assert not rows[0] & rows[2]


def test_short_wordless_and_cjk_bodies():
    _, offsets = nd.shingle_hashes(["two words", "", "...", "市议会周二投票决定上调票价"])
    assert np.diff(offsets).tolist() == [1, 0, 0, 9]  # 13 characters, each a word: 9 shingles
    signatures = nd.signatures(["two words", ""])
    assert signatures[0].any() and not signatures[1].any()


def test_a_dateline_and_a_credit_keep_a_story_close_and_another_story_is_far(bodies):
    story, other = bodies[0], bodies[1]
    copy = "PARIS (Herald) - " + story + "\n\n(Reporting by Jane Doe; Editing by Sam Roe)"
    assert _similarity(story, copy) > 0.8
    assert _similarity(story, other) < 0.2


def test_clusters_reach_the_earliest_article_across_runs(bodies):
    story = bodies[2]
    copies = [f"{city} (Wire) - {story}" for city in ("LONDON", "ROME", "OSLO")]
    index = nd.Index.empty()
    matches, index = nd.assign(index, ["a", "b"], nd.signatures([copies[0], bodies[3]]), ["2026-01-01"] * 2)
    assert matches == [nd.Match(None, None), nd.Match(None, None)]
    index = nd.Index.from_table(index.table())  # what the next run reads from the warehouse
    matches, index = nd.assign(index, ["c", "d", "e"], nd.signatures([bodies[4], copies[1], copies[2]]), ["2026-01-02"] * 3)
    assert [match.near_duplicate_of for match in matches] == [None, "a", "a"]
    assert all(0.8 < match.similarity <= 1 for match in matches[1:])
    assert index.clusters == ["a", "b", "c", "a", "a"]
    # the first copy reprocessed: out of the index, its copies' clusters as they were written
    without = index.without({"a"}, set())
    assert without.doc_ids == ["b", "c", "d", "e"] and without.clusters == ["b", "c", "a", "a"]
    assert index.without(set(), {"2026-01-02"}).doc_ids == ["a", "b"]


def test_a_run_enters_the_index_in_key_order_whatever_order_its_batches_come_in(bodies):
    story = bodies[5]
    rows = [  # (ingest_date, source_uri, doc_id, body), not in key order, in two batches
        ("2026-01-02", "a/late.txt", "late", "OSLO (Wire) - " + story),
        ("2026-01-01", "b/second.txt", "second", "ROME (Wire) - " + story),
        ("2026-01-01", "a/first.txt", "first", "LONDON (Wire) - " + story),
        ("2026-01-01", "c/other.txt", "other", bodies[6]),
        ("2026-01-01", "c/empty.txt", "empty", "..."),
    ]
    names = (*nd.KEY_COLUMNS, "body")
    batches = [pa.table({name: list(values) for name, values in zip(names, zip(*part))}) for part in (rows[:2], rows[2:])]
    matches, index = nd.match_run(iter(batches), nd.Index.empty())
    assert {doc_id: match.near_duplicate_of for doc_id, match in matches.items()} == {"second": "first", "late": "first"}
    assert index.doc_ids == ["first", "second", "empty", "other", "late"]
    assert index.clusters == ["first", "first", "empty", "other", "first"]
    assert index.ingest_dates == ["2026-01-01"] * 4 + ["2026-01-02"]
    again, _ = nd.match_run(iter(batches[::-1]), nd.Index.empty())
    assert again == matches


def test_an_index_of_another_scheme_is_a_clear_error(tmp_path, bodies):
    _, index = nd.assign(nd.Index.empty(), ["a"], nd.signatures(bodies[:1]), ["2026-01-01"])
    table = index.table()
    store = open_warehouse(tmp_path)
    (tmp_path / MINHASH_KEY).parent.mkdir()
    pq.write_table(table.replace_schema_metadata({"scheme": "other/64"}), tmp_path / MINHASH_KEY)
    with pytest.raises(WarehouseError, match="remove _near_duplicates/minhash.parquet"):
        read_minhash_index(store)
    pq.write_table(table, tmp_path / MINHASH_KEY)
    assert read_minhash_index(store).doc_ids == ["a"]
    assert table.schema.field("signature").type == pa.binary(nd.SIGNATURE_BYTES)


FRENCH = ("Le conseil municipal a voté mardi une hausse du prix des tickets de bus, la première depuis six ans. "
          "Les élus de l'opposition ont dénoncé une mesure injuste pour les ménages modestes.")


def test_html_lang_is_a_hint_the_text_can_overrule():
    assert detect([FRENCH], "en-GB").code == "fr"  # the page says English, the text clearly French
    assert detect([FRENCH], "fr-CA") == detect([FRENCH], None)
    assert detect(["Kontakt", "Impressum"], "de").code == "de"  # too little text: the hint stands
    assert detect(["Kontakt", "Impressum"], "de").confidence is None
    assert detect(["Kontakt"], None).code is None
    assert detect(["Bus fares rise again"], "en").code == "en"
