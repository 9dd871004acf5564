"""Persistent homology for minibatches, data and embeddings.

* :func:`zero_dim_pairs` — exact 0-dim persistence pairs (minimum-spanning-tree
  edges) of a point cloud or distance matrix: numba on the CPU, torch on CUDA.
* :func:`one_dim_pairs` — 1-dim pairs (loops) with the vertices of their birth
  and death edges, via gudhi.
* :func:`persistence_diagram`, :func:`diagram_distance`, :func:`landmarks`.
"""

from .persistence import (
    OneDimPairs,
    ZeroDimPairs,
    diagram_distance,
    landmarks,
    one_dim_pairs,
    persistence_diagram,
    zero_dim_pairs,
    zero_dim_pairs_batched,
)

__all__ = [
    "OneDimPairs",
    "ZeroDimPairs",
    "diagram_distance",
    "landmarks",
    "one_dim_pairs",
    "persistence_diagram",
    "zero_dim_pairs",
    "zero_dim_pairs_batched",
]
