"""Fewer labels on Whisper features: where does self-training pay?

For EMOVO (leave-one-speaker-out) and RAVDESS (6 speaker folds of 4 actors), UA
against the share of each class's training labels kept (10, 25, 50, 100 %, nested
draws), for two systems on the same pooled Whisper-base features:

- ``whisper-logreg``: its StandardScaler -> LogisticRegression head, trained on the
  labelled utterances only;
- ``self-training``: scikit-learn's ``SelfTrainingClassifier`` (its defaults:
  threshold 0.75, at most 10 rounds) around the same head, given the rest of the
  training utterances unlabeled, the standard semi-supervised baseline.

The papers' pseudo-class model on Whisper frames joins the figure where its
reports are saved (``examples/frontier_levers.py --systems
attention-512-semi-cosine,attention-512-semi-cosine-{10,25,50}pc[+rest-unlabeled]``,
on the same draws): on the labelled utterances only, and with the rest of the
training utterances unlabeled as its pseudo-class (the papers' set-up; at 100 %
there is no rest, and both share one point).

Test utterances are always scored with their true labels. Writes
``label_curve_<corpus>.png``, ``label_curve.json`` (UA and its interval per point)
and ``label_curve.md`` to ``--out``.

Usage::

    python examples/whisper_label_curve.py [--corpora emovo,ravdess] [--out DIR]
"""

import argparse
import json
from pathlib import Path

from _local_data import local_data_home
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut
from sklearn.semi_supervised import SelfTrainingClassifier

from sklearn_ser import get_cache_dir
from sklearn_ser.datasets import load_corpus
from sklearn_ser.evaluation import (
    chance_levels,
    curve_table,
    label_fraction_curve,
    load_report,
    plot_label_fraction_curve,
)
from sklearn_ser.pipelines import make_named_pipeline

REPO = Path(__file__).resolve().parents[1]
CV = {"emovo": LeaveOneGroupOut(), "ravdess": GroupKFold(6)}


def run(corpus, args):
    data = load_corpus(corpus, args.data_home)
    pipe = make_named_pipeline(
        "whisper-logreg", memory=args.cache, whisper_model=args.whisper_model
    )
    X = pipe[0].fit_transform(data.filenames)  # pooled frames, read from the cache
    head = pipe[1:]
    common = {"cv": CV[corpus], "fractions": args.fractions, "n_jobs": args.n_jobs}
    reports = label_fraction_curve(
        head,
        X,
        data.target,
        data.groups,
        unlabeled="drop",
        name="whisper-logreg",
        **common,
    )
    reports += label_fraction_curve(
        SelfTrainingClassifier(head),
        X,
        data.target,
        data.groups,
        name="self-training (whisper-logreg head)",
        **common,
    )
    return reports + saved_pseudo_class(corpus, args), chance_levels(data.target)["UA"]


def saved_pseudo_class(corpus, args):
    """The pseudo-class model's saved reports at every fraction, or none."""
    folder = Path(args.out) / corpus
    series = {
        "pseudo-class model, labelled only": "",
        "pseudo-class model + the rest unlabeled": "+rest-unlabeled",
    }
    reports = []
    for system, rest in series.items():
        for fraction in args.fractions:
            stem = "attention-512-semi-cosine"
            if fraction < 1:
                stem += f"-{round(100 * fraction)}pc{rest}"
            path = folder / f"{stem}.json"
            if not path.is_file():
                print(f"{corpus}: {path.name} not run; the pseudo-class model left out")
                return []
            report = load_report(path)
            report.meta.update(system=system, labelled_fraction=fraction)
            reports.append(report)
    return reports


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default="emovo,ravdess")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--cache", default=None, help="default: sklearn-ser's")
    parser.add_argument("--whisper-model", default=None)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", default=str(REPO / "docs" / "results" / "frontier"))
    args = parser.parse_args(argv)
    args.data_home = local_data_home(args.data_home)
    args.cache = args.cache or get_cache_dir()
    args.fractions = (0.1, 0.25, 0.5, 1.0)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# UA against the share of training labels, on Whisper features", ""]
    points = []
    for corpus in args.corpora.split(","):
        reports, chance = run(corpus, args)
        for r in reports:
            low, high = r.confidence_intervals()["UA"]
            points.append(
                {
                    "corpus": corpus,
                    "system": r.meta["system"],
                    "fraction": r.meta["labelled_fraction"],
                    "UA_pooled": round(r.summary()["UA_pooled"], 4),
                    "UA_ci": [round(low, 4), round(high, 4)],
                }
            )
        plot_label_fraction_curve(
            reports, chance=chance, path=out / f"label_curve_{corpus}.png"
        )
        print(corpus, curve_table(reports).round(3), sep="\n")
        mine = [p for p in points if p["corpus"] == corpus]
        fractions = sorted({p["fraction"] for p in mine})
        lines += [
            f"## {corpus} (chance UA {chance:.3f})",
            "",
            "| system | " + " | ".join(f"{f:.0%} labelled" for f in fractions) + " |",
            "|---|" + "---|" * len(fractions),
        ]
        for system in dict.fromkeys(p["system"] for p in mine):
            cells = [
                f"{p['UA_pooled']:.3f} [{p['UA_ci'][0]:.3f}, {p['UA_ci'][1]:.3f}]"
                for p in sorted(mine, key=lambda p: p["fraction"])
                if p["system"] == system
            ]
            lines.append(f"| {system} | " + " | ".join(cells) + " |")
        lines.append("")
    (out / "label_curve.json").write_text(json.dumps(points, indent=1) + "\n")
    (out / "label_curve.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
