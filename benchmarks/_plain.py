"""The plain alternatives each figure is measured against: the libraries, no toolkit.

Each function does the work of one sklearn-ser extractor with the underlying
library called directly in a loop, and returns the same array(s), so that the
benchmark can check that both sides computed the same thing.
"""

import librosa
import numpy as np
import opensmile
import soundfile as sf


def make_smile(feature_set="IS10"):
    return opensmile.Smile(
        getattr(opensmile.FeatureSet, feature_set), opensmile.FeatureLevel.Functionals
    )


def opensmile_loop(files, smile):
    """``smile.process_file`` over the files, rows stacked: openSMILE's own way."""
    return np.vstack(
        [smile.process_file(f).to_numpy(np.float32)[0] for f in files]
    ).astype(np.float32)


def logmel_one(signal, sr, n_mels=40, win_length=0.025, hop_length=0.010, width=9):
    """The librosa calls of LogMelDeltas for one signal, written out."""
    win = int(round(win_length * sr))
    hop = int(round(hop_length * sr))
    n_fft = int(2 ** np.ceil(np.log2(win)))
    mel = librosa.feature.melspectrogram(
        y=signal,
        sr=sr,
        n_fft=n_fft,
        hop_length=hop,
        win_length=win,
        window="hann",
        center=True,
        pad_mode="constant",
        n_mels=n_mels,
        power=2.0,
    )
    logmel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    d1 = librosa.feature.delta(logmel, width=width, order=1, mode="nearest")
    d2 = librosa.feature.delta(logmel, width=width, order=2, mode="nearest")
    return np.ascontiguousarray(np.vstack([logmel, d1, d2]).T, dtype=np.float32)


def logmel_loop(files):
    """Read each file, compute log-Mel + deltas, standardise over all frames.

    The same output as ``LogMelDeltas().fit_transform(files)`` (16 kHz input).
    """
    raw = []
    for f in files:
        signal, sr = sf.read(f, dtype="float32")
        raw.append(logmel_one(signal, sr))
    frames = np.concatenate(raw).astype(np.float64)
    mean = frames.mean(axis=0).astype(np.float32)
    std = frames.std(axis=0)
    scale = np.where(std > 0, std, 1.0).astype(np.float32)
    return [(x - mean) / scale for x in raw]
