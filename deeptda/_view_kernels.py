"""Kernels of the dilated-kernel features on the CPU (:mod:`deeptda.kernel_features`).

Kernels only: contiguous arrays in, no validation. A kernel of dilation ``d``
read at every ``d``-th position only ever reads every ``d``-th sample, so each
window is first thinned to those samples; a kernel that weighs three taps +2 and
six -1 gives ``3 * (three taps' sum) - (nine taps' sum)``, and the channels it
sees are summed once per distinct channel subset, not once per kernel. Windows
are taken a block at a time, the block innermost, so every loop that counts is a
vector loop over windows whatever the window's length. Every output is the same
float32 expression, evaluated in a fixed order, whether it sets a threshold
(:func:`kernel_outputs`) or is counted (:func:`kernel_shares`), so a window gets
the same shares in any batch and with any number of threads.
"""

import numpy as np
from numba import njit

#: windows per block: the length of the vector loops
BLOCK = 64


@njit(cache=True, nogil=True)
def _block_series(x, d, subsets, n_subsets, series, nine):
    """Every ``d``-th sample of the windows ``x`` ``(block, channels, length)``, summed over each channel subset.

    ``subsets[s]`` are the 0/1 channel weights of subset ``s < n_subsets``.
    ``series[s, 4 + j, w]`` receives the subset's sum at sample ``j * d`` of window
    ``w`` (zero at the four padding positions at each end) and ``nine[s, j, w]``
    the sum of its nine taps at output ``j``: the sum over the subset's channels
    of each channel's nine taps. Rows ``n_subsets`` to ``n_subsets + channels``
    hold the channels themselves (scratch: the arrays must have room for them).
    """
    nb, n_channels, length = x.shape
    m = (length + d - 1) // d
    for c in range(n_channels):
        row, total = series[n_subsets + c], nine[n_subsets + c]
        for j in range(m + 8):
            for w in range(nb):
                row[j, w] = 0.0
        for j in range(m):
            for w in range(nb):
                row[j + 4, w] = x[w, c, j * d]
        for j in range(m):
            for w in range(nb):
                total[j, w] = 0.0
            for t in range(9):
                tap = row[j + t]
                for w in range(nb):
                    total[j, w] += tap[w]
    for s in range(n_subsets):
        row, total = series[s], nine[s]
        for j in range(m + 8):
            for w in range(nb):
                row[j, w] = 0.0
        for j in range(m):
            for w in range(nb):
                total[j, w] = 0.0
        for c in range(n_channels):
            if subsets[s, c]:
                channel, channel_total = series[n_subsets + c], nine[n_subsets + c]
                for j in range(m + 8):
                    for w in range(nb):
                        row[j, w] += channel[j, w]
                for j in range(m):
                    for w in range(nb):
                        total[j, w] += channel_total[j, w]


@njit(cache=True, nogil=True)
def kernel_outputs(x, d, subsets, n_subsets, subset_of, taps):
    """Outputs at dilation ``d`` of every window of ``x`` ``(n, channels, length)``: ``(n, 84, m)`` float32.

    ``subset_of[k]`` is the channel subset of kernel ``k``, ``taps[k]`` its three
    +2 taps; ``m = ceil(length / d)``.
    """
    n, n_channels, length = x.shape
    m = (length + d - 1) // d
    rows = subsets.shape[0] + n_channels
    series = np.empty((rows, m + 8, BLOCK), dtype=np.float32)
    nine = np.empty((rows, m, BLOCK), dtype=np.float32)
    out = np.empty((n, taps.shape[0], m), dtype=np.float32)
    three = np.float32(3.0)
    for start in range(0, n, BLOCK):
        block = x[start : start + BLOCK]
        nb = block.shape[0]
        _block_series(block, d, subsets, n_subsets, series, nine)
        for k in range(taps.shape[0]):
            s = subset_of[k]
            for j in range(m):
                first, second, third = series[s, j + taps[k, 0]], series[s, j + taps[k, 1]], series[s, j + taps[k, 2]]
                total = nine[s, j]
                for w in range(nb):
                    out[start + w, k, j] = three * (first[w] + second[w] + third[w]) - total[w]
    return out


@njit(cache=True, nogil=True)
def kernel_shares(x, dilations, subsets, n_subsets, subset_of, taps, thresholds, shares):
    """Share of positions above each of four thresholds, for every window of ``x`` ``(n, channels, length)``.

    ``subsets`` ``(n_dilations, max_subsets, channels)``, ``n_subsets`` and
    ``subset_of`` ``(n_dilations, 84)`` per dilation; ``thresholds``
    ``(n_dilations, 84, 4)``; ``shares`` ``(n, n_dilations * 84 * 4)`` float32
    receives the shares, dilation-major, then kernel, then threshold.
    """
    n, n_channels, length = x.shape
    n_kernels = taps.shape[0]
    rows = subsets.shape[1] + n_channels
    series = np.empty((rows, length + 8, BLOCK), dtype=np.float32)
    nine = np.empty((rows, length, BLOCK), dtype=np.float32)
    c0, c1, c2, c3 = (
        np.empty(BLOCK, np.int32),
        np.empty(BLOCK, np.int32),
        np.empty(BLOCK, np.int32),
        np.empty(BLOCK, np.int32),
    )
    three = np.float32(3.0)
    for start in range(0, n, BLOCK):
        block = x[start : start + BLOCK]
        nb = block.shape[0]
        for i in range(dilations.shape[0]):
            d = dilations[i]
            m = (length + d - 1) // d
            _block_series(block, d, subsets[i], n_subsets[i], series, nine)
            for k in range(n_kernels):
                s = subset_of[i, k]
                t0, t1, t2, t3 = thresholds[i, k, 0], thresholds[i, k, 1], thresholds[i, k, 2], thresholds[i, k, 3]
                for w in range(nb):
                    c0[w] = c1[w] = c2[w] = c3[w] = 0
                for j in range(m):
                    first, second, third = (
                        series[s, j + taps[k, 0]],
                        series[s, j + taps[k, 1]],
                        series[s, j + taps[k, 2]],
                    )
                    total = nine[s, j]
                    for w in range(nb):  # the vector loop
                        v = three * (first[w] + second[w] + third[w]) - total[w]
                        c0[w] += v > t0
                        c1[w] += v > t1
                        c2[w] += v > t2
                        c3[w] += v > t3
                base = (i * n_kernels + k) * 4
                for w in range(nb):
                    shares[start + w, base] = np.float32(c0[w] / m)
                    shares[start + w, base + 1] = np.float32(c1[w] / m)
                    shares[start + w, base + 2] = np.float32(c2[w] / m)
                    shares[start + w, base + 3] = np.float32(c3[w] / m)


@njit(cache=True, nogil=True)
def centred_shares(shares, mean, scale, centre, out):
    """``out = float64((shares - mean) / scale - centre)``, each step rounded to float32 as torch's
    elementwise operations round it, in one pass (the projection's input, :class:`deeptda.encoders.InputView`)."""
    n, p = shares.shape
    for i in range(n):
        for j in range(p):
            standard = np.float32(np.float32(shares[i, j] - mean[j]) / scale[j])
            out[i, j] = np.float64(np.float32(standard - centre[j]))
