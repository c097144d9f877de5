"""input_estimators: the estimators that receive a composite model's input."""

import numpy as np
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_ser._walk import input_estimators
from sklearn_ser.evaluation import EstimatorSwitch


def _pipe(first):
    return make_pipeline(first, LogisticRegression())


def test_through_pipelines_unions_ensembles_switches_and_searches():
    scale, minmax = StandardScaler(), MinMaxScaler()
    assert input_estimators(_pipe(scale)) == [scale]
    union = FeatureUnion([("a", scale), ("gone", "drop"), ("b", _pipe(minmax))])
    assert input_estimators(make_pipeline(union, LogisticRegression())) == [
        scale,
        minmax,
    ]
    vote = VotingClassifier([("a", _pipe(scale)), ("b", _pipe(minmax))])
    assert input_estimators(vote) == [scale, minmax]
    switch = EstimatorSwitch([("a", _pipe(minmax)), ("b", _pipe(scale))])
    assert input_estimators(switch) == [minmax, scale]
    assert input_estimators(GridSearchCV(switch, {"choice": ["a"]})) == [minmax, scale]
    grid = {"logisticregression__C": [1.0]}
    assert input_estimators(RandomizedSearchCV(_pipe(scale), grid)) == [scale]
    assert input_estimators(LogisticRegression())[0].__class__ is LogisticRegression
    assert input_estimators(FeatureUnion([("gone", "drop")])) == []


def test_a_fitted_model_is_walked_through_what_it_fitted():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.repeat(["a", "b"], 20)
    switch = EstimatorSwitch(
        [("a", _pipe(MinMaxScaler())), ("b", _pipe(StandardScaler()))]
    )
    search = GridSearchCV(switch, {"choice": ["b"]}, cv=2).fit(X, y)
    (leaf,) = input_estimators(search)
    assert isinstance(leaf, StandardScaler) and hasattr(leaf, "mean_")  # fitted
    vote = VotingClassifier([("a", _pipe(MinMaxScaler()))]).fit(X, y)
    (leaf,) = input_estimators(vote)
    assert hasattr(leaf, "data_min_")  # the fitted member, not the declared one
