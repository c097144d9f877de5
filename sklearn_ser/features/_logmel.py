"""Log-Mel filterbank energies with deltas, as frame sequences."""

import sys
import threading
import warnings
from numbers import Integral, Real

import librosa
import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, _fit_context
from .._sequences import as_sequences, check_sequences
from ._base import BaseAudioExtractor

__all__ = ["LogMelDeltas"]

# Seconds after which preparing librosa is worth a word (a warm start takes 1-5 s).
_SLOW_PREPARATION = 3.0


def _warm_librosa():
    # librosa's numba functions compile on first use (then numba caches them on
    # disk): importing its utilities and one tiny spectrogram compile all we use.
    librosa.feature.melspectrogram(
        y=np.zeros(1600, dtype=np.float32), sr=16000, n_fft=512, n_mels=8
    )


def _prepare_librosa(verbose):
    """Warm librosa once per process, saying so on stderr when it takes long.

    The first log-Mel extraction after installing librosa used to sit silent for
    30-70 s while numba compiled; in parallel runs every worker compiled at once.
    """
    if getattr(_prepare_librosa, "done", False):
        return
    worker = threading.Thread(target=_warm_librosa, daemon=True)
    worker.start()
    worker.join(_SLOW_PREPARATION)
    if worker.is_alive() and verbose:
        print(
            "LogMelDeltas: preparing librosa; its numba functions compile on first "
            "use after installation (up to a minute, once) ...",
            file=sys.stderr,
            flush=True,
        )
    while worker.is_alive():
        worker.join(0.5)
    _prepare_librosa.done = True


class LogMelDeltas(BaseAudioExtractor, auto_wrap_output_keys=None):
    """Log-Mel energies with first and second derivatives, standardised per dimension.

    Each utterance becomes a ``(n_frames, 3 * n_mels)`` float32 array (120 values per
    frame by default, about 100 frames per second): ``n_mels`` log-Mel energies
    (``10 log10`` of the Mel power spectrum of Hann-windowed frames), their first
    temporal derivative and their second, each computed with a Savitzky-Golay
    filter over ``delta_width`` frames (edge frames repeated, so a clip shorter than
    the delta window works). The output is a sequence dataset (a 1-D object array of
    2-D arrays, see :mod:`sklearn_ser._sequences`), never padded.

    ``fit`` learns the mean and standard deviation of every dimension over all
    training frames; ``transform`` standardises with them (zero mean, unit
    variance), as the attention paper does. Frames are centred on ``t * hop``
    (librosa's ``center=True``), so a clip of ``d`` seconds gives
    ``1 + floor(d / hop_length)`` frames, and even a clip shorter than one window
    gives one frame.

    Parameters
    ----------
    n_mels : int, default=40
        Mel bands.
    win_length : float, default=0.025
        Analysis window in seconds.
    hop_length : float, default=0.010
        Hop between frames in seconds.
    n_fft : int, default=None
        FFT size; default the next power of two of the window length in samples.
    fmin : float, default=0.0
        Lowest Mel band edge (Hz).
    fmax : float, default=None
        Highest Mel band edge (Hz); default half the sampling rate.
    delta_width : int, default=9
        Odd number of frames of the derivative filter.
    standardize : bool, default=True
        Standardise with the training statistics.
    sampling_rate, target_sampling_rate, channel, on_error, n_jobs, memory, verbose
        As in :class:`~sklearn_ser.OpenSmileFeatures`. The cache holds the
        unstandardised features, so it serves every fold. A failed item becomes
        one frame of NaN with ``on_error="warn"``.

    Attributes
    ----------
    mean_ : ndarray of shape (3 * n_mels,)
        Per-dimension mean over the training frames.
    scale_ : ndarray of shape (3 * n_mels,)
        Per-dimension standard deviation (1 where it is 0).
    n_frames_seen_ : int
        Number of frames the statistics were computed over.
    n_features_out_ : int
        ``3 * n_mels``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import LogMelDeltas
    >>> t = np.arange(16000) / 16000
    >>> wave = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    >>> X = LogMelDeltas(sampling_rate=16000).fit_transform([wave, wave[:4000]])
    >>> X[0].shape, X[1].shape
    ((101, 120), (26, 120))
    """

    _parameter_constraints: dict = {
        **BaseAudioExtractor._parameter_constraints,
        "n_mels": [Interval(Integral, 1, None, closed="left")],
        "win_length": [Interval(Real, 0, None, closed="neither")],
        "hop_length": [Interval(Real, 0, None, closed="neither")],
        "n_fft": [Interval(Integral, 1, None, closed="left"), None],
        "fmin": [Interval(Real, 0, None, closed="left")],
        "fmax": [Interval(Real, 0, None, closed="neither"), None],
        "delta_width": [Interval(Integral, 3, None, closed="left")],
        "standardize": ["boolean"],
    }

    def __init__(
        self,
        *,
        n_mels=40,
        win_length=0.025,
        hop_length=0.010,
        n_fft=None,
        fmin=0.0,
        fmax=None,
        delta_width=9,
        standardize=True,
        sampling_rate=None,
        target_sampling_rate=16000,
        channel=None,
        on_error="raise",
        n_jobs=None,
        memory=None,
        verbose=0,
    ):
        self.n_mels = n_mels
        self.win_length = win_length
        self.hop_length = hop_length
        self.n_fft = n_fft
        self.fmin = fmin
        self.fmax = fmax
        self.delta_width = delta_width
        self.standardize = standardize
        self.sampling_rate = sampling_rate
        self.target_sampling_rate = target_sampling_rate
        self.channel = channel
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _config(self):
        return (
            self.n_mels,
            self.win_length,
            self.hop_length,
            self.n_fft,
            self.fmin,
            self.fmax,
            self.delta_width,
            self.target_sampling_rate,
            self.channel,
            librosa.__version__,
            # computed on one BLAS thread (one_blas_thread): entries cached before
            # could differ in the last bits with the process that computed them
            "blas-1",
        )

    def _compute(self, signal, sampling_rate):
        win = max(1, int(round(self.win_length * sampling_rate)))
        hop = max(1, int(round(self.hop_length * sampling_rate)))
        n_fft = self.n_fft or int(2 ** np.ceil(np.log2(win)))
        if n_fft < win:
            raise ValueError(
                f"n_fft={n_fft} is shorter than the window ({win} samples)."
            )
        with warnings.catch_warnings():
            # Clips shorter than n_fft are zero-padded by design (see the docstring);
            # librosa's warning about it would repeat for every such clip.
            warnings.filterwarnings("ignore", message="n_fft=.*too large")
            mel = librosa.feature.melspectrogram(
                y=signal,
                sr=sampling_rate,
                n_fft=n_fft,
                hop_length=hop,
                win_length=win,
                window="hann",
                center=True,
                pad_mode="constant",
                n_mels=self.n_mels,
                fmin=self.fmin,
                fmax=self.fmax,
                power=2.0,
            )
        logmel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
        d1 = librosa.feature.delta(
            logmel, width=self.delta_width, order=1, mode="nearest"
        )
        d2 = librosa.feature.delta(
            logmel, width=self.delta_width, order=2, mode="nearest"
        )
        return np.ascontiguousarray(np.vstack([logmel, d1, d2]).T, dtype=np.float32)

    def _failed_value(self):
        return np.full((1, 3 * self.n_mels), np.nan, dtype=np.float32)

    def _prepare(self):
        # Here, before joblib's workers start: they then load numba's cache instead
        # of all compiling at once.
        _prepare_librosa(self.verbose)

    def _validate_width(self):
        if self.delta_width % 2 == 0:
            raise ValueError(f"delta_width must be odd; got {self.delta_width}.")

    def _fit_stats(self, raw):
        # Mean and variance merged item by item (Chan et al.'s pairwise update), in
        # float64: no concatenation of every training frame, whose copy used to
        # dominate the peak memory of a corpus-sized fit.
        n, mean, m2 = 0, None, None
        for x in raw:
            if not np.isfinite(x).all():
                continue  # a failed item (on_error="warn")
            x = x.astype(np.float64)
            n_i, mean_i = len(x), x.mean(axis=0)
            m2_i = ((x - mean_i) ** 2).sum(axis=0)
            if mean is None:
                n, mean, m2 = n_i, mean_i, m2_i
                continue
            delta = mean_i - mean
            total = n + n_i
            mean = mean + delta * (n_i / total)
            m2 = m2 + m2_i + delta**2 * (n * n_i / total)
            n = total
        if mean is None:
            raise ValueError("No audio item could be extracted; nothing to fit.")
        std = np.sqrt(m2 / n)
        self.mean_ = mean
        self.scale_ = np.where(std > 0, std, 1.0)
        self.n_frames_seen_ = n
        self.n_features_out_ = 3 * self.n_mels

    def _standardize(self, raw):
        if not self.standardize:
            return as_sequences(raw)
        mean = self.mean_.astype(np.float32)
        scale = self.scale_.astype(np.float32)
        return as_sequences([(x - mean) / scale for x in raw])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the per-dimension mean and standard deviation of the frames.

        Parameters
        ----------
        X : sequence of paths or waveforms, or pandas Series
            Training audio.
        y : ignored

        Returns
        -------
        self
        """
        self.fit_transform(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Extract once, learn the statistics, return the standardised sequences."""
        self._validate_width()
        raw = self._extract(X)
        self._fit_stats(raw)
        return self._standardize(raw)

    def transform(self, X):
        """Frame sequences of every item, standardised with the training statistics.

        Returns
        -------
        X_seq : ndarray of dtype object, shape (n_samples,)
            A sequence dataset of float32 ``(n_frames_i, 3 * n_mels)`` arrays.
        """
        check_is_fitted(self)
        self._validate_width()
        return self._standardize(self._extract(X))

    def inverse_transform(self, X):
        """Undo the standardisation (e.g. to plot a spectrogram)."""
        check_is_fitted(self)
        X = check_sequences(X, n_features=self.n_features_out_, allow_nan=True)
        if not self.standardize:
            return X
        return as_sequences([x * self.scale_ + self.mean_ for x in X])

    def get_feature_names_out(self, input_features=None):
        """``logmel_<k>``, ``logmel_delta_<k>``, ``logmel_delta2_<k>``."""
        k = range(self.n_mels)
        return np.asarray(
            [f"logmel_{i}" for i in k]
            + [f"logmel_delta_{i}" for i in k]
            + [f"logmel_delta2_{i}" for i in k],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = self.standardize
        return tags
