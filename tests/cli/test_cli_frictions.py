"""What a new user hits first (issue 24): the Whisper model, failing files, workers,
output folders, model and audio paths that are folders, damaged models."""

import json
import re
import shutil
import struct
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from joblib import cpu_count

from conftest import REPO, write_speaker_takes
from sklearn_ser import AudioError, load_model, save_model
from sklearn_ser._parallel import cap_n_jobs, streaming_parallel
from sklearn_ser.cli import _n_jobs, main
from sklearn_ser.features import HuggingFaceEncoder, OpenSmileIS10, WhisperEncoder
from sklearn_ser.pipelines import (
    make_named_pipeline,
    whisper_model_default,
    whisper_model_folders,
)


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[-1].startswith("sklearn-ser: error: "), err
    return err[-1]


@pytest.fixture
def no_whisper_anywhere(tmp_path, monkeypatch):
    """No model option, no variable, no provisioned folder, no hub."""
    monkeypatch.delenv("SKLEARN_SER_WHISPER_MODEL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


# ------------------------------------------------------------------ Whisper model
def test_whisper_model_found_in_the_provisioned_folders(
    no_whisper_anywhere, whisper_model, tmp_path, monkeypatch
):
    assert whisper_model_default() == "base"
    local, user = whisper_model_folders()
    assert local == str(no_whisper_anywhere / "models" / "faster-whisper-base")
    assert user == str(
        tmp_path / "xdg" / "sklearn-ser" / "models" / "faster-whisper-base"
    )
    Path(user).parent.mkdir(parents=True)
    Path(user).symlink_to(whisper_model)
    assert whisper_model_default() == user
    Path(local).parent.mkdir(parents=True)
    Path(local).symlink_to(whisper_model)
    assert whisper_model_default() == local  # the working directory's comes first
    monkeypatch.setenv("SKLEARN_SER_WHISPER_MODEL", "elsewhere")
    assert whisper_model_default() == "elsewhere"
    assert whisper_model_default("tiny") == "tiny"
    assert make_named_pipeline("whisper-svm", whisper_model="tiny")[0].model == "tiny"


def test_no_whisper_model_is_one_line_naming_the_option(
    no_whisper_anywhere, wav_files, capsys
):
    out = no_whisper_anywhere / "w.csv"
    assert main(["extract", "--features", "whisper", *wav_files, "-o", str(out)]) == 2
    line = _error_line(capsys)
    assert "--whisper-model DIR or SKLEARN_SER_WHISPER_MODEL=DIR" in line
    assert str(no_whisper_anywhere / "models" / "faster-whisper-base") in line
    assert not out.exists()


def test_docs_main_commands_match_the_readme():
    def commands(path):
        text = (REPO / path).read_text()
        return [line for line in text.splitlines() if line.startswith("bash .ci/setup")]

    readme = commands("README.md")
    assert len(readme) == 2 and all("SKLEARN_SER_WHISPER_MODEL=" in c for c in readme)
    assert commands("docs/getting-started.md") == readme
    cli = (REPO / "docs/user-guide/cli.md").read_text()
    for line in cli.splitlines():
        if re.search(r"\bsklearn-ser$", line):  # the default run: whisper-logreg
            assert "SKLEARN_SER_WHISPER_MODEL=" in line, line
    index = (REPO / "docs/index.md").read_text()
    assert "| `WhisperEncoder` |" in index and "| `HuggingFaceEncoder` |" in index


# ------------------------------------------------------------------ extract whisper
def test_extract_whisper_equals_the_encoder(tmp_path, wav_files, whisper_model):
    out = tmp_path / "w.csv"
    args = ["extract", "--features", "whisper", "--whisper-model", whisper_model]
    assert main([*args, *wav_files[:2], "-o", str(out), "--no-cache", "--quiet"]) == 0
    frame = pd.read_csv(out)
    assert frame["file"].tolist() == wav_files[:2]
    expected = WhisperEncoder(model=whisper_model).fit_transform(wav_files[:2])
    assert frame.shape == (2, 1 + expected.shape[1]) and expected.shape[1] == 1024
    np.testing.assert_allclose(frame.iloc[:, 1:].to_numpy(), expected, rtol=1e-5)

    seq = tmp_path / "w.npz"
    args[2] = "whisper-frames"
    assert main([*args, wav_files[0], "-o", str(seq), "--no-cache", "--quiet"]) == 0
    frames = np.load(seq)["frames"]
    assert frames.shape[1] == 512 and np.load(seq)["lengths"].tolist() == [
        frames.shape[0]
    ]


def test_extract_huggingface_equals_the_encoder(tmp_path, wav_files):
    torch = pytest.importorskip("torch")
    tf = pytest.importorskip("transformers")
    # a tiny random HuBERT written as a downloaded model folder looks
    torch.manual_seed(0)
    config = tf.HubertConfig(
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(16,) * 7,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        feat_extract_norm="layer",
    )
    folder = tmp_path / "hubert"
    tf.AutoModel.from_config(config).save_pretrained(folder)
    tf.Wav2Vec2FeatureExtractor(return_attention_mask=True).save_pretrained(folder)

    out = tmp_path / "hf.csv"
    args = ["extract", "--features", "huggingface", "--hf-model", str(folder)]
    args += ["--hf-layer", "1", *wav_files[:2], "-o", str(out), "--no-cache", "--quiet"]
    assert main(args) == 0
    expected = HuggingFaceEncoder(model=str(folder), layer=1).fit_transform(
        wav_files[:2]
    )
    frame = pd.read_csv(out)
    assert frame.shape == (2, 1 + 32) and frame["file"].tolist() == wav_files[:2]
    np.testing.assert_allclose(frame.iloc[:, 1:].to_numpy(), expected, rtol=1e-5)

    bad = ["extract", "--features", "huggingface", wav_files[0], "-o", str(out)]
    assert main(bad) == 2


# ------------------------------------------------------------------ workers
def test_n_jobs_is_capped_at_the_cpus(capsys):
    n = cpu_count()
    assert _n_jobs(str(n + 1000)) == n
    err = capsys.readouterr().err
    assert f"n_jobs={n + 1000} is more than the {n} CPUs available" in err
    assert _n_jobs(str(n)) == n and _n_jobs("-1") == -1
    assert capsys.readouterr().err == ""
    with pytest.warns(UserWarning, match="more than the"):
        assert cap_n_jobs(n + 1) == n
    # the one helper every parallel loop of the library goes through
    with pytest.warns(UserWarning, match="more than the"):
        assert streaming_parallel(1000).n_jobs == n
    assert cap_n_jobs(None) is None


# ------------------------------------------------------------------ --on-error
@pytest.fixture
def mixed_inputs(tmp_path, wav_files):
    """Three good files and two bad ones (not audio; no samples)."""
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), 16000)
    return [wav_files[0], str(bad), wav_files[1], str(empty), wav_files[2]]


def test_extract_on_error_warn_keeps_the_good_files(tmp_path, mixed_inputs, capsys):
    out = tmp_path / "is10.csv"
    base = ["extract", "--features", "is10", "--no-cache", "--quiet", "-o", str(out)]
    assert main([*base, *mixed_inputs]) == 2
    assert "bad.wav" in _error_line(capsys) and not out.exists()

    assert main([*base, "--on-error", "warn", *mixed_inputs]) == 1
    err = capsys.readouterr().err
    assert "2 of 5 audio items failed" in err and "bad.wav" in err
    assert "empty.wav) is empty (0 samples)" in err
    assert "2 of 5 files failed (listed above) and have no row" in err
    frame = pd.read_csv(out)
    good = [mixed_inputs[i] for i in (0, 2, 4)]
    assert frame["file"].tolist() == good
    expected = OpenSmileIS10().fit_transform(good)
    np.testing.assert_allclose(frame.iloc[:, 1:].to_numpy(), expected, rtol=1e-5)


def test_predict_on_error_warn_keeps_the_good_files(
    tmp_path, wav_files, mixed_inputs, capsys
):
    model = make_named_pipeline("is10-svm")
    model.fit(wav_files, ["low", "low", "low", "high", "high", "high"])
    path = save_model(model, tmp_path / "m.skops")
    out = tmp_path / "pred.csv"
    assert main(["predict", str(path), *mixed_inputs, "-o", str(out)]) == 2
    assert "bad.wav" in _error_line(capsys) and not out.exists()

    args = ["predict", str(path), *mixed_inputs, "-o", str(out), "--on-error", "warn"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "skipped: Cannot read item 1 (" in err and "empty.wav) is empty" in err
    frame = pd.read_csv(out)
    good = [mixed_inputs[i] for i in (0, 2, 4)]
    assert frame["file"].tolist() == good
    assert frame["label"].tolist() == model.predict(good).tolist()


# ------------------------------------------------------------------ results folders
def _corpus(root, voice, speakers, f0_shift=0.0):
    rows = write_speaker_takes(root, voice, speakers, f0_shift=f0_shift)
    rows = [(path, label, spk) for path, label, spk, _, _ in rows]
    manifest = root / "labels.csv"
    pd.DataFrame(rows, columns=["path", "label", "speaker"]).to_csv(
        manifest, index=False
    )
    return manifest


def test_runs_into_one_folder_never_mix(tmp_path, voice, capsys):
    alpha = _corpus(tmp_path / "alpha", voice, ["a1", "a2"])
    beta = _corpus(tmp_path / "beta", voice, ["b1", "b2"], f0_shift=20.0)
    out = tmp_path / "out"
    run = ["benchmark", "--quiet", "--no-cache", "--cv", "2", "--out", str(out)]
    assert main([*run, "--corpus", str(alpha), "--pipelines", "is10-svm"]) == 0
    assert main([*run, "--corpus", str(alpha), "--pipelines", "is10-svm-spkstd"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results) == {"is10-svm", "is10-svm-spkstd"}  # same corpus: merged

    # another corpus: the first corpus's entries and files go
    assert main([*run, "--corpus", str(beta), "--pipelines", "is10-svm"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert list(results) == ["is10-svm"] and results["is10-svm"]["corpus"] == "labels"
    assert results["is10-svm"]["n_scored"] == 8
    assert not (out / "is10-svm-spkstd.json").exists()
    assert {e["corpus"] for e in results.values()} == {"labels"}
    capsys.readouterr()

    # is10-svm fails now (a damaged file): no figure of the run before survives
    Path(pd.read_csv(beta)["path"][0]).write_bytes(b"RIFF garbage")
    assert main([*run, "--corpus", str(beta), "--pipelines", "is10-svm"]) == 2
    assert json.loads((out / "results.json").read_text()) == {}
    assert not (out / "is10-svm.json").exists() and not (out / "is10-svm.png").exists()
    assert not (out / "report.md").exists()


def test_cross_corpus_prints_chance_and_times_the_extraction(tmp_path, voice, capsys):
    alpha = _corpus(tmp_path / "alpha", voice, ["a1", "a2"])
    beta = _corpus(tmp_path / "beta", voice, ["b1", "b2", "b3"], f0_shift=20.0)
    out = tmp_path / "cross"
    args = ["benchmark", "--train", f"alpha={alpha}", "--test", f"beta={beta}"]
    # a fresh cache: the features are extracted before the fits, in this run
    args += ["--pipelines", "is10-svm", "--quiet", "--cache", str(tmp_path / "cache")]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    line = "alpha -> beta: classes anger, neutral; chance level UA 0.500 (1/2 classes)"
    assert line in printed
    assert "WA 0.500 (always anger" in printed
    entry = json.loads((out / "results.json").read_text())["is10-svm__alpha-to-beta"]
    assert entry["extraction_time"] > 0
    assert entry["time"] >= entry["extraction_time"] + entry["fit_time"]
    assert "Chance level: UA 1/k" in (out / "report.md").read_text()


# ------------------------------------------------------------------ model files
def test_save_model_refuses_a_pickle_name(tmp_path, wav_files):
    model = make_named_pipeline("is10-svm").fit(wav_files, [0, 0, 0, 1, 1, 1])
    for name in ("m.joblib", "m.pkl", "m"):
        with pytest.raises(ValueError, match=r"must end in \.skops.*joblib\.dump"):
            save_model(model, tmp_path / name)
        assert not (tmp_path / name).exists()
    path = save_model(model, tmp_path / "m.skops")
    joblib.dump(model, tmp_path / "m.joblib")  # what a .joblib name promises
    assert load_model(path).predict(wav_files).tolist() == [0, 0, 0, 1, 1, 1]


def test_a_folder_as_model_or_audio_says_folder(tmp_path, wav_files, capsys):
    model = make_named_pipeline("is10-svm").fit(wav_files, [0, 0, 0, 1, 1, 1])
    save_model(model, tmp_path / "m.skops")
    with pytest.raises(
        IsADirectoryError, match="is a folder, not a model file.*m.skops"
    ):
        load_model(tmp_path)
    assert main(["predict", str(tmp_path), wav_files[0]]) == 2
    assert "is a folder, not a model file" in _error_line(capsys)
    with pytest.raises(AudioError, match=r"item 1 \(.*\): it is a folder"):
        OpenSmileIS10().fit_transform([wav_files[0], str(tmp_path)])


def _damaged_copy(whisper_model, dest, damage):
    """The provisioned model with a damaged copy of model.bin (side files linked)."""
    dest.mkdir()
    for f in Path(whisper_model).iterdir():
        if f.name != "model.bin":
            (dest / f.name).symlink_to(f)
    shutil.copyfile(Path(whisper_model) / "model.bin", dest / "model.bin")
    with open(dest / "model.bin", "r+b") as f:
        damage(f)
    return str(dest)


def _garble_header(f):
    f.seek(4)  # the spec name's length and text
    f.write(b"\xff" * 64)


def _nan_weights(f):
    """Fill the encoder's first convolution with NaN, as a bit-flipped file could."""

    def read(fmt):
        return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

    def string():
        return f.read(read("H"))[:-1].decode()

    read("I"), string(), read("I")
    for _ in range(read("I")):
        name = string()
        [read("I") for _ in range(read("B"))]
        read("B")
        n_bytes = read("I")
        if name == "encoder/conv1/weight":
            f.write(b"\xff" * n_bytes)  # NaN in float16 and float32
            return
        f.seek(n_bytes, 1)
    raise AssertionError("encoder/conv1/weight not found")


@pytest.mark.parametrize("damage", [_garble_header, _nan_weights])
def test_a_damaged_whisper_model_names_its_folder(
    damage, tmp_path, whisper_model, wav_files
):
    folder = _damaged_copy(whisper_model, tmp_path / "model", damage)
    with pytest.raises(ValueError, match="is damaged") as exc:
        WhisperEncoder(model=folder, on_error="warn").fit_transform(wav_files[:1])
    assert f"the Whisper model in {folder}" in str(exc.value)
    assert "item 0" not in str(exc.value)
