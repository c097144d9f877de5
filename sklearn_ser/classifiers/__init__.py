"""Sequence classifiers: the semi-supervised attention BLSTM (skorch) and its parts."""

from ._attention import (
    LabelledValidationScores,
    SemiSupervisedAttentionClassifier,
    ValidEarlyStopping,
    holdout_split,
)
from ._data import (
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
    "LabelledValidationScores",
    "LengthBucketBatchSampler",
    "PseudoClassTargets",
    "SemiSupervisedAttentionClassifier",
    "SequenceDataset",
    "ValidEarlyStopping",
    "collate_sequences",
    "holdout_split",
    "make_attention_pipeline",
    "plot_attention",
    "sequence_loader",
]
