"""Cross-corpus evaluation: train on some corpora, test on another."""

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline, make_pipeline

from .._compat import _safe_indexing
from ._corpus_scaler import CORPUS_SEPARATOR, CorpusStandardScaler
from ._evaluate import evaluate
from ._metrics import labeled_mask

__all__ = [
    "extra_training_data",
    "evaluate_cross_corpus",
    "leave_one_corpus_out",
    "with_corpus_standardization",
]


def with_corpus_standardization(estimator):
    """A clone of ``estimator`` with a :class:`CorpusStandardScaler` after step one.

    In a :class:`~sklearn.pipeline.Pipeline` whose first step is the feature
    extractor, the scaler goes right after it (so later steps, a
    ``StandardScaler`` included, see per-corpus standardised features); any other
    estimator gets the scaler in front.

    Parameters
    ----------
    estimator : estimator object

    Returns
    -------
    estimator : Pipeline

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> pipe = with_corpus_standardization(make_pipeline(StandardScaler(), SVC()))
    >>> [name for name, _ in pipe.steps]
    ['standardscaler', 'corpusstandardscaler', 'svc']
    """
    if not isinstance(estimator, Pipeline) and hasattr(estimator, "estimator"):
        # A search or other meta-estimator around a pipeline: the scaler in front
        # would receive its audio paths.
        raise ValueError(
            f"per-corpus standardisation goes after the feature extractor of a "
            f"Pipeline; got a {type(estimator).__name__} around one: standardise "
            "the pipeline inside it instead (its `estimator` parameter)."
        )
    estimator = clone(estimator)
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        steps = list(estimator.steps)
        steps.insert(1, ("corpusstandardscaler", CorpusStandardScaler()))
        return estimator.set_params(steps=steps)
    return make_pipeline(CorpusStandardScaler(), estimator)


def _as_corpus(name, data):
    """``(X, y, speakers)`` of one corpus given as a Bunch, a dict or a tuple."""
    if isinstance(data, tuple):
        if len(data) != 3:
            raise ValueError(
                f"corpus {name!r}: a tuple must be (X, y, groups); got {len(data)} "
                "items."
            )
        X, y, groups = data
    else:
        missing = [k for k in ("target", "groups") if k not in data]
        if "filenames" not in data and "data" not in data:
            missing.insert(0, "filenames (or data)")
        if missing:
            raise ValueError(
                f"corpus {name!r} lacks {', '.join(missing)}: pass a loader's Bunch "
                "or a tuple (X, y, groups)."
            )
        X = data["data"] if "data" in data else data["filenames"]
        y, groups = data["target"], data["groups"]
    y, groups = np.asarray(y), np.asarray(groups)
    if not (len(X) == y.shape[0] == groups.shape[0]):
        raise ValueError(
            f"corpus {name!r}: X, y and groups differ in length "
            f"({len(X)}, {y.shape[0]}, {groups.shape[0]})."
        )
    return X, y, groups


def _named(corpora, role):
    if not isinstance(corpora, dict) or not corpora:
        raise ValueError(
            f"{role} must be a non-empty dict {{corpus name: Bunch or (X, y, groups)}}"
            f"; got {type(corpora).__name__}."
        )
    for name in corpora:
        if CORPUS_SEPARATOR in str(name):
            raise ValueError(
                f"corpus name {name!r} must not contain {CORPUS_SEPARATOR!r}."
            )
    return {str(k): _as_corpus(k, v) for k, v in corpora.items()}


def _concatenate(parts):
    """One X (array or list), y and ``corpus:speaker`` groups from named parts."""
    xs = [X for X, _, _ in parts.values()]
    if all(isinstance(X, np.ndarray) for X in xs):
        X = np.concatenate(xs) if xs[0].ndim > 1 else np.concatenate(xs).astype(object)
        if all(x.dtype.kind in "U" for x in xs):
            X = X.astype(str)
    else:
        X = [item for x in xs for item in x]
    ys = [y for _, y, _ in parts.values()]
    y = np.concatenate(
        ys if all(v.dtype.kind == "U" for v in ys) else [v.astype(object) for v in ys]
    )
    groups = np.concatenate(
        [
            np.char.add(f"{name}{CORPUS_SEPARATOR}", g.astype(str))
            for name, (_, _, g) in parts.items()
        ]
    )
    corpus = np.concatenate([[name] * len(y) for name, (_, y, _) in parts.items()])
    return X, y, groups, corpus


def _labels(y):
    return set(np.asarray(y)[labeled_mask(y)].tolist())


def _check_vocabulary(targets):
    """One error naming, per corpus, its labels outside the shared vocabulary.

    Corpora are compared class by class, by name, so their labels must be words
    of :data:`~sklearn_ser.datasets.EMOTIONS` (unlabeled ``-1`` aside). Within one
    corpus any labels work; this check is for comparing corpora only.

    Parameters
    ----------
    targets : dict of str to array-like
        ``{corpus name: labels}``.
    """
    from ..datasets import EMOTIONS

    outside = {
        name: sorted({str(v) for v in _labels(y)} - set(EMOTIONS))
        for name, y in targets.items()
    }
    outside = {name: labels for name, labels in outside.items() if labels}
    if not outside:
        return
    listed = "; ".join(
        f"{name}: {', '.join(map(repr, labels))}" for name, labels in outside.items()
    )
    first = next(iter(outside.values()))[0]
    raise ValueError(
        "comparing corpora matches their classes by name, so every label must be in "
        f"the shared vocabulary ({', '.join(EMOTIONS)}); labels outside it: "
        f"{listed}. Map them onto it when loading (label_map={{{first!r}: "
        f"'anger'}}, or --label-map '{first}=anger' on the command line), or drop "
        "them (a value of None, or RAW= on the command line)."
    )


def extra_training_data(corpora, classes):
    """Other corpora's labelled utterances on ``classes``, ready for ``evaluate``.

    More labelled speech for a corpus's training folds: every utterance of
    ``corpora`` whose label is one of ``classes`` (the target corpus's classes,
    matched by name in :data:`~sklearn_ser.datasets.EMOTIONS`), the others left
    out. Pass the result as ``evaluate(..., X_extra=extra.X, y_extra=extra.y,
    groups_extra=extra.groups)``: it joins every training fold and is never
    tested, so the figures stay those of the target corpus's held-out speakers.

    Parameters
    ----------
    corpora : dict of str to Bunch or tuple
        ``{corpus name: data}``, a loader's Bunch (``filenames`` or ``data``,
        ``target``, ``groups``) or a tuple ``(X, y, groups)``.
    classes : array-like of str
        The classes to keep: usually ``np.unique(y)`` of the target corpus.

    Returns
    -------
    extra : Bunch
        ``X`` (paths or feature rows), ``y``, ``groups`` (``"<corpus>:<speaker>"``,
        never equal to a target speaker), ``corpus`` (the corpus of each
        utterance) and ``dropped`` (``{corpus: {label: count}}``, the utterances
        left out).

    Examples
    --------
    >>> import numpy as np
    >>> extra = extra_training_data(
    ...     {"other": (np.zeros((3, 2)), ["anger", "calm", "anger"], ["a", "a", "b"])},
    ...     classes=["anger", "sadness"],
    ... )
    >>> extra.y.tolist(), extra.groups.tolist(), extra.dropped
    (['anger', 'anger'], ['other:a', 'other:b'], {'other': {'calm': 1}})
    """
    from sklearn.utils import Bunch

    parts = _named(corpora, "corpora")
    classes = {str(c) for c in np.asarray(classes).ravel().tolist()}
    _check_vocabulary(
        {"classes": sorted(classes), **{k: y for k, (_, y, _) in parts.items()}}
    )
    kept, dropped = {}, {}
    for name, (X, y, groups) in parts.items():
        keep = np.isin(y.astype(str), sorted(classes))
        left, counts = np.unique(y[~keep].astype(str), return_counts=True)
        dropped[name] = {str(k): int(v) for k, v in zip(left, counts)}
        index = np.flatnonzero(keep)
        kept[name] = (_safe_indexing(X, index), y[index], groups[index])
    if not any(len(y) for _, y, _ in kept.values()):
        raise ValueError(
            f"corpora {sorted(parts)} hold none of the classes {sorted(classes)}: "
            "no extra training data."
        )
    X, y, groups, corpus = _concatenate(kept)
    return Bunch(X=X, y=y, groups=groups, corpus=corpus, dropped=dropped)


def evaluate_cross_corpus(
    estimator,
    train,
    test,
    *,
    per_corpus_standardization=False,
    name=None,
    description="",
    adapts_to_test_speaker=False,
    n_jobs=None,
    verbose=0,
    proba=True,
    return_estimators=False,
):
    """Train on one or more corpora, test on another, on the classes they share.

    Only the classes present on both sides (the union of the training corpora's
    labels, and the test corpus's) are trained and scored; the others are left
    out on both sides, and the report says which (``report.meta["cross_corpus"]``
    and its markdown). Groups become ``"<corpus>:<speaker>"``, so speakers of
    different corpora never merge: estimators that early-stop on held-out training
    speakers keep doing so inside the training corpora, and the report's
    confidence intervals resample the test corpus's speakers.

    Parameters
    ----------
    estimator : estimator object
        Cloned, fitted on the training corpora, scored on the test corpus. Any
        named pipeline (:func:`sklearn_ser.pipelines.make_named_pipeline`) works.
    train, test : dict of str to Bunch or tuple
        ``{corpus name: data}`` where data is a loader's Bunch (``filenames`` or
        ``data``, ``target``, ``groups``) or a tuple ``(X, y, groups)``; ``test``
        usually holds one corpus (several are scored together).
    per_corpus_standardization : bool, default=False
        Insert a :class:`CorpusStandardScaler` after the first step: each corpus
        is standardised with its own feature statistics, the test corpus with its
        own unlabeled ones. Opt-in: the report is labelled as adapting to the test
        corpus.
    name : str, default=None
        The system's name; the estimator's class name when None.
    description : str, default=""
    adapts_to_test_speaker : bool, default=False
        Label the report so (for pipelines that standardise per speaker).
    n_jobs, verbose, proba, return_estimators
        As in :func:`evaluate`.

    Returns
    -------
    report : EvaluationReport
        One fold. Its sample indices count the utterances of the shared classes,
        training corpora first, in the order given. ``meta["cross_corpus"]`` holds
        ``train``, ``test``, ``classes`` and ``dropped`` (per corpus, the labels
        left out).

    Raises
    ------
    ValueError
        When a label is outside the shared vocabulary
        (:data:`~sklearn_ser.datasets.EMOTIONS`: corpora are compared class by
        class, by name; one error names every such label per corpus), a corpus is
        on both sides, a corpus lacks a field, or the sides share fewer than two
        classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> rng = np.random.default_rng(0)
    >>> def corpus(labels, offset):
    ...     y = np.tile(labels, 20)
    ...     X = rng.normal(size=(len(y), 3)) + offset
    ...     X[:, 0] += 3 * (y == "anger")
    ...     return X, y, np.repeat(["a", "b"], len(y) // 2)
    >>> report = evaluate_cross_corpus(
    ...     SVC(),
    ...     {"one": corpus(["anger", "neutral", "calm"], 0.0)},
    ...     {"two": corpus(["anger", "neutral", "boredom"], 5.0)},
    ...     per_corpus_standardization=True,
    ... )
    >>> report.labels.tolist(), report.meta["cross_corpus"]["dropped"]
    (['anger', 'neutral'], {'one': ['calm'], 'two': ['boredom']})
    >>> report.adapts_to_test_corpus, round(report.UA_pooled, 3)
    (True, 0.875)
    """
    train, test = _named(train, "train"), _named(test, "test")
    _check_vocabulary({c: y for c, (_, y, _) in {**train, **test}.items()})
    both = sorted(set(train) & set(test))
    if both:
        raise ValueError(
            f"corpus {both[0]!r} is on both sides; cross-corpus evaluation tests on "
            "corpora it did not train on (use evaluate() within one corpus)."
        )
    train_labels = set().union(*(_labels(y) for _, y, _ in train.values()))
    test_labels = set().union(*(_labels(y) for _, y, _ in test.values()))
    classes = sorted(train_labels & test_labels, key=str)
    if len(classes) < 2:
        raise ValueError(
            f"the training corpora ({', '.join(train)}) and the test corpora "
            f"({', '.join(test)}) share {len(classes)} class(es) {classes}; at least "
            "two are needed."
        )
    X, y, groups, corpus = _concatenate({**train, **test})
    shared = np.array([v in classes for v in y.tolist()])
    keep = shared | ~labeled_mask(y)
    dropped = {
        c: sorted(set(y[(corpus == c) & ~keep].tolist()), key=str)
        for c in [*train, *test]
    }
    # The left-out classes leave X altogether, so no step sees them.
    kept = np.flatnonzero(keep)
    X, y, groups, corpus = _safe_indexing(X, kept), y[kept], groups[kept], corpus[kept]
    is_train = np.isin(corpus, list(train))
    split = [(np.flatnonzero(is_train), np.flatnonzero(~is_train))]
    if per_corpus_standardization:
        estimator = with_corpus_standardization(estimator)
    report = evaluate(
        estimator,
        X,
        y,
        groups,
        cv=split,
        n_jobs=n_jobs,
        verbose=verbose,
        proba=proba,
        name=name,
        description=description,
        adapts_to_test_speaker=adapts_to_test_speaker,
        return_estimators=return_estimators,
    )
    report.adapts_to_test_corpus = bool(per_corpus_standardization)
    report.cv = f"cross-corpus: {' + '.join(train)} -> {' + '.join(test)}"
    report.meta["cross_corpus"] = {
        "train": list(train),
        "test": list(test),
        "classes": [str(c) for c in classes],
        "dropped": {c: [str(v) for v in labels] for c, labels in dropped.items()},
        "per_corpus_standardization": bool(per_corpus_standardization),
    }
    return report


def leave_one_corpus_out(estimator, corpora, **kwargs):
    """Hold out each corpus in turn, training on all the others.

    Parameters
    ----------
    estimator : estimator object
    corpora : dict of str to Bunch or tuple
        At least two corpora, as in :func:`evaluate_cross_corpus`.
    **kwargs
        Passed to :func:`evaluate_cross_corpus` (``per_corpus_standardization``,
        ``name``, ``n_jobs``, ...).

    Returns
    -------
    reports : dict of str to EvaluationReport
        Keyed by the held-out corpus.
    """
    if not isinstance(corpora, dict) or len(corpora) < 2:
        raise ValueError("corpora must be a dict of at least two corpora.")
    reports = {}
    for held_out in corpora:
        train = {k: v for k, v in corpora.items() if k != held_out}
        reports[held_out] = evaluate_cross_corpus(
            estimator, train, {held_out: corpora[held_out]}, **kwargs
        )
    return reports
