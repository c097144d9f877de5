"""Statistics pooling: a frame sequence becomes one fixed-size vector.

The one implementation of pooling, used by :class:`FrameStatistics` and by the
pretrained encoders' ``pooling`` (:mod:`sklearn_ser.features._pretrained`): each
statistic is taken per dimension over the frames, the statistics are concatenated in
the order asked for, and output ``<stat>_<input feature>`` is named in that order.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import _fit_context
from .._sequences import check_sequences

__all__ = ["FrameStatistics", "pool_statistics", "pooled_feature_names"]

_STATS = {
    "mean": lambda x: x.mean(axis=0),
    "std": lambda x: x.std(axis=0),
    "min": lambda x: x.min(axis=0),
    "max": lambda x: x.max(axis=0),
}


def pool_statistics(frames, stats):
    """Per-dimension statistics of ``(n_frames, d)`` frames, concatenated.

    Parameters
    ----------
    frames : array-like of shape (n_frames, d)
    stats : sequence of {"mean", "std", "min", "max"}

    Returns
    -------
    pooled : ndarray of shape (len(stats) * d,)
        The first statistic's ``d`` values, then the next statistic's, and so on;
        in the dtype of ``frames``.

    Examples
    --------
    >>> import numpy as np
    >>> pool_statistics(np.array([[0.0, 1.0], [2.0, 3.0]]), ("mean", "std"))
    array([1., 2., 1., 1.])
    """
    frames = np.asarray(frames)
    return np.concatenate([_STATS[s](frames) for s in stats])


def pooled_feature_names(stats, input_features):
    """``<stat>_<input feature>``, in the order of :func:`pool_statistics`.

    Examples
    --------
    >>> pooled_feature_names(("mean", "std"), ["a", "b"]).tolist()
    ['mean_a', 'mean_b', 'std_a', 'std_b']
    """
    return np.asarray([f"{s}_{f}" for s in stats for f in input_features], dtype=object)


class FrameStatistics(TransformerMixin, BaseEstimator):
    """Pool each frame sequence into per-dimension statistics over its frames.

    Turns a sequence dataset (e.g. from :class:`~sklearn_ser.LogMelDeltas` or
    :class:`~sklearn_ser.SparseAE`) into a 2-D array that any scikit-learn
    estimator accepts: the classic utterance-level baseline of frame features.

    Parameters
    ----------
    stats : tuple of {"mean", "std", "min", "max"}, default=("mean", "std")
        Statistics, concatenated in this order.

    Attributes
    ----------
    n_features_in_ : int
        Features per frame seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import FrameStatistics, as_sequences
    >>> X = as_sequences([np.arange(6.0).reshape(3, 2), np.ones((4, 2))])
    >>> FrameStatistics().fit_transform(X).shape
    (2, 4)
    """

    _parameter_constraints: dict = {"stats": [tuple, list]}

    def __init__(self, *, stats=("mean", "std")):
        self.stats = stats

    def _check_stats(self):
        unknown = [s for s in self.stats if s not in _STATS]
        if unknown or not self.stats:
            raise ValueError(
                f"stats must be a non-empty subset of {sorted(_STATS)}; got "
                f"{self.stats!r}."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of features per frame."""
        self._check_stats()
        X = check_sequences(X)
        self.n_features_in_ = X[0].shape[1]
        return self

    def transform(self, X):
        """Return ``(n_samples, len(stats) * n_features_in_)`` pooled statistics."""
        check_is_fitted(self)
        X = check_sequences(X, n_features=self.n_features_in_)
        return np.vstack([pool_statistics(x, self.stats) for x in X])

    def get_feature_names_out(self, input_features=None):
        """``<stat>_<input feature>`` for every statistic and input feature."""
        check_is_fitted(self)
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        return pooled_feature_names(self.stats, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
