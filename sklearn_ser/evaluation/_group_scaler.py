"""Per-group standardisation: what the per-speaker and per-corpus scalers share."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, _check_feature_names_in, _fit_context
from .._sequences import as_sequences, check_sequences, is_sequences

__all__ = ["BaseGroupStandardScaler", "standardize_block"]


def standardize_block(rows, *, with_mean=True, with_std=True, eps=1e-8):
    """Standardise a 2-D block with its own per-column statistics.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, n_features)
    with_mean : bool, default=True
        Subtract the column means.
    with_std : bool, default=True
        Divide by the column standard deviations.
    eps : float, default=1e-8
        Standard deviations below this are treated as 1 (constant columns).

    Returns
    -------
    ndarray of shape (n_rows, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> standardize_block(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    std = rows.std(axis=0)
    if with_mean:
        rows = rows - rows.mean(axis=0)
    if with_std:
        rows = rows / np.where(std < eps, 1.0, std)
    return rows


class BaseGroupStandardScaler(TransformerMixin, BaseEstimator):
    """Standardise each group's samples with that group's own statistics (base).

    Not for direct use. A subclass names its groups: ``_group_keys(groups)`` maps
    the routed ``groups`` to the key that is standardised together (the speaker,
    the corpus), ``_groups_help`` says what ``groups`` must hold, and
    ``_record_groups(keys)`` stores what ``fit`` learns about them. ``X`` is a 2-D
    array or a sequence dataset (then the statistics are over every frame of a
    group's utterances). The groups arrive through metadata routing: ``fit`` and
    ``transform`` request them by default, because the step is useless without
    them.
    """

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "eps": [Interval(Real, 0, None, closed="left")],
    }
    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    #: After "needs groups": what they hold and how to pass them.
    _groups_help = ""
    #: What one group label is, for the error on a wrong number of them.
    _group_noun = "entry"

    def _group_keys(self, groups):
        raise NotImplementedError

    def _record_groups(self, keys):
        raise NotImplementedError

    def _keys(self, groups, n, method):
        if groups is None:
            raise ValueError(
                f"{type(self).__name__}.{method} needs groups {self._groups_help}"
            )
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != n:
            raise ValueError(
                f"groups must be 1-D with one {self._group_noun} per sample ({n}); "
                f"got shape {groups.shape}."
            )
        return self._group_keys(groups)

    def _check_X(self, X, reset):
        if is_sequences(X):
            kw = {} if reset else {"n_features": self.n_features_in_}
            X = check_sequences(X, **kw)
            if reset:
                self.n_features_in_ = X[0].shape[1]
            return X
        return validate_data(self, X, dtype=np.float64, reset=reset, copy=not reset)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, groups=None):
        """Check the input and record the training groups.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset
        y : ignored
        groups : array-like of shape (n_samples,)
            The group of each sample.

        Returns
        -------
        self : object
        """
        X = self._check_X(X, reset=True)
        self._record_groups(self._keys(groups, len(X), "fit"))
        return self

    def _scale(self, rows):
        return standardize_block(
            rows, with_mean=self.with_mean, with_std=self.with_std, eps=self.eps
        )

    def transform(self, X, groups=None):
        """Standardise each group's samples with that group's statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset
        groups : array-like of shape (n_samples,)
            The group of each sample; all of a group's samples in ``X`` form its
            statistics.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features) or sequence dataset
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        keys = self._keys(groups, len(X), "transform")
        if not is_sequences(X):
            for k in np.unique(keys):
                X[keys == k] = self._scale(X[keys == k])
            return X
        out = list(X)
        for k in np.unique(keys):
            idx = np.flatnonzero(keys == k)
            lengths = [X[i].shape[0] for i in idx]
            frames = self._scale(np.concatenate([X[i] for i in idx]).astype(float))
            for i, part in zip(idx, np.split(frames, np.cumsum(lengths)[:-1])):
                out[i] = part
        return as_sequences(out, dtype=X[0].dtype)

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then transform with the same groups (both need them)."""
        return self.fit(X, y, groups=groups).transform(X, groups=groups)

    def get_feature_names_out(self, input_features=None):
        """The input feature names, unchanged (one output per input feature)."""
        check_is_fitted(self, "n_features_in_")
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
