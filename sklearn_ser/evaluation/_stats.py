"""Differences you can trust: bootstrap intervals over speakers, paired comparisons.

Utterances of one speaker are not independent (same voice, same recording session),
so resampling utterances understates the uncertainty of a speaker-independent
figure. The independent unit is the speaker: every interval here resamples whole
speakers with replacement and recomputes the pooled WA and UA from the drawn
speakers' predictions (a speaker drawn twice counts twice).

Two systems scored on the same utterances are compared *paired*: each bootstrap draw
takes the same speakers for both, so the interval is that of the UA difference, much
narrower than the two separate intervals suggest. McNemar's exact test on the
utterances one system gets right and the other wrong completes it (it treats
utterances as independent, so it is the more optimistic of the two).
"""

import numpy as np
from scipy.stats import binomtest
from sklearn.utils import check_random_state

from ._metrics import (
    labeled_mask,
    regression_moments,
    regression_scores_from_moments,
)

__all__ = [
    "paired_comparison",
    "paired_regression_comparison",
    "speaker_bootstrap",
    "speaker_bootstrap_regression",
]

DEFAULT_N_BOOT = 1000
DEFAULT_LEVEL = 0.95


def _per_speaker_counts(y_true, y_pred, groups, labels):
    """``correct[g, k]`` and ``total[g, k]``: speaker ``g``'s utterances of class k."""
    speakers, g = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    pos = {c: i for i, c in enumerate(np.asarray(labels).tolist())}
    k = np.array([pos.get(v, -1) for v in np.asarray(y_true).tolist()])
    keep = k >= 0
    hits = (np.asarray(y_true) == np.asarray(y_pred))[keep]
    shape = (speakers.size, len(pos))
    total = np.zeros(shape)
    correct = np.zeros(shape)
    np.add.at(total, (g[keep], k[keep]), 1.0)
    np.add.at(correct, (g[keep], k[keep]), hits)
    return speakers, correct, total


def _wa_ua(correct, total):
    """Pooled WA and UA of count arrays whose last axis is the class.

    ``correct`` and ``total`` have shape ``(..., n_classes)``; UA averages the
    recalls of the classes present (``total > 0``), like :func:`unweighted_accuracy`.
    """
    n = total.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        wa = correct.sum(axis=-1) / n
        recall = correct / total
    present = total > 0
    ua = np.where(present, recall, 0.0).sum(axis=-1) / present.sum(axis=-1)
    return wa, ua


def _draw_weights(n_speakers, n_boot, random_state):
    """How many times each speaker is drawn, per bootstrap replicate."""
    rng = check_random_state(random_state)
    draws = rng.randint(0, n_speakers, size=(n_boot, n_speakers))
    weights = np.zeros((n_boot, n_speakers))
    np.add.at(weights, (np.arange(n_boot)[:, None], draws), 1.0)
    return weights


def _interval(values, level):
    values = values[np.isfinite(values)]
    alpha = (1.0 - level) / 2.0
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1.0 - alpha))


def _p_bootstrap(diff):
    """Two-sided bootstrap p-value of a difference: twice the share of replicates
    on the far side of zero, at least ``1 / n_replicates`` (non-finite ones dropped).
    """
    diff = diff[np.isfinite(diff)]
    tail = min(np.mean(diff <= 0.0), np.mean(diff >= 0.0))
    return float(min(1.0, max(2.0 * tail, 1.0 / diff.size)))


def _check_level(level, n_boot):
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}.")
    if int(n_boot) < 1:
        raise ValueError(f"n_boot must be a positive number; got {n_boot!r}.")


def speaker_bootstrap(
    y_true,
    y_pred,
    groups,
    *,
    labels=None,
    n_boot=DEFAULT_N_BOOT,
    level=DEFAULT_LEVEL,
    random_state=0,
):
    """Confidence intervals of pooled WA and UA from a bootstrap over speakers.

    Each replicate draws as many speakers as there are, with replacement, and
    scores the drawn speakers' utterances together (percentile intervals).
    Unlabeled samples (``y_true == -1``) are ignored.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    groups : array-like of shape (n_samples,)
        Speaker of each sample: the unit resampled.
    labels : array-like, default=None
        The classes scored; those of the labeled ``y_true`` when None.
    n_boot : int, default=1000
        Bootstrap replicates.
    level : float, default=0.95
        Coverage of the intervals.
    random_state : int, RandomState or None, default=0
        Seeds the draws (fixed by default, so a report is reproducible).

    Returns
    -------
    intervals : dict
        ``{"WA": (low, high), "UA": (low, high), "n_speakers": int, "level": float,
        "n_boot": int}``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.tile(["ang", "neu"], 20)
    >>> pred = y.copy()
    >>> pred[:6] = "neu"  # speaker s0 gets 3 of its 4 angry utterances wrong
    >>> groups = np.repeat([f"s{i}" for i in range(5)], 8)
    >>> ci = speaker_bootstrap(y, pred, groups, n_boot=200)
    >>> lo, hi = ci["UA"]
    >>> bool(lo < 0.925 < hi), hi
    (True, 1.0)
    """
    _check_level(level, n_boot)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if groups is None:
        raise ValueError("groups (the speaker of each sample) are needed.")
    groups = np.asarray(groups)
    mask = labeled_mask(y_true)
    y_true, y_pred, groups = y_true[mask], y_pred[mask], groups[mask]
    if labels is None:
        labels = np.unique(y_true)
    speakers, correct, total = _per_speaker_counts(y_true, y_pred, groups, labels)
    weights = _draw_weights(speakers.size, int(n_boot), random_state)
    wa, ua = _wa_ua(
        np.einsum("bs,sk->bk", weights, correct),
        np.einsum("bs,sk->bk", weights, total),
    )
    return {
        "WA": _interval(wa, level),
        "UA": _interval(ua, level),
        "n_speakers": int(speakers.size),
        "level": float(level),
        "n_boot": int(n_boot),
    }


def _aligned(report_a, report_b):
    """Both reports' labeled predictions in the same utterance order."""
    for r in (report_a, report_b):
        if r.groups is None:
            raise ValueError(
                f"report {r.name!r} has no speaker groups: a paired comparison "
                "resamples speakers."
            )
    order_a = np.argsort(report_a.index, kind="stable")
    order_b = np.argsort(report_b.index, kind="stable")
    if not np.array_equal(report_a.index[order_a], report_b.index[order_b]):
        raise ValueError(
            f"reports {report_a.name!r} and {report_b.name!r} were not evaluated on "
            "the same utterances (their sample indices differ); a paired comparison "
            "needs the same X."
        )
    ids_a, ids_b = report_a.sample_ids, report_b.sample_ids
    if ids_a is not None and ids_b is not None:
        if not np.array_equal(ids_a[order_a], ids_b[order_b]):
            raise ValueError(
                f"reports {report_a.name!r} and {report_b.name!r} hold different "
                "files at the same sample index; a paired comparison needs the "
                "same X."
            )
    y_true = report_a.y_true[order_a]
    if not np.array_equal(y_true, report_b.y_true[order_b]):
        raise ValueError(
            f"reports {report_a.name!r} and {report_b.name!r} disagree on the true "
            "labels of the same utterances."
        )
    if not np.array_equal(report_a.groups[order_a], report_b.groups[order_b]):
        raise ValueError(
            f"reports {report_a.name!r} and {report_b.name!r} disagree on the "
            "speakers of the same utterances."
        )
    # what each report scores: labeled samples, or all of them for ratings
    mask = report_a._scored[order_a]
    return (
        y_true[mask],
        report_a.y_pred[order_a][mask],
        report_b.y_pred[order_b][mask],
        report_a.groups[order_a][mask],
    )


def paired_comparison(
    report_a,
    report_b,
    *,
    n_boot=DEFAULT_N_BOOT,
    level=DEFAULT_LEVEL,
    random_state=0,
):
    """Compare two systems evaluated on the same utterances.

    - **Paired bootstrap over speakers** of the pooled UA difference (B - A): each
      replicate draws speakers with replacement and scores both systems on the same
      draw. ``p_bootstrap`` is the two-sided share of replicates on the far side of
      zero (at least ``1 / n_boot``).
    - **McNemar's exact test** on the predictions: among the utterances exactly one
      system gets right, is each system equally likely to be that one? It treats
      utterances as independent, so it is optimistic when a speaker's utterances
      err together; the bootstrap over speakers does not assume that.

    Parameters
    ----------
    report_a, report_b : EvaluationReport
        Two evaluations on the same ``X``, ``y`` and ``groups`` (any splits).
    n_boot : int, default=1000
        Bootstrap replicates.
    level : float, default=0.95
        Coverage of the interval.
    random_state : int, RandomState or None, default=0
        Seeds the draws.

    Returns
    -------
    comparison : dict
        ``a``, ``b`` (names), ``n`` (scored utterances), ``n_speakers``,
        ``UA_a``, ``UA_b``, ``UA_diff`` (B - A), ``UA_diff_ci`` (low, high),
        ``p_bootstrap``, ``WA_diff``, ``mcnemar_b`` (A right, B wrong),
        ``mcnemar_c`` (A wrong, B right), ``p_mcnemar``, ``level``, ``n_boot``.

    Raises
    ------
    ValueError
        When the reports are not on the same utterances, labels or speakers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.evaluation import evaluate
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile([0, 1, 2], 40)
    >>> X = rng.normal(size=(120, 4)) + 1.5 * y[:, None]
    >>> groups = np.repeat([f"s{i}" for i in range(6)], 20)
    >>> a = evaluate(DummyClassifier(), X, y, groups, name="chance")
    >>> b = evaluate(SVC(), X, y, groups, name="svm")
    >>> cmp = paired_comparison(a, b)
    >>> cmp["UA_diff"] > 0.4, cmp["UA_diff_ci"][0] > 0, cmp["p_mcnemar"] < 0.001
    (True, True, True)
    """
    _check_level(level, n_boot)
    y_true, pred_a, pred_b, groups = _aligned(report_a, report_b)
    labels = np.unique(y_true)
    speakers, correct_a, total = _per_speaker_counts(y_true, pred_a, groups, labels)
    _, correct_b, _ = _per_speaker_counts(y_true, pred_b, groups, labels)
    wa_a, ua_a = _wa_ua(correct_a.sum(axis=0), total.sum(axis=0))
    wa_b, ua_b = _wa_ua(correct_b.sum(axis=0), total.sum(axis=0))
    weights = _draw_weights(speakers.size, int(n_boot), random_state)
    boot_total = np.einsum("bs,sk->bk", weights, total)
    _, boot_a = _wa_ua(np.einsum("bs,sk->bk", weights, correct_a), boot_total)
    _, boot_b = _wa_ua(np.einsum("bs,sk->bk", weights, correct_b), boot_total)
    diff = boot_b - boot_a
    p_boot = _p_bootstrap(diff)

    right_a, right_b = pred_a == y_true, pred_b == y_true
    b = int(np.sum(right_a & ~right_b))
    c = int(np.sum(~right_a & right_b))
    p_mcnemar = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return {
        "a": report_a.name,
        "b": report_b.name,
        "n": int(y_true.size),
        "n_speakers": int(speakers.size),
        "UA_a": float(ua_a),
        "UA_b": float(ua_b),
        "UA_diff": float(ua_b - ua_a),
        "UA_diff_ci": _interval(diff, level),
        "p_bootstrap": p_boot,
        "WA_diff": float(wa_b - wa_a),
        "mcnemar_b": b,
        "mcnemar_c": c,
        "p_mcnemar": p_mcnemar,
        "level": float(level),
        "n_boot": int(n_boot),
    }


# ------------------------------------------------------------ continuous targets
def _per_speaker_moments(y_true, y_pred, groups):
    """``moments[g]``: :func:`regression_moments` of speaker ``g``'s utterances.

    Centred on the mean of ``y_true`` (the scores do not change; the sums of
    squares stay small).
    """
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    speakers, g = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    center = float(t.mean()) if t.size else 0.0
    moments = np.stack(
        [
            regression_moments(t[g == k], p[g == k], center=center)
            for k in range(speakers.size)
        ]
    ).reshape(speakers.size, -1)
    return speakers, moments


def speaker_bootstrap_regression(
    y_true,
    y_pred,
    groups,
    *,
    n_boot=DEFAULT_N_BOOT,
    level=DEFAULT_LEVEL,
    random_state=0,
):
    """Intervals of pooled CCC, Pearson r and MAE from a bootstrap over speakers.

    The continuous-target twin of :func:`speaker_bootstrap`: each replicate draws
    as many speakers as there are, with replacement, and scores the drawn
    speakers' utterances together. The scores come from the speakers' summed
    :func:`~sklearn_ser.evaluation.regression_moments`, so a replicate is exactly
    the pooled score of the drawn utterances.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted values.
    groups : array-like of shape (n_samples,)
        Speaker of each sample: the unit resampled.
    n_boot : int, default=1000
        Bootstrap replicates.
    level : float, default=0.95
        Coverage of the intervals.
    random_state : int, RandomState or None, default=0
        Seeds the draws.

    Returns
    -------
    intervals : dict
        ``{"CCC": (low, high), "r": (low, high), "MAE": (low, high),
        "n_speakers": int, "level": float, "n_boot": int}``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=60)
    >>> pred = y + 0.5 * rng.normal(size=60)
    >>> groups = np.repeat([f"s{i}" for i in range(6)], 10)
    >>> ci = speaker_bootstrap_regression(y, pred, groups, n_boot=200)
    >>> lo, hi = ci["CCC"]
    >>> bool(0.5 < lo < hi < 1.0), ci["n_speakers"]
    (True, 6)
    """
    _check_level(level, n_boot)
    if groups is None:
        raise ValueError("groups (the speaker of each sample) are needed.")
    speakers, moments = _per_speaker_moments(y_true, y_pred, groups)
    weights = _draw_weights(speakers.size, int(n_boot), random_state)
    ccc, r, mae = regression_scores_from_moments(weights @ moments)
    return {
        "CCC": _interval(ccc, level),
        "r": _interval(r, level),
        "MAE": _interval(mae, level),
        "n_speakers": int(speakers.size),
        "level": float(level),
        "n_boot": int(n_boot),
    }


def paired_regression_comparison(
    report_a,
    report_b,
    *,
    n_boot=DEFAULT_N_BOOT,
    level=DEFAULT_LEVEL,
    random_state=0,
):
    """Compare two regressors evaluated on the same utterances: CCC difference.

    The continuous-target twin of :func:`paired_comparison`: a paired bootstrap
    over speakers of the pooled CCC difference (B - A), each replicate scoring
    both systems on the same drawn speakers; ``p_bootstrap`` is the two-sided share
    of replicates on the far side of zero (at least ``1 / n_boot``). There is no
    McNemar test: predictions are not right or wrong.

    Parameters
    ----------
    report_a, report_b : RegressionReport
        Two evaluations on the same ``X``, ``y`` and ``groups``.
    n_boot : int, default=1000
        Bootstrap replicates.
    level : float, default=0.95
        Coverage of the interval.
    random_state : int, RandomState or None, default=0
        Seeds the draws.

    Returns
    -------
    comparison : dict
        ``a``, ``b`` (names), ``n``, ``n_speakers``, ``CCC_a``, ``CCC_b``,
        ``CCC_diff`` (B - A), ``CCC_diff_ci`` (low, high), ``p_bootstrap``,
        ``MAE_diff`` (B - A), ``level``, ``n_boot``.
    """
    _check_level(level, n_boot)
    y_true, pred_a, pred_b, groups = _aligned(report_a, report_b)
    speakers, mom_a = _per_speaker_moments(y_true, pred_a, groups)
    _, mom_b = _per_speaker_moments(y_true, pred_b, groups)
    ccc_a, _, mae_a = regression_scores_from_moments(mom_a.sum(axis=0))
    ccc_b, _, mae_b = regression_scores_from_moments(mom_b.sum(axis=0))
    weights = _draw_weights(speakers.size, int(n_boot), random_state)
    boot_a = regression_scores_from_moments(weights @ mom_a)[0]
    boot_b = regression_scores_from_moments(weights @ mom_b)[0]
    diff = boot_b - boot_a
    return {
        "a": report_a.name,
        "b": report_b.name,
        "n": int(y_true.size),
        "n_speakers": int(speakers.size),
        "CCC_a": float(ccc_a),
        "CCC_b": float(ccc_b),
        "CCC_diff": float(ccc_b - ccc_a),
        "CCC_diff_ci": _interval(diff, level),
        "p_bootstrap": _p_bootstrap(diff),
        "MAE_diff": float(mae_b - mae_a),
        "level": float(level),
        "n_boot": int(n_boot),
    }
