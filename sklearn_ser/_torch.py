"""Small torch helpers shared by the autoencoders, the classifier and the encoders."""

import numpy as np
import torch
from sklearn.utils import check_random_state

from ._device import resolve_device_name


def resolve_device(device):
    """The :class:`torch.device` to run on (the rule: :mod:`sklearn_ser._device`).

    ``"auto"`` takes CUDA when torch sees it. Asking for a CUDA device torch does
    not see raises a clear error instead of torch's lazy-initialisation traceback.
    """
    n_cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return torch.device(resolve_device_name(device, n_cuda=n_cuda))


def torch_generator(random_state, device="cpu"):
    """A seeded :class:`torch.Generator` drawn from ``random_state``.

    Every random draw of a fit (initial weights, corruption noise, shuffling) goes
    through this generator, so a fit with an int ``random_state`` is reproducible
    without touching torch's global seed.
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(0, np.iinfo(np.int32).max))
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen
