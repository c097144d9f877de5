"""Throughput of `sklearn-ser serve` against the same model called in process.

Usage::

    python benchmarks/bench_serve.py --out DIR [--pipelines is10-svm whisper-logreg]
        [--n-clips 24] [--repeats 3] [--clients 1 4]

For each named pipeline: the model is fitted on 42 EMOVO utterances (6 per class)
and saved; ``sklearn-ser serve`` runs it in a subprocess on 127.0.0.1; 3-second
clips cut from other EMOVO utterances are sent as ``POST /predict`` by 1 and by 4
concurrent clients (threads with a keep-alive ``http.client`` connection each), and
the same clips go through ``model.predict([clip])`` in this process with the same
number of threads, the model loaded from the same file. The two sides run in
pairs, the order alternating, ``--repeats`` pairs at least and up to three times
as many until the interval of the median ratio is within 5 % of it
(``_common.interleave_pairs``); every answer is checked against the in-process
label once.

Figures (written to ``DIR/serve.json`` and ``DIR/serve.md``):

* ``serve_overhead_<pipeline>_<c>_clients``: seconds per request through the
  service / seconds per ``model.predict`` call in process, at ``c`` concurrent
  clients: the median of the pairs' ratios, with their range and the interval of
  the median (target: the median <= 1.10 at 4 clients; reported at 1).
  ``measured`` holds both sides' requests per second and the CPU milliseconds per
  request of the service process, of the clients and of the in-process side (all
  threads; medians over the pairs).

The service and the clients share the machine's cores with the in-process side's
threads only in turn, never at once; other processes' load is recorded beside.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from _common import (  # noqa: E402
    MAX_PAIRS_FACTOR,
    REPO,
    default_data_home,
    interleave_pairs,
    load_avg,
    machine_info,
    median,
    paired_entry,
    spread_cells,
)

CLIP_S = 3.0
TARGET_4_CLIENTS = 1.10


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def corpus_split(data_home, n_clips, workdir):
    """42 training files (6 per class) and ``n_clips`` 3-s clips of other files."""
    from sklearn_ser.datasets import load_emovo

    data = load_emovo(data_home)
    files, y = np.asarray(data.filenames), np.asarray(data.target)
    rng = np.random.default_rng(0)
    train = np.concatenate(
        [rng.choice(np.flatnonzero(y == c), 6, replace=False) for c in np.unique(y)]
    )
    clips = []
    for i in rng.permutation(np.setdiff1d(np.arange(len(files)), train)):
        x, rate = sf.read(files[i], dtype="float32")
        n = int(CLIP_S * rate)
        if len(x) < n:
            continue
        path = Path(workdir) / f"clip{len(clips):02d}.wav"
        sf.write(path, x[:n], rate)
        clips.append(str(path))
        if len(clips) == n_clips:
            break
    return files[np.sort(train)], y[np.sort(train)], clips


class Server:
    """``sklearn-ser serve MODEL`` on a free port, as a context manager."""

    def __init__(self, model_path, log):
        self.model_path, self.log = model_path, log

    def __enter__(self):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [
            *(sys.executable, "-m", "sklearn_ser.cli", "serve", str(self.model_path)),
            *("--port", str(port), "--long-audio-s", "0"),
        ]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(Path(self.log).read_text())
            try:
                urllib.request.urlopen(f"{self.url}/info", timeout=2).read()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.proc.kill()
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_clients(clips, n_clients, one_request):
    """Wall seconds for ``n_clients`` threads to go through ``clips`` together."""
    with concurrent.futures.ThreadPoolExecutor(n_clients) as pool:
        start = time.perf_counter()
        answers = list(pool.map(one_request, clips))
        return time.perf_counter() - start, answers


def _cpu_seconds(pid=None):
    """User + system CPU seconds of a process (this one by default), all threads."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_pipeline(name, train_X, train_y, clips, args, workdir):
    import http.client
    from urllib.parse import urlsplit

    from urllib3 import encode_multipart_formdata

    from sklearn_ser import load_model, save_model
    from sklearn_ser.pipelines import make_named_pipeline

    options = {"probability": True} if name == "is10-svm" else {}
    if name.startswith("whisper"):
        options["whisper_model"] = args.whisper_model
    t_fit = time.perf_counter()
    model = make_named_pipeline(name, random_state=0, **options)
    model.fit(train_X, train_y)
    t_fit = time.perf_counter() - t_fit
    path = save_model(model, Path(workdir) / f"{name}.skops")
    model = load_model(path)
    print(f"{name}: fitted on {len(train_X)} files in {t_fit:.1f} s", file=sys.stderr)
    local = threading.local()

    def in_process(clip):
        return model.predict([clip])[0]

    # Each clip's multipart body is encoded once, before timing: what is timed is
    # the request and the service's answer, not the client building the form.
    bodies = {
        clip: encode_multipart_formdata(
            {"file": (Path(clip).name, Path(clip).read_bytes())}
        )
        for clip in clips
    }

    # The client is the standard library's http.client on one keep-alive
    # connection per thread: on a 2-core machine the clients share the cores with
    # the service, and a lean client keeps their share small (requests took 2.3 ms
    # of CPU per request here, http.client a fraction of it; both are recorded).
    def via_service(clip):
        conn = getattr(local, "conn", None)
        if conn is None:
            address = urlsplit(server.url)
            conn = local.conn = http.client.HTTPConnection(
                address.hostname, address.port, timeout=300
            )
        body, content_type = bodies[clip]
        conn.request(
            "POST", "/predict", body=body, headers={"Content-Type": content_type}
        )
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {payload[:300]!r}")
        return json.loads(payload)["label"]

    cpu = {"service_server": [], "service_client": [], "in_process": []}

    def timed_service(c):
        server0, client0 = _cpu_seconds(server.proc.pid), _cpu_seconds()
        seconds = run_clients(clips, c, via_service)[0]
        cpu["service_server"].append(_cpu_seconds(server.proc.pid) - server0)
        cpu["service_client"].append(_cpu_seconds() - client0)
        return seconds

    def timed_local(c):
        start = _cpu_seconds()
        seconds = run_clients(clips, c, in_process)[0]
        cpu["in_process"].append(_cpu_seconds() - start)
        return seconds

    entries = {}
    with Server(path, Path(workdir) / f"{name}.log") as server:
        # warm both sides, and check that they agree on every clip
        want = [in_process(c) for c in clips]
        got = run_clients(clips, 1, via_service)[1]
        assert got == want, (got, want)
        for c in args.clients:
            for side in cpu.values():
                side.clear()
            t_served, t_local, _ = interleave_pairs(
                lambda i, c=c: timed_service(c),
                lambda i, c=c: timed_local(c),
                min_pairs=args.repeats,
                max_pairs=MAX_PAIRS_FACTOR * args.repeats,
            )
            n = len(clips)
            # CPU milliseconds per request: where the service's time goes
            cpu_ms = {
                f"cpu_ms_per_request_{side}": round(1000 * median(v) / n, 2)
                for side, v in cpu.items()
            }
            target = TARGET_4_CLIENTS if c == 4 else None
            e = entries[f"serve_overhead_{name}_{c}_clients"] = paired_entry(
                f"seconds per POST /predict of a 3-s clip through `sklearn-ser serve` "
                f"/ seconds per model.predict([clip]) in process, {c} concurrent "
                "client(s)",
                {
                    "in_process_s": t_local,
                    "service_s": t_served,
                    "n_requests": n,
                    "in_process_requests_per_s": round(n / median(t_local), 2),
                    "service_requests_per_s": round(n / median(t_served), 2),
                    "load_avg_1min": load_avg(),
                    **cpu_ms,
                },
                t_served,
                t_local,
                target,
            )
            ratio = e["ratio"]
            print(
                f"{name}, {c} client(s): {n / median(t_served):.2f} req/s served, "
                f"{n / median(t_local):.2f} in process, ratio {ratio:.3f}",
                file=sys.stderr,
            )
    return entries


def markdown(results):
    lines = [
        "| pipeline | clients | in process (req/s) | service (req/s) "
        "| time per request, service / in process (median of pairs) "
        "| range of pairs | interval of the median | target | pass |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, e in results["entries"].items():
        m = e["measured"]
        name, c = key[len("serve_overhead_") :].rsplit("_", 2)[:2]
        target = f"{e['target']['op']} {e['target']['value']}" if e["target"] else "-"
        pairs, interval = spread_cells(e)
        lines.append(
            f"| {name} | {c} | {m['in_process_requests_per_s']} | "
            f"{m['service_requests_per_s']} | {e['ratio']} | {pairs} | {interval} "
            f"| {target} | "
            f"{'-' if e['pass'] is None else e['pass']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--pipelines", nargs="+", default=["is10-svm", "whisper-logreg"]
    )
    parser.add_argument("--n-clips", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    parser.add_argument(
        "--whisper-model",
        default=os.environ.get("SKLEARN_SER_WHISPER_MODEL")
        or str(REPO / "models" / "faster-whisper-base"),
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": machine_info(),
        "settings": {
            "command": " ".join(["python", "benchmarks/bench_serve.py", *sys.argv[1:]]),
            "clip_s": CLIP_S,
            "n_clips": args.n_clips,
            "repeats": args.repeats,
            "clients": args.clients,
            "load_avg_1min_start": load_avg(),
        },
        "entries": {},
    }
    with tempfile.TemporaryDirectory() as workdir:
        train_X, train_y, clips = corpus_split(
            default_data_home(), args.n_clips, workdir
        )
        for name in args.pipelines:
            results["entries"].update(
                bench_pipeline(name, train_X, train_y, clips, args, workdir)
            )
    results["settings"]["load_avg_1min_end"] = load_avg()
    (out / "serve.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (out / "serve.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
