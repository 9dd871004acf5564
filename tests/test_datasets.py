import warnings

import numpy as np
import pandas as pd
import pytest

from deeptda import datasets, simulations


def test_collar_stream_is_deterministic_per_seed():
    a = datasets.make_collar_stream(duration=300, random_state=3)
    b = datasets.make_collar_stream(duration=300, random_state=3)
    c = datasets.make_collar_stream(duration=300, random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a[["x", "y", "z"]].equals(c[["x", "y", "z"]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_collar_stream_has_every_behaviour(seed):
    df = datasets.make_collar_stream(random_state=seed)
    assert set(df["behaviour"]) == set(datasets.BEHAVIOURS)
    assert list(df.columns) == ["x", "y", "z", "behaviour", "event"]
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.is_monotonic_increasing
    assert df["event"].any()


def test_collar_physics():
    df = datasets.make_collar_stream(duration=3600, random_state=0, gaps=False, events=False)
    norm = np.linalg.norm(df[["x", "y", "z"]].to_numpy(), axis=1)
    by = pd.Series(norm).groupby(df["behaviour"].to_numpy())
    assert abs(by.mean()["standing"] - 1.0) < 0.05  # gravity in g at rest
    assert by.std()["running"] > by.std()["walking"] > by.std()["lying"]
    # rest is near-still; grazing holds the head down (x carries gravity)
    assert df.loc[df.behaviour == "grazing", "x"].mean() > df.loc[df.behaviour == "standing", "x"].mean() + 0.3


def test_collar_gaps_exist():
    df = datasets.make_collar_stream(duration=3600, random_state=0)
    dt = np.diff(df.index.to_numpy()).astype("timedelta64[ms]").astype(int)
    assert (dt > 40 * 1.5).any()


def test_collar_windows_have_labels(collar_windows):
    w = collar_windows
    assert w.X.shape[1:] == (3, 64) and len(w.y) == len(w.X)


def test_basic_motions_shapes_and_labels():
    X, y = datasets.load_basic_motions()
    assert X.shape == (80, 6, 100) and X.dtype == np.float32
    assert sorted(set(y)) == ["badminton", "running", "standing", "walking"]
    assert all((y == c).sum() == 20 for c in set(y))
    Xtr, ytr = datasets.load_basic_motions("train")
    assert Xtr.shape == (40, 6, 100)
    with pytest.raises(ValueError, match="split"):
        datasets.load_basic_motions("validation")


def test_load_csv_roundtrip(tmp_path):
    df = datasets.make_collar_stream(duration=20, random_state=0)
    path = tmp_path / "rec.csv"
    df.reset_index().to_csv(path, index=False)
    back = datasets.load_csv(path, timestamp="timestamp", channels=["x", "y", "z"], label="behaviour")
    np.testing.assert_allclose(back[["x", "y", "z"]].to_numpy(), df[["x", "y", "z"]].to_numpy())
    assert (back.index == df.index).all()
    with pytest.raises(ValueError, match="not in the CSV"):
        datasets.load_csv(path, timestamp="time")


@pytest.mark.parametrize("channels", [["x", "y", "z"], None])
def test_load_csv_reads_parquet_like_the_same_csv(tmp_path, channels):
    pytest.importorskip("pyarrow")
    df = datasets.make_collar_stream(duration=20, random_state=0)
    df.reset_index().to_csv(tmp_path / "rec.csv", index=False)
    df.to_parquet(tmp_path / "rec.parquet")  # the timestamps stored as the DataFrame's index
    kwargs = dict(timestamp="timestamp", channels=channels, label="behaviour")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the 'event' column (flags) is not a channel
        want = datasets.load_csv(tmp_path / "rec.csv", **kwargs)
        got = datasets.load_csv(tmp_path / "rec.parquet", **kwargs)
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    with pytest.raises(ValueError, match=r"timestamp column 'time' is not in the Parquet file; columns are"):
        datasets.load_csv(tmp_path / "rec.parquet", timestamp="time", channels=channels)
    (tmp_path / "text.parquet").write_text("x,y\n1,2\n")
    with pytest.raises(ValueError, match="is not a readable Parquet file"):
        datasets.load_csv(tmp_path / "text.parquet")


def test_within_bout_variation_is_slow_and_unit_scaled():
    x = simulations._slow(200_000, 25.0, np.random.default_rng(0), tau=8.0)
    assert abs(x.std() - 1) < 0.05
    lag = 8 * 25  # one time constant
    assert abs(np.corrcoef(x[:-lag], x[lag:])[0, 1] - np.exp(-1)) < 0.05


def test_gait_rate_drifts_within_a_bout():
    rng = np.random.default_rng(0)
    fs = 25.0
    t = np.arange(int(120 * fs)) / fs
    acc = simulations._dynamics("walking", t, fs, rng)[:, 2]
    # dominant frequency in each 20 s block of one two-minute walking bout
    peaks = []
    for block in acc.reshape(6, -1):
        spec = np.abs(np.fft.rfft(block - block.mean()))
        peaks.append(np.fft.rfftfreq(len(block), 1 / fs)[spec.argmax()])
    assert 0.9 <= min(peaks) and max(peaks) <= 2.4
    assert max(peaks) > min(peaks)  # the pace is not constant


def test_wearable_simulator_is_seeded_and_shaped_as_asked():
    from deeptda.datasets import make_wearable_stream

    a = make_wearable_stream(600, 20, n_behaviours=4, n_channels=6, random_state=3)
    b = make_wearable_stream(600, 20, n_behaviours=4, n_channels=6, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    assert a.shape == (12000, 7) and list(a.columns[:6]) == [f"c{i}" for i in range(6)]
    for channels in (1, 2, 3, 9):
        df = make_wearable_stream(60, 10, n_channels=channels, random_state=0)
        assert df.shape[1] == channels + 1 and np.isfinite(df.drop(columns="behaviour").to_numpy()).all()
    quantised = make_wearable_stream(60, 10, clip=2.0, bits=4, random_state=0)[["c0", "c1", "c2"]].to_numpy()
    assert np.abs(quantised).max() <= 2.0 and len(np.unique(quantised)) <= 16


def test_wearable_summary_is_the_mean_and_sd_of_each_period_of_the_raw_stream():
    from deeptda.datasets import make_wearable_stream

    raw = make_wearable_stream(120, 10, n_channels=2, random_state=4)
    summary = make_wearable_stream(120, 10, n_channels=2, summary="2s", random_state=4)
    assert list(summary.columns) == ["c0_mean", "c1_mean", "c0_sd", "c1_sd", "behaviour"]
    assert len(summary) == 60 and (summary.index[1:] - summary.index[:-1] == pd.Timedelta("2s")).all()
    first = raw.iloc[:20]  # the first 2 s
    np.testing.assert_allclose(summary.iloc[0][["c0_mean", "c1_mean"]].to_numpy(float), first[["c0", "c1"]].mean())
    np.testing.assert_allclose(summary.iloc[0][["c0_sd", "c1_sd"]].to_numpy(float), first[["c0", "c1"]].std(ddof=0))
    for i in range(60):  # each period carries the behaviour that fills most of it
        counts = raw["behaviour"].iloc[20 * i : 20 * (i + 1)].value_counts()
        assert counts[summary["behaviour"].iloc[i]] == counts.max()


def test_wearable_shares_follow_the_imbalance_and_transitions_keep_gravity():
    from deeptda.datasets import make_wearable_stream

    df = make_wearable_stream(
        6 * 3600, 5, n_behaviours=4, imbalance=20, noise=0.0, clip=None, rotation=0, random_state=1
    )
    shares = df["behaviour"].value_counts(normalize=True)
    assert shares.iloc[0] / shares.iloc[-1] > 4  # unequal shares (20 in expectation over many bouts)
    # around bout boundaries the cross-fade never loses gravity: |acc| stays near 1 g at rest
    g = np.linalg.norm(df[["c0", "c1", "c2"]].to_numpy(), axis=1)
    boundary = np.flatnonzero(df["behaviour"].to_numpy()[1:] != df["behaviour"].to_numpy()[:-1])
    after = (boundary[:, None] + np.arange(1, 11)[None, :]).ravel()  # the 2 s after each boundary
    assert np.percentile(g[after[after < len(g)]], 10) > 0.8


#: (cases, channels, timepoints) and class count of every set aeon ships, train and test joined.
AEON_SHAPES = {
    "ACSF1": ((200, 1, 1460), 10),
    "ArrowHead": ((211, 1, 251), 3),
    "BasicMotions": ((80, 6, 100), 4),
    "Covid3Month_disc": ((201, 1, 84), 3),
    "GunPoint": ((200, 1, 150), 2),
    "ItalyPowerDemand": ((1096, 1, 24), 2),
    "JapaneseVowels": ((640, 12, 25), 9),
    "OSULeaf": ((442, 1, 427), 6),
    "PickupGestureWiimoteZ": ((100, 1, 361), 10),
    "UnitTest": ((42, 1, 24), 2),
}


def test_every_aeon_set_loads_whole_and_finite():
    assert set(datasets.AEON_DATASETS) == set(AEON_SHAPES)
    for name, (shape, n_classes) in AEON_SHAPES.items():
        X, y = datasets.load_aeon(name)
        assert X.shape == shape and X.dtype == np.float32 and np.isfinite(X).all(), name
        assert y.shape == (shape[0],) and len(set(y.tolist())) == n_classes, name
        train, test = datasets.load_aeon(name, "train"), datasets.load_aeon(name, "test")
        np.testing.assert_array_equal(np.concatenate([train[0], test[0]]), X)
        np.testing.assert_array_equal(np.concatenate([train[1], test[1]]), y)
