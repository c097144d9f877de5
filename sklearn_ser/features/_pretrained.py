"""What every pretrained speech encoder shares: pooling, model identity, the extra.

A pretrained encoder (:class:`~sklearn_ser.WhisperEncoder`,
:class:`~sklearn_ser.HuggingFaceEncoder`) turns each utterance into a sequence of
encoder frames. The extraction engine caches those frames (so every pooling choice
shares one cache entry) and ``transform`` then applies ``pooling``:

* ``"mean+std"``: per-dimension mean and standard deviation over the frames,
  ``2 * d`` values per utterance (the usual utterance-level embedding);
* ``"mean"``: the mean only, ``d`` values;
* ``None``: the frames themselves, as a sequence dataset (see
  :mod:`sklearn_ser._sequences`), so that the encoder replaces
  :class:`~sklearn_ser.LogMelDeltas` in front of a sequence model.

The heavy libraries (CTranslate2 / faster-whisper, transformers) are an optional
extra: ``pip install "sklearn-ser[pretrained]"``; :func:`require` turns their absence
into one line that says so.
"""

import hashlib
import importlib
import os
from pathlib import Path

import numpy as np

from .._audio import as_audio_items
from .._cache import ItemCache
from .._compat import StrOptions, _get_output_config
from .._sequences import as_sequences
from ._base import BaseAudioExtractor
from ._pooling import pool_statistics, pooled_feature_names

__all__ = ["BasePretrainedEncoder", "folder_fingerprint", "pool_frames", "require"]

#: Each ``pooling`` and the statistics it pools, in order (as FrameStatistics' stats).
POOLINGS = {"mean+std": ("mean", "std"), "mean": ("mean",)}

EXTRA_HINT = 'pip install "sklearn-ser[pretrained]"'


def require(module, what):
    """Import ``module`` or raise one ImportError line naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{what} needs the optional dependency {module!r} ({exc}); install it "
            f"with: {EXTRA_HINT}"
        ) from None


def pool_frames(frames, pooling):
    """Pool ``(n_frames, d)`` frames into ``(2d,)`` (mean+std) or ``(d,)`` (mean).

    ``pooling=None`` returns the frames unchanged. The statistics are those of
    :class:`~sklearn_ser.FrameStatistics` (:func:`~._pooling.pool_statistics`).

    Examples
    --------
    >>> import numpy as np
    >>> pool_frames(np.array([[0.0, 1.0], [2.0, 3.0]]), "mean+std")
    array([1., 2., 1., 1.])
    """
    frames = np.asarray(frames)
    if pooling is None:
        return frames
    if pooling not in POOLINGS:
        raise ValueError(
            f"pooling must be one of {tuple(POOLINGS)} or None; got {pooling!r}."
        )
    return pool_statistics(frames, POOLINGS[pooling])


_FINGERPRINTS = {}


def folder_fingerprint(path):
    """sha256 of a model folder's files (names and contents), memoised by stat.

    The cache key of a pretrained encoder holds this, not the folder's name, so
    that replacing the weights under the same path never serves stale features.
    """
    root = Path(path)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    stamp = tuple(
        (str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in files
    )
    memo_key = (str(root.resolve()), stamp)
    if memo_key not in _FINGERPRINTS:
        h = hashlib.sha256()
        for p in files:
            h.update(str(p.relative_to(root)).encode() + b"\0")
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        _FINGERPRINTS[memo_key] = h.hexdigest()
    return _FINGERPRINTS[memo_key]


class BasePretrainedEncoder(BaseAudioExtractor, auto_wrap_output_keys=None):
    """Pooling, output and names shared by the pretrained encoders (not for direct use).

    A subclass provides ``_config()``, ``_compute(signal, sr)`` returning the
    ``(n_frames, d)`` float32 encoder frames of one utterance, and ``_dimension()``
    (``d``); ``_width()`` is the width of an output frame when it is not ``d``.
    """

    _parameter_constraints: dict = {
        **BaseAudioExtractor._parameter_constraints,
        "pooling": [StrOptions(set(POOLINGS)), None],
    }

    def _dimension(self):
        raise NotImplementedError

    def _width(self):
        """The width of one output frame (``_dimension()`` unless overridden)."""
        return self._dimension()

    def _failed_value(self):
        return np.full((1, self._dimension()), np.nan, dtype=np.float32)

    def transform(self, X):
        """Encode every audio item and pool its frames.

        Parameters
        ----------
        X : sequence of paths or waveforms, or pandas Series
            See :mod:`sklearn_ser._audio`.

        Returns
        -------
        ndarray of shape (n_samples, n_features), or a sequence dataset
            Pooled float32 rows, or with ``pooling=None`` one
            ``(n_frames, d)`` array per item.
        """
        # an encoder needs no fit (requires_fit=False): transform checks too
        self._validate_params()
        if self.pooling is None and _get_output_config("transform", self)[
            "dense"
        ] not in ("default", None):
            raise ValueError(
                "pooling=None gives frame sequences, which cannot be returned as a "
                "DataFrame; use set_output(transform='default') or a pooling."
            )
        if self.pooling is None:
            return as_sequences(self._extract(X))
        return np.vstack(self._pooled(X)).astype(np.float32, copy=False)

    def _pooled(self, X):
        """Pooled rows, each also cached on its own (a few KB instead of the frames).

        A cached rerun then reads one small entry per item, not its frames; the
        frames stay cached too, so another pooling (or ``pooling=None``) of the
        same audio never runs the encoder again.
        """
        frames_cache = self._cache()
        if frames_cache is None:
            return [pool_frames(f, self.pooling) for f in self._extract(X)]
        cache = ItemCache.from_memory(
            self.memory,
            f"{type(self).__name__}-{self.pooling}",
            (type(self).__name__, self._config(), self.pooling),
        )
        n = self._width() * len(POOLINGS[self.pooling])
        like = np.zeros(n, np.float32)
        items = as_audio_items(X, sampling_rate=self.sampling_rate)
        rows, todo = [None] * len(items), []
        for item in items:
            try:
                key = item.cache_key()
            except FileNotFoundError:
                key = None  # the engine reports it, by its on_error
            hit = cache.get(key, like=like) if key is not None else None
            if hit is None:
                todo.append((item, key))
            else:
                rows[item.index] = hit
        if todo:
            subset = [it.path if it.path is not None else it.waveform for it, _ in todo]
            for (item, key), frames in zip(todo, self._extract(subset)):
                row = pool_frames(frames, self.pooling).astype(np.float32)
                if key is not None and np.isfinite(row).all():
                    cache.put(key, row)
                rows[item.index] = row
        return rows

    def get_feature_names_out(self, input_features=None):
        """``mean_<i>`` then ``std_<i>`` (``"mean+std"``), ``mean_<i>``, or ``e<i>``."""
        d = self._width()
        if self.pooling is None:
            names = [f"e{i}" for i in range(d)]
        else:
            names = pooled_feature_names(POOLINGS[self.pooling], range(d))
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}_{n}" for n in names], dtype=object)


def is_model_folder(model):
    """True when ``model`` names an existing directory."""
    return isinstance(model, (str, os.PathLike)) and Path(model).expanduser().is_dir()
