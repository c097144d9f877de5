"""Benchmark runs: build each pipeline, warm its feature cache, evaluate, write.

:func:`run_benchmark` (one corpus, speaker-independent folds, class labels or
continuous ratings) and :func:`run_cross_corpus_benchmark` (train on some corpora,
test on another) share one loop, :func:`_run`: each pipeline is built from the
registry (or given), its feature extractor fills the cache once for every file of
the run, and each evaluation of it is written to ``out`` as a JSON report, a
markdown report and a figure, with an entry in ``out/results.json`` and the
run's ``out/report.md`` rewritten after every finished evaluation, so an
interrupted run keeps what it finished. ``sklearn-ser benchmark`` is these
functions plus argument parsing and printing.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._report import _interval_text as _ci_text

__all__ = ["run_benchmark", "run_cross_corpus_benchmark"]

TABLE_HEADER = (
    "| pipeline | WA | UA | WA pooled | UA pooled | wall time (s) | UA pooled 95% CI |"
)
REGRESSION_TABLE_HEADER = (
    "| pipeline | CCC | r | MAE | CCC pooled | r pooled | MAE pooled | "
    "wall time (s) | CCC pooled 95% CI |"
)
CROSS_TABLE_HEADER = (
    "| pipeline | train -> test | classes | WA | UA | WA 95% CI | UA 95% CI | "
    "wall time (s) |"
)

#: The fields of a classification report kept in its ``results.json`` entry.
_RESULT_KEYS = (
    "WA",
    "UA",
    "WA_pooled",
    "UA_pooled",
    "WA_std",
    "UA_std",
    "WA_ci",
    "UA_ci",
    "n_folds",
    "n_scored",
    "fit_time",
    "predict_time",
    "adapts_to_test_speaker",
    "adapts_to_test_corpus",
    "description",
    "cv",
    "labels",
    "per_class_recall",
    "confusion_matrix",
    "folds",
)


def learns_from_unlabeled(estimator):
    """Whether ``estimator``'s ``fit`` uses unlabeled (``-1``) samples.

    True for scikit-learn's semi-supervised estimators and for the attention
    classifier with its pseudo-class or its reconstruction loss, at the end of a
    pipeline or inside a search; False for every other estimator, which would
    otherwise learn ``-1`` as a class (the benchmark then leaves the unlabeled
    rows of a manifest out of its training folds).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.semi_supervised import SelfTrainingClassifier
    >>> learns_from_unlabeled(make_pipeline(StandardScaler(), LogisticRegression()))
    False
    >>> learns_from_unlabeled(SelfTrainingClassifier(LogisticRegression()))
    True
    """
    from .._walk import final_estimator
    from ..classifiers import SemiSupervisedAttentionClassifier

    estimator = final_estimator(estimator)
    if isinstance(estimator, SemiSupervisedAttentionClassifier):
        return bool(estimator.pseudo_class) or estimator.reconstruction_weight > 0
    return type(estimator).__module__.startswith("sklearn.semi_supervised")


def _fmt(v):
    return "" if v is None else f"{v:.3f}"


# ------------------------------------------------------------------ the shared steps
def _pipelines(pipelines, params):
    """``[(name, description, adapts_to_test_speaker, make), ...]`` of a run.

    Registry names are built lazily (``make()``), with the ``params`` their factory
    accepts; a mapping gives ready estimators under their names.
    """
    from ..pipelines import get_pipeline_spec, make_named_pipeline

    if isinstance(pipelines, str):
        raise TypeError(
            "pipelines is a list of registry names or a dict of name to estimator; "
            f"got the string {pipelines!r}"
        )
    if hasattr(pipelines, "items"):
        return [
            (name, "", False, (lambda est=est: est)) for name, est in pipelines.items()
        ]
    items = []
    params = dict(params or {})
    for name in pipelines:
        spec = get_pipeline_spec(name)  # an unknown name fails before any work

        def make(name=name, spec=spec):
            options = {k: v for k, v in params.items() if k in spec.options}
            return make_named_pipeline(name, **options)

        items.append((name, spec.description, spec.adapts_to_test_speaker, make))
    if not items:
        raise ValueError("pipelines is empty: name at least one pipeline")
    return items


def _first_extractor(estimator):
    """The leading audio extractor of a pipeline (or the estimator), if any.

    The first estimator that receives the input (:func:`input_estimators`):
    through a search's estimator and the first member of a voting or switching
    ensemble (``whisper-layer-vote``'s members share one cache entry per
    utterance, ``auto``'s first candidate is the preferred one).
    """
    from .._walk import input_estimators
    from ..features import BaseAudioExtractor

    leaves = input_estimators(estimator)
    first = leaves[0] if leaves else None
    return first if isinstance(first, BaseAudioExtractor) else None


def _warm_cache(estimator, files, *, n_jobs, verbose):
    """Extract every file once (a progress bar when ``verbose``): folds hit the cache.

    Nothing happens unless the estimator's leading extractor has a ``memory``.
    """
    from sklearn.base import clone

    ext = _first_extractor(estimator)
    if ext is None or ext.memory is None:
        return
    ext = clone(ext).set_params(verbose=1 if verbose else 0, n_jobs=n_jobs)
    # fit_transform extracts (and caches) every file through the public API; for
    # LogMelDeltas it also computes statistics, a second's work beside extraction.
    ext.fit_transform(files)


def _load_results(path):
    if path.exists():
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError:
            pass
    return {}


def _start_results(out, keys, *, sources, cv, verbose):
    """``out/results.json`` ready for a run of ``keys``: nothing stale, nothing mixed.

    An entry of an earlier run into the same folder is kept only if it scored the
    same data (``sources``: the ``source`` of this run's corpus, or the sources of
    its ``train -> test`` pairs) with the same ``cv`` (its description; None: any)
    and is not re-run now. Every other entry is removed with its report files, so a
    pipeline that fails now leaves no figure of an earlier run, and two corpora
    never share a results.json. The pruned file is written at once, and the earlier
    run's ``report.md`` removed (each run writes its own as its pipelines finish).
    """
    path = out / "results.json"
    results = _load_results(path)
    (out / "report.md").unlink(missing_ok=True)
    kept, dropped = {}, []
    for key, entry in results.items():
        if (
            isinstance(entry, dict)
            and key not in keys
            and entry.get("corpus_source") in sources
            and (cv is None or entry.get("cv") == cv)
        ):
            kept[key] = entry
            continue
        dropped.append(key)
        for field in ("report", "markdown", "confusion_matrix_png", "scatter_png"):
            name = entry.get(field) if isinstance(entry, dict) else None
            # only the files the entry names, inside this folder
            if name and Path(name).name == name:
                (out / name).unlink(missing_ok=True)
    if dropped and verbose:
        print(
            f"note: {out} held earlier results; replacing {', '.join(dropped)}",
            file=sys.stderr,
        )
    if results:
        path.write_text(json.dumps(kept, indent=1))
    return kept


def _entry(report, *, corpus, wall):
    """The ``results.json`` entry of one report (its figures, ``corpus``, ``time``)."""
    from ._regression_report import RegressionReport

    report.meta.update(corpus=corpus, wall_time=wall, n_samples=len(report.y_true))
    d = report.to_dict()
    if isinstance(report, RegressionReport):
        entry = {k: v for k, v in d.items() if k not in ("predictions", "meta", "name")}
    else:
        entry = {k: d[k] for k in _RESULT_KEYS}
    entry.update(corpus=corpus, time=wall)
    return entry


def _write_report(report, out, key, entry):
    """The JSON, markdown and figure of one report, named in its ``entry``.

    A classification report gets its confusion matrix, a regression report its
    predicted-vs-true scatter.
    """
    from ._regression_report import RegressionReport

    report.to_json(out / f"{key}.json")
    (out / f"{key}.md").write_text(report.to_markdown())
    if isinstance(report, RegressionReport):
        report.plot_predictions(path=out / f"{key}.png")
        figure = "scatter_png"
    else:
        report.plot_confusion_matrix(path=out / f"{key}.png")
        figure = "confusion_matrix_png"
    entry.update(
        {"report": f"{key}.json", "markdown": f"{key}.md", figure: f"{key}.png"}
    )


def _run(items, files, jobs, *, out, results, kind, n_jobs, verbose, callback):
    """The loop of a benchmark: build -> warm the cache -> evaluate -> write.

    ``jobs`` are ``(suffix, corpus, source, extra, evaluate)``: each pipeline is
    evaluated by every job (``evaluate(estimator, name, description, adapts)``),
    its report written under ``<name><suffix>``, its entry completed with
    ``extra(report, source, extract_s)``; ``kind`` renders rows and the summary.
    A job's wall time counts the extraction of the run's files too.
    """
    result = Bunch(reports=[], entries={}, rows=[], table="", summary="", out=out)
    for name, description, adapts, make in items:
        estimator = make()
        if verbose:
            print(f"== {name}: {description}", file=sys.stderr)
        t_extract = time.perf_counter()
        _warm_cache(estimator, files, n_jobs=n_jobs, verbose=verbose)
        extract_s = time.perf_counter() - t_extract
        for suffix, corpus, source, extra, evaluate in jobs:
            t0 = time.perf_counter() - extract_s
            report = evaluate(estimator, name, description, adapts)
            wall = time.perf_counter() - t0
            key = f"{name}{suffix}"
            result.reports.append(report)
            entry = _entry(report, corpus=corpus, wall=wall)
            if out is not None:
                _write_report(report, out, key, entry)
            entry.update(extra(report, source, extract_s))
            result.entries[key] = entry
            result.rows.append(kind.row(name, adapts, report, entry, wall))
            result.table, result.summary = kind.summary(result.rows, result.reports)
            if out is not None:
                results[key] = entry
                (out / "results.json").write_text(json.dumps(results, indent=1))
                (out / "report.md").write_text(result.summary)
            if callback is not None:
                callback(result)
    return result


def _start(out, keys, *, sources, cv, verbose):
    if out is None:
        return {}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return _start_results(out, keys, sources=sources, cv=cv, verbose=verbose)


# ----------------------------------------------------------------- within one corpus
def _paired_section(reports, *, what=""):
    """Markdown: every system against the first, paired on the same utterances."""
    from ._regression_report import RegressionReport
    from ._report import markdown_table, paired_table

    if len(reports) < 2:
        return []
    if isinstance(reports[0], RegressionReport):
        how = (
            "Pooled CCC difference (system - reference) on the same utterances, its "
            "95% interval from a paired bootstrap over speakers and the bootstrap "
            "p-value; within noise when the interval holds zero."
        )
    else:
        how = (
            "UA difference (system - reference) on the same utterances, its 95% "
            "interval from a paired bootstrap over speakers, the bootstrap p-value "
            "and McNemar's exact p-value on the predictions; within noise when the "
            "interval holds zero."
        )
    return [
        f"## Paired comparisons{what}, against {reports[0].name}",
        "",
        how,
        "",
        markdown_table(paired_table(reports, as_text=True)),
        "",
    ]


def _folds_text(cv, n_folds):
    return (
        f"{n_folds} folds, one held-out speaker each"
        if cv == "loso"
        else f"{n_folds} folds of held-out speakers"
    )


def _legend(data, cv, n_folds):
    """What the classification table's figures mean: columns, chance, WA vs UA."""
    import pandas as pd

    from ._metrics import chance_levels

    labels, counts = np.unique(np.asarray(data.target), return_counts=True)
    chance = chance_levels(data.target)
    k = len(labels)
    lines = [
        "WA = accuracy; UA = unweighted (balanced) accuracy, the mean of the "
        f"per-class recalls. WA and UA are means over the {_folds_text(cv, n_folds)}; "
        "the pooled figures score all out-of-fold predictions together.",
        f"Chance level: UA {chance['UA']:.3f} (1/{k} classes, for any guess that "
        f"ignores the audio); WA {chance['WA']:.3f} (always answering the most "
        f"frequent class, {chance['majority']}).",
    ]
    if counts.min() == counts.max():
        per_speaker = pd.crosstab(np.asarray(data.groups), np.asarray(data.target))
        within = (per_speaker.to_numpy() == per_speaker.to_numpy()[:, :1]).all()
        lines.append(
            f"The {k} classes are balanced ({counts[0]} utterances each"
            + (", and within every speaker" if within else "")
            + "), so accuracy equals balanced accuracy: WA = UA by construction"
            + (", per fold and pooled." if within and cv == "loso" else " (pooled).")
        )
    else:
        lines.append(
            f"The classes are unbalanced ({counts.min()} to {counts.max()} "
            "utterances): UA weighs every class equally, WA every utterance."
        )
    lines.append(
        "wall time (s): the whole run of one pipeline on this machine, feature "
        "extraction (or reading the feature cache) and every fold's fit and "
        "predict. fit_predict_s in the per-fold table below: only the folds' fit "
        "and predict seconds, summed over folds."
    )
    lines.append(
        "UA pooled 95% CI: the interval of the pooled UA from a bootstrap over "
        "speakers (WA_ci and UA_ci in results.json)."
    )
    return lines


def _regression_legend(data, cv, n_folds):
    """What the regression table's figures mean, and what a blind guess scores."""
    from ._metrics import chance_levels

    y = np.asarray(data.target, dtype=float)
    target = str(data.target_names[0])
    chance = chance_levels(y)
    median, blind_mae = chance["median"], chance["MAE"]
    return [
        f"Target: {target}, continuous: {y.size} ratings from {y.min():g} to "
        f"{y.max():g} (mean {y.mean():.3f}, standard deviation {y.std():.3f}).",
        "CCC = Lin's concordance correlation coefficient (1: predictions equal the "
        "ratings; it falls with any shift or rescaling, unlike r); r = Pearson "
        "correlation; MAE = mean absolute error, in the rating's unit. CCC, r and "
        f"MAE are means over the {_folds_text(cv, n_folds)}; the pooled figures "
        "score all out-of-fold predictions together.",
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


class _WithinCorpus:
    """Rows and ``report.md`` of a run on one corpus (class labels or ratings)."""

    def __init__(self, corpus, data, cv, *, regression):
        from ._report import recall_table

        self.corpus, self.data, self.cv, self.regression = corpus, data, cv, regression
        n_folds = len(set(data.groups)) if cv == "loso" else cv
        if regression:
            self.header = REGRESSION_TABLE_HEADER
            self.title = f"{corpus} ({data.target_names[0]}, regression)"
            self.legend = _regression_legend(data, cv, n_folds)
            self.sections = []
        else:
            self.header = TABLE_HEADER
            self.title = corpus
            self.legend = _legend(data, cv, n_folds)
            self.sections = [("Per-class recall (pooled)", recall_table)]

    def row(self, name, adapts, report, e, wall):
        if self.regression:
            return (
                f"| {name} | {_fmt(e['CCC'])} | {_fmt(e['r'])} | "
                f"{_fmt(e['MAE'])} | {_fmt(e['CCC_pooled'])} | "
                f"{_fmt(e['r_pooled'])} | {_fmt(e['MAE_pooled'])} | {wall:.1f} | "
                f"{_ci_text(e['CCC_ci'])} |"
            )
        label = name + (" (adapts to test speaker)" if adapts else "")
        return (
            f"| {label} | {_fmt(e['WA'])} | {_fmt(e['UA'])} | "
            f"{_fmt(e['WA_pooled'])} | {_fmt(e['UA_pooled'])} | "
            f"{wall:.1f} | {_ci_text(e['UA_ci'])} |"
        )

    def summary(self, rows, reports):
        from ._report import compare_reports, markdown_table

        n_columns = self.header.count("|") - 1
        table = "\n".join([self.header, "|---" * n_columns + "|", *rows])
        data = self.data
        text = [
            f"# sklearn-ser benchmark: {self.title}",
            "",
            f"{len(data.filenames)} utterances, {len(set(data.groups))} speakers, "
            f"cv={self.cv}.",
            "",
            table,
            "",
            *[f"- {line}" for line in self.legend],
            "",
        ]
        if reports:
            text += [
                "## Per-fold mean and standard deviation",
                "",
                markdown_table(compare_reports(reports)),
                "",
            ]
            for title, make in self.sections:
                text += [f"## {title}", "", markdown_table(make(reports)), ""]
            text += _paired_section(reports)
        return table, "\n".join(text)


def run_benchmark(
    pipelines,
    data,
    *,
    cv="loso",
    out=None,
    corpus="corpus",
    source=None,
    extra_data=None,
    pipeline_params=None,
    n_jobs=None,
    verbose=0,
    callback=None,
):
    """Evaluate pipelines on one corpus, speaker-independently, and write the results.

    Each pipeline is built, its feature extractor (when it has a ``memory``) fills
    the cache with every file once, then :func:`~sklearn_ser.evaluation.evaluate`
    cross-validates it. Class labels give
    :class:`~sklearn_ser.evaluation.EvaluationReport` s (WA and UA), a float
    ``data.target`` (ratings) gives
    :class:`~sklearn_ser.evaluation.RegressionReport` s (CCC, r, MAE). This is
    ``sklearn-ser benchmark``'s loop.

    Parameters
    ----------
    pipelines : list of str or dict of str to estimator
        Names from :func:`sklearn_ser.pipelines.list_pipelines` (each built when its
        turn comes, with the ``pipeline_params`` its factory accepts), or
        ``{name: estimator}``.
    data : Bunch
        A corpus, as :func:`sklearn_ser.datasets.load_corpus` returns it:
        ``filenames``, ``target`` and ``groups`` (speakers); a float target also
        needs ``target_names`` (the rated column's name).
    cv : "loso" or int, default="loso"
        Leave-one-speaker-out, or that many folds of held-out speakers.
    out : str or path-like, default=None
        Folder to write to (created): per pipeline ``<name>.json``, ``<name>.md``
        and ``<name>.png`` (confusion matrix, or predicted-vs-true scatter),
        ``results.json`` (one entry per pipeline, written as each finishes) and
        ``report.md`` (the table, what its figures mean, per-fold, per-class and
        paired comparisons). An entry of an earlier run that scored another
        ``source`` or ``cv``, or a pipeline re-run now, is removed with its files,
        so a folder never mixes corpora. None: nothing is written.
    corpus : str, default="corpus"
        The corpus's name in the reports and ``report.md``.
    source : str, default=None
        What identifies the data in ``results.json`` (``corpus_source``), e.g. the
        absolute path of a manifest; None: ``corpus``.
    extra_data : dict of str to Bunch, default=None
        More labelled speech: ``{corpus name: data}`` of other corpora whose
        utterances on ``data``'s classes join every training fold and are never
        tested (:func:`~sklearn_ser.evaluation.extra_training_data`; class labels
        only). The figures remain those of ``data``'s held-out speakers; the
        legend, ``results.json`` (``extra_training_data``) and the source say what
        was added, so a folder never mixes runs with and without it.
    pipeline_params : dict, default=None
        Options given to each named pipeline's factory that accepts them
        (``memory``, ``random_state``, ``whisper_model``, ``neutral_data_home``...).
    n_jobs : int, default=None
        Processes for feature extraction and the folds.
    verbose : int, default=0
        Progress on stderr (which pipeline runs, extraction, folds).
    callback : callable, default=None
        Called as ``callback(result)`` after each pipeline is written, with the
        :class:`~sklearn.utils.Bunch` of the finished ones (as returned), e.g. to
        show what finished when a later pipeline fails.

    Returns
    -------
    result : Bunch
        ``reports`` (one per pipeline, in order), ``entries`` (their
        ``results.json`` entries, by name, with ``time``, the wall seconds of
        extraction and folds), ``table`` (the markdown summary table), ``legend``
        (lines saying what its figures mean), ``summary`` (the text of
        ``report.md``), ``rows`` and ``out``.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_corpus
    >>> from sklearn_ser.evaluation import run_benchmark
    >>> data = load_corpus("emovo")  # doctest: +SKIP
    >>> result = run_benchmark(
    ...     ["is10-svm"], data, corpus="emovo", out="results/emovo",
    ...     pipeline_params={"memory": "feature-cache"},
    ... )  # doctest: +SKIP
    >>> print(result.table)  # doctest: +SKIP
    """
    from .._task import target_task
    from ._evaluate import _resolve_cv, evaluate

    items = _pipelines(pipelines, pipeline_params)
    regression = target_task(data.target) == "regression"
    y = data.target
    if regression:
        import pandas as pd

        y = pd.Series(np.asarray(y, dtype=float), name=str(data.target_names[0]))
    source = corpus if source is None else source
    extra_fit, added = {}, {}
    if extra_data:
        if regression:
            raise ValueError(
                "extra_data is for class labels: ratings of different corpora are "
                "not on one scale."
            )
        from ._cross_corpus import extra_training_data

        more = extra_training_data(extra_data, np.unique(np.asarray(y)))
        extra_fit = {"X_extra": more.X, "y_extra": more.y, "groups_extra": more.groups}
        added = {name: int((more.corpus == name).sum()) for name in extra_data}
        source = f"{source} + {'+'.join(sorted(added))} (labelled, training only)"
    out = None if out is None else Path(out)
    cv_text = _resolve_cv(cv, data.groups)[1]
    results = _start(
        out, [n for n, *_ in items], sources={source}, cv=cv_text, verbose=verbose
    )
    kind = _WithinCorpus(corpus, data, cv, regression=regression)
    if added:
        counts = ", ".join(f"{n} utterances of {c}" for c, n in added.items())
        kind.legend.append(
            f"Every training fold also holds {counts}, on {corpus}'s classes "
            "(training only: never tested, never scored)."
        )

    def run(estimator, name, description, adapts):
        return evaluate(
            estimator,
            data.filenames,
            y,
            data.groups,
            cv=cv,
            n_jobs=n_jobs,
            verbose=1 if verbose else 0,
            name=name,
            description=description,
            adapts_to_test_speaker=adapts,
            # a manifest's unlabeled rows train only what learns from them
            unlabeled="fit" if learns_from_unlabeled(estimator) else "drop",
            **extra_fit,
        )

    def extra(report, source, extract_s):
        entry = {"corpus_source": source}
        if added:
            entry["extra_training_data"] = added
        return entry

    jobs = [("", corpus, source, extra, run)]
    files = data.filenames
    if extra_fit:
        files = np.concatenate(
            [np.asarray(files, dtype=object), np.asarray(extra_fit["X_extra"], object)]
        )
    result = _run(
        items,
        files,
        jobs,
        out=out,
        results=results,
        kind=kind,
        n_jobs=n_jobs,
        verbose=verbose,
        callback=callback,
    )
    result.legend = kind.legend
    return result


# ----------------------------------------------------------------------- cross-corpus
def _chance(report):
    """The chance level of a cross-corpus test set, in words."""
    from ._metrics import chance_levels

    chance = chance_levels(report.y_true)
    return (
        f"chance level UA {chance['UA']:.3f} (1/{chance['n_classes']} classes), WA "
        f"{chance['WA']:.3f} (always {chance['majority']}, the test corpus's most "
        "frequent class)"
    )


def _pair(train, test):
    return f"{'+'.join(train)} -> {test}"


class _CrossCorpus:
    """Rows and ``report.md`` of a cross-corpus run."""

    def __init__(self, std):
        self.std = std

    def row(self, name, adapts, report, e, wall):
        label = (
            name
            + (" (adapts to test corpus)" if self.std else "")
            + (" (adapts to test speaker)" if adapts else "")
        )
        return (
            f"| {label} | {e['corpus']} | {len(report.labels)} | "
            f"{_fmt(e['WA_pooled'])} | {_fmt(e['UA_pooled'])} | "
            f"{_ci_text(e['WA_ci'])} | {_ci_text(e['UA_ci'])} | "
            f"{wall:.1f} |"
        )

    def summary(self, rows, reports):
        table = "\n".join(
            [CROSS_TABLE_HEADER, "|---|---|---|---|---|---|---|---|", *rows]
        )
        lines = [
            "# sklearn-ser cross-corpus benchmark",
            "",
            "Trained on the training corpora, scored on the test corpus, on the "
            "classes both sides share only. WA = accuracy, UA = balanced accuracy "
            "over the test corpus; 95% intervals from a bootstrap over the test "
            "corpus's speakers."
            + (
                " Per-corpus standardisation: each corpus standardised with its own "
                "feature statistics, so the figures adapt to the test corpus."
                if self.std
                else ""
            )
            + " Chance level: UA 1/k for k shared classes, WA the share of the test "
            "corpus's most frequent class (listed under each pair below)."
            " wall time (s): extracting the features of every corpus of the run (or "
            "reading them from the feature cache; once per pipeline, counted in each "
            "pair), fitting on the training corpora and predicting the test corpus.",
            "",
            table,
            "",
        ]
        for pair, group in _by_pair(reports).items():
            cross = group[0].meta["cross_corpus"]
            dropped = "; ".join(
                f"{c}: {', '.join(v)}" for c, v in cross["dropped"].items() if v
            )
            lines += [
                f"## {pair}",
                "",
                f"Classes trained and scored: {', '.join(cross['classes'])}. "
                f"{_chance(group[0]).capitalize()}."
                + (f" Left out: {dropped}." if dropped else ""),
                "",
                *_paired_section(group, what=f" ({pair})"),
            ]
        return table, "\n".join(lines)


def _by_pair(reports):
    """Cross-corpus reports grouped by ``train -> test`` pair, in order."""
    by_pair = {}
    for report in reports:
        by_pair.setdefault(report.meta["corpus"], []).append(report)
    return by_pair


def run_cross_corpus_benchmark(
    pipelines,
    corpora,
    plan,
    *,
    per_corpus_standardization=False,
    out=None,
    sources=None,
    pipeline_params=None,
    n_jobs=None,
    verbose=0,
    callback=None,
):
    """Train on some corpora, test on another, for each pipeline; write the results.

    Each pipeline is built, its feature extractor fills the cache with the files of
    every corpus of the run once, then
    :func:`~sklearn_ser.evaluation.evaluate_cross_corpus` scores each
    ``(train, test)`` pair of ``plan`` on the classes both sides share. This is
    ``sklearn-ser benchmark --train/--test`` and ``--leave-one-corpus-out``.

    Parameters
    ----------
    pipelines : list of str or dict of str to estimator
        As in :func:`run_benchmark`.
    corpora : dict of str to Bunch
        Every corpus of the run by name (``filenames``, ``target``, ``groups``).
    plan : list of (list of str, str)
        ``(training corpora, test corpus)`` pairs, by name.
    per_corpus_standardization : bool, default=False
        Standardise each corpus with its own statistics (adapts to the test
        corpus); the reports' keys end in ``__corpus-std``.
    out : str or path-like, default=None
        Folder to write to: per pipeline and pair ``<name>__<train>-to-<test>``
        ``.json``, ``.md`` and ``.png``, ``results.json`` and ``report.md``, as in
        :func:`run_benchmark`. None: nothing is written.
    sources : dict of str to str, default=None
        What identifies each corpus in ``results.json`` (an earlier run's entries
        of other sources are removed); None: the corpus names.
    pipeline_params : dict, default=None
        Options given to each named pipeline's factory that accepts them, as in
        :func:`run_benchmark`.
    n_jobs : int, default=None
        Processes for feature extraction and fitting.
    verbose : int, default=0
        Progress on stderr.
    callback : callable, default=None
        Called as ``callback(result)`` after each pair of each pipeline is written,
        with the results so far.

    Returns
    -------
    result : Bunch
        ``reports`` (pipeline by pipeline, pair by pair), ``by_pair`` (the reports
        of each ``"train -> test"`` pair), ``entries``, ``table``, ``summary``,
        ``rows`` and ``out``.
    """
    from ._cross_corpus import evaluate_cross_corpus

    items = _pipelines(pipelines, pipeline_params)
    sources = {c: c for c in corpora} if sources is None else sources
    std = per_corpus_standardization
    suffix = "__corpus-std" if std else ""
    out = None if out is None else Path(out)
    keys = [
        f"{name}__{'+'.join(train)}-to-{test}{suffix}"
        for name, *_ in items
        for train, test in plan
    ]
    pair_sources = [
        _pair([sources[c] for c in train], sources[test]) for train, test in plan
    ]
    results = _start(out, keys, sources=set(pair_sources), cv=None, verbose=verbose)

    def job(train, test, source):
        def run(estimator, name, description, adapts):
            return evaluate_cross_corpus(
                estimator,
                {c: corpora[c] for c in train},
                {test: corpora[test]},
                per_corpus_standardization=std,
                name=name,
                description=description,
                adapts_to_test_speaker=adapts,
                n_jobs=n_jobs,
                verbose=1 if verbose else 0,
            )

        def extra(report, source, extract_s):
            return {
                "cross_corpus": report.meta["cross_corpus"],
                "corpus_source": source,
                "extraction_time": extract_s,
            }

        suffix_key = f"__{'+'.join(train)}-to-{test}{suffix}"
        return (suffix_key, _pair(train, test), source, extra, run)

    jobs = [
        job(train, test, source) for (train, test), source in zip(plan, pair_sources)
    ]
    files = np.concatenate([corpora[c].filenames for c in corpora])
    result = _run(
        items,
        files,
        jobs,
        out=out,
        results=results,
        kind=_CrossCorpus(std),
        n_jobs=n_jobs,
        verbose=verbose,
        callback=callback,
    )
    result.by_pair = _by_pair(result.reports)
    return result
