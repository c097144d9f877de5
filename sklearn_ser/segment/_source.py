"""One long recording read in bounded pieces: consecutive blocks, or a stretch by time.

A :class:`Recording` wraps a path (anything libsndfile reads) or an in-memory
waveform. Nothing reads the whole file: :meth:`Recording.blocks` streams it as
mono blocks resampled on the fly (soxr's streaming resampler), and
:meth:`Recording.read` seeks to one stretch and resamples it like every other
extractor input (:func:`sklearn_ser._audio.load_audio`).
"""

import os

import numpy as np
import soundfile as sf
import soxr

from .._audio import AudioError, AudioItem, load_audio

#: Seconds of audio per block when streaming a recording.
BLOCK_SECONDS = 10.0


def _mono(data):
    data = np.asarray(data, dtype=np.float32)
    return data.mean(axis=1) if data.ndim == 2 else data


class Recording:
    """A long recording: a file path, or a waveform at ``sampling_rate``.

    Parameters
    ----------
    audio : str, os.PathLike or array-like of shape (n_samples,) or (n_samples, n_ch)
        The recording.
    sampling_rate : int
        Rate of a waveform ``audio``; a file carries its own.

    Raises
    ------
    FileNotFoundError
        A path that does not exist (named in the message).
    AudioError
        A folder, a file libsndfile cannot open, an empty, non-finite or
        channels-first waveform.
    """

    def __init__(self, audio, sampling_rate):
        if isinstance(audio, str | os.PathLike):
            self.path = os.fspath(audio)
            self.name = self.path
            if not os.path.exists(self.path):
                raise FileNotFoundError(f"Audio file not found: {self.path}")
            if os.path.isdir(self.path):
                raise AudioError(f"Cannot read {self.path}: it is a folder.")
            try:
                info = sf.info(self.path)
            except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
                raise AudioError(f"Cannot read {self.path}: {exc}") from exc
            self.sampling_rate, self.n_samples = int(info.samplerate), info.frames
            self.waveform = None
        else:
            self.path, self.name = None, "the waveform"
            if isinstance(audio, np.ndarray) and audio.dtype.kind in "iu":
                audio = audio.astype(np.float32) / float(np.iinfo(audio.dtype).max + 1)
            data = np.asarray(audio, dtype=np.float32)
            if data.ndim not in (1, 2) or (
                data.ndim == 2 and data.shape[1] >= data.shape[0]
            ):
                raise AudioError(
                    f"A waveform must have shape (n_samples,) or (n_samples, "
                    f"n_channels) with fewer channels than samples; got {data.shape}."
                )
            if not np.isfinite(data).all():
                raise AudioError("The waveform contains NaN or infinite samples.")
            self.waveform = data
            self.sampling_rate, self.n_samples = int(sampling_rate), data.shape[0]
        if self.n_samples == 0:
            raise AudioError(f"{self.name} is empty (0 samples).")

    @property
    def duration(self):
        """Length in seconds."""
        return self.n_samples / self.sampling_rate

    def _native_blocks(self, frames):
        if self.waveform is not None:
            for i in range(0, self.n_samples, frames):
                yield _mono(self.waveform[i : i + frames])
            return
        try:
            with sf.SoundFile(self.path) as f:
                while True:
                    block = f.read(frames, dtype="float32", always_2d=False)
                    if len(block) == 0:
                        return
                    yield _mono(block)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise AudioError(f"Cannot read {self.path}: {exc}") from exc

    def blocks(self, sampling_rate, block_seconds=BLOCK_SECONDS):
        """Yield the recording as consecutive mono float32 blocks at ``sampling_rate``.

        At most ``block_seconds`` of audio (at the native rate) is read at a time;
        a resampled stream has the same samples as resampling the whole signal
        at once, up to soxr's streaming precision.
        """
        frames = max(1, int(round(block_seconds * self.sampling_rate)))
        stream = None
        if sampling_rate != self.sampling_rate:
            stream = soxr.ResampleStream(
                self.sampling_rate, sampling_rate, 1, dtype="float32", quality="HQ"
            )
        seen = 0
        for block in self._native_blocks(frames):
            if not np.isfinite(block).all():
                raise AudioError(
                    f"{self.name} contains NaN or infinite samples (from "
                    f"{seen / self.sampling_rate:.2f} s)."
                )
            seen += len(block)
            last = seen >= self.n_samples
            yield block if stream is None else stream.resample_chunk(block, last=last)
        if stream is not None and seen < self.n_samples:
            yield stream.resample_chunk(np.zeros(0, np.float32), last=True)

    def read(self, start, end, sampling_rate):
        """The stretch ``[start, end)`` seconds, mono, at ``sampling_rate``."""
        a = max(0, int(round(start * self.sampling_rate)))
        b = min(self.n_samples, int(round(end * self.sampling_rate)))
        if self.waveform is not None:
            data = self.waveform[a:b]
        else:
            try:
                with sf.SoundFile(self.path) as f:
                    f.seek(a)
                    data = f.read(b - a, dtype="float32", always_2d=False)
            except (sf.LibsndfileError, RuntimeError) as exc:
                raise AudioError(f"Cannot read {self.path}: {exc}") from exc
        item = AudioItem(index=0, waveform=data, sampling_rate=self.sampling_rate)
        try:
            signal, _ = load_audio(item, target_sampling_rate=sampling_rate)
        except AudioError as exc:
            raise AudioError(
                f"Cannot use {self.name} from {start:.2f} to {end:.2f} s: {exc}"
            ) from exc
        return signal
