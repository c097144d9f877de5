"""fetch_emodb against an HTTP server on 127.0.0.1 inside the test: never the internet.

The served zip has the official download.zip layout (``wav/03a01Fa.wav`` at the top,
next to the documentation folders) with tiny real WAVs.
"""

import functools
import hashlib
import io
import re
import socket
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from sklearn_ser.datasets import EMODB_URL, fetch_emodb, load_emodb

EMODB_FILES = {
    "03a01Fa.wav": "happiness",
    "03a01Wa.wav": "anger",
    "08b02Nb.wav": "neutral",
    "10b10La.wav": "boredom",
    "13a04Ea.wav": "disgust",
    "14a05Tc.wav": "sadness",
    "16a07Ab.wav": "fear",
}


def _wav_bytes(voice, seed):
    buf = io.BytesIO()
    sf.write(buf, voice(0.05, seed=seed), 16000, format="WAV")
    return buf.getvalue()


def _make_zip(voice, names=EMODB_FILES, prefix=""):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, name in enumerate(names):
            zf.writestr(f"{prefix}wav/{name}", _wav_bytes(voice, i))
        zf.writestr(f"{prefix}lablaut/03a01Fa.lab", "0.0 a\n")
        zf.writestr(f"{prefix}erklaerung.txt", "Dokumentation der Datenbank\n")
    return buf.getvalue()


@pytest.fixture
def server(tmp_path):
    """Serve ``tmp_path / "www"`` on 127.0.0.1; yields (base url, folder, requests)."""
    root = tmp_path / "www"
    root.mkdir()
    requests = []

    class Handler(SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            requests.append(self.path)

        def log_message(self, fmt, *args):  # keep the test output quiet
            pass

    httpd = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root, requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _leftovers(home):
    return sorted(p.name for p in Path(home).iterdir() if p.name != "emodb")


def test_fetch_emodb_downloads_checks_and_loads(server, tmp_path, voice, capsys):
    base, www, requests = server
    payload = _make_zip(voice)
    (www / "download.zip").write_bytes(payload)
    home = tmp_path / "home"  # does not exist yet: created
    emodb = fetch_emodb(
        home,
        url=f"{base}/download.zip",
        sha256=hashlib.sha256(payload).hexdigest().upper(),
        as_frame=True,
    )
    assert "EmoDB" in capsys.readouterr().err  # the progress bar
    assert requests == ["/download.zip"]
    names = [Path(f).name for f in emodb.filenames]
    assert names == sorted(EMODB_FILES)
    assert [EMODB_FILES[n] for n in names] == list(emodb.target)
    assert all(Path(f).parent == home / "emodb" / "wav" for f in emodb.filenames)
    assert (home / "emodb" / "erklaerung.txt").is_file()
    assert _leftovers(home) == []  # no zip, no staging folder
    data, sr = sf.read(emodb.filenames[0])
    assert sr == 16000 and data.shape == (800,)
    assert emodb.frame.shape[0] == 7
    # Present now: no second download, and the same as load_emodb.
    again = fetch_emodb(home, url=f"{base}/download.zip", download_if_missing=False)
    assert requests == ["/download.zip"]
    np.testing.assert_array_equal(again.filenames, load_emodb(home).filenames)


def test_fetch_emodb_archive_with_top_folder(server, tmp_path, voice):
    base, www, _ = server
    (www / "emodb.zip").write_bytes(_make_zip(voice, prefix="EmoDB/"))
    emodb = fetch_emodb(
        tmp_path / "home",
        url=f"{base}/emodb.zip",
        sha256=_sha(www / "emodb.zip"),
        verbose=False,
    )
    assert len(emodb.filenames) == 7
    assert (tmp_path / "home" / "emodb" / "wav" / "03a01Fa.wav").is_file()
    assert _leftovers(tmp_path / "home") == []


def test_fetch_emodb_404(server, tmp_path):
    base, _, requests = server
    url = f"{base}/missing.zip"
    with pytest.raises(OSError, match=r"Could not download EmoDB from .*missing\.zip"):
        fetch_emodb(tmp_path, url=url, sha256="0" * 64, verbose=False, delay=0)
    assert requests == ["/missing.zip"]  # a 404 is not retried
    assert not (tmp_path / "emodb").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "www"] == []


def test_fetch_emodb_connection_refused(tmp_path):
    with socket.socket() as sock:  # a free port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/download.zip"
    with pytest.raises(OSError, match=rf"{url} \(2 attempts\)"):
        fetch_emodb(
            tmp_path, url=url, sha256="0" * 64, n_retries=1, delay=0, verbose=False
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda good: b"<html>Not Found</html>" * 50, "Not a zip archive"),
        # Flip bytes inside the first stored file: the CRC check catches it.
        (
            lambda good: (
                good[:200] + bytes(b ^ 0xFF for b in good[200:400]) + good[400:]
            ),
            r"Corrupt zip archive: .* CRC error in 'wav/03a01Fa.wav'",
        ),
        (lambda good: good[: len(good) // 2], "Not a zip archive"),
    ],
    ids=["html", "flipped-bytes", "truncated"],
)
def test_fetch_emodb_corrupt_download(server, tmp_path, voice, corrupt, message):
    base, www, _ = server
    (www / "download.zip").write_bytes(corrupt(_make_zip(voice)))
    home = tmp_path / "home"
    url = f"{base}/download.zip"
    with pytest.raises(ValueError, match=message) as err:
        fetch_emodb(home, url=url, sha256=_sha(www / "download.zip"), verbose=False)
    assert url in str(err.value)
    assert not (home / "emodb").exists() and _leftovers(home) == []


def test_fetch_emodb_sha256_mismatch(server, tmp_path, voice):
    base, www, _ = server
    (www / "download.zip").write_bytes(_make_zip(voice))
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="expected 0000"):
        fetch_emodb(home, url=f"{base}/download.zip", sha256="0" * 64, verbose=False)
    assert not (home / "emodb").exists() and _leftovers(home) == []


@pytest.mark.parametrize(
    "members, message",
    [
        ({"audio/03a01Fa.wav": 1}, "03a01Fa.wav: not in a wav/ folder"),
        ({"wav/03a01Fa.wav": 1, "wav/hello.wav": 1}, "wav/hello.wav: not <speaker"),
        ({"wav/03a01Xa.wav": 1}, "unknown emotion letter 'X'"),
        ({"readme.txt": 1}, r"found 0 such files in 0 wav/ folders"),
        ({"a/wav/03a01Fa.wav": 1, "b/wav/08b02Nb.wav": 1}, "in 2 wav/ folders"),
    ],
    ids=["no-wav-folder", "bad-name", "bad-letter", "no-wav", "two-wav-folders"],
)
def test_fetch_emodb_wrong_layout(server, tmp_path, voice, members, message):
    base, www, _ = server
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in members:
            zf.writestr(name, _wav_bytes(voice, 0) if name.endswith(".wav") else "x")
    (www / "odd.zip").write_bytes(buf.getvalue())
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="Not the EmoDB layout") as err:
        fetch_emodb(
            home, url=f"{base}/odd.zip", sha256=_sha(www / "odd.zip"), verbose=False
        )
    assert re.search(message, str(err.value))
    assert f"{base}/odd.zip" in str(err.value)
    assert not (home / "emodb").exists() and _leftovers(home) == []


def test_fetch_emodb_not_downloading(server, tmp_path):
    base, _, requests = server
    with pytest.raises(FileNotFoundError, match="EmoDB corpus not found"):
        fetch_emodb(tmp_path / "home", url=f"{base}/x.zip", download_if_missing=False)
    assert requests == []


def test_fetch_emodb_refuses_to_overwrite(server, tmp_path, voice):
    base, www, requests = server
    (www / "download.zip").write_bytes(_make_zip(voice))
    (tmp_path / "emodb").mkdir()
    (tmp_path / "emodb" / "mine.txt").write_text("keep me")
    url, sha256 = f"{base}/download.zip", _sha(www / "download.zip")
    with pytest.raises(FileExistsError, match="holds no wav"):
        fetch_emodb(tmp_path, url=url, sha256=sha256, verbose=False)
    assert requests == [] and (tmp_path / "emodb" / "mine.txt").is_file()
    # An empty folder is simply replaced.
    (tmp_path / "emodb" / "mine.txt").unlink()
    assert len(fetch_emodb(tmp_path, url=url, sha256=sha256).filenames) == 7


def test_fetch_emodb_refuses_to_download_unchecked(server, tmp_path, voice):
    """No checksum given and none pinned: nothing is fetched, the error says why."""
    base, www, requests = server
    (www / "download.zip").write_bytes(_make_zip(voice))
    with pytest.raises(ValueError, match="fetch_emodb needs sha256=") as err:
        fetch_emodb(tmp_path / "home", url=f"{base}/download.zip", verbose=False)
    assert f"{base}/download.zip" in str(err.value)
    assert requests == [] and not (tmp_path / "home").exists()
    # the default, official link: https, and no unchecked download either
    assert EMODB_URL.startswith("https://")
    with pytest.raises(ValueError, match="no checksum of the official EmoDB"):
        fetch_emodb(tmp_path / "home", verbose=False)
    with pytest.raises(ValueError, match="must be 64 hexadecimal digits"):
        fetch_emodb(tmp_path / "home", sha256="abc", verbose=False)
    assert not (tmp_path / "home").exists()
