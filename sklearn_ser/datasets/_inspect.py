"""Check a corpus before trusting a score on it: :func:`describe_corpus`.

What a corpus holds (utterances, speakers, classes or a target range, speaker x class
counts), whether speaker and label are confounded (:func:`speaker_label_confound`),
the chance levels a benchmark is measured against, and what its audio looks like
(durations, sample rates, channels, levels, clipping, silent files, duplicates,
files that fail to read). ``sklearn-ser inspect`` prints the same report.
"""

import os
from dataclasses import dataclass

import numpy as np

from .._audio import (
    CLIP_LEVEL,
    CLIPPED_FRACTION,
    SILENCE_DBFS,
    AudioError,
    is_clipped,
    is_silent,
    scan_audio,
)
from .._task import target_task
from ._base import _MAX_LISTED

__all__ = [
    "CONFOUND_THRESHOLD",
    "CorpusDescription",
    "SpeakerLabelConfound",
    "describe_corpus",
    "speaker_label_confound",
]

#: :func:`speaker_label_confound` flags a corpus when MORE than this fraction of its
#: speakers carry a single class. At one half, most speakers' voices tell their
#: label; in a corpus designed for speaker-independent emotion recognition (EMOVO,
#: RAVDESS, EmoDB) every speaker carries every class and the fraction is 0.
CONFOUND_THRESHOLD = 0.5


def _is_continuous(target):
    # the package's one rule for telling ratings from class labels
    return target_task(target) == "regression"


@dataclass(frozen=True)
class SpeakerLabelConfound:
    """How far a corpus's speakers determine its labels.

    Attributes
    ----------
    n_speakers : int
        Speakers in the corpus.
    n_single_class : int
        Speakers whose utterances all carry one class (one target value).
    association : float
        Cramér's V between speaker and class for class labels, the correlation ratio
        eta squared (share of the target's variance between speakers) for a
        continuous target; 0 when speakers tell nothing of the label, 1 when they
        tell it all. NaN when undefined (one speaker, or one class).
    association_name : str
        ``"Cramér's V"`` or ``"eta squared"``.
    threshold : float
        The fraction of single-class speakers above which :attr:`flagged` is true.
    """

    n_speakers: int
    n_single_class: int
    association: float
    association_name: str
    threshold: float = CONFOUND_THRESHOLD

    @property
    def fraction(self):
        """Share of the speakers that carry a single class."""
        return self.n_single_class / self.n_speakers

    @property
    def _class(self):
        # a continuous target has values, not classes
        return "value" if self.association_name == "eta squared" else "class"

    @property
    def _classes(self):
        return "values" if self.association_name == "eta squared" else "classes"

    @property
    def flagged(self):
        """More than :attr:`threshold` of the speakers carry a single class."""
        return self.fraction > self.threshold

    def message(self):
        """The warning, one line, or None when the corpus is not flagged."""
        if not self.flagged:
            return None
        return (
            f"speaker-label confound: {self.n_single_class} of {self.n_speakers} "
            f"speakers carry a single {self._class} ({self.association_name} "
            f"between speaker and label {self.association:.2f}). A classifier can "
            "learn speaker identity as emotion, and a speaker-independent score then "
            "measures whether the model recognises new speakers (which class each "
            "held-out voice belongs to), not emotions within a speaker; a score on "
            "a split that is not speaker-independent measures speaker recognition."
        )


def _cramers_v(table):
    from scipy.stats.contingency import association

    if min(table.shape) < 2:
        return float("nan")
    return float(association(table, method="cramer"))


def _eta_squared(y, speakers):
    total = np.sum((y - y.mean()) ** 2)
    if total == 0 or np.unique(speakers).size < 2:
        return float("nan")
    _, inverse = np.unique(speakers, return_inverse=True)
    sums = np.bincount(inverse, weights=y)
    counts = np.bincount(inverse)
    between = np.sum(counts * (sums / counts - y.mean()) ** 2)
    return float(between / total)


def speaker_label_confound(y, groups, *, threshold=CONFOUND_THRESHOLD):
    """Whether speakers and labels are confounded: most speakers carry one class.

    When most speakers carry a single class (a corpus where each actor plays one
    emotion, or where each patient has one diagnosis), speaker identity and label
    are nearly the same variable: a classifier can learn who speaks instead of how,
    and a speaker-independent score measures whether the model recognises new
    speakers. ``sklearn-ser benchmark`` and ``sklearn-ser inspect`` warn with
    :meth:`SpeakerLabelConfound.message`.

    The rule: flagged when more than ``threshold`` (default one half) of the
    speakers carry a single class (one distinct target value). Cramér's V (eta
    squared for a continuous target) is reported beside it as the strength of the
    association.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels (any class names) or a continuous (float) target.
    groups : array-like of shape (n_samples,)
        Speaker of each sample.
    threshold : float, default=CONFOUND_THRESHOLD
        Fraction of single-class speakers above which the corpus is flagged.

    Returns
    -------
    confound : SpeakerLabelConfound

    Examples
    --------
    >>> y = ["anger", "anger", "sadness", "sadness", "anger", "sadness"]
    >>> speakers = ["a", "a", "b", "b", "c", "c"]
    >>> c = speaker_label_confound(y, speakers)
    >>> c.n_single_class, c.n_speakers, c.flagged
    (2, 3, True)
    """
    y, groups = np.asarray(y), np.asarray(groups)
    if y.shape[0] != groups.shape[0]:
        raise ValueError(
            f"y has {y.shape[0]} samples but groups has {groups.shape[0]}; give one "
            "speaker per sample."
        )
    if y.shape[0] == 0:
        raise ValueError("speaker_label_confound: y holds no sample.")
    import pandas as pd

    frame = pd.DataFrame({"speaker": groups, "y": y})
    n_classes = frame.groupby("speaker", sort=True)["y"].nunique()
    if _is_continuous(y):
        association, name = _eta_squared(y.astype(float), groups), "eta squared"
    else:
        table = pd.crosstab(frame["speaker"], frame["y"]).to_numpy()
        association, name = _cramers_v(table), "Cramér's V"
    return SpeakerLabelConfound(
        n_speakers=int(n_classes.size),
        n_single_class=int((n_classes == 1).sum()),
        association=association,
        association_name=name,
        threshold=float(threshold),
    )


# ------------------------------------------------------------------------- audio
_SCAN_COLUMNS = (
    "samplerate",
    "channels",
    "subtype",
    "duration",
    "level_dbfs",
    "active_level_dbfs",
    "peak",
    "clipped_fraction",
    "sha1",
    "error",
)


def _scan_one(path, read_audio):
    """One row of the file table; a file that fails to read gives its error."""
    row = dict.fromkeys(_SCAN_COLUMNS)
    try:
        if read_audio:
            scan = scan_audio(path)
            row.update(
                samplerate=scan.samplerate,
                channels=scan.channels,
                subtype=scan.subtype,
                duration=scan.duration,
                level_dbfs=scan.level_dbfs,
                active_level_dbfs=scan.active_level_dbfs,
                peak=scan.peak,
                clipped_fraction=scan.clipped_fraction,
                sha1=scan.sha1,
            )
        else:
            import soundfile as sf

            info = sf.info(path)
            row.update(
                samplerate=info.samplerate,
                channels=info.channels,
                subtype=info.subtype,
                duration=info.duration,
            )
    except (AudioError, OSError, RuntimeError, TypeError) as exc:
        # soundfile's LibsndfileError is a RuntimeError (headers-only path)
        row["error"] = " ".join(str(exc).split())
    return row


def _listed(items):
    lines = [f"- {item}" for item in items[:_MAX_LISTED]]
    if len(items) > _MAX_LISTED:
        lines.append(f"- ... and {len(items) - _MAX_LISTED} more")
    return lines


def _short(error, path, relative):
    """The error with the file's relative name (prefixed when it names no file)."""
    error = error.replace(os.path.abspath(path), relative).replace(path, relative)
    return error if relative in error else f"{relative}: {error}"


def _counts_text(series, unit=""):
    counts = series.value_counts().sort_index()
    return ", ".join(f"{value}{unit}: {n}" for value, n in counts.items())


@dataclass
class CorpusDescription:
    """What :func:`describe_corpus` found; ``to_markdown()`` and ``plot()`` show it.

    Attributes
    ----------
    name : str
        The corpus name used in the report's title.
    files : pandas.DataFrame
        One row per utterance: ``filename``, ``target``, ``speaker``, and from the
        audio ``samplerate``, ``channels``, ``subtype``, ``duration`` (s),
        ``level_dbfs`` (RMS), ``active_level_dbfs`` (the louder frames' level,
        :func:`~sklearn_ser._audio.scan_audio`), ``peak``, ``clipped_fraction``,
        ``sha1`` (of the decoded samples) and ``error`` (why the file could not be
        read, else None). Levels, peak, clipping and hash are None without
        ``read_audio``.
    continuous : bool
        Whether the target is continuous (float): then there are no classes, and
        the target's range and distribution are reported instead.
    counts : pandas.DataFrame
        Utterances per speaker (rows) and class (columns); for a continuous target,
        per speaker ``n``, ``mean``, ``std``, ``min``, ``max`` of the target.
    confound : SpeakerLabelConfound
        The speaker-label confound check.
    chance : dict
        :func:`~sklearn_ser.evaluation.chance_levels` of the target: what the
        benchmark's legend prints.
    read_audio : bool
        Whether every file was decoded (levels, clipping, duplicates) or only its
        header read.
    """

    name: str
    files: object
    continuous: bool
    counts: object
    confound: SpeakerLabelConfound
    chance: dict
    read_audio: bool

    # ------------------------------------------------------------------ findings
    @property
    def unreadable(self):
        """``[(filename, reason), ...]`` for the files that failed to read."""
        bad = self.files[self.files["error"].notna()]
        return list(zip(bad["filename"], bad["error"]))

    @property
    def silent(self):
        """Files whose active level is below ``SILENCE_DBFS`` (-60 dBFS)."""
        if not self.read_audio:
            return []
        ok = self.files[self.files["error"].isna()]
        levels = zip(ok["filename"], ok["active_level_dbfs"])
        return [f for f, v in levels if is_silent(v)]

    @property
    def clipped(self):
        """Files with more than ``CLIPPED_FRACTION`` of their samples at full scale."""
        if not self.read_audio:
            return []
        ok = self.files[self.files["error"].isna()]
        return [
            f for f, v in zip(ok["filename"], ok["clipped_fraction"]) if is_clipped(v)
        ]

    @property
    def duplicates(self):
        """Groups of files (lists of names) holding the same decoded audio."""
        if not self.read_audio:
            return []
        ok = self.files[self.files["error"].isna()]
        groups = ok.groupby("sha1", sort=False)["filename"].agg(list)
        return [sorted(g) for g in groups if len(g) > 1]

    def findings(self):
        """Every problem found, one line each (empty when the corpus looks sound)."""
        lines = []
        message = self.confound.message()
        if message:
            lines.append(message)
        if self.unreadable:
            lines.append(f"{len(self.unreadable)} file(s) fail to read.")
        if self.silent:
            lines.append(
                f"{len(self.silent)} file(s) are silent or near-silent (active level "
                "below "
                f"{SILENCE_DBFS:g} dBFS)."
            )
        if self.clipped:
            lines.append(
                f"{len(self.clipped)} file(s) are clipped (more than "
                f"{CLIPPED_FRACTION:.1%} of the samples at |x| >= {CLIP_LEVEL})."
            )
        if self.duplicates:
            n = sum(len(g) for g in self.duplicates)
            across = sum(len(self._speakers(g)) > 1 for g in self.duplicates)
            where = (
                f"{across} group(s) span several speakers: a speaker-independent "
                "split can put a copy of a test utterance in training"
                if across
                else "each group within one speaker (a speaker-independent split "
                "keeps the copies together)"
            )
            lines.append(
                f"{len(self.duplicates)} group(s) of duplicates: {n} files hold the "
                f"same audio under different names; {where}."
            )
        ok = self.files[self.files["error"].isna()]
        for column, what in (
            ("samplerate", "sample rates"),
            ("channels", "channel counts"),
        ):
            values = ok[column].dropna().unique()
            if values.size > 1:
                lines.append(
                    f"mixed {what}: {', '.join(str(v) for v in sorted(values))} "
                    "(the extractors mix every file down to mono and resample it "
                    "to their rate)."
                )
        return lines

    # ------------------------------------------------------------------ report
    def _overview(self):
        files = self.files
        n_speakers = files["speaker"].nunique()
        hours = files["duration"].astype(float).sum() / 3600
        if self.continuous:
            y = files["target"].astype(float)
            what = f"a continuous target from {y.min():.3g} to {y.max():.3g}"
        else:
            what = f"{files['target'].nunique()} classes"
        return (
            f"{len(files)} utterances, {n_speakers} speakers, {what}; "
            f"{hours:.2f} h of audio."
        )

    def to_markdown(self):
        """The whole report as markdown (what ``sklearn-ser inspect`` writes)."""
        from ..evaluation import markdown_table

        files = self.files
        text = [f"# Corpus inspection: {self.name}", "", self._overview(), ""]
        text += ["## Findings", ""]
        findings = self.findings()
        text += [f"- {f}" for f in findings] if findings else ["- No problem found."]
        text.append("")
        if self.continuous:
            y = files["target"].astype(float)
            summary = y.describe().to_frame("target").T
            text += ["## Target", "", markdown_table(summary), ""]
            text += ["## Target per speaker", "", markdown_table(self.counts), ""]
        else:
            classes = (
                files.groupby("target")
                .agg(utterances=("filename", "size"), speakers=("speaker", "nunique"))
                .rename_axis("class")
            )
            text += ["## Classes", "", markdown_table(classes), ""]
            text += [
                "## Utterances per speaker and class",
                "",
                markdown_table(self.counts),
                "",
            ]
        c = self.confound
        text += [
            "## Speaker-label confound",
            "",
            f"{c.n_single_class} of {c.n_speakers} speakers carry a single "
            f"{c._class} "
            f"({c.fraction:.0%}; flagged above {c.threshold:.0%}); "
            f"{c.association_name} between speaker and label: {c.association:.2f}.",
            "",
            c.message()
            or f"Not flagged: at least half the speakers carry several {c._classes}.",
            "",
            "## Chance levels",
            "",
        ]
        ch = self.chance
        if self.continuous:
            text.append(
                "CCC 0 for any guess that ignores the audio (a constant has no "
                f"covariance with the ratings); MAE {ch['MAE']:.3f} for always "
                f"answering the median rating ({ch['median']:g})."
            )
        else:
            text.append(
                f"UA {ch['UA']:.3f} (1/{ch['n_classes']} classes, any guess that "
                f"ignores the audio); WA {ch['WA']:.3f} (always answering the most "
                f"frequent class, {ch['majority']})."
            )
        text += ["", "## Audio", ""]
        ok = files[files["error"].isna()]
        if len(ok):
            levels = ["level_dbfs", "active_level_dbfs", "peak"]
            stats = ["duration"] + (levels if self.read_audio else [])
            # all-zero files (-inf dBFS) are listed below, not averaged here
            values = ok[stats].astype(float).replace(-np.inf, np.nan)
            table = values.describe().T
            table = table[["min", "25%", "50%", "mean", "75%", "max"]]
            names = {
                "duration": "duration (s)",
                "level_dbfs": "RMS level (dBFS)",
                "active_level_dbfs": "active level (dBFS)",
            }
            table.index = [names.get(s, s) for s in stats]
            text += [markdown_table(table), ""]
            text += [
                f"- sample rates: {_counts_text(ok['samplerate'], ' Hz')}",
                f"- channels: {_counts_text(ok['channels'])}",
                f"- encodings: {_counts_text(ok['subtype'])}",
            ]
            if self.read_audio:
                text.append(
                    "- active level: the 95th percentile of the 20 ms frames' levels "
                    "(pauses do not count); silent: active level below "
                    f"{SILENCE_DBFS:g} dBFS; clipped: more than "
                    f"{CLIPPED_FRACTION:.1%} of the samples at |x| >= {CLIP_LEVEL}."
                )
            else:
                text.append(
                    "- headers only (read_audio=False): levels, clipping, silence "
                    "and duplicates not checked."
                )
            text.append("")
        rel = self._relative
        sections = (
            (
                "Files that fail to read",
                [_short(e, f, rel(f)) for f, e in self.unreadable],
            ),
            (
                "Silent or near-silent files",
                self._with("active_level_dbfs", self.silent),
            ),
            ("Clipped files", self._with("clipped_fraction", self.clipped)),
            (
                "Duplicates",
                [
                    f"{' = '.join(map(rel, g))} (speakers: "
                    f"{', '.join(self._speakers(g))})"
                    for g in self.duplicates
                ],
            ),
        )
        if any(items for _, items in sections):
            text += [f"File names below are relative to {self._root()}.", ""]
        for title, items in sections:
            if items:
                text += [f"### {title} ({len(items)})", "", *_listed(items), ""]
        return "\n".join(text)

    def _speakers(self, names):
        speaker = dict(zip(self.files["filename"], self.files["speaker"]))
        return sorted({str(speaker[n]) for n in names})

    def _root(self):
        paths = [os.path.abspath(f) for f in self.files["filename"]]
        return os.path.dirname(os.path.commonprefix([p + os.sep for p in paths]))

    def _relative(self, path):
        return os.path.relpath(os.path.abspath(path), self._root())

    def _with(self, column, names):
        value = self.files.set_index("filename")[column]
        text = {
            "active_level_dbfs": "active level {:.1f} dBFS",
            "clipped_fraction": "{:.1%} of the samples clipped",
        }[column]
        return [f"{self._relative(n)} ({text.format(float(value[n]))})" for n in names]

    # -------------------------------------------------------------------- figure
    def plot(self, *, path=None, dpi=120):
        """Speaker x class counts (or the target per speaker) and the durations.

        Parameters
        ----------
        path : str or path-like, default=None
            Write the figure here (PNG, or any format matplotlib infers).
        dpi : int, default=120
            Resolution of the written file.

        Returns
        -------
        fig : matplotlib.figure.Figure
        """
        from matplotlib.figure import Figure

        n_panels = 3 if self.read_audio else 2
        fig = Figure(figsize=(5.0 * n_panels, 4.5), layout="constrained")
        axes = fig.subplots(1, n_panels)
        ax = axes[0]
        if self.continuous:
            data = self.files.groupby("speaker")["target"].agg(
                lambda s: s.astype(float).to_numpy()
            )
            ax.boxplot(list(data))  # vertical: the default of every matplotlib
            ax.set_xticks(range(1, len(data) + 1), list(data.index), rotation=60)
            ax.set_xlabel("speaker")
            ax.set_ylabel("target")
            ax.set_title("Target per speaker")
        else:
            counts = self.counts.to_numpy()
            image = ax.imshow(counts, aspect="auto", cmap="Blues", vmin=0)
            ax.set_xticks(
                range(counts.shape[1]), list(self.counts.columns), rotation=60
            )
            ax.set_yticks(range(counts.shape[0]), list(self.counts.index))
            if counts.size <= 400:
                for (i, j), v in np.ndenumerate(counts):
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=7)
            fig.colorbar(image, ax=ax, label="utterances")
            ax.set_title("Utterances per speaker and class")
        ok = self.files[self.files["error"].isna()]
        axes[1].hist(ok["duration"].astype(float), bins=30)
        axes[1].set_xlabel("duration (s)")
        axes[1].set_ylabel("files")
        axes[1].set_title("Durations")
        if self.read_audio:
            level = ok["active_level_dbfs"].astype(float)
            finite = level[np.isfinite(level)]
            axes[2].hist(finite, bins=30)
            axes[2].axvline(SILENCE_DBFS, color="C3", ls="--", label="silence")
            n_zero = int((~np.isfinite(level)).sum())
            axes[2].set_xlabel("active level (dBFS)")
            axes[2].set_ylabel("files")
            title = "Levels" + (f" ({n_zero} all-zero files)" if n_zero else "")
            axes[2].set_title(title)
            axes[2].legend()
        if path is not None:
            fig.savefig(path, dpi=dpi)
        return fig


def _check_bunch(data):
    missing = [k for k in ("filenames", "target", "groups") if k not in data]
    if missing:
        raise ValueError(
            f"describe_corpus: data has no {', '.join(missing)}; pass a corpus Bunch "
            "from a sklearn_ser.datasets loader (filenames, target, groups)."
        )
    filenames = np.asarray(data["filenames"])
    target = np.asarray(data["target"])
    groups = np.asarray(data["groups"])
    if filenames.dtype.kind not in "US" and not all(
        isinstance(f, (str, os.PathLike)) for f in filenames
    ):
        raise TypeError(
            "describe_corpus: data['filenames'] must hold paths; in-memory waveforms "
            "are not described."
        )
    if not (len(filenames) == len(target) == len(groups)):
        raise ValueError(
            f"describe_corpus: data holds {len(filenames)} filenames, {len(target)} "
            f"targets and {len(groups)} groups; they must match."
        )
    if len(filenames) == 0:
        raise ValueError("describe_corpus: the corpus holds no utterance.")
    return [os.fspath(f) for f in filenames], target, groups


def describe_corpus(
    data, *, data_home=None, name=None, read_audio=True, n_jobs=None, verbose=0
):
    """Check a corpus before trusting a score on it.

    Reports the utterances, speakers and classes (or the range of a continuous
    target), utterances per speaker and class, the speaker-label confound
    (:func:`speaker_label_confound`), the chance levels a benchmark is measured
    against (:func:`~sklearn_ser.evaluation.chance_levels`), and, from the audio,
    durations, sample rates, channels, encodings, levels, clipped and silent
    files, duplicates (the same decoded audio under two names) and files that fail
    to read. Problem files are listed, never fatal.

    Parameters
    ----------
    data : Bunch, str or path-like
        A corpus from a :mod:`sklearn_ser.datasets` loader (or any mapping with
        ``filenames``, ``target`` and ``groups``), or a corpus name or the path of
        a manifest or folder, loaded with :func:`load_corpus` and its defaults. A
        float ``target`` is continuous.
    data_home : str or path-like, default=None
        Where a corpus given by name is looked for (see :func:`load_corpus`).
    name : str, default=None
        The corpus's name in the report; None: ``data`` when it is a name, the
        file or folder name of a path, else ``"corpus"``.
    read_audio : bool, default=True
        Decode every file once (in blocks) for levels, clipping, silence and
        duplicates; False reads the headers only (fast).
    n_jobs : int, default=None
        Files read in parallel (joblib); None is 1.
    verbose : int, default=0
        Show a progress bar when > 0.

    Returns
    -------
    description : CorpusDescription
        With ``to_markdown()``, ``plot()``, ``findings()`` and the tables.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, soundfile as sf
    >>> folder = tempfile.mkdtemp()
    >>> files = []
    >>> for i, speaker in enumerate(["a", "a", "b", "b"]):
    ...     path = os.path.join(folder, f"{i}.wav")
    ...     sf.write(path, 0.1 * np.sin(np.arange(1600) * (0.1 + i / 100)), 16000)
    ...     files.append(path)
    >>> corpus = {"filenames": files, "target": ["anger", "anger", "fear", "fear"],
    ...           "groups": ["a", "a", "b", "b"]}
    >>> description = describe_corpus(corpus)
    >>> description.confound.flagged
    True
    >>> print(description.findings()[0][:52])
    speaker-label confound: 2 of 2 speakers carry a sing
    """
    import pandas as pd

    from .._parallel import streaming_parallel
    from ..evaluation import chance_levels

    if isinstance(data, (str, os.PathLike)):
        from ._registry import load_corpus

        if name is None:
            name = os.path.splitext(os.path.basename(os.fspath(data)))[0] or data
        data = load_corpus(data, data_home)
    filenames, target, groups = _check_bunch(data)
    continuous = _is_continuous(target)
    confound = speaker_label_confound(target, groups)
    chance = chance_levels(target)

    from joblib import delayed

    rows = streaming_parallel(n_jobs)(
        delayed(_scan_one)(f, read_audio) for f in filenames
    )
    if verbose:
        from tqdm.auto import tqdm

        rows = tqdm(rows, total=len(filenames), desc=f"inspect {name}", unit="file")
    scans = pd.DataFrame(list(rows), columns=list(_SCAN_COLUMNS))
    for column in ("samplerate", "channels"):  # integers, missing where unreadable
        scans[column] = scans[column].astype("Int64")
    files = pd.concat(
        [
            pd.DataFrame({"filename": filenames, "target": target, "speaker": groups}),
            scans,
        ],
        axis=1,
    )
    if continuous:
        counts = (
            files.assign(target=files["target"].astype(float))
            .groupby("speaker")["target"]
            .agg(["count", "mean", "std", "min", "max"])
        )
        counts = counts.rename(columns={"count": "n"})
    else:
        counts = pd.crosstab(files["speaker"], files["target"])
        counts.index.name, counts.columns.name = "speaker", None
    return CorpusDescription(
        name="corpus" if name is None else str(name),
        files=files,
        continuous=continuous,
        counts=counts,
        confound=confound,
        chance=chance,
        read_audio=bool(read_audio),
    )
