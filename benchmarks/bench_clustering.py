"""Behaviour clustering: PersistenceClustering on DeepTDA maps against KMeans on UMAP.

    python benchmarks/bench_clustering.py [--seeds 0 1 2] [--out results/bench] [--quick]

For the synthetic collar windows and the real BasicMotions windows, with
default parameters: ARI of PersistenceClustering (ToMATo, number of clusters
chosen from persistence: the bootstrap band by default, the largest gap for
comparison) on the DeepTDA map and on the DeepTDA representation, the chosen
number of clusters against the true number of behaviours, and the baseline of
KMeans with the true k on the UMAP embedding. Writes ``clustering.csv`` and
``clustering_summary.md`` and prints the table.
"""

import argparse
import os
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from deeptda import DeepTDA, PersistenceClustering, UMAP
from deeptda.datasets import load_basic_motions, make_collar_windows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--duration", type=float, default=3600.0)
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--quick", action="store_true", help="one seed, short stream, few epochs (a smoke run)")
    args = ap.parse_args()
    params = {}
    if args.quick:
        args.seeds, args.duration, params = args.seeds[:1], 300.0, {"n_epochs": 3, "map_epochs": 3}
    warnings.filterwarnings("ignore")
    w = make_collar_windows(duration=args.duration, random_state=0)
    data = {"collar": (w.X, w.y), "basic-motions": load_basic_motions()}
    rows = []
    for name, (X, y) in data.items():
        k_true = len(np.unique(y))
        for seed in args.seeds:
            model = DeepTDA(random_state=seed, **params).fit(X)
            spaces = {"DeepTDA map": model.embedding_, "DeepTDA representation": model.representation(X)}
            for space, S in spaces.items():
                for selection in ("bootstrap", "gap"):
                    pc = PersistenceClustering(selection=selection, random_state=seed).fit(S)
                    rows.append({"dataset": name, "seed": seed,
                                 "method": f"PersistenceClustering ({selection}) on {space}",
                                 "ari": adjusted_rand_score(y, pc.labels_), "n_clusters": pc.n_clusters_,
                                 "true_k": k_true})
            U = UMAP(random_state=seed).fit_transform(X)
            km = KMeans(k_true, n_init=10, random_state=seed).fit_predict(U)
            rows.append({"dataset": name, "seed": seed, "method": "KMeans(true k) on UMAP",
                         "ari": adjusted_rand_score(y, km), "n_clusters": k_true, "true_k": k_true})
            print(rows[-5:], flush=True)
    runs = pd.DataFrame(rows)
    os.makedirs(args.out, exist_ok=True)
    runs.to_csv(os.path.join(args.out, "clustering.csv"), index=False)
    runs["count_within_1"] = (runs["n_clusters"] - runs["true_k"]).abs() <= 1
    summary = runs.groupby(["dataset", "method"], sort=False).agg(
        ari=("ari", "mean"), ari_sd=("ari", "std"), n_clusters=("n_clusters", "mean"),
        count_within_1=("count_within_1", "mean"), true_k=("true_k", "first"))
    md = summary.reset_index().to_markdown(index=False, floatfmt=".3f")
    with open(os.path.join(args.out, "clustering_summary.md"), "w") as fh:
        fh.write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
