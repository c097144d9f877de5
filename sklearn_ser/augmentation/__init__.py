"""Augmentation of the training utterances only; prediction is never augmented.

Waveform level: :class:`AugmentedTraining` wraps an audio estimator (a pipeline
from paths or waveforms to labels) and fits it on its training utterances plus
augmented copies of them; :class:`AddNoise` makes one copy, additive white or
recorded noise at a random signal-to-noise ratio. Frame level:
:class:`SpecAugment` (tempo, frequency and time masks) is drawn afresh every epoch
by the attention classifier (its ``augment=`` parameter).
"""

from ._noise import AddNoise
from ._specaugment import SpecAugment
from ._training import AugmentedTraining, augmented_copies

__all__ = ["AddNoise", "AugmentedTraining", "SpecAugment", "augmented_copies"]
