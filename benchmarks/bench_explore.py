"""Explore page benchmark: file size, write time and time to interactive in headless Chromium.

The collar simulator is run long enough to give each size (1,000 / 10,000 / 100,000 /
1,000,000 windows of 3 channels x 64 samples, 2.56 s windows with 1.28 s stride, split
into 10 recordings; above 100,000 windows the simulated stream repeats a day later);
DeepTDA is fitted on a seeded sample of 5,000 windows and maps all of them (one forward
pass each), the simulator's behaviours are the clusters. For each size the
page is written by ``deeptda.explore`` and opened three times in headless Chromium
(``deeptda.browser``): the time from navigation start until the page is interactive
(every view drawn, callbacks attached; median of the three), which renderer the page
chose (``webgl`` with a GPU, ``canvas`` where WebGL is emulated, as in headless Chromium
on a machine without one), and how long the page takes to answer a selection of 10 % of
the windows (trace band, timeline marks and statistics updated). Above 100,000 windows the
page draws a seeded sample of 100,000 (``explore(max_windows=...)``; column ``drawn``) and
its timeline and cluster table count every window.

    python benchmarks/bench_explore.py                       # 1k, 10k, 100k, 1M
    python benchmarks/bench_explore.py --sizes 1000 --table docs/tables/explore.md

Writes ``explore.csv`` into ``--out`` and prints the table.
"""

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import write_table  # noqa: E402

from deeptda import DeepTDA, datasets, explore  # noqa: E402
from deeptda.browser import find_chromium, headless_browser, open_page  # noqa: E402
from deeptda.explorer import MAX_WINDOWS  # noqa: E402

STRIDE_S = 1.28


#: Windows simulated at most; larger sizes repeat the stream a day later (ten animals of the same day).
MAX_SIMULATED = 100_000


def collar_windows(n, seed):
    duration = (min(n, MAX_SIMULATED) + 2) * STRIDE_S * 1.02 + 10
    w = datasets.make_collar_windows(duration=duration, random_state=seed)
    keep = slice(0, min(n, len(w.X)))
    X, y, start, end = w.X[keep], w.y[keep], w.start[keep], w.end[keep]
    if len(X) < n:  # the simulator drops windows that span gaps: top up by repeating the stream a day later
        reps = int(np.ceil(n / len(X)))
        X = np.concatenate([X] * reps)[:n]
        y = np.concatenate([y] * reps)[:n]
        shift = np.repeat(np.arange(reps), len(w.X[keep]))[:n].astype("timedelta64[D]")
        start = np.concatenate([start] * reps)[:n] + shift
        end = np.concatenate([end] * reps)[:n] + shift
    recordings = np.array([f"animal-{i:02d}" for i in np.arange(n) * 10 // n])
    return X, y, start, end, recordings


def selection_ms(driver, fraction=0.1):
    n = driver.execute_script("return Bokeh.documents[0].get_model_by_name('windows').data.x0.length")
    chosen = list(range(0, n, int(round(1 / fraction))))
    driver.execute_script("window.deeptdaSelection = null;")
    t0 = time.perf_counter()
    driver.execute_script("Bokeh.documents[0].get_model_by_name('windows').selected.indices = arguments[0];", chosen)
    while not driver.execute_script("return window.deeptdaSelection && window.deeptdaSelection.count"):
        time.sleep(0.005)
    return (time.perf_counter() - t0) * 1000


def run(n, seed, out, repeats):
    X, y, start, end, recordings = collar_windows(n, seed)
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, 5000), replace=False))
    model = DeepTDA(random_state=seed).fit(X[sample])
    Y = model.transform(X)
    page = os.path.join(out, f"explore_{n}.html")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # above MAX_WINDOWS the page draws a sample: the column says so
        explore(
            X,
            Y,
            clusters=y,
            recordings=recordings,
            times=start,
            ends=end,
            channel_names=["x", "y", "z"],
            title=f"collar, {n:,} windows",
            out=page,
        )
    write_s = time.perf_counter() - t0
    row = {"windows": n, "drawn": min(n, MAX_WINDOWS), "file_mb": os.path.getsize(page) / 1e6, "write_s": write_s}
    if find_chromium() is None:
        print("no Chromium and ChromeDriver found: page not opened", file=sys.stderr)
        return row
    ready, select = [], []
    for _ in range(repeats):
        with headless_browser() as driver:
            ready.append(open_page(driver, page, timeout=120))
            row["renderer"] = driver.execute_script("return window.deeptdaBackend")
            select.append(selection_ms(driver))
            severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            row["console_errors"] = len(severe)
    row.update(
        interactive_s=float(np.median(ready)) / 1000,
        interactive_max_s=max(ready) / 1000,
        selection_10pct_ms=float(np.median(select)),
    )
    return row


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000, 1000000])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3, help="browser opens per page (median reported)")
    ap.add_argument("--out", default="results/bench")
    ap.add_argument("--table", help="also write the Markdown table here (docs/tables/explore.md for the docs)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for n in args.sizes:
        print(f"{n} windows ...", file=sys.stderr, flush=True)
        rows.append(run(n, args.seed, args.out, args.repeats))
    table = pd.DataFrame(rows)
    write_table(table, os.path.join(args.out, "explore.csv"), markdown=False)
    text = table.to_markdown(index=False, floatfmt=".2f")
    print(text)
    if args.table:
        note = (
            "Generated by `python benchmarks/bench_explore.py --table docs/tables/explore.md` "
            f"(headless Chromium, {os.cpu_count()} CPU cores).\n\n"
        )
        write_table(note + text + "\n", args.table, markdown=True)


if __name__ == "__main__":
    main()
