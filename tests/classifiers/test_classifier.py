"""SemiSupervisedAttentionClassifier: contract, semi-supervised targets, attention."""

import pickle

import joblib
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    LeaveOneGroupOut,
    cross_val_predict,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_ser import as_sequences
from sklearn_ser.classifiers import (
    AttentionBLSTMModule,
    LengthBucketBatchSampler,
    SemiSupervisedAttentionClassifier,
    SequenceDataset,
    batch_indices,
    collate_sequences,
    effective_frames,
    holdout_split,
    plot_attention,
    sequence_loader,
)

EMOS = np.array(["ang", "neu", "sad"])


def make_data(rng, n=60, n_features=6, unlabeled=0.3, labels="str"):
    """Sequences whose class shows as a burst in its own feature block."""
    k = rng.integers(0, 3, n)
    X = []
    for c in k:
        T = int(rng.integers(8, 30))
        x = rng.normal(0, 1, (T, n_features))
        x[T // 3 : T // 2, 2 * c : 2 * c + 2] += 3.0
        X.append(x)
    if labels == "str":
        y = np.array(EMOS[k], dtype=object)
    else:
        y = k.astype(np.int64)
    y[rng.random(n) < unlabeled] = -1
    groups = np.repeat(np.arange(4), int(np.ceil(n / 4)))[:n]
    return as_sequences(X), y, groups


def small(**params):
    base = dict(
        max_epochs=3,
        batch_size=16,
        lr=3e-3,
        module__n_codes=8,
        module__hidden_size=4,
        random_state=0,
    )
    base.update(params)
    return SemiSupervisedAttentionClassifier(**base)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def data(rng):
    return make_data(rng)


def test_semi_supervised_fit_classes_and_probabilities(data):
    X, y, groups = data
    assert (y == -1).any()
    clf = small().fit(X, y, groups=groups)
    assert clf.classes_.tolist() == ["ang", "neu", "sad"]
    assert clf.n_features_in_ == 6
    # K + 1 outputs inside, K probabilities outside
    assert clf.module_.output.out_features == 4
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    # predict is the most probable of the K emotions, never the pseudo-class
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert "valid_ua" in clf.history[-1] and "valid_ce" in clf.history[-1]


def test_validation_scores_are_the_labelled_validation_utterances_by_hand(data):
    from torch.utils.data import Subset

    from sklearn_ser.evaluation import unweighted_accuracy, weighted_accuracy

    X, y, _ = data
    valid = np.arange(len(X)) % 3 == 0

    def split(dataset, y_enc, groups=None):
        return Subset(dataset, np.flatnonzero(~valid)), Subset(
            dataset, np.flatnonzero(valid)
        )

    clf = small(train_split=split, callbacks__early_stopping__load_best=False)
    clf.fit(X, y)  # 3 epochs, patience 8: the last epoch's weights are kept
    keep = valid & (y != -1)  # unlabeled validation utterances do not count
    proba = clf.predict_proba(X[keep])
    y_true = y[keep]
    last = clf.history[-1]
    assert last["valid_ua"] == unweighted_accuracy(y_true, clf.predict(X[keep]))
    assert last["valid_wa"] == weighted_accuracy(y_true, clf.predict(X[keep]))
    column = np.searchsorted(clf.classes_, y_true)
    ce = -np.log(proba[np.arange(len(y_true)), column]).mean()
    np.testing.assert_allclose(last["valid_ce"], ce, rtol=1e-5)


def test_integer_labels_and_pseudo_class_off(rng):
    X, y, groups = make_data(rng, labels="int")
    clf = small(pseudo_class=False).fit(X, y)
    assert clf.classes_.tolist() == [0, 1, 2]
    assert clf.module_.output.out_features == 3
    assert clf.predict(X).dtype.kind == "i"


def test_learns_a_separable_problem(rng):
    X, y, groups = make_data(rng, n=120, unlabeled=0.2)
    clf = small(max_epochs=40, module__hidden_size=8, module__n_codes=16)
    clf.fit(X, y, groups=groups)
    Xt, yt, _ = make_data(rng, n=60, unlabeled=0.0)
    assert (clf.predict(Xt) == yt).mean() > 0.7


def test_attention_weights_sum_to_one_and_skip_padding(data):
    X, y, groups = data
    clf = small().fit(X, y)
    weights = clf.attention_weights(X)
    assert [len(w) for w in weights] == [len(x) for x in X]
    np.testing.assert_allclose([w.sum() for w in weights], 1.0, atol=1e-5)
    assert all((w >= 0).all() for w in weights)
    # in a padded batch the padding frames get exactly zero weight
    batch, _ = collate_sequences([(X[i], 0) for i in range(4)])
    with torch.no_grad():
        _, alpha = clf.module_.attention(batch["X"], batch["lengths"])
    for row, n in enumerate(batch["lengths"].tolist()):
        assert float(alpha[row, n:].abs().sum()) == 0.0
        np.testing.assert_allclose(alpha[row, :n].numpy(), weights[row], atol=1e-6)


def test_effective_frames_is_the_perplexity_of_the_weights(data):
    # by hand: uniform over T frames -> T; k frames sharing equally -> k
    np.testing.assert_allclose(effective_frames([np.full(7, 1 / 7)]), [7.0])
    np.testing.assert_allclose(effective_frames([[0, 1 / 3, 1 / 3, 0, 1 / 3]]), [3.0])
    # a skewed one against exp(-sum p log p) written out
    p = np.array([0.7, 0.2, 0.1])
    expected = np.exp(-(0.7 * np.log(0.7) + 0.2 * np.log(0.2) + 0.1 * np.log(0.1)))
    np.testing.assert_allclose(effective_frames([p]), [expected])
    # a fitted network's weights: between 1 and each utterance's frame count
    X, y, _ = data
    spread = effective_frames(small(max_epochs=2).fit(X, y).attention_weights(X))
    assert spread.shape == (len(X),)
    assert (spread >= 1 - 1e-6).all()
    assert (spread <= np.array([len(x) for x in X]) + 1e-4).all()
    with pytest.raises(ValueError, match=r"weights\[1\] must be one weight per frame"):
        effective_frames([[1.0], [0.5, 0.2]])


def test_predictions_do_not_depend_on_batching(data):
    X, y, _ = data
    clf = small().fit(X, y)
    ref = clf.predict_proba(X)
    clf.set_params(iterator_valid__bucket=False, batch_size=5)
    np.testing.assert_allclose(clf.predict_proba(X), ref, atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X[::-1]), ref[::-1], atol=1e-5)


def test_pickle_and_joblib_identical_predictions(data, tmp_path):
    X, y, _ = data
    clf = small().fit(X, y)
    ref = clf.predict_proba(X)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), ref)
    joblib.dump(clf, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_reproducible_with_random_state(data):
    X, y, groups = data
    state = torch.get_rng_state()
    a = small(random_state=3).fit(X, y, groups=groups).predict_proba(X)
    b = small(random_state=3).fit(X, y, groups=groups).predict_proba(X)
    c = small(random_state=4).fit(X, y, groups=groups).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # torch's global generator is left as it was
    assert torch.equal(state, torch.get_rng_state())


def test_clone_keeps_parameters_including_callbacks(data):
    clf = small(reconstruction_weight=0.5, callbacks__early_stopping__patience=2)
    twin = clone(clf)
    assert twin.reconstruction_weight == 0.5
    assert twin.get_params(deep=False)["callbacks__early_stopping__patience"] == 2
    X, y, _ = data
    twin.fit(X, y)
    assert dict(twin.callbacks_)["early_stopping"].patience == 2


def test_augment_parameters_nest_as_in_scikit_learn():
    from sklearn_ser.augmentation import SpecAugment

    clf = small(augment=SpecAugment(n_blocks=1, freq_width=4))
    clf.set_params(augment__freq_width=2, augment__n_blocks=3)
    assert (clf.augment.freq_width, clf.augment.n_blocks) == (2, 3)
    assert clf.get_params()["augment__freq_width"] == 2
    assert not hasattr(clf, "augment__freq_width")  # no attribute beside it
    # a grid's candidate: the clone's own augmentation changes, not the original
    twin = clone(clf).set_params(augment__freq_width=1)
    assert twin.augment.freq_width == 1 and clf.augment.freq_width == 2
    # the augmentation and its parameter in one call: the new one gets it
    clf.set_params(augment=SpecAugment(n_blocks=2), augment__freq_width=5)
    assert (clf.augment.n_blocks, clf.augment.freq_width) == (2, 5)
    with pytest.raises(ValueError, match="augment__freq_width was given, but"):
        small(augment=None).set_params(augment__freq_width=2)


def test_grid_search_same_results_in_parallel(data):
    """Candidates fitted in worker processes score exactly as in this one."""
    X, y, _ = data
    labelled = y != -1

    def search(n_jobs):
        return GridSearchCV(
            small(max_epochs=2),
            {
                "reconstruction_weight": [0.0, 0.5],
                "callbacks__early_stopping__patience": [2],
            },
            cv=2,
            n_jobs=n_jobs,
            error_score="raise",
        ).fit(X[labelled], y[labelled].astype(str))

    serial, parallel = search(1), search(2)
    np.testing.assert_array_equal(
        serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"]
    )
    best = parallel.best_estimator_
    # the refit is the model a user would build with the chosen parameters
    direct = small(max_epochs=2, **parallel.best_params_).fit(
        X[labelled], y[labelled].astype(str)
    )
    np.testing.assert_array_equal(best.predict_proba(X), direct.predict_proba(X))
    assert dict(best.callbacks_)["early_stopping"].patience == 2
    np.testing.assert_array_equal(
        best.predict_proba(X), serial.best_estimator_.predict_proba(X)
    )


def _audio_corpus(voice, n_speakers=3, per_class=2):
    waves, y, groups = [], [], []
    for s in range(n_speakers):
        for c, (lo, hi) in enumerate([(100.0, 130.0), (200.0, 320.0)]):
            for i in range(per_class):
                waves.append(
                    voice(0.4 + 0.1 * i, f0=(lo + 10 * s, hi + 10 * s), seed=s * 10 + i)
                )
                y.append(["neu", "ang"][c])
                groups.append(f"spk{s}")
    out = np.empty(len(waves), dtype=object)
    out[:] = waves
    return out, np.array(y, dtype=object), np.array(groups)


def test_logmel_pipeline_cross_validates_with_speaker_groups(voice):
    from sklearn_ser import LogMelDeltas

    waves, y, groups = _audio_corpus(voice)
    pipe = make_pipeline(
        LogMelDeltas(sampling_rate=16000, n_mels=8),
        small(max_epochs=2, valid_size=0.5),
    )
    proba = cross_val_predict(
        pipe,
        waves,
        y,
        groups=groups,
        cv=LeaveOneGroupOut(),
        params={"semisupervisedattentionclassifier__groups": groups},
        method="predict_proba",
    )
    # the same folds by hand: each fit gets its training speakers' groups only,
    # and early-stops on one of them
    by_hand = np.zeros_like(proba)
    for train, test in LeaveOneGroupOut().split(waves, y, groups):
        fitted = clone(pipe).fit(
            waves[train],
            y[train],
            semisupervisedattentionclassifier__groups=groups[train],
        )
        by_hand[test] = fitted.predict_proba(waves[test])
    np.testing.assert_array_equal(proba, by_hand)


def test_groups_reach_fit_through_metadata_routing(data):
    X, y, groups = data
    seen = []

    def spy_split(dataset, y_enc, groups=None):
        seen.append(groups)
        idx = np.arange(len(dataset))
        return (
            torch.utils.data.Subset(dataset, idx[::2]),
            torch.utils.data.Subset(dataset, idx[1::2]),
        )

    with config_context(enable_metadata_routing=True):
        clf = small(max_epochs=1, train_split=spy_split).set_fit_request(groups=True)
        cross_val_score(
            make_pipeline(clf),
            X,
            y,
            cv=LeaveOneGroupOut(),
            params={"groups": groups},
            scoring=lambda est, X_, y_: 0.0,
            error_score="raise",
        )
    assert len(seen) == 4
    for test_speaker, fold_groups in zip(range(4), seen):
        # the test fold's speaker never reaches the training-side split
        assert fold_groups is not None and test_speaker not in set(fold_groups)


def test_holdout_split_holds_out_whole_training_speakers():
    y = np.array([0, 1, 0, 1, 0, 1, 2, 2, 2, 2])  # 2 == unlabeled (n_classes=2)
    groups = np.array(["a", "a", "b", "b", "c", "c", "lib1", "lib1", "lib2", "lib2"])
    train, valid = holdout_split(
        y, groups, valid_size=0.34, n_classes=2, random_state=0
    )
    held = set(groups[valid])
    assert len(held) == 1 and held <= {"a", "b", "c"}
    assert not held & set(groups[train])
    assert {"lib1", "lib2"} <= set(groups[train])
    # without groups: a stratified split of utterances
    y2 = np.repeat([0, 1, 2], 10)
    train, valid = holdout_split(y2, None, valid_size=0.3, n_classes=2, random_state=0)
    assert np.bincount(y2[valid]).tolist() == [3, 3, 3]
    with pytest.warns(UserWarning, match="single speaker"):
        holdout_split(y2, np.zeros(30), valid_size=0.3, n_classes=2, random_state=0)


def test_class_weight_balanced_counts_pseudo_class(rng):
    X, y, _ = make_data(rng, n=40, unlabeled=0.5)
    clf = small(max_epochs=1, class_weight="balanced").fit(X, y)
    _, counts = np.unique(np.where(y == -1, "zz", y.astype(str)), return_counts=True)
    np.testing.assert_allclose(clf.class_weight_, len(y) / (4 * counts))
    clf = small(max_epochs=1, class_weight={"ang": 2.0, -1: 0.5}).fit(X, y)
    assert clf.class_weight_.tolist() == [2.0, 1.0, 1.0, 0.5]


def test_no_validation_runs_all_epochs(data):
    X, y, _ = data
    clf = small(max_epochs=3, valid_size=0.0).fit(X, y)
    assert len(clf.history) == 3 and "valid_ua" not in clf.history[-1]


def test_cosine_schedule_anneals_the_learning_rate_over_max_epochs(data):
    X, y, groups = data
    clf = small(max_epochs=4, lr=0.01, lr_schedule="cosine", valid_size=0)
    clf.fit(X, y, groups=groups)
    # the rate each epoch trained with: 0.01 * (1 + cos(pi * e / 4)) / 2
    expected = [0.01 * (1 + np.cos(np.pi * e / 4)) / 2 for e in range(4)]
    np.testing.assert_allclose(clf.history_[:, "event_lr"], expected)
    assert clf.optimizer_.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)
    # T_max follows max_epochs when it is changed after construction
    clf.set_params(max_epochs=2).fit(X, y, groups=groups)
    np.testing.assert_allclose(clf.history_[:, "event_lr"], [0.01, 0.005])
    constant = small(max_epochs=2, lr=0.01, valid_size=0).fit(X, y)
    assert "event_lr" not in constant.history_[-1]
    assert constant.optimizer_.param_groups[0]["lr"] == 0.01
    with pytest.raises(ValueError, match="lr_schedule"):
        small(lr_schedule="linear").fit(X, y)


def test_device_auto_runs_where_available(data):
    X, y, _ = data
    clf = small(max_epochs=1, device="auto").fit(X, y)
    assert clf.device == "auto"
    assert clf.predict_proba(X[:3]).shape == (3, 3)
    assert pickle.loads(pickle.dumps(clf)).device == "auto"


def test_bad_inputs_raise_clear_errors(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="sequence dataset"):
        small().fit(np.zeros((len(y), 6)), y)
    bad = X.copy()
    bad[3] = bad[3].copy()
    bad[3][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"X\[3\] contains NaN"):
        small().fit(bad, y)
    with pytest.raises(ValueError, match="no labelled utterance"):
        small().fit(X, np.full(len(X), -1))
    with pytest.raises(ValueError, match="single class"):
        small().fit(X, np.array(["ang" if v != -1 else -1 for v in y], dtype=object))
    missing = y.copy()
    missing[[2, 5]] = None
    with pytest.raises(ValueError, match=r"2 missing labels.*positions \[2, 5\]"):
        small().fit(X, missing)
    with pytest.raises(ValueError, match="y has 3 labels"):
        small().fit(X, y[:3])
    with pytest.raises(ValueError, match="reconstruction_weight"):
        small(reconstruction_weight=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="module__rnn must be 'lstm', 'gru' or None"):
        small(module__rnn="rnn").fit(X, y)
    with pytest.raises(ValueError, match="module__pooling must be"):
        small(module__pooling="max").fit(X, y)
    clf = small(max_epochs=1).fit(X, y)
    wrong = as_sequences([np.zeros((5, 7), dtype=np.float32)])
    with pytest.raises(ValueError, match="7 features per frame.*expecting 6"):
        clf.predict(wrong)


def test_bucket_sampler_covers_every_utterance_once_and_caps_padding(rng):
    lengths = rng.integers(1, 100, 57)
    sampler = LengthBucketBatchSampler(
        lengths, 8, shuffle=True, max_batch_frames=200, seed=0
    )
    for _ in range(2):
        batches = list(sampler)
        assert sorted(i for b in batches for i in b) == list(range(57))
        for b in batches:
            assert len(b) <= 8
            assert len(b) == 1 or len(b) * lengths[b].max() <= 200
    fixed = list(LengthBucketBatchSampler(lengths, 8))
    flat = np.concatenate(fixed)
    assert np.all(np.diff(lengths[flat]) >= 0)


def test_bucket_sampler_mixes_strata_in_every_batch(rng):
    # two corpora of very different lengths: plain buckets would separate them
    lengths = np.concatenate([rng.integers(50, 100, 40), rng.integers(300, 400, 24)])
    strata = np.r_[np.zeros(40), np.ones(24)]
    sampler = LengthBucketBatchSampler(lengths, 8, shuffle=True, seed=0, strata=strata)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(64))
    for b in batches:
        assert set(strata[b]) == {0.0, 1.0}
    pure = LengthBucketBatchSampler(lengths, 8, shuffle=True, seed=0)
    assert any(len(set(strata[b])) == 1 for b in pure)


def test_sequence_loader_pads_per_batch(rng):
    X = as_sequences([rng.normal(size=(n, 3)) for n in (2, 9, 3, 8)])
    loader = sequence_loader(SequenceDataset(X), batch_size=2)
    shapes = [tuple(b["X"].shape) for b, _ in loader]
    assert shapes == [(2, 3, 3), (2, 9, 3)]  # short pair, long pair
    index = np.concatenate([idx.numpy() for _, idx in loader])
    assert sorted(index.tolist()) == [0, 1, 2, 3]


def test_module_is_passed_as_a_class_and_sized_from_data(data):
    X, y, _ = data
    clf = small(max_epochs=1)
    assert clf.module is AttentionBLSTMModule
    clf.fit(X, y)
    assert clf.module_.autoencoder.n_features == 6
    with pytest.raises(AttributeError, match="call fit"):
        small().initialize()


def test_plot_attention_writes_png(data, tmp_path):
    X, y, _ = data
    clf = small(max_epochs=1).fit(X, y)
    w = clf.attention_weights(X[:1])[0]
    path = tmp_path / "att.png"
    previous = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        plot_attention(X[0], w, n_mels=2, frame_rate=100, title="utt 0", path=path)
        # matplotlib's backend and pyplot's figures are the caller's business
        assert matplotlib.get_backend() == "svg"
        assert not plt.get_fignums()
    finally:
        matplotlib.use(previous)
    assert path.stat().st_size > 1000
    with pytest.raises(ValueError, match="one value per frame"):
        plot_attention(X[0], w[:-1])


class _SplitSpy(Callback):
    """Records the internal train / validation indices of each fit."""

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.seen_ = []

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.seen_.append((dataset_train.indices, dataset_valid.indices))


def test_early_stopping_validates_on_held_out_training_speakers(data):
    X, y, groups = data
    spy = _SplitSpy()
    clf = small(max_epochs=2, valid_size=0.25, callbacks=[("spy", spy)])
    clf.fit(X, y, groups=groups)
    train_idx, valid_idx = spy.seen_[0]
    held = set(groups[valid_idx])
    assert len(held) == 1  # round(0.25 * 4 speakers)
    assert not held & set(groups[train_idx])
    assert len(train_idx) + len(valid_idx) == len(X)
    # the restored weights are those of the best validation epoch
    best = int(np.argmin(clf.history[:, "valid_ce"])) + 1
    assert dict(clf.callbacks_)["early_stopping"].best_epoch_ == best


def test_partial_fit_continues_training(data):
    X, y, groups = data
    clf = small(max_epochs=2).fit(X, y, groups=groups)
    before = [p.detach().clone() for p in clf.module_.parameters()]
    clf.partial_fit(X, y)
    assert len(clf.history) == 4
    assert any(not torch.equal(a, b) for a, b in zip(before, clf.module_.parameters()))
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X, np.where(y == "ang", "joy", y))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "attention_weights"])
def test_unfitted_raises_not_fitted_error(data, method):
    X, y, _ = data
    with pytest.raises(NotFittedError):
        getattr(small(), method)(X)
    with pytest.raises(NotFittedError):
        small().partial_fit(X, y)


def _loss_batch(clf, X, y):
    """Two labelled and two unlabeled utterances of different lengths, padded."""
    labelled = np.flatnonzero(y != -1)
    unlabeled = np.flatnonzero(y == -1)
    idx = [labelled[0], unlabeled[0], labelled[1], unlabeled[1]]
    y_enc = clf.targets_.encode(y[idx])
    batch, y_t = collate_sequences([(X[i], t) for i, t in zip(idx, y_enc)])
    assert len(set(batch["lengths"].tolist())) > 1  # padding in the batch
    return batch, y_t


def _logsumexp(a):
    m = a.max(axis=1, keepdims=True)
    return m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))


def _loss_by_hand(clf, y_pred, batch, y_enc, *, C, rho, beta):
    """L_s + C * L_u of the paper, in numpy, from the module's outputs."""
    logits, z, h = (t.detach().double().numpy() for t in y_pred)
    frames = batch["X"].double().numpy()
    lengths = batch["lengths"].numpy()
    y_enc = y_enc.numpy()
    K = len(clf.classes_)
    weight = clf.class_weight_
    # L_s: weighted cross-entropy; unlabeled utterances on the pseudo-class K
    logp = logits - _logsumexp(logits)
    keep = np.ones(len(y_enc), bool) if clf.pseudo_class else y_enc < K
    ce = -logp[np.flatnonzero(keep), y_enc[keep]]
    L_s = (weight[y_enc[keep]] * ce).sum() / keep.sum()
    # L_u: squared error and KL(rho || rho_hat) over the valid frames only
    valid = [(b, t) for b, n in enumerate(lengths) for t in range(n)]
    recon = np.mean([((z[b, t] - frames[b, t]) ** 2).sum() for b, t in valid])
    rho_hat = np.mean([h[b, t] for b, t in valid], axis=0)
    kl = np.sum(
        rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))
    )
    return L_s + C * (recon + beta * kl)


LOSS = dict(C=0.7, rho=0.2, beta=0.3)  # C, sparsity target and weight of the tests


def _loss_net(X, y, **params):
    """A one-epoch net with unequal class weights and every loss term switched on."""
    return small(
        max_epochs=1,
        class_weight={"ang": 2.0, "sad": 0.5, -1: 3.0},
        reconstruction_weight=LOSS["C"],
        sparsity_target=LOSS["rho"],
        sparsity_weight=LOSS["beta"],
        **params,
    ).fit(X, y)


@pytest.mark.parametrize("pseudo_class", [True, False])
def test_loss_is_the_papers_equation_by_hand(data, pseudo_class):
    X, y, _ = data
    clf = _loss_net(X, y, pseudo_class=pseudo_class)
    batch, y_enc = _loss_batch(clf, X, y)
    # padding holds garbage, as it may on a device: only valid frames may count
    frames = batch["X"].clone()
    for row, n in enumerate(batch["lengths"].tolist()):
        frames[row, n:] = 7.0
    batch = {"X": frames, "lengths": batch["lengths"]}
    with torch.no_grad():
        y_pred = clf.module_(batch["X"], batch["lengths"])
        loss = clf.get_loss(y_pred, y_enc, X=batch)
    expected = _loss_by_hand(clf, y_pred, batch, y_enc, **LOSS)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-5)


def test_forward_gives_each_utterances_logits_in_input_order(data):
    X, y, _ = data
    clf = small(batch_size=4).fit(X, y)
    X = X[:10]
    loader = clf.get_iterator(clf.get_dataset(X))
    batches = batch_indices(loader)
    # the loader groups utterances by length, so its order is not the input's
    order = np.concatenate(batches)
    assert sorted(order) == list(range(10)) and not (order == np.arange(10)).all()
    assert [len(b) for b in batches] == [4, 4, 2]
    logits = clf.forward(X).numpy()
    with torch.no_grad():
        for i in range(10):
            alone = clf.module_(*_plain_batch(X[i : i + 1]))[0][0].numpy()
            np.testing.assert_allclose(logits[i], alone, atol=1e-5)
    # forward reads the batches from a second loader: it must give the same ones
    with pytest.raises(ValueError, match="iterator_valid__shuffle"):
        clf.set_params(iterator_valid__shuffle=True).predict(X)
    clf.set_params(iterator_valid__shuffle=False)
    with pytest.raises(TypeError, match="batch_sampler"):
        batch_indices([({"X": None}, None)])


def _plain_batch(X):
    batch, _ = collate_sequences([(x, 0) for x in X])
    return batch["X"], batch["lengths"]


def test_loss_gradient_matches_finite_differences(data):
    """Autograd of get_loss through the whole module equals central differences."""
    X, y, _ = data
    clf = small(
        max_epochs=1,
        class_weight="balanced",
        reconstruction_weight=0.5,
        module__n_codes=3,
        module__hidden_size=2,
    ).fit(X, y)
    batch, y_enc = _loss_batch(clf, X, y)
    module = clf.module_.double().eval()
    frames, lengths = batch["X"].double(), batch["lengths"]
    params = [p for p in module.parameters() if p.requires_grad]

    def loss():
        out = module(frames, lengths)
        return clf.get_loss(out, y_enc, X={"X": frames, "lengths": lengths})

    analytic = torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss(), params)])
    numeric, eps = [], 1e-6
    with torch.no_grad():
        for p in params:
            flat = p.view(-1)
            for i in range(flat.numel()):
                old = flat[i].item()
                flat[i] = old + eps
                up = loss().item()
                flat[i] = old - eps
                down = loss().item()
                flat[i] = old
                numeric.append((up - down) / (2 * eps))
    assert analytic.abs().max() > 1e-3  # a gradient worth comparing
    np.testing.assert_allclose(analytic.numpy(), numeric, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize(
    "rnn, pooling",
    [
        ("lstm", "attention"),
        ("gru", "attention"),
        ("lstm", "attentive-statistics"),
        (None, "attention"),
        (None, "attentive-statistics"),
    ],
)
def test_attention_pooling_is_the_papers_equation_by_hand(rnn, pooling):
    """``a_t = softmax(u . y_t)`` over each utterance's own frames, ``Z = sum a_t y_t``.

    Computed here from the module's own recurrent layer run on each utterance alone
    (no padding, no packing), with the softmax written out, and compared to the
    module's logits on a padded batch whose padding holds garbage. Attentive
    statistics append ``S = sqrt(sum a_t y_t^2 - Z^2)``, written here as the
    weighted standard deviation around ``Z`` (a variance below 1e-6, as of a
    single frame, counts as 1e-6).
    """
    torch.manual_seed(0)
    m = AttentionBLSTMModule(
        n_features=5, n_outputs=3, n_codes=7, hidden_size=4, rnn=rnn, pooling=pooling
    )
    cell = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, None: type(None)}[rnn]
    assert isinstance(m.lstm, cell)
    m.eval()
    # Larger attention weights, so that the softmax is far from uniform.
    with torch.no_grad():
        m.score.weight.mul_(8.0)
    lengths = torch.tensor([6, 3, 1])
    X = torch.randn(3, 6, 5)
    for row, n in enumerate(lengths.tolist()):
        X[row, n:] = 1e3  # padding the pooling must never see
    with torch.no_grad():
        logits, _, _ = m(X, lengths)
        _, alpha = m.attention(X, lengths)
        u = m.score.weight[0]
        for row, n in enumerate(lengths.tolist()):
            h = m.autoencoder.encode(X[row : row + 1, :n])
            y = m.lstm(h)[0] if rnn is not None else h  # None: y_t = h_t
            y = y[0]  # (n, width): y_t for the valid frames only
            e = torch.exp(y @ u)
            a = e / e.sum()
            Z = (a.unsqueeze(1) * y).sum(0)
            if pooling == "attentive-statistics":
                S = (a.unsqueeze(1) * (y - Z) ** 2).sum(0).clamp(min=1e-6).sqrt()
                Z = torch.cat([Z, S])
            expected = m.output.weight @ Z + m.output.bias
            assert float((a - a.mean()).abs().max()) > 1e-3 or n == 1
            torch.testing.assert_close(alpha[row, :n], a, atol=1e-6, rtol=1e-5)
            torch.testing.assert_close(logits[row], expected, atol=1e-5, rtol=1e-5)


def test_layer_weighted_sum_is_softmax_of_w_by_hand():
    """``x_t = sum_l softmax(w)_l x_t^(l)`` over the layers side by side in a frame
    (layer 0's features first), then the single-layer network on those frames."""
    torch.manual_seed(0)
    m = AttentionBLSTMModule(
        n_features=12, n_outputs=3, n_codes=7, hidden_size=4, n_layers=3
    ).eval()
    assert m.autoencoder.encoder.in_features == 4
    torch.testing.assert_close(m.layer_weights(), torch.full((3,), 1 / 3))
    with torch.no_grad():
        m.layer_logits.copy_(torch.tensor([0.5, -1.0, 2.0]))
    w = np.exp([0.5, -1.0, 2.0]) / np.exp([0.5, -1.0, 2.0]).sum()
    torch.testing.assert_close(m.layer_weights(), torch.tensor(w, dtype=torch.float32))
    X, lengths = torch.randn(2, 5, 12), torch.tensor([5, 3])
    by_hand = sum(float(w[k]) * X[..., 4 * k : 4 * (k + 1)] for k in range(3))
    with torch.no_grad():
        torch.testing.assert_close(m.mix(X), by_hand)
        logits, z, h = m(X, lengths)
        z_hand, h_hand = m.autoencoder(by_hand)
        torch.testing.assert_close(h, h_hand)
        torch.testing.assert_close(z, z_hand)
        torch.testing.assert_close(logits, m._pool(h_hand, lengths)[0])
        torch.testing.assert_close(m.attention(X, lengths)[0], logits)
    # one layer: the frames as they are, and no layer parameter in the state dict
    single = AttentionBLSTMModule(n_features=12, n_outputs=3)
    assert single.mix(X) is X and "layer_logits" not in single.state_dict()
    for bad in (5, 0, 2.0, True):
        with pytest.raises(ValueError, match="module__n_layers must be a positive"):
            AttentionBLSTMModule(n_features=12, n_outputs=3, n_layers=bad)
    AttentionBLSTMModule(n_features=12, n_outputs=3, n_layers=np.int64(4))


def test_layer_weights_learn_the_informative_layer(rng):
    """Three layers side by side, only the first carrying the class: training moves
    the weight to it, and the reconstruction loss reads the weighted frames."""
    X, y, _ = make_data(rng, n=90, unlabeled=0.0)
    noise = [rng.normal(0, 1, (len(x), 12)) for x in X]
    X = as_sequences([np.hstack([x, n]) for x, n in zip(X, noise)])
    clf = small(max_epochs=30, module__n_layers=3, reconstruction_weight=0.0).fit(X, y)
    w = clf.module_.layer_weights().detach().numpy()
    assert w[0] > 0.45 and w[0] > 1.5 * max(w[1:]), w  # from 1/3 each
    assert clf.score(X, y) > 0.5  # chance: 1/3
    # L_u is the autoencoder's error on the frames it reads (the weighted sum)
    clf = _loss_net(X, y, module__n_layers=3)
    with torch.no_grad():
        clf.module_.layer_logits.copy_(torch.tensor([1.0, 0.0, -1.0]))
    batch, y_enc = _loss_batch(clf, X, np.where(np.arange(len(y)) % 3, y, -1))
    with torch.no_grad():
        y_pred = clf.module_(batch["X"], batch["lengths"])
        loss = clf.get_loss(y_pred, y_enc, X=batch)
        mixed = {"X": clf.module_.mix(batch["X"]), "lengths": batch["lengths"]}
    expected = _loss_by_hand(clf, y_pred, mixed, y_enc, **LOSS)
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-5)


def test_pretraining_with_layers_starts_from_their_average(rng):
    X, y, _ = make_data(rng, n=40)
    stacked = as_sequences([np.hstack([x, 2 * x]) for x in X])
    average = as_sequences([1.5 * x for x in X])
    params = dict(max_epochs=1, pretrain_epochs=2, random_state=0)
    two = small(module__n_layers=2, **params).fit(stacked, y)
    one = small(**params).fit(average, y)
    np.testing.assert_allclose(
        two.pretrained_autoencoder_.coef_, one.pretrained_autoencoder_.coef_, rtol=1e-5
    )
    # a width the layers do not divide is named before the pretraining reshapes
    with pytest.raises(ValueError, match="n_features=12; got 5"):
        small(module__n_layers=5, **params).fit(stacked, y)
