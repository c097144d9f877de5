"""The command line on your own data (manifests, folders) and across corpora."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from sklearn_ser.cli import main
from sklearn_ser.datasets import load_emovo
from sklearn_ser.datasets._emovo import EMOVO_EMOTIONS
from sklearn_ser.evaluation import evaluate
from sklearn_ser.pipelines import make_named_pipeline


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    path = os.environ.get("SKLEARN_SER_CACHE")
    return path or str(tmp_path_factory.mktemp("feature_cache"))


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("sklearn-ser: error: ")
    return err[0]


def test_manifest_benchmark_equals_emovo_restricted_to_its_files(
    tmp_path, data_home, cache
):
    """The issue's must-show: 60 EMOVO files through a manifest, same figures."""
    emovo = load_emovo(data_home, as_frame=True)
    sel = np.r_[
        [np.flatnonzero(emovo.groups == s)[::10] for s in np.unique(emovo.groups)]
    ]
    sel = np.sort(sel.ravel())
    assert sel.size == 60
    # Relative paths (resolved against the manifest's folder), Italian codes mapped
    # on the command line, columns named as a user's own table would.
    manifest = tmp_path / "labels.csv"
    pd.DataFrame(
        {
            "file": [os.path.relpath(f, tmp_path) for f in emovo.filenames[sel]],
            "emotion": emovo.frame["emotion_code"].to_numpy()[sel],
            "actor": emovo.groups[sel],
            "sentence": emovo.sentences[sel],
        }
    ).to_csv(manifest, index=False)
    label_map = ",".join(f"{k}={v}" for k, v in EMOVO_EMOTIONS.items())
    out = tmp_path / "out"
    args = ["benchmark", "--corpus", str(manifest), "--columns", "file,emotion,actor"]
    args += ["--label-map", label_map, "--pipelines", "is10-svm", "--quiet"]
    assert main([*args, "--cache", cache, "--out", str(out)]) == 0
    entry = json.loads((out / "results.json").read_text())["is10-svm"]
    assert entry["corpus"] == "labels"

    ref = evaluate(
        make_named_pipeline("is10-svm", memory=cache),
        emovo.filenames[sel],
        emovo.target[sel],
        emovo.groups[sel],
        name="is10-svm",
    ).summary()
    for key in ("WA", "UA", "WA_pooled", "UA_pooled", "WA_ci", "UA_ci"):
        assert entry[key] == pytest.approx(ref[key], abs=1e-12), key
    assert entry["n_folds"] == 6 and entry["n_scored"] == 60
    assert (out / "report.md").read_text().startswith("# sklearn-ser benchmark: labels")


def _synthetic_corpus(root, voice, labels, speakers, *, f0_shift=0.0):
    """A manifest corpus of short synthetic utterances whose pitch follows the label."""
    rows = []
    for s, spk in enumerate(speakers):
        for k, label in enumerate(labels):
            for take in range(2):
                path = root / spk / f"{label}_{take}.wav"
                path.parent.mkdir(parents=True, exist_ok=True)
                lo = 100 + 60 * k + 10 * s + f0_shift
                sig = voice(0.3, f0=(lo, lo * 1.6), seed=s * 100 + k * 10 + take)
                sf.write(path, sig, 16000)
                rows.append((f"{spk}/{label}_{take}.wav", label, spk))
    manifest = root / "labels.csv"
    pd.DataFrame(rows, columns=["path", "label", "speaker"]).to_csv(
        manifest, index=False
    )
    return manifest


def test_cross_corpus_command(tmp_path, voice, cache, capsys):
    a = _synthetic_corpus(
        tmp_path / "alpha", voice, ["anger", "neutral", "calm"], ["a1", "a2", "a3"]
    )
    b = _synthetic_corpus(
        tmp_path / "beta",
        voice,
        ["anger", "neutral", "boredom"],
        ["b1", "b2"],
        f0_shift=30.0,
    )
    out = tmp_path / "cross"
    # Both manifests are labels.csv: NAME=PATH names them.
    args = ["benchmark", "--train", f"alpha={a}", "--test", f"beta={b}", "--quiet"]
    args += ["--pipelines", "is10-svm,is10-svm-spkstd", "--cache", cache]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    results = json.loads((out / "results.json").read_text())
    assert sorted(results) == [
        "is10-svm-spkstd__alpha-to-beta",
        "is10-svm__alpha-to-beta",
    ]
    entry = results["is10-svm__alpha-to-beta"]
    assert entry["cross_corpus"]["classes"] == ["anger", "neutral"]
    assert entry["cross_corpus"]["dropped"] == {"alpha": ["calm"], "beta": ["boredom"]}
    assert entry["n_scored"] == 2 * 2 * 2 and entry["labels"] == ["anger", "neutral"]
    assert "| is10-svm | alpha -> beta | 2 |" in printed
    assert "alpha -> beta: classes anger, neutral" in printed
    assert "Paired comparisons (alpha -> beta), against is10-svm" in printed
    report = (out / "report.md").read_text()
    assert "Left out: alpha: calm; beta: boredom." in report
    assert "is10-svm-spkstd (adapts to test speaker) vs is10-svm" in report

    args = ["benchmark", "--leave-one-corpus-out", f"alpha={a},beta={b}"]
    args += ["--per-corpus-std"]
    args += ["--pipelines", "is10-svm", "--quiet", "--cache", cache]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| is10-svm (adapts to test corpus) | beta -> alpha | 2 |" in printed
    results = json.loads((out / "results.json").read_text())
    assert results["is10-svm__alpha-to-beta__corpus-std"]["adapts_to_test_corpus"]
    md = (out / "is10-svm__beta-to-alpha__corpus-std.md").read_text()
    assert "adapts to the test corpus" in md


def test_train_on_a_folder_with_a_pattern(tmp_path, voice, cache):
    root = tmp_path / "flat"
    for spk in ["p1", "p2"]:
        for k, label in enumerate(["angry", "neutral"]):
            for take in range(5):  # the calibrated SVC cross-validates 5-fold
                path = root / f"{spk}-{label}-{take}.flac"
                path.parent.mkdir(parents=True, exist_ok=True)
                f0 = (120 + 80 * k + 5 * take, 200 + 80 * k)
                sf.write(path, voice(0.3, f0=f0, seed=take), 16000)
    model = tmp_path / "model.skops"
    args = ["train", "--corpus", str(root), "--pattern"]
    args += [r"(?P<speaker>p\d)-(?P<label>[a-z]+)-\d+", "--label-map", "angry=anger"]
    args += ["--pipeline", "is10-svm", "--quiet", "--cache", cache, "-o", str(model)]
    assert main(args) == 0
    from sklearn_ser import load_model

    assert load_model(model).classes_.tolist() == ["anger", "neutral"]


def test_own_data_errors_name_the_row_or_file(tmp_path, voice, capsys):
    manifest = _synthetic_corpus(tmp_path / "c", voice, ["anger", "sadness"], ["s1"])
    with manifest.open("a") as fh:
        fh.write("s1/missing.wav,anger,s1\n")
    assert main(["benchmark", "--corpus", str(manifest), "--out", str(tmp_path)]) == 2
    line = _error_line(capsys)
    assert f"{manifest}:6: audio file not found" in line
    args = ["benchmark", "--train", "emovo", "--out", str(tmp_path)]
    assert main(args) == 2
    assert "needs both --train and --test" in _error_line(capsys)
    assert main(["benchmark", "--per-corpus-std", "--out", str(tmp_path)]) == 2
    assert "--per-corpus-std needs --train/--test" in _error_line(capsys)
    args = ["benchmark", "--corpus", str(manifest), "--pattern", "x"]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "(--pattern on the command line) is for a folder" in _error_line(capsys)
    assert main(["benchmark", "--corpus", str(tmp_path / "nope.csv")]) == 2
    assert "the path of a manifest (.csv/.tsv) or of a folder" in _error_line(capsys)
    args = ["benchmark", "--train", str(manifest), "--test", str(manifest)]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "also in --train" in _error_line(capsys)
    args = ["benchmark", "--train", f"emovo,{manifest},emovo", "--test", "ravdess"]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "--train names a corpus twice" in _error_line(capsys)
    args = ["benchmark", "--leave-one-corpus-out", "emovo,ravdess,emovo"]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "--leave-one-corpus-out names a corpus twice" in _error_line(capsys)
    assert main(["benchmark", "--corpus", str(Path(manifest).parent), "--quiet"]) == 2
    # <speaker>/<label>_<take>.wav: one folder level, and a pattern that fits it.
    line = _error_line(capsys)
    assert "matches the default layout <speaker>/<label>/<file>" in line
    assert "one folder below it (e.g. 's1/anger_0')" in line
    assert r"'(?P<speaker>[^/]+)/(?P<label>[^/_]+)_[^/]*' for" in line


def test_cli_flags_reach_own_data_and_spare_named_corpora(tmp_path, data_home, voice):
    """A cross-corpus run shares --label-map and --task among all its corpora."""
    from sklearn_ser.cli import CLIError
    from sklearn_ser.cli import load_corpus as cli_load

    for i, (spk, label) in enumerate([("ann", "angry"), ("bob", "calm")]):
        path = tmp_path / "mine" / spk / label / f"{i}.wav"
        path.parent.mkdir(parents=True)
        sf.write(path, voice(0.05, seed=i), 16000)
    label_map = {"angry": "anger"}
    emovo = cli_load("emovo", data_home, label_map=label_map, task="classification")
    assert emovo.filenames.shape == (588,)
    mine = cli_load(str(tmp_path / "mine"), label_map=label_map, task="classification")
    assert mine.target.tolist() == ["anger", "calm"]
    with pytest.raises(CLIError, match=r"task= \(--task on the command line\)"):
        cli_load("emovo", data_home, task="regression")
    with pytest.raises(CLIError, match=r"--columns is PATH,LABEL,SPEAKER"):
        cli_load(str(tmp_path / "mine"), columns="a,b")
