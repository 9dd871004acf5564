"""The benchmark scripts run end to end on tiny settings and write their tables."""

import pathlib
import subprocess
import sys

import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).parents[1]


def run(script, *args):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_bench_topology_tiny(tmp_path):
    printed = run("bench_topology.py", "--sizes", "64", "128", "--repeat", "1", "--out", str(tmp_path))
    table = pd.read_csv(tmp_path / "topology.csv")
    assert table["b"].tolist() == [64, 128]
    assert {"distance_matrix_s", "ours_dense_s", "gudhi_rips0_s", "scipy_mst_s"} <= set(table.columns)
    assert "dense_over_floor" in printed


def test_bench_embeddings_tiny(tmp_path):
    run("bench_embeddings.py", "--quick", "--datasets", "basic-motions", "--seeds", "0", "1",
        "--conditions", "clean", "snr10+spikes", "--out", str(tmp_path))
    runs = pd.read_csv(tmp_path / "embeddings_runs.csv")
    assert set(runs["method"]) == {"DeepTDA", "DeepTDA (topo_weight=0)", "t-SNE", "UMAP"}
    assert set(runs["condition"]) == {"clean", "snr10+spikes"}
    assert runs["knn_accuracy"].between(0, 1).all()
    assert runs["trust_spectra@10"].between(0, 1).all()
    assert runs.loc[runs.seed == 1, "seed_disparity"].notna().all()
    summary = pd.read_csv(tmp_path / "embeddings_summary.csv")
    assert "knn_drop" in summary.columns
    assert (tmp_path / "embeddings_summary.md").exists() and (tmp_path / "embeddings.png").exists()


@pytest.mark.slow  # 45 s: the thread variants start UMAP and openTSNE on every core; `make test-slow` runs it
def test_bench_scale_tiny(tmp_path):
    printed = run("bench_embeddings.py", "--quick", "--scale", "300", "--thread-variants", "--out", str(tmp_path))
    table = pd.read_csv(tmp_path / "scale.csv")
    assert set(table["method"]) == {"DeepTDA", "t-SNE", "UMAP", "t-SNE (n_jobs=-1)", "UMAP (unseeded, all cores)"}
    assert (table["n"] == 300).all() and (table["fit_s"] > 0).all() and (table["transform_ms_per_window"] > 0).all()
    assert "UMAP / DeepTDA" in printed


def test_bench_clustering_tiny(tmp_path):
    printed = run("bench_clustering.py", "--quick", "--out", str(tmp_path))
    runs = pd.read_csv(tmp_path / "clustering.csv")
    assert set(runs["space"]) == {"representation", "map"} and (runs["true_k"] >= 2).all()
    assert runs["ari"].between(-1, 1).all() and runs["kmeans_true_k_ari"].between(-1, 1).all()
    low_high = runs["band"].str.split("-", expand=True).astype(int)
    assert ((low_high[0] <= runs["found_k"]) & (runs["found_k"] <= low_high[1])).all()
    assert (tmp_path / "clustering_summary.md").exists() and "within_1" in printed
