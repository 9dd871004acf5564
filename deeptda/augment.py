"""Augmentations for body-worn sensor windows and feature rows.

Every function takes a batch tensor and an explicit ``torch.Generator``, and
returns a new tensor; nothing touches the global random state. Windows are
``(batch, channels, timepoints)``, standardised per channel; rows are
``(batch, features)``.

=========== ============================================================= =========
name        what it does                                                  input
=========== ============================================================= =========
jitter      adds Gaussian noise (``sigma`` in standardised units)         both
scaling     multiplies each channel (feature) by a factor ~ N(1, sigma)   both
rotation    rotates each tri-axial group (channels 0-2, 3-5, ...) by a    windows
            random 3-D rotation of at most ``max_degrees`` (a collar that
            sits differently); skipped when channels are not a multiple of 3
crop        crops a random ``[min_fraction, 1]`` part of the window and   windows
            stretches it back to full length (time shift and tempo change)
mask        sets a random contiguous stretch (windows) or random          both
            features (rows) to 0, the channel median
spikes      adds up to 5 single-sample spikes of up to 10 standardised    windows
            units to a quarter of the windows (sensor glitches, bumps)
=========== ============================================================= =========
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "AUGMENTATIONS",
    "DEFAULT_AUGMENTATIONS",
    "jitter",
    "scaling",
    "rotation",
    "crop",
    "mask",
    "spikes",
    "augment",
]


def jitter(x, generator, sigma=0.1):
    """Add Gaussian noise of standard deviation ``sigma``."""
    return torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device).mul_(sigma).add_(x)


def spikes(x, generator, probability=0.25, max_spikes=5, max_height=10.0):
    """Add single-sample spikes (sensor glitches) to a random ``probability`` of the windows.

    Each chosen window gets up to ``max_spikes`` spikes at random channels and
    times, of random sign and height up to ``max_height`` standardised units.
    """
    if x.ndim != 3:
        return x
    b, c, length = x.shape
    hit = torch.rand((b, 1), generator=generator, device=x.device) < probability
    keep = (torch.rand((b, max_spikes), generator=generator, device=x.device) < 0.6) & hit
    ch = torch.randint(0, c, (b, max_spikes), generator=generator, device=x.device)
    at = torch.randint(0, length, (b, max_spikes), generator=generator, device=x.device)
    height = (2 * torch.rand((b, max_spikes), generator=generator, dtype=x.dtype, device=x.device) - 1) * max_height
    rows = torch.arange(b, device=x.device)[:, None].expand(b, max_spikes)
    out = x.clone()
    out.index_put_(
        (rows.reshape(-1), ch.reshape(-1), at.reshape(-1)), (height * keep.to(x.dtype)).reshape(-1), accumulate=True
    )
    return out


def scaling(x, generator, sigma=0.1):
    """Multiply each channel (or feature) of each sample by a factor ~ N(1, sigma)."""
    shape = (x.shape[0], x.shape[1]) + (1,) * (x.ndim - 2)
    factor = 1 + sigma * torch.randn(shape, generator=generator, dtype=x.dtype, device=x.device)
    return x * factor


def _random_rotations(n, max_radians, generator, dtype, device):
    axis = torch.randn((n, 3), generator=generator, dtype=dtype, device=device)
    axis = axis / axis.norm(dim=1, keepdim=True).clamp_min(1e-12)
    angle = max_radians * torch.rand((n, 1, 1), generator=generator, dtype=dtype, device=device)
    zero = torch.zeros(n, dtype=dtype, device=device)
    k = torch.stack(
        [
            torch.stack([zero, -axis[:, 2], axis[:, 1]], dim=1),
            torch.stack([axis[:, 2], zero, -axis[:, 0]], dim=1),
            torch.stack([-axis[:, 1], axis[:, 0], zero], dim=1),
        ],
        dim=1,
    )
    eye = torch.eye(3, dtype=dtype, device=device).expand(n, 3, 3)
    return eye + torch.sin(angle) * k + (1 - torch.cos(angle)) * (k @ k)


def rotation(x, generator, max_degrees=15.0):
    """Rotate each tri-axial channel group of each window by a small random 3-D rotation."""
    if x.ndim != 3 or x.shape[1] % 3 != 0:
        return x
    b, c, length = x.shape
    groups = c // 3
    rot = _random_rotations(b * groups, math.radians(max_degrees), generator, x.dtype, x.device)
    xg = x.reshape(b * groups, 3, length)
    return torch.bmm(rot, xg).reshape(b, c, length)


def crop(x, generator, min_fraction=0.8):
    """Crop a random part (at least ``min_fraction``) of each window and stretch it to full length."""
    if x.ndim != 3:
        return x
    b, c, length = x.shape
    frac = min_fraction + (1 - min_fraction) * torch.rand((b, 1), generator=generator, dtype=x.dtype, device=x.device)
    start = (1 - frac) * torch.rand((b, 1), generator=generator, dtype=x.dtype, device=x.device)
    grid = torch.linspace(0, 1, length, dtype=x.dtype, device=x.device)[None, :]
    pos = (start + frac * grid) * (length - 1)  # (b, L) fractional sample positions
    # clamped while still floating point (whole numbers, so exact): clamping int64 costs
    # several times more on long windows
    lo_f = pos.floor().clamp_(0, length - 1)
    w = (pos - lo_f)[:, None, :]
    lo = lo_f.long()
    hi = (lo + 1).clamp_(max=length - 1)
    lo = lo[:, None, :].expand(b, c, length)
    hi = hi[:, None, :].expand(b, c, length)
    return torch.gather(x, 2, lo) * (1 - w) + torch.gather(x, 2, hi) * w


def mask(x, generator, fraction=0.1):
    """Zero a random contiguous ``fraction`` of each window, or each feature with probability ``fraction``."""
    if x.ndim == 2:
        keep = torch.rand(x.shape, generator=generator, device=x.device) >= fraction
        return x * keep.to(x.dtype)
    b, _, length = x.shape
    width = max(1, int(round(fraction * length)))
    start = torch.randint(0, length - width + 1, (b, 1), generator=generator, device=x.device)
    t = torch.arange(length, device=x.device)[None, :]
    keep = ~((t >= start) & (t < start + width))
    return x * keep[:, None, :].to(x.dtype)


AUGMENTATIONS = {
    "jitter": jitter,
    "scaling": scaling,
    "rotation": rotation,
    "crop": crop,
    "mask": mask,
    "spikes": spikes,
}
DEFAULT_AUGMENTATIONS = ("jitter", "scaling", "rotation", "crop", "mask", "spikes")


def augment(x, generator, names=DEFAULT_AUGMENTATIONS):
    """Apply the named augmentations in order (one random draw each per sample)."""
    for name in names:
        x = AUGMENTATIONS[name](x, generator)
    return x
