"""``sklearn-ser serve``: a trained model over HTTP."""

from ._common import (
    MODEL_SUFFIX,
    CLIError,
    _load_model_arg,
    _one_line,
    add_trust_args,
)


def cmd_serve(args):
    from ..segment import SpeechSegmenter
    from ..serve import describe_model, serve

    model = _load_model_arg(args)
    try:
        serve(
            model,
            host=args.host,
            port=args.port,
            root_path=args.root_path,
            forwarded_allow_ips=args.forwarded_allow_ips,
            max_upload_mb=args.max_upload_mb,
            long_audio_s=args.long_audio_s or None,
            segmenter=SpeechSegmenter(method=args.segmenter),
            model_info=describe_model(model, path=args.model),
        )
    except ImportError as exc:
        raise CLIError(_one_line(exc)) from None
    except ValueError as exc:
        raise CLIError(f"cannot serve {args.model}: {_one_line(exc)}") from None
    return 0


def add_parser(sub):
    """Add the ``serve`` command to the subparsers ``sub``."""
    sv = sub.add_parser(
        "serve",
        help="serve a trained model over HTTP: a JSON API and a page to try it",
        description="Loads the model once (the same trust rules as predict) and "
        "serves POST /predict (multipart field 'file'), GET /info and a page at /. "
        "Needs the extra sklearn-ser[serve]. Binds to 127.0.0.1: to reach it from "
        "elsewhere, put a reverse proxy in front (see the user guide).",
    )
    sv.add_argument(
        "model", help=f"a {MODEL_SUFFIX} model file written by `sklearn-ser train`"
    )
    sv.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sv.add_argument(
        "--max-upload-mb",
        type=float,
        default=20.0,
        help="largest upload accepted, in MB (default 20); larger ones get 413",
    )
    sv.add_argument(
        "--long-audio-s",
        type=float,
        default=20.0,
        help="uploads longer than this many seconds are also predicted over time "
        "(default 20; 0: never)",
    )
    sv.add_argument(
        "--segmenter",
        choices=("silero", "energy", "window"),
        default="silero",
        help="how long uploads are cut into segments (default silero: silero-vad, "
        "the extra sklearn-ser[segment]; energy: frame level; window: 3-s windows)",
    )
    sv.add_argument(
        "--root-path",
        default="",
        help="path prefix a reverse proxy serves the app under, e.g. /ser",
    )
    sv.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="proxy addresses whose X-Forwarded-* headers are trusted "
        "(uvicorn's option; default 127.0.0.1)",
    )
    add_trust_args(sv)
    sv.set_defaults(func=cmd_serve)
