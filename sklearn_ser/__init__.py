"""sklearn-ser: scikit-learn compatible speech emotion recognition."""

from ._audio import AudioError
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
from .features import (
    ExtractionWarning,
    FrameStatistics,
    LogMelDeltas,
    OpenSmileFeatures,
    OpenSmileIS10,
)

__version__ = "0.1.0"

__all__ = [
    "AudioError",
    "ExtractionWarning",
    "FrameStatistics",
    "LogMelDeltas",
    "OpenSmileFeatures",
    "OpenSmileIS10",
    "__version__",
    "as_sequences",
    "check_sequences",
    "concat_frames",
    "is_sequences",
    "pad_sequences",
    "sequence_lengths",
    "split_frames",
    "unpad_sequences",
]
