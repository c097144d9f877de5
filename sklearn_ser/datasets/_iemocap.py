"""IEMOCAP, the USC interactive emotional dyadic motion capture corpus (audio part)."""

import os
import re

import numpy as np

from .._compat import StrOptions, validate_params
from ._base import _build_bunch, _find_corpus, _report

__all__ = ["load_iemocap"]

# Consensus labels as written in EmoEvaluation/*.txt, with their targets under the
# two protocols. None: no counterpart in the shared vocabulary (always dropped).
IEMOCAP_LABELS = {
    "ang": "anger",
    "hap": "happiness",
    "exc": "happiness",  # excited, merged with happy as usual
    "sad": "sadness",
    "neu": "neutral",
    "sur": "surprise",
    "fea": "fear",
    "dis": "disgust",
    "fru": None,  # frustration
    "oth": None,  # other
    "xxx": None,  # no majority among the evaluators
}
FOUR_CLASS = {"ang", "hap", "exc", "sad", "neu"}

_NUM = r"[-+]?\d*\.?\d+"
_TURN = re.compile(
    rf"^\[\s*(?P<start>{_NUM})\s*-\s*(?P<end>{_NUM})\s*\]\s+(?P<utt>\S+)\s+"
    rf"(?P<label>\S+)\s+\[\s*(?P<v>{_NUM})\s*,\s*(?P<a>{_NUM})\s*,\s*(?P<d>{_NUM})"
    r"\s*\]\s*$"
)
# Per-evaluator lines: categorical (C-E2:, C-F1:, C-M1:) and attribute (A-E3:).
_EVALUATOR = re.compile(r"^[CA]-[A-Za-z]+\d*:")
_UTT = re.compile(
    r"^(?P<dialog>Ses(?P<session>\d{2})[FM]_.+)_(?P<gender>[FM])[A-Za-z0-9]+$"
)

DESCR = """\
IEMOCAP: Interactive Emotional Dyadic Motion Capture database (speech)
----------------------------------------------------------------------

Busso, Bulut, Lee, Kazemzadeh, Mower, Kim, Chang, Lee and Narayanan, "IEMOCAP:
interactive emotional dyadic motion capture database", Language Resources and
Evaluation 42(4), 2008. Licensed by USC SAIL under a release agreement for research
use; cite the paper. Five sessions, each a dyad of one female and one male actor
(ten speakers), scripted and improvised dialogues segmented into utterances.
Layout: ``Session<n>/sentences/wav/<dialog>/<utterance>.wav`` with the consensus
labels in ``Session<n>/dialog/EmoEvaluation/<dialog>.txt``, one line
``[start - end] <utterance> <label> [V, A, D]`` per utterance (the per-evaluator
``C-``/``A-`` lines are ignored). Default 4-class protocol: ang -> anger, hap and
exc -> happiness, sad -> sadness, neu -> neutral; the rest (fru, sur, fea, dis, oth,
xxx) dropped. With ``classes="all"`` also sur -> surprise, fea -> fear, dis -> disgust
(fru, oth and xxx have no counterpart and are always dropped). ``groups`` are the
speakers (``Ses01F``: session and the utterance speaker's gender, read from the
letter before the utterance number, so ``Ses01F_impro01_M003`` is ``Ses01M``);
``sessions`` (1-5) serve leave-one-session-out; ``raw_labels`` keep hap/exc apart.
"""


def _parse_label_file(path, session, seen, problems):
    """Yield one dict per consensus line of an EmoEvaluation file.

    Malformed lines are appended to ``problems`` as ``"<file>:<line>: reason"``.
    """
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("%") or _EVALUATOR.match(line):
            continue
        where = f"{path}:{lineno}"
        match = _TURN.match(line)
        if match is None:
            problems.append(
                f"{where}: expected '[start - end]<TAB>utterance<TAB>label<TAB>"
                f"[v, a, d]', got {line[:80]!r}"
            )
            continue
        utt, label = match["utt"], match["label"]
        ident = _UTT.match(utt)
        if ident is None:
            problems.append(f"{where}: utterance id {utt!r} is not Ses<nn><F|M>_..._")
            continue
        if int(ident["session"]) != session:
            problems.append(f"{where}: utterance {utt!r} is not from Session{session}")
            continue
        if ident["dialog"] != path.stem:
            problems.append(
                f"{where}: utterance {utt!r} is not from dialog {path.stem}"
            )
            continue
        if label not in IEMOCAP_LABELS:
            problems.append(
                f"{where}: unknown label {label!r} "
                f"(expected one of {', '.join(IEMOCAP_LABELS)})"
            )
            continue
        if utt in seen:
            problems.append(
                f"{where}: utterance {utt!r} already labelled in {seen[utt]}"
            )
            continue
        seen[utt] = where
        yield {
            "utterance_id": utt,
            "raw_label": label,
            "session": session,
            "dialog": ident["dialog"],
            "gender": "female" if ident["gender"] == "F" else "male",
            "speaker": f"Ses{ident['session']}{ident['gender']}",
            "start": float(match["start"]),
            "end": float(match["end"]),
            "valence": float(match["v"]),
            "activation": float(match["a"]),
            "dominance": float(match["d"]),
        }


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "classes": [StrOptions({"4class", "all"})],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_iemocap(data_home=None, *, classes="4class", as_frame=False, on_error="raise"):
    """Load the speech of IEMOCAP with its consensus categorical labels.

    Reads the label files and checks that each kept utterance's WAV exists; the audio
    itself is not read. The corpus folder is ``<data_home>/iemocap`` (or
    ``IEMOCAP_full_release``, ``IEMOCAP``) or, when ``data_home`` is given,
    ``data_home`` itself: the folder holding ``Session1`` ... ``Session5`` (all five,
    or only some of them).

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``iemocap/``, or the IEMOCAP folder itself.
        ``None`` means :func:`get_data_home`.
    classes : {"4class", "all"}, default="4class"
        ``"4class"``: the usual protocol, anger, happiness (happy and excited
        merged), sadness, neutral. ``"all"``: also surprise, fear and disgust.
        Utterances labelled frustrated, other or ``xxx`` (no consensus) are always
        dropped: the shared vocabulary has no counterpart.
    as_frame : bool, default=False
        Also return a :class:`pandas.DataFrame` with columns ``filename``, ``target``,
        ``speaker``, ``utterance_id``, ``raw_label``, ``session``, ``dialog``,
        ``gender``, ``start``, ``end``, ``valence``, ``activation``, ``dominance``,
        ``improvised``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with malformed consensus lines (a line that is not blank, not a
        ``%`` header, not a ``C-``/``A-`` evaluator line and not
        ``[start - end]<TAB>utterance<TAB>label<TAB>[v, a, d]`` with a known label
        and an utterance of that dialog) and with kept utterances whose WAV is
        missing: ``"raise"`` a :class:`ValueError` (malformed lines, each named by
        file and line number) or :class:`FileNotFoundError` (missing WAVs) listing
        all of them, or ``"warn"`` once per kind and leave them out.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (sorted), ``target``, ``groups`` (speakers ``Ses01F`` ...),
        ``target_names``, ``sessions`` (int 1-5), ``dialogs``, ``utterance_ids``,
        ``raw_labels`` (``hap``/``exc``...), ``genders``, ``improvised`` (bool),
        ``vad`` (float array ``(n, 3)``: valence, activation, dominance),
        ``frame`` (with ``as_frame=True``, else None) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When the corpus is not found (the message lists every place looked), when a
        session has no ``dialog/EmoEvaluation`` label files, or for missing WAVs.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_iemocap
    >>> iemocap = load_iemocap("/data/IEMOCAP_full_release")  # doctest: +SKIP
    >>> iemocap.target_names  # doctest: +SKIP
    array(['anger', 'happiness', 'neutral', 'sadness'], dtype='<U9')
    >>> len(iemocap.filenames)  # doctest: +SKIP
    5531
    """
    root = _find_corpus(
        data_home,
        ["iemocap", "IEMOCAP_full_release", "IEMOCAP"],
        lambda p: any((p / f"Session{n}").is_dir() for n in range(1, 6)),
        "IEMOCAP",
        "<folder>/Session1..5/sentences/wav/<dialog>/<utt>.wav and "
        "<folder>/Session<n>/dialog/EmoEvaluation/<dialog>.txt",
    )
    keep = FOUR_CLASS if classes == "4class" else set(IEMOCAP_LABELS)
    columns = {"filename": [], "target": [], "speaker": []}
    malformed, missing, seen = [], [], {}
    for session in range(1, 6):
        session_dir = root / f"Session{session}"
        if not session_dir.is_dir():
            continue
        label_dir = session_dir / "dialog" / "EmoEvaluation"
        label_files = sorted(
            p
            for p in label_dir.glob("*.txt")
            if p.is_file() and not p.name.startswith(".")
        )
        if not label_files:
            raise FileNotFoundError(
                f"No label files <dialog>.txt in {label_dir} (IEMOCAP {session_dir} "
                "is incomplete)."
            )
        for label_file in label_files:
            for rec in _parse_label_file(label_file, session, seen, malformed):
                target = IEMOCAP_LABELS[rec["raw_label"]]
                if rec["raw_label"] not in keep or target is None:
                    continue
                wav = (
                    session_dir
                    / "sentences"
                    / "wav"
                    / rec["dialog"]
                    / f"{rec['utterance_id']}.wav"
                )
                if not wav.is_file():
                    missing.append(f"{rec['utterance_id']}: {wav} does not exist")
                    continue
                rec["improvised"] = "_impro" in rec["dialog"]
                columns["filename"].append(str(wav))
                columns["target"].append(target)
                for key, value in rec.items():
                    columns.setdefault(key, []).append(value)
    _report(malformed, on_error, what="malformed IEMOCAP label lines")
    _report(
        missing,
        on_error,
        what="labelled IEMOCAP utterances without their WAV",
        exc_type=FileNotFoundError,
    )
    extras = {
        "sessions": "session",
        "dialogs": "dialog",
        "utterance_ids": "utterance_id",
        "raw_labels": "raw_label",
        "genders": "gender",
        "improvised": "improvised",
        "vad": lambda cols: np.column_stack(
            [cols["valence"], cols["activation"], cols["dominance"]]
        ).astype(np.float64),
    }
    return _build_bunch(
        columns, extras, descr=DESCR, as_frame=as_frame, corpus_dir=root
    )
