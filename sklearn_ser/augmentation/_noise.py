"""Additive noise on a waveform, at a signal-to-noise ratio drawn per call."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["AddNoise"]


class AddNoise(BaseEstimator):
    """Add noise to one waveform at a random signal-to-noise ratio.

    The SNR (dB) is drawn uniformly from ``snr_db``; the noise is scaled so that
    ``10 * log10(mean(signal**2) / mean(noise**2))`` equals it, with both powers
    taken over the whole utterance (its pauses included, as most augmentation
    toolkits do; the SNR over the voiced part alone is therefore a little higher).

    The noise is white Gaussian by default. Given ``noise`` (recordings, e.g. of
    a noise corpus such as MUSAN, at the waveforms' sampling rate), one recording
    is drawn per call and a stretch of it from a random offset is used, repeated
    cyclically when it is shorter than the signal.

    Used by :class:`AugmentedTraining` to make noisy copies of the training
    utterances only; on its own it is a callable ``augment(signal, rng)``.

    Parameters
    ----------
    snr_db : tuple of two floats, default=(10.0, 30.0)
        Range ``(low, high)`` of the signal-to-noise ratio in dB.
    noise : sequence of 1-D arrays or None, default=None
        Noise recordings; None: white Gaussian noise.

    Examples
    --------
    >>> import numpy as np
    >>> signal = np.sin(np.linspace(0, 200, 16000)).astype(np.float32)
    >>> noisy = AddNoise(snr_db=(20.0, 20.0))(signal, np.random.default_rng(0))
    >>> snr = 10 * np.log10(np.mean(signal**2) / np.mean((noisy - signal) ** 2))
    >>> round(float(snr), 3)
    20.0
    """

    _parameter_constraints = {"snr_db": [tuple], "noise": ["array-like", None]}

    def __init__(self, *, snr_db=(10.0, 30.0), noise=None):
        self.snr_db = snr_db
        self.noise = noise

    def check(self):
        """Validate the parameters; raise ValueError naming the one at fault."""
        # AddNoise is never fitted: AugmentedTraining calls check() before use
        self._validate_params()
        snr = self.snr_db
        if not (
            len(snr) == 2
            and all(isinstance(v, Real) and np.isfinite(v) for v in snr)
            and snr[0] <= snr[1]
        ):
            raise ValueError(
                f"AddNoise: snr_db must be (low, high) in dB with low <= high; "
                f"got {snr!r}."
            )
        if self.noise is not None:
            if len(self.noise) == 0:
                raise ValueError("AddNoise: noise is empty; give recordings or None.")
            for i, clip in enumerate(self.noise):
                clip = np.asarray(clip)
                if clip.ndim != 1 or clip.size == 0 or clip.dtype.kind not in "fiu":
                    raise ValueError(
                        f"AddNoise: noise[{i}] must be a non-empty 1-D numeric "
                        f"waveform; got shape {clip.shape}, dtype {clip.dtype}."
                    )
                if not np.isfinite(clip).all() or not np.any(clip):
                    raise ValueError(
                        f"AddNoise: noise[{i}] is silent or holds NaN/inf samples."
                    )

    def __call__(self, signal, rng):
        """A noisy copy of the 1-D ``signal`` (float32), drawn with ``rng``."""
        signal = np.asarray(signal, dtype=np.float32)
        snr = rng.uniform(*self.snr_db)
        power = float(np.mean(np.square(signal, dtype=np.float64)))
        if self.noise is None:
            noise = rng.standard_normal(signal.shape[0])
        else:
            k = int(rng.integers(len(self.noise)))
            clip = np.asarray(self.noise[k], dtype=np.float64)
            start = int(rng.integers(clip.shape[0]))
            noise = np.resize(np.roll(clip, -start), signal.shape)
            if not np.any(noise):
                raise ValueError(
                    f"AddNoise: the stretch of noise[{k}] drawn from sample {start} "
                    f"is silent over {signal.shape[0]} samples; trim its silences."
                )
        if power == 0.0:  # a silent signal has no SNR to keep: left as it is
            return signal.copy()
        scale = np.sqrt(power / (np.mean(np.square(noise)) * 10.0 ** (snr / 10.0)))
        return (signal + scale * noise).astype(np.float32)
