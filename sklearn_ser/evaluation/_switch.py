"""One estimator out of several named ones: what a search chooses among back-ends."""

import inspect

from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._compat import _fit_context

__all__ = ["EstimatorSwitch"]


def _chosen_has(method):
    """``available_if`` check: the fitted (else the chosen) estimator has ``method``."""

    def check(self):
        est = getattr(self, "estimator_", None)
        if est is None:
            est = self._chosen()[1]
        return hasattr(est, method)

    return check


class EstimatorSwitch(MetaEstimatorMixin, BaseEstimator):
    """Fit and predict with one of several named estimators, picked by ``choice``.

    A grid search over ``choice`` chooses among whole pipelines by their names::

        GridSearchCV(EstimatorSwitch(estimators), {"choice": names}, ...)

    so that the search's ``best_params_`` reads ``{"choice": "whisper-logreg"}``
    (not the repr of a pipeline). It also lets estimators that take the speaker
    ``groups`` in ``fit`` (an inner speaker split, early stopping on held-out
    speakers) be searched together with estimators that do not: with metadata
    routing enabled the switch accepts ``groups`` itself and passes them on only
    when the chosen estimator requests them. A plain
    ``Pipeline([("model", ...)])`` searched over its step cannot: the search
    routes the same metadata to every candidate, decided by the first one.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The candidates under unique names (as ``Pipeline`` steps). Cloned when
        fitted; never fitted themselves.
    choice : str, default=None
        The name of the estimator fitted; None: the first.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of the chosen estimator.
    choice_ : str
        Its name.
    classes_ : ndarray of shape (n_classes,)
        The fitted classifier's classes (classifiers only).
    n_features_in_ : int
        The fitted estimator's (when it has one; audio pipelines have none).

    See Also
    --------
    sklearn_ser.pipelines.make_named_pipeline : ``"auto"`` searches over a switch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.dummy import DummyClassifier
    >>> X = np.array([[0.0], [1.0], [0.1], [0.9]])
    >>> y = np.array(["a", "b", "a", "b"])
    >>> switch = EstimatorSwitch(
    ...     [("dummy", DummyClassifier()), ("logreg", LogisticRegression())],
    ...     choice="logreg",
    ... )
    >>> switch.fit(X, y).predict([[0.05], [0.95]]).tolist()
    ['a', 'b']
    >>> switch.choice_, type(switch.estimator_).__name__
    ('logreg', 'LogisticRegression')
    """

    _parameter_constraints = {"estimators": [list], "choice": [str, None]}

    # The switch itself accepts the speakers in fit (and hands them on only to a
    # chosen estimator that asks for them), so a search may route them to it.
    __metadata_request__fit = {"groups": True}

    def __init__(self, estimators, *, choice=None):
        self.estimators = estimators
        self.choice = choice

    def _chosen(self):
        """``(name, unfitted estimator)`` that ``choice`` names; checks both params."""
        names = []
        for item in self.estimators:
            ok = isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
            if not ok or not hasattr(item[1], "fit"):
                raise ValueError(
                    "EstimatorSwitch: estimators must be (name, estimator) tuples "
                    f"with a str name and an estimator that has fit; got {item!r}."
                )
            names.append(item[0])
        if not names:
            raise ValueError("EstimatorSwitch: estimators is empty.")
        if len(set(names)) != len(names):
            raise ValueError(f"EstimatorSwitch: estimators' names repeat: {names}.")
        if self.choice is None:
            return self.estimators[0]
        if self.choice not in names:
            raise ValueError(
                f"EstimatorSwitch: choice={self.choice!r} is not one of the "
                f"estimators' names {names}."
            )
        return self.estimators[names.index(self.choice)]

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, groups=None, **fit_params):
        """Fit a clone of the chosen estimator.

        Parameters
        ----------
        X : array-like
            Whatever the estimators take (audio paths, features).
        y : array-like of shape (n_samples,), default=None
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Speaker of each sample. With metadata routing enabled, passed on when
            the chosen estimator requests it; without routing, when its ``fit``
            has a ``groups`` parameter.
        **fit_params : dict
            Other fit parameters: routed (with routing enabled) or passed on as
            they are.

        Returns
        -------
        self : EstimatorSwitch
        """
        name, estimator = self._chosen()
        if get_config().get("enable_metadata_routing", False):
            routed = process_routing(self, "fit", groups=groups, **fit_params)
            params = routed.estimator.fit
        else:
            params = dict(fit_params)
            if groups is not None and (
                "groups" in inspect.signature(estimator.fit).parameters
            ):
                params["groups"] = groups
        self.estimator_ = clone(estimator).fit(X, y, **params)
        self.choice_ = name
        return self

    @property
    def classes_(self):
        """The fitted classifier's classes."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.classes_

    @property
    def n_features_in_(self):
        """Number of features the fitted estimator saw (when it records it)."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.n_features_in_

    def predict(self, X):
        """Predictions of the fitted estimator.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    @available_if(_chosen_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted estimator (when it has them).

        Parameters
        ----------
        X : array-like

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    @available_if(_chosen_has("decision_function"))
    def decision_function(self, X):
        """Decision values of the fitted estimator (when it has them).

        Parameters
        ----------
        X : array-like

        Returns
        -------
        scores : ndarray
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """The fitted estimator's own ``score`` (accuracy for a classifier).

        Parameters
        ----------
        X : array-like
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self, "estimator_")
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def get_metadata_routing(self):
        """Routing: the switch takes ``groups`` in fit; the chosen one gets its own.

        Returns
        -------
        routing : MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                estimator=self._chosen()[1],
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            inner = get_tags(self._chosen()[1])
        except ValueError:  # invalid parameters: fit says what is wrong
            return tags
        # a classifier (or regressor) when the chosen estimator is one
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags = inner.target_tags
        tags.input_tags = inner.input_tags
        return tags
