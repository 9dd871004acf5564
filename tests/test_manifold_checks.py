"""scikit-learn's estimator checks on the t-SNE and UMAP wrappers."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deeptda import TSNE, UMAP

# openTSNE places new points by optimising them against the fitted embedding, so
# transform(X) after fit(X) is close to, not equal to, fit_transform(X).
_TSNE_TRANSFORM = "openTSNE's transform re-optimises new points; it does not reproduce fit_transform"
# umap-learn places new points jointly, so a point's coordinates depend on the other new points.
_UMAP_JOINT = "umap-learn's transform places new points jointly; a row depends on the other rows"
EXPECTED = {
    "TSNE": {
        "check_transformer_general": _TSNE_TRANSFORM,
        "check_transformer_data_not_an_array": _TSNE_TRANSFORM,
    },
    "UMAP": {
        "check_methods_subset_invariance": _UMAP_JOINT,
        "check_methods_sample_order_invariance": _UMAP_JOINT,
    },
}


@parametrize_with_checks(
    [TSNE(random_state=0), UMAP(random_state=0)], expected_failed_checks=lambda est: EXPECTED[type(est).__name__]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
