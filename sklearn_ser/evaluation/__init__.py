"""Speaker-independent evaluation: cross-validation reports, WA/UA, plots.

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

:func:`evaluate_cross_corpus` trains on some corpora and tests on another, on the
classes they share; :func:`leave_one_corpus_out` holds out each corpus in turn.
:class:`CorpusStandardScaler` (per-corpus standardisation) is its opt-in adaptation.

:class:`SpeakerStandardScaler` (per-speaker standardisation) lives here because it
is an evaluation matter: it adapts to the test speaker, so it is opt-in only.
"""

from ._corpus_scaler import CorpusStandardScaler
from ._cross_corpus import (
    evaluate_cross_corpus,
    leave_one_corpus_out,
    with_corpus_standardization,
)
from ._environment import software_environment
from ._evaluate import evaluate
from ._metrics import (
    UA_SCORER,
    WA_SCORER,
    chance_levels,
    get_ser_scorers,
    labeled_mask,
    unweighted_accuracy,
    weighted_accuracy,
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
from ._speaker_scaler import SpeakerStandardScaler
from ._stats import paired_comparison, speaker_bootstrap

__all__ = [
    "UA_SCORER",
    "WA_SCORER",
    "CorpusStandardScaler",
    "EvaluationReport",
    "SpeakerStandardScaler",
    "chance_levels",
    "compare_reports",
    "evaluate",
    "evaluate_cross_corpus",
    "evaluate_seeds",
    "get_ser_scorers",
    "labeled_mask",
    "leave_one_corpus_out",
    "load_report",
    "markdown_table",
    "paired_comparison",
    "paired_table",
    "recall_table",
    "seed_table",
    "set_random_state",
    "software_environment",
    "speaker_bootstrap",
    "unweighted_accuracy",
    "weighted_accuracy",
    "with_corpus_standardization",
]
