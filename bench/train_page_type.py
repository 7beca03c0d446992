"""Train the page-type model (newsclean/clean/page_type.py) on the WCXB development pages' labels, and report its
accuracy by cross-validation grouped by domain (no domain in both a training and a test fold).

    python -m bench.train_page_type            # cross-validate, then fit on every page and write the model file
    python -m bench.train_page_type --cv-only  # the figures, no model written
    python -m bench.train_page_type --time     # classify_page's cost per page over aeb's HTML pages, nothing trained

The model has two stages: a linear model (logistic, by SGD) over the hashed tokens, whose probabilities join the
dense structure figures as inputs of gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier; exported
to arrays that the package walks with numpy). Everything chosen on data is chosen inside each outer training fold, by
an inner cross-validation grouped by domain on that fold alone: the linear model's regularisation, the trees' size,
and the threshold on P(article) above which a page is called an article. The trees learn from the linear model's
inner out-of-fold probabilities (stacking), never from probabilities of pages it was fitted on. So the out-of-fold
figures are those of the whole procedure on sites it never saw. The out-of-fold predictions are saved beside the
extraction cache (bench/extraction_cache.py) for experiments that use the page type.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before scikit-learn loads OpenMP: threads fighting over a shared machine cost 20x

import argparse  # noqa: E402
import json  # noqa: E402
from collections import Counter  # noqa: E402

from bench import extraction_cache  # noqa: E402
from bench.wcxb import FOLDS, PAGE_TYPES, fold_of, truth  # noqa: E402
from newsclean.clean import page_type as pt  # noqa: E402

ALPHAS = (1e-5, 1e-4, 1e-3)  # the linear model's regularisation strengths tried
EPOCHS = 50
LEAF_COUNTS = (7, 15)  # the trees' sizes tried; learning rate, rounds and L2 are fixed below, not tuned
TREE_SETTINGS = {"learning_rate": 0.1, "max_iter": 100, "l2_regularization": 1.0, "early_stopping": False}
THRESHOLDS = tuple(round(0.2 + 0.05 * step, 2) for step in range(13))  # P(article) thresholds tried, 0.2 to 0.8


def features(pages: list[str], urls: list[str | None]):
    """The pages' hashed feature matrix (sparse) and dense figures, cached on disk by the features' layout. `urls`:
    each page's URL as a scraper names it (the benchmark's), its canonical link where there is none."""
    import numpy as np
    from scipy import sparse

    path = extraction_cache.CACHE / "page_type" / f"features-v{pt.FEATURES_VERSION}-{pt.LINEAR_WIDTH}-{len(pt.DENSE)}.npz"
    if path.exists():
        stored = np.load(path, allow_pickle=False)
        if list(stored["pages"]) == pages:
            return (sparse.csr_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=tuple(stored["shape"])),
                    stored["dense"])
    rows, dense = [], []
    for page, url in zip(pages, urls):
        vector, figures = pt.page_features(extraction_cache.page_html("wcxb", page), url)
        rows.append(sparse.csr_matrix(vector))
        dense.append(figures)
    matrix, dense = sparse.vstack(rows).tocsr(), np.vstack(dense)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, pages=np.array(pages), data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
             shape=np.array(matrix.shape), dense=dense)
    return matrix, dense


def _fit_linear(matrix, labels, alpha: float):
    """Logistic regression by stochastic gradient descent (one-vs-rest, probabilities normalised; seconds, where a
    full solver takes minutes on this machine)."""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=alpha, max_iter=EPOCHS, tol=None, random_state=0).fit(matrix, labels)


def _fit_trees(inputs, labels, leaves: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_leaf_nodes=leaves, random_state=0, **TREE_SETTINGS).fit(inputs, labels)


def _linear_probabilities(model, matrix):
    """The linear stage's probabilities as the package computes them."""
    return pt.one_vs_rest_probabilities(matrix @ model.coef_.T + model.intercept_)


def _decide(probabilities, classes, threshold: float):
    import numpy as np

    article = list(classes).index("article")
    others = probabilities.copy()
    others[:, article] = -1.0
    return np.where(probabilities[:, article] >= threshold, article, others.argmax(axis=1))


def _best_out_of_fold(options, probabilities_of, labels, folds):
    """The option whose grouped out-of-fold accuracy on these pages is best (the first of equals), with its
    out-of-fold probabilities. `probabilities_of(option, train, test)`: the test rows' probabilities (classes sorted)."""
    import numpy as np

    classes, best = np.unique(labels), None
    for option in options:
        probabilities = np.zeros((len(labels), len(classes)))
        for fold in sorted(set(folds)):
            test = folds == fold
            probabilities[test] = probabilities_of(option, ~test, test)
        accuracy = float((classes[probabilities.argmax(axis=1)] == labels).mean())
        if best is None or accuracy > best[0]:
            best = (accuracy, option, probabilities)
    return best[1], best[2]


def _inner_linear(matrix, labels, folds):
    """The regularisation best by grouped CV on these pages, and those pages' out-of-fold probabilities with it."""
    return _best_out_of_fold(ALPHAS, lambda alpha, train, test: _linear_probabilities(
        _fit_linear(matrix[train], labels[train], alpha), matrix[test]), labels, folds)


def _inner_trees(inputs, labels, folds):
    """The tree size best by grouped CV on these pages, then the P(article) threshold best for articles vs the
    rest on that size's out-of-fold probabilities."""
    import numpy as np

    leaves, probabilities = _best_out_of_fold(LEAF_COUNTS, lambda leaves, train, test: _fit_trees(
        inputs[train], labels[train], leaves).predict_proba(inputs[test]), labels, folds)
    classes = np.unique(labels)
    is_article = labels == "article"

    def articles_vs_rest(threshold):  # ties go to the threshold nearer 0.5 (an argmax-like rule)
        called = classes[_decide(probabilities, classes, threshold)] == "article"
        return float((called == is_article).mean()), -abs(threshold - 0.5)

    return leaves, max(THRESHOLDS, key=articles_vs_rest)


def fit(matrix, dense, labels, folds):
    """The whole procedure on these pages: (linear model, trees, threshold, chosen settings)."""
    import numpy as np

    alpha, inner_probabilities = _inner_linear(matrix, labels, folds)
    inputs = np.hstack([dense, inner_probabilities])
    leaves, threshold = _inner_trees(inputs, labels, folds)
    return _fit_linear(matrix, labels, alpha), _fit_trees(inputs, labels, leaves), threshold, {
        "alpha": alpha, "leaves": leaves, "article_threshold": threshold}


def cross_validate(matrix, dense, labels, folds):
    """Out-of-fold predicted type and confidence of every page, and the settings chosen in each outer fold."""
    import numpy as np

    predicted, confidence, chosen = [""] * len(labels), [0.0] * len(labels), []
    for fold in range(FOLDS):
        test = folds == fold
        linear, trees, threshold, settings = fit(matrix[~test], dense[~test], labels[~test], folds[~test])
        chosen.append(settings)
        probabilities = trees.predict_proba(np.hstack([dense[test], _linear_probabilities(linear, matrix[test])]))
        decided = _decide(probabilities, trees.classes_, threshold)
        for row, index in enumerate(np.flatnonzero(test)):
            predicted[index] = str(trees.classes_[decided[row]])
            confidence[index] = float(probabilities[row][decided[row]])
    return predicted, confidence, chosen


def export_trees(model) -> pt.Trees:
    """The fitted HistGradientBoostingClassifier as flat arrays (its per-round predictors, one per class; read
    from its fitted attributes: scikit-learn has no public export of these trees)."""
    import numpy as np

    parts, roots, tree_class, offset = [], [], [], 0
    for round_predictors in model._predictors:
        for class_index, predictor in enumerate(round_predictors):
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not exported")
            parts.append(nodes)
            roots.append(offset)
            tree_class.append(class_index)
            offset += len(nodes)
    nodes = np.concatenate(parts)
    shift = np.repeat(np.array(roots), [len(part) for part in parts])
    return pt.Trees(nodes["feature_idx"].astype(np.int32), nodes["num_threshold"].astype(np.float64),
                    (nodes["left"] + shift).astype(np.int32), (nodes["right"] + shift).astype(np.int32),
                    nodes["is_leaf"].astype(bool), nodes["value"].astype(np.float64), np.array(roots, dtype=np.int32),
                    np.array(tree_class, dtype=np.int32), np.asarray(model._baseline_prediction, dtype=np.float64).ravel())


def report(labels: list[str], predicted: list[str]) -> dict:
    """Accuracy, articles-vs-rest accuracy, each type's recall and precision, and the confusion matrix."""
    pairs = list(zip(labels, predicted))
    figures = {"accuracy": sum(a == b for a, b in pairs) / len(pairs),
               "article_vs_rest": sum((a == "article") == (b == "article") for a, b in pairs) / len(pairs)}
    for page_type in PAGE_TYPES:
        actual = [b for a, b in pairs if a == page_type]
        called = [a for a, b in pairs if b == page_type]
        figures[page_type] = {"pages": len(actual), "recall": sum(b == page_type for b in actual) / max(1, len(actual)),
                              "precision": sum(a == page_type for a in called) / max(1, len(called))}
    counts = Counter(pairs)
    figures["confusion"] = {truth_type: {called: counts[truth_type, called] for called in PAGE_TYPES} for truth_type in PAGE_TYPES}
    return figures


def print_report(figures: dict, heading: str) -> None:
    """The table bench.train_page_type and bench.quality print."""
    print(heading)
    print(f"  accuracy {figures['accuracy']:.3f}, articles vs the rest {figures['article_vs_rest']:.3f}")
    for page_type in PAGE_TYPES:
        row = figures[page_type]
        print(f"  {page_type:<14} {row['pages']:>4} pages  recall {row['recall']:.3f}  precision {row['precision']:.3f}")
    if "confusion" in figures:
        print("  confusion (rows: true type, columns: type given)")
        print("  " + " " * 14 + "".join(f"{name[:6]:>7}" for name in PAGE_TYPES))
        for truth_type in PAGE_TYPES:
            print(f"  {truth_type:<14}" + "".join(f"{figures['confusion'][truth_type][called]:>7}" for called in PAGE_TYPES))


def oof_path():
    return extraction_cache.CACHE / "page_type" / "oof.json"


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one core: the machine is shared, and BLAS threads fighting over it cost 10x

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv-only", action="store_true", help="report the cross-validated figures, write no model")
    parser.add_argument("--time", action="store_true", help="time classify_page over aeb's HTML pages (best of 3), train nothing")
    args = parser.parse_args(argv)
    if args.time:
        return time_classification()
    pages = truth()
    ids = list(pages)
    matrix, dense = features(ids, [pages[page].url for page in ids])
    labels = np.array([pages[page].page_type for page in ids])
    folds = np.array([fold_of(pages[page].domain) for page in ids])
    predicted, confidence, chosen = cross_validate(matrix, dense, labels, folds)
    figures = report(list(labels), predicted)
    oof_path().write_text(json.dumps({page: [kind, conf] for page, kind, conf in zip(ids, predicted, confidence)}))
    print_report(figures, f"page type, {len(ids)} pages, {FOLDS}-fold CV grouped by domain, out of fold "
                          f"(settings chosen inside each training fold: {chosen}):")
    if not args.cv_only:
        linear, trees, threshold, settings = fit(matrix, dense, labels, folds)
        if list(linear.classes_) != list(trees.classes_):
            raise RuntimeError("the two stages disagree on the classes")
        model = pt.PageTypeModel(tuple(str(name) for name in trees.classes_), linear.coef_.T.copy(),
                                 linear.intercept_.copy(), export_trees(trees), threshold)
        _check_export(model, trees, matrix, dense)
        pt.save_model(model, {**figures, "folds": FOLDS, "pages": len(ids), "settings": settings, "chosen_in_folds": chosen})
        print(f"model ({settings}) written to {pt.MODEL_PATH} ({pt.MODEL_PATH.stat().st_size / 1e6:.2f} MB)")
    return 0


def time_classification(repeats: int = 3) -> int:
    """classify_page's wall time per page over aeb's HTML pages (decoded beforehand; the model loaded beforehand),
    the best of `repeats` passes, on one core."""
    import time

    pages = [extraction_cache.page_html("aeb", page) for page in extraction_cache.page_ids("aeb")]
    pt.classify_page(pages[0])
    passes = []
    for _ in range(repeats):
        start = time.perf_counter()
        for html in pages:
            pt.classify_page(html)
        passes.append((time.perf_counter() - start) / len(pages) * 1000)
    print(f"classify_page over {len(pages)} aeb pages: {min(passes):.1f} ms/page (best of {repeats}; "
          f"passes {', '.join(f'{figure:.1f}' for figure in passes)})")
    return 0


def _check_export(model: pt.PageTypeModel, trees, matrix, dense, rows: int = 50) -> None:
    """The exported arrays give scikit-learn's own probabilities (or the model is not written)."""
    import numpy as np

    for row in range(min(rows, matrix.shape[0])):
        features = matrix[row].toarray().ravel()
        ours = model.probabilities(features, dense[row])
        theirs = trees.predict_proba(np.hstack([dense[row], model.linear_probabilities(features)])[None, :])[0]
        if not np.allclose(ours, theirs, atol=1e-6):
            raise RuntimeError(f"exported trees disagree with scikit-learn on page {row}: {ours} vs {theirs}")


if __name__ == "__main__":
    raise SystemExit(main())
