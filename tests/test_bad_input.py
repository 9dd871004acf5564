"""The bad-input matrix: every public entry point against awkward and wrong input.

Each case ends in one of two ways: an exception of a documented type whose
message names the problem and the fix (regex-matched), or a correct, finite
result. Nothing crashes deep inside torch or numba, nothing returns NaN, and
the command line never prints a traceback for a user's mistake.

``docs/bad_input.md`` is generated from this module and checked against it:
regenerate it with ``python tests/test_bad_input.py``.
"""

from __future__ import annotations

import io
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import deeptda
from deeptda import DeepTDA, PersistenceClustering, SlidingWindow, sliding_windows
from deeptda import ChannelScaler
from deeptda.bouts import clusters_to_bouts, representative_windows, time_budget
from deeptda.datasets import load_aeon, load_basic_motions, load_csv, make_collar_stream, make_wearable_stream
from deeptda.metrics import evaluate_embedding, knn_accuracy, procrustes_disparity, trustworthiness
from deeptda.topology import diagram_distance, one_dim_pairs, persistence_diagram, zero_dim_pairs

DOC = Path(__file__).resolve().parents[1] / "docs" / "bad_input.md"
TINY = dict(n_epochs=1, map_epochs=1, random_state=0)
RNG = np.random.default_rng(0)
W = RNG.normal(size=(12, 3, 16)).astype(np.float32)  # 12 windows of 3 channels x 16 samples
ROWS = RNG.normal(size=(12, 4))


@dataclass(frozen=True)
class Raises:
    """The call raises ``exc`` with a message matching ``match``."""

    exc: type
    match: str

    def describe(self):
        return f"`{self.exc.__name__}`: {self.match.replace('|', ' or ')}"


@dataclass(frozen=True)
class Works:
    """The call returns; ``check(result)`` holds (finite values, the right shape)."""

    what: str
    check: Callable = lambda result: True

    def describe(self):
        return f"works: {self.what}"


@dataclass(frozen=True)
class Case:
    entry: str
    case: str
    call: Callable  # call(tmp_path) -> result
    expect: object


def finite(a):
    a = np.asarray(a, dtype=float)
    return a.size > 0 and bool(np.isfinite(a).all())


def fitted_model():
    if not hasattr(fitted_model, "model"):
        fitted_model.model = DeepTDA(**TINY).fit(W)
    return fitted_model.model


def write(tmp, name, content, mode="w"):
    path = tmp / name
    with open(path, mode) as fh:
        fh.write(content)
    return str(path)


def cli(*args):
    """Run the CLI in-process; returns (exit code, stderr) and fails on a traceback."""
    from contextlib import redirect_stderr, redirect_stdout

    from deeptda.cli import main

    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = main(list(args))
    text = err.getvalue()
    assert "Traceback" not in text, text
    if code != 0:
        raise CLIError(code, text.strip())
    return code, text


class CLIError(Exception):
    def __init__(self, code, text):
        super().__init__(f"exit {code}: {text}")


def cli_error(match):
    return Raises(CLIError, r"exit 2: (?s:.*)deeptda: error: .*" + match)


def stream_frame(n=200, fs=10.0, tz=None):
    idx = pd.date_range("2026-03-01", periods=n, freq=pd.Timedelta(seconds=1 / fs), tz=tz)
    return pd.DataFrame({"x": np.sin(np.arange(n) / 3), "y": np.cos(np.arange(n) / 5)}, index=idx)


def saved_model(tmp):
    path = str(tmp / "model.pt")
    fitted_model().save(path)
    return path


# --------------------------------------------------------------------------- the matrix
# one case per line (or two) reads as a table: the formatter leaves it as written
# fmt: off
CASES = [
    # DeepTDA ---------------------------------------------------------------------------
    Case("DeepTDA.fit", "NaN in windows", lambda t: DeepTDA(**TINY).fit(np.where(W > 2, np.nan, W)),
         Raises(ValueError, "NaN")),
    Case("DeepTDA.fit", "inf in rows", lambda t: DeepTDA(**TINY).fit(np.where(ROWS > 1.5, np.inf, ROWS)),
         Raises(ValueError, "infinity|NaN")),
    Case("DeepTDA.fit", "empty array", lambda t: DeepTDA(**TINY).fit(np.zeros((0, 3, 16))),
         Raises(ValueError, "0 sample")),
    Case("DeepTDA.fit", "one sample", lambda t: DeepTDA(**TINY).fit(W[:1]), Raises(ValueError, "1 sample")),
    Case("DeepTDA.fit", "two samples", lambda t: DeepTDA(**TINY).fit(W[:2]),
         Raises(ValueError, "at least 3 samples")),
    Case("DeepTDA.fit", "1-D input", lambda t: DeepTDA(**TINY).fit(np.arange(10.0)),
         Raises(ValueError, "2D array|2-D")),
    Case("DeepTDA.fit", "4-D input", lambda t: DeepTDA(**TINY).fit(W[..., None]),
         Raises(ValueError, "2-D .* or 3-D")),
    Case("DeepTDA.fit", "windows with 0 channels", lambda t: DeepTDA(**TINY).fit(W[:, :0]),
         Raises(ValueError, "0 channels .* at least one channel")),
    Case("DeepTDA.fit", "windows with 0 timepoints", lambda t: DeepTDA(**TINY).fit(W[:, :, :0]),
         Raises(ValueError, "0 timepoints")),
    Case("DeepTDA.fit", "strings", lambda t: DeepTDA(**TINY).fit(np.array([["a", "b"]] * 5)),
         Raises(ValueError, "not numbers .* numeric")),
    Case("DeepTDA.fit", "every sample identical", lambda t: _warns(
        "every one of the 20 samples is identical", DeepTDA(**TINY).fit_transform, np.ones((20, 3, 16))),
        Works("warns; every sample at one point", lambda Y: finite(Y) and not np.ptp(Y, axis=0).any())),
    Case("DeepTDA.fit", "object array of numbers", lambda t: DeepTDA(**TINY).fit_transform(ROWS.astype(object)),
         Works("converted to float", finite)),
    Case("DeepTDA.fit", "complex", lambda t: DeepTDA(**TINY).fit(W.astype(complex)),
         Raises(ValueError, "complex; pass real values")),
    Case("DeepTDA.fit", "bool windows", lambda t: DeepTDA(**TINY).fit_transform(W > 0),
         Works("read as 0/1", finite)),
    Case("DeepTDA.fit", "float16 windows", lambda t: DeepTDA(**TINY).fit_transform(W.astype(np.float16)),
         Works("read as float32", finite)),
    Case("DeepTDA.fit", "extreme magnitudes (1e30)", lambda t: DeepTDA(**TINY).fit_transform(W * 1e30),
         Works("finite map", finite)),
    Case("DeepTDA.fit", "a spike of 1e300 in float64 rows",
         lambda t: DeepTDA(**TINY).fit_transform(np.where(np.arange(ROWS.size).reshape(ROWS.shape) == 5, 1e300, ROWS)),
         Works("finite map (the scaler clips)", finite)),
    Case("DeepTDA.fit", "constant windows (a sensor at rest)",
         lambda t: DeepTDA(**TINY).fit_transform(np.ones((12, 3, 16), np.float32)), Works("finite map", finite)),
    Case("DeepTDA.fit", "duplicate windows", lambda t: DeepTDA(**TINY).fit_transform(np.repeat(W[:3], 4, axis=0)),
         Works("finite map", finite)),
    Case("DeepTDA.fit", "pandas rows", lambda t: DeepTDA(**TINY).fit_transform(pd.DataFrame(ROWS)),
         Works("finite map", finite)),
    Case("DeepTDA.fit", "negative n_neighbors", lambda t: DeepTDA(n_neighbors=-1, **TINY).fit(W),
         Raises(ValueError, "n_neighbors")),
    Case("DeepTDA.fit", "unknown augmentation", lambda t: DeepTDA(augmentations=["warp"], **TINY).fit(W),
         Raises(ValueError, "unknown augmentations .* choose from")),
    Case("DeepTDA.fit", "topo_dims=(2,)", lambda t: DeepTDA(topo_dims=(2,), **TINY).fit(W),
         Raises(ValueError, r"topo_dims must be \(0,\) or \(0, 1\)")),
    Case("DeepTDA.fit", "unknown device", lambda t: DeepTDA(device="tpu", **TINY).fit(W),
         Raises(ValueError, "unknown device")),
    Case("DeepTDA.transform", "before fit", lambda t: DeepTDA().transform(W),
         Raises(NotFittedError, "not fitted")),
    Case("DeepTDA.transform", "other channel count", lambda t: fitted_model().transform(W[:, :2]),
         Raises(ValueError, "windows of 2 channels, but DeepTDA was fitted on windows of 3; pass the channels")),
    Case("DeepTDA.transform", "other feature count (rows)", lambda t: DeepTDA(**TINY).fit(ROWS).transform(ROWS[:, :2]),
         Raises(ValueError, "2 features, but DeepTDA is expecting")),
    Case("DeepTDA.transform", "other window length", lambda t: fitted_model().transform(W[:, :, :8]),
         Raises(ValueError, "windows of 8 timepoints.*same window length")),
    Case("DeepTDA.transform", "rows to a window model", lambda t: fitted_model().transform(W[:, 0]),
         Raises(ValueError, "2-D but DeepTDA was fitted on 3-D")),
    Case("DeepTDA.transform", "NaN", lambda t: fitted_model().transform(np.where(W > 2, np.nan, W)),
         Raises(ValueError, "NaN")),
    Case("DeepTDA.transform", "one window", lambda t: fitted_model().transform(W[:1]),
         Works("one finite row", lambda y: y.shape == (1, 2) and finite(y))),
    # save / load -------------------------------------------------------------------------
    Case("DeepTDA.save", "unfitted model", lambda t: DeepTDA().save(str(t / "m.pt")),
         Raises(NotFittedError, "not fitted")),
    Case("DeepTDA.save", "into a missing folder", lambda t: fitted_model().save(str(t / "no" / "m.pt")),
         Raises(FileNotFoundError, "no such folder .* to write .m.pt. in; create it first")),
    Case("DeepTDA.load", "missing file", lambda t: DeepTDA.load(str(t / "missing.pt")),
         Raises(FileNotFoundError, "missing.pt")),
    Case("DeepTDA.load", "empty file", lambda t: DeepTDA.load(write(t, "e.pt", "")),
         Raises(ValueError, "not a readable deeptda model file")),
    Case("DeepTDA.load", "truncated file", lambda t: DeepTDA.load(
        write(t, "t.pt", open(saved_model(t), "rb").read()[:500], "wb")),
        Raises(ValueError, "not a readable deeptda model file")),
    Case("DeepTDA.load", "a text file", lambda t: DeepTDA.load(write(t, "x.pt", "hello")),
         Raises(ValueError, "not a readable deeptda model file")),
    Case("DeepTDA.load", "a pickle that is not weights-only", lambda t: DeepTDA.load(_pickled_object(t)),
         Raises(ValueError, "not a readable deeptda model file")),
    Case("DeepTDA.load", "round trip", lambda t: DeepTDA.load(saved_model(t)).transform(W),
         Works("same map as the saved model", lambda y: np.allclose(y, fitted_model().transform(W), atol=1e-6))),
    # ChannelScaler, TSNE, UMAP -------------------------------------------------------------
    Case("ChannelScaler", "constant channel", lambda t: ChannelScaler().fit_transform(np.ones((5, 2, 4))),
         Works("zeros", lambda y: np.array_equal(y, np.zeros((5, 2, 4))))),
    Case("ChannelScaler", "NaN", lambda t: ChannelScaler().fit(np.full((5, 2), np.nan)), Raises(ValueError, "NaN")),
    Case("ChannelScaler", "values whose squares overflow float64 (1e300)",
         lambda t: ChannelScaler().fit_transform(ROWS * 1e300),
         Works("the values of X / 1e300", lambda y: np.allclose(y, ChannelScaler().fit_transform(ROWS), atol=1e-6))),
    Case("ChannelScaler", "a spread float64 cannot hold (values near 1.7e308)",
         lambda t: ChannelScaler().fit(np.clip(W.astype(np.float64), -1, 1) * 1.7e308), Raises(ValueError, "divide X by a constant")),
    Case("TSNE", "three samples", lambda t: deeptda.TSNE().fit(ROWS[:3]), Raises(ValueError, "at least 4 samples")),
    Case("UMAP", "NaN", lambda t: deeptda.UMAP().fit(np.where(ROWS > 1, np.nan, ROWS)), Raises(ValueError, "NaN")),
    Case("TSNE", "other channel count at transform", lambda t: deeptda.TSNE(random_state=0).fit(
        RNG.normal(size=(30, 3, 8))).transform(W[:, :2, :8]), Raises(ValueError, "2 channels, but TSNE was fitted on windows of 3")),
    # sliding windows -------------------------------------------------------------------------
    Case("sliding_windows", "a negative duration", lambda t: sliding_windows(stream_frame(), "-2s", "1s"),
         Raises(ValueError, r"window='-2s' is not positive \(the stream is sampled every 0.1 s\)")),
    Case("sliding_windows", "a stride shorter than one sample", lambda t: sliding_windows(stream_frame(), "2s", "10ms"),
         Raises(ValueError, "stride='10ms' is shorter than one sample")),
    Case("sliding_windows", "window longer than the stream", lambda t: sliding_windows(np.zeros((10, 2)), 20),
         Raises(ValueError, "longer than the stream.*shorter window")),
    Case("sliding_windows", "zero stride", lambda t: sliding_windows(np.zeros((10, 2)), 4, 0),
         Raises(ValueError, "stride must be positive")),
    Case("sliding_windows", "empty stream", lambda t: sliding_windows(np.zeros((0, 2)), 4),
         Raises(ValueError, "stream is empty")),
    Case("sliding_windows", "no channels", lambda t: sliding_windows(np.zeros((10, 0)), 4),
         Raises(ValueError, "no channels")),
    Case("sliding_windows", "channel index out of range", lambda t: sliding_windows(np.zeros((10, 2)), 4, channels=[5]),
         Raises(ValueError, "not all column indices")),
    Case("sliding_windows", "3-D input", lambda t: sliding_windows(W, 4),
         Raises(ValueError, "must be 2-D.*pass them to DeepTDA directly")),
    Case("sliding_windows", "strings", lambda t: sliding_windows(np.array([["a"], ["b"]]), 1),
         Raises(ValueError, "must be numeric")),
    Case("sliding_windows", "a sparse matrix", lambda t: sliding_windows(__import__("scipy.sparse").sparse.eye(10).tocsr(), 2),
         Raises(TypeError, "sparse input is not supported.*toarray")),
    Case("sliding_windows", "complex values", lambda t: sliding_windows(np.ones((10, 2), complex), 2),
         Raises(ValueError, "Complex data not supported")),
    Case("sliding_windows", "NaN samples", lambda t: sliding_windows(np.r_[np.zeros(5), np.nan], 2),
         Raises(ValueError, "NaN or infinite values in 1 samples; fill or drop")),
    Case("sliding_windows", "duration without timestamps", lambda t: sliding_windows(np.zeros(10), "1s"),
         Raises(ValueError, "no timestamps")),
    Case("sliding_windows", "nonsense duration", lambda t: sliding_windows(stream_frame(), "soon"),
         Raises(ValueError, "neither a sample count nor a duration")),
    Case("sliding_windows", "labels of the wrong length", lambda t: sliding_windows(np.zeros(10), 2, labels=[0] * 9),
         Raises(ValueError, "one label per sample")),
    Case("sliding_windows", "timestamps of the wrong length", lambda t: sliding_windows(np.zeros(10), 2, timestamp=np.arange(9)),
         Raises(ValueError, "one time per row")),
    Case("sliding_windows", "timezone-aware DatetimeIndex", lambda t: sliding_windows(stream_frame(tz="Europe/Paris"), "2s"),
         Works("windows; start in the input's zone", lambda w: str(w.start.tz) == "Europe/Paris" and w.X.shape == (10, 2, 20))),
    Case("sliding_windows", "duplicate timestamps",
         lambda t: _quiet(sliding_windows, stream_frame(10).set_axis(
             pd.to_datetime(np.repeat(np.arange(5), 2), unit="s")), 2),
         Works("every sample kept, duplicates spread", lambda w: w.X.shape == (5, 2, 2) and w.n_dropped == 0)),
    Case("sliding_windows", "clock jumps backwards (daylight saving)",
         lambda t: _quiet(sliding_windows, np.arange(20.0), 4, timestamp=np.r_[np.arange(10.0), np.arange(8.0, 18.0)]),
         Works("split at the jump", lambda w: w.start_index.tolist() == [0, 4, 12, 16])),
    Case("sliding_windows", "unsorted timestamps", lambda t: sliding_windows(
        np.zeros(50), 4, timestamp=np.random.default_rng(1).permutation(50).astype(float)),
        Raises(ValueError, "not sorted.*sort the stream")),
    Case("sliding_windows", "unparsable timestamps", lambda t: sliding_windows(
        pd.DataFrame({"t": ["2026-01-01", "noon", "2026-01-03"], "x": [1.0, 2.0, 3.0]}), 2, timestamp="t"),
        Raises(ValueError, "cannot be read as times.*position 1")),
    Case("sliding_windows", "boolean timestamps", lambda t: sliding_windows(np.zeros(4), 2, timestamp=[True] * 4),
         Raises(ValueError, "booleans")),
    Case("sliding_windows", "mixed sampling rates", lambda t: sliding_windows(
        np.zeros(400), 10, timestamp=np.r_[np.arange(200) * 0.04, 8 + np.arange(200) * 0.02]),
        Raises(ValueError, "sampling interval changes.*[Rr]esample")),
    Case("sliding_windows", "missing timestamp column", lambda t: sliding_windows(stream_frame(), 4, timestamp="time"),
         Raises(ValueError, "timestamp column 'time' is not in the DataFrame")),
    Case("sliding_windows", "DataFrame without numeric columns", lambda t: sliding_windows(
        pd.DataFrame({"a": ["x", "y"]}), 1), Raises(ValueError, "no numeric channel columns; pass channels")),
    Case("SlidingWindow.transform", "other channel count", lambda t: SlidingWindow(4).fit(
        np.zeros((20, 3))).transform(np.zeros((20, 2))), Raises(ValueError, "2 features, but SlidingWindow is expecting 3 features")),
    # loaders -------------------------------------------------------------------------------
    Case("load_csv", "missing file", lambda t: load_csv(str(t / "missing.csv")),
         Raises(FileNotFoundError, "no such file.*check the path")),
    Case("load_csv", "a folder", lambda t: load_csv(str(t)), Raises(ValueError, "is a folder")),
    Case("load_csv", "empty file", lambda t: load_csv(write(t, "e.csv", "")), Raises(ValueError, "is empty")),
    Case("load_csv", "header only", lambda t: load_csv(write(t, "h.csv", "x,y\n")), Raises(ValueError, "no data rows")),
    Case("load_csv", "binary file", lambda t: load_csv(write(t, "b.csv", bytes(range(256)) * 8, "wb")),
         Raises(ValueError, "not a text CSV file|malformed")),
    Case("load_csv", "ragged rows", lambda t: load_csv(write(t, "r.csv", "x,y\n1,2\n3,4,5\n6,7\n")),
         Raises(ValueError, "malformed.*as many fields as the header")),
    Case("load_csv", "an unparsable cell", lambda t: load_csv(write(t, "u.csv", "x,y\n1,2\n3,oops\n5,6\n")),
         Raises(ValueError, r"column 'y' holds 1 cells that are not numbers \(row 2: 'oops'.*errors='coerce'")),
    Case("load_csv", "an unparsable cell, coerced", lambda t: _quiet(
        load_csv, write(t, "u.csv", "x,y\n1,2\n3,oops\n5,6\n"), errors="coerce"),
        Works("both channels kept, the cell NaN", lambda f: list(f.columns) == ["x", "y"] and f["y"].isna().sum() == 1)),
    Case("load_csv", "a text column not named", lambda t: _warns(
        "not numeric and are not used as channels", load_csv, write(t, "l.csv", "x,note\n1,a\n2,b\n")),
        Works("warns, names the column", lambda f: list(f.columns) == ["x"])),
    Case("load_csv", "a text file named .parquet", lambda t: load_csv(write(t, "r.parquet", "x,y\n1,2\n")),
         Raises(ValueError, "is not a readable Parquet file")),
    Case("load_csv", "missing channel", lambda t: load_csv(write(t, "c.csv", "x,y\n1,2\n"), channels=["z"]),
         Raises(ValueError, r"channels \['z'\] are not in the CSV; columns are")),
    Case("load_csv", "missing timestamp column", lambda t: load_csv(write(t, "c.csv", "x,y\n1,2\n"), timestamp="t"),
         Raises(ValueError, "timestamp column 't' is not in the CSV")),
    Case("load_csv", "unparsable timestamp", lambda t: load_csv(
        write(t, "ts.csv", "t,x\n2026-01-01 00:00:00,1\nnot a time,2\n"), timestamp="t"),
        Raises(ValueError, "cannot be read as times.*position 1")),
    Case("load_csv", "timezone-aware timestamps", lambda t: load_csv(
        write(t, "tz.csv", "t,x\n2026-01-01T00:00:00+01:00,1\n2026-01-01T00:00:01+01:00,2\n"), timestamp="t"),
        Works("zone kept", lambda f: f.index.tz is not None)),
    Case("load_csv", "numeric timestamps (seconds)", lambda t: load_csv(write(t, "n.csv", "t,x\n0,1\n0.5,2\n"), timestamp="t"),
         Works("seconds", lambda f: (f.index[1] - f.index[0]).total_seconds() == 0.5)),
    Case("load_csv", "larger than the memory budget", lambda t: _with_env(
        {"DEEPTDA_MEMORY_LIMIT": "1K"}, load_csv, write(t, "big.csv", "x\n" + "1.0\n" * 1000)),
        Raises(MemoryError, "needs about .* memory is available.*channels=")),
    Case("load_basic_motions", "unknown split", lambda t: load_basic_motions("validation"), Raises(ValueError, "split must be")),
    Case("make_collar_stream", "zero duration", lambda t: make_collar_stream(0), Raises(ValueError, "must be positive")),
    Case("load_aeon", "a set aeon does not ship", lambda t: load_aeon("Nope"), Raises(ValueError, "unknown set 'Nope'; choose from")),
    Case("make_wearable_stream", "ten channels", lambda t: make_wearable_stream(60, n_channels=10),
         Raises(ValueError, "n_channels must be between 1 and 9")),
    Case("make_wearable_stream", "summary shorter than a sample", lambda t: make_wearable_stream(60, 10, summary="10ms"),
         Raises(ValueError, "shorter than the sampling interval")),
    Case("make_wearable_stream", "summary not a period", lambda t: make_wearable_stream(60, summary="often"),
         Raises(ValueError, "summary must be a period")),
    # clustering ------------------------------------------------------------------------------
    Case("PersistenceClustering", "one point", lambda t: PersistenceClustering().fit(ROWS[:1]), Raises(ValueError, "1 sample")),
    Case("PersistenceClustering", "NaN", lambda t: PersistenceClustering().fit(np.where(ROWS > 1, np.nan, ROWS)),
         Raises(ValueError, "NaN")),
    Case("PersistenceClustering", "duplicate points", lambda t: PersistenceClustering(random_state=0).fit(np.zeros((20, 2))),
         Works("one cluster", lambda c: c.n_clusters_ == 1)),
    Case("PersistenceClustering", "values so large that distances overflow (1e200)",
         lambda t: PersistenceClustering().fit(ROWS * 1e200), Raises(ValueError, "overflow float64. Rescale X")),
    Case("PersistenceClustering.predict", "values so large that distances overflow",
         lambda t: PersistenceClustering(random_state=0).fit(ROWS).predict(ROWS * 1e200),
         Raises(ValueError, "overflow float64. Rescale X")),
    Case("PersistenceClustering", "tiny values (1e-150)", lambda t: (
        PersistenceClustering(random_state=0).fit(ROWS * 1e-150).n_clusters_,
        PersistenceClustering(random_state=0).fit(ROWS).n_clusters_),
         Works("the count of the same points unscaled", lambda c: c[0] == c[1])),
    Case("PersistenceClustering", "n_clusters=0", lambda t: PersistenceClustering(n_clusters=0).fit(ROWS),
         Raises(ValueError, "n_clusters")),
    Case("clusters_to_bouts", "lengths disagree", lambda t: clusters_to_bouts([0, 1], [0, 1, 2], [1, 2, 3]),
         Raises(ValueError, "same length")),
    Case("clusters_to_bouts", "empty", lambda t: clusters_to_bouts([], [], []), Raises(ValueError, "labels is empty")),
    Case("time_budget", "by_day on sample indices", lambda t: time_budget(clusters_to_bouts([0, 1], [0, 2], [3, 5]), by_day=True),
         Raises(ValueError, "by_day needs datetime")),
    Case("representative_windows", "rows disagree", lambda t: representative_windows(ROWS, [0] * 11, W),
         Raises(ValueError, "same number of rows")),
    # metrics and topology --------------------------------------------------------------------
    Case("knn_accuracy", "labels with None", lambda t: knn_accuracy(ROWS[:, :2], np.array(["a", None] * (len(ROWS) // 2), dtype=object)),
         Raises(ValueError, r"labels has \d+ missing entries \(None or NaN\); score the labelled samples only")),
    Case("procrustes_disparity", "an embedding of one point", lambda t: procrustes_disparity(ROWS[:, :2], np.zeros((len(ROWS), 2))),
         Raises(ValueError, "Y2 puts every point at the same place")),
    Case("trustworthiness", "X and Y of different lengths", lambda t: trustworthiness(ROWS, ROWS[:5, :2]),
         Raises(ValueError, "same samples")),
    Case("trustworthiness", "n_neighbors too large", lambda t: trustworthiness(ROWS, ROWS[:, :2], n_neighbors=10),
         Raises(ValueError, "use a smaller n_neighbors")),
    Case("trustworthiness", "too many points for memory", lambda t: _with_env(
        {"DEEPTDA_MEMORY_LIMIT": "100M"}, trustworthiness, np.zeros((5000, 2)), np.zeros((5000, 2))),
        Raises(MemoryError, "neighbour ranks of 5000 points.*max_samples")),
    Case("knn_accuracy", "a single class", lambda t: knn_accuracy(ROWS, [0] * 12), Raises(ValueError, "at least two classes")),
    Case("evaluate_embedding", "NaN in Y", lambda t: evaluate_embedding(ROWS, np.full((12, 2), np.nan)),
         Raises(ValueError, "Y holds NaN")),
    Case("zero_dim_pairs", "one point", lambda t: zero_dim_pairs(np.zeros((1, 2))), Raises(ValueError, "at least 2 points")),
    Case("zero_dim_pairs", "asymmetric distances", lambda t: zero_dim_pairs(np.array([[0, 1.0], [2.0, 0]]), precomputed=True),
         Raises(ValueError, "not symmetric; symmetrise")),
    Case("zero_dim_pairs", "duplicate points", lambda t: zero_dim_pairs(np.zeros((5, 2))),
         Works("four zero deaths", lambda p: np.array_equal(p.deaths, np.zeros(4)))),
    Case("one_dim_pairs", "more points than memory allows", lambda t: one_dim_pairs(np.zeros((5000, 2))),
         Raises(MemoryError, "1-dim persistence of 5000 points.*landmarks")),
    Case("persistence_diagram", "max_dim=2", lambda t: persistence_diagram(ROWS, max_dim=2), Raises(ValueError, "max_dim must be 0 or 1")),
    Case("diagram_distance", "infinite bars", lambda t: diagram_distance([[0, np.inf]], [[0, 1.0]]),
         Raises(ValueError, "drop infinite bars")),
    # plotting --------------------------------------------------------------------------------
    Case("plot_embeddings", "labels of the wrong length", lambda t: deeptda.plot_embeddings({"a": ROWS[:, :2]}, [0] * 3),
         Raises(ValueError, "labels has")),
    Case("plot_timeline", "labels of the wrong length", lambda t: deeptda.plot_timeline(np.zeros((10, 2)), [0] * 9),
         Raises(ValueError, "labels has 9 entries but the signal has 10")),
    Case("explore", "an embedding of other windows", lambda t: deeptda.explore(
        np.zeros((10, 2, 8)), np.zeros((5, 2)), out=t / "p.html"), Raises(ValueError, "has 5 rows but X has 10 windows")),
    Case("explore", "NaN coordinates", lambda t: deeptda.explore(
        np.zeros((3, 2, 8)), np.array([[0, 0], [np.nan, 1], [2, 2]]), out=t / "p.html"),
        Raises(ValueError, "NaN or infinite coordinates in 1 rows; drop those windows")),
    Case("explore", "recordings of the wrong length", lambda t: deeptda.explore(
        np.zeros((3, 2, 8)), np.zeros((3, 2)), recordings=["a", "b"], out=t / "p.html"),
        Raises(ValueError, "recordings has shape .* one value per window")),
    # command line ----------------------------------------------------------------------------
    Case("deeptda embed", "missing file", lambda t: cli("embed", str(t / "missing.csv")),
         cli_error("no such file")),
    Case("deeptda explore", "missing file", lambda t: cli("explore", str(t / "missing.csv")),
         cli_error("no such file")),
    Case("deeptda embed", "a cell that is not a number", lambda t: cli("embed", write(t, "u.csv", "x,y\n1,2\n3,oops\n5,6\n")),
         cli_error("not numbers")),
    Case("deeptda embed", "window longer than the recording", lambda t: cli(
        "embed", write(t, "s.csv", "x,y\n" + "1,2\n" * 10), "--window", "64"), cli_error("longer than the stream")),
    Case("deeptda embed", "output folder is a file", lambda t: cli(
        "embed", write(t, "ok.csv", "x,y\n" + "".join(f"{i},{i % 3}\n" for i in range(40))), "--method", "tsne",
        "--out", write(t, "afile", "") + "/emb"), cli_error("File exists: .*afile")),
    Case("deeptda cluster", "missing timestamp column", lambda t: cli(
        "cluster", write(t, "c.csv", "x,y\n1,2\n"), "--timestamp", "time"), cli_error("timestamp column 'time'")),
    Case("deeptda cluster", "empty file", lambda t: cli("cluster", write(t, "e.csv", "")), cli_error("is empty")),
    Case("deeptda cluster", "labelled bouts without a label column", lambda t: cli(
        "cluster", write(t, "r.csv", "x,y\n" + "".join(f"{i % 7},{i % 5}\n" for i in range(300))), "--window", "20",
        "--epochs", "1", "--quiet", "--labels", write(t, "b.csv", "start,end\n0,10\n")),
        cli_error("needs the columns start, end and label")),
    Case("deeptda fit", "one recording of several unreadable", lambda t: cli(
        "fit", write(t, "cow1.csv", "x,y\n" + "1,2\n" * 40), write(t, "cow2.csv", "x,y\n1,2\n3,4,5,6\n"),
        "--window", "8", "--model", str(t / "h.pt"), "--quiet"), cli_error(r"recording 'cow2' \(.*cow2.csv\): ")),
    Case("deeptda fit", "NaN in one recording of several", lambda t: cli(
        "fit", write(t, "cow1.csv", "x,y\n" + "1,2\n" * 40), write(t, "cow2.csv", "x,y\n" + "1,2\n" * 20 + "nan,2\n"),
        "--window", "8", "--model", str(t / "h.pt"), "--quiet"),
        cli_error(r"recording 'cow2' \(.*cow2.csv, rows 0-20\): the stream holds NaN")),
    Case("deeptda explore", "NaN in one recording of several", lambda t: cli(
        "explore", write(t, "cow1.csv", "x,y\n" + "1,2\n" * 40), write(t, "cow2.csv", "x,y\n" + "1,2\n" * 20 + "nan,2\n"),
        "--window", "8", "--out", str(t / "p.html"), "--quiet"), cli_error(r"cow2.csv: the stream holds NaN")),
    Case("deeptda demo", "negative duration", lambda t: cli("demo", "--duration", "-5", "--out", str(t / "d")),
         cli_error("must be positive")),
]
# fmt: on


def _pickled_object(tmp):
    import torch

    path = str(tmp / "obj.pt")
    torch.save({"config": object()}, path)
    return path


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def _warns(match, fn, *args, **kwargs):
    with pytest.warns(UserWarning, match=match):
        return fn(*args, **kwargs)


def _with_env(env, fn, *args, **kwargs):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return fn(*args, **kwargs)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _id(case):
    return f"{case.entry}: {case.case}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_bad_input(case, tmp_path):
    if isinstance(case.expect, Raises):
        with pytest.raises(case.expect.exc, match=case.expect.match) as info:
            case.call(tmp_path)
        # never a crash from deep inside a dependency: the message is ours or scikit-learn's
        assert str(info.value).strip(), "an error without a message"
    else:
        result = case.call(tmp_path)
        assert case.expect.check(result), f"unexpected result: {result!r}"


def test_the_matrix_is_large_enough():
    assert len(CASES) >= 60
    entries = {c.entry.split(".")[0].split(" ")[0] for c in CASES}
    assert {"DeepTDA", "sliding_windows", "load_csv", "PersistenceClustering", "deeptda"} <= entries


def render_table(cases=CASES):
    """The Markdown table of ``docs/bad_input.md``."""
    lines = [
        "# Bad input: what each entry point does",
        "",
        "Generated from `tests/test_bad_input.py`, which runs every row "
        "(regenerate with `python tests/test_bad_input.py`).",
        "Each row either raises the named exception with a message matching the pattern "
        "(it names the problem and the fix), or works and returns a finite result.",
        "",
        "| entry point | input | behaviour |",
        "|---|---|---|",
    ]
    for c in cases:
        lines.append(f"| `{c.entry}` | {c.case} | {c.expect.describe()} |")
    return "\n".join(lines) + "\n"


def test_docs_table_is_current():
    assert DOC.read_text() == render_table(), "docs/bad_input.md is stale: run python tests/test_bad_input.py"


if __name__ == "__main__":
    DOC.write_text(render_table())
    print(f"wrote {DOC} ({len(CASES)} cases)", file=sys.stderr)
