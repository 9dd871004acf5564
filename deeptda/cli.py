"""The ``deeptda`` command line: ``deeptda demo``, ``embed``, ``cluster``, ``explore``, ``fit`` and ``apply``."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import warnings

import numpy as np

TABLE_COLUMNS = [
    "knn_accuracy",
    "trustworthiness@10",
    "continuity@10",
    "knn_preservation@10",
    "spearman",
    "wasserstein_dgm0",
    "wasserstein_dgm1",
    "ari",
    "fit_s",
]


def _load(data, duration, seed):
    from . import datasets

    if data == "collar":
        w = datasets.make_collar_windows(duration=duration, random_state=seed)
        return (
            w.X,
            w.y,
            f"synthetic collar stream, {duration:g} s at 25 Hz, windows 2.56 s / stride 1.28 s",
            (w.start, w.end),
        )
    if data == "basic-motions":
        X, y = datasets.load_basic_motions()
        return X, y, "UEA BasicMotions (smartwatch, 10 Hz, 10 s cases)", (None, None)
    raise SystemExit(f"unknown data {data!r}")


def _say(args, message):
    """Tell the user what is happening (stderr, so stdout stays the list of outputs)."""
    if not getattr(args, "quiet", False):
        print(f"deeptda: {message} ...", file=sys.stderr, flush=True)


def _bout_labels(path, start, end):
    """One name per window from a CSV of labelled bouts (``start, end, label``); None elsewhere."""
    import pandas as pd

    from .bouts import bout_labels

    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}; check the path of the labelled bouts.")
    return bout_labels(pd.read_csv(path), start, end, source=path)


def _window_arg(text):
    """A window or stride from the command line: a sample count ("64") or a duration ("2.56s")."""
    if text is None:
        return None
    return int(text) if text.isdigit() else text


def _save_csv(frame, path, **kwargs):
    from ._io import atomic_path

    with atomic_path(path) as tmp:
        frame.to_csv(tmp, **kwargs)


def _save_figure(fig, path, dpi):
    from ._io import atomic_path

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")


def _write_table(table, out, stem):
    from ._io import atomic_path

    csv = os.path.join(out, f"{stem}.csv")
    md = os.path.join(out, f"{stem}.md")
    _save_csv(table, csv, index_label="method")
    cols = [c for c in TABLE_COLUMNS if c in table.columns]
    with atomic_path(md) as tmp, open(tmp, "w") as fh:
        fh.write(table[cols].to_markdown(floatfmt=".3f") + "\n")
    return csv, md


def cmd_demo(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._estimator import DeepTDA
    from .compare import compare_methods, make_method
    from .plotting import plot_embeddings

    os.makedirs(args.out, exist_ok=True)
    X, y, description, (start, end) = _load(args.data, args.duration, args.seed)
    print(f"data: {description}: {X.shape[0]} windows of {X.shape[1]} channels x {X.shape[2]} samples")
    methods = ["DeepTDA", "t-SNE", "UMAP"]
    _say(args, "fitting DeepTDA, t-SNE and UMAP")
    epochs = {"n_epochs": args.epochs, "map_epochs": args.epochs} if args.epochs else {}
    estimators = {m: make_method(m, args.seed) for m in methods}
    estimators["DeepTDA"] = DeepTDA(random_state=args.seed, verbose=not args.quiet, **epochs)
    embeddings, table, models = compare_methods(X, y, methods=estimators, random_state=args.seed)
    fig = plt.figure(figsize=(15, 4.6))
    titles = {m: f"{m}  (kNN acc {table.loc[m, 'knn_accuracy']:.2f})" for m in methods}
    plot_embeddings(embeddings, y, fig=fig, titles=titles)
    fig.suptitle(description)
    png = os.path.join(args.out, "embeddings.png")
    _save_figure(fig, png, 120)
    plt.close(fig)
    csv, md = _write_table(table, args.out, "metrics")
    cols = [c for c in TABLE_COLUMNS if c in table.columns]
    print(table[cols].to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"figure: {png}\ntable:  {csv}\ntable:  {md}")
    try:
        import bokeh  # noqa: F401
    except ImportError:
        print("(pip install 'deeptda[explore]' to also get an interactive page of the three maps)")
        return 0
    from .cluster import PersistenceClustering
    from .explorer import explore

    _say(args, "clustering DeepTDA's representation and writing the interactive page")
    clusters = PersistenceClustering(random_state=args.seed).fit(models["DeepTDA"].representation(X)).labels_
    page = explore(
        X,
        embeddings,
        clusters=clusters,
        labels=y,
        times=start,
        ends=end,
        title=description,
        out=os.path.join(args.out, "explore.html"),
    )
    print(f"page:   {page}")
    if args.screenshot:
        from .browser import screenshot

        ids, counts = np.unique(clusters[clusters >= 0], return_counts=True)
        smallest = np.flatnonzero(clusters == ids[np.argmin(counts)]) if len(ids) > 1 else None
        _say(args, f"rendering {page} in headless Chromium, the smallest cluster selected")
        print(f"screenshot: {screenshot(page, args.screenshot, select=smallest)}")
    return 0


def cmd_embed(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from .compare import make_method
    from .datasets import load_csv
    from .plotting import plot_embeddings
    from .windows import sliding_windows

    channels = args.channels.split(",") if args.channels else None
    frame = load_csv(args.csv, timestamp=args.timestamp, channels=channels, label=args.label, unit=args.unit)
    label_col = args.label
    signal_cols = [c for c in frame.columns if c != label_col]
    if args.window:
        w = sliding_windows(
            frame, _window_arg(args.window), _window_arg(args.stride), channels=signal_cols, labels=label_col
        )
        X, labels = w.X, w.y
        out = pd.DataFrame({"start": w.start, "end": w.end})
    else:
        X = frame[signal_cols].to_numpy(dtype=np.float32)
        labels = frame[label_col].to_numpy() if label_col else None
        out = pd.DataFrame(index=frame.index).reset_index()
    method = {"deeptda": "DeepTDA", "tsne": "t-SNE", "umap": "UMAP"}[args.method]
    _say(args, f"fitting {method} on {len(X)} {'windows' if args.window else 'rows'}")
    Y = make_method(method, args.seed, **({"verbose": not args.quiet} if method == "DeepTDA" else {})).fit_transform(X)
    out["x"], out["y"] = Y[:, 0], Y[:, 1]
    if labels is not None:
        out["label"] = labels
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    csv_path = f"{args.out}.csv"
    png_path = f"{args.out}.png"
    _save_csv(out, csv_path, index=False)
    fig = plt.figure(figsize=(6, 5))
    plot_embeddings({method: Y}, labels, fig=fig)
    _save_figure(fig, png_path, 120)
    plt.close(fig)
    print(f"embedding: {csv_path}\nfigure:    {png_path}")
    return 0


def cmd_cluster(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._estimator import DeepTDA
    from .bouts import clusters_to_bouts, clusters_to_samples, name_clusters, time_budget
    from .cluster import PersistenceClustering
    from .datasets import load_csv
    from .plotting import plot_timeline
    from .windows import sliding_windows

    channels = args.channels.split(",") if args.channels else None
    _say(args, f"reading {args.csv}")
    frame = load_csv(args.csv, timestamp=args.timestamp, channels=channels, label=args.label, unit=args.unit)
    # with --label, one name per window: the majority of its samples' (missing where they have none)
    w = sliding_windows(frame, _window_arg(args.window), _window_arg(args.stride), labels=args.label)
    params = {"n_epochs": args.epochs, "map_epochs": args.epochs} if args.epochs else {}
    _say(args, f"fitting DeepTDA on {len(w.X)} windows of {w.X.shape[1]} channels x {w.X.shape[2]} samples")
    model = DeepTDA(random_state=args.seed, verbose=not args.quiet, **params).fit(w.X)
    space = model.representation(w.X) if args.space == "representation" else model.embedding_
    _say(args, f"clustering the {args.space}")
    clusterer = PersistenceClustering(n_clusters=args.n_clusters, random_state=args.seed)
    clusterer.fit(space, sequence=w.sequence)  # clusters alternating within bouts are one behaviour
    bouts = clusters_to_bouts(clusterer.labels_, w.start, w.end, min_duration=args.min_bout)
    names, known = None, None
    if args.labels or args.label:
        known = _bout_labels(args.labels, w.start, w.end) if args.labels else w.y
        names = name_clusters(clusterer.labels_, known)
        bouts.insert(bouts.columns.get_loc("cluster") + 1, "behaviour", bouts["cluster"].map(names).astype(object))
    budget = time_budget(bouts, by_day=args.by_day)
    if names is not None:
        budget["behaviour"] = budget.index.get_level_values("cluster").map(names)
    os.makedirs(args.out, exist_ok=True)
    paths = {name: os.path.join(args.out, name) for name in ("bouts.csv", "time_budget.csv", "timeline.png")}
    _save_csv(bouts, paths["bouts.csv"], index=False)
    _save_csv(budget, paths["time_budget.csv"])
    per_sample = clusters_to_samples(clusterer.labels_, w.start_index, w.window_length, len(frame))
    fig = plt.figure(figsize=(12, 4))
    plot_timeline(
        frame,
        np.asarray(per_sample).astype(str),
        fig=fig,
        title=f"{clusterer.n_clusters_} clusters of the {args.space}",
    )
    _save_figure(fig, paths["timeline.png"], 110)
    plt.close(fig)
    print(f"{len(w.X)} windows, {_count(clusterer)}, {len(bouts)} bouts")
    if names is not None:
        named = ", ".join(f"{k}: {v if v is not None else '(unnamed)'}" for k, v in names.items())
        print(f"cluster names from {args.labels or 'column ' + args.label}: {named}")
        print(_agreement(clusterer.labels_, known))
    for name, path in paths.items():
        print(f"{name.split('.')[0]}: {path}")
    return 0


def _agreement(clusters, known):
    """The clusters' ARI with the known names, over the windows that have one."""
    from sklearn.metrics import adjusted_rand_score

    has = np.array([k is not None and k == k and k != "" for k in known], dtype=bool)
    ari = adjusted_rand_score(np.asarray(known, dtype=object)[has].astype(str), np.asarray(clusters)[has])
    return f"agreement with the {has.sum()} labelled windows: ARI {ari:.3f}"


def _recording_windows(paths, args, pipeline=None):
    """Pooled windows of CSV recordings: X, labels or None, recording names, start, end, channels, runs.
    With a herd ``pipeline``, each recording must have its sampling rate."""
    import pandas as pd

    from ._io import naming
    from .datasets import load_csv
    from .timestamps import sampling_interval
    from .windows import sliding_windows

    channels = args.channels.split(",") if args.channels else None
    parts = []
    for path in paths:
        _say(args, f"reading {path}")
        with naming(path) if len(paths) > 1 else contextlib.nullcontext():  # of several files, say which one
            frame = load_csv(path, timestamp=args.timestamp, channels=channels, label=args.label, unit=args.unit)
            if pipeline is not None:
                timed = isinstance(frame.index, pd.DatetimeIndex)
                dt = sampling_interval(frame.index.as_unit("ns").asi8 / 1e9) if timed and len(frame) > 1 else None
                pipeline.check_interval(dt, os.path.basename(path))
            signal = [c for c in frame.columns if c != args.label]
            w = sliding_windows(
                frame, _window_arg(args.window), _window_arg(args.stride), channels=signal, labels=args.label
            )
        parts.append((os.path.splitext(os.path.basename(path))[0], w, signal))
    names = [name for name, _, _ in parts]
    if len(set(names)) != len(names):
        raise ValueError("two recordings have the same file name; give each recording a distinct name.")
    shapes = {w.X.shape[1:] for _, w, _ in parts}
    if len(shapes) > 1:
        raise ValueError(
            f"the recordings give windows of different shapes {sorted(shapes)}; use the same channels "
            "(--channels) and a window given in samples or one sampling rate."
        )
    X = np.concatenate([w.X for _, w, _ in parts])
    recordings = np.concatenate([[name] * len(w.X) for name, w, _ in parts])
    labels = np.concatenate([w.y for _, w, _ in parts]) if args.label else None
    start = np.concatenate([np.asarray(w.start) for _, w, _ in parts])
    end = np.concatenate([np.asarray(w.end) for _, w, _ in parts])
    sequence = np.concatenate([w.sequence + i * len(X) for i, (_, w, _) in enumerate(parts)])  # no run spans two
    return X, labels, recordings, start, end, parts[0][2], sequence


def cmd_explore(args):
    from ._estimator import DeepTDA
    from .cluster import PersistenceClustering
    from .compare import make_method
    from .browser import screenshot
    from .explorer import explore

    from .herd import HerdPipeline

    herd = None
    if args.model:
        _say(args, f"loading the model {args.model}")
        try:  # a herd pipeline (deeptda fit) brings its window settings and clusters
            herd = HerdPipeline.load(args.model)
            args.window, args.stride = str(herd.window), str(herd.stride)
            args.timestamp = args.timestamp or herd.timestamp  # and its columns, unless told otherwise
            args.channels = args.channels or (",".join(herd.channels) if herd.channels else None)
        except ValueError:
            model = DeepTDA.load(args.model)
    X, labels, recordings, start, end, channels, sequence = _recording_windows(args.csv, args, herd)
    if herd is not None:
        model = herd.model
        embedding, clusters = herd.assign(X)  # the pipeline's clusters, so ids match every recording it mapped
    elif args.model:
        embedding = model.transform(X)
    else:
        params = {"n_epochs": args.epochs, "map_epochs": args.epochs} if args.epochs else {}
        _say(args, f"fitting DeepTDA on {len(X)} windows of {X.shape[1]} channels x {X.shape[2]} samples")
        model = DeepTDA(random_state=args.seed, verbose=not args.quiet, **params).fit(X)
        embedding = model.embedding_
    if herd is None:
        _say(args, "clustering DeepTDA's representation")
        clusters = PersistenceClustering(random_state=args.seed).fit(model.representation(X), sequence=sequence).labels_
    panels = {"DeepTDA": embedding}
    for name in args.compare or []:
        method = {"tsne": "t-SNE", "umap": "UMAP"}[name]
        _say(args, f"fitting {method} on {len(X)} windows for a side-by-side panel")
        panels[method] = make_method(method, args.seed).fit_transform(X)
    _say(args, f"writing {args.out}")
    title = args.title or ", ".join(os.path.basename(p) for p in args.csv)
    page = explore(
        X,
        panels,
        clusters=clusters,
        labels=labels,
        recordings=recordings,
        times=start,
        ends=end,
        channel_names=channels,
        title=title,
        out=args.out,
        max_windows=args.max_windows or None,
    )
    print(f"{len(X)} windows, {len(set(clusters) - {-1})} clusters")
    print(f"page: {page}")
    if args.screenshot:
        _say(args, f"rendering {page} in headless Chromium")
        print(f"screenshot: {screenshot(page, args.screenshot)}")
    return 0


def _count(clusterer):
    """'5 clusters (4-6, 1 merged as they alternate in time)'."""
    (low, high), merged = clusterer.n_clusters_range_, clusterer.n_merged_by_time_
    merged = f", {merged} merged as they alternate in time" if merged else ""
    return f"{clusterer.n_clusters_} clusters ({low}-{high}{merged})"


def cmd_fit(args):
    from .herd import fit_pipeline, read_recordings

    channels = args.channels.split(",") if args.channels else None
    recordings = read_recordings(args.data, timestamp=args.timestamp, channels=channels, id=args.id)
    _say(args, f"drawing {args.sample:,} windows across {len(recordings)} recordings and fitting DeepTDA")
    params = {"n_epochs": args.epochs, "map_epochs": args.epochs} if args.epochs else {}
    grid = {"window": _window_arg(args.window), "stride": _window_arg(args.stride), "n_windows": args.sample}
    pipeline = fit_pipeline(recordings, **grid, random_state=args.seed, model_params=params, verbose=not args.quiet)
    pipeline.save(args.model)
    print(f"{pipeline.n_train} training windows from {len(recordings)} recordings, {_count(pipeline.clusterer)}")
    print(f"pipeline: {args.model}")
    return 0


def cmd_apply(args):
    from .herd import HerdPipeline, apply, read_recordings

    pipeline = HerdPipeline.load(args.model)
    recordings = read_recordings(args.data, timestamp=pipeline.timestamp, channels=pipeline.channels, id=args.id)
    where = (
        f"on the Dask scheduler {args.scheduler}"
        if args.scheduler
        else f"on {args.workers} local Dask workers"
        if args.workers
        else "in this process"
    )
    _say(args, f"mapping {len(recordings)} recordings {where}")
    tables = apply(
        pipeline, recordings, out=args.out, scheduler=args.scheduler, workers=args.workers, progress=not args.quiet
    )
    budget = tables["time_budget"]
    print(f"{len(recordings)} recordings, {budget['seconds'].sum() / 3600:.2f} h mapped")
    for name in ("windows/", "time_budget.csv", "summary.md", "time_budget.png"):
        print(f"{name.rstrip('/').split('.')[0]}: {os.path.join(args.out, name)}")
    return 0


def _window_args(parser):
    parser.add_argument("--window", default="64", help="window: samples or a duration (default: 64)")
    parser.add_argument("--stride", help="stride: samples or a duration (default: the window)")


def _columns_args(parser):
    """Options that say how to read a CSV recording (shared by embed, cluster and explore)."""
    parser.add_argument("--timestamp", help="timestamp column (parsed as datetimes)")
    parser.add_argument("--unit", help="unit of numeric timestamps, e.g. s or ms")
    parser.add_argument("--channels", help="comma-separated channel columns (default: all numeric)")


def _run_args(parser, epochs=True):
    """Seed, epochs and quiet (shared by every command)."""
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    if epochs:
        parser.add_argument("--epochs", type=int, default=None, help="fix DeepTDA's epochs (default: its auto rule)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages or bars")


def build_parser():
    from .explorer import MAX_WINDOWS

    # no abbreviations: ``cluster --label`` must not be read as ``--labels`` (a file of bouts)
    strict = functools.partial(argparse.ArgumentParser, allow_abbrev=False)
    parser = strict(prog="deeptda", description="Topological dimensionality reduction of sensor time series.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=strict)

    demo = sub.add_parser(
        "demo",
        help="compare DeepTDA, t-SNE and UMAP on bundled data; write a figure and a table",
        description="Window the bundled accelerometer data, fit DeepTDA, t-SNE and UMAP with "
        "default parameters, and write a side-by-side figure (PNG), a metrics "
        "table (CSV and Markdown) and, with the explore extra, an interactive "
        "page of the three linked maps (explore.html) into --out.",
    )
    demo.add_argument("--out", default="results/demo", help="output folder (default: results/demo)")
    demo.add_argument(
        "--data",
        choices=["collar", "basic-motions"],
        default="collar",
        help="synthetic collar stream (default) or real UEA BasicMotions",
    )
    demo.add_argument("--duration", type=float, default=3600.0, help="seconds of collar stream (default: 3600)")
    demo.add_argument("--screenshot", help="also save a PNG of the interactive page (needs Chromium)")
    _run_args(demo)
    demo.set_defaults(func=cmd_demo)

    embed = sub.add_parser(
        "embed",
        help="embed a CSV or Parquet recording; write an embedding CSV and a PNG",
        description="Read a CSV or Parquet file (one row per sample), optionally cut it into windows, embed "
        "it with the chosen method and write OUT.csv and OUT.png.",
    )
    embed.add_argument("csv", help="input CSV or Parquet file")
    embed.add_argument(
        "--out", default="results/embedding", help="output path without extension (default: results/embedding)"
    )
    embed.add_argument("--method", choices=["deeptda", "tsne", "umap"], default="deeptda")
    _columns_args(embed)
    embed.add_argument("--label", help="label column, used for colours")
    embed.add_argument("--window", help="window length: samples (64) or a duration (2.56s); omit to embed rows")
    embed.add_argument("--stride", help="stride: samples or a duration (default: the window)")
    _run_args(embed, epochs=False)
    embed.set_defaults(func=cmd_embed)

    cluster = sub.add_parser(
        "cluster",
        help="find behaviours in a CSV or Parquet recording; write bouts, time budget and a timeline",
        description="Cut a CSV or Parquet recording into windows, embed them with DeepTDA, cluster the "
        "representation (or --space map; number of clusters from persistence) and write bouts.csv, "
        "time_budget.csv and timeline.png into --out.",
    )
    cluster.add_argument("csv", help="input CSV or Parquet file, one row per sample")
    cluster.add_argument("--out", default="results/cluster", help="output folder (default: results/cluster)")
    _columns_args(cluster)
    _window_args(cluster)
    cluster.add_argument(
        "--space",
        choices=["representation", "map"],
        default="representation",
        help="cluster DeepTDA's representation (default: the count is right more often there, "
        "docs/benchmarks.md) or its 2-D map",
    )
    cluster.add_argument("--n-clusters", type=int, default=None, help="fix the number of clusters (tomato)")
    cluster.add_argument("--min-bout", type=float, default=None, help="merge bouts shorter than this (seconds)")
    cluster.add_argument("--by-day", action="store_true", help="time budget per calendar day")
    named = cluster.add_mutually_exclusive_group()
    named.add_argument("--labels", help="CSV of labelled bouts (start,end,label) that name the clusters by majority")
    named.add_argument("--label", help="label column (empty where unknown) that names the clusters by majority")
    _run_args(cluster)
    cluster.set_defaults(func=cmd_cluster)

    explore = sub.add_parser(
        "explore",
        help="write one HTML page to explore the map of CSV or Parquet recordings",
        description="Cut one or more CSV or Parquet recordings into windows, embed them with DeepTDA "
        "(or a saved model), cluster them and write one self-contained HTML page "
        "(no server, nothing fetched) linking the map, the windows' traces and "
        "the timeline. Needs the extra: pip install 'deeptda[explore]'.",
    )
    explore.add_argument("csv", nargs="+", help="input CSV or Parquet files, one recording each, one row per sample")
    explore.add_argument("--out", default="results/explore.html", help="the page (default: results/explore.html)")
    _columns_args(explore)
    explore.add_argument("--label", help="label column, offered as a colouring")
    _window_args(explore)
    explore.add_argument(
        "--model",
        help="a pipeline written by deeptda fit (its windows, map and clusters), or a "
        "model saved by DeepTDA.save: map with it instead of fitting",
    )
    explore.add_argument(
        "--compare", nargs="+", choices=["tsne", "umap"], help="add linked t-SNE and/or UMAP panels next to DeepTDA's"
    )
    explore.add_argument("--title", help="page title (default: the file names)")
    explore.add_argument(
        "--max-windows",
        type=int,
        default=MAX_WINDOWS,
        help=f"windows drawn on the maps, a seeded sample (default: {MAX_WINDOWS:,}; 0: all)",
    )
    explore.add_argument("--screenshot", help="also save a PNG of the page (needs Chromium and ChromeDriver)")
    _run_args(explore)
    explore.set_defaults(func=cmd_explore)

    fit = sub.add_parser(
        "fit",
        help="fit one pipeline (windows, DeepTDA, clusters) on a sample of many recordings",
        description="Draw a seeded sample of windows across all recordings (CSV or Parquet files, "
        "or one long table with --id) without loading them all, fit DeepTDA and the "
        "behaviour clusters on it, and save everything to one file (--model).",
    )
    fit.add_argument("data", nargs="+", help="CSV or Parquet files or glob patterns, one recording each")
    fit.add_argument("--model", default="herd.pt", help="the pipeline file (default: herd.pt)")
    _columns_args(fit)
    fit.add_argument("--id", help="column naming the animal in a long table (one recording per value)")
    _window_args(fit)
    fit.add_argument("--sample", type=int, default=20000, help="training windows drawn (default: 20000)")
    _run_args(fit)
    fit.set_defaults(func=cmd_fit)

    apply = sub.add_parser(
        "apply",
        help="map and cluster every window of many recordings with a fitted pipeline",
        description="Cut every recording into windows with the pipeline's settings, map them "
        "and assign clusters; write OUT/windows/<recording>.parquet, "
        "OUT/time_budget.csv and OUT/summary.md. Recordings already written are "
        "skipped, so an interrupted run resumes.",
    )
    apply.add_argument("model", help="a pipeline file written by deeptda fit")
    apply.add_argument("data", nargs="+", help="CSV or Parquet files or glob patterns, one recording each")
    apply.add_argument("--out", default="results/herd", help="output folder (default: results/herd)")
    apply.add_argument("--id", help="column naming the animal in a long table")
    apply.add_argument("--scheduler", help="address of a dask.distributed scheduler (tcp://host:8786)")
    apply.add_argument("--workers", type=int, help="start a local Dask cluster of this many worker processes")
    apply.add_argument("--quiet", action="store_true", help="no progress messages or bars")
    apply.set_defaults(func=cmd_apply)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"deeptda: warning: {message}", file=sys.stderr)


def main(argv=None):
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.showwarning = _show_warning
        try:
            return args.func(args)
        except (ValueError, OSError, ImportError) as exc:
            # user errors (bad input, missing or unreadable files, a missing extra): one line, no traceback
            message = (
                str(exc)
                if not isinstance(exc, OSError) or not exc.filename
                else (f"{exc.strerror or exc}: {exc.filename!r}")
            )
            print(f"deeptda: error: {message}", file=sys.stderr)
            return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
