"""Your own data: manifests (CSV/TSV) and folder trees, with tiny real audio."""

import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.datasets import EMOTIONS, load_folder, load_manifest


def _wav(path, voice, seed=0, fmt="wav"):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, voice(0.05, seed=seed), 16000, format=fmt.upper())
    return path


@pytest.fixture
def own_corpus(tmp_path, voice):
    root = tmp_path / "mine"
    for i, spk in enumerate(["ann", "ann", "bob", "bob"]):
        _wav(root / "audio" / spk / f"{i:03d}.wav", voice, seed=i)
    return root


def test_manifest_csv_relative_paths_extra_columns_and_label_map(own_corpus, tmp_path):
    absolute = own_corpus / "audio" / "bob" / "003.wav"
    (own_corpus / "labels.csv").write_text(
        "path,label,speaker,gender,take\n"
        "audio/ann/000.wav,angry,ann,f,1\n"
        "audio/ann/001.wav,neutral,ann,f,2\n"
        "audio/bob/002.wav,happy,bob,m,1\n"
        f"{absolute},Sadness,bob,m,2\n"
        "audio/bob/002.wav,other,bob,m,3\n"
    )
    label_map = {"angry": "anger", "happy": "happiness", "other": None}
    data = load_manifest(own_corpus / "labels.csv", label_map=label_map, as_frame=True)
    assert [Path(f).name for f in data.filenames] == [
        "000.wav",
        "001.wav",
        "002.wav",
        "003.wav",
    ]
    assert all(Path(f).is_absolute() and Path(f).is_file() for f in data.filenames)
    assert data.target.tolist() == ["anger", "neutral", "happiness", "sadness"]
    assert data.groups.tolist() == ["ann", "ann", "bob", "bob"]
    assert data.lines.tolist() == [2, 3, 4, 5]
    assert set(data.target_names) <= set(EMOTIONS)
    frame = data.frame
    assert frame.columns.tolist()[:3] == ["filename", "target", "speaker"]
    assert frame["gender"].tolist() == ["f", "f", "m", "m"]
    assert frame["take"].tolist() == ["1", "2", "1", "2"]
    assert frame["raw_label"].tolist() == ["angry", "neutral", "happy", "Sadness"]
    assert "labels.csv" in data.DESCR
    # Run from another folder: paths still resolve against the manifest's folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(elsewhere)
        again = load_manifest(own_corpus / "labels.csv", label_map=label_map)
    np.testing.assert_array_equal(again.filenames, data.filenames)


def test_manifest_tsv_with_named_columns(own_corpus):
    (own_corpus / "meta.tsv").write_text(
        "file\temotion\tactor\n"
        "audio/ann/000.wav\tanger\tA1\n"
        "audio/bob/002.wav\thappiness\tB2\n"
    )
    data = load_manifest(
        own_corpus / "meta.tsv",
        path_column="file",
        label_column="emotion",
        speaker_column="actor",
    )
    assert data.target.tolist() == ["anger", "happiness"]
    assert data.groups.tolist() == ["A1", "B2"]
    with pytest.raises(ValueError) as err:
        load_manifest(own_corpus / "meta.tsv")
    msg = str(err.value)
    assert "meta.tsv: no column path_column='path', label_column='label'" in msg
    assert "['file', 'emotion', 'actor']" in msg


def test_manifest_problems_reported_together(own_corpus):
    manifest = own_corpus / "labels.csv"
    manifest.write_text(
        "path,label,speaker\n"
        "audio/ann/000.wav,anger,ann\n"
        "audio/ann/gone1.wav,anger,ann\n"
        "audio/ann/001.wav, ,ann\n"
        "audio/bob/gone2.wav,sadness,bob\n"
        "audio/bob/002.wav,happiness,\n"
        "audio/ann/000.wav,anger,ann\n"
    )
    with pytest.raises(ValueError) as err:
        load_manifest(manifest)
    msg = str(err.value)
    assert msg.startswith(f"5 rows of {manifest} at fault:")
    assert (
        f"{manifest}:3: audio file not found: {own_corpus}/audio/ann/gone1.wav" in msg
    )
    assert f"{manifest}:4: empty label" in msg
    assert f"{manifest}:5: audio file not found" in msg
    assert f"{manifest}:6: empty 'speaker'" in msg
    assert (
        f"{manifest}:7: {own_corpus}/audio/ann/000.wav is already listed on line 2"
        in msg
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = load_manifest(manifest, on_error="warn")
    assert len(record) == 1 and "Skipped 5 rows" in str(record[0].message)
    assert data.lines.tolist() == [2]
    with pytest.raises(FileNotFoundError, match="manifest not found"):
        load_manifest(own_corpus / "nope.csv")
    with pytest.raises(ValueError, match="label_map maps 'anger' to an empty label"):
        load_manifest(manifest, label_map={"anger": " "})


def test_folder_default_layout(tmp_path, voice):
    root = tmp_path / "tree"
    _wav(root / "spk1" / "anger" / "a.wav", voice)
    _wav(root / "spk1" / "Neutral" / "b.flac", voice, fmt="flac")
    _wav(root / "spk2" / "sad" / "c.wav", voice)
    _wav(root / "spk2" / "sad" / ".hidden.wav", voice)
    _wav(root / ".trash" / "sad" / "d.wav", voice)
    (root / "spk2" / "sad" / "notes.txt").write_text("x")
    _wav(root / "loose.wav", voice)
    with pytest.raises(ValueError) as err:
        load_folder(root)
    msg = str(err.value)
    # Own labels ("sad") are kept; only the loose file is at fault.
    assert msg.startswith(f"1 files under {root} at fault")
    assert "loose.wav: path 'loose' does not match <speaker>/<label>/<file>" in msg
    assert "c.wav" not in msg
    with pytest.warns(UserWarning, match="Skipped 1 files"):
        own = load_folder(root, on_error="warn")
    assert own.target.tolist() == ["neutral", "anger", "sad"]
    with pytest.warns(UserWarning, match="Skipped 1 files"):
        data = load_folder(root, label_map={"sad": "sadness"}, on_error="warn")
    # Sorted by path: "Neutral" before "anger".
    assert [Path(f).name for f in data.filenames] == ["b.flac", "a.wav", "c.wav"]
    assert data.target.tolist() == ["neutral", "anger", "sadness"]
    assert data.groups.tolist() == ["spk1", "spk1", "spk2"]


def test_folder_file_name_and_path_patterns(tmp_path, voice):
    root = tmp_path / "flat"
    _wav(root / "12_angry_1.wav", voice)
    _wav(root / "12_happy_2.wav", voice)
    _wav(root / "sub" / "7_neutral_1.wav", voice)
    pattern = r"(?P<speaker>\d+)_(?P<label>[a-z]+)_(?P<take>\d+)"
    data = load_folder(
        root, pattern, label_map={"angry": "anger", "happy": "happiness"}, as_frame=True
    )
    assert data.groups.tolist() == ["12", "12", "7"]
    assert data.target.tolist() == ["anger", "happiness", "neutral"]
    assert data.frame["take"].tolist() == ["1", "2", "1"]
    # With a "/" the pattern reads the relative path: the folder gives the speaker.
    with pytest.warns(UserWarning, match="Skipped 2 files"):
        by_path = load_folder(
            root, r"(?P<speaker>[^/]+)/\d+_(?P<label>[a-z]+)_\d+", on_error="warn"
        )
    assert by_path.groups.tolist() == ["sub"] and by_path.target.tolist() == ["neutral"]
    with pytest.raises(ValueError, match=r"lacks the named group\(s\) \(\?P<speaker>"):
        load_folder(root, r"(?P<label>\w+)")
    with pytest.raises(ValueError, match="is not a regular expression"):
        load_folder(root, r"(?P<label>")
    with pytest.raises(FileNotFoundError, match="folder not found"):
        load_folder(tmp_path / "none")
