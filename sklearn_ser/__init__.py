"""sklearn-ser: scikit-learn compatible speech emotion recognition."""

from ._audio import AudioError
from ._cache import get_cache_dir
from ._persistence import UnsafeModelError, load_model, save_model, trusted_types
from ._sequences import (
    as_sequences,
    check_sequences,
    concat_frames,
    is_sequences,
    pad_sequences,
    sequence_lengths,
    split_frames,
    unpad_sequences,
)
from .augmentation import AddNoise, AugmentedTraining
from .features import (
    ExtractionWarning,
    FrameStandardScaler,
    FrameStatistics,
    HuggingFaceEncoder,
    LogMelDeltas,
    LongAudioWarning,
    OpenSmileFeatures,
    OpenSmileIS10,
    TrimSilence,
    WhisperEncoder,
)

__version__ = "0.1.0"

# The torch-based estimators and the evaluation tools are imported on first use, so
# that `import sklearn_ser` (and the command line) does not pay for torch and skorch
# when only the extractors are needed.
_LAZY = {
    "DenoisingAE": "sklearn_ser.autoencoders",
    "NeutralEmotionDAE": "sklearn_ser.autoencoders",
    "SparseAE": "sklearn_ser.autoencoders",
    "SemiSupervisedAttentionClassifier": "sklearn_ser.classifiers",
    "SpecAugment": "sklearn_ser.augmentation",
    "evaluate": "sklearn_ser.evaluation",
    "EvaluationReport": "sklearn_ser.evaluation",
    "RegressionReport": "sklearn_ser.evaluation",
    "make_named_pipeline": "sklearn_ser.pipelines",
    "list_pipelines": "sklearn_ser.pipelines",
    "SpeechSegmenter": "sklearn_ser.segment",
    "predict_over_time": "sklearn_ser.segment",
    "plot_timeline": "sklearn_ser.segment",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sklearn_ser' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AddNoise",
    "AudioError",
    "AugmentedTraining",
    "DenoisingAE",
    "EvaluationReport",
    "NeutralEmotionDAE",
    "RegressionReport",
    "SemiSupervisedAttentionClassifier",
    "SparseAE",
    "SpecAugment",
    "SpeechSegmenter",
    "evaluate",
    "list_pipelines",
    "make_named_pipeline",
    "ExtractionWarning",
    "FrameStandardScaler",
    "FrameStatistics",
    "HuggingFaceEncoder",
    "LogMelDeltas",
    "LongAudioWarning",
    "OpenSmileFeatures",
    "OpenSmileIS10",
    "TrimSilence",
    "UnsafeModelError",
    "WhisperEncoder",
    "__version__",
    "as_sequences",
    "check_sequences",
    "concat_frames",
    "get_cache_dir",
    "is_sequences",
    "load_model",
    "pad_sequences",
    "plot_timeline",
    "predict_over_time",
    "save_model",
    "sequence_lengths",
    "split_frames",
    "trusted_types",
    "unpad_sequences",
]
