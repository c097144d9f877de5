"""One rule for "unlabeled" (-1 or "-1") and for missing labels, in every estimator."""

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import NearestCentroid

from sklearn_ser import as_sequences
from sklearn_ser._labels import encode_labels, unlabeled_mask
from sklearn_ser.autoencoders import DenoisingAE, NeutralEmotionDAE
from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier
from sklearn_ser.evaluation import evaluate, labeled_mask, weighted_accuracy

LABELS = ["ang", "neu", "sad", -1, "neu", -1, "ang", "sad", "neu", "ang", -1, "sad"]
N = len(LABELS) * 3
UNLABELED = np.array([v == -1 for v in LABELS] * 3)
CLASSES = ["ang", "neu", "sad"]


def _object(values):
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


# Every way a user hands over "-1 = unlabeled" among string labels.
FORMS = {
    "list": lambda v: list(v),
    "object, int -1": lambda v: _object(v),
    "object, str '-1'": lambda v: _object([str(x) if x == -1 else x for x in v]),
    "numpy str": lambda v: np.array(v),  # numpy makes "-1" of -1
    "pandas object": lambda v: pd.Series(_object(v)),
    "pandas string": lambda v: pd.Series([str(x) for x in v], dtype="string"),
}


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def tabular(rng):
    k = np.array([CLASSES.index(v) if v != -1 else 0 for v in LABELS] * 3)
    return rng.normal(size=(N, 6)) + 2.0 * np.eye(6)[k]


def _fit_estimators(X, y, rng):
    """classes_ and the unlabeled mask as every estimator of sklearn-ser sees them."""
    seen = {}
    fast = dict(pretrain_epochs=1, finetune_epochs=1, random_state=0)
    dae = DenoisingAE(hidden_layer_sizes=3, **fast).fit(X, y)
    seen["DenoisingAE"] = dae.classes_.tolist()
    ne = NeutralEmotionDAE(n_hidden=3, neutral_label="neu", **fast).fit(X, y)
    seen["NeutralEmotionDAE"] = ne.classes_.tolist()
    seqs = as_sequences(
        [np.repeat(x[None], 3 + i % 4, axis=0) for i, x in enumerate(X)]
    )
    clf = SemiSupervisedAttentionClassifier(
        max_epochs=1,
        valid_size=0.0,
        module__n_codes=4,
        module__hidden_size=2,
        random_state=0,
    ).fit(seqs, y)
    seen["SemiSupervisedAttentionClassifier"] = clf.classes_.tolist()
    # the pseudo-class (index 3) goes to exactly the unlabeled utterances
    seen["pseudo-class"] = (clf.targets_.encode(y) == 3).tolist()
    groups = np.arange(N) % 3
    report = evaluate(NearestCentroid(), X, y, groups, unlabeled="drop")
    seen["evaluate"] = report.labels.tolist()
    seen["evaluate scored"] = int(labeled_mask(report.y_true).sum())
    return seen


@pytest.mark.parametrize("form", list(FORMS))
def test_every_estimator_reads_unlabeled_the_same_way(form, tabular, rng):
    y = FORMS[form](LABELS * 3)
    np.testing.assert_array_equal(unlabeled_mask(y), UNLABELED)
    seen = _fit_estimators(tabular, y, rng)
    assert seen == {
        "DenoisingAE": CLASSES,
        "NeutralEmotionDAE": CLASSES,
        "SemiSupervisedAttentionClassifier": CLASSES,
        "pseudo-class": UNLABELED.tolist(),
        "evaluate": CLASSES,
        "evaluate scored": int((~UNLABELED).sum()),
    }


def test_numeric_labels_and_metrics_follow_the_rule():
    y = np.array([0, -1, 2, -1.0, 1], dtype=object)
    assert unlabeled_mask(y).tolist() == [False, True, False, True, False]
    assert unlabeled_mask(np.array([1.0, -1.0])).tolist() == [False, True]
    # a bool is never "unlabeled", even though True == 1 and -1 is numeric
    assert unlabeled_mask(_object([True, False])).tolist() == [False, False]
    # WA skips "-1" in a string array like -1 in an int array
    assert weighted_accuracy(np.array(["a", "-1", "b"]), ["a", "b", "a"]) == 0.5
    labeled, classes, codes = encode_labels(y)
    assert classes.tolist() == [0, 1, 2] and codes.tolist() == [0, 2, 1]


# Missing labels at positions 4 and 7, in the forms they take in practice.
MISSING = {
    "object None": lambda v: _object(v[:4] + [None] + v[5:7] + [None] + v[8:]),
    "object NaN": lambda v: _object(v[:4] + [np.nan] + v[5:7] + [np.nan] + v[8:]),
    "pandas NA": lambda v: pd.Series(
        [str(x) for x in v[:4]]
        + [pd.NA]
        + [str(x) for x in v[5:7]]
        + [pd.NA]
        + [str(x) for x in v[8:]],
        dtype="string",
    ),
    "numpy str 'nan'": lambda v: np.array(v[:4] + [np.nan] + v[5:7] + [np.nan] + v[8:]),
    "float NaN": lambda v: np.array(
        [0.0, 1.0, 2.0, -1.0, np.nan, 1.0, 0.0, np.nan] + [1.0] * (len(v) - 8)
    ),
}


@pytest.mark.parametrize("form", list(MISSING))
@pytest.mark.parametrize(
    "fit",
    [
        lambda X, y: DenoisingAE(hidden_layer_sizes=2, pretrain_epochs=1).fit(X, y),
        lambda X, y: NeutralEmotionDAE(n_hidden=2, neutral_label="neu").fit(X, y),
        lambda X, y: SemiSupervisedAttentionClassifier(max_epochs=1).fit(
            as_sequences([x[None] for x in X]), y
        ),
        lambda X, y: evaluate(NearestCentroid(), X, y, np.arange(len(y)) % 3),
    ],
    ids=["DenoisingAE", "NeutralEmotionDAE", "attention", "evaluate"],
)
def test_missing_labels_are_a_clear_error(form, fit, tabular):
    y = MISSING[form](LABELS * 3)
    with pytest.raises(ValueError, match=r"2 missing labels.*at positions \[4, 7\]"):
        fit(tabular, y)
