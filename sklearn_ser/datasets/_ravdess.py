"""RAVDESS, the Ryerson audio-visual database of emotional speech and song (speech)."""

import os
import re

from .._compat import StrOptions, validate_params
from ._base import _build_bunch, _find_corpus, _is_audio, _report

__all__ = ["load_ravdess"]

RAVDESS_EMOTIONS = {
    "01": "neutral",
    "02": "calm",
    "03": "happiness",
    "04": "sadness",
    "05": "anger",
    "06": "fear",
    "07": "disgust",
    "08": "surprise",
}
RAVDESS_INTENSITIES = {"01": "normal", "02": "strong"}
RAVDESS_STATEMENTS = {
    "01": "Kids are talking by the door",
    "02": "Dogs are sitting by the door",
}
_SPEECH = ("03", "01")  # modality audio-only, vocal channel speech
# Seven two-digit fields: modality, vocal channel, emotion, intensity, statement,
# repetition, actor.
_NAME = re.compile(
    r"^(?P<modality>\d\d)-(?P<channel>\d\d)-(?P<emotion>\d\d)-(?P<intensity>\d\d)-"
    r"(?P<statement>\d\d)-(?P<repetition>\d\d)-(?P<actor>\d\d)$"
)
_ACTOR_FOLDER = re.compile(r"^actor_(?P<actor>\d\d)$", re.IGNORECASE)

DESCR = """\
RAVDESS: Ryerson Audio-Visual Database of Emotional Speech and Song (speech part)
----------------------------------------------------------------------------------

Livingstone and Russo, "The Ryerson Audio-Visual Database of Emotional Speech and
Song (RAVDESS)", PLoS ONE 13(5), 2018. License: CC BY-NC-SA 4.0; cite the paper.
24 professional North-American English actors (odd ids male, even ids female) say
two statements ("Kids are talking by the door", "Dogs are sitting by the door") in
eight emotions, each at two intensities (neutral at normal intensity only), twice:
1440 speech utterances, 96 neutral and 192 of each other emotion. Layout:
``Actor_<AA>/<MM>-<VV>-<EE>-<II>-<SS>-<RR>-<AA>.wav`` with seven two-digit fields:
modality (03 audio-only), vocal channel (01 speech, 02 song), emotion, intensity
(01 normal, 02 strong), statement (01, 02), repetition (01, 02), actor (01-24).
Only audio-only speech is loaded (song and video files are passed over). Label
mapping (code -> target): 01 neutral, 02 calm, 03 happiness, 04 sadness, 05 anger,
06 fear, 07 disgust, 08 surprise; ``calm="neutral"`` merges calm into neutral and
``calm="drop"`` leaves it out. ``groups`` are the actors (``Actor_01`` ...);
``genders``, ``intensities``, ``statements`` and ``repetitions`` are given too.
"""


def _looks_like_ravdess(path):
    return any(
        folder.is_dir()
        and _ACTOR_FOLDER.match(folder.name)
        and any(_is_audio(p) for p in folder.iterdir())
        for folder in path.glob("[Aa]ctor_*")
    )


def _parse(path, problems):
    """The fields of one RAVDESS file name, or None (a problem, or not speech)."""
    match = _NAME.match(path.stem)
    folder = _ACTOR_FOLDER.match(path.parent.name)
    if match is None:
        problems.append(f"{path}: not <MM>-<VV>-<EE>-<II>-<SS>-<RR>-<AA> (two digits)")
        return None
    if (match["modality"], match["channel"]) != _SPEECH:
        return None  # song or video: another part of RAVDESS, not an error
    fields = {
        "emotion": RAVDESS_EMOTIONS,
        "intensity": RAVDESS_INTENSITIES,
        "statement": RAVDESS_STATEMENTS,
        "repetition": {"01": 1, "02": 2},
    }
    for field, codes in fields.items():
        if match[field] not in codes:
            problems.append(
                f"{path}: unknown {field} code {match[field]!r} "
                f"(expected one of {', '.join(codes)})"
            )
            return None
    if not 1 <= int(match["actor"]) <= 24:
        problems.append(f"{path}: actor {match['actor']!r} is not 01-24")
        return None
    if folder is None or folder["actor"] != match["actor"]:
        problems.append(
            f"{path}: actor {match['actor']!r} in a folder named "
            f"{path.parent.name!r} (expected Actor_{match['actor']})"
        )
        return None
    return match


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "calm": [StrOptions({"keep", "neutral", "drop"})],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_ravdess(data_home=None, *, calm="keep", as_frame=False, on_error="raise"):
    """Load the speech part of RAVDESS (English, 24 actors, 8 emotions, 1440 files).

    Reads the file names only, never the audio. The corpus folder is
    ``<data_home>/ravdess`` (or ``RAVDESS``, ``Audio_Speech_Actors_01-24``, the name of
    the official archive) or, when ``data_home`` is given, ``data_home`` itself: the
    folder holding ``Actor_01`` ... ``Actor_24``. Any audio format libsndfile reads is
    accepted (``.wav`` as distributed, ``.flac`` after conversion, ...). Song
    (vocal channel 02) and video files of the same tree are passed over silently.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``ravdess/``, or the RAVDESS folder itself. ``None``
        means :func:`get_data_home`.
    calm : {"keep", "neutral", "drop"}, default="keep"
        What becomes of the calm utterances (emotion 02): ``"keep"`` them as their
        own label ``"calm"``, merge them into ``"neutral"``, or ``"drop"`` them. The
        frame's ``emotion_code`` keeps the original code either way.
    as_frame : bool, default=False
        Also return a :class:`pandas.DataFrame` with columns ``filename``,
        ``target``, ``speaker``, ``gender``, ``intensity``, ``statement``,
        ``repetition``, ``emotion_code``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with audio files in the actor folders whose name is not the
        seven two-digit fields, holds an unknown code, or names another actor than
        its folder: ``"raise"`` a :class:`ValueError` listing all of them, or
        ``"warn"`` once, listing them, and leave them out. Hidden files are ignored.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        filenames : ndarray of str, sorted
            Paths of the audio files.
        target : ndarray of str
            Emotion in the shared vocabulary (``EMOTIONS``).
        groups : ndarray of str
            Actor ids (``Actor_01`` ... ``Actor_24``).
        target_names : ndarray of str
            The sorted labels present.
        genders, intensities, statements : ndarray of str
            ``"female"``/``"male"``, ``"normal"``/``"strong"``, the sentence text.
        repetitions : ndarray of int
            1 or 2.
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
    >>> from sklearn_ser.datasets import load_ravdess
    >>> ravdess = load_ravdess()  # doctest: +SKIP
    >>> ravdess.filenames.shape, len(set(ravdess.groups))  # doctest: +SKIP
    ((1440,), 24)
    >>> load_ravdess(calm="neutral").target_names  # doctest: +SKIP
    array(['anger', 'disgust', 'fear', 'happiness', 'neutral', 'sadness',
           'surprise'], dtype='<U9')
    """
    root = _find_corpus(
        data_home,
        ["ravdess", "RAVDESS", "Audio_Speech_Actors_01-24"],
        _looks_like_ravdess,
        "RAVDESS",
        "<folder>/Actor_<AA>/03-01-<EE>-<II>-<SS>-<RR>-<AA>.wav (or .flac, ...)",
    )
    columns = {
        k: []
        for k in (
            "filename",
            "target",
            "speaker",
            "gender",
            "intensity",
            "statement",
            "repetition",
            "emotion_code",
        )
    }
    problems = []
    for path in sorted(root.glob("*/*")):
        if not _ACTOR_FOLDER.match(path.parent.name) or not _is_audio(path):
            continue
        match = _parse(path, problems)
        if match is None:
            continue
        target = RAVDESS_EMOTIONS[match["emotion"]]
        if target == "calm" and calm == "drop":
            continue
        if target == "calm" and calm == "neutral":
            target = "neutral"
        actor = match["actor"]
        columns["filename"].append(str(path))
        columns["target"].append(target)
        columns["speaker"].append(f"Actor_{actor}")
        columns["gender"].append("male" if int(actor) % 2 else "female")
        columns["intensity"].append(RAVDESS_INTENSITIES[match["intensity"]])
        columns["statement"].append(RAVDESS_STATEMENTS[match["statement"]])
        columns["repetition"].append(int(match["repetition"]))
        columns["emotion_code"].append(match["emotion"])
    _report(problems, on_error, what="RAVDESS files with unexpected names")
    return _build_bunch(
        columns,
        {
            "genders": "gender",
            "intensities": "intensity",
            "statements": "statement",
            "repetitions": "repetition",
        },
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )
