"""The training loops of DeepTDA as plain functions.

Stage 1 (:func:`train_encoder`) learns the representation by contrasting two
augmented views of each window. Stage 2 (:func:`train_map`) trains the map head
on the fixed representation: UMAP's neighbour cross-entropy on the kNN graph of
the representation, plus the topological signature loss on each minibatch.
Both take an explicit ``torch.Generator`` and return one history row per epoch.
"""

from __future__ import annotations

import logging

import numpy as np
import torch
from tqdm.auto import tqdm

from .augment import augment
from .losses import (
    contrastive_loss,
    distance_matrix,
    mst_edges,
    neighbour_gradient,
    take_rows,
    topological_gradient,
    topological_loss,
)

logger = logging.getLogger(__name__)

__all__ = [
    "Adam",
    "train_encoder",
    "train_map",
    "knn_graph",
    "fuzzy_graph",
    "pca_layout",
    "spectral_layout",
    "fit_layout",
]


#: Up to this many training points, each map step uses the whole graph (see :func:`train_map`).
FULL_BATCH_MAX = 2048
#: Fraction of the map's steps over which its learning rate rises from near 0 to
#: ``learning_rate`` before decaying (see :func:`map_rate`).
MAP_WARMUP = 0.3
#: Up to this many points, the spectral start comes from a dense eigensolver (see :func:`spectral_layout`).
DENSE_EIGEN_MAX = 500


def _batches(n, batch_size, generator, drop_last):
    order = torch.randperm(n, generator=generator)
    stop = n - n % batch_size if drop_last and n >= batch_size else n
    for i in range(0, stop, batch_size):
        idx = order[i : i + batch_size]
        if len(idx) >= 2:
            yield idx


class Adam:
    """Adam, or AdamW with ``weight_decay``, with the learning rate as a plain attribute.

    Where this torch has the fused CPU/CUDA kernel (``torch._fused_adam_``,
    ``torch._fused_adamw_``), each step is that one call on all parameters: the
    same arithmetic as ``torch.optim.Adam(fused=True)`` (``AdamW`` with weight
    decay), bit for bit, without ``torch.optim``'s per-step wrappers and the
    seconds of one-off imports they cost the first fit of a process. Elsewhere it
    is ``torch.optim``'s own optimizer.
    """

    def __init__(self, params, lr, weight_decay=0.0, betas=(0.9, 0.999), eps=1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.weight_decay, self.betas, self.eps = float(lr), float(weight_decay), betas, eps
        kernel = "_fused_adamw_" if weight_decay else "_fused_adam_"
        devices, dtypes = {p.device.type for p in self.params}, {p.dtype for p in self.params}
        plain = devices <= {"cpu", "cuda"} and dtypes <= {torch.float32}
        self._kernel = getattr(torch, kernel, None) if plain else None
        if self._kernel is None:
            cls = torch.optim.AdamW if weight_decay else torch.optim.Adam
            self._torch = cls(self.params, lr=self.lr, betas=betas, eps=eps, weight_decay=self.weight_decay)
            return
        self._exp_avg = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self._exp_avg_sq = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self._steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        if self._kernel is None:
            for group in self._torch.param_groups:
                group["lr"] = self.lr
            self._torch.step()
            return
        have = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not have:
            return
        pick = lambda xs: [xs[i] for i in have]  # noqa: E731
        steps = pick(self._steps)
        torch._foreach_add_(steps, 1)
        self._kernel(
            pick(self.params),
            [self.params[i].grad for i in have],
            pick(self._exp_avg),
            pick(self._exp_avg_sq),
            [],
            steps,
            amsgrad=False,
            lr=self.lr,
            beta1=self.betas[0],
            beta2=self.betas[1],
            weight_decay=self.weight_decay,
            eps=self.eps,
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )


def _mean_rows(rows):
    keys = rows[0].keys()
    return {k: float(np.mean([r[k] for r in rows])) for k in keys}


def train_encoder(net, X, *, epochs, batch_size, learning_rate, temperature, augmentations, generator, verbose=False):
    """Contrastive (NT-Xent) training of ``net.encoder`` and ``net.projection``.

    Parameters
    ----------
    net : DeepTDANet
    X : Tensor of shape (n, ...) on the training device
        Standardised windows or rows.
    epochs, batch_size : int
    learning_rate, temperature : float
    augmentations : sequence of str
    generator : torch.Generator
        On the device of ``X``; drives shuffling and augmentations.

    Returns
    -------
    list of dict
        One row per epoch: ``stage``, ``epoch``, ``contrastive``.
    """
    params = list(net.encoder.parameters()) + list(net.projection.parameters())
    opt = Adam(params, lr=learning_rate, weight_decay=1e-4)
    seed = torch.randint(2**62, (1,), generator=generator, device=generator.device)
    cpu_gen = torch.Generator().manual_seed(int(seed))
    history = []
    net.train()
    # long windows: augment the averaged windows the convolutions see, keep the full-rate statistics
    split = net.encoder.split(X) if hasattr(net.encoder, "split") else None
    bar = tqdm(range(epochs), desc="encoder", disable=not verbose, leave=False)
    for epoch in bar:
        rows = []
        for idx in _batches(X.shape[0], batch_size, cpu_gen, drop_last=True):
            idx = idx.to(X.device)
            # both views in one batch: half the calls of every augmentation and layer, the same loss
            if split is None:
                xb = X[idx]
                out = net.encoder(augment(torch.cat([xb, xb]), generator, augmentations))
            else:
                short, raw = split[0][idx], split[1][idx]
                views = augment(torch.cat([short, short]), generator, augmentations)
                out = net.encoder.features(views, torch.cat([raw, raw]))
            h1, h2 = net.projection(out).chunk(2)
            loss, parts = contrastive_loss(h1, h2, temperature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            rows.append(parts)
        row = {"stage": "encoder", "epoch": epoch, **_mean_rows(rows)}
        history.append(row)
        bar.set_postfix(contrastive=f"{row['contrastive']:.3f}", refresh=False)  # shown at tqdm's own pace
    net.eval()
    return history


def knn_graph(Z, n_neighbors):
    """Indices (n, k) of each point's ``k`` nearest neighbours in ``Z``, itself excluded, and their distances."""
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=n_neighbors).fit(Z)
    distances, indices = nn.kneighbors()
    return indices, distances


def fuzzy_graph(indices, distances, n_iter=64):
    """UMAP's fuzzy neighbour graph: symmetric edge weights in (0, 1] from kNN distances.

    Each point's membership to its neighbours is ``exp(-(d - rho) / sigma)``,
    with ``rho`` the distance to its nearest neighbour and ``sigma`` found by
    bisection so the memberships sum to ``log2(k)``; the two directions of an
    edge are joined by the fuzzy union ``w + w' - w w'``. Far neighbours of a
    point in a small class so weigh little, where a plain kNN graph pulls
    them in as hard as the nearest.

    Returns
    -------
    rows, cols : ndarray of int64
        Both directions of every edge.
    weights : ndarray of float64
    """
    from scipy.sparse import coo_matrix

    n, k = indices.shape
    d = np.asarray(distances, dtype=np.float64)
    rho = d[:, :1]
    excess = np.maximum(d - rho, 0.0)
    target = np.log2(k)
    lo, hi = np.zeros((n, 1)), np.full((n, 1), np.inf)
    sigma = np.ones((n, 1))
    for _ in range(n_iter):
        total = np.exp(-excess / sigma).sum(axis=1, keepdims=True)
        above = total > target
        hi = np.where(above, sigma, hi)
        lo = np.where(above, lo, sigma)
        sigma = np.where(np.isinf(hi), sigma * 2, (lo + hi) / 2)
    sigma = np.maximum(sigma, 1e-3 * max(float(d.mean()), 1e-12))
    w = np.exp(-excess / sigma)
    graph = coo_matrix((w.ravel(), (np.repeat(np.arange(n), k), indices.ravel())), shape=(n, n)).tocsr()
    transpose = graph.T.tocsr()
    graph = (graph + transpose - graph.multiply(transpose)).tocoo()
    return graph.row.astype(np.int64), graph.col.astype(np.int64), graph.data


def spectral_layout(graph, n, n_components=2, random_state=0):
    """Starting layout of the map: the graph's Laplacian eigenmap, scaled to [-10, 10] (UMAP's start).

    Eigenvectors 1..n_components of the normalised Laplacian of the fuzzy graph
    (the 0th, proportional to the square root of the degrees, carries no
    layout). The solver is asked for one eigenpair more than it needs and the
    trivial one is dropped by its direction, not assumed to come first: ARPACK
    can miss the eigenvalue 0 itself, and taking "all but the first" of what it
    returns then draws a loop as a folded arc. Disconnected pieces, or an eigensolver that does not
    converge, fall back to the first principal axes of the graph's adjacency rows
    (a layout that still keeps connected points together).
    """
    import scipy.sparse as sp
    from scipy.linalg import eigh
    from scipy.sparse.linalg import eigsh

    rows, cols, weights = graph
    W = sp.coo_matrix((weights, (rows, cols)), shape=(n, n)).tocsr()
    degree = np.asarray(W.sum(axis=1)).ravel()
    k = n_components + 2  # the trivial eigenpair and one spare, in case the solver misses the trivial one
    layout = None
    n_pieces = sp.csgraph.connected_components(W, directed=False)[0]
    if n_pieces == 1 and n > k + 1:
        d = 1.0 / np.sqrt(np.maximum(degree, 1e-12))
        L = sp.identity(n) - sp.diags(d) @ W @ sp.diags(d)
        v0 = np.random.default_rng(random_state).uniform(size=n)
        # ARPACK: milliseconds where a dense solver takes a second (2,000 points); dense for small graphs
        methods = ("dense",) if n <= DENSE_EIGEN_MAX else ("arpack", "dense") if n <= 2000 else ("arpack",)
        for method in methods:
            try:
                if method == "dense":
                    vals, vecs = eigh(L.toarray(), subset_by_index=[0, k - 1])
                else:
                    vals, vecs = eigsh(
                        L, k, which="SM", ncv=max(2 * k + 1, int(np.sqrt(n))), tol=1e-4, v0=v0, maxiter=n * 5
                    )
                vecs = vecs[:, np.argsort(vals)]
                trivial = np.sqrt(np.maximum(degree, 0.0))
                trivial /= np.linalg.norm(trivial) or 1.0
                kept = np.abs(trivial @ vecs) < 0.75  # orthonormal columns: at most one can be this close to it
                layout = vecs[:, kept][:, :n_components]
                break
            except (sp.linalg.ArpackError, np.linalg.LinAlgError):
                layout = None
    if layout is None:
        from sklearn.decomposition import TruncatedSVD

        layout = TruncatedSVD(n_components, random_state=random_state).fit_transform(W)
    layout = layout - layout.mean(axis=0)
    span = np.abs(layout).max() or 1.0
    return (10.0 * layout / span).astype(np.float32)


def pca_layout(Z, n_components=2):
    """Starting layout of the map: the leading principal components of ``Z``, scaled to [-10, 10].

    The eigenvectors of ``Z``'s covariance (a ``d x d`` matrix: cheap for any
    ``n``), each with its largest loading made positive, so the layout draws
    no random numbers. Where the spectral start (:func:`spectral_layout`)
    draws each dense group of the graph into a point or a thin arm, which the
    map then rearranges while spreading them, differently per seed, this one
    keeps the representation's global arrangement and the map moves less from
    it (Kobak and Linderman, *Nature Biotechnology* 2021, for t-SNE and UMAP).
    """
    Z = np.asarray(Z, dtype=np.float64)
    centred = Z - Z.mean(axis=0)
    vals, vecs = np.linalg.eigh(centred.T @ centred)
    vecs = vecs[:, np.argsort(-vals, kind="stable")[:n_components]]
    rows = np.arange(vecs.shape[1])
    vecs = vecs * np.sign(vecs[np.argmax(np.abs(vecs), axis=0), rows])[None, :]
    layout = centred @ vecs
    if layout.shape[1] < n_components:  # fewer columns than map dimensions: the rest start at 0
        layout = np.pad(layout, ((0, 0), (0, n_components - layout.shape[1])))
    span = np.abs(layout).max() or 1.0
    return (10.0 * layout / span).astype(np.float32)


def fit_layout(head, Z, layout, *, steps=100, learning_rate=1e-2, batch_size=4096, generator):
    """Pre-train ``head`` (a :class:`~deeptda.encoders.MapHead`) to reproduce a starting ``layout``
    (mean squared error, Adam; each step a random ``batch_size`` of the points)."""
    opt = Adam(head.parameters(), lr=learning_rate)
    target = torch.as_tensor(layout, device=Z.device)
    n, scaled = Z.shape[0], head.scale(Z)
    head.train()
    for _ in range(steps):
        idx = torch.randperm(n, generator=generator)[:batch_size].to(Z.device)
        loss = ((head.net(scaled[idx]) - target[idx]) ** 2).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.detach())


def map_rate(step, total_steps, learning_rate, warmup=MAP_WARMUP):
    """The map's learning rate at ``step`` (0-based) of ``total_steps``.

    A linear rise over the first ``warmup`` fraction of the steps, times a
    linear decay from ``learning_rate`` to 0 over all of them.

    Examples
    --------
    >>> [round(map_rate(s, 10, 1.0, warmup=0.3), 3) for s in (0, 1, 2, 5, 9)]
    [0.333, 0.6, 0.8, 0.5, 0.1]
    >>> map_rate(5, 10, 1.0, warmup=0.0)
    0.5
    """
    rise = min(1.0, (step + 1) / (warmup * total_steps)) if warmup > 0 else 1.0
    return learning_rate * rise * max(0.0, 1.0 - step / total_steps)


def _square_slice(D, index):
    """``D[index][:, index]`` (two ``index_select``: several times faster than advanced indexing)."""
    return D.index_select(0, index).index_select(1, index)


def train_map(
    net,
    Z,
    graph,
    *,
    epochs,
    batch_size,
    learning_rate,
    topo_weight,
    topo_dims,
    a,
    b,
    generator,
    negative_rate=5,
    init="pca",
    verbose=False,
):
    """Train ``net.head`` to map the fixed representation ``Z`` to the plane.

    Up to ``FULL_BATCH_MAX`` points each step takes every edge of the fuzzy
    graph with its weight, and ``negative_rate`` random points for each of
    ``2n`` edge ends drawn by weight; above, each step samples ``batch_size``
    edges by weight and pushes each edge's first end from ``negative_rate``
    points drawn from a uniform random minibatch of ``batch_size`` points (the
    one the topological loss uses, so the head maps ``3 batch_size`` rows per
    step instead of ``(3 + negative_rate) batch_size``). Each step
    minimises ``neighbour_loss + topo_weight * topological_loss`` with
    Adam; the topological loss compares a random minibatch of ``batch_size``
    distinct points in ``Z`` and in the map (every point when there are no
    more, so ``Z``'s tree is computed once). The learning rate rises over
    the first ``MAP_WARMUP`` of the steps and decays linearly to 0 over all
    steps (:func:`map_rate`): the first steps, which decide where the groups
    of the start go, are small, so every seed's map leaves the start the same
    way, and at the end the map settles instead of jittering around its
    optimum, as in UMAP's optimisation.
    The gradient of both losses with respect to the map coordinates is
    written out (:func:`~deeptda.losses.neighbour_gradient`,
    :func:`~deeptda.losses.topological_gradient`); autograd runs through the
    head only (and through the 1-dim term with ``1 in topo_dims``).

    The head is first fitted (:func:`fit_layout`) to a starting layout:
    ``init="pca"``, the principal components of ``Z`` (:func:`pca_layout`);
    ``"spectral"``, the graph's Laplacian eigenmap (:func:`spectral_layout`);
    an array of shape ``(n, n_components)``, that layout (``DeepTDA`` passes
    the principal components of the input views' columns of ``Z``);
    ``None``, none (the head's random initialisation).

    Parameters
    ----------
    net : DeepTDANet
    Z : Tensor of shape (n, d)
        The representation (no gradient).
    graph : tuple (rows, cols, weights)
        From :func:`fuzzy_graph`.
    epochs, batch_size : int
        ``epochs`` full-graph steps up to ``FULL_BATCH_MAX`` points, else
        ``epochs * ceil(n / batch_size)`` minibatch steps.
    learning_rate, topo_weight : float
    topo_dims : tuple of int
    a, b : float
        UMAP curve parameters.
    generator : torch.Generator (CPU)

    Returns
    -------
    list of dict
        One row per epoch: ``stage``, ``epoch``, ``attraction``, ``repulsion``,
        ``topo0`` (and ``topo1``), ``total``.
    """
    n = Z.shape[0]
    n_out = net.head.net[-1].out_features
    if isinstance(init, np.ndarray):
        if init.shape != (n, n_out):
            raise ValueError(f"an init layout must have shape {(n, n_out)}; got {init.shape}.")
        fit_layout(net.head, Z, init.astype(np.float32), generator=generator)
    elif init == "pca":
        fit_layout(net.head, Z, pca_layout(Z.cpu().numpy(), n_out), generator=generator)
    elif init == "spectral":
        seed = int(torch.randint(2**31, (1,), generator=generator))
        fit_layout(net.head, Z, spectral_layout(graph, n, n_out, random_state=seed), generator=generator)
    elif init is not None:
        raise ValueError(f"init must be 'pca', 'spectral', a layout array or None; got {init!r}.")
    opt = Adam(net.head.parameters(), lr=learning_rate)
    full = n <= FULL_BATCH_MAX
    steps_per_epoch = 1 if full else -(-n // batch_size)
    total_steps, step = epochs * steps_per_epoch, 0
    rows, cols, weights = (torch.as_tensor(v) for v in graph)
    weights, history, dev = weights.to(torch.float64), [], Z.device
    # the head's input, scaled once: the representation is fixed
    head_input, head_net = net.head.scale(Z), net.head.net
    net.head.train()
    bar = tqdm(range(epochs), desc="map", disable=not verbose, leave=False)
    DZ_all = z_edges = w = None
    # every point is in the topological loss's minibatch (the 1-dim term needs a random 64 of them)
    whole = full and n <= batch_size and 1 not in topo_dims
    if full:  # every edge in every step, weighted, with fresh random negatives
        # The graph is symmetric: attraction over each edge once (i < j) is the same loss at half the
        # cost; edge ends drawn by weight are points drawn in proportion to their degree.
        once = rows < cols
        w = (weights[once] / weights[once].sum()).to(dev, torch.float32)
        rows_d, cols_d = rows[once].to(dev), cols[once].to(dev)
        degree = torch.zeros(n, dtype=torch.float64).index_add_(0, rows, weights)
        if topo_weight > 0:  # the representation is fixed: its distances (and tree) are computed once
            DZ_all = distance_matrix(Z)
            z_edges = mst_edges(DZ_all).to(dev) if whole else None
            # the 0-dim gradient's CPU kernel reads float64: convert the matrix once, not per step
            DZ_all = DZ_all.double() if not DZ_all.is_cuda and 1 not in topo_dims else DZ_all
    else:  # rows of each step's head output: anchors, their neighbours, the uniform minibatch
        m, r = batch_size, negative_rate
        anchors = torch.arange(m, device=dev)
    for epoch in bar:
        parts_rows = []
        for _ in range(steps_per_epoch):
            idx = torch.randperm(n, generator=generator)[:batch_size]
            if full:
                y_all = head_net(head_input)
                # attraction over every edge by weight, repulsion from 2n points drawn by degree
                pushed = torch.multinomial(degree, 2 * n, replacement=True, generator=generator).to(dev)
                neg = torch.randint(n, (2 * n, negative_rate), generator=generator).to(dev)
                ends = (rows_d, cols_d, neg, pushed)
                topo_rows = None if whole else idx.to(dev)
            else:
                # edges by weight; their anchors are pushed from points of the uniform minibatch ``idx``,
                # which the head maps anyway for the topological term (negatives cost no extra rows)
                edges = torch.multinomial(weights, batch_size, replacement=True, generator=generator)
                neg = torch.randint(len(idx), (m, r), generator=generator).to(dev) + 2 * m
                y_all = head_net(head_input[torch.cat([rows[edges], cols[edges], idx]).to(dev)])
                ends, topo_rows = (anchors, anchors + m, neg, anchors), torch.arange(2 * m, y_all.shape[0], device=dev)
            # the losses' gradient w.r.t. the map, written out: autograd runs through the head only
            total, grad, parts = neighbour_gradient(y_all, *ends, a, b, weights=w)
            autograd_part = None  # the 1-dim topological term, through autograd
            if topo_weight > 0 and len(idx) >= 2:
                idx_d = idx.to(dev)
                if whole:
                    t, tgrad, tparts = topological_gradient(y_all, DZ_all, z_edges)
                    grad += topo_weight * tgrad
                else:
                    if 1 in topo_dims:
                        DZ = distance_matrix(Z[idx_d]) if DZ_all is None else _square_slice(DZ_all, idx_d)
                        tl, tparts = topological_loss(Z[idx_d], take_rows(y_all, topo_rows), dims=topo_dims, DZ=DZ)
                        autograd_part, t = topo_weight * tl, float(tl.detach())
                    else:
                        # a slice of the whole matrix (read in place), or this minibatch's own distances
                        DZ, at = (distance_matrix(Z[idx_d]), None) if DZ_all is None else (DZ_all, idx_d)
                        t, tgrad, tparts = topological_gradient(y_all[topo_rows], DZ, index=at)
                        grad.index_add_(0, topo_rows, topo_weight * tgrad)
                total += topo_weight * t
                parts.update(tparts)
            parts["total"] = float(total)
            opt.zero_grad()
            if autograd_part is None:
                y_all.backward(grad)
            else:
                (autograd_part + (y_all * grad).sum()).backward()
            opt.lr = map_rate(step, total_steps, learning_rate)
            opt.step()
            step += 1
            parts_rows.append(parts)
        row = {"stage": "map", "epoch": epoch, **_mean_rows(parts_rows)}
        history.append(row)
        bar.set_postfix(total=f"{row['total']:.3f}", refresh=False)
    net.eval()
    return history
