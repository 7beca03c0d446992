"""Which of newsclean's steps after trafilatura help on pages never tuned on: each choice made by cross-validation
grouped by domain on the WCXB development pages (and, the other way, made on aeb and scored on WCXB), out-of-fold
figures printed. Works from the extraction cache (bench/extraction_cache.py), through the same library functions the
flow calls per page (strip_boilerplate, finish): trafilatura's text as `extract` gives it, its metadata (title) by
`extract_metadata`. Left out, so that the choice is made in minutes: the site-level pass (it needs a whole run) and
the standfirst (it needs trafilatura's output tree); bench.quality scores the real flow.

    python -m bench.html_choices
"""
from __future__ import annotations

import argparse
import itertools
import json
from collections import Counter
from dataclasses import dataclass, replace

from bench import extraction_cache
from bench.wcxb import FOLDS, PAGE_TYPES, fold_of, truth
from newsclean.clean.html import MIN_BODY_WORDS, _has_words, _paragraphs, _words, looks_like_layout
from newsclean.clean.page_type import classify_page
from newsclean.clean.text import finish, strip_boilerplate
from bench.metric import score_corpus, score_page, score_page_bag

PASSES = ("bare_default", "metadata")  # on every page (and bare_fast with --with-fast)
# per predicted page type, the passes tried instead of the default one (each computed on the pages of that type only)
TYPE_PASSES = {"forum": ("pass_comments",), "listing": ("pass_recall",), "collection": ("pass_recall",),
               "product": ("pass_recall",), "service": ("pass_recall",)}


@dataclass(frozen=True)
class Choice:
    fast: bool = False  # the fast pass (with the full pass where it finds navigation) instead of the full one
    fallbacks: bool = True  # recall pass, then baseline, where the pass found almost nothing
    line_rules: bool = True  # rules.py on the extracted lines
    read_header: bool = True  # metadata lines at the top leave the body
    drop_title: bool = True  # a line repeating the page's title leaves the body
    type_passes: tuple = ()  # (page type, pass) pairs: pages of that (predicted) type extracted by that pass
    # on a page predicted to be an article, the fast pass's text where the full pass's has more than this many times
    # its words (the full pass took a readability/jusText fallback's much longer text); 0: never
    article_fast_ratio: float = 0.0
    forum_line_rules: bool = True  # the line rules on pages predicted to be forums too


def page_text(outputs: dict[str, dict], page: str, choice: Choice, predicted_type: str | None) -> tuple[str, dict]:
    """The extracted text of a page under `choice`, and the pass whose metadata stands."""
    text = outputs["bare_default"][page]["text"]
    if choice.fast:
        text = outputs["bare_fast"][page]["text"]
        if looks_like_layout(_paragraphs(text)) and _has_words(outputs["bare_default"][page]["text"], MIN_BODY_WORDS):
            text = outputs["bare_default"][page]["text"]
    if choice.article_fast_ratio and predicted_type == "article":
        fast = outputs["bare_fast"][page]["text"]
        if (_has_words(fast, MIN_BODY_WORDS) and not looks_like_layout(_paragraphs(fast))
                and _words(text) > choice.article_fast_ratio * _words(fast)):
            text = fast
    for page_type, name in choice.type_passes:
        if page_type == predicted_type:
            text = outputs[name][page]["text"]
    if choice.fallbacks and not _has_words(text, MIN_BODY_WORDS):
        recall = outputs["pass_recall"][page]["text"]
        if _words(recall) > _words(text):
            text = recall
        if not _has_words(text, MIN_BODY_WORDS) and _words(outputs["baseline"][page]["text"]) > _words(text):
            text = outputs["baseline"][page]["text"]
    return text


def body(outputs: dict[str, dict], page: str, choice: Choice, predicted_type: str | None = None) -> str:
    text = page_text(outputs, page, choice, predicted_type)
    line_rules = choice.line_rules and (choice.forum_line_rules or predicted_type != "forum")
    stripped = strip_boilerplate("\n".join(_paragraphs(text)), page_noise=False, line_rules=line_rules)
    title = outputs["metadata"][page].get("title") if choice.drop_title else None
    return finish(stripped, title=title, read_header=choice.read_header).body


RATIOS = (0.0, 2.0, 3.0)


def global_choices(with_fast: bool) -> list[Choice]:
    """The fallbacks stay on (they act on pages where the pass found almost nothing, and always did). With the fast
    pass, a smaller grid: the line rules and the title's removal on (as chosen without it), the rest varied."""
    if with_fast:
        return [Choice(read_header=read_header, article_fast_ratio=ratio, forum_line_rules=forum)
                for read_header, ratio, forum in itertools.product((False, True), RATIOS, (False, True))]
    return [Choice(False, True, *values) for values in itertools.product((False, True), (False, True), (False, True))]


def load(set_name: str, pages: list[str], predicted: dict[str, str], with_fast: bool) -> dict[str, dict]:
    """The cached outputs: PASSES on every page, the recall pass where a fallback may be needed, and each type's
    passes on the pages predicted of that type."""
    outputs = {name: extraction_cache.outputs(set_name, name, pages) for name in PASSES + (("bare_fast",) if with_fast else ())}
    texts = [outputs[name] for name in ("bare_default", "bare_fast") if name in outputs]
    short = {page for page in pages if any(not _has_words(text[page]["text"], MIN_BODY_WORDS) for text in texts)}
    needs: dict[str, set] = {"pass_recall": set(short), "baseline": set(short)}
    for page_type, names in TYPE_PASSES.items():
        for name in names:
            needs.setdefault(name, set()).update(page for page in pages if predicted.get(page) == page_type)
    for name, wanted in needs.items():
        outputs[name] = extraction_cache.outputs(set_name, name, sorted(wanted))
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--with-fast", action="store_true",
                        help="the second grid: a fast pass on articles (ratio), the line rules on forums, the header reader")
    args = parser.parse_args(argv)
    wcxb = truth()
    ids = list(wcxb)
    folds = {page: fold_of(wcxb[page].domain) for page in ids}
    aeb_truth = {page: record["articleBody"] for page, record in json.loads(
        (extraction_cache.SET_DIRS["aeb"] / "ground-truth.json").read_text(encoding="utf-8")).items()}
    aeb_ids = sorted(aeb_truth)
    oof_types = {page: kind for page, (kind, _) in json.loads(train_oof_path().read_text()).items()}
    aeb_types = {page: classify_page(extraction_cache.page_html("aeb", page)).name for page in aeb_ids}  # the shipped model
    print("aeb's pages by predicted type:", Counter(aeb_types.values()).most_common())
    wcxb_outputs, aeb_outputs = load("wcxb", ids, oof_types, args.with_fast), load("aeb", aeb_ids, aeb_types, args.with_fast)

    def wcxb_scores(choice: Choice) -> dict[str, float]:
        return {page: score_page_bag(body(wcxb_outputs, page, choice, oof_types.get(page)), wcxb[page].main_content).f1 for page in ids}

    def aeb_f1(choice: Choice) -> float:
        return score_corpus(score_page(body(aeb_outputs, page, choice, aeb_types[page]), aeb_truth[page]) for page in aeb_ids).f1

    choices = global_choices(args.with_fast)
    scores = {choice: wcxb_scores(choice) for choice in choices}
    aeb = {choice: aeb_f1(choice) for choice in choices}

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    def summary(per_page: dict[str, float]) -> str:
        parts = [f"all {mean(per_page.values()):.4f}"]
        parts += [f"{t} {mean(v for p, v in per_page.items() if wcxb[p].page_type == t):.4f}" for t in PAGE_TYPES]
        return ", ".join(parts)

    print("every choice on all of wcxb-dev (in-sample, for orientation) and on aeb:")
    for choice in sorted(choices, key=lambda c: -mean(scores[c].values()))[:12]:
        print(f"  {mean(scores[choice].values()):.4f}  aeb {aeb[choice]:.4f}  {choice}")
    # Out of fold: each fold's pages scored with the choice best on the other folds
    oof: dict[str, float] = {}
    picked = []
    for fold in range(FOLDS):
        train = [p for p in ids if folds[p] != fold]
        best = max(choices, key=lambda c: mean(scores[c][p] for p in train))
        picked.append(best)
        oof.update({p: scores[best][p] for p in ids if folds[p] == fold})
    print("chosen per fold:", *picked, sep="\n  ")
    print("out-of-fold, wcxb-dev:", summary(oof))
    on_aeb = max(choices, key=lambda c: aeb[c])
    print(f"chosen on aeb ({aeb[on_aeb]:.4f}): {on_aeb}\n  scored on wcxb-dev: {summary(scores[on_aeb])}")
    for reference in (Choice(), Choice(line_rules=False, read_header=False, drop_title=False)):
        if reference not in scores:
            continue
        print(f"reference {reference}: aeb {aeb[reference]:.4f}\n  wcxb-dev: {summary(scores[reference])}")

    if not args.with_fast:  # type-aware passes on top of each fold's global choice, chosen on the training folds
        type_scores = {}
        for page_type, name in ((t, n) for t, names in TYPE_PASSES.items() for n in names):
            for base in set(picked):
                choice = replace(base, type_passes=((page_type, name),))
                type_scores[choice] = {p: (score_page_bag(body(wcxb_outputs, p, choice, oof_types.get(p)), wcxb[p].main_content).f1
                                           if oof_types.get(p) == page_type else scores[base][p]) for p in ids}
        oof_typed: dict[str, float] = {}
        for fold, base in enumerate(picked):
            train = [p for p in ids if folds[p] != fold]
            passes = []
            for page_type, names in TYPE_PASSES.items():
                options = [replace(base, type_passes=((page_type, name),)) for name in names]
                best = max(options, key=lambda c: mean(type_scores[c][p] for p in train))
                if mean(type_scores[best][p] for p in train) > mean(scores[base][p] for p in train):
                    passes.append(best.type_passes[0])
            print(f"  fold {fold}: {passes}")
            for p in ids:
                if folds[p] == fold:
                    oof_typed[p] = score_page_bag(body(wcxb_outputs, p, replace(base, type_passes=tuple(passes)), oof_types.get(p)),
                                                  wcxb[p].main_content).f1
        print("out-of-fold with type-aware passes (predicted types out of fold too):", summary(oof_typed))
    return 0


def train_oof_path():
    from bench.train_page_type import oof_path

    return oof_path()


if __name__ == "__main__":
    raise SystemExit(main())
