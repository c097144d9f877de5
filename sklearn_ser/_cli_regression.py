"""``sklearn-ser benchmark`` on continuous ratings: the regression table and report.

Kept beside :mod:`sklearn_ser.cli` (which calls it once it has loaded a corpus whose
target is continuous, see :mod:`sklearn_ser._task`) so the classification command
stays as it was; it reuses the command's helpers (building a pipeline, warming the
feature cache, pruning stale results).
"""

import json
import sys
import time

import numpy as np

from ._task import target_task
from .evaluation import chance_levels

__all__ = ["benchmark_regression", "pipelines_for_target"]

TABLE_HEADER = (
    "| pipeline | CCC | r | MAE | CCC pooled | r pooled | MAE pooled | "
    "wall time (s) | CCC pooled 95% CI |"
)

_KIND = {"regression": "continuous ratings", "classification": "class labels"}


def pipelines_for_target(text, data, *, what):
    """The pipelines of a run on ``data``: named ones checked, or the defaults.

    Parameters
    ----------
    text : str or None
        ``--pipelines`` / ``--pipeline`` as given; None: the registry's defaults
        for the target's task.
    data : Bunch
        The loaded corpus; a float ``target`` is continuous.
    what : str
        The corpus, in messages.

    Returns
    -------
    names : list of str

    Raises
    ------
    CLIError
        A pipeline of the other task, naming the pipelines that fit.
    """
    from .cli import CLIError, _parse_pipelines
    from .pipelines import get_pipeline_spec, list_pipelines

    task = target_task(data.target)
    if text is None:
        from .pipelines import _REGISTRY

        return [n for n, s in _REGISTRY.items() if s.default and s.task == task]
    names = _parse_pipelines(text)
    for name in names:
        spec = get_pipeline_spec(name)
        if spec.task != task:
            target = (
                f"column {str(data.target_names[0])!r}"
                if task == "regression"
                else "the labels"
            )
            hint = (
                " (--task classification reads its values as class names)"
                if task == "regression"
                else " (a manifest column of whole-number ratings needs --task "
                "regression)"
            )
            raise CLIError(
                f"pipeline {name} predicts {_KIND[spec.task]}, but {target} of "
                f"{what} holds {_KIND[task]}{hint}; {task} pipelines: "
                f"{', '.join(list_pipelines(task))}"
            )
    return names


def _legend(data, cv, n_folds):
    """What the regression table's figures mean, and what a blind guess scores."""
    y = np.asarray(data.target, dtype=float)
    target = str(data.target_names[0])
    chance = chance_levels(y)
    median, blind_mae = chance["median"], chance["MAE"]
    folds = (
        f"{n_folds} folds, one held-out speaker each"
        if cv == "loso"
        else f"{n_folds} folds of held-out speakers"
    )
    return [
        f"Target: {target}, continuous: {y.size} ratings from {y.min():g} to "
        f"{y.max():g} (mean {y.mean():.3f}, standard deviation {y.std():.3f}).",
        "CCC = Lin's concordance correlation coefficient (1: predictions equal the "
        "ratings; it falls with any shift or rescaling, unlike r); r = Pearson "
        "correlation; MAE = mean absolute error, in the rating's unit. CCC, r and "
        f"MAE are means over the {folds}; the pooled figures score all out-of-fold "
        "predictions together.",
        "Chance level: CCC 0 for any guess that ignores the audio (a constant has "
        f"no covariance with the ratings; r is then undefined); MAE {blind_mae:.3f} "
        f"for always answering the median rating ({median:g}), the best constant in "
        "hindsight.",
        "wall time (s): the whole run of one pipeline on this machine, feature "
        "extraction (or reading the feature cache) and every fold's fit and "
        "predict.",
        "CCC pooled 95% CI: the interval of the pooled CCC from a bootstrap over "
        "speakers (CCC_ci, r_ci and MAE_ci in results.json).",
    ]


def _paired_section(reports):
    from .evaluation import markdown_table, paired_table

    if len(reports) < 2:
        return []
    return [
        f"## Paired comparisons, against {reports[0].name}",
        "",
        "Pooled CCC difference (system - reference) on the same utterances, its 95% "
        "interval from a paired bootstrap over speakers and the bootstrap p-value; "
        "within noise when the interval holds zero.",
        "",
        markdown_table(paired_table(reports, as_text=True)),
        "",
    ]


def _summary(corpus, data, cv, rows, reports, legend):
    from .evaluation import compare_reports, markdown_table

    table = "\n".join([TABLE_HEADER, "|---|---|---|---|---|---|---|---|---|", *rows])
    text = [
        f"# sklearn-ser benchmark: {corpus} ({data.target_names[0]}, regression)",
        "",
        f"{len(data.filenames)} utterances, {len(set(data.groups))} speakers, cv={cv}.",
        "",
        table,
        "",
        *[f"- {line}" for line in legend],
        "",
    ]
    if reports:
        text += [
            "## Per-fold mean and standard deviation",
            "",
            markdown_table(compare_reports(reports)),
            "",
            *_paired_section(reports),
        ]
    return table, "\n".join(text)


def _write_report(report, out, key, *, corpus, wall):
    """The JSON, markdown and scatter PNG of one report; its results.json entry."""
    report.meta.update(corpus=corpus, wall_time=wall, n_samples=len(report.y_true))
    report.to_json(out / f"{key}.json")
    (out / f"{key}.md").write_text(report.to_markdown())
    report.plot_predictions(path=out / f"{key}.png")
    d = report.to_dict()
    entry = {k: v for k, v in d.items() if k not in ("predictions", "meta", "name")}
    entry.update(
        corpus=corpus,
        time=wall,
        report=f"{key}.json",
        markdown=f"{key}.md",
        scatter_png=f"{key}.png",
    )
    return entry


def benchmark_regression(args, data, names, *, cv, corpus, out):
    """``sklearn-ser benchmark`` for a continuous target (``data.target`` floats).

    Same speaker-independent folds, feature cache and output folder layout as the
    classification benchmark; the table holds CCC, r and MAE, each pipeline gets a
    JSON report, a markdown report and a predicted-vs-true scatter PNG. Without
    ``--out`` the folder is named after the corpus and the rated column
    (``sklearn-ser-results/<corpus>-<column>``), so the runs of two columns of one
    manifest (arousal, valence) do not replace each other.
    """
    from pathlib import Path

    import pandas as pd

    from .cli import (
        DEFAULT_OUT,
        _build,
        _cache_dir,
        _check_writable,
        _ci_text,
        _corpus_source,
        _fmt,
        _start_results,
        _warm_cache,
    )
    from .evaluation import evaluate
    from .evaluation._evaluate import _resolve_cv

    target = str(data.target_names[0])
    y = pd.Series(np.asarray(data.target, dtype=float), name=target)
    if args.out is None:
        out = Path(DEFAULT_OUT.format(corpus=f"{corpus}-{target}"))
        _check_writable(out, "output folder")
    out.mkdir(parents=True, exist_ok=True)
    memory = _cache_dir(args)
    results_path = out / "results.json"
    cv_text = _resolve_cv(cv, data.groups)[1]
    # a column of a manifest is its own source: its results never mix with another's
    source = f"{_corpus_source(args.corpus)}#{target}"
    results = _start_results(out, names, sources={source}, cv=cv_text, quiet=args.quiet)
    n_folds = len(set(data.groups)) if cv == "loso" else cv
    legend = _legend(data, cv, n_folds)
    reports, rows = [], []
    table = None
    for name in names:
        try:
            spec, estimator = _build(
                name,
                memory=memory,
                random_state=args.random_state,
                data_home=args.data_home,
                whisper_model=args.whisper_model,
            )
            if not args.quiet:
                print(f"== {name}: {spec.description}", file=sys.stderr)
            t0 = time.perf_counter()
            _warm_cache(estimator, data.filenames, n_jobs=args.n_jobs, quiet=args.quiet)
            report = evaluate(
                estimator,
                data.filenames,
                y,
                data.groups,
                cv=cv,
                n_jobs=args.n_jobs,
                verbose=0 if args.quiet else 1,
                name=name,
                description=spec.description,
                adapts_to_test_speaker=spec.adapts_to_test_speaker,
            )
        except BaseException:
            if rows:
                print(_summary(corpus, data, cv, rows, reports, legend)[0])
                print(
                    f"{name} failed; the results of {len(rows)} finished "
                    f"pipeline(s) are in {out}",
                    file=sys.stderr,
                )
            raise
        wall = time.perf_counter() - t0
        reports.append(report)
        entry = _write_report(report, out, name, corpus=corpus, wall=wall)
        entry["corpus_source"] = source
        results[name] = entry
        results_path.write_text(json.dumps(results, indent=1))
        rows.append(
            f"| {name} | {_fmt(entry['CCC'])} | {_fmt(entry['r'])} | "
            f"{_fmt(entry['MAE'])} | {_fmt(entry['CCC_pooled'])} | "
            f"{_fmt(entry['r_pooled'])} | {_fmt(entry['MAE_pooled'])} | {wall:.1f} | "
            f"{_ci_text(entry['CCC_ci'])} |"
        )
        table, summary = _summary(corpus, data, cv, rows, reports, legend)
        (out / "report.md").write_text(summary)
    print(table)
    print()
    print("\n".join(legend))
    if len(reports) > 1:
        print("\n".join(["", *_paired_section(reports)]))
    if not args.quiet:
        print(f"results written to {out}", file=sys.stderr)
    return 0
