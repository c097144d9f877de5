"""Corpus loaders: the real corpora in ../shared/data, and fixture trees laid out
exactly like the official IEMOCAP, CASIA and EmoDB distributions, with tiny real WAVs.
"""

import os
import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.datasets import (
    EMOTIONS,
    get_data_home,
    librispeech_unlabeled,
    load_casia,
    load_cremad,
    load_emodb,
    load_emovo,
    load_iemocap,
    load_librispeech,
    load_ravdess,
    load_savee,
    load_tess,
)


def _write_wav(path, voice, seed=0):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, voice(0.05, seed=seed), 16000)
    return path


def _check_bunch(bunch):
    """The contract every loader shares."""
    n = len(bunch.filenames)
    assert n > 0
    for key in ("target", "groups"):
        assert bunch[key].shape == (n,)
        assert bunch[key].dtype.kind == "U"
    assert bunch.filenames.dtype.kind == "U"
    assert list(bunch.filenames) == sorted(bunch.filenames)
    assert set(bunch.target) <= set(EMOTIONS)
    np.testing.assert_array_equal(bunch.target_names, np.unique(bunch.target))
    assert isinstance(bunch.DESCR, str) and len(bunch.DESCR) > 200
    assert all(os.path.isfile(f) for f in bunch.filenames)


# --------------------------------------------------------------------------- data home


def test_get_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("SKLEARN_SER_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert get_data_home() == str(tmp_path / "me" / "sklearn_ser_data")
    assert not (tmp_path / "me").exists()  # reading never creates it
    monkeypatch.setenv("SKLEARN_SER_DATA", str(tmp_path / "env"))
    assert get_data_home() == str(tmp_path / "env")
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home("~/x") == str(tmp_path / "me" / "x")
    monkeypatch.setenv("SKLEARN_SER_DATA", "")  # empty counts as unset
    assert get_data_home() == str(tmp_path / "me" / "sklearn_ser_data")


def test_env_var_finds_corpus_and_argument_wins(monkeypatch, data_home, tmp_path):
    monkeypatch.setenv("SKLEARN_SER_DATA", str(data_home))
    assert len(load_emovo().filenames) == 588
    monkeypatch.setenv("SKLEARN_SER_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="SKLEARN_SER_DATA"):
        load_emovo()
    assert len(load_emovo(data_home).filenames) == 588


def test_default_home_error_lists_places(monkeypatch, tmp_path):
    monkeypatch.delenv("SKLEARN_SER_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        load_librispeech()
    msg = str(err.value)
    for name in ("librispeech_neutral", "LibriSpeech", "librispeech"):
        assert str(tmp_path / "sklearn_ser_data" / name) in msg
    assert "is not set" in msg


@pytest.mark.parametrize(
    "loader, folders",
    [
        (load_emovo, ["emovo", "EMOVO"]),
        (load_emodb, ["emodb"]),
        (load_iemocap, ["iemocap", "IEMOCAP_full_release", "IEMOCAP"]),
        (load_casia, ["casia", "CASIA"]),
        (load_librispeech, ["librispeech_neutral", "LibriSpeech", "librispeech"]),
        (load_ravdess, ["ravdess", "RAVDESS", "Audio_Speech_Actors_01-24"]),
        (load_cremad, ["cremad", "CREMA-D", "crema-d"]),
        (load_savee, ["savee", "SAVEE"]),
        (load_tess, ["tess", "TESS", "TESS Toronto emotional speech set data"]),
    ],
)
def test_not_found_lists_every_place(loader, folders, tmp_path, data_home):
    (tmp_path / folders[0]).mkdir()  # exists but empty: said so
    with pytest.raises(FileNotFoundError) as err:
        loader(tmp_path)
    msg = str(err.value)
    assert f"{tmp_path / folders[0]} (exists, but holds no" in msg
    for name in folders[1:]:
        assert f"{tmp_path / name} (does not exist)" in msg
    assert f"  {tmp_path} (exists, but holds no" in msg  # the direct-path candidate
    assert "Expected layout" in msg
    if not any((data_home / name).exists() for name in folders):
        # not fooled by the other corpora of the local data home
        with pytest.raises(FileNotFoundError):
            loader(data_home)


def test_bad_parameters_are_named(tmp_path):
    with pytest.raises(ValueError, match="on_error"):
        load_emovo(tmp_path, on_error="ignore")
    with pytest.raises(ValueError, match="classes"):
        load_iemocap(tmp_path, classes="5class")
    with pytest.raises((TypeError, ValueError), match="data_home"):
        load_casia(3)


# -------------------------------------------------------------------- EMOVO (real)


def test_load_emovo_real(data_home):
    emovo = load_emovo(data_home=data_home)
    _check_bunch(emovo)
    assert emovo.filenames.shape == (588,)
    assert sorted(set(emovo.groups)) == ["f1", "f2", "f3", "m1", "m2", "m3"]
    assert Counter(emovo.target) == {
        label: 84
        for label in (
            "anger",
            "disgust",
            "fear",
            "happiness",
            "neutral",
            "sadness",
            "surprise",
        )
    }
    assert len(set(emovo.sentences)) == 14
    assert Counter(emovo.genders) == {"female": 294, "male": 294}
    i = list(emovo.filenames).index(str(data_home / "emovo" / "m2" / "rab-m2-l3.wav"))
    assert (emovo.target[i], emovo.groups[i], emovo.sentences[i]) == (
        "anger",
        "m2",
        "l3",
    )
    # The corpus folder itself is accepted as well as the data home.
    direct = load_emovo(data_home / "emovo")
    np.testing.assert_array_equal(direct.filenames, emovo.filenames)
    np.testing.assert_array_equal(direct.target, emovo.target)


def test_load_emovo_as_frame(data_home):
    emovo = load_emovo(data_home, as_frame=True)
    frame = emovo.frame
    assert list(frame.columns[:3]) == ["filename", "target", "speaker"]
    assert {"sentence", "gender", "emotion_code"} <= set(frame.columns)
    assert len(frame) == 588
    np.testing.assert_array_equal(frame["filename"].to_numpy(str), emovo.filenames)
    np.testing.assert_array_equal(frame["speaker"].to_numpy(str), emovo.groups)
    assert (frame.groupby("speaker")["target"].count() == 98).all()
    assert load_emovo(data_home).frame is None


def test_load_emovo_nothing_usable(tmp_path, voice):
    _write_wav(tmp_path / "emovo" / "f1" / "bad.wav", voice)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="No usable"):
        load_emovo(tmp_path, on_error="warn")


# --------------------------------------------------------------- LibriSpeech (real)


def test_load_librispeech_real(data_home):
    libri = load_librispeech(data_home, as_frame=True)
    _check_bunch(libri)
    assert libri.filenames.shape == (351,)
    assert list(libri.target_names) == ["neutral"]
    assert all(f.endswith(".flac") for f in libri.filenames)
    # 251 one-utterance readers (train-clean-100) + 10 readers x 10 (test-other).
    counts = Counter(libri.groups)
    assert len(counts) == 261
    assert sorted(counts.values())[-10:] == [10] * 10
    # Genders come from SPEAKERS.TXT: reader 103 is female, 1034 male.
    gender = dict(zip(libri.groups, libri.genders))
    assert gender["103"] == "female" and gender["1034"] == "male"
    assert "unknown" not in gender.values()
    assert set(libri.frame.columns) >= {"filename", "target", "speaker", "chapter"}
    direct = load_librispeech(data_home / "librispeech_neutral")
    np.testing.assert_array_equal(direct.filenames, libri.filenames)


def test_librispeech_unlabeled_cuts_every_utterance(data_home):
    libri = load_librispeech(data_home)
    waves, groups = librispeech_unlabeled(data_home, seconds=2.5)
    assert waves.shape == groups.shape == (351,)
    assert groups.tolist() == [f"libri-{g}" for g in libri.groups]
    for path, wave in zip(libri.filenames[:20], waves[:20]):
        full, rate = sf.read(path, dtype="float32")
        assert rate == 16000 and wave.dtype == np.float32
        np.testing.assert_array_equal(wave, full[:40000])
    assert max(len(w) for w in waves) == 40000
    with pytest.raises(ValueError, match="seconds"):
        librispeech_unlabeled(data_home, seconds=0)


def test_librispeech_unlabeled_refuses_a_file_not_at_16_khz(tmp_path, voice):
    chapter = tmp_path / "LibriSpeech" / "dev-clean" / "84" / "121123"
    chapter.mkdir(parents=True)
    sf.write(chapter / "84-121123-0000.flac", voice(0.5, seed=0), 16000)
    sf.write(chapter / "84-121123-0001.flac", voice(0.5, seed=1), 8000)
    with pytest.raises(ValueError, match=r"84-121123-0001\.flac: expected 16 kHz"):
        librispeech_unlabeled(tmp_path)


def test_load_librispeech_official_tree(tmp_path, voice):
    root = tmp_path / "LibriSpeech"
    chapter = root / "dev-clean" / "84" / "121123"
    chapter.mkdir(parents=True)
    for i in range(3):
        sf.write(chapter / f"84-121123-000{i}.flac", voice(0.05, seed=i), 16000)
    sf.write(chapter / "84-121123.flac", voice(0.05), 16000)  # malformed name
    with pytest.raises(ValueError, match=r"84-121123\.flac: not <speaker>"):
        load_librispeech(tmp_path)
    with pytest.warns(UserWarning, match="Skipped 1 LibriSpeech"):
        libri = load_librispeech(tmp_path, on_error="warn")
    assert len(libri.filenames) == 3
    assert set(libri.groups) == {"84"}
    assert set(libri.genders) == {"unknown"}  # no SPEAKERS.TXT in this tree
    assert set(libri.chapters) == {"121123"}


# ---------------------------------------------------------------------- EmoDB (tree)

EMODB_FILES = {
    "03a01Fa.wav": ("happiness", "03", "male"),
    "03a01Wa.wav": ("anger", "03", "male"),
    "08b02Nb.wav": ("neutral", "08", "female"),
    "09a05Tc.wav": ("sadness", "09", "female"),
    "10b10La.wav": ("boredom", "10", "male"),
    "13a04Ea.wav": ("disgust", "13", "female"),
    "16a07Ab.wav": ("fear", "16", "female"),
}


@pytest.fixture
def emodb_home(tmp_path, voice):
    for i, name in enumerate(EMODB_FILES):
        _write_wav(tmp_path / "emodb" / "wav" / name, voice, seed=i)
    (tmp_path / "emodb" / "erklaerung.txt").write_text("Dokumentation")
    return tmp_path


def test_load_emodb(emodb_home):
    emodb = load_emodb(emodb_home, as_frame=True)
    _check_bunch(emodb)
    names = [Path(f).name for f in emodb.filenames]
    assert names == sorted(EMODB_FILES)
    for name, target, spk, gender, text in zip(
        names, emodb.target, emodb.groups, emodb.genders, emodb.texts
    ):
        assert (target, spk, gender) == EMODB_FILES[name]
        assert text == name[2:5]
    assert len(emodb.target_names) == 7
    assert list(emodb.versions) == [n[6] for n in names]
    assert {"text", "version", "gender"} <= set(emodb.frame.columns)
    direct = load_emodb(emodb_home / "emodb")
    np.testing.assert_array_equal(direct.filenames, emodb.filenames)


# -------------------------------------------------------------------- IEMOCAP (tree)

_HEADER = "% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]\n\n"


def _turn(start, utt, label, vad=(2.5, 2.5, 2.5)):
    """A consensus line and its evaluator lines, as in EmoEvaluation/*.txt."""
    v, a, d = vad
    return (
        f"[{start:.4f} - {start + 1.5:.4f}]\t{utt}\t{label}\t"
        f"[{v:.4f}, {a:.4f}, {d:.4f}]\n"
        "C-E2:\tNeutral;\t()\n"
        "C-E3:\tAnger; Frustration;\t(annoyed)\n"
        "C-F1:\tNeutral;\t()\n"
        "A-E3:\tval 3; act 2; dom  2;\t()\n"
        "A-F1:\tval 2; act 1; dom  3;\t(mildly aggravated but staying polite)\n"
        "\n"
    )


# dialog -> [(utterance id, label, (v, a, d))]
IEMOCAP_DIALOGS = {
    "Ses01F_impro01": [
        ("Ses01F_impro01_F000", "neu", (2.5, 2.5, 2.5)),
        ("Ses01F_impro01_M003", "ang", (1.5, 4.0, 4.5)),
        ("Ses01F_impro01_F001", "exc", (4.0, 3.5, 3.0)),
        ("Ses01F_impro01_M004", "xxx", (2.0, 3.0, 3.0)),
        ("Ses01F_impro01_F002", "fru", (2.0, 3.5, 3.5)),
        ("Ses01F_impro01_M005", "sur", (3.0, 4.0, 3.0)),
    ],
    "Ses01F_script01_1": [
        ("Ses01F_script01_1_F000", "hap", (4.5, 3.0, 3.0)),
        ("Ses01F_script01_1_M000", "sad", (1.5, 2.0, 2.0)),
        ("Ses01F_script01_1_F001", "fea", (2.0, 4.0, 1.5)),
        ("Ses01F_script01_1_M001", "dis", (1.5, 3.0, 3.5)),
    ],
    "Ses02M_impro03": [
        ("Ses02M_impro03_M000", "neu", (3.0, 2.0, 2.5)),
        ("Ses02M_impro03_F000", "hap", (4.0, 3.0, 3.0)),
        ("Ses02M_impro03_F001", "sad", (1.0, 1.5, 2.0)),
        ("Ses02M_impro03_M001", "ang", (1.0, 4.5, 4.0)),
    ],
}
IEMOCAP_4CLASS = {"neu", "ang", "exc", "hap", "sad"}


@pytest.fixture
def iemocap_root(tmp_path, voice):
    """Session1 and Session2 of an IEMOCAP_full_release tree, tiny real WAVs."""
    root = tmp_path / "IEMOCAP_full_release"
    seed = 0
    for dialog, turns in IEMOCAP_DIALOGS.items():
        session = root / f"Session{int(dialog[3:5])}"
        labels = session / "dialog" / "EmoEvaluation"
        labels.mkdir(parents=True, exist_ok=True)
        text = _HEADER + "".join(
            _turn(1.0 + 3 * i, utt, lab, vad) for i, (utt, lab, vad) in enumerate(turns)
        )
        (labels / f"{dialog}.txt").write_text(text)
        # The per-evaluator files in sub-folders are not consensus labels.
        cat = labels / "Categorical" / f"{dialog}_e2_cat.txt"
        cat.parent.mkdir(exist_ok=True)
        cat.write_text(f"{turns[0][0]} :Neutral state; ()\n")
        for utt, _, _ in turns:
            seed += 1
            _write_wav(
                session / "sentences" / "wav" / dialog / f"{utt}.wav", voice, seed
            )
    # An utterance with audio but no label is not loaded.
    _write_wav(
        root / "Session2/sentences/wav/Ses02M_impro03/Ses02M_impro03_F009.wav", voice
    )
    return root


def _label_file(root, dialog):
    return (
        root
        / f"Session{int(dialog[3:5])}"
        / "dialog"
        / "EmoEvaluation"
        / f"{dialog}.txt"
    )


def test_load_iemocap_4class(iemocap_root):
    iemocap = load_iemocap(iemocap_root.parent, as_frame=True)  # finds the folder name
    _check_bunch(iemocap)
    expected = {
        utt: (lab, vad)
        for turns in IEMOCAP_DIALOGS.values()
        for utt, lab, vad in turns
        if lab in IEMOCAP_4CLASS
    }
    assert sorted(iemocap.utterance_ids) == sorted(expected)
    assert list(iemocap.target_names) == ["anger", "happiness", "neutral", "sadness"]
    mapping = {"neu": "neutral", "ang": "anger", "exc": "happiness", "hap": "happiness"}
    mapping["sad"] = "sadness"
    for i, utt in enumerate(iemocap.utterance_ids):
        lab, vad = expected[utt]
        assert iemocap.raw_labels[i] == lab
        assert iemocap.target[i] == mapping[lab]
        np.testing.assert_allclose(iemocap.vad[i], vad)
        dialog = utt.rsplit("_", 1)[0]
        assert iemocap.filenames[i] == str(
            iemocap_root
            / f"Session{int(utt[3:5])}"
            / "sentences"
            / "wav"
            / dialog
            / f"{utt}.wav"
        )
        assert iemocap.dialogs[i] == dialog
    by_utt = dict(zip(iemocap.utterance_ids, iemocap.groups))
    # The speaker's gender is the letter before the utterance number.
    assert by_utt["Ses01F_impro01_M003"] == "Ses01M"
    assert by_utt["Ses01F_impro01_F000"] == "Ses01F"
    assert by_utt["Ses02M_impro03_F000"] == "Ses02F"
    assert sorted(set(iemocap.groups)) == ["Ses01F", "Ses01M", "Ses02F", "Ses02M"]
    sessions = dict(zip(iemocap.utterance_ids, iemocap.sessions))
    assert sessions["Ses01F_script01_1_M000"] == 1
    assert sessions["Ses02M_impro03_M001"] == 2
    assert iemocap.sessions.dtype.kind == "i"
    improvised = dict(zip(iemocap.utterance_ids, iemocap.improvised))
    assert (
        improvised["Ses01F_impro01_F000"] and not improvised["Ses01F_script01_1_F000"]
    )
    genders = dict(zip(iemocap.utterance_ids, iemocap.genders))
    assert genders["Ses01F_impro01_M003"] == "male"
    assert iemocap.vad.shape == (len(expected), 3)
    frame = iemocap.frame
    assert {"session", "dialog", "raw_label", "valence", "improvised"} <= set(
        frame.columns
    )
    np.testing.assert_array_equal(frame["speaker"].to_numpy(str), iemocap.groups)


def test_load_iemocap_all_classes(iemocap_root):
    iemocap = load_iemocap(iemocap_root, classes="all")
    labels = {lab for turns in IEMOCAP_DIALOGS.values() for _, lab, _ in turns}
    kept = labels - {"xxx", "fru"}
    assert set(iemocap.raw_labels) == kept
    assert len(iemocap.filenames) == sum(
        lab in kept for turns in IEMOCAP_DIALOGS.values() for _, lab, _ in turns
    )
    assert list(iemocap.target_names) == [
        "anger",
        "disgust",
        "fear",
        "happiness",
        "neutral",
        "sadness",
        "surprise",
    ]


def test_load_iemocap_malformed_lines(iemocap_root):
    path = _label_file(iemocap_root, "Ses01F_impro01")
    lines = path.read_text().splitlines(keepends=True)
    n = len(lines)
    lines += [
        "[20.0000 - 21.5000]\tSes01F_impro01_F009\tneu\n",  # no [v, a, d]
        "garbage in the middle\n",
        "[22.0000 - 23.5000]\tSes01F_impro01_F010\tjoy\t[2.0000, 2.0000, 2.0000]\n",
        "[24.0000 - 25.5000]\tSes02M_impro03_F010\tneu\t[2.0000, 2.0000, 2.0000]\n",
        "[26.0000 - 27.5000]\tSes01F_impro01_F000\tang\t[2.0000, 2.0000, 2.0000]\n",
    ]
    path.write_text("".join(lines))
    with pytest.raises(ValueError) as err:
        load_iemocap(iemocap_root)
    msg = str(err.value)
    assert msg.startswith("5 malformed IEMOCAP label lines")
    assert re.search(rf"{re.escape(str(path))}:{n + 1}: expected '\[start - end\]", msg)
    assert f"{path}:{n + 2}: expected" in msg and "garbage in the middle" in msg
    assert f"{path}:{n + 3}: unknown label 'joy'" in msg
    assert (
        f"{path}:{n + 4}: utterance 'Ses02M_impro03_F010' is not from Session1" in msg
    )
    assert f"{path}:{n + 5}: utterance 'Ses01F_impro01_F000' already labelled" in msg
    with pytest.warns(UserWarning, match="Skipped 5 malformed IEMOCAP") as record:
        iemocap = load_iemocap(iemocap_root, on_error="warn")
    assert len(record) == 1
    # The well-formed lines of the same file are still used, first label wins.
    assert len(iemocap.filenames) == 9
    i = list(iemocap.utterance_ids).index("Ses01F_impro01_F000")
    assert iemocap.raw_labels[i] == "neu"


def test_load_iemocap_missing_wav(iemocap_root):
    gone = (
        iemocap_root / "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M003.wav"
    )
    gone.unlink()
    # A dropped class's missing audio does not matter.
    (
        iemocap_root / "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M004.wav"
    ).unlink()
    with pytest.raises(FileNotFoundError) as err:
        load_iemocap(iemocap_root)
    msg = str(err.value)
    assert msg.startswith("1 labelled IEMOCAP utterances without their WAV")
    assert f"Ses01F_impro01_M003: {gone} does not exist" in msg
    with pytest.warns(UserWarning, match="Skipped 1 labelled IEMOCAP"):
        iemocap = load_iemocap(iemocap_root, on_error="warn")
    assert "Ses01F_impro01_M003" not in set(iemocap.utterance_ids)
    assert len(iemocap.filenames) == 8


def test_load_iemocap_session_without_labels(iemocap_root):
    (iemocap_root / "Session3" / "sentences" / "wav").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match=r"Session3.dialog.EmoEvaluation"):
        load_iemocap(iemocap_root)


def test_load_iemocap_windows_line_endings(iemocap_root):
    for dialog in IEMOCAP_DIALOGS:
        path = _label_file(iemocap_root, dialog)
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_iemocap(iemocap_root).filenames) == 9


# ---------------------------------------------------------------------- CASIA (tree)

CASIA_SPEAKERS = ["liuchanhg", "wangzhe", "zhaoquanyin", "ZhaoZuoxiang"]
CASIA_FOLDERS = {
    "angry": "anger",
    "fear": "fear",
    "happy": "happiness",
    "neutral": "neutral",
    "sad": "sadness",
    "surprise": "surprise",
}


@pytest.fixture
def casia_home(tmp_path, voice):
    seed = 0
    for spk in CASIA_SPEAKERS:
        for emo in CASIA_FOLDERS:
            for sent in ("201", "202"):
                seed += 1
                _write_wav(tmp_path / "casia" / spk / emo / f"{sent}.wav", voice, seed)
    return tmp_path


def test_load_casia(casia_home):
    casia = load_casia(casia_home, as_frame=True)
    _check_bunch(casia)
    assert casia.filenames.shape == (48,)
    assert sorted(set(casia.groups)) == sorted(CASIA_SPEAKERS)
    assert Counter(casia.target) == {t: 8 for t in CASIA_FOLDERS.values()}
    for f, target, spk, sent in zip(
        casia.filenames, casia.target, casia.groups, casia.sentences
    ):
        parts = Path(f).parts
        assert (parts[-3], CASIA_FOLDERS[parts[-2]], parts[-1]) == (
            spk,
            target,
            f"{sent}.wav",
        )
    assert {"sentence", "emotion_folder"} <= set(casia.frame.columns)
    direct = load_casia(casia_home / "casia")
    np.testing.assert_array_equal(direct.target, casia.target)


def test_load_casia_speaker_case(tmp_path, voice):
    _write_wav(tmp_path / "CASIA" / "ZHAOZUOXIANG" / "Happy" / "201.wav", voice)
    casia = load_casia(tmp_path)
    assert list(casia.groups) == ["ZhaoZuoxiang"]
    assert list(casia.target) == ["happiness"]


def test_casia_not_confused_with_another_corpus_in_the_data_home(data_home):
    # data_home holds emovo/<spk>/<file>.wav, which has CASIA's bare shape
    with pytest.raises(FileNotFoundError, match="CASIA corpus not found"):
        load_casia(str(data_home))


# ------------------------------------------------------------------ RAVDESS (real)

RAVDESS_SEVEN = ("anger", "disgust", "fear", "happiness", "sadness", "surprise")


def test_load_ravdess_real(data_home):
    ravdess = load_ravdess(data_home, as_frame=True)
    _check_bunch(ravdess)
    assert ravdess.filenames.shape == (1440,)
    assert len(set(ravdess.groups)) == 24
    assert Counter(ravdess.groups)["Actor_24"] == 60
    assert Counter(ravdess.target) == {
        "neutral": 96,
        "calm": 192,
        **{label: 192 for label in RAVDESS_SEVEN},
    }
    assert len(ravdess.target_names) == 8
    assert all(f.endswith(".flac") for f in ravdess.filenames)
    i = list(ravdess.filenames).index(
        str(data_home / "ravdess" / "Actor_07" / "03-01-06-02-01-02-07.flac")
    )
    assert ravdess.target[i] == "fear"
    assert ravdess.groups[i] == "Actor_07"
    assert ravdess.genders[i] == "male"
    assert ravdess.intensities[i] == "strong"
    assert ravdess.statements[i] == "Kids are talking by the door"
    assert ravdess.repetitions[i] == 2
    row = ravdess.frame.iloc[i]
    assert (row["emotion_code"], row["intensity"]) == ("06", "strong")
    assert Counter(ravdess.genders) == {"female": 720, "male": 720}
    # The corpus folder itself is accepted as well as the data home.
    direct = load_ravdess(data_home / "ravdess")
    np.testing.assert_array_equal(direct.filenames, ravdess.filenames)


def test_load_ravdess_calm(data_home):
    merged = load_ravdess(data_home, calm="neutral", as_frame=True)
    assert merged.filenames.shape == (1440,)
    assert Counter(merged.target)["neutral"] == 288
    assert "calm" not in merged.target_names
    assert set(merged.frame["emotion_code"][merged.target == "neutral"]) == {
        "01",
        "02",
    }
    dropped = load_ravdess(data_home, calm="drop")
    assert dropped.filenames.shape == (1248,)
    assert list(dropped.target_names) == sorted([*RAVDESS_SEVEN, "neutral"])
    with pytest.raises(ValueError, match="calm"):
        load_ravdess(data_home, calm="merge")


def test_load_ravdess_official_tree(tmp_path, voice):
    # The official archive's folder name, WAV as distributed, song and video files of
    # the same actors mixed in, and names a damaged copy may hold.
    root = tmp_path / "Audio_Speech_Actors_01-24"
    _write_wav(root / "Actor_01" / "03-01-01-01-01-01-01.wav", voice, 1)
    _write_wav(root / "Actor_01" / "03-01-02-02-02-02-01.wav", voice, 2)
    _write_wav(root / "Actor_02" / "03-01-05-02-01-01-02.WAV", voice, 3)
    sf.write(root / "Actor_02" / "03-01-08-01-02-01-02.flac", voice(0.05), 16000)
    _write_wav(root / "Actor_02" / "03-02-05-01-01-01-02.wav", voice)  # song
    (root / "Actor_02" / "01-01-05-01-01-01-02.mp4").write_bytes(b"video")
    (root / "Actor_02" / "._03-01-05-01-01-01-02.wav").write_bytes(b"fork")
    (root / "Actor_02" / "notes.txt").write_text("not audio")
    ravdess = load_ravdess(tmp_path)
    _check_bunch(ravdess)
    assert [Path(f).name for f in ravdess.filenames] == [
        "03-01-01-01-01-01-01.wav",
        "03-01-02-02-02-02-01.wav",
        "03-01-05-02-01-01-02.WAV",
        "03-01-08-01-02-01-02.flac",
    ]
    assert list(ravdess.target) == ["neutral", "calm", "anger", "surprise"]
    assert list(ravdess.groups) == ["Actor_01", "Actor_01", "Actor_02", "Actor_02"]
    assert list(ravdess.genders) == ["male", "male", "female", "female"]
    assert list(ravdess.statements[:2]) == [
        "Kids are talking by the door",
        "Dogs are sitting by the door",
    ]
    assert list(ravdess.repetitions) == [1, 2, 1, 1]


def test_ravdess_not_confused_with_another_corpus(data_home):
    with pytest.raises(FileNotFoundError, match="RAVDESS corpus not found"):
        load_ravdess(data_home / "emovo")
