"""Persistent homology for minibatches, data and embeddings.

* :func:`zero_dim_pairs` — exact 0-dim persistence pairs (minimum-spanning-tree
  edges) of a point cloud or distance matrix: numba on the CPU, torch on CUDA.
* :func:`one_dim_pairs` — 1-dim pairs (loops) with the vertices of their birth
  and death edges, via gudhi.
* :func:`density_modes` — ToMATo's modes of a density on a graph and their
  prominences (numba union-find), for behaviour clustering.
* :func:`persistence_diagram`, :func:`diagram_distance`, :func:`landmarks`.
"""

from .modes import DensityModes, density_modes, symmetric_graph
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
    "DensityModes",
    "OneDimPairs",
    "ZeroDimPairs",
    "density_modes",
    "diagram_distance",
    "landmarks",
    "one_dim_pairs",
    "persistence_diagram",
    "symmetric_graph",
    "zero_dim_pairs",
    "zero_dim_pairs_batched",
]
