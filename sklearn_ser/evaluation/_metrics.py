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

Continuous targets (arousal, valence, dominance ratings) are scored with

- **CCC**, Lin's concordance correlation coefficient, the field's headline figure:
  ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))**2)`` with population
  (``1/n``) moments. It is Pearson's r shrunk by any difference of scale or offset
  between predictions and truth: 1 only when ``p == t``.
- **Pearson r**: linear correlation, blind to scale and offset.
- **MAE**: mean absolute error, in the target's own unit.

:func:`regression_moments` gathers the sums these three are made of, and
:func:`regression_scores_from_moments` is the one place their formulas live: the
speaker bootstrap of :mod:`~sklearn_ser.evaluation` adds per-speaker sums and
calls it too. For continuous targets every sample is labeled: ``-1`` is a rating.
"""

import numpy as np
from sklearn.metrics import make_scorer

from .._labels import unlabeled_mask
from .._task import target_task

__all__ = [
    "CCC_SCORER",
    "UA_SCORER",
    "WA_SCORER",
    "chance_levels",
    "concordance_correlation_coefficient",
    "get_regression_scorers",
    "get_ser_scorers",
    "labeled_mask",
    "pearson_correlation",
    "regression_moments",
    "regression_scores_from_moments",
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
    """What a guess ignoring the audio scores: the floor a score must beat.

    Class labels: UA's chance level is ``1 / n_classes``: any guess that does not
    look at the audio (always one class, or classes drawn at random in any
    proportions) has an expected mean recall of ``1 / n_classes``. WA's is the share
    of the most frequent class, reached by always answering it. Unlabeled samples
    (``-1``) are left out.

    A continuous target (float ratings, :func:`sklearn_ser._task.target_task`):
    CCC 0 (a constant has no covariance with the ratings), and the MAE of always
    answering the median rating, the best constant in hindsight.

    ``sklearn-ser benchmark`` and ``sklearn-ser inspect`` print these.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels (``-1`` marks an unlabeled sample) or float ratings.

    Returns
    -------
    levels : dict
        Class labels: ``"UA"`` and ``"WA"`` (floats), ``"n_classes"`` and
        ``"majority"`` (the most frequent class, the first in sorted order on a
        tie). Ratings: ``"CCC"`` (0.0), ``"MAE"`` and ``"median"``.

    Examples
    --------
    >>> levels = chance_levels(["anger", "anger", "anger", "neutral"])
    >>> levels["UA"], levels["WA"], levels["majority"]
    (0.5, 0.75, 'anger')
    >>> chance_levels([1.0, 2.0, 4.5])
    {'CCC': 0.0, 'MAE': 1.1666666666666667, 'median': 2.0}
    """
    y = np.asarray(y)
    if target_task(y) == "regression":
        if y.size == 0:
            raise ValueError("chance_levels: y holds no rating.")
        median = float(np.median(y))
        return {"CCC": 0.0, "MAE": float(np.abs(y - median).mean()), "median": median}
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


# ------------------------------------------------------------ continuous targets
#: The sums, per row, that :func:`regression_moments` returns, in this order.
MOMENTS = ("n", "t", "p", "tt", "pp", "tp", "abs_err")


def _continuous_pair(y_true, y_pred):
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if t.ndim != 1 or t.shape != p.shape:
        raise ValueError(
            f"y_true and y_pred must be 1-D of the same length; got shapes "
            f"{t.shape} and {p.shape}."
        )
    if not (np.isfinite(t).all() and np.isfinite(p).all()):
        raise ValueError("y_true and y_pred must be finite (no NaN or inf).")
    return t, p


def regression_moments(y_true, y_pred, *, center=0.0):
    """The sums CCC, Pearson r and MAE are computed from.

    Sums over samples of ``1``, ``t``, ``p``, ``t**2``, ``p**2``, ``t*p`` and
    ``|t - p|`` (see :data:`MOMENTS`), with ``t = y_true - center`` and
    ``p = y_pred - center``. Shifting both by the same ``center`` changes none of
    the three scores and keeps the sums of squares small (no cancellation).
    Sums of several sets (e.g. speakers) add up to the sums of their union.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted values (finite).
    center : float, default=0.0
        Subtracted from both before summing.

    Returns
    -------
    moments : ndarray of shape (7,)

    Examples
    --------
    >>> regression_moments([1.0, 2.0], [1.0, 4.0]).tolist()
    [2.0, 3.0, 5.0, 5.0, 17.0, 9.0, 2.0]
    """
    t, p = _continuous_pair(y_true, y_pred)
    t, p = t - center, p - center
    return np.array(
        [t.size, t.sum(), p.sum(), t @ t, p @ p, t @ p, np.abs(t - p).sum()]
    )


def regression_scores_from_moments(moments):
    """CCC, Pearson r and MAE from :func:`regression_moments` sums.

    Population (``1/n``) moments: ``var(t) = tt/n - (t/n)**2``,
    ``cov(t, p) = tp/n - (t/n)(p/n)``, and

    - ``CCC = 2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))**2)``
    - ``r = cov(t, p) / sqrt(var(t) var(p))``
    - ``MAE = abs_err / n``

    Parameters
    ----------
    moments : array-like of shape (..., 7)
        Sums in the order of :data:`MOMENTS`; leading axes are kept (one set of
        scores per row, e.g. per bootstrap replicate).

    Returns
    -------
    ccc, r, mae : ndarray of shape (...)
        NaN where undefined: no sample; r when either side is constant; CCC when
        both are constant and equal.
    """
    m = np.asarray(moments, dtype=float)
    n, st, sp, stt, spp, stp, sae = np.moveaxis(m, -1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mt, mp = st / n, sp / n
        var_t = np.maximum(stt / n - mt * mt, 0.0)
        var_p = np.maximum(spp / n - mp * mp, 0.0)
        cov = stp / n - mt * mp
        ccc = 2.0 * cov / (var_t + var_p + (mt - mp) ** 2)
        r = cov / np.sqrt(var_t * var_p)
        mae = sae / n
    # A constant side has no correlation: float round-off must not invent one.
    scale = np.maximum(np.abs(stt / n), np.abs(spp / n)) + 1.0
    const = (var_t <= 1e-12 * scale) | (var_p <= 1e-12 * scale)
    r = np.where(const, np.nan, r)
    return ccc, r, mae


def _scores(y_true, y_pred):
    t, p = _continuous_pair(y_true, y_pred)
    if t.size == 0:
        return float("nan"), float("nan"), float("nan")
    ccc, r, mae = regression_scores_from_moments(
        regression_moments(t, p, center=t.mean())
    )
    return float(ccc), float(r), float(mae)


def concordance_correlation_coefficient(y_true, y_pred):
    """Lin's concordance correlation coefficient (CCC) of predictions and truth.

    ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))**2)``, population
    moments (see :func:`regression_scores_from_moments`). 1 for perfect
    agreement, 0 for none (a constant prediction), -1 for perfect disagreement;
    unlike Pearson's r it falls when predictions are shifted or rescaled.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted values.

    Returns
    -------
    ccc : float
        NaN when there is no sample, or both sides are the same constant.

    Examples
    --------
    >>> concordance_correlation_coefficient([1, 2, 3], [1, 2, 3])
    1.0
    >>> concordance_correlation_coefficient([1, 2, 3], [2, 3, 4])  # r = 1
    0.571...
    """
    return _scores(y_true, y_pred)[0]


def pearson_correlation(y_true, y_pred):
    """Pearson's correlation coefficient r of predictions and truth.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted values.

    Returns
    -------
    r : float
        NaN when either side is constant (no correlation is defined).

    Examples
    --------
    >>> round(pearson_correlation([1, 2, 3], [2, 3, 4]), 12)
    1.0
    """
    return _scores(y_true, y_pred)[1]


#: Scorer for CCC (greater is better), for ``scoring=`` with regressors.
CCC_SCORER = make_scorer(concordance_correlation_coefficient)


def get_regression_scorers():
    """``{"CCC", "r", "MAE"}`` scorers for regressors, ready for ``scoring=``.

    MAE is scikit-learn's ``"neg_mean_absolute_error"`` (negated: greater is
    better, as every scorer).

    Returns
    -------
    scorers : dict of str to scorer

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import cross_validate
    >>> X = np.arange(40.0).reshape(-1, 1)
    >>> scoring = get_regression_scorers()
    >>> res = cross_validate(Ridge(), X, 2 * X.ravel(), scoring=scoring)
    >>> round(float(res["test_CCC"].mean()), 3), round(float(res["test_r"].mean()), 3)
    (1.0, 1.0)
    """
    from sklearn.metrics import get_scorer

    return {
        "CCC": CCC_SCORER,
        "r": make_scorer(pearson_correlation),
        "MAE": get_scorer("neg_mean_absolute_error"),
    }
