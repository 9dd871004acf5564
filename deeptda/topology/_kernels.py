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
