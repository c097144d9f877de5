"""Cross-corpus EMOVO <-> RAVDESS on their seven shared classes.

Train on one corpus (Italian EMOVO or North-American English RAVDESS), test on the
other, on the classes both share (anger, disgust, fear, happiness, neutral, sadness,
surprise; RAVDESS's calm is left out), for any named pipeline of
:mod:`sklearn_ser.pipelines`, with and without per-corpus standardisation (each
corpus standardised with its own unlabeled feature statistics: it adapts to the test
corpus, and the tables say so). Speaker groups inside the training corpus still
drive early stopping; nothing is tuned on the test corpus.

Every (pipeline, direction, standardisation) report is written as JSON into
``--out``; the tables (``cross_corpus.md``) are rebuilt from every report found
there, so pipelines added later (``--pipelines whisper-...``) join the same tables
without recomputing the others. ``--skip-existing`` leaves finished reports alone.

Run::

    python examples/cross_corpus.py --pipelines is10-svm,is10-dae-svm \\
        --cache /tmp/ser-cache --out docs/results/cross_corpus
    python examples/cross_corpus.py --pipelines logmel-attention \\
        --option logmel-attention:max_epochs=15 --cache /tmp/ser-cache \\
        --out docs/results/cross_corpus
"""

import argparse
import ast
import json
import os
import time
from pathlib import Path

from _local_data import local_data_home

from sklearn_ser.datasets import load_corpus
from sklearn_ser.evaluation import (
    EvaluationReport,
    evaluate_cross_corpus,
    markdown_table,
    paired_comparison,
)
from sklearn_ser.pipelines import get_pipeline_spec, make_named_pipeline

DIRECTIONS = (("emovo", "ravdess"), ("ravdess", "emovo"))
REPO = Path(__file__).resolve().parents[1]


def parse_options(items):
    """``["name:key=value", ...]`` -> ``{name: {key: value}}`` (values literal)."""
    options = {}
    for item in items:
        name, _, assignment = item.partition(":")
        key, _, value = assignment.partition("=")
        if not (name and key and value):
            raise SystemExit(f"--option must be PIPELINE:KEY=VALUE; got {item!r}")
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            pass
        options.setdefault(name, {})[key] = value
    return options


def key_of(name, train, test, std):
    return f"{name}__{train}-to-{test}" + ("__corpus-std" if std else "")


def run(args):
    home = local_data_home(args.data_home)
    corpora = {name: load_corpus(name, home) for name in ("emovo", "ravdess")}
    options = parse_options(args.option)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = (
        json.loads((out / "settings.json").read_text())
        if (out / "settings.json").exists()
        else {}
    )
    for name in [n.strip() for n in args.pipelines.split(",") if n.strip()]:
        spec = get_pipeline_spec(name)
        opts = {"memory": args.cache, "random_state": args.random_state}
        opts = {k: v for k, v in opts.items() if k in spec.options}
        opts.update(options.get(name, {}))
        settings[name] = {k: v for k, v in opts.items() if k != "memory"}
        for train, test in DIRECTIONS:
            for std in (False, True):
                key = key_of(name, train, test, std)
                if args.skip_existing and (out / f"{key}.json").exists():
                    continue
                t0 = time.perf_counter()
                report = evaluate_cross_corpus(
                    make_named_pipeline(name, **opts),
                    {train: corpora[train]},
                    {test: corpora[test]},
                    per_corpus_standardization=std,
                    name=name,
                    description=spec.description,
                    adapts_to_test_speaker=spec.adapts_to_test_speaker,
                    proba=False,  # the tables need the predictions only
                    verbose=0,
                )
                wall = time.perf_counter() - t0
                report.meta.update(wall_time=wall, options=settings[name])
                report.to_json(out / f"{key}.json")
                s = report.summary()
                print(
                    f"{key}: WA {s['WA_pooled']:.3f} UA {s['UA_pooled']:.3f} "
                    f"UA CI {s['UA_ci'][0]:.3f}-{s['UA_ci'][1]:.3f} ({wall:.0f} s)",
                    flush=True,
                )
        (out / "settings.json").write_text(json.dumps(settings, indent=1))
    write_tables(out)


def _ci(pair):
    return f"{pair[0]:.3f}-{pair[1]:.3f}"


def write_tables(out):
    """``cross_corpus.md`` (and ``.json``) from every report in ``out``."""
    reports = {}
    for path in sorted(out.glob("*__*-to-*.json")):
        reports[path.stem] = EvaluationReport.from_json(path)
    # is10-svm, the baseline, first: every other pipeline is compared with it.
    names = sorted(
        {k.split("__")[0] for k in reports}, key=lambda n: (n != "is10-svm", n)
    )
    lines = [
        "| pipeline | train -> test | per-corpus std | WA | UA | WA 95% CI | "
        "UA 95% CI | time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary = {}
    for name in names:
        for train, test in DIRECTIONS:
            for std in (False, True):
                key = key_of(name, train, test, std)
                if key not in reports:
                    continue
                r = reports[key]
                s = r.summary()
                summary[key] = s
                lines.append(
                    f"| {name} | {train} -> {test} | "
                    f"{'yes (adapts to test corpus)' if std else 'no'} | "
                    f"{s['WA_pooled']:.3f} | {s['UA_pooled']:.3f} | "
                    f"{_ci(s['WA_ci'])} | {_ci(s['UA_ci'])} | "
                    f"{r.meta.get('wall_time', float('nan')):.0f} |"
                )
    paired = [
        "| comparison | train -> test | UA diff | 95% CI (speakers) | p bootstrap | "
        "p McNemar | within noise |",
        "|---|---|---|---|---|---|---|",
    ]
    comparisons = []
    for train, test in DIRECTIONS:
        for name in names:
            a = reports.get(key_of(name, train, test, False))
            b = reports.get(key_of(name, train, test, True))
            if a is not None and b is not None:
                comparisons.append((f"{name}: with vs without per-corpus std", a, b))
        base = reports.get(key_of(names[0], train, test, False)) if names else None
        for name in names[1:]:
            other = reports.get(key_of(name, train, test, False))
            if base is not None and other is not None:
                comparisons.append((f"{name} vs {names[0]}", base, other))
        for label, a, b in comparisons:
            c = paired_comparison(a, b)
            lo, hi = c["UA_diff_ci"]
            paired.append(
                f"| {label} | {train} -> {test} | {c['UA_diff']:+.3f} | "
                f"{lo:+.3f} to {hi:+.3f} | {c['p_bootstrap']:.3f} | "
                f"{c['p_mcnemar']:.3g} | {'yes' if lo <= 0 <= hi else 'no'} |"
            )
        comparisons = []
    recall = {}
    for key, r in reports.items():
        recall[key] = r.per_class_recall().round(3).to_dict()
    import pandas as pd

    recall_frame = pd.DataFrame(recall).T
    recall_frame.index.name = "report"
    (out / "cross_corpus_tables.md").write_text(
        "\n".join(
            [
                "## Pooled figures",
                "",
                *lines,
                "",
                "## Paired comparisons (same test utterances)",
                "",
                *paired,
                "",
                "## Per-class recall",
                "",
                markdown_table(recall_frame),
                "",
            ]
        )
    )
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print("\n".join(lines + [""] + paired))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--pipelines", default="is10-svm")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        help="PIPELINE:KEY=VALUE, a factory option (repeatable)",
    )
    parser.add_argument("--cache", default=os.environ.get("SKLEARN_SER_CACHE"))
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--out", default=str(REPO / "docs" / "results" / "cross_corpus")
    )
    parser.add_argument("--skip-existing", action="store_true")
    parser.add_argument(
        "--tables-only", action="store_true", help="rebuild the tables, run nothing"
    )
    args = parser.parse_args()
    if args.tables_only:
        write_tables(Path(args.out))
    else:
        run(args)


if __name__ == "__main__":
    main()
