"""Per-speaker standardisation: an opt-in step that adapts to the test speaker."""

from numbers import Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, _fit_context

__all__ = ["SpeakerStandardScaler"]


class SpeakerStandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise each speaker's features with that speaker's own statistics.

    Every call (``fit_transform`` on training speakers, ``transform`` on test
    speakers) subtracts, per speaker, the mean of that speaker's rows in the batch
    and divides by their standard deviation. Only features are used, never labels.

    This is a known strong gain in speech emotion recognition, and it is **not**
    strictly speaker-independent: at test time it uses statistics of the test
    speaker's (unlabeled) features, i.e. it adapts to the test speaker and needs a
    batch of that speaker's utterances. It is therefore never part of a default
    pipeline, and reports of pipelines using it say so
    (``adapts_to_test_speaker``).

    The speakers arrive as ``groups`` through scikit-learn metadata routing: the
    step requests ``groups`` in ``fit`` and ``transform`` by default, so a
    ``Pipeline`` holding it routes them when routing is enabled
    (:func:`sklearn_ser.evaluation.evaluate` does this per fold; elsewhere use
    ``sklearn.config_context(enable_metadata_routing=True)`` and pass
    ``groups=`` to ``fit`` and ``predict``).

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each speaker's mean.
    with_std : bool, default=True
        Divide by each speaker's standard deviation.
    eps : float, default=1e-8
        Standard deviations below this are treated as 1 (constant features).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen in fit.
    n_speakers_fit_ : int
        Number of speakers in the training data.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [3.0], [10.0], [30.0]])
    >>> groups = ["a", "a", "b", "b"]
    >>> SpeakerStandardScaler().fit_transform(X, groups=groups).ravel().tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "eps": [Interval(Real, 0, None, closed="left")],
    }
    # Routed by default: the step is useless without the speakers.
    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    def __init__(self, *, with_mean=True, with_std=True, eps=1e-8):
        self.with_mean = with_mean
        self.with_std = with_std
        self.eps = eps

    def _check_groups(self, groups, n, method):
        if groups is None:
            raise ValueError(
                f"SpeakerStandardScaler.{method} needs groups (the speaker of each "
                "sample). In a Pipeline, enable metadata routing "
                "(sklearn.config_context(enable_metadata_routing=True)) and pass "
                "groups=..., or use sklearn_ser.evaluation.evaluate."
            )
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != n:
            raise ValueError(
                f"groups must be 1-D with one speaker per sample ({n}); "
                f"got shape {groups.shape}."
            )
        return groups

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, groups=None):
        """Check the input and record the number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        groups : array-like of shape (n_samples,)
            Speaker of each sample.

        Returns
        -------
        self : object
        """
        X = validate_data(self, X, dtype=np.float64)
        groups = self._check_groups(groups, X.shape[0], "fit")
        self.n_speakers_fit_ = int(np.unique(groups).size)
        return self

    def transform(self, X, groups=None):
        """Standardise each speaker's rows with that speaker's statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        groups : array-like of shape (n_samples,)
            Speaker of each sample; all of a speaker's rows in ``X`` form its
            statistics.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, copy=True)
        groups = self._check_groups(groups, X.shape[0], "transform")
        for g in np.unique(groups):
            rows = groups == g
            block = X[rows]
            if self.with_mean:
                block = block - block.mean(axis=0)
            if self.with_std:
                std = X[rows].std(axis=0)
                block = block / np.where(std < self.eps, 1.0, std)
            X[rows] = block
        return X

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then transform with the same groups (both need them)."""
        return self.fit(X, y, groups=groups).transform(X, groups=groups)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
