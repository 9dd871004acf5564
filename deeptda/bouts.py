"""Window clusters back on the stream: bouts, per-sample labels, time budgets, names, medoids.

* :func:`clusters_to_bouts`, :func:`clusters_to_samples`, :func:`time_budget` —
  window clusters as bouts on the timeline.
* :func:`name_clusters` — names for clusters from a few labelled windows;
  :func:`bout_labels` — those windows' names from a table of labelled bouts.
* :func:`representative_windows` — the medoid window of each cluster.
* :func:`alternation_counts`, :func:`alternation_merges` — how often clusters follow each
  other in time, and the merges of :class:`~deeptda.PersistenceClustering` that join
  clusters alternating within the same bouts (:mod:`deeptda.cluster` re-exports the first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._random import as_generator

__all__ = ["clusters_to_bouts", "clusters_to_samples", "time_budget", "representative_windows"]
__all__ += ["name_clusters", "bout_labels"]


def name_clusters(labels, known):
    """Names for cluster ids from a few labelled windows: the majority name in each cluster.

    Parameters
    ----------
    labels : array-like of shape (n_windows,)
        Cluster ids (``labels_`` or ``predict``); -1 (noise) is never named.
    known : array-like of shape (n_windows,)
        A behaviour name for each labelled window, and ``None`` or NaN (or an
        empty string) for the others.

    Returns
    -------
    dict
        ``{cluster: name}`` for every cluster id, sorted; ``name`` is the most
        frequent name among the cluster's labelled windows (ties to the name
        that sorts first), or ``None`` when none of its windows is labelled.
        Two clusters may get the same name (one behaviour in two clusters).

    Examples
    --------
    >>> name_clusters([0, 0, 1, 1, 2], ["lying", None, "walking", "walking", None])
    {0: 'lying', 1: 'walking', 2: None}
    """
    labels = np.asarray(labels)
    known = np.asarray(known, dtype=object)
    if labels.shape[0] != known.shape[0]:
        raise ValueError(
            f"labels has {labels.shape[0]} entries but known has {known.shape[0]}; give one name (or None) per window."
        )
    present = np.array([k is not None and k == k and k != "" for k in known], dtype=bool)  # k == k: not NaN
    names = {}
    for cluster in np.unique(labels):
        if cluster == -1:
            continue
        mine = known[(labels == cluster) & present]
        key = cluster.item() if hasattr(cluster, "item") else cluster
        if len(mine) == 0:
            names[key] = None
            continue
        values, counts = np.unique(mine.astype(str), return_counts=True)
        names[key] = str(values[int(np.argmax(counts))])
    return names


def bout_labels(bouts, start, end, *, source="bouts"):
    """One name per window from a table of labelled bouts (``start``, ``end``, ``label``); None elsewhere.

    A window takes the label of the bout that holds its midpoint. Times are read
    like the recording's: datetimes (compared in UTC when zone-aware), or numbers
    in the unit of the windows' start and end. The result is ``known`` for
    :func:`name_clusters`.

    Parameters
    ----------
    bouts : DataFrame
        Columns ``start``, ``end`` and ``label``, one row per labelled bout.
    start, end : array-like of shape (n_windows,)
        The windows' start and end (``Windows.start``, ``Windows.end``).
    source : str, default="bouts"
        What ``bouts`` is called in error messages (a file name).

    Returns
    -------
    ndarray of object, shape (n_windows,)

    Examples
    --------
    >>> table = pd.DataFrame({"start": [0.0, 10.0], "end": [4.0, 20.0], "label": ["lying", "walking"]})
    >>> bout_labels(table, np.array([0.0, 5.0, 12.0]), np.array([2.0, 7.0, 14.0])).tolist()
    ['lying', None, 'walking']
    """
    from .timestamps import parse_timestamps

    missing = [c for c in ("start", "end", "label") if c not in bouts.columns]
    if missing:
        raise ValueError(f"{source} needs the columns start, end and label; it lacks {missing}.")

    def seconds(values, name):  # float seconds (since the epoch for datetimes), and whether datetimes
        if not isinstance(values, pd.DatetimeIndex):
            values = parse_timestamps(values, name=name)
        if isinstance(values, pd.DatetimeIndex):
            if values.tz is not None:
                values = values.tz_convert("UTC").tz_localize(None)
            return values.as_unit("ns").asi8 / 1e9, True
        return np.asarray(values, dtype=np.float64), False

    win_start, timed = seconds(start, "window start")
    win_end, _ = seconds(end, "window end")
    b_start, b_timed = seconds(bouts["start"], f"{source}: start")
    b_end, _ = seconds(bouts["end"], f"{source}: end")
    if timed != b_timed:
        raise ValueError(
            f"{source} gives bout times as {'datetimes' if b_timed else 'numbers'} but the windows have "
            f"{'datetimes' if timed else 'sample indices'}; use the same kind (--timestamp for datetimes)."
        )
    middle = (win_start + win_end) / 2
    known = np.full(len(middle), None, dtype=object)
    for s, e, label in zip(b_start, b_end, bouts["label"].to_numpy()):
        known[(middle >= s) & (middle <= e)] = label
    if not any(k is not None for k in known):
        raise ValueError(f"no window falls inside a bout of {source}; check its times against the recording's.")
    return known


def _as_time(values):
    """Times as numpy values: (values, is_datetime, zone); zone-aware times become naive UTC."""
    tz = getattr(values, "tz", None) or getattr(getattr(values, "dt", None), "tz", None)
    if tz is not None:
        values = pd.DatetimeIndex(values).tz_convert("UTC").tz_localize(None)
    values = np.asarray(values)
    return values, np.issubdtype(values.dtype, np.datetime64), tz


def _duration(a, b, is_time):
    d = b - a
    return d / np.timedelta64(1, "s") if is_time else d.astype(float)


def clusters_to_bouts(labels, start, end, *, min_duration=None):
    """Merge consecutive windows of the same cluster into bouts.

    Windows are in time order. Where windows overlap, the boundary between two
    bouts is the middle of the overlap; a gap between windows (``start[i+1] >
    end[i]``) ends a bout, and so does a backward jump of the clock (local
    time across a daylight-saving change). Zone-aware times come back in
    their zone. With ``min_duration``, the shortest bout below it is
    merged into its longer neighbour, repeatedly, until none is left (bouts at
    gaps keep their edges).

    Parameters
    ----------
    labels : array-like of shape (n_windows,)
    start, end : array-like of shape (n_windows,)
        Window times (datetime64, or numbers of seconds / samples).
    min_duration : float or str or Timedelta, default=None
        In seconds (or a duration string) for datetimes, in the unit of
        ``start`` otherwise.

    Returns
    -------
    DataFrame
        Columns ``start, end, duration, cluster`` (``duration`` in seconds for
        datetimes), one row per bout.

    Examples
    --------
    >>> clusters_to_bouts([0, 0, 1, 1, 1], [0, 2, 4, 6, 8], [3, 5, 7, 9, 11])
       start  end  duration  cluster
    0    0.0  4.5       4.5        0
    1    4.5 11.0       6.5        1
    """
    labels = np.asarray(labels)
    start, is_time, tz = _as_time(start)
    end, _, _ = _as_time(end)
    n = len(labels)
    if n == 0:
        raise ValueError("no windows: labels is empty.")
    if not (len(start) == len(end) == n):
        raise ValueError(f"labels, start and end must have the same length; got {n}, {len(start)}, {len(end)}.")
    if not is_time:
        start, end = start.astype(float), end.astype(float)
    backward = start[1:] < start[:-1]
    if backward.sum() > max(1, min(100, 0.01 * (n - 1))):
        raise ValueError("windows must be in time order (start increasing); sort them by start time.")
    # boundaries between consecutive windows
    bouts = []
    b_start = start[0]
    for i in range(n - 1):
        gap = start[i + 1] > end[i] or backward[i]
        if labels[i + 1] != labels[i] or gap:
            cut = end[i] if gap else start[i + 1] + (end[i] - start[i + 1]) / 2
            bouts.append([b_start, cut, labels[i], gap])
            b_start = start[i + 1] if gap else cut
    bouts.append([b_start, end[-1], labels[-1], True])
    if min_duration is not None:
        limit = pd.Timedelta(min_duration).total_seconds() if isinstance(min_duration, str) else float(min_duration)
        bouts = _smooth(bouts, limit, is_time)
    frame = pd.DataFrame([b[:3] for b in bouts], columns=["start", "end", "cluster"])
    frame.insert(2, "duration", _duration(frame["start"].to_numpy(), frame["end"].to_numpy(), is_time))
    if tz is not None:
        for column in ("start", "end"):
            frame[column] = frame[column].dt.tz_localize("UTC").dt.tz_convert(tz)
    return frame


def _smooth(bouts, limit, is_time):
    """Merge the shortest too-short bout into its longer neighbour until none is left.

    A bout is ``[start, end, label, ends_at_gap]``; bouts are never merged across a gap.
    """
    bouts = [list(b) for b in bouts]
    while len(bouts) > 1:
        durations = [_duration(b[0], b[1], is_time) for b in bouts]

        def neighbours(i):
            left = i - 1 if i > 0 and not bouts[i - 1][3] else None
            right = i + 1 if i + 1 < len(bouts) and not bouts[i][3] else None
            return left, right

        short = [i for i, d in enumerate(durations) if d < limit and neighbours(i) != (None, None)]
        if not short:
            break
        i = min(short, key=lambda j: (durations[j], j))
        left, right = neighbours(i)
        if left is None or (right is not None and durations[right] > durations[left]):
            bouts[right][0] = bouts[i][0]
        else:
            bouts[left][1], bouts[left][3] = bouts[i][1], bouts[i][3]
        del bouts[i]
        merged = [bouts[0]]
        for bout in bouts[1:]:
            prev = merged[-1]
            if bout[2] == prev[2] and not prev[3]:
                prev[1], prev[3] = bout[1], bout[3]
            else:
                merged.append(bout)
        bouts = merged
    return bouts


def clusters_to_samples(labels, start_index, window_length, n_samples, fill=-1):
    """One cluster per stream sample: the majority of the windows covering it.

    Samples no window covers get ``fill``. Ties go to the label that sorts first.

    Examples
    --------
    >>> clusters_to_samples([0, 1], [0, 2], 4, 7).tolist()
    [0, 0, 0, 0, 1, 1, -1]
    """
    labels = np.asarray(labels)
    classes, codes = np.unique(labels, return_inverse=True)
    counts = np.zeros((n_samples + 1, len(classes)), dtype=np.int64)
    start_index = np.asarray(start_index, dtype=np.int64)
    stop = np.minimum(start_index + window_length, n_samples)
    np.add.at(counts, (start_index, codes), 1)
    np.add.at(counts, (stop, codes), -1)
    cover = np.cumsum(counts, axis=0)[:n_samples]
    out = classes[np.argmax(cover, axis=1)].astype(object)
    out[cover.sum(axis=1) == 0] = fill
    try:
        return out.astype(labels.dtype) if np.issubdtype(labels.dtype, np.number) else out
    except (TypeError, ValueError):
        return out


def time_budget(bouts, *, by_day=False):
    """Time spent per cluster (and per day).

    Parameters
    ----------
    bouts : DataFrame
        From :func:`clusters_to_bouts`.
    by_day : bool, default=False
        Split by the calendar day of each bout's start (datetime bouts only).

    Returns
    -------
    DataFrame
        ``duration`` (seconds) and ``fraction`` per cluster (per day).

    Examples
    --------
    >>> b = clusters_to_bouts([0, 0, 1], [0, 2, 4], [3, 5, 7])
    >>> time_budget(b)["fraction"].round(3).tolist()
    [0.643, 0.357]
    """
    if bouts.empty:
        raise ValueError("bouts is empty.")
    keys = ["cluster"]
    frame = bouts.copy()
    if by_day:
        if not np.issubdtype(frame["start"].dtype, np.datetime64):
            raise ValueError("by_day needs datetime bouts.")
        frame["day"] = frame["start"].dt.date
        keys = ["day", "cluster"]
    budget = frame.groupby(keys)["duration"].sum().to_frame()
    total = budget.groupby(level=0)["duration"].transform("sum") if by_day else budget["duration"].sum()
    budget["fraction"] = budget["duration"] / total
    return budget


def representative_windows(Z, labels, X, *, max_points=1000, random_state=None):
    """The medoid window of each cluster (in the space ``Z``), with its raw channels.

    Parameters
    ----------
    Z : array-like of shape (n, d)
        Representation or embedding used to find medoids.
    labels : array-like of shape (n,)
        Noise (-1) is skipped.
    X : array-like of shape (n, c, t)
        The windows to return.
    max_points : int, default=1000
        Medoids of larger clusters are searched in a random subsample of this size.
    random_state : None, int, RandomState or Generator, default=None
        Seeds that subsample (smaller clusters are searched whole: no randomness).

    Returns
    -------
    dict
        ``{label: (index, window)}`` sorted by label.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    >>> sorted((k, i) for k, (i, _) in representative_windows(Z, [0, 0, 0, 1, 1], Z[:, :, None]).items())
    [(0, 1), (1, 3)]
    """
    from scipy.spatial.distance import cdist

    Z, labels, X = np.asarray(Z, dtype=float), np.asarray(labels), np.asarray(X)
    if not (len(Z) == len(labels) == len(X)):
        raise ValueError("Z, labels and X must have the same number of rows.")
    rng = as_generator(random_state)
    out = {}
    for label in np.unique(labels):
        if label == -1:
            continue
        idx = np.flatnonzero(labels == label)
        if len(idx) > max_points:
            idx = np.sort(rng.choice(idx, max_points, replace=False))
        best = idx[int(np.argmin(cdist(Z[idx], Z[idx]).sum(axis=1)))]
        out[label.item() if hasattr(label, "item") else label] = (int(best), X[best])
    return out


def alternation_counts(labels, sequence, n_clusters):
    """Time-adjacent window pairs per pair of clusters, and cluster sizes: ``(joins, sizes)``.

    ``joins[a, b]`` (symmetric) counts the consecutive rows with the same
    ``sequence`` id whose clusters are ``a`` and ``b`` (in either order; -1 rows
    are left out); ``sizes[c]`` counts the rows of cluster ``c``. Over a stream
    read in chunks the ``joins`` of the chunks add up when each chunk is
    preceded by the last row of the one before, and the ``sizes`` when each
    chunk is counted alone. :meth:`PersistenceClustering.merge_by_time` takes the
    sums.

    Examples
    --------
    >>> joins, sizes = alternation_counts(np.array([0, 1, 0, 2]), np.array([0, 0, 0, 1]), 3)
    >>> joins.tolist(), sizes.tolist()
    ([[0.0, 2.0, 0.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [2.0, 1.0, 1.0])
    """
    labels, sequence = np.asarray(labels, dtype=np.int64), np.asarray(sequence)
    joins = np.zeros((n_clusters, n_clusters))
    adjacent = (sequence[1:] == sequence[:-1]) & (labels[1:] >= 0) & (labels[:-1] >= 0)
    np.add.at(joins, (labels[:-1][adjacent], labels[1:][adjacent]), 1.0)
    joins = joins + joins.T
    np.fill_diagonal(joins, np.diag(joins) / 2)
    sizes = np.bincount(labels[labels >= 0], minlength=n_clusters).astype(np.float64)
    return joins, sizes


def alternation_merges(joins, sizes, threshold):
    """``parent[c]``: the cluster that ``c`` is merged into by time alternation (``c`` if none).

    ``joins[a, b]`` counts the time-adjacent windows whose clusters are ``a`` and
    ``b`` (:func:`alternation_counts`); the pair's alternation is
    ``joins[a, b] / (2 n_a n_b / (n_a + n_b))``. The pair with the highest
    alternation above ``threshold`` merges (into the lower id: its counts and
    size absorb the other's) and the scores are recomputed, until no pair is
    above it.
    """
    joins, size = np.array(joins, dtype=np.float64), np.array(sizes, dtype=np.float64)
    n_ids = len(size)
    parent = np.arange(n_ids)
    while (size > 0).sum() >= 2:
        expected = 2.0 * np.outer(size, size) / np.maximum(size[:, None] + size[None, :], 1.0)
        score = np.divide(joins, expected, out=np.zeros_like(joins), where=expected > 0)
        np.fill_diagonal(score, 0.0)
        a, b = np.unravel_index(np.argmax(score), score.shape)  # first maximum: deterministic
        if score[a, b] <= threshold:
            break
        keep, drop = min(a, b), max(a, b)
        joins[keep] += joins[drop]
        joins[:, keep] += joins[:, drop]
        joins[drop], joins[:, drop] = 0.0, 0.0
        size[keep] += size[drop]
        size[drop] = 0.0
        parent[parent == drop] = keep
    return parent
