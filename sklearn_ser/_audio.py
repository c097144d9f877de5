"""Audio input for the whole toolkit: what X may be, reading, mixing down, resampling.

An extractor's ``X`` is one of

* a sequence (list, tuple, 1-D object array) of paths (``str`` or
  :class:`os.PathLike`) to anything libsndfile reads (WAV, FLAC, OGG, AIFF, ...);
* a sequence of waveforms, each a numeric array of shape ``(n_samples,)`` (mono) or
  ``(n_samples, n_channels)`` (soundfile's layout: one row per sample, one column per
  channel, fewer channels than samples), together with the extractor's
  ``sampling_rate`` parameter;
* a :class:`pandas.Series` (or one-column DataFrame) of either.

A 2-D numeric array as ``X`` is refused (:class:`TypeError`): it could be several
mono clips or one multi-channel clip, so say which with ``list(X)`` or ``[X]``. A
2-D waveform with at least as many columns as rows, such as a channels-first
``(2, n_samples)`` array, is refused too (:class:`AudioError`); pass its transpose.

Multi-channel audio is averaged to mono unless ``channel`` picks one channel; every
signal is then resampled to the extractor's rate with soxr's high-quality resampler
(through :func:`librosa.resample`).

Errors name the item at fault: a missing file raises :class:`FileNotFoundError` with
its path; an unreadable, truncated or damaged file, an empty signal, NaN/inf samples
or an item of the wrong type raise :class:`AudioError` (a :class:`ValueError`) or
:class:`TypeError` naming the item's index and path.
"""

import hashlib
import os
import re
from dataclasses import dataclass

import librosa
import numpy as np
import soundfile as sf

__all__ = [
    "ACTIVE_FRAME_SECONDS",
    "ACTIVE_PERCENTILE",
    "CLIPPED_FRACTION",
    "CLIP_LEVEL",
    "SILENCE_DBFS",
    "AudioError",
    "AudioItem",
    "AudioScan",
    "as_audio_items",
    "audio_duration",
    "is_clipped",
    "is_silent",
    "level_dbfs",
    "load_audio",
    "scan_audio",
]


class AudioError(ValueError):
    """An audio item could not be used; the message names the item and why."""


@dataclass(frozen=True)
class AudioItem:
    """One utterance of an extractor's input: a file path or an in-memory waveform."""

    index: int
    path: str | None = None
    waveform: np.ndarray | None = None
    sampling_rate: int | None = None

    @property
    def name(self):
        """How errors and warnings refer to this item."""
        if self.path is not None:
            return f"item {self.index} ({self.path})"
        return f"item {self.index} (waveform)"

    def cache_key(self):
        """Identify the audio content cheaply: path + size + mtime, or a content hash.

        Raises FileNotFoundError for a missing file, so that a run fails before any
        work when its input list is wrong.
        """
        if self.path is not None:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"Audio file not found: {self.path} ({self.name})"
                ) from None
            return ("path", os.path.abspath(self.path), st.st_size, st.st_mtime_ns)
        digest = hashlib.sha1(np.ascontiguousarray(self.waveform).view(np.uint8))
        return (
            "waveform",
            digest.hexdigest(),
            str(self.waveform.dtype),
            self.waveform.shape,
            self.sampling_rate,
        )


def _is_path(x):
    return isinstance(x, (str, os.PathLike))


def as_audio_items(X, sampling_rate=None, name="X"):
    """Normalise an extractor's input to a list of :class:`AudioItem`.

    Parameters
    ----------
    X : sequence of paths or waveforms, 2-D float array, or pandas Series
        See the module docstring.
    sampling_rate : int, default=None
        Rate of in-memory waveforms (required when there are any).
    name : str, default="X"
        Used in error messages.

    Returns
    -------
    list of AudioItem

    Examples
    --------
    >>> import numpy as np
    >>> items = as_audio_items([np.zeros(160, dtype=np.float32)], sampling_rate=16000)
    >>> items[0].name
    'item 0 (waveform)'
    """
    if _is_path(X):
        raise TypeError(
            f"{name} must be a sequence of audio items; got a single path {X!r}. "
            "Wrap it in a list."
        )
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        if X.shape[1] != 1:
            raise TypeError(
                f"{name} is a DataFrame with {X.shape[1]} columns; pass a Series (or "
                "a one-column DataFrame) of paths or waveforms."
            )
        X = X.iloc[:, 0]
    if hasattr(X, "iloc"):
        X = list(X.to_numpy())
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim == 1 and X.dtype.kind in "US":
            X = list(X)
        elif X.ndim == 2 and X.dtype.kind in "fiu":
            raise TypeError(
                f"{name} is a 2-D numeric array of shape {X.shape}; pass a list of "
                "waveforms, each of shape (n_samples,) (mono) or (n_samples, "
                "n_channels), with sampling_rate: list(X) if each row is a mono clip, "
                f"[{name}] if it is one clip with one column per channel."
            )
        elif X.ndim == 1 and X.dtype.kind in "fiu":
            raise TypeError(
                f"{name} is a single 1-D waveform; pass a list of waveforms "
                "(e.g. [signal]) with sampling_rate."
            )
        else:
            raise TypeError(
                f"{name} has dtype {X.dtype} and shape {X.shape}; expected paths or "
                "float waveforms."
            )
    try:
        n = len(X)
    except TypeError:
        raise TypeError(
            f"{name} must be a sequence of paths or waveforms; got {type(X).__name__}."
        ) from None
    if n == 0:
        raise ValueError(f"{name} holds no audio items (0 samples).")
    items = []
    for i, x in enumerate(X):
        if _is_path(x):
            # a plain str: numpy's str_ would show as np.str_('...') in messages
            items.append(AudioItem(i, path=str(os.fsdecode(x))))
            continue
        if isinstance(x, np.ndarray) or isinstance(x, (list, tuple)):
            arr = np.asarray(x)
            if arr.dtype.kind not in "fiu" or arr.ndim not in (1, 2):
                raise TypeError(
                    f"{name} item {i}: a waveform must be a 1-D (or 2-D "
                    f"samples x channels) numeric array; got dtype {arr.dtype}, "
                    f"shape {arr.shape}."
                )
            if arr.ndim == 2 and arr.shape[1] >= arr.shape[0]:
                raise AudioError(
                    f"{name} item {i} (waveform) has shape {arr.shape}: a 2-D waveform "
                    "is (n_samples, n_channels), one row per sample, with fewer "
                    "channels than samples. If it is channels-first, pass its "
                    "transpose (x.T)."
                )
            if sampling_rate is None:
                raise ValueError(
                    f"{name} item {i} is an in-memory waveform: set the extractor's "
                    "sampling_rate parameter to its rate in Hz."
                )
            items.append(AudioItem(i, waveform=arr, sampling_rate=int(sampling_rate)))
            continue
        raise TypeError(
            f"{name} item {i} has type {type(x).__name__}; expected a path (str or "
            "os.PathLike) or a waveform (numpy array)."
        )
    return items


def audio_duration(item):
    """Length of an item in seconds (a file's from its header), or None if unknown."""
    if item.path is None:
        return item.waveform.shape[0] / item.sampling_rate
    try:
        return sf.info(item.path).duration
    except (sf.LibsndfileError, RuntimeError, TypeError, OSError):
        return None  # reading it will say what is wrong


# libsndfile's log of a header whose audio chunk is longer than the file, e.g.
# "data : 75094 (should be 56)" for a WAV cut after 100 bytes (AIFF: "SSND").
_CHUNK_LENGTH = re.compile(r"^\s*(data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.M)
# Writers that cannot seek back (pipes, streams) leave this length, meaning "up to the
# end of the file"; libsndfile reads such files whole.
_UNKNOWN_LENGTH = 0xFFFFFFFF


def _damage(log, frames, n_read, exact_length=True):
    """Why a file that libsndfile opened is truncated or damaged, or None."""
    for m in _CHUNK_LENGTH.finditer(log):
        promised, held = int(m[2]), int(m[3])
        if promised > held and promised != _UNKNOWN_LENGTH:
            return (
                f"truncated or damaged: its header promises {promised} bytes of audio "
                f"in the '{m[1]}' chunk but the file holds {held}"
            )
    if exact_length and n_read < frames:
        return (
            f"truncated or damaged: its header promises {frames} frames but only "
            f"{n_read} could be decoded"
        )
    return None


def _read(item):
    if item.path is None:
        return item.waveform, item.sampling_rate
    if not os.path.exists(item.path):
        raise FileNotFoundError(f"Audio file not found: {item.path} ({item.name})")
    if os.path.isdir(item.path):
        raise AudioError(
            f"Cannot read {item.name}: it is a folder, not an audio file; pass the "
            "audio files in it (the sklearn-ser command expands a folder to them)."
        )
    try:
        with sf.SoundFile(item.path) as f:
            frames, log, kind = f.frames, f.extra_info, f.format
            data = f.read(dtype="float32", always_2d=False)
            sr = f.samplerate
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"Cannot read {item.name}: {exc}") from exc
    # A WAV cut short reads without error as the samples that are there (which
    # min_duration would then pad with silence): check the header's promise.
    # An MP3 without a Xing/Info header only has an estimated length.
    reason = _damage(log, frames, len(data), exact_length=kind != "MP3")
    if reason is not None:
        raise AudioError(f"Cannot use {item.name}: {reason}.")
    return data, sr


def load_audio(item, *, target_sampling_rate=16000, channel=None):
    """Read one item as a mono float32 signal at ``target_sampling_rate``.

    Parameters
    ----------
    item : AudioItem
        From :func:`as_audio_items`.
    target_sampling_rate : int or None, default=16000
        Resample to this rate (soxr high quality); None keeps the native rate.
    channel : int or None, default=None
        Channel of multi-channel audio to keep; None averages the channels.

    Returns
    -------
    signal : ndarray of float32, shape (n_samples,)
    sampling_rate : int

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    AudioError
        A folder, an unreadable/corrupt file, an empty signal, NaN or inf samples, a
        bad channel.
    """
    data, sr = _read(item)
    data = np.asarray(data)
    if data.dtype.kind in "iu":
        # Integer PCM given in memory: scale to [-1, 1) like soundfile does.
        data = data.astype(np.float32) / float(np.iinfo(data.dtype).max + 1)
    data = data.astype(np.float32, copy=False)
    if data.ndim == 2:
        if channel is None:
            data = data.mean(axis=1)
        elif not -data.shape[1] <= channel < data.shape[1]:
            raise AudioError(
                f"{item.name} has {data.shape[1]} channels; channel={channel} does "
                "not exist."
            )
        else:
            data = data[:, channel]
    if data.size == 0:
        raise AudioError(f"{item.name} is empty (0 samples).")
    if not np.isfinite(data).all():
        raise AudioError(f"{item.name} contains NaN or infinite samples.")
    if target_sampling_rate is not None and sr != target_sampling_rate:
        data = librosa.resample(
            data, orig_sr=sr, target_sr=target_sampling_rate, res_type="soxr_hq"
        ).astype(np.float32, copy=False)
        sr = target_sampling_rate
    return np.ascontiguousarray(data), int(sr)


# ------------------------------------------------------------------ signal levels
#: Active level (dBFS, see :func:`scan_audio`) below which a recording counts as
#: silent or near-silent. The active level is that of a file's louder frames, so the
#: pauses around an utterance do not count: speech in emotion corpora sits around
#: -10 to -57 dBFS (EMOVO: -45 to -10; RAVDESS: -57 to -9), a quiet
#: room with no one speaking below -60, and an all-zero file at -inf. Shared by
#: ``sklearn-ser inspect`` and ``sklearn-ser predict``.
SILENCE_DBFS = -60.0
#: Frame length (s) and percentile of the frame levels that make the active level.
ACTIVE_FRAME_SECONDS = 0.02
ACTIVE_PERCENTILE = 95
#: A sample at or above this magnitude (full scale is 1.0) is counted as clipped.
CLIP_LEVEL = 0.999
#: A file whose clipped samples exceed this fraction is reported as clipped: a peak-
#: normalised file touches full scale at a few samples, a clipped one at many.
CLIPPED_FRACTION = 0.001


def level_dbfs(mean_square):
    """RMS level in dB relative to full scale from a signal's mean square.

    Parameters
    ----------
    mean_square : float
        Mean of the squared samples (full scale is 1.0).

    Returns
    -------
    level : float
        ``10 * log10(mean_square)``; ``-inf`` for an all-zero signal.

    Examples
    --------
    >>> round(level_dbfs(0.5), 2)  # a full-scale sine
    -3.01
    >>> level_dbfs(0.0)
    -inf
    """
    mean_square = float(mean_square)
    return float(10.0 * np.log10(mean_square)) if mean_square > 0 else float("-inf")


def is_silent(level, threshold=SILENCE_DBFS):
    """Whether an active level (dBFS, :attr:`AudioScan.active_level_dbfs`) is silent.

    Examples
    --------
    >>> is_silent(float("-inf")), is_silent(-75.0), is_silent(-30.0)
    (True, True, False)
    """
    return bool(level < threshold)


def is_clipped(clipped_fraction, threshold=CLIPPED_FRACTION):
    """Whether a file whose share of samples at full scale is this counts as clipped.

    Examples
    --------
    >>> is_clipped(0.02), is_clipped(1 / 48000)
    (True, False)
    """
    return bool(clipped_fraction > threshold)


@dataclass(frozen=True)
class AudioScan:
    """What one pass over a file found: header, level, clipping, content hash."""

    path: str
    samplerate: int
    channels: int
    frames: int
    subtype: str
    level_dbfs: float
    active_level_dbfs: float
    peak: float
    clipped_fraction: float
    sha1: str

    @property
    def duration(self):
        """Length in seconds."""
        return self.frames / self.samplerate

    @property
    def silent(self):
        """Silent or near-silent: active level below :data:`SILENCE_DBFS`."""
        return is_silent(self.active_level_dbfs)

    @property
    def clipped(self):
        """More than :data:`CLIPPED_FRACTION` of the samples at full scale."""
        return is_clipped(self.clipped_fraction)


def scan_audio(path, *, blocksize=65536):
    """Read a file once, in blocks, and measure it.

    The RMS level and the clipped fraction are over all samples of all channels.
    The *active level* is the level of the file's louder frames: the
    ``ACTIVE_PERCENTILE``-th percentile (95) of the mean squares of its 20 ms frames
    (``ACTIVE_FRAME_SECONDS``), in dBFS, so that the pauses before and after an
    utterance do not make quiet speech look silent, while a lone click does not make
    a silent file look spoken. The SHA-1 is of the decoded float32 samples with the
    rate and channel count, so the same audio under two names (or as WAV and as
    FLAC) has the same hash.

    Parameters
    ----------
    path : str or path-like
        An audio file libsndfile reads.
    blocksize : int, default=65536
        Frames read at a time: memory stays bounded for long recordings.

    Returns
    -------
    scan : AudioScan

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    AudioError
        The file cannot be decoded, is truncated, or holds NaN/inf samples.

    Examples
    --------
    >>> import tempfile, os, soundfile as sf
    >>> path = os.path.join(tempfile.mkdtemp(), "zeros.wav")
    >>> sf.write(path, np.zeros(1600), 16000)
    >>> scan = scan_audio(path)
    >>> scan.duration, scan.silent, scan.clipped
    (0.1, True, False)
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"Audio file not found: {path}")
    digest = hashlib.sha1()
    sum_squares, n_read, n_clipped, peak = 0.0, 0, 0, 0.0
    frame_power = []  # mean square of each 20 ms frame
    try:
        with sf.SoundFile(path) as f:
            frames, log, kind = f.frames, f.extra_info, f.format
            sr, channels, subtype = f.samplerate, f.channels, f.subtype
            digest.update(f"{sr}:{channels}:".encode())
            frame = max(1, round(ACTIVE_FRAME_SECONDS * sr))
            step = max(1, blocksize // frame) * frame  # blocks hold whole frames
            while True:
                block = f.read(step, dtype="float32", always_2d=True)
                if not len(block):
                    break
                if not np.isfinite(block).all():
                    raise AudioError(f"{path} contains NaN or infinite samples.")
                digest.update(np.ascontiguousarray(block).view(np.uint8))
                magnitude = np.abs(block)
                power = np.mean(np.square(block, dtype=np.float64), axis=1)
                sum_squares += float(power.sum()) * channels
                whole = len(power) // frame * frame
                frame_power.append(power[:whole].reshape(-1, frame).mean(axis=1))
                if whole < len(power):  # the file's last, shorter frame
                    frame_power.append(power[whole:].mean(keepdims=True))
                n_clipped += int(np.count_nonzero(magnitude >= CLIP_LEVEL))
                peak = max(peak, float(magnitude.max()))
                n_read += len(block)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"Cannot read {path}: {exc}") from exc
    reason = _damage(log, frames, n_read, exact_length=kind != "MP3")
    if reason is not None:
        raise AudioError(f"Cannot use {path}: {reason}.")
    if n_read == 0:
        raise AudioError(f"{path} is empty (0 samples).")
    n_samples = n_read * channels
    return AudioScan(
        path=path,
        samplerate=int(sr),
        channels=int(channels),
        frames=int(n_read),
        subtype=str(subtype),
        level_dbfs=level_dbfs(sum_squares / n_samples),
        active_level_dbfs=level_dbfs(
            np.percentile(np.concatenate(frame_power), ACTIVE_PERCENTILE)
        ),
        peak=peak,
        clipped_fraction=n_clipped / n_samples,
        sha1=digest.hexdigest(),
    )
