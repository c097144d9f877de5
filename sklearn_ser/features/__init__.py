"""Audio feature extractors: openSMILE functionals and log-Mel frame sequences."""

from ._base import BaseAudioExtractor, ExtractionWarning
from ._logmel import LogMelDeltas
from ._opensmile import OpenSmileFeatures, OpenSmileIS10

__all__ = [
    "BaseAudioExtractor",
    "ExtractionWarning",
    "LogMelDeltas",
    "OpenSmileFeatures",
    "OpenSmileIS10",
]
