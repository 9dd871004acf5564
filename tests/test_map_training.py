"""The parts of DeepTDA's map training: the fuzzy graph, the spectral start, the input views,
and a small seeded run of the generalisation suite."""

import os
import sys

import numpy as np
import pandas as pd
import torch

from deeptda.encoders import InputView, amplitude_spectra, view_dims
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


def test_input_view_projects_like_pca_and_its_spectra_ignore_phase():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2, 32)).astype(np.float32)
    dims = view_dims(X.shape[1:], len(X))
    assert dims == (32, 32)
    view = InputView(X.shape[1:], dims).fit(X, random_state=0)
    out = view(torch.as_tensor(X)).numpy()
    raw = PCA(32, svd_solver="full").fit_transform(X.reshape(50, -1).astype(np.float64))
    scale = np.sqrt((raw ** 2).sum(axis=1).mean())
    np.testing.assert_allclose(np.abs(out[:, :32]), np.abs(raw / scale), atol=1e-4)
    assert np.isclose(np.sqrt((out[:, 32:] ** 2).sum(axis=1).mean()), 1.0, atol=1e-4)
    shifted = torch.as_tensor(np.roll(X, 5, axis=2))
    np.testing.assert_allclose(amplitude_spectra(shifted).numpy(), amplitude_spectra(torch.as_tensor(X)).numpy(),
                               atol=1e-4)
    np.testing.assert_allclose(view(shifted).numpy()[:, 32:], out[:, 32:], atol=1e-4)
    # energy-preserving: the spectrum's norm is the window's norm
    np.testing.assert_allclose(np.linalg.norm(amplitude_spectra(torch.as_tensor(X)).numpy(), axis=1),
                               np.linalg.norm(X.reshape(50, -1), axis=1), rtol=1e-4)


def test_view_dims_follow_the_data():
    assert view_dims((3, 100), 20) == (19, 19)
    assert view_dims((4,), 500) == (4,)
    assert view_dims((1, 8), 500) == (8, 5)


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


def test_despike_removes_isolated_spikes_and_keeps_smooth_signals():
    from deeptda.encoders import despike

    t = torch.linspace(0, 6.28, 100)
    smooth = torch.stack([torch.sin(t), torch.cos(3 * t)])[None]  # (1, 2, 100), steps << 3 sd
    assert torch.equal(despike(smooth), smooth)
    hit = smooth.clone()
    hit[0, 0, 40] += 8.0
    hit[0, 1, 0] -= 9.0  # at the edge too
    out = despike(hit)
    np.testing.assert_allclose(out.numpy(), smooth.numpy(), atol=0.1)
    step = torch.cat([torch.zeros(1, 1, 50), 5 * torch.ones(1, 1, 50)], dim=2)  # a real jump is kept
    assert torch.equal(despike(step), step)
    rows = torch.randn(4, 7)
    assert torch.equal(despike(rows), rows)


def test_despike_is_a_saved_parameter(tmp_path):
    from deeptda import DeepTDA

    X = np.random.default_rng(0).normal(size=(40, 3, 32)).astype(np.float32)
    X[5, 1, 10] = 40.0
    for flag in (True, False):
        model = DeepTDA(n_epochs=2, map_epochs=2, random_state=0, despike=flag).fit(X)
        model.save(tmp_path / "m.pt")
        again = DeepTDA.load(tmp_path / "m.pt")
        assert again.despike is flag and again.network_.despike is flag
        np.testing.assert_array_equal(again.transform(X), model.transform(X))
    with_spike = DeepTDA(n_epochs=2, map_epochs=2, random_state=0).fit(X)
    clean = X.copy()
    clean[5, 1, 10] = np.median(X[5, 1, 9:12])
    np.testing.assert_allclose(with_spike.representation(X)[5], with_spike.representation(clean)[5], atol=1e-5)
