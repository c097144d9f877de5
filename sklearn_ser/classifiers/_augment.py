"""Former module of :class:`~sklearn_ser.augmentation.SpecAugment`.

Model files (pickles, skops) written before it moved to
:mod:`sklearn_ser.augmentation` name this module; it keeps them loading.
"""

from ..augmentation._specaugment import SpecAugment

__all__ = ["SpecAugment"]
