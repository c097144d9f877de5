"""Shared fixtures: real audio synthesised in place, and the local corpora."""

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]


def synth_voice(duration=1.0, sr=16000, f0=(140.0, 220.0), seed=0, noise=0.01):
    """A voiced, speech-like signal: glottal-like harmonics on a pitch contour.

    Harmonics of a fundamental that glides from ``f0[0]`` to ``f0[1]`` and back, under
    a syllable-rate amplitude envelope, plus a little noise: enough for openSMILE's
    pitch, voicing and energy descriptors to be non-trivial.
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration * sr))
    t = np.arange(n) / sr
    lo, hi = f0
    contour = lo + (hi - lo) * 0.5 * (1 - np.cos(2 * np.pi * t / max(duration, 1e-3)))
    phase = 2 * np.pi * np.cumsum(contour) / sr
    sig = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t) ** 2
    sig = 0.3 * envelope * sig / np.max(np.abs(sig) + 1e-9)
    sig = sig + noise * rng.standard_normal(n)
    return sig.astype(np.float32)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def voice():
    """The signal factory itself, for tests that need custom audio."""
    return synth_voice


@pytest.fixture
def wav_files(tmp_path):
    """Six short WAV/FLAC files with different pitch contours (16 kHz mono)."""
    paths = []
    for i in range(6):
        ext = "flac" if i % 3 == 2 else "wav"
        p = tmp_path / f"utt{i}.{ext}"
        sig = synth_voice(0.6 + 0.1 * i, f0=(110 + 20 * i, 180 + 25 * i), seed=i)
        sf.write(p, sig, 16000)
        paths.append(str(p))
    return paths


def _data_home():
    env = os.environ.get("SKLEARN_SER_DATA")
    if env:
        return Path(env)
    return REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_home():
    """The local corpora (``../shared/data`` or ``$SKLEARN_SER_DATA``).

    Fails rather than skips when missing: CI must never skip a test for want of data.
    """
    home = _data_home()
    if not (home / "emovo").is_dir():
        pytest.fail(
            f"Local corpora not found at {home}; set SKLEARN_SER_DATA to the folder "
            "holding emovo/ and librispeech_neutral/."
        )
    return home


@pytest.fixture(scope="session")
def emovo_subset(data_home):
    """First 12 EMOVO files (sorted), their labels and speakers."""
    files = sorted((data_home / "emovo").glob("*/*.wav"))[:12]
    return [str(f) for f in files]


def _whisper_model():
    env = os.environ.get("SKLEARN_SER_WHISPER_MODEL")
    if env:
        return Path(env)
    return REPO / "models" / "faster-whisper-base"


@pytest.fixture(scope="session")
def whisper_model():
    """The faster-whisper base model provisioned by ``.ci/setup``.

    Fails rather than skips when missing: CI must run the Whisper tests.
    """
    path = _whisper_model()
    if not (path / "model.bin").is_file():
        pytest.fail(
            f"faster-whisper base model not found at {path}; run `bash .ci/setup` "
            "(it provisions it, hash-checked) or set SKLEARN_SER_WHISPER_MODEL."
        )
    return str(path)


@pytest.fixture(scope="session")
def load_script():
    """``load_script("examples/x.py")``: a repository script imported as a module."""
    import importlib.util

    def load(relative):
        path = Path(__file__).resolve().parents[1] / relative
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def one_torch_thread():
    """One torch thread for the test (what joblib's workers get too).

    On 2 shared cores torch's OpenMP threads spin against other processes: a
    1-second fit took 25 s with 2 threads under load.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
