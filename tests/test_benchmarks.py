"""The benchmark scripts run end to end on tiny settings and write their tables.

The default run calls each script's ``main`` in this process (no cold start);
the same scripts as fresh subprocesses, as a user runs them, are ``slow``.
"""

import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).parents[1]


def load(script):
    """A benchmark script as a module (their folder is not a package)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(script, ROOT / "benchmarks" / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(script, *args):
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{script}.py"), *args], capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_bench_map_step_tiny(tmp_path, capsys):
    load("bench_map_step").main(["--sizes", "120", "300", "--repeat", "1", "--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "map_step.csv")
    assert table["n"].tolist() == [120, 300] and table["topo_points"].tolist() == [120, 256]
    timed = [c for c in table.columns if c.endswith("_ms")]
    assert {"neighbour_ours_ms", "neighbour_kernel_ms", "neighbour_torch_ms"} <= set(timed)
    assert len(timed) == 6 and (table[timed] > 0).all().all()
    assert (table["torch_over_ours"] > 0).all() and "written:" in capsys.readouterr().out


def test_bench_topology_tiny(tmp_path, capsys):
    load("bench_topology").main(["--sizes", "64", "128", "--repeat", "1", "--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "topology.csv")
    assert table["b"].tolist() == [64, 128]
    assert {"distance_matrix_s", "ours_dense_s", "gudhi_rips0_s", "scipy_mst_s"} <= set(table.columns)
    assert "dense_over_floor" in capsys.readouterr().out


def test_bench_embeddings_tiny(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# t\n\nbefore\n<!-- embeddings:start -->\nold numbers\n<!-- embeddings:end -->\nafter\n")
    load("bench_embeddings").main(
        [
            "--quick",
            "--datasets",
            "basic-motions",
            "--seeds",
            "0",
            "1",
            "--conditions",
            "clean",
            "faults",
            "--out",
            str(tmp_path),
            "--readme",
            str(readme),
        ]
    )
    runs = pd.read_csv(tmp_path / "embeddings_runs.csv")
    assert set(runs["method"]) == {"DeepTDA", "DeepTDA (topo_weight=0)", "t-SNE", "UMAP"}
    assert set(runs["condition"]) == {"clean", "faults"}
    assert runs["knn_accuracy"].between(0, 1).all()
    assert runs["trust_spectra@10"].between(0, 1).all()
    assert runs.loc[runs.seed == 1, "seed_disparity"].notna().all()
    summary = pd.read_csv(tmp_path / "embeddings_summary.csv")
    assert "knn_drop" in summary.columns
    assert (tmp_path / "embeddings_summary.md").exists() and (tmp_path / "embeddings.png").exists()
    text = readme.read_text()  # the README block holds the script's numbers, the rest is untouched
    assert "old numbers" not in text and text.startswith("# t\n\nbefore\n") and text.endswith("after\n")
    block = text.split("<!-- embeddings:start -->")[1].split("<!-- embeddings:end -->")[0]
    deeptda_clean = summary[(summary.condition == "clean") & (summary.method == "DeepTDA")]["knn_accuracy"].iloc[0]
    assert f"{deeptda_clean:.3f}" in block and "faults" in block


def test_replace_block_refuses_a_file_without_its_markers(tmp_path):
    harness = load("_harness")
    path = tmp_path / "x.md"
    path.write_text("no markers here\n")
    with pytest.raises(ValueError, match="needs exactly one"):
        harness.replace_block(path, "embeddings", "numbers")
    assert path.read_text() == "no markers here\n"


def test_bench_clustering_tiny(tmp_path, capsys):
    load("bench_clustering").main(["--quick", "--out", str(tmp_path)])
    runs = pd.read_csv(tmp_path / "clustering.csv")
    assert set(runs["space"]) == {"representation", "map"} and (runs["true_k"] >= 2).all()
    assert runs["ari"].between(-1, 1).all() and runs["kmeans_true_k_ari"].between(-1, 1).all()
    low_high = runs["band"].str.split("-", expand=True).astype(int)
    assert ((low_high[0] <= runs["found_k"]) & (runs["found_k"] <= low_high[1])).all()
    assert (tmp_path / "clustering_summary.md").exists() and "within_1" in capsys.readouterr().out
    assert (runs["whole_k"] >= 1).all() and (runs["half_k"] >= 1).all()
    assert "whole_half_k" in (tmp_path / "clustering_summary.md").read_text()
    # the quick set is a stream: both halves in time are clustered and scored
    assert runs["time_half_ari"].between(-1, 1).all()
    assert runs["time_half_k"].str.fullmatch(r"\d+/\d+").all()


def test_bench_clustering_time_halves_on_a_stream_of_three_behaviours():
    bench = load("bench_clustering")
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    bouts = np.tile(np.repeat([0, 1, 2], 40), 4)  # four rounds of 40-window bouts of each behaviour
    S = centres[bouts] + rng.normal(0, 0.4, (len(bouts), 2))
    sequence = np.zeros(len(bouts), dtype=np.int64)
    whole = bench.PersistenceClustering(random_state=0).fit(S, sequence=sequence)
    assert whole.n_clusters_ == 3
    ari, first_k, second_k = bench.predict_time_halves(S, sequence, whole.labels_, seed=0)
    assert (ari, first_k, second_k) == (1.0, 3, 3)
    # a first half that holds one behaviour only cannot label the second half's three
    one_first = np.r_[np.zeros(240, dtype=np.int64), np.tile(np.repeat([0, 1, 2], 40), 2)]
    S2 = centres[one_first] + rng.normal(0, 0.4, (len(one_first), 2))
    whole2 = bench.PersistenceClustering(random_state=0).fit(S2, sequence=sequence[: len(S2)])
    ari2, first2, _ = bench.predict_time_halves(S2, sequence[: len(S2)], whole2.labels_, seed=0)
    assert first2 == 1 and ari2 < 0.95  # its two unseen behaviours are one cluster (-1, far from its points)


def test_bench_clustering_time_halves_sentence():
    bench = load("bench_clustering")
    row = pd.Series({"time_half_streams": 0.76, "time_half_streams_min": 0.0})
    assert "ARI 0.760 on average, 0.000 at worst" in bench.time_halves(row) and "not met" in bench.time_halves(row)
    assert bench.time_halves(pd.Series({"time_half_streams": np.nan, "time_half_streams_min": np.nan})) == ""


def test_bench_clustering_half_counts_sentence():
    runs = pd.DataFrame(
        {
            "space": ["map"] * 4,
            "whole_k": [5, 5, 4, 3],
            "half_k": [4, 5, 4, 4],
            "predict_half_ari": [0.8, 1.0, 0.9, 0.6],
        }
    )
    sentence = load("bench_clustering").half_counts(runs, "map")
    assert "fewer clusters than all points in 1 of the 4 runs and more in 1" in sentence
    assert "where the counts agree, predict's ARI is 0.950 on average (50 % of those runs" in sentence
    assert "where they differ 0.700" in sentence


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux's")
def test_peak_rss_of_a_child_is_its_own_not_its_large_parents():
    harness = load("_harness")
    ballast = np.ones(600 * 2**20 // 8)  # 600 MB resident in this process
    path = str(ROOT / "benchmarks")
    code = f"import sys; sys.path.insert(0, {path!r}); import _harness; print(_harness.peak_rss_mb())"
    child = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    # ru_maxrss would give the child at least the parent's 600 MB; its own peak is the imports'
    assert harness.peak_rss_mb() > ballast.nbytes / 2**20 and child < harness.peak_rss_mb() - 400


def test_structure_loops_count_a_circle_once_and_nothing_in_a_gaussian_cloud():
    loops = load("bench_structure").loops
    t = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    top, second, found = loops(np.c_[np.cos(t), np.sin(t)] * 7.0 + 3.0)  # scale and offset do not matter
    assert found == 1 and top > 1.0 and second < 0.05
    top, _, found = loops(np.random.default_rng(0).normal(size=(500, 2)))
    assert found == 0 and top < 0.25
    two = np.r_[np.c_[np.cos(t), np.sin(t)], np.c_[np.cos(t), np.sin(t)] + [3.0, 0.0]]
    assert loops(two)[2] == 2


def test_bench_structure_tiny(tmp_path, capsys):
    load("bench_structure").main(["--quick", "--out", str(tmp_path)])
    runs = pd.read_csv(tmp_path / "structure_runs.csv")
    assert set(runs["space"]) == {"DeepTDA", "DeepTDA representation", "t-SNE", "UMAP"}
    assert set(runs["case"]) == {"circle (rows)", "noise (windows)"} and len(runs) == 8
    assert (runs["top_loop"] >= runs["second_loop"]).all() and (runs["clusters"] >= 1).all()
    right = (runs["loops"] == runs["true_loops"]) & (runs["clusters"] == runs["true_clusters"])
    assert (runs["right"] == right).all()
    assert "both right" in capsys.readouterr().out and (tmp_path / "structure_summary.md").exists()


@pytest.mark.slow  # fresh interpreters, as a user runs the scripts: about a minute
def test_bench_scripts_as_commands(tmp_path):
    printed = run("bench_topology", "--sizes", "64", "--repeat", "1", "--out", str(tmp_path))
    assert "dense_over_floor" in printed
    printed = run("bench_clustering", "--quick", "--out", str(tmp_path))
    assert "within_1" in printed


@pytest.mark.slow  # 45 s: the thread variants start UMAP and openTSNE on every core; `make test-slow` runs it
def test_bench_scale_tiny(tmp_path):
    printed = run("bench_embeddings", "--quick", "--scale", "300", "--thread-variants", "--out", str(tmp_path))
    table = pd.read_csv(tmp_path / "scale.csv")
    assert set(table["method"]) == {"DeepTDA", "t-SNE", "UMAP", "t-SNE (n_jobs=-1)", "UMAP (unseeded, all cores)"}
    assert (table["n"] == 300).all() and (table["fit_s"] > 0).all() and (table["transform_ms_per_window"] > 0).all()
    assert "UMAP / DeepTDA" in printed


@pytest.mark.slow  # two herds of 2,000 windows, fit + apply in fresh processes, t-SNE and UMAP: about 2 minutes
def test_bench_scale_herd_with_peers(tmp_path):
    printed = run("bench_scale", "--windows", "2000", "--animals", "2", "--peers", "--out", str(tmp_path))
    table = pd.read_csv(tmp_path / "scale_herd.csv")
    assert {"t-SNE (openTSNE), every window", "UMAP (umap-learn), every window"} <= set(table["stage"])
    assert (table["peer_over_deeptda"].dropna() > 0).all() and "apply, Dask 2 workers" in printed


def test_generalisation_reports_the_density_kl_of_every_method_best_first():
    bench = load("bench_generalisation")
    summary = pd.DataFrame(
        {
            "set": ["spheres"] * 4 + ["iris"] * 4,
            "method": ["DeepTDA", "t-SNE", "UMAP", "PCA"] * 2,
            "kl@0.1": [0.9, 0.5, 0.7, 0.8] + [np.nan] * 4,
        }
    )
    text = bench.density_sentence(summary)
    assert "On spheres" in text and "iris" not in text
    assert text.index("t-SNE 0.500") < text.index("UMAP 0.700") < text.index("PCA 0.800") < text.index("DeepTDA 0.900")
    assert text.rstrip().endswith("(DeepTDA worst of 4).")
    summary.loc[0, "kl@0.1"] = 0.1
    assert bench.density_sentence(summary).rstrip().endswith("(DeepTDA best).")
    summary.loc[0, "kl@0.1"] = 0.6
    assert "(DeepTDA 2nd of 4)" in bench.density_sentence(summary)
    assert bench.density_sentence(summary.drop(columns="kl@0.1")) == ""
    # the fit-time reference (UMAP unseeded) is not one of the methods compared
    reference = pd.DataFrame({"set": ["spheres"], "method": [bench.FIT_REFERENCE], "kl@0.1": [0.01]})
    text = bench.density_sentence(pd.concat([summary, reference], ignore_index=True))
    assert bench.FIT_REFERENCE not in text and "(DeepTDA 2nd of 4)" in text


def test_generalisation_fit_sentence_names_every_set_over_its_line():
    bench = load("bench_generalisation")
    ref = bench.FIT_REFERENCE
    rows = [
        ("tiny", 100, "DeepTDA", 1.0),
        ("tiny", 100, ref, 0.1),
        ("small", 400, "DeepTDA", 3.5),
        ("mid", 1500, "DeepTDA", 3.0),
        ("mid", 1500, ref, 2.0),
        ("large", 20000, "DeepTDA", 10.0),
        ("large", 20000, ref, 4.0),
        ("huge", 100000, "DeepTDA", 20.0),
        ("huge", 100000, ref, 40.0),
    ]
    summary = pd.DataFrame(rows, columns=["set", "n", "method", "fit_s"])
    text = bench.fit_sentence(summary)
    assert "at most 3 s on 1 of the 2 sets of up to 500 samples; above: small 3.5 s" in text
    # only 1,000-30,000 samples count against UMAP on every core, largest ratio first
    assert f"at most twice {ref} on 1 of the 2 sets of 1,000-30,000 samples (large 2.5x, mid 1.5x)." in text
    assert "huge" not in text and "tiny" not in text
    # a run without the reference (``--methods DeepTDA``) keeps the small-set part only
    alone = bench.fit_sentence(summary[summary.method == "DeepTDA"])
    assert alone.endswith("above: small 3.5 s.") and ref not in alone
    assert bench.fit_sentence(summary[summary.method == ref]) == ""
    assert bench.fit_sentence(summary.drop(columns="fit_s")) == ""


def test_fault_ceiling_tiny(tmp_path, capsys):
    runs = pd.DataFrame(
        [
            {"set": s, "method": m, "condition": c, "seed": seed, "knn_accuracy": acc}
            for s in ("UnitTest", "wine")
            for m, acc in (("DeepTDA", 0.9), ("t-SNE", 0.8), ("UMAP", 0.7))
            for c in ("clean", "faults")
            for seed in (0, 1)
        ]
    )
    runs.loc[(runs.condition == "faults") & (runs.seed == 1), "knn_accuracy"] -= 0.2
    runs.to_csv(tmp_path / "runs.csv", index=False)
    table = tmp_path / "ceiling.md"
    argv = ["--sets", "UnitTest", "wine", "--out", str(tmp_path), "--runs", str(tmp_path / "runs.csv")]
    load("bench_fault_ceiling").main(argv + ["--table", str(table)])
    each = pd.read_csv(tmp_path / "fault_ceiling_runs.csv")
    # MiniRocket only for windows: UnitTest (1 x 24) has it, wine's rows do not
    assert sorted(each.loc[each.set == "UnitTest", "classifier"]) == ["5-NN, input", "MiniRocket", "forest", "logistic"]
    assert "MiniRocket" not in set(each.loc[each.set == "wine", "classifier"])
    assert each[["clean", "faults"]].stack().between(0, 1).all()
    assert np.allclose(each["drop"], each["clean"] - each["faults"])
    summary = pd.read_csv(tmp_path / "fault_ceiling_summary.csv").set_index("set")
    for name, group in each.groupby("set"):
        assert summary.loc[name, "best clean"] == group["clean"].max()
        assert summary.loc[name, "best faults"] == group["faults"].max()
    # the maps' means over the runs file's seeds: faulty seed 1 is 0.2 lower, so the mean drop is 0.1
    assert np.allclose(summary["DeepTDA map drop"], 0.1) and np.allclose(summary["UMAP map faults"], 0.6)
    text = table.read_text()
    assert text.startswith("Generated by `python benchmarks/bench_fault_ceiling.py --sets UnitTest wine")
    assert "| **mean** |" in text and "DeepTDA 2-D map (drop)" in capsys.readouterr().out
    # rebuilt from the runs file without refitting: the same table under its own command
    again = tmp_path / "again.md"
    load("bench_fault_ceiling").main(argv + ["--summarise-only", "--table", str(again)])
    assert again.read_text().split("\n", 1)[1] == text.split("\n", 1)[1]
    assert "--summarise-only" in again.read_text().split("\n", 1)[0]


def test_drawn_configurations_are_seeded_and_within_their_stated_ranges():
    bench = load("bench_drawn")

    def draws(seed):
        rng = np.random.default_rng(seed)
        return [bench.draw_config(rng) for _ in range(40)]

    first = draws(3)
    assert first == draws(3) and first != draws(4) and len({c["random_state"] for c in first}) == 40
    for config in first:
        window = float(config["window"].rstrip("s"))
        assert config["summary"] in (None, "1s")
        assert config["summary"] or window * config["sampling_rate"] <= 1000
        assert 1 <= config["n_channels"] <= 9 and 3 <= config["n_behaviours"] <= 8
        assert 1 <= config["imbalance"] <= 30 and 0.01 <= config["noise"] <= 0.3
    assert any(c["summary"] for c in first) and not all(c["summary"] for c in first)


def test_drawn_summary_names_the_recordings_beyond_the_line(tmp_path):
    bench = load("bench_drawn")
    accuracy = {"00 a": (0.90, 0.80, 0.85), "01 b": (0.70, 0.75, 0.74), "02 c": (0.80, 0.81, 0.79)}
    runs = pd.DataFrame(
        [
            {"set": s, "condition": "clean", "method": m, "seed": 0, "draw_seed": 5, "knn_accuracy": a, "fit_s": 1.0}
            for s, accs in accuracy.items()
            for m, a in zip(bench.METHODS, accs)
        ]
    )
    text = bench.summary_markdown(runs)
    assert "draw seed 5" in text and "above the best of t-SNE and UMAP on 1 of 3, within 0.02 of it on 2" in text
    assert "beyond that line on 01 b (-0.050)" in text and "Worst margin -0.050" in text


def test_bench_drawn_one_recording_end_to_end(tmp_path):
    bench = load("bench_drawn")
    table = tmp_path / "drawn.md"
    bench.main(["--draws", "1", "--out", str(tmp_path), "--table", str(table)])
    runs = pd.read_csv(tmp_path / "drawn_runs.csv")
    assert sorted(runs["method"]) == sorted(bench.METHODS) and runs["knn_accuracy"].between(0, 1).all()
    assert (runs["config_random_state"] == bench.draw_config(np.random.default_rng(0))["random_state"]).all()
    assert "1 drawn recordings" in table.read_text()


def test_drawn_summary_gives_each_methods_drop_under_faults():
    bench = load("bench_drawn")
    rows = []
    for s, (clean, faulty) in {
        "00 a": ((0.9, 0.8, 0.8), (0.85, 0.7, 0.6)),
        "01 b": ((0.8, 0.8, 0.8), (0.8, 0.7, 0.7)),
    }.items():
        for condition, accs in (("clean", clean), ("faults", faulty)):
            for m, a in zip(bench.METHODS, accs):
                rows.append(
                    {
                        "set": s,
                        "condition": condition,
                        "method": m,
                        "seed": 0,
                        "draw_seed": 0,
                        "knn_accuracy": a,
                        "fit_s": 1.0,
                    }
                )
    text = bench.summary_markdown(pd.DataFrame(rows))
    assert "DeepTDA 0.025, t-SNE 0.100, UMAP 0.150" in text and "0.17 of UMAP's" in text
