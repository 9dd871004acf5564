"""Embedding-quality and topology metrics.

Neighbour ranks of the reference space ``X`` and of the embedding ``Y`` are
computed once (:class:`NeighbourRanks`) and shared by trustworthiness,
continuity and kNN preservation at every ``k``.

Pairwise metrics cost O(n^2) memory, so :func:`evaluate_embedding` scores a
seeded random subsample of at most ``max_samples`` points (5,000 by default:
a few 5,000 × 5,000 float64 matrices); the Spearman correlation and the KL divergences use at most 2,000
points, the 0-dim diagrams 1,000 and the 1-dim diagrams 200 max-min landmarks.
kNN accuracy and the clustering scores use all points.

Neighbourhood sizes are ``n_neighbors`` everywhere (an int, or a tuple of ints
for :func:`evaluate_embedding`); ``random_state`` takes None, an int, a
``RandomState`` or a ``Generator``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist, squareform

from ._random import as_generator

__all__ = [
    "NeighbourRanks",
    "trustworthiness",
    "continuity",
    "knn_preservation",
    "knn_accuracy",
    "density_kl",
    "diagram_distances",
    "evaluate_embedding",
    "evaluation_frame",
    "procrustes_disparity",
    "amplitude_spectra",
]


def _as_2d(X, name):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 3:
        X = X.reshape(X.shape[0], -1)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features) or 3-D windows; got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return X


def _check_pair(X, Y):
    X, Y = _as_2d(X, "X"), _as_2d(Y, "Y")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but Y has {Y.shape[0]}; they must be the same samples.")
    if X.shape[0] < 3:
        raise ValueError(f"need at least 3 samples; got {X.shape[0]}.")
    return X, Y


def _check_k(k, n):
    if not 1 <= k < n / 2:
        raise ValueError(
            f"n_neighbors={k} must be at least 1 and below n_samples / 2 = {n / 2}; use a smaller n_neighbors."
        )


class NeighbourRanks:
    """Rank of every point in every other point's neighbour list, for one space.

    ``rank[i, j]`` is 1 for ``i``'s nearest neighbour and ``n`` for ``i`` itself;
    ``order[i]`` lists the others from nearest to farthest.

    Examples
    --------
    >>> r = NeighbourRanks([[0.0], [1.0], [3.0]])
    >>> r.rank[0].tolist(), r.neighbours(1).ravel().tolist()
    ([3, 1, 2], [1, 0, 1])
    """

    def __init__(self, X):
        from ._io import check_memory

        X = _as_2d(X, "X")
        n = X.shape[0]
        check_memory(
            24.0 * n * n,
            f"neighbour ranks of {n} points ({n} x {n} matrices)",
            "score a seeded subsample (evaluate_embedding(..., max_samples=5000) does this)",
        )
        D = squareform(pdist(X))
        np.fill_diagonal(D, np.inf)
        self.order = np.argsort(D, axis=1)
        n = D.shape[0]
        self.rank = np.empty((n, n), dtype=np.int32)
        self.rank[np.arange(n)[:, None], self.order] = np.arange(1, n + 1, dtype=np.int32)[None, :]
        self.n = n

    def neighbours(self, k):
        return self.order[:, :k]


def _ranks(X, Y):
    X, Y = _check_pair(X, Y)
    return NeighbourRanks(X), NeighbourRanks(Y)


def _trust(ranks_ref, ranks_emb, k):
    n = ranks_ref.n
    _check_k(k, n)
    ind = ranks_emb.neighbours(k)
    r = ranks_ref.rank[np.arange(n)[:, None], ind].astype(np.int64) - k
    t = r[r > 0].sum()
    return float(1.0 - t * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))


def trustworthiness(X, Y, n_neighbors=10, *, ranks=None):
    """Trustworthiness (Venna & Kaski): are the embedding's neighbours true neighbours?

    Equal to :func:`sklearn.manifold.trustworthiness`. ``ranks`` may pass
    precomputed ``(NeighbourRanks(X), NeighbourRanks(Y))``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(30, 3))
    >>> trustworthiness(X, X, n_neighbors=5)
    1.0
    """
    rx, ry = ranks if ranks is not None else _ranks(X, Y)
    return _trust(rx, ry, n_neighbors)


def continuity(X, Y, n_neighbors=10, *, ranks=None):
    """Continuity: are the true neighbours kept as neighbours? Trustworthiness with roles swapped.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(30, 3))
    >>> continuity(X, X[:, :2], n_neighbors=5) < 1.0
    True
    """
    rx, ry = ranks if ranks is not None else _ranks(X, Y)
    return _trust(ry, rx, n_neighbors)


def knn_preservation(X, Y, n_neighbors=10, *, ranks=None):
    """Mean fraction of each point's ``n_neighbors`` nearest neighbours in ``X`` that stay among its own in ``Y``.

    Examples
    --------
    >>> knn_preservation([[0.0], [1.0], [3.0], [7.0]], [[0.0], [1.0], [3.0], [7.0]], n_neighbors=1)
    1.0
    """
    rx, ry = ranks if ranks is not None else _ranks(X, Y)
    n, k = rx.n, n_neighbors
    if not 1 <= k < n:
        raise ValueError(f"n_neighbors={k} must be in [1, n_samples - 1 = {n - 1}].")
    a, b = rx.neighbours(k), ry.neighbours(k)
    hits = (a[:, :, None] == b[:, None, :]).any(axis=2).sum()
    return float(hits / (n * k))


def _known_labels(labels):
    """``labels`` as an array, refused when some are missing (None or NaN): a score needs every one."""
    import pandas as pd

    labels = np.asarray(labels)
    missing = int(pd.isna(labels).sum()) if labels.ndim == 1 else 0
    if missing:
        raise ValueError(
            f"labels has {missing} missing entries (None or NaN); score the labelled samples only "
            "(e.g. keep = pandas.notna(labels)) or give the missing ones a label of their own."
        )
    return labels


def knn_accuracy(Y, labels, *, n_neighbors=5, n_splits=5, random_state=None):
    """Accuracy of a ``n_neighbors``-NN classifier on ``Y``, by stratified ``n_splits``-fold CV.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.r_[np.zeros((10, 2)), np.ones((10, 2))] + np.arange(20)[:, None] * 1e-3
    >>> knn_accuracy(Y, [0] * 10 + [1] * 10, random_state=0)
    1.0
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    Y = _as_2d(Y, "Y")
    labels = _known_labels(labels)
    if labels.shape[0] != Y.shape[0]:
        raise ValueError(f"labels has {labels.shape[0]} entries but Y has {Y.shape[0]} samples.")
    _, counts = np.unique(labels, return_counts=True)
    splits = int(min(n_splits, counts.min()))
    if splits < 2 or len(counts) < 2:
        raise ValueError("kNN accuracy needs at least two classes with at least two samples each.")
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2**31 - 1))
    cv = StratifiedKFold(splits, shuffle=True, random_state=random_state)
    k = int(min(n_neighbors, Y.shape[0] - Y.shape[0] // splits - 1))
    return float(cross_val_score(KNeighborsClassifier(k), Y, labels, cv=cv).mean())


def density_kl(DX, DY, sigma):
    """KL divergence between distance-to-measure densities of two spaces (Moor et al., 2020).

    ``f(x) = sum_y exp(-(d(x, y) / max d)^2 / sigma)``, normalised to sum to 1;
    returns ``KL(f_X || f_Y)``. Small ``sigma`` looks at local density, large at global.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.distance import pdist, squareform
    >>> D = squareform(pdist(np.random.default_rng(0).normal(size=(30, 2))))
    >>> density_kl(D, D, 0.1), density_kl(D, 2 * D, 0.1)
    (0.0, 0.0)
    """

    def density(D):
        Dn = D / D.max()
        f = np.exp(-(Dn**2) / sigma).sum(axis=1)
        return f / f.sum()

    fx, fy = density(DX), density(DY)
    return float(np.sum(fx * (np.log(fx + 1e-300) - np.log(fy + 1e-300))))


def diagram_distances(X, Y, *, max_points_0d=1000, max_points_1d=200, metric="wasserstein", random_state=None):
    """Distances between the persistence diagrams of ``X`` and ``Y`` after scale normalisation.

    Each space is divided by its mean pairwise distance, so the result is
    invariant to a uniform scaling of either. Dimension 0 uses the exact MST of
    a seeded random subsample of at most ``max_points_0d`` points (the optimal
    matching costs O(m^3)); dimension 1 uses at most ``max_points_1d`` max-min
    landmarks of that subsample.

    Returns
    -------
    dict
        ``{"dgm0": ..., "dgm1": ...}``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> round(diagram_distances(X, 3 * X, random_state=0)["dgm0"], 9)
    0.0
    """
    from .topology import diagram_distance, persistence_diagram

    X, Y = _check_pair(X, Y)
    if X.shape[0] > max_points_0d:
        sub = np.sort(as_generator(random_state).choice(X.shape[0], max_points_0d, replace=False))
        X, Y = X[sub], Y[sub]
    out = {}
    mx, my = pdist(X).mean(), pdist(Y).mean()
    Xn = X / mx if mx > 0 else X
    Yn = Y / my if my > 0 else Y
    dx = persistence_diagram(Xn, max_dim=1, max_points=max_points_1d)
    dy = persistence_diagram(Yn, max_dim=1, max_points=max_points_1d)
    for dim in (0, 1):
        out[f"dgm{dim}"] = diagram_distance(dx[dim], dy[dim], metric=metric, p=1)
    return out


def evaluate_embedding(
    X,
    Y,
    labels=None,
    *,
    n_neighbors=(5, 10, 30),
    sigmas=(0.01, 0.1, 1.0),
    max_samples=5000,
    max_points_1d=200,
    random_state=None,
):
    """Score an embedding ``Y`` of data ``X``.

    Parameters
    ----------
    X : array-like of shape (n, d) or (n, c, t)
        The reference space (3-D windows are flattened as they are; pass
        standardised windows to score against what the methods saw).
    Y : array-like of shape (n, k)
    labels : array-like of shape (n,), default=None
    n_neighbors : int or tuple of int, default=(5, 10, 30)
        Neighbourhood sizes for trustworthiness, continuity and kNN preservation
        (kNN accuracy always uses 5 neighbours).
    sigmas : tuple of float, default=(0.01, 0.1, 1.0)
        Scales of the density KL divergence.
    max_samples : int, default=5000
        Pairwise metrics use a seeded subsample of at most this many points.
    max_points_1d : int, default=200
        Landmarks for the 1-dim diagrams.
    random_state : None, int, RandomState or Generator, default=None
        Seeds the subsamples, the folds of kNN accuracy and KMeans.

    Returns
    -------
    dict
        ``trustworthiness@k``, ``continuity@k``, ``knn_preservation@k``,
        ``spearman``, ``kl@sigma``, ``wasserstein_dgm0``, ``wasserstein_dgm1``
        and, with labels, ``knn_accuracy``, ``silhouette``, ``ari``, ``nmi``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(40, 5))
    >>> scores = evaluate_embedding(X, X[:, :2], n_neighbors=5, random_state=0)
    >>> round(scores["trustworthiness@5"], 2) <= 1.0
    True
    """
    from scipy.stats import spearmanr
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score

    X, Y = _check_pair(X, Y)
    n = X.shape[0]
    if labels is not None:
        labels = _known_labels(labels)
        if labels.shape[0] != n:
            raise ValueError(f"labels has {labels.shape[0]} entries but X has {n} samples.")
    ks = (n_neighbors,) if np.isscalar(n_neighbors) else tuple(n_neighbors)
    for k in ks:
        _check_k(k, min(n, max_samples))
    rng = as_generator(random_state)
    seed = int(rng.integers(2**31 - 1)) if not isinstance(random_state, (int, np.integer)) else random_state
    sub = np.sort(rng.choice(n, max_samples, replace=False)) if n > max_samples else np.arange(n)
    Xs, Ys = X[sub], Y[sub]
    ranks = (NeighbourRanks(Xs), NeighbourRanks(Ys))
    out = {}
    for k in ks:
        out[f"trustworthiness@{k}"] = trustworthiness(Xs, Ys, k, ranks=ranks)
        out[f"continuity@{k}"] = continuity(Xs, Ys, k, ranks=ranks)
        out[f"knn_preservation@{k}"] = knn_preservation(Xs, Ys, k, ranks=ranks)
    small = sub if len(sub) <= 2000 else np.sort(rng.choice(sub, 2000, replace=False))
    dx, dy = pdist(X[small]), pdist(Y[small])
    out["spearman"] = float(spearmanr(dx, dy).statistic)
    DX, DY = squareform(dx), squareform(dy)
    for s in sigmas:
        out[f"kl@{s}"] = density_kl(DX, DY, s)
    for key, value in diagram_distances(Xs, Ys, max_points_1d=max_points_1d, random_state=seed).items():
        out[f"wasserstein_{key}"] = value
    if labels is not None:
        try:
            out["knn_accuracy"] = knn_accuracy(Y, labels, random_state=seed)
        except ValueError as exc:
            warnings.warn(f"knn_accuracy not computed: {exc}", UserWarning, stacklevel=2)
            out["knn_accuracy"] = float("nan")
        classes = np.unique(labels)
        if 1 < len(classes) < len(sub):
            out["silhouette"] = float(silhouette_score(Ys, labels[sub]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                km = KMeans(len(classes), n_init=10, random_state=seed).fit_predict(Y)
            out["ari"] = float(adjusted_rand_score(labels, km))
            out["nmi"] = float(normalized_mutual_info_score(labels, km))
    return out


def evaluation_frame(results):
    """One row per method from ``{method: evaluate_embedding(...)}``.

    Examples
    --------
    >>> evaluation_frame({"a": {"x": 1.0}, "b": {"x": 2.0}}).shape
    (2, 1)
    """
    if isinstance(results, dict) and results and all(isinstance(v, dict) for v in results.values()):
        return pd.DataFrame.from_dict(results, orient="index")
    return pd.DataFrame([results])


def procrustes_disparity(Y1, Y2):
    """Procrustes disparity between two embeddings of the same points (0 = same up to similarity).

    The seed-stability measure of the benchmarks: embed twice with two seeds and compare.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.random.default_rng(0).normal(size=(20, 2))
    >>> round(procrustes_disparity(Y, 2 * Y[:, ::-1] + 5), 12)
    0.0
    """
    from scipy.spatial import procrustes

    Y1, Y2 = _check_pair(Y1, Y2)
    for name, Y in (("Y1", Y1), ("Y2", Y2)):
        if not np.ptp(Y, axis=0).any():
            raise ValueError(
                f"{name} puts every point at the same place; a Procrustes disparity needs at least two "
                "distinct points in each embedding."
            )
    return float(procrustes(Y1, Y2)[2])


def amplitude_spectra(X):
    """Phase-free view of windows: each channel's amplitude spectrum, standardised per channel.

    Windows are standardised per channel (:class:`~deeptda.preprocessing.ChannelScaler`)
    and replaced by ``|rfft|`` with the energy-preserving normalisation (bins
    other than 0 and Nyquist scaled by sqrt(2)), bin 0 (each channel's mean)
    keeping its sign, so two windows that differ only in phase (a circular
    shift) coincide, and otherwise their distance is at most their Euclidean
    distance. Trustworthiness against this reference asks
    whether map neighbours share posture (the 0-Hz bin) and motion content
    without asking that they share the phase at which the window was cut.

    Parameters
    ----------
    X : ndarray of shape (n, c, t)

    Returns
    -------
    ndarray of shape (n, c * (t // 2 + 1)), float64

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(5, 3, 32))
    >>> shifted = np.roll(X, 7, axis=2)
    >>> spectra = amplitude_spectra(np.concatenate([X, shifted]))
    >>> bool(np.allclose(spectra[:5], spectra[5:]))
    True
    """
    import torch

    from .encoders import amplitude_spectra as spectra
    from .preprocessing import ChannelScaler

    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"amplitude_spectra takes windows of shape (n, c, t); got {X.shape}.")
    scaled = torch.as_tensor(ChannelScaler().fit_transform(X).astype(np.float64))
    return spectra(scaled).numpy()
