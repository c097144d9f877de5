"""The benchmark script runs end to end and writes every figure.

A smoke run on six EMOVO files: it checks the shape and the internal consistency of
``benchmarks.json``, never the timings themselves (a timed unit test would fail on
a busy machine and pass on a fast one for the wrong reasons; the targets are
checked by the benchmark's own pass/fail).
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Every benchmark of the script, on a few files: about four minutes on 2 busy cores.
pytestmark = pytest.mark.slow

RATIO_KEYS = [
    "is10_overhead_vs_opensmile",
    "is10_parallel_speedup_2_jobs",
    "cache_speedup",
    "gridsearch_extraction_ratio",
    "logmel_overhead_vs_librosa",
    "attention_epoch_overhead_vs_torch",
    "dask_extraction_overhead_vs_loky",
    "extraction_scaling",
]
TARGETS = {
    "is10_overhead_vs_opensmile": ("<=", 1.10),
    "is10_parallel_speedup_2_jobs": (">=", 1.6),
    "cache_speedup": (">=", 20.0),
    "gridsearch_extraction_ratio": ("<=", 1.5),
    "attention_epoch_overhead_vs_torch": ("<=", 1.15),
}
# (figure, numerator, denominator) medians in "measured" that the ratio is made of.
PARTS = {
    "is10_overhead_vs_opensmile": ("sklearn_ser_median_s", "opensmile_loop_median_s"),
    "is10_parallel_speedup_2_jobs": ("n_jobs_1_median_s", "n_jobs_2_median_s"),
    "cache_speedup": ("first_run_median_s", "cached_run_median_s"),
    "gridsearch_extraction_ratio": (
        "pipeline_with_cache_median_s",
        "extract_once_then_fit_median_s",
    ),
    "logmel_overhead_vs_librosa": ("sklearn_ser_median_s", "librosa_loop_median_s"),
    "attention_epoch_overhead_vs_torch": ("classifier_median_s", "plain_median_s"),
    "dask_extraction_overhead_vs_loky": ("dask_median_s", "loky_median_s"),
}


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@pytest.fixture(scope="module")
def results(tmp_path_factory, data_home):
    out = tmp_path_factory.mktemp("bench")
    cmd = [
        sys.executable,
        str(REPO / "benchmarks" / "run.py"),
        "--quick",
        "--n-files",
        "6",
        "--repeats",
        "1",
        "--memory-files",
        "subset",
        "--data-home",
        str(data_home),
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads((out / "benchmarks.json").read_text()), (
        out / "benchmarks.md"
    ).read_text()


def _check_entry(name, e):
    assert _number(e["ratio"]) and e["ratio"] > 0, (name, e)
    assert isinstance(e["definition"], str) and e["definition"], name
    assert isinstance(e["measured"], dict) and e["measured"], name
    if e["target"] is None:
        assert e["pass"] is None, name
        return
    op, value = e["target"]["op"], e["target"]["value"]
    assert op in ("<=", ">=") and _number(value), name
    expected = e["ratio"] <= value if op == "<=" else e["ratio"] >= value
    assert e["pass"] is expected, name


def test_every_figure_is_a_number_with_its_target(results):
    data, _ = results
    for key in RATIO_KEYS:
        assert key in data, key
        _check_entry(key, data[key])
    for key, (op, value) in TARGETS.items():
        assert data[key]["target"] == {"op": op, "value": value}, key
    for group in ("real_time_factors", "peak_memory"):
        assert data[group], group
        for name, e in data[group].items():
            _check_entry(f"{group}[{name}]", e)
    assert {"OpenSmileIS10", "LogMelDeltas"} <= set(data["real_time_factors"])
    assert {"OpenSmileIS10", "LogMelDeltas"} <= set(data["peak_memory"])


def test_ratios_are_made_of_the_measured_times(results):
    data, _ = results
    for key, (num, den) in PARTS.items():
        m = data[key]["measured"]
        assert _number(m[num]) and _number(m[den]) and m[den] > 0, key
        assert data[key]["ratio"] == pytest.approx(m[num] / m[den], rel=1e-3), key
    rtf = data["real_time_factors"]["OpenSmileIS10"]
    assert rtf["ratio"] == pytest.approx(
        rtf["measured"]["extraction_s"] / rtf["measured"]["audio_s"], rel=1e-2
    )
    scaling = data["extraction_scaling"]["measured"]
    assert len(scaling["n_files"]) >= 3
    assert scaling["n_files"] == sorted(scaling["n_files"])
    assert _number(scaling["r2"]) and scaling["r2"] <= 1
    assert _number(scaling["fit_seconds_per_file"])
    for e in data["peak_memory"].values():
        for side in ("sklearn_ser", "plain"):
            assert e["measured"][side]["n_files"] == 6
            assert e["measured"][side]["peak_rss_mb"] > 0


def test_machine_settings_and_summary(results):
    data, summary = results
    machine = data["machine"]
    for key in ("cpu", "logical_cores", "usable_cores", "python", "torch"):
        assert machine[key], key
    assert data["settings"]["n_files"] == 6
    assert data["settings"]["quick"] is True
    assert "--quick" in data["settings"]["command"]
    for key in RATIO_KEYS:
        assert key in summary, key
    assert machine["cpu"] in summary
