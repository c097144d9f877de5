"""Audio feature extractors: openSMILE functionals, log-Mel frame sequences and
pretrained speech encoders."""

from ._base import BaseAudioExtractor, ExtractionWarning, LongAudioWarning
from ._frame_scaler import FrameStandardScaler
from ._huggingface import HuggingFaceEncoder
from ._logmel import LogMelDeltas
from ._opensmile import OpenSmileFeatures, OpenSmileIS10
from ._pooling import FrameStatistics
from ._trim import TrimSilence
from ._whisper import WhisperEncoder

__all__ = [
    "BaseAudioExtractor",
    "ExtractionWarning",
    "FrameStandardScaler",
    "FrameStatistics",
    "HuggingFaceEncoder",
    "LogMelDeltas",
    "LongAudioWarning",
    "OpenSmileFeatures",
    "OpenSmileIS10",
    "TrimSilence",
    "WhisperEncoder",
]
