"""People's own class names within one corpus, and clear errors about labels.

Own data (manifests, folders) keeps its labels as given; the shared vocabulary is
needed only to compare corpora. Labels that mix strings and numbers, folders laid
out otherwise than ``<speaker>/<label>/<file>`` and semicolon-separated manifests
each get an error (or a sniff) that says what is wrong.
"""

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.svm import SVC

from sklearn_ser._labels import check_labels
from sklearn_ser.cli import main
from sklearn_ser.datasets import EMOTIONS, load_folder, load_manifest
from sklearn_ser.evaluation import evaluate, evaluate_cross_corpus

OWN = ["frustrated", "stressed", "high arousal", "calm"]


def _wav(path, voice, *, f0=(140.0, 220.0), seed=0, duration=0.05):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, voice(duration, f0=f0, seed=seed), 16000)
    return path


@pytest.fixture
def own_folder(tmp_path, voice):
    """4 speakers x 4 own labels x 2 takes, ``<speaker>/<label>/<take>.wav``.

    The pitch rises with the label's index, so the classes are learnable.
    """
    root = tmp_path / "own4"
    for s in range(4):
        for k, label in enumerate(OWN):
            for take in range(2):
                lo = 100 + 70 * k + 8 * s + 4 * take
                _wav(
                    root / f"spk{s}" / label / f"{take}.wav",
                    voice,
                    f0=(lo, 1.5 * lo),
                    seed=100 * s + 10 * k + take,
                    duration=0.3,
                )
    return root


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("feature_cache"))


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("sklearn-ser: error: ")
    return err[0]


# ------------------------------------------------------------------ the loaders
def test_folder_and_manifest_keep_own_labels(own_folder, tmp_path):
    data = load_folder(own_folder)
    assert sorted(set(data.target)) == sorted(OWN)
    assert data.target_names.tolist() == sorted(OWN)
    assert len(data.filenames) == 32 and sorted(set(data.groups)) == [
        f"spk{s}" for s in range(4)
    ]
    # A manifest: spelling kept (but surrounding spaces), vocabulary words folded,
    # label_map merges own labels, and "-1" stays the unlabeled marker.
    rows = [
        ("spk0/frustrated/0.wav", " High Arousal ", "a"),
        ("spk0/frustrated/1.wav", "Calm", "a"),
        ("spk0/stressed/0.wav", "annoyed", "a"),
        ("spk0/stressed/1.wav", "frustrated", "b"),
        ("spk1/calm/0.wav", "-1", "b"),
    ]
    manifest = tmp_path / "own.csv"
    manifest.write_text(
        "path,label,speaker\n"
        + "".join(f"{own_folder / p},{lab},{spk}\n" for p, lab, spk in rows)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no near-duplicate warning here
        data = load_manifest(manifest, label_map={"annoyed": "frustrated"})
    assert data.target.tolist() == [
        "High Arousal",
        "calm",
        "frustrated",
        "frustrated",
        "-1",
    ]
    # "nan" is what numpy makes of a missing label: a row at fault, not a class.
    with manifest.open("a") as fh:
        fh.write(f"{own_folder / 'spk1/calm/1.wav'},nan,b\n")
    with pytest.raises(ValueError, match=r"own.csv:7: label 'nan' reads as a missing"):
        load_manifest(manifest)


def test_labels_differing_only_in_case_warn_once(tmp_path, voice):
    root = tmp_path / "cases"
    _wav(root / "s1" / "Frustrated" / "a.wav", voice)
    _wav(root / "s1" / "frustrated" / "b.wav", voice)
    _wav(root / "s2" / "high  arousal" / "c.wav", voice)
    _wav(root / "s2" / "High arousal" / "d.wav", voice)
    _wav(root / "s2" / "Neutral" / "e.wav", voice)
    _wav(root / "s2" / "neutral" / "f.wav", voice)
    with pytest.warns(UserWarning) as record:
        data = load_folder(root)
    messages = [str(w.message) for w in record]
    assert len(messages) == 1, messages
    assert "'Frustrated' / 'frustrated'" in messages[0]
    assert "'High arousal' / 'high  arousal'" in messages[0]
    assert "neutral" not in messages[0].lower().split("classes:")[1]
    # Separate classes, as written; vocabulary words fold into one.
    assert sorted(set(data.target)) == [
        "Frustrated",
        "High arousal",
        "frustrated",
        "high  arousal",
        "neutral",
    ]


def test_semicolon_and_tab_manifests_are_sniffed(own_folder, tmp_path):
    wavs = sorted(own_folder.rglob("*.wav"))[:2]
    (tmp_path / "semi.csv").write_text(
        "path;label;speaker\n"
        f"{wavs[0]};high arousal;s1\n"
        f"{wavs[1]};calm, mostly;s2\n"  # a comma in a value: still two columns
    )
    data = load_manifest(tmp_path / "semi.csv")
    assert data.target.tolist() == ["high arousal", "calm, mostly"]
    assert data.groups.tolist() == ["s1", "s2"]
    # A tab-separated table under a .csv name, and a UTF-8 byte-order mark.
    (tmp_path / "tabs.csv").write_text(
        f"\ufeffpath\tlabel\tspeaker\n{wavs[0]}\tstressed\ts1\n", encoding="utf-8"
    )
    assert load_manifest(tmp_path / "tabs.csv").target.tolist() == ["stressed"]
    # An explicit sep wins over the sniff: a comma split finds no label column.
    with pytest.raises(ValueError, match=r"no column path_column='path'"):
        load_manifest(tmp_path / "tabs.csv", sep=",")


@pytest.mark.parametrize(
    "layout, names, found",
    [
        (
            "label-file",
            ["frustrated/spk1_003", "calm/spk2_001", "calm/spk1_002"],
            "this looks like <label>/<file> with no speaker level",
        ),
        (
            "flat",
            ["spk1-frustrated-3", "spk2-calm-1", "spk1-calm-2"],
            "sit directly in the folder",
        ),
        (
            "speaker-file",
            ["spk1/frustrated_3", "spk2/calm_1", "spk1/calm_2"],
            "(or <speaker>/<file> with no label level)",
        ),
    ],
)
def test_folder_layout_error_names_the_layout_and_a_pattern_that_works(
    tmp_path, voice, layout, names, found
):
    root = tmp_path / layout
    for name in names:
        _wav(root / f"{name}.wav", voice)
    with pytest.raises(ValueError) as err:
        load_folder(root)
    msg = str(err.value)
    assert msg.startswith(
        f"none of the 3 audio files under {root} matches the default layout"
    )
    assert found in msg and "--pattern" in msg
    # One error naming the layout, not a list of every file.
    assert "\n" not in msg and sum(n.split("/")[-1] in msg for n in names) == 1
    # One of the suggested patterns loads the folder as meant.
    loaded = []
    for suggested in re.findall(r"'(\(\?P<[^']+)'", msg):
        data = load_folder(root, suggested, on_error="warn")
        loaded.append((sorted(data.groups.tolist()), sorted(set(data.target))))
    assert (["spk1", "spk1", "spk2"], ["calm", "frustrated"]) in loaded
    # Some files in the default layout: the others are listed as before.
    _wav(root / "spk3" / "calm" / "x.wav", voice)
    with pytest.raises(ValueError, match=r"^3 files under .* at fault"):
        load_folder(root)


# --------------------------------------------------------------- label checks
def test_check_labels_explains_mixed_kinds_and_accepts_minus_one():
    with pytest.raises(ValueError) as err:
        check_labels(["calm", 1, "stressed", 2])
    msg = str(err.value)
    assert msg.startswith("y mixes numbers and strings: 2 number labels (e.g. 1")
    assert "2 string labels (e.g. 'calm' at position 0; positions [0, 2])" in msg
    assert "-1 (or '-1') marks unlabeled samples" in msg
    # -1 among strings is the unlabeled marker, wherever it sits: one string array.
    for y in (
        pd.Series([-1, "calm", "stressed"]),
        np.array(["calm", -1, "stressed"], dtype=object),
        ["calm", "stressed", -1],
    ):
        out = check_labels(y)
        assert out.dtype.kind == "U" and "-1" in out.tolist()
    assert check_labels([0, "-1", 2]).tolist() == [0, -1, 2]
    assert check_labels(np.array(["a", "b"])).tolist() == ["a", "b"]


def test_evaluate_with_minus_one_first_among_strings_and_mixed_labels(rng):
    X = rng.normal(size=(40, 3))
    groups = np.repeat(["a", "b", "c", "d"], 10)
    y = pd.Series([-1, -1] + ["calm", "stressed"] * 19)  # object, -1 first
    X[y.to_numpy() == "calm", 0] += 3
    # scikit-learn alone: "Unknown label type: unknown".
    with pytest.raises(ValueError, match="Unknown label type"):
        SVC().fit(X, y)
    report = evaluate(SVC(), X, y, groups, cv=2, unlabeled="drop", proba=False)
    assert report.labels.tolist() == ["calm", "stressed"]
    assert report.summary()["n_scored"] == 38
    with pytest.raises(ValueError, match="y mixes numbers and strings"):
        evaluate(SVC(), X, ["calm", 1] * 20, groups, cv=2)


def test_evaluate_reports_own_names(own_folder, cache):
    from sklearn_ser.pipelines import make_named_pipeline

    data = load_folder(own_folder)
    report = evaluate(
        make_named_pipeline("is10-svm", memory=cache),
        data.filenames,
        data.target,
        data.groups,
        cv=2,
        name="is10-svm",
    )
    assert report.labels.tolist() == sorted(OWN)
    assert set(report.y_pred.tolist()) <= set(OWN)
    cm = report.confusion_matrix()
    assert cm.index.tolist() == sorted(OWN) and cm.to_numpy().sum() == 32
    fig = report.plot_confusion_matrix()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == sorted(OWN)
    assert "| high arousal |" in report.to_markdown()


# --------------------------------------------------------------- cross-corpus
def test_cross_corpus_needs_the_vocabulary_one_error(rng):
    def corpus(labels):
        y = np.repeat(labels, 6)
        return rng.normal(size=(len(y), 3)), y, np.tile(["s1", "s2"], len(y) // 2)

    with pytest.raises(ValueError) as err:
        evaluate_cross_corpus(
            SVC(),
            {"mine": corpus(["frustrated", "calm", "high arousal"])},
            {"theirs": corpus(["angry", "calm", "anger"])},
        )
    msg = str(err.value)
    assert "mine: 'frustrated', 'high arousal'; theirs: 'angry'." in msg
    # The vocabulary once, each unknown label once (and the first in the example).
    assert msg.count(", ".join(EMOTIONS)) == 1 and msg.count("'angry'") == 1
    assert msg.count("high arousal") == 1 and msg.count("frustrated") == 3
    assert "label_map={'frustrated': 'anger'}" in msg
    assert "--label-map 'frustrated=anger'" in msg
    # Mapped onto the vocabulary, the same corpora compare.
    a, b = corpus(["anger", "calm"]), corpus(["anger", "calm"])
    report = evaluate_cross_corpus(SVC(), {"mine": a}, {"theirs": b})
    assert report.labels.tolist() == ["anger", "calm"]


# ------------------------------------------------------------ the command line
def test_cli_benchmark_train_predict_with_own_labels(
    own_folder, tmp_path, cache, capsys
):
    out = tmp_path / "bench"
    args = ["benchmark", "--corpus", str(own_folder), "--pipelines", "is10-svm"]
    args += ["--cv", "2", "--quiet", "--cache", cache, "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "| is10-svm |" in printed and "Chance level: UA 0.250" in printed
    entry = json.loads((out / "results.json").read_text())["is10-svm"]
    assert entry["labels"] == sorted(OWN)
    assert sorted(entry["per_class_recall"]) == sorted(OWN)
    assert "high arousal" in (out / "report.md").read_text()
    assert (out / "is10-svm.png").stat().st_size > 0

    model = tmp_path / "own.skops"
    args = ["train", "--corpus", str(own_folder), "--pipeline", "is10-svm"]
    assert main([*args, "--quiet", "--cache", cache, "-o", str(model)]) == 0
    capsys.readouterr()
    assert main(["predict", str(model), str(own_folder / "spk0")]) == 0
    frame = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert len(frame) == 8 and set(frame["label"]) <= set(OWN)
    assert sorted(c for c in frame.columns if c.startswith("proba_")) == sorted(
        f"proba_{c}" for c in OWN
    )


def test_cli_errors_for_own_labels_layouts_and_separators(
    own_folder, tmp_path, voice, capsys
):
    # Cross-corpus on own labels: one line naming them, before any extraction.
    other = tmp_path / "other"
    for s in ("o1", "o2"):
        for label in ("angry", "calm"):
            _wav(other / s / label / "0.wav", voice)
    args = ["benchmark", "--train", f"mine={own_folder}", "--test", f"other={other}"]
    fresh = tmp_path / "fresh-cache"
    args += ["--cache", str(fresh), "--pipelines", "is10-svm"]
    assert main([*args, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert not fresh.exists() or not any(fresh.rglob("*.*")), "features extracted"
    line = _error_line(capsys)
    assert "labels outside it: mine: 'frustrated', 'high arousal', 'stressed'" in line
    assert "other: 'angry'." in line and "--label-map" in line
    # A <label>/<file> folder: the layout and a --pattern, one line.
    flat = tmp_path / "bylabel"
    for label in ("calm", "stressed"):
        for s in ("p1", "p2"):
            _wav(flat / label / f"{s}_0.wav", voice)
    assert main(["benchmark", "--corpus", str(flat), "--quiet"]) == 2
    line = _error_line(capsys)
    assert "looks like <label>/<file> with no speaker level" in line
    assert "--pattern" in line and "p1_0.wav" not in line
    # --sep: a semicolon manifest is sniffed; a wrong --sep says what is missing.
    manifest = tmp_path / "semi.csv"
    wav = sorted(own_folder.rglob("*.wav"))[0]
    manifest.write_text(f"path;label;speaker\n{wav};calm;s1\n")
    assert main(["benchmark", "--corpus", str(manifest), "--sep", "comma"]) == 2
    assert "no column path_column='path'" in _error_line(capsys)
    assert main(["benchmark", "--corpus", str(flat), "--sep", ";"]) == 2
    assert "(--sep on the command line) is for a manifest" in _error_line(capsys)
    assert main(["benchmark", "--corpus", str(manifest), "--sep", "ab"]) == 2
    assert "--sep is one character" in _error_line(capsys)
