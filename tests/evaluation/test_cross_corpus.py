"""Cross-corpus evaluation and per-corpus standardisation."""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import _num_samples

from sklearn_ser import as_sequences
from sklearn_ser.evaluation import (
    CorpusStandardScaler,
    EvaluationReport,
    compare_reports,
    evaluate_cross_corpus,
    leave_one_corpus_out,
    with_corpus_standardization,
)


class GroupRecordingCentroid(ClassifierMixin, BaseEstimator):
    """Nearest-centroid classifier that keeps the groups and classes it trained on."""

    def fit(self, X, y, groups=None):
        self.model_ = NearestCentroid().fit(X, y)
        self.classes_ = self.model_.classes_
        self.groups_seen_ = None if groups is None else np.unique(groups)
        return self

    def predict(self, X):
        return self.model_.predict(X)


LABELS = ["anger", "boredom", "calm", "fear", "neutral", "sadness"]


def _corpus(rng, labels, *, shift=0.0, scale=1.0, speakers=("s1", "s2", "s3")):
    """A corpus of Gaussian blobs, one per label, offset and scaled as a whole."""
    X, y, g = [], [], []
    for spk in speakers:
        for label in labels:
            centre = np.zeros(len(LABELS))
            centre[LABELS.index(label)] = 3.0
            X.append(centre + rng.normal(size=(6, len(LABELS))))
            y += [label] * 6
            g += [spk] * 6
    return np.vstack(X) * scale + shift, np.array(y), np.array(g)


def test_only_shared_classes_are_trained_and_scored(rng):
    train = {"a": _corpus(rng, ["anger", "calm", "neutral", "sadness"])}
    test = {"b": _corpus(rng, ["anger", "boredom", "neutral", "sadness"])}
    report = evaluate_cross_corpus(
        GroupRecordingCentroid(), train, test, return_estimators=True, name="nc"
    )
    est = report.estimators_[0]
    assert est.classes_.tolist() == ["anger", "neutral", "sadness"]
    assert report.labels.tolist() == ["anger", "neutral", "sadness"]
    assert set(report.y_true) == {"anger", "neutral", "sadness"}
    assert report.n_folds == 1 and len(report.y_true) == 3 * 3 * 6
    cross = report.meta["cross_corpus"]
    assert cross["dropped"] == {"a": ["calm"], "b": ["boredom"]}
    assert cross["train"] == ["a"] and cross["test"] == ["b"]
    text = report.to_markdown()
    assert "Only the classes both sides share are trained and scored: anger, " in text
    assert "Left out: a: calm; b: boredom." in text
    assert report.cv == "cross-corpus: a -> b"
    # Speakers are named by corpus: the training ones reach fit, the test ones not.
    assert est.groups_seen_.tolist() == ["a:s1", "a:s2", "a:s3"]
    assert sorted(set(report.groups)) == ["b:s1", "b:s2", "b:s3"]
    assert report.summary()["UA_ci"] is not None
    assert not report.adapts_to_test_corpus


def test_groups_routed_to_a_step_and_several_training_corpora(rng):
    with sklearn.config_context(enable_metadata_routing=True):
        step = GroupRecordingCentroid().set_fit_request(groups=True)
    labels = ["anger", "neutral"]
    report = evaluate_cross_corpus(
        make_pipeline(StandardScaler(), step),
        {"a": _corpus(rng, labels), "b": _corpus(rng, labels, speakers=["s1"])},
        {"c": _corpus(rng, labels)},
        return_estimators=True,
    )
    seen = report.estimators_[0][-1].groups_seen_.tolist()
    assert seen == ["a:s1", "a:s2", "a:s3", "b:s1"]
    assert report.cv == "cross-corpus: a + b -> c"


def test_per_corpus_standardisation_helps_and_is_labelled(rng):
    labels = ["anger", "neutral", "sadness"]
    train = {"a": _corpus(rng, labels)}
    test = {"b": _corpus(rng, labels, shift=6.0, scale=3.0)}
    plain = evaluate_cross_corpus(make_pipeline(StandardScaler(), SVC()), train, test)
    adapted = evaluate_cross_corpus(
        make_pipeline(StandardScaler(), SVC()),
        train,
        test,
        per_corpus_standardization=True,
        name="svm",
        return_estimators=True,
    )
    assert adapted.UA_pooled > plain.UA_pooled + 0.3
    steps = [name for name, _ in adapted.estimators_[0].steps]
    assert steps == ["standardscaler", "corpusstandardscaler", "svc"]
    assert adapted.adapts_to_test_corpus
    assert "adapts to the test corpus" in adapted.to_markdown()
    assert compare_reports([adapted]).index[0] == "svm (adapts to test corpus)"
    back = EvaluationReport.from_json(adapted.to_json())
    assert back.adapts_to_test_corpus and back.summary() == adapted.summary()


def test_leave_one_corpus_out(rng):
    corpora = {
        "a": _corpus(rng, ["anger", "neutral", "sadness"]),
        "b": _corpus(rng, ["anger", "neutral"]),
        "c": _corpus(rng, ["anger", "neutral", "sadness", "fear"]),
    }
    reports = leave_one_corpus_out(GroupRecordingCentroid(), corpora)
    assert list(reports) == ["a", "b", "c"]
    assert reports["a"].meta["cross_corpus"]["train"] == ["b", "c"]
    assert reports["a"].labels.tolist() == ["anger", "neutral", "sadness"]
    assert reports["b"].labels.tolist() == ["anger", "neutral"]
    assert reports["c"].meta["cross_corpus"]["dropped"]["c"] == ["fear"]


def test_cross_corpus_errors_name_the_corpus(rng):
    a = _corpus(rng, ["anger", "neutral"])
    with pytest.raises(ValueError, match="corpus 'a' is on both sides"):
        evaluate_cross_corpus(SVC(), {"a": a}, {"a": a})
    with pytest.raises(ValueError, match="share 1 class"):
        evaluate_cross_corpus(SVC(), {"a": a}, {"b": _corpus(rng, ["anger", "fear"])})
    with pytest.raises(ValueError, match="corpus 'b' lacks groups"):
        evaluate_cross_corpus(SVC(), {"a": a}, {"b": {"filenames": [], "target": []}})
    with pytest.raises(ValueError, match="must be a non-empty dict"):
        evaluate_cross_corpus(SVC(), a, {"b": a})
    with pytest.raises(ValueError, match="must not contain ':'"):
        evaluate_cross_corpus(SVC(), {"a:1": a}, {"b": a})


def test_corpus_standard_scaler_by_hand(rng):
    X = rng.normal(size=(9, 2)) * [1.0, 4.0] + [2.0, -1.0]
    groups = np.array(["a:1", "a:1", "a:2", "a:2", "b:x", "b:x", "b:x", "b:y", "b:y"])
    Xt = CorpusStandardScaler().fit_transform(X, groups=groups)
    for rows in (slice(0, 4), slice(4, 9)):
        expected = (X[rows] - X[rows].mean(0)) / X[rows].std(0)
        np.testing.assert_allclose(Xt[rows], expected)
    # Sequences: the statistics of every frame of the corpus's utterances.
    seqs = as_sequences([rng.normal(size=(n, 3)) + 5 for n in (4, 7, 2, 5)])
    g = ["a:1", "a:2", "b:1", "b:1"]
    out = CorpusStandardScaler().fit(seqs, groups=g).transform(seqs, groups=g)
    frames_a = np.concatenate([seqs[0], seqs[1]])
    np.testing.assert_allclose(
        out[1], (seqs[1] - frames_a.mean(0)) / frames_a.std(0), rtol=1e-5
    )
    assert [x.shape for x in out] == [x.shape for x in seqs]
    with pytest.raises(ValueError, match="CorpusStandardScaler.fit needs groups"):
        CorpusStandardScaler().fit(X)


def test_with_corpus_standardization_wraps_a_bare_estimator():
    pipe = with_corpus_standardization(SVC(C=3.0))
    assert [type(s).__name__ for _, s in pipe.steps] == ["CorpusStandardScaler", "SVC"]
    assert pipe[-1].C == 3.0


class _OneCorpusScaler(CorpusStandardScaler):
    """For the common checks, which call fit/transform without groups."""

    def fit(self, X, y=None, groups=None):
        return super().fit(X, y, groups=np.zeros(_num_samples(X), dtype=str))

    def transform(self, X, groups=None):
        return super().transform(X, groups=np.zeros(_num_samples(X), dtype=str))


@parametrize_with_checks(
    [_OneCorpusScaler()],
    expected_failed_checks=lambda est: {
        "check_methods_subset_invariance": "statistics come from each corpus's "
        "batch, by design",
    },
)
def test_corpus_scaler_common_checks(estimator, check):
    check(estimator)


# ------------------------------------------------------------ extra_training_data
def test_extra_training_data_keeps_the_target_classes_of_every_corpus():
    from sklearn.utils import Bunch

    from sklearn_ser.evaluation import extra_training_data

    files = np.array(["a.wav", "b.wav", "c.wav", "d.wav"], dtype=object)
    one = Bunch(
        filenames=files,
        target=np.array(["anger", "calm", "sadness", "anger"]),
        groups=np.array(["s1", "s1", "s2", "s2"]),
    )
    two = (np.array(["e.wav", "f.wav"]), ["fear", "sadness"], ["x", "y"])
    extra = extra_training_data({"one": one, "two": two}, ["anger", "sadness"])
    assert extra.X.tolist() == ["a.wav", "c.wav", "d.wav", "f.wav"]
    assert extra.y.tolist() == ["anger", "sadness", "anger", "sadness"]
    assert extra.groups.tolist() == ["one:s1", "one:s2", "one:s2", "two:y"]
    assert extra.corpus.tolist() == ["one", "one", "one", "two"]
    assert extra.dropped == {"one": {"calm": 1}, "two": {"fear": 1}}
    # feature rows of the second corpus come through as rows
    two = (np.zeros((2, 3)), ["fear", "sadness"], ["x", "y"])
    rows = extra_training_data({"two": two}, ["sadness"])
    assert rows.X.shape == (1, 3) and rows.groups.tolist() == ["two:y"]


@pytest.mark.parametrize(
    "corpora, classes, message",
    [
        ({"o": ([1, 2], ["calm", "calm"], ["a", "b"])}, ["anger"], "hold none of"),
        ({"o": ([1, 2], ["angry", "calm"], ["a", "b"])}, ["anger"], "'angry'"),
        ({"o": ([1], ["anger", "calm"], ["a", "b"])}, ["anger"], "differ in length"),
        ({}, ["anger"], "non-empty dict"),
    ],
)
def test_extra_training_data_errors_name_the_corpus_or_the_labels(
    corpora, classes, message
):
    from sklearn_ser.evaluation import extra_training_data

    with pytest.raises(ValueError, match=message):
        extra_training_data(corpora, classes)


def test_extra_training_data_joins_every_training_fold_and_is_never_scored(rng):
    from sklearn.linear_model import LogisticRegression

    from sklearn_ser.evaluation import evaluate, extra_training_data

    def corpus(n_speakers, shift, labels):
        X, y, g = [], [], []
        for s in range(n_speakers):
            for k, label in enumerate(labels):
                X.append(rng.normal(shift + k, 1.0, size=(4, 2)))
                y += [label] * 4
                g += [f"s{s}"] * 4
        return np.vstack(X), np.array(y), np.array(g)

    X, y, g = corpus(3, 0.0, ["anger", "sadness"])
    other = corpus(2, 0.0, ["anger", "sadness", "calm"])
    extra = extra_training_data({"other": other}, np.unique(y))
    assert len(extra.y) == 16 and extra.dropped == {"other": {"calm": 8}}
    report = evaluate(
        LogisticRegression(),
        X,
        y,
        g,
        X_extra=extra.X,
        y_extra=extra.y,
        groups_extra=extra.groups,
        return_estimators=True,
    )
    assert len(report.y_true) == len(y) and set(report.groups) == {"s0", "s1", "s2"}
    assert all(fold["n_extra"] == 16 for fold in report.folds)
