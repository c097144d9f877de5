"""The evaluation report of a regressor: CCC, Pearson r and MAE over speakers.

A sibling of :class:`~sklearn_ser.evaluation.EvaluationReport` rather than a mode of
it: a classification report is built around classes (WA, UA, per-class recall,
confusion matrix, probabilities), none of which a continuous target has, so one
class with a task switch would carry half its methods raising. The two share the
fold records, the JSON layout (``"task"`` tells them apart; :func:`load_report`
reads both), the markdown tables and the speaker bootstrap machinery.
"""

import numpy as np
import pandas as pd

from ._metrics import regression_moments, regression_scores_from_moments
from ._report import (
    _FORMAT_VERSION,
    _bootstrap_once,
    _check_format_version,
    _ci_sentence,
    _float,
    _fold_stat,
    _fold_total,
    _folds_frame,
    _folds_from_dict,
    _folds_to_dict,
    _interval_text,
    _markdown_intro,
    _paired_frame,
    _predictions_frame,
    _predictions_to_dict,
    _read_json,
    _system_name,
    _write_json,
    markdown_table,
)
from ._stats import (
    DEFAULT_LEVEL,
    DEFAULT_N_BOOT,
    paired_regression_comparison,
    speaker_bootstrap_regression,
)

__all__ = ["RegressionReport", "compare_regression_reports", "paired_regression_table"]

#: The figures of a continuous target, in table order.
REGRESSION_SCORES = ("CCC", "r", "MAE")


def _pooled_scores(y_true, y_pred):
    """``{"CCC", "r", "MAE"}`` of one set of predictions (NaN when empty)."""
    t = np.asarray(y_true, dtype=float)
    if t.size == 0:
        return dict.fromkeys(REGRESSION_SCORES, float("nan"))
    moments = regression_moments(t, y_pred, center=t.mean())
    return dict(
        zip(REGRESSION_SCORES, map(float, regression_scores_from_moments(moments)))
    )


class RegressionReport:
    """Out-of-fold predictions of a cross-validated regressor, and their figures.

    Built by :func:`sklearn_ser.evaluation.evaluate` when the estimator is a
    regressor (arousal, valence or dominance ratings); reloaded with
    :meth:`from_json` or :func:`~sklearn_ser.evaluation.load_report`. Every figure
    is computed from the stored predictions.

    - **per fold** (``folds``; ``CCC``, ``r``, ``MAE`` = their mean over folds,
      ``CCC_std``...): each test fold scored on its own. In leave-one-speaker-out a
      fold is one speaker, so a per-fold CCC measures how well that speaker's own
      ratings are ranked and placed.
    - **pooled** (``CCC_pooled``, ``r_pooled``, ``MAE_pooled``): all out-of-fold
      predictions scored together, with 95% intervals from a bootstrap over
      speakers (:meth:`confidence_intervals`). The headline figures.

    Every sample is scored: for a continuous target ``-1`` is a rating, not the
    unlabeled marker.

    Parameters
    ----------
    name : str
        The system's name.
    index, fold, y_true, y_pred : array-like of shape (n_predictions,)
        For each out-of-fold prediction: the sample's index in ``X``, its fold,
        its true value and the prediction.
    folds : list of dict
        One record per fold: ``fold``, ``test_groups``, ``n_train``, ``n_test``,
        ``fit_time``, ``predict_time`` (and ``best_params`` for a search).
    groups : array-like of shape (n_predictions,), default=None
        Speaker of each prediction.
    sample_ids : array-like of shape (n_predictions,), default=None
        A name per prediction (e.g. the audio path).
    target : str, default="target"
        What is predicted (``"arousal"``), for titles and tables.
    description : str, default=""
        What the system is.
    cv : str, default=""
        How it was cross-validated.
    adapts_to_test_speaker : bool, default=False
        Labels the figures as using statistics of the test speaker.
    meta : dict, default=None
        Anything else worth keeping (JSON-serialisable).

    Attributes
    ----------
    task : str
        ``"regression"`` (``"classification"`` for an
        :class:`~sklearn_ser.evaluation.EvaluationReport`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_ser.evaluation import evaluate
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = X @ [1.0, -0.5, 0.2] + 0.1 * rng.normal(size=60)
    >>> groups = np.repeat(["s1", "s2", "s3", "s4"], 15)
    >>> report = evaluate(Ridge(), X, y, groups, name="ridge")
    >>> report.task, report.n_folds, report.CCC_pooled > 0.95
    ('regression', 4, True)
    """

    task = "regression"

    def __init__(
        self,
        *,
        name,
        index,
        fold,
        y_true,
        y_pred,
        folds,
        groups=None,
        sample_ids=None,
        target="target",
        description="",
        cv="",
        adapts_to_test_speaker=False,
        meta=None,
    ):
        self.name = str(name)
        self.index = np.asarray(index, dtype=np.int64)
        self.fold = np.asarray(fold, dtype=np.int64)
        self.y_true = np.asarray(y_true, dtype=float)
        self.y_pred = np.asarray(y_pred, dtype=float)
        self.folds = [dict(f) for f in folds]
        self.groups = None if groups is None else np.asarray(groups)
        self.sample_ids = None if sample_ids is None else np.asarray(sample_ids)
        self.target = str(target)
        self.description = str(description)
        self.cv = str(cv)
        self.adapts_to_test_speaker = bool(adapts_to_test_speaker)
        self.adapts_to_test_corpus = False
        self.meta = dict(meta or {})
        self._intervals = {}
        for f in self.folds:
            sel = self.fold == f["fold"]
            f["n_test_labeled"] = int(sel.sum())
            f.update(_pooled_scores(self.y_true[sel], self.y_pred[sel]))

    # ------------------------------------------------------------------ figures
    @property
    def n_folds(self):
        """Number of folds."""
        return len(self.folds)

    @property
    def _scored(self):
        # every prediction is scored (a paired comparison aligns on this)
        return np.ones(self.y_true.shape, dtype=bool)

    def _mean(self, key):
        return _fold_stat(self.folds, key, "mean")

    def _std(self, key):
        return _fold_stat(self.folds, key, "std")

    @property
    def CCC(self):
        """Mean over folds of the per-fold CCC."""
        return self._mean("CCC")

    @property
    def r(self):
        """Mean over folds of the per-fold Pearson r."""
        return self._mean("r")

    @property
    def MAE(self):
        """Mean over folds of the per-fold mean absolute error."""
        return self._mean("MAE")

    def pooled(self):
        """``{"CCC", "r", "MAE"}`` over all out-of-fold predictions together."""
        return _pooled_scores(self.y_true, self.y_pred)

    @property
    def CCC_pooled(self):
        """CCC over all out-of-fold predictions together."""
        return self.pooled()["CCC"]

    @property
    def r_pooled(self):
        """Pearson r over all out-of-fold predictions together."""
        return self.pooled()["r"]

    @property
    def MAE_pooled(self):
        """Mean absolute error over all out-of-fold predictions together."""
        return self.pooled()["MAE"]

    def confidence_intervals(
        self, *, n_boot=DEFAULT_N_BOOT, level=DEFAULT_LEVEL, random_state=0
    ):
        """Intervals of the pooled CCC, r and MAE from a bootstrap over speakers.

        See :func:`~sklearn_ser.evaluation.speaker_bootstrap_regression`; seeded,
        so the same report always gives the same intervals.

        Returns
        -------
        intervals : dict or None
            ``{"CCC": (low, high), "r": ..., "MAE": ..., "n_speakers", "level",
            "n_boot"}``; None when the report has no speaker groups.
        """
        if self.groups is None or self.y_true.size == 0:
            return None
        return _bootstrap_once(
            self,
            speaker_bootstrap_regression,
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

    def summary(self):
        """The headline figures as a dict (what ``results.json`` holds per system).

        ``CCC``, ``r``, ``MAE`` (means over folds) with ``_std``; ``_pooled``
        figures; ``_ci``: their 95% intervals from a bootstrap over speakers (None
        without speaker groups).
        """
        ci = self.confidence_intervals()
        pooled = self.pooled()
        out = {"task": self.task, "target": self.target}
        for key in REGRESSION_SCORES:
            out[key] = _float(self._mean(key))
            out[f"{key}_std"] = _float(self._std(key))
            out[f"{key}_pooled"] = _float(pooled[key])
            out[f"{key}_ci"] = None if ci is None else [_float(v) for v in ci[key]]
        out.update(
            n_folds=self.n_folds,
            n_scored=int(self.y_true.size),
            fit_time=self.fit_time,
            predict_time=self.predict_time,
            adapts_to_test_speaker=self.adapts_to_test_speaker,
            adapts_to_test_corpus=False,
        )
        return out

    # ------------------------------------------------------------------- tables
    def to_frame(self, kind="folds"):
        """The report as a DataFrame.

        Parameters
        ----------
        kind : {"folds", "summary", "predictions"}
            ``"folds"``: one row per fold. ``"summary"``: one row, the headline
            figures. ``"predictions"``: one row per out-of-fold prediction.

        Returns
        -------
        frame : pandas.DataFrame
        """
        if kind == "folds":
            return _folds_frame(self.folds, REGRESSION_SCORES)
        if kind == "summary":
            return pd.DataFrame([self.summary()], index=pd.Index([self.name]))
        if kind == "predictions":
            return _predictions_frame(self)
        raise ValueError(
            "kind must be one of 'folds', 'summary', 'predictions' for a regression "
            f"report; got {kind!r}."
        )

    def to_markdown(self):
        """A markdown report: what the figures mean, summary and per-fold tables.

        Returns
        -------
        text : str
        """
        out = _markdown_intro(self, f"# {self.name}: {self.target} (regression)")
        ci_text = _ci_sentence(self.confidence_intervals())
        out += [
            f"Cross-validation: {self.cv or 'custom'}, {self.n_folds} folds, "
            f"{self.y_true.size} scored predictions of a continuous target. CCC = "
            "Lin's concordance correlation coefficient (1: predictions equal the "
            "truth; 0: no agreement, e.g. a constant guess), r = Pearson "
            "correlation, MAE = mean absolute error in the target's unit. Pooled "
            "figures score all out-of-fold predictions together and are the robust "
            f"ones; per-fold figures are averaged over folds. {ci_text}",
            "",
            "## Summary",
            "",
            markdown_table(compare_regression_reports([self])),
            "",
            "## Folds",
            "",
            markdown_table(self.to_frame("folds"), floatfmt=".3f"),
            "",
        ]
        return "\n".join(out)

    # --------------------------------------------------------------------- JSON
    def to_dict(self):
        """Everything in the report as JSON-ready Python objects."""
        return {
            "format_version": _FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "cv": self.cv,
            **self.summary(),
            "folds": _folds_to_dict(self.folds, REGRESSION_SCORES),
            "predictions": _predictions_to_dict(self),
            "meta": self.meta,
        }

    def to_json(self, path=None, *, indent=1):
        """Serialise to JSON; write to ``path`` when given.

        The figures are indented; the per-sample arrays (``"predictions"``) take
        one line each.

        Returns
        -------
        text : str
            The JSON document.
        """
        return _write_json(self.to_dict(), path, indent)

    @classmethod
    def from_dict(cls, data):
        """Rebuild a report from :meth:`to_dict` output."""
        _check_format_version(data)
        if data.get("task") != cls.task:
            raise ValueError(
                f"report {data.get('name')!r} is not a regression report (task "
                f"{data.get('task', 'classification')!r}); use load_report."
            )
        p = data["predictions"]
        folds = _folds_from_dict(
            data["folds"],
            optional=("fold", "test_groups", "n_train", "n_test", "best_params"),
        )
        return cls(
            name=data["name"],
            index=p["index"],
            fold=p["fold"],
            y_true=p["y_true"],
            y_pred=p["y_pred"],
            folds=folds,
            groups=p["group"],
            sample_ids=p["sample"],
            target=data.get("target", "target"),
            description=data.get("description", ""),
            cv=data.get("cv", ""),
            adapts_to_test_speaker=data.get("adapts_to_test_speaker", False),
            meta=data.get("meta"),
        )

    @classmethod
    def from_json(cls, source):
        """Load a report written by :meth:`to_json` (a JSON text or a path)."""
        return cls.from_dict(_read_json(source))

    # --------------------------------------------------------------------- plot
    def plot_predictions(self, *, ax=None, path=None, dpi=150):
        """Scatter of predicted against true values, with the identity line.

        Points on the diagonal are exact; CCC rewards closeness to it, r only a
        straight trend.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure is made when None (no pyplot, so it works
            under any backend, headless included).
        path : str or path-like, default=None
            Write a PNG (or any format matplotlib infers from the suffix) here.
        dpi : int, default=150
            Resolution of the written image.

        Returns
        -------
        fig : matplotlib.figure.Figure
        """
        from matplotlib.figure import Figure

        if ax is None:
            fig = Figure(figsize=(5.5, 5.0), layout="constrained")
            ax = fig.add_subplot()
        else:
            fig = ax.figure
        t, p = self.y_true, self.y_pred
        # ratings are often on a few levels: jitter nothing, but draw faintly
        ax.scatter(t, p, s=12, alpha=0.35, edgecolors="none")
        both = np.r_[t, p]
        lo, hi = (float(both.min()), float(both.max())) if both.size else (0, 1)
        pad = 0.05 * (hi - lo or 1.0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="0.3", lw=1)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_aspect("equal")
        ax.set_xlabel(f"true {self.target}")
        ax.set_ylabel(f"predicted {self.target}")
        s = self.pooled()
        title = (
            f"{self.name}: {self.target}\nCCC {s['CCC']:.3f} · r {s['r']:.3f} · "
            f"MAE {s['MAE']:.3f} (pooled, {self.n_folds} folds)"
        )
        if self.adapts_to_test_speaker:
            title += "\nadapts to the test speaker"
        ax.set_title(title, fontsize=10)
        if path is not None:
            fig.savefig(path, dpi=dpi)
        return fig


def compare_regression_reports(reports):
    """One row per regressor: CCC, r, MAE per fold (mean, std) and pooled.

    Parameters
    ----------
    reports : iterable of RegressionReport

    Returns
    -------
    table : pandas.DataFrame
        Indexed by system name. ``CCC``, ``r``, ``MAE``: means over folds, with
        ``_std``; ``CCC_pooled``, ``r_pooled``, ``MAE_pooled``: all out-of-fold
        predictions together; ``CCC_95ci``, ``MAE_95ci``: intervals of the pooled
        figures from a bootstrap over speakers; ``folds``; ``fit_predict_s`` (the
        folds' fit and predict seconds, summed).
    """
    rows = {}
    for rep in reports:
        s = rep.summary()
        row = {}
        for key in REGRESSION_SCORES:
            row[key] = s[key]
            row[f"{key}_std"] = s[f"{key}_std"]
        for key in REGRESSION_SCORES:
            row[f"{key}_pooled"] = s[f"{key}_pooled"]
        row["CCC_95ci"] = _interval_text(s["CCC_ci"])
        row["MAE_95ci"] = _interval_text(s["MAE_ci"])
        row["folds"] = s["n_folds"]
        row["fit_predict_s"] = s["fit_time"] + s["predict_time"]
        rows[_system_name(rep)] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "system"
    return frame.map(lambda v: np.nan if v is None else v)


def paired_regression_table(
    reports, *, reference=0, n_boot=DEFAULT_N_BOOT, level=DEFAULT_LEVEL, as_text=False
):
    """Each regressor against a reference, paired on the same utterances.

    One row per system other than the reference: the pooled CCC difference
    (system - reference), its interval from a paired bootstrap over speakers, the
    bootstrap p-value, the MAE difference and whether the CCC difference is within
    noise. See :func:`~sklearn_ser.evaluation.paired_regression_comparison`.

    Parameters
    ----------
    reports : sequence of RegressionReport
        Evaluations on the same utterances.
    reference : int or str, default=0
        The reference system: its position or its name.
    n_boot : int, default=1000
        Bootstrap replicates.
    level : float, default=0.95
        Coverage of the intervals.
    as_text : bool, default=False
        p-values with three significant digits and ``within_noise`` as
        ``"yes"``/``"no"``.

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``"<system> vs <reference>"``.
    """
    return _paired_frame(
        list(reports),
        reference,
        lambda a, b: paired_regression_comparison(a, b, n_boot=n_boot, level=level),
        score="CCC",
        columns=("p_bootstrap", "MAE_diff"),
        level=level,
        as_text=as_text,
    )
