"""Sliding windows over continuous sensor streams.

A stream is ``(n_timepoints, n_channels)``: a numpy array, or a pandas DataFrame
with a ``DatetimeIndex`` or a named timestamp column. Windows come out as
``(n_windows, n_channels, window_length)`` float32, the layout that
:class:`deeptda.DeepTDA` takes.
"""

from __future__ import annotations

import logging
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .timestamps import check_regular, parse_timestamps, sampling_interval, time_axis

logger = logging.getLogger(__name__)

__all__ = ["Windows", "sliding_windows", "SlidingWindow", "window_labels", "to_samples", "numeric_channels"]

_LABEL_POLICIES = ("majority", "last")
_PARTIAL_POLICIES = ("drop", "pad")


class Windows(NamedTuple):
    """Windows cut from a stream.

    Attributes
    ----------
    X : ndarray of shape (n_windows, n_channels, window_length), float32
    start, end : ndarray or DatetimeIndex of shape (n_windows,)
        Time of each window's first and last sample: ``datetime64`` for
        timestamped data (a zone-aware ``DatetimeIndex`` in the input's zone
        for zone-aware input), the sample index otherwise.
    start_index : ndarray of shape (n_windows,), int64
        Row of the stream where each window starts.
    y : ndarray of shape (n_windows,) or None
        One label per window when per-sample labels were given.
    n_dropped : int
        Windows dropped because they would span a gap in the timestamps.
    channels : list of str
        Channel names (column names, or ``"0", "1", ...`` for arrays).
    window_length : int
        Samples per window.
    stride : int
        Samples between window starts.

    Examples
    --------
    >>> import numpy as np
    >>> w = sliding_windows(np.arange(6.0), window=3, labels=list("aabbbb"))
    >>> w.y.tolist(), w.n_dropped
    (['a', 'b'], 0)
    """

    X: np.ndarray
    start: np.ndarray
    end: np.ndarray
    start_index: np.ndarray
    y: np.ndarray | None
    n_dropped: int
    channels: list
    window_length: int
    stride: int

    @property
    def sequence(self):
        """Run ids, shape (n_windows,), int64: consecutive windows with the same id follow each
        other in the stream; a new id starts where they are not ``stride`` rows apart or where
        their start times are more than 1.5 times the median step apart (a gap in the
        timestamps). Pass it as ``sequence`` to :meth:`deeptda.PersistenceClustering.fit`."""
        rows = np.asarray(self.start_index, dtype=np.int64)
        if rows.size == 0:
            return np.zeros(0, dtype=np.int64)
        times = self.start
        if isinstance(times, pd.DatetimeIndex) or np.issubdtype(np.asarray(times).dtype, np.datetime64):
            times = pd.DatetimeIndex(times).asi8
        step = np.diff(np.asarray(times, dtype=np.float64))
        jump = step > 1.5 * np.median(step) if step.size else np.zeros(0, dtype=bool)
        return np.r_[0, np.cumsum((np.diff(rows) != self.stride) | jump)].astype(np.int64)


def numeric_channels(frame, exclude=()):
    """The columns of ``frame`` that are sensor channels by default: numeric, not boolean, not excluded.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_channels(pd.DataFrame({"t": [0.0], "x": [1.0], "ok": [True], "name": ["a"]}), exclude=["t"])
    ['x']
    """
    return [
        c
        for c in frame.columns
        if c not in set(exclude)
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]


class _Stream(NamedTuple):
    values: np.ndarray  # (T, C) float64
    times: np.ndarray | None  # (T,) datetime64[ns] (UTC for zone-aware input) or float seconds, or None
    seconds: np.ndarray | None  # (T,) float seconds since the first sample
    channels: list
    labels: np.ndarray | None
    tz: object = None  # the input's time zone, or None for naive times
    breaks: np.ndarray | None = None  # (T-1,) bool: steps no window may span (backward jumps)


def _parse_stream(data, *, timestamp=None, channels=None, labels=None) -> _Stream:
    """Validate a stream and split it into values, timestamps and labels."""
    times = None
    label_values = None
    if isinstance(data, pd.DataFrame):
        frame = data
        if timestamp is not None:
            if timestamp not in frame.columns:
                raise ValueError(
                    f"timestamp column {timestamp!r} is not in the DataFrame; columns are {list(frame.columns)}."
                )
            times = frame[timestamp]
        elif isinstance(frame.index, pd.DatetimeIndex):
            times = frame.index
        if isinstance(labels, str):
            if labels not in frame.columns:
                raise ValueError(f"label column {labels!r} is not in the DataFrame.")
            label_values = frame[labels].to_numpy()
        if channels is None:
            channels = numeric_channels(frame, exclude=[timestamp, labels if isinstance(labels, str) else None])
        else:
            missing = [c for c in channels if c not in frame.columns]
            if missing:
                raise ValueError(f"channels {missing} are not in the DataFrame.")
        if not channels:
            raise ValueError("the DataFrame has no numeric channel columns; pass channels=[...] (--channels).")
        try:
            values = frame[list(channels)].to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"channels {list(channels)} must be numeric: {exc}") from None
        channel_names = [str(c) for c in channels]
    else:
        import scipy.sparse

        if scipy.sparse.issparse(data):
            raise TypeError(
                "sparse input is not supported: a stream is dense (n_timepoints, n_channels); "
                "convert it with .toarray()."
            )
        if np.iscomplexobj(data):
            raise ValueError(
                "Complex data not supported: a stream holds real sensor values; pass the "
                "magnitude (np.abs) or the real and imaginary parts as separate channels."
            )
        try:
            values = np.asarray(data, dtype=np.float64)
        except TypeError as exc:
            raise TypeError(f"the stream must be numeric: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"the stream must be numeric: {exc}") from None
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            raise ValueError(
                f"a stream must be 2-D (n_timepoints, n_channels); got an array of shape "
                f"{values.shape}. Windows of shape (n_windows, n_channels, length) are "
                "already windowed: pass them to DeepTDA directly."
            )
        if channels is not None:
            try:
                values = values[:, list(channels)]
            except IndexError:
                raise ValueError(
                    f"channels {list(channels)} are not all column indices of a stream with {values.shape[1]} channels."
                ) from None
            channel_names = [str(c) for c in channels]
        else:
            channel_names = [str(i) for i in range(values.shape[1])]
        if timestamp is not None:
            times = timestamp if isinstance(timestamp, (pd.Series, pd.Index)) else np.asarray(timestamp)
            if times.shape != (values.shape[0],):
                raise ValueError(
                    f"timestamp has shape {times.shape}; expected ({values.shape[0]},), one time per row of the stream."
                )
    if labels is not None and label_values is None:
        label_values = np.asarray(labels)
    if label_values is not None and label_values.shape[0] != values.shape[0]:
        raise ValueError(
            f"labels has {label_values.shape[0]} entries but the stream has "
            f"{values.shape[0]} samples; give one label per sample."
        )
    if values.shape[0] == 0:
        raise ValueError("the stream is empty.")
    if values.shape[1] == 0:
        raise ValueError(
            f"the stream has no channels: found array with 0 feature(s) (shape={values.shape}) while a "
            "minimum of 1 is required; give at least one column of sensor values."
        )
    if not np.isfinite(values).all():
        bad = int((~np.isfinite(values)).any(axis=1).sum())
        raise ValueError(
            f"the stream holds NaN or infinite values in {bad} samples; fill or drop "
            "them first (e.g. DataFrame.interpolate() or dropna(); a dropped run of "
            "samples becomes a gap that windows will not span)."
        )
    seconds = tz = breaks = None
    if times is not None:
        times, seconds, tz, breaks = time_axis(parse_timestamps(times))
    return _Stream(values, times, seconds, channel_names, label_values, tz, breaks)


def to_samples(value, name, seconds):
    """A window or stride as a sample count: ints pass, durations use the sampling interval."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number of samples or a duration, got {value!r}.")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) or isinstance(value, (pd.Timedelta, np.timedelta64)):
        try:
            duration = pd.Timedelta(value).total_seconds()
        except (ValueError, TypeError):
            raise ValueError(f"{name}={value!r} is neither a sample count nor a duration like '2.56s'.") from None
        if seconds is None:
            raise ValueError(
                f"{name}={value!r} is a duration, but the stream has no timestamps; give a "
                "DataFrame with a DatetimeIndex (or timestamp=column), or a sample count."
            )
        if len(seconds) < 2:
            raise ValueError("a duration needs at least two timestamped samples.")
        dt = sampling_interval(seconds)
        samples = int(round(duration / dt))
        if samples < 1:
            raise ValueError(
                f"{name}={value!r} is {'not positive' if duration <= 0 else 'shorter than one sample'} "
                f"(the stream is sampled every {dt:g} s); give a longer duration."
            )
        return samples
    raise ValueError(f"{name} must be a number of samples or a duration, got {value!r}.")


def _encode_labels(labels):
    """Sorted classes and each sample's code; missing labels (None, NaN) get a last class of their
    own, ``None`` (NaN for numeric labels), so that ties go to a real label."""
    labels = np.asarray(labels)
    missing = pd.isna(labels) if labels.dtype.kind in "Of" else np.zeros(labels.shape, dtype=bool)
    if not missing.any():
        classes, codes = np.unique(labels, return_inverse=True)
        return classes, codes.ravel()
    classes = np.unique(labels[~missing])
    codes = np.full(labels.shape[0], len(classes), dtype=np.int64)
    codes[~missing] = np.searchsorted(classes, labels[~missing])
    return np.append(classes, np.nan if labels.dtype.kind == "f" else None), codes


def window_labels(labels, start_index, window_length, policy="majority"):
    """One label per window from per-sample labels.

    Parameters
    ----------
    labels : array-like of shape (n_timepoints,)
    start_index : array-like of int
        First sample of each window.
    window_length : int
    policy : {"majority", "last"}, default="majority"
        ``"majority"``: the most frequent label in the window (ties go to the
        label that sorts first); ``"last"``: the label of the window's last sample.
        Unlabelled samples (None or NaN) vote as one more label, which loses
        ties: a window mostly unlabelled is unlabelled (None, or NaN for
        numeric labels).

    Returns
    -------
    ndarray of shape (n_windows,)

    Examples
    --------
    >>> window_labels(["a", "a", "b", "b", "b"], [0, 2], 3)
    array(['a', 'b'], dtype='<U1')
    >>> window_labels(["a", "a", "b", "b", "b"], [0], 3, policy="last")
    array(['b'], dtype='<U1')
    >>> window_labels(["a", None, None, "b", "b"], [0, 2], 3)
    array([None, 'b'], dtype=object)
    """
    if policy not in _LABEL_POLICIES:
        raise ValueError(f"unknown label policy {policy!r}; use one of {list(_LABEL_POLICIES)}.")
    labels = np.asarray(labels)
    start_index = np.asarray(start_index, dtype=np.int64)
    n = labels.shape[0]
    end = np.minimum(start_index + window_length, n)
    if policy == "last":
        return labels[end - 1]
    classes, codes = _encode_labels(labels)
    onehot = np.zeros((n + 1, len(classes)), dtype=np.int64)
    onehot[np.arange(1, n + 1), codes] = 1
    cumulative = np.cumsum(onehot, axis=0)
    counts = cumulative[end] - cumulative[start_index]
    return classes[np.argmax(counts, axis=1)]


def _window_starts(n, length, step, partial, seconds, gap_tolerance, breaks=None):
    if length < 1:
        raise ValueError(f"window must be at least one sample, got {length}.")
    if step <= 0:
        raise ValueError(f"stride must be positive, got {step}.")
    if length > n:
        raise ValueError(
            f"window ({length} samples) is longer than the stream ({n} samples); "
            "use a shorter window or a longer recording."
        )
    if partial not in _PARTIAL_POLICIES:
        raise ValueError(f"unknown partial policy {partial!r}; use one of {list(_PARTIAL_POLICIES)}.")
    last = n - length if partial == "drop" else n - 1
    starts = np.arange(0, last + 1, step, dtype=np.int64)
    if partial == "pad":
        # Keep every full window, plus the first window that reaches the stream's end.
        full = starts[starts + length <= n]
        tail = starts[starts + length > n][:1]
        starts = np.concatenate([full, tail])
    n_dropped = 0
    if seconds is not None and n > 1:
        check_regular(seconds, gap_tolerance)
        dt = np.diff(seconds)
        gap = dt > gap_tolerance * sampling_interval(seconds)
        if breaks is not None:
            gap |= breaks
        gap = gap.astype(np.int64)
        cumulative = np.concatenate([[0], np.cumsum(gap)])
        # gaps between samples s..e-1 are gap[s : e-1]
        e = np.minimum(starts + length, n)
        spans_gap = (cumulative[e - 1] - cumulative[starts]) > 0
        n_dropped = int(spans_gap.sum())
        starts = starts[~spans_gap]
    return starts, n_dropped


def _cut(values, starts, length):
    n, c = values.shape
    if len(starts) and starts[-1] + length > n:
        pad = starts[-1] + length - n
        values = np.concatenate([values, np.repeat(values[-1:], pad, axis=0)])
    view = np.lib.stride_tricks.sliding_window_view(values, length, axis=0)  # (n-L+1, C, L)
    return np.ascontiguousarray(view[starts], dtype=np.float32)


def sliding_windows(
    data,
    window,
    stride=None,
    *,
    timestamp=None,
    channels=None,
    labels=None,
    label_policy="majority",
    partial="drop",
    gap_tolerance=1.5,
):
    """Cut a continuous stream into (possibly overlapping) windows.

    Parameters
    ----------
    data : array-like of shape (n_timepoints, n_channels) or DataFrame
        The stream. A DataFrame's numeric columns are its channels; its
        timestamps come from a ``DatetimeIndex`` or the ``timestamp`` column.
    window : int or str or Timedelta
        Window length, as a number of samples or, for timestamped data, a
        duration such as ``"2.56s"`` (converted with the median sampling interval).
    stride : int or str or Timedelta, default=None
        Step between window starts; ``None`` means ``window`` (no overlap).
    timestamp : str or array-like, default=None
        Name of the timestamp column of a DataFrame, or one time per row for an array.
    channels : list, default=None
        Columns (or column indices) to use; all numeric columns by default.
    labels : str or array-like of shape (n_timepoints,), default=None
        Per-sample labels, or the name of a label column.
    label_policy : {"majority", "last"}, default="majority"
        How a window's label is chosen from its samples' labels.
    partial : {"drop", "pad"}, default="drop"
        The last, incomplete window: ``"drop"`` it, or ``"pad"`` it by repeating
        the stream's last sample.
    gap_tolerance : float, default=1.5
        A step between timestamps larger than ``gap_tolerance`` times the median
        step is a gap. No window spans a gap: such windows are dropped, counted
        in ``n_dropped`` and reported with a warning.

    Notes
    -----
    Timestamps, as real loggers write them:

    * zone-aware times are compared in UTC; ``start`` and ``end`` come back in
      the input's zone. Mixed UTC offsets in strings are read as UTC.
    * duplicate times (several samples written per clock tick) keep every
      sample in its order; each run of equal times is spread evenly up to the
      next time, with a warning.
    * a backward jump (local time across a daylight-saving change) splits the
      stream like a gap, with a warning; more than 1 % of steps backwards (or
      more than 100) is an unsorted stream and raises ``ValueError``.
    * a sampling interval that changes along the stream (two rates in one
      file, or more than 10 % of steps being gaps) raises ``ValueError``:
      resample to one rate first.

    Returns
    -------
    Windows
        Named tuple ``(X, start, end, start_index, y, n_dropped, channels, window_length)``.

    Examples
    --------
    >>> import numpy as np
    >>> w = sliding_windows(np.arange(10.0), window=4, stride=2)
    >>> w.X.shape
    (4, 1, 4)
    >>> w.start_index
    array([0, 2, 4, 6])
    """
    if label_policy not in _LABEL_POLICIES:
        raise ValueError(f"unknown label policy {label_policy!r}; use one of {list(_LABEL_POLICIES)}.")
    stream = _parse_stream(data, timestamp=timestamp, channels=channels, labels=labels)
    n = stream.values.shape[0]
    length = to_samples(window, "window", stream.seconds)
    step = length if stride is None else to_samples(stride, "stride", stream.seconds)
    starts, n_dropped = _window_starts(n, length, step, partial, stream.seconds, gap_tolerance, stream.breaks)
    if n_dropped:
        warnings.warn(
            f"{n_dropped} windows were dropped because they span gaps in the timestamps "
            f"(steps over {gap_tolerance}x the median sampling interval, or backward jumps).",
            UserWarning,
            stacklevel=2,
        )
    if len(starts) == 0:
        raise ValueError(
            "no window fits between the gaps of this stream; use a shorter window or a larger gap_tolerance."
        )
    X = _cut(stream.values, starts, length)
    last = np.minimum(starts + length, n) - 1
    if stream.tz is not None:  # back in the input's time zone
        start = pd.DatetimeIndex(stream.times[starts]).tz_localize("UTC").tz_convert(stream.tz)
        end = pd.DatetimeIndex(stream.times[last]).tz_localize("UTC").tz_convert(stream.tz)
    elif stream.times is not None:
        start, end = stream.times[starts], stream.times[last]
    else:
        start, end = starts.copy(), last
    y = None
    if stream.labels is not None:
        y = window_labels(stream.labels, starts, length, label_policy)
    logger.debug("cut %d windows of %d samples (%d dropped at gaps)", len(starts), length, n_dropped)
    return Windows(X, start, end, starts, y, n_dropped, stream.channels, length, step)


class SlidingWindow(TransformerMixin, BaseEstimator):
    """Cut a stream into windows, as a scikit-learn transformer.

    ``fit`` learns the layout of the windows on the fitted stream (their start
    rows and times, and how many were dropped at gaps); ``transform`` cuts any
    stream with the same settings; ``resample`` turns the fitted stream's
    per-sample labels into one label per window.

    Parameters
    ----------
    window : int or str or Timedelta, default=64
        Window length in samples, or a duration (``"2.56s"``) for timestamped data.
    stride : int or str or Timedelta, default=None
        Step between window starts; ``None`` means ``window``.
    timestamp : str, default=None
        Timestamp column of a DataFrame (a ``DatetimeIndex`` is used otherwise).
    channels : list, default=None
        Columns to use; all numeric columns by default.
    label_policy : {"majority", "last"}, default="majority"
    partial : {"drop", "pad"}, default="drop"
    gap_tolerance : float, default=1.5

    Attributes
    ----------
    window_length_ : int
    stride_ : int
    start_, end_ : ndarray
        Times (or sample indices) of the fitted stream's windows.
    start_index_ : ndarray of int64
    sequence_ : ndarray of int64
        The fitted windows' time order (:attr:`Windows.sequence`): pass it as ``sequence``
        to :meth:`deeptda.PersistenceClustering.fit`.
    n_dropped_ : int
        Windows dropped at gaps of the fitted stream.
    n_timepoints_ : int
    channels_ : list of str
    n_features_in_ : int
        Number of channels.

    Examples
    --------
    >>> import numpy as np
    >>> sw = SlidingWindow(window=4, stride=2)
    >>> sw.fit_transform(np.arange(20.0).reshape(10, 2)).shape
    (4, 2, 4)
    >>> sw.resample(np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])).tolist()
    [0, 0, 1, 1]
    """

    def __init__(
        self,
        window=64,
        stride=None,
        *,
        timestamp=None,
        channels=None,
        label_policy="majority",
        partial="drop",
        gap_tolerance=1.5,
    ):
        self.window = window
        self.stride = stride
        self.timestamp = timestamp
        self.channels = channels
        self.label_policy = label_policy
        self.partial = partial
        self.gap_tolerance = gap_tolerance

    def _windows(self, X, labels=None):
        return sliding_windows(
            X,
            self.window,
            self.stride,
            timestamp=self.timestamp,
            channels=self.channels,
            labels=labels,
            label_policy=self.label_policy,
            partial=self.partial,
            gap_tolerance=self.gap_tolerance,
        )

    def fit(self, X, y=None):
        """Learn the window layout of the stream ``X``; returns ``self``."""
        self._fit_windows(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit on the stream ``X`` and return its windows (cut once)."""
        return self._fit_windows(X).X

    def _fit_windows(self, X):
        w = self._windows(X)
        self.window_length_ = w.window_length
        self.stride_ = w.stride
        self.start_, self.end_, self.start_index_ = w.start, w.end, w.start_index
        self.sequence_ = w.sequence
        self.n_dropped_ = w.n_dropped
        self.n_timepoints_ = len(X)
        self.channels_ = w.channels
        self.n_features_in_ = len(w.channels)
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(w.channels, dtype=object)
        return w

    def transform(self, X):
        """Windows of ``X``: an ndarray of shape ``(n_windows, n_channels, window_length_)``."""
        check_is_fitted(self)
        w = self._windows(X)
        if len(w.channels) != self.n_features_in_:
            raise ValueError(
                f"X has {len(w.channels)} features, but SlidingWindow is expecting {self.n_features_in_} "
                "features as input (channels): cut streams with the channels seen in fit."
            )
        return w.X

    def resample(self, y):
        """One label per fitted window from the fitted stream's per-sample labels."""
        check_is_fitted(self)
        y = np.asarray(y)
        if y.shape[0] != self.n_timepoints_:
            raise ValueError(
                f"y has {y.shape[0]} labels but the fitted stream has {self.n_timepoints_} "
                "samples; give one label per sample of the stream passed to fit."
            )
        return window_labels(y, self.start_index_, self.window_length_, self.label_policy)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
