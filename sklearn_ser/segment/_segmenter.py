"""Splitting a long recording into speech segments (or fixed windows).

The rule, in one paragraph: the recording is streamed at 16 kHz and cut into
32 ms frames (512 samples, silero-vad's frame). Each frame is called speech when
silero-vad's probability reaches ``threshold`` (``method="silero"``), or when its
level is at least ``energy_margin`` dB above the recording's noise floor, the 5th
percentile of all frame levels (``method="energy"``). Runs of speech frames
separated by less than ``merge_gap`` seconds are joined, runs shorter than
``min_speech`` are dropped, each run is widened by ``pad`` seconds on both sides
(never past a neighbour's edge: two segments that would overlap meet half-way),
and a segment longer than ``max_segment`` is cut into the fewest equal parts no
longer than it. ``method="window"`` ignores speech: windows of ``window`` seconds
start every ``hop`` seconds until one reaches the end (the last one is clipped to
it).
"""

import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .._compat import Interval, StrOptions, _fit_context
from ._source import Recording

__all__ = ["SpeechSegmenter", "mask_to_segments", "window_segments"]

#: Rate and frame length at which the voice-activity detectors run.
VAD_RATE = 16000
VAD_FRAME = 512


def mask_to_segments(
    speech, frame_seconds, *, min_speech, max_segment, merge_gap, pad, duration
):
    """Segments ``(start, end)`` in seconds from a per-frame speech decision.

    Parameters
    ----------
    speech : array-like of bool, shape (n_frames,)
        Whether each frame is speech; frame ``i`` covers
        ``[i * frame_seconds, (i + 1) * frame_seconds)``.
    frame_seconds : float
        Frame length.
    min_speech, max_segment, merge_gap, pad : float
        As in :class:`SpeechSegmenter`.
    duration : float
        Length of the recording; no segment ends after it.

    Returns
    -------
    segments : ndarray of shape (n_segments, 2)
        Start and end times in seconds, in order, not overlapping.

    Examples
    --------
    >>> speech = [0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0]
    >>> mask_to_segments(speech, 0.1, min_speech=0.2, max_segment=10.0,
    ...                  merge_gap=0.15, pad=0.0, duration=1.2).round(2).tolist()
    [[0.1, 0.6]]
    """
    speech = np.asarray(speech, dtype=bool)
    edges = np.diff(np.concatenate([[0], speech.astype(np.int8), [0]]))
    runs = np.column_stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)])
    runs = runs.astype(float) * frame_seconds
    merged = []
    for start, end in runs:
        if merged and start - merged[-1][1] < merge_gap:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    kept = np.array([s for s in merged if s[1] - s[0] >= min_speech]).reshape(-1, 2)
    kept[:, 1] = np.minimum(kept[:, 1], duration)
    padded = kept.copy()
    padded[:, 0] = np.maximum(kept[:, 0] - pad, 0.0)
    padded[:, 1] = np.minimum(kept[:, 1] + pad, duration)
    for i in range(1, len(padded)):
        if padded[i, 0] < padded[i - 1, 1]:
            middle = (kept[i - 1, 1] + kept[i, 0]) / 2
            padded[i - 1, 1] = padded[i, 0] = middle
    out = []
    for start, end in padded:
        n = int(np.ceil((end - start) / max_segment - 1e-9))
        bounds = np.linspace(start, end, max(n, 1) + 1)
        out.extend(zip(bounds[:-1], bounds[1:]))
    return np.array(out, dtype=float).reshape(-1, 2)


def window_segments(duration, *, window, hop):
    """Fixed windows: ``window`` seconds every ``hop`` seconds, until the end.

    Examples
    --------
    >>> window_segments(10.0, window=4.0, hop=3.0).tolist()
    [[0.0, 4.0], [3.0, 7.0], [6.0, 10.0]]
    >>> window_segments(2.5, window=4.0, hop=3.0).tolist()
    [[0.0, 2.5]]
    """
    out = []
    start = 0.0
    k = 0
    while start < duration:
        end = min(start + window, duration)
        out.append((start, end))
        if end >= duration:
            break
        k += 1
        start = k * hop  # no accumulated rounding error on long recordings
    return np.array(out, dtype=float).reshape(-1, 2)


def _load_silero():
    import torch

    # silero_vad sets torch's thread count to 1 for the whole process on import;
    # keep the caller's setting.
    threads = torch.get_num_threads()
    try:
        from silero_vad import load_silero_vad
    except ImportError as exc:
        raise ImportError(
            "method='silero' needs the silero-vad package: pip install "
            "'sklearn-ser[segment]' (or use method='energy', which needs nothing "
            "more)."
        ) from exc
    finally:
        torch.set_num_threads(threads)
    with warnings.catch_warnings():
        # silero-vad 6.2 finds its model with importlib.resources.path (deprecated)
        warnings.simplefilter("ignore", DeprecationWarning)
        return load_silero_vad(onnx=True)


def _frames(blocks, frame):
    """Consecutive frames of ``frame`` samples from a stream of blocks.

    The last frame is zero-padded; at most one block and one frame are held.
    """
    rest = np.zeros(0, np.float32)
    for block in blocks:
        buf = np.concatenate([rest, block])
        n = len(buf) // frame
        for i in range(n):
            yield buf[i * frame : (i + 1) * frame]
        rest = buf[n * frame :]
    if len(rest):
        yield np.pad(rest, (0, frame - len(rest)))


class SpeechSegmenter(TransformerMixin, BaseEstimator):
    """Find the speech segments of a long recording, or cut it into windows.

    A stateless step to run before any pipeline: :meth:`segment` returns the
    start and end times (seconds) of one recording's segments, :meth:`transform`
    those of each recording in a list. Recordings are streamed in blocks, so a
    file of any length is segmented in bounded memory (the per-frame decisions,
    4 bytes per 32 ms, are all that grows with its length).

    The rule: each 32 ms frame (at 16 kHz) is called speech or not by the
    ``method``; runs of speech frames closer than ``merge_gap`` are joined,
    runs shorter than ``min_speech`` dropped, the rest widened by ``pad`` (two
    that would overlap meet half-way), and segments longer than ``max_segment``
    cut into equal parts. The user guide's page on long recordings has the
    details and measured boundary errors.

    Parameters
    ----------
    method : {"silero", "energy", "window"}, default="silero"
        ``"silero"``: the silero-vad model shipped inside its package, run on
        onnxruntime (``pip install 'sklearn-ser[segment]'``); ``"energy"``: frame
        level against the noise floor, no extra dependency; ``"window"``: fixed
        sliding windows, no speech detection.
    threshold : float, default=0.5
        silero-vad speech probability at or above which a frame is speech.
    energy_margin : float, default=15.0
        dB above the noise floor at or above which a frame is speech
        (``method="energy"``).
    min_speech : float, default=0.25
        Seconds; shorter speech runs (after merging) are dropped.
    max_segment : float, default=10.0
        Seconds; longer segments are cut into equal parts.
    merge_gap : float, default=0.5
        Seconds; speech runs separated by a shorter pause are joined.
    pad : float, default=0.1
        Seconds of context added on each side of a speech segment.
    window : float, default=3.0
        Window length in seconds (``method="window"``).
    hop : float, default=1.5
        Seconds between window starts (``method="window"``).
    sampling_rate : int, default=16000
        Rate of in-memory waveforms; files carry their own.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.segment import SpeechSegmenter
    >>> sr = 16000
    >>> t = np.arange(sr) / sr
    >>> tone = 0.3 * np.sin(2 * np.pi * 200 * t)
    >>> silence = np.zeros(sr)
    >>> x = np.concatenate([silence, tone, silence]).astype(np.float32)
    >>> SpeechSegmenter(method="energy", pad=0.0).segment(x).round(2).tolist()
    [[0.99, 2.02]]
    >>> SpeechSegmenter(method="window", window=1.5, hop=1.0).segment(x).tolist()
    [[0.0, 1.5], [1.0, 2.5], [2.0, 3.0]]
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"silero", "energy", "window"})],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "energy_margin": [Interval(Real, 0, None, closed="left")],
        "min_speech": [Interval(Real, 0, None, closed="left")],
        "max_segment": [Interval(Real, 0, None, closed="neither")],
        "merge_gap": [Interval(Real, 0, None, closed="left")],
        "pad": [Interval(Real, 0, None, closed="left")],
        "window": [Interval(Real, 0, None, closed="neither")],
        "hop": [Interval(Real, 0, None, closed="neither")],
        "sampling_rate": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        method="silero",
        threshold=0.5,
        energy_margin=15.0,
        min_speech=0.25,
        max_segment=10.0,
        merge_gap=0.5,
        pad=0.1,
        window=3.0,
        hop=1.5,
        sampling_rate=16000,
    ):
        self.method = method
        self.threshold = threshold
        self.energy_margin = energy_margin
        self.min_speech = min_speech
        self.max_segment = max_segment
        self.merge_gap = merge_gap
        self.pad = pad
        self.window = window
        self.hop = hop
        self.sampling_rate = sampling_rate

    def _check_params(self):
        # segment() and transform() need no fit (requires_fit=False): they check too
        self._validate_params()
        self._check_durations()

    def _check_durations(self):
        if self.method != "window" and self.min_speech >= self.max_segment:
            raise ValueError(
                f"min_speech ({self.min_speech}) must be shorter than max_segment "
                f"({self.max_segment})."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the parameters; nothing is learned."""
        self._check_durations()
        return self

    def segment(self, audio):
        """Segments of one recording.

        Parameters
        ----------
        audio : str, os.PathLike or array-like of shape (n_samples,)
            A file path, or a waveform at ``sampling_rate`` (``(n_samples,
            n_channels)`` is averaged to mono).

        Returns
        -------
        segments : ndarray of shape (n_segments, 2)
            Start and end times in seconds, in order, not overlapping (windows
            overlap when ``hop < window``).

        Raises
        ------
        FileNotFoundError, AudioError
            The file is missing or unreadable, named in the message.
        """
        self._check_params()
        recording = (
            audio
            if isinstance(audio, Recording)
            else Recording(audio, self.sampling_rate)
        )
        if self.method == "window":
            return window_segments(recording.duration, window=self.window, hop=self.hop)
        speech = self.speech_frames(recording)
        return mask_to_segments(
            speech,
            VAD_FRAME / VAD_RATE,
            min_speech=self.min_speech,
            max_segment=self.max_segment,
            merge_gap=self.merge_gap,
            pad=self.pad,
            duration=recording.duration,
        )

    def speech_frames(self, audio):
        """The per-frame speech decision (32 ms frames) of a speech detector.

        Returns
        -------
        speech : ndarray of bool, shape (n_frames,)
        """
        self._check_params()
        if self.method == "window":
            raise ValueError("method='window' makes no speech decision.")
        recording = (
            audio
            if isinstance(audio, Recording)
            else Recording(audio, self.sampling_rate)
        )
        frames = _frames(recording.blocks(VAD_RATE), VAD_FRAME)
        if self.method == "silero":
            import torch

            model = _load_silero()
            model.reset_states()
            probs = [float(model(torch.from_numpy(f), VAD_RATE)) for f in frames]
            return np.asarray(probs) >= self.threshold
        levels = np.array(
            [10 * np.log10(np.mean(f.astype(np.float64) ** 2) + 1e-12) for f in frames]
        )
        return levels >= np.percentile(levels, 5) + self.energy_margin

    def transform(self, X):
        """Segments of each recording in ``X`` (paths or waveforms).

        Returns
        -------
        segments : list of ndarray of shape (n_segments, 2)
        """
        if isinstance(X, str | os.PathLike):
            raise TypeError("X must be a list of recordings; pass [X] for one.")
        return [self.segment(x) for x in X]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
