"""Seed variation: the same evaluation repeated over several random states."""

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._evaluate import evaluate
from ._report import _system_name

__all__ = ["evaluate_seeds", "seed_table", "set_random_state"]


def set_random_state(estimator, random_state):
    """A clone of ``estimator`` with every ``*random_state`` parameter set.

    Pipelines and meta-estimators included: each nested parameter whose name ends
    in ``random_state`` gets the same value.

    Parameters
    ----------
    estimator : estimator object
    random_state : int

    Returns
    -------
    estimator : estimator object
        A clone; ``estimator`` itself is unchanged.

    Raises
    ------
    ValueError
        When the estimator has no random state at all (repeating it over seeds
        would only repeat one result).

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> pipe = set_random_state(make_pipeline(StandardScaler(), SVC()), 3)
    >>> pipe.get_params()["svc__random_state"]
    3
    """
    estimator = clone(estimator)
    keys = [k for k in estimator.get_params() if k.split("__")[-1] == "random_state"]
    if not keys:
        raise ValueError(
            f"{type(estimator).__name__} has no random_state parameter: every seed "
            "would give the same result."
        )
    return estimator.set_params(**{k: random_state for k in keys})


def evaluate_seeds(estimator, X, y, groups=None, *, random_states=(0, 1, 2), **kwargs):
    """Repeat :func:`evaluate` with each random state, on the same folds.

    The spread of the figures over seeds (initialisation, mini-batch order,
    dropout, noise) is the noise floor of a comparison: a difference between two
    systems smaller than it says nothing. :func:`seed_table` summarises it.

    Parameters
    ----------
    estimator : estimator object
        Every nested ``*random_state`` parameter is set to each value in turn
        (:func:`set_random_state`).
    X, y, groups
        As in :func:`evaluate`.
    random_states : sequence of int, default=(0, 1, 2)
    **kwargs
        Passed to :func:`evaluate` (``cv``, ``n_jobs``, ``name``, ...); ``cv`` must
        give the same folds every time (the default, leave-one-speaker-out, does).

    Returns
    -------
    reports : list of EvaluationReport
        One per random state, named ``"<name> (seed <s>)"``, with
        ``meta["random_state"]`` and ``meta["system"]`` (the name without seed).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import SGDClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile([0, 1, 2], 30)
    >>> X = rng.normal(size=(90, 4)) + y[:, None]
    >>> groups = np.repeat(["a", "b", "c"], 30)
    >>> sgd = SGDClassifier(max_iter=20, tol=None)
    >>> reports = evaluate_seeds(sgd, X, y, groups, random_states=[0, 1], name="sgd")
    >>> [r.name for r in reports]
    ['sgd (seed 0)', 'sgd (seed 1)']
    >>> seed_table(reports).columns.tolist()[:3]
    ['n_seeds', 'UA_mean', 'UA_std']
    """
    random_states = list(random_states)
    if len(random_states) < 2:
        raise ValueError(
            f"random_states must hold at least two seeds; got {random_states}."
        )
    name = kwargs.pop("name", None) or type(estimator).__name__
    reports = []
    for seed in random_states:
        report = evaluate(
            set_random_state(estimator, seed),
            X,
            y,
            groups,
            name=f"{name} (seed {seed})",
            **kwargs,
        )
        report.meta.update(random_state=seed, system=name)
        reports.append(report)
    return reports


def seed_table(reports, *, reference=None):
    """Spread over seeds of each system's pooled WA and UA.

    Parameters
    ----------
    reports : iterable of EvaluationReport
        From one or more calls of :func:`evaluate_seeds` (grouped by
        ``meta["system"]``; a report without it is a system of its own).
    reference : str, default=None
        A system name: each row then also gives its UA difference to the reference
        (difference of the means) and whether it is within noise, i.e. smaller than
        twice the larger of the two seed standard deviations.

    Returns
    -------
    table : pandas.DataFrame
        One row per system: ``n_seeds``, ``UA_mean``, ``UA_std``, ``UA_min``,
        ``UA_max``, ``WA_mean``, ``WA_std`` (std with ``ddof=1``) and, with a
        reference, ``UA_diff`` and ``within_noise``.
    """
    systems = {}
    for r in reports:
        systems.setdefault(r.meta.get("system", _system_name(r)), []).append(r)
    rows = {}
    for system, items in systems.items():
        ua = np.array([r.UA_pooled for r in items])
        wa = np.array([r.WA_pooled for r in items])
        ddof = 1 if len(items) > 1 else 0
        rows[system] = {
            "n_seeds": len(items),
            "UA_mean": ua.mean(),
            "UA_std": ua.std(ddof=ddof),
            "UA_min": ua.min(),
            "UA_max": ua.max(),
            "WA_mean": wa.mean(),
            "WA_std": wa.std(ddof=ddof),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "system"
    if reference is not None:
        if reference not in rows:
            raise ValueError(
                f"reference {reference!r} is none of the systems: {list(rows)}."
            )
        ref = rows[reference]
        frame["UA_diff"] = frame["UA_mean"] - ref["UA_mean"]
        noise = 2 * np.maximum(frame["UA_std"], ref["UA_std"])
        frame["within_noise"] = frame["UA_diff"].abs() <= noise
    return frame
