import warnings

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


@pytest.mark.parametrize("cls, prefix", [(TSNE, "tsne"), (UMAP, "umap")])
def test_wrappers_give_named_pandas_output(cls, prefix):
    X = np.random.default_rng(0).normal(size=(60, 2, 8)).astype(np.float32)
    est = cls(random_state=0).set_output(transform="pandas")
    Y = est.fit_transform(X)
    assert list(Y.columns) == [f"{prefix}0", f"{prefix}1"] == list(est.get_feature_names_out())
    np.testing.assert_array_equal(Y.to_numpy(), est.embedding_)


def test_wrappers_standardise_and_flatten_windows():
    import umap

    X = np.random.default_rng(0).normal(size=(60, 3, 10)) * [[[1.0], [5.0], [0.1]]]
    F = ChannelScaler().fit_transform(X).reshape(60, -1).astype(np.float64)
    np.testing.assert_allclose(UMAP(random_state=0).fit_transform(X), umap.UMAP(random_state=0).fit_transform(F))
    model = TSNE(random_state=0).fit(X)
    assert model.transform(X[:5]).shape == (5, 2)
    with pytest.raises(ValueError, match="cannot embed new data"):
        TSNE(backend="sklearn", random_state=0).fit(X).transform(X)


def test_scaler_columns_of_rows_use_the_clipped_standard_deviation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 3)) * [1.0, 5.0, 0.1]
    X[:4, 0] = 1e6  # spikes in 0.2 % of a column do not set its scale
    scaler = ChannelScaler(min_scale=None).fit(X)
    low, high = np.percentile(X, [1, 99], axis=0)
    np.testing.assert_allclose(scaler.scale_, np.clip(X, low, high).std(axis=0))
    np.testing.assert_allclose(scaler.scale_, [1.0, 5.0, 0.1], rtol=0.15)
    # a bimodal column (a class-like feature) gets its standard deviation, not its interquartile range
    bimodal = np.r_[np.zeros(700), np.full(300, 8.0)][:, None] + rng.normal(0, 0.1, (1000, 1))
    assert ChannelScaler().fit(bimodal).scale_[0] == pytest.approx(8.0 * np.sqrt(0.21), rel=0.02)
    # a column that is zero but for 3 % of the rows is not blown up
    sparse = np.zeros((100, 1))
    sparse[:3] = 16.0
    assert ChannelScaler().fit(sparse).scale_[0] == pytest.approx(16.0 * np.sqrt(0.03 * 0.97))


def test_scaler_spread_of_a_column_of_rows_is_at_least_half_the_median_columns():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 3)) * [1.0, 5.0, 0.1]
    own = ChannelScaler(min_scale=None).fit(X).scale_
    scaler = ChannelScaler().fit(X)  # min_scale=0.5: the median spread is column 0's
    np.testing.assert_allclose(scaler.scale_, [own[0], own[1], 0.5 * own[0]])
    np.testing.assert_allclose(ChannelScaler(min_scale=0.05).fit(X).scale_, own)  # 0.1 > 0.05 x 1: its own
    # a pixel lit in 3 % of the rows next to columns of spread 4: scaled by 2, not by its own 0.51
    X = np.c_[rng.normal(0, 4.0, (100, 4)), np.zeros(100)]
    X[:3, 4] = 3.0
    scale = ChannelScaler().fit(X).scale_
    assert scale[4] == pytest.approx(0.5 * np.median(scale))
    assert ChannelScaler(min_scale=None).fit(X).scale_[4] == pytest.approx(3.0 * np.sqrt(0.03 * 0.97))
    # channels of windows keep their own spread, however small
    W = rng.normal(size=(50, 3, 20)) * np.array([1.0, 5.0, 0.1])[None, :, None]
    np.testing.assert_allclose(ChannelScaler().fit(W).scale_, ChannelScaler(min_scale=None).fit(W).scale_)
    with pytest.raises(ValueError, match="min_scale"):
        ChannelScaler(min_scale=-1).fit(X)


def test_scaler_of_values_whose_squares_overflow_standardises_them_the_same():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4)) * [1.0, 2.0, 3.0, 4.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way
        big = ChannelScaler().fit(X * 1e300)
    np.testing.assert_allclose(big.scale_ / 1e300, ChannelScaler().fit(X).scale_, rtol=1e-12)
    np.testing.assert_allclose(big.transform(X * 1e300), ChannelScaler().fit_transform(X), atol=1e-6)
    # beyond what float64 can hold as a spread: a clear error, not a map of identical points
    W = np.clip(rng.normal(size=(20, 2, 30)), -1, 1) * 1.7e308
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own finiteness check sums X
        with pytest.raises(ValueError, match="divide X by a constant"):
            ChannelScaler().fit(W)


def test_scaler_channels_of_windows_use_the_interquartile_range():
    X = np.random.default_rng(0).normal(size=(200, 2, 50)) * [[[1.0], [3.0]]]
    flat = np.moveaxis(X, 1, -1).reshape(-1, 2)
    q1, q3 = np.percentile(flat, [25, 75], axis=0)
    np.testing.assert_allclose(ChannelScaler().fit(X).scale_, (q3 - q1) / 1.3489795003921634)
