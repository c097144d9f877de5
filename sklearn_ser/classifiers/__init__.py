"""Sequence classifiers: the semi-supervised attention BLSTM (skorch) and its parts."""

from ._attention import (
    LabelledValidationScores,
    SemiSupervisedAttentionClassifier,
    ValidEarlyStopping,
    holdout_split,
)
from ._augment import SpecAugment
from ._data import (
    AugmentingCollate,
    LengthBucketBatchSampler,
    SequenceDataset,
    collate_sequences,
    sequence_loader,
)
from ._module import AttentionBLSTMModule
from ._pipeline import make_attention_pipeline
from ._plot import plot_attention
from ._targets import PseudoClassTargets

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
    "collate_sequences",
    "holdout_split",
    "make_attention_pipeline",
    "plot_attention",
    "sequence_loader",
]
