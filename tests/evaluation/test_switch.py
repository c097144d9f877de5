"""EstimatorSwitch and the "auto" pipeline's search, on synthetic features.

The search is the registry's own (``make_named_pipeline("auto")``) with its
candidates replaced by small estimators on numeric features, so the rule that
chooses (speaker folds of the training speakers, UA, one standard error) is the
one the audio pipeline uses.
"""

import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_ser.evaluation import (
    UA_SCORER,
    EstimatorSwitch,
    SpeakerKFold,
    evaluate,
    load_report,
    simplest_within_one_se,
)
from sklearn_ser.pipelines import make_named_pipeline

EMOTIONS = np.array(["anger", "neutral", "sadness"])


def _corpus(rng, n_speakers=5, per_class=6, signal=2.0, weights=(1, 1, 1)):
    """Three classes, their means ``signal`` apart on one axis each, per speaker."""
    X, y, g = [], [], []
    for s in range(n_speakers):
        for k, (emo, w) in enumerate(zip(EMOTIONS, weights)):
            n = per_class * w
            centre = np.zeros(3)
            centre[k] = signal
            X.append(centre + rng.normal(size=(n, 3)))
            y += [emo] * n
            g += [f"spk{s}"] * n
    return np.vstack(X), np.array(y), np.array(g)


def _auto(estimators, **options):
    """The registry's search, choosing among ``estimators`` instead of audio ones."""
    search = make_named_pipeline("auto", **options)
    names = [name for name, _ in estimators]
    return search.set_params(estimator=EstimatorSwitch(estimators)).set_params(
        param_grid={"choice": names}
    )


class SpeakerRecorder(ClassifierMixin, BaseEstimator):
    """Nearest centroid that asks for the speakers in fit and logs which it saw."""

    seen = []  # shared by every clone: what each fit was given

    def fit(self, X, y, groups=None):
        SpeakerRecorder.seen.append(None if groups is None else set(groups))
        self.model_ = NearestCentroid().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


class RecordingSpeakerKFold(SpeakerKFold):
    """SpeakerKFold that logs the speakers each inner split was asked to split."""

    seen = []

    def split(self, X, y=None, groups=None):
        RecordingSpeakerKFold.seen.append(set(groups))
        return super().split(X, y, groups)


def _recording():
    with config_context(enable_metadata_routing=True):
        return SpeakerRecorder().set_fit_request(groups=True)


# ------------------------------------------------------------------ the switch
@parametrize_with_checks(
    [
        EstimatorSwitch([("lr", LogisticRegression()), ("dummy", DummyClassifier())]),
        EstimatorSwitch([("ridge", Ridge())]),  # a regressor when it holds one
    ]
)
def test_switch_common_checks(estimator, check):
    check(estimator)


def test_switch_fits_the_chosen_estimator_only(rng):
    X, y, _ = _corpus(rng, n_speakers=2)
    dummy, centroid = DummyClassifier(), NearestCentroid()
    switch = EstimatorSwitch([("dummy", dummy), ("centroid", centroid)])
    assert is_classifier(switch)
    switch.fit(X, y)  # choice=None: the first
    assert switch.choice_ == "dummy" and isinstance(switch.estimator_, DummyClassifier)
    switch.set_params(choice="centroid").fit(X, y)
    assert switch.choice_ == "centroid"
    assert switch.estimator_ is not centroid  # a clone; the candidate stays unfitted
    assert not hasattr(centroid, "classes_")
    np.testing.assert_array_equal(switch.predict(X), switch.estimator_.predict(X))
    assert switch.classes_.tolist() == EMOTIONS.tolist()
    assert switch.score(X, y) == switch.estimator_.score(X, y)
    twin = clone(switch)
    assert twin.choice == "centroid" and not hasattr(twin, "estimator_")
    # predict_proba / decision_function exist when the chosen estimator has them
    switch.set_params(
        estimators=[("svc", SVC()), ("logreg", LogisticRegression())], choice="svc"
    ).fit(X, y)
    assert hasattr(switch, "decision_function") and not hasattr(switch, "predict_proba")
    switch.set_params(choice="logreg").fit(X, y)
    np.testing.assert_allclose(
        switch.predict_proba(X), switch.estimator_.predict_proba(X)
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"choice": "svm"}, r"choice='svm' is not one of .*\['dummy', 'centroid'\]"),
        ({"estimators": []}, "estimators is empty"),
        (
            {"estimators": [("a", DummyClassifier()), ("a", NearestCentroid())]},
            "names repeat",
        ),
        ({"estimators": [DummyClassifier()]}, r"\(name, estimator\) tuples"),
        ({"estimators": "dummy"}, "'estimators' parameter of EstimatorSwitch"),
        ({"choice": 1}, "'choice' parameter of EstimatorSwitch"),
    ],
)
def test_switch_names_the_parameter_at_fault(rng, params, message):
    X, y, _ = _corpus(rng, n_speakers=1)
    switch = EstimatorSwitch(
        [("dummy", DummyClassifier()), ("centroid", NearestCentroid())]
    )
    with pytest.raises((ValueError, TypeError), match=message):
        switch.set_params(**params).fit(X, y)


def test_switch_hands_the_speakers_only_to_a_candidate_that_asks(rng):
    X, y, g = _corpus(rng, n_speakers=3)
    candidates = [("plain", LogisticRegression()), ("recorder", _recording())]
    SpeakerRecorder.seen.clear()
    with config_context(enable_metadata_routing=True):
        # a step searched inside a Pipeline cannot mix the two: the search routes
        # what its first candidate asks for to every candidate
        pipe_search = GridSearchCV(
            Pipeline([("model", candidates[0][1])]),
            {"model": [c for _, c in candidates]},
            cv=SpeakerKFold(3),
        )
        pipe_search.fit(X, y, groups=g)
        assert SpeakerRecorder.seen and set(map(type, SpeakerRecorder.seen)) == {
            type(None)
        }
        SpeakerRecorder.seen.clear()
        search = GridSearchCV(
            EstimatorSwitch(candidates),
            {"choice": ["plain", "recorder"]},
            cv=SpeakerKFold(3),
        )
        search.fit(X, y, groups=g)
    # every fit of the recorder got the speakers of its training data: two in
    # each of the three inner folds (and all three if it was refitted)
    assert [len(s) for s in SpeakerRecorder.seen[:3]] == [2, 2, 2]
    assert all(s <= set(g) for s in SpeakerRecorder.seen)
    # and without routing, a fit with a groups parameter still gets them
    SpeakerRecorder.seen.clear()
    EstimatorSwitch(candidates, choice="recorder").fit(X, y, groups=g)
    EstimatorSwitch(candidates, choice="plain").fit(X, y, groups=g)
    assert SpeakerRecorder.seen == [set(g)]


# ------------------------------------------------------------------ the choice
def test_auto_search_is_the_documented_rule():
    search = make_named_pipeline("auto")
    assert isinstance(search, GridSearchCV)
    assert isinstance(search.cv, SpeakerKFold) and search.cv.n_splits == 4
    assert search.scoring is UA_SCORER
    assert search.refit is simplest_within_one_se
    assert make_named_pipeline("auto", inner_folds=3, n_jobs=2).cv.n_splits == 3


def test_a_clearly_better_candidate_is_chosen_and_named_in_the_report(rng):
    X, y, g = _corpus(rng)
    candidates = [("majority", DummyClassifier()), ("centroid", NearestCentroid())]
    report = evaluate(_auto(candidates), X, y, g, return_estimators=True)
    for fold in report.folds:
        assert fold["best_params"] == {"choice": "centroid"}
    assert report.summary()["UA_pooled"] > 0.8


def _inner_scores(candidates, X, y, g, n_splits=4):
    """Each candidate's inner UA over the training speakers, by hand."""
    return [
        cross_val_score(c, X, y, groups=g, cv=SpeakerKFold(n_splits), scoring=UA_SCORER)
        for _, c in candidates
    ]


def test_the_choice_is_the_first_within_one_standard_error_of_the_best(rng):
    # two near-equal candidates: the search keeps the first (the preferred one)
    # unless the second beats it by more than one standard error of its folds
    candidates = [
        ("centroid", NearestCentroid()),
        ("logreg", LogisticRegression(C=100.0)),
        ("majority", DummyClassifier()),
    ]
    n_first = 0
    for seed in range(6):
        X, y, g = _corpus(np.random.default_rng(seed), signal=1.0)
        scores = _inner_scores(candidates, X, y, g)
        means = np.array([s.mean() for s in scores])
        best = int(np.argmax(means))
        se = scores[best].std() / np.sqrt(len(scores[best]))
        expected = [n for (n, _), m in zip(candidates, means) if m >= means[best] - se]
        search = _auto(candidates).fit(X, y, groups=g)
        np.testing.assert_allclose(search.cv_results_["mean_test_score"], means)
        assert search.best_params_ == {"choice": expected[0]}
        n_first += expected[0] == "centroid" and best != 0
    # the rule mattered: the best mean was not the first candidate, and it was kept
    assert n_first >= 1


def test_the_rule_is_unweighted_accuracy_not_accuracy(rng):
    # 80 % of one class and little signal: always answering it has the best
    # accuracy (WA) and chance UA; the nearest centroid has the better UA
    X, y, g = _corpus(rng, signal=1.2, weights=(8, 1, 1), per_class=3)
    candidates = [("majority", DummyClassifier()), ("centroid", NearestCentroid())]
    scores = _inner_scores(candidates, X, y, g)
    assert scores[1].mean() > scores[0].mean() + 0.2  # UA: the centroid
    accuracy = [
        cross_val_score(c, X, y, groups=g, cv=SpeakerKFold(4)).mean()
        for _, c in candidates
    ]
    assert accuracy[0] > accuracy[1]  # WA: the majority class
    search = _auto(candidates).fit(X, y, groups=g)
    assert search.best_params_ == {"choice": "centroid"}


@pytest.mark.parametrize("n_speakers, n_inner", [(4, 3), (5, 4)])
def test_inner_split_sees_the_training_speakers_only(rng, n_speakers, n_inner):
    X, y, g = _corpus(rng, n_speakers=n_speakers, per_class=3)
    candidates = [("majority", DummyClassifier()), ("recorder", _recording())]
    search = _auto(candidates).set_params(cv=RecordingSpeakerKFold(4))
    RecordingSpeakerKFold.seen.clear()
    SpeakerRecorder.seen.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = evaluate(search, X, y, g, return_estimators=True)
    speakers = np.unique(g)
    assert len(RecordingSpeakerKFold.seen) == n_speakers  # one search per fold
    for fold, inner, est in zip(
        report.folds, RecordingSpeakerKFold.seen, report.estimators_
    ):
        (test_speaker,) = fold["test_groups"]
        assert inner == set(speakers) - {test_speaker}
        # the inner split adapted: one fold per speaker when fewer than 4
        assert est.n_splits_ == n_inner
        assert fold["best_params"] == {"choice": "recorder"}
    # the candidate's fits (inner folds and refit) never saw a test speaker
    assert len(SpeakerRecorder.seen) == n_speakers * (n_inner + 1)
    assert all(len(s) in (n_inner - 1, n_inner) for s in SpeakerRecorder.seen)
    few = [w for w in caught if "leave one speaker out" in str(w.message)]
    assert bool(few) == (n_inner < 4)


def test_the_choice_survives_the_report_file(rng, tmp_path):
    X, y, g = _corpus(rng, n_speakers=3, per_class=3)
    candidates = [("majority", DummyClassifier()), ("centroid", NearestCentroid())]
    report = evaluate(_auto(candidates), X, y, g)
    report.to_json(tmp_path / "auto.json")
    loaded = load_report(tmp_path / "auto.json")
    assert [f["best_params"] for f in loaded.folds] == [{"choice": "centroid"}] * 3
    assert "choice=centroid" in loaded.to_markdown()
