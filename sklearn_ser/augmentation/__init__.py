"""Waveform-level augmentation of the training utterances only.

:class:`AugmentedTraining` wraps an audio estimator (a pipeline from paths or
waveforms to labels) and fits it on its training utterances plus augmented copies
of them; prediction is never augmented. :class:`AddNoise` makes one copy: additive
white or recorded noise at a random signal-to-noise ratio. Frame-level
augmentation drawn afresh every epoch (tempo, band warp, masks) is the attention
classifier's own ``augment=`` parameter
(:class:`~sklearn_ser.classifiers.SpecAugment`).
"""

from ._noise import AddNoise
from ._training import AugmentedTraining, augmented_copies

__all__ = ["AddNoise", "AugmentedTraining", "augmented_copies"]
