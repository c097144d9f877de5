"""The API pages: real signature defaults, Sphinx roles rendered or linked."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

griffe = pytest.importorskip("griffe")  # a docs dependency (the dev extra)


@pytest.fixture(scope="module")
def package(load_script):
    """sklearn_ser as mkdocstrings loads it (mkdocs.yml: numpy docstrings)."""
    return griffe.load(
        "sklearn_ser",
        search_paths=[str(REPO)],
        docstring_parser="numpy",
        extensions=griffe.load_extensions(
            load_script("docs/griffe_docstrings.py").SignatureDefaultsAndRoles()
        ),
    )


def _defaults(obj):
    for section in obj.docstring.parsed:
        if section.kind is griffe.DocstringSectionKind.parameters:
            return {p.name: str(p.value) for p in section.value}
    raise AssertionError(f"{obj.path} has no Parameters section")


def test_parameter_tables_show_signature_defaults(package):
    # grouped names ("a, b, c") used to get the first one's default: None
    is10 = _defaults(package["features._opensmile.OpenSmileIS10"])
    assert is10["target_sampling_rate"] == "16000"
    assert is10["min_duration"] == "0.1"
    assert is10["on_error"] == "'raise'"
    assert is10["verbose"] == "0"
    assert is10["sampling_rate"] == "None"  # really None
    pipeline = _defaults(package["classifiers._pipeline.make_attention_pipeline"])
    assert (pipeline["hop_length"], pipeline["win_length"]) == ("0.03", "0.04")


def _all_docstrings(obj):
    if obj.docstring is not None:
        yield obj, obj.docstring.value
    for member in obj.members.values():
        if not member.is_alias:
            yield from _all_docstrings(member)


def test_no_raw_sphinx_roles_are_left(package):
    raw = [
        f"{obj.path}: {m.group(0)}"
        for obj, text in _all_docstrings(package)
        for m in re.finditer(r":(class|func|meth|mod|attr|data|exc):`", text)
    ]
    assert raw == []
    doc = package["features._opensmile.OpenSmileIS10"].docstring.value
    # a rendered class becomes a link, an outside one plain code
    assert "[`OpenSmileFeatures`][sklearn_ser.OpenSmileFeatures]" in doc
    features = package["features._opensmile.OpenSmileFeatures"].docstring.value
    assert "`opensmile.FeatureSet`" in features


@pytest.mark.slow
def test_mkdocs_build_is_strict_clean(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    if mkdocs is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[dev]')")
    site = tmp_path / "site"
    run = subprocess.run(
        [mkdocs, "build", "--strict", "-d", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    html = (site / "api" / "features" / "index.html").read_text()
    assert ":class:`" not in html
    # the IS10 table: target_sampling_rate's default is its signature's
    table = html[html.index('id="sklearn_ser.OpenSmileIS10"') :]
    row = table[table.index("<code>target_sampling_rate</code>") :]
    assert re.search(r"<code>16000</code>", row[:1500])
