"""load_corpus: one registry of corpus names, and paths to your own data."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser import datasets
from sklearn_ser.datasets import (
    list_corpora,
    load_corpus,
    load_emovo,
    load_folder,
    load_manifest,
)


def _wav(path, voice, seed=0):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, voice(0.05, seed=seed), 16000)
    return path


@pytest.fixture
def own_tree(tmp_path, voice):
    """``<root>/<speaker>/<label>/<file>.wav``: the default folder layout."""
    root = tmp_path / "mine"
    for i, (spk, label) in enumerate(
        [("ann", "angry"), ("ann", "calm"), ("bob", "angry"), ("bob", "calm")]
    ):
        _wav(root / spk / label / f"{i:03d}.wav", voice, seed=i)
    return root


# ------------------------------------------------------------------------ names
def test_the_registry_holds_every_emotion_corpus_loader():
    own = {"load_corpus", "load_manifest", "load_folder", "load_librispeech"}
    loaders = {n for n in datasets.__all__ if n.startswith("load_")} - own
    assert {f"load_{name}" for name in list_corpora()} == loaders
    assert list_corpora()[:2] == ("emovo", "emodb")


@pytest.mark.parametrize("name", list_corpora())
def test_every_name_reaches_its_own_loader(name, tmp_path):
    # An empty data home: each loader's own not-found message, word for word.
    with pytest.raises(FileNotFoundError) as direct:
        getattr(datasets, f"load_{name}")(tmp_path)
    with pytest.raises(FileNotFoundError) as registry:
        load_corpus(name, tmp_path)
    assert str(registry.value) == str(direct.value)


def test_a_name_loads_the_corpus_with_its_options(data_home):
    emovo = load_corpus("emovo", data_home, as_frame=True)
    np.testing.assert_array_equal(emovo.filenames, load_emovo(data_home).filenames)
    assert emovo.frame.shape[0] == 588
    assert load_corpus("emovo", str(data_home)).frame is None


def test_a_corpus_option_reaches_the_loader(tmp_path, voice):
    actor = tmp_path / "ravdess" / "Actor_01"
    _wav(actor / "03-01-01-01-01-01-01.wav", voice)  # neutral
    _wav(actor / "03-01-02-01-01-01-01.wav", voice)  # calm
    assert load_corpus("ravdess", tmp_path).target.tolist() == ["neutral", "calm"]
    dropped = load_corpus("ravdess", tmp_path, calm="drop")
    assert dropped.target.tolist() == ["neutral"]
    merged = load_corpus("ravdess", tmp_path, calm="neutral")
    assert merged.target.tolist() == ["neutral", "neutral"]


# -------------------------------------------------------------------- data home
def test_data_home_argument_then_environment_then_default(
    monkeypatch, tmp_path, data_home
):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("SKLEARN_SER_DATA", str(data_home))
    assert len(load_corpus("emovo").filenames) == 588  # the environment
    with pytest.raises(FileNotFoundError, match="the data_home argument"):
        load_corpus("emovo", empty)  # the argument wins over it
    monkeypatch.setenv("SKLEARN_SER_DATA", str(empty))
    assert len(load_corpus("emovo", data_home).filenames) == 588
    with pytest.raises(FileNotFoundError, match="environment variable SKLEARN_SER"):
        load_corpus("emovo")
    monkeypatch.delenv("SKLEARN_SER_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        load_corpus("emovo")
    assert str(tmp_path / "sklearn_ser_data" / "emovo") in str(err.value)
    assert "SKLEARN_SER_DATA is not set" in str(err.value)


# ---------------------------------------------------------------- own data paths
def test_a_manifest_path_reads_the_manifest_with_its_options(own_tree, tmp_path):
    manifest = tmp_path / "labels.tsv"
    manifest.write_text(
        "file;emotion;who\n"
        + "".join(
            f"{f.relative_to(tmp_path)};{f.parent.name};{f.parent.parent.name}\n"
            for f in sorted(own_tree.rglob("*.wav"))
        )
    )
    options = {
        "path_column": "file",
        "label_column": "emotion",
        "speaker_column": "who",
        "sep": ";",
        "label_map": {"angry": "anger"},
        "as_frame": True,
    }
    expected = load_manifest(manifest, **options)
    # data_home is for named corpora: a path is the data itself.
    for given in (str(manifest), manifest):
        data = load_corpus(given, tmp_path / "elsewhere", **options)
        np.testing.assert_array_equal(data.filenames, expected.filenames)
        assert data.target.tolist() == ["anger", "calm", "anger", "calm"]
        assert data.groups.tolist() == ["ann", "ann", "bob", "bob"]
        assert data.frame is not None
    with pytest.raises(ValueError, match="no column path"):
        load_corpus(manifest)  # the manifest's options were passed, not defaults


def test_a_folder_path_reads_the_tree_with_its_options(own_tree):
    data = load_corpus(own_tree)
    np.testing.assert_array_equal(data.filenames, load_folder(own_tree).filenames)
    assert data.target.tolist() == ["angry", "calm", "angry", "calm"]
    flat = load_corpus(
        str(own_tree / "ann"),
        pattern=r"(?P<label>[^/]+)/(?P<speaker>\d+)",
        label_map={"angry": "anger"},
    )
    assert flat.target.tolist() == ["anger", "calm"]
    assert flat.groups.tolist() == ["000", "001"]


def test_a_name_wins_over_a_folder_of_that_name(own_tree, data_home, monkeypatch):
    monkeypatch.chdir(own_tree.parent)
    own_tree.rename(own_tree.parent / "emovo")
    assert len(load_corpus("emovo", data_home).filenames) == 588
    assert len(load_corpus("./emovo").filenames) == 4


# ----------------------------------------------------------------------- errors
def test_an_unknown_name_lists_the_names_and_says_a_path_works(tmp_path):
    with pytest.raises(ValueError) as err:
        load_corpus("timit", tmp_path)
    msg = str(err.value)
    assert msg.startswith("unknown corpus 'timit'; known corpora: ")
    assert all(name in msg for name in list_corpora())
    assert "or the path of a manifest (.csv/.tsv) or of a folder" in msg


@pytest.mark.parametrize("missing", ["labels.csv", "data/mine", Path("emovo")])
def test_a_missing_path_is_not_found(missing, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        load_corpus(missing)
    msg = str(err.value)
    assert msg.startswith(f"no manifest file or folder at {Path(missing)}")
    assert "known corpora: emovo" in msg


def test_an_option_that_does_not_apply_says_who_takes_it(own_tree, tmp_path):
    with pytest.raises(TypeError) as err:
        load_corpus("emovo", tmp_path, pattern="x", label_map={"a": "anger"})
    assert str(err.value) == (
        "pattern= (--pattern on the command line) is for a folder; "
        "label_map= (--label-map on the command line) is for a manifest (.csv/.tsv) "
        "or a folder; emovo is a named corpus, and load_emovo takes only "
        "as_frame=, on_error="
    )
    with pytest.raises(TypeError, match=r"calm= is for ravdess; .* is a folder"):
        load_corpus(own_tree, calm="drop")
    with pytest.raises(TypeError, match=r"sep= \(--sep .*\) is for a manifest"):
        load_corpus(own_tree, sep=";")
    (tmp_path / "labels.csv").write_text("path,label,speaker\n")
    with pytest.raises(TypeError, match=r"pattern= .* is a file \(a manifest\)"):
        load_corpus(tmp_path / "labels.csv", pattern="x")
    with pytest.raises(TypeError, match="as_frames= is not an option of any loader"):
        load_corpus("ravdess", as_frames=True)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises((TypeError, ValueError), match="name_or_path"):
        load_corpus(3)
    with pytest.raises((TypeError, ValueError), match="data_home"):
        load_corpus("emovo", 3)
    with pytest.raises(ValueError, match="on_error"):
        load_corpus("emovo", tmp_path, on_error="ignore")


# ------------------------------------------- the examples' and benchmarks' rule
def test_examples_find_the_corpora_beside_the_checkout(
    load_script, monkeypatch, tmp_path
):
    local = load_script("examples/_local_data.py")
    shared = tmp_path / "shared" / "data"
    monkeypatch.setattr(local, "SHARED_DATA", shared)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SKLEARN_SER_DATA", raising=False)
    default = tmp_path / "home" / "sklearn_ser_data"
    assert local.local_data_home() == default  # no ../shared/data: the library's
    shared.mkdir(parents=True)
    assert local.local_data_home() == shared
    monkeypatch.setenv("SKLEARN_SER_DATA", str(tmp_path / "env"))
    assert local.local_data_home() == tmp_path / "env"
    assert local.local_data_home(tmp_path / "arg") == tmp_path / "arg"
