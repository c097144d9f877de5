"""The torch module of the semi-supervised attention classifier.

Frame encoder (the sparse autoencoder of :mod:`sklearn_ser.autoencoders`) -> BLSTM
over the frame codes (packed sequences) -> attention pooling over the valid frames
-> a linear layer to the K emotions (+ one pseudo-class for unlabeled utterances).
"""

from numbers import Integral

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..autoencoders import SparseAEModule

__all__ = ["AttentionBLSTMModule", "check_n_layers", "length_mask"]


def length_mask(lengths, max_length):
    """Boolean mask of shape ``(batch, max_length)``: True on the valid frames."""
    steps = torch.arange(max_length, device=lengths.device)
    return steps.unsqueeze(0) < lengths.unsqueeze(1)


def check_n_layers(n_features, n_layers):
    """Raise unless ``n_layers`` is a positive int that divides ``n_features``."""
    valid = isinstance(n_layers, Integral) and not isinstance(n_layers, bool)
    if not valid or n_layers < 1 or n_features % n_layers:
        raise ValueError(
            "module__n_layers must be a positive int that divides the frame "
            f"width n_features={n_features}; got {n_layers!r}."
        )


class AttentionBLSTMModule(nn.Module):
    """Sparse-AE frame codes, a BLSTM and attention pooling over valid frames.

    For a padded batch ``X`` of shape ``(B, T, n_features)`` with ``lengths``:

    - with ``n_layers = L > 1``, each frame holds ``L`` layers of an encoder side
      by side (``WhisperEncoder(layer="all")``) and the network reads their
      learned weighted sum, ``x_t = sum_l softmax(w)_l x_t^(l)`` (the SUPERB
      benchmark's weighted sum of layers; ``w`` starts at 0: the average);
    - ``h_t = sigmoid(W_1 x_t + b_1)`` (the sparse autoencoder's code, may be
      over-complete) and ``z_t = W_2 h_t + b_2`` (its reconstruction);
    - ``y_t = BLSTM(h)_t`` run on packed sequences, so padding never enters the
      recurrence;
    - ``alpha_t = exp(u . y_t) / sum_tau exp(u . y_tau)`` over the valid frames only
      (padding gets weight 0), ``Z = sum_t alpha_t y_t``;
    - ``logits = V Z + c`` with ``n_outputs`` entries (the emotions, plus the
      pseudo-class when the classifier uses one).

    With ``pooling="attentive-statistics"`` (Okabe et al., 2018, "Attentive
    statistics pooling for deep speaker embedding") the same weights also give a
    standard deviation, ``S = sqrt(sum_t alpha_t y_t * y_t - Z * Z)`` (a variance
    below 1e-6, as of a single frame, counts as 1e-6), and the
    output layer reads ``[Z, S]``: the attention counterpart of the mean and
    standard deviation that the pooled heads (``whisper-logreg``) are given.

    Parameters
    ----------
    n_features : int
        Frame width (set by the classifier from the data).
    n_outputs : int
        Number of logits (set by the classifier: K or K + 1).
    n_codes : int, default=256
        Width of the sparse code (over-complete when larger than ``n_features``).
    hidden_size : int, default=64
        LSTM units per direction.
    num_layers : int, default=1
        Stacked BLSTM layers.
    dropout : float, default=0.0
        Dropout on the pooled vector ``Z`` (and between LSTM layers).
    bidirectional : bool, default=True
        Run the LSTM in both directions.
    rnn : {"lstm", "gru"} or None, default="lstm"
        The recurrent layer: the papers' LSTM, or a GRU (three gates instead of
        four: a quarter fewer recurrent weights); None: none, the attention
        pools the frame codes themselves (``y_t = h_t``: a light head, no
        context between frames).
    pooling : {"attention", "attentive-statistics"}, default="attention"
        ``Z`` alone (the papers' equation) or ``[Z, S]`` (see above).
    n_layers : int, default=1
        Encoder layers side by side in each frame (``n_features`` must be a
        multiple): 1, the frame as it is; more, their weighted sum (see above;
        :meth:`layer_weights` gives the weights).

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> m = AttentionBLSTMModule(n_features=6, n_outputs=4, n_codes=8, hidden_size=5)
    >>> X, lengths = torch.randn(3, 7, 6), torch.tensor([7, 4, 2])
    >>> logits, z, h = m(X, lengths)
    >>> logits.shape, z.shape, h.shape
    (torch.Size([3, 4]), torch.Size([3, 7, 6]), torch.Size([3, 7, 8]))
    >>> with torch.no_grad():
    ...     alpha = m.attention(X, lengths)[1]
    >>> torch.allclose(alpha.sum(1), torch.ones(3)), float(alpha[2, 2:].abs().sum())
    (True, 0.0)
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        n_codes=256,
        hidden_size=64,
        num_layers=1,
        dropout=0.0,
        bidirectional=True,
        rnn="lstm",
        pooling="attention",
        n_layers=1,
    ):
        super().__init__()
        cells = {"lstm": nn.LSTM, "gru": nn.GRU, None: None}
        if rnn not in cells:
            raise ValueError(f"module__rnn must be 'lstm', 'gru' or None; got {rnn!r}.")
        if pooling not in ("attention", "attentive-statistics"):
            raise ValueError(
                "module__pooling must be 'attention' or 'attentive-statistics'; "
                f"got {pooling!r}."
            )
        check_n_layers(n_features, n_layers)
        self.pooling = pooling
        self.n_layers = n_layers
        # the layers' weights before the softmax; none for a single layer, so that
        # the state dicts of single-layer networks keep their keys
        self.layer_logits = None
        if n_layers > 1:
            self.layer_logits = nn.Parameter(torch.zeros(n_layers))
        self.autoencoder = SparseAEModule(n_features // n_layers, n_codes)
        # named lstm whatever the cell, so that saved state dicts keep their keys
        self.lstm = None
        width = n_codes
        if rnn is not None:
            self.lstm = cells[rnn](
                n_codes,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                bidirectional=bidirectional,
                dropout=dropout if num_layers > 1 else 0.0,
            )
            width = hidden_size * (2 if bidirectional else 1)
        self.score = nn.Linear(width, 1, bias=False)  # the attention vector u
        self.dropout = nn.Dropout(dropout)
        pooled_width = width * (2 if pooling == "attentive-statistics" else 1)
        self.output = nn.Linear(pooled_width, n_outputs)

    def _pool(self, h, lengths):
        T = h.shape[1]
        y = h
        if self.lstm is not None:
            packed = pack_padded_sequence(
                h, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
            y, _ = self.lstm(packed)
            y, _ = pad_packed_sequence(y, batch_first=True, total_length=T)
        scores = self.score(y).squeeze(-1)
        mask = length_mask(lengths.to(scores.device), T)
        # -inf before the softmax gives padding exactly 0 weight, and the weights
        # of every utterance sum to 1 over its own frames.
        alpha = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
        pooled = torch.bmm(alpha.unsqueeze(1), y).squeeze(1)
        if self.pooling == "attentive-statistics":
            second = torch.bmm(alpha.unsqueeze(1), y * y).squeeze(1)
            # clamped: rounding can make a constant frame's variance slightly negative
            std = torch.sqrt((second - pooled * pooled).clamp(min=1e-6))
            pooled = torch.cat([pooled, std], dim=1)
        return self.output(self.dropout(pooled)), alpha

    def layer_weights(self):
        """``softmax(w)``, the weight of each of the ``n_layers`` layers (1 for one)."""
        if self.layer_logits is None:
            return torch.ones(1)
        return torch.softmax(self.layer_logits, dim=0)

    def mix(self, X):
        """The frames the autoencoder reads: ``X`` itself for one layer, else the
        weighted sum of its ``n_layers`` layers, ``(B, T, n_features / n_layers)``."""
        if self.layer_logits is None:
            return X
        layers = X.unflatten(-1, (self.n_layers, -1))
        return torch.einsum("btld,l->btd", layers, self.layer_weights())

    def forward(self, X, lengths):
        """Logits, frame reconstructions and frame codes of a padded batch.

        Parameters
        ----------
        X : torch.Tensor of shape (B, T, n_features)
            Frames, zero after each utterance's end.
        lengths : torch.Tensor of int64 of shape (B,)
            Valid frames of each utterance (>= 1).

        Returns
        -------
        logits : torch.Tensor of shape (B, n_outputs)
        z : torch.Tensor of shape (B, T, n_features / n_layers)
            Reconstructions of :meth:`mix`'s frames (meaningful on valid frames
            only).
        h : torch.Tensor of shape (B, T, n_codes)
            Sigmoid codes.
        """
        z, h = self.autoencoder(self.mix(X))
        logits, _ = self._pool(h, lengths)
        return logits, z, h

    def attention(self, X, lengths):
        """Logits and attention weights ``alpha`` of shape ``(B, T)``."""
        h = self.autoencoder.encode(self.mix(X))
        return self._pool(h, lengths)
