"""Statistics pooling: a frame sequence becomes one fixed-size vector."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._sequences import check_sequences

__all__ = ["FrameStatistics"]

_STATS = {
    "mean": lambda x: x.mean(axis=0),
    "std": lambda x: x.std(axis=0),
    "min": lambda x: x.min(axis=0),
    "max": lambda x: x.max(axis=0),
}


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

    def fit(self, X, y=None):
        """Record the number of features per frame."""
        self._validate_params()
        self._check_stats()
        X = check_sequences(X)
        self.n_features_in_ = X[0].shape[1]
        return self

    def transform(self, X):
        """Return ``(n_samples, len(stats) * n_features_in_)`` pooled statistics."""
        check_is_fitted(self)
        X = check_sequences(X, n_features=self.n_features_in_)
        return np.vstack(
            [np.concatenate([_STATS[s](x) for s in self.stats]) for x in X]
        )

    def get_feature_names_out(self, input_features=None):
        """``<stat>_<input feature>`` for every statistic and input feature."""
        check_is_fitted(self)
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(
            [f"{s}_{f}" for s in self.stats for f in input_features], dtype=object
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
