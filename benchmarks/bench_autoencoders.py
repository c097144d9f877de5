"""Fit time of the autoencoders on EMOVO-sized IS10 input, against plain torch loops.

Input: 490 x 1582 (one leave-one-speaker-out training fold of EMOVO: 5 of its 6
speakers), 800 hidden units, the estimators' default training settings. Real IS10
features of EMOVO when the corpus is found (cached under ``--memory``), otherwise
random data of that shape (said so in the output).

For each estimator the same model and schedule is also trained by a plain,
hand-written torch loop (same sizes, optimiser, epochs, batch size, corruption; no
scikit-learn validation, no scaler, no history), and the ratio of the two times is
reported: the overhead of the estimator wrapper. The two sides run in pairs, the
order alternating, ``--repeats`` pairs at least and up to three times as many until
the interval of the median ratio is within 5 % of it; the ratio is the median of
the pairs' ratios, given with their range and that interval
(``_common.interleave_pairs``). The losses of the first and last
epoch and the training accuracy of the fine-tuned softmax show that the defaults
actually train on real data.

Run::

    python benchmarks/bench_autoencoders.py --out results/bench_autoencoders
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from torch.nn import functional as F

from sklearn_ser.autoencoders import DenoisingAE, NeutralEmotionDAE, SparseAE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    MAX_PAIRS_FACTOR,
    default_data_home,
    interleave_pairs,
    spread_cells,
)

N_SAMPLES, N_HIDDEN = 490, 800


def load_inputs(data_home, memory):
    """(X, y, X_neutral, source): EMOVO IS10 rows of 5 speakers, LibriSpeech IS10."""
    try:
        from sklearn_ser import datasets
        from sklearn_ser.features import OpenSmileIS10

        emovo = datasets.load_emovo(data_home)
        libri = datasets.load_librispeech(data_home)
        ext = OpenSmileIS10(memory=memory)
        keep = emovo.groups != np.unique(emovo.groups)[-1]
        X = ext.fit_transform(emovo.filenames[keep])
        X_neutral = ext.fit_transform(libri.filenames)
        return X, emovo.target[keep], X_neutral, "EMOVO / LibriSpeech IS10 (real)"
    except (FileNotFoundError, ImportError) as exc:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(N_SAMPLES, 1582))
        y = np.arange(N_SAMPLES) % 7
        return X, y, rng.normal(size=(351, 1582)), f"random ({exc})"


def _scaled(X):
    lo, hi = X.min(0), X.max(0)
    return torch.as_tensor(
        (X - lo) / np.where(hi > lo, hi - lo, 1), dtype=torch.float32
    )


def _epochs(params, loss_fn, n, epochs, lr, batch_size, gen):
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for s in range(0, n, batch_size):
            loss = loss_fn(perm[s : s + batch_size])
            opt.zero_grad()
            loss.backward()
            opt.step()


def _tied(n_in, n_hidden, gen):
    b = 4 * np.sqrt(6 / (n_in + n_hidden))
    W = torch.empty(n_hidden, n_in).uniform_(-b, b, generator=gen).requires_grad_()
    return (
        W,
        torch.zeros(n_hidden, requires_grad=True),
        torch.zeros(n_in, requires_grad=True),
    )


def plain_dae(X, y, est, neutral=None):
    """The same (neutral-)DAE fit as a hand-written loop: pretrain, then finetune."""
    gen = torch.Generator().manual_seed(0)
    Xt = _scaled(X)
    W, b, bp = _tied(Xt.shape[1], N_HIDDEN, gen)
    std = est.noise_std

    def recon(idx):
        xb = Xt[idx]
        xt = xb + std * torch.randn(xb.shape, generator=gen)
        z = torch.sigmoid(torch.sigmoid(xt @ W.T + b) @ W + bp)
        if neutral is not None:
            Wn, bn, bpn = neutral
            zn = torch.sigmoid(torch.sigmoid(xt @ Wn.T + bn) @ Wn + bpn)
            z = 0.5 * z + 0.5 * zn
        return ((z - xb) ** 2).sum(1).mean()

    _epochs([W, b, bp], recon, len(Xt), est.pretrain_epochs, est.pretrain_lr,
            est.batch_size, gen)  # fmt: skip
    classes, yi = np.unique(y, return_inverse=True)
    yt = torch.as_tensor(yi)
    head = torch.nn.Linear(N_HIDDEN, len(classes))

    def ce(idx):
        return F.cross_entropy(head(torch.sigmoid(Xt[idx] @ W.T + b)), yt[idx])

    _epochs([W, b, *head.parameters()], ce, len(Xt), est.finetune_epochs,
            est.finetune_lr, est.batch_size, gen)  # fmt: skip


def plain_sparse(X, est):
    gen = torch.Generator().manual_seed(0)
    Xt = torch.as_tensor((X - X.mean(0)) / (X.std(0) + 1e-12), dtype=torch.float32)
    enc, dec = (
        torch.nn.Linear(Xt.shape[1], N_HIDDEN),
        torch.nn.Linear(N_HIDDEN, Xt.shape[1]),
    )
    rho, beta = est.sparsity_target, est.sparsity_weight

    def loss(idx):
        xb = Xt[idx]
        h = torch.sigmoid(enc(xb))
        r = h.mean(0).clamp(1e-6, 1 - 1e-6)
        kl = (
            rho * torch.log(rho / r) + (1 - rho) * torch.log((1 - rho) / (1 - r))
        ).sum()
        return ((dec(h) - xb) ** 2).sum(1).mean() + beta * kl

    opt = torch.optim.Adam(
        [
            {"params": [enc.weight, dec.weight], "weight_decay": est.weight_decay},
            {"params": [enc.bias, dec.bias]},
        ],
        lr=est.lr,
    )
    for _ in range(est.epochs):
        perm = torch.randperm(len(Xt), generator=gen)
        for s in range(0, len(Xt), est.batch_size):
            value = loss(perm[s : s + est.batch_size])
            opt.zero_grad()
            value.backward()
            opt.step()


def seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def finetune_accuracy(est, X, y):
    """Training accuracy of the fine-tuned softmax on the code (did it learn?)."""
    Z = est.transform(X)
    scores = Z @ est.finetune_coef_.T + est.finetune_intercept_
    return float(np.mean(est.classes_[scores.argmax(1)] == y))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="results/bench_autoencoders")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--memory", default="/work/cache/features")
    parser.add_argument(
        "--repeats", type=int, default=1, help="pairs of fits at least (1)"
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: on a small shared machine more threads "
        "spin against other processes; measured 6x slower with 2 on 2 busy cores)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    data_home = default_data_home(args.data_home)
    X, y, X_neutral, source = load_inputs(data_home, args.memory or None)
    print(f"input: {X.shape} from {source}; torch threads {torch.get_num_threads()}")

    neutral = DenoisingAE(
        hidden_layer_sizes=N_HIDDEN, random_state=0, device=args.device
    ).fit(X_neutral)
    ests = {
        "DenoisingAE": DenoisingAE(
            hidden_layer_sizes=N_HIDDEN, random_state=0, device=args.device
        ),
        "NeutralEmotionDAE": NeutralEmotionDAE(
            n_hidden=N_HIDDEN,
            neutral_encoder=FrozenEstimator(neutral),
            random_state=0,
            device=args.device,
        ),
        "SparseAE": SparseAE(n_hidden=N_HIDDEN, random_state=0, device=args.device),
    }
    Wn = tuple(
        torch.as_tensor(a)
        for a in (
            neutral.coefs_[0],
            neutral.intercepts_[0],
            neutral.intercepts_prime_[0],
        )
    )
    plain = {
        "DenoisingAE": lambda: plain_dae(X, y, ests["DenoisingAE"]),
        "NeutralEmotionDAE": lambda: plain_dae(X, y, ests["NeutralEmotionDAE"], Wn),
        "SparseAE": lambda: plain_sparse(X, ests["SparseAE"]),
    }
    rows = {}
    for name, est in ests.items():
        if args.device == "cpu":
            fits, plains, spread = interleave_pairs(
                lambda i, est=est: seconds(lambda: est.fit(X, y)),
                lambda i, name=name: seconds(plain[name]),
                min_pairs=args.repeats,
                max_pairs=MAX_PAIRS_FACTOR * args.repeats,
            )
        else:  # the plain loops are written for the CPU
            fits = [seconds(lambda est=est: est.fit(X, y)) for _ in range(args.repeats)]
            plains, spread = [float("nan")], None
        hist = est.history_
        row = {
            "fit_s": float(np.median(fits)),
            "plain_torch_s": float(np.median(plains)),
            "fit_pairs_s": fits,
            "plain_torch_pairs_s": plains,
            "ratio": float("nan") if spread is None else spread["median"],
            "spread": spread,
            "losses": {k: [v[0], v[-1]] for k, v in hist.items()},
        }
        if hasattr(est, "finetune_coef_"):
            row["finetune_train_accuracy"] = finetune_accuracy(est, X, y)
        rows[name] = row
        print(name, json.dumps(row))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "input_shape": list(X.shape),
        "source": source,
        "n_hidden": N_HIDDEN,
        "device": args.device,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.platform(),
        "repeats": args.repeats,
    }
    (out / "bench_autoencoders.json").write_text(
        json.dumps({"meta": meta, "results": rows}, indent=1)
    )
    lines = [
        f"Fit time, {X.shape[0]} x {X.shape[1]} ({source}), {N_HIDDEN} hidden units, "
        f"default settings, {args.device}, {torch.get_num_threads()} torch threads",
        "",
        "| Estimator | fit (s, median) | plain torch loop (s, median) | ratio (median "
        "of pairs) | range of pairs | interval of the median | loss first -> last "
        "epoch | fine-tune train acc |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        losses = "; ".join(
            f"{k} {a:.3g} -> {b:.3g}" for k, (a, b) in r["losses"].items()
        )
        acc = r.get("finetune_train_accuracy")
        pairs, interval = spread_cells(r)
        lines.append(
            f"| {name} | {r['fit_s']:.1f} | {r['plain_torch_s']:.1f} | "
            f"{r['ratio']:.2f} | {pairs} | {interval} | {losses} | "
            f"{'-' if acc is None else f'{acc:.2f}'} |"
        )
    (out / "bench_autoencoders.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
