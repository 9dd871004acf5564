import numpy as np
import pandas as pd
import pytest

from deeptda import datasets


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
