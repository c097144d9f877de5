"""Helpers shared by the benchmark scripts: timing, entries, machine, corpus subset."""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def default_data_home(data_home=None):
    """``data_home``, else ``$SKLEARN_SER_DATA``, else ``../shared/data``: a Path.

    The examples' rule (``examples/_local_data.py``), one helper for both.
    """
    if str(REPO / "examples") not in sys.path:
        sys.path.insert(0, str(REPO / "examples"))
    from _local_data import local_data_home

    return local_data_home(data_home)


def load_avg():
    """The 1-minute load average (other processes competing for the cores)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def timed(fn, *args, **kwargs):
    """``(seconds, result)`` of one call, on the monotonic high-resolution clock."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def median(values):
    return float(statistics.median(values))


def entry(definition, measured, ratio, target=None, op="<="):
    """One figure of ``benchmarks.json``.

    ``target`` None means the issue sets no target for the figure: it is reported,
    and ``pass`` is None.
    """
    ratio = float(ratio)
    if target is None:
        passed = None
        target_d = None
    else:
        passed = bool(ratio <= target) if op == "<=" else bool(ratio >= target)
        target_d = {"op": op, "value": float(target)}
    return {
        "definition": definition,
        "measured": measured,
        "ratio": round(ratio, 4),
        "target": target_d,
        "pass": passed,
    }


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_total_gb():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine_info():
    """CPU, cores, memory and the versions of everything that computes a figure.

    The versions are those an evaluation report records
    (:func:`sklearn_ser.evaluation.software_environment`), flattened, plus joblib.
    """
    import joblib
    import torch

    from sklearn_ser.evaluation import software_environment

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    env = software_environment()
    return {
        "cpu": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gb": _memory_total_gb(),
        "platform": env["platform"],
        "python": env["python"],
        **env["packages"],
        "torch_threads": torch.get_num_threads(),
        "joblib": joblib.__version__,
        "sklearn_ser": env["sklearn_ser"],
    }


def select_emovo(data_home, n_files=None):
    """EMOVO files, labels, speakers and durations; a subset spread over everyone.

    The subset takes the speakers in turn, each speaker's files in a fixed shuffled
    order, so that even a handful of files covers every speaker and several
    emotions (speaker-grouped folds then have more than one class to train on),
    and so that nested prefixes have representative durations.
    """
    import soundfile as sf

    from sklearn_ser.datasets import load_emovo

    data = load_emovo(data_home)
    files = np.asarray(data.filenames)
    y = np.asarray(data.target)
    groups = np.asarray(data.groups)
    rng = np.random.default_rng(0)
    per_speaker = [
        list(rng.permutation(np.flatnonzero(groups == g))) for g in np.unique(groups)
    ]
    order = []
    while any(per_speaker):
        for queue in per_speaker:
            if queue:
                order.append(queue.pop(0))
    order = np.asarray(order)
    if n_files is not None:
        order = order[:n_files]
    files = [str(f) for f in files[order]]
    durations = np.asarray([sf.info(f).duration for f in files])
    return files, y[order], groups[order], durations
