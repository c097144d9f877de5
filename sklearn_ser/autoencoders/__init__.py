"""Autoencoder transformers: DenoisingAE, NeutralEmotionDAE, SparseAE.

The torch modules (:class:`SparseAEModule`, :func:`sparse_ae_loss`, ...) are public so
that other models can reuse them.
"""

from ._dae import DenoisingAE
from ._modules import (
    NeutralEmotionModule,
    SparseAEModule,
    TiedAutoencoderLayer,
    sparse_ae_loss,
)
from ._neutral import NeutralEmotionDAE
from ._neutral_corpus import fit_neutral_encoder
from ._sparse import SparseAE

__all__ = [
    "DenoisingAE",
    "NeutralEmotionDAE",
    "SparseAE",
    "NeutralEmotionModule",
    "SparseAEModule",
    "TiedAutoencoderLayer",
    "fit_neutral_encoder",
    "sparse_ae_loss",
]
