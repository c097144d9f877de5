"""Choosing among grid-search candidates: the one-standard-error rule."""

import numpy as np

__all__ = ["simplest_within_one_se"]


def simplest_within_one_se(cv_results):
    """``GridSearchCV(refit=...)``: the first candidate within one SE of the best.

    The "one standard error" rule: candidates are listed from the simplest (or
    preferred) to the most elaborate; the chosen one is the first whose mean
    inner-fold score is at least the best mean minus the standard error of the
    best's fold scores. With a handful of training speakers the inner scores are
    noisy, and the plain best is often a lucky elaborate candidate.

    Parameters
    ----------
    cv_results : dict
        ``GridSearchCV.cv_results_``.

    Returns
    -------
    index : int
        Position of the chosen candidate.

    Examples
    --------
    >>> import numpy as np
    >>> results = {
    ...     "mean_test_score": np.array([0.50, 0.52, 0.40]),
    ...     "std_test_score": np.array([0.05, 0.06, 0.02]),
    ...     "split0_test_score": np.zeros(3),
    ...     "split1_test_score": np.zeros(3),
    ...     "split2_test_score": np.zeros(3),
    ...     "split3_test_score": np.zeros(3),
    ... }
    >>> simplest_within_one_se(results)  # 0.50 >= 0.52 - 0.06 / 2
    0
    """
    means = np.asarray(cv_results["mean_test_score"], dtype=float)
    stds = np.asarray(cv_results["std_test_score"], dtype=float)
    n_splits = sum(
        1 for k in cv_results if k.startswith("split") and k.endswith("_test_score")
    )
    best = int(np.nanargmax(means))
    threshold = means[best] - stds[best] / np.sqrt(max(n_splits, 1))
    return int(np.flatnonzero(means >= threshold)[0])
