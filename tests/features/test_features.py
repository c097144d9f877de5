"""OpenSmileIS10 / OpenSmileFeatures / LogMelDeltas / FrameStatistics."""

import pickle

import numpy as np
import opensmile
import pytest
import soundfile as sf
from joblib import Memory
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from sklearn_ser import (
    AudioError,
    FrameStatistics,
    LogMelDeltas,
    OpenSmileFeatures,
    OpenSmileIS10,
    as_sequences,
    is_sequences,
)


@pytest.fixture(scope="module")
def smile_is10():
    return opensmile.Smile(
        opensmile.FeatureSet.IS10, opensmile.FeatureLevel.Functionals
    )


def _count_computes(monkeypatch, cls):
    calls = []
    original = cls._compute

    def counting(self, signal, sr):
        calls.append(len(signal))
        return original(self, signal, sr)

    monkeypatch.setattr(cls, "_compute", counting)
    return calls


def test_is10_equals_opensmile_and_is_cached(
    emovo_subset, smile_is10, tmp_path, monkeypatch
):
    calls = _count_computes(monkeypatch, OpenSmileFeatures)
    first = OpenSmileIS10(memory=tmp_path).fit_transform(emovo_subset)
    reference = np.vstack([smile_is10.process_file(f).to_numpy() for f in emovo_subset])
    assert first.shape == (12, 1582)
    np.testing.assert_array_equal(first, reference)
    assert len(calls) == 12
    second = OpenSmileIS10(memory=Memory(tmp_path, verbose=0)).transform(emovo_subset)
    np.testing.assert_array_equal(second, reference)
    assert len(calls) == 12, "the cached run must not extract again"


def test_feature_names_and_pandas(wav_files, smile_is10):
    est = OpenSmileIS10()
    names = est.get_feature_names_out()
    assert list(names) == list(smile_is10.feature_names) and len(names) == 1582
    df = est.set_output(transform="pandas").fit_transform(wav_files[:2])
    assert list(df.columns) == list(names) and df.shape == (2, 1582)


def test_other_feature_sets(wav_files):
    egemaps = OpenSmileFeatures(feature_set="eGeMAPSv02").fit_transform(wav_files[:2])
    assert egemaps.shape == (2, 88)
    lld = OpenSmileFeatures(feature_level="LowLevelDescriptors").transform(
        wav_files[:2]
    )
    assert is_sequences(lld) and lld[0].shape[1] == 38
    with pytest.raises(ValueError, match="cannot be returned as a DataFrame"):
        OpenSmileFeatures(feature_level="LowLevelDescriptors").set_output(
            transform="pandas"
        ).transform(wav_files[:1])
    with pytest.raises(ValueError, match="feature_set"):
        OpenSmileFeatures(feature_set="IS99").fit(wav_files[:1])


def test_parallel_equals_serial_and_keeps_order(wav_files):
    serial = OpenSmileIS10(n_jobs=1).transform(wav_files * 2)
    parallel = OpenSmileIS10(n_jobs=2).transform(wav_files * 2)
    np.testing.assert_array_equal(serial, parallel)
    assert not np.array_equal(serial[0], serial[1])


def test_features_do_not_depend_on_the_blas_threads_of_the_process():
    # The Mel filterbank product sums in an order that depends on BLAS's thread
    # count: the same audio gave frames up to 4e-6 apart in this process (2
    # threads) and in a joblib worker (1), which moved 114 of EMOVO's 588
    # attention-classifier predictions. Extraction runs on one BLAS thread.
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    X = np.empty(1, dtype=object)
    X[0] = (0.1 * rng.standard_normal(3 * 16000)).astype(np.float32)
    ext = LogMelDeltas(
        sampling_rate=16000, hop_length=0.03, win_length=0.04, standardize=False
    )
    frames = {}
    for threads in (1, 4):
        with threadpool_limits(limits=threads, user_api="blas"):
            frames[threads] = ext.fit_transform(X)[0]
    np.testing.assert_array_equal(frames[1], frames[4])


def test_one_blas_thread_holds_until_the_last_overlapping_context_closes():
    # Two threads extracting at once (the HTTP service) open overlapping contexts
    # and close them in either order: BLAS must stay on one thread until the last
    # one closes, then get its former count back.
    import threading

    from threadpoolctl import threadpool_info, threadpool_limits

    from sklearn_ser._parallel import one_blas_thread

    def blas_threads():
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    with threadpool_limits(limits=4, user_api="blas"):
        first, second = one_blas_thread(), one_blas_thread()
        first.__enter__()
        done = threading.Event()
        worker = threading.Thread(target=lambda: (second.__enter__(), done.set()))
        worker.start()
        worker.join()
        assert done.is_set() and blas_threads() == {1}
        first.__exit__(None, None, None)  # the first one closes first
        assert blas_threads() == {1}
        second.__exit__(None, None, None)
        assert blas_threads() == {4}


def test_cache_key_follows_content_and_parameters(tmp_path, voice, monkeypatch):
    path = tmp_path / "a.wav"
    sf.write(path, voice(0.5, seed=1), 16000)
    calls = _count_computes(monkeypatch, OpenSmileFeatures)
    a = OpenSmileIS10(memory=tmp_path / "c").transform([path])
    sf.write(path, voice(0.7, seed=2), 16000)  # new size and mtime
    b = OpenSmileIS10(memory=tmp_path / "c").transform([path])
    assert len(calls) == 2 and not np.array_equal(a, b)
    OpenSmileIS10(memory=tmp_path / "c", min_duration=0.2).transform([path])
    assert len(calls) == 3, "a parameter that changes features changes the key"
    wave = voice(0.4)
    OpenSmileIS10(sampling_rate=16000, memory=tmp_path / "c").transform([wave])
    OpenSmileIS10(sampling_rate=16000, memory=tmp_path / "c").transform([wave.copy()])
    assert len(calls) == 4, "waveforms are keyed by their content"


def test_interrupted_extraction_keeps_finished_items(wav_files, tmp_path, monkeypatch):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"garbage" * 50)
    X = wav_files[:3] + [str(bad)] + wav_files[3:]
    with pytest.raises(AudioError, match="bad.wav"):
        OpenSmileIS10(memory=tmp_path / "c").transform(X)
    calls = _count_computes(monkeypatch, OpenSmileFeatures)
    OpenSmileIS10(memory=tmp_path / "c").transform(wav_files)
    assert len(calls) == 3, "the three files done before the failure were kept"


def test_logmel_shape_and_frame_rate(data_home):
    files = sorted((data_home / "emovo").glob("f2/*.wav"))[:5]
    seqs = LogMelDeltas().fit_transform([str(f) for f in files])
    for f, x in zip(files, seqs):
        assert x.shape[1] == 120 and x.dtype == np.float32
        assert abs(x.shape[0] - 100 * sf.info(f).duration) <= 3


def test_logmel_standardises_with_training_statistics(wav_files):
    est = LogMelDeltas()
    train = est.fit_transform(wav_files[:4])
    frames = np.concatenate(list(train))
    np.testing.assert_allclose(frames.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(frames.std(axis=0), 1, atol=1e-3)
    again = est.transform(wav_files[:4])
    for a, b in zip(train, again):
        np.testing.assert_allclose(a, b, atol=1e-5)
    test = est.transform(wav_files[4:])
    raw = LogMelDeltas(standardize=False).fit_transform(wav_files[4:])
    np.testing.assert_allclose(test[0], (raw[0] - est.mean_) / est.scale_, atol=1e-4)
    restored = est.inverse_transform(test)
    np.testing.assert_allclose(restored[0], raw[0], atol=1e-3)
    assert est.get_feature_names_out()[40] == "logmel_delta_0"


def test_logmel_parameters(wav_files):
    x = LogMelDeltas(n_mels=64, hop_length=0.02, fmax=6000).fit_transform(wav_files[:1])
    assert x[0].shape[1] == 192
    with pytest.raises(ValueError, match="delta_width must be odd"):
        LogMelDeltas(delta_width=4).fit(wav_files[:1])
    with pytest.raises(ValueError, match="n_mels"):
        LogMelDeltas(n_mels=0).fit(wav_files[:1])


def test_logmel_cache_holds_unstandardised_features(wav_files, tmp_path, monkeypatch):
    calls = _count_computes(monkeypatch, LogMelDeltas)
    a = LogMelDeltas(memory=tmp_path).fit(wav_files[:3]).transform(wav_files)
    b = LogMelDeltas(memory=tmp_path).fit(wav_files[3:]).transform(wav_files)
    assert len(calls) == 6
    assert not np.allclose(a[0], b[0]), "each fit standardises with its own data"


def test_frame_statistics_by_hand_and_shared_with_encoder_pooling():
    from sklearn_ser.features._pretrained import pool_frames

    a = np.array([[0.0, 4.0], [2.0, 1.0], [4.0, 1.0]])
    b = np.array([[1.0, -1.0], [3.0, -3.0]])
    X = as_sequences([a, b])
    est = FrameStatistics(stats=("max", "mean", "std", "min")).fit(X)
    np.testing.assert_allclose(  # float32 frames
        est.transform(X),
        [[4, 4, 2, 2, np.sqrt(8 / 3), np.sqrt(2), 0, 1], [3, -1, 2, -2, 1, 1, 1, -3]],
        rtol=1e-6,
    )
    assert est.get_feature_names_out(["f", "g"]).tolist() == [
        "max_f", "max_g", "mean_f", "mean_g", "std_f", "std_g", "min_f", "min_g",
    ]  # fmt: skip
    # the encoders' "mean+std" pooling is FrameStatistics' default, value for value
    pooled = FrameStatistics().fit_transform(X)
    np.testing.assert_array_equal(pooled[0], pool_frames(X[0], "mean+std"))
    with pytest.raises(ValueError, match="stats must be a non-empty subset"):
        FrameStatistics(stats=("mean", "median")).fit(X)


def _sequence_pipeline():
    return make_pipeline(
        LogMelDeltas(), FrameStatistics(), LogisticRegression(max_iter=500)
    )


def test_sequences_through_pipeline_clone_pickle_cv_and_grid(voice):
    waves = [
        voice(0.4 + 0.05 * (i % 4), f0=(100 + 60 * (i % 2), 150 + 60 * (i % 2)), seed=i)
        for i in range(16)
    ]
    y = np.array([i % 2 for i in range(16)])
    groups = np.repeat(np.arange(4), 4)
    pipe = _sequence_pipeline().set_params(logmeldeltas__sampling_rate=16000)
    fitted = clone(pipe).fit(waves, y)
    reloaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(fitted.predict(waves), reloaded.predict(waves))
    scores = cross_val_score(pipe, waves, y, groups=groups, cv=GroupKFold(4), n_jobs=2)
    assert scores.shape == (4,) and scores.mean() > 0.7
    grid = GridSearchCV(
        pipe,
        {
            "logisticregression__C": [0.1, 1.0],
            "framestatistics__stats": [("mean",), ("mean", "std")],
        },
        cv=GroupKFold(2),
    ).fit(waves, y, groups=groups)
    seqs = pipe[0].fit_transform(waves)
    # The grid's parameters reach their steps: the refit pipeline pools as many
    # statistics as it was given, and predicts as a pipeline built with them does.
    best = grid.best_estimator_
    n_stats = len(grid.best_params_["framestatistics__stats"])
    assert best[:-1].transform(waves).shape[1] == n_stats * seqs[0].shape[1]
    direct = clone(pipe).set_params(**grid.best_params_).fit(waves, y)
    np.testing.assert_array_equal(
        best.predict_proba(waves), direct.predict_proba(waves)
    )
    # a stock step refuses sequences outright instead of seeing padding
    with pytest.raises(ValueError, match="sequence"):
        LogisticRegression().fit(seqs, y)
