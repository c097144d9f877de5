"""The train / validation split of the attention classifier's early stopping."""

import warnings

import numpy as np
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state

__all__ = ["holdout_split"]


def holdout_split(y, groups, *, valid_size, n_classes, random_state=None):
    """Indices of the internal train / validation split used for early stopping.

    With ``groups`` (speakers), whole speakers are held out: ``round(valid_size *
    n)`` of the ``n`` speakers that have labelled utterances (at least one, and at
    least one left for training, with a warning saying so when the rounding had to
    be moved: with 2 speakers, one validates and one trains); every utterance of
    those speakers, labelled or not, goes to validation. Speakers with unlabeled
    utterances only always stay in training. Without groups, a split stratified on
    the encoded targets (the pseudo-class included), falling back to a plain
    shuffle when a class is too small to stratify.

    Parameters
    ----------
    y : ndarray of int of shape (n_samples,)
        Encoded targets: ``0..n_classes-1`` labelled, ``n_classes`` unlabeled.
    groups : array-like of shape (n_samples,) or None
        Speaker of each utterance.
    valid_size : float in (0, 1)
        Fraction of speakers (with groups) or utterances (without) held out.
    n_classes : int
        Number of real classes.
    random_state : int, RandomState instance or None

    Returns
    -------
    train_idx, valid_idx : ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser.classifiers import holdout_split
    >>> y = np.array([0, 1, 0, 1, 2, 0, 1, 2])  # 2 classes, 2 = unlabeled
    >>> groups = np.array(["a", "a", "b", "b", "b", "c", "c", "d"])
    >>> train, valid = holdout_split(
    ...     y, groups, valid_size=0.3, n_classes=2, random_state=3)
    >>> valid.tolist(), train.tolist()  # speaker b held out; d has no labels
    ([2, 3, 4], [0, 1, 5, 6, 7])
    """
    rng = check_random_state(random_state)
    n = len(y)
    labelled = y < n_classes
    if groups is not None:
        groups = np.asarray(groups)
        candidates = np.unique(groups[labelled])
        if len(candidates) >= 2:
            asked = int(round(valid_size * len(candidates)))
            n_valid = min(max(asked, 1), len(candidates) - 1)
            if n_valid != asked:
                warnings.warn(
                    f"valid_size={valid_size} of {len(candidates)} speakers with "
                    f"labelled utterances rounds to {asked}; holding out "
                    f"{n_valid} speaker(s) for early stopping and training on "
                    f"{len(candidates) - n_valid}.",
                    UserWarning,
                    stacklevel=3,
                )
            chosen = rng.choice(candidates, size=n_valid, replace=False)
            valid = np.isin(groups, chosen)
            return np.flatnonzero(~valid), np.flatnonzero(valid)
        warnings.warn(
            "groups holds a single speaker with labelled utterances, so no speaker "
            "can be held out for early stopping; using a stratified split of the "
            "utterances instead.",
            UserWarning,
            stacklevel=3,
        )
    n_valid = int(round(valid_size * n))
    n_valid = min(max(n_valid, 1), n - 1)
    counts = np.bincount(y)
    counts = counts[counts > 0]
    seed = rng.randint(np.iinfo(np.int32).max)
    if counts.min() >= 2 and len(counts) <= n_valid <= n - len(counts):
        splitter = StratifiedShuffleSplit(1, test_size=n_valid, random_state=seed)
        return next(splitter.split(np.zeros(n), y))
    splitter = ShuffleSplit(1, test_size=n_valid, random_state=seed)
    return next(splitter.split(np.zeros(n)))
