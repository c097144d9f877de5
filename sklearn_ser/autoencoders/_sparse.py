"""SparseAE: KL-sparse autoencoder on feature vectors or frame by frame on sequences."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import (
    ADAPTERS_MANAGER,
    Interval,
    StrOptions,
    _fit_context,
    _get_output_config,
)
from .._device import DEVICE_CONSTRAINT
from .._sequences import check_sequences, concat_frames, split_frames
from .._torch import resolve_device
from ._base import (
    _SOLVERS,
    _encode_in_batches,
    _generators,
    _make_optimizer,
    _run_epochs,
    _to_tensor,
)
from ._modules import SparseAEModule, sparse_ae_loss

__all__ = ["SparseAE"]


def _is_sequence_input(X):
    # A sequence dataset (1-D object array of 2-D frame arrays), a list of 2-D
    # arrays, or a pandas Series of them; a 2-D table is not.
    if hasattr(X, "iloc") and getattr(X, "ndim", 2) == 1:
        return True
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1
    if isinstance(X, list | tuple) and len(X):
        return all(np.ndim(x) == 2 for x in X)
    return False


class SparseAE(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
    # transform wraps its own output: only 2-D output can become a DataFrame
    auto_wrap_output_keys=None,
):
    """Sparse autoencoder transformer: over-complete sigmoid code, KL penalty.

    ``h = sigmoid(W_1 x + b_1)``, ``z = W_2 h + b_2`` (linear decoder; ``"sigmoid"``
    optional), trained on ``||z - x||^2 + sparsity_weight * sum_j KL(sparsity_target
    || rho_hat_j)`` where ``rho_hat_j`` is the mean activation of hidden unit ``j``
    over a mini-batch, with weight decay on the weight matrices. The input is
    standardised (a :class:`~sklearn.preprocessing.StandardScaler` fitted in
    ``fit``) unless ``standardize=False``.

    Accepts a 2-D array (one vector per sample) or a sequence dataset (a 1-D
    object array of ``(n_frames_i, n_features)`` arrays, as made by
    :func:`~sklearn_ser.as_sequences` and
    :class:`~sklearn_ser.features.LogMelDeltas`). Sequences are encoded frame by
    frame and come back as a sequence dataset of codes, so the transformer can
    sit after ``LogMelDeltas`` in a Pipeline. The torch module is
    :class:`SparseAEModule` and the loss :func:`sparse_ae_loss`.

    Parameters
    ----------
    n_hidden : int, default=200
        Code width; may exceed the input width (over-complete).
    sparsity_target : float, default=0.05
        Wanted mean activation ``rho`` of each hidden unit.
    sparsity_weight : float, default=0.1
        Weight ``beta`` of the KL penalty.
    weight_decay : float, default=1e-4
        L2 penalty on the weight matrices (not the biases).
    decoder_activation : {"linear", "sigmoid"}, default="linear"
        Decoder output non-linearity ("sigmoid" fits inputs in [0, 1] with
        ``standardize=False``).
    standardize : bool, default=True
        Standardise the input (per feature, over training samples or frames).
    epochs : int, default=20
        Training epochs.
    lr : float, default=1e-3
        Learning rate.
    solver : {"adam", "sgd"}, default="adam"
        Optimiser.
    batch_size : int, default=256
        Mini-batch size (in samples, or frames for sequences).
    random_state : int, RandomState instance or None, default=None
        Seeds weights and shuffling (an int: reproducible fit).
    device : {"cpu", "cuda", "auto"}, "cuda:<index>" or torch.device, default="cpu"
        Where torch trains and encodes.
    verbose : int, default=0
        Print the loss of each epoch.

    Attributes
    ----------
    scaler_ : StandardScaler or None
        The input standardiser.
    coef_ : ndarray of shape (n_hidden, n_features)
        Encoder weights ``W_1``; ``intercept_`` its bias.
    decoder_coef_ : ndarray of shape (n_features, n_hidden)
        Decoder weights ``W_2``; ``decoder_intercept_`` its bias.
    history_ : dict of str to list of float
        Per epoch: ``"loss"`` (total), ``"reconstruction"``, ``"kl"``.
    n_features_in_ : int
        Input width (features per frame for sequences).
    feature_names_in_ : ndarray of str
        Names of the input features, when ``X`` was a DataFrame with string columns.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser._sequences import as_sequences
    >>> from sklearn_ser.autoencoders import SparseAE
    >>> rng = np.random.default_rng(0)
    >>> X = as_sequences([rng.normal(size=(n, 6)) for n in (5, 9, 7)])
    >>> sae = SparseAE(n_hidden=10, epochs=2, random_state=0).fit(X)
    >>> codes = sae.transform(X)
    >>> [c.shape for c in codes]
    [(5, 10), (9, 10), (7, 10)]
    >>> SparseAE(n_hidden=10, epochs=2).fit_transform(rng.normal(size=(8, 6))).shape
    (8, 10)
    """

    _parameter_constraints: dict = {
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "sparsity_target": [Interval(Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "decoder_activation": [StrOptions({"linear", "sigmoid"})],
        "standardize": ["boolean"],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "solver": [StrOptions(set(_SOLVERS))],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "device": [DEVICE_CONSTRAINT],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_hidden=200,
        sparsity_target=0.05,
        sparsity_weight=0.1,
        weight_decay=1e-4,
        decoder_activation="linear",
        standardize=True,
        epochs=20,
        lr=1e-3,
        solver="adam",
        batch_size=256,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.n_hidden = n_hidden
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.weight_decay = weight_decay
        self.decoder_activation = decoder_activation
        self.standardize = standardize
        self.epochs = epochs
        self.lr = lr
        self.solver = solver
        self.batch_size = batch_size
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _frames(self, X, reset):
        """``(frames, lengths or None, dtype)`` of 2-D or sequence input, checked."""
        if _is_sequence_input(X):
            if reset:
                X = check_sequences(X)
                self.n_features_in_ = X[0].shape[1]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            else:
                X = check_sequences(X, n_features=self.n_features_in_)
            frames, lengths = concat_frames(X)
            return frames, lengths, frames.dtype
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=reset)
        return X, None, X.dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the sparse autoencoder (unsupervised; ``y`` is ignored).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset
            Feature vectors, or frame sequences (trained on all frames).
        y : None
            Ignored.

        Returns
        -------
        self : SparseAE
        """
        frames, _, _ = self._frames(X, reset=True)
        self.scaler_ = StandardScaler().fit(frames) if self.standardize else None
        if self.scaler_ is not None:
            frames = self.scaler_.transform(frames)
        device = resolve_device(self.device)
        init_gen, train_gen = _generators(self.random_state, device)
        module = SparseAEModule(
            frames.shape[1],
            self.n_hidden,
            decoder_activation=self.decoder_activation,
            generator=init_gen,
        ).to(device)
        X_t = _to_tensor(frames, device)
        opt = _make_optimizer(
            module.parameters(), self.solver, self.lr, self.weight_decay
        )
        parts = {"reconstruction": [], "kl": []}
        sums = {}

        def batch_loss(idx):
            xb = X_t[idx]
            z, h = module(xb)
            loss, recon, kl = sparse_ae_loss(
                xb,
                z,
                h,
                rho=self.sparsity_target,
                beta=self.sparsity_weight,
                return_parts=True,
            )
            sums["recon"] = sums.get("recon", 0.0) + recon.detach() * len(idx)
            sums["kl"] = sums.get("kl", 0.0) + kl.detach() * len(idx)
            return loss

        def epoch_end():
            parts["reconstruction"].append(float(sums.pop("recon")) / len(X_t))
            parts["kl"].append(float(sums.pop("kl")) / len(X_t))

        losses = _run_epochs(
            batch_loss,
            opt,
            len(X_t),
            epochs=self.epochs,
            batch_size=self.batch_size,
            generator=train_gen,
            device=device,
            verbose=self.verbose,
            stage="sparse_ae",
            on_epoch_end=epoch_end,
        )
        self.history_ = {"loss": losses, **parts}

        def numpy(t):
            return t.detach().cpu().numpy().copy()

        self.coef_ = numpy(module.encoder.weight)
        self.intercept_ = numpy(module.encoder.bias)
        self.decoder_coef_ = numpy(module.decoder.weight)
        self.decoder_intercept_ = numpy(module.decoder.bias)
        return self

    def _module(self, device):
        module = SparseAEModule(
            self.coef_.shape[1],
            self.coef_.shape[0],
            decoder_activation=self.decoder_activation,
        )
        with torch.no_grad():
            module.encoder.weight.copy_(torch.from_numpy(self.coef_))
            module.encoder.bias.copy_(torch.from_numpy(self.intercept_))
            module.decoder.weight.copy_(torch.from_numpy(self.decoder_coef_))
            module.decoder.bias.copy_(torch.from_numpy(self.decoder_intercept_))
        return module.to(device, torch.float64)

    def _apply(self, X, fn):
        check_is_fitted(self)
        frames, lengths, dtype = self._frames(X, reset=False)
        scaled = self.scaler_.transform(frames) if self.scaler_ is not None else frames
        device = resolve_device(self.device)
        out = _encode_in_batches(fn(self._module(device)), scaled, device)
        out = out.astype(dtype, copy=False)
        if lengths is not None:
            return split_frames(out, lengths)
        config = _get_output_config("transform", self)["dense"]
        if config != "default":
            out = ADAPTERS_MANAGER.adapters[config].create_container(
                out, X, columns=self.get_feature_names_out
            )
        return out

    def transform(self, X):
        """Sparse codes of the (standardised) input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_hidden), or sequence dataset
            For sequences, one ``(n_frames_i, n_hidden)`` code array per item.
            2-D output follows ``set_output``.
        """
        return self._apply(X, lambda m: m.encode)

    def fit_transform(self, X, y=None):
        """Fit, then transform ``X`` (see :meth:`fit` and :meth:`transform`)."""
        return self.fit(X, y).transform(X)

    def reconstruction_error(self, X):
        """``||z - x||^2`` per sample (2-D) or per frame (sequences), standardised.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence dataset

        Returns
        -------
        errors : ndarray of shape (n_samples,), or sequence dataset of (n_frames, 1)
        """
        check_is_fitted(self)
        frames, lengths, _ = self._frames(X, reset=False)
        scaled = self.scaler_.transform(frames) if self.scaler_ is not None else frames
        device = resolve_device(self.device)
        module = self._module(device)
        z = _encode_in_batches(lambda x: module(x)[0], scaled, device)
        err = ((z - scaled) ** 2).sum(axis=1)
        return split_frames(err[:, None], lengths) if lengths is not None else err

    def set_output(self, *, transform=None):
        """Set the container of the 2-D output: "default", "pandas" or "polars".

        Sequence output stays a sequence dataset whatever the setting.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            None leaves the configuration unchanged.

        Returns
        -------
        self : SparseAE
        """
        if transform is None:
            return self
        if not hasattr(self, "_sklearn_output_config"):
            self._sklearn_output_config = {}
        self._sklearn_output_config["transform"] = transform
        return self

    @property
    def _n_features_out(self):
        return int(self.coef_.shape[0])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
