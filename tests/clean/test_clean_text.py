"""The plain-text cleaner: metadata by position, duplicate titles, blank-looking lines, and the line accounting."""
import datetime as dt

import pytest

from hypothesis import given, settings, strategies as st

from newsclean.clean.text import clean_text, normalize_line, split_lines
from newsclean.clean import metadata as md

ARTICLE = [
    "The council approved the new budget on Tuesday after a long debate that lasted into the night.",
    "Opposition members said the plan would cut services, while the mayor called it a responsible compromise.",
]


def test_section_title_dek_date_and_duplicate_title():
    text = "\n".join(["WORLD", "", "Leaders meet to discuss the climate deal", "", "• Talks run late into the night",
                      "Published March 3, 2023", "Leaders meet to discuss the climate deal", "", *ARTICLE])
    cleaned = clean_text(text)
    assert (cleaned.section, cleaned.title, cleaned.dek) == ("WORLD", "Leaders meet to discuss the climate deal",
                                                             "Talks run late into the night")
    assert cleaned.published_date == dt.date(2023, 3, 3)
    assert cleaned.paragraphs == ARTICLE
    assert [(r.line_no, r.kind) for r in cleaned.removed_lines] == [(7, "duplicate_title")]


def test_dek_between_title_and_iso_date_even_with_final_period():
    text = "\n".join(["Floods close schools across the province", "Officials expect the water to recede by Friday.",
                      "2024-09-04", *ARTICLE])
    cleaned = clean_text(text)
    assert cleaned.dek == "Officials expect the water to recede by Friday."
    assert cleaned.published_date == dt.date(2024, 9, 4)
    assert cleaned.paragraphs == ARTICLE


def test_document_starting_with_prose_has_no_title():
    cleaned = clean_text("\n\n".join(ARTICLE))
    assert cleaned.title is None and cleaned.section is None
    assert cleaned.paragraphs == ARTICLE


def test_a_line_that_leads_a_list_is_not_a_headline_and_the_list_is_not_a_dek():
    lead = "What is new in the September update?"
    items = ["- New tasks for the game", "- Better Android support"]
    cleaned = clean_text("\n".join([lead, *items, *ARTICLE]))
    assert cleaned.title is None and cleaned.dek is None
    assert cleaned.paragraphs == [lead, *items, *ARTICLE]


@pytest.mark.parametrize("first_line", [
    "Your mindset matters. Here is why",  # two sentences
    "HAYWARD, Calif. (AP) — The latest on a stabbing on a commuter train",  # a wire story's first paragraph
    "Tested by: Jane Doe More info: www.example.com",  # names a web address
])
def test_first_lines_that_are_not_headlines_stay_in_the_body(first_line):
    cleaned = clean_text("\n".join([first_line, *ARTICLE]))
    assert cleaned.title is None
    assert cleaned.paragraphs[0] == first_line


def test_section_label_right_above_the_headline_survives_a_page_menu():
    menu = ["Home", "World", "Business", "Sport", "Culture", "Opinion", "Video", "Podcasts", "Newsletters", "Contact"]
    footer = ["About us", "Careers", "Advertise", "Privacy", "Terms", "Cookie settings", "Sitemap", "Help"]
    prose = [f"{sentence} The committee met for the {n}th time this year to review the proposal in detail."
             for n, sentence in enumerate(ARTICLE * 3, start=4)]
    text = "\n".join([*menu * 2, "Pakistan", "Army chief meets counterparts to discuss border security", *prose, *footer * 2])
    cleaned = clean_text(text)
    assert (cleaned.section, cleaned.title) == ("Pakistan", "Army chief meets counterparts to discuss border security")
    assert cleaned.paragraphs == prose


def test_a_sentence_above_the_headline_stays_in_the_body():
    sentence = "Le café était fermé. “Déjà vu”, a dit l’élève — 5 € la tasse à Zürich."  # the detector cuts it as a top
    cleaned = clean_text("\n".join([sentence, "Council approves new flood defences", *ARTICLE]))
    assert cleaned.paragraphs[0] == sentence
    assert all(record.text != sentence for record in cleaned.removed_lines)


def test_byline_goes_to_authors():
    cleaned = clean_text("\n".join(["Rates rise again as inflation persists", "By Jane Doe and John Roe", *ARTICLE]))
    assert cleaned.authors == ["Jane Doe", "John Roe"]
    assert cleaned.paragraphs == ARTICLE


def test_nbsp_only_lines_are_blank_looking_and_body_spaces_are_folded():
    nbsp = "\u00a0"
    cleaned = clean_text("\n".join([ARTICLE[0], nbsp, nbsp + " ", ARTICLE[1].replace(" ", nbsp, 3)]))
    assert [r.kind for r in cleaned.removed_lines] == ["blank_looking", "blank_looking"]
    assert cleaned.paragraphs == ARTICLE


_SPACES = [chr(code) for code in range(0x3001) if chr(code).isspace()] + ["\u200b", "\ufeff"]


def _folded_spaces(line: str) -> str:
    return " ".join(line.replace("\u200b", " ").replace("\ufeff", " ").split())


@pytest.mark.parametrize("space", _SPACES, ids=lambda space: f"U+{ord(space):04X}")
def test_every_kind_of_space_is_folded_wherever_it_sits(space):
    # normalize_line returns a line that looks normal as it is: every space but " " must stop it from looking so
    for line in (f"a{space}b", f"{space}ab", f"ab{space}", f"a {space}b", f"a{space}{space}b", f"“a”{space}—b"):
        assert normalize_line(line) == _folded_spaces(line)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aé’ \t\u00a0\u200b\u3000\x1f\x85", max_size=16))
def test_a_line_is_normalised_as_splitting_and_joining_it_would(line):
    assert normalize_line(line) == _folded_spaces(line)


def test_a_date_line_below_the_header_stays_in_the_body():
    lines = [*ARTICLE, "March 3, 2023", "The vote followed months of talks."]
    cleaned = clean_text("\n".join(lines * 5))
    assert cleaned.published_date is None
    assert "March 3, 2023" in cleaned.paragraphs


def test_dateline_recognition():
    assert md.parse_dateline("Published April 13, 2022") == dt.date(2022, 4, 13)
    assert md.parse_dateline("Updated: 4 Sept 2024, 10:30 GMT") == dt.date(2024, 9, 4)
    assert md.parse_dateline("2024-09-04T08:00:00Z") == dt.date(2024, 9, 4)
    assert md.parse_dateline("On April 13, 2022 the talks collapsed") is None
    assert md.parse_dateline("2024-02-30") is None  # not a calendar date
    assert md.parse_dateline("Published on Monday") is None  # no digit: no date form is searched for
    assert md.parse_dateline("Published April \u0661\u0663, 2022") == dt.date(2022, 4, 13)  # \d: any decimal digit


def test_a_headline_is_one_sentence():
    assert md.is_title_like("Council approves the new budget after long debate")
    assert not md.is_title_like("Council approves budget. Critics say it is too late")
    assert not md.is_title_like("Is this the end? Critics say it is")
    assert md.is_title_like("Gov. Newsom visits the L.A. Auto Show")  # abbreviations are no sentence's end


lines = st.lists(st.one_of(st.text(max_size=60), st.sampled_from(
    ["Comments", "Share this", "Read more: x", "\u00a0", "", "Published May 1, 2020", "A title for the story here"])), max_size=30)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_every_non_blank_line_is_body_metadata_or_removed_exactly_once(document_lines):
    text = "\n".join(document_lines)
    cleaned = clean_text(text)
    input_lines = split_lines(text)
    non_blank = {n for n, line in enumerate(input_lines, 1) if line.strip(" \t\x0b\x0c")}
    accounted = [r.line_no for r in cleaned.removed_lines + cleaned.metadata_lines]
    assert len(accounted) == len(set(accounted))
    body_lines = non_blank - set(accounted)
    # Body paragraphs are exactly the remaining lines, normalised and in order: nothing invented.
    assert cleaned.paragraphs == [normalize_line(input_lines[n - 1]) for n in sorted(body_lines) if normalize_line(input_lines[n - 1])]
