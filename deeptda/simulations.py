"""A configurable wearable simulator, for testing on data the defaults were not chosen on.

:func:`make_wearable_stream` draws a whole family of recordings from one seed:
its behaviours (posture, rhythm, amplitude) are random, not a fixed list, and
the recording's rate, channels, sensor faults and class balance are
parameters. It is synthetic, not a recording. The model:

* **Behaviours.** Each has a posture (a gravity direction in the sensor
  frame) and a motion: rest (postural sway only), a rhythm (a fundamental
  between 0.4 and 3.5 Hz with random harmonics) or bursts (short impulses at
  random intervals, as in foraging or grooming). Two behaviours may share a
  posture and differ only in motion, or share a motion and differ in posture.
* **Balance.** Time shares fall geometrically from the commonest behaviour to
  the rarest; ``imbalance`` is their ratio (20: the rarest gets about 3 % of
  the time with 6 behaviours).
* **Bouts.** Behaviours alternate in bouts of log-normal duration; every bout
  has its own pace and intensity (±15 % and ±25 %), so bouts of one behaviour
  differ as real ones do, and rate and amplitude drift slowly within a bout.
  Consecutive bouts cross-fade over ``transition`` seconds (gradual
  transitions); the label switches half-way.
* **Sensor.** A fixed random mounting rotation (``rotation`` degrees), a slow
  roll drift, white noise, saturation (``clip`` g) and quantisation
  (``bits`` over the clipping range). Channels: 1 (the acceleration norm),
  2-3 (accelerometer axes), up to 9 (plus angular-rate-like channels, the
  derivative of the dynamic part, and a magnetometer-like field that turns
  with the posture).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_wearable_stream", "make_wearable_windows"]


def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def _rotate(v, axis, angle):
    """Rotate rows of ``v`` (n, 3) about ``axis`` by ``angle`` (n,) radians (Rodrigues)."""
    k = _unit(axis)
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return v * c + np.cross(k, v) * s + k * (v @ k)[:, None] * (1 - c)


def _slow(n, fs, rng, tau):
    from scipy.signal import lfilter

    rho = float(np.exp(-1.0 / (tau * fs)))
    w = rng.standard_normal(n)
    w[0] /= np.sqrt(1 - rho ** 2)
    return lfilter([np.sqrt(1 - rho ** 2)], [1.0, -rho], w)


def _behaviours(n, rng):
    """Random behaviour specifications: posture, motion kind, rate, amplitude, bout length."""
    postures = [_unit(rng.normal(size=3) + [0, 0, 2.0]) for _ in range(max(2, (n + 1) // 2))]
    kinds = ["rest"] + ["rhythm", "bursts"] * n
    specs = []
    for i in range(n):
        kind = kinds[i]
        specs.append({
            "name": f"behaviour_{i}",
            "gravity": postures[rng.integers(len(postures))] if i else postures[0],
            "kind": kind,
            "freq": float(rng.uniform(0.4, 3.5)),
            "harmonics": rng.uniform(0, 0.6, size=2),
            "amp": float(0.01 if kind == "rest" else rng.uniform(0.05, 0.6)),
            "axis": _unit(rng.normal(size=3)),
            "bout_s": float(rng.uniform(20, 200)),
        })
    return specs


def _motion(spec, n, fs, rng):
    """Dynamic acceleration (n, 3) of one bout."""
    pace = float(rng.uniform(0.85, 1.15))
    amp = spec["amp"] * float(rng.uniform(0.75, 1.25)) * np.exp(0.15 * _slow(n, fs, rng, 8.0))
    direction = _unit(spec["axis"] + 0.2 * rng.normal(size=3))
    side = _unit(np.cross(direction, rng.normal(size=3)))
    if spec["kind"] == "rest":
        sway = np.stack([_slow(n, fs, rng, 2.0) for _ in range(3)], axis=1)
        return 0.3 * spec["amp"] * sway
    if spec["kind"] == "rhythm":
        f = spec["freq"] * pace * np.exp(0.06 * _slow(n, fs, rng, 8.0))
        phase = 2 * np.pi * np.cumsum(f) / fs + rng.uniform(0, 2 * np.pi)
        h1, h2 = spec["harmonics"]
        main = np.sin(phase) + h1 * np.sin(2 * phase + 1.0) + h2 * np.sin(3 * phase + 2.0)
        return amp[:, None] * (np.outer(main, direction) + 0.4 * np.outer(np.sin(phase / 2), side))
    # bursts: impulses at random intervals around 1 / freq seconds
    out = np.zeros(n)
    t = 0.0
    width = max(1, int(0.08 * fs))
    pulse = np.hanning(2 * width + 1)
    while t < n / fs:
        at = int(t * fs)
        lo, hi = max(0, at - width), min(n, at + width + 1)
        out[lo:hi] += pulse[lo - (at - width):hi - (at - width)] * float(rng.uniform(0.5, 1.5))
        t += float(rng.exponential(1.0 / (spec["freq"] * pace)))
    return amp[:, None] * np.outer(out, direction)


def make_wearable_stream(duration=3600.0, sampling_rate=25.0, *, n_behaviours=5, n_channels=3, imbalance=20.0,
                         transition=2.0, rotation=30.0, clip=4.0, bits=12, noise=0.02,
                         start="2026-06-01 06:00:00", random_state=0):
    """A seeded synthetic wearable accelerometer recording with labelled behaviours.

    See the module docstring for the model. Different seeds give different
    behaviours, not only different noise.

    Parameters
    ----------
    duration : float, default=3600.0
        Seconds.
    sampling_rate : float, default=25.0
        Samples per second.
    n_behaviours : int, default=5
    n_channels : int, default=3
        1 to 9.
    imbalance : float, default=20.0
        Ratio of the commonest behaviour's time share to the rarest's.
    transition : float, default=2.0
        Cross-fade between bouts, in seconds (0: abrupt).
    rotation : float, default=30.0
        Angle of the random sensor mounting, in degrees.
    clip : float or None, default=4.0
        Saturation of the sensor, in g.
    bits : int or None, default=12
        Quantisation over ``[-clip, clip]``.
    noise : float, default=0.02
        White sensor noise, in g.
    start : str, default="2026-06-01 06:00:00"
    random_state : int, default=0

    Returns
    -------
    DataFrame
        ``DatetimeIndex`` named ``timestamp``; channels ``c0 ... c{n-1}``
        (float64) and ``behaviour`` (str).

    Examples
    --------
    >>> df = make_wearable_stream(600, n_behaviours=4, n_channels=6, random_state=1)
    >>> df.shape[1], df["behaviour"].nunique() <= 4
    (7, True)
    """
    if duration <= 0 or sampling_rate <= 0:
        raise ValueError("duration and sampling_rate must be positive.")
    if not 1 <= int(n_channels) <= 9:
        raise ValueError(f"n_channels must be between 1 and 9, got {n_channels}.")
    if int(n_behaviours) < 1:
        raise ValueError(f"n_behaviours must be at least 1, got {n_behaviours}.")
    if imbalance < 1:
        raise ValueError(f"imbalance is a ratio of time shares and must be at least 1, got {imbalance}.")
    rng = np.random.default_rng(random_state)
    fs = float(sampling_rate)
    n = int(round(duration * fs))
    k = int(n_behaviours)
    specs = _behaviours(k, rng)
    shares = imbalance ** (-np.arange(k) / max(k - 1, 1))
    shares = shares[rng.permutation(k)]
    shares /= shares.sum()
    bout_s = np.array([s["bout_s"] for s in specs])
    pick = shares / bout_s / (shares / bout_s).sum()  # bouts drawn so that time shares match
    acc = np.zeros((n, 3))
    codes = np.empty(n, dtype=np.int64)
    # each bout is generated h samples longer at both ends; consecutive bouts overlap by 2h samples
    # around their boundary, where the signal blends linearly from the old bout into the new one
    h = min(int(transition * fs) // 2, int(2.5 * fs))
    pos, tail = 0, None
    while pos < n:
        state = int(rng.choice(k, p=pick))
        length = max(int(5 * fs), int(bout_s[state] * float(np.exp(0.5 * rng.standard_normal())) * fs))
        end = min(n, pos + length)
        m = end - pos
        gravity = _rotate(np.tile(specs[state]["gravity"], (m + 2 * h, 1)), rng.normal(size=3),
                          np.deg2rad(3.0) * _slow(m + 2 * h, fs, rng, 10.0))
        signal = gravity + _motion(specs[state], m + 2 * h, fs, rng)  # samples pos - h ... end + h - 1
        acc[pos:end] = signal[h:h + m]
        if tail is not None and h > 0:
            span = min(2 * h, end - (pos - h))
            old = np.concatenate([acc[pos - h:pos], tail])[:span]
            w = np.linspace(0.0, 1.0, span)[:, None]
            acc[pos - h:pos - h + span] = (1 - w) * old + w * signal[:span]
        tail = signal[h + m:]
        codes[pos:end] = state
        pos = end
    mount = _rotate(np.eye(3), rng.normal(size=3), np.full(3, np.deg2rad(rotation)))
    roll = np.cumsum(rng.normal(0, np.deg2rad(3.0) / np.sqrt(3600 * fs), n))
    acc = _rotate(acc @ mount.T, [1.0, 0, 0], roll)
    channels = [acc]
    if n_channels > 3:
        gyro = np.gradient(acc, axis=0) * fs / 10  # angular-rate-like: how fast the signal turns
        mag = _rotate(acc / np.maximum(np.linalg.norm(acc, axis=1, keepdims=True), 1e-9), [0, 0, 1.0],
                      np.full(n, 0.7))
        channels += [gyro, mag]
    full = np.concatenate(channels, axis=1)
    full = full + rng.normal(0, noise, full.shape)
    if clip is not None:
        full = np.clip(full, -clip, clip)
        if bits is not None:
            step = 2 * clip / (2 ** int(bits) - 1)
            full = np.round(full / step) * step
    if n_channels == 1:
        values = np.linalg.norm(full[:, :3], axis=1, keepdims=True)
    else:
        values = full[:, :n_channels]
    index = pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=1 / fs), name="timestamp")
    frame = pd.DataFrame(values, index=index, columns=[f"c{i}" for i in range(values.shape[1])])
    frame["behaviour"] = np.asarray([s["name"] for s in specs], dtype=object)[codes]
    return frame


def make_wearable_windows(duration=3600.0, sampling_rate=25.0, *, window="4s", stride="2s", random_state=0,
                          **kwargs):
    """Windows and majority labels of :func:`make_wearable_stream`.

    Examples
    --------
    >>> w = make_wearable_windows(120, sampling_rate=10, window="2s", stride="2s", n_channels=1)
    >>> w.X.shape[1:]
    (1, 20)
    """
    from .windows import sliding_windows

    stream = make_wearable_stream(duration, sampling_rate, random_state=random_state, **kwargs)
    channels = [c for c in stream.columns if c != "behaviour"]
    return sliding_windows(stream, window, stride, channels=channels, labels="behaviour")
