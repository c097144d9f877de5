"""openSMILE feature sets as scikit-learn transformers."""

import contextlib
import functools
import signal as _signal
import threading
from numbers import Real

import numpy as np
import opensmile

from .._compat import Interval, StrOptions, _get_output_config
from .._sequences import as_sequences
from ._base import BaseAudioExtractor

__all__ = ["OpenSmileFeatures", "OpenSmileIS10"]

_SETS = {m.name: m for m in opensmile.FeatureSet}
_LEVELS = {m.name: m for m in opensmile.FeatureLevel}


@functools.lru_cache(maxsize=8)
def _smile(feature_set, feature_level):
    # One openSMILE instance per process and configuration: building one parses
    # the config (~0.2 s), which would dominate the extraction of short files.
    return opensmile.Smile(_SETS[feature_set], _LEVELS[feature_level])


@contextlib.contextmanager
def _ctrl_c_after_opensmile():
    """Hold Ctrl-C (SIGINT) while openSMILE runs, then deliver it.

    openSMILE hands its features to Python through a ctypes callback; a
    KeyboardInterrupt raised inside the callback is printed and dropped by ctypes, and
    openSMILE then returns no features (a row of NaN) and the run goes on as if nothing
    happened. So the interrupt is only noted while openSMILE runs (in C it could not be
    acted on earlier anyway) and raised by the original handler once it returns.
    """
    previous = _signal.getsignal(_signal.SIGINT)
    if (
        not callable(previous)
        or threading.current_thread() is not threading.main_thread()
    ):
        # SIG_IGN/SIG_DFL, or a thread (only the main thread gets Python signals).
        yield
        return
    frames = []
    _signal.signal(_signal.SIGINT, lambda signum, frame: frames.append(frame))
    try:
        yield
    finally:
        _signal.signal(_signal.SIGINT, previous)
    if frames:
        previous(_signal.SIGINT, frames[0])


class OpenSmileFeatures(BaseAudioExtractor):
    """Any openSMILE feature set, audio in, features out.

    With ``feature_level="Functionals"`` the output is a 2-D array
    ``(n_samples, n_features)`` equal to what ``opensmile.Smile(feature_set,
    feature_level).process_file`` gives for each file; with a low-level-descriptor
    level it is a sequence dataset (see :mod:`sklearn_ser._sequences`), one
    ``(n_frames, n_descriptors)`` array per utterance.

    The transformer is stateless: ``fit`` only validates parameters, and
    ``transform`` works without it.

    Parameters
    ----------
    feature_set : str, default="IS10"
        Name of an :class:`opensmile.FeatureSet`: ``"IS09"``, ``"IS10"``,
        ``"IS11"``, ``"IS12"``, ``"IS13"``, ``"ComParE_2016"``, ``"eGeMAPSv02"``,
        ``"GeMAPSv01b"``, ``"emobase"``, ...
    feature_level : {"Functionals", "LowLevelDescriptors", \
"LowLevelDescriptors_Deltas"}, default="Functionals"
        Utterance-level functionals, or frame-level descriptors.
    sampling_rate : int, default=None
        Rate of in-memory waveforms in ``X`` (required for them, ignored for paths).
    target_sampling_rate : int or None, default=16000
        Audio is resampled to this rate before openSMILE runs (soxr, high quality);
        None keeps each file's own rate. At 16 kHz input nothing is resampled, so
        the features are exactly openSMILE's.
    channel : int or None, default=None
        Channel of multi-channel audio to use; None averages the channels.
    min_duration : float, default=0.1
        Clips shorter than this many seconds are centred in zeros (silence) up to
        that duration before extraction. openSMILE's IS10 configuration needs about
        70 ms of audio for one analysis window and returns NaN below that, so the
        default keeps very short clips finite instead of failing; their features
        describe the clip plus the added silence.
    on_error : {"raise", "warn"}, default="raise"
        With "warn", an item that cannot be read (missing, corrupt, empty, NaN
        samples) becomes a row of NaN and one :class:`ExtractionWarning` lists all
        failed items; the others are kept.
    n_jobs : int, default=None
        Processes extracting in parallel (joblib; -1 for all cores).
    memory : str, os.PathLike or joblib.Memory, default=None
        Directory of a per-item cache keyed by the audio (path + size + mtime, or
        the waveform's content) and by every parameter above that changes the
        features. Cross-validation folds and grid-search candidates then extract
        each file once; an interrupted extraction keeps what it finished.
    verbose : int, default=0
        Show a progress bar while extracting.

    Notes
    -----
    openSMILE keeps a whole file's frames in memory, gigabytes for a file of several
    minutes (see "Very long audio" in the user guide). Files longer than 120 s are
    extracted one at a time, after the others, whatever ``n_jobs``, with a
    :class:`~sklearn_ser.LongAudioWarning`. Ctrl-C during extraction stops after the
    file openSMILE is processing, with :class:`KeyboardInterrupt`; files finished
    before are kept in the cache.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import OpenSmileFeatures
    >>> t = np.arange(16000) / 16000
    >>> wave = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    >>> egemaps = OpenSmileFeatures(feature_set="eGeMAPSv02", sampling_rate=16000)
    >>> egemaps.fit_transform([wave, wave]).shape
    (2, 88)
    """

    _parameter_constraints: dict = {
        **BaseAudioExtractor._parameter_constraints,
        "feature_set": [StrOptions(set(_SETS))],
        "feature_level": [StrOptions(set(_LEVELS))],
        "min_duration": [Interval(Real, 0, None, closed="left")],
    }

    # See Notes; the measurements are in docs/user-guide/audio.md.
    _long_audio_seconds = 120.0

    def __init__(
        self,
        *,
        feature_set="IS10",
        feature_level="Functionals",
        sampling_rate=None,
        target_sampling_rate=16000,
        channel=None,
        min_duration=0.1,
        on_error="raise",
        n_jobs=None,
        memory=None,
        verbose=0,
    ):
        self.feature_set = feature_set
        self.feature_level = feature_level
        self.sampling_rate = sampling_rate
        self.target_sampling_rate = target_sampling_rate
        self.channel = channel
        self.min_duration = min_duration
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    @property
    def _functionals(self):
        return self.feature_level == "Functionals"

    def _config(self):
        return (
            self.feature_set,
            self.feature_level,
            self.target_sampling_rate,
            self.channel,
            self.min_duration,
            opensmile.__version__,
        )

    def _compute(self, signal, sampling_rate):
        min_len = int(np.ceil(self.min_duration * sampling_rate))
        if len(signal) < min_len:
            pad = min_len - len(signal)
            signal = np.pad(signal, (pad // 2, pad - pad // 2))
        smile = _smile(self.feature_set, self.feature_level)
        with _ctrl_c_after_opensmile():
            values = smile.process_signal(signal, sampling_rate).to_numpy(np.float32)
        if self._functionals:
            return values[0]
        return values

    def _failed_value(self):
        n = len(self.get_feature_names_out())
        if self._functionals:
            return np.full(n, np.nan, dtype=np.float32)
        return np.full((1, n), np.nan, dtype=np.float32)

    def transform(self, X):
        """Extract the features of every audio item.

        Parameters
        ----------
        X : sequence of paths or waveforms, or pandas Series
            See :mod:`sklearn_ser._audio`.

        Returns
        -------
        ndarray of shape (n_samples, n_features), or a sequence dataset
            Functionals as float32 rows; low-level descriptors as one
            ``(n_frames, n_features)`` array per item.
        """
        # an extractor needs no fit (requires_fit=False): transform checks too
        self._validate_params()
        if not self._functionals and _get_output_config("transform", self)[
            "dense"
        ] not in ("default", None):
            raise ValueError(
                f"feature_level={self.feature_level!r} gives frame sequences, which "
                "cannot be returned as a DataFrame; use set_output(transform="
                "'default') or feature_level='Functionals'."
            )
        rows = self._extract(X)
        if self._functionals:
            return np.vstack(rows).astype(np.float32, copy=False)
        return as_sequences(rows)

    def get_feature_names_out(self, input_features=None):
        """openSMILE's names of the features, in output order.

        Returns
        -------
        ndarray of str
        """
        names = _smile(self.feature_set, self.feature_level).feature_names
        return np.asarray(names, dtype=object)


class OpenSmileIS10(OpenSmileFeatures):
    """The INTERSPEECH 2010 Paralinguistic Challenge set: 1582 functionals.

    ``OpenSmileFeatures(feature_set="IS10", feature_level="Functionals")`` under its
    own name: the input of both papers' SVM baseline and of the denoising
    autoencoders. The output equals ``opensmile.Smile(FeatureSet.IS10,
    FeatureLevel.Functionals)`` on the same audio.

    Parameters
    ----------
    sampling_rate, target_sampling_rate, channel, min_duration, on_error, n_jobs, \
memory, verbose
        As in :class:`OpenSmileFeatures`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import OpenSmileIS10
    >>> t = np.arange(8000) / 16000
    >>> wave = (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    >>> X = OpenSmileIS10(sampling_rate=16000).fit_transform([wave])
    >>> X.shape
    (1, 1582)
    """

    _parameter_constraints: dict = {
        k: v
        for k, v in OpenSmileFeatures._parameter_constraints.items()
        if k not in ("feature_set", "feature_level")
    }

    def __init__(
        self,
        *,
        sampling_rate=None,
        target_sampling_rate=16000,
        channel=None,
        min_duration=0.1,
        on_error="raise",
        n_jobs=None,
        memory=None,
        verbose=0,
    ):
        self.sampling_rate = sampling_rate
        self.target_sampling_rate = target_sampling_rate
        self.channel = channel
        self.min_duration = min_duration
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    # get_params() reads __init__'s signature, so these two stay fixed attributes.
    feature_set = "IS10"
    feature_level = "Functionals"
