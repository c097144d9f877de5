"""A per-item feature cache on disk, shared by the extractors.

One ``.npy`` file per (extractor configuration, audio item). The configuration hash
covers the extractor's class, every parameter that changes the features and the
versions of the libraries computing them; the item key is path + size + mtime for a
file, or a content hash for an in-memory waveform. Each entry is written atomically
(temporary file, then :func:`os.replace`) as soon as it is computed, so an interrupted
extraction keeps what it finished and concurrent processes (joblib workers, several
folds of a grid search) never read a half-written entry.

Each entry is an ordinary ``.npy`` file followed by a 16-byte BLAKE2b digest of it
(``np.load`` ignores the trailer). An entry whose digest does not match (a damaged
disk, a file overwritten in place, an entry from an older version) or whose dtype or
shape is not the extractor's is treated as missing: it is recomputed and replaced,
never returned.

We store plain arrays instead of going through :class:`joblib.Memory` because a hit
must cost a ``stat`` and an ``np.load``: a cross-validation or grid search reads every
item once per fold and candidate.
"""

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
from joblib import Memory

__all__ = ["ItemCache", "get_cache_dir"]

CACHE_ENV = "SKLEARN_SER_CACHE"


def get_cache_dir():
    """The default feature cache folder, shared by the command line and the API.

    ``$SKLEARN_SER_CACHE`` when set and not empty, else
    ``$XDG_CACHE_HOME/sklearn-ser/features``, else
    ``~/.cache/sklearn-ser/features``. Pass it as an extractor's ``memory`` to share
    the command line's cache; the folder is created on first write.

    Returns
    -------
    path : str
        Expanded path (it may not exist yet).

    Examples
    --------
    >>> from sklearn_ser import OpenSmileIS10, get_cache_dir
    >>> extractor = OpenSmileIS10(memory=get_cache_dir())
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return os.path.expanduser(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return os.path.expanduser(os.path.join(base, "sklearn-ser", "features"))


_CHECKSUM_BYTES = 16


def _digest(obj):
    return hashlib.sha1(repr(obj).encode()).hexdigest()


def _checksum(data):
    return hashlib.blake2b(data, digest_size=_CHECKSUM_BYTES).digest()


def _fits(value, like):
    """Whether a stored array has ``like``'s dtype and shape (any number of frames)."""
    if value.dtype != like.dtype or value.ndim != like.ndim:
        return False
    if value.ndim == 1:
        return value.shape == like.shape
    return value.shape[1:] == like.shape[1:]


class ItemCache:
    """Arrays stored under ``<location>/sklearn_ser/<namespace>-<config hash>/``."""

    def __init__(self, location, namespace, config):
        self.directory = (
            Path(location).expanduser()
            / "sklearn_ser"
            / f"{namespace}-{_digest(config)[:16]}"
        )

    @classmethod
    def from_memory(cls, memory, namespace, config):
        """Build from an extractor's ``memory`` parameter (None -> no cache)."""
        if memory is None:
            return None
        if isinstance(memory, Memory):
            if memory.location is None:
                return None
            return cls(memory.location, namespace, config)
        if isinstance(memory, (str, os.PathLike)):
            return cls(memory, namespace, config)
        raise TypeError(
            "memory must be None, a directory path or a joblib.Memory; got "
            f"{type(memory).__name__}."
        )

    def _path(self, key):
        h = _digest(key)
        return self.directory / h[:2] / f"{h}.npy"

    def get(self, key, like=None):
        """The stored array, or None when it is missing, damaged or not like ``like``.

        ``like`` is an array of the expected dtype and shape; for 2-D and higher
        arrays the first axis (frames) may differ.
        """
        try:
            data = self._path(key).read_bytes()
        except OSError:
            # Missing, or unreadable (e.g. a disk that filled up): recompute.
            return None
        body, stored = data[:-_CHECKSUM_BYTES], data[-_CHECKSUM_BYTES:]
        if len(data) <= _CHECKSUM_BYTES or _checksum(body) != stored:
            return None
        try:
            value = np.load(io.BytesIO(body), allow_pickle=False)
        except (ValueError, OSError, EOFError):
            return None
        if like is not None and not _fits(value, like):
            return None
        return value

    def put(self, key, value):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(value), allow_pickle=False)
        body = buffer.getvalue()
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body + _checksum(body))
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
