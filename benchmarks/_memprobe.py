"""Peak memory of one extraction, measured in a fresh process.

``python benchmarks/_memprobe.py KIND FILE_LIST`` prints one JSON line: the resident
set size after the imports and a one-file warm-up (the baseline), its peak over the
extraction of every file listed in ``FILE_LIST`` (one path a line), the difference,
and the size of the output. Importing the toolkit (torch) peaks far above what an
extraction needs, so on Linux the kernel's high-water mark is reset after the
warm-up (``/proc/self/clear_refs``) and read back from ``VmHWM``; elsewhere the
process's lifetime peak is reported and ``method`` says so. Every kind imports the
same modules, so the baselines are comparable and the increments are the
extraction's own.

KIND is ``is10`` (OpenSmileIS10), ``is10_plain`` (``opensmile.Smile.process_file``
in a loop), ``logmel`` (LogMelDeltas().fit_transform) or ``logmel_plain`` (the same
librosa calls in a loop).
"""

import gc
import json
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _plain  # noqa: E402
import numpy as np  # noqa: E402

import sklearn_ser  # noqa: E402


def _status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise OSError(f"no {field} in /proc/self/status")


def _reset_peak():
    """Reset the peak RSS to the current RSS; the method used to read it back."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        _status_mb("VmHWM")
        return "VmHWM after clear_refs"
    except OSError:
        return "ru_maxrss (lifetime peak, includes the imports)"


def _current_mb(method):
    if method.startswith("VmHWM"):
        return _status_mb("VmRSS")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_mb(method):
    if method.startswith("VmHWM"):
        return _status_mb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    gc.collect()
    method = _reset_peak()
    baseline = _current_mb(method)
    out = run(files)
    peak = _peak_mb(method)
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
                "method": method,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
