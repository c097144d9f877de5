"""The one representation of variable-length frame sequences used by sklearn-ser.

A **sequence dataset** is a 1-D :class:`numpy.ndarray` of ``dtype=object`` and shape
``(n_samples,)`` whose item ``i`` is a C-contiguous ``float32`` array of shape
``(n_frames_i, n_features)``: one utterance, one row per frame. ``n_features`` is the
same for every item; ``n_frames_i`` varies.

Why this shape: scikit-learn indexes it like any array (``_safe_indexing``,
``check_consistent_length``, ``clone``, pickling, ``cross_val_score(n_jobs=2)`` and
``GridSearchCV`` all work unchanged), skorch measures its length and slices it like
any array, and nothing is padded to the corpus' longest utterance. Padding happens per
mini-batch inside the networks, with explicit lengths (:func:`pad_sequences`). A stock
scikit-learn step that expects a 2-D numeric array refuses it with an error instead
of silently receiving padding values or NaN.

Build one with :func:`as_sequences` (never ``np.array(list_of_arrays)``, which makes a
3-D array when all lengths happen to agree).
"""

import numpy as np

__all__ = [
    "as_sequences",
    "check_sequences",
    "concat_frames",
    "is_sequences",
    "pad_sequences",
    "sequence_lengths",
    "split_frames",
    "unpad_sequences",
]


def as_sequences(sequences, *, dtype=np.float32):
    """Build a sequence dataset from an iterable of 2-D arrays.

    Parameters
    ----------
    sequences : iterable of array-like of shape (n_frames_i, n_features)
        One frame matrix per utterance. A 1-D item is read as one feature per frame.
    dtype : numpy dtype, default=np.float32
        dtype of every item.

    Returns
    -------
    X : ndarray of dtype object and shape (n_samples,)
        The sequence dataset.

    Examples
    --------
    >>> import numpy as np
    >>> X = as_sequences([np.zeros((3, 2)), np.ones((5, 2))])
    >>> X.shape, X.dtype, X[1].shape
    ((2,), dtype('O'), (5, 2))
    """
    if is_sequences(sequences):
        items = list(sequences)
    elif hasattr(sequences, "iloc"):
        items = list(sequences.to_numpy())
    else:
        items = list(sequences)
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        arr = np.ascontiguousarray(item, dtype=dtype)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ValueError(
                f"Sequence {i} has {arr.ndim} dimensions; each sequence must be a "
                "2-D array of shape (n_frames, n_features)."
            )
        out[i] = arr
    return out


def is_sequences(X):
    """Return True if ``X`` is a sequence dataset (1-D object array of 2-D arrays).

    Examples
    --------
    >>> import numpy as np
    >>> is_sequences(as_sequences([np.zeros((2, 3))])), is_sequences(np.zeros((2, 3)))
    (True, False)
    """
    return (
        isinstance(X, np.ndarray)
        and X.dtype == object
        and X.ndim == 1
        and all(isinstance(x, np.ndarray) and x.ndim == 2 for x in X)
    )


def check_sequences(
    X, *, n_features=None, allow_nan=False, min_frames=1, name="X", dtype=np.float32
):
    """Validate a sequence dataset and return it as one (copying only if needed).

    Parameters
    ----------
    X : sequence dataset, or list / pandas Series of 2-D arrays
        Input to check.
    n_features : int, default=None
        Required number of features per frame (e.g. the one seen in ``fit``).
    allow_nan : bool, default=False
        Accept NaN / inf values.
    min_frames : int, default=1
        Minimal number of frames per sequence.
    name : str, default="X"
        Name used in error messages.
    dtype : numpy dtype, default=np.float32
        dtype of the returned items.

    Returns
    -------
    X : ndarray of dtype object and shape (n_samples,)

    Raises
    ------
    ValueError
        Naming the first offending sequence and why.
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        raise ValueError(
            f"{name} must be a sequence dataset (1-D object array of 2-D frame "
            f"arrays, see sklearn_ser.as_sequences); got a {X.ndim}-D "
            f"{X.dtype} array of shape {X.shape}. Put a sequence extractor such as "
            "LogMelDeltas before this step."
        )
    if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
        raise TypeError(
            f"{name} must be a sequence dataset (1-D object array of 2-D frame "
            f"arrays); got {type(X).__name__}."
        )
    try:
        X = as_sequences(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} is not a valid sequence dataset: {exc}") from exc
    if len(X) == 0:
        raise ValueError(f"{name} holds no sequences (0 samples).")
    for i, x in enumerate(X):
        if n_features is not None and x.shape[1] != n_features:
            raise ValueError(
                f"{name}[{i}] has {x.shape[1]} features per frame, but this "
                f"estimator is expecting {n_features} features as input."
            )
        if x.shape[0] < min_frames:
            raise ValueError(
                f"{name}[{i}] has {x.shape[0]} frames; at least {min_frames} required."
            )
        if not allow_nan and not np.isfinite(x).all():
            raise ValueError(
                f"{name}[{i}] contains NaN or infinity (a failed extraction with "
                "on_error='warn' gives NaN frames: drop those samples first)."
            )
    feats = {x.shape[1] for x in X}
    if len(feats) > 1:
        raise ValueError(
            f"{name} mixes sequences with different feature counts {sorted(feats)}."
        )
    return X


def sequence_lengths(X):
    """Number of frames of each sequence, as an int64 array of shape (n_samples,).

    Examples
    --------
    >>> import numpy as np
    >>> sequence_lengths(as_sequences([np.zeros((3, 2)), np.ones((5, 2))]))
    array([3, 5])
    """
    return np.fromiter((len(x) for x in X), dtype=np.int64, count=len(X))


def pad_sequences(X, *, max_length=None, padding_value=0.0, dtype=np.float32):
    """Pad a batch of sequences to a 3-D array, returning it with the lengths.

    Parameters
    ----------
    X : sequence dataset or list of 2-D arrays
        The batch.
    max_length : int, default=None
        Pad (or truncate) to this many frames; default the batch's longest sequence.
    padding_value : float, default=0.0
        Value written after the end of each sequence.
    dtype : numpy dtype, default=np.float32

    Returns
    -------
    padded : ndarray of shape (n_samples, max_length, n_features)
    lengths : ndarray of int64 of shape (n_samples,)
        Valid frames of each row (at most ``max_length``).

    Examples
    --------
    >>> import numpy as np
    >>> padded, lengths = pad_sequences([np.ones((2, 1)), np.ones((3, 1))])
    >>> padded.shape, lengths.tolist(), padded[0, :, 0].tolist()
    ((2, 3, 1), [2, 3], [1.0, 1.0, 0.0])
    """
    lengths = np.fromiter((len(x) for x in X), dtype=np.int64, count=len(X))
    if len(X) == 0:
        raise ValueError("Cannot pad an empty batch of sequences.")
    T = int(lengths.max()) if max_length is None else int(max_length)
    n_features = np.shape(X[0])[1]
    padded = np.full((len(X), T, n_features), padding_value, dtype=dtype)
    for i, x in enumerate(X):
        n = min(len(x), T)
        padded[i, :n] = x[:n]
    return padded, np.minimum(lengths, T)


def unpad_sequences(padded, lengths):
    """Inverse of :func:`pad_sequences`: cut each row back to its length.

    Examples
    --------
    >>> import numpy as np
    >>> X = unpad_sequences(np.zeros((2, 4, 3)), [1, 4])
    >>> [x.shape for x in X]
    [(1, 3), (4, 3)]
    """
    padded = np.asarray(padded)
    return as_sequences(
        [padded[i, : int(n)] for i, n in enumerate(lengths)], dtype=padded.dtype
    )


def concat_frames(X):
    """Stack every frame of every sequence into one 2-D array.

    Returns
    -------
    frames : ndarray of shape (sum(n_frames_i), n_features)
    lengths : ndarray of int64 of shape (n_samples,)
        To undo with :func:`split_frames`.

    Examples
    --------
    >>> import numpy as np
    >>> X = as_sequences([np.zeros((2, 3)), np.ones((1, 3))])
    >>> frames, lengths = concat_frames(X)
    >>> frames.shape, lengths.tolist()
    ((3, 3), [2, 1])
    """
    lengths = sequence_lengths(X)
    return np.concatenate(list(X), axis=0), lengths


def split_frames(frames, lengths):
    """Cut a 2-D frame array back into a sequence dataset (inverse of concat_frames).

    Examples
    --------
    >>> import numpy as np
    >>> [x.shape for x in split_frames(np.zeros((5, 2)), [2, 3])]
    [(2, 2), (3, 2)]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.sum() != len(frames):
        raise ValueError(
            f"lengths sum to {int(lengths.sum())} but there are {len(frames)} frames."
        )
    if not isinstance(lengths, np.ndarray) or not np.all(lengths >= 0):
        raise ValueError("lengths must be non-negative integers.")
    bounds = np.cumsum(lengths)[:-1]
    return as_sequences(np.split(np.asarray(frames), bounds), dtype=frames.dtype)
