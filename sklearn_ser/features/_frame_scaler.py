"""Standardise the frames of a sequence dataset with training-frame statistics."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, _fit_context
from .._sequences import as_sequences, check_sequences

__all__ = ["FrameStandardScaler"]


class FrameStandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Zero mean, unit variance per frame dimension, over all training frames.

    :class:`~sklearn.preprocessing.StandardScaler` for a sequence dataset (see
    :mod:`sklearn_ser._sequences`): ``fit`` accumulates each dimension's mean and
    variance over every frame of every training sequence (so a long utterance
    weighs by its length, as in :class:`~sklearn_ser.LogMelDeltas`'
    ``standardize``), ``transform`` standardises each sequence with them. Put it
    between a frame extractor that does not standardise (e.g.
    :class:`~sklearn_ser.WhisperEncoder` with ``pooling=None``) and a sequence
    model.

    Parameters
    ----------
    stride : int, default=1
        Keep every ``stride``-th frame (after standardising): 2 halves the frame
        rate of a 50-frames-per-second encoder, and the cost of a recurrent model
        on top.

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_features_in_,)
        Per-dimension mean and standard deviation of the training frames (a zero
        deviation is replaced by 1).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import as_sequences
    >>> X = as_sequences([np.array([[0.0], [2.0]]), np.array([[4.0]])])
    >>> Z = FrameStandardScaler().fit_transform(X)
    >>> [np.round(x.ravel().astype(float), 3).tolist() for x in Z]
    [[-1.225, 0.0], [1.225]]
    """

    _parameter_constraints: dict = {
        "stride": [Interval(Integral, 1, None, closed="left")]
    }

    def __init__(self, *, stride=1):
        self.stride = stride

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the per-dimension mean and standard deviation of all frames."""
        X = check_sequences(X)
        n = 0
        total = np.zeros(X[0].shape[1], np.float64)
        for x in X:
            total += x.sum(axis=0, dtype=np.float64)
            n += len(x)
        mean = total / n
        sq = np.zeros_like(total)
        for x in X:
            sq += ((x - mean) ** 2).sum(axis=0, dtype=np.float64)
        std = np.sqrt(sq / n)
        std[std == 0] = 1.0
        self.mean_, self.scale_ = mean, std
        self.n_features_in_ = X[0].shape[1]
        return self

    def transform(self, X):
        """Standardise every frame; keep every ``stride``-th."""
        check_is_fitted(self)
        X = check_sequences(X, n_features=self.n_features_in_)
        mean = self.mean_.astype(np.float32)
        scale = self.scale_.astype(np.float32)
        return as_sequences([((x - mean) / scale)[:: self.stride] for x in X])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
