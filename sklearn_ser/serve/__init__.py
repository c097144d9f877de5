"""Serve a fitted model over HTTP: a JSON API and a page to try it in a browser.

Needs the optional extra ``sklearn-ser[serve]`` (FastAPI, uvicorn,
python-multipart). :func:`create_app` builds the app (the factory, for any ASGI
server or a test); :func:`serve` runs it with uvicorn, as ``sklearn-ser serve`` does.
"""

from ._app import (
    DEFAULT_LONG_AUDIO_S,
    DEFAULT_MAX_UPLOAD_MB,
    create_app,
    describe_model,
    serve,
)

__all__ = [
    "DEFAULT_LONG_AUDIO_S",
    "DEFAULT_MAX_UPLOAD_MB",
    "create_app",
    "describe_model",
    "serve",
]
