"""Saving and loading fitted models without running code from the file.

A pickle (``joblib.dump``, ``pickle.dump``, ``torch.save``) is a program: loading it
runs whatever its author put in it. Model files are therefore written in skops' secure
format (:func:`skops.io.dump`): a zip archive holding a JSON description of the object
tree and the numeric arrays, rebuilt on load only from types on an allow-list.

The allow-list (:func:`trusted_types`) holds this toolkit's estimators, the
scikit-learn internals its pipelines use, and the classes and functions a trained
:class:`~sklearn_ser.classifiers.SemiSupervisedAttentionClassifier` refers to (its
torch module class, loss, optimizer, data loader). Anything else in a file makes
:func:`load_model` refuse, naming the types, unless the caller trusts them
explicitly.

skorch nets pickle their torch state (``module_``, ``optimizer_``, ``criterion_``)
into bytes that their ``__setstate__`` unpickles, so they are never stored through
``__getstate__``: a net is written as its constructor parameters, its fitted
attributes, its training history and its module's ``state_dict`` as numpy arrays, and
loading builds the net with those parameters, initializes it and copies the weights in.
The optimizer's state (e.g. Adam's moments) and the callbacks' state are not kept:
``partial_fit`` after loading starts a new optimizer.

This module extends skops through its private extension points
(``skops.io._audit``, ``skops.io._utils``, ``skops.io._protocol``), as skops' own
extensions do; those names are imported in :mod:`sklearn_ser._compat`, so a new
skops release that moves them breaks that file only.
"""

import warnings
import zipfile
from pathlib import Path

__all__ = ["load_model", "save_model", "trusted_types"]

#: File name suffix of the safe format.
SKOPS_SUFFIX = ".skops"

# First bytes of a pickle (protocol 2+) and of joblib's compressed pickles.
_PICKLE_MAGIC = {
    b"\x80": "a pickle",
    b"\x1f\x8b": "a gzip-compressed (joblib) pickle",
    b"x": "a zlib-compressed (joblib) pickle",
    b"BZh": "a bz2-compressed (joblib) pickle",
    b"\xfd7zXZ": "an xz-compressed (joblib) pickle",
    b"\x5d\x00\x00": "an lzma-compressed (joblib) pickle",
    b"\x04\x22\x4d\x18": "an lz4-compressed (joblib) pickle",
}

WHAT_A_MODEL_IS = (
    "a model file is a .skops file written by `sklearn-ser train` or "
    "sklearn_ser.save_model(): a fitted pipeline that takes audio files"
)


class UnsafeModelError(ValueError):
    """A model file that cannot be loaded without running code or trusting types."""


# ------------------------------------------------------------------ skorch nets
def _net_classes():
    from .classifiers import SemiSupervisedAttentionClassifier

    return [SemiSupervisedAttentionClassifier]


def _type_name(t):
    return f"{t.__module__}.{t.__qualname__}"


# Training options the classifier no longer has, with the value that turned them
# off: files that store them still load.
_REMOVED_NET_PARAMS = {"mixup": 0.0}


def _drop_removed_params(params, class_name):
    for name, off in _REMOVED_NET_PARAMS.items():
        if name not in params:
            continue
        value = params.pop(name)
        if value != off:
            warnings.warn(
                f"{class_name} was saved with {name}={value!r}, a training option "
                "that no longer exists: the loaded model predicts as saved, but "
                "fitting it again trains without it.",
                UserWarning,
                stacklevel=4,
            )


# Attributes skorch (re)creates in ``initialize()``; everything else that ends in an
# underscore was learnt in ``fit`` and is stored.
_SKORCH_RUNTIME = {
    "initialized_",
    "history_",
    "callbacks_",
    "prefixes_",
    "cuda_dependent_attributes_",
    "virtual_params_",
    "init_context_",
    "module_",
    "criterion_",
    "optimizer_",
}


def _request_dict(net):
    """The estimator's metadata requests as ``{method: {param: value}}``."""
    requests = {}
    meta = getattr(net, "_metadata_request", None)
    if meta is None:
        return requests
    for method in ("fit", "partial_fit", "predict", "predict_proba", "score"):
        request = getattr(meta, method, None)
        if request is None:
            continue
        explicit = {k: v for k, v in request.requests.items() if v is not None}
        if explicit:
            requests[method] = explicit
    return requests


def _net_get_state(obj, save_context):
    from ._compat import get_module, get_state

    params = obj.get_params(deep=False)
    params.pop("_params_to_validate", None)
    fresh = set(type(obj)(**params).__dict__)
    fitted = {
        k: v
        for k, v in vars(obj).items()
        if k.endswith("_")
        and not k.startswith("_")
        and k not in fresh
        and k not in _SKORCH_RUNTIME
        and k not in obj.cuda_dependent_attributes_
    }
    content = {
        "params": get_state(params, save_context),
        "fitted": get_state(fitted, save_context),
        "requests": get_state(_request_dict(obj), save_context),
        "initialized": getattr(obj, "initialized_", False),
    }
    if content["initialized"]:
        content["module_state"] = get_state(
            {k: v.detach().cpu().numpy() for k, v in obj.module_.state_dict().items()},
            save_context,
        )
        content["history"] = get_state(list(obj.history_.to_list()), save_context)
    else:
        content["initialized"] = False
    # ``initialized`` is a plain bool: stored as is, not as a node.
    return {
        "__class__": type(obj).__name__,
        "__module__": get_module(type(obj)),
        "__loader__": "SklearnSerSkorchNetNode",
        "content": content,
    }


def _net_node_class():
    from ._compat import Node, get_tree, gettype

    class SkorchNetNode(Node):
        """Rebuilds a skorch net from parameters, fitted attributes and weights."""

        def __init__(self, state, load_context, trusted=None):
            super().__init__(state, load_context, trusted)
            # Only this loader may build a net: it never unpickles anything.
            self.trusted = self._get_trusted(
                trusted, [_type_name(c) for c in _net_classes()]
            )
            content = state["content"]
            self.initialized = content.get("initialized") is True

            def tree(key):
                if key not in content:
                    return None
                return get_tree(content[key], load_context, trusted=trusted)

            self.params = tree("params")
            self.fitted = tree("fitted")
            self.requests = tree("requests")
            self.module_state = tree("module_state")
            self.history = tree("history")
            self.children = {
                "params": self.params,
                "fitted": self.fitted,
                "requests": self.requests,
                "module_state": self.module_state,
                "history": self.history,
            }

        def _construct(self):
            import torch
            from sklearn import config_context
            from skorch.history import History

            cls = gettype(self.module_name, self.class_name)
            params = self.params.construct()
            _drop_removed_params(params, self.class_name)
            device = str(params.get("device") or "cpu")
            if device.startswith("cuda") and not torch.cuda.is_available():
                # as skorch does when unpickling: the weights are plain arrays
                warnings.warn(
                    f"{self.class_name} was saved with device={device!r}, but no "
                    "CUDA device is available: loading it on the CPU.",
                    UserWarning,
                    stacklevel=2,
                )
                params["device"] = "cpu"
            net = cls(**params)
            for key, value in self.fitted.construct().items():
                setattr(net, key, value)
            requests = self.requests.construct() if self.requests else {}
            with config_context(enable_metadata_routing=True):
                for method, values in requests.items():
                    getattr(net, f"set_{method}_request")(**values)
            if not self.initialized:
                return net
            net.initialize()
            weights = self.module_state.construct()
            net.module_.load_state_dict(
                {k: torch.from_numpy(v.copy()) for k, v in weights.items()}
            )
            net.history_ = History(self.history.construct())
            return net

    return SkorchNetNode


_REGISTERED = False


def _register():
    """Teach skops to write and read skorch nets without pickles (once)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from skorch import NeuralNet

    from ._compat import NODE_TYPE_MAPPING, PROTOCOL, _get_state

    _get_state.register(NeuralNet)(_net_get_state)
    NODE_TYPE_MAPPING[("SklearnSerSkorchNetNode", PROTOCOL)] = _net_node_class()
    _REGISTERED = True


# ---------------------------------------------------------------- trusted types
def trusted_types():
    """The types a model file may hold for :func:`load_model` to load it.

    skops' own defaults (scikit-learn's estimators, numpy and scipy containers) are
    trusted too. A skorch net is rebuilt by a dedicated loader that trusts this
    toolkit's nets only; they are deliberately not in this list.

    Returns
    -------
    names : list of str
        Fully qualified names (``"sklearn_ser.features._opensmile.OpenSmileIS10"``).

    Examples
    --------
    >>> from sklearn_ser import trusted_types
    >>> "sklearn_ser.autoencoders._dae.DenoisingAE" in trusted_types()
    True
    """
    import torch
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
    from sklearn.utils import Bunch
    from skorch import NeuralNet

    from . import autoencoders, classifiers, evaluation, features
    from ._compat import _CalibratedClassifier, _Scorer, _SigmoidCalibration
    from .classifiers._data import SequenceDataset, sequence_loader
    from .classifiers._module import AttentionBLSTMModule
    from .classifiers._targets import PseudoClassTargets

    estimators = []
    for package in (features, autoencoders, classifiers, evaluation):
        for name in getattr(package, "__all__", []):
            obj = getattr(package, name)
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseEstimator)
                and not issubclass(obj, NeuralNet)
            ):
                estimators.append(obj)
    others = [
        # what scikit-learn's CalibratedClassifierCV keeps after fit
        _CalibratedClassifier,
        _SigmoidCalibration,
        # what the attention classifier's parameters name (classes, a function)
        AttentionBLSTMModule,
        SequenceDataset,
        sequence_loader,
        # the fitted classifier's classes and output weights (arrays only)
        PseudoClassTargets,
        torch.nn.CrossEntropyLoss,
        torch.optim.Adam,
        # what a pipeline that tunes inside its training speakers keeps
        # (whisper-is10-fusion: GridSearchCV over speaker folds, scored by UA)
        GroupKFold,
        LeaveOneGroupOut,
        evaluation.SpeakerKFold,
        _Scorer,
        evaluation.unweighted_accuracy,
        evaluation.weighted_accuracy,
        evaluation.simplest_within_one_se,
        # what scikit-learn's VotingClassifier keeps after fit (whisper-layer-vote):
        # named_estimators_, a dict of its fitted members with attribute access
        Bunch,
    ]
    # Files written before SpecAugment moved to sklearn_ser.augmentation, or the
    # one-SE rule to sklearn_ser.evaluation, name the former module, which
    # re-exports it.
    moved = [
        "sklearn_ser.classifiers._augment.SpecAugment",
        "sklearn_ser.pipelines.simplest_within_one_se",
    ]
    return sorted({_type_name(t) for t in estimators + others}.union(moved))


# --------------------------------------------------------------------- save/load
def save_model(model, path):
    """Write a fitted model in skops' secure format (no pickle).

    Parameters
    ----------
    model : estimator
        Any estimator made of this toolkit's and scikit-learn's parts; skorch nets
        are stored as parameters plus their module's weights.
    path : str or path-like
        The file to write. It must end in ``.skops``: another suffix
        (``.joblib``, ``.pkl``) would promise a pickle that ``joblib.load`` then
        cannot read, so it is refused.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ValueError
        ``path`` does not end in ``.skops``, or is an existing folder.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser import load_model, save_model
    >>> X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([0, 0, 1, 1])
    >>> path = save_model(SVC().fit(X, y), "svc.skops")  # doctest: +SKIP
    >>> load_model(path, audio=False).predict(X).tolist()  # doctest: +SKIP
    [0, 0, 1, 1]
    """
    import skops.io as sio

    path = Path(path)
    if path.suffix.lower() != SKOPS_SUFFIX:
        better = path.with_suffix(SKOPS_SUFFIX)
        raise ValueError(
            "save_model writes skops' secure format, so the file name must end in "
            f"{SKOPS_SUFFIX}; got {str(path)!r} (try {str(better)!r}). "
            "For a pickle that joblib.load reads, use joblib.dump(model, path)."
        )
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give save_model a file name (.skops)")
    _register()
    sio.dump(model, path)
    return path


def _kind(path):
    """What the file is, in words, by its first bytes: skops, pickle, text, other."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"PK\x03\x04") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            if "schema.json" in zf.namelist():
                return "skops", "a skops file"
        return "zip", "a zip archive without skops' schema.json"
    for magic, words in _PICKLE_MAGIC.items():
        if head.startswith(magic):
            return "pickle", words
    if not head:
        return "empty", "an empty file"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at 4096
                return "binary", "a binary file of unknown format"
        return "text", "a text file"
    return "binary", "a binary file of unknown format"


def load_model(path, *, trusted=None, allow_pickle=False, audio=True):
    """Load a model written by :func:`save_model` (or, on request, a pickle).

    Parameters
    ----------
    path : str or path-like
        A ``.skops`` file. Its types are checked against :func:`trusted_types` (plus
        ``trusted``) before anything in it is built.
    trusted : list of str, default=None
        Further fully qualified type names to trust, e.g. your own estimator
        classes. Only list types whose code you trust.
    allow_pickle : bool, default=False
        Also load pickle and joblib files. Loading one runs any code its author put
        in it: only for files you made yourself. A :class:`UserWarning` says so.
    audio : bool, default=True
        Check that the model is a fitted estimator that takes audio (a pipeline
        starting with an audio feature extractor), as ``sklearn-ser predict``
        needs. False: any fitted estimator.

    Returns
    -------
    model : estimator

    Raises
    ------
    FileNotFoundError
        No such file.
    IsADirectoryError
        ``path`` is a folder (the message lists the ``.skops`` files in it).
    UnsafeModelError
        A pickle without ``allow_pickle``, or a skops file holding types that are
        not trusted (listed in the message).
    ValueError
        The file is no model file (text, another format), or holds something that
        is not a fitted estimator taking audio; the message says what it holds and
        what a model file should be.
    """
    path = Path(path)
    if path.is_dir():
        inside = sorted(p.name for p in path.glob(f"*{SKOPS_SUFFIX}"))
        hint = (
            f"; it holds {', '.join(inside)}"
            if inside
            else f"; it holds no {SKOPS_SUFFIX} file"
        )
        raise IsADirectoryError(
            f"{path} is a folder, not a model file: give the {SKOPS_SUFFIX} file "
            f"written by save_model (sklearn-ser train){hint}"
        )
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    kind, words = _kind(path)
    if kind == "skops":
        model = _load_skops(path, trusted)
    elif kind == "pickle":
        if not allow_pickle:
            raise UnsafeModelError(
                f"{path} is {words}: loading it would run any code its author put "
                "in it. Load it only if you made it yourself or trust its source, "
                "with allow_pickle=True (command line: --allow-pickle); better, "
                "re-save it with sklearn_ser.save_model (a .skops file, which loads "
                "without running code)."
            )
        import joblib

        warnings.warn(
            f"Loading the pickle {path}: this runs any code it contains; load only "
            "files you trust. Re-save it with sklearn_ser.save_model.",
            UserWarning,
            stacklevel=2,
        )
        try:
            model = joblib.load(path)
        except Exception as exc:
            raise ValueError(
                f"cannot unpickle {path} ({type(exc).__name__}: {exc}); "
                f"{WHAT_A_MODEL_IS}"
            ) from exc
    else:
        raise ValueError(f"{path} is {words}, not a model; {WHAT_A_MODEL_IS}.")
    _check_model(model, path, audio=audio)
    return model


def _load_skops(path, trusted):
    import skops.io as sio

    _register()
    allowed = trusted_types() + [str(t) for t in (trusted or [])]
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unknown = sorted(set(untrusted) - set(allowed))
        if unknown:
            raise UnsafeModelError(
                f"{path} holds types that are not trusted: {', '.join(unknown)}. "
                "Loading them could run their code. If you trust them, pass "
                "trusted=[...] to load_model (command line: --trust TYPE)."
            )
        return sio.load(path, trusted=allowed)
    except UnsafeModelError:
        raise
    except Exception as exc:
        raise ValueError(
            f"cannot load the skops file {path} ({type(exc).__name__}: {exc}); it "
            "may be damaged, or need other versions of skops, scikit-learn or "
            "sklearn-ser"
        ) from exc


def _describe(model):
    name = type(model).__name__
    if hasattr(model, "steps"):
        name += "(" + " -> ".join(type(s).__name__ for _, s in model.steps) + ")"
    return name


def _takes_audio(model):
    """Whether every estimator that receives ``model``'s input is an audio
    extractor (every branch of a union, every member of a voting ensemble)."""
    from ._walk import input_estimators
    from .features import BaseAudioExtractor

    leaves = input_estimators(model)
    return bool(leaves) and all(isinstance(x, BaseAudioExtractor) for x in leaves)


def _check_model(model, path, *, audio):
    from sklearn.base import BaseEstimator
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(model, BaseEstimator) or not hasattr(model, "predict"):
        raise ValueError(
            f"{path} holds a {type(model).__module__}.{type(model).__name__}, not an "
            f"estimator with predict; {WHAT_A_MODEL_IS}."
        )
    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ValueError(
            f"{path} holds an unfitted {_describe(model)}; {WHAT_A_MODEL_IS}."
        ) from None
    if audio and not _takes_audio(model):
        raise ValueError(
            f"{path} holds a {_describe(model)}, which takes numeric feature "
            "arrays, not audio; a model for audio files is a pipeline that "
            "starts with an audio feature extractor (OpenSmileIS10, "
            f"LogMelDeltas, ...): {WHAT_A_MODEL_IS}."
        )
