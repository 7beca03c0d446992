"""The quality profile's combiner of views (newsclean/clean/ensemble.py): combiners compared by out-of-fold figures,
the chosen one trained on all of wcxb-dev and written to newsclean/clean/models/views.npz.

    python -m bench.train_views              # compare, print the tables, write the model
    python -m bench.train_views --no-write   # compare only

Every figure printed is out of fold: 5-fold cross-validation grouped by domain on wcxb-dev (bench/wcxb.py's folds;
anything chosen, a threshold or a model, is chosen on the four training folds), and the two directions across sets
(fitted on aeb, scored on wcxb-dev; fitted on wcxb-dev, scored on aeb). Works from the extraction cache
(bench/extraction_cache.py: every view of every page), and scores each combined text after the quality profile's
steps after extraction (line rules, the title's removal: newsclean.clean.text), as bench.html_choices does.

Combiners: (a) a vote: a line of the views' union is kept when at least k views have it (k chosen in fold); (b) the
line classifier (a small perceptron over the line's features, ensemble.line_features), its keep threshold chosen in
fold, asked only on pages where trafilatura and resiliparse disagree (below an agreement share, also compared);
(c) a page-level choice of one view: a linear model per view over the views' sizes and agreements and their F1 as
(b)'s line probabilities estimate it (out of inner folds on the training pages) estimates how much better than
trafilatura's its text scores, and the largest estimate is taken; (d) for each predicted page type, (b) or (c)
(gated by its own agreement share and a margin on the estimated gain), whichever did better on the training folds'
pages of that type; (e) (c) on pages of every type where trafilatura and resiliparse share less than one agreement
share, chosen in fold (the lowest within SHARE_TOLERANCE of the best: the costly views run where it is not
reached); then, also in fold, each view's own margin (the estimated gain it must exceed to be taken:
the largest of several noisy estimates is too often a false win) and whether a view taken in place of trafilatura's
keeps a repeated line once. Each page's views are those the flow reads on a page of its predicted type (reader
comments kept except on articles: newsclean.clean.views.keeps_comments), and (e) offers a view only on the predicted
types ensemble.NOT_OFFERED_ON allows.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bench import extraction_cache
from bench.metric import score_corpus, score_page, score_page_bag, word_bag
from bench.wcxb import FOLDS, PAGE_TYPES, fold_of, truth
from newsclean.clean.ensemble import (FEATURES_VERSION, MODEL_PATH, bag_f1, choice_features, chosen_view,
                                      estimated_f1s, line_features, line_key, union_lines, without_repeats)
from newsclean.clean.text import finish, strip_boilerplate
from newsclean.clean.views import COMMENT_VIEWS, keeps_comments

# cache variant -> the view's name at run time (newsclean/clean/views.py's VIEWS)
VARIANT_VIEWS = {"bare_default": "trafilatura", "view_resiliparse": "resiliparse", "view_readability": "readability",
                 "view_justext": "justext", "bare_precision": "trafilatura_precision", "bare_recall": "trafilatura_recall",
                 "bare_fast": "trafilatura_fast", "baseline": "baseline", "view_page_text": "page_text"}
# the same views with reader comments kept (newsclean.clean.views.keeps_comments)
COMMENT_VARIANTS = {f"view_{name}": f"view_{name}_comments" for name in COMMENT_VIEWS}
CHEAP = ("trafilatura", "resiliparse")  # on every page
# view sets compared: (the views whose lines are candidates, in the union's order; the views the features read).
# trafilatura and resiliparse come first in both (the agreement test needs them); baseline's lines are often the
# whole page in one, a feature only.
VIEW_SETS = {
    "all": (("trafilatura", "resiliparse", "trafilatura_recall", "readability"),
            ("trafilatura", "resiliparse", "trafilatura_recall", "readability", "justext", "trafilatura_precision",
             "trafilatura_fast", "baseline")),
    "readability+recall": (("trafilatura", "resiliparse", "trafilatura_recall", "readability"),
                           ("trafilatura", "resiliparse", "trafilatura_recall", "readability")),
    "readability+recall+page": (("trafilatura", "resiliparse", "trafilatura_recall", "readability", "page_text"),
                                ("trafilatura", "resiliparse", "trafilatura_recall", "readability", "page_text")),
    "readability+precision": (("trafilatura", "resiliparse", "readability"),
                              ("trafilatura", "resiliparse", "readability", "trafilatura_precision")),
    "readability": (("trafilatura", "resiliparse", "readability"), ("trafilatura", "resiliparse", "readability")),
    "cheap": (("trafilatura", "resiliparse"), ("trafilatura", "resiliparse", "trafilatura_fast")),
}
SHIPPED = "readability+recall+page"  # the view set the quality profile uses (chosen by the out-of-fold table)
SHIPPED_COMBINER = "gated"  # (e): the combiner the quality profile uses (chosen by the out-of-fold table)
DEFAULT_SETS = ("readability+recall+page", "readability+recall", "all")
AGREE_SHARES = (0.0, 0.8, 0.9, 0.95, 2.0)  # 2.0: the model on every page
# A trafilatura line is dropped below the first threshold, another view's line added at or above the second (1.01: none)
DROP_THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
ADD_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
# (d): another view's text is taken where (c) estimates its F1 above trafilatura's by this margin
SELECT_MARGINS = (0.0, 0.02, 0.05, 0.1)
# (e): each view's own margin (1.0: never taken)
VIEW_MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 1.0)
# (e): the lowest agreement share within this of the best on the training pages: where the cheap views agree, the
# costly ones are not run, and a share a little below "every page" spares half of them for a small loss
SHARE_TOLERANCE = 0.002
KEEP_SHARE = 0.5  # a line is content (training label) when this share of its tokens is in the truth's words
HIDDEN = (32, 16)


@dataclass
class Page:
    page: str
    views: dict[str, list[str]]
    truth: str
    title: str | None
    page_type: str
    fold: int
    agreement: float
    predicted: str  # the page-type model's type: out of fold on wcxb-dev (bench.train_page_type), the shipped model's on aeb


def load_pages(set_name: str) -> list[Page]:
    if set_name == "wcxb":
        records = truth()
        ids = list(records)
        truths = {page: records[page].main_content for page in ids}
        types = {page: records[page].page_type for page in ids}
        folds = {page: fold_of(records[page].domain) for page in ids}
    else:
        raw = json.loads((extraction_cache.SET_DIRS["aeb"] / "ground-truth.json").read_text(encoding="utf-8"))
        ids = sorted(raw)
        truths = {page: raw[page]["articleBody"] for page in ids}
        types, folds = {page: "article" for page in ids}, {page: 0 for page in ids}
    if set_name == "wcxb":
        from bench.train_page_type import oof_path

        predicted = {page: kind for page, (kind, _) in json.loads(oof_path().read_text()).items()}
    else:
        from newsclean.clean.page_type import classify_page

        predicted = {page: classify_page(extraction_cache.page_html(set_name, page)).name for page in ids}
    outputs = {variant: extraction_cache.outputs(set_name, variant, ids, quiet=True)
               for variant in [*VARIANT_VIEWS, *COMMENT_VARIANTS.values()]}
    titles = extraction_cache.outputs(set_name, "metadata", ids, quiet=True)
    pages = []
    for page in ids:
        # a view that can tell reader comments apart, as the flow reads it on a page of the predicted type
        kept = keeps_comments(predicted[page])
        views = {name: [" ".join(line.split()) for line in (outputs[COMMENT_VARIANTS.get(variant, variant) if kept else variant]
                                                           [page].get("text") or "").split("\n") if line.strip()]
                 for variant, name in VARIANT_VIEWS.items()}
        pages.append(Page(page, views, truths[page], titles[page].get("title"), types[page], folds[page],
                          bag_f1(views["trafilatura"], views["resiliparse"]), predicted[page]))
    return pages


def after_extraction(lines: list[str], title: str | None) -> str:
    """The quality profile's steps after extraction: line rules, a line repeating the title removed."""
    stripped = strip_boilerplate("\n".join(lines), page_noise=False, line_rules=True)
    return finish(stripped, title=title, read_header=False).body


def page_score(set_name: str, text: str, page: Page):
    return score_page_bag(text, page.truth) if set_name == "wcxb" else score_page(text, page.truth)


def summary(set_name: str, scores: dict[str, object], pages: list[Page]) -> dict[str, float]:
    if set_name == "aeb":
        return {"all": score_corpus(scores.values()).f1}
    kinds = {page.page: page.page_type for page in pages}
    result = {"all": float(np.mean([score.f1 for score in scores.values()]))}
    for kind in PAGE_TYPES:
        result[kind] = float(np.mean([score.f1 for page, score in scores.items() if kinds[page] == kind]))
    return result


class Candidates:
    """Each page's union of lines under a view set, their features and labels."""

    def __init__(self, pages: list[Page], view_set: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        order, names = view_set
        self.names = names
        self.lines, self.features, self.labels = {}, {}, {}
        for page in pages:
            lines = union_lines(page.views, order)
            self.lines[page.page] = lines
            self.features[page.page] = line_features(lines, page.views, names) if lines else np.zeros((0, 0))
            truth_words = set(word_bag(page.truth))
            self.labels[page.page] = np.array([_share_in(line, truth_words) >= KEEP_SHARE for line in lines], dtype=bool)

    def stacked(self, pages: list[Page]) -> tuple[np.ndarray, np.ndarray]:
        chosen = [page.page for page in pages if len(self.lines[page.page])]
        return np.vstack([self.features[p] for p in chosen]), np.concatenate([self.labels[p] for p in chosen])


def _share_in(line: str, words: set[str]) -> float:
    tokens = line_key(line).split()
    return sum(token in words for token in tokens) / len(tokens) if tokens else 0.0


def fit_model(features: np.ndarray, labels: np.ndarray, seed: int = 0):
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(features)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = MLPClassifier(hidden_layer_sizes=HIDDEN, alpha=1e-3, max_iter=40, early_stopping=True, random_state=seed)
    model.fit((features - scaler.mean_) / scale, labels)
    return scaler.mean_, scale, model


def probabilities(fitted, features: np.ndarray) -> np.ndarray:
    mean, scale, model = fitted
    return model.predict_proba((features - mean) / scale)[:, 1]


def line_probabilities(fitted, cands: "Candidates", pages: list[Page]) -> dict[str, np.ndarray]:
    return {p.page: probabilities(fitted, cands.features[p.page]) if len(cands.lines[p.page]) else np.zeros(0) for p in pages}


def inner_groups(pages: list[Page]) -> list[int]:
    """The pages' folds (by domain), or by position for a set of one fold."""
    groups = [p.fold for p in pages]
    return groups if len(set(groups)) > 1 else [index % FOLDS for index in range(len(pages))]


def oof_line_probabilities(pages: list[Page], cands: "Candidates") -> dict[str, np.ndarray]:
    """Each page's line probabilities by a line classifier fitted without the page's fold, so that the page-level
    choice learns from estimates like those it meets on unseen pages."""
    groups = inner_groups(pages)
    result = {}
    for group in sorted(set(groups)):
        fitted = fit_model(*cands.stacked([p for p, g in zip(pages, groups) if g != group]))
        result.update(line_probabilities(fitted, cands, [p for p, g in zip(pages, groups) if g == group]))
    return result


def choice_rows(pages: list[Page], cands: "Candidates", probs: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """Each page's page-level choice features (ensemble.choice_features) with these line probabilities."""
    names = cands.names
    return {p.page: choice_features(p.views, names, estimated_f1s(cands.lines[p.page], cands.features[p.page],
                                                                  probs[p.page], len(names))) for p in pages}


class Scorer:
    """Page scores of the texts a combiner gives, memoised by (page, kept lines)."""

    def __init__(self, set_name: str, pages: list[Page], raw: bool = False) -> None:
        self.set_name, self.pages = set_name, {page.page: page for page in pages}
        self.raw = raw  # the lines as they are, without the steps after extraction (fast, for choices inside folds)
        self.memo: dict = {}

    def __call__(self, page: Page, lines: list[str]):
        key = (page.page, tuple(lines))
        if key not in self.memo:
            text = "\n".join(lines) if self.raw else after_extraction(lines, page.title)
            self.memo[key] = page_score(self.set_name, text, page)
        return self.memo[key]


def mean_f1(set_name: str, scores: list) -> float:
    return score_corpus(scores).f1 if set_name == "aeb" else float(np.mean([score.f1 for score in scores]))


def kept_lines(cands: Candidates, page: Page, probs: np.ndarray, drop: float, add: float) -> list[str]:
    """trafilatura's lines unless the model's probability is below `drop`; other views' lines at or above `add`."""
    in_trafilatura = cands.features[page.page][:, 0] > 0
    keep = np.where(in_trafilatura, probs >= drop, probs >= add)
    return [line for line, kept in zip(cands.lines[page.page], keep) if kept]


def classifier_scores(pages: list[Page], cands: Candidates, fitted, scorer: Scorer, params: dict) -> dict[str, object]:
    """Each page's score, with the (thresholds, agreement share) chosen for its predicted type."""
    result = {}
    for page in pages:
        thresholds, agree = params[page.predicted]
        if page.agreement >= agree or not len(cands.lines[page.page]):
            result[page.page] = scorer(page, page.views["trafilatura"])
        else:
            result[page.page] = scorer(page, kept_lines(cands, page, probabilities(fitted, cands.features[page.page]), *thresholds))
    return result


def choose(set_name: str, pages: list[Page], cands: Candidates, fitted, agrees=AGREE_SHARES) -> dict:
    """For each predicted page type, the ((drop, add) thresholds, agreement share) best on `pages` of that type (the
    training pages), scored on the raw lines; agreement share 0 (trafilatura's text everywhere) is among the options,
    so a type on which the combiner does not help on the training pages keeps trafilatura's text."""
    from newsclean.clean.page_type import PAGE_TYPES as TYPES

    scorer = Scorer(set_name, pages, raw=True)
    probs = {page.page: probabilities(fitted, cands.features[page.page]) for page in pages if len(cands.lines[page.page])}
    chosen = {}
    for kind in TYPES:
        group = [page for page in pages if page.predicted == kind]
        best = None
        for drop in DROP_THRESHOLDS:
            for add in ADD_THRESHOLDS:
                combined = {page.page: (scorer(page, kept_lines(cands, page, probs[page.page], drop, add)) if page.page in probs
                                        else scorer(page, page.views["trafilatura"])) for page in group}
                for agree in agrees:
                    scores = [combined[page.page] if page.agreement < agree else scorer(page, page.views["trafilatura"])
                              for page in group]
                    value = mean_f1(set_name, scores) if scores else 0.0
                    if best is None or value > best[0] + 1e-9:
                        best = (value, (drop, add), float(agree))
        chosen[kind] = (best[1], best[2])
    return chosen


def vote_lines(page: Page, cands: Candidates, k: int) -> list[str]:
    names = cands.names
    rows = cands.features[page.page]
    if not len(rows):
        return []
    # the first len(names) columns: the line itself in each view
    votes = rows[:, : len(names)].sum(axis=1)
    return [line for line, count in zip(cands.lines[page.page], votes) if count >= k]


def _page_f1(score) -> float:
    """A page's F1 under either metric (aeb's page scores carry precision and recall only)."""
    if hasattr(score, "f1"):
        return score.f1
    precision, recall = score.precision or 0.0, score.recall or 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Selector:
    """(c)'s linear models on ensemble.choice_features' raw values: row i estimates views[i]'s F1 minus trafilatura's."""
    views: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray

    def gains(self, features: np.ndarray) -> np.ndarray:
        return features @ self.coef.T + self.intercept


def fit_selector(pages: list[Page], names: tuple[str, ...], raw: Scorer, rows: dict[str, list[float]]) -> Selector:
    """(c): ridge regressions (one per view but trafilatura's) of how much better than trafilatura's a view's text
    scores on a page, on standardised features, folded back into weights on the raw ones. A regression of the gain
    weighs a page by how much is at stake, where a classifier of the best view counts a 0.001 win as a 0.5 one."""
    from sklearn.linear_model import Ridge

    assert names[0] == "trafilatura"
    features = np.array([rows[p.page] for p in pages])
    f1 = np.array([[_page_f1(raw(p, p.views[name])) for name in names] for p in pages])
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    fitted = Ridge(alpha=1.0).fit((features - mean) / scale, f1[:, 1:] - f1[:, :1])
    coef = fitted.coef_ / scale
    return Selector(names[1:], coef, fitted.intercept_ - coef @ mean)


def selector_picks(selector: Selector, pages: list[Page], rows: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Each page's estimated gain of each view over trafilatura's (ensemble.chosen_view picks from them)."""
    gains = selector.gains(np.array([rows[p.page] for p in pages]))
    return {page.page: dict(zip(selector.views, row.tolist())) for page, row in zip(pages, gains)}


def oof_selector_picks(pages: list[Page], names: tuple[str, ...], raw: "Scorer", rows: dict[str, list[float]]) -> dict:
    """selector_picks for each page by a selector fitted without the page's fold: the estimates (e)'s margins are
    chosen on, as noisy as on unseen pages."""
    groups = inner_groups(pages)
    result = {}
    for group in sorted(set(groups)):
        held = [p for p, g in zip(pages, groups) if g == group]
        result.update(selector_picks(fit_selector([p for p, g in zip(pages, groups) if g != group], names, raw, rows),
                                     held, rows))
    return result


def taken_lines(page: Page, picks: dict, margin: float, refine: tuple) -> list[str]:
    """(c)'s text on a page: the chosen view's lines (`refine`: each view's own margin, and whether a view other than
    trafilatura keeps a repeated line once)."""
    view_margins, dedupe = refine
    name = chosen_view(picks[page.page], margin, view_margins, page.predicted)
    return without_repeats(page.views[name]) if dedupe and name != "trafilatura" else page.views[name]


def choose_by_type(set_name: str, pages: list[Page], cands: Candidates, fitted, params: dict, picks: dict) -> dict:
    """(d): for each predicted page type, ("lines", (drop, add), agree, 0) as `choose` found it, or ("select", (drop,
    add), agree, margin): (c)'s view where trafilatura and resiliparse share less than `agree` and its estimated gain
    over trafilatura's reaches `margin`, whichever is best on `pages` of that type (raw lines)."""
    raw = Scorer(set_name, pages, raw=True)
    lines = classifier_scores(pages, cands, fitted, raw, params)
    chosen = {}
    for kind, (thresholds, agree) in params.items():
        group = [page for page in pages if page.predicted == kind]
        best = (mean_f1(set_name, [lines[page.page] for page in group]) if group else 0.0, ("lines", thresholds, agree, 0.0))
        for share in AGREE_SHARES:
            for margin in SELECT_MARGINS:
                scores = [raw(page, page.views[chosen_view(picks[page.page], margin) if page.agreement < share
                                               else "trafilatura"]) for page in group]
                score = mean_f1(set_name, scores) if scores else 0.0
                if scores and score > best[0] + 1e-9:
                    best = (score, ("select", thresholds, float(share), margin))
        chosen[kind] = best[1]
    return chosen


def choose_gate(set_name: str, pages: list[Page], params: dict, names: tuple[str, ...],
                inner_picks: dict) -> tuple[dict, tuple]:
    """(e): (c) on every page type where trafilatura and resiliparse share less than one agreement share, chosen on
    `pages` of every type together (raw lines; the lowest within SHARE_TOLERANCE of the best); in by_type_scores'
    form, the same entry for each type. Then each view's own margin (coordinate ascent), and whether a view taken
    keeps its repeated lines once. All three on gains estimated without each page's fold (`inner_picks`: those fitted
    on a page are too sure of it)."""
    raw = Scorer(set_name, pages, raw=True)

    def score(share: float, estimates: dict, refine: tuple) -> float:
        return mean_f1(set_name, [raw(page, taken_lines(page, estimates, 0.0, refine))
                                  if page.agreement < share else raw(page, page.views["trafilatura"]) for page in pages])

    by_share = {value: score(value, inner_picks, ({}, False)) for value in AGREE_SHARES}
    share = min(value for value, total in by_share.items() if total >= max(by_share.values()) - SHARE_TOLERANCE)
    view_margins = {name: 0.0 for name in names[1:]}
    for _ in range(2):
        for name in view_margins:
            view_margins[name] = max(VIEW_MARGINS, key=lambda value: score(
                share, inner_picks, ({**view_margins, name: value}, False)))
    dedupe = max((False, True), key=lambda value: score(share, inner_picks, (view_margins, value)))
    return {kind: ("select", thresholds, float(share), 0.0) for kind, (thresholds, _) in params.items()}, (view_margins, dedupe)


def by_type_scores(pages: list[Page], cands: Candidates, fitted, chosen: dict, picks: dict, scorer: Scorer,
                   refine: tuple = ({}, False)) -> dict:
    """Each page's score under (d)'s choices (choose_by_type) or (e)'s (choose_gate, with its `refine`)."""
    result = {}
    for page in pages:
        mode, thresholds, agree, margin = chosen[page.predicted]
        if page.agreement >= agree or not len(cands.lines[page.page]):
            result[page.page] = scorer(page, page.views["trafilatura"])
        elif mode == "select":
            result[page.page] = scorer(page, taken_lines(page, picks, margin, refine))
        else:
            probs = probabilities(fitted, cands.features[page.page])
            result[page.page] = scorer(page, kept_lines(cands, page, probs, *thresholds))
    return result


def run_wcxb_cv(pages: list[Page], cands: "Candidates", log) -> dict:
    """Out-of-fold scores on wcxb-dev of (a) to (e) for one view set."""
    names = cands.names
    scorer, raw = Scorer("wcxb", pages), Scorer("wcxb", pages, raw=True)
    oof = {"vote": {}, "classifier": {}, "select": {}, "by_type": {}, "gated": {}}
    picked = []
    for fold in range(FOLDS):
        train = [p for p in pages if p.fold != fold]
        test = [p for p in pages if p.fold == fold]
        # (a) vote: k chosen on the training folds
        k_best = max(range(1, len(names) + 1), key=lambda k: mean_f1("wcxb", [raw(p, vote_lines(p, cands, k)) for p in train]))
        oof["vote"].update({p.page: scorer(p, vote_lines(p, cands, k_best)) for p in test})
        # (b) classifier
        fitted = fit_model(*cands.stacked(train))
        params = choose("wcxb", train, cands, fitted)
        oof["classifier"].update(classifier_scores(test, cands, fitted, scorer, params))
        # (c) one view per page, by the largest estimated gain over trafilatura's; the training pages' line
        # probabilities out of their inner folds, the test pages' by the classifier fitted on the training folds
        rows = choice_rows(pages, cands, {**oof_line_probabilities(train, cands), **line_probabilities(fitted, cands, test)})
        picks = selector_picks(fit_selector(train, names, raw, rows), pages, rows)
        oof["select"].update({p.page: scorer(p, p.views[chosen_view(picks[p.page], 0.0)]) for p in test})
        # (d) (b) or (c) by predicted type
        chosen = choose_by_type("wcxb", train, cands, fitted, params, picks)
        oof["by_type"].update(by_type_scores(test, cands, fitted, chosen, picks, scorer))
        # (e) (c) where the cheap views disagree, on every type
        gate, refine = choose_gate("wcxb", train, params, names, oof_selector_picks(train, names, raw, rows))
        oof["gated"].update(by_type_scores(test, cands, fitted, gate, picks, scorer, refine))
        picked.append((k_best, {"by_type": chosen, "gated": gate}[SHIPPED_COMBINER]))
        oof.setdefault("refine", []).append(refine)
        log(f"    fold {fold}: vote k={k_best}, (d) (mode, (drop, add), agree, margin) by predicted type {chosen}; "
            f"(e) agreement share {gate['article'][2]}, view margins {refine[0]}, repeats dropped {refine[1]}")
    oof["trafilatura"] = {p.page: scorer(p, p.views["trafilatura"]) for p in pages}
    oof["picked"] = picked
    return oof


def fit_combiner(set_name: str, pages: list[Page], cands: Candidates):
    """The shipped combiner fitted on `pages`: the line classifier, the page-level choice and each predicted type's
    mode."""
    fitted = fit_model(*cands.stacked(pages))
    params = choose(set_name, pages, cands, fitted)
    rows = choice_rows(pages, cands, oof_line_probabilities(pages, cands))
    raw = Scorer(set_name, pages, raw=True)
    selector = fit_selector(pages, cands.names, raw, rows)
    picks = selector_picks(selector, pages, rows)
    if SHIPPED_COMBINER == "gated":
        return (fitted, selector, *choose_gate(set_name, pages, params, cands.names,
                                               oof_selector_picks(pages, cands.names, raw, rows)))
    return fitted, selector, choose_by_type(set_name, pages, cands, fitted, params, picks), ({}, False)


def across(combiner: tuple, score_pages: list[Page], score_set: str, score_cands: "Candidates") -> dict:
    """The shipped combiner fitted on one set (fit_combiner's result), scored on the other."""
    fitted, selector, chosen, refine = combiner
    scorer = Scorer(score_set, score_pages)
    picks = selector_picks(selector, score_pages, choice_rows(score_pages, score_cands,
                                                              line_probabilities(fitted, score_cands, score_pages)))
    scores = by_type_scores(score_pages, score_cands, fitted, chosen, picks, scorer, refine)
    base = {p.page: scorer(p, p.views["trafilatura"]) for p in score_pages}
    return {"params": chosen, "scores": scores, "trafilatura": base}


def row(label: str, values: dict[str, float]) -> str:
    return f"| {label} | " + " | ".join(f"{values[key]:.4f}" for key in ("all",) + PAGE_TYPES) + " |"


def write_model(combiner: tuple, names: tuple[str, ...], order: tuple[str, ...], cv_report: dict) -> None:
    """The combiner fitted on wcxb-dev (fit_combiner's result) written to MODEL_PATH."""
    fitted, selector, chosen, (view_margins, dedupe) = combiner
    kinds = sorted(chosen)
    mean, scale, model = fitted
    arrays = {"features_version": np.array(FEATURES_VERSION), "view_names": np.array(names), "order": np.array(order),
              "mean": mean, "scale": scale, "layers": np.array(len(model.coefs_)), "types": np.array(kinds),
              "mode": np.array([chosen[k][0] for k in kinds]),
              "drop": np.array([chosen[k][1][0] for k in kinds]), "add": np.array([chosen[k][1][1] for k in kinds]),
              "agree": np.array([chosen[k][2] for k in kinds]), "select_margin": np.array([chosen[k][3] for k in kinds]),
              "select_views": np.array(selector.views), "select_coef": selector.coef,
              "select_intercept": selector.intercept,
              "view_margins": np.array([view_margins.get(name, 0.0) for name in selector.views]), "dedupe": np.array(dedupe),
              "cv_report": np.array(json.dumps(cv_report))}
    for i, (weight, bias) in enumerate(zip(model.coefs_, model.intercepts_)):
        arrays[f"weight_{i}"], arrays[f"bias_{i}"] = weight, bias
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(MODEL_PATH, **arrays)
    print(f"wrote {MODEL_PATH} (views {', '.join(names)}; (mode, (drop, add), agreement share, margin) by predicted type "
          f"{chosen}; view margins {view_margins}, repeats dropped {dedupe}; {MODEL_PATH.stat().st_size} bytes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--view-sets", nargs="*", choices=sorted(VIEW_SETS), default=list(DEFAULT_SETS),
                        help="the view sets compared (the shipped one always)")
    parser.add_argument("--ship", choices=sorted(VIEW_SETS), default=SHIPPED, help="the view set written")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-across", action="store_true", help="skip the two directions across sets")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:.0f} s] {message}", file=sys.stderr, flush=True)

    wcxb_pages, aeb_pages = load_pages("wcxb"), load_pages("aeb")
    log("pages loaded")
    print("| wcxb-dev, out of fold | " + " | ".join(("all",) + PAGE_TYPES) + " |")
    print("|---" * (len(PAGE_TYPES) + 2) + "|")
    report: dict = {"folds": FOLDS}
    for set_name in [args.ship] + [name for name in args.view_sets if name != args.ship]:
        log(f"view set {set_name}")
        wcxb_cands, aeb_cands = Candidates(wcxb_pages, VIEW_SETS[set_name]), Candidates(aeb_pages, VIEW_SETS[set_name])
        log("  candidates and features")
        oof = run_wcxb_cv(wcxb_pages, wcxb_cands, log)
        combiners = ("vote", "classifier", "select", "by_type", "gated")
        figures = {combiner: summary("wcxb", oof[combiner], wcxb_pages) for combiner in ("trafilatura",) + combiners}
        if "trafilatura" not in report:
            report["trafilatura"] = figures["trafilatura"]
            print(row("trafilatura default + line rules (today's quality profile)", figures["trafilatura"]))
        for combiner in combiners:
            print(row(f"{combiner}, views {set_name}", figures[combiner]), flush=True)
        asked = sum(p.agreement < oof["picked"][p.fold][1][p.predicted][2] for p in wcxb_pages)
        print(f"|   ({SHIPPED_COMBINER} read the costly views on {asked} of {len(wcxb_pages)} pages) | | | | | | | | |")
        entry = {"views": VIEW_SETS[set_name][1], "oof": figures, "asked": asked, "pages": len(wcxb_pages),
                 "combiner": SHIPPED_COMBINER,
                 "picked": [[k, {kind: [mode, list(t), a, m] for kind, (mode, t, a, m) in chosen.items()}]
                            for k, chosen in oof["picked"]],
                 "refine": [[margins, dedupe] for margins, dedupe in oof["refine"]]}
        wcxb_combiner = None  # fitted on all of wcxb-dev once: scored on aeb, then written
        if not args.no_across:
            to_wcxb = across(fit_combiner("aeb", aeb_pages, aeb_cands), wcxb_pages, "wcxb", wcxb_cands)
            wcxb_combiner = fit_combiner("wcxb", wcxb_pages, wcxb_cands)
            to_aeb = across(wcxb_combiner, aeb_pages, "aeb", aeb_cands)
            entry["fitted_on_aeb"] = summary("wcxb", to_wcxb["scores"], wcxb_pages)
            entry["aeb_fitted_on_wcxb"] = summary("aeb", to_aeb["scores"], aeb_pages)["all"]
            entry["aeb_trafilatura"] = summary("aeb", to_aeb["trafilatura"], aeb_pages)["all"]
            print(row(f"{SHIPPED_COMBINER} fitted on aeb, views {set_name}",
                      entry["fitted_on_aeb"]))
            print(f"|   aeb (its metric), {SHIPPED_COMBINER} fitted on wcxb-dev: "
                  f"{entry['aeb_fitted_on_wcxb']:.4f}; trafilatura default + line rules {entry['aeb_trafilatura']:.4f} |", flush=True)
        report[set_name] = entry
        if set_name == args.ship and not args.no_write:
            report["shipped"] = set_name
            write_model(wcxb_combiner or fit_combiner("wcxb", wcxb_pages, wcxb_cands), wcxb_cands.names,
                        VIEW_SETS[set_name][0], report)
    log("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
