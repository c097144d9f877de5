"""Speech emotion corpora, loaded scikit-learn style into a Bunch.

Every loader returns ``filenames`` (sorted paths), ``target`` (string labels: the
named corpora's from one vocabulary, :data:`EMOTIONS`; your own data's,
:func:`load_manifest` and :func:`load_folder`, as you wrote them), ``groups``
(speaker ids, for speaker-independent splits), ``target_names``, ``DESCR`` and, with
``as_frame=True``, ``frame``; plus corpus-specific arrays (``sentences``,
``sessions``, ``genders``, ...).

Where the corpora live: every loader's first argument ``data_home`` is either the
*data home* holding one folder per corpus (``emovo/``, ``emodb/``, ``iemocap/``,
``casia/``, ``ravdess/``, ``cremad/``, ``savee/``, ``tess/``,
``librispeech_neutral/``) or the corpus folder itself.
Without it the home is ``$SKLEARN_SER_DATA``, else ``~/sklearn_ser_data``
(:func:`get_data_home`).

One entry point for all of them: :func:`load_corpus` takes a corpus name
(:func:`list_corpora`) or the path of your own data, and the loader's options.

Your own data: :func:`load_manifest` reads a CSV/TSV table (path, label, speaker per
row) and :func:`load_folder` a tree whose labels and speakers come from folder names
or a file-name pattern; both return the same Bunch.

:func:`librispeech_unlabeled` gives LibriSpeech as in-memory waveforms cut to their
first seconds, with ``"libri-"`` speakers: the unlabeled utterances of a
semi-supervised training set.

Before trusting a score: :func:`describe_corpus` checks a corpus (speakers x classes,
the speaker-label confound of :func:`speaker_label_confound`, chance levels, durations,
levels, clipped, silent, duplicate and unreadable files), as ``sklearn-ser inspect``.
"""

from ._base import EMOTIONS, get_data_home
from ._casia import load_casia
from ._cremad import load_cremad
from ._emodb import EMODB_SHA256, EMODB_URL, fetch_emodb, load_emodb
from ._emovo import load_emovo
from ._folder import load_folder
from ._iemocap import load_iemocap
from ._inspect import (
    CorpusDescription,
    SpeakerLabelConfound,
    describe_corpus,
    speaker_label_confound,
)
from ._librispeech import librispeech_unlabeled, load_librispeech
from ._manifest import load_manifest
from ._ravdess import load_ravdess
from ._registry import list_corpora, load_corpus
from ._savee import load_savee
from ._tess import load_tess

__all__ = [
    "CorpusDescription",
    "EMODB_SHA256",
    "EMODB_URL",
    "EMOTIONS",
    "SpeakerLabelConfound",
    "describe_corpus",
    "fetch_emodb",
    "get_data_home",
    "librispeech_unlabeled",
    "list_corpora",
    "load_casia",
    "load_corpus",
    "load_cremad",
    "load_emodb",
    "load_emovo",
    "load_folder",
    "load_iemocap",
    "load_librispeech",
    "load_manifest",
    "load_ravdess",
    "load_savee",
    "load_tess",
    "speaker_label_confound",
]
