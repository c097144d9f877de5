"""One validation style: ``_parameter_constraints`` checked by ``@_fit_context``."""

import inspect

import pytest
from sklearn.base import BaseEstimator

import sklearn_ser
from sklearn_ser import augmentation, autoencoders, classifiers, evaluation, features
from sklearn_ser import segment as segment_package

PACKAGES = (features, autoencoders, classifiers, evaluation, augmentation)
PACKAGES += (segment_package,)


def _estimators():
    found = {}
    for package in PACKAGES:
        for name in getattr(package, "__all__", []):
            obj = getattr(package, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and "_parameter_constraints" in dir(obj)
                and hasattr(obj, "fit")
            ):
                found[name] = obj
    return found


def test_the_walk_finds_the_estimators():
    names = set(_estimators())
    assert {"FrameStatistics", "WhisperEncoder", "SpeechSegmenter"} <= names
    assert {"SpeakerStandardScaler", "DenoisingAE", "AugmentedTraining"} <= names


@pytest.mark.parametrize("name", sorted(_estimators()))
def test_every_fit_is_wrapped_by_fit_context(name):
    cls = _estimators()[name]
    for method in ("fit", "partial_fit"):
        if hasattr(cls, method):
            # _fit_context wraps with functools.wraps, which sets __wrapped__
            assert hasattr(getattr(cls, method), "__wrapped__"), f"{name}.{method}"


@pytest.mark.parametrize(
    "estimator, param",
    [
        (sklearn_ser.FrameStatistics(stats=5), "stats"),
        (sklearn_ser.FrameStandardScaler(stride=0), "stride"),
        (sklearn_ser.TrimSilence(top_db=-1.0), "top_db"),
        (sklearn_ser.LogMelDeltas(n_mels=0), "n_mels"),
        (sklearn_ser.OpenSmileIS10(on_error="ignore"), "on_error"),
        (evaluation.SpeakerStandardScaler(eps=-1.0), "eps"),
        (evaluation.CorpusStandardScaler(separator=1), "separator"),
        (segment_package.SpeechSegmenter(window=0.0), "window"),
        (
            classifiers.SemiSupervisedAttentionClassifier(reconstruction_weight=-1.0),
            "reconstruction_weight",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseEstimator) else v,
)
def test_fit_names_the_parameter_at_fault(estimator, param):
    # validation comes first, before X is looked at
    with pytest.raises(ValueError, match=f"'{param}' parameter of"):
        estimator.fit(None)


def test_validation_outside_fit_where_no_fit_is_needed():
    with pytest.raises(ValueError, match="'snr_db' parameter of AddNoise"):
        augmentation.AddNoise(snr_db=5).check()
    with pytest.raises(ValueError, match="'n_blocks' parameter of SpecAugment"):
        augmentation.SpecAugment(n_blocks=0).check(n_features=40)
    seg = segment_package.SpeechSegmenter(method="window", hop=-1.0)
    with pytest.raises(ValueError, match="'hop' parameter"):
        seg.segment([0.0] * 16000)
    with pytest.raises(ValueError, match="'pooling' parameter"):
        sklearn_ser.WhisperEncoder(pooling="max").transform([[0.0] * 1600])
