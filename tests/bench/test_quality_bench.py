"""The quality benchmark's line ceiling: a cleaner told by the truth which lines are the article's."""
from bench.quality import line_ceiling, told_lines

ARTICLE = ["The council approved the new budget on Tuesday after a long debate about school funding.",
           "Opponents said the plan would raise taxes for families who already struggle to pay their bills."]
FURNITURE = ["Share this story on Facebook Twitter and email now", "Read more about the city council elections here"]


def test_told_lines_keeps_the_article_lines_and_drops_the_others():
    text = "\n".join([FURNITURE[0], ARTICLE[0], FURNITURE[1], ARTICLE[1]])
    assert told_lines(text, "\n\n".join(ARTICLE), 0.5).splitlines() == ARTICLE


def test_a_line_half_article_half_furniture_stays_or_goes_by_the_share():
    mixed = ARTICLE[0] + " " + FURNITURE[0]
    assert told_lines(mixed, ARTICLE[0], 0.3) == mixed
    assert told_lines(mixed, ARTICLE[0], 0.9) == ""


def test_line_ceiling_is_perfect_on_separable_text_and_bounded_by_what_the_text_lost():
    truth = {"a": "\n\n".join(ARTICLE), "b": "\n\n".join(ARTICLE)}
    texts = {"a": "\n".join(FURNITURE + ARTICLE), "b": "\n".join(FURNITURE + ARTICLE[:1])}  # b lost a paragraph
    score, _ = line_ceiling(texts, truth)
    assert score.precision == 1.0
    assert 0.5 < score.recall < 1.0  # b's lost paragraph cannot come back: recall is the input's


def test_a_short_line_of_the_article_is_covered_by_its_neighbours_shingles():
    truth = ARTICLE[0] + "\n\nCouncil budget\n\n" + ARTICLE[1]
    text = "\n".join([ARTICLE[0], "Council budget", FURNITURE[0], ARTICLE[1]])
    assert told_lines(text, truth, 1.0).splitlines() == [ARTICLE[0], "Council budget", ARTICLE[1]]
