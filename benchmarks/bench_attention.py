"""One training epoch: SemiSupervisedAttentionClassifier vs the same module in torch.

Usage::

    python benchmarks/bench_attention.py [--quick] [--out docs/results]

Both sides train the same :class:`AttentionBLSTMModule` (same initial weights) on
the same sequences, with the same mini-batches (the same length-bucketed sampler
and seed, labelled and unlabeled mixed in every batch, the same per-batch
padding), the same optimiser and the same loss
(``L_s`` with the pseudo-class + ``C * (reconstruction + KL sparsity)``). The plain
side is a bare loop: zero_grad, forward, loss, backward, step. The classifier side
is ``fit`` with ``valid_size=0`` (no validation pass, as in the plain loop); its
epoch time is skorch's own ``history[:, "dur"]``, which excludes set-up. Epochs
alternate between the two sides (after a warm-up epoch each) so that load from
other processes hits both alike; the figure is the ratio of the median epoch
times. Target (issue 5): <= 1.15.

Writes ``attention_benchmark.json`` in ``--out``; ``benchmarks/run.py`` calls
:func:`epoch_overhead` for its summary table.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import entry, load_avg, machine_info  # noqa: E402

from sklearn_ser import as_sequences  # noqa: E402
from sklearn_ser.autoencoders import sparse_ae_loss  # noqa: E402
from sklearn_ser.classifiers import (  # noqa: E402
    AttentionBLSTMModule,
    SemiSupervisedAttentionClassifier,
    SequenceDataset,
    sequence_loader,
)
from sklearn_ser.classifiers._module import length_mask  # noqa: E402

TARGET = 1.15
MODULE = {"n_codes": 128, "hidden_size": 64}
LOSS = {"reconstruction_weight": 0.1, "sparsity_target": 0.05, "sparsity_weight": 0.1}


def make_data(n, seed=0, n_classes=7, n_features=120):
    """EMOVO-shaped sequences at 33 frames/s: 60-200 frames, 30 % unlabeled."""
    rng = np.random.default_rng(seed)
    X = as_sequences(
        [rng.normal(size=(int(rng.integers(60, 200)), n_features)) for _ in range(n)]
    )
    y = rng.integers(0, n_classes, n)
    y[rng.random(n) < 0.3] = -1
    return X, y


def plain_epoch(module, optimizer, X, y_enc, n_classes, batch_size, seed):
    """The same epoch written as a bare torch loop."""
    # strata: the classifier mixes labelled and unlabeled utterances in every batch
    loader = sequence_loader(
        SequenceDataset(X, y_enc),
        batch_size,
        shuffle=True,
        seed=seed,
        strata=y_enc >= n_classes,
    )
    module.train()
    start = time.perf_counter()
    for batch, yb in loader:
        optimizer.zero_grad()
        logits, z, h = module(batch["X"], batch["lengths"])
        sup = torch.nn.functional.cross_entropy(logits, yb)
        mask = length_mask(batch["lengths"], batch["X"].shape[1])
        unsup = sparse_ae_loss(
            batch["X"],
            z,
            h,
            mask,
            rho=LOSS["sparsity_target"],
            beta=LOSS["sparsity_weight"],
        )
        loss = sup + LOSS["reconstruction_weight"] * unsup
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def epoch_overhead(quick=False, repeats=None, threads=1):
    """Median epoch time of the classifier / of the plain loop, as a benchmark entry."""
    n = 160 if quick else 400
    repeats = repeats or (3 if quick else 5)
    batch_size = 32
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        X, y = make_data(n)
        n_classes = len(np.unique(y[y != -1]))
        y_enc = np.where(y == -1, n_classes, y)

        clf = SemiSupervisedAttentionClassifier(
            max_epochs=1,
            batch_size=batch_size,
            valid_size=0.0,
            warm_start=True,
            random_state=0,
            **{f"module__{k}": v for k, v in MODULE.items()},
            **LOSS,
        )
        clf.fit(X, y)  # warm-up epoch (and initialisation)
        module = AttentionBLSTMModule(
            n_features=X[0].shape[1], n_outputs=n_classes + 1, **MODULE
        )
        module.load_state_dict(clf.module_.state_dict())
        optimizer = torch.optim.Adam(module.parameters(), lr=clf.lr)
        plain_epoch(module, optimizer, X, y_enc, n_classes, batch_size, seed=0)

        ours, plain = [], []
        for r in range(repeats):
            # warm_start: fit continues with the same weights, one epoch per call
            clf.set_params(iterator_train__seed=r + 1)
            clf.fit(X, y)
            ours.append(float(clf.history[-1, "dur"]))
            plain.append(
                plain_epoch(module, optimizer, X, y_enc, n_classes, batch_size, r + 1)
            )
    finally:
        torch.set_num_threads(previous_threads)

    frames = int(sum(len(x) for x in X))
    ratio = statistics.median(ours) / statistics.median(plain)
    return entry(
        "median wall time of one training epoch of SemiSupervisedAttentionClassifier "
        "(skorch fit, valid_size=0, history 'dur') / the same module, batches, "
        f"optimiser and loss in a bare torch loop; {n} synthetic utterances, "
        f"{frames} frames of 120 features, batch {batch_size}, "
        f"{threads} torch thread(s), {repeats} alternating epochs",
        {
            "classifier_epoch_s": [round(t, 4) for t in ours],
            "plain_epoch_s": [round(t, 4) for t in plain],
            "classifier_median_s": round(statistics.median(ours), 4),
            "plain_median_s": round(statistics.median(plain), 4),
            "n_utterances": n,
            "n_frames": frames,
            "module": MODULE,
            "loss": LOSS,
        },
        ratio,
        target=TARGET,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--out", default=str(HERE.parent / "docs" / "results"))
    args = parser.parse_args(argv)
    load_start = load_avg()
    started = time.perf_counter()
    result = epoch_overhead(quick=args.quick, repeats=args.repeats)
    result["settings"] = {
        "command": "python benchmarks/bench_attention.py"
        + (" --quick" if args.quick else ""),
        "duration_s": round(time.perf_counter() - started, 1),
        "load_avg_start": load_start,
        "load_avg_end": load_avg(),
    }
    result["machine"] = machine_info()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "attention_benchmark.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"ratio {result['ratio']:.3f} (target <= {TARGET}), pass {result['pass']}; "
        f"classifier {result['measured']['classifier_median_s']} s/epoch, plain "
        f"{result['measured']['plain_median_s']} s/epoch -> {path}"
    )


if __name__ == "__main__":
    main()
