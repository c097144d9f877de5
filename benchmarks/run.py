"""Speed of sklearn-ser, each figure a ratio against the plain alternative beside it.

Usage::

    python benchmarks/run.py --out DIR            # the whole of EMOVO (588 files)
    python benchmarks/run.py --quick --out DIR    # a 96-file subset, a few minutes

Writes ``DIR/benchmarks.json`` and ``DIR/benchmarks.md``. Every figure is measured
in this one run next to its plain alternative (the same library calls in a loop,
no toolkit), on the same files, in interleaved pairs of runs: each pair gives one
ratio, and the figure is the median of the pairs' ratios, reported with their
range and an interval of the median (``_common.ratio_spread``); pairs are added,
up to three times ``--repeats``, until that interval is within
``--spread-tolerance`` (5 %) of the median. Only the median is held to the target.
See ``benchmarks/README.md`` for what each figure means.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    MAX_PAIRS_FACTOR,
    SPREAD_TOLERANCE,
    default_data_home,
    entry,
    load_avg,
    machine_info,
    median,
    ratio_spread,
    select_emovo,
    spread_cells,
    spread_is_narrow,
    timed,
)
from _plain import logmel_loop, make_smile, opensmile_loop  # noqa: E402
from joblib import parallel_backend  # noqa: E402
from joblib.externals.loky import get_reusable_executor  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from sklearn_ser import LogMelDeltas, OpenSmileFeatures, OpenSmileIS10  # noqa: E402

TARGETS = {
    "is10_overhead_vs_opensmile": ("<=", 1.10),
    "is10_parallel_speedup_2_jobs": (">=", 1.6),
    "cache_speedup": (">=", 20.0),
    "gridsearch_extraction_ratio": ("<=", 1.5),
    # The issue sets no target for log-Mel; we hold it to the openSMILE one.
    "logmel_overhead_vs_librosa": ("<=", 1.10),
    "attention_epoch_overhead_vs_torch": ("<=", 1.15),
    # Ours: extraction faster than real time on one core ...
    "real_time_factor": ("<=", 1.0),
    # ... and linear: the cost per second of audio does not grow with the corpus.
    "extraction_scaling": ("<=", 1.25),
}

# Every paired figure: the keys of ``measured`` that hold the numerator's and the
# denominator's seconds, repeat by repeat (pair i is element i of both).
PAIRS = {
    "is10_overhead_vs_opensmile": ("sklearn_ser_s", "opensmile_loop_s"),
    "is10_parallel_speedup_2_jobs": ("n_jobs_1_s", "n_jobs_2_s"),
    "dask_extraction_overhead_vs_loky": ("dask_s", "loky_s"),
    "cache_speedup": ("first_run_s", "cached_run_s"),
    "gridsearch_extraction_ratio": (
        "pipeline_with_cache_s",
        "extract_once_then_fit_s",
    ),
    "logmel_overhead_vs_librosa": ("sklearn_ser_s", "librosa_loop_s"),
    "attention_epoch_overhead_vs_torch": ("classifier_epoch_s", "plain_epoch_s"),
    # time per second of audio at the largest prefix / at the smallest, per repeat
    "extraction_scaling": ("largest_s_per_audio_s", "smallest_s_per_audio_s"),
}
# Every figure of benchmarks.json, in the order of the report; the last two hold
# one entry per extractor.
FIGURES = [*PAIRS, "real_time_factors", "peak_memory"]


def _entry(key, definition, measured, ratio, target_key=None, spread=None):
    op, target = TARGETS.get(target_key or key, (None, None))
    return entry(
        definition, measured, ratio, target=target, op=op or "<=", spread=spread
    )


def _more_needed(times, r, repeats, max_repeats, tolerance):
    """Whether a two-sided measurement should go on after repeat ``r``.

    Until ``repeats``, yes; then until the spread of the pairs' ratios is narrow
    (:func:`_common.spread_is_narrow`) or ``max_repeats`` is reached.
    """
    if r + 1 < repeats:
        return True
    if r + 1 >= (max_repeats or repeats) or len(times) != 2:
        return False
    num, den = times.values()
    return not spread_is_narrow(ratio_spread(num, den), tolerance)


def _interleaved(fns, repeats, max_repeats=None, tolerance=SPREAD_TOLERANCE):
    """Run each callable ``repeats`` times or more, alternating them.

    Alternating spreads any drift in the machine's load over all the candidates
    instead of penalising whichever ran last, and which one goes first alternates
    too. Two candidates are a pair per repeat: after ``repeats``, repeats are added
    until the spread of their ratio is narrow or ``max_repeats`` is reached
    (:func:`_more_needed`). Returns the seconds of every run and the last result of
    each callable.
    """
    names = list(fns)
    times = {name: [] for name in names}
    last = {}
    r = 0
    while True:
        for name in names if r % 2 == 0 else names[::-1]:
            # Keep only the latest results, and drop a side's own before it runs
            # again: stale ones held alive would make every run allocate its output
            # next to hundreds of MB of old output.
            last.pop(name, None)
            gc.collect()
            seconds, result = timed(fns[name])
            times[name].append(round(seconds, 4))
            last[name] = result
            del result
        if not _more_needed(times, r, repeats, max_repeats, tolerance):
            return times, last
        r += 1


def _interleaved_blocks(
    fns, files, repeats, max_repeats=None, tolerance=SPREAD_TOLERANCE, block=48
):
    """Like :func:`_interleaved`, alternating the candidates block by block.

    Each repeat runs every candidate over the files ``block`` at a time, switching
    candidate (and which goes first) after every block, and sums the times. A run
    over the whole corpus takes tens of seconds, long enough for another process's
    load to come and go between the two sides; a block takes a few seconds, so both
    sides see the same load. The per-call costs of the toolkit (input validation,
    the progress bar) are paid once per block, which only counts against it. The
    repeats stop as in :func:`_interleaved`.
    """
    blocks = [files[i : i + block] for i in range(0, len(files), block)]
    names = list(fns)
    times = {name: [] for name in names}
    r = 0
    while True:
        total = dict.fromkeys(names, 0.0)
        for j, chunk in enumerate(blocks):
            for name in names if (j + r) % 2 == 0 else names[::-1]:
                gc.collect()
                total[name] += timed(fns[name], chunk)[0]
        for name in names:
            times[name].append(round(total[name], 4))
        if not _more_needed(times, r, repeats, max_repeats, tolerance):
            return times
        r += 1


def _paired(t, num, den, labels=None):
    """The two sides' timings, their medians and the spread of their pairs' ratios.

    Returns ``(measured, spread)`` (:func:`_common.ratio_spread`): the figure is
    ``spread["median"]``. ``labels`` renames the two sides' keys.
    """
    ln, ld = labels or (num, den)
    measured = {
        f"{ln}_s": t[num],
        f"{ld}_s": t[den],
        f"{ln}_median_s": median(t[num]),
        f"{ld}_median_s": median(t[den]),
    }
    return measured, ratio_spread(t[num], t[den])


def _log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- the figures ------------------------------------------------------------------


def bench_is10_overhead(files, audio_s, repeats, tolerance=SPREAD_TOLERANCE):
    smile = make_smile()
    ext = OpenSmileIS10()
    ours, plain = ext.transform(files[:2]), opensmile_loop(files[:2], smile)
    np.testing.assert_allclose(ours, plain, rtol=1e-5, atol=1e-5)
    load = load_avg()
    t = _interleaved_blocks(
        {
            "sklearn_ser": ext.transform,
            "opensmile_loop": lambda fs: opensmile_loop(fs, smile),
        },
        files,
        repeats,
        MAX_PAIRS_FACTOR * repeats,
        tolerance,
    )
    measured, spread = _paired(t, "sklearn_ser", "opensmile_loop")
    measured.update(
        {
            "n_files": len(files),
            "audio_s": round(audio_s, 1),
            "load_avg_1min": [load, load_avg()],
        }
    )
    return _entry(
        "is10_overhead_vs_opensmile",
        "OpenSmileIS10(n_jobs=1).transform(files) / opensmile.Smile(IS10)."
        "process_file in a loop over the same files (both warm, no cache; the two "
        "alternate every 48 files)",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_parallel(files, repeats, tolerance=SPREAD_TOLERANCE):
    one, two = OpenSmileIS10(n_jobs=1), OpenSmileIS10(n_jobs=2)
    # Cold: worker processes start, import the toolkit and build their openSMILE.
    get_reusable_executor().shutdown(wait=True)
    cold_s, _ = timed(two.transform, files)
    two.transform(files[:8])  # both workers warm before the timed runs
    load = load_avg()
    t, last = _interleaved(
        {
            "n_jobs_1": lambda: one.transform(files),
            "n_jobs_2": lambda: two.transform(files),
        },
        repeats,
        MAX_PAIRS_FACTOR * repeats,
        tolerance,
    )
    np.testing.assert_array_equal(last["n_jobs_1"], last["n_jobs_2"])
    measured, spread = _paired(t, "n_jobs_1", "n_jobs_2")
    measured.update(
        {
            "n_jobs_2_cold_pool_s": round(cold_s, 4),
            "speedup_cold_pool": round(measured["n_jobs_1_median_s"] / cold_s, 4),
            "n_files": len(files),
            "usable_cores": len(os.sched_getaffinity(0)),
            "load_avg_1min": [load, load_avg()],
        }
    )
    return _entry(
        "is10_parallel_speedup_2_jobs",
        "OpenSmileIS10 n_jobs=1 time / n_jobs=2 time, same files, no cache, worker "
        "pool already started (the cold-pool figure is in measured)",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_dask(files, repeats, tolerance=SPREAD_TOLERANCE):
    """Extraction on a local dask.distributed cluster vs joblib's own processes."""
    from distributed import Client, LocalCluster

    loky = OpenSmileIS10(n_jobs=2)
    loky.transform(files[:8])
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        cluster_s = time.perf_counter() - start
        ext = OpenSmileIS10(n_jobs=-1)

        def on_dask(fs):
            with parallel_backend("dask"):
                return ext.transform(fs)

        first_s, _ = timed(on_dask, files[:8])  # workers import and warm up
        load = load_avg()
        t, last = _interleaved(
            {"dask": lambda: on_dask(files), "loky": lambda: loky.transform(files)},
            repeats,
            MAX_PAIRS_FACTOR * repeats,
            tolerance,
        )
    np.testing.assert_array_equal(last["dask"], last["loky"])
    measured, spread = _paired(t, "dask", "loky")
    measured.update(
        {
            "cluster_start_s": round(cluster_s, 3),
            "first_call_8_files_s": round(first_s, 3),
            "n_files": len(files),
            "load_avg_1min": [load, load_avg()],
        }
    )
    return _entry(
        "dask_extraction_overhead_vs_loky",
        "OpenSmileIS10(n_jobs=-1) under joblib.parallel_backend('dask') on a "
        "LocalCluster of 2 single-threaded worker processes (127.0.0.1) / "
        "OpenSmileIS10(n_jobs=2) on joblib's loky processes; both warm, no cache",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_cache(files, workdir, repeats=2):
    """A fresh cache's first transform / its second, ``repeats`` caches.

    The pairs cannot alternate (the second run needs the first) and each pays for
    a full extraction, so their number is fixed.
    """
    load = load_avg()
    cold, warm = [], []
    for i in range(repeats):
        ext = OpenSmileIS10(memory=Path(workdir) / f"cache-{i}")
        first_s, first = timed(ext.transform, files)
        second_s, second = timed(ext.transform, files)
        np.testing.assert_array_equal(first, second)
        cold.append(round(first_s, 4))
        warm.append(round(second_s, 5))
    a, b = median(cold), median(warm)
    measured = {
        "first_run_s": cold,
        "cached_run_s": warm,
        "first_run_median_s": a,
        "cached_run_median_s": b,
        "n_files": len(files),
        "load_avg_1min": [load, load_avg()],
    }
    spread = ratio_spread(cold, warm)
    return _entry(
        "cache_speedup",
        "OpenSmileIS10(memory=fresh dir): first transform / second transform, each "
        "pair with its own fresh directory",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_gridsearch(files, y, groups, workdir, repeats=2, tolerance=SPREAD_TOLERANCE):
    grid = {"svc__C": [1.0, 10.0], "svc__gamma": ["scale", 1e-4]}
    cv = GroupKFold(n_splits=3)
    load = load_avg()

    def whole_pipeline():
        cache = tempfile.mkdtemp(dir=workdir, prefix="gs-cache-")
        pipe = make_pipeline(OpenSmileIS10(memory=cache), StandardScaler(), SVC())
        return GridSearchCV(pipe, grid, cv=cv).fit(files, y, groups=groups)

    def precomputed():
        X = OpenSmileIS10().transform(files)
        pipe = make_pipeline(StandardScaler(), SVC())
        return GridSearchCV(pipe, grid, cv=cv).fit(X, y, groups=groups)

    # Each pipeline run gets a fresh cache: it pays for one cold extraction.
    t, last = _interleaved(
        {"pipeline": whole_pipeline, "precomputed": precomputed},
        repeats,
        MAX_PAIRS_FACTOR * repeats,
        tolerance,
    )
    np.testing.assert_allclose(
        last["pipeline"].cv_results_["mean_test_score"],
        last["precomputed"].cv_results_["mean_test_score"],
    )
    measured, spread = _paired(
        t, "pipeline", "precomputed", ("pipeline_with_cache", "extract_once_then_fit")
    )
    measured.update(
        {
            "candidates": 4,
            "folds": 3,
            "n_files": len(files),
            "load_avg_1min": [load, load_avg()],
        }
    )
    return _entry(
        "gridsearch_extraction_ratio",
        "GridSearchCV(2x2 grid, GroupKFold(3)) over OpenSmileIS10(memory=fresh dir) "
        "-> StandardScaler -> SVC on the audio paths / one OpenSmileIS10 extraction "
        "+ the same GridSearchCV over StandardScaler -> SVC on the features",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_logmel(files, audio_s, repeats, tolerance=SPREAD_TOLERANCE):
    # A few milliseconds a file: one BLAS thread on both sides, so that the figure
    # is the toolkit's overhead and not thread contention with other processes.
    with threadpool_limits(limits=1):
        return _bench_logmel(files, audio_s, repeats, tolerance)


def _bench_logmel(files, audio_s, repeats, tolerance):
    ext = LogMelDeltas()
    # One untimed pass of each over all the files: a warm-up (a run takes about a
    # second, so first-call costs would show) and the check that both agree.
    ours, plain = ext.fit_transform(files), logmel_loop(files)
    for x, z in zip(ours, plain):
        np.testing.assert_allclose(x, z, rtol=1e-4, atol=1e-4)
    del ours, plain
    load = load_avg()
    t, _ = _interleaved(
        {
            "sklearn_ser": lambda: ext.fit_transform(files),
            "librosa_loop": lambda: logmel_loop(files),
        },
        repeats,
        MAX_PAIRS_FACTOR * repeats,
        tolerance,
    )
    measured, spread = _paired(t, "sklearn_ser", "librosa_loop")
    measured.update(
        {
            "n_files": len(files),
            "audio_s": round(audio_s, 1),
            "load_avg_1min": [load, load_avg()],
        }
    )
    return _entry(
        "logmel_overhead_vs_librosa",
        "LogMelDeltas().fit_transform(files) / soundfile.read + the same librosa "
        "calls + standardisation in a plain loop (no cache, one BLAS thread)",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_real_time(files, audio_s, is10_s, logmel_s, repeats):
    """Seconds of computing per second of audio, one core, no cache."""
    egemaps = OpenSmileFeatures(feature_set="eGeMAPSv02")
    egemaps.transform(files[:1])
    t, _ = _interleaved({"egemaps": lambda: egemaps.transform(files)}, repeats)
    figures = {
        "OpenSmileIS10": is10_s,
        "OpenSmileFeatures(eGeMAPSv02)": median(t["egemaps"]),
        "LogMelDeltas": logmel_s,
    }
    return {
        name: _entry(
            "real_time_factor",
            f"{name}, n_jobs=1: extraction seconds / seconds of audio",
            {"extraction_s": s, "audio_s": round(audio_s, 1), "n_files": len(files)},
            s / audio_s,
        )
        for name, s in figures.items()
    }


def bench_scaling(files, durations, repeats):
    """IS10 extraction time on nested prefixes of the (shuffled) file list.

    Each repeat times every prefix (smallest first, then largest first, in turn);
    its time per second of audio at the largest over that at the smallest is one
    pair's ratio.
    """
    n = len(files)
    sizes = sorted({max(1, n // 8), max(2, n // 4), max(3, n // 2), n})
    ext = OpenSmileIS10()
    ext.transform(files[:1])
    seconds = {size: [] for size in sizes}
    for r in range(repeats):
        for size in sizes if r % 2 == 0 else sizes[::-1]:
            gc.collect()
            seconds[size].append(timed(ext.transform, files[:size])[0])
    x = np.asarray(sizes, dtype=float)
    t = np.asarray([median(seconds[s]) for s in sizes])
    audio = np.asarray([durations[:s].sum() for s in sizes])
    largest = [round(v / audio[-1], 6) for v in seconds[sizes[-1]]]
    smallest = [round(v / audio[0], 6) for v in seconds[sizes[0]]]
    spread = ratio_spread(largest, smallest)
    slope, intercept = np.polyfit(x, t, 1)
    pred = slope * x + intercept
    r2 = 1 - ((t - pred) ** 2).sum() / max(((t - t.mean()) ** 2).sum(), 1e-300)
    per_audio_s = t / audio
    measured = {
        "n_files": sizes,
        "seconds": [round(v, 4) for v in t],
        "audio_s": [round(v, 1) for v in audio],
        "seconds_per_file": [round(v, 5) for v in t / x],
        "seconds_per_audio_second": [round(v, 5) for v in per_audio_s],
        "fit_seconds_per_file": round(float(slope), 5),
        "fit_intercept_s": round(float(intercept), 4),
        "r2": round(float(r2), 5),
        "largest_s_per_audio_s": largest,
        "smallest_s_per_audio_s": smallest,
    }
    return _entry(
        "extraction_scaling",
        "OpenSmileIS10 on nested prefixes of the file list: time per second of audio "
        "at the largest size / at the smallest, repeat by repeat (1 = linear); a "
        "line fitted to the median time against the number of files gives r2",
        measured,
        spread["median"],
        spread=spread,
    )


def bench_memory(files, workdir):
    """Peak RSS of extracting ``files``: each extractor and its plain loop, fresh
    processes (see _memprobe.py)."""
    listing = Path(workdir) / "memory-files.txt"
    listing.write_text("\n".join(files))
    probe = {}
    for kind in ("is10", "is10_plain", "logmel", "logmel_plain"):
        out = subprocess.run(
            [sys.executable, str(HERE / "_memprobe.py"), kind, str(listing)],
            check=True,
            capture_output=True,
            text=True,
        )
        probe[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    result = {}
    for name, kind in (("OpenSmileIS10", "is10"), ("LogMelDeltas", "logmel")):
        ours, plain = probe[kind], probe[f"{kind}_plain"]
        result[name] = entry(
            f"{name}: peak resident memory over the extraction of {len(files)} files "
            "(increment over the process after imports and a one-file warm-up) / "
            "the same for the plain library loop giving the same output",
            {"sklearn_ser": ours, "plain": plain},
            max(ours["increment_mb"], 1.0) / max(plain["increment_mb"], 1.0),
        )
    return result


def bench_attention(quick, repeats, tolerance=SPREAD_TOLERANCE):
    """One epoch of SemiSupervisedAttentionClassifier / the same module in plain torch.

    Measured by ``benchmarks/bench_attention.py`` (the classifier's own benchmark);
    this only calls it, so that there is one attention benchmark.
    """
    path = HERE / "bench_attention.py"
    if not path.exists():
        raise RuntimeError(f"{path} does not exist")
    import bench_attention

    return bench_attention.epoch_overhead(
        quick=quick,
        min_pairs=repeats,
        max_pairs=repeats and MAX_PAIRS_FACTOR * repeats,
        tolerance=tolerance,
    )


# -- the report -------------------------------------------------------------------


def _fmt(x):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "pass" if x else "FAIL"
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def _rows(results):
    for key, value in results.items():
        if key in ("machine", "settings"):
            continue
        if "ratio" in value:
            yield key, value
        else:
            for name, sub in value.items():
                yield f"{key} [{name}]", sub


def _parts(key, e):
    """The numerator and denominator cells: each side's median, or what they are."""
    m = e["measured"]
    if key in PAIRS and key != "extraction_scaling":
        a, b = (median(m[k]) for k in PAIRS[key])
        return f"{a:.4g} s", f"{b:.4g} s"
    if key.startswith("real_time_factors"):
        return f"{m['extraction_s']:.4g} s", f"{m['audio_s']:.4g} s of audio"
    if key == "extraction_scaling":
        per = m["seconds_per_audio_second"]
        return (
            f"{per[-1]:.4g} s/s at {m['n_files'][-1]} files",
            f"{per[0]:.4g} s/s at {m['n_files'][0]} files (r2 {m['r2']:.4f})",
        )
    if key.startswith("peak_memory"):
        ours, plain = m["sklearn_ser"], m["plain"]
        return (
            f"+{ours['increment_mb']:.0f} MB (peak {ours['peak_rss_mb']:.0f})",
            f"+{plain['increment_mb']:.0f} MB (peak {plain['peak_rss_mb']:.0f})",
        )
    return "", ""


def markdown(results):
    m, s = results["machine"], results["settings"]
    lines = [
        "# sklearn-ser benchmarks",
        "",
        f"`{s['command']}`: {s['n_files']} EMOVO files ({s['audio_s']:.0f} s of "
        f"audio), at least {s['repeats']} repeats; took {s['duration_s']:.0f} s. "
        "A paired figure is the median of its pairs' ratios (each pair: the two "
        "sides run back to back); beside it the range of those ratios (number of "
        "pairs) and a distribution-free interval of the median (its coverage). "
        f"Pairs were added until the interval was within "
        f"{s['spread_tolerance']:.0%} of the median, up to "
        f"{MAX_PAIRS_FACTOR} times the repeats.",
        "",
        f"Machine: {m['cpu']}, {m['usable_cores']} usable cores, "
        f"{m['memory_gb']} GB; Python {m['python']}, torch {m['torch']}, "
        f"scikit-learn {m['scikit-learn']}, opensmile {m['opensmile']}, "
        f"librosa {m['librosa']}, joblib {m['joblib']}. 1-minute load average at "
        f"the start: {s['load_avg_start']}, at the end: {s['load_avg_end']}.",
        "",
        "| figure | numerator (median) | denominator (median) | ratio (median of "
        "pairs) | range of pairs "
        "| interval of the median | target | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, e in _rows(results):
        if e.get("error"):
            lines.append(f"| {key} | not measured: {e['error']} | | | | | | |")
            continue
        t = e["target"]
        target = f"{t['op']} {t['value']:g}" if t else "-"
        ours, plain = _parts(key, e)
        pairs, interval = spread_cells(e)
        lines.append(
            f"| {key} | {ours} | {plain} | {_fmt(e['ratio'])} | {pairs} "
            f"| {interval} | {target} | {_fmt(e['pass'])} |"
        )
    lines += ["", "Definitions:", ""]
    for key, e in _rows(results):
        if not e.get("error"):
            lines.append(f"- **{key}**: {e['definition']}.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="directory for the results")
    parser.add_argument(
        "--quick", action="store_true", help="a 96-file subset of EMOVO, 2 repeats"
    )
    parser.add_argument(
        "--n-files", type=int, default=None, help="number of EMOVO files to use"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="pairs of runs per figure at least (3, or 2 with --quick; some figures "
        f"run a multiple); at most {MAX_PAIRS_FACTOR} times as many",
    )
    parser.add_argument(
        "--spread-tolerance",
        type=float,
        default=SPREAD_TOLERANCE,
        help="add pairs until half the interval of the median ratio is at most this "
        "fraction of it (default %(default)s; 0: always the most pairs)",
    )
    parser.add_argument(
        "--memory-files",
        choices=("all", "subset"),
        default="all",
        help="peak memory over the whole corpus (default) or the selected files",
    )
    parser.add_argument("--data-home", default=None, help="holds emovo/")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    load_start = load_avg()
    data_home = args.data_home or default_data_home()
    n_files = args.n_files or (96 if args.quick else None)
    repeats = args.repeats or (2 if args.quick else 3)
    tol = args.spread_tolerance
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files, y, groups, durations = select_emovo(data_home, n_files)
    audio_s = float(durations.sum())
    _log(f"{len(files)} files, {audio_s:.0f} s of audio, {repeats} repeats")

    results = {"machine": machine_info()}
    with tempfile.TemporaryDirectory(prefix="sklearn-ser-bench-") as workdir:
        steps = [
            (
                "is10_overhead_vs_opensmile",
                bench_is10_overhead,
                (files, audio_s, repeats, tol),
            ),
            ("is10_parallel_speedup_2_jobs", bench_parallel, (files, repeats + 1, tol)),
            ("dask_extraction_overhead_vs_loky", bench_dask, (files, repeats, tol)),
            ("cache_speedup", bench_cache, (files, workdir)),
            (
                "gridsearch_extraction_ratio",
                bench_gridsearch,
                (files, y, groups, workdir, 2, tol),
            ),
            (
                "logmel_overhead_vs_librosa",
                bench_logmel,
                (files, audio_s, 5 * repeats, tol),
            ),
        ]
        for key, fn, fn_args in steps:
            _log(key)
            results[key] = fn(*fn_args)
            _log(f"  ratio {results[key]['ratio']}, pass {results[key]['pass']}")
        _log("attention_epoch_overhead_vs_torch")
        try:
            results["attention_epoch_overhead_vs_torch"] = bench_attention(
                args.quick, args.repeats, tol
            )
        except Exception as exc:  # reported, not hidden: the table says why
            results["attention_epoch_overhead_vs_torch"] = {
                "ratio": None,
                "target": None,
                "pass": None,
                "error": f"{type(exc).__name__}: {exc}",
            }
        _log("real_time_factors")
        is10 = results["is10_overhead_vs_opensmile"]["measured"]
        logmel = results["logmel_overhead_vs_librosa"]["measured"]
        results["real_time_factors"] = bench_real_time(
            files,
            audio_s,
            is10["sklearn_ser_median_s"],
            logmel["sklearn_ser_median_s"],
            repeats,
        )
        _log("extraction_scaling")
        results["extraction_scaling"] = bench_scaling(files, durations, repeats + 1)
        mem_files = files
        if args.memory_files == "all":
            mem_files = select_emovo(data_home)[0]
        _log(f"peak_memory over {len(mem_files)} files")
        results["peak_memory"] = bench_memory(mem_files, workdir)

    results["settings"] = {
        "command": "python benchmarks/run.py "
        + " ".join(a for a in (argv if argv is not None else sys.argv[1:])),
        "quick": args.quick,
        "n_files": len(files),
        "audio_s": round(audio_s, 1),
        "repeats": repeats,
        "spread_tolerance": tol,
        "memory_files": len(mem_files),
        "load_avg_start": load_start,
        "load_avg_end": load_avg(),
        "duration_s": round(time.perf_counter() - started, 1),
    }
    missing = set(FIGURES) ^ (set(results) - {"machine", "settings"})
    if missing:  # FIGURES is what tests/test_benchmarks.py checks against
        raise RuntimeError(f"FIGURES and the figures measured differ: {missing}")
    (out_dir / "benchmarks.json").write_text(json.dumps(results, indent=2) + "\n")
    summary = markdown(results)
    (out_dir / "benchmarks.md").write_text(summary)
    print(summary)
    return results


if __name__ == "__main__":
    main()
