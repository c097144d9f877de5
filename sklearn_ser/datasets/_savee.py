"""SAVEE, the Surrey audio-visual expressed emotion database (audio)."""

import os
import re

from .._compat import StrOptions, validate_params
from ._base import _build_bunch, _find_corpus, _is_audio, _report

__all__ = ["load_savee"]

SAVEE_SPEAKERS = ("DC", "JE", "JK", "KL")
SAVEE_EMOTIONS = {
    "a": "anger",
    "d": "disgust",
    "f": "fear",
    "h": "happiness",
    "n": "neutral",
    "sa": "sadness",
    "su": "surprise",
}
# Two-letter codes first, so that "sa01" is not read as "s" + "a01".
_FLAT = re.compile(r"^(?P<speaker>[A-Za-z]{2})_(?P<emotion>sa|su|[adfhn])(?P<n>\d{2})$")
_BARE = re.compile(r"^(?P<emotion>sa|su|[adfhn])(?P<n>\d{2})$")

DESCR = """\
SAVEE: Surrey Audio-Visual Expressed Emotion database (audio)
-------------------------------------------------------------

Haq and Jackson, "Speaker-dependent audio-visual emotion recognition", AVSP 2009;
Haq, Jackson and Edge, "Audio-visual feature selection and reduction for emotion
classification", AVSP 2008. Free for research use on request to its authors (cite
them). Four male British English speakers (DC, JE, JK, KL) say 15 sentences per
emotion in seven emotions, neutral 30: 480 utterances, 120 per speaker. Layouts: the
official ``AudioData/<speaker>/<emo><nn>.wav`` (``AudioData/DC/sa01.wav``) and the
flat ``<speaker>_<emo><nn>.wav`` of common redistributions (``DC_sa01.wav``). Label
mapping: a anger, d disgust, f fear, h happiness, n neutral, sa sadness, su
surprise. ``groups`` are the speakers; ``sentences`` the two-digit numbers.
"""


def _candidates(path):
    """Audio files of either layout under ``path``."""
    data = path / "AudioData"
    if data.is_dir():
        path = data
    for item in sorted(path.iterdir()):
        if item.is_dir() and item.name.upper() in SAVEE_SPEAKERS:
            yield from ((p, item.name.upper()) for p in sorted(item.iterdir()))
        elif item.is_file():
            yield item, None


def _looks_like_savee(path):
    return any(
        _is_audio(p) and (_FLAT.match(p.stem) if spk is None else _BARE.match(p.stem))
        for p, spk in _candidates(path)
    )


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_savee(data_home=None, *, as_frame=False, on_error="raise"):
    """Load SAVEE (British English, 4 male speakers, 7 emotions, 480 utterances).

    Reads the file names only. The corpus folder is ``<data_home>/savee`` (or
    ``SAVEE``) or, when ``data_home`` is given, ``data_home`` itself: the folder
    holding ``AudioData/<speaker>/`` (official) or the flat
    ``<speaker>_<emo><nn>.wav`` files.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``savee/``, or the SAVEE folder itself.
    as_frame : bool, default=False
        Also return ``frame`` with ``filename``, ``target``, ``speaker``,
        ``sentence``, ``emotion_code``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with audio files whose name is not ``<emo><nn>`` (in a speaker
        folder) or ``<speaker>_<emo><nn>`` (flat), names an unknown speaker, or
        names another speaker than its folder.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames``, ``target``, ``groups``, ``target_names``, ``sentences``,
        ``frame`` and ``DESCR``.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_savee
    >>> savee = load_savee("/data/SAVEE")  # doctest: +SKIP
    >>> savee.filenames.shape, sorted(set(savee.groups))  # doctest: +SKIP
    ((480,), ['DC', 'JE', 'JK', 'KL'])
    """
    root = _find_corpus(
        data_home,
        ["savee", "SAVEE"],
        _looks_like_savee,
        "SAVEE",
        "<folder>/AudioData/<speaker>/<emo><nn>.wav or "
        "<folder>/<speaker>_<emo><nn>.wav",
    )
    columns = {k: [] for k in ("filename", "target", "speaker", "sentence")}
    columns["emotion_code"] = []
    problems = []
    for path, folder in _candidates(root):
        if not _is_audio(path):
            continue
        if folder is None:
            match = _FLAT.match(path.stem)
            expected = "<speaker>_<emo><nn>"
        else:
            match = _FLAT.match(path.stem) or _BARE.match(path.stem)
            expected = "<emo><nn>"
        if match is None:
            problems.append(
                f"{path}: not {expected} with emo one of {', '.join(SAVEE_EMOTIONS)}"
            )
            continue
        named = match.groupdict().get("speaker")
        speaker = (named or folder).upper()
        if speaker not in SAVEE_SPEAKERS:
            problems.append(
                f"{path}: unknown speaker {speaker!r} "
                f"(expected one of {', '.join(SAVEE_SPEAKERS)})"
            )
            continue
        if folder is not None and speaker != folder:
            problems.append(f"{path}: speaker {speaker!r} in the folder of {folder}")
            continue
        columns["filename"].append(str(path))
        columns["target"].append(SAVEE_EMOTIONS[match["emotion"]])
        columns["speaker"].append(speaker)
        columns["sentence"].append(match["n"])
        columns["emotion_code"].append(match["emotion"])
    _report(problems, on_error, what="SAVEE files with unexpected names")
    return _build_bunch(
        columns,
        {"sentences": "sentence"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )
