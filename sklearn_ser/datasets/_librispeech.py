"""Neutral read English speech from LibriSpeech, for the autoencoders' pre-training."""

import os
import re
from numbers import Real

import numpy as np

from .._audio import as_audio_items, load_audio
from .._compat import Interval, StrOptions, validate_params
from ._base import _build_bunch, _find_corpus, _is_hidden, _report

__all__ = ["librispeech_unlabeled", "load_librispeech"]

_NAME = re.compile(r"^(?P<spk>\d+)-(?P<chapter>\d+)-(?P<utt>\d+)\.flac$")

DESCR = """\
LibriSpeech (neutral read speech)
---------------------------------

Panayotov, Chen, Povey and Khudanpur, "LibriSpeech: an ASR corpus based on public
domain audio books", ICASSP 2015. Licence: CC BY 4.0. Read English audio books,
16 kHz FLAC. Used here as neutral, unlabelled-emotion speech (every ``target`` is
"neutral"), e.g. to pre-train the neutral projection of a denoising autoencoder.
Layout: any tree of ``<speaker>-<chapter>-<utterance>.flac`` files, searched
recursively (the official ``<subset>/<speaker>/<chapter>/`` folders, or flat copies).
``groups`` are the reader ids; ``genders`` come from the ``SPEAKERS.TXT`` files found
in the tree (``"unknown"`` for readers not listed there); ``chapters`` are given too.
"""


def _read_speakers(root):
    """Reader id -> "female"/"male" from every SPEAKERS.TXT under ``root``."""
    genders = {}
    for path in sorted(root.rglob("SPEAKERS.TXT")):
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(";"):
                    continue
                fields = [f.strip() for f in line.split("|")]
                if len(fields) >= 2 and fields[0].isdigit():
                    sex = fields[1].upper()
                    if sex in ("F", "M"):
                        genders[fields[0]] = "female" if sex == "F" else "male"
    return genders


def _has_flac(path):
    return any(not _is_hidden(p) for p in path.rglob("*.flac"))


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "as_frame": ["boolean"],
        "on_error": [StrOptions({"raise", "warn"})],
    },
    prefer_skip_nested_validation=True,
)
def load_librispeech(data_home=None, *, as_frame=False, on_error="raise"):
    """Load a LibriSpeech tree as neutral speech (all ``target`` = ``"neutral"``).

    Searches recursively for ``<speaker>-<chapter>-<utterance>.flac``. The corpus
    folder is ``<data_home>/librispeech_neutral`` (or ``LibriSpeech``,
    ``librispeech``) or, when ``data_home`` is given, ``data_home`` itself.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``librispeech_neutral/``, or the LibriSpeech folder
        itself. ``None`` means :func:`get_data_home`.
    as_frame : bool, default=False
        Also return a :class:`pandas.DataFrame` with columns ``filename``, ``target``,
        ``speaker``, ``gender``, ``chapter``, ``utterance``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with ``.flac`` files not named ``<spk>-<chapter>-<utt>.flac``:
        ``"raise"`` a :class:`ValueError` listing all of them, or ``"warn"`` once and
        leave them out.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (sorted), ``target``, ``groups`` (reader ids),
        ``target_names`` (``["neutral"]``), ``genders``, ``chapters``, ``frame``
        (with ``as_frame=True``, else None) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When no FLAC tree is found; the message lists every place looked.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_librispeech
    >>> libri = load_librispeech()  # doctest: +SKIP
    >>> libri.filenames.shape, libri.target_names  # doctest: +SKIP
    ((351,), array(['neutral'], dtype='<U7'))
    """
    root = _find_corpus(
        data_home,
        ["librispeech_neutral", "LibriSpeech", "librispeech"],
        _has_flac,
        "LibriSpeech",
        "<folder>/**/<speaker>-<chapter>-<utterance>.flac",
    )
    genders = _read_speakers(root)
    columns = {
        k: []
        for k in ("filename", "target", "speaker", "gender", "chapter", "utterance")
    }
    problems = []
    for path in sorted(root.rglob("*.flac")):
        if _is_hidden(path) or not path.is_file():
            continue
        match = _NAME.match(path.name)
        if match is None:
            problems.append(f"{path}: not <speaker>-<chapter>-<utterance>.flac")
            continue
        columns["filename"].append(str(path))
        columns["target"].append("neutral")
        columns["speaker"].append(match["spk"])
        columns["gender"].append(genders.get(match["spk"], "unknown"))
        columns["chapter"].append(match["chapter"])
        columns["utterance"].append(match["utt"])
    _report(problems, on_error, what="LibriSpeech files with unexpected names")
    return _build_bunch(
        columns,
        {"genders": "gender", "chapters": "chapter"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "seconds": [Interval(Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def librispeech_unlabeled(data_home=None, *, seconds=6.0):
    """LibriSpeech as the unlabeled utterances of a semi-supervised training set.

    Every utterance of :func:`load_librispeech`, cut to its first ``seconds``
    (read-speech utterances run to 20 s and more, against a few seconds for
    acted emotional speech), as in-memory 16 kHz waveforms; the speakers are prefixed
    ``"libri-"`` so that they cannot be mistaken for a corpus's numbered speakers
    (RAVDESS's actor 19 is not LibriSpeech's reader 19).

    Parameters
    ----------
    data_home : str or path-like, default=None
        As for :func:`load_librispeech`.
    seconds : float, default=6.0
        Keep at most this much of each utterance.

    Returns
    -------
    waveforms : ndarray of object, shape (n_utterances,)
        1-D float32 arrays at 16 kHz (an extractor's ``sampling_rate=16000``).
    groups : ndarray of str, shape (n_utterances,)
        ``"libri-<reader id>"``.

    Raises
    ------
    ValueError
        Naming the file, for one not sampled at 16 kHz.
    """
    data = load_librispeech(data_home)
    frames = int(seconds * 16000)
    waves = np.empty(len(data.filenames), dtype=object)
    for i, item in enumerate(as_audio_items(data.filenames)):
        # the one audio reader: a damaged or non-finite file is an AudioError
        signal, rate = load_audio(item, target_sampling_rate=None)
        if rate != 16000:
            raise ValueError(f"{item.path}: expected 16 kHz, got {rate} Hz.")
        waves[i] = signal[:frames].copy()
    return waves, np.array([f"libri-{g}" for g in data.groups])
