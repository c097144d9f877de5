"""``sklearn-ser extract``: features of audio files to CSV, Parquet or NPZ."""

import sys
from pathlib import Path

from ._common import (
    CLIError,
    _cache_dir,
    _check_writable,
    _collect_audio,
    _one_line,
    _skipped,
    _whisper_model,
    add_on_error_arg,
    add_run_args,
)

#: The named extractors of ``sklearn-ser extract --features`` (besides openSMILE's).
EXTRACT_FEATURES = (
    "is10",
    "logmel",
    "whisper",
    "whisper-frames",
    "huggingface",
    "huggingface-frames",
)


def cmd_extract(args):
    import numpy as np

    from .. import features

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq", ".npz"):
        raise CLIError(f"-o must end in .csv, .parquet or .npz; got {out}")
    sequences = ("logmel", "whisper-frames", "huggingface-frames")
    if args.features.lower() in sequences and suffix != ".npz":
        raise CLIError(
            f"{args.features} gives frame sequences; write them to a .npz file, "
            f"not {out}"
        )
    hf = args.features.lower() in ("huggingface", "huggingface-frames")
    if hf != (args.hf_model is not None):
        raise CLIError(
            "--features huggingface[-frames] takes its model from --hf-model (a "
            "local folder or a hub id), and --hf-model is only for them"
        )
    _check_writable(out, "output file")
    files = _collect_audio(args.inputs)
    memory = _cache_dir(args)
    common = dict(
        memory=memory,
        n_jobs=args.n_jobs,
        verbose=0 if args.quiet else 1,
    )
    name = args.features
    if name.lower() == "is10":
        ext = features.OpenSmileIS10(**common)
    elif name.lower() == "logmel":
        ext = features.LogMelDeltas(standardize=False, **common)
    elif name.lower() in ("whisper", "whisper-frames"):
        pooling = None if name.lower() == "whisper-frames" else "mean+std"
        model = _whisper_model(args.whisper_model)
        ext = features.WhisperEncoder(model=model, pooling=pooling, **common)
    elif hf:
        pooling = None if name.lower().endswith("-frames") else "mean+std"
        layer = args.hf_layer
        if layer not in ("last", "average"):
            try:
                layer = int(layer)
            except ValueError:
                raise CLIError(
                    f"--hf-layer is 'last', 'average' or a layer number; got {layer!r}"
                ) from None
        ext = features.HuggingFaceEncoder(
            model=args.hf_model, layer=layer, pooling=pooling, **common
        )
    else:
        from ..features._opensmile import _SETS

        if name not in _SETS:
            raise CLIError(
                f"unknown --features {name!r}; use {', '.join(EXTRACT_FEATURES)} or "
                f"an openSMILE feature set: {', '.join(sorted(_SETS))}"
            )
        ext = features.OpenSmileFeatures(
            feature_set=name, feature_level=args.level, **common
        )
    ext.set_params(on_error=args.on_error)
    X, files, n_failed = _extract_skipping_failures(ext, files)
    names = [str(n) for n in ext.get_feature_names_out()]
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(X, np.ndarray) and X.dtype == object:
        if suffix != ".npz":
            raise CLIError(
                f"{name} gives frame sequences; write them to a .npz file, not {out}"
            )
        lengths = np.array([x.shape[0] for x in X], dtype=np.int64)
        np.savez_compressed(
            out,
            frames=np.concatenate(list(X)).astype(np.float32),
            lengths=lengths,
            files=np.asarray(files),
            feature_names=np.asarray(names),
        )
    else:
        import pandas as pd

        frame = pd.DataFrame(np.asarray(X), columns=names)
        frame.insert(0, "file", files)
        if suffix == ".csv":
            frame.to_csv(out, index=False)
        elif suffix in (".parquet", ".pq"):
            frame.to_parquet(out, index=False)
        elif suffix == ".npz":
            np.savez_compressed(
                out, X=np.asarray(X), files=np.asarray(files), feature_names=names
            )
        else:
            raise CLIError(f"-o must end in .csv, .parquet or .npz; got {out}")
    if not args.quiet:
        print(f"{len(files)} files -> {out}", file=sys.stderr)
    return _skipped(n_failed, len(files) + n_failed, out)


def _extract_skipping_failures(ext, files):
    """``(features, files, n_failed)``: ``ext`` on ``files``, failed items left out.

    With ``on_error="warn"`` the engine replaces an item that fails by NaN and warns
    with every failure and its reason: the warning goes to stderr and the NaN rows
    (the engine never returns NaN for an item that worked) are dropped with their
    files. With ``on_error="raise"`` the first failure is the error.
    """
    import warnings

    import numpy as np

    from ..features import ExtractionWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExtractionWarning)
        X = ext.fit_transform(np.asarray(files))
    for w in caught:
        if issubclass(w.category, ExtractionWarning):
            print(f"sklearn-ser: warning: {_one_line(w.message)}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if isinstance(X, np.ndarray) and X.dtype == object:
        good = np.array([np.isfinite(x).all() for x in X], dtype=bool)
    else:
        good = np.isfinite(np.asarray(X, dtype=float)).all(axis=1)
    if good.all():
        return X, list(files), 0
    kept = [f for f, ok in zip(files, good) if ok]
    n_failed = int((~good).sum())
    if isinstance(X, np.ndarray) and X.dtype == object:
        from .._sequences import as_sequences

        return as_sequences([x for x, ok in zip(X, good) if ok]), kept, n_failed
    return np.asarray(X)[good], kept, n_failed


def add_parser(sub):
    """Add the ``extract`` command to the subparsers ``sub``."""
    e = sub.add_parser(
        "extract",
        help="extract features from audio files or folders",
        description="Functionals to CSV/Parquet (or NPZ); frame sequences "
        "(logmel, unstandardised) to NPZ with frames, lengths, files.",
    )
    e.add_argument(
        "--features",
        required=True,
        help=f"{', '.join(EXTRACT_FEATURES)} or an openSMILE feature set (whisper: "
        "mean+std pooled encoder frames, model as --whisper-model; huggingface: "
        "the same of --hf-model's --hf-layer; *-frames and logmel: frame "
        "sequences, to .npz)",
    )
    e.add_argument(
        "--hf-model",
        help="with --features huggingface[-frames]: a Hugging Face speech encoder, "
        "a local folder or a hub id (wav2vec 2.0, HuBERT, WavLM, Whisper, ...)",
    )
    e.add_argument(
        "--hf-layer",
        default="last",
        help="with --hf-model: 'last', 'average' or a hidden-state number (0: the "
        "first transformer layer's input; default last)",
    )
    e.add_argument(
        "--level",
        default="Functionals",
        help="openSMILE feature level for a named set (default Functionals)",
    )
    e.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files or folders")
    e.add_argument("-o", "--output", required=True, help="output .csv/.parquet/.npz")
    add_on_error_arg(e)
    add_run_args(e)
    e.set_defaults(func=cmd_extract)
