"""WhisperEncoder: Whisper's encoder through CTranslate2 on the extraction engine."""

import builtins
import os
import pickle
import time

import ctranslate2
import numpy as np
import pytest
import soundfile as sf
from faster_whisper.feature_extractor import FeatureExtractor
from sklearn.base import clone
from sklearn.model_selection import LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sklearn_ser import WhisperEncoder, is_sequences
from sklearn_ser.features import _whisper
from sklearn_ser.features._pretrained import folder_fingerprint, pool_frames


def _direct_frames(model_dir, signal):
    """The reference: faster-whisper's log-Mel, CTranslate2's encoder, no toolkit."""
    model = ctranslate2.models.Whisper(model_dir, device="cpu", compute_type="int8")
    # One BLAS thread, as the encoder does: int8 amplifies summation-order noise.
    with threadpool_limits(limits=1, user_api="blas"):
        mel = FeatureExtractor(feature_size=model.n_mels)(signal, padding=0)
    out = model.encode(ctranslate2.StorageView.from_array(mel[None]), to_cpu=True)
    return np.array(out)[0, : (mel.shape[1] + 1) // 2]


def test_equals_ctranslate2_directly(whisper_model, emovo_subset):
    files = emovo_subset[:3]
    X = WhisperEncoder(model=whisper_model, pooling=None).fit_transform(files)
    assert is_sequences(X) and len(X) == 3
    for f, frames in zip(files, X):
        signal, sr = sf.read(f, dtype="float32")
        assert sr == 16000
        ref = _direct_frames(whisper_model, signal)
        assert frames.shape == ref.shape == (ref.shape[0], 512)
        # 50 encoder frames per second of audio
        assert abs(frames.shape[0] - 50 * len(signal) / sr) <= 1
        np.testing.assert_allclose(frames, ref, rtol=1e-5, atol=1e-5)


def test_pooling_options(whisper_model, emovo_subset):
    files = emovo_subset[:2]
    frames = WhisperEncoder(model=whisper_model, pooling=None).fit_transform(files)
    both = WhisperEncoder(model=whisper_model).fit_transform(files)
    mean = WhisperEncoder(model=whisper_model, pooling="mean").fit_transform(files)
    assert both.shape == (2, 1024) and mean.shape == (2, 512)
    assert both.dtype == np.float32
    for i, f in enumerate(frames):
        np.testing.assert_allclose(both[i, :512], f.mean(axis=0), rtol=1e-5)
        np.testing.assert_allclose(both[i, 512:], f.std(axis=0), rtol=1e-5)
        np.testing.assert_allclose(mean[i], f.mean(axis=0), rtol=1e-5)
    names = WhisperEncoder(model=whisper_model).get_feature_names_out()
    assert len(names) == 1024 and names[0].endswith("mean_0")
    assert names[512].endswith("std_0")
    df = WhisperEncoder(model=whisper_model).set_output(transform="pandas")
    assert list(df.fit_transform(files).columns) == list(names)


def test_dimension_from_the_model_header_without_loading(whisper_model, monkeypatch):
    assert _whisper.ct2_variable_shape(
        f"{whisper_model}/model.bin", "encoder/conv1/weight"
    ) == [512, 80, 3]
    monkeypatch.setattr(_whisper, "_load", None)  # loading would fail now
    assert WhisperEncoder(model=whisper_model)._dimension() == 512


def test_pool_frames_by_hand():
    frames = np.array([[1.0, 2.0], [3.0, 6.0]])
    np.testing.assert_array_equal(pool_frames(frames, "mean+std"), [2, 4, 1, 2])
    np.testing.assert_array_equal(pool_frames(frames, "mean"), [2, 4])
    assert pool_frames(frames, None) is not None
    with pytest.raises(ValueError, match="pooling"):
        pool_frames(frames, "max")


def test_long_audio_window_by_window(whisper_model, voice):
    # 65 s: two full 30 s windows and a 5 s one, each encoded at its own length.
    signal = np.concatenate([voice(5.0, seed=s) for s in range(13)])
    frames = WhisperEncoder(model=whisper_model, pooling=None, sampling_rate=16000)
    X = frames.fit_transform([signal])[0]
    assert X.shape == (3250, 512)
    step = 30 * 16000
    ref = np.concatenate(
        [
            _direct_frames(whisper_model, signal[i : i + step])
            for i in (0, step, 2 * step)
        ]
    )
    np.testing.assert_allclose(X, ref, rtol=1e-5, atol=1e-5)


def test_pad_to_window_keeps_the_frames_of_the_audio(whisper_model, voice):
    signal = voice(2.0)
    enc = WhisperEncoder(model=whisper_model, pooling=None, sampling_rate=16000)
    short = enc.fit_transform([signal])[0]
    padded = clone(enc).set_params(pad_to_window=True).fit_transform([signal])[0]
    assert short.shape == padded.shape == (100, 512)
    # The padded window gives the encoder 28 s of context: other values.
    assert not np.allclose(short, padded, atol=1e-2)


def test_pad_to_a_number_of_seconds(whisper_model, voice):
    signal = voice(2.0)
    enc = WhisperEncoder(model=whisper_model, pooling=None, sampling_rate=16000)
    short = enc.fit_transform([signal])[0]
    # (names, not the numbers, as keys: True == 1 in a dict)
    frames = {
        str(pad): clone(enc).set_params(pad_to_window=pad).fit_transform([signal])[0]
        for pad in (1.5, 10, 30, True)
    }
    assert {x.shape for x in frames.values()} == {(100, 512)}
    # A window longer than the padded length is left as it is...
    np.testing.assert_array_equal(frames["1.5"], short)
    # ...a shorter one gets context, other than the full window's...
    assert not np.allclose(frames["10"], short, atol=1e-2)
    assert not np.allclose(frames["10"], frames["30"], atol=1e-2)
    # ...and 30 s is Whisper's window, True.
    np.testing.assert_array_equal(frames["30"], frames["True"])


def test_pad_lengths_are_cache_entries_of_their_own(whisper_model):
    keys = {
        repr(pad): WhisperEncoder(model=whisper_model, pad_to_window=pad)._config()
        for pad in (False, True, 30, 30.0, 10, 10.0, 15)
    }
    assert keys["True"] == keys["30"] == keys["30.0"]
    assert keys["10"] == keys["10.0"]
    assert len({keys[p] for p in ("False", "True", "10", "15")}) == 4


@pytest.mark.parametrize("pad", [0, -5, 31, "30"])
def test_pad_to_window_out_of_range_names_the_parameter(whisper_model, voice, pad):
    enc = WhisperEncoder(model=whisper_model, pad_to_window=pad, sampling_rate=16000)
    with pytest.raises(ValueError, match="pad_to_window"):
        enc.fit_transform([voice(1.0)])


def test_very_short_audio_gives_one_frame(whisper_model):
    X = WhisperEncoder(model=whisper_model, pooling=None, sampling_rate=16000)
    out = X.fit_transform([np.zeros(100, np.float32), np.zeros(480, np.float32)])
    assert [x.shape for x in out] == [(1, 512), (2, 512)]
    assert all(np.isfinite(x).all() for x in out)


def test_cache_hit_and_model_identity(
    whisper_model, emovo_subset, tmp_path, monkeypatch
):
    files = emovo_subset[:2]
    first = WhisperEncoder(model=whisper_model, memory=tmp_path).fit_transform(files)
    calls = []
    original = WhisperEncoder._compute
    monkeypatch.setattr(
        WhisperEncoder,
        "_compute",
        lambda self, s, sr: calls.append(1) or original(self, s, sr),
    )
    again = WhisperEncoder(model=whisper_model, memory=tmp_path).fit_transform(files)
    np.testing.assert_array_equal(first, again)
    assert calls == [], "the second run must be served from the cache"

    # The same model under another path is the same cache entry...
    alias = tmp_path / "alias"
    alias.mkdir()
    for name in os.listdir(whisper_model):
        (alias / name).symlink_to(os.path.join(whisper_model, name))
    WhisperEncoder(model=alias, memory=tmp_path).fit_transform(files)
    assert calls == []
    # ...and other files under the same path are not.
    (alias / "config.json").unlink()
    text = open(os.path.join(whisper_model, "config.json")).read()
    (alias / "config.json").write_text(text + "\n")
    assert folder_fingerprint(alias) != folder_fingerprint(whisper_model)
    WhisperEncoder(model=alias, memory=tmp_path).fit_transform(files)
    assert len(calls) == 2
    # pad_to_window and compute_type change the frames: other entries.
    WhisperEncoder(model=whisper_model, memory=tmp_path, compute_type="float32").fit(
        files
    ).transform(files[:1])
    assert len(calls) == 3


def test_pooled_rows_are_cached_beside_the_frames(
    whisper_model, emovo_subset, tmp_path, monkeypatch
):
    files = emovo_subset[:3]
    pooled = WhisperEncoder(model=whisper_model, memory=tmp_path).fit_transform(files)
    frame_dirs = [
        d for d in (tmp_path / "sklearn_ser").iterdir() if "mean" not in d.name
    ]
    row_dirs = [d for d in (tmp_path / "sklearn_ser").iterdir() if "mean+std" in d.name]
    assert len(frame_dirs) == len(row_dirs) == 1
    calls = []
    original = WhisperEncoder._compute
    monkeypatch.setattr(
        WhisperEncoder,
        "_compute",
        lambda self, s, sr: calls.append(1) or original(self, s, sr),
    )
    # frames of the same audio: from the cache, no encoding
    frames = WhisperEncoder(model=whisper_model, memory=tmp_path, pooling=None)
    X = frames.fit_transform(files)
    assert calls == []
    np.testing.assert_allclose(pooled[:, :512], [x.mean(0) for x in X], rtol=1e-6)
    # the rows alone serve a pooled rerun, even without the frames
    for f in frame_dirs[0].rglob("*.npy"):
        f.unlink()
    again = WhisperEncoder(model=whisper_model, memory=tmp_path).fit_transform(files)
    np.testing.assert_array_equal(again, pooled)
    assert calls == []
    # another pooling is its own row entry, computed from the frames (re-encoded
    # here, since they were deleted)
    WhisperEncoder(model=whisper_model, memory=tmp_path, pooling="mean").fit_transform(
        files
    )
    assert len(calls) == 3


def test_two_jobs_equal_one(whisper_model, emovo_subset):
    files = emovo_subset[:4]
    one = WhisperEncoder(model=whisper_model).fit_transform(files)
    two = WhisperEncoder(model=whisper_model, n_jobs=2).fit_transform(files)
    np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-5)


def test_clone_pickle_and_params(whisper_model):
    enc = WhisperEncoder(model=whisper_model, pooling="mean", n_jobs=2)
    assert clone(enc).get_params() == enc.get_params()
    assert pickle.loads(pickle.dumps(enc)).get_params()["pooling"] == "mean"
    assert "target_sampling_rate" not in enc.get_params()


def test_errors_name_the_parameter(whisper_model, tmp_path, emovo_subset):
    with pytest.raises(ValueError, match="model=.*without model.bin"):
        WhisperEncoder(model=tmp_path).fit_transform(emovo_subset[:1])
    with pytest.raises(ValueError, match="model='no-such-size'.*neither"):
        WhisperEncoder(model="no-such-size").fit_transform(emovo_subset[:1])
    if ctranslate2.get_cuda_device_count() == 0:
        with pytest.raises(ValueError, match="device='cuda'"):
            WhisperEncoder(model=whisper_model, device="cuda").fit_transform(
                emovo_subset[:1]
            )
    with pytest.raises(ValueError, match="pooling"):
        WhisperEncoder(model=whisper_model, pooling="max").fit(emovo_subset[:1])
    with pytest.raises(ValueError, match="DataFrame"):
        WhisperEncoder(model=whisper_model, pooling=None).set_output(
            transform="pandas"
        ).fit_transform(emovo_subset[:1])


def test_missing_extra_is_one_line(whisper_model, emovo_subset, monkeypatch):
    real_import = builtins.__import__

    def no_ctranslate2(name, *args, **kwargs):
        if name.startswith("ctranslate2"):
            raise ImportError("No module named 'ctranslate2'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ctranslate2)
    monkeypatch.delitem(__import__("sys").modules, "ctranslate2")
    with pytest.raises(ImportError) as info:
        WhisperEncoder(model=whisper_model).fit_transform(emovo_subset[:1])
    message = str(info.value)
    assert "\n" not in message
    assert 'pip install "sklearn-ser[pretrained]"' in message


def test_size_name_without_network_says_what_to_do(monkeypatch):
    def offline(name, *args, **kwargs):
        raise ConnectionError("no route to the hub")

    monkeypatch.setattr("faster_whisper.utils.download_model", offline)
    with pytest.raises(OSError, match="local faster-whisper/CTranslate2 model folder"):
        _whisper.resolve_whisper_model("base")


def test_cross_val_score_from_paths_then_from_cache(whisper_model, data_home, tmp_path):
    from sklearn_ser.datasets import load_emovo

    emovo = load_emovo(data_home)
    keep = np.isin(emovo.groups, ["f1", "m1", "m2"]) & np.isin(
        emovo.target, ["anger", "sadness", "neutral"]
    )
    files, y, g = (
        emovo.filenames[keep][::2],
        emovo.target[keep][::2],
        emovo.groups[keep][::2],
    )

    def run():
        pipe = make_pipeline(
            WhisperEncoder(model=whisper_model, memory=tmp_path),
            StandardScaler(),
            SVC(),
        )
        start = time.perf_counter()
        scores = cross_val_score(
            pipe, files, y, groups=g, cv=LeaveOneGroupOut(), scoring="balanced_accuracy"
        )
        return scores, time.perf_counter() - start

    cold, _ = run()
    stored = list(tmp_path.rglob("*.npy"))
    assert len(stored) == 2 * len(files)  # the frames and the pooled row of each
    mtimes = [p.stat().st_mtime_ns for p in stored]
    warm, _ = run()
    np.testing.assert_array_equal(cold, warm)
    assert [p.stat().st_mtime_ns for p in stored] == mtimes, "no entry rewritten"
