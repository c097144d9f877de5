"""NeutralEmotionDAE: a frozen neutral projection plus a learned emotion projection."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator

from .._compat import HasMethods, Interval, StrOptions
from .._torch import resolve_device
from ._base import _BaseTiedDAE, _encode_in_batches
from ._modules import NeutralEmotionModule, TiedAutoencoderLayer

__all__ = ["NeutralEmotionDAE"]


def _unwrap(encoder):
    return encoder.estimator if isinstance(encoder, FrozenEstimator) else encoder


def _layer_from(W, b, bp):
    layer = TiedAutoencoderLayer(W.shape[1], W.shape[0])
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(W, dtype=torch.float32))
        layer.bias.copy_(torch.as_tensor(b, dtype=torch.float32))
        layer.bias_prime.copy_(torch.as_tensor(bp, dtype=torch.float32))
    return layer


class NeutralEmotionDAE(_BaseTiedDAE):
    """Denoising autoencoder with a fixed neutral and a learned emotion projection.

    The proposed model of Xia & Liu (2013). With ``x~`` the corrupted, [0, 1]-scaled
    input ``x + N(0, noise_std^2)``::

        y_n = s(W_n x~ + b_n)      z_n = s(W_n^T y_n + b'_n)
        y_e = s(W_e x~ + b_e)      z_e = s(W_e^T y_e + b'_e)
        z = alpha * z_e + (1 - alpha) * z_n,     loss ||z - x||^2

    The neutral parameters ``(W_n, b_n, b'_n)`` come from ``neutral_encoder``, a
    fitted single-layer :class:`DenoisingAE` trained on neutral speech (e.g. IS10 of
    LibriSpeech), usually wrapped in :class:`sklearn.frozen.FrozenEstimator` so that
    ``clone`` (and so every cross-validation fold) keeps the same fitted encoder; it
    is never refitted. Without one, the neutral branch is first pre-trained (as a
    DAE) on the training samples labelled ``neutral_label``. The emotion branch is
    then pre-trained on all training samples with the neutral parameters fixed, and,
    when ``y`` is given, fine-tuned through a softmax layer on ``y_e`` (labelled
    samples only; ``y == -1`` marks unlabeled samples). ``transform`` returns ``y_e``
    of the clean input.

    **Which [0, 1] scaling.** The equations feed ONE ``x~`` to both projections and
    compare the mixed reconstruction to that same ``x``, so both branches must see
    the input on one scale. By default (``input_scaling="fit"``) that scale is a
    min-max scaler fitted on the emotional training data in ``fit``: the neutral
    weights were learned on the neutral corpus scaled to [0, 1] by ITS range, and
    each corpus' own range maps to [0, 1] in the same way (per-corpus min-max, as
    each autoencoder was trained), so the neutral projection receives inputs of the
    shape it knows, and the emotion branch learns, and the loss is measured, on the
    emotional data's own scale. ``input_scaling="neutral"`` instead reuses the
    neutral encoder's fitted scaler (the neutral corpus' range, clipped): the
    neutral branch then sees exactly its pre-training transform, at the cost of
    clipping emotional extremes (louder, higher-pitched speech) at 1. Both use no
    test data; the user guide's autoencoder page compares them.

    The paper's optimisation values are SGD with pre-training lr 0.01, fine-tuning
    lr 0.002 and 8 fine-tuning passes; the defaults here are those of
    :class:`DenoisingAE` (Adam, lr 1e-3), which train on real data (see there).

    Parameters
    ----------
    n_hidden : int, default=200
        Width of the emotion code ``y_e`` (the paper tries 200, 400, 800). The
        neutral code keeps the neutral encoder's width.
    alpha : float, default=0.5
        Weight of the emotion reconstruction in ``z``.
    neutral_encoder : DenoisingAE or FrozenEstimator of one, default=None
        Fitted single-hidden-layer DenoisingAE with the same input features. None:
        pre-train the neutral branch on the samples labelled ``neutral_label``.
    neutral_label : object, default="neutral"
        The label of neutral speech in ``y`` (used only without ``neutral_encoder``).
    input_scaling : {"fit", "neutral"}, default="fit"
        "fit": [0, 1] scaler fitted on the training data; "neutral": the neutral
        encoder's own scaler (needs ``neutral_encoder``).
    noise_std : float, default=0.1
        Standard deviation of the Gaussian corruption (on the [0, 1] scale).
    pretrain_epochs : int, default=20
        Epochs of pre-training (of the emotion branch, and of the neutral branch
        when it is trained here).
    pretrain_lr : float, default=1e-3
        Learning rate of pre-training.
    finetune_epochs : int, default=20
        Epochs of supervised fine-tuning of the emotion branch (0: none).
    finetune_lr : float, default=1e-3
        Learning rate of fine-tuning.
    solver : {"adam", "sgd"}, default="adam"
        Optimiser of every stage.
    batch_size : int, default=32
        Mini-batch size.
    weight_decay : float, default=0.0
        L2 penalty on the weight matrices (not the biases), as in every
        autoencoder of sklearn-ser.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, corruption noise and shuffling (an int: reproducible fit).
    device : {"cpu", "cuda", "auto"}, "cuda:<index>" or torch.device, default="cpu"
        Where torch trains and encodes.
    verbose : int, default=0
        Print the loss of each epoch.

    Attributes
    ----------
    scaler_ : MinMaxScaler
        The [0, 1] scaler applied to the input of both branches.
    neutral_coef_, neutral_intercept_, neutral_intercept_prime_ : ndarray
        ``W_n``, ``b_n``, ``b'_n`` (copied from the neutral encoder, or trained).
    coef_, intercept_, intercept_prime_ : ndarray
        ``W_e`` of shape (n_hidden, n_features), ``b_e``, ``b'_e``.
    classes_ : ndarray
        Classes seen in fine-tuning (empty without labels).
    history_ : dict of str to list of float
        Loss per epoch of each stage: ``"neutral_pretrain"`` (when trained here),
        ``"pretrain"``, ``"finetune"``.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Names of the input features, when ``X`` had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import clone
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn_ser.autoencoders import DenoisingAE, NeutralEmotionDAE
    >>> rng = np.random.default_rng(0)
    >>> X_neutral = rng.normal(size=(30, 8))            # e.g. IS10 of read speech
    >>> X, y = rng.normal(size=(40, 8)), np.repeat(["angry", "sad"], 20)
    >>> neutral = DenoisingAE(hidden_layer_sizes=5, pretrain_epochs=3,
    ...                       random_state=0).fit(X_neutral)
    >>> model = NeutralEmotionDAE(n_hidden=4, neutral_encoder=FrozenEstimator(neutral),
    ...                           pretrain_epochs=3, finetune_epochs=2, random_state=0)
    >>> model.fit(X, y).transform(X).shape
    (40, 4)
    >>> clone(model).neutral_encoder.estimator is neutral
    True
    """

    _parameter_constraints: dict = {
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "neutral_encoder": [HasMethods(["transform"]), None],
        "neutral_label": "no_validation",
        "input_scaling": [StrOptions({"fit", "neutral"})],
        **_BaseTiedDAE._parameter_constraints,
    }

    def __init__(
        self,
        *,
        n_hidden=200,
        alpha=0.5,
        neutral_encoder=None,
        neutral_label="neutral",
        input_scaling="fit",
        noise_std=0.1,
        pretrain_epochs=20,
        pretrain_lr=1e-3,
        finetune_epochs=20,
        finetune_lr=1e-3,
        solver="adam",
        batch_size=32,
        weight_decay=0.0,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.n_hidden = n_hidden
        self.alpha = alpha
        self.neutral_encoder = neutral_encoder
        self.neutral_label = neutral_label
        self.input_scaling = input_scaling
        self.noise_std = noise_std
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_lr = pretrain_lr
        self.finetune_epochs = finetune_epochs
        self.finetune_lr = finetune_lr
        self.solver = solver
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _neutral_params(self, n_features):
        """``(W_n, b_n, b'_n, scaler)`` of the given neutral encoder, checked."""
        enc = _unwrap(self.neutral_encoder)
        needed = ("coefs_", "intercepts_", "intercepts_prime_", "scaler_")
        if not all(hasattr(enc, a) for a in needed):
            raise ValueError(
                "neutral_encoder must be a fitted DenoisingAE (optionally wrapped in "
                f"sklearn.frozen.FrozenEstimator); got {type(enc).__name__}"
                + (" that is not fitted." if hasattr(enc, "fit") else ".")
            )
        if len(enc.coefs_) != 1:
            raise ValueError(
                "neutral_encoder must have a single hidden layer (its W_n, b_n, b'_n "
                "are the neutral projection); it has hidden_layer_sizes="
                f"{enc.hidden_layer_sizes!r}."
            )
        if enc.coefs_[0].shape[1] != n_features:
            raise ValueError(
                f"neutral_encoder was fitted on {enc.coefs_[0].shape[1]} features but "
                f"X has {n_features}; both must be the same feature set (e.g. IS10)."
            )
        return enc.coefs_[0], enc.intercepts_[0], enc.intercepts_prime_[0], enc

    def _check_fit_args(self, X, y, labeled):
        if self.neutral_encoder is not None:
            self._neutral_params(X.shape[1])
            return
        if y is None:
            raise ValueError(
                "NeutralEmotionDAE requires y to be passed, but the target y is "
                "None: without neutral_encoder the neutral branch is pre-trained "
                f"on the samples labelled neutral_label={self.neutral_label!r}. "
                "Pass y, or neutral_encoder=FrozenEstimator(DenoisingAE(...)"
                ".fit(X_neutral))."
            )
        if self.input_scaling == "neutral":
            raise ValueError(
                "input_scaling='neutral' reuses the neutral encoder's scaler and "
                "needs neutral_encoder; use input_scaling='fit'."
            )
        if not self._neutral_samples(y, labeled).any():
            raise ValueError(
                f"No training sample is labelled neutral_label="
                f"{self.neutral_label!r} (labels in y: {self.classes_.tolist()}). "
                "Pass neutral_label=<the label of neutral speech in y>, or a "
                "fitted neutral_encoder=FrozenEstimator(DenoisingAE("
                "hidden_layer_sizes=n_hidden).fit(X_neutral))."
            )

    def _neutral_samples(self, y, labeled):
        y = np.asarray(y, dtype=object)
        return labeled & np.array([v == self.neutral_label for v in y], dtype=bool)

    def _fit_scaler(self, X):
        if self.neutral_encoder is not None and self.input_scaling == "neutral":
            return self._neutral_params(X.shape[1])[3].scaler_
        return super()._fit_scaler(X)

    def _pretrain(self, X_t, y, labeled, generators):
        init_gen, train_gen = generators
        device = X_t.device
        if self.neutral_encoder is not None:
            W_n, b_n, bp_n, _ = self._neutral_params(X_t.shape[1])
            neutral = _layer_from(W_n, b_n, bp_n).to(device)
        else:
            neutral = TiedAutoencoderLayer(X_t.shape[1], self.n_hidden, init_gen)
            neutral = neutral.to(device)
            is_neutral = torch.as_tensor(self._neutral_samples(y, labeled))
            self._pretrain_layer(
                neutral,
                neutral.parameters(),
                X_t[is_neutral.to(device)],
                train_gen,
                "neutral_pretrain",
            )
        emotion = TiedAutoencoderLayer(X_t.shape[1], self.n_hidden, init_gen)
        model = NeutralEmotionModule(neutral, emotion.to(device), alpha=self.alpha)
        # the neutral parameters are frozen: only the emotion branch learns
        self._pretrain_layer(model, model.parameters(), X_t, train_gen, "pretrain")
        return model

    def _store(self, model):
        def numpy(t):
            return t.detach().cpu().numpy().copy()

        self.neutral_coef_ = numpy(model.neutral.weight)
        self.neutral_intercept_ = numpy(model.neutral.bias)
        self.neutral_intercept_prime_ = numpy(model.neutral.bias_prime)
        self.coef_ = numpy(model.emotion.weight)
        self.intercept_ = numpy(model.emotion.bias)
        self.intercept_prime_ = numpy(model.emotion.bias_prime)

    def _model(self, device):
        neutral = _layer_from(
            self.neutral_coef_, self.neutral_intercept_, self.neutral_intercept_prime_
        )
        emotion = _layer_from(self.coef_, self.intercept_, self.intercept_prime_)
        return NeutralEmotionModule(neutral, emotion, alpha=self.alpha).to(
            device, torch.float64
        )

    def reconstruction_error(self, X):
        """``||z - x||^2`` per sample of the mixed reconstruction, clean input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        errors : ndarray of shape (n_samples,)
        """
        _, Xs = self._scaled(X)
        device = resolve_device(self.device)
        model = self._model(device)
        z = _encode_in_batches(lambda x: model(x)[0], Xs, device)
        return ((z - Xs) ** 2).sum(axis=1)

    @property
    def _n_features_out(self):
        return int(self.coef_.shape[0])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Without a neutral encoder the neutral samples are found through y.
        tags.target_tags.required = self.neutral_encoder is None
        return tags
