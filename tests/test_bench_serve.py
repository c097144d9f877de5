"""benchmarks/bench_serve.py runs end to end and its figures are made of its times.

A smoke run (is10-svm, 4 clips, one repeat): it checks the shape and the internal
consistency of ``serve.json``, never the timings themselves (the target is the
benchmark's own pass/fail).
"""

import json
import os
import statistics
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_bench_serve_writes_consistent_figures(tmp_path, data_home):
    cmd = [
        *(sys.executable, str(REPO / "benchmarks" / "bench_serve.py")),
        *("--out", str(tmp_path), "--pipelines", "is10-svm"),
        *("--n-clips", "4", "--repeats", "1", "--clients", "1", "4"),
    ]
    env = {**os.environ, "SKLEARN_SER_DATA": str(data_home)}
    subprocess.run(cmd, check=True, cwd=tmp_path, env=env, timeout=900)
    results = json.loads((tmp_path / "serve.json").read_text())
    assert set(results["entries"]) == {
        "serve_overhead_is10-svm_1_clients",
        "serve_overhead_is10-svm_4_clients",
    }
    for key, e in results["entries"].items():
        m = e["measured"]
        assert m["n_requests"] == 4
        local = statistics.median(m["in_process_s"])
        served = statistics.median(m["service_s"])
        # the median of the pairs' ratios (each pair: both sides back to back)
        ratios = [s / t for s, t in zip(m["service_s"], m["in_process_s"])]
        assert e["ratio"] == pytest.approx(statistics.median(ratios), abs=1e-4)
        assert e["spread"]["n_pairs"] == len(ratios) >= 1
        assert m["service_requests_per_s"] == pytest.approx(4 / served, abs=0.01)
        assert m["in_process_requests_per_s"] == pytest.approx(4 / local, abs=0.01)
        # where the time goes: CPU per request of the service, clients, in process
        # (clock ticks of 10 ms: the clients' few ms over 4 requests may read 0)
        assert m["cpu_ms_per_request_service_server"] > 0
        assert m["cpu_ms_per_request_in_process"] > 0
        assert m["cpu_ms_per_request_service_client"] >= 0
        if key.endswith("_4_clients"):
            assert e["target"] == {"op": "<=", "value": 1.1}
            assert e["pass"] == (e["ratio"] <= 1.1)
        else:
            assert e["target"] is None and e["pass"] is None
    table = (tmp_path / "serve.md").read_text()
    assert "| is10-svm | 4 |" in table and "| is10-svm | 1 |" in table
