"""Audio feature extractors: openSMILE functionals and log-Mel frame sequences."""

from ._base import BaseAudioExtractor, ExtractionWarning, LongAudioWarning
from ._logmel import LogMelDeltas
from ._opensmile import OpenSmileFeatures, OpenSmileIS10
from ._pooling import FrameStatistics

__all__ = [
    "BaseAudioExtractor",
    "ExtractionWarning",
    "FrameStatistics",
    "LogMelDeltas",
    "LongAudioWarning",
    "OpenSmileFeatures",
    "OpenSmileIS10",
]
