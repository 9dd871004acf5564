"""The sensor fault model of the generalisation suite, and TopoAE's Spheres.

:func:`add_faults` corrupts windows (or feature rows) the way body-worn
sensors fail, all at once and seeded:

* **noise** — Gaussian noise at ``snr_db`` decibels per channel (signal power:
  the channel's variance over all windows);
* **spikes** — single samples (cells of rows) in ``spike_fraction`` of all
  samples jump by ``±spike_sd`` channel standard deviations;
* **corrupted windows** — ``corrupt_fraction`` of the windows are ruined
  whole, each by one of three faults chosen at random: replaced by noise of
  the channel's spread, a dropout (a stretch of 25-75 % of the window read as
  zeros), or saturation (clipped at ±``clip_sd`` of the channel's standard
  deviation around its median: a sensor stuck at its range).

Labels stay those of the clean data: a method is scored on whether it still
places the corrupted data where the clean data belongs.

:func:`make_spheres` is the Spheres set of Topological Autoencoders (Moor et
al., 2020): ten small spheres inside a large one, in 101 dimensions, a test of
whether a map keeps nested structure and density.
"""

from __future__ import annotations

import numpy as np

from ._random import as_generator

__all__ = ["add_faults", "make_spheres", "FAULT_KINDS"]

#: The whole-window faults of :func:`add_faults`, in the order of ``kinds``.
FAULT_KINDS = ("noise", "dropout", "saturation")


def add_faults(
    X,
    *,
    snr_db=10.0,
    spike_fraction=0.005,
    spike_sd=8.0,
    corrupt_fraction=0.05,
    clip_sd=0.5,
    random_state=0,
    return_kinds=False,
):
    """Corrupt windows or rows with the suite's sensor fault model (see the module docstring).

    Parameters
    ----------
    X : array-like of shape (n, c, t) or (n, d)
    snr_db : float or None, default=10.0
        ``None``: no additive noise.
    spike_fraction : float, default=0.005
        Fraction of all samples (cells) hit by a spike.
    spike_sd : float, default=8.0
        Spike height in channel standard deviations (random sign).
    corrupt_fraction : float, default=0.05
        Fraction of windows (rows) ruined whole.
    clip_sd : float, default=0.5
        Saturation level of the ``"saturation"`` fault, in channel standard deviations.
    random_state : int, default=0
    return_kinds : bool, default=False
        Also return, per window, the whole-window fault (``""`` for none).

    Returns
    -------
    ndarray, float32, the shape of ``X`` (``X`` itself is not modified)
    kinds : ndarray of str, shape (n,)
        Only with ``return_kinds=True``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 3, 50))
    >>> Xf, kinds = add_faults(X, random_state=0, return_kinds=True)
    >>> Xf.shape, int((kinds != "").sum())
    ((200, 3, 50), 10)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim not in (2, 3) or X.shape[0] == 0:
        raise ValueError(f"add_faults takes windows (n, c, t) or rows (n, d) with n >= 1; got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("add_faults needs finite input; X holds NaN or infinite values.")
    for name, value in (("spike_fraction", spike_fraction), ("corrupt_fraction", corrupt_fraction)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be in [0, 1]; got {value}.")
    rng = as_generator(random_state)
    W = X if X.ndim == 3 else X[:, :, None]  # rows: every feature is a channel of one timepoint
    n, c, t = W.shape
    flat = W.transpose(1, 0, 2).reshape(c, -1)
    std = flat.std(axis=1)
    std = np.where(std > 0, std, 1.0)
    median = np.median(flat, axis=1)
    out = W.copy()
    if snr_db is not None:
        out += rng.normal(size=W.shape) * (std / np.sqrt(10 ** (snr_db / 10)))[None, :, None]
    hits = rng.random(W.shape) < spike_fraction
    out += hits * rng.choice([-1.0, 1.0], size=W.shape) * spike_sd * std[None, :, None]
    kinds = np.full(n, "", dtype=object)
    rows = rng.choice(n, int(round(corrupt_fraction * n)), replace=False)
    for r in np.sort(rows):
        kind = FAULT_KINDS[rng.integers(len(FAULT_KINDS))]
        kinds[r] = kind
        if kind == "noise":
            out[r] = median[:, None] + rng.normal(size=(c, t)) * std[:, None]
        elif kind == "dropout":
            if t > 1:
                length = max(1, int(round(rng.uniform(0.25, 0.75) * t)))
                start = rng.integers(0, t - length + 1)
                out[r, :, start : start + length] = 0.0
            else:  # rows: a dropout zeroes a random part of the features
                out[r, rng.random(c) < rng.uniform(0.25, 0.75), :] = 0.0
        else:
            lo, hi = (median - clip_sd * std)[:, None], (median + clip_sd * std)[:, None]
            out[r] = np.clip(out[r], lo, hi)
    out = out.reshape(X.shape).astype(np.float32)
    return (out, kinds.astype(str)) if return_kinds else out


def make_spheres(n_samples=1100, n_spheres=10, dim=101, radius=5.0, outer_radius=25.0, outer_share=0.5, random_state=0):
    """Ten small spheres inside a large one (the Spheres set of Topological Autoencoders).

    Points lie on ``n_spheres`` spheres of radius ``radius`` in ``dim``
    dimensions, centred at Gaussian points (standard deviation
    ``radius / sqrt(dim) * 4``), plus ``outer_share`` of the points on an
    enclosing sphere of radius ``outer_radius``. Labels: 0 .. n_spheres - 1 for
    the small spheres, ``n_spheres`` for the large one.

    Returns
    -------
    X : ndarray of shape (n_samples, dim), float32
    y : ndarray of shape (n_samples,), int

    Examples
    --------
    >>> X, y = make_spheres(220, random_state=0)
    >>> X.shape, int(y.max())
    ((220, 101), 10)
    """
    if n_samples < n_spheres + 1 or dim < 2:
        raise ValueError(f"make_spheres needs n_samples >= n_spheres + 1 and dim >= 2; got {n_samples}, {dim}.")
    rng = as_generator(random_state)
    n_outer = int(round(outer_share * n_samples))
    sizes = np.full(n_spheres, (n_samples - n_outer) // n_spheres)
    sizes[: (n_samples - n_outer) - sizes.sum()] += 1
    centres = rng.normal(scale=4 * radius / np.sqrt(dim), size=(n_spheres, dim))

    def on_sphere(m, r):
        v = rng.normal(size=(m, dim))
        return r * v / np.linalg.norm(v, axis=1, keepdims=True)

    X = np.concatenate([c + on_sphere(m, radius) for c, m in zip(centres, sizes)] + [on_sphere(n_outer, outer_radius)])
    y = np.concatenate([np.full(m, i) for i, m in enumerate(sizes)] + [np.full(n_outer, n_spheres)])
    return X.astype(np.float32), y
