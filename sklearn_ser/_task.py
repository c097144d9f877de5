"""Class labels or continuous ratings: the one rule that tells the two tasks apart.

**The rule.** A target column read from a table (a manifest) is *continuous* (a
regression task: arousal, valence, dominance ratings) when every non-empty value
reads as a number and at least one of them is not a whole number (``3.5``,
``-0.25``); empty or non-finite cells are then rows at fault, reported by line.
Whole numbers (``0``, ``1``, ``2``) stay class labels, as they are in most corpora's
label codes, unless regression is asked for explicitly (``task="regression"``,
``--task regression``); ``task="classification"`` keeps any column as class labels.
:func:`column_task` applies it to raw column values.

Once loaded, a continuous target is a float array and class labels are not
(strings or integers): :func:`target_task` reads the task off an array that way.
For a continuous target every value is a rating: ``-1`` is a rating like any other,
not the unlabeled marker of class labels (:func:`sklearn_ser._labels.unlabeled_mask`).

An estimator's own kind decides what :func:`~sklearn_ser.evaluation.evaluate` does
(:func:`sklearn.base.is_regressor`); :func:`check_target_for` refuses a classifier
on a continuous target, and a regressor on class names, with a message that says so.
"""

import numpy as np

__all__ = [
    "TASKS",
    "check_continuous_target",
    "check_target_for",
    "column_task",
    "parse_rating",
    "target_task",
]

#: The values of ``task=`` / ``--task``.
TASKS = ("auto", "classification", "regression")


def parse_rating(raw):
    """``(value, problem)`` for one raw rating: one of them is None.

    Examples
    --------
    >>> parse_rating(" 0.25 ")
    (0.25, None)
    >>> parse_rating("high")
    (None, "rating 'high' is not a number")
    """
    text = str(raw).strip()
    if not text:
        return None, "empty rating"
    try:
        value = float(text)
    except ValueError:
        return None, f"rating {text!r} is not a number"
    if not np.isfinite(value):
        return None, f"rating {text!r} is not a finite number"
    return value, None


def column_task(values, *, task="auto"):
    """The task of a raw target column: ``"classification"`` or ``"regression"``.

    Parameters
    ----------
    values : iterable
        The column's raw values (strings as read from a table, or numbers).
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"`` applies the module's rule: regression when every value reads as
        a finite number and one at least is not whole. The other two are returned
        as they are.

    Returns
    -------
    task : str

    Examples
    --------
    >>> column_task(["0.5", "1.25", "-1"])
    'regression'
    >>> column_task(["0", "1", "2"])  # whole numbers: class codes
    'classification'
    >>> column_task(["0", "1", "2"], task="regression")
    'regression'
    >>> column_task(["anger", "0.5"])
    'classification'
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")
    if task != "auto":
        return task
    numbers = []
    for v in values:
        text = str(v).strip()
        if not text:
            continue  # an empty cell is a row at fault either way, not a vote
        try:
            numbers.append(float(text))
        except ValueError:
            return "classification"
    fractional = any(np.isfinite(v) and not v.is_integer() for v in numbers)
    return "regression" if fractional else "classification"


def target_task(y):
    """The task of a loaded target: ``"regression"`` for a float array.

    Loaders return continuous targets as floats and class labels as strings (or
    integers), so the dtype tells them apart.

    Examples
    --------
    >>> import numpy as np
    >>> target_task(np.array([0.5, 1.0])), target_task(np.array(["anger"]))
    ('regression', 'classification')
    """
    return "regression" if np.asarray(y).dtype.kind == "f" else "classification"


def check_continuous_target(y, *, name="y"):
    """``y`` as a 1-D float array of finite ratings, or a clear error.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous target values.
    name : str, default="y"
        Name of ``y`` in error messages.

    Returns
    -------
    y : ndarray of float of shape (n_samples,)

    Raises
    ------
    ValueError
        When a value is not a number (naming it and its position) or is missing.
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {arr.shape}.")
    if arr.dtype.kind not in "biuf":
        bad = [
            (i, v) for i, v in enumerate(arr.tolist()) if parse_rating(v)[1] is not None
        ]
        if bad:
            i, v = bad[0]
            raise ValueError(
                f"{name} must hold numbers for a regressor; {len(bad)} value(s) are "
                f"not, e.g. {v!r} at position {i}. Class names need a classifier."
            )
        arr = np.array([parse_rating(v)[0] for v in arr.tolist()])
    arr = arr.astype(float)
    missing = np.flatnonzero(~np.isfinite(arr))
    if missing.size:
        raise ValueError(
            f"{name} holds {missing.size} missing or infinite value(s), at positions "
            f"{missing[:10].tolist()}; every utterance of a continuous target needs "
            "a rating (-1 is a rating here, not the unlabeled marker)."
        )
    return arr


def check_target_for(estimator, y, *, name="y", what=None):
    """Refuse a classifier on a continuous target, and a regressor on class names.

    Parameters
    ----------
    estimator : estimator object
        Its kind is read with :func:`sklearn.base.is_regressor`.
    y : array-like of shape (n_samples,)
        The target.
    name : str, default="y"
        Name of ``y`` in error messages.
    what : str, default=None
        The estimator's name in messages (its class name when None).

    Returns
    -------
    task : str
        ``"regression"`` for a regressor, else ``"classification"``.

    Raises
    ------
    ValueError
        On a mismatch, saying which kind of estimator the target needs.
    """
    from sklearn.base import is_regressor
    from sklearn.utils.multiclass import type_of_target

    what = what or type(estimator).__name__
    if is_regressor(estimator):
        arr = np.asarray(y)
        if arr.dtype.kind not in "biuf":
            try:
                check_continuous_target(arr, name=name)
            except ValueError as exc:
                raise ValueError(
                    f"{what} is a regressor, but {name} holds class labels: {exc}"
                ) from None
        return "regression"
    arr = np.asarray(y)
    if arr.dtype.kind == "f" and type_of_target(arr[np.isfinite(arr)]) == "continuous":
        raise ValueError(
            f"{what} is a classifier, but {name} is continuous (numbers that are not "
            "whole, e.g. ratings): use a regressor (e.g. the is10-ridge, is10-svr or "
            "whisper-ridge pipelines), or give class labels."
        )
    return "classification"
