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


def saved_report(path, run, *, data_home, force=False, meta=None):
    """The report saved at ``path``, or ``run()``'s, timed and saved there.

    A study writes each report as soon as it is done, so a rerun keeps what is
    there (unless ``force``). The report's audio paths become portable (relative
    to ``data_home``, in the order of its predictions) and ``meta`` gains the
    run's wall time (``run_time_s``) and ``meta``. Prints one line either way.
    """
    import time

    import numpy as np

    from sklearn_ser.evaluation import load_report

    path = Path(path)
    label = f"{path.parent.name:8s} {path.stem:30s}"
    if path.exists() and not force:
        print(f"{label} kept ({path})", flush=True)
        return load_report(path)
    start = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - start
    samples = portable_samples(report.sample_ids, data_home)
    report.sample_ids = None if samples is None else np.asarray(samples)
    report.meta.update(run_time_s=round(seconds, 1), **(meta or {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    report.to_json(path, decimals=5)
    s = report.summary()
    print(
        f"{label} WA {s['WA_pooled']:.3f} UA {s['UA_pooled']:.3f} ({seconds:.0f} s)",
        flush=True,
    )
    return report


def corpus_arrays(corpus, data_home):
    """``(X, y, groups)`` of a local corpus as the studies evaluate it: audio
    paths and labels (object arrays: a semi-supervised study's ``-1`` marker
    fits beside the class names), speaker ids as strings."""
    import numpy as np

    from sklearn_ser.datasets import load_corpus

    data = load_corpus(corpus, data_home)
    X = np.asarray(data.filenames, dtype=object)
    y = np.asarray(data.target, dtype=object)
    return X, y, np.asarray(data.groups).astype(str)


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
