"""Losses of DeepTDA. Each returns ``(value, components)``, where ``components``
maps names to floats for the training history.

* :func:`contrastive_loss` — NT-Xent (SimCLR) between two augmented views.
* :func:`neighbour_loss` — UMAP's fuzzy cross-entropy on kNN edges with negative sampling.
* :func:`topological_loss` — the 0-dim (and optionally 1-dim) persistence
  signature loss of Topological Autoencoders, between the representation and the map.
* :func:`neighbour_gradient`, :func:`topological_gradient` — the same neighbour
  and 0-dim losses with their gradient with respect to the map coordinates
  written out, for the map's training loop: a step over a few thousand points
  is otherwise dominated by autograd's cost per operation. On the CPU each is
  one numba pass over its pairs (:mod:`deeptda._map_kernels`); on a GPU, torch
  operations (the same code serves as the reference in the tests).

The math is written out in ``docs/algorithm.md``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from . import _map_kernels
from .topology import one_dim_pairs, zero_dim_pairs

__all__ = [
    "contrastive_loss",
    "neighbour_loss",
    "neighbour_gradient",
    "neighbour_gradient_torch",
    "topological_loss",
    "topological_gradient",
    "topological_gradient_torch",
    "umap_ab",
    "take_rows",
]


def take_rows(P, index):
    """``P[index]`` for an integer index tensor of any shape, through ``index_select``.

    The same values as advanced indexing, but its backward pass adds the
    gradients with ``index_add_``, which is deterministic on the CPU; the
    backward of ``P[index]`` accumulates in parallel there once the index is
    long (tens of thousands of rows), so the same seed would give different
    maps from one run to the next.
    """
    return P.index_select(0, index.reshape(-1)).reshape(*index.shape, *P.shape[1:])


def contrastive_loss(h1, h2, temperature=0.5):
    """NT-Xent: each view's positive is the other view of the same sample, all others are negatives.

    Parameters
    ----------
    h1, h2 : Tensor of shape (b, d)
        Projections of the two views.
    temperature : float, default=0.5
    """
    b = h1.shape[0]
    h = F.normalize(torch.cat([h1, h2]), dim=1)
    sim = h @ h.T / temperature
    sim = sim.masked_fill(torch.eye(2 * b, dtype=torch.bool, device=h.device), float("-inf"))
    target = torch.cat([torch.arange(b, 2 * b), torch.arange(0, b)]).to(h.device)
    loss = F.cross_entropy(sim, target)
    return loss, {"contrastive": float(loss.detach())}


def umap_ab(min_dist=0.1, spread=1.0):
    """Curve parameters ``a, b`` of UMAP's low-dimensional similarity ``1 / (1 + a d^(2b))``."""
    from scipy.optimize import curve_fit

    x = np.linspace(0, spread * 3, 300)
    y = np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))
    (a, b), _ = curve_fit(lambda d, a, b: 1.0 / (1.0 + a * d ** (2 * b)), x, y, p0=(1.0, 1.0))
    return float(a), float(b)


def _similarity(d2, a, b):
    return 1.0 / (1.0 + a * (d2 + 1e-8) ** b)


def neighbour_loss(y_anchor, y_positive, y_negative, a, b, eps=1e-4, weights=None, y_repelled=None):
    """UMAP's cross-entropy: pull kNN edges together, push random pairs apart.

    Parameters
    ----------
    y_anchor, y_positive : Tensor of shape (m, k)
        Map coordinates of the two ends of kNN edges.
    y_negative : Tensor of shape (m', r, k)
        Map coordinates of ``r`` random points per repelled point.
    a, b : float
        From :func:`umap_ab`.
    weights : Tensor of shape (m,), default=None
        Edge weights summing to 1 (full-graph steps); ``None``: a plain mean over sampled edges.
    y_repelled : Tensor of shape (m', k), default=None
        The points pushed from ``y_negative``; ``None``: ``y_anchor``.
    """
    y_repelled = y_anchor if y_repelled is None else y_repelled
    q_pos = _similarity(((y_anchor - y_positive) ** 2).sum(-1), a, b)
    q_neg = _similarity(((y_repelled[:, None, :] - y_negative) ** 2).sum(-1), a, b)
    attract = -torch.log(q_pos.clamp_min(eps))
    attract = attract.mean() if weights is None else (weights * attract).sum()
    repel = -torch.log((1 - q_neg).clamp_min(eps)).sum(dim=1).mean()
    loss = attract + repel
    return loss, {"attraction": float(attract.detach()), "repulsion": float(repel.detach())}


#: From this many coordinates on, distances go through a float64 matrix product (see :func:`_distance_matrix`).
_MM_MIN_DIM = 16
#: Pairs (edges + negatives) up to which :func:`neighbour_gradient` runs its CPU kernel (~1,000 full-graph points).
KERNEL_MAX_PAIRS = 16_000


def _distance_matrix(P):
    """Pairwise distances of detached points, exactly symmetric with a zero diagonal.

    Few coordinates (the map): ``torch.cdist`` without the matrix-product
    shortcut, exact. Many (the representation): the matrix-product form in
    float64, several times faster there and within float32 rounding of the
    exact distances.
    """
    P = P.detach()
    if P.shape[1] < _MM_MIN_DIM:
        D = torch.cdist(P, P, compute_mode="donot_use_mm_for_euclid_dist")
    else:
        P64 = P.double()
        D = torch.cdist(P64, P64, compute_mode="use_mm_for_euclid_dist").to(P.dtype)
        D.fill_diagonal_(0.0)
    return (D + D.T) / 2


def distance_matrix(P):
    """The detached distance matrix :func:`topological_loss` uses for a point cloud (to precompute it once)."""
    return _distance_matrix(P)


def mst_edges(D):
    """The minimum-spanning-tree edges :func:`topological_loss` matches in a distance matrix (to compute them once)."""
    return _mst_edges(D)


def _mean_distance(D):
    b = D.shape[0]
    return (D.sum() / max(b * (b - 1), 1)).clamp_min(1e-12)


def _mst_edges(D):
    """Minimum-spanning-tree edges (b-1, 2) of a detached distance matrix, on its device."""
    if D.is_cuda:
        return zero_dim_pairs(D, precomputed=True).edges
    # The matrix comes from _distance_matrix (finite, symmetric): skip the input checks.
    return torch.from_numpy(zero_dim_pairs(D.numpy(), precomputed=True, check_input=False).edges)


def _edge_lengths(P, edges, scale, eps=1e-12):
    """Lengths of ``edges`` between rows of ``P`` (differentiable) divided by ``scale``."""
    diff = take_rows(P, edges[:, 0]) - take_rows(P, edges[:, 1])
    return torch.sqrt((diff * diff).sum(-1) + eps) / scale


def topological_loss(Z, Y, dims=(0,), max_points_1d=64, DZ=None, z_edges=None):
    """Persistence signature loss between a representation and its map.

    The minibatch is the point cloud: distances within ``Z`` and within ``Y``
    are each divided by their mean. The 0-dim pairs (minimum-spanning-tree
    edges) of each space select the distances that carry its topology, and the
    loss asks the other space to reproduce them:

    ``L0 = mean (D_Z[pi_Z] - D_Y[pi_Z])^2 + mean (D_Y[pi_Y] - D_Z[pi_Y])^2``.

    With ``1 in dims``, the birth and death edges of the 1-dim pairs (loops) of
    the first ``max_points_1d`` points are matched the same way. Pairs and the
    mean distances come from detached distance matrices; gradients flow only
    through the lengths of the selected edges, computed from the points
    (``4(b-1)`` lengths instead of two ``b x b`` matrices in the backward pass).

    Parameters
    ----------
    Z : Tensor of shape (b, d)
        Representation of the minibatch (may be constant, e.g. precomputed).
    Y : Tensor of shape (b, k)
        Map of the same minibatch.
    dims : tuple of {0, 1}, default=(0,)
    max_points_1d : int, default=64
    DZ : Tensor of shape (b, b), default=None
        ``Z``'s distance matrix, when the caller has it (a slice of
        :func:`distance_matrix` of the whole representation); computed here otherwise.
        Given for a ``Z`` without gradient, the lengths of ``Z``'s selected
        edges are read from it instead of recomputed from the points.
    z_edges : Tensor of shape (b-1, 2), default=None
        ``Z``'s minimum-spanning-tree edges (:func:`mst_edges` of ``DZ``), when
        the caller has them: a fixed point cloud's tree is computed once.

    Examples
    --------
    >>> import torch
    >>> Z = torch.randn(20, 5, generator=torch.Generator().manual_seed(0))
    >>> loss, parts = topological_loss(Z, 3 * Z)  # a scaled copy has the same signature
    >>> round(parts["topo0"], 6)
    0.0
    """
    z_fixed = DZ is not None and not Z.requires_grad
    DZ = _distance_matrix(Z) if DZ is None else DZ
    DY = _distance_matrix(Y)
    sz, sy = _mean_distance(DZ), _mean_distance(DY)

    def matched(edges):
        edges = edges.to(Z.device)
        z_lengths = DZ[edges[:, 0], edges[:, 1]] / sz if z_fixed else _edge_lengths(Z, edges, sz)
        return ((z_lengths - _edge_lengths(Y, edges, sy)) ** 2).mean()

    l0 = matched(_mst_edges(DZ) if z_edges is None else z_edges) + matched(_mst_edges(DY))
    components = {"topo0": float(l0.detach())}
    loss = l0
    if 1 in dims:
        m = min(max_points_1d, Z.shape[0])
        terms = []
        for D, scale in ((DZ, sz), (DY, sy)):
            pairs = one_dim_pairs((D[:m, :m] / scale).cpu().double().numpy(), precomputed=True)
            if len(pairs.births):
                terms.append(matched(torch.from_numpy(np.concatenate([pairs.birth_edges, pairs.death_edges]))))
        l1 = torch.stack(terms).sum() if terms else Z.new_zeros(())
        components["topo1"] = float(l1.detach())
        loss = loss + l1
    return loss, components


def _int64(t):
    """A contiguous int64 numpy array of a tensor or array (the kernels' input)."""
    if torch.is_tensor(t):
        return t.detach().cpu().to(torch.int64).contiguous().numpy()
    return np.ascontiguousarray(t, np.int64)


def _float64(t):
    """A contiguous float64 numpy array of a tensor or array (no copy when it already is one)."""
    if torch.is_tensor(t):
        return t.detach().cpu().double().contiguous().numpy()
    return np.ascontiguousarray(t, np.float64)


def _scatter_rows(index, values, n):
    """``out[index[e]] += values[e]`` for rows of ``values`` (e, k) into (n, k), in the order of ``index``.

    One ``bincount`` per column: several times faster on the CPU than
    ``index_add_`` of narrow rows, and as deterministic there.
    """
    return torch.stack([torch.bincount(index, values[:, c], minlength=n) for c in range(values.shape[1])], 1)


@torch.no_grad()
def neighbour_gradient(y, rows, cols, negatives, pushed, a, b, eps=1e-4, weights=None):
    """:func:`neighbour_loss` and its gradient with respect to every map coordinate, without autograd.

    The loss is ``neighbour_loss(y[rows], y[cols], y[negatives], a, b, eps,
    weights, y[pushed])``, and the gradient is the one autograd gives for
    ``y``, written out: for a pair at squared distance ``d2`` with
    ``u = a (d2 + 1e-8)^b``, attraction adds ``2 b u / ((d2 + 1e-8)(1 + u))``
    times the pair's difference (times its weight) and repulsion
    ``-2 b / ((d2 + 1e-8)(1 + u))`` (divided by the number of pushed rows); a
    clamped term adds nothing. A handful of vector operations per step instead
    of autograd's graph over tens of thousands of pairs: the map's training
    loop calls ``y.backward(grad)``. Gradients are summed in a fixed order
    (deterministic on the CPU). On the CPU up to ``KERNEL_MAX_PAIRS`` pairs, one numba pass
    (:func:`deeptda._map_kernels.neighbour_gradient`), else :func:`neighbour_gradient_torch`.

    Parameters
    ----------
    y : Tensor of shape (n, k)
        Map coordinates.
    rows, cols : int Tensor of shape (m,)
        Rows of the two ends of the attracted edges.
    negatives : int Tensor of shape (p, r)
        ``r`` random rows per pushed row.
    pushed : int Tensor of shape (p,)
        Rows pushed away from ``negatives``.
    a, b, eps : float
        As in :func:`neighbour_loss`.
    weights : Tensor of shape (m,), default=None
        Edge weights summing to 1; ``None``: a plain mean over the edges.

    Returns
    -------
    loss : float
    grad : Tensor of shape (n, k)
    components : dict
        ``attraction``, ``repulsion``.
    """
    if not y.is_cuda and len(rows) + negatives.numel() <= KERNEL_MAX_PAIRS:
        w = np.full(len(rows), 1.0 / max(len(rows), 1)) if weights is None else _float64(weights)
        ends, a, b, eps = [_int64(v) for v in (rows, cols, negatives, pushed)], float(a), float(b), float(eps)
        attract, repel, grad = _map_kernels.neighbour_gradient(_float64(y), *ends[:2], w, *ends[2:], a, b, eps)
        grad = torch.from_numpy(grad).to(y.dtype)
        return attract + repel, grad, {"attraction": attract, "repulsion": repel}
    return neighbour_gradient_torch(y, rows, cols, negatives, pushed, a, b, eps, weights)


@torch.no_grad()
def neighbour_gradient_torch(y, rows, cols, negatives, pushed, a, b, eps=1e-4, weights=None):
    """:func:`neighbour_gradient` in torch operations (the GPU path, and the CPU kernel's reference)."""
    y = y.detach()
    ends, steps = [], []

    def pairs(i, j):
        diff = y.index_select(0, i) - y.index_select(0, j)
        base = (diff * diff).sum(-1) + 1e-8
        return diff, base, a * base.pow(b)

    def add(i, j, diff, coef):
        step = coef[:, None] * diff
        ends.extend((i, j))
        steps.extend((step, -step))

    diff, base, u = pairs(rows, cols)
    w = torch.full_like(base, 1.0 / max(len(base), 1)) if weights is None else weights.to(base.dtype)
    kept = 1.0 / (1.0 + u) >= eps
    attract = (w * torch.where(kept, torch.log1p(u), -math.log(eps))).sum()
    add(rows, cols, diff, torch.where(kept, w * 2.0 * b * u / (base * (1.0 + u)), 0.0))
    p, r = negatives.shape
    pushed_r = pushed.repeat_interleave(r)
    diff, base, u = pairs(pushed_r, negatives.reshape(-1))
    kept = u / (1.0 + u) >= eps
    repel = torch.where(kept, torch.log1p(u) - torch.log(u), -math.log(eps)).sum() / p
    add(pushed_r, negatives.reshape(-1), diff, torch.where(kept, -2.0 * b / (base * (1.0 + u) * p), 0.0))
    grad = _scatter_rows(torch.cat(ends), torch.cat(steps), y.shape[0])
    attract, repel = float(attract), float(repel)
    return attract + repel, grad, {"attraction": attract, "repulsion": repel}


@torch.no_grad()
def topological_gradient(Y, DZ, z_edges=None, index=None):
    """The 0-dim :func:`topological_loss` of a fixed representation and its gradient w.r.t. the map, without autograd.

    The minibatch is the point cloud, as in :func:`topological_loss` with
    ``dims=(0,)``: ``DZ`` holds the representation's distances within it and
    ``Y`` the map of the same points. Both spaces' minimum-spanning-tree edges
    are matched, distances divided by each space's mean distance (constants,
    as there); the gradient flows through the map's edge lengths only:
    an edge of map length ``l`` and target ``t`` (over ``m`` edges) adds
    ``2 (l / s_Y - t) / (m l s_Y)`` times its difference.

    Parameters
    ----------
    Y : Tensor of shape (b, k)
        Map of the minibatch.
    DZ : Tensor of shape (b, b), or (n, n) with ``index``
        The representation's distance matrix (:func:`distance_matrix`).
    z_edges : Tensor of shape (b-1, 2), default=None
        Its minimum-spanning-tree edges (:func:`mst_edges`), when the caller has them.
    index : int Tensor of shape (b,), default=None
        The minibatch's rows of a larger ``DZ``: the distances are
        ``DZ[index][:, index]``, read in place instead of copied out first.

    Returns
    -------
    loss : float
    grad : Tensor of shape (b, k)
    components : dict
        ``topo0``.

    On the CPU one numba pass (:func:`deeptda._map_kernels.topological_gradient`;
    ``DZ`` in float64 avoids a copy per call), else :func:`topological_gradient_torch`.
    """
    if not Y.is_cuda:
        empty = np.empty((0, 2), dtype=np.int64)
        loss, grad = _map_kernels.topological_gradient(
            _float64(Y),
            _float64(DZ),
            empty if z_edges is None else _int64(z_edges),
            empty[:, 0].copy() if index is None else _int64(index),
        )
        return loss, torch.from_numpy(grad).to(Y.dtype), {"topo0": loss}
    if index is not None:
        DZ = DZ.index_select(0, index).index_select(1, index)
    return topological_gradient_torch(Y, DZ, z_edges)


@torch.no_grad()
def topological_gradient_torch(Y, DZ, z_edges=None):
    """:func:`topological_gradient` in torch operations (the GPU path, and the CPU kernel's reference)."""
    Y = Y.detach()
    grad = torch.zeros_like(Y)
    DY = _distance_matrix(Y)
    sz, sy = _mean_distance(DZ), _mean_distance(DY)
    loss = Y.new_zeros((), dtype=torch.float64)
    for edges in (_mst_edges(DZ) if z_edges is None else z_edges, _mst_edges(DY)):
        edges = edges.to(Y.device)
        i, j = edges[:, 0], edges[:, 1]
        diff = Y.index_select(0, i) - Y.index_select(0, j)
        length = torch.sqrt((diff * diff).sum(-1) + 1e-12)
        gap = length / sy - DZ[i, j] / sz
        loss += (gap * gap).mean()
        step = (2.0 * gap / (len(gap) * length * sy))[:, None] * diff
        grad += _scatter_rows(torch.cat([i, j]), torch.cat([step, -step]), Y.shape[0])
    loss = float(loss)
    return loss, grad, {"topo0": loss}
