"""Model files in skops' secure format: every named pipeline, torch state included."""

import json
import pickle
import zipfile

import joblib
import numpy as np
import pytest
import skops.io as sio
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.svm import SVC

from sklearn_ser import UnsafeModelError, load_model, save_model, trusted_types
from sklearn_ser.evaluation._evaluate import _consumes
from sklearn_ser.pipelines import (
    get_pipeline_spec,
    list_pipelines,
    make_named_pipeline,
)

# Small settings that keep each fit to seconds; the structure is the registry's.
SMALL = {
    "is10-dae-svm": {"n_hidden": 8},
    "is10-neutral-dae-svm": {"n_hidden": 8},
    "logmel-attention": {"max_epochs": 2},
    "logmel-attention-semi": {"max_epochs": 2},
    "whisper-dae-svm": {"n_hidden": 8},
    "whisper-neutral-dae-svm": {"n_hidden": 8},
    "whisper-attention": {"max_epochs": 2},
    "whisper-attention-semi": {"max_epochs": 2},
    # two candidate weightings; two speakers here, so SpeakerKFold(4) makes 2 folds
    "whisper-is10-fusion": {"weights": [{"is10": 0}, {"is10": 1}]},
}


@pytest.fixture(scope="module")
def emovo_small(data_home):
    """18 EMOVO files: 3 emotions x 2 speakers x 3 sentences."""
    files = []
    for emo in ("rab", "neu", "tri"):
        for speaker in ("f1", "m1"):
            files += sorted((data_home / "emovo" / speaker).glob(f"{emo}-*.wav"))[:3]
    X = np.array([str(f) for f in files])
    y = np.array([f.name.split("-")[0] for f in files])
    groups = np.array([f.parent.name for f in files])
    return X, y, groups


#: Arousal ratings standing in for the three emotions, for the regression pipelines.
AROUSAL = {"rab": 0.8, "neu": 0.0, "tri": -0.5}


def _fit(name, data_home, emovo_small, cache):
    X, y, groups = emovo_small
    if get_pipeline_spec(name).task == "regression":
        y = np.array([AROUSAL[v] for v in y])
    options = dict(SMALL.get(name, {}), memory=str(cache), random_state=0)
    if name.endswith("neutral-dae-svm"):
        # one LibriSpeech reader (10 utterances) keeps the pre-training short
        reader = data_home / "librispeech_neutral" / "test-other" / "1688"
        options["neutral_data_home"] = str(reader)
    if "probability" in get_pipeline_spec(name).options:
        options["probability"] = True
    model = make_named_pipeline(name, **options)
    fit_groups, routed = _consumes(model, "fit")
    with config_context(enable_metadata_routing=routed):
        model.fit(X, y, **({"groups": groups} if fit_groups else {}))
    return model


@pytest.mark.parametrize("name", list_pipelines())
def test_every_named_pipeline_round_trips_through_skops(
    name, data_home, emovo_small, tmp_path_factory
):
    cache = tmp_path_factory.getbasetemp() / "persistence_cache"
    model = _fit(name, data_home, emovo_small, cache)
    path = save_model(model, tmp_path_factory.mktemp(name) / "model.skops")

    # a zip of JSON and arrays, nothing pickled
    with zipfile.ZipFile(path) as zf:
        schema = json.loads(zf.read("schema.json"))
        for member in zf.namelist():
            assert not zf.read(member).startswith(b"\x80"), member
    assert schema["__class__"] in ("Pipeline", "GridSearchCV", "VotingClassifier")
    # every type in the file is on the allow-list (or trusted by skops itself)
    assert set(sio.get_untrusted_types(file=path)) <= set(trusted_types())

    loaded = load_model(path)
    X, groups = emovo_small[0], emovo_small[2]
    kw = {"groups": groups} if _consumes(model, "predict")[0] else {}
    with config_context(enable_metadata_routing=bool(kw)):
        np.testing.assert_array_equal(loaded.predict(X, **kw), model.predict(X, **kw))
        if hasattr(model, "predict_proba"):  # classifiers (regressors have none)
            np.testing.assert_array_equal(
                loaded.predict_proba(X, **kw), model.predict_proba(X, **kw)
            )
        else:
            assert get_pipeline_spec(name).task == "regression"
    last = model.steps[-1][1] if hasattr(model, "steps") else None
    if hasattr(last, "module_"):  # the torch state itself, weight by weight
        before = last.module_.state_dict()
        after = loaded.steps[-1][1].module_.state_dict()
        assert list(after) == list(before)
        for key, value in before.items():
            np.testing.assert_array_equal(after[key].numpy(), value.numpy())
        assert len(loaded.steps[-1][1].history_) == len(last.history_)
        # and the loaded net still asks for the speakers in fit
        assert _consumes(loaded, "fit") == _consumes(model, "fit")


class _Marker:
    """Unpickling this creates a file: the proof that loading ran code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickles_are_refused_without_the_opt_in(tmp_path, wav_files):
    marker = tmp_path / "code-ran"
    evil = tmp_path / "model.joblib"
    joblib.dump(_Marker(marker), evil)
    with pytest.raises(UnsafeModelError, match="allow_pickle=True"):
        load_model(evil)
    assert not marker.exists()
    # the same with a plain pickle of a harmless, fitted audio pipeline
    from sklearn.pipeline import make_pipeline

    from sklearn_ser import OpenSmileIS10

    pipe = make_pipeline(OpenSmileIS10(), SVC()).fit(wav_files, [0, 1] * 3)
    path = tmp_path / "pipe.pkl"
    path.write_bytes(pickle.dumps(pipe))
    with pytest.raises(UnsafeModelError, match="is a pickle"):
        load_model(path)
    with pytest.warns(UserWarning, match="runs any code"):
        loaded = load_model(path, allow_pickle=True)
    np.testing.assert_array_equal(loaded.predict(wav_files), pipe.predict(wav_files))


def test_a_net_smuggled_through_skops_object_loader_is_refused(
    tmp_path, data_home, emovo_small
):
    """skorch's __setstate__ unpickles bytes: a net may only come through our loader.

    The file is a saved attention pipeline whose net node is rewritten to skops'
    generic ObjectNode, with a pickle in skorch's ``__cuda_dependent_attributes__``.
    """
    model = _fit("logmel-attention", data_home, emovo_small, tmp_path / "cache")
    good = save_model(model, tmp_path / "good.skops")
    marker = tmp_path / "code-ran"
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(members["schema.json"])
    net = schema["content"]["content"]["steps"]["content"][-1]["content"][1]
    assert net["__loader__"] == "SklearnSerSkorchNetNode"
    str_key = net["content"]["params"]["key_types"]
    net["__loader__"] = "ObjectNode"
    net["content"] = {
        "__class__": "dict",
        "__module__": "builtins",
        "__loader__": "DictNode",
        "key_types": str_key,
        "content": {
            "__cuda_dependent_attributes__": {
                "__class__": "bytes",
                "__module__": "builtins",
                "__loader__": "BytesNode",
                "file": "payload.bin",
            },
            "device": {
                "__class__": "str",
                "__module__": "builtins",
                "__loader__": "JsonNode",
                "content": '"cpu"',
                "is_json": True,
            },
        },
    }
    members["schema.json"] = json.dumps(schema).encode()
    members["payload.bin"] = pickle.dumps(_Marker(marker))
    evil = tmp_path / "evil.skops"
    with zipfile.ZipFile(evil, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(UnsafeModelError, match="SemiSupervisedAttentionClassifier"):
        load_model(evil)
    assert not marker.exists()


def test_trusted_classes_do_not_unpickle_in_setstate():
    """Trusting a type is safe only if rebuilding it runs no pickle.

    skops rebuilds an object with ``cls.__new__`` and ``__setstate__``; a trusted
    class whose ``__setstate__`` is not scikit-learn's, torch's or object's would
    have to be read before it joins the list (skorch nets are not on it).
    """
    import importlib

    import torch
    from skorch import NeuralNet

    safe = {object.__setstate__ if hasattr(object, "__setstate__") else None}
    safe |= {BaseEstimator.__setstate__, torch.nn.Module.__setstate__}
    # read: a dict update plus defaults for missing options, no unpickling
    safe |= {torch.optim.Adam.__setstate__}
    # read: scikit-learn's Bunch ignores the state it is given (a no-op)
    from sklearn.utils import Bunch

    safe |= {Bunch.__setstate__}
    for name in trusted_types():
        module, _, attr = name.rpartition(".")
        obj = getattr(importlib.import_module(module), attr)
        if not isinstance(obj, type):
            continue
        assert not issubclass(obj, NeuralNet), name
        assert getattr(obj, "__setstate__", None) in safe | {None}, name


def test_load_model_says_what_a_file_is(tmp_path, wav_files):
    text = tmp_path / "notes.txt"
    text.write_text("110\nnot a model\n")
    with pytest.raises(ValueError, match=r"is a text file, not a model; .*\.skops"):
        load_model(text)
    svc = SVC().fit(np.random.default_rng(0).normal(size=(6, 3)), [0, 1] * 3)
    sio.dump(svc, tmp_path / "svc.skops")
    with pytest.raises(ValueError, match="holds a SVC, which takes numeric feature"):
        load_model(tmp_path / "svc.skops")
    assert load_model(tmp_path / "svc.skops", audio=False).n_features_in_ == 3
    # a voting ensemble takes audio only when every member does
    from sklearn.ensemble import VotingClassifier

    vote = VotingClassifier([("a", SVC()), ("b", SVC(C=2.0))])
    vote.fit(np.random.default_rng(0).normal(size=(6, 3)), [0, 1] * 3)
    save_model(vote, tmp_path / "vote.skops")
    with pytest.raises(ValueError, match="holds a VotingClassifier, which takes num"):
        load_model(tmp_path / "vote.skops")
    from sklearn.pipeline import make_pipeline

    from sklearn_ser import OpenSmileIS10

    save_model(make_pipeline(OpenSmileIS10(), SVC()), tmp_path / "unfitted.skops")
    with pytest.raises(ValueError, match="holds an unfitted Pipeline"):
        load_model(tmp_path / "unfitted.skops")
    with pytest.raises(FileNotFoundError, match="model file not found"):
        load_model(tmp_path / "nowhere.skops")


def _small_net(n_features=4, **params):
    """A two-epoch attention net fitted on 20 toy utterances, and those ``X``."""
    from sklearn_ser import as_sequences
    from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier

    rng = np.random.default_rng(0)
    y = np.array(["ang", "neu"] * 10, dtype=object)
    X = as_sequences(
        [rng.normal(v == "ang", 1, (rng.integers(5, 15), n_features)) for v in y]
    )
    clf = SemiSupervisedAttentionClassifier(
        max_epochs=2, module__n_codes=8, module__hidden_size=4, random_state=0, **params
    ).fit(X, y)
    return clf, X


def test_a_net_saved_for_cuda_loads_on_a_cpu_machine(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the saved device is used as is")
    clf, X = _small_net()
    path = save_model(clf, tmp_path / "net.skops")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(members["schema.json"])
    device = schema["content"]["params"]["content"]["device"]
    assert device["content"] == '"cpu"'
    device["content"] = '"cuda"'  # as written on a GPU machine
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.warns(UserWarning, match="no CUDA device is available"):
        loaded = load_model(path, audio=False)
    assert loaded.device == "cpu"
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("rnn, cell", [("gru", "GRU"), (None, "NoneType")])
def test_a_net_with_a_gru_or_none_and_attentive_statistics_round_trips(
    tmp_path, rnn, cell
):
    clf, X = _small_net(module__rnn=rnn, module__pooling="attentive-statistics")
    loaded = load_model(save_model(clf, tmp_path / "net.skops"), audio=False)
    assert type(loaded.module_.lstm).__name__ == cell
    width = 2 * 4 if rnn else 8  # both directions' units, or the codes
    assert loaded.module_.output.in_features == 2 * width  # [Z, S]
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_a_net_weighing_encoder_layers_round_trips(tmp_path):
    clf, X = _small_net(6, module__n_layers=3)
    loaded = load_model(save_model(clf, tmp_path / "net.skops"), audio=False)
    assert loaded.module_.n_layers == 3
    np.testing.assert_array_equal(
        loaded.module_.layer_weights().detach(), clf.module_.layer_weights().detach()
    )
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def _rewrite_schema(path, change):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(members["schema.json"])
    change(schema)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("mixup", ["0.0", "0.4"])
def test_a_file_from_before_spec_augment_moved_and_mixup_left_loads(tmp_path, mixup):
    from sklearn_ser.augmentation import SpecAugment

    clf, X = _small_net(6, augment=SpecAugment(n_blocks=3, freq_width=1))
    path = save_model(clf, tmp_path / "net.skops")

    def as_written_before(schema):
        params = schema["content"]["params"]
        augment = params["content"]["augment"]
        assert augment["__module__"] == "sklearn_ser.augmentation._specaugment"
        augment["__module__"] = "sklearn_ser.classifiers._augment"
        lr = params["content"]["lr"]
        mixup_node = {k: v for k, v in lr.items() if k != "__id__"}
        params["content"]["mixup"] = dict(mixup_node, content=mixup)
        # skops lists the type of every key of a dict next to its content
        params["key_types"]["content"].append(params["key_types"]["content"][0])

    _rewrite_schema(path, as_written_before)
    assert "sklearn_ser.classifiers._augment.SpecAugment" in sio.get_untrusted_types(
        file=path
    )
    if mixup == "0.0":  # the option was off: nothing to say
        loaded = load_model(path, audio=False)
    else:
        with pytest.warns(UserWarning, match="mixup=0.4.*no longer exists"):
            loaded = load_model(path, audio=False)
    assert type(loaded.augment) is SpecAugment and not hasattr(loaded, "mixup")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # pickles name the class by module and name: the former module still has it
    data = pickle.dumps(clf.augment, protocol=0)
    assert b"sklearn_ser.augmentation._specaugment" in data
    data = data.replace(
        b"sklearn_ser.augmentation._specaugment", b"sklearn_ser.classifiers._augment"
    )
    old = pickle.loads(data)
    assert type(old) is SpecAugment and old.get_params() == clf.augment.get_params()
