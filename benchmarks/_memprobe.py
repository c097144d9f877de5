"""Peak memory of one extraction, measured in a fresh process.

``python benchmarks/_memprobe.py KIND FILE_LIST`` prints one JSON line: the resident
set size after the imports and a one-file warm-up (the baseline), its peak over the
extraction of every file listed in ``FILE_LIST`` (one path a line), the difference,
and the size of the output. A fresh process per measurement, because the peak RSS is
a high-water mark that never comes down. Every kind imports the same modules, so
the baselines are comparable and the increments are the extraction's own.

KIND is ``is10`` (OpenSmileIS10), ``is10_plain`` (``opensmile.Smile.process_file``
in a loop), ``logmel`` (LogMelDeltas().fit_transform) or ``logmel_plain`` (the same
librosa calls in a loop).
"""

import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _plain  # noqa: E402
import numpy as np  # noqa: E402

import sklearn_ser  # noqa: E402


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(kind, list_file):
    files = Path(list_file).read_text().split("\n")
    files = [f for f in files if f]
    if kind == "is10":
        ext = sklearn_ser.OpenSmileIS10()
        run = ext.transform
    elif kind == "is10_plain":
        smile = _plain.make_smile()

        def run(fs):
            return _plain.opensmile_loop(fs, smile)
    elif kind == "logmel":
        run = sklearn_ser.LogMelDeltas().fit_transform
    elif kind == "logmel_plain":
        run = _plain.logmel_loop
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    run(files[:1])
    baseline = _rss_mb()
    out = run(files)
    peak = _rss_mb()
    if isinstance(out, np.ndarray) and out.dtype != object:
        nbytes = out.nbytes
    else:  # a sequence dataset: the frames themselves
        nbytes = sum(x.nbytes for x in out)
    print(
        json.dumps(
            {
                "kind": kind,
                "n_files": len(files),
                "baseline_rss_mb": round(baseline, 1),
                "peak_rss_mb": round(peak, 1),
                "increment_mb": round(peak - baseline, 1),
                "output_mb": round(nbytes / 1024**2, 1),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
