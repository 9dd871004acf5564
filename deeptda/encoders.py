"""Small torch modules: a 1-D convolutional encoder for windows, an MLP for
rows, the contrastive projection head and the 2-D map head."""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import torch
from torch import nn

__all__ = [
    "ConvEncoder",
    "MLPEncoder",
    "FlattenEncoder",
    "InputView",
    "MapHead",
    "ProjectionHead",
    "DeepTDANet",
    "init_parameters",
    "principal_init",
    "block_agreement",
    "amplitude_spectra",
    "despike",
    "view_dims",
    "batched_forward",
]


#: Shortest window ``encoder="auto"`` gives the CNN; shorter ones go flat to the MLP. The CNN sees 23 samples
#: at once and pools over time, losing the order the MLP keeps (``docs/benchmarks.md``, drawn recordings).
CONV_MIN_LENGTH = 32


class ConvEncoder(nn.Module):
    """1-D CNN for windows ``(batch, channels, timepoints)`` → ``(batch, latent_dim)``.

    Three convolutions (kernel 7, 5, 3; each with stride 2), GroupNorm
    and GELU, then mean, max and standard-deviation pooling over time, so the
    representation does not depend on where in the window a motion happens.
    A window longer than ``max_length`` samples is first averaged over runs of
    ``ceil(timepoints / max_length)`` consecutive samples (a low-pass that
    keeps the slower motion), so the convolutions' receptive field spans the
    same share of any window and their cost stays bounded; each channel's mean
    and standard deviation are taken from the full-rate window.
    """

    def __init__(self, in_channels, latent_dim=64, width=16, max_length=256):
        super().__init__()
        if max_length < 1:
            raise ValueError(f"max_length must be at least 1; got {max_length}.")
        self.max_length = int(max_length)
        self.net = nn.Sequential(
            nn.Conv1d(in_channels, width, 7, stride=2, padding=3),
            nn.GroupNorm(4, width),
            nn.GELU(),
            nn.Conv1d(width, 2 * width, 5, stride=2, padding=2),
            nn.GroupNorm(4, 2 * width),
            nn.GELU(),
            nn.Conv1d(2 * width, 2 * width, 3, stride=2, padding=1),
            nn.GroupNorm(4, 2 * width),
            nn.GELU(),
        )
        self.out = nn.Linear(6 * width + 2 * in_channels, latent_dim)

    def downsample(self, x):
        """Average runs of ``ceil(timepoints / max_length)`` samples: what the convolutions see."""
        step = -(-x.shape[2] // self.max_length)
        return nn.functional.avg_pool1d(x, step, step, ceil_mode=True) if step > 1 else x

    def split(self, x):
        """``(downsample(x), each channel's mean and std over x)``, or ``None`` for windows of at
        most ``max_length`` samples. Training augments the averaged windows (all the
        convolutions see) instead of the full-rate ones, several times cheaper for long
        windows, and keeps the channel statistics of the windows as they are
        (:meth:`features`; :func:`deeptda.training.train_encoder`)."""
        if x.shape[2] <= self.max_length:
            return None
        chunks = x.split(2048)  # bounded temporaries for any number of windows
        return torch.cat([self.downsample(c) for c in chunks]), torch.cat([self.pool(None, c) for c in chunks])

    def features(self, short, raw):
        """The output from averaged windows ``short`` and channel statistics ``raw`` (:meth:`split`)."""
        return self.out(self.pool(self.net(short), raw))

    @staticmethod
    def pool(h, x):
        """Mean, max and std over time of the convolutions' output ``h``, and each input channel's
        mean and std (``x``: the windows, or those statistics already taken); ``h=None``: the latter alone."""
        raw = x if x.ndim == 2 else torch.cat(_mean_std(x), dim=1)  # posture and energy
        if h is None:
            return raw
        mean, std = _mean_std(h)
        return torch.cat([mean, h.amax(dim=2), std, raw], dim=1)

    def forward(self, x):
        return self.out(self.pool(self.net(self.downsample(x)), x))


def _mean_std(h):
    """Mean and (population) standard deviation over the last axis.

    Two passes of elementwise ops, which on the CPU are much faster than
    ``torch.std`` over a short axis. The small floor keeps the gradient finite
    where a channel is constant over the window.
    """
    mean = h.mean(dim=2)
    var = (h - mean.unsqueeze(2)).square().mean(dim=2)
    return mean, torch.sqrt(var + 1e-12)


class MLPEncoder(nn.Module):
    """MLP for feature rows ``(batch, features)`` → ``(batch, latent_dim)``."""

    def __init__(self, in_features, latent_dim=64, width=128):
        super().__init__()
        self.net = _mlp(in_features, width, latent_dim)

    def forward(self, x):
        return self.net(x)


def _mlp(in_features, width, out_features):
    """Two hidden GELU layers of ``width``."""
    return nn.Sequential(
        nn.Linear(in_features, width), nn.GELU(), nn.Linear(width, width), nn.GELU(), nn.Linear(width, out_features)
    )


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
        self.gain = math.sqrt(latent_dim)  # unit-norm input rows -> unit-variance coordinates
        self.net = _mlp(latent_dim, width, n_components)

    def scale(self, z):
        """The input as the first layer sees it: a fixed representation can be scaled once for many steps."""
        return z * self.gain

    def forward(self, z):
        return self.net(self.scale(z))


def amplitude_spectra(x, signed_mean=True):
    """Each channel's amplitude spectrum ``|rfft|`` of windows ``(batch, channels, timepoints)``, flattened.

    Energy-preserving: orthonormal FFT, bins other than 0 and Nyquist scaled by
    sqrt(2), so two windows that differ only in phase (a circular shift)
    coincide and otherwise their distance is at most their Euclidean distance.
    With ``signed_mean`` (the default) bin 0, the window's mean, keeps its sign:
    a shift leaves it unchanged, and for an accelerometer it is the posture
    (gravity's direction), which its absolute value folds, e.g. a collar rolled
    left onto one rolled right. ``signed_mean=False`` gives the plain ``|rfft|``
    (models saved in format version 4).
    """
    t = x.shape[-1]
    f = torch.fft.rfft(x, dim=-1, norm="ortho")
    a = f.abs()
    if signed_mean:
        a = torch.cat([f[..., :1].real, a[..., 1:]], dim=-1)
    weight = torch.ones(a.shape[-1], dtype=a.dtype, device=a.device)
    weight[1 : (t + 1) // 2] = math.sqrt(2.0)
    return (a * weight).flatten(1)


def despike(x, threshold=3.0):
    """Replace isolated single-sample spikes by the median of the sample and its two neighbours.

    A sample of standardised windows ``(batch, channels, timepoints)`` that
    differs from that 3-point median by more than ``threshold`` (channel
    standard deviations) is a glitch no physical motion makes in one sample
    and undoes in the next; every other sample is kept as it is. Rows (2-D)
    pass through unchanged.
    """
    if x.ndim != 3 or x.shape[-1] < 3:
        return x
    padded = torch.cat([x[..., 1:2], x, x[..., -2:-1]], dim=-1)  # reflected: an edge sample meets its neighbour twice
    a, b, c = padded[..., :-2], x, padded[..., 2:]
    med = torch.maximum(torch.minimum(a, b), torch.minimum(torch.maximum(a, b), c))  # median of three, exactly
    return torch.where((x - med).abs() > threshold, med, x)


class InputView(nn.Module):
    """Fixed linear views of the standardised input, fitted once by PCA.

    Blocks: the flattened windows (or rows) and, for windows, their amplitude
    spectra (:func:`amplitude_spectra`, a phase-free view) and the dilated-kernel
    features (:class:`deeptda.kernel_features.KernelFeatures`). Each block is
    projected on its leading principal components and divided by its
    root-mean-square norm on the training data, so every block weighs the
    same in distances. The buffers are filled by :meth:`fit` and saved with
    the network. ``signed_mean`` is passed to :func:`amplitude_spectra`
    (``False`` only for models saved in format version 4), ``soft_kernels`` to
    the kernel features (``True`` only for models saved in format version 6).
    """

    def __init__(self, input_shape, dims, signed_mean=True, soft_kernels=False):
        super().__init__()
        self.signed_mean = bool(signed_mean)
        self.windows = len(input_shape) == 2
        self.dims = tuple(int(d) for d in dims)
        sizes = _block_sizes(input_shape, kernels=len(self.dims) == 3)
        if len(sizes) != len(self.dims):
            raise ValueError(f"{len(self.dims)} view dimensions for {len(sizes)} blocks of input shape {input_shape}.")
        self.kernels = None
        if len(sizes) == 3:
            from .kernel_features import KernelFeatures

            self.kernels = KernelFeatures(input_shape, soft=soft_kernels)
            self.register_buffer("kernel_mean", torch.zeros(sizes[2]))
            self.register_buffer("kernel_scale", torch.ones(sizes[2]))
        for i, (size, d) in enumerate(zip(sizes, self.dims)):
            self.register_buffer(f"mean{i}", torch.zeros(size))
            self.register_buffer(f"components{i}", torch.zeros(size, d))
            self.register_buffer(f"scale{i}", torch.ones(()))

    @property
    def n_features(self):
        return sum(self.dims)

    def _blocks(self, x, first=3):
        blocks = [x.flatten(1)]
        if self.windows:
            blocks.append(amplitude_spectra(x, self.signed_mean))
        if self.kernels is not None and first > 2:  # each feature standardised on the training windows
            blocks.append((self.kernels(x) - self.kernel_mean) / self.kernel_scale)
        return blocks

    @torch.no_grad()
    def fit(self, X, random_state=0):
        """Fit the projections on standardised training data ``X`` (numpy); returns the block dimensions."""
        import numpy as np
        from sklearn.decomposition import PCA

        chunks = np.array_split(X, -(-len(X) // 512))  # bounded temporaries
        blocks = [torch.cat(parts).double() for parts in zip(*[self._blocks(torch.as_tensor(c), 2) for c in chunks])]
        if self.kernels is not None:
            self.kernels.fit(X, torch.Generator().manual_seed(int(random_state)))
            shares = torch.cat([self.kernels(torch.as_tensor(c)) for c in chunks]).double()
            self.kernel_mean.copy_(shares.mean(dim=0))
            std = shares.std(dim=0, correction=0)
            # a share that hardly varies is not blown up: at most 100x (a share's std floored at 0.01)
            self.kernel_scale.copy_(std.clamp_min(0.01))
            blocks.append((shares - self.kernel_mean.double()) / self.kernel_scale.double())
        blocks = [b.numpy() for b in blocks]
        for i, block in enumerate(blocks):
            d = self.dims[i]
            n, p = block.shape
            if (n < p and n * n * p > WIDE_GRAM_MIN_COST) or p**3 <= GRAM_PCA_MIN_COST:
                directions, mean = _principal_directions(torch.as_tensor(block), d)
                components = np.zeros((d, p))  # axes beyond the block's rank stay zero
                components[: len(directions)] = directions.numpy()
                mean = mean.numpy()
            else:
                solver = "randomized" if min(block.shape) > 500 else "full"
                pca = PCA(d, svd_solver=solver, random_state=random_state).fit(block)
                mean, components = pca.mean_, pca.components_
            proj = (block - mean) @ components.T
            scale = float(np.sqrt((proj**2).sum(axis=1).mean())) or 1.0
            getattr(self, f"mean{i}").copy_(torch.as_tensor(mean))
            getattr(self, f"components{i}").copy_(torch.as_tensor(components.T))
            getattr(self, f"scale{i}").fill_(scale)
        return self

    def _centred_kernel_block(self, x):
        """The kernel features, standardised and centred on their principal axes' mean, in float64."""
        shares = self.kernels(x)
        if shares.device.type != "cpu" or shares.dtype != torch.float32 or shares.requires_grad:
            return ((shares - self.kernel_mean) / self.kernel_scale - self.mean2).double()
        from ._view_kernels import centred_shares  # the same float32 steps, fused in one pass

        out = np.empty(shares.shape, dtype=np.float64)
        buffers = (self.kernel_mean, self.kernel_scale, self.mean2)
        centred_shares(shares.numpy(), *(b.numpy() for b in buffers), out)
        return torch.from_numpy(out)

    def forward(self, x):
        out = []
        blocks = self._blocks(x, first=2) + ([None] if self.kernels is not None else [])
        for i, block in enumerate(blocks):
            if block is None:
                centred = self._centred_kernel_block(x)
            else:
                centred = (block - getattr(self, f"mean{i}")).double()
            # in float64, then rounded: a float32 product over thousands of columns is summed in
            # an order that depends on the thread count, and so would the representation be
            projected = centred @ getattr(self, f"components{i}").double()
            out.append((projected / getattr(self, f"scale{i}").double()).to(x.dtype))
        return torch.cat(out, dim=1)


#: The principal axes of a wide block (``n < p``: long windows of many channels, rows of many
#: features) come from its ``n x n`` Gram matrix (:func:`_principal_directions`, in
#: :class:`InputView` and :func:`principal_init`), exact and several times faster than an SVD,
#: once an SVD's cost ``n * n * p`` exceeds ``WIDE_GRAM_MIN_COST`` multiply-adds; a block of at
#: most ``GRAM_PCA_MIN_COST ** (1/3)`` (1,000) columns otherwise takes its covariance's exact
#: eigenproblem (cost ``p ** 3``), and a larger one scikit-learn's PCA.
GRAM_PCA_MIN_COST = 1e9
WIDE_GRAM_MIN_COST = 1e7


def view_dims(input_shape, n_train, max_components=64, kernels=True):
    """Principal components kept per block of :class:`InputView`: the flattened input and, for
    windows, their spectra and (``kernels``, windows of at least 9 samples) the kernel features."""
    sizes = _block_sizes(input_shape, kernels)
    return tuple(max(1, min(max_components, size, n_train - 1)) for size in sizes)


def _block_sizes(input_shape, kernels):
    from .kernel_features import MAX_LENGTH, N_THRESHOLDS, kernel_bank, kernel_dilations

    sizes = [int(math.prod(input_shape))]
    if len(input_shape) == 2:
        sizes.append(input_shape[0] * (input_shape[1] // 2 + 1))
        step = -(-input_shape[1] // MAX_LENGTH)  # windows are averaged down first, as in KernelFeatures
        n_dilations = len(kernel_dilations(-(-input_shape[1] // step)))
        if kernels and n_dilations:
            sizes.append(n_dilations * kernel_bank().shape[0] * N_THRESHOLDS)
    return sizes


class DeepTDANet(nn.Module):
    """Encoder, input views, the fixed standardisation of the representation, and the map head.

    The representation is the encoder's output, standardised to unit
    root-mean-square norm, next to the input's own fixed views
    (:class:`InputView`), each block multiplied by its entry of the
    ``block_weight`` buffer (set by ``DeepTDA.fit``, see :func:`block_agreement`);
    the map head reads all of it, so the map can keep what the input's geometry
    shows even where the encoder has not learnt it.
    """

    def __init__(self, encoder, latent_dim, n_components, view=None, despike=True):
        super().__init__()
        self.despike = despike
        self.encoder = encoder
        self.view = view
        self.projection = ProjectionHead(latent_dim)
        width = latent_dim + (view.n_features if view is not None else 0)
        self.head = MapHead(width, n_components)
        self.register_buffer("z_center", torch.zeros(latent_dim))
        self.register_buffer("z_scale", torch.ones(()))
        n_blocks = 1 + (len(view.dims) if view is not None else 0)
        self.register_buffer("block_weight", torch.ones(n_blocks))
        self.block_sizes = [latent_dim] + (list(view.dims) if view is not None else [])

    def represent(self, x):
        """The space of the neighbour graph and of the map's input."""
        if self.despike:
            x = despike(x)
        z = (self.encoder(x) - self.z_center) / self.z_scale
        if self.view is not None:
            z = torch.cat([z, self.view(x)], dim=1)
        return z * self.block_weight.repeat_interleave(torch.as_tensor(self.block_sizes, device=z.device))

    def forward(self, x):
        return self.head(self.represent(x))


def block_agreement(blocks, n_neighbors=15, max_points=4000, random_state=0):
    """Unsupervised weight of each block of a representation: how far its neighbours agree with the others'.

    For each block, the mean over points of the share of a point's
    ``n_neighbors`` nearest neighbours in that block that are also among its
    nearest neighbours in each other block (averaged over the other blocks),
    divided by the largest such share. A block whose neighbourhoods no other
    block confirms (an encoder that has learnt little, a view that sees only
    the phase of a periodic motion) so can be given less weight in the
    neighbour graph and the map (``DeepTDA`` uses the square of this score).
    Computed on a seeded sample of at most ``max_points`` points.

    Parameters
    ----------
    blocks : list of ndarray of shape (n, d_i)
    n_neighbors : int, default=15
    max_points : int, default=4000
    random_state : int, default=0

    Returns
    -------
    ndarray of shape (len(blocks),)
        In [0, 1]; the most confirmed block has 1. A single block gets 1.
    """
    from sklearn.neighbors import NearestNeighbors

    n = blocks[0].shape[0]
    if len(blocks) < 2 or n < 3:
        return np.ones(len(blocks))
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n, max_points, replace=False)) if n > max_points else np.arange(n)
    k = min(n_neighbors, len(rows) - 1)
    sets = [NearestNeighbors(n_neighbors=k).fit(b[rows]).kneighbors(return_distance=False) for b in blocks]
    shares = np.zeros((len(blocks), len(blocks)))
    for i in range(len(blocks)):
        for j in range(i + 1, len(blocks)):
            common = np.mean((sets[i][:, :, None] == sets[j][:, None, :]).sum(axis=(1, 2))) / k  # shared neighbours
            shares[i, j] = shares[j, i] = common
    agreement = shares.sum(axis=1) / (len(blocks) - 1)
    return agreement / max(agreement.max(), 1e-12)


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


def _principal_directions(rows, k):
    """The ``k`` leading eigenvectors of the covariance of ``rows`` (float64), largest loading made positive.

    Directions whose variance is not above ``1e-9`` of the largest are left
    out (their eigenvectors are numerically arbitrary). Returns the
    directions ``(m, d)`` with ``m <= k`` and the mean of ``rows``.
    """
    rows = rows.double()
    mean = rows.mean(dim=0)
    centred = rows - mean
    n, d = centred.shape
    # fewer rows than columns, and a d x d eigenproblem (O(d^3)) beyond a fraction of a second: the
    # n x n Gram matrix has the same nonzero eigenvalues, and its eigenvectors u give the covariance's as C^T u
    wide = n < d and (d**3 > GRAM_PCA_MIN_COST or n * n * d > WIDE_GRAM_MIN_COST)
    vals, vecs = torch.linalg.eigh(centred @ centred.T if wide else centred.T @ centred)
    vals, vecs = vals.flip(0), vecs.flip(1)
    keep = int((vals > 1e-9 * vals[0]).sum()) if vals.numel() and vals[0] > 0 else 0
    vecs = vecs[:, : min(k, keep)]
    if wide:
        vecs = centred.T @ vecs
        vecs = vecs / vecs.norm(dim=0, keepdim=True)
    vecs = vecs.T
    signs = torch.sign(vecs.gather(1, vecs.abs().argmax(dim=1, keepdim=True)))
    return vecs * signs, mean


def _set_from_directions(layer, rows, pairs):
    """Set the leading rows of a Linear/Conv1d layer's weight from the principal directions of its input ``rows``.

    ``pairs``: each direction twice, with both signs (the nonlinearity after
    the layer then passes either side of it); else one filter per direction.
    Each filter gets PyTorch's default expected norm (``1/sqrt(3)``) and the
    bias that centres its response on the data; rows beyond the number of
    directions keep their random draw.
    """
    weight = layer.weight.view(layer.weight.shape[0], -1)
    n_out = weight.shape[0]
    directions, mean = _principal_directions(rows, n_out // 2 if pairs else n_out)
    if pairs:
        directions = torch.stack([directions, -directions], dim=1).reshape(-1, directions.shape[1])
    filters = directions / math.sqrt(3.0)
    m = filters.shape[0]
    weight[:m] = filters.to(weight.dtype)
    if layer.bias is not None:
        layer.bias[:m] = -(filters @ mean).to(layer.bias.dtype)


def _patches(h, conv):
    """The input patches a Conv1d layer sees: ``(batch * positions, channels * kernel)``."""
    k, s, p = conv.kernel_size[0], conv.stride[0], conv.padding[0]
    cols = nn.functional.pad(h, (p, p)).unfold(2, k, s)  # (batch, channels, positions, kernel)
    return cols.permute(0, 2, 1, 3).reshape(-1, h.shape[1] * k)


@torch.no_grad()
def principal_init(encoder, X, max_rows=2000):
    """Start the built-in encoders from the data: each layer's filters are principal directions of its input.

    Layer by layer, on the training data (at most ``max_rows`` evenly spaced
    rows): the first layer's filters are the leading principal directions of
    the input (the patches a convolution sees, or the rows), each with both
    signs; the next layer's those of the first layer's output, and so on; the
    last layer (the representation) gets the leading directions of its input
    once each. A principal-component network of this kind (Chan et al.,
    *PCANet*, IEEE TIP 2015) already keeps the input's main variation, and
    because it draws no random numbers, fits of different seeds start from
    the same encoder: the encoder trains for few steps, so its random start
    was the largest source of the difference between seeds' maps
    (``docs/benchmarks.md``). Filters a layer has beyond the data's
    directions keep their random draw, and so does any other module
    (a custom encoder is left as it is).

    Parameters
    ----------
    encoder : torch.nn.Module
        A :class:`ConvEncoder`, :class:`MLPEncoder` or :class:`FlattenEncoder`
        (others are left unchanged).
    X : ndarray of shape (n, channels, timepoints) or (n, features)
        The standardised training data, as the encoder sees it.
    max_rows : int, default=2000

    Returns
    -------
    bool
        Whether the encoder was one this function knows.
    """
    X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    if X.shape[0] > max_rows:
        X = X[torch.as_tensor(np.linspace(0, X.shape[0] - 1, max_rows).round().astype(np.int64))]
    if isinstance(encoder, FlattenEncoder):
        encoder, X = encoder.inner, X.flatten(1)
    device = next(encoder.parameters()).device
    X = X.to(device)
    if isinstance(encoder, ConvEncoder):
        h = encoder.downsample(X)
        for layer in encoder.net:
            if isinstance(layer, nn.Conv1d):
                _set_from_directions(layer, _patches(h, layer), pairs=True)
            h = layer(h)
        _set_from_directions(encoder.out, encoder.pool(h, X), pairs=False)
        return True
    if isinstance(encoder, MLPEncoder) and X.ndim == 2:
        layers = list(encoder.net)
        h = X
        last = max(i for i, layer in enumerate(layers) if isinstance(layer, nn.Linear))
        for i, layer in enumerate(layers):
            if isinstance(layer, nn.Linear):
                _set_from_directions(layer, h, pairs=i != last)
            h = layer(h)
        return True
    return False


#: The lock of :func:`batched_forward`'s CPU path (it sets torch's process-wide thread count) and its
#: worker pools, one per thread count; a forked child, where the threads do not exist, drops both.
_CPU_FORWARD = {"lock": threading.Lock(), "pools": {}}
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _CPU_FORWARD.update(lock=threading.Lock(), pools={}))


def batched_forward(fn, X, device, batch_size=None, side_by_side=True):
    """Apply ``fn`` to ``X`` (numpy) in batches on ``device``; returns a float32 numpy array.

    ``batch_size=None``: 512 rows on the CPU (a batch's activations stay in cache), 4096
    elsewhere. On the CPU each batch runs on one thread; with ``torch.get_num_threads()``
    above 1, that many batches run at once on kept worker threads (torch set to 1 thread
    meanwhile), so the numba kernels and torch's operators fill every core where torch's
    workers would wait for each other after each small operation, and the output does not
    depend on the thread count. (The calling thread itself never runs on one thread and then
    on several again: next to numba's OpenMP threads, as after a UMAP fit, that slows fits.)
    ``side_by_side=False``: one batch after the other in the calling thread (``fit`` does).
    """
    cpu = torch.device(device).type == "cpu"
    if batch_size is None:
        batch_size = 512 if cpu else 4096
    starts = range(0, X.shape[0], batch_size)

    def one(i):
        with torch.no_grad():  # grad mode is per thread
            return fn(torch.as_tensor(X[i : i + batch_size], device=device)).cpu()

    threads = torch.get_num_threads()
    if not cpu or threads == 1 or not side_by_side:
        out = [one(i) for i in starts]
    else:
        with _CPU_FORWARD["lock"]:
            pools = _CPU_FORWARD["pools"]
            if threads not in pools:
                pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="deeptda-forward")
            torch.set_num_threads(1)
            try:
                out = list(pools[threads].map(one, starts))
            finally:
                torch.set_num_threads(threads)
    return torch.cat(out).numpy().astype(np.float32, copy=False)
