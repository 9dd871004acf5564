"""The fault model of the generalisation suite and the Spheres set: each fault does what it says, seeded."""

import numpy as np
import pytest

from deeptda.datasets import FAULT_KINDS, add_faults, make_spheres


@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 4 * np.pi, 64)
    return np.sin(t)[None, None, :] * rng.uniform(0.5, 2, (400, 3, 1)) + rng.normal(0, 0.1, (400, 3, 64))


def test_noise_alone_has_the_asked_snr(windows):
    out = add_faults(windows, spike_fraction=0, corrupt_fraction=0, random_state=1)
    noise = out - windows
    for c in range(3):
        snr = 10 * np.log10(windows[:, c].var() / noise[:, c].var())
        assert snr == pytest.approx(10.0, abs=0.15)


def test_spikes_hit_the_asked_share_of_samples_at_the_asked_height(windows):
    out = add_faults(windows, snr_db=None, corrupt_fraction=0, spike_fraction=0.01, spike_sd=8, random_state=2)
    jump = out - windows
    hit = np.abs(jump) > 1e-5
    assert hit.mean() == pytest.approx(0.01, rel=0.1)
    std = windows.transpose(1, 0, 2).reshape(3, -1).std(axis=1)
    heights = np.abs(jump) / std[None, :, None]
    np.testing.assert_allclose(heights[hit], 8.0, rtol=1e-4)


def test_whole_window_faults_do_what_their_names_say(windows):
    out, kinds = add_faults(
        windows, snr_db=None, spike_fraction=0, corrupt_fraction=0.2, clip_sd=0.5, random_state=3, return_kinds=True
    )
    assert (kinds != "").sum() == 80 and set(kinds) - {""} == set(FAULT_KINDS)
    untouched = kinds == ""
    np.testing.assert_allclose(out[untouched], windows[untouched], rtol=1e-6)
    flat = windows.transpose(1, 0, 2).reshape(3, -1)
    median, std = np.median(flat, axis=1), flat.std(axis=1)
    for r in np.flatnonzero(kinds == "dropout"):
        zero = np.all(out[r] == 0, axis=0)
        assert 0.2 * 64 <= zero.sum() <= 0.8 * 64
        run = np.flatnonzero(zero)
        assert np.all(np.diff(run) == 1)  # one contiguous stretch
    for r in np.flatnonzero(kinds == "saturation"):
        assert np.all(out[r] <= (median + 0.5 * std)[:, None] + 1e-5)
        assert np.all(out[r] >= (median - 0.5 * std)[:, None] - 1e-5)
    for r in np.flatnonzero(kinds == "noise"):
        assert abs(np.corrcoef(out[r].ravel(), windows[r].ravel())[0, 1]) < 0.4


def test_seeded_and_input_untouched(windows):
    before = windows.copy()
    a = add_faults(windows, random_state=5)
    b = add_faults(windows, random_state=5)
    c = add_faults(windows, random_state=6)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(windows, before)
    assert a.dtype == np.float32 and a.shape == windows.shape


def test_rows_get_the_same_faults():
    X = np.random.default_rng(0).normal(size=(300, 8))
    out, kinds = add_faults(X, random_state=0, return_kinds=True)
    assert out.shape == X.shape and (kinds != "").sum() == 15
    for r in np.flatnonzero(kinds == "dropout"):
        assert (out[r] == 0).any()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(X=np.zeros((0, 3))), "n >= 1"),
        (dict(X=np.zeros(5)), "windows"),
        (dict(X=np.full((4, 3), np.nan)), "finite"),
        (dict(X=np.zeros((4, 3)), corrupt_fraction=1.5), "corrupt_fraction"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        add_faults(**kwargs)


def test_spheres_nest_ten_small_spheres_in_a_large_one():
    X, y = make_spheres(1100, random_state=0)
    assert X.shape == (1100, 101) and np.bincount(y).tolist() == [55] * 10 + [550]
    outer = X[y == 10]
    np.testing.assert_allclose(np.linalg.norm(outer, axis=1), 25.0, rtol=1e-5)
    for k in range(10):
        pts = X[y == k]
        centre = pts.mean(axis=0)
        assert np.linalg.norm(centre) < 25.0
        np.testing.assert_allclose(np.linalg.norm(pts - centre, axis=1), 5.0, rtol=0.5)
    X2, _ = make_spheres(1100, random_state=0)
    assert np.array_equal(X, X2)
