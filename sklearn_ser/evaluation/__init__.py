"""Speaker-independent evaluation: cross-validation reports, WA/UA, plots.

Continuous targets (arousal, valence, dominance ratings): :func:`evaluate` on a
regressor returns a :class:`RegressionReport` with CCC
(:func:`concordance_correlation_coefficient`), Pearson r and MAE per fold and
pooled, intervals from :func:`speaker_bootstrap_regression`, and
:func:`paired_regression_table` to compare regressors.

WA (weighted accuracy) is accuracy; UA (unweighted accuracy) is balanced accuracy,
the mean of per-class recalls. :func:`evaluate` cross-validates an estimator across
speakers and returns an :class:`EvaluationReport` with per-fold and pooled figures;
the pooled ones (all out-of-fold predictions scored together) are the robust ones.

As ``scoring=`` in ``cross_val_score`` / ``GridSearchCV``: ``"accuracy"`` is WA and
``"balanced_accuracy"`` is UA when test folds are fully labeled; :data:`WA_SCORER`
and :data:`UA_SCORER` (``get_ser_scorers()``) ignore unlabeled (``-1``) samples.

Every report carries 95% intervals of its pooled WA and UA from a bootstrap over
speakers (:func:`speaker_bootstrap`); two systems on the same utterances are compared
with :func:`paired_comparison` (paired bootstrap over speakers of the UA difference,
McNemar's test) or :func:`paired_table`; :func:`evaluate_seeds` repeats an
evaluation over random states and :func:`seed_table` reports the spread.

:func:`simplest_within_one_se` is a ``GridSearchCV(refit=...)`` rule for tuning on
a few training speakers: the first candidate within one standard error of the best.
:class:`SpeakerKFold` is the splitter of every inner speaker split (tuning, fusion
weights): ``GroupKFold`` with at most one fold per speaker, so it works with however
few speakers a training fold has. :class:`EstimatorSwitch` fits one of several
named estimators (``choice``): a search over it chooses among whole pipelines by
name (the ``"auto"`` pipeline).

:func:`label_fraction_curve` repeats :func:`evaluate` with a growing share of the
training labels (the rest hidden: unlabeled for a semi-supervised estimator), on
the same folds, with nested masks (:func:`nested_label_masks`); :func:`curve_table`
tabulates it and :func:`plot_label_fraction_curve` draws it.

:func:`evaluate_cross_corpus` trains on some corpora and tests on another, on the
classes they share; :func:`leave_one_corpus_out` holds out each corpus in turn.
:class:`CorpusStandardScaler` (per-corpus standardisation) is its opt-in adaptation.

:func:`run_benchmark` and :func:`run_cross_corpus_benchmark` run several pipelines
(built from the registry, their feature cache warmed once) and write each report,
``results.json`` and a ``report.md`` summary to a folder: ``sklearn-ser benchmark``.

:class:`SpeakerStandardScaler` (per-speaker standardisation) lives here because it
is an evaluation matter: it adapts to the test speaker, so it is opt-in only.
"""

from ._benchmark import run_benchmark, run_cross_corpus_benchmark
from ._corpus_scaler import CorpusStandardScaler
from ._cross_corpus import (
    evaluate_cross_corpus,
    extra_training_data,
    leave_one_corpus_out,
    with_corpus_standardization,
)
from ._curve import (
    curve_table,
    label_fraction_curve,
    nested_label_masks,
    plot_label_fraction_curve,
)
from ._environment import software_environment
from ._evaluate import evaluate
from ._metrics import (
    CCC_SCORER,
    UA_SCORER,
    WA_SCORER,
    chance_levels,
    concordance_correlation_coefficient,
    get_regression_scorers,
    get_ser_scorers,
    labeled_mask,
    pearson_correlation,
    regression_moments,
    regression_scores_from_moments,
    unweighted_accuracy,
    weighted_accuracy,
)
from ._regression_report import (
    RegressionReport,
    compare_regression_reports,
    paired_regression_table,
)
from ._report import (
    EvaluationReport,
    compare_reports,
    load_report,
    markdown_table,
    paired_table,
    recall_table,
)
from ._seeds import evaluate_seeds, seed_table, set_random_state
from ._selection import simplest_within_one_se
from ._speaker_scaler import SpeakerStandardScaler
from ._splits import SpeakerKFold
from ._stats import (
    paired_comparison,
    paired_regression_comparison,
    speaker_bootstrap,
    speaker_bootstrap_regression,
)
from ._switch import EstimatorSwitch

__all__ = [
    "CCC_SCORER",
    "UA_SCORER",
    "WA_SCORER",
    "CorpusStandardScaler",
    "EstimatorSwitch",
    "EvaluationReport",
    "RegressionReport",
    "SpeakerKFold",
    "SpeakerStandardScaler",
    "chance_levels",
    "compare_regression_reports",
    "compare_reports",
    "concordance_correlation_coefficient",
    "curve_table",
    "evaluate",
    "evaluate_cross_corpus",
    "extra_training_data",
    "evaluate_seeds",
    "get_regression_scorers",
    "get_ser_scorers",
    "label_fraction_curve",
    "labeled_mask",
    "leave_one_corpus_out",
    "load_report",
    "markdown_table",
    "nested_label_masks",
    "paired_comparison",
    "paired_regression_comparison",
    "paired_regression_table",
    "paired_table",
    "pearson_correlation",
    "plot_label_fraction_curve",
    "recall_table",
    "run_benchmark",
    "run_cross_corpus_benchmark",
    "regression_moments",
    "regression_scores_from_moments",
    "seed_table",
    "set_random_state",
    "simplest_within_one_se",
    "software_environment",
    "speaker_bootstrap",
    "speaker_bootstrap_regression",
    "unweighted_accuracy",
    "weighted_accuracy",
    "with_corpus_standardization",
]
