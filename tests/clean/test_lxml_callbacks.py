"""trafilatura with fewer of lxml's calls back into Python (newsclean/clean/lxml_callbacks.py): the same elements and the
same extraction, whatever the document."""
import contextlib
import re

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree, html as lxml_html

from newsclean.clean import lxml_callbacks
from newsclean.clean.html import extract_html
from newsclean.clean.lxml_callbacks import fewer_lxml_callbacks, rewrite

SWAPS = lxml_callbacks._swaps()
EXPRESSIONS = [(original, replacement) for *_, original, replacement in SWAPS if isinstance(original, etree.XPath)]
TAGS = ["div", "section", "article", "main", "a", "span", "p", "ul", "ol", "li", "list", "details", "aside", "footer",
        "header", "h3", "h4", "strong", "address", "link", "figure", "time", "nav", "form", "input", "td"]
# Words from trafilatura's own patterns, so that generated attributes match them (or nearly: 'commentary', a prefix)
WORDS = sorted({word for original, _ in EXPRESSIONS for pattern in re.findall(r"re:test\([^,]+,\s*'([^']*)'", original.path)
                for word in re.findall(r"[A-Za-z][A-Za-z_-]{2,}", pattern)}) + ["", "ary", "x", "Comment", "bottom", "link"]
attribute_values = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(["", " ", "-", "_", "x", "\n"]),
                                      st.sampled_from([str, str.upper, str.capitalize])),
                            max_size=3).map(lambda parts: "".join(case(word) + separator for word, separator, case in parts))
elements = st.lists(st.tuples(st.sampled_from(TAGS), st.one_of(st.none(), attribute_values),
                              st.one_of(st.none(), attribute_values), st.booleans(), st.integers(0, 3)),
                    min_size=1, max_size=25)


def build_document(specs) -> etree._Element:
    """A page of nested elements with the given class and id values, `id` before `class` or after it (the order
    decides which one `@id|@class` tests)."""
    root = lxml_html.document_fromstring("<html><head><title>t</title></head><body></body></html>")
    opened = [root.find("body")]
    for tag, class_value, id_value, id_first, depth in specs:
        parent = opened[min(depth, len(opened) - 1)]
        element = etree.SubElement(parent, tag)
        attributes = [("id", id_value), ("class", class_value)]
        for name, value in attributes if id_first else reversed(attributes):
            if value is not None:
                element.set(name, value)
        element.text = "text"
        opened = opened[:min(depth, len(opened) - 1) + 1] + [element]
    return root


def test_trafilatura_expressions_are_rewritten():
    """The equivalence below means something only if there are rewrites: every regex test over attributes goes."""
    assert len(EXPRESSIONS) >= 15
    for original, replacement in EXPRESSIONS:
        assert replacement.path.count("re:test(string(") == original.path.count("re:test(") > 0


@settings(max_examples=300, deadline=None)
@given(elements)
def test_every_rewritten_expression_selects_what_trafilatura_selects(specs):
    document = build_document(specs)
    for original, replacement in EXPRESSIONS:
        assert replacement(document) == original(document), original.path


def test_a_regex_test_is_guarded_by_its_attributes():
    assert rewrite(r"//div[re:test(@class, '(^|\s)bottom')]") == r"//div[((@class) and re:test(string(@class), '(^|\s)bottom'))]"
    assert rewrite("//div[re:test(@id|@class, 'cookie', 'i')]") == "//div[((@id|@class) and re:test(string(@id|@class), 'cookie', 'i'))]"
    assert rewrite("""//a[re:test(@title, "it's")]""") == """//a[((@title) and re:test(string(@title), "it's"))]"""


@pytest.mark.parametrize("path", [
    "//div[re:test(@class, 'a*')]",  # matches '': true without the attribute
    "//div[re:test(@class, '^$|x')]",
    "//div[re:test(string(.), 'news')]",  # not a test of attributes
    "//div[re:test(@class, $pattern)]",  # not a literal pattern
    "//div[@title='re:test(@class, \"a\")']",  # inside a string literal
    "//div[re:test(@class, '[')]",  # not a pattern re compiles
])
def test_what_the_guard_could_change_is_left_alone(path):
    assert rewrite(path) == path


def test_the_originals_are_put_back_for_other_callers():
    import trafilatura.utils
    import trafilatura.xpaths as xpaths

    expression, parser = xpaths.BODY_XPATH[0], trafilatura.utils.HTML_PARSER
    with pytest.raises(RuntimeError):
        with fewer_lxml_callbacks():
            assert xpaths.BODY_XPATH[0] is not expression and trafilatura.utils.HTML_PARSER is not parser
            raise RuntimeError("the block fails")
    assert xpaths.BODY_XPATH[0] is expression and trafilatura.utils.HTML_PARSER is parser
    form = lxml_html.fromstring("<form><input name='q'></form>", parser=parser)
    assert isinstance(form, lxml_html.FormElement)  # trafilatura's own parser is lxml.html's, form classes and all


PAGE = """<html><head><title>Harbour expansion approved</title></head><body>
<nav class="site-nav"><a href="/">Home</a></nav><div class="commentary-column"><h1>Harbour expansion approved</h1>
{paragraphs}<form class="newsletter"><label>Email</label><input name="email"></form></div>
<div id="comments" class="comments-list"><p>Great news, finally! I have waited years for this day to come.</p></div>
<div class="author-name">By Jane Doe</div><aside class="cookie-banner">We use cookies to improve your experience.</aside>
<div class="share-bar">Share this article</div></body></html>"""


def test_an_extraction_is_the_same_with_and_without_them(monkeypatch):
    paragraphs = "".join(f"<p>Paragraph {index}: the council voted on Tuesday to expand the harbour, a project that has "
                         f"divided the residents of the old town for years.</p>" for index in range(6))
    page = PAGE.format(paragraphs=paragraphs)
    extraction = extract_html(page, profile="fast")  # the profile that uses them
    monkeypatch.setattr(lxml_callbacks, "fewer_lxml_callbacks", contextlib.nullcontext)
    assert extract_html(page, profile="fast") == extraction
    assert extraction.authors == ["Jane Doe"] and not any("Great news" in line for line in extraction.paragraphs)
