"""The pseudo-class of the semi-supervised classifier, every rule about it in one place.

Targets are encoded ``0..K-1`` for the labelled utterances (in the order of
``classes``) and ``K`` for the unlabeled ones, whether the pseudo-class is used or
not. With ``pseudo_class=True`` the network has ``K + 1`` outputs and an unlabeled
utterance enters the supervised loss ``L_s`` as class ``K``; with ``False`` it has
``K`` outputs and ``L_s`` skips unlabeled utterances. Prediction drops column ``K``:
the softmax over the ``K`` real logits is the ``(K + 1)``-way softmax renormalised.
"""

import numpy as np
import torch
from sklearn.utils.class_weight import compute_class_weight

from .._labels import encode_labels, is_unlabeled_value

__all__ = ["PseudoClassTargets"]


class PseudoClassTargets:
    """Encoding, output width, class weights and ``L_s`` of K classes + a pseudo-class.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
        The real classes (never the unlabeled marker).
    pseudo_class : bool, default=True
        Give unlabeled utterances output ``K`` in ``L_s``.
    weight : array-like of shape (n_outputs,), default=None
        Weight of each output in ``L_s``; default 1.

    Examples
    --------
    >>> import numpy as np
    >>> t = PseudoClassTargets.from_labels(np.array(["sad", -1, "ang"], dtype=object))
    >>> t.classes.tolist(), t.n_outputs, t.encode(["ang", -1, "sad"]).tolist()
    (['ang', 'sad'], 3, [0, 2, 1])
    """

    def __init__(self, classes, *, pseudo_class=True, weight=None):
        self.classes = np.asarray(classes)
        self.pseudo_class = bool(pseudo_class)
        self.weight = (
            np.ones(self.n_outputs) if weight is None else np.asarray(weight, float)
        )

    @classmethod
    def from_labels(
        cls, y, *, n_samples=None, classes=None, pseudo_class=True, class_weight=None
    ):
        """The targets of ``fit``: classes from ``y`` (or ``classes``), weights.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Labels, ``-1`` for unlabeled utterances.
        n_samples : int, default=None
            Required length of ``y`` (the number of sequences in ``X``).
        classes : array-like, default=None
            The classes to use; default the sorted labelled values of ``y``.
        pseudo_class : bool, default=True
        class_weight : "balanced", dict or None, default=None
            ``"balanced"``: inversely proportional to the counts in ``y``, the
            pseudo-class counting as one class. A dict maps labels to weights
            (key ``-1``: the pseudo-class); missing ones weigh 1.
        """
        y = _check_y(y, n_samples)
        labeled, classes, _ = encode_labels(
            y, classes=None if classes is None or not len(classes) else classes
        )
        if not labeled.any():
            raise ValueError(
                "y holds no labelled utterance (every value is -1); at least two "
                "classes need labelled utterances."
            )
        if len(classes) < 2:
            raise ValueError(
                "The labelled utterances of y hold a single class "
                f"({classes[0]!r}); at least two classes are needed."
            )
        targets = cls(classes, pseudo_class=pseudo_class)
        targets.weight = targets._class_weight(targets.encode(y), class_weight)
        return targets

    @property
    def n_classes(self):
        """``K``, the number of real classes."""
        return len(self.classes)

    @property
    def n_outputs(self):
        """Width of the network's output: ``K`` or ``K + 1``."""
        return self.n_classes + int(self.pseudo_class)

    def encode(self, y, n_samples=None):
        """``0..K-1`` for labelled utterances, ``K`` for unlabeled ones (int64)."""
        y = _check_y(y, n_samples)
        labeled, _, codes = encode_labels(y, classes=self.classes)
        y_enc = np.full(len(y), self.n_classes, dtype=np.int64)
        y_enc[labeled] = codes
        return y_enc

    def is_unlabeled(self, y_enc):
        """Where encoded targets mark unlabeled utterances (numpy or torch)."""
        return y_enc >= self.n_classes

    def supervised_loss(self, logits, y_enc, criterion):
        """``L_s``: the weighted per-utterance ``criterion`` averaged over a batch.

        Every utterance counts with the pseudo-class, only the labelled ones
        without. Divided by the count, not by the sum of the weights, so that a
        batch of one class (length buckets can make one) keeps its class's weight.

        Parameters
        ----------
        logits : torch.Tensor of shape (B, n_outputs)
        y_enc : torch.Tensor of int64 of shape (B,)
        criterion : callable
            Per-utterance loss ``criterion(logits, targets)`` (reduction "none").
        """
        keep = (
            torch.ones_like(y_enc, dtype=torch.bool)
            if self.pseudo_class
            else ~self.is_unlabeled(y_enc)
        )
        if not bool(keep.any()):  # a batch of unlabeled utterances only
            return logits.sum() * 0.0
        yk = y_enc[keep]
        weight = torch.as_tensor(self.weight, dtype=logits.dtype, device=logits.device)
        return (criterion(logits[keep], yk) * weight[yk]).sum() / yk.numel()

    def real_logits(self, logits):
        """The ``K`` columns of the real classes (the pseudo-class dropped)."""
        return logits[:, : self.n_classes]

    def _class_weight(self, y_enc, class_weight):
        weight = np.ones(self.n_outputs, dtype=np.float64)
        if class_weight is None:
            return weight
        used = y_enc if self.pseudo_class else y_enc[~self.is_unlabeled(y_enc)]
        if isinstance(class_weight, str):
            present = np.unique(used)
            weight[present] = compute_class_weight("balanced", classes=present, y=used)
            return weight
        for label, w in class_weight.items():
            if is_unlabeled_value(label):
                if self.pseudo_class:
                    weight[-1] = w
                continue
            idx = np.flatnonzero(self.classes == label)
            if len(idx) == 0:
                raise ValueError(
                    f"class_weight has a key {label!r} that is not a class of y "
                    f"({self.classes.tolist()}); use -1 for the pseudo-class."
                )
            weight[idx[0]] = w
        return weight


def _check_y(y, n_samples):
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {y.shape}.")
    if n_samples is not None and len(y) != n_samples:
        raise ValueError(f"X has {n_samples} sequences but y has {len(y)} labels.")
    return y
