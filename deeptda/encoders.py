"""Small torch modules: a 1-D convolutional encoder for windows, an MLP for
rows, the contrastive projection head and the 2-D map head."""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["ConvEncoder", "MLPEncoder", "FlattenEncoder", "MapHead", "ProjectionHead", "DeepTDANet", "init_parameters"]


class ConvEncoder(nn.Module):
    """1-D CNN for windows ``(batch, channels, timepoints)`` → ``(batch, latent_dim)``.

    Three convolutions (kernel 7, 5, 3; the last two with stride 2), GroupNorm
    and GELU, then mean, max and standard-deviation pooling over time, so the
    representation does not depend on where in the window a motion happens.
    """

    def __init__(self, in_channels, latent_dim=64, width=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(in_channels, width, 7, padding=3), nn.GroupNorm(4, width), nn.GELU(),
            nn.Conv1d(width, 2 * width, 5, stride=2, padding=2), nn.GroupNorm(4, 2 * width), nn.GELU(),
            nn.Conv1d(2 * width, 2 * width, 3, stride=2, padding=1), nn.GroupNorm(4, 2 * width), nn.GELU(),
        )
        self.out = nn.Linear(6 * width + 2 * in_channels, latent_dim)

    def forward(self, x):
        h = self.net(x)
        raw = torch.cat(_mean_std(x), dim=1)  # posture and energy
        mean, std = _mean_std(h)
        pooled = torch.cat([mean, h.amax(dim=2), std, raw], dim=1)
        return self.out(pooled)


def _mean_std(h):
    """Mean and (population) standard deviation over the last axis.

    Two passes of elementwise ops: on CPU ``torch.std`` over a short axis was
    15x slower and took a third of ``transform``. The small floor keeps the
    gradient finite where a channel is constant over the window.
    """
    mean = h.mean(dim=2)
    var = (h - mean.unsqueeze(2)).square().mean(dim=2)
    return mean, torch.sqrt(var + 1e-12)


class MLPEncoder(nn.Module):
    """MLP for feature rows ``(batch, features)`` → ``(batch, latent_dim)``."""

    def __init__(self, in_features, latent_dim=64, width=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, width), nn.GELU(),
            nn.Linear(width, width), nn.GELU(),
            nn.Linear(width, latent_dim),
        )

    def forward(self, x):
        return self.net(x)


class FlattenEncoder(nn.Module):
    """Feed flattened windows to a row encoder (``encoder="mlp"`` on 3-D input)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x.flatten(1))


class ProjectionHead(nn.Module):
    """The contrastive projection (SimCLR): used in training only."""

    def __init__(self, latent_dim, out_dim=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(latent_dim, latent_dim), nn.GELU(), nn.Linear(latent_dim, out_dim))

    def forward(self, z):
        return self.net(z)


class MapHead(nn.Module):
    """The parametric map from the representation to ``n_components`` dimensions."""

    def __init__(self, latent_dim, n_components=2, width=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(latent_dim, width), nn.GELU(),
            nn.Linear(width, width), nn.GELU(),
            nn.Linear(width, n_components),
        )

    def forward(self, z):
        return self.net(z)


class DeepTDANet(nn.Module):
    """Encoder, its fixed standardisation of the representation, and the map head."""

    def __init__(self, encoder, latent_dim, n_components):
        super().__init__()
        self.encoder = encoder
        self.projection = ProjectionHead(latent_dim)
        self.head = MapHead(latent_dim, n_components)
        self.register_buffer("z_center", torch.zeros(latent_dim))
        self.register_buffer("z_scale", torch.ones(()))

    def represent(self, x):
        """Standardised representation used for the neighbour graph and the map."""
        return (self.encoder(x) - self.z_center) / self.z_scale

    def forward(self, x):
        return self.head(self.represent(x))


def init_parameters(module, generator):
    """(Re)initialise every Linear/Conv layer from ``generator`` (PyTorch's default scheme).

    PyTorch initialises layers from the global random state; re-drawing them
    from an explicit generator keeps ``random_state`` the only source of randomness.
    """
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d)):
            nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
            if m.bias is not None:
                fan_in = m.weight[0].numel()
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                nn.init.uniform_(m.bias, -bound, bound, generator=generator)
    return module
