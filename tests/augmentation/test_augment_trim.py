"""TrimSilence (energy rule on frames) and SpecAugment (training loader only)."""

import numpy as np
import pytest
from sklearn.base import clone
from skorch.callbacks import Callback
from torch.utils.data import Subset

from sklearn_ser import LogMelDeltas, SparseAE, TrimSilence, as_sequences
from sklearn_ser.augmentation import SpecAugment
from sklearn_ser.augmentation._specaugment import stretch
from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier
from sklearn_ser.features._trim import frame_energy_db

pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ---------------------------------------------------------------- TrimSilence


def test_frame_energy_is_the_log_of_the_mean_power_by_hand():
    x = np.array([[-10.0, -20.0, 0.0], [-30.0, -30.0, 5.0]])
    expected = [10 * np.log10((0.1 + 0.01) / 2), -30.0]
    np.testing.assert_allclose(frame_energy_db(x, [0, 1]), expected)
    np.testing.assert_allclose(
        frame_energy_db(x), 10 * np.log10(np.mean(10 ** (x / 10), axis=1))
    )


def test_trim_keeps_first_to_last_voiced_frame_and_inner_pauses():
    e = np.array([-90, -80, -20, -60, -25, -70, -95], dtype=float)
    X = as_sequences([np.column_stack([e, np.arange(7.0)])])
    out = TrimSilence(top_db=30, columns=[0]).fit_transform(X)[0]
    # voiced: -20 and -25 (within 30 dB of -20); the -60 pause between stays
    np.testing.assert_array_equal(out[:, 1], [2, 3, 4])
    out = TrimSilence(top_db=45, columns=[0]).fit_transform(X)[0]
    np.testing.assert_array_equal(out[:, 1], [2, 3, 4])
    out = TrimSilence(top_db=75, columns=[0]).fit_transform(X)[0]
    np.testing.assert_array_equal(out[:, 1], [0, 1, 2, 3, 4, 5, 6])
    spans = TrimSilence(top_db=30, columns=[0]).fit(X).voiced_spans(X)
    np.testing.assert_array_equal(spans, [[2, 5]])


def test_trim_min_frames_and_failed_items():
    e = np.array([-90, -90, -10, -90, -90, -90], dtype=float)[:, None]
    X = as_sequences([e, np.full((1, 1), np.nan)])
    out = TrimSilence(top_db=20, min_frames=3).fit_transform(X)
    assert len(out[0]) == 3 and -10 in out[0][:, 0]
    assert len(out[1]) == 1 and np.isnan(out[1][0, 0])
    assert len(TrimSilence(top_db=20).fit_transform(X)[0]) == 1


def test_trim_cuts_real_silence_around_a_tone():
    sr = 16000
    t = np.arange(sr) / sr
    tone = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    silence = np.zeros(sr // 2, np.float32)
    wave = np.concatenate([silence, tone, silence])
    lm = LogMelDeltas(hop_length=0.01, standardize=False, sampling_rate=sr)
    X = lm.fit_transform([wave])
    out = TrimSilence(top_db=35, columns=range(40)).fit_transform(X)
    assert len(X[0]) == 201
    # the 1 s tone (100 frames), give or take the 25 ms window
    assert 98 <= len(out[0]) <= 104


def test_trim_bad_columns_name_the_parameter():
    X = as_sequences([np.zeros((4, 3))])
    with pytest.raises(ValueError, match="TrimSilence: columns"):
        TrimSilence(columns=[5]).fit(X)
    with pytest.raises(ValueError, match="top_db"):
        TrimSilence(top_db=0).fit(X)


# ---------------------------------------------------------------- SpecAugment


def test_stretch_resamples_linearly_and_keeps_endpoints():
    x = np.arange(11, dtype=np.float32)[:, None] * [1.0, 2.0]
    y = stretch(x.astype(np.float32), 2.0)
    assert y.shape == (6, 2) and y.dtype == np.float32
    np.testing.assert_allclose(y[:, 0], [0, 2, 4, 6, 8, 10])
    z = stretch(x.astype(np.float32), 0.5)
    assert len(z) == 22 and z[0, 0] == 0 and z[-1, 0] == 10
    np.testing.assert_allclose(np.diff(z[:, 0]), 10 / 21, rtol=1e-5)


def test_frequency_masks_hit_the_same_bands_in_every_block():
    aug = SpecAugment(freq_masks=1, freq_width=3, time_masks=0, tempo=None)
    x = np.ones((20, 12), np.float32)
    rng = np.random.default_rng(1)
    for _ in range(20):
        out = aug(x, rng)
        zero = (out == 0).all(axis=0).reshape(3, 4)
        assert (zero == zero[0]).all()
        assert zero[0].sum() <= 3
    assert x.min() == 1  # the input is never changed in place


def test_time_masks_are_at_most_time_width_of_the_frames():
    aug = SpecAugment(freq_masks=0, time_masks=1, time_width=0.2, tempo=None)
    rng = np.random.default_rng(0)
    widths = []
    for _ in range(50):
        out = aug(np.ones((50, 3), np.float32), rng)
        zero = (out == 0).all(axis=1)
        widths.append(zero.sum())
        if zero.any():
            idx = np.flatnonzero(zero)
            assert idx[-1] - idx[0] + 1 == len(idx)  # one block of frames
    assert max(widths) <= 10 and max(widths) > 0


def test_tempo_changes_the_length_within_range():
    aug = SpecAugment(freq_masks=0, time_masks=0, tempo=(0.8, 1.25))
    rng = np.random.default_rng(0)
    lengths = {len(aug(np.ones((100, 3), np.float32), rng)) for _ in range(30)}
    assert min(lengths) >= 80 and max(lengths) <= 125 and len(lengths) > 5


def test_spec_augment_is_one_class_under_every_public_path():
    import sklearn_ser
    import sklearn_ser.classifiers

    assert sklearn_ser.SpecAugment is sklearn_ser.classifiers.SpecAugment
    assert sklearn_ser.SpecAugment is SpecAugment
    assert SpecAugment.__module__ == "sklearn_ser.augmentation._specaugment"


def test_spec_augment_checks_its_parameters():
    with pytest.raises(ValueError, match="n_blocks"):
        SpecAugment(n_blocks=3).check(10)
    with pytest.raises(ValueError, match="tempo"):
        SpecAugment(tempo=(1.2, 0.8)).check(12)
    with pytest.raises(ValueError, match="tempo"):
        SpecAugment(tempo=(0.0, 1.1)).check(12)
    with pytest.raises(ValueError, match="freq_masks"):
        SpecAugment(freq_masks=-1).check(12)


class Spy(SpecAugment):
    """Records the marker (first value) of every utterance it augments."""

    seen = []

    def __call__(self, x, rng):
        Spy.seen.append(float(x[0, -1]))
        return super().__call__(x, rng)


def test_augment_reaches_the_training_utterances_only():
    rng = np.random.default_rng(0)
    n = 40
    X = [
        rng.normal(size=(int(rng.integers(5, 15)), 6)).astype(np.float32)
        for _ in range(n)
    ]
    for i, x in enumerate(X):
        x[0, -1] = 1000 + i  # marker in a column no mask touches (tempo off)
    X = as_sequences(X)
    y = np.array(["a", "b"] * (n // 2), dtype=object)
    train, valid = np.arange(30), np.arange(30, 40)

    def split(dataset, y_enc, groups=None):
        return Subset(dataset, train), Subset(dataset, valid)

    Spy.seen = []
    spy = Spy(freq_masks=1, freq_width=1, time_masks=0, tempo=None, n_blocks=1)
    clf = SemiSupervisedAttentionClassifier(
        augment=spy,
        train_split=split,
        max_epochs=3,
        module__n_codes=4,
        module__hidden_size=3,
        random_state=0,
    ).fit(X, y)
    seen = np.array(Spy.seen) - 1000
    assert len(seen) == 3 * len(train)  # every training utterance, every epoch
    assert set(seen.astype(int)) == set(train)
    Spy.seen = []
    clf.predict(X)
    clf.predict_proba(X)
    assert Spy.seen == []


def test_augmented_fit_is_reproducible_and_clonable():
    rng = np.random.default_rng(0)
    X = as_sequences([rng.normal(size=(12, 6)) for _ in range(24)])
    y = np.array(["a", "b", "c"] * 8, dtype=object)
    clf = SemiSupervisedAttentionClassifier(
        augment=SpecAugment(freq_width=1),
        max_epochs=2,
        module__n_codes=4,
        module__hidden_size=3,
        random_state=0,
        train_split=None,
    )
    p1 = clf.fit(X, y).predict_proba(X)
    p2 = clone(clf).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    p3 = clone(clf).set_params(augment=None).fit(X, y).predict_proba(X)
    assert not np.array_equal(p1, p3)
    assert clone(clf).get_params()["augment"].freq_width == 1
    with pytest.raises(ValueError, match="n_blocks"):
        clone(clf).set_params(augment=SpecAugment(n_blocks=4)).fit(X, y)


# ---------------------------------------------------------------- pre-training


class StartWeights(Callback):
    """Keeps the sparse-AE encoder weights the joint training starts from."""

    def on_train_begin(self, net, **kwargs):
        self.weight_ = net.module_.autoencoder.encoder.weight.detach().clone()


def pretraining_case(**params):
    """30 short random sequences, a third unlabeled, and a one-epoch classifier."""
    rng = np.random.default_rng(0)
    X = as_sequences([rng.normal(size=(int(m), 6)) for m in rng.integers(5, 12, 30)])
    y = np.array(["a", "b", -1] * 10, dtype=object)
    base = dict(max_epochs=1, module__n_codes=7, module__hidden_size=3, random_state=0)
    return X, y, SemiSupervisedAttentionClassifier(**{**base, **params})


def test_pretrained_sparse_ae_is_where_joint_training_starts():
    spy = StartWeights()
    X, y, clf = pretraining_case(pretrain_epochs=3, callbacks=[("spy", spy)])
    clf.fit(X, y)
    sae = clf.pretrained_autoencoder_
    assert sae.n_hidden == 7 and len(sae.history_["loss"]) == 3
    assert sae.scaler_ is None  # frames come standardised: nothing re-scaled
    np.testing.assert_allclose(spy.weight_.numpy(), sae.coef_, rtol=1e-6)
    _, _, fresh = pretraining_case(callbacks=[("spy", StartWeights())])
    fresh.fit(X, y)
    assert fresh.pretrained_autoencoder_ is None
    assert not np.allclose(fresh.callbacks[0][1].weight_.numpy(), sae.coef_)


class TrainSet(Callback):
    """Keeps the dataset the joint training gets."""

    def on_train_begin(self, net, X=None, **kwargs):
        self.dataset_ = X


@pytest.mark.parametrize(
    "params, joint",
    [
        (dict(pseudo_class=False, reconstruction_weight=0.0), 20),
        (dict(pseudo_class=False, reconstruction_weight=0.01), 30),
        (dict(pseudo_class=True, reconstruction_weight=0.0), 30),
    ],
)
def test_unlabeled_utterances_leave_joint_training_only_where_they_add_nothing(
    params, joint
):
    # the supervised model: unlabeled utterances serve the pre-training only
    spy = TrainSet()
    X, y, clf = pretraining_case(
        pretrain_epochs=1, valid_size=0.0, callbacks=[("spy", spy)], **params
    )
    groups = np.arange(30) % 5
    clf.fit(X, y, groups=groups)
    dataset = spy.dataset_
    assert len(dataset) == joint
    kept = np.flatnonzero(y != -1) if joint == 20 else np.arange(30)
    np.testing.assert_array_equal(dataset.groups, groups[kept])
    np.testing.assert_array_equal(dataset.targets, clf.targets_.encode(y[kept]))
    # the pre-training had every frame, unlabeled ones included
    sae = clf.pretrained_autoencoder_
    ref = SparseAE(
        n_hidden=7,
        standardize=False,
        epochs=1,
        lr=clf.lr,
        random_state=sae.random_state,
    ).fit(X)
    np.testing.assert_allclose(sae.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- defaults


def test_logmel_attention_defaults_use_every_training_speaker_and_cosine_lr():
    from sklearn_ser.pipelines import make_named_pipeline

    for name, semi in [("logmel-attention", False), ("logmel-attention-semi", True)]:
        pipe = make_named_pipeline(name)
        clf = pipe[-1]
        assert [step for step, _ in pipe.steps[:3]] == [
            "logmeldeltas",
            "trimsilence",
            "framestandardscaler",
        ]
        assert (clf.valid_size, clf.lr_schedule, clf.max_epochs) == (0.0, "cosine", 40)
        assert isinstance(clf.augment, SpecAugment)
        assert clf.pseudo_class is semi and (clf.reconstruction_weight > 0) is semi
    # the Whisper attention pipelines keep the settings of their published figures
    clf = make_named_pipeline("whisper-attention")[-1]
    assert (clf.valid_size, clf.lr_schedule, clf.augment) == (0.2, "constant", None)
    assert clf.callbacks__early_stopping__monitor == "valid_ce"
