"""DeepTDA vs t-SNE vs UMAP on the bundled data: quality, robustness, speed.

    python benchmarks/bench_embeddings.py                 # full run: 3 seeds, both datasets
    python benchmarks/bench_embeddings.py --quick         # tiny smoke run
    python benchmarks/bench_embeddings.py --table docs/tables/embeddings.md --readme README.md   # the docs' numbers
    python benchmarks/bench_embeddings.py --scale 10000 30000 100000   # fit time vs n
    python benchmarks/bench_embeddings.py --scale 100000 --thread-variants   # + other core counts

Every method sees the same windows (standardised per channel the same way),
with default parameters and the same seed. Conditions: ``clean``; Gaussian
noise at 20 and 10 dB SNR (``snr20``, ``snr10``); and the whole sensor fault
model of :func:`deeptda.add_faults` (``faults``: 10 dB noise, single-sample
spikes, 5 % of the windows ruined by noise, dropout or saturation), the one the
generalisation suite uses. All are scored against the clean
windows and the clean labels; ``knn_drop`` is the loss of kNN accuracy against
the same method on clean data, and ``seed_disparity`` the Procrustes disparity
between the first seed's embedding and each other seed's.
``trust_spectra@10`` is trustworthiness against the clean windows' amplitude
spectra (:func:`deeptda.metrics.amplitude_spectra`), a reference in which
windows that differ only in phase coincide; ``trustworthiness@10`` is against
the standardised windows themselves.
``DeepTDA (topo_weight=0)`` is the ablation of the topological term, scored
also by ``rep_map_dgm0``: the Wasserstein distance between the 0-dim diagrams
of the representation and of the map (DeepTDA rows only).

Writes ``embeddings_runs.csv`` (one row per dataset, condition, method, seed),
``embeddings_summary.csv`` and ``.md`` (means over seeds, with the kNN accuracy
drop under noise), and ``embeddings.png`` (first seed, clean and noisy).
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

from deeptda import DeepTDA, add_faults, compare_methods
from deeptda.compare import make_method
from deeptda.metrics import amplitude_spectra, procrustes_disparity, trustworthiness

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import PeakRSS, best_time, replace_block, write_table  # noqa: E402

METHODS = ["DeepTDA", "DeepTDA (topo_weight=0)", "t-SNE", "UMAP"]
SUMMARY = [
    "knn_accuracy",
    "seed_disparity",
    "trustworthiness@10",
    "trust_spectra@10",
    "continuity@10",
    "knn_preservation@10",
    "spearman",
    "kl@0.1",
    "wasserstein_dgm0",
    "wasserstein_dgm1",
    "rep_map_dgm0",
    "ari",
    "fit_s",
    "transform_ms_per_sample",
]


def datasets(names, duration):
    from deeptda.datasets import load_basic_motions, make_collar_windows

    for name in names:
        if name == "basic-motions":
            yield name, *load_basic_motions()
        elif name == "collar":
            w = make_collar_windows(duration=duration, random_state=0)
            yield name, w.X, w.y


def rep_map_distance(model, X, random_state):
    """0-dim diagram distance between a fitted DeepTDA's representation and its map."""
    from deeptda.metrics import diagram_distances

    return diagram_distances(model.representation(X), model.transform(X), max_points_1d=50, random_state=random_state)[
        "dgm0"
    ]


CONDITIONS = {  # name: parameters of deeptda.add_faults (None: the clean windows)
    "clean": None,
    "snr20": {"snr_db": 20.0, "spike_fraction": 0.0, "corrupt_fraction": 0.0},
    "snr10": {"snr_db": 10.0, "spike_fraction": 0.0, "corrupt_fraction": 0.0},
    "faults": {},  # the fault model's defaults
}


def estimators(names, seed, params):
    """The compared estimators by display name; the ablation is DeepTDA without its topological term."""
    made = {
        "DeepTDA": DeepTDA(random_state=seed, **params),
        "DeepTDA (topo_weight=0)": DeepTDA(random_state=seed, **{**params, "topo_weight": 0.0}),
    }
    return {m: made[m] if m in made else make_method(m, seed) for m in names}


def run_quality(args):
    runs, figures = [], {}
    for name, X, y in datasets(args.datasets, args.duration):
        spectra = amplitude_spectra(X)  # phase-free reference of the clean windows
        for condition in args.conditions:
            faults = CONDITIONS[condition]
            data = X if faults is None else add_faults(X, **faults, random_state=123)
            methods = METHODS if condition == "clean" else [m for m in METHODS if "topo_weight=0" not in m]
            first = {}
            for seed in args.seeds:
                emb, table, models = compare_methods(
                    data, y, methods=estimators(methods, seed, args.deeptda_params), random_state=seed, X_reference=X
                )
                for m in methods:
                    row = {
                        "dataset": name,
                        "condition": condition,
                        "method": m,
                        "seed": seed,
                        "n": len(X),
                        **table.loc[m].to_dict(),
                        "trust_spectra@10": trustworthiness(spectra, emb[m], 10),
                    }
                    if m.startswith("DeepTDA"):
                        row["rep_map_dgm0"] = rep_map_distance(models[m], data, seed)
                    if m in first:
                        row["seed_disparity"] = procrustes_disparity(first[m], emb[m])
                    else:
                        first[m] = emb[m]
                    runs.append(row)
                if seed == args.seeds[0] and condition in ("clean", args.conditions[-1]):
                    figures[(name, condition)] = (emb, y)
                print(
                    f"{name} {condition} seed={seed}: "
                    + ", ".join(f"{m}={table.loc[m, 'knn_accuracy']:.3f}" for m in methods),
                    flush=True,
                )
    return pd.DataFrame(runs), figures


def summarise(runs):
    cols = [c for c in SUMMARY if c in runs.columns]
    keys = ["dataset", "condition", "method"]
    mean = runs.groupby(keys, sort=False)[cols].mean()
    mean["knn_accuracy_sd"] = runs.groupby(keys, sort=False)["knn_accuracy"].std()
    out = mean.reset_index()
    clean = out[out.condition == "clean"].set_index(["dataset", "method"])["knn_accuracy"]
    out["knn_drop"] = [a - clean.get((d, m), np.nan) for d, m, a in zip(out.dataset, out.method, out.knn_accuracy)]
    out["knn_drop"] = -out["knn_drop"]
    return out


def plot(figures, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from deeptda.plotting import plot_embeddings

    keys = list(figures)
    fig = plt.figure(figsize=(4.2 * 4 + 1.5, 4.0 * len(keys)))
    subfigs = fig.subfigures(len(keys), 1, squeeze=False)[:, 0]
    for sub, key in zip(subfigs, keys):
        emb, y = figures[key]
        plot_embeddings(emb, y, fig=sub)
        sub.suptitle(f"{key[0]} ({key[1]})")
    fig.savefig(path, dpi=100)
    plt.close(fig)


# label: (method, seed, extra parameters). The defaults use a seed, which makes umap-learn
# single-threaded, and openTSNE's wrapper defaults to n_jobs=1, while torch uses every core.
# --thread-variants adds t-SNE and UMAP on every core, so no ratio hides a core count.
# (DeepTDA on fewer threads is left out: torch.set_num_threads, called at all, even with the
# current count, made DeepTDA's fit 1.8x slower in this process, next to numba's thread pool.)
SCALE_CONFIGS = {
    "DeepTDA": ("DeepTDA", 0, {}),
    "t-SNE": ("t-SNE", 0, {}),
    "UMAP": ("UMAP", 0, {}),
}
THREAD_VARIANTS = {
    "t-SNE (n_jobs=-1)": ("t-SNE", 0, {"n_jobs": -1}),
    "UMAP (unseeded, all cores)": ("UMAP", None, {}),
}


def run_scale(args):
    from deeptda.datasets import make_collar_windows

    configs = dict(SCALE_CONFIGS, **(THREAD_VARIANTS if args.thread_variants else {}))
    rows = []
    largest = max(args.scale)
    w = make_collar_windows(duration=largest * 1.28 + 600, random_state=0)
    for m in ["DeepTDA", "t-SNE", "UMAP"]:  # warm up: numba compilation is not part of a fit or a transform
        warm = make_method(m, 0, **({"n_epochs": 1, "map_epochs": 1} if m == "DeepTDA" else {})).fit(w.X[:300])
        warm.transform(w.X[300:310])
    for n in args.scale:
        X = w.X[:n]
        for label, (method, seed, params) in configs.items():
            extra = args.deeptda_params if method == "DeepTDA" else {}
            est = make_method(method, seed, **params, **extra)
            with PeakRSS() as memory:
                t0 = time.perf_counter()
                est.fit(X)
                fit_s = time.perf_counter() - t0
            # 1,000 windows, best of up to 3 calls: seconds for 1,000 == milliseconds per window
            transform_s = best_time(lambda: est.transform(X[:1000]))
            rows.append(
                {
                    "n": len(X),
                    "method": label,
                    "fit_s": fit_s,
                    "transform_ms_per_window": transform_s,
                    "peak_mem_mb": memory.mb,
                }
            )
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    base = table.set_index(["n", "method"])["fit_s"].unstack()[list(configs)]
    for m in configs:
        if m != "DeepTDA":
            base[f"{m} / DeepTDA"] = base[m] / base["DeepTDA"]
    return table, base


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["basic-motions", "collar"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--duration", type=float, default=3600.0, help="seconds of collar stream")
    ap.add_argument("--conditions", nargs="+", default=list(CONDITIONS), choices=list(CONDITIONS))
    ap.add_argument("--quick", action="store_true", help="two seeds at most, short stream, few epochs")
    ap.add_argument("--scale", type=int, nargs="*", help="time fits at these numbers of windows instead")
    ap.add_argument(
        "--thread-variants",
        action="store_true",
        help="with --scale: also t-SNE on all cores and UMAP unseeded (all cores)",
    )
    ap.add_argument("--out", default="results/bench")
    ap.add_argument(
        "--table", default=None, help="also write the summary (or with --scale, the scale) Markdown table here"
    )
    ap.add_argument(
        "--readme",
        default=None,
        help="also write the clean and faults rows into this file's 'embeddings' block (README.md)",
    )
    args = ap.parse_args(argv)
    args.deeptda_params = {}
    if args.quick:
        args.seeds, args.duration = args.seeds[:2], 400.0
        args.deeptda_params = {"n_epochs": 3, "map_epochs": 3}
    os.makedirs(args.out, exist_ok=True)
    warnings.filterwarnings("ignore")
    if args.scale:
        table, wide = run_scale(args)
        write_table(table, os.path.join(args.out, "scale.csv"), markdown=False)
        text = table.to_markdown(index=False, floatfmt=".3g") + "\n\n" + wide.to_markdown(floatfmt=".3g")
        print(text)
        if args.table:
            command = " ".join(["python benchmarks/bench_embeddings.py", *(argv if argv is not None else sys.argv[1:])])
            write_table(
                f"Generated by `{command}` ({os.cpu_count()} CPU cores; fit seconds, transform ms per window, "
                f"memory added during the fit in MB).\n\n{text}\n",
                args.table,
                markdown=True,
            )
        return
    runs, figures = run_quality(args)
    runs.to_csv(os.path.join(args.out, "embeddings_runs.csv"), index=False)
    summary = summarise(runs)
    summary.to_csv(os.path.join(args.out, "embeddings_summary.csv"), index=False)
    cols = [
        "dataset",
        "condition",
        "method",
        "knn_accuracy",
        "knn_accuracy_sd",
        "knn_drop",
        "trustworthiness@10",
        "trust_spectra@10",
        "continuity@10",
        "spearman",
        "wasserstein_dgm0",
        "rep_map_dgm0",
        "seed_disparity",
        "fit_s",
        "transform_ms_per_sample",
    ]
    md = summary[[c for c in cols if c in summary.columns]].to_markdown(index=False, floatfmt=".3f")
    for path in [os.path.join(args.out, "embeddings_summary.md")] + ([args.table] if args.table else []):
        write_table(md + "\n", path, markdown=True)
    if args.readme:
        short = [
            "dataset",
            "condition",
            "method",
            "knn_accuracy",
            "knn_drop",
            "trustworthiness@10",
            "trust_spectra@10",
            "rep_map_dgm0",
            "fit_s",
        ]
        rows = summary[summary.condition.isin(["clean", args.conditions[-1]])]
        replace_block(
            args.readme, "embeddings", rows[[c for c in short if c in rows]].to_markdown(index=False, floatfmt=".3f")
        )
    plot(figures, os.path.join(args.out, "embeddings.png"))
    print(md)
    print(f"\nwritten: {args.out}/embeddings_runs.csv, embeddings_summary.csv, embeddings_summary.md, embeddings.png")


if __name__ == "__main__":
    main()
