"""One training epoch: SemiSupervisedAttentionClassifier vs the same module in torch.

Usage::

    python benchmarks/bench_attention.py [--quick] [--min-pairs 5] [--max-pairs 15]
        [--out docs/results]

Both sides train the same :class:`AttentionBLSTMModule` (same initial weights) on
the same sequences, with the same mini-batches (the same length-bucketed sampler
and seed, labelled and unlabeled mixed in every batch, the same per-batch
padding), the same optimiser and the same loss
(``L_s`` with the pseudo-class + ``C * (reconstruction + KL sparsity)``). The plain
side is a bare loop: zero_grad, forward, loss, backward, step. The classifier side
is ``fit`` with ``valid_size=0`` (no validation pass, as in the plain loop); its
epoch time is skorch's own ``history[:, "dur"]``, which excludes set-up. After a
warm-up epoch each, the two sides train in pairs of epochs, one each, the order
alternating (AB, BA, ...) so that load from other processes hits both alike; each
pair gives one ratio. Pairs are added (at least 5, at most 15) until the interval of
their median ratio is within 5 % of it (``_common.interleave_pairs``); the figure is
that median, reported with the range of the per-pair ratios and the interval.
Target (issue 5): the median <= 1.15.

Writes ``attention_benchmark.json`` in ``--out``; ``benchmarks/run.py`` calls
:func:`epoch_overhead` for its summary table.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import (  # noqa: E402
    MAX_PAIRS_FACTOR,
    SPREAD_TOLERANCE,
    interleave_pairs,
    load_avg,
    machine_info,
    paired_entry,
)

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


def epoch_overhead(
    quick=False, min_pairs=None, max_pairs=None, tolerance=SPREAD_TOLERANCE, threads=1
):
    """Epoch time of the classifier / of the plain loop, pair by pair, as an entry.

    The entry's ratio is the median of the per-pair ratios, its ``spread`` their
    range and the interval of the median (:func:`_common.ratio_spread`).
    """
    n = 160 if quick else 400
    min_pairs = min_pairs or 5
    max_pairs = max(max_pairs or MAX_PAIRS_FACTOR * min_pairs, min_pairs)
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

        def classifier_epoch(r):
            # warm_start: fit continues with the same weights, one epoch per call
            clf.set_params(iterator_train__seed=r + 1)
            clf.fit(X, y)
            return clf.history[-1, "dur"]

        def torch_epoch(r):
            return plain_epoch(
                module, optimizer, X, y_enc, n_classes, batch_size, r + 1
            )

        ours, plain, spread = interleave_pairs(
            classifier_epoch,
            torch_epoch,
            min_pairs=min_pairs,
            max_pairs=max_pairs,
            tolerance=tolerance,
        )
    finally:
        torch.set_num_threads(previous_threads)

    frames = int(sum(len(x) for x in X))
    return paired_entry(
        "wall time of one training epoch of SemiSupervisedAttentionClassifier "
        "(skorch fit, valid_size=0, history 'dur') / the same module, batches, "
        f"optimiser and loss in a bare torch loop; {n} synthetic utterances, "
        f"{frames} frames of 120 features, batch {batch_size}, "
        f"{threads} torch thread(s); median of {spread['n_pairs']} pairs of epochs "
        f"(one each, order alternating; at least {min_pairs}, at most {max_pairs}, "
        f"until the interval of the median is within {tolerance:.0%} of it)",
        {
            "classifier_epoch_s": [round(t, 4) for t in ours],
            "plain_epoch_s": [round(t, 4) for t in plain],
            "classifier_median_s": round(float(np.median(ours)), 4),
            "plain_median_s": round(float(np.median(plain)), 4),
            "n_utterances": n,
            "n_frames": frames,
            "module": MODULE,
            "loss": LOSS,
        },
        ours,
        plain,
        target=TARGET,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--min-pairs", type=int, default=None, help="pairs of epochs at least (5)"
    )
    parser.add_argument(
        "--max-pairs", type=int, default=None, help="pairs at most (3 x --min-pairs)"
    )
    parser.add_argument("--out", default=str(HERE.parent / "docs" / "results"))
    args = parser.parse_args(argv)
    load_start = load_avg()
    started = time.perf_counter()
    result = epoch_overhead(
        quick=args.quick, min_pairs=args.min_pairs, max_pairs=args.max_pairs
    )
    result["settings"] = {
        "command": " ".join(
            ["python benchmarks/bench_attention.py", *(argv or sys.argv[1:])]
        ),
        "duration_s": round(time.perf_counter() - started, 1),
        "load_avg_start": load_start,
        "load_avg_end": load_avg(),
    }
    result["machine"] = machine_info()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "attention_benchmark.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    spread = result["spread"]
    low, high = spread["interval"]
    print(
        f"ratio {result['ratio']:.3f} (median of {spread['n_pairs']} pairs, range "
        f"{spread['min']:.3f}-{spread['max']:.3f}, interval of the median "
        f"{low:.3f}-{high:.3f} at {spread['interval_coverage']:.0%}; target <= "
        f"{TARGET}), pass {result['pass']}; "
        f"classifier {result['measured']['classifier_median_s']} s/epoch, plain "
        f"{result['measured']['plain_median_s']} s/epoch -> {path}"
    )


if __name__ == "__main__":
    main()
