"""What the commands of ``sklearn-ser`` share: errors, corpus and option parsing,
output checks, pipeline building, argument groups."""

import argparse
import os
import sys
from pathlib import Path

from ..datasets import list_corpora

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au")
DEFAULT_OUT = os.path.join("sklearn-ser-results", "{corpus}")
CACHE_ENV = "SKLEARN_SER_CACHE"
MODEL_SUFFIX = ".skops"


class CLIError(Exception):
    """A user error, reported as one line with exit status 2."""


def _one_line(message):
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    text = ""
    for line in lines:
        text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text


def _default_cache():
    from .._cache import get_cache_dir

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
    from ..datasets import load_corpus as load

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


def _load_corpus_arg(args, corpus, label_map, **options):
    """:func:`load_corpus` of ``corpus`` with the command's ``--data-home``,
    ``--pattern``, ``--columns`` and ``--sep`` (``options``: e.g. ``task``)."""
    return load_corpus(
        corpus,
        args.data_home,
        pattern=args.pattern,
        columns=args.columns,
        label_map=label_map,
        sep=args.sep,
        **options,
    )


def _results_folder(out, corpus):
    """The output folder ``out`` (default ``./sklearn-ser-results/<corpus>``),
    checked writable before any work."""
    out = Path(out or DEFAULT_OUT.format(corpus=corpus))
    _check_writable(out, "output folder")
    return out


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

    from .._parallel import cap_n_jobs

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
    from ..pipelines import get_pipeline_spec, list_pipelines

    if text is None:
        from ..pipelines import _REGISTRY

        # continuous targets get theirs from _targets.pipelines_for_target
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
    from ..pipelines import get_pipeline_spec

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
    from ..evaluation._benchmark import _pipelines
    from ..pipelines import get_pipeline_spec

    params = _pipeline_params(args, [name], probability=probability)
    return get_pipeline_spec(name), _pipelines([name], params)[0][3]()


def _whisper_model(given):
    """The local folder of the Whisper model, found before any work is done.

    ``--whisper-model``, else ``$SKLEARN_SER_WHISPER_MODEL``, else a provisioned
    folder (:func:`sklearn_ser.pipelines.whisper_model_folders`), else faster-
    whisper's "base" (downloaded where there is internet). A model that cannot be
    had is one error line naming the option, the variable and the folders searched.
    """
    from ..features._whisper import resolve_whisper_model
    from ..pipelines import (
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


def _corpus_source(corpus):
    """What a corpus argument reads: a corpus name, else its absolute path.

    Two manifests both named ``labels.csv`` share a name in the reports but not a
    source, so their results are never merged.
    """
    if corpus in list_corpora():
        return corpus
    return str(Path(_corpus_path(corpus)).expanduser().resolve())


def _readable_audio(files, on_error):
    """``files`` that can be read as audio; with ``on_error="warn"`` the others are
    listed on stderr with their reason and left out; ``"raise"``: the first fails.
    """
    from .._audio import AudioError, AudioItem, load_audio

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


def _load_model_arg(args):
    """The model file ``args.model``, loaded under ``--trust`` / ``--allow-pickle``."""
    import warnings

    from .._persistence import load_model

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


# ------------------------------------------------------------------ argument groups
def add_trust_args(p):
    """``--allow-pickle`` and ``--trust``: what :func:`_load_model_arg` may load."""
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


def add_data_args(p):
    p.add_argument(
        "--data-home",
        help="folder holding the corpora, one sub-folder each (emovo/, "
        "emodb/, ...) (default: $SKLEARN_SER_DATA, else ~/sklearn_ser_data)",
    )


def add_own_data_args(p):
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


def add_on_error_arg(p):
    p.add_argument(
        "--on-error",
        choices=("raise", "warn"),
        default="raise",
        help="a file that cannot be used: 'raise' stops with its error (exit "
        "status 2, nothing written); 'warn' lists it with the reason on stderr, "
        "writes the rows of the other files and exits with status 1",
    )


def add_run_args(p):
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
