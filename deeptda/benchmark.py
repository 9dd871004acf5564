"""Side-by-side comparison of DeepTDA, t-SNE and UMAP: same input, same
standardisation, same seed, scored with the same metrics against clean data
and clean labels."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "make_method", "perturb", "compare_methods", "procrustes_disparity", "amplitude_spectra",
           "best_time"]

METHODS = ("DeepTDA", "t-SNE", "UMAP")


def make_method(name, random_state=0, **params):
    """A fresh estimator by display name: ``"DeepTDA"``, ``"t-SNE"``, ``"UMAP"``,
    or ``"DeepTDA (topo_weight=0)"`` for the ablation.

    Examples
    --------
    >>> make_method("DeepTDA (topo_weight=0)", random_state=1).topo_weight
    0.0
    """
    from ._estimator import DeepTDA
    from .manifold import TSNE, UMAP

    if name == "DeepTDA":
        return DeepTDA(random_state=random_state, **params)
    if name == "DeepTDA (topo_weight=0)":
        return DeepTDA(random_state=random_state, topo_weight=0.0, **params)
    if name == "t-SNE":
        return TSNE(random_state=random_state, **params)
    if name == "UMAP":
        return UMAP(random_state=random_state, **params)
    raise ValueError(f"unknown method {name!r}; use one of {list(METHODS) + ['DeepTDA (topo_weight=0)']}.")


def perturb(X, *, snr_db=None, outlier_fraction=0.0, spikes_per_window=5, spike_scale=10.0, random_state=0):
    """Corrupt windows the way sensors do: white noise and spiky outlier windows.

    Parameters
    ----------
    X : ndarray of shape (n, c, t)
    snr_db : float or None, default=None
        Add Gaussian noise so that each channel's signal-to-noise ratio is
        ``snr_db`` decibels (signal power: the channel's variance over all windows).
    outlier_fraction : float, default=0.0
        Fraction of windows that get ``spikes_per_window`` spikes of
        ``spike_scale`` channel standard deviations (random sign and channel).
    random_state : int, default=0

    Returns
    -------
    ndarray, float32, same shape as ``X`` (``X`` itself is not modified)

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(100, 3, 50))
    >>> Xn = perturb(X, snr_db=10, random_state=0)
    >>> float(np.round(10 * np.log10(X.var() / (Xn - X).var())))
    10.0
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"perturb takes windows of shape (n, c, t); got {X.shape}.")
    if not 0 <= outlier_fraction <= 1:
        raise ValueError(f"outlier_fraction must be in [0, 1]; got {outlier_fraction}.")
    rng = np.random.default_rng(random_state)
    out = X.copy()
    std = X.transpose(1, 0, 2).reshape(X.shape[1], -1).std(axis=1)
    if snr_db is not None:
        noise_std = std / np.sqrt(10 ** (snr_db / 10))
        out += rng.normal(size=X.shape) * noise_std[None, :, None]
    n_out = int(round(outlier_fraction * X.shape[0]))
    if n_out:
        rows = rng.choice(X.shape[0], n_out, replace=False)
        for r in rows:
            ch = rng.integers(0, X.shape[1], spikes_per_window)
            at = rng.integers(0, X.shape[2], spikes_per_window)
            out[r, ch, at] += rng.choice([-1, 1], spikes_per_window) * spike_scale * std[ch]
    return out.astype(np.float32)


class PeakRSS:
    """Peak resident memory of this process while the block runs (Linux; NaN elsewhere).

    Sampled every 20 ms from /proc/self/statm, so it includes torch, numba and
    BLAS allocations that Python's tracemalloc cannot see.
    """

    def __enter__(self):
        self.peak = self.base = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _rss(self):
        try:
            with open("/proc/self/statm") as fh:
                import os

                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            return float("nan")

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.mb = (self.peak - self.base) / 2**20


def amplitude_spectra(X):
    """Phase-free view of windows: each channel's amplitude spectrum, standardised per channel.

    Windows are standardised per channel (:class:`~deeptda.preprocessing.ChannelScaler`)
    and replaced by ``|rfft|`` with the energy-preserving normalisation (bins
    other than 0 and Nyquist scaled by sqrt(2)), so two windows that differ only
    in phase (a circular shift) coincide, and otherwise their distance is at most
    their Euclidean distance. Trustworthiness against this reference asks
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


def best_time(fn, repeats=3, budget_s=10.0):
    """Best wall time in seconds of up to ``repeats`` calls of ``fn``, stopping once ``budget_s`` is spent.

    The first call of some methods compiles code (umap-learn's ``transform``
    JIT-compiles numba functions), so a single call overstates their cost.

    Examples
    --------
    >>> best_time(lambda: sum(range(10))) < 1.0
    True
    """
    best, spent = float("inf"), 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget_s:
            break
    return best


def procrustes_disparity(Y1, Y2):
    """Procrustes disparity between two embeddings of the same points (0 = same up to similarity).

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.random.default_rng(0).normal(size=(20, 2))
    >>> round(procrustes_disparity(Y, 2 * Y[:, ::-1] + 5), 12)
    0.0
    """
    from scipy.spatial import procrustes

    return float(procrustes(np.asarray(Y1, float), np.asarray(Y2, float))[2])


def compare_methods(X, labels=None, *, methods=METHODS, random_state=0, X_reference=None,
                    metric_kwargs=None, method_params=None, return_models=False):
    """Fit each method on ``X`` and score it.

    Parameters
    ----------
    X : ndarray of shape (n, c, t) or (n, d)
        The input every method sees.
    labels : array-like of shape (n,), default=None
        Clean labels to score against.
    methods : sequence of str, default=("DeepTDA", "t-SNE", "UMAP")
    random_state : int, default=0
    X_reference : ndarray, default=None
        The clean data to score neighbourhoods against (default: ``X``),
        standardised per channel as the methods see it.
    metric_kwargs : dict, default=None
        Passed to :func:`deeptda.metrics.evaluate_embedding`.
    method_params : dict of str to dict, default=None
        Extra parameters per method name.
    return_models : bool, default=False
        Also return the fitted estimators, as a third value.

    Returns
    -------
    embeddings : dict of str to ndarray
    table : DataFrame
        One row per method: every metric, ``fit_s``, ``transform_ms_per_sample``
        (best of up to three calls on at most 500 rows of ``X``)
        and ``peak_mem_mb`` (peak resident memory added during fit).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 3, 16)).astype("float32")
    >>> y = np.repeat([0, 1], 30)
    >>> emb, table = compare_methods(X, y, methods=["UMAP"], metric_kwargs={"ks": (5,), "max_points_1d": 30})
    >>> emb["UMAP"].shape, "knn_accuracy" in table.columns
    ((60, 2), True)
    """
    from .metrics import evaluate_embedding
    from .preprocessing import ChannelScaler

    reference = X if X_reference is None else X_reference
    reference = np.asarray(reference)
    if reference.ndim == 3:
        reference = ChannelScaler().fit_transform(reference).reshape(len(reference), -1)
    embeddings, rows, models = {}, {}, {}
    for name in methods:
        est = make_method(name, random_state, **(method_params or {}).get(name, {}))
        with PeakRSS() as memory:
            t0 = time.perf_counter()
            Y = est.fit_transform(X)
            fit_s = time.perf_counter() - t0
        probe = X[: min(len(X), 500)]
        per_sample = best_time(lambda: est.transform(probe)) / len(probe) * 1e3
        scores = evaluate_embedding(reference, Y, labels, random_state=random_state, **(metric_kwargs or {}))
        rows[name] = {**scores, "fit_s": fit_s, "transform_ms_per_sample": per_sample, "peak_mem_mb": memory.mb}
        embeddings[name] = np.asarray(Y)
        models[name] = est
        logger.info("%s: fit %.1fs", name, fit_s)
    table = pd.DataFrame.from_dict(rows, orient="index")
    return (embeddings, table, models) if return_models else (embeddings, table)
