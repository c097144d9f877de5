"""The extraction engine shared by every audio feature extractor.

An extractor subclasses :class:`BaseAudioExtractor` and defines two things:
``_config()`` (everything that changes its output, for the cache key) and
``_compute(signal, sampling_rate)`` (features of one mono signal). The engine reads
the input (:mod:`sklearn_ser._audio`), looks every item up in the cache, computes the
misses (in ``n_jobs`` joblib processes, each entry cached as soon as it is done),
reports progress, and applies ``on_error``.

Only real results are cached: features with NaN or infinite values are a failure of
that item (an :class:`~sklearn_ser.AudioError` naming it), and a cached entry is
returned only if it is intact and has the dtype and shape of ``_failed_value()``.
Items longer than the extractor's ``_long_audio_seconds`` are extracted one at a
time, after the others, with a :class:`LongAudioWarning`.
"""

import os
import warnings
from itertools import chain
from numbers import Integral

import numpy as np
from joblib import Memory, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from tqdm.auto import tqdm

from .._audio import AudioError, as_audio_items, audio_duration, load_audio
from .._cache import ItemCache
from .._compat import Interval, StrOptions, _fit_context
from .._parallel import cap_n_jobs, one_blas_thread, streaming_parallel

__all__ = ["BaseAudioExtractor", "ExtractionWarning", "LongAudioWarning"]


class ExtractionWarning(UserWarning):
    """Some audio items failed and were replaced by NaN (``on_error="warn"``)."""


class LongAudioWarning(UserWarning):
    """Some audio items are long enough to need much memory; they run one at a time."""


def _extract_chunk(extractor, items, cache):
    """Worker: compute ``(item, cache key)`` pairs, caching each one when done.

    BLAS runs on one thread whatever process this is, so the features of a file
    are the same bits for every ``n_jobs`` (:func:`one_blas_thread`).
    """
    with one_blas_thread():
        return _extract_items(extractor, items, cache)


def _extract_items(extractor, items, cache):
    out = []
    for item, key in items:
        try:
            signal, sr = load_audio(
                item,
                target_sampling_rate=extractor.target_sampling_rate,
                channel=extractor.channel,
            )
            value = extractor._compute(signal, sr)
            if not np.isfinite(value).all():
                raise AudioError(
                    f"{type(extractor).__name__} gave NaN or infinite features for "
                    f"{item.name}; they are not cached."
                )
        except (FileNotFoundError, AudioError) as exc:
            out.append((item.index, exc))
            continue
        if cache is not None:
            cache.put(key, value)
        out.append((item.index, extractor._output(value)))
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
    #: Items longer than this many seconds are extracted one at a time, after the
    #: others, with a LongAudioWarning (None: no limit). Set by extractors whose
    #: memory grows with the length of a file.
    _long_audio_seconds = None

    def _config(self):
        raise NotImplementedError

    def _compute(self, signal, sampling_rate):
        raise NotImplementedError

    def _prepare(self):
        """Optional: one-time set-up in this process before any item is computed.

        Called only when some item is not cached, before the progress bar starts.
        """

    def _failed_value(self):
        """What a failed item becomes with on_error='warn' (NaN of the right shape).

        Its dtype and shape (but for the number of frames of a sequence) are also
        what a cached entry must have to be used.
        """
        raise NotImplementedError

    def _output(self, value):
        """What the engine returns of a computed, cached or failed value.

        The value itself, unless the extractor computes and caches more than one
        setting of a parameter gives (every layer of an encoder, one of them
        returned): then the part that the parameter asks for. Applied item by
        item, so that the larger values are never all held at once.
        """
        return value

    # -- the engine ----------------------------------------------------------------
    def _cache(self):
        return ItemCache.from_memory(
            self.memory, type(self).__name__, (type(self).__name__, self._config())
        )

    def _extract(self, X):
        """Features of every item of ``X``, in order, as a list."""
        items = as_audio_items(X, sampling_rate=self.sampling_rate)
        cache = self._cache()
        like = self._failed_value() if cache is not None else None
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
            hit = cache.get(key, like=like) if cache is not None else None
            if hit is None:
                # The key travels with the item: a worker need not stat the file
                # (or hash the waveform) a second time.
                todo.append((item, key))
            else:
                results[item.index] = self._output(hit)
        todo, long = self._split_long(todo)
        if todo or long:
            self._prepare()
        self._run(todo, cache, results, errors, long=long)
        if errors:
            listing = "; ".join(f"{errors[i]}" for i in sorted(errors))
            warnings.warn(
                f"{type(self).__name__}: {len(errors)} of {len(items)} audio items "
                f"failed and were replaced by NaN: {listing}",
                ExtractionWarning,
                stacklevel=3,
            )
            for i in errors:
                results[i] = self._output(self._failed_value())
        return results

    def _split_long(self, todo):
        """Set apart the items longer than ``_long_audio_seconds``, with a warning."""
        limit = self._long_audio_seconds
        if limit is None:
            return todo, []
        short, long = [], []
        for pair in todo:
            seconds = audio_duration(pair[0])
            if seconds is not None and seconds > limit:
                long.append((pair, seconds))
            else:
                short.append(pair)
        if long:
            listing = "; ".join(f"{p[0].name}: {s:.0f} s" for p, s in long)
            warnings.warn(
                f"{type(self).__name__}: {len(long)} audio items are longer than "
                f"{limit:g} s and need much memory each, so they are extracted one "
                f"at a time after the others: {listing}",
                LongAudioWarning,
                stacklevel=4,
            )
        return short, [p for p, _ in long]

    def _run(self, todo, cache, results, errors, long=()):
        if not todo and not long:
            return
        n_jobs = cap_n_jobs(self.n_jobs if self.n_jobs is not None else 1)
        bar = tqdm(
            total=len(todo) + len(long),
            desc=f"{type(self).__name__}",
            unit="file",
            disable=not self.verbose,
        )
        if n_jobs == 1 or not todo:
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
        # Long items run in this process once the parallel ones are done.
        done = chain(done, (_extract_chunk(self, [pair], cache) for pair in long))
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters; extractors of functionals learn nothing."""
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags
