"""The benchmark script runs end to end and writes every figure with its spread.

The figures, their targets and the timings each ratio is made of are taken from
``benchmarks/run.py`` itself (``FIGURES``, ``TARGETS``, ``PAIRS``), not retyped here.
A smoke run on six EMOVO files checks the shape and the internal consistency of
``benchmarks.json``, never the timings themselves (a timed unit test would fail on
a busy machine and pass on a fast one for the wrong reasons; the targets are
checked by the benchmark's own pass/fail). The shared summary of a paired figure
(``benchmarks/_common.py``: median of the per-pair ratios, their range, the
interval of the median, the stopping rule) is checked by hand on small inputs.
"""

import json
import math
import statistics
import subprocess
import sys

import pytest

from conftest import REPO


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@pytest.fixture(scope="module")
def common(load_script):
    return load_script("benchmarks/_common.py")


@pytest.fixture(scope="module")
def run_script(load_script):
    return load_script("benchmarks/run.py")


# -- the shared summary of a paired figure ------------------------------------------


def test_ratio_spread_is_the_median_of_the_pairs_ratios(common):
    spread = common.ratio_spread([2.0, 3.0, 4.0], [1.0, 2.0, 2.0])
    assert spread["ratios"] == [2.0, 1.5, 2.0]
    # the median of the pairs' ratios, not the ratio of the medians (3 / 2)
    assert spread["median"] == 2.0
    assert (spread["min"], spread["max"], spread["n_pairs"]) == (1.5, 2.0, 3)
    # three pairs: the interval is the range, and holds the median 1 - 2 / 8 of times
    assert spread["interval"] == [1.5, 2.0]
    assert spread["interval_coverage"] == 0.75


def test_interval_of_the_median_by_hand(common):
    # nine pairs: x_(2) <= median <= x_(8) with probability 1 - 2 (1 + 9) / 2**9;
    # x_(3)..x_(7) would hold it only 1 - 2 (1 + 9 + 36) / 2**9 = 0.82 of the time
    ratios = [1.0, 1.5, 1.1, 0.9, 1.2, 1.3, 0.8, 1.4, 2.0]
    spread = common.ratio_spread(ratios, [1.0] * 9)
    assert spread["median"] == 1.2
    assert spread["interval"] == [0.9, 1.5]
    assert spread["interval_coverage"] == round(1 - 2 * 10 / 512, 4)
    assert (spread["min"], spread["max"]) == (0.8, 2.0)
    # one pair states no spread at all
    one = common.ratio_spread([1.2], [1.0])
    assert one["interval"] == [1.2, 1.2] and one["interval_coverage"] == 0.0


def test_ratio_spread_refuses_unpaired_or_empty_timings(common):
    with pytest.raises(ValueError, match="same positive number"):
        common.ratio_spread([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="same positive number"):
        common.ratio_spread([], [])
    with pytest.raises(ValueError, match="positive"):
        common.ratio_spread([1.0], [0.0])


def test_interleave_pairs_alternates_and_stops_once_narrow(common):
    order = []

    def side(name, seconds):
        def run(i):
            order.append((name, i))
            return seconds(i)

        return run

    # constant ratio 1.1: narrow as soon as the minimum is reached
    a_s, b_s, spread = common.interleave_pairs(
        side("a", lambda i: 1.1), side("b", lambda i: 1.0), min_pairs=3, max_pairs=9
    )
    assert len(a_s) == len(b_s) == 3 and spread["median"] == 1.1
    assert order == [("a", 0), ("b", 0), ("b", 1), ("a", 1), ("a", 2), ("b", 2)]
    # ratios alternating 0.8 / 1.2: never within 5 %, so the most pairs
    a_s, b_s, spread = common.interleave_pairs(
        side("a", lambda i: 0.8 if i % 2 else 1.2),
        side("b", lambda i: 1.0),
        min_pairs=3,
        max_pairs=7,
    )
    assert spread["n_pairs"] == 7 and spread["interval"] == [0.8, 1.2]
    assert not common.spread_is_narrow(spread)
    assert common.spread_is_narrow(spread, tolerance=0.2 / spread["median"])
    # two equal ratios are no evidence of a narrow spread: a third pair is taken
    a_s, _, _ = common.interleave_pairs(
        side("a", lambda i: 1.0), side("b", lambda i: 1.0), min_pairs=1, max_pairs=5
    )
    assert len(a_s) == 3
    with pytest.raises(ValueError, match="min_pairs"):
        common.interleave_pairs(len, len, min_pairs=4, max_pairs=2)


def test_a_paired_entry_passes_on_its_median(common):
    # pairs 1.0, 1.3, 1.1: the median 1.1 meets <= 1.15 though one pair does not
    e = common.paired_entry("d", {}, [1.0, 1.3, 1.1], [1.0, 1.0, 1.0], 1.15, "<=")
    assert e["ratio"] == 1.1 and e["pass"] is True
    assert e["spread"]["max"] == 1.3
    with pytest.raises(ValueError, match="median of its pairs"):
        common.entry("d", {}, 1.2, 1.15, spread=e["spread"])


# -- run.py end to end --------------------------------------------------------------


@pytest.fixture(scope="module")
def results(tmp_path_factory, data_home):
    out = tmp_path_factory.mktemp("bench")
    # --spread-tolerance 0: never narrow, so every paired figure adds pairs up to
    # its maximum (the stopping rule's other branch is checked by hand above).
    cmd = [
        sys.executable,
        str(REPO / "benchmarks" / "run.py"),
        "--quick",
        "--n-files",
        "6",
        "--repeats",
        "1",
        "--spread-tolerance",
        "0",
        "--memory-files",
        "subset",
        "--data-home",
        str(data_home),
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
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


def _entries(data, key):
    """``(name, entry)`` of a figure: itself, or each of a group's entries."""
    value = data[key]
    if "ratio" in value:
        return [(key, value)]
    assert value, key
    return [(f"{key}[{name}]", e) for name, e in value.items()]


@pytest.mark.slow
def test_every_figure_is_a_number_with_its_target(results, run_script):
    data, _ = results
    assert set(data) - {"machine", "settings"} == set(run_script.FIGURES)
    for key in run_script.FIGURES:
        for name, e in _entries(data, key):
            _check_entry(name, e)
    for key, (op, value) in run_script.TARGETS.items():
        # real_time_factor is the target of every entry of real_time_factors
        group = key if key in data else f"{key}s"
        for name, e in _entries(data, group):
            assert e["target"] == {"op": op, "value": value}, name
    assert {"OpenSmileIS10", "LogMelDeltas"} <= set(data["real_time_factors"])
    assert {"OpenSmileIS10", "LogMelDeltas"} <= set(data["peak_memory"])


@pytest.mark.slow
def test_ratios_are_the_median_of_the_pairs_of_measured_times(results, run_script):
    data, _ = results
    for key, (num, den) in run_script.PAIRS.items():
        m, spread = data[key]["measured"], data[key]["spread"]
        a, b = m[num], m[den]
        assert len(a) == len(b) == spread["n_pairs"] >= 2, key
        assert all(_number(x) and x > 0 for x in a + b), key
        ratios = [x / y for x, y in zip(a, b)]
        assert spread["ratios"] == pytest.approx(ratios, rel=1e-3), key
        assert data[key]["ratio"] == pytest.approx(statistics.median(ratios), rel=1e-3)
        low, high = spread["interval"]
        assert spread["min"] <= low <= data[key]["ratio"] <= high <= spread["max"], key
        assert 0 <= spread["interval_coverage"] < 1, key
    # tolerance 0: the figures timed by _interleaved ran their most pairs
    for key in ("is10_overhead_vs_opensmile", "logmel_overhead_vs_librosa"):
        n = data[key]["spread"]["n_pairs"]
        assert n % run_script.MAX_PAIRS_FACTOR == 0 and n > 1, key
    assert data["attention_epoch_overhead_vs_torch"]["spread"]["n_pairs"] == (
        run_script.MAX_PAIRS_FACTOR
    )
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


@pytest.mark.slow
def test_machine_settings_and_summary(results, run_script):
    data, summary = results
    machine = data["machine"]
    for key in ("cpu", "logical_cores", "usable_cores", "python", "torch"):
        assert machine[key], key
    assert data["settings"]["n_files"] == 6
    assert data["settings"]["quick"] is True
    assert data["settings"]["spread_tolerance"] == 0
    assert "--quick" in data["settings"]["command"]
    for key in run_script.FIGURES:
        assert key in summary, key
    # the table states each paired figure's range of pairs beside its median
    rows = {line.split(" | ")[0].lstrip("| "): line for line in summary.splitlines()}
    for key in run_script.PAIRS:
        spread = data[key]["spread"]
        assert f"({spread['n_pairs']})" in rows[key], key
    assert machine["cpu"] in summary
