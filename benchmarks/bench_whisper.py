"""Speed of WhisperEncoder, each figure a ratio against the plain alternative.

Usage::

    python benchmarks/bench_whisper.py --out DIR [--n-files 48] [--repeats 3]
        [--model models/faster-whisper-base] [--device cpu|cuda]

Figures (written to ``DIR/whisper.json`` and ``DIR/whisper.md``):

* ``whisper_overhead_vs_ctranslate2``: ``WhisperEncoder(n_jobs=1).transform(files)``
  over soundfile + faster-whisper's feature extractor + ``ctranslate2...encode`` +
  mean/std in a loop over the same files, no toolkit (target <= 1.10). The two
  sides run in pairs, the order alternating, ``--repeats`` pairs at least and up to
  three times as many until the interval of the median ratio is within 5 % of it;
  the figure is the median of the pairs' ratios, with their range and that
  interval (``_common.ratio_spread``). The target holds the median.
* ``whisper_parallel_speedup_2_jobs``: one job with one CTranslate2 thread over two
  jobs with one thread each (target >= 1.6), ``--repeats`` rounds of the three
  runs, the median of the rounds' ratios with their spread; the speedup over one
  job with two threads (CTranslate2's own parallelism) is reported beside it.
* ``whisper_cache_speedup``: a cold transform over a rerun served from the cache
  (target >= 100).
* ``whisper_real_time_factor``: seconds of extraction per second of audio, int8, on
  this machine's cores, one job (no target; lower is faster).
* ``whisper_pad_to_window_cost``: ``pad_to_window=True`` over the default (no target).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from _common import (  # noqa: E402
    MAX_PAIRS_FACTOR,
    REPO,
    default_data_home,
    entry,
    interleave_pairs,
    load_avg,
    machine_info,
    median,
    paired_entry,
    select_emovo,
    spread_cells,
)

from sklearn_ser import WhisperEncoder  # noqa: E402

TARGETS = {
    "whisper_overhead_vs_ctranslate2": ("<=", 1.10),
    "whisper_parallel_speedup_2_jobs": (">=", 1.6),
    "whisper_cache_speedup": (">=", 100.0),
}


def load_plain(model_dir, device, compute_type, threads):
    """The model and feature extractor, loaded once (as the encoder caches them)."""
    import ctranslate2
    from faster_whisper.feature_extractor import FeatureExtractor

    model = ctranslate2.models.Whisper(
        model_dir, device=device, compute_type=compute_type, intra_threads=threads
    )
    return model, FeatureExtractor(feature_size=model.n_mels)


def plain_loop(files, model, fe):
    """The same work with the libraries called directly: no toolkit."""
    import ctranslate2

    rows = []
    for f in files:
        signal, _ = sf.read(f, dtype="float32")
        mel = fe(signal, padding=0)
        out = model.encode(ctranslate2.StorageView.from_array(mel[None]), to_cpu=True)
        frames = np.array(out)[0, : (mel.shape[1] + 1) // 2]
        rows.append(np.concatenate([frames.mean(0), frames.std(0)]))
    return np.vstack(rows)


def _time(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--n-files", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--model",
        default=os.environ.get("SKLEARN_SER_WHISPER_MODEL")
        or str(REPO / "models" / "faster-whisper-base"),
    )
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    files, _, _, durations = select_emovo(default_data_home(), args.n_files)
    audio_s = float(durations.sum())
    compute_type = "int8" if args.device == "cpu" else "float16"
    results = {"machine": machine_info(), "device": args.device, "entries": {}}
    load0 = load_avg()

    def enc(**kw):
        return WhisperEncoder(
            model=args.model, device=args.device, compute_type=compute_type, **kw
        )

    # 1. overhead vs CTranslate2 called directly (warm both first; same threads)
    threads = os.cpu_count() if args.device == "cpu" else 0
    ours = enc(cpu_threads=threads).transform(files[:2])
    model, fe = load_plain(args.model, args.device, compute_type, threads)
    plain = plain_loop(files[:2], model, fe)
    # The same computation; the encoder's one-BLAS-thread log-Mel differs from the
    # plain one in summation order only, which int8 amplifies a little.
    assert np.abs(ours - plain).max() < 0.2, np.abs(ours - plain).max()
    t_ours, t_plain, _ = interleave_pairs(
        lambda i: _time(lambda: enc(cpu_threads=threads).transform(files))[0],
        lambda i: _time(lambda: plain_loop(files, model, fe))[0],
        min_pairs=args.repeats,
        max_pairs=MAX_PAIRS_FACTOR * args.repeats,
    )
    results["entries"]["whisper_overhead_vs_ctranslate2"] = paired_entry(
        "WhisperEncoder(n_jobs=1).transform(files) / faster-whisper features + "
        "ctranslate2 Whisper.encode + mean/std in a loop (same threads, no cache)",
        {"sklearn_ser_s": t_ours, "ctranslate2_loop_s": t_plain, "n_files": len(files)},
        t_ours,
        t_plain,
        *TARGETS["whisper_overhead_vs_ctranslate2"][::-1],
    )

    # 2. two jobs
    if args.device == "cpu":
        t1, t2, t1x2 = [], [], []
        # warm: the workers start and load the model once, as in a long run
        enc(cpu_threads=1, n_jobs=2).transform(files[:4])
        for _ in range(args.repeats):
            t1.append(_time(lambda: enc(cpu_threads=1).transform(files))[0])
            t2.append(_time(lambda: enc(cpu_threads=1, n_jobs=2).transform(files))[0])
            t1x2.append(_time(lambda: enc(cpu_threads=2).transform(files))[0])
        results["entries"]["whisper_parallel_speedup_2_jobs"] = paired_entry(
            "WhisperEncoder(n_jobs=1, cpu_threads=1) / (n_jobs=2, cpu_threads=1)",
            {
                "one_job_one_thread_s": t1,
                "two_jobs_s": t2,
                "one_job_two_threads_s": t1x2,
                "speedup_over_one_job_two_threads": round(median(t1x2) / median(t2), 3),
            },
            t1,
            t2,
            *TARGETS["whisper_parallel_speedup_2_jobs"][::-1],
        )

    # 3. cache
    with tempfile.TemporaryDirectory() as cache:
        cold, _ = _time(lambda: enc(memory=cache).transform(files))
        warm = [
            _time(lambda: enc(memory=cache).transform(files))[0]
            for _ in range(max(3, args.repeats))
        ]
    results["entries"]["whisper_cache_speedup"] = entry(
        "cold WhisperEncoder(memory=dir).transform(files) / the same rerun from the "
        "cache",
        {"cold_s": cold, "warm_s": warm},
        cold / median(warm),
        *TARGETS["whisper_cache_speedup"][::-1],
    )

    # 4. real-time factor, 5. pad_to_window cost
    results["entries"]["whisper_real_time_factor"] = entry(
        f"seconds of WhisperEncoder extraction per second of audio ({compute_type}, "
        f"{threads or 'default'} threads, one job)",
        {"extraction_s": median(t_ours), "audio_s": round(audio_s, 1)},
        median(t_ours) / audio_s,
    )
    few = files[: max(4, len(files) // 8)]
    t_pad, _ = _time(
        lambda: enc(cpu_threads=threads, pad_to_window=True).transform(few)
    )
    t_nopad, _ = _time(lambda: enc(cpu_threads=threads).transform(few))
    results["entries"]["whisper_pad_to_window_cost"] = entry(
        "WhisperEncoder(pad_to_window=True) / the default, on "
        f"{len(few)} of the files (each padded to Whisper's 30 s window)",
        {"pad_s": t_pad, "no_pad_s": t_nopad},
        t_pad / t_nopad,
    )
    results["load_avg_1min"] = [load0, load_avg()]

    (out / "whisper.json").write_text(json.dumps(results, indent=2))
    lines = [
        "| figure | ratio (median) | range of pairs | interval of the median "
        "| target | pass |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in results["entries"].items():
        target = f"{e['target']['op']} {e['target']['value']}" if e["target"] else "-"
        pairs, interval = spread_cells(e)
        lines.append(
            f"| {name} | {e['ratio']} | {pairs} | {interval} | {target} | {e['pass']} |"
        )
    (out / "whisper.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
