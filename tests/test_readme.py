"""The README's Python blocks run as written (the quick start must not lie)."""

import re

import pytest

from conftest import REPO

README = REPO / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.slow  # the quick start cross-validates a quarter of EMOVO
def test_readme_python_blocks_run(tmp_path, monkeypatch, data_home, capsys):
    """As a newcomer runs them: from a fresh clone, no SKLEARN_SER_DATA set.

    The clone sits next to ``shared/data`` (this project's layout); the quick start
    caches where the command line does (``sklearn_ser.get_cache_dir()``).
    """
    for var in ("SKLEARN_SER_DATA", "SKLEARN_SER_CACHE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(data_home)
    (tmp_path / "clone").mkdir()
    monkeypatch.chdir(tmp_path / "clone")
    blocks = _python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "unweighted accuracy (UA) per held-out speaker" in out
    from sklearn_ser.cli import _default_cache

    cache = tmp_path / "home" / ".cache" / "sklearn-ser" / "features"
    assert _default_cache() == str(cache)  # the command line's default
    assert any(cache.rglob("*.npy"))  # filled by the quick start
