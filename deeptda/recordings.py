"""Recordings as a collection: CSV or Parquet files (one per animal, or one long table
with an id column), listed without reading them and read in chunks when needed.

* :func:`read_recordings` lists the recordings;
* :func:`iter_windows` cuts one recording into windows a chunk at a time (Parquet one
  row group at a time), on the same grid as :func:`~deeptda.sliding_windows` on the
  whole recording, so memory does not grow with the recording's length;
* :func:`interval_seconds` reads a recording's sampling interval from its first rows.

Windows never cross a recording or a gap.
"""

from __future__ import annotations

import glob
import logging
import os
from typing import NamedTuple

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = ["Recording", "read_recordings", "iter_windows", "interval_seconds", "CHUNK_ROWS"]

#: Rows read at a time (CSV chunks; Parquet reads whole row groups).
CHUNK_ROWS = 250_000


class Recording(NamedTuple):
    """Where one recording lives and how to read it (nothing is read until windows are asked for)."""

    name: str
    path: str
    kind: str  # "csv" or "parquet"
    timestamp: str | None
    channels: tuple | None
    id_column: str | None = None
    id_value: object = None


def _kind(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in (".parquet", ".pq"):
        return "parquet"
    if ext in (".csv", ".gz", ".txt"):
        return "csv"
    raise ValueError(f"{path}: unknown file type {ext!r}; give CSV (.csv) or Parquet (.parquet) files.")


def _ids(path, kind, column):
    if kind == "parquet":
        import pyarrow.parquet as pq

        values = pq.read_table(path, columns=[column]).column(column).to_pandas()
    else:
        values = pd.concat(chunk[column] for chunk in pd.read_csv(path, usecols=[column], chunksize=CHUNK_ROWS))
    return list(pd.unique(values))


def read_recordings(paths, *, timestamp=None, channels=None, id=None):
    """The recordings of a herd, as a list of :class:`Recording` (files are not read yet).

    Parameters
    ----------
    paths : str or list of str
        Files or glob patterns (``"data/*.parquet"``), CSV or Parquet.
    timestamp : str, default=None
        Timestamp column (datetimes, or numbers of seconds). None: sample index.
    channels : list of str, default=None
        Channel columns. None: every numeric column except the timestamp and id.
    id : str, default=None
        Column naming the animal in a long table: one recording per value (per file).

    Returns
    -------
    list of Recording
        Sorted by file, then by id in order of appearance; names are file stems or ids.
    """
    patterns = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files = []
    for pattern in patterns:
        found = sorted(glob.glob(os.fspath(pattern)))
        if not found:
            raise FileNotFoundError(f"no such file: {os.fspath(pattern)!r}; check the path or the pattern.")
        files.extend(f for f in found if f not in files)
    recordings = []
    for path in files:
        kind = _kind(path)
        chans = tuple(channels) if channels is not None else None
        if id is None:
            recordings.append(Recording(os.path.splitext(os.path.basename(path))[0], path, kind, timestamp, chans))
        else:
            for value in _ids(path, kind, id):
                recordings.append(Recording(str(value), path, kind, timestamp, chans, id, value))
    names = [r.name for r in recordings]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"recording names repeat: {repeated}; give each file (or id) a distinct name.")
    return recordings


def _frames(rec, chunk_rows):
    """The recording's rows in order, a chunk at a time: DataFrames of the timestamp and channels."""
    frames = _read_frames(rec, chunk_rows)
    while True:
        with _in_recording(rec):  # an unreadable file names itself (the context never spans a yield)
            frame = next(frames, None)
        if frame is None:
            return
        yield frame


def _read_frames(rec, chunk_rows):
    columns = None
    if rec.channels is not None:
        columns = [c for c in (rec.timestamp, rec.id_column, *rec.channels) if c is not None]
        present = _file_columns(rec)
        missing = [c for c in columns if c not in present]
        if missing:
            raise ValueError(
                f"recording {rec.name!r} has no column {missing}; its columns are {present}. "
                "Check --timestamp and --channels (or timestamp= and channels=)."
            )
    if rec.kind == "parquet":
        import pyarrow.parquet as pq

        # one row group at a time: iter_batches over the whole file reads far ahead, and its memory
        # grows with the file's length
        parquet = pq.ParquetFile(rec.path, pre_buffer=False)
        batches = (
            b.to_pandas()
            for i in range(parquet.num_row_groups)
            for b in parquet.iter_batches(batch_size=chunk_rows, row_groups=[i], columns=columns)
        )
    else:
        batches = pd.read_csv(rec.path, usecols=columns, chunksize=chunk_rows)
    for frame in batches:
        if rec.id_column is not None:
            frame = frame[frame[rec.id_column] == rec.id_value].drop(columns=[rec.id_column])
        if len(frame):
            # pandas keeps a named index (a DatetimeIndex) in the Parquet file and restores it as the
            # index: it is a column of the recording, not row numbers to drop
            yield frame.reset_index(drop=all(name is None for name in frame.index.names))


def _file_columns(rec):
    with _in_recording(rec):
        return _read_columns(rec)


def _read_columns(rec):
    if rec.kind == "parquet":
        import pyarrow.parquet as pq

        return [str(name) for name in pq.ParquetFile(rec.path).schema_arrow.names]
    return [str(name) for name in pd.read_csv(rec.path, nrows=0).columns]


def _channels(rec, frame):
    if rec.channels is not None:
        missing = [c for c in rec.channels if c not in frame.columns]
        if missing:
            raise ValueError(f"recording {rec.name!r} has no column {missing}; check --channels.")
        return list(rec.channels)
    from .windows import numeric_channels

    numeric = numeric_channels(frame, exclude=[rec.timestamp])
    if not numeric:
        raise ValueError(f"recording {rec.name!r} has no numeric channel column.")
    return numeric


def _in_recording(rec, first_row=None, n_rows=None):
    """Errors about the data name the recording (and its rows): in a herd of many files the
    user must know which one to fix."""
    from ._io import naming

    rows = "" if first_row is None else f", rows {first_row:,}-{first_row + n_rows - 1:,}"
    return naming(f"recording {rec.name!r} ({rec.path}{rows})", known=repr(rec.name))


def interval_seconds(rec, chunk_rows=CHUNK_ROWS):
    """The recording's median sampling interval in seconds (None without a timestamp column)."""
    from .timestamps import parse_timestamps, sampling_interval, time_axis

    if rec.timestamp is None:
        return None
    frame = next(_frames(rec, min(chunk_rows, 10_000)), None)
    if frame is None:
        raise ValueError(f"recording {rec.name!r} holds no rows.")
    if rec.timestamp not in frame.columns:
        raise ValueError(
            f"recording {rec.name!r} has no timestamp column {rec.timestamp!r}; its columns are "
            f"{list(map(str, frame.columns))}. Check --timestamp (or timestamp=)."
        )
    with _in_recording(rec, 0, len(frame)):
        return float(sampling_interval(time_axis(parse_timestamps(frame[rec.timestamp]))[1]))


def iter_windows(rec, window, stride, *, chunk_rows=CHUNK_ROWS):
    """Windows of one recording, a chunk at a time: ``(X, start, end)`` per chunk.

    ``window`` and ``stride`` are sample counts. The windows are those of
    :func:`~deeptda.sliding_windows` on the whole recording (same grid, none across a
    gap), but only about ``chunk_rows`` rows are in memory at once.
    """
    from .windows import sliding_windows

    chunk = max(stride, (chunk_rows // stride) * stride)  # chunk starts stay on the window grid
    need = chunk + window - stride
    buffer, offset, dropped, channels = None, 0, 0, None

    def cut(frame, last):
        nonlocal dropped
        if len(frame) < window:
            return None
        import warnings

        with warnings.catch_warnings(), _in_recording(rec, offset, len(frame)):
            warnings.simplefilter("ignore")  # dropped windows are counted and reported once
            w = sliding_windows(frame, window, stride, timestamp=rec.timestamp, channels=channels)
        keep = np.ones(len(w.X), dtype=bool) if last else w.start_index < chunk
        dropped += w.n_dropped
        if rec.timestamp is None:
            start, end = offset + w.start_index, offset + w.start_index + window - 1
        else:
            start, end = np.asarray(w.start), np.asarray(w.end)
        return w.X[keep], start[keep], end[keep]

    for frame in _frames(rec, chunk_rows):
        if channels is None:
            channels = _channels(rec, frame)
        buffer = frame if buffer is None else pd.concat([buffer, frame], ignore_index=True)
        while len(buffer) >= need:
            piece = cut(buffer.iloc[:need].reset_index(drop=True), last=False)
            if piece is not None and len(piece[0]):
                yield piece
            buffer = buffer.iloc[chunk:].reset_index(drop=True)
            offset += chunk
    if buffer is not None:
        piece = cut(buffer, last=True)
        if piece is not None and len(piece[0]):
            yield piece
    if dropped:
        logger.warning("%s: %d windows span gaps in the timestamps and were left out", rec.name, dropped)
