"""Sequence classifiers: the semi-supervised attention BLSTM (skorch) and its parts."""

from ..augmentation import SpecAugment
from ._attention import SemiSupervisedAttentionClassifier
from ._callbacks import LabelledValidationScores, ValidEarlyStopping
from ._data import (
    AugmentingCollate,
    LengthBucketBatchSampler,
    SequenceDataset,
    batch_indices,
    collate_sequences,
    sequence_loader,
)
from ._module import AttentionBLSTMModule
from ._pipeline import make_attention_pipeline
from ._plot import effective_frames, plot_attention
from ._targets import PseudoClassTargets
from ._validation import holdout_split

__all__ = [
    "AttentionBLSTMModule",
    "AugmentingCollate",
    "LabelledValidationScores",
    "LengthBucketBatchSampler",
    "PseudoClassTargets",
    "SemiSupervisedAttentionClassifier",
    "SequenceDataset",
    "SpecAugment",
    "ValidEarlyStopping",
    "batch_indices",
    "collate_sequences",
    "effective_frames",
    "holdout_split",
    "make_attention_pipeline",
    "plot_attention",
    "sequence_loader",
]
