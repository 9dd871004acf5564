import numpy as np
import pytest
from sklearn.manifold import trustworthiness as sk_trustworthiness

from deeptda import ChannelScaler, metrics
from deeptda.metrics import amplitude_spectra, procrustes_disparity


def test_trustworthiness_and_continuity_match_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 8))
    Y = X[:, :2] + rng.normal(scale=0.3, size=(150, 2))
    for k in (5, 10, 20):
        assert metrics.trustworthiness(X, Y, k) == pytest.approx(sk_trustworthiness(X, Y, n_neighbors=k), abs=1e-12)
        assert metrics.continuity(X, Y, k) == pytest.approx(sk_trustworthiness(Y, X, n_neighbors=k), abs=1e-12)


def test_knn_preservation_and_accuracy_small_cases():
    X = np.array([[0.0], [1.0], [3.0], [7.0], [15.0]])
    Y = np.array([[0.0], [1.0], [3.0], [7.0], [15.0]])
    assert metrics.knn_preservation(X, Y, n_neighbors=2) == 1.0
    Y2 = np.array([[0.0], [10.0], [3.0], [7.0], [15.0]])  # point 1 moved
    # neighbours in X: 0:{1,2} 1:{0,2} 2:{1,0} 3:{2,1} 4:{3,2}
    # neighbours in Y2: 0:{2,3} 1:{3,2} 2:{0,3} 3:{1,2} 4:{1,3}
    assert metrics.knn_preservation(X, Y2, n_neighbors=2) == pytest.approx((1 + 1 + 1 + 1 + 1) / 10)
    Y = np.r_[np.zeros((6, 1)), np.ones((6, 1))] + np.arange(12)[:, None] * 1e-3
    labels = np.array([0] * 6 + [1] * 6)
    assert metrics.knn_accuracy(Y, labels, n_neighbors=3, n_splits=3, random_state=0) == 1.0
    alternating = np.arange(12) % 2
    assert metrics.knn_accuracy(Y, alternating, n_neighbors=3, n_splits=3, random_state=0) < 0.7


def test_diagram_distance_is_zero_for_identical_and_scale_invariant():
    X = np.random.default_rng(0).normal(size=(80, 4))
    Y = X[:, :2]
    d = metrics.diagram_distances(X, Y, random_state=0)
    assert metrics.diagram_distances(X, X) == {"dgm0": 0.0, "dgm1": 0.0}
    scaled = metrics.diagram_distances(7.0 * X, 0.1 * Y)
    assert scaled["dgm0"] == pytest.approx(d["dgm0"], rel=1e-9)
    assert scaled["dgm1"] == pytest.approx(d["dgm1"], rel=1e-9)


def test_evaluate_embedding_keys_and_errors():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    labels = (X[:, 0] > 0).astype(int)
    scores = metrics.evaluate_embedding(X, X[:, :2], labels, n_neighbors=(5, 10), random_state=0)
    for key in (
        "trustworthiness@5",
        "continuity@10",
        "knn_preservation@5",
        "spearman",
        "kl@0.01",
        "kl@1.0",
        "wasserstein_dgm0",
        "wasserstein_dgm1",
        "knn_accuracy",
        "silhouette",
        "ari",
        "nmi",
    ):
        assert key in scores and np.isfinite(scores[key])
    with pytest.raises(ValueError, match="same samples"):
        metrics.evaluate_embedding(X, X[:50, :2])
    with pytest.raises(ValueError, match="NaN"):
        metrics.evaluate_embedding(np.where(X > 2, np.nan, X), X[:, :2])
    with pytest.raises(ValueError, match="n_neighbors=40"):
        metrics.evaluate_embedding(X, X[:, :2], n_neighbors=40)
    with pytest.raises(ValueError, match="labels has"):
        metrics.evaluate_embedding(X, X[:, :2], labels[:10])
    frame = metrics.evaluation_frame({"a": scores, "b": scores})
    assert frame.shape[0] == 2


def test_procrustes_disparity():
    Y = np.random.default_rng(1).normal(size=(30, 2))
    assert procrustes_disparity(Y, 3 * Y + 1) == pytest.approx(0.0, abs=1e-12)
    assert procrustes_disparity(Y, np.random.default_rng(2).normal(size=(30, 2))) > 0.5
    with pytest.raises(ValueError, match="same samples"):
        procrustes_disparity(Y, Y[:10])


@pytest.mark.parametrize("t", [31, 32])
def test_amplitude_spectra_phase_free_and_contracting(t):
    from scipy.spatial.distance import pdist

    X = np.random.default_rng(5).normal(size=(30, 3, t)) + np.arange(3)[None, :, None]
    S = amplitude_spectra(X)
    assert S.shape == (30, 3 * (t // 2 + 1))
    R = ChannelScaler().fit_transform(X).astype(np.float64).reshape(30, -1)
    # Energy-preserving: norms equal; distances never exceed the windows' own distances.
    np.testing.assert_allclose(np.linalg.norm(S, axis=1), np.linalg.norm(R, axis=1), rtol=1e-5)
    assert (pdist(S) <= pdist(R) * (1 + 1e-5)).all()
    # Phase-free: every circular shift of a window maps to the same spectrum.
    rolled = amplitude_spectra(np.concatenate([X, np.roll(X, 5, axis=2), X[:, :, ::-1]]))
    np.testing.assert_allclose(rolled[30:60], rolled[:30], atol=1e-9)
    np.testing.assert_allclose(rolled[60:], rolled[:30], atol=1e-9)  # time reversal too
    # Bin 0, each channel's mean (the posture), keeps its sign: a window and its negation differ there only.
    both = amplitude_spectra(np.concatenate([X, -X])).reshape(60, 3, -1)
    np.testing.assert_allclose(both[30:, :, 0], -both[:30, :, 0], atol=1e-9)
    np.testing.assert_allclose(both[30:, :, 1:], both[:30, :, 1:], atol=1e-9)
    assert np.abs(both[:30, :, 0]).min() > 0
    with pytest.raises(ValueError, match="windows of shape"):
        amplitude_spectra(X[:, 0])
