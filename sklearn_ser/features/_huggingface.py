"""Hugging Face speech encoders through transformers (wav2vec2, HuBERT, WavLM,
data2vec-audio, Whisper's encoder), with a choice of layer."""

import os
import re
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .._audio import AudioError, load_audio
from .._compat import Interval, StrOptions
from .._device import DEVICE_CONSTRAINT
from ._pretrained import (
    BasePretrainedEncoder,
    folder_fingerprint,
    is_model_folder,
    require,
)

__all__ = ["HuggingFaceEncoder"]

WHAT = "HuggingFaceEncoder"

# Model types whose encoder, given the feature extractor's attention mask, gives each
# utterance of a zero-padded batch the frames it gets alone (the tests check it). A
# group-normalised feature encoder (``feat_extract_norm == "group"``, the base
# models) normalises over the padded time axis, and data2vec-audio's stacked
# positional convolutions carry the padding into the last real frames, so for every
# other model only windows of equal length share a forward pass.
MASKED_BATCHING = {"wav2vec2", "hubert", "wavlm"}

# A hub repository id ("name" or "owner/name"); anything else that is not an
# existing folder is a missing folder, not something to look up on the hub.
_HUB_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")

_HUB_COMMITS = {}  # per-process: (name, revision) -> commit hash
_SMALL = {}  # per-process: (kind, identity) -> config / feature extractor
_MODELS = {}  # per-process: (identity, device) -> loaded model


def _resolve(model, revision):
    """``(source, revision, identity)`` of ``model``: a folder or a hub name.

    ``identity`` goes into the cache key: the sha256 of a folder's files, or the
    commit of a hub repository (``revision`` resolved, so a moving branch such as
    ``"main"`` never serves stale features).
    """
    if is_model_folder(model):
        path = Path(model).expanduser()
        for name in ("config.json", "preprocessor_config.json"):
            if not (path / name).is_file():
                raise ValueError(
                    f"model={str(model)!r} is a folder without {name}: a "
                    "HuggingFaceEncoder model is a transformers model folder "
                    "(config.json, preprocessor_config.json and the weights), as "
                    "save_pretrained writes it."
                )
        return str(path), None, ("folder", folder_fingerprint(path))
    name = str(model)
    if isinstance(model, os.PathLike) or not _HUB_ID.match(name) or ".." in name:
        raise FileNotFoundError(
            f"model={name!r}: no such model folder (and not a Hugging Face hub name "
            "such as 'facebook/wav2vec2-base')."
        )
    key = (name, revision)
    if key not in _HUB_COMMITS:
        hub = require("huggingface_hub", WHAT)
        try:
            config = hub.hf_hub_download(name, "config.json", revision=revision)
        except Exception as exc:  # no network, no such repository: one line
            raise OSError(
                f"model={name!r} is not an existing folder and could not be obtained "
                f"from the Hugging Face hub ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}); on a machine "
                "without internet pass model=<path of a local folder written by "
                "save_pretrained>."
            ) from None
        # hf_hub_download stores files under snapshots/<commit>/.
        _HUB_COMMITS[key] = Path(config).parent.name
    commit = _HUB_COMMITS[key]
    return name, commit, ("hub", name, commit)


def _small(kind, resolved):
    """The model's config or feature extractor (small JSON files), once per process.

    ``resolved`` is what :func:`_resolve` returns.
    """
    source, revision, identity = resolved
    key = (kind, identity)
    if key not in _SMALL:
        tf = require("transformers", WHAT)
        auto = tf.AutoConfig if kind == "config" else tf.AutoFeatureExtractor
        _SMALL[key] = auto.from_pretrained(source, revision=revision)
    return _SMALL[key]


def conv_output_length(n_samples, config):
    """Frames that a wav2vec2-style convolutional feature encoder makes of a signal.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> cfg = SimpleNamespace(conv_kernel=(10, 3, 3, 3, 3, 2, 2),
    ...                       conv_stride=(5, 2, 2, 2, 2, 2, 2))
    >>> conv_output_length(16000, cfg)  # 49 frames per second at 16 kHz
    49
    """
    n = int(n_samples)
    for kernel, stride in zip(config.conv_kernel, config.conv_stride):
        n = (n - kernel) // stride + 1
    return n


def conv_receptive_field(config):
    """Fewest samples from which the convolutional feature encoder makes one frame."""
    n = 1
    for kernel, stride in reversed(list(zip(config.conv_kernel, config.conv_stride))):
        n = (n - 1) * stride + kernel
    return n


class _Loaded:
    """A loaded encoder and how to feed it (one per process, model and device)."""

    def __init__(self, resolved, device, quiet):
        tf = require("transformers", WHAT)
        source, revision, _ = resolved
        self.config = _small("config", resolved)
        self.fe = _small("feature_extractor", resolved)
        bars = tf.utils.logging.is_progress_bar_enabled()
        if quiet and bars:
            tf.utils.logging.disable_progress_bar()
        try:
            model = tf.AutoModel.from_pretrained(source, revision=revision)
        finally:
            if quiet and bars:
                tf.utils.logging.enable_progress_bar()
        if getattr(model.config, "is_encoder_decoder", False):
            # Whisper: keep the encoder; the decoder is freed with `model`.
            model = model.get_encoder()
        self.input_name = model.main_input_name
        if self.input_name not in ("input_values", "input_features"):
            raise ValueError(
                f"model={source!r} is a {self.config.model_type!r} model, not a speech "
                "encoder (its input is not audio): HuggingFaceEncoder takes "
                "wav2vec2, HuBERT, WavLM, data2vec-audio or Whisper models."
            )
        # float32 whatever dtype the checkpoint was saved in (transformers 5 loads
        # it as saved by default): half-precision matmuls are slow or missing on
        # the CPU, and the inputs are float32.
        self.model = model.eval().float().to(device)
        self.device = device
        self.sampling_rate = int(self.fe.sampling_rate)
        # Whisper's encoder takes a fixed window of log-Mel frames, padded.
        self.window = getattr(self.fe, "n_samples", None)
        if self.input_name == "input_values":
            self.min_samples = conv_receptive_field(self.config)
            self.masked = (
                self.config.model_type in MASKED_BATCHING
                and getattr(self.config, "feat_extract_norm", None) == "layer"
            )
        else:
            self.min_samples = 1
            self.masked = True  # every window is padded to the same length anyway


def _load(resolved, device, quiet):
    key = (resolved[2], str(device))
    if key not in _MODELS:
        _MODELS[key] = _Loaded(resolved, device, quiet)
    return _MODELS[key]


class HuggingFaceEncoder(BasePretrainedEncoder):
    """A Hugging Face speech encoder as a feature extractor, any layer, through
    transformers.

    Each utterance is resampled to the model's rate (16 kHz), prepared by the
    model's own feature extractor (``preprocessor_config.json``: the waveform
    normalisation of wav2vec2-style models, Whisper's log-Mel input) and passed
    through the encoder (``AutoModel``; for Whisper ``WhisperModel.get_encoder()``).
    The frames of the chosen ``layer`` (about 50 per second) are cached per item and
    pooled by ``pooling``. wav2vec2, HuBERT, WavLM, data2vec-audio and Whisper
    models work; so does any other ``AutoModel`` that takes ``input_values``.

    The middle layers of self-supervised speech encoders usually carry more
    paralinguistic (emotion, speaker) information than the last, which specialises
    towards the pre-training target: ``layer`` picks one, or their average.

    Parameters
    ----------
    model : str or path
        A folder written by ``save_pretrained`` (``config.json``,
        ``preprocessor_config.json`` and the weights), or a Hugging Face hub name
        such as ``"facebook/wav2vec2-base"`` or ``"openai/whisper-base"`` that
        transformers downloads on a machine with internet. Checkpoints with a head
        (``...ForCTC``, ``WhisperForConditionalGeneration``) load without it.
    layer : int, "last" or "average", default="last"
        Which hidden states become the frames: an index into the model's
        ``output_hidden_states`` (0 is the input of the first transformer layer,
        ``k`` the output of layer ``k``, negative ints count from the end),
        ``"last"`` the model's output (``last_hidden_state``, which for models
        with a final layer norm is the last layer normalised), or ``"average"``
        the mean of all hidden states.
    pooling : {"mean+std", "mean"} or None, default="mean+std"
        How an utterance's frames become one row; None returns the frames (a
        sequence dataset) for a sequence model.
    device : {"cpu", "cuda", "auto"}, "cuda:<index>" or torch.device, default="cpu"
        Where torch runs the encoder.
    batch_size : int, default=1
        Windows per forward pass. Utterances of different lengths are zero-padded
        with the feature extractor's attention mask, which gives every utterance
        the frames it gets alone, for wav2vec2, HuBERT and WavLM models with
        ``feat_extract_norm="layer"`` (the large ones) and for Whisper. Models
        that take no attention mask (``feat_extract_norm="group"``: wav2vec2-base,
        HuBERT-base, WavLM-base) and data2vec-audio would change the frames of
        a padded utterance, so they batch only windows of equal length. Batches
        span utterances when ``n_jobs`` is 1; with more jobs each process encodes
        one utterance at a time.
    max_seconds : float, default=None
        Encode longer audio in windows of this many seconds and concatenate their
        frames (self-attention costs grow with the square of the length). None
        encodes each utterance whole; Whisper always uses windows of at most its
        30 s.
    revision : str, default=None
        Branch, tag or commit of a hub model (None: ``"main"``).
    sampling_rate, channel, on_error, n_jobs, memory, verbose
        As in :class:`~sklearn_ser.OpenSmileFeatures`. Each process loads the model
        once. The cache key holds a sha256 of the model folder's files (or the
        commit of a hub model), the layer and every parameter that changes the
        frames.

    See Also
    --------
    WhisperEncoder : Whisper's encoder from a faster-whisper (CTranslate2) folder,
        any layer and any input length, faster on the CPU.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> enc = HuggingFaceEncoder(model="microsoft/wavlm-base-plus", layer=6)
    >>> pipe = make_pipeline(enc, StandardScaler(), SVC())
    """

    _parameter_constraints: dict = {
        **BasePretrainedEncoder._parameter_constraints,
        "model": [str, os.PathLike],
        "layer": [Integral, StrOptions({"last", "average"})],
        "device": [DEVICE_CONSTRAINT],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_seconds": [Interval(Real, 0, None, closed="neither"), None],
        "revision": [str, None],
    }
    _parameter_constraints.pop("target_sampling_rate", None)

    def __init__(
        self,
        *,
        model,
        layer="last",
        pooling="mean+std",
        device="cpu",
        batch_size=1,
        max_seconds=None,
        revision=None,
        sampling_rate=None,
        channel=None,
        on_error="raise",
        n_jobs=None,
        memory=None,
        verbose=0,
    ):
        self.model = model
        self.layer = layer
        self.pooling = pooling
        self.device = device
        self.batch_size = batch_size
        self.max_seconds = max_seconds
        self.revision = revision
        self.sampling_rate = sampling_rate
        self.channel = channel
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    # -- model -------------------------------------------------------------------
    def _source(self):
        return _resolve(self.model, self.revision)

    def _model_config(self):
        return _small("config", self._source())

    def _loaded(self):
        from .._torch import resolve_device

        device = resolve_device(self.device)
        return _load(self._source(), device, quiet=not self.verbose)

    @property
    def target_sampling_rate(self):
        """The rate of the model's feature extractor (read by the engine)."""
        return int(_small("feature_extractor", self._source()).sampling_rate)

    def _dimension(self):
        return int(self._model_config().hidden_size)

    def _layer_index(self):
        """``layer`` as a non-negative index, "last" or "average"; checks the range."""
        if isinstance(self.layer, str):
            return self.layer
        n_layers = int(self._model_config().num_hidden_layers)
        if not -(n_layers + 1) <= self.layer <= n_layers:
            raise ValueError(
                f"layer={self.layer} is out of range for model={str(self.model)!r}, "
                f"which has {n_layers} transformer layers: layer must be an int from "
                f"{-(n_layers + 1)} to {n_layers} (0 is the input of the first "
                "layer), 'last' or 'average'."
            )
        return int(self.layer) % (n_layers + 1)

    def _window_samples(self, sampling_rate, whisper_window):
        window = None
        if self.max_seconds is not None:
            window = max(1, int(round(self.max_seconds * sampling_rate)))
        if whisper_window is not None:
            if window is not None and window > whisper_window:
                raise ValueError(
                    f"max_seconds={self.max_seconds} is longer than the "
                    f"{whisper_window / sampling_rate:g} s window of the Whisper "
                    f"model {str(self.model)!r}; use max_seconds=None."
                )
            window = window or whisper_window
        return window

    def _config(self):
        import torch

        from .._torch import resolve_device

        tf = require("transformers", WHAT)
        resolved = self._source()
        fe = _small("feature_extractor", resolved)
        # batch_size is left out: batching gives the frames of one-by-one encoding
        # (up to float rounding), so every batch size shares the cache.
        return (
            "huggingface-encoder",
            resolved[2],
            self._layer_index(),
            self._window_samples(int(fe.sampling_rate), getattr(fe, "n_samples", None)),
            self.channel,
            resolve_device(self.device).type,
            tf.__version__,
            torch.__version__,
        )

    # -- encoding ----------------------------------------------------------------
    def _batches(self, loaded, lengths):
        """Indices of windows that share a forward pass, shortest first."""
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        batches, current = [], []
        for i in order:
            if current and (
                len(current) == self.batch_size
                or (not loaded.masked and lengths[i] != lengths[current[0]])
            ):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def _forward(self, loaded, windows):
        """The chosen layer's frames of each window (a list of float32 arrays)."""
        import torch

        layer = self._layer_index()
        sr = loaded.sampling_rate
        if loaded.input_name == "input_features":
            inputs = loaded.fe(
                windows,
                sampling_rate=sr,
                padding="max_length",
                return_attention_mask=True,
                return_tensors="pt",
            )
            # The encoder's second convolution has stride 2: ceil(n / 2) frames
            # cover n log-Mel frames of audio; the rest cover the padding.
            keep = ((inputs["attention_mask"].sum(-1) + 1) // 2).tolist()
            kwargs = {}
        else:
            inputs = loaded.fe(
                windows,
                sampling_rate=sr,
                padding=True,
                return_attention_mask=True,
                return_tensors="pt",
            )
            keep = [conv_output_length(len(w), loaded.config) for w in windows]
            kwargs = (
                {"attention_mask": inputs["attention_mask"].to(loaded.device)}
                if loaded.masked
                else {}
            )
        x = inputs[loaded.input_name].to(loaded.device)
        with torch.inference_mode():
            out = loaded.model(x, output_hidden_states=layer != "last", **kwargs)
            if layer == "last":
                hidden = out.last_hidden_state
            elif layer == "average":
                hidden = torch.stack(out.hidden_states).mean(dim=0)
            else:
                hidden = out.hidden_states[layer]
            hidden = hidden.float().cpu().numpy()
        return [hidden[i, :n] for i, n in enumerate(keep)]

    def _encode(self, loaded, signals):
        """Frames of each signal: windows, batched forward passes, concatenation."""
        window = self._window_samples(loaded.sampling_rate, loaded.window)
        windows, owner = [], []
        for k, signal in enumerate(signals):
            signal = np.asarray(signal, dtype=np.float32)
            step = window or len(signal)
            for start in range(0, len(signal), step):
                w = signal[start : start + step]
                if len(w) < loaded.min_samples:
                    # Too short for one frame of the convolutional encoder.
                    w = np.pad(w, (0, loaded.min_samples - len(w)))
                windows.append(w)
                owner.append(k)
        frames = [None] * len(windows)
        for batch in self._batches(loaded, [len(w) for w in windows]):
            for i, f in zip(batch, self._forward(loaded, [windows[i] for i in batch])):
                frames[i] = f
        out = [[] for _ in signals]
        for k, f in zip(owner, frames):
            out[k].append(f)
        return [np.concatenate(f, axis=0).astype(np.float32, copy=False) for f in out]

    def _compute(self, signal, sampling_rate):
        return self._encode(self._loaded(), [signal])[0]

    def _run(self, todo, cache, results, errors, long=()):
        # Batching across utterances needs them in one process: with n_jobs > 1 the
        # engine encodes each utterance on its own in its workers.
        if self.batch_size == 1 or len(todo) < 2 or (self.n_jobs or 1) != 1 or long:
            return super()._run(todo, cache, results, errors, long=long)
        loaded = self._loaded()
        # A few batches' worth of utterances at a time, so that sorting them by
        # length leaves little padding.
        pool = 4 * self.batch_size
        bar = tqdm(
            total=len(todo),
            desc=type(self).__name__,
            unit="file",
            disable=not self.verbose,
        )
        with bar:
            for start in range(0, len(todo), pool):
                group = todo[start : start + pool]
                ready = []
                for item, key in group:
                    try:
                        signal, _ = load_audio(
                            item,
                            target_sampling_rate=loaded.sampling_rate,
                            channel=self.channel,
                        )
                    except (FileNotFoundError, AudioError) as exc:
                        if self.on_error == "raise":
                            raise
                        errors[item.index] = exc
                        continue
                    ready.append((item, key, signal))
                encoded = self._encode(loaded, [s for _, _, s in ready])
                for (item, key, _), value in zip(ready, encoded):
                    if not np.isfinite(value).all():
                        # as the engine's rule: never cache or return NaN features
                        exc = AudioError(
                            f"{type(self).__name__} gave NaN or infinite features "
                            f"for {item.name}; they are not cached."
                        )
                        if self.on_error == "raise":
                            raise exc
                        errors[item.index] = exc
                        continue
                    if cache is not None:
                        cache.put(key, value)
                    results[item.index] = value
                bar.update(len(group))
