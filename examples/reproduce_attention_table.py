"""Reproduce the layout of the attention paper's Table I: WA and UA per corpus.

Rows (systems), a WA and a UA column per corpus found locally (EMOVO always; EmoDB,
IEMOCAP, CASIA when a copy is in the data home):

- ``is10-svm``: openSMILE IS10 functionals -> StandardScaler -> SVC (the baseline);
- ``attention (supervised)``: LogMelDeltas -> BLSTM with attention pooling over
  sparse-AE frame codes, trained on the labelled utterances only
  (``reconstruction_weight=0``, no pseudo-class);
- ``attention (semi-supervised)``: the same network with the sparse-AE
  reconstruction loss (``C = 0.01``) and the pseudo-class, its unlabeled data being
  the LibriSpeech subset (351 utterances, each cut to its first 6 s), given in
  every training fold with ``y == -1``.

Leave-one-speaker-out: each fold tests one speaker, trains on the others (and the
unlabeled LibriSpeech data); early stopping validates on one held-out TRAINING
speaker, never on the test speaker. Figures are pooled over all out-of-fold
predictions (WA = accuracy, UA = mean per-class recall); per-fold means are in the
JSON.

Sizes chosen so that the full run fits in 20 minutes on a 2-core CPU: 33 frames per
second (30 ms hop, 40 ms window) instead of 100; a 128-unit sparse code and 64 LSTM
units per direction; balanced class weights (the pseudo-class weighs as one
class); Adam at 2e-3, at most 30 epochs, patience 6; LibriSpeech cut
to 6 s per utterance; folds run two at a time with one torch thread each.

Usage::

    python examples/reproduce_attention_table.py [--out docs/results] [--n-jobs 2]
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from _local_data import local_data_home
from sklearn.model_selection import LeaveOneGroupOut

from sklearn_ser.classifiers import make_attention_pipeline, plot_attention
from sklearn_ser.datasets import librispeech_unlabeled, load_corpus
from sklearn_ser.evaluation import evaluate, markdown_table, paired_table
from sklearn_ser.pipelines import make_named_pipeline

REPO = Path(__file__).resolve().parents[1]
# Table names; each is loaded as its lower-case registry name (load_corpus).
CORPORA = ("EMOVO", "EmoDB", "IEMOCAP", "CASIA")
SYSTEMS = ["is10-svm", "attention (supervised)", "attention (semi-supervised)"]


def find_corpora(data_home):
    """The corpora with a local copy: name -> (paths, labels, speakers)."""
    found = {}
    for name in CORPORA:
        # Look only in <data_home>/<name>: a loader given a data home that holds
        # other corpora may mistake their files for its own.
        folder = Path(data_home) / name.lower()
        if not folder.is_dir():
            continue
        data = load_corpus(name.lower(), folder)
        found[name] = (
            np.asarray(data.filenames, dtype=object),
            np.asarray(data.target, dtype=object),
            np.asarray(data.groups).astype(str),
        )
    return found


def evaluate_system(system, X, y, groups, loso, unlabeled, unlabeled_groups, args):
    """Leave-one-speaker-out report of one system on one corpus."""
    nn_options = dict(
        memory=args.cache,
        random_state=0,
        max_epochs=args.max_epochs,
        patience=args.patience,
    )
    if system == "is10-svm":
        pipe = make_named_pipeline("is10-svm", memory=args.cache)
        return evaluate(pipe, X, y, groups, cv=loso, n_jobs=args.n_jobs, name=system)
    if system == "attention (supervised)":
        pipe = make_attention_pipeline(semi_supervised=False, **nn_options)
        return evaluate(pipe, X, y, groups, cv=loso, n_jobs=args.n_jobs, name=system)
    pipe = make_attention_pipeline(
        semi_supervised=True,
        reconstruction_weight=args.reconstruction_weight,
        **nn_options,
    )
    # the unlabeled utterances join every training fold; folds test the corpus only
    return evaluate(
        pipe,
        X,
        y,
        groups,
        X_extra=unlabeled,
        groups_extra=unlabeled_groups,
        cv=loso,
        n_jobs=args.n_jobs,
        name=system,
        return_estimators=True,
    )


def run(args):
    started = time.perf_counter()
    data_home = local_data_home(args.data_home)
    corpora = find_corpora(data_home)
    unlabeled, unlabeled_groups = librispeech_unlabeled(
        data_home, seconds=args.libri_seconds
    )
    reports, timings = {}, {}
    for corpus, (X, y, groups) in corpora.items():
        if args.folds:
            keep = np.isin(groups, np.unique(groups)[: args.folds + 1])
            X, y, groups = X[keep], y[keep], groups[keep]
        loso = list(LeaveOneGroupOut().split(X, y, groups))[: args.folds or None]
        for system in SYSTEMS:
            t0 = time.perf_counter()
            report = evaluate_system(
                system, X, y, groups, loso, unlabeled, unlabeled_groups, args
            )
            timings[(corpus, system)] = time.perf_counter() - t0
            reports[(corpus, system)] = report
            s = report.summary()
            print(
                f"{corpus:8s} {system:28s} WA {s['WA_pooled']:.3f} "
                f"UA {s['UA_pooled']:.3f} ({timings[(corpus, system)]:.0f} s)",
                flush=True,
            )
    total = time.perf_counter() - started
    return corpora, reports, timings, total


def write_results(args, corpora, reports, timings, total):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = list(corpora)
    header = "| system | " + " | ".join(f"{c} WA | {c} UA" for c in names) + " |"
    lines = [
        "# Attention paper, Table I layout (reproduced on the local corpora)",
        "",
        "Leave-one-speaker-out; WA = accuracy, UA = mean per-class recall, pooled "
        "over all out-of-fold predictions (per-fold mean ± std in brackets). Early "
        "stopping validates on a held-out training speaker. Unlabeled data of the "
        "semi-supervised model: LibriSpeech subset (351 utterances, first "
        f"{args.libri_seconds:g} s each).",
        "",
        header,
        "|---|" + "---|---|" * len(names),
    ]
    table = {}
    for system in SYSTEMS:
        cells = []
        for corpus in names:
            s = reports[(corpus, system)].summary()
            table.setdefault(system, {})[corpus] = {
                **{k: s[k] for k in ("WA_pooled", "UA_pooled", "WA", "UA")},
                **{k: s[k] for k in ("WA_std", "UA_std", "n_folds", "n_scored")},
                "run_time_s": round(timings[(corpus, system)], 1),
            }
            cells += [
                f"{s['WA_pooled']:.3f} ({s['WA']:.3f} ± {s['WA_std']:.3f})",
                f"{s['UA_pooled']:.3f} ({s['UA']:.3f} ± {s['UA_std']:.3f})",
            ]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Run times (s): "
        + ", ".join(f"{c} {s}: {t:.0f}" for (c, s), t in timings.items())
        + f"; total {total:.0f} s ({total / 60:.1f} min).",
        "",
    ]
    lines += [
        "Settings: 40 log-Mel + deltas at 33 frames/s (30 ms hop, 40 ms window); "
        "sparse code 128, BLSTM 2 x 64, attention pooling; balanced class weights; "
        "Adam lr 2e-3, batch 32 (labelled and unlabeled mixed in every batch), "
        f"max {args.max_epochs} epochs, patience {args.patience} on the labelled "
        "validation cross-entropy, best epoch restored; semi-supervised C = "
        f"{args.reconstruction_weight:g}, sparsity target 0.05, weight 0.1; "
        f"random_state 0; {args.n_jobs} folds in parallel.",
        "",
    ]
    lines += within_noise(names, reports)
    (out / "attention_table.md").write_text("\n".join(lines))
    payload = {
        "table": table,
        "total_run_time_s": round(total, 1),
        "settings": vars(args),
        "corpora": names,
        "load_avg_end": os.getloadavg()[0],
    }
    (out / "attention_table.json").write_text(json.dumps(payload, indent=2) + "\n")
    print("\n".join(lines))


def within_noise(names, reports):
    """Markdown: each system against is10-svm, paired on the same test utterances."""
    lines = [
        "Which differences are within noise: each system against is10-svm on the "
        "same utterances; UA difference, its 95% interval from a paired bootstrap "
        "over speakers, McNemar's exact test; within noise when the interval holds "
        "zero.",
        "",
    ]
    for corpus in names:
        try:
            table = paired_table([reports[(corpus, s)] for s in SYSTEMS], as_text=True)
        except ValueError as exc:  # not scored on the same utterances
            lines += [f"{corpus}: no paired comparison ({exc})", ""]
            continue
        lines += [f"{corpus}:", "", markdown_table(table), ""]
    return lines


def plot_one(args, corpora, reports):
    """Attention of the first semi-supervised fold's model on one test utterance."""
    corpus = next(iter(corpora))
    report = reports[(corpus, "attention (semi-supervised)")]
    estimators = getattr(report, "estimators_", None)
    if not estimators:
        return
    pipe = estimators[0]
    X, y, groups = corpora[corpus]
    test_speaker = report.folds[0]["test_groups"][0]
    idx = int(np.flatnonzero(groups == test_speaker)[0])
    frames = pipe[:-1].transform(X[idx : idx + 1])
    weights = pipe[-1].attention_weights(frames)[0]
    predicted = pipe.predict(X[idx : idx + 1])[0]
    plot_attention(
        frames[0],
        weights,
        n_mels=40,
        frame_rate=1 / 0.03,
        title=f"{Path(X[idx]).name}: true {y[idx]}, predicted {predicted} "
        f"(test speaker {test_speaker})",
        path=Path(args.out) / "attention_weights_example.png",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--out", default=str(REPO / "docs" / "results"))
    parser.add_argument("--cache", default=os.environ.get("SKLEARN_SER_CACHE"))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--patience", type=int, default=6)
    parser.add_argument("--reconstruction-weight", type=float, default=0.01)
    parser.add_argument("--libri-seconds", type=float, default=6.0)
    parser.add_argument(
        "--folds", type=int, default=0, help="only the first N folds (a smoke run)"
    )
    args = parser.parse_args(argv)
    corpora, reports, timings, total = run(args)
    write_results(args, corpora, reports, timings, total)
    plot_one(args, corpora, reports)


if __name__ == "__main__":
    main()
