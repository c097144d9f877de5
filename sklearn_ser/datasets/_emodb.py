"""Berlin EmoDB: loading the official layout, and downloading the official zip."""

import hashlib
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from numbers import Integral, Real
from pathlib import Path, PurePosixPath
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

from .._compat import Interval, StrOptions, validate_params
from ._base import (
    _any_file,
    _build_bunch,
    _find_corpus,
    _is_hidden,
    _report,
    get_data_home,
)

__all__ = ["EMODB_SHA256", "EMODB_URL", "fetch_emodb", "load_emodb"]

#: The download link published on http://emodb.bilderbar.info/, over https.
EMODB_URL = "https://emodb.bilderbar.info/download/download.zip"
# The link as published (plain http): tried when the host does not answer https.
_EMODB_HTTP_URL = "http://emodb.bilderbar.info/download/download.zip"

#: SHA-256 of the official ``download.zip``. ``None``: not pinned, because no
#: checksum published by the corpus' authors could be verified for this release, and
#: a made-up one would be worse than none. :func:`fetch_emodb` therefore refuses to
#: download without a ``sha256`` argument.
EMODB_SHA256 = None

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")

EMODB_EMOTIONS = {
    "W": "anger",  # Wut
    "L": "boredom",  # Langeweile
    "E": "disgust",  # Ekel
    "A": "fear",  # Angst
    "F": "happiness",  # Freude
    "T": "sadness",  # Trauer
    "N": "neutral",
}

# Speaker gender as given in the EmoDB documentation.
EMODB_SPEAKERS = {
    "03": "male",
    "08": "female",
    "09": "female",
    "10": "male",
    "11": "male",
    "12": "male",
    "13": "female",
    "14": "female",
    "15": "male",
    "16": "female",
}

_NAME = re.compile(
    r"^(?P<spk>\d{2})(?P<text>[a-z]\d{2})(?P<emo>[A-Z])(?P<version>[a-z])\.wav$"
)

DESCR = """\
EmoDB: the Berlin Database of Emotional Speech
----------------------------------------------

Burkhardt, Paeschke, Rolfes, Sendlmeier and Weiss, "A Database of German Emotional
Speech", Interspeech 2005. Freely downloadable from http://emodb.bilderbar.info/ for
research; cite the paper. Ten actors (03, 10, 11, 12, 15 male; 08, 09, 13, 14, 16
female) speak ten German sentences (a01, a02, a04, a05, a07, b01, b02, b03, b09, b10) in
seven emotions: 535 utterances in the official release, 16 kHz mono WAV. Layout:
``emodb/wav/03a01Fa.wav`` = speaker (2 digits), text (3 characters), emotion letter,
version letter. Label mapping (German initial -> target): W anger (Wut), L boredom
(Langeweile), E disgust (Ekel), A fear (Angst), F happiness (Freude), T sadness
(Trauer), N neutral. ``groups`` are the actors; ``texts``, ``versions`` and ``genders``
are given too.
"""


def _parse_name(name):
    """Return ``(speaker, text, emotion letter, version)`` or a reason string."""
    match = _NAME.match(name)
    if match is None:
        return "not <speaker:2 digits><text:3><emotion letter><version>.wav"
    if match["emo"] not in EMODB_EMOTIONS:
        return (
            f"unknown emotion letter {match['emo']!r} "
            f"(expected one of {''.join(EMODB_EMOTIONS)})"
        )
    if match["spk"] not in EMODB_SPEAKERS:
        return (
            f"unknown speaker {match['spk']!r} "
            f"(EmoDB has {', '.join(sorted(EMODB_SPEAKERS))})"
        )
    return match["spk"], match["text"], match["emo"], match["version"]


def _locate(data_home):
    return _find_corpus(
        data_home,
        ["emodb"],
        lambda p: _any_file(p, "wav/*.wav"),
        "EmoDB",
        "<folder>/wav/03a01Fa.wav (the official download.zip, extracted)",
    )


_COMMON = {
    "data_home": [str, os.PathLike, None],
    "as_frame": ["boolean"],
    "on_error": [StrOptions({"raise", "warn"})],
}


@validate_params(_COMMON, prefer_skip_nested_validation=True)
def load_emodb(data_home=None, *, as_frame=False, on_error="raise"):
    """Load the Berlin EmoDB corpus (German, 10 actors, 7 emotions).

    Reads the file names of ``<corpus>/wav/*.wav`` only, never the audio. The corpus
    folder is ``<data_home>/emodb`` or, when ``data_home`` is given, ``data_home``
    itself. Use :func:`fetch_emodb` to download it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home holding ``emodb/``, or the EmoDB folder itself (the one holding
        ``wav/``). ``None`` means :func:`get_data_home`.
    as_frame : bool, default=False
        Also return a :class:`pandas.DataFrame` with columns ``filename``, ``target``,
        ``speaker``, ``gender``, ``text``, ``version``, ``emotion_code``.
    on_error : {"raise", "warn"}, default="raise"
        What to do with ``wav/*.wav`` files not in the EmoDB naming (unknown emotion
        letter or speaker): ``"raise"`` a :class:`ValueError` listing all of them, or
        ``"warn"`` once and leave them out. Hidden files are always ignored.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``filenames`` (sorted), ``target``, ``groups`` (speaker ids ``"03"``...),
        ``target_names``, ``texts``, ``versions``, ``genders``, ``frame``
        (with ``as_frame=True``, else None) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When the corpus is not found; the message lists every place looked.

    Examples
    --------
    >>> from sklearn_ser.datasets import load_emodb
    >>> emodb = load_emodb()  # doctest: +SKIP
    >>> emodb.filenames.shape, emodb.target_names.size  # doctest: +SKIP
    ((535,), 7)
    """
    root = _locate(data_home)
    columns = {
        k: []
        for k in (
            "filename",
            "target",
            "speaker",
            "gender",
            "text",
            "version",
            "emotion_code",
        )
    }
    problems = []
    for path in sorted((root / "wav").iterdir()):
        if _is_hidden(path) or not path.is_file() or path.suffix.lower() != ".wav":
            continue
        parsed = _parse_name(path.name)
        if isinstance(parsed, str):
            problems.append(f"{path}: {parsed}")
            continue
        spk, text, emo, version = parsed
        columns["filename"].append(str(path))
        columns["target"].append(EMODB_EMOTIONS[emo])
        columns["speaker"].append(spk)
        columns["gender"].append(EMODB_SPEAKERS[spk])
        columns["text"].append(text)
        columns["version"].append(version)
        columns["emotion_code"].append(emo)
    _report(problems, on_error, what="EmoDB files with unexpected names")
    return _build_bunch(
        columns,
        {"texts": "text", "versions": "version", "genders": "gender"},
        descr=DESCR,
        as_frame=as_frame,
        corpus_dir=root,
    )


def _download(url, dest, *, sha256, timeout, n_retries, delay, verbose):
    """Stream ``url`` into the file ``dest`` with a progress bar; check its sha256."""
    from tqdm.auto import tqdm

    for attempt in range(n_retries + 1):
        digest = hashlib.sha256()
        try:
            with urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
                length = response.headers.get("Content-Length")
                with tqdm(
                    total=int(length) if length and length.isdigit() else None,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc="EmoDB",
                    disable=not verbose,
                ) as bar:
                    while chunk := response.read(1 << 16):
                        out.write(chunk)
                        digest.update(chunk)
                        bar.update(len(chunk))
            break
        except HTTPError as exc:
            # A client error (404, 403) will not go away by asking again.
            if exc.code < 500 or attempt == n_retries:
                raise OSError(
                    f"Could not download EmoDB from {url}: HTTP {exc.code} {exc.reason}"
                ) from exc
        except (URLError, TimeoutError, ConnectionError) as exc:
            if attempt == n_retries:
                reason = getattr(exc, "reason", exc)
                raise OSError(
                    f"Could not download EmoDB from {url} "
                    f"({n_retries + 1} attempts): {reason}"
                ) from exc
        time.sleep(delay)
    if sha256 is not None and digest.hexdigest() != sha256.lower():
        raise ValueError(
            f"The file downloaded from {url} has sha256 {digest.hexdigest()}, "
            f"expected {sha256.lower()}: corrupt or altered download."
        )


def _check_archive(archive, url):
    """Check that ``archive`` is a sound zip in the EmoDB layout.

    Returns the folder prefix inside the archive that holds ``wav/`` ("" for the
    official zip, whose ``wav/`` is at the top).
    """
    where = f"{archive} (downloaded from {url})"
    if not zipfile.is_zipfile(archive):
        raise ValueError(f"Not a zip archive: {where}.")
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"Corrupt zip archive: {where}: {exc}") from exc
    if bad is not None:
        raise ValueError(f"Corrupt zip archive: {where}: CRC error in {bad!r}.")
    wavs, wrong, unsafe = {}, [], []
    for name in names:
        member = PurePosixPath(name)
        if member.is_absolute() or ".." in member.parts:
            unsafe.append(name)
        if name.endswith("/") or member.suffix.lower() != ".wav":
            continue
        if member.name.startswith(".") or "__MACOSX" in member.parts:
            continue
        if len(member.parts) < 2 or member.parts[-2] != "wav":
            wrong.append(f"{name}: not in a wav/ folder")
            continue
        parsed = _parse_name(member.name)
        if isinstance(parsed, str):
            wrong.append(f"{name}: {parsed}")
            continue
        wavs.setdefault(str(member.parent.parent), []).append(name)
    if unsafe:
        raise ValueError(f"Refusing to extract {where}: unsafe member paths {unsafe}.")
    if wrong or len(wavs) != 1:
        detail = "\n".join(f"  {w}" for w in wrong[:20])
        raise ValueError(
            f"Not the EmoDB layout: {where}. Expected wav/<speaker><text><emotion>"
            f"<version>.wav members (e.g. wav/03a01Fa.wav) in exactly one wav/ folder; "
            f"found {sum(map(len, wavs.values()))} such files in {len(wavs)} wav/ "
            f"folders" + (f" and these unexpected ones:\n{detail}" if wrong else ".")
        )
    (prefix,) = wavs
    return "" if prefix == "." else prefix


@validate_params(
    {
        **_COMMON,
        "url": [str],
        "sha256": [str, None],
        "download_if_missing": ["boolean"],
        "n_retries": [Interval(Integral, 0, None, closed="left")],
        "delay": [Interval(Real, 0, None, closed="left")],
        "timeout": [Interval(Real, 0, None, closed="neither")],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_emodb(
    data_home=None,
    *,
    url=EMODB_URL,
    sha256=None,
    download_if_missing=True,
    as_frame=False,
    on_error="raise",
    n_retries=3,
    delay=1.0,
    timeout=60.0,
    verbose=True,
):
    """Load Berlin EmoDB, downloading the official zip first if it is not there.

    When the corpus is not found (see :func:`load_emodb`), the zip at ``url`` is
    downloaded into the data home with a progress bar, checked (a sound zip archive,
    CRCs included, whose ``.wav`` members all sit in one ``wav/`` folder and follow
    the EmoDB naming; the ``sha256`` when given), extracted into a temporary folder
    and only then renamed to ``<data_home>/emodb``, so an interrupted download or
    extraction never leaves a half corpus behind. The zip is deleted afterwards.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The data home (created if needed), or an existing EmoDB folder.
        ``None`` means :func:`get_data_home`.
    url : str, default=EMODB_URL
        Where to download the zip from. The official link is tried over https
        first, then as published (plain http) when the host does not answer https;
        the checksum, not the transport, is what vouches for the file.
    sha256 : str, default=None
        Expected SHA-256 of the zip (64 hex digits). ``None`` means
        :data:`EMODB_SHA256` for the official link; since that is not pinned in
        this release, a download then stops with a :class:`ValueError` before
        anything is fetched: pass the checksum of an archive you trust (e.g. from
        ``sha256sum download.zip`` on a copy you verified). Never skipped.
    download_if_missing : bool, default=True
        If False, raise :class:`FileNotFoundError` instead of downloading.
    as_frame, on_error
        As in :func:`load_emodb`.
    n_retries : int, default=3
        Further attempts after a network failure or an HTTP 5xx error (not after
        a 4xx error such as 404).
    delay : float, default=1.0
        Seconds between attempts.
    timeout : float, default=60.0
        Socket timeout in seconds.
    verbose : bool, default=True
        Show a progress bar while downloading.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As returned by :func:`load_emodb`.

    Raises
    ------
    OSError
        The download failed (network error, HTTP error); the message names the URL.
    ValueError
        No ``sha256`` to check a download against; or the download is not a sound
        zip, not in the EmoDB layout, or its sha256 differs (the message names the
        URL and the file).
    FileExistsError
        ``<data_home>/emodb`` exists and is not empty but holds no ``wav/*.wav``.

    Examples
    --------
    >>> from sklearn_ser.datasets import fetch_emodb
    >>> checksum = "<64 hex digits of an archive you trust>"
    >>> emodb = fetch_emodb(sha256=checksum)  # doctest: +SKIP
    >>> emodb.groups[:3]  # doctest: +SKIP
    array(['03', '03', '03'], dtype='<U2')
    """
    kwargs = {"as_frame": as_frame, "on_error": on_error}
    try:
        _locate(data_home)
    except FileNotFoundError:
        if not download_if_missing:
            raise
    else:
        return load_emodb(data_home, **kwargs)

    if sha256 is None and url in (EMODB_URL, _EMODB_HTTP_URL):
        sha256 = EMODB_SHA256
    if sha256 is None:
        raise ValueError(
            f"fetch_emodb needs sha256= to check the archive it would download from "
            f"{url}: no checksum of the official EmoDB archive is pinned in this "
            "release, and an unchecked download could be altered on the way. Pass "
            "sha256='<64 hex digits>' of an archive you trust, or download and "
            "extract it yourself and pass data_home= (the folder holding "
            "emodb/wav/)."
        )
    if not _SHA256.match(sha256):
        raise ValueError(
            f"The sha256 parameter of fetch_emodb must be 64 hexadecimal digits; got "
            f"{sha256!r}."
        )
    urls = [url, _EMODB_HTTP_URL] if url == EMODB_URL else [url]
    home = Path(get_data_home(data_home))
    target = home / "emodb"
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(
            f"{target} exists but holds no wav/*.wav; remove it (or pass another "
            "data_home) so that EmoDB can be downloaded there."
        )
    home.mkdir(parents=True, exist_ok=True)
    fd, archive = tempfile.mkstemp(dir=home, prefix=".emodb-", suffix=".zip.part")
    os.close(fd)
    staging = None
    try:
        for i, url in enumerate(urls):
            try:
                _download(
                    url,
                    archive,
                    sha256=sha256,
                    timeout=timeout,
                    n_retries=n_retries,
                    delay=delay,
                    verbose=verbose,
                )
                break
            except OSError:
                if i == len(urls) - 1:
                    raise
        prefix = _check_archive(archive, url)
        staging = tempfile.mkdtemp(dir=home, prefix=".emodb-extract-")
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(staging)
        source = Path(staging, prefix)
        if target.is_dir():  # an empty folder left by the user: replace it
            target.rmdir()
        os.replace(source, target)
    finally:
        os.unlink(archive)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return load_emodb(target, **kwargs)
