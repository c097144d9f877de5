"""The Whisper encoder through CTranslate2 (faster-whisper's model format)."""

import os
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from .._cache import ItemCache
from .._compat import Interval, StrOptions
from .._device import DEVICE_CONSTRAINT, resolve_device_name
from .._parallel import one_blas_thread
from ._ct2_file import ct2_variables
from ._pretrained import BasePretrainedEncoder, folder_fingerprint, require

__all__ = ["WhisperEncoder"]

SAMPLING_RATE = 16000
WINDOW_SECONDS = 30
HOP = 160  # samples between log-Mel frames: 100 per second; the encoder halves it
WINDOW_MEL_FRAMES = WINDOW_SECONDS * SAMPLING_RATE // HOP  # 3000
MIN_SAMPLES = 400  # one FFT window of the log-Mel: 2 frames, 1 encoder frame

_MODELS = {}  # per-process: (path, device, compute_type, threads) -> loaded model


def resolve_ct2_device(device):
    """The device name for CTranslate2: the one rule, with the GPUs CTranslate2 sees."""
    ct2 = require("ctranslate2", "WhisperEncoder")
    return resolve_device_name(
        device, n_cuda=ct2.get_cuda_device_count(), backend="CTranslate2"
    )


def resolve_whisper_model(model):
    """The local folder of ``model`` (a folder, or a size name faster-whisper knows)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ValueError(
                f"model={str(model)!r} is a folder without model.bin: a WhisperEncoder "
                "model is a faster-whisper/CTranslate2 Whisper folder (model.bin, "
                "config.json, tokenizer.json, vocabulary.txt)."
            )
        return str(path)
    fw_utils = require("faster_whisper.utils", "WhisperEncoder")
    names = fw_utils.available_models()
    if str(model) not in names:
        raise ValueError(
            f"model={str(model)!r} is neither an existing folder nor a Whisper size "
            f"name ({', '.join(names)})."
        )
    try:
        return fw_utils.download_model(str(model))
    except Exception as exc:  # no network, hub error: one line, with the way out
        raise OSError(
            f"could not obtain the Whisper model {str(model)!r} through faster-whisper "
            f"({type(exc).__name__}: {exc}); on a machine without internet pass "
            "model=<path of a local faster-whisper/CTranslate2 model folder>."
        ) from None


def ct2_variable_shape(path, name):
    """The shape of variable ``name`` in a CTranslate2 ``model.bin``, or None.

    Reads the file's header only (:func:`~._ct2_file.ct2_variables`):
    milliseconds, without loading the model.
    """
    try:
        variable = ct2_variables(path).get(name)
    except (OSError, ValueError):
        return None
    return None if variable is None else list(variable.shape)


def ct2_encoder_layers(path):
    """The number of encoder layers of a CTranslate2 Whisper ``model.bin`` (header)."""
    names = ct2_variables(path)
    n = 0
    while f"encoder/layer_{n}/ffn/linear_0/weight" in names:
        n += 1
    return n


#: Encoder layers of the published Whisper sizes, by the word in the size's name.
_SIZE_LAYERS = {"tiny": 4, "base": 6, "small": 12, "medium": 24, "large": 32}


def whisper_encoder_layers(model):
    """The number of encoder layers of ``model`` without loading it, or None.

    A folder holding ``model.bin``: from its header (milliseconds). A size name
    (``"base"``, ``"small.en"``, ``"large-v3"``...): the published size's count.
    Anything else (a folder that is not a model yet, an unknown name): None.
    """
    bin_path = os.path.join(os.path.expanduser(str(model)), "model.bin")
    if os.path.isfile(bin_path):
        return ct2_encoder_layers(bin_path)
    for word, n in _SIZE_LAYERS.items():
        if word in os.path.basename(str(model).rstrip("/")).split(".")[0]:
            return n
    return None


def _damaged(path, reason):
    return ValueError(
        f"the Whisper model in {path} is damaged or not a CTranslate2 Whisper model "
        f"({reason}); provision the folder again (model.bin, config.json, "
        "tokenizer.json, vocabulary.txt as faster-whisper downloads them)."
    )


def _load(path, device, compute_type, threads):
    """The loaded model of folder ``path``, checked once per process.

    A damaged ``model.bin`` either fails to load (CTranslate2 raises anything from
    RuntimeError to UnicodeDecodeError) or loads and gives NaN for every input;
    both are reported as the model folder's fault, never an audio item's.
    """
    key = (path, device, compute_type, threads)
    if key not in _MODELS:
        ct2 = require("ctranslate2", "WhisperEncoder")
        kind, _, index = device.partition(":")  # "cuda:1": CTranslate2's index 1
        try:
            model = ct2.models.Whisper(
                path,
                device=kind,
                device_index=int(index or 0),
                compute_type=compute_type,
                intra_threads=threads,
            )
        except Exception as exc:
            raise _damaged(path, f"{type(exc).__name__}: {exc}") from exc
        _check_probe(path, model)
        _MODELS[key] = model
    return _MODELS[key]


def _check_probe(path, model):
    """0.1 s of a 220 Hz tone: finite for any intact Whisper encoder (either kind)."""
    probe = 0.1 * np.sin(2 * np.pi * 220 * np.arange(1600) / SAMPLING_RATE)
    encoded = WhisperEncoder()._encode_window(model, probe.astype(np.float32))
    if not np.isfinite(encoded).all():
        raise _damaged(path, "it gives NaN or infinite values for a test tone")


def _load_layers(path, device):
    """The torch encoder of folder ``path`` (:mod:`._whisper_torch`), once per process.

    A file that is not a float16/float32 CTranslate2 Whisper model is an error
    naming it (from the reader); one that gives NaN for a test tone is damaged.
    """
    key = ("torch", path, str(device))
    if key not in _MODELS:
        from ._whisper_torch import load_whisper_encoder_module

        module = load_whisper_encoder_module(os.path.join(path, "model.bin"))
        module = module.to(device)
        _check_probe(path, module)
        _MODELS[key] = module
    return _MODELS[key]


class WhisperEncoder(BasePretrainedEncoder):
    """Whisper's audio encoder as a feature extractor, through CTranslate2.

    Each utterance is resampled to 16 kHz, turned into Whisper's log-Mel input
    (faster-whisper's feature extractor) and passed through the encoder of a
    faster-whisper / CTranslate2 Whisper model (``ctranslate2.models.Whisper.encode``),
    which gives 50 frames per second of ``d`` values (512 for ``base``). The frames
    are cached per item and pooled by ``pooling``.

    Whisper's window is 30 s. Longer audio is encoded window by window and the
    frames concatenated. Shorter audio is encoded at its own length
    (``pad_to_window=False``, the default; CTranslate2 allows it and it is about
    15 times faster for 4-second utterances) or, as Whisper does when it
    transcribes, padded to the 30 s window (``pad_to_window=True``), or padded to a
    shorter context (``pad_to_window=10``: 10 s). Either way only the frames that
    cover the audio are kept. docs/results/pretrained.md and
    docs/results/frontier.md compare them.

    ``layer`` picks the encoder layer. ``"last"`` (the default) is CTranslate2's
    output. CTranslate2 returns nothing else, so any other choice runs the same
    model's encoder in torch, its weights read from the folder's ``model.bin``
    (float16 or float32; see :mod:`sklearn_ser.features._whisper_torch`): layer
    ``k`` of the model's ``L`` (6 for ``base``) is numbered as transformers'
    ``hidden_states``, 0 the input of the first transformer block (convolutions
    plus positions), ``k`` the output of block ``k``, ``L`` the last block after
    the final LayerNorm (CTranslate2's output, in float32). The torch encoder
    computes every layer at once and the cache keeps them all under one entry
    per utterance, so that each further ``layer`` of the same audio (a search
    over layers) reads it instead of encoding again. It takes about twice the
    time of CTranslate2's int8 encoder on the CPU, and 7 times its cache space
    for ``base``; docs/results/whisper_layers.md compares the layers.

    Parameters
    ----------
    model : str or path, default="base"
        A folder holding a faster-whisper/CTranslate2 Whisper model (``model.bin``,
        ``config.json``, ...), or a size name (``"tiny"``, ``"base"``, ``"small"``,
        ``"large-v3"``, ...) that faster-whisper resolves, downloading it from the
        Hugging Face hub on a machine with internet.
    layer : int, "last", "average" or "all", default="last"
        ``"last"``: CTranslate2's output (int8 on the CPU by default). An int from
        0 to ``L`` (negative ints count from the end, -1 is ``L``): that layer of
        the torch encoder. ``"average"``: the mean of its ``L + 1`` layers.
        ``"all"``: the ``L + 1`` layers side by side, layer 0 first (frames of
        ``(L + 1) * d`` features), for a head that weighs the layers itself
        (:class:`~sklearn_ser.classifiers.AttentionBLSTMModule`'s ``n_layers``).
    pooling : {"mean+std", "mean"} or None, default="mean+std"
        How an utterance's frames become one row; None returns the frames (a
        sequence dataset) for a sequence model.
    device : {"cpu", "cuda", "auto"}, "cuda:<index>" or torch.device, default="cpu"
        Where CTranslate2 (or torch, for a ``layer`` other than ``"last"``) runs;
        "auto" takes CUDA when the library sees a GPU.
    compute_type : str, default=None
        CTranslate2's computation type: None means ``"int8"`` on the CPU and
        ``"float16"`` on CUDA; ``"float32"``, ``"int8_float16"``, ... as
        CTranslate2 accepts. The torch encoder computes in float32 (None or
        ``"float32"`` only).
    cpu_threads : int, default=None
        OpenMP threads of each loaded model; None lets CTranslate2 choose with one
        job and uses 1 per process with ``n_jobs`` > 1. The torch encoder runs on
        ``cpu_threads`` threads, 1 when None, whatever ``n_jobs``.
    batch_size : int, default=1
        30-second windows of one utterance encoded per call (GPU use with long
        audio and ``pad_to_window=True``).
    pad_to_window : bool or float, default=False
        Pad each window's log-Mel input with silence: to 30 s (True), as
        Whisper's decoding does, or to this many seconds (a number in (0, 30]:
        the encoder's time grows with the padded length); a window already that
        long is left as it is. False: each window at its own length.
    sampling_rate, channel, on_error, n_jobs, memory, verbose
        As in :class:`~sklearn_ser.OpenSmileFeatures`. Each process loads the model
        once. The cache key holds a sha256 of the model's files (not its name or
        path) and every parameter that changes the frames.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> pipe = make_pipeline(WhisperEncoder(model="base"), StandardScaler(), SVC())
    """

    _parameter_constraints: dict = {
        **BasePretrainedEncoder._parameter_constraints,
        "model": [str, os.PathLike],
        "layer": [Integral, StrOptions({"last", "average", "all"})],
        "device": [DEVICE_CONSTRAINT],
        "compute_type": [str, None],
        "cpu_threads": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "pad_to_window": ["boolean", Interval(Real, 0, WINDOW_SECONDS, closed="right")],
    }
    _parameter_constraints.pop("target_sampling_rate", None)

    # Whisper's feature extractor is defined at 16 kHz; get_params() reads
    # __init__'s signature, so this stays a fixed attribute.
    target_sampling_rate = SAMPLING_RATE

    def __init__(
        self,
        *,
        model="base",
        layer="last",
        pooling="mean+std",
        device="cpu",
        compute_type=None,
        cpu_threads=None,
        batch_size=1,
        pad_to_window=False,
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
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.batch_size = batch_size
        self.pad_to_window = pad_to_window
        self.sampling_rate = sampling_rate
        self.channel = channel
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    # -- model -------------------------------------------------------------------
    def _settings(self):
        """(folder, device, compute type, threads), resolved once per call site."""
        device = resolve_ct2_device(self.device)
        compute_type = self.compute_type or ("int8" if device == "cpu" else "float16")
        threads = self.cpu_threads
        if threads is None:
            threads = 1 if (self.n_jobs or 1) != 1 else 0
        return resolve_whisper_model(self.model), device, compute_type, threads

    def _model(self):
        if self.layer != "last":
            return _load_layers(*self._layers_settings())
        return _load(*self._settings())

    def _layers_settings(self):
        """(folder, torch device) of the torch encoder; checks compute_type."""
        from .._torch import resolve_device

        if self.compute_type not in (None, "float32"):
            raise ValueError(
                f"compute_type={self.compute_type!r} is CTranslate2's (layer='last'); "
                f"layer={self.layer!r} runs the torch encoder in float32: use "
                "compute_type=None or 'float32'."
            )
        return resolve_whisper_model(self.model), resolve_device(self.device)

    def _n_layers(self):
        path = resolve_whisper_model(self.model)
        bin_path = os.path.join(path, "model.bin")
        key = ("layers", path, os.stat(bin_path).st_mtime_ns)
        if key not in _MODELS:
            _MODELS[key] = ct2_encoder_layers(bin_path)
        return _MODELS[key]

    def _layer_index(self):
        """``layer`` as an index from 0 to L, "average" or "all"; checks the range."""
        if isinstance(self.layer, str):
            return self.layer
        n_layers = self._n_layers()
        if not -(n_layers + 1) <= self.layer <= n_layers:
            raise ValueError(
                f"layer={self.layer} is out of range for model={str(self.model)!r}, "
                f"which has {n_layers} encoder layers: layer must be an int from "
                f"{-(n_layers + 1)} to {n_layers} (0 is the input of the first "
                "layer), 'last', 'average' or 'all'."
            )
        return int(self.layer) % (n_layers + 1)

    def _dimension(self):
        # CTranslate2 does not expose d_model. Read it from model.bin's header (no
        # model load: a cached rerun never loads the model); encode 0.1 s if the
        # file's layout is not the one known.
        path = resolve_whisper_model(self.model)
        key = ("dim", path, os.stat(os.path.join(path, "model.bin")).st_mtime_ns)
        if key not in _MODELS:
            shape = ct2_variable_shape(
                os.path.join(path, "model.bin"), "encoder/conv1/weight"
            )
            if shape is None:
                shape = self._encode_window(
                    self._model(), np.zeros(SAMPLING_RATE // 10, np.float32)
                ).shape[::-1]
            _MODELS[key] = int(shape[0])
        return _MODELS[key]

    def _width(self):
        if self.layer == "all":
            return (self._n_layers() + 1) * self._dimension()
        return self._dimension()

    def _failed_value(self):
        if self.layer == "last":
            return super()._failed_value()
        shape = (1, self._n_layers() + 1, self._dimension())
        return np.full(shape, np.nan, dtype=np.float32)

    def _output(self, value):
        # The torch encoder's frames hold every layer: (n_frames, L + 1, d).
        layer = self._layer_index()
        if layer == "last":
            return value
        if layer == "average":
            return value.mean(axis=1, dtype=np.float32)
        if layer == "all":  # (n_frames, (L + 1) * d), layer 0's features first
            return np.ascontiguousarray(value.reshape(len(value), -1))
        return np.ascontiguousarray(value[:, layer])

    def _cache(self):
        if self.layer == "last":
            return super()._cache()
        self._layer_index()  # a bad layer fails here, before any encoding
        # One entry of every layer per utterance, whatever `layer` picks from it.
        name = type(self).__name__
        return ItemCache.from_memory(self.memory, name, (name, self._layers_config()))

    def _layers_config(self):
        """What changes the torch encoder's frames (of every layer)."""
        import torch

        path, device = self._layers_settings()
        fw = require("faster_whisper", "WhisperEncoder")
        return (
            "whisper-encoder-layers/1",
            folder_fingerprint(path),
            device.type,
            self._pad_key(),
            self.channel,
            torch.__version__,
            fw.__version__,
        )

    def _config(self):
        if self.layer != "last":
            return (*self._layers_config(), self._layer_index())
        path, device, compute_type, _ = self._settings()
        ct2 = require("ctranslate2", "WhisperEncoder")
        fw = require("faster_whisper", "WhisperEncoder")
        return (
            "whisper-encoder/2",  # 2: log-Mel with one BLAS thread
            folder_fingerprint(path),
            device,
            compute_type,
            self._pad_key(),
            self.channel,
            ct2.__version__,
            fw.__version__,
        )

    def _pad_key(self):
        """``pad_to_window`` in the cache key: False, True (30 s) or the seconds.

        False and True are those of the cache entries written before a length
        could be given, and 30 is True: the same frames are one entry.
        """
        if isinstance(self.pad_to_window, bool | np.bool_):
            return bool(self.pad_to_window)
        seconds = float(self.pad_to_window)
        return True if seconds == WINDOW_SECONDS else seconds

    def _padded_mel_frames(self):
        """The log-Mel length a window is padded to (None: not padded)."""
        key = self._pad_key()
        if key is False or key is True:
            return WINDOW_MEL_FRAMES if key else None
        return int(round(key * SAMPLING_RATE / HOP))

    # -- encoding ----------------------------------------------------------------
    def _features(self, model, window):
        fe_mod = require("faster_whisper.feature_extractor", "WhisperEncoder")
        key = ("fe", model.n_mels)
        if key not in _MODELS:
            _MODELS[key] = fe_mod.FeatureExtractor(feature_size=model.n_mels)
        if len(window) < MIN_SAMPLES:
            # Under one FFT window the log-Mel has no frame: pad with silence so
            # that every utterance (and a long one's last window) has a frame.
            window = np.pad(window, (0, MIN_SAMPLES - len(window)))
        # One BLAS thread (also outside the extraction engine: over-time
        # segments, the service): the int8 encoder turns a 1e-7 difference of its
        # input into up to 1e0 in a frame.
        with one_blas_thread():
            mel = _MODELS[key](window, padding=0)
        n_frames = mel.shape[1]
        padded = self._padded_mel_frames()
        if padded is not None and n_frames < padded:
            mel = np.pad(mel, ((0, 0), (0, padded - n_frames)))
        # The encoder's second convolution has stride 2: frame j covers mel frames
        # 2j-1 .. 2j+1, so ceil(n / 2) encoder frames cover the audio.
        return mel.astype(np.float32, copy=False), (n_frames + 1) // 2

    def _encode_window(self, model, window):
        return self._encode_batch(model, [window])[0]

    def _encode_batch(self, model, windows):
        feats = [self._features(model, w) for w in windows]
        out = []
        # Windows of equal input length share one encode call.
        i = 0
        while i < len(feats):
            j = i + 1
            while (
                j < len(feats)
                and j - i < self.batch_size
                and feats[j][0].shape == feats[i][0].shape
            ):
                j += 1
            batch = np.ascontiguousarray(np.stack([f[0] for f in feats[i:j]]))
            encoded = self._run_encoder(model, batch)
            for k, (_, n_keep) in enumerate(feats[i:j]):
                out.append(encoded[k, :n_keep])
            i = j
        return out

    def _run_encoder(self, model, batch):
        """CTranslate2's frames (batch, t, d), or the torch encoder's (batch, t, L+1,
        d): every layer."""
        if not hasattr(model, "encode"):  # the torch encoder (:mod:`._whisper_torch`)
            import torch

            previous = torch.get_num_threads()
            torch.set_num_threads(self.cpu_threads or 1)
            try:
                with torch.inference_mode():
                    device = next(model.parameters()).device
                    hidden = model(torch.from_numpy(batch).to(device))
                    return torch.stack(hidden, dim=2).float().cpu().numpy()
            finally:
                torch.set_num_threads(previous)
        ct2 = require("ctranslate2", "WhisperEncoder")
        encoded = model.encode(ct2.StorageView.from_array(batch), to_cpu=True)
        return np.array(encoded, dtype=np.float32)

    def _compute(self, signal, sampling_rate):
        model = self._model()
        step = WINDOW_SECONDS * SAMPLING_RATE
        signal = np.asarray(signal, dtype=np.float32)
        windows = [signal[i : i + step] for i in range(0, max(len(signal), 1), step)]
        frames = self._encode_batch(model, windows)
        return np.concatenate(frames, axis=0).astype(np.float32, copy=False)
