"""SpeechSegmenter: the segment rule, fixed windows, streaming, speech detectors."""

import sys

import librosa
import numpy as np
import pytest
import soundfile as sf

from sklearn_ser import AudioError
from sklearn_ser.segment import SpeechSegmenter, mask_to_segments, window_segments
from sklearn_ser.segment._segmenter import VAD_FRAME, VAD_RATE, _frames
from sklearn_ser.segment._source import Recording

# Segment boundaries found in a recording assembled from real utterances must lie
# this close (seconds) to the utterances' true speech boundaries.
BOUNDARY_TOLERANCE = 0.25


def _rule(speech, **kw):
    params = dict(min_speech=0.0, max_segment=100.0, merge_gap=0.0, pad=0.0)
    params.update(kw)
    duration = params.pop("duration", len(speech) * 0.1)
    return mask_to_segments(speech, 0.1, duration=duration, **params).round(6)


def test_rule_runs_of_speech_frames():
    speech = [0, 1, 1, 0, 0, 1, 0, 1, 1, 1]
    np.testing.assert_allclose(_rule(speech), [[0.1, 0.3], [0.5, 0.6], [0.7, 1.0]])
    assert _rule([0, 0, 0]).shape == (0, 2)


def test_rule_merges_short_gaps_only():
    speech = [1, 0, 1, 0, 0, 1, 0, 0, 0, 1]
    # gaps of 0.1, 0.2 and 0.3 s: merge_gap=0.25 joins the first two only
    np.testing.assert_allclose(_rule(speech, merge_gap=0.25), [[0.0, 0.6], [0.9, 1.0]])


def test_rule_drops_short_runs_after_merging():
    speech = [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1]
    # 0.1 + gap 0.1 + 0.1 merge into 0.3 s, kept; the lone 0.1 s run is dropped
    got = _rule(speech, merge_gap=0.15, min_speech=0.25)
    np.testing.assert_allclose(got, [[0.0, 0.3], [1.0, 1.3]])


def test_rule_pads_and_meets_half_way():
    speech = [0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0]
    got = _rule(speech, pad=0.1)
    # [0.2, 0.4] and [0.7, 0.9] padded freely; [1.0, 1.1] would overlap [0.7, 0.9]
    # padded, so the two meet in the middle of their gap (0.95); the last pad is
    # clipped to the recording's end (1.2)
    np.testing.assert_allclose(got, [[0.1, 0.5], [0.6, 0.95], [0.95, 1.2]])
    assert _rule([1, 1], pad=0.5, duration=0.2).tolist() == [[0.0, 0.2]]


def test_rule_splits_long_segments_into_equal_parts():
    speech = [1] * 25  # 2.5 s
    got = _rule(speech, max_segment=1.0)
    np.testing.assert_allclose(
        got, [[0.0, 0.833333], [0.833333, 1.666667], [1.666667, 2.5]]
    )
    assert len(_rule([1] * 20, max_segment=1.0)) == 2  # exactly twice max: 2 parts


def test_window_grid():
    got = window_segments(10.0, window=3.0, hop=2.0)
    np.testing.assert_allclose(got[:, 0], [0, 2, 4, 6, 8])
    np.testing.assert_allclose(got[:, 1], [3, 5, 7, 9, 10])
    # the window reaching the end is the last one
    assert window_segments(9.0, window=3.0, hop=2.0)[-1].tolist() == [6.0, 9.0]
    # hop > window leaves gaps, as asked
    assert window_segments(5.0, window=1.0, hop=2.0).tolist() == [
        [0.0, 1.0],
        [2.0, 3.0],
        [4.0, 5.0],
    ]
    # no accumulated rounding error on a long recording
    starts = window_segments(3600.0, window=0.3, hop=0.1)[:, 0]
    np.testing.assert_array_equal(starts, np.arange(len(starts)) * 0.1)


def test_window_method_on_a_file(tmp_path, voice):
    path = tmp_path / "long.wav"
    sf.write(path, voice(7.0, sr=8000), 8000)
    got = SpeechSegmenter(method="window", window=2.0, hop=1.0).segment(path)
    assert got[:, 0].tolist() == [0, 1, 2, 3, 4, 5]
    assert got[-1, 1] == 7.0


def _assemble(clips, sr, gaps, noise, rng):
    """Clips separated by low noise; the clips' true (start, end) in seconds."""
    parts, truth, pos = [], [], 0
    for clip, gap in zip(clips, gaps):
        n = int(gap * sr)
        parts.append(noise * rng.standard_normal(n))
        parts.append(clip + noise * rng.standard_normal(len(clip)))
        truth.append((pos + n, pos + n + len(clip)))
        pos += n + len(clip)
    parts.append(noise * rng.standard_normal(sr))
    return np.concatenate(parts).astype(np.float32), np.array(truth) / sr


def test_energy_boundaries_on_synthetic_speech(tmp_path, voice, rng):
    clips = [voice(0.8 + 0.3 * i, f0=(120 + 15 * i, 200), seed=i) for i in range(5)]
    x, truth = _assemble(clips, 16000, [1.0, 0.7, 1.5, 0.9, 1.2], 0.001, rng)
    path = tmp_path / "long.flac"
    sf.write(path, x, 16000)
    got = SpeechSegmenter(method="energy", pad=0.0).segment(path)
    assert got.shape == truth.shape
    # frames of 32 ms: edges within one frame of the truth
    np.testing.assert_allclose(got, truth, atol=VAD_FRAME / VAD_RATE)
    # a waveform given in memory at another rate gives the same segments
    x8 = librosa.resample(x, orig_sr=16000, target_sr=8000)
    seg = SpeechSegmenter(method="energy", pad=0.0, sampling_rate=8000)
    np.testing.assert_allclose(seg.segment(x8), truth, atol=2 * VAD_FRAME / VAD_RATE)
    # and transform does each recording of a list
    both = seg.set_params(sampling_rate=16000).transform([x, str(path)])
    np.testing.assert_allclose(both[0], both[1])


def _emovo_assembly(data_home, n, seed):
    """Real EMOVO utterances, trimmed to their speech, between 1.5-2.5 s of noise."""
    files = sorted((data_home / "emovo").glob("*/*.wav"))[:: 588 // n][:n]
    rng = np.random.default_rng(seed)
    clips = []
    for f in files:
        x, sr = sf.read(f, dtype="float32")
        assert sr == 16000
        clips.append(librosa.effects.trim(x, top_db=30)[0])
    return _assemble(clips, 16000, rng.uniform(1.5, 2.5, n), 0.002, rng)


def test_silero_finds_real_utterances(tmp_path, data_home):
    x, truth = _emovo_assembly(data_home, 8, seed=0)
    path = tmp_path / "long.wav"
    sf.write(path, x, 16000)
    # EMOVO utterances hold pauses up to ~1 s inside; the gaps between them are
    # longer (1.5-2.5 s)
    got = SpeechSegmenter(method="silero", merge_gap=1.0).segment(path)
    assert got.shape == truth.shape, got
    np.testing.assert_allclose(got, truth, atol=BOUNDARY_TOLERANCE)


def test_silero_keeps_the_callers_torch_threads(tmp_path, voice):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        SpeechSegmenter(method="silero").segment(voice(1.0))
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_silero_missing_names_the_extra(monkeypatch, voice):
    monkeypatch.setitem(sys.modules, "silero_vad", None)  # import fails
    with pytest.raises(ImportError, match=r"sklearn-ser\[segment\]"):
        SpeechSegmenter(method="silero").segment(voice(1.0))
    # the other methods do not need it
    SpeechSegmenter(method="energy").segment(voice(1.0))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"method": "webrtc"}, "method"),
        ({"pad": -0.1}, "pad"),
        ({"hop": 0}, "hop"),
        ({"threshold": 1.5}, "threshold"),
        ({"min_speech": 5.0, "max_segment": 2.0}, "min_speech"),
    ],
)
def test_bad_parameters(params, match, voice):
    with pytest.raises(ValueError, match=match):
        SpeechSegmenter(**params).segment(voice(1.0))


def test_bad_recordings_are_named(tmp_path):
    seg = SpeechSegmenter(method="energy")
    missing = tmp_path / "gone.wav"
    with pytest.raises(FileNotFoundError, match="gone.wav"):
        seg.segment(missing)
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"not audio at all" * 10)
    with pytest.raises(AudioError, match="garbage.wav"):
        seg.segment(garbage)
    with pytest.raises(AudioError, match="folder"):
        seg.segment(tmp_path)
    with pytest.raises(AudioError, match="fewer channels than samples"):
        seg.segment(np.zeros((2, 16000), np.float32))
    with pytest.raises(AudioError, match="NaN"):
        seg.segment(np.full(16000, np.nan, np.float32))
    with pytest.raises(TypeError, match=r"\[X\]"):
        seg.transform(str(garbage))


def test_streaming_holds_one_block(tmp_path, voice):
    """Blocks are at most block_seconds long and add up to the whole signal."""
    x = np.stack([voice(25.0, sr=48000, seed=1), voice(25.0, sr=48000, seed=2)], 1)
    path = tmp_path / "stereo.wav"
    sf.write(path, x, 48000, subtype="FLOAT")
    rec = Recording(path, None)
    assert rec.sampling_rate == 48000 and rec.duration == 25.0
    blocks = list(rec.blocks(16000, block_seconds=4.0))
    # a resampling stream may carry a few ms over to the next block, never a block
    assert max(len(b) for b in blocks) <= (4.0 + 0.05) * 16000
    streamed = np.concatenate(blocks)
    whole = librosa.resample(
        x.mean(1), orig_sr=48000, target_sr=16000, res_type="soxr_hq"
    )
    assert abs(len(streamed) - len(whole)) <= 1
    n = min(len(streamed), len(whole))
    np.testing.assert_allclose(streamed[:n], whole[:n], atol=1e-3)
    # at the native rate, the blocks are the file's samples
    native = np.concatenate(list(rec.blocks(48000, block_seconds=4.0)))
    np.testing.assert_allclose(native, x.mean(1), atol=1e-6)
    # a stretch read by time is the same samples
    np.testing.assert_allclose(rec.read(3.0, 4.5, 48000), x[144000:216000].mean(1))


def test_frames_from_blocks():
    x = np.arange(2000, dtype=np.float32)
    blocks = [x[:700], x[700:701], x[701:1600], x[1600:]]
    frames = list(_frames(iter(blocks), 512))
    assert len(frames) == 4
    np.testing.assert_array_equal(np.concatenate(frames)[:2000], x)
    assert np.all(frames[-1][2000 - 3 * 512 :] == 0)  # the last one zero-padded
