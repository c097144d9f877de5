"""The one device constraint and the one rule resolving it, as every estimator uses."""

import numpy as np
import pytest
import torch

from sklearn_ser._device import DEVICE_CONSTRAINT, resolve_device_name
from sklearn_ser._torch import resolve_device


@pytest.mark.parametrize(
    "value, ok",
    [
        ("cpu", True),
        ("cuda", True),
        ("cuda:1", True),
        ("auto", True),
        (torch.device("cpu"), True),
        (torch.device("cuda", 0), True),
        ("gpu", False),
        ("cuda:", False),
        ("CPU", False),
        (torch.device("meta"), False),
        (0, False),
    ],
)
def test_constraint(value, ok):
    assert DEVICE_CONSTRAINT.is_satisfied_by(value) is ok


def test_rule_by_hand():
    assert resolve_device_name("auto", n_cuda=0) == "cpu"
    assert resolve_device_name("auto", n_cuda=1) == "cuda"
    assert resolve_device_name(None, n_cuda=1) == "cpu"
    assert resolve_device_name("cuda:1", n_cuda=2) == "cuda:1"
    assert resolve_device_name(torch.device("cuda", 0), n_cuda=1) == "cuda:0"
    with pytest.raises(ValueError, match=r"device='cuda:1'.*torch sees 1 CUDA"):
        resolve_device_name("cuda:1", n_cuda=1)
    with pytest.raises(ValueError, match="CTranslate2 sees no CUDA device"):
        resolve_device_name("cuda", n_cuda=0, backend="CTranslate2")
    with pytest.raises(ValueError, match="device must be a str among"):
        resolve_device_name("gpu", n_cuda=1)


def test_torch_view_of_the_rule():
    n_cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    expected = "cuda" if n_cuda else "cpu"
    assert resolve_device("auto") == torch.device(expected)
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    if n_cuda == 0:
        with pytest.raises(ValueError, match="CUDA is not available"):
            resolve_device("cuda")


def test_every_device_parameter_uses_the_one_constraint():
    from sklearn_ser import HuggingFaceEncoder, WhisperEncoder
    from sklearn_ser.autoencoders import DenoisingAE, NeutralEmotionDAE, SparseAE
    from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier

    for cls in (
        DenoisingAE,
        NeutralEmotionDAE,
        SparseAE,
        WhisperEncoder,
        HuggingFaceEncoder,
        SemiSupervisedAttentionClassifier,
    ):
        assert DEVICE_CONSTRAINT in cls._parameter_constraints["device"], cls


def test_an_estimator_names_a_bad_device():
    from sklearn_ser.autoencoders import DenoisingAE

    X = np.random.default_rng(0).normal(size=(8, 3))
    with pytest.raises(ValueError, match="'device' parameter of DenoisingAE"):
        DenoisingAE(device="gpu").fit(X)
