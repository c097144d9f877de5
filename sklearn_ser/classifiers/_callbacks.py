"""Validation scores and early stopping of the attention classifier (skorch)."""

import numpy as np
import torch
from skorch.callbacks import Callback, EarlyStopping

from ..evaluation import unweighted_accuracy, weighted_accuracy

__all__ = ["LabelledValidationScores", "ValidEarlyStopping"]


class LabelledValidationScores(Callback):
    """Record WA / UA / cross-entropy over the labelled validation utterances.

    Adds ``valid_ua`` (balanced accuracy), ``valid_wa`` (accuracy) and ``valid_ce``
    (cross-entropy over the real classes, the early-stopping monitor by default)
    to the history each epoch, computed from the validation forward pass the net
    already makes (no second pass). Unlabeled validation utterances are ignored.
    Nothing is recorded when there is no labelled validation utterance.

    The net must have a fitted ``targets_``
    (:class:`~sklearn_ser.classifiers.PseudoClassTargets`), as
    :class:`~sklearn_ser.classifiers.SemiSupervisedAttentionClassifier` has.
    """

    def on_epoch_begin(self, net, **kwargs):
        self.preds_, self.targets_, self.ce_ = [], [], []

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if training:
            return
        y_pred = kwargs.get("y_pred")
        logits = y_pred[0] if isinstance(y_pred, (tuple, list)) else y_pred
        targets = net.targets_
        y = batch[1].to(logits.device)
        keep = ~targets.is_unlabeled(y)
        if not bool(keep.any()):
            return
        real = targets.real_logits(logits[keep])
        self.preds_.append(real.argmax(1).cpu().numpy())
        self.targets_.append(y[keep].cpu().numpy())
        self.ce_.append(
            torch.nn.functional.cross_entropy(real, y[keep], reduction="none")
            .cpu()
            .numpy()
        )

    def on_epoch_end(self, net, **kwargs):
        if not self.targets_:
            return
        y_true = np.concatenate(self.targets_)
        y_hat = np.concatenate(self.preds_)
        net.history.record("valid_ua", unweighted_accuracy(y_true, y_hat))
        net.history.record("valid_wa", weighted_accuracy(y_true, y_hat))
        net.history.record("valid_ce", float(np.concatenate(self.ce_).mean()))


class ValidEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping that stands aside when nothing is monitored.

    Without a validation split (``valid_size=0`` or ``train_split=None``) the
    monitored key is absent: training then runs ``max_epochs`` epochs.
    """

    def on_epoch_end(self, net, **kwargs):
        if self.monitor not in net.history[-1]:
            return
        super().on_epoch_end(net, **kwargs)
