"""WA and UA: the two figures every speech-emotion paper reports.

- **WA** (weighted accuracy) is plain accuracy: the fraction of utterances whose
  emotion is recognised. Classes weigh by their number of utterances.
- **UA** (unweighted accuracy) is the mean of the per-class recalls, scikit-learn's
  ``balanced_accuracy_score``: every emotion weighs the same.

With fully labeled test folds, scikit-learn's own scorer names serve as ``scoring=``
in ``cross_val_score``, ``cross_validate`` and ``GridSearchCV``: ``"accuracy"`` is WA
and ``"balanced_accuracy"`` is UA. When a test fold may hold unlabeled samples
(``y == -1``, the semi-supervised convention), use :data:`WA_SCORER` and
:data:`UA_SCORER` (or :func:`get_ser_scorers`), which score labeled samples only.
"""

import numpy as np
from sklearn.metrics import make_scorer

from .._labels import unlabeled_mask

__all__ = [
    "UA_SCORER",
    "WA_SCORER",
    "chance_levels",
    "get_ser_scorers",
    "labeled_mask",
    "unweighted_accuracy",
    "weighted_accuracy",
]


def labeled_mask(y):
    """Boolean mask of the labeled samples: every ``y`` that is not ``-1``.

    The rule (shared by every estimator of sklearn-ser) is that of
    :func:`sklearn_ser._labels.unlabeled_mask`: ``-1`` or its string form ``"-1"``
    marks an unlabeled sample; a missing label (None, NaN) is an error.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels; ``-1`` marks an unlabeled sample.

    Returns
    -------
    mask : ndarray of bool of shape (n_samples,)

    Examples
    --------
    >>> labeled_mask([0, -1, 2, 1]).tolist()
    [True, False, True, True]
    >>> labeled_mask(["ang", "neu", "-1"]).tolist()
    [True, True, False]
    """
    return ~unlabeled_mask(y)


def _recalls(y_true, y_pred):
    """Per-class recall over the classes present in ``y_true`` (no warnings)."""
    classes, inverse = np.unique(y_true, return_inverse=True)
    hits = np.asarray(y_pred) == np.asarray(y_true)
    counts = np.bincount(inverse, minlength=classes.size)
    correct = np.bincount(inverse, weights=hits, minlength=classes.size)
    return classes, correct / counts


def weighted_accuracy(y_true, y_pred):
    """WA: accuracy over the labeled samples (``y_true != -1``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; ``-1`` entries are ignored.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    Returns
    -------
    score : float
        NaN when no sample is labeled.

    Examples
    --------
    >>> weighted_accuracy([0, 0, 1, -1], [0, 1, 1, 0])
    0.666...
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    mask = labeled_mask(y_true)
    if not mask.any():
        return float("nan")
    return float(np.mean(y_true[mask] == y_pred[mask]))


def unweighted_accuracy(y_true, y_pred):
    """UA: mean recall of the classes present among the labeled samples.

    Equal to ``sklearn.metrics.balanced_accuracy_score`` on labeled samples, without
    its warning when a prediction names a class absent from ``y_true`` (which happens
    in every leave-one-speaker-out fold that lacks an emotion).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; ``-1`` entries are ignored.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.

    Returns
    -------
    score : float
        NaN when no sample is labeled.

    Examples
    --------
    >>> unweighted_accuracy([0, 0, 0, 1], [0, 0, 0, 0])
    0.5
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    mask = labeled_mask(y_true)
    if not mask.any():
        return float("nan")
    _, recalls = _recalls(y_true[mask], y_pred[mask])
    return float(recalls.mean())


def chance_levels(y):
    """WA and UA that a guess ignoring the audio reaches: the floor a score must beat.

    UA's chance level is ``1 / n_classes``: any guess that does not look at the
    audio (always one class, or classes drawn at random in any proportions) has an
    expected mean recall of ``1 / n_classes``. WA's is the share of the most
    frequent class, reached by always answering it. Unlabeled samples (``-1``) are
    left out. ``sklearn-ser benchmark`` and ``sklearn-ser inspect`` print these.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels; ``-1`` marks an unlabeled sample.

    Returns
    -------
    levels : dict
        ``"UA"`` and ``"WA"`` (floats), ``"n_classes"`` and ``"majority"`` (the most
        frequent class, the first in sorted order on a tie).

    Examples
    --------
    >>> levels = chance_levels(["anger", "anger", "anger", "neutral"])
    >>> levels["UA"], levels["WA"], levels["majority"]
    (0.5, 0.75, 'anger')
    """
    y = np.asarray(y)
    y = y[labeled_mask(y)]
    if y.size == 0:
        raise ValueError("chance_levels: y holds no labeled sample.")
    labels, counts = np.unique(y, return_counts=True)
    return {
        "UA": 1.0 / labels.size,
        "WA": float(counts.max() / counts.sum()),
        "n_classes": int(labels.size),
        "majority": labels[np.argmax(counts)].item(),
    }


#: Scorer for WA that ignores unlabeled (``-1``) test samples.
WA_SCORER = make_scorer(weighted_accuracy)
#: Scorer for UA that ignores unlabeled (``-1``) test samples.
UA_SCORER = make_scorer(unweighted_accuracy)


def get_ser_scorers():
    """``{"WA": WA_SCORER, "UA": UA_SCORER}``, ready for ``scoring=``.

    Returns
    -------
    scorers : dict of str to scorer

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import cross_validate
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]
    >>> y = np.r_[np.zeros(10, int), np.ones(10, int)]
    >>> res = cross_validate(LogisticRegression(), X, y, scoring=get_ser_scorers())
    >>> float(res["test_WA"].mean()), float(res["test_UA"].mean())
    (1.0, 1.0)
    """
    return {"WA": WA_SCORER, "UA": UA_SCORER}
