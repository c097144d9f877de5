"""Enlarge the training utterances only: a meta-estimator around an audio pipeline."""

import hashlib
from numbers import Integral

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._audio import as_audio_items, load_audio
from .._compat import HasMethods, Interval, _check_method_params, _fit_context
from ._noise import AddNoise

__all__ = ["AugmentedTraining", "augmented_copies"]


def _content_seed(signal):
    """A 64-bit integer that depends on the waveform's samples only."""
    digest = hashlib.sha1(np.ascontiguousarray(signal).view(np.uint8)).digest()
    return int.from_bytes(digest[:8], "little")


def augmented_copies(waveforms, augment, n_copies, seed):
    """``n_copies`` augmented copies of every waveform, copy-major.

    Copy ``c`` of a waveform is drawn with ``numpy.random.default_rng([seed, c,
    content])``, ``content`` a hash of its samples: the same utterance gets the same
    copies in every cross-validation fold, so a feature cache computes them once,
    and no copy depends on which other utterances are in the fold.

    Returns
    -------
    list of ndarray
        ``[copy 0 of every waveform, ..., copy n_copies-1 of every waveform]``.
    """
    seeds = [_content_seed(w) for w in waveforms]
    return [
        augment(w, np.random.default_rng([seed, c, s]))
        for c in range(n_copies)
        for w, s in zip(waveforms, seeds)
    ]


def _estimator_has(attr):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


class AugmentedTraining(MetaEstimatorMixin, BaseEstimator):
    """Fit an audio estimator on its training utterances plus augmented copies.

    ``fit(X, y)`` reads every training utterance, makes ``n_copies`` augmented
    copies of each (waveform level, e.g. :class:`AddNoise`), and fits a clone of
    ``estimator`` on the originals followed by the copies, with ``y`` and every
    per-utterance fit parameter (``groups``, ``sample_weight``) repeated to match.
    ``predict``, ``predict_proba``, ``decision_function`` and ``score`` go to the
    fitted estimator unchanged: validation and test utterances are never
    augmented, so nothing of a cross-validation's test fold enters training, and
    an estimator that early-stops on held-out training speakers (by ``groups``)
    holds out a speaker's copies together with the speaker.

    The originals are passed on as given (paths stay paths, so a feature cache
    keyed on files still hits); the copies are float32 waveforms at
    ``sampling_rate``, so the estimator's front end must take in-memory audio at
    that rate (e.g. ``LogMelDeltas(sampling_rate=16000)``, or
    :func:`~sklearn_ser.classifiers.make_attention_pipeline`, whose default it is).

    Parameters
    ----------
    estimator : estimator
        Takes audio items (paths or waveforms) as ``X``: a pipeline whose first
        step is a feature extractor.
    augment : callable or None, default=None
        ``augment(signal, rng) -> signal``, on a mono float32 waveform at
        ``sampling_rate``; None: ``AddNoise()`` (white noise, SNR 10-30 dB).
    n_copies : int, default=1
        Augmented copies per training utterance (the estimator trains on
        ``(1 + n_copies)`` times as many utterances).
    sampling_rate : int, default=16000
        Rate the training audio is read at (resampled if need be) and the copies
        are given at; also the rate of in-memory waveforms in ``X``.
    random_state : int, RandomState instance or None, default=None
        Seeds the copies (see :func:`augmented_copies`); an int makes them
        reproducible.

    Attributes
    ----------
    estimator_ : estimator
        The clone of ``estimator`` fitted on the enlarged training set.
    classes_ : ndarray
        The fitted estimator's classes (when it has them).
    n_train_ : int
        Utterances the estimator was fitted on (originals and copies).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser import LogMelDeltas
    >>> from sklearn_ser.features import FrameStatistics
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.standard_normal(8000).astype(np.float32) * a for a in (0.1, 1) * 4]
    >>> y = ["quiet", "loud"] * 4
    >>> logmel = LogMelDeltas(sampling_rate=16000)
    >>> pipe = make_pipeline(logmel, FrameStatistics(), SVC())
    >>> model = AugmentedTraining(pipe, n_copies=2, random_state=0).fit(X, y)
    >>> model.n_train_, model.predict(X[:2]).tolist()
    (24, ['quiet', 'loud'])
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit"])],
        "augment": [callable, None],
        "n_copies": [Interval(Integral, 0, None, closed="left")],
        "sampling_rate": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        *,
        augment=None,
        n_copies=1,
        sampling_rate=16000,
        random_state=None,
    ):
        self.estimator = estimator
        self.augment = augment
        self.n_copies = n_copies
        self.sampling_rate = sampling_rate
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the estimator on ``X`` and ``n_copies`` augmented copies of it.

        Parameters
        ----------
        X : sequence of paths or waveforms
        y : array-like of shape (n_samples,)
        **fit_params : dict
            Passed to ``estimator.fit`` (through metadata routing when it is
            enabled); those with one entry per utterance are repeated for the
            copies.

        Returns
        -------
        self
        """
        augment = AddNoise() if self.augment is None else self.augment
        if hasattr(augment, "check"):
            augment.check()
        items = as_audio_items(X, sampling_rate=self.sampling_rate)
        n = len(items)
        y = np.asarray(y)
        if y.shape[:1] != (n,):
            raise ValueError(
                f"y has {y.shape[0] if y.ndim else 0} entries for {n} audio items in X."
            )
        if get_config()["enable_metadata_routing"]:
            params = process_routing(self, "fit", **fit_params).estimator.fit
        else:
            params = fit_params
        rs = self.random_state
        seed = rs if isinstance(rs, Integral) else check_random_state(rs).randint(2**31)
        copies = []
        if self.n_copies:
            signals = [
                load_audio(item, target_sampling_rate=self.sampling_rate)[0]
                for item in items
            ]
            copies = augmented_copies(signals, augment, self.n_copies, seed)
        originals = [
            item.path if item.path is not None else item.waveform for item in items
        ]
        X_all = np.empty(n + len(copies), dtype=object)
        X_all[:] = originals + copies
        # every original, then each copy: per-utterance params follow the same rows
        rows = np.tile(np.arange(n), 1 + self.n_copies)
        params = _check_method_params(items, params=params, indices=rows)
        self.estimator_ = clone(self.estimator).fit(X_all, y[rows], **params)
        self.n_train_ = len(X_all)
        return self

    @property
    def classes_(self):
        check_is_fitted(self)
        return self.estimator_.classes_

    def _routed(self, method, params):
        if get_config()["enable_metadata_routing"]:
            return getattr(process_routing(self, method, **params).estimator, method)
        return params

    @available_if(_estimator_has("predict"))
    def predict(self, X, **params):
        """Predict with the fitted estimator (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.predict(X, **self._routed("predict", params))

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Class probabilities of the fitted estimator (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X, **self._routed("predict_proba", params))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Decision function of the fitted estimator (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.decision_function(
            X, **self._routed("decision_function", params)
        )

    @available_if(_estimator_has("score"))
    def score(self, X, y, **params):
        """The fitted estimator's score on ``X`` (no augmentation)."""
        check_is_fitted(self)
        return self.estimator_.score(X, y, **self._routed("score", params))

    def get_metadata_routing(self):
        """Route ``fit``/``predict``/... parameters to the wrapped estimator."""
        mapping = MethodMapping()
        for method in ("fit", "predict", "predict_proba", "decision_function", "score"):
            mapping.add(caller=method, callee=method)
        return MetadataRouter(owner=type(self).__name__).add(
            estimator=self.estimator, method_mapping=mapping
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        return tags
