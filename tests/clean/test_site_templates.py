"""The site_template rule: a site's repeated menu and footer go, wire stories and article prose stay."""
import datetime as dt
import re

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

from newsclean.clean.site_templates import SiteDocument, _ends_sentence, fill_examples, learn, line_key, story_keys, template_lines
from flows.flow import clean_articles

TODAY = dt.date(2026, 11, 22)
MENU = ["Home", "World News", "Business Desk", "Sport Live", "Opinion Pages"]
FOOTER = ["About the Gazette", "Privacy settings and cookies", "© 2026 The Example Gazette Media Group"]
PROMO = "Follow The Example Gazette for the stories that matter to your town"
TOPICS = ["harbour", "council budget", "school meals", "rail strike", "flood defences", "library hours"]


SPEAKERS = ["Residents", "Officials", "Teachers", "Engineers", "Shop owners", "Parents", "Nurses", "Drivers"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "weekend"]


def article(topic: str, sentences: int = 6) -> list[str]:
    return [f"{SPEAKERS[n]} spoke about the {topic} on {WEEKDAYS[n]}, and the council promised a detailed answer before the next meeting."
            for n in range(sentences)]


def page(topic: str) -> list[str]:
    body = article(topic)
    return [*MENU, *body[:3], PROMO, *body[3:], *FOOTER]


def test_line_key_folds_case_punctuation_and_numbers():
    assert line_key("© 2025 The Example Gazette") == line_key("© 2026 THE EXAMPLE GAZETTE!")
    assert line_key("Home") != line_key("World News")


def test_versions_of_a_story_share_a_key_different_stories_do_not():
    harbour = page("harbour")
    edited = [line.replace("on Tuesday", "late on Tuesday") for line in harbour]  # an updated version: one sentence changed
    keys = story_keys([SiteDocument("s", lines) for lines in (harbour, page("rail strike"), edited, harbour, page("school meals"))])
    assert keys[0] == keys[2] == keys[3]
    assert len({keys[0], keys[1], keys[4]}) == 3


def test_a_site_of_five_articles_loses_menu_footer_and_promo_only():
    documents = [SiteDocument("gazette.example", page(topic)) for topic in TOPICS[:5]]
    memory = learn(documents, {}, TODAY)
    for document, topic in zip(documents, TOPICS):
        kept = [line for i, line in enumerate(document.paragraphs)
                if i not in set(template_lines(document, memory))]
        assert kept == article(topic)


def test_learning_from_line_summaries_learns_the_same_and_the_text_comes_later():
    """A large run keeps only packed summaries until it has seen every document; the text of what it learnt is
    filled in when the documents come back to be finished."""
    documents = [SiteDocument(site, page(topic)) for site in ("gazette.example", "daily.example") for topic in TOPICS]
    documents.append(SiteDocument("daily.example", page(TOPICS[0])))  # a second version of one story
    from_documents = learn(documents, {}, TODAY)
    summaries = [document.summary() for document in documents]
    assert [(s.keys, s.prose) for s in summaries] == [(d.keys, d.prose) for d in documents]
    from_summaries = learn(summaries, {}, TODAY)
    assert {key: (line.story_keys, line.example_text) for key, line in from_summaries.items()} \
        == {key: (line.story_keys, "") for key, line in from_documents.items()}
    for document in documents:
        fill_examples(from_summaries, document)
    assert {key: line.example_text for key, line in from_summaries.items()} \
        == {key: line.example_text for key, line in from_documents.items()}
    assert {line.example_text for line in from_documents.values()} >= {*MENU, *FOOTER, PROMO}


def test_two_articles_are_not_enough_evidence():
    documents = [SiteDocument("gazette.example", page(topic)) for topic in TOPICS[:2]]
    memory = learn(documents, {}, TODAY)
    assert template_lines(documents[0], memory) == []


def test_a_wire_story_on_one_site_several_times_and_on_three_sites_keeps_its_text():
    wire = [*article("ceasefire talks"), "Talks resume in Geneva next week", "Reporting by the wire desk"]
    wire_pages = [SiteDocument(site, [*MENU, *wire]) for site in ("a.example", "b.example", "c.example")]
    # Syndicated again and again on one site, each version with one sentence updated, among the site's own stories.
    wire_pages += [SiteDocument("a.example", [*MENU, *[line.replace("on Monday", f"on Monday (update {'I' * (n + 1)})") for line in wire]])
                   for n in range(3)]
    own_stories = [SiteDocument("a.example", page(topic)) for topic in TOPICS]
    memory = learn(wire_pages + own_stories, {}, TODAY)
    for document in wire_pages:
        removed = {document.paragraphs[i] for i in template_lines(document, memory)}
        assert removed == (set(MENU) if document.site == "a.example" else set())  # sites never share what they learn


def test_the_rule_never_removes_most_of_an_article():
    documents = [SiteDocument("gazette.example", page(topic)) for topic in TOPICS[:5]]
    memory = learn(documents, {}, TODAY)
    mostly_template = [*MENU, *FOOTER, PROMO, "A short note on the harbour."]
    assert template_lines(SiteDocument("gazette.example", mostly_template), memory) == []


def test_relearning_the_same_documents_adds_nothing():
    documents = [SiteDocument("gazette.example", page(topic)) for topic in TOPICS[:5]]
    once = learn(documents, {}, TODAY)
    twice = learn(documents, once, TODAY + dt.timedelta(days=1))
    assert {key: line.doc_count for key, line in once.items()} == {key: line.doc_count for key, line in twice.items()}
    assert all(line.last_seen == TODAY + dt.timedelta(days=1) for line in twice.values())


@pytest.mark.usefixtures("prefect_server")
def test_a_later_run_cleans_one_new_article_from_a_known_site(make_source, tmp_path):
    warehouse = tmp_path / "warehouse"
    first = make_source({f"gazette/{topic}.txt": "\n".join(page(topic)) for topic in TOPICS[:5]}, name="crawl")
    clean_articles(source=str(first), warehouse=str(warehouse), ingest_date="2026-11-21")
    templates = duckdb.sql(f"select site, doc_count, example_text from read_parquet('{warehouse}/site_templates/*.parquet')").fetchall()
    assert {(site, count) for site, count, _ in templates} == {("folder:crawl/gazette", 5)}
    assert {text for _, _, text in templates} >= {"World News", PROMO, FOOTER[0]}

    # The next day's drop: another folder named like the first, so the site is 'folder:crawl/gazette' again.
    new_root = tmp_path / "next" / "crawl"
    (new_root / "gazette").mkdir(parents=True)
    (new_root / "gazette" / "library.txt").write_text("\n".join(page("library hours")), encoding="utf-8")
    clean_articles(source=str(new_root), warehouse=str(warehouse), ingest_date="2026-11-22")
    body, = duckdb.sql(f"select body from read_parquet('{warehouse}/articles/**/*.parquet', hive_partitioning=true) "
                       f"where ingest_date = '2026-11-22'").fetchall()[0]
    assert body.split("\n\n") == article("library hours")
    rules = dict(duckdb.sql(f"select text, rule from read_parquet('{warehouse}/removed_lines/**/*.parquet', hive_partitioning=true) "
                            f"where ingest_date = '2026-11-22'").fetchall())
    assert rules["World News"] == rules[PROMO] == rules[FOOTER[1]] == "site_template"


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=".!?\"'”’)]a \n", max_size=12))
def test_a_line_ends_a_sentence_as_the_pattern_says(line):
    assert _ends_sentence(line) == (re.search(r"[.!?][\"'”’)\]]*$", line) is not None)
