"""Does a map show the loops and clusters its data has, and invent none in noise?

    python benchmarks/bench_structure.py [--seeds 0 1 2] [--out results/bench]
                                         [--table docs/tables/structure.md] [--readme README.md]

Eight seeded cases whose true structure is known by construction:

* ``circle (rows)``: 500 points on a circle in 10 dimensions (a random rotation), with
  noise of 0.1 per coordinate: one loop, one cluster.
* ``posture cycle (windows)``: 600 windows of 3 channels x 50 samples (2 s at 25 Hz) from
  a collar whose roll around the neck covers a whole turn, so that gravity's direction
  (the channels' means) goes once round a circle; each window also carries a 2 Hz
  oscillation at a random phase and sensor noise: one loop, one cluster.
* ``Gaussian (rows)``: 500 points of a 10-dimensional standard normal: no loop, one cluster.
* ``noise (windows)``: 400 windows of white noise, 3 x 50: no loop, one cluster.
* ``two rings (rows)``: two circles of 250 points each, 4 radii apart, in 10 dimensions
  (a random rotation), noise 0.1: two loops, two clusters.
* ``ring and blob (rows)``: a circle of 300 points and, 4 radii from its centre, a
  Gaussian blob of 200 points (0.3 per coordinate), in 10 dimensions: one loop, two clusters.
* ``uneven ring (rows)``: 500 points on a circle whose density along it varies 19-fold
  (``1 + 0.9 cos``), in 10 dimensions, noise 0.05: one loop, one cluster; a map that tears
  the sparse arc or splits the dense one invents structure.
* ``unequal blobs (rows)``: three 10-dimensional standard normal blobs of 350, 120 and 30
  points, their centres 8 apart: no loop, three clusters.

DeepTDA, t-SNE and UMAP with defaults and a seed, all given the same array; DeepTDA's representation (before the
map) is scored as well, so a loss can be placed in the representation or in the map.
Each space is centred and scaled to unit root-mean-square radius; a **loop** is a
1-dimensional persistence bar longer than ``LOOP`` (0.25) of that radius (on a unit
circle the loop's bar is several times longer, and the noise bars of a Gaussian cloud's
map stay below it), computed on at most 300 landmarks; the **clusters** are
:class:`deeptda.PersistenceClustering`'s count with defaults. ``top_loop`` and
``second_loop`` are the two longest bars: one clean loop has a long first bar and a
short second one. Writes ``structure_runs.csv`` and ``structure_summary.md`` and prints
the summary.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

from deeptda import TSNE, UMAP, DeepTDA, PersistenceClustering
from deeptda.topology import persistence_diagram

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import replace_block, write_table  # noqa: E402

#: A 1-dim bar longer than this share of the space's RMS radius counts as a loop.
LOOP = 0.25


def circle_rows(seed, n=500, dim=10, noise=0.1):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 2 * np.pi, n)
    rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    X = np.c_[np.cos(t), np.sin(t), np.zeros((n, dim - 2))] @ rotation.T
    return X + rng.normal(0, noise, X.shape)


def posture_cycle(seed, n=600, length=50, rate=25.0):
    rng = np.random.default_rng(seed)
    roll = rng.uniform(0, 2 * np.pi, n)
    t = np.arange(length) / rate
    wave = 0.3 * np.sin(2 * np.pi * 2.0 * t[None] + rng.uniform(0, 2 * np.pi, (n, 1)))
    X = np.stack([np.cos(roll)[:, None] + wave, np.sin(roll)[:, None] + 0.5 * wave, 0.2 + 0.2 * wave], axis=1)
    return (X + rng.normal(0, 0.1, X.shape)).astype(np.float32)


def _rotated(rng, X, dim=10):
    """``X`` (n, c) placed in ``dim`` dimensions by a random rotation."""
    rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    return np.c_[X, np.zeros((len(X), dim - X.shape[1]))] @ rotation.T


def _ring(t, centre=(0.0, 0.0)):
    return np.c_[np.cos(t) + centre[0], np.sin(t) + centre[1]]


def two_rings(seed, n=250, noise=0.1):
    rng = np.random.default_rng(seed)
    X = np.r_[_ring(rng.uniform(0, 2 * np.pi, n)), _ring(rng.uniform(0, 2 * np.pi, n), (4.0, 0.0))]
    X = _rotated(rng, X)
    return X + rng.normal(0, noise, X.shape)


def ring_and_blob(seed, n_ring=300, n_blob=200, noise=0.1):
    rng = np.random.default_rng(seed)
    X = np.r_[_ring(rng.uniform(0, 2 * np.pi, n_ring)), rng.normal((4.0, 0.0), 0.3, (n_blob, 2))]
    X = _rotated(rng, X)
    return X + rng.normal(0, noise, X.shape)


def uneven_ring(seed, n=500, noise=0.05):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 2 * np.pi, 20 * n)  # rejection sampling of the density 1 + 0.9 cos(t)
    t = t[rng.uniform(0, 1.9, len(t)) < 1 + 0.9 * np.cos(t)][:n]
    X = _rotated(rng, _ring(t))
    return X + rng.normal(0, noise, X.shape)


def unequal_blobs(seed, sizes=(350, 120, 30), dim=10, spacing=8.0):
    rng = np.random.default_rng(seed)
    centres = np.eye(len(sizes), dim) * spacing / np.sqrt(2)  # pairwise `spacing` apart
    return np.concatenate([rng.normal(c, 1.0, (m, dim)) for c, m in zip(centres, sizes)])


def gaussian_rows(seed, n=500, dim=10):
    return np.random.default_rng(seed).normal(size=(n, dim))


def noise_windows(seed, n=400, length=50):
    return np.random.default_rng(seed).normal(size=(n, 3, length)).astype(np.float32)


#: name -> (generator, true loops, true clusters)
CASES = {
    "circle (rows)": (circle_rows, 1, 1),
    "posture cycle (windows)": (posture_cycle, 1, 1),
    "Gaussian (rows)": (gaussian_rows, 0, 1),
    "noise (windows)": (noise_windows, 0, 1),
    "two rings (rows)": (two_rings, 2, 2),
    "ring and blob (rows)": (ring_and_blob, 1, 2),
    "uneven ring (rows)": (uneven_ring, 1, 1),
    "unequal blobs (rows)": (unequal_blobs, 0, 3),
}


def loops(S):
    """(longest, second longest, number above ``LOOP``) of the 1-dim bars of ``S`` at unit RMS radius."""
    S = np.asarray(S, dtype=np.float64)
    S = S - S.mean(axis=0)
    S = S / np.sqrt((S**2).sum(axis=1).mean())
    bars = persistence_diagram(S, max_dim=1, max_points=300)[1]
    lengths = np.sort(bars[:, 1] - bars[:, 0])[::-1] if len(bars) else np.zeros(0)
    padded = np.r_[lengths, 0.0, 0.0]
    return float(padded[0]), float(padded[1]), int((lengths > LOOP).sum())


def methods(seed, params):
    return {
        "DeepTDA": DeepTDA(random_state=seed, **params),
        "t-SNE": TSNE(random_state=seed),
        "UMAP": UMAP(random_state=seed),
    }


def run(seeds, params=None, cases=None):
    rows = []
    for name, (make, true_loops, true_clusters) in (cases or CASES).items():
        for seed in seeds:
            X = make(seed)
            for method, model in methods(seed, params or {}).items():
                start = time.perf_counter()
                Y = model.fit_transform(X)
                fit_s = time.perf_counter() - start
                spaces = {method: Y}
                if method == "DeepTDA":
                    spaces["DeepTDA representation"] = model.representation(X)
                for space, S in spaces.items():
                    top, second, found = loops(S)
                    clusters = PersistenceClustering(random_state=seed).fit(S).n_clusters_
                    rows.append(
                        {
                            "case": name,
                            "space": space,
                            "seed": seed,
                            "true_loops": true_loops,
                            "loops": found,
                            "top_loop": top,
                            "second_loop": second,
                            "true_clusters": true_clusters,
                            "clusters": clusters,
                            "right": found == true_loops and clusters == true_clusters,
                            "fit_s": fit_s,
                        }
                    )
                    print(
                        f"{name:24s} {space:23s} seed {seed}: loops {found} (truth {true_loops}; bars "
                        f"{top:.2f}, {second:.2f}), clusters {clusters} (truth {true_clusters})",
                        flush=True,
                    )
    return pd.DataFrame(rows)


def _truth(runs, case):
    first = runs[runs["case"] == case].iloc[0]
    loops, clusters = int(first["true_loops"]), int(first["true_clusters"])
    return [f"{loops} loop" + ("s" if loops != 1 else ""), f"{clusters} cluster" + ("s" if clusters != 1 else "")]


def summarise(runs):
    order = list(dict.fromkeys(runs["space"]))

    def seeds_list(s):
        return ", ".join(str(v) for v in s)

    table = (
        runs.groupby(["case", "space"], sort=False)
        .agg(
            true_loops=("true_loops", "first"),
            loops=("loops", seeds_list),
            top_loop=("top_loop", "mean"),
            second_loop=("second_loop", "mean"),
            true_clusters=("true_clusters", "first"),
            clusters=("clusters", seeds_list),
            right=("right", "mean"),
        )
        .reset_index()
    )
    md = table.to_markdown(index=False, floatfmt=".2f")
    share = runs.groupby("space", sort=False)["right"].mean().reindex(order)
    wrong = runs[~runs["right"]].groupby(["space", "case"], sort=False).size()
    names = "; ".join(f"{case}: {', '.join(_truth(runs, case))}" for case in dict.fromkeys(runs["case"]))
    seeds = ", ".join(str(s) for s in sorted(set(runs["seed"])))
    text = (
        f"On data of known structure ({names}; seeds {seeds}) "
        "the loops and clusters found in each space are both right on "
        + ", ".join(f"{value:.0%} of the runs for {space}" for space, value in share.items())
        + "."
    )
    n_seeds = runs["seed"].nunique()
    if len(wrong):
        text += (
            " Wrong: "
            + "; ".join(f"{space} on {case} ({count} of {n_seeds} seeds)" for (space, case), count in wrong.items())
            + "."
        )
    return md + "\n\n" + text, text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--quick", action="store_true", help="one seed, two cases, few epochs (a smoke run)")
    ap.add_argument("--table", help="also write the Markdown summary here (docs/tables/structure.md for the docs)")
    ap.add_argument("--readme", help="replace the README's <!-- structure --> block with the summary sentence")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    params, cases = {}, None
    if args.quick:
        args.seeds, params = args.seeds[:1], {"n_epochs": 3, "map_epochs": 3}
        cases = {k: CASES[k] for k in ("circle (rows)", "noise (windows)")}
    runs = run(args.seeds, params, cases)
    summary, sentence = summarise(runs)
    print("\n" + summary)
    write_table(runs, os.path.join(args.out, "structure_runs.csv"), markdown=False)
    for path in filter(None, [os.path.join(args.out, "structure_summary.md"), args.table]):
        write_table(summary + "\n", path, markdown=True)
    if args.readme:
        command = "python benchmarks/bench_structure.py --table docs/tables/structure.md --readme README.md"
        replace_block(args.readme, "structure", f"Known structure (`{command}`): {sentence}\n")


if __name__ == "__main__":
    main()
