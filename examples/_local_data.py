"""Where this checkout's examples and benchmarks find the corpora: one rule.

The library's rule (:func:`sklearn_ser.datasets.get_data_home`): ``--data-home``,
else ``$SKLEARN_SER_DATA``, else ``~/sklearn_ser_data``; plus, when neither is given,
this project's layout, which the library must not know: the corpora beside the
checkout (``../shared/data``), if that folder exists. The benchmarks import this
module too (``benchmarks/_common.py``).
"""

import os
from pathlib import Path

from sklearn_ser.datasets import get_data_home

#: The corpora of this project, beside the checkout.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def local_data_home(data_home=None):
    """``data_home``, else ``$SKLEARN_SER_DATA``, else ``../shared/data``, as a Path.

    Without either and without ``../shared/data``, the library's default
    (``~/sklearn_ser_data``).
    """
    if data_home is None and not os.environ.get("SKLEARN_SER_DATA"):
        if SHARED_DATA.is_dir():
            data_home = SHARED_DATA
    return Path(get_data_home(data_home))


def portable_samples(samples, data_home):
    """Audio paths relative to the data home (``emovo/f1/...``).

    Reports are committed and compared across machines: the paired comparisons of
    the tables check that two reports scored the same files, which absolute paths
    of different checkouts would fail.
    """
    if samples is None:
        return None
    home = Path(data_home).resolve()
    out = []
    for sample in samples:
        path = Path(sample).resolve()
        out.append(
            path.relative_to(home).as_posix() if path.is_relative_to(home) else sample
        )
    return out


def whisper_study_parser(description, out):
    """The options every Whisper study shares: ``--model`` (None: the library's
    rule), ``--cache``, ``--data-home``, ``--corpora`` and ``--out``."""
    import argparse

    from sklearn_ser import get_cache_dir

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", default=None)
    parser.add_argument("--cache", default=str(get_cache_dir()))
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--corpora", default="emovo,ravdess")
    parser.add_argument("--out", default=str(out))
    return parser
