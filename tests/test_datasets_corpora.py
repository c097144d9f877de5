"""CREMA-D, SAVEE and TESS on fixture trees in their official layouts.

The corpora are not available here: each fixture lays out tiny real audio exactly as
the official distribution does, plus the faulty names and files real copies hold.
"""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.datasets import EMOTIONS, load_cremad, load_savee, load_tess


def _wav(path, voice, seed=0):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, voice(0.05, seed=seed), 16000)
    return path


def _check(bunch, n):
    assert bunch.filenames.shape == (n,)
    assert list(bunch.filenames) == sorted(bunch.filenames)
    assert set(bunch.target) <= set(EMOTIONS)
    np.testing.assert_array_equal(bunch.target_names, np.unique(bunch.target))
    assert bunch.groups.shape == (n,) and len(bunch.DESCR) > 200
    assert all(Path(f).is_file() for f in bunch.filenames)


# ------------------------------------------------------------------------- CREMA-D
@pytest.fixture
def cremad_root(tmp_path, voice):
    root = tmp_path / "CREMA-D"
    seed = 0
    for actor in ("1001", "1002", "1091"):
        for emo in ("ANG", "DIS", "FEA", "HAP", "NEU", "SAD"):
            seed += 1
            _wav(root / "AudioWAV" / f"{actor}_DFA_{emo}_XX.wav", voice, seed)
        _wav(root / "AudioWAV" / f"{actor}_IEO_ANG_HI.wav", voice, seed + 1)
    (root / "VideoDemographics.csv").write_text(
        "ActorID,Age,Sex,Race,Ethnicity\n"
        "1001,51,Male,Caucasian,Not Hispanic\n"
        "1002,21,Female,Caucasian,Not Hispanic\n"
        "1091,29,Female,Asian,Not Hispanic\n"
    )
    (root / "AudioMP3").mkdir()
    return root


def test_load_cremad(cremad_root, voice):
    # Copies before 2022 hold 1040_ITH_SAD_X.wav (one X): read as level XX.
    _wav(cremad_root / "AudioWAV" / "1040_ITH_SAD_X.wav", voice)
    crema = load_cremad(cremad_root.parent, as_frame=True)
    _check(crema, 3 * 7 + 1)
    assert Counter(crema.target)["anger"] == 6
    assert sorted(set(crema.groups)) == ["1001", "1002", "1040", "1091"]
    frame = crema.frame.set_index(crema.frame.filename.map(lambda f: Path(f).name))
    row = frame.loc["1001_IEO_ANG_HI.wav"]
    assert (row.target, row.level, row.sentence_text, row.sex, row.age) == (
        "anger",
        "high",
        "It's eleven o'clock",
        "male",
        "51",
    )
    assert frame.loc["1040_ITH_SAD_X.wav"].level == "unspecified"
    assert frame.loc["1040_ITH_SAD_X.wav"].sex == ""  # not in the demographics
    assert set(crema.levels) == {"high", "unspecified"}


def test_load_cremad_faults(cremad_root, voice):
    audio = cremad_root / "AudioWAV"
    # A download without git-lfs leaves pointer files; some copies have empty files.
    (audio / "1005_IWW_DIS_XX.wav").write_text(
        "version https://git-lfs.github.com/spec/v1\noid sha256:c6f9\nsize 72862\n"
    )
    (audio / "1076_MTI_NEU_XX.wav").write_bytes(b"")
    _wav(audio / "1001_DFA_BOR_XX.wav", voice)
    _wav(audio / "1001_XYZ_ANG_XX.wav", voice)
    _wav(audio / "1001_DFA_ANG_XX (copy).wav", voice)
    with pytest.raises(ValueError) as err:
        load_cremad(cremad_root)
    msg = str(err.value)
    assert msg.startswith("5 CREMA-D files at fault")
    assert "1005_IWW_DIS_XX.wav: a git-lfs pointer, not audio" in msg
    assert "1076_MTI_NEU_XX.wav: empty file" in msg
    assert "1001_DFA_BOR_XX.wav: unknown emotion code 'BOR'" in msg
    assert "1001_XYZ_ANG_XX.wav: unknown sentence code 'XYZ'" in msg
    assert "(copy).wav: not <actor>_<sentence>_<EMO>_<level>" in msg
    with pytest.warns(UserWarning, match="Skipped 5 CREMA-D"):
        assert len(load_cremad(cremad_root, on_error="warn").filenames) == 21


# --------------------------------------------------------------------------- SAVEE
SAVEE_CODES = {
    "a": "anger",
    "d": "disgust",
    "f": "fear",
    "h": "happiness",
    "n": "neutral",
    "sa": "sadness",
    "su": "surprise",
}


def test_load_savee_official_layout(tmp_path, voice):
    root = tmp_path / "savee" / "AudioData"
    for spk in ("DC", "JE", "JK", "KL"):
        for code in SAVEE_CODES:
            for n in ("01", "02"):
                _wav(root / spk / f"{code}{n}.wav", voice)
    (root / "Info.txt").write_text("SAVEE")
    savee = load_savee(tmp_path, as_frame=True)
    _check(savee, 4 * 7 * 2)
    assert sorted(set(savee.groups)) == ["DC", "JE", "JK", "KL"]
    assert Counter(savee.target) == {t: 8 for t in SAVEE_CODES.values()}
    i = list(savee.filenames).index(str(root / "JK" / "sa02.wav"))
    assert (savee.target[i], savee.groups[i], savee.sentences[i]) == (
        "sadness",
        "JK",
        "02",
    )
    _wav(root / "DC" / "x01.wav", voice)  # unknown code
    _wav(root / "DC" / "JE_a03.wav", voice)  # another speaker's file
    _wav(root / "DC" / "._a01.wav", voice)  # hidden: ignored
    with pytest.raises(ValueError) as err:
        load_savee(tmp_path / "savee")
    msg = str(err.value)
    assert msg.startswith("2 SAVEE files with unexpected names")
    assert "x01.wav: not <emo><nn>" in msg
    assert "JE_a03.wav: speaker 'JE' in the folder of DC" in msg


def test_load_savee_flat_layout(tmp_path, voice):
    root = tmp_path / "ALL"
    for spk in ("DC", "KL"):
        for code in ("a", "sa", "su", "n"):
            _wav(root / f"{spk}_{code}01.wav", voice)
    _wav(root / "XX_a01.wav", voice)
    _wav(root / "DC_b01.wav", voice)
    with pytest.warns(UserWarning, match="Skipped 2 SAVEE") as record:
        savee = load_savee(root, on_error="warn")
    msg = str(record[0].message)
    assert "XX_a01.wav: unknown speaker 'XX'" in msg
    assert "DC_b01.wav: not <speaker>_<emo><nn>" in msg
    _check(savee, 8)
    assert savee.target.tolist()[:4] == ["anger", "neutral", "sadness", "surprise"]


# ---------------------------------------------------------------------------- TESS
TESS_FOLDERS = {
    "OAF": ["angry", "disgust", "Fear", "happy", "neutral", "Pleasant_surprise", "Sad"],
    "YAF": [
        "angry",
        "disgust",
        "fear",
        "happy",
        "neutral",
        "pleasant_surprised",
        "sad",
    ],
}
TESS_WORDS = {
    "angry": "angry",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "happy",
    "neutral": "neutral",
    "pleasant_surprise": "ps",
    "pleasant_surprised": "ps",
    "sad": "sad",
}


@pytest.fixture
def tess_root(tmp_path, voice):
    # As redistributed: the corpus folder nested once more under its own name.
    root = tmp_path / "TESS Toronto emotional speech set data"
    inner = root / "TESS Toronto emotional speech set data"
    for spk, folders in TESS_FOLDERS.items():
        for folder in folders:
            emo = TESS_WORDS[folder.lower()]
            for word in ("back", "bar"):
                _wav(inner / f"{spk}_{folder}" / f"{spk}_{word}_{emo}.wav", voice)
    return root


def test_load_tess(tess_root):
    tess = load_tess(tess_root.parent, as_frame=True)
    _check(tess, 2 * 7 * 2)
    assert Counter(tess.groups) == {"OAF": 14, "YAF": 14}
    assert set(tess.target) == {
        "anger",
        "disgust",
        "fear",
        "happiness",
        "neutral",
        "sadness",
        "surprise",
    }
    ps = tess.frame[tess.frame.emotion_word == "ps"]
    assert set(ps.target) == {"surprise"} and len(ps) == 4
    assert set(tess.words) == {"back", "bar"}


def test_load_tess_faults(tess_root, voice):
    inner = tess_root / "TESS Toronto emotional speech set data"
    _wav(inner / "OAF_angry" / "OAF_bite_sad.wav", voice)  # emotion != folder
    _wav(inner / "YAF_sad" / "OAF_bite_sad.wav", voice)  # speaker != folder
    _wav(inner / "YAF_sad" / "YAF_bite_bored.wav", voice)
    _wav(inner / "YAF_sad" / "YAF bite sad.wav", voice)
    # A second copy of part of the corpus inside it.
    _wav(inner / "tess copy" / "YAF_happy" / "YAF_back_happy.wav", voice)
    with pytest.raises(ValueError) as err:
        load_tess(tess_root)
    msg = str(err.value)
    assert msg.startswith("5 TESS files at fault")
    assert "OAF_angry/OAF_bite_sad.wav: OAF sad in folder OAF_angry" in msg
    assert "YAF_sad/OAF_bite_sad.wav: OAF sad in folder YAF_sad" in msg
    assert "YAF_bite_bored.wav: unknown emotion 'bored'" in msg
    assert "YAF bite sad.wav: not <OAF|YAF>_<word>_<emotion>" in msg
    assert "YAF_back_happy.wav: a second copy of" in msg
    with pytest.warns(UserWarning, match="Skipped 5 TESS"):
        assert len(load_tess(tess_root, on_error="warn").filenames) == 28


@pytest.mark.parametrize(
    "loader, folders",
    [
        (load_cremad, ["cremad", "CREMA-D", "crema-d"]),
        (load_savee, ["savee", "SAVEE"]),
        (load_tess, ["tess", "TESS", "TESS Toronto emotional speech set data"]),
    ],
)
def test_not_found_lists_every_place(loader, folders, tmp_path, data_home):
    (tmp_path / folders[0]).mkdir()
    with pytest.raises(FileNotFoundError) as err:
        loader(tmp_path)
    msg = str(err.value)
    assert f"{tmp_path / folders[0]} (exists, but holds no" in msg
    for name in folders[1:]:
        assert f"{tmp_path / name} (does not exist)" in msg
    # Not fooled by the other corpora of the local data home.
    with pytest.raises(FileNotFoundError):
        loader(data_home)
