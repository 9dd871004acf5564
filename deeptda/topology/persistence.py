"""Persistence pairs, diagrams and diagram distances.

The point cloud of a regulariser is the minibatch: pairs are computed on
detached values (they are combinatorial), and a loss gathers the matching
entries of its differentiable torch distance matrix, so gradients flow through
the distances, never through the pairing.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _kernels

__all__ = [
    "ZeroDimPairs",
    "OneDimPairs",
    "zero_dim_pairs",
    "zero_dim_pairs_batched",
    "one_dim_pairs",
    "landmarks",
    "persistence_diagram",
    "diagram_distance",
]


class ZeroDimPairs(NamedTuple):
    """0-dimensional persistence pairs of ``b`` points.

    Every component is born at 0 and dies when a minimum-spanning-tree edge
    merges it into another, so the pairs are the ``b - 1`` MST edges.

    Attributes
    ----------
    edges : ndarray or Tensor of shape (b - 1, 2), int64
        Vertex indices of each death edge, ordered by death (ties keep the
        order in which Prim's algorithm added them).
    deaths : ndarray or Tensor of shape (b - 1,)
        Death values: the edge lengths.

    Examples
    --------
    >>> ZeroDimPairs(edges=[[0, 1]], deaths=[1.0]).deaths
    [1.0]
    """

    edges: object
    deaths: object


class OneDimPairs(NamedTuple):
    """1-dimensional persistence pairs (loops) of a Vietoris-Rips filtration.

    Attributes
    ----------
    birth_edges, death_edges : ndarray of shape (m, 2), int64
        Vertex indices of the edge that creates each loop and of the edge
        whose triangle fills it.
    births, deaths : ndarray of shape (m,), float64
        ``D[birth_edges]`` and ``D[death_edges]``; ordered by decreasing persistence.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    >>> p = one_dim_pairs(np.c_[np.cos(t), np.sin(t)])
    >>> p.birth_edges.shape, bool(p.deaths[0] > p.births[0])
    ((1, 2), True)
    """

    birth_edges: np.ndarray
    death_edges: np.ndarray
    births: np.ndarray
    deaths: np.ndarray


def _is_tensor(x):
    return type(x).__module__.startswith("torch")


def _check_points(X):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"points must be a 2-D array (n_points, n_dims); got shape {X.shape}.")
    if X.shape[0] < 2:
        raise ValueError(f"persistence needs at least 2 points; got {X.shape[0]}.")
    X = np.ascontiguousarray(X, dtype=np.float64)
    if not np.isfinite(X).all():
        raise ValueError("points hold NaN or infinite values; remove or impute them first.")
    return X


def _check_distances(D, *, atol=1e-6):
    D = np.asarray(D)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"a distance matrix must be square; got shape {D.shape}.")
    if D.shape[0] < 2:
        raise ValueError(f"persistence needs at least 2 points; got {D.shape[0]}.")
    D = np.ascontiguousarray(D, dtype=np.float64)
    if not np.isfinite(D).all():
        raise ValueError("the distance matrix holds NaN or infinite values.")
    if (D < 0).any():
        raise ValueError("the distance matrix holds negative distances.")
    scale = max(float(np.abs(D).max()), 1.0)
    if np.abs(D - D.T).max() > atol * scale:
        raise ValueError("the distance matrix is not symmetric; symmetrise it, e.g. (D + D.T) / 2.")
    return D


#: Bytes per simplex of gudhi's simplex tree with its persistence (about 62 measured; margin added).
_BYTES_PER_SIMPLEX = 100


def _check_rips_memory(b, n_edges):
    """Refuse a Rips filtration whose simplex tree would not fit in memory."""
    from .._io import check_memory

    triangles = min(b * (b - 1) * (b - 2) / 6, n_edges * (b - 2) / 3, (2.0 * n_edges) ** 1.5 / 6)
    check_memory(
        _BYTES_PER_SIMPLEX * (b + n_edges + triangles) + 8.0 * b * b,
        f"1-dim persistence of {b} points (a Rips complex of up to {triangles:.3g} triangles)",
        "use fewer points (persistence_diagram(X, max_points=300) takes max-min landmarks) or a finite max_edge_length",
    )


def _sort_by_death(edges, deaths):
    order = np.argsort(deaths, kind="stable")
    return ZeroDimPairs(edges[order], deaths[order])


def zero_dim_pairs(X, *, precomputed=False, backend="auto", check_input=True):
    """Exact 0-dim persistence pairs: the minimum-spanning-tree edges.

    Parameters
    ----------
    X : array-like or Tensor
        Points of shape (b, d) (Euclidean distances), or with
        ``precomputed=True`` a symmetric (b, b) distance matrix. A torch tensor
        is detached; on CUDA the pairs are computed there by a vectorised Prim's
        algorithm (nothing is copied to the host), on the CPU by the numba kernel.
    precomputed : bool, default=False
    backend : {"auto", "numba", "torch"}, default="auto"
        ``"auto"`` uses torch for CUDA tensors and numba otherwise; ``"torch"``
        forces the vectorised torch path (tensor input only).
    check_input : bool, default=True
        ``False`` skips the checks of a numpy input (finite, symmetric, at
        least 2 points) for callers that built it themselves, such as the
        topological loss on its own distance matrices.

    Returns
    -------
    ZeroDimPairs
        ``edges`` (b-1, 2) int64 and ``deaths`` (b-1,), sorted by death; torch
        tensors on the input's device for tensor input, numpy arrays otherwise.
        Ties are broken deterministically (see :mod:`deeptda.topology._kernels`).

    Notes
    -----
    O(b^2) time. For points, distances are computed on the fly in O(b) memory.

    Examples
    --------
    >>> import numpy as np
    >>> pairs = zero_dim_pairs(np.array([[0.0], [1.0], [3.0]]))
    >>> pairs.edges.tolist(), pairs.deaths.tolist()
    ([[0, 1], [1, 2]], [1.0, 2.0])
    """
    if _is_tensor(X):
        import torch

        T = X.detach()
        if backend not in ("auto", "numba", "torch"):
            raise ValueError(f"unknown backend {backend!r}; use 'auto', 'numba' or 'torch'.")
        if backend == "torch" or (backend == "auto" and T.is_cuda):
            D = T if precomputed else torch.cdist(T, T)
            if D.ndim != 2 or D.shape[0] != D.shape[1] or D.shape[0] < 2:
                raise ValueError(f"expected a square matrix of at least 2 points; got shape {tuple(D.shape)}.")
            edges, deaths = _kernels.minimum_spanning_tree_torch(D[None])
            order = torch.argsort(deaths[0], stable=True)
            return ZeroDimPairs(edges[0][order], deaths[0][order])
        pairs = zero_dim_pairs(T.cpu().numpy(), precomputed=precomputed)
        return ZeroDimPairs(
            torch.from_numpy(pairs.edges).to(T.device),
            torch.from_numpy(pairs.deaths).to(device=T.device, dtype=T.dtype),
        )
    if backend == "torch":
        raise ValueError("backend='torch' needs a torch tensor as input.")
    if not check_input:
        X = np.ascontiguousarray(X, dtype=np.float64)
    else:
        X = _check_distances(X) if precomputed else _check_points(X)
    edges, deaths = _kernels.minimum_spanning_tree(X, bool(precomputed))
    return _sort_by_death(edges, deaths)


def zero_dim_pairs_batched(D):
    """0-dim pairs of several point clouds at once, from a (B, b, b) torch distance tensor.

    Runs the vectorised torch Prim's algorithm over the batch on the tensor's
    device (on the CPU the numba kernel is used per matrix). Returns
    ``ZeroDimPairs`` with ``edges`` (B, b-1, 2) and ``deaths`` (B, b-1), each
    row sorted by death.

    Examples
    --------
    >>> import torch
    >>> D = torch.cdist(torch.rand(3, 5, 2), torch.rand(3, 5, 2))
    >>> D = (D + D.transpose(1, 2)) / 2 * (1 - torch.eye(5))
    >>> zero_dim_pairs_batched(D).edges.shape
    torch.Size([3, 4, 2])
    """
    import torch

    D = D.detach()
    if D.ndim != 3 or D.shape[1] != D.shape[2] or D.shape[1] < 2:
        raise ValueError(f"expected a (B, b, b) distance tensor with b >= 2; got shape {tuple(D.shape)}.")
    if D.is_cuda:
        edges, deaths = _kernels.minimum_spanning_tree_torch(D)
        order = torch.argsort(deaths, dim=1, stable=True)
        return ZeroDimPairs(torch.gather(edges, 1, order[..., None].expand(-1, -1, 2)), torch.gather(deaths, 1, order))
    parts = [zero_dim_pairs(m, precomputed=True) for m in D]
    return ZeroDimPairs(torch.stack([p.edges for p in parts]), torch.stack([p.deaths for p in parts]))


def one_dim_pairs(X, *, precomputed=False, max_edge_length=np.inf, min_persistence=0.0):
    """1-dim persistence pairs (loops) of the Vietoris-Rips filtration, via gudhi.

    Each pair carries the vertices of its birth edge and death edge, so a loss
    can gather the matching entries of a torch distance matrix.

    Parameters
    ----------
    X : array-like of shape (b, d), or (b, b) with ``precomputed=True``
    precomputed : bool, default=False
    max_edge_length : float, default=inf
        Edges longer than this are left out of the filtration (faster; loops
        still open at that scale are dropped).
    min_persistence : float, default=0.0
        Drop pairs with ``death - birth`` at most this.

    Returns
    -------
    OneDimPairs

    Notes
    -----
    Cost grows with the number of triangles, O(b^3): use on subsamples of a
    few hundred points (see :func:`landmarks`).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    >>> pairs = one_dim_pairs(np.c_[np.cos(t), np.sin(t)])
    >>> len(pairs.births)
    1
    """
    import gudhi

    if precomputed:
        D = _check_distances(X)
    else:
        P = _check_points(X)
        from scipy.spatial.distance import cdist

        b = P.shape[0]
        if not np.isfinite(max_edge_length):  # every pair is an edge: check before the matrix
            _check_rips_memory(b, b * (b - 1) / 2)
        D = cdist(P, P)
    b = D.shape[0]
    n_edges = (
        b * (b - 1) / 2 if not np.isfinite(max_edge_length) else ((np.count_nonzero(D <= max_edge_length) - b) / 2)
    )
    _check_rips_memory(b, n_edges)
    rips = gudhi.RipsComplex(distance_matrix=D, max_edge_length=max_edge_length)
    tree = rips.create_simplex_tree(max_dimension=2)
    tree.compute_persistence(min_persistence=-1.0)
    generators = tree.flag_persistence_generators()
    regular = generators[1]
    gens = regular[0] if len(regular) else np.empty((0, 4), dtype=np.int64)
    gens = np.asarray(gens, dtype=np.int64).reshape(-1, 4)
    birth_edges, death_edges = gens[:, :2], gens[:, 2:]
    births = D[birth_edges[:, 0], birth_edges[:, 1]]
    deaths = D[death_edges[:, 0], death_edges[:, 1]]
    keep = deaths - births > min_persistence
    order = np.argsort(-(deaths - births)[keep], kind="stable")
    return OneDimPairs(birth_edges[keep][order], death_edges[keep][order], births[keep][order], deaths[keep][order])


def landmarks(X, n_landmarks):
    """Indices of ``n_landmarks`` points chosen by farthest-point (max-min) sampling.

    The first landmark is the point nearest the centroid; each next one is the
    point farthest from those chosen (lowest index on ties). Deterministic,
    O(n * n_landmarks) time, O(n) memory. Max-min landmarks cover the data's
    extent, so loops and outlying clusters survive the subsampling.

    Examples
    --------
    >>> landmarks([[0.0], [1.0], [2.0], [10.0]], 2).tolist()
    [2, 3]
    """
    X = _check_points(X)
    n = X.shape[0]
    if n_landmarks >= n:
        return np.arange(n)
    first = int(np.argmin(((X - X.mean(axis=0)) ** 2).sum(axis=1)))
    chosen = np.empty(n_landmarks, dtype=np.int64)
    chosen[0] = first
    nearest = np.sqrt(((X - X[first]) ** 2).sum(axis=1))
    for i in range(1, n_landmarks):
        nxt = int(np.argmax(nearest))
        chosen[i] = nxt
        nearest = np.minimum(nearest, np.sqrt(((X - X[nxt]) ** 2).sum(axis=1)))
    return chosen


def persistence_diagram(X, max_dim=1, *, max_points=300, precomputed=False):
    """Persistence diagrams of a point cloud, for data or embeddings.

    Dimension 0 comes from the exact minimum spanning tree of all points (its
    ``n - 1`` finite bars; the one infinite bar is left out). Dimension 1 is
    computed on at most ``max_points`` max-min landmarks (:func:`landmarks`),
    since its cost grows as the cube of the number of points.

    Parameters
    ----------
    X : array-like of shape (n, d), or (n, n) with ``precomputed=True``
    max_dim : {0, 1}, default=1
    max_points : int, default=300
        Landmarks used for dimension 1.
    precomputed : bool, default=False

    Returns
    -------
    list of ndarray
        ``diagrams[k]`` has shape (n_k, 2): (birth, death) rows of dimension ``k``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 2 * np.pi, 30, endpoint=False)
    >>> dgms = persistence_diagram(np.c_[np.cos(t), np.sin(t)])
    >>> [d.shape for d in dgms]
    [(29, 2), (1, 2)]
    """
    if max_dim not in (0, 1):
        raise ValueError(f"max_dim must be 0 or 1, got {max_dim!r}.")
    pairs = zero_dim_pairs(X, precomputed=precomputed)
    diagrams = [np.column_stack([np.zeros_like(pairs.deaths), pairs.deaths])]
    if max_dim >= 1:
        if precomputed:
            D = _check_distances(X)
            idx = np.arange(D.shape[0])
            if len(idx) > max_points:
                idx = _landmarks_precomputed(D, max_points)
            one = one_dim_pairs(D[np.ix_(idx, idx)], precomputed=True)
        else:
            P = _check_points(X)
            idx = landmarks(P, max_points)
            one = one_dim_pairs(P[idx])
        diagrams.append(np.column_stack([one.births, one.deaths]))
    return diagrams


def _landmarks_precomputed(D, n_landmarks):
    first = int(np.argmin(D.sum(axis=1)))
    chosen = [first]
    nearest = D[first].copy()
    for _ in range(1, n_landmarks):
        nxt = int(np.argmax(nearest))
        chosen.append(nxt)
        nearest = np.minimum(nearest, D[nxt])
    return np.asarray(chosen, dtype=np.int64)


def diagram_distance(d1, d2, metric="wasserstein", *, p=1):
    """Distance between two persistence diagrams of one dimension.

    Parameters
    ----------
    d1, d2 : array-like of shape (n1, 2) and (n2, 2)
        Finite (birth, death) rows.
    metric : {"wasserstein", "bottleneck"}, default="wasserstein"
    p : {1, 2}, default=1
        Order of the Wasserstein distance (ignored for bottleneck).

    Returns
    -------
    float

    Examples
    --------
    >>> diagram_distance([[0.0, 1.0]], [[0.0, 1.0]])
    0.0
    >>> diagram_distance([[0.0, 2.0]], [[0.0, 1.0]], metric="bottleneck")
    1.0
    """
    a = np.asarray(d1, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(d2, dtype=np.float64).reshape(-1, 2)
    for name, d in (("d1", a), ("d2", b)):
        if not np.isfinite(d).all():
            raise ValueError(f"{name} holds NaN or infinite values; drop infinite bars first.")
    if metric == "bottleneck":
        import gudhi

        return float(gudhi.bottleneck_distance(a, b))
    if metric == "wasserstein":
        if p not in (1, 2):
            raise ValueError(f"p must be 1 or 2, got {p!r}.")
        from gudhi.wasserstein import wasserstein_distance

        return float(wasserstein_distance(a, b, order=p, internal_p=2))
    raise ValueError(f"unknown metric {metric!r}; use 'wasserstein' or 'bottleneck'.")
