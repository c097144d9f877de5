"""Inner speaker splits adapt to the number of training speakers (SpeakerKFold)."""

import pickle
import warnings

import numpy as np
import pytest
import soundfile as sf
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from conftest import synth_voice
from sklearn_ser import load_model, save_model
from sklearn_ser.classifiers import holdout_split
from sklearn_ser.evaluation import UA_SCORER, SpeakerKFold, evaluate
from sklearn_ser.pipelines import make_named_pipeline


def _groups(n_speakers, per_speaker=3):
    return np.repeat([f"s{i}" for i in range(n_speakers)], per_speaker)


@pytest.mark.parametrize("n_splits", [2, 4])
@pytest.mark.parametrize("n_speakers", [2, 3, 4, 5, 7])
def test_folds_are_min_of_splits_and_speakers(n_splits, n_speakers):
    groups = _groups(n_speakers)
    X = np.zeros((len(groups), 1))
    cv = SpeakerKFold(n_splits=n_splits)
    expected = min(n_splits, n_speakers)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folds = list(cv.split(X, groups=groups))
    assert cv.get_n_splits(X, groups=groups) == len(folds) == expected
    tested = np.concatenate([groups[test] for _, test in folds])
    # every speaker is tested exactly once, with all of their samples
    assert sorted(tested.tolist()) == sorted(groups.tolist())
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert len(train) + len(test) == len(groups)
    if n_speakers < n_splits:
        # one speaker per fold, and the warning names speakers and folds
        assert all(len(set(groups[test])) == 1 for _, test in folds)
        assert len(caught) == 1
        assert f"{n_speakers} speakers, so {n_speakers} folds" in str(caught[0].message)
    else:
        assert not caught


def test_one_speaker_or_no_groups_is_an_error():
    X = np.zeros((6, 1))
    with pytest.raises(ValueError, match="at least 2 speakers.*has 1 \\(solo\\)"):
        list(SpeakerKFold(n_splits=3).split(X, groups=["solo"] * 6))
    with pytest.raises(ValueError, match="at least 2 speakers"):
        SpeakerKFold(n_splits=3).get_n_splits(X, groups=["solo"] * 6)
    with pytest.raises(ValueError, match="needs groups"):
        SpeakerKFold(n_splits=3).split(X)
    # without groups, the most folds it could make
    assert SpeakerKFold(n_splits=3).get_n_splits() == 3


def test_clone_pickle_and_shuffle():
    cv = SpeakerKFold(n_splits=3, shuffle=True, random_state=1)
    assert repr(cv) == "SpeakerKFold(n_splits=3, random_state=1, shuffle=True)"
    groups = _groups(6, per_speaker=1)
    X = np.zeros((6, 1))
    # splitters are not estimators: clone copies them as a search's parameter
    searched = clone(GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=cv)).cv
    for other in (searched, pickle.loads(pickle.dumps(cv))):
        assert other is not cv
        assert repr(other) == repr(cv)
        for (_, a), (_, b) in zip(
            cv.split(X, groups=groups), other.split(X, groups=groups)
        ):
            np.testing.assert_array_equal(a, b)


def test_a_search_on_three_speakers_with_four_inner_folds(rng):
    # GroupKFold(4) raises here: 3 speakers, 4 folds
    groups = _groups(3, per_speaker=10)
    y = np.tile([0, 1], 15)
    X = rng.normal(size=(30, 3)) + y[:, None]
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, cv=SpeakerKFold(4), scoring=UA_SCORER
    )
    with pytest.warns(UserWarning, match="3 speakers, so 3 folds"):
        search.fit(X, y, groups=groups)
    assert search.n_splits_ == 3
    assert "split2_test_score" in search.cv_results_
    assert "split3_test_score" not in search.cv_results_


def test_early_stopping_holdout_with_two_speakers_says_so():
    y = np.tile([0, 1], 6)
    groups = _groups(2, per_speaker=6)
    with pytest.warns(UserWarning, match="rounds to 0; holding out 1 .* training on 1"):
        train, valid = holdout_split(
            y, groups, valid_size=0.2, n_classes=2, random_state=0
        )
    assert len(set(groups[valid])) == 1 and len(set(groups[train])) == 1
    assert not set(groups[valid]) & set(groups[train])
    # when the fraction can be honoured, no word
    groups = _groups(3, per_speaker=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        holdout_split(y, groups, valid_size=0.34, n_classes=2, random_state=0)


# ------------------------------------------------------------- small corpora
EMOTIONS = {"ang": (200.0, 320.0), "sad": (90.0, 120.0)}


@pytest.fixture(scope="module")
def four_speakers(tmp_path_factory):
    """16 short WAVs: 4 speakers x 2 emotions x 2 utterances, and a feature cache."""
    root = tmp_path_factory.mktemp("four_speakers")
    files, y, groups = [], [], []
    for s in range(4):
        for emotion, (lo, hi) in EMOTIONS.items():
            for u in range(2):
                path = root / f"s{s}_{emotion}_{u}.wav"
                shift = 1.0 + 0.08 * s  # each speaker's own pitch range
                sig = synth_voice(
                    0.5, f0=(lo * shift, hi * shift), seed=10 * s + u, noise=0.02
                )
                sf.write(path, sig, 16000)
                files.append(str(path))
                y.append(emotion)
                groups.append(f"s{s}")
    cache = tmp_path_factory.mktemp("cache")
    return np.array(files), np.array(y), np.array(groups), str(cache)


def _corpus(four_speakers, n_speakers):
    X, y, groups, cache = four_speakers
    keep = np.isin(groups, [f"s{i}" for i in range(n_speakers)])
    return X[keep], y[keep], groups[keep], cache


@pytest.mark.parametrize("n_speakers", [3, 4])
def test_tuned_pipeline_loso_on_few_speakers(four_speakers, n_speakers):
    X, y, groups, cache = _corpus(four_speakers, n_speakers)
    search = GridSearchCV(
        make_named_pipeline("is10-svm", memory=cache),
        {"svc__C": [0.1, 1.0]},
        cv=SpeakerKFold(n_splits=4),
        scoring=UA_SCORER,
    )
    inner = n_speakers - 1
    with pytest.warns(UserWarning, match=f"{inner} speakers, so {inner} folds"):
        report = evaluate(search, X, y, groups, cv="loso")
    assert report.n_folds == n_speakers
    assert all(f["best_params"]["svc__C"] in (0.1, 1.0) for f in report.folds)


@pytest.mark.parametrize("n_speakers", [3, 4])
def test_fusion_loso_on_few_speakers(four_speakers, whisper_model, n_speakers):
    X, y, groups, cache = _corpus(four_speakers, n_speakers)
    # the registry's inner folds (4); two candidate weightings keep it short
    fusion = make_named_pipeline(
        "whisper-is10-fusion",
        whisper_model=whisper_model,
        memory=cache,
        weights=[{"whisper": 1.0, "is10": 0.0}, {"whisper": 1.0, "is10": 1.0}],
    )
    assert fusion.cv.n_splits == 4
    inner = n_speakers - 1
    with pytest.warns(UserWarning, match=f"{inner} speakers, so {inner} folds"):
        report = evaluate(fusion, X, y, groups, cv="loso", return_estimators=True)
    assert report.n_folds == n_speakers
    assert len(report.y_pred) == len(y)
    for fitted in report.estimators_:
        assert fitted.n_splits_ == inner
        chosen = fitted.best_params_["featureunion__transformer_weights"]
        assert chosen in fusion.param_grid["featureunion__transformer_weights"]
    if n_speakers == 3:
        return
    # a saved fitted fusion (SpeakerKFold inside) loads with the default trust
    path = save_model(report.estimators_[0], f"{cache}/fusion.skops")
    loaded = load_model(path)
    assert isinstance(loaded.cv, SpeakerKFold) and loaded.cv.n_splits == 4
    np.testing.assert_array_equal(
        loaded.predict(X[:4]), report.estimators_[0].predict(X[:4])
    )
