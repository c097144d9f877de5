"""What every corpus loader shares: the data home, finding a corpus, the Bunch.

Every loader takes ``data_home`` as its first argument and accepts either

* the *data home*, a folder holding one sub-folder per corpus (``<home>/emovo``,
  ``<home>/emodb``, ...), or
* the corpus folder itself (``load_emovo("/data/emovo")``).

With ``data_home=None`` the home is :func:`get_data_home`'s answer. When the corpus is
in none of the places tried, :class:`FileNotFoundError` lists every one of them and why
it was rejected.
"""

import functools
import os
import warnings
from pathlib import Path

import numpy as np
import soundfile as sf
from sklearn.utils import Bunch

__all__ = ["EMOTIONS", "get_data_home"]

#: The one emotion vocabulary shared by every loader's ``target``.
EMOTIONS = (
    "anger",
    "boredom",
    "calm",
    "disgust",
    "fear",
    "happiness",
    "neutral",
    "sadness",
    "surprise",
)

DATA_HOME_ENV = "SKLEARN_SER_DATA"
DEFAULT_DATA_HOME = os.path.join("~", "sklearn_ser_data")

# How many problem items a message spells out before summarising the rest.
_MAX_LISTED = 50


def get_data_home(data_home=None):
    """Return the folder that holds the speech corpora.

    The answer is, in this order: ``data_home`` when given, else the environment
    variable ``SKLEARN_SER_DATA`` when set and not empty, else ``~/sklearn_ser_data``.
    ``~`` and environment variables in the path are expanded. Unlike
    :func:`sklearn.datasets.get_data_home` the folder is not created: the loaders only
    read, and :func:`fetch_emodb` creates it when it downloads.

    Parameters
    ----------
    data_home : str or path-like, default=None
        An explicit folder, returned expanded.

    Returns
    -------
    data_home : str
        The path of the data home (it may not exist).

    Examples
    --------
    >>> from sklearn_ser.datasets import get_data_home
    >>> get_data_home("/srv/corpora")
    '/srv/corpora'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or DEFAULT_DATA_HOME
    return os.path.expandvars(os.path.expanduser(os.fspath(data_home)))


def _home_origin(data_home):
    if data_home is not None:
        return "the data_home argument"
    if os.environ.get(DATA_HOME_ENV):
        return f"the environment variable {DATA_HOME_ENV}"
    return f"the default {DEFAULT_DATA_HOME} ({DATA_HOME_ENV} is not set)"


def _find_corpus(data_home, folder_names, looks_like, corpus, expected):
    """Return the corpus folder as a :class:`~pathlib.Path`.

    Tries ``<home>/<name>`` for each name in ``folder_names``, then, when the caller
    passed ``data_home`` explicitly, ``data_home`` itself (a direct path to the corpus).
    A candidate is accepted when ``looks_like(path)`` is true.

    Raises
    ------
    FileNotFoundError
        Listing every candidate, why it was rejected, and what was expected there.
    """
    home = Path(get_data_home(data_home))
    candidates = [home / name for name in folder_names]
    if data_home is not None:
        candidates.append(home)
    looked = []
    for candidate in candidates:
        if not candidate.exists():
            looked.append(f"  {candidate} (does not exist)")
        elif not candidate.is_dir():
            looked.append(f"  {candidate} (not a folder)")
        elif looks_like(candidate):
            return candidate
        else:
            looked.append(f"  {candidate} (exists, but holds no {corpus} files)")
    raise FileNotFoundError(
        f"{corpus} corpus not found. The data home {home} comes from "
        f"{_home_origin(data_home)}. Looked in:\n"
        + "\n".join(looked)
        + f"\nExpected layout: {expected}. Pass data_home= (the folder holding "
        f"{folder_names[0]}/, or the corpus folder itself) or set {DATA_HOME_ENV}."
    )


def _is_hidden(path):
    # Skip dot-files such as macOS resource forks (._x.wav) that archives often carry.
    return path.name.startswith(".")


@functools.cache
def _audio_suffixes():
    """File suffixes (lower case, with the dot) of the formats libsndfile reads here."""
    suffixes = {f".{name.lower()}" for name in sf.available_formats()}
    # Formats whose usual suffix is not their libsndfile name.
    aliases = {".aiff": ".aif", ".ogg": ".oga", ".wavex": ".wav"}
    suffixes |= {alias for name, alias in aliases.items() if name in suffixes}
    if ".ogg" in suffixes:
        suffixes.add(".opus")
    return frozenset(suffixes)


def _is_audio(path):
    """Whether ``path`` is a visible file with a suffix libsndfile reads."""
    return (
        not _is_hidden(path)
        and path.suffix.lower() in _audio_suffixes()
        and path.is_file()
    )


def _own_label(value):
    """A label of your own data as kept: stripped of surrounding spaces.

    A word of the shared vocabulary (:data:`EMOTIONS`), in any case, becomes that
    word, so own data that uses the vocabulary compares with the public corpora;
    every other label is kept as written (``"High arousal"`` stays so).
    """
    key = str(value).strip()
    return key.lower() if key.lower() in EMOTIONS else key


def _map_label(raw, label_map):
    """``(target, problem)`` for a raw label of your own data: one of them is None.

    With ``label_map`` the raw label is looked up there first (a value of None
    drops the utterance: ``(None, None)``); the label (mapped or not) is then kept
    as :func:`_own_label` says. Any label set works within one corpus: the shared
    vocabulary is needed only to compare corpora (cross-corpus evaluation checks
    it). An empty label, or one that reads as a missing value, is a problem.
    """
    from .._labels import _missing_mask

    key = str(raw).strip()
    if label_map is not None and (key in label_map or raw in label_map):
        value = label_map[key] if key in label_map else label_map[raw]
        if value is None:
            return None, None
        label = _own_label(value)
        if not label:
            return None, (
                f"label_map maps {key!r} to an empty label; map it to None to drop "
                "those rows"
            )
        return label, None
    if not key:
        return None, "empty label"
    if _missing_mask(np.asarray([key]))[0]:
        return None, (
            f"label {key!r} reads as a missing value; mark unlabeled utterances "
            "with -1, or drop them (label_map={...: None})"
        )
    return _own_label(key), None


def _warn_near_duplicates(target, where):
    """Warn once when labels differ only in case or inner spacing.

    They are separate classes (``"Frustrated"`` and ``"frustrated"``), which is
    seldom what was meant; the warning names them and the cure (``label_map``).
    """
    spellings = {}
    for label in sorted(set(target.tolist())):
        spellings.setdefault(" ".join(label.split()).casefold(), []).append(label)
    clashes = [names for names in spellings.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(" / ".join(map(repr, names)) for names in clashes)
        warnings.warn(
            f"{where}: labels that differ only in case or spacing are separate "
            f"classes: {listed}. If they mean the same, map them onto one with "
            "label_map= (--label-map on the command line).",
            UserWarning,
            stacklevel=3,
        )


def _any_file(root, pattern):
    """Whether ``root.glob(pattern)`` yields one visible file (stops at the first)."""
    return any(p.is_file() and not _is_hidden(p) for p in root.glob(pattern))


def _format_items(items):
    shown = [f"  {item}" for item in items[:_MAX_LISTED]]
    if len(items) > _MAX_LISTED:
        shown.append(f"  ... and {len(items) - _MAX_LISTED} more")
    return "\n".join(shown)


def _report(problems, on_error, *, what, exc_type=ValueError):
    """Raise (``on_error="raise"``) or warn once about every problem item.

    ``problems`` is a list of strings, each naming the file (and line) and the reason.
    With ``"warn"`` the items have already been left out by the caller; the single
    warning says so.
    """
    if not problems:
        return
    n = len(problems)
    if on_error == "raise":
        raise exc_type(
            f"{n} {what}:\n{_format_items(problems)}\n"
            "Pass on_error='warn' to skip them with a warning instead."
        )
    warnings.warn(
        f"Skipped {n} {what}:\n{_format_items(problems)}", UserWarning, stacklevel=3
    )


def _build_bunch(columns, extras, *, descr, as_frame, corpus_dir, own_labels=False):
    """Assemble the returned :class:`~sklearn.utils.Bunch`, sorted by file name.

    Parameters
    ----------
    columns : dict
        Column name -> list, one entry per utterance. Must hold ``filename``,
        ``target`` and ``speaker``; every column becomes a frame column.
    extras : dict
        Bunch key -> column name (or callable taking the sorted columns and returning
        an array) for the corpus-specific arrays, e.g. ``{"sentences": "sentence"}``.
    own_labels : bool, default=False
        False for the named corpora, whose labels must be in :data:`EMOTIONS` (a
        mapping table bug otherwise); True for your own data, whose labels are
        kept as given (with a warning for labels that differ only in case).
    """
    n = len(columns["filename"])
    if n == 0:
        raise ValueError(
            f"No usable utterance found in {corpus_dir}: every candidate file was "
            "skipped (see the warning above) or filtered out."
        )
    order = np.argsort(np.asarray(columns["filename"], dtype=str), kind="stable")
    cols = {name: [values[i] for i in order] for name, values in columns.items()}
    filenames = np.asarray(cols["filename"], dtype=str)
    target = np.asarray(cols["target"], dtype=str)
    if own_labels:
        _warn_near_duplicates(target, corpus_dir)
    else:
        unknown = sorted(set(target) - set(EMOTIONS))
        if unknown:  # a mapping table bug, never a user error
            raise AssertionError(f"labels outside the shared vocabulary: {unknown}")
    bunch = Bunch(
        filenames=filenames,
        target=target,
        groups=np.asarray(cols["speaker"], dtype=str),
        target_names=np.unique(target),
        DESCR=descr,
        frame=None,
    )
    for key, source in extras.items():
        bunch[key] = source(cols) if callable(source) else np.asarray(cols[source])
    if as_frame:
        import pandas as pd

        bunch.frame = pd.DataFrame(cols)
    return bunch
