"""``sklearn-ser benchmark``: named pipelines on a corpus, or across corpora."""

import sys
from functools import partial

from ..datasets import list_corpora
from ._common import (
    CLIError,
    _corpus_path,
    _corpus_source,
    _load_corpus_arg,
    _parse_cv,
    _parse_label_map,
    _parse_pipelines,
    _pipeline_params,
    _random_state,
    _results_folder,
    add_data_args,
    add_own_data_args,
    add_run_args,
    corpus_name,
)


def _run_benchmark(run, args, *, names, out, per_pipeline=1, what="pipeline(s)"):
    """``run(**options)`` (a library benchmark run), its finished table on failure.

    ``options`` are what the command's flags say for every run: the pipelines'
    parameters, ``n_jobs``, ``verbose`` and the progress ``callback``. When a
    pipeline fails, the table of those that finished (on disk already) is
    printed, and which one failed said on stderr, before the error goes on.
    """
    finished = []
    try:
        return run(
            pipeline_params=_pipeline_params(args, names),
            n_jobs=args.n_jobs,
            verbose=0 if args.quiet else 1,
            callback=finished.append,
        )
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
    from .._task import target_task
    from ..evaluation import run_benchmark
    from ..evaluation._benchmark import _paired_section
    from ._targets import pipelines_for_target

    if args.train or args.test or args.leave_one_corpus_out:
        if args.extra_corpus:
            raise CLIError(
                "--extra-corpus adds training data to a --corpus run; across corpora "
                "name every training corpus in --train"
            )
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
    out = _results_folder(args.out, corpus)
    data = _load_corpus_arg(args, args.corpus, label_map, task=args.task)
    _warn_confound(data)
    names = pipelines_for_target(args.pipelines, data, what=corpus)
    source = _corpus_source(args.corpus)
    extra_names = _split_corpora(args.extra_corpus, "--extra-corpus")
    if corpus in map(corpus_name, extra_names):
        raise CLIError(
            f"--extra-corpus names the scored corpus {corpus} itself: its speakers "
            "would train every fold"
        )
    extra_data = {
        corpus_name(c): _load_corpus_arg(args, c, label_map) for c in extra_names
    }
    if extra_data and target_task(data.target) == "regression":
        raise CLIError("--extra-corpus adds labelled utterances: class labels only")
    if target_task(data.target) == "regression":
        # Named after the corpus and the rated column, and its own source, so the
        # runs of two columns of one manifest (arousal, valence) never mix.
        target = str(data.target_names[0])
        if args.out is None:
            out = _results_folder(None, f"{corpus}-{target}")
        source = f"{source}#{target}"
    result = _run_benchmark(
        partial(
            run_benchmark,
            names,
            data,
            cv=cv,
            out=out,
            corpus=corpus,
            source=source,
            extra_data=extra_data or None,
        ),
        args,
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


def _split_corpora(value, option):
    """The comma-separated corpora of ``option`` (none when not given)."""
    names = [c.strip() for c in (value or "").split(",") if c.strip()]
    if len(set(names)) != len(names):
        raise CLIError(f"{option} names a corpus twice: {value}")
    return names


def _cross_corpus_plan(args):
    """``[(training corpora, test corpus), ...]`` from the command line."""
    split = _split_corpora(args.leave_one_corpus_out, "--leave-one-corpus-out")
    if args.leave_one_corpus_out:
        if args.train or args.test:
            raise CLIError("--leave-one-corpus-out replaces --train and --test")
        if len(split) < 2:
            raise CLIError("--leave-one-corpus-out needs at least two corpora")
        return [([c for c in split if c != held], held) for held in split]
    if not (args.train and args.test):
        raise CLIError("cross-corpus evaluation needs both --train and --test")
    train = _split_corpora(args.train, "--train")
    if args.test in train:
        raise CLIError(f"--test {args.test} is also in --train")
    return [(train, args.test)]


def _benchmark_cross_corpus(args):
    from ..evaluation import run_cross_corpus_benchmark
    from ..evaluation._benchmark import _chance, _paired_section
    from ..evaluation._cross_corpus import _check_vocabulary

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
    out = _results_folder(args.out, default)
    corpora = {
        corpus_name(c): _load_corpus_arg(args, _corpus_path(c), label_map)
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
    result = _run_benchmark(
        partial(
            run_cross_corpus_benchmark,
            names,
            corpora,
            plan,
            per_corpus_standardization=args.per_corpus_std,
            out=out,
            sources={corpus_name(c): _corpus_source(c) for c in wanted},
        ),
        args,
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


def _warn_confound(data):
    """One line on stderr when most speakers carry a single class (before a run)."""
    from ..datasets import speaker_label_confound

    message = speaker_label_confound(data.target, data.groups).message()
    if message:
        print(f"sklearn-ser: warning: {message}", file=sys.stderr)


def add_parser(sub):
    """Add the ``benchmark`` command to the subparsers ``sub``."""
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
    b.add_argument(
        "--extra-corpus",
        metavar="CORPORA",
        help="more labelled speech: these corpora's utterances on --corpus's classes "
        "join every training fold and are never tested (comma-separated names or "
        "paths)",
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
    add_own_data_args(b)
    add_data_args(b)
    add_run_args(b)
    b.set_defaults(func=cmd_benchmark)
