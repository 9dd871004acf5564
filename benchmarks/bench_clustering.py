"""Behaviour clustering across a suite: does the cluster count hold on data it was not tuned on?

    python benchmarks/bench_clustering.py [--seeds 0 1 2] [--out results/bench] [--quick]
                                          [--table docs/tables/clustering.md]

The suite: the bundled collar simulation at several seeds and durations (30 min
to 24 h), four configurations of the wearable simulator
(:func:`deeptda.datasets.make_wearable_stream`: other rates, windows, channel
counts, 3-7 behaviours of very unequal shares, rotation, clipping, gradual
transitions, and a logger that keeps only per-second means and standard
deviations), a herd of four simulated animals clustered together, and the real
labelled sets aeon ships whose classes are
behaviours or gestures (BasicMotions, GunPoint, PickupGestureWiimoteZ).

For each set and seed, with default parameters: DeepTDA is fitted once; then
PersistenceClustering on its representation and on its 2-D map, given the
windows' time order where there is one (the simulations; clusters found, the
count's bootstrap range, merges by time alternation, ARI), and KMeans told the true number on
the same space as the reference. The true number is the number of classes
with at least 10 windows. On the map the clustering is also repeated with two other
seeds of its own (``found_k_other_seeds``): the count's bootstrap is random, so
this shows how far a rerun can move it. ``predict_half_ari``: the clustering fitted on a
seeded random half of the windows, its ``predict`` on the other half scored (ARI) against
the clustering of all windows there (without the time order, which a half does not have,
on both sides); its floor is on the streams (the simulations), and the mean over every set
is reported too. ``whole_half_k``: the counts behind it, on all points / on the half.
``time_half_ari`` (streams): the other reading of a held-out half, a later part of a
recording labelled by a model of an earlier one: the clustering fitted on the first half of
the stream in time predicts the second half, and the one fitted on the second predicts the
first, each against the clustering of the whole stream (time order on every side; the
mean of the two). ``whole_time_half_k``: the counts behind it, whole / first half / second half.
Embeddings are cached in ``OUT/cache`` so that reruns of the clustering alone take
seconds (``--refit`` to recompute).

Also times the clustering of 1,000,000 2-D points (fit on a sample, predict
the rest) with its peak memory, in a fresh process. Writes ``clustering.csv`` and
``clustering_summary.md`` and prints the table.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from deeptda import DeepTDA, PersistenceClustering
from deeptda.datasets import load_aeon, make_collar_windows, make_wearable_windows

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import peak_rss_mb  # noqa: E402


def suite(seeds, quick=False):
    """{name: (loader(seed) -> (X, y), kind)}; the loaders are seeded per run."""
    if quick:
        return {"collar 300 s": (lambda s: _w(make_collar_windows(300, random_state=s)), "simulation")}
    cases = {
        "collar 1 h": (lambda s: _w(make_collar_windows(3600, random_state=s)), "simulation"),
        "collar 30 min": (lambda s: _w(make_collar_windows(1800, random_state=10 + s)), "simulation"),
        "collar 6 h": (lambda s: _w(make_collar_windows(21600, random_state=11 + s)), "simulation"),
        "collar 24 h": (lambda s: _w(make_collar_windows(86400, random_state=20 + s)), "simulation"),
        "wearable 25 Hz 3 ch 5 behaviours": (
            lambda s: _w(make_wearable_windows(7200, 25, window="4s", stride="2s", n_behaviours=5, random_state=s)),
            "simulation",
        ),
        "wearable 50 Hz 6 ch 7 behaviours": (
            lambda s: _w(
                make_wearable_windows(
                    7200,
                    50,
                    window="2s",
                    stride="1s",
                    n_behaviours=7,
                    n_channels=6,
                    imbalance=30,
                    rotation=90,
                    random_state=100 + s,
                )
            ),
            "simulation",
        ),
        "wearable 10 Hz 1 ch 3 behaviours": (
            lambda s: _w(
                make_wearable_windows(
                    10800,
                    10,
                    window="6s",
                    stride="3s",
                    n_behaviours=3,
                    n_channels=1,
                    imbalance=10,
                    transition=5,
                    random_state=200 + s,
                )
            ),
            "simulation",
        ),
        "wearable 1 Hz summaries 6 ch 4 behaviours": (
            lambda s: _w(
                make_wearable_windows(
                    14400, 25, window="10s", stride="5s", n_behaviours=4, summary="1s", random_state=300 + s
                )
            ),
            "simulation",
        ),
        # one model for several animals (the herd case): each 1 h recording its own simulated animal
        "collar herd, 4 animals x 1 h": (lambda s: _herd([500 + 10 * s + a for a in range(4)]), "simulation"),
        "BasicMotions": (lambda s: (*load_aeon("BasicMotions"), None), "real"),
        "GunPoint": (lambda s: (*load_aeon("GunPoint"), None), "real"),
        "PickupGestureWiimoteZ": (lambda s: (*load_aeon("PickupGestureWiimoteZ"), None), "real"),
    }
    return cases


def _w(windows):
    """(X, y, sequence): consecutive windows with the same sequence id follow each other in time
    (a new id wherever the stream has a gap)."""
    return windows.X, np.asarray(windows.y), windows.sequence


def _herd(seeds):
    """Windows of several collar recordings, one after the other; no run of ``sequence`` spans two."""
    parts = [_w(make_collar_windows(3600, random_state=r)) for r in seeds]
    offsets = np.cumsum([0] + [int(seq.max()) + 1 for _, _, seq in parts[:-1]])
    return (
        np.concatenate([X for X, _, _ in parts]),
        np.concatenate([y for _, y, _ in parts]),
        np.concatenate([seq + o for (_, _, seq), o in zip(parts, offsets)]),
    )


def embeddings(name, loader, seed, cache, refit, params):
    path = os.path.join(cache, f"{name.replace(' ', '_')}-{seed}.npz")
    if os.path.exists(path) and not refit:
        data = np.load(path, allow_pickle=False)
        sequence = data["sequence"] if data["sequence"].size else None
        return data["Z"], data["Y"], data["y"].astype(str), sequence, float(data["fit_s"])
    X, y, sequence = loader(seed)
    start = time.perf_counter()
    model = DeepTDA(random_state=seed, **params).fit(X)
    fit_s = time.perf_counter() - start
    Z, Y = model.representation(X), model.embedding_
    os.makedirs(cache, exist_ok=True)
    tmp = path + ".tmp.npz"
    seq = np.zeros(0, dtype=np.int64) if sequence is None else sequence
    np.savez(tmp, Z=Z, Y=Y, y=np.asarray(y).astype(str), sequence=seq, fit_s=fit_s)
    os.replace(tmp, path)
    return Z, Y, np.asarray(y).astype(str), sequence, fit_s


def true_k(y):
    _, counts = np.unique(y, return_counts=True)
    return int((counts >= 10).sum())


def million_points(seed=0):
    """Cluster 1,000,000 2-D points (six blobs of unequal size): fit on a sample, predict the rest.

    Runs in a fresh Python process, so its peak memory is that of a process that
    does only this (imports included), not whatever an earlier fit in this
    process left the allocator holding.
    """
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--million-child", str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"the 1,000,000-point run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _million_child(seed):
    """The body of :func:`million_points`, in the child process; prints one JSON line."""
    rng = np.random.default_rng(seed)
    shares = np.array([0.4, 0.25, 0.15, 0.1, 0.07, 0.03])
    centres = rng.uniform(-20, 20, size=(6, 2))
    y = rng.choice(6, size=1_000_000, p=shares)
    X = centres[y] + rng.normal(0, 1.0, size=(len(y), 2))
    base_mb = peak_rss_mb()
    start = time.perf_counter()
    pc = PersistenceClustering(random_state=seed).fit(X)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "n": len(X),
                "seconds": seconds,
                "peak_mb": peak,
                "peak_added_mb": peak - base_mb,
                "found": int(pc.n_clusters_),
                "ari": float(adjusted_rand_score(y, pc.labels_)),
            }
        )
    )


def predict_half(S, seed):
    """ARI between ``predict`` of a clustering fitted on a seeded random half and the clustering
    of all points, on the other half; and the two clusterings' counts ``(ari, whole_k, half_k)``."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(S))
    half, rest = np.sort(order[: len(S) // 2]), np.sort(order[len(S) // 2 :])
    whole = PersistenceClustering(random_state=seed).fit(S)
    part = PersistenceClustering(random_state=seed).fit(S[half])
    return adjusted_rand_score(whole.labels_[rest], part.predict(S[rest])), whole.n_clusters_, part.n_clusters_


def predict_time_halves(S, sequence, whole_labels, seed):
    """A stream split in time: the clustering fitted on its first half (with that half's time order)
    predicts the second half, and the one fitted on the second half predicts the first, each scored
    (ARI) against ``whole_labels``, the clustering of the whole stream with its time order.
    Returns ``(mean ari, first half's count, second half's count)``."""
    cut = len(S) // 2
    scores, counts = [], []
    for fit, held in ((slice(0, cut), slice(cut, None)), (slice(cut, None), slice(0, cut))):
        part = PersistenceClustering(random_state=seed).fit(S[fit], sequence=sequence[fit])
        scores.append(adjusted_rand_score(whole_labels[held], part.predict(S[held])))
        counts.append(int(part.n_clusters_))
    return float(np.mean(scores)), counts[0], counts[1]


def time_halves(totals_row):
    """The sentence on the halves in time (streams only)."""
    if not np.isfinite(totals_row["time_half_streams"]):
        return ""
    return (
        f"Fitted on the first half of a stream in time and predicting the second (and the other way "
        f"round), each half with its own time order, predict agrees with the clustering of the whole "
        f"stream with ARI {totals_row['time_half_streams']:.3f} on average, "
        f"{totals_row['time_half_streams_min']:.3f} at worst (the other reading of the same floor: "
        f"{'met' if totals_row['time_half_streams'] >= 0.95 else 'not met'}). "
    )


def half_counts(runs, space):
    """The sentence comparing the count found on the half with the count on all points
    (both without the time order)."""
    r = runs[runs["space"] == space]
    fewer, more = int((r["half_k"] < r["whole_k"]).sum()), int((r["half_k"] > r["whole_k"]).sum())
    same = r[r["half_k"] == r["whole_k"]]["predict_half_ari"]
    differ = r[r["half_k"] != r["whole_k"]]["predict_half_ari"]
    return (
        f"The half finds fewer clusters than all points in {fewer} of the {len(r)} runs and more in {more}; "
        f"where the counts agree, predict's ARI is {same.mean():.3f} on average "
        f"({(same >= 0.95).mean() * 100:.0f} % of those runs at 0.95 or more), where they differ "
        f"{differ.mean() if len(differ) else float('nan'):.3f}. "
    )


def other_seeds(row):
    """The clause on the count under two other clustering seeds (measured on the map only)."""
    if not np.isfinite(row["within_1_other_seeds"]):
        return ""
    return (
        f"with two other seeds of the clustering itself (same {row.name}) it is within one on "
        f"{row['within_1_other_seeds'] * 100:.0f} % of the runs; "
    )


def verdict(runs, totals):
    """Sentences on the floors, computed from the runs: the count within one of the truth on at
    least 80 % of the runs, never above twice the truth, ARI at least KMeans told the true count."""
    seeds = ", ".join(map(str, sorted(runs["seed"].unique())))
    parts = []
    for space, row in totals.iterrows():
        misses = runs[(runs["space"] == space) & ~runs["within_1"]]
        missed = ", ".join(
            f"{name} ({', '.join(f'{f} for {t}' for f, t in zip(g['found_k'], g['true_k']))})"
            for name, g in misses.groupby("set", sort=False)
        )
        count_met = "met" if row["within_1"] >= 0.8 else "not met"
        parts.append(
            f"On the {space} (seeds {seeds}) the count is within one of the truth on "
            f"{row['within_1'] * 100:.0f} % of the runs (floor 80 %: {count_met}), "
            f"{other_seeds(row)}above twice the truth on {int(row['over_2x'])}; mean ARI {row['ari']:.3f} against "
            f"{row['kmeans_true_k_ari']:.3f} for KMeans told the true count "
            f"({'met' if row['ari'] >= row['kmeans_true_k_ari'] else 'not met'}). "
            f"Fitted on a random half, predict agrees with the clustering of all windows on the other "
            f"half with ARI {row['predict_half_streams']:.3f} on average over the streams (the simulations), "
            f"{row['predict_half_streams_min']:.3f} at worst (floor 0.95 on a held-out half of a stream: "
            f"{'met' if row['predict_half_streams'] >= 0.95 else 'not met'} on average), and "
            f"{row['predict_half_ari']:.3f} over every set ({row['predict_half_min']:.3f} at worst). "
            f"{half_counts(runs, space)}"
            f"{time_halves(row)}"
            f"Off by more than one: {missed or 'none'}."
        )
    return "\n\n".join(parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--only", nargs="*", help="run only these sets (by name)")
    ap.add_argument("--refit", action="store_true", help="recompute the cached embeddings")
    ap.add_argument("--skip-million", action="store_true", help="skip the 1,000,000-point timing")
    ap.add_argument("--quick", action="store_true", help="one short set, one seed, few epochs (a smoke run)")
    ap.add_argument("--table", help="also write the Markdown summary here (docs/tables/clustering.md for the docs)")
    ap.add_argument("--million-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.million_child is not None:
        return _million_child(args.million_child)
    params = {}
    if args.quick:
        args.seeds, params, args.skip_million = args.seeds[:1], {"n_epochs": 3, "map_epochs": 3}, True
    warnings.filterwarnings("ignore")
    cache = os.path.join(args.out, "cache" if not args.quick else "cache-quick")
    rows = []
    for name, (loader, kind) in suite(args.seeds, args.quick).items():
        if args.only and name not in args.only:
            continue
        for seed in args.seeds:
            Z, Y, y, sequence, fit_s = embeddings(name, loader, seed, cache, args.refit, params)
            k = true_k(y)
            for space, S in (("representation", Z), ("map", Y)):
                start = time.perf_counter()
                pc = PersistenceClustering(random_state=seed).fit(S, sequence=sequence)
                seconds = time.perf_counter() - start
                km = KMeans(k, n_init=10, random_state=seed).fit_predict(S)
                half_ari, whole_k, half_k = predict_half(S, seed)
                time_ari, first_k, second_k = (
                    predict_time_halves(S, sequence, pc.labels_, seed) if sequence is not None else (np.nan, 0, 0)
                )
                low, high = pc.n_clusters_range_
                # how much the count depends on the clustering's own seed (its bootstrap, and the
                # sample above max_samples): the map only, where it is cheap
                other = (
                    [
                        PersistenceClustering(random_state=seed + 100 * j).fit(S, sequence=sequence).n_clusters_
                        for j in (1, 2)
                    ]
                    if space == "map"
                    else []
                )
                rows.append(
                    {
                        "set": name,
                        "kind": kind,
                        "seed": seed,
                        "space": space,
                        "n": len(y),
                        "true_k": k,
                        "found_k": pc.n_clusters_,
                        "band": f"{low}-{high}",
                        "merged_by_time": pc.n_merged_by_time_,
                        "found_k_other_seeds": " ".join(map(str, other)),
                        "within_1_other_seeds": np.mean([abs(f - k) <= 1 for f in other]) if other else np.nan,
                        "ari": adjusted_rand_score(y, pc.labels_),
                        "kmeans_true_k_ari": adjusted_rand_score(y, km),
                        "predict_half_ari": half_ari,
                        "whole_k": whole_k,
                        "half_k": half_k,
                        "time_half_ari": time_ari,
                        "time_half_k": f"{first_k}/{second_k}" if sequence is not None else "",
                        "cluster_s": seconds,
                        "deeptda_fit_s": fit_s,
                    }
                )
                print(
                    " ".join(
                        f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                        for key, value in rows[-1].items()
                    ),
                    flush=True,
                )
    runs = pd.DataFrame(rows)
    os.makedirs(args.out, exist_ok=True)
    runs.to_csv(os.path.join(args.out, "clustering.csv"), index=False)
    runs["within_1"] = (runs["found_k"] - runs["true_k"]).abs() <= 1
    runs["over_2x"] = runs["found_k"] > 2 * runs["true_k"]
    summary = runs.groupby(["set", "space"], sort=False).agg(
        true_k=("true_k", lambda v: ", ".join(map(str, v))),
        found_k=("found_k", lambda v: ", ".join(map(str, v))),
        bands=("band", lambda v: ", ".join(v)),
        other_seeds=("found_k_other_seeds", lambda v: ", ".join(v) if any(v) else ""),
        within_1=("within_1", "mean"),
        ari=("ari", "mean"),
        kmeans_true_k_ari=("kmeans_true_k_ari", "mean"),
        predict_half_ari=("predict_half_ari", "mean"),
    )
    # per seed: the count on all points / on the half (both without the time order)
    summary["whole_half_k"] = [
        ", ".join(f"{w}/{h}" for w, h in zip(g["whole_k"], g["half_k"]))
        for _, g in runs.groupby(["set", "space"], sort=False)
    ]
    # streams: the clustering of the whole stream (time order) / of its first / of its second half
    summary["time_half_ari"] = runs.groupby(["set", "space"], sort=False)["time_half_ari"].mean()
    summary["whole_time_half_k"] = [
        ", ".join(f"{w}/{h}" for w, h in zip(g["found_k"], g["time_half_k"])) if g["time_half_k"].any() else ""
        for _, g in runs.groupby(["set", "space"], sort=False)
    ]
    totals = runs.groupby("space").agg(
        within_1=("within_1", "mean"),
        within_1_other_seeds=("within_1_other_seeds", "mean"),
        over_2x=("over_2x", "sum"),
        ari=("ari", "mean"),
        kmeans_true_k_ari=("kmeans_true_k_ari", "mean"),
        predict_half_ari=("predict_half_ari", "mean"),
        predict_half_min=("predict_half_ari", "min"),
    )
    # the floor is on streams (the simulations); the aeon sets are a few dozen windows a class
    streams = runs[runs["kind"] == "simulation"].groupby("space")["predict_half_ari"]
    totals["predict_half_streams"] = streams.mean()
    totals["predict_half_streams_min"] = streams.min()
    in_time = runs[runs["kind"] == "simulation"].groupby("space")["time_half_ari"]
    totals["time_half_streams"] = in_time.mean()
    totals["time_half_streams_min"] = in_time.min()
    md = summary.reset_index().to_markdown(index=False, floatfmt=".3f")
    md += "\n\nOver the whole suite (every set and seed):\n\n" + totals.reset_index().to_markdown(
        index=False, floatfmt=".3f"
    )
    md += "\n\n" + verdict(runs, totals)
    if not args.skip_million:
        big = million_points()
        md += (
            f"\n\n{big['n']:,} 2-D points (six blobs, shares 40 % to 3 %), fit on a sample and predict "
            f"the rest: {big['seconds']:.1f} s, peak memory {big['peak_mb']:.0f} MB in a process that does only this "
            f"({big['peak_added_mb']:.0f} MB above its imports and data), "
            f"{big['found']} clusters, ARI {big['ari']:.3f}."
        )
    for path in filter(None, [os.path.join(args.out, "clustering_summary.md"), args.table]):
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(md + "\n")
        os.replace(tmp, path)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
