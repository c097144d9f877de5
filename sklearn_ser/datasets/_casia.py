"""CASIA, the Mandarin Chinese emotional speech corpus (public 1,200-utterance part)."""

import os
import re

from .._compat import StrOptions, validate_params
from ._base import _any_file, _build_bunch, _find_corpus, _is_hidden, _report

__all__ = ["load_casia"]

CASIA_SPEAKERS = ("liuchanhg", "wangzhe", "zhaoquanyin", "ZhaoZuoxiang")
CASIA_EMOTIONS = {
    "angry": "anger",
    "fear": "fear",
    "happy": "happiness",
    "neutral": "neutral",
    "sad": "sadness",
    "surprise": "surprise",
}
_SPEAKER_BY_LOWER = {s.lower(): s for s in CASIA_SPEAKERS}
_NAME = re.compile(r"^(?P<sent>\d+)\.wav$", re.IGNORECASE)

DESCR = """\
CASIA: Chinese emotional speech corpus
--------------------------------------

Recorded by the Institute of Automation, Chinese Academy of Sciences (CASIA):
Tao, Liu, Zhang and Jia, "Design of speech corpus for Mandarin text to speech", The
Blizzard Challenge 2008 workshop; distributed by the Chinese Linguistic Data
Consortium under licence (the commonly used public part: 4 speakers x
6 emotions x 50 sentences = 1,200 utterances). Four professional speakers
(liuchanhg, wangzhe, zhaoquanyin, ZhaoZuoxiang). Layout:
``casia/<speaker>/<emotion>/<nnn>.wav``. Label mapping (folder -> target): angry
anger, fear fear, happy happiness, neutral neutral, sad sadness, surprise surprise.
``groups`` are the speakers (canonical spelling); ``sentences`` the file numbers.
"""


def _looks_like_casia(path):
    # Any <x>/<y>/<z>.wav tree matches the bare layout (a data home holding
    # emovo/<spk>/<file>.wav does), so also require a CASIA emotion folder name.
    return any(
        folder.is_dir()
        and folder.name.lower() in CASIA_EMOTIONS
        and (_any_file(folder, "*.wav") or _any_file(folder, "*.WAV"))
        for folder in path.glob("*/*")
    )


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_casia(data_home=None, *, as_frame=False, on_error="raise"):
    """Load the CASIA Chinese emotional speech corpus (4 speakers, 6 emotions).

    Reads the file names only. The corpus folder is ``<data_home>/casia`` (or
    ``CASIA``) or, when ``data_home`` is given, ``data_home`` itself.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``casia/``, or the CASIA folder itself.
        ``None`` means :func:`get_data_home`.
    as_frame : bool, default=False
        Also return a :class:`pandas.DataFrame` with columns ``filename``, ``target``,
        ``speaker``, ``sentence``, ``emotion_folder``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with ``<a>/<b>/<c>.wav`` files whose speaker folder is not one of
        the four (matched ignoring case), whose emotion folder is not one of the six,
        or whose name is not a number: ``"raise"`` a :class:`ValueError` listing all
        of them, or ``"warn"`` once and leave them out. Hidden files are ignored.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (sorted), ``target``, ``groups`` (speakers),
        ``target_names``, ``sentences``, ``frame`` (with ``as_frame=True``, else
        None) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When the corpus is not found; the message lists every place looked.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_casia
    >>> casia = load_casia("/data/casia")  # doctest: +SKIP
    >>> casia.filenames.shape, sorted(set(casia.groups))  # doctest: +SKIP
    ((1200,), ['ZhaoZuoxiang', 'liuchanhg', 'wangzhe', 'zhaoquanyin'])
    """
    root = _find_corpus(
        data_home,
        ["casia", "CASIA"],
        _looks_like_casia,
        "CASIA",
        "<folder>/<speaker>/<emotion>/<nnn>.wav",
    )
    columns = {
        k: [] for k in ("filename", "target", "speaker", "sentence", "emotion_folder")
    }
    problems = []
    for path in sorted(root.glob("*/*/*")):
        if _is_hidden(path) or not path.is_file() or path.suffix.lower() != ".wav":
            continue
        emotion, speaker = path.parent.name, path.parent.parent.name
        match = _NAME.match(path.name)
        if speaker.lower() not in _SPEAKER_BY_LOWER:
            problems.append(
                f"{path}: unknown speaker folder {speaker!r} "
                f"(expected one of {', '.join(CASIA_SPEAKERS)})"
            )
        elif emotion.lower() not in CASIA_EMOTIONS:
            problems.append(
                f"{path}: unknown emotion folder {emotion!r} "
                f"(expected one of {', '.join(CASIA_EMOTIONS)})"
            )
        elif match is None:
            problems.append(f"{path}: file name is not <number>.wav")
        else:
            columns["filename"].append(str(path))
            columns["target"].append(CASIA_EMOTIONS[emotion.lower()])
            columns["speaker"].append(_SPEAKER_BY_LOWER[speaker.lower()])
            columns["sentence"].append(match["sent"])
            columns["emotion_folder"].append(emotion)
    _report(problems, on_error, what="CASIA files outside the expected layout")
    return _build_bunch(
        columns,
        {"sentences": "sentence"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )
