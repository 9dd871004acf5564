"""Side-by-side comparison of DeepTDA, t-SNE and UMAP: same input, same
standardisation, same seed, scored with the same metrics against clean data
and clean labels."""

from __future__ import annotations

import logging
import time
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "Comparison", "make_method", "compare_methods"]

METHODS = ("DeepTDA", "t-SNE", "UMAP")


class Comparison(NamedTuple):
    """What :func:`compare_methods` returns, always the same three fields."""

    embeddings: dict
    """``{method: ndarray (n, 2)}``."""
    table: pd.DataFrame
    """One row per method: every metric of :func:`~deeptda.metrics.evaluate_embedding`, ``fit_s``
    and ``transform_ms_per_sample``."""
    models: dict
    """``{method: fitted estimator}``."""


def make_method(name, random_state=None, **params):
    """A fresh estimator by display name: ``"DeepTDA"``, ``"t-SNE"`` or ``"UMAP"``.

    Examples
    --------
    >>> make_method("DeepTDA", random_state=1, topo_weight=0.0).topo_weight
    0.0
    """
    from ._estimator import DeepTDA
    from .manifold import TSNE, UMAP

    classes = {"DeepTDA": DeepTDA, "t-SNE": TSNE, "UMAP": UMAP}
    if name not in classes:
        raise ValueError(f"unknown method {name!r}; use one of {list(METHODS)}, or pass an estimator.")
    return classes[name](random_state=random_state, **params)


def compare_methods(X, labels=None, *, methods=METHODS, random_state=None, X_reference=None, metric_params=None):
    """Fit each method on ``X`` and score it.

    Parameters
    ----------
    X : ndarray of shape (n, c, t) or (n, d)
        The input every method sees.
    labels : array-like of shape (n,), default=None
        Clean labels to score against.
    methods : sequence of str, or dict of str to estimator, default=("DeepTDA", "t-SNE", "UMAP")
        Names of :data:`METHODS` (made with ``random_state``), or ``{display name:
        estimator}`` for any other setting (each is cloned, so its own ``random_state``
        holds), e.g. ``{"DeepTDA": DeepTDA(), "no topology": DeepTDA(topo_weight=0)}``.
    random_state : None, int, RandomState or Generator, default=None
        Seeds the named methods and the metrics.
    X_reference : ndarray, default=None
        The clean data to score neighbourhoods against (default: ``X``),
        standardised per channel as the methods see it.
    metric_params : dict, default=None
        Passed to :func:`deeptda.metrics.evaluate_embedding`.

    Returns
    -------
    Comparison
        ``(embeddings, table, models)``; ``table`` has one row per method with every
        metric, ``fit_s`` and ``transform_ms_per_sample`` (the faster of two
        ``transform`` calls on at most 500 rows of ``X``: a first call may compile code).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 3, 16)).astype("float32")
    >>> y = np.repeat([0, 1], 30)
    >>> result = compare_methods(X, y, methods=["UMAP"], random_state=0,
    ...                          metric_params={"n_neighbors": 5, "max_points_1d": 30})
    >>> result.embeddings["UMAP"].shape, "knn_accuracy" in result.table.columns
    ((60, 2), True)
    """
    from ._random import as_generator
    from .metrics import evaluate_embedding
    from .preprocessing import ChannelScaler

    if not isinstance(random_state, (type(None), int, np.integer)):
        random_state = int(as_generator(random_state).integers(2**31 - 1))  # one seed shared by every method
    if isinstance(methods, dict):
        estimators = {name: clone(est) for name, est in methods.items()}
    else:
        estimators = {name: make_method(name, random_state) for name in methods}
    reference = np.asarray(X if X_reference is None else X_reference)
    if reference.ndim == 3:
        reference = ChannelScaler().fit_transform(reference).reshape(len(reference), -1)
    embeddings, rows = {}, {}
    probe = X[: min(len(X), 500)]
    for name, est in estimators.items():
        t0 = time.perf_counter()
        Y = est.fit_transform(X)
        fit_s = time.perf_counter() - t0
        calls = []
        for _ in range(2):
            t0 = time.perf_counter()
            est.transform(probe)
            calls.append(time.perf_counter() - t0)
        scores = evaluate_embedding(reference, Y, labels, random_state=random_state, **(metric_params or {}))
        rows[name] = {**scores, "fit_s": fit_s, "transform_ms_per_sample": min(calls) / len(probe) * 1e3}
        embeddings[name] = np.asarray(Y)
        logger.info("%s: fit %.1fs", name, fit_s)
    return Comparison(embeddings, pd.DataFrame.from_dict(rows, orient="index"), estimators)
