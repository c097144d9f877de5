"""The ``sklearn-ser`` command: benchmark, extract, train, predict, inspect, serve,
pipelines.

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

from . import (
    _benchmark,
    _extract,
    _inspect,
    _pipelines,
    _predict,
    _serve,
    _train,
)

# Importable from sklearn_ser.cli, where tests and scripts have found them.
from ._benchmark import _warn_confound  # noqa: F401
from ._common import (  # noqa: F401
    CLIError,
    _default_cache,
    _n_jobs,
    _one_line,
    _parse_pipelines,
    load_corpus,
)

__all__ = ["build_parser", "main"]

#: The commands, in the order ``sklearn-ser --help`` lists them.
COMMANDS = (_benchmark, _extract, _train, _predict, _inspect, _serve, _pipelines)


def _version():
    from .. import __version__

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
    for command in COMMANDS:
        command.add_parser(sub)
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
    except BrokenPipeError:
        # The reader of stdout went away (`sklearn-ser predict ... | head`): stop
        # quietly, as other command-line tools do; Python's exit would otherwise
        # print a second error when it flushes stdout.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        if args.debug:
            raise
        known = (CLIError, FileNotFoundError, ValueError, OSError)
        prefix = "" if isinstance(exc, known) else f"{type(exc).__name__}: "
        print(f"sklearn-ser: error: {prefix}{_one_line(exc)}", file=sys.stderr)
        return 2
