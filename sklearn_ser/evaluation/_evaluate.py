"""Speaker-independent cross-validation with out-of-fold predictions kept."""

import inspect
import numbers
import time
import warnings

import numpy as np
from sklearn import config_context
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, check_cv
from sklearn.utils.metadata_routing import MetadataRouter, get_routing_for_object
from sklearn.utils.parallel import Parallel, delayed

from .._compat import _check_method_params, _num_samples, _safe_indexing
from .._labels import as_fit_labels, check_labels, mark_unlabeled
from .._parallel import streaming_parallel
from .._task import check_continuous_target, check_target_for
from ._environment import software_environment
from ._metrics import labeled_mask
from ._regression_report import RegressionReport
from ._report import EvaluationReport

__all__ = ["evaluate"]


def _resolve_cv(cv, groups):
    """Return (splitter or list of splits, human description)."""
    if isinstance(cv, str):
        if cv != "loso":
            raise ValueError(
                f"cv must be 'loso', an int, a splitter or an iterable of splits; "
                f"got {cv!r}."
            )
        if groups is None:
            raise ValueError("cv='loso' needs groups (the speaker of each sample).")
        return LeaveOneGroupOut(), "leave-one-speaker-out"
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if groups is None:
            raise ValueError(f"cv={cv} (GroupKFold) needs groups (the speakers).")
        if cv < 2:
            raise ValueError(f"cv must be at least 2 when an int; got {cv}.")
        return GroupKFold(n_splits=int(cv)), f"{cv}-fold speaker-independent"
    if hasattr(cv, "split"):
        return cv, repr(cv)
    if cv is None or isinstance(cv, bool):
        raise ValueError(f"cv must not be {cv!r}.")
    return check_cv(cv), "custom splits"


def _consumes(estimator, method):
    """Whether ``estimator.<method>`` should receive ``groups``, and via routing."""
    with config_context(enable_metadata_routing=True):
        try:
            routing = get_routing_for_object(estimator)
        except Exception:  # estimators without routing support
            routing = None
        if isinstance(routing, MetadataRouter):
            try:
                return bool(routing.consumes(method, ["groups"])), True
            except Exception:
                return False, True
    func = getattr(estimator, method, None)
    if func is None:
        return False, False
    return "groups" in inspect.signature(func).parameters, False


def _fit_predict_fold(
    estimator,
    X,
    y,
    groups,
    train,
    test,
    params,
    route,
    routing,
    want_proba,
    extra,
    transductive=False,
):
    fit_params = _check_method_params(X, params=params or {}, indices=train)
    if route["fit"]:
        fit_params["groups"] = _safe_indexing(groups, train)
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    if extra is not None:  # after the fold's own samples, in every training fold
        X_extra, y_extra, groups_extra = extra
        X_train = _append_samples(X_train, X_extra)
        y_train = np.concatenate([y_train, y_extra])
        if route["fit"]:
            fit_params["groups"] = np.concatenate([fit_params["groups"], groups_extra])
    if transductive:  # the held-out speakers' samples, their labels hidden
        X_train = _append_samples(X_train, _safe_indexing(X, test))
        y_train = np.concatenate([y_train, mark_unlabeled(_safe_indexing(y, test))])
        if route["fit"]:
            test_groups = _safe_indexing(groups, test)
            fit_params["groups"] = np.concatenate([fit_params["groups"], test_groups])
    # string labels as an object array, "-1" as -1: what scikit-learn's
    # semi-supervised estimators (SelfTrainingClassifier) require
    y_train = as_fit_labels(y_train)
    X_test = _safe_indexing(X, test)
    predict_params = (
        {"groups": _safe_indexing(groups, test)} if route["predict"] else {}
    )
    proba_params = (
        {"groups": _safe_indexing(groups, test)} if route["predict_proba"] else {}
    )
    with config_context(enable_metadata_routing=routing):
        t0 = time.perf_counter()
        estimator.fit(X_train, y_train, **fit_params)
        fit_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        y_pred = np.asarray(estimator.predict(X_test, **predict_params))
        predict_time = time.perf_counter() - t0
        proba = classes = None
        if want_proba and hasattr(estimator, "predict_proba"):
            proba = np.asarray(estimator.predict_proba(X_test, **proba_params))
            classes = np.asarray(estimator.classes_)
    learned = getattr(estimator, "classes_", None)
    return {
        "y_pred": y_pred,
        "proba": proba,
        "proba_classes": classes,
        "fit_time": fit_time,
        "predict_time": predict_time,
        "n_extra": 0 if extra is None else _num_samples(extra[0]),
        "n_transductive": len(test) if transductive else 0,
        "learned_unlabeled": learned is not None
        and bool(np.any(~labeled_mask(np.asarray(learned)))),
        # A search (GridSearchCV, ...) tuned inside the fold: what it chose.
        "best_params": getattr(estimator, "best_params_", None),
        "estimator": estimator,
    }


def evaluate(
    estimator,
    X,
    y,
    groups=None,
    *,
    X_extra=None,
    y_extra=None,
    groups_extra=None,
    hide_labels=None,
    transductive=False,
    cv="loso",
    n_jobs=None,
    verbose=0,
    params=None,
    unlabeled="fit",
    proba=True,
    name=None,
    description="",
    adapts_to_test_speaker=False,
    return_estimators=False,
):
    """Cross-validate an estimator speaker-independently and keep every prediction.

    Each fold clones ``estimator``, fits it on the training speakers only (so every
    fitted state, from scalers to autoencoders and early stopping, sees training
    speakers only), and predicts the held-out speakers. Figures are computed from
    the out-of-fold predictions (see :class:`EvaluationReport`):

    - per fold WA (accuracy) and UA (balanced accuracy), their mean and std;
    - **pooled** WA and UA over all out-of-fold predictions, the confusion matrix and
      per-class recall. A fold with few samples or a single class gives a noisy
      per-fold UA (computed over the classes it holds, without warnings); the pooled
      figures are the robust ones.

    A **regressor** (``sklearn.base.is_regressor``: arousal, valence or dominance
    ratings as ``y``) gets the same folds and a :class:`RegressionReport` instead:
    CCC, Pearson r and MAE per fold and pooled, with intervals over speakers. Every
    sample is then scored (``-1`` is a rating); ``unlabeled`` and ``proba`` do not
    apply. A classifier on a continuous ``y``, or a regressor on class names, is an
    error that says so (:func:`sklearn_ser._task.check_target_for`).

    Unlabeled samples (``y == -1``) in the training folds are passed to ``fit`` (for
    semi-supervised estimators) unless ``unlabeled="drop"``; in test folds they are
    predicted but never scored.

    **Extra training data** (``X_extra``, ``y_extra``, ``groups_extra``) is appended
    to every training fold, after the fold's own samples, and never enters a test
    fold: it is never predicted and never scored. Leave ``y_extra`` out (or make it
    all ``-1``) for an unlabeled pool that a semi-supervised estimator learns from
    (LibriSpeech utterances beside an emotional corpus); give labels for extra
    labelled data (another corpus's utterances, scored only on this corpus's
    held-out speakers). ``unlabeled="drop"`` drops unlabeled extra samples too.
    **Hidden labels** (``hide_labels``): the marked samples train as unlabeled
    (``-1``) wherever they are in a training fold, and are scored with their true
    label wherever they are in a test fold; the folds are those of the true labels.
    This is how a curve of accuracy against the labelled fraction is measured
    (:func:`label_fraction_curve`).
    **Transductive** (``transductive=True``, opt-in): each fold's test samples also
    join its training data as unlabeled (``-1``, after the extra data), so a
    semi-supervised estimator learns from the held-out speakers' audio (never
    their labels), as it could in a deployment where that audio is at hand before
    predicting. The report is then labelled as adapting to the test speaker.

    ``groups_extra`` names their speakers, which must differ from every speaker of
    ``groups`` (prefix them, e.g. ``"libri:" + speaker``) so that no test speaker
    is among them and validation on held-out training speakers inside the
    estimator still holds out whole speakers; it is required when the estimator
    takes ``groups``. Sample-aligned ``params`` cannot be combined with extra data.

    Speaker groups reach the estimator when it asks for them: a plain estimator
    whose ``fit`` (or ``predict``) has a ``groups`` parameter gets the training (or
    test) speakers; a meta-estimator such as a ``Pipeline`` gets them through
    scikit-learn metadata routing when one of its steps requests ``groups``
    (routing is then enabled for the duration of each fold only). So a
    ``GridSearchCV`` with a speaker-grouped ``cv`` (``LeaveOneGroupOut()``,
    :class:`SpeakerKFold`, which adapts to the fold's speakers) is tuned inside
    each fold on the training speakers only, and each fold's ``best_params_`` is
    kept in ``report.folds``.

    Parameters
    ----------
    estimator : estimator object
        Cloned for each fold.
    X : array-like of shape (n_samples, ...)
        Features, audio paths, waveforms or a sequence dataset: anything the
        estimator accepts and ``sklearn.utils._safe_indexing`` can index.
    y : array-like of shape (n_samples,)
        Class labels of one kind: all strings (any names: ``"frustrated"``,
        ``"high arousal"``) or all numbers; ``-1`` marks unlabeled samples. Labels
        that mix strings and numbers are an error that says where
        (:func:`sklearn_ser._labels.check_labels`).
    groups : array-like of shape (n_samples,), default=None
        Speaker of each sample. Required for ``cv="loso"`` and an int ``cv``.
    X_extra : array-like of shape (n_extra, ...), default=None
        Extra training samples, of the same kind as ``X``, appended to every
        training fold and never tested.
    y_extra : array-like of shape (n_extra,), default=None
        Their labels, of the same kind as ``y``; ``-1`` marks unlabeled ones. None:
        all unlabeled (an unlabeled pool).
    groups_extra : array-like of shape (n_extra,), default=None
        Their speakers, none of them in ``groups``. Required when the estimator
        takes ``groups``.
    hide_labels : array-like of bool of shape (n_samples,), default=None
        True where a sample's label is hidden from training (it trains as ``-1``,
        and ``unlabeled`` says what that means); test folds score every sample
        with its label in ``y``. Classification only.
    transductive : bool, default=False
        Add each fold's test samples, unlabeled, to its training data (see above;
        ``adapts_to_test_speaker`` is then True). Classification with
        ``unlabeled="fit"`` only.
    cv : "loso", int, splitter or iterable, default="loso"
        ``"loso"``: :class:`~sklearn.model_selection.LeaveOneGroupOut` (one fold per
        speaker); an int: :class:`~sklearn.model_selection.GroupKFold` with that
        many folds; any scikit-learn splitter (given ``groups``) or an iterable of
        ``(train, test)`` index arrays.
    n_jobs : int, default=None
        Folds fitted in parallel with joblib (``-1``: all cores).
    verbose : int, default=0
        ``1``: a progress bar over folds (stderr); ``2``: also a line per fold.
    params : dict, default=None
        Extra fit parameters; sample-aligned arrays are sliced to the training fold
        (as in :func:`~sklearn.model_selection.cross_validate`).
    unlabeled : {"fit", "drop"}, default="fit"
        What to do with ``y == -1`` samples of the training folds.
    proba : bool, default=True
        Keep ``predict_proba`` outputs when the fitted estimator has it.
    name : str, default=None
        The system's name in the report; the estimator's class name when None.
    description : str, default=""
        Stored in the report.
    adapts_to_test_speaker : bool, default=False
        Labels the report as using the test speaker's statistics (set by the
        command line for registry pipelines that do).
    return_estimators : bool, default=False
        Keep the fitted estimators in ``report.estimators_``.

    Returns
    -------
    report : EvaluationReport or RegressionReport
        A :class:`RegressionReport` when ``estimator`` is a regressor.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile(["ang", "neu", "sad"], 30)
    >>> X = rng.normal(size=(90, 5)) + 2.0 * (y == "ang")[:, None]
    >>> groups = np.repeat(["f1", "f2", "m1"], 30)
    >>> report = evaluate(make_pipeline(StandardScaler(), SVC()), X, y, groups)
    >>> report.n_folds, report.labels.tolist()
    (3, ['ang', 'neu', 'sad'])
    >>> bool(report.per_class_recall()["ang"] > 0.9)
    True
    """
    if unlabeled not in ("fit", "drop"):
        raise ValueError(f"unlabeled must be 'fit' or 'drop'; got {unlabeled!r}.")
    regression = check_target_for(estimator, y, what=name) == "regression"
    if transductive not in (True, False):
        raise ValueError(f"transductive must be True or False; got {transductive!r}.")
    if transductive and (regression or unlabeled == "drop"):
        why = (
            "a regressor has no unlabeled samples"
            if regression
            else ('unlabeled="drop" would drop them')
        )
        raise ValueError(
            "transductive=True adds the test samples as unlabeled training samples "
            f"for a semi-supervised classifier; {why}."
        )
    target = getattr(y, "name", None)  # a pandas Series names its target
    y, groups = _check_labels_and_groups(X, y, groups, regression=regression)
    y, extra = _check_extra(
        X_extra,
        y_extra,
        groups_extra,
        y,
        groups,
        regression=regression,
        unlabeled=unlabeled,
        params=params,
        n_samples=_num_samples(X),
    )
    y_fit = _hide_labels(y, hide_labels, regression=regression)
    splits, cv_text = _make_splits(
        cv, y, groups, "fit" if regression else unlabeled, y_fit=y_fit
    )
    route, routing = _groups_routing(estimator, groups)
    if extra is not None and route["fit"] and extra[2] is None:
        raise ValueError(
            f"{type(estimator).__name__} takes groups: groups_extra must name the "
            "speaker of each extra sample."
        )
    results = _run_folds(
        estimator,
        X,
        y_fit,
        groups,
        splits,
        params=params,
        route=route,
        routing=routing,
        proba=proba,
        n_jobs=n_jobs,
        verbose=verbose,
        name=name,
        extra=extra,
        transductive=bool(transductive),
    )
    if unlabeled == "fit" and any(r["learned_unlabeled"] for r in results):
        warnings.warn(
            "The fitted estimator has -1 among its classes_: it treated unlabeled "
            "samples as a class. Use unlabeled='drop' for supervised estimators.",
            UserWarning,
            stacklevel=2,
        )
    report = _build_report(
        X,
        y,
        groups,
        splits,
        results,
        name=name or type(estimator).__name__,
        description=description,
        cv_text=cv_text,
        adapts_to_test_speaker=adapts_to_test_speaker or bool(transductive),
        regression=regression,
        target=target,
    )
    if return_estimators:
        report.estimators_ = [r["estimator"] for r in results]
    return report


# ---------------------------------------------------------------- evaluate's steps
def _check_labels_and_groups(X, y, groups, *, regression=False):
    """``y`` and ``groups`` as arrays, one entry per sample of ``X``.

    With ``regression`` ``y`` is a continuous target: finite floats, all scored.
    """
    n = _num_samples(X)
    if regression:
        y = check_continuous_target(y)
    else:
        y = check_labels(y)  # one kind of label: explained here, not by sklearn later
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must be 1-D with one label per sample of X ({n}).")
    if not regression and not labeled_mask(y).any():
        raise ValueError("y holds no labeled sample (every label is -1).")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != n:
            raise ValueError(f"groups must be 1-D with one speaker per sample ({n}).")
    return y, groups


def _check_extra(
    X_extra,
    y_extra,
    groups_extra,
    y,
    groups,
    *,
    regression,
    unlabeled,
    params,
    n_samples,
):
    """``y`` and the extra training data ``(X_extra, y_extra, groups_extra)``, checked.

    Returns ``(y, None)`` without extra data. ``y`` and ``y_extra`` are checked
    together as one set of labels (one kind, the same dtype, as if the extra
    samples were part of the corpus); with ``unlabeled="drop"`` the unlabeled extra
    samples are left out here, once.
    """
    if X_extra is None:
        for what, value in (("y_extra", y_extra), ("groups_extra", groups_extra)):
            if value is not None:
                raise ValueError(f"{what} is given but X_extra is None.")
        return y, None
    m = _num_samples(X_extra)
    if m == 0:
        raise ValueError("X_extra holds no sample.")
    if y_extra is None:
        if regression:
            raise ValueError("A regressor needs y_extra: a rating for every sample.")
        y_extra = np.full(m, -1, dtype=object)
    n = y.shape[0]
    if np.ndim(y_extra) != 1 or np.shape(y_extra)[0] != m:
        raise ValueError(
            f"y_extra must be 1-D with one label per sample of X_extra ({m})."
        )
    if regression:
        y_extra = check_continuous_target(y_extra)
        y_all = np.concatenate([y, y_extra])
    else:
        both = np.empty(n + np.shape(y_extra)[0], dtype=object)
        both[:n] = y
        both[n:] = list(np.asarray(y_extra, dtype=object).ravel())
        y_all = check_labels(both, name="y and y_extra")
    if groups_extra is not None:
        groups_extra = np.asarray(groups_extra)
        if groups_extra.ndim != 1 or groups_extra.shape[0] != m:
            raise ValueError(
                "groups_extra must be 1-D with one speaker per sample of X_extra "
                f"({m})."
            )
        shared = [] if groups is None else np.intersect1d(groups, groups_extra).tolist()
        if shared:
            raise ValueError(
                f"groups_extra shares speakers with groups ({shared[:3]}): extra "
                "speakers must be distinct (prefix them, e.g. 'libri:<speaker>') so "
                "that no test speaker is trained on."
            )
    sample_aligned = [
        key for key, value in (params or {}).items() if _n_items(value) == n_samples
    ]
    if sample_aligned:
        raise ValueError(
            f"params {sample_aligned} are sample-aligned: they have no values for the "
            "extra samples (X_extra); pass them without extra data."
        )
    y, y_extra = y_all[:n], y_all[n:]
    if unlabeled == "drop" and not regression:
        keep = labeled_mask(y_extra)
        X_extra = _safe_indexing(X_extra, np.flatnonzero(keep))
        y_extra = y_extra[keep]
        groups_extra = None if groups_extra is None else groups_extra[keep]
        if not keep.any():
            return y, None
    return y, (X_extra, y_extra, groups_extra)


def _hide_labels(y, hide_labels, *, regression):
    """``y`` as the training folds see it: ``-1`` where ``hide_labels`` is True."""
    if hide_labels is None:
        return y
    if regression:
        raise ValueError("hide_labels applies to classification only.")
    hide = np.asarray(hide_labels)
    if hide.dtype != bool or hide.shape != y.shape:
        raise ValueError(
            f"hide_labels must be a boolean mask with one entry per sample of X "
            f"({y.shape[0]}); got dtype {hide.dtype} and shape {hide.shape}."
        )
    y_fit = mark_unlabeled(y, hide)
    if not labeled_mask(y_fit).any():
        raise ValueError("hide_labels hides every label: nothing left to train on.")
    return y_fit


def _n_items(value):
    """Length of an array-like fit parameter (None for scalars and objects)."""
    if isinstance(value, (str, dict)) or not hasattr(value, "__len__"):
        return None
    try:
        return _num_samples(value)
    except TypeError:
        return None


def _append_samples(X, X_extra):
    """``X`` followed by ``X_extra``, in ``X``'s kind of container.

    2-D arrays are stacked; 1-D arrays of paths, waveforms or frame sequences become
    one object array (so ragged items stay items); lists, pandas frames likewise.
    """
    if hasattr(X, "iloc"):  # pandas
        import pandas as pd

        return pd.concat([X, X_extra])
    if isinstance(X, np.ndarray) and X.ndim > 1:
        X_extra = np.asarray(X_extra)
        if X_extra.ndim != X.ndim or X_extra.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"X_extra has samples of shape {X_extra.shape[1:]}, X of {X.shape[1:]}."
            )
        return np.concatenate([X, X_extra])
    if isinstance(X, np.ndarray):
        n, m = X.shape[0], _num_samples(X_extra)
        out = np.empty(n + m, dtype=object)
        out[:n] = X
        for i, item in enumerate(X_extra):
            out[n + i] = item
        return out
    return [*X, *X_extra]


def _make_splits(cv, y, groups, unlabeled, *, y_fit=None):
    """The (train, test) index pairs and their description.

    With ``unlabeled="drop"`` the samples unlabeled in ``y_fit`` (``y`` when None:
    the labels training sees) leave the training folds (they stay in the test
    folds, predicted, and scored where ``y`` labels them).
    """
    splitter, cv_text = _resolve_cv(cv, groups)
    splits = list(splitter.split(np.zeros((y.shape[0], 1)), y, groups))
    if not splits:
        raise ValueError("cv produced no splits.")
    if unlabeled == "drop":
        labeled = labeled_mask(y if y_fit is None else y_fit)
        splits = [(tr[labeled[tr]], te) for tr, te in splits]
    return splits, cv_text


def _groups_routing(estimator, groups):
    """Which of fit/predict/predict_proba get ``groups``, and whether via routing."""
    route, routing = {}, False
    for method in ("fit", "predict", "predict_proba"):
        route[method], via_routing = _consumes(estimator, method)
        routing = routing or (route[method] and via_routing)
    if any(route.values()) and groups is None:
        raise ValueError(
            f"{type(estimator).__name__} requests groups, but groups is None."
        )
    return route, routing


def _run_folds(
    estimator,
    X,
    y,
    groups,
    splits,
    *,
    params,
    route,
    routing,
    proba,
    n_jobs,
    verbose,
    name,
    extra=None,
    transductive=False,
):
    """Fit a clone per split (in parallel), with a progress bar when verbose."""
    jobs = (
        delayed(_fit_predict_fold)(
            clone(estimator),
            *(X, y, groups, tr, te, params, route, routing, proba, extra),
            transductive,
        )
        for tr, te in splits
    )
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(splits), desc=name or "folds", unit="fold", leave=True)
    results = []
    for res in streaming_parallel(n_jobs, Parallel)(jobs):
        results.append(res)
        if bar is not None:
            bar.update(1)
            if verbose >= 2:
                bar.write(
                    f"fold {len(results)}/{len(splits)}: fit {res['fit_time']:.1f}s"
                )
    if bar is not None:
        bar.close()
    return results


def _plain_params(params):
    """Chosen hyper-parameters as JSON-ready values (``repr`` for objects)."""
    plain = {}
    for key, value in params.items():
        if isinstance(value, np.generic):
            value = value.item()
        if value is not None and not isinstance(value, (bool, int, float, str)):
            value = repr(value)
        plain[str(key)] = value
    return plain


def _sample_ids(X, index):
    """The audio path of each prediction when ``X`` is a list or array of paths."""
    if isinstance(X, np.ndarray):
        if X.ndim == 1 and X.dtype.kind in "OU":
            if all(isinstance(v, str) for v in X[:10]):
                return X[index].astype(str)
        return None
    if isinstance(X, (list, tuple)) and all(isinstance(v, str) for v in X[:10]):
        return np.asarray(X, dtype=str)[index]
    return None


def _build_report(
    X,
    y,
    groups,
    splits,
    results,
    *,
    name,
    description,
    cv_text,
    adapts_to_test_speaker,
    regression=False,
    target=None,
):
    """Gather the out-of-fold predictions of every split into one report.

    Probabilities are kept only when every fold has them over the same classes.
    """
    index, fold_ids, preds, folds = [], [], [], []
    probas, proba_classes = [], None
    for k, ((tr, te), res) in enumerate(zip(splits, results)):
        index.append(te)
        fold_ids.append(np.full(te.shape[0], k))
        preds.append(res["y_pred"])
        if res["proba"] is not None:
            if proba_classes is None:
                proba_classes = res["proba_classes"]
            if np.array_equal(res["proba_classes"], proba_classes):
                probas.append(res["proba"])
        folds.append(
            {
                "fold": k,
                "test_groups": (
                    [] if groups is None else np.unique(groups[te]).tolist()
                ),
                # the samples fitted: the fold's own, the extra ones and (when
                # transductive) the test samples unlabeled
                "n_train": int(tr.shape[0]) + res["n_extra"] + res["n_transductive"],
                "n_test": int(te.shape[0]),
                "fit_time": res["fit_time"],
                "predict_time": res["predict_time"],
            }
        )
        for key in ("n_extra", "n_transductive"):
            if res[key]:
                folds[-1][key] = res[key]
        if res["best_params"] is not None:
            folds[-1]["best_params"] = _plain_params(res["best_params"])
    index = np.concatenate(index)
    # what a report of either task holds
    common = dict(
        name=name,
        index=index,
        fold=np.concatenate(fold_ids),
        y_true=y[index],
        y_pred=np.concatenate(preds),
        folds=folds,
        groups=None if groups is None else groups[index],
        sample_ids=_sample_ids(X, index),
        description=description,
        cv=cv_text,
        adapts_to_test_speaker=adapts_to_test_speaker,
        meta={"environment": software_environment()},
    )
    if regression:
        return RegressionReport(**common, target=target or "target")
    keep_proba = proba_classes is not None and len(probas) == len(results)
    return EvaluationReport(
        **common,
        labels=np.unique(y[labeled_mask(y)]),
        proba=np.concatenate(probas) if keep_proba else None,
        proba_classes=proba_classes if keep_proba else None,
    )
