"""matplotlib figures, one convention: a single-panel function takes ``ax=None``
(keyword) and returns that Axes; a multi-panel function takes ``fig=None`` (a
Figure or SubFigure to draw into) and returns it, its panels in ``fig.axes``.
``None`` makes a new one; nothing calls ``plt.show()``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = [
    "label_colours",
    "plot_embeddings",
    "plot_persistence_diagram",
    "plot_timeline",
    "plot_history",
    "plot_representatives",
]


def label_colours(labels):
    """A fixed colour per label (sorted order, tab10/tab20), shared across panels.

    Examples
    --------
    >>> [str(label) for label in label_colours(["walk", "rest", "walk"])]
    ['rest', 'walk']
    """
    import matplotlib.pyplot as plt

    labels = _missing_as_none(labels)
    known = ~pd.isna(labels) if labels.dtype == object else None
    classes = list(np.unique(labels if known is None else labels[known]))
    cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
    colours = {c: cmap(i % cmap.N) for i, c in enumerate(classes)}
    if known is not None and not known.all():
        colours[None] = (0.6, 0.6, 0.6, 1.0)  # unlabelled samples: grey, last
    return colours


def _missing_as_none(labels):
    """``labels`` as an array; where some are missing (None or NaN), an object array with None there."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "Of" and pd.isna(labels).any():
        return np.where(pd.isna(labels), None, labels).astype(object)
    return labels


def plot_embeddings(embeddings, labels=None, *, fig=None, s=4.0, alpha=0.8, titles=None):
    """Embeddings side by side, with the same colours per label and one legend.

    Parameters
    ----------
    embeddings : dict of str to array-like of shape (n, 2)
    labels : array-like of shape (n,), default=None
    fig : matplotlib Figure, default=None
    s, alpha : float
        Marker size and opacity.
    titles : dict of str to str, default=None
        Panel titles (default: the dict keys).

    Returns
    -------
    matplotlib Figure (or the SubFigure given)
        One panel per embedding, in ``fig.axes``; the legend (if labels) is the figure's.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_embeddings({"a": np.zeros((5, 2)), "b": np.ones((5, 2))}, labels=[0, 0, 1, 1, 1])
    >>> len(fig.axes), len(fig.axes[0].collections)
    (2, 2)
    """
    import matplotlib.pyplot as plt

    if not embeddings:
        raise ValueError("embeddings is empty; pass {'name': Y, ...}.")
    names = list(embeddings)
    if fig is None:
        fig = plt.figure(figsize=(4.2 * len(names) + 1.5, 4.2))
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    colours = label_colours(labels) if labels is not None else None
    for ax, name in zip(axes, names):
        Y = np.asarray(embeddings[name])
        if Y.ndim != 2 or Y.shape[1] < 2:
            raise ValueError(f"embedding {name!r} must have shape (n, 2); got {Y.shape}.")
        hidden = int((~np.isfinite(np.asarray(Y[:, :2], dtype=float)).all(axis=1)).sum())
        if hidden:
            warnings.warn(
                f"embedding {name!r} has {hidden} points with NaN or infinite coordinates; they are not drawn.",
                stacklevel=2,
            )
        if colours is None:
            ax.scatter(Y[:, 0], Y[:, 1], s=s, alpha=alpha, lw=0)
        else:
            lab = _missing_as_none(labels)
            if lab.shape[0] != Y.shape[0]:
                raise ValueError(f"labels has {lab.shape[0]} entries but {name!r} has {Y.shape[0]} points.")
            for c, colour in colours.items():
                m = pd.isna(lab) if c is None else lab == c
                ax.scatter(
                    Y[m, 0], Y[m, 1], s=s, alpha=alpha, lw=0, color=colour, label="unlabelled" if c is None else str(c)
                )
        ax.set_title((titles or {}).get(name, name))
        ax.set_xticks([])
        ax.set_yticks([])
    if colours is not None:
        handles, texts = axes[0].get_legend_handles_labels()
        fig.legend(handles, texts, loc="center right", markerscale=3 / max(s, 1) * 3, frameon=False)
        fig.subplots_adjust(right=0.86)
    return fig


def plot_persistence_diagram(diagrams, *, ax=None, title=None):
    """Persistence diagram: one colour per homology dimension, and the diagonal.

    Parameters
    ----------
    diagrams : list of array-like of shape (n_k, 2)
        As returned by :func:`deeptda.topology.persistence_diagram`.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_persistence_diagram([np.array([[0, 1.0], [0, 2.0]]), np.array([[0.5, 1.5]])])
    >>> sum(len(c.get_offsets()) for c in ax.collections)
    3
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    diagrams = [np.asarray(d, dtype=float).reshape(-1, 2) for d in diagrams]
    finite = np.concatenate([d[np.isfinite(d)] for d in diagrams] + [np.zeros(1)])
    top = float(finite.max()) * 1.05 or 1.0
    infinite = any(np.isinf(d[:, 1]).any() for d in diagrams)
    for dim, d in enumerate(diagrams):
        if len(d):  # a class that never dies is drawn on the line at the top
            ax.scatter(d[:, 0], np.where(np.isinf(d[:, 1]), top * 1.1, d[:, 1]), s=12, label=f"H{dim}")
    ax.plot([0, top], [0, top], color="0.6", lw=1)
    if infinite:
        ax.axhline(top * 1.1, color="0.6", lw=1, ls="--", label="∞")
    ax.set_xlabel("birth")
    ax.set_ylabel("death")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    return ax


def plot_timeline(signal, labels, *, times=None, channels=None, fig=None, title=None):
    """Labels (behaviours or clusters) over time under the raw signal.

    Parameters
    ----------
    signal : DataFrame or array-like of shape (n_timepoints, n_channels)
    labels : array-like of shape (n_timepoints,)
        One label per sample (use :func:`deeptda.bouts.clusters_to_samples`
        for window clusters).
    times : array-like, default=None
        Sample times; the DataFrame's index, or sample numbers, by default.
    channels : list, default=None

    Returns
    -------
    matplotlib Figure (or the SubFigure given)
        ``fig.axes``: the signal panel, then the label panel.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_timeline(np.random.default_rng(0).normal(size=(100, 3)), [0] * 60 + [1] * 40)
    >>> sig, lab = fig.axes
    >>> len(sig.get_lines()), len(lab.collections[0].get_offsets())
    (3, 100)
    """
    import matplotlib.pyplot as plt

    if isinstance(signal, pd.DataFrame):
        from .windows import numeric_channels

        cols = channels or numeric_channels(signal)
        values = signal[cols].to_numpy(dtype=float)
        times = signal.index.to_numpy() if times is None else np.asarray(times)
    else:
        values = np.asarray(signal, dtype=float)
        values = values[:, None] if values.ndim == 1 else values
        cols = channels or [str(i) for i in range(values.shape[1])]
        times = np.arange(len(values)) if times is None else np.asarray(times)
    labels = _missing_as_none(labels)
    if labels.shape[0] != values.shape[0]:
        raise ValueError(f"labels has {labels.shape[0]} entries but the signal has {values.shape[0]} samples.")
    if fig is None:
        fig = plt.figure(figsize=(12, 4))
    ax_sig, ax_lab = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    for i, c in enumerate(cols):
        ax_sig.plot(times, values[:, i], lw=0.5, label=str(c))
    ax_sig.legend(loc="upper right", fontsize="small")
    ax_sig.set_ylabel("signal")
    colours = label_colours(labels)
    codes = {c: i for i, c in enumerate(colours)}
    ax_lab.scatter(times, [codes[v] for v in labels], c=[colours[v] for v in labels], s=2, marker="s")
    ax_lab.set_yticks(range(len(codes)), ["unlabelled" if c is None else str(c) for c in codes])
    ax_lab.set_ylabel("label")
    if title:
        ax_sig.set_title(title)
    return fig


def plot_history(history, *, ax=None):
    """Loss components per epoch of each training stage.

    Parameters
    ----------
    history : list of dict
        ``DeepTDA.history_``.

    Returns
    -------
    matplotlib Axes
        One line per (stage, component).

    Examples
    --------
    >>> history = [{"stage": "encoder", "epoch": 0, "contrastive": 2.0},
    ...            {"stage": "encoder", "epoch": 1, "contrastive": 1.5},
    ...            {"stage": "map", "epoch": 0, "attraction": 0.9, "repulsion": 0.4}]
    >>> len(plot_history(history).get_lines())
    3
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    frame = pd.DataFrame(history)
    if frame.empty:
        raise ValueError("history is empty.")
    offset = 0
    for stage, part in frame.groupby("stage", sort=False):
        x = offset + part["epoch"].to_numpy()
        for col in part.columns.drop(["stage", "epoch"]):
            if part[col].notna().any():
                ax.plot(x, part[col].to_numpy(), label=f"{stage}: {col}")
        offset = x.max() + 1
    ax.set_xlabel("epoch (encoder, then map)")
    ax.set_ylabel("loss")
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.legend(fontsize="small")
    return ax


def plot_representatives(windows, channels=None, *, fig=None):
    """Raw channels of one representative window per cluster.

    Parameters
    ----------
    windows : dict of label to window, or to ``(index, window)``
        A window is array-like of shape (n_channels, n_timepoints); the
        ``(index, window)`` pairs of :func:`deeptda.bouts.representative_windows`
        are taken as they are.

    Returns
    -------
    matplotlib Figure (or the SubFigure given)
        One panel per label, in ``fig.axes``.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_representatives({"rest": np.zeros((3, 20)), "walk": (7, np.ones((3, 20)))}, channels="xyz")
    >>> [ax.get_title() for ax in fig.axes]
    ['rest', 'walk']
    """
    import matplotlib.pyplot as plt

    if not windows:
        raise ValueError("windows is empty.")
    if fig is None:
        fig = plt.figure(figsize=(2.6 * len(windows), 2.6))
    axes = fig.subplots(1, len(windows), squeeze=False, sharey=True)[0]
    for ax, (label, w) in zip(axes, windows.items()):
        if isinstance(w, tuple) and len(w) == 2 and np.ndim(w[0]) == 0:
            w = w[1]  # (index, window) from representative_windows
        w = np.asarray(w)
        if w.ndim != 2:
            raise ValueError(f"the window of {label!r} must have shape (n_channels, n_timepoints); got {w.shape}.")
        for i, row in enumerate(w):
            ax.plot(row, lw=0.8, label=None if channels is None else str(channels[i]))
        ax.set_title(str(label))
    if channels is not None:
        axes[0].legend(fontsize="small")
    return fig
