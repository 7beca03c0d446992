"""WCXB's metric (shared/bench/wcxb-dev/README.md) on hand-made cases whose figures are worked out by hand."""
import pytest

from bench.metric import mean_bag_score, score_page_bag


def test_identical_text_scores_one_whatever_its_case_punctuation_and_layout():
    score = score_page_bag("The Cat sat.\n\nOn the MAT!", "the cat sat on the mat")
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


def test_tokens_are_a_bag_counted_with_multiplicity():
    # prediction: the x3, cat; truth: the x1, cat, sat. Overlap = min(3,1) + 1 = 2.
    score = score_page_bag("the the the cat", "the cat sat")
    assert score.precision == pytest.approx(2 / 4)
    assert score.recall == pytest.approx(2 / 3)
    assert score.f1 == pytest.approx(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3))


def test_word_order_does_not_matter_but_punctuation_splits_tokens():
    assert score_page_bag("mat the on sat cat the", "the cat sat on the mat").f1 == 1.0
    # "e-mail" is two tokens, "e" and "mail"; "email" one: no overlap.
    assert score_page_bag("email", "e-mail").f1 == 0.0
    assert score_page_bag("e mail", "e-mail").f1 == 1.0


def test_unicode_words_are_tokens():
    assert score_page_bag("Überall Straße", "überall straße").f1 == 1.0


def test_an_empty_prediction_scores_zero():
    empty = score_page_bag("", "the cat sat")
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
    assert score_page_bag("... !!", "the cat sat").f1 == 0.0  # punctuation only: no token


def test_a_page_without_main_content_scores_one_only_when_nothing_is_extracted():
    assert score_page_bag("", "").f1 == 1.0
    assert score_page_bag("— |", " ").f1 == 1.0
    assert score_page_bag("the cat", "").f1 == 0.0


def test_disjoint_text_scores_zero():
    assert score_page_bag("dogs bark", "cats purr").f1 == 0.0


def test_corpus_figures_are_the_means_of_the_page_values():
    pages = [score_page_bag("the cat sat", "the cat sat"), score_page_bag("the the the cat", "the cat sat")]
    corpus = mean_bag_score(pages)
    assert corpus.precision == pytest.approx((1 + 0.5) / 2)
    assert corpus.recall == pytest.approx((1 + 2 / 3) / 2)
    # the mean of the page F1s, not the F1 of the mean P and R
    assert corpus.f1 == pytest.approx((1 + pages[1].f1) / 2)
    assert corpus.f1 != pytest.approx(2 * corpus.precision * corpus.recall / (corpus.precision + corpus.recall))
