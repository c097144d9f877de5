"""Per-corpus standardisation: an opt-in step that adapts to the test corpus."""

import numpy as np

from ._group_scaler import BaseGroupStandardScaler

__all__ = ["CorpusStandardScaler", "corpus_of"]

#: Separates the corpus from the speaker in cross-corpus groups ("emovo:f1").
CORPUS_SEPARATOR = ":"


def corpus_of(groups, separator=CORPUS_SEPARATOR):
    """The corpus part of ``"<corpus><separator><speaker>"`` group labels.

    Parameters
    ----------
    groups : array-like of shape (n_samples,)
        Group labels as :func:`~sklearn_ser.evaluation.evaluate_cross_corpus` makes
        them; a label without the separator is its own corpus.
    separator : str, default=":"

    Returns
    -------
    corpora : ndarray of str

    Examples
    --------
    >>> corpus_of(["emovo:f1", "ravdess:Actor_01"]).tolist()
    ['emovo', 'ravdess']
    """
    return np.array([str(g).split(separator, 1)[0] for g in np.asarray(groups)])


class CorpusStandardScaler(BaseGroupStandardScaler):
    """Standardise each corpus's features with that corpus's own statistics.

    Every call subtracts, per corpus, the mean of that corpus's samples in the batch
    and divides by their standard deviation; labels are never used. A corpus is the
    part of each speaker group before ``separator`` (``"emovo:f1"`` is EMOVO), as
    :func:`~sklearn_ser.evaluation.evaluate_cross_corpus` names them, so the speaker
    groups still reach early stopping unchanged.

    Like :class:`SpeakerStandardScaler`, this **adapts to the test corpus**: at test
    time it uses statistics of the whole (unlabeled) test corpus, which must then be
    available as one batch. It is opt-in, and reports say so
    (``adapts_to_test_corpus``). It accepts 2-D feature arrays and sequence datasets
    (statistics over every frame of the corpus's utterances).

    The groups arrive through metadata routing: ``fit`` and ``transform`` request
    ``groups`` by default.

    Parameters
    ----------
    separator : str, default=":"
        Separates the corpus from the speaker in each group label.
    with_mean : bool, default=True
    with_std : bool, default=True
    eps : float, default=1e-8
        Standard deviations below this are treated as 1.

    Attributes
    ----------
    n_features_in_ : int
    corpora_fit_ : ndarray of str
        The corpora of the training data.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [3.0], [10.0], [30.0]])
    >>> groups = ["a:s1", "a:s2", "b:s3", "b:s3"]
    >>> CorpusStandardScaler().fit_transform(X, groups=groups).ravel().tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """

    _parameter_constraints: dict = {
        **BaseGroupStandardScaler._parameter_constraints,
        "separator": [str],
    }
    _groups_help = (
        "('<corpus>:<speaker>' per sample). In a Pipeline, enable metadata "
        "routing and pass groups=..., or use "
        "sklearn_ser.evaluation.evaluate_cross_corpus."
    )

    def __init__(
        self, *, separator=CORPUS_SEPARATOR, with_mean=True, with_std=True, eps=1e-8
    ):
        self.separator = separator
        self.with_mean = with_mean
        self.with_std = with_std
        self.eps = eps

    def _group_keys(self, groups):
        return corpus_of(groups, self.separator)

    def _record_groups(self, keys):
        self.corpora_fit_ = np.unique(keys)
