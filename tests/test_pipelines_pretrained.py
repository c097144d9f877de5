"""The pretrained-encoder pipelines: Whisper front ends with the papers' back ends."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone

from sklearn_ser import FrameStandardScaler, WhisperEncoder, as_sequences
from sklearn_ser.evaluation import evaluate
from sklearn_ser.pipelines import (
    get_pipeline_spec,
    list_pipelines,
    make_named_pipeline,
    whisper_model_default,
)

# The registry's classifiers with a Whisper front end: from the library, so that a
# pipeline added there is tested here without relisting it.
WHISPER_PIPELINES = [
    name
    for name in list_pipelines("classification")
    if "whisper_model" in get_pipeline_spec(name).options
]


def test_model_comes_from_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("SKLEARN_SER_WHISPER_MODEL", raising=False)
    # no provisioned folder (tests/cli/test_cli_frictions.py checks those)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert whisper_model_default() == "base"
    monkeypatch.setenv("SKLEARN_SER_WHISPER_MODEL", str(tmp_path))
    assert whisper_model_default() == str(tmp_path)
    assert whisper_model_default("elsewhere") == "elsewhere"
    pipe = make_named_pipeline("whisper-svm", memory=str(tmp_path))
    assert pipe[0].model == str(tmp_path) and pipe[0].memory == str(tmp_path)
    assert pipe[0].sampling_rate == 16000  # in-memory waveforms work too


def test_registry_entries(whisper_model):
    assert get_pipeline_spec("whisper-layer-vote").default
    assert not get_pipeline_spec("whisper-logreg").default
    assert "whisper-logreg" in WHISPER_PIPELINES and "is10-svm" not in (
        WHISPER_PIPELINES
    )
    for name in WHISPER_PIPELINES:
        assert not get_pipeline_spec(name).adapts_to_test_speaker, name
    search = make_named_pipeline("whisper-is10-fusion", whisper_model=whisper_model)
    union = search.estimator[0]
    parts = [type(p[0]).__name__ for _, p in union.transformer_list]
    assert parts == ["WhisperEncoder", "OpenSmileIS10"]
    grid = search.param_grid["featureunion__transformer_weights"]
    assert {"whisper": 1.0, "is10": 0.0} in grid and {
        "whisper": 0.0,
        "is10": 1.0,
    } in grid
    fixed = make_named_pipeline(
        "whisper-is10-fusion", whisper_model=whisper_model, weights=[{"is10": 0.5}]
    )
    assert fixed[0].transformer_weights == {"is10": 0.5}
    frames = make_named_pipeline("whisper-attention", whisper_model=whisper_model)[0]
    assert isinstance(frames[0], WhisperEncoder) and frames[0].pooling is None
    assert isinstance(frames[1], FrameStandardScaler) and frames[1].stride == 2
    semi = make_named_pipeline("whisper-attention-semi", whisper_model=whisper_model)
    assert semi[-1].pseudo_class and semi[-1].reconstruction_weight > 0


def test_one_standard_error_rule():
    from sklearn_ser.evaluation import simplest_within_one_se

    def results(means, stds, n_splits=4):
        out = {"mean_test_score": np.array(means), "std_test_score": np.array(stds)}
        out.update(
            {f"split{i}_test_score": np.zeros(len(means)) for i in range(n_splits)}
        )
        return out

    # the first candidate within one SE of the best, not the best
    assert simplest_within_one_se(results([0.50, 0.52, 0.40], [0.05, 0.06, 0.02])) == 0
    # a clearly better elaborate candidate is chosen
    assert simplest_within_one_se(results([0.30, 0.50, 0.45], [0.02, 0.02, 0.02])) == 1
    # the SE shrinks with more folds: 0.49 >= 0.52 - 0.06 / 2, < 0.52 - 0.06 / 3
    assert simplest_within_one_se(results([0.49, 0.52], [0.1, 0.06], 4)) == 0
    assert simplest_within_one_se(results([0.49, 0.52], [0.1, 0.06], 9)) == 1


def test_a_search_saved_with_the_rule_under_its_former_module_loads(tmp_path, rng):
    import json
    import zipfile

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from sklearn_ser import load_model, save_model
    from sklearn_ser.evaluation import simplest_within_one_se

    X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, cv=2, refit=simplest_within_one_se
    ).fit(X, y)
    save_model(search, tmp_path / "new.skops")
    # as written before the rule moved from sklearn_ser.pipelines to evaluation
    with zipfile.ZipFile(tmp_path / "new.skops") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    text = members["schema.json"].decode()
    assert text.count("sklearn_ser.evaluation._selection") == 1
    members["schema.json"] = text.replace(
        "sklearn_ser.evaluation._selection", "sklearn_ser.pipelines"
    ).encode()
    with zipfile.ZipFile(tmp_path / "old.skops", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert "sklearn_ser.pipelines" in json.dumps(json.loads(members["schema.json"]))

    # this small search's own scorer and splitter; the rule is trusted by default
    own = [
        "sklearn.metrics._scorer._PassthroughScorer",
        "sklearn.model_selection._split.StratifiedKFold",
    ]
    loaded = load_model(tmp_path / "old.skops", trusted=own, audio=False)
    assert loaded.refit is simplest_within_one_se
    np.testing.assert_array_equal(loaded.predict(X), search.predict(X))


def test_corpus_standardisation_refuses_a_search_around_the_pipeline(whisper_model):
    from sklearn_ser.evaluation import with_corpus_standardization

    search = make_named_pipeline("whisper-is10-fusion", whisper_model=whisper_model)
    with pytest.raises(ValueError, match="GridSearchCV around one"):
        with_corpus_standardization(search)


def test_frame_scaler_standardises_over_all_frames(rng):
    X = as_sequences([rng.normal(3, 2, (n, 4)) for n in (5, 40, 11)])
    scaler = FrameStandardScaler().fit(X)
    frames = np.concatenate(list(X))
    np.testing.assert_allclose(scaler.mean_, frames.mean(0), rtol=1e-5)
    np.testing.assert_allclose(scaler.scale_, frames.std(0), rtol=1e-5)
    Z = np.concatenate(list(scaler.transform(X)))
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(0), 1, atol=1e-5)
    strided = FrameStandardScaler(stride=2).fit_transform(X)
    assert [len(x) for x in strided] == [3, 20, 6]
    np.testing.assert_allclose(strided[1], scaler.transform(X)[1][::2])
    with pytest.raises(ValueError, match="expecting 4 features"):
        scaler.transform(as_sequences([np.zeros((2, 3))]))


@pytest.fixture(scope="module")
def small_emovo(data_home):
    from sklearn_ser.datasets import load_emovo

    emovo = load_emovo(data_home)
    keep = np.isin(emovo.groups, ["f1", "f2", "m1"]) & np.isin(
        emovo.target, ["anger", "sadness", "neutral"]
    )
    return emovo.filenames[keep], emovo.target[keep], emovo.groups[keep]


@pytest.fixture(scope="module")
def small_neutral(data_home, tmp_path_factory):
    """Six LibriSpeech files in their own neutral corpus folder."""
    home = tmp_path_factory.mktemp("neutral")
    corpus = home / "librispeech_neutral"
    corpus.mkdir()
    flacs = sorted((data_home / "librispeech_neutral").rglob("*.flac"))[:6]
    for f in flacs:
        (corpus / f.name).symlink_to(f)
    return home


@pytest.mark.parametrize("name", WHISPER_PIPELINES)
def test_every_whisper_pipeline_fits_and_predicts(
    name, whisper_model, small_emovo, small_neutral, tmp_path_factory
):
    files, y, groups = small_emovo
    cache = str(tmp_path_factory.getbasetemp() / "whisper-cache")
    options = {"memory": cache, "whisper_model": whisper_model, "random_state": 0}
    if name == "whisper-neutral-dae-svm":
        options["neutral_data_home"] = str(small_neutral)
    if "attention" in name:
        options["max_epochs"] = 2
    if name == "whisper-is10-fusion":
        options["inner_folds"] = 2  # two training speakers per fold here
        options["weights"] = [{"is10": 0.0}, {"is10": 0.5}]
    pipe = make_named_pipeline(name, **options)
    clone(pipe)
    with config_context(enable_metadata_routing=True):
        report = evaluate(pipe, files, y, groups, cv="loso")
    assert len(report.y_pred) == len(files)
    assert set(report.y_pred) <= set(y)


def test_reproduce_script_tables_every_whisper_pipeline(load_script):
    # the published table's systems are registry names, and it leaves none of the
    # registry's Whisper classifiers out
    systems = load_script("examples/reproduce_pretrained_table.py").SYSTEMS
    for name in systems:
        get_pipeline_spec(name)  # raises for a name the registry does not know
    assert set(WHISPER_PIPELINES) <= set(systems)


def test_studies_write_sample_paths_relative_to_the_data_home(tmp_path, load_script):
    # committed reports are compared pairwise (same files at the same index): an
    # absolute path of one checkout would never match another's
    module = load_script("examples/_local_data.py")
    home = tmp_path / "data"
    inside = str(home / "emovo" / "f1" / "a.wav")
    outside = str(tmp_path / "elsewhere.wav")
    assert module.portable_samples([inside, outside], home) == [
        "emovo/f1/a.wav",
        outside,
    ]
    assert module.portable_samples(None, home) is None


def test_saved_report_keeps_each_path_beside_its_prediction(
    tmp_path, load_script, capsys
):
    # the studies' "run unless saved" step: paths in the order of the predictions
    # (leave-one-speaker-out reorders them), kept on a rerun, redone when forced
    from sklearn.dummy import DummyClassifier

    module = load_script("examples/_local_data.py")
    home = tmp_path / "data"
    files = np.array([str(home / f"s{i % 3}" / f"{i}.wav") for i in range(12)])
    y = np.array(["a", "b"] * 6)
    groups = np.array([f"s{i % 3}" for i in range(12)])  # not in file order
    runs = []

    def run():
        runs.append(1)
        return evaluate(DummyClassifier(), files, y, groups, name="dummy")

    path = tmp_path / "out" / "emovo" / "dummy.json"
    report = module.saved_report(path, run, data_home=home, meta={"note": "x"})
    saved = json.loads(path.read_text())
    order = [int(Path(s).stem) for s in saved["predictions"]["sample"]]
    assert order == saved["predictions"]["index"] != sorted(order)
    assert saved["predictions"]["sample"][0] == f"s0/{order[0]}.wav"
    assert saved["meta"]["note"] == "x" and saved["meta"]["run_time_s"] >= 0
    assert report.summary()["UA_pooled"] == 0.5
    again = module.saved_report(path, run, data_home=home)
    assert len(runs) == 1 and "kept" in capsys.readouterr().out
    assert again.sample_ids.tolist() == report.sample_ids.tolist()
    module.saved_report(path, run, data_home=home, force=True)
    assert len(runs) == 2


def test_reproduce_script_seed_reaches_the_pipeline(tmp_path, load_script):
    # --seed is how the seed-to-seed spread of a published figure is measured: it
    # must reach the classifier's random_state (0, the published tables', otherwise)
    from argparse import Namespace

    module = load_script("examples/reproduce_pretrained_table.py")
    args = Namespace(
        cache=str(tmp_path), data_home=tmp_path, max_epochs=None, whisper_model=None
    )
    for seed in (0, 7):
        args.seed = seed
        pipe = module.build("logmel-attention-semi", args)
        states = {v for k, v in pipe.get_params().items() if k.endswith("random_state")}
        assert states == {seed}
