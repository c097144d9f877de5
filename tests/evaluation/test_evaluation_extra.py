"""evaluate's extra training data: an unlabeled pool or extra labelled samples."""

import json

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_ser import as_sequences
from sklearn_ser._labels import unlabeled_mask
from sklearn_ser.evaluation import evaluate, load_report

EMOTIONS = np.array(["anger", "neutral", "sadness"])


def _corpus(rng, n_speakers=4, per_class=5, shift=0.0, prefix="spk"):
    X, y, g = [], [], []
    for s in range(n_speakers):
        for k, emo in enumerate(EMOTIONS):
            centre = np.full(3, shift)
            centre[k] += 2.0
            X.append(centre + rng.normal(size=(per_class, 3)))
            y += [emo] * per_class
            g += [f"{prefix}{s}"] * per_class
    return np.vstack(X), np.array(y), np.array(g)


class Recorder(ClassifierMixin, BaseEstimator):
    """Nearest centroid over the labelled samples; keeps everything it was fitted on."""

    def fit(self, X, y, groups=None):
        self.X_fit_, self.y_fit_ = np.asarray(X), np.asarray(y)
        self.groups_fit_ = None if groups is None else np.asarray(groups)
        # scikit-learn's convention, which evaluate follows: -1 among strings
        labelled = ~unlabeled_mask(self.y_fit_)
        self.model_ = NearestCentroid().fit(self.X_fit_[labelled], y[labelled])
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_unlabeled_pool_follows_every_training_fold_and_is_never_tested(rng):
    X, y, g = _corpus(rng)
    pool = rng.normal(size=(7, 3))
    pool_groups = np.repeat(["libri:a", "libri:b"], [3, 4])
    report = evaluate(
        Recorder(),
        X,
        y,
        g,
        X_extra=pool,
        groups_extra=pool_groups,
        return_estimators=True,
    )
    splits = list(LeaveOneGroupOut().split(X, y, g))
    for est, (train, test), fold in zip(report.estimators_, splits, report.folds):
        # the fold's own samples first, in order, then the whole pool
        np.testing.assert_array_equal(est.X_fit_, np.vstack([X[train], pool]))
        assert est.y_fit_[: len(train)].tolist() == y[train].tolist()
        assert set(est.y_fit_[len(train) :]) == {-1}
        np.testing.assert_array_equal(
            est.groups_fit_, np.concatenate([g[train], pool_groups])
        )
        assert fold["n_train"] == len(train) + 7 and fold["n_extra"] == 7
        assert fold["n_test"] == len(test)
    # only the corpus is predicted and scored, each utterance once
    assert sorted(report.index.tolist()) == list(range(len(y)))
    assert set(report.groups) == set(g)
    assert report.y_true.tolist() == y[report.index].tolist()


def test_same_predictions_as_the_hand_built_loop(rng):
    """What the examples did by hand: corpus + pool, splits that test the corpus."""
    X, y, g = _corpus(rng)
    pool = rng.normal(size=(6, 3)) + 1.0
    pool_y = np.array(["anger", "sadness"] * 3)
    pool_g = np.array(["other:1"] * 6)
    n = len(X)
    splits = [
        (np.concatenate([tr, np.arange(n, n + 6)]), te)
        for tr, te in LeaveOneGroupOut().split(X, y, g)
    ]
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    hand = evaluate(
        pipe,
        np.vstack([X, pool]),
        np.concatenate([y, pool_y]),
        np.concatenate([g, pool_g]),
        cv=splits,
    )
    extra = evaluate(pipe, X, y, g, X_extra=pool, y_extra=pool_y, groups_extra=pool_g)
    np.testing.assert_array_equal(extra.index, hand.index)
    np.testing.assert_array_equal(extra.y_pred, hand.y_pred)
    np.testing.assert_array_equal(extra.proba, hand.proba)
    assert extra.UA_pooled == hand.UA_pooled


def test_extra_labelled_data_is_learned_from_but_never_scored(rng):
    X, y, g = _corpus(rng, n_speakers=3, per_class=4)
    # another corpus, its emotions shifted far: it moves the centroids a lot
    X2, y2, g2 = _corpus(rng, n_speakers=2, per_class=20, shift=5.0, prefix="other:")
    plain = evaluate(Recorder(), X, y, g)
    report = evaluate(
        Recorder(),
        X,
        y,
        g,
        X_extra=X2,
        y_extra=y2,
        groups_extra=g2,
        return_estimators=True,
    )
    assert len(report.y_true) == len(y) and report.folds[0]["n_extra"] == len(y2)
    assert not np.isin(report.groups, g2).any()
    for est in report.estimators_:
        assert est.y_fit_[-len(y2) :].tolist() == y2.tolist()
    assert not np.array_equal(plain.y_pred, report.y_pred)  # it was learned from
    assert report.UA_pooled < plain.UA_pooled  # and it misleads on this corpus


def test_drop_leaves_out_unlabeled_extra_samples(rng):
    X, y, g = _corpus(rng, n_speakers=3)
    pool = rng.normal(size=(4, 3))
    y_pool = np.array(["anger", -1, -1, "neutral"], dtype=object)
    report = evaluate(
        Recorder(),
        X,
        y,
        g,
        X_extra=pool,
        y_extra=y_pool,
        groups_extra=["o:1"] * 4,
        unlabeled="drop",
        return_estimators=True,
    )
    for est in report.estimators_:
        np.testing.assert_array_equal(est.X_fit_[-2:], pool[[0, 3]])
        assert est.y_fit_[-2:].tolist() == ["anger", "neutral"]
    assert report.folds[0]["n_extra"] == 2


def test_groups_reach_a_pipeline_step_with_the_extra_speakers(rng):
    X, y, g = _corpus(rng)
    pool = rng.normal(size=(5, 3))
    with sklearn.config_context(enable_metadata_routing=True):
        step = Recorder().set_fit_request(groups=True)
    pipe = make_pipeline(StandardScaler(), step)
    report = evaluate(
        pipe,
        X,
        y,
        g,
        X_extra=pool,
        groups_extra=["libri:x"] * 5,
        return_estimators=True,
    )
    for est, fold in zip(report.estimators_, report.folds):
        seen = set(est[-1].groups_fit_)
        assert "libri:x" in seen and fold["test_groups"][0] not in seen
    assert not sklearn.get_config()["enable_metadata_routing"]


def test_ragged_sequences_and_lists_are_appended_item_by_item(rng):
    seqs = as_sequences([rng.normal(size=(2 + i % 3, 2)) for i in range(12)])
    y = np.tile(EMOTIONS, 4)
    g = np.repeat(["a", "b", "c", "d"], 3)
    pool = [rng.normal(size=(5, 2)), rng.normal(size=(1, 2))]

    class Lengths(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            self.X_ = list(X)
            self.lengths_ = [len(x) for x in X]
            self.classes_ = np.unique(np.asarray(y)[~unlabeled_mask(y)])
            return self

        def predict(self, X):
            return np.full(len(X), self.classes_[0])

    report = evaluate(Lengths(), seqs, y, g, X_extra=pool, return_estimators=True)
    train = np.flatnonzero(g != "a")
    assert report.estimators_[0].lengths_ == [len(seqs[i]) for i in train] + [5, 1]
    paths = [f"u{i}.wav" for i in range(12)]
    report = evaluate(Lengths(), paths, y, g, X_extra=["p.wav"], return_estimators=True)
    assert report.estimators_[0].X_ == [paths[i] for i in train] + ["p.wav"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"groups_extra": ["spk1"] * 3}, "shares speakers with groups"),
        ({"groups_extra": ["o"] * 2}, "groups_extra must be 1-D"),
        ({"y_extra": ["anger"] * 2, "groups_extra": ["o"] * 3}, "y_extra must be 1-D"),
        ({"y_extra": [1, 2, 3], "groups_extra": ["o"] * 3}, "mixes numbers"),
        ({}, "groups_extra must name"),
        (
            {"groups_extra": ["o"] * 3, "params": {"sample_weight": np.ones(60)}},
            "sample-aligned",
        ),
    ],
)
def test_bad_extra_data(rng, kwargs, match):
    X, y, g = _corpus(rng)
    with pytest.raises(ValueError, match=match):
        evaluate(Recorder(), X, y, g, X_extra=rng.normal(size=(3, 3)), **kwargs)


def test_extra_labels_without_samples_and_wrong_width_are_refused(rng):
    X, y, g = _corpus(rng)
    with pytest.raises(ValueError, match="X_extra is None"):
        evaluate(Recorder(), X, y, g, y_extra=["anger"])
    with pytest.raises(ValueError, match="X_extra has samples of shape"):
        evaluate(SVC(), X, y, g, X_extra=np.zeros((2, 4)), y_extra=["anger"] * 2)


def test_report_json_keeps_extra_counts_and_writes_predictions_compactly(rng):
    X, y, g = _corpus(rng, n_speakers=3)
    report = evaluate(
        make_pipeline(StandardScaler(), LogisticRegression()),
        X,
        y,
        g,
        X_extra=rng.normal(size=(4, 3)),
        y_extra=["anger", "sadness", "neutral", "anger"],
        groups_extra=["o:1"] * 4,
    )
    text = report.to_json()
    lines = text.splitlines()
    # each per-sample array whole on one line, whatever the number of samples
    for key in ("index", "y_true", "y_pred", "group", "proba"):
        (line,) = [ln for ln in lines if ln.lstrip().startswith(f'"{key}":')]
        assert len(json.loads(line.split(":", 1)[1].rstrip(","))) == len(y)
    back = load_report(text)
    assert [f["n_extra"] for f in back.folds] == [4, 4, 4]
    assert back.folds == json.loads(json.dumps(report.to_dict()["folds"]))
    np.testing.assert_array_equal(back.proba, report.proba)
    np.testing.assert_array_equal(back.y_pred, report.y_pred)
    rounded = load_report(report.to_json(decimals=2))
    np.testing.assert_array_equal(rounded.proba, np.round(report.proba, 2))
    assert rounded.UA_pooled == report.UA_pooled  # figures come from y_pred


# ------------------------------------------------------------- transductive
@pytest.mark.parametrize("numeric", [False, True])
def test_transductive_adds_each_folds_test_samples_unlabeled(rng, numeric):
    X, y, g = _corpus(rng, n_speakers=3)
    if numeric:
        y = np.searchsorted(EMOTIONS, y)
    pool = rng.normal(size=(4, 3))
    pool_y = [-1, -1, 0, 1] if numeric else ["-1", "-1", "anger", "neutral"]
    report = evaluate(
        Recorder(),
        X,
        y,
        g,
        X_extra=pool,
        y_extra=pool_y,
        groups_extra=["o:1"] * 4,
        transductive=True,
        return_estimators=True,
    )
    assert report.adapts_to_test_speaker
    splits = list(LeaveOneGroupOut().split(X, y, g))
    for est, (train, test), fold in zip(report.estimators_, splits, report.folds):
        # the fold's own samples, then the extra ones, then the test ones unlabeled
        np.testing.assert_array_equal(est.X_fit_, np.vstack([X[train], pool, X[test]]))
        n = len(train)
        assert est.y_fit_[:n].tolist() == y[train].tolist()
        assert est.y_fit_[n + 2 : n + 4].tolist() == list(pool_y[2:])
        assert unlabeled_mask(est.y_fit_[n + 4 :]).all()
        assert len(est.y_fit_) == n + 4 + len(test)
        np.testing.assert_array_equal(
            est.groups_fit_, np.concatenate([g[train], ["o:1"] * 4, g[test]])
        )
        assert fold["n_transductive"] == len(test)
        assert fold["n_train"] == n + 4 + len(test)
        assert set(est.classes_.tolist()) == set(np.unique(y).tolist())
    # every test sample is still scored, with its true label
    assert sorted(report.index.tolist()) == list(range(len(y)))
    assert report.y_true.tolist() == y[report.index].tolist()
    again = type(report).from_json(report.to_json())
    assert again.folds[0]["n_transductive"] == report.folds[0]["n_transductive"]
    assert again.adapts_to_test_speaker


def test_transductive_changes_what_a_semi_supervised_model_learns(rng):
    from sklearn.semi_supervised import SelfTrainingClassifier

    X, y, g = _corpus(rng, n_speakers=3)
    X[g == "spk2"] += 1.5  # a test speaker unlike the others
    model = SelfTrainingClassifier(LogisticRegression(), threshold=0.5)
    with pytest.warns(UserWarning, match="no unlabeled samples"):
        plain = evaluate(model, X, y, g)
    seen = evaluate(model, X, y, g, transductive=True)
    assert not plain.adapts_to_test_speaker and seen.adapts_to_test_speaker
    assert not np.array_equal(plain.proba, seen.proba)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"transductive": "yes"}, "transductive must be True or False"),
        ({"transductive": True, "unlabeled": "drop"}, 'unlabeled="drop" would drop'),
    ],
)
def test_transductive_errors_name_the_parameter(rng, kwargs, match):
    X, y, g = _corpus(rng)
    with pytest.raises(ValueError, match=match):
        evaluate(Recorder(), X, y, g, **kwargs)


def test_transductive_is_refused_for_a_regressor(rng):
    from sklearn.linear_model import Ridge

    X, _, g = _corpus(rng)
    with pytest.raises(ValueError, match="a regressor has no unlabeled samples"):
        evaluate(Ridge(), X, rng.normal(size=len(X)), g, transductive=True)
