"""Hidden training labels in evaluate, and the label-fraction curve built on them."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.semi_supervised import SelfTrainingClassifier

from sklearn_ser.evaluation import (
    curve_table,
    evaluate,
    label_fraction_curve,
    nested_label_masks,
    plot_label_fraction_curve,
)


def _data(n_per=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.tile(np.array(["ang", "neu", "sad"], dtype=object), 4 * n_per)
    X = rng.normal(size=(len(y), 4))
    X[:, 0] += 1.5 * (y == "ang")
    X[:, 1] += 1.5 * (y == "sad")
    groups = np.repeat(["f1", "f2", "m1", "m2"], 3 * n_per)
    return X, y, groups


class RecordsLabels(ClassifierMixin, BaseEstimator):
    """Predicts the majority class of the labelled training samples; keeps y."""

    def fit(self, X, y):
        self.y_seen_ = np.asarray(y, dtype=object).copy()
        labelled = [v for v in self.y_seen_ if v != -1 and v != "-1"]
        values, counts = np.unique(labelled, return_counts=True)
        self.classes_ = values
        self.majority_ = values[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_, dtype=object)


def _doubled(X, y, y_train, groups, splits):
    """The hand-built way the curve example used: a masked copy and a true copy."""
    n = len(X)
    X2 = np.concatenate([X, X])
    y2 = np.empty(2 * n, dtype=object)
    y2[:n], y2[n:] = y_train, y
    return X2, y2, np.concatenate([groups, groups]), [(tr, te + n) for tr, te in splits]


def test_hidden_labels_train_as_unlabeled_and_test_with_their_label():
    X, y, groups = _data()
    hide = np.zeros(len(y), dtype=bool)
    hide[::3] = True  # every "ang" is hidden: it cannot be the training majority
    report = evaluate(
        RecordsLabels(), X, y, groups, hide_labels=hide, return_estimators=True
    )
    splits = LeaveOneGroupOut().split(X, y, groups)  # evaluate's cv='loso'
    for (train, _), est in zip(splits, report.estimators_):
        hidden = np.array([v in (-1, "-1") for v in est.y_seen_])
        np.testing.assert_array_equal(hidden, hide[train])
        np.testing.assert_array_equal(est.y_seen_[~hidden], y[train][~hidden])
    # scoring uses the true labels: every test "ang" counts (recall 0, not ignored)
    assert len(report.y_true) == len(y)
    assert report.per_class_recall()["ang"] == 0.0


@pytest.mark.parametrize(
    "estimator, unlabeled",
    [
        (LogisticRegression(), "drop"),
        (SelfTrainingClassifier(LogisticRegression(), threshold=0.6), "fit"),
    ],
)
def test_hidden_labels_give_the_predictions_of_the_hand_built_copies(
    estimator, unlabeled
):
    X, y, groups = _data()
    keep = nested_label_masks(y, [0.25], random_state=1)[0.25]
    splits = list(GroupKFold(4).split(X, y, groups))
    y_train = y.copy()
    y_train[~keep] = -1
    X2, y2, g2, splits2 = _doubled(X, y, y_train, groups, splits)
    by_hand = evaluate(estimator, X2, y2, g2, cv=splits2, unlabeled=unlabeled)
    hidden = evaluate(
        estimator, X, y, groups, cv=splits, unlabeled=unlabeled, hide_labels=~keep
    )
    np.testing.assert_array_equal(
        hidden.y_pred[np.argsort(hidden.index)],
        by_hand.y_pred[np.argsort(by_hand.index)],
    )
    assert hidden.summary()["UA_pooled"] == by_hand.summary()["UA_pooled"]


def test_nested_label_masks_keep_each_class_share_and_nest():
    y = np.array(["a"] * 40 + ["b"] * 20 + ["c"] * 3 + [-1] * 5, dtype=object)
    masks = nested_label_masks(y, [0.1, 0.25, 0.5, 1.0], random_state=0)
    for small, large in [(0.1, 0.25), (0.25, 0.5), (0.5, 1.0)]:
        assert np.all(masks[small] <= masks[large])
    assert [int(masks[0.25][y == c].sum()) for c in "abc"] == [10, 5, 1]
    assert [int(masks[0.1][y == c].sum()) for c in "abc"] == [4, 2, 1]  # >= 1
    assert not masks[1.0][-5:].any()  # unlabeled samples are never "kept"
    assert masks[1.0][:-5].all()
    other = nested_label_masks(y, [0.5], random_state=1)[0.5]
    assert not np.array_equal(other, masks[0.5])
    with pytest.raises(ValueError, match=r"fractions .* \(0, 1\]"):
        nested_label_masks(y, [0.0, 0.5])


def test_hide_labels_errors_name_the_parameter():
    X, y, groups = _data(n_per=4)
    with pytest.raises(ValueError, match="hide_labels must be a boolean mask"):
        evaluate(LogisticRegression(), X, y, groups, hide_labels=np.ones(3, bool))
    with pytest.raises(ValueError, match="hide_labels must be a boolean mask"):
        evaluate(LogisticRegression(), X, y, groups, hide_labels=np.ones(len(y)))
    with pytest.raises(ValueError, match="hides every label"):
        evaluate(LogisticRegression(), X, y, groups, hide_labels=np.ones(len(y), bool))
    with pytest.raises(TypeError, match="sets hide_labels itself"):
        label_fraction_curve(LogisticRegression(), X, y, groups, hide_labels=None)


def test_label_fraction_curve_is_evaluate_at_each_fraction():
    X, y, groups = _data()
    reports = label_fraction_curve(
        LogisticRegression(),
        X,
        y,
        groups,
        fractions=[0.1, 1.0],
        unlabeled="drop",
        name="logreg",
    )
    assert [r.meta["labelled_fraction"] for r in reports] == [0.1, 1.0]
    assert [r.meta["labelled_share"] for r in reports] == [0.1, 1.0]
    full = evaluate(LogisticRegression(), X, y, groups)
    np.testing.assert_array_equal(reports[1].y_pred, full.y_pred)
    assert not np.array_equal(reports[0].y_pred, full.y_pred)
    table = curve_table(reports)
    assert table.index.tolist() == ["logreg"]
    assert table.columns.tolist() == [0.1, 1.0]
    assert table.loc["logreg", 1.0] == full.summary()["UA_pooled"]


def test_plot_draws_each_system_at_its_pooled_ua(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    X, y, groups = _data()
    reports = label_fraction_curve(
        LogisticRegression(), X, y, groups, fractions=[0.25, 1.0], unlabeled="drop"
    )
    reports += label_fraction_curve(
        SelfTrainingClassifier(LogisticRegression()),
        X,
        y,
        groups,
        fractions=[0.25, 1.0],
        name="self-training",
    )
    ax = plot_label_fraction_curve(reports, chance=1 / 3, path=tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 0
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"LogisticRegression", "self-training", "chance (0.333)"}
    for name in ("LogisticRegression", "self-training"):
        mine = [r for r in reports if r.meta["system"] == name]
        np.testing.assert_allclose(lines[name].get_xdata(), [25, 100])
        np.testing.assert_allclose(
            lines[name].get_ydata(), [r.summary()["UA_pooled"] for r in mine]
        )
    assert len(ax.collections) == 2  # one interval band per system


@pytest.mark.parametrize("labels", [["a", "b", "c"], ["ang", "neu", "sad"], [0, 1, 2]])
def test_hidden_labels_reach_fit_as_unlabeled_whatever_the_label_width(labels):
    # one-character labels are a "<U1" array, too narrow for the "-1" marker
    class Seen(LogisticRegression):
        def fit(self, X, y):
            self.seen_ = np.asarray(y).tolist()
            labelled = [i for i, v in enumerate(self.seen_) if v != -1]
            return super().fit(X[labelled], np.asarray(y)[labelled])

    rng = np.random.default_rng(0)
    y = np.tile(np.array(labels), 40)
    X, groups = rng.normal(size=(120, 4)), np.repeat(list("wxyz"), 30)
    hide = np.arange(120) % 4 != 0  # a quarter of the labels kept
    for unlabeled in ("fit", "drop"):
        report = evaluate(
            Seen(),
            X,
            y,
            groups,
            hide_labels=hide,
            unlabeled=unlabeled,
            cv=GroupKFold(4),
            return_estimators=True,
            proba=False,
        )
        splits = GroupKFold(4).split(X, y, groups)
        for est, (train, _) in zip(report.estimators_, splits):
            hidden = [v == -1 for v in est.seen_]
            assert set(est.seen_) - {-1} <= set(labels)  # no "-" or "-1" label
            if unlabeled == "fit":
                assert est.seen_ == [-1 if hide[i] else y[i] for i in train]
            else:
                assert not any(hidden)
                assert len(est.seen_) == int((~hide[train]).sum())
        assert sorted(report.index) == list(range(120))  # every label scored
