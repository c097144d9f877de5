import pickle

import numpy as np
import pytest
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_consistent_length

from sklearn_ser import (
    as_sequences,
    check_sequences,
    concat_frames,
    is_sequences,
    pad_sequences,
    sequence_lengths,
    split_frames,
    unpad_sequences,
)


def _ragged(rng, lengths=(3, 7, 1, 5), n_features=4):
    return as_sequences([rng.standard_normal((n, n_features)) for n in lengths])


def test_equal_lengths_stay_one_dimensional(rng):
    X = as_sequences([rng.standard_normal((5, 3)) for _ in range(4)])
    assert X.shape == (4,) and X.dtype == object
    assert all(x.shape == (5, 3) and x.dtype == np.float32 for x in X)


def test_pad_unpad_round_trip(rng):
    X = _ragged(rng)
    padded, lengths = pad_sequences(X, padding_value=-7.0)
    assert padded.shape == (4, 7, 4)
    assert lengths.tolist() == [3, 7, 1, 5]
    assert np.all(padded[2, 1:] == -7.0)
    back = unpad_sequences(padded, lengths)
    for a, b in zip(X, back):
        np.testing.assert_array_equal(a, b)


def test_pad_truncates_to_max_length(rng):
    padded, lengths = pad_sequences(_ragged(rng), max_length=4)
    assert padded.shape[1] == 4 and lengths.tolist() == [3, 4, 1, 4]


def test_concat_split_round_trip(rng):
    X = _ragged(rng)
    frames, lengths = concat_frames(X)
    assert frames.shape == (16, 4)
    back = split_frames(frames, lengths)
    assert is_sequences(back)
    for a, b in zip(X, back):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="sum to"):
        split_frames(frames, [1, 2])


def test_sklearn_indexing_and_pickle(rng):
    X = _ragged(rng)
    y = np.array([0, 1, 0, 1])
    check_consistent_length(X, y)
    sub = _safe_indexing(X, np.array([3, 0]))
    assert is_sequences(sub) and sub[0].shape == (5, 4)
    again = pickle.loads(pickle.dumps(X))
    assert sequence_lengths(again).tolist() == [3, 7, 1, 5]


def test_check_sequences_errors(rng):
    X = _ragged(rng)
    with pytest.raises(ValueError, match="sequence dataset"):
        check_sequences(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"X\[0\] has 4 features.*expecting 3"):
        check_sequences(X, n_features=3)
    bad = X.copy()
    bad[2] = np.full((2, 4), np.nan, dtype=np.float32)
    with pytest.raises(ValueError, match=r"X\[2\] contains NaN"):
        check_sequences(bad)
    assert check_sequences(bad, allow_nan=True) is not None
    with pytest.raises(ValueError, match="different feature counts"):
        check_sequences(as_sequences([np.zeros((2, 3)), np.zeros((2, 4))]))
    with pytest.raises(ValueError, match="0 frames"):
        check_sequences(as_sequences([np.zeros((0, 3))]))
    with pytest.raises(TypeError, match="sequence dataset"):
        check_sequences(42)
