"""Speaker-independent evaluation: evaluate(), reports, scorers, per-speaker scaling."""

import json
import platform
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import (
    GroupKFold,
    LeaveOneGroupOut,
    cross_val_predict,
    cross_val_score,
)
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklearn_ser
from sklearn_ser import as_sequences
from sklearn_ser.evaluation import (
    UA_SCORER,
    WA_SCORER,
    EvaluationReport,
    SpeakerStandardScaler,
    compare_reports,
    evaluate,
    load_report,
    recall_table,
    unweighted_accuracy,
    weighted_accuracy,
)

EMOTIONS = np.array(["anger", "neutral", "sadness"])


def _data(rng, n_speakers=5, per_class=8, sep=2.0, speaker_shift=0.0):
    """Gaussian blobs per emotion, several speakers, each with its own offset."""
    X, y, g = [], [], []
    for s in range(n_speakers):
        offset = speaker_shift * rng.normal(size=4)
        for k, emo in enumerate(EMOTIONS):
            centre = np.zeros(4)
            centre[k] = sep
            X.append(centre + offset + rng.normal(size=(per_class, 4)))
            y += [emo] * per_class
            g += [f"spk{s}"] * per_class
    return np.vstack(X), np.array(y), np.array(g)


class GroupRecordingCentroid(ClassifierMixin, BaseEstimator):
    """Nearest-centroid classifier that keeps the speakers it was trained on."""

    def fit(self, X, y, groups=None):
        self.model_ = NearestCentroid().fit(X, y)
        self.classes_ = self.model_.classes_
        self.groups_seen_ = None if groups is None else np.unique(groups)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_loso_matches_cross_val_predict(rng):
    X, y, g = _data(rng)
    est = make_pipeline(StandardScaler(), SVC())
    report = evaluate(est, X, y, g)
    assert report.n_folds == 5
    assert [f["test_groups"] for f in report.folds] == [[f"spk{i}"] for i in range(5)]
    ref = cross_val_predict(est, X, y, groups=g, cv=LeaveOneGroupOut())
    pred = np.empty_like(ref)
    pred[report.index] = report.y_pred
    np.testing.assert_array_equal(pred, ref)
    assert report.WA_pooled == pytest.approx(accuracy_score(y, ref))
    assert report.UA_pooled == pytest.approx(balanced_accuracy_score(y, ref))
    for f in report.folds:
        test = g == f["test_groups"][0]
        assert f["WA"] == pytest.approx(accuracy_score(y[test], ref[test]))
        assert f["UA"] == pytest.approx(balanced_accuracy_score(y[test], ref[test]))
    assert report.WA == pytest.approx(np.mean([f["WA"] for f in report.folds]))
    assert report.UA_std == pytest.approx(np.std([f["UA"] for f in report.folds]))
    assert report.WA_pooled > 0.7  # the blobs are separable enough
    assert report.confusion_matrix().to_numpy().sum() == len(y)
    assert report.fit_time > 0 and report.predict_time > 0


def test_pooled_differs_from_fold_mean_with_unequal_folds(rng):
    X, y, g = _data(rng, n_speakers=3, sep=1.0)
    keep = ~((g == "spk0") & (np.arange(len(y)) % 3 != 0))  # spk0 keeps a third
    report = evaluate(SVC(), X[keep], y[keep], g[keep])
    n = np.array([f["n_test_labeled"] for f in report.folds])
    wa = np.array([f["WA"] for f in report.folds])
    assert report.WA_pooled == pytest.approx(np.sum(n * wa) / n.sum())
    assert len(set(n)) > 1


def test_cv_int_splitter_and_iterable(rng):
    X, y, g = _data(rng, n_speakers=6)
    r = evaluate(SVC(), X, y, g, cv=3)
    assert r.n_folds == 3
    assert all(len(f["test_groups"]) == 2 for f in r.folds)
    r2 = evaluate(SVC(), X, y, g, cv=GroupKFold(n_splits=2))
    assert r2.n_folds == 2
    splits = list(LeaveOneGroupOut().split(X, y, g))[:2]
    r3 = evaluate(SVC(), X, y, g, cv=splits)
    assert r3.n_folds == 2 and len(r3.y_pred) == sum(len(te) for _, te in splits)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cv": "loso", "groups": None}, "needs groups"),
        ({"cv": 4, "groups": None}, "needs groups"),
        ({"cv": "kfold"}, "cv must be"),
        ({"unlabeled": "keep"}, "unlabeled must be"),
    ],
)
def test_bad_arguments(rng, kwargs, match):
    X, y, g = _data(rng, n_speakers=3)
    kw = {"groups": g, **kwargs}
    groups = kw.pop("groups")
    with pytest.raises(ValueError, match=match):
        evaluate(SVC(), X, y, groups, **kw)


def test_unlabeled_are_fitted_but_never_scored(rng):
    X, y_str, g = _data(rng, n_speakers=4, sep=3.0)
    y = np.searchsorted(EMOTIONS, y_str)
    y_partial = y.copy()
    unlabeled = rng.random(len(y)) < 0.4
    y_partial[unlabeled] = -1
    report = evaluate(
        LabelSpreading(), X, y_partial, g, return_estimators=True, proba=True
    )
    assert report.labels.tolist() == [0, 1, 2]
    assert report.summary()["n_scored"] == int((~unlabeled).sum())
    assert report.confusion_matrix().to_numpy().sum() == int((~unlabeled).sum())
    scored = report.y_true != -1
    assert report.WA_pooled == pytest.approx(
        np.mean(report.y_true[scored] == report.y_pred[scored])
    )
    # the unlabeled training samples reached fit (transductive labels for all)
    for est, f in zip(report.estimators_, report.folds):
        assert est.transduction_.shape[0] == f["n_train"]
    n_train_all = sum(f["n_train"] for f in report.folds)
    assert n_train_all == 3 * len(y)  # 4 folds, each trains on 3 speakers
    assert sum(f["n_test_labeled"] for f in report.folds) == (~unlabeled).sum()
    assert report.proba.shape == (len(y), 3)


def test_unlabeled_drop_and_warning_for_supervised(rng):
    X, y_str, g = _data(rng, n_speakers=3)
    y = np.searchsorted(EMOTIONS, y_str)
    y[::5] = -1
    with pytest.warns(UserWarning, match="-1 among its classes_"):
        evaluate(SVC(), X, y, g)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = evaluate(SVC(), X, y, g, unlabeled="drop", return_estimators=True)
    for est, f in zip(report.estimators_, report.folds):
        assert -1 not in est.classes_
        assert f["n_train"] == int(np.sum((y != -1) & (g != f["test_groups"][0])))


def test_single_class_fold_gives_no_warning(rng):
    X, y, g = _data(rng, n_speakers=3)
    lone = rng.normal(size=(6, 4)) + [2.0, 0, 0, 0]
    X = np.vstack([X, lone])
    y = np.r_[y, ["anger"] * 6]
    g = np.r_[g, ["solo"] * 6]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = evaluate(SVC(), X, y, g)
        report.to_markdown()
        report.summary()
    solo = next(f for f in report.folds if f["test_groups"] == ["solo"])
    pred = report.y_pred[report.groups == "solo"]
    assert solo["UA"] == pytest.approx(np.mean(pred == "anger"))
    assert solo["WA"] == solo["UA"]


def test_groups_reach_fit_and_test_speakers_stay_out(rng):
    X, y, g = _data(rng, n_speakers=4)
    report = evaluate(GroupRecordingCentroid(), X, y, g, return_estimators=True)
    for est, f in zip(report.estimators_, report.folds):
        assert est.groups_seen_ is not None
        assert f["test_groups"][0] not in est.groups_seen_
        assert len(est.groups_seen_) == 3


def test_groups_routed_to_a_pipeline_step_that_requests_them(rng):
    """The pattern for an early-stopping step that needs the training speakers."""
    X, y, g = _data(rng, n_speakers=4)
    with sklearn.config_context(enable_metadata_routing=True):
        step = GroupRecordingCentroid().set_fit_request(groups=True)
    pipe = make_pipeline(StandardScaler(), step)
    report = evaluate(pipe, X, y, g, return_estimators=True, n_jobs=2)
    for est, f in zip(report.estimators_, report.folds):
        seen = est[-1].groups_seen_
        assert len(seen) == 3 and f["test_groups"][0] not in seen
    assert not sklearn.get_config()["enable_metadata_routing"]


def test_speaker_standardisation_routed_and_scoped(rng):
    X, y, g = _data(rng, n_speakers=5, sep=2.0, speaker_shift=6.0)
    assert not sklearn.get_config()["enable_metadata_routing"]
    plain = evaluate(make_pipeline(StandardScaler(), SVC()), X, y, g)
    spk = evaluate(make_pipeline(SpeakerStandardScaler(), SVC()), X, y, g)
    # routing is switched on inside the folds only
    assert not sklearn.get_config()["enable_metadata_routing"]
    # large per-speaker offsets: speaker standardisation must help a lot
    assert spk.UA_pooled > plain.UA_pooled + 0.1
    par = evaluate(make_pipeline(SpeakerStandardScaler(), SVC()), X, y, g, n_jobs=2)
    np.testing.assert_array_equal(par.y_pred, spk.y_pred)


def test_n_jobs_same_result(rng):
    X, y, g = _data(rng, n_speakers=4)
    a = evaluate(SVC(), X, y, g, n_jobs=1)
    b = evaluate(SVC(), X, y, g, n_jobs=2, verbose=1)
    np.testing.assert_array_equal(a.y_pred, b.y_pred)
    assert a.summary()["WA"] == b.summary()["WA"]


def test_report_json_round_trip(rng, tmp_path):
    X, y, g = _data(rng, n_speakers=3)
    report = evaluate(
        make_pipeline(StandardScaler(), SVC()),
        X,
        y,
        g,
        name="svm",
        description="scaler + SVC",
    )
    lr = evaluate(
        make_pipeline(StandardScaler(), NearestCentroid()), X, y, g, name="centroid"
    )
    text = report.to_json(tmp_path / "r.json")
    data = json.loads(text)
    assert data["WA_pooled"] == pytest.approx(report.WA_pooled)
    assert set(data["per_class_recall"]) == set(EMOTIONS)
    back = load_report(tmp_path / "r.json")
    assert isinstance(back, EvaluationReport)
    assert back.summary() == report.summary()
    assert back.folds == json.loads(json.dumps(report.to_dict()["folds"]))
    np.testing.assert_array_equal(back.y_pred, report.y_pred)
    np.testing.assert_array_equal(back.groups, report.groups)
    assert back.to_markdown() == report.to_markdown()
    assert EvaluationReport.from_json(text).UA == report.UA
    # the report says what computed it, and keeps it through JSON
    env = back.meta["environment"]
    assert env == report.meta["environment"]
    assert env["packages"]["numpy"] == np.__version__
    assert env["packages"]["scikit-learn"] == sklearn.__version__
    assert env["sklearn_ser"] == sklearn_ser.__version__
    assert env["python"] == platform.python_version()
    # probabilities round trip too
    X2, y2, g2 = _data(rng, n_speakers=3, sep=3)
    with_proba = evaluate(LabelSpreading(), X2, np.searchsorted(EMOTIONS, y2), g2)
    again = load_report(with_proba.to_json())
    np.testing.assert_allclose(again.proba, with_proba.proba)
    np.testing.assert_array_equal(again.proba_classes, with_proba.proba_classes)
    assert again.to_frame("predictions").shape[1] == 5 + 3  # index..y_pred, 3 proba
    # comparison tables: one row per system, one column per emotion (+ UA)
    table = recall_table([report, lr])
    assert table.index.tolist() == ["svm", "centroid"]
    assert table.columns.tolist() == [*EMOTIONS, "UA"]
    assert compare_reports([report, lr]).loc["svm", "UA_pooled"] == report.UA_pooled


def test_markdown_and_frames(rng):
    X, y, g = _data(rng, n_speakers=3)
    report = evaluate(SVC(), X, y, g, name="svm", adapts_to_test_speaker=True)
    md = report.to_markdown()
    assert md.startswith("# svm")
    assert "adapts to the test speaker" in md
    for heading in ("## Summary", "## Folds", "## Per-class recall", "## Confusion"):
        assert heading in md
    assert f"{report.WA_pooled:.3f}" in md
    folds = report.to_frame()
    assert folds.shape[0] == 3 and {"WA", "UA", "fit_time"} <= set(folds)
    assert report.to_frame("summary").index.tolist() == ["svm"]
    cm = report.confusion_matrix(normalize="true")
    np.testing.assert_allclose(cm.to_numpy().sum(axis=1), 1.0)
    np.testing.assert_allclose(np.diag(cm), report.per_class_recall())
    with pytest.raises(ValueError, match="kind must be"):
        report.to_frame("bogus")


def test_plot_confusion_matrix_png(rng, tmp_path):
    X, y, g = _data(rng, n_speakers=3)
    report = evaluate(SVC(), X, y, g, name="svm")
    path = tmp_path / "cm.png"
    fig = report.plot_confusion_matrix(path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000
    ax = fig.axes[0]
    assert "WA" in ax.get_title() and "UA" in ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 9 and all("%" in t for t in texts)
    assert [t.get_text() for t in ax.get_xticklabels()] == EMOTIONS.tolist()


def test_scorers_ignore_unlabeled(rng):
    X, y_str, g = _data(rng, n_speakers=4)
    y = np.searchsorted(EMOTIONS, y_str)
    assert weighted_accuracy([0, 1, -1], [0, 0, 1]) == 0.5
    assert unweighted_accuracy([0, 0, 1, -1], [0, 0, 0, 1]) == 0.5
    assert np.isnan(weighted_accuracy([-1], [0]))
    cv = LeaveOneGroupOut()
    est = make_pipeline(StandardScaler(), SVC())
    np.testing.assert_allclose(
        cross_val_score(est, X, y, groups=g, cv=cv, scoring=WA_SCORER),
        cross_val_score(est, X, y, groups=g, cv=cv, scoring="accuracy"),
    )
    np.testing.assert_allclose(
        cross_val_score(est, X, y, groups=g, cv=cv, scoring=UA_SCORER),
        cross_val_score(est, X, y, groups=g, cv=cv, scoring="balanced_accuracy"),
    )
    y_part = y.copy()
    y_part[::4] = -1
    report = evaluate(est, X, y_part, g, unlabeled="drop")
    # on folds holding -1, the scorers' figures equal the report's fold figures
    pred = np.empty_like(y)
    pred[report.index] = report.y_pred
    for f in report.folds:
        test = g == f["test_groups"][0]
        assert weighted_accuracy(y_part[test], pred[test]) == pytest.approx(f["WA"])
        assert unweighted_accuracy(y_part[test], pred[test]) == pytest.approx(f["UA"])


def test_speaker_standard_scaler(rng):
    X = rng.normal(size=(30, 3)) * [1, 5, 0] + [0, 10, 3]
    groups = np.repeat(["a", "b", "c"], 10)
    Xt = SpeakerStandardScaler().fit_transform(X, groups=groups)
    for s in "abc":
        block = Xt[groups == s]
        np.testing.assert_allclose(block.mean(axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(block.std(axis=0), [1, 1, 0], atol=1e-12)
    with pytest.raises(ValueError, match="needs groups"):
        SpeakerStandardScaler().fit(X)
    scaler = SpeakerStandardScaler().fit(X, groups=groups)
    with pytest.raises(ValueError, match="needs groups"):
        scaler.transform(X)
    with pytest.raises(ValueError, match="one speaker per sample"):
        scaler.transform(X, groups=groups[:5])
    assert scaler.get_feature_names_out().tolist() == ["x0", "x1", "x2"]
    # sequences: each speaker's statistics over all frames of its utterances
    seqs = as_sequences([rng.normal(size=(n, 2)) + 4 for n in (3, 6, 5)])
    out = SpeakerStandardScaler().fit_transform(seqs, groups=["a", "a", "b"])
    frames_a = np.concatenate([seqs[0], seqs[1]])
    np.testing.assert_allclose(
        out[0], (seqs[0] - frames_a.mean(0)) / frames_a.std(0), rtol=1e-5
    )
    np.testing.assert_allclose(
        out[2], (seqs[2] - seqs[2].mean(0)) / seqs[2].std(0), rtol=1e-5
    )
    # in a Pipeline, groups are routed to fit and transform/predict
    pipe = make_pipeline(SpeakerStandardScaler(), SVC())
    y = np.tile([0, 1], 15)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe.fit(X, y, groups=groups)
        assert pipe.predict(X, groups=groups).shape == (30,)


class _OneSpeakerScaler(SpeakerStandardScaler):
    """All samples from one speaker when no groups come: lets the common checks run.

    (The real class refuses to run without groups, on purpose.)
    """

    def fit(self, X, y=None, groups=None):
        return super().fit(X, y, groups=_one_speaker(X, groups))

    def transform(self, X, groups=None):
        return super().transform(X, groups=_one_speaker(X, groups))

    def fit_transform(self, X, y=None, groups=None):
        return self.fit(X, y, groups).transform(X, groups)


def _one_speaker(X, groups):
    from sklearn.utils.validation import _num_samples

    return np.zeros(_num_samples(X)) if groups is None else groups


@parametrize_with_checks(
    [_OneSpeakerScaler()],
    expected_failed_checks=lambda est: {
        "check_methods_subset_invariance": (
            "statistics come from the batch of each speaker, by design: a subset "
            "of a speaker's rows is standardised with the subset's statistics"
        ),
    },
)
def test_speaker_scaler_common_checks(estimator, check):
    check(estimator)
