"""articles.word_count (the schema says so): a run of word characters (\\w+) is one word, except that each Han or
kana character is a word of its own (those scripts write no spaces). The table-driven count must agree with that
definition, spelt as a plain regex here, on any text."""
import re
from itertools import groupby

import pytest
from hypothesis import given, settings, strategies as st

from newsclean.clean.document import word_count


def _is_cjk(character: str) -> bool:
    code = ord(character)
    return (0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3134F)


def reference_count(text: str) -> int:
    """Per \\w+ run: one per CJK character, one per stretch of other word characters."""
    return sum(len(list(group)) if cjk else 1
               for run in re.findall(r"\w+", text) for cjk, group in groupby(run, key=_is_cjk))


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "word", "_", "2024", "U.S. don’t military-to-military 3.5%",
    "İstanbul ΟΔΟΣ straße café naïve", "東京で会議が開かれた。", "a\u0301b",  # a combining accent is no word character
    "\ud800 lone surrogates \udfff", "𝐀𝐁 math letters and 😀 an emoji", "x\U00020000y",  # outside the BMP
    "tab\tseparated\u00a0and\u2009thin\u3000spaces", "GDP成长3.5%，ＡＢＣ会社の株価・ー",
])
def test_word_count_agrees_with_the_definition(text):
    assert word_count(text) == reference_count(text)


def test_a_cjk_character_is_a_word_and_other_scripts_count_runs():
    assert word_count("市议会周二投票。") == 7
    assert word_count("大雨のため、決勝戦は延期") == 11
    assert word_count("Новое исследование показывает") == 3
    assert word_count("시의회는 화요일 버스 요금을") == 4  # Hangul is written with spaces: runs, as before
    assert word_count("iPhone发布") == 3


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60))
def test_word_count_agrees_with_the_definition_on_any_text(text):
    assert word_count(text) == reference_count(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 東京のカ。1_"), max_size=40))
def test_word_count_agrees_on_mixed_cjk_and_latin_text(text):
    assert word_count(text) == reference_count(text)
