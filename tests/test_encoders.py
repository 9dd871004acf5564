"""The encoder's parts: the input views (PCA projection, phase-free spectra) and despiking."""

import numpy as np
import pytest
import torch

from deeptda.encoders import ConvEncoder, InputView, amplitude_spectra, view_dims
from deeptda.kernel_features import KernelFeatures, kernel_bank, kernel_dilations


def test_input_view_projects_like_pca_and_its_spectra_ignore_phase():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2, 32)).astype(np.float32)
    dims = view_dims(X.shape[1:], len(X), kernels=False)
    assert dims == (49, 34)  # at most n - 1 components of the windows; all 2 x 17 of the spectra
    view = InputView(X.shape[1:], dims).fit(X, random_state=0)
    out = view(torch.as_tensor(X)).numpy()
    raw = PCA(49, svd_solver="full").fit_transform(X.reshape(50, -1).astype(np.float64))
    scale = np.sqrt((raw**2).sum(axis=1).mean())
    np.testing.assert_allclose(np.abs(out[:, :49]), np.abs(raw / scale), atol=1e-4)
    assert np.isclose(np.sqrt((out[:, 49:] ** 2).sum(axis=1).mean()), 1.0, atol=1e-4)
    shifted = torch.as_tensor(np.roll(X, 5, axis=2))
    np.testing.assert_allclose(
        amplitude_spectra(shifted).numpy(), amplitude_spectra(torch.as_tensor(X)).numpy(), atol=1e-4
    )
    np.testing.assert_allclose(view(shifted).numpy()[:, 49:], out[:, 49:], atol=1e-4)
    # energy-preserving: the spectrum's norm is the window's norm
    np.testing.assert_allclose(
        np.linalg.norm(amplitude_spectra(torch.as_tensor(X)).numpy(), axis=1),
        np.linalg.norm(X.reshape(50, -1), axis=1),
        rtol=1e-4,
    )


def test_wide_blocks_take_the_gram_route_to_the_same_projection(monkeypatch):
    import deeptda.encoders as encoders

    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3, 120)).astype(np.float32) * np.linspace(2, 0.2, 120, dtype=np.float32)
    X[20:] = X[:20]  # repeated windows: a block of rank 20, fewer than the 39 components asked for
    dims = view_dims(X.shape[1:], len(X), kernels=False)
    assert 360**3 < encoders.GRAM_PCA_MIN_COST  # this size takes the covariance's eigenproblem ...
    cov = InputView(X.shape[1:], dims).fit(X, random_state=0)
    monkeypatch.setattr(encoders, "GRAM_PCA_MIN_COST", 0)  # ... and now the Gram matrix
    monkeypatch.setattr(encoders, "WIDE_GRAM_MIN_COST", 0)
    gram = InputView(X.shape[1:], dims).fit(X, random_state=0)
    x = torch.as_tensor(rng.normal(size=(10, 3, 120)).astype(np.float32))
    a, b = cov(x).numpy(), gram(x).numpy()
    leading = [*range(19), *range(dims[0], dims[0] + 19)]  # components within the rank: the same
    np.testing.assert_allclose(a[:, leading], b[:, leading], atol=1e-4)
    # beyond the rank the axes are zero: new windows project to 0 there, not onto noise
    assert np.abs(b[:, 20 : dims[0]]).max() == 0.0
    for i in range(2):
        np.testing.assert_allclose(float(getattr(cov, f"scale{i}")), float(getattr(gram, f"scale{i}")), rtol=1e-6)


def test_narrow_blocks_take_the_covariance_route_to_sklearns_projection(monkeypatch):
    import deeptda.encoders as encoders

    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3, 40)).astype(np.float32) * np.linspace(2, 0.2, 40, dtype=np.float32)
    dims = view_dims(X.shape[1:], len(X))  # 64 of 120 columns, all 63 of the spectra
    assert 120**3 <= encoders.GRAM_PCA_MIN_COST  # the covariance's eigenproblem ...
    cov = InputView(X.shape[1:], dims).fit(X, random_state=0)
    monkeypatch.setattr(encoders, "GRAM_PCA_MIN_COST", 1000)  # ... and now scikit-learn's PCA
    ref = InputView(X.shape[1:], dims).fit(X, random_state=0)
    for name in ("mean0", "components0", "mean1", "components1"):
        np.testing.assert_allclose(getattr(cov, name).numpy(), getattr(ref, name).numpy(), atol=1e-5)
    x = torch.as_tensor(rng.normal(size=(10, 3, 40)).astype(np.float32))
    np.testing.assert_allclose(cov(x).numpy(), ref(x).numpy(), atol=1e-4)


def test_principal_directions_of_wide_rows_come_from_the_gram_matrix(monkeypatch):
    import deeptda.encoders as encoders
    from deeptda.encoders import _principal_directions

    monkeypatch.setattr(encoders, "GRAM_PCA_MIN_COST", 0)  # this small case takes the Gram route too
    rng = np.random.default_rng(2)
    rows = rng.normal(size=(30, 400)) * np.linspace(3, 0.1, 400)  # fewer rows than columns
    directions, mean = _principal_directions(torch.as_tensor(rows), 10)
    centred = rows - rows.mean(axis=0)
    vals, vecs = np.linalg.eigh(centred.T @ centred)  # the covariance's own eigenvectors: O(d^3)
    want = vecs[:, ::-1][:, :10].T
    want *= np.sign(want[np.arange(10), np.abs(want).argmax(axis=1)])[:, None]
    np.testing.assert_allclose(directions.numpy(), want, atol=1e-8)
    np.testing.assert_allclose(mean.numpy(), rows.mean(axis=0))
    # at most rank-many directions: 30 centred rows span 29
    assert len(_principal_directions(torch.as_tensor(rows), 50)[0]) == 29


def test_long_windows_train_on_their_averaged_windows_and_full_rate_statistics():
    torch.manual_seed(0)
    enc = ConvEncoder(3, latent_dim=8, max_length=50)
    x = torch.randn(5, 3, 120)
    assert enc.split(x[:, :, :50]) is None  # short windows train as they are
    short, raw = enc.split(x)
    assert short.shape == (5, 3, 40) and raw.shape == (5, 6)
    torch.testing.assert_close(raw[:, :3], x.mean(dim=2))
    torch.testing.assert_close(raw[:, 3:], x.std(dim=2, unbiased=False))
    # what training feeds the layers is what transform computes from the full window
    torch.testing.assert_close(enc.features(short, raw), enc(x))


def test_view_dims_follow_the_data():
    assert view_dims((3, 100), 20) == (19, 19, 19)
    assert view_dims((4,), 500) == (4,)
    assert view_dims((3, 100), 500) == (64, 64, 64)
    assert view_dims((3, 100), 500, kernels=False) == (64, 64)
    assert view_dims((1, 8), 500) == (8, 5)  # no kernel of 9 taps fits 8 samples
    assert view_dims((1, 9), 500) == (9, 5, 64)  # dilation 1 only: 84 kernels x 4 thresholds


def test_despike_removes_isolated_spikes_and_keeps_smooth_signals():
    from deeptda.encoders import despike

    t = torch.linspace(0, 6.28, 100)
    smooth = torch.stack([torch.sin(t), torch.cos(3 * t)])[None]  # (1, 2, 100), steps << 3 sd
    assert torch.equal(despike(smooth), smooth)
    hit = smooth.clone()
    hit[0, 0, 40] += 8.0
    hit[0, 1, 0] -= 9.0  # at the edge too
    out = despike(hit)
    np.testing.assert_allclose(out.numpy(), smooth.numpy(), atol=0.1)
    step = torch.cat([torch.zeros(1, 1, 50), 5 * torch.ones(1, 1, 50)], dim=2)  # a real jump is kept
    assert torch.equal(despike(step), step)
    rows = torch.randn(4, 7)
    assert torch.equal(despike(rows), rows)


def test_despike_is_a_saved_parameter(tmp_path):
    from deeptda import DeepTDA

    X = np.random.default_rng(0).normal(size=(40, 3, 32)).astype(np.float32)
    X[5, 1, 10] = 40.0
    for flag in (True, False):
        model = DeepTDA(n_epochs=2, map_epochs=2, random_state=0, despike=flag).fit(X)
        model.save(tmp_path / "m.pt")
        again = DeepTDA.load(tmp_path / "m.pt")
        assert again.despike is flag and again.network_.despike is flag
        np.testing.assert_array_equal(again.transform(X), model.transform(X))
    with_spike = DeepTDA(n_epochs=2, map_epochs=2, random_state=0).fit(X)
    clean = X.copy()
    clean[5, 1, 10] = np.median(X[5, 1, 9:12])
    np.testing.assert_allclose(with_spike.representation(X)[5], with_spike.representation(clean)[5], atol=1e-5)


def test_block_agreement_down_weights_the_block_no_other_confirms():
    from deeptda.encoders import block_agreement

    rng = np.random.default_rng(0)
    centres = rng.normal(scale=5, size=(4, 6))
    A = np.repeat(centres, 50, axis=0) + rng.normal(size=(200, 6))
    B = A @ rng.normal(size=(6, 6))  # the same neighbourhoods, seen through a linear map
    noise = rng.normal(size=(200, 6))  # neighbourhoods unrelated to the others
    w = block_agreement([A, B, noise], n_neighbors=10)
    assert w.max() == 1.0 and w[2] < 0.3 * min(w[0], w[1])
    np.testing.assert_array_equal(block_agreement([A, A.copy()]), [1.0, 1.0])
    np.testing.assert_array_equal(block_agreement([A]), [1.0])
    # seeded sample above max_points: deterministic
    big = [np.r_[A, A + 0.01], np.r_[B, B + 0.01]]
    np.testing.assert_array_equal(
        block_agreement(big, max_points=300, random_state=1), block_agreement(big, max_points=300, random_state=1)
    )


def test_deeptda_weights_blocks_by_agreement_and_keeps_the_weights_on_save(tmp_path):
    from deeptda import DeepTDA

    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 3, 32)).astype(np.float32)
    X[:45] += np.sin(np.linspace(0, 12, 32))[None, None]
    model = DeepTDA(n_epochs=2, map_epochs=2, random_state=0).fit(X)
    assert model.block_weight_.shape == (4,) and model.block_weight_.max() == 1.0
    np.testing.assert_allclose(model.network_.block_weight.numpy(), model.block_weight_, rtol=1e-6)
    equal = DeepTDA(n_epochs=2, map_epochs=2, block_weighting="equal", random_state=0).fit(X)
    np.testing.assert_array_equal(equal.block_weight_, [1.0, 1.0, 1.0, 1.0])
    model.save(tmp_path / "m.pt")
    loaded = DeepTDA.load(tmp_path / "m.pt")
    np.testing.assert_array_equal(loaded.block_weight_, model.block_weight_)
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))


def test_conv_encoder_averages_long_windows_down_to_max_length():
    torch.manual_seed(0)
    enc = ConvEncoder(2, 8, max_length=64)
    x = torch.randn(3, 2, 200)
    seen = []
    enc.net.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    enc(x)
    # ceil(200 / 64) = 4 samples per average: 50 timepoints reach the convolutions
    torch.testing.assert_close(seen[-1], x.reshape(3, 2, 50, 4).mean(dim=3))
    short = torch.randn(3, 2, 64)
    enc(short)
    assert seen[-1] is short  # a window within max_length is not touched
    # the raw channel statistics come from the full-rate window
    with torch.no_grad():
        pooled = enc.net(x.reshape(3, 2, 50, 4).mean(dim=3))
        mean, std = pooled.mean(dim=2), pooled.std(dim=2, unbiased=False)
        expected = enc.out(torch.cat([mean, pooled.amax(dim=2), std, x.mean(dim=2), x.std(dim=2, unbiased=False)], 1))
        torch.testing.assert_close(enc(x), expected, atol=1e-5, rtol=1e-4)


def _reference_directions(rows, k):
    """Leading principal directions by numpy's SVD, largest loading positive."""
    centred = rows - rows.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    vt = vt[:k]
    return vt * np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])[:, None]


def test_principal_init_sets_mlp_layers_from_principal_directions():
    from deeptda.encoders import MLPEncoder, init_parameters, principal_init

    X = np.random.default_rng(0).normal(size=(300, 6)) * np.array([5, 4, 3, 2, 1, 0.5])
    enc = init_parameters(MLPEncoder(6, latent_dim=8, width=16), torch.Generator().manual_seed(0))
    before = enc.net[0].weight.detach().clone()
    assert principal_init(enc, X.astype(np.float32))
    w, b = enc.net[0].weight.detach().double().numpy(), enc.net[0].bias.detach().double().numpy()
    ref = _reference_directions(X.astype(np.float32).astype(np.float64), 6) / np.sqrt(3)
    np.testing.assert_allclose(w[0:12:2], ref, atol=1e-5)  # each direction with both signs
    np.testing.assert_allclose(w[1:12:2], -ref, atol=1e-5)
    response = X @ w[:12].T + b[:12]
    np.testing.assert_allclose(response.mean(axis=0), 0, atol=1e-4)  # centred on the data
    np.testing.assert_array_equal(w[12:], before[12:].numpy())  # more filters than directions: kept
    assert enc.net[4].weight.shape[0] == 8 and not torch.equal(enc.net[4].weight[0], -enc.net[4].weight[1])


def test_principal_init_first_conv_filters_are_the_patches_principal_directions():
    from deeptda.encoders import ConvEncoder, principal_init

    rng = np.random.default_rng(1)
    X = np.cumsum(rng.normal(size=(40, 2, 30)), axis=2).astype(np.float32)
    enc = ConvEncoder(2, latent_dim=8, width=8)
    principal_init(enc, X)
    conv = enc.net[0]
    padded = np.pad(X.astype(np.float64), ((0, 0), (0, 0), (3, 3)))
    patches = np.array([padded[i, :, s : s + 7].ravel() for i in range(40) for s in range(0, 30, 2)])
    ref = _reference_directions(patches, 4) / np.sqrt(3)
    w = conv.weight.detach().double().numpy().reshape(8, -1)
    np.testing.assert_allclose(w[0::2], ref, atol=1e-4)
    np.testing.assert_allclose(w[1::2], -ref, atol=1e-4)


def test_principal_init_draws_nothing_so_seeds_start_from_the_same_encoder():
    from deeptda.encoders import ConvEncoder, MLPEncoder, FlattenEncoder, init_parameters, principal_init

    X = np.random.default_rng(2).normal(size=(120, 3, 40)).astype(np.float32)
    built = []
    for seed in (0, 1):
        enc = init_parameters(ConvEncoder(3, latent_dim=16, width=8), torch.Generator().manual_seed(seed))
        principal_init(enc, X)
        built.append(enc)
    for a, b in zip(built[0].parameters(), built[1].parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    flat = FlattenEncoder(MLPEncoder(120, latent_dim=8, width=16))
    assert principal_init(flat, X)
    assert not principal_init(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(120, 8)), X)


def test_principal_init_skips_directions_the_data_does_not_have():
    from deeptda.encoders import MLPEncoder, init_parameters, principal_init

    X = np.zeros((50, 5), dtype=np.float32)
    X[:, 0] = np.linspace(-1, 1, 50)  # rank one
    enc = init_parameters(MLPEncoder(5, latent_dim=4, width=8), torch.Generator().manual_seed(0))
    before = enc.net[0].weight.detach().clone()
    principal_init(enc, X)
    w = enc.net[0].weight.detach()
    torch.testing.assert_close(w[0], torch.tensor([1.0, 0, 0, 0, 0]) / np.sqrt(3))
    torch.testing.assert_close(w[1], -w[0])
    torch.testing.assert_close(w[2:], before[2:], rtol=0, atol=0)
    assert torch.isfinite(enc(torch.as_tensor(X))).all()


def test_kernel_bank_weighs_three_taps_against_six_and_sums_to_zero():
    w = kernel_bank()
    assert w.shape == (84, 9)  # every choice of 3 taps of 9
    assert ((w == 2).sum(dim=1) == 3).all() and ((w == -1).sum(dim=1) == 6).all()
    assert (w.sum(dim=1) == 0).all()  # blind to a constant offset
    assert len({tuple(row.tolist()) for row in w}) == 84


def test_kernel_dilations_span_the_window_on_a_log_scale():
    assert kernel_dilations(8) == () and kernel_dilations(9) == (1,)
    d = kernel_dilations(150)
    assert d[0] == 1 and list(d) == sorted(set(d)) and len(d) <= 8
    assert 8 * d[-1] + 1 <= 150 < 8 * (2 * d[-1]) + 1  # the widest kernel still fits the window
    assert kernel_dilations(1000) == kernel_dilations(256)  # long windows are averaged down first


def test_kernel_features_are_shares_at_the_training_quantiles_and_a_sample_moves_them_little():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 60)).astype(np.float32)
    feats = KernelFeatures(X.shape[1:]).fit(X, torch.Generator().manual_seed(0))
    F = feats(torch.as_tensor(X)).numpy()
    assert F.shape == (40, feats.n_features) and feats.n_features == len(feats.dilations) * 84 * 4
    assert F.min() >= 0 and F.max() <= 1
    # thresholds at the 1/8, 3/8, 5/8, 7/8 quantiles of the outputs of these very windows (all 40 < 64)
    shares = F.reshape(40, len(feats.dilations), 84, 4).mean(axis=(0, 1, 2))
    np.testing.assert_allclose(shares, [7 / 8, 5 / 8, 3 / 8, 1 / 8], atol=0.01)
    # one sample touches at most 9 of the positions a kernel is evaluated at (every d-th of 60 at
    # dilation d), so each share moves by at most 9 / ceil(60 / d)
    spiked = X.copy()
    spiked[:, 1, 30] += 50.0
    moved = np.abs(feats(torch.as_tensor(spiked)).numpy() - F).reshape(40, len(feats.dilations), -1).max(axis=(0, 2))
    assert (moved > 0).any() and (moved <= [9 / -(-60 // d) + 1e-6 for d in feats.dilations]).all()
    # every kernel and dilation sees at least one channel; seeded: the same buffers again
    assert (feats.channels.sum(dim=2) >= 1).all()
    again = KernelFeatures(X.shape[1:]).fit(X, torch.Generator().manual_seed(0))
    for name, buffer in feats.named_buffers():
        torch.testing.assert_close(buffer, dict(again.named_buffers())[name], rtol=0, atol=0)


@pytest.mark.parametrize("shape", [(2, 60), (3, 9), (1, 600)])
def test_kernel_shares_on_the_cpu_count_their_own_outputs_exactly_and_match_torch(shape):
    from deeptda._view_kernels import kernel_outputs

    rng = np.random.default_rng(2)
    X = rng.normal(size=(70,) + shape).astype(np.float32)
    feats = KernelFeatures(shape).fit(X, torch.Generator().manual_seed(3))
    x = torch.as_tensor(X)
    F = feats(x).numpy()  # the numba kernels
    # exact counts of the very outputs that set the thresholds
    short = feats._short(x).numpy()
    dilations, subsets, n_subsets, subset_of, taps = feats._tables()
    counted = []
    for i, d in enumerate(dilations):
        out = kernel_outputs(short, d, subsets[i], n_subsets[i], subset_of[i], taps)
        above = out[:, :, :, None] > feats.thresholds[i].numpy()[None, :, None, :]
        counted.append(above.mean(axis=2, dtype=np.float64).astype(np.float32).reshape(len(X), -1))
    np.testing.assert_array_equal(F, np.concatenate(counted, axis=1))
    # a window's shares do not depend on the batch it comes in
    np.testing.assert_array_equal(F, np.concatenate([feats(x[i : i + 9]).numpy() for i in range(0, 70, 9)]))
    # torch's conv sums in another order: an output on a threshold (each threshold is one output of
    # one window) may fall the other way, moving that window's share by one position; nothing else differs
    positions = np.repeat([-(-short.shape[2] // d) for d in dilations], 84 * 4)
    diff = np.abs(feats._torch_shares(feats._short(x)).numpy() - F) * positions
    assert ((diff < 1e-4) | (np.abs(diff - 1) < 1e-4)).all()
    assert (diff > 0.5).sum(axis=0).max() <= 1 and (diff > 0.5).mean() < 0.01


def test_kernel_features_see_a_shape_wherever_it_sits_in_the_window():
    rng = np.random.default_rng(1)
    bump = np.exp(-0.5 * ((np.arange(80) - 40) / 3.0) ** 2).astype(np.float32)
    has_bump = np.where(np.arange(60) < 30, 1.0, 0.0)[:, None, None]
    X = (rng.normal(scale=0.05, size=(60, 1, 80)) + has_bump * bump).astype(np.float32)
    view = InputView(X.shape[1:], view_dims(X.shape[1:], len(X))).fit(X, random_state=0)
    blocks = np.cumsum([0, *view.dims])
    out = view(torch.as_tensor(X)).numpy()
    moved = view(torch.as_tensor(np.roll(X, 10, axis=2))).numpy()  # every window 10 samples later

    def shift_over_gap(i):
        a, b = out[:, blocks[i] : blocks[i + 1]], moved[:, blocks[i] : blocks[i + 1]]
        gap = np.linalg.norm(a[:30].mean(0) - a[30:].mean(0))  # bump against no bump
        return np.linalg.norm(b[:30] - a[:30], axis=1).mean() / gap

    # the flattened window moves by more than the bump itself; the kernel view by a fraction
    # (what moves: the widest kernels reach past the window's edge, and each is read every d-th sample)
    assert shift_over_gap(0) > 0.9 and shift_over_gap(2) < 0.4


def test_batched_forward_runs_batches_side_by_side_with_the_same_bits_and_restores_threads():
    from deeptda.encoders import batched_forward

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(300, 200), torch.nn.Tanh(), torch.nn.Linear(200, 2))
    X = np.random.default_rng(0).normal(size=(1100, 300)).astype(np.float32)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        two = batched_forward(net, X, "cpu", batch_size=100)  # 11 batches on two threads
        assert torch.get_num_threads() == 2
        torch.set_num_threads(1)
        one = batched_forward(net, X, "cpu", batch_size=100)  # the same batches, one after the other
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert two.dtype == np.float32 and two.shape == (1100, 2)
    assert np.array_equal(two, one)  # the thread count leaves every bit alone
    # float32 products may round differently with the batch's shape: equal to float tolerance
    np.testing.assert_allclose(batched_forward(net, X[250:260], "cpu"), two[250:260], rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        np.testing.assert_allclose(two, net(torch.as_tensor(X)).numpy(), rtol=1e-5, atol=1e-6)


def test_input_view_kernel_block_on_the_cpu_equals_torch_elementwise_steps_bit_for_bit():
    X = np.random.default_rng(3).normal(size=(70, 3, 40)).astype(np.float32)
    dims = view_dims(X.shape[1:], len(X))
    view = InputView(X.shape[1:], dims).fit(X, random_state=0)
    x = torch.as_tensor(X)
    with torch.no_grad():
        out = view(x)
        kernel = view._blocks(x)[2]  # standardised by torch's elementwise operations
        reference = ((kernel - view.mean2).double() @ view.components2.double() / view.scale2.double()).float()
    assert np.array_equal(out[:, dims[0] + dims[1] :].numpy(), reference.numpy())


def _forward_in_child(X):
    from deeptda.encoders import batched_forward

    torch.manual_seed(0)
    net = torch.nn.Linear(X.shape[1], 2)
    torch.set_num_threads(2)
    return batched_forward(net, X, "cpu", batch_size=100)


def test_batched_forward_still_runs_in_a_forked_child_after_using_its_threads():
    import multiprocessing

    X = np.random.default_rng(1).normal(size=(450, 20)).astype(np.float32)
    before = torch.get_num_threads()
    try:
        here = _forward_in_child(X)  # starts the worker threads in this process
    finally:
        torch.set_num_threads(before)
    with multiprocessing.get_context("fork").Pool(1) as pool:  # the child has none of them
        there = pool.apply_async(_forward_in_child, (X,)).get(timeout=60)
    assert np.array_equal(here, there)


def test_kernel_thresholds_come_from_every_window_not_from_the_draw():
    from deeptda import kernel_features

    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 1, 50)).astype(np.float32)
    X[:12] += np.sin(np.linspace(0, 12, 50, dtype=np.float32))  # a rare shape: 4 % of the windows
    a, b = (KernelFeatures((1, 50)).fit(X, torch.Generator().manual_seed(s)) for s in (1, 2))
    # one channel and at most THRESHOLD_MAX_WINDOWS windows: nothing is drawn, the thresholds are the same
    torch.testing.assert_close(a.thresholds, b.thresholds, rtol=0, atol=0)
    # they are quantiles of outputs spread over every window: about THRESHOLD_WINDOWS windows' worth
    outputs = a._spread_outputs(X, np.arange(len(X)), round(len(X) / kernel_features.THRESHOLD_WINDOWS))
    m = -(-50 // a.dilations[0])
    assert (
        abs(outputs[0].shape[1] - kernel_features.THRESHOLD_WINDOWS * m) <= 0.25 * kernel_features.THRESHOLD_WINDOWS * m
    )
    levels = (np.arange(kernel_features.N_THRESHOLDS) + 0.5) / kernel_features.N_THRESHOLDS
    np.testing.assert_allclose(
        np.quantile(outputs[0], levels, axis=1, method="nearest").T, a.thresholds[0].numpy(), rtol=0, atol=0
    )
    # more windows than that: a seeded sample of them. Windows of three behaviours (amplitudes 0.3, 1, 3;
    # shares 67, 27, 7 %): two seeds' thresholds differ by about 2.4 % of their spread (from 64 whole
    # windows, as before: 4-5 %)
    scale = np.repeat([0.3, 1.0, 3.0], [1000, 400, 100])[:, None, None]
    big = (rng.normal(size=(1500, 1, 50)) * scale).astype(np.float32)
    c, d = (KernelFeatures((1, 50)).fit(big, torch.Generator().manual_seed(s)) for s in (1, 2))
    spread = (c.thresholds[..., -1] - c.thresholds[..., 0]).mean()
    assert (c.thresholds - d.thresholds).abs().mean() < 0.035 * spread
