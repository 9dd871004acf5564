import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist

from deeptda.topology import (
    diagram_distance,
    landmarks,
    one_dim_pairs,
    persistence_diagram,
    zero_dim_pairs,
    zero_dim_pairs_batched,
)


def kruskal(D):
    """Slow reference: Kruskal's algorithm with a plain union-find."""
    n = len(D)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    edges = sorted((D[i, j], i, j) for i in range(n) for j in range(i + 1, n))
    out = []
    for w, i, j in edges:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
            out.append(w)
    return np.array(out)


def clouds():
    rng = np.random.default_rng(0)
    yield rng.normal(size=(60, 4))
    grid = np.stack(np.meshgrid(np.arange(5.0), np.arange(5.0)), -1).reshape(-1, 2)  # ties
    yield grid
    dup = rng.normal(size=(20, 3))
    yield np.r_[dup, dup[:7]]  # duplicate points: zero deaths


@pytest.mark.parametrize("X", list(clouds()))
def test_deaths_match_scipy_gudhi_and_kruskal(X):
    import gudhi

    D = cdist(X, X)
    pairs = zero_dim_pairs(X)
    dense = zero_dim_pairs(D, precomputed=True)
    assert pairs.edges.shape == (len(X) - 1, 2)
    np.testing.assert_allclose(pairs.deaths, dense.deaths)
    np.testing.assert_array_equal(pairs.edges, dense.edges)
    np.testing.assert_allclose(np.sort(pairs.deaths), kruskal(D), atol=1e-12)
    # scipy reads a zero distance as "no edge", so it is the reference only without duplicates
    if len(np.unique(X, axis=0)) == len(X):
        np.testing.assert_allclose(pairs.deaths, np.sort(minimum_spanning_tree(D).data), atol=1e-12)
    st = gudhi.RipsComplex(distance_matrix=D).create_simplex_tree(max_dimension=1)
    g = np.sort([d for dim, (b, d) in st.persistence() if dim == 0 and np.isfinite(d)])
    np.testing.assert_allclose(pairs.deaths[pairs.deaths > 0], g[g > 0], atol=1e-9)  # gudhi omits empty bars
    # the edges really have the death lengths
    np.testing.assert_allclose(D[pairs.edges[:, 0], pairs.edges[:, 1]], pairs.deaths)


def test_exact_small_case_and_tie_breaking():
    # a unit square: all four sides tie; Prim from 0 takes 0-1, then 0-2 (lowest index), then 1-3
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    p = zero_dim_pairs(X)
    assert p.edges.tolist() == [[0, 1], [0, 2], [1, 3]]
    assert p.deaths.tolist() == [1.0, 1.0, 1.0]


def test_torch_path_equals_numba_path():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    D = torch.cdist(torch.tensor(X), torch.tensor(X))
    ref = zero_dim_pairs(X)
    tp = zero_dim_pairs(D, precomputed=True, backend="torch")
    np.testing.assert_array_equal(tp.edges.numpy(), ref.edges)
    np.testing.assert_allclose(tp.deaths.numpy(), ref.deaths, atol=1e-12)
    batch = torch.stack([D, D * 2])
    from deeptda.topology._kernels import minimum_spanning_tree_torch

    edges, deaths = minimum_spanning_tree_torch(batch)
    assert edges.shape == (2, 39, 2)
    np.testing.assert_allclose(np.sort(deaths[1].numpy()), 2 * ref.deaths, atol=1e-12)
    bp = zero_dim_pairs_batched(batch)
    np.testing.assert_array_equal(bp.edges[0].numpy(), ref.edges)


def test_signature_loss_gradcheck():
    rng = np.random.default_rng(2)
    Z = torch.tensor(rng.normal(size=(8, 3)), dtype=torch.float64)

    def loss(Y):
        DZ = torch.cdist(Z, Z)
        DY = torch.sqrt(((Y[:, None] - Y[None]) ** 2).sum(-1) + 1e-12)
        e = zero_dim_pairs(DY, precomputed=True).edges
        ez = zero_dim_pairs(DZ, precomputed=True).edges
        return ((DY[e[:, 0], e[:, 1]] - DZ[e[:, 0], e[:, 1]]) ** 2).sum() + (
            (DY[ez[:, 0], ez[:, 1]] - DZ[ez[:, 0], ez[:, 1]]) ** 2
        ).sum()

    Y = torch.tensor(rng.normal(size=(8, 2)), dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(loss, (Y,), eps=1e-6, atol=1e-5)


def _reference_signature_loss(Z, Y):
    """Topological-autoencoder 0-dim loss from full matrices and scipy's MST."""
    DZ, DY = cdist(Z, Z), cdist(Y, Y)
    b = len(Z)
    DZ, DY = DZ / (DZ.sum() / (b * (b - 1))), DY / (DY.sum() / (b * (b - 1)))
    loss = 0.0
    for D in (DZ, DY):
        u, v = minimum_spanning_tree(D).nonzero()
        loss += ((DZ[u, v] - DY[u, v]) ** 2).mean()
    return loss


def test_topological_loss_matches_full_matrix_reference():
    from deeptda.losses import topological_loss

    rng = np.random.default_rng(3)
    for b in (5, 40, 256):
        Z, Y = rng.normal(size=(b, 16)), rng.normal(size=(b, 2))
        loss, parts = topological_loss(torch.tensor(Z), torch.tensor(Y))
        assert float(loss) == pytest.approx(_reference_signature_loss(Z, Y), rel=1e-9)
        assert parts["topo0"] == pytest.approx(float(loss))


def test_topological_loss_gradient_and_invariance():
    from deeptda.losses import topological_loss

    rng = np.random.default_rng(4)
    Z = torch.tensor(rng.normal(size=(12, 4)))
    Y = torch.tensor(rng.normal(size=(12, 2)), requires_grad=True)
    # The per-batch normalisation is a constant for the gradient (detached mean distance):
    # compare with autograd through full matrices under the same convention.
    topological_loss(Z, Y)[0].backward()
    Yr = Y.detach().clone().requires_grad_(True)
    b = len(Z)
    DZ = torch.cdist(Z, Z)
    DY = torch.sqrt(((Yr[:, None] - Yr[None]) ** 2).sum(-1) + 1e-12) * (1 - torch.eye(b, dtype=Z.dtype))
    DZ, DY = DZ / (DZ.sum() / (b * (b - 1))), DY / (DY.detach().sum() / (b * (b - 1)))
    ref = 0.0
    for D in (DZ, DY):
        u, v = minimum_spanning_tree(D.detach().numpy()).nonzero()
        ref = ref + ((DZ[u, v] - DY[u, v]) ** 2).mean()
    ref.backward()
    np.testing.assert_allclose(Y.grad.numpy(), Yr.grad.numpy(), rtol=1e-7, atol=1e-10)
    # A scaled copy has the same normalised distances: zero loss, in both dimensions.
    loss, parts = topological_loss(Z, 5.0 * Z, dims=(0, 1))
    assert float(loss) == pytest.approx(0.0, abs=1e-12)
    assert set(parts) == {"topo0", "topo1"}
    # Gradient reaches Y only through the selected edges, and points down the loss.
    Y2 = Y.detach().clone().requires_grad_(True)
    loss, _ = topological_loss(Z, Y2)
    loss.backward()
    with torch.no_grad():
        stepped = topological_loss(Z, Y2 - 1e-3 * Y2.grad)[0]
    assert float(stepped) < float(loss.detach())


def test_noisy_circle_has_one_dominant_loop():
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 2 * np.pi, 150)
    X = np.c_[np.cos(t), np.sin(t)] + rng.normal(0, 0.05, (150, 2))
    pairs = one_dim_pairs(X)
    pers = pairs.deaths - pairs.births
    assert pers[0] > 1.0
    assert (pers[1:] < 0.2 * pers[0]).all()
    D = cdist(X, X)
    np.testing.assert_allclose(D[pairs.birth_edges[:, 0], pairs.birth_edges[:, 1]], pairs.births)


def test_persistence_diagram_and_distances():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    dgms = persistence_diagram(X, max_points=100)
    assert dgms[0].shape == (399, 2) and (dgms[0][:, 0] == 0).all()
    assert dgms[1].shape[1] == 2
    assert diagram_distance(dgms[1], dgms[1]) == 0.0
    assert diagram_distance(dgms[0], dgms[0], metric="bottleneck") == pytest.approx(0.0, abs=1e-12)
    assert diagram_distance([[0, 2.0]], [[0, 1.0]], p=2) == pytest.approx(1.0)
    idx = landmarks(X, 50)
    assert len(np.unique(idx)) == 50


@pytest.mark.parametrize(
    "D, match",
    [
        (np.zeros((3, 4)), "square"),
        (np.array([[0.0, -1.0], [-1.0, 0.0]]), "negative"),
        (np.array([[0.0, np.nan], [np.nan, 0.0]]), "NaN"),
        (np.array([[0.0, 1.0], [2.0, 0.0]]), "not symmetric"),
        (np.zeros((1, 1)), "at least 2"),
    ],
)
def test_bad_distance_matrices(D, match):
    with pytest.raises(ValueError, match=match):
        zero_dim_pairs(D, precomputed=True)


def test_bad_points():
    with pytest.raises(ValueError, match="at least 2"):
        zero_dim_pairs(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        zero_dim_pairs(np.array([[0.0], [np.inf]]))


def test_kernel_without_jit():
    code = (
        "import numpy as np; from scipy.spatial.distance import cdist;"
        "from deeptda.topology import zero_dim_pairs;"
        "X = np.random.default_rng(0).normal(size=(30, 3));"
        "a = zero_dim_pairs(X); b = zero_dim_pairs(cdist(X, X), precomputed=True);"
        "from scipy.sparse.csgraph import minimum_spanning_tree as m;"
        "assert np.allclose(a.deaths, np.sort(m(cdist(X, X)).data)) and (a.edges == b.edges).all();"
        "from numba import config; assert config.DISABLE_JIT; print('ok')"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_density_modes_match_gudhi_tomato():
    from gudhi.clustering.tomato import Tomato
    from sklearn.metrics import adjusted_rand_score
    from sklearn.neighbors import NearestNeighbors

    from deeptda.topology import density_modes, symmetric_graph

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (150, 2)), rng.normal(5, 1, (100, 2)), rng.normal((0, 6), 0.7, (60, 2))]
    dist, ind = NearestNeighbors(n_neighbors=10).fit(X).kneighbors()
    density = -np.log(np.sqrt((dist**2).mean(axis=1)))
    graph = symmetric_graph(ind)
    modes = density_modes(graph, density)
    reference = Tomato(graph_type="manual", density_type="manual")
    reference.fit([graph[1][graph[0][i] : graph[0][i + 1]] for i in range(len(X))], weights=density)
    np.testing.assert_allclose(np.sort(modes.prominence), np.sort(reference.diagram_[:, 0] - reference.diagram_[:, 1]))
    n_components = len(modes.components)
    assert n_components == len(reference.max_weight_per_cc_)
    # keeping the most prominent modes gives ToMATo's three clusters
    keep = modes.peaks[np.argsort(-modes.prominence)[: 3 - n_components]]
    ours = density_modes(graph, density, keep=keep).root
    reference.n_clusters_ = 3
    assert len(np.unique(ours)) == 3
    assert adjusted_rand_score(reference.labels_, ours) == 1.0


def test_reach_cuts_an_outliers_bridge_between_dense_groups_and_leaves_no_small_component():
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.neighbors import NearestNeighbors

    from deeptda.topology import symmetric_graph

    def components(graph, n):
        matrix = csr_matrix((np.ones(len(graph[1])), graph[1], graph[0]), shape=(n, n))
        return connected_components(matrix, directed=False)[1]

    for seed in range(3):
        rng = np.random.default_rng(seed)
        # two tight groups 10 apart and one point halfway, whose 10 neighbours lie in both
        X = np.r_[rng.normal((0, 0), 0.3, (30, 2)), rng.normal((10, 0), 0.3, (30, 2)), [[5.0, 0.0]]]
        dist, ind = NearestNeighbors(n_neighbors=10).fit(X).kneighbors()
        assert {0, 1} <= set((ind[60] >= 30).tolist())  # it lists points of both groups
        assert len(np.unique(components(symmetric_graph(ind), 61))) == 1
        pruned = components(symmetric_graph(ind, distances=dist, reach=1.5), 61)
        assert len(np.unique(pruned[:30])) == len(np.unique(pruned[30:60])) == 1 and pruned[0] != pruned[30]
        assert pruned[60] == pruned[ind[60, 0]]  # the point keeps the edge to its nearest neighbour
        # no limit on the reach: the plain graph
        wide = symmetric_graph(ind, distances=dist, reach=np.inf)
        assert all(np.array_equal(a, b) for a, b in zip(wide, symmetric_graph(ind)))
    # a component smaller than a neighbourhood gets its edges back: none is left that small
    # (two outliers, each the other's nearest: pruned, they would be a pair apart)
    X = np.r_[np.random.default_rng(3).normal(0, 0.1, (50, 2)), [[6.0, 6.0], [6.2, 6.0]]]
    dist, ind = NearestNeighbors(n_neighbors=8).fit(X).kneighbors()
    assert np.all(dist[50:, 1:] > 1.5 * dist[ind[50:, 1:], -1])  # every edge but the pair's is pruned
    assert len(np.unique(components(symmetric_graph(ind, distances=dist, reach=1.5), len(X)))) == 1
    with pytest.raises(ValueError, match="reach needs distances"):
        symmetric_graph(ind, reach=1.5)


def test_density_modes_exact_small_case_and_ties():
    from deeptda.topology import density_modes, symmetric_graph

    graph = symmetric_graph([[1], [2], [3], [4], [3]])  # a path 0-1-2-3-4
    modes = density_modes(graph, np.array([3.0, 1.0, 2.0, 0.5, 5.0]))
    assert modes.root.tolist() == [4] * 5 and modes.components.tolist() == [4]
    assert sorted(zip(modes.peaks.tolist(), modes.saddles.tolist())) == [(0, 3), (2, 1)]
    flat = density_modes(graph, np.zeros(5))  # all tied: one mode, swept in index order
    assert flat.components.tolist() == [0] and np.all(flat.prominence == 0)
    with pytest.raises(ValueError, match="graph has 5 points but density has 4"):
        density_modes(graph, np.zeros(4))


def test_distance_matrix_in_many_dimensions_and_a_precomputed_slice_give_the_same_loss():
    from deeptda.losses import distance_matrix, topological_loss

    rng = np.random.default_rng(5)
    Z = torch.tensor(rng.normal(size=(60, 128)), dtype=torch.float32)
    D = distance_matrix(Z)
    assert torch.equal(D, D.T) and torch.all(torch.diagonal(D) == 0)
    np.testing.assert_allclose(D.numpy(), cdist(Z.double().numpy(), Z.double().numpy()), rtol=1e-6, atol=1e-5)
    idx = torch.as_tensor(rng.permutation(60)[:40])
    Y = torch.tensor(rng.normal(size=(40, 2)), dtype=torch.float32)
    Y.requires_grad_(True)
    own, _ = topological_loss(Z[idx], Y)
    (grad_own,) = torch.autograd.grad(own, Y)
    # a fixed representation's edge lengths are read from the precomputed matrix (float32 rounding apart)
    sliced, _ = topological_loss(Z[idx], Y, DZ=D[idx][:, idx])
    (grad_sliced,) = torch.autograd.grad(sliced, Y)
    np.testing.assert_allclose(float(sliced), float(own), rtol=1e-5)
    np.testing.assert_allclose(grad_sliced.numpy(), grad_own.numpy(), rtol=1e-4, atol=1e-6)


def test_precomputed_tree_of_a_fixed_cloud_gives_the_same_loss():
    from deeptda.losses import distance_matrix, mst_edges, topological_loss

    rng = np.random.default_rng(6)
    Z = torch.tensor(rng.normal(size=(50, 32)), dtype=torch.float32)
    Y = torch.tensor(rng.normal(size=(50, 2)), dtype=torch.float32, requires_grad=True)
    D = distance_matrix(Z)
    edges = mst_edges(D)
    assert edges.shape == (49, 2)
    tree = minimum_spanning_tree(cdist(Z.double().numpy(), Z.double().numpy()))
    np.testing.assert_allclose(D[edges[:, 0], edges[:, 1]].sum().item(), tree.sum(), rtol=1e-5)
    given, _ = topological_loss(Z, Y, DZ=D, z_edges=edges)
    computed, _ = topological_loss(Z, Y, DZ=D)
    assert float(given) == float(computed)
