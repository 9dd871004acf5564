"""The map training: the fuzzy graph, the spectral start, and a small seeded run of the generalisation suite."""

import os
import sys

import numpy as np
import pandas as pd

from deeptda.training import fuzzy_graph, knn_graph, spectral_layout


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, (n, 5)), rng.normal(20, 1, (n, 5))]), np.repeat([0, 1], n)


def test_fuzzy_graph_is_symmetric_with_weights_in_0_1_and_nearest_neighbour_at_1():
    X, _ = blobs()
    idx, dist = knn_graph(X, 10)
    rows, cols, w = fuzzy_graph(idx, dist)
    W = np.zeros((len(X), len(X)))
    W[rows, cols] = w
    np.testing.assert_allclose(W, W.T, atol=1e-12)
    assert np.all(w > 0) and np.all(w <= 1 + 1e-12)
    np.testing.assert_allclose(W[np.arange(len(X)), idx[:, 0]], 1.0)
    assert np.all(np.diag(W) == 0)


def test_fuzzy_memberships_sum_to_log2_k_before_the_union():
    X, _ = blobs()
    idx, dist = knn_graph(X, 8)
    directed = fuzzy_graph(idx, dist)
    # rebuild one direction from the bisection's rule through a graph of one-way edges only
    far = np.arange(len(X))[:, None] * 0 + len(X)  # point index outside the set: no reverse edges
    rows, cols, w = fuzzy_graph(np.where(True, idx, far), dist)
    assert len(directed[0]) == len(rows)
    one_way = np.zeros((len(X), len(X)))
    for i in range(len(X)):
        rho = dist[i, 0]
        lo, hi = 1e-9, 1e3
        for _ in range(100):
            sigma = (lo + hi) / 2
            lo, hi = (sigma, hi) if np.exp(-(dist[i] - rho) / sigma).sum() < np.log2(8) else (lo, sigma)
        one_way[i, idx[i]] = np.exp(-(dist[i] - rho) / sigma)
    union = one_way + one_way.T - one_way * one_way.T
    W = np.zeros_like(union)
    W[rows, cols] = w
    np.testing.assert_allclose(W, union, atol=1e-6)


def test_spectral_layout_separates_blobs_and_falls_back_on_disconnected_graphs():
    X, y = blobs()
    idx, dist = knn_graph(X, 10)
    # bridge the blobs with one weak edge so the graph is connected
    rows, cols, w = fuzzy_graph(idx, dist)
    rows, cols, w = np.r_[rows, 0, 60], np.r_[cols, 60, 0], np.r_[w, 0.01, 0.01]
    layout = spectral_layout((rows, cols, w), len(X), 2, random_state=0)
    assert layout.shape == (120, 2) and np.isclose(np.abs(layout).max(), 10.0)
    first = layout[:, 0]
    assert (np.sign(first[y == 0]) == np.sign(first[y == 0][0])).all()
    assert (np.sign(first[y == 1]) == -np.sign(first[y == 0][0])).all()
    apart = spectral_layout(fuzzy_graph(idx, dist), len(X), 2, random_state=0)  # two pieces
    assert apart.shape == (120, 2) and np.isfinite(apart).all()
    np.testing.assert_array_equal(apart, spectral_layout(fuzzy_graph(idx, dist), len(X), 2, random_state=0))


def test_small_seeded_suite_deeptda_beats_pca_and_stays_near_umap(tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import bench_generalisation
    finally:
        sys.path.pop(0)
    bench_generalisation.main(["--quick", "--out", str(tmp_path)])
    summary = pd.read_csv(tmp_path / "generalisation_summary.csv").set_index(["set", "method"])
    assert (tmp_path / "generalisation_summary.md").read_text().count("\n| ") >= 3
    for name in ("BasicMotions", "wine"):
        acc = summary.loc[name, "knn_accuracy"]
        assert acc["DeepTDA"] >= acc["PCA"] - 0.01, (name, acc.to_dict())
        assert acc["DeepTDA"] >= acc["UMAP"] - 0.05, (name, acc.to_dict())
        faulty = summary.loc[name, "knn_accuracy_faults"]
        assert faulty["DeepTDA"] >= faulty["PCA"] - 0.05, (name, faulty.to_dict())
