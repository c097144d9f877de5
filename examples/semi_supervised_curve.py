"""Do unlabeled utterances make up for missing labels? UA vs labelled fraction.

The attention paper's central claim is that the semi-supervised model needs fewer
labels. This script trains, speaker-independently on EMOVO or RAVDESS, with 10,
25, 50 and 100 % of the utterances labelled (the same fraction of every emotion,
drawn at random over all speakers and nested: the 10 % set is inside the 25 %
set...) and
the rest given as unlabeled (``y == -1``):

- ``is10-svm``: IS10 functionals -> StandardScaler -> SVC, labelled utterances only;
- ``attention (supervised)``: the ``logmel-attention`` pipeline (its defaults) on
  the labelled utterances only;
- ``attention (semi-supervised)``: ``logmel-attention-semi``, the same network with
  the sparse-AE reconstruction loss and the pseudo-class, fed the labelled AND the
  unlabeled training utterances.

Folds: 3-fold speaker-independent (GroupKFold: two EMOVO speakers or eight RAVDESS
actors per test fold; chosen over the 6 folds of the tables to keep the 24 network
fits within minutes on 2 cores).
Every test utterance is scored with its true label, whatever the fraction
(:func:`sklearn_ser.evaluation.label_fraction_curve` hides the other labels from
training only). Writes ``attention_curve.json``
and ``attention_curve.png`` (``attention_curve_ravdess.*`` for RAVDESS).

Usage::

    python examples/semi_supervised_curve.py [--corpus ravdess] [--out docs/results]
"""

import argparse
import json
import time
from pathlib import Path

from _local_data import corpus_arrays, local_data_home
from sklearn.model_selection import GroupKFold

from sklearn_ser import get_cache_dir
from sklearn_ser.evaluation import label_fraction_curve
from sklearn_ser.pipelines import make_named_pipeline

REPO = Path(__file__).resolve().parents[1]
FRACTIONS = (0.10, 0.25, 0.50, 1.00)
SYSTEMS = ("is10-svm", "attention (supervised)", "attention (semi-supervised)")
CORPUS_NAMES = {"emovo": "EMOVO", "ravdess": "RAVDESS"}


def build(system, args):
    if system == "is10-svm":
        return make_named_pipeline("is10-svm", memory=args.cache), "drop"
    semi = system == "attention (semi-supervised)"
    options = {"memory": args.cache, "random_state": 0}
    if args.max_epochs is not None:
        options["max_epochs"] = args.max_epochs
    name = "logmel-attention-semi" if semi else "logmel-attention"
    pipe = make_named_pipeline(name, **options)
    # the supervised model would ignore unlabeled utterances: drop them (faster)
    return pipe, "fit" if semi else "drop"


def run(args, save=None):
    """Every point in turn; ``save(points, timings, seconds)`` after each one."""
    X, y, groups = corpus_arrays(args.corpus, local_data_home(args.data_home))
    cv_splits = list(GroupKFold(n_splits=3).split(X, y, groups))
    points, timings = [], {}
    started = time.perf_counter()
    for fraction in FRACTIONS:
        for system in SYSTEMS:
            pipe, unlabeled = build(system, args)
            t0 = time.perf_counter()
            # one fraction per call, so a point is saved as soon as it is done
            # (the nested masks do not depend on which fractions are asked)
            [report] = label_fraction_curve(
                pipe,
                X,
                y,
                groups,
                fractions=[fraction],
                cv=cv_splits,
                n_jobs=args.n_jobs,
                unlabeled=unlabeled,
                name=system,
            )
            seconds = time.perf_counter() - t0
            timings[f"{system} @ {fraction:g}"] = round(seconds, 1)
            s = report.summary()
            points.append(
                {
                    "system": system,
                    "fraction": fraction,
                    "labelled_fraction_actual": report.meta["labelled_share"],
                    "UA_pooled": s["UA_pooled"],
                    "WA_pooled": s["WA_pooled"],
                    "UA_folds": [f["UA"] for f in report.folds],
                    "run_time_s": round(seconds, 1),
                }
            )
            print(
                f"{fraction:4.0%} {system:28s} UA {s['UA_pooled']:.3f} "
                f"WA {s['WA_pooled']:.3f} ({seconds:.0f} s)",
                flush=True,
            )
            if save is not None:
                save(points, timings, time.perf_counter() - started)
    return points, timings, time.perf_counter() - started


def markdown(points, total, corpus):
    head = "| system | " + " | ".join(f"{f:.0%} labelled" for f in FRACTIONS) + " |"
    lines = [
        f"# {CORPUS_NAMES[corpus]}: UA against the fraction of labelled training "
        "utterances",
        "",
        "3-fold speaker-independent (GroupKFold over the speakers); UA pooled "
        "over the out-of-fold predictions (WA in brackets); the unlabeled rest of "
        "each training fold goes to the semi-supervised model only. "
        "Actual labelled fractions (drawn per emotion): "
        + ", ".join(
            f"{p['labelled_fraction_actual']:.1%}"
            for p in points
            if p["system"] == SYSTEMS[0]
        )
        + ".",
        "",
        head,
        "|---|" + "---|" * len(FRACTIONS),
    ]
    for system in SYSTEMS:
        cells = [
            f"{p['UA_pooled']:.3f} ({p['WA_pooled']:.3f})"
            for p in points
            if p["system"] == system
        ]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Run time per point (s): "
        + ", ".join(
            f"{p['system']} @ {p['fraction']:.0%}: {p['run_time_s']:.0f}"
            for p in points
        )
        + f"; total {total:.0f} s ({total / 60:.1f} min).",
        "",
    ]
    return "\n".join(lines)


def plot(points, path, corpus):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for system, marker in zip(SYSTEMS, "os^"):
        pts = [p for p in points if p["system"] == system]
        ax.plot(
            [100 * p["fraction"] for p in pts],
            [p["UA_pooled"] for p in pts],
            marker=marker,
            label=system,
        )
    n_classes = {"emovo": 7, "ravdess": 8}[corpus]
    ax.axhline(
        1 / n_classes, color="grey", ls=":", label=f"chance ({n_classes} classes)"
    )
    ax.set_xscale("log")
    ax.set_xticks([10, 25, 50, 100], ["10", "25", "50", "100"])
    ax.set_xlabel("labelled training utterances (%)")
    ax.set_ylabel("UA (pooled, 3 speaker-independent folds)")
    ax.set_title(f"{CORPUS_NAMES[corpus]}: UA vs labelled fraction (rest unlabeled)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--out", default=str(REPO / "docs" / "results"))
    parser.add_argument(
        "--cache", default=None, help="feature cache (default: sklearn-ser's)"
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--corpus", choices=["emovo", "ravdess"], default="emovo")
    parser.add_argument(
        "--max-epochs", type=int, default=None, help="default: the pipelines' own"
    )
    args = parser.parse_args(argv)
    if args.cache is None:
        # without a cache every fold re-extracted IS10 with openSMILE (minutes)
        args.cache = get_cache_dir()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "attention_curve" + ("" if args.corpus == "emovo" else f"_{args.corpus}")

    def save(points, timings, total, complete=False):
        # written after every point, so an interrupted run keeps what it measured
        payload = {
            "points": points,
            "run_times_s": timings,
            "total_run_time_s": round(total, 1),
            "complete": complete,
            "cv": f"GroupKFold(3) over the {CORPUS_NAMES[args.corpus]} speakers",
            "settings": vars(args),
        }
        (out / f"{stem}.json").write_text(json.dumps(payload, indent=2) + "\n")

    points, timings, total = run(args, save)
    save(points, timings, total, complete=True)
    plot(points, out / f"{stem}.png", args.corpus)
    (out / f"{stem}.md").write_text(markdown(points, total, args.corpus))
    print(f"total {total:.0f} s -> {out / f'{stem}.json'}")


if __name__ == "__main__":
    main()
