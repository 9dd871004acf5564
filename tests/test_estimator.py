import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from deeptda import DeepTDA
from deeptda.metrics import knn_accuracy

FAST = dict(n_epochs=3, map_epochs=3, random_state=0)

# Checks that cannot pass, by name, with the reason.
DEEPTDA_EXPECTED_FAILURES = {}


@parametrize_with_checks(
    [DeepTDA(**FAST)],
    expected_failed_checks=lambda est: DEEPTDA_EXPECTED_FAILURES,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def fitted(collar_windows):
    X = collar_windows.X
    model = DeepTDA(random_state=0).fit(X)
    return model, X, collar_windows.y


def test_quality_on_collar_windows(fitted):
    model, X, y = fitted
    assert model.embedding_.shape == (len(X), 2)
    # seeds 0 and 1 give 0.981 and 0.983 (map), 0.989 and 0.985 (representation)
    assert knn_accuracy(model.embedding_, y, random_state=0) >= 0.95
    assert knn_accuracy(model.representation(X), y, random_state=0) >= 0.95


def test_fitted_attributes(fitted):
    model, X, _ = fitted
    assert model.n_epochs_ >= 10 and model.map_epochs_ >= 30
    assert model.device_ == "cpu"
    assert model.n_features_in_ == 3 and model.window_length_ == 64
    stages = {row["stage"] for row in model.history_}
    assert stages == {"encoder", "map"}
    map_rows = [r for r in model.history_ if r["stage"] == "map"]
    assert {"attraction", "repulsion", "topo0", "total"} <= set(map_rows[0])
    enc = [r["contrastive"] for r in model.history_ if r["stage"] == "encoder"]
    assert enc[-1] < enc[0]  # the contrastive loss goes down


def test_pandas_output_names_the_coordinates_and_keeps_the_index(fitted):
    model, X, _ = fitted
    assert list(model.get_feature_names_out()) == ["deeptda0", "deeptda1"]
    rows = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 3)), columns=["a", "b", "c"])
    rows.index = pd.date_range("2026-06-01", periods=40, freq="s", name="time")
    est = DeepTDA(**FAST).set_output(transform="pandas")
    Y = est.fit_transform(rows)
    assert list(Y.columns) == ["deeptda0", "deeptda1"] and Y.index.equals(rows.index)
    np.testing.assert_array_equal(Y.to_numpy(), est.embedding_)
    tail = est.transform(rows.iloc[30:])
    assert tail.index.equals(rows.index[30:])
    np.testing.assert_allclose(tail.to_numpy(), est.set_output(transform="default").transform(rows.iloc[30:]))
    with pytest.raises(NotFittedError):
        DeepTDA().get_feature_names_out()


def test_transform_is_pure_and_batch_independent(fitted):
    model, X, _ = fitted
    before = {k: v.clone() for k, v in model.network_.state_dict().items()}
    full = model.transform(X)
    # float32 matmuls may round differently with the batch shape: equal to float tolerance
    np.testing.assert_allclose(full, model.embedding_, rtol=1e-5, atol=1e-5)
    part = model.transform(X[5:17])
    np.testing.assert_allclose(part, full[5:17], rtol=1e-5, atol=1e-5)
    after = model.network_.state_dict()
    assert all((before[k] == after[k]).all() for k in before)


def test_same_seed_same_bits():
    X = np.random.default_rng(0).normal(size=(80, 3, 32)).astype(np.float32)
    a = DeepTDA(**FAST).fit_transform(X)
    b = DeepTDA(**FAST).fit_transform(X)
    c = DeepTDA(n_epochs=3, map_epochs=3, random_state=1).fit_transform(X)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_no_global_rng_is_touched():
    import torch

    state = torch.random.get_rng_state().clone()
    np_state = np.random.get_state()[1].copy()
    DeepTDA(**FAST).fit(np.random.default_rng(0).normal(size=(40, 5)))
    assert torch.equal(state, torch.random.get_rng_state())
    assert np.array_equal(np_state, np.random.get_state()[1])


def test_degenerate_inputs_work():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3, 16)).astype(np.float32)
    X[:, 1] = 0.98  # a constant channel: a sensor at rest
    Y = DeepTDA(**FAST).fit_transform(X)
    assert np.isfinite(Y).all()
    dup = np.repeat(X[:5], 10, axis=0)  # duplicate windows
    assert np.isfinite(DeepTDA(**FAST).fit_transform(dup)).all()
    Y64 = DeepTDA(**FAST).fit_transform(X.astype(np.float64))
    assert Y64.dtype == np.float32 and Y64.shape == Y.shape and np.isfinite(Y64).all()
    frame = pd.DataFrame(rng.normal(size=(40, 4)), columns=list("abcd"))
    model = DeepTDA(**FAST).fit(frame)
    assert model.transform(frame).shape == (40, 2)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((20, 3, 8), np.nan), "NaN"),
        (np.zeros((4, 2, 3, 5)), "2-D .* or 3-D"),
        (np.zeros((2, 3, 8)), "at least 3 samples"),
        (np.zeros(10), "2D array"),
    ],
)
def test_bad_fit_input(X, match):
    with pytest.raises(ValueError, match=match):
        DeepTDA(**FAST).fit(X)


def test_bad_transform_input(fitted):
    model, X, _ = fitted
    with pytest.raises(ValueError, match="3 features|channels"):
        model.transform(X[:, :2])
    with pytest.raises(ValueError, match="timepoints"):
        model.transform(X[:, :, :32])
    with pytest.raises(ValueError, match="3-D"):
        model.transform(X[:, 0])
    with pytest.raises(NotFittedError):
        DeepTDA().transform(X)


def test_bad_parameters():
    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match="augmentations"):
        DeepTDA(augmentations=("jitter", "warp"), **FAST).fit(X)
    with pytest.raises(ValueError, match="topo_dims"):
        DeepTDA(topo_dims=(2,), **FAST).fit(X)
    with pytest.raises(ValueError, match="topo_weight"):
        DeepTDA(topo_weight=-1.0).fit(X)


def test_save_load_roundtrip(fitted, tmp_path):
    model, X, _ = fitted
    path = tmp_path / "model.pt"
    model.save(path)
    loaded = DeepTDA.load(path)
    np.testing.assert_array_equal(loaded.transform(X[:50]), model.transform(X[:50]))
    assert loaded.get_params()["topo_weight"] == model.topo_weight
    assert loaded.history_ == model.history_


def test_auto_encoder_is_a_cnn_from_conv_min_length_samples_and_an_mlp_below(tmp_path, monkeypatch):
    from deeptda import encoders

    rng = np.random.default_rng(0)
    kinds = {}
    for length in (8, encoders.CONV_MIN_LENGTH - 1, encoders.CONV_MIN_LENGTH):
        model = DeepTDA(n_epochs=1, map_epochs=1, random_state=0).fit(rng.normal(size=(40, 2, length)))
        kinds[length] = (model._encoder_kind, type(model.encoder_).__name__)
    assert kinds == {
        8: ("mlp", "FlattenEncoder"),
        encoders.CONV_MIN_LENGTH - 1: ("mlp", "FlattenEncoder"),
        encoders.CONV_MIN_LENGTH: ("conv", "ConvEncoder"),
    }
    # a saved model is rebuilt with the encoder it was fitted with, whatever "auto" picks now
    X = rng.normal(size=(40, 2, encoders.CONV_MIN_LENGTH))
    model = DeepTDA(n_epochs=1, map_epochs=1, random_state=0).fit(X)
    model.save(tmp_path / "conv.pt")
    monkeypatch.setattr(encoders, "CONV_MIN_LENGTH", 10 * encoders.CONV_MIN_LENGTH)
    loaded = DeepTDA.load(tmp_path / "conv.pt")
    assert type(loaded.encoder_).__name__ == "ConvEncoder"
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))


# Every constructor parameter with a value other than its default. The first assertion of the
# test below fails when a parameter is added without a value here, so a new parameter cannot be
# left out of what a saved model keeps.
NON_DEFAULT = {
    "n_components": 3,
    "n_neighbors": 7,
    "topo_weight": 1.5,
    "topo_dims": (0, 1),
    "n_epochs": 2,
    "map_epochs": 3,
    "batch_size": 16,
    "learning_rate": 2e-3,
    "map_learning_rate": 5e-3,
    "init": "spectral",
    "latent_dim": 8,
    "augmentations": ("jitter", "crop"),
    "temperature": 0.3,
    "block_weighting": "equal",
    "despike": False,
    "max_train_samples": 40,
    "encoder": "mlp",
    "encoder_init": "random",
    "random_state": 11,
    "verbose": False,
}
NOT_SAVED = {"device": "where a loaded model runs is chosen at load time"}


def test_every_constructor_parameter_survives_save_and_load(tmp_path):
    defaults = DeepTDA().get_params()
    assert set(NON_DEFAULT) | set(NOT_SAVED) == set(defaults), "a parameter has no non-default value in this test"
    assert all(NON_DEFAULT[k] != defaults[k] for k in NON_DEFAULT if k != "verbose")
    X = np.random.default_rng(0).normal(size=(48, 2, 16)).astype(np.float32)
    model = DeepTDA(**NON_DEFAULT).fit(X)
    model.save(tmp_path / "m.pt")
    loaded = DeepTDA.load(tmp_path / "m.pt")
    assert {k: loaded.get_params()[k] for k in NON_DEFAULT} == NON_DEFAULT
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))


@pytest.mark.parametrize(
    "param, as_fitted",
    [("init", "spectral"), ("encoder_init", "random")],  # what models saved before the parameter existed used
)
def test_a_model_saved_before_a_start_parameter_existed_loads_as_it_was_fitted(fitted, param, as_fitted):
    model, X, _ = fitted
    config, tensors = model.get_state()
    del config["params"][param]
    loaded = DeepTDA.from_state(config, tensors)
    assert loaded.get_params()[param] == as_fitted
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))


@pytest.mark.parametrize("shape", [(60, 3, 40), (60, 12)])
def test_the_encoder_starts_from_the_data_not_the_seed(shape):
    X = np.random.default_rng(3).normal(size=shape).astype(np.float32)
    first = {}
    for init in ("pca", "random"):
        for seed in (0, 1):
            model = DeepTDA(n_epochs=1, map_epochs=1, learning_rate=1e-12, encoder_init=init, random_state=seed)
            model.fit(X)
            first[init, seed] = next(model.encoder_.parameters())[:16].detach().clone()  # from the data in both
    # trained for one step at a negligible rate: the weights are still the start
    np.testing.assert_allclose(first["pca", 0], first["pca", 1], atol=1e-9)
    assert not np.allclose(first["random", 0], first["random", 1], atol=1e-3)


def test_load_rejects_corrupt_and_tampered_files(fitted, tmp_path):
    model, _, _ = fitted
    path = tmp_path / "model.pt"
    model.save(path)
    data = path.read_bytes()
    bad = tmp_path / "truncated.pt"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable deeptda model"):
        DeepTDA.load(bad)
    sentinel = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"config": Evil()}))
    with pytest.raises(ValueError, match="not a readable deeptda model"):
        DeepTDA.load(evil)
    assert not sentinel.exists()


def test_a_model_of_another_format_version_is_refused_with_a_refit_hint(fitted, tmp_path):
    import torch

    model, _, _ = fitted
    config, tensors = model.get_state()
    old = dict(config, format_version=3)
    message = "format version 3.*Refit"
    with pytest.raises(ValueError, match=message):
        DeepTDA.from_state(old, tensors)  # how a herd pipeline file rebuilds its model
    path = tmp_path / "old.pt"
    torch.save({"config": json.dumps(old), **tensors}, path)
    with pytest.raises(ValueError, match=message):
        DeepTDA.load(path)


def test_a_version_4_model_loads_with_the_absolute_mean_bin_it_was_fitted_with(fitted):
    # Version 4 differs from 5 only in the spectra view's bin 0: |mean| then, the signed mean now.
    import torch

    from deeptda.encoders import amplitude_spectra

    model, X, _ = fitted
    config, tensors = model.get_state()
    assert config["format_version"] == 7 and model.network_.view.signed_mean
    old = DeepTDA.from_state(dict(config, format_version=4), tensors)
    assert not old.network_.view.signed_mean
    Xs = torch.as_tensor(model.scaler_.transform(X[:50]), dtype=torch.float32)
    spectra_new, spectra_old = (amplitude_spectra(Xs, s) for s in (True, False))
    np.testing.assert_allclose(spectra_old.abs(), spectra_new.abs())
    assert (spectra_new < 0).any() and not (spectra_old < 0).any()
    d0 = model.network_.view.dims[0]
    np.testing.assert_allclose(old.network_.view(Xs)[:, :d0], model.network_.view(Xs)[:, :d0])
    assert not np.allclose(old.network_.view(Xs)[:, d0:], model.network_.view(Xs)[:, d0:])


def test_a_version_6_model_loads_with_the_soft_step_its_kernel_features_had(fitted):
    # Version 6 differs from 7 only in the kernel features' step at each threshold: a steep sigmoid then,
    # an exact count now. The fixture's rows have no kernel block, so fit windows here.
    import torch

    X = np.random.default_rng(4).normal(size=(60, 2, 32)).astype(np.float32)
    model = DeepTDA(**FAST).fit(X)
    config, tensors = model.get_state()
    old = DeepTDA.from_state(dict(config, format_version=6), tensors)
    assert old.network_.view.kernels.soft and not model.network_.view.kernels.soft
    Xs = torch.as_tensor(model.scaler_.transform(X), dtype=torch.float32)
    soft, hard = old.network_.view.kernels(Xs).numpy(), model.network_.view.kernels(Xs).numpy()
    assert not np.array_equal(soft, hard) and np.abs(soft - hard).mean() < 0.02
    assert np.isfinite(old.transform(X)).all()


def test_verbose_shows_progress(capsys):
    DeepTDA(verbose=True, **FAST).fit(np.random.default_rng(0).normal(size=(30, 4)))
    err = capsys.readouterr().err
    assert "encoder" in err and "map" in err


def test_progress_is_redrawn_at_tqdm_pace_not_every_epoch(capsys):
    # piped to a log, a redraw per epoch wrote hundreds of kilobytes for a few hundred windows
    epochs = 400
    DeepTDA(verbose=True, n_epochs=epochs, map_epochs=epochs, random_state=0).fit(
        np.random.default_rng(0).normal(size=(12, 4))
    )
    err = capsys.readouterr().err
    assert 0 < err.count("contrastive=") < epochs // 4 and 0 < err.count("total=") < epochs // 4


def test_mlp_encoder_on_windows_and_custom_encoder():
    import torch

    X = np.random.default_rng(0).normal(size=(30, 2, 8)).astype(np.float32)
    assert DeepTDA(encoder="mlp", **FAST).fit_transform(X).shape == (30, 2)

    def factory(shape, latent_dim):
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(int(np.prod(shape)), latent_dim))

    model = DeepTDA(encoder=factory, **FAST).fit(X)
    assert isinstance(model.encoder_, torch.nn.Sequential)
