"""DenoisingAE: the tied-weight (stacked) denoising autoencoder as a transformer."""

from numbers import Integral

import torch
from torch import nn

from .._compat import Interval
from .._torch import resolve_device
from ._base import _BaseTiedDAE, _encode_in_batches
from ._modules import TiedAutoencoderLayer

__all__ = ["DenoisingAE"]


def _check_layer_sizes(hidden_layer_sizes):
    sizes = (
        (hidden_layer_sizes,)
        if isinstance(hidden_layer_sizes, Integral)
        else tuple(hidden_layer_sizes)
    )
    if not sizes or not all(isinstance(h, Integral) and h >= 1 for h in sizes):
        raise ValueError(
            "hidden_layer_sizes must be a positive int or a non-empty tuple of "
            f"positive ints; got {hidden_layer_sizes!r}."
        )
    return tuple(int(h) for h in sizes)


class _TiedStack(nn.Module):
    """Tied-weight layers applied one after the other; ``encode`` is the top code."""

    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def encode(self, x):
        for layer in self.layers:
            x = layer.encode(x)
        return x


class DenoisingAE(_BaseTiedDAE):
    """Tied-weight denoising autoencoder (stacked), with optional fine-tuning.

    The "traditional" DAE of Xia & Liu (2013). The input is scaled to [0, 1] by a
    :class:`~sklearn.preprocessing.MinMaxScaler` fitted in ``fit`` (data outside the
    training range is clipped in ``transform``). Each layer is pre-trained on its
    corrupted input ``x~ = x + N(0, noise_std^2)``: code ``y = sigmoid(W x~ + b)``,
    reconstruction ``z = sigmoid(W^T y + b')`` (tied weights), loss ``||z - x||^2``
    against the CLEAN input. A tuple of ``hidden_layer_sizes`` stacks layers trained
    one after the other, each layer's clean code being the next one's input. When
    ``fit`` gets ``y``, the stack is then fine-tuned through a softmax layer on the
    top code (cross-entropy, labelled samples only; ``y == -1`` marks unlabeled
    samples, which join pre-training only). ``transform`` returns the top code of the
    clean input.

    The paper trains with SGD: pre-training lr 0.01, fine-tuning lr 0.002, 8
    fine-tuning passes (``solver="sgd", pretrain_lr=0.01, finetune_lr=0.002,
    finetune_epochs=8``). The defaults here (Adam, lr 1e-3, 20 + 20 epochs, batch
    32) train further in the same number of epochs; the user guide's autoencoder
    page gives the measurements behind them.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=200
        Width of the code, or of each layer of the stack.
    noise_std : float, default=0.1
        Standard deviation of the Gaussian corruption (on the [0, 1] scale).
    pretrain_epochs : int, default=20
        Epochs of unsupervised pre-training per layer.
    pretrain_lr : float, default=1e-3
        Learning rate of pre-training.
    finetune_epochs : int, default=20
        Epochs of supervised fine-tuning (0 turns it off); used only with ``y``.
    finetune_lr : float, default=1e-3
        Learning rate of fine-tuning.
    solver : {"adam", "sgd"}, default="adam"
        Optimiser of both stages.
    batch_size : int, default=32
        Mini-batch size.
    weight_decay : float, default=0.0
        L2 penalty on the weight matrices (not the biases), as in every
        autoencoder of sklearn-ser.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the corruption noise and the shuffling. An int
        makes ``fit`` reproducible (on CPU: identical ``transform`` output).
    device : {"cpu", "cuda", "auto"}, "cuda:<index>" or torch.device, default="cpu"
        Where torch trains and encodes.
    verbose : int, default=0
        Print the loss of each epoch.

    Attributes
    ----------
    scaler_ : MinMaxScaler
        The [0, 1] scaler fitted on the training data (``clip=True``).
    coefs_ : list of ndarray of shape (n_hidden_l, n_in_l)
        Tied weight matrix ``W`` of each layer.
    intercepts_ : list of ndarray of shape (n_hidden_l,)
        Encoder bias ``b`` of each layer.
    intercepts_prime_ : list of ndarray of shape (n_in_l,)
        Decoder bias ``b'`` of each layer.
    classes_ : ndarray
        Classes seen in fine-tuning (empty without labels).
    history_ : dict of str to list of float
        Mean training loss per epoch of each stage: ``"pretrain_layer0"``, ...,
        and ``"finetune"`` (cross-entropy) when fine-tuned.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Names of the input features, when ``X`` had string column names.

    See Also
    --------
    NeutralEmotionDAE : Neutral and emotion projections mixed (the proposed model).
    SparseAE : Sparse (KL-penalised) autoencoder, also for frame sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.autoencoders import DenoisingAE
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 8)), np.repeat([0, 1], 20)
    >>> dae = DenoisingAE(hidden_layer_sizes=(6, 3), pretrain_epochs=3,
    ...                   finetune_epochs=2, random_state=0).fit(X, y)
    >>> dae.transform(X).shape
    (40, 3)
    >>> sorted(dae.history_)
    ['finetune', 'pretrain_layer0', 'pretrain_layer1']
    >>> dae.get_feature_names_out()[:2].tolist()
    ['denoisingae0', 'denoisingae1']
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [Interval(Integral, 1, None, closed="left"), tuple, list],
        **_BaseTiedDAE._parameter_constraints,
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=200,
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
        self.hidden_layer_sizes = hidden_layer_sizes
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

    def _check_fit_args(self, X, y, labeled):
        _check_layer_sizes(self.hidden_layer_sizes)

    def _pretrain(self, X_t, y, labeled, generators):
        # Each layer learns to denoise the clean code of the layer below.
        init_gen, train_gen = generators
        layers, inp = [], X_t
        for i, n_hidden in enumerate(_check_layer_sizes(self.hidden_layer_sizes)):
            layer = TiedAutoencoderLayer(inp.shape[1], n_hidden, generator=init_gen)
            layer = layer.to(X_t.device)
            self._pretrain_layer(
                layer, layer.parameters(), inp, train_gen, f"pretrain_layer{i}"
            )
            with torch.no_grad():
                inp = layer.encode(inp)
            layers.append(layer)
        return _TiedStack(layers)

    def _store(self, model):
        def numpy(t):
            return t.detach().cpu().numpy().copy()

        self.coefs_ = [numpy(layer.weight) for layer in model.layers]
        self.intercepts_ = [numpy(layer.bias) for layer in model.layers]
        self.intercepts_prime_ = [numpy(layer.bias_prime) for layer in model.layers]

    def _model(self, device):
        layers = []
        for W, b, bp in zip(self.coefs_, self.intercepts_, self.intercepts_prime_):
            layer = TiedAutoencoderLayer(W.shape[1], W.shape[0])
            with torch.no_grad():
                layer.weight.copy_(torch.from_numpy(W))
                layer.bias.copy_(torch.from_numpy(b))
                layer.bias_prime.copy_(torch.from_numpy(bp))
            layers.append(layer)
        return _TiedStack(layers).to(device, torch.float64)

    def reconstruction_error(self, X):
        """Mean ``||z - x||^2`` per sample of the first layer on clean scaled input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        errors : ndarray of shape (n_samples,)
        """
        _, Xs = self._scaled(X)
        device = resolve_device(self.device)
        first = self._model(device).layers[0]
        z = _encode_in_batches(lambda x: first(x)[0], Xs, device)
        return ((z - Xs) ** 2).sum(axis=1)

    @property
    def _n_features_out(self):
        return int(self.coefs_[-1].shape[0])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
