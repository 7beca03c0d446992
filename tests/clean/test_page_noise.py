"""The page-noise detector on hand-made documents: what it must remove from a page dump, what it must leave alone."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from newsclean.clean.page_noise import NOISY_DOCUMENT, RULE_NAMES, _tokens, find_page_noise, noise_level

MENU = ["Home", "News", "World", "Politics", "Business", "Tech", "Science", "Health", "Sports", "Entertainment",
        "Opinion", "Weather", "Video", "Podcasts", "Newsletters", "Sign In", "Subscribe"]
TEASERS = ["Council delays vote on new stadium plan", "Local bakery wins national bread award",
           "Storm knocks out power to thousands", "High school team reaches state final"]
FOOTER = ["About Us", "Contact", "Careers", "Advertise", "Privacy Policy", "Terms of Use", "Cookie Settings",
          "Site Map", "© 2024 Example Media Group. All rights reserved."]
HEADLINE = "City council approves new budget after marathon session"
ARTICLE = [
    "The city council approved a new budget on Tuesday night after a debate that stretched for more than seven "
    "hours and drew hundreds of residents to the chamber.",
    "The plan raises spending on public transport and road repairs, while cutting the budget of several "
    "administrative departments that the mayor described as overstaffed.",
    "Opposition members said the cuts would hurt services that many older residents depend on, and they promised "
    "to bring the issue back before the end of the year.",
    "Budget talks",
    "The mayor said the compromise was the best that could be reached in a year when tax revenue fell for the "
    "first time in a decade, and she thanked the staff who worked through the weekend.",
    "The budget takes effect on the first of January and will be reviewed again in the spring, when the council "
    "expects updated figures from the regional government.",
]


def page_dump() -> list[str]:
    """Menu, teaser list, headline, article, more teasers, footer; blank lines between blocks as text dumps have."""
    return [*MENU, "", "Most Popular", *TEASERS, "", HEADLINE, "", *[line for p in ARTICLE for line in (p, "")],
            "More from News", *TEASERS[::-1], "", *FOOTER]


def kept(lines: list[str]) -> list[str]:
    noise = find_page_noise(lines)
    return [line for index, line in enumerate(lines) if line.strip() and index not in noise]


def test_page_dump_loses_menu_and_footer_keeps_article():
    lines = page_dump()
    noise = find_page_noise(lines)
    assert kept(lines) == ARTICLE  # headline gone too: the pipeline keeps it in `title`
    for line in MENU + FOOTER:
        assert lines.index(line) in noise, line
    assert noise[lines.index("Home")] == "page_header"
    assert noise[lines.index("Privacy Policy")] == "page_footer"
    assert set(noise.values()) <= RULE_NAMES


def test_page_dump_is_noisy_and_clean_article_is_not():
    assert noise_level(page_dump()) >= NOISY_DOCUMENT
    assert noise_level(ARTICLE) < NOISY_DOCUMENT


def test_clean_article_is_left_alone():
    assert find_page_noise(ARTICLE) == {}
    with_blanks = [line for p in ARTICLE for line in (p, "")]
    assert find_page_noise(with_blanks) == {}


def test_headline_on_top_of_clean_text_goes_and_nothing_else():
    lines = [HEADLINE, *ARTICLE]
    assert find_page_noise(lines) == {0: "leading_title"}


def test_short_paragraphs_quotes_and_lists_are_kept():
    lines = [
        "The rescue took less than ten minutes.",
        "“We got her!” one officer shouted.",
        "Then silence.",
        "Neighbours had called the police shortly after midnight, when they heard a child crying in the empty flat "
        "next door and saw a man leave the building in a hurry.",
        "“I knew something was wrong,” said one neighbour.",
        "What happens next",
        "- A hearing is set for March 3",
        "- The suspect remains in custody",
        "- Prosecutors will ask for a long sentence",
        "“Justice will be done,” the prosecutor said.",
        "Yes.",
    ]
    assert find_page_noise(lines) == {}


def test_lists_and_data_under_a_clean_article_are_kept():
    dates = [f"June {day} – Arena {day}, Springfield" for day in range(1, 12)]
    lines = [*ARTICLE, "Tour dates:", *dates, "Additional reporting by Jane Roe"]
    noise = find_page_noise(lines)
    assert not any(lines.index(date) in noise for date in dates)


def test_non_english_article_is_not_wiped_out():
    german = [
        "Der Stadtrat hat am Dienstagabend nach einer langen Debatte den neuen Haushalt beschlossen, der mehr Geld "
        "für den öffentlichen Nahverkehr vorsieht.",
        "Die Opposition kritisierte die Kürzungen in der Verwaltung, weil sie nach ihrer Ansicht die Bürger treffen, "
        "die auf diese Dienste angewiesen sind.",
        "Die Bürgermeisterin sagte, dass der Kompromiss in einem Jahr mit sinkenden Steuereinnahmen das Beste sei, "
        "was man erreichen konnte.",
    ]
    assert find_page_noise(german) == {}
    spanish_menu = ["Inicio", "Noticias", "España", "Internacional", "Deportes", "Economía", "Cultura", "Opinión",
                    "Tecnología", "Salud", "Ciencia", "Televisión", "Gente", "Motor", "Viajes", "Suscríbete"]
    spanish_article = [
        "El ayuntamiento aprobó el nuevo presupuesto después de un largo debate que duró hasta la medianoche y en "
        "el que participaron cientos de vecinos.",
        "La oposición dijo que los recortes afectarán a los servicios que usan las personas mayores y prometió "
        "volver a plantear el tema antes de fin de año.",
    ]
    spanish_footer = ["Aviso legal", "Contacto", "Política de privacidad", "Cookies", "Publicidad", "Hemeroteca"]
    spanish_dump = [*spanish_menu, "", *spanish_article, "", *spanish_footer]
    assert kept(spanish_dump) == spanish_article


def test_cjk_prose_is_kept():
    japanese = ["Kindle書籍を読む場合は、一般的にスマホやタブレットなどのモバイル端末で読むことが多いと思いますが、"
                "パソコンでそのまま読みたい時もあります。",
                "そんな用途を考慮してか、Kindleや楽天koboにはデスクトップアプリが用意されています。"]
    assert find_page_noise(japanese) == {}


def test_caption_repeated_by_a_gallery_and_photo_credit_go():
    caption = "The mayor speaks to reporters outside city hall after the vote on Tuesday night."
    lines = [ARTICLE[0], caption, "Photo: Jane Doe, AP", caption, *ARTICLE[1:]]
    noise = find_page_noise(lines)
    assert noise == {2: "media_credit", 3: "repeated_line"}


@pytest.mark.parametrize("credit", ["Jane Doe/Example News", "Jane Doe / AP file",
                                    "The mayor speaks to reporters after the vote. (AP Photo/Jane Doe)",
                                    "FILE PHOTO: Traders work on the floor of the exchange, November 18, 2019. REUTERS/Jane Doe",
                                    "Media caption Who is the new mayor?"])
def test_agency_and_outlet_credits_go(credit):
    assert find_page_noise([ARTICLE[0], credit, *ARTICLE[1:]]) == {1: "media_credit"}


def test_slashes_in_prose_and_labels_stay():
    lines = [ARTICLE[0], "Input/Output", "The board and/or the shareholders must approve the 24/7 service.", *ARTICLE[1:]]
    assert find_page_noise(lines) == {}


def test_empty_and_blank_documents():
    assert find_page_noise([]) == {}
    assert find_page_noise(["", "   ", "\t", ""]) == {}
    assert noise_level([]) == 0.0


def test_input_is_not_changed_and_result_is_deterministic():
    lines = page_dump()
    copy = list(lines)
    assert find_page_noise(lines) == find_page_noise(copy)
    assert lines == copy


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=40))
def test_any_input_gives_valid_indexes_and_rule_names(lines):
    noise = find_page_noise(lines)
    assert all(0 <= index < len(lines) and lines[index].strip() for index in noise)
    assert set(noise.values()) <= RULE_NAMES


HUGE_LINES = ("1" * 1_000_000, "1, " * 300_000, "word " * 2_000_000, "x" * 1_000_000 + " says:")


def test_huge_lines_are_judged_and_leave_the_article_alone():
    """A 1 MB line of digits made the shape regex backtrack for minutes; lines are now judged on their start (the
    time it takes: python -m bench.huge_lines)."""
    for line in HUGE_LINES:
        noise = find_page_noise([line, *ARTICLE])
        assert set(noise) <= {0} and set(noise.values()) <= RULE_NAMES  # the article's own lines are kept


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZé9_ ’‘“”—–…\u00a0-.,'İΣß東") + ["\u0301"]), max_size=40))
def test_a_lines_tokens_are_the_words_that_start_with_a_letter_in_lower_case(text):
    # The ASCII shortcut must give what the Unicode pattern gives on the lower-cased line, whatever the line holds
    assert _tokens(text) == re.findall(r"[^\W\d_]\w*", text.lower())
