"""The ``sklearn-ser`` command: benchmark, extract, train, predict, inspect, pipelines.

``sklearn-ser`` with no arguments runs ``benchmark`` with its defaults: the default
pipelines of :mod:`sklearn_ser.pipelines` on EMOVO from the local data home,
leave-one-speaker-out, results in ``./sklearn-ser-results/emovo``.

Errors (unknown corpus or pipeline, missing data, unreadable files) are one line on
stderr and exit status 2; ``--debug`` shows the traceback instead. ``extract`` and
``predict`` with ``--on-error warn`` write the rows of the files that worked, list
the others on stderr and exit with status 1.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from .datasets import list_corpora

__all__ = ["main"]

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au")
DEFAULT_OUT = os.path.join("sklearn-ser-results", "{corpus}")
CACHE_ENV = "SKLEARN_SER_CACHE"
MODEL_SUFFIX = ".skops"
#: The named extractors of ``sklearn-ser extract --features`` (besides openSMILE's).
EXTRACT_FEATURES = (
    "is10",
    "logmel",
    "whisper",
    "whisper-frames",
    "huggingface",
    "huggingface-frames",
)


class CLIError(Exception):
    """A user error, reported as one line with exit status 2."""


def _one_line(message):
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    text = ""
    for line in lines:
        text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text


# --------------------------------------------------------------------------- helpers
def _default_cache():
    from ._cache import get_cache_dir

    return get_cache_dir()


def _cache_dir(args):
    if getattr(args, "no_cache", False):
        return None
    return args.cache or _default_cache()


def _parse_label_map(text):
    """``"angry=anger,other="`` -> ``{"angry": "anger", "other": None}``."""
    if not text:
        return None
    mapping = {}
    for item in text.split(","):
        if "=" not in item:
            raise CLIError(f"--label-map entries are RAW=LABEL; got {item!r}")
        raw, label = (part.strip() for part in item.split("=", 1))
        mapping[raw] = label or None
    return mapping


def _parse_columns(text):
    """``--columns PATH,LABEL,SPEAKER`` -> the manifest's three column options."""
    if not text:
        return {}
    parts = [c.strip() for c in text.split(",")]
    if len(parts) != 3 or not all(parts):
        raise CLIError(f"--columns is PATH,LABEL,SPEAKER; got {text!r}")
    return dict(zip(("path_column", "label_column", "speaker_column"), parts))


def _parse_sep(text):
    """``--sep``: one character, or the words ``tab``/``semicolon``/``comma``."""
    if text is None:
        return None
    words = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}
    sep = words.get(text.lower(), text)
    if len(sep) != 1:
        raise CLIError(
            f"--sep is one character (or tab, semicolon, comma); got {text!r}"
        )
    return sep


def corpus_name(corpus):
    """The name of a corpus argument in output folders and reports.

    A corpus name is itself; ``NAME=PATH`` is NAME; a manifest file is its stem, a
    folder its name.
    """
    if corpus in list_corpora():
        return corpus
    name, sep, _ = corpus.partition("=")
    if sep and name and not Path(corpus).exists():
        return name
    path = Path(corpus)
    return (path.stem if path.is_file() else path.name) or "corpus"


def _corpus_path(corpus):
    """The path of a ``NAME=PATH`` (or plain) corpus argument."""
    name, sep, path = corpus.partition("=")
    return path if sep and name and not Path(corpus).exists() else corpus


def load_corpus(
    corpus,
    data_home=None,
    *,
    pattern=None,
    columns=None,
    label_map=None,
    sep=None,
    task="auto",
):
    """:func:`sklearn_ser.datasets.load_corpus` with the command line's flags.

    ``corpus`` is a corpus name or the path of a manifest or folder; ``columns``
    (``PATH,LABEL,SPEAKER``) and ``sep`` (a character or ``tab``...) are parsed
    here, the rest is the library's, its errors one :class:`CLIError` line. Labels
    of your own data pass through ``label_map``; a named corpus has its own
    labels, so ``label_map`` is not given to it (cross-corpus runs share one).
    Named corpora and folders hold classes: only a manifest is given ``task``
    ``"classification"``, while ``"regression"`` goes to all, to be refused.
    """
    from .datasets import load_corpus as load

    named = corpus in list_corpora()
    options = {"pattern": pattern, **_parse_columns(columns), "sep": _parse_sep(sep)}
    if not named:
        options["label_map"] = label_map
    manifest = not named and Path(corpus).expanduser().is_file()
    if task == "regression" or (task != "auto" and manifest):
        options["task"] = task
    try:
        return load(corpus, data_home, **{k: v for k, v in options.items() if v})
    except FileNotFoundError as exc:
        if not named:
            raise
        message = str(exc).split(" Pass data_home=")[0].rstrip(".")
        raise CLIError(
            f"{_one_line(message)}; point sklearn-ser at the folder holding your "
            f"corpora ({corpus}/ ...) with --data-home DIR or the environment "
            "variable SKLEARN_SER_DATA=DIR"
        ) from None
    except TypeError as exc:  # a flag that is not for this corpus
        raise CLIError(_one_line(exc)) from None


def _check_writable(path, what):
    """Refuse, before any work, an output ``path`` whose folder cannot be written.

    ``path`` is the folder itself when ``what`` ends in "folder", else a file; the
    folder is created, and a probe file written and removed in it, so a read-only
    disk, a missing permission or a file in the way is reported now, not after
    hours of training.
    """
    import tempfile

    path = Path(path)
    folder = path if what.endswith("folder") else path.parent
    if not what.endswith("folder") and path.is_dir():
        raise CLIError(f"the {what} {path} is a folder; give a file name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".sklearn-ser-write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CLIError(
            f"cannot write the {what} {path}: {reason} ({exc.filename or folder}); "
            "choose a writable place, nothing has been computed yet"
        ) from None


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number of processes, or -1 for all; got {text!r}"
        ) from None
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must not be 0: give a number of processes (1, 2, ...), or -1 for all "
            "processors (-2 all but one, ...)"
        )
    import warnings

    from ._parallel import cap_n_jobs

    # More workers than CPUs only multiplies memory (each loads its own models).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        value = cap_n_jobs(value)
    for w in caught:
        print(f"sklearn-ser: warning: --n-jobs: {w.message}", file=sys.stderr)
    return value


def _random_state(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to 2**32 - 1; got {text!r}"
        )
    return value


def _parse_pipelines(text):
    from .pipelines import get_pipeline_spec, list_pipelines

    if text is None:
        from .pipelines import _REGISTRY

        # continuous targets get theirs from _cli_regression.pipelines_for_target
        return [
            n for n, s in _REGISTRY.items() if s.default and s.task == "classification"
        ]
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise CLIError(f"--pipelines is empty; known: {', '.join(list_pipelines())}")
    for n in names:
        try:
            get_pipeline_spec(n)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
    return names


def _pipeline_params(args, names, *, probability=False):
    """The factory options of ``names`` from the command line.

    Each pipeline takes the ones its factory accepts; the Whisper model is looked
    up (and refused, by :func:`_whisper_model`) only when one of them needs it.
    """
    from .pipelines import get_pipeline_spec

    params = {"memory": _cache_dir(args), "random_state": args.random_state}
    if args.data_home is not None:
        # pipelines that pre-train on a neutral corpus find it where the corpora are
        params["neutral_data_home"] = args.data_home
    if any("whisper_model" in get_pipeline_spec(n).options for n in names):
        params["whisper_model"] = _whisper_model(args.whisper_model)
    if probability:
        params["probability"] = True
    return params


def _build(args, name, *, probability=False):
    """A registry pipeline with the command line's options its factory accepts."""
    from .evaluation._benchmark import _pipelines
    from .pipelines import get_pipeline_spec

    params = _pipeline_params(args, [name], probability=probability)
    return get_pipeline_spec(name), _pipelines([name], params)[0][3]()


def _whisper_model(given):
    """The local folder of the Whisper model, found before any work is done.

    ``--whisper-model``, else ``$SKLEARN_SER_WHISPER_MODEL``, else a provisioned
    folder (:func:`sklearn_ser.pipelines.whisper_model_folders`), else faster-
    whisper's "base" (downloaded where there is internet). A model that cannot be
    had is one error line naming the option, the variable and the folders searched.
    """
    from .features._whisper import resolve_whisper_model
    from .pipelines import (
        WHISPER_MODEL_ENV,
        whisper_model_default,
        whisper_model_folders,
    )

    model = whisper_model_default(given)
    try:
        return resolve_whisper_model(model)
    except (OSError, ValueError) as exc:
        searched = ""
        if not (given or os.environ.get(WHISPER_MODEL_ENV)):
            searched = f" (no model.bin in {' or '.join(whisper_model_folders())})"
        raise CLIError(
            f"{_one_line(exc).split('; on a machine without internet')[0]}; give a "
            "local faster-whisper model folder with --whisper-model DIR or "
            f"{WHISPER_MODEL_ENV}=DIR{searched}"
        ) from None


def _parse_cv(text):
    if text == "loso":
        return "loso"
    try:
        k = int(text)
    except ValueError:
        raise CLIError(
            f"--cv must be 'loso' or a number of folds; got {text!r}"
        ) from None
    if k < 2:
        raise CLIError(f"--cv must be at least 2 folds; got {k}")
    return k


def _collect_audio(inputs):
    files = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in AUDIO_SUFFIXES
                and not f.name.startswith(".")
            )
            if not found:
                raise CLIError(
                    f"no audio file ({', '.join(AUDIO_SUFFIXES)}) under folder {p}"
                )
            files.extend(str(f) for f in found)
        elif p.is_file():
            files.append(str(p))
        else:
            raise CLIError(f"input not found: {item}")
    return files


# -------------------------------------------------------------------------- commands
def cmd_pipelines(args):
    from .pipelines import _REGISTRY

    for name, spec in _REGISTRY.items():
        flags = []
        if spec.default:
            flags.append("default")
        if spec.adapts_to_test_speaker:
            flags.append("adapts to the test speaker")
        if spec.task == "regression":
            flags.append("regression: continuous ratings")
        extra = f" [{', '.join(flags)}]" if flags else ""
        print(f"{name}{extra}: {spec.description}")
    return 0


def _corpus_source(corpus):
    """What a corpus argument reads: a corpus name, else its absolute path.

    Two manifests both named ``labels.csv`` share a name in the reports but not a
    source, so their results are never merged.
    """
    if corpus in list_corpora():
        return corpus
    return str(Path(_corpus_path(corpus)).expanduser().resolve())


def _run_benchmark(run, *, names, out, per_pipeline=1, what="pipeline(s)"):
    """``run(callback)`` (a library benchmark run), its finished table on failure.

    When a pipeline fails, the table of those that finished (on disk already) is
    printed, and which one failed said on stderr, before the error goes on.
    """
    finished = []
    try:
        return run(finished.append)
    except BaseException:
        if finished:
            rows = finished[-1].rows
            print(finished[-1].table)
            print(
                f"{names[len(rows) // per_pipeline]} failed; the results of "
                f"{len(rows)} finished {what} are in {out}",
                file=sys.stderr,
            )
        raise


def cmd_benchmark(args):
    from ._cli_regression import pipelines_for_target
    from ._task import target_task
    from .evaluation import run_benchmark
    from .evaluation._benchmark import _paired_section

    if args.train or args.test or args.leave_one_corpus_out:
        return _benchmark_cross_corpus(args)
    if args.per_corpus_std:
        raise CLIError(
            "--per-corpus-std needs --train/--test or --leave-one-corpus-out"
        )
    # Everything a run needs is checked before the first extraction.
    names = _parse_pipelines(args.pipelines)
    cv = _parse_cv(args.cv)
    label_map = _parse_label_map(args.label_map)
    corpus = corpus_name(args.corpus)
    out = Path(args.out or DEFAULT_OUT.format(corpus=corpus))
    _check_writable(out, "output folder")
    data = load_corpus(
        args.corpus,
        args.data_home,
        pattern=args.pattern,
        columns=args.columns,
        label_map=label_map,
        sep=args.sep,
        task=args.task,
    )
    _warn_confound(data)
    names = pipelines_for_target(args.pipelines, data, what=corpus)
    source = _corpus_source(args.corpus)
    if target_task(data.target) == "regression":
        # Named after the corpus and the rated column, and its own source, so the
        # runs of two columns of one manifest (arousal, valence) never mix.
        target = str(data.target_names[0])
        if args.out is None:
            out = Path(DEFAULT_OUT.format(corpus=f"{corpus}-{target}"))
            _check_writable(out, "output folder")
        source = f"{source}#{target}"
    params = _pipeline_params(args, names)
    result = _run_benchmark(
        lambda callback: run_benchmark(
            names,
            data,
            cv=cv,
            out=out,
            corpus=corpus,
            source=source,
            pipeline_params=params,
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
            callback=callback,
        ),
        names=names,
        out=out,
    )
    print(result.table)
    print()
    print("\n".join(result.legend))
    if len(result.reports) > 1:
        print("\n".join(["", *_paired_section(result.reports)]))
    if not args.quiet:
        print(f"results written to {out}", file=sys.stderr)
    return 0


def _cross_corpus_plan(args):
    """``[(training corpora, test corpus), ...]`` from the command line."""
    split = [c.strip() for c in (args.leave_one_corpus_out or "").split(",")]
    split = [c for c in split if c]
    if args.leave_one_corpus_out:
        if args.train or args.test:
            raise CLIError("--leave-one-corpus-out replaces --train and --test")
        if len(split) < 2:
            raise CLIError("--leave-one-corpus-out needs at least two corpora")
        return [([c for c in split if c != held], held) for held in split]
    if not (args.train and args.test):
        raise CLIError("cross-corpus evaluation needs both --train and --test")
    train = [c.strip() for c in args.train.split(",") if c.strip()]
    if args.test in train:
        raise CLIError(f"--test {args.test} is also in --train")
    return [(train, args.test)]


def _benchmark_cross_corpus(args):
    from .evaluation import run_cross_corpus_benchmark
    from .evaluation._benchmark import _chance, _paired_section
    from .evaluation._cross_corpus import _check_vocabulary

    # Everything a run needs is checked before the first extraction.
    names = _parse_pipelines(args.pipelines)
    plan = _cross_corpus_plan(args)
    label_map = _parse_label_map(args.label_map)
    wanted = list(dict.fromkeys(c for train, test in plan for c in [*train, test]))
    if len({corpus_name(c) for c in wanted}) != len(wanted):
        raise CLIError(
            f"two corpora share a name: {', '.join(wanted)}; name them NAME=PATH"
        )
    plan = [([corpus_name(c) for c in tr], corpus_name(te)) for tr, te in plan]
    tag = "loso" if args.leave_one_corpus_out else "cross"
    default = f"{'+'.join(plan[0][0])}-to-{plan[0][1]}" if len(plan) == 1 else tag
    out = Path(args.out or DEFAULT_OUT.format(corpus=default))
    _check_writable(out, "output folder")
    corpora = {
        corpus_name(c): load_corpus(
            _corpus_path(c),
            args.data_home,
            pattern=args.pattern,
            columns=args.columns,
            label_map=label_map,
            sep=args.sep,
        )
        for c in wanted
    }
    rated = [c for c, d in corpora.items() if d.target.dtype.kind == "f"]
    if rated:
        raise CLIError(
            f"cross-corpus evaluation compares class labels, but {', '.join(rated)} "
            "holds continuous ratings"
        )
    try:  # before any extraction: comparing corpora needs the shared vocabulary
        _check_vocabulary({c: d.target for c, d in corpora.items()})
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    params = _pipeline_params(args, names)
    result = _run_benchmark(
        lambda callback: run_cross_corpus_benchmark(
            names,
            corpora,
            plan,
            per_corpus_standardization=args.per_corpus_std,
            out=out,
            sources={corpus_name(c): _corpus_source(c) for c in wanted},
            pipeline_params=params,
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
            callback=callback,
        ),
        names=names,
        out=out,
        per_pipeline=len(plan),
        what="run(s)",
    )
    print(result.table)
    for pair, reports in result.by_pair.items():
        cross = reports[0].meta["cross_corpus"]
        print(f"{pair}: classes {', '.join(cross['classes'])}; {_chance(reports[0])}")
        if len(reports) > 1:
            print("\n".join(["", *_paired_section(reports, what=f" ({pair})")]))
    if not args.quiet:
        print(f"results written to {out}", file=sys.stderr)
    return 0


def cmd_extract(args):
    import numpy as np

    from . import features

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
        from .features._opensmile import _SETS

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

    from .features import ExtractionWarning

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
        from ._sequences import as_sequences

        return as_sequences([x for x, ok in zip(X, good) if ok]), kept, n_failed
    return np.asarray(X)[good], kept, n_failed


def _readable_audio(files, on_error):
    """``files`` that can be read as audio; with ``on_error="warn"`` the others are
    listed on stderr with their reason and left out; ``"raise"``: the first fails.
    """
    from ._audio import AudioError, AudioItem, load_audio

    good = []
    for i, f in enumerate(files):
        try:
            load_audio(AudioItem(index=i, path=str(f)), target_sampling_rate=None)
        except (FileNotFoundError, AudioError) as exc:
            if on_error == "raise":
                raise
            print(f"sklearn-ser: warning: skipped: {_one_line(exc)}", file=sys.stderr)
            continue
        good.append(f)
    return good


def _skipped(n_failed, n_files, out):
    """Exit status 1, with a closing line, when ``--on-error warn`` skipped files."""
    if not n_failed:
        return 0
    print(
        f"sklearn-ser: {n_failed} of {n_files} files failed (listed above) and have "
        f"no row in {out}; exit status 1",
        file=sys.stderr,
    )
    return 1


def _groups_for(model, files):
    """Speakers for models that need them at predict time: the parent folder."""
    from .evaluation._evaluate import _consumes

    needs, _ = _consumes(model, "predict")
    if not needs:
        return None
    return [Path(f).parent.name for f in files]


def cmd_train(args):
    from sklearn import config_context

    from ._persistence import save_model
    from .evaluation._benchmark import _warm_cache
    from .evaluation._evaluate import _consumes

    # Everything the run needs is checked before the first extraction.
    names = _parse_pipelines(args.pipeline)
    if len(names) != 1:
        raise CLIError("--pipeline takes exactly one pipeline name")
    name = names[0]
    out = Path(args.output)
    if args.pickle:
        if out.suffix.lower() == MODEL_SUFFIX:
            raise CLIError(f"--pickle writes a pickle: name it .joblib, not {out}")
    elif out.suffix.lower() != MODEL_SUFFIX:
        raise CLIError(
            f"-o names the model file, which ends in {MODEL_SUFFIX} (skops' secure "
            f"format); got {out}. A pickle (.joblib) only with --pickle"
        )
    label_map = _parse_label_map(args.label_map)
    _check_writable(out, "model file")
    data = load_corpus(
        args.corpus,
        args.data_home,
        pattern=args.pattern,
        columns=args.columns,
        label_map=label_map,
        sep=args.sep,
        task=args.task,
    )
    from ._cli_regression import pipelines_for_target

    pipelines_for_target(name, data, what=args.corpus)  # the target's task
    spec, model = _build(args, name, probability=True)
    _warm_cache(model, data.filenames, n_jobs=args.n_jobs, verbose=not args.quiet)
    fit_groups, routed = _consumes(model, "fit")
    fit_params = {"groups": data.groups} if fit_groups else {}
    t0 = time.perf_counter()
    with config_context(enable_metadata_routing=routed):
        model.fit(data.filenames, data.target, **fit_params)
    # The saved model must not depend on this machine's cache or print progress.
    params = model.get_params()
    model.set_params(
        **{k: None for k in params if k.endswith("memory")},
        **{k: 0 for k in params if k.endswith("verbose")},
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.pickle:
        import joblib

        print(
            f"warning: {out} is a pickle; loading it runs any code in it, so "
            "`sklearn-ser predict` loads it only with --allow-pickle. Share .skops "
            "files instead.",
            file=sys.stderr,
        )
        joblib.dump(model, out)
    else:
        save_model(model, out)
    if not args.quiet:
        note = " (adapts to the test speaker)" if spec.adapts_to_test_speaker else ""
        print(
            f"trained {name}{note} on {args.corpus} ({len(data.filenames)} "
            f"utterances) in {time.perf_counter() - t0:.1f} s -> {out}",
            file=sys.stderr,
        )
    return 0


def _load_model_arg(args):
    """The model file ``args.model``, loaded under ``--trust`` / ``--allow-pickle``."""
    import warnings

    from ._persistence import load_model

    path = Path(args.model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            model = load_model(path, trusted=args.trust, allow_pickle=args.allow_pickle)
        except FileNotFoundError as exc:
            raise CLIError(str(exc)) from None
        except ValueError as exc:
            raise CLIError(f"cannot load model {path}: {_one_line(exc)}") from None
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return model


def cmd_serve(args):
    from .segment import SpeechSegmenter
    from .serve import describe_model, serve

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


def cmd_predict(args):
    import numpy as np
    import pandas as pd
    from sklearn import config_context

    from .evaluation._evaluate import _consumes

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

    from ._audio import AudioError
    from .segment import SpeechSegmenter, plot_timeline, predict_over_time

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
    from ._audio import SILENCE_DBFS, AudioError, scan_audio

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


def _warn_confound(data):
    """One line on stderr when most speakers carry a single class (before a run)."""
    from .datasets import speaker_label_confound

    message = speaker_label_confound(data.target, data.groups).message()
    if message:
        print(f"sklearn-ser: warning: {message}", file=sys.stderr)


def cmd_inspect(args):
    from .datasets import describe_corpus

    label_map = _parse_label_map(args.label_map)
    corpus = corpus_name(args.corpus)
    out = Path(args.out or DEFAULT_OUT.format(corpus=corpus))
    _check_writable(out, "output folder")
    data = load_corpus(
        args.corpus,
        args.data_home,
        pattern=args.pattern,
        columns=args.columns,
        label_map=label_map,
        sep=args.sep,
    )
    description = describe_corpus(
        data,
        name=corpus,
        read_audio=not args.headers_only,
        n_jobs=args.n_jobs,
        verbose=0 if args.quiet else 1,
    )
    markdown = description.to_markdown()
    (out / "inspect.md").write_text(markdown + "\n")
    description.plot(path=out / "inspect.png")
    print(markdown)
    if not args.quiet:
        print(f"written: {out / 'inspect.md'}, {out / 'inspect.png'}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------- parser
def _version():
    from . import __version__

    return __version__


def build_parser():
    """The argparse parser of ``sklearn-ser``."""
    parser = argparse.ArgumentParser(
        prog="sklearn-ser",
        description="Speech emotion recognition with scikit-learn: speaker-"
        "independent benchmarks, feature extraction, training and prediction. "
        "Without a command, runs `benchmark` with its defaults.",
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks instead of one line"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def data_args(p):
        p.add_argument(
            "--data-home",
            help="folder holding the corpora, one sub-folder each (emovo/, "
            "emodb/, ...) (default: $SKLEARN_SER_DATA, else ~/sklearn_ser_data)",
        )

    def own_data_args(p):
        p.add_argument(
            "--pattern",
            help="with --corpus FOLDER: a regular expression with named groups "
            "label and speaker, matched against each file name without suffix (or, "
            "when it holds a '/', the path under the folder); default: folder names "
            "<speaker>/<label>/<file>",
        )
        p.add_argument(
            "--columns",
            help="with --corpus MANIFEST: its PATH,LABEL,SPEAKER column names "
            "(default path,label,speaker)",
        )
        p.add_argument(
            "--sep",
            help="with --corpus MANIFEST: its column separator, one character or "
            "tab/semicolon/comma (default: sniffed from the header row among , ; tab)",
        )
        p.add_argument(
            "--label-map",
            help="with your own data: RAW=LABEL,... to rename, merge (two RAWs onto "
            "one LABEL) or drop (RAW=) labels. Your own labels work as they are "
            "within one corpus; comparing corpora (--train/--test, "
            "--leave-one-corpus-out) needs them mapped onto the shared vocabulary "
            "(anger, boredom, calm, disgust, fear, happiness, neutral, sadness, "
            "surprise)",
        )
        p.add_argument(
            "--task",
            choices=("auto", "classification", "regression"),
            default="auto",
            help="with --corpus MANIFEST: its label column holds class labels or "
            "continuous ratings (arousal, valence...: regression pipelines, scored "
            "by CCC, r and MAE); auto: ratings when every value is a number and "
            "some are not whole (0.5), class labels otherwise",
        )

    def on_error_arg(p):
        p.add_argument(
            "--on-error",
            choices=("raise", "warn"),
            default="raise",
            help="a file that cannot be used: 'raise' stops with its error (exit "
            "status 2, nothing written); 'warn' lists it with the reason on stderr, "
            "writes the rows of the other files and exits with status 1",
        )

    def run_args(p):
        p.add_argument(
            "--n-jobs",
            type=_n_jobs,
            default=None,
            help="parallel processes (-1: all; not 0; at most the CPUs available)",
        )
        p.add_argument(
            "--cache",
            help=f"feature cache folder (default: ${CACHE_ENV} or "
            "~/.cache/sklearn-ser/features, as sklearn_ser.get_cache_dir())",
        )
        p.add_argument("--no-cache", action="store_true", help="do not cache features")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        p.add_argument(
            "--whisper-model",
            default=None,
            help="Whisper model of the whisper-* pipelines and features: a local "
            "faster-whisper folder or a size name (default: "
            "$SKLEARN_SER_WHISPER_MODEL, else ./models/faster-whisper-base, else "
            "~/.cache/sklearn-ser/models/faster-whisper-base, where they hold "
            "model.bin; else 'base', downloaded)",
        )

    b = sub.add_parser(
        "benchmark",
        help="speaker-independent cross-validation of named pipelines",
        description="Cross-validate named pipelines speaker-independently; print a "
        "markdown table and write results.json, a markdown report and a confusion-"
        "matrix PNG per pipeline into --out.",
    )
    b.add_argument(
        "--corpus",
        default="emovo",
        help=f"one of {', '.join(list_corpora())}, or your own data: a manifest "
        "(.csv/.tsv with path, label, speaker columns) or a folder",
    )
    b.add_argument(
        "--pipelines",
        help="comma-separated pipeline names (default: the registry's defaults; "
        "see `sklearn-ser pipelines`)",
    )
    b.add_argument("--cv", default="loso", help="'loso' or a number of folds")
    b.add_argument(
        "--out", help="output folder (default: ./sklearn-ser-results/<corpus>)"
    )
    b.add_argument("--random-state", type=_random_state, default=0)
    b.add_argument(
        "--train",
        help="cross-corpus: train on these corpora (comma-separated names, paths "
        "or NAME=PATH) and test on --test, on the classes both sides share",
    )
    b.add_argument("--test", help="cross-corpus: the corpus to test on")
    b.add_argument(
        "--leave-one-corpus-out",
        metavar="CORPORA",
        help="cross-corpus: hold out each of these comma-separated corpora in turn",
    )
    b.add_argument(
        "--per-corpus-std",
        action="store_true",
        help="cross-corpus: standardise each corpus with its own feature statistics "
        "(adapts to the test corpus; labelled so)",
    )
    own_data_args(b)
    data_args(b)
    run_args(b)
    b.set_defaults(func=cmd_benchmark)

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
    on_error_arg(e)
    run_args(e)
    e.set_defaults(func=cmd_extract)

    t = sub.add_parser("train", help="fit a named pipeline on a whole corpus")
    t.add_argument(
        "--corpus",
        default="emovo",
        help=f"one of {', '.join(list_corpora())}, or your own data: a manifest "
        "(.csv/.tsv with path, label, speaker columns) or a folder",
    )
    t.add_argument("--pipeline", required=True, help="a pipeline name")
    t.add_argument(
        "-o",
        "--output",
        required=True,
        help=f"model file ({MODEL_SUFFIX}: skops' secure format, loads without "
        "running code)",
    )
    t.add_argument(
        "--pickle",
        action="store_true",
        help="write a joblib pickle (.joblib) instead; loading a pickle runs any "
        "code in it, so share only .skops files",
    )
    t.add_argument("--random-state", type=_random_state, default=0)
    own_data_args(t)
    data_args(t)
    run_args(t)
    t.set_defaults(func=cmd_train)

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
    p.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a pickle/joblib model; this runs any code in the file: "
        "only for files you made yourself",
    )
    p.add_argument(
        "--trust",
        action="append",
        metavar="TYPE",
        help="trust this type (module.Class) in a .skops file besides sklearn-ser's "
        "and scikit-learn's own (repeatable)",
    )
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
    on_error_arg(p)
    p.set_defaults(func=cmd_predict)

    ins = sub.add_parser(
        "inspect",
        help="check a corpus before trusting a score on it",
        description="Report utterances, speakers, classes (or the target's range), "
        "speaker x class counts, the speaker-label confound, chance levels, "
        "durations, sample rates, channels, levels, and clipped, silent, duplicate "
        "and unreadable files; print the markdown and write inspect.md and "
        "inspect.png into --out.",
    )
    ins.add_argument(
        "corpus",
        metavar="CORPUS",
        help=f"one of {', '.join(list_corpora())}, or your own data: a manifest "
        "(.csv/.tsv with path, label, speaker columns) or a folder",
    )
    ins.add_argument(
        "--out", help="output folder (default: ./sklearn-ser-results/<corpus>)"
    )
    ins.add_argument(
        "--headers-only",
        action="store_true",
        help="read file headers only (fast): no levels, clipping, silence or "
        "duplicates",
    )
    ins.add_argument(
        "--n-jobs", type=_n_jobs, default=None, help="files read in parallel"
    )
    ins.add_argument("--quiet", action="store_true", help="no progress bar")
    own_data_args(ins)
    data_args(ins)
    ins.set_defaults(func=cmd_inspect)

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
    sv.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load a pickle/joblib model; this runs any code in the file: "
        "only for files you made yourself",
    )
    sv.add_argument(
        "--trust",
        action="append",
        metavar="TYPE",
        help="trust this type (module.Class) in a .skops file besides sklearn-ser's "
        "and scikit-learn's own (repeatable)",
    )
    sv.set_defaults(func=cmd_serve)

    ls = sub.add_parser("pipelines", help="list the named pipelines")
    ls.set_defaults(func=cmd_pipelines)
    return parser


def main(argv=None):
    """Entry point of the ``sklearn-ser`` console script.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 2 on a user error (printed as one line on stderr).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*argv, "benchmark"])
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("sklearn-ser: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        known = (CLIError, FileNotFoundError, ValueError, OSError)
        prefix = "" if isinstance(exc, known) else f"{type(exc).__name__}: "
        print(f"sklearn-ser: error: {prefix}{_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
