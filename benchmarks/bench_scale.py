"""Herd benchmark: fit one pipeline on a sample, apply it to every window, in one process and on Dask.

Times are those of the call (``fit_pipeline`` or ``apply``, the pipeline already loaded and
the process's one-off imports done); a Dask run's time includes starting the local cluster.

A synthetic herd: ``--animals`` collar recordings (seeded, each animal with its own
behaviour mix from the collar simulator), 25 Hz, written as Parquet, long enough to give
``--windows`` windows of 2.56 s with 1.28 s stride in total. Each stage runs in a fresh
process so its peak memory is its own:

* ``fit``: ``deeptda.herd.fit_pipeline`` on a seeded sample of 20,000 windows drawn across
  the herd in one pass, then a second pass over every window in time order (the clusters'
  merge by time);
* ``apply``: ``deeptda.herd.apply`` writing one Parquet file per recording, in one process
  and on a local Dask cluster of 2 worker processes (peak memory per worker);
* ``--peers``: t-SNE (openTSNE) and UMAP (umap-learn) embedding every window of the herd
  (the same windows, standardised per channel and flattened, as ``deeptda.TSNE``/``UMAP`` do),
  each with every core (openTSNE ``n_jobs=-1``; UMAP unseeded, which is its parallel mode).
  A peer runs at each size until one does not finish within ``--peer-limit`` seconds (30 min);
  a larger size is not started when the smaller one's time, scaled by the size ratio,
  already passes the limit (the row says so).

    python benchmarks/bench_scale.py                          # 100,000 windows
    python benchmarks/bench_scale.py --windows 1000000        # the million-window herd
    python benchmarks/bench_scale.py --windows 100000 300000 1000000 --peers --table docs/tables/scale_herd.md

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
from _harness import peak_rss_mb, replace_block, write_table  # noqa: E402

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


def stage_fit(folder, model, seed):
    from deeptda.herd import fit_pipeline, read_recordings

    recs = read_recordings(os.path.join(folder, "*.parquet"), timestamp="timestamp", channels=["x", "y", "z"])
    t0 = time.perf_counter()
    pipeline = fit_pipeline(recs, window="2.56s", stride="1.28s", n_windows=20_000, random_state=seed)
    seconds = time.perf_counter() - t0
    pipeline.save(model)
    c = pipeline.clusterer
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "clusters": int(c.n_clusters_),
        "band": "{}-{}".format(*c.n_clusters_range_),
        "merged_by_time": int(c.n_merged_by_time_),
    }


def stage_apply(folder, model, out, workers):
    import matplotlib.pyplot  # noqa: F401  (one-off imports of the process are not the job's time)

    from deeptda.herd import HerdPipeline, apply, read_recordings

    recs = read_recordings(os.path.join(folder, "*.parquet"), timestamp="timestamp", channels=["x", "y", "z"])
    pipeline = HerdPipeline.load(model)
    t0 = time.perf_counter()
    tables = apply(pipeline, recs, out=out, workers=workers or None)
    seconds = time.perf_counter() - t0
    n = sum(len(pd.read_parquet(os.path.join(out, "windows", f"{r.name}.parquet"), columns=["cluster"])) for r in recs)
    hours = float(tables["time_budget"]["seconds"].sum() / 3600)
    # worker processes are this process's children: after the cluster closes, the largest one's peak
    # (ru_maxrss, so at least this process's resident size when it started them: an upper bound)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "worker_peak_mb": children if workers else None,
        "windows": n,
        "hours": hours,
    }


def stage_peer(folder, model, method, seed):
    from deeptda import TSNE, UMAP
    from deeptda.herd import HerdPipeline, read_recordings

    recs = read_recordings(os.path.join(folder, "*.parquet"), timestamp="timestamp", channels=["x", "y", "z"])
    pipeline = HerdPipeline.load(model)
    X = np.concatenate([chunk[0] for rec in recs for chunk in pipeline.windows(rec)])
    make = (lambda: TSNE(n_jobs=-1, random_state=seed)) if method == "tsne" else UMAP
    make().fit(X[:300])  # one-off numba compilation is not the embedding's time (as for apply's imports)
    est = make()
    t0 = time.perf_counter()
    Y = est.fit_transform(X)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": peak_rss_mb(), "windows": len(X), "finite": bool(np.isfinite(Y).all())}


def run_stage(*args, timeout=7200):
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--stage", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, nargs="+", default=[100_000])
    ap.add_argument("--animals", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--peers", action="store_true", help="also embed every window with t-SNE and UMAP")
    ap.add_argument("--peer-limit", type=float, default=1800.0, help="seconds a peer may take at one size")
    ap.add_argument("--table", help="also write the Markdown table here (docs/tables/scale_herd.md for the docs)")
    ap.add_argument("--readme", help="also write the findings into this file's 'scale' block (README.md)")
    ap.add_argument(
        "--summarise-only",
        action="store_true",
        help="rewrite the Markdown from an existing scale_herd.csv without running anything",
    )
    ap.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.summarise_only:
        table = pd.read_csv(os.path.join(args.out, "scale_herd.csv"))
        if "note" in table:
            table["note"] = table["note"].fillna("")
        with open(os.path.join(args.out, "scale_herd.command")) as fh:  # the command that measured them
            return write_markdown(table, args, fh.read().strip())
    if args.stage:
        kind, *rest = args.stage
        if kind == "generate":
            generate(rest[0], int(rest[1]), int(rest[2]), int(rest[3]))
            print(json.dumps({"peak_mb": peak_rss_mb()}))
        elif kind == "fit":
            print(json.dumps(stage_fit(rest[0], rest[1], int(rest[2]))))
        elif kind == "peer":
            print(json.dumps(stage_peer(rest[0], rest[1], rest[2], int(rest[3]))))
        else:
            import shutil

            shutil.rmtree(rest[2], ignore_errors=True)
            print(json.dumps(stage_apply(rest[0], rest[1], rest[2], int(rest[3]))))
        return
    rows = []
    peer_last = {}  # method -> (windows, seconds) of its last finished size, or None once it ran out of time
    peer_names = {"tsne": "t-SNE (openTSNE), every window", "umap": "UMAP (umap-learn), every window"}
    for n in args.windows:
        folder = os.path.join(args.out, f"herd_{n}")
        print(f"{n:,} windows: generating {args.animals} recordings ...", file=sys.stderr, flush=True)
        run_stage("generate", folder, n, args.animals, args.seed)
        model = os.path.join(folder, "herd.pt")
        print("  fit ...", file=sys.stderr, flush=True)
        fit = run_stage("fit", folder, model, args.seed)
        rows.append(
            {
                "windows": n,
                "windows_target": n,
                "stage": "fit (20,000-window sample)",
                "processes": 1,
                "seconds": fit["seconds"],
                "windows_per_s": n / fit["seconds"],
                "peak_mb_per_process": fit["peak_mb"],
                "note": f"{fit['clusters']} clusters (band {fit['band']}), {fit['merged_by_time']} merged "
                "by time order; includes the pass over every window in time order",
            }
        )
        for workers in (0, 2):
            print(f"  apply ({'Dask, 2 workers' if workers else 'one process'}) ...", file=sys.stderr, flush=True)
            res = run_stage("apply", folder, model, os.path.join(folder, f"out_{workers}"), workers)
            rows.append(
                {
                    "windows": res["windows"],
                    "windows_target": n,
                    "stage": "apply, Dask 2 workers" if workers else "apply, one process",
                    "processes": workers or 1,
                    "seconds": res["seconds"],
                    "windows_per_s": res["windows"] / res["seconds"],
                    "peak_mb_per_process": res["peak_mb"],
                    "peak_mb_worker": res["worker_peak_mb"],
                }
            )
        for method in ("tsne", "umap") if args.peers else ():
            row = {"windows": n, "windows_target": n, "stage": peer_names[method], "processes": 1}
            last = peer_last.get(method, ())
            if last is None:
                rows.append({**row, "note": "not started: a smaller size ran out of time"})
                continue
            if last and last[1] * n / last[0] > args.peer_limit:
                rows.append(
                    {
                        **row,
                        "note": f"not started: {last[1]:.0f} s at {last[0]:,} windows scales past "
                        f"{args.peer_limit / 60:.0f} min",
                    }
                )
                continue
            print(
                f"  {method} on every window (at most {args.peer_limit / 60:.0f} min) ...", file=sys.stderr, flush=True
            )
            try:
                res = run_stage("peer", folder, model, method, args.seed, timeout=args.peer_limit)
            except subprocess.TimeoutExpired:
                peer_last[method] = None
                rows.append({**row, "note": f"stopped after {args.peer_limit / 60:.0f} min"})
                continue
            peer_last[method] = (res["windows"], res["seconds"])
            rows.append(
                {
                    **row,
                    "windows": res["windows"],
                    "seconds": res["seconds"],
                    "windows_per_s": res["windows"] / res["seconds"],
                    "peak_mb_per_process": res["peak_mb"],
                    "note": "" if res["finite"] else "non-finite coordinates",
                }
            )
    table = pd.DataFrame(rows)
    if args.peers:  # a peer's time over DeepTDA's fit + one-process apply of the same herd
        ours = {
            n: table[(table.windows_target == n) & table.stage.str.startswith(("fit", "apply, one"))].seconds.sum()
            for n in args.windows
        }
        table["peer_over_deeptda"] = [
            s / ours[n] if "every window" in st else np.nan
            for s, n, st in zip(table.seconds, table.windows_target, table.stage)
        ]
    table = table.drop(columns="windows_target")
    if "note" in table:
        table["note"] = table["note"].fillna("")
    write_table(table, os.path.join(args.out, "scale_herd.csv"), markdown=False)
    command = " ".join(["python benchmarks/bench_scale.py", *(argv if argv is not None else sys.argv[1:])])
    write_table(command + "\n", os.path.join(args.out, "scale_herd.command"), markdown=True)
    write_markdown(table, args, command)


def findings(table):
    """The sentences the docs quote, computed from the table (so no number is typed by hand)."""
    t = table.reset_index(drop=True)
    starts = t.stage.str.startswith("fit")  # each herd's rows start with its fit, whose windows is the herd's size
    t["size"] = t["windows"].where(starts).ffill()
    one = t[t.stage == "apply, one process"].set_index("size")
    dask = t[t.stage == "apply, Dask 2 workers"].set_index("size")
    fit = t[t.stage.str.startswith("fit")].set_index("size")
    lines = []
    for size in one.index:
        line = (
            f"- {size:,.0f} windows: `apply` maps {one.loc[size, 'windows_per_s']:,.0f} windows/s in one process, "
            f"{dask.loc[size, 'windows_per_s'] / one.loc[size, 'windows_per_s']:.2f}x that with 2 Dask workers "
            f"(cluster start included); `fit` takes {fit.loc[size, 'seconds']:.0f} s and "
            f"{fit.loc[size, 'peak_mb_per_process']:,.0f} MB."
        )
        lines.append(line)
    if len(one) > 1:
        lo, hi = one.index.min(), one.index.max()
        lines.append(
            f"- peak memory of `apply` at {hi:,.0f} over {lo:,.0f} windows: "
            f"{one.loc[hi, 'peak_mb_per_process'] / one.loc[lo, 'peak_mb_per_process']:.2f}x in one process, "
            f"{dask.loc[hi, 'peak_mb_worker'] / dask.loc[lo, 'peak_mb_worker']:.2f}x per Dask worker."
        )
    for stage in [s for s in t.stage.unique() if "every window" in s]:
        done = t[(t.stage == stage) & t.seconds.notna()]
        if done.empty:
            lines.append(f"- {stage.split(',')[0]}: no size finished.")
            continue
        last = done.iloc[-1]
        ours = fit.loc[last["size"], "seconds"] + one.loc[last["size"], "seconds"]
        lines.append(
            f"- {stage.split(',')[0]}: largest size finished {last['windows']:,.0f} windows in "
            f"{last['seconds']:,.0f} s and {last['peak_mb_per_process']:,.0f} MB, "
            f"{last['seconds'] / ours:.1f}x DeepTDA's fit + apply of the same windows"
            + "".join(
                f"; {size:,.0f}: {note}"
                for size, note in t[(t.stage == stage) & t.seconds.isna()][["size", "note"]].itertuples(index=False)
            )
            + "."
        )
    return "\n".join(lines)


def write_markdown(table, args, command):
    text = table.to_markdown(index=False, floatfmt=".1f") + "\n\n" + findings(table)
    print(text)
    if args.table:
        note = (
            f"Generated by `{command}` ({os.cpu_count()} CPU cores; "
            "`peak_mb_per_process`: the process that called apply; `peak_mb_worker`: the largest Dask worker; "
            "t-SNE and UMAP embed every window with every core; a Dask time includes starting its cluster).\n\n"
        )
        write_table(note + text + "\n", args.table, markdown=True)
    if args.readme:
        replace_block(args.readme, "scale", f"A synthetic herd (`{command}`):\n\n{findings(table)}")


if __name__ == "__main__":
    main()
