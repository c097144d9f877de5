"""One corpus registry: a corpus name, a manifest or a folder -> its loader."""

import inspect
import os
from pathlib import Path

from .._compat import validate_params
from ._casia import load_casia
from ._cremad import load_cremad
from ._emodb import load_emodb
from ._emovo import load_emovo
from ._folder import load_folder
from ._iemocap import load_iemocap
from ._manifest import load_manifest
from ._ravdess import load_ravdess
from ._savee import load_savee
from ._tess import load_tess

__all__ = ["list_corpora", "load_corpus"]

# The emotion corpora by name, in the order the command line lists them. LibriSpeech
# is not here: it has no emotion labels (load_librispeech, librispeech_unlabeled).
_CORPORA = {
    "emovo": load_emovo,
    "emodb": load_emodb,
    "iemocap": load_iemocap,
    "casia": load_casia,
    "ravdess": load_ravdess,
    "cremad": load_cremad,
    "savee": load_savee,
    "tess": load_tess,
}

# Options of your own data, with their command-line flag, for the error messages.
_FLAGS = {
    "pattern": "--pattern",
    "path_column": "--columns",
    "label_column": "--columns",
    "speaker_column": "--columns",
    "sep": "--sep",
    "task": "--task",
    "label_map": "--label-map",
}


def list_corpora():
    """The corpus names :func:`load_corpus` knows.

    Returns
    -------
    names : tuple of str
        ``("emovo", "emodb", "iemocap", "casia", "ravdess", "cremad", "savee",
        "tess")``, each read by its ``load_<name>`` loader.

    Examples
    --------
    >>> from sklearn_ser.datasets import list_corpora
    >>> list_corpora()[:3]
    ('emovo', 'emodb', 'iemocap')
    """
    return tuple(_CORPORA)


def _options_of(loader):
    """The keyword options ``loader`` takes besides its first argument."""
    params = list(inspect.signature(loader).parameters.values())[1:]
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.kind in kinds]


def _who_takes(option):
    """What a source must be for ``option`` to apply, in words."""
    takers = []
    if option in _options_of(load_manifest):
        takers.append("a manifest (.csv/.tsv)")
    if option in _options_of(load_folder):
        takers.append("a folder")
    named = [name for name, loader in _CORPORA.items() if option in _options_of(loader)]
    if len(named) == len(_CORPORA):
        takers.append("every named corpus")
    elif named:
        takers.append(" and ".join(named))
    return " or ".join(takers)


def _check_options(options, loader, source):
    """One :class:`TypeError` naming every option ``loader`` does not take."""
    accepted = _options_of(loader)
    wrong = [name for name in options if name not in accepted]
    if not wrong:
        return
    reasons = []
    for name in wrong:
        flag = f" ({_FLAGS[name]} on the command line)" if name in _FLAGS else ""
        takers = _who_takes(name)
        where = f"is for {takers}" if takers else "is not an option of any loader"
        reasons.append(f"{name}={flag} {where}")
    raise TypeError(
        f"{'; '.join(reasons)}; {source}, and {loader.__name__} takes only "
        f"{', '.join(f'{name}=' for name in accepted)}"
    )


def _looks_like_path(text):
    return (
        os.sep in text
        or "/" in text
        or text.startswith((".", "~"))
        or bool(Path(text).suffix)
    )


@validate_params(
    {
        "name_or_path": [str, os.PathLike],
        "data_home": [str, os.PathLike, None],
    },
    # the loader validates the options: its own validation must not be skipped
    prefer_skip_nested_validation=False,
)
def load_corpus(name_or_path, data_home=None, **options):
    """Load a corpus by name, or your own data by the path of a manifest or folder.

    The one entry point for "this corpus": a name of :func:`list_corpora` calls
    that corpus's loader (``"emovo"`` -> :func:`load_emovo`, found in ``data_home``
    as every loader finds it: the argument, else ``$SKLEARN_SER_DATA``, else
    ``~/sklearn_ser_data``, see :func:`get_data_home`); the path of a file calls
    :func:`load_manifest`, the path of a folder :func:`load_folder`. A name wins
    over a file or folder of the same name in the working directory (write
    ``./emovo`` for the folder).

    Parameters
    ----------
    name_or_path : str or path-like
        A corpus name (``"emovo"``, ``"ravdess"``, ...), or the path of a manifest
        (CSV/TSV) or of a folder tree of your own data. A path-like object is
        always a path.
    data_home : str or path-like, default=None
        Where a named corpus is looked for: the data home holding one folder per
        corpus, or the corpus folder itself. Unused for a path, which names the
        data itself.
    **options
        Passed to the loader: those every loader takes (``as_frame``,
        ``on_error``), a corpus's own (``calm`` for RAVDESS, ``classes`` for
        IEMOCAP), a folder's (``pattern``, ``label_map``) or a manifest's
        (``path_column``, ``label_column``, ``speaker_column``, ``sep``,
        ``label_map``, ``task``). An option the loader does not take is a
        :class:`TypeError` that says which sources take it.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        The loader's Bunch: ``filenames``, ``target``, ``groups``,
        ``target_names``, ``DESCR``, ``frame`` and the loader's own arrays.

    Raises
    ------
    ValueError
        When ``name_or_path`` is neither a known name nor an existing file or
        folder; the message lists the names and says a path works too.
    FileNotFoundError
        When a named corpus is not in the data home (listing where it looked),
        or when a path-like ``name_or_path`` does not exist.
    TypeError
        When an option does not apply to that corpus or kind of data.

    See Also
    --------
    list_corpora : The names known here.
    get_data_home : Where named corpora are looked for.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_corpus
    >>> emovo = load_corpus("emovo")  # doctest: +SKIP
    >>> ravdess = load_corpus("ravdess", "/srv", calm="neutral")  # doctest: +SKIP
    >>> mine = load_corpus("labels.csv", label_map={"angry": "anger"})  # doctest: +SKIP
    """
    text = os.fspath(name_or_path)
    if isinstance(name_or_path, str) and text in _CORPORA:
        loader = _CORPORA[text]
        _check_options(options, loader, f"{text} is a named corpus")
        return loader(data_home, **options)
    path = Path(text).expanduser()
    if path.is_dir():
        _check_options(options, load_folder, f"{path} is a folder")
        return load_folder(path, **options)
    if path.is_file():
        _check_options(options, load_manifest, f"{path} is a file (a manifest)")
        return load_manifest(path, **options)
    known = (
        f"known corpora: {', '.join(_CORPORA)}, or the path of a manifest "
        "(.csv/.tsv) or of a folder"
    )
    if not isinstance(name_or_path, str) or _looks_like_path(text):
        raise FileNotFoundError(f"no manifest file or folder at {path}; {known}")
    raise ValueError(f"unknown corpus {text!r}; {known}")
