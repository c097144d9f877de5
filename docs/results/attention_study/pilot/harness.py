"""Pilot harness of issue 11 (before examples/attention_study.py): run from the repo root as

    python docs/results/attention_study/pilot/harness.py NAME CORPUS 'JSON-CONFIG'

with the configs stored in each result file's "cfg". Trimming here uses the mean
dB of the 40 static log-Mel columns (35 dB below the loudest frame), not the mean
power that sklearn_ser.TrimSilence uses; results go to this folder as res_*.json
(renamed NAME_CORPUS.json here).
"""

import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from feats import get
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut


def trim(x, top_db):
    e = x[:, :40].mean(1)  # mean log-Mel (dB) of a frame
    keep = np.flatnonzero(e > e.max() - top_db)
    return x[keep[0] : keep[-1] + 1]


def prep(X, cfg):
    out = []
    for x in X:
        if cfg.get("trim"):
            x = trim(x, cfg["trim"])
        if cfg.get("cmn"):
            x = x.copy()
            x[:, :40] -= x[:, :40].mean(0)
        out.append(x)
    return out


def fold(cfg, Xtr, ytr, gtr, Xte, yte, seed):
    import torch

    torch.set_num_threads(1)
    from sklearn_ser import as_sequences
    from sklearn_ser.classifiers import SemiSupervisedAttentionClassifier

    F = np.concatenate(Xtr)
    mu, sd = F.mean(0), F.std(0) + 1e-8
    S = lambda X: as_sequences([(x - mu) / sd for x in X])
    kw = dict(
        reconstruction_weight=0.0,
        pseudo_class=False,
        class_weight="balanced",
        lr=2e-3,
        max_epochs=30,
        batch_size=32,
        random_state=seed,
        module__n_codes=128,
        module__hidden_size=64,
        callbacks__early_stopping__patience=6,
    )
    kw.update(cfg.get("clf", {}))
    if "aug" in cfg:
        from sklearn_ser.classifiers._augment import SpecAugment

        a = dict(cfg["aug"])
        if a.get("tempo"):
            a["tempo"] = tuple(a["tempo"])
        kw["augment"] = SpecAugment(**a)
    if "sched" in cfg:
        import torch
        from skorch.callbacks import LRScheduler

        if cfg["sched"] == "plateau":
            kw["callbacks"] = [
                (
                    "lr_sched",
                    LRScheduler(
                        policy=torch.optim.lr_scheduler.ReduceLROnPlateau,
                        monitor="valid_ce",
                        factor=0.5,
                        patience=3,
                    ),
                )
            ]
        else:
            kw["callbacks"] = [
                (
                    "lr_sched",
                    LRScheduler(
                        policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                        T_max=kw["max_epochs"],
                    ),
                )
            ]
    clf = SemiSupervisedAttentionClassifier(**kw)
    t = time.time()
    clf.fit(S(Xtr), ytr, groups=gtr)
    fit_s = time.time() - t
    h = clf.history_
    pred = clf.predict(S(Xte))
    ptr = clf.predict(S(Xtr))
    return dict(
        fit_s=fit_s,
        epochs=len(h),
        best=int(np.argmin(h[:, "valid_ce"])) + 1 if "valid_ce" in h[-1] else None,
        train_loss=[round(v, 4) for v in h[:, "train_loss"]],
        valid_ce=[round(v, 4) for v in h[:, "valid_ce"]] if "valid_ce" in h[-1] else [],
        valid_ua=[round(v, 4) for v in h[:, "valid_ua"]] if "valid_ua" in h[-1] else [],
        train_acc=float(balanced_accuracy_score(ytr, ptr)),
        pred=list(pred),
        idx=None,
    )


def main():
    name, corpus = sys.argv[1], sys.argv[2]
    cfg = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    hop = cfg.get("hop", 0.03)
    win = cfg.get("win", 0.04)
    X, y, g = get(corpus, hop, win)
    X = prep(list(X), cfg)
    cv = LeaveOneGroupOut() if corpus == "emovo" else GroupKFold(6)
    splits = list(cv.split(X, y, g))
    seeds = cfg.get("seeds", [0])
    t = time.time()
    jobs = [(s, tr, te) for s in seeds for tr, te in splits]
    res = Parallel(n_jobs=cfg.get("n_jobs", 2))(
        delayed(fold)(
            cfg, [X[i] for i in tr], y[tr], g[tr], [X[i] for i in te], y[te], s
        )
        for s, tr, te in jobs
    )
    wall = time.time() - t
    out = {"name": name, "corpus": corpus, "cfg": cfg, "wall_s": wall, "seeds": {}}
    for s in seeds:
        pred = np.empty(len(y), dtype=object)
        rs = [r for (s2, tr, te), r in zip(jobs, res) if s2 == s]
        for (s2, tr, te), r in zip([j for j in jobs if j[0] == s], rs):
            pred[te] = r["pred"]
        ua = balanced_accuracy_score(y, pred)
        wa = accuracy_score(y, pred)
        out["seeds"][s] = dict(
            UA=ua,
            WA=wa,
            folds=[{k: v for k, v in r.items() if k != "pred"} for r in rs],
        )
        print(
            f"{name} {corpus} seed {s}: UA {ua:.3f} WA {wa:.3f} epochs {[r['epochs'] for r in rs]} best {[r['best'] for r in rs]} trainUA {[round(r['train_acc'], 2) for r in rs]}",
            flush=True,
        )
    print(f"{name} {corpus} wall {wall:.0f}s", flush=True)
    json.dump(
        out,
        open(os.path.join(HERE, f"res_{name}_{corpus}.json"), "w"),
        indent=1,
        default=str,
    )


main()
