"""Private names of scikit-learn, skorch and skops, imported in this one module.

Every private (underscored) name sklearn-ser needs from a dependency is imported
here and nowhere else, so that a release that moves or renames one breaks one file.
The minimum versions in ``pyproject.toml`` are versions the test suite has run on.

skops' internals (the node and state machinery that teaches skops to save skorch
nets) are imported on first use: skops takes seconds to import, and only saving
and loading a model need it.
"""

from sklearn.base import _fit_context
from sklearn.calibration import _CalibratedClassifier, _SigmoidCalibration
from sklearn.metrics._scorer import _Scorer
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)
from sklearn.utils._set_output import ADAPTERS_MANAGER, _get_output_config
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_method_params,
    _num_samples,
)

__all__ = [
    "ADAPTERS_MANAGER",
    "_CalibratedClassifier",
    "_Scorer",
    "_SigmoidCalibration",
    "HasMethods",
    "Interval",
    "StrOptions",
    "_check_feature_names_in",
    "_check_method_params",
    "_fit_context",
    "_get_output_config",
    "_num_samples",
    "_safe_indexing",
    "validate_parameter_constraints",
    "validate_params",
]

_SKOPS_NAMES = (
    "NODE_TYPE_MAPPING",
    "Node",
    "PROTOCOL",
    "_get_state",
    "get_module",
    "get_state",
    "get_tree",
    "gettype",
)


def __getattr__(name):
    # PEP 562: ``from ._compat import Node`` imports skops here, on first use.
    if name not in _SKOPS_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from skops.io._audit import NODE_TYPE_MAPPING, Node, get_tree
    from skops.io._protocol import PROTOCOL
    from skops.io._utils import _get_state, get_module, get_state, gettype

    return {
        "NODE_TYPE_MAPPING": NODE_TYPE_MAPPING,
        "Node": Node,
        "PROTOCOL": PROTOCOL,
        "_get_state": _get_state,
        "get_module": get_module,
        "get_state": get_state,
        "get_tree": get_tree,
        "gettype": gettype,
    }[name]
