"""Per-channel robust standardisation shared by DeepTDA, TSNE and UMAP."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["ChannelScaler", "check_windows_or_rows", "check_training_samples"]

_IQR_TO_STD = 1.3489795003921634  # IQR of the standard normal


def check_windows_or_rows(estimator, X, *, reset):
    """Validate 2-D rows or 3-D windows for an estimator; returns float32/float64 ndarray.

    ``reset=True`` records ``n_features_in_`` (features, or channels for windows),
    ``n_dims_in_`` and, for windows, ``window_length_``; ``reset=False`` checks them.
    """
    ndim = getattr(X, "ndim", None)
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind in ("U", "S"):
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"X holds values that are not numbers (dtype {X.dtype}); windows and rows must be "
                "numeric: convert or drop the text columns first."
            ) from None
    if kind == "c":
        raise ValueError(
            "Complex data not supported: X is complex; pass real values, e.g. the magnitude (np.abs) or the "
            "real and imaginary parts as separate channels."
        )
    if not reset and ndim in (2, 3) and ndim != estimator.n_dims_in_:
        raise ValueError(
            f"X is {ndim}-D but {type(estimator).__name__} was fitted on "
            f"{estimator.n_dims_in_}-D input; pass data of the same layout."
        )
    if not reset and ndim == 3 and X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has windows of {X.shape[1]} channels, but {type(estimator).__name__} was fitted on windows "
            f"of {estimator.n_features_in_}; pass the channels it was fitted on, in the same order."
        )
    X = validate_data(
        estimator, X, reset=reset, allow_nd=True, dtype=[np.float32, np.float64], ensure_min_samples=2 if reset else 1
    )
    if X.ndim not in (2, 3):
        raise ValueError(
            f"X must be 2-D (n_samples, n_features) or 3-D windows (n_windows, n_channels, "
            f"n_timepoints); got {X.ndim}-D input of shape {X.shape}."
        )
    if X.ndim == 3 and 0 in X.shape[1:]:
        raise ValueError(
            f"X has windows of {X.shape[1]} channels x {X.shape[2]} timepoints; windows need at least "
            "one channel and one timepoint (check the channel selection and the window length)."
        )
    if reset:
        estimator.n_dims_in_ = X.ndim
        estimator.window_length_ = X.shape[2] if X.ndim == 3 else None
    else:
        if X.ndim != estimator.n_dims_in_:
            raise ValueError(
                f"X is {X.ndim}-D but {type(estimator).__name__} was fitted on "
                f"{estimator.n_dims_in_}-D input; pass data of the same layout."
            )
        if X.ndim == 3 and X.shape[2] != estimator.window_length_:
            raise ValueError(
                f"X has windows of {X.shape[2]} timepoints, but {type(estimator).__name__} "
                f"was fitted on windows of {estimator.window_length_}; cut new windows "
                "with the same window length."
            )
    return X


def check_training_samples(X, name="DeepTDA", minimum=3):
    """The number of samples of a validated training set ``X``, at least ``minimum``.

    Warns (``UserWarning``) when every sample is identical: nothing then tells
    them apart, and the map puts them all at one point.
    """
    n = X.shape[0]
    if n < minimum:
        raise ValueError(
            f"{name} needs at least {minimum} samples to learn neighbourhoods; got {n} sample(s). For windows "
            "of a short recording, cut shorter windows or use a smaller stride (--window, --stride)."
        )
    if not np.ptp(X.reshape(n, -1), axis=0).any():
        warnings.warn(
            f"every one of the {n} samples is identical (no value varies between them): the map puts them "
            "all at one point. Check that the right columns or recording were passed.",
            UserWarning,
            stacklevel=3,
        )
    return n


def _safe_std(columns):
    """Standard deviation of each column (float64), also where the squares of its values overflow
    (values beyond about 1e154): those columns are divided by their largest magnitude first.
    Other columns get numpy's ``std`` exactly."""
    with np.errstate(over="ignore", invalid="ignore"):
        std = columns.std(axis=0)
    overflow = ~np.isfinite(std)
    if overflow.any():
        part = columns[:, overflow]
        big = np.abs(part).max(axis=0)
        std[overflow] = (part / big).std(axis=0) * big
    return std


class ChannelScaler(TransformerMixin, BaseEstimator):
    """Robust per-channel standardisation for windows or feature rows.

    Each channel (the 2nd axis of 3-D windows, each column of 2-D rows) is
    centred on its median and divided by a robust spread:

    * a channel of windows (one sensor axis, pooled over every window and time
      point): its interquartile range / 1.349 (the standard deviation for
      Gaussian data);
    * a column of rows (one feature): its standard deviation after clipping it
      to its 1st and 99th percentiles. Feature columns are often zero-inflated
      (a pixel, a count) or bimodal (a class-like indicator); there the
      interquartile range jumps with where the quartiles happen to fall and
      weighs columns erratically (on scikit-learn's digits it cost DeepTDA a
      few hundredths of 5-NN accuracy, ``docs/benchmarks.md``), while the clipped standard
      deviation gives every column the unit variance of the usual
      standardisation and still ignores up to 1 % of extreme values per tail.
      A column's spread counts as at least ``min_scale`` times the median
      column's: a column that is nearly constant next to the others (a pixel
      that is rarely lit, a count of rare events) is not blown up to unit
      variance, where its few non-zero values would set the distances between
      the rows that hold them (on scikit-learn's digits, raw geometry's 5-NN
      accuracy is above that of the fully standardised pixels,
      ``docs/benchmarks.md``).

    Outliers barely move either statistic. A constant channel (a sensor at rest)
    falls back to its standard deviation, then to 1, so it is centred at 0 and
    never divided by zero.

    Parameters
    ----------
    clip : float or None, default=10.0
        Clip standardised values to ``[-clip, clip]`` so that spikes cannot
        dominate distances; ``None`` disables it.
    min_scale : float or None, default=0.5
        Columns of rows only: the smallest spread of a column, as a fraction of
        the median column's spread (so no column is amplified more than
        ``1 / min_scale`` times as much as the typical one); ``None``: every
        column to unit spread. Channels of windows are always scaled by their own
        spread.

    Attributes
    ----------
    center_, scale_ : ndarray of shape (n_channels,)

    Examples
    --------
    >>> import numpy as np
    >>> X = np.ones((4, 2, 5)); X[:, 1] = np.arange(5.0)
    >>> s = ChannelScaler().fit(X)
    >>> s.center_.tolist(), s.scale_.tolist()
    ([1.0, 2.0], [1.0, 1.4826...])
    """

    def __init__(self, clip=10.0, min_scale=0.5):
        self.clip = clip
        self.min_scale = min_scale

    def fit(self, X, y=None):
        floor = self.min_scale
        if floor is not None and not (isinstance(floor, numbers.Real) and 0 <= floor < np.inf):
            raise ValueError(
                f"min_scale must be None or a number >= 0 (a fraction of the median column's spread); got {floor!r}."
            )
        X = check_windows_or_rows(self, X, reset=True)
        flat = np.moveaxis(X, 1, -1).reshape(-1, X.shape[1]).astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # values near float64's limit: the check below
            q1, center, q3 = np.percentile(flat, [25, 50, 75], axis=0)
            if X.ndim == 3:
                scale = (q3 - q1) / _IQR_TO_STD
            else:  # feature columns: the standard deviation within the 1st-99th percentiles
                low, high = np.percentile(flat, [1, 99], axis=0)
                scale = _safe_std(np.clip(flat, low, high))
        tiny = 1e-12 * np.maximum(1.0, np.abs(center))
        if (scale <= tiny).any():  # a (nearly) constant channel: its standard deviation, else 1
            std = _safe_std(flat[:, scale <= tiny])
            scale[scale <= tiny] = np.where(std > tiny[scale <= tiny], std, 1.0)
        if not (np.isfinite(scale).all() and np.isfinite(center).all()):
            bad = [int(i) for i in np.flatnonzero(~(np.isfinite(scale) & np.isfinite(center)))[:5]]
            raise ValueError(
                f"channel(s) {bad} span more than float64 can hold (values up to {np.abs(flat).max():.3g}); "
                "divide X by a constant first (the map does not change)."
            )
        if X.ndim == 2 and floor is not None:
            scale = np.maximum(scale, floor * np.median(scale))
        self.center_, self.scale_ = center, scale
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = check_windows_or_rows(self, X, reset=False)
        shape = (1, -1, 1) if X.ndim == 3 else (1, -1)
        out = (X - self.center_.reshape(shape).astype(X.dtype)) / self.scale_.reshape(shape).astype(X.dtype)
        if self.clip is not None:
            np.clip(out, -self.clip, self.clip, out=out)
        return out.astype(np.float32)

    def get_state(self):
        """The fitted scaler as ``(config, arrays)``: JSON-able parameters and layout, and its statistics."""
        check_is_fitted(self)
        config = {
            "clip": self.clip,
            "min_scale": self.min_scale,
            "n_features_in_": int(self.n_features_in_),
            "n_dims_in_": int(self.n_dims_in_),
            "window_length_": None if self.window_length_ is None else int(self.window_length_),
        }
        return config, {"center": np.asarray(self.center_), "scale": np.asarray(self.scale_)}

    @classmethod
    def from_state(cls, config, arrays):
        """Rebuild a fitted scaler from :meth:`get_state`'s ``(config, arrays)``."""
        scaler = cls(clip=config["clip"], min_scale=config.get("min_scale"))  # saved before it existed: none
        scaler.n_features_in_, scaler.n_dims_in_ = config["n_features_in_"], config["n_dims_in_"]
        scaler.window_length_ = config["window_length_"]
        scaler.center_ = np.asarray(arrays["center"], dtype=np.float64)
        scaler.scale_ = np.asarray(arrays["scale"], dtype=np.float64)
        return scaler

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
