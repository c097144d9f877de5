"""Which estimators of a composite model receive its input ``X``."""

__all__ = ["final_estimator", "input_estimators"]


def input_estimators(estimator):
    """The estimators that receive ``estimator``'s own ``X``, in order.

    Walks down to the leaves that see the raw input: a pipeline's first step,
    every branch of a ``FeatureUnion``, every member of a voting ensemble or of an
    :class:`~sklearn_ser.evaluation.EstimatorSwitch`, a search's estimator. A
    fitted model is walked through what it fitted (a search's
    ``best_estimator_``, a switch's ``estimator_``, an ensemble's
    ``estimators_``); an unfitted one through what it declares. The one place
    where the benchmark finds the extractor whose cache it warms and where
    ``load_model`` checks that a model file takes audio.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> input_estimators(make_pipeline(StandardScaler(), LogisticRegression()))
    [StandardScaler()]
    """
    if hasattr(estimator, "steps"):
        return input_estimators(estimator.steps[0][1])
    if hasattr(estimator, "transformer_list"):
        return [
            leaf
            for _, branch in estimator.transformer_list
            if branch != "drop"
            for leaf in input_estimators(branch)
        ]
    for fitted in ("best_estimator_", "estimator_"):
        if hasattr(estimator, fitted):
            return input_estimators(getattr(estimator, fitted))
    members = getattr(estimator, "estimators_", None)
    if not isinstance(members, list) or not members:
        declared = getattr(estimator, "estimators", None)
        members = None
        if isinstance(declared, list) and declared:
            members = [m for _, m in declared if m != "drop"]
    if members:
        return [leaf for member in members for leaf in input_estimators(member)]
    if _is_search(estimator):
        return input_estimators(estimator.estimator)
    return [estimator]


def final_estimator(estimator):
    """The estimator that makes ``estimator``'s predictions, unfitted as declared:
    through a pipeline's last step and a search's estimator.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> pipe = make_pipeline(StandardScaler(), LogisticRegression())
    >>> final_estimator(GridSearchCV(pipe, {"logisticregression__C": [1.0]}))
    LogisticRegression()
    """
    while True:
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        elif _is_search(estimator):
            estimator = estimator.estimator
        else:
            return estimator


def _is_search(estimator):
    """A hyper-parameter search (grid, randomised, halving) over ``estimator``."""
    searched = hasattr(estimator, "param_grid") or hasattr(
        estimator, "param_distributions"
    )
    return searched and hasattr(estimator, "estimator")
