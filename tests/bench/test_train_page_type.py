"""bench.train_page_type's export of gradient-boosted trees to the arrays the package walks with numpy: the same
probabilities as scikit-learn's own predict_proba, on data where several rounds of multi-leaf trees are fitted."""
import numpy as np
import pytest

from newsclean.clean import page_type as pt


def test_exported_trees_give_scikit_learn_s_probabilities():
    pytest.importorskip("sklearn")
    from sklearn.ensemble import HistGradientBoostingClassifier

    from bench.train_page_type import export_trees

    generator = np.random.default_rng(3)
    inputs = generator.normal(size=(400, 6))
    labels = np.array(["article", "forum", "product"])[(inputs[:, 0] > 0.3).astype(int) + (inputs[:, 2] + inputs[:, 4] > 1)]
    model = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=7, random_state=0).fit(inputs, labels)
    trees = export_trees(model)
    assert len(trees.roots) == 15 * 3 and (~trees.is_leaf).sum() > 15 * 3  # real trees, not stumps
    theirs = model.predict_proba(inputs[:50])
    for row in range(50):
        raw = trees.raw_scores(inputs[row])
        ours = np.exp(raw - raw.max()) / np.exp(raw - raw.max()).sum()
        assert np.allclose(ours, theirs[row], atol=1e-9)
