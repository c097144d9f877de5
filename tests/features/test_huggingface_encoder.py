"""HuggingFaceEncoder on tiny randomly initialised transformers models.

No pretrained weights can be downloaded here, so each test model is built from a
small config (random weights, seeded) and written with ``save_pretrained``, together
with its feature extractor, exactly as a downloaded model folder looks. The
expected frames are computed with transformers directly.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser import ExtractionWarning, HuggingFaceEncoder, is_sequences
from sklearn_ser._audio import AudioError
from sklearn_ser.features import _huggingface

torch = pytest.importorskip("torch")
tf = pytest.importorskip("transformers")

# transformers' WavLM passes torch a float attention bias with a bool padding mask.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Support for mismatched key_padding_mask:UserWarning"
)

N_LAYERS = 2
D = 16
SR = 16000

_CONV = dict(
    hidden_size=D,
    num_hidden_layers=N_LAYERS,
    num_attention_heads=2,
    intermediate_size=32,
    conv_dim=(16,) * 7,
    num_conv_pos_embeddings=16,
    num_conv_pos_embedding_groups=2,
)

# name -> (config factory, whether padded batches with a mask are exact)
KINDS = {
    "wav2vec2": lambda: tf.Wav2Vec2Config(
        **_CONV, feat_extract_norm="layer", do_stable_layer_norm=True
    ),
    "wav2vec2-group": lambda: tf.Wav2Vec2Config(**_CONV, feat_extract_norm="group"),
    "hubert": lambda: tf.HubertConfig(**_CONV, feat_extract_norm="layer"),
    "wavlm": lambda: tf.WavLMConfig(
        **_CONV, feat_extract_norm="layer", num_buckets=32, max_bucket_distance=80
    ),
    "data2vec-audio": lambda: tf.Data2VecAudioConfig(
        **{**_CONV, "num_conv_pos_embeddings": 3}, conv_pos_kernel_size=5
    ),
    "whisper": lambda: tf.WhisperConfig(
        d_model=D,
        encoder_layers=N_LAYERS,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        num_mel_bins=80,
        vocab_size=64,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=3,
    ),
}
MASKED = {"wav2vec2", "hubert", "wavlm", "whisper"}


def save_model(kind, folder, seed=0):
    """Write a tiny random ``kind`` model and its feature extractor to ``folder``."""
    torch.manual_seed(seed)
    model = tf.AutoModel.from_config(KINDS[kind]())
    model.save_pretrained(folder)
    if kind == "whisper":
        fe = tf.WhisperFeatureExtractor(feature_size=80)
    else:
        layer_norm = getattr(model.config, "feat_extract_norm", "layer") == "layer"
        fe = tf.Wav2Vec2FeatureExtractor(
            do_normalize=True, return_attention_mask=layer_norm
        )
    fe.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("hf_models")
    return {k: save_model(k, root / k) for k in KINDS}


@pytest.fixture
def signals(voice):
    """Utterances of different lengths, one shorter than a wav2vec2 frame."""
    return [voice(d, seed=i) for i, d in enumerate((0.9, 0.37, 1.3, 0.6, 0.02))]


def reference(folder, signal, dtype=None):
    """hidden_states and last_hidden_state of one utterance, straight from transformers.

    Returns the tuple of hidden states and the last hidden state, both cut to the
    frames that cover the audio.
    """
    fe = tf.AutoFeatureExtractor.from_pretrained(folder)
    model = tf.AutoModel.from_pretrained(folder, dtype=dtype).eval()
    if model.config.is_encoder_decoder:
        model = model.get_encoder()
        inputs = fe(signal, sampling_rate=SR, padding="max_length", return_tensors="pt")
        n = math.ceil(math.ceil(len(signal) / fe.hop_length) / 2)
        x = inputs["input_features"]
    else:
        if len(signal) < 400:
            signal = np.pad(signal, (0, 400 - len(signal)))
        inputs = fe(signal, sampling_rate=SR, return_tensors="pt")
        n = int(model._get_feat_extract_output_lengths(len(signal)))
        x = inputs["input_values"]
    with torch.inference_mode():
        out = model(x, output_hidden_states=True)
    hidden = [h[0, :n].numpy() for h in out.hidden_states]
    return hidden, out.last_hidden_state[0, :n].numpy()


def encoder(**params):
    """HuggingFaceEncoder for 16 kHz waveforms (paths ignore the rate)."""
    return HuggingFaceEncoder(sampling_rate=SR, **params)


class ForwardSpy:
    """Records the batch sizes of the real forward passes (the method still runs)."""

    def __init__(self, monkeypatch):
        self.sizes = []
        real = HuggingFaceEncoder._forward

        def spy(enc, loaded, windows):
            self.sizes.append(len(windows))
            return real(enc, loaded, windows)

        monkeypatch.setattr(HuggingFaceEncoder, "_forward", spy)


@pytest.mark.parametrize("kind", list(KINDS))
def test_layers_equal_transformers_hidden_states(kind, models, signals):
    hidden, last = reference(models[kind], signals[0])
    assert len(hidden) == N_LAYERS + 1

    def frames(layer):
        enc = encoder(model=models[kind], layer=layer, pooling=None)
        (out,) = enc.fit_transform([signals[0]])
        assert out.dtype == np.float32 and out.shape == (len(last), D)
        return out

    for k in range(N_LAYERS + 1):
        np.testing.assert_allclose(frames(k), hidden[k], atol=1e-5)
    np.testing.assert_allclose(frames(-1), hidden[-1], atol=1e-5)
    np.testing.assert_allclose(frames("last"), last, atol=1e-5)
    np.testing.assert_allclose(frames("average"), np.mean(hidden, axis=0), atol=1e-5)
    # The layers differ, so picking one is not a no-op.
    assert not np.allclose(hidden[1], hidden[2], atol=1e-3)


@pytest.mark.parametrize("kind", list(KINDS))
def test_pooling_and_frame_counts(kind, models, signals):
    enc = encoder(model=models[kind], layer=1, pooling=None)
    seqs = enc.fit_transform(signals)
    assert is_sequences(seqs) and len(seqs) == len(signals)
    for frames, signal in zip(seqs, signals):
        expected = len(reference(models[kind], signal)[1])
        assert frames.shape == (expected, D)
    n_short = seqs[4].shape[0]
    assert n_short == 1  # 20 ms: padded to one frame (wav2vec2), one frame (Whisper)

    pooled = clone(enc).set_params(pooling="mean+std").fit_transform(signals)
    assert pooled.shape == (len(signals), 2 * D) and pooled.dtype == np.float32
    np.testing.assert_allclose(pooled[2, :D], seqs[2].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(pooled[2, D:], seqs[2].std(axis=0), rtol=1e-4)
    mean = clone(enc).set_params(pooling="mean").fit_transform(signals)
    np.testing.assert_allclose(mean, pooled[:, :D], rtol=1e-6)
    names = clone(enc).set_params(pooling="mean+std").get_feature_names_out()
    assert names[0] == "huggingfaceencoder_mean_0" and len(names) == 2 * D
    assert names[D] == "huggingfaceencoder_std_0"


@pytest.mark.parametrize("kind", list(KINDS))
def test_batched_equals_one_by_one(kind, models, wav_files, monkeypatch):
    one = encoder(model=models[kind], layer=1, pooling=None)
    alone = one.fit_transform(wav_files)
    spy = ForwardSpy(monkeypatch)
    batched = clone(one).set_params(batch_size=4).fit_transform(wav_files)
    # wav_files have six different lengths: padded batches where the attention mask
    # makes them exact, one utterance per pass for the others.
    assert spy.sizes == ([4, 2] if kind in MASKED else [1] * 6)
    for a, b in zip(alone, batched):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=2e-5)


def test_unmasked_models_batch_equal_lengths(models, voice, monkeypatch):
    x = [voice(0.5, seed=0), voice(0.8, seed=1), voice(0.5, seed=2)]
    enc = encoder(model=models["wav2vec2-group"], batch_size=8)
    spy = ForwardSpy(monkeypatch)
    batched = enc.fit_transform(x)
    assert sorted(spy.sizes) == [1, 2]
    alone = clone(enc).set_params(batch_size=1).fit_transform(x)
    np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_windows_for_long_audio(models, voice, monkeypatch):
    signal = voice(1.2)
    enc = encoder(model=models["wavlm"], pooling=None, max_seconds=0.5, batch_size=3)
    spy = ForwardSpy(monkeypatch)
    (frames,) = enc.fit_transform([signal])
    assert spy.sizes == [3]  # three windows of one utterance, one pass
    parts = [signal[:8000], signal[8000:16000], signal[16000:]]
    expected = np.concatenate([reference(models["wavlm"], p)[1] for p in parts])
    np.testing.assert_allclose(frames, expected, atol=1e-5)

    with pytest.raises(ValueError, match="max_seconds=31"):
        encoder(model=models["whisper"], max_seconds=31).fit_transform([signal])


def test_whisper_long_audio_in_30s_windows(models, voice):
    signal = np.concatenate([voice(30.0, seed=0), voice(1.0, seed=1)])
    enc = encoder(model=models["whisper"], pooling=None, batch_size=2)
    (frames,) = enc.fit_transform([signal])
    assert frames.shape == (1500 + 50, D)
    np.testing.assert_allclose(
        frames[1500:], reference(models["whisper"], signal[30 * SR :])[1], atol=1e-5
    )


def test_cache(models, wav_files, tmp_path, monkeypatch):
    folder = save_model("hubert", tmp_path / "hubert")
    memory = tmp_path / "cache"
    enc = encoder(model=folder, layer=1, memory=memory)
    first = enc.fit_transform(wav_files)
    spy = ForwardSpy(monkeypatch)

    # Served from the cache, for any pooling: no forward pass.
    np.testing.assert_array_equal(enc.fit_transform(wav_files), first)
    seqs = clone(enc).set_params(pooling=None).fit_transform(wav_files)
    assert spy.sizes == [] and len(seqs) == len(wav_files)
    # A batch size shares the entry (same frames).
    clone(enc).set_params(batch_size=3).fit_transform(wav_files)
    assert spy.sizes == []

    # Another layer is another entry.
    other = clone(enc).set_params(layer=2).fit_transform(wav_files)
    assert len(spy.sizes) == len(wav_files)
    assert not np.allclose(other, first)
    # -1 is layer 2 here, and so is a numpy integer 2: the same entry.
    clone(enc).set_params(layer=-1).fit_transform(wav_files)
    clone(enc).set_params(layer=np.int64(2)).fit_transform(wav_files)
    assert len(spy.sizes) == len(wav_files)

    # New weights under the same path: recomputed, and different.
    save_model("hubert", folder, seed=1)
    changed = enc.fit_transform(wav_files)
    assert len(spy.sizes) == 2 * len(wav_files)
    assert not np.allclose(changed, first)


def test_half_precision_checkpoint_runs_in_float32(tmp_path, signals):
    folder = tmp_path / "half"
    torch.manual_seed(0)
    tf.AutoModel.from_config(KINDS["wavlm"]()).half().save_pretrained(folder)
    tf.Wav2Vec2FeatureExtractor(return_attention_mask=True).save_pretrained(folder)
    out = encoder(model=folder, layer=1).fit_transform(signals)
    # The same float16 weights, upcast, through transformers directly.
    hidden, _ = reference(str(folder), signals[0], dtype=torch.float32)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0, :D], hidden[1].mean(axis=0), atol=1e-5)


def test_bad_items_in_a_batch(models, wav_files, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"not audio")
    x = [wav_files[0], str(bad), wav_files[1]]
    enc = encoder(model=models["wavlm"], batch_size=4, on_error="warn")
    with pytest.warns(ExtractionWarning, match="bad.wav"):
        out = enc.fit_transform(x)
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()
    alone = clone(enc).set_params(batch_size=1).fit_transform([wav_files[1]])
    np.testing.assert_allclose(out[2], alone[0], atol=1e-5)
    with pytest.raises(AudioError, match="bad.wav"):
        clone(enc).set_params(on_error="raise").fit_transform(x)


def test_layer_errors(models, signals):
    enc = encoder(model=models["wav2vec2"], layer=3)
    with pytest.raises(ValueError, match=r"layer=3 .*2 transformer layers.*-3 to 2"):
        enc.fit_transform(signals[:1])
    with pytest.raises(ValueError, match="layer=-4"):
        enc.set_params(layer=-4).fit_transform(signals[:1])
    with pytest.raises(InvalidParameterError, match="'layer'"):
        enc.set_params(layer="first").fit(signals[:1])


def test_model_folder_errors(models, tmp_path, signals):
    missing = tmp_path / "no_such_model"
    with pytest.raises(FileNotFoundError, match="no_such_model"):
        encoder(model=str(missing)).fit_transform(signals[:1])
    with pytest.raises(FileNotFoundError, match="no_such_model"):
        encoder(model=missing).fit_transform(signals[:1])
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="without preprocessor_config.json"):
        encoder(model=partial).fit_transform(signals[:1])


@pytest.fixture
def offline_hub(tmp_path, monkeypatch):
    """An offline Hugging Face cache (huggingface_hub's own layout) under tmp_path."""
    hub = pytest.importorskip("huggingface_hub")
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(_huggingface, "_HUB_COMMITS", {})
    return tmp_path / "hub"


def test_hub_name_from_the_local_hub_cache(models, offline_hub, signals):
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = offline_hub / "models--someone--tiny-wavlm"
    save_model("wavlm", repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    enc = encoder(model="someone/tiny-wavlm", layer=1)
    assert enc._config()[1] == ("hub", "someone/tiny-wavlm", commit)
    from_hub = enc.fit_transform(signals)
    from_folder = clone(enc).set_params(model=models["wavlm"]).fit_transform(signals)
    np.testing.assert_allclose(from_hub, from_folder, atol=1e-6)


def test_hub_name_unavailable_offline(offline_hub, signals):
    enc = encoder(model="someone/not-downloaded")
    with pytest.raises(OSError, match="someone/not-downloaded") as info:
        enc.fit_transform(signals[:1])
    message = str(info.value)
    assert "\n" not in message and "local folder" in message


def test_missing_extra_is_one_line(models, signals, monkeypatch):
    monkeypatch.setattr(_huggingface, "_SMALL", {})
    monkeypatch.setattr(_huggingface, "_MODELS", {})
    monkeypatch.setitem(sys.modules, "transformers", None)  # `import` now fails
    enc = encoder(model=models["wavlm"])
    with pytest.raises(ImportError) as info:
        enc.fit_transform(signals[:1])
    message = str(info.value)
    assert "\n" not in message
    assert "HuggingFaceEncoder" in message and "'transformers'" in message
    assert 'pip install "sklearn-ser[pretrained]"' in message


def test_import_does_not_load_transformers_or_torch():
    code = (
        "import sys, sklearn_ser; sklearn_ser.HuggingFaceEncoder; "
        "print(sorted({'transformers', 'torch'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.slow  # two processes each import torch and transformers
def test_worker_processes_give_the_same_frames(models, wav_files):
    enc = encoder(model=models["wavlm"], layer=1, batch_size=4)
    parallel = clone(enc).set_params(n_jobs=2).fit_transform(wav_files)
    np.testing.assert_allclose(parallel, enc.fit_transform(wav_files), atol=1e-5)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_names_the_device(models, signals):
    with pytest.raises(ValueError, match="device='cuda'"):
        encoder(model=models["wavlm"], device="cuda").fit_transform(signals[:1])
