"""Training-time augmentation of frame sequences (SpecAugment-style, tempo).

An augmenter changes one training utterance at a time, drawn afresh every epoch,
inside the classifier's TRAINING loader only (``iterator_train``): the validation
utterances used for early stopping, and everything given to ``predict``, are never
augmented. It therefore cannot leak into validation or test data, and it enlarges
only the training folds of a cross-validation: no sample is added to ``X``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

from .._compat import Interval

__all__ = ["SpecAugment"]


class SpecAugment(BaseEstimator):
    """Random tempo change and time / frequency masks on one sequence.

    Applied by :class:`~sklearn_ser.classifiers.SemiSupervisedAttentionClassifier`
    (``augment=``) to each training utterance, newly drawn every epoch (Park et
    al., 2019, "SpecAugment"; tempo perturbation as in Ko et al., 2015, done here
    on the frames):

    1. tempo: the sequence is resampled in time by a factor drawn uniformly from
       ``tempo`` (linear interpolation between neighbouring frames; 1.1 makes the
       utterance 10 % faster, i.e. 10 % fewer frames);
    2. ``freq_masks`` frequency masks: each sets ``f ~ U{0..freq_width}``
       consecutive bands to 0 (the mean of standardised features), in every one
       of the ``n_blocks`` blocks of a frame (log-Mel + deltas: the same bands in
       the statics, deltas and delta-deltas);
    3. ``time_masks`` time masks: each sets ``t ~ U{0..time_width * n_frames}``
       consecutive frames to 0.

    Parameters
    ----------
    freq_masks : int, default=2
    freq_width : int, default=6
        Widest frequency mask, in bands of one block.
    time_masks : int, default=2
    time_width : float in [0, 1), default=0.1
        Widest time mask, as a fraction of the utterance's frames.
    tempo : tuple of two floats or None, default=(0.9, 1.1)
        Range of the tempo factor; None keeps the tempo.
    n_blocks : int, default=3
        Equal blocks a frame is made of (3 for :class:`~sklearn_ser.LogMelDeltas`;
        1 for features without deltas).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.augmentation import SpecAugment
    >>> aug = SpecAugment(freq_masks=1, freq_width=2, time_masks=1, tempo=None)
    >>> x = np.ones((50, 12), dtype=np.float32)
    >>> out = aug(x, np.random.default_rng(0))
    >>> out.shape, out.dtype, bool((out == 0).any()), float(x.min())
    ((50, 12), dtype('float32'), True, 1.0)
    """

    _parameter_constraints = {
        "freq_masks": [Interval(Integral, 0, None, closed="left")],
        "freq_width": [Interval(Integral, 0, None, closed="left")],
        "time_masks": [Interval(Integral, 0, None, closed="left")],
        "time_width": [Interval(Real, 0, 1, closed="left")],
        "tempo": [tuple, None],
        "n_blocks": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        freq_masks=2,
        freq_width=6,
        time_masks=2,
        time_width=0.1,
        tempo=(0.9, 1.1),
        n_blocks=3,
    ):
        self.freq_masks = freq_masks
        self.freq_width = freq_width
        self.time_masks = time_masks
        self.time_width = time_width
        self.tempo = tempo
        self.n_blocks = n_blocks

    def check(self, n_features):
        """Validate the parameters against a frame width; raise ValueError if not."""
        # SpecAugment is never fitted: the classifier calls check() in its fit
        self._validate_params()
        if self.tempo is not None:
            low, high = self.tempo if len(self.tempo) == 2 else (0, 0)
            if not 0 < low <= high:
                raise ValueError(
                    "SpecAugment: tempo must be (low, high) with 0 < low <= high; "
                    f"got {self.tempo!r}."
                )
        if n_features % self.n_blocks:
            raise ValueError(
                f"SpecAugment: frames have {n_features} features, not a multiple of "
                f"n_blocks={self.n_blocks}."
            )

    def __call__(self, x, rng):
        """An augmented copy of one ``(n_frames, n_features)`` sequence."""
        x = np.asarray(x)
        if self.tempo is not None:
            x = stretch(x, rng.uniform(*self.tempo))
        else:
            x = x.copy()
        n, width = x.shape
        block = width // self.n_blocks
        for _ in range(self.freq_masks):
            f = int(rng.integers(0, min(self.freq_width, block) + 1))
            if f:
                start = int(rng.integers(0, block - f + 1))
                for b in range(self.n_blocks):
                    x[:, b * block + start : b * block + start + f] = 0
        widest = int(self.time_width * n)
        for _ in range(self.time_masks):
            t = int(rng.integers(0, widest + 1))
            if t and t < n:
                start = int(rng.integers(0, n - t + 1))
                x[start : start + t] = 0
        return x


def stretch(x, factor):
    """Resample a frame sequence in time: ``round(n / factor)`` frames (>= 1).

    Frame ``j`` of the output is the linear interpolation of the input at time
    ``j * (n - 1) / (m - 1)``, so the first and last frames are kept.
    """
    n = len(x)
    m = max(1, int(round(n / factor)))
    if m == n or n == 1:
        return np.array(x, copy=True)
    pos = np.linspace(0, n - 1, m) if m > 1 else np.zeros(1)
    return _interpolate(x, pos, axis=0)


def _interpolate(x, pos, axis):
    """``x`` linearly interpolated at fractional indices ``pos`` along ``axis``."""
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, x.shape[axis] - 1)
    shape = [1] * x.ndim
    shape[axis] = -1
    w = (pos - lo).reshape(shape).astype(x.dtype)
    out = (1 - w) * np.take(x, lo, axis=axis) + w * np.take(x, hi, axis=axis)
    return out.astype(x.dtype, copy=False)
