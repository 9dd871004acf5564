"""The DeepTDA estimator: parameters, validation and orchestration."""

from __future__ import annotations

import json
import logging
import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .augment import AUGMENTATIONS, DEFAULT_AUGMENTATIONS
from .preprocessing import ChannelScaler, check_training_samples, check_windows_or_rows

logger = logging.getLogger(__name__)

__all__ = ["DeepTDA"]

_FORMAT = "deeptda-model"
# 2: the scaler saves its own state; 3: block weights, the map head's input gain;
# 4: the conv encoder averages windows longer than 256 samples down to at most 256; 5: the spectra view
# keeps the sign of each channel's mean (version 4 files still load, with its absolute value); 6: the dilated-kernel
# features view of windows (files of versions 4 and 5 load without it); 7: its shares count the positions above each
# threshold exactly, computed in a fixed order (version 6 files still load, with the steep sigmoid step they had)
_FORMAT_VERSION, _READABLE_VERSIONS = 7, (4, 5, 6, 7)
# fitted attributes kept in the file's JSON config
_SAVED_ATTRIBUTES = ("n_features_in_", "n_dims_in_", "window_length_", "n_epochs_", "map_epochs_", "batch_size_")
_SAVED_ATTRIBUTES += ("n_neighbors_", "latent_dim_", "n_train_", "view_dims_", "block_weight_")


#: Sample visits of the encoder: ``clip(per_sample * n_train, low, high)``.
ENCODER_VISITS = (40, 6_000, 40_000)
#: Map epochs up to ``FULL_BATCH_MAX`` points, one full-graph step each: ``clip(n_train / per_sample, low, high)``.
MAP_FULL_EPOCHS = (4, 250, 500)
#: Sample visits of the map above it (minibatch steps).
MAP_VISITS = 300_000


def _auto_epochs(n_train):
    """Epoch rules (see ``ENCODER_VISITS``, ``MAP_FULL_EPOCHS``, ``MAP_VISITS``)."""
    from .training import FULL_BATCH_MAX

    per_sample, low, high = ENCODER_VISITS
    encoder = max(1, int(round(np.clip(per_sample * n_train, low, high) / n_train)))
    if n_train <= FULL_BATCH_MAX:
        divisor, low, high = MAP_FULL_EPOCHS
        head = int(np.clip(round(n_train / divisor), low, high))
    else:
        head = max(1, int(round(MAP_VISITS / n_train)))
    return encoder, head


class DeepTDA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Topological deep embedding of sensor windows or feature rows.

    ``fit`` standardises each channel robustly and trains a small encoder, started
    from the data's principal directions, by contrasting two augmented views of each
    window. The representation is the encoder's output next to fixed views of the input itself (its leading
    principal components and, for windows, those of its amplitude spectra and of its
    dilated-kernel features, ``deeptda.kernel_features``),
    each block at unit root-mean-square norm times a weight that grows with how
    far its neighbourhoods agree with the other blocks', so the map sees the input's own
    geometry where the encoder has not learnt it. A parametric map from that
    representation to ``n_components`` dimensions then keeps its fuzzy
    k-nearest-neighbour graph (UMAP's cross-entropy, starting from the
    input views' principal components) and, per minibatch, its 0-dim persistence pairs (a
    topological signature loss). ``transform`` of new data is one forward pass.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the map.
    n_neighbors : int, default=8
        Neighbours per point in the representation's kNN graph (capped at n - 1).
    topo_weight : float, default=3.0
        Weight of the topological loss; 0 turns it off. The signature loss
        pulls the map's 0-dim diagram towards the representation's; too strong
        a term spreads tight classes into touching blobs (see
        ``docs/algorithm.md``).
    topo_dims : tuple of int, default=(0,)
        Homology dimensions in the topological loss: ``(0,)`` or ``(0, 1)``.
        The 1-dim term uses the first 64 points of each minibatch and costs
        far more (gudhi's Rips persistence per step).
    n_epochs : int or "auto", default="auto"
        Encoder epochs. ``"auto"``: ``clip(40 * n_train, 6000, 40000) / n_train``
        (rounded), a bounded number of sample visits.
    map_epochs : int or "auto", default="auto"
        Map epochs. Up to 2048 training points an epoch is one step over the
        whole graph and ``"auto"`` is ``clip(n_train / 4, 250, 500)``; above,
        an epoch is ``ceil(n_train / batch_size)`` minibatch steps and
        ``"auto"`` is ``300000 / n_train`` (rounded). Training cost so stays
        bounded as ``n_train`` grows.
    batch_size : int or "auto", default="auto"
        ``"auto"``: ``min(256, n_train)``. The minibatch is also the point cloud
        of the topological loss.
    learning_rate : float, default=3e-3
        Learning rate of the encoder (AdamW). The encoder trains for a few
        dozen to a few hundred steps from its data-derived start
        (``encoder_init``); on the generalisation suite this rate gave a
        higher mean accuracy than 1e-3 (``docs/benchmarks.md``).
    map_learning_rate : float, default=1e-2
        Initial learning rate of the map (Adam), decayed linearly to 0 over
        the map epochs.
    init : {"pca", "spectral"}, default="pca"
        The layout the map head is first fitted to. ``"pca"``: the leading
        principal components (one per map dimension) of the input views
        (:class:`deeptda.encoders.InputView`, each view at equal weight),
        which keep the input's global arrangement and depend on the data
        alone, not on the encoder, so maps of different seeds start alike and
        agree more (``docs/benchmarks.md``).
        ``"spectral"``: the neighbour graph's Laplacian eigenmap, UMAP's start.
    latent_dim : int, default=64
        Size of the encoder's output (the representation adds the input views:
        up to 64 principal components per view).
    augmentations : "default" or sequence of str, default="default"
        Names from :mod:`deeptda.augment`: ``"jitter"``, ``"scaling"``,
        ``"rotation"``, ``"crop"``, ``"mask"``, ``"spikes"``; ``"default"``
        uses all six.
    temperature : float, default=0.5
        Temperature of the contrastive loss.
    block_weighting : {"agreement", "equal"}, default="agreement"
        Weight of each block of the representation (the encoder's output, the
        input's principal components and, for windows, its spectra's) in the
        neighbour graph and the map. ``"agreement"``: the square of how far the
        block's nearest neighbours agree with the other blocks'
        (:func:`deeptda.encoders.block_agreement`), so an encoder that learnt
        little, or a view that sees only the phase of a periodic motion, counts
        less; no labels are used. ``"equal"``: every block at unit
        root-mean-square norm.
    despike : bool, default=True
        Before everything else, replace each isolated single-sample spike (a
        sample more than 3 standard deviations from the median of itself and
        its two neighbours) by that median; see :func:`deeptda.encoders.despike`.
        Turn it off when one-sample impacts are part of a behaviour.
    max_train_samples : int, default=20000
        Train on a random subsample of at most this many samples; the rest
        are embedded by the trained network (so large data stays linear).
    encoder : {"auto", "conv", "mlp"} or callable, default="auto"
        ``"auto"``: a 1-D CNN for windows of ``encoders.CONV_MIN_LENGTH`` samples or
        more (over 256 averaged down to 256 first), else an MLP (on flat windows). A callable
        ``encoder(input_shape, latent_dim) -> torch.nn.Module`` builds your own;
        ``input_shape`` is ``(n_channels, n_timepoints)`` or ``(n_features,)``.
    encoder_init : {"pca", "random"}, default="pca"
        The built-in encoders' starting weights. ``"pca"``: layer by layer,
        the principal directions of the layer's input on the training data
        (:func:`deeptda.encoders.principal_init`), so fits with different
        seeds start from the same encoder and their maps agree more
        (``docs/benchmarks.md``). ``"random"``: PyTorch's default scheme,
        drawn from ``random_state``. A custom encoder always keeps its own
        initialisation, redrawn from ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds every random draw of ``fit``; the same seed gives the same
        embedding on the CPU, bit for bit.
    device : str, default="auto"
        ``"auto"`` uses CUDA when available, else the CPU.
    verbose : bool, default=False
        Show progress bars with the loss components.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components), float32
    encoder_ : torch.nn.Module
        The trained encoder (part of ``network_``).
    network_ : DeepTDANet
        Encoder, projection head and map head.
    scaler_ : ChannelScaler
    history_ : list of dict
        One row per epoch of each stage with its loss components.
    n_epochs_, map_epochs_, batch_size_, n_neighbors_, latent_dim_ : int
    view_dims_ : list of int
        Principal components kept of the input (and of its spectra).
    block_weight_ : ndarray
        Weight of each block of the representation (encoder, input, spectra).
    n_train_ : int
        Samples used for training.
    device_ : str
    n_features_in_ : int
        Features, or channels of windows.
    n_dims_in_ : int
        2 for rows, 3 for windows.
    window_length_ : int or None

    Examples
    --------
    >>> import numpy as np
    >>> from deeptda import DeepTDA
    >>> X = np.random.default_rng(0).normal(size=(60, 3, 32)).astype("float32")
    >>> Y = DeepTDA(n_epochs=2, map_epochs=2, random_state=0).fit_transform(X)
    >>> Y.shape
    (60, 2)
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "topo_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "topo_dims": [tuple, list],
        "n_epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "map_epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(numbers.Integral, 2, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "map_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "init": [StrOptions({"pca", "spectral"})],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "augmentations": [StrOptions({"default"}), tuple, list],
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "block_weighting": [StrOptions({"agreement", "equal"})],
        "despike": ["boolean"],
        "max_train_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "encoder": [StrOptions({"auto", "conv", "mlp"}), callable],
        "encoder_init": [StrOptions({"pca", "random"})],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["boolean"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        n_neighbors=8,
        topo_weight=3.0,
        topo_dims=(0,),
        n_epochs="auto",
        map_epochs="auto",
        batch_size="auto",
        learning_rate=3e-3,
        map_learning_rate=1e-2,
        init="pca",
        latent_dim=64,
        augmentations="default",
        temperature=0.5,
        block_weighting="agreement",
        despike=True,
        max_train_samples=20000,
        encoder="auto",
        encoder_init="pca",
        random_state=None,
        device="auto",
        verbose=False,
    ):
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.topo_weight = topo_weight
        self.topo_dims = topo_dims
        self.n_epochs = n_epochs
        self.map_epochs = map_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.map_learning_rate = map_learning_rate
        self.init = init
        self.latent_dim = latent_dim
        self.augmentations = augmentations
        self.temperature = temperature
        self.block_weighting = block_weighting
        self.despike = despike
        self.max_train_samples = max_train_samples
        self.encoder = encoder
        self.encoder_init = encoder_init
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # -- helpers ---------------------------------------------------------------
    def _resolve_device(self):
        import torch

        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        try:
            device = torch.device(self.device)
        except RuntimeError:
            raise ValueError(f"unknown device {self.device!r}; use 'auto', 'cpu' or 'cuda'.") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError("device='cuda' was asked for but CUDA is not available; use device='auto'.")
        return str(device)

    def _augmentation_names(self):
        names = DEFAULT_AUGMENTATIONS if isinstance(self.augmentations, str) else tuple(self.augmentations)
        unknown = [a for a in names if a not in AUGMENTATIONS]
        if unknown:
            raise ValueError(f"unknown augmentations {unknown}; choose from {sorted(AUGMENTATIONS)}.")
        return names

    def _build_encoder(self, input_shape, latent_dim, kind=None):
        from .encoders import CONV_MIN_LENGTH, ConvEncoder, FlattenEncoder, MLPEncoder

        kind = self.encoder if kind is None else kind
        if kind == "auto":
            kind = "conv" if len(input_shape) == 2 and input_shape[1] >= CONV_MIN_LENGTH else "mlp"
        if kind == "conv":
            if len(input_shape) != 2:
                raise ValueError("encoder='conv' needs 3-D windows (n_windows, n_channels, n_timepoints).")
            return ConvEncoder(input_shape[0], latent_dim), "conv"
        if kind == "mlp":
            module = MLPEncoder(int(np.prod(input_shape)), latent_dim)
            return (FlattenEncoder(module) if len(input_shape) == 2 else module), "mlp"
        module = kind(input_shape, latent_dim)
        import torch

        if not isinstance(module, torch.nn.Module):
            raise ValueError("a callable encoder must return a torch.nn.Module.")
        return module, "custom"

    def _build_network(self, encoder_module, view):
        from .encoders import DeepTDANet

        return DeepTDANet(encoder_module, self.latent_dim, self.n_components, view, despike=self.despike)

    # -- fit / transform ---------------------------------------------------------
    def fit(self, X, y=None):
        """Train the encoder and the map on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_windows, n_channels, n_timepoints) or (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        import torch

        from .encoders import InputView, batched_forward, despike, init_parameters, principal_init, view_dims
        from .losses import umap_ab
        from .training import fuzzy_graph, knn_graph, pca_layout, train_encoder, train_map

        self._validate_params()
        dims = tuple(self.topo_dims)
        if not dims or any(d not in (0, 1) for d in dims) or 0 not in dims:
            raise ValueError(f"topo_dims must be (0,) or (0, 1); got {self.topo_dims!r}.")
        augmentations = self._augmentation_names()
        X = check_windows_or_rows(self, X, reset=True)
        n = check_training_samples(X)  # at least 3; warns when all are identical
        self.device_ = self._resolve_device()
        entropy = (
            self.random_state
            if isinstance(self.random_state, numbers.Integral)
            else check_random_state(self.random_state).randint(2**31)
        )
        seeds = np.random.SeedSequence(entropy).generate_state(4, dtype=np.uint64)
        rng = np.random.default_rng(seeds[0])

        self.scaler_ = ChannelScaler().fit(X)
        Xs = self.scaler_.transform(X)
        if n > self.max_train_samples:
            train_idx = np.sort(rng.choice(n, self.max_train_samples, replace=False))
        else:
            train_idx = np.arange(n)
        self.n_train_ = len(train_idx)
        auto_encoder, auto_map = _auto_epochs(self.n_train_)
        self.n_epochs_ = auto_encoder if self.n_epochs == "auto" else int(self.n_epochs)
        self.map_epochs_ = auto_map if self.map_epochs == "auto" else int(self.map_epochs)
        self.batch_size_ = min(256 if self.batch_size == "auto" else int(self.batch_size), self.n_train_)
        self.n_neighbors_ = min(self.n_neighbors, self.n_train_ - 1)
        self.latent_dim_ = self.latent_dim

        # Layers draw their default initialisation from torch's global generator; build them
        # inside fork_rng (which restores it) and re-draw every weight from our own generator.
        X_clean = Xs[train_idx]
        if self.despike:  # what represent() sees
            X_clean = despike(torch.as_tensor(X_clean)).numpy()
        self.view_dims_ = list(view_dims(X.shape[1:], self.n_train_))
        view = InputView(X.shape[1:], self.view_dims_).fit(X_clean, random_state=int(seeds[1] % 2**31))
        with torch.random.fork_rng(devices=[]):
            encoder_module, self._encoder_kind = self._build_encoder(X.shape[1:], self.latent_dim)
            self.network_ = self._build_network(encoder_module, view)
        init_parameters(self.network_, torch.Generator().manual_seed(int(seeds[1] % 2**62)))
        if self.encoder_init == "pca" and not callable(self.encoder):
            principal_init(self.network_.encoder, X_clean)
        self.network_.to(self.device_)
        X_train = torch.as_tensor(X_clean, device=self.device_)
        gen = torch.Generator(device=self.device_).manual_seed(int(seeds[2] % 2**62))
        cpu_gen = torch.Generator().manual_seed(int(seeds[3] % 2**62))

        history = train_encoder(
            self.network_,
            X_train,
            epochs=self.n_epochs_,
            batch_size=self.batch_size_,
            learning_rate=self.learning_rate,
            temperature=self.temperature,
            augmentations=augmentations,
            generator=gen,
            verbose=self.verbose,
        )
        Z = batched_forward(self.network_.encoder, X_clean, self.device_, side_by_side=False)
        if not np.isfinite(Z).all():
            raise ValueError("the encoder produced non-finite values; lower learning_rate.")
        center = Z.mean(axis=0)
        scale = float(np.sqrt(((Z - center) ** 2).sum(axis=1).mean())) or 1.0
        with torch.no_grad():
            self.network_.z_center.copy_(torch.as_tensor(center))
            self.network_.z_scale.fill_(scale)
        Zs = batched_forward(self.network_.represent, Xs[train_idx], self.device_, side_by_side=False)  # weights 1
        # the map's start: the views' principal components at equal weight (data alone decides it)
        init = pca_layout(Zs[:, self.latent_dim_ :], self.n_components) if self.init == "pca" else self.init
        self.block_weight_ = np.ones(len(self.network_.block_sizes))
        if self.block_weighting == "agreement":
            from .encoders import block_agreement

            edges = np.cumsum([0] + self.network_.block_sizes)
            blocks = [Zs[:, a:b] for a, b in zip(edges[:-1], edges[1:])]
            self.block_weight_ = block_agreement(blocks, self.n_neighbors_, random_state=int(seeds[1] % 2**31)) ** 2
            weight = torch.as_tensor(self.block_weight_, dtype=torch.float32)
            with torch.no_grad():
                self.network_.block_weight.copy_(weight)
            Zs = Zs * np.repeat(weight.numpy(), self.network_.block_sizes)[None, :]
        graph = fuzzy_graph(*knn_graph(Zs, self.n_neighbors_))
        a, b = umap_ab()
        history += train_map(
            self.network_,
            torch.as_tensor(Zs, device=self.device_),
            graph,
            epochs=self.map_epochs_,
            batch_size=self.batch_size_,
            learning_rate=self.map_learning_rate,
            topo_weight=float(self.topo_weight),
            topo_dims=dims,
            a=a,
            b=b,
            generator=cpu_gen,
            init=init,
            verbose=self.verbose,
        )
        self.history_ = history
        self.encoder_ = self.network_.encoder
        self.embedding_ = self._map(Xs, side_by_side=False)  # fit leaves torch's threads alone
        if not np.isfinite(self.embedding_).all():
            raise ValueError("training diverged (non-finite embedding); lower learning_rate.")
        return self

    def _map(self, Xs, side_by_side=True):
        from .encoders import batched_forward

        self.network_.eval()
        return batched_forward(self.network_, Xs, self.device_, side_by_side=side_by_side)

    def transform(self, X):
        """Map new windows or rows with one forward pass of the trained network (on the CPU, batches
        side by side on ``torch.get_num_threads()`` threads; the output does not depend on their number).

        Parameters
        ----------
        X : array-like with the layout, channels and window length seen in ``fit``

        Returns
        -------
        ndarray of shape (n_samples, n_components), float32
        """
        check_is_fitted(self, "network_")
        X = check_windows_or_rows(self, X, reset=False)
        return self._map(self.scaler_.transform(X))

    def fit_transform(self, X, y=None):
        """Fit on ``X`` and return ``embedding_`` (equal to ``fit(X).transform(X)``)."""
        return self.fit(X).embedding_

    @property
    def _n_features_out(self):  # output names deeptda0, deeptda1, ...; set_output(transform="pandas") uses them
        return self.embedding_.shape[1]

    def representation(self, X):
        """The encoder's standardised representation of ``X``, of shape ``(n_samples, latent_dim_)``."""
        check_is_fitted(self, "network_")
        from .encoders import batched_forward

        X = check_windows_or_rows(self, X, reset=False)
        return batched_forward(self.network_.represent, self.scaler_.transform(X), self.device_)

    # -- persistence ------------------------------------------------------------
    def save(self, path):
        """Save the fitted model to one file: tensors plus a JSON config (no pickled objects).

        Every constructor parameter is stored (from ``get_params``). The file is
        written under a temporary name and renamed, so an interrupted save
        leaves the previous file intact. Load it with :meth:`DeepTDA.load`,
        which uses ``torch.load(weights_only=True)``.
        """
        import torch

        from ._io import atomic_path

        config, tensors = self.get_state()
        with atomic_path(path) as tmp:
            torch.save({"config": json.dumps(config), **tensors}, tmp)

    def get_state(self):
        """The fitted model as ``(config, tensors)``: a JSON-able dict and a dict of tensors.

        What :meth:`save` writes; :meth:`from_state` rebuilds the model. Lets a model travel
        inside another file (a herd pipeline) without pickling.
        """
        import torch

        check_is_fitted(self, "network_")
        if self._encoder_kind == "custom":
            raise ValueError(
                "a model with a custom encoder cannot be saved to a file; pickle it, or use encoder='auto'."
            )
        scaler_config, scaler_arrays = self.scaler_.get_state()
        params = self.get_params(deep=False)
        params["topo_dims"] = list(self.topo_dims)
        self._augmentation_names()  # a saved model names known augmentations only
        if not isinstance(params["augmentations"], str):
            params["augmentations"] = list(params["augmentations"])
        if isinstance(params["random_state"], numbers.Integral):
            params["random_state"] = int(params["random_state"])
        elif params["random_state"] is not None:  # a RandomState's state is not kept in the file
            params["random_state"] = None
        config = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "params": params,
            "encoder_kind": self._encoder_kind,
            "fitted": {
                k: np.asarray(getattr(self, k)).tolist() if k == "block_weight_" else getattr(self, k)
                for k in _SAVED_ATTRIBUTES
            },
            "history": self.history_,
            "scaler": scaler_config,
        }
        tensors = {
            "state_dict": {k: v.detach().cpu() for k, v in self.network_.state_dict().items()},
            "scaler_center": torch.as_tensor(scaler_arrays["center"]),
            "scaler_scale": torch.as_tensor(scaler_arrays["scale"]),
            "embedding": torch.as_tensor(self.embedding_),
        }
        return config, tensors

    @classmethod
    def load(cls, path, device="auto"):
        """Load a model written by :meth:`save`; ``device`` places it ("auto": CUDA if present)."""
        import torch

        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
            config = json.loads(payload["config"])
        except FileNotFoundError:
            raise
        except Exception as exc:  # corrupt, truncated, or not a weights-only file
            raise ValueError(f"{path!s} is not a readable deeptda model file ({type(exc).__name__}: {exc}).") from None
        if not isinstance(config, dict) or config.get("format") != _FORMAT:
            raise ValueError(f"{path!s} is not a deeptda model file.")
        return cls.from_state(config, payload, device=device, source=path)

    @classmethod
    def from_state(cls, config, tensors, device="auto", source="the model state"):
        """Rebuild a fitted model from :meth:`get_state`'s ``(config, tensors)``."""
        import torch

        payload = tensors
        version = config.get("format_version")
        if version not in _READABLE_VERSIONS:
            raise ValueError(
                f"{source!s} has model format version {version}; this deeptda reads versions "
                f"{', '.join(map(str, _READABLE_VERSIONS))}. Refit the model with this version."
            )
        params = dict(config["params"])
        params["topo_dims"] = tuple(params["topo_dims"])
        if not isinstance(params["augmentations"], str):
            params["augmentations"] = tuple(params["augmentations"])
        params["device"] = device
        params.setdefault("init", "spectral")  # saved before the start was a choice: fitted from the eigenmap
        params.setdefault("encoder_init", "random")  # saved before the encoder started from the data
        model = cls(**params)
        for k, v in config["fitted"].items():
            setattr(model, k, np.asarray(v) if k == "block_weight_" else v)
        shape = (model.n_features_in_, model.window_length_) if model.n_dims_in_ == 3 else (model.n_features_in_,)
        from .encoders import InputView

        with torch.random.fork_rng(devices=[]):
            kind = config.get("encoder_kind") if config.get("encoder_kind") in ("conv", "mlp") else None  # as fitted
            encoder_module, model._encoder_kind = model._build_encoder(shape, model.latent_dim, kind)
            model.network_ = model._build_network(
                encoder_module, InputView(shape, model.view_dims_, version >= 5, version == 6)
            )
        try:
            model.network_.load_state_dict(payload["state_dict"])
        except (RuntimeError, KeyError) as exc:
            raise ValueError(f"{source!s} does not match the network it describes: {exc}") from None
        model.device_ = model._resolve_device()
        model.network_.to(model.device_).eval()
        model.encoder_ = model.network_.encoder
        model.scaler_ = ChannelScaler.from_state(
            config["scaler"], {"center": payload["scaler_center"].numpy(), "scale": payload["scaler_scale"].numpy()}
        )
        model.embedding_ = payload["embedding"].numpy()
        model.history_ = config["history"]
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
