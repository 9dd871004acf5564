"""Fixed dilated-kernel features of windows: a label-free view of the shapes inside a window.

Every kernel of nine taps that weighs three of them +2 and the other six -1 (84
kernels, each summing to zero, so blind to a window's offset) is run along the
window at dilations spaced evenly on a log scale up to the window's length; each
kernel and dilation sees a fixed random subset of the channels (their sum). A
feature is the share of positions at which that output exceeds one of a few
thresholds, taken once from the training windows' outputs (their quantiles, over
outputs spread evenly across all training windows up to ``THRESHOLD_MAX_WINDOWS``,
so that which windows happened to be drawn hardly moves them). On the
CPU the outputs are computed by numba kernels (:mod:`deeptda._view_kernels`) in a
fixed order, so a share is an exact count that no batch size or thread count can
change; torch computes the same shares on a GPU (a rare output that lies on a
threshold may fall the other way there) and for models saved in format 6, whose
step at each threshold was a steep sigmoid (``soft``). The
share does not depend on where in the window a shape occurs and changes little
when a sample is off, so windows with the same shapes at different places, rates of
noise or spikes stay close; this is the convolutional-kernel transform of
time-series classification (ROCKET, MiniRocket: Dempster et al. 2020, 2021), used
here without labels, as one block of :class:`deeptda.encoders.InputView`.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import torch
from torch import nn

__all__ = ["KernelFeatures", "kernel_bank", "kernel_dilations"]

#: taps per kernel
TAPS = 9
#: thresholds per kernel and dilation (their quantile levels: (j + 0.5) / N_THRESHOLDS); the CPU kernel counts four
N_THRESHOLDS = 4
#: at most this many dilations
MAX_DILATIONS = 8
#: windows longer than this are averaged down first (as the convolutional encoder does)
MAX_LENGTH = 256
#: the thresholds are quantiles of about this many windows' worth of outputs, spread over up to
#: ``THRESHOLD_MAX_WINDOWS`` training windows
THRESHOLD_WINDOWS = 64
#: training windows whose outputs set the thresholds: all of them up to this many, else a seeded sample
THRESHOLD_MAX_WINDOWS = 1024
#: windows whose kernel outputs are held at once while the thresholds are taken
THRESHOLD_CHUNK = 128


def kernel_bank():
    """The 84 kernels, ``(84, 9)``: +2 at three taps, -1 at the other six."""
    taps = list(itertools.combinations(range(TAPS), 3))
    weights = -torch.ones(len(taps), TAPS, dtype=torch.float64)
    for k, chosen in enumerate(taps):
        weights[k, list(chosen)] = 2.0
    return weights


def kernel_dilations(length):
    """Dilations for windows of ``length`` samples (after averaging down): 1 to ``(length - 1) / 8``,
    evenly spaced on a log scale, at most ``MAX_DILATIONS``, without repeats; ``()`` below 9 samples."""
    length = min(int(length), MAX_LENGTH)
    if length < TAPS:
        return ()
    top = math.log2((length - 1) / (TAPS - 1))
    steps = [top * i / (MAX_DILATIONS - 1) for i in range(MAX_DILATIONS)]
    return tuple(sorted({int(2**s) for s in steps}))


@functools.cache
def _plus_taps():
    """Each kernel's three +2 taps, ``(84, 3)``."""
    bank = kernel_bank().numpy()
    return np.argwhere(bank > 0)[:, 1].reshape(len(bank), 3).astype(np.int64)


def _step(length):
    return -(-int(length) // MAX_LENGTH)


class KernelFeatures(nn.Module):
    """``(batch, channels, timepoints)`` windows → ``(batch, n_features)`` shares in [0, 1].

    The channel subsets and thresholds are buffers, filled by :meth:`fit` and saved with
    the network; the kernels and dilations follow from the window shape.
    """

    def __init__(self, input_shape, soft=False):
        super().__init__()
        n_channels, length = int(input_shape[0]), int(input_shape[1])
        self.soft = bool(soft)
        self.step = _step(length)
        self.dilations = kernel_dilations(-(-length // self.step))
        n_kernels = kernel_bank().shape[0]
        self.register_buffer("weights", kernel_bank().float())
        self.register_buffer("channels", torch.ones(len(self.dilations), n_kernels, n_channels))
        self.register_buffer("thresholds", torch.zeros(len(self.dilations), n_kernels, N_THRESHOLDS))

    @property
    def n_features(self):
        return int(self.thresholds.numel())

    def _outputs(self, x, i):
        """Kernel outputs at dilation ``i`` in torch, at every ``d``-th position: ``(batch, 84, ceil(timepoints / d))``.

        A kernel of dilation ``d`` spans ``8 d + 1`` samples, so its output changes little
        from one position to the next: every ``d``-th position gives nearly the same shares
        for ``d`` times less work, and the widest kernels cost no more than the narrowest.
        The path on a GPU and the reference of the CPU kernels in the tests.
        """
        d = self.dilations[i]
        w = self.weights[:, None, :] * self.channels[i][:, :, None]  # (84, channels, 9): a channel subset's sum
        return nn.functional.conv1d(x, w.to(x.dtype), stride=d, padding=4 * d, dilation=d)

    def _short(self, x):
        return nn.functional.avg_pool1d(x, self.step, self.step, ceil_mode=True) if self.step > 1 else x

    def _tables(self):
        """The CPU kernels' arguments: dilations, channel subsets per dilation, each kernel's subset, +2 taps."""
        n_dil, n_kernels, n_channels = self.channels.shape
        channels = self.channels.cpu().numpy() > 0.5
        subsets = np.zeros((n_dil, n_kernels, n_channels), dtype=np.uint8)
        n_subsets = np.zeros(n_dil, dtype=np.int64)
        subset_of = np.zeros((n_dil, n_kernels), dtype=np.int64)
        for i in range(n_dil):
            unique, inverse = np.unique(channels[i], axis=0, return_inverse=True)
            subsets[i, : len(unique)] = unique
            n_subsets[i] = len(unique)
            subset_of[i] = inverse.reshape(-1)
        taps = _plus_taps()
        return np.asarray(self.dilations, dtype=np.int64), subsets, n_subsets, subset_of, taps

    @torch.no_grad()
    def fit(self, X, generator):
        """Draw the channel subsets and take the thresholds from training windows ``X`` (numpy).

        The thresholds are nearest-rank quantiles of the kernel outputs of every training
        window (a seeded sample of ``THRESHOLD_MAX_WINDOWS`` when there are more), of which
        window ``i`` gives the positions ``j`` with ``(i + j) % stride == 0``: about
        ``THRESHOLD_WINDOWS`` windows' worth of outputs in all, spread evenly over the
        windows and over the positions within them. Outputs of one window are alike, so
        quantiles of a few whole windows would follow the draw of those windows (a rare
        behaviour's share of them most of all) and with it the representation and the map
        (``docs/benchmarks.md``, seed stability); spread over every window they are nearly
        the same for every seed, and identical for a set of at most ``THRESHOLD_MAX_WINDOWS``
        single-channel windows.
        """
        n_dil, n_kernels, n_channels = self.channels.shape
        # each channel in a kernel's subset with probability 1/2, at least one channel
        pick = torch.rand(n_dil, n_kernels, n_channels, generator=generator, dtype=torch.float64) < 0.5
        first = torch.randint(n_channels, (n_dil, n_kernels), generator=generator)
        pick[torch.arange(n_dil)[:, None], torch.arange(n_kernels)[None, :], first] = True
        self.channels.copy_(pick.float())
        if len(X) > THRESHOLD_MAX_WINDOWS:
            rows = torch.randperm(len(X), generator=generator)[:THRESHOLD_MAX_WINDOWS].sort().values.numpy()
        else:
            rows = np.arange(len(X))
        outputs = self._spread_outputs(X, rows, max(1, int(round(len(rows) / THRESHOLD_WINDOWS))))
        levels = np.arange(N_THRESHOLDS) + 0.5
        for i, out in enumerate(outputs):
            ranks = np.round(levels / N_THRESHOLDS * (out.shape[1] - 1)).astype(np.int64)  # nearest-rank quantiles
            self.thresholds[i].copy_(torch.from_numpy(np.sort(out, axis=1)[:, ranks]))
        return self

    def _spread_outputs(self, X, rows, stride):
        """Per dilation, an ``(84, k)`` array of kernel outputs of windows ``X[rows]``: window ``i`` of ``rows`` gives
        its positions ``j`` with ``(i + j) % stride == 0``. Taken ``THRESHOLD_CHUNK`` windows at a time."""
        from ._view_kernels import kernel_outputs

        dilations, subsets, n_subsets, subset_of, taps = self._tables()
        parts = [[] for _ in dilations]
        for start in range(0, len(rows), THRESHOLD_CHUNK):
            chunk = torch.as_tensor(X[rows[start : start + THRESHOLD_CHUNK]], dtype=torch.float32)
            short = self._short(chunk).contiguous().numpy()
            index = np.arange(start, start + len(short))[:, None]
            for i, d in enumerate(dilations):
                out = kernel_outputs(short, d, subsets[i], n_subsets[i], subset_of[i], taps)  # (chunk, 84, m)
                keep = (index + np.arange(out.shape[2])[None, :]) % stride == 0
                parts[i].append(out.transpose(1, 0, 2)[:, keep])
        return [np.concatenate(p, axis=1) for p in parts]

    def forward(self, x):
        x = self._short(x)
        if not self.dilations:
            return x.new_zeros(len(x), 0)
        if self.soft or x.device.type != "cpu":
            return self._torch_shares(x)
        return torch.from_numpy(self._cpu_shares(x.detach().to(torch.float32).contiguous().numpy())).to(x.dtype)

    def _cpu_shares(self, x):
        """The shares of windows ``x`` (numpy float32) by the CPU kernels, in the calling thread: torch's
        threads wait busily for a while after each operation, so more threads here would only compete."""
        from ._view_kernels import kernel_shares

        shares = np.empty((len(x), self.n_features), dtype=np.float32)
        kernel_shares(x, *self._tables(), self.thresholds.cpu().numpy(), shares)
        return shares

    def _torch_shares(self, x):
        """The shares in torch: a hard step, or (``soft``, models saved in format 6) a steep sigmoid."""
        shares = []
        for i in range(len(self.dilations)):
            out = self._outputs(x, i)  # (batch, 84, time)
            thresholds = self.thresholds[i].to(out.dtype)
            if self.soft:  # 1/64 of the thresholds' spread wide
                width = ((thresholds[:, -1] - thresholds[:, 0]) / 64).clamp_min(1e-6)[None, :, None]
                per = [
                    torch.sigmoid((out - thresholds[None, :, j, None]) / width).mean(dim=2) for j in range(N_THRESHOLDS)
                ]
            else:
                per = [(out > thresholds[None, :, j, None]).to(out.dtype).mean(dim=2) for j in range(N_THRESHOLDS)]
            shares.append(torch.stack(per, dim=2).flatten(1))  # (batch, 84 * N_THRESHOLDS), kernel-major
        return torch.cat(shares, dim=1)
