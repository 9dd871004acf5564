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
from .losses import contrastive_loss, neighbour_loss, topological_loss

logger = logging.getLogger(__name__)

__all__ = ["train_encoder", "train_map", "knn_graph", "batched_forward"]


def _batches(n, batch_size, generator, drop_last):
    order = torch.randperm(n, generator=generator)
    stop = n - n % batch_size if drop_last and n >= batch_size else n
    for i in range(0, stop, batch_size):
        idx = order[i:i + batch_size]
        if len(idx) >= 2:
            yield idx


def _mean_rows(rows):
    keys = rows[0].keys()
    return {k: float(np.mean([r[k] for r in rows])) for k in keys}


def train_encoder(net, X, *, epochs, batch_size, learning_rate, temperature, augmentations,
                  generator, verbose=False):
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
    opt = torch.optim.AdamW(params, lr=learning_rate, weight_decay=1e-4)
    seed = torch.randint(2**62, (1,), generator=generator, device=generator.device)
    cpu_gen = torch.Generator().manual_seed(int(seed))
    history = []
    net.train()
    bar = tqdm(range(epochs), desc="encoder", disable=not verbose, leave=False)
    for epoch in bar:
        rows = []
        for idx in _batches(X.shape[0], batch_size, cpu_gen, drop_last=True):
            xb = X[idx.to(X.device)]
            v1 = augment(xb, generator, augmentations)
            v2 = augment(xb, generator, augmentations)
            h1 = net.projection(net.encoder(v1))
            h2 = net.projection(net.encoder(v2))
            loss, parts = contrastive_loss(h1, h2, temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            rows.append(parts)
        row = {"stage": "encoder", "epoch": epoch, **_mean_rows(rows)}
        history.append(row)
        bar.set_postfix(contrastive=f"{row['contrastive']:.3f}")
    net.eval()
    return history


def knn_graph(Z, n_neighbors):
    """Indices (n, k) of each point's ``k`` nearest neighbours in ``Z``, itself excluded."""
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=n_neighbors).fit(Z)
    return nn.kneighbors(return_distance=False)


def train_map(net, Z, neighbours, *, epochs, batch_size, learning_rate, topo_weight, topo_dims,
              a, b, generator, negative_rate=5, verbose=False):
    """Train ``net.head`` to map the fixed representation ``Z`` to the plane.

    Each step takes a minibatch of anchors, one random kNN neighbour of each
    and ``negative_rate`` random points per anchor, and minimises
    ``neighbour_loss + topo_weight * topological_loss(Z_batch, Y_batch)``
    with Adam. The learning rate decays linearly from ``learning_rate`` to 0
    over all steps, as in UMAP's optimisation: the map settles instead of
    jittering around its optimum.

    Parameters
    ----------
    net : DeepTDANet
    Z : Tensor of shape (n, latent_dim)
        Standardised representation (no gradient).
    neighbours : ndarray of shape (n, k), int
    epochs, batch_size : int
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
    opt = torch.optim.Adam(net.head.parameters(), lr=learning_rate)
    n, k = neighbours.shape
    total_steps = epochs * sum(1 for i in range(0, n, batch_size) if n - i >= 2)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: max(0.0, 1.0 - step / total_steps))
    nbrs = torch.as_tensor(neighbours, dtype=torch.long)
    history = []
    net.head.train()
    bar = tqdm(range(epochs), desc="map", disable=not verbose, leave=False)
    for epoch in bar:
        rows = []
        for idx in _batches(n, batch_size, generator, drop_last=False):
            pos = nbrs[idx, torch.randint(k, (len(idx),), generator=generator)]
            neg = torch.randint(n, (len(idx), negative_rate), generator=generator)
            dev = Z.device
            y_all = net.head(Z[torch.cat([idx, pos, neg.reshape(-1)]).to(dev)])
            m = len(idx)
            y_anchor, y_pos, y_neg = y_all[:m], y_all[m:2 * m], y_all[2 * m:].reshape(m, negative_rate, -1)
            loss, parts = neighbour_loss(y_anchor, y_pos, y_neg, a, b)
            if topo_weight > 0:
                topo, tparts = topological_loss(Z[idx.to(dev)], y_anchor, dims=topo_dims)
                loss = loss + topo_weight * topo
                parts.update(tparts)
            parts["total"] = float(loss.detach())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            schedule.step()
            rows.append(parts)
        row = {"stage": "map", "epoch": epoch, **_mean_rows(rows)}
        history.append(row)
        bar.set_postfix(total=f"{row['total']:.3f}")
    net.eval()
    return history


@torch.no_grad()
def batched_forward(fn, X, device, batch_size=None):
    """Apply ``fn`` to ``X`` (numpy) in batches on ``device``; returns a float32 numpy array.

    ``batch_size=None`` uses 512 rows on the CPU, where a batch's activations
    then stay in cache (1.5x faster per window than 4096), and 4096 elsewhere.
    """
    if batch_size is None:
        batch_size = 512 if torch.device(device).type == "cpu" else 4096
    out = []
    for i in range(0, X.shape[0], batch_size):
        xb = torch.as_tensor(X[i:i + batch_size], device=device)
        out.append(fn(xb).cpu())
    return torch.cat(out).numpy().astype(np.float32, copy=False)
