"""A whole herd: many recordings, one model, bounded memory, optionally on a Dask cluster.

* :func:`read_recordings` (from :mod:`deeptda.recordings`) lists recordings (CSV or
  Parquet files, one per animal, or one long table with an id column) without reading
  them; each is read in chunks when needed, so memory does not grow with the herd.
* :func:`fit_pipeline` draws a seeded sample of windows across all recordings in one
  pass (bottom-k sampling: every window gets a seeded random key and the smallest keys
  are kept), fits :class:`~deeptda.DeepTDA` on it and a
  :class:`~deeptda.PersistenceClustering` on its representation (or its map), then merges the clusters that
  alternate within bouts, counted on a second pass over every window in time order
  (:meth:`~deeptda.PersistenceClustering.merge_by_time`); :class:`HerdPipeline` saves the
  window settings, both models and the sampling interval in one file (weights + JSON,
  read with ``weights_only=True``).
* :func:`apply` cuts every recording into windows, maps them (one forward pass) and
  assigns clusters with ``PersistenceClustering.predict``, so a cluster id means the
  same behaviour for every animal and for later recordings. With ``out`` it writes one
  Parquet file per recording (atomically, so a rerun skips finished recordings), a
  time budget and a summary; with ``scheduler`` or ``workers`` it runs one Dask task
  per recording on a ``dask.distributed`` cluster.

Windows never cross a recording or a gap; they are cut on the same grid as
:func:`~deeptda.sliding_windows` on the whole recording, whatever the chunk size.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os

import numpy as np
import pandas as pd

from ._random import as_generator
from .recordings import CHUNK_ROWS, Recording, interval_seconds, iter_windows, read_recordings

logger = logging.getLogger(__name__)

# the recordings' names are part of this module's API too: deeptda.herd is the one import a herd job needs
__all__ = ["Recording", "read_recordings", "iter_windows", "HerdPipeline", "fit_pipeline", "apply"]

_FORMAT = "deeptda-herd-pipeline"
_FORMAT_VERSION = 1


#: Spaces a pipeline can cluster: DeepTDA's representation or its 2-D map.
CLUSTER_SPACES = ("representation", "map")


class HerdPipeline:
    """Window settings, a fitted :class:`~deeptda.DeepTDA` and a :class:`~deeptda.PersistenceClustering`.

    Made by :func:`fit_pipeline`; applied by :func:`apply`; saved to one file.
    """

    def __init__(
        self, *, window, stride, interval_s, timestamp, channels, model, clusterer, n_train, cluster_space="map"
    ):
        if cluster_space not in CLUSTER_SPACES:
            raise ValueError(f"cluster_space must be one of {CLUSTER_SPACES}; got {cluster_space!r}.")
        self.window, self.stride, self.interval_s = int(window), int(stride), interval_s
        self.timestamp, self.channels = timestamp, (list(channels) if channels is not None else None)
        self.model, self.clusterer, self.n_train = model, clusterer, int(n_train)
        self.cluster_space = cluster_space

    def assign(self, X):
        """``(Y, clusters)`` of windows ``X``: their map (``model.transform``) and their clusters
        (``clusterer.predict`` in ``cluster_space``), with one pass of the encoder."""
        if self.cluster_space == "map":
            Y = self.model.transform(X)
            return Y, self.clusterer.predict(Y)
        from .encoders import batched_forward

        Z = self.model.representation(X)
        self.model.network_.eval()
        return batched_forward(self.model.network_.head, Z, self.model.device_), self.clusterer.predict(Z)

    def windows(self, rec, chunk_rows=CHUNK_ROWS):
        """Windows of a recording with this pipeline's settings (checks its sampling interval)."""
        if self.interval_s is not None:
            self.check_interval(interval_seconds(rec, chunk_rows), rec.name)
        return iter_windows(rec, self.window, self.stride, chunk_rows=chunk_rows)

    def check_interval(self, dt, name):
        """Refuse a recording sampled at another rate than the pipeline's: its windows of the same
        number of samples would span another time. ``dt``: its sampling interval in seconds, or
        None where it has no timestamps."""
        if self.interval_s is None:
            return
        if dt is None:
            raise ValueError(
                f"recording {name!r} has no timestamps but the pipeline was fitted on timestamped "
                "recordings; give the same timestamp column."
            )
        if abs(dt - self.interval_s) > 0.02 * self.interval_s:
            raise ValueError(
                f"recording {name!r} is sampled every {dt:.4g} s but the pipeline every "
                f"{self.interval_s:.4g} s; resample it to the pipeline's rate first "
                "(e.g. pandas' resample().mean())."
            )

    def to_bytes(self):
        import torch

        buffer = io.BytesIO()
        torch.save(self._payload(), buffer)
        return buffer.getvalue()

    def _payload(self):
        import torch

        model_config, model_tensors = self.model.get_state()
        cluster_config, cluster_arrays = self.clusterer.get_state()
        config = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "window": self.window,
            "stride": self.stride,
            "interval_s": self.interval_s,
            "timestamp": self.timestamp,
            "channels": self.channels,
            "n_train": self.n_train,
            "cluster_space": self.cluster_space,
            "model": model_config,
            "clusterer": cluster_config,
        }
        payload = {"config": json.dumps(config)}
        payload.update({f"model/{k}": v for k, v in model_tensors.items()})
        payload.update({f"clusterer/{k}": torch.as_tensor(v) for k, v in cluster_arrays.items()})
        return payload

    def save(self, path):
        """Write the pipeline to one file (atomically: a temporary name, then a rename)."""
        from ._io import atomic_path

        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            fh.write(self.to_bytes())

    @classmethod
    def load(cls, path_or_bytes, device="auto"):
        """Read a pipeline written by :meth:`save` (or :meth:`to_bytes`); ``torch.load(weights_only=True)``."""
        import torch

        from ._estimator import DeepTDA
        from .cluster import PersistenceClustering

        source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
        try:
            payload = torch.load(source, map_location="cpu", weights_only=True)
            config = json.loads(payload["config"])
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise ValueError(f"not a readable deeptda pipeline file ({type(exc).__name__}: {exc}).") from None
        if config.get("format") != _FORMAT or config.get("format_version") != _FORMAT_VERSION:
            raise ValueError("not a deeptda herd pipeline file of this version; refit it with deeptda fit.")
        model = DeepTDA.from_state(
            config["model"], {k[6:]: v for k, v in payload.items() if k.startswith("model/")}, device=device
        )
        clusterer = PersistenceClustering.from_state(
            config["clusterer"], {k[10:]: v.numpy() for k, v in payload.items() if k.startswith("clusterer/")}
        )
        return cls(
            window=config["window"],
            stride=config["stride"],
            interval_s=config["interval_s"],
            timestamp=config["timestamp"],
            channels=config["channels"],
            model=model,
            clusterer=clusterer,
            n_train=config["n_train"],
            cluster_space=config.get("cluster_space", "map"),  # files written before it: the map
        )


def _resolve(value, name, interval_s):
    from .windows import to_samples

    seconds = None if interval_s is None else np.array([0.0, interval_s])
    return to_samples(value, name, seconds)


def fit_pipeline(
    recordings,
    *,
    window="2.56s",
    stride=None,
    n_windows=20_000,
    random_state=None,
    model_params=None,
    cluster_params=None,
    cluster_space="representation",
    chunk_rows=CHUNK_ROWS,
    verbose=False,
):
    """Fit one pipeline on a seeded sample of windows drawn across all recordings.

    One pass over the data: every window gets a random key from a generator seeded
    with ``random_state`` (in recording and time order) and the ``n_windows`` smallest
    keys are kept, so the sample is uniform over all windows and reproducible, and
    memory holds only the sample. DeepTDA is fitted on the sample and the clusters on
    its representation (``cluster_space="representation"``, where the behaviour count is
    right more often, ``docs/benchmarks.md``) or its 2-D map (``"map"``). With the
    clusterer's defaults (``n_clusters=None``, ``alternation`` set) a second pass maps
    every window in time order and merges clusters that alternate within the same bouts
    (:meth:`~deeptda.PersistenceClustering.merge_by_time`): the
    sample alone has no time order.

    Returns
    -------
    HerdPipeline
    """
    from ._estimator import DeepTDA
    from .cluster import PersistenceClustering

    if not recordings:
        raise ValueError("no recordings to fit on.")
    first = recordings[0]
    interval = interval_seconds(first, chunk_rows)
    w = _resolve(window, "window", interval)
    s = _resolve(window if stride is None else stride, "stride", interval)
    pipeline = HerdPipeline(
        window=w,
        stride=s,
        interval_s=interval,
        timestamp=first.timestamp,
        channels=first.channels,
        model=None,
        clusterer=None,
        n_train=0,
        cluster_space=cluster_space,
    )
    rng = as_generator(random_state)
    keys = np.zeros(0)
    kept = None
    for rec in recordings:
        for X, _, _ in pipeline.windows(rec, chunk_rows):
            k = rng.random(len(X))
            keys = np.concatenate([keys, k])
            kept = X if kept is None else np.concatenate([kept, X])
            if len(keys) > 2 * n_windows:  # keep the smallest keys, in a stable order
                order = np.sort(np.argsort(keys, kind="stable")[:n_windows])
                keys, kept = keys[order], kept[order]
    if kept is None or len(kept) < 3:
        raise ValueError("the recordings hold fewer than 3 windows; use longer recordings or a shorter window.")
    order = np.sort(np.argsort(keys, kind="stable")[:n_windows])
    sample = kept[order]
    seed = int(as_generator(random_state).integers(2**31 - 1))
    model = DeepTDA(random_state=seed, verbose=verbose, **(model_params or {})).fit(sample)
    space = model.representation(sample) if cluster_space == "representation" else model.embedding_
    clusterer = PersistenceClustering(random_state=seed, **(cluster_params or {})).fit(space)
    pipeline.model, pipeline.clusterer, pipeline.n_train = model, clusterer, len(sample)
    if clusterer.n_clusters is None and clusterer.alternation is not None and clusterer.n_clusters_ > 1:
        # the sample has no time order: clusters that alternate within bouts are found on a
        # second pass over every window in time order (one forward pass and a lookup each)
        clusterer.merge_by_time(*_time_joins(pipeline, recordings, chunk_rows, verbose))
    return pipeline


def _seconds(start):
    """Window starts as float: seconds for times (any resolution, tz-aware or not), else as given."""
    start = np.asarray(start)
    if start.dtype.kind == "M" or start.dtype == object:  # an object array when tz-aware
        return pd.DatetimeIndex(start).as_unit("ns").asi8 / 1e9
    return start.astype(np.float64)


def _time_joins(pipeline, recordings, chunk_rows, verbose):
    """``(joins, sizes)`` of :func:`~deeptda.cluster.alternation_counts` summed over every
    recording's windows in time order (as :func:`apply` maps them); consecutive windows are
    adjacent when their starts are at most 1.5 strides apart (a gap starts a new run)."""
    from tqdm.auto import tqdm

    from .cluster import alternation_counts

    n_ids = int(pipeline.clusterer._fit_labels_.max()) + 1
    joins, sizes = np.zeros((n_ids, n_ids)), np.zeros(n_ids)
    limit = 1.5 * pipeline.stride * (1.0 if pipeline.timestamp is None else pipeline.interval_s)
    for rec in tqdm(recordings, desc="clusters in time order", disable=not verbose, leave=False):
        frame = _map_recording(pipeline, rec, chunk_rows)
        if frame.empty:
            continue
        run = np.r_[0, np.cumsum(np.diff(_seconds(frame["start"])) > limit)]
        counted = alternation_counts(frame["cluster"].to_numpy(), run, n_ids)
        joins, sizes = joins + counted[0], sizes + counted[1]
    return joins, sizes


# ------------------------------------------------------------------------------------------------
# apply
# ------------------------------------------------------------------------------------------------


def _map_recording(pipeline, rec, chunk_rows):
    parts = []
    for X, start, end in pipeline.windows(rec, chunk_rows):
        Y, clusters = pipeline.assign(X)
        parts.append(
            pd.DataFrame(
                {
                    "recording": rec.name,
                    "start": start,
                    "end": end,
                    "x": Y[:, 0].astype(np.float32),
                    "y": Y[:, 1].astype(np.float32),
                    "cluster": clusters.astype(np.int64),
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            {
                "recording": pd.Series(dtype=str),
                "start": [],
                "end": [],
                "x": np.float32(),
                "y": np.float32(),
                "cluster": np.int64(),
            }
        )
    return pd.concat(parts, ignore_index=True)


def _budget_row(frame, stride_s):
    """Seconds per cluster: each window stands for one stride of time (overlaps counted once)."""
    return frame.groupby("cluster").size() * stride_s


def _apply_one(pipeline, rec, out, chunk_rows):
    """Map one recording; with ``out`` write its Parquet (skipped when already complete)."""
    stride_s = pipeline.stride * (pipeline.interval_s or 1.0)
    if out is not None:
        path = os.path.join(out, "windows", f"{rec.name}.parquet")
        if os.path.exists(path):
            frame = pd.read_parquet(path, columns=["cluster"])
            return rec.name, _budget_row(frame, stride_s), None
    frame = _map_recording(pipeline, rec, chunk_rows)
    if out is None:
        return rec.name, _budget_row(frame, stride_s), frame
    from ._io import atomic_path

    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return rec.name, _budget_row(frame, stride_s), None


_WORKER_PIPELINES = {}


def _apply_on_worker(rec, blob, digest, out, chunk_rows):
    """One Dask task: the pipeline is loaded once per worker process from the shipped bytes."""
    pipeline = _WORKER_PIPELINES.get(digest)
    if pipeline is None:
        pipeline = _WORKER_PIPELINES[digest] = HerdPipeline.load(blob, device="cpu")
    with torch_threads(1), _keep_freed_memory():  # one worker process per core
        return _apply_one(pipeline, rec, out, chunk_rows)


@contextlib.contextmanager
def _keep_freed_memory():
    """Let glibc keep freed memory while a task runs (restored afterwards).

    Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also fixes
    glibc's mmap threshold: every tensor of more than 128 kB is then mapped and unmapped
    again, and a forward pass runs about three times slower than in a plain process.
    Raising both thresholds for the task's duration gives the plain process's speed.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc: nothing to do
        yield
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    trim_before = int(os.environ.get("MALLOC_TRIM_THRESHOLD_", 128 * 1024))
    mallopt(M_TRIM_THRESHOLD, 256 << 20)
    mallopt(M_MMAP_THRESHOLD, 32 << 20)
    try:
        yield
    finally:
        mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        mallopt(M_TRIM_THRESHOLD, trim_before)


@contextlib.contextmanager
def torch_threads(n):
    """Run a block with ``n`` torch threads, then restore the previous setting."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _time_budget(rows, names):
    seconds = pd.DataFrame({name: rows[name] for name in names}).T.fillna(0.0)
    seconds = seconds.reindex(columns=sorted(seconds.columns))
    seconds.index.name = "recording"
    seconds.columns = [f"cluster {c}" if c >= 0 else "unassigned" for c in seconds.columns]
    long = seconds.stack().rename("seconds").reset_index().rename(columns={"level_1": "cluster"})
    long["share"] = long["seconds"] / long.groupby("recording")["seconds"].transform("sum")
    return long, seconds


def apply(pipeline, recordings, out=None, *, scheduler=None, workers=None, chunk_rows=CHUNK_ROWS, progress=False):
    """Map and cluster every window of every recording with one fitted pipeline.

    Parameters
    ----------
    pipeline : HerdPipeline or str
        A pipeline, or the path of one saved with :meth:`HerdPipeline.save`.
    recordings : list of Recording
    out : str, default=None
        Folder for ``windows/<recording>.parquet`` (one row per window: ``recording,
        start, end, x, y, cluster``), ``time_budget.csv`` and ``summary.md`` (+
        ``time_budget.png``). A recording whose Parquet file exists is not recomputed
        (files are written atomically, so an existing file is complete).
    scheduler : str, default=None
        Address of a ``dask.distributed`` scheduler: one task per recording there.
    workers : int, default=None
        Start a local Dask cluster of this many worker processes instead.

    Returns
    -------
    dict
        ``time_budget`` (recording, cluster, seconds, share; each window stands for
        one stride of time) and, without ``out``, ``windows`` (all windows' rows).
    """
    if isinstance(pipeline, (str, os.PathLike)):
        pipeline = HerdPipeline.load(pipeline)
    names = [r.name for r in recordings]
    results = []
    if scheduler is None and workers is None:
        iterator = recordings
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(recordings, desc="recordings", unit="rec")
        results = [_try(_apply_one, pipeline, rec, out, chunk_rows) for rec in iterator]
    else:
        results = _apply_dask(pipeline, recordings, out, scheduler, workers, chunk_rows, progress)
    _raise_failures(recordings, results, out)
    budgets = {name: budget for name, budget, _ in results}
    long, wide = _time_budget(budgets, names)
    tables = {"time_budget": long}
    if out is None:
        tables["windows"] = pd.concat([frame for _, _, frame in results], ignore_index=True)
        return tables
    _write_summary(out, long, wide, pipeline, len(recordings))
    return tables


def _try(function, *args, **kwargs):
    """``function(*args, **kwargs)``, or the ValueError it raised (bad data in one recording must not
    stop the others)."""
    try:
        return function(*args, **kwargs)
    except ValueError as exc:
        return exc


def _raise_failures(recordings, results, out):
    """One error listing every recording that could not be mapped, after all the others were."""
    failed = [(rec, r) for rec, r in zip(recordings, results) if isinstance(r, ValueError)]
    if not failed:
        return
    lines = "\n".join(
        f"- {exc}" if repr(rec.name) in str(exc) else f"- recording {rec.name!r} ({rec.path}): {exc}"
        for rec, exc in failed
    )
    done = len(recordings) - len(failed)
    kept = (
        f"{'The other recording is' if done == 1 else f'The other {done} recordings are'} written under "
        f"{os.path.join(out, 'windows')}; fix these and "
        "run again: finished recordings are not recomputed, and the time budget and summary are written "
        "once every recording is mapped."
        if out is not None
        else "Fix these (or leave them out) and run again."
    )
    raise ValueError(f"{len(failed)} of {len(recordings)} recordings could not be mapped:\n{lines}\n{kept}")


def _apply_dask(pipeline, recordings, out, scheduler, workers, chunk_rows, progress):
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError("running on Dask needs the extra: pip install 'deeptda[dask]'.") from exc
    blob = pipeline.to_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=int(workers), threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        shipped = client.scatter(blob, broadcast=True)  # once per worker
        tasks = [_apply_on_worker] * len(recordings)  # through _try: one bad recording does not stop the rest
        futures = client.map(
            _try, tasks, recordings, blob=shipped, digest=digest, out=out, chunk_rows=chunk_rows, pure=False
        )
        if progress:
            from distributed import progress as dask_progress

            dask_progress(futures)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _count_line(clusterer):
    """The number of clusters with its band, and the merges made by time order."""
    low, high = clusterer.n_clusters_range_
    line = f"{clusterer.n_clusters_} clusters (band {low}-{high})"
    merged = int(getattr(clusterer, "n_merged_by_time_", 0))
    if merged:
        line += f", after {merged} merge{'s' if merged > 1 else ''} of clusters that alternate within bouts"
    return line + "."


def _write_summary(out, long, wide, pipeline, n_recordings):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from ._io import atomic_path

    os.makedirs(out, exist_ok=True)
    with atomic_path(os.path.join(out, "time_budget.csv")) as tmp:
        long.to_csv(tmp, index=False)
    share = wide.div(wide.sum(axis=1), axis=0)
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.35 * len(share)))
    share.plot.barh(stacked=True, ax=ax, width=0.8, colormap="tab10", legend=True)
    ax.set_xlabel("share of time")
    ax.set_xlim(0, 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    with atomic_path(os.path.join(out, "time_budget.png")) as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    hours = wide.sum(axis=1) / 3600.0
    table = share.assign(hours=hours).round(3)
    text = (
        f"# Time budget of {n_recordings} recordings\n\n"
        f"One pipeline ({pipeline.n_train:,} training windows of {pipeline.window} samples, stride "
        f"{pipeline.stride}); share of each recording's time per cluster (each window stands for one "
        f"stride of time). {_count_line(pipeline.clusterer)}\n\n"
        + table.to_markdown()
        + "\n\n![time budget](time_budget.png)\n"
    )
    with atomic_path(os.path.join(out, "summary.md")) as tmp, open(tmp, "w") as fh:
        fh.write(text)
