"""Data to run on without a download: the real UEA/UCR sets shipped by ``aeon``
(BasicMotions and the others of :data:`AEON_DATASETS`), a CSV loader for your
own recordings, and, from their own modules, the seeded simulators
(:mod:`deeptda.simulations`: the collar of a grazing cow, a configurable
wearable) and the sensor fault model (:mod:`deeptda.faults`).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .faults import FAULT_KINDS, add_faults, make_spheres
from .simulations import (
    BEHAVIOURS,
    TRANSITIONS,
    make_collar_stream,
    make_collar_windows,
    make_wearable_stream,
    make_wearable_windows,
)

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

#: Labelled time-series sets whose files ship inside the ``aeon`` wheel (no download).
AEON_DATASETS = (
    "ACSF1",
    "ArrowHead",
    "BasicMotions",
    "Covid3Month_disc",  # 201 countries' daily COVID-19 cases over 84 days; death rate on 1 April 2020 in 3 bins
    "GunPoint",
    "ItalyPowerDemand",
    "JapaneseVowels",
    "OSULeaf",
    "PickupGestureWiimoteZ",
    "UnitTest",  # aeon's cut-down Chinatown: 42 days of hourly pedestrian counts, weekday or weekend
)


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
        import aeon.datasets as aeon_datasets
        from aeon.datasets import load_from_ts_file
    except ImportError:
        raise ImportError(
            f"load_aeon reads the {name} files shipped by the 'aeon' package, which is not installed; "
            'install it with: pip install "deeptda[data]"'
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


def _read_parquet(path, columns):
    """The Parquet file's columns (those of ``columns`` it has, or all) as a DataFrame; a named
    index that pandas stored in the file (a DatetimeIndex) comes back as a column."""
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow comes with the extras
        raise ValueError("reading Parquet files needs pyarrow: pip install 'deeptda[dask]'.") from None
    try:
        names = pq.ParquetFile(path).schema_arrow.names
        table = pq.read_table(path, columns=None if columns is None else [c for c in columns if c in names])
    except (OSError, ValueError) as exc:  # pyarrow's ArrowIOError and ArrowInvalid
        raise ValueError(f"{os.fspath(path)!r} is not a readable Parquet file ({exc}).") from None
    frame = table.to_pandas()
    return frame.reset_index(drop=all(name is None for name in frame.index.names))


def _header(path, parquet):
    """The file's column names, read without its rows."""
    if parquet:
        import pyarrow.parquet as pq

        return [n for n in pq.ParquetFile(path).schema_arrow.names if not n.startswith("__index_level_")]
    return pd.read_csv(path, nrows=0).columns.tolist()


def load_csv(path, *, timestamp=None, channels=None, label=None, unit=None, errors="raise"):
    """Read a recording from a CSV (or Parquet) file into a DataFrame for :func:`~deeptda.sliding_windows`.

    A path ending in ``.parquet`` or ``.pq`` is read as Parquet (needs pyarrow, in the
    extras); a timestamp that pandas stored there as the index is a column like any other.
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
        check_memory(
            3 * size,
            f"reading the {size / 2**30:.2f} GB CSV {os.fspath(path)!r}",
            "read fewer columns with channels=[...] (--channels), or split the recording into shorter files",
        )
    usecols = wanted = None
    if channels is not None:
        wanted = [c for c in (timestamp, *channels, label) if c is not None]
        usecols = lambda column: column in wanted  # noqa: E731 (missing names are reported below)
    parquet = isinstance(path, (str, os.PathLike)) and os.fspath(path).lower().endswith((".parquet", ".pq"))
    source = "the Parquet file" if parquet else "the CSV"
    try:
        frame = _read_parquet(path, wanted) if parquet else pd.read_csv(path, usecols=usecols)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name!s} is empty; it needs a header row and one row per sample.") from None
    except UnicodeDecodeError:
        raise ValueError(
            f"{name!s} is not a text CSV file (it holds bytes that are not text); export the recording as CSV."
        ) from None
    except pd.errors.ParserError as exc:
        raise ValueError(
            f"{name!s} is malformed: {str(exc).strip()}; every row needs as many "
            "fields as the header (check for stray commas or a cut-off last line)."
        ) from None
    if channels is not None:
        missing = [c for c in channels if c not in frame.columns]
        if missing:
            header = _header(path, parquet) if isinstance(path, (str, os.PathLike)) else None
            raise ValueError(f"channels {missing} are not in {source}; columns are {header or list(frame.columns)}.")
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ValueError(f"{name!s} has no data rows; it needs a header row and one row per sample.")
    for role, column in (("timestamp", timestamp), ("label", label)):
        if column is not None and column not in frame.columns:
            raise ValueError(f"{role} column {column!r} is not in {source}; columns are {list(frame.columns)}.")
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
                "(channels=[...], or --channels in the shell) or the label column (label=..., --label) to choose "
                "them yourself.",
                UserWarning,
                stacklevel=2,
            )
    missing = [c for c in channels if c not in frame.columns]
    if missing:
        raise ValueError(f"channels {missing} are not in {source}; columns are {list(frame.columns)}.")
    if not channels:
        raise ValueError(
            f"{source} has no numeric columns to use as channels; name them with channels=[...] (--channels)."
        )
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
                    UserWarning,
                    stacklevel=2,
                )
            values = parsed
        out[column] = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if label is not None:
        out[label] = frame[label].to_numpy()
    return out
