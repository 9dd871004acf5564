"""Herd benchmark: fit one pipeline on a sample, apply it to every window, in one process and on Dask.

Times are those of the call (``fit_pipeline`` or ``apply``, the pipeline already loaded and
the process's one-off imports done); a Dask run's time includes starting the local cluster.

A synthetic herd: ``--animals`` collar recordings (seeded, each animal with its own
behaviour mix from the collar simulator), 25 Hz, written as Parquet, long enough to give
``--windows`` windows of 2.56 s with 1.28 s stride in total. Each stage runs in a fresh
process so its peak memory is its own:

* ``fit``: ``deeptda.herd.fit_pipeline`` on a seeded sample of 20,000 windows drawn across
  the herd in one pass;
* ``apply``: ``deeptda.herd.apply`` writing one Parquet file per recording, in one process
  and on a local Dask cluster of 2 worker processes (peak memory per worker).

    python benchmarks/bench_scale.py                          # 100,000 windows
    python benchmarks/bench_scale.py --windows 1000000        # the million-window herd
    python benchmarks/bench_scale.py --table docs/tables/scale_herd.md

Writes ``scale_herd.csv`` into ``--out`` and prints the table.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import write_table  # noqa: E402

STRIDE_S = 1.28


def generate(folder, windows, animals, seed):
    from deeptda import datasets

    os.makedirs(folder, exist_ok=True)
    per_animal = int(np.ceil(windows / animals))
    duration = per_animal * STRIDE_S + 2.56
    for a in range(animals):
        path = os.path.join(folder, f"animal{a:03d}.parquet")
        if os.path.exists(path):
            continue
        stream = datasets.make_collar_stream(duration=duration, random_state=seed * 1000 + a)
        stream = stream.drop(columns=["event", "behaviour"]).reset_index()
        stream.to_parquet(path + ".tmp", index=False, row_group_size=100_000)
        os.replace(path + ".tmp", path)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def stage_fit(folder, model, seed):
    from deeptda.herd import fit_pipeline, read_recordings

    recs = read_recordings(os.path.join(folder, "*.parquet"), timestamp="timestamp", channels=["x", "y", "z"])
    t0 = time.perf_counter()
    pipeline = fit_pipeline(recs, window="2.56s", stride="1.28s", n_windows=20_000, random_state=seed)
    seconds = time.perf_counter() - t0
    pipeline.save(model)
    return {"seconds": seconds, "peak_mb": peak_mb(), "clusters": int(pipeline.clusterer.n_clusters_)}


def stage_apply(folder, model, out, workers):
    import matplotlib.pyplot  # noqa: F401  (one-off imports of the process are not the job's time)

    from deeptda.herd import HerdPipeline, apply, read_recordings

    recs = read_recordings(os.path.join(folder, "*.parquet"), timestamp="timestamp", channels=["x", "y", "z"])
    pipeline = HerdPipeline.load(model)
    t0 = time.perf_counter()
    tables = apply(pipeline, recs, out=out, workers=workers or None)
    seconds = time.perf_counter() - t0
    n = sum(len(pd.read_parquet(os.path.join(out, "windows", f"{r.name}.parquet"), columns=["cluster"]))
            for r in recs)
    hours = float(tables["time_budget"]["seconds"].sum() / 3600)
    # worker processes are this process's children: after the cluster closes, the largest one's peak
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {"seconds": seconds, "peak_mb": peak_mb(), "worker_peak_mb": children if workers else None,
            "windows": n, "hours": hours}


def run_stage(*args):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--stage", *map(str, args)],
                         capture_output=True, text=True, timeout=7200)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, nargs="+", default=[100_000])
    ap.add_argument("--animals", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--table", help="also write the Markdown table here (docs/tables/scale_herd.md for the docs)")
    ap.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:
        kind, *rest = args.stage
        if kind == "generate":
            generate(rest[0], int(rest[1]), int(rest[2]), int(rest[3]))
            print(json.dumps({"peak_mb": peak_mb()}))
        elif kind == "fit":
            print(json.dumps(stage_fit(rest[0], rest[1], int(rest[2]))))
        else:
            import shutil

            shutil.rmtree(rest[2], ignore_errors=True)
            print(json.dumps(stage_apply(rest[0], rest[1], rest[2], int(rest[3]))))
        return
    rows = []
    for n in args.windows:
        folder = os.path.join(args.out, f"herd_{n}")
        print(f"{n:,} windows: generating {args.animals} recordings ...", file=sys.stderr, flush=True)
        run_stage("generate", folder, n, args.animals, args.seed)
        model = os.path.join(folder, "herd.pt")
        print("  fit ...", file=sys.stderr, flush=True)
        fit = run_stage("fit", folder, model, args.seed)
        rows.append({"windows": n, "stage": "fit (20,000-window sample)", "processes": 1, "seconds": fit["seconds"],
                     "windows_per_s": n / fit["seconds"], "peak_mb_per_process": fit["peak_mb"]})
        for workers in (0, 2):
            print(f"  apply ({'Dask, 2 workers' if workers else 'one process'}) ...", file=sys.stderr, flush=True)
            res = run_stage("apply", folder, model, os.path.join(folder, f"out_{workers}"), workers)
            rows.append({"windows": res["windows"], "stage": "apply, Dask 2 workers" if workers else
                         "apply, one process", "processes": workers or 1, "seconds": res["seconds"],
                         "windows_per_s": res["windows"] / res["seconds"], "peak_mb_per_process": res["peak_mb"],
                         "peak_mb_worker": res["worker_peak_mb"]})
    table = pd.DataFrame(rows)
    write_table(table, os.path.join(args.out, "scale_herd.csv"), markdown=False)
    text = table.to_markdown(index=False, floatfmt=".1f")
    print(text)
    if args.table:
        note = (f"Generated by `python benchmarks/bench_scale.py --table {args.table}` ({os.cpu_count()} CPU cores; "
                "`peak_mb_per_process`: the process that called apply; `peak_mb_worker`: the largest Dask worker).\n\n")
        write_table(note + text + "\n", args.table, markdown=True)


if __name__ == "__main__":
    main()
