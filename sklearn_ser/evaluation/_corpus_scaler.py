"""Per-corpus standardisation: an opt-in step that adapts to the test corpus."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, _check_feature_names_in, _fit_context
from .._sequences import as_sequences, check_sequences, is_sequences

__all__ = ["CorpusStandardScaler", "corpus_of"]

#: Separates the corpus from the speaker in cross-corpus groups ("emovo:f1").
CORPUS_SEPARATOR = ":"


def corpus_of(groups, separator=CORPUS_SEPARATOR):
    """The corpus part of ``"<corpus><separator><speaker>"`` group labels.

    Parameters
    ----------
    groups : array-like of shape (n_samples,)
        Group labels as :func:`~sklearn_ser.evaluation.evaluate_cross_corpus` makes
        them; a label without the separator is its own corpus.
    separator : str, default=":"

    Returns
    -------
    corpora : ndarray of str

    Examples
    --------
    >>> corpus_of(["emovo:f1", "ravdess:Actor_01"]).tolist()
    ['emovo', 'ravdess']
    """
    return np.array([str(g).split(separator, 1)[0] for g in np.asarray(groups)])


class CorpusStandardScaler(TransformerMixin, BaseEstimator):
    """Standardise each corpus's features with that corpus's own statistics.

    Every call subtracts, per corpus, the mean of that corpus's samples in the batch
    and divides by their standard deviation; labels are never used. A corpus is the
    part of each speaker group before ``separator`` (``"emovo:f1"`` is EMOVO), as
    :func:`~sklearn_ser.evaluation.evaluate_cross_corpus` names them, so the speaker
    groups still reach early stopping unchanged.

    Like :class:`SpeakerStandardScaler`, this **adapts to the test corpus**: at test
    time it uses statistics of the whole (unlabeled) test corpus, which must then be
    available as one batch. It is opt-in, and reports say so
    (``adapts_to_test_corpus``). It accepts 2-D feature arrays and sequence datasets
    (statistics over every frame of the corpus's utterances).

    The groups arrive through metadata routing: ``fit`` and ``transform`` request
    ``groups`` by default.

    Parameters
    ----------
    separator : str, default=":"
        Separates the corpus from the speaker in each group label.
    with_mean : bool, default=True
    with_std : bool, default=True
    eps : float, default=1e-8
        Standard deviations below this are treated as 1.

    Attributes
    ----------
    n_features_in_ : int
    corpora_fit_ : ndarray of str
        The corpora of the training data.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [3.0], [10.0], [30.0]])
    >>> groups = ["a:s1", "a:s2", "b:s3", "b:s3"]
    >>> CorpusStandardScaler().fit_transform(X, groups=groups).ravel().tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """

    _parameter_constraints = {
        "separator": [str],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "eps": [Interval(Real, 0, None, closed="left")],
    }
    __metadata_request__fit = {"groups": True}
    __metadata_request__transform = {"groups": True}

    def __init__(
        self, *, separator=CORPUS_SEPARATOR, with_mean=True, with_std=True, eps=1e-8
    ):
        self.separator = separator
        self.with_mean = with_mean
        self.with_std = with_std
        self.eps = eps

    def _corpora(self, groups, n, method):
        if groups is None:
            raise ValueError(
                f"CorpusStandardScaler.{method} needs groups ('<corpus>:<speaker>' "
                "per sample). In a Pipeline, enable metadata routing and pass "
                "groups=..., or use sklearn_ser.evaluation.evaluate_cross_corpus."
            )
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != n:
            raise ValueError(
                f"groups must be 1-D with one entry per sample ({n}); "
                f"got shape {groups.shape}."
            )
        return corpus_of(groups, self.separator)

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
        """Check the input and record the training corpora.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset
        y : ignored
        groups : array-like of shape (n_samples,)
            ``"<corpus>:<speaker>"`` of each sample.

        Returns
        -------
        self : object
        """
        X = self._check_X(X, reset=True)
        self.corpora_fit_ = np.unique(self._corpora(groups, len(X), "fit"))
        return self

    def _scale(self, rows):
        """Standardise a 2-D block with its own statistics."""
        std = rows.std(axis=0)
        if self.with_mean:
            rows = rows - rows.mean(axis=0)
        if self.with_std:
            rows = rows / np.where(std < self.eps, 1.0, std)
        return rows

    def transform(self, X, groups=None):
        """Standardise each corpus's samples with that corpus's statistics.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset
        groups : array-like of shape (n_samples,)
            ``"<corpus>:<speaker>"`` of each sample.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features) or sequence dataset
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        corpora = self._corpora(groups, len(X), "transform")
        if not is_sequences(X):
            for c in np.unique(corpora):
                X[corpora == c] = self._scale(X[corpora == c])
            return X
        out = list(X)
        for c in np.unique(corpora):
            idx = np.flatnonzero(corpora == c)
            lengths = [X[i].shape[0] for i in idx]
            frames = self._scale(np.concatenate([X[i] for i in idx]).astype(float))
            for i, part in zip(idx, np.split(frames, np.cumsum(lengths)[:-1])):
                out[i] = part
        return as_sequences(out, dtype=X[0].dtype)

    def fit_transform(self, X, y=None, groups=None):
        """Fit, then transform with the same groups."""
        return self.fit(X, y, groups=groups).transform(X, groups=groups)

    def get_feature_names_out(self, input_features=None):
        """The input feature names, unchanged (one output per input feature)."""

        check_is_fitted(self, "n_features_in_")
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
