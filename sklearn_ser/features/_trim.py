"""Trim leading and trailing silence from frame sequences (an energy rule)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, _fit_context
from .._sequences import as_sequences, check_sequences

__all__ = ["TrimSilence", "frame_energy_db"]


def frame_energy_db(x, columns=None):
    """Energy of every frame in dB from its log-energies in dB.

    ``10 log10(mean_k 10^(x_k / 10))`` over the selected columns (e.g. the
    ``n_mels`` static log-Mel energies of :class:`~sklearn_ser.LogMelDeltas`): the
    log of the frame's mean Mel power, computed stably.

    Parameters
    ----------
    x : ndarray of shape (n_frames, n_features)
    columns : array-like of int, slice or None
        Columns holding log-energies in dB; None: all.

    Returns
    -------
    energy : ndarray of shape (n_frames,)
    """
    x = np.asarray(x, dtype=np.float64)
    e = x if columns is None else x[:, columns]
    top = e.max(axis=1, keepdims=True)
    return top[:, 0] + 10 * np.log10(np.mean(10 ** ((e - top) / 10), axis=1))


class TrimSilence(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Cut the leading and trailing silence of every frame sequence.

    An energy rule, like :func:`librosa.effects.trim`, on frames: a frame is
    voiced when its energy (:func:`frame_energy_db` of ``columns``) is within
    ``top_db`` of the loudest frame of ITS OWN utterance; everything before the
    first and after the last voiced frame is dropped (pauses inside the utterance
    stay, so the sequence model keeps the rhythm). Each utterance is trimmed on
    its own statistics only, so the step learns nothing in ``fit`` and cannot leak
    between folds. Any sequence model downstream sees shorter, speech-only
    sequences (and trains faster).

    The columns must be log-energies in dB before any standardisation: put it
    right after ``LogMelDeltas(standardize=False)`` and standardise after it
    (:class:`FrameStandardScaler`), as
    :func:`~sklearn_ser.classifiers.make_attention_pipeline` does. A sequence
    with no finite energy (a failed item's NaN frame) is left as it is.

    Parameters
    ----------
    top_db : float, default=35.0
        Frames more than ``top_db`` below the utterance's loudest frame count as
        silence.
    columns : array-like of int or None, default=None
        Columns holding log-energies in dB (``range(n_mels)`` for
        :class:`~sklearn_ser.LogMelDeltas`, whose statics come first); None: all.
    min_frames : int, default=1
        Keep at least this many frames (the voiced span widened on both sides)
        even when fewer are voiced.

    Attributes
    ----------
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import as_sequences
    >>> quiet, loud = np.full((3, 2), -90.0), np.full((4, 2), -20.0)
    >>> X = as_sequences([np.vstack([quiet, loud, quiet])])
    >>> TrimSilence(top_db=35).fit_transform(X)[0].shape
    (4, 2)
    """

    _parameter_constraints: dict = {
        "top_db": [Interval(Real, 0, None, closed="neither")],
        "columns": ["array-like", None],
        "min_frames": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, top_db=35.0, columns=None, min_frames=1):
        self.top_db = top_db
        self.columns = columns
        self.min_frames = min_frames

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters against the frame width (nothing is learnt)."""
        X = check_sequences(X, allow_nan=True)
        self.n_features_in_ = X[0].shape[1]
        self._columns()
        return self

    def _columns(self):
        if self.columns is None:
            return None
        columns = np.asarray(self.columns, dtype=np.int64).ravel()
        if (
            columns.size == 0
            or columns.min() < 0
            or columns.max() >= self.n_features_in_
        ):
            raise ValueError(
                f"TrimSilence: columns must be indices of the {self.n_features_in_} "
                f"frame features; got {self.columns!r}."
            )
        return columns

    def _voiced_span(self, x, columns):
        energy = frame_energy_db(x, columns)
        finite = np.isfinite(energy)
        if not finite.any():
            return 0, len(x)
        peak = np.nanargmax(np.where(finite, energy, -np.inf))
        voiced = np.flatnonzero(finite & (energy >= energy[peak] - self.top_db))
        start, stop = voiced[0], voiced[-1] + 1
        short = self.min_frames - (stop - start)
        if short > 0:
            start = max(0, min(start - (short + 1) // 2, len(x) - self.min_frames))
            stop = min(len(x), start + self.min_frames)
        return start, stop

    def voiced_spans(self, X):
        """The ``[start, stop)`` frame span that :meth:`transform` keeps, per item.

        Useful to relate what a model saw to the untrimmed frames (e.g. the share
        of attention weight that fell on the cut silence).

        Returns
        -------
        spans : ndarray of int64 of shape (n_samples, 2)
        """
        return self._spans(self._check_X(X))

    def transform(self, X):
        """Every sequence from its first to its last voiced frame."""
        X = self._check_X(X)
        spans = self._spans(X)
        return as_sequences([x[start:stop] for x, (start, stop) in zip(X, spans)])

    def _check_X(self, X):
        check_is_fitted(self)
        return check_sequences(X, n_features=self.n_features_in_, allow_nan=True)

    def _spans(self, X):
        columns = self._columns()
        return np.array(
            [self._voiced_span(x, columns) for x in X], dtype=np.int64
        ).reshape(len(X), 2)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags
