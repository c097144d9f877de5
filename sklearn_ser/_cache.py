"""A per-item feature cache on disk, shared by the extractors.

One ``.npy`` file per (extractor configuration, audio item). The configuration hash
covers the extractor's class, every parameter that changes the features and the
versions of the libraries computing them; the item key is path + size + mtime for a
file, or a content hash for an in-memory waveform. Each entry is written atomically
(temporary file, then :func:`os.replace`) as soon as it is computed, so an interrupted
extraction keeps what it finished and concurrent processes (joblib workers, several
folds of a grid search) never read a half-written entry.

We store plain arrays instead of going through :class:`joblib.Memory` because a hit
must cost a ``stat`` and an ``np.load``: a cross-validation or grid search reads every
item once per fold and candidate.
"""

import hashlib
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


def _digest(obj):
    return hashlib.sha1(repr(obj).encode()).hexdigest()


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

    def get(self, key):
        """The stored array, or None."""
        try:
            return np.load(self._path(key), allow_pickle=False)
        except (FileNotFoundError, ValueError, OSError, EOFError):
            # Missing, or unreadable (e.g. a disk that filled up): recompute.
            return None

    def put(self, key, value):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, np.asarray(value), allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
