"""scikit-learn's estimator checks for the estimators beside DeepTDA, TSNE and UMAP.

A check that cannot pass is listed by name with its reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deeptda import PersistenceClustering, SlidingWindow

_ROWS_ARE_WINDOWS = "a stream of n samples becomes fewer windows: transform's rows are windows, not the input's samples"
_ORDERED = "a stream is ordered in time: windows are cut from consecutive samples, so order and subsets matter"
_ONE_CHANNEL = "a 1-D array is a stream of one channel, not an error"
SLIDING_WINDOW_EXPECTED_FAILURES = {
    "check_transformer_data_not_an_array": _ROWS_ARE_WINDOWS,
    "check_transformer_general": _ROWS_ARE_WINDOWS,
    "check_transformer_general(readonly_memmap=True)": _ROWS_ARE_WINDOWS,
    "check_transformer_preserve_dtypes": "windows are float32 whatever the stream's dtype (DeepTDA's input)",
    "check_methods_sample_order_invariance": _ORDERED,
    "check_methods_subset_invariance": _ORDERED,
    "check_fit1d": _ONE_CHANNEL,
    "check_fit2d_predict1d": _ONE_CHANNEL,
}
CLUSTERING_EXPECTED_FAILURES = {}


def _expected(estimator):
    if isinstance(estimator, SlidingWindow):
        return SLIDING_WINDOW_EXPECTED_FAILURES
    return CLUSTERING_EXPECTED_FAILURES


@parametrize_with_checks(
    [SlidingWindow(window=4, stride=2), PersistenceClustering(random_state=0)], expected_failed_checks=_expected
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
