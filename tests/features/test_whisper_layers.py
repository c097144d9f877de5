"""WhisperEncoder(layer=...): every layer of the provisioned Whisper model, in torch.

The torch encoder reads its weights from the CTranslate2 folder's model.bin. Its
last layer is compared with CTranslate2 (float32, like with like) and every layer
with transformers' own WhisperEncoder loaded with the same weights, on real
EMOVO utterances.
"""

import os
import struct

import numpy as np
import pytest
import soundfile as sf
import torch
from faster_whisper.feature_extractor import FeatureExtractor
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_ser import WhisperEncoder
from sklearn_ser.features._ct2_file import ct2_variables, read_ct2_arrays
from sklearn_ser.features._whisper_torch import load_whisper_encoder_module

#: Largest |torch - CTranslate2| allowed on a last-layer frame value. Frame values
#: span about +-20; 12 EMOVO utterances differ by at most 1.3e-3 (summation order
#: of float32 products). Skipping the final LayerNorm gives 553, skipping the last
#: block 9.6, dropping the positions 23, tanh-GELU instead of erf-GELU 0.39,
#: LayerNorm epsilon 1e-6 instead of 1e-5 0.024: all far outside.
LAST_LAYER_TOL = 5e-3


def test_last_layer_equals_ctranslate2(whisper_model, emovo_subset, one_torch_thread):
    files = emovo_subset[:4]
    ct2 = WhisperEncoder(model=whisper_model, pooling=None, compute_type="float32")
    reference = ct2.fit_transform(files)
    for layer in (6, -1):
        frames = WhisperEncoder(model=whisper_model, pooling=None, layer=layer)
        X = frames.fit_transform(files)
        for ours, ref in zip(X, reference):
            assert ours.shape == ref.shape and ours.dtype == np.float32
            assert np.abs(ours - ref).max() <= LAST_LAYER_TOL
    # CTranslate2's default int8 is another computation: further away, still close
    int8 = WhisperEncoder(model=whisper_model, pooling=None).fit_transform(files)
    assert max(np.abs(a - b).max() for a, b in zip(X, int8)) > LAST_LAYER_TOL


def _transformers_encoder(model_bin):
    """transformers' WhisperEncoder with the CTranslate2 file's weights.

    The names are mapped here, independently of the library's module: q, k and v
    are CTranslate2's fused projection split in three (k has no bias).
    """
    from transformers import WhisperConfig
    from transformers.models.whisper.modeling_whisper import WhisperEncoder as HF

    a = {
        k: torch.from_numpy(v.astype(np.float32))
        for k, v in read_ct2_arrays(model_bin, prefix="encoder/").items()
    }
    d, n_mels, _ = a["encoder/conv1/weight"].shape
    n_layers = sum(1 for k in a if k.endswith("self_attention/linear_0/weight"))
    config = WhisperConfig(
        num_mel_bins=n_mels,
        d_model=d,
        encoder_layers=n_layers,
        encoder_attention_heads=int(a["encoder/num_heads"]),
        encoder_ffn_dim=a["encoder/layer_0/ffn/linear_0/weight"].shape[0],
        max_source_positions=a["encoder/position_encodings/encodings"].shape[0],
    )
    state = {
        "conv1.weight": a["encoder/conv1/weight"],
        "conv1.bias": a["encoder/conv1/bias"],
        "conv2.weight": a["encoder/conv2/weight"],
        "conv2.bias": a["encoder/conv2/bias"],
        "embed_positions.weight": a["encoder/position_encodings/encodings"],
        "layer_norm.weight": a["encoder/layer_norm/gamma"],
        "layer_norm.bias": a["encoder/layer_norm/beta"],
    }
    for i in range(n_layers):
        ours, hf = f"encoder/layer_{i}/", f"layers.{i}."
        qw = a[ours + "self_attention/linear_0/weight"].split(d)
        qb = a[ours + "self_attention/linear_0/bias"].split(d)
        assert not qb[1].any()  # Whisper's k projection has no bias
        for j, name in enumerate("qkv"):
            state[f"{hf}self_attn.{name}_proj.weight"] = qw[j]
            if name != "k":
                state[f"{hf}self_attn.{name}_proj.bias"] = qb[j]
        pairs = {
            "self_attn.out_proj": "self_attention/linear_1",
            "fc1": "ffn/linear_0",
            "fc2": "ffn/linear_1",
        }
        for hf_name, ct2_name in pairs.items():
            for p in ("weight", "bias"):
                state[f"{hf}{hf_name}.{p}"] = a[f"{ours}{ct2_name}/{p}"]
        norms = {"self_attn_layer_norm": "self_attention", "final_layer_norm": "ffn"}
        for hf_name, ct2_name in norms.items():
            state[f"{hf}{hf_name}.weight"] = a[f"{ours}{ct2_name}/layer_norm/gamma"]
            state[f"{hf}{hf_name}.bias"] = a[f"{ours}{ct2_name}/layer_norm/beta"]
    encoder = HF(config)
    encoder.load_state_dict(state, strict=True)
    return encoder.eval()


def test_every_layer_equals_transformers(whisper_model, emovo_subset, one_torch_thread):
    # transformers takes 30 s windows only: one utterance padded to 3000 frames.
    model_bin = os.path.join(whisper_model, "model.bin")
    signal, _ = sf.read(emovo_subset[0], dtype="float32")
    mel = FeatureExtractor(feature_size=80)(signal, padding=0)
    mel = np.pad(mel, ((0, 0), (0, 3000 - mel.shape[1])))
    x = torch.from_numpy(mel[None].astype(np.float32))
    with torch.inference_mode():
        ours = load_whisper_encoder_module(model_bin)(x)
        theirs = _transformers_encoder(model_bin)(x, output_hidden_states=True)
    assert len(ours) == len(theirs.hidden_states) == 7
    for k, (a, b) in enumerate(zip(ours, theirs.hidden_states)):
        # the same float32 operations: equal here, up to rounding elsewhere
        torch.testing.assert_close(a, b, msg=f"layer {k}")
    torch.testing.assert_close(ours[-1], theirs.last_hidden_state)


def test_layers_shapes_average_and_pooling(whisper_model, emovo_subset):
    files = emovo_subset[:2]
    layers = [
        WhisperEncoder(model=whisper_model, pooling=None, layer=k).fit_transform(files)
        for k in range(7)
    ]
    for k in range(6):
        for a, b in zip(layers[k], layers[k + 1]):
            assert a.shape == b.shape == (a.shape[0], 512)
            assert np.abs(a - b).max() > 1.0, f"layer {k} == layer {k + 1}"
    avg = WhisperEncoder(model=whisper_model, pooling=None, layer="average")
    for i, frames in enumerate(avg.fit_transform(files)):
        by_hand = np.mean([layers[k][i] for k in range(7)], axis=0)
        np.testing.assert_allclose(frames, by_hand, rtol=1e-5, atol=1e-4)
    # "all": the seven layers side by side, layer 0's 512 features first
    every = WhisperEncoder(model=whisper_model, pooling=None, layer="all")
    for i, frames in enumerate(every.fit_transform(files)):
        by_hand = np.concatenate([layers[k][i] for k in range(7)], axis=1)
        np.testing.assert_array_equal(frames, by_hand)
    names = every.get_feature_names_out()
    assert len(names) == 7 * 512 and names[-1] == "whisperencoder_e3583"
    pooled_all = WhisperEncoder(model=whisper_model, layer="all").fit_transform(files)
    assert pooled_all.shape == (2, 2 * 7 * 512)
    pooled = WhisperEncoder(model=whisper_model, layer=3).fit_transform(files)
    assert pooled.shape == (2, 1024) and pooled.dtype == np.float32
    for i, frames in enumerate(layers[3]):
        np.testing.assert_allclose(pooled[i, :512], frames.mean(0), rtol=1e-5)
        np.testing.assert_allclose(pooled[i, 512:], frames.std(0), rtol=1e-5)
    # frames trimmed to the audio as CTranslate2's: (n_mel + 1) // 2
    n_mel = [
        FeatureExtractor(feature_size=80)(sf.read(f, dtype="float32")[0]).shape[1]
        for f in files
    ]
    assert [f.shape[0] for f in layers[0]] == [(n + 1) // 2 for n in n_mel]


def test_one_encoding_serves_every_layer(
    whisper_model, emovo_subset, tmp_path, monkeypatch
):
    files = emovo_subset[:2]
    calls = []
    original = WhisperEncoder._compute
    monkeypatch.setattr(
        WhisperEncoder,
        "_compute",
        lambda self, s, sr: calls.append(1) or original(self, s, sr),
    )
    enc = WhisperEncoder(model=whisper_model, memory=tmp_path, layer=0)
    first = enc.fit_transform(files)
    assert len(calls) == 2
    rows = {}
    for layer in (0, 2, -1, 6, "average", "all"):
        rows[layer] = clone(enc).set_params(layer=layer).fit_transform(files)
    assert len(calls) == 2, "every layer must come from the one cached encoding"
    np.testing.assert_array_equal(rows[0], first)
    np.testing.assert_array_equal(rows[-1], rows[6])
    # "all" pooled: every layer's means, then every layer's standard deviations
    means, stds = np.split(rows["all"], 2, axis=1)
    np.testing.assert_array_equal(means[:, 2 * 512 : 3 * 512], rows[2][:, :512])
    np.testing.assert_array_equal(stds[:, 6 * 512 :], rows[6][:, 512:])
    assert not np.allclose(rows[0], rows[2])
    uncached = WhisperEncoder(model=whisper_model, layer=2).fit_transform(files)
    np.testing.assert_allclose(rows[2], uncached, rtol=1e-6)
    # The pooled rows' key names the layer; -1 and 6 are the same layer.
    configs = {
        layer: WhisperEncoder(model=whisper_model, layer=layer)._config()
        for layer in ("last", 0, 1, 6, -1, "average", "all")
    }
    assert configs[6] == configs[-1]
    distinct = [configs[k] for k in ("last", 0, 1, 6, "average", "all")]
    assert len(set(distinct)) == 6
    # layer="last" keeps CTranslate2's key: caches filled before stay valid.
    assert configs["last"][0] == "whisper-encoder/2"


def test_bad_layer_and_compute_type_name_the_parameter(whisper_model, emovo_subset):
    for layer in (7, -8):
        with pytest.raises(ValueError, match=f"layer={layer} is out of range.*6 enc"):
            WhisperEncoder(model=whisper_model, layer=layer).fit_transform(
                emovo_subset[:1]
            )
    with pytest.raises(InvalidParameterError, match="'layer'"):
        WhisperEncoder(model=whisper_model, layer="first").fit(emovo_subset[:1])
    with pytest.raises(ValueError, match="compute_type='int8'.*layer=2"):
        WhisperEncoder(model=whisper_model, layer=2, compute_type="int8").transform(
            emovo_subset[:1]
        )


# ------------------------------------------------------------ the model.bin reader
def _write_ct2(path, variables, *, version=6):
    """A model.bin as CTranslate2's ModelSpec writes it (aliases: none)."""

    def string(s):
        return struct.pack("H", len(s) + 1) + s.encode() + b"\0"

    ids = {"float32": 0, "int8": 1, "int16": 2, "int32": 3, "float16": 4}
    out = struct.pack("I", version) + string("WhisperSpec") + struct.pack("I", 3)
    out += struct.pack("I", len(variables))
    for name, value in variables.items():
        out += string(name) + struct.pack("B", value.ndim)
        out += b"".join(struct.pack("I", n) for n in value.shape)
        data = value.tobytes()
        out += struct.pack("B", ids[value.dtype.name]) + struct.pack("I", len(data))
        out += data
    path.write_bytes(out + struct.pack("I", 0))
    return path


def test_reader_values_and_errors_name_the_file(tmp_path):
    w = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    h = np.array([1.5, -2.25], dtype=np.float16)
    path = _write_ct2(
        tmp_path / "model.bin",
        {"encoder/a/weight": w, "encoder/b": h, "decoder/c": w, "n": np.int16(8)},
    )
    assert ct2_variables(path)["encoder/a/weight"].shape == (2, 3)
    arrays = read_ct2_arrays(path, prefix="encoder/")
    assert sorted(arrays) == ["encoder/a/weight", "encoder/b"]
    np.testing.assert_array_equal(arrays["encoder/a/weight"], w)
    np.testing.assert_array_equal(arrays["encoder/b"], h)
    assert arrays["encoder/b"].dtype == np.float16

    quantized = _write_ct2(
        tmp_path / "q.bin",
        {"encoder/a/weight": w.astype(np.int8), "encoder/a/weight_scale": w[0]},
    )
    with pytest.raises(ValueError, match=r"q\.bin holds quantized weights"):
        read_ct2_arrays(quantized)
    old = _write_ct2(tmp_path / "old.bin", {"a": w}, version=3)
    with pytest.raises(ValueError, match=r"old\.bin is not a CTranslate2.*version 3"):
        ct2_variables(old)
    cut = tmp_path / "cut.bin"
    cut.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match=r"cut\.bin is not a CTranslate2"):
        ct2_variables(cut)
    with pytest.raises(ValueError, match=r"model\.bin is not a CTranslate2 Whisper"):
        load_whisper_encoder_module(path)
