"""Speech emotion corpora, loaded scikit-learn style into a Bunch.

Every loader returns ``filenames`` (sorted paths), ``target`` (string labels from one
vocabulary, :data:`EMOTIONS`), ``groups`` (speaker ids, for speaker-independent
splits), ``target_names``, ``DESCR`` and, with ``as_frame=True``, ``frame``; plus
corpus-specific arrays (``sentences``, ``sessions``, ``genders``, ...).

Where the corpora live: every loader's first argument ``data_home`` is either the
*data home* holding one folder per corpus (``emovo/``, ``emodb/``, ``iemocap/``,
``casia/``, ``librispeech_neutral/``) or the corpus folder itself. Without it the home
is ``$SKLEARN_SER_DATA``, else ``~/sklearn_ser_data`` (:func:`get_data_home`).
"""

from ._base import EMOTIONS, get_data_home
from ._casia import load_casia
from ._emodb import EMODB_SHA256, EMODB_URL, fetch_emodb, load_emodb
from ._emovo import load_emovo
from ._iemocap import load_iemocap
from ._librispeech import load_librispeech

__all__ = [
    "EMODB_SHA256",
    "EMODB_URL",
    "EMOTIONS",
    "fetch_emodb",
    "get_data_home",
    "load_casia",
    "load_emodb",
    "load_emovo",
    "load_iemocap",
    "load_librispeech",
]
