"""Audio input and bad input, through the extractors (one engine for all)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from sklearn_ser import AudioError, ExtractionWarning, LogMelDeltas, OpenSmileIS10
from sklearn_ser._audio import as_audio_items, load_audio


def test_missing_file_names_it(wav_files, tmp_path):
    missing = str(tmp_path / "nope.wav")
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        OpenSmileIS10().transform(wav_files[:2] + [missing])


def test_corrupt_file_names_it(wav_files, tmp_path):
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"RIFF\x00\x00garbage" * 10)
    with pytest.raises(AudioError, match="corrupt.wav"):
        OpenSmileIS10().transform([wav_files[0], str(bad)])


def test_empty_signal(tmp_path):
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match=r"item 0 .*empty\.wav.*empty"):
        LogMelDeltas().fit([str(empty)])


def test_nan_waveform_names_index(voice):
    good = voice(0.3)
    bad = good.copy()
    bad[10] = np.nan
    with pytest.raises(AudioError, match=r"item 1 \(waveform\).*NaN"):
        OpenSmileIS10(sampling_rate=16000).transform([good, bad])


@pytest.mark.parametrize(
    "X, match",
    [
        ("a.wav", "single path"),
        ([1, 2], "item 0 has type int"),
        (np.zeros(100, dtype=np.float32), "single 1-D waveform"),
        ([np.array(["a", "b"])], "item 0: a waveform must be"),
        ([], "0 samples"),
    ],
)
def test_wrong_types(X, match):
    with pytest.raises((TypeError, ValueError), match=match):
        as_audio_items(X, sampling_rate=16000)


def test_waveform_needs_sampling_rate(voice):
    with pytest.raises(ValueError, match="sampling_rate"):
        OpenSmileIS10().transform([voice(0.2)])


def test_on_error_warn_keeps_the_rest(wav_files, tmp_path):
    bad = tmp_path / "corrupt.wav"
    bad.write_bytes(b"not audio at all" * 20)
    missing = str(tmp_path / "missing.flac")
    X = [wav_files[0], str(bad), wav_files[1], missing, wav_files[2]]
    with pytest.warns(ExtractionWarning) as record:
        out = OpenSmileIS10(on_error="warn").transform(X)
    assert len(record) == 1
    message = str(record[0].message)
    assert "2 of 5" in message and "corrupt.wav" in message
    assert "missing.flac" in message
    assert np.isnan(out[[1, 3]]).all()
    np.testing.assert_array_equal(
        out[[0, 2, 4]],
        OpenSmileIS10().transform([wav_files[0], wav_files[1], wav_files[2]]),
    )
    with pytest.warns(ExtractionWarning):
        seqs = LogMelDeltas(on_error="warn").fit_transform(X)
    assert seqs[1].shape == (1, 120) and np.isnan(seqs[1]).all()
    assert np.isfinite(seqs[0]).all()


def test_stereo_mixdown_and_channel(tmp_path, voice):
    left, right = voice(0.5, seed=1), voice(0.5, f0=(300, 350), seed=2)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    (item,) = as_audio_items([str(path)])
    mono, sr = load_audio(item)
    np.testing.assert_allclose(mono, (left + right) / 2, atol=1e-6)
    ch1, _ = load_audio(item, channel=1)
    np.testing.assert_allclose(ch1, right, atol=1e-6)
    with pytest.raises(AudioError, match="channel=5"):
        load_audio(item, channel=5)
    a = OpenSmileIS10(channel=1).transform([str(path)])
    b = OpenSmileIS10(sampling_rate=16000).transform([right])
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_resampling_is_high_quality():
    sr_in = 44100
    t = np.arange(sr_in) / sr_in
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    items = as_audio_items([x], sampling_rate=sr_in)
    y, sr = load_audio(items[0], target_sampling_rate=16000)
    assert sr == 16000 and len(y) == 16000
    ref = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000)
    # away from the edges the resampled sine matches the ideal one to < -60 dB
    err = np.abs(y[500:-500] - ref[500:-500]).max()
    assert err < 1e-3


def test_other_formats_and_series(tmp_path, voice):
    # int16 samples, so both lossless formats hold exactly the same signal
    sig = np.round(voice(0.8) * 32767).astype(np.int16)
    paths = []
    for ext, fmt in [
        ("wav", "WAV"),
        ("flac", "FLAC"),
        ("ogg", "OGG"),
        ("aiff", "AIFF"),
    ]:
        p = tmp_path / f"x.{ext}"
        sf.write(p, sig, 16000, format=fmt)
        paths.append(p)  # PathLike on purpose
    series = pd.Series([str(p) for p in paths], index=["w", "f", "o", "a"])
    out = OpenSmileIS10().set_output(transform="pandas").fit_transform(series)
    assert list(out.index) == ["w", "f", "o", "a"]
    assert np.isfinite(out.to_numpy()).all()
    lossless = OpenSmileIS10().transform(paths[:2])
    np.testing.assert_array_equal(lossless[0], lossless[1])


def test_very_short_audio_does_not_crash():
    tiny = (0.1 * np.sin(np.arange(160) / 3)).astype(np.float32)  # 10 ms
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = OpenSmileIS10(sampling_rate=16000).transform([tiny])
    assert np.isfinite(row).all()
    seq = LogMelDeltas(sampling_rate=16000).fit_transform([tiny, tiny[:50]])
    assert seq[0].shape == (2, 120) and seq[1].shape == (1, 120)
    assert all(np.isfinite(s).all() for s in seq)


def _cut(src, dst, n_bytes):
    dst.write_bytes(src.read_bytes()[:n_bytes])
    return str(dst)


@pytest.mark.parametrize("keep", [100, 0.5, -1])
def test_truncated_wav_is_refused_naming_it(data_home, tmp_path, keep):
    src = data_home / "emovo" / "m3" / "dis-m3-b1.wav"
    size = src.stat().st_size
    n = keep if keep >= 1 else int(size * keep) if keep > 0 else size + keep
    cut = _cut(src, tmp_path / "cut.wav", n)
    with pytest.raises(AudioError, match=r"item 1 \(.*cut\.wav\).*truncated"):
        OpenSmileIS10().transform([str(src), cut])
    with pytest.warns(ExtractionWarning, match="cut.wav"):
        out = OpenSmileIS10(on_error="warn").transform([str(src), cut])
    assert np.isnan(out[1]).all() and np.isfinite(out[0]).all()


def test_truncated_aiff_and_flac_are_refused_a_streamed_wav_is_not(tmp_path, voice):
    sig = voice(1.0)
    for fmt in ("AIFF", "FLAC"):
        whole = tmp_path / f"whole.{fmt.lower()}"
        sf.write(whole, sig, 16000, format=fmt)
        cut = _cut(whole, tmp_path / f"cut.{fmt.lower()}", whole.stat().st_size // 2)
        with pytest.raises(AudioError, match=f"cut.{fmt.lower()}"):
            LogMelDeltas().fit([cut])
    # Writers that cannot seek back (pipes) leave 0xFFFFFFFF as the data length,
    # meaning "up to the end of the file": such a file is whole.
    pcm = np.round(sig * 32767).astype(np.int16)
    path = tmp_path / "stream.wav"
    sf.write(path, pcm, 16000, subtype="PCM_16")
    raw = bytearray(path.read_bytes())
    at = raw.find(b"data") + 4
    raw[at : at + 4] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(raw))
    (item,) = as_audio_items([str(path)])
    data, _ = load_audio(item)
    np.testing.assert_array_equal(data, pcm / np.float32(32768))


def test_2d_array_as_X_is_refused(voice):
    stereo = np.stack([voice(0.5, seed=1), voice(0.5, seed=2)], axis=1)
    for X in (stereo, stereo.T):
        with pytest.raises(TypeError, match=r"2-D numeric array.*list\(X\).*\[X\]"):
            as_audio_items(X, sampling_rate=16000)


def test_channels_first_waveform_is_refused(voice):
    stereo = np.stack([voice(0.5, seed=1), voice(0.5, seed=2)], axis=1)
    with pytest.raises(AudioError, match=r"item 1 \(waveform\).*\(2, 8000\).*x\.T"):
        as_audio_items([voice(0.5), stereo.T], sampling_rate=16000)
    with pytest.raises(AudioError, match=r"\(3, 3\)"):
        as_audio_items([np.zeros((3, 3), np.float32)], sampling_rate=16000)
    # soundfile's layout, (n_samples, n_channels), is the one accepted
    (item,) = as_audio_items([stereo], sampling_rate=16000)
    mono, _ = load_audio(item)
    np.testing.assert_allclose(mono, stereo.mean(axis=1), atol=1e-7)
