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


def _separator(stem):
    """The first separator (``_``, ``-``, ``.`` or a space) in a file name, if any."""
    return next((c for c in stem if c in "_-. "), None)


def _layout_error(top, rels, pattern):
    """The one error when no file matches: the layout found and a pattern to try.

    ``rels`` are the audio files' paths relative to ``top``, without suffix. The
    layout is that of most files; the suggested pattern matches its example.
    """
    depths = {}
    for rel in rels:
        depths.setdefault(rel.count("/"), []).append(rel)
    depth, found = max(depths.items(), key=lambda item: len(item[1]))
    example = found[0]
    sep = _separator(example.rsplit("/", 1)[-1])
    part = "[^/]+" if sep is None else f"[^/{re.escape(sep)}]+"
    if depth == 0:
        layout = (
            f"{len(found)} file(s) sit directly in the folder (e.g. {example!r}): "
            "speaker and label must come from the file name"
        )
        if sep is None:
            suggest = r"(?P<speaker>[a-z]+\d+)(?P<label>[a-z]+)\d*"
            shape = "names like spk1angry3 (no separator found in yours)"
        else:
            suggest = (
                f"(?P<speaker>{part}){re.escape(sep)}(?P<label>{part})"
                f"(?:{re.escape(sep)}.*)?"
            )
            shape = f"names like <speaker>{sep}<label>{sep}<anything>"
    elif depth == 1:
        layout = (
            f"{len(found)} file(s) sit one folder below it (e.g. {example!r}): "
            "this looks like <label>/<file> with no speaker level (or "
            "<speaker>/<file> with no label level)"
        )
        if sep is None:
            layout += (
                "; the file names hold no second field either, so put each "
                "speaker's label folders in a folder of their own "
                "(<speaker>/<label>/<file>) or start the file names with the speaker"
            )
            sep = "_"
            part = "[^/_]+"
        s = re.escape(sep)
        suggest = f"(?P<label>[^/]+)/(?P<speaker>{part}){s}[^/]*"
        shape = (
            f"<label>/<speaker>{sep}<anything> (the speaker in the file name), or "
            f"'(?P<speaker>[^/]+)/(?P<label>{part}){s}[^/]*' for "
            f"<speaker>/<label>{sep}<anything>"
        )
    else:
        layout = f"{len(found)} file(s) sit {depth} folders below it (e.g. {example!r})"
        named = ["(?P<speaker>[^/]+)", "(?P<label>[^/]+)", "[^/]+"]
        suggest = "/".join(["[^/]+"] * (depth - 2) + named)
        shape = "/".join(["<any>"] * (depth - 2) + ["<speaker>", "<label>", "<file>"])
    wanted = (
        "the default layout <speaker>/<label>/<file>"
        if pattern is None
        else f"the pattern '{pattern}'"
    )
    return ValueError(
        f"none of the {len(rels)} audio files under {top} matches {wanted}; "
        f"{layout}. Give a pattern with the named groups speaker and label "
        f"(pattern= here, --pattern on the command line), e.g. '{suggest}' for "
        f"{shape}. A pattern without '/' is matched against the file name without "
        "suffix, one with '/' against the path under the folder."
    )


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

    Labels are your own, as in :func:`load_manifest`: any names, kept as written
    but for surrounding spaces, a vocabulary word (:data:`EMOTIONS`) in any case
    becoming that word; ``label_map`` maps them onto the vocabulary (needed only to
    compare corpora), merges or drops them. When no file matches the layout, one
    :class:`ValueError` names the layout found (``<label>/<file>`` with no speaker
    level, a flat folder...) and suggests a ``pattern`` for it. Otherwise the files
    that do not match, or whose label is empty, are reported together: one
    :class:`ValueError`, or one warning with ``on_error="warn"``, those files left
    out.

    Parameters
    ----------
    root : str or path-like
        The top folder.
    pattern : str, default=None
        The regular expression; None for the folder layout above.
    label_map : dict, default=None
        Raw label -> label (onto the vocabulary, or one of your own); a value of
        None drops those files. Labels not in the map are kept.
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
    problems, unmatched, n_audio = [], [], 0
    for path in sorted(top.rglob("*")):
        if not _is_audio(path) or any(
            part.startswith(".") for part in path.relative_to(top).parts
        ):
            continue
        rel = path.relative_to(top).with_suffix("").as_posix()
        subject = rel if on_path else path.stem
        match = regex.fullmatch(subject)
        n_audio += 1
        if match is None:
            unmatched.append(rel)
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
    if unmatched and len(unmatched) == n_audio:
        # Nothing matches: the layout is wrong, not the files; say which it is.
        raise _layout_error(top, unmatched, pattern)
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
    return _build_bunch(
        columns, {}, descr=descr, as_frame=as_frame, corpus_dir=top, own_labels=True
    )
