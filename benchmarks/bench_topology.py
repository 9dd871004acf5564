"""0-dim persistence kernels against the distance-matrix floor, gudhi and scipy.

    python benchmarks/bench_topology.py [--sizes 256 1024 4096] [--dim 32] [--out results/bench]

Prints a table and writes ``topology.csv``. For each b: the time to compute the
b x b distance matrix (the floor for dense 0-dim persistence), our numba kernel
on that matrix (``ours_dense``) and on the points (``ours_points``, no matrix),
gudhi's Rips persistence restricted to dimension 0, scipy's MST, and, when
CUDA is present, the torch path. Best of ``--repeat`` runs.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_time, publish  # noqa: E402

NO_BUDGET = float("inf")  # every repeat runs


def main(argv=None):
    import gudhi
    import torch
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial.distance import cdist

    from deeptda.topology import zero_dim_pairs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 1024, 4096])
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gudhi-max", type=int, default=4096)
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--table", help="also write the Markdown table here (docs/tables/topology.md for the docs)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    zero_dim_pairs(rng.normal(size=(8, 2)))  # compile the kernels once
    zero_dim_pairs(cdist(*(2 * [rng.normal(size=(8, 2))])), precomputed=True)
    rows = []
    for b in args.sizes:
        X = rng.normal(size=(b, args.dim))
        D = np.ascontiguousarray(cdist(X, X))
        row = {"b": b, "dim": args.dim}
        row["distance_matrix_s"] = best_time(lambda: cdist(X, X), args.repeat, NO_BUDGET)
        row["ours_dense_s"] = best_time(
            lambda: zero_dim_pairs(D, precomputed=True, check_input=False), args.repeat, NO_BUDGET
        )
        row["ours_points_s"] = best_time(lambda: zero_dim_pairs(X, check_input=False), args.repeat, NO_BUDGET)
        row["scipy_mst_s"] = best_time(lambda: minimum_spanning_tree(D), args.repeat, NO_BUDGET)
        if b <= args.gudhi_max:

            def run_gudhi():
                st = gudhi.RipsComplex(distance_matrix=D).create_simplex_tree(max_dimension=1)
                st.compute_persistence()
                st.persistence_intervals_in_dimension(0)

            row["gudhi_rips0_s"] = best_time(run_gudhi, 1 if b > 1024 else args.repeat, NO_BUDGET)
        if torch.cuda.is_available():
            Dt = torch.as_tensor(D, device="cuda", dtype=torch.float32)
            zero_dim_pairs(Dt, precomputed=True)
            torch.cuda.synchronize()

            def run_torch():
                zero_dim_pairs(Dt, precomputed=True)
                torch.cuda.synchronize()

            row["torch_cuda_s"] = best_time(run_torch, args.repeat, NO_BUDGET)
        row["dense_over_floor"] = row["ours_dense_s"] / row["distance_matrix_s"]
        row["floor_plus_dense_over_floor"] = (row["ours_dense_s"] + row["distance_matrix_s"]) / row["distance_matrix_s"]
        if "gudhi_rips0_s" in row:
            row["gudhi_over_ours"] = row["gudhi_rips0_s"] / (row["ours_dense_s"] + row["distance_matrix_s"])
        row["scipy_over_ours"] = row["scipy_mst_s"] / row["ours_dense_s"]
        rows.append(row)
    import pandas as pd

    table = pd.DataFrame(rows)
    publish(table, args.out, "topology", "bench_topology.py", argv, args.table)


if __name__ == "__main__":
    main()
