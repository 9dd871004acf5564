"""Kernels for persistence: minimum spanning trees (0-dim pairs) and ToMATo's sweep.

Kernels only: contiguous arrays in, int64/float64 out, no validation and no
randomness. Validation and conversion live in their callers
(:mod:`deeptda.topology.persistence`, :mod:`deeptda.topology.modes`);
``zero_dim_pairs(..., check_input=False)`` is the entry point for trusted callers.

:func:`minimum_spanning_tree` (numba, CPU) and :func:`minimum_spanning_tree_torch`
(a batch, on the tensors' device) run Prim's algorithm from vertex 0 in O(b^2)
time and O(b) extra memory per tree, with the same tie rule: a vertex's key moves
to a new tree vertex only when that vertex is strictly closer (so the
earliest-added tree vertex wins a tie), and the next vertex to join is the one
with the smallest key, the lowest index among equal keys.
"""

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _distance(X, i, j, precomputed):
    if precomputed:
        return X[i, j]
    s = 0.0
    for k in range(X.shape[1]):
        diff = X[i, k] - X[j, k]
        s += diff * diff
    return np.sqrt(s)


@njit(cache=True)
def minimum_spanning_tree(X, precomputed):
    """Prim's minimum spanning tree of a dense (b, b) distance matrix (``precomputed``)
    or of the Euclidean distances between the rows of a (b, d) ``X``, computed on the
    fly so that no (b, b) matrix is held.

    Returns ``edges`` (b-1, 2) int64 as (tree vertex, new vertex) in the order
    the vertices joined, and ``weights`` (b-1,) float64.
    """
    b = X.shape[0]
    in_tree = np.zeros(b, dtype=np.bool_)
    key = np.full(b, np.inf)
    parent = np.full(b, -1, dtype=np.int64)
    edges = np.empty((b - 1, 2), dtype=np.int64)
    weights = np.empty(b - 1, dtype=np.float64)
    current = 0
    in_tree[0] = True
    for it in range(b - 1):
        best = -1
        best_value = np.inf
        for v in range(b):
            if not in_tree[v]:
                d = _distance(X, current, v, precomputed)
                if d < key[v]:
                    key[v] = d
                    parent[v] = current
                if best == -1 or key[v] < best_value:
                    best_value = key[v]
                    best = v
        edges[it, 0] = parent[best]
        edges[it, 1] = best
        weights[it] = best_value
        in_tree[best] = True
        current = best
    return edges, weights


def minimum_spanning_tree_torch(D):
    """Prim's algorithm on a batch of (b, b) torch distance matrices, on their device.

    Returns ``edges`` (B, b-1, 2) and ``weights`` (B, b-1), in joining order.
    """
    import torch

    B, b, _ = D.shape
    rows = torch.arange(B, device=D.device)
    key = D[:, 0, :].clone()
    parent = torch.zeros((B, b), dtype=torch.long, device=D.device)
    in_tree = torch.zeros((B, b), dtype=torch.bool, device=D.device)
    in_tree[:, 0] = True
    edges = torch.empty((B, b - 1, 2), dtype=torch.long, device=D.device)
    weights = torch.empty((B, b - 1), dtype=D.dtype, device=D.device)
    inf = torch.tensor(float("inf"), dtype=D.dtype, device=D.device)
    for it in range(b - 1):
        masked = torch.where(in_tree, inf, key)
        best = torch.argmin(masked, dim=1)  # first minimum: lowest index on ties
        edges[:, it, 0] = parent[rows, best]
        edges[:, it, 1] = best
        weights[:, it] = masked[rows, best]
        in_tree[rows, best] = True
        row = D[rows, best]
        closer = row < key
        key = torch.where(closer, row, key)
        parent = torch.where(closer, best[:, None], parent)
    return edges, weights


@njit(cache=True)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@njit(cache=True)
def superlevel_sweep(indptr, indices, density, order, keep):
    """ToMATo's sweep of a graph's superlevel sets (Chazal et al., 2013).

    Points are visited in ``order`` (decreasing density; the caller breaks ties).
    A point with no visited neighbour starts a mode; otherwise it joins the
    mode of its densest visited neighbour, and every other mode it touches is
    merged into the one with the higher peak, unless the lower peak is marked
    in ``keep`` (n,) bool. With nothing kept every possible merge happens, and
    the merges are the 0-dim persistence pairs of the superlevel filtration:
    a mode's prominence is its peak's density minus its merge point's.

    The graph is CSR (``indptr``, ``indices``) and must be symmetric. Returns
    ``root`` (n,) int64, each point's mode (its peak's index), and the merges
    as ``peaks`` (m,), ``saddles`` (m,) int64: the peak of the mode that died
    and the point at which it merged.
    """
    n = density.shape[0]
    rank = np.empty(n, dtype=np.int64)
    for r in range(n):
        rank[order[r]] = r
    parent = np.arange(n)
    peaks = np.empty(n, dtype=np.int64)
    saddles = np.empty(n, dtype=np.int64)
    m = 0
    for r in range(n):
        i = order[r]
        best = -1
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if rank[j] < r and (best == -1 or rank[j] < rank[best]):
                best = j
        if best == -1:
            continue  # a new mode, with i as its peak
        parent[i] = _find(parent, best)
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if rank[j] >= r:
                continue
            a = _find(parent, j)
            b = _find(parent, i)
            if a == b:
                continue
            high, low = (a, b) if rank[a] < rank[b] else (b, a)
            if not keep[low]:
                parent[low] = high
                peaks[m] = low
                saddles[m] = i
                m += 1
    root = np.empty(n, dtype=np.int64)
    for i in range(n):
        root[i] = _find(parent, i)
    return root, peaks[:m], saddles[:m]
