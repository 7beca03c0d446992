"""The quality profile's combiner: which lines of a page's views (trafilatura's and other extractors',
newsclean/clean/views.py) are its main content, by a small model trained on labelled pages.

The candidates are the union of the views' lines (trafilatura's default extraction first, in its order; a line only
another view has goes after the last line both share). Each candidate is described by which views have it (the
line itself, and the share of its word pairs they have), its length and shape (punctuation, digits, capitals, a
table row), where it stands, how its neighbours fared, and how much each view found on the page. A multilayer
perceptron (trained by `python -m bench.train_views`, stored in models/views.npz, loaded once per process,
evaluated with numpy only) gives each candidate a probability of being content. trafilatura's lines stand unless
that probability is below the model's `drop` threshold; another view's line is added at or above its `add`
threshold (a higher bar: trafilatura's choice is the better default). Or a page-level choice takes the place of
the line classifier: one view's text as it is (`select`). A linear model per view estimates how much better than
trafilatura's that view's text scores on the page, from the views' sizes, how much they share, and each view's F1
as the line classifier sees it (its lines weighed by their probabilities of being content); the view with the
largest estimate over its own margin is taken (another view wrongly taken can cost the whole article: the
margins are chosen on the training pages; NOT_OFFERED_ON keeps a view off the page types it does not serve), else
trafilatura's; a view so taken keeps a repeated line once where the
model says so (`dedupe`: a recall-minded view brings the "Add to cart" or "Reply" of every card or post).

The costly views are only asked where the cheap ones disagree: where trafilatura's default extraction and
resiliparse's main content share at least the model's `agree` share of their words (bag-of-words F1), trafilatura's
text stands as it is. The model stores a mode, thresholds, a share and a margin per page type (the page-type
model's, clean/page_type.py); bench.train_views chooses them on the training pages, per predicted type or one
choice for every type (what it ships is in docs/benchmarks.md).

    model = load_model(); model.agree(views, page_type) -> bool; model.keep(views, page_type) -> lines
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "models" / "views.npz"
FEATURES_VERSION = 5  # changes with what line_features or choice_features compute, or the model's arrays: a model made for other features is refused
_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…。！？:;\"'”’)]$")
_PUNCTUATION = re.compile(r"[.,;:!?]")
_DIGIT = re.compile(r"\d")


def line_key(line: str) -> str:
    """A line as views are compared: its lower-cased word tokens."""
    return " ".join(_TOKEN.findall(line.lower()))


def _pairs(tokens: list[str]) -> set[tuple[str, ...]]:
    return set(zip(tokens, tokens[1:])) if len(tokens) > 1 else {tuple(tokens)}


def union_lines(views: dict[str, list[str]], order: tuple[str, ...]) -> list[str]:
    """Every line of the views named in `order`, once, in the first view's order; a line only a later view has goes
    after the last line it shares with the lines so far (at the top where it shares none)."""
    lines: list[str] = []
    seen: set[str] = set()
    for name in order:
        position = {line_key(line): index for index, line in enumerate(lines)}
        after: dict[int, list[str]] = {}
        anchor = -1
        for line in views.get(name, []):
            key = line_key(line)
            if not key:
                continue
            if key in position:
                anchor = position[key]
            elif key not in seen:
                seen.add(key)
                after.setdefault(anchor, []).append(line)
        merged = after.get(-1, [])
        for index, line in enumerate(lines):
            merged.append(line)
            merged.extend(after.get(index, []))
        lines = merged
        seen.update(position)
    return lines


def bag_f1(first: list[str], second: list[str]) -> float:
    """Bag-of-words F1 of two texts' lower-cased tokens (1 when both are empty)."""
    a, b = Counter(_TOKEN.findall(" ".join(first).lower())), Counter(_TOKEN.findall(" ".join(second).lower()))
    total = sum(a.values()) + sum(b.values())
    return 1.0 if not total else 2 * sum((a & b).values()) / total


def line_features(candidates: list[str], views: dict[str, list[str]], view_names: tuple[str, ...]) -> np.ndarray:
    """One row per candidate line (see the module's docstring); `view_names` fixes the views' order."""
    view_keys = {name: {line_key(line) for line in views.get(name, [])} for name in view_names}
    view_pairs = {}
    view_words = {}
    for name in view_names:
        tokens = _TOKEN.findall(" ".join(views.get(name, [])).lower())
        view_pairs[name] = set(zip(tokens, tokens[1:])) | {(token,) for token in tokens}
        view_words[name] = len(tokens)
    reference_words = view_words[view_names[0]]
    page = [math.log1p(view_words[name]) - math.log1p(reference_words) for name in view_names[1:]]
    page.append(math.log1p(reference_words))
    count = len(candidates)
    rows = []
    votes = []
    for index, line in enumerate(candidates):
        tokens = _TOKEN.findall(line.lower())
        key, pairs = " ".join(tokens), _pairs(tokens)
        exact = [float(key in view_keys[name]) for name in view_names]
        shared = [len(pairs & view_pairs[name]) / len(pairs) if pairs else 0.0 for name in view_names]
        votes.append(sum(exact))
        chars = max(len(line), 1)
        rows.append(exact + shared + [
            math.log1p(len(tokens)), math.log1p(len(line)), index / max(count - 1, 1), math.log1p(index),
            math.log1p(count - 1 - index), len(_PUNCTUATION.findall(line)) / chars, len(_DIGIT.findall(line)) / chars,
            float(bool(_SENTENCE_END.search(line))), float(line[:1].isupper()), float(line.startswith("|")),
            sum(token[:1].isupper() for token in line.split()) / max(len(line.split()), 1),
        ] + page)
    if not rows:
        return np.zeros((0, 0))
    votes_array = np.asarray(votes)
    previous = np.concatenate(([0.0], votes_array[:-1]))
    following = np.concatenate((votes_array[1:], [0.0]))
    return np.hstack([np.asarray(rows, dtype=float), previous[:, None], following[:, None]])


def page_features(views: dict[str, list[str]], view_names: tuple[str, ...]) -> list[float]:
    """The page-level choice's features: each view's size (log of its words) and each pair's bag-of-words F1."""
    row = [math.log1p(len(" ".join(views.get(name, [])).split())) for name in view_names]
    row += [bag_f1(views.get(first, []), views.get(second, [])) for index, first in enumerate(view_names)
            for second in view_names[index + 1:]]
    return row


def estimated_f1s(candidates: list[str], rows: np.ndarray, probabilities: np.ndarray, views: int) -> list[float]:
    """Each of the first `views` views' F1 as the line classifier sees the page: a line's words count as content in
    proportion to its probability; a view's precision is the content share of its words, its recall its share of all
    the candidates' content. `rows`: line_features' rows (a view's column says whether the line is in it)."""
    if not candidates:
        return [0.0] * views
    words = np.array([max(1, len(_TOKEN.findall(line))) for line in candidates], dtype=float)
    content = probabilities * words
    total = float(content.sum())
    estimates = []
    for view in range(views):
        member = rows[:, view] > 0
        found = float(content[member].sum())
        precision = found / float(words[member].sum()) if member.any() else 0.0
        recall = found / total if total else 0.0
        estimates.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return estimates


def choice_features(views: dict[str, list[str]], view_names: tuple[str, ...], estimated: list[float]) -> list[float]:
    """The page-level choice's features: page_features, and each other view's estimated F1 (estimated_f1s) minus
    trafilatura's."""
    return page_features(views, view_names) + [value - estimated[0] for value in estimated[1:]]


def feature_count(views: int) -> int:
    """The width of line_features' rows for that many views."""
    return 2 * views + 11 + views + 2


# Views not offered on pages of some types (the page-type model's): the page's whole visible text is the content of a
# page of many items (a listing's or a shop's cards, a forum's posts), but around one item, an article or a product, it
# is the site's other stories or its catalogue
NOT_OFFERED_ON = {"page_text": frozenset({"article", "product"})}


def chosen_view(gains: dict[str, float], margin: float, view_margins: dict[str, float] | None = None,
                page_type: str | None = None) -> str:
    """The page-level choice's rule (bench.train_views evaluates the same): the view whose estimated gain over
    trafilatura's exceeds its margin (`margin` plus the view's own) the most, where it does; else trafilatura. A view
    is not offered on a page of a type NOT_OFFERED_ON lists for it."""
    over = {name: gain - margin - (view_margins or {}).get(name, 0.0) for name, gain in gains.items()
            if page_type not in NOT_OFFERED_ON.get(name, ())}
    best = max(over, key=over.get)
    return best if over[best] >= 0 else "trafilatura"


def without_repeats(lines: list[str]) -> list[str]:
    """The lines, each word-for-word repeat (line_key) after the first dropped; a line without words (code's "}")
    always kept."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        key = line_key(line)
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return kept


class ViewsModel:
    """The trained combiner: scaling, the perceptron's layers, the page-level choice's weights, and per page type the
    mode, thresholds, agreement share and margin."""

    def __init__(self, arrays) -> None:
        self.view_names = tuple(str(name) for name in arrays["view_names"])
        self.order = tuple(str(name) for name in arrays["order"])
        self.mean, self.scale = arrays["mean"], arrays["scale"]
        layers = int(arrays["layers"])
        self.weights = [arrays[f"weight_{i}"] for i in range(layers)]
        self.biases = [arrays[f"bias_{i}"] for i in range(layers)]
        # per page type (the page-type model's, clean/page_type.py): (drop, add) thresholds and agreement share
        self.by_type = {str(kind): (float(drop), float(add), float(agree))
                        for kind, drop, add, agree in zip(arrays["types"], arrays["drop"], arrays["add"], arrays["agree"])}
        # per page type: "lines" (the line classifier) or "select" (one view's text, by the page-level choice)
        self.mode = {str(kind): str(mode) for kind, mode in zip(arrays["types"], arrays["mode"])}
        # the page-level choice: one row of weights per view other than trafilatura's, its estimated gain over it
        self.select_views = tuple(str(name) for name in arrays["select_views"])
        self.select_coef, self.select_intercept = arrays["select_coef"], arrays["select_intercept"]
        self.select_margin = {str(kind): float(margin) for kind, margin in zip(arrays["types"], arrays["select_margin"])}
        # each view's own margin, and whether a view taken in place of trafilatura's keeps a repeated line once
        self.view_margins = dict(zip(self.select_views, (float(value) for value in arrays["view_margins"])))
        self.dedupe = bool(arrays["dedupe"])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        values = (features - self.mean) / self.scale
        for weight, bias in zip(self.weights[:-1], self.biases[:-1]):
            values = np.maximum(values @ weight + bias, 0.0)  # relu, as sklearn's MLPClassifier
        logits = (values @ self.weights[-1] + self.biases[-1])[:, 0]
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))

    def scored_lines(self, views: dict[str, list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The candidate lines, their features and the line classifier's probability of each being content."""
        candidates = union_lines(views, self.order)
        if not candidates:
            return candidates, np.zeros((0, 0)), np.zeros(0)
        features = line_features(candidates, views, self.view_names)
        return candidates, features, self.probabilities(features)

    def choice_features(self, views: dict[str, list[str]], scored=None) -> list[float]:
        return choice_features(views, self.view_names, estimated_f1s(*(scored or self.scored_lines(views)),
                                                                     len(self.view_names)))

    def view_gains(self, views: dict[str, list[str]], scored=None) -> dict[str, float]:
        """Each view's estimated F1 over trafilatura's on this page (linear models, as sklearn's Ridge.predict)."""
        gains = self.select_coef @ np.asarray(self.choice_features(views, scored)) + self.select_intercept
        return dict(zip(self.select_views, gains.tolist()))

    def select(self, views: dict[str, list[str]], margin: float = 0.0, scored=None, page_type: str | None = None) -> str:
        return chosen_view(self.view_gains(views, scored), margin, self.view_margins, page_type)

    def keep(self, views: dict[str, list[str]], page_type: str) -> list[str]:
        candidates, features, probabilities = scored = self.scored_lines(views)
        if self.mode[page_type] == "select":
            name = self.select(views, self.select_margin[page_type], scored, page_type)
            lines = list(views.get(name, []))
            return without_repeats(lines) if self.dedupe and name != "trafilatura" else lines
        if not candidates:
            return []
        drop, add, _ = self.by_type[page_type]
        kept = np.where(features[:, 0] > 0, probabilities >= drop, probabilities >= add)
        return [line for line, keep in zip(candidates, kept) if keep]

    def used_on(self, page_type: str) -> bool:
        """Whether the combiner is ever asked on a page of this type (the views are not read otherwise)."""
        return self.by_type[page_type][2] > 0

    def agree(self, views: dict[str, list[str]], page_type: str) -> bool:
        """Whether trafilatura's and resiliparse's views share enough of their words for trafilatura's to stand on a
        page of this type (a type whose share is 0 always keeps trafilatura's text)."""
        return bag_f1(views["trafilatura"], views["resiliparse"]) >= self.by_type[page_type][2]


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> ViewsModel:
    """The trained combiner, read once per process. A missing or mismatched file is an error naming the command that
    makes it."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            stored = {name: arrays[name] for name in arrays.files}
        model = ViewsModel(stored)
    except (OSError, KeyError, ValueError) as error:
        raise RuntimeError(f"views model {path} unreadable ({error}): make it with `python -m bench.train_views`") from error
    width = stored["mean"].shape[0]
    if int(stored["features_version"]) != FEATURES_VERSION or width != feature_count(len(model.view_names)):
        raise RuntimeError(f"views model {path} was made for other features: retrain with `python -m bench.train_views`")
    return model


def load_cv_report(path: Path = MODEL_PATH) -> dict | None:
    """The out-of-fold figures bench.train_views stored with the model (None for a model without them)."""
    import json

    try:
        with np.load(path, allow_pickle=False) as arrays:
            return json.loads(str(arrays["cv_report"])) if "cv_report" in arrays.files else None
    except OSError:
        return None
