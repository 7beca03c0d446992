"""Third-party patches (newsclean/patches.py): each selects and extracts exactly what the library as shipped does,
is put back after its last user, also under overlapping use, and is off outside its tested versions or by setting."""
import logging
import re
import subprocess
import sys
import textwrap
import threading

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree, html as lxml_html

from newsclean import patches
from newsclean.clean.html import extract_html
from newsclean.patches import rewrite

from .conftest import ROOT

SWAPS = patches._xpath_swaps()
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
        with patches.applied(*patches.TRAFILATURA):
            assert xpaths.BODY_XPATH[0] is not expression and trafilatura.utils.HTML_PARSER is not parser
            raise RuntimeError("the block fails")
    assert xpaths.BODY_XPATH[0] is expression and trafilatura.utils.HTML_PARSER is parser
    form = lxml_html.fromstring("<form><input name='q'></form>", parser=parser)
    assert isinstance(form, lxml_html.FormElement)  # trafilatura's own parser is lxml.html's, form classes and all


def _originals():
    import trafilatura.utils
    import trafilatura.xpaths as xpaths

    return xpaths.BODY_XPATH[0], trafilatura.utils.HTML_PARSER


def test_overlapping_use_puts_the_originals_back_after_the_last_user():
    """Two users whose blocks overlap (A in, B in, A out, B out): B must not put A's replacements back as "originals"
    (which left a replacement installed for good before the patches were reference-counted)."""
    shipped = _originals()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def user_a():
        with patches.applied(*patches.TRAFILATURA):
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def user_b():
        a_in.wait(10)
        with patches.applied(*patches.TRAFILATURA):
            b_in.set()
            a_out.wait(10)
            seen["inside_b_after_a"] = _originals()

    threads = [threading.Thread(target=user_a), threading.Thread(target=user_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert all(now is not before for now, before in zip(seen["inside_b_after_a"], shipped))  # still patched for B
    assert _originals() == shipped  # and stock once the last user left


def test_nested_use_keeps_the_replacements_until_the_outer_block_ends():
    shipped = _originals()
    with patches.applied(*patches.TRAFILATURA):
        with patches.applied(*patches.TRAFILATURA):
            pass
        assert all(now is not before for now, before in zip(_originals(), shipped))
    assert _originals() == shipped


def test_outside_its_tested_versions_a_patch_is_off_with_one_log_line(monkeypatch, caplog):
    untested = patches.Patch("trafilatura_xpath_untested", "trafilatura", ("0.1", "0.2"), patches._xpath_swaps)
    shipped = _originals()
    with caplog.at_level(logging.WARNING, logger="newsclean.patches"):
        for _ in range(3):
            with patches.applied(untested):
                assert _originals() == shipped
    assert [record.getMessage() for record in caplog.records if "untested" in record.getMessage()] == [
        f"newsclean: trafilatura {patches.version('trafilatura')} is outside the versions patch "
        "trafilatura_xpath_untested was tested with (>=0.1,<0.2): running it as shipped"]


def test_the_setting_turns_every_patch_off(monkeypatch):
    monkeypatch.setattr(patches.settings, "PATCHES", "none")
    patches.enabled.cache_clear()
    try:
        shipped = _originals()
        with patches.applied(*patches.TRAFILATURA):
            assert _originals() == shipped
    finally:
        monkeypatch.undo()
        patches.enabled.cache_clear()
    assert patches.enabled(patches.TRAFILATURA_XPATH)


def test_a_list_of_names_applies_only_those(monkeypatch):
    monkeypatch.setattr(patches.settings, "PATCHES", " great_expectations_imports")
    patches.enabled.cache_clear()
    try:
        assert [patches.enabled(patches.TRAFILATURA_XPATH), patches.enabled(patches.GREAT_EXPECTATIONS_IMPORTS)] == [False, True]
    finally:
        monkeypatch.undo()
        patches.enabled.cache_clear()


# og:type article, as a news page carries it: a page called a forum keeps its reader comments (its posts) in the views
PAGE = """<html><head><title>Harbour expansion approved</title><meta property="og:type" content="article"></head><body>
<nav class="site-nav"><a href="/">Home</a></nav><div class="commentary-column"><h1>Harbour expansion approved</h1>
{paragraphs}<form class="newsletter"><label>Email</label><input name="email"></form></div>
<div id="comments" class="comments-list"><p>Great news, finally! I have waited years for this day to come.</p></div>
<div class="author-name">By Jane Doe</div><aside class="cookie-banner">We use cookies to improve your experience.</aside>
<div class="share-bar">Share this article</div></body></html>"""


@pytest.mark.parametrize("profile", ["quality", "fast"])
def test_an_extraction_is_the_same_with_and_without_them(monkeypatch, profile):
    paragraphs = "".join(f"<p>Paragraph {index}: the council voted on Tuesday to expand the harbour, a project that has "
                         f"divided the residents of the old town for years.</p>" for index in range(6))
    page = PAGE.format(paragraphs=paragraphs)
    extraction = extract_html(page, profile=profile)
    monkeypatch.setattr(patches.settings, "PATCHES", "none")
    patches.enabled.cache_clear()
    try:
        assert extract_html(page, profile=profile) == extraction
    finally:
        monkeypatch.undo()
        patches.enabled.cache_clear()
    assert extraction.authors == ["Jane Doe"] and not any("Great news" in line for line in extraction.paragraphs)


# Deferred imports: Great Expectations validates and builds its report without importing scipy.stats or altair,
# which load at their first use; fresh interpreters, since the test process may have imported them already.

def run_python(code: str, tmp_path) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_run_validates_and_reports_without_scipy_stats_which_loads_at_its_first_use(tmp_path):
    out = run_python(f"""
        import datetime as dt, sys
        from pathlib import Path
        from newsclean.validate.checks import Validator
        validator = Validator(today=dt.date(2026, 11, 22), docs_dir=Path({str(tmp_path / "docs")!r}))
        rows = [{{"doc_id": str(n), "body": "A long enough body of text for the checks to pass. " * 10, "word_count": 100 if n else 1,
                 "published_date": None, "language": None}} for n in range(50)]
        outcome = validator.validate(rows)
        validator.build_data_docs()
        print(len(outcome.quarantined), "scipy.stats._stats_py" in sys.modules, "altair.vegalite" in sys.modules)
        from scipy import stats  # as Great Expectations' KL-divergence expectation does
        print(round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 4), "scipy.stats._stats_py" in sys.modules)
        import scipy, scipy.stats.mstats
        print(type(sys.modules["scipy.stats"]).__name__, scipy.stats is sys.modules["scipy.stats"], scipy.stats.mstats.__name__)
    """, tmp_path)
    assert out.split("\n")[:3] == ["1 False False", "0.5108 True", "module True scipy.stats.mstats"]


def test_a_module_imported_already_or_absent_is_left_alone_and_a_failing_import_fails_at_each_use(tmp_path):
    (tmp_path / "broken_module.py").write_text("raise ImportError('broken on purpose')\n")
    out = run_python("""
        import json, sys
        from newsclean.patches import DeferredModule, defer
        defer("json"); defer("no_such_module_here")
        print(sys.modules["json"] is json, "no_such_module_here" in sys.modules)
        defer("broken_module")
        import broken_module  # the stand-in: nothing runs yet
        for attempt in range(2):
            try:
                broken_module.anything
            except ImportError as error:
                print(error, isinstance(sys.modules["broken_module"], DeferredModule))
    """, tmp_path)
    assert out.split("\n")[:3] == ["True False", "broken on purpose True", "broken on purpose True"]
