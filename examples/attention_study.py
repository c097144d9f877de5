"""Diagnose the log-Mel attention BLSTM and measure one change at a time.

For each named variant (a set of options of the attention classifier and its
front end, below in ``VARIANTS``) and each corpus, runs the speaker-independent
cross-validation of the supervised model (EMOVO: leave-one-speaker-out; RAVDESS:
6 folds of 4 actors, ``GroupKFold(6)``) with
:func:`~sklearn_ser.evaluation.evaluate` on
:func:`~sklearn_ser.classifiers.make_attention_pipeline`, and saves its
:class:`~sklearn_ser.EvaluationReport` (JSON, ``EvaluationReport.to_json``) with
the study's diagnostics under ``meta["study"]``, per fold:

- the training curves (train loss; validation cross-entropy and UA on the held-out
  TRAINING speakers, every epoch) and the test speakers' UA after every epoch
  (from the weights of each epoch, kept by a callback; a diagnosis, never used to
  choose anything);
- how many epochs ran, and the epoch whose weights early stopping kept;
- UA on the fold's own training speakers (under- or over-fitting?);
- where attention falls: the share of attention weight on the frames that
  :class:`~sklearn_ser.TrimSilence` would cut (leading / trailing silence).

Each fold's pipeline reads the log-Mel frames from the feature cache
(``LogMelDeltas(standardize=False)``), optionally trims silence, standardises with
the training frames' statistics (:class:`~sklearn_ser.FrameStandardScaler`) and fits
the classifier with the training speakers as ``groups`` (early stopping on held-out
training speakers). The LibriSpeech pool of ``pretrain-libri`` joins every training
fold through ``evaluate(X_extra=...)``; the noisy copies of ``noise`` are made in each
fold by :class:`~sklearn_ser.AugmentedTraining`.

Usage::

    python examples/attention_study.py --corpus emovo --variants before trim
    python examples/attention_study.py --report      # docs/results/attention_study.md
    python examples/attention_study.py --paired cosine-all noise-20
    python examples/attention_study.py --ceiling
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _local_data import corpus_arrays, local_data_home
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_ser import (
    AddNoise,
    AugmentedTraining,
    FrameStandardScaler,
    LogMelDeltas,
    TrimSilence,
)
from sklearn_ser.augmentation import SpecAugment
from sklearn_ser.classifiers import make_attention_pipeline
from sklearn_ser.datasets import librispeech_unlabeled
from sklearn_ser.evaluation import evaluate, load_report, paired_comparison

REPO = Path(__file__).resolve().parents[1]

# Every variant is the one before it plus one change (named first in its text).
BEFORE = {
    "hop": 0.03,
    "win": 0.04,
    "trim_db": None,
    "augment": None,
    "clf": {
        "lr": 2e-3,
        "max_epochs": 30,
        "batch_size": 32,
        "valid_size": 0.2,
        "module__n_codes": 128,
        "module__hidden_size": 64,
        "callbacks__early_stopping__patience": 6,
    },
}


def _variant(base, text, **changes):
    out = json.loads(json.dumps(base))
    clf = changes.pop("clf", {})
    out.update(changes)
    out["clf"].update(clf)
    out["text"] = text
    return out


VARIANTS = {"before": dict(BEFORE, text="the defaults before this study")}
VARIANTS["fps100"] = _variant(
    BEFORE, "100 frames/s (10 ms hop, 25 ms window) instead of 33", hop=0.01, win=0.025
)
VARIANTS["trim"] = _variant(BEFORE, "trim silence (35 dB)", trim_db=35.0)
VARIANTS["no-stop"] = _variant(
    VARIANTS["trim"],
    "40 epochs without early stopping (curves recorded on held-out speakers)",
    clf={"max_epochs": 40, "callbacks__early_stopping__patience": 1000},
)

VARIANTS["no-stop-2spk"] = _variant(
    VARIANTS["no-stop"],
    "as no-stop, with 2 held-out validation speakers instead of 1 (EMOVO)",
    clf={"valid_size": 0.4},
)


def _monitor_ua(clf):
    return dict(
        clf,
        **{
            "callbacks__early_stopping__monitor": "valid_ua",
            "callbacks__early_stopping__lower_is_better": False,
        },
    )


VARIANTS["ua-stop"] = _variant(
    VARIANTS["trim"],
    "early stopping on validation UA, 40 epochs, patience 10",
    clf=_monitor_ua({"max_epochs": 40, "callbacks__early_stopping__patience": 10}),
)
VARIANTS["specaugment"] = _variant(
    VARIANTS["ua-stop"],
    "SpecAugment (2 freq + 2 time masks, tempo 0.9-1.1)",
    augment={},
)
# the regularisation and pre-training changes, tried on two different bases
REGULARISE = {"module__dropout": 0.3, "optimizer__weight_decay": 1e-4}
PRETRAIN = {"pretrain_epochs": 10}
VARIANTS["regularised"] = _variant(
    VARIANTS["specaugment"], "dropout 0.3 on Z, weight decay 1e-4", clf=REGULARISE
)
VARIANTS["cosine"] = _variant(
    VARIANTS["specaugment"],
    "learning rate annealed to 0 over the 40 epochs (cosine), no early stopping "
    "(weights of the best validation-UA epoch kept)",
    lr_schedule="cosine",
    clf={"callbacks__early_stopping__patience": 1000},
)
VARIANTS["cosine-all"] = _variant(
    VARIANTS["cosine"],
    "as cosine, trained on all the fold's training speakers (no validation "
    "split) and the last epoch's weights kept",
    clf={"valid_size": 0.0},
)
VARIANTS["batch16"] = _variant(
    VARIANTS["cosine-all"],
    "batch 16 instead of 32 (twice the updates for the same epochs)",
    clf={"batch_size": 16},
)
VARIANTS["wide"] = _variant(
    VARIANTS["cosine-all"],
    "LSTM 2 x 128 instead of 2 x 64",
    clf={"module__hidden_size": 128},
)
VARIANTS["pretrain"] = _variant(
    VARIANTS["regularised"],
    "sparse AE pre-trained 10 epochs on the training frames",
    clf=PRETRAIN,
)
VARIANTS["regularised-all"] = _variant(
    VARIANTS["cosine-all"],
    "dropout 0.3 on Z and weight decay 1e-4 on top of the final defaults",
    clf=REGULARISE,
)
VARIANTS["pretrain-all"] = _variant(
    VARIANTS["cosine-all"],
    "sparse AE pre-trained 10 epochs on the training frames before joint "
    "training, on top of the final defaults",
    clf=PRETRAIN,
)
VARIANTS["recon"] = _variant(
    VARIANTS["cosine-all"],
    "the sparse-AE reconstruction loss (C = 0.01) on the labelled frames, no "
    "pseudo-class, on top of the final defaults",
    clf={"reconstruction_weight": 0.01},
)
VARIANTS["epochs60"] = _variant(
    VARIANTS["cosine-all"],
    "60 epochs instead of 40 (the cosine schedule stretched to 60), on top of the "
    "final defaults",
    clf={"max_epochs": 60},
)
VARIANTS["layers2"] = _variant(
    VARIANTS["cosine-all"],
    "two stacked BLSTM layers instead of one, on top of the final defaults",
    clf={"module__num_layers": 2},
)
VARIANTS["codes256"] = _variant(
    VARIANTS["cosine-all"],
    "a 256-unit sparse code instead of 128, on top of the final defaults",
    clf={"module__n_codes": 256},
)
VARIANTS["smooth"] = _variant(
    VARIANTS["cosine-all"],
    "label smoothing 0.1 on the cross-entropy (against the over-confidence of the "
    "diagnosis), on top of the final defaults",
    clf={"criterion__label_smoothing": 0.1},
)
VARIANTS["aug-strong"] = _variant(
    VARIANTS["cosine-all"],
    "stronger SpecAugment (2 frequency masks up to 10 bands, 4 time masks, tempo "
    "0.8-1.2), on top of the final defaults",
    augment={"freq_width": 10, "time_masks": 4, "tempo": [0.8, 1.2]},
)
VARIANTS["noise"] = _variant(
    VARIANTS["cosine-all"],
    "one copy of every training utterance with white noise at 10-30 dB SNR "
    "(waveform level, AddNoise; log-Mel frames recomputed), on top of the final "
    "defaults",
    noise={"snr_db": [10.0, 30.0], "n_copies": 1},
)
VARIANTS["noise-20"] = _variant(
    VARIANTS["noise"],
    "as noise, with 20 epochs instead of 40 (the cosine over 20): as many updates "
    "as the defaults, on twice the utterances",
    clf={"max_epochs": 20},
)

VARIANTS["pretrain-libri"] = _variant(
    VARIANTS["cosine-all"],
    "sparse AE pre-trained 10 epochs on the LibriSpeech subset's frames (first 6 s "
    "of each utterance, given as unlabeled) and the training frames before "
    "supervised joint training, on top of the final defaults",
    clf=PRETRAIN,
    unlabeled={"corpus": "librispeech", "seconds": 6.0},
)

VARIANTS["mels80"] = _variant(
    VARIANTS["cosine-all"],
    "80 log-Mel bands instead of 40 (37 Hz apart below 1 kHz instead of 74: they "
    "resolve the harmonics of the voice, the pitch IS10 has and 40 bands blur), "
    "on top of the final defaults; SpecAugment's frequency masks up to 12 bands, "
    "the same share of the spectrum as 6 of 40",
    n_mels=80,
    augment={"freq_width": 12},
)


class EpochWeights(Callback):
    """Keeps a copy of the module's weights after every epoch.

    Appended after the default callbacks, so an epoch on which early stopping ends
    the training is not kept (as it is not trained on further either).
    """

    def initialize(self):
        self.weights_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        state = net.module_.state_dict()
        self.weights_.append({k: v.detach().cpu().clone() for k, v in state.items()})


def build(cfg, seed, cache):
    """The variant's pipeline: audio paths in, the attention classifier at the end."""
    n_mels = cfg.get("n_mels", 40)
    steps = [
        LogMelDeltas(
            n_mels=n_mels,
            hop_length=cfg["hop"],
            win_length=cfg["win"],
            standardize=False,
            memory=cache,
            sampling_rate=16000,  # of the in-memory noisy copies and LibriSpeech pool
        )
    ]
    if cfg["trim_db"] is not None:
        steps.append(TrimSilence(top_db=cfg["trim_db"], columns=list(range(n_mels))))
    steps.append(FrameStandardScaler())
    augment = None
    if cfg.get("augment") is not None:
        aug = dict(cfg["augment"])
        if aug.get("tempo") is not None:  # JSON keeps lists; SpecAugment wants tuples
            aug["tempo"] = tuple(aug["tempo"])
        augment = SpecAugment(**aug)
    clf_options = dict(cfg["clf"])
    pipe = make_attention_pipeline(
        semi_supervised=False,
        random_state=seed,
        front_end=make_pipeline(*steps),
        augment=augment,
        lr_schedule=cfg.get("lr_schedule", "constant"),
        monitor=clf_options.pop("callbacks__early_stopping__monitor", "valid_ce"),
    )
    clf_options.pop("callbacks__early_stopping__lower_is_better", None)  # monitor's
    pipe[-1].set_params(callbacks=[("epoch_weights", EpochWeights())], **clf_options)
    if cfg.get("noise") is not None:
        noise = cfg["noise"]
        pipe = AugmentedTraining(
            pipe,
            augment=AddNoise(snr_db=tuple(noise["snr_db"])),
            n_copies=noise["n_copies"],
            random_state=seed,
        )
    return pipe


def unlabeled_pool(cfg, data_home):
    """LibriSpeech waveforms (cut to ``seconds``) and their speakers, or None."""
    spec = cfg.get("unlabeled")
    if spec is None:
        return None, None
    return librispeech_unlabeled(data_home, seconds=spec["seconds"])


def fold_diagnostics(fitted, X, y, train, test, cfg):
    """The per-fold figures of the study, from one fold's fitted pipeline."""
    pipe = getattr(fitted, "estimator_", fitted)  # inside AugmentedTraining
    front, clf = pipe[0], pipe[-1]
    history = clf.history_
    has_valid = "valid_ce" in history[-1]
    monitor = clf.callbacks__early_stopping__monitor
    best = None
    if has_valid:
        curve = np.asarray(history[:, monitor])
        best = int(np.argmax(curve) if monitor == "valid_ua" else np.argmin(curve)) + 1
    X_test = front.transform(X[test])
    silence = None
    if cfg["trim_db"] is None:
        raw = front[0].transform(X[test])  # the unstandardised log-Mel frames
        statics = list(range(cfg.get("n_mels", 40)))  # the bands, no deltas
        detect = TrimSilence(top_db=35.0, columns=statics).fit(raw[:1])
        silence = float(
            np.mean(
                [
                    1.0 - float(np.sum(w[a:b]))
                    for w, (a, b) in zip(
                        clf.attention_weights(X_test), detect.voiced_spans(raw)
                    )
                ]
            )
        )
    train_ua = balanced_accuracy_score(y[train], pipe.predict(X[train]))
    # the test speakers' UA with each epoch's weights (a diagnosis of the stopping
    # point; the fitted model is not used again)
    test_curve = []
    for weights in dict(clf.callbacks_)["epoch_weights"].weights_:
        clf.module_.load_state_dict(weights)
        test_curve.append(
            round(balanced_accuracy_score(y[test], clf.predict(X_test)), 4)
        )
    return {
        "epochs": len(history),
        "best_epoch": best,
        "train_loss": [round(v, 4) for v in history[:, "train_loss"]],
        "valid_ce": [round(v, 4) for v in history[:, "valid_ce"]] if has_valid else [],
        "valid_ua": [round(v, 4) for v in history[:, "valid_ua"]] if has_valid else [],
        "test_ua_curve": test_curve,
        "train_speakers_ua": float(train_ua),
        "attention_on_silence": silence,
    }


def corpus_cv(corpus):
    return LeaveOneGroupOut() if corpus == "emovo" else GroupKFold(6)


def run(args):
    import torch

    torch.set_num_threads(1)  # folds run in parallel instead (as the runs saved)
    for name in args.variants:
        cfg = VARIANTS[name]
        path = _result_path(args.out, args.corpus, name, args.seed)
        if path.exists() and not args.force:
            print(f"{args.corpus} {name}: kept ({path})")
            continue
        X, y, groups = corpus_arrays(args.corpus, args.data_home)
        X_u, g_u = unlabeled_pool(cfg, args.data_home)
        cv = corpus_cv(args.corpus)
        start = time.perf_counter()
        report = evaluate(
            build(cfg, args.seed, args.cache),
            X,
            y,
            groups,
            X_extra=X_u,
            groups_extra=g_u,
            cv=cv,
            n_jobs=args.n_jobs,
            name=path.stem,
            description=cfg["text"],
            return_estimators=True,
        )
        splits = cv.split(np.zeros((len(y), 1)), y, groups)  # evaluate's folds
        folds = [
            fold_diagnostics(fitted, X, y, train, test, cfg)
            for fitted, (train, test) in zip(report.estimators_, splits)
        ]
        del report.estimators_
        report.sample_ids = None  # this checkout's paths; index is load_corpus order
        report.meta["study"] = {
            "variant": name,
            "config": cfg,
            "corpus": args.corpus,
            "seed": args.seed,
            "run_time_s": round(time.perf_counter() - start, 1),
            "n_jobs": args.n_jobs,
            "folds": folds,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        report.to_json(path, decimals=5)  # as the runs were saved
        print(
            f"{args.corpus} {name}: UA {report.UA_pooled:.3f} "
            f"WA {report.WA_pooled:.3f} epochs {[f['epochs'] for f in folds]} "
            f"best {[f['best_epoch'] for f in folds]} "
            f"train-speaker UA {np.mean([f['train_speakers_ua'] for f in folds]):.2f} "
            f"({report.meta['study']['run_time_s']:.0f} s)",
            flush=True,
        )


def _result_path(out, corpus, name, seed):
    suffix = "" if seed == 0 else f"_seed{seed}"
    return Path(out) / corpus / f"{name}{suffix}.json"


def saved_reports(out, corpus):
    """Every saved run of a corpus: file stem -> EvaluationReport."""
    return {
        path.stem: load_report(path)
        for path in sorted((Path(out) / corpus).glob("*.json"))
        if not _figures_only(path)
    }


def _figures_only(path):
    """Whether a saved run predates the reports: figures, no predictions.

    ``emovo/before.json`` is one: its per-fold figures and pooled WA / UA are in
    the study's first JSON layout (``UA``, ``WA``, ``text``, ``run_time_s`` and
    ``folds`` at the top), without the per-utterance predictions a report needs.
    """
    return "format_version" not in json.loads(Path(path).read_text())


def seed_ensemble(reports, name):
    """UA of every seed run of a variant, and of their averaged probabilities."""
    runs = [
        r
        for stem, r in sorted(reports.items())
        if stem == name or stem.startswith(f"{name}_seed")
    ]
    if len(runs) < 2:
        return None
    order = [np.argsort(r.index) for r in runs]  # each run's utterances in one order
    y = runs[0].y_true[order[0]]
    classes = runs[0].proba_classes
    mean = np.mean([r.proba[o] for r, o in zip(runs, order)], axis=0)
    pred = classes[mean.argmax(axis=1)]
    return {
        "seeds": [r.meta["study"]["seed"] for r in runs],
        "seed_ua": [r.UA_pooled for r in runs],
        "ensemble_ua": float(balanced_accuracy_score(y, pred)),
        "ensemble_wa": float(accuracy_score(y, pred)),
    }


def paired(args):
    """Paired comparison (bootstrap over speakers, McNemar) of two saved runs.

    Each of ``--paired A B`` is a variant name (seed ``--seed``) or the path of a
    saved :class:`~sklearn_ser.EvaluationReport` (JSON), e.g. ``is10-svm``'s in
    ``docs/results/pretrained/<corpus>/``.
    """
    reports = [
        load_report(
            name
            if name.endswith(".json")
            else _result_path(args.out, args.corpus, name, args.seed)
        )
        for name in args.paired
    ]
    c = paired_comparison(*reports)
    low, high = c["UA_diff_ci"]
    print(
        f"{args.corpus}: {c['b']} {c['UA_b']:.3f} - {c['a']} {c['UA_a']:.3f} = "
        f"{c['UA_diff']:+.3f} [{low:+.3f}, {high:+.3f}] (bootstrap over "
        f"{c['n_speakers']} speakers, p {c['p_bootstrap']:.3f}; McNemar p "
        f"{c['p_mcnemar']:.3f})"
    )
    return c


def ceiling(reports):
    """What the epoch chosen on the TEST speakers would give, for saved runs.

    A leak by construction, never a result: the best single epoch for all folds
    bounds any epoch budget with a run's settings, each fold's best epoch any
    per-fold stopping rule. Reads the per-epoch test-speaker UA curves the runs
    record (over the epochs every fold ran) from ``reports`` (file stem ->
    EvaluationReport, as :func:`saved_reports` gives); every fold of both corpora
    holds the same number of utterances of each class, so the mean of the folds' UA
    is the pooled UA (the ``last`` column is the run's figure where it kept its
    last epoch).
    """
    rows, curves_of = [], {}
    for stem, r in reports.items():
        folds = r.meta["study"]["folds"]
        curves = [f.get("test_ua_curve") for f in folds]
        if not all(curves):  # runs saved before the curves were recorded
            continue
        n = min(len(c) for c in curves)
        ua = np.array([c[:n] for c in curves])
        curves_of[stem] = ua
        mean = ua.mean(axis=0)
        rows.append(
            {
                "run": stem,
                "UA": r.UA_pooled,
                "last": float(mean[-1]),
                "kept_last": all(f["best_epoch"] is None for f in folds),
                "best_epoch": int(np.argmax(mean)) + 1,
                "best_epoch_ua": float(mean.max()),
                "per_fold_best_ua": float(ua.max(axis=1).mean()),
            }
        )
    # Is a fold's best epoch a property of the fold? Apply one seed's per-fold
    # best epochs to another seed's run of the same variant and folds.
    transfers = []
    for name, ua in curves_of.items():
        base = name.split("_seed")[0]
        best = ua.argmax(axis=1)
        for other, ua_other in curves_of.items():
            if other == name or other.split("_seed")[0] != base:
                continue
            if ua_other.shape != ua.shape:
                continue
            transfers.append(
                {
                    "from": name,
                    "to": other,
                    "UA": float(ua_other[np.arange(len(ua)), best].mean()),
                    "to_last": float(ua_other[:, -1].mean()),
                }
            )
    return rows, transfers


def print_ceiling(corpus, rows, transfers):
    print(
        f"{corpus}: mean test-speaker UA over the folds\n"
        "| run | UA | last epoch | best epoch for all folds, chosen on the test "
        "speakers | best epoch of each fold |\n|---|---|---|---|---|"
    )
    for row in rows:
        print(
            f"| {row['run']} | {row['UA']:.3f} | {row['last']:.3f} | "
            f"{row['best_epoch_ua']:.3f} "
            f"(epoch {row['best_epoch']}) | {row['per_fold_best_ua']:.3f} |"
        )
    for t in transfers:
        print(
            f"{t['from']}'s per-fold best epochs applied to {t['to']}: UA "
            f"{t['UA']:.3f} (its last epoch: {t['to_last']:.3f})"
        )


def _fmt(v, spec=".3f"):
    return "–" if v is None else format(v, spec)


def report_table(out):
    """The study page's table (markdown) and the seed ensembles' lines."""
    rows, ensembles = [], []
    for corpus in ("emovo", "ravdess"):
        reports = saved_reports(out, corpus)
        for name in VARIANTS:
            path = Path(out) / corpus / f"{name}.json"
            if not path.exists():
                continue
            if _figures_only(path):
                old = json.loads(path.read_text())
                text, ua, wa = old["text"], old["UA"], old["WA"]
                folds, seconds = old["folds"], old["run_time_s"]
            else:
                r = reports[name]
                text, ua, wa = r.description, r.UA_pooled, r.WA_pooled
                folds, seconds = r.meta["study"]["folds"], r.meta["study"]["run_time_s"]
            best = [f["best_epoch"] for f in folds if f["best_epoch"] is not None]
            sil = [
                f["attention_on_silence"]
                for f in folds
                if f["attention_on_silence"] is not None
            ]
            rows.append(
                f"| {corpus} | {name} | {text} | {ua:.3f} | {wa:.3f} | "
                f"{np.mean([f['epochs'] for f in folds]):.1f} | "
                f"{_fmt(np.mean(best) if best else None, '.1f')} | "
                f"{np.mean([f['train_speakers_ua'] for f in folds]):.2f} | "
                f"{_fmt(np.mean(sil) if sil else None, '.2f')} | "
                f"{seconds:.0f} |"
            )
        for name in VARIANTS:
            ens = seed_ensemble(reports, name)
            if ens is not None:
                ensembles.append(
                    f"{corpus} {name}: seeds {ens['seeds']} UA "
                    f"{', '.join(f'{v:.3f}' for v in ens['seed_ua'])}; "
                    f"averaged probabilities UA {ens['ensemble_ua']:.3f} "
                    f"(WA {ens['ensemble_wa']:.3f})"
                )
    lines = [
        "| corpus | variant | change | UA | WA | epochs run | best epoch | "
        "train-speaker UA | attention on silence | time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    return "\n".join(lines), ensembles


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["emovo", "ravdess"], default="emovo")
    parser.add_argument(
        "--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS)
    )
    parser.add_argument(
        "--out", default=str(REPO / "docs" / "results" / "attention_study")
    )
    parser.add_argument("--data-home", default=None)
    parser.add_argument(
        "--cache", default=None, help="feature cache (default: sklearn-ser's)"
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--report", action="store_true")
    parser.add_argument(
        "--paired",
        nargs=2,
        metavar=("A", "B"),
        help="compare two saved runs (variant names or report JSON paths): B - A",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="the saved runs' UA at the epoch chosen on the test speakers (a leak: "
        "an upper bound for any stopping rule)",
    )
    args = parser.parse_args(argv)
    args.data_home = local_data_home(args.data_home)
    if args.cache is None:
        from sklearn_ser import get_cache_dir

        args.cache = str(get_cache_dir())
    if args.report:
        table, ensembles = report_table(args.out)
        print(table)
        for line in ensembles:
            print(f"\n{line}")
    elif args.paired:
        paired(args)
    elif args.ceiling:
        print_ceiling(args.corpus, *ceiling(saved_reports(args.out, args.corpus)))
    else:
        run(args)


if __name__ == "__main__":
    main()
