"""The HTTP service: an app factory (:func:`create_app`) and the runner (:func:`serve`).

The model is loaded once by the caller and shared by every request. Predictions run
in FastAPI's thread pool (plain ``def`` endpoint), so the event loop keeps accepting
requests while one is computed; a fitted scikit-learn pipeline only reads its state
in ``predict``, so concurrent requests need no lock.

An upload is written to one temporary file (the models read paths, and libsndfile
reads a format from the file's content), removed when the request ends, also on
errors. Its size is capped while the request body is received, before anything is
written.
"""

import math
import os
import tempfile
from importlib.resources import files
from pathlib import Path

import numpy as np
import soundfile as sf

from .._audio import AudioError

__all__ = ["create_app", "describe_model", "serve"]

#: Default cap on an upload's size, in megabytes (10**6 bytes).
DEFAULT_MAX_UPLOAD_MB = 20.0
#: Default length (seconds) above which an upload is also predicted over time.
DEFAULT_LONG_AUDIO_S = 20.0
# Multipart framing (boundaries, part headers) around the file: the body may exceed
# the file's own limit by this much before it is cut off; the file's size is then
# checked exactly.
_FORM_OVERHEAD = 64 * 1024
_READS = "WAV, FLAC, OGG (Vorbis or Opus), MP3 or AIFF"
_TEMP_PREFIX = "sklearn-ser-upload-"


class _TooLarge(Exception):
    """The request body passed the cap while it was being received."""


def _too_large_detail(max_bytes):
    return (
        f"the upload is larger than this service's limit of {max_bytes / 1e6:g} MB "
        "(sklearn-ser serve --max-upload-mb)"
    )


class _BodyLimit:
    """ASGI middleware: answer 413 once a request body passes ``max_body`` bytes.

    A declared ``Content-Length`` over the cap is refused before the body is read; a
    body without one (chunked) is counted as it arrives.
    """

    def __init__(self, app, *, max_body, detail):
        self.app = app
        self.max_body = max_body
        self.detail = detail

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.responses import JSONResponse

        too_large = JSONResponse({"detail": self.detail}, status_code=413)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await too_large(scope, receive, send)
            return
        received = 0
        exceeded = replaced = False

        async def counted_receive():
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    exceeded = True
                    raise _TooLarge
            return message

        async def checked_send(message):
            # FastAPI answers any error while parsing a body with its own 400:
            # once the cap is passed, whatever the app answers becomes the 413.
            nonlocal replaced
            if not exceeded:
                await send(message)
            elif not replaced:
                replaced = True
                await too_large(scope, receive, send)

        try:
            await self.app(scope, counted_receive, checked_send)
        except _TooLarge:
            if not replaced:
                await too_large(scope, receive, send)


# ----------------------------------------------------------------------- the model
def _final_step(model):
    """(transform, final estimator) of a pipeline, or (None, model)."""
    step = getattr(model, "best_estimator_", model)
    if hasattr(step, "steps") and len(step.steps) > 1:
        return step[:-1], step.steps[-1][1]
    return None, model


def _n_samples_seen(model):
    """Training utterances, as counted by the first scaler that counted them."""
    step = getattr(model, "best_estimator_", model)
    for _, est in getattr(step, "steps", []):
        seen = getattr(est, "n_samples_seen_", None)
        if seen is not None:
            return int(np.max(seen))
    return None


def describe_model(model, *, path=None):
    """What the page shows about a model: classes, steps, training summary.

    Parameters
    ----------
    model : estimator
        A fitted model taking audio (as :func:`sklearn_ser.load_model` returns).
    path : str or path-like, default=None
        The model file, whose name, size and modification time are added.

    Returns
    -------
    info : dict
        ``classes`` (list of str), ``steps`` (the pipeline's steps, by class),
        ``probabilities`` (whether it gives class probabilities),
        ``n_features`` (what its last step takes), ``training_utterances`` (counted
        by its scaler, when it has one), and ``file``, ``file_bytes``,
        ``file_modified`` (UTC, ISO 8601) when ``path`` is given. Unknown
        entries are None.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = np.arange(8.0).reshape(-1, 1), np.array(["a", "b"] * 4)
    >>> info = describe_model(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    >>> info["classes"], info["steps"], info["training_utterances"]
    (['a', 'b'], ['StandardScaler', 'LogisticRegression'], 8)
    """  # noqa: E501
    from datetime import datetime, timezone

    step = getattr(model, "best_estimator_", model)
    steps = [est for _, est in getattr(step, "steps", [("model", step)])]

    def name(est):
        inner = getattr(est, "estimator", None)
        if inner is not None and hasattr(inner, "get_params"):
            return f"{type(est).__name__}({type(inner).__name__})"
        return type(est).__name__

    _, final = _final_step(model)
    info = {
        "classes": [str(c) for c in model.classes_],
        "steps": [name(est) for est in steps if est not in (None, "passthrough")],
        "probabilities": hasattr(model, "predict_proba"),
        "n_features": getattr(final, "n_features_in_", None),
        "training_utterances": _n_samples_seen(model),
    }
    if path is not None:
        path = Path(path)
        stat = path.stat()
        info["file"] = path.name
        info["file_bytes"] = stat.st_size
        info["file_modified"] = (
            datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
            .replace(microsecond=0)
            .isoformat()
        )
    return info


def _predict_is_argmax_proba(final):
    """Whether ``final.predict`` is by definition the most probable class.

    For these, the label is read off ``predict_proba`` instead of running the
    final step twice (a calibrated SVC's ``predict`` computes ``predict_proba``
    itself; a logistic regression's probabilities are monotonic in its decision
    function). Any other estimator's ``predict`` is called as it is.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    return type(final) in (CalibratedClassifierCV, LogisticRegression)


def _predict_one(model, path):
    """Label and class probabilities of one file, extracting its features once."""
    X = np.asarray([str(path)])
    transform, final = _final_step(model)
    if transform is not None:
        Xt = transform.transform(X)
        proba = final.predict_proba(Xt)[0] if hasattr(final, "predict_proba") else None
        if proba is not None and _predict_is_argmax_proba(final):
            label = final.classes_[np.argmax(proba)]
        else:
            label = final.predict(Xt)[0]
    else:
        label = model.predict(X)[0]
        proba = model.predict_proba(X)[0] if hasattr(model, "predict_proba") else None
    result = {"label": str(label), "probabilities": None}
    if proba is not None:
        result["probabilities"] = {
            str(c): float(p) for c, p in zip(model.classes_, proba)
        }
    return result


def _over_time(model, path, segmenter):
    """Rows of :func:`sklearn_ser.predict_over_time` as JSON objects."""
    from ..segment import predict_over_time

    frame = predict_over_time(model, str(path), segmenter=segmenter)
    rows = []
    for rec in frame.to_dict(orient="records"):
        probs = {
            k.removeprefix("proba_"): float(v)
            for k, v in rec.items()
            if k.startswith("proba_")
        }
        rows.append(
            {
                "start": float(rec["start"]),
                "end": float(rec["end"]),
                "label": str(rec["label"]),
                "probabilities": probs or None,
            }
        )
    return rows


def _check_servable(model):
    from ..evaluation._evaluate import _consumes

    if not hasattr(model, "classes_"):
        raise ValueError(
            "the model has no classes_: serve a fitted classifier (a pipeline from "
            "`sklearn-ser train` or sklearn_ser.save_model)"
        )
    if _consumes(model, "predict")[0]:
        raise ValueError(
            "this model standardises each speaker with that speaker's own "
            "statistics at predict time (it needs groups), which one uploaded file "
            "cannot give; serve a model without per-speaker standardisation"
        )


def _warm_up(model, segmenter):
    """One prediction on a synthetic second, so lazily loaded parts load now.

    With a ``segmenter`` (None: the default one), it segments that second too: its
    model (silero-vad) loads now, and a missing extra fails here, not on the first
    long upload.
    """
    t = np.arange(16000) / 16000
    tone = 0.1 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) / 2
    fd, path = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".wav")
    try:
        os.close(fd)
        sf.write(path, tone.astype(np.float32), 16000)
        _predict_one(model, path)
        if segmenter is not False:
            from ..segment import SpeechSegmenter

            (segmenter or SpeechSegmenter()).segment(path)
    finally:
        os.unlink(path)


def _suffix(filename):
    """The upload's suffix if it is a plain one (libsndfile may use it), else ''."""
    suffix = Path(filename or "").suffix.lower()
    return suffix if 1 < len(suffix) <= 6 and suffix[1:].isalnum() else ""


# ----------------------------------------------------------------------- the app
def create_app(
    model,
    *,
    max_upload_mb=DEFAULT_MAX_UPLOAD_MB,
    long_audio_s=DEFAULT_LONG_AUDIO_S,
    segmenter=None,
    model_info=None,
    warm_up=True,
):
    """A FastAPI app that predicts the emotion of uploaded audio with ``model``.

    Routes: ``POST /predict`` (multipart form, the audio in the field ``file``),
    ``GET /info`` (the model's description), ``GET /`` (a page to upload or record
    audio and see the probabilities), ``/static/...`` (the page's files). See the
    user guide's "Serving a model" page for the JSON of each.

    Parameters
    ----------
    model : estimator
        A fitted classifier taking audio files, e.g. from
        :func:`sklearn_ser.load_model`. Shared by all requests, never refitted.
    max_upload_mb : float, default=20.0
        Largest upload accepted, in megabytes (10**6 bytes); larger ones get 413.
    long_audio_s : float or None, default=20.0
        Uploads longer than this many seconds are also predicted over time
        (:func:`sklearn_ser.predict_over_time`), in the answer's ``over_time``
        rows. None: never.
    segmenter : SpeechSegmenter, default=None
        How long uploads are cut into segments
        (:class:`sklearn_ser.segment.SpeechSegmenter`); None: its default
        (silero-vad, the extra ``sklearn-ser[segment]``).
    model_info : dict, default=None
        Entries shown on the page and in ``GET /info`` besides those of
        :func:`describe_model` (which they override), e.g. the model file's name
        or what it was trained on. Values must be JSON-serialisable.
    warm_up : bool, default=True
        Predict (and, unless ``long_audio_s`` is None, segment) a synthetic
        one-second clip now, so that parts loaded on first use (a Whisper
        encoder, silero-vad) are loaded before the first request, and a missing
        dependency fails now.

    Returns
    -------
    app : fastapi.FastAPI
        Run it with any ASGI server, e.g. ``uvicorn.run(app)``, or use
        :func:`serve`.

    Raises
    ------
    ValueError
        A bad parameter, or a model that cannot serve single files (no
        ``classes_``; per-speaker standardisation at predict time).
    ImportError
        FastAPI is not installed (``pip install "sklearn-ser[serve]"``).
    """
    try:
        from fastapi import FastAPI, File, HTTPException, Request, UploadFile
        from fastapi.responses import FileResponse, JSONResponse
        from fastapi.staticfiles import StaticFiles
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ImportError(
            'the service needs FastAPI: pip install "sklearn-ser[serve]"'
        ) from exc

    if not (
        isinstance(max_upload_mb, int | float)
        and math.isfinite(max_upload_mb)
        and max_upload_mb > 0
    ):
        raise ValueError(
            "max_upload_mb must be a positive number of megabytes; got "
            f"{max_upload_mb!r}"
        )
    if long_audio_s is not None and not (
        isinstance(long_audio_s, int | float)
        and math.isfinite(long_audio_s)
        and long_audio_s > 0
    ):
        raise ValueError(
            f"long_audio_s must be a positive number of seconds or None; got "
            f"{long_audio_s!r}"
        )
    if model_info is not None and not isinstance(model_info, dict):
        raise ValueError(f"model_info must be a dict; got {type(model_info).__name__}")
    _check_servable(model)
    max_bytes = int(max_upload_mb * 1e6)
    info = {**describe_model(model), **(model_info or {})}
    if warm_up:
        _warm_up(model, segmenter if long_audio_s is not None else False)
    static = files("sklearn_ser.serve").joinpath("static")

    app = FastAPI(
        title="sklearn-ser",
        description="Speech emotion recognition with a fitted sklearn-ser model.",
        version=_version(),
    )
    app.state.model = model
    app.add_middleware(
        _BodyLimit,
        max_body=max_bytes + _FORM_OVERHEAD,
        detail=_too_large_detail(max_bytes),
    )
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(str(static.joinpath("index.html")))

    @app.get("/info")
    def model_description():
        """The model's classes, steps and training summary, and the limits."""
        return {
            "model": info,
            "max_upload_mb": max_upload_mb,
            "long_audio_s": long_audio_s,
        }

    @app.post("/predict")
    def predict(request: Request, file: UploadFile | None = File(None)):  # noqa: B008
        """Label and class probabilities of one uploaded audio file."""
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise HTTPException(
                415,
                "send the audio as multipart/form-data with the file in the field "
                f"'file'; got Content-Type {content_type or 'none'!r}",
            )
        if file is None or not hasattr(file, "file"):
            raise HTTPException(
                422,
                "the form has no file in the field 'file': send the audio as "
                "multipart/form-data, e.g. curl -F file=@clip.wav .../predict",
            )
        name = file.filename or "upload"
        fd, path = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_suffix(name))
        try:
            with os.fdopen(fd, "wb") as out:
                n_bytes = 0
                for block in iter(lambda: file.file.read(1 << 20), b""):
                    n_bytes += len(block)
                    if n_bytes > max_bytes:
                        raise HTTPException(413, _too_large_detail(max_bytes))
                    out.write(block)
            if n_bytes == 0:
                raise HTTPException(400, f"{name!r} is empty (0 bytes)")
            try:
                # the header only (sf.info also builds a text summary of the file)
                with sf.SoundFile(path) as audio:
                    rate, channels = audio.samplerate, audio.channels
                    duration = audio.frames / rate
            except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
                reason = str(exc).replace(path, name)
                raise HTTPException(
                    415,
                    f"{name!r} is not audio this service reads ({_READS}): {reason}",
                ) from None
            try:
                result = _predict_one(model, path)
                over = None
                if long_audio_s is not None and duration > long_audio_s:
                    over = _over_time(model, path, segmenter)
            except AudioError as exc:
                # The message names the item as "item 0 (<temporary path>)".
                reason = str(exc).replace(f"item 0 ({path})", repr(name))
                raise HTTPException(422, reason.replace(path, name)) from None
        finally:
            os.unlink(path)
        # plain JSON types already: JSONResponse skips FastAPI's jsonable_encoder
        return JSONResponse(
            {
                "filename": name,
                "duration_s": round(float(duration), 3),
                "sampling_rate": int(rate),
                "channels": int(channels),
                **result,
                "over_time": over,
            }
        )

    return app


def _version():
    from .. import __version__

    return __version__


def serve(
    model,
    *,
    host="127.0.0.1",
    port=8000,
    root_path="",
    forwarded_allow_ips=None,
    log_level="info",
    **app_options,
):
    """Run :func:`create_app` ``(model, **app_options)`` with uvicorn until stopped.

    Parameters
    ----------
    model : estimator
        A fitted classifier taking audio files.
    host : str, default="127.0.0.1"
        Address to bind: the local machine only. ``"0.0.0.0"`` listens on every
        interface; put a reverse proxy in front instead (see the user guide).
    port : int, default=8000
    root_path : str, default=""
        The path prefix a reverse proxy serves the app under (e.g. ``"/ser"``).
    forwarded_allow_ips : str, default=None
        Proxy addresses whose ``X-Forwarded-*`` headers are trusted (uvicorn's
        option; None: uvicorn's default, 127.0.0.1).
    log_level : str, default="info"
    **app_options
        Passed to :func:`create_app` (``max_upload_mb``, ``long_audio_s``,
        ``segmenter``, ``model_info``, ``warm_up``).
    """
    # onnxruntime (silero-vad's runtime) otherwise leaves a session-id file,
    # $TMPDIR/.ses, on its first use; it reads the switch when it is imported.
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ImportError(
            'the service needs uvicorn: pip install "sklearn-ser[serve]"'
        ) from exc

    app = create_app(model, **app_options)
    uvicorn.run(
        app,
        host=host,
        port=port,
        root_path=root_path,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level=log_level,
    )
