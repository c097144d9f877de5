"""Accuracy against the fraction of labelled training utterances."""

import numpy as np
import pandas as pd

from .._labels import check_labels
from ._evaluate import evaluate
from ._metrics import labeled_mask

__all__ = [
    "curve_table",
    "label_fraction_curve",
    "nested_label_masks",
    "plot_label_fraction_curve",
]


def nested_label_masks(y, fractions, *, random_state=0):
    """Which labels to keep at each fraction: nested, and the same share per class.

    Every class's labelled samples are put in one random order; at fraction ``f``
    the first ``floor(f * n_c)`` of class ``c`` (at least one) keep their label. So
    each class keeps the same share, and the set kept at a smaller fraction lies
    inside the set kept at a larger one: a curve over fractions then differs only
    by the labels added, not by a new draw.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels; ``-1`` (unlabeled) samples are never kept.
    fractions : sequence of float in (0, 1]
    random_state : int, numpy Generator or None, default=0
        Seeds ``numpy.random.default_rng``.

    Returns
    -------
    masks : dict of float -> ndarray of bool of shape (n_samples,)
        True where the label is kept.

    Examples
    --------
    >>> y = ["ang"] * 10 + ["sad"] * 20
    >>> masks = nested_label_masks(y, [0.1, 0.5])
    >>> [int(masks[f].sum()) for f in (0.1, 0.5)]
    [3, 15]
    >>> bool((masks[0.1] <= masks[0.5]).all())  # nested
    True
    """
    fractions = [float(f) for f in fractions]
    bad = [f for f in fractions if not 0 < f <= 1]
    if not fractions or bad:
        raise ValueError(
            f"fractions must be a non-empty list of values in (0, 1]; got {bad or []}."
        )
    y = check_labels(y)
    labelled = labeled_mask(y)
    rng = np.random.default_rng(random_state)
    rank = np.full(len(y), np.inf)
    for c in np.unique(y[labelled]):
        cell = np.flatnonzero(labelled & (y == c))
        rank[cell] = (rng.permutation(len(cell)) + 1) / len(cell)
    masks = {}
    for f in fractions:
        keep = rank <= f + 1e-9
        for c in np.unique(y[labelled]):  # at least one label of every class
            cell = labelled & (y == c)
            if not keep[cell].any():
                keep[np.flatnonzero(cell)[np.argmin(rank[cell])]] = True
        masks[f] = keep
    return masks


def label_fraction_curve(
    estimator,
    X,
    y,
    groups=None,
    *,
    fractions=(0.1, 0.25, 0.5, 1.0),
    random_state=0,
    **kwargs,
):
    """:func:`evaluate` with a growing fraction of the training labels.

    For each fraction, the labels outside :func:`nested_label_masks` are hidden
    from training (``hide_labels``): those utterances train as unlabeled (``-1``,
    which a semi-supervised estimator learns from and ``unlabeled="drop"`` leaves
    out), while every test utterance is scored with its true label. The folds are
    the same at every fraction, and the masks are drawn over the whole corpus, so a
    test fold's labels are never used for training at any fraction.

    Parameters
    ----------
    estimator : estimator object
        A classifier (or pipeline), cloned for every fold of every fraction.
    X, y, groups
        As in :func:`evaluate`.
    fractions : sequence of float in (0, 1], default=(0.1, 0.25, 0.5, 1.0)
        Shares of each class's labels kept.
    random_state : int, numpy Generator or None, default=0
        Draws the masks (not the estimator's own randomness).
    **kwargs
        Passed to :func:`evaluate` (``cv``, ``unlabeled``, ``n_jobs``, ``name``,
        ``X_extra`` ...); ``cv`` must give the same folds every time (the default,
        leave-one-speaker-out, does).

    Returns
    -------
    reports : list of EvaluationReport
        One per fraction, in the order given, named ``"<name> @ <f>"``, with
        ``meta["labelled_fraction"]`` (asked), ``meta["labelled_share"]`` (the
        share of labelled samples actually kept) and ``meta["system"]``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile(["ang", "neu", "sad"], 40)
    >>> X = rng.normal(size=(120, 4)) + 2.0 * (y == "ang")[:, None]
    >>> groups = np.repeat(["a", "b", "c", "d"], 30)
    >>> reports = label_fraction_curve(
    ...     LogisticRegression(), X, y, groups, fractions=[0.1, 1.0],
    ...     unlabeled="drop", name="logreg")
    >>> [r.name for r in reports], [r.meta["labelled_share"] for r in reports]
    (['logreg @ 0.1', 'logreg @ 1'], [0.1, 1.0])
    >>> curve_table(reports).index.tolist()
    ['logreg']
    """
    if "hide_labels" in kwargs:
        raise TypeError("label_fraction_curve sets hide_labels itself.")
    name = kwargs.pop("name", None) or type(estimator).__name__
    y_checked = check_labels(y)
    masks = nested_label_masks(y_checked, fractions, random_state=random_state)
    labelled = labeled_mask(y_checked)
    reports = []
    for fraction, keep in masks.items():
        report = evaluate(
            estimator,
            X,
            y,
            groups,
            hide_labels=labelled & ~keep,
            name=f"{name} @ {fraction:g}",
            **kwargs,
        )
        report.meta.update(
            labelled_fraction=fraction,
            labelled_share=round(float(keep.sum() / labelled.sum()), 4),
            system=name,
        )
        reports.append(report)
    return reports


def curve_table(reports, *, metric="UA_pooled"):
    """One row per system, one column per labelled fraction.

    Parameters
    ----------
    reports : iterable of EvaluationReport
        From :func:`label_fraction_curve` (one or several systems).
    metric : str, default="UA_pooled"
        A key of ``report.summary()``.

    Returns
    -------
    table : pandas.DataFrame
        Index: the systems in order of appearance; columns: the fractions, sorted.
    """
    rows = {}
    for report in reports:
        system = report.meta.get("system", report.name)
        fraction = report.meta["labelled_fraction"]
        rows.setdefault(system, {})[fraction] = report.summary()[metric]
    table = pd.DataFrame.from_dict(rows, orient="index")
    table = table[sorted(table.columns)]
    table.columns.name = "labelled fraction"
    return table


def plot_label_fraction_curve(reports, *, ax=None, path=None, chance=None, dpi=120):
    """UA (pooled, with its 95 % interval over speakers) against the labelled share.

    Parameters
    ----------
    reports : iterable of EvaluationReport
        From :func:`label_fraction_curve`, one or several systems.
    ax : matplotlib Axes, default=None
        Drawn on a new figure when None.
    path : str or path, default=None
        Where to save the figure (PNG by its suffix).
    chance : float, default=None
        A chance level to draw as a dotted line.
    dpi : int, default=120

    Returns
    -------
    ax : matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    systems = {}
    for report in reports:
        systems.setdefault(report.meta.get("system", report.name), []).append(report)
    for (system, points), marker in zip(systems.items(), "os^vDP*X"):
        points = sorted(points, key=lambda r: r.meta["labelled_fraction"])
        x = _percent(points)
        ua = [r.summary()["UA_pooled"] for r in points]
        line = ax.plot(x, ua, marker=marker, label=system)[0]
        intervals = [r.confidence_intervals() for r in points]
        if all(ci is not None for ci in intervals):  # None: no speaker groups
            low, high = zip(*(ci["UA"] for ci in intervals))
            ax.fill_between(x, low, high, color=line.get_color(), alpha=0.12)
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", label=f"chance ({chance:.3f})")
    ax.set_xscale("log")
    ticks = sorted(
        {100 * r.meta["labelled_fraction"] for p in systems.values() for r in p}
    )
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlabel("labelled training utterances (% of each class)")
    ax.set_ylabel("UA (pooled over speaker folds)")
    ax.legend(fontsize=8)
    if path is not None:
        ax.figure.tight_layout()
        ax.figure.savefig(path, dpi=dpi)
    return ax


def _percent(reports):
    return [100 * r.meta["labelled_fraction"] for r in reports]
