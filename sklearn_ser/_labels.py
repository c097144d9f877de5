"""What counts as an unlabeled sample: the one rule of every estimator and evaluate.

**The rule.** A sample is *unlabeled* when its label is ``-1``: the number ``-1``
(an int or a float, never a bool) or the string ``"-1"`` (``str`` or ``bytes``),
whatever container ``y`` comes in. The string form counts because numpy and pandas
make it out of a ``-1`` among string labels: ``np.array(["ang", -1])`` is a string
array holding ``"-1"``, and so is a CSV column of emotions read back by pandas. So
``[-1, ...]`` in a list, an int, float, object or string array, or a pandas Series
all mean the same thing, as in :mod:`sklearn.semi_supervised` for numbers.

A *missing* label (``None``, NaN, ``pd.NA``, ``NaT``, or the string ``"nan"`` that
numpy makes of a NaN among strings) is not "unlabeled": it usually comes from a
failed join or a typo, so it is an error naming how many labels are missing and
where. Mark unlabeled samples with ``-1`` explicitly, or drop them.

Apart from the ``-1`` marker, the labels of one ``y`` are of one kind: all strings
(``"anger"``, ``"high arousal"``) or all numbers (``0``, ``1``, ``2``).
:func:`check_labels` says so when they mix (``["ang", 1]``), and turns strings with
the number ``-1`` among them into one string array (``-1`` becomes ``"-1"``), which
every scikit-learn classifier accepts; an object array holding both would reach
scikit-learn's ``type_of_target`` as "unknown" and fail with "Unknown label type:
unknown".

:class:`~sklearn_ser.DenoisingAE`, :class:`~sklearn_ser.NeutralEmotionDAE`,
:class:`~sklearn_ser.SemiSupervisedAttentionClassifier` and
:func:`~sklearn_ser.evaluation.evaluate` (through
:func:`~sklearn_ser.evaluation.labeled_mask`) all call :func:`unlabeled_mask`.
"""

import numbers

import numpy as np

__all__ = [
    "UNLABELED",
    "as_fit_labels",
    "check_labels",
    "encode_labels",
    "is_unlabeled_value",
    "mark_unlabeled",
    "unlabeled_mask",
]

#: The label of an unlabeled sample (its string form ``"-1"`` counts too).
UNLABELED = -1


def is_unlabeled_value(v):
    """Whether one label value marks an unlabeled sample (``-1`` or ``"-1"``)."""
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, numbers.Real):
        return v == -1
    if isinstance(v, str):
        return v == "-1"
    if isinstance(v, bytes):
        return v == b"-1"
    return False


def _missing_mask(y):
    if y.dtype.kind == "f":
        return np.isnan(y)
    if y.dtype.kind in "mM":
        return np.isnat(y)
    if y.dtype.kind == "U":
        return y == "nan"
    if y.dtype.kind == "S":
        return y == b"nan"
    if y.dtype.kind == "O":
        import pandas as pd

        return np.fromiter(
            (v == "nan" if isinstance(v, str) else bool(np.all(pd.isna(v))) for v in y),
            dtype=bool,
            count=len(y),
        )
    return np.zeros(len(y), dtype=bool)


def unlabeled_mask(y, *, name="y"):
    """Boolean mask of the unlabeled samples of ``y`` (the ``-1`` or ``"-1"`` ones).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels: a list, a numpy array of any dtype or a pandas Series.
    name : str, default="y"
        Name of ``y`` in error messages.

    Returns
    -------
    mask : ndarray of bool of shape (n_samples,)
        True where the sample is unlabeled.

    Raises
    ------
    ValueError
        When a label is missing (None, NaN, ``pd.NA``...), naming how many and the
        first positions.

    Examples
    --------
    >>> import numpy as np
    >>> unlabeled_mask([0, -1, 2]).tolist()
    [False, True, False]
    >>> unlabeled_mask(np.array(["ang", -1])).tolist()  # numpy made "-1" of -1
    [False, True]
    >>> unlabeled_mask(np.array(["ang", "-1", -1], dtype=object)).tolist()
    [False, True, True]
    >>> unlabeled_mask(np.array(["ang", None, "neu", np.nan], dtype=object))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y holds 2 missing labels (None or NaN), at positions [1, 3]; ...
    """
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError(f"{name} must be 1-D; got a scalar {y!r}.")
    y = y.reshape(len(y), -1)[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {y.shape}.")
    missing = _missing_mask(y)
    if missing.any():
        where = np.flatnonzero(missing)
        shown = where[:10].tolist()
        more = f" (first 10 of {len(where)})" if len(where) > 10 else ""
        raise ValueError(
            f"{name} holds {len(where)} missing label{'s' * (len(where) > 1)} "
            f"(None or NaN), at positions {shown}{more}; mark unlabeled samples "
            "with -1 or drop them."
        )
    if y.dtype.kind in "iuf":
        return y == -1
    if y.dtype.kind == "U":
        return y == "-1"
    if y.dtype.kind == "S":
        return y == b"-1"
    if y.dtype.kind == "O":
        return np.fromiter((is_unlabeled_value(v) for v in y), dtype=bool, count=len(y))
    return np.zeros(len(y), dtype=bool)


def _kind(v):
    if isinstance(v, str | bytes | np.str_ | np.bytes_):
        return "string"
    if isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_):
        return "number"
    return type(v).__name__


def check_labels(y, *, name="y"):
    """``y`` as a 1-D array of one kind of label, ``-1`` marking unlabeled samples.

    Labels are all strings or all numbers; the unlabeled marker (``-1`` or ``"-1"``,
    see :func:`unlabeled_mask`) may sit among either. Strings with ``-1`` among
    them come back as a string array (``-1`` as ``"-1"``), numbers as a numeric
    array; any other ``y`` comes back as :func:`numpy.asarray` makes it. A list is
    read item by item, so ``["ang", 1]`` is caught before numpy would turn ``1``
    into ``"1"``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels: a list, a numpy array or a pandas Series.
    name : str, default="y"
        Name of ``y`` in error messages.

    Returns
    -------
    y : ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        When labels mix strings and numbers (naming an example of each and where
        they are), or a label is missing (see :func:`unlabeled_mask`).

    Examples
    --------
    >>> import numpy as np
    >>> check_labels(np.array(["calm", -1, "stressed"], dtype=object)).tolist()
    ['calm', '-1', 'stressed']
    >>> check_labels(["calm", 1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y mixes numbers and strings: 1 number label (e.g. 1 at position 1; ...
    """
    if isinstance(y, list | tuple) and all(np.ndim(v) == 0 for v in y):
        items = np.empty(len(y), dtype=object)  # keeps each item's own type
        items[:] = list(y)
        y = items
    unlabeled = unlabeled_mask(y, name=name)
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0]
    if y.dtype.kind != "O":
        return y
    kinds = np.array([_kind(v) for v in y.tolist()], dtype=object)
    labeled_kinds = set(kinds[~unlabeled].tolist())
    if len(labeled_kinds) > 1:
        parts = []
        for kind in sorted(labeled_kinds, key=str):
            where = np.flatnonzero((kinds == kind) & ~unlabeled)
            first = y[where[0]]
            shown = where[:5].tolist()
            more = f" (first 5 of {len(where)})" if len(where) > 5 else ""
            parts.append(
                f"{len(where)} {kind} label{'s' * (len(where) > 1)} (e.g. "
                f"{first!r} at position {where[0]}; positions {shown}{more})"
            )
        raise ValueError(
            f"{name} mixes {' and '.join(k + 's' for k in sorted(labeled_kinds))}: "
            f"{'; '.join(parts)}. Use one kind of label for every labelled sample "
            "(all strings, e.g. '1' for 1, or all numbers); -1 (or '-1') marks "
            "unlabeled samples among either."
        )
    if labeled_kinds == {"string"}:
        values = [
            "-1" if u else (v.decode() if isinstance(v, bytes) else str(v))
            for v, u in zip(y.tolist(), unlabeled.tolist())
        ]
        return np.array(values, dtype=str)
    if labeled_kinds == {"number"} or (not labeled_kinds and unlabeled.all()):
        return np.array([-1 if u else v for v, u in zip(y.tolist(), unlabeled)])
    return y


def mark_unlabeled(y, mask=None):
    """A copy of the array ``y`` with ``-1`` (the unlabeled marker) where ``mask``.

    Numbers get the number ``-1``, strings the string ``"-1"``, in an array wide
    enough to hold it (one-character labels such as ``"a"`` make a ``<U1`` array,
    where ``"-1"`` would be cut to ``"-"``, a label of its own).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    mask : array-like of bool of shape (n_samples,) or None, default=None
        Which samples lose their label; None: every sample.

    Examples
    --------
    >>> import numpy as np
    >>> mark_unlabeled(np.array(["a", "b"]), [False, True]).tolist()
    ['a', '-1']
    >>> mark_unlabeled(np.array([0, 1])).tolist()
    [-1, -1]
    """
    y = np.asarray(y)
    out = y.astype(np.result_type(y.dtype, "<U2")) if y.dtype.kind == "U" else y.copy()
    out[slice(None) if mask is None else np.asarray(mask, dtype=bool)] = UNLABELED
    return out


def as_fit_labels(y):
    """``y`` as scikit-learn's semi-supervised estimators take it.

    A string array (as :func:`check_labels` gives, ``"-1"`` marking unlabeled
    samples) becomes an object array of the same strings, with the integer ``-1``
    for the unlabeled ones: ``SelfTrainingClassifier`` refuses string arrays
    (labelled or not) and knows only ``-1`` as the unlabeled marker; every other
    scikit-learn classifier takes object arrays of strings alike. Any other ``y``
    is returned as it is.

    Examples
    --------
    >>> import numpy as np
    >>> as_fit_labels(np.array(["calm", "-1"])).tolist()
    ['calm', -1]
    >>> as_fit_labels(np.array(["calm", "sad"])).dtype
    dtype('O')
    """
    y = np.asarray(y)
    if y.dtype.kind not in "US":
        return y
    unlabeled = unlabeled_mask(y)
    out = y.astype(object)
    out[unlabeled] = -1
    return out


def encode_labels(y, *, classes=None, name="y"):
    """Split ``y`` into labelled and unlabeled samples and encode the labelled ones.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels, ``-1`` (or ``"-1"``) for unlabeled samples.
    classes : array-like, default=None
        The classes to encode with (e.g. those seen in ``fit``); default the
        sorted distinct labels of the labelled samples.
    name : str, default="y"
        Name of ``y`` in error messages.

    Returns
    -------
    labeled : ndarray of bool of shape (n_samples,)
    classes : ndarray
        The classes (never containing the unlabeled marker).
    codes : ndarray of int64 of shape (n_labeled,)
        Index into ``classes`` of each labelled sample, in order.

    Examples
    --------
    >>> import numpy as np
    >>> labeled, classes, codes = encode_labels(np.array(["sad", -1, "ang"]))
    >>> labeled.tolist(), classes.tolist(), codes.tolist()
    ([True, False, True], ['ang', 'sad'], [1, 0])
    """
    labeled = ~unlabeled_mask(y, name=name)
    y = np.asarray(y)
    if y.ndim == 2:
        y = y[:, 0]
    values = y[labeled]
    if classes is None:
        try:
            classes, codes = np.unique(values, return_inverse=True)
        except TypeError as exc:
            kinds = sorted({type(v).__name__ for v in values.tolist()})
            raise ValueError(
                f"{name} mixes label types {kinds} that cannot be sorted; use one "
                "type for the labels (and -1 for unlabeled samples)."
            ) from exc
        return labeled, classes, codes.reshape(-1).astype(np.int64)
    classes = np.asarray(classes)
    lookup = {c: i for i, c in enumerate(classes.tolist())}
    unknown = {v for v in values.tolist() if v not in lookup}
    if unknown:
        raise ValueError(
            f"{name} holds labels {sorted(map(str, unknown))} that are not among "
            f"the classes {classes.tolist()}."
        )
    codes = np.fromiter(
        (lookup[v] for v in values.tolist()), dtype=np.int64, count=len(values)
    )
    return labeled, classes, codes
