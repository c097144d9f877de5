"""The `sklearn-ser` command, in-process through main() and once as a console script."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.model_selection import LeaveOneGroupOut, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklearn_ser
from conftest import REPO
from sklearn_ser import load_model
from sklearn_ser.cli import main
from sklearn_ser.datasets import load_emovo
from sklearn_ser.features import OpenSmileIS10
from sklearn_ser.pipelines import make_named_pipeline


@pytest.fixture(scope="session")
def feature_cache(tmp_path_factory):
    """A feature cache shared by this module's tests (``$SKLEARN_SER_CACHE`` if set).

    Otherwise a session temporary folder, so that the suite writes nothing outside
    pytest's temporary area; the first test extracting EMOVO fills it (~25 s).
    """
    path = os.environ.get("SKLEARN_SER_CACHE")
    if not path:
        return str(tmp_path_factory.mktemp("feature_cache"))
    Path(path).mkdir(parents=True, exist_ok=True)
    return path


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("sklearn-ser: error: ")
    return err[0]


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == sklearn_ser.__version__
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("benchmark", "extract", "train", "predict", "pipelines"):
        assert command in out


def test_pipelines_command(capsys):
    assert main(["pipelines"]) == 0
    out = capsys.readouterr().out
    assert "is10-svm [default]:" in out
    assert "is10-svm-spkstd [adapts to the test speaker]" in out


def test_errors_are_one_line(capsys, tmp_path, data_home):
    assert main(["benchmark", "--corpus", "timit", "--out", str(tmp_path)]) == 2
    assert "unknown corpus 'timit'; known corpora: emovo" in _error_line(capsys)
    args = ["benchmark", "--pipelines", "is10-svm,is11-lstm", "--out", str(tmp_path)]
    assert main(args) == 2
    line = _error_line(capsys)
    assert "'is11-lstm'" in line and "is10-svm, is10-svm-spkstd" in line
    missing = tmp_path / "nowhere"
    assert main(["benchmark", "--data-home", str(missing), "--out", str(tmp_path)]) == 2
    line = _error_line(capsys)
    assert "EMOVO corpus not found" in line and str(missing / "emovo") in line
    assert main(["predict", str(tmp_path / "model.joblib"), "x.wav"]) == 2
    assert "model file not found" in _error_line(capsys)
    assert main(["benchmark", "--cv", "one", "--data-home", str(data_home)]) == 2
    assert "--cv must be 'loso'" in _error_line(capsys)
    out = tmp_path / "f.csv"
    assert main(["extract", "--features", "IS99", str(data_home), "-o", str(out)]) == 2
    assert "unknown --features 'IS99'" in _error_line(capsys)


def test_extract_functionals_and_sequences(wav_files, tmp_path, capsys):
    folder = str(Path(wav_files[0]).parent)
    csv = tmp_path / "is10.csv"
    assert main(["extract", "--features", "is10", folder, "-o", str(csv)]) == 0
    frame = pd.read_csv(csv)
    assert frame.shape == (6, 1 + 1582)
    assert sorted(frame.file) == sorted(wav_files)
    expected = OpenSmileIS10().fit_transform(np.asarray(frame.file))
    np.testing.assert_allclose(frame.iloc[:, 1:].to_numpy(), expected, rtol=1e-5)

    pq = tmp_path / "egemaps.parquet"
    args = ["extract", "--features", "eGeMAPSv02", *wav_files[:2], "-o", str(pq)]
    assert main(args) == 0
    assert pd.read_parquet(pq).shape == (2, 1 + 88)

    npz = tmp_path / "logmel.npz"
    assert main(["extract", "--features", "logmel", *wav_files, "-o", str(npz)]) == 0
    with np.load(npz) as data:
        assert data["frames"].shape == (data["lengths"].sum(), 120)
        assert data["files"].tolist() == wav_files
    capsys.readouterr()
    bad = tmp_path / "logmel.csv"
    assert main(["extract", "--features", "logmel", *wav_files, "-o", str(bad)]) == 2
    assert ".npz" in _error_line(capsys)


@pytest.mark.slow  # the whole of EMOVO
def test_benchmark_console_script_matches_cross_validate(
    tmp_path, data_home, feature_cache
):
    """The issue's must-show: CLI figures equal plain scikit-learn's, within 0.005."""
    script = Path(sys.executable).parent / "sklearn-ser"
    assert script.exists(), f"console script not installed at {script}"
    out = tmp_path / "bench"
    cmd = [str(script), "benchmark", "--corpus", "emovo", "--pipelines", "is10-svm"]
    cmd += ["--data-home", str(data_home), "--cache", feature_cache, "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    table = run.stdout.strip().splitlines()
    assert table[0].startswith("| pipeline | WA | UA | WA pooled | UA pooled |")
    assert table[2].startswith("| is10-svm |")

    results = json.loads((out / "results.json").read_text())
    entry = results["is10-svm"]
    assert {"WA", "UA", "WA_pooled", "UA_pooled", "folds"} <= set(entry)
    assert len(entry["folds"]) == 6
    assert (out / "is10-svm.md").read_text().startswith("# is10-svm")
    assert (out / "is10-svm.png").read_bytes()[:4] == b"\x89PNG"

    emovo = load_emovo(data_home)
    X = OpenSmileIS10(memory=feature_cache).fit_transform(emovo.filenames)
    ref = cross_validate(
        make_pipeline(StandardScaler(), SVC(kernel="rbf")),
        X,
        emovo.target,
        groups=emovo.groups,
        cv=LeaveOneGroupOut(),
        scoring=["accuracy", "balanced_accuracy"],
    )
    assert abs(entry["WA"] - ref["test_accuracy"].mean()) < 0.005
    assert abs(entry["UA"] - ref["test_balanced_accuracy"].mean()) < 0.005
    assert [f["WA"] for f in entry["folds"]] == pytest.approx(ref["test_accuracy"])
    assert 0.25 < entry["UA_pooled"] < 0.5  # EMOVO LOSO: hard, above chance (1/7)


@pytest.mark.slow  # the whole of EMOVO
def test_default_run_and_spkstd_label(
    tmp_path, data_home, feature_cache, capsys, monkeypatch
):
    """`sklearn-ser` alone: default pipelines, default corpus, default out dir."""
    monkeypatch.setenv("SKLEARN_SER_DATA", str(data_home))
    monkeypatch.setenv("SKLEARN_SER_CACHE", feature_cache)
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    printed = capsys.readouterr().out
    # what the figures mean, the chance level, and why WA equals UA on EMOVO
    assert "| pipeline | WA | UA | WA pooled | UA pooled | wall time (s) |" in printed
    assert "Chance level: UA 0.143 (1/7 classes" in printed
    assert "WA 0.143 (always answering the most frequent class" in printed
    assert "balanced (84 utterances each, and within every speaker)" in printed
    assert "WA = UA by construction, per fold and pooled." in printed
    assert "wall time (s): the whole run of one pipeline" in printed
    out = Path("sklearn-ser-results/emovo")
    assert "Chance level: UA 0.143" in (out / "report.md").read_text()
    assert "fit_predict_s" in (out / "report.md").read_text()
    results = json.loads((out / "results.json").read_text())
    # the default pipelines: the papers' baseline and the pretrained encoder's
    # layers voting, 0.2 pooled UA better on speakers never heard (0.556, 0.344)
    assert list(results) == ["is10-svm", "whisper-layer-vote"]
    vote = results["whisper-layer-vote"]["UA_pooled"]
    assert vote - results["is10-svm"]["UA_pooled"] >= 0.15, vote
    args = ["benchmark", "--pipelines", "is10-svm-spkstd", "--quiet", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "| is10-svm-spkstd (adapts to test speaker) |" in printed
    results = json.loads((out / "results.json").read_text())
    assert set(results) == {"is10-svm", "whisper-layer-vote", "is10-svm-spkstd"}
    assert results["is10-svm-spkstd"]["adapts_to_test_speaker"] is True
    md = (out / "is10-svm-spkstd.md").read_text()
    assert "adapts to the test speaker" in md


@pytest.mark.slow  # the whole of EMOVO
def test_train_predict_round_trip(tmp_path, data_home, feature_cache, capsys):
    model_path = tmp_path / "model.skops"
    args = ["train", "--corpus", "emovo", "--pipeline", "is10-svm", "--quiet"]
    args += ["--data-home", str(data_home), "--cache", feature_cache]
    assert main([*args, "-o", str(model_path)]) == 0
    # skops' format: a zip of JSON and arrays, no pickle
    with zipfile.ZipFile(model_path) as zf:
        assert "schema.json" in zf.namelist()
        assert not any(zf.read(n).startswith(b"\x80") for n in zf.namelist())

    emovo = load_emovo(data_home)
    files = [str(f) for f in emovo.filenames[::75]]  # 8 files, several speakers
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model_path), *files, "-o", str(out)]) == 0
    pred = pd.read_csv(out)
    assert pred.file.tolist() == files
    proba_cols = [c for c in pred if c.startswith("proba_")]
    assert len(proba_cols) == 7
    np.testing.assert_allclose(pred[proba_cols].sum(axis=1), 1.0, atol=1e-5)

    # the same pipeline fitted here, before any saving, predicts the same labels
    fresh = make_named_pipeline("is10-svm", memory=feature_cache, probability=True)
    fresh.fit(emovo.filenames, emovo.target)
    np.testing.assert_array_equal(pred.label, fresh.predict(np.asarray(files)))
    # and the reloaded model does too, with the same probabilities
    model = load_model(model_path)
    np.testing.assert_array_equal(model.predict(np.asarray(files)), pred.label)
    np.testing.assert_allclose(
        model.predict_proba(np.asarray(files)), pred[proba_cols], atol=1e-6
    )
    # printed to stdout without -o
    capsys.readouterr()
    assert main(["predict", str(model_path), files[0]]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("file,label,proba_anger")
    assert lines[1].split(",")[1] == pred.label[0]

    # a pickle only on request, with a warning, and loaded only with --allow-pickle
    pickled = tmp_path / "model.joblib"
    assert main([*args, "-o", str(pickled)]) == 2
    assert "ends in .skops" in _error_line(capsys)
    assert main([*args, "--pickle", "-o", str(pickled)]) == 0
    assert "warning: " in capsys.readouterr().err
    assert main(["predict", str(pickled), files[0]]) == 2
    assert "--allow-pickle" in _error_line(capsys)
    assert main(["predict", "--allow-pickle", str(pickled), files[0]]) == 0
    captured = capsys.readouterr()
    assert "warning: Loading the pickle" in captured.err
    assert captured.out.strip().splitlines()[1].split(",")[1] == pred.label[0]


class _RunsCode:
    """Unpickling this creates a file: the proof that loading ran code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_predict_refuses_someone_elses_pickle(tmp_path, wav_files, capsys):
    marker = tmp_path / "code-ran"
    model = tmp_path / "model.joblib"
    joblib.dump(_RunsCode(marker), model)
    assert main(["predict", str(model), wav_files[0]]) == 2
    line = _error_line(capsys)
    assert "is a pickle" in line and "--allow-pickle" in line
    assert not marker.exists()


def test_predict_says_what_a_model_file_is(tmp_path, wav_files, capsys):
    text = tmp_path / "model.txt"
    text.write_text("110\n")
    assert main(["predict", str(text), wav_files[0]]) == 2
    line = _error_line(capsys)
    assert "is a text file, not a model" in line and ".skops file written by" in line
    # a scikit-learn classifier of feature arrays, not of audio: skops or pickle
    svc = SVC().fit(np.random.default_rng(0).normal(size=(6, 3)), [0, 1] * 3)
    sio.dump(svc, tmp_path / "svc.skops")
    joblib.dump(svc, tmp_path / "svc.joblib")
    for args in (["svc.skops"], ["--allow-pickle", "svc.joblib"]):
        args = [str(tmp_path / a) if a.startswith("svc") else a for a in args]
        assert main(["predict", *args, wav_files[0]]) == 2
        line = _error_line(capsys)
        assert "holds a SVC, which takes numeric feature arrays, not audio" in line
        assert "could not convert" not in line


def test_outputs_and_options_are_checked_before_any_work(tmp_path, capsys):
    """Checked before the corpus is even looked for (it does not exist here)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    nowhere = ["--data-home", str(tmp_path / "no-corpora")]
    assert main(["benchmark", "--out", str(blocker / "out"), *nowhere]) == 2
    assert "cannot write the output folder" in _error_line(capsys)
    model = blocker / "model.skops"
    args = ["train", "--pipeline", "is10-svm", "-o", str(model), *nowhere]
    assert main(args) == 2
    assert "cannot write the model file" in _error_line(capsys)
    args = ["train", "--pipeline", "is10-svm,is10-dae-svm", "-o", "m.skops", *nowhere]
    assert main(args) == 2
    assert "exactly one pipeline" in _error_line(capsys)
    for bad in (["--n-jobs", "0"], ["--n-jobs", "two"], ["--random-state", "-1"]):
        with pytest.raises(SystemExit) as exc:
            main(["benchmark", *bad, *nowhere])
        assert exc.value.code == 2
        assert f"argument {bad[0]}: must" in capsys.readouterr().err
    out = tmp_path / "features.txt"
    assert main(["extract", "--features", "is10", str(tmp_path), "-o", str(out)]) == 2
    assert "-o must end in .csv, .parquet or .npz" in _error_line(capsys)
    assert main(["predict", "m.skops", "x.wav", "-o", str(blocker / "p.csv")]) == 2
    assert "cannot write the output file" in _error_line(capsys)


def test_benchmark_keeps_finished_pipelines_when_a_later_one_fails(
    tmp_path, data_home, feature_cache, capsys
):
    """The second pipeline needs LibriSpeech, missing from this data home."""
    home = tmp_path / "corpora"
    home.mkdir()
    (home / "emovo").symlink_to(data_home / "emovo")
    out = tmp_path / "out"
    args = ["benchmark", "--pipelines", "is10-svm,is10-neutral-dae-svm", "--quiet"]
    args += ["--data-home", str(home), "--cache", feature_cache, "--out", str(out)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "LibriSpeech" in captured.err
    table = captured.out.strip().splitlines()
    assert table[0].startswith("| pipeline | WA | UA |")
    assert table[2].startswith("| is10-svm |") and len(table) == 3
    assert "is10-neutral-dae-svm failed" in captured.err
    assert (out / "is10-svm.json").is_file()
    assert "| is10-svm |" in (out / "report.md").read_text()
    assert list(json.loads((out / "results.json").read_text())) == ["is10-svm"]


def test_cli_knows_no_checkout_layout(tmp_path, monkeypatch, data_home, capsys):
    """A ../shared/data next to the working directory is not looked at."""
    monkeypatch.delenv("SKLEARN_SER_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(data_home)
    clone = tmp_path / "clone"
    clone.mkdir()
    monkeypatch.chdir(clone)
    args = ["benchmark", "--pipelines", "is10-svm", "--cv", "2", "--quiet"]
    assert main([*args, "--no-cache", "--out", str(tmp_path / "out")]) == 2
    line = _error_line(capsys)
    assert "EMOVO corpus not found" in line
    assert str(tmp_path / "home" / "sklearn_ser_data") in line
    assert "--data-home DIR or the environment variable SKLEARN_SER_DATA" in line
    assert "shared" not in line


def test_cli_and_api_share_one_cache_folder(tmp_path, monkeypatch):
    from sklearn_ser import get_cache_dir
    from sklearn_ser.cli import _default_cache

    for var in ("SKLEARN_SER_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _default_cache() == get_cache_dir()
    assert get_cache_dir() == str(tmp_path / ".cache" / "sklearn-ser" / "features")
    monkeypatch.setenv("SKLEARN_SER_CACHE", str(tmp_path / "c"))
    assert _default_cache() == get_cache_dir() == str(tmp_path / "c")


def test_library_code_builds_no_shared_data_path():
    """Only tests, examples, benchmarks and .ci/ may know where the corpora are."""
    import ast

    offenders = []
    for path in sorted((REPO / "sklearn_ser").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value == "shared" or "shared/data" in node.value:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_a_closed_stdout_stops_the_command_quietly():
    """`sklearn-ser ... | head` closes the pipe early: exit 141, no error printed."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "sklearn_ser.cli", "pipelines"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader goes away before the command writes
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert "error" not in stderr.lower() and "Traceback" not in stderr
