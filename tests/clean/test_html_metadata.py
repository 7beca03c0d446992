"""Title, authors and publication date of HTML pages (newsclean/clean/metadata.py): each source's candidate, the
choice among them, and the values in the articles table after a real flow run."""
from __future__ import annotations

import datetime as dt
import json

import pyarrow.dataset as ds
import pytest
from trafilatura import load_html

from newsclean.clean import metadata as md

ARTICLE = "".join(
    f"<p>{text}</p>" for text in (
        "The city council voted on Tuesday to expand the harbour, a project that has divided residents for years.",
        "Supporters say the expansion will bring hundreds of jobs and allow larger cargo ships to dock in the bay.",
        "Opponents argue that the construction will damage the wetlands and increase traffic through the old town.",
        "The mayor said the final plans would be published next month, after a review by independent engineers.",
    )
)


def candidates(head: str = "", body: str = "", url: str | None = None) -> md.MetadataCandidates:
    html = f"<!DOCTYPE html><html><head>{head}</head><body>{body}{ARTICLE}</body></html>"
    return md.html_candidates(load_html(html), url=url)


def json_ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_graph_gives_headline_author_by_reference_and_date():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": "#org", "name": "Example Herald"},
        {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
        {"@type": ["NewsArticle"], "headline": "Harbour expansion approved", "author": [{"@id": "#jane"}, {"name": "John Roe"}],
         "datePublished": "2024-12-08T23:10:00-05:00", "dateModified": "2025-01-02T08:00:00Z", "publisher": {"@id": "#org"}},
    ]}
    found = candidates(json_ld(graph))
    assert found.title["jsonld_headline"] == "Harbour expansion approved"
    assert found.authors["jsonld_author"] == ["Jane Doe", "John Roe"]
    assert found.date["jsonld_published"] == "2024-12-08"  # the page's own calendar day, not converted to UTC
    assert found.date["jsonld_modified"] == "2025-01-02"


def test_json_ld_in_a_list_and_broken_json_ld_are_handled():
    good = json_ld([{"@type": "BlogPosting", "headline": "A post", "author": "By Ann Lee", "datePublished": "2023-05-01"}])
    found = candidates('<script type="application/ld+json">{"@type": "NewsArticle", broken</script>' + good)
    assert found.title["jsonld_headline"] == "A post" and found.authors["jsonld_author"] == ["Ann Lee"]


def test_meta_tags_opengraph_yoast_label_and_published_time():
    head = ('<meta property="og:title" content="Harbour expansion approved | Example Herald">'
            '<meta property="og:site_name" content="Example Herald">'
            '<meta property="article:published_time" content="2024-03-05T10:00:00+00:00">'
            '<meta property="article:modified_time" content="2024-04-01T10:00:00+00:00">'
            '<meta name="author" content="Jane Doe and John Roe">'
            '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Ann Lee">')
    found = candidates(head)
    assert found.title["og_title_stem"] == "Harbour expansion approved"
    assert found.date["meta_published"] == "2024-03-05" and found.date["meta_modified"] == "2024-04-01"
    assert found.authors["meta_author"] == ["Jane Doe", "John Roe"]
    assert found.authors["twitter_label_author"] == ["Ann Lee"]


@pytest.mark.parametrize("title, site_names, stem", [
    ("Harbour expansion approved | Example Herald", {"example herald"}, "Harbour expansion approved"),
    ("Example Herald - Harbour expansion approved", {"example herald"}, "Harbour expansion approved"),
    ("Harbour expansion: what it means – ExampleHerald", {"exampleherald.com", "exampleherald"}, "Harbour expansion: what it means"),
    ("Harbour expansion approved by the council - Herald", set(), "Harbour expansion approved by the council"),  # a short last part
    ("Why the harbour matters", {"example herald"}, "Why the harbour matters"),
])
def test_title_stem_drops_the_site_name_part(title, site_names, stem):
    assert md.title_stem(title, site_names) == stem


def test_the_h1_that_agrees_with_the_title_wins_over_a_logo_h1():
    head = ("<title>Harbour expansion approved | Example Herald</title>"
            '<meta property="og:site_name" content="Example Herald">')
    body = "<header><h1>Example Herald</h1></header><article><h1>Harbour expansion approved</h1>"
    found = candidates(head, body)
    assert found.title["h1_first"] == "Example Herald"
    assert found.title["h1_content"] == found.title["h1_agreeing"] == "Harbour expansion approved"
    assert md.choose_metadata(found).title == "Harbour expansion approved"


def test_byline_and_dateline_after_the_headline_and_time_elements():
    body = ('<article><h1>Harbour expansion approved</h1><div class="meta"><span>By</span> <a href="/jane">Jane Doe</a>'
            '<p>Published March 5, 2024</p><time datetime="2024-03-05T09:00:00Z">5 March</time></div>')
    found = candidates("", body)
    assert found.authors["byline_text"] == ["Jane Doe"]
    assert found.date["date_text"] == "2024-03-05"
    assert found.date["time_article"] == "2024-03-05" and found.date["time_first"] == "2024-03-05"


def test_itemprop_rel_author_and_byline_class():
    body = ('<div itemprop="author" itemscope><span itemprop="name">Ann Lee</span></div>'
            '<a rel="author" href="/bob">Bob Stone</a><span class="post-author">Written by Carl Mayer</span>'
            '<span itemprop="datePublished" content="2022-07-14"></span>')
    found = candidates("", body)
    assert found.authors["itemprop_author"] == ["Ann Lee"]
    assert found.authors["rel_author"] == ["Bob Stone"]
    assert found.authors["byline_element"] == ["Carl Mayer"]
    assert found.date["itemprop_published"] == "2022-07-14"


def test_a_byline_far_from_the_headline_and_a_name_before_the_dateline():
    body = ('<article><h1>Harbour expansion approved</h1><div class="meta"><span>Jane Doe</span><span>•</span>'
            '<span>March 5, 2024</span></div>' + ARTICLE + "</article>"
            + "".join(f"<p>Related story number {i}</p>" for i in range(50))
            + '<aside><p>Written by</p><a href="/john">John Roe</a></aside>')
    found = candidates("", body)
    assert found.authors["name_before_date"] == ["Jane Doe"]
    assert found.authors["byline_anywhere"] == ["John Roe"]
    assert "byline_text" not in found.authors  # the author box is too far after the headline for a byline


def test_a_name_after_the_dateline_and_a_name_after_an_author_label():
    body = ('<article><h1>Harbour expansion approved</h1><div><span>2024-03-05</span><span>·</span>'
            '<a title="Jane Doe">Jane Doe</a></div>' + ARTICLE + '<div class="box"><h3>Contributors:</h3><p>John Roe</p></div>'
            "</article>")
    found = candidates("", body)
    assert found.authors["name_after_date"] == ["Jane Doe"]
    assert found.authors["byline_anywhere"] == ["John Roe"]


@pytest.mark.parametrize("beside_date", ["Marketing Director", "#Cloud Computing", "In This Article"])
def test_a_job_title_a_tag_or_a_phrase_beside_the_dateline_is_no_author(beside_date):
    found = candidates("", f"<article><h1>Harbour expansion approved</h1><p>{beside_date}</p><p>March 5, 2024</p>"
                           f"<p>{beside_date}</p>")
    assert found.date["date_in_short_line"] == "2024-03-05"
    assert "name_before_date" not in found.authors and "name_after_date" not in found.authors


@pytest.mark.parametrize("control", ['<form><label>By</label><select><option>Brand Names</option></select></form>',
                                     '<footer><p>By</p><a href="/">Harbour Web Design</a></footer>',
                                     "<p>By COMPANY SIZE</p>"])
def test_a_filter_a_footer_credit_or_a_shouted_label_is_no_byline(control):
    found = candidates("", f"<h1>Harbour expansion approved</h1>{ARTICLE}{control}<p>By</p><p>Jane Doe</p>")
    assert found.authors["byline_anywhere"] == ["Jane Doe"]


def test_a_page_without_h1_looks_for_its_byline_after_the_subheading_that_agrees_with_its_title():
    head = "<title>Harbour expansion approved | Example Herald</title>"
    body = ("<header><h2>Latest news</h2></header><h2>Harbour expansion approved</h2><p>By Jane Doe</p>"
            "<p>Published March 5, 2024</p>")
    found = candidates(head, body)
    assert found.authors["byline_text"] == ["Jane Doe"] and found.date["date_text"] == "2024-03-05"


def test_a_numeric_date_with_the_day_first_and_the_name_before_it():
    found = candidates("", "<article><h1>Harbour expansion approved</h1><p>Jane Doe</p><p>23.07.2025 · 6 min read</p>")
    assert found.date["date_in_short_line"] == "2025-07-23" and found.authors["name_before_date"] == ["Jane Doe"]
    assert md._day_first_date("02-12-2025") == dt.date(2025, 12, 2)
    assert md._day_first_date("3/4/2025") is None  # with slashes the month may come first: left alone


def test_a_date_and_its_author_just_before_the_headline():
    found = candidates("", "<p>Blog</p><div><span>Dec 17, 2025</span><span>Julian K. Arni</span></div>"
                           "<h1>Harbour expansion approved</h1>")
    assert found.date["date_in_short_line_before"] == "2025-12-17"
    assert found.authors["name_after_date"] == ["Julian K. Arni"]


def test_a_short_line_with_a_date_just_before_the_headline():
    found = candidates("", "<p>Blog</p><p>February 4, 2025 - 11 minutes</p><h1>Harbour expansion approved</h1>")
    assert found.date["date_in_short_line_before"] == "2025-02-04"
    assert "date_text_before" not in found.date  # "11 minutes" makes it more than a dateline


@pytest.mark.parametrize("raw, names", [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Jane Doe, John Roe & Ann Lee", ["Jane Doe", "John Roe", "Ann Lee"]),
    ("Dylan Bailey, MS, RD", ["Dylan Bailey, MS, RD"]),  # credentials stay with the name
    ("Center for Drug Evaluation and Research", ["Center for Drug Evaluation and Research"]),  # not two people
    ("Staff", []),
    ("jane@example.com; https://example.com/jane; Jane Doe", ["Jane Doe"]),
    ("Jun 2 Written By", []),
    ("Tracy Parker, Dietitian", ["Tracy Parker, Dietitian"]),  # a job title stays with the name: not a second author
    ("Mayank Gupta, CEO of Acme", ["Mayank Gupta, CEO of Acme"]),
    ("Paul Frew, Home and Garden Security Expert", ["Paul Frew, Home and Garden Security Expert"]),  # "and" in a title
    ("Jane Doe, Staff Writer", ["Jane Doe"]),  # a title made only of role words is dropped
    ("Angela Bell, MD*", ["Angela Bell, MD"]),
    ("Name *", []), ("undefined", []),  # a template's placeholders
    ("View all posts by Ray Ansari", ["Ray Ansari"]), ("Authored by: Ann Lee", ["Ann Lee"]),
])
def test_author_names_are_normalised_by_general_rules(raw, names):
    assert md.normalized_authors(raw) == names


@pytest.mark.parametrize("raw, iso", [
    ("2024-12-08T23:00:00-05:00", "2024-12-08"), ("2024/12/08", "2024-12-08"), ("20241208", "2024-12-08"),
    ("December 8, 2024", "2024-12-08"), ("8 Dec 2024", "2024-12-08"), ("soon", None), ("2024-13-45", None),
])
def test_dates_become_iso_dates(raw, iso):
    assert md.iso_date(raw) == iso


def test_titles_are_one_line_with_the_pages_own_characters():
    # an entity the page escaped twice is decoded; typographic quotes stay, as the body's copy of the headline has them
    assert md.normalized_title("What&#x27;s new in\n the harbour:  ‘plans’…") == "What's new in the harbour: ‘plans’…"


def test_the_choice_takes_the_first_source_in_order_and_agreement_counts_sources():
    found = md.MetadataCandidates(
        title={"title_stem": "Old headline", "h1_first": "New headline"},
        authors={"meta_author": ["Site Desk Team Name"], "jsonld_author": ["Jane Doe"], "trafilatura": ["Jane Doe"]},
        date={"trafilatura": "2024-01-02", "meta_modified": "2024-02-02", "jsonld_modified": "2024-02-02"},
    )
    md._add_agreement(found)
    assert found.authors["agreement"] == ["Jane Doe"]
    assert "agreement" not in found.date  # modification dates do not vote
    chosen = md.choose_metadata(found, title_order=("h1_first", "title_stem"), author_order=("meta_author",))
    assert chosen.title == "New headline" and chosen.authors == ["Site Desk Team Name"]
    assert md.choose_metadata(found, title_order=("h1_agreeing", "title_stem")).title == "Old headline"
    assert md.choose_metadata(found, date_order=("meta_published",)).published_date == "2024-01-02"  # the last resort


# The <title> and og:title carry the site's name, the date is the dateline's (the page was modified later): where
# trafilatura's own metadata takes the og:title and the modification date.
PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Harbour expansion approved by council | Example Herald</title>"
    "<meta property='og:title' content='Harbour expansion approved by council | Example Herald'>"
    "<meta property='og:site_name' content='Example Herald'>"
    "<meta property='article:modified_time' content='2024-04-11T10:00:00Z'>"
    + json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "Person", "@id": "https://example.org/#jane", "name": "Jane Doe"},
        {"@type": "NewsArticle", "author": [{"@id": "https://example.org/#jane"}, {"@type": "Person", "name": "John Roe"}],
         "publisher": {"@type": "Organization", "name": "Example Herald"}}]})
    + "</head><body><nav><a href='/'>Home</a><a href='/world'>World</a></nav>"
    "<article><h1>Harbour expansion approved by council</h1><p class='dateline'>Published March 5, 2024</p>"
    f"{ARTICLE}</article><footer><p>© 2024 Example Herald</p></footer></body></html>"
)


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize("profile", ["quality", "fast"])
def test_the_articles_table_has_the_headline_authors_and_date(tmp_path, profile):
    from flows.flow import clean_articles

    source = tmp_path / "landing"
    source.mkdir()
    (source / "harbour.html").write_text(PAGE, encoding="utf-8")
    warehouse = tmp_path / "warehouse"
    clean_articles(source=str(source), warehouse=str(warehouse), ingest_date="2026-03-02", html_profile=profile)
    (row,) = ds.dataset(warehouse / "articles", partitioning="hive").to_table().to_pylist()
    assert row["title"] == "Harbour expansion approved by council"  # the headline, not the <title> with the site's name
    assert row["authors"] == ["Jane Doe", "John Roe"]
    assert row["published_date"] == dt.date(2024, 3, 5)  # the dateline's, not the modification's
    assert "Harbour expansion approved by council" not in row["body"]


def test_a_page_lxml_cannot_parse_keeps_trafilaturas_metadata():
    from types import SimpleNamespace

    found = md.html_candidates(None, trafilatura_metadata=SimpleNamespace(title="A headline", author="Jane Doe", date="2024-03-05"))
    assert md.choose_metadata(found) == md.PageMetadata("A headline", ["Jane Doe"], "2024-03-05")
    assert md.page_metadata("") == md.PageMetadata(None, [], None)
