"""Feeding sequence datasets to torch: dataset, per-batch padding, length buckets.

The classifier receives a sequence dataset (:func:`sklearn_ser.as_sequences`): a 1-D
object array of ``(n_frames_i, n_features)`` float32 arrays. Nothing is padded to the
corpus' longest utterance: the loader groups utterances of similar length into a
mini-batch (:class:`LengthBucketBatchSampler`) and :func:`collate_sequences` pads
only that batch, returning the padded frames together with the lengths.
"""

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset

from .._sequences import pad_sequences, sequence_lengths

__all__ = [
    "LengthBucketBatchSampler",
    "SequenceDataset",
    "AugmentingCollate",
    "batch_indices",
    "collate_sequences",
    "dataset_lengths",
    "dataset_targets",
    "sequence_loader",
]


class SequenceDataset(torch.utils.data.Dataset):
    """A sequence dataset with its (encoded) targets, as a torch Dataset.

    Item ``i`` is ``(X[i], y[i])`` (``y`` is kept as ``targets``). Without targets
    (prediction time) item ``i`` is ``(X[i], i)``, its index in the target slot
    that the loaders expect (the classifier reads the batches' indices from the
    batch sampler, :func:`batch_indices`).

    Parameters
    ----------
    X : ndarray of dtype object and shape (n_samples,)
        Sequence dataset.
    y : array-like of int of shape (n_samples,), default=None
        Encoded targets.
    groups : array-like of shape (n_samples,), default=None
        Speaker of each utterance, read by the classifier's internal
        train / validation split.
    """

    def __init__(self, X, y=None, groups=None):
        self.X = X
        # ``targets``, not skorch's ``y``: skorch would infer the classifier's
        # classes from an attribute named y, and these are encoded targets.
        self.targets = None if y is None else np.asarray(y, dtype=np.int64)
        if self.targets is not None and len(self.targets) != len(X):
            raise ValueError(
                f"X has {len(X)} sequences but y has {len(self.targets)} targets."
            )
        self.groups = None if groups is None else np.asarray(groups)
        if self.groups is not None and self.groups.shape != (len(X),):
            raise ValueError(
                f"groups must have shape ({len(X)},) like y; got {self.groups.shape}."
            )
        self.lengths = sequence_lengths(X)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (i if self.targets is None else self.targets[i])


def dataset_lengths(dataset):
    """Frame count of every item of a :class:`SequenceDataset` or a Subset of one."""
    if isinstance(dataset, SequenceDataset):
        return dataset.lengths
    if isinstance(dataset, Subset):
        return dataset_lengths(dataset.dataset)[np.asarray(dataset.indices)]
    return np.fromiter(
        (len(dataset[i][0]) for i in range(len(dataset))),
        dtype=np.int64,
        count=len(dataset),
    )


def dataset_targets(dataset):
    """Targets of every item of a :class:`SequenceDataset` or a Subset of one."""
    if isinstance(dataset, SequenceDataset):
        return dataset.targets
    if isinstance(dataset, Subset):
        y = dataset_targets(dataset.dataset)
        return None if y is None else y[np.asarray(dataset.indices)]
    return np.asarray([dataset[i][1] for i in range(len(dataset))])


def batch_indices(loader):
    """Dataset indices of every batch a loader yields, in the order it yields them.

    Read from the loader's ``batch_sampler`` (a :class:`LengthBucketBatchSampler`
    for :func:`sequence_loader`), which must give the same batches each time it is
    iterated, as it does without shuffling.

    Parameters
    ----------
    loader : torch.utils.data.DataLoader
        A loader with a batch sampler (any DataLoader given a ``batch_size`` or a
        ``batch_sampler``).

    Returns
    -------
    indices : list of ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_ser import as_sequences
    >>> X = as_sequences([np.zeros((n, 2), dtype=np.float32) for n in (5, 2, 9, 3)])
    >>> loader = sequence_loader(SequenceDataset(X), batch_size=2)
    >>> [idx.tolist() for idx in batch_indices(loader)]
    [[1, 3], [0, 2]]
    """
    sampler = getattr(loader, "batch_sampler", None)
    if sampler is None:
        raise TypeError(
            f"the classifier's iterator_valid gave a {type(loader).__name__} "
            "without a batch_sampler: predictions need the dataset indices of "
            "each batch to be put back in input order."
        )
    return [np.asarray(batch, dtype=np.int64) for batch in sampler]


def collate_sequences(items):
    """Pad one mini-batch: ``({"X": (B, T, F) tensor, "lengths": (B,)}, y)``.

    ``T`` is the longest utterance of this batch only. The dict keys are the
    arguments of the module's ``forward``.
    """
    xs, ys = zip(*items)
    padded, lengths = pad_sequences(xs)
    batch = {
        "X": torch.from_numpy(padded),
        "lengths": torch.from_numpy(lengths),
    }
    return batch, torch.as_tensor(np.asarray(ys), dtype=torch.int64)


class AugmentingCollate:
    """:func:`collate_sequences` after augmenting every utterance of the batch.

    The training loader's collate function when the classifier has an
    ``augment``: each item is replaced by ``augment(x, rng)`` before padding. The
    generator lives as long as the loader, so every epoch draws new changes, and
    is seeded so a seeded fit is reproducible.
    """

    def __init__(self, augment, seed=None):
        self.augment = augment
        self.rng = np.random.default_rng(seed)

    def __call__(self, items):
        return collate_sequences([(self.augment(x, self.rng), y) for x, y in items])


class LengthBucketBatchSampler(torch.utils.data.Sampler):
    """Mini-batches of utterances of similar length (little padding per batch).

    Without shuffling, indices are sorted by length (stably) and cut into batches:
    deterministic, which the classifier relies on to put predictions back in input
    order. With shuffling, every epoch draws a random permutation, sorts it by length
    within pools of ``pool_factor * batch_size`` utterances, cuts the pools into
    batches and shuffles the batch order: batches differ between epochs yet hold
    utterances of similar length.

    Parameters
    ----------
    lengths : array-like of int of shape (n_samples,)
        Frame count of every utterance.
    batch_size : int
        Maximal number of utterances per batch.
    shuffle : bool, default=False
        Draw new batches every epoch.
    max_batch_frames : int, default=None
        Also cap ``batch size * longest utterance in it`` (the padded size), so
        memory stays bounded when long utterances come together. An utterance
        longer than the cap forms a batch of its own.
    pool_factor : int, default=8
        Pool size (in batches) within which shuffled utterances are sorted.
    seed : int, default=None
        Seed of the shuffling (numpy ``default_rng``).
    strata : array-like of shape (n_samples,), default=None
        Kinds of utterance that every batch should mix in proportion (the
        classifier passes labelled / unlabeled). Each kind is bucketed by length on
        its own and batch ``k`` joins the ``k``-th bucket of every kind; without
        this, two corpora of different lengths (acted emotions and long read
        speech) would end up in batches of one kind each. ``max_batch_frames`` is
        not applied then.
    """

    def __init__(
        self,
        lengths,
        batch_size,
        *,
        shuffle=False,
        max_batch_frames=None,
        pool_factor=8,
        seed=None,
        strata=None,
    ):
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1; got {batch_size}.")
        self.shuffle = shuffle
        self.max_batch_frames = max_batch_frames
        self.pool_factor = int(pool_factor)
        self._rng = np.random.default_rng(seed)
        self.strata = None
        if strata is not None:
            strata = np.asarray(strata)
            if len(strata) != len(self.lengths):
                raise ValueError(
                    f"strata has {len(strata)} values for {len(self.lengths)} "
                    "utterances."
                )
            if len(np.unique(strata)) > 1:
                self.strata = strata

    def _cut(self, order):
        batches, current, longest = [], [], 0
        for i in order:
            n = int(self.lengths[i])
            new_longest = max(longest, n)
            too_many = len(current) >= self.batch_size
            too_big = (
                self.max_batch_frames is not None
                and current
                and (len(current) + 1) * new_longest > self.max_batch_frames
            )
            if too_many or too_big:
                batches.append(current)
                current, new_longest = [], n
            current.append(int(i))
            longest = new_longest
        if current:
            batches.append(current)
        return batches

    def _sorted(self, index):
        """``index`` ordered by length: fully, or within shuffled pools."""
        if not self.shuffle:
            return index[np.argsort(self.lengths[index], kind="stable")]
        perm = index[self._rng.permutation(len(index))]
        pool = max(1, self.batch_size * self.pool_factor)
        chunks = []
        for start in range(0, len(perm), pool):
            chunk = perm[start : start + pool]
            chunks.append(chunk[np.argsort(self.lengths[chunk], kind="stable")])
        return np.concatenate(chunks)

    def _mixed_batches(self):
        n_batches = int(np.ceil(len(self.lengths) / self.batch_size))
        parts = [
            np.array_split(self._sorted(np.flatnonzero(self.strata == s)), n_batches)
            for s in np.unique(self.strata)
        ]
        batches = [
            [int(i) for part in parts for i in part[k]] for k in range(n_batches)
        ]
        batches = [b for b in batches if b]
        if self.shuffle:
            order = self._rng.permutation(len(batches))
            batches = [batches[j] for j in order]
        return batches

    def _batches(self):
        if self.strata is not None:
            return self._mixed_batches()
        if not self.shuffle:
            return self._cut(np.argsort(self.lengths, kind="stable"))
        perm = self._rng.permutation(len(self.lengths))
        pool = max(1, self.batch_size * self.pool_factor)
        batches = []
        for start in range(0, len(perm), pool):
            chunk = perm[start : start + pool]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches.extend(self._cut(chunk))
        order = self._rng.permutation(len(batches))
        return [batches[j] for j in order]

    def __iter__(self):
        yield from self._batches()

    def __len__(self):
        # Exact without shuffling; with pools the count can differ by a few batches,
        # so count a fresh draw without advancing the epoch generator.
        if not self.shuffle:
            return len(self._batches())
        state = self._rng.bit_generator.state
        n = len(self._batches())
        self._rng.bit_generator.state = state
        return n


def sequence_loader(
    dataset,
    batch_size=32,
    *,
    shuffle=False,
    bucket=True,
    max_batch_frames=None,
    seed=None,
    strata=None,
    num_workers=0,
    pin_memory=False,
    augment=None,
):
    """A :class:`~torch.utils.data.DataLoader` over a sequence dataset.

    The classifier's ``iterator_train`` and ``iterator_valid``; its keyword
    arguments are set with ``iterator_train__<name>`` / ``iterator_valid__<name>``
    (``batch_size`` comes from the classifier's ``batch_size``).

    Parameters
    ----------
    dataset : SequenceDataset or Subset of one
    batch_size : int, default=32
    shuffle : bool, default=False
    bucket : bool, default=True
        Group utterances of similar length (:class:`LengthBucketBatchSampler`).
        False: consecutive utterances (input order).
    max_batch_frames : int, default=None
        Cap on the padded frames of a batch (bucketed loader only).
    seed : int, default=None
        Shuffling seed.
    strata : array-like, default=None
        Kinds of utterance every batch mixes (see
        :class:`LengthBucketBatchSampler`; bucketed loader only).
    num_workers, pin_memory
        Passed to :class:`~torch.utils.data.DataLoader`.
    augment : callable or None, default=None
        ``augment(x, rng) -> x`` applied to every utterance of every batch
        (:class:`AugmentingCollate`, seeded from ``seed``), e.g.
        :class:`~sklearn_ser.augmentation.SpecAugment`. The classifier passes it
        to its training loader only.

    Returns
    -------
    loader : torch.utils.data.DataLoader
        Yields ``({"X": padded, "lengths": lengths}, y)``.
    """
    if bucket:
        sampler = LengthBucketBatchSampler(
            dataset_lengths(dataset),
            batch_size,
            shuffle=shuffle,
            max_batch_frames=max_batch_frames,
            seed=seed,
            strata=strata,
        )
    else:
        generator = None
        if shuffle:
            generator = torch.Generator().manual_seed(
                int(np.random.default_rng(seed).integers(2**31 - 1))
            )
        base = (
            torch.utils.data.RandomSampler(dataset, generator=generator)
            if shuffle
            else torch.utils.data.SequentialSampler(dataset)
        )
        sampler = torch.utils.data.BatchSampler(base, batch_size, drop_last=False)
    # A private generator: iterating a DataLoader draws a base seed from it, which
    # would otherwise advance torch's global random state at every prediction.
    loader_generator = torch.Generator().manual_seed(
        0 if seed is None else int(seed) % (2**63)
    )
    return DataLoader(
        dataset,
        batch_sampler=sampler,
        generator=loader_generator,
        collate_fn=(
            collate_sequences if augment is None else AugmentingCollate(augment, seed)
        ),
        num_workers=num_workers,
        pin_memory=pin_memory,
    )
