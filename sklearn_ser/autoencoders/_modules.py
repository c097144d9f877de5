"""Torch building blocks of the autoencoders (importable by other models).

These are plain :class:`torch.nn.Module` s with no scikit-learn logic, so that other
models can reuse them: the semi-supervised attention classifier encodes every frame
with :class:`SparseAEModule` and adds :func:`sparse_ae_loss` to its own loss.

API kept stable on purpose (other subpackages import it):

- ``SparseAEModule(n_features, n_hidden, decoder_activation="linear", generator=None)``
  with ``encode(x) -> h``, ``decode(h) -> z`` and ``forward(x) -> (z, h)``, on any
  leading shape ``(..., n_features)`` (frames of a padded batch included).
- ``sparse_ae_loss(x, z, h, mask=None, *, rho=0.05, beta=1.0, return_parts=False)``.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = [
    "NeutralEmotionModule",
    "SparseAEModule",
    "TiedAutoencoderLayer",
    "sparse_ae_loss",
]


def _sigmoid_uniform_(tensor, fan_in, fan_out, generator=None):
    # Glorot-uniform scaled by 4 for sigmoid units (Glorot & Bengio 2010), the
    # initialisation of the classic stacked-denoising-autoencoder recipe.
    bound = 4.0 * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)
    return tensor


class TiedAutoencoderLayer(nn.Module):
    """One tied-weight sigmoid autoencoder layer.

    ``y = sigmoid(W x + b)`` (encoder), ``z = sigmoid(W^T y + b')`` (decoder).

    Parameters
    ----------
    n_features : int
        Input width.
    n_hidden : int
        Code width.
    generator : torch.Generator, default=None
        Source of the initial weights (CPU generator), for reproducible fits.
    """

    def __init__(self, n_features, n_hidden, generator=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_hidden, n_features))
        self.bias = nn.Parameter(torch.zeros(n_hidden))
        self.bias_prime = nn.Parameter(torch.zeros(n_features))
        _sigmoid_uniform_(self.weight, n_features, n_hidden, generator)

    def encode(self, x):
        return torch.sigmoid(F.linear(x, self.weight, self.bias))

    def decode(self, h):
        return torch.sigmoid(F.linear(h, self.weight.t(), self.bias_prime))

    def forward(self, x):
        h = self.encode(x)
        return self.decode(h), h


class NeutralEmotionModule(nn.Module):
    """Two projections of one input, mixed in the input space.

    ``y_n = s(W_n x~ + b_n)``, ``y_e = s(W_e x~ + b_e)``, ``z_n = s(W_n^T y_n + b'_n)``,
    ``z_e = s(W_e^T y_e + b'_e)``, ``z = alpha z_e + (1 - alpha) z_n``. The neutral
    layer's parameters are frozen (``requires_grad=False``).

    Parameters
    ----------
    neutral : TiedAutoencoderLayer
        The neutral projection (frozen here).
    emotion : TiedAutoencoderLayer
        The emotion projection (trained).
    alpha : float
        Weight of the emotion reconstruction.
    """

    def __init__(self, neutral, emotion, alpha=0.5):
        super().__init__()
        self.neutral = neutral
        self.emotion = emotion
        self.alpha = float(alpha)
        for p in self.neutral.parameters():
            p.requires_grad_(False)

    def encode(self, x):
        return self.emotion.encode(x)

    def forward(self, x):
        z_n, _ = self.neutral(x)
        z_e, y_e = self.emotion(x)
        return self.alpha * z_e + (1.0 - self.alpha) * z_n, y_e


class SparseAEModule(nn.Module):
    """Sparse autoencoder: sigmoid code (may be over-complete) and a decoder.

    ``h = sigmoid(W_1 x + b_1)``; ``z = W_2 h + b_2`` (``decoder_activation="linear"``,
    for standardised real-valued inputs such as log-Mel frames) or
    ``z = sigmoid(W_2 h + b_2)`` (``"sigmoid"``, for inputs scaled to [0, 1]).
    Works on any leading shape: ``(n, n_features)`` or a padded batch of frames
    ``(batch, time, n_features)``.

    Parameters
    ----------
    n_features : int
        Input (frame) width.
    n_hidden : int
        Code width; may exceed ``n_features``.
    decoder_activation : {"linear", "sigmoid"}, default="linear"
        Output non-linearity of the decoder.
    generator : torch.Generator, default=None
        Source of the initial weights (CPU generator), for reproducible fits.

    Examples
    --------
    >>> import torch
    >>> from sklearn_ser.autoencoders import SparseAEModule, sparse_ae_loss
    >>> m = SparseAEModule(6, 10, generator=torch.Generator().manual_seed(0))
    >>> x = torch.randn(4, 7, 6)                    # 4 utterances, 7 frames
    >>> mask = torch.arange(7) < torch.tensor([7, 5, 3, 2])[:, None]
    >>> z, h = m(x)
    >>> z.shape, h.shape
    (torch.Size([4, 7, 6]), torch.Size([4, 7, 10]))
    >>> loss = sparse_ae_loss(x, z, h, mask, rho=0.05, beta=0.1)
    >>> loss.ndim, bool(loss > 0)
    (0, True)
    """

    def __init__(
        self, n_features, n_hidden, decoder_activation="linear", generator=None
    ):
        super().__init__()
        if decoder_activation not in ("linear", "sigmoid"):
            raise ValueError(
                "decoder_activation must be 'linear' or 'sigmoid'; got "
                f"{decoder_activation!r}."
            )
        self.n_features = int(n_features)
        self.n_hidden = int(n_hidden)
        self.decoder_activation = decoder_activation
        self.encoder = nn.Linear(self.n_features, self.n_hidden)
        self.decoder = nn.Linear(self.n_hidden, self.n_features)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None):
        """Re-draw the weights (sigmoid Glorot) and zero the biases."""
        _sigmoid_uniform_(
            self.encoder.weight, self.n_features, self.n_hidden, generator
        )
        bound = math.sqrt(6.0 / (self.n_features + self.n_hidden))
        with torch.no_grad():
            self.decoder.weight.uniform_(-bound, bound, generator=generator)
            self.encoder.bias.zero_()
            self.decoder.bias.zero_()

    def encode(self, x):
        return torch.sigmoid(self.encoder(x))

    def decode(self, h):
        z = self.decoder(h)
        return torch.sigmoid(z) if self.decoder_activation == "sigmoid" else z

    def forward(self, x):
        h = self.encode(x)
        return self.decode(h), h


def kl_sparsity(rho_hat, rho, eps=1e-6):
    """Sum over hidden units of ``KL(rho || rho_hat_j)`` (the sparse-AE penalty).

    Parameters
    ----------
    rho_hat : torch.Tensor of shape (n_hidden,)
        Mean activation of each sigmoid hidden unit over the batch (valid frames).
    rho : float
        Target mean activation (``sparsity_target``).

    Returns
    -------
    torch.Tensor
        Scalar ``sum_j rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) /
        (1 - rho_hat_j))``.
    """
    rho_hat = rho_hat.clamp(eps, 1 - eps)
    return (
        rho * torch.log(rho / rho_hat)
        + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
    ).sum()


def sparse_ae_loss(x, z, h, mask=None, *, rho=0.05, beta=1.0, return_parts=False):
    """Reconstruction error plus the KL sparsity penalty of a sparse autoencoder.

    ``L = mean_frames ||z - x||^2 + beta * sum_j KL(rho || rho_hat_j)`` where
    ``rho_hat_j`` is the mean activation of hidden unit ``j`` over the valid frames.
    Weight decay is left to the optimiser (``weight_decay=``).

    Parameters
    ----------
    x : torch.Tensor of shape (..., n_features)
        Clean input frames.
    z : torch.Tensor of shape (..., n_features)
        Reconstructions.
    h : torch.Tensor of shape (..., n_hidden)
        Sigmoid codes.
    mask : torch.Tensor of shape x.shape[:-1], default=None
        True (or 1) for valid frames, False for padding. None: all frames valid.
    rho : float, default=0.05
        Sparsity target (mean activation wanted per hidden unit).
    beta : float, default=1.0
        Weight of the sparsity penalty.
    return_parts : bool, default=False
        Also return the reconstruction and the (unweighted) KL terms.

    Returns
    -------
    loss : torch.Tensor (scalar)
        Or ``(loss, reconstruction, kl)`` with ``return_parts=True``.
    """
    sq = ((z - x) ** 2).sum(dim=-1)
    if mask is None:
        recon = sq.mean()
        rho_hat = h.reshape(-1, h.shape[-1]).mean(dim=0)
    else:
        m = mask.to(dtype=x.dtype)
        n_valid = m.sum().clamp_min(1.0)
        recon = (sq * m).sum() / n_valid
        rho_hat = (h * m.unsqueeze(-1)).reshape(-1, h.shape[-1]).sum(dim=0) / n_valid
    kl = kl_sparsity(rho_hat, rho)
    loss = recon + beta * kl
    if return_parts:
        return loss, recon, kl
    return loss
