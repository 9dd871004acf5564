import numpy as np
import pandas as pd
import pytest

from deeptda import SlidingWindow, sliding_windows
from deeptda.windows import window_labels


def test_exact_windows_on_arange():
    x = np.arange(10.0)
    w = sliding_windows(x, window=4, stride=3)
    assert w.X.shape == (3, 1, 4)
    assert w.X.dtype == np.float32
    np.testing.assert_array_equal(w.X[:, 0], [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    np.testing.assert_array_equal(w.start, [0, 3, 6])
    np.testing.assert_array_equal(w.end, [3, 6, 9])


def test_channels_layout_and_default_stride():
    x = np.arange(24.0).reshape(12, 2)
    w = sliding_windows(x, window=4)
    assert w.X.shape == (3, 2, 4)
    np.testing.assert_array_equal(w.X[1, 1], [9, 11, 13, 15])


def test_last_partial_window_policies():
    x = np.arange(10.0)
    dropped = sliding_windows(x, window=4, stride=4)
    assert dropped.start_index.tolist() == [0, 4]
    padded = sliding_windows(x, window=4, stride=4, partial="pad")
    assert padded.start_index.tolist() == [0, 4, 8]
    np.testing.assert_array_equal(padded.X[-1, 0], [8, 9, 9, 9])


def test_duration_windows_on_timestamped_frame():
    idx = pd.date_range("2026-01-01", periods=100, freq="40ms")  # 25 Hz
    df = pd.DataFrame({"x": np.arange(100.0), "y": -np.arange(100.0)}, index=idx)
    w = sliding_windows(df, window="0.4s", stride=pd.Timedelta("200ms"))
    assert w.window_length == 10
    assert w.X.shape == (19, 2, 10)
    assert w.start[1] == idx[5] and w.end[0] == idx[9]
    assert w.channels == ["x", "y"] and w.stride == 5
    sw = SlidingWindow(window="0.4s", stride="200ms")
    np.testing.assert_array_equal(sw.fit_transform(df), w.X)
    assert (sw.window_length_, sw.stride_) == (10, 5)


def test_timestamp_column_and_label_column():
    df = pd.DataFrame({"t": np.arange(20) * 0.1, "a": np.arange(20.0), "lab": ["u"] * 12 + ["v"] * 8})
    w = sliding_windows(df, window=5, stride=5, timestamp="t", labels="lab")
    assert w.channels == ["a"]
    assert w.y.tolist() == ["u", "u", "v", "v"]


def test_gap_windows_dropped_and_reported():
    t = np.r_[np.arange(50), np.arange(60, 110)] * 0.04
    df = pd.DataFrame({"x": np.arange(100.0)}, index=pd.to_datetime(t, unit="s"))
    with pytest.warns(UserWarning, match="span gaps"):
        w = sliding_windows(df, window=10, stride=5)
    # windows starting at 45 would span the gap between rows 49 and 50
    assert 45 not in w.start_index.tolist()
    assert w.n_dropped == 1
    assert w.sequence.tolist() == [0] * 9 + [1] * 9  # time-order runs break at the gap
    # windows that fit on either side of a gap are not dropped, but are not time neighbours either
    aligned = sliding_windows(df, window=10, stride=10)
    assert aligned.n_dropped == 0 and aligned.sequence.tolist() == [0] * 5 + [1] * 5
    assert sliding_windows(np.zeros((30, 1)), window=10, stride=5).sequence.tolist() == [0] * 5
    sw = SlidingWindow(window=10, stride=5)
    with pytest.warns(UserWarning):
        sw.fit(df)
    assert sw.n_dropped_ == 1
    assert sw.sequence_.tolist() == w.sequence.tolist()  # the estimator gives the time order too


def test_label_policies_and_resample():
    y = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
    assert window_labels(y, [0, 5], 5, "majority").tolist() == [0, 2]
    assert window_labels(y, [0, 5], 5, "last").tolist() == [1, 2]
    sw = SlidingWindow(window=5, stride=5, label_policy="last").fit(np.zeros((10, 1)))
    assert sw.resample(y).tolist() == [1, 2]
    with pytest.raises(ValueError, match="one label per sample"):
        sw.resample(y[:5])


def test_majority_tie_goes_to_first_sorted_label():
    assert window_labels(["b", "a", "a", "b"], [0], 4).tolist() == ["a"]


def test_partly_labelled_streams_give_unlabelled_windows():
    # observers label some bouts only: unlabelled samples vote as one more label that loses ties
    y = np.array(["a", "a", None, None, None, "b", "b", None], dtype=object)
    assert window_labels(y, [0, 1, 2, 4], 4).tolist() == ["a", None, None, "b"]
    numeric = np.array([0.0, 0.0, np.nan, np.nan, np.nan, 1.0, 1.0, np.nan])
    got = window_labels(numeric, [0, 1, 2, 4], 4)
    assert got[0] == 0.0 and np.isnan(got[1]) and np.isnan(got[2]) and got[3] == 1.0
    stream = pd.DataFrame({"x": np.arange(8.0), "behaviour": y})
    w = sliding_windows(stream, 4, 2, channels=["x"], labels="behaviour")
    assert w.y.tolist() == ["a", None, "b"]


@pytest.mark.parametrize(
    "kwargs, data, match",
    [
        ({"window": 20}, np.zeros((10, 1)), "longer than the stream"),
        ({"window": 4, "stride": 0}, np.zeros((10, 1)), "stride must be positive"),
        ({"window": 4, "stride": -2}, np.zeros((10, 1)), "stride must be positive"),
        ({"window": 4}, np.r_[np.zeros(5), np.nan, np.zeros(4)], "NaN or infinite"),
        ({"window": 4}, np.r_[np.zeros(5), np.inf, np.zeros(4)], "NaN or infinite"),
        ({"window": 4, "label_policy": "mode"}, np.zeros((10, 1)), "unknown label policy"),
        ({"window": "1s"}, np.zeros((10, 1)), "no timestamps"),
        ({"window": 4}, np.zeros((2, 3, 4)), "must be 2-D"),
    ],
)
def test_bad_input(kwargs, data, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(data, **kwargs)


def test_duplicate_timestamps_keep_every_sample_and_spread_evenly():
    x = np.arange(8.0)
    idx = pd.to_datetime([0, 0, 1, 1, 2, 2, 3, 3], unit="s")  # two samples per clock tick
    with pytest.warns(UserWarning, match="4 timestamps repeat"):
        w = sliding_windows(pd.DataFrame({"x": x}, index=idx), window=2)
    assert w.X.shape == (4, 1, 2) and w.n_dropped == 0
    np.testing.assert_array_equal(w.X[:, 0].ravel(), x)  # nothing lost, order kept
    seconds = (w.start - w.start[0]) / np.timedelta64(1, "s")
    np.testing.assert_allclose(seconds, [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose((w.end - w.start) / np.timedelta64(1, "s"), 0.5)


def test_backward_jump_splits_the_stream():
    # local time across a daylight-saving change: the clock goes back by 2 s
    t = np.r_[np.arange(10.0), np.arange(8.0, 18.0)]
    with pytest.warns(UserWarning, match="jumps backwards at 1 place"):
        w = sliding_windows(np.arange(20.0), window=4, timestamp=t)
    assert w.n_dropped == 1  # the window of samples 8-11 would span the jump after sample 9
    assert w.start_index.tolist() == [0, 4, 12, 16]
    with pytest.warns(UserWarning, match="jumps backwards"):
        w = sliding_windows(np.arange(20.0), window=4, stride=2, timestamp=t)
    assert 8 not in w.start_index.tolist() and w.n_dropped == 1


def test_unsorted_and_equal_timestamps_are_refused():
    t = np.random.default_rng(0).permutation(50).astype(float)
    with pytest.raises(ValueError, match="not sorted.*sort the stream"):
        sliding_windows(np.zeros(50), window=4, timestamp=t)
    with pytest.raises(ValueError, match="all timestamps are equal"):
        sliding_windows(np.zeros(5), window=2, timestamp=np.zeros(5))


def test_timezone_aware_index_comes_back_in_its_zone():
    idx = pd.date_range("2026-03-29 00:00", periods=40, freq="100ms", tz="Europe/Berlin")
    w = sliding_windows(pd.DataFrame({"x": np.arange(40.0)}, index=idx), window="1s")
    assert w.X.shape == (4, 1, 10)
    assert str(w.start.tz) == "Europe/Berlin" and w.start[0] == idx[0] and w.end[-1] == idx[-1]


def test_mixed_utc_offsets_in_strings_are_read_as_utc():
    # two samples before and two after a daylight-saving change, written with their offsets
    t = [
        "2026-10-25 02:59:58+02:00",
        "2026-10-25 02:59:59+02:00",
        "2026-10-25 02:00:00+01:00",
        "2026-10-25 02:00:01+01:00",
    ]
    w = sliding_windows(pd.DataFrame({"t": t, "x": np.arange(4.0)}), window=2, timestamp="t")
    assert w.n_dropped == 0 and w.X.shape == (2, 1, 2)
    assert str(w.start.tz) == "UTC"


def test_mixed_sampling_rates_are_refused():
    t = np.r_[np.arange(200) * 0.04, 8.0 + np.arange(200) * 0.02]  # 25 Hz, then 50 Hz
    with pytest.raises(ValueError, match="sampling interval changes.*[Rr]esample"):
        sliding_windows(np.zeros(400), window=10, timestamp=t)


def test_unparsable_timestamps_are_named():
    frame = pd.DataFrame({"t": ["2026-01-01 00:00:00", "yesterday", "2026-01-01 00:00:02"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="1 entries of timestamp cannot be read.*position 1: 'yesterday'"):
        sliding_windows(frame, window=2, timestamp="t")


def test_transformer_matches_function_and_checks_channels():
    x = np.random.default_rng(0).normal(size=(50, 3))
    sw = SlidingWindow(window=8, stride=4)
    np.testing.assert_array_equal(sw.fit_transform(x), sliding_windows(x, 8, 4).X)
    with pytest.raises(ValueError, match="channels"):
        sw.transform(x[:, :2])
