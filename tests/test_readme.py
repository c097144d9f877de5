"""The README's Python blocks run as written (the quick start must not lie)."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.slow  # the quick start cross-validates a quarter of EMOVO
def test_readme_python_blocks_run(tmp_path, monkeypatch, data_home, capsys):
    monkeypatch.setenv("SKLEARN_SER_DATA", str(data_home))
    monkeypatch.setenv("HOME", str(tmp_path))  # the quick start caches under ~
    blocks = _python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})
    out = capsys.readouterr().out
    assert "unweighted accuracy (UA) per held-out speaker" in out
    assert (tmp_path / ".cache" / "sklearn_ser").is_dir()
