"""``sklearn-ser train``: fit a named pipeline on a whole corpus, save it."""

import sys
import time
from pathlib import Path

from ..datasets import list_corpora
from ._common import (
    MODEL_SUFFIX,
    CLIError,
    _build,
    _check_writable,
    _load_corpus_arg,
    _parse_label_map,
    _parse_pipelines,
    _random_state,
    add_data_args,
    add_own_data_args,
    add_run_args,
)


def cmd_train(args):
    from sklearn import config_context

    from .._persistence import save_model
    from ..evaluation._benchmark import _warm_cache
    from ..evaluation._evaluate import _consumes

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
    data = _load_corpus_arg(args, args.corpus, label_map, task=args.task)
    from ._targets import pipelines_for_target

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


def add_parser(sub):
    """Add the ``train`` command to the subparsers ``sub``."""
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
    add_own_data_args(t)
    add_data_args(t)
    add_run_args(t)
    t.set_defaults(func=cmd_train)
