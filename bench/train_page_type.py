"""Train the page-type model (newsclean/clean/page_type.py) on the WCXB development pages' labels, and report its
accuracy by cross-validation grouped by domain (no domain in both a training and a test fold).

    python -m bench.train_page_type            # cross-validate, then fit on every page and write the model file
    python -m bench.train_page_type --cv-only  # the figures, no model written

The regularisation strength is chosen inside each training fold (an inner grouped cross-validation), so the
out-of-fold accuracy is that of the whole procedure on sites it never saw. The out-of-fold predictions are saved
beside the extraction cache (bench/extraction_cache.py) for experiments that use the page type.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter

from bench import extraction_cache
from bench.wcxb import FOLDS, PAGE_TYPES, fold_of, truth
from newsclean.clean import page_type as pt

ALPHAS = (1e-5, 1e-4, 1e-3)  # regularisation strengths tried
EPOCHS = 50


def features(pages: list[str]):
    """The feature matrix of the pages (sparse), cached on disk by the model's feature layout."""
    import numpy as np
    from scipy import sparse

    path = extraction_cache.CACHE / "page_type" / f"features-v{pt.FEATURES_VERSION}-{pt.HASH_SLOTS}-{len(pt.SHAPES)}.npz"
    if path.exists():
        stored = np.load(path, allow_pickle=False)
        if list(stored["pages"]) == pages:
            return sparse.csr_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=tuple(stored["shape"]))
    matrix = sparse.vstack([sparse.csr_matrix(pt.page_features(extraction_cache.page_html("wcxb", page))) for page in pages]).tocsr()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, pages=np.array(pages), data=matrix.data, indices=matrix.indices, indptr=matrix.indptr, shape=np.array(matrix.shape))
    return matrix


def _fit(matrix, labels, alpha: float):
    """Logistic regression by stochastic gradient descent (one-vs-rest, probabilities normalised; seconds, where a
    full solver takes minutes on this machine)."""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", alpha=alpha, max_iter=EPOCHS, tol=None, random_state=0).fit(matrix, labels)


def _grouped_accuracy(matrix, labels, folds, c: float) -> float:
    import numpy as np

    correct = 0
    for fold in sorted(set(folds)):
        test = np.array([f == fold for f in folds])
        model = _fit(matrix[~test], labels[~test], c)
        correct += int((model.predict(matrix[test]) == labels[test]).sum())
    return correct / len(labels)


def _choose_c(matrix, labels, folds) -> float:
    return max(ALPHAS, key=lambda alpha: _grouped_accuracy(matrix, labels, folds, alpha))


def cross_validate(matrix, labels, folds) -> tuple[list[str], list[float], list[float]]:
    """Out-of-fold predicted type and confidence of every page, and the C chosen in each outer fold."""
    import numpy as np

    predicted, confidence, chosen = [""] * len(labels), [0.0] * len(labels), []
    for fold in range(FOLDS):
        test = np.array([f == fold for f in folds])
        train_folds = [f for f in folds if f != fold]
        c = _choose_c(matrix[~test], labels[~test], train_folds)
        chosen.append(c)
        model = _fit(matrix[~test], labels[~test], c)
        probabilities = model.predict_proba(matrix[test])
        for row, index in enumerate(np.flatnonzero(test)):
            best = int(probabilities[row].argmax())
            predicted[index], confidence[index] = str(model.classes_[best]), float(probabilities[row][best])
    return predicted, confidence, chosen


def report(labels: list[str], predicted: list[str]) -> dict:
    """Accuracy, articles-vs-rest accuracy, and each type's recall and precision."""
    pairs = list(zip(labels, predicted))
    figures = {"accuracy": sum(a == b for a, b in pairs) / len(pairs),
               "article_vs_rest": sum((a == "article") == (b == "article") for a, b in pairs) / len(pairs)}
    for page_type in PAGE_TYPES:
        actual = [b for a, b in pairs if a == page_type]
        called = [a for a, b in pairs if b == page_type]
        figures[page_type] = {"pages": len(actual), "recall": sum(b == page_type for b in actual) / max(1, len(actual)),
                              "precision": sum(a == page_type for a in called) / max(1, len(called))}
    return figures


def oof_path():
    return extraction_cache.CACHE / "page_type" / "oof.json"


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # one core: the machine is shared, and BLAS threads fighting over it cost 10x

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv-only", action="store_true", help="report the cross-validated figures, write no model")
    args = parser.parse_args(argv)
    pages = truth()
    ids = list(pages)
    matrix = features(ids)
    labels = np.array([pages[page].page_type for page in ids])
    folds = [fold_of(pages[page].domain) for page in ids]
    predicted, confidence, chosen = cross_validate(matrix, labels, folds)
    figures = report(list(labels), predicted)
    oof_path().write_text(json.dumps({page: [kind, conf] for page, kind, conf in zip(ids, predicted, confidence)}))
    print(f"page type, {len(ids)} pages, {FOLDS}-fold CV grouped by domain (alpha chosen inside each fold: {chosen}):")
    print(f"  accuracy {figures['accuracy']:.3f}, articles vs the rest {figures['article_vs_rest']:.3f}")
    for page_type in PAGE_TYPES:
        row = figures[page_type]
        print(f"  {page_type:<14} {row['pages']:>4} pages  recall {row['recall']:.3f}  precision {row['precision']:.3f}")
    print("  confusions (true -> predicted):", Counter((a, b) for a, b in zip(labels, predicted) if a != b).most_common(6))
    if not args.cv_only:
        c = _choose_c(matrix, labels, folds)
        model = _fit(matrix, labels, c)
        pt.save_model(pt.PageTypeModel(tuple(str(name) for name in model.classes_), model.coef_.T.copy(), model.intercept_.copy()),
                      {**figures, "folds": FOLDS, "pages": len(ids), "c": c})
        print(f"model (alpha={c}) written to {pt.MODEL_PATH} ({pt.MODEL_PATH.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
