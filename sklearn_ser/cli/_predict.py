"""``sklearn-ser predict``: emotions of audio files, per file or over time."""

import sys
from pathlib import Path

from ._common import (
    MODEL_SUFFIX,
    CLIError,
    _check_writable,
    _collect_audio,
    _load_model_arg,
    _one_line,
    _readable_audio,
    _skipped,
    add_on_error_arg,
    add_trust_args,
)


def cmd_predict(args):
    import numpy as np
    import pandas as pd
    from sklearn import config_context

    from ..evaluation._evaluate import _consumes

    if args.output:
        out = Path(args.output)
        if out.suffix.lower() not in (".csv", ".json"):
            raise CLIError(f"-o must end in .csv or .json; got {out}")
        _check_writable(out, "output file")
    _check_over_time_args(args)
    model = _load_model_arg(args)
    files = _collect_audio(args.inputs)
    if args.over_time:  # streamed: long files are never read whole
        return _predict_over_time(model, files, args)
    n_files = len(files)
    files = np.asarray(_readable_audio(files, args.on_error))
    if not len(files):
        raise CLIError(f"none of the {n_files} audio files can be read (listed above)")
    _warn_silent(files)
    groups = _groups_for(model, files)
    _, routed = _consumes(model, "predict")
    kw = {} if groups is None else {"groups": np.asarray(groups)}
    if groups is not None:
        sizes = pd.Series(groups).value_counts()
        print(
            f"note: this model standardises each speaker with that speaker's own "
            f"statistics (adapts to the test speaker); speakers are the folder "
            f"names: {len(sizes)} speaker(s), {sizes.min()} to {sizes.max()} files "
            "each",
            file=sys.stderr,
        )
    with config_context(enable_metadata_routing=routed):
        labels = model.predict(files, **kw)
        proba = None
        if hasattr(model, "predict_proba"):
            proba_kw = kw if _consumes(model, "predict_proba")[0] else {}
            proba = model.predict_proba(files, **proba_kw)
    from sklearn.base import is_regressor

    # a regressor (trained on ratings) predicts a value, a classifier a label
    column = "value" if is_regressor(model) else "label"
    frame = pd.DataFrame({"file": files, column: labels})
    if proba is not None:
        for j, c in enumerate(model.classes_):
            frame[f"proba_{c}"] = np.round(proba[:, j], 6)
    _write_table(frame, args.output)
    return _skipped(n_files - len(files), n_files, args.output or "the output")


def _groups_for(model, files):
    """Speakers for models that need them at predict time: the parent folder."""
    from ..evaluation._evaluate import _consumes

    needs, _ = _consumes(model, "predict")
    if not needs:
        return None
    return [Path(f).parent.name for f in files]


def _write_table(frame, output):
    """``frame`` to ``output`` (.csv or .json), or as CSV to stdout when None."""
    if output:
        out = Path(output)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".json":
            frame.to_json(out, orient="records", indent=1)
        else:
            frame.to_csv(out, index=False)
    else:
        frame.to_csv(sys.stdout, index=False)


def _check_over_time_args(args):
    if not args.over_time:
        for flag, value in (
            ("--timeline", args.timeline),
            ("--segmenter", args.segmenter),
        ):
            if value is not None:
                raise CLIError(f"{flag} needs --over-time")
        return
    if args.timeline:
        timeline = Path(args.timeline)
        if timeline.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise CLIError(f"--timeline must end in .png, .svg or .pdf; got {timeline}")
        if len(args.inputs) != 1 or Path(args.inputs[0]).is_dir():
            raise CLIError("--timeline draws one recording: give one audio file")
        _check_writable(timeline, "timeline figure")


def _predict_over_time(model, files, args):
    """``predict --over-time``: one row per segment of each recording."""
    import time

    import pandas as pd

    from .._audio import AudioError
    from ..segment import SpeechSegmenter, plot_timeline, predict_over_time

    segmenter = SpeechSegmenter(method=args.segmenter or "silero")
    tables = []
    for f in files:
        t0 = time.perf_counter()
        try:
            rows = predict_over_time(model, f, segmenter=segmenter)
        except (FileNotFoundError, AudioError) as exc:
            if args.on_error == "raise":
                raise
            print(f"sklearn-ser: warning: skipped: {_one_line(exc)}", file=sys.stderr)
            continue
        print(
            f"{f}: {len(rows)} segments, {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        if args.timeline:
            plot_timeline(rows, f).savefig(args.timeline, dpi=110)
        rows.insert(0, "file", f)
        tables.append(rows)
    if not tables:
        raise CLIError(
            f"none of the {len(files)} audio files can be read (listed above)"
        )
    frame = pd.concat(tables, ignore_index=True)
    frame[["start", "end"]] = frame[["start", "end"]].round(3)
    proba = [c for c in frame if c.startswith("proba_")]
    frame[proba] = frame[proba].round(6)
    _write_table(frame, args.output)
    return _skipped(len(files) - len(tables), len(files), args.output or "the output")


def _warn_silent(files):
    """One line on stderr per silent or near-silent input (the inspect rule)."""
    from .._audio import SILENCE_DBFS, AudioError, scan_audio

    for path in files:
        try:
            scan = scan_audio(path)
        except (AudioError, OSError):
            continue  # the prediction itself reports an unreadable file
        if scan.silent:
            print(
                f"sklearn-ser: warning: {path} is silent or near-silent (RMS "
                f"{scan.level_dbfs:.1f} dBFS, below {SILENCE_DBFS:g}): its "
                "prediction says nothing about an emotion",
                file=sys.stderr,
            )


def add_parser(sub):
    """Add the ``predict`` command to the subparsers ``sub``."""
    p = sub.add_parser(
        "predict",
        help="predict emotions of audio files with a trained model",
        description="Prints (or writes with -o, CSV or JSON) file, label and class "
        "probabilities. Models that standardise per speaker take the speaker from "
        "each file's folder name.",
    )
    p.add_argument(
        "model", help=f"a {MODEL_SUFFIX} model file written by `sklearn-ser train`"
    )
    add_trust_args(p)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files or folders")
    p.add_argument("-o", "--output", help="output .csv or .json (default: stdout)")
    p.add_argument(
        "--over-time",
        action="store_true",
        help="long recordings: one row per speech segment (file, start, end, "
        "label, probabilities) instead of one per file",
    )
    p.add_argument(
        "--segmenter",
        choices=("silero", "energy", "window"),
        help="with --over-time: silero-vad (default; pip install "
        "'sklearn-ser[segment]'), an energy rule, or 3 s windows every 1.5 s",
    )
    p.add_argument(
        "--timeline",
        metavar="FIGURE",
        help="with --over-time and one file: draw probabilities over time above "
        "the waveform (.png, .svg or .pdf)",
    )
    add_on_error_arg(p)
    p.set_defaults(func=cmd_predict)
