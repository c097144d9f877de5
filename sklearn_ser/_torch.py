"""Small torch helpers shared by the autoencoders, the classifier and the encoders."""

import numpy as np
import torch
from sklearn.utils import check_random_state


def resolve_device(device):
    """Map ``"cpu" | "cuda" | "auto"`` (or a torch.device) to a torch.device.

    ``"auto"`` takes CUDA when available. Asking for ``"cuda"`` on a machine without
    it raises a clear error instead of torch's lazy-initialisation traceback.
    """
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device is None or device == "cpu":
        return torch.device("cpu")
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='cpu' or device='auto'."
        )
    return torch.device(device)


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
