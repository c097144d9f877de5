"""Small torch helpers shared by the autoencoders and the attention classifier."""

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
