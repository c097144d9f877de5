"""Shared machinery of the autoencoder transformers: labels, optimisers, epochs,
and the one training skeleton of the two tied-weight denoising autoencoders."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from torch.nn import functional as F

from .._compat import Interval, StrOptions, _fit_context
from .._device import DEVICE_CONSTRAINT
from .._labels import encode_labels
from .._torch import resolve_device, torch_generator

__all__ = []

_SOLVERS = ("adam", "sgd")


def _check_semi_supervised_y(y, n_samples):
    """Validate ``y`` (class labels, -1 = unlabeled as in sklearn.semi_supervised).

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
    labeled, classes, y_idx = encode_labels(y)
    if labeled.any():
        check_classification_targets(y[labeled])
    return labeled, classes, y_idx


def _make_optimizer(params, solver, lr, weight_decay=0.0):
    """Adam or SGD over the trainable ``params``, every autoencoder's one recipe.

    ``weight_decay`` (L2) applies to the weight matrices only, never to the biases,
    in every autoencoder of sklearn-ser.
    """
    params = [p for p in params if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    if solver == "adam":
        return torch.optim.Adam(groups, lr=lr)
    return torch.optim.SGD(groups, lr=lr)


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


def _corrupted_recon_loss(model, X_t, noise_std, generator):
    """``batch_loss(idx)`` for ``||z(x + noise) - x||^2`` averaged over the batch.

    ``model(x)`` returns ``(z, code)``; the loss compares ``z`` of the corrupted
    input with the CLEAN input.
    """

    def batch_loss(idx):
        xb = X_t[idx]
        xt = xb
        if noise_std > 0:
            noise = torch.randn(
                xb.shape, generator=generator, device=xb.device, dtype=xb.dtype
            )
            xt = xb + noise_std * noise
        z = model(xt)[0]
        return ((z - xb) ** 2).sum(dim=1).mean()

    return batch_loss


class _BaseTiedDAE(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """The training skeleton of DenoisingAE and NeutralEmotionDAE (one ``fit``).

    ``fit`` forgets every fitted attribute of a previous fit, validates ``X`` and
    ``y`` (-1 = unlabeled), scales ``X`` to [0, 1],
    lets the subclass build and pre-train its torch model on the corrupted input
    (:meth:`_pretrain`), fine-tunes ``model.encode`` through a softmax layer on
    the labelled samples when ``y`` has some, and stores the parameters as NumPy
    attributes (:meth:`_store`). ``transform`` rebuilds the model from them
    (:meth:`_model`) and returns ``model.encode`` of the clean scaled input.
    """

    _parameter_constraints: dict = {
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "pretrain_lr": [Interval(Real, 0, None, closed="neither")],
        "finetune_epochs": [Interval(Integral, 0, None, closed="left")],
        "finetune_lr": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions(set(_SOLVERS))],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [DEVICE_CONSTRAINT],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------ subclass hooks

    def _check_fit_args(self, X, y, labeled):
        """Raise on parameter / input combinations the subclass cannot fit."""

    def _fit_scaler(self, X):
        """The fitted [0, 1] scaler of the input of every layer."""
        return MinMaxScaler(clip=True).fit(X)

    def _pretrain(self, X_t, y, labeled, generators):
        """Build and pre-train the model; return it (with ``encode``)."""
        raise NotImplementedError

    def _store(self, model):
        """Copy the trained parameters of ``model`` into NumPy attributes."""
        raise NotImplementedError

    def _model(self, device):
        """The fitted model, rebuilt in float64 on ``device`` from the attributes."""
        raise NotImplementedError

    # ------------------------------------------------------------ the skeleton

    @_fit_context(
        # a neutral_encoder is fitted already and must not be re-validated
        prefer_skip_nested_validation=True
    )
    def fit(self, X, y=None):
        """Pre-train on ``X``; fine-tune the code on the labelled part of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training features (e.g. IS10 functionals).
        y : array-like of shape (n_samples,), default=None
            Class labels; ``-1`` marks an unlabeled sample (pre-training only).
            None: unsupervised only.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._reset()
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if y is not None:
            labeled, self.classes_, y_idx = _check_semi_supervised_y(y, len(X))
        else:
            labeled, self.classes_, y_idx = None, np.array([]), None
        self._check_fit_args(X, y, labeled)
        device = resolve_device(self.device)
        generators = _generators(self.random_state, device)
        self.history_ = {}
        self.scaler_ = self._fit_scaler(X)
        X_t = _to_tensor(self.scaler_.transform(X), device)
        model = self._pretrain(X_t, y, labeled, generators)
        if labeled is not None and labeled.any() and self.finetune_epochs > 0:
            X_lab = X_t[torch.as_tensor(labeled, device=device)]
            head = self._finetune(model, X_lab, y_idx, generators)
            self.finetune_coef_ = head.weight.detach().cpu().numpy()
            self.finetune_intercept_ = head.bias.detach().cpu().numpy()
        self._store(model)
        return self

    def _reset(self):
        # A refit starts from nothing: no fine-tuning layer, history or weights of
        # a previous fit survive it.
        for name in [k for k in vars(self) if k.endswith("_") and k[0] != "_"]:
            delattr(self, name)

    def _epochs(self, batch_loss, optimizer, n_samples, generator, *, epochs, stage):
        return _run_epochs(
            batch_loss,
            optimizer,
            n_samples,
            epochs=epochs,
            batch_size=self.batch_size,
            generator=generator,
            device=generator.device,
            verbose=self.verbose,
            stage=stage,
        )

    def _pretrain_layer(self, model, params, X_t, generator, stage):
        """Pre-train ``params`` of ``model`` on ``||z(x + noise) - x||^2``."""
        optimizer = _make_optimizer(
            params, self.solver, self.pretrain_lr, self.weight_decay
        )
        self.history_[stage] = self._epochs(
            _corrupted_recon_loss(model, X_t, self.noise_std, generator),
            optimizer,
            len(X_t),
            generator,
            epochs=self.pretrain_epochs,
            stage=stage,
        )

    def _finetune(self, model, X_lab, y_idx, generators):
        """Softmax layer on ``model.encode``, cross-entropy, all trainable params."""
        init_gen, train_gen = generators
        n_code = model.encode(X_lab[:1]).shape[1]
        head = torch.nn.Linear(n_code, len(self.classes_))
        bound = 1.0 / np.sqrt(n_code)
        with torch.no_grad():
            head.weight.uniform_(-bound, bound, generator=init_gen)
            head.bias.zero_()
        head = head.to(X_lab.device)
        y_t = torch.as_tensor(y_idx, device=X_lab.device)
        optimizer = _make_optimizer(
            list(model.parameters()) + list(head.parameters()),
            self.solver,
            self.finetune_lr,
            self.weight_decay,
        )

        def batch_loss(idx):
            return F.cross_entropy(head(model.encode(X_lab[idx])), y_t[idx])

        self.history_["finetune"] = self._epochs(
            batch_loss,
            optimizer,
            len(X_lab),
            train_gen,
            epochs=self.finetune_epochs,
            stage="finetune",
        )
        return head

    def _scaled(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return X, self.scaler_.transform(X)

    def transform(self, X):
        """Code of the clean, [0, 1]-scaled input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_code)
            Sigmoid activations, in ``X``'s float dtype.
        """
        X, Xs = self._scaled(X)
        device = resolve_device(self.device)
        model = self._model(device)
        return _encode_in_batches(model.encode, Xs, device).astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
