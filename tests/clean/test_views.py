"""The quality profile's views of a page (other extractors) and their combiner: the model's loading (once, with clear
errors), the views on a hand-made page, the union of lines, and pages of each type through the real flow."""
from pathlib import Path

import numpy as np
import pytest

from newsclean.clean import ensemble, page_type as pt, views

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "page_types"
ARTICLE = [
    "The city council voted on Tuesday to expand the harbour, a project that has divided residents for years.",
    "Supporters say the expansion will bring hundreds of jobs and allow larger cargo ships to dock in the bay.",
    "Opponents argue that the construction will damage the wetlands and increase traffic through the old town.",
    "The mayor said the final plans would be published next month, after a review by independent engineers.",
]
MENU = ["Home", "World", "Sport", "Weather", "Contact"]


def article_page() -> str:
    menu = "".join(f'<li><a href="/{item.lower()}">{item}</a></li>' for item in MENU)
    body = "".join(f"<p>{line}</p>" for line in ARTICLE)
    return (f"<html><head><title>Harbour</title></head><body><nav><ul>{menu}</ul></nav><main><article><h1>Harbour "
            f"expansion approved</h1>{body}</article></main><footer><p>Copyright Example Herald</p></footer></body></html>")


def test_the_shipped_combiner_loads_once_and_uses_views_it_can_compute():
    ensemble.load_model.cache_clear()
    model = ensemble.load_model()
    assert ensemble.load_model() is model  # read once per process
    assert model.view_names[:2] == ("trafilatura", "resiliparse") and model.order[0] == "trafilatura"
    assert set(model.view_names[1:]) <= set(views.VIEWS)  # every other view is one views.py computes
    assert all(0 <= drop <= 1 and 0 < add and 0 <= agree for drop, add, agree in model.by_type.values())
    assert ensemble.MODEL_PATH.stat().st_size < 5_000_000
    report = ensemble.load_cv_report()
    entry = report[report["shipped"]]
    assert report["folds"] >= 2 and set(entry["oof"][entry["combiner"]]) >= {"all", "article", "forum"}
    assert set(model.mode.values()) <= {"lines", "select"} and set(model.select_views) <= set(model.view_names[1:])
    assert model.select_coef.shape == (len(model.select_views), len(model.choice_features({})))


def _model_with(**changes) -> ensemble.ViewsModel:
    with np.load(ensemble.MODEL_PATH, allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    stored.update(changes)
    return ensemble.ViewsModel(stored)


def test_the_page_level_choice_takes_the_view_with_the_largest_gain_sklearn_estimates():
    from sklearn.linear_model import Ridge

    names = ensemble.load_model().view_names
    rng = np.random.default_rng(4)
    pages = [{name: ARTICLE[: rng.integers(0, 5)] + MENU[: rng.integers(0, 6)] for name in names} for _ in range(60)]
    unfitted = _model_with(view_names=np.array(names))
    features = np.array([unfitted.choice_features(page) for page in pages])
    gains = rng.normal(0.0, 0.1, size=(len(pages), len(names) - 1))  # any targets: the numpy model must predict as sklearn's
    fitted = Ridge(alpha=1.0).fit(features, gains)
    own_margins = np.zeros(len(names) - 1)
    own_margins[1] = 0.05  # one view must beat trafilatura's by more than the others
    model = _model_with(view_names=np.array(names), select_views=np.array(names[1:]), select_coef=fitted.coef_,
                        select_intercept=fitted.intercept_, view_margins=own_margins)
    estimated = fitted.predict(features)
    assert np.allclose([[model.view_gains(page)[name] for name in names[1:]] for page in pages], estimated)
    for margin in (0.0, float(np.median(estimated.max(axis=1)))):
        over = estimated - margin - own_margins
        expected = [names[1 + int(np.argmax(row))] if row.max() >= 0 else "trafilatura" for row in over]
        assert [model.select(page, margin) for page in pages] == expected
        assert "trafilatura" in expected and len(set(expected)) > 2  # both branches taken
    # the view with the margin loses pages it would win without it
    plain = _model_with(view_names=np.array(names), select_views=np.array(names[1:]), select_coef=fitted.coef_,
                        select_intercept=fitted.intercept_, view_margins=np.zeros(len(names) - 1))
    assert sum(plain.select(page) == names[2] for page in pages) > sum(model.select(page) == names[2] for page in pages)


def test_a_views_estimated_f1_counts_its_lines_words_as_content_by_their_probability():
    candidates = ["Home", "The council voted to expand the harbour", "Residents are divided on the plan", "Contact"]
    content = np.array([0.0, 1.0, 1.0, 0.0])  # the line classifier's probabilities
    in_views = np.array([[0, 0, 1],  # columns: a view with the content only, one with half of it, one with all lines
                         [1, 1, 1],
                         [1, 0, 1],
                         [0, 0, 1]])
    exact, half, everything = ensemble.estimated_f1s(candidates, in_views, content, 3)
    assert exact == pytest.approx(1.0)
    assert half == pytest.approx(2 * (7 / 13) / (1 + 7 / 13))  # precision 1, recall 7 of 13 content words
    assert everything == pytest.approx(2 * (13 / 15) / (13 / 15 + 1))  # 2 menu words among 15
    assert ensemble.estimated_f1s([], np.zeros((0, 0)), np.zeros(0), 2) == [0.0, 0.0]


def test_on_a_page_type_given_to_the_page_level_choice_the_text_is_one_views_whole():
    kinds = ensemble.load_model().by_type
    model = _model_with(mode=np.array(["select"] * len(kinds)))
    page_views = {name: ARTICLE[:2] for name in model.view_names}
    page_views["resiliparse"] = MENU
    kept = model.keep(page_views, "article")
    assert kept == page_views[model.select(page_views, page_type="article")]


def _choosing(winner: str, dedupe: bool) -> ensemble.ViewsModel:
    """The shipped model, choosing `winner` on every page (a constant estimated gain)."""
    shipped = ensemble.load_model()
    others = shipped.select_views
    return _model_with(mode=np.array(["select"] * len(shipped.by_type)), view_margins=np.zeros(len(others)),
                       select_coef=np.zeros((len(others), len(shipped.choice_features({})))),
                       select_intercept=np.array([1.0 if name == winner else -1.0 for name in others]),
                       dedupe=np.array(dedupe))


def test_a_view_taken_in_place_of_trafilaturas_keeps_a_repeated_line_once():
    cards = [line for title in ARTICLE[:2] for line in (title, "Add to cart", "}")]  # "}": a code line, no words
    page_views = {name: cards for name in ensemble.load_model().view_names}
    once = [ARTICLE[0], "Add to cart", "}", ARTICLE[1], "}"]
    assert _choosing("resiliparse", dedupe=True).keep(page_views, "article") == once
    assert _choosing("resiliparse", dedupe=False).keep(page_views, "article") == cards
    assert _choosing("trafilatura", dedupe=True).keep(page_views, "article") == cards  # trafilatura's text stands


def test_the_pages_whole_visible_text_is_never_taken_on_a_page_called_an_article_or_a_product():
    page_views = {name: ARTICLE[:2] for name in ensemble.load_model().view_names}
    page_views["page_text"] = MENU + ARTICLE[:2] + ["More stories from the harbour"]
    model = _choosing("page_text", dedupe=False)
    for page_type in ("listing", "collection", "forum"):
        assert model.keep(page_views, page_type) == page_views["page_text"], page_type
    for page_type in ("article", "product"):
        assert model.keep(page_views, page_type) == page_views["trafilatura"], page_type


def test_a_missing_model_file_is_an_error_that_names_the_command(tmp_path):
    with pytest.raises(RuntimeError, match="bench.train_views"):
        ensemble.load_model.__wrapped__(tmp_path / "absent.npz")


def test_a_model_made_for_other_features_is_refused(tmp_path):
    with np.load(ensemble.MODEL_PATH, allow_pickle=False) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    stored["features_version"] = np.array(ensemble.FEATURES_VERSION + 1)
    np.savez(tmp_path / "old.npz", **stored)
    with pytest.raises(RuntimeError, match="retrain"):
        ensemble.load_model.__wrapped__(tmp_path / "old.npz")


@pytest.mark.parametrize("name", sorted(set(views.VIEWS) - {"justext"}))  # jusText wants longer paragraphs than these
def test_each_view_finds_the_article_of_a_plain_page(name):
    lines = views.VIEWS[name](article_page())
    text = "\n".join(lines)
    assert ARTICLE[1] in text and ARTICLE[2] in text  # baseline joins the paragraphs it finds into one line
    if name not in ("baseline", "justext"):  # those two keep any paragraph-like text
        assert not set(MENU) & set(lines)


def test_reader_comments_are_in_no_view_of_an_article_and_in_those_that_read_comments_elsewhere():
    comment = "Great news, finally! I have waited years for this harbour to be rebuilt, well done to the council."
    page = article_page().replace("</article>", f'</article><section id="comments" class="comment-list"><p>{comment}</p>'
                                                '</section>')
    for name in ("resiliparse", "page_text", "trafilatura_recall"):
        text = "\n".join(views.view(name, page, "article"))
        assert ARTICLE[1] in text and comment not in text, name
    # a forum's posts and a shop's reviews are marked up as comments: there they are the content
    for page_type in ("forum", "product"):
        for name in views.COMMENT_VIEWS:
            text = "\n".join(views.view(name, page, page_type))
            assert ARTICLE[1] in text and comment in text, (name, page_type)


def test_a_view_that_fails_on_a_page_gives_no_lines_not_an_error():
    for name in ("resiliparse", "readability", "justext", "page_text"):
        assert views.VIEWS[name]("") == []


def test_the_page_text_view_keeps_every_card_and_drops_the_chrome_around_them():
    cards = [f"Harbour walk {index}: a guided tour of the old docks, two hours, from 12 euros" for index in range(6)]
    grid = "".join(f'<div class="card"><h3><a href="/t/{index}">{card}</a></h3></div>' for index, card in enumerate(cards))
    content = (f'<h1>All tours</h1><div class="grid unavailable">{grid}</div><span class="share-buttons">Share this</span>'
               f' Prices include<!-- the text after a comment stays --> the guide. <div hidden>Sign in</div><div aria-hidden="true">Close</div>')
    chrome = ('<div class="site-header">Example Tours</div><div role="navigation">Tours | Prices</div>'
              '<div class="main-menu_wrap">Menu</div>')
    expected = ["All tours", *cards, "Prices include the guide."]  # "unavailable" holds "nav", not as a word
    page = f'<html><body>{chrome}<div id="content">{content}</div><div id="cookie-consent">We use cookies</div></body></html>'
    assert views.page_text_view(page) == expected
    # with a main landmark, only its text is read: "Other tours" is not chrome by its marks, but it is outside
    landmark = f'<html><body><div class="promo">Other tours</div><div role="main">{content}</div></body></html>'
    assert views.page_text_view(landmark) == expected


def test_the_union_keeps_the_first_views_order_and_puts_new_lines_after_the_last_shared_one():
    page_views = {"a": ["Title", "First paragraph", "Second paragraph"],
                  "b": ["Menu", "First paragraph", "A caption", "Second paragraph", "Footer"]}
    assert ensemble.union_lines(page_views, ("a", "b")) == [
        "Menu", "Title", "First paragraph", "A caption", "Second paragraph", "Footer"]
    assert ensemble.union_lines(page_views, ("a",)) == page_views["a"]


def test_the_combiner_asks_the_costly_views_only_where_the_cheap_ones_disagree_and_keeps_what_all_views_have():
    model = ensemble.load_model()
    assert set(model.by_type) == set(pt.PAGE_TYPES)
    used = [kind for kind in pt.PAGE_TYPES if model.used_on(kind)]
    assert used, "the combiner is used on no page type: then the quality profile is trafilatura alone"
    kind = used[0]
    disagreeing = {name: ARTICLE for name in model.view_names}
    disagreeing["resiliparse"] = MENU
    assert not model.agree(disagreeing, kind)
    # with a share to meet (the shipped one may be 2.0: the combiner on every page), agreeing views skip it
    sharing = _model_with(agree=np.full(len(model.by_type), 0.9))
    assert sharing.agree({"trafilatura": ARTICLE, "resiliparse": ARTICLE}, kind)
    assert not sharing.agree(disagreeing, kind)
    for mode in ("lines", "select"):  # the line classifier and the page-level choice, with the shipped weights
        kept = _model_with(mode=np.array([mode] * len(model.by_type))).keep(disagreeing, kind)
        assert ARTICLE[1] in kept and ARTICLE[2] in kept, mode


@pytest.mark.usefixtures("prefect_server")
def test_a_page_of_each_type_goes_through_the_views_in_the_real_flow():
    import trafilatura

    from bench.quality import flow_rows  # the real flow, its articles and quarantine read back from Parquet
    from newsclean.clean.html import combined_views

    by_name, _ = flow_rows(PAGES, "quality")
    assert set(by_name) == {page.stem for page in PAGES.glob("*.html")}  # none rejected
    for name, row in by_name.items():
        html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
        combined = combined_views(html, trafilatura.extract(html, include_comments=False) or "", row["page_type"])
        # the extractor column says which path produced the body: the combiner's where it changed trafilatura's lines
        assert row["extractor"] == ("views" if combined is not None else "trafilatura"), (name, row["extractor"])
        assert row["body"].strip()
    # pages whose views disagree (a listing's cards, a forum's replies, a service page's sections) go through the combiner
    assert any(row["extractor"] == "views" for row in by_name.values())
