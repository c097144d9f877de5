"""EMOVO, the Italian acted emotional speech corpus."""

import os
import re

from .._compat import StrOptions, validate_params
from ._base import _any_file, _build_bunch, _find_corpus, _is_hidden, _report

__all__ = ["load_emovo"]

EMOVO_EMOTIONS = {
    "dis": "disgust",
    "gio": "happiness",
    "neu": "neutral",
    "pau": "fear",
    "rab": "anger",
    "sor": "surprise",
    "tri": "sadness",
}

_NAME = re.compile(r"^(?P<emo>[a-z]{3})-(?P<spk>[fm]\d+)-(?P<sent>[a-z]\d+)\.wav$")

DESCR = """\
EMOVO: Italian acted emotional speech
-------------------------------------

Costantini, Iaderola, Paoloni and Todisco, "EMOVO Corpus: an Italian Emotional Speech
Database", LREC 2014. Distributed by its authors for research use; cite the paper.
Six actors (f1, f2, f3 female; m1, m2, m3 male) speak 14 sentences (b1-b3, d1-d2,
l1-l4, n1-n5, the same texts for everyone) in 7 emotions: 588 utterances, 84 per
class. Layout: ``emovo/<speaker>/<emo>-<speaker>-<sentence>.wav``, e.g.
``emovo/m2/rab-m2-l3.wav``. Label mapping (Italian code -> target): dis disgust,
gio happiness, neu neutral, pau fear, rab anger, sor surprise, tri sadness.
``groups`` are the actors; ``sentences`` and ``genders`` are given too.
"""


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_emovo(data_home=None, *, as_frame=False, on_error="raise"):
    """Load the EMOVO corpus (Italian, 6 actors, 7 emotions, 588 utterances).

    Reads the file names only, never the audio. The corpus is looked for in
    ``<data_home>/emovo`` and, when ``data_home`` is given, in ``data_home`` itself,
    so both ``load_emovo(data_home="/data")`` and ``load_emovo("/data/emovo")`` work.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``emovo/``, or the EMOVO folder itself. ``None`` means
        :func:`get_data_home`.
    as_frame : bool, default=False
        Also return a :class:`pandas.DataFrame` with columns ``filename``, ``target``,
        ``speaker``, ``gender``, ``sentence``, ``emotion_code``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with ``.wav`` files in a speaker folder whose name does not follow
        ``<emo>-<speaker>-<sentence>.wav`` (unknown emotion code, speaker differing
        from the folder): ``"raise"`` a :class:`ValueError` listing all of them, or
        ``"warn"`` once, listing them, and leave them out. Hidden files (``._x.wav``)
        are always ignored.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        filenames : ndarray of str, sorted
            Absolute-or-as-given paths of the WAV files.
        target : ndarray of str
            Emotion in the shared vocabulary (``EMOTIONS``).
        groups : ndarray of str
            Speaker ids (``f1`` ... ``m3``), for speaker-independent splits.
        target_names : ndarray of str
            The sorted labels present.
        sentences, genders : ndarray of str
            Sentence code (``b1`` ...) and ``"female"``/``"male"``.
        frame : DataFrame or None
            With ``as_frame=True``.
        DESCR : str
            Description of the corpus.

    Raises
    ------
    FileNotFoundError
        When the corpus is not found; the message lists every place looked.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_emovo
    >>> emovo = load_emovo()  # doctest: +SKIP
    >>> emovo.filenames.shape, len(set(emovo.groups))  # doctest: +SKIP
    ((588,), 6)
    >>> emovo.target_names  # doctest: +SKIP
    array(['anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness',
           'surprise'], dtype='<U9')
    """
    root = _find_corpus(
        data_home,
        ["emovo", "EMOVO"],
        lambda p: _any_file(p, "*/*.wav") or _any_file(p, "*/*.WAV"),
        "EMOVO",
        "<folder>/<speaker>/<emo>-<speaker>-<sentence>.wav",
    )
    columns = {
        k: []
        for k in ("filename", "target", "speaker", "gender", "sentence", "emotion_code")
    }
    problems = []
    for path in sorted(root.glob("*/*")):
        if _is_hidden(path) or not path.is_file() or path.suffix.lower() != ".wav":
            continue
        match = _NAME.match(path.name.lower())
        folder = path.parent.name.lower()
        if match is None:
            problems.append(f"{path}: not <emo>-<speaker>-<sentence>.wav")
            continue
        emo, spk, sent = match["emo"], match["spk"], match["sent"]
        if emo not in EMOVO_EMOTIONS:
            problems.append(
                f"{path}: unknown emotion code {emo!r} "
                f"(expected one of {sorted(EMOVO_EMOTIONS)})"
            )
            continue
        if spk != folder:
            problems.append(f"{path}: speaker {spk!r} in a folder named {folder!r}")
            continue
        columns["filename"].append(str(path))
        columns["target"].append(EMOVO_EMOTIONS[emo])
        columns["speaker"].append(spk)
        columns["gender"].append("female" if spk.startswith("f") else "male")
        columns["sentence"].append(sent)
        columns["emotion_code"].append(emo)
    _report(problems, on_error, what="EMOVO files with unexpected names")
    return _build_bunch(
        columns,
        {"sentences": "sentence", "genders": "gender"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )
