"""Helpers shared by the benchmark scripts: timing, entries, machine, corpus subset."""

import math
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


# A paired figure stops adding repeats once its interval is this narrow: half its
# width at most 5 % of the median ratio (see ratio_spread / interleave_pairs) ...
SPREAD_TOLERANCE = 0.05
# ... or once it has run this many times its minimum number of pairs.
MAX_PAIRS_FACTOR = 3


def _median_interval(sorted_values, confidence):
    """Distribution-free interval of the median: ``(low, high, coverage)``.

    The order statistics ``x_(j) <= median <= x_(n+1-j)`` hold the true median with
    probability ``1 - 2 P(Binomial(n, 1/2) < j)``, whatever the distribution; ``j``
    is the largest index whose coverage is still at least ``confidence``. Fewer
    pairs than that needs (6 at 95 %) give the whole range, ``j = 1``, whose
    (lower) coverage is stated rather than hidden.
    """
    n = len(sorted_values)
    j = 1
    while j < (n + 1) // 2:
        below = sum(math.comb(n, i) for i in range(j + 1)) / 2**n
        if 1 - 2 * below < confidence:
            break
        j += 1
    below = sum(math.comb(n, i) for i in range(j)) / 2**n
    return sorted_values[j - 1], sorted_values[n - j], max(1 - 2 * below, 0.0)


def ratio_spread(numerator, denominator, *, confidence=0.95):
    """The median of paired ratios and how far they spread: one figure's summary.

    Repeat ``i`` timed both sides back to back, so ``numerator[i] / denominator[i]``
    is one ratio measured under one load; the figure is the median of these per-pair
    ratios, and its spread is stated twice: the range of the per-pair ratios and a
    distribution-free interval of their median (:func:`_median_interval`).

    Parameters
    ----------
    numerator, denominator : sequences of float
        The two sides' seconds, repeat by repeat (the same length, positive).
    confidence : float, default=0.95
        Coverage asked of the interval of the median.

    Returns
    -------
    spread : dict
        ``median`` (the figure), ``ratios`` (per pair), ``min``, ``max``,
        ``interval`` ([low, high] of the median), ``interval_coverage`` (what the
        interval holds: ``confidence``, or less with too few pairs), ``n_pairs``.
    """
    num = [float(v) for v in numerator]
    den = [float(v) for v in denominator]
    if len(num) != len(den) or not num:
        raise ValueError(
            f"ratio_spread needs the same positive number of timings on both sides; "
            f"got {len(num)} and {len(den)}."
        )
    if min(den) <= 0 or min(num) < 0:
        raise ValueError(f"timings must be positive; got {num} / {den}.")
    ratios = [a / b for a, b in zip(num, den)]
    ordered = sorted(ratios)
    low, high, coverage = _median_interval(ordered, confidence)
    return {
        "median": round(float(statistics.median(ratios)), 4),
        "ratios": [round(r, 4) for r in ratios],
        "min": round(ordered[0], 4),
        "max": round(ordered[-1], 4),
        "interval": [round(low, 4), round(high, 4)],
        "interval_coverage": round(coverage, 4),
        "n_pairs": len(ratios),
    }


def spread_is_narrow(spread, tolerance=SPREAD_TOLERANCE):
    """Whether half the interval of the median is at most ``tolerance`` of it.

    Never with fewer than 3 pairs: one pair shows no spread, and the range of two
    holds their median only half of the time.
    """
    if spread["n_pairs"] < 3:
        return False
    low, high = spread["interval"]
    return (high - low) / 2 <= tolerance * abs(spread["median"])


def interleave_pairs(run_a, run_b, *, min_pairs, max_pairs, tolerance=SPREAD_TOLERANCE):
    """Time two sides pair by pair until their ratio's spread is narrow.

    ``run_a(i)`` and ``run_b(i)`` do repeat ``i`` of each side and return its
    seconds. The order within a pair alternates (AB, BA, AB, ...) so that neither
    side always runs first; after ``min_pairs`` pairs, pairs are added until
    :func:`spread_is_narrow` or ``max_pairs``.

    Returns
    -------
    a_s, b_s : list of float
        Each side's seconds, pair by pair.
    spread : dict
        :func:`ratio_spread` of ``a_s / b_s``.
    """
    if not 1 <= min_pairs <= max_pairs:
        raise ValueError(
            f"need 1 <= min_pairs <= max_pairs; got {min_pairs} and {max_pairs}."
        )
    a_s, b_s = [], []
    for i in range(max_pairs):
        if i % 2 == 0:
            a_s.append(float(run_a(i)))
            b_s.append(float(run_b(i)))
        else:
            b_s.append(float(run_b(i)))
            a_s.append(float(run_a(i)))
        spread = ratio_spread(a_s, b_s)
        if i + 1 >= min_pairs and spread_is_narrow(spread, tolerance):
            break
    return a_s, b_s, spread


def spread_cells(e):
    """Markdown cells of an entry's spread: the pairs' range, the median's interval.

    ``"0.95-1.08 (7)"`` (lowest-highest per-pair ratio, number of pairs) and
    ``"0.97-1.02 (98%)"`` (interval of the median, its coverage); dashes for a
    figure that is not paired.
    """
    spread = e.get("spread")
    if spread is None:
        return "-", "-"
    low, high = spread["interval"]
    return (
        f"{spread['min']:.3g}-{spread['max']:.3g} ({spread['n_pairs']})",
        f"{low:.3g}-{high:.3g} ({spread['interval_coverage']:.0%})",
    )


def entry(definition, measured, ratio, target=None, op="<=", spread=None):
    """One figure of ``benchmarks.json``.

    ``target`` None means the issue sets no target for the figure: it is reported,
    and ``pass`` is None. ``spread`` (from :func:`ratio_spread`) makes the figure a
    paired one: its ``ratio`` must then be the spread's median, and only the median
    is held to the target.
    """
    ratio = float(ratio)
    if spread is not None and round(ratio, 4) != spread["median"]:
        raise ValueError(
            f"a paired figure's ratio is the median of its pairs, {spread['median']}; "
            f"got {ratio}."
        )
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
        **({} if spread is None else {"spread": spread}),
    }


def paired_entry(definition, measured, numerator, denominator, target=None, op="<="):
    """:func:`entry` of a paired figure: the median ratio of the pairs, with spread."""
    spread = ratio_spread(numerator, denominator)
    return entry(definition, measured, spread["median"], target, op, spread=spread)


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
