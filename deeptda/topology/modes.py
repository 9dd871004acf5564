"""ToMATo (Chazal et al., 2013): the modes of a density on a graph and the persistence of their merges.

The graph is symmetric (:func:`symmetric_graph`); the sweep is the numba union-find
of :mod:`deeptda.topology._kernels`. Behaviour clustering
(:class:`~deeptda.PersistenceClustering`) cuts the merge tree by prominence.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _kernels

__all__ = ["DensityModes", "symmetric_graph", "density_modes"]


class DensityModes(NamedTuple):
    """Modes of a density on a graph and their merges (ToMATo's persistence).

    Attributes
    ----------
    root : ndarray of shape (n,), int64
        The peak (a point index) of each point's mode after the sweep.
    peaks, saddles : ndarray of shape (m,), int64
        For every merge: the peak of the mode that died and the point where it merged.
    prominence : ndarray of shape (m,)
        ``density[peaks] - density[saddles]``, the finite 0-dim persistence.
    components : ndarray of int64
        Peaks of the modes that never merged (the graph's connected components,
        whose prominence is infinite), when nothing is kept.

    Examples
    --------
    >>> DensityModes([0], [], [], [], [0]).components
    [0]
    """

    root: np.ndarray
    peaks: np.ndarray
    saddles: np.ndarray
    prominence: np.ndarray
    components: np.ndarray


def symmetric_graph(neighbours, n=None, extra_edges=None, *, distances=None, reach=None):
    """CSR ``(indptr, indices)`` of the undirected graph with an edge i-j when j is among
    i's neighbours (rows of ``neighbours``) or i among j's, plus ``extra_edges`` (m, 2).

    With ``distances`` (the neighbours' distances, rows sorted as ``neighbours``) and
    ``reach``, j's place among i's neighbours makes an edge only if i is also near j on
    j's own scale: ``distance(i, j) <= reach * r(j)``, where ``r(j)`` is j's distance
    to its last listed neighbour. Each point keeps the edge to its nearest neighbour.
    A sparse point (an outlier, the rim of a small group) then no longer bridges two
    dense groups on the strength of its own wide neighbourhood: in ``d`` dimensions a
    kNN radius scales as the density to the power ``-1/d``, so within a smooth density
    nothing is cut, and only edges into points about ``reach ** d`` times denser fall.
    A connected component with fewer points than a row of ``neighbours`` is too small
    to hold a neighbourhood of its own: its points get all their edges back (repeated
    until no component is that small), so the pruning never creates a cluster of
    outliers.

    Examples
    --------
    >>> indptr, indices = symmetric_graph([[1], [2], [1]])
    >>> indptr.tolist(), indices.tolist()
    ([0, 1, 3, 4], [1, 0, 2, 1])

    Point 3 lists points 2 (its nearest, kept) and 1, which is 4 away, beyond 1.5 times
    point 1's own radius (1): that edge goes.

    >>> ind = [[1, 2], [0, 2], [1, 0], [2, 1]]
    >>> dist = [[1.0, 2.0], [1.0, 1.0], [1.0, 2.0], [3.0, 4.0]]
    >>> indptr, indices = symmetric_graph(ind, distances=dist, reach=1.5)
    >>> [indices[indptr[i]:indptr[i + 1]].tolist() for i in range(4)]
    [[1, 2], [0, 2], [0, 1, 3], [2]]
    """
    from scipy.sparse.csgraph import connected_components

    ind = np.asarray(neighbours, dtype=np.int64)
    n = ind.shape[0] if n is None else n
    rows = np.repeat(np.arange(ind.shape[0]), ind.shape[1])
    extra = np.asarray(extra_edges, dtype=np.int64).reshape(-1, 2) if extra_edges is not None else None
    if reach is None:
        return _csr(_adjacency(rows, ind.ravel(), n, extra))
    dist = np.asarray(distances, dtype=np.float64)
    if distances is None or dist.shape != ind.shape:
        raise ValueError(f"reach needs distances of the neighbours' shape {ind.shape}; got {np.shape(distances)}.")
    kept = dist <= reach * dist[ind, -1]
    kept[:, 0] = True
    while True:
        A = _adjacency(rows[kept.ravel()], ind.ravel()[kept.ravel()], n, extra)
        _, component = connected_components(A, directed=False)
        small = (np.bincount(component)[component] < ind.shape[1])[: ind.shape[0]]
        if kept[small].all():
            return _csr(A)
        kept[small] = True


def _adjacency(rows, cols, n, extra=None):
    """The symmetric 0/1 sparse matrix of the edges ``rows[i]``-``cols[i]`` and ``extra``, no loops."""
    from scipy.sparse import coo_matrix

    if extra is not None and len(extra):
        rows, cols = np.r_[rows, extra[:, 0]], np.r_[cols, extra[:, 1]]
    A = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    A = (A + A.T).tocsr()
    A.setdiag(0)
    A.eliminate_zeros()
    A.sort_indices()
    return A


def _csr(A):
    return A.indptr.astype(np.int64), A.indices.astype(np.int64)


def density_modes(graph, density, *, keep=None):
    """ToMATo: the modes of ``density`` on a symmetric graph, and how they merge.

    Points are swept from the densest down (ties: lower index first); see
    :func:`deeptda.topology._kernels.superlevel_sweep`. With ``keep=None``
    every merge happens and ``prominence`` is the full 0-dim persistence of the
    superlevel filtration; with ``keep`` (peaks whose modes must not merge) the
    sweep stops those merges, and ``root`` labels the kept modes' points.

    Parameters
    ----------
    graph : tuple (indptr, indices)
        A symmetric graph in CSR form, e.g. from :func:`symmetric_graph`.
    density : array-like of shape (n,)
    keep : array-like of int, default=None
        Peaks (point indices) whose modes stay separate.

    Returns
    -------
    DensityModes

    Examples
    --------
    >>> import numpy as np
    >>> graph = symmetric_graph([[1], [2], [3], [4], [3]])  # a path 0-1-2-3-4
    >>> modes = density_modes(graph, np.array([3.0, 1.0, 2.0, 0.5, 5.0]))
    >>> modes.peaks.tolist(), modes.saddles.tolist(), modes.prominence.tolist()
    ([2, 0], [1, 3], [1.0, 2.5])
    """
    indptr, indices = (np.ascontiguousarray(a, dtype=np.int64) for a in graph)
    density = np.ascontiguousarray(density, dtype=np.float64)
    n = density.shape[0]
    if indptr.shape[0] != n + 1:
        raise ValueError(f"the graph has {indptr.shape[0] - 1} points but density has {n}.")
    if not np.isfinite(density).all():
        raise ValueError("density holds NaN or infinite values.")
    order = np.lexsort((np.arange(n), -density))
    flags = np.zeros(n, dtype=np.bool_)
    if keep is not None:
        flags[np.asarray(keep, dtype=np.int64)] = True
    root, peaks, saddles = _kernels.superlevel_sweep(indptr, indices, density, order, flags)
    components = np.unique(root) if keep is None else np.empty(0, dtype=np.int64)
    return DensityModes(root, peaks, saddles, density[peaks] - density[saddles], components)
