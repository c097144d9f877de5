"""No silent wrong answers from the extraction engine: interrupts, NaN, cache damage."""

import io
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from conftest import REPO
from sklearn_ser import (
    AudioError,
    ExtractionWarning,
    LogMelDeltas,
    LongAudioWarning,
    OpenSmileFeatures,
    OpenSmileIS10,
)
from sklearn_ser._cache import _checksum
from sklearn_ser.features import BaseAudioExtractor


def _entries(cache_dir):
    return sorted(Path(cache_dir).rglob("*.npy"))


def _count_computes(monkeypatch, cls):
    calls = []
    original = cls._compute

    def counting(self, signal, sr):
        calls.append(len(signal))
        return original(self, signal, sr)

    monkeypatch.setattr(cls, "_compute", counting)
    return calls


@pytest.fixture
def long_files(tmp_path, voice):
    """Eight 5-second voiced WAV files: openSMILE spends most of its time in C."""
    folder = tmp_path / "audio"
    folder.mkdir()
    for i in range(8):
        sig = voice(5.0, f0=(110 + 15 * i, 200 + 10 * i), seed=i)
        sf.write(folder / f"utt{i}.wav", sig, 16000)
    return folder


# ------------------------------------------------------------------ Ctrl-C (SIGINT)
@pytest.fixture
def python_sigint_handler():
    """Python's own SIGINT handler, as in an interactive run.

    A run started in the background (``nohup``, some CI runners) ignores SIGINT;
    the test must not depend on how pytest was started.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_during_opensmile_raises_and_caches_nothing(
    tmp_path, voice, python_sigint_handler
):
    wave = voice(60.0)
    ext = OpenSmileIS10(sampling_rate=16000, memory=tmp_path / "c")
    ext.transform([wave[:16000]])  # openSMILE loaded, one entry cached
    # The signal must land inside openSMILE's C code: time that call (uncached) on
    # this machine and send SIGINT half-way through it. A fixed delay raced on a
    # fast idle machine, where 20 s of audio took 0.26 s and the call ended first.
    start = time.perf_counter()
    OpenSmileIS10(sampling_rate=16000).transform([wave])
    inside = time.perf_counter() - start
    timer = threading.Timer(inside / 2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            ext.transform([wave])
    finally:
        timer.cancel()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert len(_entries(tmp_path / "c")) == 1, "the interrupted item was cached"


# The child restores Python's SIGINT handler: a shell's background job (and so a
# pytest started from one) inherits SIGINT ignored, as a terminal's Ctrl-C is not.
_CLI = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from sklearn_ser.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_ctrl_c_stops_extract_keeps_finished_items_caches_no_nan(
    long_files, tmp_path, n_jobs
):
    cache, out = tmp_path / "cache", tmp_path / "o.csv"
    cmd = [sys.executable, "-c", _CLI, "extract", "--features", "is10"]
    cmd += ["-o", str(out), str(long_files), "--cache", str(cache), "--quiet"]
    cmd += ["--n-jobs", str(n_jobs)]
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    # Its own process group, which gets the SIGINT as a terminal's Ctrl-C would:
    # the command and its joblib workers alike.
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        seen = []  # when the first and the second item were cached
        while len(seen) < 2:
            if len(_entries(cache)) > len(seen):
                seen.append(time.monotonic())
            assert proc.poll() is None, "finished before the interrupt"
            assert time.monotonic() < deadline, "no item extracted in 300 s"
            time.sleep(0.02)
        # Half an item later: openSMILE is then in the middle of the next file,
        # where a Ctrl-C used to be swallowed.
        time.sleep((seen[1] - seen[0]) / 2)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not out.exists()
    kept = _entries(cache)
    assert 2 <= len(kept) < 8
    for entry in kept:
        assert np.isfinite(np.load(entry)).all(), f"{entry} holds NaN"
    # What was kept is the real thing: a rerun extracts only the rest, and equals a
    # run without the cache.
    files = sorted(str(p) for p in long_files.iterdir())
    np.testing.assert_array_equal(
        OpenSmileIS10(memory=cache).transform(files), OpenSmileIS10().transform(files)
    )


# ------------------------------------------------------------ NaN is not a result
class _NaNOnLoud(BaseAudioExtractor):
    """Returns NaN for loud signals, like a library failing quietly on some input."""

    def __init__(self, *, sampling_rate=16000, memory=None, on_error="raise"):
        self.sampling_rate = sampling_rate
        self.target_sampling_rate = None
        self.channel = None
        self.on_error = on_error
        self.n_jobs = None
        self.memory = memory
        self.verbose = 0

    def _config(self):
        return ()

    def _compute(self, signal, sampling_rate):
        value = np.float32(np.abs(signal).max())
        return np.array([np.nan if value > 0.5 else value, 1.0], dtype=np.float32)

    def _failed_value(self):
        return np.full(2, np.nan, dtype=np.float32)

    def transform(self, X):
        return np.vstack(self._extract(X))


def test_nan_features_raise_naming_the_item_and_are_not_cached(tmp_path):
    quiet, loud = np.full(400, 0.1, np.float32), np.full(400, 0.9, np.float32)
    path = tmp_path / "loud.wav"
    sf.write(path, loud, 16000)
    ext = _NaNOnLoud(memory=tmp_path / "c")
    with pytest.raises(AudioError, match=r"_NaNOnLoud gave NaN.*item 1 \(.*loud\.wav"):
        ext.transform([quiet, str(path)])
    assert len(_entries(tmp_path / "c")) == 1, "only the real result is cached"
    ext.set_params(on_error="warn")
    with pytest.warns(ExtractionWarning, match=r"1 of 2 .*loud\.wav"):
        X = ext.transform([quiet, str(path)])
    assert np.isnan(X[1]).all() and np.isfinite(X[0]).all()
    assert len(_entries(tmp_path / "c")) == 1


# ------------------------------------------------------------- damaged cache entries
def _damage_last_byte(entry):
    data = bytearray(entry.read_bytes())
    data[-20] ^= 0xFF  # inside the array's data, same size
    entry.write_bytes(bytes(data))


def _replace_with(entry, array):
    # A well-formed entry (with a valid checksum) of another shape or dtype.
    buffer = io.BytesIO()
    np.save(buffer, array)
    entry.write_bytes(buffer.getvalue() + _checksum(buffer.getvalue()))


@pytest.mark.parametrize(
    "damage",
    [
        _damage_last_byte,
        lambda e: _replace_with(e, np.zeros(1581, dtype=np.float32)),
        lambda e: _replace_with(e, np.zeros(1582, dtype=np.float64)),
        lambda e: _replace_with(e, np.zeros((3, 1582), dtype=np.float32)),
    ],
    ids=["flipped-byte", "wrong-length", "wrong-dtype", "wrong-ndim"],
)
def test_damaged_cache_entry_is_recomputed(wav_files, tmp_path, monkeypatch, damage):
    reference = OpenSmileIS10(memory=tmp_path / "c").transform(wav_files[:2])
    (entry, other) = _entries(tmp_path / "c")
    damage(entry)
    calls = _count_computes(monkeypatch, OpenSmileFeatures)
    again = OpenSmileIS10(memory=tmp_path / "c").transform(wav_files[:2])
    np.testing.assert_array_equal(again, reference)
    assert len(calls) == 1, "only the damaged entry is recomputed"
    OpenSmileIS10(memory=tmp_path / "c").transform(wav_files[:2])
    assert len(calls) == 1, "and it was replaced by a good one"


def test_sequence_cache_entries_are_checked_but_for_frames(
    wav_files, tmp_path, monkeypatch
):
    ext = LogMelDeltas(memory=tmp_path / "c", standardize=False)
    first = ext.fit_transform(wav_files[:3])
    _replace_with(_entries(tmp_path / "c")[0], np.zeros((7, 119), dtype=np.float32))
    calls = _count_computes(monkeypatch, LogMelDeltas)
    again = ext.fit_transform(wav_files[:3])
    assert len(calls) == 1, "an entry with 119 features is recomputed"
    ext.fit_transform(wav_files[:3])
    assert len(calls) == 1, "entries with any number of frames are used"
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------- long audio
def test_long_audio_is_extracted_alone_with_a_warning(voice, monkeypatch):
    short, longer = voice(0.5, seed=1), voice(2.0, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 2 s is short by default
        expected = OpenSmileIS10(sampling_rate=16000).transform([short, longer, short])
    monkeypatch.setattr(OpenSmileFeatures, "_long_audio_seconds", 1.5)
    in_this_process = []
    original = OpenSmileFeatures._compute

    def recording(self, signal, sr):
        in_this_process.append(len(signal))
        return original(self, signal, sr)

    # joblib's workers import the class afresh, without this recording.
    monkeypatch.setattr(OpenSmileFeatures, "_compute", recording)
    ext = OpenSmileIS10(sampling_rate=16000, n_jobs=2)
    with pytest.warns(
        LongAudioWarning, match=r"1 audio items .*item 1 \(waveform\): 2 s"
    ):
        X = ext.transform([short, longer, short])
    assert in_this_process == [32000], "the long item alone, here, not in a worker"
    np.testing.assert_array_equal(X, expected)


# ------------------------------------------------------- the first log-Mel extraction
@pytest.mark.slow  # numba compiles librosa from scratch: about a minute
def test_first_logmel_extraction_says_why_it_waits(wav_files, tmp_path):
    out = tmp_path / "o.npz"
    cmd = [sys.executable, "-m", "sklearn_ser.cli", "extract", "--features", "logmel"]
    cmd += ["-o", str(out), wav_files[0], "--no-cache"]
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba")  # as on a fresh installation
    run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "numba functions compile on first use" in run.stderr
    assert run.stderr.index("preparing librosa") < run.stderr.index("LogMelDeltas:  ")
    assert np.load(out)["frames"].shape[1] == 120
