"""Checking a corpus before trusting a score: describe_corpus, `sklearn-ser inspect`,
the speaker-label confound warning of `benchmark` and the silent-input warning of
`predict`."""

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from scipy.stats import chi2_contingency

from sklearn_ser._audio import (
    CLIPPED_FRACTION,
    SILENCE_DBFS,
    AudioError,
    is_clipped,
    is_silent,
    level_dbfs,
    scan_audio,
)
from sklearn_ser.cli import main
from sklearn_ser.datasets import (
    describe_corpus,
    load_emovo,
    load_manifest,
    speaker_label_confound,
)
from sklearn_ser.evaluation import chance_levels


def _manifest(root, rows):
    """Write ``rows`` (relative path, signal, rate, label, speaker) and a manifest."""
    table = []
    for rel, signal, rate, label, speaker in rows:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if signal is not None:
            sf.write(path, signal, rate)
        table.append((rel, label, speaker))
    manifest = root / "labels.csv"
    pd.DataFrame(table, columns=["path", "label", "speaker"]).to_csv(
        manifest, index=False
    )
    return manifest


def _one_class_per_speaker(root, voice):
    """Six speakers, three classes, every speaker in one class only (18 files)."""
    rows = []
    for s in range(6):
        label = ("anger", "sadness", "neutral")[s % 3]
        for take in range(3):
            sig = voice(0.3, f0=(110 + 25 * s, 190 + 25 * s), seed=10 * s + take)
            rows.append((f"s{s}/{take}.wav", sig, 16000, label, f"s{s}"))
    return _manifest(root, rows)


def _every_class_per_speaker(root, voice):
    """Three speakers, each with both classes (12 files)."""
    rows = []
    for s in range(3):
        for k, label in enumerate(("anger", "sadness")):
            for take in range(2):
                lo = 110 + 70 * k + 10 * s
                sig = voice(0.3, f0=(lo, lo * 1.6), seed=100 * s + 10 * k + take)
                rows.append((f"s{s}/{label}{take}.wav", sig, 16000, label, f"s{s}"))
    return _manifest(root, rows)


# ------------------------------------------------------------------- the rules
def test_level_and_silence_rule_by_hand():
    # A full-scale sine has mean square 1/2: -3.01 dBFS.
    assert level_dbfs(0.5) == pytest.approx(-3.0103, abs=1e-4)
    assert level_dbfs(1e-8) == pytest.approx(-80.0)
    assert level_dbfs(0.0) == float("-inf")
    assert is_silent(float("-inf")) and is_silent(SILENCE_DBFS - 0.1)
    assert not is_silent(SILENCE_DBFS) and not is_silent(-30.0)
    assert is_clipped(CLIPPED_FRACTION * 1.1) and not is_clipped(CLIPPED_FRACTION)


def test_scan_audio_measures_by_hand(tmp_path):
    # 0.5 everywhere but 16 of 8000 samples at full scale, stored exactly (float)
    x = np.full(8000, 0.5, np.float32)
    x[::500] = -1.0
    path = tmp_path / "steps.wav"
    sf.write(path, np.c_[x, x], 16000, subtype="FLOAT")
    scan = scan_audio(path, blocksize=1000)  # several blocks
    assert (scan.samplerate, scan.channels, scan.frames) == (16000, 2, 8000)
    assert scan.duration == 0.5 and scan.peak == 1.0
    assert scan.clipped_fraction == 16 / 8000 and scan.clipped
    ms = ((8000 - 16) * 0.25 + 16 * 1.0) / 8000
    assert scan.level_dbfs == pytest.approx(10 * np.log10(ms))
    # 25 frames of 320 samples; 16 of them hold one full-scale sample, so the 95th
    # percentile of the frame mean squares is such a frame's
    frame_ms = (319 * 0.25 + 1.0) / 320
    assert scan.active_level_dbfs == pytest.approx(10 * np.log10(frame_ms))
    assert not scan.silent
    # the hash is of the samples: the same audio under another name matches
    sf.write(tmp_path / "again.wav", np.c_[x, x], 16000, subtype="FLOAT")
    assert scan_audio(tmp_path / "again.wav").sha1 == scan.sha1
    x[0] = 0.25
    sf.write(tmp_path / "changed.wav", np.c_[x, x], 16000, subtype="FLOAT")
    assert scan_audio(tmp_path / "changed.wav").sha1 != scan.sha1


def test_chance_levels_by_hand():
    levels = chance_levels(["b", "a", "a", "c", "a", "b", "-1", "-1"])
    assert levels == {"UA": 1 / 3, "WA": 0.5, "n_classes": 3, "majority": "a"}
    with pytest.raises(ValueError, match="no labeled sample"):
        chance_levels([-1, -1])
    # ratings: -1 is a rating, not the unlabeled marker; median 1.0
    ratings = chance_levels(np.array([-1.0, 1.0, 1.0, 5.0]))
    assert ratings == {"CCC": 0.0, "MAE": (2 + 0 + 0 + 4) / 4, "median": 1.0}


def test_confound_rule_counts_single_class_speakers():
    # a and b carry one class each, c two: 2 of 3 single-class speakers.
    y = ["anger", "anger", "fear", "fear", "anger", "fear"]
    groups = ["a", "a", "b", "b", "c", "c"]
    c = speaker_label_confound(y, groups)
    assert (c.n_speakers, c.n_single_class) == (3, 2)
    assert c.fraction == pytest.approx(2 / 3) and c.flagged
    # Cramér's V by hand: sqrt(chi2 / (n * (min(r, k) - 1))) on the 3 x 2 table.
    chi2 = chi2_contingency([[2, 0], [0, 2], [1, 1]], correction=False)[0]
    assert c.association == pytest.approx(np.sqrt(chi2 / (6 * 1)))
    assert "2 of 3 speakers carry a single class" in c.message()


def test_confound_threshold_is_more_than_half():
    # Exactly half the speakers carry a single class: not flagged.
    y = ["anger", "anger", "anger", "fear"]
    half = speaker_label_confound(y, ["a", "a", "b", "b"])
    assert half.fraction == 0.5 and not half.flagged and half.message() is None
    assert speaker_label_confound(y, ["a", "a", "b", "b"], threshold=0.4).flagged


def test_confound_on_a_continuous_target_uses_eta_squared():
    y = np.array([1.0, 1.0, 3.0, 3.0, 2.0, 4.0])
    groups = ["a", "a", "b", "b", "c", "c"]
    c = speaker_label_confound(y, groups)
    # between-speaker sum of squares 2*(1-7/3)^2 + 2*(3-7/3)^2 + 2*(3-7/3)^2 over
    # the total sum of squares
    mean = y.mean()
    between = 2 * ((1 - mean) ** 2 + (3 - mean) ** 2 + (3 - mean) ** 2)
    assert c.association_name == "eta squared"
    assert c.association == pytest.approx(between / np.sum((y - mean) ** 2))
    assert (c.n_single_class, c.flagged) == (2, True)


def test_emovo_is_not_confounded(data_home):
    emovo = load_emovo(data_home)
    c = speaker_label_confound(emovo.target, emovo.groups)
    assert (c.n_speakers, c.n_single_class, c.flagged) == (6, 0, False)
    assert c.association == pytest.approx(0.0, abs=1e-12)
    # by name, headers only: what the loader gives, every file readable
    d = describe_corpus("emovo", data_home=data_home, read_audio=False)
    assert d.name == "emovo" and len(d.files) == 588 and d.findings() == []
    assert d.counts.to_numpy().tolist() == [[14] * 7] * 6


def test_confound_input_errors():
    with pytest.raises(ValueError, match="y has 2 samples but groups has 3"):
        speaker_label_confound(["a", "b"], ["s", "s", "t"])


# ------------------------------------------------------------------ describe
def test_describe_flags_the_one_class_per_speaker_corpus(tmp_path, voice):
    data = load_manifest(_one_class_per_speaker(tmp_path, voice))
    d = describe_corpus(data, name="acted")
    assert d.confound.flagged and d.confound.n_single_class == 6
    assert d.confound.association == pytest.approx(1.0)
    assert d.findings()[0].startswith(
        "speaker-label confound: 6 of 6 speakers carry a single class (Cramér's V"
    )
    assert d.counts.shape == (6, 3) and d.counts.to_numpy().sum() == 18
    assert (d.counts.to_numpy() > 0).sum(axis=1).tolist() == [1] * 6
    md = d.to_markdown()
    assert md.startswith("# Corpus inspection: acted")
    assert "18 utterances, 6 speakers, 3 classes" in md
    assert "speaker identity as emotion" in md
    assert "UA 0.333 (1/3 classes" in md and "WA 0.333" in md
    fig = d.plot(path=tmp_path / "acted.png")
    assert (tmp_path / "acted.png").stat().st_size > 0 and len(fig.axes) >= 3


def test_describe_reports_every_kind_of_problem(tmp_path, voice):
    # int16 samples: WAV and FLAC store them exactly (float input would be rounded
    # differently by the two encoders, and then the audio is not the same)
    good = np.round(voice(0.5, seed=1) * 32767).astype(np.int16)
    rows = [
        ("ok/a.wav", good, 16000, "anger", "s1"),
        ("ok/b.wav", voice(0.5, f0=(200, 300), seed=2), 16000, "fear", "s1"),
        ("ok/c.wav", voice(0.5, f0=(90, 150), seed=3), 16000, "anger", "s2"),
        ("zeros.wav", np.zeros(8000, np.float32), 16000, "fear", "s2"),
        # white noise at about -80 dBFS: near-silent, not all zeros
        (
            "hiss.wav",
            1e-4 * np.random.default_rng(0).standard_normal(8000),
            16000,
            "anger",
            "s3",
        ),
        ("loud.wav", np.clip(8 * voice(0.5, seed=4), -1, 1), 16000, "fear", "s3"),
        # the same audio as ok/a.wav under another name and format
        ("copy/a_again.flac", good, 16000, "anger", "s4"),
        ("rate8k.wav", voice(0.5, sr=8000, seed=5), 8000, "fear", "s4"),
        ("stereo.wav", np.c_[good, good[::-1]], 16000, "anger", "s5"),
        ("broken.wav", None, None, "fear", "s5"),
    ]
    manifest = _manifest(tmp_path, rows)
    (tmp_path / "broken.wav").write_bytes(b"this is not audio")
    d = describe_corpus(load_manifest(manifest))
    name = {str(tmp_path / rel): rel for rel, *_ in rows}
    assert [name[f] for f, _ in d.unreadable] == ["broken.wav"]
    assert "broken.wav" in d.unreadable[0][1]
    assert sorted(name[f] for f in d.silent) == ["hiss.wav", "zeros.wav"]
    assert [name[f] for f in d.clipped] == ["loud.wav"]
    assert [[name[f] for f in g] for g in d.duplicates] == [
        ["copy/a_again.flac", "ok/a.wav"]
    ]
    files = d.files.set_index("filename")
    assert files.loc[str(tmp_path / "zeros.wav"), "level_dbfs"] == float("-inf")
    hiss = files.loc[str(tmp_path / "hiss.wav")]
    assert hiss["level_dbfs"] == pytest.approx(-80, abs=0.5)
    assert hiss["active_level_dbfs"] == pytest.approx(-80, abs=1.5)
    findings = "\n".join(d.findings())
    assert "1 file(s) fail to read" in findings
    assert "2 file(s) are silent" in findings
    assert "1 file(s) are clipped" in findings
    assert "1 group(s) of duplicates: 2 files" in findings
    assert "1 group(s) span several speakers" in findings  # s1 and s4
    assert "mixed sample rates: 8000, 16000" in findings
    assert "mixed channel counts: 1, 2" in findings
    assert "speaker-label confound" not in findings  # s1 and s2 hold both classes
    md = d.to_markdown()
    assert "### Files that fail to read (1)" in md
    assert f"File names below are relative to {tmp_path}." in md
    assert "- zeros.wav (active level -inf dBFS)\n" in md
    assert "- Cannot read broken.wav: " in md  # the error names the file once
    assert "- loud.wav (" in md and "% of the samples clipped)" in md
    assert (
        "### Duplicates (1)\n\n- copy/a_again.flac = ok/a.wav (speakers: s1, s4)\n"
        in md
    )
    assert "sample rates: 8000 Hz: 1, 16000 Hz: 8" in md
    d.plot(path=tmp_path / "problems.png")

    headers = describe_corpus(load_manifest(manifest), read_audio=False)
    assert [name[f] for f, _ in headers.unreadable] == ["broken.wav"]
    assert headers.silent == [] and headers.duplicates == []
    assert "headers only" in headers.to_markdown()


def test_describe_a_continuous_target(tmp_path, voice):
    files = []
    for i in range(4):
        path = tmp_path / f"{i}.wav"
        sf.write(path, voice(0.3, seed=i), 16000)
        files.append(str(path))
    data = {
        "filenames": files,
        "target": np.array([1.5, 2.5, 4.0, 4.0]),
        "groups": np.array(["a", "a", "b", "b"]),
    }
    d = describe_corpus(data, name="ratings")
    assert d.continuous and d.chance == {"CCC": 0.0, "MAE": 1.0, "median": 3.25}
    assert d.counts.loc["a", "mean"] == pytest.approx(2.0)
    md = d.to_markdown()
    assert "a continuous target from 1.5 to 4" in md
    assert "## Target per speaker" in md
    # the regression benchmark's chance levels: CCC 0, MAE of the median (3.25)
    assert "CCC 0 for any guess" in md
    assert "MAE 1.000 for always answering the median rating (3.25)" in md
    assert "1 of 2 speakers carry a single value (50%; flagged above 50%)" in md
    assert "Not flagged: at least half the speakers carry several values." in md
    d.plot(path=tmp_path / "ratings.png")


def test_describe_input_errors(tmp_path):
    with pytest.raises(ValueError, match="no groups"):
        describe_corpus({"filenames": ["a.wav"], "target": ["anger"]})
    with pytest.raises(ValueError, match="1 filenames, 2 targets"):
        describe_corpus(
            {"filenames": ["a.wav"], "target": ["x", "y"], "groups": ["s", "t"]}
        )


def test_active_level_ignores_pauses_but_not_a_click(tmp_path):
    # 1.8 s of digital silence, then 0.2 s at 0.002 (-54 dBFS): quiet speech after a
    # pause. Whole-file RMS -64 dBFS, but 10 of the 100 frames of 20 ms are at -54.
    quiet = np.r_[np.zeros(28800), np.full(3200, 0.002)].astype(np.float32)
    sf.write(tmp_path / "quiet.wav", quiet, 16000, subtype="FLOAT")
    scan = scan_audio(tmp_path / "quiet.wav")
    assert scan.level_dbfs == pytest.approx(20 * np.log10(0.002) - 10, abs=1e-4)
    assert scan.active_level_dbfs == pytest.approx(20 * np.log10(0.002), abs=1e-4)
    assert not scan.silent
    # the same level for 2 frames only (a click): below the 95th percentile
    click = np.r_[np.zeros(31360), np.full(640, 0.002)].astype(np.float32)
    sf.write(tmp_path / "click.wav", click, 16000, subtype="FLOAT")
    scan = scan_audio(tmp_path / "click.wav")
    assert scan.active_level_dbfs == float("-inf") and scan.silent


def test_scan_audio_refuses_a_truncated_file(tmp_path, voice):
    path = tmp_path / "cut.wav"
    sf.write(path, voice(0.5), 16000)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(AudioError, match="truncated"):
        scan_audio(path)


# ------------------------------------------------------------------------ CLI
def test_inspect_command_on_emovo(tmp_path, data_home, capsys):
    out = tmp_path / "emovo"
    args = ["inspect", "emovo", "--data-home", str(data_home), "--out", str(out)]
    assert main([*args, "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# Corpus inspection: emovo")
    assert "588 utterances, 6 speakers, 7 classes" in printed
    assert "- No problem found." in printed
    assert "0 of 6 speakers carry a single class (0%; flagged above 50%)" in printed
    assert "Not flagged: at least half the speakers carry several classes." in printed
    assert "UA 0.143 (1/7 classes" in printed
    assert (out / "inspect.md").read_text().strip() == printed.strip()
    assert (out / "inspect.png").stat().st_size > 0


def test_inspect_command_on_a_confounded_manifest(tmp_path, voice, capsys):
    manifest = _one_class_per_speaker(tmp_path / "c", voice)
    out = tmp_path / "out"
    assert main(["inspect", str(manifest), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "# Corpus inspection: labels" in printed
    assert "- speaker-label confound: 6 of 6 speakers" in printed
    args = ["inspect", str(manifest), "--out", str(out), "--quiet", "--headers-only"]
    assert main(args) == 0
    assert "- headers only (read_audio=False)" in capsys.readouterr().out
    assert main(["inspect", "timit", "--out", str(out)]) == 2
    assert "unknown corpus 'timit'" in capsys.readouterr().err


def _benchmark_warnings(manifest, out, capsys):
    args = ["benchmark", "--corpus", str(manifest), "--pipelines", "is10-svm"]
    args += ["--cv", "2", "--quiet", "--no-cache", "--out", str(out)]
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    return [line for line in err if line.startswith("sklearn-ser: warning")]


def test_benchmark_warns_of_the_confound(tmp_path, voice, capsys):
    manifest = _one_class_per_speaker(tmp_path / "c", voice)
    data = load_manifest(manifest)
    expected = speaker_label_confound(data.target, data.groups).message()
    warned = _benchmark_warnings(manifest, tmp_path / "out1", capsys)
    assert warned == [f"sklearn-ser: warning: {expected}"]

    balanced = _every_class_per_speaker(tmp_path / "b", voice)
    assert _benchmark_warnings(balanced, tmp_path / "out2", capsys) == []


def test_benchmark_does_not_warn_on_emovo(data_home, capsys):
    from sklearn_ser.cli import _warn_confound

    _warn_confound(load_emovo(data_home))
    assert capsys.readouterr().err == ""


def test_predict_warns_on_a_silent_file(tmp_path, voice, capsys):
    root = tmp_path / "train"
    for spk in ["p1", "p2"]:
        for k, label in enumerate(["anger", "neutral"]):
            for take in range(5):  # the calibrated SVC cross-validates 5-fold
                f0 = (120 + 80 * k + 5 * take, 200 + 80 * k)
                path = root / spk / label / f"{take}.wav"
                path.parent.mkdir(parents=True, exist_ok=True)
                sf.write(path, voice(0.3, f0=f0, seed=take), 16000)
    model = tmp_path / "model.skops"
    args = ["train", "--corpus", str(root), "--pipeline", "is10-svm", "--quiet"]
    assert main([*args, "--no-cache", "-o", str(model)]) == 0
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(8000, np.float32), 16000)
    spoken = tmp_path / "spoken.wav"
    sf.write(spoken, voice(0.3, seed=9), 16000)
    capsys.readouterr()
    assert main(["predict", str(model), str(silent), str(spoken)]) == 0
    captured = capsys.readouterr()
    warned = [line for line in captured.err.splitlines() if "silent" in line]
    assert warned == [
        f"sklearn-ser: warning: {silent} is silent or near-silent (RMS -inf dBFS, "
        "below -60): its prediction says nothing about an emotion"
    ]
    assert len(captured.out.strip().splitlines()) == 3  # header + both files


def test_inspect_task_regression_reads_whole_number_ratings(tmp_path, capsys):
    """--task regression reaches the loader: ratings 1-5 are a target, not classes."""
    from conftest import synth_voice

    rows = ["path,label,speaker"]
    for i in range(8):
        path = tmp_path / f"u{i}.wav"
        sf.write(path, synth_voice(0.5, seed=i), 16000)
        rows.append(f"{path},{1 + i % 5},s{i % 4}")
    manifest = tmp_path / "ratings.csv"
    manifest.write_text("\n".join(rows) + "\n")
    args = ["inspect", str(manifest), "--headers-only", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert "5 classes" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "b"), "--task", "regression"]) == 0
    assert "a continuous target from 1 to 5" in capsys.readouterr().out
