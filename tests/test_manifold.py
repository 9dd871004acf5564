import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from deeptda import TSNE, UMAP, ChannelScaler


@parametrize_with_checks(
    [ChannelScaler()],
    expected_failed_checks=lambda est: {},
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_tsne_equals_opentsne_directly():
    import openTSNE

    X = np.random.default_rng(0).normal(size=(120, 6))
    ours = TSNE(random_state=3).fit_transform(X)
    theirs = np.asarray(openTSNE.TSNE(perplexity=30.0, random_state=3, n_jobs=1).fit(X))
    np.testing.assert_allclose(ours, theirs)


def test_umap_equals_umap_learn_directly():
    import umap

    X = np.random.default_rng(0).normal(size=(120, 6))
    ours = UMAP(random_state=3).fit_transform(X)
    theirs = umap.UMAP(random_state=3).fit_transform(X)
    np.testing.assert_allclose(ours, theirs)


def test_wrappers_standardise_and_flatten_windows():
    import umap

    X = np.random.default_rng(0).normal(size=(60, 3, 10)) * [[[1.0], [5.0], [0.1]]]
    F = ChannelScaler().fit_transform(X).reshape(60, -1).astype(np.float64)
    np.testing.assert_allclose(UMAP(random_state=0).fit_transform(X), umap.UMAP(random_state=0).fit_transform(F))
    model = TSNE(random_state=0).fit(X)
    assert model.transform(X[:5]).shape == (5, 2)
    with pytest.raises(ValueError, match="cannot embed new data"):
        TSNE(backend="sklearn", random_state=0).fit(X).transform(X)
