"""``sklearn-ser inspect``: check a corpus before trusting a score on it."""

import sys

from ..datasets import list_corpora
from ._common import (
    _load_corpus_arg,
    _n_jobs,
    _parse_label_map,
    _results_folder,
    add_data_args,
    add_own_data_args,
    corpus_name,
)


def cmd_inspect(args):
    from ..datasets import describe_corpus

    label_map = _parse_label_map(args.label_map)
    corpus = corpus_name(args.corpus)
    out = _results_folder(args.out, corpus)
    data = _load_corpus_arg(args, args.corpus, label_map, task=args.task)
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


def add_parser(sub):
    """Add the ``inspect`` command to the subparsers ``sub``."""
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
    add_own_data_args(ins)
    add_data_args(ins)
    ins.set_defaults(func=cmd_inspect)
