"""Inner speaker splits that adapt to the number of training speakers."""

import warnings

import numpy as np
from sklearn.model_selection import GroupKFold

__all__ = ["SpeakerKFold"]


def _speakers(groups, who):
    if groups is None:
        raise ValueError(f"{who} needs groups (the speaker of each sample).")
    speakers = np.unique(np.asarray(groups).ravel())
    if len(speakers) < 2:
        raise ValueError(
            f"{who} needs at least 2 speakers, one to hold out and one to train on; "
            f"the data has {len(speakers)} ({', '.join(map(str, speakers))})."
        )
    return speakers


class SpeakerKFold(GroupKFold):
    """Speaker-grouped K-fold that uses at most one fold per speaker.

    The splitter of every split *inside* a training fold (tuning, fusion weights):
    the number of training speakers depends on the corpus and on the outer fold (a
    four-speaker corpus evaluated leave-one-speaker-out leaves three), so a fixed
    ``GroupKFold(n_splits=4)`` fails on small corpora. ``SpeakerKFold`` splits like
    :class:`~sklearn.model_selection.GroupKFold` with ``min(n_splits, n_speakers)``
    folds: with fewer speakers than ``n_splits`` it leaves one speaker out, and
    warns, naming how many speakers and folds it used. One speaker is an error:
    nothing could be held out.

    Usable as ``cv=`` wherever scikit-learn takes a splitter (``GridSearchCV``,
    ``cross_validate``), given ``groups``.

    Parameters
    ----------
    n_splits : int, default=4
        The most folds; fewer when there are fewer speakers. At least 2.
    shuffle : bool, default=False
        Shuffle the speakers before assigning them to folds (as ``GroupKFold``).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffle; only used when ``shuffle=True``.

    See Also
    --------
    sklearn.model_selection.GroupKFold : the fixed-fold splitter it adapts.
    sklearn.model_selection.LeaveOneGroupOut : what it becomes with few speakers.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn_ser.evaluation import SpeakerKFold
    >>> groups = np.repeat(["f1", "f2", "m1"], 2)
    >>> cv = SpeakerKFold(n_splits=4)
    >>> cv.get_n_splits(groups=groups)
    3
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     folds = list(cv.split(groups, groups=groups))
    >>> sorted(groups[test].tolist() for _, test in folds)
    [['f1', 'f1'], ['f2', 'f2'], ['m1', 'm1']]
    >>> print(caught[0].message)
    SpeakerKFold(n_splits=4): 3 speakers, so 3 folds (leave one speaker out).
    """

    def __init__(self, n_splits=4, *, shuffle=False, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)

    def _n_folds(self, groups):
        return min(self.n_splits, len(_speakers(groups, type(self).__name__)))

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds ``split`` makes: ``min(n_splits, number of speakers)``.

        Parameters
        ----------
        X, y : object
            Ignored, for API compatibility.
        groups : array-like of shape (n_samples,), default=None
            Speaker of each sample. None: ``n_splits`` (the most it can make).

        Returns
        -------
        n_splits : int
        """
        if groups is None:
            return self.n_splits
        return self._n_folds(groups)

    def split(self, X, y=None, groups=None):
        """Train / test indices, speakers never shared between the two.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training data (only its length is used).
        y : array-like of shape (n_samples,), default=None
            Ignored.
        groups : array-like of shape (n_samples,)
            Speaker of each sample; required.

        Yields
        ------
        train, test : ndarray of int
        """
        n_folds = self._n_folds(groups)
        if n_folds < self.n_splits:
            warnings.warn(
                f"{type(self).__name__}(n_splits={self.n_splits}): {n_folds} "
                f"speakers, so {n_folds} folds (leave one speaker out).",
                UserWarning,
                stacklevel=2,
            )
        folds = GroupKFold(
            n_splits=n_folds, shuffle=self.shuffle, random_state=self.random_state
        )
        return folds.split(X, y, groups)
