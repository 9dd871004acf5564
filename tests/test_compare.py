import numpy as np
import pytest

from deeptda import UMAP, DeepTDA
from deeptda.compare import Comparison, compare_methods


def test_compare_methods_end_to_end_tiny(collar_windows):
    w = collar_windows
    methods = {"DeepTDA": DeepTDA(n_epochs=2, map_epochs=2, random_state=0), "UMAP": UMAP(random_state=0)}
    result = compare_methods(
        w.X, w.y, methods=methods, random_state=0, metric_params={"n_neighbors": 5, "max_points_1d": 50}
    )
    assert isinstance(result, Comparison) and set(result.embeddings) == {"DeepTDA", "UMAP"}
    assert {"knn_accuracy", "fit_s", "transform_ms_per_sample"} <= set(result.table.columns)
    assert (result.table["fit_s"] > 0).all() and (result.table["transform_ms_per_sample"] > 0).all()
    assert not hasattr(methods["DeepTDA"], "embedding_")  # the given estimators are cloned, not fitted
    np.testing.assert_array_equal(result.models["DeepTDA"].embedding_, result.embeddings["DeepTDA"])
    # by name: the three methods, seeded alike
    named = compare_methods(w.X[:80], w.y[:80], methods=["t-SNE"], random_state=0, metric_params={"n_neighbors": 5})
    assert list(named.table.index) == ["t-SNE"] and named.models["t-SNE"].random_state == 0
    with pytest.raises(ValueError, match="unknown method"):
        compare_methods(w.X, w.y, methods=["PCA"])
