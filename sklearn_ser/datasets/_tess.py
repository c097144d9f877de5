"""TESS, the Toronto emotional speech set."""

import os
import re

from .._compat import StrOptions, validate_params
from ._base import _build_bunch, _find_corpus, _is_audio, _report

__all__ = ["load_tess"]

TESS_SPEAKERS = {"OAF": "older adult female (64)", "YAF": "younger adult female (26)"}
# Emotion word of the file names -> target.
TESS_EMOTIONS = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "happiness",
    "neutral": "neutral",
    "ps": "surprise",
    "sad": "sadness",
}
# Folder spellings of the real copies: OAF_Fear, OAF_Pleasant_surprise, OAF_Sad,
# YAF_pleasant_surprised, ... (case varies; pleasant surprise has two spellings).
_FOLDER_EMOTIONS = {
    **{k: k for k in TESS_EMOTIONS},
    "pleasant_surprise": "ps",
    "pleasant_surprised": "ps",
}
_FOLDER = re.compile(r"^(?P<speaker>OAF|YAF)_(?P<emotion>.+)$", re.IGNORECASE)
_NAME = re.compile(r"^(?P<speaker>OAF|YAF)_(?P<word>[A-Za-z]+)_(?P<emotion>[A-Za-z]+)$")

DESCR = """\
TESS: Toronto Emotional Speech Set
----------------------------------

Dupuis and Pichora-Fuller, "Toronto emotional speech set (TESS)", University of
Toronto, Psychology Department, 2010, https://doi.org/10.5683/SP2/E8H2MF. License:
CC BY-NC-ND 4.0. Two actresses, aged 64 (OAF) and 26 (YAF), say "Say the word ..."
with 200 target words in seven emotions: 2,800 utterances. Layout: a folder per
speaker and emotion, ``<OAF|YAF>_<emotion>/<OAF|YAF>_<word>_<emotion>.wav``, e.g.
``OAF_angry/OAF_back_angry.wav``; the folder names' case and the spelling of
pleasant surprise vary (``OAF_Pleasant_surprise``, ``YAF_pleasant_surprised``),
files say ``ps``. Label mapping: angry anger, disgust disgust, fear fear, happy
happiness, neutral neutral, ps (pleasant surprise) surprise, sad sadness.
``groups`` are the two speakers (so only 2 speaker folds); ``words`` the target
words. Searched recursively: redistributions nest the folders once or twice.
"""


def _folders(root):
    return (
        p
        for p in root.rglob("*")
        if p.is_dir() and _FOLDER.match(p.name) and not p.name.startswith(".")
    )


def _looks_like_tess(path):
    return any(any(_is_audio(f) for f in folder.iterdir()) for folder in _folders(path))


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_tess(data_home=None, *, as_frame=False, on_error="raise"):
    """Load TESS (English, 2 speakers, 7 emotions, 2,800 utterances).

    Reads the file names only. The corpus folder is ``<data_home>/tess`` (or
    ``TESS``, ``TESS Toronto emotional speech set data``) or, when ``data_home``
    is given, ``data_home`` itself; the ``<OAF|YAF>_<emotion>`` folders are found
    at any depth below it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``tess/``, or the TESS folder itself.
    as_frame : bool, default=False
        Also return ``frame`` with ``filename``, ``target``, ``speaker``,
        ``word``, ``emotion_word``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with audio files of the speaker folders whose name is not
        ``<OAF|YAF>_<word>_<emotion>``, holds an unknown emotion, or disagrees with
        its folder (speaker or emotion), and with a second copy of an utterance
        (redistributions that hold the corpus twice).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames``, ``target``, ``groups`` (``OAF``, ``YAF``),
        ``target_names``, ``words``, ``frame`` and ``DESCR``.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_tess
    >>> tess = load_tess("/data/TESS")  # doctest: +SKIP
    >>> tess.filenames.shape, sorted(set(tess.groups))  # doctest: +SKIP
    ((2800,), ['OAF', 'YAF'])
    """
    root = _find_corpus(
        data_home,
        ["tess", "TESS", "TESS Toronto emotional speech set data"],
        _looks_like_tess,
        "TESS",
        "<folder>/**/<OAF|YAF>_<emotion>/<OAF|YAF>_<word>_<emotion>.wav",
    )
    columns = {k: [] for k in ("filename", "target", "speaker", "word")}
    columns["emotion_word"] = []
    problems, seen = [], {}
    for folder in sorted(_folders(root)):
        fmatch = _FOLDER.match(folder.name)
        folder_emotion = _FOLDER_EMOTIONS.get(fmatch["emotion"].lower())
        for path in sorted(folder.iterdir()):
            if not _is_audio(path):
                continue
            match = _NAME.match(path.stem)
            if match is None:
                problems.append(f"{path}: not <OAF|YAF>_<word>_<emotion>")
                continue
            speaker, emotion = match["speaker"].upper(), match["emotion"].lower()
            word = match["word"].lower()
            if emotion not in TESS_EMOTIONS:
                problems.append(
                    f"{path}: unknown emotion {emotion!r} "
                    f"(expected one of {', '.join(TESS_EMOTIONS)})"
                )
            elif speaker != fmatch["speaker"].upper() or emotion != folder_emotion:
                problems.append(f"{path}: {speaker} {emotion} in folder {folder.name}")
            elif (speaker, word, emotion) in seen:
                problems.append(
                    f"{path}: a second copy of {seen[(speaker, word, emotion)]}"
                )
            else:
                seen[(speaker, word, emotion)] = path
                columns["filename"].append(str(path))
                columns["target"].append(TESS_EMOTIONS[emotion])
                columns["speaker"].append(speaker)
                columns["word"].append(word)
                columns["emotion_word"].append(emotion)
    _report(problems, on_error, what="TESS files at fault")
    return _build_bunch(
        columns,
        {"words": "word"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )
