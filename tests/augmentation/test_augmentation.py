"""Waveform augmentation of training utterances: AddNoise and AugmentedTraining."""

import numpy as np
import pytest
import soundfile as sf
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser import AddNoise, AugmentedTraining, LogMelDeltas
from sklearn_ser.augmentation import augmented_copies
from sklearn_ser.evaluation import evaluate
from sklearn_ser.features import FrameStatistics


def _snr(signal, noisy):
    signal = signal.astype(np.float64)
    noise = noisy.astype(np.float64) - signal
    return 10 * np.log10(np.mean(signal**2) / np.mean(noise**2))


# -- AddNoise --------------------------------------------------------------------------


@pytest.mark.parametrize("recorded", [False, True])
def test_add_noise_meets_the_drawn_snr(voice, rng, recorded):
    signal = voice(1.0)
    noise = (
        [rng.standard_normal(5000), np.sin(np.arange(3000) * 0.3)] if recorded else None
    )
    for snr in (0.0, 12.5, 30.0):
        noisy = AddNoise(snr_db=(snr, snr), noise=noise)(signal, rng)
        assert noisy.dtype == np.float32 and noisy.shape == signal.shape
        assert _snr(signal, noisy) == pytest.approx(snr, abs=1e-3)


def test_add_noise_draws_the_snr_uniformly_in_its_range(voice):
    signal = voice(0.5)
    rng = np.random.default_rng(1)
    snrs = [_snr(signal, AddNoise(snr_db=(5.0, 15.0))(signal, rng)) for _ in range(300)]
    assert min(snrs) >= 5.0 - 1e-3 and max(snrs) <= 15.0 + 1e-3
    assert np.mean(snrs) == pytest.approx(10.0, abs=0.5)  # uniform: mean mid-range
    assert np.std(snrs) == pytest.approx(10 / np.sqrt(12), abs=0.3)


def test_white_noise_is_white_and_independent_of_the_signal(voice):
    signal = voice(2.0)
    diff = AddNoise(snr_db=(10.0, 10.0))(signal, np.random.default_rng(2)) - signal
    diff = diff.astype(np.float64)
    assert abs(np.corrcoef(diff, signal)[0, 1]) < 0.05
    lag1 = np.corrcoef(diff[1:], diff[:-1])[0, 1]
    assert abs(lag1) < 0.05  # no colour


def test_recorded_noise_is_a_scaled_cyclic_stretch_of_a_drawn_clip(voice):
    signal = voice(0.2)  # 3200 samples, longer than the clips: they repeat
    clips = [
        np.random.default_rng(k).standard_normal(n) for k, n in ((3, 1000), (4, 700))
    ]
    drawn = set()
    for seed in range(12):
        noisy = AddNoise(snr_db=(10.0, 10.0), noise=clips)(
            signal, np.random.default_rng(seed)
        )
        diff = noisy.astype(np.float64) - signal
        for k, clip in enumerate(clips):
            m = len(clip)
            start = int(
                np.argmax([np.dot(np.roll(clip, -s), diff[:m]) for s in range(m)])
            )
            stretch = np.resize(np.roll(clip, -start), signal.shape)
            scale = np.dot(stretch, diff) / np.dot(stretch, stretch)
            if scale > 0 and np.allclose(diff, scale * stretch, atol=1e-5):
                drawn.add(k)
                break
        else:
            pytest.fail(f"seed {seed}: the added noise is no stretch of either clip")
    assert drawn == {0, 1}


def test_add_noise_edge_cases_and_errors(rng):
    silent = np.zeros(800, dtype=np.float32)
    np.testing.assert_array_equal(AddNoise()(silent, rng), silent)
    gap = np.zeros(5000)
    gap[:10] = 1.0  # mostly silence: a short stretch of it can be all zeros
    with pytest.raises(ValueError, match=r"noise\[0\].*silent"):
        for _ in range(50):
            AddNoise(noise=[gap])(np.ones(100, dtype=np.float32), rng)
    with pytest.raises(ValueError, match="snr_db"):
        AddNoise(snr_db=(30.0, 10.0)).check()
    with pytest.raises(ValueError, match="snr_db"):
        AddNoise(snr_db=(10.0, np.inf)).check()
    with pytest.raises(ValueError, match=r"noise\[1\]"):
        AddNoise(noise=[np.ones(10), np.ones((10, 2))]).check()
    with pytest.raises(ValueError, match=r"noise\[0\].*silent"):
        AddNoise(noise=[np.zeros(10)]).check()
    with pytest.raises(InvalidParameterError, match="snr_db"):
        AddNoise(snr_db=[10.0, 20.0]).check()


def test_add_noise_is_reproducible_from_the_generator(voice):
    signal = voice(0.3)
    a = AddNoise()(signal, np.random.default_rng(7))
    b = AddNoise()(signal, np.random.default_rng(7))
    c = AddNoise()(signal, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


# -- AugmentedTraining -----------------------------------------------------------------


class Spy(ClassifierMixin, BaseEstimator):
    """Records what fit and predict receive; predicts the first training label."""

    def fit(self, X, y, groups=None):
        self.X_, self.y_, self.groups_ = list(X), np.asarray(y), groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        Spy.seen.append(list(X))
        return np.repeat(self.y_[0], len(X))


Spy.seen = []


def test_fit_sees_the_originals_then_the_copies_with_labels_and_groups_repeated(
    wav_files,
):
    y = np.array(["a", "b"] * 3)
    groups = np.array(["s1", "s1", "s2", "s2", "s3", "s3"])
    model = AugmentedTraining(Spy(), n_copies=2, random_state=0)
    model.fit(wav_files, y, groups=groups)
    spy = model.estimator_
    assert model.n_train_ == 18 and len(spy.X_) == 18
    assert spy.X_[:6] == wav_files  # originals as given: paths stay paths
    np.testing.assert_array_equal(spy.y_, np.tile(y, 3))
    np.testing.assert_array_equal(spy.groups_, np.tile(groups, 3))
    for c in range(2):
        for i, path in enumerate(wav_files):
            signal = sf.read(path, dtype="float32")[0]
            copy = spy.X_[6 * (c + 1) + i]
            assert copy.dtype == np.float32 and copy.shape == signal.shape
            assert 10.0 - 1e-3 <= _snr(signal, copy) <= 30.0 + 1e-3
    assert not np.allclose(spy.X_[6], spy.X_[12])  # two different copies
    # prediction is never augmented
    Spy.seen.clear()
    model.predict(wav_files[:2])
    assert Spy.seen == [wav_files[:2]]


def test_a_copy_depends_on_its_utterance_and_the_seed_not_on_the_fold(voice):
    signals = [voice(0.3, seed=i) for i in range(5)]
    full = augmented_copies(signals, AddNoise(), 2, seed=4)
    fold = augmented_copies(signals[2:], AddNoise(), 2, seed=4)
    for c in range(2):
        for j in range(3):
            np.testing.assert_array_equal(fold[3 * c + j], full[5 * c + 2 + j])
    other = augmented_copies(signals, AddNoise(), 2, seed=5)
    assert not np.allclose(other[0], full[0])


def test_random_state_makes_the_copies_reproducible(wav_files):
    y = ["a", "b"] * 3
    fit = lambda rs: AugmentedTraining(Spy(), random_state=rs).fit(wav_files, y)  # noqa: E731
    a, b, c = fit(0).estimator_.X_, fit(0).estimator_.X_, fit(1).estimator_.X_
    np.testing.assert_array_equal(a[6], b[6])
    assert not np.allclose(a[6], c[6])


def test_evaluate_routes_groups_and_never_augments_the_test_speaker(wav_files):
    y = np.array(["a", "b"] * 3)
    groups = np.array(["s1", "s1", "s2", "s2", "s3", "s3"])
    with config_context(enable_metadata_routing=True):
        spy = Spy().set_fit_request(groups=True)
    Spy.seen.clear()
    report = evaluate(
        AugmentedTraining(spy, random_state=0), wav_files, y, groups, cv="loso"
    )
    assert len(report.folds) == 3
    # each fold predicted exactly its two test paths, the originals
    assert sorted(map(tuple, Spy.seen)) == sorted(
        tuple(np.asarray(wav_files)[groups == g]) for g in ("s1", "s2", "s3")
    )


def test_groups_reach_the_inner_fit_through_routing(wav_files):
    y = np.array(["a", "b"] * 3)
    groups = np.array(["s1", "s1", "s2", "s2", "s3", "s3"])
    with config_context(enable_metadata_routing=True):
        model = AugmentedTraining(Spy().set_fit_request(groups=True), random_state=0)
        model.fit(wav_files, y, groups=groups)
    np.testing.assert_array_equal(model.estimator_.groups_, np.tile(groups, 2))


def test_a_real_pipeline_learns_from_the_enlarged_set(voice):
    rng = np.random.default_rng(0)
    X = [voice(0.5, seed=i) * (0.05 if i % 2 else 1.0) for i in range(8)]
    y = ["quiet" if i % 2 else "loud" for i in range(8)]
    X = [x + 0.001 * rng.standard_normal(len(x)).astype(np.float32) for x in X]
    pipe = make_pipeline(LogMelDeltas(sampling_rate=16000), FrameStatistics(), SVC())
    model = AugmentedTraining(pipe, n_copies=1, random_state=0).fit(X, y)
    assert model.n_train_ == 16
    assert model.predict(X).tolist() == y
    assert model.score(X, y) == 1.0
    assert list(model.classes_) == ["loud", "quiet"]
    assert not hasattr(model, "predict_proba")  # SVC(probability=False) has none
    assert clone(model).get_params()["n_copies"] == 1


def test_no_copies_fits_the_originals_only(wav_files):
    model = AugmentedTraining(Spy(), n_copies=0).fit(wav_files, ["a", "b"] * 3)
    assert model.estimator_.X_ == wav_files


def test_augmented_training_errors_name_the_parameter(wav_files):
    with pytest.raises(ValueError, match="y has 5 entries for 6"):
        AugmentedTraining(Spy()).fit(wav_files, ["a"] * 5)
    with pytest.raises(InvalidParameterError, match="augment"):
        AugmentedTraining(Spy(), augment="noise").fit(wav_files, ["a", "b"] * 3)
    with pytest.raises(InvalidParameterError, match="n_copies"):
        AugmentedTraining(Spy(), n_copies=-1).fit(wav_files, ["a", "b"] * 3)
    with pytest.raises(ValueError, match="snr_db"):
        AugmentedTraining(Spy(), augment=AddNoise(snr_db=(3.0, 1.0))).fit(
            wav_files, ["a", "b"] * 3
        )
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        AugmentedTraining(Spy()).fit(
            wav_files + ["missing.wav"], ["a", "b"] * 3 + ["a"]
        )


def test_the_attention_pipeline_trains_on_noisy_copies_with_speaker_validation(
    wav_files, one_torch_thread
):
    from sklearn_ser.classifiers import make_attention_pipeline

    y = np.array(["a", "b"] * 3)
    groups = np.array(["s1", "s1", "s2", "s2", "s3", "s3"])
    pipe = make_attention_pipeline(
        semi_supervised=False, max_epochs=2, valid_size=0.34, random_state=0
    )
    model = AugmentedTraining(pipe, random_state=0)
    report = evaluate(model, wav_files, y, groups, cv="loso")
    assert len(report.folds) == 3 and report.y_pred.shape == (6,)
    # groups reach the classifier's speaker split through both routers
    with config_context(enable_metadata_routing=True):
        model.fit(wav_files, y, groups=groups)
    clf = model.estimator_[-1]
    assert model.n_train_ == 12 and "valid_ua" in clf.history_[-1]
