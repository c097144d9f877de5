"""CREMA-D, SAVEE and TESS on fixture trees in their official layouts.

The corpora are not available here: each fixture lays out tiny real audio exactly as
the official distribution does, plus the faulty names and files real copies hold.
"""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.datasets import (
    EMOTIONS,
    load_corpus,
    load_cremad,
    load_savee,
    load_tess,
)


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


# ------------------------------------------------- files at fault, every corpus
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:c6f9\nsize 72\n"

# corpus -> the files of a tiny copy under the data home: "good" ones are loaded
# (with their label),
# "bad" ones (path -> what the message says of it; bytes content where a WAV is
# not meant) are listed together, then skipped with on_error="warn"; "ignored"
# ones (hidden, not audio, not speech) are neither.
FAULTS = {
    "emovo": {
        "heading": "EMOVO files with unexpected names",
        "good": {
            "emovo/f1/dis-f1-b1.wav": "disgust",
            "emovo/m3/TRI-M3-N5.wav": "sadness",
        },
        "bad": {
            "emovo/f1/xyz-f1-b1.wav": "xyz-f1-b1.wav: unknown emotion code 'xyz'",
            "emovo/f1/dis-m1-b2.wav": "dis-m1-b2.wav: speaker 'm1' in a folder "
            "named 'f1'",
            "emovo/f1/readme.wav": "readme.wav: not <emo>-<speaker>-<sentence>",
        },
        "ignored": {"emovo/f1/._dis-f1-b3.wav": None, "emovo/f1/notes.txt": b"x"},
    },
    "emodb": {
        "heading": "EmoDB files with unexpected names",
        "good": {"emodb/wav/03a01Fa.wav": "happiness", "emodb/wav/16a07Ab.wav": "fear"},
        "bad": {
            "emodb/wav/03a01Xa.wav": "03a01Xa.wav: unknown emotion letter 'X'",
            "emodb/wav/99a01Fa.wav": "99a01Fa.wav: unknown speaker '99'",
            "emodb/wav/03a01F.wav": "03a01F.wav: not <speaker",
        },
        "ignored": {"emodb/erklaerung.txt": b"Dokumentation"},
    },
    "casia": {
        "heading": "CASIA files outside the expected layout",
        "good": {
            "casia/wangzhe/angry/201.wav": "anger",
            "casia/liuchanhg/sad/202.wav": "sadness",
        },
        "bad": {
            "casia/someone/angry/201.wav": "unknown speaker folder 'someone'",
            "casia/wangzhe/bored/201.wav": "unknown emotion folder 'bored'",
            "casia/wangzhe/sad/take2.wav": "take2.wav: file name is not <number>.wav",
        },
        "ignored": {},
    },
    "ravdess": {
        "heading": "RAVDESS files with unexpected names",
        "good": {
            "ravdess/Actor_01/03-01-01-01-01-01-01.wav": "neutral",
            "ravdess/Actor_02/03-01-05-02-01-01-02.wav": "anger",
        },
        "bad": {
            "ravdess/Actor_01/03-01-09-01-01-01-01.wav": "03-01-09-01-01-01-01.wav: "
            "unknown emotion code '09'",
            "ravdess/Actor_01/03-01-01-01-01-01-02.wav": "03-01-01-01-01-01-02.wav: "
            "actor '02' in a folder named 'Actor_01'",
            "ravdess/Actor_01/03-01-01-01-01-01-01 (1).wav": "01 (1).wav: not "
            "<MM>-<VV>",
            "ravdess/Actor_01/03-01-03-03-01-01-01.wav": "unknown intensity code '03'",
        },
        "ignored": {
            "ravdess/Actor_02/03-02-05-01-01-01-02.wav": None,  # song
            "ravdess/Actor_02/01-01-05-01-01-01-02.mp4": b"video",
            "ravdess/Actor_02/._03-01-05-01-01-01-02.wav": b"fork",
        },
    },
    "cremad": {
        "heading": "CREMA-D files at fault",
        "good": {
            "cremad/AudioWAV/1001_DFA_ANG_XX.wav": "anger",
            "cremad/AudioWAV/1002_IEO_SAD_HI.wav": "sadness",
        },
        "bad": {
            # A download without git-lfs leaves pointers; some copies, empty files.
            "cremad/AudioWAV/1005_IWW_DIS_XX.wav": (
                LFS_POINTER,
                "1005_IWW_DIS_XX.wav: a git-lfs pointer, not audio",
            ),
            "cremad/AudioWAV/1076_MTI_NEU_XX.wav": (
                b"",
                "1076_MTI_NEU_XX.wav: empty file",
            ),
            "cremad/AudioWAV/1001_DFA_BOR_XX.wav": "unknown emotion code 'BOR'",
            "cremad/AudioWAV/1001_XYZ_ANG_XX.wav": "unknown sentence code 'XYZ'",
            "cremad/AudioWAV/1001_DFA_ANG_XX (copy).wav": "(copy).wav: not "
            "<actor>_<sentence>_<EMO>_<level>",
        },
        "ignored": {},
    },
    "savee": {
        "heading": "SAVEE files with unexpected names",
        "good": {
            "savee/AudioData/DC/a01.wav": "anger",
            "savee/AudioData/JE/sa02.wav": "sadness",
        },
        "bad": {
            "savee/AudioData/DC/x01.wav": "x01.wav: not <emo><nn>",
            "savee/AudioData/DC/JE_a03.wav": "JE_a03.wav: speaker 'JE' in the "
            "folder of DC",
        },
        "ignored": {"savee/AudioData/DC/._a01.wav": None, "savee/Info.txt": b"x"},
    },
    "tess": {
        "heading": "TESS files at fault",
        "good": {
            "tess/OAF_angry/OAF_back_angry.wav": "anger",
            "tess/YAF_happy/YAF_back_happy.wav": "happiness",
        },
        "bad": {
            "tess/OAF_angry/OAF_bite_sad.wav": "OAF_angry/OAF_bite_sad.wav: OAF sad "
            "in folder OAF_angry",
            "tess/YAF_sad/OAF_bite_sad.wav": "YAF_sad/OAF_bite_sad.wav: OAF sad in "
            "folder YAF_sad",
            "tess/YAF_sad/YAF_bite_bored.wav": "YAF_bite_bored.wav: unknown emotion "
            "'bored'",
            "tess/YAF_sad/YAF bite sad.wav": "YAF bite sad.wav: not "
            "<OAF|YAF>_<word>_<emotion>",
            # A second copy of part of the corpus inside it.
            "tess/tess copy/YAF_happy/YAF_back_happy.wav": "YAF_back_happy.wav: a "
            "second copy of",
        },
        "ignored": {},
    },
}


def _write(path, voice, content=None, seed=0):
    if content is None:
        return _wav(path, voice, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("corpus", FAULTS)
def test_files_at_fault_are_listed_together_then_skipped(corpus, tmp_path, voice):
    case = FAULTS[corpus]
    for i, rel in enumerate(case["good"]):
        _wav(tmp_path / rel, voice, seed=i)
    messages = {}
    for rel, fault in case["bad"].items():
        content, messages[rel] = fault if isinstance(fault, tuple) else (None, fault)
        _write(tmp_path / rel, voice, content)
    for rel, content in case["ignored"].items():
        _write(tmp_path / rel, voice, content)
    n = len(case["bad"])
    with pytest.raises(ValueError) as err:
        load_corpus(corpus, tmp_path)
    msg = str(err.value)
    assert msg.startswith(f"{n} {case['heading']}:\n")
    listed = [line for line in msg.splitlines() if line.startswith("  ")]
    assert len(listed) == n  # one line each, the good and ignored files unnamed
    for rel, said in messages.items():
        assert any(said in line and Path(rel).name in line for line in listed), said
    assert "on_error='warn'" in msg
    label = case["heading"].split(" files")[0]
    with pytest.warns(UserWarning, match=f"Skipped {n} {label} files") as record:
        data = load_corpus(corpus, tmp_path, on_error="warn")
    assert len(record) == 1
    loaded = [Path(f).relative_to(tmp_path).as_posix() for f in data.filenames]
    assert dict(zip(loaded, data.target)) == case["good"]
