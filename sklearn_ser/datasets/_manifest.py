"""Your own data: a manifest (CSV or TSV) listing audio files, labels and speakers."""

import os
from pathlib import Path

import numpy as np

from .._compat import StrOptions, validate_params
from .._task import TASKS, column_task, parse_rating
from ._base import _build_bunch, _map_label, _report

__all__ = ["load_manifest"]

# Bunch columns made by the loader; manifest columns of the same name are renamed.
_OWN = ("filename", "target", "speaker")


#: The separators tried when ``sep`` is None, in this order of preference.
SEPARATORS = (",", ";", "\t")


def _sniff_sep(path):
    """The separator of ``path``: the one of :data:`SEPARATORS` that splits the
    header row into the most columns (on a tie, tab for ``.tsv``/``.tab`` files,
    else the first in :data:`SEPARATORS`)."""
    import csv

    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next((line for line in fh if line.strip()), "")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a readable UTF-8 text table: {exc}") from None
    counts = {sep: len(next(csv.reader([header], delimiter=sep))) for sep in SEPARATORS}
    best = max(counts.values())
    if path.suffix.lower() in (".tsv", ".tab") and counts["\t"] == best:
        return "\t"
    return next(sep for sep in SEPARATORS if counts[sep] == best)


def _read_table(path, sep):
    import pandas as pd

    if sep is None:
        sep = _sniff_sep(path)
    try:
        frame = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{path}: not a readable {sep!r}-separated table: {exc}"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _check_columns(frame, path, wanted):
    missing = [f"{param}={col!r}" for param, col in wanted.items() if col not in frame]
    if missing:
        raise ValueError(
            f"{path}: no column {', '.join(missing)}; its columns are "
            f"{list(frame.columns)}. Name the right ones with path_column=, "
            "label_column=, speaker_column=."
        )


@validate_params(
    {
        "path": [str, os.PathLike],
        "path_column": [str],
        "label_column": [str],
        "speaker_column": [str],
        "label_map": [dict, None],
        "sep": [str, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
        "task": [StrOptions(set(TASKS))],
    },
    prefer_skip_nested_validation=True,
)
def load_manifest(
    path,
    *,
    path_column="path",
    label_column="label",
    speaker_column="speaker",
    label_map=None,
    sep=None,
    as_frame=False,
    on_error="raise",
    task="auto",
):
    """Load your own corpus from a manifest: one row per utterance.

    The manifest is a text table with a header row, its columns separated by
    ``,``, ``;`` or a tab: the separator is the one that splits the header row into
    the most columns, unless ``sep`` names it. Three columns are needed: the audio
    path, the label and the speaker (their names are configurable). Relative paths
    are resolved against the manifest's folder, so a manifest travels with its
    audio. Every other column is kept in ``frame``. Nothing is read but the table;
    the audio files are only checked to exist.

    Labels are your own: any names work (``"frustrated"``, ``"high arousal"``),
    kept as written but for surrounding spaces; a word of the shared vocabulary
    (:data:`EMOTIONS`) in any case becomes that word (``"Sadness"`` ->
    ``"sadness"``). Labels that differ only in case or spacing (``"Calmish"``,
    ``"calmish"``) stay separate classes, with a warning. A label of ``-1`` marks an
    unlabeled utterance (the rule of :func:`sklearn_ser._labels.unlabeled_mask`).
    The vocabulary is needed only to compare corpora
    (:func:`~sklearn_ser.evaluation.evaluate_cross_corpus`): ``label_map`` maps
    labels onto it there, or merges and drops labels anywhere. Problems (a missing
    file, an empty label, an empty speaker) are collected over the whole manifest
    and reported together, each with its line number: one :class:`ValueError`, or
    with ``on_error="warn"`` one warning, the rows left out.

    Parameters
    ----------
    path : str or path-like
        The manifest file.
    path_column, label_column, speaker_column : str, default="path", "label", \
"speaker"
        Column names of the audio path, the label and the speaker.
    label_map : dict, default=None
        Raw label -> label, e.g. ``{"angry": "anger", "happy": "happiness"}`` onto
        the vocabulary, or ``{"annoyed": "frustrated"}`` to merge two of your own;
        a value of None drops the rows with that label. Labels not in the map are
        kept.
    sep : str, default=None
        Column separator; when None, the one of ``,``, ``;`` and tab that splits
        the header row into the most columns (tab on a tie for ``.tsv``/``.tab``
        files).
    as_frame : bool, default=False
        Also return ``frame``: ``filename`` (resolved), ``target``, ``speaker``,
        ``raw_label`` and every other manifest column (renamed ``manifest_<name>``
        when it clashes with those).
    on_error : {"raise", "warn"}, default="raise"
        What to do with rows at fault.
    task : {"auto", "classification", "regression"}, default="auto"
        Whether the label column holds class labels or continuous ratings
        (arousal, valence...). ``"auto"`` follows the rule of
        :mod:`sklearn_ser._task`: ratings when every value is a number and one at
        least is not whole (``0.5``); whole numbers stay class labels unless
        ``"regression"`` is asked for. Ratings come back as a float ``target``
        (``-1`` is a rating, not the unlabeled marker), ``target_names`` holds the
        column's name, and a cell that is not a number is a row at fault.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (sorted, absolute), ``target``, ``groups`` (speakers),
        ``target_names``, ``lines`` (the manifest line of each utterance),
        ``frame`` (with ``as_frame=True``, else None) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When the manifest itself does not exist.
    ValueError
        A missing column (naming the columns there are), or rows at fault with
        ``on_error="raise"``, listing all of them.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_manifest
    >>> data = load_manifest(
    ...     "corpus/labels.csv", label_map={"angry": "anger"}
    ... )  # doctest: +SKIP
    >>> data.filenames[0], data.target[0], data.groups[0]  # doctest: +SKIP
    ('/data/corpus/spk1/001.wav', 'anger', 'spk1')
    """
    manifest = Path(path).expanduser()
    if not manifest.is_file():
        raise FileNotFoundError(f"manifest not found: {manifest}")
    frame = _read_table(manifest, sep)
    _check_columns(
        frame,
        manifest,
        {
            "path_column": path_column,
            "label_column": label_column,
            "speaker_column": speaker_column,
        },
    )
    regression = column_task(frame[label_column], task=task) == "regression"
    if regression and label_map:
        raise ValueError(
            f"{manifest}: label_map is for class labels, but column "
            f"{label_column!r} holds continuous ratings (task={task!r})."
        )
    base = manifest.resolve().parent
    used = {path_column, label_column, speaker_column}
    others = [c for c in frame.columns if c not in used]
    renamed = {c: (f"manifest_{c}" if c in (*_OWN, "raw_label") else c) for c in others}
    columns = {k: [] for k in (*_OWN, "raw_label", "line", *renamed.values())}
    problems, seen = [], {}
    for i, row in enumerate(frame.to_dict("records")):
        line = i + 2  # the header is line 1
        where = f"{manifest}:{line}"
        raw_path = row[path_column].strip()
        speaker = row[speaker_column].strip()
        if not raw_path:
            problems.append(f"{where}: empty {path_column!r}")
            continue
        audio = Path(raw_path).expanduser()
        # Lexical normalisation only ("a/../b" -> "b"): symbolic links are kept.
        audio = Path(os.path.normpath(audio if audio.is_absolute() else base / audio))
        if regression:
            target, problem = parse_rating(row[label_column])
            problem = problem and f"{label_column!r}: {problem}"
        else:
            target, problem = _map_label(row[label_column], label_map)
        if problem is None and target is None:
            continue  # dropped by label_map
        if problem is None and not speaker:
            problem = f"empty {speaker_column!r}"
        if problem is None and not audio.is_file():
            problem = f"audio file not found: {audio}"
        if problem is None and str(audio) in seen:
            problem = f"{audio} is already listed on line {seen[str(audio)]}"
        if problem is not None:
            problems.append(f"{where}: {problem}")
            continue
        seen[str(audio)] = line
        columns["filename"].append(str(audio))
        columns["target"].append(target)
        columns["speaker"].append(speaker)
        columns["raw_label"].append(row[label_column])
        columns["line"].append(line)
        for c in others:
            columns[renamed[c]].append(row[c])
    _report(problems, on_error, what=f"rows of {manifest} at fault")
    descr = (
        f"Manifest corpus\n---------------\n\nLoaded from {manifest}: one row per "
        f"utterance; audio paths from column {path_column!r} (relative ones "
        f"resolved against {base}), labels from {label_column!r}"
        + (" through label_map" if label_map else "")
        + f", speakers from {speaker_column!r}. Other columns: "
        + (", ".join(others) if others else "none")
        + ". ``lines`` gives each utterance's line in the manifest."
    )
    bunch = _build_bunch(
        columns,
        {"lines": "line"},
        descr=descr,
        as_frame=as_frame,
        corpus_dir=manifest,
        own_labels=True,
    )
    if regression:
        # sorted like the bunch; a float target is what marks ratings
        order = np.argsort(np.asarray(columns["filename"], dtype=str), kind="stable")
        bunch.target = np.asarray(columns["target"], dtype=float)[order]
        bunch.target_names = np.asarray([label_column])
        if bunch.frame is not None:
            bunch.frame["target"] = bunch.target
    return bunch
