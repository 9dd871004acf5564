"""Quality on the full bundled data with default parameters (slow: make test-slow)."""

import numpy as np
import pytest

from sklearn.metrics import adjusted_rand_score

from deeptda import DeepTDA, PersistenceClustering, UMAP
from deeptda.datasets import load_basic_motions, make_collar_windows
from deeptda.metrics import knn_accuracy

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_basic_motions_beats_umap_by_a_margin(seed):
    X, y = load_basic_motions()
    ours = knn_accuracy(DeepTDA(random_state=seed).fit_transform(X), y, random_state=0)
    theirs = knn_accuracy(UMAP(random_state=seed).fit_transform(X), y, random_state=0)
    assert ours >= 0.85
    assert ours >= theirs + 0.2


def test_collar_quality_with_defaults():
    w = make_collar_windows(random_state=0)
    model = DeepTDA(random_state=0).fit(w.X)
    Y = model.embedding_
    assert np.isfinite(Y).all()
    assert knn_accuracy(Y, w.y, random_state=0) >= 0.98
    # behaviours as clusters of the representation: the count from persistence, within one
    clusters = PersistenceClustering(random_state=0).fit(model.representation(w.X))
    assert abs(clusters.n_clusters_ - len(set(w.y))) <= 1
    assert adjusted_rand_score(w.y, clusters.labels_) >= 0.8
