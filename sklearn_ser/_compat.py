"""Private names of scikit-learn and skorch, imported in this one module.

Every private (underscored) name sklearn-ser needs from a dependency is imported
here and nowhere else, so that a release that moves or renames one breaks one file.
The minimum versions in ``pyproject.toml`` are versions the test suite has run on.
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
