"""Shared fixtures: real audio synthesised in place, and the local corpora."""

import os
import sys
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


def write_speaker_takes(root, voice, speakers, *, f0_shift=0.0):
    """A tiny two-class corpus on disk: ``root/<speaker>/<label>_<take>.wav``.

    Classes "anger" and "neutral" x 2 takes per speaker, 0.3 s of ``voice`` each,
    pitched by class and speaker (``f0_shift`` moves a whole corpus). Returns a
    row per file: ``(path, label, speaker, low_f0, take)``.
    """
    rows = []
    for s, spk in enumerate(speakers):
        for k, label in enumerate(["anger", "neutral"]):
            for take in range(2):
                path = root / spk / f"{label}_{take}.wav"
                path.parent.mkdir(parents=True, exist_ok=True)
                lo = 100 + 60 * k + 10 * s + f0_shift
                sf.write(path, voice(0.3, f0=(lo, lo * 1.6), seed=s + 7 * take), 16000)
                rows.append((str(path), label, spk, lo, take))
    return rows


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
        path = REPO / relative
        # As `python examples/x.py` does: the script's folder first on sys.path, so
        # that it imports its siblings (examples/_local_data.py).
        if str(path.parent) not in sys.path:
            sys.path.insert(0, str(path.parent))
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


# ------------------------------------------------------------- the HTTP service
def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served_model(tmp_path_factory, data_home):
    """A real is10-svm model (probabilities on) fitted on 42 EMOVO utterances.

    Returns ``(path, model, held_out)``: the saved ``.skops`` file, the model loaded
    back from it, and EMOVO files it was not trained on (one per speaker and
    class).
    """
    from sklearn_ser import load_model, save_model
    from sklearn_ser.datasets import load_emovo
    from sklearn_ser.pipelines import make_named_pipeline

    data = load_emovo(data_home)
    files, y = np.asarray(data.filenames), np.asarray(data.target)
    rng = np.random.default_rng(0)
    train = np.sort(
        np.concatenate(
            [rng.choice(np.flatnonzero(y == c), 6, replace=False) for c in np.unique(y)]
        )
    )
    model = make_named_pipeline("is10-svm", probability=True, random_state=0)
    model.fit(files[train], y[train])
    path = save_model(model, tmp_path_factory.mktemp("served") / "is10.skops")
    rest = np.setdiff1d(np.arange(len(files)), train)
    held_out = [str(files[i]) for i in rest[:: max(1, len(rest) // 12)][:12]]
    return path, load_model(path), held_out


@pytest.fixture(scope="session")
def server(served_model, tmp_path_factory):
    """``sklearn-ser serve`` on 127.0.0.1 and a free port, stopped at the end.

    Started as a subprocess (the real command) with a 1 MB upload limit,
    over-time rows above 8 s, and its own empty ``TMPDIR``. Yields a namespace with
    ``url``, ``tmpdir``, ``model`` and ``held_out``.
    """
    import subprocess
    import sys
    import time
    import types
    import urllib.request

    path, model, held_out = served_model
    tmpdir = tmp_path_factory.mktemp("server-tmp")
    log = tmp_path_factory.mktemp("server-log") / "server.log"
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmpdir), "OMP_NUM_THREADS": "1"}
    cmd = [
        *(sys.executable, "-m", "sklearn_ser.cli", "serve", str(path)),
        *("--port", str(port), "--max-upload-mb", "1", "--long-audio-s", "8"),
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                status = proc.returncode
                pytest.fail(f"the server exited ({status}):\n{log.read_text()}")
            try:
                urllib.request.urlopen(f"{url}/info", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the server did not answer:\n{log.read_text()}")
                time.sleep(0.3)
        yield types.SimpleNamespace(
            url=url, tmpdir=tmpdir, model=model, held_out=held_out, log=log
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
