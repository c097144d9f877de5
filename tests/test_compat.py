"""Private names of scikit-learn, skorch and skops come from sklearn_ser/_compat.py."""

import ast
from pathlib import Path

import sklearn_ser

PACKAGE = Path(sklearn_ser.__file__).parent
DEPENDENCIES = ("sklearn", "skops", "skorch")


def _private_imports(path):
    """``module.name`` of every private dependency name imported by ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in DEPENDENCIES:
                continue
            private_module = any(p.startswith("_") for p in node.module.split("."))
            for alias in node.names:
                if private_module or alias.name.startswith("_"):
                    found.append(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in DEPENDENCIES and any(p.startswith("_") for p in parts):
                    found.append(alias.name)
    return found


def test_private_dependency_names_are_imported_in_compat_only():
    offenders = {
        str(path.relative_to(PACKAGE)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_compat.py" and (names := _private_imports(path))
    }
    assert offenders == {}
    assert _private_imports(PACKAGE / "_compat.py")  # the check sees them there
