"""The evaluation report: figures, tables, JSON round trip and confusion-matrix plot."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ._metrics import _recalls, labeled_mask
from ._stats import DEFAULT_LEVEL, DEFAULT_N_BOOT, paired_comparison, speaker_bootstrap

__all__ = [
    "EvaluationReport",
    "compare_reports",
    "load_report",
    "paired_table",
    "recall_table",
]

_FORMAT_VERSION = 1
ADAPTS_NOTE = (
    "adapts to the test speaker: features are standardised with statistics of each "
    "test speaker's own (unlabeled) features"
)
ADAPTS_CORPUS_NOTE = (
    "adapts to the test corpus: features are standardised per corpus, the test "
    "corpus with statistics of its own (unlabeled) features"
)


def _py(values):
    """numpy -> plain Python (lists of str/int/float) for JSON."""
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return [None if not np.isfinite(v) else float(v) for v in arr.ravel()]
    return arr.tolist()


def _float(v):
    v = float(v)
    return v if np.isfinite(v) else None


def _fmt(v, floatfmt):
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, (float, np.floating)):
        return "" if np.isnan(v) else format(v, floatfmt)
    return str(v)


def _folds_frame(folds, scores):
    """The per-fold table of a report: ``scores`` between the sizes and the times."""
    frame = pd.DataFrame(folds).set_index("fold")
    frame["test_groups"] = [", ".join(map(str, g)) for g in frame.test_groups]
    cols = ["test_groups", "n_train", "n_test", *scores, "fit_time", "predict_time"]
    if "best_params" in frame:  # tuned inside each fold: what was chosen
        frame["best_params"] = [
            ", ".join(f"{k}={v}" for k, v in p.items()) if isinstance(p, dict) else ""
            for p in frame.best_params
        ]
        cols.append("best_params")
    return frame[cols]


def _predictions_frame(report):
    """One row per out-of-fold prediction: index, fold, sample, group, truth, guess."""
    data = {"index": report.index, "fold": report.fold}
    if report.sample_ids is not None:
        data["sample"] = report.sample_ids
    if report.groups is not None:
        data["group"] = report.groups
    data.update(y_true=report.y_true, y_pred=report.y_pred)
    return pd.DataFrame(data)


def _markdown_intro(report, title):
    """A report's markdown title, description and adaptation note."""
    out = [title, ""]
    if report.description:
        out += [report.description, ""]
    if report.adapts_to_test_speaker:
        out += [f"**Note: {ADAPTS_NOTE}.**", ""]
    return out


def _ci_sentence(ci):
    """What a report's intervals are, for its markdown."""
    if ci is None:
        return "No speaker groups: no confidence interval."
    return (
        f"Intervals: {100 * ci['level']:.0f}% bootstrap over the "
        f"{ci['n_speakers']} test speakers ({ci['n_boot']} draws) of the pooled "
        "figures."
    )


def _folds_to_dict(folds, floats):
    """JSON-ready fold records: ``floats`` as floats (None for NaN)."""
    out = []
    for f in folds:
        f = dict(f)
        f["test_groups"] = _py(f["test_groups"])
        for key in (*floats, "fit_time", "predict_time"):
            f[key] = _float(f[key])
        out.append(f)
    return out


def _predictions_to_dict(report):
    """The per-sample arrays every report writes under ``"predictions"``."""
    return {
        "index": _py(report.index),
        "fold": _py(report.fold),
        "y_true": _py(report.y_true),
        "y_pred": _py(report.y_pred),
        "group": _py(report.groups),
        "sample": _py(report.sample_ids),
    }


def _write_json(data, path, indent):
    """:func:`dumps_report` of ``data``, written to ``path`` when given."""
    text = dumps_report(data, indent=indent)
    if path is not None:
        Path(path).write_text(text)
    return text


def _check_format_version(data):
    if data.get("format_version") != _FORMAT_VERSION:
        raise ValueError(
            f"Unsupported report format_version {data.get('format_version')!r}."
        )


def _folds_from_dict(folds, *, required=(), optional=()):
    """Fold records read back from JSON: the times' None back to NaN."""
    return [
        {k: f[k] for k in required}
        | {k: f[k] for k in optional if k in f}
        | {k: np.nan if f[k] is None else f[k] for k in ("fit_time", "predict_time")}
        for f in folds
    ]


def _read_json(source):
    """The JSON document ``source``, or the one in the file it names."""
    text = str(source)
    if not text.lstrip().startswith("{"):
        text = Path(source).read_text()
    return json.loads(text)


def _fold_stat(folds, key, stat):
    """``stat`` (``"mean"``, ``"std"``) of the folds' finite ``key``; NaN if none."""
    v = np.array([f[key] for f in folds], dtype=float)
    v = v[np.isfinite(v)]
    return float(getattr(v, stat)()) if v.size else float("nan")


def _fold_total(folds, key):
    """The folds' ``key`` (``"fit_time"``, ``"predict_time"``) summed."""
    return float(np.sum(np.array([f[key] for f in folds], dtype=float)))


def _bootstrap_once(report, bootstrap, *, n_boot, level, random_state, **options):
    """``bootstrap`` (a speaker bootstrap) of the report's predictions, computed
    once per ``n_boot``, ``level`` and ``random_state`` and kept on the report."""
    key = (int(n_boot), float(level), random_state)
    if key not in report._intervals:
        report._intervals[key] = bootstrap(
            report.y_true,
            report.y_pred,
            report.groups,
            n_boot=n_boot,
            level=level,
            random_state=random_state,
            **options,
        )
    return report._intervals[key]


def _paired_frame(reports, reference, compare, *, score, columns, level, as_text):
    """Each system against the reference, a row per system: see :func:`paired_table`.

    ``compare(ref, rep)`` is the paired comparison; the row holds its ``score``
    difference and interval, then ``columns`` (p-values are those named ``p_*``),
    then whether the difference is within noise (the interval holds zero).
    """
    reference = _reference_index(reports, reference)
    ref = reports[reference]
    rows = {}
    for k, rep in enumerate(reports):
        if k == reference:
            continue
        c = compare(ref, rep)
        lo, hi = c[f"{score}_diff_ci"]
        rows[f"{_system_name(rep)} vs {_system_name(ref)}"] = {
            f"{score}_diff": c[f"{score}_diff"],
            f"{score}_diff_{100 * level:.0f}ci": f"[{lo:+.3f}, {hi:+.3f}]",
            **{col: c[col] for col in columns},
            "within_noise": bool(lo <= 0.0 <= hi),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "comparison"
    if as_text:
        for col in columns:
            if col.startswith("p_"):
                frame[col] = [f"{v:.3g}" for v in frame[col]]
        frame["within_noise"] = ["yes" if v else "no" for v in frame["within_noise"]]
    return frame


def _reference_index(reports, reference):
    """The position of the reference system, given as a position or a name."""
    if isinstance(reference, str):
        names = [r.name for r in reports]
        if reference not in names:
            raise ValueError(
                f"reference {reference!r} is none of the systems: {names}."
            )
        return names.index(reference)
    return reference


def markdown_table(frame, *, floatfmt=".3f", index=True):
    """Render a DataFrame as a GitHub-flavoured markdown table (no dependency).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    floatfmt : str, default=".3f"
        Format spec of float cells; NaN renders empty.
    index : bool, default=True
        Whether to write the index as the first column.

    Returns
    -------
    text : str

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"WA": [0.5]}, index=["svm"])))
    |     | WA    |
    |-----|-------|
    | svm | 0.500 |
    """
    header = ([frame.index.name or ""] if index else []) + [str(c) for c in frame]
    rows = []
    for key, *values in frame.itertuples(name=None):
        cells = [_fmt(v, floatfmt) for v in values]
        rows.append(([str(key)] if index else []) + cells)
    widths = [
        max([len(header[j])] + [len(r[j]) for r in rows] + [3])
        for j in range(len(header))
    ]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


class EvaluationReport:
    """Out-of-fold predictions of a cross-validated estimator, and their figures.

    Built by :func:`sklearn_ser.evaluation.evaluate`; reloaded with
    :meth:`from_json`. Every figure is computed from the stored predictions, so a
    reloaded report gives the same numbers.

    Two kinds of figures:

    - **per fold** (``folds``, ``WA``/``UA`` = their mean, ``WA_std``/``UA_std``):
      each test fold scored on its own. In leave-one-speaker-out a fold is one speaker,
      and a fold that lacks some emotions (or holds a single one) has a UA over fewer
      classes: noisy, and no warning is raised for it.
    - **pooled** (``WA_pooled``/``UA_pooled``, the confusion matrix, per-class
      recall): all out-of-fold predictions scored together. These are the robust
      figures; prefer them when folds are small or unbalanced.

    Unlabeled samples (``y == -1``) are predicted but never scored.

    Parameters
    ----------
    name : str
        The system's name (a row label in comparison tables).
    labels : array-like
        The classes, in the order used by the confusion matrix and recall table.
    index, fold, y_true, y_pred : array-like of shape (n_predictions,)
        For each out-of-fold prediction: the sample's index in ``X``, its fold
        number, its true label (``-1`` = unlabeled) and the prediction.
    folds : list of dict
        One record per fold: ``fold``, ``test_groups``, ``n_train``, ``n_test``,
        ``n_test_labeled``, ``fit_time``, ``predict_time`` (seconds) and, when the
        estimator is a search tuned inside the fold, ``best_params``.
    groups : array-like of shape (n_predictions,), default=None
        Speaker (group) of each prediction.
    sample_ids : array-like of shape (n_predictions,), default=None
        A name per prediction (e.g. the audio path).
    proba : ndarray of shape (n_predictions, n_proba_classes), default=None
        Class probabilities when the estimator has ``predict_proba``.
    proba_classes : array-like, default=None
        The columns of ``proba``.
    description : str, default=""
        What the system is.
    cv : str, default=""
        How it was cross-validated.
    adapts_to_test_speaker : bool, default=False
        Labels the figures as using statistics of the test speaker.
    adapts_to_test_corpus : bool, default=False
        Labels the figures as using statistics of the test corpus (cross-corpus
        evaluation with per-corpus standardisation).
    meta : dict, default=None
        Anything else worth keeping (JSON-serialisable).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC
    >>> from sklearn_ser.evaluation import evaluate
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile([0, 1, 2], 20)
    >>> X = rng.normal(size=(60, 4)) + 5 * y[:, None]
    >>> groups = np.repeat(["s1", "s2", "s3", "s4"], 15)
    >>> report = evaluate(SVC(), X, y, groups, name="svm")
    >>> report.n_folds, report.WA_pooled, report.UA
    (4, 1.0, 1.0)
    >>> report.to_frame().columns.tolist()[:4]
    ['test_groups', 'n_train', 'n_test', 'n_test_labeled']
    """

    #: What the report scores (a :class:`RegressionReport` says "regression").
    task = "classification"

    def __init__(
        self,
        *,
        name,
        labels,
        index,
        fold,
        y_true,
        y_pred,
        folds,
        groups=None,
        sample_ids=None,
        proba=None,
        proba_classes=None,
        description="",
        cv="",
        adapts_to_test_speaker=False,
        adapts_to_test_corpus=False,
        meta=None,
    ):
        self.name = str(name)
        self.labels = np.asarray(labels)
        self.index = np.asarray(index, dtype=np.int64)
        self.fold = np.asarray(fold, dtype=np.int64)
        self.y_true = np.asarray(y_true)
        self.y_pred = np.asarray(y_pred)
        self.folds = [dict(f) for f in folds]
        self.groups = None if groups is None else np.asarray(groups)
        self.sample_ids = None if sample_ids is None else np.asarray(sample_ids)
        self.proba = None if proba is None else np.asarray(proba, dtype=float)
        self.proba_classes = (
            None if proba_classes is None else np.asarray(proba_classes)
        )
        self.description = str(description)
        self.cv = str(cv)
        self.adapts_to_test_speaker = bool(adapts_to_test_speaker)
        self.adapts_to_test_corpus = bool(adapts_to_test_corpus)
        self.meta = dict(meta or {})
        self._intervals = {}
        self._score_folds()

    # ------------------------------------------------------------------ figures
    def _score_folds(self):
        for f in self.folds:
            sel = (self.fold == f["fold"]) & labeled_mask(self.y_true)
            yt, yp = self.y_true[sel], self.y_pred[sel]
            f["n_test_labeled"] = int(sel.sum())
            if sel.any():
                f["WA"] = float(np.mean(yt == yp))
                f["UA"] = float(_recalls(yt, yp)[1].mean())
            else:
                f["WA"] = f["UA"] = float("nan")

    @property
    def n_folds(self):
        """Number of folds."""
        return len(self.folds)

    def _mean(self, key):
        return _fold_stat(self.folds, key, "mean")

    def _std(self, key):
        return _fold_stat(self.folds, key, "std")

    @property
    def WA(self):
        """Mean over folds of the per-fold accuracy."""
        return self._mean("WA")

    @property
    def UA(self):
        """Mean over folds of the per-fold balanced accuracy."""
        return self._mean("UA")

    @property
    def WA_std(self):
        """Standard deviation over folds of the per-fold accuracy."""
        return self._std("WA")

    @property
    def UA_std(self):
        """Standard deviation over folds of the per-fold balanced accuracy."""
        return self._std("UA")

    @property
    def _scored(self):
        return labeled_mask(self.y_true)

    @property
    def WA_pooled(self):
        """Accuracy over all labeled out-of-fold predictions."""
        m = self._scored
        return float(np.mean(self.y_true[m] == self.y_pred[m])) if m.any() else np.nan

    @property
    def UA_pooled(self):
        """Mean per-class recall over all labeled out-of-fold predictions."""
        r = self.per_class_recall().to_numpy()
        r = r[np.isfinite(r)]
        return float(r.mean()) if r.size else float("nan")

    def confidence_intervals(
        self, *, n_boot=DEFAULT_N_BOOT, level=DEFAULT_LEVEL, random_state=0
    ):
        """Intervals of the pooled WA and UA from a bootstrap over speakers.

        Speakers, not utterances, are the independent unit: see
        :func:`sklearn_ser.evaluation.speaker_bootstrap`. The draws are seeded, so
        the same report always gives the same intervals.

        Parameters
        ----------
        n_boot : int, default=1000
            Bootstrap replicates.
        level : float, default=0.95
            Coverage.
        random_state : int, default=0
            Seeds the draws.

        Returns
        -------
        intervals : dict or None
            ``{"WA": (low, high), "UA": (low, high), "n_speakers", "level",
            "n_boot"}``; None when the report has no speaker groups.
        """
        if self.groups is None or not self._scored.any():
            return None
        return _bootstrap_once(
            self,
            speaker_bootstrap,
            labels=self.labels,
            n_boot=n_boot,
            level=level,
            random_state=random_state,
        )

    @property
    def fit_time(self):
        """Total fit time over folds, in seconds."""
        return _fold_total(self.folds, "fit_time")

    @property
    def predict_time(self):
        """Total predict time over folds, in seconds."""
        return _fold_total(self.folds, "predict_time")

    def confusion_matrix(self, normalize=None):
        """Pooled confusion matrix, rows = true class, columns = predicted class.

        Parameters
        ----------
        normalize : {None, "true"}, default=None
            ``None`` gives counts; ``"true"`` divides each row by its total (the
            diagonal is then the per-class recall).

        Returns
        -------
        cm : pandas.DataFrame
            Indexed and labelled by :attr:`labels`.
        """
        if normalize not in (None, "true"):
            raise ValueError(f"normalize must be None or 'true', got {normalize!r}.")
        m = self._scored
        pos = {c: i for i, c in enumerate(self.labels.tolist())}
        k = len(pos)
        cm = np.zeros((k, k), dtype=np.int64)
        for t, p in zip(self.y_true[m].tolist(), self.y_pred[m].tolist()):
            if t in pos and p in pos:
                cm[pos[t], pos[p]] += 1
        frame = pd.DataFrame(cm, index=self.labels, columns=self.labels)
        frame.index.name, frame.columns.name = "true", "predicted"
        if normalize == "true":
            totals = cm.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                frame = frame.astype(float) / np.where(totals == 0, np.nan, totals)
        return frame

    def per_class_recall(self):
        """Pooled recall of each class (the diagonal of the row-normalised matrix).

        Returns
        -------
        recall : pandas.Series
            Indexed by :attr:`labels`, named after the system.
        """
        cm = self.confusion_matrix(normalize="true").to_numpy()
        return pd.Series(np.diag(cm), index=self.labels, name=self.name)

    def summary(self):
        """The headline figures as a dict (what ``results.json`` holds per system).

        ``WA_ci`` and ``UA_ci`` are the 95% intervals of the pooled figures from
        :meth:`confidence_intervals` (None without speaker groups).
        """
        ci = self.confidence_intervals()
        return {
            "WA": _float(self.WA),
            "UA": _float(self.UA),
            "WA_std": _float(self.WA_std),
            "UA_std": _float(self.UA_std),
            "WA_pooled": _float(self.WA_pooled),
            "UA_pooled": _float(self.UA_pooled),
            "WA_ci": None if ci is None else [_float(v) for v in ci["WA"]],
            "UA_ci": None if ci is None else [_float(v) for v in ci["UA"]],
            "n_folds": self.n_folds,
            "n_scored": int(self._scored.sum()),
            "fit_time": self.fit_time,
            "predict_time": self.predict_time,
            "adapts_to_test_speaker": self.adapts_to_test_speaker,
            "adapts_to_test_corpus": self.adapts_to_test_corpus,
        }

    # ------------------------------------------------------------------- tables
    def to_frame(self, kind="folds"):
        """The report as a DataFrame.

        Parameters
        ----------
        kind : {"folds", "summary", "recall", "confusion", "predictions"}
            ``"folds"``: one row per fold. ``"summary"``: one row, the headline
            figures. ``"recall"``: one row, per-class recall (:func:`recall_table`).
            ``"confusion"``: the pooled confusion counts. ``"predictions"``: one row
            per out-of-fold prediction (with probabilities when available).

        Returns
        -------
        frame : pandas.DataFrame
        """
        if kind == "folds":
            return _folds_frame(self.folds, ["n_test_labeled", "WA", "UA"])
        if kind == "summary":
            return pd.DataFrame([self.summary()], index=pd.Index([self.name]))
        if kind == "recall":
            return recall_table([self])
        if kind == "confusion":
            return self.confusion_matrix()
        if kind == "predictions":
            frame = _predictions_frame(self)
            if self.proba is not None:
                for j, c in enumerate(self.proba_classes.tolist()):
                    frame[f"proba_{c}"] = self.proba[:, j]
            return frame
        raise ValueError(
            "kind must be one of 'folds', 'summary', 'recall', 'confusion', "
            f"'predictions'; got {kind!r}."
        )

    def to_markdown(self):
        """A markdown report: headline figures, per-fold table, recall, confusion.

        Returns
        -------
        text : str
        """
        s = self.summary()
        out = _markdown_intro(self, f"# {self.name}")
        if self.adapts_to_test_corpus:
            out += [f"**Note: {ADAPTS_CORPUS_NOTE}.**", ""]
        cross = self.meta.get("cross_corpus")
        if cross:
            out += [_cross_corpus_text(cross), ""]
        ci_text = _ci_sentence(self.confidence_intervals())
        out += [
            f"Cross-validation: {self.cv or 'custom'}, {self.n_folds} folds, "
            f"{s['n_scored']} scored predictions. WA = accuracy, UA = balanced "
            "accuracy (mean per-class recall). Pooled figures score all out-of-fold "
            "predictions together and are the robust ones; per-fold figures are "
            f"averaged over folds. {ci_text}",
            "",
            "## Summary",
            "",
            markdown_table(compare_reports([self])),
            "",
            "## Folds",
            "",
            markdown_table(self.to_frame("folds"), floatfmt=".3f"),
            "",
            "## Per-class recall (pooled)",
            "",
            markdown_table(recall_table([self])),
            "",
            "## Confusion matrix (pooled counts; rows true, columns predicted)",
            "",
            markdown_table(self.confusion_matrix()),
            "",
        ]
        return "\n".join(out)

    # --------------------------------------------------------------------- JSON
    def to_dict(self, *, decimals=None):
        """Everything in the report as JSON-ready Python objects.

        Parameters
        ----------
        decimals : int, default=None
            Round the probabilities to this many decimals (the figures come from
            ``y_pred``, which is kept as it is); None: full precision.
        """
        recall = self.per_class_recall()
        return {
            "format_version": _FORMAT_VERSION,
            "task": self.task,
            "name": self.name,
            "description": self.description,
            "cv": self.cv,
            **self.summary(),
            "labels": _py(self.labels),
            "per_class_recall": dict(zip(map(str, recall.index), _py(recall))),
            "confusion_matrix": self.confusion_matrix().to_numpy().tolist(),
            "folds": _folds_to_dict(self.folds, ("WA", "UA")),
            "predictions": {
                **_predictions_to_dict(self),
                "proba": None if self.proba is None else _rounded(self.proba, decimals),
                "proba_classes": _py(self.proba_classes),
            },
            "meta": self.meta,
        }

    def to_json(self, path=None, *, indent=1, decimals=None):
        """Serialise to JSON; write to ``path`` when given.

        The figures are indented; the per-sample arrays (``"predictions"``) take
        one line each, so a report of a few thousand utterances stays small.

        Parameters
        ----------
        path : str or Path, default=None
        indent : int, default=1
        decimals : int, default=None
            Round the probabilities to this many decimals (see :meth:`to_dict`).

        Returns
        -------
        text : str
            The JSON document.
        """
        return _write_json(self.to_dict(decimals=decimals), path, indent)

    @classmethod
    def from_dict(cls, data):
        """Rebuild a report from :meth:`to_dict` output."""
        _check_format_version(data)
        if data.get("task", cls.task) != cls.task:
            raise ValueError(
                f"report {data.get('name')!r} is a {data['task']} report; read it "
                "with load_report."
            )
        p = data["predictions"]
        folds = _folds_from_dict(
            data["folds"],
            required=("fold", "test_groups", "n_train", "n_test"),
            optional=("n_extra", "n_transductive", "best_params"),
        )
        return cls(
            name=data["name"],
            labels=data["labels"],
            index=p["index"],
            fold=p["fold"],
            y_true=p["y_true"],
            y_pred=p["y_pred"],
            folds=folds,
            groups=p["group"],
            sample_ids=p["sample"],
            proba=p["proba"],
            proba_classes=p["proba_classes"],
            description=data.get("description", ""),
            cv=data.get("cv", ""),
            adapts_to_test_speaker=data.get("adapts_to_test_speaker", False),
            adapts_to_test_corpus=data.get("adapts_to_test_corpus", False),
            meta=data.get("meta"),
        )

    @classmethod
    def from_json(cls, source):
        """Load a report written by :meth:`to_json`.

        Parameters
        ----------
        source : str or path-like
            A JSON document, or the path of a file holding one.
        """
        return cls.from_dict(_read_json(source))

    # --------------------------------------------------------------------- plot
    def plot_confusion_matrix(self, *, ax=None, path=None, cmap="Blues", dpi=150):
        """Plot the pooled confusion matrix: colour = row %, text = count and %.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when None (no pyplot, so it works
            under any backend, headless included).
        path : str or path-like, default=None
            Write a PNG (or any format matplotlib infers from the suffix) here.
        cmap : str, default="Blues"
            Colour map.
        dpi : int, default=150
            Resolution of the written image.

        Returns
        -------
        fig : matplotlib.figure.Figure
        """
        from matplotlib.figure import Figure

        counts = self.confusion_matrix().to_numpy()
        rates = self.confusion_matrix(normalize="true").to_numpy()
        k = len(self.labels)
        if ax is None:
            size = max(4.5, 0.8 * k + 2.5)
            fig = Figure(figsize=(size + 1.0, size), layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        img = ax.imshow(np.nan_to_num(rates), cmap=cmap, vmin=0.0, vmax=1.0)
        fig.colorbar(img, ax=ax, fraction=0.046, pad=0.04, label="row fraction")
        names = [str(c) for c in self.labels.tolist()]
        ax.set_xticks(range(k), names, rotation=45, ha="right")
        ax.set_yticks(range(k), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        fs = 9 if k <= 8 else 7
        for i in range(k):
            for j in range(k):
                r = rates[i, j]
                pct = "" if np.isnan(r) else f"\n{100 * r:.0f}%"
                ax.text(
                    j,
                    i,
                    f"{counts[i, j]}{pct}",
                    ha="center",
                    va="center",
                    fontsize=fs,
                    color="white" if (not np.isnan(r) and r > 0.55) else "black",
                )
        title = (
            f"{self.name}\nWA {self.WA_pooled:.3f} · UA {self.UA_pooled:.3f} "
            f"(pooled, {self.n_folds} folds)"
        )
        if self.adapts_to_test_speaker:
            title += "\nadapts to the test speaker"
        if self.adapts_to_test_corpus:
            title += "\nadapts to the test corpus"
        ax.set_title(title, fontsize=10)
        if path is not None:
            fig.savefig(path, dpi=dpi)
        return fig


def _rounded(proba, decimals):
    return (proba if decimals is None else np.round(proba, decimals)).tolist()


def dumps_report(data, *, indent=1):
    """A report's ``to_dict()`` as JSON text: the per-sample arrays one line each.

    Everything else is indented as ``json.dumps(data, indent=indent)`` lays it
    out; each array of ``data["predictions"]`` is written on one line.
    """
    predictions = data.get("predictions")
    if not predictions or indent is None:
        return json.dumps(data, indent=indent)
    marks = {f"@@{key}@@": value for key, value in predictions.items()}
    text = json.dumps(
        dict(data, predictions={k: f"@@{k}@@" for k in predictions}), indent=indent
    )
    for mark, value in marks.items():
        text = text.replace(json.dumps(mark), json.dumps(value, separators=(",", ":")))
    return text


def load_report(source):
    """Load a report written by ``to_json`` (a path or text), of either task.

    Returns
    -------
    report : EvaluationReport or RegressionReport
        As its ``"task"`` says (reports written before regression existed are
        classification reports).
    """
    data = _read_json(source)
    if data.get("task") == "regression":
        from ._regression_report import RegressionReport

        return RegressionReport.from_dict(data)
    return EvaluationReport.from_dict(data)


def _system_name(report):
    return (
        report.name
        + " (adapts to test speaker)" * report.adapts_to_test_speaker
        + " (adapts to test corpus)" * report.adapts_to_test_corpus
    )


def _cross_corpus_text(cross):
    dropped = "; ".join(
        f"{corpus}: {', '.join(map(str, labels))}"
        for corpus, labels in cross.get("dropped", {}).items()
        if labels
    )
    return (
        f"Cross-corpus: trained on {', '.join(cross['train'])}, tested on "
        f"{', '.join(cross['test'])}. Only the classes both sides share are trained "
        f"and scored: {', '.join(map(str, cross['classes']))}."
        + (f" Left out: {dropped}." if dropped else "")
    )


def _regression(reports, what):
    """Whether ``reports`` are regression reports; mixing the tasks is an error."""
    tasks = {getattr(r, "task", "classification") for r in reports}
    if len(tasks) > 1:
        raise ValueError(
            f"{what} got classification and regression reports together; compare "
            "each task's reports separately."
        )
    return tasks == {"regression"}


def _interval_text(ci):
    return "" if ci is None else f"{ci[0]:.3f}-{ci[1]:.3f}"


def compare_reports(reports):
    """One row per system: WA/UA mean ± std over folds, pooled WA/UA, times.

    ``WA_95ci`` and ``UA_95ci`` are the intervals of the pooled figures from a
    bootstrap over speakers (:meth:`EvaluationReport.confidence_intervals`).

    Parameters
    ----------
    reports : iterable of EvaluationReport

    Returns
    -------
    table : pandas.DataFrame
        Indexed by system name; a system that adapts to the test speaker is
        labelled so in its name. Columns: ``WA``, ``UA`` (means over folds) with
        their standard deviations ``WA_std``, ``UA_std``; ``WA_pooled``,
        ``UA_pooled`` (all out-of-fold predictions scored together); ``folds``; and
        ``fit_predict_s``, the folds' fit and predict seconds summed over folds
        (not the wall time of the run: feature extraction is outside it, and
        parallel folds overlap).

        Regression reports (all of them) give
        :func:`~sklearn_ser.evaluation.compare_regression_reports`'s table.
    """
    reports = list(reports)
    if _regression(reports, "compare_reports"):
        from ._regression_report import compare_regression_reports

        return compare_regression_reports(reports)
    rows = {}
    for r in reports:
        s = r.summary()
        rows[_system_name(r)] = {
            "WA": s["WA"],
            "WA_std": s["WA_std"],
            "UA": s["UA"],
            "UA_std": s["UA_std"],
            "WA_pooled": s["WA_pooled"],
            "UA_pooled": s["UA_pooled"],
            "WA_95ci": _interval_text(s["WA_ci"]),
            "UA_95ci": _interval_text(s["UA_ci"]),
            "folds": s["n_folds"],
            "fit_predict_s": s["fit_time"] + s["predict_time"],
        }
    frame = pd.DataFrame.from_dict(rows, orient="index").astype(
        {"folds": int}, errors="ignore"
    )
    frame.index.name = "system"
    return frame.map(lambda v: np.nan if v is None else v)


def recall_table(reports):
    """Per-class recall, a row per system and a column per emotion, plus UA.

    The layout of per-class result tables in SER papers (e.g. Table 3 of the
    two-projection denoising-autoencoder paper). Classes are the union of all
    reports' labels, in first-seen order.

    Parameters
    ----------
    reports : iterable of EvaluationReport

    Returns
    -------
    table : pandas.DataFrame
    """
    reports = list(reports)
    columns = []
    for r in reports:
        for c in r.labels.tolist():
            if c not in columns:
                columns.append(c)
    rows = {}
    for r in reports:
        rec = r.per_class_recall()
        row = {str(c): (rec[c] if c in rec.index else np.nan) for c in columns}
        row["UA"] = r.UA_pooled
        rows[_system_name(r)] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "system"
    return frame


def paired_table(
    reports, *, reference=0, n_boot=DEFAULT_N_BOOT, level=DEFAULT_LEVEL, as_text=False
):
    """Each system against a reference, paired on the same utterances.

    One row per system other than the reference: the pooled UA difference
    (system - reference), its interval from a paired bootstrap over speakers, the
    bootstrap p-value, McNemar's exact p-value on the predictions and whether the
    difference is within noise (the interval holds zero). See
    :func:`sklearn_ser.evaluation.paired_comparison`.

    Parameters
    ----------
    reports : sequence of EvaluationReport
        Evaluations on the same utterances.
    reference : int or str, default=0
        The reference system: its position in ``reports`` or its name.
    n_boot : int, default=1000
        Bootstrap replicates.
    level : float, default=0.95
        Coverage of the intervals.
    as_text : bool, default=False
        For reading (markdown): p-values with three significant digits and
        ``within_noise`` as ``"yes"``/``"no"`` instead of floats and booleans.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``"<system> vs <reference>"``. Regression reports (all of
        them) give :func:`~sklearn_ser.evaluation.paired_regression_table`'s.
    """
    reports = list(reports)
    if _regression(reports, "paired_table"):
        from ._regression_report import paired_regression_table

        return paired_regression_table(
            reports, reference=reference, n_boot=n_boot, level=level, as_text=as_text
        )
    return _paired_frame(
        reports,
        reference,
        lambda a, b: paired_comparison(a, b, n_boot=n_boot, level=level),
        score="UA",
        columns=("p_bootstrap", "WA_diff", "p_mcnemar"),
        level=level,
        as_text=as_text,
    )
