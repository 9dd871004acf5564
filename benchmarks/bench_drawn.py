"""Drawn recordings: DeepTDA, t-SNE and UMAP with default parameters on simulator
configurations drawn at random, none of which any default was chosen on.

    # 24 drawn recordings, clean and under faults (25 minutes on 2 cores)
    python benchmarks/bench_drawn.py --faults --table docs/tables/drawn.md
    # another, larger draw, clean only
    python benchmarks/bench_drawn.py --draws 60 --draw-seed 1

The generalisation suite (``bench_generalisation.py``) has a fixed list of sets, so
a default can come to fit that list. Here each recording is one draw from a wide
space of :func:`deeptda.datasets.make_wearable_windows` settings (``draw_config``):
1-100 Hz, 1-9 channels, 1-10 s windows, 3-8 behaviours whose time shares differ by
up to 30 times, cross-fades of up to 5 s between bouts, any sensor rotation, sensor
noise from 0.01 to 0.3 g, saturation at 2-8 g or none, and one draw in five keeps
per-second summaries (mean and sd) instead of raw samples; 150 to 3,000 windows. A
draw with ``--draw-seed`` is repeatable; a new draw seed is new data. A draw that
leaves fewer than two behaviours with ``MIN_CLASS`` windows is skipped, and the run
says so (its number is missing from the table).

Every method gets the windows standardised per channel by
:class:`deeptda.preprocessing.ChannelScaler` (as in the suite). The score is 5-NN
accuracy in 2-D (5-fold), over the windows of behaviours with at least ``MIN_CLASS``
windows (each method embeds every window; a behaviour with fewer windows cannot be
scored by 5-fold cross-validation; ``left_out_of_score`` in the runs CSV says how many
windows that leaves out). With ``--faults`` each recording is also run under
:func:`deeptda.datasets.add_faults`, scored against the clean labels.

Writes ``drawn_runs.csv`` (one row per recording, condition, method, seed) and
``drawn_summary.md`` under ``--out``, the Markdown table to ``--table`` and its sentences
into the ``drawn`` block of ``--readme``.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import replace_block, write_table  # noqa: E402
from bench_generalisation import LINE, make, warm_up  # noqa: E402

METHODS = ["DeepTDA", "t-SNE", "UMAP"]
PEERS = ["t-SNE", "UMAP"]
#: Behaviours with fewer windows than this are embedded but not scored (5-fold CV needs a few per fold).
MIN_CLASS = 10


def draw_config(rng):
    """One simulator configuration (keyword arguments of ``make_wearable_windows``) drawn from ``rng``."""
    rate = float(rng.choice([10, 20, 25, 32, 50, 100]))
    summary = rng.random() < 0.2
    window_s = float(rng.choice([4, 6, 8, 10] if summary else [1, 2, 3, 4, 6, 8, 10]))
    while not summary and window_s * rate > 1000:  # at most 1,000 samples per channel
        window_s /= 2
    stride_s = window_s if rng.random() < 0.5 else window_s / 2
    n_windows = int(np.exp(rng.uniform(np.log(150), np.log(3000))))
    return dict(
        duration=float(round(n_windows * stride_s + window_s)),
        sampling_rate=rate,
        window=f"{window_s:g}s",
        stride=f"{stride_s:g}s",
        n_channels=int(rng.choice([1, 2, 3, 3, 6, 9])),
        n_behaviours=int(rng.integers(3, 9)),
        imbalance=float(np.round(np.exp(rng.uniform(0, np.log(30))), 1)),
        transition=float(np.round(rng.uniform(0, 5), 1)),
        rotation=float(np.round(rng.uniform(0, 180))),
        noise=float(np.round(np.exp(rng.uniform(np.log(0.01), np.log(0.3))), 3)),
        clip=[2.0, 4.0, 8.0, None][int(rng.integers(4))],
        summary="1s" if summary else None,
        random_state=int(rng.integers(2**31 - 1)),
    )


def describe(config, X):
    """A short name of a drawn recording: rate, channels x samples, windows, behaviours, noise."""
    kind = "summaries" if config["summary"] else f"{config['sampling_rate']:g}Hz"
    clip = "none" if config["clip"] is None else f"{config['clip']:g}"
    return (
        f"{kind} {X.shape[1]}x{X.shape[2]} n={len(X)} k={config['n_behaviours']} noise={config['noise']:g} clip={clip}"
    )


def scored(Y, y):
    """The rows of ``Y`` and labels of behaviours with at least ``MIN_CLASS`` windows."""
    names, counts = np.unique(y, return_counts=True)
    keep = np.isin(y, names[counts >= MIN_CLASS])
    return Y[keep], y[keep], int((~keep).sum())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=24, help="recordings to draw")
    parser.add_argument("--draw-seed", type=int, default=0, help="seed of the draw of configurations")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="method seeds")
    parser.add_argument("--faults", action="store_true", help="also run each recording under the fault model")
    parser.add_argument("--out", default="results/bench")
    parser.add_argument("--table", default=None, help="also write the Markdown summary here")
    parser.add_argument(
        "--readme", default=None, help="also write the summary sentences into this file's 'drawn' block"
    )
    parser.add_argument("--summarise-only", action="store_true", help="rebuild the tables from drawn_runs.csv")
    args = parser.parse_args(argv)
    if args.summarise_only:
        return publish(pd.read_csv(os.path.join(args.out, "drawn_runs.csv")), args)
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    from deeptda.datasets import add_faults, make_wearable_windows
    from deeptda.metrics import knn_accuracy
    from deeptda.preprocessing import ChannelScaler

    rng = np.random.default_rng(args.draw_seed)
    configs = [draw_config(rng) for _ in range(args.draws)]
    os.makedirs(args.out, exist_ok=True)
    warm_up(METHODS)
    rows = []
    for i, config in enumerate(configs):
        w = make_wearable_windows(**config)
        y = np.asarray(w.y).astype(str)
        name = f"{i:02d} {describe(config, w.X)}"
        names, counts = np.unique(y, return_counts=True)
        if (counts >= MIN_CLASS).sum() < 2:
            print(f"{name}: skipped, fewer than two behaviours with {MIN_CLASS} windows ({dict(zip(names, counts))})")
            continue
        conditions = {"clean": w.X}
        if args.faults:
            conditions["faults"] = add_faults(w.X, random_state=0)
        for condition, X_raw in conditions.items():
            X = ChannelScaler().fit_transform(X_raw)
            for method in METHODS:
                for seed in args.seeds:
                    start = time.perf_counter()
                    Y = np.asarray(make(method, seed).fit_transform(X), dtype=np.float64)
                    row = dict(set=name, n=len(X), shape="x".join(map(str, X.shape[1:])), condition=condition)
                    row.update(method=method, seed=seed, fit_s=time.perf_counter() - start, draw_seed=args.draw_seed)
                    Ys, ys, left_out = scored(Y, y)
                    row.update(
                        knn_accuracy=knn_accuracy(Ys, ys, random_state=seed),
                        left_out_of_score=left_out,
                        behaviours_scored=len(np.unique(ys)),
                        **{f"config_{k}": v for k, v in config.items()},
                    )
                    rows.append(row)
                    print(
                        f"{name:55s} {condition:6s} {method:8s} seed {seed}: kNN {row['knn_accuracy']:.3f}  "
                        f"fit {row['fit_s']:.1f}s",
                        flush=True,
                    )
        pd.DataFrame(rows).to_csv(os.path.join(args.out, "drawn_runs.csv.part"), index=False)
    runs = pd.DataFrame(rows)
    write_table(runs, os.path.join(args.out, "drawn_runs.csv"), markdown=False)
    os.remove(os.path.join(args.out, "drawn_runs.csv.part"))
    publish(runs, args)


def publish(runs, args):
    """Write and print the Markdown summary of ``runs``."""
    text = summary_markdown(runs)
    for path in [os.path.join(args.out, "drawn_summary.md")] + ([args.table] if args.table else []):
        write_table(text, path, markdown=True)
    if args.readme:
        sentences = [p.strip() for p in text.split("\n\n") if p.strip()[:1].isalpha() and not p.startswith("**")]
        replace_block(args.readme, "drawn", " ".join(sentences))
    print(text)


def summary_markdown(runs):
    """The per-recording table (means over seeds) and one paragraph per condition."""
    parts = []
    draw_seed = int(runs["draw_seed"].iloc[0])
    seeds = ", ".join(str(s) for s in sorted(runs["seed"].unique()))
    for condition, part in runs.groupby("condition", sort=False):
        acc = part.pivot_table(index="set", columns="method", values="knn_accuracy", aggfunc="mean")
        fit = part.pivot_table(index="set", columns="method", values="fit_s", aggfunc="mean")
        best_peer = acc[PEERS].max(axis=1)
        table = pd.DataFrame(
            {
                "recording": acc.index,
                **{m: acc[m].round(3) for m in METHODS},
                "DeepTDA - best peer": (acc["DeepTDA"] - best_peer).round(3),
                "fit s (DeepTDA / t-SNE / UMAP)": [
                    " / ".join(f"{fit.loc[s, m]:.1f}" for m in METHODS) for s in acc.index
                ],
            }
        )
        margin = acc["DeepTDA"] - best_peer
        lost = margin[margin < -LINE].sort_values()
        means = acc[METHODS].mean()
        sentence = (
            f"{condition.capitalize()}, {len(acc)} drawn recordings (draw seed {draw_seed}, method seeds "
            f"{seeds}): mean 5-NN accuracy DeepTDA {means['DeepTDA']:.3f}, t-SNE "
            f"{means['t-SNE']:.3f}, UMAP {means['UMAP']:.3f}. DeepTDA is above the best of t-SNE and UMAP on "
            f"{int((margin > 0).sum())} of {len(acc)}, within 0.02 of it on {int((margin >= -LINE).sum())}; "
            + (
                "beyond that line on " + ", ".join(f"{' '.join(s.split()[:4])} ({v:+.3f})" for s, v in lost.items())
                if len(lost)
                else "beyond that line on none"
            )
            + f". Worst margin {margin.min():+.3f}, median {margin.median():+.3f}."
        )
        parts.append(f"**{condition}**\n\n{table.to_markdown(index=False)}\n\n{sentence}\n")
    if {"clean", "faults"} <= set(runs["condition"]):
        parts.append(drop_sentence(runs) + "\n")
    return "\n".join(parts)


def drop_sentence(runs):
    """Mean accuracy drop under the fault model per method (clean minus faulty, same recording and seed)."""
    acc = runs.pivot_table(index=["set", "seed"], columns=["condition", "method"], values="knn_accuracy")
    drop = (acc["clean"] - acc["faults"]).mean()
    return (
        "Mean accuracy drop under the fault model (clean minus faulty, same recording and seed): "
        + ", ".join(f"{m} {drop[m]:.3f}" for m in METHODS)
        + f"; DeepTDA's is {drop['DeepTDA'] / drop['UMAP']:.2f} of UMAP's."
    )


if __name__ == "__main__":
    main()
