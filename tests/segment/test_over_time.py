"""predict_over_time and plot_timeline: a fitted model over a long recording."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from conftest import synth_voice
from sklearn_ser import AudioError, OpenSmileIS10
from sklearn_ser.pipelines import make_named_pipeline
from sklearn_ser.segment import (
    SpeechSegmenter,
    plot_timeline,
    predict_over_time,
    with_waveform_rate,
)
from sklearn_ser.segment._over_time import envelope
from sklearn_ser.segment._segmenter import VAD_FRAME
from sklearn_ser.segment._source import Recording

SR = 16000
#: The columns of a two-class model's rows over time.
COLUMNS = ["start", "end", "label", "proba_calm", "proba_excited"]
# Exact segments: clips and silences whole 32 ms frames long, digital silence
# between the clips, no padding, so each segment is exactly one clip.
EXACT = SpeechSegmenter(method="energy", pad=0.0, merge_gap=0.0, min_speech=0.1)


def _frame_aligned(x):
    return np.pad(x, (0, -len(x) % VAD_FRAME))


def assemble_exact(clips, rng):
    """Clips between whole frames of digital silence; the clips' (start, end)."""
    parts, truth, pos = [], [], 0
    for clip in clips:
        gap = np.zeros(VAD_FRAME * int(rng.integers(20, 60)), np.float32)
        clip = _frame_aligned(clip)
        parts += [gap, clip]
        truth.append((pos + len(gap), pos + len(gap) + len(clip)))
        pos += len(gap) + len(clip)
    parts.append(np.zeros(VAD_FRAME * 30, np.float32))
    return np.concatenate(parts), np.array(truth) / SR


def _two_class_clips(voice, n, seed):
    """Low- and high-pitched synthetic voices: 'calm' and 'excited'."""
    clips, labels = [], []
    for i in range(n):
        high = i % 2 == 1
        f0 = (260 + 7 * i, 380) if high else (95 + 5 * i, 140)
        clips.append(_frame_aligned(voice(0.7 + 0.05 * i, f0=f0, seed=seed + i)))
        labels.append("excited" if high else "calm")
    return clips, np.array(labels)


@pytest.fixture(scope="module")
def synthetic_model(tmp_path_factory):
    """is10-svm (with probabilities) fitted on 16 synthetic clips of two classes."""
    clips, labels = _two_class_clips(synth_voice, 16, seed=100)
    model = make_named_pipeline("is10-svm", probability=True, random_state=0)
    model.set_params(opensmileis10__sampling_rate=SR)
    return model.fit(clips, labels).set_params(opensmileis10__sampling_rate=None)


def test_segments_are_the_cut_utterances(tmp_path, voice, rng, synthetic_model):
    clips, _ = _two_class_clips(voice, 7, seed=0)
    x, truth = assemble_exact(clips, rng)
    cut = []
    for i, clip in enumerate(clips):
        cut.append(str(tmp_path / f"cut{i}.wav"))
        sf.write(cut[-1], clip, SR, subtype="FLOAT")
    long = tmp_path / "long.wav"
    sf.write(long, x, SR, subtype="FLOAT")

    rows = predict_over_time(synthetic_model, long, segmenter=EXACT, batch_size=3)
    assert list(rows.columns) == COLUMNS
    np.testing.assert_allclose(rows[["start", "end"]], truth, atol=1e-9)
    # the model's predictions on the original cut utterances, read from files
    np.testing.assert_array_equal(rows.label, synthetic_model.predict(cut))
    assert set(rows.label) == {"calm", "excited"}
    np.testing.assert_allclose(
        rows[["proba_calm", "proba_excited"]],
        synthetic_model.predict_proba(cut),
        atol=1e-9,
    )
    # the same from a waveform in memory, and in batches of any size
    rows1 = predict_over_time(synthetic_model, x, segmenter=EXACT, batch_size=1)
    pd.testing.assert_frame_equal(rows1, rows)


def test_batches_are_bounded(tmp_path, voice, rng):
    """The model never sees more than batch_size segments at once."""
    seen = []

    def record(X):
        seen.append(len(X))
        return X

    clips, labels = _two_class_clips(voice, 8, seed=0)
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        OpenSmileIS10(sampling_rate=SR), FunctionTransformer(record), SVC()
    ).fit(clips, labels)
    x, truth = assemble_exact(clips[:7], rng)
    seen.clear()
    rows = predict_over_time(model, x, segmenter=EXACT, batch_size=3)
    assert len(rows) == 7
    assert seen == [3, 3, 1]  # features extracted once per batch
    assert "proba_calm" not in rows  # SVC without probability=True


def test_the_callers_model_is_unchanged(synthetic_model, voice):
    assert synthetic_model.get_params()["opensmileis10__sampling_rate"] is None
    copy = with_waveform_rate(synthetic_model, 8000)
    assert copy.get_params()["opensmileis10__sampling_rate"] == 8000
    assert synthetic_model.get_params()["opensmileis10__sampling_rate"] is None
    # fitted state is shared, not copied
    assert copy[-1] is synthetic_model[-1]
    predict_over_time(synthetic_model, voice(2.0), segmenter=EXACT)
    assert synthetic_model.get_params()["opensmileis10__sampling_rate"] is None


def test_silence_gives_no_rows(synthetic_model, rng):
    x = np.zeros(3 * SR, np.float32)
    rows = predict_over_time(synthetic_model, x, segmenter=EXACT)
    assert len(rows) == 0
    assert list(rows.columns) == COLUMNS


def test_errors(tmp_path, synthetic_model, voice):
    with pytest.raises(FileNotFoundError, match="nowhere.wav"):
        predict_over_time(synthetic_model, tmp_path / "nowhere.wav", segmenter=EXACT)
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + b"\0" * 50)
    with pytest.raises(AudioError, match="bad.flac"):
        predict_over_time(synthetic_model, bad, segmenter=EXACT)
    with pytest.raises(ValueError, match="batch_size"):
        predict_over_time(synthetic_model, voice(1.0), segmenter=EXACT, batch_size=0)
    plain = SVC().fit(np.eye(2), [0, 1])
    with pytest.raises(ValueError, match="sampling_rate"):
        predict_over_time(plain, voice(1.0), segmenter=EXACT)
    spkstd = make_named_pipeline("is10-svm-spkstd")
    with pytest.raises(ValueError, match="speaker"):
        predict_over_time(spkstd, voice(1.0), segmenter=EXACT)


def test_timeline(tmp_path, voice, rng, synthetic_model):
    clips, _ = _two_class_clips(voice, 5, seed=0)
    x, _ = assemble_exact(clips, rng)
    path = tmp_path / "long.wav"
    sf.write(path, x, SR, subtype="FLOAT")
    rows = predict_over_time(synthetic_model, path, segmenter=EXACT)
    fig = plot_timeline(rows, path)
    top, bottom = fig.axes[:2]
    assert [line.get_label() for line in top.lines] == ["calm", "excited"]
    # each class's line is its probability over each segment
    ys = top.lines[0].get_ydata()
    np.testing.assert_allclose(ys[0::3], rows.proba_calm)
    assert bottom.get_xlim() == (0.0, len(x) / SR)
    fig.savefig(tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 10_000
    with pytest.raises(ValueError, match="label"):
        plot_timeline(rows.drop(columns="label"), path)


def test_envelope_is_the_waveforms_min_max(voice):
    x = voice(3.0)
    lo, hi = envelope(Recording(x, SR), 30)
    cols = x.reshape(30, -1)
    np.testing.assert_allclose(lo, cols.min(1))
    np.testing.assert_allclose(hi, cols.max(1))


@pytest.mark.slow  # fits is10-svm on 294 EMOVO utterances (~40 s)
def test_emovo_over_time(tmp_path, data_home):
    """Real utterances of a held-out speaker: each segment gets the label the
    model gives the cut utterance."""
    from sklearn_ser.datasets import load_emovo

    emovo = load_emovo(data_home)
    files = np.asarray([str(f) for f in emovo.filenames])
    speaker = np.array([f.split("/")[-2] for f in files])
    train = (speaker != "m3") & (np.arange(len(files)) % 2 == 0)
    model = make_named_pipeline("is10-svm", probability=True, random_state=0)
    model.fit(files[train], np.asarray(emovo.target)[train])

    held_out = files[speaker == "m3"]
    pred = model.predict(held_out)
    # two utterances of each predicted emotion, so a mix-up would show
    pick = np.concatenate([np.flatnonzero(pred == c)[:2] for c in np.unique(pred)])
    assert len(np.unique(pred[pick])) >= 3
    rng = np.random.default_rng(0)
    rng.shuffle(pick)
    clips = [sf.read(f, dtype="float32")[0] for f in held_out[pick]]
    x, truth = assemble_exact(clips, rng)
    cut = []
    for i, clip in enumerate(clips):
        cut.append(str(tmp_path / f"cut{i}.wav"))
        sf.write(cut[-1], _frame_aligned(clip), SR, subtype="FLOAT")
    long = tmp_path / "long.wav"
    sf.write(long, x, SR, subtype="FLOAT")
    rows = predict_over_time(model, long, segmenter=EXACT)
    np.testing.assert_allclose(rows[["start", "end"]], truth, atol=1e-9)
    np.testing.assert_array_equal(rows.label, model.predict(cut))
    np.testing.assert_array_equal(rows.label, pred[pick])


def test_cli_over_time(tmp_path, voice, rng, synthetic_model, capsys):
    from sklearn_ser import save_model
    from sklearn_ser.cli import main

    model = tmp_path / "model.skops"
    save_model(synthetic_model, model)
    clips, _ = _two_class_clips(voice, 5, seed=0)
    x, truth = assemble_exact(clips, rng)
    long = tmp_path / "long.wav"
    sf.write(long, x, SR, subtype="FLOAT")
    opts = ["--over-time", "--segmenter", "energy"]
    args = ["predict", str(model), str(long), *opts]
    out, png = tmp_path / "rows.csv", tmp_path / "timeline.png"
    assert main([*args, "-o", str(out), "--timeline", str(png)]) == 0
    got = pd.read_csv(out)
    assert list(got.columns) == [
        "file",
        "start",
        "end",
        "label",
        "proba_calm",
        "proba_excited",
    ]
    assert (got.file == str(long)).all()
    # the energy defaults pad each segment by 0.1 s
    np.testing.assert_allclose(got[["start", "end"]], truth + [-0.1, 0.1], atol=1e-3)
    lib = predict_over_time(
        synthetic_model, long, segmenter=SpeechSegmenter(method="energy")
    )
    np.testing.assert_array_equal(got.label, lib.label)
    assert png.stat().st_size > 10_000
    assert "5 segments" in capsys.readouterr().err

    js = tmp_path / "rows.json"
    assert main([*args, "-o", str(js)]) == 0
    records = pd.read_json(js)
    np.testing.assert_array_equal(records.label, got.label)
    # stdout without -o, two files at once
    capsys.readouterr()
    assert main(["predict", str(model), str(long), str(long), *opts]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[0] == "file,start,end,label,proba_calm,proba_excited"
    assert len(printed) == 1 + 2 * len(got)


@pytest.mark.parametrize(
    "extra, match",
    [
        (["--timeline", "t.png"], "--timeline needs --over-time"),
        (["--segmenter", "energy"], "--segmenter needs --over-time"),
        (["--over-time", "--timeline", "t.gif"], ".png, .svg or .pdf"),
        (["--over-time", "--segmenter", "vad"], None),
    ],
)
def test_cli_over_time_errors(tmp_path, voice, extra, match, capsys):
    from sklearn_ser.cli import main

    wav = tmp_path / "a.wav"
    sf.write(wav, voice(1.0), SR)
    if match is None:  # argparse's own error
        with pytest.raises(SystemExit):
            main(["predict", "m.skops", str(wav), *extra])
        return
    assert main(["predict", "m.skops", str(wav), *extra]) == 2
    err = capsys.readouterr().err
    assert match in err, err


def test_cli_timeline_needs_one_file(tmp_path, voice, capsys):
    from sklearn_ser.cli import main

    wav = tmp_path / "a.wav"
    sf.write(wav, voice(1.0), SR)
    args = ["predict", "m.skops", str(wav), str(wav), "--over-time"]
    assert main([*args, "--timeline", str(tmp_path / "t.png")]) == 2
    assert "one audio file" in capsys.readouterr().err


def test_cli_over_time_on_error_warn(tmp_path, voice, rng, synthetic_model, capsys):
    from sklearn_ser import save_model
    from sklearn_ser.cli import main

    model = tmp_path / "model.skops"
    save_model(synthetic_model, model)
    clips, _ = _two_class_clips(voice, 3, seed=0)
    good = tmp_path / "good.wav"
    sf.write(good, assemble_exact(clips, rng)[0], SR)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF" + b"\0" * 40)
    args = ["predict", str(model), str(bad), str(good), "--over-time"]
    args += ["--segmenter", "energy", "-o", str(tmp_path / "rows.csv")]
    assert main(args) == 2  # --on-error raise: the bad file stops the run
    assert "bad.wav" in capsys.readouterr().err
    assert main([*args, "--on-error", "warn"]) == 1
    err = capsys.readouterr().err
    assert "skipped" in err and "bad.wav" in err
    rows = pd.read_csv(tmp_path / "rows.csv")
    assert set(rows.file) == {str(good)} and len(rows) == 3
