"""Seeded simulators of body-worn accelerometers. Synthetic data, not recordings.

* :func:`make_collar_stream` — the collar of a grazing cow with six fixed
  behaviours: the bundled default data.
* :func:`make_wearable_stream` — a configurable wearable, for testing on data
  the defaults were not chosen on.

The synthetic collar accelerometer
----------------------------------
:func:`make_collar_stream` simulates a tri-axial accelerometer (in g) on the
neck collar of a grazing cow. It is synthetic, not a recording. The model:

* **Bouts.** Behaviours follow a first-order Markov chain (``TRANSITIONS``);
  each bout lasts a log-normal duration with the behaviour's median
  (``BEHAVIOURS[name]["bout_s"]``, spread 0.5 in log space, at least 5 s).
* **Posture.** Each behaviour has a gravity direction in the collar frame
  (lying: neck rolled to the side; grazing: head down; the others: head up),
  tilted by a few degrees per bout, and wandering by a few degrees within it
  (a slow random variation with a time constant of about 8 s).
* **Dynamics.** Rest (lying, standing) adds only small postural sway.
  Ruminating adds ~1 Hz chewing, small and regular. Grazing adds ~1.3 Hz bites
  plus a step every few seconds. Walking adds a 1-2 Hz gait with its harmonic;
  running a 2.5-3.5 Hz gait of three times the amplitude. Frequencies and
  amplitudes vary per bout, and drift slowly within a bout (about 6 % in rate,
  15 % in amplitude), so bouts of one behaviour overlap rather than each
  forming its own tight island.
* **Sensor.** White noise (``noise`` g), a slow drift of the collar's roll
  around the neck (a random walk of a few degrees per hour), rare events
  (head shakes at ~5 Hz and bumps, flagged in the ``event`` column, not
  behaviours), and occasional gaps where samples are missing.

The configurable wearable
-------------------------
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
* **Summaries.** With ``summary="1s"`` the recording is what a logger that
  stores summaries keeps: each channel's mean and standard deviation per
  second (twice the channels, at 1 Hz), labelled by the behaviour that fills
  most of the second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._random import as_generator

__all__ = [
    "BEHAVIOURS",
    "TRANSITIONS",
    "make_collar_stream",
    "make_collar_windows",
    "make_wearable_stream",
    "make_wearable_windows",
]


def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def _rotate(v, axis, angle):
    """Rotate rows of ``v`` (n, 3) about ``axis`` by ``angle`` (n,) radians (Rodrigues)."""
    k = _unit(axis)
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return v * c + np.cross(k, v) * s + k * (v @ k)[:, None] * (1 - c)


def _slow(n, fs, rng, tau=8.0):
    """A slowly varying signal of unit standard deviation: white noise through a
    first-order low-pass with time constant ``tau`` seconds (stationary start)."""
    from scipy.signal import lfilter

    rho = float(np.exp(-1.0 / (tau * fs)))
    w = rng.standard_normal(n)
    w[0] /= np.sqrt(1 - rho**2)  # start in the stationary distribution
    return lfilter([np.sqrt(1 - rho**2)], [1.0, -rho], w)


#: Behaviour model: gravity direction (collar frame), median bout length (s),
#: dynamic component (kind, frequency range in Hz, amplitude in g).
BEHAVIOURS = {
    "lying": {"gravity": (0.10, 0.62, 0.78), "bout_s": 240.0, "kind": "rest", "freq": (0.0, 0.0), "amp": 0.01},
    "standing": {"gravity": (0.15, 0.0, 0.99), "bout_s": 120.0, "kind": "rest", "freq": (0.0, 0.0), "amp": 0.015},
    "ruminating": {"gravity": (0.35, 0.05, 0.94), "bout_s": 200.0, "kind": "chew", "freq": (0.9, 1.2), "amp": 0.06},
    "grazing": {"gravity": (0.80, 0.0, 0.60), "bout_s": 220.0, "kind": "graze", "freq": (1.1, 1.5), "amp": 0.12},
    "walking": {"gravity": (0.25, 0.0, 0.97), "bout_s": 60.0, "kind": "gait", "freq": (1.0, 2.0), "amp": 0.18},
    "running": {"gravity": (0.25, 0.0, 0.97), "bout_s": 25.0, "kind": "gait", "freq": (2.5, 3.5), "amp": 0.55},
}

_NAMES = list(BEHAVIOURS)

#: Markov transition probabilities between bouts (rows: from, columns: to, in
#: the order of ``BEHAVIOURS``). The diagonal is zero: a bout ends in another behaviour.
TRANSITIONS = np.array(
    [
        # lying standing rumin. grazing walking running
        [0.00, 0.45, 0.40, 0.05, 0.05, 0.05],  # lying
        [0.25, 0.00, 0.20, 0.25, 0.25, 0.05],  # standing
        [0.35, 0.30, 0.00, 0.15, 0.15, 0.05],  # ruminating
        [0.05, 0.20, 0.15, 0.00, 0.45, 0.15],  # grazing
        [0.05, 0.25, 0.10, 0.35, 0.00, 0.25],  # walking
        [0.05, 0.20, 0.05, 0.20, 0.50, 0.00],  # running
    ]
)


def _rotation(axis, angle):
    axis = np.asarray(axis, dtype=float)
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def _bouts(n_samples, fs, rng):
    """Behaviour codes per sample from the Markov chain of bouts."""
    codes = np.empty(n_samples, dtype=np.int64)
    state = int(rng.integers(len(_NAMES)))
    pos, bounds = 0, []
    while pos < n_samples:
        median = BEHAVIOURS[_NAMES[state]]["bout_s"]
        length = max(5.0, median * float(np.exp(0.5 * rng.standard_normal())))
        n = min(int(length * fs), n_samples - pos)
        codes[pos : pos + n] = state
        bounds.append((pos, pos + n, state))
        pos += n
        state = int(rng.choice(len(_NAMES), p=TRANSITIONS[state]))
    return codes, bounds


def _tilted(v, axis, angle):
    """Rotate the vector ``v`` about ``axis`` by ``angle`` (radians, one per sample); (n, 3)."""
    k = np.asarray(axis, dtype=float)
    k = k / np.linalg.norm(k)
    v = np.asarray(v, dtype=float)
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return v * c + np.cross(k, v) * s + k * (k @ v) * (1 - c)


def _dynamics(name, t, fs, rng):
    """Dynamic acceleration (n, 3) in g of one bout, in the collar frame.

    Rate and amplitude wander within the bout (slow multiplicative variation,
    about 6 % and 15 %), as an animal's chewing or walking pace does.
    """
    spec = BEHAVIOURS[name]
    n = t.shape[0]
    amp = spec["amp"] * float(rng.uniform(0.8, 1.25)) * np.exp(0.15 * _slow(n, fs, rng))
    out = np.zeros((n, 3))
    kind = spec["kind"]
    if kind == "rest":
        for ax in range(3):  # slow postural sway: low-passed noise
            w = rng.standard_normal(n + 50)
            out[:, ax] = amp * np.convolve(w, np.ones(50) / 50**0.5, mode="valid")[:n] / 3
        return out
    f = float(rng.uniform(*spec["freq"])) * np.exp(0.06 * _slow(n, fs, rng))
    phase = rng.uniform(0, 2 * np.pi, size=3)
    base = 2 * np.pi * np.cumsum(f) / fs
    if kind == "chew":
        out[:, 0] = amp * np.sin(base + phase[0])
        out[:, 1] = 0.6 * amp * np.sin(base + phase[1])
        out[:, 2] = 0.3 * amp * np.sin(2 * base + phase[2])
    elif kind == "graze":
        bite = np.maximum(np.sin(base + phase[0]), 0) ** 3
        out[:, 0] = amp * bite
        out[:, 2] = 0.5 * amp * bite
        step_f = float(rng.uniform(0.2, 0.4))  # a step every few seconds
        step = np.maximum(np.sin(2 * np.pi * step_f * t + phase[1]), 0) ** 8
        out[:, 1] = 1.2 * amp * step
        out[:, 2] += 0.8 * amp * step
    elif kind == "gait":
        out[:, 0] = 0.6 * amp * np.sin(base + phase[0])
        out[:, 1] = 0.4 * amp * np.sin(base / 2 + phase[1])  # lateral sway at half the step rate
        out[:, 2] = amp * (np.sin(base + phase[2]) + 0.35 * np.sin(2 * base + phase[2]))
    return out


def make_collar_stream(
    duration=3600.0,
    sampling_rate=25.0,
    *,
    noise=0.02,
    drift=True,
    events=True,
    gaps=True,
    start="2026-06-01 06:00:00",
    random_state=0,
):
    """A seeded synthetic tri-axial collar accelerometer of a grazing cow.

    Synthetic data, generated by the model described in this module's
    docstring: six behaviours (lying, standing, ruminating, grazing, walking,
    running) in Markov-chain bouts, sensor noise, slow collar drift, rare
    shakes and bumps, and occasional gaps.

    Parameters
    ----------
    duration : float, default=3600.0
        Length of the recording in seconds.
    sampling_rate : float, default=25.0
        Samples per second.
    noise : float, default=0.02
        Standard deviation of the white sensor noise, in g.
    drift : bool, default=True
        Slow random-walk roll of the collar around the neck.
    events : bool, default=True
        Add rare head shakes and bumps (about one a minute), flagged in ``event``.
    gaps : bool, default=True
        Remove a few stretches of samples (about one 3-20 s gap per 20 minutes).
    start : str, default="2026-06-01 06:00:00"
        Time of the first sample.
    random_state : int or numpy.random.Generator, default=0

    Returns
    -------
    DataFrame
        Indexed by a ``DatetimeIndex`` named ``timestamp``; columns ``x, y, z``
        (float64, g), ``behaviour`` (str) and ``event`` (bool).

    Examples
    --------
    >>> df = make_collar_stream(duration=60, random_state=0)
    >>> list(df.columns)
    ['x', 'y', 'z', 'behaviour', 'event']
    """
    if duration <= 0 or sampling_rate <= 0:
        raise ValueError("duration and sampling_rate must be positive.")
    rng = as_generator(random_state)
    fs = float(sampling_rate)
    n = int(round(duration * fs))
    if n < 2:
        raise ValueError("duration * sampling_rate gives fewer than two samples.")
    t = np.arange(n) / fs
    codes, bounds = _bouts(n, fs, rng)
    acc = np.empty((n, 3))
    for lo, hi, state in bounds:
        name = _NAMES[state]
        tilt = _rotation(rng.standard_normal(3), np.deg2rad(rng.uniform(0, 8)))
        g = tilt @ np.asarray(BEHAVIOURS[name]["gravity"], dtype=float)
        g /= np.linalg.norm(g)
        # the head keeps moving a little within the bout: a slow wander of ~4 degrees
        wander = np.deg2rad(4.0) * _slow(hi - lo, fs, rng)
        g = _tilted(g, rng.standard_normal(3), wander)
        acc[lo:hi] = g + _dynamics(name, t[lo:hi] - t[lo], fs, rng)
    event = np.zeros(n, dtype=bool)
    if events:
        n_events = rng.poisson(duration / 60.0)
        for _ in range(n_events):
            at = int(rng.integers(0, n))
            if rng.random() < 0.5:  # head shake: ~5 Hz, 1-2 s, up to 1 g
                m = min(int(rng.uniform(1.0, 2.0) * fs), n - at)
                tt = np.arange(m) / fs
                acc[at : at + m, 1] += 0.8 * np.sin(2 * np.pi * rng.uniform(4, 6) * tt) * np.hanning(m)
            else:  # bump: a decaying spike
                m = min(int(0.4 * fs) + 1, n - at)
                acc[at : at + m] += rng.normal(0, 1.0, 3) * np.exp(-np.arange(m) / (0.08 * fs))[:, None]
            event[at : at + m] = True
    if drift:
        roll = np.cumsum(rng.normal(0, np.deg2rad(4.0) / np.sqrt(3600 * fs), n))
        c, s = np.cos(roll), np.sin(roll)
        y, z = acc[:, 1].copy(), acc[:, 2].copy()
        acc[:, 1], acc[:, 2] = c * y - s * z, s * y + c * z
    acc += rng.normal(0, noise, acc.shape)
    keep = np.ones(n, dtype=bool)
    if gaps:
        for _ in range(rng.poisson(duration / 1200.0)):
            at = int(rng.integers(0, n))
            keep[at : at + int(rng.uniform(3, 20) * fs)] = False
    index = pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=1 / fs), name="timestamp")
    frame = pd.DataFrame(
        {
            "x": acc[:, 0],
            "y": acc[:, 1],
            "z": acc[:, 2],
            "behaviour": np.asarray(_NAMES, dtype=object)[codes],
            "event": event,
        },
        index=index,
    )
    return frame[keep]


def make_collar_windows(duration=3600.0, *, window="2.56s", stride="1.28s", random_state=0, **kwargs):
    """Windows and labels of :func:`make_collar_stream`, ready for :class:`~deeptda.DeepTDA`.

    Parameters
    ----------
    duration : float, default=3600.0
    window, stride : str or int, default="2.56s", "1.28s"
    random_state : int, default=0
    **kwargs
        Passed to :func:`make_collar_stream`.

    Returns
    -------
    Windows
        With ``y`` the majority behaviour of each window.

    Examples
    --------
    >>> w = make_collar_windows(duration=120, random_state=0)
    >>> w.X.shape[1:]
    (3, 64)
    """
    import warnings

    from .windows import sliding_windows

    stream = make_collar_stream(duration, random_state=random_state, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # gaps are part of the simulation
        return sliding_windows(stream, window, stride, channels=["x", "y", "z"], labels="behaviour")


def _behaviours(n, rng):
    """Random behaviour specifications: posture, motion kind, rate, amplitude, bout length."""
    postures = [_unit(rng.normal(size=3) + [0, 0, 2.0]) for _ in range(max(2, (n + 1) // 2))]
    kinds = ["rest"] + ["rhythm", "bursts"] * n
    specs = []
    for i in range(n):
        kind = kinds[i]
        specs.append(
            {
                "name": f"behaviour_{i}",
                "gravity": postures[rng.integers(len(postures))] if i else postures[0],
                "kind": kind,
                "freq": float(rng.uniform(0.4, 3.5)),
                "harmonics": rng.uniform(0, 0.6, size=2),
                "amp": float(0.01 if kind == "rest" else rng.uniform(0.05, 0.6)),
                "axis": _unit(rng.normal(size=3)),
                "bout_s": float(rng.uniform(20, 200)),
            }
        )
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
        out[lo:hi] += pulse[lo - (at - width) : hi - (at - width)] * float(rng.uniform(0.5, 1.5))
        t += float(rng.exponential(1.0 / (spec["freq"] * pace)))
    return amp[:, None] * np.outer(out, direction)


def make_wearable_stream(
    duration=3600.0,
    sampling_rate=25.0,
    *,
    n_behaviours=5,
    n_channels=3,
    imbalance=20.0,
    transition=2.0,
    rotation=30.0,
    clip=4.0,
    bits=12,
    noise=0.02,
    summary=None,
    start="2026-06-01 06:00:00",
    random_state=0,
):
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
    summary : str or None, default=None
        A period such as ``"1s"``: return what a logger that stores summaries
        keeps instead of raw samples, the mean and the standard deviation of
        each channel over each period (channels ``c0_mean ... c{n-1}_mean,
        c0_sd ... c{n-1}_sd``, one row per period), labelled with the
        behaviour that fills most of the period. The raw stream is simulated at
        ``sampling_rate`` first.
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
    >>> make_wearable_stream(600, summary="1s", random_state=1).shape
    (600, 7)
    """
    if duration <= 0 or sampling_rate <= 0:
        raise ValueError("duration and sampling_rate must be positive.")
    if not 1 <= int(n_channels) <= 9:
        raise ValueError(f"n_channels must be between 1 and 9, got {n_channels}.")
    if int(n_behaviours) < 1:
        raise ValueError(f"n_behaviours must be at least 1, got {n_behaviours}.")
    if imbalance < 1:
        raise ValueError(f"imbalance is a ratio of time shares and must be at least 1, got {imbalance}.")
    rng = as_generator(random_state)
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
        gravity = _rotate(
            np.tile(specs[state]["gravity"], (m + 2 * h, 1)),
            rng.normal(size=3),
            np.deg2rad(3.0) * _slow(m + 2 * h, fs, rng, 10.0),
        )
        signal = gravity + _motion(specs[state], m + 2 * h, fs, rng)  # samples pos - h ... end + h - 1
        acc[pos:end] = signal[h : h + m]
        if tail is not None and h > 0:
            span = min(2 * h, end - (pos - h))
            old = np.concatenate([acc[pos - h : pos], tail])[:span]
            w = np.linspace(0.0, 1.0, span)[:, None]
            acc[pos - h : pos - h + span] = (1 - w) * old + w * signal[:span]
        tail = signal[h + m :]
        codes[pos:end] = state
        pos = end
    mount = _rotate(np.eye(3), rng.normal(size=3), np.full(3, np.deg2rad(rotation)))
    roll = np.cumsum(rng.normal(0, np.deg2rad(3.0) / np.sqrt(3600 * fs), n))
    acc = _rotate(acc @ mount.T, [1.0, 0, 0], roll)
    channels = [acc]
    if n_channels > 3:
        gyro = np.gradient(acc, axis=0) * fs / 10  # angular-rate-like: how fast the signal turns
        mag = _rotate(acc / np.maximum(np.linalg.norm(acc, axis=1, keepdims=True), 1e-9), [0, 0, 1.0], np.full(n, 0.7))
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
    return frame if summary is None else _summarise(frame, summary)


def _summarise(frame, period):
    """Per-period mean and standard deviation of every channel, and the majority behaviour."""
    try:
        step = pd.Timedelta(period)
    except ValueError:
        raise ValueError(f"summary must be a period such as '1s'; got {period!r}.") from None
    spacing = frame.index[1] - frame.index[0] if len(frame) > 1 else step
    if step < spacing:
        raise ValueError(
            f"summary period {period!r} is shorter than the sampling interval ({spacing}); "
            "choose a period of at least one sample."
        )
    channels = [c for c in frame.columns if c != "behaviour"]
    groups = frame.groupby(frame.index.floor(step))
    out = pd.concat(
        [groups[channels].mean().add_suffix("_mean"), groups[channels].std(ddof=0).add_suffix("_sd")], axis=1
    )
    out["behaviour"] = groups["behaviour"].agg(lambda v: v.value_counts().index[0])
    out.index.name = "timestamp"
    return out


def make_wearable_windows(duration=3600.0, sampling_rate=25.0, *, window="4s", stride="2s", random_state=0, **kwargs):
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
