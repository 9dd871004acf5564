"""numba kernels for 0-dimensional persistence (minimum spanning trees).

Kernels only: contiguous float64 in, int64/float64 out, no Python objects and no
randomness. Validation and conversion live in :mod:`deeptda.topology.persistence`.

Both kernels run Prim's algorithm from vertex 0 in O(b^2) time and O(b) extra
memory. Ties are broken deterministically: a vertex's key moves to a new tree
vertex only when that vertex is strictly closer (so the earliest-added tree
vertex wins a tie), and the next vertex to join is the one with the smallest
key, the lowest index among equal keys.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def mst_dense(D):
    """Prim's minimum spanning tree of a dense (b, b) distance matrix.

    Returns ``edges`` (b-1, 2) int64 as (tree vertex, new vertex) in the order
    the vertices joined, and ``weights`` (b-1,) float64.
    """
    b = D.shape[0]
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
        row = D[current]
        for v in range(b):
            if not in_tree[v]:
                d = row[v]
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


@njit(cache=True)
def mst_points(X):
    """Prim's minimum spanning tree of the Euclidean distances between the rows of ``X``.

    Distances are computed on the fly, so no (b, b) matrix is held. Same
    output and tie-breaking as :func:`mst_dense`.
    """
    b, d = X.shape
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
                s = 0.0
                for k in range(d):
                    diff = X[current, k] - X[v, k]
                    s += diff * diff
                dist = np.sqrt(s)
                if dist < key[v]:
                    key[v] = dist
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
