"""HTML pages: trafilatura plus the line rules, fallbacks, metadata and decoding, on hand-made pages."""
import pytest

from newsclean.clean.html import extract_html, page_language
from newsclean.records import RunContext
from newsclean.runtime.passes import finish_documents, process_batch
from newsclean.read.decode import ReadError, decode_text
from newsclean.read.discover import discover

import datetime as dt

PARAGRAPHS = [
    "The city council voted on Tuesday to expand the harbour, a project that has divided residents for years.",
    "Supporters say the expansion will bring hundreds of jobs and allow larger cargo ships to dock in the bay.",
    "Opponents argue that the construction will damage the wetlands and increase traffic through the old town.",
    "The mayor said the final plans would be published next month, after a review by independent engineers.",
    "Work is expected to begin next spring and to last about three years, according to the port authority.",
]


def page(body_html: str, head: str = "", lang: str = "en") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>Harbour expansion approved</title>{head}</head><body>'
            f'<nav><a href="/">Home</a><a href="/world">World</a><a href="/sport">Sport</a></nav>'
            f'<article><h1>Harbour expansion approved</h1>{body_html}</article>'
            f'<footer><p>© 2024 Example Herald. All rights reserved.</p><a href="/privacy">Privacy</a></footer></body></html>')


def paragraphs_html(paragraphs=PARAGRAPHS) -> str:
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def clean_pages(make_source, files: dict) -> list[dict]:
    context = RunContext("test", dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc))
    output = process_batch(discover(make_source(files)), context)
    finish_documents(output, {}, context)
    assert not output.rejected, output.rejected
    return output.candidates, output.removed_lines


def test_share_bar_and_read_more_inside_the_article_are_removed(make_source):
    inside = PARAGRAPHS[:2] + ["Share this article", "Read more: Council approves new budget"] + PARAGRAPHS[2:]
    (row,), removed = clean_pages(make_source, {"harbour.html": page(paragraphs_html(inside))})
    assert row["body"].split("\n\n") == PARAGRAPHS
    assert {(line["text"], line["rule"]) for line in removed} >= {("Share this article", "share_prompt"),
                                                                   ("Read more: Council approves new budget", "related_link")}
    assert (row["format"], row["extractor"], row["title"], row["language"]) == ("html", "trafilatura", "Harbour expansion approved", "en")


def test_comment_section_stays_out_of_the_body(make_source):
    comments = ('<section id="comments" class="comments"><h3>3 Comments</h3>'
                '<div class="comment"><p>Great news for the town, finally some jobs for our young people here!</p></div>'
                '<div class="comment"><p>This is a disaster for the wetlands and nobody listened to us at all.</p></div>'
                '<h3>Leave a Reply</h3><form><textarea></textarea></form></section>')
    (row,), _ = clean_pages(make_source, {"harbour.html": page(paragraphs_html() + comments)})
    assert "finally some jobs" not in row["body"] and "disaster for the wetlands" not in row["body"]
    assert row["body"].split("\n\n") == PARAGRAPHS


STORM = ("Storm closes the coastal road overnight after waves damaged the sea wall near the harbour. Crews expect to "
         "reopen it by noon on Friday, the county said in a statement on its website.")


@pytest.mark.parametrize("html, path", [
    # The only text sits where the default extraction looks away (page furniture, a comments box): fall back, keep it.
    (f"<html><body><aside><p>{STORM}</p></aside></body></html>", "trafilatura_recall"),
    (f'<html><body><div class="comments"><p>{STORM}</p></div></body></html>', "baseline"),
])
def test_page_where_trafilatura_finds_nothing_falls_back_and_says_so(html, path):
    extraction = extract_html(html, profile="fast")
    assert extraction.extractor == path
    assert " ".join(extraction.paragraphs) == STORM
    # The quality profile's other views (resiliparse, readability) may find the text before the fallbacks do.
    extraction = extract_html(html, profile="quality")
    assert extraction.extractor in (path, "views")
    assert " ".join(extraction.paragraphs) == STORM


def test_page_with_no_text_at_all_records_none():
    extraction = extract_html("<html><head><script>var x = 1;</script></head><body></body></html>")
    assert extraction.extractor == "none" and extraction.paragraphs == []


def test_windows_1252_page_with_declared_charset_decodes_without_mojibake(make_source):
    body = [text.replace("residents", "résidents’") for text in PARAGRAPHS]
    html = page(paragraphs_html(body), head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    (row,), _ = clean_pages(make_source, {"harbour.html": html.encode("cp1252")})
    assert "résidents’" in row["body"] and "Ã" not in row["body"]
    assert row["encoding"] == "cp1252"


@pytest.mark.parametrize("declared", ["iso-8859-1", "shift_jis"])
def test_a_lying_meta_charset_on_utf8_bytes_is_overruled(declared):
    html = page(paragraphs_html(["Le café était fermé — “déjà vu” à Zürich, 5 € le café crème, ça alors."] + PARAGRAPHS),
                head=f'<meta charset="{declared}">')
    text, encoding = decode_text(html.encode("utf-8"), is_html=True)
    assert encoding == "utf-8" and "“déjà vu” à Zürich" in text


def test_a_true_non_utf8_declaration_is_used():
    html = page(paragraphs_html(["東京で新しい港の計画が発表された。"] + PARAGRAPHS), head='<meta charset="shift_jis">').replace("©", "(c)")
    text, encoding = decode_text(html.encode("shift_jis"), is_html=True)
    assert encoding == "shift_jis" and "東京で新しい港の計画" in text


def test_utf16_html_with_bom_and_binary_with_html_name(make_source):
    text, encoding = decode_text(page(paragraphs_html()).encode("utf-16"), is_html=True)
    assert encoding == "utf-16" and PARAGRAPHS[0] in text
    with pytest.raises(ReadError, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n" + bytes(300), is_html=True)


def test_page_language_is_an_iso_code():
    assert page_language('<html lang="EN_gb">') == "en-gb"
    assert page_language('<html class="x" lang="pt-BR">') == "pt-BR"
    assert page_language("<html>") is None


def test_url_and_site_come_from_the_page(make_source):
    head = '<link rel="canonical" href="https://news.example.co.uk/2024/harbour">'
    (row,), _ = clean_pages(make_source, {"a/harbour.htm": page(paragraphs_html(), head=head)})
    assert row["url"] == "https://news.example.co.uk/2024/harbour"


def test_extractions_agree_on_a_contiguous_article():
    from newsclean.clean.html import agreed_paragraphs

    teaser, caption = "More stories: Five tips for the weekend", "Photo: the harbour at dawn"
    long_edge = "An analysis at the end: " + " ".join(["the harbour plan has a long history of delays"] * 5)
    default = [teaser, PARAGRAPHS[0], caption, PARAGRAPHS[1], PARAGRAPHS[2], teaser, long_edge]
    precise = [PARAGRAPHS[0], PARAGRAPHS[2]]  # precision dropped an interior paragraph and the caption
    assert agreed_paragraphs(default, precise) == ([PARAGRAPHS[0], caption, PARAGRAPHS[1], PARAGRAPHS[2], long_edge], "trafilatura")
    # They disagree on structure (precision kept text the default lacks): the precision output stands.
    assert agreed_paragraphs(default, [PARAGRAPHS[3]]) == ([PARAGRAPHS[3]], "trafilatura_precision")
    assert agreed_paragraphs(default, []) == (default, "trafilatura")


STANDFIRST = "The council backs the port's plan after years of debate, and work starts in the spring."


@pytest.mark.parametrize("dek_html, removed", [
    (f"<h2>{STANDFIRST}</h2>", True),  # a subheading under the headline that repeats the page's description: the dek
    (f"<p>{STANDFIRST}</p>", False),  # the description repeating the first paragraph: that paragraph is article
])
def test_a_standfirst_heading_goes_to_dek_not_body(make_source, dek_html, removed):
    head = f'<meta name="description" content="{STANDFIRST}">'
    (row,), lines = clean_pages(make_source, {"harbour.html": page(dek_html + paragraphs_html(), head=head)})
    assert row["dek"] == STANDFIRST
    assert (STANDFIRST not in row["body"]) is removed
    assert (("duplicate_dek" in {line["rule"] for line in lines})) is removed
    assert PARAGRAPHS[0] in row["body"] and PARAGRAPHS[-1] in row["body"]


def test_a_standfirst_after_the_first_paragraph_stays():
    from newsclean.clean.html import leading_standfirst
    from lxml import etree

    body = etree.fromstring(f"<body><head>Headline</head><p>{PARAGRAPHS[0]}</p><head>{STANDFIRST}</head></body>")
    assert leading_standfirst(body, STANDFIRST) is None
    body = etree.fromstring(f"<body><head>Headline</head><head>{STANDFIRST}</head><p>{PARAGRAPHS[0]}</p></body>")
    assert leading_standfirst(body, STANDFIRST) == STANDFIRST
    assert leading_standfirst(body, None) is None


MENU = "".join(f'<li><a href="/s/{n}">Section {n}</a></li>' for n in range(60))


def test_navigation_or_a_layout_table_counts_as_no_article():
    from newsclean.clean.html import looks_like_layout

    assert looks_like_layout([f"Section {n}" for n in range(40)])
    assert not looks_like_layout([f"Section {n}" for n in range(10)])  # a short list of short lines is no menu
    assert not looks_like_layout(PARAGRAPHS + [f"- item {n}" for n in range(10)])
    assert looks_like_layout(["| " + " ".join(PARAGRAPHS) + " |"])  # the article flattened into one table row
    assert not looks_like_layout(PARAGRAPHS + ["| 2023 | 4.5 % |", "| 2024 | 3.9 % |"])  # a data table inside an article


def test_a_fast_pass_that_finds_only_the_menu_is_extracted_again(monkeypatch):
    import trafilatura

    html = (f'<html><body><div class="content"><ul>{MENU}</ul></div>'
            f'<div id="x9"><div><p>{"</p><p>".join(PARAGRAPHS)}</p></div></div></body></html>')
    passes = []
    real = trafilatura.bare_extraction

    def fast_finds_the_menu(page, **options):  # what the fast pass returns on some real pages: the menu
        passes.append(options.get("fast", False))
        document = real(page, **options)
        if options.get("fast"):
            document.text = "\n".join(f"Section {n}" for n in range(60))
        return document

    monkeypatch.setattr(trafilatura, "bare_extraction", fast_finds_the_menu)
    extraction = extract_html(html, profile="fast")
    assert passes[:2] == [True, False]  # the fast pass, then the full one
    assert extraction.extractor == "trafilatura_compared"
    assert not any(line.startswith("Section ") for line in extraction.paragraphs)
    assert PARAGRAPHS[0] in extraction.paragraphs


def test_the_skipped_tag_search_is_put_back_for_other_callers():
    import trafilatura

    html = page(paragraphs_html() + '<div class="tags"><a href="/tag/harbour/">harbour</a></div>')
    assert trafilatura.bare_extraction(html, with_metadata=True).tags == ["harbour"]
    extract_html(html, profile="fast")  # the fast profile skips the tag search
    assert trafilatura.bare_extraction(html, with_metadata=True).tags == ["harbour"]
