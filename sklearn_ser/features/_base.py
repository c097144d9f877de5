"""The extraction engine shared by every audio feature extractor.

An extractor subclasses :class:`BaseAudioExtractor` and defines two things:
``_config()`` (everything that changes its output, for the cache key) and
``_compute(signal, sampling_rate)`` (features of one mono signal). The engine reads
the input (:mod:`sklearn_ser._audio`), looks every item up in the cache, computes the
misses (in ``n_jobs`` joblib processes, each entry cached as soon as it is done),
reports progress, and applies ``on_error``.
"""

import os
import warnings
from numbers import Integral

from joblib import Memory, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from tqdm.auto import tqdm

from .._audio import AudioError, as_audio_items, load_audio
from .._cache import ItemCache
from .._compat import Interval, StrOptions
from .._parallel import streaming_parallel

__all__ = ["BaseAudioExtractor", "ExtractionWarning"]


class ExtractionWarning(UserWarning):
    """Some audio items failed and were replaced by NaN (``on_error="warn"``)."""


def _extract_chunk(extractor, items, cache):
    """Worker: compute ``(item, cache key)`` pairs, caching each one when done."""
    out = []
    for item, key in items:
        try:
            signal, sr = load_audio(
                item,
                target_sampling_rate=extractor.target_sampling_rate,
                channel=extractor.channel,
            )
            value = extractor._compute(signal, sr)
        except (FileNotFoundError, AudioError) as exc:
            out.append((item.index, exc))
            continue
        if cache is not None:
            cache.put(key, value)
        out.append((item.index, value))
    return out


class BaseAudioExtractor(TransformerMixin, BaseEstimator):
    """Base class of the audio feature extractors (not for direct use)."""

    _parameter_constraints: dict = {
        "sampling_rate": [Interval(Integral, 1, None, closed="left"), None],
        "target_sampling_rate": [Interval(Integral, 1, None, closed="left"), None],
        "channel": [Integral, None],
        "on_error": [StrOptions({"raise", "warn"})],
        "n_jobs": [Integral, None],
        "memory": [None, str, os.PathLike, Memory],
        "verbose": ["verbose"],
    }

    # -- what subclasses provide -------------------------------------------------
    def _config(self):
        raise NotImplementedError

    def _compute(self, signal, sampling_rate):
        raise NotImplementedError

    def _failed_value(self):
        """What a failed item becomes with on_error='warn' (NaN of the right shape)."""
        raise NotImplementedError

    # -- the engine ----------------------------------------------------------------
    def _cache(self):
        return ItemCache.from_memory(
            self.memory, type(self).__name__, (type(self).__name__, self._config())
        )

    def _extract(self, X):
        """Features of every item of ``X``, in order, as a list."""
        items = as_audio_items(X, sampling_rate=self.sampling_rate)
        cache = self._cache()
        results = [None] * len(items)
        errors = {}
        todo = []
        for item in items:
            try:
                key = item.cache_key()
            except FileNotFoundError as exc:
                if self.on_error == "raise":
                    raise
                errors[item.index] = exc
                continue
            hit = cache.get(key) if cache is not None else None
            if hit is None:
                # The key travels with the item: a worker need not stat the file
                # (or hash the waveform) a second time.
                todo.append((item, key))
            else:
                results[item.index] = hit
        self._run(todo, cache, results, errors)
        if errors:
            listing = "; ".join(f"{errors[i]}" for i in sorted(errors))
            warnings.warn(
                f"{type(self).__name__}: {len(errors)} of {len(items)} audio items "
                f"failed and were replaced by NaN: {listing}",
                ExtractionWarning,
                stacklevel=3,
            )
            for i in errors:
                results[i] = self._failed_value()
        return results

    def _run(self, todo, cache, results, errors):
        if not todo:
            return
        n_jobs = self.n_jobs if self.n_jobs is not None else 1
        bar = tqdm(
            total=len(todo),
            desc=f"{type(self).__name__}",
            unit="file",
            disable=not self.verbose,
        )
        if n_jobs == 1:
            chunks = ([pair] for pair in todo)
            done = (_extract_chunk(self, c, cache) for c in chunks)
        else:
            # The active joblib backend knows how many workers n_jobs means (all
            # cores for loky, every worker of a dask cluster): about four chunks
            # per worker balance the load without a task per file.
            n_workers = max(1, effective_n_jobs(n_jobs))
            size = max(1, min(16, len(todo) // (4 * n_workers)))
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            # Where the backend cannot stream results, workers still cache every
            # item as soon as it is done.
            done = streaming_parallel(n_jobs)(
                delayed(_extract_chunk)(self, c, cache) for c in chunks
            )
        with bar:
            for chunk in done:
                for index, value in chunk:
                    if isinstance(value, Exception):
                        if self.on_error == "raise":
                            raise value
                        errors[index] = value
                    else:
                        results[index] = value
                bar.update(len(chunk))

    def fit(self, X, y=None):
        """Validate the parameters; extractors of functionals learn nothing."""
        self._validate_params()
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags
