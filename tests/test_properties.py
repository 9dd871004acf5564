"""Property-based tests (Hypothesis): windows, 0-dim persistence, save/load."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deeptda import DeepTDA, sliding_windows
from deeptda.topology import zero_dim_pairs

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def streams(draw):
    n = draw(st.integers(2, 120))
    length = draw(st.integers(1, n))
    stride = draw(st.integers(1, 2 * length))
    partial = draw(st.sampled_from(["drop", "pad"]))
    n_labels = draw(st.integers(1, 3))
    labels = draw(st.lists(st.integers(0, n_labels - 1), min_size=n, max_size=n))
    return n, length, stride, partial, np.asarray(labels)


@FAST
@given(streams())
def test_every_sample_is_covered_as_often_as_the_grid_says(params):
    n, length, stride, partial, labels = params
    w = sliding_windows(np.arange(n, dtype=float), length, stride, partial=partial, labels=labels)
    starts = w.start_index
    # the grid: every stride, the last window complete ("drop") or reaching the end ("pad")
    full = np.arange(0, n - length + 1, stride)
    grid = np.arange(0, n, stride)
    expected = full if partial == "drop" else np.r_[full, grid[grid + length > n][:1]]
    np.testing.assert_array_equal(starts, expected)
    coverage = np.zeros(n, dtype=int)
    for s, window in zip(starts, w.X[:, 0]):
        idx = np.minimum(np.arange(s, s + length), n - 1)  # padding repeats the last sample
        np.testing.assert_array_equal(window, idx)
        coverage[s : min(s + length, n)] += 1
    brute = np.array([sum(s <= i < s + length for s in starts) for i in range(n)])
    np.testing.assert_array_equal(coverage, brute)
    # majority labels: the most frequent label in the window, ties to the smallest
    for s, label in zip(starts, w.y):
        counts = np.bincount(labels[s : s + length], minlength=labels.max() + 1)
        assert label == int(np.argmax(counts))


@FAST
@given(
    st.integers(20, 150), st.integers(1, 5), st.lists(st.integers(1, 148), max_size=4, unique=True), st.integers(2, 10)
)
def test_no_window_spans_a_gap(n, stride, gap_at, length):
    t = np.arange(n, dtype=float)
    for g in gap_at:
        if g < n:
            t[g:] += 10.0  # a gap of 10 sampling intervals after sample g - 1
    length = min(length, n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            w = sliding_windows(np.arange(n, dtype=float), length, stride, timestamp=t)
        except ValueError as exc:  # every window would span a gap, or too much of it is gaps
            assert "no window fits" in str(exc) or "sampling interval changes" in str(exc)
            return
    assert (w.n_dropped > 0) == any("dropped" in str(c.message) for c in caught)  # drops are reported
    for s in w.start_index:
        assert np.diff(t[s : s + length]).max(initial=0) <= 1.0
    grid = np.arange(0, n - length + 1, stride)
    assert len(w.start_index) + w.n_dropped == len(grid)


def _prim_reference(P):
    """O(n^2) Prim's algorithm in plain Python; the sorted MST edge lengths."""
    n = len(P)
    D = np.sqrt(((P[:, None, :] - P[None, :, :]) ** 2).sum(-1))
    in_tree = np.zeros(n, bool)
    in_tree[0] = True
    best = D[0].copy()
    deaths = []
    for _ in range(n - 1):
        j = int(np.argmin(np.where(in_tree, np.inf, best)))
        deaths.append(best[j])
        in_tree[j] = True
        best = np.minimum(best, D[j])
    return np.sort(deaths)


points = st.integers(2, 40).flatmap(
    lambda n: st.sampled_from(["random", "grid", "duplicates"]).map(lambda kind: (n, kind))
)


@FAST
@given(points, st.integers(0, 2**31 - 1))
def test_zero_dim_deaths_equal_a_reference_prim(shape, seed):
    n, kind = shape
    rng = np.random.default_rng(seed)
    if kind == "random":
        P = rng.normal(size=(n, 3))
    elif kind == "grid":  # many tied distances
        P = rng.integers(0, 3, size=(n, 2)).astype(float)
    else:  # duplicate points
        P = np.repeat(rng.normal(size=(max(1, n // 3), 2)), 3, axis=0)[:n]
        if len(P) < 2:
            P = np.zeros((2, 2))
    pairs = zero_dim_pairs(P)
    np.testing.assert_allclose(pairs.deaths, _prim_reference(P), atol=1e-12)
    assert np.all(np.diff(pairs.deaths) >= 0)
    # the edges form a spanning tree whose lengths are the deaths
    np.testing.assert_allclose(np.linalg.norm(P[pairs.edges[:, 0]] - P[pairs.edges[:, 1]], axis=1), pairs.deaths)
    parent = list(range(len(P)))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    for u, v in pairs.edges:
        ru, rv = find(u), find(v)
        assert ru != rv  # no cycle
        parent[ru] = rv


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    n_components=st.integers(1, 3),
    latent_dim=st.sampled_from([4, 16]),
    topo_weight=st.sampled_from([0.0, 3.0]),
    n_neighbors=st.integers(2, 10),
    windows=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_any_fitted_model_round_trips_bit_for_bit(
    tmp_path, n_components, latent_dim, topo_weight, n_neighbors, windows, seed
):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 2, 12) if windows else (30, 5)).astype(np.float32)
    model = DeepTDA(
        n_components=n_components,
        latent_dim=latent_dim,
        topo_weight=topo_weight,
        n_neighbors=n_neighbors,
        n_epochs=1,
        map_epochs=1,
        random_state=seed,
    ).fit(X)
    path = tmp_path / f"m{seed}.pt"
    model.save(path)
    loaded = DeepTDA.load(path)
    assert loaded.get_params() == model.get_params() | {"device": "auto"}
    np.testing.assert_array_equal(loaded.embedding_, model.embedding_)
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(loaded.representation(X), model.representation(X))
