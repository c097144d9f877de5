"""``sklearn-ser benchmark --extra-corpus``: more labelled speech in training folds."""

import json

import numpy as np
import pandas as pd
import pytest

from sklearn_ser.cli import main
from sklearn_ser.datasets import load_corpus
from sklearn_ser.evaluation import evaluate, extra_training_data, load_report
from sklearn_ser.pipelines import make_named_pipeline

CLASSES = {"rab": "anger", "neu": "neutral", "tri": "sadness", "dis": "disgust"}


def _manifest(path, data_home, speakers, codes):
    rows = []
    for speaker in speakers:
        for code in codes:
            files = sorted((data_home / "emovo" / speaker).glob(f"{code}-*.wav"))[:2]
            rows += [(str(f), CLASSES[code], speaker) for f in files]
    pd.DataFrame(rows, columns=["path", "label", "speaker"]).to_csv(path, index=False)
    return path


@pytest.fixture
def corpora(tmp_path, data_home):
    """Target: 3 speakers x 3 classes; extra: 2 other speakers, one more class."""
    target = _manifest(
        tmp_path / "target.csv", data_home, ["f1", "f2", "m1"], ["rab", "neu", "tri"]
    )
    extra = _manifest(
        tmp_path / "more.csv", data_home, ["f3", "m2"], ["rab", "neu", "tri", "dis"]
    )
    return target, extra


def test_extra_corpus_trains_every_fold_and_scores_the_target_only(
    tmp_path, corpora, capsys
):
    target, extra = corpora
    out, cache = tmp_path / "out", str(tmp_path / "cache")
    args = ["benchmark", "--corpus", str(target), "--pipelines", "is10-svm"]
    args += ["--cache", cache, "--quiet", "--out", str(out)]
    assert main([*args, "--extra-corpus", str(extra)]) == 0
    printed = capsys.readouterr().out
    # the 4 disgust utterances are left out: 12 of 16 join each training fold
    assert "Every training fold also holds 12 utterances of more" in printed
    entry = json.loads((out / "results.json").read_text())["is10-svm"]
    assert entry["extra_training_data"] == {"more": 12}
    assert (
        entry["n_scored"] == 18
        and "(labelled, training only)" in entry["corpus_source"]
    )
    assert "12 utterances of more" in (out / "report.md").read_text()
    # the same predictions as the library call
    data, more = load_corpus(str(target)), load_corpus(str(extra))
    added = extra_training_data({"more": more}, np.unique(data.target))
    pipe = make_named_pipeline("is10-svm", memory=cache, random_state=0)
    by_hand = evaluate(
        pipe,
        data.filenames,
        data.target,
        data.groups,
        X_extra=added.X,
        y_extra=added.y,
        groups_extra=added.groups,
    )
    report = load_report(out / "is10-svm.json")
    np.testing.assert_array_equal(report.y_pred, by_hand.y_pred)
    # without it, the folder's entry is replaced: runs never mix
    assert main(args) == 0
    entry = json.loads((out / "results.json").read_text())["is10-svm"]
    assert "extra_training_data" not in entry


def test_extra_corpus_errors_name_the_option(tmp_path, corpora, capsys):
    target, extra = corpora
    args = ["benchmark", "--corpus", str(target), "--pipelines", "is10-svm"]
    args += ["--out", str(tmp_path / "out"), "--quiet"]
    assert main([*args, "--extra-corpus", str(target)]) == 2
    assert "--extra-corpus names the scored corpus target" in capsys.readouterr().err
    assert main([*args, "--extra-corpus", f"{extra},{extra}"]) == 2
    assert "names a corpus twice" in capsys.readouterr().err
    cross = ["benchmark", "--train", str(target), "--test", str(extra)]
    assert main([*cross, "--extra-corpus", "emovo"]) == 2
    assert "name every training corpus in --train" in capsys.readouterr().err


def test_extra_corpus_is_refused_for_ratings_before_any_extraction(
    tmp_path, corpora, capsys
):
    target, extra = corpora
    ratings = pd.read_csv(target)
    ratings["label"] = np.linspace(0.1, 0.9, len(ratings))  # arousal, not classes
    ratings.to_csv(tmp_path / "ratings.csv", index=False)
    cache = tmp_path / "cache"
    args = ["benchmark", "--corpus", str(tmp_path / "ratings.csv"), "--quiet"]
    args += ["--out", str(tmp_path / "out"), "--cache", str(cache)]
    assert main([*args, "--extra-corpus", str(extra)]) == 2
    assert "--extra-corpus adds labelled utterances: class labels only" in (
        capsys.readouterr().err
    )
    assert not cache.exists() or not any(cache.rglob("*.npy"))
