import math

import numpy as np
import pytest
import torch

from deeptda import augment as A


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture
def windows():
    return torch.randn((64, 6, 50), generator=gen(1))


@pytest.mark.parametrize("name", sorted(A.AUGMENTATIONS))
def test_each_augmentation_keeps_shape_dtype_and_follows_its_generator(name, windows):
    fn = A.AUGMENTATIONS[name]
    state = torch.random.get_rng_state()
    a = fn(windows, gen(3))
    b = fn(windows, gen(3))
    assert a.shape == windows.shape and a.dtype == windows.dtype
    assert torch.equal(a, b)
    assert not torch.equal(a, windows)
    assert torch.equal(torch.random.get_rng_state(), state)  # the global generator is untouched


def test_rotation_preserves_the_norm_of_each_triaxial_sample(windows):
    out = A.rotation(windows, gen(), max_degrees=30)
    for g in range(2):
        before = windows[:, 3 * g : 3 * g + 3].norm(dim=1)
        after = out[:, 3 * g : 3 * g + 3].norm(dim=1)
        torch.testing.assert_close(after, before, rtol=1e-5, atol=1e-5)
    angle = torch.rad2deg(
        torch.acos(torch.nn.functional.cosine_similarity(windows[:, :3], out[:, :3], dim=1).clamp(-1, 1))
    )
    assert angle.max() <= 30 + 1e-3
    assert A.rotation(windows[:, :4], gen()).equal(windows[:, :4])  # not tri-axial: unchanged


def test_crop_of_full_length_is_identity_and_stretches_otherwise():
    ramp = torch.arange(20, dtype=torch.float32).repeat(2, 1, 1)
    torch.testing.assert_close(A.crop(ramp, gen(), min_fraction=1.0), ramp)
    out = A.crop(ramp, gen(), min_fraction=0.5)
    slope = (out[:, 0, -1] - out[:, 0, 0]) / 19
    assert ((slope >= 0.5 - 1e-6) & (slope <= 1 + 1e-6)).all()


def test_mask_zeroes_one_stretch_per_window(windows):
    out = A.mask(windows, gen(), fraction=0.2)
    zeroed = (out == 0).all(dim=1)
    assert (zeroed.sum(dim=1) == 10).all()
    starts = zeroed.float().argmax(dim=1)
    for row, s in zip(zeroed, starts):
        assert row[s : s + 10].all()


def test_spikes_touch_only_a_fraction_of_windows_at_single_samples():
    x = torch.zeros((4000, 3, 40))
    out = A.spikes(x, gen(), probability=0.25, max_spikes=5, max_height=10.0)
    hit = (out != 0).flatten(1).any(dim=1).float().mean().item()
    assert math.isclose(hit, 0.25 * (1 - 0.4**5), abs_tol=0.03)
    per_window = (out != 0).flatten(1).sum(dim=1)
    assert per_window.max() <= 5
    assert out.abs().max() <= 10.0 * 5  # spikes may land on the same sample
    rows = torch.randn(10, 7)
    assert A.spikes(rows, gen()).equal(rows)  # rows are not windows: unchanged


def test_jitter_and_scaling_have_the_documented_size():
    x = torch.ones((20000, 2))
    assert math.isclose((A.jitter(x, gen(), sigma=0.3) - x).std().item(), 0.3, rel_tol=0.02)
    factors = A.scaling(torch.ones((20000, 2, 5)), gen(), sigma=0.2)
    assert (factors == factors[:, :, :1]).all()  # one factor per channel
    assert math.isclose(factors[:, :, 0].std().item(), 0.2, rel_tol=0.03)


def test_augment_applies_named_augmentations_in_order(windows):
    out = A.augment(windows, gen(5), ("jitter", "mask"))
    ref = A.mask(A.jitter(windows, (g := gen(5))), g)
    assert torch.equal(out, ref)
    assert set(A.DEFAULT_AUGMENTATIONS) <= set(A.AUGMENTATIONS)
    assert np.all([callable(f) for f in A.AUGMENTATIONS.values()])
