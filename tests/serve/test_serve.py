"""`sklearn-ser serve`: the JSON API against a real server on localhost.

The ``server`` fixture (tests/conftest.py) runs the real command in a subprocess on
a free port with a real is10-svm model fitted on EMOVO; every answer is compared
with the same model called in this process.
"""

import concurrent.futures
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import requests
import soundfile as sf

from sklearn_ser.cli import main

pytest.importorskip("fastapi", reason="the serve extra is part of dev")


def post(server, path, *, name=None, field="file"):
    with open(path, "rb") as f:
        files = {field: (name or Path(path).name, f.read())}
    return requests.post(f"{server.url}/predict", files=files, timeout=300)


def in_process(model, path):
    """What the model says about one file when called directly."""
    return model.predict([str(path)])[0], model.predict_proba([str(path)])[0]


def check_answer(answer, model, path, expected=None):
    label, proba = expected or in_process(model, path)
    assert answer["label"] == label
    got = np.array([answer["probabilities"][str(c)] for c in model.classes_])
    np.testing.assert_allclose(got, proba, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def long_file(server, tmp_path_factory):
    """Four held-out EMOVO utterances with a second of silence between: > 8 s."""
    parts, rate = [], None
    for f in server.held_out[:4]:
        x, rate = sf.read(f, dtype="float32")
        parts += [x, np.zeros(rate, dtype="float32")]
    path = tmp_path_factory.mktemp("long") / "long.wav"
    sf.write(path, np.concatenate(parts), rate)
    assert sf.info(path).duration > 8
    return path


def test_info_describes_the_model(server):
    info = requests.get(f"{server.url}/info", timeout=30).json()
    assert info["model"]["classes"] == [str(c) for c in server.model.classes_]
    assert info["model"]["training_utterances"] == 42
    assert info["model"]["n_features"] == 1582
    assert info["model"]["file"] == "is10.skops"
    assert info["model"]["steps"][0] == "OpenSmileIS10"
    assert info["max_upload_mb"] == 1
    assert info["long_audio_s"] == 8


def test_predict_matches_in_process(server):
    for path in server.held_out[:4]:
        r = post(server, path)
        assert r.status_code == 200, r.text
        answer = r.json()
        check_answer(answer, server.model, path)
        assert answer["filename"] == Path(path).name
        assert answer["sampling_rate"] == sf.info(path).samplerate
        assert answer["duration_s"] == pytest.approx(sf.info(path).duration, abs=1e-3)
        assert answer["over_time"] is None  # shorter than --long-audio-s


def test_twenty_concurrent_requests_are_all_correct(server):
    files = [server.held_out[i % 5] for i in range(20)]
    expected = {f: in_process(server.model, f) for f in set(files)}
    # the clips must not all get the same answer, or a mix-up would go unseen
    assert len({tuple(np.round(p, 6)) for _, p in expected.values()}) == 5
    barrier = threading.Barrier(20)

    def one(path):
        barrier.wait()
        return path, post(server, path)

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(one, files))
    for path, r in answers:
        assert r.status_code == 200, r.text
        assert r.json()["filename"] == Path(path).name
        check_answer(r.json(), server.model, path, expected[path])


def test_recording_in_the_format_the_page_sends(server, tmp_path):
    # The page decodes the microphone's WebM/Opus and sends 16 kHz mono 16-bit WAV.
    x, rate = sf.read(server.held_out[5], dtype="float32")
    assert rate == 16000
    path = tmp_path / "recording.wav"
    sf.write(path, x, 16000, subtype="PCM_16")
    r = post(server, path)
    assert r.status_code == 200, r.text
    assert r.json()["sampling_rate"] == 16000
    check_answer(r.json(), server.model, path)


def test_ogg_opus_upload(server, tmp_path):
    x, rate = sf.read(server.held_out[6], dtype="float32")
    path = tmp_path / "clip.ogg"
    sf.write(path, x, rate, format="OGG", subtype="OPUS")
    r = post(server, path)
    assert r.status_code == 200, r.text
    check_answer(r.json(), server.model, path)


@pytest.mark.slow
def test_long_upload_is_also_predicted_over_time(server, long_file):
    from sklearn_ser.segment import predict_over_time

    r = post(server, long_file)
    assert r.status_code == 200, r.text
    answer = r.json()
    check_answer(answer, server.model, long_file)
    rows = predict_over_time(server.model, str(long_file))
    assert len(rows) >= 2
    assert [row["label"] for row in answer["over_time"]] == list(rows["label"])
    for row, (_, want) in zip(answer["over_time"], rows.iterrows()):
        assert row["start"] == pytest.approx(want["start"])
        assert row["end"] == pytest.approx(want["end"])
        got = [row["probabilities"][str(c)] for c in server.model.classes_]
        want_p = [want[f"proba_{c}"] for c in server.model.classes_]
        np.testing.assert_allclose(got, want_p, rtol=0, atol=1e-9)


@pytest.mark.slow
def test_predictions_run_off_the_event_loop(server, long_file):
    # While a long prediction runs, the server still answers GET /info. A prediction
    # is running exactly while its upload's temporary file is in the server's TMPDIR
    # (written when the handler starts, removed when it ends), so the test watches
    # that file instead of guessing the timing with a sleep.
    def uploads():
        return {p.name for p in server.tmpdir.glob("sklearn-ser-upload-*")}

    assert uploads() == set()
    args = (server, long_file)
    threads = [threading.Thread(target=post, args=args) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 120
        while not (running := uploads()):
            assert time.monotonic() < deadline, "no prediction started within 120 s"
            time.sleep(0.005)
        assert requests.get(f"{server.url}/info", timeout=60).status_code == 200
        # On the event loop, /info would wait for that prediction to end first.
        assert running & uploads(), "GET /info waited for the running prediction"
    finally:
        for t in threads:
            t.join()
    assert uploads() == set()


# ------------------------------------------------------------------ bad uploads
def test_not_audio_is_415(server, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not audio at all\n" * 20)
    r = post(server, path)
    assert r.status_code == 415
    assert "'notes.txt' is not audio" in r.json()["detail"]


def test_truncated_audio_is_422_naming_the_upload(server, tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes(Path(server.held_out[0]).read_bytes()[:2000])
    r = post(server, path)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "'cut.wav'" in detail and "truncated" in detail
    assert "sklearn-ser-upload" not in detail  # no temporary path leaks out


def test_empty_upload_is_400(server, tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    r = post(server, path)
    assert r.status_code == 400
    assert "'empty.wav' is empty" in r.json()["detail"]


def test_audio_without_samples_is_422(server, tmp_path):
    path = tmp_path / "silent.wav"
    sf.write(path, np.zeros(0, dtype="float32"), 16000)
    r = post(server, path)
    assert r.status_code == 422
    assert "'silent.wav' is empty (0 samples)" in r.json()["detail"]


def test_missing_file_field_is_422(server):
    r = post(server, server.held_out[0], field="audio")
    assert r.status_code == 422
    assert "no file in the field 'file'" in r.json()["detail"]


def test_body_that_is_not_a_form_is_415(server):
    data = Path(server.held_out[0]).read_bytes()
    r = requests.post(
        f"{server.url}/predict",
        data=data,
        headers={"Content-Type": "audio/wav"},
        timeout=60,
    )
    assert r.status_code == 415
    assert "multipart/form-data" in r.json()["detail"]


def big_wav(tmp_path, seconds=40.0):
    """A 16-bit 16 kHz WAV of ``seconds`` of noise: 32 kB per second."""
    rng = np.random.default_rng(0)
    path = tmp_path / "big.wav"
    sf.write(path, 0.1 * rng.standard_normal(int(16000 * seconds)), 16000, "PCM_16")
    return path


def test_upload_over_the_limit_is_413(server, tmp_path):
    path = big_wav(tmp_path)  # 1.28 MB > 1 MB
    r = post(server, path)
    assert r.status_code == 413
    assert "limit of 1 MB" in r.json()["detail"]


def test_file_over_the_limit_in_a_body_within_the_slack_is_413(server, tmp_path):
    # The body may pass the limit by the form's framing allowance; the file may not.
    path = tmp_path / "a_bit_big.wav"
    path.write_bytes(big_wav(tmp_path).read_bytes()[: 1_000_000 + 20_000])
    r = post(server, path)
    assert r.status_code == 413
    assert "limit of 1 MB" in r.json()["detail"]


def test_upload_just_under_the_limit_is_accepted(server, tmp_path):
    path = big_wav(tmp_path, seconds=30.0)  # 960 kB < 1 MB
    r = post(server, path)
    assert r.status_code == 200, r.text


def raw_request(server, head, chunks):
    """Send ``head`` and ``chunks`` on a socket, never finishing the body.

    Returns the status line and the JSON detail of what the server answers, which
    it can only do without waiting for the rest of the body.
    """
    import json
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(server.url)
    with socket.create_connection((url.hostname, url.port), timeout=60) as sock:
        sock.sendall(head)
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except OSError:  # the server answered and closed
                break
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            block = sock.recv(65536)
            if not block:
                break
            answer += block
    status = answer.split(b"\r\n", 1)[0].decode()
    return status, json.loads(answer.split(b"\r\n\r\n", 1)[1])["detail"]


BOUNDARY = "sklearnserboundary"
PART_HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
    'filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n'
).encode()


def test_declared_length_over_the_limit_is_413_before_the_body(server):
    # 50 MB announced, 1 kB sent: the answer comes without the rest of the body
    head = (
        "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        "Content-Length: 50000000\r\n\r\n"
    ).encode()
    status, detail = raw_request(server, head, [PART_HEAD, b"\0" * 1024])
    assert " 413 " in status
    assert "limit of 1 MB" in detail


def test_chunked_body_is_cut_off_at_the_limit(server, tmp_path):
    # No Content-Length: the body is counted as it arrives; the client sends
    # 1.28 MB and never ends the body, so only the cut-off can answer.
    head = (
        "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    data = PART_HEAD + big_wav(tmp_path).read_bytes()
    chunks = [
        b"%x\r\n%s\r\n" % (len(data[i : i + 65536]), data[i : i + 65536])
        for i in range(0, len(data), 65536)
    ]
    status, detail = raw_request(server, head, chunks)
    assert " 413 " in status
    assert "limit of 1 MB" in detail


def test_temporary_files_are_removed(server, tmp_path):
    # good and bad uploads alike leave the server's TMPDIR as it found it
    bad = tmp_path / "cut.wav"
    bad.write_bytes(Path(server.held_out[0]).read_bytes()[:2000])
    assert post(server, server.held_out[0]).status_code == 200
    assert post(server, bad).status_code == 422
    assert post(server, big_wav(tmp_path)).status_code == 413
    assert sorted(p.name for p in server.tmpdir.iterdir()) == []


# -------------------------------------------------------- the factory, the command
def test_create_app_checks_its_parameters(served_model):
    from sklearn_ser.serve import create_app

    _, model, _ = served_model
    for bad in (0, -1.0, float("nan"), "10"):
        with pytest.raises(ValueError, match="max_upload_mb"):
            create_app(model, max_upload_mb=bad, warm_up=False)
    with pytest.raises(ValueError, match="long_audio_s"):
        create_app(model, long_audio_s=0, warm_up=False)
    with pytest.raises(ValueError, match="model_info must be a dict"):
        create_app(model, model_info=["x"], warm_up=False)


def test_create_app_refuses_a_per_speaker_model(wav_files):
    from sklearn import config_context

    from sklearn_ser.pipelines import make_named_pipeline
    from sklearn_ser.serve import create_app

    y = ["anger", "neutral"] * 3
    groups = ["s1", "s1", "s1", "s2", "s2", "s2"]
    with config_context(enable_metadata_routing=True):
        model = make_named_pipeline("is10-svm-spkstd").fit(wav_files, y, groups=groups)
    with pytest.raises(ValueError, match="standardises each speaker"):
        create_app(model, warm_up=False)


def test_serve_command_errors_are_one_line(served_model, tmp_path, capsys):
    path, _, _ = served_model
    assert main(["serve", str(tmp_path / "missing.skops")]) == 2
    assert "model file not found" in capsys.readouterr().err
    assert main(["serve", str(path), "--max-upload-mb", "0"]) == 2
    err = capsys.readouterr().err
    assert "cannot serve" in err and "max_upload_mb" in err
