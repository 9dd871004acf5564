"""Behaviour clusters from an embedding or a representation.

:class:`PersistenceClustering` — ToMATo (persistence-based mode seeking on a kNN
density; :func:`deeptda.topology.density_modes`) with the number of clusters read
from a bootstrap band on the prominences. ``predict`` assigns new points. Clusters
go back to the stream as bouts in :mod:`deeptda.bouts`. (For HDBSCAN, use
:class:`sklearn.cluster.HDBSCAN` on the same space: its parameters and results are
its own.)
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .bouts import alternation_merges, alternation_counts

__all__ = ["PersistenceClustering", "alternation_counts"]


class PersistenceClustering(ClusterMixin, BaseEstimator):
    """Clusters of an embedding or representation, with their number read from persistence.

    ToMATo (:func:`deeptda.topology.density_modes`):
    a log distance-to-measure density on the symmetric ``n_neighbors`` graph
    (j is i's neighbour or i is j's, except where i is far from a j about ``REACH_DENSITY``
    times denser, on j's own scale: an outlier does not bridge two groups); every local maximum starts a cluster, which
    merges into a higher one when its prominence (density at birth minus
    density at merge) is exhausted. A group of points that are nobody else's
    neighbours (a separate component of the graph) is a cluster of infinite
    prominence. With ``n_clusters=None`` the count is read from the
    prominences:

    * ``selection="bootstrap"`` (default): a cluster is kept when its
      prominence exceeds ``2 c``, where ``c`` is the ``confidence`` quantile,
      over ``n_bootstrap`` resamples of the points, of the largest change of
      the density estimate over the densest ``band_fraction`` of the points
      (the bootstrap confidence band of Fasy et al., 2014, applied to ToMATo's
      prominences, with its supremum taken where the modes are). Modes that
      noise in the density estimate could create are dropped; on little data
      the band is wide and fewer clusters pass. The count's uncertainty is the
      range of counts that other quantiles of the same band give
      (``n_clusters_range_``). Over all points
      (``band_fraction=1``) the band is set by the sparsest ones (outliers,
      windows between behaviours), where a kNN density varies most, and
      merges behaviours whose modes are well resolved
      (``docs/benchmarks.md``, clustering).
    * ``selection="gap"``: the count just before the largest drop between
      consecutive prominences.

    Parameters
    ----------
    n_clusters : int or None, default=None
        Fix the number of clusters; ``None`` chooses it from persistence.
    n_neighbors : int or "auto", default="auto"
        Neighbours of the density estimate and graph; capped at
        n - 1. ``"auto"``: ``sqrt(n)``, rounded and clipped to [5, 100]: the
        density smooths more as data grow (fewer spurious modes), while on
        small data (a few dozen points per cluster) it is not averaged across
        clusters.
    selection : {"bootstrap", "gap"}, default="bootstrap"
        How ``n_clusters=None`` chooses the count.
    n_bootstrap : int, default=50
        Resamples for ``selection="bootstrap"``. Each costs one kNN search of
        all points, which grows as n² in high dimensions (far less in 2-D), so
        cluster a subsample or the map when n is in the hundreds of thousands,
        or lower this.
    confidence : float, default=0.95
        Quantile of the bootstrap band.
    band_fraction : float, default=0.1
        The band's supremum is taken over this fraction of the points, the
        densest (``1.0``: all points).
    alternation : float or None, default=0.5
        With ``sequence`` given to :meth:`fit` (and ``n_clusters=None``), two
        clusters whose windows alternate in time within the same bouts merge,
        strongest first, while the pair's alternation exceeds this value: the
        number of time-adjacent window pairs that join the two, divided by
        ``2 n_a n_b / (n_a + n_b)``, the number expected if the ``n_a + n_b``
        windows were one behaviour split at random into the two. It is about 1
        for two islands of one behaviour that interleave within its bouts, and
        at most about ``1 / L`` for two behaviours whose bouts last ``L``
        windows, so 0.5 merges only what alternates from one window to the
        next more often than bouts of two windows would. ``None``: no merging
        by time.
    max_dims : int or None, default=4
        Points with more columns are first projected onto their ``max_dims``
        leading principal components (fitted on the clustered points;
        :meth:`predict` projects new points the same way). A kNN density's
        error grows fast with the dimension: for a smooth density the
        neighbour count that balances its bias and variance grows as
        ``n ** (4 / (d + 4))``, which is the ``sqrt(n)`` of
        ``n_neighbors="auto"`` at ``d = 4``. A 2-D map is used as it is.
        ``None``: every column.
    max_samples : int, default=10000
        Larger data are clustered on a seeded random sample of this many
        points; the others join the commonest cluster of their nearest sampled points
        (:meth:`predict`), so the cost stops growing with n beyond the search
        for nearest neighbours.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample and the bootstrap resamples.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster ids, numbered from the largest cluster (0) to the smallest.
    n_clusters_ : int
    n_neighbors_ : int
        Neighbours used (ToMATo).
    prominence_ : ndarray
        Sorted prominences, ``inf`` for each connected component (ToMATo).
    gap_ : tuple of float
        The two prominences on either side of the chosen cut (ToMATo).
    threshold_ : float or None
        ``2 c``, the ``confidence`` cut (``selection="bootstrap"``).
    n_clusters_range_ : tuple of int
        The uncertainty of the count: the counts that the 99th percentile and
        the median of the bootstrap distribution would give, in place of the
        ``confidence`` quantile (``(n, n)`` when the count was not chosen by
        the bootstrap). Report it as ``"5 (4-6)"``.
    n_merged_by_time_ : int
        Merges made because clusters alternated in time (``alternation``); 0
        without ``sequence``. ``n_clusters_`` and ``n_clusters_range_`` count
        the clusters after them.
    n_fit_ : int
        Points the clustering was fitted on (at most ``max_samples``).
    projection_ : tuple (mean, components) or None
        The principal axes the points were projected on (``max_dims``), or
        ``None`` when every column was used.
    diagram_ : ndarray of shape (m, 2)
        (peak density, merge density) of every finite merge (ToMATo).
    outlier_distance_ : float
        :meth:`predict` gives -1 to a point farther than this from every
        training point: the largest distance of a training point to its
        ``n_neighbors_``-th neighbour.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 0.3, (50, 2)), rng.normal(4, 0.3, (50, 2)), rng.normal((0, 4), 0.3, (50, 2))]
    >>> PersistenceClustering().fit(X).n_clusters_
    3
    """

    _parameter_constraints = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_neighbors": [Interval(numbers.Integral, 2, None, closed="left"), StrOptions({"auto"})],
        "selection": [StrOptions({"bootstrap", "gap"})],
        "n_bootstrap": [Interval(numbers.Integral, 1, None, closed="left")],
        "confidence": [Interval(numbers.Real, 0, 1, closed="neither")],
        "band_fraction": [Interval(numbers.Real, 0, 1, closed="right")],
        "alternation": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "max_dims": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "max_samples": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters=None,
        *,
        n_neighbors="auto",
        selection="bootstrap",
        n_bootstrap=50,
        confidence=0.95,
        band_fraction=0.1,
        alternation=0.5,
        max_dims=4,
        max_samples=10000,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.selection = selection
        self.n_bootstrap = n_bootstrap
        self.confidence = confidence
        self.band_fraction = band_fraction
        self.alternation = alternation
        self.max_dims = max_dims
        self.max_samples = max_samples
        self.random_state = random_state

    def fit(self, X, y=None, *, sequence=None):
        """Cluster ``X``; returns ``self``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sequence : array-like of shape (n_samples,), optional
            The rows are windows in time order and this gives each a recording
            (or segment) id: consecutive rows with the same id follow each other
            in time. Start a new id wherever a recording has a gap. With it,
            clusters that alternate within the same bouts merge (``alternation``).
        """
        self._validate_params()
        X_all = _finite_distances(validate_data(self, X, dtype=np.float64, ensure_min_samples=2))
        if sequence is not None:
            sequence = np.asarray(sequence)
            if sequence.shape != (X_all.shape[0],):
                raise ValueError(
                    f"sequence must hold one id per row of X ({X_all.shape[0]} rows); got shape "
                    f"{sequence.shape}. Pass the recording id of each window, in time order."
                )
        rng = check_random_state(self.random_state)
        sample = None
        if X_all.shape[0] > self.max_samples:
            sample = np.sort(rng.choice(X_all.shape[0], self.max_samples, replace=False))
        X = X_all if sample is None else X_all[sample]
        n = X.shape[0]
        self.n_fit_ = n
        self.projection_ = _principal_axes(X, self.max_dims)
        self._fit_on(self._project(X), n, rng)
        if sample is not None:  # the rest: the commonest cluster of their nearest sampled points
            self.labels_ = self.predict(X_all)
        self.n_merged_by_time_ = 0
        if sequence is not None and self.n_clusters is None and self.alternation is not None:
            self._merge_by_time(sequence)
        return self

    def _merge_by_time(self, sequence):
        n_ids = int(self.labels_.max()) + 1 if len(self.labels_) else 0
        self._merge_from_counts(*alternation_counts(self.labels_, sequence, n_ids))

    def merge_by_time(self, joins, sizes):
        """Merge clusters that alternate in time, from counts gathered over a stream; returns ``self``.

        For data too large to pass to :meth:`fit` at once (a herd of recordings, see
        :func:`deeptda.herd.fit_pipeline`): fit on a sample, then run :meth:`predict`
        over the windows in time order and count, for every pair of clusters, the
        time-adjacent windows that join them (:func:`alternation_counts`, summed
        over the chunks). The merging rule is the one :meth:`fit` applies with
        ``sequence`` (``alternation``); ``labels_``, :meth:`predict`,
        ``n_clusters_`` and ``n_clusters_range_`` follow it. Does nothing with
        ``n_clusters`` fixed or ``alternation=None``.

        Parameters
        ----------
        joins : ndarray of shape (m, m)
            ``joins[a, b]``: time-adjacent pairs of windows in clusters ``a`` and ``b``
            (either order; symmetric); ``m`` is the fitted ``n_clusters_``.
        sizes : ndarray of shape (m,)
            Windows in each cluster.
        """
        check_is_fitted(self, "labels_")
        n_ids = int(self._fit_labels_.max()) + 1 if len(self._fit_labels_) else 0
        joins, sizes = np.asarray(joins, dtype=np.float64), np.asarray(sizes, dtype=np.float64)
        if joins.shape != (n_ids, n_ids) or sizes.shape != (n_ids,):
            raise ValueError(
                f"joins must be ({n_ids}, {n_ids}) and sizes ({n_ids},), one entry per cluster; got "
                f"{joins.shape} and {sizes.shape}. Count them with alternation_counts(labels, sequence, {n_ids})."
            )
        self.n_merged_by_time_ = 0
        if self.n_clusters is None and self.alternation is not None:
            self._merge_from_counts(joins, sizes)
        return self

    def _merge_from_counts(self, joins, sizes):
        parent = alternation_merges(joins, sizes, float(self.alternation))
        merged = np.where(self.labels_ >= 0, parent[np.maximum(self.labels_, 0)], -1)
        self.n_merged_by_time_ = int(
            len(np.unique(self.labels_[self.labels_ >= 0])) - len(np.unique(merged[merged >= 0]))
        )
        if self.n_merged_by_time_ == 0:
            return
        renumbered = _by_size(merged)
        lookup = np.full(len(parent), -1, dtype=np.int64)
        lookup[merged[merged >= 0]] = renumbered[merged >= 0]
        fit = self._fit_labels_
        self._fit_labels_ = np.where(fit >= 0, lookup[parent[np.maximum(fit, 0)]], -1)
        self.labels_ = renumbered
        self.n_clusters_ = int(len(np.unique(renumbered[renumbered >= 0])))
        low, high = self.n_clusters_range_
        self.n_clusters_range_ = (
            min(max(1, low - self.n_merged_by_time_), self.n_clusters_),
            max(high - self.n_merged_by_time_, self.n_clusters_),
        )

    def _fit_on(self, X, n, rng):
        from sklearn.neighbors import NearestNeighbors

        from .topology import density_modes, symmetric_graph

        k = _auto_neighbors(n) if self.n_neighbors == "auto" else int(self.n_neighbors)
        k = int(min(k, n - 1))
        self.n_neighbors_ = k
        dist, ind = NearestNeighbors(n_neighbors=k).fit(X).kneighbors()
        density = _log_dtm_density(dist, X.shape[1])
        # a group of points with no neighbour outside it: a component, of infinite prominence
        graph = symmetric_graph(ind, distances=dist, reach=REACH_DENSITY ** (1.0 / X.shape[1]))
        modes = density_modes(graph, density)
        if self.n_clusters is not None and self.n_clusters < len(modes.components):
            # fewer clusters than components asked for: join the components along the minimum
            # spanning tree, on every kNN edge (no reach), so that they merge by prominence too
            from .topology import zero_dim_pairs

            graph = symmetric_graph(ind, extra_edges=zero_dim_pairs(X).edges)
            modes = density_modes(graph, density)
        n_components = len(modes.components)
        by_prominence = np.argsort(-modes.prominence, kind="stable")
        finite = modes.prominence[by_prominence]
        self.prominence_ = np.r_[np.full(n_components, np.inf), finite]
        self.threshold_ = None
        significant = None  # boolean per merge (in by_prominence order) when a band decides
        if self.n_clusters is not None:
            chosen = int(min(self.n_clusters, n_components + len(finite)))
            significant = np.arange(len(finite)) < chosen - n_components
            low = high = chosen
        elif len(finite) == 0:
            chosen = low = high = n_components
        elif self.selection == "bootstrap":
            # one band for all modes: the sup over all points of the density's bootstrap deviation
            deviation = _bootstrap_deviation(X, density, k, self.n_bootstrap, rng)
            dense = density >= np.quantile(density, 1.0 - self.band_fraction)
            sup = deviation[:, dense].max(axis=1)
            self.threshold_ = 2.0 * float(np.quantile(sup, self.confidence))
            low = n_components + int((finite > 2.0 * np.quantile(sup, 1 - (1 - self.confidence) / 5)).sum())
            high = n_components + int((finite > 2.0 * np.quantile(sup, 0.5)).sum())
            chosen = n_components + int((finite > self.threshold_).sum())
            significant = np.arange(len(finite)) < chosen - n_components
        else:
            tail = np.r_[finite, 0.0]
            chosen = low = high = n_components + int(np.argmax(tail[:-1] - tail[1:])) + 1
            significant = np.arange(len(finite)) < chosen - n_components
        self.n_clusters_ = chosen
        self.n_clusters_range_ = (min(low, chosen), max(high, chosen))
        edge = np.r_[self.prominence_, 0.0]
        self.gap_ = (float(edge[chosen - 1]), float(edge[chosen]))
        self.diagram_ = np.column_stack([density[modes.peaks], density[modes.saddles]])
        keep = modes.peaks[by_prominence][significant] if significant is not None else modes.peaks
        labelled = density_modes(graph, density, keep=keep)
        self.labels_ = _by_size(np.unique(labelled.root, return_inverse=True)[1].astype(np.int64))
        self._remember_training_points(X, dist[:, -1])

    def predict(self, X):
        """Cluster of new points: the commonest cluster among their nearest training points.

        A kNN classifier's vote over the ``VOTERS`` (15; fewer when ``n_neighbors_``
        is lower) nearest clustered points; ties go to the larger cluster (the lower
        id). The border between two clusters is thus where their training points
        meet on average, not where a single point happens to lie: fitted on a random
        half of a stream, ``predict`` agrees more closely with a fit on the whole than
        the nearest point's cluster does (``docs/benchmarks.md``, clustering). A point
        that coincides with a training point takes that point's cluster, so on the
        training points ``predict`` returns ``labels_`` (among exact duplicates, the
        cluster of one of them). A point farther than ``outlier_distance_`` from every
        training point (farther than any training point is from its
        ``n_neighbors_``-th neighbour) gets -1. Deterministic; new points are searched
        in blocks of ``PREDICT_BLOCK`` rows, so memory does not grow with their number.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points in the space the clustering was fitted on.

        Returns
        -------
        ndarray of shape (n_samples,), int64
        """
        check_is_fitted(self, "labels_")
        X = _finite_distances(validate_data(self, X, dtype=np.float64, reset=False))
        P = self._project(X)
        labels = np.empty(len(P), dtype=np.int64)
        for start in range(0, len(P), PREDICT_BLOCK):
            block = slice(start, start + PREDICT_BLOCK)
            labels[block] = _vote(*self._nn_.kneighbors(P[block]), self._fit_labels_, self.outlier_distance_)
        return labels

    def _project(self, X):
        projection = getattr(self, "projection_", None)
        if projection is None:
            return X
        mean, components = projection
        return (X - mean) @ components.T

    def _remember_training_points(self, X, kth_distance):
        from sklearn.neighbors import NearestNeighbors

        self._nn_ = NearestNeighbors(n_neighbors=min(VOTERS, self.n_neighbors_, len(X))).fit(X)
        self._fit_points_ = X
        self._fit_labels_ = self.labels_.copy()
        self.outlier_distance_ = float(np.max(kth_distance)) if len(kth_distance) else 0.0

    def get_state(self):
        """What :meth:`predict` needs, as ``(config, arrays)``: a JSON-able dict and numpy arrays.

        The training points (projected, see ``max_dims``) and their clusters, the projection,
        the outlier distance and the parameters;
        :meth:`from_state` rebuilds a model whose ``predict`` gives the same labels.
        """
        check_is_fitted(self, "labels_")
        params = self.get_params(deep=False)
        if not isinstance(params["random_state"], (int, np.integer, type(None))):
            params["random_state"] = None  # a RandomState's state is not kept
        fitted = {
            "n_clusters_": int(self.n_clusters_),
            "n_clusters_range_": [int(v) for v in self.n_clusters_range_],
            "n_neighbors_": int(self.n_neighbors_),
            "outlier_distance_": float(self.outlier_distance_),
            "n_features_in_": int(self.n_features_in_),
            "n_fit_": int(self.n_fit_),
            "n_merged_by_time_": int(getattr(self, "n_merged_by_time_", 0)),
        }
        arrays = {
            "points": np.asarray(self._fit_points_, dtype=np.float64),
            "labels": np.asarray(self._fit_labels_, dtype=np.int64),
        }
        if getattr(self, "projection_", None) is not None:
            arrays["projection_mean"], arrays["projection_components"] = self.projection_
        return {"params": params, "fitted": fitted}, arrays

    @classmethod
    def from_state(cls, config, arrays):
        """Rebuild a fitted model from :meth:`get_state`'s ``(config, arrays)`` (``labels_`` are the
        training points' clusters)."""
        from sklearn.neighbors import NearestNeighbors

        params = dict(config["params"])
        params.setdefault("max_dims", None)  # saved before the projection existed: fitted on every column
        model = cls(**params)
        model.projection_ = (
            (np.asarray(arrays["projection_mean"], np.float64), np.asarray(arrays["projection_components"], np.float64))
            if "projection_mean" in arrays
            else None
        )
        for key, value in config["fitted"].items():
            setattr(model, key, tuple(value) if isinstance(value, list) else value)
        points = np.ascontiguousarray(arrays["points"], dtype=np.float64)
        model.labels_ = np.asarray(arrays["labels"], dtype=np.int64)
        model._fit_points_, model._fit_labels_ = points, model.labels_.copy()
        model._nn_ = NearestNeighbors(n_neighbors=min(VOTERS, model.n_neighbors_, len(points))).fit(points)
        return model

    def plot(self, *, ax=None):
        """The prominence diagram with the chosen cut; returns the axes."""
        import matplotlib.pyplot as plt

        check_is_fitted(self, "labels_")
        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.5))
        finite = self.prominence_[np.isfinite(self.prominence_)]
        ranks = np.arange(1, len(finite) + 1) + (len(self.prominence_) - len(finite))
        ax.bar(ranks, finite, color="0.5")
        if self.threshold_ is not None:
            ax.axhline(self.threshold_, color="C0", ls=":", label="bootstrap threshold")
        ax.axvline(self.n_clusters_ + 0.5, color="C3", ls="--", label=f"{self.n_clusters_} clusters")
        ax.set_xlabel("cluster rank")
        ax.set_ylabel("prominence")
        ax.legend()
        return ax


def _by_size(labels):
    """Renumber clusters 0, 1, ... from the largest to the smallest (ties: first point first);
    -1 stays -1. Makes the ids independent of the backend's internal order."""
    ids = [c for c in np.unique(labels) if c != -1]
    first = {c: int(np.argmax(labels == c)) for c in ids}
    order = sorted(ids, key=lambda c: (-int((labels == c).sum()), first[c]))
    mapping = np.full(labels.max() + 2 if len(labels) else 1, -1, dtype=np.int64)
    for new, old in enumerate(order):
        mapping[old] = new
    return np.where(labels == -1, -1, mapping[labels])


#: An edge of the density's graph from i to its neighbour j is cut when j is about this many times denser:
#: i must lie within ``REACH_DENSITY ** (1/d)`` times j's ``n_neighbors``-th neighbour distance in d dimensions
#: (:func:`deeptda.topology.symmetric_graph`), as a kNN radius scales as density^(-1/d).
REACH_DENSITY = 5.0

#: Nearest training points whose clusters vote in :meth:`PersistenceClustering.predict` (at most
#: ``n_neighbors_``).
VOTERS = 15
#: Rows of new points searched at once by :meth:`PersistenceClustering.predict`.
PREDICT_BLOCK = 20_000


def _vote(dist, ind, fit_labels, outlier_distance):
    """Clusters of points from their nearest training points (``dist``, ``ind``: rows sorted by
    distance): the commonest cluster among them (ties: the lowest id), the nearest one's where it
    coincides with the point, -1 beyond ``outlier_distance``.

    Examples
    --------
    >>> dist = np.array([[0.0, 1.0, 1.0], [0.5, 1.0, 1.0], [9.0, 9.5, 9.8]])
    >>> ind = np.array([[0, 1, 2], [0, 1, 2], [0, 1, 2]])
    >>> _vote(dist, ind, np.array([1, 0, 0]), outlier_distance=5.0).tolist()
    [1, 0, -1]
    """
    neighbours = fit_labels[ind]
    n_ids = int(fit_labels.max()) + 2 if len(fit_labels) else 1
    rows = np.repeat(np.arange(len(ind)) * n_ids, ind.shape[1])
    votes = np.bincount(rows + neighbours.ravel() + 1, minlength=len(ind) * n_ids).reshape(len(ind), n_ids)
    labels = votes[:, 1:].argmax(axis=1)  # column 0 counts noise (-1) neighbours: never chosen
    labels[votes[:, 1:].sum(axis=1) == 0] = -1
    same = dist[:, 0] == 0.0
    labels[same] = neighbours[same, 0]
    labels[dist[:, 0] > outlier_distance] = -1
    return labels.astype(np.int64)


def _auto_neighbors(n):
    """``n_neighbors="auto"``: ``sqrt(n)``, rounded and clipped to [5, 100]."""
    return int(np.clip(round(np.sqrt(n)), 5, 100))


def _principal_axes(X, max_dims):
    """``(mean, components)`` of the ``max_dims`` leading principal axes of ``X``, or ``None``
    when ``X`` has no more columns than that. scikit-learn's PCA: a seeded randomized SVD on
    large inputs, so no columns x columns matrix, and deterministic signs."""
    if max_dims is None or X.shape[1] <= max_dims:
        return None
    from sklearn.decomposition import PCA

    solver = "randomized" if min(X.shape) > 500 else "full"
    pca = PCA(max_dims, svd_solver=solver, random_state=0).fit(X)
    return pca.mean_, pca.components_


def _finite_distances(X):
    """``X``, after checking that squared distances between its points cannot overflow float64."""
    largest = float(np.abs(X).max()) if X.size else 0.0
    if largest > np.sqrt(np.finfo(np.float64).max / (4 * max(X.shape[1], 1))):
        raise ValueError(
            f"X holds values up to {largest:.3g}: distances between such points overflow float64. "
            "Rescale X first (e.g. divide it by its largest absolute value); the clusters do not change."
        )
    return X


def _log_dtm_density(dist, dim):
    """Log distance-to-measure density from each point's neighbour distances (rows)."""
    dtm = np.sqrt(np.nanmean(dist**2, axis=1))
    return -dim * np.log(dtm + 1e-12 * max(np.nanmax(dtm), 1e-300))


def _bootstrap_deviation(X, density, k, n_bootstrap, rng):
    """``|f*(x_i) - f(x_i)|`` at every point for each of ``n_bootstrap`` resamples: (B, n).

    ``f*`` is the same log-DTM density, estimated at the original points from a
    resample drawn with replacement; copies of the query point itself are left
    out, as ``f`` leaves the point out.
    """
    from sklearn.neighbors import NearestNeighbors

    n = X.shape[0]
    rows = np.arange(n)[:, None]
    out = np.zeros((n_bootstrap, n))
    for b in range(n_bootstrap):
        idx = rng.randint(0, n, n)
        copies = int(np.bincount(idx, minlength=n).max())
        dist, nb = NearestNeighbors(n_neighbors=min(k + copies, n)).fit(X[idx]).kneighbors(X)
        dist = np.where(idx[nb] == rows, np.nan, dist)  # a point's own copies
        dist = np.sort(dist, axis=1)[:, :k]  # NaN sorts last
        deviation = np.abs(_log_dtm_density(dist, X.shape[1]) - density)
        out[b] = np.where(np.isfinite(deviation), deviation, 0.0)
    return out
