"""Kernels of the map's training step on the CPU: the neighbour and topological gradients.

Kernels only: contiguous arrays in, float64 sums, no validation and no
randomness (the callers, :func:`deeptda.losses.neighbour_gradient` and
:func:`deeptda.losses.topological_gradient`, draw the pairs and convert).
Each computes the same loss and gradient as the torch code of those
functions, which stays the path on a GPU and the reference in the tests, in
one pass over the pairs instead of a dozen vector operations, each of which
costs more in overhead than in arithmetic at a few thousand pairs. Sums run
in a fixed order, so the output is deterministic.
"""

import numpy as np
from numba import njit

from .topology._kernels import minimum_spanning_tree


@njit(cache=True)
def neighbour_gradient(y, rows, cols, weights, negatives, pushed, a, b, eps):
    """UMAP's cross-entropy on ``y`` (n, k) and its gradient, written out.

    Attraction over the edges ``(rows[e], cols[e])`` with ``weights[e]``
    (summing to 1); repulsion of each ``pushed[q]`` from the rows
    ``negatives[q]``, averaged over the pushed rows. A term whose similarity
    is clamped at ``eps`` adds ``-log(eps)`` to the loss and nothing to the
    gradient. Returns ``(attraction, repulsion, grad)``, ``grad`` (n, k) float64.
    """
    n, k = y.shape
    grad = np.zeros((n, k))
    diff = np.empty(k)
    floor = -np.log(eps)
    attract = 0.0
    for e in range(rows.shape[0]):
        i, j = rows[e], cols[e]
        d2 = 1e-8
        for c in range(k):
            diff[c] = y[i, c] - y[j, c]
            d2 += diff[c] * diff[c]
        u = a * np.exp(b * np.log(d2))
        w = weights[e]
        if 1.0 / (1.0 + u) >= eps:
            attract += w * np.log1p(u)
            coef = w * 2.0 * b * u / (d2 * (1.0 + u))
            for c in range(k):
                grad[i, c] += coef * diff[c]
                grad[j, c] -= coef * diff[c]
        else:
            attract += w * floor
    p, r = negatives.shape
    repel = 0.0
    log_a = np.log(a)
    for q in range(p):
        i = pushed[q]
        for s in range(r):
            j = negatives[q, s]
            d2 = 1e-8
            for c in range(k):
                diff[c] = y[i, c] - y[j, c]
                d2 += diff[c] * diff[c]
            log_u = log_a + b * np.log(d2)
            u = np.exp(log_u)
            if u / (1.0 + u) >= eps:
                repel += np.log1p(u) - log_u
                coef = -2.0 * b / (d2 * (1.0 + u) * p)
                for c in range(k):
                    grad[i, c] += coef * diff[c]
                    grad[j, c] -= coef * diff[c]
            else:
                repel += floor
    return attract, repel / max(p, 1), grad


@njit(cache=True)
def _distances(Y):
    """Exact Euclidean distances between the rows of ``Y`` (symmetric, zero diagonal)."""
    m, k = Y.shape
    D = np.zeros((m, m))
    for i in range(m):
        for j in range(i + 1, m):
            s = 0.0
            for c in range(k):
                diff = Y[i, c] - Y[j, c]
                s += diff * diff
            D[i, j] = D[j, i] = np.sqrt(s)
    return D


@njit(cache=True)
def _mean_off_diagonal(D):
    m = D.shape[0]
    return max(D.sum() / max(m * (m - 1), 1), 1e-12)


@njit(cache=True)
def _square_slice(D, index):
    """``D[index][:, index]``."""
    m = index.shape[0]
    out = np.empty((m, m))
    for i in range(m):
        row = index[i]
        for j in range(m):
            out[i, j] = D[row, index[j]]
    return out


@njit(cache=True)
def topological_gradient(Y, DZ, z_edges, index):
    """The 0-dim signature loss between a fixed representation and its map, and its gradient.

    ``Y`` (b, k) is the map of the minibatch and ``DZ[index][:, index]`` the
    representation's distances within it (``index`` empty: all of ``DZ``,
    which is then (b, b)); ``z_edges`` are that matrix's minimum-spanning-tree
    edges, or an empty (0, 2) array to compute them here. Both spaces' tree
    edges are matched, each space's distances divided by its mean distance
    (constants); the gradient flows through the map's edge lengths only.
    Returns ``(loss, grad)``, ``grad`` (b, k) float64.
    """
    if index.shape[0] > 0:
        DZ = _square_slice(DZ, index)
    m, k = Y.shape
    DY = _distances(Y)
    sz, sy = _mean_off_diagonal(DZ), _mean_off_diagonal(DY)
    if z_edges.shape[0] == 0:
        z_edges = minimum_spanning_tree(DZ, True)[0]
    y_edges = minimum_spanning_tree(DY, True)[0]
    grad = np.zeros((m, k))
    loss = 0.0
    for edges in (z_edges, y_edges):
        count = edges.shape[0]
        part = 0.0
        for e in range(count):
            i, j = edges[e, 0], edges[e, 1]
            s = 0.0
            for c in range(k):
                diff = Y[i, c] - Y[j, c]
                s += diff * diff
            length = np.sqrt(s + 1e-12)
            gap = length / sy - DZ[i, j] / sz
            part += gap * gap
            coef = 2.0 * gap / (count * length * sy)
            for c in range(k):
                diff = Y[i, c] - Y[j, c]
                grad[i, c] += coef * diff
                grad[j, c] -= coef * diff
        loss += part / max(count, 1)
    return loss, grad
