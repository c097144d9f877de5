"""DenoisingAE, NeutralEmotionDAE, SparseAE: contract, equations, sequences, errors."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_ser._sequences import as_sequences, concat_frames, is_sequences
from sklearn_ser.autoencoders import (
    DenoisingAE,
    NeutralEmotionDAE,
    SparseAE,
    SparseAEModule,
    sparse_ae_loss,
)

FAST = dict(pretrain_epochs=2, finetune_epochs=2, batch_size=16, random_state=0)


def _blobs(rng, n=60, n_features=10, n_classes=3):
    """Class-dependent low-rank data: learnable by a small autoencoder."""
    y = np.arange(n) % n_classes
    centers = rng.normal(scale=3.0, size=(n_classes, 3))
    latent = centers[y] + 0.3 * rng.normal(size=(n, 3))
    X = latent @ rng.normal(size=(3, n_features)) + 0.05 * rng.normal(
        size=(n, n_features)
    )
    return X, y


# NeutralEmotionDAE learns its neutral branch from the samples labelled
# ``neutral_label`` when no encoder is given; scikit-learn's checks label their
# data with subsets of {0, 1, 2, 3} and 1 is in every one of them (measured on
# scikit-learn 1.9: {0,1}, {0,1,2}, {1,2}, {0,1,2,3}, {1}). No check is expected
# to fail for any of the three estimators.
@parametrize_with_checks(
    [
        DenoisingAE(hidden_layer_sizes=3, **FAST),
        DenoisingAE(hidden_layer_sizes=(4, 2), **FAST),
        NeutralEmotionDAE(n_hidden=3, neutral_label=1, **FAST),
        SparseAE(n_hidden=5, epochs=2, random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_frozen_encoder_makes_y_optional(rng):
    """With a neutral encoder, fitting is unsupervised when y is None."""
    X, _ = _blobs(rng, n_features=4)
    enc = DenoisingAE(hidden_layer_sizes=3, **FAST).fit(X)
    model = NeutralEmotionDAE(n_hidden=2, neutral_encoder=FrozenEstimator(enc), **FAST)
    assert not model.__sklearn_tags__().target_tags.required
    assert NeutralEmotionDAE().__sklearn_tags__().target_tags.required
    out = model.fit(X).transform(X)
    assert out.shape == (len(X), 2)
    assert "finetune" not in model.history_


@pytest.mark.parametrize(
    "make",
    [
        lambda: DenoisingAE(hidden_layer_sizes=(6, 4), **FAST),
        lambda: NeutralEmotionDAE(n_hidden=4, neutral_label=0, **FAST),
        lambda: SparseAE(n_hidden=12, epochs=3, random_state=0),
    ],
)
def test_reproducible_and_seed_dependent(make, rng):
    X, y = _blobs(rng)
    a = make().fit(X, y).transform(X)
    b = make().fit(X, y).transform(X)
    np.testing.assert_array_equal(a, b)
    c = make().set_params(random_state=1).fit(X, y).transform(X)
    assert not np.allclose(a, c)


@pytest.mark.parametrize(
    "make",
    [
        lambda: DenoisingAE(hidden_layer_sizes=5, **FAST),
        lambda: NeutralEmotionDAE(n_hidden=5, neutral_label=0, **FAST),
        lambda: SparseAE(n_hidden=7, epochs=2, random_state=0),
    ],
)
def test_pickle_errors_and_pandas_output(make, rng):
    X, y = _blobs(rng)
    est = make().fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est.transform(X), again.transform(X))

    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.transform(bad)
    bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        make().fit(bad, y)
    with pytest.raises(ValueError, match="expecting 10 features"):
        est.transform(X[:, :7])

    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    out = make().set_output(transform="pandas").fit(df, y).transform(df)
    prefix = type(est).__name__.lower()
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"{prefix}{i}" for i in range(out.shape[1])]


def test_dae_equations_and_training(rng):
    X, y = _blobs(rng)
    dae = DenoisingAE(
        hidden_layer_sizes=(8, 4),
        pretrain_epochs=30,
        finetune_epochs=30,
        pretrain_lr=0.01,
        finetune_lr=0.01,
        **{k: v for k, v in FAST.items() if "epochs" not in k},
    ).fit(X, y)
    # tied weights: the stored W of each layer maps in -> hidden; decoder = W^T
    assert [W.shape for W in dae.coefs_] == [(8, 10), (4, 8)]
    assert [b.shape for b in dae.intercepts_prime_] == [(10,), (8,)]
    h = dae.history_
    assert set(h) == {"pretrain_layer0", "pretrain_layer1", "finetune"}
    assert all(len(h[k]) == 30 for k in h)
    assert h["pretrain_layer0"][-1] < 0.75 * h["pretrain_layer0"][0]
    assert h["finetune"][-1] < 0.5 * h["finetune"][0]

    # transform == sigmoid stack on the clipped [0, 1] input, by hand
    def sig(a):
        return 1 / (1 + np.exp(-a))

    Xs = np.clip((X - X.min(0)) / (X.max(0) - X.min(0)), 0, 1)
    code = sig(
        sig(Xs @ dae.coefs_[0].T + dae.intercepts_[0]) @ dae.coefs_[1].T
        + dae.intercepts_[1]
    )
    np.testing.assert_allclose(dae.transform(X), code, rtol=1e-5, atol=1e-6)
    # test data beyond the training range is clipped, not extrapolated
    far = X[:2] + 100 * (X.max(0) - X.min(0))
    np.testing.assert_allclose(
        dae.transform(far),
        dae.transform(X.max(0, keepdims=True).repeat(2, 0)),
        atol=1e-6,
    )
    # the supervised code separates the classes better than chance
    clf = LogisticRegression(max_iter=500).fit(dae.transform(X), y)
    assert clf.score(dae.transform(X), y) > 0.8


def test_dae_unlabeled_samples_join_pretraining_only(rng):
    X, y = _blobs(rng)
    y_str = np.array(["ang", "neu", "sad"], dtype=object)[y]
    y_str[::4] = -1
    dae = DenoisingAE(hidden_layer_sizes=4, **FAST).fit(X, y_str)
    assert dae.classes_.tolist() == ["ang", "neu", "sad"]
    assert dae.finetune_coef_.shape == (3, 4)
    only_unlabeled = DenoisingAE(hidden_layer_sizes=4, **FAST).fit(X, np.full(60, -1))
    assert "finetune" not in only_unlabeled.history_
    np.testing.assert_array_equal(
        only_unlabeled.transform(X),
        DenoisingAE(hidden_layer_sizes=4, **FAST).fit(X).transform(X),
    )
    with pytest.raises(ValueError, match="Unknown label type"):
        DenoisingAE(**FAST).fit(X, rng.normal(size=60))


@pytest.mark.parametrize("sizes", [0, (), (3, 0), (3, "a")])
def test_dae_rejects_bad_layer_sizes(sizes, rng):
    X, _ = _blobs(rng)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        DenoisingAE(hidden_layer_sizes=sizes).fit(X)


def test_device_cuda_without_cuda_is_a_clear_error(rng):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    X, _ = _blobs(rng)
    with pytest.raises(ValueError, match="CUDA is not available"):
        DenoisingAE(device="cuda", **FAST).fit(X)


def _neutral_encoder(rng, n_hidden=5, n_features=10):
    X_neutral = rng.normal(size=(40, n_features))
    return DenoisingAE(hidden_layer_sizes=n_hidden, **FAST).fit(X_neutral)


def test_neutral_encoder_frozen_shared_and_fixed(rng):
    X, y = _blobs(rng)
    enc = _neutral_encoder(rng)
    W_before = enc.coefs_[0].copy()
    model = NeutralEmotionDAE(n_hidden=4, neutral_encoder=FrozenEstimator(enc), **FAST)
    cloned = clone(model)
    assert cloned.neutral_encoder.estimator is enc
    cloned.fit(X, y)
    # the neutral projection is the encoder's, unchanged by fitting
    np.testing.assert_array_equal(enc.coefs_[0], W_before)
    np.testing.assert_array_equal(cloned.neutral_coef_, W_before)
    np.testing.assert_array_equal(
        cloned.neutral_intercept_prime_, enc.intercepts_prime_[0]
    )
    assert set(cloned.history_) == {"pretrain", "finetune"}
    assert cloned.transform(X).shape == (60, 4)
    # an unwrapped fitted encoder works the same way
    plain = NeutralEmotionDAE(n_hidden=4, neutral_encoder=enc, **FAST).fit(X, y)
    np.testing.assert_array_equal(plain.transform(X), cloned.transform(X))


def test_neutral_mixture_equation(rng):
    X, y = _blobs(rng)
    enc = _neutral_encoder(rng)
    m = NeutralEmotionDAE(
        n_hidden=4, alpha=0.3, neutral_encoder=FrozenEstimator(enc), **FAST
    ).fit(X, y)

    def sig(a):
        return 1 / (1 + np.exp(-a))

    Xs = m.scaler_.transform(X)
    z_n = sig(
        sig(Xs @ m.neutral_coef_.T + m.neutral_intercept_) @ m.neutral_coef_
        + m.neutral_intercept_prime_
    )
    y_e = sig(Xs @ m.coef_.T + m.intercept_)
    z_e = sig(y_e @ m.coef_ + m.intercept_prime_)
    z = 0.3 * z_e + 0.7 * z_n
    np.testing.assert_allclose(m.transform(X), y_e, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        m.reconstruction_error(X), ((z - Xs) ** 2).sum(1), rtol=1e-4
    )


def test_neutral_input_scaling(rng):
    X, y = _blobs(rng)
    enc = _neutral_encoder(rng)
    own = NeutralEmotionDAE(n_hidden=3, neutral_encoder=enc, **FAST).fit(X, y)
    assert own.scaler_ is not enc.scaler_
    np.testing.assert_allclose(own.scaler_.data_min_, X.min(0))
    shared = NeutralEmotionDAE(
        n_hidden=3, neutral_encoder=enc, input_scaling="neutral", **FAST
    ).fit(X, y)
    assert shared.scaler_ is enc.scaler_
    with pytest.raises(ValueError, match="needs neutral_encoder"):
        NeutralEmotionDAE(input_scaling="neutral", neutral_label=0, **FAST).fit(X, y)


def test_neutral_branch_from_neutral_label(rng):
    X, y = _blobs(rng)
    labels = np.array(["angry", "neutral", "sad"])[y]
    m = NeutralEmotionDAE(n_hidden=4, **FAST).fit(X, labels)
    assert set(m.history_) == {"neutral_pretrain", "pretrain", "finetune"}
    # neutral params differ from their random init only through neutral samples:
    # fitting with the non-neutral samples shuffled gives the same neutral branch
    perm = labels.copy()
    other = np.flatnonzero(labels != "neutral")
    perm[other] = labels[rng.permutation(other)]
    m2 = NeutralEmotionDAE(n_hidden=4, **FAST).fit(X, perm)
    np.testing.assert_array_equal(m.neutral_coef_, m2.neutral_coef_)

    with pytest.raises(ValueError, match="neutral_label='neutral'.*Pass neutral_label"):
        NeutralEmotionDAE(**FAST).fit(X, np.array(["a", "b", "c"])[y])
    with pytest.raises(ValueError, match="requires y to be passed"):
        NeutralEmotionDAE(**FAST).fit(X)


def test_neutral_encoder_mismatch_errors(rng):
    X, y = _blobs(rng)
    stacked = DenoisingAE(hidden_layer_sizes=(4, 3), **FAST).fit(X)
    with pytest.raises(ValueError, match="single hidden layer"):
        NeutralEmotionDAE(neutral_encoder=FrozenEstimator(stacked)).fit(X, y)
    narrow = _neutral_encoder(rng, n_features=6)
    with pytest.raises(ValueError, match="fitted on 6 features but X has 10"):
        NeutralEmotionDAE(neutral_encoder=narrow).fit(X, y)
    with pytest.raises(ValueError, match="must be a fitted DenoisingAE"):
        NeutralEmotionDAE(neutral_encoder=DenoisingAE()).fit(X, y)


def test_sparse_ae_on_sequences_matches_frames(rng):
    seqs = as_sequences([rng.normal(size=(n, 6)) for n in (4, 9, 1, 6)])
    sae = SparseAE(n_hidden=15, epochs=3, random_state=0).fit(seqs)
    assert sae.n_features_in_ == 6
    codes = sae.transform(seqs)
    assert is_sequences(codes)
    assert [c.shape for c in codes] == [(4, 15), (9, 15), (1, 15), (6, 15)]
    assert codes[0].dtype == np.float32
    frames, _ = concat_frames(seqs)
    np.testing.assert_allclose(
        np.concatenate(list(codes)), sae.transform(frames), rtol=1e-6
    )
    # same model trained on the frames as a 2-D array: identical
    flat = SparseAE(n_hidden=15, epochs=3, random_state=0).fit(frames)
    np.testing.assert_array_equal(flat.coef_, sae.coef_)
    # a list of arrays is accepted; a wrong frame width is named
    assert len(sae.transform([s for s in seqs])) == 4
    with pytest.raises(ValueError, match="expecting 6 features"):
        sae.transform(as_sequences([rng.normal(size=(3, 5))]))
    with pytest.raises(ValueError, match="NaN"):
        sae.transform(as_sequences([np.full((3, 6), np.nan)]))
    # pandas output only applies to 2-D output
    sae.set_output(transform="pandas")
    assert is_sequences(sae.transform(seqs))
    assert isinstance(sae.transform(frames), pd.DataFrame)


def test_sparse_ae_sparsity_penalty_works(rng):
    X = rng.normal(size=(128, 8))
    common = dict(
        n_hidden=32, epochs=30, lr=0.01, batch_size=32, random_state=0, weight_decay=0.0
    )
    dense = SparseAE(sparsity_weight=0.0, **common).fit(X)
    sparse = SparseAE(sparsity_weight=3.0, sparsity_target=0.05, **common).fit(X)
    rho_dense = dense.transform(X).mean(0)
    rho_sparse = sparse.transform(X).mean(0)
    assert np.abs(rho_sparse - 0.05).mean() < 0.7 * np.abs(rho_dense - 0.05).mean()
    assert sparse.history_["kl"][-1] < sparse.history_["kl"][0]
    assert set(sparse.history_) == {"loss", "reconstruction", "kl"}
    assert dense.history_["reconstruction"][-1] < dense.history_["reconstruction"][0]


def test_sparse_ae_after_logmel_in_pipeline(wav_files):
    from sklearn_ser.features import LogMelDeltas

    pipe = make_pipeline(
        LogMelDeltas(), SparseAE(n_hidden=150, epochs=2, random_state=0)
    )
    codes = pipe.fit_transform(np.array(wav_files))
    assert is_sequences(codes) and len(codes) == len(wav_files)
    assert all(c.shape[1] == 150 and len(c) > 10 for c in codes)


def test_sparse_ae_loss_masks_padding():
    gen = torch.Generator().manual_seed(0)
    m = SparseAEModule(5, 9, generator=gen)
    x = torch.randn(3, 6, 5, generator=gen)
    lengths = torch.tensor([6, 2, 4])
    mask = torch.arange(6) < lengths[:, None]
    z, h = m(x)
    masked = sparse_ae_loss(x, z, h, mask, rho=0.1, beta=0.5)
    valid_x = torch.cat([x[i, :n] for i, n in enumerate(lengths)])
    zv, hv = m(valid_x)
    np.testing.assert_allclose(
        masked.item(),
        sparse_ae_loss(valid_x, zv, hv, rho=0.1, beta=0.5).item(),
        rtol=1e-5,
    )
    x2 = x.clone()
    x2[1, 3:] = 1e3  # garbage in the padding does not reach the loss
    z2, h2 = m(x2)
    np.testing.assert_allclose(
        sparse_ae_loss(x2, z2, h2, mask, rho=0.1, beta=0.5).item(),
        masked.item(),
        rtol=1e-5,
    )
    loss, recon, kl = sparse_ae_loss(
        x, z, h, mask, rho=0.1, beta=0.5, return_parts=True
    )
    np.testing.assert_allclose(loss.item(), recon.item() + 0.5 * kl.item(), rtol=1e-6)


@pytest.mark.parametrize(
    "step, grid",
    [
        (
            DenoisingAE(**FAST),
            {"ae__hidden_layer_sizes": [3, (5, 4)], "ae__noise_std": [0.0, 0.2]},
        ),
        (
            NeutralEmotionDAE(neutral_label=1, **FAST),
            {"ae__n_hidden": [3, 5], "ae__alpha": [0.3, 0.7]},
        ),
        (
            SparseAE(epochs=2, random_state=0),
            {"ae__n_hidden": [4, 12], "ae__sparsity_weight": [0.0, 1.0]},
        ),
    ],
)
def test_grid_search_in_pipeline(step, grid, rng):
    from sklearn.pipeline import Pipeline

    X, y = _blobs(rng, n=48)
    groups = np.arange(48) % 4
    pipe = Pipeline([("ae", step), ("clf", LogisticRegression(max_iter=300))])
    search = GridSearchCV(pipe, grid, cv=GroupKFold(2)).fit(X, y, groups=groups)
    # a candidate that failed to fit would score NaN
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # the searched code width reached the refitted autoencoder
    best = search.best_params_
    width = best.get("ae__n_hidden", best.get("ae__hidden_layer_sizes"))
    width = width if isinstance(width, int) else width[-1]
    assert search.best_estimator_[:-1].transform(X).shape == (48, width)


def _mean_pool(X):
    return np.stack([x.mean(axis=0) for x in X])


def test_sparse_ae_sequences_cross_val_parallel(rng):
    """Sequences go through Pipeline, clone and cross_val_score(n_jobs=2)."""
    from sklearn.model_selection import cross_val_score
    from sklearn.preprocessing import FunctionTransformer

    y = np.arange(24) % 2
    seqs = as_sequences(
        [rng.normal(loc=2.0 * label, size=(rng.integers(3, 12), 5)) for label in y]
    )
    pipe = make_pipeline(
        SparseAE(n_hidden=8, epochs=3, batch_size=32, lr=0.01, random_state=0),
        FunctionTransformer(_mean_pool),
        LogisticRegression(),
    )
    scores = cross_val_score(pipe, seqs, y, cv=3, n_jobs=2)
    assert scores.mean() > 0.8


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: DenoisingAE(hidden_layer_sizes=(5, 3), **FAST),
        lambda rng: NeutralEmotionDAE(
            n_hidden=3, neutral_encoder=FrozenEstimator(_neutral_encoder(rng)), **FAST
        ),
    ],
)
def test_refit_without_y_forgets_the_previous_fit(make, rng):
    X, y = _blobs(rng)
    est = make(rng)
    est.fit(X, y)
    assert est.classes_.tolist() == [0, 1, 2] and hasattr(est, "finetune_coef_")
    est.fit(X)
    # no stale fine-tuning layer, classes or history of the supervised fit
    assert not hasattr(est, "finetune_coef_")
    assert not hasattr(est, "finetune_intercept_")
    assert "finetune" not in est.history_ and len(est.classes_) == 0
    fresh = clone(est).fit(X)
    np.testing.assert_array_equal(est.transform(X), fresh.transform(X))


def test_weight_decay_on_weight_matrices_only_everywhere():
    from sklearn_ser.autoencoders._base import _make_optimizer

    layer = torch.nn.Linear(3, 2)
    opt = _make_optimizer(layer.parameters(), "adam", 1e-3, weight_decay=0.5)
    decay = {id(p): g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    assert decay == {id(layer.weight): 0.5, id(layer.bias): 0.0}
    # SGD: one step on a zero loss moves the weights by -lr * wd * w, not the biases
    with torch.no_grad():
        layer.bias.fill_(1.0)
    w0 = layer.weight.detach().clone()
    opt = _make_optimizer(layer.parameters(), "sgd", 0.1, weight_decay=0.5)
    (layer(torch.zeros(1, 3)).sum() * 0.0).backward()
    opt.step()
    np.testing.assert_allclose(layer.weight.detach(), w0 * (1 - 0.1 * 0.5), rtol=1e-6)
    np.testing.assert_array_equal(layer.bias.detach(), [1.0, 1.0])


def test_sparse_ae_loss_by_hand():
    """Masked squared error plus beta * KL(rho || rho_hat), rho_hat on valid frames."""
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 4, 3, generator=gen, dtype=torch.float64)
    z = torch.randn(2, 4, 3, generator=gen, dtype=torch.float64)
    h = torch.rand(2, 4, 5, generator=gen, dtype=torch.float64)
    lengths = [4, 2]
    mask = torch.arange(4) < torch.tensor(lengths)[:, None]
    rho, beta = 0.1, 0.7
    valid = [(b, t) for b, n in enumerate(lengths) for t in range(n)]
    xn, zn, hn = x.numpy(), z.numpy(), h.numpy()
    recon = np.mean([((zn[b, t] - xn[b, t]) ** 2).sum() for b, t in valid])
    rho_hat = np.mean([hn[b, t] for b, t in valid], axis=0)
    kl = np.sum(
        rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    )
    loss, r, k = sparse_ae_loss(x, z, h, mask, rho=rho, beta=beta, return_parts=True)
    np.testing.assert_allclose([r.item(), k.item()], [recon, kl], rtol=1e-10)
    np.testing.assert_allclose(loss.item(), recon + beta * kl, rtol=1e-10)
