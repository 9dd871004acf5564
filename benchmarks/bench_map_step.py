"""One map training step's gradients on the CPU: the numba kernels against the torch path.

    python benchmarks/bench_map_step.py [--sizes 200 1000 1500 2000] [--repeat 20] [--out results/bench]

Prints a table and writes ``map_step.csv``. For each n, a full-graph map step
as :func:`deeptda.training.train_map` takes it below 2,048 points (every edge
of a 10-neighbour fuzzy graph, 5 negatives for each of 2n points drawn by
degree; the topological term on every point up to 256, else on a random 256
read from the whole distance matrix): the neighbour and the 0-dim topological
gradient as the CPU path runs them (``ours``), through the numba kernels
(``kernel``, at any size) and through the torch operations (``torch``, the GPU
path run on the CPU), and for scale the map head's forward and backward pass
over the n points. ``ours`` is the kernel up to
:data:`deeptda.losses.KERNEL_MAX_PAIRS` pairs for the neighbour gradient, torch
above. Milliseconds, best of ``--repeat`` calls.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import best_time, publish  # noqa: E402

NO_BUDGET = float("inf")  # every repeat runs
TOPO_BATCH = 256


def _case(n, dim, generator):
    """Three clusters in ``dim`` dimensions, their fuzzy graph and one step's draws, as the map step makes them."""
    import torch

    from deeptda.encoders import MapHead, init_parameters
    from deeptda.losses import distance_matrix
    from deeptda.training import fuzzy_graph, knn_graph

    centres = torch.randn(3, dim, generator=generator) * 3
    Z = centres[torch.arange(n) % 3] + torch.randn(n, dim, generator=generator)
    rows, cols, weights = (torch.as_tensor(v) for v in fuzzy_graph(*knn_graph(Z.numpy(), 10)))
    once = rows < cols
    w = (weights[once] / weights[once].sum()).float()
    degree = torch.zeros(n, dtype=torch.float64).index_add_(0, rows, weights.double())
    pushed = torch.multinomial(degree, 2 * n, replacement=True, generator=generator)
    negatives = torch.randint(n, (2 * n, 5), generator=generator)
    head = init_parameters(MapHead(dim), generator)
    index = torch.randperm(n, generator=generator)[:TOPO_BATCH]
    DZ = distance_matrix(Z)
    return dict(Z=Z, ends=(rows[once], cols[once], negatives, pushed), w=w, head=head, index=index, DZ=DZ)


def main(argv=None):
    import pandas as pd
    import torch

    from deeptda import losses
    from deeptda.losses import (
        neighbour_gradient_torch,
        topological_gradient_torch,
        neighbour_gradient,
        topological_gradient,
        umap_ab,
    )

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 1500, 2000])
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--table", help="also write the Markdown table here (docs/tables/map_step.md for the docs)")
    args = ap.parse_args(argv)
    a, b = umap_ab()
    generator = torch.Generator().manual_seed(0)
    rows = []
    for n in args.sizes:
        case = _case(n, args.dim, generator)
        with torch.no_grad():
            y = case["head"](case["Z"])
        whole = n <= TOPO_BATCH
        DZ64 = case["DZ"].double()  # train_map keeps the matrix in float64 for the CPU kernel
        sub = None if whole else case["DZ"].index_select(0, case["index"]).index_select(1, case["index"])
        y_topo = y if whole else y[case["index"]]

        def neighbour_kernel():  # the CPU kernel whatever the pair count
            limit, losses.KERNEL_MAX_PAIRS = losses.KERNEL_MAX_PAIRS, float("inf")
            try:
                return neighbour_gradient(y, *case["ends"], a, b, weights=case["w"])
            finally:
                losses.KERNEL_MAX_PAIRS = limit

        calls = {
            "neighbour_ours_ms": lambda: neighbour_gradient(y, *case["ends"], a, b, weights=case["w"]),
            "neighbour_kernel_ms": neighbour_kernel,
            "neighbour_torch_ms": lambda: neighbour_gradient_torch(y, *case["ends"], a, b, weights=case["w"]),
            "topo_ours_ms": (
                (lambda: topological_gradient(y, DZ64))
                if whole
                else (lambda: topological_gradient(y_topo, DZ64, index=case["index"]))
            ),
            "topo_torch_ms": (
                (lambda: topological_gradient_torch(y, case["DZ"]))
                if whole
                else (lambda: topological_gradient_torch(y_topo, sub))
            ),
        }

        def head_pass():
            out = case["head"](case["Z"])
            case["head"].zero_grad()
            out.backward(torch.ones_like(out))

        calls["head_forward_backward_ms"] = head_pass
        row = {"n": n, "dim": args.dim, "topo_points": min(n, TOPO_BATCH)}
        for name, call in calls.items():
            call()  # compile or warm up once
            row[name] = 1e3 * best_time(call, args.repeat, NO_BUDGET)
        ours = row["neighbour_ours_ms"] + row["topo_ours_ms"]
        row["torch_over_ours"] = (row["neighbour_torch_ms"] + row["topo_torch_ms"]) / ours
        row["head_over_ours"] = row["head_forward_backward_ms"] / ours
        rows.append(row)
    table = pd.DataFrame(rows)
    publish(table, args.out, "map_step", "bench_map_step.py", argv, args.table)


if __name__ == "__main__":
    main()
