"""The explore page's data: validation of the inputs and everything computed before
Bokeh draws (times, merged intervals, quantised traces, colour modes, runs, the cluster
table). Pure numpy, tested without a browser; :mod:`deeptda.explorer` builds the page
from it.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_panels",
    "as_windows",
    "as_categories",
    "window_times",
    "typical_step",
    "merge_intervals",
    "selection_summary",
    "quantised_traces",
    "category_palette",
    "cyclic256",
    "viridis256",
    "colour_modes",
    "cluster_runs",
    "cluster_table",
    "NOISE_COLOUR",
    "MAX_PANELS",
]

NOISE_COLOUR = "#b0b0b0"
MAX_PANELS = 4


def as_panels(embedding, n):
    if isinstance(embedding, dict):
        panels = dict(embedding)
    else:
        panels = {"DeepTDA": embedding}
    if not panels:
        raise ValueError("embedding is an empty dict; pass an (n, 2) array or {name: (n, 2) array}.")
    if len(panels) > MAX_PANELS:
        raise ValueError(f"at most {MAX_PANELS} map panels fit on the page; got {len(panels)}.")
    out = {}
    for name, Y in panels.items():
        Y = np.asarray(Y, dtype=np.float64)
        if Y.ndim != 2 or Y.shape[1] != 2:
            raise ValueError(f"embedding {name!r} has shape {Y.shape}; a map needs shape (n_windows, 2).")
        if len(Y) != n:
            raise ValueError(
                f"embedding {name!r} has {len(Y)} rows but X has {n} windows; "
                "pass the embedding of the same windows, in the same order."
            )
        if not np.isfinite(Y).all():
            bad = int((~np.isfinite(Y)).any(axis=1).sum())
            raise ValueError(
                f"embedding {name!r} has NaN or infinite coordinates in {bad} rows; "
                "drop those windows (and their rows in X and the other arrays) first."
            )
        out[str(name)] = Y
    return out


def as_windows(X):
    X = np.asarray(X)
    if X.dtype == object or not np.issubdtype(X.dtype, np.number):
        raise ValueError(f"X must be numeric windows; got dtype {X.dtype}.")
    if X.ndim == 2:  # plain feature rows: shown as a one-channel profile
        X = X[:, None, :]
    if X.ndim != 3:
        raise ValueError(
            f"X has shape {X.shape}; pass windows (n_windows, n_channels, n_timepoints) "
            "or rows (n_samples, n_features)."
        )
    if len(X) == 0:
        raise ValueError("X holds no windows.")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values; fill or drop those windows before exploring them.")
    return X.astype(np.float64, copy=False)


def as_categories(values, name, n):
    """Integer codes and sorted names of a categorical per-window array (None stays None)."""
    if values is None:
        return None
    values = np.asarray(values)
    if values.ndim != 1 or len(values) != n:
        raise ValueError(f"{name} has shape {values.shape}; it needs one value per window ({n}).")
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError(f"{name} contains NaN; give unlabelled windows a name such as 'unknown'.")
    names, codes = np.unique(values.astype(str) if values.dtype == object else values, return_inverse=True)
    return codes.astype(np.int64), [str(v) for v in names]


def window_times(times, ends, n, recordings):
    """(start seconds, end seconds, is_datetime); datetimes become wall-clock seconds since the epoch."""
    import pandas as pd

    def seconds(values, name):
        if values is None:
            return None, None
        if isinstance(values, (pd.Series, pd.Index)):
            values = values.to_numpy()
        values = np.asarray(values)
        if values.ndim != 1 or len(values) != n:
            raise ValueError(f"{name} has shape {values.shape}; it needs one time per window ({n}).")
        if values.dtype.kind in "M" or values.dtype == object:
            try:
                idx = pd.DatetimeIndex(values)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"{name} could not be read as datetimes ({exc}); pass datetimes or numbers of seconds."
                ) from exc
            if idx.tz is not None:
                idx = idx.tz_localize(None)  # wall-clock time where it was recorded
            if idx.isna().any():
                raise ValueError(f"{name} contains missing times (NaT).")
            return idx.as_unit("ns").asi8 / 1e9, True
        if values.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be datetimes or numbers of seconds; got dtype {values.dtype}.")
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            raise ValueError(f"{name} contains NaN or infinite times.")
        return values, False

    start, timed = seconds(times, "times")
    end, end_timed = seconds(ends, "ends")
    if start is None:
        if end is not None:
            raise ValueError("ends needs times (the window starts) too.")
        start = np.arange(n, dtype=np.float64)
        return start, start + 1.0, False
    if end is None:
        end = start + typical_step(start, recordings)
    elif end_timed != timed:
        raise ValueError("times and ends must both be datetimes or both be numbers.")
    if (end < start).any():
        raise ValueError("some windows end before they start; check that ends match times.")
    return start, end, timed


def typical_step(start, recordings):
    """The median positive gap between consecutive window starts of a recording (1 when there is none)."""
    rec = np.zeros(len(start), dtype=np.int64) if recordings is None else recordings
    order = np.lexsort((start, rec))
    s, r = start[order], rec[order]
    gaps = np.diff(s)[(np.diff(r) == 0) & (np.diff(s) > 0)]
    return float(np.median(gaps)) if len(gaps) else 1.0


def merge_intervals(rec, start, end):
    """Bouts of a set of windows: (recording, start, end) of the unions of overlapping or touching windows."""
    if len(start) == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    order = np.lexsort((start, rec))
    rec, start, end = rec[order], start[order], end[order]
    out_r, out_s, out_e = [rec[0]], [start[0]], [end[0]]
    for r, s, e in zip(rec[1:], start[1:], end[1:]):
        if r == out_r[-1] and s <= out_e[-1]:
            out_e[-1] = max(out_e[-1], e)
        else:
            out_r.append(r)
            out_s.append(s)
            out_e.append(e)
    return np.array(out_r), np.array(out_s), np.array(out_e)


def selection_summary(indices, recordings, start, end):
    """Count, total time and bout lengths of a selection of windows, as the page computes them.

    Windows of the same recording that overlap or touch form one bout; the total time
    is the length of the union of the selected windows (overlaps counted once).

    Parameters
    ----------
    indices : array-like of int
        The selected windows.
    recordings : array-like of shape (n,) or None
        Recording of each window (None: one recording).
    start, end : array-like of shape (n,)
        Start and end of each window, in seconds.

    Returns
    -------
    dict
        ``count``, ``total_s``, ``bouts``, ``median_bout_s``, ``longest_bout_s``.

    Examples
    --------
    >>> s = selection_summary([0, 1, 3], None, [0.0, 1.0, 2.0, 6.0], [2.0, 3.0, 4.0, 8.0])
    >>> s["count"], s["total_s"], s["bouts"], s["longest_bout_s"]
    (3, 5.0, 2, 3.0)
    """
    indices = np.asarray(indices, dtype=np.int64)
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    rec = np.zeros(len(start), np.int64) if recordings is None else np.asarray(recordings)
    _, s, e = merge_intervals(rec[indices], start[indices], end[indices])
    lengths = e - s
    return {
        "count": int(len(indices)),
        "total_s": float(lengths.sum()),
        "bouts": int(len(lengths)),
        "median_bout_s": float(np.median(lengths)) if len(lengths) else 0.0,
        "longest_bout_s": float(lengths.max()) if len(lengths) else 0.0,
    }


def quantised_traces(X, max_points, max_bytes):
    """Windows averaged down to <= max_points per channel and stored as int8 per channel range."""
    n, c, length = X.shape
    points = int(max(4, min(length, max_points, max_bytes // max(1, n * c))))
    edges = np.linspace(0, length, points + 1).round().astype(np.int64)
    sums = np.add.reduceat(X, edges[:-1], axis=2)
    small = sums / np.diff(edges)[None, None, :]
    lo = small.min(axis=(0, 2))
    hi = small.max(axis=(0, 2))
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.rint((small - lo[None, :, None]) / span[None, :, None] * 254.0) - 127.0
    centres = (edges[:-1] + edges[1:] - 1) / 2.0 / length  # fraction of the window
    return q.astype(np.int8), lo, span / 254.0, centres


def category_palette(k):
    from bokeh.palettes import Category10_10, Category20_20, Turbo256

    if k <= 10:
        return list(Category10_10[:k])
    if k <= 20:
        return list(Category20_20[:k])
    return [Turbo256[int(i)] for i in np.linspace(0, 255, k)]


def cyclic256():
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["twilight_shifted"]
    return [to_hex(cmap(i / 255.0)) for i in range(256)]


def viridis256():
    from bokeh.palettes import Viridis256

    return list(Viridis256)


def colour_modes(clusters, labels, recs, start, timed, n):
    """Per mode: the float code column and how the page maps it to colours and a legend."""
    modes = {}
    for key, cat in (("cluster", clusters), ("label", labels), ("recording", recs)):
        if cat is None:
            continue
        codes, names = cat
        palette = category_palette(len(names))
        if key == "cluster":  # noise (-1) is grey and listed last
            palette = [NOISE_COLOUR if name == "-1" else col for name, col in zip(names, palette)]
        modes[key] = {
            "values": codes.astype(np.float32),
            "palette": palette,
            "low": -0.5,
            "high": len(names) - 0.5,
            "names": names,
            "kind": "categorical",
        }
    if timed:
        hours = (start % 86400.0) / 3600.0
        modes["time of day"] = {
            "values": hours.astype(np.float32),
            "palette": cyclic256(),
            "low": 0.0,
            "high": 24.0,
            "names": ["00:00", "06:00", "12:00", "18:00", "24:00"],
            "kind": "continuous",
        }
    else:
        rec = np.zeros(n, np.int64) if recs is None else recs[0]
        first = np.full(rec.max() + 1, np.inf)
        np.minimum.at(first, rec, start)
        elapsed = start - first[rec]
        top = float(elapsed.max()) or 1.0
        modes["time"] = {
            "values": elapsed.astype(np.float32),
            "palette": viridis256(),
            "low": 0.0,
            "high": top,
            "names": ["0", f"{top / 2:g}", f"{top:g}"],
            "kind": "continuous",
        }
    return modes


def cluster_runs(codes, rec, start, end):
    """Timeline runs: consecutive windows (by start) of a recording with the same cluster code."""
    order = np.lexsort((start, rec))
    c, r, s, e = codes[order], rec[order], start[order], end[order]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (r[1:] != r[:-1])
    first = np.flatnonzero(new)
    last = np.r_[first[1:] - 1, len(c) - 1]
    run_end = np.maximum.reduceat(e, first)
    return r[first], s[first], np.maximum(run_end, e[last]), c[first]


def cluster_table(codes, names, rec, start, end):
    rows = []
    _, all_start, all_end = merge_intervals(rec, start, end)
    total = float((all_end - all_start).sum()) or 1.0
    for k, name in enumerate(names):
        idx = np.flatnonzero(codes == k)
        summary = selection_summary(idx, rec, start, end)
        rows.append(
            {
                "cluster": name,
                "windows": summary["count"],
                "time_s": round(summary["total_s"], 3),
                "share": round(summary["total_s"] / total, 4),
                "bouts": summary["bouts"],
                "median_bout_s": round(summary["median_bout_s"], 3),
            }
        )
    return rows
