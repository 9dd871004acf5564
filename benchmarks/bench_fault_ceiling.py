"""What the fault model leaves to find: supervised classifiers on the generalisation suite's
inputs, clean and under the fault model, told the labels.

    python benchmarks/bench_fault_ceiling.py                       # every suite set, seed 0 (about 10 minutes)
    python benchmarks/bench_fault_ceiling.py --sets GunPoint iris  # a subset
    python benchmarks/bench_fault_ceiling.py --runs results/bench/generalisation_runs.csv   # maps beside them
    python benchmarks/bench_fault_ceiling.py --summarise-only --runs results/bench/generalisation_runs.csv

The generalisation suite scores each 2-D map by a 5-NN classifier and asks how much of
that accuracy the fault model (:func:`deeptda.datasets.add_faults`: 10 dB noise, 0.5 %
spikes of 8 sd, 5 % of windows ruined whole) takes away. This script asks the same
question of classifiers that are *given the labels* and the whole input, so it bounds
what an unsupervised map can keep in practice: the same standardised inputs as the suite
(``bench_generalisation.load`` and its scaling), the same stratified 5-fold split of
the same seed, trained and tested on the faulty inputs, scored against the clean labels.

Classifiers: 5-NN on the flattened input, logistic regression, a random forest of 300
trees and, for windows, MiniRocket (aeon's convolutional time-series classifier; not for
rows). ``best`` is the most accurate of them in each condition, and its drop is best
clean minus best faulty. With ``--runs`` (the suite's ``generalisation_runs.csv``) the
table also gives each map's mean clean and faulty accuracy over the seeds in that file.
Writes ``fault_ceiling_runs.csv`` and ``fault_ceiling_summary.csv`` under ``--out``.
"""

import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import write_table  # noqa: E402
from bench_generalisation import AS_GIVEN, DEFAULT_SETS, load  # noqa: E402

CLASSIFIERS = ["5-NN, input", "logistic", "forest", "MiniRocket"]


def classifier(name, seed):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "5-NN, input":
        return KNeighborsClassifier(5)
    if name == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    if name == "forest":
        return RandomForestClassifier(300, random_state=seed, n_jobs=-1)
    from aeon.classification.convolution_based import MiniRocketClassifier

    return MiniRocketClassifier(random_state=seed, n_jobs=-1)


def accuracy(name, X, y, seed):
    """Mean accuracy over the suite's stratified folds (``deeptda.metrics.knn_accuracy``'s split)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    _, counts = np.unique(y, return_counts=True)
    cv = StratifiedKFold(int(min(5, counts.min())), shuffle=True, random_state=seed)
    Xin = X if name == "MiniRocket" else X.reshape(len(X), -1)
    return float(cross_val_score(classifier(name, seed), Xin, y, cv=cv).mean())


def map_means(runs_path, sets):
    """Mean clean and faulty 2-D map accuracy per set and method from the suite's runs file."""
    runs = pd.read_csv(runs_path)
    runs = runs[runs["set"].isin(sets) & runs["method"].isin(["DeepTDA", "t-SNE", "UMAP"])]
    means = runs.groupby(["set", "method", "condition"])["knn_accuracy"].mean().unstack(["method", "condition"])
    seeds = sorted(runs["seed"].unique())
    return means, seeds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=DEFAULT_SETS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="results/bench")
    parser.add_argument("--runs", default=None, help="the suite's generalisation_runs.csv, for the maps' columns")
    parser.add_argument("--table", default=None, help="also write the Markdown table here")
    parser.add_argument(
        "--summarise-only",
        action="store_true",
        help="rebuild the tables from an existing fault_ceiling_runs.csv (e.g. with a newer --runs file)",
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    if args.summarise_only:
        return write_summaries(pd.read_csv(os.path.join(args.out, "fault_ceiling_runs.csv")), args, argv)
    from deeptda.datasets import add_faults
    from deeptda.preprocessing import ChannelScaler

    rows = []
    for name in args.sets:
        X_raw, y = load(name)

        def scale(A, name=name):
            return A if name in AS_GIVEN else ChannelScaler().fit_transform(A)

        inputs = {"clean": scale(X_raw), "faults": scale(add_faults(X_raw, random_state=0))}
        for method in CLASSIFIERS:
            if method == "MiniRocket" and (X_raw.ndim != 3 or X_raw.shape[2] < 9):
                continue
            row = {"set": name, "n": len(X_raw), "classifier": method}
            for condition, X in inputs.items():
                row[condition] = accuracy(method, np.asarray(X, dtype=np.float32), y, args.seed)
            row["drop"] = row["clean"] - row["faults"]
            rows.append(row)
            print(f"{name:22s} {method:12s} clean {row['clean']:.3f}  faults {row['faults']:.3f}", flush=True)
    runs = pd.DataFrame(rows)
    os.makedirs(args.out, exist_ok=True)
    write_table(runs, os.path.join(args.out, "fault_ceiling_runs.csv"), markdown=False)
    write_summaries(runs, args, argv)


def write_summaries(runs, args, argv):
    summary = summarise(runs, args)
    write_table(summary, os.path.join(args.out, "fault_ceiling_summary.csv"), markdown=False)
    text = summary_markdown(summary, args, sys.argv[1:] if argv is None else argv)
    print(text)
    if args.table:
        write_table(text, args.table, markdown=True)


def summarise(runs, args):
    """One row per set: each classifier's clean/faulty accuracy, the best of them, and (``--runs``) the maps'."""
    table = []
    for name, group in runs.groupby("set", sort=False):
        row = {"set": name, "n": int(group["n"].iloc[0])}
        for _, r in group.iterrows():
            row[f"{r['classifier']} clean"] = r["clean"]
            row[f"{r['classifier']} faults"] = r["faults"]
        row["best clean"] = group["clean"].max()
        row["best faults"] = group["faults"].max()
        row["best drop"] = row["best clean"] - row["best faults"]
        table.append(row)
    summary = pd.DataFrame(table)
    if args.runs:
        means, _ = map_means(args.runs, list(summary["set"]))
        for method in ["DeepTDA", "t-SNE", "UMAP"]:
            for condition in ["clean", "faults"]:
                summary[f"{method} map {condition}"] = summary["set"].map(means[(method, condition)])
            summary[f"{method} map drop"] = summary[f"{method} map clean"] - summary[f"{method} map faults"]
    return summary


def summary_markdown(summary, args, argv):
    def pair(a, b):
        return "" if pd.isna(a) else f"{a:.3f} / {b:.3f}"

    heads = ["set", "n"] + [f"{c} (clean / faults)" for c in CLASSIFIERS] + ["best: clean / faults (drop)"]
    methods = ["DeepTDA", "t-SNE", "UMAP"] if args.runs else []
    heads += [f"{m} 2-D map (drop)" for m in methods]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for _, r in summary.iterrows():
        cells = [r["set"], str(r["n"])]
        cells += [pair(r.get(f"{c} clean", np.nan), r.get(f"{c} faults", np.nan)) for c in CLASSIFIERS]
        cells.append(f"{r['best clean']:.3f} / {r['best faults']:.3f} ({r['best drop']:+.3f})")
        cells += [
            f"{r[f'{m} map clean']:.3f} / {r[f'{m} map faults']:.3f} ({r[f'{m} map drop']:+.3f})" for m in methods
        ]
        lines.append("| " + " | ".join(cells) + " |")
    mean = ["**mean**", ""] + [""] * len(CLASSIFIERS)
    mean.append(
        f"{summary['best clean'].mean():.3f} / {summary['best faults'].mean():.3f} ({summary['best drop'].mean():+.3f})"
    )
    mean += [
        f"{summary[f'{m} map clean'].mean():.3f} / {summary[f'{m} map faults'].mean():.3f} "
        f"({summary[f'{m} map drop'].mean():+.3f})"
        for m in methods
    ]
    lines.append("| " + " | ".join(mean) + " |")
    command = " ".join(["python benchmarks/bench_fault_ceiling.py", *argv])
    head = (
        f"Generated by `{command}` ({os.cpu_count()} CPU cores). Accuracy of classifiers told the labels "
        f"(stratified 5-fold, seed {args.seed}) on the suite's standardised inputs, clean / under the fault "
        "model, scored against the clean labels; best = the most accurate classifier in each condition."
    )
    return head + "\n\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
