"""Long recordings: speech segments, and emotion predicted over time.

:class:`SpeechSegmenter` splits a recording into speech segments (silero-vad, or
an energy rule with no extra dependency) or fixed sliding windows;
:func:`predict_over_time` classifies each segment with a fitted model, streaming
the recording in bounded memory; :func:`plot_timeline` draws the result.
"""

from ._over_time import plot_timeline, predict_over_time, with_waveform_rate
from ._segmenter import SpeechSegmenter, mask_to_segments, window_segments

__all__ = [
    "SpeechSegmenter",
    "mask_to_segments",
    "plot_timeline",
    "predict_over_time",
    "window_segments",
    "with_waveform_rate",
]
