"""articles.word_count is the number of \\w+ tokens of the body (the schema says so): the table-driven count must
agree with the regex on any text."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from flows.pipeline import word_count


def regex_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "word", "_", "2024", "U.S. don’t military-to-military 3.5%",
    "İstanbul ΟΔΟΣ straße café naïve", "東京で会議が開かれた。", "a\u0301b",  # a combining accent is no word character
    "\ud800 lone surrogates \udfff", "𝐀𝐁 math letters and 😀 an emoji", "x\U00020000y",  # outside the BMP
    "tab\tseparated\u00a0and\u2009thin\u3000spaces",
])
def test_word_count_agrees_with_the_regex(text):
    assert word_count(text) == regex_count(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60))
def test_word_count_agrees_with_the_regex_on_any_text(text):
    assert word_count(text) == regex_count(text)
