"""Diagnose the log-Mel attention BLSTM and measure one change at a time.

For each named variant (a set of options of the attention classifier and its
front end, below in ``VARIANTS``) and each corpus, runs the speaker-independent
cross-validation of the paper's supervised model (EMOVO: leave-one-speaker-out;
RAVDESS: 6 folds of 4 actors, ``GroupKFold(6)``) and keeps, per fold:

- the training curves (train loss; validation cross-entropy and UA on the held-out
  TRAINING speakers, every epoch);
- how many epochs ran, and the epoch whose weights early stopping kept;
- UA on the fold's own training speakers (under- or over-fitting?);
- where attention falls: the share of attention weight on the frames that
  :class:`~sklearn_ser.TrimSilence` would cut (leading / trailing silence);
- pooled WA / UA over the out-of-fold predictions, and the run time.

The log-Mel frames are computed once per corpus (``LogMelDeltas(standardize=False)``,
cached); inside each fold the optional trimming is applied, the frames are
standardised with the training frames' statistics only
(:class:`~sklearn_ser.FrameStandardScaler`) and the classifier is fitted with the
training speakers as ``groups`` (early stopping on held-out training speakers): the
same steps as :func:`~sklearn_ser.classifiers.make_attention_pipeline`, without
re-reading the cache in every fold.

Usage::

    python examples/attention_study.py --corpus emovo --variants before trim
    python examples/attention_study.py --report      # docs/results/attention_study.md
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _local_data import local_data_home
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

from sklearn_ser.datasets import load_corpus

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


def front_end(cfg, cache, **params):
    """The variant's ``LogMelDeltas`` (unstandardised: the folds scale)."""
    from sklearn_ser import LogMelDeltas

    return LogMelDeltas(
        n_mels=cfg.get("n_mels", 40),
        hop_length=cfg["hop"],
        win_length=cfg["win"],
        standardize=False,
        memory=cache,
        n_jobs=2,
        **params,
    )


def corpus_data(corpus, cfg, data_home, cache):
    data = load_corpus(corpus, data_home)
    X = front_end(cfg, cache).fit_transform(np.asarray(data.filenames, dtype=object))
    return X, np.asarray(data.target, dtype=object), np.asarray(data.groups).astype(str)


def unlabeled_frames(cfg, data_home, cache):
    """LogMelDeltas frames of the unlabeled corpus (LibriSpeech, cut to its first
    ``seconds``) and its speakers, or ``(None, None)``."""
    spec = cfg.get("unlabeled")
    if spec is None:
        return None, None
    from sklearn_ser.datasets import librispeech_unlabeled

    waves, groups = librispeech_unlabeled(data_home, seconds=spec["seconds"])
    X = front_end(cfg, cache, sampling_rate=16000).fit_transform(waves)
    return X, groups


def corpus_noisy_copies(corpus, cfg, data_home, cache, seed):
    """Frames of ``n_copies`` noisy copies of every utterance, copy-major.

    Made once per corpus with :func:`sklearn_ser.augmentation.augmented_copies`,
    as :class:`~sklearn_ser.AugmentedTraining` makes them in each fold (a copy
    depends only on its utterance and the seed); a fold uses the copies of its
    training utterances only.
    """
    from sklearn_ser import AddNoise
    from sklearn_ser._audio import as_audio_items, load_audio
    from sklearn_ser.augmentation import augmented_copies

    items = as_audio_items(list(load_corpus(corpus, data_home).filenames))
    signals = [load_audio(item, target_sampling_rate=16000)[0] for item in items]
    noise = cfg["noise"]
    add = AddNoise(snr_db=tuple(noise["snr_db"]))
    copies = augmented_copies(signals, add, noise["n_copies"], seed)
    return front_end(cfg, cache, sampling_rate=16000).fit_transform(copies)


def _silence_share(weights, raw, trim):
    """Mean share of attention on the frames the energy rule calls silence."""
    spans = trim.voiced_spans(raw)
    return float(
        np.mean([1.0 - float(np.sum(w[a:b])) for w, (a, b) in zip(weights, spans)])
    )


def _test_ua_callback(X, y):
    """skorch callback recording the test fold's UA after every epoch."""
    from skorch.callbacks import Callback

    class TestUA(Callback):
        def on_epoch_end(self, net, **kwargs):
            ua = balanced_accuracy_score(y, net.predict(X))
            net.history.record("test_ua", float(ua))

    return TestUA()


def run_fold(cfg, X, y, groups, train, test, seed, X_copies=None, unlabeled=None):
    import torch

    from sklearn_ser import FrameStandardScaler, TrimSilence
    from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier, SpecAugment

    torch.set_num_threads(1)
    statics = list(range(cfg.get("n_mels", 40)))  # the log-Mel bands, no deltas
    detect = TrimSilence(top_db=35.0, columns=statics).fit(X[:1])
    steps = []
    if cfg["trim_db"] is not None:
        steps.append(TrimSilence(top_db=cfg["trim_db"], columns=statics))
    steps.append(FrameStandardScaler())
    Xtr, Xte = X[train], X[test]
    ytr, gtr = y[train], groups[train]
    if X_copies is not None:  # the training utterances' noisy copies, nothing else
        n_copies = len(X_copies) // len(X)
        take = np.concatenate([train + c * len(X) for c in range(n_copies)])
        Xtr = np.concatenate([Xtr, X_copies[take]])
        ytr = np.tile(ytr, 1 + n_copies)
        gtr = np.tile(gtr, 1 + n_copies)
    if unlabeled is not None:  # unlabeled (-1) utterances join every training fold
        X_u, g_u = unlabeled
        Xtr = np.concatenate([Xtr, X_u])
        ytr = np.concatenate([ytr, np.full(len(X_u), -1, dtype=object)])
        gtr = np.concatenate([gtr, g_u])
    for step in steps:
        Xtr = step.fit_transform(Xtr)
        Xte = step.transform(Xte)
    options = dict(
        reconstruction_weight=0.0,
        pseudo_class=False,
        class_weight="balanced",
        random_state=seed,
    )
    options.update(cfg["clf"])
    if cfg.get("augment") is not None:
        aug = dict(cfg["augment"])
        if aug.get("tempo") is not None:  # JSON keeps lists; SpecAugment wants tuples
            aug["tempo"] = tuple(aug["tempo"])
        options["augment"] = SpecAugment(**aug)
    # Diagnosis only, never used to choose anything: the test speakers' UA after
    # every epoch, to see what a different stopping point would have given.
    options["callbacks"] = [("test_ua", _test_ua_callback(Xte, y[test]))]
    if cfg.get("lr_schedule") is not None:
        options["lr_schedule"] = cfg["lr_schedule"]
    clf = SemiSupervisedAttentionClassifier(**options)
    start = time.perf_counter()
    clf.fit(Xtr, ytr, groups=gtr)
    fit_s = time.perf_counter() - start
    history = clf.history_
    has_valid = "valid_ce" in history[-1]
    monitor = options.get("callbacks__early_stopping__monitor", "valid_ce")
    best = None
    if has_valid:
        curve = np.asarray(history[:, monitor])
        best = int(np.argmax(curve) if monitor == "valid_ua" else np.argmin(curve)) + 1
    proba = clf.predict_proba(Xte)
    pred = clf.classes_[np.argmax(proba, axis=1)]
    train_pred = clf.predict(Xtr[: len(train)])  # the originals only
    silence = None
    if cfg["trim_db"] is None:
        silence = _silence_share(clf.attention_weights(Xte), X[test], detect)
    return {
        "test_speakers": sorted(set(groups[test])),
        "fit_s": round(fit_s, 1),
        "epochs": len(history),
        "best_epoch": best,
        "train_loss": [round(v, 4) for v in history[:, "train_loss"]],
        "valid_ce": [round(v, 4) for v in history[:, "valid_ce"]] if has_valid else [],
        "valid_ua": [round(v, 4) for v in history[:, "valid_ua"]] if has_valid else [],
        # the epoch early stopping ended on has none (it stops before)
        "test_ua_curve": [
            round(row["test_ua"], 4) for row in history if "test_ua" in row
        ],
        "train_speakers_ua": float(balanced_accuracy_score(y[train], train_pred)),
        "test_ua": float(balanced_accuracy_score(y[test], pred)),
        "attention_on_silence": silence,
        "pred": pred.tolist(),
        "classes": clf.classes_.tolist(),
        "proba": np.round(proba, 5).tolist(),
    }


def run(args):
    cache = args.cache
    for name in args.variants:
        cfg = VARIANTS[name]
        path = _result_path(args.out, args.corpus, name, args.seed)
        if path.exists() and not args.force:
            print(f"{args.corpus} {name}: kept ({path})")
            continue
        X, y, groups = corpus_data(args.corpus, cfg, args.data_home, cache)
        cv = LeaveOneGroupOut() if args.corpus == "emovo" else GroupKFold(6)
        splits = list(cv.split(X, y, groups))
        start = time.perf_counter()
        X_copies = None
        if cfg.get("noise") is not None:
            X_copies = corpus_noisy_copies(
                args.corpus, cfg, args.data_home, cache, args.seed
            )
        X_u, g_u = unlabeled_frames(cfg, args.data_home, cache)
        unlabeled = None if X_u is None else (X_u, g_u)
        folds = Parallel(n_jobs=args.n_jobs)(
            delayed(run_fold)(cfg, X, y, groups, tr, te, args.seed, X_copies, unlabeled)
            for tr, te in splits
        )
        seconds = time.perf_counter() - start
        pred = np.empty(len(y), dtype=object)
        classes = np.unique(y)
        proba = np.zeros((len(y), len(classes)))
        for (_, te), fold in zip(splits, folds):
            pred[te] = fold.pop("pred")
            columns = np.searchsorted(classes, fold.pop("classes"))
            proba[np.ix_(te, columns)] = fold.pop("proba")
        out = {
            "variant": name,
            "text": cfg["text"],
            "config": cfg,
            "corpus": args.corpus,
            "seed": args.seed,
            "UA": float(balanced_accuracy_score(y, pred)),
            "WA": float(accuracy_score(y, pred)),
            "run_time_s": round(seconds, 1),
            "n_jobs": args.n_jobs,
            "classes": classes.tolist(),
            "y": y.tolist(),
            "proba": np.round(proba, 5).tolist(),
            "folds": folds,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=1))
        print(
            f"{args.corpus} {name}: UA {out['UA']:.3f} WA {out['WA']:.3f} "
            f"epochs {[f['epochs'] for f in folds]} "
            f"best {[f['best_epoch'] for f in folds]} "
            f"train-speaker UA {np.mean([f['train_speakers_ua'] for f in folds]):.2f} "
            f"({seconds:.0f} s)",
            flush=True,
        )


def _result_path(out, corpus, name, seed):
    suffix = "" if seed == 0 else f"_seed{seed}"
    return Path(out) / corpus / f"{name}{suffix}.json"


def seed_ensemble(out, corpus, name):
    """UA of every seed run of a variant, and of their averaged probabilities."""
    runs = sorted((Path(out) / corpus).glob(f"{name}.json")) + sorted(
        (Path(out) / corpus).glob(f"{name}_seed*.json")
    )
    runs = [json.loads(p.read_text()) for p in runs]
    runs = [r for r in runs if "proba" in r]
    if len(runs) < 2:
        return None
    y = np.asarray(runs[0]["y"], dtype=object)
    classes = np.asarray(runs[0]["classes"], dtype=object)
    mean = np.mean([np.asarray(r["proba"]) for r in runs], axis=0)
    pred = classes[mean.argmax(axis=1)]
    return {
        "seeds": [r["seed"] for r in runs],
        "seed_ua": [r["UA"] for r in runs],
        "ensemble_ua": float(balanced_accuracy_score(y, pred)),
        "ensemble_wa": float(accuracy_score(y, pred)),
    }


def as_report(out, corpus, name, data_home, seed=0):
    """A saved study run as an :class:`~sklearn_ser.EvaluationReport`.

    Its out-of-fold predictions (``proba``'s argmax, as the run scored them), the
    speakers from the corpus loader and the folds from the run's test speakers, so
    that :func:`sklearn_ser.evaluation.paired_comparison` can compare it with another
    run or with a report of ``reproduce_pretrained_table.py`` on the same utterances.
    """
    from sklearn_ser.evaluation import EvaluationReport

    path = _result_path(out, corpus, name, seed)
    r = json.loads(path.read_text())
    groups = np.asarray(load_corpus(corpus, data_home).groups).astype(str)
    y = np.asarray(r["y"], dtype=object)
    classes = np.asarray(r["classes"], dtype=object)
    fold = np.full(len(y), -1)
    for k, f in enumerate(r["folds"]):
        fold[np.isin(groups, f["test_speakers"])] = k
    return EvaluationReport(
        name=path.stem,
        labels=classes,
        index=np.arange(len(y)),
        fold=fold,
        y_true=y,
        y_pred=classes[np.asarray(r["proba"]).argmax(axis=1)],
        folds=[
            {"fold": k, "test_groups": f["test_speakers"]}
            for k, f in enumerate(r["folds"])
        ],
        groups=groups,
    )


def paired(args):
    """Paired comparison (bootstrap over speakers, McNemar) of two saved runs.

    Each of ``--paired A B`` is a variant name (seed ``--seed``) or the path of a
    saved :class:`~sklearn_ser.EvaluationReport` (JSON), e.g. ``is10-svm``'s in
    ``docs/results/pretrained/<corpus>/``.
    """
    from sklearn_ser.evaluation import load_report, paired_comparison

    reports = [
        load_report(name)
        if name.endswith(".json")
        else as_report(args.out, args.corpus, name, args.data_home, args.seed)
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


def ceiling(args):
    """What the epoch chosen on the TEST speakers would give, for every saved run.

    A leak by construction, never a result: the best single epoch for all folds
    bounds any epoch budget with a run's settings, each fold's best epoch any
    per-fold stopping rule. Reads the per-epoch test-speaker UA curves the runs
    record (over the epochs every fold ran); every fold of both corpora holds the
    same number of utterances of each class, so the mean of the folds' UA is the
    pooled UA (the ``last`` column is the run's figure where it kept its last
    epoch).
    """
    rows, curves_of = [], {}
    for path in sorted((Path(args.out) / args.corpus).glob("*.json")):
        r = json.loads(path.read_text())
        curves = [f.get("test_ua_curve") for f in r["folds"]]
        if not all(curves):  # runs saved before the curves were recorded
            continue
        n = min(len(c) for c in curves)
        ua = np.array([c[:n] for c in curves])
        curves_of[path.stem] = ua
        mean = ua.mean(axis=0)
        rows.append(
            {
                "run": path.stem,
                "UA": r["UA"],
                "last": float(mean[-1]),
                "kept_last": all(f["best_epoch"] is None for f in r["folds"]),
                "best_epoch": int(np.argmax(mean)) + 1,
                "best_epoch_ua": float(mean.max()),
                "per_fold_best_ua": float(ua.max(axis=1).mean()),
            }
        )
    print(
        f"{args.corpus}: mean test-speaker UA over the folds\n"
        "| run | UA | last epoch | best epoch for all folds, chosen on the test "
        "speakers | best epoch of each fold |\n|---|---|---|---|---|"
    )
    for row in rows:
        print(
            f"| {row['run']} | {row['UA']:.3f} | {row['last']:.3f} | "
            f"{row['best_epoch_ua']:.3f} "
            f"(epoch {row['best_epoch']}) | {row['per_fold_best_ua']:.3f} |"
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
    for t in transfers:
        print(
            f"{t['from']}'s per-fold best epochs applied to {t['to']}: UA "
            f"{t['UA']:.3f} (its last epoch: {t['to_last']:.3f})"
        )
    return rows, transfers


def _fmt(v, spec=".3f"):
    return "–" if v is None else format(v, spec)


def report(args):
    rows = []
    for corpus in ("emovo", "ravdess"):
        for name in VARIANTS:
            path = Path(args.out) / corpus / f"{name}.json"
            if not path.exists():
                continue
            r = json.loads(path.read_text())
            folds = r["folds"]
            best = [f["best_epoch"] for f in folds if f["best_epoch"] is not None]
            sil = [
                f["attention_on_silence"]
                for f in folds
                if f["attention_on_silence"] is not None
            ]
            rows.append(
                f"| {corpus} | {name} | {r['text']} | {r['UA']:.3f} | {r['WA']:.3f} | "
                f"{np.mean([f['epochs'] for f in folds]):.1f} | "
                f"{_fmt(np.mean(best) if best else None, '.1f')} | "
                f"{np.mean([f['train_speakers_ua'] for f in folds]):.2f} | "
                f"{_fmt(np.mean(sil) if sil else None, '.2f')} | "
                f"{r['run_time_s']:.0f} |"
            )
    lines = [
        "| corpus | variant | change | UA | WA | epochs run | best epoch | "
        "train-speaker UA | attention on silence | time (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    for corpus in ("emovo", "ravdess"):
        for name in VARIANTS:
            ens = seed_ensemble(args.out, corpus, name)
            if ens is not None:
                print(
                    f"\n{corpus} {name}: seeds {ens['seeds']} UA "
                    f"{', '.join(f'{v:.3f}' for v in ens['seed_ua'])}; "
                    f"averaged probabilities UA {ens['ensemble_ua']:.3f} "
                    f"(WA {ens['ensemble_wa']:.3f})"
                )


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
        report(args)
    elif args.paired:
        paired(args)
    elif args.ceiling:
        ceiling(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
