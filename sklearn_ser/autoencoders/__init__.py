"""Autoencoder transformers: DenoisingAE, NeutralEmotionDAE, SparseAE.

The torch modules (:class:`SparseAEModule`, :func:`sparse_ae_loss`, ...) are public so
that other models can reuse them.
"""

from ._modules import (
    NeutralEmotionModule,
    SparseAEModule,
    TiedAutoencoderLayer,
    sparse_ae_loss,
)

__all__ = [
    "NeutralEmotionModule",
    "SparseAEModule",
    "TiedAutoencoderLayer",
    "sparse_ae_loss",
]
