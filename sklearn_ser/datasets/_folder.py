"""Your own data: a folder tree whose labels come from folder or file names."""

import os
import re
from pathlib import Path

from .._compat import StrOptions, validate_params
from ._base import _build_bunch, _is_audio, _map_label, _report

__all__ = ["load_folder"]

#: The default layout: ``<root>/<speaker>/<label>/<file>``.
FOLDER_PATTERN = r"(?P<speaker>[^/]+)/(?P<label>[^/]+)/[^/]+"


def _compile(pattern):
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ValueError(
            f"pattern {pattern!r} is not a regular expression: {exc}"
        ) from None
    missing = [g for g in ("label", "speaker") if g not in regex.groupindex]
    if missing:
        raise ValueError(
            f"pattern {pattern!r} lacks the named group(s) "
            f"{', '.join(f'(?P<{g}>...)' for g in missing)}."
        )
    return regex


@validate_params(
    {
        "root": [str, os.PathLike],
        "pattern": [str, None],
        "label_map": [dict, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_folder(
    root, pattern=None, *, label_map=None, as_frame=False, on_error="raise"
):
    """Load your own corpus from a folder tree of audio files.

    Every audio file under ``root`` (any format libsndfile reads, hidden files
    ignored) is an utterance. Its label and speaker come from

    - folder names, by default: ``<root>/<speaker>/<label>/<file>``;
    - or ``pattern``, a regular expression with the named groups ``label`` and
      ``speaker``. Without a ``/`` it must match the whole file name without its
      suffix (``r"(?P<speaker>\\d+)_(?P<label>[a-z]+)_\\d+"`` for
      ``12_angry_3.wav``); with one, the whole path relative to ``root`` without
      the suffix (``r"(?P<speaker>[^/]+)/(?P<label>[^/_]+)_.*"``).

    Labels must be in the shared vocabulary (:data:`EMOTIONS`, any case) or mapped
    there by ``label_map``. Files that do not match, or whose label is unknown,
    are reported together: one :class:`ValueError`, or one warning with
    ``on_error="warn"``, those files left out.

    Parameters
    ----------
    root : str or path-like
        The top folder.
    pattern : str, default=None
        The regular expression; None for the folder layout above.
    label_map : dict, default=None
        Raw label -> vocabulary label; a value of None drops those files.
    as_frame : bool, default=False
        Also return ``frame`` with ``filename``, ``target``, ``speaker``,
        ``raw_label`` and a column per other named group of ``pattern``.
    on_error : {"raise", "warn"}, default="raise"

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (sorted), ``target``, ``groups``, ``target_names``,
        ``frame`` and ``DESCR``.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_folder
    >>> data = load_folder(
    ...     "/data/mine",
    ...     r"(?P<speaker>[a-z]+\\d)_(?P<label>\\w+?)_\\d+",
    ...     label_map={"angry": "anger", "happy": "happiness"},
    ... )  # doctest: +SKIP
    """
    top = Path(root).expanduser()
    if not top.is_dir():
        raise FileNotFoundError(f"folder not found: {top}")
    regex = _compile(FOLDER_PATTERN if pattern is None else pattern)
    on_path = pattern is None or "/" in pattern
    extra = [g for g in regex.groupindex if g not in ("label", "speaker")]
    columns = {k: [] for k in ("filename", "target", "speaker", "raw_label", *extra)}
    problems = []
    for path in sorted(top.rglob("*")):
        if not _is_audio(path) or any(
            part.startswith(".") for part in path.relative_to(top).parts
        ):
            continue
        rel = path.relative_to(top).with_suffix("").as_posix()
        subject = rel if on_path else path.stem
        match = regex.fullmatch(subject)
        if match is None:
            what = "path" if on_path else "file name"
            layout = "<speaker>/<label>/<file>" if pattern is None else pattern
            problems.append(f"{path}: {what} {subject!r} does not match {layout}")
            continue
        target, problem = _map_label(match["label"], label_map)
        if problem is None and target is None:
            continue
        if problem is None and not match["speaker"]:
            problem = "empty speaker"
        if problem is not None:
            problems.append(f"{path}: {problem}")
            continue
        columns["filename"].append(str(path))
        columns["target"].append(target)
        columns["speaker"].append(match["speaker"])
        columns["raw_label"].append(match["label"])
        for g in extra:
            columns[g].append(match[g])
    _report(problems, on_error, what=f"files under {top} at fault")
    if not columns["filename"] and not problems:
        raise ValueError(f"no audio file under {top}.")
    source = (
        "folder names <root>/<speaker>/<label>/<file>"
        if pattern is None
        else f"the pattern {pattern!r} matched against each "
        + ("relative path" if on_path else "file name")
    )
    descr = (
        f"Folder corpus\n-------------\n\nEvery audio file under {top}; labels and "
        f"speakers from {source}"
        + (", labels through label_map" if label_map else "")
        + ". Hidden files and folders are ignored; any format libsndfile reads is "
        "accepted."
    )
    return _build_bunch(columns, {}, descr=descr, as_frame=as_frame, corpus_dir=top)
