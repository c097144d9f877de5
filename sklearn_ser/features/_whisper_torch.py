"""Whisper's audio encoder in torch, its weights read from a CTranslate2 folder.

CTranslate2 returns the last encoder layer only. This module rebuilds the same
encoder as a small torch module, from the ``encoder/...`` variables of the
faster-whisper folder's ``model.bin`` (:mod:`._ct2_file`), so that every layer of
the provisioned model is available offline, with no other download.

transformers' ``WhisperEncoder`` would serve too, but its ``forward`` refuses any
input other than 3000 log-Mel frames (30 s), so every utterance would be padded to
30 s (about 20 times the encoder time of a 4-second one). This module takes any
length, as CTranslate2 does:

* ``conv1`` (kernel 3, padding 1) and GELU, ``conv2`` (kernel 3, stride 2,
  padding 1) and GELU: ``ceil(n / 2)`` frames of ``n`` log-Mel frames;
* plus the first ``ceil(n / 2)`` stored position encodings (Whisper's sinusoids);
* pre-norm transformer blocks: ``x + attention(LayerNorm(x))`` with q, k, v from
  one fused projection (k has no bias in Whisper; CTranslate2 stores a zero one),
  then ``x + W2 GELU(W1 LayerNorm(x))``;
* a final LayerNorm.

The hidden states are numbered as transformers numbers Whisper's
(``output_hidden_states``): 0 is the input of the first block (convolutions and
positions), ``k`` the output of block ``k`` for ``k < L``, and ``L`` the last
block's output after the final LayerNorm, which is what CTranslate2 returns.
GELU is the exact (erf) one and LayerNorm's epsilon 1e-5, as in Whisper.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._ct2_file import read_ct2_arrays

__all__ = ["WhisperEncoderModule", "load_whisper_encoder_module"]

LAYER_NORM_EPS = 1e-5


class _Block(nn.Module):
    """One pre-norm transformer block of Whisper's encoder."""

    def __init__(self, d_model, n_heads, d_ffn):
        super().__init__()
        self.n_heads = n_heads
        self.attn_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPS)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.ffn_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPS)
        self.ffn_in = nn.Linear(d_model, d_ffn)
        self.ffn_out = nn.Linear(d_ffn, d_model)

    def forward(self, x):
        batch, length, d = x.shape
        q, k, v = self.qkv(self.attn_norm(x)).chunk(3, dim=-1)
        heads = [
            t.view(batch, length, self.n_heads, d // self.n_heads).transpose(1, 2)
            for t in (q, k, v)
        ]
        attended = F.scaled_dot_product_attention(*heads)  # softmax(qk'/sqrt(dh)) v
        x = x + self.out(attended.transpose(1, 2).reshape(batch, length, d))
        return x + self.ffn_out(F.gelu(self.ffn_in(self.ffn_norm(x))))


class WhisperEncoderModule(nn.Module):
    """Whisper's audio encoder (any input length), every hidden state out.

    Parameters
    ----------
    n_mels : int
        Log-Mel bands of the input (80, or 128 for large-v3).
    d_model : int
        Width of the frames.
    n_heads : int
        Attention heads.
    n_layers : int
        Transformer blocks.
    d_ffn : int
        Width of the feed-forward layer.
    n_positions : int
        Stored position encodings (1500: 30 s of frames).
    """

    def __init__(self, n_mels, d_model, n_heads, n_layers, d_ffn, n_positions):
        super().__init__()
        self.n_mels = n_mels
        self.conv1 = nn.Conv1d(n_mels, d_model, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(d_model, d_model, kernel_size=3, stride=2, padding=1)
        self.register_buffer("positions", torch.zeros(n_positions, d_model))
        self.blocks = nn.ModuleList(
            _Block(d_model, n_heads, d_ffn) for _ in range(n_layers)
        )
        self.final_norm = nn.LayerNorm(d_model, eps=LAYER_NORM_EPS)

    @property
    def n_layers(self):
        return len(self.blocks)

    def forward(self, mel):
        """Every hidden state of ``mel`` (batch, n_mels, n): L + 1 of (batch, t, d)."""
        x = F.gelu(self.conv2(F.gelu(self.conv1(mel)))).transpose(1, 2)
        if x.shape[1] > self.positions.shape[0]:
            raise ValueError(
                f"{mel.shape[-1]} log-Mel frames are more than the encoder's "
                f"{2 * self.positions.shape[0]} (its 30 s window)."
            )
        x = x + self.positions[: x.shape[1]]
        hidden = [x]
        for block in self.blocks:
            x = block(x)
            hidden.append(x)
        hidden[-1] = self.final_norm(x)
        return hidden


def _block_weights(arrays, i):
    """The state_dict entries of block ``i`` from CTranslate2's variable names."""
    p = f"encoder/layer_{i}"
    names = {
        "attn_norm.weight": "self_attention/layer_norm/gamma",
        "attn_norm.bias": "self_attention/layer_norm/beta",
        "qkv.weight": "self_attention/linear_0/weight",
        "qkv.bias": "self_attention/linear_0/bias",
        "out.weight": "self_attention/linear_1/weight",
        "out.bias": "self_attention/linear_1/bias",
        "ffn_norm.weight": "ffn/layer_norm/gamma",
        "ffn_norm.bias": "ffn/layer_norm/beta",
        "ffn_in.weight": "ffn/linear_0/weight",
        "ffn_in.bias": "ffn/linear_0/bias",
        "ffn_out.weight": "ffn/linear_1/weight",
        "ffn_out.bias": "ffn/linear_1/bias",
    }
    return {f"blocks.{i}.{k}": arrays[f"{p}/{v}"] for k, v in names.items()}


def load_whisper_encoder_module(path):
    """The :class:`WhisperEncoderModule` of the CTranslate2 Whisper ``model.bin``.

    Weights become float32 (a float16 file is widened exactly); the module is in
    eval mode on the CPU. Raises ValueError naming ``path`` when the file is not
    a float16/float32 CTranslate2 Whisper model (a variable missing, quantized, or
    of another shape than the others imply).
    """
    arrays = read_ct2_arrays(path, prefix="encoder/")
    try:
        d_model, n_mels, _ = arrays["encoder/conv1/weight"].shape
        n_heads = int(arrays["encoder/num_heads"])
        n_layers = sum(
            1 for name in arrays if name.endswith("/self_attention/linear_0/weight")
        )
        d_ffn = arrays["encoder/layer_0/ffn/linear_0/weight"].shape[0]
        n_positions = arrays["encoder/position_encodings/encodings"].shape[0]
        state = {
            "conv1.weight": arrays["encoder/conv1/weight"],
            "conv1.bias": arrays["encoder/conv1/bias"],
            "conv2.weight": arrays["encoder/conv2/weight"],
            "conv2.bias": arrays["encoder/conv2/bias"],
            "positions": arrays["encoder/position_encodings/encodings"],
            "final_norm.weight": arrays["encoder/layer_norm/gamma"],
            "final_norm.bias": arrays["encoder/layer_norm/beta"],
        }
        for i in range(n_layers):
            state.update(_block_weights(arrays, i))
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(
            f"{path} is not a CTranslate2 Whisper model (encoder variable "
            f"missing or malformed: {exc})."
        ) from None
    if n_layers == 0 or d_model % n_heads:
        raise ValueError(
            f"{path} is not a CTranslate2 Whisper model ({n_layers} encoder layers, "
            f"d_model {d_model} for {n_heads} heads)."
        )
    module = WhisperEncoderModule(
        n_mels, d_model, n_heads, n_layers, d_ffn, n_positions
    )
    try:
        module.load_state_dict(
            {k: torch.from_numpy(np.asarray(v, np.float32)) for k, v in state.items()}
        )
    except RuntimeError as exc:  # a shape that does not fit
        raise ValueError(
            f"{path} is not a CTranslate2 Whisper model ({str(exc).splitlines()[-1]})."
        ) from None
    return module.eval()
