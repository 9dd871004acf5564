"""Data to run on without a download: a seeded synthetic collar stream, the real
UEA BasicMotions recordings shipped by ``aeon``, and a CSV loader for your own.

The synthetic collar accelerometer
----------------------------------
:func:`make_collar_stream` simulates a tri-axial accelerometer (in g) on the
neck collar of a grazing cow. It is synthetic, not a recording. The model:

* **Bouts.** Behaviours follow a first-order Markov chain (``TRANSITIONS``);
  each bout lasts a log-normal duration with the behaviour's median
  (``BEHAVIOURS[name]["bout_s"]``, spread 0.5 in log space, at least 5 s).
* **Posture.** Each behaviour has a gravity direction in the collar frame
  (lying: neck rolled to the side; grazing: head down; the others: head up),
  tilted by a few degrees per bout, and wandering by a few degrees within it
  (a slow random variation with a time constant of about 8 s).
* **Dynamics.** Rest (lying, standing) adds only small postural sway.
  Ruminating adds ~1 Hz chewing, small and regular. Grazing adds ~1.3 Hz bites
  plus a step every few seconds. Walking adds a 1-2 Hz gait with its harmonic;
  running a 2.5-3.5 Hz gait of three times the amplitude. Frequencies and
  amplitudes vary per bout, and drift slowly within a bout (about 6 % in rate,
  15 % in amplitude), so bouts of one behaviour overlap rather than each
  forming its own tight island.
* **Sensor.** White noise (``noise`` g), a slow drift of the collar's roll
  around the neck (a random walk of a few degrees per hour), rare events
  (head shakes at ~5 Hz and bumps, flagged in the ``event`` column, not
  behaviours), and occasional gaps where samples are missing.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .faults import FAULT_KINDS, add_faults, make_spheres
from .simulations import make_wearable_stream, make_wearable_windows

__all__ = [
    "BEHAVIOURS",
    "TRANSITIONS",
    "make_collar_stream",
    "make_collar_windows",
    "load_basic_motions",
    "load_aeon",
    "AEON_DATASETS",
    "load_csv",
    "make_wearable_stream",
    "make_wearable_windows",
    "add_faults",
    "make_spheres",
    "FAULT_KINDS",
]

#: Behaviour model: gravity direction (collar frame), median bout length (s),
#: dynamic component (kind, frequency range in Hz, amplitude in g).
BEHAVIOURS = {
    "lying": {"gravity": (0.10, 0.62, 0.78), "bout_s": 240.0, "kind": "rest", "freq": (0.0, 0.0), "amp": 0.01},
    "standing": {"gravity": (0.15, 0.0, 0.99), "bout_s": 120.0, "kind": "rest", "freq": (0.0, 0.0), "amp": 0.015},
    "ruminating": {"gravity": (0.35, 0.05, 0.94), "bout_s": 200.0, "kind": "chew", "freq": (0.9, 1.2), "amp": 0.06},
    "grazing": {"gravity": (0.80, 0.0, 0.60), "bout_s": 220.0, "kind": "graze", "freq": (1.1, 1.5), "amp": 0.12},
    "walking": {"gravity": (0.25, 0.0, 0.97), "bout_s": 60.0, "kind": "gait", "freq": (1.0, 2.0), "amp": 0.18},
    "running": {"gravity": (0.25, 0.0, 0.97), "bout_s": 25.0, "kind": "gait", "freq": (2.5, 3.5), "amp": 0.55},
}

_NAMES = list(BEHAVIOURS)

#: Markov transition probabilities between bouts (rows: from, columns: to, in
#: the order of ``BEHAVIOURS``). The diagonal is zero: a bout ends in another behaviour.
TRANSITIONS = np.array([
    # lying standing rumin. grazing walking running
    [0.00, 0.45, 0.40, 0.05, 0.05, 0.05],  # lying
    [0.25, 0.00, 0.20, 0.25, 0.25, 0.05],  # standing
    [0.35, 0.30, 0.00, 0.15, 0.15, 0.05],  # ruminating
    [0.05, 0.20, 0.15, 0.00, 0.45, 0.15],  # grazing
    [0.05, 0.25, 0.10, 0.35, 0.00, 0.25],  # walking
    [0.05, 0.20, 0.05, 0.20, 0.50, 0.00],  # running
])


def _rotation(axis, angle):
    axis = np.asarray(axis, dtype=float)
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def _bouts(n_samples, fs, rng):
    """Behaviour codes per sample from the Markov chain of bouts."""
    codes = np.empty(n_samples, dtype=np.int64)
    state = int(rng.integers(len(_NAMES)))
    pos, bounds = 0, []
    while pos < n_samples:
        median = BEHAVIOURS[_NAMES[state]]["bout_s"]
        length = max(5.0, median * float(np.exp(0.5 * rng.standard_normal())))
        n = min(int(length * fs), n_samples - pos)
        codes[pos:pos + n] = state
        bounds.append((pos, pos + n, state))
        pos += n
        state = int(rng.choice(len(_NAMES), p=TRANSITIONS[state]))
    return codes, bounds


def _slow(n, fs, rng, tau=8.0):
    """A slowly varying signal of unit standard deviation: white noise through a
    first-order low-pass with time constant ``tau`` seconds (stationary start)."""
    from scipy.signal import lfilter

    rho = float(np.exp(-1.0 / (tau * fs)))
    w = rng.standard_normal(n)
    w[0] /= np.sqrt(1 - rho ** 2)  # start in the stationary distribution
    return lfilter([np.sqrt(1 - rho ** 2)], [1.0, -rho], w)


def _tilted(v, axis, angle):
    """Rotate the vector ``v`` about ``axis`` by ``angle`` (radians, one per sample); (n, 3)."""
    k = np.asarray(axis, dtype=float)
    k = k / np.linalg.norm(k)
    v = np.asarray(v, dtype=float)
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return v * c + np.cross(k, v) * s + k * (k @ v) * (1 - c)


def _dynamics(name, t, fs, rng):
    """Dynamic acceleration (n, 3) in g of one bout, in the collar frame.

    Rate and amplitude wander within the bout (slow multiplicative variation,
    about 6 % and 15 %), as an animal's chewing or walking pace does.
    """
    spec = BEHAVIOURS[name]
    n = t.shape[0]
    amp = spec["amp"] * float(rng.uniform(0.8, 1.25)) * np.exp(0.15 * _slow(n, fs, rng))
    out = np.zeros((n, 3))
    kind = spec["kind"]
    if kind == "rest":
        for ax in range(3):  # slow postural sway: low-passed noise
            w = rng.standard_normal(n + 50)
            out[:, ax] = amp * np.convolve(w, np.ones(50) / 50 ** 0.5, mode="valid")[:n] / 3
        return out
    f = float(rng.uniform(*spec["freq"])) * np.exp(0.06 * _slow(n, fs, rng))
    phase = rng.uniform(0, 2 * np.pi, size=3)
    base = 2 * np.pi * np.cumsum(f) / fs
    if kind == "chew":
        out[:, 0] = amp * np.sin(base + phase[0])
        out[:, 1] = 0.6 * amp * np.sin(base + phase[1])
        out[:, 2] = 0.3 * amp * np.sin(2 * base + phase[2])
    elif kind == "graze":
        bite = np.maximum(np.sin(base + phase[0]), 0) ** 3
        out[:, 0] = amp * bite
        out[:, 2] = 0.5 * amp * bite
        step_f = float(rng.uniform(0.2, 0.4))  # a step every few seconds
        step = np.maximum(np.sin(2 * np.pi * step_f * t + phase[1]), 0) ** 8
        out[:, 1] = 1.2 * amp * step
        out[:, 2] += 0.8 * amp * step
    elif kind == "gait":
        out[:, 0] = 0.6 * amp * np.sin(base + phase[0])
        out[:, 1] = 0.4 * amp * np.sin(base / 2 + phase[1])  # lateral sway at half the step rate
        out[:, 2] = amp * (np.sin(base + phase[2]) + 0.35 * np.sin(2 * base + phase[2]))
    return out


def make_collar_stream(duration=3600.0, sampling_rate=25.0, *, noise=0.02, drift=True,
                       events=True, gaps=True, start="2026-06-01 06:00:00", random_state=0):
    """A seeded synthetic tri-axial collar accelerometer of a grazing cow.

    Synthetic data, generated by the model described in this module's
    docstring: six behaviours (lying, standing, ruminating, grazing, walking,
    running) in Markov-chain bouts, sensor noise, slow collar drift, rare
    shakes and bumps, and occasional gaps.

    Parameters
    ----------
    duration : float, default=3600.0
        Length of the recording in seconds.
    sampling_rate : float, default=25.0
        Samples per second.
    noise : float, default=0.02
        Standard deviation of the white sensor noise, in g.
    drift : bool, default=True
        Slow random-walk roll of the collar around the neck.
    events : bool, default=True
        Add rare head shakes and bumps (about one a minute), flagged in ``event``.
    gaps : bool, default=True
        Remove a few stretches of samples (about one 3-20 s gap per 20 minutes).
    start : str, default="2026-06-01 06:00:00"
        Time of the first sample.
    random_state : int or numpy.random.Generator, default=0

    Returns
    -------
    DataFrame
        Indexed by a ``DatetimeIndex`` named ``timestamp``; columns ``x, y, z``
        (float64, g), ``behaviour`` (str) and ``event`` (bool).

    Examples
    --------
    >>> df = make_collar_stream(duration=60, random_state=0)
    >>> list(df.columns)
    ['x', 'y', 'z', 'behaviour', 'event']
    """
    if duration <= 0 or sampling_rate <= 0:
        raise ValueError("duration and sampling_rate must be positive.")
    rng = np.random.default_rng(random_state)
    fs = float(sampling_rate)
    n = int(round(duration * fs))
    if n < 2:
        raise ValueError("duration * sampling_rate gives fewer than two samples.")
    t = np.arange(n) / fs
    codes, bounds = _bouts(n, fs, rng)
    acc = np.empty((n, 3))
    for lo, hi, state in bounds:
        name = _NAMES[state]
        tilt = _rotation(rng.standard_normal(3), np.deg2rad(rng.uniform(0, 8)))
        g = tilt @ np.asarray(BEHAVIOURS[name]["gravity"], dtype=float)
        g /= np.linalg.norm(g)
        # the head keeps moving a little within the bout: a slow wander of ~4 degrees
        wander = np.deg2rad(4.0) * _slow(hi - lo, fs, rng)
        g = _tilted(g, rng.standard_normal(3), wander)
        acc[lo:hi] = g + _dynamics(name, t[lo:hi] - t[lo], fs, rng)
    event = np.zeros(n, dtype=bool)
    if events:
        n_events = rng.poisson(duration / 60.0)
        for _ in range(n_events):
            at = int(rng.integers(0, n))
            if rng.random() < 0.5:  # head shake: ~5 Hz, 1-2 s, up to 1 g
                m = min(int(rng.uniform(1.0, 2.0) * fs), n - at)
                tt = np.arange(m) / fs
                acc[at:at + m, 1] += 0.8 * np.sin(2 * np.pi * rng.uniform(4, 6) * tt) * np.hanning(m)
            else:  # bump: a decaying spike
                m = min(int(0.4 * fs) + 1, n - at)
                acc[at:at + m] += rng.normal(0, 1.0, 3) * np.exp(-np.arange(m) / (0.08 * fs))[:, None]
            event[at:at + m] = True
    if drift:
        roll = np.cumsum(rng.normal(0, np.deg2rad(4.0) / np.sqrt(3600 * fs), n))
        c, s = np.cos(roll), np.sin(roll)
        y, z = acc[:, 1].copy(), acc[:, 2].copy()
        acc[:, 1], acc[:, 2] = c * y - s * z, s * y + c * z
    acc += rng.normal(0, noise, acc.shape)
    keep = np.ones(n, dtype=bool)
    if gaps:
        for _ in range(rng.poisson(duration / 1200.0)):
            at = int(rng.integers(0, n))
            keep[at:at + int(rng.uniform(3, 20) * fs)] = False
    index = pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=1 / fs), name="timestamp")
    frame = pd.DataFrame(
        {"x": acc[:, 0], "y": acc[:, 1], "z": acc[:, 2],
         "behaviour": np.asarray(_NAMES, dtype=object)[codes], "event": event},
        index=index,
    )
    return frame[keep]


def make_collar_windows(duration=3600.0, *, window="2.56s", stride="1.28s", random_state=0, **kwargs):
    """Windows and labels of :func:`make_collar_stream`, ready for :class:`~deeptda.DeepTDA`.

    Parameters
    ----------
    duration : float, default=3600.0
    window, stride : str or int, default="2.56s", "1.28s"
    random_state : int, default=0
    **kwargs
        Passed to :func:`make_collar_stream`.

    Returns
    -------
    Windows
        With ``y`` the majority behaviour of each window.

    Examples
    --------
    >>> w = make_collar_windows(duration=120, random_state=0)
    >>> w.X.shape[1:]
    (3, 64)
    """
    import warnings

    from .windows import sliding_windows

    stream = make_collar_stream(duration, random_state=random_state, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # gaps are part of the simulation
        return sliding_windows(stream, window, stride, channels=["x", "y", "z"], labels="behaviour")


#: Labelled time-series sets whose files ship inside the ``aeon`` wheel (no download).
AEON_DATASETS = ("ACSF1", "ArrowHead", "BasicMotions", "GunPoint", "ItalyPowerDemand", "JapaneseVowels",
                 "OSULeaf", "PickupGestureWiimoteZ")


def load_aeon(name, split=None):
    """A labelled set from the ``.ts`` files that the ``aeon`` package ships.

    Parameters
    ----------
    name : str
        One of :data:`AEON_DATASETS`.
    split : {None, "train", "test"}, default=None
        ``None`` returns all cases (train then test).

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints), float32
        Sets whose cases differ in length (JapaneseVowels, PickupGestureWiimoteZ)
        are read in the equal-length versions aeon ships beside them.
    y : ndarray of shape (n_cases,), str

    Examples
    --------
    >>> X, y = load_aeon("GunPoint")
    >>> X.shape, sorted(set(y.tolist()))
    ((200, 1, 150), ['1', '2'])
    """
    if name not in AEON_DATASETS:
        raise ValueError(f"unknown set {name!r}; choose from {list(AEON_DATASETS)}.")
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be None, 'train' or 'test', got {split!r}.")
    try:
        from aeon.datasets import load_from_ts_file
        import aeon.datasets as aeon_datasets
    except ImportError:
        raise ImportError(
            f"load_aeon reads the {name} files shipped by the 'aeon' package, which is not installed; "
            "install it with: pip install \"deeptda[data]\""
        ) from None
    folder = os.path.join(os.path.dirname(aeon_datasets.__file__), "data", name)
    stem = f"{name}_eq" if os.path.exists(os.path.join(folder, f"{name}_eq_TRAIN.ts")) else name
    parts = ["TRAIN", "TEST"] if split is None else [split.upper()]
    Xs, ys = [], []
    for part in parts:
        X, y = load_from_ts_file(os.path.join(folder, f"{stem}_{part}.ts"))
        Xs.append(np.asarray(X, dtype=np.float32))
        ys.append(np.asarray(y).astype(str))
    X = np.concatenate(Xs)
    if not np.isfinite(X).all():  # padding of unequal lengths: carry the last value forward
        X = pd.DataFrame(X.reshape(-1, X.shape[-1]).T).ffill().bfill().to_numpy().T.reshape(X.shape)
        X = np.ascontiguousarray(X, dtype=np.float32)
    return X, np.concatenate(ys)


def load_basic_motions(split=None):
    """The UEA BasicMotions recordings: real smartwatch data of four activities.

    Eighty 10-second recordings, 20 each of standing, walking, running and
    playing badminton, made with a wrist-worn smartwatch: 3-axis accelerometer
    and 3-axis gyroscope at 10 Hz. Read from the ``.ts`` files that
    the ``aeon`` package ships (install with ``pip install "deeptda[data]"``).

    Parameters
    ----------
    split : {None, "train", "test"}, default=None
        ``None`` returns all 80 cases (train then test).

    Returns
    -------
    X : ndarray of shape (80, 6, 100), float32
        Channels: acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z.
    y : ndarray of shape (80,), str
        ``"standing"``, ``"walking"``, ``"running"`` or ``"badminton"``.

    Examples
    --------
    >>> X, y = load_basic_motions()
    >>> X.shape
    (80, 6, 100)
    """
    return load_aeon("BasicMotions", split)


def _numeric_share(column):
    """Share of a text column's non-empty cells that parse as numbers."""
    present = column.dropna()
    if len(present) == 0:
        return 0.0
    return float(pd.to_numeric(present, errors="coerce").notna().mean())


def _bad_cells(column, parsed):
    """Rows (counted from 1 below the header) and values of cells that did not parse."""
    bad = np.flatnonzero(parsed.isna().to_numpy() & column.notna().to_numpy())
    return bad, [f"row {i + 1}: {column.iloc[i]!r}" for i in bad[:3]]


def load_csv(path, *, timestamp=None, channels=None, label=None, unit=None, errors="raise"):
    """Read a recording from a CSV file into a DataFrame for :func:`~deeptda.sliding_windows`.

    Nothing is lost without a word: a cell that cannot be read as a number is
    an error naming its row and column (or, with ``errors="coerce"``, becomes
    NaN with a warning that says where); a text column that is not the label
    is left out of the channels with a warning naming it, unless you name the
    channels yourself.

    Parameters
    ----------
    path : str or path-like or file-like
    timestamp : str, default=None
        Column of timestamps, made the index: datetime strings (zone-aware ones
        keep their zone; mixed UTC offsets are read as UTC), or numbers of
        seconds (another unit with ``unit``). ``None`` keeps the default
        integer index.
    channels : list of str, default=None
        Sensor columns to keep (only these are read); all numeric columns by default.
    label : str, default=None
        Column of per-sample labels to keep.
    unit : str, default=None
        Unit of numeric timestamps (``"s"``, ``"ms"``, ``"us"``, ``"ns"``);
        ``None`` means seconds.
    errors : {"raise", "coerce"}, default="raise"
        What to do with a channel cell that is not a number: raise a
        ``ValueError`` naming it, or make it NaN and warn.

    Returns
    -------
    DataFrame
        The channel columns (float64), then the label column if any.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is empty, not text, malformed (rows of different lengths),
        lacks a named column, or holds cells that cannot be parsed.
    InsufficientMemoryError
        The file is larger than the memory available to read it.

    Examples
    --------
    >>> import io
    >>> df = load_csv(io.StringIO("t,x,y\\n0,1.0,2.0\\n1,1.5,2.5\\n"), timestamp="t", unit="s")
    >>> df.shape
    (2, 2)
    """
    import warnings

    from ._io import check_memory
    from .timestamps import parse_timestamps

    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', got {errors!r}.")
    name = path if isinstance(path, (str, os.PathLike)) else getattr(path, "name", "the CSV")
    if isinstance(path, (str, os.PathLike)):
        if not os.path.exists(path):
            raise FileNotFoundError(f"no such file: {os.fspath(path)!r}; check the path.")
        if os.path.isdir(path):
            raise ValueError(f"{os.fspath(path)!r} is a folder; give the path of a CSV file.")
        size = os.path.getsize(path)
        if size == 0:
            raise ValueError(f"{os.fspath(path)!r} is empty; it needs a header row and one row per sample.")
        # parsed values take about as many bytes as their text; pandas' parser needs about as much again
        check_memory(3 * size, f"reading the {size / 2**30:.2f} GB CSV {os.fspath(path)!r}",
                     "read fewer columns with channels=[...], or split the recording into shorter files")
    usecols = None
    if channels is not None:
        wanted = [c for c in (timestamp, *channels, label) if c is not None]
        usecols = lambda column: column in wanted  # noqa: E731 (missing names are reported below)
    try:
        frame = pd.read_csv(path, usecols=usecols)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name!s} is empty; it needs a header row and one row per sample.") from None
    except UnicodeDecodeError:
        raise ValueError(f"{name!s} is not a text CSV file (it holds bytes that are not text); "
                         "export the recording as CSV.") from None
    except pd.errors.ParserError as exc:
        raise ValueError(f"{name!s} is malformed: {str(exc).strip()}; every row needs as many "
                         "fields as the header (check for stray commas or a cut-off last line).") from None
    if channels is not None:
        missing = [c for c in channels if c not in frame.columns]
        if missing:
            header = pd.read_csv(path, nrows=0).columns.tolist() if isinstance(path, (str, os.PathLike)) else None
            raise ValueError(f"channels {missing} are not in the CSV; columns are {header or list(frame.columns)}.")
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ValueError(f"{name!s} has no data rows; it needs a header row and one row per sample.")
    for role, column in (("timestamp", timestamp), ("label", label)):
        if column is not None and column not in frame.columns:
            raise ValueError(f"{role} column {column!r} is not in the CSV; columns are {list(frame.columns)}.")
    if timestamp is not None:
        times = parse_timestamps(frame.pop(timestamp), unit=unit or "s", name=f"timestamp column {timestamp!r}")
        frame.index = pd.DatetimeIndex(times, name=timestamp)
    if channels is None:
        channels, ignored = [], []
        for column in frame.columns:
            if column == label:
                continue
            dtype = frame[column].dtype
            if pd.api.types.is_bool_dtype(dtype):
                ignored.append(column)
            elif pd.api.types.is_numeric_dtype(dtype) or _numeric_share(frame[column]) >= 0.5:
                channels.append(column)  # numbers, perhaps with a few bad cells (checked below)
            else:
                ignored.append(column)
        if ignored:
            warnings.warn(
                f"columns {ignored} are not numeric and are not used as channels; name the channels "
                "(channels=[...]) or the label column (label=...) to choose them yourself.",
                UserWarning, stacklevel=2,
            )
    missing = [c for c in channels if c not in frame.columns]
    if missing:
        raise ValueError(f"channels {missing} are not in the CSV; columns are {list(frame.columns)}.")
    if not channels:
        raise ValueError("the CSV has no numeric columns to use as channels; name them with channels=[...].")
    out = pd.DataFrame(index=frame.index)
    for column in channels:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values.dtype) or not pd.api.types.is_numeric_dtype(values.dtype):
            parsed = pd.to_numeric(values.astype(object).where(values.notna(), None), errors="coerce")
            bad, examples = _bad_cells(values, parsed)
            if pd.api.types.is_bool_dtype(values.dtype):
                parsed = values.astype(np.float64)
            elif len(bad) and errors == "raise":
                raise ValueError(
                    f"column {column!r} holds {len(bad)} cells that are not numbers ({', '.join(examples)}; "
                    "rows counted from 1 below the header); fix them, drop those rows, or pass "
                    "errors='coerce' to read them as missing values."
                )
            elif len(bad):
                warnings.warn(
                    f"column {column!r}: {len(bad)} cells that are not numbers were read as NaN "
                    f"({', '.join(examples)}; rows counted from 1 below the header).",
                    UserWarning, stacklevel=2,
                )
            values = parsed
        out[column] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if label is not None:
        out[label] = frame[label].to_numpy()
    return out
