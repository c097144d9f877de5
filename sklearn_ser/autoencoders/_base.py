"""Shared machinery of the autoencoder transformers: labels, optimisers, epochs."""

import numpy as np
import torch
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length

from .._labels import encode_labels, unlabeled_mask
from .._torch import torch_generator

__all__ = []

_SOLVERS = ("adam", "sgd")


def _check_semi_supervised_y(y, n_samples):
    """Validate ``y`` (class labels, -1 = unlabeled, see :mod:`sklearn_ser._labels`).

    Returns
    -------
    labeled : ndarray of bool of shape (n_samples,)
    classes : ndarray
        Sorted distinct labels of the labelled samples.
    y_idx : ndarray of int64 of shape (n_labeled,)
        Index into ``classes`` of each labelled sample.
    """
    y = column_or_1d(y, warn=True)
    check_consistent_length(np.empty(n_samples), y)
    labeled = ~unlabeled_mask(y)
    if labeled.any():
        check_classification_targets(y[labeled])
    labeled, classes, y_idx = encode_labels(y)
    return labeled, classes, y_idx


def _make_optimizer(params, solver, lr, weight_decay=0.0):
    params = [p for p in params if p.requires_grad]
    if solver == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)


def _run_epochs(
    batch_loss,
    optimizer,
    n_samples,
    *,
    epochs,
    batch_size,
    generator,
    device,
    verbose=0,
    stage="",
    on_epoch_end=None,
):
    """Mini-batch training: ``epochs`` shuffled passes over ``n_samples`` rows.

    ``batch_loss(idx)`` gets a tensor of row indices (on ``device``) and returns the
    mean loss of those rows. Returns the sample-weighted mean loss of each epoch.
    ``on_epoch_end()``, when given, is called after each epoch.
    """
    losses = []
    for epoch in range(epochs):
        perm = torch.randperm(n_samples, generator=generator, device=device)
        total = torch.zeros((), device=device)
        for start in range(0, n_samples, batch_size):
            idx = perm[start : start + batch_size]
            loss = batch_loss(idx)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total = total + loss.detach() * len(idx)
        value = float(total) / max(n_samples, 1)
        if not np.isfinite(value):
            raise FloatingPointError(
                f"The {stage or 'training'} loss became {value} at epoch {epoch + 1}; "
                "lower the learning rate."
            )
        losses.append(value)
        if on_epoch_end is not None:
            on_epoch_end()
        if verbose:
            print(f"[{stage}] epoch {epoch + 1}/{epochs} loss {value:.5f}")
    return losses


def _to_tensor(X, device):
    return torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32), device=device)


def _generators(random_state, device):
    """Two seeded generators from one ``random_state``: weights (CPU), and noise /
    shuffling (on ``device``), so an int ``random_state`` makes a fit reproducible."""
    rng = check_random_state(random_state)
    return torch_generator(rng, device="cpu"), torch_generator(rng, device=device)


def _encode_in_batches(encode, X, device, batch_size=8192):
    """Apply a float64 torch encoder to a NumPy array in chunks; float64 NumPy out.

    Inference runs in float64 so that a sample's output does not depend on the
    other rows of its batch (float32 matrix kernels round differently at block
    edges, which breaks sample-order invariance at the 1e-7 level).
    """
    out = []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            xb = torch.as_tensor(
                np.asarray(X[start : start + batch_size], dtype=np.float64),
                device=device,
            )
            out.append(encode(xb).cpu().numpy())
    return np.concatenate(out, axis=0) if out else np.zeros((0, 0))
