import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from deeptda import PersistenceClustering, clusters_to_bouts, clusters_to_samples, representative_windows, time_budget
from deeptda.cli import main
from deeptda.windows import sliding_windows


def blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [5, 0], [0, 5], [5, 5]])
    y = np.repeat(np.arange(4), 60)
    return centres[y] + rng.normal(0, 0.4, (240, 2)), y


def test_tomato_finds_the_blobs_and_exposes_the_gap():
    X, y = blobs()
    model = PersistenceClustering().fit(X)
    assert model.n_clusters_ == 4
    assert adjusted_rand_score(y, model.labels_) == 1.0
    assert model.gap_[0] > 3 * model.gap_[1]
    assert model.plot() is not None
    fixed = PersistenceClustering(n_clusters=2).fit(X)
    assert fixed.n_clusters_ == 2 and len(set(fixed.labels_)) == 2


def test_clustering_is_deterministic():
    X, y = blobs(1)
    a = PersistenceClustering().fit_predict(X)
    b = PersistenceClustering().fit_predict(X)
    assert np.array_equal(a, b)
    c = PersistenceClustering(random_state=np.random.RandomState(3)).fit_predict(X)
    assert np.array_equal(a, c)  # below max_samples nothing is random but the bootstrap, and the count is stable


@pytest.mark.parametrize(
    "X, match",
    [
        (np.empty((0, 2)), "0 sample"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), "NaN"),
        (np.array([[0.0, 1.0]]), "1 sample"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        PersistenceClustering().fit(X)


def test_bouts_recover_known_boundaries():
    # 25 Hz stream: 40 s lying, 20 s walking, 30 s lying; 2.56 s windows, 1.28 s stride
    fs = 25
    truth = np.repeat(["lying", "walking", "lying"], [40 * fs, 20 * fs, 30 * fs])
    idx = pd.date_range("2026-06-01", periods=len(truth), freq="40ms")
    df = pd.DataFrame({"x": np.zeros(len(truth))}, index=idx)
    w = sliding_windows(df, "2.56s", "1.28s", labels=truth)
    bouts = clusters_to_bouts(w.y, w.start, w.end)
    assert bouts["cluster"].tolist() == ["lying", "walking", "lying"]
    window_s = 2.56
    assert abs((bouts["start"][1] - idx[0]).total_seconds() - 40) <= window_s
    assert abs((bouts["end"][1] - idx[0]).total_seconds() - 60) <= window_s
    assert bouts["duration"].sum() == pytest.approx((w.end[-1] - w.start[0]) / np.timedelta64(1, "s"))


def test_smoother_removes_short_bouts():
    labels = [0] * 10 + [1] + [0] * 10 + [2] * 3 + [0] * 5
    start = np.arange(len(labels), dtype=float)
    raw = clusters_to_bouts(labels, start, start + 1)
    assert len(raw) == 5
    smooth = clusters_to_bouts(labels, start, start + 1, min_duration=4)
    assert smooth["cluster"].tolist() == [0]
    assert (smooth["duration"] >= 4).all()
    kept = clusters_to_bouts(labels, start, start + 1, min_duration=2)
    assert kept["cluster"].tolist() == [0, 2, 0]


def test_bouts_break_at_gaps_and_budget():
    b = clusters_to_bouts([0, 0, 0, 0], [0, 1, 10, 11], [2, 3, 12, 13])
    assert len(b) == 2 and b["end"][0] == 3 and b["start"][1] == 10
    budget = time_budget(b)
    assert budget.loc[0, "duration"] == 6 and budget.loc[0, "fraction"] == 1.0
    with pytest.raises(ValueError, match="empty"):
        clusters_to_bouts([], [], [])


def test_samples_and_representatives():
    assert clusters_to_samples([0, 1, 1], [0, 2, 4], 4, 9).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, -1]
    X, y = blobs()
    reps = representative_windows(X, y, X[:, :, None])
    assert sorted(reps) == [0, 1, 2, 3]
    for label, (i, window) in reps.items():
        assert y[i] == label and window.shape == (2, 1)


@pytest.mark.parametrize("space", ["representation", "map"])
def test_cli_cluster_end_to_end(tmp_path, capsys, space):
    from deeptda.datasets import make_collar_stream

    df = make_collar_stream(duration=400, random_state=0)
    csv = tmp_path / "rec.csv"
    df.reset_index().drop(columns=["behaviour", "event"]).to_csv(csv, index=False)
    out = tmp_path / "cl"
    code = main(
        [
            "cluster",
            str(csv),
            "--out",
            str(out),
            "--timestamp",
            "timestamp",
            "--window",
            "2.56s",
            "--stride",
            "1.28s",
            "--min-bout",
            "10",
            "--epochs",
            "5",
            "--space",
            space,
        ]
    )
    assert code == 0
    bouts = pd.read_csv(out / "bouts.csv")
    assert {"start", "end", "duration", "cluster"} <= set(bouts.columns)
    assert (bouts["duration"] >= 10).all() or len(bouts) == 1
    assert (out / "time_budget.csv").exists() and (out / "timeline.png").exists()
    assert re.search(r"\d+ clusters \(\d+-\d+", capsys.readouterr().out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bootstrap_selection_invents_no_clusters_in_structureless_data(seed):
    rng = np.random.default_rng(seed)
    for X in (rng.normal(size=(500, 2)), rng.uniform(size=(500, 2)), rng.normal(size=(400, 10))):
        assert PersistenceClustering(random_state=0).fit(X).n_clusters_ == 1


def test_gap_selection_splits_structureless_data_where_bootstrap_does_not():
    X = np.random.default_rng(1).uniform(size=(500, 2))
    assert PersistenceClustering(selection="gap").fit(X).n_clusters_ > 1
    model = PersistenceClustering(random_state=0).fit(X)
    assert model.threshold_ > model.prominence_[1]


def test_bootstrap_keeps_touching_modes_of_different_density():
    # two overlapping Gaussians, one wide: one graph component, two significant modes
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.5, (400, 2)), rng.normal((4, 0), 0.8, (400, 2))]
    y = np.repeat([0, 1], 400)
    model = PersistenceClustering(random_state=0).fit(X)
    assert np.isinf(model.prominence_).sum() == 1
    assert model.n_clusters_ == 2
    assert model.prominence_[1] > model.threshold_
    assert adjusted_rand_score(y, model.labels_) > 0.8


def test_bootstrap_is_deterministic_per_seed():
    X, _ = blobs(2)
    a = PersistenceClustering(random_state=3).fit(X[:, :1] + X[:, 1:] * 0.1)
    b = PersistenceClustering(random_state=3).fit(X[:, :1] + X[:, 1:] * 0.1)
    assert a.threshold_ == b.threshold_ and np.array_equal(a.labels_, b.labels_)


def test_fixed_count_below_the_components_merges_components():
    X, y = blobs()
    model = PersistenceClustering().fit(X)
    assert np.isinf(model.prominence_[:4]).all()  # four separate blobs: four components
    two = PersistenceClustering(n_clusters=2).fit(X)
    assert len(set(two.labels_)) == 2
    # merging keeps blobs whole
    assert all(len(set(two.labels_[y == c])) == 1 for c in range(4))


def test_duplicate_points_are_one_cluster():
    # a kNN graph of duplicates is asymmetric; ToMATo gets the symmetric graph
    model = PersistenceClustering(random_state=0).fit(np.zeros((20, 2)))
    assert model.n_clusters_ == 1 and set(model.labels_) == {0}


def test_predict_equals_labels_on_training_points_and_marks_far_points():
    X, y = blobs(2)
    model = PersistenceClustering(random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    np.testing.assert_array_equal(model.fit_predict(X), model.labels_)
    new, y_new = blobs(3)
    assert adjusted_rand_score(y_new, model.predict(new)) == 1.0
    far = model.predict(np.array([[100.0, 100.0], [2.5, -30.0]]))
    assert far.tolist() == [-1, -1]
    assert model.outlier_distance_ > 0
    with pytest.raises(ValueError, match="features"):
        model.predict(np.zeros((3, 3)))


def test_predict_on_a_held_out_half_agrees_with_fitting_the_whole():
    X, y = blobs(4)
    rng = np.random.default_rng(0)
    half = rng.permutation(len(X))[: len(X) // 2]
    rest = np.setdiff1d(np.arange(len(X)), half)
    whole = PersistenceClustering(random_state=0).fit_predict(X)
    part = PersistenceClustering(random_state=0).fit(X[half])
    assert adjusted_rand_score(whole[rest], part.predict(X[rest])) >= 0.95


def test_name_clusters_by_majority_of_labelled_windows():
    from deeptda.bouts import name_clusters

    labels = [0, 0, 0, 1, 1, 2, -1]
    known = ["lying", "lying", "standing", np.nan, "walking", None, "running"]
    assert name_clusters(labels, known) == {0: "lying", 1: "walking", 2: None}
    assert name_clusters([0, 0], ["b", "a"]) == {0: "a"}  # a tie goes to the name that sorts first
    with pytest.raises(ValueError, match="one name .* per window"):
        name_clusters([0, 1], ["a"])


def test_cli_cluster_names_clusters_from_labelled_bouts(tmp_path, capsys):
    from deeptda.datasets import make_collar_stream

    df = make_collar_stream(duration=600, random_state=1)
    df.index = df.index.tz_localize("Europe/Zurich")  # a zone-aware logger export
    csv = tmp_path / "rec.csv"
    df.reset_index().drop(columns=["event"]).to_csv(csv, index=False)
    # a few labelled bouts: the first minute of every behaviour seen
    runs = (df["behaviour"] != df["behaviour"].shift()).cumsum()
    first = df.groupby(runs).head(1)
    labelled = pd.DataFrame(
        {"start": first.index, "end": first.index + pd.Timedelta("60s"), "label": first["behaviour"].to_numpy()}
    ).drop_duplicates("label")
    labels_csv = tmp_path / "bouts.csv"
    labelled.to_csv(labels_csv, index=False)
    out = tmp_path / "cl"
    code = main(
        [
            "cluster",
            str(csv),
            "--out",
            str(out),
            "--timestamp",
            "timestamp",
            "--window",
            "2.56s",
            "--stride",
            "1.28s",
            "--epochs",
            "5",
            "--labels",
            str(labels_csv),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "cluster names from" in captured.out
    assert "deeptda: warning: columns ['behaviour'] are not numeric" in captured.err  # said, not silent
    assert "fitting DeepTDA on" in captured.err  # says what it is doing
    bouts = pd.read_csv(out / "bouts.csv")
    assert "behaviour" in bouts.columns
    named = set(bouts["behaviour"].dropna())
    assert named and named <= set(labelled["label"])
    assert bouts["start"].str.endswith(("+01:00", "+02:00")).all()  # back in the recording's zone
    budget = pd.read_csv(out / "time_budget.csv")
    assert "behaviour" in budget.columns


def test_cli_cluster_names_clusters_from_a_label_column(tmp_path, capsys):
    from deeptda.datasets import load_csv, make_collar_stream
    from deeptda.windows import sliding_windows

    df = make_collar_stream(duration=600, random_state=1).drop(columns=["event"])
    df["behaviour"] = df["behaviour"].astype(object)
    df.iloc[len(df) // 2 :, df.columns.get_loc("behaviour")] = None  # only the first half annotated
    csv = tmp_path / "rec.csv"
    df.reset_index().to_csv(csv, index=False)
    args = ["cluster", str(csv), "--out", str(tmp_path / "cl"), "--timestamp", "timestamp", "--window", "2.56s"]
    args += ["--stride", "1.28s", "--epochs", "5", "--quiet"]
    assert main(args + ["--label", "behaviour"]) == 0
    out = capsys.readouterr().out
    frame = load_csv(csv, timestamp="timestamp", label="behaviour")
    y = sliding_windows(frame, "2.56s", "1.28s", labels="behaviour").y
    labelled = int(pd.Series(y).notna().sum())
    assert 0 < labelled < len(y)
    assert "cluster names from column behaviour: " in out
    assert re.search(rf"agreement with the {labelled} labelled windows: ARI (0\.\d+|1\.000)", out)
    bouts = pd.read_csv(tmp_path / "cl" / "bouts.csv")
    assert set(bouts["behaviour"].dropna()) <= set(df["behaviour"].dropna())
    # one way of naming at a time
    with pytest.raises(SystemExit) as exc:
        main(args + ["--label", "behaviour", "--labels", str(csv)])
    assert exc.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_count_comes_with_its_bootstrap_range():
    X, _ = blobs(6)
    model = PersistenceClustering(random_state=0).fit(X)
    low, high = model.n_clusters_range_
    assert low <= model.n_clusters_ <= high
    assert PersistenceClustering(n_clusters=3).fit(X).n_clusters_range_ == (3, 3)


def test_large_data_is_clustered_on_a_sample_and_predicted():
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [8, 0], [0, 8]])
    y = rng.choice(3, size=30_000, p=[0.6, 0.3, 0.1])
    X = centres[y] + rng.normal(0, 1.0, (len(y), 2))
    model = PersistenceClustering(max_samples=3000, random_state=0).fit(X)
    assert model.n_fit_ == 3000 and model.n_clusters_ == 3
    assert adjusted_rand_score(y, model.labels_) > 0.97
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    again = PersistenceClustering(max_samples=3000, random_state=0).fit(X)
    np.testing.assert_array_equal(again.labels_, model.labels_)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_touching_blobs_of_very_unequal_size_are_two(seed):
    # a behaviour with 5 % of the windows, touching the commonest one
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(0, 0.6, (1900, 2)), rng.normal((3.0, 0), 0.3, (100, 2))]
    y = np.repeat([0, 1], [1900, 100])
    model = PersistenceClustering(random_state=0).fit(X)
    assert model.n_clusters_ == 2
    assert adjusted_rand_score(y, model.labels_) > 0.95


def test_a_small_group_is_not_merged_through_its_rims_edges_into_a_denser_one():
    # three separated 10-D groups of 350, 120 and 30 rows: with sqrt(n) = 22 neighbours the
    # small group's rim points list points of the large one; without the reach rule
    # (REACH_DENSITY) that edge merged the small group on half of these seeds
    found = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        centres = np.eye(3, 10) * 8.0 / np.sqrt(2)
        X = np.concatenate([rng.normal(c, 1.0, (m, 10)) for c, m in zip(centres, (350, 120, 30))])
        found.append(PersistenceClustering(random_state=seed).fit(X).n_clusters_)
    assert found.count(3) >= 5 and max(found) == 3, found


def test_band_over_the_dense_points_is_narrower_than_over_all():
    # the band's supremum over every point is set by the sparse tails; over the densest
    # tenth it is smaller, so well-resolved modes are not merged
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.6, (1900, 2)), rng.normal((3.0, 0), 0.3, (100, 2))]
    dense = PersistenceClustering(random_state=0).fit(X)
    everywhere = PersistenceClustering(band_fraction=1.0, random_state=0).fit(X)
    assert dense.threshold_ < everywhere.threshold_
    assert dense.n_clusters_ >= everywhere.n_clusters_
    assert dense.n_neighbors_ == round(np.sqrt(len(X)))


def islands_within_bouts(seed=0, bout=30, n_bouts=20):
    """Behaviour A (two islands, drawn at random within each of its bouts) alternating with
    behaviour B (one blob) in bouts of ``bout`` windows, in time order."""
    rng = np.random.default_rng(seed)
    behaviour = np.repeat(np.tile([0, 1], n_bouts // 2), bout)
    place = np.where(behaviour == 0, rng.integers(0, 2, len(behaviour)), 2)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 5.0]])
    return centres[place] + rng.normal(0, 0.4, (len(behaviour), 2)), behaviour


def test_islands_that_alternate_within_the_same_bouts_are_one_behaviour():
    X, behaviour = islands_within_bouts()
    alone = PersistenceClustering(random_state=0).fit(X)
    assert alone.n_clusters_ == 3 and alone.n_merged_by_time_ == 0  # three islands by density alone
    model = PersistenceClustering(random_state=0).fit(X, sequence=np.zeros(len(X), dtype=int))
    assert model.n_clusters_ == 2 and model.n_merged_by_time_ == 1
    assert adjusted_rand_score(behaviour, model.labels_) == 1.0
    low, high = model.n_clusters_range_
    assert low <= 2 <= high
    np.testing.assert_array_equal(model.predict(X), model.labels_)  # predict knows the merge
    restored = PersistenceClustering.from_state(*model.get_state())  # as a saved pipeline keeps it
    np.testing.assert_array_equal(restored.predict(X), model.labels_)
    assert restored.n_merged_by_time_ == 1 and restored.n_clusters_ == 2
    again = PersistenceClustering(random_state=0).fit(X, sequence=np.zeros(len(X), dtype=int))
    np.testing.assert_array_equal(again.labels_, model.labels_)
    off = PersistenceClustering(alternation=None, random_state=0).fit(X, sequence=np.zeros(len(X), dtype=int))
    assert off.n_clusters_ == 3


def test_distinct_behaviours_in_bouts_stay_separate():
    # three behaviours in bouts of 5 to 40 windows, in random order: none alternates window by window
    rng = np.random.default_rng(1)
    order = rng.integers(0, 3, 40)
    behaviour = np.repeat(order, rng.integers(5, 40, len(order)))
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 4.0]])
    X = centres[behaviour] + rng.normal(0, 0.4, (len(behaviour), 2))
    model = PersistenceClustering(random_state=0).fit(X, sequence=np.zeros(len(X), dtype=int))
    assert model.n_clusters_ == 3 and model.n_merged_by_time_ == 0
    assert adjusted_rand_score(behaviour, model.labels_) == 1.0


def test_windows_of_different_recordings_are_not_time_neighbours():
    # the same rows, but every window its own recording: nothing is adjacent, nothing merges
    X, _ = islands_within_bouts()
    model = PersistenceClustering(random_state=0).fit(X, sequence=np.arange(len(X)))
    assert model.n_clusters_ == 3 and model.n_merged_by_time_ == 0


def test_merge_by_time_on_a_sample_keeps_predict_consistent():
    X, behaviour = islands_within_bouts(seed=2, n_bouts=40)
    model = PersistenceClustering(max_samples=500, random_state=0).fit(X, sequence=np.zeros(len(X), dtype=int))
    assert model.n_fit_ == 500 and model.n_clusters_ == 2
    assert adjusted_rand_score(behaviour, model.labels_) > 0.99
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_sequence_of_the_wrong_length_is_refused():
    X, _ = blobs()
    with pytest.raises(ValueError, match="one id per row"):
        PersistenceClustering().fit(X, sequence=np.zeros(len(X) - 1))


def high_dimensional_blobs(seed=0):
    """Three blobs that differ in 3 of 40 columns; the other 37 are noise of the same size."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), [150, 100, 50])
    X = rng.normal(0, 1.0, (len(y), 40))
    X[:, :3] += 6.0 * np.eye(3)[y]
    return X, y


def test_wide_rows_are_projected_onto_their_planted_axes():
    from deeptda.cluster import _principal_axes

    # flattened raw windows: 2,000 columns, four planted directions of decreasing spread
    rng = np.random.default_rng(2)
    basis = np.linalg.qr(rng.normal(size=(2000, 4)))[0]
    wide = (rng.normal(size=(600, 4)) * [8.0, 6.0, 4.0, 3.0]) @ basis.T + rng.normal(0, 0.1, (600, 2000))
    mean, axes = _principal_axes(wide, 4)
    assert axes.shape == (4, 2000) and mean.shape == (2000,)
    np.testing.assert_allclose(axes @ axes.T, np.eye(4), atol=1e-8)
    # they span the planted directions, and come in decreasing order of spread
    assert np.linalg.svd(axes @ basis, compute_uv=False).min() > 0.99
    assert np.all(np.diff(((wide - mean) @ axes.T).var(axis=0)) < 0)
    assert _principal_axes(wide[:, :4], 4) is None and _principal_axes(wide, None) is None


def test_many_columns_are_clustered_on_their_leading_axes():
    X, y = high_dimensional_blobs()
    model = PersistenceClustering(random_state=0).fit(X)
    mean, components = model.projection_
    assert components.shape == (4, 40) and model._fit_points_.shape == (len(X), 4)
    assert model.n_clusters_ == 3 and adjusted_rand_score(y, model.labels_) == 1.0
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    # the same as clustering the projected points with every column
    projected = PersistenceClustering(max_dims=None, random_state=0).fit((X - mean) @ components.T)
    np.testing.assert_array_equal(projected.labels_, model.labels_)
    assert projected.projection_ is None
    # a saved model projects new points the same way
    restored = PersistenceClustering.from_state(*model.get_state())
    new, _ = high_dimensional_blobs(seed=1)
    np.testing.assert_array_equal(restored.predict(new), model.predict(new))
    # a state saved before the projection existed keeps every column
    config, arrays = PersistenceClustering(max_dims=None, random_state=0).fit(X).get_state()
    config["params"].pop("max_dims")
    old = PersistenceClustering.from_state(config, arrays)
    assert old.max_dims is None and old.projection_ is None
    every_column = PersistenceClustering(max_dims=None, random_state=0).fit(X)
    np.testing.assert_array_equal(old.predict(X[:20]), every_column.labels_[:20])


def test_a_map_is_not_projected():
    X, _ = blobs()
    model = PersistenceClustering(random_state=0).fit(X)
    assert model.projection_ is None
    np.testing.assert_array_equal(model.labels_, PersistenceClustering(max_dims=None, random_state=0).fit(X).labels_)


def test_merge_by_time_from_streamed_counts_equals_fit_with_sequence():
    # a stream too large to fit at once: fit on a sample, count alternations chunk by chunk in
    # time order, merge from the sums; the same clusters as fit(X, sequence) on the whole stream
    from deeptda.cluster import alternation_counts

    X, behaviour = islands_within_bouts(seed=3, n_bouts=40)
    whole = PersistenceClustering(random_state=0).fit(X, sequence=np.zeros(len(X), dtype=int))
    model = PersistenceClustering(random_state=0).fit(X)
    assert model.n_clusters_ == 3
    n_ids = model.n_clusters_
    joins, sizes = np.zeros((n_ids, n_ids)), np.zeros(n_ids)
    labels = model.predict(X)
    for start in range(0, len(X), 97):
        chunk = labels[start : start + 97]
        run = labels[max(start - 1, 0) : start + 97]  # preceded by the previous chunk's last window
        joins += alternation_counts(run, np.zeros(len(run)), n_ids)[0]
        sizes += alternation_counts(chunk, np.zeros(len(chunk)), n_ids)[1]
    np.testing.assert_array_equal(joins, alternation_counts(labels, np.zeros(len(X)), n_ids)[0])
    model.merge_by_time(joins, sizes)
    assert model.n_clusters_ == whole.n_clusters_ == 2 and model.n_merged_by_time_ == 1
    np.testing.assert_array_equal(model.labels_, whole.labels_)
    np.testing.assert_array_equal(model.predict(X), whole.labels_)
    assert adjusted_rand_score(behaviour, model.labels_) == 1.0
    with pytest.raises(ValueError, match="one entry per cluster"):
        PersistenceClustering(random_state=0).fit(X).merge_by_time(joins[:2, :2], sizes[:2])
    fixed = PersistenceClustering(n_clusters=3, random_state=0).fit(X).merge_by_time(joins, sizes)
    assert fixed.n_clusters_ == 3 and fixed.n_merged_by_time_ == 0


def test_predict_votes_among_the_nearest_training_points():
    from deeptda.cluster import _vote

    labels = np.array([0, 0, 1, 1, 2])
    ind = np.array([[4, 2, 3, 0], [0, 2, 1, 3], [2, 0, 1, 4]])
    dist = np.array([[0.5, 0.6, 0.7, 0.8], [0.1, 0.2, 0.3, 0.4], [0.0, 0.2, 0.3, 0.4]])
    # the nearest point's cluster (2) loses to the majority (1); a tie goes to the lower id;
    # a point that is a training point keeps that point's cluster
    assert _vote(dist, ind, labels, outlier_distance=1.0).tolist() == [1, 0, 1]
    assert _vote(dist + 2.0, ind, labels, outlier_distance=1.0).tolist() == [-1, -1, -1]
    noise = np.array([-1, -1, -1, -1, 2])
    assert _vote(dist, ind, noise, outlier_distance=1.0).tolist() == [2, -1, -1]


def test_predict_follows_the_majority_at_a_border_point():
    # a new point whose single nearest training point is an isolated member of the other cluster
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.3, (200, 2)), rng.normal(3, 0.3, (200, 2))]
    model = PersistenceClustering(random_state=0).fit(X)
    assert model.n_clusters_ == 2
    left = model.labels_[0]
    state, arrays = model.get_state()
    arrays = dict(arrays, points=np.r_[arrays["points"], [[0.2, 0.2]]], labels=np.r_[arrays["labels"], 1 - left])
    moved = PersistenceClustering.from_state(state, arrays)
    assert moved.predict(np.array([[0.21, 0.2]]))[0] == left
    assert moved.predict(np.array([[0.2, 0.2]]))[0] == 1 - left
