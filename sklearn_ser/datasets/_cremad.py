"""CREMA-D, the crowd-sourced emotional multimodal actors dataset (audio)."""

import csv
import os
import re

from .._compat import StrOptions, validate_params
from ._base import _build_bunch, _find_corpus, _is_audio, _report

__all__ = ["load_cremad"]

CREMAD_EMOTIONS = {
    "ANG": "anger",
    "DIS": "disgust",
    "FEA": "fear",
    "HAP": "happiness",
    "NEU": "neutral",
    "SAD": "sadness",
}
CREMAD_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
CREMAD_SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
_NAME = re.compile(
    r"^(?P<actor>\d{4})_(?P<sentence>[A-Z]{3})_(?P<emotion>[A-Z]{3})_(?P<level>[A-Z]{1,2})$"
)
_LFS = b"version https://git-lfs"

DESCR = """\
CREMA-D: Crowd-sourced Emotional Multimodal Actors Dataset (audio)
------------------------------------------------------------------

Cao, Cooper, Keutmann, Gur, Nenkova and Verma, "CREMA-D: Crowd-sourced Emotional
Multimodal Actors Dataset", IEEE Transactions on Affective Computing 5(4), 2014.
License: Open Database License (ODbL) with Database Contents License; cite the paper.
91 actors (48 male, 43 female, aged 20-74, ids 1001-1091) say 12 sentences in six
emotions (the first sentence at three intensities): 7,442 clips. Layout:
``AudioWAV/<actor>_<sentence>_<EMO>_<level>.wav``, e.g. ``1001_DFA_ANG_XX.wav``;
level LO, MD, HI or XX (unspecified). Label mapping: ANG anger, DIS disgust, FEA
fear, HAP happiness, NEU neutral, SAD sadness. ``groups`` are the actors; with
``VideoDemographics.csv`` beside ``AudioWAV`` the frame also has sex and age.
Known faults of real copies, handled: ``1040_ITH_SAD_X.wav`` (level X, read as XX)
in copies before 2022; git-lfs pointer files instead of audio when the repository
was downloaded without git-lfs, and empty files, reported as errors.
"""


def _looks_like_cremad(path):
    audio = path / "AudioWAV"
    return audio.is_dir() and any(_is_audio(p) for p in audio.iterdir())


def _demographics(root):
    path = root / "VideoDemographics.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return {row["ActorID"].strip(): row for row in csv.DictReader(fh)}


def _content_problem(path):
    """Why a file cannot be audio (empty, git-lfs pointer), or None."""
    size = path.stat().st_size
    if size == 0:
        return "empty file"
    with open(path, "rb") as fh:
        head = fh.read(len(_LFS))
    if head == _LFS:
        return "a git-lfs pointer, not audio (clone the repository with git lfs)"
    return None


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_cremad(data_home=None, *, as_frame=False, on_error="raise"):
    """Load the audio of CREMA-D (English, 91 actors, 6 emotions, 7,442 clips).

    Reads the file names (and the first bytes of each file, to catch the git-lfs
    pointers a download without git-lfs leaves). The corpus folder is
    ``<data_home>/cremad`` (or ``CREMA-D``, ``crema-d``) or, when ``data_home`` is
    given, ``data_home`` itself: the folder holding ``AudioWAV/``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``cremad/``, or the CREMA-D folder itself.
    as_frame : bool, default=False
        Also return ``frame`` with ``filename``, ``target``, ``speaker``,
        ``sentence``, ``sentence_text``, ``level``, ``emotion_code`` and, with
        ``VideoDemographics.csv``, ``sex`` and ``age``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with files in ``AudioWAV`` whose name does not parse or holds an
        unknown code, and with empty or git-lfs pointer files.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames``, ``target``, ``groups`` (actor ids), ``target_names``,
        ``sentences``, ``levels``, ``frame`` and ``DESCR``.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_cremad
    >>> crema = load_cremad("/data/CREMA-D")  # doctest: +SKIP
    >>> crema.filenames.shape, len(set(crema.groups))  # doctest: +SKIP
    ((7442,), 91)
    """
    root = _find_corpus(
        data_home,
        ["cremad", "CREMA-D", "crema-d"],
        _looks_like_cremad,
        "CREMA-D",
        "<folder>/AudioWAV/<actor>_<sentence>_<EMO>_<level>.wav",
    )
    demographics = _demographics(root)
    keys = ["filename", "target", "speaker", "sentence", "sentence_text", "level"]
    keys += ["emotion_code"] + (["sex", "age"] if demographics else [])
    columns = {k: [] for k in keys}
    problems = []
    for path in sorted((root / "AudioWAV").iterdir()):
        if not _is_audio(path):
            continue
        match = _NAME.match(path.stem)
        if match is None:
            problems.append(f"{path}: not <actor>_<sentence>_<EMO>_<level>")
            continue
        level = "XX" if match["level"] == "X" else match["level"]
        checks = [
            (match["sentence"], CREMAD_SENTENCES, "sentence"),
            (match["emotion"], CREMAD_EMOTIONS, "emotion"),
            (level, CREMAD_LEVELS, "level"),
        ]
        bad = [
            f"unknown {what} code {code!r} (expected one of {', '.join(known)})"
            for code, known, what in checks
            if code not in known
        ]
        content = _content_problem(path)
        if bad or content:
            problems.append(f"{path}: {bad[0] if bad else content}")
            continue
        actor = match["actor"]
        columns["filename"].append(str(path))
        columns["target"].append(CREMAD_EMOTIONS[match["emotion"]])
        columns["speaker"].append(actor)
        columns["sentence"].append(match["sentence"])
        columns["sentence_text"].append(CREMAD_SENTENCES[match["sentence"]])
        columns["level"].append(CREMAD_LEVELS[level])
        columns["emotion_code"].append(match["emotion"])
        if demographics:
            row = demographics.get(actor, {})
            columns["sex"].append(row.get("Sex", "").strip().lower())
            columns["age"].append(row.get("Age", "").strip())
    _report(problems, on_error, what="CREMA-D files at fault")
    return _build_bunch(
        columns,
        {"sentences": "sentence", "levels": "level"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )
