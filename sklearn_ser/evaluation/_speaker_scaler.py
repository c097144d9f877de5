"""Per-speaker standardisation: an opt-in step that adapts to the test speaker."""

import numpy as np

from ._group_scaler import BaseGroupStandardScaler

__all__ = ["SpeakerStandardScaler"]


class SpeakerStandardScaler(BaseGroupStandardScaler):
    """Standardise each speaker's features with that speaker's own statistics.

    Every call (``fit_transform`` on training speakers, ``transform`` on test
    speakers) subtracts, per speaker, the mean of that speaker's rows in the batch
    and divides by their standard deviation. Only features are used, never labels.

    This is a known strong gain in speech emotion recognition, and it is **not**
    strictly speaker-independent: at test time it uses statistics of the test
    speaker's (unlabeled) features, i.e. it adapts to the test speaker and needs a
    batch of that speaker's utterances. It is therefore never part of a default
    pipeline, and reports of pipelines using it say so
    (``adapts_to_test_speaker``).

    The speakers arrive as ``groups`` through scikit-learn metadata routing: the
    step requests ``groups`` in ``fit`` and ``transform`` by default, so a
    ``Pipeline`` holding it routes them when routing is enabled
    (:func:`sklearn_ser.evaluation.evaluate` does this per fold; elsewhere use
    ``sklearn.config_context(enable_metadata_routing=True)`` and pass
    ``groups=`` to ``fit`` and ``predict``).

    It accepts 2-D feature arrays and sequence datasets (statistics over every
    frame of the speaker's utterances).

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each speaker's mean.
    with_std : bool, default=True
        Divide by each speaker's standard deviation.
    eps : float, default=1e-8
        Standard deviations below this are treated as 1 (constant features).

    Attributes
    ----------
    n_features_in_ : int
        Number of features (per frame, for a sequence dataset) seen in fit.
    n_speakers_fit_ : int
        Number of speakers in the training data.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [3.0], [10.0], [30.0]])
    >>> groups = ["a", "a", "b", "b"]
    >>> SpeakerStandardScaler().fit_transform(X, groups=groups).ravel().tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """

    _groups_help = (
        "(the speaker of each sample). In a Pipeline, enable metadata routing "
        "(sklearn.config_context(enable_metadata_routing=True)) and pass "
        "groups=..., or use sklearn_ser.evaluation.evaluate."
    )
    _group_noun = "speaker"

    def __init__(self, *, with_mean=True, with_std=True, eps=1e-8):
        self.with_mean = with_mean
        self.with_std = with_std
        self.eps = eps

    def _group_keys(self, groups):
        return groups

    def _record_groups(self, keys):
        self.n_speakers_fit_ = int(np.unique(keys).size)
