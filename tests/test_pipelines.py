"""The named-pipeline registry."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC

from sklearn_ser import pipelines
from sklearn_ser.evaluation import SpeakerStandardScaler
from sklearn_ser.features import OpenSmileIS10
from sklearn_ser.pipelines import (
    get_pipeline_spec,
    list_pipelines,
    make_named_pipeline,
    register_pipeline,
)


def test_registry_lists_baseline_with_description():
    names = list_pipelines()
    assert names[0] == "is10-svm"
    assert "is10-svm-spkstd" in names
    for name in names:
        spec = get_pipeline_spec(name)
        assert spec.description and spec.name == name
        assert {"memory", "random_state"} <= set(spec.options)
    assert get_pipeline_spec("is10-svm").default
    assert not get_pipeline_spec("is10-svm").adapts_to_test_speaker
    spk = get_pipeline_spec("is10-svm-spkstd")
    assert spk.adapts_to_test_speaker and not spk.default


def test_is10_svm_structure_and_options(tmp_path):
    pipe = make_named_pipeline("is10-svm", memory=str(tmp_path), C=3.0)
    ext, scaler, svc = (step for _, step in pipe.steps)
    assert isinstance(ext, OpenSmileIS10) and ext.memory == str(tmp_path)
    assert type(scaler).__name__ == "StandardScaler"
    assert isinstance(svc, SVC) and svc.kernel == "rbf" and svc.C == 3.0
    twin = clone(pipe)  # a plain scikit-learn estimator: options survive clone
    assert twin.steps[0][1].memory == str(tmp_path) and twin.steps[-1][1].C == 3.0
    calibrated = make_named_pipeline("is10-svm", probability=True).steps[-1][1]
    assert isinstance(calibrated, CalibratedClassifierCV)
    assert isinstance(calibrated.estimator, SVC)
    spk = make_named_pipeline("is10-svm-spkstd")
    assert isinstance(spk.steps[1][1], SpeakerStandardScaler)


def test_unknown_name_and_option():
    with pytest.raises(ValueError, match="known pipelines: is10-svm"):
        make_named_pipeline("is11-svm")
    with pytest.raises(ValueError, match="does not accept option.*'kernel'"):
        make_named_pipeline("is10-svm", kernel="linear")


def test_register_and_duplicate(monkeypatch):
    monkeypatch.setattr(pipelines, "_REGISTRY", dict(pipelines._REGISTRY))

    @register_pipeline("toy-svc", "SVC on whatever features come in.")
    def _toy(*, memory=None, random_state=None):
        return SVC(random_state=random_state)

    assert "toy-svc" in list_pipelines()
    assert make_named_pipeline("toy-svc", random_state=3).random_state == 3
    with pytest.raises(ValueError, match="already registered"):
        register_pipeline("toy-svc", "again")(_toy)


def test_is10_svm_fits_on_audio(wav_files, tmp_path):
    y = np.array(["anger", "neutral"] * 3)
    pipe = make_named_pipeline("is10-svm", memory=str(tmp_path))
    pipe.fit(np.asarray(wav_files), y)
    # the SVM is fitted on the 1582 IS10 functionals of the audio
    assert pipe[-1].n_features_in_ == 1582
    assert set(pipe.classes_) == {"anger", "neutral"}
