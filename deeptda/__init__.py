"""deeptda: topological dimensionality reduction of sensor time series.

Public names are imported lazily so that ``import deeptda`` stays cheap; torch,
numba, gudhi, umap-learn and openTSNE load only when the object that needs them
is first used.
"""

import importlib
import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_LAZY = {
    "DeepTDA": "deeptda._estimator",
    "sliding_windows": "deeptda.windows",
    "SlidingWindow": "deeptda.windows",
    "Windows": "deeptda.windows",
    "TSNE": "deeptda.manifold",
    "UMAP": "deeptda.manifold",
    "ChannelScaler": "deeptda.preprocessing",
    "evaluate_embedding": "deeptda.metrics",
    "evaluation_frame": "deeptda.metrics",
    "trustworthiness": "deeptda.metrics",
    "continuity": "deeptda.metrics",
    "plot_embeddings": "deeptda.plotting",
    "plot_persistence_diagram": "deeptda.plotting",
    "plot_timeline": "deeptda.plotting",
    "plot_history": "deeptda.plotting",
    "plot_representatives": "deeptda.plotting",
    "compare_methods": "deeptda.compare",
    "Comparison": "deeptda.compare",
    "PersistenceClustering": "deeptda.cluster",
    "clusters_to_bouts": "deeptda.bouts",
    "clusters_to_samples": "deeptda.bouts",
    "time_budget": "deeptda.bouts",
    "representative_windows": "deeptda.bouts",
    "add_faults": "deeptda.faults",
    "explore": "deeptda.explorer",
    "read_recordings": "deeptda.recordings",
    "fit_pipeline": "deeptda.herd",
    "HerdPipeline": "deeptda.herd",
    "apply": "deeptda.herd",
}

__all__ = sorted([*_LAZY, "datasets", "topology", "__version__"])


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in (
        "datasets",
        "topology",
        "metrics",
        "plotting",
        "manifold",
        "compare",
        "faults",
        "cluster",
        "bouts",
        "herd",
        "recordings",
        "simulations",
        "explorer",
        "browser",
    ):
        module = importlib.import_module(f"deeptda.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'deeptda' has no attribute {name!r}")


def __dir__():
    return __all__
