"""Timestamps as real loggers write them: parsing, zones, duplicates, backward jumps, rates.

:func:`parse_timestamps` reads any column of times; :func:`time_axis` turns
them into the seconds that windowing works in, applying the rules documented
in :func:`deeptda.sliding_windows`; :func:`sampling_interval` and
:func:`check_regular` read and check the sampling rate.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["TimeAxis", "parse_timestamps", "time_axis", "sampling_interval", "check_regular"]


class TimeAxis(NamedTuple):
    """Validated times of a stream.

    Attributes
    ----------
    times : ndarray
        ``datetime64[ns]`` (naive UTC for zone-aware input) or float seconds.
    seconds : ndarray of float
        Seconds since the first sample.
    tz : tzinfo or None
        The input's zone.
    breaks : ndarray of bool or None
        Steps that no window may span (backward jumps).

    Examples
    --------
    >>> time_axis(np.array([0.0, 1.0, 2.0])).seconds.tolist()
    [0.0, 1.0, 2.0]
    """

    times: np.ndarray
    seconds: np.ndarray
    tz: object
    breaks: object


#: More backward steps than this fraction of all steps (or than 100) means an unsorted stream.
_MAX_BACKWARD_FRACTION = 0.01


def parse_timestamps(values, *, unit=None, name="timestamp"):
    """Timestamps as a :class:`pandas.DatetimeIndex`, or float seconds for plain numbers.

    Accepts ``datetime64`` values, zone-aware datetimes (kept in their zone;
    mixed UTC offsets, as in local time across a daylight-saving change, are
    converted to UTC), strings in any format pandas parses, and numbers: with
    ``unit`` (``"s"``, ``"ms"``, ...) numbers become datetimes, without it they
    are returned as float seconds.

    Raises
    ------
    ValueError
        Naming the first entries that cannot be parsed, by position.

    Examples
    --------
    >>> parse_timestamps(["2026-01-01 00:00:00+01:00", "2026-01-01 00:00:01+01:00"]).tz is not None
    True
    >>> parse_timestamps([0, 1, 2]).tolist()
    [0.0, 1.0, 2.0]
    """
    if isinstance(values, pd.DatetimeIndex):
        return values
    if isinstance(values, (pd.Series, pd.Index)):
        series = pd.Series(values.to_numpy(), dtype=values.dtype)
    else:
        series = pd.Series(np.asarray(values) if isinstance(values, np.ndarray) else list(values))
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return pd.DatetimeIndex(series)
    if pd.api.types.is_bool_dtype(dtype):
        raise ValueError(f"{name} holds booleans; give datetimes, date strings or numbers of seconds.")
    if unit is None and pd.api.types.is_numeric_dtype(dtype):
        seconds = series.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(~np.isfinite(seconds))
        if len(bad):
            raise ValueError(
                f"{name} holds {len(bad)} missing or infinite values (first at positions "
                f"{bad[:5].tolist()}); every sample needs a time: drop those rows or fill them."
            )
        return seconds
    parsed = None
    for utc in (False, True):  # mixed UTC offsets (local time across a daylight-saving change): UTC
        try:
            parsed = pd.to_datetime(series, unit=unit, errors="coerce", utc=utc)
        except (ValueError, TypeError, OverflowError):
            continue
        if isinstance(parsed.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(parsed.dtype):
            break
        parsed = None
    if parsed is None:
        raise ValueError(
            f"{name} cannot be read as times; give datetimes, date strings or numbers "
            "of seconds (with unit='s' or 'ms' for epoch times)."
        )
    if parsed.isna().any() and unit is None:  # formats that differ from row to row: parse each
        for utc in (False, True):
            try:
                parsed = pd.to_datetime(series, format="mixed", errors="coerce", utc=utc)
                break
            except (ValueError, TypeError, OverflowError):
                continue
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        examples = ", ".join(f"position {i}: {series.iloc[i]!r}" for i in bad[:3])
        raise ValueError(
            f"{len(bad)} entries of {name} cannot be read as times ({examples}); fix or drop those "
            "rows, or give numbers of seconds (with unit='s' or 'ms' for epoch times)."
        )
    return pd.DatetimeIndex(parsed)


def _spread_duplicates(seconds):
    """Spread each run of equal times evenly up to the next time (see :func:`sliding_windows`)."""
    n = len(seconds)
    new_run = np.r_[True, seconds[1:] != seconds[:-1]]
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.r_[run_start, n])
    run_id = np.cumsum(new_run) - 1
    width = np.r_[seconds[run_start[1:]], np.nan] - seconds[run_start]
    ok = np.isfinite(width) & (width > 0)
    step = float(np.median(width[ok] / run_len[ok])) if ok.any() else 1.0
    width = np.where(ok, width, run_len * step)  # the last run, or a run before a backward jump
    position = np.arange(n) - run_start[run_id]
    return seconds + position / run_len[run_id] * width[run_id]


def time_axis(times):
    """Validate timestamps: (UTC datetime64 or float times, seconds, zone, breaks).

    Duplicate times are spread evenly (with a warning); backward jumps become
    breaks that no window spans (with a warning); a stream with many backward
    steps is refused as unsorted.
    """
    tz = None
    if isinstance(times, pd.DatetimeIndex):
        tz = times.tz
        if tz is not None:
            times = times.tz_convert("UTC").tz_localize(None)
        times = times.to_numpy().astype("datetime64[ns]")
        if np.isnat(times).any():
            bad = np.flatnonzero(np.isnat(times))
            raise ValueError(
                f"timestamps hold {len(bad)} missing values (first at positions {bad[:5].tolist()}); "
                "every sample needs a time: drop those rows or fill them."
            )
        seconds = (times - times[0]).astype(np.int64) / 1e9
    else:
        seconds = np.asarray(times, dtype=np.float64) - float(times[0])
    step = np.diff(seconds)
    backward = step < 0
    n_back = int(backward.sum())
    if n_back > max(1, min(100, _MAX_BACKWARD_FRACTION * len(step))):
        raise ValueError(
            f"timestamps are not sorted: time goes backwards at {n_back} of {len(step)} steps; sort "
            "the stream by time first (e.g. df.sort_index())."
        )
    n_dup = int((step == 0).sum())
    if n_dup:
        if n_dup == len(step):
            raise ValueError("all timestamps are equal; give one time per sample, or no timestamps.")
        warnings.warn(
            f"{n_dup} timestamps repeat the previous one (a logger that writes several samples per "
            "tick?); the samples keep their order, and each run of equal times is spread evenly up "
            "to the next time.",
            UserWarning,
            stacklevel=4,
        )
        seconds = _spread_duplicates(seconds)
        if isinstance(times, np.ndarray) and np.issubdtype(times.dtype, np.datetime64):
            times = times[0] + np.round(seconds * 1e9).astype("timedelta64[ns]")
        else:
            times = float(times[0]) + seconds
    breaks = None
    if n_back:
        where = np.flatnonzero(backward)
        warnings.warn(
            f"time jumps backwards at {n_back} place(s) (first after sample {int(where[0])}; a "
            "daylight-saving change in local time?); the stream is split there and no window spans "
            "a jump. Give zone-aware times (e.g. tz_localize) to keep one time line.",
            UserWarning,
            stacklevel=4,
        )
        breaks = backward
    return TimeAxis(times, seconds, tz, breaks)


def sampling_interval(seconds):
    """The median step between timestamps, over the forward steps."""
    step = np.diff(seconds)
    step = step[step > 0]
    return float(np.median(step)) if len(step) else 1.0


def check_regular(seconds, gap_tolerance):
    """Refuse a stream whose sampling interval changes (mixed rates in one file)."""
    step = np.diff(seconds)
    step = step[step > 0]
    if len(step) < 20:
        return
    nominal = float(np.median(step))
    n_gaps = int((step > gap_tolerance * nominal).sum())
    chunks = np.array_split(step, min(10, len(step) // 10))
    medians = np.array([np.median(c) for c in chunks])
    if medians.max() > 1.2 * medians.min() or (n_gaps >= 5 and n_gaps > 0.1 * len(step)):
        lo, hi = 1.0 / medians.max(), 1.0 / medians.min()
        raise ValueError(
            f"the sampling interval changes within the stream (local rates from {lo:.3g} to "
            f"{hi:.3g} samples per second; {n_gaps} of {len(step)} steps are gaps): mixed sampling "
            "rates in one recording? Resample it to one rate first (e.g. "
            "df.resample('40ms').mean().interpolate()), or split it into recordings of one rate."
        )
