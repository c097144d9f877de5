"""Emotion over time on long recordings: wall time and peak memory by length.

``python benchmarks/bench_over_time.py [--minutes 1 10 60] [--out DIR]``

Assembles recordings of the given lengths from real EMOVO utterances (trimmed to
their speech, in turn from every speaker, 1-2.5 s of low noise between them,
written block by block), fits ``is10-svm`` on half of EMOVO once and saves it, then
runs ``sklearn-ser predict MODEL FILE --over-time`` on each recording in a fresh
process and records its wall time and peak resident memory (the kernel's
``VmHWM``: the whole process, imports included). It also scores the segments
against the known utterances: how many utterances got exactly one segment, the
boundary errors, and how often a segment's label equals the model's prediction on
the utterance cut from the recording at its true boundaries. The 10-minute run
draws the timeline figure.

Writes ``over_time.json`` and ``over_time.md`` into ``--out``
(default ``benchmarks/results``).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import default_data_home, load_avg, machine_info  # noqa: E402

SR = 16000
REPO = Path(__file__).resolve().parents[1]

# The child process: the command itself, then its own peak memory.
_CHILD = """
import sys
from sklearn_ser.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
print(f"PEAK_KB {peak}", file=sys.stderr)
sys.exit(status)
"""


def assemble(files, minutes, path, seed=0):
    """Write a recording of ``minutes`` from ``files`` (cycled); the truth table."""
    import librosa

    rng = np.random.default_rng(seed)
    truth, pos, i = [], 0, 0
    target = int(minutes * 60 * SR)
    with sf.SoundFile(path, "w", SR, 1, subtype="PCM_16") as out:
        while pos < target:
            f = files[i % len(files)]
            i += 1
            x, sr = sf.read(f, dtype="float32")
            x = librosa.effects.trim(x, top_db=30)[0]
            gap = int(rng.uniform(1.0, 2.5) * sr)
            out.write(0.002 * rng.standard_normal(gap).astype(np.float32))
            out.write(x + 0.002 * rng.standard_normal(len(x)).astype(np.float32))
            truth.append((str(f), (pos + gap) / SR, (pos + gap + len(x)) / SR))
            pos += gap + len(x)
        out.write(0.002 * rng.standard_normal(SR).astype(np.float32))
    return truth


def cut_predictions(model, wav, truth, batch=32):
    """The model's labels for the utterances cut from the recording at the truth."""
    from sklearn_ser.segment import with_waveform_rate
    from sklearn_ser.segment._source import Recording

    recording, labels = Recording(wav, SR), []
    at_rate = with_waveform_rate(model, SR)
    for i in range(0, len(truth), batch):
        clips = [recording.read(s, e, SR) for _, s, e in truth[i : i + batch]]
        labels.extend(at_rate.predict(clips))
    return labels


def score(rows, truth, cut_labels):
    """Match segments to utterances: one-to-one counts, boundary errors, labels."""
    one, start_err, end_err, agree = 0, [], [], 0
    starts, ends = rows["start"].to_numpy(), rows["end"].to_numpy()
    for (_, s, e), label in zip(truth, cut_labels):
        hit = np.flatnonzero((starts < e) & (ends > s))
        if len(hit) == 1:
            one += 1
            start_err.append(abs(starts[hit[0]] - s))
            end_err.append(abs(ends[hit[0]] - e))
            agree += rows["label"].iloc[hit[0]] == label
    q = lambda v: [round(float(np.percentile(v, p)), 3) for p in (50, 95)]  # noqa: E731
    return {
        "utterances": len(truth),
        "segments": len(rows),
        "utterances_with_one_segment": one,
        "start_error_s_median_p95": q(start_err),
        "end_error_s_median_p95": q(end_err),
        "within_0.25_s": int(
            sum(a <= 0.25 and b <= 0.25 for a, b in zip(start_err, end_err))
        ),
        "label_equals_cut_utterance": int(agree),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 10, 60])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--work", default="/tmp/bench_over_time")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    parser.add_argument("--timeline", default=str(REPO / "docs" / "results"))
    args = parser.parse_args(argv)

    import pandas as pd

    from sklearn_ser import save_model
    from sklearn_ser.datasets import load_emovo
    from sklearn_ser.pipelines import make_named_pipeline

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    emovo = load_emovo(args.data_home or default_data_home())
    files = np.asarray([str(f) for f in emovo.filenames])
    y = np.asarray(emovo.target)
    model_path = work / "is10-svm.skops"
    cache = str(work / "cache")
    model = make_named_pipeline("is10-svm", probability=True, memory=cache)
    model.fit(files[::2], y[::2])
    save_model(model, model_path)
    # utterances in turn from each speaker, the ones the model was not fitted on
    held = files[1::2]
    speaker = np.array([Path(f).parent.name for f in held])
    rank = np.zeros(len(held), dtype=int)
    for s in np.unique(speaker):
        rank[speaker == s] = np.arange(np.sum(speaker == s))
    held = held[np.lexsort((speaker, rank))]

    results = {"machine": machine_info(), "runs": {}}
    for minutes in args.minutes:
        wav = work / f"long_{minutes:g}min.wav"
        truth = assemble(held, minutes, wav)
        cut_labels = cut_predictions(model, wav, truth)
        out = work / f"rows_{minutes:g}min.csv"
        cmd = [sys.executable, "-c", _CHILD, "predict", str(model_path), str(wav)]
        cmd += ["--over-time", "-o", str(out)]
        if minutes == 10:
            cmd += ["--timeline", str(Path(args.timeline) / "over_time_timeline.png")]
        load0 = load_avg()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
        peak = next(
            int(line.split()[1])
            for line in proc.stderr.splitlines()
            if line.startswith("PEAK_KB")
        )
        rows = pd.read_csv(out)
        run = {
            "minutes": minutes,
            "audio_s": round(sf.info(wav).duration, 1),
            "wall_s": round(wall, 1),
            "real_time_factor": round(wall / sf.info(wav).duration, 4),
            "peak_rss_mb": round(peak / 1024, 1),
            "load_avg_before_after": [load0, load_avg()],
            **score(rows, truth, cut_labels),
        }
        results["runs"][f"{minutes:g}"] = run
        print(json.dumps(run), flush=True)
        wav.unlink()

    outdir = Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "over_time.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        "| minutes | wall (s) | x real time | peak RSS (MB) | segments / utterances "
        "| one segment each | within 0.25 s | label = cut utterance's |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["runs"].values():
        lines.append(
            f"| {r['minutes']:g} | {r['wall_s']} | {r['real_time_factor']} | "
            f"{r['peak_rss_mb']} | {r['segments']} / {r['utterances']} | "
            f"{r['utterances_with_one_segment']} | {r['within_0.25_s']} | "
            f"{r['label_equals_cut_utterance']} |"
        )
    (outdir / "over_time.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
