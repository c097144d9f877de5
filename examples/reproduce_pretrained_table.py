"""Pretrained speech encoders with the papers' back ends, on EMOVO and RAVDESS.

Every system is evaluated speaker-independently on the same utterances: EMOVO
leave-one-speaker-out (6 folds), RAVDESS in 6 speaker folds of 4 actors
(``GroupKFold(6)``). Figures are pooled over all out-of-fold predictions (WA =
accuracy, UA = mean per-class recall) with 95 % intervals from a bootstrap over
speakers; each system is compared with ``is10-svm`` on the same utterances (paired
bootstrap over speakers of the UA difference, McNemar's test).

Systems (the named pipelines of :mod:`sklearn_ser.pipelines`):

- ``is10-svm``, ``is10-dae-svm``: the DAE paper's baseline and autoencoder;
- ``logmel-attention``: the attention paper's BLSTM on log-Mel frames (supervised);
- ``whisper-svm``, ``whisper-logreg``: Whisper-base (CTranslate2, int8) last layer,
  mean+std pooled, with an RBF SVM or a linear classifier;
- ``whisper-layer-vote``: one ``whisper-logreg`` head per layer of the encoder
  (torch, float32), their probabilities averaged;
- ``whisper-is10-fusion``: Whisper and IS10 side by side;
- ``whisper-dae-svm``, ``whisper-neutral-dae-svm``: the autoencoders on Whisper
  features (the neutral projection pre-trained on the LibriSpeech subset's Whisper
  features);
- ``whisper-attention``: the attention BLSTM on Whisper frames (25 per second);
- ``whisper-attention-semi``: the same, semi-supervised, its unlabeled data the
  LibriSpeech subset (first 6 s of each of the 351 utterances) given in every
  training fold with ``y == -1``;
- ``auto``: chooses among ``whisper-layer-vote``, ``whisper-logreg``,
  ``whisper-svm`` and ``is10-svm`` inside the training speakers of each fold
  (the choices are in each fold's ``best_params``).

Each finished report is written at once (``<out>/pretrained/<corpus>/<system>.json``;
the tables go to ``<out>/pretrained_tables.md``)
and a rerun skips the systems already there, so a long run can be resumed.

Usage::

    SKLEARN_SER_WHISPER_MODEL=models/faster-whisper-base \\
        python examples/reproduce_pretrained_table.py [--out docs/results] \\
        [--corpora emovo,ravdess] [--systems whisper-logreg,is10-svm] [--n-jobs 1]
"""

import argparse
import json
from functools import cache, partial
from pathlib import Path

from _local_data import corpus_arrays, local_data_home, saved_report
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from sklearn_ser import get_cache_dir
from sklearn_ser.datasets import librispeech_unlabeled
from sklearn_ser.evaluation import evaluate, load_report, markdown_table, paired_table
from sklearn_ser.pipelines import get_pipeline_spec, make_named_pipeline

REPO = Path(__file__).resolve().parents[1]
SYSTEMS = [
    "is10-svm",
    "is10-dae-svm",
    "logmel-attention",
    "logmel-attention-semi",
    "whisper-svm",
    "whisper-logreg",
    "whisper-layer-vote",
    "whisper-is10-fusion",
    "whisper-dae-svm",
    "whisper-neutral-dae-svm",
    "whisper-attention",
    "whisper-attention-semi",
    "auto",
]
# corpus (a load_corpus name) -> its speaker folds and their description
CORPORA = {
    "emovo": (LeaveOneGroupOut(), "leave-one-speaker-out (6 folds)"),
    "ravdess": (GroupKFold(6), "6 speaker folds of 4 actors"),
}


def build(system, args):
    options = {"memory": args.cache, "random_state": args.seed}
    spec = get_pipeline_spec(system)
    if "neutral_data_home" in spec.options:
        options["neutral_data_home"] = str(args.data_home)
    if "max_epochs" in spec.options and args.max_epochs is not None:
        options["max_epochs"] = args.max_epochs
    if "whisper_model" in spec.options and args.whisper_model:
        options["whisper_model"] = args.whisper_model
    return make_named_pipeline(system, **options)


def evaluate_system(system, X, y, groups, cv, args):
    pipe = build(system, args)
    if not system.endswith("-semi"):
        return evaluate(pipe, X, y, groups, cv=cv, n_jobs=args.n_jobs, name=system)
    # Unlabeled utterances join every training fold; test folds are corpus only.
    waves, wave_groups = unlabeled_pool(args.data_home)
    return evaluate(
        pipe,
        X,
        y,
        groups,
        X_extra=waves,
        groups_extra=wave_groups,
        cv=cv,
        n_jobs=args.n_jobs,
        name=system,
    )


@cache
def unlabeled_pool(data_home):
    """LibriSpeech's utterances, read once (by the first ``-semi`` system run)."""
    return librispeech_unlabeled(data_home)


def run(args):
    for corpus in args.corpora:
        cv, cv_text = CORPORA[corpus]
        X, y, groups = corpus_arrays(corpus, args.data_home)
        folder = Path(args.out) / "pretrained" / corpus
        folder.mkdir(parents=True, exist_ok=True)
        for system in args.systems:
            saved_report(
                folder / f"{system}.json",
                partial(evaluate_system, system, X, y, groups, cv, args),
                data_home=args.data_home,
                force=args.force,
                meta={"cv_text": cv_text},
            )


def write_table(args):
    """``<out>/pretrained_tables.md`` from every report found (a partial run's too)."""
    lines = [
        "# Pretrained encoders with the papers' back ends: EMOVO and RAVDESS",
        "",
        "Written by `examples/reproduce_pretrained_table.py`. WA = accuracy, UA = "
        "mean per-class recall, pooled over all out-of-fold predictions, with 95 % "
        "intervals from a bootstrap over speakers; run time = the whole "
        "cross-validation of that system, features read from a warm cache (the "
        "extraction itself is timed in docs/benchmarks.md). The summary and the "
        "targets are in pretrained.md.",
        "",
    ]
    summary = {}
    for corpus in CORPORA:
        folder = Path(args.out) / "pretrained" / corpus
        found = [s for s in SYSTEMS if (folder / f"{s}.json").exists()]
        if not found:
            continue
        reports, rows, times = [], {}, {}
        for system in found:
            report = load_report(folder / f"{system}.json")
            times[system] = report.meta.get("run_time_s")
            cv_text = report.meta.get("cv_text", "")
            reports.append(report)
            s = report.summary()
            ci = report.confidence_intervals()
            rows[system] = {
                "WA": s["WA_pooled"],
                "UA": s["UA_pooled"],
                "UA 95% CI": f"[{ci['UA'][0]:.3f}, {ci['UA'][1]:.3f}]",
                "run time (s)": times[system],
            }
            summary.setdefault(corpus, {})[system] = {
                "WA_pooled": s["WA_pooled"],
                "UA_pooled": s["UA_pooled"],
                "UA_ci": list(ci["UA"]),
                "run_time_s": times[system],
                "per_class_recall": report.per_class_recall().to_dict(),
            }
        import pandas as pd

        lines += [f"## {corpus.upper()} ({cv_text})", ""]
        lines.append(markdown_table(pd.DataFrame(rows).T))
        lines += ["", "Per-class recall:", ""]
        recall = pd.DataFrame(
            {s: r.per_class_recall() for s, r in zip(found, reports)}
        ).T
        lines.append(markdown_table(recall))
        if "is10-svm" in found and len(found) > 1:
            lines += ["", "Each system against is10-svm, on the same utterances:", ""]
            lines.append(
                markdown_table(
                    paired_table(reports, reference="is10-svm", as_text=True)
                )
            )
        lines.append("")
    out = Path(args.out)
    (out / "pretrained_tables.md").write_text("\n".join(lines))
    (out / "pretrained.json").write_text(json.dumps(summary, indent=1, default=float))
    print("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "results"))
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--corpora", default="emovo,ravdess")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument(
        "--cache",
        default=get_cache_dir(),
        help="feature cache (default: sklearn-ser's, as the command line uses)",
    )
    parser.add_argument("--whisper-model", default=None)
    parser.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="epoch budget of the neural pipelines (default: each pipeline's own)",
    )
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random_state of every pipeline (the published tables use 0; give "
        "another seed with another --out to see the seed-to-seed spread)",
    )
    parser.add_argument("--force", action="store_true", help="recompute kept reports")
    parser.add_argument("--table-only", action="store_true")
    args = parser.parse_args(argv)
    args.data_home = local_data_home(args.data_home)
    args.corpora = [c for c in args.corpora.split(",") if c]
    args.systems = [s for s in args.systems.split(",") if s]
    unknown = sorted(set(args.corpora) - set(CORPORA)) + sorted(
        set(args.systems) - set(SYSTEMS)
    )
    if unknown:
        parser.error(f"unknown corpora/systems: {unknown}")
    if not args.table_only:
        run(args)
    write_table(args)


if __name__ == "__main__":
    main()
