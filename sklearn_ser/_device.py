"""Where a model runs: the one ``device`` constraint and the one rule resolving it.

Every estimator with a ``device`` parameter (the autoencoders, the attention
classifier, the pretrained encoders) validates it with :data:`DEVICE_CONSTRAINT`
and resolves it with :func:`resolve_device_name` (through
:func:`sklearn_ser._torch.resolve_device` where torch runs the model):

* ``"cpu"``;
* ``"cuda"`` or ``"cuda:<index>"``: that GPU, with a clear error on a machine whose
  backend sees no such CUDA device (instead of a lazy-initialisation traceback);
* ``"auto"``: CUDA when the backend sees a CUDA device, else the CPU;
* a ``torch.device`` of type cpu or cuda, as the string it prints as.

This module does not import torch: the Whisper encoder runs on CTranslate2 and asks
it, not torch, how many CUDA devices there are.
"""

import re

from ._compat import StrOptions

__all__ = ["DEVICE_CONSTRAINT", "resolve_device_name"]

_DEVICE_NAME = re.compile(r"cpu|auto|cuda(:\d+)?")


def _is_torch_device(value):
    # checked by name, so that validating a parameter never imports torch
    kind = type(value)
    return kind.__module__ == "torch" and kind.__name__ == "device"


class _DeviceOptions(StrOptions):
    """``"cpu"``, ``"cuda"``, ``"cuda:<index>"``, ``"auto"`` or a torch.device."""

    def __init__(self):
        super().__init__({"cpu", "cuda", "auto"})

    def is_satisfied_by(self, val):
        if _is_torch_device(val):
            return _DEVICE_NAME.fullmatch(str(val)) is not None
        return isinstance(val, str) and _DEVICE_NAME.fullmatch(val) is not None

    def __str__(self):
        return "a str among {'auto', 'cpu', 'cuda', 'cuda:<index>'} or a torch.device"


#: The ``_parameter_constraints`` entry of every ``device`` parameter.
DEVICE_CONSTRAINT = _DeviceOptions()


def resolve_device_name(device, *, n_cuda, backend="torch"):
    """The device to run on: ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"``.

    Parameters
    ----------
    device : str or torch.device
        A value :data:`DEVICE_CONSTRAINT` accepts; ``None`` means ``"cpu"``.
    n_cuda : int
        How many CUDA devices the backend that runs the model sees.
    backend : str, default="torch"
        Named in the error for a CUDA device the backend does not see.

    Returns
    -------
    name : str

    Raises
    ------
    ValueError
        A CUDA device was asked for that the backend does not see, or ``device``
        is none of the accepted values.

    Examples
    --------
    >>> resolve_device_name("auto", n_cuda=0)
    'cpu'
    >>> resolve_device_name("auto", n_cuda=2)
    'cuda'
    """
    name = "cpu" if device is None else str(device)
    if not DEVICE_CONSTRAINT.is_satisfied_by(name):
        raise ValueError(f"device must be {DEVICE_CONSTRAINT}; got {device!r}.")
    if name == "auto":
        return "cuda" if n_cuda > 0 else "cpu"
    if name.startswith("cuda"):
        index = int(name.partition(":")[2] or 0)
        if index >= n_cuda:
            seen = "no CUDA device" if n_cuda == 0 else f"{n_cuda} CUDA device(s)"
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this "
                f"machine as asked ({backend} sees {seen}); use device='cpu' or "
                "device='auto'."
            )
    return name
