"""Training: the optimiser, the fuzzy graph, the spectral start, and a small seeded run of the generalisation suite."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from deeptda.training import Adam, fuzzy_graph, knn_graph, pca_layout, spectral_layout


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, (n, 5)), rng.normal(20, 1, (n, 5))]), np.repeat([0, 1], n)


def _train(make_opt, lrs, seed=0):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.GELU(), torch.nn.Linear(16, 2))
    frozen = torch.nn.Linear(2, 2)  # a parameter without a gradient is left alone
    frozen.weight.requires_grad_(False)
    params = list(net.parameters()) + [frozen.bias]
    opt = make_opt(params)
    x = torch.randn(32, 6, generator=torch.Generator().manual_seed(1))
    for lr in lrs:
        loss = (net(x) ** 2).sum()
        opt.zero_grad(set_to_none=True) if isinstance(opt, torch.optim.Optimizer) else opt.zero_grad()
        loss.backward()
        if isinstance(opt, torch.optim.Optimizer):
            for g in opt.param_groups:
                g["lr"] = lr
        else:
            opt.lr = lr
        opt.step()
    return [p.detach().clone() for p in params], float(loss)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-4])
def test_adam_is_torch_fused_adam_bit_for_bit(weight_decay):
    if getattr(torch, "_fused_adamw_" if weight_decay else "_fused_adam_", None) is None:
        pytest.skip("this torch has no fused Adam kernel")
    lrs = [1e-2, 5e-3, 2e-3, 0.0, 1e-3]
    cls = torch.optim.AdamW if weight_decay else torch.optim.Adam
    ours, _ = _train(lambda p: Adam(p, lr=1e-2, weight_decay=weight_decay), lrs)
    theirs, _ = _train(lambda p: cls(p, lr=1e-2, weight_decay=weight_decay, fused=True), lrs)
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)


def test_adam_without_the_fused_kernel_is_torch_optim(monkeypatch):
    monkeypatch.delattr(torch, "_fused_adam_", raising=False)
    lrs = [1e-2] * 20
    ours, loss = _train(lambda p: Adam(p, lr=1e-2), lrs)
    assert ours and loss < _train(lambda p: Adam(p, lr=1e-2), [0.0])[1]
    theirs, _ = _train(lambda p: torch.optim.Adam(p, lr=1e-2), lrs)
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)


def test_fit_does_not_import_torch_compile_machinery():
    """torch.optim's wrappers import torch._dynamo (seconds) on a process's first fit; DeepTDA's fit does not."""
    code = (
        "import sys, numpy as np\n"
        "from deeptda import DeepTDA\n"
        "X = np.random.default_rng(0).normal(size=(40, 3, 16)).astype('float32')\n"
        "DeepTDA(n_epochs=2, map_epochs=2, random_state=0).fit(X)\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "False"


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


def test_spectral_layout_draws_a_ring_graph_as_a_circle_with_the_sparse_solver():
    # A noisy ring of 800 points (> DENSE_EIGEN_MAX: ARPACK) whose graph is one cycle. The Laplacian's two
    # leading non-trivial eigenvectors are the ring's cosine and sine, so the layout is a circle in the
    # ring's order. ARPACK may miss the trivial eigenvalue 0; the layout must not then take a higher pair.
    from deeptda.training import DENSE_EIGEN_MAX

    rng = np.random.default_rng(0)
    n = 800
    assert n > DENSE_EIGEN_MAX
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    X = np.c_[np.cos(t), np.sin(t), np.zeros((n, 8))] @ np.linalg.qr(rng.normal(size=(10, 10)))[0]
    X += rng.normal(0, 0.02, X.shape)
    for seed in (0, 1, 2):
        layout = spectral_layout(fuzzy_graph(*knn_graph(X, 8)), n, 2, random_state=seed).astype(np.float64)
        radius = np.linalg.norm(layout - layout.mean(0), axis=1)
        assert radius.std() / radius.mean() < 0.2  # a circle, not an arc or a line
        angle = np.unwrap(np.arctan2(layout[:, 1], layout[:, 0]))
        assert abs(abs(angle[-1] - angle[0]) - 2 * np.pi) < 0.5  # one turn, in the ring's order
        steps = np.diff(angle) * np.sign(angle[-1] - angle[0])
        assert (steps > -0.1).mean() > 0.97


def test_pca_layout_is_sklearns_pca_scaled_with_fixed_signs():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    Z = rng.normal(size=(200, 6)) * np.array([5.0, 2.0, 1.0, 0.5, 0.2, 0.1]) + 3.0
    layout = pca_layout(Z, 2)
    ref = PCA(2, svd_solver="full").fit_transform(Z)
    assert layout.shape == (200, 2) and layout.dtype == np.float32
    assert np.isclose(np.abs(layout).max(), 10.0)
    np.testing.assert_allclose(np.abs(layout), np.abs(10.0 * ref / np.abs(ref).max()), rtol=1e-5, atol=1e-5)
    # each component's largest loading is made positive, so its sign follows the data, not a random state:
    # flipping the column that dominates the first component flips that component only
    flipped = pca_layout(Z * np.array([-1.0, 1, 1, 1, 1, 1]), 2)
    np.testing.assert_allclose(flipped * np.array([-1.0, 1.0]), layout, atol=1e-5)
    np.testing.assert_array_equal(pca_layout(Z, 2), layout)
    # fewer columns than map dimensions, or no spread at all: finite, the missing ones at 0
    one = pca_layout(Z[:, :1], 2)
    assert np.isclose(np.abs(one[:, 0]).max(), 10.0) and (one[:, 1] == 0).all()
    assert (pca_layout(np.ones((5, 3)), 2) == 0).all()


def test_small_seeded_suite_deeptda_beats_pca_and_stays_near_umap(tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import bench_generalisation
    finally:
        sys.path.pop(0)
    sets = ("BasicMotions", "wine")
    bench_generalisation.main(["--sets", *sets, "--seeds", "0", "1", "2", "--out", str(tmp_path)])
    summary = pd.read_csv(tmp_path / "generalisation_summary.csv").set_index(["set", "method"])
    table = (tmp_path / "generalisation_summary.md").read_text()
    assert table.count("\n| ") >= 3
    # UMAP on every core is timed on each clean set as the fit reference, outside the accuracy comparison
    runs = pd.read_csv(tmp_path / "generalisation_runs.csv")
    reference = runs[runs.method == bench_generalisation.FIT_REFERENCE]
    assert set(reference.condition) == {"clean"} and len(reference) == 3 * len(sets)
    assert (reference.fit_s > 0).all() and reference.seed_disparity.isna().all()
    assert "DeepTDA's mean fit is at most 3 s on" in table
    for name in sets:
        acc = summary.loc[name, "knn_accuracy"]
        n = int(summary.loc[(name, "PCA"), "n"])
        # means over three seeds, but the same n points: PCA's accuracy is itself known only to
        # about its binomial standard error (0.015 on wine's 178 rows, where PCA is the best method)
        margin = max(0.01, 2 * np.sqrt(acc["PCA"] * (1 - acc["PCA"]) / n))
        assert acc["DeepTDA"] >= acc["PCA"] - margin, (name, acc.to_dict(), margin)
        assert acc["DeepTDA"] >= acc["UMAP"] - 0.05, (name, acc.to_dict())
        faulty = summary.loc[name, "knn_accuracy_faults"]
        assert faulty["DeepTDA"] >= faulty["PCA"] - 0.05, (name, faulty.to_dict())


def test_suite_headline_names_losses_and_runs_without_peers():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        import bench_generalisation
    finally:
        sys.path.pop(0)
    rows = [
        ("a", "DeepTDA", 0.90, 0.05),
        ("a", "UMAP", 0.95, 0.10),
        ("a", "t-SNE", 0.80, 0.20),
        ("b", "DeepTDA", 0.70, 0.01),
        ("b", "UMAP", 0.60, 0.03),
        ("b", "t-SNE", 0.71, 0.02),
    ]
    summary = pd.DataFrame(rows, columns=["set", "method", "knn_accuracy", "knn_drop"])
    text = bench_generalisation.headline(summary, [0])
    assert "DeepTDA's mean 5-NN accuracy in 2-D is 0.800 against t-SNE's 0.755, UMAP's 0.775." in text
    assert "within 0.02 of the best of t-SNE and UMAP on 1 sets and loses by more on: a (-0.050)." in text
    assert text.endswith("DeepTDA 0.030 (t-SNE 0.110, UMAP 0.065).")
    # DeepTDA alone (``--methods DeepTDA`` without ``--update``): no comparison, no crash
    alone = bench_generalisation.headline(summary[summary.method == "DeepTDA"], [0])
    assert alone.endswith("is 0.800. Mean accuracy drop under the fault model: DeepTDA 0.030.")
    # the accuracy left under faults (clean minus drop): DeepTDA 0.85 and 0.69, UMAP 0.85 and 0.57,
    # t-SNE 0.60 and 0.69; DeepTDA at least as accurate as both on each set (ties count)
    summary["knn_accuracy_faults"] = summary["knn_accuracy"] - summary["knn_drop"]
    text = bench_generalisation.headline(summary, [0])
    assert (
        "Mean accuracy under it: DeepTDA 0.770, t-SNE 0.645, UMAP 0.710; DeepTDA at least as accurate as "
        "t-SNE and UMAP on 2 of 2 sets."
    ) in text
    alone = bench_generalisation.headline(summary[summary.method == "DeepTDA"], [0])
    assert alone.endswith("DeepTDA 0.030. Mean accuracy under it: DeepTDA 0.770.")


def test_take_rows_is_indexing_with_a_deterministic_backward():
    from deeptda.losses import take_rows

    g = torch.Generator().manual_seed(0)
    P0 = torch.randn(1800, 2, generator=g)
    index = torch.randint(1800, (9000, 5), generator=g)
    weights = torch.rand(9000, 5, generator=g)

    def grad():
        P = P0.clone().requires_grad_(True)
        (take_rows(P, index).pow(2).sum(-1) * weights).sum().backward()
        return P.grad

    P = P0.clone().requires_grad_(True)
    (P[index].pow(2).sum(-1) * weights).sum().backward()
    first = grad()
    assert torch.equal(take_rows(P0, index), P0[index])
    torch.testing.assert_close(first, P.grad)
    assert all(torch.equal(grad(), first) for _ in range(5))


def test_map_of_a_large_graph_is_bit_identical_across_fits():
    """Full-graph map steps on tens of thousands of edges: the same seed gives the same map, run after run."""
    from deeptda import DeepTDA

    X = np.random.default_rng(0).normal(size=(1800, 8)).astype("float32")
    maps = [DeepTDA(n_epochs=1, map_epochs=8, random_state=0).fit_transform(X) for _ in range(3)]
    assert all(np.array_equal(maps[0], m) for m in maps[1:])


@pytest.mark.parametrize("weighted", [True, False])
def test_neighbour_gradient_is_autograds_gradient_of_neighbour_loss(weighted):
    """The written-out gradient equals autograd's on neighbour_loss, clamped pairs (duplicates) included."""
    from deeptda.losses import neighbour_gradient, neighbour_loss, take_rows, umap_ab

    a, b = umap_ab()
    g = torch.Generator().manual_seed(0)
    n = 300
    Y = torch.randn(n, 2, generator=g, dtype=torch.float64) * 3
    Y[7] = Y[8]  # a repelled pair at distance 0: its term is clamped and has no gradient
    rows, cols = torch.randint(n, (900,), generator=g), torch.randint(n, (900,), generator=g)
    pushed, negatives = torch.randint(n, (600,), generator=g), torch.randint(n, (600, 5), generator=g)
    pushed[0], negatives[0, 0] = 7, 8
    weights = torch.rand(900, generator=g, dtype=torch.float64) if weighted else None
    weights = weights / weights.sum() if weighted else None
    Yr = Y.clone().requires_grad_(True)
    loss, parts = neighbour_loss(
        take_rows(Yr, rows), take_rows(Yr, cols), take_rows(Yr, negatives), a, b, weights=weights,
        y_repelled=take_rows(Yr, pushed),
    )  # fmt: skip
    loss.backward()
    value, grad, components = neighbour_gradient(Y, rows, cols, negatives, pushed, a, b, weights=weights)
    assert value == pytest.approx(float(loss), rel=1e-12)
    assert components == pytest.approx(parts, rel=1e-12)
    torch.testing.assert_close(grad, Yr.grad, rtol=1e-10, atol=1e-14)
    assert grad.abs().max() > 0


def test_topological_gradient_is_autograds_gradient_of_the_0_dim_loss():
    from deeptda.losses import distance_matrix, mst_edges, topological_gradient, topological_loss

    g = torch.Generator().manual_seed(1)
    Z = torch.randn(120, 16, generator=g, dtype=torch.float64)
    Y = torch.randn(120, 2, generator=g, dtype=torch.float64)
    DZ = distance_matrix(Z)
    Yr = Y.clone().requires_grad_(True)
    loss, parts = topological_loss(Z, Yr, DZ=DZ)
    loss.backward()
    for edges in (None, mst_edges(DZ)):
        value, grad, components = topological_gradient(Y, DZ, edges)
        assert value == pytest.approx(float(loss), rel=1e-12)
        assert components["topo0"] == pytest.approx(parts["topo0"], rel=1e-12)
        torch.testing.assert_close(grad, Yr.grad, rtol=1e-10, atol=1e-14)
    # a scaled copy of the representation has nothing to match
    assert topological_gradient(3 * Z, distance_matrix(Z))[2]["topo0"] == pytest.approx(0.0, abs=1e-12)


def _map_gradient_case(seed, n=240):
    g = torch.Generator().manual_seed(seed)
    Y = torch.randn(n, 2, generator=g, dtype=torch.float64) * 3
    Y[7] = Y[8]  # a pair at distance 0: clamped
    rows, cols = torch.randint(n, (700,), generator=g), torch.randint(n, (700,), generator=g)
    pushed, negatives = torch.randint(n, (2 * n,), generator=g), torch.randint(n, (2 * n, 5), generator=g)
    pushed[0], negatives[0, 0] = 7, 8
    weights = torch.rand(700, generator=g, dtype=torch.float64)
    return Y, rows, cols, negatives, pushed, weights / weights.sum()


@pytest.mark.parametrize("seed", [0, 1])
def test_cpu_kernels_of_the_map_gradients_match_the_torch_path(seed):
    """The numba kernels (CPU) and the torch code (GPU) give the same losses and gradients."""
    from deeptda.losses import (
        neighbour_gradient_torch,
        topological_gradient_torch,
        distance_matrix,
        mst_edges,
        neighbour_gradient,
        topological_gradient,
        umap_ab,
    )

    a, b = umap_ab()
    Y, rows, cols, negatives, pushed, weights = _map_gradient_case(seed)
    for w in (weights, None):
        ours = neighbour_gradient(Y, rows, cols, negatives, pushed, a, b, weights=w)
        ref = neighbour_gradient_torch(Y, rows, cols, negatives, pushed, a, b, weights=w)
        assert ours[0] == pytest.approx(ref[0], rel=1e-12)
        assert ours[2] == pytest.approx(ref[2], rel=1e-12)
        torch.testing.assert_close(ours[1], ref[1], rtol=1e-10, atol=1e-14)
    # float32 in, float32 out, within float32 rounding of the float64 gradient
    grad32 = neighbour_gradient(Y.float(), rows, cols, negatives, pushed, a, b, weights=weights.float())[1]
    assert grad32.dtype == torch.float32
    ref = neighbour_gradient_torch(Y, rows, cols, negatives, pushed, a, b, weights=weights)[1]
    torch.testing.assert_close(grad32.double(), ref, rtol=1e-4, atol=1e-7)

    g = torch.Generator().manual_seed(seed)
    Z = torch.randn(len(Y), 12, generator=g, dtype=torch.float64)
    DZ = distance_matrix(Z)
    index = torch.randperm(len(Y), generator=g)[:90]
    sub = DZ.index_select(0, index).index_select(1, index)
    for DY, Ym, edges, idx in ((DZ, Y, None, None), (DZ, Y, mst_edges(DZ), None), (DZ, Y[index], None, index)):
        ours = topological_gradient(Ym, DY, edges, index=idx)
        ref = topological_gradient_torch(Ym, sub if idx is not None else DY, edges)
        assert ours[0] == pytest.approx(ref[0], rel=1e-12)
        torch.testing.assert_close(ours[1], ref[1], rtol=1e-10, atol=1e-14)
        assert ours[1].abs().max() > 0


def test_neighbour_gradient_takes_the_torch_path_above_the_kernels_pair_limit(monkeypatch):
    """Up to ``KERNEL_MAX_PAIRS`` pairs the CPU kernel runs, above it the torch path, value for value."""
    from deeptda import _map_kernels, losses

    a, b = losses.umap_ab()
    Y, rows, cols, negatives, pushed, weights = _map_gradient_case(0)
    pairs = len(rows) + negatives.numel()
    calls = []
    kernel = _map_kernels.neighbour_gradient
    monkeypatch.setattr(_map_kernels, "neighbour_gradient", lambda *args: calls.append(1) or kernel(*args))
    ref = losses.neighbour_gradient_torch(Y, rows, cols, negatives, pushed, a, b, weights=weights)
    for limit, kernel_runs in ((pairs, True), (pairs - 1, False)):
        calls.clear()
        monkeypatch.setattr(losses, "KERNEL_MAX_PAIRS", limit)
        value, grad, _ = losses.neighbour_gradient(Y, rows, cols, negatives, pushed, a, b, weights=weights)
        assert bool(calls) == kernel_runs
        if not kernel_runs:
            assert value == ref[0] and torch.equal(grad, ref[1])


def test_map_gradient_kernels_without_jit():
    """The kernels' Python source (numba's JIT off) gives what the compiled kernels give."""
    code = (
        "import numpy as np; from deeptda import _map_kernels as K;"
        "r = np.random.default_rng(0); y = r.normal(size=(40, 2)); e = r.integers(0, 40, (60, 2));"
        "n = K.neighbour_gradient(y, e[:, 0], e[:, 1], np.full(60, 1 / 60), r.integers(0, 40, (80, 5)),"
        " r.integers(0, 40, 80), 1.58, 0.9, 1e-4);"
        "D = np.abs(r.normal(size=(40, 40))); D = D + D.T; np.fill_diagonal(D, 0);"
        "t = K.topological_gradient(y, D, np.empty((0, 2), np.int64), np.empty(0, np.int64));"
        "from numba import config; assert config.DISABLE_JIT;"
        "np.save('out.npy', np.concatenate([[n[0], n[1], t[0]], n[2].ravel(), t[1].ravel()]))"
    )
    import tempfile

    from deeptda import _map_kernels as K

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NUMBA_DISABLE_JIT="1")
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=tmp, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stderr
        slow = np.load(os.path.join(tmp, "out.npy"))
    r = np.random.default_rng(0)
    y, e = r.normal(size=(40, 2)), r.integers(0, 40, (60, 2))
    n = K.neighbour_gradient(
        y, e[:, 0], e[:, 1], np.full(60, 1 / 60), r.integers(0, 40, (80, 5)), r.integers(0, 40, 80), 1.58, 0.9, 1e-4
    )
    D = np.abs(r.normal(size=(40, 40)))
    D = D + D.T
    np.fill_diagonal(D, 0)
    t = K.topological_gradient(y, D, np.empty((0, 2), np.int64), np.empty(0, np.int64))
    fast = np.concatenate([[n[0], n[1], t[0]], n[2].ravel(), t[1].ravel()])
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n", [150, 600, 2100])  # every point in the topological minibatch, full graph, minibatches
def test_map_training_steps_follow_the_losses_gradient(n):
    """One map step with Adam moves the head exactly as autograd through both losses would."""
    from deeptda.encoders import MapHead, init_parameters
    from deeptda.losses import distance_matrix, neighbour_loss, take_rows, topological_loss, umap_ab
    from deeptda.training import fuzzy_graph, knn_graph, train_map

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.head = init_parameters(MapHead(8, 2, 16), torch.Generator().manual_seed(0))

    rng = np.random.default_rng(0)
    Z = torch.as_tensor(rng.normal(size=(n, 8)).astype(np.float32))
    graph = fuzzy_graph(*knn_graph(Z.numpy(), 10))
    a, b = umap_ab()
    net = Net()
    start = [p.detach().clone() for p in net.head.parameters()]
    m = 256 if n <= 2048 else n  # minibatch steps: one step per epoch when the batch is every point
    history = train_map(
        net, Z, graph, epochs=1, batch_size=m, learning_rate=1e-2, topo_weight=3.0, topo_dims=(0,), a=a, b=b,
        generator=torch.Generator().manual_seed(3), init=None,
    )  # fmt: skip
    assert np.isfinite(history[-1]["total"]) and history[-1]["topo0"] > 0
    moved = [p.detach() - s for p, s in zip(net.head.parameters(), start)]
    assert all(float(m.abs().max()) > 0 for m in moved)
    # the same draws through autograd: Adam's first step moves every weight by about lr * sign(gradient)
    ref = Net()
    gen = torch.Generator().manual_seed(3)
    rows, cols, weights = (torch.as_tensor(v) for v in graph)
    if n > 2048:  # minibatch steps: edges by weight, negatives from the uniform minibatch
        idx = torch.randperm(n, generator=gen)[:m]
        edges = torch.multinomial(weights.double(), m, replacement=True, generator=gen)
        neg = torch.randint(m, (m, 5), generator=gen) + 2 * m
        y = ref.head(Z[torch.cat([rows[edges], cols[edges], idx])])
        loss, _ = neighbour_loss(y[:m], y[m : 2 * m], take_rows(y, neg), a, b)
        loss = loss + 3.0 * topological_loss(Z[idx], y[2 * m :], DZ=distance_matrix(Z[idx]))[0]
    else:
        once = rows < cols
        w = (weights[once] / weights[once].sum()).float()
        idx = torch.randperm(n, generator=gen)[:256]
        degree = torch.zeros(n, dtype=torch.float64).index_add_(0, rows, weights.double())
        pushed = torch.multinomial(degree, 2 * n, replacement=True, generator=gen)
        neg = torch.randint(n, (2 * n, 5), generator=gen)
        y = ref.head(Z)
        loss, _ = neighbour_loss(
            take_rows(y, rows[once]), take_rows(y, cols[once]), take_rows(y, neg), a, b, weights=w,
            y_repelled=take_rows(y, pushed),
        )  # fmt: skip
        if n <= 256:
            loss = loss + 3.0 * topological_loss(Z, y, DZ=distance_matrix(Z))[0]
        else:
            D = distance_matrix(Z)
            loss = loss + 3.0 * topological_loss(Z[idx], take_rows(y, idx), DZ=D[idx][:, idx])[0]
    loss.backward()
    for m, p in zip(moved, ref.head.parameters()):
        big = p.grad.abs() > 1e-4
        torch.testing.assert_close(m[big], -1e-2 * torch.sign(p.grad[big]), rtol=1e-3, atol=1e-6)


def test_map_with_the_1_dim_term_trains_and_is_seeded():
    from deeptda import DeepTDA

    X = np.random.default_rng(0).normal(size=(300, 6)).astype("float32")
    fits = [DeepTDA(n_epochs=1, map_epochs=5, topo_dims=(0, 1), random_state=0).fit(X) for _ in range(2)]
    assert np.array_equal(fits[0].embedding_, fits[1].embedding_)
    assert "topo1" in fits[0].history_[-1] and np.isfinite(fits[0].history_[-1]["total"])
