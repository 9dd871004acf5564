"""A herd: lazy recordings, chunked windows, one pipeline file, apply in process and on a Dask LocalCluster."""

import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyarrow", reason="Parquet needs the extra deeptda[dask] (pyarrow)")

from deeptda import datasets  # noqa: E402
from deeptda.herd import HerdPipeline, apply, fit_pipeline, iter_windows, read_recordings  # noqa: E402
from deeptda.windows import sliding_windows  # noqa: E402

FAST = {"n_epochs": 4, "map_epochs": 4}


def _stream(seed, duration=300):
    return (
        datasets.make_collar_stream(duration=duration, random_state=seed)
        .drop(columns=["event", "behaviour"])
        .reset_index()
    )


@pytest.fixture(scope="module")
def herd(tmp_path_factory):
    """Four recordings: CSV and Parquet (small row groups), one with a 4 s gap."""
    d = tmp_path_factory.mktemp("herd")
    for i in range(4):
        s = _stream(20 + i)
        if i == 2:
            s = s.drop(index=range(3000, 3100)).reset_index(drop=True)
        if i % 2:
            s.to_parquet(d / f"cow{i}.parquet", index=False, row_group_size=2000)
        else:
            s.to_csv(d / f"cow{i}.csv", index=False)
    return d


@pytest.fixture(scope="module")
def recordings(herd):
    return read_recordings(
        [str(herd / "*.csv"), str(herd / "*.parquet")], timestamp="timestamp", channels=["x", "y", "z"]
    )


@pytest.fixture(scope="module")
def pipeline(recordings):
    return fit_pipeline(recordings, window="2.56s", stride="1.28s", n_windows=600, random_state=0, model_params=FAST)


def test_read_recordings_names_and_errors(herd, recordings):
    assert [r.name for r in recordings] == ["cow0", "cow2", "cow1", "cow3"]
    assert {r.kind for r in recordings} == {"csv", "parquet"}
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_recordings(str(herd / "nothing*.csv"))
    with pytest.raises(ValueError, match="unknown file type"):
        (herd / "notes.txt.json").write_text("{}")
        read_recordings(str(herd / "notes.txt.json"))


def test_long_table_with_an_id_column(tmp_path):
    a, b = _stream(1, 60), _stream(2, 60)
    table = pd.concat([a.assign(animal="a"), b.assign(animal="b")], ignore_index=True)
    table.to_parquet(tmp_path / "herd.parquet", index=False, row_group_size=500)
    recs = read_recordings(str(tmp_path / "herd.parquet"), timestamp="timestamp", channels=["x", "y", "z"], id="animal")
    assert [r.name for r in recs] == ["a", "b"]
    got = np.concatenate([X for X, _, _ in iter_windows(recs[1], 64, 32, chunk_rows=400)])
    want = sliding_windows(b, 64, 32, timestamp="timestamp", channels=["x", "y", "z"]).X
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("channels", [["x", "y", "z"], None])
def test_parquet_with_the_timestamp_as_its_index(tmp_path, channels):
    # DataFrame.to_parquet keeps a DatetimeIndex as the index: it is the timestamp column, not row numbers
    s = _stream(3, 60)
    s.set_index("timestamp").to_parquet(tmp_path / "indexed.parquet", row_group_size=500)
    rec = read_recordings(str(tmp_path / "indexed.parquet"), timestamp="timestamp", channels=channels)
    got = list(iter_windows(rec[0], 64, 32, chunk_rows=400))
    want = sliding_windows(s, 64, 32, timestamp="timestamp", channels=["x", "y", "z"])
    np.testing.assert_array_equal(np.concatenate([p[0] for p in got]), want.X)
    np.testing.assert_array_equal(np.concatenate([p[1] for p in got]), np.asarray(want.start))
    wrong = read_recordings(str(tmp_path / "indexed.parquet"), timestamp="time", channels=channels)
    with pytest.raises(ValueError, match=r"no (timestamp )?column \[?'time'\]?; its columns are \[.*'timestamp'"):
        fit_pipeline(wrong, window=64, stride=32, n_windows=100, random_state=0, model_params=FAST)


@pytest.mark.parametrize("chunk_rows", [500, 1999, 10**6])
def test_chunked_windows_equal_whole_recording_windows(recordings, chunk_rows):
    rec = next(r for r in recordings if r.name == "cow2")  # the one with a gap
    whole = pd.read_csv(rec.path)
    with pytest.warns(UserWarning, match="span gaps"):
        want = sliding_windows(whole, 64, 32, timestamp="timestamp", channels=["x", "y", "z"])
    parts = list(iter_windows(rec, 64, 32, chunk_rows=chunk_rows))
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), want.X)
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), np.asarray(want.start))
    assert want.n_dropped > 0  # windows across the gap are left out, chunked or not


def test_a_different_sampling_rate_is_refused(tmp_path, pipeline):
    fast = _stream(5, 60)
    fast["timestamp"] = fast["timestamp"].iloc[0] + (fast["timestamp"] - fast["timestamp"].iloc[0]) / 2
    fast.to_csv(tmp_path / "fast.csv", index=False)
    rec = read_recordings(str(tmp_path / "fast.csv"), timestamp="timestamp", channels=["x", "y", "z"])
    with pytest.raises(ValueError, match=r"sampled every 0.02 s but the pipeline every 0.04 s; resample"):
        apply(pipeline, rec)


def test_sample_is_seeded_and_the_pipeline_round_trips(recordings, pipeline, tmp_path):
    again = fit_pipeline(recordings, window="2.56s", stride="1.28s", n_windows=600, random_state=0, model_params=FAST)
    np.testing.assert_array_equal(again.model.embedding_, pipeline.model.embedding_)
    assert (pipeline.window, pipeline.stride, pipeline.n_train) == (64, 32, 600)
    pipeline.save(tmp_path / "herd.pt")
    loaded = HerdPipeline.load(str(tmp_path / "herd.pt"))
    X = next(iter_windows(recordings[0], 64, 32))[0]
    np.testing.assert_array_equal(loaded.model.transform(X), pipeline.model.transform(X))
    # the clusters live in the representation; assign maps with one encoder pass, as transform does
    assert pipeline.cluster_space == loaded.cluster_space == "representation"
    Y, clusters = pipeline.assign(X)
    np.testing.assert_array_equal(Y, pipeline.model.transform(X))
    np.testing.assert_array_equal(clusters, pipeline.clusterer.predict(pipeline.model.representation(X)))
    for got, want in zip(loaded.assign(X), (Y, clusters)):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="not a readable deeptda pipeline"):
        (tmp_path / "junk.pt").write_bytes(b"not a model")
        HerdPipeline.load(str(tmp_path / "junk.pt"))


def test_a_pipeline_can_cluster_its_map_and_older_files_load_as_such(recordings, tmp_path):
    import json

    import torch

    with pytest.raises(ValueError, match="cluster_space must be one of"):
        fit_pipeline(recordings, window="2.56s", cluster_space="both")
    pipe = fit_pipeline(
        recordings, window="2.56s", n_windows=300, random_state=1, model_params=FAST, cluster_space="map"
    )
    X = next(iter_windows(recordings[0], 64, 32))[0]
    Y, clusters = pipe.assign(X)
    np.testing.assert_array_equal(clusters, pipe.clusterer.predict(pipe.model.transform(X)))
    np.testing.assert_array_equal(pipe.clusterer.predict(pipe.model.embedding_), pipe.clusterer.labels_)
    # a file written before pipelines could cluster the representation clustered the map
    payload = pipe._payload()
    config = json.loads(payload["config"])
    del config["cluster_space"]
    payload["config"] = json.dumps(config)
    torch.save(payload, tmp_path / "old.pt")
    old = HerdPipeline.load(str(tmp_path / "old.pt"))
    assert old.cluster_space == "map"
    np.testing.assert_array_equal(old.assign(X)[1], clusters)


def test_apply_maps_every_window_once(recordings, pipeline):
    tables = apply(pipeline, recordings)
    windows = tables["windows"]
    for rec in recordings:
        mine = windows[windows.recording == rec.name]
        expected = sum(len(X) for X, _, _ in iter_windows(rec, 64, 32))
        assert len(mine) == expected and mine["start"].is_unique
    assert set(windows["cluster"]) <= set(range(pipeline.clusterer.n_clusters_)) | {-1}
    budget = tables["time_budget"]
    np.testing.assert_allclose(budget.groupby("recording")["share"].sum(), 1.0)
    per_rec = budget.groupby("recording")["seconds"].sum()
    np.testing.assert_allclose(per_rec["cow0"], (windows.recording == "cow0").sum() * 32 * 0.04)


@pytest.mark.parametrize("workers", [None, 2])
def test_bad_recordings_are_all_named_and_the_others_mapped(recordings, pipeline, tmp_path, workers):
    if workers:
        pytest.importorskip("distributed", reason="needs the extra deeptda[dask]")
    gappy = _stream(30, 120)
    gappy.loc[500:509, "y"] = np.nan
    gappy.to_parquet(tmp_path / "gappy.parquet", index=False)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    bad = read_recordings(
        [str(tmp_path / "gappy.parquet"), str(tmp_path / "broken.parquet")],
        timestamp="timestamp",
        channels=["x", "y", "z"],
    )
    out = tmp_path / "out"
    with pytest.raises(ValueError) as caught:
        apply(pipeline, [bad[0], *recordings, bad[1]], out=str(out), workers=workers)
    message = str(caught.value)
    assert message.startswith(f"2 of {len(recordings) + 2} recordings could not be mapped")
    assert re.search(r"- recording 'gappy' \(.*gappy.parquet, rows 0-[\d,]+\): the stream holds NaN", message)
    assert re.search(r"- recording 'broken' \(.*broken.parquet\): ", message)
    # every good recording was mapped and written; the summary waits for the rest
    assert sorted(os.listdir(out / "windows")) == sorted(f"{r.name}.parquet" for r in recordings)
    assert not (out / "summary.md").exists()
    # the rerun without the bad files only writes the tables, from the files already there
    tables = apply(pipeline, recordings, out=str(out))
    pd.testing.assert_frame_equal(tables["time_budget"], apply(pipeline, recordings)["time_budget"])
    assert (out / "summary.md").exists()


def _read_all(out, recordings):
    return pd.concat(
        [pd.read_parquet(os.path.join(out, "windows", f"{r.name}.parquet")) for r in recordings], ignore_index=True
    )


def test_dask_local_cluster_gives_the_same_tables(recordings, pipeline, tmp_path):
    pytest.importorskip("distributed", reason="needs the extra deeptda[dask]")
    single = apply(pipeline, recordings, out=str(tmp_path / "one"))
    spread = apply(pipeline, recordings, out=str(tmp_path / "dask"), workers=2)
    a, b = _read_all(tmp_path / "one", recordings), _read_all(tmp_path / "dask", recordings)
    assert len(a) == len(b) > 0
    np.testing.assert_allclose(a[["x", "y"]].to_numpy(), b[["x", "y"]].to_numpy(), atol=1e-5)
    np.testing.assert_array_equal(a["cluster"].to_numpy(), b["cluster"].to_numpy())
    pd.testing.assert_frame_equal(single["time_budget"], spread["time_budget"])
    for name in ("time_budget.csv", "summary.md", "time_budget.png"):
        assert (tmp_path / "dask" / name).exists()
    low, high = pipeline.clusterer.n_clusters_range_
    assert (
        f"{pipeline.clusterer.n_clusters_} clusters (band {low}-{high})"
        in (tmp_path / "dask" / "summary.md").read_text()
    )


def _cli(*args):
    return [sys.executable, "-m", "deeptda", *args]


def test_cli_fit_apply_and_resume_after_a_kill(herd, tmp_path):
    data = [str(herd / "*.csv"), str(herd / "*.parquet")]
    model = tmp_path / "herd.pt"
    fitted = subprocess.run(
        _cli(
            "fit",
            *data,
            "--model",
            str(model),
            "--timestamp",
            "timestamp",
            "--channels",
            "x,y,z",
            "--window",
            "2.56s",
            "--stride",
            "1.28s",
            "--sample",
            "500",
            "--epochs",
            "3",
            "--quiet",
        ),
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert re.search(r"500 training windows from 4 recordings, \d+ clusters \(\d+-\d+", fitted.stdout.decode())
    full = tmp_path / "full"
    done = subprocess.run(
        _cli("apply", str(model), *data, "--out", str(full), "--quiet"),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "summary" in done.stdout
    # a run killed as soon as its first recording is written, then resumed
    part = tmp_path / "part"
    proc = subprocess.Popen(
        _cli("apply", str(model), *data, "--out", str(part), "--quiet"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if (part / "windows").exists() and any(p.suffix == ".parquet" for p in (part / "windows").iterdir()):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait(timeout=60)
    subprocess.run(
        _cli("apply", str(model), *data, "--out", str(part), "--quiet"), check=True, capture_output=True, timeout=600
    )
    recs = read_recordings(data, timestamp="timestamp", channels=["x", "y", "z"])
    pd.testing.assert_frame_equal(_read_all(full, recs), _read_all(part, recs))
    pd.testing.assert_frame_equal(pd.read_csv(full / "time_budget.csv"), pd.read_csv(part / "time_budget.csv"))
    # the same pipeline drives the explore page: same windows, same cluster ids as apply
    pytest.importorskip("bokeh", reason="the explore page needs the extra deeptda[explore]")
    page = tmp_path / "cow0.html"
    subprocess.run(
        _cli(
            "explore",
            str(herd / "cow0.csv"),
            "--model",
            str(model),
            "--out",
            str(page),
            "--quiet",
        ),  # the pipeline brings its timestamp column and channels
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert page.stat().st_size > 0
    # a recording at another rate would give windows of another duration: refused, named
    slow = tmp_path / "slow.csv"
    pd.read_csv(herd / "cow0.csv").iloc[::2].to_csv(slow, index=False)
    refused = subprocess.run(
        _cli("explore", str(slow), "--model", str(model), "--out", str(tmp_path / "slow.html"), "--quiet"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert refused.returncode != 0
    assert "recording 'slow.csv' is sampled every 0.08 s but the pipeline every 0.04 s" in refused.stderr
    assert not (tmp_path / "slow.html").exists()


def test_clusters_that_alternate_in_time_are_merged_over_the_whole_herd(recordings, pipeline):
    # the clusterer is fitted on a sample without time order; fit_pipeline then counts the
    # time-adjacent windows of every recording and merges what alternates. Afterwards no pair of
    # the final clusters alternates above the threshold, counted from apply's table (cow2's gap
    # starts a new run), and the counts do not depend on the chunk size.
    from deeptda.bouts import alternation_counts, alternation_merges
    from deeptda.herd import _time_joins

    clusterer = pipeline.clusterer
    n_ids = clusterer.n_clusters_
    windows = apply(pipeline, recordings)["windows"]
    joins, sizes = np.zeros((n_ids, n_ids)), np.zeros(n_ids)
    for name, rows in windows.groupby("recording", sort=False):
        t = pd.DatetimeIndex(rows["start"]).as_unit("ns").asi8 / 1e9
        run = np.r_[0, np.cumsum(np.diff(t) > 1.5 * 1.28)]
        j, s = alternation_counts(rows["cluster"].to_numpy(), run, n_ids)
        joins, sizes = joins + j, sizes + s
    streamed = _time_joins(pipeline, recordings, chunk_rows=3000, verbose=False)
    np.testing.assert_array_equal(streamed[0], joins)
    np.testing.assert_array_equal(streamed[1], sizes)
    np.testing.assert_array_equal(_time_joins(pipeline, recordings, chunk_rows=50_000, verbose=False)[0], joins)
    np.testing.assert_array_equal(alternation_merges(joins, sizes, clusterer.alternation), np.arange(n_ids))
    assert clusterer.n_merged_by_time_ >= 0


@pytest.mark.parametrize("tz", [None, "Europe/Zurich"])
@pytest.mark.parametrize("unit", ["ns", "us", "ms"])
def test_window_starts_are_seconds_whatever_the_time_resolution(tz, unit):
    from deeptda.herd import _seconds

    times = pd.date_range("2024-03-31 00:59:58", periods=4, freq="1280ms", tz=tz).as_unit(unit)
    np.testing.assert_allclose(np.diff(_seconds(np.asarray(times))), 1.28)
    np.testing.assert_array_equal(_seconds(np.array([0, 32, 64])), [0.0, 32.0, 64.0])
