"""t-SNE and UMAP with DeepTDA's API, for side-by-side comparison.

Both take what DeepTDA takes: 3-D windows are standardised per channel with the
same :class:`~deeptda.preprocessing.ChannelScaler` DeepTDA uses, then flattened;
2-D rows are used as they are. Backends (openTSNE, umap-learn, scikit-learn)
are imported only when fitting.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .preprocessing import ChannelScaler, check_windows_or_rows

__all__ = ["TSNE", "UMAP"]


def _import(module, package):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"this needs the '{package}' package; install it with: pip install {package}") from None


class _Flattening(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Shared input handling: validate, standardise windows, flatten."""

    def _features(self, X, reset):
        X = check_windows_or_rows(self, X, reset=reset)
        if X.ndim == 3:
            if reset:
                self.scaler_ = ChannelScaler().fit(X)
            X = self.scaler_.transform(X).reshape(X.shape[0], -1)
        return np.ascontiguousarray(X, dtype=np.float64)

    def _fit_features(self, X):
        """Validate parameters and input at ``fit``; returns the flattened features."""
        self._validate_params()
        F = self._features(X, reset=True)
        if F.shape[0] < 4:
            raise ValueError(f"{type(self).__name__} needs at least 4 samples; got {F.shape[0]}.")
        return F

    def fit_transform(self, X, y=None):
        return self.fit(X).embedding_

    @property
    def _n_features_out(self):  # output names tsne0, umap0, ...; set_output(transform="pandas") uses them
        return self.embedding_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = []
        return tags


class TSNE(_Flattening):
    """t-SNE with ``fit``/``transform``, on openTSNE (or scikit-learn).

    Parameters
    ----------
    n_components : int, default=2
    perplexity : float, default=30.0
        Capped at ``(n_samples - 1) / 3`` for small data.
    backend : {"opentsne", "sklearn"}, default="opentsne"
        openTSNE can embed new data (``transform``); scikit-learn's cannot.
    n_jobs : int, default=1
        Threads for openTSNE; 1 keeps results reproducible across machines.
    random_state : None, int or RandomState, default=None
        Passed to the backend (a RandomState is drawn from once for a seed).
    verbose : bool, default=False

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
    model_ : openTSNE.TSNEEmbedding or sklearn.manifold.TSNE
    perplexity_ : float

    Examples
    --------
    >>> import numpy as np
    >>> Y = TSNE(random_state=0).fit_transform(np.random.default_rng(0).normal(size=(50, 4)))
    >>> Y.shape
    (50, 2)
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "perplexity": [Interval(numbers.Real, 0, None, closed="neither")],
        "backend": [StrOptions({"opentsne", "sklearn"})],
        "n_jobs": [numbers.Integral],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    }

    def __init__(
        self, n_components=2, *, perplexity=30.0, backend="opentsne", n_jobs=1, random_state=None, verbose=False
    ):
        self.n_components = n_components
        self.perplexity = perplexity
        self.backend = backend
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Embed ``X``; returns ``self``."""
        F = self._fit_features(X)
        self.perplexity_ = float(min(self.perplexity, (F.shape[0] - 1) / 3))
        seed = self.random_state
        if isinstance(seed, np.random.RandomState):
            seed = int(seed.randint(2**31 - 1))
        if self.backend == "opentsne":
            openTSNE = _import("openTSNE", "openTSNE")
            self.model_ = openTSNE.TSNE(
                n_components=self.n_components,
                perplexity=self.perplexity_,
                random_state=seed,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
            ).fit(F)
            self.embedding_ = np.asarray(self.model_, dtype=np.float64)
        else:
            from sklearn.manifold import TSNE as SKTSNE

            self.model_ = SKTSNE(
                n_components=self.n_components,
                perplexity=self.perplexity_,
                random_state=seed,
                verbose=int(self.verbose),
            )
            self.embedding_ = self.model_.fit_transform(F)
        return self

    def transform(self, X):
        """Place new samples in the fitted embedding (openTSNE backend only)."""
        check_is_fitted(self)
        if self.backend != "opentsne":
            raise ValueError("backend='sklearn' cannot embed new data; use backend='opentsne'.")
        F = self._features(X, reset=False)
        return np.asarray(self.model_.transform(F), dtype=np.float64)


class UMAP(_Flattening):
    """UMAP (umap-learn) with DeepTDA's API.

    Parameters
    ----------
    n_components : int, default=2
    n_neighbors : int, default=15
        Capped at ``n_samples - 1``.
    min_dist : float, default=0.1
    random_state : None, int or RandomState, default=None
        A seed (or RandomState) makes umap-learn single-threaded and reproducible.
    verbose : bool, default=False

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
    model_ : umap.UMAP

    Examples
    --------
    >>> import numpy as np
    >>> Y = UMAP(random_state=0).fit_transform(np.random.default_rng(0).normal(size=(50, 4)))
    >>> Y.shape
    (50, 2)
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(numbers.Integral, 2, None, closed="left")],
        "min_dist": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    }

    def __init__(self, n_components=2, *, n_neighbors=15, min_dist=0.1, random_state=None, verbose=False):
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Embed ``X``; returns ``self``."""
        import warnings

        F = self._fit_features(X)
        umap = _import("umap", "umap-learn")
        self.n_neighbors_ = int(min(self.n_neighbors, F.shape[0] - 1))
        self.model_ = umap.UMAP(
            n_components=self.n_components,
            n_neighbors=self.n_neighbors_,
            min_dist=self.min_dist,
            random_state=self.random_state,
            verbose=self.verbose,
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs value.*overridden.*")
            warnings.filterwarnings("ignore", message=".*k >= N.*")
            self.embedding_ = np.asarray(self.model_.fit_transform(F), dtype=np.float64)
        return self

    def transform(self, X):
        """Place new samples in the fitted embedding."""
        check_is_fitted(self)
        F = self._features(X, reset=False)
        return np.asarray(self.model_.transform(F), dtype=np.float64)
